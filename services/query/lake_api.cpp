#include "services/query/lake_api.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "common/lake/errc.hpp"
#include "common/lake/table.hpp"
#include "common/lake/table_rows.hpp"

namespace freshet::query {

namespace {

grpc::Status to_status(const error& e) {
  if (lake::is(e, lake::errc::not_a_table) || lake::is(e, lake::errc::version_not_found))
    return {grpc::StatusCode::NOT_FOUND, e.message};
  if (lake::is(e, lake::errc::invalid_argument))
    return {grpc::StatusCode::INVALID_ARGUMENT, e.message};
  if (lake::is(e, lake::errc::unsupported))
    return {grpc::StatusCode::UNIMPLEMENTED, e.message};
  return {grpc::StatusCode::INTERNAL, e.describe()};
}

/// A table is a folder right under lake.dir: a name, never a path.
std::optional<std::string> table_root(const std::string& lake_dir, const std::string& name) {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos || name.find('\\') != std::string::npos)
    return std::nullopt;
  return lake_dir + "/" + name;
}

result<std::unique_ptr<lake::table>> open_table(const std::string& lake_dir, const std::string& name) {
  auto root = table_root(lake_dir, name);
  if (!root)
    return lake::make_lake_error(lake::errc::invalid_argument, "'" + name + "' is not a table name");
  return lake::table::open(*root);
}

/// Streams a table's rows: the table is opened and the version resolved when the call starts, then
/// each write carries the next row group's rows. Deletes itself when gRPC is done with it.
class read_reactor final : public grpc::ServerWriteReactor<v1::ReadTableResponse> {
 public:
  read_reactor(const std::string& lake_dir, const v1::ReadTableRequest& req, uint64_t max_rows) {
    auto t = open_table(lake_dir, req.table());
    if (!t) {
      Finish(to_status(t.err()));
      return;
    }
    result<lake::snapshot> snap = (*t)->latest();
    if (req.as_of_case() == v1::ReadTableRequest::kVersion)
      snap = (*t)->snapshot_at(req.version());
    else if (req.as_of_case() == v1::ReadTableRequest::kTimestampMs)
      snap = (*t)->snapshot_at_timestamp(req.timestamp_ms());
    if (!snap) {
      Finish(to_status(snap.err()));
      return;
    }
    lake::row_read_options o;
    o.columns.assign(req.columns().begin(), req.columns().end());
    o.limit = req.limit() == 0 ? max_rows : std::min<uint64_t>(req.limit(), max_rows);
    auto rows = lake::row_reader::open((*t)->root(), *snap, std::move(o));
    if (!rows) {
      Finish(to_status(rows.err()));
      return;
    }
    version_ = snap->version();
    rows_.emplace(std::move(*rows));
    next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish({grpc::StatusCode::CANCELLED, "the client went away"});
      return;
    }
    next();
  }

  void OnDone() override { delete this; }

 private:
  void next() {
    auto batch = rows_->next();
    if (!batch) {
      Finish(to_status(batch.err()));
      return;
    }
    if (batch->empty() && !first_) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    response_.set_version(version_);
    if (first_)
      for (const auto& c : rows_->columns())
        response_.add_columns(c);
    first_ = false;
    for (const auto& row : *batch)
      response_.add_rows_json(row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    StartWrite(&response_);
  }

  std::optional<lake::row_reader> rows_;
  v1::ReadTableResponse response_;
  int64_t version_ = 0;
  bool first_ = true;
};

} // namespace

grpc::ServerUnaryReactor* lake_api::ListTables(grpc::CallbackServerContext* ctx, const v1::ListTablesRequest*,
                                               v1::ListTablesResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(lake_dir_, ec))
    if (std::filesystem::is_directory(entry.path() / "_delta_log"))
      names.push_back(entry.path().filename().string());
  if (ec) {
    reactor->Finish({grpc::StatusCode::UNAVAILABLE, "cannot list lake.dir " + lake_dir_ + ": " + ec.message()});
    return reactor;
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    auto t = lake::table::open(lake_dir_ + "/" + name);
    if (!t)
      continue; // being created, or not a table after all
    const auto& s = (*t)->latest();
    const auto totals = s.summary();
    auto* info = resp->add_tables();
    info->set_name(name);
    info->set_version(s.version());
    info->set_files(totals.files);
    info->set_rows(totals.records);
    info->set_bytes(totals.bytes);
    for (const auto& c : s.metadata().partition_columns)
      info->add_partition_columns(c);
    info->set_schema_json(s.metadata().schema_string);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* lake_api::GetHistory(grpc::CallbackServerContext* ctx, const v1::GetHistoryRequest* req,
                                               v1::GetHistoryResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  auto t = open_table(lake_dir_, req->table());
  if (!t) {
    reactor->Finish(to_status(t.err()));
    return reactor;
  }
  auto history = (*t)->history(req->limit());
  if (!history) {
    reactor->Finish(to_status(history.err()));
    return reactor;
  }
  for (const auto& h : *history) {
    auto* c = resp->add_commits();
    c->set_version(h.version);
    c->set_timestamp_ms(h.timestamp_ms);
    if (h.info) {
      c->set_operation(h.info->operation);
      for (const auto& [k, v] : h.info->operation_parameters)
        (*c->mutable_operation_parameters())[k] = v;
    }
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<v1::ReadTableResponse>* lake_api::ReadTable(grpc::CallbackServerContext*,
                                                                     const v1::ReadTableRequest* req) {
  return new read_reactor(lake_dir_, *req, max_read_rows_);
}

} // namespace freshet::query
