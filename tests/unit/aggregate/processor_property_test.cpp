// services/aggregate: the whole processor against a brute-force oracle, over random out-of-order
// streams on several partitions with late and too-late events, undecodable records, and a stage
// that batches at random, aborts transactions, revokes and re-assigns partitions, crashes (a fresh
// processor on the committed state, sometimes right after a commit and before serving it), and
// loses the serving store for a while.
//
// At the end, for three metrics (tumbling with every aggregation kind, hopping over all streams,
// sessions), the committed rollups topic (highest revision per key) and the serving store must
// both equal the oracle: per group and window, the aggregate of exactly the accepted events (exact
// for count/sum/min/max/avg/top-k here, within the documented bounds for count_distinct and
// quantiles). Every event too late for a metric must be on the late topic exactly once per metric,
// every closed window must have left the state, and the outboxes must be empty.
//
// The oracle is simple: with idle timeouts off, a metric's watermark on a partition is the highest
// event time the partition delivered to it (filtered events included) minus the bound — whatever the
// batching, aborts or crashes, since the state commits atomically with the outputs.
//
// FRESHET_AGGREGATE_SEEDS=n runs n seeds (default 40); FRESHET_AGGREGATE_SEED=s runs only seed s.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "common/serving/rollup_merge.hpp"
#include "tests/unit/aggregate/harness.hpp"

