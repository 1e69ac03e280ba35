// /open311/v2: the Open311 GeoReport v2 façade (docs/open311.md), and /api/v1/open311/keys, where
// the HQ administrator issues and revokes the applications' keys. Handlers parse, call one use
// case (app/open311_service.hpp), render. The format comes from the path's suffix (.json, .xml);
// every answer, errors included, is in it: JSON as the specification's top-level arrays, XML as
// its schemaless elements. Errors are the specification's document, a list of {code,
// description}, the description in the asker's language (errors.json, by Accept-Language).
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "api/common.hpp"
#include "api/open311_form.hpp"
#include "app/open311_service.hpp"
#include "domain/open311.hpp"

namespace civicloop::api {

namespace {

using open311::Format;

constexpr const char* kSpecification = "http://wiki.open311.org/GeoReport_v2";

// ---- rendering ---------------------------------------------------------------------------------

// The element name of an array's items in XML (the Spark convention reversed).
std::string_view item_name(std::string_view list) {
  static const std::map<std::string_view, std::string_view> kItems = {
      {"services", "service"},
      {"service_requests", "request"},
      {"errors", "error"},
      {"attributes", "attribute"},
      {"values", "value"},
      {"endpoints", "endpoint"},
      {"formats", "format"},
      {"notes", "note"},
      {"service_request_updates", "request_update"}};
  auto it = kItems.find(list);
  return it == kItems.end() ? std::string_view("item") : it->second;
}

void escape_xml(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

void scalar_xml(const json::value& v, std::string& out) {
  if (v.is_string()) {
    escape_xml(v.as_string(), out);
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_double()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double());
    if (ec == std::errc()) out.append(buf, end);
  } else if (!v.is_null()) {
    out += json::serialize(v);
  }
}

void to_xml(const json::value& v, std::string_view name, std::string& out) {
  out += '<';
  out += name;
  out += '>';
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) to_xml(child, k, out);
  } else if (v.is_array()) {
    const auto item = item_name(name);
    for (const auto& child : v.as_array()) to_xml(child, item, out);
  } else {
    scalar_xml(v, out);
  }
  out += "</";
  out += name;
  out += '>';
}

http::Response render(const json::value& v, std::string_view root, Format f, int status = 200) {
  http::Response r;
  r.status = status;
  if (f == Format::kJson) {
    r.body = json::serialize(v);
  } else {
    r.content_type = "text/xml; charset=utf-8";
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    to_xml(v, root, r.body);
  }
  r.add_header("Access-Control-Allow-Origin", "*");
  return r;
}

// The specification's error document. HTTP status: 404 for what does not exist, 403 for the
// key, 429 past the key's window, 503 when the store is down, 400 for everything else (1.9).
http::Response fail311(const Error& e, const http::Request& req, Format f) {
  int status = http::status_of(e);
  if (status != 404 && status != 403 && status != 429 && status < 500) status = 400;
  json::array errors{
      json::object{{"code", status}, {"description", http::message_of(e, http::language_of(req))}}};
  auto r = render(errors, "errors", f, status);
  if (status == 429) {
    for (const auto& [name, value] : e.details) {
      if (name == "retry_after") r.add_header("Retry-After", value);
    }
  }
  return r;
}

// The format of a path segment, for an error when the suffix is not one we serve: XML (the
// required format) unless the segment asked for JSON.
Format format_hint(std::string_view segment) {
  return segment.ends_with(".json") ? Format::kJson : Format::kXml;
}

json::value opt_time(const std::optional<Millis>& t, int offset) {
  return t ? json::value(open311::format_datetime(*t, offset)) : json::value(nullptr);
}

