#include "services/compaction/application.hpp"

#include <filesystem>

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"
#include "services/compaction/dlq_writer.hpp"
#include "services/compaction/lake_probe.hpp"
#include "services/compaction/lake_sink.hpp"
#include "services/compaction/maintenance_actor.hpp"
#include "services/compaction/maintenance_probe.hpp"
#include "services/compaction/sink_actor.hpp"
#include "services/compaction/tables_spec.hpp"

namespace freshet::compaction {

namespace {

result<parquet::compression_codec> codec_of(const std::string& name) {
  if (name == "zstd")
    return parquet::compression_codec::zstd;
  if (name == "snappy")
    return parquet::compression_codec::snappy;
  if (name == "gzip")
    return parquet::compression_codec::gzip;
  if (name == "none" || name == "uncompressed")
    return parquet::compression_codec::uncompressed;
  return make_error(error_domain::config, 44, "lake.codec must be zstd, snappy, gzip or none, not " + name);
}

} // namespace

application::application() = default;
application::~application() = default;

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50111"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"lake.dir", "build/lake"},
    {"kafka.group", "freshet-lake-sink"},
    {"lake.roll_bytes", "134217728"},   // a table commits when a file reaches ~128 MiB...
    {"lake.roll_ms", "60000"},          // ...or holds rows this old...
    {"lake.max_open_files", "32"},      // ...or more partitions (dates) are open at once
    {"lake.idle_commit_ms", "600000"},  // tables without new rows still record progress this often
    {"lake.codec", "zstd"},
    {"lake.row_group_bytes", "33554432"},
    {"lake.max_batch", "5000"},
    {"lake.dlq", "true"},               // rejects to the spec's dlq topic (else only counted and logged)
    {"lake.events", "true"},            // consume the enriched topic
    {"lake.rollups", "true"},           // consume the rollups topic
    {"lake.rollup_format", "protobuf"}, // freshet.v1.Rollup (the aggregate service), or json
    {"maintenance.enabled", "true"},    // OPTIMIZE / Z-order, VACUUM and log cleanup beside the sink
    {"maintenance.interval_ms", "600000"},
    {"maintenance.target_file_bytes", "134217728"},
    {"maintenance.min_files", "8"},     // a partition is compacted once it has this many small files
    {"maintenance.vacuum", "true"},
    {"maintenance.vacuum_retention_ms", ""}, // empty: each table's delta.deletedFileRetentionDuration
    {"maintenance.vacuum_force", "false"},   // allow a retention below the table's (tests only)
    {"maintenance.log_cleanup", "true"},     // delta.logRetentionDuration (default 30 days)
  };
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  auto logger = log::get("compaction");
  std::error_code ec;
  std::filesystem::create_directories(s.get("lake.dir"), ec);
  if (ec)
    return make_error(error_domain::io, ec.value(), "cannot create lake.dir: " + ec.message());
  const auto lake_dir = std::filesystem::absolute(s.get("lake.dir")).lexically_normal().string();

  auto spec = load_tables_spec(rt.spec());
  if (!spec)
    return spec.err();
  probe_ = std::make_unique<lake_probe>(rt.metrics());
  const auto client_id = "compaction-" + rt.instance_id();
  auto dlq = dlq_writer::create(s.get("kafka.bootstrap"), s.get_bool("lake.dlq") ? rt.spec().topic_name("dlq") : "",
                                client_id + "-dlq");
  if (!dlq)
    return dlq.err();
  dlq_ = std::move(*dlq);

  sink_options o;
  o.lake_dir = lake_dir;
  o.group = s.get("kafka.group");
  o.roll_bytes = static_cast<uint64_t>(s.get_int("lake.roll_bytes"));
  o.roll_ms = s.get_int("lake.roll_ms");
  o.max_open_files = static_cast<size_t>(s.get_int("lake.max_open_files"));
  o.idle_commit_ms = s.get_int("lake.idle_commit_ms");
  auto codec = codec_of(s.get("lake.codec"));
  if (!codec)
    return codec.err();
  o.parquet.codec = *codec;
  o.parquet.row_group_bytes = static_cast<size_t>(s.get_int("lake.row_group_bytes"));
  auto* dlq_ptr = dlq_.get();
  auto sink = std::make_unique<lake_sink>(
    o, *probe_, [dlq_ptr](const kafka::consumed_record& r, const rejected_record& why) { return dlq_ptr->reject(r, why); },
    [dlq_ptr] { return dlq_ptr->flush(10000); });

  if (s.get_bool("lake.events")) {
    auto router = make_event_router(rt.spec(), spec->events);
    if (!router)
      return router.err();
    FRESHET_TRY(sink->add_source(rt.spec().topic_name("enriched"), std::move(*router)));
  }
  if (s.get_bool("lake.rollups") && spec->rollups.enabled) {
    const auto& format = s.get("lake.rollup_format");
    if (format != "protobuf" && format != "json")
      return make_error(error_domain::config, 45, "lake.rollup_format must be protobuf or json, not " + format);
    auto decoder = format == "json" ? json_rollup_decoder() : protobuf_rollup_decoder(spec->rollups.group_by);
    auto router = make_rollup_router(spec->rollups, lake_dir, std::move(decoder));
    if (!router)
      return router.err();
    FRESHET_TRY(sink->add_source(rt.spec().topic_name("rollups"), std::move(*router)));
  }
  FRESHET_LOG(info, logger, "lake at {}: {} table(s); rolling at {} bytes / {} ms", lake_dir, sink->table_count(),
              o.roll_bytes, o.roll_ms);
  if (sink->topics().empty())
    return {};

  sink_actor_config cfg;
  cfg.consumer = kafka::consumer_config(s.get("kafka.bootstrap"), o.group, client_id);
  // Static membership: a restarted instance (same service.instance) gets its partitions back at once.
  cfg.consumer["group.instance.id"] = o.group + "-" + rt.instance_id();
  cfg.max_batch = static_cast<size_t>(s.get_int("lake.max_batch"));
  cfg.probe = probe_.get();
  auto actor = spawn_lake_sink(rt.system(), std::move(sink), std::move(cfg));
  if (!actor)
    return actor.err();
  sink_ = *actor;
  rt.on_stop("flush the DLQ producer", [this] { (void) dlq_->flush(5000); });
  rt.on_stop("commit open files and leave the group", [this, &rt] { stop_lake_sink(rt.system(), sink_, 15000); });
  return wire_up_maintenance(rt, lake_dir, spec->zorder_columns(), o.parquet);
}

