#include "app/case_snapshot.hpp"

#include <boost/json.hpp>

#include "app/json_text.hpp"
#include "domain/search.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::optional<std::int64_t> get_int(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->as_int64();
}
std::optional<double> get_double(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  return std::nullopt;
}
std::optional<std::string> get_str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}
bool get_bool(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v != nullptr && v->is_bool() && v->as_bool();
}

}  // namespace

std::string case_snapshot(const cases::Record& r) {
  json::object o;
  o.reserve(64);  // every field below without rehashing as it grows
  o["snapshot"] = kSnapshotVersion;
  o["id"] = r.id;
  o["case_no"] = r.case_no;
  o["state"] = cases::to_string(r.state);
  o["source"] = cases::to_string(r.source);
  o["category"] = r.category_code;
  o["title"] = r.title;
  o["description"] = r.description;
  o["address"] = r.address;
  o["lat"] = opt(r.lat);
  o["lng"] = opt(r.lng);
  o["grid_id"] = opt(r.grid_id);
  o["community_id"] = opt(r.community_id);
  o["subdistrict_id"] = opt(r.subdistrict_id);
  o["area_path"] = r.area_path;
  o["reporter_user_id"] = opt(r.reporter_user_id);
  o["reporter_name"] = r.reporter_name;
  o["assigned_unit_id"] = opt(r.assigned_unit_id);
  o["assigned_path"] = opt(r.assigned_path);
  o["supervising_group_id"] = opt(r.supervising_group_id);
  o["routing_rule"] = opt(r.routing_rule);
  o["duplicate_of"] = opt(r.duplicate_of);
  o["rework_count"] = r.rework_count;
  o["escalation_level"] = r.escalation_level;
  o["extension_pending"] = r.extension_pending;
  if (r.extension_request) {
    const auto& e = *r.extension_request;
    o["extension_request"] = json::object{{"amount", e.amount},
                                          {"unit", calendar::to_string(e.unit)},
                                          {"reason", e.reason},
                                          {"requested_at", e.requested_at}};
  } else {
    o["extension_request"] = nullptr;
  }
  o["parked_from"] =
      r.parked_from ? json::value(cases::to_string(*r.parked_from)) : json::value(nullptr);
  o["park_review_date"] = opt(r.park_review_date);
  o["notice_id"] = opt(r.notice_id);
  if (r.timer) {
    const auto& t = *r.timer;
    o["timer"] = json::object{{"stage", cases::to_string(t.stage)},
                              {"unit", calendar::to_string(t.unit)},
                              {"budget", t.budget},
                              {"consumed", t.consumed},
                              {"running_since", opt(t.running_since)},
                              {"deadline", t.deadline},
                              {"estimated", t.estimated},
                              {"warned_percent", t.warned_percent}};
  } else {
    o["timer"] = nullptr;
  }
  o["overdue"] = r.overdue;
  o["reported_at"] = r.reported_at;
  o["filed_at"] = opt(r.filed_at);
  o["dispatched_at"] = opt(r.dispatched_at);
  o["rectified_at"] = opt(r.rectified_at);
  o["closed_at"] = opt(r.closed_at);
  o["updated_at"] = r.updated_at;
  o["version"] = r.version;
  // Only on imported cases, so that the snapshots of every other case stay as they were.
  if (r.original_no) o["original_no"] = *r.original_no;
  if (r.import_source) o["import_source"] = *r.import_source;
  // Only on recurrences (举一反三), for the same reason.
  if (r.recurrence_of) o["recurrence_of"] = *r.recurrence_of;
  if (r.recurrence_unit_id) o["recurrence_unit_id"] = *r.recurrence_unit_id;
  return json_text(o);
}

bool is_case_snapshot(const std::string& text) {
  // Cheap test first: every version-2 snapshot starts with this key.
  return text.rfind("{\"snapshot\":2,", 0) == 0;
}

