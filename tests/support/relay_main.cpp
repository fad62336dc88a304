// freshet-test-relay: the stage runtime with a pass-through processor, for proving delivery
// guarantees under crashes without any stage logic in the way. Uses the real service scaffold.
//   freshet-test-relay --relay.input=T1 --relay.output=T2 --relay.delivery=exactly_once|at_least_once ...
#include "common/kafka/record.hpp"
#include "common/service/runtime.hpp"
#include "common/service/stage_wiring.hpp"

namespace {

class relay_app {
 public:
  static std::map<std::string, std::string> defaults() {
    auto d = freshet::service::stage_defaults("freshet-test-relay");
    d["relay.input"] = "relay.in";
    d["relay.output"] = "relay.out";
    d["relay.delivery"] = "exactly_once";
    d["relay.mode"] = "pass";
    return d;
  }

  freshet::status wire_up(freshet::service::runtime& rt) {
    const auto& s = rt.settings();
    auto output = s.get("relay.output");
    if (s.get("relay.mode") == "count")
      return wire_counter(rt, output);
    auto mode = s.get("relay.delivery") == "at_least_once" ? freshet::stream::delivery_mode::at_least_once
                                                            : freshet::stream::delivery_mode::exactly_once;
    auto stage = freshet::service::wire_stage(
      rt, {"relay", {s.get("relay.input")}, true, mode},
      [output](const std::vector<freshet::kafka::consumed_record>& batch)
        -> freshet::result<std::vector<freshet::kafka::outgoing_record>> {
        std::vector<freshet::kafka::outgoing_record> out;
        out.reserve(batch.size());
        for (const auto& r : batch)
          out.push_back(freshet::kafka::forward(r, output));
        return out;
      });
    if (!stage)
      return stage.err();
    return {};
  }

 private:
  /// Stateful mode: emits "<key>:<n>" for the n-th record of each key, n kept in the stage state.
  static freshet::status wire_counter(freshet::service::runtime& rt, const std::string& output) {
    auto stage = freshet::service::wire_stateful_stage(
      rt, {"relay", {rt.settings().get("relay.input")}},
      [output](const std::vector<freshet::kafka::consumed_record>& batch, freshet::stream::stage_state& state)
        -> freshet::result<std::vector<freshet::kafka::outgoing_record>> {
        std::vector<freshet::kafka::outgoing_record> out;
        for (const auto& r : batch) {
          freshet::kafka::topic_partition tp{r.topic, r.partition};
          auto current = state.get(tp, r.key);
          if (!current)
            return current.err();
          auto n = (current->has_value() ? std::stoll(**current) : 0) + 1;
          state.put(tp, r.key, std::to_string(n));
          out.push_back({output, -1, r.key, r.key + ":" + std::to_string(n), {}, r.timestamp_ms});
        }
        return out;
      });
    if (!stage)
      return stage.err();
    return {};
  }
};

} // namespace

int main(int argc, char** argv) {
  return freshet::service::run_service<relay_app>("test-relay", argc, argv);
}
