#pragma once

#include <string>
#include <utility>
#include <variant>

namespace freshet {

/// Where an error came from; each domain documents its codes next to the adapter that makes them.
enum class error_domain { config, kafka, redis, http, grpc, io, decode, internal, parquet };

[[nodiscard]] const char* to_string(error_domain d);

/// An error as a value. `code` is the domain's own number (an `errc`, a librdkafka or Redis code).
struct [[nodiscard]] error {
  error_domain domain = error_domain::internal;
  int code = 0;
  std::string message;
  /// Transient errors (broker unavailable, timeouts) may succeed when retried.
  bool retriable = false;

  [[nodiscard]] std::string describe() const;
};

/// Either a T or an error. Converted from librdkafka/RocksDB/gRPC/hiredis statuses only in `common/`.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error err) : v_(std::move(err)) {}

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

/// Success or an error, for operations without a value.
class [[nodiscard]] status {
 public:
  status() = default;
  status(error err) : err_(std::move(err)), ok_(false) {}
  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const error& err() const { return err_; }

 private:
  error err_;
  bool ok_ = true;
};

[[nodiscard]] inline error make_error(error_domain d, int code, std::string msg, bool retriable = false) {
  return error{d, code, std::move(msg), retriable};
}

} // namespace freshet

/// Returns the error of a `status` or `result` expression from the enclosing function.
#define FRESHET_TRY(expr)                                                                                         \
  do {                                                                                                           \
    auto&& freshet_try_ = (expr);                                                                                \
    if (!freshet_try_.ok())                                                                                      \
      return freshet_try_.err();                                                                                 \
  } while (false)
