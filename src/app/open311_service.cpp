#include "app/open311_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "app/auth_service.hpp"
#include "app/case_service.hpp"
#include "domain/text.hpp"
#include "storage/case_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"
#include "storage/throttle_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {

// The preset file (spelt in two pieces so that the message-key check does not read it as a key).
constexpr const char* kFile =
    "open311"
    ".json";

Error bad(std::string field) {
  return make_error("preset.invalid_field", std::move(field)).with("file", kFile);
}

// {"zh-CN": "...", "en": "..."} or a plain string (the same in every locale).
bool read_words(const json::value* v, std::map<std::string, std::string>& out) {
  if (v == nullptr) return true;
  if (v->is_string()) {
    out["zh-CN"] = std::string(v->as_string());
    return true;
  }
  if (!v->is_object()) return false;
  for (const auto& [k, t] : v->as_object()) {
    if (!t.is_string()) return false;
    out[std::string(k)] = std::string(t.as_string());
  }
  return true;
}

std::string pick(const std::map<std::string, std::string>& by_locale, std::string_view locale) {
  if (auto it = by_locale.find(std::string(locale)); it != by_locale.end()) return it->second;
  if (auto it = by_locale.find("zh-CN"); it != by_locale.end()) return it->second;
  return by_locale.empty() ? std::string() : by_locale.begin()->second;
}

std::string words_of(const json::object& o, std::string_view key, std::string_view locale) {
  std::map<std::string, std::string> m;
  read_words(o.if_contains(key), m);
  return pick(m, locale);
}