status application::wire_up_maintenance(service::runtime& rt, const std::string& lake_dir,
                                        std::map<std::string, std::vector<std::string>> zorder_by,
                                        const parquet::writer_options& parquet) {
  const auto& s = rt.settings();
  if (!s.get_bool("maintenance.enabled"))
    return {};
  maintenance_settings m;
  m.interval_ms = s.get_int("maintenance.interval_ms");
  m.target_file_bytes = s.get_int("maintenance.target_file_bytes");
  const auto min_files = s.get_int("maintenance.min_files");
  if (m.interval_ms <= 0 || m.target_file_bytes <= 0 || min_files < 1)
    return make_error(error_domain::config, 46,
                      "maintenance.interval_ms and .target_file_bytes must be positive, .min_files at least 1");
  m.min_files = static_cast<size_t>(min_files);
  m.vacuum = s.get_bool("maintenance.vacuum");
  if (!s.get("maintenance.vacuum_retention_ms").empty())
    m.vacuum_retention_ms = s.get_int("maintenance.vacuum_retention_ms");
  m.vacuum_force = s.get_bool("maintenance.vacuum_force");
  m.log_cleanup = s.get_bool("maintenance.log_cleanup");
  m.parquet = parquet;
  m.parquet.row_group_bytes = std::max<size_t>(parquet.row_group_bytes, static_cast<size_t>(m.target_file_bytes));
  maintenance_probe_ = std::make_unique<maintenance_probe>(rt.metrics());
  FRESHET_LOG(info, log::get("compaction"), "maintenance every {} ms: files to {} bytes once {} are smaller, {} z-ordered table(s), vacuum {}",
              m.interval_ms, m.target_file_bytes, m.min_files, zorder_by.size(), m.vacuum ? "on" : "off");
  const auto interval = m.interval_ms;
  maintenance_ = spawn_maintenance(
    rt.system(), std::make_unique<maintenance>(lake_dir, std::move(zorder_by), std::move(m), *maintenance_probe_),
    interval);
  rt.on_stop("finish the maintenance round", [this, &rt] { stop_maintenance(rt.system(), maintenance_, 120000); });
  return {};
}

} // namespace freshet::compaction
