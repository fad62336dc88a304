// common/base: UTC formatting, errors as values, FRESHET_TRY and the strong id types.
#include <string>
#include <unordered_set>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"

namespace {

using freshet::error;
using freshet::error_domain;
using freshet::format_utc_ms;
using freshet::make_error;
using freshet::result;
using freshet::status;

TEST(format_utc_ms, epoch_and_small_offsets) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(format_utc_ms(999), "1970-01-01T00:00:00.999Z");
  EXPECT_EQ(format_utc_ms(1000), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(format_utc_ms(86'400'000), "1970-01-02T00:00:00.000Z");
}

TEST(format_utc_ms, known_dates_including_leap_days) {
  EXPECT_EQ(format_utc_ms(1'764'053'045'123), "2025-11-25T06:44:05.123Z");
  EXPECT_EQ(format_utc_ms(1'709'208'000'000), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(format_utc_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
}

TEST(format_utc_ms, negative_timestamps_borrow_from_the_second) {
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(-999), "1969-12-31T23:59:59.001Z");
  EXPECT_EQ(format_utc_ms(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(format_utc_ms(-1001), "1969-12-31T23:59:58.999Z");
  EXPECT_EQ(format_utc_ms(-86'400'000), "1969-12-31T00:00:00.000Z");
}

TEST(clock, now_ms_is_a_current_epoch_time_and_mono_ns_never_goes_back) {
  EXPECT_GT(freshet::now_ms(), 1'700'000'000'000); // after Nov 2023
  EXPECT_EQ(format_utc_ms(freshet::now_ms()).size(), 24u);
  int64_t last = freshet::mono_ns();
  for (int i = 0; i < 1000; ++i) {
    int64_t t = freshet::mono_ns();
    ASSERT_GE(t, last);
    last = t;
  }
}

TEST(error, describe_names_domain_code_and_message) {
  auto e = make_error(error_domain::kafka, 7, "boom", true);
  EXPECT_EQ(e.describe(), "kafka error 7: boom");
  EXPECT_TRUE(e.retriable);
  EXPECT_FALSE(make_error(error_domain::redis, 1, "x").retriable);
}

TEST(error, every_domain_has_a_name) {
  EXPECT_STREQ(to_string(error_domain::config), "config");
  EXPECT_STREQ(to_string(error_domain::kafka), "kafka");
  EXPECT_STREQ(to_string(error_domain::redis), "redis");
  EXPECT_STREQ(to_string(error_domain::http), "http");
  EXPECT_STREQ(to_string(error_domain::grpc), "grpc");
  EXPECT_STREQ(to_string(error_domain::io), "io");
  EXPECT_STREQ(to_string(error_domain::decode), "decode");
  EXPECT_STREQ(to_string(error_domain::internal), "internal");
}

TEST(result, holds_a_value) {
  result<std::string> r{std::string{"hello"}};
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r->size(), 5u);
  r.value() += "!";
  EXPECT_EQ(r.value(), "hello!");
  std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "hello!");
}

TEST(result, holds_an_error) {
  result<int> r{make_error(error_domain::io, 2, "no such file")};
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.err().domain, error_domain::io);
  EXPECT_EQ(r.err().code, 2);
  EXPECT_EQ(r.err().message, "no such file");
}

TEST(status, default_is_ok_and_an_error_is_not) {
  status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  status bad{make_error(error_domain::http, 404, "gone")};
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.err().code, 404);
  EXPECT_EQ(bad.err().describe(), "http error 404: gone");
}

status fail_if(bool fail) {
  if (fail)
    return make_error(error_domain::internal, 9, "asked to fail");
  return {};
}

result<int> half(int n) {
  if (n % 2 != 0)
    return make_error(error_domain::decode, 3, "odd");
  return n / 2;
}

int steps_run = 0;

status two_steps(bool fail_first, int n) {
  steps_run = 0;
  FRESHET_TRY(fail_if(fail_first));
  ++steps_run;
  FRESHET_TRY(half(n));
  ++steps_run;
  return {};
}

result<int> quarter(int n) {
  FRESHET_TRY(half(n));
  return *half(n) / 2;
}

TEST(freshet_try, returns_the_first_error_and_stops) {
  auto s = two_steps(true, 4);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, 9);
  EXPECT_EQ(steps_run, 0);

  s = two_steps(false, 3);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.err().domain, error_domain::decode);
  EXPECT_EQ(steps_run, 1);

  EXPECT_TRUE(two_steps(false, 4).ok());
  EXPECT_EQ(steps_run, 2);
}

TEST(freshet_try, works_in_functions_returning_a_result) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "odd");
}

TEST(strong_types, compare_and_hash_by_value) {
  freshet::kafka_offset a{5}, b{7};
  EXPECT_LT(a, b);
  EXPECT_EQ(a, freshet::kafka_offset{5});
  EXPECT_NE(a, b);
  EXPECT_EQ(freshet::partition_id{}.value(), 0);
  std::unordered_set<freshet::partition_id> parts{freshet::partition_id{1}, freshet::partition_id{1},
                                                  freshet::partition_id{2}};
  EXPECT_EQ(parts.size(), 2u);
  static_assert(!std::is_convertible_v<freshet::partition_id, freshet::kafka_offset>);
  static_assert(!std::is_convertible_v<int64_t, freshet::kafka_offset>);
}

} // namespace
