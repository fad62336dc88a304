#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "common/lake/delta_schema.hpp"
#include "services/compaction/tables_spec.hpp"

/// How the records of a source topic find their table: the events of `events.enriched` go to their
/// stream's table, the rollups of `rollups` to their metric's table.
namespace freshet::compaction {

/// A table the sink writes: `<lake.dir>/<name>`.
struct sink_table {
  std::string name;
  lake::table_schema columns;   ///< every column, the partition column included
  std::string partition_column; ///< a date column from the record's event time; "" = unpartitioned
  bool extras = false;          ///< fields without a column go to `_extra` (map<string,string>, as text)
  std::string event_time_field; ///< JSON records: the field with the event time (epoch ms), if any
};

/// Columns the sink adds to every event table.
inline constexpr const char* event_id_column = "_event_id";
inline constexpr const char* ingest_ts_column = "_ingest_ts";
inline constexpr const char* extra_column = "_extra";

/// A record on its way to a table: either its decoded fields, or (the fast path) its JSON text,
/// which the table decodes straight into a row of its own columns.
struct routed_record {
  std::string table;
  event::record rec;     ///< the fields, when `json` is empty
  std::string_view json; ///< a JSON object (a view into the consumed record, valid during `process`)
  /// Columns the router sets over the event's own (`_event_id`, `_ingest_ts`).
  std::vector<std::pair<std::string, event::value>> overrides;
  /// Picks the date partition: `rec`'s event time; for `json`, used when the table's
  /// `event_time_field` is absent from the event.
  int64_t event_time_ms = 0;
};

/// A record no table takes; it goes to the DLQ with this reason and message.
struct rejected_record {
  std::string reason; ///< undecodable, unknown_stream, unsupported_format, unknown_metric, schema_mismatch
  std::string message;
};

using route_result = std::variant<routed_record, rejected_record>;

/// The records of one source topic, as rows-to-be of tables. Owned by the sink actor.
class record_router {
 public:
  virtual ~record_router() = default;
  [[nodiscard]] virtual route_result route(const kafka::consumed_record& r) = 0;
  /// Tables to open at start (declared ones, and ones an earlier run created).
  [[nodiscard]] virtual std::vector<sink_table> initial_tables() = 0;
  /// A table first named by a record (a new metric): its definition, or nullopt to reject the record.
  [[nodiscard]] virtual std::optional<sink_table> discover(const std::string& table) = 0;
};

/// `events.enriched`: the `freshet.stream` header names the stream, the value is the event (JSON
/// today, decoded by the table itself; Confluent-framed Avro is rejected as `unsupported_format`
/// until the registry client is wired here). Each row gets `_event_id` (header `freshet.event_id`)
/// and `_ingest_ts` (header `freshet.ingest_ts`); the partition date is the stream's event-time
/// field (epoch ms, UTC), else the ingest time, else the Kafka timestamp.
[[nodiscard]] result<std::unique_ptr<record_router>> make_event_router(const config::pipeline_spec& spec,
                                                                       const std::vector<event_table_spec>& tables);

/// One rollup as the aggregate service publishes it: the metric, its window start (picks the date
/// partition), and its fields.
struct rollup_record {
  std::string metric;
  int64_t window_start_ms = 0;
  event::record fields;
};

/// Reads the rollups topic's wire format: `protobuf_rollup_decoder` for the aggregate service's
/// `freshet.v1.Rollup`; `json_rollup_decoder` for JSON objects (other producers, tests).
class rollup_decoder {
 public:
  virtual ~rollup_decoder() = default;
  [[nodiscard]] virtual result<rollup_record> decode(const kafka::consumed_record& r) = 0;
};

/// `{"metric": "...", "window_start": <ms>, "window_end": <ms>, "dimensions": {...}, "measures": {...}, ...}`
[[nodiscard]] std::unique_ptr<rollup_decoder> json_rollup_decoder();

/// `freshet.v1.Rollup` (proto/freshet/v1/rollup.proto): dims named by the metric's `group_by`
/// (`dim<i>` when unknown), numeric aggregations into `measures`, quantiles as `<name>@<q>`,
/// top-k lists as JSON text in `_extra` (`top_k.<name>`), revision, kind (early, final, late),
/// source partition, watermark and emission time (a watermark no timestamp can hold — the engine's
/// `no_watermark` / `end_of_time` — goes to `_extra` as `watermark_ms`). The aggregations' mergeable
/// states are not kept.
[[nodiscard]] std::unique_ptr<rollup_decoder> protobuf_rollup_decoder(
  std::map<std::string, std::vector<std::string>> group_by);

/// The columns of a metric table without a declared schema: window_start, window_end (timestamps),
/// dimensions (map<string,string>), measures (map<string,double>), revision, kind, source_partition,
/// watermark, emitted_at, `_extra` for anything else. Every emitted revision is a row: readers keep
/// the highest revision per (dimensions, window, source_partition) and merge partitions.
[[nodiscard]] lake::table_schema generic_rollup_columns();

/// `rollups`: one table per metric, `rollup_<metric>`; declared metrics may name an .avsc.
[[nodiscard]] result<std::unique_ptr<record_router>> make_rollup_router(const rollup_tables_spec& spec,
                                                                        std::string lake_dir,
                                                                        std::unique_ptr<rollup_decoder> decoder);

} // namespace freshet::compaction
