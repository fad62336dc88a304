#include "tests/integration/registry/registry_process.hpp"

#include <csignal>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/files.hpp"
#include "tests/support/stack.hpp"

namespace freshet::testing {

using namespace std::chrono_literals;

std::string registry_spec(const std::string& schemas_topic) {
  return write_file(stack::work_dir() + "/specs/" + schemas_topic + ".yaml",
                    "pipeline: registry-test\n"
                    "topics:\n"
                    "  - {role: raw, name: r.raw, partitions: 1}\n"
                    "  - {role: dlq, name: r.dlq, partitions: 1}\n"
                    "  - {role: valid, name: r.valid, partitions: 1}\n"
                    "  - {role: quarantine, name: r.quarantine, partitions: 1}\n"
                    "  - {role: enriched, name: r.enriched, partitions: 1}\n"
                    "  - {role: late, name: r.late, partitions: 1}\n"
                    "  - {role: rollups, name: r.rollups, partitions: 1}\n"
                    "  - {role: schemas, name: " + schemas_topic + ", partitions: 1, cleanup: compact}\n"
                    "streams:\n"
                    "  - {name: page_view, schema: page_view.avsc}\n");
}

registry_process::registry_process(const std::string& name, const std::string& spec) : name_(name), spec_(spec) {
  auto ports = free_ports(3);
  http_port_ = ports[0];
  grpc_port_ = ports[1];
  metrics_port_ = ports[2];
  start();
}

registry_process::~registry_process() {
  if (proc_ && proc_->running())
    (void) stop(true);
}

void registry_process::start() {
  proc_ = std::make_unique<child_process>(
    binary_path("freshet-registry"),
    std::vector<std::string>{"--pipeline.spec=" + spec_, "--kafka.bootstrap=" + stack::bootstrap(),
                             "--http.listen=127.0.0.1:" + std::to_string(http_port_),
                             "--grpc.listen=127.0.0.1:" + std::to_string(grpc_port_),
                             "--metrics.listen=127.0.0.1:" + std::to_string(metrics_port_),
                             "--service.instance=" + name_},
    stack::work_dir() + "/" + name_ + ".log");
  bool up = eventually([&] { return call("GET", "/subjects").status == 200; }, 90s);
  ASSERT_TRUE(up) << name_ << " did not answer; see " << proc_->log_file();
}

int registry_process::stop(bool crash) {
  proc_->signal(crash ? SIGKILL : SIGTERM);
  auto code = proc_->wait(40s);
  return code.value_or(-1);
}

int registry_process::reg(const std::string& subject, const nlohmann::json& schema, http_reply* last) const {
  auto a = call("POST", "/subjects/" + subject + "/versions", nlohmann::json{{"schema", schema.dump()}}.dump());
  if (last)
    *last = a;
  return a.status == 200 ? a.json()["id"].get<int>() : -1;
}

nlohmann::json dump_registry(const registry_process& r) {
  nlohmann::json out;
  out["config"] = r.call("GET", "/config").json();
  auto subjects = r.call("GET", "/subjects?deleted=true").json();
  out["subjects"] = subjects;
  std::set<int> ids;
  for (const auto& s : subjects) {
    auto name = s.get<std::string>();
    auto versions = r.call("GET", "/subjects/" + name + "/versions?deleted=true").json();
    auto& d = out["by_subject"][name];
    d["versions"] = versions;
    d["live"] = r.call("GET", "/subjects/" + name + "/versions").json();
    d["config"] = r.call("GET", "/config/" + name).json();
    for (const auto& v : versions) {
      auto one = r.call("GET", "/subjects/" + name + "/versions/" + std::to_string(v.get<int>()) + "?deleted=true").json();
      d["version"][std::to_string(v.get<int>())] = one;
      ids.insert(one["id"].get<int>());
    }
  }
  for (int id : ids) {
    out["ids"][std::to_string(id)] = r.call("GET", "/schemas/ids/" + std::to_string(id)).json();
    out["id_versions"][std::to_string(id)] = r.call("GET", "/schemas/ids/" + std::to_string(id) + "/versions?deleted=true").json();
  }
  return out;
}

} // namespace freshet::testing
