#include "services/quality-gate/webhook.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshet::quality_gate {

namespace {

error http_error(std::string msg, bool retriable = true) {
  return make_error(error_domain::http, 1, "webhook: " + std::move(msg), retriable);
}

using steady = std::chrono::steady_clock;

int remaining_ms(steady::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

/// A socket closed on scope exit.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

bool wait_for(int fd, short events, steady::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r > 0)
      return true;
    if (r == 0 || errno != EINTR)
      return false;
  }
}

result<int> connect_to(const http_url& u, steady::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &found); rc != 0)
    return http_error("cannot resolve " + u.host + ": " + ::gai_strerror(rc));
  std::string last = "no address";
  for (auto* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err == 0 ? ETIMEDOUT : err;
    }
    if (rc == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return http_error("cannot connect to " + u.host + ":" + u.port + ": " + last);
}

} // namespace

result<http_url> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme)
    return http_error("only http:// URLs are supported: " + std::string{url}, false);
  auto rest = url.substr(scheme.size());
  http_url u;
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos)
    u.path = std::string{rest.substr(slash)};
  if (!authority.empty() && authority.front() == '[') { // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return http_error("bad IPv6 address in " + std::string{url}, false);
    u.host = std::string{authority.substr(1, close - 1)};
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = std::string{authority.substr(close + 2)};
  } else {
    auto colon = authority.rfind(':');
    u.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos)
      u.port = std::string{authority.substr(colon + 1)};
  }
  if (u.host.empty() || u.port.empty())
    return http_error("no host in " + std::string{url}, false);
  return u;
}

result<int> http_post_json(const std::string& url, const std::string& body, int timeout_ms) {
  auto u = parse_http_url(url);
  if (!u)
    return u.err();
  auto deadline = steady::now() + std::chrono::milliseconds(timeout_ms);
  auto fd = connect_to(*u, deadline);
  if (!fd)
    return fd.err();
  fd_guard guard{*fd};
  std::string req = "POST " + u->path + " HTTP/1.1\r\nHost: " + u->host + ":" + u->port +
                    "\r\nContent-Type: application/json\r\nUser-Agent: freshet-quality-gate\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    if (!wait_for(guard.fd, POLLOUT, deadline))
      return http_error("timed out sending to " + url);
    auto n = ::send(guard.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (n <= 0)
      return http_error(std::string{"send: "} + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  std::string head;
  char buf[512];
  while (head.find("\r\n") == std::string::npos && head.size() < 8192) {
    if (!wait_for(guard.fd, POLLIN, deadline))
      return http_error("timed out waiting for " + url);
    auto n = ::recv(guard.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (n <= 0)
      break;
    head.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.1 204 No Content"
  if (head.rfind("HTTP/", 0) != 0 || head.find(' ') == std::string::npos)
    return http_error("no HTTP status line from " + url);
  auto sp = head.find(' ');
  int code = 0;
  for (size_t i = sp + 1; i < head.size() && i < sp + 4; ++i) {
    if (head[i] < '0' || head[i] > '9')
      return http_error("bad HTTP status line from " + url);
    code = code * 10 + (head[i] - '0');
  }
  return code;
}

webhook_poster::webhook_poster(size_t capacity, int timeout_ms, outcome_fn on_outcome)
    : capacity_(capacity), timeout_ms_(timeout_ms), on_outcome_(std::move(on_outcome)) {
  thread_ = std::thread{[this] { run(); }};
}

webhook_poster::~webhook_poster() {
  stop();
}

bool webhook_poster::post(std::string url, std::string body) {
  {
    std::lock_guard guard{mtx_};
    if (!stopping_ && queue_.size() < capacity_) {
      queue_.emplace_back(std::move(url), std::move(body));
      cv_.notify_one();
      return true;
    }
  }
  if (on_outcome_)
    on_outcome_("dropped", "the alert queue is full");
  return false;
}

void webhook_poster::stop() {
  {
    std::lock_guard guard{mtx_};
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
    queue_.clear();
    cv_.notify_all();
  }
  if (thread_.joinable())
    thread_.join();
}

void webhook_poster::run() {
  while (true) {
    std::pair<std::string, std::string> next;
    {
      std::unique_lock lock{mtx_};
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_)
        return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    auto code = http_post_json(next.first, next.second, timeout_ms_);
    if (!on_outcome_)
      continue;
    if (!code)
      on_outcome_("failed", code.err().message);
    else if (*code < 200 || *code >= 300)
      on_outcome_("failed", next.first + " answered " + std::to_string(*code));
    else
      on_outcome_("delivered", next.first);
  }
}

} // namespace freshet::quality_gate
