// freshet-ingest against a real broker and a real freshet-registry (child processes):
// - the catalogue of bad input, one table: for every kind, the client's answer says which event
//   was refused and why, the dead letter on events.dlq carries the original bytes and the headers
//   (reason, message, stream, schema id, received-at), accepted + dead-lettered = sent, and at the
//   end the service is still healthy and its metrics count every reason;
// - what lands on events.raw (Avro framed with the registered id, key, event time, headers) and that
//   ingest's records and a third party's decode alike downstream;
// - the local fallback without a registry, client streams, HTTP, and backpressure: the memory bound
//   (RESOURCE_EXHAUSTED / 429) and Kafka down (RETRY, then UNAVAILABLE / 503), losing nothing acked.
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <future>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/avro/json_encoder.hpp"
#include "common/avro/wire_format.hpp"
#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/schema/cached_registry.hpp"
#include "common/schema/event_decoder.hpp"
#include "common/schema/stream_schemas.hpp"
#include "freshet/v1/ingest.grpc.pb.h"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
namespace v1 = freshet::v1;
using namespace std::chrono_literals;

namespace {

const std::string spec_path = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml";
constexpr int max_event_bytes = 4096;
constexpr int max_batch_events = 100;

// ---- processes ----------------------------------------------------------------------------------

std::shared_ptr<grpc::Channel> channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
}

struct http_reply {
  long status = 0;
  std::string body;
  std::string retry_after;
};

size_t collect(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

size_t header_line(char* p, size_t s, size_t n, void* out) {
  std::string line{p, s * n};
  if (line.size() > 12 && strncasecmp(line.c_str(), "Retry-After:", 12) == 0) {
    auto v = line.substr(12);
    v.erase(0, v.find_first_not_of(" \t"));
    *static_cast<std::string*>(out) = v.substr(0, v.find_first_of("\r\n"));
  }
  return s * n;
}

http_reply http(const std::string& method, const std::string& url, const std::string& body = "") {
  http_reply r;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.retry_after);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(c);
  return r;
}

/// freshet-registry on the test broker.
struct registry_process {
  int http_port = 0;
  std::unique_ptr<fs::child_process> proc;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port); }
  void start() {
    auto ports = fs::free_ports(2);
    http_port = ports[0];
    proc = std::make_unique<fs::child_process>(
      fs::binary_path("freshet-registry"),
      std::vector<std::string>{"--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                               "--http.listen=127.0.0.1:" + std::to_string(http_port),
                               "--grpc.listen=127.0.0.1:" + std::to_string(ports[1]), "--metrics.listen=127.0.0.1:0",
                               "--service.instance=registry-test"},
      fs::stack::work_dir() + "/registry.log");
    ASSERT_TRUE(fs::eventually([&] { return http("GET", url() + "/subjects").status == 200; }, 90s))
      << "the registry did not come up; see " << proc->log_file();
  }
};

struct ingest_process {
  int grpc_port = 0, http_port = 0, metrics_port = 0;
  std::unique_ptr<fs::child_process> proc;
  std::unique_ptr<v1::IngestService::Stub> stub;

  void start(const std::string& name, std::vector<std::string> extra, const std::string& bootstrap = "") {
    auto ports = fs::free_ports(3);
    grpc_port = ports[0];
    http_port = ports[1];
    metrics_port = ports[2];
    std::vector<std::string> args{"--pipeline.spec=" + spec_path,
                                  "--kafka.bootstrap=" + (bootstrap.empty() ? fs::stack::bootstrap() : bootstrap),
                                  "--grpc.listen=127.0.0.1:" + std::to_string(grpc_port),
                                  "--http.listen=127.0.0.1:" + std::to_string(http_port),
                                  "--metrics.listen=127.0.0.1:" + std::to_string(metrics_port),
                                  "--service.instance=" + name,
                                  "--ingest.max_event_bytes=" + std::to_string(max_event_bytes),
                                  "--ingest.max_batch_events=" + std::to_string(max_batch_events)};
    args.insert(args.end(), extra.begin(), extra.end());
    proc = std::make_unique<fs::child_process>(fs::binary_path("freshet-ingest"), args,
                                               fs::stack::work_dir() + "/" + name + ".log");
    stub = v1::IngestService::NewStub(channel(grpc_port));
    ASSERT_TRUE(fs::eventually([&] { return healthy(); }, 90s)) << name << " did not come up; see " << proc->log_file();
  }

