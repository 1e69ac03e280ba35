#include "app/case_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "app/case_snapshot.hpp"
#include "app/notice_service.hpp"
#include "app/outbox.hpp"
#include "domain/case_actions.hpp"
#include "domain/search.hpp"
#include "domain/text.hpp"
#include "storage/account_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/notify_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;
using cases::Action;
using cases::State;

namespace {

constexpr int kMaxLimit = 200;

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// The local calendar year of an instant.
int local_year(const TenantCaseConfig& cfg, Millis at) {
  const Millis local = at + static_cast<Millis>(cfg.calendar.utc_offset_minutes()) * 60000;
  return std::stoi(format_iso_utc(local).substr(0, 4));
}

std::string local_text(const TenantCaseConfig& cfg, Millis at) {
  // "2026-12-03 18:00" in the tenant's zone.
  const auto iso =
      format_iso_utc(at + static_cast<Millis>(cfg.calendar.utc_offset_minutes()) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

// Four eyes: whether the actor, as a person, did the work the case now waits to have verified
// (the latest rectify or fix on the spot). Two accounts of one person count as one.
bool did_the_work(storage::Connection& c, const access::Actor& actor, const cases::Record& r) {
  if (r.state != State::kRectified || actor.user_id == 0) return false;
  auto worker = storage::LedgerRepo(c, actor.tenant_id)
                    .last_actor_of("case", r.id, {"rectify", "fix_on_site"});
  if (!worker) return false;
  if (*worker == actor.user_id) return true;
  storage::UserRepo users(c, actor.tenant_id);
  const auto me = users.find(actor.user_id);
  const auto them = users.find(*worker);
  return me && them && me->person_id && them->person_id && *me->person_id == *them->person_id;
}

cases::Who who_for(const access::Actor& actor, const cases::Record& r, bool did_work = false) {
  cases::Who w;
  w.did_the_work = did_work;
  w.role = actor.role;
  w.is_system = actor.user_id == 0;
  w.in_assigned_unit = r.assigned_path && actor.scope.covers(*r.assigned_path) &&
                       (!actor.scope.all || !access::needs_unit(actor.role));
  // Unit-side roles with a tenant-wide scope do not exist; a unit-bound actor must really be in
  // the unit's subtree.
  if (access::needs_unit(actor.role)) {
    w.in_assigned_unit =
        r.assigned_path && !actor.scope.all && actor.scope.covers(*r.assigned_path);
    w.in_case_area = !r.area_path.empty() && actor.scope.covers(r.area_path);
  } else {
    w.in_case_area = actor.scope.all || (!r.area_path.empty() && actor.scope.covers(r.area_path));
  }
  return w;
}

void ledger_case(storage::Connection& c, const access::Actor& actor, Millis now,
                 const cases::Record& r, std::string action, std::optional<std::string> before,
                 std::optional<std::string> note) {
  auto ev = make_event(actor, now, "case", r.id, std::move(action), std::move(before),
                       case_snapshot(r), std::move(note));
  storage::LedgerRepo(c, actor.tenant_id).append(ev);
}

std::vector<std::int64_t> hq_office_users(storage::Connection& c, std::int64_t tenant) {
  storage::UserRepo users(c, tenant);
  auto a = users.users_with_role(access::Role::kHqStaff);
  auto b = users.users_with_role(access::Role::kHqAdmin);
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The escalation target of each level: 1 the head of the responsible unit, 2 the liaison leader
// of the place (community or village, else subdistrict), 3 the HQ office.
std::vector<std::int64_t> escalation_targets(storage::Connection& c, std::int64_t tenant,
                                             const cases::Record& r, int level) {
  storage::OrgRepo org(c, tenant);
  storage::UserRepo users(c, tenant);
  std::vector<std::int64_t> out;
  if (level == 1 && r.assigned_unit_id) {
    if (auto head = org.head_membership(*r.assigned_unit_id)) {
      if (auto m = org.find_membership(*head)) out = users.users_of_person(m->m.person_id);
    }
  } else if (level == 2) {
    for (const auto& place : {r.community_id, r.subdistrict_id}) {
      if (!place) continue;
      if (auto l = org.liaison_of_unit(*place)) {
        out = users.users_of_person(l->l.leader_id);
        if (!out.empty()) break;
      }
    }
  }
  // Nobody to reach at the lower levels, or level 3: the HQ office hears of it.
  if (out.empty()) out = hq_office_users(c, tenant);
  return out;
}

// The liaison leaders (包联领导) of the case's place, of its community or village and of its
// subdistrict, less those in `except` (told already). An escalation from level 2 up (the liaison
// level of the ladder) reaches them all: the subdistrict's leader hears of it too when level 2
// went to the community's leader, and when level 3 went to the HQ office.
std::vector<std::int64_t> liaison_leader_users(storage::Connection& c, std::int64_t tenant,
                                               const cases::Record& r,
                                               const std::vector<std::int64_t>& except) {
  storage::OrgRepo org(c, tenant);
  storage::UserRepo users(c, tenant);
  std::vector<std::int64_t> out;
  for (const auto& place : {r.community_id, r.subdistrict_id}) {
    if (!place) continue;
    if (auto l = org.liaison_of_unit(*place)) {
      for (auto u : users.users_of_person(l->l.leader_id)) {
        if (std::find(except.begin(), except.end(), u) == except.end() &&
            std::find(out.begin(), out.end(), u) == out.end()) {
          out.push_back(u);
        }
      }
    }
  }
  return out;
}

std::string unit_name(const TenantCaseConfig& cfg, std::optional<std::int64_t> id) {
  if (!id) return "";
  const auto* u = cfg.unit(*id);
  return u == nullptr ? "" : u->name;
}

// The place a liaison leader is told of: subdistrict and community or village names.
std::string place_text(const TenantCaseConfig& cfg, const cases::Record& r) {
  std::string out = unit_name(cfg, r.subdistrict_id);
  const auto community = unit_name(cfg, r.community_id);
  if (!community.empty()) out += out.empty() ? community : " " + community;
  return out;
}

void set_search_terms(cases::Record& r) { r.search_terms = case_search_terms(r); }

void stop_timer(cases::Record& r) {
  r.timer.reset();
  r.next_check_at.reset();
  r.overdue = false;
}

void start_stage(cases::Record& r, cases::Stage stage, calendar::TimeLimit limit, Millis now,
                 const TenantCaseConfig& cfg) {
  r.timer = cases::start_timer(stage, limit, now, cfg.calendar);
  r.overdue = false;
  r.next_check_at = cases::next_check(*r.timer, {cfg.workflow.escalation_percents}, cfg.calendar);
}

calendar::TimeLimit rectify_limit(const TenantCaseConfig& cfg, const cases::Record& r) {
  if (const auto* cat = cfg.category(r.category_code); cat != nullptr && cat->limit) {
    return *cat->limit;
  }
  return {5, calendar::LimitUnit::kWorkingDays};
}

}  // namespace

bool CaseService::in_scope(const access::Actor& actor, const cases::Record& r) {
  return in_scope(actor, r.reporter_user_id, r.area_path, r.assigned_path);
}

bool CaseService::in_scope(const access::Actor& actor, const std::optional<std::int64_t>& reporter,
                           const std::string& area_path,
                           const std::optional<std::string>& assigned_path) {
  if (actor.scope.all) return true;
  if (actor.role == access::Role::kCitizen) return reporter && *reporter == actor.user_id;
  if (assigned_path && actor.scope.covers(*assigned_path)) return true;
  if (!area_path.empty() && actor.scope.covers(area_path)) return true;
  return reporter && *reporter == actor.user_id;
}

std::vector<cases::Action> CaseService::allowed_for(storage::Connection& c,
                                                    const access::Actor& actor,
                                                    const cases::Record& r) {
  return cases::allowed_actions(r.facts(), who_for(actor, r, did_the_work(c, actor, r)));
}

bool CaseService::reporter_only(const access::Actor& actor, const cases::Record& r) {
  if (actor.role == access::Role::kCitizen) return true;
  if (actor.scope.all) return false;
  const bool staff_scope = (r.assigned_path && actor.scope.covers(*r.assigned_path)) ||
                           (!r.area_path.empty() && actor.scope.covers(r.area_path));
  return !staff_scope;
}

Expected<ReportResult> CaseService::report(const access::Actor& actor, const NewCase& in) {
  // Checked here, not by the caller: a job or the command line reporting through this use case
  // meets the same rule as the API.
  if (auto s = access::require(actor, access::Permission::kCasesReport); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const auto* cat = cfg.category(in.category);
  if (cat == nullptr || !cat->parent_code || !cat->active) {
    return make_error("case.unknown_category", "category");
  }
  cases::Record r;
  r.title = text::trim(in.title);
  if (r.title.empty()) r.title = cat->name;
  if (auto s = text::check("title", r.title, {.min_chars = 1, .max_chars = 100}); !s) {
    return s.error();
  }
  r.description = text::trim(in.description);
  if (auto s = text::check("description", r.description, {.max_chars = 2000, .multiline = true});
      !s) {
    return s.error();
  }
  r.address = text::trim(in.address);
  if (auto s = text::check("address", r.address, {.max_chars = 200}); !s) return s.error();
  if (in.lat.has_value() != in.lng.has_value()) return make_error("case.bad_location", "lat");
  // 0, 0 is what a phone sends without a fix ("null island"), never a place in a city.
  if (in.lat &&
      (!std::isfinite(*in.lat) || !std::isfinite(*in.lng) || *in.lat < -90 || *in.lat > 90 ||
       *in.lng < -180 || *in.lng > 180 || (*in.lat == 0 && *in.lng == 0))) {
    return make_error("case.bad_location", "lat");
  }
  if (!in.lat && r.address.empty()) return make_error("case.location_required", "address");
  r.source = cases::default_source(actor.role);
  if (in.source) {
    auto s = cases::parse_source(*in.source);
    if (!s) return make_error("case.unknown_source", "source");
    if (auto ok = cases::may_record_source(actor.role, *s); !ok) return ok.error();
    r.source = *s;
  }
  r.category_code = cat->code;
  r.lat = in.lat;
  r.lng = in.lng;
  // Placement (docs/architecture.md, "Placing a report"): one area and its ancestors; a point
  // outside the tenant's area is refused or, where the workflow says so, accepted unplaced and
  // noted in the ledger. Never silently.
  std::optional<std::string> placement_note;
  if (in.lat) {
    auto place = cfg.locate(*in.lat, *in.lng);
    if (place.outside) {
      if (cfg.workflow.outside_area_policy != "flag") {
        return make_error("case.outside_area", "lat")
            .with("distance_m", std::to_string(place.distance_m));
      }
      placement_note = "outside_area distance_m=" + std::to_string(place.distance_m);
    }
    r.area_path = place.area_path;
    if (auto it = place.at.find(org::UnitKind::kGrid); it != place.at.end()) r.grid_id = it->second;
    if (auto it = place.at.find(org::UnitKind::kCommunity); it != place.at.end()) {
      r.community_id = it->second;
    }
    if (auto it = place.at.find(org::UnitKind::kSubdistrict); it != place.at.end()) {
      r.subdistrict_id = it->second;
    }
    // A point and no typed address (a phone's GPS): the place's names are the printed location,
    // kept with the case like a typed address; unplaced, the coordinates.
    if (r.address.empty()) {
      r.address = cfg.place_name(place);
      if (r.address.empty()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f, %.6f", *in.lat, *in.lng);
        r.address = buf;
      }
    }
  }
  const Millis now = ctx_.clock.now();
  r.reporter_user_id =
      actor.user_id == 0 ? std::nullopt : std::optional<std::int64_t>(actor.user_id);
  r.reporter_name = actor.display_name;
  r.reported_at = now;
  r.updated_at = now;
  r.state = State::kReported;
  // The group-commit writer (docs/architecture.md, "The write path"): acknowledged once on disk.
  return in_write<ReportResult>(ctx_.db, [&](storage::Connection& c) -> Expected<ReportResult> {
    storage::CaseRepo repo(c, actor.tenant_id);
    r.id = storage::next_id(c, actor.tenant_id, "cases");
    const int year = local_year(cfg, now);
    const auto seq = storage::next_id(c, actor.tenant_id, "case_no:" + std::to_string(year));
    char no[32];
    std::snprintf(no, sizeof no, "%d%06lld", year, static_cast<long long>(seq));
    r.case_no = no;
    set_search_terms(r);
    ReportResult out;
    if (r.lat) {
      for (auto& other : repo.open_near_brief(r.category_code, *r.lat, *r.lng,
                                              cfg.workflow.duplicate_radius_m, 10)) {
        if (other.distance_m > cfg.workflow.duplicate_radius_m) continue;
        out.similar_in_progress = true;
        // Only what the reporter may read; a citizen reads none of another's case.
        if (actor.role != access::Role::kCitizen &&
            in_scope(actor, other.reporter_user_id, other.area_path, other.assigned_path)) {
          out.possible_duplicates.push_back(std::move(other));
        }
      }
    }
    // Recurrence (举一反三): the same category closed at the same place (the duplicate radius)
    // within the workflow's recurrence_days; counted against the unit that closed it.
    if (r.lat && cfg.workflow.recurrence_days > 0) {
      const Millis since = now - Millis{cfg.workflow.recurrence_days} * 86'400'000;
      if (auto prev = repo.closed_near(r.category_code, *r.lat, *r.lng,
                                       cfg.workflow.duplicate_radius_m, since)) {
        r.recurrence_of = prev->id;
        r.recurrence_unit_id = prev->assigned_unit_id;
      }
    }
    repo.insert(r);
    ledger_case(c, actor, now, r, "report", std::nullopt, placement_note);
    if (in.also) {
      if (auto s = in.also(c, r); !s) return s.error();
    }
    out.record = r;
    return out;
  });
}

Expected<CaseView> CaseService::get(const access::Actor& actor, std::int64_t case_id) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  return in_tx<CaseView>(ctx_.db, false, [&](storage::Connection& c) -> Expected<CaseView> {
    storage::CaseRepo repo(c, actor.tenant_id);
    auto r = repo.find(case_id);
    if (!r) return make_error("case.not_found");
    if (!in_scope(actor, *r)) return make_error("auth.out_of_scope");
    CaseView v;
    v.record = *r;
    v.reporter_view = reporter_only(actor, *r);
    storage::LedgerQuery q;
    q.entity_type = "case";
    q.entity_id = case_id;
    q.limit = 500;
    auto events = storage::LedgerRepo(c, actor.tenant_id).list(q);
    std::reverse(events.begin(), events.end());
    if (v.reporter_view) {
      for (const auto& e : events) {
        if (!cases::shown_to_reporter(e.action)) continue;
        PublicStep step{e.at, e.action, ""};
        boost::system::error_code ec;
        if (auto after = json::parse(e.after.value_or(""), ec); !ec && after.is_object()) {
          if (const auto* st = after.as_object().if_contains("state"); st && st->is_string()) {
            step.state = std::string(st->as_string());
          }
        }
        v.steps.push_back(std::move(step));
      }
      for (auto& a : repo.attachments_of(case_id)) {
        if (cases::photo_shown_to_reporter(a.stage, a.uploaded_by == actor.user_id)) {
          v.attachments.push_back(std::move(a));
        }
      }
    } else {
      v.events = std::move(events);
      v.attachments = repo.attachments_of(case_id);
    }
    v.allowed = allowed_for(c, actor, *r);
    if (r->notice_id && (!v.reporter_view || cfg.workflow.reporter_sees_notice)) {
      v.notice = repo.find_notice(*r->notice_id);
      if (v.notice) v.notice->case_ids = NoticeService::visible_case_ids(c, actor, *v.notice);
    }
    if (r->timer) v.percent_used = cases::percent_used(*r->timer, ctx_.clock.now(), cfg.calendar);
    return v;
  });
}

bool set_case_cursor(storage::CaseQuery& q, std::string_view text) {
  if (auto pair = storage::decode_cursor(text)) {
    q.before_reported_at = pair->key;
    q.before_id = pair->id;
    return true;
  }
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return false;
  }
  q.before_reported_at.reset();
  q.before_id = id;
  return true;
}

Expected<CasePage> CaseService::list(const access::Actor& actor, storage::CaseQuery query,
                                     const std::string& text_query, bool before_photos) {
  query.limit = query.limit < 1 ? 50 : std::min(query.limit, kMaxLimit);
  if (!text_query.empty()) {
    query.terms = search::query_terms(text_query);
    if (query.terms.empty()) return CasePage{};
  }
  if (actor.role == access::Role::kCitizen) {
    query.reporter_user_id = actor.user_id;
  } else {
    query.scope = &actor.scope;
  }
  const int want = query.limit;
  query.limit = want + 1;
  return in_tx<CasePage>(ctx_.db, false, [&](storage::Connection& c) -> Expected<CasePage> {
    auto items = storage::CaseRepo(c, actor.tenant_id).list(query);
    CasePage page;
    if (static_cast<int>(items.size()) > want) {
      items.pop_back();
      const auto& last = items.back();
      page.next_cursor = query.by_reported_at()
                             ? storage::encode_cursor({last.reported_at, last.id})
                             : std::to_string(last.id);
    }
    page.items = std::move(items);
    page.with_before_photos = before_photos;
    if (before_photos && !page.items.empty()) {
      std::vector<std::int64_t> ids;
      std::map<std::int64_t, bool> reporter;  // case id -> the actor sees it only as its reporter
      for (const auto& r : page.items) {
        ids.push_back(r.id);
        reporter[r.id] = reporter_only(actor, r);
      }
      for (auto& a : storage::CaseRepo(c, actor.tenant_id).attachments_of_cases(ids, "before")) {
        if (reporter[a.case_id] &&
            !cases::photo_shown_to_reporter(a.stage, a.uploaded_by == actor.user_id)) {
          continue;
        }
        page.before_photos[a.case_id].push_back(std::move(a));
      }
    }
    return page;
  });
}

Expected<RoutePreview> CaseService::preview_route(const access::Actor& actor,
                                                  const std::string& category, double lat,
                                                  double lng, std::optional<Millis> at) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  if (cfg.category(category) == nullptr) return make_error("case.unknown_category", "category");
  RoutePreview p;
  p.place = cfg.locate(lat, lng);
  routing::Input in{category, p.place.at, p.place.containing,
                    cfg.local_minute(at.value_or(ctx_.clock.now()))};
  auto d = routing::route(cfg.rules, in);
  if (d) {
    p.unit_id = d->unit_id;
    p.supervising_group_id = d->supervising_group_id;
    p.rule = d->rule_name;
  } else if (const auto* cat = cfg.category(category); cat->responsible_unit_id) {
    p.unit_id = cat->responsible_unit_id;
    p.supervising_group_id = cat->supervising_group_id;
    p.rule = "category default";
  }
  if (!p.supervising_group_id)
    p.supervising_group_id = cfg.category(category)->supervising_group_id;
  return p;
}

Expected<std::vector<cases::Record>> CaseService::nearby(const access::Actor& actor,
                                                         const std::string& category, double lat,
                                                         double lng) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto radius = (*cfgx)->workflow.duplicate_radius_m;
  return in_tx<std::vector<cases::Record>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<cases::Record>> {
        std::vector<cases::Record> out;
        for (auto& r :
             storage::CaseRepo(c, actor.tenant_id).open_near(category, lat, lng, radius, 20)) {
          if (in_scope(actor, r) && cases::distance_m(lat, lng, *r.lat, *r.lng) <= radius) {
            out.push_back(std::move(r));
          }
        }
        return out;
      });
}

