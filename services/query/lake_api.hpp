#pragma once

#include <cstdint>
#include <string>

#include "freshet/v1/lake.grpc.pb.h"

namespace freshet::query {

/// `LakeService` on gRPC's callback API: the Delta tables under `lake.dir` — list, history, and rows
/// as of a version or a time (common/lake `snapshot_at` / `version_at`, read with `row_reader`).
///
/// Stateless between calls: each call opens the table afresh, so it sees the latest commits of the
/// lake writer (another process). Reads run on gRPC's callback threads: ReadTable reads one Parquet
/// row group per message and writes it before reading the next, so a slow client holds back only
/// its own stream and memory stays at about one row group per call.
class lake_api final : public v1::LakeService::CallbackService {
 public:
  lake_api(std::string lake_dir, uint64_t max_read_rows)
      : lake_dir_(std::move(lake_dir)), max_read_rows_(max_read_rows) {}

  grpc::ServerUnaryReactor* ListTables(grpc::CallbackServerContext* ctx, const v1::ListTablesRequest* req,
                                       v1::ListTablesResponse* resp) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* ctx, const v1::GetHistoryRequest* req,
                                       v1::GetHistoryResponse* resp) override;
  grpc::ServerWriteReactor<v1::ReadTableResponse>* ReadTable(grpc::CallbackServerContext* ctx,
                                                             const v1::ReadTableRequest* req) override;

 private:
  std::string lake_dir_;
  uint64_t max_read_rows_;
};

} // namespace freshet::query
