#include "services/quality-gate/readmit.hpp"

#include <charconv>
#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "common/base/clock.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/logger.hpp"

namespace freshet::quality_gate {

namespace {

error readmit_error(std::string msg) {
  return make_error(error_domain::internal, static_cast<int>(readmit_errc::failed), "readmit: " + std::move(msg), true);
}

error cancelled_error() {
  return make_error(error_domain::internal, static_cast<int>(readmit_errc::cancelled), "readmit: cancelled");
}

bool listed(const std::string* csv, const std::string& name) {
  if (!csv)
    return false;
  size_t start = 0;
  while (start <= csv->size()) {
    auto comma = csv->find(',', start);
    auto end = comma == std::string::npos ? csv->size() : comma;
    if (std::string_view{*csv}.substr(start, end - start) == name)
      return true;
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return false;
}

int readmit_count_of(const kafka::consumed_record& r) {
  const auto* h = r.find_header(gate_headers::readmit_count);
  int n = 0;
  if (h)
    (void) std::from_chars(h->data(), h->data() + h->size(), n);
  return n;
}

/// One readmit run: owns its consumer, its transactional producer and the open transaction.
class readmit_job {
 public:
  readmit_job(const readmit_config& cfg, const readmit_request& req, const gate& g, const std::function<bool()>& cancelled,
              quality_probe* probe)
      : cfg_(cfg), req_(req), gate_(g), cancelled_(cancelled), probe_(probe), logger_(log::get("quality-gate.readmit")) {}

  ~readmit_job() {
    if (in_txn_)
      (void) producer_->abort_transaction(cfg_.transaction_timeout_ms);
    if (consumer_)
      consumer_->close();
  }

  result<readmit_counts> run() {
    FRESHET_TRY(start());
    FRESHET_TRY(snapshot_ends());
    auto last_progress = mono_ns();
    while (!all_done()) {
      if (cancelled_())
        return fail(cancelled_error());
      std::vector<kafka::consumed_record> batch;
      if (!buffered_.empty()) {
        batch.swap(buffered_);
      } else {
        auto polled = consumer_->poll_batch(1000, 100);
        if (!polled)
          return fail(polled.err());
        batch = std::move(*polled);
      }
      bool progressed = false;
      for (const auto& r : batch) {
        if (!take(r))
          continue;
        progressed = true;
        FRESHET_TRY(handle(r));
        if (pending_records_ >= cfg_.max_txn_records)
          FRESHET_TRY(commit());
      }
      if (progressed)
        last_progress = mono_ns();
      else if (mono_ns() - last_progress > static_cast<int64_t>(cfg_.idle_ms) * 1000000)
        break; // what is left below the end offsets is transaction markers or aborted records
    }
    FRESHET_TRY(commit());
    FRESHET_LOG(info, logger_, "readmit done: scanned={} readmitted={} still_failing={} skipped={}{}", total_.scanned,
                total_.readmitted, total_.still_failing, total_.skipped, req_.dry_run ? " (dry run)" : "");
    return total_;
  }

 private:
  status start() {
    auto bootstrap = cfg_.consumer.count("bootstrap.servers") ? cfg_.consumer.at("bootstrap.servers") : "";
    auto parts = kafka::partition_count(bootstrap, cfg_.quarantine_topic);
    if (!parts)
      return parts.err();
    partitions_ = *parts;
    if (!req_.dry_run) {
      auto p = kafka::producer::create(cfg_.producer);
      if (!p)
        return p.err();
      producer_ = std::move(*p);
      // Fences a readmit still running elsewhere under the same transactional id and aborts its
      // open transaction, before this job reads the cursor.
      auto r = producer_->init_transactions(cfg_.transaction_timeout_ms * 3);
      if (!r.ok())
        return readmit_error("cannot start transactions: " + r.message);
    }
    auto c = kafka::consumer::create(cfg_.consumer);
    if (!c)
      return c.err();
    consumer_ = std::move(*c);
    FRESHET_TRY(consumer_->subscribe({cfg_.quarantine_topic}));
    return {};
  }

  /// Joins the group with every quarantine partition and fixes the end offsets before anything is
  /// produced, so nothing this job appends can fall inside its own range.
  status snapshot_ends() {
    auto deadline = mono_ns() + static_cast<int64_t>(cfg_.assign_timeout_ms) * 1000000;
    while (true) {
      if (cancelled_())
        return cancelled_error();
      auto polled = consumer_->poll_batch(1000, 100);
      if (!polled)
        return polled.err();
      for (auto& r : *polled)
        buffered_.push_back(std::move(r));
      auto assigned = consumer_->assignment();
      if (static_cast<int32_t>(assigned.size()) == partitions_) {
        bool known = true;
        for (const auto& tp : assigned) {
          auto hw = consumer_->high_watermark(tp);
          if (hw < 0)
            known = false;
          else
            end_[tp.partition] = hw;
        }
        if (known)
          break;
        end_.clear();
      }
      if (mono_ns() > deadline)
        return readmit_error("the readmit group did not get all " + std::to_string(partitions_) + " partitions of " +
                             cfg_.quarantine_topic + " in time (is another readmit running?)");
    }
    for (const auto& [p, end] : end_)
      FRESHET_LOG(debug, logger_, "partition {} end offset {}", p, end);
    return {};
  }

  [[nodiscard]] bool all_done() const {
    return static_cast<int32_t>(done_.size()) == partitions_;
  }

  /// Whether the record lies inside this call's range (and marks partitions that reached the end).
  bool take(const kafka::consumed_record& r) {
    if (done_.count(r.partition))
      return false;
    auto it = end_.find(r.partition);
    if (it == end_.end() || r.offset >= it->second) {
      done_.insert(r.partition);
      return false;
    }
    if (r.offset + 1 >= it->second)
      done_.insert(r.partition);
    return true;
  }

  status handle(const kafka::consumed_record& r) {
    ++pending_.scanned;
    ++pending_records_;
    positions_[r.partition] = r.offset + 1;
    kafka::outgoing_record out;
    if (!readmit_matches(r, req_)) {
      ++pending_.skipped;
      out = kafka::forward(r, gate_.topics().quarantine);
    } else {
      auto v = gate_.judge(r);
      if (v.retry)
        return *v.retry;
      if (v.to == verdict::route::valid) {
        ++pending_.readmitted;
        out = gate_.to_valid(r, v, r.topic + "/" + std::to_string(r.partition) + "/" + std::to_string(r.offset));
      } else {
        ++pending_.still_failing;
        for (const auto& f : v.failed)
          ++pending_.still_failing_by_expectation[f.spec->name];
        if (v.failed.empty())
          for (const auto& code : v.reasons)
            ++pending_.still_failing_by_expectation[code];
        out = gate_.to_quarantine(r, v, readmit_count_of(r) + 1);
      }
    }
    if (req_.dry_run)
      return {};
    return produce(std::move(out));
  }

  status produce(kafka::outgoing_record out) {
    if (!in_txn_) {
      auto r = producer_->begin_transaction();
      if (!r.ok())
        return readmit_error("begin transaction: " + r.message);
      in_txn_ = true;
      failures_ = std::make_shared<std::atomic<int>>(0);
    }
    auto failures = failures_;
    for (int attempt = 0;; ++attempt) {
      auto st = producer_->produce(out, [failures](const kafka::delivery_report& d) {
        if (!d.ok)
          ++*failures;
      });
      if (st.ok())
        return {};
      if (!st.err().retriable || attempt > 600)
        return fail(st.err());
      (void) producer_->flush(100); // local queue full: let it drain
    }
  }

  /// Commits the open transaction: outputs and the cursor's offsets together.
  status commit() {
    if (req_.dry_run) {
      account();
      return {};
    }
    if (positions_.empty())
      return {};
    if (!in_txn_) {
      auto r = producer_->begin_transaction();
      if (!r.ok())
        return readmit_error("begin transaction: " + r.message);
      in_txn_ = true;
    }
    if (*failures_ > 0)
      return fail(readmit_error("a record could not be delivered"));
    std::vector<kafka::partition_offset> offsets;
    for (const auto& [p, next] : positions_)
      offsets.push_back({{cfg_.quarantine_topic, p}, next});
    for (int attempt = 0;; ++attempt) {
      auto r = producer_->send_offsets_to_transaction(offsets, *consumer_, cfg_.transaction_timeout_ms);
      if (r.ok())
        break;
      if (r.outcome != kafka::txn_outcome::retry || attempt >= 10)
        return fail(readmit_error("send offsets: " + r.message));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (int attempt = 0;; ++attempt) {
      auto r = producer_->commit_transaction(cfg_.transaction_timeout_ms);
      if (r.ok())
        break;
      if (r.outcome != kafka::txn_outcome::retry || attempt >= 10)
        return fail(readmit_error("commit: " + r.message));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    in_txn_ = false;
    positions_.clear();
    account();
    return {};
  }

  void account() {
    if (probe_) {
      probe_->readmit("readmitted", static_cast<double>(pending_.readmitted));
      probe_->readmit("still_failing", static_cast<double>(pending_.still_failing));
      probe_->readmit("skipped", static_cast<double>(pending_.skipped));
    }
    total_.add(pending_);
    pending_ = {};
    pending_records_ = 0;
  }

  /// Aborts the open transaction (its outputs and offsets vanish) and reports what was committed.
  error fail(error why) {
    if (in_txn_) {
      auto r = producer_->abort_transaction(cfg_.transaction_timeout_ms);
      if (!r.ok())
        FRESHET_LOG(warn, logger_, "abort: {}", r.message);
      in_txn_ = false;
    }
    why.message += " (committed before the failure: readmitted=" + std::to_string(total_.readmitted) +
                   " still_failing=" + std::to_string(total_.still_failing) +
                   " skipped=" + std::to_string(total_.skipped) + ")";
    FRESHET_LOG(warn, logger_, "{}", why.message);
    return why;
  }

  const readmit_config& cfg_;
  const readmit_request& req_;
  const gate& gate_;
  const std::function<bool()>& cancelled_;
  quality_probe* probe_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<kafka::producer> producer_;
  std::unique_ptr<kafka::consumer> consumer_;
  int32_t partitions_ = 0;
  std::map<int32_t, int64_t> end_;
  std::set<int32_t> done_;
  std::map<int32_t, int64_t> positions_;
  std::vector<kafka::consumed_record> buffered_;
  bool in_txn_ = false;
  std::shared_ptr<std::atomic<int>> failures_ = std::make_shared<std::atomic<int>>(0);
  readmit_counts pending_;
  size_t pending_records_ = 0;
  readmit_counts total_;
};

} // namespace

void readmit_counts::add(const readmit_counts& o) {
  scanned += o.scanned;
  readmitted += o.readmitted;
  still_failing += o.still_failing;
  skipped += o.skipped;
  for (const auto& [k, v] : o.still_failing_by_expectation)
    still_failing_by_expectation[k] += v;
}

bool readmit_matches(const kafka::consumed_record& q, const readmit_request& req) {
  if (!req.stream.empty()) {
    const auto* s = q.find_header(kafka::headers::stream);
    if (!s || *s != req.stream)
      return false;
  }
  if (!req.expectation.empty())
    return listed(q.find_header(gate_headers::failed_expectations), req.expectation) ||
           listed(q.find_header(kafka::headers::reason), req.expectation);
  return true;
}

result<readmit_counts> run_readmit(const readmit_config& cfg, const readmit_request& req, const gate& g,
                                   const std::function<bool()>& cancelled, quality_probe* probe) {
  readmit_job job{cfg, req, g, cancelled, probe};
  auto out = job.run();
  if (probe)
    probe->readmit_call(out.ok());
  return out;
}

} // namespace freshet::quality_gate
