#include "services/ingest/schema_refresh.hpp"

#include <chrono>

#include "common/log/logger.hpp"
#include "common/schema/stream_schemas.hpp"

namespace freshet::ingest {

schema_refresh::schema_refresh(schema::cached_registry& registry, catalog_holder& holder, int64_t period_ms)
    : registry_(registry), holder_(holder), period_ms_(period_ms), thread_([this] { run(); }) {}

schema_refresh::~schema_refresh() {
  stop();
}

void schema_refresh::stop() {
  {
    std::lock_guard guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void schema_refresh::run() {
  auto logger = log::get("ingest.schemas");
  std::unique_lock guard{mtx_};
  while (!cv_.wait_for(guard, std::chrono::milliseconds(period_ms_), [this] { return stopping_; })) {
    guard.unlock();
    auto current = holder_.get();
    auto fresh = schema::refresh_latest(*current, registry_);
    if (!fresh) {
      FRESHET_LOG(warn, logger, "schema refresh failed, keeping the current schemas: {}", fresh.err().message);
    } else {
      bool changed = false;
      for (const auto& s : fresh->streams()) {
        const auto* old = current->find(s.stream);
        if (!old || old->id != s.id) {
          FRESHET_LOG(info, logger, "stream {}: now schema id {} (version {}) of {}", s.stream, s.id.value(),
                      s.version, s.subject);
          changed = true;
        }
      }
      if (changed)
        holder_.set(std::make_shared<const schema::stream_catalog>(std::move(*fresh)));
    }
    guard.lock();
  }
}

} // namespace freshet::ingest
