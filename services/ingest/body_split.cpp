#include "services/ingest/body_split.hpp"

namespace freshet::ingest {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

/// The elements of a top-level JSON array, or false when `body` is not one.
bool split_array(std::string_view body, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < body.size() && is_space(body[i]))
    ++i;
  if (i == body.size() || body[i] != '[')
    return false;
  ++i;
  int depth = 0;
  bool in_string = false;
  std::size_t start = i;
  bool closed = false;
  for (; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) {
        if (c != ']')
          return false;
        auto last = trim(body.substr(start, i - start));
        if (!last.empty() || !out.empty())
          out.emplace_back(last);
        closed = true;
        ++i;
        break;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      out.emplace_back(trim(body.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (!closed)
    return false;
  for (; i < body.size(); ++i)
    if (!is_space(body[i]))
      return false;
  return true;
}

} // namespace

std::vector<std::string> split_events(std::string_view body) {
  std::vector<std::string> events;
  if (split_array(body, events))
    return events;
  events.clear();
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto nl = body.find('\n', pos);
    auto line = body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (!trim(line).empty())
      events.emplace_back(line);
    if (nl == std::string_view::npos)
      break;
    pos = nl + 1;
  }
  return events;
}

} // namespace freshet::ingest
