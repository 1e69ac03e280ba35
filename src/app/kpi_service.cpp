#include "app/kpi_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <tuple>

#include "app/case_snapshot.hpp"
#include "domain/dashboard.hpp"
#include "storage/account_repo.hpp"
#include "storage/dashboard_repo.hpp"
#include "storage/kpi_repo.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {
namespace json = boost::json;

namespace {

enum class Level { kUnit, kSubdistrict, kCommunity, kGrid, kGroup, kReporter };

std::optional<Level> parse_level(std::string_view s) {
  if (s == "unit") return Level::kUnit;
  if (s == "subdistrict") return Level::kSubdistrict;
  if (s == "community") return Level::kCommunity;
  if (s == "grid") return Level::kGrid;
  if (s == "group") return Level::kGroup;
  if (s == "reporter") return Level::kReporter;
  return std::nullopt;
}

storage::KpiLevel storage_level(Level l) {
  switch (l) {
    case Level::kSubdistrict:
      return storage::KpiLevel::kSubdistrict;
    case Level::kCommunity:
      return storage::KpiLevel::kCommunity;
    case Level::kGrid:
      return storage::KpiLevel::kGrid;
    case Level::kGroup:
      return storage::KpiLevel::kGroup;
    default:
      return storage::KpiLevel::kUnit;
  }
}

// The case-list parameter that selects a level's cases.
const char* list_param(Level l) {
  switch (l) {
    case Level::kUnit:
      return "unit_id";
    case Level::kSubdistrict:
      return "subdistrict_id";
    case Level::kCommunity:
      return "community_id";
    case Level::kGrid:
      return "grid_id";
    case Level::kGroup:
      return "supervising_group_id";
    case Level::kReporter:
      return "reporter_id";
  }
  return "unit_id";
}

bool kind_fits(Level l, org::UnitKind k) {
  switch (l) {
    case Level::kUnit:
      return true;
    case Level::kSubdistrict:
      return k == org::UnitKind::kSubdistrict;
    case Level::kCommunity:
      return k == org::UnitKind::kCommunity || k == org::UnitKind::kVillage;
    case Level::kGrid:
      return k == org::UnitKind::kGrid;
    case Level::kGroup:
      return k == org::UnitKind::kSupervisionGroup;
    case Level::kReporter:
      return false;
  }
  return false;
}

struct Resolved {
  Level level = Level::kUnit;
  kpi::Period period;
};

Expected<Resolved> resolve(const KpiQuery& q, const TenantCaseConfig& cfg, Millis now) {
  Resolved r;
  auto level = parse_level(q.level);
  if (!level) return make_error("kpi.bad_level", "level");
  r.level = *level;
  auto kind = kpi::parse_period_kind(q.period);
  if (!kind) return make_error("kpi.bad_period", "period");
  if (*kind == kpi::PeriodKind::kRange) {
    if (!q.from || !q.to) return make_error("kpi.bad_period", q.from ? "to" : "from");
    auto f = calendar::parse_date(*q.from);
    if (!f) return make_error("request.invalid_parameter", "from");
    auto t = calendar::parse_date(*q.to);
    if (!t) return make_error("request.invalid_parameter", "to");
    auto p = kpi::range(*f, *t);
    if (!p) return p.error();
    r.period = *p;
  } else {
    calendar::Date d = cfg.calendar.local_date(now);
    if (q.date) {
      auto parsed = calendar::parse_date(*q.date);
      if (!parsed) return make_error("request.invalid_parameter", "date");
      d = *parsed;
    }
    r.period = kpi::period_of(*kind, d);
  }
  return r;
}

std::vector<FigureLink> links_of(Level level, std::int64_t id, const kpi::Period& p) {
  const std::pair<std::string, std::string> who{list_param(level), std::to_string(id)};
  const std::string from = calendar::format_date(p.from);
  const std::string to = calendar::format_date(p.to);
  std::vector<FigureLink> out;
  auto reported = [&](std::string figure, std::optional<std::string> state, bool exact) {
    FigureLink l{std::move(figure), {who, {"from", from}, {"to", to}}, exact};
    if (state) l.params.emplace_back("state", *state);
    out.push_back(std::move(l));
  };
  reported("reported", std::nullopt, true);
  reported("voided", "voided", true);
  if (level == Level::kReporter) return out;
  auto handled = [&](std::string figure, std::vector<std::pair<std::string, std::string>> more,
                     bool exact) {
    FigureLink l{std::move(figure), {who, {"dispatched_from", from}, {"dispatched_to", to}}, exact};
    for (auto& m : more) l.params.push_back(std::move(m));
    out.push_back(std::move(l));
  };
  handled("dispatched", {}, true);
  // Returned and parked cases of the cohort are in the window too; cases fixed on the spot not.
  handled("due", {}, false);
  handled("closed", {{"state", "closed"}}, true);
  handled("open", {{"open", "true"}}, true);
  handled("parked", {{"state", "parked"}}, true);
  // The list's overdue is the flag now, the figure counts every case that ran late.
  handled("overdue", {{"overdue", "true"}}, false);
  // Recurrences reported in the window: against the unit that closed the earlier case, or at the
  // place. Not exact: the list also holds recurrences never filed, which the figure does not count.
  FigureLink rec{"recurred", {{"from", from}, {"to", to}}, false};
  if (level == Level::kUnit) {
    rec.params.emplace_back("recurrence_unit_id", std::to_string(id));
  } else {
    rec.params.push_back(who);
    rec.params.emplace_back("recurrence", "true");
  }
  out.push_back(std::move(rec));
  return out;
}

Expected<std::vector<kpi::Weight>> parse_weights(const json::object& d, const char* key,
                                                 std::vector<kpi::Weight> fallback) {
  const auto* v = d.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_object()) return make_error("kpi.bad_settings", key);
  std::vector<kpi::Weight> out;
  for (const auto& [name, w] : v->as_object()) {
    auto ind = kpi::parse_indicator(name);
    if (!ind || !w.is_number()) return make_error("kpi.bad_settings", key);
    out.push_back({*ind, w.to_number<double>()});
  }
  return out;
}