json::object request_json(const app::Open311Request& q, const app::TenantCaseConfig& cfg,
                          const app::Open311Settings& settings, const std::string& locale,
                          bool extensions) {
  const auto& r = q.record;
  const int off = cfg.calendar.utc_offset_minutes();
  const auto state_word = cfg.word(locale, "state." + std::string(cases::to_string(r.state)));
  const auto notes = q.last_public_note
                         ? cfg.word(locale, "open311.status_notes",
                                    {{"state", state_word}, {"note", *q.last_public_note}})
                         : state_word;
  const std::optional<Millis> expected =
      r.timer && cases::is_open(r.state) ? std::optional<Millis>(r.timer->deadline) : std::nullopt;
  json::object o{
      {"service_request_id", r.id},
      {"status", std::string(open311::status_of(r.state))},
      {"status_notes", notes},
      {"service_name", cfg.category_name(r.category_code, locale)},
      {"service_code", r.category_code},
      {"description", r.description},
      {"agency_responsible", cfg.unit_name(r.assigned_unit_id)},
      {"service_notice", nullptr},
      {"requested_datetime", open311::format_datetime(r.reported_at, off)},
      {"updated_datetime", open311::format_datetime(r.closed_at.value_or(r.updated_at), off)},
      {"expected_datetime", opt_time(expected, off)},
      {"address", r.address},
      {"address_id", nullptr},
      {"zipcode", nullptr},
      {"lat", r.lat ? json::value(*r.lat) : json::value(nullptr)},
      {"long", r.lng ? json::value(*r.lng) : json::value(nullptr)},
      {"media_url", nullptr}};
  if (!extensions) return o;
  json::array attributes;
  if (q.link) {
    boost::system::error_code ec;
    auto given = json::parse(q.link->attributes_json, ec);
    const auto defs = settings.attributes_of(r.category_code, locale);
    if (!ec && given.is_object()) {
      for (const auto& [code, values] : given.as_object()) {
        std::string label;
        for (const auto& d : defs) {
          if (d.code == code) label = d.description;
        }
        attributes.push_back(json::object{{"code", code}, {"name", label}, {"value", values}});
      }
    }
  }
  o["attributes"] = std::move(attributes);
  o["extended_attributes"] =
      json::object{{"case_no", r.case_no},
                   {"title", r.title},
                   {"channel", std::string(cases::to_string(r.source))},
                   {"open311", q.link.has_value()},
                   {"state", std::string(cases::to_string(r.state))},
                   {"extended_status", std::string(open311::extended_status_of(r.state))},
                   {"subdistrict", cfg.unit_name(r.subdistrict_id)},
                   {"community", cfg.unit_name(r.community_id)},
                   {"grid", cfg.unit_name(r.grid_id)},
                   {"overdue", r.overdue},
                   {"escalation_level", r.escalation_level},
                   {"duplicate", r.state == cases::State::kDuplicate},
                   {"parent_service_request_id",
                    r.duplicate_of ? json::value(*r.duplicate_of) : json::value(nullptr)}};
  json::array notes_out;
  for (const auto& n : q.notes) {
    notes_out.push_back(json::object{{"datetime", open311::format_datetime(n.at, off)},
                                     {"type", n.type},
                                     {"summary", cfg.word(locale, "open311.note." + n.type)},
                                     {"description", n.description}});
  }
  o["notes"] = std::move(notes_out);
  return o;
}

// ---- reading parameters ------------------------------------------------------------------------

// A parameter: empty is absent (1.1).
std::optional<std::string> param(const std::multimap<std::string, std::string>& p,
                                 std::string_view name) {
  auto it = p.find(std::string(name));
  if (it == p.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Expected<std::optional<Millis>> date_param(const http::Request& req, std::string_view name) {
  auto v = param(req.query, name);
  if (!v) return std::optional<Millis>{};
  auto t = open311::parse_datetime(*v);
  if (!t) return make_error("open311.bad_date", std::string(name));
  return std::optional<Millis>(*t);
}

Expected<std::optional<double>> number_param(const std::multimap<std::string, std::string>& p,
                                             std::string_view name) {
  auto v = param(p, name);
  if (!v) return std::optional<double>{};
  double d = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(d)) {
    return make_error("open311.bad_parameter", std::string(name));
  }
  return std::optional<double>(d);
}

Expected<std::optional<int>> int_param(const http::Request& req, std::string_view name, int min,
                                       int max) {
  auto v = param(req.query, name);
  if (!v) return std::optional<int>{};
  int n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    return make_error("open311.bad_parameter", std::string(name));
  }
  return std::optional<int>(n);
}

std::vector<std::string> comma_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    auto j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    auto part = s.substr(i, j - i);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    i = j + 1;
  }
  return out;
}

