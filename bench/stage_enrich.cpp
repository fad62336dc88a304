// The enrich service's real batch step (freshet::enrich::enricher) with derived fields that need no
// reference table: the example pipeline's tables live in Kafka topics, RocksDB and Redis, which a
// throughput benchmark of the stage runtime should not depend on. It still decodes every event,
// derives the fields and re-encodes it, which is the enricher's per-event cost without lookups.
// Compiled only when the bench links freshet::enrich_lib.
#include <memory>

#include "bench/stage_processors.hpp"
#include "common/config/enrichment_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "services/enrich/enricher.hpp"

namespace freshet::bench::stage::detail {

namespace {

constexpr const char* derived_fields = R"(
enrichments:
  fields:
    - name: device_class
      device_class: {user_agent: user_agent}
      streams: [page_view]
    - name: minute
      expression: floor(ts / 60000) * 60000
)";

} // namespace

processor make_enrich(const options& o, const output_topics& topics, prometheus::Registry&) {
  auto pipeline = take(config::load_pipeline_spec(o.pipeline_spec), "pipeline spec " + o.pipeline_spec);
  auto spec = take(config::parse_enrichment_spec(derived_fields, pipeline), "enrichment spec");
  enrich::enricher_options opts;
  opts.enriched_topic = topics.out;
  opts.quarantine_topic = topics.quarantine;
  std::shared_ptr<enrich::enricher> e =
    take(enrich::enricher::create(spec, enrich::table_set{}, opts, nullptr), "enricher");
  processor p;
  p.fn = [e](const std::vector<kafka::consumed_record>& batch) { return e->process(batch); };
  p.keep = e;
  p.description = "freshet::enrich::enricher::process deriving device_class (user agent) and minute "
                  "(expression), no table lookups; re-encodes every event";
  return p;
}

} // namespace freshet::bench::stage::detail