  /// grpc.health.v1.Health/Check answers SERVING (the messages encoded by hand: an empty request
  /// is zero bytes, the answer is field 1 = status, SERVING = 1).
  [[nodiscard]] bool healthy() const {
    grpc::GenericStub stub{channel(grpc_port)};
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 2s);
    grpc::Slice empty{std::string{}};
    grpc::ByteBuffer request{&empty, 1}, response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions{}, &request, &response,
                   [&](grpc::Status s) { done.set_value(std::move(s)); });
    if (!done.get_future().get().ok())
      return false;
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok())
      return false;
    std::string bytes;
    for (const auto& sl : slices)
      bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    return bytes == std::string("\x08\x01", 2);
  }

  std::string url(const std::string& stream) const {
    return "http://127.0.0.1:" + std::to_string(http_port) + "/v1/streams/" + stream + "/events";
  }
};

// ---- requests -----------------------------------------------------------------------------------

struct event_spec {
  event_spec(std::string p, std::string id = "", v1::PayloadFormat f = v1::PAYLOAD_FORMAT_JSON)
      : payload(std::move(p)), event_id(std::move(id)), format(f) {}
  std::string payload;
  std::string event_id;
  v1::PayloadFormat format;
};

struct call_result {
  grpc::Status status;
  v1::PublishResponse resp;
  std::string retry_after_ms; ///< trailing metadata, when set
};

v1::PublishRequest request(const std::string& stream, const std::vector<event_spec>& events) {
  v1::PublishRequest req;
  req.set_stream(stream);
  for (const auto& e : events) {
    auto* ev = req.add_events();
    ev->set_payload(e.payload);
    ev->set_event_id(e.event_id);
    ev->set_format(e.format);
  }
  return req;
}

call_result publish(ingest_process& ing, const std::string& stream, const std::vector<event_spec>& events) {
  call_result r;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 60s);
  r.status = ing.stub->Publish(&ctx, request(stream, events), &r.resp);
  auto md = ctx.GetServerTrailingMetadata();
  if (auto it = md.find("retry-after-ms"); it != md.end())
    r.retry_after_ms = std::string{it->second.data(), it->second.size()};
  return r;
}

std::string page_view(const std::string& user, int64_t ts, const std::string& url = "/p") {
  return R"({"user_id":")" + user + R"(","ts":)" + std::to_string(ts) + R"(,"url":")" + url + R"("})";
}

std::string avro_framed(int32_t id, const std::string& schema_text, const std::string& json) {
  freshet::avro::json_encoder enc{*freshet::avro::schema::parse(schema_text)};
  std::string out;
  EXPECT_TRUE(enc.encode_framed(freshet::schema_id{id}, json, out).ok());
  return out;
}

// ---- reading topics -----------------------------------------------------------------------------

/// Every record of `topic` whose event id starts with `prefix`, once at least `expected` of them
/// have arrived and nothing new came for a second (or 60 s passed). Fresh group, from the start.
std::vector<kafka::consumed_record> read_records(const std::string& topic, const std::string& prefix, size_t expected) {
  static int group = 0;
  auto c = kafka::consumer::create(
    kafka::consumer_config(fs::stack::bootstrap(), "ingest-test-" + std::to_string(++group), "ingest-test"));
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE((*c)->subscribe({topic}).ok());
  std::vector<kafka::consumed_record> out;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  auto last_new = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = (*c)->poll_batch(1000, 200);
    if (batch.ok() && !batch->empty()) {
      for (auto& r : *batch) {
        const auto* id = r.find_header(kafka::headers::event_id);
        if (id && id->starts_with(prefix))
          out.push_back(std::move(r));
      }
      last_new = std::chrono::steady_clock::now();
    }
    if (out.size() >= expected && std::chrono::steady_clock::now() - last_new > 1s)
      break;
  }
  (*c)->close();
  return out;
}

std::string header(const kafka::consumed_record& r, const char* key) {
  const auto* h = r.find_header(key);
  return h ? *h : std::string{"<missing>"};
}

double metric(int port, const std::string& name) {
  return fs::scrape_metric(port, name);
}

/// The registry and one ingest using it, shared by the tests of this binary.
struct environment {
  registry_process registry;
  ingest_process ingest;
  freshet::config::pipeline_spec spec;
  std::unique_ptr<freshet::schema::cached_registry> client;
  bool started = false;
};

environment& env() {
  static environment e;
  if (!e.started) {
    e.started = true;
    auto spec = freshet::config::load_pipeline_spec(spec_path);
    EXPECT_TRUE(spec.ok());
    e.spec = *spec;
    EXPECT_TRUE(kafka::create_topics(fs::stack::bootstrap(), e.spec.topics).ok());
    e.registry.start();
    e.client = std::make_unique<freshet::schema::cached_registry>(freshet::schema::client_options{e.registry.url()});
    e.ingest.start("ingest-main", {"--registry.url=" + e.registry.url(), "--registry.refresh_ms=1000"});
  }
  return e;
}

} // namespace

// ---- the catalogue ------------------------------------------------------------------------------

