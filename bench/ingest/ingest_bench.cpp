// freshet-ingest-bench: ingest's speed as a ratio against Kafka alone, measured in one run on one
// broker (bench/ingest/README.md):
// 1. `kafka_producer_same_run`: a raw librdkafka producer sends N 200-byte JSON events (7-byte keys,
//    the services' producer settings) to a fresh 6-partition topic;
// 2. `ingest_grpc`: the same N payloads, keys and broker, through a freshet-ingest child process over
//    gRPC `Publish` in batches of 500 (several calls in flight), each counted only when its answer
//    says Kafka acknowledged every event. Ingest converts JSON to Avro and adds three headers;
// 3. `json_to_avro`: the conversion alone on one thread (events per CPU-second), both the bare
//    encoder and ingest's whole per-event check.
// An untimed warm-up runs both 1 and 2 first. Rounds run 1 and 2 on fresh topics, which one first
// alternating per round; the median of each is reported, and the ratio
// ingest / raw of the median round (target >= 0.7).
//
// Usage: freshet-ingest-bench --bootstrap HOST:PORT [--broker-pid PID] [--events N] [--rounds N]
//          [--batch N] [--window N] [--convert-events N] [--ingest-bin PATH] [--baseline PATH]
//          [--git-rev R] [--out PATH]

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <librdkafka/rdkafkacpp.h>

#include "bench/ingest/processes.hpp"
#include "bench/measure.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/schema/stream_catalog.hpp"
#include "freshet/v1/ingest.grpc.pb.h"
#include "services/ingest/payload_check.hpp"

namespace {

using namespace freshet;
using namespace freshet::bench;
using namespace std::chrono_literals;

struct options {
  std::string bootstrap;
  int broker_pid = 0;
  int64_t events = 500'000;
  int rounds = 3;
  int batch = 500;
  // 48 calls of 500 = 24,000 events in flight, an eighth of what the raw producer may queue (200,000
  // messages): enough for Kafka batches as full as the raw producer's. With 12 the broker spent 2.3x
  // the CPU per event on ingest's smaller batches, so the ratio measured the client's concurrency.
  int window = 48;
  int64_t convert_events = 2'000'000;
  std::string ingest_bin = FRESHET_BIN_DIR "/freshet-ingest";
  std::string baseline;
  std::string git_rev = "unknown";
  std::string out = "build/bench/ingest.json";
};

options parse(int argc, char** argv) {
  options o;
  if (const char* e = std::getenv("FRESHET_INGEST_BENCH_EVENTS"); e && *e)
    o.events = std::stoll(e);
  if (const char* e = std::getenv("FRESHET_INGEST_BENCH_ROUNDS"); e && *e)
    o.rounds = std::stoi(e);
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--bootstrap") o.bootstrap = v;
    else if (f == "--broker-pid") o.broker_pid = std::stoi(v);
    else if (f == "--events") o.events = std::stoll(v);
    else if (f == "--rounds") o.rounds = std::stoi(v);
    else if (f == "--batch") o.batch = std::stoi(v);
    else if (f == "--window") o.window = std::stoi(v);
    else if (f == "--convert-events") o.convert_events = std::stoll(v);
    else if (f == "--ingest-bin") o.ingest_bin = v;
    else if (f == "--baseline") o.baseline = v;
    else if (f == "--git-rev") o.git_rev = v;
    else if (f == "--out") o.out = v;
    else throw std::runtime_error("unknown flag " + f + " (see the top of bench/ingest/ingest_bench.cpp)");
  }
  if (o.bootstrap.empty())
    throw std::runtime_error("--bootstrap is required");
  return o;
}

// ---- the events: 200-byte page_view JSON, 7-byte user keys from a pool of 4096 ------------------

struct event_pool {
  std::vector<std::string> values, keys;
  explicit event_pool(std::size_t n) {
    std::mt19937_64 rng{42};
    for (std::size_t i = 0; i < n; ++i) {
      auto key = fmt::format("u{:06}", rng() % 1'000'000);
      auto head = fmt::format(R"x({{"user_id":"{}","ts":{},"referrer":null,"user_agent":"Mozilla/5.0 (X11; Linux x86_64)","url":"/products/)x",
                              key, 1'700'000'000'000 + static_cast<int64_t>(rng() % 100'000'000));
      std::string tail = "\"}";
      std::string pad(200 - head.size() - tail.size(), 'a');
      for (auto& c : pad)
        c = static_cast<char>('a' + rng() % 26);
      values.push_back(head + pad + tail);
      keys.push_back(key);
    }
  }
  const std::string& value(int64_t i) const { return values[static_cast<std::size_t>(i) % values.size()]; }
  const std::string& key(int64_t i) const { return keys[static_cast<std::size_t>(i) % keys.size()]; }
};

