// gen_cases: a realistic district for the case benchmarks (bench/cases.sh, docs/PERFORMANCE.md).
//
//   gen_cases --db URL [--cases N] [--years Y] [--seed S] [--now 2026-11-27T12:00:00Z]
//   [--points-out FILE] gen_cases --db URL --sweep [--sweep-days D]
//
// Generate mode writes N cases (default 1,000,000) straight into a database initialised with
// `civicloop init --preset pingcheng --demo`, through storage::CaseRepo::insert, in transactions of
// 5,000. The cases are spread over the Y years (default 3) ending now; categories follow a real
// grid's monthly mix (市容环境 65 %, 街面秩序 24.5 %, 宣传广告 3.2 %, 部件 2.1 %, 施工管理 2 %, the
// rest 突发事件 and 文明创建专项); points lie uniformly inside the demo grids (read from the
// org_units boundaries), and the place, routing and search terms are worked out as the service
// does. States: ~93 % closed, ~2 % voided or duplicate, the rest open across every open state,
// with running timers (cases::start_timer, crossed_marks, next_check on the preset's calendar), so
// that ~20 % of the open cases are overdue and the database looks as if the sweep had been running
// all along. The id counters "cases" and "case_no:<year>" are advanced past what was written.
// Deterministic: a fixed seed and a private random generator give the same rows on every machine
// for the same --now (times are laid out back from it; by default it is the clock).
// The KPI counters (migration 0009) are filled as if the projector had run along (project_history).
// --points-out writes a Lua table of (lat, lng, category) for bench/report_case.lua.
//
// Sweep mode runs app::CaseService::sweep with now = D days ahead (default 3650), so that every
// running timer is due, until nothing is left, and reports cases/s. It changes the database: run it
// on a copy.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/case_service.hpp"
#include "app/context.hpp"
#include "domain/case_timer.hpp"
#include "domain/kpi.hpp"
#include "domain/search.hpp"
#include "storage/account_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/db.hpp"
#include "storage/kpi_repo.hpp"
#include "storage/org_repo.hpp"

namespace {

using namespace civicloop;
using cases::State;
namespace json = boost::json;

constexpr Millis kMinute = 60LL * 1000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
constexpr int kBatch = 5000;

// splitmix64: small, fast and the same everywhere (std distributions are not).
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  Millis between(Millis a, Millis b) {
    return a + static_cast<Millis>(uniform() * static_cast<double>(b - a));
  }
  std::size_t index(std::size_t n) {
    return static_cast<std::size_t>(uniform() * static_cast<double>(n)) % n;
  }
  bool chance(double p) { return uniform() < p; }
  // An index drawn with the given cumulative weights (last = total).
  std::size_t pick(const std::vector<double>& cumulative) {
    const double x = uniform() * cumulative.back();
    return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                    cumulative.begin()) %
           cumulative.size();
  }
};

std::vector<double> cumulate(const std::vector<double>& w) {
  std::vector<double> c;
  double sum = 0;
  for (const double x : w) c.push_back(sum += x);
  return c;
}

struct Grid {
  std::int64_t id;
  std::vector<org::Point> ring;
  double min_lat, max_lat, min_lng, max_lng;
};

bool inside(const std::vector<org::Point>& ring, double lat, double lng) {
  bool in = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const auto& a = ring[i];
    const auto& b = ring[j];
    if ((a.lat > lat) != (b.lat > lat) &&
        lng < (b.lng - a.lng) * (lat - a.lat) / (b.lat - a.lat) + a.lng) {
      in = !in;
    }
  }
  return in;
}

struct Reporter {
  std::optional<std::int64_t> id;
  std::string name;
};

// Everything the generator draws from, read once from the database.
struct World {
  std::int64_t tenant = 0;
  std::shared_ptr<const app::TenantCaseConfig> cfg;
  std::vector<Grid> grids;
  std::vector<double> grid_weights;  // cumulative: some grids are busier than others
  std::vector<std::string> categories;
  std::vector<double> category_weights;  // cumulative
  std::map<cases::Source, Reporter> reporters;
  std::vector<cases::Source> sources;
  std::vector<double> source_weights;  // cumulative
  cases::EscalationLadder ladder;
  Millis now = 0;
  Millis start = 0;
};

const char* const kRoads[] = {
    "平城大道", "迎宾路", "文昌街", "和平路", "建设北路", "人民东路", "解放南路", "新华街",
    "光明路",   "朝阳路", "兴业街", "工农路", "振华路",   "府前街",   "学府路",   "滨河东路",
    "滨河西路", "长青路", "东风路", "红旗街", "胜利路",   "前进街",   "育才路",   "花园路",
    "青年路",   "幸福街", "五一路", "南环路", "北环路",   "体育街",   "商贸街",   "站前路",
};
const char* const kSpots[] = {"附近",     "路口",     "东侧",   "西侧",     "南侧",   "北侧",
                              "公交站旁", "小区门口", "市场旁", "学校门口", "超市前", "绿地内"};
