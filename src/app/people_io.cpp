#include "app/people_io.hpp"

#include <map>

#include "app/org_service.hpp"
#include "app/people_csv.hpp"
#include "reports/table.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace {

Error row_error(std::size_t line, std::string column, std::string code) {
  return make_error(std::move(code), std::move(column)).with("line", std::to_string(line));
}

}  // namespace

Expected<std::string> export_people(Context& ctx, const access::Actor& actor, TableFormat format) {
  if (auto s = access::require(actor, access::Permission::kOrgRead); !s) return s.error();
  auto table =
      in_tx<reports::Table>(ctx.db, false, [&](storage::Connection& c) -> Expected<reports::Table> {
        storage::OrgRepo repo(c, actor.tenant_id);
        std::map<org::Id, std::string> memberships;
        std::map<org::Id, bool> visible;
        std::map<org::Id, std::string> code_of;
        for (const auto& u : repo.all_units()) code_of[u.id] = u.code.value_or("");
        for (const auto& m : repo.all_memberships()) {
          if (!actor.scope.covers(m.unit_path)) continue;
          visible[m.m.person_id] = true;
          auto& cell = memberships[m.m.person_id];
          if (!cell.empty()) cell += "; ";
          cell += code_of[m.m.unit_id] + ":" + m.m.post_code + (m.m.is_head ? ":head" : "");
        }
        reports::Table rows;
        for (const auto& p : repo.all_people()) {
          if (p.retired || (!actor.scope.all && !visible[p.id])) continue;
          rows.push_back({std::to_string(p.id), p.name, p.title.value_or(""), p.phone.value_or(""),
                          memberships[p.id]});
        }
        return rows;
      });
  if (!table) return table.error();
  if (format == TableFormat::kCsv) return reports::to_csv(people_header_zh(), *table);
  return reports::to_xlsx("人员", people_header_zh(), *table);
}

Expected<ImportStats> import_people_csv(Context& ctx, const access::Actor& actor,
                                        std::string_view csv) {
  if (auto s = access::require(actor, access::Permission::kOrgWrite); !s) return s.error();
  auto rows = parse_people_csv(csv);
  if (!rows) return rows.error();
  OrgService org(ctx);
  return in_tx<ImportStats>(ctx.db, true, [&](storage::Connection& c) -> Expected<ImportStats> {
    storage::OrgRepo repo(c, actor.tenant_id);
    ImportStats stats;
    for (const auto& r : *rows) {
      auto opt = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
      };
      if (r.id_error) return *r.id_error;
      org::Id person_id = 0;
      if (r.id) {
        person_id = *r.id;
        auto existing = repo.find_person(person_id);
        if (!existing) return row_error(r.line, "id", "import.unknown_person");
        if (existing->name != r.name || existing->title != opt(r.title) ||
            existing->phone != opt(r.phone)) {
          auto u = org.update_person_in(c, actor, person_id, {r.name, opt(r.phone), opt(r.title)},
                                        existing->version);
          if (!u) return row_error(r.line, u.error().field, u.error().code);
          ++stats.updated;
        } else {
          ++stats.unchanged;
        }
      } else {
        auto p = org.create_person_in(c, actor, {r.name, opt(r.phone), opt(r.title), false});
        if (!p) return row_error(r.line, p.error().field, p.error().code);
        person_id = p->id;
        ++stats.created;
      }
      for (const auto& m : r.memberships) {
        auto unit = repo.find_unit_by_code(m.unit_code);
        if (!unit) return row_error(r.line, "memberships", "import.unknown_unit");
        if (repo.membership_exists(person_id, unit->id, m.post_code)) continue;
        auto added = org.add_membership_in(c, actor, person_id, unit->id, m.post_code, m.is_head);
        if (!added) return row_error(r.line, "memberships", added.error().code);
      }
      if (r.memberships_error) return *r.memberships_error;
    }
    return stats;
  });
}

}  // namespace civicloop::app
