#include "common/lake/errc.hpp"
#include "common/lake/transaction.hpp"

namespace freshet::lake {

status check_conflict(const transaction& ours, int64_t winner_version, const std::vector<action>& winner) {
  auto conflict = [&](const std::string& why) {
    return make_lake_error(errc::conflict, "concurrent commit " + std::to_string(winner_version) + " " + why);
  };
  std::set<std::string> our_apps;
  for (const auto& t : ours.txns)
    our_apps.insert(t.app_id);
  for (const auto& [app, v] : ours.expected_txns)
    our_apps.insert(app);
  std::set<std::string> depends = ours.read_files;
  for (const auto& r : ours.removes)
    depends.insert(r.path);
  std::set<std::string> our_adds;
  for (const auto& a : ours.adds)
    our_adds.insert(a.path);
  const bool we_change_metadata = ours.metadata || ours.protocol;

  for (const auto& a : winner) {
    if (std::holds_alternative<protocol_action>(a))
      return conflict("changed the protocol");
    if (std::holds_alternative<metadata_action>(a))
      return conflict("changed the table metadata");
    if (const auto* t = std::get_if<txn_action>(&a); t && our_apps.contains(t->app_id))
      return conflict("moved txn appId " + t->app_id + " to " + std::to_string(t->version));
    if (const auto* r = std::get_if<remove_action>(&a)) {
      if (depends.contains(r->path))
        return conflict("removed " + r->path + ", which this commit depends on");
      if (we_change_metadata)
        return conflict("changed data while this commit changes the metadata");
    }
    if (const auto* add = std::get_if<add_action>(&a)) {
      if (our_adds.contains(add->path))
        return conflict("added " + add->path + " too");
      if (we_change_metadata)
        return conflict("changed data while this commit changes the metadata");
    }
  }
  return {};
}

} // namespace freshet::lake
