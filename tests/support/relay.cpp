#include "tests/support/relay.hpp"

#include "tests/support/stack.hpp"

namespace freshet::testing {

bool relay_process::wait_until_committing(std::chrono::milliseconds timeout) const {
  return eventually([&] { return scrape_metric(metrics_port, "freshet_stage_commits_total") >= 1; }, timeout);
}

relay_process start_relay(const relay_options& o) {
  auto ports = free_ports(2);
  relay_process r;
  r.metrics_port = ports[1];
  r.proc = std::make_unique<child_process>(
    binary_path("freshet-test-relay"),
    std::vector<std::string>{"--pipeline.spec=" + std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml",
                             "--kafka.bootstrap=" + stack::bootstrap(),
                             "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                             "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]), "--relay.input=" + o.input,
                             "--relay.output=" + o.output, "--kafka.group=" + o.group,
                             "--service.instance=" + o.instance, "--relay.delivery=" + o.delivery,
                             "--relay.mode=" + o.mode, "--state.dir=" + stack::work_dir() + "/state"},
    stack::work_dir() + "/relay-" + o.instance + ".log");
  return r;
}

} // namespace freshet::testing
