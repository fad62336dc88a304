#include "common/service/runtime.hpp"

#include <chrono>
#include <thread>
#include <unistd.h>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <prometheus/gauge.h>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"

namespace freshet::service {

std::map<std::string, std::string> common_defaults() {
  return {
    {"service.instance", ""},
    {"log.level", "info"},
    {"log.format", "text"},
    {"pipeline.spec", "examples/clickstream/pipeline.yaml"},
    {"kafka.bootstrap", "127.0.0.1:9092"},
    {"redis.address", "127.0.0.1:6379"},
    {"grpc.listen", "0.0.0.0:0"},
    {"metrics.listen", "0.0.0.0:0"},
    {"shutdown.timeout_ms", "20000"},
    {"actors.threads", "2"},
  };
}

result<std::unique_ptr<runtime>> runtime::create(std::string name, std::map<std::string, std::string> defaults,
                                                 int argc, const char* const* argv) {
  std::unique_ptr<runtime> rt{new runtime};
  // Signals first: every thread started below inherits the blocked mask.
  rt->signal_.install();
  rt->name_ = std::move(name);
  auto merged = common_defaults();
  for (auto& [k, v] : defaults)
    merged[k] = v;
  auto s = config::settings::load(std::move(merged), argc, argv);
  if (!s)
    return s.err();
  rt->settings_ = std::move(*s);
  log::setup(rt->name_, rt->settings_.get("log.level"),
             rt->settings_.get("log.format") == "json" ? log::format::json : log::format::text);
  rt->instance_id_ = rt->settings_.get("service.instance");
  if (rt->instance_id_.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    rt->instance_id_ = std::string{host} + "-" + std::to_string(getpid());
  }
  auto spec = config::load_pipeline_spec(rt->settings_.get("pipeline.spec"));
  if (!spec)
    return spec.err();
  rt->spec_ = std::move(*spec);
  try {
    rt->metrics_ = std::make_unique<metrics::metrics_server>(rt->settings_.get("metrics.listen"));
  } catch (const std::exception& e) {
    return make_error(error_domain::config, 3,
                      "cannot serve metrics on " + rt->settings_.get("metrics.listen") + ": " + e.what());
  }
  prometheus::BuildGauge()
    .Name("freshet_build_info")
    .Help("Constant 1, labelled with the service and instance")
    .Register(rt->metrics())
    .Add({{"service", rt->name_}, {"instance", rt->instance_id_}, {"version", "0.1.0"}})
    .Set(1);
  rt->caf_cfg_ = std::make_unique<caf::actor_system_config>();
  rt->caf_cfg_->set("scheduler.max-threads", static_cast<size_t>(rt->settings_.get_int("actors.threads")));
  rt->system_ = std::make_unique<caf::actor_system>(*rt->caf_cfg_);
  return rt;
}

runtime::~runtime() = default;

void runtime::add_grpc_service(grpc::Service* svc) {
  grpc_services_.push_back(svc);
}

void runtime::on_stop(std::string what, std::function<void()> fn) {
  stops_.emplace_back(std::move(what), std::move(fn));
}

int runtime::run() {
  auto logger = log::get(name_);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const auto& listen = settings_.get("grpc.listen");
  // No SO_REUSEPORT: a second process on the same port must fail, not silently share the calls.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  for (auto* svc : grpc_services_)
    builder.RegisterService(svc);
  auto run_stop_hooks = [&] {
    for (auto it = stops_.rbegin(); it != stops_.rend(); ++it) {
      FRESHET_LOG(info, logger, "stop: {}", it->first);
      it->second();
    }
  };
  auto server = builder.BuildAndStart();
  if (!server) {
    FRESHET_LOG(critical, logger, "cannot serve gRPC on {}", listen);
    run_stop_hooks(); // what was wired (actors, consumers) must still stop, or the process never exits
    return 1;
  }
  auto* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  FRESHET_LOG(info, logger, "{} up: instance={} grpc port={} metrics={}", name_, instance_id_, bound_port,
              settings_.get("metrics.listen"));

  signal_.wait();
  auto started = mono_ns();
  FRESHET_LOG(info, logger, "stopping: draining in-flight work");
  std::thread watchdog{[timeout = settings_.get_int("shutdown.timeout_ms"), logger] {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
    FRESHET_LOG(critical, logger, "shutdown took longer than {} ms; forcing exit", timeout);
    logger->flush();
    _exit(3);
  }};
  watchdog.detach();
  health->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  run_stop_hooks();
  server->Wait();
  FRESHET_LOG(info, logger, "stopped cleanly in {} ms", (mono_ns() - started) / 1000000);
  logger->flush();
  return 0;
}

std::unique_ptr<runtime> start_runtime(const std::string& name, std::map<std::string, std::string> defaults,
                                       int argc, char** argv) {
  auto rt = runtime::create(name, std::move(defaults), argc, argv);
  if (!rt) {
    std::fprintf(stderr, "freshet-%s: %s\n", name.c_str(), rt.err().describe().c_str());
    return nullptr;
  }
  return std::move(*rt);
}

void report_wiring_failure(runtime& rt, const error& err) {
  FRESHET_LOG(critical, log::get(rt.name()), "cannot start: {}", err.describe());
}

} // namespace freshet::service
