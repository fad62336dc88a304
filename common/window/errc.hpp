#pragma once

#include <string_view>

#include "common/base/result.hpp"

namespace freshet::window {

/// Reason codes of everything `freshet::window` rejects. Spec problems travel with
/// `error_domain::config`, unreadable state bytes with `error_domain::decode`, and misuse of the API
/// (merging sketches of different shapes) with `error_domain::internal`. Never renumber one.
enum class errc : int {
  // metric_spec validation.
  invalid_spec = 100,     ///< a metric spec field is missing or out of range
  invalid_window,         ///< window size/hop/gap not positive, or hop > size
  invalid_aggregation,    ///< an aggregation without output name, field, or with bad parameters

  // State bytes (aggregator states, operator snapshots, changelog records).
  truncated = 200,        ///< the bytes end before the value does
  bad_varint,             ///< a varint longer than 10 bytes
  bad_version,            ///< an encoding version this build does not read
  bad_kind,               ///< an aggregator kind byte that names no aggregator
  invalid_state,          ///< bytes that decode but describe an impossible state
  spec_mismatch,          ///< operator state written for a different metric spec

  // API misuse.
  incompatible_merge = 300, ///< merging aggregators of different kinds or parameters
  invalid_event,            ///< an event whose dims/values do not match the metric's shape
};

/// Stable snake_case name of a reason.
[[nodiscard]] const char* to_string(errc e);

/// An error of this library; the domain follows from the code's block (see `errc`).
[[nodiscard]] error make_window_error(errc e, std::string_view message);

} // namespace freshet::window