const char* const kSeen[] = {"巡查发现", "市民反映", "热线转来", "暗访发现", "复查发现"};
const char* const kAsk[] = {"请尽快处理。", "影响市容，请及时整改。", "已多次出现，请彻底整治。",
                            "群众意见较大，请跟进。", "请责任单位核实处置。"};

// The category mix of a real district's grid (reference: 北京大兴, one month): class weights, and
// inside a class a long tail (the first minor classes are the common ones; "其他" is rare).
void choose_categories(World& w) {
  const std::map<std::string, double> class_weight = {
      {"01", 65.16}, {"05", 24.48}, {"02", 3.17}, {"03", 2.04}, {"04", 1.6}, {"21", 1.43},
      {"11", 0.62},  {"12", 0.45},  {"13", 0.55}, {"14", 0.35}, {"15", 0.15}};
  std::map<std::string, std::vector<std::string>> minors;
  for (const auto& [code, cat] : w.cfg->categories) {
    if (cat.parent_code && cat.active) minors[*cat.parent_code].push_back(code);
  }
  std::vector<double> weights;
  for (auto& [cls, codes] : minors) {
    auto it = class_weight.find(cls);
    const double total = it == class_weight.end() ? 0.1 : it->second;
    std::sort(codes.begin(), codes.end());
    std::vector<double> inner;
    double sum = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const bool other = codes[i].size() >= 2 && codes[i].substr(codes[i].size() - 2) == "99";
      inner.push_back(other ? 0.05 : 1.0 / std::pow(static_cast<double>(i) + 1.0, 0.9));
      sum += inner.back();
    }
    for (std::size_t i = 0; i < codes.size(); ++i) {
      w.categories.push_back(codes[i]);
      weights.push_back(total * inner[i] / sum);
    }
  }
  w.category_weights = cumulate(weights);
}

World load_world(storage::Database& db, app::CaseConfigCache& cache, Millis now, int years,
                 std::uint64_t seed) {
  World w;
  w.now = now;
  w.start = now - static_cast<Millis>(years) * 365 * kDay;
  auto lease = db.acquire();
  auto tenants = storage::TenantRepo(*lease).all();
  if (tenants.size() != 1) throw std::runtime_error("expected exactly one tenant (civicloop init)");
  w.tenant = tenants[0].id;
  auto cfg = cache.get(w.tenant);
  if (!cfg) throw std::runtime_error("the tenant has no case configuration: " + cfg.error().code);
  w.cfg = *cfg;
  w.ladder = cases::EscalationLadder{w.cfg->workflow.escalation_percents};
  Rng rng(seed ^ 0x6772696473ULL);
  std::vector<double> gw;
  for (const auto& u : storage::OrgRepo(*lease, w.tenant).all_units()) {
    if (u.kind != org::UnitKind::kGrid || !u.is_demo || u.retired || !u.boundary_geojson) continue;
    auto g = json::parse(*u.boundary_geojson);
    Grid grid{u.id, {}, 90, -90, 180, -180};
    for (const auto& pt : g.at("coordinates").as_array()[0].as_array()) {
      const double lng = pt.as_array()[0].to_number<double>();
      const double lat = pt.as_array()[1].to_number<double>();
      grid.ring.push_back({lng, lat});
      grid.min_lat = std::min(grid.min_lat, lat);
      grid.max_lat = std::max(grid.max_lat, lat);
      grid.min_lng = std::min(grid.min_lng, lng);
      grid.max_lng = std::max(grid.max_lng, lng);
    }
    if (grid.ring.size() < 4) continue;
    w.grids.push_back(std::move(grid));
    gw.push_back(0.3 - std::log(1.0 - rng.uniform()));  // 0.3 + Exp(1): busy and quiet grids
  }
  if (w.grids.empty()) throw std::runtime_error("no demo grid with a boundary (init --demo?)");
  w.grid_weights = cumulate(gw);
  choose_categories(w);
  // Who reports: the intake channels in a real mix (hotline and patrols dominate).
  const std::vector<std::pair<cases::Source, double>> mix = {
      {cases::Source::kGridPatrol, 34}, {cases::Source::kHotline, 30},
      {cases::Source::kCitizen, 14},    {cases::Source::kRoadChief, 6},
      {cases::Source::kInspection, 5},  {cases::Source::kEnforcement, 4},
      {cases::Source::kSelfCheck, 3},   {cases::Source::kMockEvaluation, 3},
      {cases::Source::kCourier, 1}};
  std::vector<double> sw;
  for (const auto& [s, x] : mix) {
    w.sources.push_back(s);
    sw.push_back(x);
  }
  w.source_weights = cumulate(sw);
  std::map<std::string, Reporter> by_login;
  for (const auto& r : lease->query(
           "SELECT id, username, display_name FROM users WHERE tenant_id = ?", {w.tenant})) {
    by_login[r.get_text(1)] = Reporter{r.get_int(0), r.get_text(2)};
  }
  auto login = [&](const char* name, const char* fallback) {
    auto it = by_login.find(name);
    return it != by_login.end() ? it->second : Reporter{std::nullopt, fallback};
  };
  w.reporters[cases::Source::kGridPatrol] = login("grid", "网格员");
  w.reporters[cases::Source::kHotline] = login("office", "12345热线");
  w.reporters[cases::Source::kCitizen] = login("citizen", "市民");
  w.reporters[cases::Source::kCourier] = login("citizen", "外卖骑手");
  w.reporters[cases::Source::kRoadChief] = login("leader", "路长");
  w.reporters[cases::Source::kInspection] = login("supervisor", "督查员");
  w.reporters[cases::Source::kMockEvaluation] = login("taskforce", "测评组");
  w.reporters[cases::Source::kEnforcement] = login("unit", "执法队员");
  w.reporters[cases::Source::kSelfCheck] = login("unit", "单位自查");
  return w;
}

