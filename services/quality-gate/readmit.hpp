#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "services/quality-gate/gate.hpp"
#include "services/quality-gate/quality_probe.hpp"

namespace freshet::quality_gate {

/// Readmit's own error codes (domain `internal`); Kafka failures keep the adapter's error.
enum class readmit_errc {
  cancelled = 200, ///< the caller or the service went away; the open transaction was aborted
  failed = 201,    ///< a transactional step failed; the open transaction was aborted — call again
};

/// Which quarantined events a readmit call re-judges.
struct readmit_request {
  std::string stream;      ///< only events of this stream; empty = every stream
  std::string expectation; ///< only events that failed this expectation (or reason code); empty = all
  bool dry_run = false;    ///< judge and count, write nothing, move nothing
};

struct readmit_counts {
  uint64_t scanned = 0;       ///< quarantined events read
  uint64_t readmitted = 0;    ///< now pass: written to the valid topic
  uint64_t still_failing = 0; ///< matched the filter, still fail: appended to the quarantine topic again
  uint64_t skipped = 0;       ///< did not match the filter: appended to the quarantine topic unchanged
  std::map<std::string, uint64_t> still_failing_by_expectation; ///< expectation name or reason code -> events

  void add(const readmit_counts& other);
};

struct readmit_config {
  kafka::config_map consumer; ///< read_committed, group = the readmit cursor's group
  kafka::config_map producer; ///< transactional.id shared by every replica, so only one job commits at a time
  std::string quarantine_topic;
  int idle_ms = 1500;            ///< nothing below the end offsets arrived for this long: the range is done
  int assign_timeout_ms = 30000; ///< to join the group, get every partition and learn the end offsets
  size_t max_txn_records = 2000; ///< a transaction commits after this many quarantined events
  int transaction_timeout_ms = 10000;
};

/// Replays the quarantine topic, from the readmit cursor (the committed offsets of its consumer
/// group) up to the end offsets seen when the call starts, through the gate's CURRENT
/// expectations — a consume–transform–produce job in Kafka transactions (KIP-447):
///
/// - a matching event that now passes goes to the valid topic (with `freshet.readmitted_from`);
/// - a matching event that still fails is appended to the quarantine topic again, with its current
///   failures and `freshet.readmit_count` + 1, and its original `freshet.source_*` headers;
/// - an event the filter does not match is appended to the quarantine topic unchanged.
///
/// Each transaction carries its outputs and the cursor's new offsets, so every quarantined event is
/// handled exactly once: a repeated call finds only what earlier calls appended. Nothing appended
/// during a call lies below its end offsets, so a call always ends. The records after the cursor
/// are, at any time, the outstanding quarantine.
///
/// Blocking; runs on its caller's thread (the readmit actor). Asks `cancelled` between batches and
/// aborts the open transaction when it answers true. Counts are those of committed transactions.
[[nodiscard]] result<readmit_counts> run_readmit(const readmit_config& cfg, const readmit_request& req, const gate& g,
                                                 const std::function<bool()>& cancelled, quality_probe* probe);

/// Whether a quarantined event's headers match the request's filter.
[[nodiscard]] bool readmit_matches(const kafka::consumed_record& quarantined, const readmit_request& req);

} // namespace freshet::quality_gate
