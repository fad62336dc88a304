#include "services/registry/kafka_store.hpp"

#include <future>
#include <random>

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"
#include "services/registry/errc.hpp"

namespace freshet::registry {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("registry.store");
  return l;
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(1, left.count()));
}

/// Random pause before a write tries again after losing the writer role to another replica. Taking
/// the role back at once would fence that replica in the middle of its own write (right after a role
/// change a transaction needs up to a second, while the broker finishes the previous one), and two
/// replicas doing so could keep fencing each other; a pause of that order, random so that they
/// desynchronise, lets the other write finish.
void backoff(int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  int low = 100 + 100 * std::min(attempt, 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(low, 3 * low)(rng)));
}

std::string random_suffix() {
  std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

/// Produces one record; the future gets its delivery report.
std::future<kafka::delivery_report> produce_one(kafka::producer& p, kafka::outgoing_record rec, status& st) {
  auto promise = std::make_shared<std::promise<kafka::delivery_report>>();
  auto fut = promise->get_future();
  st = p.produce(rec, [promise](const kafka::delivery_report& r) { promise->set_value(r); });
  if (!st.ok())
    promise->set_value(kafka::delivery_report{false, st.err(), -1, -1});
  return fut;
}

} // namespace

result<std::unique_ptr<kafka_store>> kafka_store::create(options opts, registry_probe* probe) {
  std::unique_ptr<kafka_store> s{new kafka_store};
  s->opts_ = std::move(opts);
  s->probe_ = probe;
  auto marker = kafka::producer::create(kafka::producer_config(s->opts_.bootstrap, "registry-marker-" + s->opts_.instance));
  if (!marker)
    return marker.err();
  s->marker_ = std::move(*marker);
  // A group of its own per start: the view reads every partition from the beginning and commits nothing.
  auto group = "freshet-registry-view." + s->opts_.instance + "." + random_suffix();
  auto consumer = kafka::consumer::create(
    kafka::consumer_config(s->opts_.bootstrap, group, "registry-view-" + s->opts_.instance));
  if (!consumer)
    return consumer.err();
  s->consumer_ = std::move(*consumer);
  FRESHET_TRY(s->consumer_->subscribe({s->opts_.topic}));
  return s;
}

kafka_store::~kafka_store() {
  stop();
}

void kafka_store::start() {
  reader_ = std::thread{[this] { read_loop(); }};
  readiness_ = std::thread{[this] { ready_loop(); }};
}

void kafka_store::stop() {
  if (stopping_.exchange(true))
    return;
  progress_cv_.notify_all();
  if (readiness_.joinable())
    readiness_.join();
  if (reader_.joinable())
    reader_.join();
  if (consumer_)
    consumer_->close();
  writer_.reset();
  marker_.reset();
}

