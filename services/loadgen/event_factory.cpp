#include "services/loadgen/event_factory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace freshet::loadgen {

zipf_sampler::zipf_sampler(size_t n, double s) : cdf_(std::max<size_t>(1, n)) {
  double sum = 0;
  for (size_t i = 0; i < cdf_.size(); ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
    cdf_[i] = sum;
  }
  for (auto& c : cdf_)
    c /= sum;
}

size_t zipf_sampler::sample(std::mt19937_64& rng) const {
  double u = std::uniform_real_distribution<double>{0.0, 1.0}(rng);
  auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
  return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
}

event_factory::event_factory(factory_options opts)
    : opts_(opts), rng_(opts.seed), users_(opts.users, opts.zipf_s) {}

std::string event_factory::user(size_t rank) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "u%06zu", rank);
  return buf;
}

std::string event_factory::bad_payload(const std::string& good) {
  switch (std::uniform_int_distribution<int>{0, 3}(rng_)) {
    case 0: return good.substr(0, good.size() / 2);                       // truncated JSON
    case 1: return R"({"ts":"not a time","url":"/x","user_id":"u1"})";    // bad timestamp
    case 2: return R"({"url":"/x"})";                                     // no key field
    default: return "[1,2,3]";                                            // not an object
  }
}

generated_event event_factory::next(int64_t now_ms) {
  generated_event ev;
  ev.event_id = "lg-" + std::to_string(opts_.seed) + "-" + std::to_string(seq_++);
  int64_t ts = now_ms;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  if (unit(rng_) < opts_.out_of_order_fraction)
    ts -= std::uniform_int_distribution<int64_t>{0, opts_.out_of_order_ms}(rng_);
  auto uid = user(users_.sample(rng_));
  double pick = unit(rng_);
  char buf[256];
  static const char* currencies[] = {"USD", "EUR", "GBP", "JPY"};
  const char* cur = currencies[std::uniform_int_distribution<int>{0, 3}(rng_)];
  if (pick < 0.7) {
    ev.stream = "page_view";
    std::snprintf(buf, sizeof buf, R"({"user_id":"%s","ts":%lld,"url":"/p/%d","referrer":null})", uid.c_str(),
                  static_cast<long long>(ts), std::uniform_int_distribution<int>{1, 500}(rng_));
  } else if (pick < 0.9) {
    ev.stream = "add_to_cart";
    std::snprintf(buf, sizeof buf,
                  R"({"user_id":"%s","ts":%lld,"sku":"sku-%d","quantity":%d,"unit_price":%.2f,"currency":"%s"})",
                  uid.c_str(), static_cast<long long>(ts), std::uniform_int_distribution<int>{1, 2000}(rng_),
                  std::uniform_int_distribution<int>{1, 5}(rng_),
                  std::uniform_real_distribution<double>{1.0, 300.0}(rng_), cur);
  } else {
    ev.stream = "purchase";
    std::snprintf(buf, sizeof buf,
                  R"({"user_id":"%s","ts":%lld,"order_id":"o-%llu","amount":%.2f,"currency":"%s","items":%d})",
                  uid.c_str(), static_cast<long long>(ts), static_cast<unsigned long long>(seq_),
                  std::uniform_real_distribution<double>{5.0, 900.0}(rng_), cur,
                  std::uniform_int_distribution<int>{1, 8}(rng_));
  }
  ev.payload = buf;
  if (unit(rng_) < opts_.bad_fraction) {
    ev.bad = true;
    ev.payload = bad_payload(ev.payload);
  }
  return ev;
}

} // namespace freshet::loadgen
