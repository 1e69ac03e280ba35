#include "app/case_config.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "app/boundary.hpp"
#include "app/digest_service.hpp"
#include "app/kpi_service.hpp"
#include "app/open311_service.hpp"
#include "domain/text.hpp"
#include "storage/kpi_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {
constexpr Millis kTtl = 60 * 1000;

std::optional<std::string> str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Expected<json::value> read_json(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error("preset.not_found", p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return make_error("preset.invalid_json", p.string());
  return v;
}

Error bad(std::string file, std::string field) {
  return make_error("preset.invalid_field", std::move(field)).with("file", std::move(file));
}
}  // namespace

const storage::Category* TenantCaseConfig::category(std::string_view code) const {
  auto it = categories.find(code);
  return it == categories.end() ? nullptr : &it->second;
}

const UnitInfo* TenantCaseConfig::unit(org::Id id) const {
  auto it = units.find(id);
  return it == units.end() ? nullptr : &it->second;
}

std::string TenantCaseConfig::unit_name(std::optional<org::Id> id) const {
  const auto* u = id ? unit(*id) : nullptr;
  return u != nullptr ? u->name : std::string();
}

std::string TenantCaseConfig::unit_name(std::optional<org::Id> id, std::string_view locale) const {
  const auto* u = id ? unit(*id) : nullptr;
  if (u == nullptr) return {};
  if (locale != kFirstLocale && u->name_en && !u->name_en->empty()) return *u->name_en;
  return u->name;
}

std::string TenantCaseConfig::category_name(std::string_view code, std::string_view locale) const {
  const auto* c = category(code);
  if (c == nullptr) return std::string(code);
  if (locale != kFirstLocale && c->name_en && !c->name_en->empty()) return *c->name_en;
  return c->name;
}

