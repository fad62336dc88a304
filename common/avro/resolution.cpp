// Builds resolution plans (Avro 1.11 "Schema Resolution").

#include <algorithm>
#include <map>

#include "common/avro/detail/plan.hpp"

namespace freshet::avro::detail {

namespace {

class builder {
 public:
  explicit builder(plan_store& s) : store_(s) {}

  const plan* build(const node& w, const node& r, std::string& why) {
    auto key = std::make_pair(&w, &r);
    if (auto it = memo_.find(key); it != memo_.end()) {
      if (it->second->failed) {
        why = it->second->why;
        return nullptr;
      }
      return it->second; // possibly still being built (recursive types)
    }
    store_.plans.push_back(std::make_unique<plan>());
    plan* p = store_.plans.back().get();
    p->writer = &w;
    p->reader = &r;
    memo_[key] = p;
    if (!fill(*p, w, r, why)) {
      p->failed = true;
      p->code = op::unreadable;
      p->why = why;
      return nullptr;
    }
    return p;
  }

 private:
  plan_store& store_;
  std::map<std::pair<const node*, const node*>, plan*> memo_;

  static bool names_match(const node& r, const node& w) {
    return r.name == w.name || std::find(r.aliases.begin(), r.aliases.end(), w.fullname) != r.aliases.end();
  }

  static bool same_shape(const node& r, const node& w) {
    return r.kind == w.kind && (!r.is_named() || names_match(r, w));
  }

  bool fill(plan& p, const node& w, const node& r, std::string& why) {
    if (w.kind == type::union_) {
      p.code = op::writer_union;
      bool any = false;
      for (const node* b : w.branches) {
        std::string sub_why;
        const plan* sub = build(*b, r, sub_why);
        p.branches.push_back(sub); // nullptr: data on this branch is unresolvable
        any = any || sub;
      }
      if (!any)
        why = "no branch of the writer union " + std::string{"can be read by the reader"};
      return any;
    }
    if (r.kind == type::union_) {
      // The first reader branch of the same kind (and name), else the first that can read it.
      // Pass 0 matches full names, so that a union of ns1.A and ns2.A reads itself branch for branch.
      for (int pass = 0; pass < 3; ++pass) {
        for (std::size_t i = 0; i < r.branches.size(); ++i) {
          const node& b = *r.branches[i];
          if (pass == 0 && !(b.kind == w.kind && (!b.is_named() || b.fullname == w.fullname)))
            continue;
          if (pass == 1 && !same_shape(b, w))
            continue;
          std::string sub_why;
          const plan* sub = build(w, b, sub_why);
          if (sub) {
            p.code = op::reader_union;
            p.reader_branch = static_cast<int>(i);
            p.inner = sub;
            return true;
          }
        }
      }
      why = "reader union has no branch that can read writer type " + std::string{w.branch_name()};
      return false;
    }
    if (r.kind != w.kind) {
      struct promo {
        type w, r;
        op code;
      };
      static constexpr promo promos[] = {
          {type::int_, type::long_, op::int_to_long},      {type::int_, type::float_, op::int_to_float},
          {type::int_, type::double_, op::int_to_double},  {type::long_, type::float_, op::long_to_float},
          {type::long_, type::double_, op::long_to_double}, {type::float_, type::double_, op::float_to_double},
          {type::string, type::bytes, op::string_to_bytes}, {type::bytes, type::string, op::bytes_to_string},
      };
      for (const auto& pr : promos)
        if (pr.w == w.kind && pr.r == r.kind) {
          p.code = pr.code;
          return true;
        }
      why = "reader type " + std::string{r.branch_name()} + " cannot read writer type " + std::string{w.branch_name()};
      return false;
    }
    switch (r.kind) {
      case type::array:
      case type::map: {
        p.code = r.kind == type::array ? op::array : op::map;
        const node& wi = r.kind == type::array ? *w.items : *w.values;
        const node& ri = r.kind == type::array ? *r.items : *r.values;
        p.items = build(wi, ri, why);
        return p.items != nullptr;
      }
      case type::fixed:
        if (!names_match(r, w) || r.size != w.size) {
          why = "fixed " + w.fullname + " (size " + std::to_string(w.size) + ") cannot be read as fixed " + r.fullname +
                " (size " + std::to_string(r.size) + ")";
          return false;
        }
        p.code = op::same;
        return true;
      case type::enum_:
        if (!names_match(r, w)) {
          why = "enum " + w.fullname + " cannot be read as enum " + r.fullname;
          return false;
        }
        p.code = op::enum_;
        for (const auto& s : w.symbols) {
          int i = r.symbol_index(s);
          p.enum_map.push_back(i >= 0 ? i : r.enum_default);
        }
        return true;
      case type::record: return fill_record(p, w, r, why);
      default: p.code = op::same; return true;
    }
  }

  bool fill_record(plan& p, const node& w, const node& r, std::string& why) {
    if (!names_match(r, w)) {
      why = "record " + w.fullname + " cannot be read as record " + r.fullname;
      return false;
    }
    p.code = op::record;
    std::vector<int> writer_for_reader(r.fields.size(), -1);
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
      const field& rf = r.fields[i];
      int wi = w.field_index(rf.name);
      for (std::size_t a = 0; wi < 0 && a < rf.aliases.size(); ++a)
        wi = w.field_index(rf.aliases[a]);
      writer_for_reader[i] = wi;
      if (wi < 0) {
        if (!rf.has_default) {
          why = "reader field '" + rf.name + "' of " + r.fullname + " has no default and the writer lacks it";
          return false;
        }
        p.defaulted.push_back(static_cast<int>(i));
      }
    }
    p.fields.resize(w.fields.size());
    for (std::size_t wi = 0; wi < w.fields.size(); ++wi)
      p.fields[wi].writer_type = w.fields[wi].type;
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
      int wi = writer_for_reader[i];
      if (wi < 0)
        continue;
      auto& step = p.fields[static_cast<std::size_t>(wi)];
      if (step.reader_field >= 0) {
        // Two reader fields claim one writer field (by name and by alias): the first wins.
        if (!r.fields[i].has_default) {
          why = "reader fields '" + r.fields[static_cast<std::size_t>(step.reader_field)].name + "' and '" +
                r.fields[i].name + "' both match writer field '" + w.fields[static_cast<std::size_t>(wi)].name + "'";
          return false;
        }
        p.defaulted.push_back(static_cast<int>(i));
        continue;
      }
      step.reader_field = static_cast<int>(i);
      step.sub = build(*w.fields[static_cast<std::size_t>(wi)].type, *r.fields[i].type, why);
      if (!step.sub) {
        why = "field '" + r.fields[i].name + "': " + why;
        return false;
      }
    }
    for (int i : p.defaulted) {
      const node& t = *r.fields[static_cast<std::size_t>(i)].type;
      std::string ignored;
      p.default_plans.push_back(build(t, t, ignored));
    }
    return true;
  }
};

} // namespace

const plan* build_plan(plan_store& store, const node& writer, const node& reader, std::string& why) {
  builder b{store};
  return b.build(writer, reader, why);
}

} // namespace freshet::avro::detail
