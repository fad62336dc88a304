// freshet-admin lake-tables / lake-history / lake-read: a Delta table's history and its rows as of
// a version or a time, read from the table's folder (common/lake, common/parquet).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/table_rows.hpp"
#include "common/log/logger.hpp"
#include "services/admin/lake_commands.hpp"

namespace freshet::admin {

namespace {

int fail(const std::string& command, const std::string& msg, int code) {
  std::fprintf(stderr, "freshet-admin %s: %s\n", command.c_str(), msg.c_str());
  return code;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in{text};
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

/// lake-tables: the tables under --lake.dir with their latest version, files, rows and bytes.
int lake_tables(const config::settings& s) {
  const auto& dir = s.get("lake.dir");
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (std::filesystem::is_directory(entry.path() / "_delta_log"))
      names.push_back(entry.path().filename().string());
  if (ec)
    return fail("lake-tables", "cannot list " + dir + ": " + ec.message(), 1);
  std::sort(names.begin(), names.end());
  std::printf("%-32s %8s %8s %12s %12s\n", "table", "version", "files", "rows", "bytes");
  for (const auto& name : names) {
    auto t = lake::table::open(dir + "/" + name);
    if (!t) {
      std::printf("%-32s unreadable: %s\n", name.c_str(), t.err().message.c_str());
      continue;
    }
    const auto totals = (*t)->latest().summary();
    std::printf("%-32s %8lld %8lld %12lld %12lld\n", name.c_str(), static_cast<long long>((*t)->latest().version()),
                static_cast<long long>(totals.files), static_cast<long long>(totals.records),
                static_cast<long long>(totals.bytes));
  }
  return 0;
}

/// lake-history: newest commit first; --limit caps the count; --format=json prints JSON lines.
int lake_history(const config::settings& s) {
  auto t = lake::table::open(s.get("table"));
  if (!t)
    return fail("lake-history", t.err().describe(), 1);
  auto history = (*t)->history(static_cast<size_t>(s.get_int("limit")));
  if (!history)
    return fail("lake-history", history.err().describe(), 1);
  const bool json = s.get("format") == "json";
  if (!json)
    std::printf("%8s  %-24s  %-20s  %s\n", "version", "timestamp", "operation", "parameters");
  for (const auto& h : *history) {
    nlohmann::json params = nlohmann::json::object();
    std::string operation;
    if (h.info) {
      operation = h.info->operation;
      for (const auto& [k, v] : h.info->operation_parameters)
        params[k] = v;
    }
    if (json) {
      nlohmann::json line{{"version", h.version}, {"timestamp_ms", h.timestamp_ms}, {"operation", operation},
                          {"parameters", params}};
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("%8lld  %-24s  %-20s  %s\n", static_cast<long long>(h.version), format_utc_ms(h.timestamp_ms).c_str(),
                  operation.c_str(), params.dump().c_str());
    }
  }
  return 0;
}

/// lake-read: the rows as of --version / --timestamp (default: the latest), as JSON lines.
int lake_read(const config::settings& s) {
  auto t = lake::table::open(s.get("table"));
  if (!t)
    return fail("lake-read", t.err().describe(), 1);
  auto version = selected_version(s, **t, "");
  if (!version)
    return fail("lake-read", version.err().describe(), 1);
  auto snap = version->has_value() ? (*t)->snapshot_at(**version) : result<lake::snapshot>{(*t)->latest()};
  if (!snap)
    return fail("lake-read", snap.err().describe(), 1);
  lake::row_read_options o;
  o.columns = split_list(s.get("columns"));
  o.limit = static_cast<uint64_t>(s.get_int("limit"));
  o.times = s.get("times") == "iso" ? lake::time_style::rfc3339 : lake::time_style::epoch_ms;
  auto rows = lake::row_reader::open((*t)->root(), *snap, o);
  if (!rows)
    return fail("lake-read", rows.err().describe(), 2);
  std::fprintf(stderr, "version %lld: %zu file(s)\n", static_cast<long long>(snap->version()), snap->files().size());
  while (true) {
    auto batch = rows->next();
    if (!batch)
      return fail("lake-read", batch.err().describe(), 1);
    if (batch->empty())
      break;
    for (const auto& row : *batch)
      std::printf("%s\n", row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return 0;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

} // namespace

std::optional<int64_t> parse_time_ms(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10 || mo < 1 || mo > 12 || d < 1 ||
      d > 31)
    return std::nullopt;
  int64_t ms = 0, offset_min = 0;
  size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ')
      return std::nullopt;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3 || used != 8 || h > 23 ||
        mi > 59 || sec > 60)
      return std::nullopt;
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      int64_t scale = 100;
      for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos, scale /= 10)
        ms += (text[pos] - '0') * scale;
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z' && pos + 1 == text.size()) {
        // UTC
      } else if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 && text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2)
          return std::nullopt;
        offset_min = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
  }
  const int64_t seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
                          mi * 60 + sec - offset_min * 60;
  return seconds * 1000 + ms;
}

result<std::optional<int64_t>> selected_version(const config::settings& s, const lake::table& t,
                                                const std::string& prefix) {
  const auto version_key = prefix + "version";
  const auto time_key = prefix.empty() ? std::string{"timestamp"} : prefix + "ts";
  const auto& version = s.get(version_key);
  const auto& time = s.get(time_key);
  if (!version.empty() && !time.empty())
    return make_error(error_domain::config, 2, "give --" + version_key + " or --" + time_key + ", not both");
  if (!version.empty()) {
    if (version.find_first_not_of("0123456789") != std::string::npos)
      return make_error(error_domain::config, 2, "--" + version_key + " must be a version number, not " + version);
    return std::optional<int64_t>{std::stoll(version)};
  }
  if (time.empty())
    return std::optional<int64_t>{};
  auto ms = parse_time_ms(time);
  if (!ms)
    return make_error(error_domain::config, 2, "--" + time_key + " must be epoch ms or ISO 8601 UTC, not " + time);
  auto v = t.version_at(*ms);
  if (!v)
    return v.err();
  return std::optional<int64_t>{*v};
}

std::map<std::string, std::string> lake_command_defaults() {
  return {{"pipeline.spec", "examples/clickstream/pipeline.yaml"},
          {"kafka.bootstrap", "127.0.0.1:9092"},
          {"timeout_ms", "60000"},
          {"lake.dir", "build/lake"},
          {"table", ""},
          {"version", ""},
          {"timestamp", ""},
          {"from-version", ""},
          {"to-version", ""},
          {"from-ts", ""},
          {"to-ts", ""},
          {"limit", "0"},
          {"columns", ""},
          {"times", "ms"},
          {"format", "text"},
          {"stream", ""},
          {"topic", ""},
          {"id", ""},
          {"partitions", "1"},
          {"order", "event_time"},
          {"log.level", "warn"}};
}

bool is_lake_command(const std::string& command) {
  return command == "lake-tables" || command == "lake-history" || command == "lake-read" || command == "backfill";
}

int run_lake_command(const std::string& command, int argc, const char* const* argv) {
  auto s = config::settings::load(lake_command_defaults(), argc, argv);
  if (!s)
    return fail(command, s.err().describe(), 2);
  log::setup("admin", s->get("log.level"), log::format::text);
  if (command != "lake-tables" && s->get("table").empty())
    return fail(command, "--table=<table folder> is required", 2);
  if (command == "lake-tables")
    return lake_tables(*s);
  if (command == "lake-history")
    return lake_history(*s);
  if (command == "lake-read")
    return lake_read(*s);
  if (command == "backfill")
    return backfill(*s);
  return fail(command, "not a lake command", 2);
}

} // namespace freshet::admin
