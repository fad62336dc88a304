// http::server on a real loopback port, spoken to with a raw-socket HTTP/1.1 client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/http/server.hpp"
#include "tests/support/stack.hpp"

namespace {

namespace http = freshet::http;

struct reply {
  int status = 0;
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
};

/// Sends raw request bytes on a fresh connection; everything the server sends until it closes
/// ("" when nothing listens).
std::string raw_bytes(int port, const std::string& raw) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string data;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    for (size_t sent = 0; sent < raw.size();) {
      auto n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        break;
      sent += static_cast<size_t>(n);
    }
    char buf[8192];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
      data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

/// One request, its response parsed (status 0 = no answer).
reply raw_exchange(int port, const std::string& raw) {
  reply out;
  auto data = raw_bytes(port, raw);
  auto end = data.find("\r\n\r\n");
  if (end == std::string::npos || data.size() < 12)
    return out;
  out.status = std::stoi(data.substr(9, 3));
  size_t pos = data.find("\r\n") + 2;
  while (pos < end) {
    auto eol = data.find("\r\n", pos);
    auto line = data.substr(pos, eol - pos);
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = colon == std::string::npos ? std::string::npos : line.find_first_not_of(' ', colon + 1);
    out.headers[name] = value == std::string::npos ? "" : line.substr(value);
    pos = eol + 2;
  }
  out.body = data.substr(end + 4);
  return out;
}

reply call(int port, const std::string& method, const std::string& target, const std::string& body = "",
           const std::string& extra_headers = "") {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty() || method == "POST")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return raw_exchange(port, raw + "\r\n" + body);
}

http::response text(std::string body) {
  http::response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

/// One server for the whole suite (stopping a civetweb server takes a while).
class http_server_test : public ::testing::Test {
 protected:
  static constexpr size_t limit = 1024;
  static inline int port = 0;
  static inline std::unique_ptr<http::server> server;

  static void SetUpTestSuite() {
    port = freshet::testing::free_ports(1)[0];
    server = std::make_unique<http::server>("127.0.0.1:" + std::to_string(port), 4, limit);
    server->route("GET", "/v1/ping", [](const http::request&) { return text("pong"); });
    server->route("POST", "/v1/streams/*", [](const http::request& r) { return text("post " + r.path); });
    server->route("GET", "/v1/streams/*", [](const http::request& r) { return text("get " + r.path); });
    server->route("GET", "/echo", [](const http::request& r) {
      return text(r.param("name") + "|" + r.param("empty", "fb") + "|" + r.param("flag", "fb") + "|" +
                  r.param("missing", "fb") + "|" + r.param("raw") + "|" + r.param("a b") + "|" + r.query);
    });
    server->route("GET", "/files/*", [](const http::request& r) { return text(r.path); });
    server->route("POST", "/body", [](const http::request& r) {
      auto resp = text(r.body);
      resp.headers.emplace_back("X-Body-Size", std::to_string(r.body.size()));
      resp.headers.emplace_back("X-Seen-Header", r.header("x-custom-header"));
      return resp;
    });
    server->route("GET", "/throws", [](const http::request&) -> http::response {
      throw std::runtime_error("handler exploded");
    });
    server->static_text("/page", "text/html", "<h1>hi</h1>");
    ASSERT_TRUE(server->start().ok());
  }
  static void TearDownTestSuite() { server.reset(); }
};

TEST_F(http_server_test, exact_route_matches_only_its_path) {
  auto r = call(port, "GET", "/v1/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pong");
  EXPECT_EQ(r.headers["content-type"], "text/plain");
  EXPECT_EQ(r.headers["content-length"], "4");
  EXPECT_EQ(call(port, "GET", "/v1/ping/more").status, 404);
  EXPECT_EQ(call(port, "GET", "/v1/pin").status, 404);
}

TEST_F(http_server_test, prefix_route_matches_everything_below_it_and_dispatches_by_method) {
  EXPECT_EQ(call(port, "POST", "/v1/streams/page_view/events", "{}").body, "post /v1/streams/page_view/events");
  EXPECT_EQ(call(port, "GET", "/v1/streams/x").body, "get /v1/streams/x");
  EXPECT_EQ(call(port, "GET", "/v1/streams/").body, "get /v1/streams/");
  EXPECT_EQ(call(port, "GET", "/v1/streamsX").status, 404);
}

TEST_F(http_server_test, unknown_path_is_404_and_wrong_method_is_405_both_as_json) {
  auto missing = call(port, "GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], "application/json");
  EXPECT_EQ(missing.body, R"({"error_code":404,"message":"no resource at /nowhere"})");

  auto wrong = call(port, "DELETE", "/v1/ping");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers["content-type"], "application/json");
  EXPECT_EQ(wrong.body, R"({"error_code":405,"message":"method DELETE not allowed on /v1/ping"})");
  EXPECT_EQ(call(port, "POST", "/v1/ping", "x").status, 405);
}

TEST_F(http_server_test, query_parameters_are_decoded) {
  auto r = call(port, "GET", "/echo?name=a%20b+c%26d&empty=&flag&raw=%zz%4&a+b=sp");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a b c&d|||fb|%zz%4|sp|name=a%20b+c%26d&empty=&flag&raw=%zz%4&a+b=sp");
  EXPECT_EQ(call(port, "GET", "/echo").body, "|fb|fb|fb|||");
}

TEST_F(http_server_test, path_is_decoded_and_headers_are_lower_cased) {
  EXPECT_EQ(call(port, "GET", "/files/a%20b/c.txt").body, "/files/a b/c.txt");
  auto r = call(port, "POST", "/body", "hi", "X-Custom-Header: Value 1\r\n");
  EXPECT_EQ(r.headers["x-seen-header"], "Value 1");
}

TEST_F(http_server_test, binary_bodies_round_trip) {
  std::string body{"a\0b\r\n\r\nc\xff", 9};
  auto r = call(port, "POST", "/body", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.headers["x-body-size"], "9");
}

TEST_F(http_server_test, body_at_the_limit_is_accepted_and_over_it_is_413) {
  auto at = call(port, "POST", "/body", std::string(limit, 'x'));
  EXPECT_EQ(at.status, 200);
  EXPECT_EQ(at.body.size(), limit);
  auto over = call(port, "POST", "/body", std::string(limit + 1, 'x'));
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.headers["content-type"], "application/json");
  EXPECT_EQ(over.body, R"({"error_code":413,"message":"request body over 1024 bytes"})");
}