Expected<kpi::ListRule> parse_rule(const json::object& d, const char* key, kpi::ListRule fallback) {
  const auto* v = d.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_object()) return make_error("kpi.bad_settings", key);
  kpi::ListRule r;
  const auto& o = v->as_object();
  if (const auto* t = o.if_contains("top"); t != nullptr) {
    if (!t->is_int64()) return make_error("kpi.bad_settings", key);
    r.top = static_cast<int>(std::clamp<std::int64_t>(t->as_int64(), -1, 100000));
  }
  if (const auto* s = o.if_contains("score"); s != nullptr) {
    if (!s->is_number()) return make_error("kpi.bad_settings", key);
    r.score = s->to_number<double>();
  }
  return r;
}

}  // namespace

Expected<kpi::Settings> parse_kpi_settings(const json::value& doc) {
  if (!doc.is_object()) return make_error("kpi.bad_settings", "format");
  const auto& d = doc.as_object();
  if (const auto* f = d.if_contains("format");
      f == nullptr || !f->is_string() || f->as_string() != "civicloop-kpi/1") {
    return make_error("kpi.bad_settings", "format");
  }
  const auto def = kpi::default_settings();
  kpi::Settings s;
  auto uw = parse_weights(d, "unit_weights", def.unit_weights);
  if (!uw) return uw.error();
  s.unit_weights = *uw;
  auto sw = parse_weights(d, "staff_weights", def.staff_weights);
  if (!sw) return sw.error();
  s.staff_weights = *sw;
  s.grades = def.grades;
  if (const auto* g = d.if_contains("grades"); g != nullptr) {
    if (!g->is_array()) return make_error("kpi.bad_settings", "grades");
    s.grades.clear();
    for (const auto& b : g->as_array()) {
      const auto* o = b.if_object();
      const auto* name = o ? o->if_contains("grade") : nullptr;
      const auto* min = o ? o->if_contains("min") : nullptr;
      if (name == nullptr || !name->is_string() || min == nullptr || !min->is_number()) {
        return make_error("kpi.bad_settings", "grades");
      }
      s.grades.push_back({std::string(name->as_string()), min->to_number<double>()});
    }
  }
  s.min_sample = def.min_sample;
  if (const auto* m = d.if_contains("min_sample"); m != nullptr) {
    if (!m->is_int64()) return make_error("kpi.bad_settings", "min_sample");
    s.min_sample = static_cast<int>(std::clamp<std::int64_t>(m->as_int64(), -1, 100000));
  }
  // "hotspot": {"min_reports": N}: the dashboard's hotspot threshold.
  s.hotspot_min_reports = def.hotspot_min_reports;
  if (const auto* h = d.if_contains("hotspot"); h != nullptr) {
    const auto* o = h->if_object();
    const auto* m = o ? o->if_contains("min_reports") : nullptr;
    if (m == nullptr || !m->is_int64()) return make_error("kpi.bad_settings", "hotspot");
    s.hotspot_min_reports = static_cast<int>(std::clamp<std::int64_t>(m->as_int64(), -1, 100000));
  }
  auto red = parse_rule(d, "red", def.red);
  if (!red) return red.error();
  s.red = *red;
  auto black = parse_rule(d, "black", def.black);
  if (!black) return black.error();
  s.black = *black;
  if (auto st = kpi::check(s); !st) return st.error();
  return s;
}

