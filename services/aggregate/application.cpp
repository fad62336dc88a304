#include "services/aggregate/application.hpp"

#include "common/config/metrics_spec.hpp"
#include "common/log/logger.hpp"
#include "common/service/stage_wiring.hpp"

namespace freshet::aggregate {

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-aggregate");
  d["grpc.listen"] = "0.0.0.0:50081";
  d["metrics.listen"] = "0.0.0.0:9100";
  // The built-in per-stream event counts (QueryService.GetEventCounts).
  d["aggregate.window_ms"] = "10000";
  d["aggregate.counts_allowed_lateness_ms"] = "3600000";
  d["aggregate.counts_early_ms"] = "1000";
  // Processing time reaches the operators at least this often when no events come (early results,
  // idle partitions).
  d["aggregate.tick_ms"] = "200";
  d["serving.ttl_seconds"] = "86400";
  // Backfills run a second instance beside the live one (docs/backfill.md): another kafka.group, and
  // these set apart what it reads and writes. Empty: the spec's topics, the pipeline's name.
  d["aggregate.input_topic"] = "";
  d["aggregate.rollups_topic"] = "";
  d["aggregate.late_topic"] = "";
  d["serving.prefix"] = "";
  return d;
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  const auto& pipeline = rt.spec();
  auto declared = config::load_metrics_spec(pipeline);
  if (!declared)
    return declared.err();
  auto plans = plan_metrics({config::builtin_event_counts(s.get_int("aggregate.window_ms"),
                                                          s.get_int("aggregate.counts_allowed_lateness_ms"),
                                                          s.get_int("aggregate.counts_early_ms"))},
                            *declared);
  if (!plans)
    return plans.err();
  FRESHET_LOG(info, log::get("aggregate"), "{} metric(s) ({} declared in the pipeline spec)", plans->size(),
              declared->metrics.size());

  auto or_default = [&s](const std::string& key, const std::string& fallback) {
    return s.get(key).empty() ? fallback : s.get(key);
  };
  const auto input_topic = or_default("aggregate.input_topic", pipeline.topic_name("enriched"));
  redis_ = std::make_unique<redis::client>(s.get("redis.address"));
  store_ = std::make_unique<serving::metric_store>(*redis_, or_default("serving.prefix", pipeline.name),
                                                   s.get_int("serving.ttl_seconds"));
  sink_ = std::make_unique<redis_sink>(*store_);
  probe_ = std::make_unique<aggregate_probe>(rt.metrics());

  processor_options opts;
  opts.pipeline = pipeline.name;
  opts.input_topic = input_topic;
  opts.rollups_topic = or_default("aggregate.rollups_topic", pipeline.topic_name("rollups"));
  opts.late_topic = or_default("aggregate.late_topic", pipeline.topic_name("late"));
  opts.dlq_topic = pipeline.topic_name("dlq");
  for (const auto& st : pipeline.streams)
    opts.stream_event_time[st.name] = st.event_time_field;
  processor_ = std::make_unique<rollup_processor>(std::move(*plans), std::move(opts), *sink_, probe_.get());

  service::stage_wiring wiring{"aggregate", {input_topic}};
  wiring.on_committed = [p = processor_.get()](std::vector<kafka::outgoing_record>& outs) { p->committed(outs); };
  wiring.tick_interval_ms = static_cast<int>(s.get_int("aggregate.tick_ms"));
  auto stage = service::wire_stateful_stage(
    rt, std::move(wiring),
    [p = processor_.get()](const std::vector<kafka::consumed_record>& batch, stream::stage_state& state) {
      return p->process(batch, state);
    });
  if (!stage)
    return stage.err();
  stage_ = *stage;
  return {};
}

} // namespace freshet::aggregate
