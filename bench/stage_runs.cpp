#include "bench/stage_runs.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>
#include <prometheus/registry.h>

#include "bench/stage_events.hpp"
#include "common/kafka/admin.hpp"
#include "common/state/kv_store.hpp"
#include "common/stream/stage.hpp"

namespace freshet::bench::stage {

namespace {

using namespace std::chrono_literals;

int64_t ns_since(clk::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now() - t).count();
}

// ------------------------------------------------------------------------------------------------
// (a) The raw loop

/// The cycle of the at-least-once stage on bare librdkafka: poll a batch (same limits as the stage),
/// produce every record unchanged (key, value, headers, timestamp), flush until all are
/// acknowledged, then commitSync the batch's offsets. No transactions, no wrappers, no CAF.
class raw_loop final : public running_pipeline {
 public:
  raw_loop(const options& o, const pipeline_setup& spec, progress& prog)
      : o_(o), spec_(spec), prog_(prog) {
    auto conf = rdkafka_conf(kafka::consumer_config(o.bootstrap, spec.group, spec.group));
    std::string err;
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_)
      throw std::runtime_error("cannot create consumer: " + err);
    producer_ = make_producer(o, spec.group);
    known_ = learn_topic(*producer_->handle, spec.outputs.out);
    if (auto code = consumer_->subscribe({spec.input}); code != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("subscribe: " + RdKafka::err2str(code));
    thread_ = std::thread{[this] {
      try {
        run();
      } catch (const std::exception& e) {
        std::lock_guard lock{mtx_};
        error_ = e.what();
      }
    }};
  }

  ~raw_loop() override { stop(); }

  void stop() override {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    if (consumer_ && !closed_)
      consumer_->close();
    closed_ = true;
  }

  json details() const override {
    std::lock_guard lock{mtx_};
    return {{"pipeline", "raw librdkafka loop: consume (max_batch, poll timeout as the stage) -> produce "
                         "unchanged -> flush -> commitSync; no transactions"},
            {"max_batch", o_.max_batch},
            {"poll_timeout_ms", poll_timeout_ms_},
            {"phase_s", {{"poll", poll_s_}, {"produce", produce_s_}, {"flush", flush_s_}, {"commit", commit_s_}}}};
  }

  std::string error() const override {
    std::lock_guard lock{mtx_};
    return error_;
  }

 private:
  void run() {
    std::vector<std::unique_ptr<RdKafka::Message>> batch;
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    while (!stop_) {
      batch.clear();
      next.clear();
      auto t0 = clk::now();
      int wait = poll_timeout_ms_;
      while (batch.size() < o_.max_batch) {
        std::unique_ptr<RdKafka::Message> m{consumer_->consume(wait)};
        wait = 0; // as poll_batch: after the first record, only what is already fetched
        if (m->err() == RdKafka::ERR_NO_ERROR) {
          batch.push_back(std::move(m));
          continue;
        }
        if (m->err() == RdKafka::ERR__FATAL)
          throw std::runtime_error("consume: " + m->errstr());
        if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF)
          fmt::print(stderr, "raw loop: {}\n", m->errstr());
        break;
      }
      auto t1 = clk::now();
      if (batch.empty())
        continue;
      if (prog_.batches == 0 && prog_.on_first_batch)
        prog_.on_first_batch();
      double poll_s = prog_.batches == 0 ? 0.0 : seconds_between(t0, t1); // at first: waiting, not relaying
      for (const auto& m : batch) {
        produce(*m);
        auto& n = next[{m->topic_name(), m->partition()}];
        n = std::max(n, m->offset() + 1);
      }
      auto t2 = clk::now();
      if (auto code = producer_->handle->flush(60000); code != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("flush: " + RdKafka::err2str(code));
      if (producer_->reports.failed > 0)
        throw std::runtime_error("delivery failed: " + producer_->reports.last_error);
      auto t3 = clk::now();
      std::vector<RdKafka::TopicPartition*> offsets;
      for (const auto& [tp, offset] : next)
        offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, offset));
      auto code = consumer_->commitSync(offsets);
      RdKafka::TopicPartition::destroy(offsets);
      if (code != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("commit: " + RdKafka::err2str(code));
      auto t4 = clk::now();
      std::lock_guard lock{mtx_};
      poll_s_ += poll_s;
      produce_s_ += seconds_between(t1, t2);
      flush_s_ += seconds_between(t2, t3);
      commit_s_ += seconds_between(t3, t4);
      prog_.batches += 1;
      prog_.records += static_cast<int64_t>(batch.size());
    }
  }

