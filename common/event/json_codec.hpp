#pragma once

#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/event/record.hpp"

namespace freshet::event {

/// A JSON object into a record (nested objects flatten to dotted paths). Errors name the problem
/// ("payload is not valid JSON", "payload must be a JSON object").
[[nodiscard]] result<record> decode_json(std::string_view payload);

/// A record back into a JSON object (dotted paths become nested objects again).
[[nodiscard]] std::string encode_json(const record& r);

} // namespace freshet::event