std::string TenantCaseConfig::local_text(std::optional<Millis> at) const {
  if (!at) return {};
  const auto iso = format_iso_utc(*at + static_cast<Millis>(calendar.utc_offset_minutes()) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

int TenantCaseConfig::local_minute(Millis at) const {
  const Millis local = at + static_cast<Millis>(calendar.utc_offset_minutes()) * 60000;
  const Millis day = 86400000;
  return static_cast<int>(((local % day) + day) % day / 60000);
}

TenantCaseConfig::Place TenantCaseConfig::locate(double lat, double lng) const {
  Place p;
  const auto* area = areas ? areas->place(lat, lng) : nullptr;
  if (area == nullptr) {
    if (tenant_area) {
      if (!tenant_area->covers(lat, lng)) {
        p.outside = true;
        p.distance_m = std::llround(tenant_area->boundary_distance_m(lat, lng));
      }
    } else if (areas && areas->size() > 0) {
      p.outside = true;
      p.distance_m = std::llround(areas->distance_m(lat, lng));
    }
    return p;
  }
  // The area and its ancestors, root first: one branch of the organisation.
  p.area_path = area->path;
  for (const auto id : org::ids_on_path(area->path)) {
    const auto* u = unit(id);
    if (u == nullptr) continue;
    p.containing.push_back(id);
    switch (u->kind) {
      case org::UnitKind::kGrid:
      case org::UnitKind::kSubdistrict:
      case org::UnitKind::kCommunity:
        p.at[u->kind] = id;
        break;
      case org::UnitKind::kVillage:
        p.at[org::UnitKind::kCommunity] = id;
        p.at[org::UnitKind::kVillage] = id;
        break;
      default:
        break;
    }
  }
  // The subdistrict's enforcement team and the community's property company, when there are.
  for (const auto& [id, u] : units) {
    if (u.retired || !u.parent_id) continue;
    if (u.kind == org::UnitKind::kEnforcementTeam && p.at.contains(org::UnitKind::kSubdistrict) &&
        *u.parent_id == p.at[org::UnitKind::kSubdistrict] &&
        !p.at.contains(org::UnitKind::kEnforcementTeam)) {
      p.at[org::UnitKind::kEnforcementTeam] = id;
    }
    if (u.kind == org::UnitKind::kEnterprise && p.at.contains(org::UnitKind::kCommunity) &&
        *u.parent_id == p.at[org::UnitKind::kCommunity] &&
        !p.at.contains(org::UnitKind::kEnterprise)) {
      p.at[org::UnitKind::kEnterprise] = id;
    }
  }
  return p;
}

std::string TenantCaseConfig::place_name(const Place& place) const {
  std::string out;
  std::string parent;
  for (const auto kind :
       {org::UnitKind::kSubdistrict, org::UnitKind::kCommunity, org::UnitKind::kGrid}) {
    auto it = place.at.find(kind);
    const auto* u = it == place.at.end() ? nullptr : unit(it->second);
    if (u == nullptr) continue;
    std::string name = u->name;
    if (!parent.empty() && name.size() > parent.size() && name.rfind(parent, 0) == 0) {
      name = text::trim(name.substr(parent.size()));
    }
    if (!out.empty()) out += ' ';
    out += name;
    parent = u->name;
  }
  return out;
}

Expected<std::shared_ptr<const TenantCaseConfig>> CaseConfigCache::get(std::int64_t tenant_id) {
  const auto gen = config_generation();
  const Millis now = ctx_.clock.now();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(tenant_id);
    if (it != cache_.end() && it->second->generation == gen && now - it->second->loaded_at < kTtl) {
      return it->second;
    }
  }
  auto loaded = in_tx<std::shared_ptr<const TenantCaseConfig>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::shared_ptr<const TenantCaseConfig>> {
        storage::ConfigRepo repo(c, tenant_id);
        auto cal = repo.calendar();
        if (!cal) return make_error("case.not_configured");
        auto wc = calendar::WorkCalendar::make(cal->periods, cal->utc_offset_minutes, cal->years);
        if (!wc) return wc.error();
        auto cfg = std::make_shared<TenantCaseConfig>(std::move(wc.value()));
        cfg->tenant_id = tenant_id;
        cfg->generation = gen;
        cfg->loaded_at = now;
        for (auto& cat : repo.categories()) cfg->categories.emplace(cat.code, std::move(cat));
        cfg->drives = repo.drives();
        cfg->rules = repo.rules();
        cfg->workflow = repo.workflow().value_or(storage::WorkflowSettings{});
        cfg->messages = read_messages(c, tenant_id);
        std::vector<geo::Area> areas;
        for (const auto& u : storage::OrgRepo(c, tenant_id).all_units()) {
          cfg->units[u.id] =
              UnitInfo{u.id, u.kind, u.parent_id, u.path, u.name, u.name_en, u.retired};
          if (u.retired || !u.boundary_geojson) continue;
          auto polygon = stored_boundary_polygon(*u.boundary_geojson);
          if (!polygon) continue;
          // The root's boundary is the tenant's area (the whole district), not a place in it.
          if (!u.parent_id) {
            cfg->tenant_area = std::make_shared<const geo::Region>(*polygon);
            continue;
          }
          areas.push_back(geo::Area{u.id, u.kind, u.path, std::move(*polygon)});
        }
        cfg->areas = std::make_shared<const geo::AreaIndex>(std::move(areas));
        return std::shared_ptr<const TenantCaseConfig>(std::move(cfg));
      });
  if (!loaded) return loaded.error();
  std::lock_guard lock(mutex_);
  cache_[tenant_id] = *loaded;
  return *loaded;
}

