#include "services/enrich/detail/http_post.hpp"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshet::enrich::detail {

namespace {

using clock = std::chrono::steady_clock;

error io_error(const std::string& what) {
  return make_error(error_domain::http, 1, what, /*retriable=*/true);
}

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

int remaining_ms(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool wait_for(int fd, short events, clock::time_point deadline) {
  pollfd p{fd, events, 0};
  while (true) {
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0)
      return true;
    if (rc == 0 || errno != EINTR)
      return false;
  }
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

result<std::string> dechunk(const std::string& body) {
  std::string out;
  size_t pos = 0;
  while (true) {
    auto eol = body.find("\r\n", pos);
    if (eol == std::string::npos)
      return io_error("truncated chunked body");
    size_t len = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
    pos = eol + 2;
    if (len == 0)
      return out;
    if (pos + len > body.size())
      return io_error("truncated chunk");
    out.append(body, pos, len);
    pos += len + 2;
  }
}

} // namespace

result<http_answer> http_post(const std::string& url, const std::string& content_type, const std::string& body,
                              int timeout_ms) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return make_error(error_domain::http, 2, "only http:// URLs are supported, not '" + url + "'");
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  auto host = colon == std::string::npos ? authority : authority.substr(0, colon);
  auto port = colon == std::string::npos ? std::string{"80"} : authority.substr(colon + 1);
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return io_error("resolve " + authority + ": " + gai_strerror(rc));
  fd_guard sock;
  std::string last_error = "no address";
  for (auto* ai = found; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
      continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) {
      sock.fd = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (sock.fd < 0)
    return io_error("connect " + authority + ": " + last_error);

  std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nContent-Type: " + content_type +
                        "\r\nAccept: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(sock.fd, POLLOUT, deadline))
      return io_error("send to " + authority + ": timed out");
    auto n = ::send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return io_error("send to " + authority + ": " + std::strerror(errno));
    if (n > 0)
      sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[8192];
  while (true) {
    if (!wait_for(sock.fd, POLLIN, deadline))
      return io_error("read from " + authority + ": timed out");
    auto n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n == 0)
      break;
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return io_error("read from " + authority + ": " + std::strerror(errno));
    if (n > 0)
      raw.append(buf, static_cast<size_t>(n));
  }

  auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || head_end == std::string::npos)
    return io_error("malformed HTTP answer from " + authority);
  http_answer answer;
  auto sp = raw.find(' ');
  answer.status = std::atoi(raw.c_str() + sp + 1);
  auto head = lower(raw.substr(0, head_end));
  answer.body = raw.substr(head_end + 4);
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    auto plain = dechunk(answer.body);
    if (!plain)
      return plain.err();
    answer.body = std::move(*plain);
  }
  return answer;
}

} // namespace freshet::enrich::detail