void kafka_store::read_loop() {
  const kafka::topic_partition p0{opts_.topic, 0};
  int64_t reported_conflicts = -1;
  while (!stopping_) {
    auto batch = consumer_->poll_batch(500, 100);
    if (!batch) {
      FRESHET_LOG(warn, logger(), "reading {}: {}", opts_.topic, batch.err().describe());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    int64_t next_p0 = -1;
    int64_t conflicts = 0;
    if (!batch->empty()) {
      std::unique_lock lock{state_mu_};
      for (const auto& rec : *batch) {
        if (rec.partition == 0)
          next_p0 = rec.offset + 1;
        auto decoded = decode(rec.key, rec.tombstone ? std::nullopt : std::optional<std::string>{rec.value});
        if (!decoded) {
          FRESHET_LOG(warn, logger(), "skipping offset {}: {}", rec.offset, decoded.err().message);
          continue;
        }
        state_.apply(*decoded);
      }
      conflicts = state_.conflicts();
    }
    if (next_p0 >= 0) {
      std::lock_guard lock{progress_mu_};
      applied_next_ = std::max(applied_next_, next_p0);
    }
    progress_cv_.notify_all();
    if (probe_) {
      probe_->view_applied(static_cast<int64_t>(batch->size()));
      if (conflicts != reported_conflicts && !batch->empty()) {
        probe_->view_conflicts(conflicts);
        reported_conflicts = conflicts;
      }
      if (auto hw = consumer_->high_watermark(p0); hw >= 0) {
        std::lock_guard lock{progress_mu_};
        probe_->view_lag(std::max<int64_t>(0, hw - applied_next_));
      }
    }
  }
}

void kafka_store::ready_loop() {
  for (int attempt = 1; !stopping_; ++attempt) {
    auto deadline = clock::now() + std::chrono::seconds(10);
    auto offset = append_noop(deadline);
    bool loaded = offset && wait_applied(*offset + 1, deadline);
    if (!loaded && offset && !stopping_) {
      // The NOOP is appended but not readable: a transaction left open by a crashed writer holds
      // read_committed readers back until the broker times it out. Taking the writer role aborts
      // it now (and reads to the end).
      std::lock_guard write_lock{write_mu_};
      loaded = writer_ || acquire_writer(clock::now() + std::chrono::seconds(20)).ok();
    }
    if (loaded) {
      {
        std::lock_guard lock{progress_mu_};
        ready_ = true;
      }
      progress_cv_.notify_all();
      if (probe_)
        probe_->ready(true);
      FRESHET_LOG(info, logger(), "view of {} loaded (attempt {})", opts_.topic, attempt);
      return;
    }
    if (!stopping_)
      FRESHET_LOG(warn, logger(), "view of {} not loaded yet: {}", opts_.topic,
                  offset ? "NOOP not read back in time" : offset.err().describe());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

status kafka_store::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock{progress_mu_};
  if (progress_cv_.wait_for(lock, timeout, [&] { return ready_ || stopping_.load(); }) && ready_)
    return {};
  return make_error(errc::operation_timeout, "the registry is still loading " + opts_.topic);
}

void kafka_store::read(const state_reader& fn) const {
  std::shared_lock lock{state_mu_};
  fn(state_);
}

result<int64_t> kafka_store::append_noop(clock::time_point deadline) {
  auto enc = encode(noop_record{opts_.instance});
  status st;
  kafka::outgoing_record rec;
  rec.topic = opts_.topic;
  rec.partition = 0;
  rec.key = enc.key;
  rec.value = *enc.value;
  auto fut = produce_one(*marker_, std::move(rec), st);
  if (fut.wait_until(deadline) != std::future_status::ready)
    return make_error(errc::operation_timeout, "NOOP to " + opts_.topic + " not acknowledged in time");
  auto report = fut.get();
  if (!report.ok)
    return make_error(errc::store_error, "NOOP to " + opts_.topic + ": " + report.err.describe());
  return report.offset;
}

bool kafka_store::wait_applied(int64_t next_offset, clock::time_point deadline) {
  std::unique_lock lock{progress_mu_};
  return progress_cv_.wait_until(lock, deadline, [&] { return applied_next_ >= next_offset || stopping_.load(); }) &&
         applied_next_ >= next_offset;
}

status kafka_store::acquire_writer(clock::time_point deadline) {
  auto cfg = kafka::merged(kafka::producer_config(opts_.bootstrap, "registry-writer-" + opts_.instance),
                           {{"transactional.id", opts_.transactional_id},
                            {"transaction.timeout.ms", "15000"},
                            {"message.timeout.ms", "10000"}});
  auto producer = kafka::producer::create(cfg);
  if (!producer)
    return producer.err();
  for (;;) {
    auto r = (*producer)->init_transactions(remaining_ms(deadline));
    if (r.ok())
      break;
    if (r.outcome != kafka::txn_outcome::retry || clock::now() >= deadline) {
      (*producer)->discard();
      return make_error(errc::store_error, "cannot take the writer role: " + r.message);
    }
  }
  // Every transaction of an earlier writer is now committed or aborted; read up to here.
  auto offset = append_noop(deadline);
  if (!offset) {
    (*producer)->discard();
    return offset.err();
  }
  if (!wait_applied(*offset + 1, deadline)) {
    (*producer)->discard();
    return make_error(errc::operation_timeout, "the view did not reach the end of " + opts_.topic + " in time");
  }
  writer_ = std::move(*producer);
  if (probe_)
    probe_->writer_acquired();
  FRESHET_LOG(info, logger(), "{} took the writer role of {}", opts_.instance, opts_.topic);
  return {};
}

kafka_store::txn_end kafka_store::append_transaction(const std::vector<store_record>& records,
                                                     clock::time_point deadline, error& why) {
  auto lose_writer = [&](const kafka::txn_result& r) {
    why = make_error(errc::store_error, r.message);
    if (r.outcome == kafka::txn_outcome::fatal) {
      if (r.fenced && probe_)
        probe_->writer_fenced();
      writer_->discard();
      writer_.reset();
      return txn_end::retry;
    }
    if (!writer_->abort_transaction(std::min(remaining_ms(deadline), 5000)).ok()) {
      writer_->discard();
      writer_.reset();
    }
    return txn_end::retry;
  };
  auto r = writer_->begin_transaction();
  if (!r.ok())
    return lose_writer(r);
  std::vector<std::future<kafka::delivery_report>> reports;
  for (const auto& rec : records) {
    auto enc = encode(rec);
    kafka::outgoing_record out{opts_.topic, 0, enc.key, enc.value.value_or(""), {}, 0, !enc.value.has_value()};
    status st;
    reports.push_back(produce_one(*writer_, std::move(out), st));
    if (!st.ok()) {
      why = st.err();
      (void) writer_->abort_transaction(remaining_ms(deadline));
      return txn_end::retry;
    }
  }
  for (int tries = 1;; ++tries) {
    r = writer_->commit_transaction(std::min(remaining_ms(deadline), 5000));
    if (r.ok())
      break;
    if (r.outcome != kafka::txn_outcome::retry)
      return lose_writer(r);
    if (tries < 2 && clock::now() < deadline)
      continue;
    // Still not committed (e.g. a record the broker never acknowledged). Give the role up: taking
    // it again completes or aborts this transaction, the barrier shows which, and the write is
    // planned again on that view (a registration that did land is then found, not repeated).
    writer_->discard();
    writer_.reset();
    why = make_error(errc::operation_timeout, "commit to " + opts_.topic + " not confirmed: " + r.message);
    return txn_end::retry;
  }
  int64_t last = -1;
  for (auto& f : reports) {
    if (f.wait_until(deadline) != std::future_status::ready) {
      why = make_error(errc::operation_timeout, "delivery report of a committed write not received in time");
      return txn_end::failed;
    }
    auto report = f.get();
    if (!report.ok) {
      why = make_error(errc::store_error, "committed write not delivered: " + report.err.describe());
      return txn_end::failed;
    }
    last = std::max(last, report.offset);
  }
  if (!wait_applied(last + 1, deadline)) {
    why = make_error(errc::operation_timeout, "committed write not read back from " + opts_.topic + " in time");
    return txn_end::failed;
  }
  return txn_end::committed;
}

status kafka_store::write(const write_planner& plan) {
  std::lock_guard write_lock{write_mu_};
  auto deadline = clock::now() + opts_.write_timeout;
  error last_error = make_error(errc::operation_timeout, "write to " + opts_.topic + " timed out");
  for (int attempt = 1; clock::now() < deadline && !stopping_; ++attempt) {
    if (!writer_) {
      if (auto st = acquire_writer(deadline); !st.ok()) {
        last_error = st.err();
        FRESHET_LOG(warn, logger(), "write attempt {}: {}", attempt, st.err().describe());
        backoff(attempt);
        continue;
      }
    }
    result<std::vector<store_record>> records = std::vector<store_record>{};
    {
      std::shared_lock lock{state_mu_};
      records = plan(state_);
    }
    if (!records)
      return records.err();
    if (records->empty())
      return {};
    error why;
    switch (append_transaction(*records, deadline, why)) {
      case txn_end::committed:
        return {};
      case txn_end::failed:
        return why;
      case txn_end::retry:
        last_error = why;
        FRESHET_LOG(info, logger(), "write attempt {} not committed, retrying: {}", attempt, why.describe());
        backoff(attempt);
        continue;
    }
  }
  return last_error;
}

} // namespace freshet::registry
