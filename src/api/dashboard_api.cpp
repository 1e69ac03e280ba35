// GET /api/v1/dashboard (指挥中心) and GET /api/v1/hotspots (热点): call the dashboard use case
// (app/dashboard_service.hpp), render. Every figure is {"value", "cases": {"params", "exact"}},
// the GET /api/v1/cases filter that lists its cases.
#include "api/common.hpp"
#include "app/dashboard_service.hpp"

namespace civicloop::api {

namespace {

json::object link_json(const app::CasesLink& l) {
  json::object params;
  for (const auto& [k, v] : l.params) params[k] = v;
  return json::object{{"params", std::move(params)}, {"exact", l.exact}};
}

json::object figure_json(const app::DashFigure& f) {
  return json::object{{"value", f.value}, {"cases", link_json(f.cases)}};
}

json::object period_json(const kpi::Period& p) {
  return json::object{{"kind", kpi::to_string(p.kind)},
                      {"from", calendar::format_date(p.from)},
                      {"to", calendar::format_date(p.to)}};
}

json::array mix_json(const std::vector<app::MixEntry>& m) {
  json::array out;
  for (const auto& e : m) {
    out.push_back(
        json::object{{"code", e.code}, {"name", e.name}, {"reported", figure_json(e.reported)}});
  }
  return out;
}

json::array ranks_json(const std::vector<app::RankEntry>& m) {
  json::array out;
  for (const auto& e : m) {
    out.push_back(json::object{{"id", e.id},
                               {"name", e.name},
                               {"rank", e.rank ? json::value(*e.rank) : json::value(nullptr)},
                               {"score", e.score ? json::value(*e.score) : json::value(nullptr)},
                               {"grade", e.grade},
                               {"cases", link_json(e.cases)}});
  }
  return out;
}

json::object hotspots_json(const app::HotspotView& v) {
  json::array items;
  for (const auto& h : v.items) {
    items.push_back(json::object{{"grid_id", h.grid_id},
                                 {"grid_name", h.grid_name},
                                 {"category", h.category_code},
                                 {"category_name", h.category_name},
                                 {"reports", h.reports},
                                 {"rank", h.rank},
                                 {"cases", link_json(h.cases)}});
  }
  return json::object{{"period", period_json(v.period)},
                      {"min_reports", v.min_reports},
                      {"as_of_seq", v.as_of_seq},
                      {"total", v.total},
                      {"items", std::move(items)}};
}

json::object dashboard_json(const app::DashboardView& v) {
  json::array trend;
  for (const auto& d : v.trend) {
    trend.push_back(json::object{{"date", calendar::format_date(d.date)},
                                 {"reported", figure_json(d.reported)},
                                 {"closed", figure_json(d.closed)}});
  }
  json::array grids;
  for (const auto& g : v.grids) {
    grids.push_back(json::object{{"id", g.id},
                                 {"name", g.name},
                                 {"open", figure_json(g.open)},
                                 {"overdue", figure_json(g.overdue)},
                                 {"escalated", figure_json(g.escalated)}});
  }
  json::array alerts;
  for (const auto& a : v.alerts) {
    alerts.push_back(json::object{{"seq", a.seq},
                                  {"case_id", a.case_id},
                                  {"case_no", a.case_no},
                                  {"title", a.title},
                                  {"escalation_level", a.escalation_level},
                                  {"unit_name", a.unit_name},
                                  {"grid_name", a.grid_name},
                                  {"at", format_iso_utc(a.at)}});
  }
  return json::object{
      {"scope", v.scope},
      {"date", calendar::format_date(v.today)},
      {"as_of_seq", v.as_of_seq},
      {"today", json::object{{"reported", figure_json(v.today_reported)},
                             {"closed", figure_json(v.today_closed)},
                             {"overdue", figure_json(v.today_overdue)}}},
      {"open", json::object{{"total", figure_json(v.open_total)},
                            {"overdue", figure_json(v.open_overdue)},
                            {"escalated", figure_json(v.open_escalated)}}},
      {"trend", json::object{{"period", period_json(v.trend_period)}, {"days", std::move(trend)}}},
      {"sources", mix_json(v.sources)},
      {"categories", mix_json(v.categories)},
      {"rankings",
       json::object{{"period", period_json(v.ranking_period)},
                    {"units", json::object{{"top", ranks_json(v.units_top)},
                                           {"bottom", ranks_json(v.units_bottom)}}},
                    {"subdistricts", json::object{{"top", ranks_json(v.subdistricts_top)},
                                                  {"bottom", ranks_json(v.subdistricts_bottom)}}}}},
      {"grids", std::move(grids)},
      {"hotspots", hotspots_json(v.hotspots)},
      {"alerts", std::move(alerts)}};
}

}  // namespace

void add_dashboard_routes(Api& api) {
  auto kpis = std::make_shared<app::KpiService>(api.ctx, api.case_config);
  auto board = std::make_shared<app::DashboardService>(api.ctx, api.case_config, *kpis);

  api.router.add("GET", "/api/v1/dashboard",
                 authed(api, [kpis, board](http::Request& req, const app::Principal& who) {
                   auto v = board->dashboard(who.actor, locale_of(req));
                   if (!v) return fail(v.error(), req);
                   return json_response(dashboard_json(*v));
                 }));

  api.router.add("GET", "/api/v1/hotspots",
                 authed(api, [kpis, board](http::Request& req, const app::Principal& who) {
                   app::HotspotQuery q;
                   if (auto p = req.query_param("period"); p && !p->empty()) q.period = *p;
                   for (auto [name, field] : {std::pair{"date", &q.date},
                                              std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
                     if (auto v = req.query_param(name); v && !v->empty()) *field = *v;
                   }
                   auto v = board->hotspots(who.actor, q, locale_of(req));
                   if (!v) return fail(v.error(), req);
                   return json_response(hotspots_json(*v));
                 }));
}

}  // namespace civicloop::api
