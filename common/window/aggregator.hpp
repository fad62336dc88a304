#pragma once

#include <cstddef>
#include <memory>
#include <vector>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/window/aggregation_spec.hpp"
#include "common/window/bytes.hpp"
#include "common/window/value.hpp"

namespace freshet::window {

/// The state of one aggregation over one window: fed values, merged with states of the same
/// aggregation (session merges, partial results from other instances), encoded to bytes (the
/// changelog, RocksDB, and mergeable sketches in Redis) and turned into a result.
///
/// Every implementation is order-insensitive in what it reports for count, sum (integers), min,
/// max, avg, count_distinct and quantiles: feeding or merging the same multiset in any order
/// gives the same result. Not thread-safe; owned by its window.
class aggregator {
 public:
  virtual ~aggregator() = default;

  [[nodiscard]] virtual agg_kind kind() const = 0;
  /// Feeds one value of the aggregation's field; nulls are ignored (count(*) is fed a non-null).
  virtual void add(const field_value& v) = 0;
  /// Folds `other` (same kind and parameters, else `incompatible_merge`) into this state.
  [[nodiscard]] virtual status merge(const aggregator& other) = 0;
  [[nodiscard]] virtual agg_value value() const = 0;
  [[nodiscard]] virtual std::unique_ptr<aggregator> clone() const = 0;

  /// State and parameters, without the kind (see `serialize` for self-describing bytes).
  virtual void encode(byte_writer& out) const = 0;
  /// Replaces the state (and parameters) with what `encode` wrote.
  [[nodiscard]] virtual status decode(byte_reader& in) = 0;
};

/// A fresh state for `spec` (which `validate` accepted).
[[nodiscard]] std::unique_ptr<aggregator> make_aggregator(const aggregation_spec& spec);

/// Where each aggregator of a metric sits when a window's aggregators share one allocation.
/// Built once per metric; must outlive every block made from it.
class aggregator_layout {
 public:
  explicit aggregator_layout(std::vector<aggregation_spec> specs);
  [[nodiscard]] size_t size() const { return specs_.size(); }
  [[nodiscard]] const aggregation_spec& spec(size_t i) const { return specs_[i]; }

 private:
  friend class aggregator_block;
  std::vector<aggregation_spec> specs_;
  std::vector<size_t> offsets_;
  size_t bytes_ = 0;
  size_t align_ = alignof(std::max_align_t);
};

/// The aggregators of one window in one memory block: one allocation and a few adjacent cache lines
/// instead of one heap object per aggregation (the operator's hot path walks them per event).
class aggregator_block {
 public:
  aggregator_block() = default;
  /// Fresh states for every aggregation of `layout`.
  explicit aggregator_block(const aggregator_layout& layout);
  ~aggregator_block();
  aggregator_block(aggregator_block&& o) noexcept;
  aggregator_block& operator=(aggregator_block&& o) noexcept;
  aggregator_block(const aggregator_block&) = delete;
  aggregator_block& operator=(const aggregator_block&) = delete;

  [[nodiscard]] size_t size() const { return layout_ == nullptr ? 0 : layout_->size(); }
  [[nodiscard]] aggregator& operator[](size_t i);
  [[nodiscard]] const aggregator& operator[](size_t i) const;

 private:
  void destroy(size_t built);

  const aggregator_layout* layout_ = nullptr;
  std::byte* mem_ = nullptr;
};

/// Self-describing, versioned bytes of a state: version, kind, parameters, state. These are what a
/// serving store keeps to merge windows or instances later ("mergeable form").
[[nodiscard]] std::string serialize(const aggregator& a);
void serialize_to(const aggregator& a, byte_writer& out);
/// The state `serialize` wrote.
[[nodiscard]] result<std::unique_ptr<aggregator>> deserialize(std::string_view bytes);
[[nodiscard]] result<std::unique_ptr<aggregator>> deserialize_from(byte_reader& in);
/// Reads what `serialize_to` wrote into an existing state of the same kind (else `spec_mismatch`).
[[nodiscard]] status deserialize_into(byte_reader& in, aggregator& a);

} // namespace freshet::window