namespace {

/// One kind of bad input: a batch of one bad event between two good ones (so the count invariant
/// is about a mixed batch), unless `alone`.
struct bad_case {
  bad_case(std::string n, std::string s, event_spec b, std::string r, bool a = false, bool known = true)
      : name(std::move(n)), stream(std::move(s)), bad(std::move(b)), reason(std::move(r)), alone(a),
        schema_id_known(known) {}
  std::string name;     ///< also the event-id prefix
  std::string stream;
  event_spec bad;
  std::string reason;   ///< expected reason code (client answer and DLQ header)
  bool alone;           ///< send the bad event by itself
  bool schema_id_known; ///< the DLQ record names a schema id
};

} // namespace

TEST(ingest_catalogue, every_kind_of_bad_input_is_refused_clearly_and_dead_lettered_with_its_bytes) {
  auto& e = env();
  const int64_t ts = freshet::now_ms();
  const std::string pv_text = freshet::testing::read_file(e.spec.resolve("schemas/page_view.avsc"));
  const std::string purchase_text = freshet::testing::read_file(e.spec.resolve("schemas/purchase.avsc"));
  auto pv_latest = e.client->latest("page_view-value");
  auto purchase_latest = e.client->latest("purchase-value");
  ASSERT_TRUE(pv_latest.ok() && purchase_latest.ok()) << "ingest registered the streams at start";
  const int pv_id = pv_latest->registered.id.value();
  const int purchase_id = purchase_latest->registered.id.value();
  const std::string good_avro = avro_framed(pv_id, pv_text, page_view("ua", ts));
  const std::string purchase_json =
    R"({"user_id":"u1","ts":)" + std::to_string(ts) + R"(,"order_id":"o1","amount":5.5,"currency":"EUR","items":2})";

  std::vector<bad_case> cases = {
    {"malformed-json", "page_view", {R"({"user_id":"u1","ts":1700000000000,"url":)"}, "malformed_json"},
    {"trailing-garbage", "page_view", {page_view("u1", ts) + " }"}, "malformed_json"},
    {"wrong-type", "page_view", {R"({"user_id":"u1","ts":1700000000000,"url":5})"}, "wrong_type"},
    {"missing-field", "page_view", {R"({"user_id":"u1","ts":1700000000000})"}, "missing_field"},
    {"null-in-non-null", "page_view", {R"({"user_id":null,"ts":1700000000000,"url":"/"})"}, "null_not_allowed"},
    {"unknown-enum", "purchase",
     {R"({"user_id":"u1","ts":1700000000000,"order_id":"o","amount":1,"currency":"XYZ","items":1})"},
     "unknown_enum_symbol"},
    {"out-of-range", "purchase",
     {R"({"user_id":"u1","ts":1700000000000,"order_id":"o","amount":1,"currency":"EUR","items":1099511627776})"},
     "number_out_of_range"},
    {"invalid-utf8", "page_view", {"{\"user_id\":\"u\xff\xfe\",\"ts\":1700000000000,\"url\":\"/\"}"}, "invalid_utf8"},
    {"unknown-field", "page_view", {R"({"usr_id":"u1","user_id":"u1","ts":1700000000000,"url":"/"})"}, "unknown_field"},
    {"bad-timestamp-text", "page_view", {R"({"user_id":"u1","ts":"yesterday","url":"/"})"}, "bad_timestamp"},
    {"bad-timestamp-negative", "page_view", {R"({"user_id":"u1","ts":-5,"url":"/"})"}, "bad_timestamp"},
    {"unknown-stream", "no_such_stream", {page_view("u1", ts)}, "unknown_stream", true, false},
    {"event-too-large", "page_view", {page_view("u1", ts, "/" + std::string(max_event_bytes, 'x'))}, "event_too_large"},
    {"bad-event-id", "page_view", {page_view("u1", ts), "cat-bad-event-id-" + std::string(300, 'i')}, "bad_event_id", true},
    {"unknown-schema-id", "page_view",
     {avro_framed(987654, pv_text, page_view("u1", ts)), "", v1::PAYLOAD_FORMAT_AVRO}, "unknown_schema_id"},
    {"truncated-avro", "page_view",
     {good_avro.substr(0, good_avro.size() - 4), "", v1::PAYLOAD_FORMAT_AVRO}, "truncated"},
    {"garbage-avro", "page_view",
     {good_avro.substr(0, 5) + std::string(12, '\xff'), "", v1::PAYLOAD_FORMAT_AVRO}, "bad_varint"},
    {"avro-trailing-bytes", "page_view", {good_avro + "\x02", "", v1::PAYLOAD_FORMAT_AVRO}, "trailing_bytes"},
    {"not-framed", "page_view", {"\x01" + good_avro.substr(1), "", v1::PAYLOAD_FORMAT_AVRO}, "not_confluent_framed", false,
     false},
    {"other-subject", "page_view",
     {avro_framed(purchase_id, purchase_text, purchase_json), "", v1::PAYLOAD_FORMAT_AVRO}, "schema_mismatch"},
  };

  struct sent_case {
    bad_case c;
    call_result answer;
    std::vector<std::string> ids; ///< the batch's event ids, in order
    size_t bad_index = 0;
  };
  std::vector<sent_case> sent;
  size_t expected_dead = 0, expected_accepted = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<event_spec> batch;
    sent_case s{c, {}, {}, 0};
    auto prefix = "cat-" + c.name + "-";
    if (!c.alone)
      batch.push_back({c.stream == "purchase" ? purchase_json : page_view("u-good", ts), prefix + "good-1"});
    s.bad_index = batch.size();
    auto bad = c.bad;
    if (bad.event_id.empty())
      bad.event_id = prefix + "bad";
    batch.push_back(bad);
    if (!c.alone)
      batch.push_back({c.stream == "purchase" ? purchase_json : page_view("u-good", ts + 1), prefix + "good-2"});
    for (const auto& b : batch)
      s.ids.push_back(b.event_id);
    s.answer = publish(e.ingest, c.stream, batch);
    ASSERT_TRUE(s.answer.status.ok()) << s.answer.status.error_message();
    const auto& resp = s.answer.resp;
    ASSERT_EQ(resp.results_size(), static_cast<int>(batch.size()));
    const auto& r = resp.results(static_cast<int>(s.bad_index));
    EXPECT_EQ(r.status(), v1::EVENT_STATUS_REJECTED);
    EXPECT_EQ(r.reason_code(), c.reason) << r.message();
    EXPECT_FALSE(r.message().empty());
    EXPECT_EQ(r.event_id(), bad.event_id);
    EXPECT_EQ(resp.rejected(), 1u);
    EXPECT_EQ(resp.accepted(), batch.size() - 1);
    for (int i = 0; i < resp.results_size(); ++i) {
      if (static_cast<size_t>(i) != s.bad_index) {
        EXPECT_EQ(resp.results(i).status(), v1::EVENT_STATUS_ACCEPTED) << resp.results(i).message();
      }
    }
    expected_dead += 1;
    expected_accepted += batch.size() - 1;
    sent.push_back(std::move(s));
  }

  // A duplicate id in one batch: the first is taken, the second dead-lettered.
  {
    auto dup = publish(e.ingest, "page_view", {{page_view("u1", ts), "cat-duplicate-x"}, {page_view("u2", ts), "cat-duplicate-x"}});
    ASSERT_TRUE(dup.status.ok());
    EXPECT_EQ(dup.resp.results(0).status(), v1::EVENT_STATUS_ACCEPTED);
    EXPECT_EQ(dup.resp.results(1).status(), v1::EVENT_STATUS_REJECTED);
    EXPECT_EQ(dup.resp.results(1).reason_code(), "duplicate_event_id");
    expected_dead += 1;
    expected_accepted += 1;
  }
  // Whole batches refused: nothing of them is taken (nothing accepted, nothing dead-lettered).
  {
    auto empty = publish(e.ingest, "page_view", {});
    EXPECT_EQ(empty.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(empty.status.error_message().find("empty batch"), std::string::npos);
    std::vector<event_spec> many;
    for (int i = 0; i <= max_batch_events; ++i)
      many.push_back({page_view("u", ts), "cat-oversize-" + std::to_string(i)});
    auto oversize = publish(e.ingest, "page_view", many);
    EXPECT_EQ(oversize.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(oversize.status.error_message().find("limit is " + std::to_string(max_batch_events)), std::string::npos)
      << oversize.status.error_message();
    auto http_empty = http("POST", e.ingest.url("page_view"), "[]");
    EXPECT_EQ(http_empty.status, 400);
    EXPECT_NE(http_empty.body.find("empty_batch"), std::string::npos);
    std::string body;
    for (int i = 0; i <= max_batch_events; ++i)
      body += page_view("u", ts) + "\n";
    auto http_oversize = http("POST", e.ingest.url("page_view"), body);
    EXPECT_EQ(http_oversize.status, 413);
    EXPECT_NE(http_oversize.body.find("batch_too_large"), std::string::npos);
  }
  // Over HTTP (JSON lines): a malformed line is dead-lettered with exactly the bytes of that line.
  const std::string bad_line = R"({"event_id":"cat-http-bad","user_id": "u1", "ts": oops})";
  std::string bad_line_id; // a malformed line's "event_id" cannot be read: ingest names it
  {
    auto r = http("POST", e.ingest.url("page_view"),
                  R"({"event_id":"cat-http-good","user_id":"u1","ts":)" + std::to_string(ts) + R"(,"url":"/h"})" +
                    "\n" + bad_line + "\n");
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = nlohmann::json::parse(r.body);
    EXPECT_EQ(doc["accepted"], 1);
    EXPECT_EQ(doc["rejected"], 1);
    EXPECT_EQ(doc["results"][0]["event_id"], "cat-http-good");
    EXPECT_EQ(doc["results"][1]["reason"], "malformed_json");
    bad_line_id = doc["results"][1]["event_id"].get<std::string>();
    EXPECT_EQ(bad_line_id.size(), 36u);
    expected_accepted += 1;
  }

  // The dead letters: one per refused event, original bytes, every header.
  auto dead = read_records("events.dlq", "cat-", expected_dead);
  std::map<std::string, kafka::consumed_record> by_id;
  for (auto& r : dead)
    by_id.emplace(header(r, kafka::headers::event_id), std::move(r));
  EXPECT_EQ(dead.size(), expected_dead) << "no duplicates, nothing missing";
  for (const auto& s : sent) {
    SCOPED_TRACE(s.c.name);
    const auto& id = s.ids[s.bad_index];
    auto it = by_id.find(id);
    ASSERT_NE(it, by_id.end()) << "no dead letter for " << id;
    const auto& rec = it->second;
    EXPECT_EQ(rec.value, s.c.bad.payload) << "the original bytes";
    EXPECT_EQ(rec.key, id);
    EXPECT_EQ(header(rec, kafka::headers::reason), s.c.reason);
    EXPECT_EQ(header(rec, kafka::headers::message), s.answer.resp.results(static_cast<int>(s.bad_index)).message());
    EXPECT_EQ(header(rec, kafka::headers::stage), "ingest");
    EXPECT_EQ(header(rec, kafka::headers::stream), s.c.stream);
    auto received = std::stoll(header(rec, kafka::headers::received_at));
    EXPECT_GE(received, ts - 1000);
    EXPECT_LE(received, freshet::now_ms());
    EXPECT_EQ(header(rec, "freshet.payload_format"), s.c.bad.format == v1::PAYLOAD_FORMAT_AVRO ? "avro" : "json");
    if (s.c.schema_id_known) {
      auto expected_id = s.c.bad.format == v1::PAYLOAD_FORMAT_AVRO
                           ? std::to_string(freshet::avro::parse_confluent(s.c.bad.payload)->id.value())
                           : std::to_string(s.c.stream == "purchase" ? purchase_id : pv_id);
      EXPECT_EQ(header(rec, kafka::headers::schema_id), expected_id);
    } else {
      EXPECT_EQ(rec.find_header(kafka::headers::schema_id), nullptr);
    }
  }
  auto http_dead = read_records("events.dlq", bad_line_id, 1);
  ASSERT_EQ(http_dead.size(), 1u);
  EXPECT_EQ(http_dead[0].value, bad_line) << "the line exactly as sent";
  EXPECT_EQ(header(http_dead[0], kafka::headers::reason), "malformed_json");
  ASSERT_TRUE(by_id.count("cat-duplicate-x"));
  EXPECT_EQ(header(by_id["cat-duplicate-x"], kafka::headers::reason), "duplicate_event_id");

  // Accepted + dead-lettered = sent: every accepted event is on the raw topic, once.
  auto raw = read_records("events.raw", "cat-", expected_accepted);
  std::multiset<std::string> raw_ids;
  for (const auto& r : raw)
    raw_ids.insert(header(r, kafka::headers::event_id));
  EXPECT_EQ(raw.size(), expected_accepted);
  for (const auto& s : sent)
    for (size_t i = 0; i < s.ids.size(); ++i)
      EXPECT_EQ(raw_ids.count(s.ids[i]) + by_id.count(s.ids[i]), 1u) << s.c.name << " " << s.ids[i];
  EXPECT_EQ(raw_ids.count("cat-oversize-0"), 0u);
  EXPECT_EQ(by_id.count("cat-oversize-0"), 0u);

  // Still up, still taking events, and the metrics count every reason.
  EXPECT_TRUE(e.ingest.proc->running());
  EXPECT_TRUE(e.ingest.healthy());
  auto after = publish(e.ingest, "page_view", {{page_view("u1", ts), "cat-after"}});
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(after.resp.accepted(), 1u);
  EXPECT_GE(metric(e.ingest.metrics_port, "freshet_ingest_events_rejected_total"), static_cast<double>(expected_dead));
  EXPECT_GE(metric(e.ingest.metrics_port, "freshet_ingest_requests_refused_total"), 4.0);
}

// ---- what lands on events.raw --------------------------------------------------------------------

TEST(ingest_raw, records_are_framed_avro_keyed_and_stamped_and_decode_like_third_party_ones) {
  auto& e = env();
  const int64_t ts = freshet::now_ms() - 60000;
  auto r = publish(e.ingest, "page_view",
                   {{R"({"user_id":"u-raw","ts":)" + std::to_string(ts) + R"(,"url":"/raw","referrer":"r"})", "raw-1"}});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.resp.accepted(), 1u) << r.resp.results(0).message();
  EXPECT_GE(r.resp.results(0).offset(), 0);
  auto latest = e.client->latest("page_view-value");
  ASSERT_TRUE(latest.ok());

  // A third party writes straight to the raw topic in the Confluent wire format.
  auto third = avro_framed(latest->registered.id.value(), latest->registered.text,
                           R"({"user_id":"u-raw","ts":)" + std::to_string(ts) + R"(,"url":"/raw","referrer":"r"})");
  {
    auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "third-party"));
    ASSERT_TRUE(p.ok());
    kafka::outgoing_record rec{"events.raw", -1, "u-raw", third,
                               {{kafka::headers::stream, "page_view"}, {kafka::headers::event_id, "raw-third"}}, ts};
    ASSERT_TRUE((*p)->produce(rec, [](const kafka::delivery_report&) {}).ok());
    ASSERT_TRUE((*p)->flush(10000).ok());
  }
  auto raw = read_records("events.raw", "raw-", 2);
  ASSERT_EQ(raw.size(), 2u);
  const auto& ours = header(raw[0], kafka::headers::event_id) == "raw-1" ? raw[0] : raw[1];
  const auto& theirs = header(raw[0], kafka::headers::event_id) == "raw-1" ? raw[1] : raw[0];
  EXPECT_EQ(ours.key, "u-raw");
  EXPECT_EQ(ours.timestamp_ms, ts) << "the record time is the event time";
  EXPECT_EQ(header(ours, kafka::headers::stream), "page_view");
  auto frame = freshet::avro::parse_confluent(ours.value);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), latest->registered.id.value()) << "the frame names the schema";
  EXPECT_EQ(ours.find_header(kafka::headers::schema_id), nullptr) << "raw events carry the id in the frame only";
  auto ingest_ts = std::stoll(header(ours, kafka::headers::ingest_ts));
  EXPECT_GT(ingest_ts, ts);
  EXPECT_EQ(ours.value, third) << "ingest's Avro is byte for byte what a Confluent producer writes";
  EXPECT_EQ(ours.partition, r.resp.results(0).partition());
  EXPECT_EQ(ours.offset, r.resp.results(0).offset());

  auto catalog = freshet::schema::register_streams(e.spec, *e.client);
  ASSERT_TRUE(catalog.ok());
  freshet::schema::event_decoder decoder{e.client.get(),
                                         std::make_shared<const freshet::schema::stream_catalog>(std::move(*catalog))};
  auto a = decoder.decode(ours.value, "page_view");
  auto b = decoder.decode(theirs.value, "page_view");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->fields(), b->fields());
  EXPECT_EQ(std::get<std::string>(*a->get("referrer")), "r");
}

