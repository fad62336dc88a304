#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "common/window/value.hpp"
#include "services/aggregate/filter_expression.hpp"

namespace freshet::aggregate {

/// A field of one event as metrics read it: null, a boolean, an integer, a real, or text (a view
/// into the record or the consumed bytes, valid while the event is being processed).
using field_ref = std::variant<std::monostate, bool, int64_t, double, std::string_view>;

/// One consumed event of the enriched topic as the metrics see it: its decoded fields, then its
/// metadata. A path names a record field (dotted for nested objects); when the record lacks it,
/// `stream`, `event_id` and `ingest_ts` fall back to the record's headers. `_stream`,
/// `_event_id`, `_ingest_ts`, `_timestamp` (the Kafka timestamp), `_partition`, `_offset` and
/// `_key` are metadata only. Borrowed: lives while its record and decoded fields do.
class event_view {
 public:
  event_view(const event::record& fields, const kafka::consumed_record& raw, std::string_view stream)
      : fields_(fields), raw_(raw), stream_(stream) {}

  [[nodiscard]] field_ref find(std::string_view path) const;
  [[nodiscard]] std::string_view stream() const { return stream_; }
  [[nodiscard]] const kafka::consumed_record& raw() const { return raw_; }

 private:
  [[nodiscard]] field_ref metadata(std::string_view name) const;

  const event::record& fields_;
  const kafka::consumed_record& raw_;
  std::string_view stream_;
};

/// The value as the windowing engine takes it (booleans count as 1 and 0).
[[nodiscard]] window::field_value to_engine(const field_ref& v);
/// The value as a filter sees it (numbers are doubles).
[[nodiscard]] filter_value to_filter(const field_ref& v);
/// The text of a group-by value: text as is, numbers as JSON prints them, booleans `true`/`false`,
/// null as "". Appends to `out`.
void append_text(const field_ref& v, std::string& out);
/// An epoch-millisecond time from an integer, a real or numeric text; nothing otherwise.
[[nodiscard]] bool as_millis(const field_ref& v, int64_t& out);

} // namespace freshet::aggregate
