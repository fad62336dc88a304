#include "common/parquet/io.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

error range_error(uint64_t offset, size_t length, uint64_t size) {
  return make_parquet_error(errc::malformed, "read of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                                                 " is outside the " + std::to_string(size) + "-byte file");
}

error io_error(const std::string& what, const std::string& path) {
  return make_parquet_error(errc::io, what + " " + path + ": " + std::strerror(errno));
}

class view_input : public input {
 public:
  explicit view_input(std::string_view bytes) : view_(bytes) {}
  uint64_t size() const override { return view_.size(); }
  result<std::string_view> read_at(uint64_t offset, size_t length, std::string&) override {
    if (offset > view_.size() || length > view_.size() - offset)
      return range_error(offset, length, view_.size());
    return view_.substr(static_cast<size_t>(offset), length);
  }

 protected:
  std::string_view view_;
};

class owning_input final : public view_input {
 public:
  explicit owning_input(std::string bytes) : view_input({}), bytes_(std::move(bytes)) { view_ = bytes_; }

 private:
  std::string bytes_;
};

class fd_input final : public input {
 public:
  fd_input(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  ~fd_input() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  result<std::string_view> read_at(uint64_t offset, size_t length, std::string& scratch) override {
    if (offset > size_ || length > size_ - offset)
      return range_error(offset, length, size_);
    scratch.resize(length);
    size_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(fd_, scratch.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_error("read", path_);
      done += static_cast<size_t>(n);
    }
    return std::string_view{scratch};
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class fd_output final : public output {
 public:
  fd_output(int fd, std::string path, bool sync) : fd_(fd), path_(std::move(path)), sync_(sync) {}
  ~fd_output() override {
    if (fd_ >= 0)
      ::close(fd_);
  }
  status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_error("write", path_);
      bytes.remove_prefix(static_cast<size_t>(n));
      position_ += static_cast<uint64_t>(n);
    }
    return {};
  }
  uint64_t position() const override { return position_; }
  status close() override {
    if (fd_ < 0)
      return {};
    const int fd = fd_;
    fd_ = -1;
    const bool synced = !sync_ || ::fsync(fd) == 0;
    if (::close(fd) != 0 || !synced)
      return io_error("close", path_);
    return {};
  }

 private:
  int fd_;
  std::string path_;
  bool sync_;
  uint64_t position_ = 0;
};

} // namespace

std::unique_ptr<input> memory_input(std::string bytes) { return std::make_unique<owning_input>(std::move(bytes)); }

std::unique_ptr<input> memory_view_input(std::string_view bytes) { return std::make_unique<view_input>(bytes); }

result<std::unique_ptr<input>> file_input(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return io_error("open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("stat", path);
  }
  return std::unique_ptr<input>(std::make_unique<fd_input>(fd, static_cast<uint64_t>(st.st_size), path));
}

result<std::unique_ptr<output>> file_output(const std::string& path, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error("create", path);
  return std::unique_ptr<output>(std::make_unique<fd_output>(fd, path, sync));
}

} // namespace freshet::parquet