  void produce(RdKafka::Message& m) {
    const auto& out = spec_.outputs.out;
    while (true) {
      std::unique_ptr<RdKafka::Headers> hdrs;
      if (auto* in = m.headers())
        hdrs.reset(RdKafka::Headers::create(in->get_all()));
      auto code = producer_->handle->produce(out, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                             m.payload(), m.len(), m.key_pointer(), m.key_len(),
                                             m.timestamp().timestamp, hdrs.get(), nullptr);
      if (code == RdKafka::ERR_NO_ERROR) {
        (void) hdrs.release(); // librdkafka owns them now
        return;
      }
      if (code != RdKafka::ERR__QUEUE_FULL)
        throw std::runtime_error("produce: " + RdKafka::err2str(code));
      producer_->handle->poll(5);
    }
  }

  const options& o_;
  pipeline_setup spec_;
  progress& prog_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<raw_producer> producer_;
  std::unique_ptr<RdKafka::Topic> known_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mtx_; // error_ and the phase times, which details() reads while the loop runs
  std::string error_;
  const int poll_timeout_ms_ = stream::stage_config{}.poll_timeout_ms; // the stage's, which services keep
  bool closed_ = false;
  double poll_s_ = 0, produce_s_ = 0, flush_s_ = 0, commit_s_ = 0;
};

// ------------------------------------------------------------------------------------------------
// (b), (c) The stage runtime

/// Sum of a counter family's series, or of a histogram's count and sum.
struct metric_totals {
  double counter = 0;
  double count = 0;
  double sum = 0;
};

metric_totals totals(prometheus::Registry& reg, const std::string& name) {
  metric_totals t;
  for (const auto& family : reg.Collect()) {
    if (family.name != name)
      continue;
    for (const auto& m : family.metric) {
      t.counter += m.counter.value;
      t.count += static_cast<double>(m.histogram.sample_count);
      t.sum += m.histogram.sample_sum;
    }
  }
  return t;
}