kpi::Settings KpiService::settings(std::int64_t tenant_id) {
  auto doc = in_tx<std::optional<std::string>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::optional<std::string>> {
        return storage::KpiRepo(c, tenant_id).settings_doc();
      });
  if (!doc || !doc.value()) return kpi::default_settings();
  boost::system::error_code ec;
  auto v = json::parse(**doc, ec);
  if (ec) return kpi::default_settings();
  auto s = parse_kpi_settings(v);
  // Stored documents were checked when loaded; one that no longer parses falls back.
  return s ? *s : kpi::default_settings();
}

ProjectResult KpiService::project(std::int64_t tenant_id, int batch, std::int64_t max_events) {
  ProjectResult res;
  auto cfgx = config_.get(tenant_id);
  if (!cfgx) return res;  // not configured: no cases either
  const auto cfg = *cfgx;
  const auto& cal = cfg->calendar;
  for (;;) {
    bool more = false;
    auto done = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
      storage::KpiRepo repo(c, tenant_id);
      storage::LedgerRepo ledger(c, tenant_id);
      std::int64_t seq = repo.lock_watermark();
      // The head before the page: every event up to it is visible to the page's read.
      const std::int64_t head = ledger.head().seq;
      const auto events = ledger.page_of_type("case", seq, batch);
      std::map<std::int64_t, kpi::CaseMarks> marks;
      std::map<std::int64_t, kpi::CaseMarks> was;
      std::map<kpi::Key, kpi::Counts> rows;
      std::map<kpi::StaffKey, kpi::StaffCounts> staff;
      // The dashboard's day counters and alerts (domain/dashboard.hpp), from the same events.
      std::map<dashboard::ActivityKey, dashboard::Activity> days;
      std::vector<storage::AlertRow> alerts;
      for (const auto& ev : events) {
        seq = ev.seq;
        if (!ev.after) continue;
        auto after = record_from_snapshot(*ev.after);
        if (!after) continue;  // attachments, legacy events
        std::optional<cases::Record> before;
        if (ev.before) before = record_from_snapshot(*ev.before);
        auto it = marks.find(ev.entity_id);
        if (it == marks.end()) {
          const auto m = repo.marks(ev.entity_id).value_or(kpi::CaseMarks{});
          was[ev.entity_id] = m;
          it = marks.emplace(ev.entity_id, m).first;
        }
        const kpi::CaseEvent ce{ev.action, std::move(before), std::move(*after), ev.at,
                                ev.actor_user_id};
        auto eff = kpi::project(ce, it->second, cal);
        if (auto act = dashboard::activity(ce, cal)) days[act->first] += act->second;
        if (dashboard::is_alert(ce)) {
          const auto& a = ce.after;
          alerts.push_back({ev.seq, ev.entity_id, a.case_no, a.title, a.escalation_level,
                            a.assigned_unit_id.value_or(0), a.grid_id.value_or(0), ev.at});
        }
        for (const auto& [k, v] : eff.counts) rows[k] += v;
        for (const auto& [k, v] : eff.staff) staff[k] += v;
        it->second = eff.marks;
        ++res.events;
      }
      std::map<std::tuple<storage::KpiLevel, std::int64_t, kpi::Day>, kpi::Counts> rollups;
      for (const auto& [k, v] : rows) {
        if (v.empty()) continue;
        repo.add(k, v);
        for (const auto& [level, id] :
             {std::pair{storage::KpiLevel::kUnit, k.unit_id},
              std::pair{storage::KpiLevel::kGrid, k.grid_id},
              std::pair{storage::KpiLevel::kGroup, k.group_id},
              std::pair{storage::KpiLevel::kCommunity, k.community_id},
              std::pair{storage::KpiLevel::kSubdistrict, k.subdistrict_id}}) {
          if (id != 0) rollups[{level, id, k.day}] += v;
        }
      }
      for (const auto& [k, v] : rollups) {
        if (!v.empty()) repo.add_rollup(std::get<0>(k), std::get<1>(k), std::get<2>(k), v);
      }
      for (const auto& [k, v] : staff) {
        if (!v.empty()) repo.add_staff(k, v);
      }
      for (const auto& [id, m] : marks) {
        if (m != was[id]) repo.save_marks(id, m);
      }
      storage::DashboardRepo board(c, tenant_id);
      for (const auto& [k, v] : days) board.add_activity(k, v);
      for (const auto& a : alerts) board.add_alert(a);
      more = static_cast<int>(events.size()) == batch;
      // A page that was not full saw every case event up to the head.
      if (!more) seq = std::max(seq, head);
      repo.set_watermark(seq, ctx_.clock.now());
      res.last_seq = seq;
      return Ok{};
    });
    (void)done;
    if (!more || res.events >= max_events) break;
  }
  return res;
}

