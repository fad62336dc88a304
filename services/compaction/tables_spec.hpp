#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::compaction {

/// One stream's table (events topic): `<lake.dir>/<name>`.
struct event_table_spec {
  std::string stream;
  std::string name;               ///< the table's folder; default: the stream's name
  std::string schema_file;        ///< absolute path of the .avsc; default: the stream's schema
  std::string partition_by = "date"; ///< the date column from the event time (UTC); "" = unpartitioned
  bool extras = true;             ///< keep fields the schema lacks (enrichments) in `_extra` map<string,string>
  /// Maintenance rewrites the table's partitions z-ordered by these columns (empty: bin-packing).
  std::vector<std::string> zorder_by{};
};

/// One metric's table (rollups topic): `<lake.dir>/rollup_<metric>`.
struct rollup_table_spec {
  std::string metric;
  std::string schema_file; ///< absolute; empty = the generic rollup columns
  std::vector<std::string> zorder_by{}; ///< as for event tables
};

struct rollup_tables_spec {
  bool enabled = true;
  /// Metrics met in the topic without a declared table get one with the generic columns.
  bool auto_create = true;
  std::vector<rollup_table_spec> metrics;
  /// From the spec's `metrics:` section: each metric's `group_by`, naming a rollup's dims.
  std::map<std::string, std::vector<std::string>> group_by;
};

/// The spec's `tables:` section (docs/pipeline-spec.md#tables). Without one, every stream gets a
/// table and rollup tables are created per metric as they appear.
struct tables_spec {
  std::vector<event_table_spec> events;
  rollup_tables_spec rollups;

  /// Table folder name -> z-order columns, for the tables that have some.
  [[nodiscard]] std::map<std::string, std::vector<std::string>> zorder_columns() const;
};

[[nodiscard]] result<tables_spec> parse_tables_spec(const std::string& yaml_text, const config::pipeline_spec& spec);
[[nodiscard]] result<tables_spec> load_tables_spec(const config::pipeline_spec& spec);

} // namespace freshet::compaction
