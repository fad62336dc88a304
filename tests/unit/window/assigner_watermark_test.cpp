// common/window: window assigners, session overlap lookup, the watermark tracker, byte codecs.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/window/assigners.hpp"
#include "common/window/bytes.hpp"
#include "common/window/watermark_tracker.hpp"

namespace {

using namespace freshet::window;
using freshet::partition_id;

TEST(tumbling_assigner, aligns_to_the_epoch_including_negative_times_and_offsets) {
  tumbling_assigner t(60'000);
  EXPECT_EQ(t.assign(0), (window_bounds{0, 60'000}));
  EXPECT_EQ(t.assign(59'999), (window_bounds{0, 60'000}));
  EXPECT_EQ(t.assign(60'000), (window_bounds{60'000, 120'000}));
  EXPECT_EQ(t.assign(-1), (window_bounds{-60'000, 0}));
  tumbling_assigner shifted(100, 30);
  EXPECT_EQ(shifted.assign(29), (window_bounds{-70, 30}));
  EXPECT_EQ(shifted.assign(30), (window_bounds{30, 130}));
}

TEST(hopping_assigner, gives_every_window_holding_the_time_in_order) {
  for (auto [size, hop] : std::vector<std::pair<int64_t, int64_t>>{{10, 2}, {10, 3}, {10, 10}, {7, 5}, {60, 20}}) {
    hopping_assigner h(size, hop);
    for (int64_t t = -50; t <= 50; ++t) {
      std::vector<window_bounds> got;
      h.assign(t, got);
      std::vector<window_bounds> want; // brute force: every hop boundary in range
      for (int64_t s = floor_div(-200, hop) * hop; s <= 200; s += hop)
        if (s <= t && t < s + size)
          want.push_back({s, s + size});
      EXPECT_EQ(got, want) << "size=" << size << " hop=" << hop << " t=" << t;
      EXPECT_LE(static_cast<int64_t>(got.size()), h.max_windows_per_event());
    }
  }
}

TEST(session_windows, overlapping_finds_exactly_the_touched_sessions) {
  struct s {
    window_bounds bounds;
  };
  std::map<int64_t, s> windows{{0, {{0, 10}}}, {20, {{20, 30}}}, {40, {{40, 55}}}};
  auto starts = [&](window_bounds w) {
    std::vector<int64_t> out;
    for (auto it : overlapping(windows, w))
      out.push_back(it->first);
    return out;
  };
  EXPECT_EQ(starts({10, 20}), std::vector<int64_t>{});       // touching ends do not overlap
  EXPECT_EQ(starts({5, 15}), std::vector<int64_t>{0});
  EXPECT_EQ(starts({9, 21}), (std::vector<int64_t>{0, 20}));
  EXPECT_EQ(starts({-5, 100}), (std::vector<int64_t>{0, 20, 40}));
  EXPECT_EQ(starts({54, 60}), std::vector<int64_t>{40});
  EXPECT_EQ(starts({55, 60}), std::vector<int64_t>{});
  session_assigner a(15);
  EXPECT_EQ(a.proto(100), (window_bounds{100, 115}));
}

TEST(watermark_tracker, is_the_minimum_over_partitions_minus_the_bound) {
  watermark_tracker w(5, 0);
  w.assign(partition_id{0}, 0);
  w.assign(partition_id{1}, 0);
  EXPECT_EQ(w.watermark(), no_watermark);
  w.observe(partition_id{0}, 100, 1);
  EXPECT_EQ(w.watermark(), no_watermark); // partition 1 has said nothing yet
  w.observe(partition_id{1}, 50, 2);
  EXPECT_EQ(w.watermark(), 45);
  w.observe(partition_id{1}, 40, 3); // out of order: max stays 50
  EXPECT_EQ(w.watermark(), 45);
  w.observe(partition_id{1}, 200, 4);
  EXPECT_EQ(w.watermark(), 95);
  EXPECT_EQ(w.partition_watermark(partition_id{1}), 195);
  w.revoke(partition_id{0}, 5);
  EXPECT_EQ(w.watermark(), 195);
}

TEST(watermark_tracker, idle_partitions_stop_holding_it_back_and_it_never_decreases) {
  watermark_tracker w(0, 100);
  w.assign(partition_id{0}, 1'000);
  w.assign(partition_id{1}, 1'000);
  w.observe(partition_id{0}, 500, 1'010);
  EXPECT_EQ(w.watermark(), no_watermark);
  w.advance(1'099);
  EXPECT_FALSE(w.idle(partition_id{1}));
  EXPECT_EQ(w.watermark(), no_watermark);
  w.advance(1'100); // partition 1: 100 ms since assignment
  EXPECT_TRUE(w.idle(partition_id{1}));
  EXPECT_EQ(w.watermark(), 500);
  w.observe(partition_id{1}, 300, 1'101); // wakes up behind: no step back
  EXPECT_FALSE(w.idle(partition_id{1}));
  EXPECT_EQ(w.watermark(), 500);
  w.observe(partition_id{0}, 900, 1'102);
  EXPECT_EQ(w.watermark(), 500); // held by partition 1 (300) again, but never below 500
  w.observe(partition_id{1}, 700, 1'103);
  EXPECT_EQ(w.watermark(), 700);
  // Everything idle: the most advanced partition counts.
  w.advance(5'000);
  EXPECT_EQ(w.watermark(), 900);
  // Processing time going back is ignored.
  w.advance(10);
  EXPECT_TRUE(w.idle(partition_id{0}));
}

TEST(watermark_tracker, encodes_and_decodes_its_state) {
  watermark_tracker w(10, 50);
  w.assign(partition_id{3}, 0);
  w.observe(partition_id{7}, 1'000, 20);
  w.advance(60);
  std::string bytes;
  byte_writer out(bytes);
  w.encode(out);
  watermark_tracker back(10, 50);
  byte_reader in(bytes);
  ASSERT_TRUE(back.decode(in).ok());
  EXPECT_EQ(back.watermark(), w.watermark());
  EXPECT_EQ(back.partitions(), 2u);
  EXPECT_EQ(back.idle(partition_id{3}), w.idle(partition_id{3}));
  back.observe(partition_id{3}, 2'000, 61);
  w.observe(partition_id{3}, 2'000, 61);
  EXPECT_EQ(back.watermark(), w.watermark());
  byte_reader cut(std::string_view(bytes).substr(0, bytes.size() - 1));
  EXPECT_FALSE(back.decode(cut).ok());
}

TEST(bytes, varints_doubles_and_strings_round_trip_and_truncation_is_sticky) {
  std::string b;
  byte_writer w(b);
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, ~uint64_t{0}})
    w.varint(v);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1} << 62, no_watermark, end_of_time})
    w.svarint(v);
  w.f64(-0.125);
  w.bytes("hello");
  byte_reader r(b);
  EXPECT_EQ(r.varint(), 0u);
  EXPECT_EQ(r.varint(), 127u);
  EXPECT_EQ(r.varint(), 128u);
  EXPECT_EQ(r.varint(), ~uint64_t{0});
  EXPECT_EQ(r.svarint(), 0);
  EXPECT_EQ(r.svarint(), -1);
  EXPECT_EQ(r.svarint(), int64_t{1} << 62);
  EXPECT_EQ(r.svarint(), no_watermark);
  EXPECT_EQ(r.svarint(), end_of_time);
  EXPECT_EQ(r.f64(), -0.125);
  EXPECT_EQ(r.bytes(), "hello");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.varint(), 0u); // sticky
  const std::string huge_count("\xff\xff\xff\xff\x0f", 5);
  byte_reader huge(huge_count); // a count far beyond the input
  EXPECT_EQ(huge.count(), 0u);
  EXPECT_FALSE(huge.ok());
  const std::string eleven(11, '\xff');
  byte_reader overlong(eleven);
  overlong.varint();
  EXPECT_FALSE(overlong.ok());
}

TEST(window_bounds, saturating_arithmetic_and_floor_division) {
  EXPECT_EQ(saturating_add(end_of_time, 5), end_of_time);
  EXPECT_EQ(saturating_add(no_watermark, -5), no_watermark);
  EXPECT_EQ(floor_div(-1, 10), -1);
  EXPECT_EQ(floor_div(-10, 10), -1);
  EXPECT_EQ(floor_div(-11, 10), -2);
  EXPECT_EQ(floor_div(19, 10), 1);
}

} // namespace