// A report instant at `day_start + local time of day`: most problems are reported in daylight.
Millis time_of_day(Rng& rng, const World& w, Millis day) {
  const Millis offset = static_cast<Millis>(w.cfg->calendar.utc_offset_minutes()) * kMinute;
  const Millis local_midnight = ((day + offset) / kDay) * kDay - offset;
  const Millis minute = rng.chance(0.88) ? rng.between(7 * 60, 20 * 60) : rng.between(0, 24 * 60);
  const Millis at = local_midnight + minute * kMinute + rng.between(0, kMinute);
  return at < w.now ? at : w.now - rng.between(kMinute, 12 * kHour);  // today: not in the future
}

const char* label(const char* const* list, std::size_t n, Rng& rng) { return list[rng.index(n)]; }
#define PICK(list) label(list, sizeof(list) / sizeof(list[0]), rng)

// The report itself: category, point, place, source, reporter, text. Returns the place, which
// route() needs once the report time is known.
app::TenantCaseConfig::Place fill_report(cases::Record& r, Rng& rng, const World& w) {
  const auto& cfg = *w.cfg;
  r.category_code = w.categories[rng.pick(w.category_weights)];
  const auto* cat = cfg.category(r.category_code);
  const auto& grid = w.grids[rng.pick(w.grid_weights)];
  double lat = 0;
  double lng = 0;
  for (int tries = 0; tries < 1000; ++tries) {
    lat = rng.uniform(grid.min_lat, grid.max_lat);
    lng = rng.uniform(grid.min_lng, grid.max_lng);
    if (inside(grid.ring, lat, lng)) break;
  }
  r.lat = std::round(lat * 1e6) / 1e6;
  r.lng = std::round(lng * 1e6) / 1e6;
  auto place = cfg.locate(*r.lat, *r.lng);
  r.area_path = place.area_path;
  if (auto it = place.at.find(org::UnitKind::kGrid); it != place.at.end()) r.grid_id = it->second;
  if (auto it = place.at.find(org::UnitKind::kCommunity); it != place.at.end())
    r.community_id = it->second;
  if (auto it = place.at.find(org::UnitKind::kSubdistrict); it != place.at.end())
    r.subdistrict_id = it->second;
  r.source = w.sources[rng.pick(w.source_weights)];
  const auto& who = w.reporters.at(r.source);
  r.reporter_user_id = who.id;
  r.reporter_name = who.name;
  const std::string cat_name = cat != nullptr ? cat->name : r.category_code;
  const std::string road = PICK(kRoads);
  const std::string sub =
      r.subdistrict_id && cfg.unit(*r.subdistrict_id) ? cfg.unit(*r.subdistrict_id)->name : "";
  const std::string community =
      r.community_id && cfg.unit(*r.community_id) ? cfg.unit(*r.community_id)->name : "";
  r.address = sub + road + std::to_string(1 + rng.index(299)) + "号" + PICK(kSpots);
  r.title = rng.chance(0.5) ? road + cat_name : cat_name;
  r.description = std::string(PICK(kSeen)) + (community.empty() ? sub : community) + road + "有" +
                  cat_name + "，" + PICK(kAsk);
  return place;
}

// The routing proposal made at filing (CaseService::preview_route at the report's local time).
void route(cases::Record& r, const World& w, const app::TenantCaseConfig::Place& place) {
  const auto& cfg = *w.cfg;
  const auto* cat = cfg.category(r.category_code);
  routing::Input in{r.category_code, place.at, place.containing, cfg.local_minute(r.reported_at)};
  if (auto d = routing::route(cfg.rules, in)) {
    r.assigned_unit_id = d->unit_id;
    r.supervising_group_id = d->supervising_group_id;
    r.routing_rule = d->rule_name;
  } else if (cat != nullptr && cat->responsible_unit_id) {
    r.assigned_unit_id = cat->responsible_unit_id;
    r.supervising_group_id = cat->supervising_group_id;
    r.routing_rule = "category default";
  }
  if (!r.supervising_group_id && cat != nullptr) r.supervising_group_id = cat->supervising_group_id;
  if (r.assigned_unit_id) {
    if (const auto* u = cfg.unit(*r.assigned_unit_id)) r.assigned_path = u->path;
  }
}

calendar::TimeLimit rectify_limit(const World& w, const cases::Record& r) {
  if (const auto* c = w.cfg->category(r.category_code); c != nullptr && c->limit) return *c->limit;
  return {5, calendar::LimitUnit::kWorkingDays};
}