/// spawn_stage with the settings services get from common/service/stage_wiring.cpp: the services'
/// consumer and producer configs, static membership, transactional id `<group>-<instance>`,
/// `stage.commit_interval_ms`, `stage.max_batch` and `stage.max_txn_records`.
class stage_pipeline final : public running_pipeline {
 public:
  stage_pipeline(caf::actor_system& sys, const options& o, const pipeline_setup& spec, progress& prog)
      : sys_(sys), registry_(std::make_shared<prometheus::Registry>()), error_(std::make_shared<fatal_note>()) {
    proc_ = make_processor(o, spec.stage, spec.outputs, *registry_);
    const std::string instance = "bench-0";
    auto client_id = "stage-bench-" + spec.stage + "-" + instance;
    stream::stage_config cfg;
    cfg.name = "stage-bench-" + spec.stage;
    cfg.inputs = {spec.input};
    cfg.delivery = spec.how == mode::exactly_once ? stream::delivery_mode::exactly_once
                                                  : stream::delivery_mode::at_least_once;
    cfg.consumer = kafka::consumer_config(o.bootstrap, spec.group, client_id);
    cfg.consumer["group.instance.id"] = spec.group + "-" + instance;
    cfg.producer = kafka::producer_config(o.bootstrap, client_id);
    cfg.transactional_id = spec.group + "-" + instance;
    cfg.commit_interval_ms = o.commit_interval_ms;
    cfg.max_batch = o.max_batch;
    cfg.max_txn_records = o.max_txn_records;
    cfg.on_fatal = [note = error_](const std::string& why) {
      std::lock_guard lock{note->mtx};
      note->why = why;
    };
    poll_timeout_ms_ = cfg.poll_timeout_ms;
    transaction_timeout_ms_ = cfg.transaction_timeout_ms;
    auto before = [&prog] {
      if (prog.batches == 0 && prog.on_first_batch)
        prog.on_first_batch();
      return clk::now();
    };
    auto after = [&prog](clk::time_point t0, size_t records) {
      prog.process_ns += ns_since(t0);
      prog.batches += 1;
      prog.records += static_cast<int64_t>(records);
    };
    if (!proc_.stateful) {
      auto counted = [inner = proc_.fn, before, after](const std::vector<kafka::consumed_record>& batch) {
        auto t0 = before();
        auto out = inner(batch);
        after(t0, batch.size());
        return out;
      };
      actor_ = take(stream::spawn_stage(sys, std::move(cfg), counted, *registry_), "spawn stage");
      return;
    }
    // As common/service/stage_wiring.cpp's wire_stateful_stage: a compacted changelog with as many
    // partitions as the input, and a RocksDB cache in a folder of the instance's own.
    if (spec.how != mode::exactly_once)
      throw std::runtime_error("stage " + spec.stage + " keeps state, which needs exactly-once delivery");
    cfg.changelog_topic = spec.group + "-changelog";
    check(kafka::create_topics(o.bootstrap, {{"changelog", cfg.changelog_topic, o.partitions, "compact", -1}}),
          "create the changelog topic");
    state_dir_ = std::filesystem::path{state_root()} / spec.group;
    cfg.open_store = [dir = state_dir_.string()]() { return state::open_rocksdb({dir}); };
    auto counted = [inner = proc_.stateful, before, after](const std::vector<kafka::consumed_record>& batch,
                                                           stream::stage_state& state) {
      auto t0 = before();
      auto out = inner(batch, state);
      after(t0, batch.size());
      return out;
    };
    actor_ = take(stream::spawn_stage(sys, std::move(cfg), counted, *registry_), "spawn stage");
  }

  ~stage_pipeline() override { stop(); }

  void stop() override {
    if (stopped_)
      return;
    stopped_ = true;
    caf::scoped_actor self{sys_};
    self->monitor(actor_);
    stream::stop_stage(sys_, actor_, 15000);
    // The stage's probe refers to our registry: wait until the actor (and its state) is gone.
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(std::chrono::seconds(30)) >> [] {});
    if (!down)
      fmt::print(stderr, "[stage-bench] WARNING: a stage did not terminate within 30 s\n");
    else if (!state_dir_.empty())
      std::filesystem::remove_all(state_dir_); // the store closed with the actor
  }

  json details() const override {
    auto commits = totals(*registry_, "freshet_stage_commit_seconds");
    return {{"pipeline", "common/stream stage runtime (spawn_stage), detached actor"},
            {"processor", proc_.description},
            {"poll_timeout_ms", poll_timeout_ms_},
            {"transaction_timeout_ms", transaction_timeout_ms_},
            {"commits", totals(*registry_, "freshet_stage_commits_total").counter},
            {"commit_s", commits.sum},
            {"aborts", totals(*registry_, "freshet_stage_aborts_total").counter},
            {"batch_retries", totals(*registry_, "freshet_stage_batch_retries_total").counter},
            {"records_out", totals(*registry_, "freshet_stage_records_out_total").counter},
            {"stateful", static_cast<bool>(proc_.stateful)},
            {"state_restored_records", totals(*registry_, "freshet_stage_state_restored_records_total").counter},
            {"state_restore_s", totals(*registry_, "freshet_stage_state_restore_seconds").sum}};
  }

  std::string error() const override {
    std::lock_guard lock{error_->mtx};
    return error_->why;
  }

 private:
  struct fatal_note {
    std::mutex mtx;
    std::string why;
  };

  caf::actor_system& sys_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<fatal_note> error_;
  processor proc_;
  stream::stage_actor actor_;
  std::filesystem::path state_dir_; ///< stateful stages: the RocksDB folder, removed on stop
  int poll_timeout_ms_ = 0;
  int transaction_timeout_ms_ = 0;
  bool stopped_ = false;
};

} // namespace

