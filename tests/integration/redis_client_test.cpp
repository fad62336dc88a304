// redis::client against a real Redis: replies, pipelining, binary safety, errors, reconnects.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/redis/client.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
using freshet::redis::client;
using freshet::redis::reply;

namespace {

class redis_client_test : public ::testing::Test {
 protected:
  client redis{fs::stack::redis_address()};
  void SetUp() override { ASSERT_TRUE(redis.command({"FLUSHALL"}).ok()); }
};

TEST_F(redis_client_test, reply_kinds) {
  auto set = redis.command({"SET", "k", "v"});
  ASSERT_TRUE(set.ok()) << set.err().describe();
  EXPECT_EQ(set->type, reply::kind::status);
  EXPECT_EQ(set->str, "OK");

  auto get = redis.command({"GET", "k"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->type, reply::kind::string);
  EXPECT_EQ(get->str, "v");

  auto missing = redis.command({"GET", "nope"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->type, reply::kind::nil);

  auto incr = redis.command({"INCRBY", "n", "41"});
  ASSERT_TRUE(incr.ok());
  EXPECT_EQ(incr->type, reply::kind::integer);
  EXPECT_EQ(incr->integer, 41);
  EXPECT_EQ(redis.command({"INCR", "n"})->integer, 42);

  ASSERT_TRUE(redis.command({"RPUSH", "list", "a", "b", "c"}).ok());
  auto range = redis.command({"LRANGE", "list", "0", "-1"});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->type, reply::kind::array);
  ASSERT_EQ(range->elements.size(), 3u);
  EXPECT_EQ(range->elements[0].str, "a");
  EXPECT_EQ(range->elements[2].str, "c");

  auto empty = redis.command({"LRANGE", "nolist", "0", "-1"});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->type, reply::kind::array);
  EXPECT_TRUE(empty->elements.empty());
}

TEST_F(redis_client_test, nested_arrays_are_decoded) {
  ASSERT_TRUE(redis.command({"ZADD", "z", "1", "one", "2", "two"}).ok());
  auto scan = redis.command({"ZSCAN", "z", "0"});
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->elements.size(), 2u); // cursor, [member, score, ...]
  EXPECT_EQ(scan->elements[0].str, "0");
  ASSERT_EQ(scan->elements[1].type, reply::kind::array);
  EXPECT_EQ(scan->elements[1].elements.size(), 4u);
}

TEST_F(redis_client_test, values_and_keys_are_binary_safe) {
  const std::string key{"key with spaces\0and nul", 23};
  const char raw[] = "\0\r\n$3\r\n\xff\xfe end";
  const std::string value{raw, sizeof raw - 1};
  ASSERT_EQ(value.size(), 13u);
  ASSERT_TRUE(redis.command({"SET", key, value}).ok());
  auto got = redis.command({"GET", key});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, value);
  EXPECT_EQ(redis.command({"STRLEN", key})->integer, 13);
  EXPECT_EQ(redis.command({"GET", "key with spaces"})->type, reply::kind::nil);

  ASSERT_TRUE(redis.command({"SET", "empty", ""}).ok());
  auto e = redis.command({"GET", "empty"});
  EXPECT_EQ(e->type, reply::kind::string);
  EXPECT_EQ(e->str, "");

  std::string big(3 << 20, 'b');
  big[12345] = '\0';
  ASSERT_TRUE(redis.command({"SET", "big", big}).ok());
  EXPECT_EQ(redis.command({"GET", "big"})->str, big);
}

TEST_F(redis_client_test, pipeline_returns_replies_in_order) {
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 200; ++i)
    cmds.push_back({"INCR", "counter"});
  cmds.push_back({"GET", "counter"});
  auto replies = redis.pipeline(cmds);
  ASSERT_TRUE(replies.ok()) << replies.err().describe();
  ASSERT_EQ(replies->size(), 201u);
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ((*replies)[i].integer, i + 1);
  EXPECT_EQ(replies->back().str, "200");
}

TEST_F(redis_client_test, error_reply_becomes_an_error) {
  ASSERT_TRUE(redis.command({"SET", "text", "abc"}).ok());
  auto r = redis.command({"INCR", "text"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().domain, freshet::error_domain::redis);
  EXPECT_FALSE(r.err().retriable);
  EXPECT_NE(r.err().message.find("ERR"), std::string::npos) << r.err().message;

  auto unknown = redis.command({"NOSUCHCOMMAND", "x"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_FALSE(unknown.err().retriable);

  auto wrongtype = redis.command({"LPUSH", "text", "x"});
  ASSERT_FALSE(wrongtype.ok());
  EXPECT_NE(wrongtype.err().message.find("WRONGTYPE"), std::string::npos);
}

TEST_F(redis_client_test, an_error_inside_a_pipeline_fails_it_and_keeps_the_connection_in_step) {
  ASSERT_TRUE(redis.command({"SET", "text", "abc"}).ok());
  auto r = redis.pipeline({{"SET", "a", "1"}, {"INCR", "text"}, {"SET", "b", "2"}, {"GET", "a"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().domain, freshet::error_domain::redis);
  // Every reply of the failed pipeline was consumed: the next answers belong to the next commands.
  EXPECT_EQ(redis.command({"GET", "b"})->str, "2");
  EXPECT_EQ(redis.command({"GET", "a"})->str, "1");
  EXPECT_EQ(redis.command({"PING"})->str, "PONG");
}

TEST(redis_client, unreachable_server_is_a_retriable_error) {
  client c{"127.0.0.1:" + std::to_string(fs::free_ports(1)[0]), 500};
  auto r = c.command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().domain, freshet::error_domain::redis);
  EXPECT_TRUE(r.err().retriable);
}

TEST(redis_client, malformed_address_is_a_permanent_error) {
  client c{"no-port-here"};
  auto r = c.command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.err().retriable);
  EXPECT_EQ(c.address(), "no-port-here");
}

// Each restart leaves Redis running again (empty), so test order does not matter.
class redis_restart : public ::testing::TestWithParam<bool> {};

TEST_P(redis_restart, the_client_reconnects_after_the_server_restarts) {
  client c{fs::stack::redis_address()};
  ASSERT_EQ(c.command({"PING"})->str, "PONG");
  ASSERT_TRUE(c.command({"SET", "before", "1"}).ok());
  fs::stack::restart_redis(/*crash=*/GetParam());
  // The old connection is dead; one command must still succeed by reconnecting once.
  auto r = c.command({"PING"});
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_EQ(r->str, "PONG");
  EXPECT_EQ(c.command({"GET", "before"})->type, reply::kind::nil); // no persistence
  auto p = c.pipeline({{"SET", "after", "2"}, {"GET", "after"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)[1].str, "2");
}

INSTANTIATE_TEST_SUITE_P(clean_and_crash, redis_restart, ::testing::Values(false, true));

} // namespace
