#include "common/http/server.hpp"

#include <civetweb.h>

#include <cstring>
#include <mutex>

#include "common/log/logger.hpp"

namespace freshet::http {

namespace {

std::once_flag init_once;

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string escape_json(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

} // namespace

std::string url_decode(const std::string& in, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string request::param(const std::string& name, const std::string& fallback) const {
  size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    auto part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    auto eq = part.find('=');
    if (url_decode(part.substr(0, eq), true) == name)
      return eq == std::string::npos ? "" : url_decode(part.substr(eq + 1), true);
    if (amp == std::string::npos)
      break;
    pos = amp + 1;
  }
  return fallback;
}

std::string request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

response json_error(int http_status, int error_code, const std::string& message) {
  response r;
  r.status = http_status;
  r.body = "{\"error_code\":" + std::to_string(error_code) + ",\"message\":\"" + escape_json(message) + "\"}";
  return r;
}

server::server(std::string listen, int threads, size_t max_body_bytes)
    : listen_(std::move(listen)), threads_(threads), max_body_(max_body_bytes) {}

server::~server() {
  stop();
}

void server::route(std::string method, std::string pattern, handler h) {
  routes_.push_back({std::move(method), std::move(pattern), std::move(h)});
}

void server::static_text(std::string path, std::string content_type, std::string body) {
  route("GET", std::move(path), [ct = std::move(content_type), b = std::move(body)](const request&) {
    response r;
    r.content_type = ct;
    r.body = b;
    return r;
  });
}

status server::start() {
  std::call_once(init_once, [] { mg_init_library(0); });
  // civetweb wants "port" or "host:port"; "0.0.0.0:p" means every interface.
  std::string ports = listen_.starts_with("0.0.0.0:") ? listen_.substr(8) : listen_;
  std::string threads = std::to_string(threads_);
  const char* options[] = {"listening_ports", ports.c_str(), "num_threads", threads.c_str(),
                           "enable_keep_alive", "yes", "request_timeout_ms", "30000", nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, nullptr, options);
  if (!ctx_)
    return make_error(error_domain::http, 1, "cannot listen on " + listen_);
  mg_set_request_handler(ctx_, "/", &server::on_request, this);
  return {};
}

void server::stop() {
  if (ctx_)
    mg_stop(ctx_);
  ctx_ = nullptr;
}

response server::dispatch(const request& req) const {
  bool path_known = false;
  for (const auto& r : routes_) {
    bool match = r.pattern.ends_with('*') ? req.path.starts_with(r.pattern.substr(0, r.pattern.size() - 1))
                                          : req.path == r.pattern;
    if (!match)
      continue;
    path_known = true;
    if (r.method == req.method)
      return r.fn(req);
  }
  return path_known ? json_error(405, 405, "method " + req.method + " not allowed on " + req.path)
                    : json_error(404, 404, "no resource at " + req.path);
}

int server::on_request(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<server*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  request req;
  req.method = info->request_method;
  req.path = info->local_uri ? info->local_uri : "/";
  req.query = info->query_string ? info->query_string : "";
  for (int i = 0; i < info->num_headers; ++i)
    req.headers[lower(info->http_headers[i].name)] = info->http_headers[i].value;
  response resp;
  if (info->content_length > static_cast<long long>(self->max_body_)) {
    resp = json_error(413, 413, "request body over " + std::to_string(self->max_body_) + " bytes");
  } else {
    char buf[16384];
    int n = 0;
    bool too_big = false;
    while ((n = mg_read(conn, buf, sizeof buf)) > 0) {
      req.body.append(buf, static_cast<size_t>(n));
      if (req.body.size() > self->max_body_) {
        too_big = true;
        break;
      }
    }
    if (too_big) {
      resp = json_error(413, 413, "request body over " + std::to_string(self->max_body_) + " bytes");
    } else {
      try {
        resp = self->dispatch(req);
      } catch (const std::exception& e) {
        FRESHET_LOG(err, log::get("http"), "{} {} failed: {}", req.method, req.path, e.what());
        resp = json_error(500, 50001, std::string{"internal error: "} + e.what());
      }
    }
  }
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " + reason_phrase(resp.status) +
                     "\r\nContent-Type: " + resp.content_type + "\r\nContent-Length: " +
                     std::to_string(resp.body.size()) + "\r\n";
  for (const auto& [k, v] : resp.headers)
    head += k + ": " + v + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (req.method != "HEAD")
    mg_write(conn, resp.body.data(), resp.body.size());
  return static_cast<int>(resp.status);
}

} // namespace freshet::http
