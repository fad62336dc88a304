#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace freshet::loadgen {

/// Samples ranks 0..n-1 with probability proportional to 1 / (rank+1)^s (Zipf), by inverse CDF.
class zipf_sampler {
 public:
  zipf_sampler(size_t n, double s);
  [[nodiscard]] size_t sample(std::mt19937_64& rng) const;

 private:
  std::vector<double> cdf_;
};

struct factory_options {
  size_t users = 1000;
  double zipf_s = 1.1;
  double out_of_order_fraction = 0.1; ///< share of events whose time lags behind now
  int64_t out_of_order_ms = 5000;     ///< the most an event lags
  double bad_fraction = 0.01;         ///< share of deliberately invalid events
  uint64_t seed = 42;
};

/// One generated event: its stream, payload, and whether it was made invalid on purpose.
struct generated_event {
  std::string stream;
  std::string event_id;
  std::string payload;
  bool bad = false;
};

/// Makes clickstream events (page views 70%, add-to-cart 20%, purchases 10%) for the example pipeline.
class event_factory {
 public:
  explicit event_factory(factory_options opts);
  [[nodiscard]] generated_event next(int64_t now_ms);

 private:
  std::string user(size_t rank) const;
  std::string bad_payload(const std::string& good);

  factory_options opts_;
  std::mt19937_64 rng_;
  zipf_sampler users_;
  uint64_t seq_ = 0;
};

} // namespace freshet::loadgen
