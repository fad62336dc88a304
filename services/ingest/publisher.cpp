#include "services/ingest/publisher.hpp"

#include <bit>
#include <functional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"
#include "services/ingest/reasons.hpp"

namespace freshet::ingest {

namespace {

/// One publisher: its own payload checker (encoders keep scratch buffers) and reusable records,
/// so that a steady stream of events costs no allocations of ours beyond the result strings.
struct publisher_state {
  publisher_deps deps;
  std::unique_ptr<payload_checker> checker;
  uint64_t catalog_generation = 0;
  kafka::outgoing_record raw;
  kafka::outgoing_record dlq;
  checked_event checked;
  rejection why;
  std::vector<uint32_t> first_by_id;    ///< open-addressing table of client ids: 1 + index of the first event with the id, 0 = free
  std::vector<bool> duplicate;          ///< per event: its client id repeats an earlier one
  std::unordered_set<std::string> payload_ids; ///< ids taken from payloads in this batch
  std::shared_ptr<spdlog::logger> logger = log::get("ingest.publisher");
  static inline const char* name = "freshet.ingest.publisher";
};

using publisher_pointer = publisher_actor::stateful_pointer<publisher_state>;

/// Where Kafka's answer about one accepted event goes. A batch's targets are one array that the job
/// keeps alive (`publish_job::attach`), so producing an event allocates no callback. Everything
/// pointed to outlives the producer's last delivery report.
struct accept_delivery final : kafka::delivery_target {
  publish_job* job = nullptr;
  kafka_health* health = nullptr;
  uint32_t index = 0;
};

/// Runs on the producer's poll thread, once per event: kept to plain stores and a coarse clock (the
/// batch's latency is observed once, when it completes). The job (and this target with it) may be
/// freed by the resolution, so everything is read first.
void on_accept_delivery(kafka::delivery_target& target, const kafka::delivery_report& r) {
  const auto& d = static_cast<const accept_delivery&>(target);
  auto* j = d.job;
  auto* health = d.health;
  auto index = d.index;
  if (r.ok) {
    health->delivered(now_ms_coarse());
    j->accepted(index, r.partition, r.offset);
  } else {
    health->failed(now_ms());
    j->retry(index, reasons::kafka_unavailable, r.err.message);
  }
}

/// Sends the original bytes to the dead-letter topic; the event counts as rejected only once Kafka
/// has the dead letter, otherwise the client is told to retry.
void dead_letter(publisher_state& st, const std::shared_ptr<publish_job>& job, size_t index, const rejection& why) {
  const auto& ev = job->events()[index];
  const auto& event_id = job->event_id(index);
  auto& rec = st.dlq;
  rec.key = event_id;
  rec.value = ev.payload;
  rec.timestamp_ms = job->received_at_ms();
  rec.headers.clear();
  rec.headers.push_back({kafka::headers::reason, why.reason});
  rec.headers.push_back({kafka::headers::message, why.message});
  rec.headers.push_back({kafka::headers::stage, "ingest"});
  rec.headers.push_back({kafka::headers::stream, job->stream()});
  rec.headers.push_back({kafka::headers::event_id, event_id});
  rec.headers.push_back({kafka::headers::received_at, std::to_string(job->received_at_ms())});
  rec.headers.push_back({kafka::headers::ingest_ts, std::to_string(job->received_at_ms())});
  if (why.schema_id >= 0)
    rec.headers.push_back({kafka::headers::schema_id, std::to_string(why.schema_id)});
  rec.headers.push_back({payload_format_header, ev.format == v1::PAYLOAD_FORMAT_AVRO ? "avro" : "json"});
  auto* j = job.get();
  auto status = st.deps.producer->produce(rec, [j, index, reason = why.reason, message = why.message](
                                                 const kafka::delivery_report& r) {
    if (r.ok)
      j->rejected(index, reason, message);
    else
      j->retry(index, reasons::dlq_unavailable, "the dead letter (" + reason + ") was not acknowledged: " + r.err.message);
  });
  if (!status.ok())
    job->retry(index, reasons::backpressure, status.err().message);
}

void accept(publisher_state& st, const std::shared_ptr<publish_job>& job, size_t index, accept_delivery& target) {
  auto& rec = st.raw;
  rec.key.swap(st.checked.key);
  rec.value.swap(st.checked.value);
  rec.timestamp_ms = st.checked.event_time_ms;
  rec.headers[1].value = job->event_id(index);
  target.on_delivery = on_accept_delivery;
  target.job = job.get();
  target.health = st.deps.health;
  target.index = static_cast<uint32_t>(index);
  st.deps.health->produced();
  auto status = st.deps.producer->produce(rec, target);
  if (!status.ok()) {
    st.deps.health->failed(now_ms());
    job->retry(index, reasons::backpressure, status.err().message);
  }
}

/// The slot of `id` in `st.first_by_id`: the one holding its first event, or the free one where it belongs.
uint32_t& id_slot(publisher_state& st, const std::vector<incoming_event>& events, std::string_view id) {
  auto mask = st.first_by_id.size() - 1;
  for (auto h = std::hash<std::string_view>{}(id) & mask;; h = (h + 1) & mask) {
    auto& slot = st.first_by_id[h];
    if (slot == 0 || events[slot - 1].event_id == id)
      return slot;
  }
}

/// Marks, for each event of the batch, whether its id (client-supplied) repeats an earlier one,
/// through a hash table of first occurrences sized for the batch (at most half full): one hash per
/// id and a string comparison only on a match, where sorting the ids took about nine.
void find_duplicate_ids(publisher_state& st, const std::shared_ptr<publish_job>& job) {
  const auto& events = job->events();
  st.first_by_id.assign(std::bit_ceil(2 * events.size() + 1), 0);
  st.duplicate.assign(events.size(), false);
  for (uint32_t i = 0; i < events.size(); ++i) {
    if (events[i].event_id.empty())
      continue;
    auto& slot = id_slot(st, events, events[i].event_id);
    if (slot == 0)
      slot = i + 1;
    else
      st.duplicate[i] = true; // the first occurrence stays the original
  }
}

enum class id_verdict { ok, too_long, duplicate };

/// Sets the event's id: the client's, else the payload's, else a fresh one. Says whether the id is
/// unusable or repeats one already seen in this batch (client ids are checked for repeats up
/// front; ids from payloads, rarer, through a small set).
id_verdict choose_event_id(publisher_state& st, const std::shared_ptr<publish_job>& job, size_t index, bool checked_ok) {
  const auto& ev = job->events()[index];
  if (!ev.event_id.empty()) {
    job->set_event_id(index, ev.event_id);
    if (ev.event_id.size() > st.deps.limits.max_event_id_bytes)
      return id_verdict::too_long;
    if (!st.payload_ids.empty() && st.payload_ids.count(ev.event_id))
      return id_verdict::duplicate;
    return st.duplicate[index] ? id_verdict::duplicate : id_verdict::ok;
  }
  if (checked_ok && !st.checked.payload_event_id.empty()) {
    const auto& id = st.checked.payload_event_id;
    job->set_event_id(index, id);
    if (id.size() > st.deps.limits.max_event_id_bytes)
      return id_verdict::too_long;
    auto first = id_slot(st, job->events(), id);
    bool after_client_id = first != 0 && first - 1 < index;
    return st.payload_ids.insert(id).second && !after_client_id ? id_verdict::ok : id_verdict::duplicate;
  }
  job->set_event_id(index, generate_event_id());
  return id_verdict::ok;
}

void handle(publisher_state& st, const std::shared_ptr<publish_job>& job) {
  if (auto gen = st.deps.catalogs->generation(); gen != st.catalog_generation) {
    st.catalog_generation = gen;
    st.checker->set_catalog(st.deps.catalogs->get());
  }
  st.deps.probe->queue_depth(st.deps.producer->queue_length());
  st.raw.headers[0].value = job->stream();
  st.raw.headers[2].value = std::to_string(job->received_at_ms());
  st.payload_ids.clear();
  find_duplicate_ids(st, job);
  auto targets = std::make_shared<accept_delivery[]>(job->events().size());
  job->attach(targets);
  job->hold();
  job->keep_alive(job);
  for (size_t i = 0; i < job->events().size(); ++i) {
    const auto& ev = job->events()[i];
    auto format = ev.format == v1::PAYLOAD_FORMAT_AVRO ? payload_format::avro : payload_format::json;
    bool ok = st.checker->check(job->stream(), ev.payload, format, job->received_at_ms(), st.checked, st.why);
    auto id = choose_event_id(st, job, i, ok);
    if (id == id_verdict::too_long) {
      st.why = {reasons::bad_event_id,
                "event_id is " + std::to_string(job->event_id(i).size()) + " bytes; the limit is " +
                  std::to_string(st.deps.limits.max_event_id_bytes),
                ok ? st.checked.schema_id : st.why.schema_id, false};
      ok = false;
    } else if (ok && id == id_verdict::duplicate) {
      st.why = {reasons::duplicate_event_id, "event id '" + job->event_id(i) + "' appears earlier in this batch",
                st.checked.schema_id, false};
      ok = false;
    }
    if (ok)
      accept(st, job, i, targets[i]);
    else if (st.why.retry)
      job->retry(i, st.why.reason, st.why.message);
    else
      dead_letter(st, job, i, st.why);
  }
  job->release();
}

publisher_actor::behavior_type publisher_behavior(publisher_pointer self, publisher_deps deps) {
  auto& st = self->state;
  st.deps = std::move(deps);
  st.catalog_generation = st.deps.catalogs->generation();
  st.checker = std::make_unique<payload_checker>(*st.deps.spec, st.deps.catalogs->get(), st.deps.registry,
                                                 st.deps.limits);
  st.raw.topic = st.deps.spec->topic_name("raw");
  // No schema id header: every raw value is Confluent-framed, so its schema id is in bytes 1-4 (where
  // every consumer reads it). Each header costs an allocation to produce, a cross-thread free after
  // delivery and its bytes in every batch; the gate still names the id when it quarantines.
  st.raw.headers = {{kafka::headers::stream, ""}, {kafka::headers::event_id, ""}, {kafka::headers::ingest_ts, ""}};
  st.dlq.topic = st.deps.spec->topic_name("dlq");
  return {
    [self](publish_atom, std::shared_ptr<publish_job> job) { handle(self->state, job); },
  };
}

} // namespace

publisher_actor spawn_publisher(caf::actor_system& sys, publisher_deps deps) {
  // Detached: each publisher has a thread of its own that sleeps while its mailbox is empty, rather
  // than sharing the scheduler's workers, which poll when idle. A publisher is busy in bursts (one
  // batch, then nothing until the next) and never blocks on Kafka, so a dedicated thread is cheaper.
  return sys.spawn<caf::detached>(publisher_behavior, std::move(deps));
}

} // namespace freshet::ingest
