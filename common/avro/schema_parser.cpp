// Avro JSON schema text -> validated node graph (Avro 1.11 specification rules).

#include <cmath>
#include <unordered_set>

#include "common/avro/detail/schema_store.hpp"
#include "common/avro/errc.hpp"

namespace freshet::avro {

namespace {

using json = nlohmann::json;

struct parse_failure {
  errc code;
  std::string message;
};

bool valid_simple_name(std::string_view s) {
  if (s.empty())
    return false;
  auto head = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!head(s[0]))
    return false;
  for (char c : s.substr(1))
    if (!head(c) && !(c >= '0' && c <= '9'))
      return false;
  return true;
}

bool valid_full_name(std::string_view s) {
  if (s.empty())
    return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    if (!valid_simple_name(s.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

bool is_primitive_name(std::string_view s) {
  return s == "null" || s == "boolean" || s == "int" || s == "long" || s == "float" || s == "double" ||
         s == "bytes" || s == "string";
}

type primitive_type(std::string_view s) {
  if (s == "null") return type::null;
  if (s == "boolean") return type::boolean;
  if (s == "int") return type::int_;
  if (s == "long") return type::long_;
  if (s == "float") return type::float_;
  if (s == "double") return type::double_;
  if (s == "bytes") return type::bytes;
  return type::string;
}

class parser {
 public:
  explicit parser(detail::schema_store& store) : store_(store) {}

  const node* parse(const json& j, const std::string& ns, const std::string& path) {
    if (j.is_string())
      return reference(j.get_ref<const std::string&>(), ns, path);
    if (j.is_array())
      return parse_union(j, ns, path);
    if (!j.is_object())
      fail(errc::schema_syntax, path, "a schema is a type name, an object or an array, not " + j.dump());
    auto t = j.find("type");
    if (t == j.end())
      fail(errc::schema_missing_attribute, path, "schema object without \"type\"");
    if (!t->is_string()) {
      // {"type": {...}} and {"type": [...]} wrap a schema; accepted as that schema.
      if (t->is_object() || t->is_array())
        return parse(*t, ns, path + "/type");
      fail(errc::schema_bad_attribute, path, "\"type\" must be a string, object or array");
    }
    const auto& tn = t->get_ref<const std::string&>();
    node* n = nullptr;
    if (is_primitive_name(tn)) {
      n = make(primitive_type(tn));
    } else if (tn == "record" || tn == "error") {
      return parse_record(j, ns, path);
    } else if (tn == "enum") {
      n = parse_enum(j, ns, path);
    } else if (tn == "fixed") {
      n = parse_fixed(j, ns, path);
    } else if (tn == "array") {
      n = make(type::array);
      n->items = parse(required(j, "items", path), ns, path + "/items");
    } else if (tn == "map") {
      n = make(type::map);
      n->values = parse(required(j, "values", path), ns, path + "/values");
    } else {
      return reference(tn, ns, path); // {"type": "SomeNamedType"}
    }
    annotate_logical(*n, j, path);
    return n;
  }

  [[noreturn]] static void fail(errc code, const std::string& path, std::string msg) {
    throw parse_failure{code, "at " + (path.empty() ? std::string{"/"} : path) + ": " + msg};
  }

 private:
  node* make(type t) {
    store_.nodes.push_back(std::make_unique<node>());
    auto* n = store_.nodes.back().get();
    n->kind = t;
    return n;
  }

  static const json& required(const json& j, const char* key, const std::string& path) {
    auto it = j.find(key);
    if (it == j.end())
      fail(errc::schema_missing_attribute, path, std::string{"missing \""} + key + "\"");
    return *it;
  }

  const node* reference(const std::string& name, const std::string& ns, const std::string& path) {
    if (is_primitive_name(name))
      return make(primitive_type(name));
    std::string full = (name.find('.') != std::string::npos || ns.empty()) ? name : ns + "." + name;
    auto it = store_.named.find(full);
    if (it == store_.named.end()) {
      if (name == "record" || name == "enum" || name == "fixed" || name == "array" || name == "map")
        fail(errc::schema_syntax, path, "\"" + name + "\" must be written as an object with its attributes");
      fail(errc::schema_unknown_type, path,
           "unknown type '" + name + "'" + (full != name ? " (looked up as '" + full + "')" : "") +
               "; named types must be defined before use");
    }
    return it->second;
  }

  // Sets fullname, name, namespace and aliases; registers the name. Returns the namespace children inherit.
  std::string name_type(node& n, const json& j, const std::string& ns, const std::string& path) {
    const auto& nm = required(j, "name", path);
    if (!nm.is_string())
      fail(errc::schema_bad_attribute, path + "/name", "name must be a string");
    const auto& name = nm.get_ref<const std::string&>();
    std::string space = ns;
    if (auto it = j.find("namespace"); it != j.end() && !it->is_null()) {
      if (!it->is_string())
        fail(errc::schema_bad_attribute, path + "/namespace", "namespace must be a string");
      space = it->get<std::string>();
      if (!space.empty() && !valid_full_name(space))
        fail(errc::schema_invalid_name, path + "/namespace", "invalid namespace '" + space + "'");
    }
    if (auto dot = name.rfind('.'); dot != std::string::npos) {
      n.fullname = name;
      n.namespace_ = name.substr(0, dot);
      n.name = name.substr(dot + 1);
    } else {
      n.name = name;
      n.namespace_ = space;
      n.fullname = space.empty() ? name : space + "." + name;
    }
    if (!valid_full_name(n.fullname))
      fail(errc::schema_invalid_name, path + "/name", "invalid name '" + name + "'");
    if (is_primitive_name(n.name) && n.namespace_.empty())
      fail(errc::schema_duplicate_name, path + "/name", "'" + n.name + "' is a primitive type and cannot be redefined");
    if (!store_.named.emplace(n.fullname, &n).second)
      fail(errc::schema_duplicate_name, path + "/name", "type '" + n.fullname + "' is defined twice");
    if (auto it = j.find("aliases"); it != j.end()) {
      if (!it->is_array())
        fail(errc::schema_bad_attribute, path + "/aliases", "aliases must be an array of names");
      for (const auto& a : *it) {
        if (!a.is_string() || !valid_full_name(a.get_ref<const std::string&>()))
          fail(errc::schema_invalid_name, path + "/aliases", "invalid alias " + a.dump());
        const auto& s = a.get_ref<const std::string&>();
        n.aliases.push_back(s.find('.') != std::string::npos || n.namespace_.empty() ? s : n.namespace_ + "." + s);
      }
    }
    if (auto it = j.find("doc"); it != j.end() && it->is_string())
      n.doc = it->get<std::string>();
    return n.namespace_;
  }

  const node* parse_record(const json& j, const std::string& ns, const std::string& path) {
    node* n = make(type::record);
    std::string inner = name_type(*n, j, ns, path);
    const auto& fs = required(j, "fields", path);
    if (!fs.is_array())
      fail(errc::schema_bad_attribute, path + "/fields", "fields must be an array");
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < fs.size(); ++i) {
      std::string fp = path + "/fields/" + std::to_string(i);
      const auto& fj = fs[i];
      if (!fj.is_object())
        fail(errc::schema_syntax, fp, "a field is an object");
      const auto& fname = required(fj, "name", fp);
      if (!fname.is_string() || !valid_simple_name(fname.get_ref<const std::string&>()))
        fail(errc::schema_invalid_name, fp + "/name", "invalid field name " + fname.dump());
      field f;
      f.name = fname.get<std::string>();
      f.position = i;
      if (!seen.insert(f.name).second)
        fail(errc::schema_duplicate_field, fp, "field '" + f.name + "' is declared twice in " + n->fullname);
      f.type = parse(required(fj, "type", fp), inner, fp + "/type");
      if (auto it = fj.find("default"); it != fj.end()) {
        f.has_default = true;
        f.default_json = it->dump();
      }
      if (auto it = fj.find("aliases"); it != fj.end()) {
        if (!it->is_array())
          fail(errc::schema_bad_attribute, fp + "/aliases", "aliases must be an array of names");
        for (const auto& a : *it) {
          if (!a.is_string() || !valid_simple_name(a.get_ref<const std::string&>()))
            fail(errc::schema_invalid_name, fp + "/aliases", "invalid field alias " + a.dump());
          f.aliases.push_back(a.get<std::string>());
        }
      }
      if (auto it = fj.find("order"); it != fj.end()) {
        std::string o = it->is_string() ? it->get<std::string>() : "";
        if (o == "ascending") f.order = sort_order::ascending;
        else if (o == "descending") f.order = sort_order::descending;
        else if (o == "ignore") f.order = sort_order::ignore;
        else fail(errc::schema_bad_attribute, fp + "/order", "order is ascending, descending or ignore");
      }
      if (auto it = fj.find("doc"); it != fj.end() && it->is_string())
        f.doc = it->get<std::string>();
      n->fields.push_back(std::move(f));
    }
    records_.push_back({n, path});
    return n;
  }

  node* parse_enum(const json& j, const std::string& ns, const std::string& path) {
    node* n = make(type::enum_);
    name_type(*n, j, ns, path);
    const auto& syms = required(j, "symbols", path);
    if (!syms.is_array())
      fail(errc::schema_bad_attribute, path + "/symbols", "symbols must be an array");
    std::unordered_set<std::string> seen;
    for (const auto& s : syms) {
      if (!s.is_string() || !valid_simple_name(s.get_ref<const std::string&>()))
        fail(errc::schema_invalid_name, path + "/symbols", "invalid enum symbol " + s.dump());
      if (!seen.insert(s.get<std::string>()).second)
        fail(errc::schema_duplicate_symbol, path + "/symbols", "symbol " + s.dump() + " appears twice");
      n->symbols.push_back(s.get<std::string>());
    }
    if (auto it = j.find("default"); it != j.end()) {
      if (!it->is_string() || (n->enum_default = n->symbol_index(it->get_ref<const std::string&>())) < 0)
        fail(errc::schema_bad_default, path + "/default", "enum default " + it->dump() + " is not one of its symbols");
    }
    return n;
  }

  node* parse_fixed(const json& j, const std::string& ns, const std::string& path) {
    node* n = make(type::fixed);
    name_type(*n, j, ns, path);
    const auto& size = required(j, "size", path);
    if (!size.is_number_integer() || size.get<int64_t>() < 0 || size.get<int64_t>() > (int64_t{1} << 31))
      fail(errc::schema_bad_attribute, path + "/size", "size must be a non-negative integer");
    n->size = size.get<std::size_t>();
    return n;
  }

  const node* parse_union(const json& j, const std::string& ns, const std::string& path) {
    node* n = make(type::union_);
    if (j.empty())
      fail(errc::schema_bad_union, path, "a union needs at least one branch");
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < j.size(); ++i) {
      std::string bp = path + "/" + std::to_string(i);
      const node* b = parse(j[i], ns, bp);
      if (b->kind == type::union_)
        fail(errc::schema_bad_union, bp, "a union may not immediately contain another union");
      std::string key = b->is_named() ? b->fullname : to_string(b->kind);
      if (!seen.insert(key).second)
        fail(errc::schema_bad_union, bp, "union has two branches of " + key);
      if (b->kind == type::null)
        n->null_branch = static_cast<int>(i);
      n->branches.push_back(b);
    }
    return n;
  }

  static void annotate_logical(node& n, const json& j, const std::string& path) {
    auto it = j.find("logicalType");
    if (it == j.end())
      return;
    if (!it->is_string())
      fail(errc::schema_bad_attribute, path + "/logicalType", "logicalType must be a string");
    n.logical_name = it->get<std::string>();
    const auto& lt = n.logical_name;
    auto k = n.kind;
    if (lt == "decimal" && (k == type::bytes || k == type::fixed)) {
      auto p = j.find("precision");
      auto s = j.find("scale");
      if (p == j.end() || !p->is_number_integer() || p->get<int64_t>() <= 0)
        return; // invalid: the spec says to fall back to the underlying type
      int64_t scale = 0;
      if (s != j.end()) {
        if (!s->is_number_integer() || s->get<int64_t>() < 0)
          return;
        scale = s->get<int64_t>();
      }
      if (scale > p->get<int64_t>())
        return;
      if (k == type::fixed && n.size > 0) {
        auto max_digits = static_cast<int64_t>(std::floor((8.0 * static_cast<double>(n.size) - 1) * std::log10(2.0)));
        if (p->get<int64_t>() > max_digits)
          return;
      }
      n.precision = static_cast<int>(std::min<int64_t>(p->get<int64_t>(), 1 << 30));
      n.scale = static_cast<int>(scale);
      n.logical = logical::decimal;
    } else if (lt == "uuid" && k == type::string) {
      n.logical = logical::uuid;
    } else if (lt == "date" && k == type::int_) {
      n.logical = logical::date;
    } else if (lt == "time-millis" && k == type::int_) {
      n.logical = logical::time_millis;
    } else if (lt == "time-micros" && k == type::long_) {
      n.logical = logical::time_micros;
    } else if (lt == "timestamp-millis" && k == type::long_) {
      n.logical = logical::timestamp_millis;
    } else if (lt == "timestamp-micros" && k == type::long_) {
      n.logical = logical::timestamp_micros;
    } else if (lt == "local-timestamp-millis" && k == type::long_) {
      n.logical = logical::local_timestamp_millis;
    } else if (lt == "local-timestamp-micros" && k == type::long_) {
      n.logical = logical::local_timestamp_micros;
    } else if (lt == "duration" && k == type::fixed && n.size == 12) {
      n.logical = logical::duration;
    }
  }

 public:
  // Defaults are checked once the whole graph exists: a default may mention types defined later.
  void check_defaults() {
    for (auto& [rec, path] : records_) {
      for (auto& f : rec->fields) {
        if (!f.has_default)
          continue;
        std::string why;
        if (!detail::encode_default(*f.type, json::parse(f.default_json), f.default_binary, why))
          fail(errc::schema_bad_default, path + "/fields/" + std::to_string(f.position) + "/default",
               "bad default for field '" + f.name + "' of " + rec->fullname + ": " + why);
      }
    }
  }

 private:
  detail::schema_store& store_;
  std::vector<std::pair<node*, std::string>> records_;
};

std::size_t compute_min_size(node& n, std::unordered_set<const node*>& active) {
  switch (n.kind) {
    case type::null: return 0;
    case type::float_: return 4;
    case type::double_: return 8;
    case type::fixed: return n.size;
    case type::record: {
      if (!active.insert(&n).second)
        return 0; // a lower bound is all the decoder needs
      std::size_t sum = 0;
      for (auto& f : n.fields)
        sum += compute_min_size(const_cast<node&>(*f.type), active);
      active.erase(&n);
      return sum;
    }
    default: return 1;
  }
}

} // namespace

result<schema> schema::parse(std::string_view text) {
  auto store = std::make_shared<detail::schema_store>();
  store->text = std::string{text};
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    return make_avro_error(errc::schema_syntax, "schema text is not valid JSON");
  try {
    parser p{*store};
    store->root = p.parse(j, "", "");
    p.check_defaults();
  } catch (const parse_failure& f) {
    return make_avro_error(f.code, f.message);
  } catch (const json::exception& e) {
    return make_avro_error(errc::schema_syntax, e.what());
  }
  std::unordered_set<const node*> active;
  for (auto& n : store->nodes)
    n->min_size = compute_min_size(*n, active);
  store->canonical = detail::canonical_form(*store->root);
  store->fingerprint = crc64_avro(store->canonical);
  schema s;
  s.store_ = std::move(store);
  return s;
}

} // namespace freshet::avro