Expected<storage::CalendarConfig> parse_calendar(const json::value& docv) {
  if (!docv.is_object()) return make_error("calendar.invalid", "");
  const auto& doc = docv.as_object();
  storage::CalendarConfig cfg;
  if (const auto* o = doc.if_contains("utc_offset_minutes"); o != nullptr && o->is_int64()) {
    cfg.utc_offset_minutes = static_cast<int>(o->as_int64());
  }
  const auto* periods = doc.if_contains("periods");
  if (periods == nullptr || !periods->is_array()) return make_error("field.required", "periods");
  for (std::size_t i = 0; i < periods->as_array().size(); ++i) {
    const auto& p = periods->as_array()[i];
    if (!p.is_object()) return make_error("calendar.invalid_period", "periods");
    auto a = str(p.as_object(), "start");
    auto b = str(p.as_object(), "end");
    auto am = a ? calendar::parse_minute_of_day(*a) : std::nullopt;
    auto bm = b ? calendar::parse_minute_of_day(*b) : std::nullopt;
    if (!am || !bm) {
      return make_error("calendar.invalid_period", "periods[" + std::to_string(i) + "]");
    }
    cfg.periods.push_back({*am, *bm});
  }
  if (const auto* years = doc.if_contains("years"); years != nullptr && years->is_array()) {
    for (const auto& yv : years->as_array()) {
      if (!yv.is_object()) return make_error("calendar.invalid_year", "years");
      const auto& yo = yv.as_object();
      calendar::YearSchedule y;
      if (const auto* n = yo.if_contains("year"); n != nullptr && n->is_int64()) {
        y.year = static_cast<int>(n->as_int64());
      } else {
        return make_error("calendar.invalid_year", "years");
      }
      for (const auto* key : {"holidays", "makeup_workdays"}) {
        const auto* list = yo.if_contains(key);
        if (list == nullptr) continue;
        if (!list->is_array()) return make_error("calendar.invalid_year", key);
        for (const auto& d : list->as_array()) {
          auto date = d.is_string() ? calendar::parse_date(d.as_string()) : std::nullopt;
          if (!date) return make_error("calendar.invalid_date", key);
          (std::string_view(key) == "holidays" ? y.holidays : y.makeup_workdays).push_back(*date);
        }
      }
      cfg.years.push_back(std::move(y));
    }
  }
  // The calendar's own rules (periods in order, dates in their year...) decide the rest.
  auto check = calendar::WorkCalendar::make(cfg.periods, cfg.utc_offset_minutes, cfg.years);
  if (!check) return check.error();
  return cfg;
}

