#include "common/redis/client.hpp"

#include <hiredis/hiredis.h>

namespace freshet::redis {

namespace {

/// Codes for error_domain::redis.
enum class errc { connect = 1, io = 2, server = 3 };

error redis_error(errc code, std::string msg, bool retriable) {
  return make_error(error_domain::redis, static_cast<int>(code), std::move(msg), retriable);
}

reply convert(const redisReply* r) {
  reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = reply::kind::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = reply::kind::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = reply::kind::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = reply::kind::array;
      for (size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

void append(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
}

} // namespace

client::client(std::string address, int timeout_ms) : address_(std::move(address)), timeout_ms_(timeout_ms) {}

client::~client() {
  drop();
}

void client::drop() {
  if (ctx_)
    redisFree(ctx_);
  ctx_ = nullptr;
}

status client::ensure_connected() {
  if (ctx_)
    return {};
  auto colon = address_.rfind(':');
  if (colon == std::string::npos)
    return redis_error(errc::connect, "bad redis address '" + address_ + "' (want host:port)", false);
  std::string host = address_.substr(0, colon);
  int port = std::stoi(address_.substr(colon + 1));
  timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
  ctx_ = redisConnectWithTimeout(host.c_str(), port, tv);
  if (!ctx_ || ctx_->err) {
    std::string msg = ctx_ ? ctx_->errstr : "out of memory";
    drop();
    return redis_error(errc::connect, "connect to " + address_ + ": " + msg, true);
  }
  redisSetTimeout(ctx_, tv);
  return {};
}

result<reply> client::command(const std::vector<std::string>& args) {
  auto replies = pipeline({args});
  if (!replies)
    return replies.err();
  return std::move(replies->front());
}

result<std::vector<reply>> client::pipeline(const std::vector<std::vector<std::string>>& commands) {
  // One reconnect attempt: a server restart should cost one retry, not an error to the caller.
  for (int attempt = 0; attempt < 2; ++attempt) {
    FRESHET_TRY(ensure_connected());
    for (const auto& args : commands)
      append(ctx_, args);
    std::vector<reply> out;
    std::string server_error;
    bool io_failed = false;
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) {
        io_failed = true;
        break;
      }
      auto* r = static_cast<redisReply*>(raw);
      if (r->type == REDIS_REPLY_ERROR && server_error.empty())
        server_error.assign(r->str, r->len);
      out.push_back(convert(r));
      freeReplyObject(r);
    }
    if (io_failed) {
      std::string msg = ctx_->errstr;
      drop();
      if (attempt == 1)
        return redis_error(errc::io, "redis " + address_ + ": " + msg, true);
      continue;
    }
    if (!server_error.empty())
      return redis_error(errc::server, server_error, false);
    return out;
  }
  return redis_error(errc::io, "unreachable", true);
}

} // namespace freshet::redis
