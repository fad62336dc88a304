#include "services/registry/registry_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::registry {

registry_probe::registry_probe(prometheus::Registry& reg)
    : requests_(prometheus::BuildCounter()
                  .Name("freshet_registry_requests_total")
                  .Help("REST requests answered, by endpoint and HTTP status")
                  .Register(reg)),
      latency_family_(prometheus::BuildHistogram()
                        .Name("freshet_registry_request_seconds")
                        .Help("REST request latency, by endpoint")
                        .Register(reg)),
      registrations_(prometheus::BuildCounter()
                       .Name("freshet_registry_registrations_total")
                       .Help("New subject versions written")
                       .Register(reg)
                       .Add({})),
      rejections_(prometheus::BuildCounter()
                    .Name("freshet_registry_compatibility_rejections_total")
                    .Help("Schemas found incompatible (409 on register, is_compatible=false on test)")
                    .Register(reg)
                    .Add({})),
      applied_(prometheus::BuildCounter()
                 .Name("freshet_registry_view_records_total")
                 .Help("Records of the _schemas topic applied to this replica's view")
                 .Register(reg)
                 .Add({})),
      lag_(prometheus::BuildGauge()
             .Name("freshet_registry_view_lag_records")
             .Help("Records between this replica's view and the end of the _schemas topic")
             .Register(reg)
             .Add({})),
      conflicts_(prometheus::BuildGauge()
                   .Name("freshet_registry_view_conflicts")
                   .Help("Records breaking an invariant (one id for two schemas, two ids for one version); must be 0")
                   .Register(reg)
                   .Add({})),
      fenced_(prometheus::BuildCounter()
                .Name("freshet_registry_writer_fenced_total")
                .Help("Writes retried because another replica took the writer role")
                .Register(reg)
                .Add({})),
      acquired_(prometheus::BuildCounter()
                  .Name("freshet_registry_writer_acquired_total")
                  .Help("Times this replica became the writer (init_transactions and read-to-end barrier)")
                  .Register(reg)
                  .Add({})),
      ready_(prometheus::BuildGauge()
               .Name("freshet_registry_ready")
               .Help("1 once the view has read _schemas to its end after start")
               .Register(reg)
               .Add({})) {}

void registry_probe::request(const std::string& endpoint, int http_status, double seconds) {
  requests_.Add({{"endpoint", endpoint}, {"status", std::to_string(http_status)}}).Increment();
  latency_family_.Add({{"endpoint", endpoint}}, metrics::latency_buckets()).Observe(seconds);
}

void registry_probe::registered() {
  registrations_.Increment();
}

void registry_probe::compatibility_rejected() {
  rejections_.Increment();
}

void registry_probe::view_applied(int64_t records) {
  applied_.Increment(static_cast<double>(records));
}

void registry_probe::view_lag(int64_t records) {
  lag_.Set(static_cast<double>(records));
}

void registry_probe::view_conflicts(int64_t total) {
  conflicts_.Set(static_cast<double>(total));
}

void registry_probe::writer_fenced() {
  fenced_.Increment();
}

void registry_probe::writer_acquired() {
  acquired_.Increment();
}

void registry_probe::ready(bool yes) {
  ready_.Set(yes ? 1 : 0);
}

} // namespace freshet::registry
