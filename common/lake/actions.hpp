#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/result.hpp"

/// The actions of the Delta transaction log (PROTOCOL.md "Actions") that a reader-1 / writer-2 table
/// uses, and their one-line JSON form. Field names in the JSON are the protocol's; unknown fields and
/// unknown action kinds (cdc, domainMetadata, ...) are ignored on reading, as the protocol asks.
namespace freshet::lake {

/// The reader/writer versions a table needs. This library reads version 1 and writes version 2.
struct protocol_action {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  /// Only meaningful with reader 3 / writer 7 (table features); kept so such tables are recognised.
  std::vector<std::string> reader_features;
  std::vector<std::string> writer_features;
  friend bool operator==(const protocol_action&, const protocol_action&) = default;
};

struct format_spec {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
  friend bool operator==(const format_spec&, const format_spec&) = default;
};

/// The table's identity, schema (`schema_string`, Delta's JSON schema format), partitioning and
/// properties. The latest one in the log wins.
struct metadata_action {
  std::string id; ///< a GUID, fixed at creation
  std::optional<std::string> name;
  std::optional<std::string> description;
  format_spec format;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  std::optional<int64_t> created_time; ///< ms since the epoch
  std::map<std::string, std::string> configuration;
  friend bool operator==(const metadata_action&, const metadata_action&) = default;
};

/// Partition column -> serialized value (PROTOCOL.md "Partition Value Serialization"); nullopt = null.
using partition_values = std::map<std::string, std::optional<std::string>>;

/// A data file joins the table. `path` is relative to the table root and URI-encoded.
struct add_action {
  std::string path;
  partition_values partition;
  int64_t size = 0;
  int64_t modification_time = 0; ///< ms since the epoch
  bool data_change = true;
  std::optional<std::string> stats; ///< JSON text: numRecords, minValues, maxValues, nullCount
  std::map<std::string, std::string> tags;
  friend bool operator==(const add_action&, const add_action&) = default;
};

/// A data file leaves the table; it stays as a tombstone (for VACUUM) until it expires.
struct remove_action {
  std::string path;
  std::optional<int64_t> deletion_timestamp; ///< ms since the epoch
  bool data_change = true;
  std::optional<bool> extended_file_metadata; ///< true: partition values and size are present
  std::optional<partition_values> partition;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  friend bool operator==(const remove_action&, const remove_action&) = default;
};

/// An application's progress, recorded atomically with the data it covers: the streaming sink writes
/// one per source partition (appId `<group>-<topic>-<partition>`, version = last offset included).
struct txn_action {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated; ///< ms since the epoch
  friend bool operator==(const txn_action&, const txn_action&) = default;
};

/// Provenance of one commit. Free-form in the protocol: the fields below are what this library writes
/// and reads back; `raw` keeps the whole object as read (or as written).
struct commit_info {
  int64_t timestamp = 0; ///< ms since the epoch
  std::string operation; ///< "WRITE", "STREAMING UPDATE", "CREATE TABLE", "OPTIMIZE", ...
  std::map<std::string, std::string> operation_parameters;
  std::map<std::string, std::string> operation_metrics;
  std::optional<int64_t> read_version;
  std::optional<bool> is_blind_append;
  std::string engine_info;
  std::string raw; ///< the JSON object text (filled by `parse_action` and `to_json_line`)
  friend bool operator==(const commit_info&, const commit_info&) = default;
};

using action = std::variant<protocol_action, metadata_action, add_action, remove_action, txn_action, commit_info>;

/// The action as one line of JSON (no newline): `{"add":{...}}`.
[[nodiscard]] std::string to_json_line(const action& a);

/// One line of a commit file. Unknown action kinds give nullopt; lines that are not a JSON object of
/// one known action with its required fields are `errc::malformed_log`.
[[nodiscard]] result<std::optional<action>> parse_action(std::string_view line);

/// A whole commit file: one action per line, `commitInfo` first when present.
[[nodiscard]] std::string serialize_commit(const std::vector<action>& actions);
[[nodiscard]] result<std::vector<action>> parse_commit(std::string_view text);

/// RFC 2396 path encoding of a data file path (as `add.path` carries it) and its inverse.
[[nodiscard]] std::string encode_path(std::string_view path);
[[nodiscard]] std::string decode_path(std::string_view uri);

} // namespace freshet::lake
