#include "common/lake/snapshot.hpp"

#include <nlohmann/json.hpp>

#include "common/lake/errc.hpp"

namespace freshet::lake {

result<snapshot> snapshot::from_checkpoint(int64_t version, const std::vector<action>& actions) {
  snapshot s;
  for (const auto& a : actions)
    if (!std::holds_alternative<commit_info>(a))
      s.apply_one(a);
  s.version_ = version;
  if (!s.metadata_)
    return make_lake_error(errc::malformed_log, "checkpoint " + std::to_string(version) + " has no metaData");
  auto schema = parse_schema_string(s.metadata_->schema_string);
  if (!schema.ok())
    return schema.err();
  s.schema_ = std::move(*schema);
  s.metadata_dirty_ = false;
  return s;
}

status snapshot::apply(int64_t version, const std::vector<action>& actions) {
  if (version != version_ + 1)
    return make_lake_error(errc::malformed_log, "commit " + std::to_string(version) + " does not follow version " +
                                                  std::to_string(version_));
  last_commit_.reset();
  metadata_dirty_ = false;
  for (const auto& a : actions)
    apply_one(a);
  if (!metadata_)
    return make_lake_error(errc::malformed_log, "version " + std::to_string(version) + " has no metaData before it");
  if (metadata_dirty_) {
    auto schema = parse_schema_string(metadata_->schema_string);
    if (!schema.ok())
      return schema.err();
    schema_ = std::move(*schema);
    metadata_dirty_ = false;
  }
  version_ = version;
  return {};
}

void snapshot::apply_one(const action& a) {
  if (const auto* p = std::get_if<protocol_action>(&a)) {
    protocol_ = *p;
  } else if (const auto* m = std::get_if<metadata_action>(&a)) {
    metadata_ = *m;
    metadata_dirty_ = true;
  } else if (const auto* add = std::get_if<add_action>(&a)) {
    tombstones_.erase(add->path);
    files_[add->path] = *add;
  } else if (const auto* rm = std::get_if<remove_action>(&a)) {
    files_.erase(rm->path);
    tombstones_[rm->path] = *rm;
  } else if (const auto* t = std::get_if<txn_action>(&a)) {
    txns_[t->app_id] = *t;
  } else if (const auto* c = std::get_if<commit_info>(&a)) {
    last_commit_ = *c;
  }
}

std::optional<int64_t> snapshot::txn_version(const std::string& app_id) const {
  auto it = txns_.find(app_id);
  if (it == txns_.end())
    return std::nullopt;
  return it->second.version;
}

snapshot::totals snapshot::summary() const {
  totals t;
  for (const auto& [path, add] : files_) {
    ++t.files;
    t.bytes += add.size;
    auto n = add.stats ? num_records(*add.stats) : std::nullopt;
    if (n)
      t.records += *n;
    else
      ++t.files_without_stats;
  }
  return t;
}

status snapshot::check_readable() const {
  if (protocol_.min_reader_version > 1)
    return make_lake_error(errc::unsupported, "the table needs reader version " +
                                                std::to_string(protocol_.min_reader_version) + "; this library reads 1");
  return {};
}

status snapshot::check_writable() const {
  FRESHET_TRY(check_readable());
  if (protocol_.min_writer_version > 2)
    return make_lake_error(errc::unsupported, "the table needs writer version " +
                                                std::to_string(protocol_.min_writer_version) + "; this library writes 2");
  return {};
}

std::optional<int64_t> num_records(const std::string& stats_json) {
  auto doc = nlohmann::json::parse(stats_json, nullptr, false);
  if (!doc.is_object())
    return std::nullopt;
  auto it = doc.find("numRecords");
  if (it == doc.end() || !it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX))
    return std::nullopt;
  return it->get<int64_t>();
}

} // namespace freshet::lake
