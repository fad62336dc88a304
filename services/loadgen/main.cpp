// freshet-loadgen: a synthetic clickstream source that publishes to ingest over gRPC at a set rate.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <thread>

#include <grpcpp/create_channel.h>

#include "common/base/clock.hpp"
#include "common/config/settings.hpp"
#include "freshet/v1/ingest.grpc.pb.h"
#include "services/loadgen/event_factory.hpp"

namespace {

std::atomic<bool> stop_requested{false};

struct totals {
  uint64_t sent = 0, accepted = 0, rejected = 0, retry = 0, failed_calls = 0, bad_sent = 0;
  std::map<std::string, uint64_t> accepted_by_stream;
};

void print(const char* label, const totals& t, double seconds) {
  std::printf("%s sent=%llu (bad %llu) accepted=%llu rejected=%llu retry=%llu failed_calls=%llu rate=%.0f/s\n", label,
              static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.bad_sent),
              static_cast<unsigned long long>(t.accepted), static_cast<unsigned long long>(t.rejected),
              static_cast<unsigned long long>(t.retry), static_cast<unsigned long long>(t.failed_calls),
              seconds > 0 ? static_cast<double>(t.sent) / seconds : 0.0);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  auto s = freshet::config::settings::load({{"ingest", "127.0.0.1:50051"},
                                            {"rate", "200"},
                                            {"duration_s", "0"},
                                            {"count", "0"},
                                            {"batch", "100"},
                                            {"users", "1000"},
                                            {"zipf", "1.1"},
                                            {"out_of_order_fraction", "0.1"},
                                            {"out_of_order_ms", "5000"},
                                            {"bad_fraction", "0.01"},
                                            {"seed", "42"},
                                            {"report_every_s", "5"}},
                                           argc, argv);
  if (!s) {
    std::fprintf(stderr, "freshet-loadgen: %s\n", s.err().describe().c_str());
    return 2;
  }
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });

  freshet::loadgen::factory_options opts;
  opts.users = static_cast<size_t>(s->get_int("users"));
  opts.zipf_s = s->get_double("zipf");
  opts.out_of_order_fraction = s->get_double("out_of_order_fraction");
  opts.out_of_order_ms = s->get_int("out_of_order_ms");
  opts.bad_fraction = s->get_double("bad_fraction");
  opts.seed = static_cast<uint64_t>(s->get_int("seed"));
  freshet::loadgen::event_factory factory{opts};

  auto stub = freshet::v1::IngestService::NewStub(
    grpc::CreateChannel(s->get("ingest"), grpc::InsecureChannelCredentials()));
  const double rate = s->get_double("rate");
  const auto batch = static_cast<size_t>(std::max<int64_t>(1, s->get_int("batch")));
  const auto limit = static_cast<uint64_t>(s->get_int("count"));
  const auto duration_ms = s->get_int("duration_s") * 1000;
  const auto report_ms = s->get_int("report_every_s") * 1000;
  std::printf("freshet-loadgen: %s at %.0f events/s, batches of %zu, %zu users (zipf %.2f), %.0f%% out of order "
              "(up to %lld ms), %.1f%% bad\n",
              s->get("ingest").c_str(), rate, batch, opts.users, opts.zipf_s, opts.out_of_order_fraction * 100,
              static_cast<long long>(opts.out_of_order_ms), opts.bad_fraction * 100);

  totals t;
  const int64_t start = freshet::now_ms();
  int64_t next_report = start + report_ms;
  while (!stop_requested) {
    int64_t now = freshet::now_ms();
    double elapsed = static_cast<double>(now - start) / 1000.0;
    if ((duration_ms > 0 && now - start >= duration_ms) || (limit > 0 && t.sent >= limit))
      break;
    auto due = static_cast<uint64_t>(elapsed * rate) + 1;
    if (limit > 0)
      due = std::min(due, limit);
    if (t.sent >= due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    // One request per stream, so each batch names its stream.
    std::map<std::string, freshet::v1::PublishRequest> reqs;
    for (size_t i = 0; i < std::min<uint64_t>(batch, due - t.sent); ++i) {
      auto ev = factory.next(now);
      auto& req = reqs[ev.stream];
      req.set_stream(ev.stream);
      auto* e = req.add_events();
      e->set_event_id(ev.event_id);
      e->set_payload(ev.payload);
      t.bad_sent += ev.bad ? 1 : 0;
    }
    for (auto& [stream, req] : reqs) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      freshet::v1::PublishResponse resp;
      auto st = stub->Publish(&ctx, req, &resp);
      t.sent += static_cast<uint64_t>(req.events_size());
      if (!st.ok()) {
        ++t.failed_calls;
        t.retry += static_cast<uint64_t>(req.events_size());
        continue;
      }
      t.accepted += resp.accepted();
      t.rejected += resp.rejected();
      t.retry += static_cast<uint64_t>(req.events_size()) - resp.accepted() - resp.rejected();
      t.accepted_by_stream[stream] += resp.accepted();
    }
    if (report_ms > 0 && now >= next_report) {
      print("progress", t, elapsed);
      next_report += report_ms;
    }
  }
  print("done", t, static_cast<double>(freshet::now_ms() - start) / 1000.0);
  for (const auto& [stream, n] : t.accepted_by_stream)
    std::printf("  accepted %-12s %llu\n", stream.c_str(), static_cast<unsigned long long>(n));
  return t.failed_calls > 0 && t.accepted == 0 ? 1 : 0;
}
