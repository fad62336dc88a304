#include "services/enrich/application.hpp"

#include "common/service/stage_wiring.hpp"

namespace freshet::enrich {

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-enrich");
  d["grpc.listen"] = "0.0.0.0:50071";
  d["metrics.listen"] = "0.0.0.0:9100";
  return d;
}

std::vector<kafka::outgoing_record> enrich_batch(const std::vector<kafka::consumed_record>& batch,
                                                 const std::string& enriched_topic) {
  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  for (const auto& rec : batch)
    out.push_back(kafka::forward(rec, enriched_topic));
  return out;
}

status application::wire_up(service::runtime& rt) {
  auto enriched = rt.spec().topic_name("enriched");
  auto stage = service::wire_stage(rt, {"enrich", {rt.spec().topic_name("valid")}},
                                   [enriched](const std::vector<kafka::consumed_record>& batch)
                                     -> result<std::vector<kafka::outgoing_record>> { return enrich_batch(batch, enriched); });
  if (!stage)
    return stage.err();
  stage_ = *stage;
  return {};
}

} // namespace freshet::enrich
