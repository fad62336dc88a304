// ingest's publish_job (completion exactly once, counts, concurrent resolution) and generate_event_id.
#include <atomic>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "services/ingest/publish_job.hpp"

namespace {

using freshet::ingest::generate_event_id;
using freshet::ingest::incoming_event;
using freshet::ingest::publish_job;
namespace v1 = freshet::v1;

std::vector<incoming_event> events(size_t n) {
  std::vector<incoming_event> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i].payload = "{\"i\":" + std::to_string(i) + "}";
  return out;
}

v1::EventResult result_of(v1::EventStatus st, const std::string& reason = "") {
  v1::EventResult r;
  r.set_status(st);
  r.set_reason_code(reason);
  r.set_index(9999); // the job sets the real index
  return r;
}

/// Captures every completion.
struct completions {
  std::mutex mtx;
  std::vector<v1::PublishResponse> seen;
  publish_job::completion fn() {
    return [this](v1::PublishResponse r) {
      std::lock_guard g{mtx};
      seen.push_back(std::move(r));
    };
  }
};

TEST(publish_job, completes_once_when_the_last_event_resolves) {
  completions done;
  publish_job job{"page_view", events(3), done.fn()};
  EXPECT_EQ(job.stream(), "page_view");
  EXPECT_EQ(job.events().size(), 3u);
  job.resolve(2, result_of(v1::EVENT_STATUS_ACCEPTED));
  job.resolve(0, result_of(v1::EVENT_STATUS_REJECTED, "malformed_json"));
  EXPECT_TRUE(done.seen.empty());
  job.resolve(1, result_of(v1::EVENT_STATUS_ACCEPTED));
  ASSERT_EQ(done.seen.size(), 1u);
  const auto& resp = done.seen[0];
  EXPECT_EQ(resp.accepted(), 2u);
  EXPECT_EQ(resp.rejected(), 1u);
  ASSERT_EQ(resp.results_size(), 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(resp.results(i).index(), static_cast<uint32_t>(i));
  EXPECT_EQ(resp.results(0).status(), v1::EVENT_STATUS_REJECTED);
  EXPECT_EQ(resp.results(0).reason_code(), "malformed_json");
  EXPECT_EQ(resp.results(1).status(), v1::EVENT_STATUS_ACCEPTED);
  EXPECT_EQ(resp.results(2).status(), v1::EVENT_STATUS_ACCEPTED);
}

TEST(publish_job, retry_results_count_as_neither_accepted_nor_rejected) {
  completions done;
  publish_job job{"s", events(2), done.fn()};
  job.resolve(0, result_of(v1::EVENT_STATUS_RETRY, "queue_full"));
  job.resolve(1, result_of(v1::EVENT_STATUS_ACCEPTED));
  ASSERT_EQ(done.seen.size(), 1u);
  EXPECT_EQ(done.seen[0].accepted(), 1u);
  EXPECT_EQ(done.seen[0].rejected(), 0u);
  EXPECT_EQ(done.seen[0].results(0).status(), v1::EVENT_STATUS_RETRY);
  EXPECT_EQ(done.seen[0].results(0).reason_code(), "queue_full");
}

TEST(publish_job, an_empty_batch_completes_at_once) {
  completions done;
  publish_job job{"s", {}, done.fn()};
  ASSERT_EQ(done.seen.size(), 1u);
  EXPECT_EQ(done.seen[0].results_size(), 0);
  EXPECT_EQ(done.seen[0].accepted(), 0u);
}

TEST(publish_job, stamps_the_receipt_time) {
  auto before = freshet::now_ms();
  publish_job job{"s", events(1), [](v1::PublishResponse) {}};
  EXPECT_GE(job.received_at_ms(), before);
  EXPECT_LE(job.received_at_ms(), freshet::now_ms());
}

TEST(publish_job, concurrent_resolution_completes_exactly_once_with_every_result) {
  constexpr size_t n = 4000;
  constexpr int threads = 8;
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> calls{0};
    std::optional<v1::PublishResponse> got;
    auto job = std::make_shared<publish_job>("s", events(n), [&](v1::PublishResponse r) {
      calls.fetch_add(1);
      got = std::move(r);
    });
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        while (!go.load())
          std::this_thread::yield();
        for (size_t i = static_cast<size_t>(t); i < n; i += threads)
          job->resolve(i, result_of(i % 3 == 0 ? v1::EVENT_STATUS_REJECTED : v1::EVENT_STATUS_ACCEPTED,
                                    std::to_string(i)));
      });
    go = true;
    for (auto& th : pool)
      th.join();
    ASSERT_EQ(calls.load(), 1) << "round " << round;
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->rejected(), (n + 2) / 3);
    EXPECT_EQ(got->accepted(), n - (n + 2) / 3);
    ASSERT_EQ(got->results_size(), static_cast<int>(n));
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(got->results(static_cast<int>(i)).index(), i);
      ASSERT_EQ(got->results(static_cast<int>(i)).reason_code(), std::to_string(i));
    }
  }
}

TEST(generate_event_id, is_a_version_4_uuid) {
  const std::regex v4{"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  std::set<char> variants;
  for (int i = 0; i < 2000; ++i) {
    auto id = generate_event_id();
    ASSERT_EQ(id.size(), 36u) << id;
    ASSERT_TRUE(std::regex_match(id, v4)) << id;
    variants.insert(id[19]);
  }
  EXPECT_EQ(variants.size(), 4u); // 8, 9, a and b all occur: the variant bits are not over-masked
}

TEST(generate_event_id, ids_are_unique_across_threads) {
  constexpr int threads = 4, per_thread = 25000;
  std::vector<std::vector<std::string>> made(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        made[t].push_back(generate_event_id());
    });
  for (auto& th : pool)
    th.join();
  std::set<std::string> all;
  for (auto& v : made)
    all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(threads * per_thread));
}

TEST(generate_event_id, every_hex_position_varies) {
  // A field formatted from the wrong bits (say a constant 0) would show up as a fixed column.
  std::vector<std::set<char>> columns(36);
  for (int i = 0; i < 500; ++i) {
    auto id = generate_event_id();
    for (size_t c = 0; c < id.size(); ++c)
      columns[c].insert(id[c]);
  }
  for (size_t c = 0; c < 36; ++c) {
    if (c == 8 || c == 13 || c == 18 || c == 23 || c == 14)
      EXPECT_EQ(columns[c].size(), 1u) << "column " << c; // dashes and the version digit
    else
      EXPECT_GT(columns[c].size(), 3u) << "column " << c;
  }
}

} // namespace
