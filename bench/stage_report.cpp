#include "bench/stage_report.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <caf/config.hpp>
#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include "common/base/clock.hpp"
#include "common/kafka/client_config.hpp"
#include "common/stream/stage.hpp"

namespace freshet::bench::stage {

namespace {

const std::string raw_key = "raw_consume_produce";

std::string key_of(const std::string& stage, mode m) {
  return "stage_" + stage + "_" + to_string(m);
}

/// `baseline.json`'s one-hop reference (relay_4_topics), or null when there is none to read.
json baseline_reference(const options& o) {
  if (o.baseline.empty() || !std::filesystem::exists(o.baseline))
    return nullptr;
  try {
    std::ifstream in{o.baseline};
    auto doc = json::parse(in);
    const auto& relay = doc.at("results").at("relay_4_topics");
    return {{"run_id", doc.at("run_id")},
            {"events_per_s", relay.at("events_per_s")},
            {"cpu_s_per_million_per_hop", relay.at("cpu_s_per_million_per_hop")},
            {"broker_cpu_s_per_million", relay.at("broker_cpu_s_per_million")},
            {"hops", relay.at("hops")}};
  } catch (const std::exception& e) {
    fmt::print(stderr, "[stage-bench] cannot read the baseline {}: {}\n", o.baseline, e.what());
    return nullptr;
  }
}

json ratio_json(const std::vector<measurement>& num, const std::vector<measurement>& den, double target) {
  double ratio = rate(median_run(num)) / rate(median_run(den));
  json per_round = json::array();
  for (size_t i = 0; i < std::min(num.size(), den.size()); ++i)
    per_round.push_back(rate(num[i]) / rate(den[i])); // the same round: the same minute of the machine
  auto cpu = [](const measurement& m) { return per_million(m.cpu_s, m.events); };
  return {{"throughput_ratio", ratio},
          {"target", target},
          {"verdict", ratio >= target ? "PASS" : "MISS"},
          {"throughput_ratio_per_round", per_round},
          {"cpu_ratio", cpu(median_run(num)) / cpu(median_run(den))}};
}

} // namespace

std::vector<run_plan> plan_runs(const std::vector<std::string>& stages) {
  std::vector<run_plan> plans{{raw_key, mode::raw, "pass"}};
  auto planned = [&](const std::string& key) {
    return std::any_of(plans.begin(), plans.end(), [&](const run_plan& p) { return p.key == key; });
  };
  for (const auto& s : stages) {
    auto alo = at_least_once_counterpart(s);
    if (!planned(key_of(alo, mode::at_least_once)))
      plans.push_back({key_of(alo, mode::at_least_once), mode::at_least_once, alo});
    plans.push_back({key_of(s, mode::exactly_once), mode::exactly_once, s});
  }
  return plans;
}

json build_report(const options& o, const report& r) {
  json doc;
  doc["schema_version"] = 1;
  doc["run_id"] = o.run_id;
  doc["timestamp"] = format_utc_ms(now_ms());
  doc["git_rev"] = o.git_rev;
  doc["machine"] = machine_json();
  doc["machine"]["load_average_1m"] = {{"start", r.load_at_start}, {"end", r.load_at_end}};
  doc["software"] = {{"librdkafka", RdKafka::version_str()},
                     {"kafka_broker", o.broker_version},
                     {"caf", CAF_VERSION},
                     {"compiler", "g++ " __VERSION__},
                     {"build_type", FRESHET_BUILD_TYPE},
                     {"sanitized", static_cast<bool>(FRESHET_SANITIZED)}};
  stream::stage_config defaults;
  doc["settings"] = {
    {"event_bytes", o.event_bytes},
    {"event", "clickstream page_view JSON, key user_id, headers freshet.stream/event_id/ingest_ts (as ingest writes)"},
    {"partitions", o.partitions},
    {"events", o.events},
    {"warmup_events", o.warmup_events},
    {"rounds", o.rounds},
    {"commit_interval_ms", o.commit_interval_ms},
    {"max_batch", o.max_batch},
    {"max_txn_records", o.max_txn_records},
    {"poll_timeout_ms", defaults.poll_timeout_ms},
    {"latency_rate", o.latency_rate},
    {"latency_seconds", o.latency_seconds},
    {"broker_cpu_included_in_cpu_s", false},
    {"clock", "from the pipeline's first non-empty batch until the group's committed offsets cover every input "
              "event (exactly-once: its last transaction committed); group joins and producer setup are outside"},
    {"producer_config", kafka::producer_config("<bootstrap>", "<client>")},
    {"consumer_config", kafka::consumer_config("<bootstrap>", "<group>", "<client>")},
    {"stage_extras", {{"group.instance.id", "<group>-<instance>"},
                      {"transactional.id", "<group>-<instance> (exactly_once)"},
                      {"transaction.timeout.ms", "30000 (exactly_once, set by spawn_stage)"},
                      {"caf_scheduler_max_threads", 2}}},
    {"pipeline_spec", o.pipeline_spec}};

  auto reference = baseline_reference(o);
  json results = json::object();
  for (const auto& plan : r.plans) {
    auto m = median_run(r.rounds.at(plan.key));
    auto j = result_json(m, o.event_bytes);
    if (auto it = r.latency.find(plan.key); it != r.latency.end())
      j["latency"] = it->second.to_json();
    if (!reference.is_null()) {
      j["vs_baseline"] = {
        {"run_id", reference["run_id"]},
        {"reference", "relay_4_topics"},
        {"throughput_ratio", rate(m) / reference["events_per_s"].get<double>()},
        {"cpu_ratio", per_million(m.cpu_s, m.events) / reference["cpu_s_per_million_per_hop"].get<double>()}};
      // The relay's broker CPU covers its 4 hops; one stage is one hop.
      if (m.broker_cpu_s >= 0 && reference["broker_cpu_s_per_million"].is_number())
        j["vs_baseline"]["broker_cpu_ratio"] = per_million(m.broker_cpu_s, m.events) /
                                              (reference["broker_cpu_s_per_million"].get<double>() /
                                               reference["hops"].get<double>());
    }
    results[plan.key] = j;
  }
  doc["results"] = results;

  json ratios = json::object();
  for (const auto& plan : r.plans) {
    if (plan.how != mode::exactly_once)
      continue;
    const auto& eos = r.rounds.at(plan.key);
    auto alo_key = key_of(at_least_once_counterpart(plan.stage), mode::at_least_once);
    auto vs_alo = ratio_json(eos, r.rounds.at(alo_key), eos_vs_alo_target);
    vs_alo["reference"] = alo_key;
    auto vs_raw = ratio_json(eos, r.rounds.at(raw_key), eos_vs_raw_target);
    vs_raw["reference"] = raw_key;
    ratios[plan.stage] = {{"eos_vs_alo", vs_alo}, {"eos_vs_raw", vs_raw}};
  }
  doc["stage_ratios"] = ratios;
  json skipped = json::array();
  for (const auto& [stage, why] : r.skipped)
    skipped.push_back({{"stage", stage}, {"why", why}});
  doc["skipped_stages"] = skipped;
  return doc;
}

void print_report(const options& o, const json& doc) {
  const auto& load = doc["machine"]["load_average_1m"];
  fmt::print("\nStage benchmark, run {}: {} {}-byte events, {} partitions, median of {} round(s), the services' "
             "client settings\nload average (1 min): {:.1f} at start, {:.1f} at end, on {} cores\n\n",
             o.run_id, o.events, o.event_bytes, o.partitions, o.rounds, load["start"].get<double>(),
             load["end"].get<double>(), doc["machine"]["cores"].get<int>());
  fmt::print("{:<40} {:>10} {:>7} {:>14} {:>15} {:>8} {:>7} {:>7}\n", "run", "events/s", "spread", "cpu-s/M bench",
             "cpu-s/M broker", "commits", "p50 ms", "p99 ms");
  for (const auto& [key, j] : doc["results"].items()) {
    auto broker = j["broker_cpu_s_per_million"].is_null()
                    ? std::string{"n/a"}
                    : fmt::format("{:.2f}", j["broker_cpu_s_per_million"].get<double>());
    std::string commits = j.contains("run") && j["run"].contains("commits")
                            ? fmt::format("{:.0f}", j["run"]["commits"].get<double>())
                            : fmt::format("{}", j["batches"].get<int64_t>());
    std::string p50 = "-", p99 = "-";
    if (j.contains("latency")) {
      p50 = fmt::format("{:.0f}", j["latency"]["p50_ms"].get<double>());
      p99 = fmt::format("{:.0f}", j["latency"]["p99_ms"].get<double>());
    }
    fmt::print("{:<40} {:>10.0f} {:>6.0f}% {:>14.2f} {:>15} {:>8} {:>7} {:>7}\n", key, j["events_per_s"].get<double>(),
               j["spread"].get<double>() * 100, j["cpu_s_per_million"].get<double>(), broker, commits, p50, p99);
  }
  fmt::print("\n{:<20} {:>8} {:>7} {:>8}   {:>8} {:>7} {:>8}   per round (EOS/ALO | EOS/raw)\n", "stage", "EOS/ALO",
             "target", "", "EOS/raw", "target", "");
  for (const auto& [stage, j] : doc["stage_ratios"].items()) {
    const auto& alo = j["eos_vs_alo"];
    const auto& raw = j["eos_vs_raw"];
    auto rounds = [](const json& a) {
      std::string s;
      for (const auto& v : a["throughput_ratio_per_round"])
        s += fmt::format("{:.2f} ", v.get<double>());
      return s;
    };
    fmt::print("{:<20} {:>8.2f} {:>7} {:>8}   {:>8.2f} {:>7} {:>8}   {}| {}\n", stage,
               alo["throughput_ratio"].get<double>(), fmt::format(">={:.1f}", eos_vs_alo_target),
               alo["verdict"].get<std::string>(), raw["throughput_ratio"].get<double>(),
               fmt::format(">={:.1f}", eos_vs_raw_target), raw["verdict"].get<std::string>(), rounds(alo), rounds(raw));
  }
  for (const auto& s : doc["skipped_stages"])
    fmt::print("skipped {}: {}\n", s["stage"].get<std::string>(), s["why"].get<std::string>());
  fmt::print("\nevents/s: input events through the pipeline, from the first commit of its consumer group until its\n"
             "commits cover every input event (exactly-once: last transaction committed). Ratios compare median\n"
             "rounds; a MISS is reported, never an error. cpu-s/M bench = this process (getrusage, all threads);\n"
             "the broker's CPU is NOT included and is shown apart. commits = offset commits or transactions in the\n"
             "timed window (raw loop: batches, one commit each). Latency: {} events/s for {} s per run; the time\n"
             "a read_committed reader downstream receives an output minus its input record's timestamp\n"
             "(bench/README.md, \"Stage benchmark\").\n\n",
             o.latency_rate, o.latency_seconds);
}

void write_report(const options& o, const json& doc) {
  std::filesystem::path path{o.out};
  if (path.has_parent_path())
    std::filesystem::create_directories(path.parent_path());
  std::ofstream out{path};
  out << doc.dump(2) << '\n';
  if (!out.flush())
    throw std::runtime_error("cannot write " + o.out);
  fmt::print("wrote {}\n", o.out);
}

} // namespace freshet::bench::stage
