#include "common/avro/compatibility.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace freshet::avro {

const char* to_string(compat_level l) {
  switch (l) {
    case compat_level::none: return "NONE";
    case compat_level::backward: return "BACKWARD";
    case compat_level::backward_transitive: return "BACKWARD_TRANSITIVE";
    case compat_level::forward: return "FORWARD";
    case compat_level::forward_transitive: return "FORWARD_TRANSITIVE";
    case compat_level::full: return "FULL";
    case compat_level::full_transitive: return "FULL_TRANSITIVE";
  }
  return "?";
}

std::optional<compat_level> parse_compat_level(std::string_view name) {
  std::string up;
  for (char c : name)
    up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  for (auto l : {compat_level::none, compat_level::backward, compat_level::backward_transitive, compat_level::forward,
                 compat_level::forward_transitive, compat_level::full, compat_level::full_transitive})
    if (up == to_string(l))
      return l;
  return std::nullopt;
}

const char* to_string(incompatibility_type t) {
  switch (t) {
    case incompatibility_type::name_mismatch: return "NAME_MISMATCH";
    case incompatibility_type::fixed_size_mismatch: return "FIXED_SIZE_MISMATCH";
    case incompatibility_type::missing_enum_symbols: return "MISSING_ENUM_SYMBOLS";
    case incompatibility_type::reader_field_missing_default_value: return "READER_FIELD_MISSING_DEFAULT_VALUE";
    case incompatibility_type::type_mismatch: return "TYPE_MISMATCH";
    case incompatibility_type::missing_union_branch: return "MISSING_UNION_BRANCH";
  }
  return "?";
}

namespace {

using issues = std::vector<incompatibility>;

bool promotable(type reader, type writer) {
  switch (reader) {
    case type::long_: return writer == type::int_;
    case type::float_: return writer == type::int_ || writer == type::long_;
    case type::double_: return writer == type::int_ || writer == type::long_ || writer == type::float_;
    case type::bytes: return writer == type::string;
    case type::string: return writer == type::bytes;
    default: return false;
  }
}

std::string type_label(const node& n) {
  return n.is_named() ? std::string{to_string(n.kind)} + " " + n.fullname : std::string{to_string(n.kind)};
}

/// Recursive checker with memoisation; a pair met again while still being checked counts as
/// compatible (recursive types), as in Avro's own SchemaCompatibility.
class checker {
 public:
  issues check(const node& r, const node& w, const std::string& path) {
    auto key = std::make_pair(&r, &w);
    auto it = memo_.find(key);
    if (it != memo_.end())
      return it->second.in_progress ? issues{} : it->second.result;
    memo_[key].in_progress = true;
    issues out = compute(r, w, path);
    auto& m = memo_[key];
    m.in_progress = false;
    m.result = out;
    return out;
  }

 private:
  struct memo_entry {
    bool in_progress = false;
    issues result;
  };
  std::map<std::pair<const node*, const node*>, memo_entry> memo_;

  static void add(issues& out, incompatibility_type t, std::string path, std::string msg) {
    out.push_back({t, path.empty() ? "/" : std::move(path), std::move(msg)});
  }
  static void append(issues& out, issues more) {
    for (auto& i : more)
      out.push_back(std::move(i));
  }

  static bool names_match(const node& r, const node& w) {
    return r.name == w.name || std::find(r.aliases.begin(), r.aliases.end(), w.fullname) != r.aliases.end();
  }

