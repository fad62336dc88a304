// config::settings: defaults < YAML file < FRESHET_* environment < flags; only declared keys.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config/settings.hpp"
#include "tests/support/files.hpp"

namespace {

using freshet::config::settings;
using defaults_t = std::map<std::string, std::string>;

/// Sets environment variables for one test and removes them (and FRESHET_CONFIG) afterwards.
class env_guard {
 public:
  env_guard() { unsetenv("FRESHET_CONFIG"); }
  ~env_guard() {
    for (const auto& n : names_)
      unsetenv(n.c_str());
    unsetenv("FRESHET_CONFIG");
  }
  void set(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    names_.push_back(name);
  }

 private:
  std::vector<std::string> names_;
};

freshet::result<settings> load(const defaults_t& defaults, std::vector<std::string> args) {
  args.insert(args.begin(), "freshet-test");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return settings::load(defaults, static_cast<int>(args.size()), argv.data());
}

class settings_test : public ::testing::Test {
 protected:
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("freshet-settings-" + std::to_string(::getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                      .string();
  env_guard env;
  const defaults_t defaults{{"a.one", "d1"}, {"a.two", "d2"}, {"a.three", "d3"}, {"a.four", "d4"},
                            {"kafka.bootstrap", "localhost:9092"}};

  std::string yaml(const std::string& text) { return freshet::testing::write_file(dir + "/cfg.yaml", text); }
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(settings_test, defaults_are_used_when_nothing_overrides_them) {
  auto s = load(defaults, {});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->all(), defaults);
  EXPECT_EQ(s->get("a.one"), "d1");
}

TEST_F(settings_test, each_layer_overrides_the_one_below) {
  auto file = yaml("a:\n  two: f2\n  three: f3\n  four: f4\n");
  env.set("FRESHET_A_THREE", "e3");
  env.set("FRESHET_A_FOUR", "e4");
  auto s = load(defaults, {"--config=" + file, "--a.four=flag4"});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("a.one"), "d1");
  EXPECT_EQ(s->get("a.two"), "f2");
  EXPECT_EQ(s->get("a.three"), "e3");
  EXPECT_EQ(s->get("a.four"), "flag4");
}

TEST_F(settings_test, flag_order_on_the_command_line_does_not_change_precedence) {
  auto file = yaml("a:\n  one: from-file\n");
  // The flag comes before --config, yet still beats the file.
  auto s = load(defaults, {"--a.one=from-flag", "--config", file});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("a.one"), "from-flag");
}

TEST_F(settings_test, config_file_can_come_from_the_environment) {
  auto file = yaml("kafka.bootstrap: broker:1\n");
  env.set("FRESHET_CONFIG", file);
  auto s = load(defaults, {});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("kafka.bootstrap"), "broker:1");
}

TEST_F(settings_test, yaml_maps_flatten_to_dotted_keys_and_lists_join_with_commas) {
  const defaults_t d{{"kafka.bootstrap", ""}, {"kafka.topics", ""}, {"x.y.z", ""}};
  auto file = yaml("kafka:\n  bootstrap: b:9092\n  topics: [t1, t2, t3]\nx:\n  y:\n    z: 42\n");
  auto s = load(d, {"--config=" + file});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("kafka.bootstrap"), "b:9092");
  EXPECT_EQ(s->get("kafka.topics"), "t1,t2,t3");
  EXPECT_EQ(s->get_int("x.y.z"), 42);
}

TEST_F(settings_test, space_and_equals_forms_of_flags_both_work) {
  auto s = load(defaults, {"--a.one", "spaced", "--a.two=equals", "--a.three=x=y", "--a.four="});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("a.one"), "spaced");
  EXPECT_EQ(s->get("a.two"), "equals");
  EXPECT_EQ(s->get("a.three"), "x=y"); // only the first '=' separates
  EXPECT_EQ(s->get("a.four"), "");
}