// The attributes of one service in a locale; nullopt when the document is malformed.
std::optional<std::vector<open311::Attribute>> read_attributes(const json::value& list,
                                                               std::string_view locale) {
  if (!list.is_array()) return std::nullopt;
  std::vector<open311::Attribute> out;
  for (const auto& av : list.as_array()) {
    if (!av.is_object()) return std::nullopt;
    const auto& o = av.as_object();
    open311::Attribute a;
    const auto* code = o.if_contains("code");
    const auto* dt = o.if_contains("datatype");
    if (code == nullptr || !code->is_string() || dt == nullptr || !dt->is_string()) {
      return std::nullopt;
    }
    a.code = std::string(code->as_string());
    auto d = open311::parse_datatype(dt->as_string());
    if (!d) return std::nullopt;
    a.datatype = *d;
    if (const auto* v = o.if_contains("required")) {
      if (!v->is_bool()) return std::nullopt;
      a.required = v->as_bool();
    }
    if (const auto* v = o.if_contains("variable")) {
      if (!v->is_bool()) return std::nullopt;
      a.variable = v->as_bool();
    }
    if (const auto* v = o.if_contains("order")) {
      if (!v->is_int64()) return std::nullopt;
      a.order = static_cast<int>(v->as_int64());
    }
    std::map<std::string, std::string> tmp;
    if (!read_words(o.if_contains("description"), tmp)) return std::nullopt;
    a.description = pick(tmp, locale);
    tmp.clear();
    if (!read_words(o.if_contains("datatype_description"), tmp)) return std::nullopt;
    a.datatype_description = pick(tmp, locale);
    if (const auto* vs = o.if_contains("values")) {
      if (!vs->is_array()) return std::nullopt;
      for (const auto& vv : vs->as_array()) {
        if (!vv.is_object()) return std::nullopt;
        const auto* key = vv.as_object().if_contains("key");
        if (key == nullptr || !key->is_string()) return std::nullopt;
        tmp.clear();
        if (!read_words(vv.as_object().if_contains("name"), tmp)) return std::nullopt;
        a.values.push_back({std::string(key->as_string()), pick(tmp, locale)});
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    part = text::trim(part);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

access::Actor open311_actor(std::int64_t tenant_id, const storage::Open311Key& key) {
  access::Actor a;
  a.tenant_id = tenant_id;
  a.user_id = 0;
  a.username = "open311:" + std::to_string(key.id);
  a.display_name = key.name;  // the application, never the person who used it
  a.role = access::Role::kCitizen;
  return a;
}

// The case actions whose steps a request's history shows (the reporter's view of the loop).
const std::vector<std::string>& history_actions() {
  static const std::vector<std::string> kActions = {
      "report",  "file",   "void",  "mark_duplicate", "dispatch", "acknowledge", "return",
      "rectify", "verify", "close", "park",           "unpark",   "fix_on_site"};
  return kActions;
}

std::optional<cases::State> state_in(const std::optional<std::string>& after_json) {
  if (!after_json) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(*after_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* s = v.as_object().if_contains("state");
  if (s == nullptr || !s->is_string()) return std::nullopt;
  return cases::parse_state(s->as_string());
}

}  // namespace

std::vector<open311::Attribute> Open311Settings::attributes_of(std::string_view service_code,
                                                               std::string_view locale) const {
  if (!attributes.is_object()) return {};
  const auto* list = attributes.as_object().if_contains(service_code);
  if (list == nullptr) return {};
  auto a = read_attributes(*list, locale);
  if (!a) return {};
  std::sort(a->begin(), a->end(), [](const auto& x, const auto& y) { return x.order < y.order; });
  return std::move(*a);
}

std::string Open311Settings::text(const std::map<std::string, std::string>& by_locale,
                                  std::string_view locale) const {
  return pick(by_locale, locale);
}

Expected<Open311Settings> parse_open311_settings(const json::value& docv) {
  if (!docv.is_object()) return bad("format");
  const auto& d = docv.as_object();
  const auto* format = d.if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != "civicloop-open311/1") {
    return bad("format");
  }
  Open311Settings s;
  auto str = [&](const char* key, std::string& out) -> Status {
    const auto* v = d.if_contains(key);
    if (v == nullptr) return Ok{};
    if (!v->is_string()) return bad(key);
    out = std::string(v->as_string());
    return Ok{};
  };
  if (auto st = str("jurisdiction_id", s.jurisdiction_id); !st) return st.error();
  if (s.jurisdiction_id.empty() || s.jurisdiction_id.size() > 100) return bad("jurisdiction_id");
  if (auto st = str("source", s.source); !st) return st.error();
  auto src = cases::parse_source(s.source);
  if (!src || !cases::may_record_source(access::Role::kCitizen, *src)) return bad("source");
  std::string type = "batch";
  if (auto st = str("service_type", type); !st) return st.error();
  if (type != "batch" && type != "realtime") return bad("service_type");
  s.batch = type == "batch";
  if (auto st = str("endpoint_type", s.endpoint_type); !st) return st.error();
  if (s.endpoint_type != "production" && s.endpoint_type != "test") return bad("endpoint_type");
  if (auto st = str("changeset", s.changeset); !st) return st.error();
  if (!s.changeset.empty() && !open311::parse_datetime(s.changeset)) return bad("changeset");
  if (!read_words(d.if_contains("contact"), s.contact)) return bad("contact");
  if (!read_words(d.if_contains("key_service"), s.key_service)) return bad("key_service");
  for (auto [key, out, max] : {std::tuple{"rate_per_minute", &s.rate_per_minute, 1000000},
                               std::tuple{"max_media", &s.max_media, 10}}) {
    const auto* v = d.if_contains(key);
    if (v == nullptr) continue;
    if (!v->is_int64() || v->as_int64() < 0 || v->as_int64() > max) return bad(key);
    *out = static_cast<int>(v->as_int64());
  }
  if (const auto* v = d.if_contains("public_note_actions")) {
    if (!v->is_array()) return bad("public_note_actions");
    for (const auto& a : v->as_array()) {
      if (!a.is_string() || !cases::parse_action(a.as_string())) return bad("public_note_actions");
      s.public_note_actions.emplace_back(a.as_string());
    }
  }
  if (const auto* v = d.if_contains("attributes")) {
    if (!v->is_object()) return bad("attributes");
    for (const auto& [code, list] : v->as_object()) {
      const auto field = "attributes." + std::string(code);
      for (const char* locale : {"zh-CN", "en"}) {
        auto a = read_attributes(list, locale);
        if (!a) return bad(field);
        if (auto st = open311::check_definition(*a); !st) return bad(field);
      }
    }
    s.attributes = *v;
  }
  return s;
}

Status load_open311_preset(storage::Connection& c, std::int64_t tenant_id,
                           const std::filesystem::path& dir, Millis now) {
  const auto path = dir / kFile;
  if (!std::filesystem::exists(path)) return Ok{};
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(buf.str(), ec);
  if (ec) return bad("format");
  auto s = parse_open311_settings(doc);
  if (!s) return s.error();
  storage::Open311Repo(c, tenant_id).save_settings(s->jurisdiction_id, json::serialize(doc), now);
  return Ok{};
}

Expected<std::int64_t> Open311Service::tenant_for(const std::optional<std::string>& jid) {
  return in_tx<std::int64_t>(ctx_.db, false, [&](storage::Connection& c) -> Expected<std::int64_t> {
    if (jid && !jid->empty()) {
      auto t = storage::Open311Repo::tenant_of_jurisdiction(c, *jid);
      if (!t) return make_error("open311.jurisdiction_not_found", "jurisdiction_id");
      return *t;
    }
    auto all = storage::Open311Repo::tenants(c);
    if (all.empty()) return make_error("open311.jurisdiction_not_found", "jurisdiction_id");
    if (all.size() > 1) return make_error("open311.jurisdiction_required", "jurisdiction_id");
    return all.front();
  });
}

Expected<std::shared_ptr<const Open311Settings>> Open311Service::settings(std::int64_t tenant_id) {
  const Millis now = ctx_.clock.now();
  const auto gen = config_generation();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(tenant_id);
    if (it != cache_.end() && it->second.generation == gen && now - it->second.loaded_at < 60'000 &&
        now >= it->second.loaded_at) {
      return it->second.settings;
    }
  }
  auto doc =
      in_tx<std::string>(ctx_.db, false, [&](storage::Connection& c) -> Expected<std::string> {
        auto d = storage::Open311Repo(c, tenant_id).settings_doc();
        if (!d) return make_error("open311.jurisdiction_not_found", "jurisdiction_id");
        return *d;
      });
  if (!doc) return doc.error();
  boost::system::error_code ec;
  auto v = json::parse(*doc, ec);
  if (ec) return bad("format");
  auto s = parse_open311_settings(v);
  if (!s) return s.error();
  auto ptr = std::make_shared<const Open311Settings>(std::move(*s));
  std::lock_guard lock(mu_);
  cache_[tenant_id] = Cached{ptr, gen, now};
  return ptr;
}

Expected<Open311Catalog> Open311Service::catalog(std::int64_t tenant_id, std::string_view locale) {
  auto s = settings(tenant_id);
  if (!s) return s.error();
  auto cfg = config_.get(tenant_id);
  if (!cfg) return cfg.error();
  Open311Catalog out;
  out.settings = *s;
  out.config = *cfg;
  std::vector<const storage::Category*> minors;
  for (const auto& [code, cat] : (*cfg)->categories) {
    if (cat.parent_code && cat.active) minors.push_back(&cat);
  }
  std::sort(minors.begin(), minors.end(), [](const auto* a, const auto* b) {
    return std::tie(a->sort_order, a->code) < std::tie(b->sort_order, b->code);
  });
  for (const auto* cat : minors) {
    Open311ServiceType t;
    t.code = cat->code;
    t.name = (*cfg)->category_name(cat->code, locale);
    t.description = cat->filing_condition;
    t.group = (*cfg)->category_name(*cat->parent_code, locale);
    for (const auto& k : split_list([&] {
           std::string k = cat->keywords;
           std::replace(k.begin(), k.end(), ' ', ',');
           return k;
         }())) {
      t.keywords += (t.keywords.empty() ? "" : ",") + k;
    }
    t.metadata = !(*s)->attributes_of(cat->code, locale).empty();
    out.services.push_back(std::move(t));
  }
  return out;
}

Expected<Open311Submitted> Open311Service::submit(const Open311Submission& in) {
  // 1. The key: "<tenant>.<secret>"; 403 without one or with one we did not issue or revoked.
  if (in.api_key.empty()) return make_error("open311.api_key_required", "api_key");
  const auto dot = in.api_key.find('.');
  std::int64_t tenant_id = 0;
  try {
    if (dot == std::string::npos || dot == 0 || dot > 18) throw std::invalid_argument("key");
    std::size_t used = 0;
    tenant_id = std::stoll(in.api_key.substr(0, dot), &used);
    if (used != dot || tenant_id <= 0) throw std::invalid_argument("key");
  } catch (...) {
    return make_error("open311.api_key_invalid", "api_key");
  }
  if (in.api_key.size() > 200) return make_error("open311.api_key_invalid", "api_key");
  const auto hash = sha256_hex(in.api_key.substr(dot + 1));
  auto key = in_tx<storage::Open311Key>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<storage::Open311Key> {
        auto k = storage::Open311Repo(c, tenant_id).find_key_by_hash(hash);
        if (!k || k->revoked_at) return make_error("open311.api_key_invalid", "api_key");
        if (in.jurisdiction_id && !in.jurisdiction_id->empty() &&
            storage::Open311Repo::tenant_of_jurisdiction(c, *in.jurisdiction_id) != tenant_id) {
          return make_error("open311.jurisdiction_not_found", "jurisdiction_id");
        }
        return *k;
      });
  if (!key) return key.error();
  auto s = settings(tenant_id);
  if (!s) return s.error();
  const auto& set = **s;
  // 2. The key's window (the throttle module's counter, shared by every server).
  const Millis now = ctx_.clock.now();
  auto admitted = in_write<Millis>(ctx_.db, [&](storage::Connection& c) -> Expected<Millis> {
    storage::ThrottleRepo t(c);
    const auto name = "open311:" + std::to_string(key->id);
    auto counter = t.find(tenant_id, name).value_or(throttle::Counter{});
    const bool ok = open311::admit(counter, now, key->rate_per_minute);
    t.save(tenant_id, name, true, counter);
    return ok ? Millis{0} : counter.blocked_until;
  });
  if (!admitted) return admitted.error();
  if (*admitted != 0) {
    return make_error("open311.rate_limited", "api_key")
        .with("retry_after", std::to_string(std::max<Millis>(1, (*admitted - now + 999) / 1000)));
  }
  // 3. The service and its attributes (404 for a code we do not have, 400 for none).
  if (in.service_code.empty()) return make_error("open311.service_code_required", "service_code");
  auto cfg = config_.get(tenant_id);
  if (!cfg) return cfg.error();
  const auto* cat = (*cfg)->category(in.service_code);
  if (cat == nullptr || !cat->parent_code || !cat->active) {
    return make_error("open311.service_not_found", "service_code");
  }
  if (auto st = open311::check_answers(set.attributes_of(cat->code, "zh-CN"), in.answers); !st) {
    return st.error();
  }
  // 4. A location: lat and long together, or an address.
  if (in.lat.has_value() != in.lng.has_value()) return make_error("case.bad_location", "lat");
  std::string address = text::trim(in.address_string);
  if (address.empty()) address = text::trim(in.address_id);
  if (!in.lat && address.empty()) return make_error("open311.location_required", "lat");
  // 5. Photos: how many, then each through the checks of every photo (size, real image); a
  // stored file no row names is removed by the orphan sweep if the report is then refused.
  if (in.media.size() > static_cast<std::size_t>(set.max_media)) {
    return make_error("open311.too_many_media", "media").with("max", std::to_string(set.max_media));
  }
  const auto actor = open311_actor(tenant_id, *key);
  std::vector<StoredPhoto> photos;
  for (const auto& bytes : in.media) {
    auto p = evidence_.store_photo(actor, bytes, (*cfg)->calendar.utc_offset_minutes());
    if (!p) {
      Error e = p.error();
      e.field = "media";
      return e;
    }
    photos.push_back(std::move(*p));
  }
  json::object answers;
  for (const auto& [code, values] : in.answers) {
    json::array a;
    for (const auto& v : values) {
      if (!v.empty()) a.emplace_back(v);
    }
    if (!a.empty()) answers[code] = std::move(a);
  }
  // 6. The same intake as every report: placement (outside the district is refused), routing,
  // duplicates, the ledger; the link, the photos and their events in the same write.
  Open311Submitted out;
  out.tenant_id = tenant_id;
  out.batch = set.batch;
  out.token = random_token().substr(0, 32);
  NewCase nc;
  nc.category = cat->code;
  nc.description = in.description;
  nc.address = address;
  nc.lat = in.lat;
  nc.lng = in.lng;
  nc.source = set.source;
  nc.also = [&](storage::Connection& c, const cases::Record& r) -> Status {
    storage::Open311Link link{
        r.id, out.token, key->id, json::serialize(answers), static_cast<int>(photos.size()), now};
    storage::Open311Repo(c, tenant_id).insert_link(link);
    auto ev = make_event(actor, now, "open311_request", r.id, "submit", std::nullopt,
                         json::serialize(json::object{{"case_id", r.id},
                                                      {"key_id", key->id},
                                                      {"token", out.token},
                                                      {"attributes", answers},
                                                      {"media", photos.size()}}));
    storage::LedgerRepo ledger(c, tenant_id);
    ledger.append(ev);
    storage::CaseRepo repo(c, tenant_id);
    for (const auto& p : photos) {
      storage::Attachment a;
      a.id = storage::next_id(c, tenant_id, "attachments");
      a.case_id = r.id;
      a.stage = "before";
      a.content_type = p.content_type;
      a.size = p.size;
      a.sha256 = p.sha256;
      a.width = p.width;
      a.height = p.height;
      a.lat = p.lat;
      a.lng = p.lng;
      a.taken_at = p.taken_at;
      if (!a.lat) a.flags = "no_gps";
      if (!a.taken_at) a.flags += std::string(a.flags.empty() ? "" : ",") + "no_time";
      a.uploaded_at = now;
      repo.insert_attachment(a);
      auto aev = make_event(actor, now, "case", r.id, "attach", std::nullopt,
                            "{\"attachment\":" + std::to_string(a.id) +
                                ",\"stage\":\"before\",\"sha256\":\"" + p.sha256 + "\"}");
      ledger.append(aev);
    }
    return Ok{};
  };
  CaseService cases(ctx_, config_);
  auto res = cases.report(actor, nc);
  if (!res) return res.error();
  out.case_id = res->record.id;
  return out;
}

Expected<std::int64_t> Open311Service::resolve_token(std::int64_t tenant_id,
                                                     const std::string& token) {
  return in_tx<std::int64_t>(ctx_.db, false, [&](storage::Connection& c) -> Expected<std::int64_t> {
    if (token.empty() || token.size() > 64) return make_error("open311.token_not_found", "token");
    auto l = storage::Open311Repo(c, tenant_id).find_link_by_token(token);
    if (!l) return make_error("open311.token_not_found", "token");
    return l->case_id;
  });
}

Expected<Open311RequestPage> Open311Service::requests(std::int64_t tenant_id,
                                                      const Open311Filter& f) {
  auto s = settings(tenant_id);
  if (!s) return s.error();
  auto cfg = config_.get(tenant_id);
  if (!cfg) return cfg.error();
  storage::Open311Query q;
  q.ids = f.ids;
  if (q.ids.empty()) {
    for (const auto& code : f.service_codes) {
      const auto* cat = (*cfg)->category(code);
      if (cat == nullptr || !cat->parent_code) {
        return make_error("open311.service_not_found", "service_code");
      }
      q.categories.push_back(code);
    }
    std::set<std::string> statuses(f.statuses.begin(), f.statuses.end());
    if (statuses.size() == 1) {
      const bool open = *statuses.begin() == "open";
      for (auto st : {cases::State::kReported, cases::State::kFiled, cases::State::kDispatched,
                      cases::State::kAcknowledged, cases::State::kRectified,
                      cases::State::kVerified, cases::State::kClosed, cases::State::kVoided,
                      cases::State::kDuplicate, cases::State::kParked}) {
        if (cases::is_open(st) == open) q.states.emplace_back(cases::to_string(st));
      }
    }
    // The window on requested_datetime: the last 90 days by default, never longer (1.7).
    const bool updated = f.updated_after || f.updated_before;
    if (f.start || f.end || !updated) {
      const Millis end =
          f.end.value_or(f.start ? *f.start + open311::kMaxWindow : ctx_.clock.now() + 1);
      const Millis start = f.start.value_or(end - open311::kMaxWindow);
      if (end < start) return make_error("open311.bad_date_range", "end_date");
      if (end - start > open311::kMaxWindow) {
        return make_error("open311.bad_date_range", "end_date").with("max_days", "90");
      }
      q.reported_from = start;
      q.reported_to = end + (f.end ? 1 : 0);
    }
    if (f.updated_after) q.updated_from = *f.updated_after + 1;  // strictly after
    if (f.updated_before) q.updated_to = *f.updated_before;
    const int size = f.page_size.value_or(open311::kMaxRequests);
    q.limit = size;
    q.offset = (f.page - 1) * size;
  }
  return in_tx<Open311RequestPage>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<Open311RequestPage> {
        storage::Open311Repo repo(c, tenant_id);
        Open311RequestPage out;
        out.config = *cfg;
        out.settings = *s;
        auto ids = repo.request_ids(q);
        if (ids.empty()) return out;
        auto records = storage::CaseRepo(c, tenant_id).find_many(ids);
        std::map<std::int64_t, cases::Record> by_id;
        for (auto& r : records) by_id.emplace(r.id, std::move(r));
        auto links = repo.links_of(ids);
        const auto& note_actions = (*s)->public_note_actions;
        std::map<std::int64_t, std::vector<Open311Note>> notes;
        std::map<std::int64_t, std::string> last_note;
        if (f.extensions) {
          for (const auto& e : repo.events_of(ids, history_actions())) {
            const bool public_note =
                std::find(note_actions.begin(), note_actions.end(), e.action) != note_actions.end();
            notes[e.case_id].push_back({e.at, e.action, public_note ? e.note.value_or("") : ""});
            if (public_note && e.note && !e.note->empty()) last_note[e.case_id] = *e.note;
          }
        } else {
          for (const auto& e : repo.events_of(ids, note_actions)) {
            if (e.note && !e.note->empty()) last_note[e.case_id] = *e.note;
          }
        }
        for (auto id : ids) {  // newest first, as selected
          auto it = by_id.find(id);
          if (it == by_id.end()) continue;
          Open311Request r;
          r.record = std::move(it->second);
          if (auto n = last_note.find(id); n != last_note.end()) r.last_public_note = n->second;
          if (auto l = links.find(id); l != links.end()) r.link = l->second;
          if (auto n = notes.find(id); n != notes.end()) r.notes = std::move(n->second);
          out.items.push_back(std::move(r));
        }
        return out;
      });
}