namespace {

struct Ctx {
  storage::Connection& c;
  const access::Actor& actor;
  const TenantCaseConfig& cfg;
  Millis now;
};

// Issues a notice (numbered per kind and year in the tenant's format) for cases of one unit.
storage::Notice issue_notice(Ctx& x, const std::string& kind, std::int64_t unit_id,
                             const std::string& requirement, std::optional<Millis> deadline,
                             const std::vector<std::int64_t>& case_ids) {
  storage::CaseRepo repo(x.c, x.actor.tenant_id);
  storage::Notice n;
  n.id = storage::next_id(x.c, x.actor.tenant_id, "notices");
  n.kind = kind;
  n.year = local_year(x.cfg, x.now);
  n.seq = repo.next_notice_seq(kind, n.year);
  n.number =
      workflow::format_number(kind == "reminder" ? x.cfg.workflow.reminder_number_format
                                                 : x.cfg.workflow.rectification_number_format,
                              n.year, n.seq);
  n.unit_id = unit_id;
  n.requirement = requirement;
  n.deadline_at = deadline;
  if (x.actor.user_id != 0) n.issued_by = x.actor.user_id;
  n.issued_at = x.now;
  n.case_ids = case_ids;
  repo.insert_notice(n);
  auto ev = make_event(x.actor, x.now, "notice", n.id, "issue", std::nullopt,
                       json::serialize(json::object{{"number", n.number},
                                                    {"kind", n.kind},
                                                    {"unit_id", n.unit_id},
                                                    {"cases", json::value_from(n.case_ids)}}));
  storage::LedgerRepo(x.c, x.actor.tenant_id).append(ev);
  return n;
}

// Moves a filed case to its unit: path, timer, notifications. The notice is the caller's.
Status dispatch_to(Ctx& x, cases::Record& r, std::int64_t unit_id, const std::string& why) {
  const auto* u = x.cfg.unit(unit_id);
  if (u == nullptr) return make_error("org.unit_not_found", "unit_id");
  if (u->retired) return make_error("org.unit_retired", "unit_id");
  r.assigned_unit_id = unit_id;
  r.assigned_path = u->path;
  r.routing_rule = why;
  r.dispatched_at = x.now;
  start_stage(r, cases::Stage::kAcknowledge, x.cfg.workflow.acknowledge_limit, x.now, x.cfg);
  Outbox out{x.c, x.actor.tenant_id, x.now, x.cfg};
  const auto users = storage::UserRepo(x.c, x.actor.tenant_id).users_of_unit(unit_id);
  const MessageArgs args{{"title", r.title},
                         {"case_no", r.case_no},
                         {"address", r.address},
                         {"unit", u->name},
                         {"deadline", local_text(x.cfg, r.timer->deadline)}};
  out.notify(users, r, "dispatched", "dispatched", args);
  out.robots("dispatched", args);
  return Ok{};
}

// --- The effects of the actions ------------------------------------------------------------------
//
// What each kind of effect (domain/case_actions.hpp, cases::Effect) does to the case once the
// table has allowed the request: one small function each, looked up in kEffects. The state, the
// version and the ledger event are written by transition() for all of them.

struct Effect {
  Ctx& x;
  CaseService& service;
  cases::Record& r;
  const TransitionInput& in;
  const cases::Decision& d;
  const std::string& note;
  Outbox& out;

