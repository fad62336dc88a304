#include "common/schema/stream_catalog.hpp"

#include <fstream>
#include <sstream>

#include "common/schema/errc.hpp"

namespace freshet::schema {

stream_catalog::stream_catalog(std::vector<stream_schema> streams, bool from_registry)
    : streams_(std::move(streams)), from_registry_(from_registry) {}

const stream_schema* stream_catalog::find(std::string_view stream) const {
  for (const auto& s : streams_)
    if (s.stream == stream)
      return &s;
  return nullptr;
}

std::string subject_for(std::string_view stream) {
  return std::string{stream} + "-value";
}

result<avro::schema> load_stream_schema(const config::pipeline_spec& spec, const config::stream_spec& stream) {
  auto path = spec.resolve(stream.schema_file);
  std::ifstream in{path};
  if (!in)
    return make_error(error_domain::config, 1, "stream " + stream.name + ": cannot read schema file " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = avro::schema::parse(text.str());
  if (!parsed)
    return make_schema_error(errc::unparseable_schema, "stream " + stream.name + ": " + path + ": " +
                                                         parsed.err().message);
  return *parsed;
}

result<stream_catalog> local_catalog(const config::pipeline_spec& spec) {
  std::vector<stream_schema> out;
  for (const auto& st : spec.streams) {
    if (st.schema_file.empty())
      continue;
    auto s = load_stream_schema(spec, st);
    if (!s)
      return s.err();
    out.push_back({st.name, subject_for(st.name), schema_id{0}, 0, std::move(*s)});
  }
  return stream_catalog{std::move(out), false};
}

} // namespace freshet::schema
