#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/avro/schema.hpp"

namespace freshet::avro::detail {

/// What a `schema` shares: every node it owns, its named types and its identity.
struct schema_store {
  std::vector<std::unique_ptr<node>> nodes;
  std::unordered_map<std::string, const node*> named;
  const node* root = nullptr;
  std::string text;
  std::string canonical;
  uint64_t fingerprint = 0;
};

/// Parsing Canonical Form of the graph under `root`.
std::string canonical_form(const node& root);

/// Checks that `value` is a valid default (Avro JSON encoding, unions: first branch) for `n` and
/// appends its Avro binary to `out`. On failure returns false and sets `why`.
bool encode_default(const node& n, const nlohmann::json& value, std::string& out, std::string& why);

} // namespace freshet::avro::detail
