#include "common/schema/detail/curl_pool.hpp"

#include <curl/curl.h>

#include "common/schema/errc.hpp"

namespace freshet::schema::detail {

namespace {

/// Registry answers are small JSON documents; anything far larger is not one.
constexpr std::size_t max_answer_bytes = 16 << 20;
constexpr std::size_t max_idle_handles = 8;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * n > max_answer_bytes)
    return 0; // aborts the transfer (CURLE_WRITE_ERROR)
  out->append(data, size * n);
  return size * n;
}

} // namespace

curl_pool::curl_pool(int timeout_ms, int connect_timeout_ms)
    : timeout_ms_(timeout_ms), connect_timeout_ms_(connect_timeout_ms) {
  global_init();
}

curl_pool::~curl_pool() {
  for (auto* h : idle_)
    curl_easy_cleanup(static_cast<CURL*>(h));
}

void* curl_pool::take() {
  {
    std::lock_guard guard{mtx_};
    if (!idle_.empty()) {
      auto* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void curl_pool::give(void* handle) {
  std::lock_guard guard{mtx_};
  if (idle_.size() < max_idle_handles)
    idle_.push_back(handle);
  else
    curl_easy_cleanup(static_cast<CURL*>(handle));
}

result<http_answer> curl_pool::call(const char* method, const std::string& url, const std::string* body) {
  auto* curl = static_cast<CURL*>(take());
  if (!curl)
    return make_schema_error(errc::unreachable, "cannot create a libcurl handle");
  curl_easy_reset(curl);
  http_answer answer;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/vnd.schemaregistry.v1+json, application/json");
  if (body)
    headers = curl_slist_append(headers, "Content-Type: application/vnd.schemaregistry.v1+json");
  headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip for larger schemas
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // timeouts without SIGALRM: safe in threaded processes
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  } else if (std::string_view{method} == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  auto code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    curl_easy_cleanup(curl); // a failed connection is not worth keeping
    return make_schema_error(errc::unreachable, std::string{method} + " " + url + ": " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  give(curl);
  return answer;
}

std::string curl_pool::escape(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace freshet::schema::detail
