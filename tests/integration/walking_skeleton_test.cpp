// The walking skeleton end to end: events published over gRPC to ingest travel through real Kafka
// topics, quality-gate, enrich and aggregate (each its own process) into Redis, and the query
// service's gRPC API reports them. Schemas come from freshet-registry: events travel as Avro framed
// with the registered ids.
#include <csignal>
#include <map>
#include <memory>

#include <cstdlib>

#include <gtest/gtest.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/health_check_service_interface.h>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "freshet/v1/ingest.grpc.pb.h"
#include "freshet/v1/query.grpc.pb.h"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
using namespace std::chrono_literals;

namespace {

const std::string spec_path = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml";

struct pipeline_processes {
  int ingest_grpc = 0, ingest_http = 0, query_grpc = 0, query_http = 0;
  std::vector<std::unique_ptr<fs::child_process>> procs;

  void start() {
    auto ports = fs::free_ports(10);
    ingest_grpc = ports[0];
    ingest_http = ports[1];
    query_grpc = ports[2];
    query_http = ports[3];
    auto common = [&](int grpc_port) {
      return std::vector<std::string>{"--pipeline.spec=" + spec_path,
                                      "--kafka.bootstrap=" + fs::stack::bootstrap(),
                                      "--redis.address=" + fs::stack::redis_address(),
                                      "--grpc.listen=127.0.0.1:" + std::to_string(grpc_port),
                                      "--metrics.listen=127.0.0.1:0"};
    };
    auto launch = [&](const std::string& name, std::vector<std::string> args) {
      procs.push_back(std::make_unique<fs::child_process>(fs::binary_path("freshet-" + name), args,
                                                          fs::stack::work_dir() + "/" + name + ".log"));
    };
    auto with_http = [&](std::vector<std::string> args, int http_port) {
      args.push_back("--http.listen=127.0.0.1:" + std::to_string(http_port));
      return args;
    };
    // The registry first: ingest registers the streams' schemas at start (waiting for it), frames
    // events with the registered ids, and the stages after it decode by id.
    const std::string registry_url = "http://127.0.0.1:" + std::to_string(ports[8]);
    auto with_registry = [&](std::vector<std::string> args) {
      args.push_back("--registry.url=" + registry_url);
      return args;
    };
    launch("registry", with_http(common(ports[9]), ports[8]));
    launch("ingest", with_registry(with_http(common(ingest_grpc), ingest_http)));
    launch("quality-gate", with_registry(common(ports[4])));
    launch("enrich", with_registry(common(ports[5])));
    launch("aggregate", common(ports[6]));
    launch("query", with_http(common(query_grpc), query_http));
  }
};

std::shared_ptr<grpc::Channel> channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
}

freshet::v1::PublishRequest batch(const std::string& stream, int from, int n, int64_t ts) {
  freshet::v1::PublishRequest req;
  req.set_stream(stream);
  for (int i = from; i < from + n; ++i) {
    auto* e = req.add_events();
    e->set_event_id(stream + "-" + std::to_string(i));
    const std::string head = R"({"user_id":"u)" + std::to_string(i % 17) + R"(","ts":)" + std::to_string(ts);
    const std::string n = std::to_string(i);
    if (stream == "page_view")
      e->set_payload(head + R"(,"url":"/p/)" + n + R"("})");
    else if (stream == "add_to_cart")
      e->set_payload(head + R"(,"sku":"sku-)" + n + R"(","quantity":2,"unit_price":9.5,"currency":"EUR"})");
    else
      e->set_payload(head + R"(,"order_id":"o-)" + n + R"(","amount":19.0,"currency":"USD","items":2})");
  }
  return req;
}

} // namespace

TEST(walking_skeleton, events_published_over_grpc_are_counted_by_the_query_api) {
  auto spec = freshet::config::load_pipeline_spec(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  auto created = freshet::kafka::create_topics(fs::stack::bootstrap(), spec->topics);
  ASSERT_TRUE(created.ok()) << created.err().describe();

  pipeline_processes p;
  p.start();
  auto ingest = freshet::v1::IngestService::NewStub(channel(p.ingest_grpc));
  auto query = freshet::v1::QueryService::NewStub(channel(p.query_grpc));

  const std::map<std::string, int> per_stream{{"page_view", 150}, {"add_to_cart", 60}, {"purchase", 30}};
  const int64_t ts = freshet::now_ms();
  int accepted = 0;
  for (const auto& [stream, n] : per_stream) {
    for (int from = 0; from < n; from += 50) {
      freshet::v1::PublishResponse resp;
      grpc::Status st;
      ASSERT_TRUE(fs::eventually(
        [&] {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + 10s);
          resp.Clear();
          st = ingest->Publish(&ctx, batch(stream, from, std::min(50, n - from), ts), &resp);
          return st.ok();
        },
        60s))
        << st.error_message();
      accepted += static_cast<int>(resp.accepted());
      for (const auto& r : resp.results())
        EXPECT_EQ(r.status(), freshet::v1::EVENT_STATUS_ACCEPTED) << r.reason_code() << ": " << r.message();
    }
  }
  ASSERT_EQ(accepted, 240);

  // A bad event is dead-lettered, answered as rejected, and never counted.
  {
    freshet::v1::PublishRequest bad;
    bad.set_stream("page_view");
    bad.add_events()->set_payload("{not json");
    bad.add_events()->set_payload(R"({"user_id":"u1","ts":"yesterday","url":"/"})");
    freshet::v1::PublishResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(ingest->Publish(&ctx, bad, &resp).ok());
    EXPECT_EQ(resp.rejected(), 2u);
    EXPECT_EQ(resp.results(0).reason_code(), "malformed_json");
    EXPECT_EQ(resp.results(1).reason_code(), "bad_timestamp");
  }

  freshet::v1::GetEventCountsResponse counts;
  bool all_counted = fs::eventually(
    [&] {
      grpc::ClientContext ctx;
      freshet::v1::GetEventCountsRequest req;
      counts.Clear();
      return query->GetEventCounts(&ctx, req, &counts).ok() && counts.total() >= 240;
    },
    90s);
  if (!all_counted) {
    // The test dir goes with the stack: show what the services said beyond info lines.
    for (const auto& proc : p.procs)
      (void) std::system(("echo '--- " + proc->log_file() + "' >&2; grep -v ' info ' " + proc->log_file() +
                          " | tail -n 30 >&2")
                           .c_str());
  }
  ASSERT_TRUE(all_counted) << "query reports " << counts.total() << " of 240";
  EXPECT_EQ(counts.total(), 240);
  for (const auto& [stream, n] : per_stream)
    EXPECT_EQ(counts.total_by_stream().at(stream), n) << stream;

  // Every service answers gRPC health, then stops cleanly on SIGTERM.
  {
    grpc::ClientContext ctx;
    auto health = channel(p.query_grpc);
    EXPECT_TRUE(health->WaitForConnected(std::chrono::system_clock::now() + 5s));
  }
  for (auto& proc : p.procs)
    proc->signal(SIGTERM);
  for (auto& proc : p.procs) {
    auto code = proc->wait(30s);
    ASSERT_TRUE(code.has_value()) << proc->log_file() << " did not stop";
    EXPECT_EQ(*code, 0) << proc->log_file();
  }
}