Expected<std::vector<Open311Update>> Open311Service::updates(std::int64_t tenant_id,
                                                             std::optional<Millis> start,
                                                             std::optional<Millis> end) {
  auto s = settings(tenant_id);
  if (!s) return s.error();
  const Millis to = end ? *end + 1 : ctx_.clock.now() + 1;
  const Millis from = start.value_or(to - open311::kMaxWindow);
  if (to < from) return make_error("open311.bad_date_range", "end_date");
  if (to - from > open311::kMaxWindow + 1) {
    return make_error("open311.bad_date_range", "end_date").with("max_days", "90");
  }
  const auto& note_actions = (*s)->public_note_actions;
  return in_tx<std::vector<Open311Update>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<Open311Update>> {
        std::vector<Open311Update> out;
        for (const auto& e :
             storage::Open311Repo(c, tenant_id)
                 .events_between(from, to, history_actions(), open311::kMaxRequests)) {
          Open311Update u;
          u.update_id = e.seq;
          u.case_id = e.case_id;
          u.at = e.at;
          u.action = e.action;
          u.state = state_in(e.after_json).value_or(cases::State::kReported);
          if (std::find(note_actions.begin(), note_actions.end(), e.action) != note_actions.end()) {
            u.note = e.note.value_or("");
          }
          out.push_back(std::move(u));
        }
        return out;
      });
}

