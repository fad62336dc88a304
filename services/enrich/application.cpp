#include "services/enrich/application.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/base/clock.hpp"
#include "common/kafka/admin.hpp"
#include "common/log/logger.hpp"
#include "common/redis/client.hpp"
#include "common/schema/registry_client.hpp"
#include "common/schema/retry.hpp"
#include "common/schema/stage_decoder.hpp"
#include "common/service/stage_wiring.hpp"
#include "common/state/kv_store.hpp"
#include "services/enrich/enrich_probe.hpp"
#include "services/enrich/enriched_schema.hpp"
#include "services/enrich/redis_table.hpp"
#include "services/enrich/reference_table.hpp"
#include "services/enrich/table_loader.hpp"

namespace freshet::enrich {

namespace {

result<std::string> read_text(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return make_error(error_domain::config, 21, "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string fingerprint(const config::table_spec& t) {
  std::string fp = "v1 topic=" + t.topic + " key=" + t.key_field;
  if (t.ip_ranges)
    fp += " ip=" + t.ip_ranges->cidr + "|" + t.ip_ranges->first + "|" + t.ip_ranges->last;
  return fp;
}

} // namespace

application::application() = default;
application::~application() = default;

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-enrich");
  d["grpc.listen"] = "0.0.0.0:50071";
  d["metrics.listen"] = "0.0.0.0:9100";
  // Empty: a private folder per process, removed at stop, and every table rebuilt from its topic.
  d["enrich.state_dir"] = "";
  // A store last current longer ago than this is rebuilt, not resumed; keep it below the dim
  // topics' delete.retention.ms (broker default 24 h). 0 = always rebuild.
  d["enrich.resume_max_age_ms"] = "43200000";
  d["enrich.ready_wait_ms"] = "1000";
  d["enrich.retry_backoff_ms"] = "500";
  d["registry.url"] = "";
  d["registry.timeout_ms"] = "30000";
  return d;
}

std::vector<kafka::outgoing_record> enrich_batch(const std::vector<kafka::consumed_record>& batch,
                                                 const std::string& enriched_topic) {
  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  for (const auto& rec : batch)
    out.push_back(kafka::forward(rec, enriched_topic));
  return out;
}

result<std::map<std::string, std::string>> application::derive_schemas(const service::runtime& rt,
                                                                        const config::enrichment_spec& spec) const {
  std::map<std::string, std::string> out;
  for (const auto& stream : rt.spec().streams) {
    if (stream.schema_file.empty())
      continue;
    auto base = read_text(rt.spec().resolve(stream.schema_file));
    if (!base)
      return base.err();
    auto outputs = outputs_for_stream(spec, stream.name, read_text);
    if (!outputs)
      return outputs.err();
    auto schema = derive_enriched_schema(*base, *outputs);
    if (!schema)
      return make_error(schema.err().domain, schema.err().code, "stream " + stream.name + ": " + schema.err().message);
    out[stream.name] = std::move(*schema);
  }
  return out;
}

result<std::map<std::string, int32_t>> application::register_schemas(
  const service::runtime& rt, const std::map<std::string, std::string>& schemas) const {
  auto logger = log::get("enrich");
  std::map<std::string, int32_t> ids;
  const auto& url = rt.settings().get("registry.url");
  if (url.empty()) {
    FRESHET_LOG(info, logger, "registry.url is empty: the enriched schemas of {} stream(s) are derived but not registered",
                schemas.size());
    return ids;
  }
  auto timeout = rt.settings().get_int("registry.timeout_ms");
  const int call_ms = static_cast<int>(std::min<int64_t>(timeout, 10000));
  schema::registry_client registry{schema::client_options{url, call_ms, std::min(call_ms, 2000)}};
  const int64_t deadline = now_ms() + timeout;
  for (const auto& [stream, schema] : schemas) {
    auto subject = enriched_subject(stream);
    auto id = schema::with_retries([&] { return registry.register_schema(subject, schema); }, deadline, 1000,
                                   "registering " + subject);
    if (!id)
      return id.err();
    FRESHET_LOG(info, logger, "registered the enriched schema of {} as {} (id {})", stream, subject, id->value());
    ids[stream] = id->value();
  }
  return ids;
}

result<table_set> application::open_tables(service::runtime& rt, const config::enrichment_spec& spec) {
  const auto& s = rt.settings();
  table_set tables;
  bool has_topic_tables = false;
  for (const auto& t : spec.tables)
    has_topic_tables = has_topic_tables || !t.is_redis();

  std::string base = s.get("enrich.state_dir");
  int64_t max_age = s.get_int("enrich.resume_max_age_ms");
  if (has_topic_tables && base.empty()) {
    auto tmpl = (std::filesystem::temp_directory_path() / "freshet-enrich-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      return make_error(error_domain::io, errno, "cannot create a state folder under " + tmpl);
    scratch_dir_ = base = tmpl;
    max_age = 0;
  }
  if (has_topic_tables)
    rt.on_stop("close the reference tables", [this] {
      for (auto& t : reference_tables_)
        t->close();
      if (!scratch_dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(scratch_dir_, ec);
      }
    });

  std::shared_ptr<redis::client> redis;
  for (const auto& t : spec.tables) {
    if (t.is_redis()) {
      if (!redis)
        redis = std::make_shared<redis::client>(s.get("redis.address"));
      tables.by_name[t.name] = std::make_shared<redis_table>(t.name, *t.redis, redis, probe_.get(),
                                                             [] { return mono_ns() / 1000000; });
      continue;
    }
    auto partitions = kafka::partition_count(s.get("kafka.bootstrap"), t.topic, 15000);
    if (!partitions)
      return make_error(partitions.err().domain, partitions.err().code,
                        "table " + t.name + ": " + partitions.err().message +
                          " (create the dim topics with freshet-admin create-topics)");
    auto store = state::open_rocksdb({base + "/" + t.name});
    if (!store)
      return make_error(store.err().domain, store.err().code,
                        "table " + t.name + ": " + store.err().message +
                          " (each freshet-enrich instance needs its own enrich.state_dir)");
    auto table = std::make_shared<reference_table>(t.name, t.ip_ranges, std::move(*store));
    reference_tables_.push_back(table);
    tables.by_name[t.name] = table;
    tables.reference[t.name] = table;

    table_loader_options opts;
    opts.topic = t.topic;
    opts.partitions = *partitions;
    opts.key_field = t.key_field;
    opts.fingerprint = fingerprint(t);
    opts.resume_max_age_ms = max_age;
    opts.consumer = kafka::consumer_config(s.get("kafka.bootstrap"), s.get("kafka.group") + ".dim",
                                           "enrich-dim-" + t.name + "-" + rt.instance_id());
    auto loader = spawn_table_loader(rt.system(), table, std::move(opts), *probe_);
    if (!loader)
      return make_error(loader.err().domain, loader.err().code, "table " + t.name + ": " + loader.err().message,
                        loader.err().retriable);
    if (loaders_.empty())
      rt.on_stop("stop the reference table loaders", [this, &rt] {
        for (auto& l : loaders_)
          stop_table_loader(rt.system(), l, 5000);
      });
    loaders_.push_back(*loader);
  }
  return tables;
}

status application::wire_up(service::runtime& rt) {
  auto logger = log::get("enrich");
  auto enriched_topic = rt.spec().topic_name("enriched");
  auto spec = config::load_enrichment_spec(rt.spec());
  if (!spec)
    return spec.err();
  if (spec->fields.empty()) {
    FRESHET_LOG(info, logger, "the spec declares no derived fields: events pass through unchanged");
    auto stage = service::wire_stage(rt, {"enrich", {rt.spec().topic_name("valid")}},
                                     [enriched_topic](const std::vector<kafka::consumed_record>& batch)
                                       -> result<std::vector<kafka::outgoing_record>> {
                                       return enrich_batch(batch, enriched_topic);
                                     });
    if (!stage)
      return stage.err();
    stage_ = *stage;
    return {};
  }

  auto schemas = derive_schemas(rt, *spec);
  if (!schemas)
    return schemas.err();
  probe_ = std::make_unique<enrich_probe>(rt.metrics());
  auto tables = open_tables(rt, *spec);
  if (!tables)
    return tables.err();

  enricher_options opts;
  opts.enriched_topic = enriched_topic;
  opts.quarantine_topic = rt.spec().topic_name("quarantine");
  opts.ready_wait_ms = static_cast<int>(rt.settings().get_int("enrich.ready_wait_ms"));
  opts.retry_backoff_ms = static_cast<int>(rt.settings().get_int("enrich.retry_backoff_ms"));
  auto decoder = schema::make_stage_decoder(rt.spec(), rt.settings().get("registry.url"),
                                            static_cast<int>(std::min<int64_t>(rt.settings().get_int("registry.timeout_ms"), 10000)));
  if (!decoder)
    return decoder.err();
  opts.decode = std::move(*decoder);
  auto made = enricher::create(*spec, std::move(*tables), opts, probe_.get());
  if (!made)
    return made.err();
  std::shared_ptr<enricher> e = std::move(*made);

  auto ids = register_schemas(rt, *schemas);
  if (!ids)
    return ids.err();
  e->set_schema_ids(std::move(*ids));

  FRESHET_LOG(info, logger, "enriching with {} derived field(s) over {} table(s)", spec->fields.size(),
              spec->tables.size());
  auto stage = service::wire_stage(rt, {"enrich", {rt.spec().topic_name("valid")}},
                                   [e](const std::vector<kafka::consumed_record>& batch) { return e->process(batch); });
  if (!stage)
    return stage.err();
  stage_ = *stage;
  return {};
}

} // namespace freshet::enrich
