#pragma once

#include <memory>
#include <string>

#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::metrics {

/// Owns a service's Prometheus registry and serves it on `GET /metrics`.
/// Created first and destroyed last in `main`, so every probe outlives its users.
class metrics_server {
 public:
  /// `listen` is "host:port"; port 0 means metrics are collected but not served.
  explicit metrics_server(const std::string& listen);
  ~metrics_server();

  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  [[nodiscard]] prometheus::Registry& registry() { return *registry_; }
  [[nodiscard]] const std::string& listen() const { return listen_; }

 private:
  std::string listen_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

/// Histogram buckets in seconds from 100 µs to ~30 s, for request and commit latencies.
[[nodiscard]] prometheus::Histogram::BucketBoundaries latency_buckets();

/// Histogram buckets for sizes (records per batch, bytes): powers of two up to 1 Mi.
[[nodiscard]] prometheus::Histogram::BucketBoundaries size_buckets();

} // namespace freshet::metrics