Expected<Open311IssuedKey> Open311Service::issue_key(const access::Actor& actor,
                                                     const std::string& name,
                                                     const std::string& contact,
                                                     std::optional<int> rate_per_minute) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  const auto n = text::trim(name);
  if (auto s = text::check("name", n, {.min_chars = 1, .max_chars = 100}); !s) return s.error();
  const auto ct = text::trim(contact);
  if (auto s = text::check("contact", ct, {.max_chars = 200}); !s) return s.error();
  if (rate_per_minute && (*rate_per_minute < 1 || *rate_per_minute > 1000000)) {
    return make_error("field.out_of_range", "rate_per_minute")
        .with("min", "1")
        .with("max", "1000000");
  }
  auto s = settings(actor.tenant_id);
  if (!s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<Open311IssuedKey>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<Open311IssuedKey> {
        Open311IssuedKey out;
        const std::string secret = random_token();
        out.secret = std::to_string(actor.tenant_id) + "." + secret;
        auto& k = out.key;
        k.id = storage::next_id(c, actor.tenant_id, "open311_keys");
        k.name = n;
        k.contact = ct;
        k.key_hash = sha256_hex(secret);
        k.key_prefix = out.secret.substr(0, std::to_string(actor.tenant_id).size() + 7);
        k.rate_per_minute = rate_per_minute.value_or((*s)->rate_per_minute);
        if (actor.user_id != 0) k.created_by = actor.user_id;
        k.created_at = now;
        storage::Open311Repo(c, actor.tenant_id).insert_key(k);
        auto ev = make_event(actor, now, "open311_key", k.id, "issue", std::nullopt,
                             json::serialize(json::object{{"name", k.name},
                                                          {"contact", k.contact},
                                                          {"key_prefix", k.key_prefix},
                                                          {"rate_per_minute", k.rate_per_minute}}));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return out;
      });
}

Expected<std::vector<storage::Open311Key>> Open311Service::keys(const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  return in_tx<std::vector<storage::Open311Key>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::Open311Key>> {
        return storage::Open311Repo(c, actor.tenant_id).keys();
      });
}

Expected<storage::Open311Key> Open311Service::revoke_key(const access::Actor& actor,
                                                         std::int64_t id) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<storage::Open311Key>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::Open311Key> {
        storage::Open311Repo repo(c, actor.tenant_id);
        auto k = repo.find_key(id);
        if (!k) return make_error("open311.key_not_found");
        if (k->revoked_at) return make_error("open311.key_revoked");
        const std::optional<std::int64_t> by =
            actor.user_id != 0 ? std::optional<std::int64_t>(actor.user_id) : std::nullopt;
        repo.revoke_key(id, by, now);
        auto ev = make_event(actor, now, "open311_key", id, "revoke", std::nullopt,
                             json::serialize(json::object{{"key_prefix", k->key_prefix}}));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        k->revoked_at = now;
        k->revoked_by = by;
        return *k;
      });
}

}  // namespace civicloop::app