namespace {

using namespace freshet;
using namespace freshet::aggregate::test;

const std::string metrics_yaml = R"(
  - name: by_country
    stream: page_view
    filter: 'kind != "flush"'
    group_by: [country]
    window: {type: tumbling, size: 1s}
    allowed_lateness: 400ms
    out_of_orderness: 150ms
    idle_timeout: 0
    emit: {early_every: 100ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
      - {name: lo, min: amount}
      - {name: hi, max: amount}
      - {name: mean, avg: amount}
      - {name: users, count_distinct: user}
      - {name: amount_q, quantiles: amount, q: [0, 0.5, 0.9, 1], relative_accuracy: 0.01}
      - {name: top_users, top_k: user, k: 3, capacity: 200}
  - name: hopping_all
    stream: '*'
    filter: 'kind != "flush"'
    group_by: [_stream, country]
    window: {type: hopping, size: 1s, hop: 250ms}
    out_of_orderness: 100ms
    idle_timeout: 0
    emit: {early_every: 100ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
  - name: sessions
    stream: page_view
    filter: 'kind != "flush"'
    group_by: [user]
    window: {type: session, gap: 400ms}
    allowed_lateness: 200ms
    out_of_orderness: 100ms
    idle_timeout: 0
    emit: {early_every: 100ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
)";

constexpr int partitions = 3;
constexpr int64_t flush_time = 1'000'000'000;

struct test_event {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string stream;
  int64_t time = 0;
  std::string country, user;
  int64_t amount = 0;
  bool flush = false;
  bool garbage = false;
};

kafka::consumed_record to_record(const test_event& e) {
  if (e.flush)
    return make_event(e.partition, e.offset, e.stream, e.time, R"("kind":"flush")");
  auto r = make_event(e.partition, e.offset, e.stream, e.time,
                 "\"country\":\"" + e.country + "\",\"user\":\"" + e.user + "\",\"amount\":" + std::to_string(e.amount));
  if (e.garbage)
    r.value = "{\"ts\":" + std::to_string(e.time) + ",";
  return r;
}

/// Per partition, in offset order: a few streams, times drifting forward with jitter and some
/// events far behind (late), a few undecodable records, and a flush event at the end of each
/// partition that pushes the watermark past everything (filtered by every metric).
std::vector<std::vector<test_event>> make_stream(std::mt19937_64& rng) {
  std::vector<std::vector<test_event>> parts(partitions);
  std::uniform_int_distribution<int> n_events{40, 140};
  for (int p = 0; p < partitions; ++p) {
    int64_t base = 100'000 + std::uniform_int_distribution<int64_t>{0, 800}(rng);
    int n = n_events(rng);
    for (int i = 0; i < n; ++i) {
      test_event e;
      e.partition = p;
      e.offset = i;
      base += std::uniform_int_distribution<int64_t>{0, 120}(rng);
      double u = std::uniform_real_distribution<double>{0, 1}(rng);
      int64_t jitter = u < 0.15 ? std::uniform_int_distribution<int64_t>{300, 2500}(rng)   // late, maybe too late
                                : std::uniform_int_distribution<int64_t>{0, 200}(rng);    // ordinary disorder
      e.time = base - jitter;
      e.stream = std::uniform_int_distribution<int>{0, 3}(rng) == 0 ? "purchase" : "page_view";
      e.country = std::string{"c"} + std::to_string(std::uniform_int_distribution<int>{0, 3}(rng));
      e.user = std::string{"u"} + std::to_string(std::uniform_int_distribution<int>{0, 11}(rng));
      e.amount = std::uniform_int_distribution<int64_t>{-50, 1000}(rng);
      e.garbage = std::uniform_int_distribution<int>{0, 60}(rng) == 0;
      parts[p].push_back(e);
    }
    for (const char* s : {"page_view", "purchase"}) {
      test_event f;
      f.partition = p;
      f.offset = static_cast<int64_t>(parts[p].size());
      f.stream = s;
      f.time = flush_time;
      f.flush = true;
      parts[p].push_back(f);
    }
  }
  return parts;
}

// --- The oracle ----------------------------------------------------------------------------------

struct window_key {
  std::vector<std::string> dims;
  int64_t start = 0, end = 0;
  auto operator<=>(const window_key&) const = default;
};

struct oracle_metric {
  std::map<window_key, std::vector<const test_event*>> windows;
  uint64_t late_records = 0; ///< events too late for at least one of their windows
};

struct oracle_result {
  oracle_metric by_country, hopping_all, sessions;
};

oracle_result run_oracle(const std::vector<std::vector<test_event>>& parts) {
  oracle_result out;
  struct acc {
    std::vector<const test_event*> accepted;
  };
  std::map<std::string, std::vector<std::pair<int64_t, const test_event*>>> session_events; // user -> (t, e)
  for (const auto& events : parts) {
    int64_t max_page = std::numeric_limits<int64_t>::min(), max_all = std::numeric_limits<int64_t>::min();
    for (const auto& e : events) {
      if (e.garbage)
        continue;
      const bool page = e.stream == "page_view";
      if (page)
        max_page = std::max(max_page, e.time);
      max_all = std::max(max_all, e.time);
      if (e.flush)
        continue;
      if (page) {
        // by_country: tumbling 1 s, lateness 400, bound 150.
        int64_t w = max_page - 150;
        int64_t s = e.time - ((e.time % 1000) + 1000) % 1000;
        if (w >= s + 1000 + 400)
          ++out.by_country.late_records;
        else
          out.by_country.windows[{{e.country}, s, s + 1000}].push_back(&e);
        // sessions: gap 400, lateness 200, bound 100: too late when W >= t + gap + L.
        int64_t ws = max_page - 100;
        if (ws >= e.time + 400 + 200)
          ++out.sessions.late_records;
        else
          session_events[e.user].push_back({e.time, &e});
      }
      // hopping_all: size 1000, hop 250, no lateness, bound 100.
      int64_t wh = max_all - 100;
      bool late = false;
      int64_t last = e.time - ((e.time % 250) + 250) % 250;
      for (int64_t s = last; s > e.time - 1000; s -= 250) {
        if (wh >= s + 1000)
          late = true;
        else
          out.hopping_all.windows[{{e.stream, e.country}, s, s + 1000}].push_back(&e);
      }
      if (late)
        ++out.hopping_all.late_records;
    }
  }
  // Sessions: the union of [t, t + gap) over the accepted events, per user.
  for (auto& [user, list] : session_events) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    window_key cur;
    std::vector<const test_event*> members;
    for (const auto& [t, e] : list) {
      if (!members.empty() && t >= cur.end) {
        out.sessions.windows[cur] = members;
        members.clear();
      }
      if (members.empty())
        cur = {{user}, t, t + 400};
      cur.end = std::max(cur.end, t + 400);
      members.push_back(e);
    }
    if (!members.empty())
      out.sessions.windows[cur] = members;
  }
  return out;
}

// --- Running the processor like the stage would -------------------------------------------------

struct run_report {
  int aborts = 0, crashes = 0, rebalances = 0, unserved_commits = 0;
};

run_report drive(harness& h, const std::vector<std::vector<test_event>>& parts, std::mt19937_64& rng) {
  run_report rep;
  std::vector<kafka::consumed_record> records[partitions];
  for (int p = 0; p < partitions; ++p)
    for (const auto& e : parts[p])
      records[p].push_back(to_record(e));
  int64_t committed[partitions] = {0, 0, 0};
  int64_t position[partitions] = {0, 0, 0};
  for (int p = 0; p < partitions; ++p)
    h.state.assign(p);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>{0, n - 1}(rng); };
  auto rewind = [&] {
    for (int p = 0; p < partitions; ++p)
      position[p] = committed[p];
  };
  auto all_read = [&] {
    for (int p = 0; p < partitions; ++p)
      if (position[p] < static_cast<int64_t>(records[p].size()))
        return false;
    return true;
  };
  int steps = 0;
  while (!all_read() && steps++ < 100'000) {
    // A batch: a random number of records, interleaving the partitions, each in offset order.
    std::vector<kafka::consumed_record> batch;
    int size = 1 + pick(25);
    for (int i = 0; i < size; ++i) {
      int p = pick(partitions);
      if (h.state.generation({input_topic, p}) == 0)
        continue; // not assigned right now
      if (position[p] < static_cast<int64_t>(records[p].size()))
        batch.push_back(records[p][static_cast<size_t>(position[p]++)]);
    }
    h.run(batch);
    h.clock += pick(120);
    int action = pick(100);
    if (action < 45) {
      bool serve = pick(10) != 0;
      h.commit(serve);
      std::copy(position, position + partitions, committed);
      if (!serve) { // the process died between the commit and the Redis write
        ++rep.unserved_commits;
        h.restart();
        for (int p = 0; p < partitions; ++p)
          if (h.state.generation({input_topic, p}) != 0)
            h.state.assign(p);
      }
    } else if (action < 52) {
      ++rep.aborts;
      h.abort();
      rewind();
    } else if (action < 55) {
      ++rep.crashes;
      h.abort(); // nothing open survives
      h.restart();
      for (int p = 0; p < partitions; ++p)
        if (h.state.generation({input_topic, p}) != 0)
          h.state.assign(p);
      rewind();
    } else if (action < 58) {
      ++rep.rebalances;
      // Revocation commits what is open first; the partition comes back later (or right away).
      h.commit();
      std::copy(position, position + partitions, committed);
      int p = pick(partitions);
      if (h.state.generation({input_topic, p}) != 0)
        h.state.revoke(p);
      else
        h.state.assign(p);
    } else if (action < 60) {
      h.sink.fail = !h.sink.fail;
    }
    if (pick(20) == 0)
      for (int p = 0; p < partitions; ++p)
        if (h.state.generation({input_topic, p}) == 0)
          h.state.assign(p);
  }
  // Drain: everything assigned and served, early results of the last changes out, outboxes erased.
  for (int p = 0; p < partitions; ++p)
    if (h.state.generation({input_topic, p}) == 0)
      h.state.assign(p);
  h.sink.fail = false;
  for (int round = 0; round < 4; ++round) {
    h.clock += 10'000;
    h.run({});
    h.commit();
  }
  return rep;
}

// --- Comparing -----------------------------------------------------------------------------------

/// The topic's view: the highest revision per key, minus session bounds a later result replaced.
std::vector<v1::Rollup> latest_per_key(const std::vector<v1::Rollup>& all, const std::string& metric) {
  std::map<std::string, v1::Rollup> best;
  for (const auto& r : all) {
    if (r.metric() != metric)
      continue;
    std::vector<std::string> dims(r.dims().begin(), r.dims().end());
    auto key = serving::rollup_key(metric, dims, {r.window_start_ms(), r.window_end_ms()}, r.source_partition());
    auto it = best.find(key);
    if (it == best.end() || it->second.revision() < r.revision())
      best[key] = r;
  }
  // A later revision's `replaces` supersede bounds for good, whichever record carried them.
  std::map<std::string, uint64_t> replaced; // key of the replaced bounds -> highest replacing revision
  for (const auto& r : all) {
    if (r.metric() != metric)
      continue;
    std::vector<std::string> dims(r.dims().begin(), r.dims().end());
    for (const auto& b : r.replaces()) {
      auto key = serving::rollup_key(metric, dims, {b.start_ms(), b.end_ms()}, r.source_partition());
      replaced[key] = std::max(replaced[key], r.revision());
    }
  }
  std::vector<v1::Rollup> out;
  for (const auto& [key, r] : best) {
    auto it = replaced.find(key);
    if (it == replaced.end() || it->second < r.revision())
      out.push_back(r);
  }
  return out;
}

const v1::AggregateValue& named(const v1::MetricRow& row, const std::string& name) {
  for (const auto& v : row.values())
    if (v.name() == name)
      return v;
  static v1::AggregateValue none;
  ADD_FAILURE() << "no value " << name;
  return none;
}

void expect_matches(const std::string& what, const std::string& metric, const std::vector<v1::Rollup>& parts,
                    const oracle_metric& truth, const config::window_decl& window, size_t dims) {
  serving::merge_request req;
  req.window = window;
  req.dim_count = dims;
  for (size_t i = 0; i < dims; ++i)
    req.keep.push_back(i);
  auto rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok()) << rows.err().message;
  std::map<window_key, const v1::MetricRow*> got;
  for (const auto& r : *rows)
    got[{{r.dims().begin(), r.dims().end()}, r.window_start_ms(), r.window_end_ms()}] = &r;
  EXPECT_EQ(got.size(), truth.windows.size()) << what << " " << metric << ": windows";
  for (const auto& [key, events] : truth.windows) {
    auto it = got.find(key);
    if (it == got.end()) {
      ADD_FAILURE() << what << " " << metric << ": missing window " << key.dims[0] << " [" << key.start << ", "
                    << key.end << ") with " << events.size() << " events";
      continue;
    }
    const auto& row = *it->second;
    EXPECT_TRUE(row.final()) << what << " " << metric << ": not final";
    int64_t n = static_cast<int64_t>(events.size()), sum = 0, lo = INT64_MAX, hi = INT64_MIN;
    std::map<std::string, uint64_t> users;
    std::vector<double> amounts;
    for (const auto* e : events) {
      sum += e->amount;
      lo = std::min(lo, e->amount);
      hi = std::max(hi, e->amount);
      ++users[e->user];
      amounts.push_back(static_cast<double>(e->amount));
    }
    auto ctx = what + " " + metric + " " + key.dims[0] + " [" + std::to_string(key.start) + ", " +
               std::to_string(key.end) + ")";
    EXPECT_EQ(named(row, "n").int_value(), n) << ctx;
    EXPECT_EQ(named(row, "total").int_value(), sum) << ctx;
    if (metric != "by_country")
      continue;
    EXPECT_EQ(named(row, "lo").int_value(), lo) << ctx;
    EXPECT_EQ(named(row, "hi").int_value(), hi) << ctx;
    EXPECT_NEAR(named(row, "mean").real_value(), static_cast<double>(sum) / static_cast<double>(n), 1e-9) << ctx;
    auto distinct = static_cast<double>(users.size());
    EXPECT_NEAR(static_cast<double>(named(row, "users").int_value()), distinct, std::max(1.0, 0.05 * distinct)) << ctx;
    std::sort(amounts.begin(), amounts.end());
    for (const auto& q : named(row, "amount_q").quantiles().values()) {
      double exact = amounts[static_cast<size_t>(std::floor(q.q() * static_cast<double>(amounts.size() - 1)))];
      EXPECT_NEAR(q.value(), exact, 0.01 * std::fabs(exact) + 1e-9) << ctx << " q=" << q.q();
    }
    const auto& top = named(row, "top_users").top_k().entries();
    EXPECT_EQ(static_cast<size_t>(top.size()), std::min<size_t>(3, users.size())) << ctx;
    uint64_t weakest = UINT64_MAX;
    for (const auto& t : top) {
      EXPECT_EQ(t.count(), users[t.item()]) << ctx << " top item " << t.item();
      EXPECT_EQ(t.error(), 0u) << ctx;
      weakest = std::min(weakest, t.count());
    }
    for (const auto& [u, c] : users) {
      if (std::none_of(top.begin(), top.end(), [&](const auto& t) { return t.item() == u; })) {
        EXPECT_LE(c, weakest) << ctx << " " << u << " should be in the top 3";
      }
    }
  }
}

