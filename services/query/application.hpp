#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/http/server.hpp"
#include "common/service/runtime.hpp"
#include "services/query/actors.hpp"
#include "services/query/grpc_api.hpp"
#include "services/query/lake_api.hpp"
#include "services/query/metric_query.hpp"

namespace freshet::query {

/// The serving API: readers over the hot store, the gRPC `QueryService`, HTTP (JSON + dashboard), and
/// the gRPC `LakeService` over the Delta tables in `lake.dir`.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::shared_ptr<const metric_catalog> catalog_;
  std::vector<reader_actor> readers_;
  std::atomic<size_t> next_reader_{0};
  std::unique_ptr<grpc_api> grpc_;
  std::unique_ptr<lake_api> lake_;
  std::unique_ptr<http::server> http_;
};

} // namespace freshet::query
