#include "services/enrich/reference_table.hpp"

#include <charconv>
#include <chrono>
#include <unordered_map>

#include "common/event/json_codec.hpp"

namespace freshet::enrich {

namespace {

constexpr std::string_view row_prefix = "r/";
constexpr std::string_view offset_prefix = "m/offset/";
constexpr std::string_view fingerprint_key = "m/fingerprint";
constexpr std::string_view saved_at_key = "m/saved_at";

std::string row_key(std::string_view key) {
  return std::string{row_prefix} + std::string{key};
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

error closed_error(const std::string& name) {
  return make_error(error_domain::internal, 1, "reference table " + name + " is closed", true);
}

} // namespace

reference_table::reference_table(std::string name, std::optional<config::ip_range_columns> ip_ranges,
                                 std::unique_ptr<state::kv_store> store)
    : name_(std::move(name)), ip_ranges_(std::move(ip_ranges)), store_(std::move(store)) {}

result<reference_table::stored_state> reference_table::stored() {
  std::lock_guard lock{mu_};
  if (!store_)
    return closed_error(name_);
  stored_state out;
  auto fp = store_->get(fingerprint_key);
  if (!fp)
    return fp.err();
  out.fingerprint = fp->value_or("");
  auto saved = store_->get(saved_at_key);
  if (!saved)
    return saved.err();
  if (*saved)
    out.saved_at_ms = to_int(**saved);
  status st = store_->scan(offset_prefix, [&](std::string_view k, std::string_view v) {
    auto p = to_int(k.substr(offset_prefix.size()));
    auto o = to_int(v);
    if (p && o)
      out.offsets[static_cast<int32_t>(*p)] = *o;
    return true;
  });
  if (!st.ok())
    return st.err();
  return out;
}

status reference_table::reset(const std::string& fingerprint, int64_t now_ms) {
  std::lock_guard lock{mu_};
  if (!store_)
    return closed_error(name_);
  FRESHET_TRY(store_->clear());
  state::write_batch b;
  b.put(std::string{fingerprint_key}, fingerprint);
  b.put(std::string{saved_at_key}, std::to_string(now_ms));
  FRESHET_TRY(store_->write(b));
  ranges_.clear();
  rows_ = 0;
  rebuild_index_locked();
  return {};
}

status reference_table::load() {
  std::lock_guard lock{mu_};
  return load_locked();
}

status reference_table::load_locked() {
  if (!store_)
    return closed_error(name_);
  size_t rows = 0;
  ranges_.clear();
  FRESHET_TRY(store_->scan(row_prefix, [&](std::string_view k, std::string_view v) {
    ++rows;
    std::string key{k.substr(row_prefix.size())};
    if (auto r = range_of(key, v))
      ranges_[key] = std::move(*r);
    return true;
  }));
  rows_ = rows;
  rebuild_index_locked();
  return {};
}

std::optional<ip_range> reference_table::range_of(const std::string& key, std::string_view json) const {
  if (!ip_ranges_)
    return std::nullopt;
  auto row = event::decode_json(json);
  if (!row)
    return std::nullopt;
  std::optional<ip_range> r;
  if (!ip_ranges_->cidr.empty()) {
    if (const auto* v = row->get(ip_ranges_->cidr))
      r = parse_cidr(event::as_text(*v));
  } else {
    const auto* first = row->get(ip_ranges_->first);
    const auto* last = row->get(ip_ranges_->last);
    if (first && last)
      r = parse_ip_pair(event::as_text(*first), event::as_text(*last));
  }
  if (r)
    r->key = key;
  return r;
}

result<reference_table::apply_stats> reference_table::apply(const std::vector<change>& changes,
                                                            const std::map<int32_t, int64_t>& positions,
                                                            int64_t now_ms) {
  std::lock_guard lock{mu_};
  if (!store_)
    return closed_error(name_);
  apply_stats stats;
  state::write_batch batch;
  // Whether each touched key exists after the changes so far, to keep an exact row count.
  std::unordered_map<std::string, bool> exists;
  bool ranges_changed = false;
  auto existed = [&](const std::string& key) -> result<bool> {
    if (auto it = exists.find(key); it != exists.end())
      return it->second;
    auto v = store_->get(row_key(key));
    if (!v)
      return v.err();
    return v->has_value();
  };
  int64_t rows = static_cast<int64_t>(rows_.load());
  for (const auto& c : changes) {
    auto before = existed(c.key);
    if (!before)
      return before.err();
    bool keep = false;
    if (c.value) {
      auto row = event::decode_json(*c.value);
      keep = row.ok();
      if (!keep)
        ++stats.rejected; // an unusable row is no row, as a rebuild from the topic would also find
    }
    if (keep) {
      batch.put(row_key(c.key), *c.value);
      ++stats.upserts;
      if (ip_ranges_) {
        auto r = range_of(c.key, *c.value);
        if (!r)
          ++stats.rejected;
        if (r)
          ranges_[c.key] = std::move(*r);
        else
          ranges_.erase(c.key);
        ranges_changed = true;
      }
    } else {
      batch.erase(row_key(c.key));
      if (c.value == std::nullopt)
        ++stats.deletes;
      if (ip_ranges_ && ranges_.erase(c.key) > 0)
        ranges_changed = true;
    }
    rows += static_cast<int64_t>(keep) - static_cast<int64_t>(*before);
    exists[c.key] = keep;
  }
  for (const auto& [partition, next] : positions)
    batch.put(std::string{offset_prefix} + std::to_string(partition), std::to_string(next));
  batch.put(std::string{saved_at_key}, std::to_string(now_ms));
  if (auto st = store_->write(batch); !st.ok()) {
    // The in-memory ranges may already hold changes the store refused: rebuild them from the store.
    (void) load_locked();
    return st.err();
  }
  rows_ = static_cast<size_t>(std::max<int64_t>(0, rows));
  if (ranges_changed)
    rebuild_index_locked();
  return stats;
}

status reference_table::touch(int64_t now_ms) {
  std::lock_guard lock{mu_};
  if (!store_)
    return closed_error(name_);
  return store_->put(std::string{saved_at_key}, std::to_string(now_ms));
}

void reference_table::mark_caught_up() {
  {
    std::lock_guard lock{ready_mu_};
    caught_up_ = true;
  }
  ready_cv_.notify_all();
}

bool reference_table::wait_caught_up(int timeout_ms) const {
  std::unique_lock lock{ready_mu_};
  return ready_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return caught_up_.load(); });
}

void reference_table::close() {
  std::lock_guard lock{mu_};
  store_.reset();
}

void reference_table::rebuild_index_locked() {
  std::vector<ip_range> ranges;
  ranges.reserve(ranges_.size());
  for (const auto& [key, r] : ranges_)
    ranges.push_back(r);
  index_ = std::make_shared<const ip_range_index>(ip_range_index::build(std::move(ranges)));
}

result<row_ptr> reference_table::find_locked(const std::string& key) {
  if (!store_)
    return closed_error(name_);
  auto v = store_->get(row_key(key));
  if (!v)
    return v.err();
  if (!*v)
    return row_ptr{};
  auto row = event::decode_json(**v);
  if (!row)
    return row_ptr{};
  return row_ptr{std::make_shared<const event::record>(std::move(*row))};
}

result<row_ptr> reference_table::find(const std::string& key) {
  std::lock_guard lock{mu_};
  return find_locked(key);
}

result<row_ptr> reference_table::find_ip(std::string_view ip) {
  auto addr = parse_ip(ip);
  if (!addr)
    return row_ptr{};
  std::lock_guard lock{mu_};
  const auto* key = index_->find(*addr);
  if (!key)
    return row_ptr{};
  return find_locked(*key);
}

} // namespace freshet::enrich