uint64_t late_records_of(const harness& h, const std::string& metric) {
  auto it = h.topics.find("events.late");
  if (it == h.topics.end())
    return 0;
  auto header = [](const kafka::outgoing_record& r, const std::string& name) {
    for (const auto& hd : r.headers)
      if (hd.key == name)
        return hd.value;
    return std::string{};
  };
  std::set<std::string> seen;
  for (const auto& r : it->second)
    if (header(r, "freshet.metric") == metric) {
      EXPECT_TRUE(seen.insert(header(r, "freshet.source_partition") + "/" + header(r, "freshet.source_offset")).second)
        << metric << ": an event on the late topic twice";
    }
  return seen.size();
}

/// Totals over the seeds, to check the run really went through what it claims to.
run_report totals;
uint64_t total_late = 0, total_windows = 0;

void run_seed(uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " (FRESHET_AGGREGATE_SEED=" + std::to_string(seed) + ")");
  std::mt19937_64 rng{seed};
  auto parts = make_stream(rng);
  auto truth = run_oracle(parts);
  harness h{metrics_yaml};
  auto rep = drive(h, parts, rng);
  totals.aborts += rep.aborts;
  totals.crashes += rep.crashes;
  totals.rebalances += rep.rebalances;
  totals.unserved_commits += rep.unserved_commits;
  total_late += truth.by_country.late_records + truth.hopping_all.late_records + truth.sessions.late_records;
  total_windows += truth.by_country.windows.size() + truth.hopping_all.windows.size() + truth.sessions.windows.size();

  config::window_decl tumbling{config::window_type::tumbling, 1000, 0, 0, 0};
  config::window_decl hopping{config::window_type::hopping, 1000, 250, 0, 0};
  config::window_decl session{config::window_type::session, 0, 0, 400, 0};
  auto topic = h.committed_rollups();
  expect_matches("topic", "by_country", latest_per_key(topic, "by_country"), truth.by_country, tumbling, 1);
  expect_matches("topic", "hopping_all", latest_per_key(topic, "hopping_all"), truth.hopping_all, hopping, 2);
  expect_matches("topic", "sessions", latest_per_key(topic, "sessions"), truth.sessions, session, 1);
  expect_matches("served", "by_country", h.sink.of("by_country"), truth.by_country, tumbling, 1);
  expect_matches("served", "hopping_all", h.sink.of("hopping_all"), truth.hopping_all, hopping, 2);
  expect_matches("served", "sessions", h.sink.of("sessions"), truth.sessions, session, 1);

  EXPECT_EQ(late_records_of(h, "by_country"), truth.by_country.late_records);
  EXPECT_EQ(late_records_of(h, "hopping_all"), truth.hopping_all.late_records);
  EXPECT_EQ(late_records_of(h, "sessions"), truth.sessions.late_records);

  size_t garbage = 0;
  for (const auto& p : parts)
    garbage += static_cast<size_t>(std::count_if(p.begin(), p.end(), [](const auto& e) { return e.garbage; }));
  EXPECT_EQ(h.topics["events.dlq"].size(), garbage);

  for (int p = 0; p < partitions; ++p) {
    EXPECT_EQ(h.state.count(p, aggregate::outbox_prefix), 0u) << "outbox of partition " << p;
    for (const char* m : {"by_country", "hopping_all", "sessions"})
      EXPECT_EQ(h.state.count(p, std::string{m} + '\x1f'), 1u) << m << " on partition " << p
                                                               << ": only the meta record is left";
  }
}

} // namespace

TEST(processor_property, matches_the_oracle_through_aborts_crashes_rebalances_and_outages) {
  if (const char* one = std::getenv("FRESHET_AGGREGATE_SEED")) {
    run_seed(std::strtoull(one, nullptr, 10));
    return;
  }
  int seeds = 40;
  if (const char* n = std::getenv("FRESHET_AGGREGATE_SEEDS"))
    seeds = std::atoi(n);
  for (int s = 1; s <= seeds && !HasFailure(); ++s)
    run_seed(static_cast<uint64_t>(s) * 7919);
  std::printf("%d seeds: %d aborts, %d crashes, %d rebalances, %d crashes between commit and serving, "
              "%llu windows, %llu late records\n",
              seeds, totals.aborts, totals.crashes, totals.rebalances, totals.unserved_commits,
              static_cast<unsigned long long>(total_windows), static_cast<unsigned long long>(total_late));
  if (seeds >= 20) {
    EXPECT_GT(totals.aborts, 0);
    EXPECT_GT(totals.crashes, 0);
    EXPECT_GT(totals.rebalances, 0);
    EXPECT_GT(totals.unserved_commits, 0);
    EXPECT_GT(total_late, 0u);
  }
}
