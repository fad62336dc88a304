// Confluent's own Python client (PyPI confluent-kafka: SchemaRegistryClient, AvroSerializer,
// AvroDeserializer) against freshet-registry, with records going through a real Kafka topic.
// The checks live in confluent_client_check.py; this test runs it and requires exit code 0.
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/integration/registry/registry_process.hpp"
#include "tests/support/stack.hpp"

namespace freshet::testing {
namespace {

std::string venv_python() {
  const char* cache = std::getenv("FRESHET_CACHE");
  const char* home = std::getenv("HOME");
  return (cache ? std::string{cache} : std::string{home ? home : "/root"} + "/.cache/freshet") + "/venv/bin/python";
}

/// Runs a command; its exit status and everything it printed.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p)
    return {-1, "popen failed"};
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  int rc = ::pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

TEST(registry_client, confluents_python_client_registers_evolves_is_rejected_and_round_trips_records) {
  registry_process r{"python-client", registry_spec("_schemas.python")};
  auto script = std::string{FRESHET_SOURCE_DIR} + "/tests/integration/registry/confluent_client_check.py";
  auto [rc, out] = run(venv_python() + " " + script + " --url " + r.url() + " --bootstrap " + stack::bootstrap() +
                       " --topic clicks");
  ASSERT_EQ(rc, 0) << out;
  auto seen = nlohmann::json::parse(out.substr(out.rfind('{')), nullptr, false);
  ASSERT_TRUE(seen.is_object()) << out;
  // What the Python client saw is what the registry serves to anyone else.
  EXPECT_EQ(r.call("GET", "/subjects/clicks-value/versions/1").json()["id"], seen["id1"]);
  EXPECT_EQ(r.call("GET", "/subjects/clicks-value/versions/2").json()["id"], seen["id2"]);
  EXPECT_EQ(r.call("GET", "/subjects").json(), nlohmann::json::array({"clicks-value"}));
  EXPECT_EQ(r.stop(), 0);
}

} // namespace
} // namespace freshet::testing
