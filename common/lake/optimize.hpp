#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/snapshot.hpp"
#include "common/lake/transaction.hpp"
#include "common/parquet/options.hpp"

/// OPTIMIZE (bin-packing) and OPTIMIZE ZORDER BY: rewrite a table's small files, partition by
/// partition, into files of about a target size — in ONE commit whose adds and removes carry
/// `dataChange=false` (readers of the change feed skip it; the rows are the same).
///
/// Concurrency: the commit lists every file it read (`read_files`, and they are its `removes`), so a
/// concurrent commit removing any of them (another OPTIMIZE, a DELETE) is a conflict and this one
/// gives up, deleting the files it wrote. Concurrent appends (the streaming sink) are not: they add
/// other files, and `table::commit` moves past them.
namespace freshet::lake {

class table;

/// The tag OPTIMIZE ZORDER BY puts on the files it writes: the columns, comma-separated. A partition
/// whose files all carry the same value is already z-ordered and is left alone.
inline constexpr const char* zorder_tag = "freshet.zOrderBy";

struct optimize_options {
  /// Files are packed (bin-packing) or cut (z-order) at about this many bytes.
  int64_t target_file_bytes = int64_t{128} << 20;
  /// A partition is rewritten only when it has at least this many candidate files: files smaller than
  /// the target (bin-packing), or files not z-ordered by these columns yet (z-order).
  size_t min_files = 2;
  /// Non-empty: OPTIMIZE ZORDER BY these data columns (top-level, primitive, not partition columns):
  /// every file of a partition with candidates is rewritten, rows sorted by z-value.
  std::vector<std::string> zorder_by;
  /// Plan only: nothing is written or committed.
  bool dry_run = false;
  parquet::writer_options parquet;
  int64_t now_ms = 0; ///< 0 = the wall clock (the removes' deletionTimestamp)
};

/// Files of one partition to be rewritten together: bin-packing writes one file per group (its
/// files add up to at most the target), z-order a group per partition, cut into files by size.
struct optimize_group {
  partition_values partition;
  std::vector<add_action> files;
  int64_t bytes = 0;
};

/// What OPTIMIZE would rewrite on `s`. Bin-packing: per partition, the files under the target size,
/// largest first into the first group with room (first-fit decreasing); groups of a single file are
/// dropped (nothing to merge). `errc::invalid_argument` for z-order columns that are not data
/// columns of a type with an order.
[[nodiscard]] result<std::vector<optimize_group>> plan_optimize(const snapshot& s, const optimize_options& options);

struct optimize_report {
  int64_t read_version = -1;
  int64_t version = -1; ///< the commit; -1 when nothing was committed (nothing to do, or a dry run)
  int64_t partitions = 0;
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t bytes_removed = 0; ///< bytes read and rewritten
  int64_t bytes_added = 0;
  int64_t rows = 0;
  int commit_attempts = 0;
  std::vector<optimize_group> plan;
};

/// One OPTIMIZE in two steps, so the rewrite (slow) and the commit (quick) are apart as they are in
/// any optimistic writer: `prepare` refreshes the table, plans and writes the new files; `commit`
/// puts the transaction. Files written and not committed are deleted when the job goes.
/// Single-owner, like the `table` it works on.
class optimize_job {
 public:
  [[nodiscard]] static result<optimize_job> prepare(table& t, const optimize_options& options);
  optimize_job(optimize_job&&) noexcept = default;
  optimize_job& operator=(optimize_job&&) noexcept = delete;
  optimize_job(const optimize_job&) = delete;
  optimize_job& operator=(const optimize_job&) = delete;
  ~optimize_job();

  /// The plan and what was written (`version` -1 until committed).
  [[nodiscard]] const optimize_report& report() const { return report_; }
  [[nodiscard]] bool empty() const { return tx_.removes.empty(); }
  /// Commits (nothing to do, or a dry run: the report as it is). `errc::conflict` when a concurrent
  /// commit removed a file this one rewrote: the new files are deleted.
  [[nodiscard]] result<optimize_report> commit();

 private:
  optimize_job(table& t, optimize_options o) : table_(&t), options_(std::move(o)) {}

  table* table_;
  optimize_options options_;
  transaction tx_;
  optimize_report report_;
  std::vector<std::string> written_; ///< relative paths, deleted by the destructor unless committed
  bool keep_ = false;
};

/// `optimize_job::prepare` then `commit`.
[[nodiscard]] result<optimize_report> optimize(table& t, const optimize_options& options);

} // namespace freshet::lake