// ---- 1. the raw producer ----------------------------------------------------------------------

struct dr_counter : RdKafka::DeliveryReportCb {
  std::atomic<int64_t> ok{0}, failed{0};
  void dr_cb(RdKafka::Message& m) override { (m.err() ? failed : ok).fetch_add(1); }
};

measurement raw_producer(const options& o, const event_pool& pool, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  for (const auto& [k, v] : kafka::producer_config(o.bootstrap, "bench-raw"))
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error(err);
  dr_counter dr;
  conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&dr), err);
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  // Learn the topic's partitions before the clock starts (a fresh producer otherwise waits for its scan).
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(p.get(), topic, nullptr, err)};
  RdKafka::Metadata* md = nullptr;
  if (p->metadata(false, t.get(), &md, 10000) != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("metadata for " + topic);
  delete md;
  auto start = read_meters(o.broker_pid);
  for (int64_t i = 0; i < o.events; ++i) {
    const auto& v = pool.value(i);
    const auto& k = pool.key(i);
    while (p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(v.data()),
                      v.size(), k.data(), k.size(), 0, nullptr) == RdKafka::ERR__QUEUE_FULL)
      p->poll(5);
    if (i % 1024 == 0)
      p->poll(0);
  }
  p->flush(60000);
  auto end = read_meters(o.broker_pid);
  if (dr.ok != o.events)
    throw std::runtime_error(fmt::format("raw producer: {} of {} delivered", dr.ok.load(), o.events));
  auto m = between(start, end, o.events);
  m.details["client"] = "raw librdkafka RdKafka::Producer, one thread, RK_MSG_COPY, kafka::producer_config";
  return m;
}

/// The broker's CPU seconds per million events of `m` (0 when the broker's CPU was not measured).
double broker_per_event(const measurement& m) {
  return m.broker_cpu_s < 0 ? 0 : per_million(m.broker_cpu_s, m.events);
}

// ---- 2. ingest over gRPC ------------------------------------------------------------------------