// The start of a stage whose timer has used `fraction` of its budget by now (binary search on the
// unit's clock; measure() is monotonic in its start).
Millis start_for(const World& w, calendar::TimeLimit limit, double fraction) {
  const auto& cal = w.cfg->calendar;
  const auto target = static_cast<Millis>(fraction * static_cast<double>(cal.budget(limit)));
  Millis lo = w.now - 800 * kDay;  // measure(lo) >= target
  Millis hi = w.now;               // measure(hi) == 0
  while (hi - lo > kMinute) {
    const Millis mid = lo + (hi - lo) / 2;
    if (cal.measure(mid, w.now, limit.unit) >= target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// Starts the stage's timer at `at` and brings it up to now as the sweep would have: warnings and
// overdue marks recorded, escalation level reached, the next check scheduled.
void run_timer(cases::Record& r, const World& w, cases::Stage stage, calendar::TimeLimit limit,
               Millis at) {
  const auto& cal = w.cfg->calendar;
  r.timer = cases::start_timer(stage, limit, at, cal);
  r.overdue = false;
  for (const int mark : cases::crossed_marks(*r.timer, w.now, cal, w.ladder)) {
    if (mark < 100) continue;
    r.overdue = true;
    r.escalation_level =
        std::max(r.escalation_level, std::min(3, cases::escalation_level(w.ladder, mark)));
  }
  r.next_check_at = cases::next_check(*r.timer, w.ladder, cal);
}

// The earlier steps of an open case, back from the instant its current stage began.
void history_before(cases::Record& r, Rng& rng, Millis filed) {
  r.filed_at = filed;
  r.reported_at = filed - rng.between(5 * kMinute, 3 * kHour);
}

// ---- open cases ----

// An open case, complete but for id, case_no and search terms. Its times are worked back from the
// instant its current stage began, chosen so that the stage's timer has used a given share of its
// budget by now.
cases::Record make_open(Rng& rng, const World& w) {
  // Open states (shares of the open cases) and, for the timed ones, the chance to be overdue:
  // 0.50 × 0.35 + 0.12 × 0.15 + 0.10 × 0.15 ≈ 21 % of the open cases are overdue.
  static const std::vector<std::pair<State, double>> states = {
      {State::kReported, 0.08},     {State::kFiled, 0.07},     {State::kDispatched, 0.12},
      {State::kAcknowledged, 0.50}, {State::kRectified, 0.10}, {State::kVerified, 0.05},
      {State::kParked, 0.08}};
  static const std::vector<double> cum = [] {
    std::vector<double> x;
    for (const auto& sp : states) x.push_back(sp.second);
    return cumulate(x);
  }();
  const auto& cal = w.cfg->calendar;
  const Millis now = w.now;
  cases::Record r;
  r.state = states[rng.pick(cum)].first;
  const auto place = fill_report(r, rng, w);
  const auto overdue_fraction = [&] { return rng.uniform(1.0, 2.6); };
  const auto running_fraction = [&] { return rng.uniform(0.0, 0.97); };
  const auto before_dispatch = [&](Millis dispatched) {
    r.dispatched_at = dispatched;
    history_before(r, rng, dispatched - rng.between(10 * kMinute, 6 * kHour));
  };
  switch (r.state) {
    case State::kReported:
      r.reported_at = now - rng.between(0, 10 * kHour);
      r.version = 1;
      break;
    case State::kFiled:
      history_before(r, rng, now - rng.between(0, 20 * kHour));
      r.version = 2;
      break;
    case State::kDispatched: {
      const auto limit = w.cfg->workflow.acknowledge_limit;
      const Millis at =
          start_for(w, limit, rng.chance(0.15) ? overdue_fraction() : running_fraction());
      before_dispatch(at);
      run_timer(r, w, cases::Stage::kAcknowledge, limit, at);
      r.version = 3;
      break;
    }
    case State::kAcknowledged: {
      const auto limit = rectify_limit(w, r);
      const bool late = rng.chance(0.35);
      const Millis at = start_for(w, limit, late ? overdue_fraction() : running_fraction());
      before_dispatch(at - rng.between(10 * kMinute, 2 * kHour));
      if (rng.chance(0.03)) r.rework_count = 1;
      run_timer(r, w, cases::Stage::kRectify, limit, at);
      r.version = 4 + 2 * r.rework_count;
      if (!late && rng.chance(0.04)) {
        // Waiting for the HQ office to decide on an extension: the clock stops.
        const Millis asked = rng.between(at, now);
        cases::pause(*r.timer, asked, cal);
        r.next_check_at.reset();
        r.extension_pending = true;
        r.extension_request =
            cases::ExtensionRequest{3, calendar::LimitUnit::kWorkingDays, "需协调多部门", asked};
        ++r.version;
      }
      break;
    }
    case State::kRectified: {
      const auto limit = w.cfg->workflow.verify_limit;
      const Millis at =
          start_for(w, limit, rng.chance(0.15) ? overdue_fraction() : running_fraction());
      r.rectified_at = at;
      before_dispatch(at - rng.between(3 * kHour, 6 * kDay));
      run_timer(r, w, cases::Stage::kVerify, limit, at);
      r.version = 5;
      break;
    }
    case State::kVerified:
      r.rectified_at = now - rng.between(2 * kHour, 2 * kDay);
      before_dispatch(*r.rectified_at - rng.between(3 * kHour, 6 * kDay));
      r.version = 6;
      break;
    case State::kParked: {
      // A long-term problem (挂账): parked while rectifying, its timer paused, a review date ahead.
      const auto limit = rectify_limit(w, r);
      const Millis parked = now - rng.between(kDay, 600 * kDay);
      const Millis acknowledged = parked - rng.between(kHour, 5 * kDay);
      before_dispatch(acknowledged - rng.between(10 * kMinute, 2 * kHour));
      r.timer = cases::start_timer(cases::Stage::kRectify, limit, acknowledged, cal);
      (void)cases::crossed_marks(*r.timer, std::min(parked, r.timer->deadline - 1), cal, w.ladder);
      cases::pause(*r.timer, parked, cal);
      r.next_check_at.reset();
      r.parked_from = State::kAcknowledged;
      r.park_review_date =
          calendar::format_date(cal.local_date(now + rng.between(7 * kDay, 180 * kDay)));
      r.version = 5;
      break;
    }
    default:
      break;
  }
  if (r.state != State::kReported) {
    route(r, w, place);
    if (r.state == State::kFiled) r.assigned_path.reset();  // proposed, not yet dispatched
  }
  r.updated_at = std::max({r.reported_at, r.filed_at.value_or(0), r.dispatched_at.value_or(0),
                           r.rectified_at.value_or(0),
                           r.timer && r.timer->running_since ? *r.timer->running_since : 0});
  return r;
}

// ---- finished cases ----

enum class Kind : std::uint8_t { kClosed, kVoided, kDuplicate, kOpen };

cases::Record make_finished(Rng& rng, const World& w, Kind kind, Millis reported_at) {
  cases::Record r;
  r.reported_at = reported_at;
  const auto place = fill_report(r, rng, w);
  const Millis room = std::max<Millis>(kMinute, w.now - reported_at);
  // Durations that would end after now are shrunk to fit (a case reported an hour ago and already
  // closed was handled quickly).
  auto fit = [&](Millis total) {
    return total < room ? 1.0 : 0.9 * static_cast<double>(room) / static_cast<double>(total);
  };
  if (kind == Kind::kVoided || kind == Kind::kDuplicate) {
    r.state = kind == Kind::kVoided ? State::kVoided : State::kDuplicate;
    const Millis d = rng.between(10 * kMinute, 20 * kHour);
    r.closed_at = reported_at + static_cast<Millis>(static_cast<double>(d) * fit(d));
    r.updated_at = *r.closed_at;
    r.version = 2;
    return r;
  }
  r.state = State::kClosed;
  if (r.source == cases::Source::kGridPatrol && rng.chance(0.2)) {
    // Fixed on the spot by the grid worker, then verified and struck off.
    const Millis a = rng.between(5 * kMinute, kHour);
    const Millis b = rng.between(kHour, kDay);
    const double f = fit(a + b);
    r.rectified_at = reported_at + static_cast<Millis>(static_cast<double>(a) * f);
    r.closed_at = *r.rectified_at + static_cast<Millis>(static_cast<double>(b) * f);
    r.assigned_unit_id = r.grid_id;
    if (r.grid_id && w.cfg->unit(*r.grid_id)) r.assigned_path = w.cfg->unit(*r.grid_id)->path;
    r.routing_rule = "fix_on_site";
    r.updated_at = *r.closed_at;
    r.version = 4;
    return r;
  }
  route(r, w, place);
  const double u = rng.uniform();
  const Millis to_file = rng.between(5 * kMinute, 4 * kHour);
  const Millis to_dispatch = rng.between(5 * kMinute, 3 * kHour);
  const Millis to_rectify = 2 * kHour + static_cast<Millis>(u * u * 8.0 * kDay);
  const Millis to_close = rng.between(kHour, 2 * kDay);
  const double f = fit(to_file + to_dispatch + to_rectify + to_close);
  auto scaled = [&](Millis d) { return static_cast<Millis>(static_cast<double>(d) * f); };
  r.filed_at = reported_at + scaled(to_file);
  r.dispatched_at = *r.filed_at + scaled(to_dispatch);
  r.rectified_at = *r.dispatched_at + scaled(to_rectify);
  r.closed_at = *r.rectified_at + scaled(to_close);
  const double e = rng.uniform();
  r.escalation_level = e < 0.005 ? 3 : e < 0.02 ? 2 : e < 0.10 ? 1 : 0;
  if (rng.chance(0.02)) r.rework_count = 1;
  r.updated_at = *r.closed_at;
  r.version = 7 + 2 * r.rework_count + r.escalation_level;
  return r;
}

struct Plan {
  Millis reported_at;
  std::uint64_t seed;
  Kind kind;
  std::int32_t open_index;
};

struct Options {
  std::string db;
  long long cases = 1000000;
  int years = 3;
  std::uint64_t seed = 20261127;
  std::string points_out;
  bool sweep = false;
  int sweep_days = 3650;
  std::optional<Millis> now;  // --now: the end of the span (default the clock)
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t counter(storage::Connection& c, std::int64_t tenant, const std::string& name) {
  auto rows =
      c.query("SELECT next_id FROM id_counters WHERE tenant_id = ? AND name = ?", {tenant, name});
  return rows.empty() ? 0 : rows[0].get_int(0);
}

// Moves a counter to at least `value` (the last id handed out), never back.
void advance_counter(storage::Connection& c, std::int64_t tenant, const std::string& name,
                     std::int64_t value) {
  c.execute(
      "INSERT INTO id_counters (tenant_id, name, next_id) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id, name) DO UPDATE SET next_id = CASE WHEN excluded.next_id > "
      "id_counters.next_id THEN excluded.next_id ELSE id_counters.next_id END",
      {tenant, name, value});
}

void write_points(const World& w, const std::string& path, std::uint64_t seed) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  Rng rng(seed ^ 0x706f696e7473ULL);
  out << "-- written by gen_cases --points-out: report points inside the demo grids\nreturn {\n";
  char line[128];
  for (int i = 0; i < 1000; ++i) {
    cases::Record r;
    (void)fill_report(r, rng, w);
    std::snprintf(line, sizeof line, "{%.6f,%.6f,\"%s\"},\n", *r.lat, *r.lng,
                  r.category_code.c_str());
    out << line;
  }
  out << "}\n";
}

// The KPI counters (domain/kpi.hpp) the generated cases would have if the projector had run
// along: each case's history is told as the events that led to its final row (report, file,
// dispatch, acknowledge, rectify, verify, close, void, park, overdue) and projected. The stories
// carry no stage timers, so every step counts as on time except the overdue ones; the number of
// counter rows, which is what the KPI reads' cost depends on, is that of real events.
struct KpiTotals {
  std::map<kpi::Key, kpi::Counts> rows;
  std::map<kpi::StaffKey, kpi::StaffCounts> staff;
  void add(const kpi::Effect& e) {
    for (const auto& [k, c] : e.counts) rows[k] += c;
    for (const auto& [k, c] : e.staff) staff[k] += c;
  }
};

void project_history(const cases::Record& r, const calendar::WorkCalendar& cal, KpiTotals& out) {
  kpi::CaseMarks marks;
  cases::Record cur = r;
  cur.state = State::kReported;
  cur.assigned_unit_id.reset();
  cur.timer.reset();
  cur.overdue = false;
  cur.rework_count = 0;
  cur.dispatched_at.reset();
  std::optional<cases::Record> before;
  auto emit = [&](std::string_view action, Millis at) {
    auto eff = kpi::project({action, before, cur, at, r.reporter_user_id}, marks, cal);
    out.add(eff);
    marks = eff.marks;
    before = cur;
  };
  emit("report", r.reported_at);
  if (r.filed_at) {
    cur.state = State::kFiled;
    cur.assigned_unit_id = r.assigned_unit_id;
    emit("file", *r.filed_at);
  }
  if (r.state == State::kVoided || r.state == State::kDuplicate) {
    cur.state = r.state;
    emit(r.state == State::kVoided ? "void" : "mark_duplicate",
         r.closed_at.value_or(r.reported_at));
    return;
  }
  if (!r.dispatched_at) return;
  cur.state = State::kDispatched;
  cur.dispatched_at = r.dispatched_at;
  cur.assigned_unit_id = r.assigned_unit_id;
  emit("dispatch", *r.dispatched_at);
  const bool acked = r.state != State::kDispatched &&
                     !(r.state == State::kParked && r.parked_from == State::kDispatched);
  if (acked) {
    cur.state = State::kAcknowledged;
    emit("acknowledge", *r.dispatched_at + kHour);
  }
  if (r.rectified_at && r.state != State::kAcknowledged) {
    cur.state = State::kRectified;
    cur.rectified_at = r.rectified_at;
    emit("rectify", *r.rectified_at);
  }
  if (r.state == State::kVerified || r.state == State::kClosed) {
    cur.state = State::kVerified;
    emit("verify", r.rectified_at.value_or(*r.dispatched_at) + kHour);
  }
  if (r.state == State::kClosed) {
    cur.state = State::kClosed;
    cur.closed_at = r.closed_at;
    emit("close", r.closed_at.value_or(r.updated_at));
  }
  if (r.state == State::kParked) {
    cur.state = State::kParked;
    emit("park", r.updated_at);
  }
  if (r.overdue) {
    cur.overdue = true;
    cur.timer = r.timer;
    emit("overdue", r.updated_at);
  }
}

void write_kpis(storage::Database& db, std::int64_t tenant, const KpiTotals& t) {
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::tuple<storage::KpiLevel, std::int64_t, kpi::Day>, kpi::Counts> rollups;
  for (const auto& [k, v] : t.rows) {
    for (const auto& [level, id] : {std::pair{storage::KpiLevel::kUnit, k.unit_id},
                                    std::pair{storage::KpiLevel::kGrid, k.grid_id},
                                    std::pair{storage::KpiLevel::kCommunity, k.community_id},
                                    std::pair{storage::KpiLevel::kSubdistrict, k.subdistrict_id}}) {
      if (id != 0) rollups[{level, id, k.day}] += v;
    }
  }
  auto lease = db.acquire();
  lease->begin(true);
  try {
    storage::KpiRepo repo(*lease, tenant);
    for (const auto& [k, v] : t.rows) repo.add(k, v);
    for (const auto& [k, v] : rollups)
      repo.add_rollup(std::get<0>(k), std::get<1>(k), std::get<2>(k), v);
    for (const auto& [k, v] : t.staff) repo.add_staff(k, v);
    // The ledger holds no events of these cases: the watermark is the head as it is.
    repo.lock_watermark();
    const auto head = lease->query("SELECT seq FROM ledger_heads WHERE tenant_id = ?", {tenant});
    repo.set_watermark(head.empty() ? 0 : head[0].get_int(0), 0);
    lease->commit();
  } catch (...) {
    lease->rollback();
    throw;
  }
  std::cout << "kpi counters: " << t.rows.size() << " rows, " << rollups.size() << " rollups, "
            << t.staff.size() << " staff rows, written in " << seconds_since(t0) << " s"
            << std::endl;
}

int generate(storage::Database& db, const Options& o) {
  SystemClock clock;
  app::Context ctx{db, clock, {}};
  app::CaseConfigCache cache(ctx);
  const Millis now = o.now.value_or(clock.now());
  const auto w = load_world(db, cache, now, o.years, o.seed);
  if (!o.points_out.empty()) write_points(w, o.points_out, o.seed);
  if (o.cases <= 0) return 0;
  std::cout << "gen_cases: " << o.cases << " cases over " << o.years << " years up to "
            << format_iso_utc(now) << ", " << w.grids.size() << " demo grids, "
            << w.categories.size() << " categories, seed " << o.seed << std::endl;

  // 1. What each case will be, and when it was reported; open cases are built whole here because
  //    their report time follows from their timers.
  const auto t0 = std::chrono::steady_clock::now();
  Rng master(o.seed);
  std::vector<Plan> plans;
  plans.reserve(static_cast<std::size_t>(o.cases));
  std::vector<cases::Record> open;
  for (long long i = 0; i < o.cases; ++i) {
    const std::uint64_t seed = master.next();
    const double k = master.uniform();
    const Kind kind = k < 0.05    ? Kind::kOpen
                      : k < 0.065 ? Kind::kVoided
                      : k < 0.07  ? Kind::kDuplicate
                                  : Kind::kClosed;
    Rng rng(seed);
    if (kind == Kind::kOpen) {
      open.push_back(make_open(rng, w));
      plans.push_back(
          {open.back().reported_at, seed, kind, static_cast<std::int32_t>(open.size() - 1)});
    } else {
      plans.push_back({time_of_day(rng, w, rng.between(w.start, now)), seed, kind, -1});
    }
  }
  std::sort(plans.begin(), plans.end(), [](const Plan& a, const Plan& b) {
    return a.reported_at != b.reported_at ? a.reported_at < b.reported_at : a.seed < b.seed;
  });
  std::cout << "planned in " << seconds_since(t0) << " s (" << open.size() << " open)" << std::endl;

  // 2. Ids in report order, case numbers per local year, written in transactions of kBatch.
  std::int64_t first_id = 0;
  std::map<int, std::int64_t> year_seq;
  {
    auto lease = db.acquire();
    first_id = counter(*lease, w.tenant, "cases") + 1;
    for (const auto& r :
         lease->query("SELECT name, next_id FROM id_counters WHERE tenant_id = ? AND "
                      "name LIKE 'case_no:%'",
                      {w.tenant})) {
      year_seq[std::stoi(r.get_text(0).substr(8))] = r.get_int(1);
    }
  }
  std::map<State, long long> by_state;
  long long overdue = 0;
  std::map<std::string, long long> by_class;
  const auto t1 = std::chrono::steady_clock::now();
  std::int64_t next = first_id;
  std::vector<cases::Record> batch;
  batch.reserve(kBatch);
  KpiTotals kpis;
  for (std::size_t at = 0; at < plans.size(); at += kBatch) {
    batch.clear();
    for (std::size_t i = at; i < std::min(plans.size(), at + kBatch); ++i) {
      const auto& p = plans[i];
      cases::Record r;
      if (p.kind == Kind::kOpen) {
        r = std::move(open[static_cast<std::size_t>(p.open_index)]);
      } else {
        Rng rng(p.seed * 31 + 7);
        r = make_finished(rng, w, p.kind, p.reported_at);
      }
      r.id = next++;
      const int year = w.cfg->calendar.local_date(r.reported_at).year;
      char no[32];
      std::snprintf(no, sizeof no, "%d%06lld", year, static_cast<long long>(++year_seq[year]));
      r.case_no = no;
      if (r.state == State::kDuplicate) {
        if (r.id > first_id) {
          r.duplicate_of = r.id - 1 -
                           static_cast<std::int64_t>(Rng(p.seed).index(static_cast<std::size_t>(
                               std::min<std::int64_t>(2000, r.id - first_id))));
        } else {
          r.state = State::kVoided;
        }
      }
      r.search_terms =
          search::document_terms(r.title + " " + r.description + " " + r.address + " " + r.case_no);
      ++by_state[r.state];
      if (r.overdue) ++overdue;
      ++by_class[r.category_code.substr(0, 2)];
      project_history(r, w.cfg->calendar, kpis);
      batch.push_back(std::move(r));
    }
    auto lease = db.acquire();
    lease->begin(true);
    try {
      storage::CaseRepo repo(*lease, w.tenant);
      for (const auto& r : batch) repo.insert(r);
      if (at + kBatch >= plans.size()) {
        advance_counter(*lease, w.tenant, "cases", next - 1);
        for (const auto& [year, seq] : year_seq) {
          advance_counter(*lease, w.tenant, "case_no:" + std::to_string(year), seq);
        }
      }
      lease->commit();
    } catch (...) {
      lease->rollback();
      throw;
    }
    const auto done = static_cast<long long>(std::min(plans.size(), at + kBatch));
    if (done % 100000 == 0 || done == o.cases) {
      const double s = seconds_since(t1);
      std::cout << "  " << done << " rows, "
                << static_cast<long long>(static_cast<double>(done) / s) << " rows/s" << std::endl;
    }
  }
  const double write_s = seconds_since(t1);
  write_kpis(db, w.tenant, kpis);
  long long open_n = 0;
  std::cout << "states:";
  for (const auto& [s, n] : by_state) {
    std::cout << " " << cases::to_string(s) << "=" << n;
    if (cases::is_open(s)) open_n += n;
  }
  std::cout << "\nopen " << open_n << ", overdue " << overdue << " ("
            << (open_n > 0 ? 100.0 * static_cast<double>(overdue) / static_cast<double>(open_n)
                           : 0.0)
            << " % of open)\nclasses:";
  for (const auto& [c, n] : by_class) {
    std::cout << " " << c << "=" << 100.0 * static_cast<double>(n) / static_cast<double>(o.cases)
              << "%";
  }
  std::cout << "\nids " << first_id << ".." << next - 1 << "\nwrote " << o.cases << " cases in "
            << write_s << " s: " << static_cast<long long>(static_cast<double>(o.cases) / write_s)
            << " rows/s (total with planning " << seconds_since(t0) << " s)" << std::endl;
  return 0;
}

int sweep(storage::Database& db, const Options& o) {
  SystemClock clock;
  app::Context ctx{db, clock, {}};
  app::CaseConfigCache cache(ctx);
  app::CaseService service(ctx, cache);
  const Millis at = clock.now() + static_cast<Millis>(o.sweep_days) * kDay;
  long long due = 0;
  {
    auto lease = db.acquire();
    due =
        lease
            ->query(
                "SELECT count(*) FROM cases WHERE next_check_at IS NOT NULL AND next_check_at <= ?",
                {at})[0]
            .get_int(0);
  }
  std::cout << "sweep at now + " << o.sweep_days << " days: " << due << " cases due" << std::endl;
  app::SweepStats total;
  int passes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const auto s = service.sweep(at, 500);
    total.checked += s.checked;
    total.warnings += s.warnings;
    total.escalations += s.escalations;
    ++passes;
    if (s.checked < 500) break;
  }
  const double secs = seconds_since(t0);
  std::cout << "swept " << total.checked << " cases in " << secs << " s ("
            << static_cast<long long>(static_cast<double>(total.checked) / secs) << " cases/s; "
            << passes << " batches of up to 500; " << total.warnings << " warnings, "
            << total.escalations << " escalations)" << std::endl;
  return 0;
}

int usage() {
  std::cerr << "usage: gen_cases --db URL [--cases N] [--years Y] [--seed S] [--now ISO-UTC]\n"
               "                 [--points-out FILE]\n"
               "       gen_cases --db URL --sweep [--sweep-days D]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--db") {
        o.db = value();
      } else if (a == "--cases") {
        o.cases = std::stoll(value());
      } else if (a == "--years") {
        o.years = std::stoi(value());
      } else if (a == "--seed") {
        o.seed = std::stoull(value());
      } else if (a == "--points-out") {
        o.points_out = value();
      } else if (a == "--now") {
        o.now = parse_iso_utc(value());
        if (!o.now) return usage();
      } else if (a == "--sweep") {
        o.sweep = true;
      } else if (a == "--sweep-days") {
        o.sweep_days = std::stoi(value());
      } else {
        return usage();
      }
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return usage();
    }
  }
  if (o.db.empty() || o.years < 1) return usage();
  try {
    auto db = storage::Database::open(o.db, 2);
    return o.sweep ? sweep(*db, o) : generate(*db, o);
  } catch (const std::exception& e) {
    std::cerr << "gen_cases: " << e.what() << "\n";
    return 1;
  }
}
