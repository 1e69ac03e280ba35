// GET /api/v1/kpis and GET /api/v1/rankings (考核排名): parse the level, period and id, call the
// KPI use case (app/kpi_service.hpp), render. Rates carry their count, denominator, value and
// Wilson 95 % interval; every figure names the case-list filter that shows its cases.
#include "api/common.hpp"
#include "app/kpi_service.hpp"

namespace civicloop::api {

namespace {

json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object rate_json(const kpi::Rate& r) {
  const auto i = r.interval();
  return json::object{{"num", r.num},
                      {"den", r.den},
                      {"value", opt(r.value())},
                      {"low", r.den > 0 ? json::value(i.low) : json::value(nullptr)},
                      {"high", r.den > 0 ? json::value(i.high) : json::value(nullptr)}};
}

json::object row_json(const app::KpiRow& row) {
  json::object rates;
  for (const auto& [ind, rate] : row.figures.rates) rates[kpi::to_string(ind)] = rate_json(rate);
  json::object links;
  for (const auto& l : row.links) {
    json::object params;
    for (const auto& [k, v] : l.params) params[k] = v;
    links[l.figure] = json::object{{"params", std::move(params)}, {"exact", l.exact}};
  }
  const auto& f = row.figures;
  return json::object{{"id", row.id},
                      {"name", row.name},
                      {"due", f.due},
                      {"overdue", f.overdue},
                      {"reported", f.reported},
                      {"dispatched", f.dispatched},
                      {"closed", f.closed},
                      {"recurred", f.recurred},
                      {"avg_handling_hours", opt(f.avg_handling_hours)},
                      {"rates", std::move(rates)},
                      {"score", opt(row.score)},
                      {"grade", row.grade},
                      {"cases", std::move(links)}};
}

json::object period_json(const kpi::Period& p) {
  return json::object{{"kind", kpi::to_string(p.kind)},
                      {"from", calendar::format_date(p.from)},
                      {"to", calendar::format_date(p.to)}};
}

Expected<app::KpiQuery> kpi_query(const http::Request& req) {
  app::KpiQuery q;
  q.level = req.query_param("level").value_or("");
  if (auto p = req.query_param("period"); p && !p->empty()) q.period = *p;
  for (auto [name, field] :
       {std::pair{"date", &q.date}, std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (auto v = req.query_param(name); v && !v->empty()) *field = *v;
  }
  auto id = query_int(req, "id");
  if (!id) return id.error();
  q.id = *id;
  return q;
}

}  // namespace

void add_kpi_routes(Api& api) {
  auto kpis = std::make_shared<app::KpiService>(api.ctx, api.case_config);

  api.router.add("GET", "/api/v1/kpis",
                 authed(api, [kpis](http::Request& req, const app::Principal& who) {
                   auto q = kpi_query(req);
                   if (!q) return fail(q.error(), req);
                   auto v = kpis->kpis(who.actor, *q);
                   if (!v) return fail(v.error(), req);
                   json::array rows;
                   for (const auto& r : v->rows) rows.push_back(row_json(r));
                   return json_response(json::object{{"level", v->level},
                                                     {"period", period_json(v->period)},
                                                     {"as_of_seq", v->as_of_seq},
                                                     {"items", std::move(rows)}});
                 }));

  api.router.add(
      "GET", "/api/v1/rankings", authed(api, [kpis](http::Request& req, const app::Principal& who) {
        auto q = kpi_query(req);
        if (!q) return fail(q.error(), req);
        auto v = kpis->rankings(who.actor, *q);
        if (!v) return fail(v.error(), req);
        json::array ranked;
        json::array apart;
        json::array red;
        json::array black;
        for (const auto& rr : v->rows) {
          auto o = row_json(rr.row);
          const auto& e = rr.entry;
          o["rank"] = opt(e.rank);
          o["sample"] = e.sample;
          o["insufficient"] = e.insufficient;
          o["previous_rank"] = opt(e.previous_rank);
          o["previous_score"] = opt(e.previous_score);
          o["rank_change"] = opt(e.rank_change);
          o["score_change"] = opt(e.score_change);
          o["red"] = e.red;
          o["black"] = e.black;
          if (e.red) red.push_back(e.id);
          if (e.black) black.push_back(e.id);
          (e.rank ? ranked : apart).push_back(std::move(o));
        }
        const auto& s = v->settings;
        auto rule = [](const kpi::ListRule& r) {
          return json::object{{"top", opt(r.top)}, {"score", opt(r.score)}};
        };
        return json_response(
            json::object{{"level", v->level},
                         {"period", period_json(v->period)},
                         {"previous", period_json(v->previous)},
                         {"as_of_seq", v->as_of_seq},
                         {"min_sample", s.min_sample},
                         {"rules", json::object{{"red", rule(s.red)}, {"black", rule(s.black)}}},
                         {"items", std::move(ranked)},
                         {"insufficient", std::move(apart)},
                         {"red", std::move(red)},
                         {"black", std::move(black)}});
      }));
}

}  // namespace civicloop::api