  // The sweep's next look at the case after its timer changed.
  void reschedule() {
    r.next_check_at =
        r.timer ? cases::next_check(*r.timer, {x.cfg.workflow.escalation_percents}, x.cfg.calendar)
                : std::optional<Millis>{};
  }
  std::vector<std::int64_t> unit_users() {
    return storage::UserRepo(x.c, x.actor.tenant_id).users_of_unit(r.assigned_unit_id.value_or(0));
  }
};

using EffectFn = Status (*)(Effect&);

Status route(Effect& e) {
  auto& r = e.r;
  r.filed_at = e.x.now;
  // The routing proposal: the HQ office sees it and may change it when dispatching.
  if (r.lat) {
    auto p = e.service.preview_route(e.x.actor, r.category_code, *r.lat, *r.lng, r.reported_at);
    if (p && p->unit_id) {
      r.assigned_unit_id = p->unit_id;
      r.supervising_group_id = p->supervising_group_id;
      r.routing_rule = p->rule;
    }
  } else if (const auto* cat = e.x.cfg.category(r.category_code);
             cat != nullptr && cat->responsible_unit_id) {
    r.assigned_unit_id = cat->responsible_unit_id;
    r.supervising_group_id = cat->supervising_group_id;
    r.routing_rule = "category default";
  }
  r.assigned_path.reset();
  return Ok{};
}

Status finish(Effect& e) {
  stop_timer(e.r);
  e.r.closed_at = e.x.now;
  return Ok{};
}

Status merge(Effect& e) {
  auto original = storage::CaseRepo(e.x.c, e.x.actor.tenant_id).find(*e.in.duplicate_of);
  if (!original) return make_error("case.not_found", "duplicate_of");
  if (original->state == State::kDuplicate || original->state == State::kVoided) {
    return make_error("case.original_not_valid", "duplicate_of");
  }
  e.r.duplicate_of = original->id;
  return finish(e);
}

Status dispatch(Effect& e) {
  auto& r = e.r;
  const auto& cfg = e.x.cfg;
  const std::int64_t unit = e.in.unit_id ? *e.in.unit_id : *r.assigned_unit_id;
  // A manual override of the routing needs its reason, kept in the ledger.
  const std::string why = e.d.other_unit ? "manual: " + e.note : r.routing_rule.value_or("");
  if (auto s = dispatch_to(e.x, r, unit, why); !s) return s;
  const auto* cat = cfg.category(r.category_code);
  const std::string kind =
      e.in.notice_kind.value_or(cat != nullptr ? cat->notice_kind : "rectification");
  if (kind != "rectification" && kind != "reminder") {
    return make_error("case.bad_notice_kind", "notice_kind");
  }
  const auto rect_deadline = cfg.calendar.deadline(r.timer->deadline, rectify_limit(cfg, r)).at;
  auto n = issue_notice(e.x, kind, unit,
                        e.in.requirement.value_or(cat != nullptr ? cat->closing_condition : ""),
                        rect_deadline, {r.id});
  r.notice_id = n.id;
  return Ok{};
}

Status start_rectifying(Effect& e) {
  start_stage(e.r, cases::Stage::kRectify, rectify_limit(e.x.cfg, e.r), e.x.now, e.x.cfg);
  return Ok{};
}

Status hand_back(Effect& e) {
  auto& r = e.r;
  e.out.notify(
      hq_office_users(e.x.c, e.x.actor.tenant_id), r, "returned", "returned",
      {{"title", r.title}, {"unit", unit_name(e.x.cfg, r.assigned_unit_id)}, {"note", e.note}});
  r.assigned_unit_id.reset();
  r.assigned_path.reset();
  r.notice_id.reset();
  r.extension_pending = false;
  r.extension_request.reset();
  stop_timer(r);
  return Ok{};
}

Status ask_for_time(Effect& e) {
  auto& r = e.r;
  r.extension_pending = true;
  r.extension_request =
      cases::ExtensionRequest{*e.in.extension_amount, *e.d.extension_unit, e.note, e.x.now};
  // The clock stops while the HQ office decides.
  if (r.timer) cases::pause(*r.timer, e.x.now, e.x.cfg.calendar);
  e.reschedule();
  e.out.notify(
      hq_office_users(e.x.c, e.x.actor.tenant_id), r, "extension_requested", "extension_requested",
      {{"title", r.title}, {"unit", unit_name(e.x.cfg, r.assigned_unit_id)}, {"note", e.note}});
  return Ok{};
}

Status decide_time(Effect& e) {
  auto& r = e.r;
  const auto& cal = e.x.cfg.calendar;
  const auto unit = r.extension_request.value_or(cases::ExtensionRequest{}).unit;
  const int granted = e.d.granted;
  if (r.timer) {
    cases::resume(*r.timer, e.x.now, cal);
    if (granted > 0) cases::extend(*r.timer, cal.budget({granted, unit}), e.x.now, cal);
    r.overdue = cases::percent_used(*r.timer, e.x.now, cal) >= 100;
  }
  r.extension_pending = false;
  r.extension_request.reset();
  e.reschedule();
  e.out.notify(e.unit_users(), r, "extension_decided",
               granted > 0 ? "extension_decided_granted" : "extension_decided",
               {{"title", r.title},
                {"decision@", "extension_decision." + std::string(cases::to_string(*e.d.decision))},
                {"amount", std::to_string(granted)},
                {"limit_unit@", "limit_unit." + std::string(calendar::to_string(unit))}});
  return Ok{};
}

Status await_verdict(Effect& e) {
  // Rectified means shown: the table asked for an after-photo first.
  e.r.extension_pending = false;
  e.r.extension_request.reset();
  e.r.rectified_at = e.x.now;
  start_stage(e.r, cases::Stage::kVerify, e.x.cfg.workflow.verify_limit, e.x.now, e.x.cfg);
  return Ok{};
}

Status verdict(Effect& e) {
  auto& r = e.r;
  if (e.d.passed) {
    stop_timer(r);
    return Ok{};
  }
  ++r.rework_count;
  start_stage(r, cases::Stage::kRectify, rectify_limit(e.x.cfg, r), e.x.now, e.x.cfg);
  e.out.notify(e.unit_users(), r, "rework", "rework", {{"title", r.title}, {"note", e.note}});
  return Ok{};
}

Status park(Effect& e) {
  auto& r = e.r;
  r.parked_from = r.state;
  r.park_review_date = calendar::format_date(*e.d.review_date);
  if (r.timer) cases::pause(*r.timer, e.x.now, e.x.cfg.calendar);
  e.reschedule();
  return Ok{};
}

Status unpark(Effect& e) {
  auto& r = e.r;
  r.parked_from.reset();
  r.park_review_date.reset();
  if (r.timer) cases::resume(*r.timer, e.x.now, e.x.cfg.calendar);
  e.reschedule();
  return Ok{};
}

Status take_on_site(Effect& e) {
  auto& r = e.r;
  // The one who fixed it answers for it: the grid (or the deepest place) of the problem.
  const auto place = r.grid_id ? r.grid_id : (r.community_id ? r.community_id : r.subdistrict_id);
  if (!place) return make_error("case.no_unit", "unit_id");
  r.assigned_unit_id = place;
  r.assigned_path = e.x.cfg.unit(*place) ? e.x.cfg.unit(*place)->path : std::string();
  r.routing_rule = "fix_on_site";
  r.rectified_at = e.x.now;
  start_stage(r, cases::Stage::kVerify, e.x.cfg.workflow.verify_limit, e.x.now, e.x.cfg);
  return Ok{};
}

Status escalate(Effect& e) {
  auto& r = e.r;
  ++r.escalation_level;
  const auto targets = escalation_targets(e.x.c, e.x.actor.tenant_id, r, r.escalation_level);
  const MessageArgs args{{"title", r.title},
                         {"case_no", r.case_no},
                         {"level", std::to_string(r.escalation_level)},
                         {"detail", e.note.empty() ? r.case_no : e.note}};
  e.out.notify(targets, r, "escalated", "escalated", args);
  if (r.escalation_level >= 2) {
    e.out.notify(liaison_leader_users(e.x.c, e.x.actor.tenant_id, r, targets), r, "escalated",
                 "liaison_escalated",
                 {{"title", r.title},
                  {"case_no", r.case_no},
                  {"level", std::to_string(r.escalation_level)},
                  {"place", place_text(e.x.cfg, r)},
                  {"unit", unit_name(e.x.cfg, r.assigned_unit_id)}});
  }
  MessageArgs robot_args = args;
  robot_args.back().second = e.note.empty() ? r.address : e.note;
  e.out.robots("escalated", robot_args);
  return Ok{};
}

const std::map<cases::Effect, EffectFn> kEffects = {
    {cases::Effect::kRoute, route},
    {cases::Effect::kFinish, finish},
    {cases::Effect::kMerge, merge},
    {cases::Effect::kDispatch, dispatch},
    {cases::Effect::kStartRectifying, start_rectifying},
    {cases::Effect::kHandBack, hand_back},
    {cases::Effect::kAskForTime, ask_for_time},
    {cases::Effect::kDecideTime, decide_time},
    {cases::Effect::kAwaitVerdict, await_verdict},
    {cases::Effect::kVerdict, verdict},
    {cases::Effect::kPark, park},
    {cases::Effect::kUnpark, unpark},
    {cases::Effect::kTakeOnSite, take_on_site},
    {cases::Effect::kEscalate, escalate},
};

}  // namespace

