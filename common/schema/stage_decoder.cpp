#include "common/schema/stage_decoder.hpp"

#include <memory>

#include "common/schema/cached_registry.hpp"
#include "common/schema/event_decoder.hpp"
#include "common/schema/stream_catalog.hpp"

namespace freshet::schema {

result<record_decoder> make_stage_decoder(const config::pipeline_spec& spec, const std::string& registry_url,
                                          int timeout_ms) {
  auto local = local_catalog(spec);
  if (!local)
    return local.err();
  std::shared_ptr<cached_registry> registry;
  if (!registry_url.empty())
    registry = std::make_shared<cached_registry>(client_options{registry_url, timeout_ms, std::min(timeout_ms, 2000)});
  auto decoder = std::make_shared<event_decoder>(registry.get(),
                                                 std::make_shared<const stream_catalog>(std::move(*local)));
  return record_decoder{[registry, decoder](std::string_view value, std::string_view stream) {
    return decoder->decode(value, stream);
  }};
}

} // namespace freshet::schema
