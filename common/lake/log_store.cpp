#include "common/lake/log_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base/clock.hpp"
#include "common/lake/detail/uuid.hpp"
#include "common/lake/errc.hpp"

namespace freshet::lake {

namespace {

constexpr const char* temp_prefix = ".tmp-";

error sys_error(const std::string& what, int err) {
  bool retriable = err == EINTR || err == EAGAIN || err == ENOSPC || err == EIO || err == EMFILE || err == ENFILE;
  return make_lake_error(errc::storage, what + ": " + std::strerror(err), retriable);
}

status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_error("write " + path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sys_error("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return sys_error("fsync " + dir, err);
  return {};
}

class local_store final : public log_store {
 public:
  explicit local_store(std::string dir) : dir_(std::move(dir)) {}

  status put_if_absent(const std::string& name, std::string_view bytes) override {
    auto tmp = temp_file(bytes);
    if (!tmp.ok())
      return tmp.err();
    const auto target = dir_ + "/" + name;
    int rc = ::link(tmp->c_str(), target.c_str());
    int err = errno;
    ::unlink(tmp->c_str());
    if (rc != 0) {
      if (err == EEXIST)
        return make_lake_error(errc::version_taken, name + " already exists in " + dir_);
      return sys_error("link " + target, err);
    }
    return fsync_dir(dir_);
  }

  status put(const std::string& name, std::string_view bytes) override {
    auto tmp = temp_file(bytes);
    if (!tmp.ok())
      return tmp.err();
    const auto target = dir_ + "/" + name;
    if (::rename(tmp->c_str(), target.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp->c_str());
      return sys_error("rename to " + target, err);
    }
    return fsync_dir(dir_);
  }

  result<std::optional<std::string>> read(const std::string& name) const override {
    const auto path = dir_ + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        return std::optional<std::string>{};
      return sys_error("open " + path, errno);
    }
    std::string out;
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        int err = errno;
        ::close(fd);
        return sys_error("read " + path, err);
      }
      if (n == 0)
        break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return std::optional<std::string>{std::move(out)};
  }

  result<std::vector<log_entry>> list() const override {
    DIR* d = ::opendir(dir_.c_str());
    if (!d)
      return sys_error("opendir " + dir_, errno);
    std::vector<log_entry> out;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.empty() || name[0] == '.')
        continue;
      struct stat st {};
      if (::stat((dir_ + "/" + name).c_str(), &st) != 0)
        continue; // removed meanwhile (a checkpoint being replaced)
      if (!S_ISREG(st.st_mode))
        continue;
      out.push_back({name, static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000});
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const log_entry& a, const log_entry& b) { return a.name < b.name; });
    return out;
  }

  status remove(const std::string& name) override {
    const auto path = dir_ + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return sys_error("unlink " + path, errno);
    return {};
  }

  const std::string& location() const override { return dir_; }

  /// Temp files of writers that crashed between writing and linking.
  void remove_stale_temps(int64_t older_than_ms) const {
    DIR* d = ::opendir(dir_.c_str());
    if (!d)
      return;
    const int64_t cutoff = now_ms() - older_than_ms;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (!name.starts_with(temp_prefix))
        continue;
      struct stat st {};
      auto path = dir_ + "/" + name;
      if (::stat(path.c_str(), &st) == 0 && static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 < cutoff)
        ::unlink(path.c_str());
    }
    ::closedir(d);
  }

 private:
  /// A fully written and fsynced temp file in the log folder (same file system, so link/rename work).
  result<std::string> temp_file(std::string_view bytes) const {
    auto path = dir_ + "/" + temp_prefix + detail::new_uuid();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      return sys_error("create " + path, errno);
    auto st = write_all(fd, bytes, path);
    if (st.ok() && ::fsync(fd) != 0)
      st = sys_error("fsync " + path, errno);
    if (::close(fd) != 0 && st.ok())
      st = sys_error("close " + path, errno);
    if (!st.ok()) {
      ::unlink(path.c_str());
      return st.err();
    }
    return path;
  }

  std::string dir_;
};

} // namespace

status log_store::remove(const std::string& name) {
  return make_lake_error(errc::unsupported, location() + ": this log store cannot delete " + name);
}

result<std::shared_ptr<log_store>> local_log_store(const std::string& table_root, bool create) {
  auto dir = table_root + "/_delta_log";
  std::error_code ec;
  if (!create && !std::filesystem::is_directory(dir, ec))
    return make_lake_error(errc::not_a_table, table_root + " has no _delta_log");
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_lake_error(errc::storage, "cannot create " + dir + ": " + ec.message(), true);
  auto store = std::make_shared<local_store>(dir);
  store->remove_stale_temps(3600 * 1000);
  return std::shared_ptr<log_store>{std::move(store)};
}

} // namespace freshet::lake