TEST(ingest_raw, avro_input_of_the_stream_is_taken_byte_for_byte) {
  auto& e = env();
  auto latest = e.client->latest("page_view-value");
  ASSERT_TRUE(latest.ok());
  auto bytes = avro_framed(latest->registered.id.value(), latest->registered.text, page_view("u-avro", 1700000000000));
  auto r = publish(e.ingest, "page_view", {{bytes, "avro-in-1", v1::PAYLOAD_FORMAT_AVRO}});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.resp.accepted(), 1u) << r.resp.results(0).reason_code() << ": " << r.resp.results(0).message();
  auto raw = read_records("events.raw", "avro-in-", 1);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].value, bytes);
  EXPECT_EQ(raw[0].key, "u-avro");
  EXPECT_EQ(raw[0].timestamp_ms, 1700000000000);
}

TEST(ingest_raw, a_schema_evolved_in_the_registry_is_used_without_a_restart) {
  auto& e = env();
  // Version 2 of purchase: an optional coupon (BACKWARD compatible).
  const std::string v2 = R"({"type":"record","name":"Purchase","namespace":"freshet.examples.clickstream","fields":[
    {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"order_id","type":"string"},{"name":"amount","type":"double"},
    {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["USD","EUR","GBP","JPY"]}},
    {"name":"items","type":"int"},{"name":"coupon","type":["null","string"],"default":null}]})";
  auto id = e.client->register_schema("purchase-value", v2);
  ASSERT_TRUE(id.ok()) << id.err().message;
  const std::string with_coupon =
    R"({"user_id":"u1","ts":1700000000000,"order_id":"o","amount":1,"currency":"EUR","items":1,"coupon":"SAVE"})";
  call_result r;
  ASSERT_TRUE(fs::eventually(
    [&] {
      static int n = 0;
      r = publish(e.ingest, "purchase", {{with_coupon, "evolve-" + std::to_string(++n)}});
      return r.status.ok() && r.resp.accepted() == 1;
    },
    30s))
    << r.resp.results(0).reason_code() << ": " << r.resp.results(0).message();
  auto raw = read_records("events.raw", "evolve-", 1);
  ASSERT_FALSE(raw.empty());
  auto frame = freshet::avro::parse_confluent(raw.back().value);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), id->value());
}