const char* to_string(mode m) {
  switch (m) {
    case mode::raw:
      return "raw";
    case mode::at_least_once:
      return "at_least_once";
    case mode::exactly_once:
      return "exactly_once";
  }
  return "?";
}

std::unique_ptr<running_pipeline> start_pipeline(caf::actor_system& sys, const options& o, const pipeline_setup& spec,
                                                 progress& prog) {
  if (spec.how == mode::raw)
    return std::make_unique<raw_loop>(o, spec, prog);
  return std::make_unique<stage_pipeline>(sys, o, spec, prog);
}

// ------------------------------------------------------------------------------------------------
// Watching

struct commit_watcher::impl {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::vector<RdKafka::TopicPartition*> parts;
  ~impl() {
    RdKafka::TopicPartition::destroy(parts);
    if (consumer)
      consumer->close();
  }
};

commit_watcher::commit_watcher(const options& o, const std::string& group, const std::string& topic, int partitions)
    : impl_(std::make_unique<impl>()) {
  // Never subscribes, so it does not join the group; it only reads the group's offsets.
  auto cfg = kafka::consumer_config(o.bootstrap, group, group + "-watcher");
  cfg["isolation.level"] = "read_uncommitted";
  auto conf = rdkafka_conf(cfg);
  std::string err;
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!impl_->consumer)
    throw std::runtime_error("cannot create watcher: " + err);
  for (int p = 0; p < partitions; ++p)
    impl_->parts.push_back(RdKafka::TopicPartition::create(topic, p));
  (void) committed_total(); // finds the group coordinator now, not at the end of the clock
}

commit_watcher::~commit_watcher() = default;

int64_t commit_watcher::committed_total() {
  if (auto code = impl_->consumer->committed(impl_->parts, 10000); code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("committed offsets: " + RdKafka::err2str(code));
  int64_t total = 0;
  for (auto* tp : impl_->parts)
    total += std::max<int64_t>(0, tp->offset());
  return total;
}

void wait_until_served(const options& o, const std::vector<std::pair<std::string, int>>& topics) {
  auto p = make_producer(o, "stage-bench-ready");
  auto deadline = clk::now() + 120s;
  for (const auto& [topic, partitions] : topics) {
    for (int part = 0; part < partitions; ++part) {
      int64_t low = 0, high = 0;
      while (true) {
        auto code = p->handle->query_watermark_offsets(topic, part, &low, &high, 5000);
        if (code == RdKafka::ERR_NO_ERROR)
          break;
        if (clk::now() > deadline)
          throw std::runtime_error(fmt::format("{}[{}] not served after 120 s: {}", topic, part, RdKafka::err2str(code)));
        std::this_thread::sleep_for(50ms);
      }
    }
  }
}

int64_t end_offsets_total(const options& o, const std::string& topic, int partitions) {
  auto p = make_producer(o, "stage-bench-offsets");
  int64_t total = 0;
  for (int part = 0; part < partitions; ++part) {
    int64_t low = 0, high = 0;
    if (auto code = p->handle->query_watermark_offsets(topic, part, &low, &high, 10000); code != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("end offsets of " + topic + ": " + RdKafka::err2str(code));
    total += high;
  }
  return total;
}

} // namespace freshet::bench::stage
