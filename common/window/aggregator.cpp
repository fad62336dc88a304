#include "common/window/aggregator.hpp"

#include <algorithm>
#include <new>
#include <utility>

#include "common/window/detail/basic_aggregators.hpp"
#include "common/window/detail/sketch_aggregators.hpp"

namespace freshet::window {

namespace {

constexpr uint8_t state_version = 1;

/// A default-parameter state of kind `k`, to decode into (decode restores the parameters).
std::unique_ptr<aggregator> blank(agg_kind k) {
  aggregation_spec s;
  s.kind = k;
  return make_aggregator(s);
}

} // namespace

namespace {

bool is_sketch(agg_kind k) {
  return k == agg_kind::count_distinct || k == agg_kind::quantiles || k == agg_kind::top_k;
}

detail::footprint footprint_of(agg_kind k) {
  return is_sketch(k) ? detail::sketch_footprint(k) : detail::basic_footprint(k);
}

aggregator* construct(void* at, const aggregation_spec& spec) {
  return is_sketch(spec.kind) ? detail::construct_sketch(at, spec) : detail::construct_basic(at, spec);
}

} // namespace

std::unique_ptr<aggregator> make_aggregator(const aggregation_spec& spec) {
  return std::unique_ptr<aggregator>(construct(nullptr, spec));
}

aggregator_layout::aggregator_layout(std::vector<aggregation_spec> specs) : specs_(std::move(specs)) {
  for (const auto& s : specs_) {
    auto f = footprint_of(s.kind);
    align_ = std::max(align_, f.align);
    bytes_ = (bytes_ + f.align - 1) / f.align * f.align;
    offsets_.push_back(bytes_);
    bytes_ += f.size;
  }
}

aggregator_block::aggregator_block(const aggregator_layout& layout) : layout_(&layout) {
  if (layout.size() == 0)
    return;
  mem_ = static_cast<std::byte*>(::operator new(layout.bytes_, std::align_val_t(layout.align_)));
  size_t built = 0;
  try {
    for (; built < layout.size(); ++built)
      construct(mem_ + layout.offsets_[built], layout.specs_[built]);
  } catch (...) {
    destroy(built);
    throw;
  }
}

aggregator_block::~aggregator_block() {
  if (mem_ != nullptr)
    destroy(layout_->size());
}

void aggregator_block::destroy(size_t built) {
  for (size_t i = 0; i < built; ++i)
    (*this)[i].~aggregator();
  ::operator delete(mem_, std::align_val_t(layout_->align_));
  mem_ = nullptr;
}

aggregator_block::aggregator_block(aggregator_block&& o) noexcept
  : layout_(std::exchange(o.layout_, nullptr)), mem_(std::exchange(o.mem_, nullptr)) {}

aggregator_block& aggregator_block::operator=(aggregator_block&& o) noexcept {
  if (this != &o) {
    if (mem_ != nullptr)
      destroy(layout_->size());
    layout_ = std::exchange(o.layout_, nullptr);
    mem_ = std::exchange(o.mem_, nullptr);
  }
  return *this;
}

aggregator& aggregator_block::operator[](size_t i) {
  return *std::launder(reinterpret_cast<aggregator*>(mem_ + layout_->offsets_[i]));
}

const aggregator& aggregator_block::operator[](size_t i) const {
  return *std::launder(reinterpret_cast<const aggregator*>(mem_ + layout_->offsets_[i]));
}

void serialize_to(const aggregator& a, byte_writer& out) {
  out.u8(state_version);
  out.u8(static_cast<uint8_t>(a.kind()));
  a.encode(out);
}

std::string serialize(const aggregator& a) {
  std::string out;
  byte_writer w(out);
  serialize_to(a, w);
  return out;
}

result<std::unique_ptr<aggregator>> deserialize_from(byte_reader& in) {
  auto version = in.u8();
  auto kind = in.u8();
  FRESHET_TRY(in.check("aggregator header"));
  if (version != state_version)
    return make_window_error(errc::bad_version, "aggregator state version " + std::to_string(version));
  if (kind < 1 || kind > 8)
    return make_window_error(errc::bad_kind, "aggregator kind " + std::to_string(kind));
  auto a = blank(static_cast<agg_kind>(kind));
  FRESHET_TRY(a->decode(in));
  return a;
}

status deserialize_into(byte_reader& in, aggregator& a) {
  auto version = in.u8();
  auto kind = in.u8();
  FRESHET_TRY(in.check("aggregator header"));
  if (version != state_version)
    return make_window_error(errc::bad_version, "aggregator state version " + std::to_string(version));
  if (kind != static_cast<uint8_t>(a.kind()))
    return make_window_error(errc::spec_mismatch, std::string("aggregator state of kind ") + std::to_string(kind) +
                                                    " where " + to_string(a.kind()) + " was expected");
  return a.decode(in);
}

result<std::unique_ptr<aggregator>> deserialize(std::string_view bytes) {
  byte_reader in(bytes);
  auto a = deserialize_from(in);
  if (a.ok() && !in.at_end())
    return make_window_error(errc::invalid_state, "bytes left after the aggregator state");
  return a;
}

} // namespace freshet::window