// ---- client streams and HTTP --------------------------------------------------------------------

TEST(ingest_stream, one_answer_covers_every_batch_in_order) {
  auto& e = env();
  grpc::ClientContext ctx;
  v1::PublishResponse resp;
  auto writer = e.ingest.stub->PublishStream(&ctx, &resp);
  const int64_t ts = freshet::now_ms();
  int sent = 0;
  for (int b = 0; b < 5; ++b) {
    std::vector<event_spec> batch;
    for (int i = 0; i < 20; ++i, ++sent)
      batch.push_back({i == 7 && b == 2 ? "{bad" : page_view("u" + std::to_string(i), ts), "stream-" + std::to_string(sent)});
    ASSERT_TRUE(writer->Write(request("page_view", batch)));
  }
  ASSERT_TRUE(writer->Write(request("page_view", {}))) << "an empty batch in a stream is skipped";
  std::vector<event_spec> too_many(max_batch_events + 1, event_spec{page_view("u", ts), ""});
  for (auto& ev : too_many)
    ev.event_id = "stream-over-" + std::to_string(&ev - too_many.data());
  ASSERT_TRUE(writer->Write(request("page_view", too_many)));
  writer->WritesDone();
  auto st = writer->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.results_size(), sent + max_batch_events + 1);
  for (int i = 0; i < resp.results_size(); ++i)
    ASSERT_EQ(resp.results(i).index(), static_cast<uint32_t>(i));
  EXPECT_EQ(resp.accepted(), static_cast<uint32_t>(sent - 1));
  EXPECT_EQ(resp.rejected(), 1u);
  EXPECT_EQ(resp.results(47).reason_code(), "malformed_json");
  EXPECT_EQ(resp.results(sent).status(), v1::EVENT_STATUS_RETRY) << "the oversize batch: not taken, split and resend";
  EXPECT_EQ(resp.results(sent).reason_code(), "batch_too_large");
  auto raw = read_records("events.raw", "stream-", static_cast<size_t>(sent - 1));
  EXPECT_EQ(raw.size(), static_cast<size_t>(sent - 1));
}