/// Sends every event in batches with up to `window` calls in flight; returns when all are answered.
measurement ingest_grpc(const options& o, const event_pool& pool, const std::string& bin, const std::string& spec,
                        const std::string& log, int round) {
  int port = free_port(), http_port = free_port();
  child ingest{bin,
               {"--pipeline.spec=" + spec, "--kafka.bootstrap=" + o.bootstrap, "--registry.url=",
                "--grpc.listen=127.0.0.1:" + std::to_string(port), "--http.listen=127.0.0.1:" + std::to_string(http_port),
                "--metrics.listen=127.0.0.1:0", "--service.instance=bench-ingest", "--log.level=warn"},
               log};
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auto stub = v1::IngestService::NewStub(channel);
  grpc::GenericStub generic{channel};
  // Requests are serialised before the clock starts, as the raw producer's payloads are ready
  // before its clock: what is timed is ingest's work, not this co-located client's protobuf encoding.
  std::vector<grpc::ByteBuffer> requests;
  for (int64_t i = 0; i < o.events; i += o.batch) {
    v1::PublishRequest req;
    req.set_stream("page_view");
    for (int64_t j = i; j < std::min<int64_t>(o.events, i + o.batch); ++j) {
      auto* e = req.add_events();
      e->set_event_id(fmt::format("r{}-{}", round, j));
      e->set_payload(pool.value(j));
    }
    grpc::Slice slice{req.SerializeAsString()};
    requests.emplace_back(&slice, 1);
  }
  // Warm up: the service is up and the raw topic's metadata known before the clock starts.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::PublishRequest warm;
    warm.set_stream("page_view");
    warm.add_events()->set_payload(pool.value(0));
    v1::PublishResponse resp;
    if (stub->Publish(&ctx, warm, &resp).ok() && resp.accepted() == 1)
      break;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("freshet-ingest did not come up; see " + log);
    std::this_thread::sleep_for(200ms);
  }
  std::mutex mtx;
  std::condition_variable cv;
  int in_flight = 0;
  std::size_t next = 0, answered = 0;
  int64_t accepted = 0, failed_calls = 0;
  struct call {
    grpc::ClientContext ctx;
    grpc::ByteBuffer resp;
  };
  // Each call's context outlives its callback: destroying a ClientContext from within its own
  // completion callback (as the last owner) races gRPC's release of the call.
  std::vector<std::unique_ptr<call>> calls;
  calls.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i)
    calls.push_back(std::make_unique<call>());
  auto start = read_meters(o.broker_pid);
  double ingest_cpu0 = process_cpu_s(ingest.pid);
  auto threads0 = thread_cpu(ingest.pid);
  std::unique_lock guard{mtx};
  while (answered < requests.size()) {
    while (next < requests.size() && in_flight < o.window) {
      auto* c = calls[next].get();
      ++in_flight;
      generic.UnaryCall(&c->ctx, "/freshet.v1.IngestService/Publish", grpc::StubOptions{}, &requests[next++], &c->resp,
                        [&, c](grpc::Status st) {
                          v1::PublishResponse resp;
                          std::vector<grpc::Slice> slices;
                          std::string bytes;
                          if (st.ok() && c->resp.Dump(&slices).ok())
                            for (const auto& sl : slices)
                              bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
                          bool parsed = st.ok() && resp.ParseFromString(bytes);
                          std::lock_guard inner{mtx};
                          --in_flight;
                          ++answered;
                          if (parsed)
                            accepted += resp.accepted();
                          else
                            ++failed_calls;
                          cv.notify_one();
                        });
    }
    cv.wait(guard);
  }
  auto end = read_meters(o.broker_pid);
  double ingest_cpu = process_cpu_s(ingest.pid) - ingest_cpu0;
  json by_thread = json::object();
  for (const auto& [name, cpu] : thread_cpu(ingest.pid))
    by_thread[name] = per_million(cpu - threads0[name], o.events);
  if (accepted != o.events || failed_calls)
    throw std::runtime_error(fmt::format("ingest: {} of {} accepted, {} failed calls; see {}", accepted, o.events,
                                         failed_calls, log));
  auto m = between(start, end, o.events);
  m.details["client"] = fmt::format("gRPC Publish (generic callback API, requests serialised before the clock), "
                                    "{} events per batch, {} calls in flight, in this process",
                                    o.batch, o.window);
  m.details["client_cpu_s"] = m.cpu_s;
  m.details["ingest_cpu_s"] = ingest_cpu;
  m.details["ingest_cpu_s_per_million"] = per_million(ingest_cpu, o.events);
  m.details["ingest_cpu_s_per_million_by_thread"] = by_thread;
  m.cpu_s += ingest_cpu; // the service's CPU is what ingest costs: count it with the client's
  m.details["cpu_s_includes"] = "client (this process) + freshet-ingest";
  return m;
}

// ---- 3. JSON -> Avro on one core --------------------------------------------------------------

json conversion(const options& o, const event_pool& pool, const config::pipeline_spec& spec) {
  auto catalog = schema::local_catalog(spec);
  if (!catalog)
    throw std::runtime_error(catalog.err().message);
  const auto& pv = catalog->find("page_view")->schema;
  avro::json_encoder enc{pv};
  std::string out;
  auto time_it = [&](auto&& fn) {
    for (int64_t i = 0; i < 20000; ++i)
      fn(i);
    double c0 = thread_cpu_s();
    for (int64_t i = 0; i < o.convert_events; ++i)
      fn(i);
    return static_cast<double>(o.convert_events) / (thread_cpu_s() - c0);
  };
  double bare = time_it([&](int64_t i) {
    out.clear();
    if (!enc.encode_framed(schema_id{1}, pool.value(i), out).ok())
      throw std::runtime_error("encode failed");
  });
  ingest::payload_checker checker{spec, std::make_shared<const schema::stream_catalog>(std::move(*catalog)), nullptr};
  ingest::checked_event ev;
  ingest::rejection why;
  double full = time_it([&](int64_t i) {
    if (!checker.check("page_view", pool.value(i), ingest::payload_format::json, 1, ev, why))
      throw std::runtime_error("check failed: " + why.message);
  });
  return json{{"events", o.convert_events},
              {"event_bytes", 200},
              {"avro_bytes", static_cast<int64_t>(out.size())},
              {"encoder_events_per_cpu_s", bare},
              {"ingest_check_events_per_cpu_s", full},
              {"what", "json_encoder::encode_framed alone, and ingest's payload_checker::check (encode, frame, "
                       "read key and event time back), one thread, thread CPU time"}};
}

