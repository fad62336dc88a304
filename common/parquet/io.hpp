#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/result.hpp"

/// Where Parquet bytes come from and go to: files (POSIX) or memory (tests, the fuzzer).
namespace freshet::parquet {

/// Random-access bytes for the reader. Implementations are not thread-safe.
class input {
 public:
  virtual ~input() = default;
  [[nodiscard]] virtual uint64_t size() const = 0;
  /// The bytes [offset, offset + length); `scratch` may hold them. Out of range is `errc::malformed`.
  [[nodiscard]] virtual result<std::string_view> read_at(uint64_t offset, size_t length, std::string& scratch) = 0;
};

/// Append-only bytes for the writer.
class output {
 public:
  virtual ~output() = default;
  [[nodiscard]] virtual status write(std::string_view bytes) = 0;
  [[nodiscard]] virtual uint64_t position() const = 0;
  [[nodiscard]] virtual status close() = 0;
};

[[nodiscard]] std::unique_ptr<input> memory_input(std::string bytes);
/// Views bytes the caller keeps alive (the fuzzer).
[[nodiscard]] std::unique_ptr<input> memory_view_input(std::string_view bytes);
[[nodiscard]] result<std::unique_ptr<input>> file_input(const std::string& path);

/// Collects the bytes in memory; `bytes()` is the file so far.
class memory_output final : public output {
 public:
  status write(std::string_view bytes) override {
    data_.append(bytes);
    return {};
  }
  uint64_t position() const override { return data_.size(); }
  status close() override { return {}; }
  [[nodiscard]] const std::string& bytes() const { return data_; }
  [[nodiscard]] std::string take() { return std::move(data_); }

 private:
  std::string data_;
};

/// Creates (truncates) `path`; `close()` reports write errors, after an fsync when `sync` is set.
[[nodiscard]] result<std::unique_ptr<output>> file_output(const std::string& path, bool sync = true);

} // namespace freshet::parquet