  issues compute(const node& r, const node& w, const std::string& path) {
    issues out;
    if (r.kind == w.kind) {
      switch (r.kind) {
        case type::array: return check(*r.items, *w.items, path + "/items");
        case type::map: return check(*r.values, *w.values, path + "/values");
        case type::fixed:
          if (!names_match(r, w))
            add(out, incompatibility_type::name_mismatch, path + "/name",
                "reader fixed " + r.fullname + " cannot read writer fixed " + w.fullname + " (names differ)");
          if (r.size != w.size)
            add(out, incompatibility_type::fixed_size_mismatch, path + "/size",
                "reader fixed " + r.fullname + " has size " + std::to_string(r.size) + ", writer size is " +
                    std::to_string(w.size));
          return out;
        case type::enum_: {
          if (!names_match(r, w))
            add(out, incompatibility_type::name_mismatch, path + "/name",
                "reader enum " + r.fullname + " cannot read writer enum " + w.fullname + " (names differ)");
          std::string missing;
          for (const auto& s : w.symbols)
            if (r.symbol_index(s) < 0)
              missing += (missing.empty() ? "" : ", ") + s;
          if (!missing.empty() && r.enum_default < 0)
            add(out, incompatibility_type::missing_enum_symbols, path + "/symbols",
                "reader enum " + r.fullname + " lacks writer symbols [" + missing + "] and has no default");
          return out;
        }
        case type::record: {
          if (!names_match(r, w))
            add(out, incompatibility_type::name_mismatch, path + "/name",
                "reader record " + r.fullname + " cannot read writer record " + w.fullname + " (names differ)");
          for (std::size_t i = 0; i < r.fields.size(); ++i) {
            const field& rf = r.fields[i];
            std::string fpath = path + "/fields/" + std::to_string(i);
            const field* wf = nullptr;
            int wi = w.field_index(rf.name);
            for (std::size_t a = 0; wi < 0 && a < rf.aliases.size(); ++a)
              wi = w.field_index(rf.aliases[a]);
            if (wi >= 0)
              wf = &w.fields[static_cast<std::size_t>(wi)];
            if (!wf) {
              if (!rf.has_default)
                add(out, incompatibility_type::reader_field_missing_default_value, fpath,
                    "reader field '" + rf.name + "' of " + r.fullname +
                        " has no default value and is missing in the writer schema");
              continue;
            }
            append(out, check(*rf.type, *wf->type, fpath + "/type"));
          }
          return out;
        }
        case type::union_:
          for (std::size_t i = 0; i < w.branches.size(); ++i)
            if (!check(r, *w.branches[i], path).empty())
              add(out, incompatibility_type::missing_union_branch, path + "/" + std::to_string(i),
                  "reader union lacks a branch that can read writer branch " + type_label(*w.branches[i]));
          return out;
        default: return out; // same primitive
      }
    }
    if (w.kind == type::union_) {
      // Every branch the writer may pick must be readable.
      for (std::size_t i = 0; i < w.branches.size(); ++i)
        append(out, check(r, *w.branches[i], path));
      return out;
    }
    if (r.kind == type::union_) {
      for (const node* b : r.branches)
        if (check(*b, w, path).empty())
          return out;
      add(out, incompatibility_type::missing_union_branch, path,
          "reader union lacks a branch that can read writer type " + type_label(w));
      return out;
    }
    if (!promotable(r.kind, w.kind))
      add(out, incompatibility_type::type_mismatch, path,
          "reader type " + type_label(r) + " cannot read writer type " + type_label(w));
    return out;
  }
};

} // namespace

std::vector<incompatibility> check_can_read(const schema& reader, const schema& writer) {
  checker c;
  return c.check(reader.root(), writer.root(), "");
}

std::string compat_issue::describe() const {
  return std::string{to_string(issue.type)} + " at " + issue.path + " (" +
         (candidate_is_reader ? "new schema reading data of version #" : "version #") + std::to_string(version_index + 1) +
         (candidate_is_reader ? "" : " reading data of the new schema") + "): " + issue.message;
}

compat_report check_compatibility(compat_level level, const schema& candidate, std::span<const schema> existing) {
  compat_report rep;
  if (level == compat_level::none || existing.empty())
    return rep;
  bool transitive = level == compat_level::backward_transitive || level == compat_level::forward_transitive ||
                    level == compat_level::full_transitive;
  bool backward = level != compat_level::forward && level != compat_level::forward_transitive;
  bool forward = level != compat_level::backward && level != compat_level::backward_transitive;
  std::size_t first = transitive ? 0 : existing.size() - 1;
  // Newest first, as the registry reports them.
  for (std::size_t v = existing.size(); v-- > first;) {
    if (backward)
      for (auto& i : check_can_read(candidate, existing[v]))
        rep.issues.push_back({v, true, std::move(i)});
    if (forward)
      for (auto& i : check_can_read(existing[v], candidate))
        rep.issues.push_back({v, false, std::move(i)});
  }
  rep.compatible = rep.issues.empty();
  return rep;
}

} // namespace freshet::avro
