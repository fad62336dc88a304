#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/record.hpp"
#include "services/compaction/lake_probe.hpp"
#include "services/compaction/routing.hpp"
#include "services/compaction/table_sink.hpp"

namespace freshet::compaction {

/// The lake writer without Kafka: source topics, each with its router and tables; records in, Delta
/// commits out, and the arithmetic of exactly once:
///
/// - a record of partition p goes to table T unless T's txn version of p already covers its offset;
/// - a commit of T carries, for every partition the sink processed, the last offset processed
///   (T has nothing of p pending after its commit, so all of p's records for T up to there are in T);
/// - after a restart, partition p resumes at min over its topic's tables of (txn version + 1) — the
///   beginning when a table has no txn for p yet — and the first rule skips what a table already has.
///
/// Kafka offsets are committed only as a hint (`safe_positions`), never trusted for resuming.
/// Owned by the sink actor; not thread-safe.
class lake_sink {
 public:
  /// Rejected records (undecodable, unknown stream, not fitting the table) go here (the DLQ).
  using reject_fn = std::function<status(const kafka::consumed_record&, const rejected_record&)>;
  /// Called before every commit: what was rejected so far must be safely elsewhere first.
  using flush_fn = std::function<status()>;

  lake_sink(sink_options options, lake_probe& probe, reject_fn reject, flush_fn before_commit);
  ~lake_sink();

  /// Adds a source topic and opens its router's initial tables (creating them if needed).
  [[nodiscard]] status add_source(const std::string& topic, std::unique_ptr<record_router> router);
  [[nodiscard]] std::vector<std::string> topics() const;
  /// `<group>-<topic>-<partition>`: the txn appId of a source partition.
  [[nodiscard]] std::string app_id(const kafka::topic_partition& tp) const;

  /// Where newly assigned partitions resume (next offset to read); -2 = from the beginning.
  [[nodiscard]] std::map<kafka::topic_partition, int64_t> start_offsets(
    const std::vector<kafka::topic_partition>& parts) const;
  /// Offsets every table of the partition's topic has (to commit to the group as a hint); partitions
  /// some table has no txn for are left out.
  [[nodiscard]] std::vector<kafka::partition_offset> safe_positions(
    const std::vector<kafka::topic_partition>& parts) const;

  /// Routes and appends a batch (records in offset order per partition). Errors are storage
  /// failures or a DLQ that cannot take rejects: the caller resets and resyncs.
  [[nodiscard]] status process(std::span<const kafka::consumed_record> batch, int64_t now_ms);
  /// Commits the tables whose files are due to roll (all with open files when `force`), and
  /// progress-only commits of idle tables that are due. Returns the number of commits.
  [[nodiscard]] result<size_t> commit_due(int64_t now_ms, bool force);

  /// The partitions left this instance: no more progress for them.
  void forget(const std::vector<kafka::topic_partition>& parts);
  /// Drops every open file and all progress (before a resync).
  void reset();
  /// Re-reads every table's log.
  [[nodiscard]] status refresh();

  [[nodiscard]] size_t table_count() const;
  [[nodiscard]] bool has_open_files() const;

 private:
  struct source {
    std::unique_ptr<record_router> router;
    std::map<std::string, std::unique_ptr<table_sink>> tables;
  };

  [[nodiscard]] result<table_sink*> table_for(source& s, const std::string& name);
  /// appId -> last processed offset, for the partitions of `topic`.
  [[nodiscard]] std::map<std::string, int64_t> progress_of(const std::string& topic) const;
  void report_open_files();

  sink_options options_;
  lake_probe& probe_;
  reject_fn reject_;
  flush_fn before_commit_;
  std::map<std::string, source> sources_; ///< by topic
  std::map<kafka::topic_partition, int64_t> progress_;
};

} // namespace freshet::compaction
