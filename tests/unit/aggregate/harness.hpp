#pragma once

// Builds an aggregate processor over fakes (tests/unit/aggregate/fakes.hpp) from a metrics YAML,
// with a test clock, and makes enriched-topic records.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config/metrics_spec.hpp"
#include "services/aggregate/rollup_processor.hpp"
#include "tests/unit/aggregate/fakes.hpp"

namespace freshet::aggregate::test {

inline const std::string input_topic = "events.enriched";

struct harness {
  fake_state state;
  fake_sink sink;
  int64_t clock = 1'000'000;
  std::vector<metric_plan> plans;
  std::unique_ptr<rollup_processor> proc;
  /// Committed outputs, by topic.
  std::map<std::string, std::vector<kafka::outgoing_record>> topics;
  std::vector<kafka::outgoing_record> open; ///< outputs of the open transaction

  explicit harness(const std::string& metrics_yaml, bool builtin = false) {
    config::pipeline_spec spec;
    spec.name = "t";
    spec.streams = {{"page_view", "", "user", "ts"}, {"purchase", "", "user", "ts"}};
    auto decls = config::parse_metrics_spec("metrics:\n" + metrics_yaml, spec);
    EXPECT_TRUE(decls.ok()) << decls.err().message;
    std::vector<config::metric_decl> builtins;
    if (builtin)
      builtins.push_back(config::builtin_event_counts(10000, 3600000, 1000));
    auto p = plan_metrics(builtins, *decls);
    EXPECT_TRUE(p.ok()) << p.err().message;
    plans = std::move(*p);
    restart();
  }

  /// A fresh processor (a crash: nothing in memory survives).
  void restart() {
    processor_options o;
    o.pipeline = "t";
    o.input_topic = input_topic;
    o.rollups_topic = "rollups";
    o.late_topic = "events.late";
    o.dlq_topic = "events.dlq";
    o.stream_event_time = {{"page_view", "ts"}, {"purchase", "ts"}};
    o.clock = [this] { return clock; };
    proc = std::make_unique<rollup_processor>(plans, o, sink);
  }

  /// Runs the processor; its outputs join the open transaction.
  void run(const std::vector<kafka::consumed_record>& batch) {
    auto out = proc->process(batch, state);
    ASSERT_TRUE(out.ok()) << out.err().describe();
    for (auto& r : *out)
      open.push_back(std::move(r));
  }

  /// Commits the open transaction; `serve` = the post-commit hook runs (false: the process died
  /// right after the commit).
  void commit(bool serve = true) {
    state.commit();
    for (const auto& r : open)
      topics[r.topic].push_back(r);
    if (serve)
      proc->committed(open);
    open.clear();
  }

  void abort() {
    state.abort();
    open.clear();
  }

  [[nodiscard]] std::vector<v1::Rollup> committed_rollups() const {
    std::vector<v1::Rollup> out;
    auto it = topics.find("rollups");
    if (it == topics.end())
      return out;
    for (const auto& r : it->second) {
      v1::Rollup x;
      EXPECT_TRUE(x.ParseFromString(r.value));
      out.push_back(std::move(x));
    }
    return out;
  }
};

inline kafka::consumed_record make_event(int32_t partition, int64_t offset, const std::string& stream, int64_t ts,
                                    const std::string& json_fields) {
  kafka::consumed_record r;
  r.topic = input_topic;
  r.partition = partition;
  r.offset = offset;
  r.timestamp_ms = ts;
  r.key = "k" + std::to_string(offset);
  r.value = "{\"ts\":" + std::to_string(ts) + (json_fields.empty() ? "" : "," + json_fields) + "}";
  r.headers = {{kafka::headers::stream, stream}, {kafka::headers::event_id, stream + "-" + std::to_string(offset)}};
  return r;
}

inline const v1::AggregateValue* value_of(const v1::Rollup& r, const std::string& name) {
  for (const auto& v : r.values())
    if (v.name() == name)
      return &v;
  return nullptr;
}

} // namespace freshet::aggregate::test
