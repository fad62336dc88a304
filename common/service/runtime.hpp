#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <grpcpp/server.h>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/config/settings.hpp"
#include "common/metrics/metrics_server.hpp"
#include "common/service/shutdown_signal.hpp"

namespace freshet::service {

/// The settings every service understands; a service adds its own on top.
[[nodiscard]] std::map<std::string, std::string> common_defaults();

/// What every Freshet process has: settings, logging, the pipeline spec, a metrics endpoint, a
/// CAF actor system, a gRPC server with health and reflection, and an orderly stop.
///
/// Lifecycle: `create` (before any other thread exists) -> the service wires its parts, registering
/// gRPC services and `on_stop` hooks in dependency order -> `run` serves until SIGTERM, then marks
/// health NOT_SERVING, shuts gRPC down with a deadline, and runs the hooks in reverse order.
/// If stopping takes longer than `shutdown.timeout_ms` the process exits with code 3.
class runtime {
 public:
  [[nodiscard]] static result<std::unique_ptr<runtime>> create(std::string name,
                                                               std::map<std::string, std::string> defaults, int argc,
                                                               const char* const* argv);
  ~runtime();

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const config::settings& settings() const { return settings_; }
  [[nodiscard]] const config::pipeline_spec& spec() const { return spec_; }
  [[nodiscard]] caf::actor_system& system() { return *system_; }
  [[nodiscard]] prometheus::Registry& metrics() { return metrics_->registry(); }
  /// A stable id for this instance (settings `service.instance`, default host name + pid).
  [[nodiscard]] const std::string& instance_id() const { return instance_id_; }

  /// Adds a gRPC service (sync or callback); it must outlive `run`.
  void add_grpc_service(grpc::Service* svc);
  /// Registers a teardown step; steps run in reverse registration order.
  void on_stop(std::string what, std::function<void()> fn);
  /// Asks `run` to stop, as SIGTERM would (e.g. after a fatal error).
  void request_stop() { signal_.trigger(); }

  /// Serves until stopped. Returns the process exit code.
  [[nodiscard]] int run();

 private:
  runtime() = default;

  std::string name_;
  std::string instance_id_;
  config::settings settings_;
  config::pipeline_spec spec_;
  shutdown_signal signal_;
  std::unique_ptr<metrics::metrics_server> metrics_;
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  std::vector<grpc::Service*> grpc_services_;
  std::vector<std::pair<std::string, std::function<void()>>> stops_;
};

/// Creates the runtime, or prints why not; used by `run_service`.
[[nodiscard]] std::unique_ptr<runtime> start_runtime(const std::string& name,
                                                     std::map<std::string, std::string> defaults, int argc,
                                                     char** argv);

/// Logs a wiring failure; used by `run_service`.
void report_wiring_failure(runtime& rt, const error& err);

/// The whole body of a service's `main`. `App` has `static std::map<std::string, std::string>
/// defaults()` and `status wire_up(runtime&)`. The application is destroyed before the runtime, so
/// its actor handles, producers and probes go while the actor system and registry still exist.
template <class App>
int run_service(const std::string& name, int argc, char** argv) {
  auto rt = start_runtime(name, App::defaults(), argc, argv);
  if (!rt)
    return 2;
  auto app = std::make_unique<App>();
  if (auto st = app->wire_up(*rt); !st.ok()) {
    report_wiring_failure(*rt, st.err());
    rt->request_stop();
    (void) rt->run(); // still runs the stop hooks of what was wired
    return 2;
  }
  int code = rt->run();
  app.reset();
  rt.reset();
  return code;
}

} // namespace freshet::service