ProjectResult KpiService::rebuild(std::int64_t tenant_id) {
  auto cleared = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::KpiRepo(c, tenant_id).clear();
    storage::DashboardRepo(c, tenant_id).clear();
    return Ok{};
  });
  (void)cleared;
  return project(tenant_id, 2000);
}

namespace {
std::vector<std::pair<std::string, std::int64_t>> tenants_of(Context& ctx) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  (void)in_tx<Ok>(ctx.db, false, [&](storage::Connection& c) -> Status {
    for (const auto& t : storage::TenantRepo(c).all()) out.emplace_back(t.code, t.id);
    return Ok{};
  });
  return out;
}
}  // namespace

std::vector<std::pair<std::string, ProjectResult>> KpiService::project_all() {
  std::vector<std::pair<std::string, ProjectResult>> out;
  for (const auto& [code, id] : tenants_of(ctx_)) out.emplace_back(code, project(id));
  return out;
}

std::vector<std::pair<std::string, ProjectResult>> KpiService::rebuild_all() {
  std::vector<std::pair<std::string, ProjectResult>> out;
  for (const auto& [code, id] : tenants_of(ctx_)) out.emplace_back(code, rebuild(id));
  return out;
}

namespace {

// Whether the actor may see a unit's or place's figures.
bool sees_unit(const access::Actor& a, const TenantCaseConfig& cfg, std::int64_t id) {
  if (a.scope.all) return true;
  const auto* u = cfg.unit(id);
  return u != nullptr && a.scope.covers(u->path);
}

}  // namespace