std::optional<cases::Record> record_from_snapshot(const std::string& text) {
  if (!is_case_snapshot(text)) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  cases::Record r;
  r.id = get_int(o, "id").value_or(0);
  r.case_no = get_str(o, "case_no").value_or("");
  r.state = cases::parse_state(get_str(o, "state").value_or("")).value_or(cases::State::kReported);
  r.source =
      cases::parse_source(get_str(o, "source").value_or("")).value_or(cases::Source::kCitizen);
  r.category_code = get_str(o, "category").value_or("");
  r.title = get_str(o, "title").value_or("");
  r.description = get_str(o, "description").value_or("");
  r.address = get_str(o, "address").value_or("");
  r.lat = get_double(o, "lat");
  r.lng = get_double(o, "lng");
  r.grid_id = get_int(o, "grid_id");
  r.community_id = get_int(o, "community_id");
  r.subdistrict_id = get_int(o, "subdistrict_id");
  r.area_path = get_str(o, "area_path").value_or("");
  r.reporter_user_id = get_int(o, "reporter_user_id");
  r.reporter_name = get_str(o, "reporter_name").value_or("");
  r.assigned_unit_id = get_int(o, "assigned_unit_id");
  r.assigned_path = get_str(o, "assigned_path");
  r.supervising_group_id = get_int(o, "supervising_group_id");
  r.routing_rule = get_str(o, "routing_rule");
  r.duplicate_of = get_int(o, "duplicate_of");
  r.rework_count = static_cast<int>(get_int(o, "rework_count").value_or(0));
  r.escalation_level = static_cast<int>(get_int(o, "escalation_level").value_or(0));
  r.extension_pending = get_bool(o, "extension_pending");
  if (const auto* e = o.if_contains("extension_request"); e != nullptr && e->is_object()) {
    const auto& eo = e->as_object();
    cases::ExtensionRequest x;
    x.amount = static_cast<int>(get_int(eo, "amount").value_or(0));
    x.unit = calendar::parse_limit_unit(get_str(eo, "unit").value_or(""))
                 .value_or(calendar::LimitUnit::kWorkingDays);
    x.reason = get_str(eo, "reason").value_or("");
    x.requested_at = get_int(eo, "requested_at").value_or(0);
    r.extension_request = x;
  }
  if (auto p = get_str(o, "parked_from")) r.parked_from = cases::parse_state(*p);
  r.park_review_date = get_str(o, "park_review_date");
  r.notice_id = get_int(o, "notice_id");
  if (const auto* t = o.if_contains("timer"); t != nullptr && t->is_object()) {
    const auto& to = t->as_object();
    cases::Timer x;
    x.stage =
        cases::parse_stage(get_str(to, "stage").value_or("")).value_or(cases::Stage::kRectify);
    x.unit = calendar::parse_limit_unit(get_str(to, "unit").value_or(""))
                 .value_or(calendar::LimitUnit::kWorkingDays);
    x.budget = get_int(to, "budget").value_or(0);
    x.consumed = get_int(to, "consumed").value_or(0);
    x.running_since = get_int(to, "running_since");
    x.deadline = get_int(to, "deadline").value_or(0);
    x.estimated = get_bool(to, "estimated");
    x.warned_percent = static_cast<int>(get_int(to, "warned_percent").value_or(0));
    r.timer = x;
  }
  r.overdue = get_bool(o, "overdue");
  r.reported_at = get_int(o, "reported_at").value_or(0);
  r.filed_at = get_int(o, "filed_at");
  r.dispatched_at = get_int(o, "dispatched_at");
  r.rectified_at = get_int(o, "rectified_at");
  r.closed_at = get_int(o, "closed_at");
  r.updated_at = get_int(o, "updated_at").value_or(0);
  r.version = static_cast<int>(get_int(o, "version").value_or(0));
  r.original_no = get_str(o, "original_no");
  r.import_source = get_str(o, "import_source");
  r.recurrence_of = get_int(o, "recurrence_of");
  r.recurrence_unit_id = get_int(o, "recurrence_unit_id");
  return r;
}

std::string case_search_terms(const cases::Record& r) {
  return search::document_terms(r.title + " " + r.description + " " + r.address + " " + r.case_no +
                                (r.original_no ? " " + *r.original_no : std::string()));
}

std::vector<std::string> snapshot_differences(const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  boost::system::error_code ea;
  boost::system::error_code eb;
  auto va = json::parse(a, ea);
  auto vb = json::parse(b, eb);
  if (ea || eb || !va.is_object() || !vb.is_object()) return {"(unreadable)"};
  for (const auto& kv : va.as_object()) {
    const auto* other = vb.as_object().if_contains(kv.key());
    if (other == nullptr || *other != kv.value()) out.emplace_back(kv.key());
  }
  for (const auto& kv : vb.as_object()) {
    if (!va.as_object().contains(kv.key())) out.emplace_back(kv.key());
  }
  return out;
}

}  // namespace civicloop::app