bool has_effect(cases::Effect kind) { return kEffects.contains(kind); }

Expected<CaseView> CaseService::transition(const access::Actor& actor, std::int64_t case_id,
                                           const TransitionInput& in) {
  auto action = cases::parse_action(in.action);
  if (!action) return make_error("case.unknown_action", "action");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const std::string note = text::trim(in.note);
  if (auto s = text::check("note", note, {.max_chars = 1000, .multiline = true}); !s) {
    return s.error();
  }
  const Millis now = ctx_.clock.now();
  auto done = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::CaseRepo repo(c, actor.tenant_id);
    auto found = repo.find(case_id);
    if (!found) return make_error("case.not_found");
    cases::Record r = *found;
    if (!in_scope(actor, r)) return make_error("auth.out_of_scope");
    if (in.version && *in.version != r.version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(r.version));
    }
    // The table decides (domain/case_actions.hpp): the actor's right, the state, the reason, the
    // photo first and the request's own rules.
    cases::Request req{note,
                       in.passed,
                       in.unit_id,
                       in.notice_kind,
                       in.extension_amount,
                       in.extension_unit,
                       in.decision,
                       in.review_date,
                       in.duplicate_of,
                       {},
                       cfg.calendar.local_date(now)};
    if (!cases::spec(*action).needs.photo_stage.empty()) {
      for (const auto& a : repo.attachments_of(r.id)) req.photo_stages.push_back(a.stage);
    }
    auto d = cases::decide(who_for(actor, r, did_the_work(c, actor, r)), r.facts(), *action, req);
    if (!d) return d.error();
    const auto before = case_snapshot(r);
    const int old_version = r.version;
    Ctx x{c, actor, cfg, now};
    Outbox out{c, actor.tenant_id, now, cfg};
    Effect effect{x, *this, r, in, *d, note, out};
    if (auto s = kEffects.at(d->effect)(effect); !s) return s;
    r.state = d->to;
    r.updated_at = now;
    r.version = old_version + 1;
    if (!repo.update(r, old_version)) return make_error("conflict.stale_version", "version");
    ledger_case(c, actor, now, r, std::string(cases::to_string(*action)), before,
                note.empty() ? std::nullopt : std::optional<std::string>(note));
    return Ok{};
  });
  if (!done) return done.error();
  return get(actor, case_id);
}

