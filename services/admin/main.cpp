// freshet-admin: operator commands against a running platform.
//   freshet-admin create-topics --pipeline.spec=FILE --kafka.bootstrap=HOST:PORT
#include <cstdio>
#include <string>

#include "common/config/pipeline_spec.hpp"
#include "common/config/settings.hpp"
#include "common/kafka/admin.hpp"
#include "common/log/logger.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: freshet-admin COMMAND [--key=value ...]\n"
               "commands:\n"
               "  create-topics   create every topic of the pipeline spec (idempotent)\n"
               "settings: --pipeline.spec, --kafka.bootstrap, --timeout_ms (also FRESHET_* variables)\n");
  return 2;
}

int create_topics(const freshet::config::settings& s) {
  auto spec = freshet::config::load_pipeline_spec(s.get("pipeline.spec"));
  if (!spec) {
    std::fprintf(stderr, "freshet-admin: %s\n", spec.err().describe().c_str());
    return 2;
  }
  auto st = freshet::kafka::create_topics(s.get("kafka.bootstrap"), spec->topics,
                                          static_cast<int>(s.get_int("timeout_ms")));
  if (!st.ok()) {
    std::fprintf(stderr, "freshet-admin: %s\n", st.err().describe().c_str());
    return 1;
  }
  for (const auto& t : spec->topics)
    std::printf("%-20s partitions=%d cleanup=%s\n", t.name.c_str(), t.partitions, t.cleanup.c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return usage();
  std::string command = argv[1];
  auto s = freshet::config::settings::load({{"pipeline.spec", "examples/clickstream/pipeline.yaml"},
                                            {"kafka.bootstrap", "127.0.0.1:9092"},
                                            {"timeout_ms", "60000"},
                                            {"log.level", "warn"}},
                                           argc - 1, argv + 1);
  if (!s) {
    std::fprintf(stderr, "freshet-admin: %s\n", s.err().describe().c_str());
    return 2;
  }
  freshet::log::setup("admin", s->get("log.level"), freshet::log::format::text);
  if (command == "create-topics")
    return create_topics(*s);
  return usage();
}
