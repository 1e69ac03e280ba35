#include "api/case_render.hpp"

#include <cmath>
#include <set>

#include "app/evidence_service.hpp"
#include "app/views.hpp"

namespace civicloop::api {

namespace {
json::value opt_time(const std::optional<Millis>& t) {
  return t ? json::value(format_iso_utc(*t)) : json::value(nullptr);
}
}  // namespace

json::value unit_ref(const app::TenantCaseConfig& cfg, const std::optional<std::int64_t>& id) {
  if (!id) return nullptr;
  const auto* u = cfg.unit(*id);
  return json::object{{"id", *id}, {"name", u != nullptr ? u->name : ""}};
}

json::object case_json(const app::TenantCaseConfig& cfg, const cases::Record& r, Millis now) {
  json::object o;
  o.reserve(48);  // every field below without rehashing as it grows
  o["id"] = r.id;
  o["case_no"] = r.case_no;
  o["state"] = cases::to_string(r.state);
  o["source"] = cases::to_string(r.source);
  o["category"] = r.category_code;
  const auto* cat = cfg.category(r.category_code);
  o["category_name"] = cat != nullptr ? cat->name : "";
  o["category_name_en"] = cat != nullptr && cat->name_en ? *cat->name_en : "";
  o["title"] = r.title;
  o["description"] = r.description;
  o["address"] = r.address;
  o["lat"] = r.lat ? json::value(*r.lat) : json::value(nullptr);
  o["lng"] = r.lng ? json::value(*r.lng) : json::value(nullptr);
  o["grid"] = unit_ref(cfg, r.grid_id);
  o["community"] = unit_ref(cfg, r.community_id);
  o["subdistrict"] = unit_ref(cfg, r.subdistrict_id);
  // Waiting for triage with no area to route by and no unit yet (a point outside the area
  // accepted under the "flag" policy, or an address only): the office places it by hand when it
  // dispatches (dispatch takes a unit).
  o["needs_placement"] = (r.state == cases::State::kReported || r.state == cases::State::kFiled) &&
                         !r.grid_id && !r.community_id && !r.subdistrict_id && !r.assigned_unit_id;
  o["assigned_unit"] = unit_ref(cfg, r.assigned_unit_id);
  o["supervising_group"] = unit_ref(cfg, r.supervising_group_id);
  o["routing_rule"] = r.routing_rule ? json::value(*r.routing_rule) : json::value(nullptr);
  o["duplicate_of"] = r.duplicate_of ? json::value(*r.duplicate_of) : json::value(nullptr);
  o["recurrence_of"] = r.recurrence_of ? json::value(*r.recurrence_of) : json::value(nullptr);
  o["recurrence_unit"] = unit_ref(cfg, r.recurrence_unit_id);
  o["rework_count"] = r.rework_count;
  o["escalation_level"] = r.escalation_level;
  o["extension_pending"] = r.extension_pending;
  if (r.extension_request) {
    const auto& e = *r.extension_request;
    o["extension_request"] = json::object{{"amount", e.amount},
                                          {"unit", calendar::to_string(e.unit)},
                                          {"reason", e.reason},
                                          {"requested_at", format_iso_utc(e.requested_at)}};
  } else {
    o["extension_request"] = nullptr;
  }
  o["parked_from"] =
      r.parked_from ? json::value(cases::to_string(*r.parked_from)) : json::value(nullptr);
  o["park_review_date"] =
      r.park_review_date ? json::value(*r.park_review_date) : json::value(nullptr);
  o["notice_id"] = r.notice_id ? json::value(*r.notice_id) : json::value(nullptr);
  if (r.timer) {
    o["timer"] = json::object{{"stage", cases::to_string(r.timer->stage)},
                              {"deadline_at", format_iso_utc(r.timer->deadline)},
                              {"estimated", r.timer->estimated},
                              {"paused", r.timer->paused()},
                              {"percent_used", cases::percent_used(*r.timer, now, cfg.calendar)}};
  } else {
    o["timer"] = nullptr;
  }
  o["overdue"] = r.overdue;
  o["reporter_name"] = r.reporter_name;
  o["reported_at"] = format_iso_utc(r.reported_at);
  o["filed_at"] = opt_time(r.filed_at);
  o["dispatched_at"] = opt_time(r.dispatched_at);
  o["rectified_at"] = opt_time(r.rectified_at);
  o["closed_at"] = opt_time(r.closed_at);
  o["version"] = r.version;
  return o;
}

// The case as its reporter sees it: the same shape, with everything internal to the office and the
// units (routing reasons, supervising group, rework and escalation counts, extension requests,
// timers, other cases' ids) left empty. An allow-list, so a new internal field stays hidden.
json::object public_case_json(const app::TenantCaseConfig& cfg, const cases::Record& r,
                              Millis now) {
  static const std::set<std::string, std::less<>> kShown = {"id",
                                                            "case_no",
                                                            "state",
                                                            "source",
                                                            "category",
                                                            "category_name",
                                                            "category_name_en",
                                                            "title",
                                                            "description",
                                                            "address",
                                                            "lat",
                                                            "lng",
                                                            "grid",
                                                            "community",
                                                            "subdistrict",
                                                            "assigned_unit",
                                                            "reporter_name",
                                                            "reported_at",
                                                            "filed_at",
                                                            "dispatched_at",
                                                            "rectified_at",
                                                            "closed_at",
                                                            "version"};
  auto full = case_json(cfg, r, now);
  json::object o;
  for (auto& [key, value] : full) {
    if (kShown.contains(key)) {
      o[key] = std::move(value);
    } else if (value.is_bool()) {
      o[key] = false;
    } else {
      o[key] = nullptr;
    }
  }
  return o;
}

// The case as this actor may read it: the whole record for staff in scope, the public view for
// its reporter.
json::object case_for(const access::Actor& actor, const app::TenantCaseConfig& cfg,
                      const cases::Record& r, Millis now) {
  return app::CaseService::reporter_only(actor, r) ? public_case_json(cfg, r, now)
                                                   : case_json(cfg, r, now);
}

json::object near_case_json(const storage::CaseRepo::Near& n) {
  json::object o;
  o.reserve(7);
  o["id"] = n.id;
  o["case_no"] = n.case_no;
  o["title"] = n.title;
  o["state"] = cases::to_string(n.state);
  o["address"] = n.address;
  o["reported_at"] = format_iso_utc(n.reported_at);
  o["distance_m"] = std::round(n.distance_m);
  return o;
}

json::object attachment_json(const storage::Attachment& a, const cases::Record* r) {
  json::object o;
  o["id"] = a.id;
  o["case_id"] = a.case_id;
  o["stage"] = a.stage;
  o["content_type"] = a.content_type;
  o["size"] = a.size;
  o["width"] = a.width;
  o["height"] = a.height;
  o["lat"] = a.lat ? json::value(*a.lat) : json::value(nullptr);
  o["lng"] = a.lng ? json::value(*a.lng) : json::value(nullptr);
  o["taken_at"] = opt_time(a.taken_at);
  json::array flags;
  for (const auto& f : app::split_flags(a.flags)) flags.emplace_back(f);
  o["flags"] = flags;
  if (r != nullptr && a.lat && r->lat) {
    o["distance_m"] = std::round(cases::distance_m(*a.lat, *a.lng, *r->lat, *r->lng));
  } else {
    o["distance_m"] = nullptr;
  }
  o["uploaded_at"] = format_iso_utc(a.uploaded_at);
  o["url"] = "/api/v1/attachments/" + std::to_string(a.id);
  o["thumbnail_url"] = "/api/v1/attachments/" + std::to_string(a.id) + "/thumbnail";
  return o;
}

json::object notice_json(const app::TenantCaseConfig& cfg, const storage::Notice& n, Millis now) {
  json::object o;
  o["id"] = n.id;
  o["kind"] = n.kind;
  o["number"] = n.number;
  o["unit"] = unit_ref(cfg, n.unit_id);
  o["requirement"] = n.requirement;
  o["deadline_at"] = opt_time(n.deadline_at);
  o["open"] = n.open;
  // A notice whose cases are all finished has no time left to count.
  o["remaining_ms"] =
      n.deadline_at && n.open ? json::value(*n.deadline_at - now) : json::value(nullptr);
  o["issued_at"] = format_iso_utc(n.issued_at);
  o["case_ids"] = json::value_from(n.case_ids);
  o["pdf_url"] = "/api/v1/notices/" + std::to_string(n.id) + ".pdf";
  return o;
}

json::object action_needs_json(cases::Action a) {
  const auto& n = cases::needs(a);
  json::array required;
  for (const auto f : n.required) required.emplace_back(f);
  json::array optional;
  for (const auto f : n.optional) optional.emplace_back(f);
  return json::object{
      {"action", cases::to_string(a)},
      {"note", cases::to_string(n.note)},
      {"photo_stage", n.photo_stage.empty() ? json::value(nullptr) : json::value(n.photo_stage)},
      {"required", required},
      {"optional", optional}};
}

json::object case_view_json(const app::TenantCaseConfig& cfg, const app::CaseView& v, Millis now) {
  json::array events;
  for (const auto& e : v.events) events.push_back(app::event_json(e));
  json::array steps;
  for (const auto& st : v.steps) {
    steps.push_back(
        json::object{{"at", format_iso_utc(st.at)}, {"action", st.action}, {"state", st.state}});
  }
  json::array atts;
  for (const auto& a : v.attachments) atts.push_back(attachment_json(a, &v.record));
  // `allowed` names the actions (as before); `actions` carries each with what it needs, for the
  // dialog to build itself from.
  json::array allowed;
  json::array actions;
  for (const auto a : v.allowed) {
    allowed.emplace_back(cases::to_string(a));
    actions.push_back(action_needs_json(a));
  }
  return json::object{
      {"case",
       v.reporter_view ? public_case_json(cfg, v.record, now) : case_json(cfg, v.record, now)},
      {"view", v.reporter_view ? "reporter" : "staff"},
      {"events", events},
      {"steps", steps},
      {"attachments", atts},
      {"allowed", allowed},
      {"actions", actions},
      {"notice", v.notice ? json::value(notice_json(cfg, *v.notice, now)) : json::value(nullptr)}};
}

}  // namespace civicloop::api
