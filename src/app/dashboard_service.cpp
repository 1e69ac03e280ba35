#include "app/dashboard_service.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "domain/dashboard.hpp"
#include "storage/dashboard_repo.hpp"
#include "storage/kpi_repo.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

namespace {

constexpr int kTrendDays = 30;
constexpr std::size_t kTopCategories = 10;
constexpr std::size_t kRankingEnds = 5;
constexpr std::size_t kAlerts = 10;
constexpr std::size_t kHotspots = 20;  // embedded in the dashboard; GET /hotspots has them all
constexpr int kAlertsRead = 200;       // newest escalations read to find the reader's 10
constexpr Millis kDayMs = 24LL * 3600 * 1000;

using Params = std::vector<std::pair<std::string, std::string>>;

// What a reader sees of a counter row kept per unit × grid: the case list's rule (cases assigned
// into or located in his subtrees).
struct Visibility {
  const access::Actor& actor;
  const TenantCaseConfig& cfg;
  bool covers(std::int64_t id) const {
    if (id == 0) return false;
    const auto* u = cfg.unit(id);
    return u != nullptr && actor.scope.covers(u->path);
  }
  bool sees(std::int64_t unit_id, std::int64_t grid_id) const {
    return actor.scope.all || covers(unit_id) || covers(grid_id);
  }
  // Every unit in the reader's subtrees (a scoped reader's filter of the counter rows).
  std::vector<std::int64_t> ids() const {
    std::vector<std::int64_t> out;
    for (const auto& [id, u] : cfg.units) {
      if (actor.scope.covers(u.path)) out.push_back(id);
    }
    return out;
  }
};

// The months (YYYYMM) of a period made of whole months, which the district's hotspots read from
// the projector's month sums; none for a day, a week or a range.
std::optional<std::pair<std::int64_t, std::int64_t>> whole_months(const kpi::Period& p) {
  if (p.kind != kpi::PeriodKind::kMonth && p.kind != kpi::PeriodKind::kQuarter) return std::nullopt;
  return std::pair{kpi::day_number(p.from) / 100, kpi::day_number(p.to) / 100};
}

Expected<kpi::Period> period_of(const HotspotQuery& q, const TenantCaseConfig& cfg, Millis now) {
  auto kind = kpi::parse_period_kind(q.period);
  if (!kind) return make_error("kpi.bad_period", "period");
  if (*kind == kpi::PeriodKind::kRange) {
    if (!q.from || !q.to) return make_error("kpi.bad_period", q.from ? "to" : "from");
    auto f = calendar::parse_date(*q.from);
    if (!f) return make_error("request.invalid_parameter", "from");
    auto t = calendar::parse_date(*q.to);
    if (!t) return make_error("request.invalid_parameter", "to");
    return kpi::range(*f, *t);
  }
  calendar::Date d = cfg.calendar.local_date(now);
  if (q.date) {
    auto parsed = calendar::parse_date(*q.date);
    if (!parsed) return make_error("request.invalid_parameter", "date");
    d = *parsed;
  }
  return kpi::period_of(*kind, d);
}

Status may_read(const access::Actor& actor) {
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  if (actor.scope.empty()) return make_error("auth.out_of_scope");
  return Ok{};
}

// The hotspots of a period as the reader sees them, at most `limit` (0: all) with their number:
// the district's from the month sums when the period is whole months, else from the reader's
// counter rows.
HotspotView hotspots_of(storage::DashboardRepo& repo, const Visibility& vis,
                        const kpi::Period& period, int min_reports, std::size_t limit,
                        std::string_view locale) {
  HotspotView view;
  view.period = period;
  view.min_reports = min_reports;
  std::vector<dashboard::HotspotInput> in;
  const auto months = whole_months(period);
  if (vis.actor.scope.all && months) {
    for (auto& h : repo.hotspots(months->first, months->second, min_reports, limit)) {
      in.push_back({h.grid_id, std::move(h.category_code), h.reported});
    }
    view.total = limit == 0 ? static_cast<std::int64_t>(in.size())
                            : repo.hotspot_count(months->first, months->second, min_reports);
  } else {
    const auto ids = vis.ids();
    std::map<std::pair<std::int64_t, std::string>, std::int64_t> per;
    for (const auto& s : repo.reports(kpi::day_number(period.from), kpi::day_number(period.to),
                                      vis.actor.scope.all ? nullptr : &ids)) {
      if (s.grid_id != 0 && vis.sees(s.unit_id, s.grid_id))
        per[{s.grid_id, s.category_code}] += s.reported;
    }
    in.reserve(per.size());
    for (const auto& [k, n] : per) in.push_back({k.first, k.second, n});
  }
  auto ranked = dashboard::hotspots(std::move(in), min_reports);
  if (!vis.actor.scope.all || !months) view.total = static_cast<std::int64_t>(ranked.size());
  if (limit != 0 && ranked.size() > limit) ranked.resize(limit);
  const std::string from = calendar::format_date(period.from);
  const std::string to = calendar::format_date(period.to);
  for (auto& h : ranked) {
    HotspotEntry e;
    e.grid_id = h.grid_id;
    e.grid_name = vis.cfg.unit_name(h.grid_id, locale);
    e.category_code = h.category_code;
    e.category_name = vis.cfg.category_name(h.category_code, locale);
    e.reports = h.reports;
    e.rank = h.rank;
    e.cases = {{{"grid_id", std::to_string(h.grid_id)},
                {"category", h.category_code},
                {"from", from},
                {"to", to}},
               vis.actor.scope.all};
    view.items.push_back(std::move(e));
  }
  return view;
}

std::vector<RankEntry> ends_of(const RankingView& r, bool top, const TenantCaseConfig& cfg,
                               std::string_view locale) {
  std::vector<const RankingRow*> ranked;
  for (const auto& row : r.rows) {
    if (row.entry.rank) ranked.push_back(&row);
  }
  if (!top) std::reverse(ranked.begin(), ranked.end());
  std::vector<RankEntry> out;
  for (const auto* row : ranked) {
    if (out.size() == kRankingEnds) break;
    RankEntry e;
    e.id = row->row.id;
    e.name = cfg.unit_name(row->row.id, locale);
    e.rank = row->entry.rank;
    e.score = row->entry.score;
    e.grade = row->entry.grade;
    for (const auto& l : row->row.links) {
      if (l.figure == "due") e.cases = {l.params, l.exact};
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

void DashboardService::catch_up(std::int64_t tenant_id) {
  const auto fresh = in_tx<std::pair<std::int64_t, std::int64_t>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::pair<std::int64_t, std::int64_t>> {
        return std::pair{storage::KpiRepo(c, tenant_id).watermark(),
                         storage::LedgerRepo(c, tenant_id).head().seq};
      });
  // A bounded step, as the KPI reads; the scheduler does the rest.
  if (fresh && fresh->first < fresh->second) kpis_.project(tenant_id, 500, 5000);
}

Expected<HotspotView> DashboardService::hotspots(const access::Actor& actor, const HotspotQuery& q,
                                                 std::string_view locale) {
  if (auto st = may_read(actor); !st) return st.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto period = period_of(q, cfg, ctx_.clock.now());
  if (!period) return period.error();
  const int min_reports = kpis_.settings(actor.tenant_id).hotspot_min_reports;
  catch_up(actor.tenant_id);
  return in_tx<HotspotView>(ctx_.db, false, [&](storage::Connection& c) -> Expected<HotspotView> {
    storage::DashboardRepo repo(c, actor.tenant_id);
    const Visibility vis{actor, cfg};
    auto view = hotspots_of(repo, vis, *period, min_reports, 0, locale);
    view.as_of_seq = storage::KpiRepo(c, actor.tenant_id).watermark();
    return view;
  });
}

Expected<DashboardView> DashboardService::dashboard(const access::Actor& actor,
                                                    std::string_view locale) {
  if (auto st = may_read(actor); !st) return st.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const Millis now = ctx_.clock.now();
  const auto settings = kpis_.settings(actor.tenant_id);
  catch_up(actor.tenant_id);

  DashboardView view;
  view.scope = actor.scope.all                           ? "tenant"
               : actor.role == access::Role::kGridWorker ? "grid"
                                                         : "unit";
  const bool whole = actor.scope.all;
  view.today = cfg.calendar.local_date(now);
  const calendar::Date first = cfg.calendar.local_date(now - (kTrendDays - 1) * kDayMs);
  auto trend = kpi::range(first, view.today);
  if (!trend) return trend.error();
  view.trend_period = *trend;
  const std::string today = calendar::format_date(view.today);
  const std::string from = calendar::format_date(first);
  const Visibility vis{actor, cfg};

  // The rankings of this month (computed over the tenant, listed for the reader's scope).
  KpiQuery rq;
  rq.period = "month";
  rq.date = today;
  for (const char* level : {"unit", "subdistrict"}) {
    rq.level = level;
    auto r = kpis_.rankings(actor, rq);
    if (!r) return r.error();
    view.ranking_period = r->period;
    auto& top = rq.level == "unit" ? view.units_top : view.subdistricts_top;
    auto& bottom = rq.level == "unit" ? view.units_bottom : view.subdistricts_bottom;
    top = ends_of(*r, true, cfg, locale);
    bottom = ends_of(*r, false, cfg, locale);
  }

  auto done = in_tx<Ok>(ctx_.db, false, [&](storage::Connection& c) -> Status {
    storage::DashboardRepo repo(c, actor.tenant_id);
    view.as_of_seq = storage::KpiRepo(c, actor.tenant_id).watermark();
    const kpi::Day d_from = kpi::day_number(first);
    const kpi::Day d_today = kpi::day_number(view.today);

    // Open now, and per grid for the map: the trigger-kept counts, the case list's scope rule.
    std::map<std::int64_t, GridEntry> grids;
    for (const auto& o : repo.open_counts()) {
      if (!vis.sees(o.unit_id, o.grid_id)) continue;
      view.open_total.value += o.open;
      view.open_overdue.value += o.overdue;
      view.open_escalated.value += o.escalated;
      if (o.grid_id == 0) continue;
      auto& g = grids[o.grid_id];
      g.open.value += o.open;
      g.overdue.value += o.overdue;
      g.escalated.value += o.escalated;
    }
    view.open_total.cases = {{{"open", "true"}}, true};
    view.open_overdue.cases = {{{"open", "true"}, {"overdue", "true"}}, true};
    view.open_escalated.cases = {{{"open", "true"}, {"escalated", "true"}}, true};
    for (auto& [id, g] : grids) {
      g.id = id;
      g.name = cfg.unit_name(id, locale);
      const std::string gid = std::to_string(id);
      g.open.cases = {{{"grid_id", gid}, {"open", "true"}}, whole};
      g.overdue.cases = {{{"grid_id", gid}, {"open", "true"}, {"overdue", "true"}}, whole};
      g.escalated.cases = {{{"grid_id", gid}, {"open", "true"}, {"escalated", "true"}}, whole};
      view.grids.push_back(std::move(g));
    }
    std::stable_sort(view.grids.begin(), view.grids.end(),
                     [](const auto& a, const auto& b) { return a.open.value > b.open.value; });

    // Days: the tenant's totals, or the reader's rows.
    std::map<kpi::Day, dashboard::Activity> days;
    if (whole) {
      days = repo.days(d_from, d_today);
    } else {
      for (const auto& [k, a] : repo.activity(d_from, d_today)) {
        if (vis.sees(k.unit_id, k.grid_id)) days[k.day] += a;
      }
    }
    for (Millis at = now - (kTrendDays - 1) * kDayMs;; at += kDayMs) {
      const auto date = cfg.calendar.local_date(at);
      const auto it = days.find(kpi::day_number(date));
      const auto a = it == days.end() ? dashboard::Activity{} : it->second;
      const std::string d = calendar::format_date(date);
      view.trend.push_back(
          {date,
           {a.reported, {{{"from", d}, {"to", d}}, whole}},
           {a.closed, {{{"state", "closed"}, {"closed_from", d}, {"closed_to", d}}, whole}}});
      if (kpi::day_number(date) >= d_today) break;
    }
    const auto& last = view.trend.back();
    view.today_reported = last.reported;
    view.today_closed = last.closed;
    const auto it = days.find(d_today);
    view.today_overdue = {it == days.end() ? 0 : it->second.overdue,
                          {{{"open", "true"}, {"overdue", "true"}}, false}};

    // Reports over the trend's days per source and category (the KPI counters), and hotspots
    // of this month.
    std::map<std::string, std::int64_t> sources;
    std::map<std::string, std::int64_t> categories;
    if (whole) {
      for (const auto& m : repo.mix(d_from, d_today)) {
        (m.kind == "source" ? sources : categories)[m.code] += m.reported;
      }
    } else {
      const auto ids = vis.ids();
      for (const auto& s : repo.reports(d_from, d_today, &ids)) {
        if (!vis.sees(s.unit_id, s.grid_id)) continue;
        sources[s.source] += s.reported;
        categories[s.category_code] += s.reported;
      }
    }
    auto mix = [&](const std::map<std::string, std::int64_t>& m, const char* param, bool named) {
      std::vector<MixEntry> out;
      for (const auto& [code, n] : m) {
        out.push_back({code,
                       named ? cfg.category_name(code, locale) : std::string(),
                       {n, {{{param, code}, {"from", from}, {"to", today}}, whole}}});
      }
      std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.reported.value > b.reported.value;
      });
      return out;
    };
    view.sources = mix(sources, "source", false);
    view.categories = mix(categories, "category", true);
    if (view.categories.size() > kTopCategories) view.categories.resize(kTopCategories);

    const auto month = kpi::period_of(kpi::PeriodKind::kMonth, view.today);
    view.hotspots = hotspots_of(repo, vis, month, settings.hotspot_min_reports, kHotspots, locale);
    view.hotspots.as_of_seq = view.as_of_seq;

    for (const auto& a : repo.alerts(kAlertsRead)) {
      if (!vis.sees(a.unit_id, a.grid_id)) continue;
      view.alerts.push_back({a.seq, a.case_id, a.case_no, a.title, a.escalation_level,
                             cfg.unit_name(a.unit_id, locale), cfg.unit_name(a.grid_id, locale),
                             a.at});
      if (view.alerts.size() == kAlerts) break;
    }
    return Ok{};
  });
  if (!done) return done.error();
  return view;
}

}  // namespace civicloop::app
