#include "common/metrics/metrics_server.hpp"

namespace freshet::metrics {

metrics_server::metrics_server(const std::string& listen)
    : listen_(listen), registry_(std::make_shared<prometheus::Registry>()) {
  if (!listen.empty() && !listen.ends_with(":0")) {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
    exposer_->RegisterCollectable(registry_);
  }
}

metrics_server::~metrics_server() = default;

prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0,  30.0};
}

prometheus::Histogram::BucketBoundaries size_buckets() {
  prometheus::Histogram::BucketBoundaries b;
  for (double v = 1; v <= 1024 * 1024; v *= 2)
    b.push_back(v);
  return b;
}

} // namespace freshet::metrics
