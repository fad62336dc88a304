#include "tests/integration/registry/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

namespace freshet::testing {

http_reply http_call(int port, const std::string& method, const std::string& target, const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Accept: application/vnd.schemaregistry.v1+json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    req += "Content-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
  req += "\r\n" + body;
  http_reply out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string data;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    for (size_t sent = 0; sent < req.size();) {
      auto n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
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
  auto head_end = data.find("\r\n\r\n");
  if (data.size() < 12 || head_end == std::string::npos)
    return out;
  out.status = std::stoi(data.substr(9, 3));
  auto head = data.substr(0, head_end);
  for (auto& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto ct = head.find("\r\ncontent-type: "); ct != std::string::npos) {
    auto start = ct + 16;
    out.content_type = data.substr(start, head.find("\r\n", start) - start);
  }
  out.body = data.substr(head_end + 4);
  return out;
}

} // namespace freshet::testing