TEST(ingest_http, json_arrays_and_lines_get_a_result_per_event) {
  auto& e = env();
  const int64_t ts = freshet::now_ms();
  auto r = http("POST", e.ingest.url("page_view"),
                "[" + page_view("u1", ts) + ", " + page_view("u2", ts) + R"(, {"event_id":"http-3","user_id":"u3","ts":)" +
                  std::to_string(ts) + R"(,"url":"/"}])");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["accepted"], 3);
  EXPECT_EQ(doc["results"][2]["event_id"], "http-3");
  EXPECT_EQ(doc["results"][0]["event_id"].get<std::string>().size(), 36u) << "generated ids";
  EXPECT_TRUE(doc["results"][0].contains("offset"));
  EXPECT_EQ(http("POST", "http://127.0.0.1:" + std::to_string(e.ingest.http_port) + "/v1/streams/page_view", "{}").status,
            404);
}

// ---- without a registry --------------------------------------------------------------------------

TEST(ingest_local, without_a_registry_json_is_framed_with_id_0_and_avro_is_refused) {
  env(); // topics
  ingest_process local;
  local.start("ingest-local", {});
  auto r = publish(local, "page_view",
                   {{page_view("u1", 1700000000000), "local-1"},
                    {avro_framed(1, freshet::testing::read_file(env().spec.resolve("schemas/page_view.avsc")),
                                 page_view("u1", 1700000000000)),
                     "local-2", v1::PAYLOAD_FORMAT_AVRO}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.resp.results(0).status(), v1::EVENT_STATUS_ACCEPTED);
  EXPECT_EQ(r.resp.results(1).reason_code(), "avro_not_accepted");
  auto raw = read_records("events.raw", "local-", 1);
  ASSERT_EQ(raw.size(), 1u);
  auto frame = freshet::avro::parse_confluent(raw[0].value);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), 0);
  EXPECT_EQ(raw[0].find_header(kafka::headers::schema_id), nullptr) << "the id travels in the frame";
  local.proc->signal(SIGTERM);
  EXPECT_EQ(local.proc->wait(30s), 0);
}

