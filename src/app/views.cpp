#include "app/views.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace civicloop::app {

namespace json = boost::json;

namespace {
json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
}  // namespace

json::object unit_json(const org::Unit& u, int child_count) {
  json::object o;
  o["id"] = u.id;
  o["parent_id"] = opt(u.parent_id);
  o["kind"] = org::to_string(u.kind);
  o["code"] = opt(u.code);
  o["name"] = u.name;
  o["name_en"] = opt(u.name_en);
  o["duties"] = u.duties;
  if (u.boundary_geojson) {
    boost::system::error_code ec;
    auto v = json::parse(*u.boundary_geojson, ec);
    o["boundary"] = ec ? json::value(nullptr) : v;
  } else {
    o["boundary"] = nullptr;
  }
  o["sort_order"] = u.sort_order;
  o["is_demo"] = u.is_demo;
  o["retired"] = u.retired;
  o["version"] = u.version;
  if (child_count >= 0) o["child_count"] = child_count;
  return o;
}

json::object person_json(const org::Person& p) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["phone"] = opt(p.phone);
  o["title"] = opt(p.title);
  o["is_demo"] = p.is_demo;
  o["retired"] = p.retired;
  o["version"] = p.version;
  return o;
}

json::object membership_json(const storage::MembershipView& m) {
  json::object o;
  o["id"] = m.m.id;
  o["person_id"] = m.m.person_id;
  o["person_name"] = m.person_name;
  o["unit_id"] = m.m.unit_id;
  o["unit_name"] = m.unit_name;
  o["post_code"] = m.m.post_code;
  o["post_name"] = m.post_name;
  o["post_name_en"] = m.post_name_en;
  o["is_head"] = m.m.is_head;
  return o;
}

json::object liaison_json(const storage::LiaisonView& l) {
  json::object o;
  o["id"] = l.l.id;
  o["unit_id"] = l.l.unit_id;
  o["unit_name"] = l.unit_name;
  o["leader_id"] = l.l.leader_id;
  o["leader_name"] = l.leader_name;
  return o;
}

json::object post_json(const org::Post& p) {
  json::object o;
  o["code"] = p.code;
  o["name"] = p.name;
  o["name_en"] = p.name_en;
  return o;
}

json::object user_json(const storage::User& u) {
  json::object o;
  o["id"] = u.id;
  o["username"] = u.username;
  o["role"] = access::to_string(u.role);
  o["display_name"] = u.display_name;
  o["unit_id"] = opt(u.unit_id);
  o["person_id"] = opt(u.person_id);
  o["disabled"] = u.disabled;
  o["is_demo"] = u.is_demo;
  o["totp_enabled"] = u.totp_enabled;
  o["version"] = u.version;
  return o;
}

json::object token_json(const storage::ApiToken& t) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["revoked"] = t.revoked;
  o["created_at"] = format_iso_utc(t.created_at);
  return o;
}

json::object event_json(const ledger::Event& e) {
  auto parse_or_null = [](const std::optional<std::string>& text) -> json::value {
    if (!text) return nullptr;
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    return ec ? json::value(*text) : v;
  };
  json::object o;
  o["seq"] = e.seq;
  o["at"] = format_iso_utc(e.at);
  o["actor_user_id"] = opt(e.actor_user_id);
  o["actor_name"] = e.actor_name;
  o["entity_type"] = e.entity_type;
  o["entity_id"] = e.entity_id;
  o["action"] = e.action;
  o["before"] = parse_or_null(e.before);
  o["after"] = parse_or_null(e.after);
  o["note"] = opt(e.note);
  o["hash"] = e.hash;
  return o;
}

std::string to_text(const json::object& o) { return json::serialize(o); }

}  // namespace civicloop::app