Expected<storage::Notice> CaseService::dispatch_with_notice(
    const access::Actor& actor, const std::vector<std::int64_t>& case_ids,
    std::optional<std::int64_t> unit_id, const std::string& kind, const std::string& requirement) {
  if (case_ids.empty() || case_ids.size() > 50) {
    return make_error("field.out_of_range", "case_ids").with("max", "50");
  }
  if (kind != "rectification" && kind != "reminder") {
    return make_error("case.bad_notice_kind", "kind");
  }
  if (auto s = text::check("requirement", requirement, {.max_chars = 2000, .multiline = true});
      !s) {
    return s.error();
  }
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const Millis now = ctx_.clock.now();
  return in_tx<storage::Notice>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::Notice> {
        storage::CaseRepo repo(c, actor.tenant_id);
        Ctx x{c, actor, cfg, now};
        std::vector<cases::Record> rs;
        std::optional<std::int64_t> unit = unit_id;
        for (const auto id : case_ids) {
          auto r = repo.find(id);
          if (!r) return make_error("case.not_found", "case_ids").with("id", std::to_string(id));
          if (auto s = cases::may_perform(who_for(actor, *r), r->facts(), Action::kDispatch); !s) {
            return s.error();
          }
          if (auto n = cases::next_state(r->facts(), Action::kDispatch); !n) return n.error();
          if (!unit) unit = r->assigned_unit_id;
          if (!unit_id && r->assigned_unit_id != unit) {
            // One notice is addressed to one unit.
            return make_error("case.notice_mixed_units", "case_ids");
          }
          rs.push_back(std::move(*r));
        }
        if (!unit) return make_error("case.no_unit", "unit_id");
        // Each case is dispatched in memory first (the notice's deadline is the latest of
        // theirs), then written once with its notice, under one event.
        Millis latest = now;
        std::vector<std::string> befores;
        for (auto& r : rs) {
          befores.push_back(case_snapshot(r));
          const std::string why = unit_id && unit_id != r.assigned_unit_id
                                      ? "manual: notice"
                                      : r.routing_rule.value_or("");
          if (auto s = dispatch_to(x, r, *unit, why); !s) return s.error();
          latest =
              std::max(latest, cfg.calendar.deadline(r.timer->deadline, rectify_limit(cfg, r)).at);
        }
        auto n = issue_notice(x, kind, *unit, requirement, latest, case_ids);
        for (std::size_t i = 0; i < rs.size(); ++i) {
          auto& r = rs[i];
          const int old = r.version;
          r.state = State::kDispatched;
          r.notice_id = n.id;
          r.updated_at = now;
          r.version = old + 1;
          if (!repo.update(r, old)) return make_error("conflict.stale_version", "version");
          ledger_case(c, actor, now, r, "dispatch", befores[i], std::nullopt);
        }
        return n;
      });
}