Expected<app::Open311Filter> requests_filter(const http::Request& req) {
  app::Open311Filter f;
  f.jurisdiction_id = param(req.query, "jurisdiction_id");
  if (auto ids = param(req.query, "service_request_id")) {
    for (const auto& s : comma_list(*ids)) {
      std::int64_t id = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
      if (ec != std::errc() || end != s.data() + s.size() || id <= 0 ||
          f.ids.size() >= static_cast<std::size_t>(open311::kMaxRequests)) {
        return make_error("open311.bad_parameter", "service_request_id");
      }
      f.ids.push_back(id);
    }
  }
  if (auto codes = param(req.query, "service_code")) {
    f.service_codes = comma_list(*codes);
    if (f.service_codes.size() > 100) return make_error("open311.bad_parameter", "service_code");
  }
  if (auto st = param(req.query, "status")) {
    for (const auto& s : comma_list(*st)) {
      if (s != "open" && s != "closed") return make_error("open311.bad_parameter", "status");
      f.statuses.push_back(s);
    }
  }
  for (auto [name, out] : {std::pair{"start_date", &f.start}, std::pair{"end_date", &f.end},
                           std::pair{"updated_after", &f.updated_after},
                           std::pair{"updated_before", &f.updated_before}}) {
    auto d = date_param(req, name);
    if (!d) return d.error();
    *out = *d;
  }
  if (auto e = param(req.query, "extensions")) {
    if (*e != "true" && *e != "false") return make_error("open311.bad_parameter", "extensions");
    f.extensions = *e == "true";
  }
  auto page = int_param(req, "page", 1, 100000);
  if (!page) return page.error();
  f.page = page->value_or(1);
  auto size = int_param(req, "page_size", 1, open311::kMaxRequests);
  if (!size) return size.error();
  f.page_size = *size;
  return f;
}

// attribute[CODE]=v and attribute[CODE][]=v (checklist item 8).
open311::Answers answers_of(const std::multimap<std::string, std::string>& fields) {
  open311::Answers out;
  for (const auto& [name, value] : fields) {
    if (!name.starts_with("attribute[")) continue;
    auto close = name.find(']');
    if (close == std::string::npos) continue;
    const auto code = name.substr(10, close - 10);
    const auto rest = name.substr(close + 1);
    if (code.empty() || (!rest.empty() && rest != "[]")) {
      out[name].push_back(value);  // an answer to no attribute: refused by the use case
      continue;
    }
    out[code].push_back(value);
  }
  return out;
}

struct Open311Api {
  Api& api;
  app::Open311Service svc;
  explicit Open311Api(Api& a) : api(a), svc(a.ctx, a.case_config, a.evidence) {}

  std::string base_url(const http::Request& req) const {
    const auto host = req.header("host").value_or("127.0.0.1");
    return std::string(api.options.secure_cookies ? "https://" : "http://") + host + "/open311/v2";
  }
};

json::object key_json(const storage::Open311Key& k) {
  auto t = [](const std::optional<Millis>& m) {
    return m ? json::value(format_iso_utc(*m)) : json::value(nullptr);
  };
  return json::object{{"id", k.id},
                      {"name", k.name},
                      {"contact", k.contact},
                      {"key_prefix", k.key_prefix},
                      {"rate_per_minute", k.rate_per_minute},
                      {"created_at", format_iso_utc(k.created_at)},
                      {"revoked_at", t(k.revoked_at)},
                      {"active", !k.revoked_at.has_value()}};
}

}  // namespace

