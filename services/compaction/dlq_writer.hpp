#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/base/result.hpp"
#include "common/kafka/producer.hpp"
#include "common/kafka/record.hpp"
#include "services/compaction/routing.hpp"

namespace freshet::compaction {

/// Records no table takes go to the dead-letter topic with the platform's reason headers
/// (`freshet.reason`, `freshet.message`, `freshet.stage: compaction`, `freshet.source_*`), original
/// key, value and headers kept. At least once: `flush` runs before every Delta commit, so a record
/// is in the DLQ before a txn version covering it is; a crash in between sends it again.
///
/// `produce` may be called from any thread; `flush` from the sink actor.
class dlq_writer {
 public:
  /// `topic` empty: rejects are only logged and counted.
  [[nodiscard]] static result<std::unique_ptr<dlq_writer>> create(const std::string& bootstrap, std::string topic,
                                                                   const std::string& client_id);

  [[nodiscard]] status reject(const kafka::consumed_record& rec, const rejected_record& why);
  /// Waits for every reject so far to be acknowledged; an error when one failed for good.
  [[nodiscard]] status flush(int timeout_ms);

 private:
  dlq_writer() = default;

  std::string topic_;
  std::unique_ptr<kafka::producer> producer_;
  std::atomic<int64_t> failed_{0};
  int64_t reported_failures_ = 0;
};

} // namespace freshet::compaction
