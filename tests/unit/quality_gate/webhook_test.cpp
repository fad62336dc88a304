// The alert webhook: URLs, one POST against a local listener, timeouts, a full queue.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "services/quality-gate/webhook.hpp"

namespace {

using namespace freshet::quality_gate;
using namespace std::chrono_literals;

/// A one-connection-at-a-time HTTP listener on 127.0.0.1 that records requests and answers `status`
/// (or never answers, when `silent`).
class listener {
 public:
  explicit listener(int status, bool silent = false) : status_(status), silent_(silent) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread{[this] { serve(); }};
  }
  ~listener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  [[nodiscard]] std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> requests() {
    std::lock_guard g{mtx_};
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0)
        return;
      std::string req;
      char buf[4096];
      while (true) {
        auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        req.append(buf, static_cast<size_t>(n));
        auto head = req.find("\r\n\r\n");
        if (head != std::string::npos) {
          auto cl = req.find("Content-Length: ");
          size_t len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
          if (req.size() >= head + 4 + len)
            break;
        }
      }
      {
        std::lock_guard g{mtx_};
        requests_.push_back(req);
      }
      if (silent_) {
        std::this_thread::sleep_for(500ms);
      } else {
        auto resp = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Length: 0\r\n\r\n";
        (void) ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }

  int status_;
  bool silent_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

#define EXPECT_MENTIONS(text, needle) EXPECT_NE(std::string{text}.find(needle), std::string::npos) << (text)

} // namespace

TEST(webhook, urls) {
  auto u = parse_http_url("http://alerts.local:8080/a/b?c=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "alerts.local");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->path, "/a/b?c=1");
  u = parse_http_url("http://h");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->path, "/");
  u = parse_http_url("http://[::1]:9/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "9");
  for (const char* bad : {"https://h/x", "h:80/x", "http://", "http://:80/", "http://[::1/x"})
    EXPECT_FALSE(parse_http_url(bad).ok()) << bad;
}

TEST(webhook, posts_json_and_reads_the_status) {
  listener l{204};
  auto code = http_post_json(l.url("/q?x=1"), R"({"a":1})", 2000);
  ASSERT_TRUE(code.ok()) << code.err().describe();
  EXPECT_EQ(*code, 204);
  auto reqs = l.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("POST /q?x=1 HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_MENTIONS(reqs[0], "Content-Type: application/json\r\n");
  EXPECT_MENTIONS(reqs[0], "Content-Length: 7\r\n");
  EXPECT_EQ(reqs[0].substr(reqs[0].size() - 7), R"({"a":1})");
}

TEST(webhook, a_silent_receiver_times_out_and_a_closed_port_fails) {
  listener l{200, /*silent=*/true};
  auto started = std::chrono::steady_clock::now();
  auto code = http_post_json(l.url(), "{}", 200);
  EXPECT_FALSE(code.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  int port;
  {
    listener gone{200};
    port = std::stoi(gone.url().substr(17));
  }
  EXPECT_FALSE(http_post_json("http://127.0.0.1:" + std::to_string(port) + "/", "{}", 500).ok());
}

TEST(webhook, the_poster_reports_outcomes_and_never_blocks) {
  listener ok{200};
  listener bad{500};
  std::mutex mtx;
  std::map<std::string, int> outcomes;
  webhook_poster p{2, 1000, [&](const std::string& o, const std::string&) {
                     std::lock_guard g{mtx};
                     ++outcomes[o];
                   }};
  EXPECT_TRUE(p.post(ok.url(), "{}"));
  EXPECT_TRUE(p.post(bad.url(), "{}"));
  // Flood it: the queue holds two, the rest are dropped at once.
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i)
    (void) p.post(ok.url(), "{}");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard g{mtx};
      if (outcomes["delivered"] + outcomes["failed"] + outcomes["dropped"] == 102)
        break;
    }
    std::this_thread::sleep_for(50ms);
  }
  p.stop();
  std::lock_guard g{mtx};
  EXPECT_EQ(outcomes["failed"], 1);
  EXPECT_GE(outcomes["delivered"], 1);
  EXPECT_GE(outcomes["dropped"], 90);
  EXPECT_EQ(outcomes["delivered"] + outcomes["failed"] + outcomes["dropped"], 102);
}