std::string write_spec(const std::string& dir, const std::string& prefix) {
  std::string y = "pipeline: bench\ntopics:\n";
  for (const char* role : config::required_topic_roles)
    y += fmt::format("  - {{role: {}, name: {}.{}, partitions: 6}}\n", role, prefix, role);
  y += "streams:\n  - {name: page_view, schema: " + std::string{FRESHET_SOURCE_DIR} +
       "/examples/clickstream/schemas/page_view.avsc, key: user_id, event_time: ts}\n";
  auto path = dir + "/" + prefix + ".yaml";
  std::ofstream{path} << y;
  return path;
}

} // namespace

int main(int argc, char** argv) try {
  auto o = parse(argc, argv);
  auto run_id = fmt::format("{}-{}", now_ms(), getpid());
  auto dir = std::filesystem::temp_directory_path() / ("freshet-ingest-bench-" + run_id);
  std::filesystem::create_directories(dir);
  event_pool pool{4096};
  auto load_start = load_average_1m();

  // Every round's topics exist before anything is timed: a broker still creating partitions (log
  // directories, preallocated indexes, leaders) slowed whichever producer ran first after it.
  for (int r = 0; r < o.rounds; ++r) {
    auto prefix = fmt::format("ib{}.r{}", getpid(), r);
    auto spec = config::load_pipeline_spec(write_spec(dir.string(), prefix));
    if (!spec)
      throw std::runtime_error(spec.err().message);
    auto topics = spec->topics;
    topics.push_back({"baseline", prefix + ".raw_baseline", 6, "delete", -1});
    if (auto st = kafka::create_topics(o.bootstrap, topics); !st.ok())
      throw std::runtime_error(st.err().message);
  }
  // An untimed warm-up lets the broker's JIT settle first (as the Kafka baseline does), on both
  // paths: ingest's records (Avro with headers, many small produce requests from another client)
  // exercise broker code that the raw producer's do not, and that code was otherwise compiled
  // during ingest's first timed round.
  {
    auto warm = fmt::format("ib{}.warmup", getpid());
    if (auto st = kafka::create_topics(o.bootstrap, {{"warmup", warm, 6, "delete", -1}}); !st.ok())
      throw std::runtime_error(st.err().message);
    options w = o;
    w.events = std::min<int64_t>(o.events, 200'000);
    (void) raw_producer(w, pool, warm);
    auto spec_path = write_spec(dir.string(), warm);
    auto spec = config::load_pipeline_spec(spec_path);
    if (!spec)
      throw std::runtime_error(spec.err().message);
    if (auto st = kafka::create_topics(o.bootstrap, spec->topics); !st.ok())
      throw std::runtime_error(st.err().message);
    (void) ingest_grpc(w, pool, o.ingest_bin, spec_path, (dir / (warm + ".log")).string(), -1);
  }
  std::vector<measurement> raws, ingests;
  for (int r = 0; r < o.rounds; ++r) {
    auto prefix = fmt::format("ib{}.r{}", getpid(), r);
    auto spec_path = write_spec(dir.string(), prefix);
    auto run_raw = [&] { raws.push_back(raw_producer(o, pool, prefix + ".raw_baseline")); };
    auto run_ingest = [&] {
      ingests.push_back(ingest_grpc(o, pool, o.ingest_bin, spec_path, (dir / (prefix + ".log")).string(), r));
    };
    // Which one goes first alternates, so that drift within a run (the broker's logs growing, its
    // page cache, the other side's leftovers) does not always fall on the same side.
    if (r % 2 == 0) {
      run_raw();
      run_ingest();
    } else {
      run_ingest();
      run_raw();
    }
    fmt::print(stderr, "round {}: raw {:.0f} events/s, ingest {:.0f} events/s (ratio {:.2f})\n", r, rate(raws.back()),
               rate(ingests.back()), rate(ingests.back()) / rate(raws.back()));
  }
  std::vector<double> ratios;
  for (std::size_t i = 0; i < raws.size(); ++i)
    ratios.push_back(rate(ingests[i]) / rate(raws[i]));
  auto raw = median_run(raws);
  auto ing = median_run(ingests);
  auto spec = config::load_pipeline_spec(write_spec(dir.string(), "convert"));
  auto convert = conversion(o, pool, *spec);

  json report;
  report["schema_version"] = 1;
  report["run_id"] = run_id;
  report["git_rev"] = o.git_rev;
  report["machine"] = machine_json();
  report["machine"]["load_average_1m"] = {{"start", load_start}, {"end", load_average_1m()}};
  report["settings"] = {{"events", o.events}, {"batch", o.batch}, {"window", o.window}, {"rounds", o.rounds},
                        {"event_bytes", 200}, {"partitions", 6}, {"build_type", FRESHET_BUILD_TYPE}};
  auto raw_json = result_json(raw, 200);
  auto ing_json = result_json(ing, 200);
  std::sort(ratios.begin(), ratios.end());
  double ratio = rate(ing) / rate(raw);
  // Client, producer and broker share this machine's cores: when they are all busy, the throughput
  // ratio cannot exceed the ratio of CPU per event, everything counted (broker included).
  double cpu_share_bound = (per_million(raw.cpu_s, raw.events) + broker_per_event(raw)) /
                           (per_million(ing.cpu_s, ing.events) + broker_per_event(ing));
  ing_json["vs_same_run"] = {{"reference", "kafka_producer_same_run"},
                             {"throughput_ratio", ratio},
                             {"throughput_ratio_rounds", ratios},
                             {"cpu_ratio", per_million(ing.cpu_s, ing.events) / per_million(raw.cpu_s, raw.events)},
                             {"broker_cpu_ratio", broker_per_event(ing) / broker_per_event(raw)},
                             {"cpu_share_bound", cpu_share_bound},
                             {"target", 0.7}};
  if (!o.baseline.empty() && std::filesystem::exists(o.baseline)) {
    auto base = json::parse(std::ifstream{o.baseline});
    const auto& ref = base["results"]["kafka_producer"];
    ing_json["vs_baseline"] = {{"run_id", base["run_id"]},
                               {"reference", "kafka_producer"},
                               {"throughput_ratio", rate(ing) / ref["events_per_s"].get<double>()},
                               {"cpu_ratio", per_million(ing.cpu_s, ing.events) / ref["cpu_s_per_million"].get<double>()}};
  }
  report["results"] = {{"kafka_producer_same_run", raw_json}, {"ingest_grpc", ing_json}, {"json_to_avro", convert}};
  std::filesystem::create_directories(std::filesystem::path{o.out}.parent_path().empty()
                                        ? std::filesystem::path{"."}
                                        : std::filesystem::path{o.out}.parent_path());
  std::ofstream{o.out} << report.dump(2) << "\n";

  fmt::print("{:<26} {:>9} {:>10} {:>8} {:>10} {:>14}\n", "benchmark", "events", "events/s", "spread", "cpu-s/M",
             "cpu-s/M broker");
  for (auto [name, m] : {std::pair{"kafka_producer_same_run", &raw}, std::pair{"ingest_grpc", &ing}})
    fmt::print("{:<26} {:>9} {:>10.0f} {:>7.0f}% {:>10.2f} {:>14.2f}\n", name, m->events, rate(*m),
               100 * m->details.value("spread", 0.0), per_million(m->cpu_s, m->events),
               per_million(m->broker_cpu_s, m->events));
  fmt::print("ingest / raw producer (same run, median round): {:.2f}  (rounds {:.2f} .. {:.2f}; target >= 0.7)\n",
             ratio, ratios.front(), ratios.back());
  fmt::print("CPU per event, broker included: raw {:.2f}, ingest {:.2f} us: ratio bound {:.2f} on shared cores\n",
             per_million(raw.cpu_s, raw.events) + broker_per_event(raw),
             per_million(ing.cpu_s, ing.events) + broker_per_event(ing), cpu_share_bound);
  fmt::print("JSON -> Avro, one core: {:.2f} M events/s (encoder), {:.2f} M events/s (ingest's whole check)\n",
             convert["encoder_events_per_cpu_s"].get<double>() / 1e6,
             convert["ingest_check_events_per_cpu_s"].get<double>() / 1e6);
  fmt::print("load average (1 min): {:.1f} at start, {:.1f} at end, on {} cores; report: {}\n", load_start,
             load_average_1m(), std::thread::hardware_concurrency(), o.out);
  std::filesystem::remove_all(dir);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "freshet-ingest-bench: {}\n", e.what());
  return 1;
}