namespace {

// Cases per write transaction in the sweep: one commit (one fsync) for the batch instead of one
// per case, while the write lock is held for tens of milliseconds, not seconds.
constexpr std::size_t kSweepBatch = 250;

// What one sweep batch reads once rather than per case: the users of a unit, the HQ office, the
// escalation targets of a place and level.
struct SweepLookups {
  storage::Connection& c;
  std::int64_t tenant;
  std::map<std::int64_t, std::vector<std::int64_t>> unit_users;
  std::optional<std::vector<std::int64_t>> hq;
  std::map<std::tuple<int, std::int64_t, std::int64_t, std::int64_t>, std::vector<std::int64_t>>
      targets;

  const std::vector<std::int64_t>& users_of_unit(std::int64_t unit) {
    auto it = unit_users.find(unit);
    if (it == unit_users.end()) {
      it = unit_users.emplace(unit, storage::UserRepo(c, tenant).users_of_unit(unit)).first;
    }
    return it->second;
  }
  const std::vector<std::int64_t>& hq_office() {
    if (!hq) hq = hq_office_users(c, tenant);
    return *hq;
  }
  const std::vector<std::int64_t>& escalation(const cases::Record& r, int level) {
    // escalation_targets reads only these fields of the case.
    const std::tuple<int, std::int64_t, std::int64_t, std::int64_t> key{
        level, level == 1 ? r.assigned_unit_id.value_or(0) : 0,
        level == 2 ? r.community_id.value_or(0) : 0, level == 2 ? r.subdistrict_id.value_or(0) : 0};
    auto it = targets.find(key);
    if (it == targets.end()) {
      it = targets.emplace(key, escalation_targets(c, tenant, r, level)).first;
    }
    return it->second;
  }
  // The liaison leaders of a place not among the targets of its escalation at `level`.
  const std::vector<std::int64_t>& liaisons(const cases::Record& r, int level) {
    const std::tuple<int, std::int64_t, std::int64_t, std::int64_t> key{
        level, r.assigned_unit_id.value_or(0), r.community_id.value_or(0),
        r.subdistrict_id.value_or(0)};
    auto it = leaders.find(key);
    if (it == leaders.end()) {
      it = leaders.emplace(key, liaison_leader_users(c, tenant, r, escalation(r, level))).first;
    }
    return it->second;
  }
  std::map<std::tuple<int, std::int64_t, std::int64_t, std::int64_t>, std::vector<std::int64_t>>
      leaders;
};

// The notifications and robot messages of one case, sent once its new version is written.
using PendingSends = std::vector<std::function<void(Outbox&, const cases::Record&)>>;

}  // namespace