Expected<KpiView> KpiService::kpis(const access::Actor& actor, const KpiQuery& q) {
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto r = resolve(q, cfg, ctx_.clock.now());
  if (!r) return r.error();
  const Level level = r->level;
  // One place or person: it must exist, be of the level's kind, and lie in the actor's scope.
  std::optional<std::int64_t> only = q.id;
  if (level != Level::kReporter && only) {
    const auto* u = cfg.unit(*only);
    if (u == nullptr || !kind_fits(level, u->kind)) return make_error("org.unit_not_found", "id");
    if (!sees_unit(actor, cfg, *only)) return make_error("auth.out_of_scope");
  }
  if (level == Level::kReporter && !actor.scope.all) {
    // Unit-bound roles see their own figures, or those of people of a unit in their scope.
    if (!only) only = actor.user_id;
  }
  const auto settings = this->settings(actor.tenant_id);
  // Catch up with the ledger first (a bounded step; the scheduler does the rest).
  const auto fresh = in_tx<std::pair<std::int64_t, std::int64_t>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::pair<std::int64_t, std::int64_t>> {
        return std::pair{storage::KpiRepo(c, actor.tenant_id).watermark(),
                         storage::LedgerRepo(c, actor.tenant_id).head().seq};
      });
  if (fresh && fresh->first < fresh->second) project(actor.tenant_id, 500, 5000);

  const kpi::Day from = kpi::day_number(r->period.from);
  const kpi::Day to = kpi::day_number(r->period.to);
  return in_tx<KpiView>(ctx_.db, false, [&](storage::Connection& c) -> Expected<KpiView> {
    storage::KpiRepo repo(c, actor.tenant_id);
    KpiView view;
    view.level = q.level;
    view.period = r->period;
    view.as_of_seq = repo.watermark();
    if (level == Level::kReporter) {
      storage::UserRepo users(c, actor.tenant_id);
      if (only && !actor.scope.all && *only != actor.user_id) {
        auto u = users.find(*only);
        if (!u || !u->unit_id || !sees_unit(actor, cfg, *u->unit_id)) {
          return make_error("auth.out_of_scope");
        }
      }
      for (const auto& [id, counts] : repo.staff_sums(from, to, only)) {
        KpiRow row;
        row.id = id;
        if (auto u = users.find(id)) row.name = u->display_name;
        row.figures = kpi::staff_figures(counts);
        row.score = kpi::score(row.figures, settings.staff_weights);
        if (row.score) row.grade = kpi::grade(*row.score, settings);
        row.links = links_of(level, id, r->period);
        view.rows.push_back(std::move(row));
      }
      if (only && view.rows.empty()) {
        KpiRow row;
        row.id = *only;
        if (auto u = users.find(*only)) row.name = u->display_name;
        row.figures = kpi::staff_figures({});
        row.links = links_of(level, *only, r->period);
        view.rows.push_back(std::move(row));
      }
      return view;
    }
    std::map<std::int64_t, kpi::Counts> sums;
    for (auto& [id, counts] : repo.sums(storage_level(level), from, to, only)) sums[id] = counts;
    // A place with no case in the period is shown with empty figures (not left out).
    if (only) {
      sums.try_emplace(*only);
    } else if (level != Level::kUnit) {
      for (const auto& [id, u] : cfg.units) {
        if (!u.retired && kind_fits(level, u.kind)) sums.try_emplace(id);
      }
    }
    for (const auto& [id, counts] : sums) {
      if (!sees_unit(actor, cfg, id)) continue;
      KpiRow row;
      row.id = id;
      row.name = cfg.unit_name(id);
      row.figures = kpi::figures(counts);
      row.score = kpi::score(row.figures, settings.unit_weights);
      if (row.score) row.grade = kpi::grade(*row.score, settings);
      row.links = links_of(level, id, r->period);
      view.rows.push_back(std::move(row));
    }
    return view;
  });
}

std::shared_ptr<const KpiService::Ranked> KpiService::RankingMemo::find(const RankingKey& key,
                                                                        const kpi::Settings& s,
                                                                        Millis now) {
  const std::scoped_lock lock(mu);
  for (const auto& e : kept) {
    if (e.key == key && e.ranked->settings == s && now - e.at < kLifetime && now >= e.at) {
      return e.ranked;
    }
  }
  return nullptr;
}

void KpiService::RankingMemo::put(const RankingKey& key, std::shared_ptr<const Ranked> r,
                                  Millis now) {
  const std::scoped_lock lock(mu);
  // One entry per tenant, level and period: the newest.
  std::erase_if(kept, [&](const Entry& e) {
    return e.key.tenant == key.tenant && e.key.level == key.level && e.key.from == key.from &&
           e.key.to == key.to;
  });
  if (kept.size() >= kMaxKept) kept.erase(kept.begin());
  kept.push_back({key, now, std::move(r)});
}

