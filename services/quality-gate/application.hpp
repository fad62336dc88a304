#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/config/expectations_spec.hpp"
#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"
#include "services/quality-gate/actors.hpp"
#include "services/quality-gate/checks.hpp"
#include "services/quality-gate/dedupe.hpp"
#include "services/quality-gate/state_dedupe.hpp"
#include "services/quality-gate/gate.hpp"
#include "services/quality-gate/grpc_api.hpp"
#include "services/quality-gate/quality_probe.hpp"
#include "services/quality-gate/webhook.hpp"
#include "services/quality-gate/window_monitor.hpp"

namespace freshet::quality_gate {

/// Reads the raw topic, applies the pipeline spec's expectations (`expectations:` section) and
/// routes every event to the valid or the quarantine topic; judges windowed expectations and
/// raises alerts; serves `QualityGateService.Readmit`.
///
/// Wiring order: expectations -> probe -> alert webhook -> window monitor and its ticker -> gate
/// -> stage -> readmit actor -> gRPC API. Teardown runs in reverse: readmit stops (its running job
/// aborts its transaction), the stage drains and commits, then the ticker and the webhook stop.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  void on_window(const window_result& r);
  void start_ticker(int64_t every_ms);
  void stop_ticker();

  std::string pipeline_;
  config::expectations_spec spec_;
  std::unique_ptr<expectation_set> expectations_;
  std::unique_ptr<quality_probe> probe_;
  std::unique_ptr<webhook_poster> webhook_;
  std::unique_ptr<window_monitor> monitor_;
  /// Event-id uniqueness (`unique` expectations): exactly-once state owned by the stage runtime.
  /// Null until that state is wired in; the gate then skips the step.
  std::unique_ptr<state_dedupe> dedupe_;
  std::unique_ptr<gate> gate_;
  stream::stage_actor stage_;
  std::shared_ptr<std::atomic<bool>> readmit_stopping_ = std::make_shared<std::atomic<bool>>(false);
  readmit_actor readmit_;
  std::unique_ptr<grpc_api> grpc_;

  std::mutex tick_mtx_;
  std::condition_variable tick_cv_;
  bool tick_stop_ = false;
  std::thread ticker_;
};

} // namespace freshet::quality_gate