SweepStats CaseService::sweep(Millis now, int max_cases) {
  SweepStats stats;
  auto due = in_tx<std::vector<storage::CaseRepo::Due>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::CaseRepo::Due>> {
        return storage::CaseRepo(c, 0).due(now, max_cases);
      });
  if (!due) return stats;
  // The due cases by tenant, in the order they fell due.
  std::map<std::int64_t, std::vector<std::int64_t>> by_tenant;
  for (const auto& d : *due) by_tenant[d.tenant_id].push_back(d.case_id);
  for (const auto& [tenant, ids] : by_tenant) {
    auto cfgx = config_.get(tenant);  // once per tenant and pass, not per case
    if (!cfgx) continue;
    const auto& cfg = **cfgx;
    const auto actor = system_actor(tenant);
    const cases::EscalationLadder ladder{cfg.workflow.escalation_percents};
    for (std::size_t at = 0; at < ids.size(); at += kSweepBatch) {
      const std::vector<std::int64_t> batch(
          ids.begin() + static_cast<std::ptrdiff_t>(at),
          ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), at + kSweepBatch)));
      SweepStats part;
      auto done = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
        part = {};
        storage::CaseRepo repo(c, tenant);
        SweepLookups look{c, tenant, {}, {}, {}, {}};
        Outbox out{c, tenant, now, cfg};
        for (const cases::Record& stored : repo.find_many(batch)) {
          cases::Record r = stored;
          ++part.checked;
          const int old = r.version;
          if (!r.timer || r.timer->paused() || cases::is_final(r.state) || !r.next_check_at ||
              *r.next_check_at > now) {
            // Nothing to check (or checked meanwhile): only the sweep's own hint may change (it
            // is not in the snapshot), so no event.
            if (r.next_check_at && (*r.next_check_at <= now)) {
              r.next_check_at.reset();
              repo.update_changed(r, stored);
            }
            continue;
          }
          const auto before = case_snapshot(r);
          const bool was_overdue = r.overdue;
          std::vector<int> warned;
          PendingSends sends;
          bool escalated = false;
          int escalations = 0;
          for (const int mark : cases::crossed_marks(*r.timer, now, cfg.calendar, ladder)) {
            if (mark < 100) {
              warned.push_back(mark);
              const auto* users = r.state == State::kRectified
                                      ? &look.hq_office()
                                      : &look.users_of_unit(r.assigned_unit_id.value_or(0));
              const MessageArgs args{{"title", r.title},
                                     {"case_no", r.case_no},
                                     {"percent", std::to_string(mark)},
                                     {"deadline", local_text(cfg, r.timer->deadline)}};
              sends.emplace_back([users, mark, args](Outbox& out, const cases::Record& done) {
                out.notify(*users, done, "warning_" + std::to_string(mark), "warning", args);
              });
              continue;
            }
            r.overdue = true;
            const int level = cases::escalation_level(ladder, mark);
            if (level > r.escalation_level) {
              r.escalation_level = std::min(level, 3);
              escalated = true;
              ++escalations;
              const MessageArgs args{{"title", r.title},
                                     {"case_no", r.case_no},
                                     {"level", std::to_string(r.escalation_level)},
                                     {"unit", unit_name(cfg, r.assigned_unit_id)},
                                     {"deadline", local_text(cfg, r.timer->deadline)}};
              const auto* targets = &look.escalation(r, r.escalation_level);
              sends.emplace_back([targets, args](Outbox& out, const cases::Record& done) {
                out.notify(*targets, done, "escalated", "overdue_escalated", args);
                out.robots("overdue_escalated", args);
              });
              if (r.escalation_level >= 2) {
                const auto* leaders = &look.liaisons(r, r.escalation_level);
                const MessageArgs largs{{"title", r.title},
                                        {"case_no", r.case_no},
                                        {"level", std::to_string(r.escalation_level)},
                                        {"place", place_text(cfg, r)},
                                        {"unit", unit_name(cfg, r.assigned_unit_id)}};
                sends.emplace_back([leaders, largs](Outbox& out, const cases::Record& done) {
                  out.notify(*leaders, done, "escalated", "liaison_escalated", largs);
                });
              }
            }
          }
          r.next_check_at = cases::next_check(*r.timer, ladder, cfg.calendar);
          if (case_snapshot(r) == before) {
            // Nothing but the next look changed (a timer checked early): no new version.
            repo.update_changed(r, stored);
            continue;
          }
          r.updated_at = now;
          r.version = old + 1;
          // Changed by someone else since the batch was read (PostgreSQL): left for the next
          // pass, which reads it again; nothing of it is written.
          if (!repo.update_changed(r, stored)) continue;
          part.warnings += static_cast<int>(warned.size());
          part.escalations += escalations;
          for (const auto& send : sends) send(out, r);
          // Every mark the sweep records is an event: the escalation, else the case turning
          // overdue, else the warnings (the note says which marks, for the ledger page to word).
          std::string marks;
          for (const int m : warned) marks += (marks.empty() ? "" : ",") + std::to_string(m);
          if (escalated) {
            ledger_case(c, actor, now, r, "escalate", before,
                        "level=" + std::to_string(r.escalation_level));
          } else if (r.overdue && !was_overdue) {
            ledger_case(c, actor, now, r, "overdue", before, std::nullopt);
          } else {
            ledger_case(c, actor, now, r, "warn", before, "marks=" + marks);
          }
        }
        return Ok{};
      });
      if (!done) continue;
      stats.checked += part.checked;
      stats.warnings += part.warnings;
      stats.escalations += part.escalations;
    }
  }
  return stats;
}

}  // namespace civicloop::app
