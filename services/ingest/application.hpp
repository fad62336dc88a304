#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/http/server.hpp"
#include "common/kafka/producer.hpp"
#include "common/service/runtime.hpp"
#include "services/ingest/actors.hpp"
#include "services/ingest/grpc_api.hpp"
#include "services/ingest/ingest_probe.hpp"

namespace freshet::ingest {

/// The ingest service's parts, wired in dependency order: probe, producer, publishers, gRPC, HTTP.
/// Teardown (by the runtime, reversed): HTTP stops taking requests, gRPC drains, publishers stop,
/// the producer flushes what is in flight.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  void submit(std::shared_ptr<publish_job> job);

  std::unique_ptr<ingest_probe> probe_;
  std::shared_ptr<kafka::producer> producer_;
  std::vector<publisher_actor> publishers_;
  std::atomic<size_t> next_publisher_{0};
  std::unique_ptr<grpc_api> grpc_;
  std::unique_ptr<http::server> http_;
};

} // namespace freshet::ingest