Expected<RankingView> KpiService::rankings(const access::Actor& actor, const KpiQuery& q) {
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto r = resolve(q, cfg, ctx_.clock.now());
  if (!r) return r.error();
  if (q.id) return make_error("request.invalid_parameter", "id");
  const Level level = r->level;
  // Rankings are computed over the whole tenant (a rank means the same to everyone), then listed
  // for the actor's scope; reading them needs the whole-tenant view or a scope.
  if (actor.scope.empty()) return make_error("auth.out_of_scope");
  RankingView view;
  view.level = q.level;
  view.period = r->period;
  view.previous = kpi::previous(r->period);
  view.settings = settings(actor.tenant_id);
  const auto& s = view.settings;
  const auto fresh = in_tx<std::pair<std::int64_t, std::int64_t>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::pair<std::int64_t, std::int64_t>> {
        return std::pair{storage::KpiRepo(c, actor.tenant_id).watermark(),
                         storage::LedgerRepo(c, actor.tenant_id).head().seq};
      });
  if (fresh && fresh->first < fresh->second) project(actor.tenant_id, 500, 5000);

  auto done = in_tx<Ok>(ctx_.db, false, [&](storage::Connection& c) -> Status {
    storage::KpiRepo repo(c, actor.tenant_id);
    view.as_of_seq = repo.watermark();
    const auto period_days = [](const kpi::Period& p) {
      return std::pair{kpi::day_number(p.from), kpi::day_number(p.to)};
    };
    const auto [from, to] = period_days(view.period);
    const auto [pfrom, pto] = period_days(view.previous);
    // The same tenant, level, period, settings and configuration at the same watermark rank the
    // same: the last rankings are kept (a reporter's are not: his name is read from his account).
    const RankingKey key{actor.tenant_id, static_cast<int>(level), from, to,
                         view.as_of_seq,  cfg.generation};
    const bool keep = level != Level::kReporter;
    const Millis now = ctx_.clock.now();
    std::shared_ptr<const Ranked> ranked = keep ? memo_->find(key, s, now) : nullptr;
    if (!ranked) {
      auto fresh = std::make_shared<Ranked>();
      fresh->settings = s;
      auto& rows = fresh->rows;
      std::vector<kpi::RankInput> cur;
      std::vector<kpi::RankInput> prev;
      auto input = [&](const kpi::Figures& f, std::int64_t id, bool staff) {
        return kpi::RankInput{id, kpi::score(f, staff ? s.staff_weights : s.unit_weights),
                              staff ? f.reported : f.due};
      };
      if (level == Level::kReporter) {
        storage::UserRepo users(c, actor.tenant_id);
        for (const auto& [id, counts] : repo.staff_sums(from, to, std::nullopt)) {
          KpiRow row;
          row.id = id;
          if (auto u = users.find(id)) row.name = u->display_name;
          row.figures = kpi::staff_figures(counts);
          row.score = kpi::score(row.figures, s.staff_weights);
          row.links = links_of(level, id, view.period);
          cur.push_back(input(row.figures, id, true));
          rows[id] = std::move(row);
        }
        for (const auto& [id, counts] : repo.staff_sums(pfrom, pto, std::nullopt)) {
          prev.push_back(input(kpi::staff_figures(counts), id, true));
        }
      } else {
        std::map<std::int64_t, kpi::Counts> sums;
        for (auto& [id, counts] : repo.sums(storage_level(level), from, to, std::nullopt)) {
          sums[id] = counts;
        }
        if (level != Level::kUnit) {
          for (const auto& [id, u] : cfg.units) {
            if (!u.retired && kind_fits(level, u.kind)) sums.try_emplace(id);
          }
        }
        for (const auto& [id, counts] : sums) {
          KpiRow row;
          row.id = id;
          row.name = cfg.unit_name(id);
          row.figures = kpi::figures(counts);
          row.score = kpi::score(row.figures, s.unit_weights);
          row.links = links_of(level, id, view.period);
          cur.push_back(input(row.figures, id, false));
          rows[id] = std::move(row);
        }
        for (const auto& [id, counts] : repo.sums(storage_level(level), pfrom, pto, std::nullopt)) {
          prev.push_back(input(kpi::figures(counts), id, false));
        }
      }
      fresh->entries = kpi::rank(cur, prev, s);
      if (keep) memo_->put(key, fresh, now);
      ranked = std::move(fresh);
    }
    // Who the actor may see: his scope's units and places; people of units in it.
    std::set<std::int64_t> visible;
    if (level == Level::kReporter && !actor.scope.all) {
      storage::UserRepo users(c, actor.tenant_id);
      for (const auto& [id, row] : ranked->rows) {
        auto u = users.find(id);
        if (id == actor.user_id || (u && u->unit_id && sees_unit(actor, cfg, *u->unit_id))) {
          visible.insert(id);
        }
      }
    } else {
      for (const auto& [id, row] : ranked->rows) {
        if (level == Level::kReporter || sees_unit(actor, cfg, id)) visible.insert(id);
      }
    }
    for (const auto& e : ranked->entries) {
      if (!visible.contains(e.id)) continue;
      RankingRow rr{ranked->rows.at(e.id), e};
      rr.row.grade = e.grade;
      view.rows.push_back(std::move(rr));
    }
    return Ok{};
  });
  if (!done) return done.error();
  return view;
}

}  // namespace civicloop::app