Status load_case_preset(storage::Connection& c, std::int64_t tenant_id,
                        const std::filesystem::path& dir) {
  storage::ConfigRepo repo(c, tenant_id);
  storage::OrgRepo org(c, tenant_id);
  // A unit the configuration names may be demo data that this deployment did not load (a
  // department, an enforcement team): the category then has no default unit and the rule is
  // skipped, rather than the whole preset refused.
  bool missing_unit = false;
  auto unit_by_code =
      [&](const std::optional<std::string>& code) -> Expected<std::optional<org::Id>> {
    if (!code) return std::optional<org::Id>{};
    auto u = org.find_unit_by_code(*code);
    if (!u) {
      missing_unit = true;
      return std::optional<org::Id>{};
    }
    return std::optional<org::Id>(u->id);
  };

  if (std::filesystem::exists(dir / "calendar.json")) {
    auto doc = read_json(dir / "calendar.json");
    if (!doc) return doc.error();
    auto cal = parse_calendar(*doc);
    if (!cal) return cal.error();
    repo.save_calendar_header(cal->utc_offset_minutes, cal->periods);
    for (const auto& y : cal->years) repo.save_year(y);
  }

  if (std::filesystem::exists(dir / "categories.json")) {
    auto docv = read_json(dir / "categories.json");
    if (!docv) return docv.error();
    const auto& doc = docv->as_object();
    int order = 0;
    if (const auto* drives = doc.if_contains("drives"); drives != nullptr && drives->is_array()) {
      for (const auto& d : drives->as_array()) {
        if (!d.is_object()) return bad("categories.json", "drives");
        auto code = str(d.as_object(), "code");
        auto name = str(d.as_object(), "name");
        if (!code || !name) return bad("categories.json", "drives");
        repo.upsert_drive({*code, *name, str(d.as_object(), "name_en"), order++});
      }
    }
    const auto* classes = doc.if_contains("classes");
    if (classes == nullptr || !classes->is_array()) return bad("categories.json", "classes");
    order = 0;
    for (const auto& clsv : classes->as_array()) {
      if (!clsv.is_object()) return bad("categories.json", "classes");
      const auto& cls = clsv.as_object();
      storage::Category major;
      auto code = str(cls, "code");
      auto name = str(cls, "name");
      if (!code || !name) return bad("categories.json", "classes.code");
      major.code = *code;
      major.name = *name;
      major.name_en = str(cls, "name_en");
      major.kind = str(cls, "kind").value_or("event");
      major.sort_order = order++;
      repo.upsert_category(major);
      const auto* children = cls.if_contains("children");
      if (children == nullptr || !children->is_array()) continue;
      for (const auto& chv : children->as_array()) {
        if (!chv.is_object()) return bad("categories.json", *code);
        const auto& ch = chv.as_object();
        storage::Category minor;
        auto mcode = str(ch, "code");
        auto mname = str(ch, "name");
        if (!mcode || !mname) return bad("categories.json", *code + ".children");
        minor.code = *mcode;
        minor.parent_code = major.code;
        minor.kind = major.kind;
        minor.name = *mname;
        minor.name_en = str(ch, "name_en");
        minor.drive = str(ch, "drive");
        minor.filing_condition = str(ch, "filing_condition").value_or("");
        minor.closing_condition = str(ch, "closing_condition").value_or("");
        minor.notice_kind = str(ch, "notice_kind").value_or("rectification");
        if (minor.notice_kind != "rectification" && minor.notice_kind != "reminder") {
          return bad("categories.json", *mcode + ".notice_kind");
        }
        if (const auto* tl = ch.if_contains("time_limit"); tl != nullptr && tl->is_object()) {
          const auto* amount = tl->as_object().if_contains("amount");
          auto unit = str(tl->as_object(), "unit");
          auto lu = unit ? calendar::parse_limit_unit(*unit) : std::nullopt;
          if (amount == nullptr || !amount->is_int64() || !lu || amount->as_int64() < 1) {
            return bad("categories.json", *mcode + ".time_limit");
          }
          minor.limit = calendar::TimeLimit{static_cast<int>(amount->as_int64()), *lu};
        }
        minor.responsible_kind = str(ch, "responsible_kind");
        auto ru = unit_by_code(str(ch, "responsible_unit"));
        if (!ru) return ru.error();
        minor.responsible_unit_id = *ru;
        auto sg = unit_by_code(str(ch, "supervising_group"));
        if (!sg) return sg.error();
        minor.supervising_group_id = *sg;
        if (const auto* kw = ch.if_contains("keywords"); kw != nullptr && kw->is_array()) {
          for (const auto& k : kw->as_array()) {
            if (!k.is_string()) continue;
            if (!minor.keywords.empty()) minor.keywords += ' ';
            minor.keywords += std::string(k.as_string());
          }
        }
        minor.sort_order = order++;
        repo.upsert_category(minor);
      }
    }
  }

  if (std::filesystem::exists(dir / "routing.json")) {
    auto docv = read_json(dir / "routing.json");
    if (!docv) return docv.error();
    const auto* rules = docv->as_object().if_contains("rules");
    if (rules == nullptr || !rules->is_array()) return bad("routing.json", "rules");
    std::vector<routing::Rule> out;
    std::int64_t id = 1;
    for (const auto& rv : rules->as_array()) {
      if (!rv.is_object()) return bad("routing.json", "rules");
      const auto& r = rv.as_object();
      routing::Rule rule;
      rule.id = id++;
      rule.name = str(r, "name").value_or("");
      rule.category = str(r, "category");
      rule.category_prefix = str(r, "category_prefix");
      missing_unit = false;
      auto area = unit_by_code(str(r, "area"));
      if (!area) return area.error();
      rule.area_unit_id = *area;
      if (auto k = str(r, "area_kind")) rule.area_kind = org::parse_unit_kind(*k);
      if (const auto* h = r.if_contains("hours"); h != nullptr && h->is_object()) {
        auto f = str(h->as_object(), "from");
        auto t = str(h->as_object(), "to");
        if (f) rule.from_minute = calendar::parse_minute_of_day(*f);
        if (t) rule.to_minute = calendar::parse_minute_of_day(*t);
      }
      auto unit = unit_by_code(str(r, "unit"));
      if (!unit) return unit.error();
      rule.unit_id = *unit;
      if (auto k = str(r, "unit_by_area")) rule.unit_by_area = org::parse_unit_kind(*k);
      auto sg = unit_by_code(str(r, "supervising_group"));
      if (!sg) return sg.error();
      rule.supervising_group_id = *sg;
      if (missing_unit) continue;
      if (auto s = routing::check_rule(rule); !s) {
        return bad("routing.json", "rules[" + std::to_string(rule.id - 1) + "]");
      }
      out.push_back(std::move(rule));
    }
    repo.replace_rules(out);
  }

  if (std::filesystem::exists(dir / "workflow.json")) {
    auto docv = read_json(dir / "workflow.json");
    if (!docv) return docv.error();
    const auto& d = docv->as_object();
    storage::WorkflowSettings w;
    auto limit = [&](const char* key, calendar::TimeLimit& out) -> Status {
      const auto* v = d.if_contains(key);
      if (v == nullptr) return Ok{};
      if (!v->is_object()) return bad("workflow.json", key);
      const auto* amount = v->as_object().if_contains("amount");
      auto unit = str(v->as_object(), "unit");
      auto lu = unit ? calendar::parse_limit_unit(*unit) : std::nullopt;
      if (amount == nullptr || !amount->is_int64() || amount->as_int64() < 0 ||
          amount->as_int64() > 100000 || !lu) {
        return bad("workflow.json", key);
      }
      out = {static_cast<int>(amount->as_int64()), *lu};
      return Ok{};
    };
    if (auto s = limit("acknowledge_limit", w.acknowledge_limit); !s) return s;
    if (auto s = limit("verify_limit", w.verify_limit); !s) return s;
    if (const auto* e = d.if_contains("escalation_percents"); e != nullptr) {
      if (!e->is_array()) return bad("workflow.json", "escalation_percents");
      w.escalation_percents.clear();
      for (const auto& p : e->as_array()) {
        if (!p.is_int64() || p.as_int64() < 0 || p.as_int64() > 100000) {
          return bad("workflow.json", "escalation_percents");
        }
        w.escalation_percents.push_back(static_cast<int>(p.as_int64()));
      }
    }
    auto metres = [&](const char* key, int& out) -> Status {
      const auto* v = d.if_contains(key);
      if (v == nullptr) return Ok{};
      if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > 1000000) {
        return bad("workflow.json", key);
      }
      out = static_cast<int>(v->as_int64());
      return Ok{};
    };
    if (auto s = metres("duplicate_radius_m", w.duplicate_radius_m); !s) return s;
    if (auto s = metres("evidence_distance_m", w.evidence_distance_m); !s) return s;
    if (auto s = metres("recurrence_days", w.recurrence_days); !s) return s;
    if (auto v = str(d, "rectification_number_format")) w.rectification_number_format = *v;
    if (auto v = str(d, "reminder_number_format")) w.reminder_number_format = *v;
    if (auto v = str(d, "issuer")) w.issuer = *v;
    if (const auto* v = d.if_contains("reporter_sees_notice"); v != nullptr) {
      if (!v->is_bool()) return bad("workflow.json", "reporter_sees_notice");
      w.reporter_sees_notice = v->as_bool();
    }
    if (const auto* v = d.if_contains("anchor_digest"); v != nullptr) {
      if (!v->is_bool()) return bad("workflow.json", "anchor_digest");
      w.anchor_digest = v->as_bool();
    }
    if (const auto* v = d.if_contains("outside_area_policy"); v != nullptr) {
      if (!v->is_string() || (v->as_string() != "refuse" && v->as_string() != "flag")) {
        return bad("workflow.json", "outside_area_policy");
      }
      w.outside_area_policy = std::string(v->as_string());
    }
    // The same rules as the settings page: a preset cannot start a tenant on values the office
    // could not have saved.
    if (auto s = workflow::check(w); !s) return bad("workflow.json", s.error().field);
    repo.save_workflow(w);
  }

  // The KPI rules (weights, grade bands, minimum sample, red and black lists): checked like the
  // rest, stored as the document (app/kpi_service.hpp parse_kpi_settings).
  if (std::filesystem::exists(dir / "kpi.json")) {
    auto docv = read_json(dir / "kpi.json");
    if (!docv) return docv.error();
    auto parsed = parse_kpi_settings(*docv);
    if (!parsed) return bad("kpi.json", parsed.error().field);
    if (auto d = parse_digest_schedule(*docv); !d) return bad("kpi.json", d.error().field);
    storage::KpiRepo(c, tenant_id).save_settings_doc(json::serialize(*docv), 0);
  }
  // The Open311 façade's settings (app/open311_service.hpp), checked like the rest.
  if (auto s = load_open311_preset(c, tenant_id, dir, 0); !s) return s;
  config_changed();
  return Ok{};
}

}  // namespace civicloop::app