void add_open311_routes(Api& api) {
  auto o = std::make_shared<Open311Api>(api);
  auto& r = api.router;

  // ---- GET /open311/v2/{discovery|services|requests|servicerequestupdates}.{json|xml} ----
  r.add("GET", "/open311/v2/{resource}", [o](http::Request& req) -> http::Response {
    const auto segment = req.path_params["resource"];
    auto res = open311::parse_resource(segment);
    if (!res) return fail311(res.error(), req, format_hint(segment));
    const auto f = res->format;
    const auto locale = locale_of(req);
    auto tenant = o->svc.tenant_for(param(req.query, "jurisdiction_id"));
    if (res->name == "discovery") {
      if (!tenant) return fail311(tenant.error(), req, f);
      auto s = o->svc.settings(*tenant);
      if (!s) return fail311(s.error(), req, f);
      json::object d{{"changeset", (*s)->changeset},
                     {"contact", (*s)->text((*s)->contact, locale)},
                     {"key_service", (*s)->text((*s)->key_service, locale)},
                     {"endpoints", json::array{json::object{
                                       {"specification", kSpecification},
                                       {"url", o->base_url(req)},
                                       {"changeset", (*s)->changeset},
                                       {"type", (*s)->endpoint_type},
                                       {"formats", json::array{"text/xml", "application/json"}}}}}};
      return render(d, "discovery", f);
    }
    if (res->name == "services") {
      if (!tenant) return fail311(tenant.error(), req, f);
      auto cat = o->svc.catalog(*tenant, locale);
      if (!cat) return fail311(cat.error(), req, f);
      json::array out;
      for (const auto& s : cat->services) {
        out.push_back(json::object{{"service_code", s.code},
                                   {"service_name", s.name},
                                   {"description", s.description},
                                   {"metadata", s.metadata},
                                   {"type", cat->settings->batch ? "batch" : "realtime"},
                                   {"keywords", s.keywords},
                                   {"group", s.group}});
      }
      return render(out, "services", f);
    }
    if (res->name == "requests") {
      auto filter = requests_filter(req);
      if (!filter) return fail311(filter.error(), req, f);
      if (!tenant) return fail311(tenant.error(), req, f);
      auto page = o->svc.requests(*tenant, *filter);
      if (!page) return fail311(page.error(), req, f);
      json::array out;
      out.reserve(page->items.size());
      for (const auto& q : page->items) {
        out.push_back(request_json(q, *page->config, *page->settings, locale, filter->extensions));
      }
      return render(out, "service_requests", f);
    }
    if (res->name == "servicerequestupdates") {
      auto start = date_param(req, "start_date");
      if (!start) return fail311(start.error(), req, f);
      auto end = date_param(req, "end_date");
      if (!end) return fail311(end.error(), req, f);
      if (!tenant) return fail311(tenant.error(), req, f);
      auto ups = o->svc.updates(*tenant, *start, *end);
      if (!ups) return fail311(ups.error(), req, f);
      auto cfg = o->api.case_config.get(*tenant);
      if (!cfg) return fail311(cfg.error(), req, f);
      const int off = (*cfg)->calendar.utc_offset_minutes();
      json::array out;
      for (const auto& u : *ups) {
        std::string status(open311::extended_status_of(u.state));
        for (auto& c : status) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.push_back(json::object{
            {"update_id", std::to_string(u.update_id)},
            {"service_request_id", u.case_id},
            {"status", status},
            {"updated_datetime", open311::format_datetime(u.at, off)},
            {"description",
             u.note.empty() ? (*cfg)->word(locale, "open311.note." + u.action) : u.note},
            {"media_url", ""},
            {"external_status_code", u.action}});
      }
      return render(out, "service_request_updates", f);
    }
    return fail311(make_error("open311.unknown_resource", res->name.substr(0, 40)), req, f);
  });

  // ---- POST /open311/v2/requests.{json|xml} ----
  r.add("POST", "/open311/v2/{resource}", [o](http::Request& req) -> http::Response {
    const auto segment = req.path_params["resource"];
    auto res = open311::parse_resource(segment);
    if (!res) return fail311(res.error(), req, format_hint(segment));
    const auto f = res->format;
    if (res->name != "requests") {
      return fail311(make_error("open311.unknown_resource", res->name.substr(0, 40)), req, f);
    }
    const auto type = req.header("content-type").value_or("");
    std::optional<Open311Form> form;
    if (type.rfind("multipart/form-data", 0) == 0) {
      form = parse_multipart(req.body, type);
    } else {
      form = parse_urlencoded(req.body);
    }
    if (!form) return fail311(make_error("open311.bad_body"), req, f);
    auto& fields = form->fields;
    for (const auto& [k, v] : req.query) fields.emplace(k, v);  // some clients send the key there
    app::Open311Submission in;
    in.api_key = param(fields, "api_key").value_or("");
    in.jurisdiction_id = param(fields, "jurisdiction_id");
    in.service_code = param(fields, "service_code").value_or("");
    auto lat = number_param(fields, "lat");
    if (!lat) return fail311(lat.error(), req, f);
    auto lng = number_param(fields, "long");
    if (!lng) return fail311(lng.error(), req, f);
    in.lat = *lat;
    in.lng = *lng;
    in.address_string = param(fields, "address_string").value_or("");
    in.address_id = param(fields, "address_id").value_or("");
    in.description = param(fields, "description").value_or("");
    in.answers = answers_of(fields);
    in.media = std::move(form->files);
    auto out = o->svc.submit(in);
    if (!out) return fail311(out.error(), req, f);
    auto cfg = o->api.case_config.get(out->tenant_id);
    const auto notice =
        cfg ? (*cfg)->word(locale_of(req), "open311.service_notice") : std::string();
    json::object item;
    if (out->batch) {
      item["token"] = out->token;
    } else {
      item["service_request_id"] = out->case_id;
    }
    item["service_notice"] = notice;
    item["account_id"] = nullptr;
    return render(json::array{item}, "service_requests", f, 201);
  });

  // ---- GET /open311/v2/services/{code}.{fmt}: a service definition ----
  r.add("GET", "/open311/v2/services/{code}", [o](http::Request& req) -> http::Response {
    const auto segment = req.path_params["code"];
    auto res = open311::parse_resource(segment);
    if (!res) return fail311(res.error(), req, format_hint(segment));
    const auto f = res->format;
    auto tenant = o->svc.tenant_for(param(req.query, "jurisdiction_id"));
    if (!tenant) return fail311(tenant.error(), req, f);
    const auto locale = locale_of(req);
    auto cat = o->svc.catalog(*tenant, locale);
    if (!cat) return fail311(cat.error(), req, f);
    bool known = false;
    for (const auto& s : cat->services) known = known || s.code == res->name;
    if (!known) return fail311(make_error("open311.service_not_found", "service_code"), req, f);
    json::array attributes;
    for (const auto& a : cat->settings->attributes_of(res->name, locale)) {
      json::array values;
      for (const auto& v : a.values)
        values.push_back(json::object{{"key", v.key}, {"name", v.name}});
      attributes.push_back(json::object{{"variable", a.variable},
                                        {"code", a.code},
                                        {"datatype", std::string(open311::to_string(a.datatype))},
                                        {"required", a.required},
                                        {"datatype_description", a.datatype_description},
                                        {"order", a.order},
                                        {"description", a.description},
                                        {"values", std::move(values)}});
    }
    return render(json::object{{"service_code", res->name}, {"attributes", std::move(attributes)}},
                  "service_definition", f);
  });

  // ---- GET /open311/v2/requests/{id}.{fmt} ----
  r.add("GET", "/open311/v2/requests/{id}", [o](http::Request& req) -> http::Response {
    const auto segment = req.path_params["id"];
    auto res = open311::parse_resource(segment);
    if (!res) return fail311(res.error(), req, format_hint(segment));
    const auto f = res->format;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(res->name.data(), res->name.data() + res->name.size(), id);
    if (ec != std::errc() || end != res->name.data() + res->name.size() || id <= 0) {
      return fail311(make_error("open311.request_not_found"), req, f);
    }
    auto tenant = o->svc.tenant_for(param(req.query, "jurisdiction_id"));
    if (!tenant) return fail311(tenant.error(), req, f);
    app::Open311Filter filter;
    filter.ids = {id};
    if (auto e = param(req.query, "extensions"); e && *e == "true") filter.extensions = true;
    auto page = o->svc.requests(*tenant, filter);
    if (!page) return fail311(page.error(), req, f);
    if (page->items.empty()) return fail311(make_error("open311.request_not_found"), req, f);
    json::array out{request_json(page->items.front(), *page->config, *page->settings,
                                 locale_of(req), filter.extensions)};
    return render(out, "service_requests", f);
  });

  // ---- GET /open311/v2/tokens/{token}.{fmt} ----
  r.add("GET", "/open311/v2/tokens/{token}", [o](http::Request& req) -> http::Response {
    const auto segment = req.path_params["token"];
    auto res = open311::parse_resource(segment);
    if (!res) return fail311(res.error(), req, format_hint(segment));
    const auto f = res->format;
    auto tenant = o->svc.tenant_for(param(req.query, "jurisdiction_id"));
    if (!tenant) return fail311(tenant.error(), req, f);
    auto id = o->svc.resolve_token(*tenant, res->name);
    if (!id) return fail311(id.error(), req, f);
    return render(json::array{json::object{{"service_request_id", *id}, {"token", res->name}}},
                  "service_requests", f);
  });

  // ---- the HQ administrator's keys ----
  r.add("GET", "/api/v1/open311/keys",
        authed(api, [o](http::Request& req, const app::Principal& who) {
          auto keys = o->svc.keys(who.actor);
          if (!keys) return fail(keys.error(), req);
          json::array items;
          for (const auto& k : *keys) items.push_back(key_json(k));
          return json_response(json::object{{"items", std::move(items)}});
        }));
  r.add("POST", "/api/v1/open311/keys",
        authed(api, [o](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          const auto name = body->req_str("name");
          const auto contact = body->str("contact").value_or("");
          const auto rate = body->int32("rate_per_minute");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto out = o->svc.issue_key(who.actor, name, contact, rate);
          if (!out) return fail(out.error(), req);
          auto k = key_json(out->key);
          k["api_key"] = out->secret;  // shown once; only its hash is kept
          return json_response(json::object{{"key", std::move(k)}}, 201);
        }));
  r.add("POST", "/api/v1/open311/keys/{id}/revoke",
        authed(api, [o](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto out = o->svc.revoke_key(who.actor, *id);
          if (!out) return fail(out.error(), req);
          return json_response(json::object{{"key", key_json(*out)}});
        }));
}

}  // namespace civicloop::api