// ---- backpressure ----------------------------------------------------------------------------------

TEST(ingest_backpressure, memory_bound_and_kafka_down_refuse_with_a_retry_hint) {
  env();
  // An ingest whose broker does not exist: nothing is ever acknowledged.
  auto dead_port = fs::free_ports(1)[0];
  ingest_process ing;
  ing.start("ingest-nokafka",
            {"--ingest.max_inflight_bytes=2000", "--ingest.delivery_timeout_ms=3000", "--ingest.stall_ms=1500",
             "--ingest.retry_after_ms=700"},
            "127.0.0.1:" + std::to_string(dead_port));
  const int64_t ts = freshet::now_ms();
  std::vector<event_spec> batch;
  for (int i = 0; i < 10; ++i) // ~2100 bytes: over the 2000-byte bound together with anything else
    batch.push_back({page_view("u" + std::to_string(i), ts, "/" + std::string(150, 'p')), "bp-" + std::to_string(i)});
  // First batch: taken, then answered RETRY when the delivery timeout passes.
  call_result first;
  std::thread t{[&] { first = publish(ing, "page_view", batch); }};
  std::this_thread::sleep_for(300ms);
  // Meanwhile the in-flight bound is reached: the next batch is refused whole.
  auto full = publish(ing, "page_view", batch);
  EXPECT_EQ(full.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << full.status.error_message();
  EXPECT_EQ(full.retry_after_ms, "700");
  auto full_http = http("POST", ing.url("page_view"), page_view("u", ts));
  EXPECT_EQ(full_http.status, 429) << full_http.body;
  EXPECT_EQ(full_http.retry_after, "1");
  t.join();
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.resp.accepted(), 0u);
  for (const auto& r : first.resp.results()) {
    EXPECT_EQ(r.status(), v1::EVENT_STATUS_RETRY);
    EXPECT_EQ(r.reason_code(), "kafka_unavailable");
  }
  // Now Kafka is known to be down: UNAVAILABLE (503) at once, with the hint.
  auto down = publish(ing, "page_view", batch);
  EXPECT_EQ(down.status.error_code(), grpc::StatusCode::UNAVAILABLE) << down.status.error_message();
  EXPECT_EQ(down.retry_after_ms, "1400");
  auto down_http = http("POST", ing.url("page_view"), page_view("u", ts));
  EXPECT_EQ(down_http.status, 503);
  EXPECT_FALSE(down_http.retry_after.empty());
  EXPECT_TRUE(ing.healthy()) << "refusing is not dying";
  EXPECT_GE(metric(ing.metrics_port, "freshet_ingest_requests_refused_total"), 4.0);
  ing.proc->signal(SIGTERM);
  EXPECT_TRUE(ing.proc->wait(40s).has_value());
}