TEST_F(http_server_test, an_unread_oversized_body_is_never_parsed_as_the_next_request) {
  // A keep-alive client sends a body over the limit; the server answers 413 without reading it.
  // Those bytes must not be taken for a request of their own (request smuggling).
  std::string smuggled = "GET /v1/streams/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string body = smuggled + std::string(limit + 1 - smuggled.size(), 'x');
  auto data = raw_bytes(port, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                                  "\r\n\r\n" + body +
                                  "GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(data.rfind("HTTP/1.1 413", 0), 0u) << data;
  EXPECT_EQ(data.find("smuggled"), std::string::npos) << data;
  EXPECT_EQ(data.find("HTTP/1.1 400"), std::string::npos) << data;
}

TEST_F(http_server_test, chunked_body_over_the_limit_is_413) {
  std::string chunk(limit + 100, 'y');
  char size_hex[16];
  std::snprintf(size_hex, sizeof size_hex, "%zx", chunk.size());
  auto r = raw_exchange(port, "POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            std::string{size_hex} + "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  auto small = raw_exchange(port, "POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(small.body, "abcde");
}

TEST_F(http_server_test, a_throwing_handler_becomes_a_500_json_error) {
  auto r = call(port, "GET", "/throws");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error_code":50001,"message":"internal error: handler exploded"})");
  EXPECT_EQ(call(port, "GET", "/v1/ping").status, 200); // the server carries on
}

TEST_F(http_server_test, static_text_serves_its_body_and_type) {
  auto r = call(port, "GET", "/page");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/html");
  EXPECT_EQ(r.body, "<h1>hi</h1>");
}

TEST_F(http_server_test, many_concurrent_requests_each_get_their_own_answer) {
  constexpr int threads = 8, per_thread = 25;
  std::vector<std::thread> pool;
  std::vector<int> wrong(threads, 0);
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto id = std::to_string(t) + "-" + std::to_string(i);
        auto r = call(port, "GET", "/v1/streams/" + id);
        if (r.status != 200 || r.body != "get /v1/streams/" + id)
          ++wrong[t];
      }
    });
  for (auto& th : pool)
    th.join();
  for (int t = 0; t < threads; ++t)
    EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(http_server, handlers_run_concurrently_on_the_worker_threads) {
  constexpr int workers = 4;
  int port = freshet::testing::free_ports(1)[0];
  http::server server{"127.0.0.1:" + std::to_string(port), workers};
  std::mutex mtx;
  std::condition_variable cv;
  int inside = 0;
  // Each request waits until all `workers` requests are inside a handler at the same time; with
  // serial handling none could ever see the others and all would give up.
  server.route("GET", "/meet", [&](const http::request&) {
    std::unique_lock lock{mtx};
    ++inside;
    cv.notify_all();
    bool met = cv.wait_for(lock, std::chrono::seconds(20), [&] { return inside >= workers; });
    return text(met ? "met" : "alone");
  });
  ASSERT_TRUE(server.start().ok());
  std::vector<reply> replies(workers);
  std::vector<std::thread> pool;
  for (int i = 0; i < workers; ++i)
    pool.emplace_back([&, i] { replies[i] = call(port, "GET", "/meet"); });
  for (auto& th : pool)
    th.join();
  for (const auto& r : replies)
    EXPECT_EQ(r.body, "met");
}

TEST(http_server, start_fails_on_a_port_in_use_and_stop_closes_the_port) {
  int port = freshet::testing::free_ports(1)[0];
  auto listen = "127.0.0.1:" + std::to_string(port);
  http::server first{listen};
  first.route("GET", "/", [](const http::request&) { return text("first"); });
  ASSERT_TRUE(first.start().ok());
  http::server second{listen};
  auto st = second.start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().domain, freshet::error_domain::http);
  EXPECT_EQ(call(port, "GET", "/").body, "first");
  first.stop();
  first.stop(); // idempotent
  EXPECT_EQ(call(port, "GET", "/").status, 0);
}

TEST(http_helpers, json_error_escapes_its_message) {
  auto r = http::json_error(422, 42201, "bad \"field\"\n\tat\\end\x01");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error_code":42201,"message":"bad \"field\"\n\tat\\end\u0001"})");
}

TEST(http_helpers, url_decode) {
  EXPECT_EQ(http::url_decode("%41%62%2F", false), "Ab/");
  EXPECT_EQ(http::url_decode("a+b", false), "a+b");
  EXPECT_EQ(http::url_decode("a+b", true), "a b");
  EXPECT_EQ(http::url_decode("100%", true), "100%");
  EXPECT_EQ(http::url_decode("%4", true), "%4");
  EXPECT_EQ(http::url_decode("%g1", true), "%g1");
  EXPECT_EQ(http::url_decode("%e2%82%ac", true), "\xe2\x82\xac");
}

} // namespace