TEST_F(settings_test, the_last_of_repeated_flags_wins) {
  auto s = load(defaults, {"--a.one=first", "--a.one", "second"});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("a.one"), "second");
}

TEST_F(settings_test, unknown_flag_is_rejected) {
  auto s = load(defaults, {"--a.onee=typo"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().domain, freshet::error_domain::config);
  EXPECT_NE(s.err().message.find("a.onee"), std::string::npos) << s.err().message;
}

TEST_F(settings_test, unknown_key_in_the_file_is_rejected) {
  auto file = yaml("a:\n  one: ok\n  fiv: typo\n");
  auto s = load(defaults, {"--config=" + file});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("a.fiv"), std::string::npos) << s.err().message;
}

TEST_F(settings_test, a_key_without_a_value_in_the_file_is_still_checked) {
  // `fiv:` with nothing after it is a YAML null; a typo must not slip through because of that.
  auto typo = yaml("a:\n  one: ok\n  fiv:\n");
  EXPECT_FALSE(load(defaults, {"--config=" + typo}).ok());
  auto known = yaml("a:\n  one:\n");
  auto s = load(defaults, {"--config=" + known});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->get("a.one"), "");
}

TEST_F(settings_test, undeclared_environment_variables_are_ignored) {
  env.set("FRESHET_NOT_A_SETTING", "x");
  auto s = load(defaults, {});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->all().size(), defaults.size());
}

TEST_F(settings_test, malformed_command_lines_are_rejected) {
  EXPECT_FALSE(load(defaults, {"positional"}).ok());
  EXPECT_FALSE(load(defaults, {"-a.one=x"}).ok());
  EXPECT_FALSE(load(defaults, {"--a.one"}).ok()); // no value follows
  // A flag whose value was forgotten must not swallow the next flag as its value.
  auto swallowed = load(defaults, {"--a.one", "--a.two=x"});
  EXPECT_FALSE(swallowed.ok()) << "a.one=" << (swallowed.ok() ? swallowed->get("a.one") : "");
}

TEST_F(settings_test, missing_or_broken_config_file_is_an_error) {
  EXPECT_FALSE(load(defaults, {"--config=" + dir + "/does-not-exist.yaml"}).ok());
  auto file = yaml("a: [unclosed\n");
  EXPECT_FALSE(load(defaults, {"--config=" + file}).ok());
}

TEST_F(settings_test, an_empty_config_file_changes_nothing) {
  auto s = load(defaults, {"--config=" + yaml("")});
  ASSERT_TRUE(s.ok()) << s.err().describe();
  EXPECT_EQ(s->all(), defaults);
}

TEST_F(settings_test, env_names_are_upper_case_with_underscores) {
  EXPECT_EQ(settings::env_name("kafka.bootstrap"), "FRESHET_KAFKA_BOOTSTRAP");
  EXPECT_EQ(settings::env_name("shutdown.timeout-ms"), "FRESHET_SHUTDOWN_TIMEOUT_MS");
  EXPECT_EQ(settings::env_name("grpc.listen"), "FRESHET_GRPC_LISTEN");
}

TEST_F(settings_test, typed_getters) {
  const defaults_t d{{"n", "-12"}, {"f", "2.5"}, {"t1", "true"}, {"t2", "1"}, {"t3", "yes"},
                     {"t4", "on"}, {"no", "false"}, {"zero", "0"}, {"other", "TRUE?"}};
  auto s = load(d, {});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->get_int("n"), -12);
  EXPECT_DOUBLE_EQ(s->get_double("f"), 2.5);
  for (const char* k : {"t1", "t2", "t3", "t4"})
    EXPECT_TRUE(s->get_bool(k)) << k;
  for (const char* k : {"no", "zero", "other"})
    EXPECT_FALSE(s->get_bool(k)) << k;
}

TEST_F(settings_test, reading_an_undeclared_key_throws) {
  auto s = load(defaults, {});
  ASSERT_TRUE(s.ok());
  EXPECT_THROW((void) s->get("never.declared"), std::logic_error);
}

} // namespace