TEST(ingest_backpressure, a_broker_restart_loses_nothing_that_was_acknowledged) {
  auto& e = env();
  std::atomic<bool> stop{false};
  std::set<std::string> accepted;
  std::mutex mtx;
  std::atomic<int> retries{0}, refusals{0};
  std::thread producer{[&] {
    const int64_t ts = freshet::now_ms();
    for (int b = 0; !stop; ++b) {
      std::vector<event_spec> batch;
      for (int i = 0; i < 50; ++i)
        batch.push_back({page_view("u" + std::to_string(i), ts), "restart-" + std::to_string(b) + "-" + std::to_string(i)});
      auto r = publish(e.ingest, "page_view", batch);
      if (!r.status.ok()) {
        ++refusals;
        std::this_thread::sleep_for(200ms);
        continue;
      }
      std::lock_guard guard{mtx};
      for (const auto& res : r.resp.results()) {
        if (res.status() == v1::EVENT_STATUS_ACCEPTED)
          accepted.insert(res.event_id());
        else
          ++retries;
      }
    }
  }};
  std::this_thread::sleep_for(2s);
  fs::stack::restart_kafka(false);
  std::this_thread::sleep_for(5s);
  stop = true;
  producer.join();
  ASSERT_GT(accepted.size(), 100u);
  auto raw = read_records("events.raw", "restart-", accepted.size());
  std::set<std::string> on_raw;
  for (const auto& r : raw)
    on_raw.insert(header(r, kafka::headers::event_id));
  size_t missing = 0;
  for (const auto& id : accepted)
    missing += on_raw.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << accepted.size() << " acknowledged (" << retries << " retry answers, " << refusals
                         << " refused calls)";
  EXPECT_TRUE(fs::eventually([&] { return publish(e.ingest, "page_view", {{page_view("u", 1), ""}}).resp.accepted() == 1; },
                             60s));
}

TEST(ingest_shutdown, sigterm_drains_and_exits_0) {
  auto& e = env();
  e.ingest.proc->signal(SIGTERM);
  auto code = e.ingest.proc->wait(40s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << e.ingest.proc->log_file();
  e.registry.proc->signal(SIGTERM);
  EXPECT_TRUE(e.registry.proc->wait(40s).has_value());
}
