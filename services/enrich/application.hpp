#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/enrichment_spec.hpp"
#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"
#include "services/enrich/actors.hpp"
#include "services/enrich/enricher.hpp"

namespace freshet::enrich {

class enrich_probe;
class reference_table;

/// Reads the valid topic and writes enriched events, joining the reference tables and deriving
/// the fields of the spec's `enrichments:` section (docs/pipeline-spec.md).
///
/// Wiring, in dependency order: the enrichment spec; the enriched schema of every stream (derived
/// always, so a derived field clashing with a stream's field stops the start; registered when
/// `registry.url` is set); the reference tables (RocksDB under `enrich.state_dir`, resumed or
/// rebuilt) and their loader actors; the Redis tables; the enricher; the stage. Teardown runs in
/// reverse: the stage drains and commits, the loaders stop, the stores close.
/// A spec without enrichments wires the pass-through stage of the walking skeleton.
class application {
 public:
  application();
  ~application();
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  [[nodiscard]] result<std::map<std::string, std::string>> derive_schemas(const service::runtime& rt,
                                                                         const config::enrichment_spec& spec) const;
  [[nodiscard]] result<std::map<std::string, int32_t>> register_schemas(const service::runtime& rt,
                                                                       const std::map<std::string, std::string>& schemas) const;
  [[nodiscard]] result<table_set> open_tables(service::runtime& rt, const config::enrichment_spec& spec);

  std::unique_ptr<enrich_probe> probe_;
  std::string scratch_dir_; ///< the private state folder used when `enrich.state_dir` is empty
  std::vector<std::shared_ptr<reference_table>> reference_tables_;
  std::vector<table_loader_actor> loaders_;
  stream::stage_actor stage_;
};

/// The pass-through batch step (no enrichments declared): one output per input, to `enriched_topic`.
[[nodiscard]] std::vector<kafka::outgoing_record> enrich_batch(const std::vector<kafka::consumed_record>& batch,
                                                               const std::string& enriched_topic);

} // namespace freshet::enrich
