#include "common/lake/log_paths.hpp"

#include <cstdio>

namespace freshet::lake {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  for (char c : s)
    v = v * 10 + (c - '0');
  return v;
}

} // namespace

std::string commit_file(int64_t version) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%020lld.json", static_cast<long long>(version));
  return buf;
}

std::string checkpoint_file(int64_t version) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020lld.checkpoint.parquet", static_cast<long long>(version));
  return buf;
}

std::optional<log_file_name> parse_log_file_name(std::string_view name) {
  if (name.size() < 21 || !all_digits(name.substr(0, 20)) || name[20] != '.')
    return std::nullopt;
  log_file_name out;
  out.version = to_int(name.substr(0, 20));
  auto rest = name.substr(21);
  if (rest == "json") {
    out.k = log_file_name::kind::commit;
    return out;
  }
  if (rest == "checkpoint.parquet") {
    out.k = log_file_name::kind::checkpoint;
    return out;
  }
  // checkpoint.0000000001.0000000003.parquet
  if (rest.size() == 11 + 10 + 1 + 10 + 8 && rest.starts_with("checkpoint.") && rest.ends_with(".parquet") &&
      all_digits(rest.substr(11, 10)) && rest[21] == '.' && all_digits(rest.substr(22, 10))) {
    out.k = log_file_name::kind::multipart_checkpoint;
    out.part = static_cast<int>(to_int(rest.substr(11, 10)));
    out.parts = static_cast<int>(to_int(rest.substr(22, 10)));
    if (out.part < 1 || out.part > out.parts)
      return std::nullopt;
    return out;
  }
  return std::nullopt;
}

} // namespace freshet::lake
