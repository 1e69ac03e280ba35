#include "app/people_io.hpp"

#include <map>

#include "app/org_service.hpp"
#include "domain/text.hpp"
#include "reports/table.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace {

const std::vector<std::string> kHeaderZh = {"编号", "姓名", "职务", "电话", "任职"};
const std::vector<std::string> kHeaderEn = {"id", "name", "title", "phone", "memberships"};

Error row_error(std::size_t line, std::string column, std::string code) {
  return make_error(std::move(code), std::move(column)).with("line", std::to_string(line));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(text::trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
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
  if (format == TableFormat::kCsv) return reports::to_csv(kHeaderZh, *table);
  return reports::to_xlsx("人员", kHeaderZh, *table);
}

Expected<ImportStats> import_people_csv(Context& ctx, const access::Actor& actor,
                                        std::string_view csv) {
  if (auto s = access::require(actor, access::Permission::kOrgWrite); !s) return s.error();
  reports::CsvError err;
  auto rows = reports::parse_csv(csv, &err, 20000);
  if (!rows) {
    return make_error("import.bad_csv")
        .with("line", std::to_string(err.line))
        .with("reason", err.reason);
  }
  if (rows->empty()) return make_error("import.empty");
  // Map columns by header name, Chinese or English, in any order.
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < (*rows)[0].size(); ++i) {
    const auto h = text::trim((*rows)[0][i]);
    for (std::size_t k = 0; k < kHeaderZh.size(); ++k) {
      if (h == kHeaderZh[k] || h == kHeaderEn[k]) col[kHeaderEn[k]] = i;
    }
  }
  if (!col.contains("name")) return make_error("import.missing_column", "name");
  auto cell = [&](const std::vector<std::string>& r, const char* name) -> std::string {
    auto it = col.find(name);
    if (it == col.end() || it->second >= r.size()) return "";
    return text::trim(r[it->second]);
  };
  OrgService org(ctx);
  return in_tx<ImportStats>(ctx.db, true, [&](storage::Connection& c) -> Expected<ImportStats> {
    storage::OrgRepo repo(c, actor.tenant_id);
    ImportStats stats;
    for (std::size_t i = 1; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      const std::size_t line = i + 1;
      const auto id_text = cell(r, "id");
      const auto name = cell(r, "name");
      const auto title = cell(r, "title");
      const auto phone = cell(r, "phone");
      auto opt = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
      };
      org::Id person_id = 0;
      if (!id_text.empty()) {
        try {
          std::size_t used = 0;
          person_id = std::stoll(id_text, &used);
          if (used != id_text.size()) throw std::invalid_argument("id");
        } catch (...) {
          return row_error(line, "id", "import.invalid_field");
        }
        auto existing = repo.find_person(person_id);
        if (!existing) return row_error(line, "id", "import.unknown_person");
        if (existing->name != name || existing->title != opt(title) ||
            existing->phone != opt(phone)) {
          auto u = org.update_person_in(c, actor, person_id, {name, opt(phone), opt(title)},
                                        existing->version);
          if (!u) return row_error(line, u.error().field, u.error().code);
          ++stats.updated;
        } else {
          ++stats.unchanged;
        }
      } else {
        auto p = org.create_person_in(c, actor, {name, opt(phone), opt(title), false});
        if (!p) return row_error(line, p.error().field, p.error().code);
        person_id = p->id;
        ++stats.created;
      }
      const auto ms = cell(r, "memberships");
      if (ms.empty()) continue;
      for (const auto& entry : split(ms, ';')) {
        if (entry.empty()) continue;
        auto parts = split(entry, ':');
        if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && parts[2] != "head")) {
          return row_error(line, "memberships", "import.invalid_field");
        }
        auto unit = repo.find_unit_by_code(parts[0]);
        if (!unit) return row_error(line, "memberships", "import.unknown_unit");
        if (repo.membership_exists(person_id, unit->id, parts[1])) continue;
        auto m = org.add_membership_in(c, actor, person_id, unit->id, parts[1], parts.size() == 3);
        if (!m) return row_error(line, "memberships", m.error().code);
      }
    }
    return stats;
  });
}

}  // namespace civicloop::app
