#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::stream {

/// The metrics of one stage instance.
class stage_probe {
 public:
  stage_probe(prometheus::Registry& reg, const std::string& stage);

  void batch_processed(size_t in, size_t out, double seconds);
  void committed();
  void batch_retried();

 private:
  prometheus::Counter& records_in_;
  prometheus::Counter& records_out_;
  prometheus::Counter& commits_;
  prometheus::Counter& retries_;
  prometheus::Histogram& batch_seconds_;
};

} // namespace freshet::stream
