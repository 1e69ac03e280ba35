// Fuzzes how a handler reads a JSON body (api/body.hpp) and the rules that follow: the first byte
// picks what the rest is,
//   'u' POST /org/units       'U' PATCH /org/units/{id}   'p' POST /org/people
//   'P' PATCH /org/people/{id} 'c' POST /cases            'q' a request target: query and path
//   anything else: a generic body read member by member and checked against a model of Body,
// and the rest of the input is the body (or the target). Each handler mode reads the members
// exactly as the handler in src/api/ does and then runs the pure rules its use case runs
// (text::check, org::check_unit_fields, org::check_person_fields, normalize_boundary, ...).
// Besides "no crash, no sanitizer report", it checks the promises body.hpp makes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "api/body.hpp"
#include "app/boundary.hpp"
#include "domain/case.hpp"
#include "domain/org.hpp"
#include "domain/text.hpp"
#include "http/message.hpp"

namespace {

namespace api = civicloop::api;
namespace json = boost::json;
namespace org = civicloop::org;
namespace text = civicloop::text;
using civicloop::Error;

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_trimmed(const std::string& s) { return text::trim(s) == s; }

// The integer a member holds as sent, when it holds one.
std::optional<long double> sent_int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return static_cast<long double>(v->as_int64());
  if (v->is_uint64()) return static_cast<long double>(v->as_uint64());
  return std::nullopt;
}

// What finish() may answer.
bool body_code(const Error& e) {
  return e.code == "request.invalid_type" || e.code == "field.required" ||
         e.code == "request.unknown_field" || e.code == "field.out_of_range";
}

// read_boundary() in org_api.cpp.
std::optional<std::optional<std::string>> read_boundary(api::Body& body, bool& failed) {
  const auto* b = body.raw("boundary");
  if (b == nullptr) return std::nullopt;
  if (b->is_null()) return std::optional<std::string>{};
  auto nb = civicloop::app::normalize_boundary(*b);
  if (!nb) {
    check(nb.error().code == "org.invalid_boundary" && nb.error().field == "boundary");
    failed = true;
    return std::nullopt;
  }
  // What is stored reads back as the same ring.
  auto ring = civicloop::app::stored_boundary_polygon(*nb);
  check(ring.has_value() && ring->ring.size() >= 4);
  return std::optional<std::string>(*nb);
}

// read_version() in org_api.cpp.
bool read_version(api::Body& body) {
  auto v = body.req_int64("version");
  return v >= 0 && v <= INT32_MAX;
}

const org::UnitKind kKinds[] = {org::UnitKind::kHq,
                                org::UnitKind::kHqOffice,
                                org::UnitKind::kSupervisionGroup,
                                org::UnitKind::kTaskForce,
                                org::UnitKind::kDepartment,
                                org::UnitKind::kSubdistrict,
                                org::UnitKind::kCommunity,
                                org::UnitKind::kVillage,
                                org::UnitKind::kGrid,
                                org::UnitKind::kEnforcementTeam,
                                org::UnitKind::kEnterprise};

// POST /api/v1/org/units, then OrgService::create_unit_in's pure checks.
void unit_create(api::Body& body, const json::object& o) {
  auto parent_id = body.int64("parent_id");
  auto kind = body.req_str("kind");
  auto name = text::trim(body.req_str("name"));
  auto code = body.str("code");
  auto name_en = body.str("name_en");
  auto duties = body.str("duties").value_or("");
  int sort_order = body.int32("sort_order").value_or(0);
  bool bad_boundary = false;
  auto boundary = read_boundary(body, bad_boundary);
  if (bad_boundary) return;
  if (!body.finish()) return;
  check(o.contains("kind") && o.contains("name"));
  auto k = org::parse_unit_kind(kind);
  if (!k) return;
  check(org::to_string(*k) == kind);
  org::Unit u;
  u.kind = *k;
  u.name = name;
  u.code = code;
  u.name_en = name_en;
  u.duties = duties;
  if (boundary && *boundary) u.boundary_geojson = **boundary;
  u.sort_order = sort_order;
  if (!org::check_unit_fields(u)) return;
  check(!name.empty() && is_trimmed(name));
  check(!u.code || (!u.code->empty() && u.code->size() <= 40));
  // The order stored is the order sent (once it was cut to 32 bits: 4294967297 became 1).
  check(sent_int(o, "sort_order").value_or(0) == u.sort_order);
  // Where it may go: under a parent of each kind, or as the root.
  org::Unit parent;
  parent.id = parent_id.value_or(1);
  parent.kind = kKinds[static_cast<std::size_t>(parent.id) % std::size(kKinds)];
  (void)org::check_parent(u.kind, parent_id ? &parent : nullptr, parent.id % 2 == 0);
}

// PATCH /api/v1/org/units/{id}.
void unit_patch(api::Body& body, const json::object& o) {
  std::optional<std::string> name;
  if (auto n = body.str("name")) name = text::trim(*n);
  auto name_en = body.nullable_str("name_en");
  auto code = body.nullable_str("code");
  auto duties = body.str("duties");
  auto sort_order = body.int32("sort_order");
  bool bad_boundary = false;
  auto boundary = read_boundary(body, bad_boundary);
  if (bad_boundary) return;
  bool version_ok = read_version(body);
  if (!body.finish()) return;
  if (!version_ok) return;
  // OrgService::update_unit_in applies the patch to the unit and checks the whole unit.
  org::Unit u;
  u.name = name.value_or("单位");
  if (name_en) u.name_en = *name_en;
  if (code) u.code = *code;
  if (duties) u.duties = *duties;
  if (sort_order) u.sort_order = *sort_order;
  if (boundary) u.boundary_geojson = *boundary;
  if (!org::check_unit_fields(u)) return;
  if (auto sent = sent_int(o, "sort_order")) check(*sent == u.sort_order);
}

// POST /api/v1/org/people and PATCH /api/v1/org/people/{id}.
void person(api::Body& body, bool patch) {
  org::Person p;
  if (patch) {
    if (auto n = body.str("name")) p.name = text::trim(*n);
    auto phone = body.nullable_str("phone");
    auto title = body.nullable_str("title");
    bool version_ok = read_version(body);
    if (!body.finish() || !version_ok) return;
    if (phone) p.phone = *phone;
    if (title) p.title = *title;
    if (p.name.empty()) p.name = "张三";
  } else {
    p.name = text::trim(body.req_str("name"));
    p.phone = body.str("phone");
    p.title = body.str("title");
    if (!body.finish()) return;
  }
  if (!org::check_person_fields(p)) return;
  check(text::utf8_length(p.name).value_or(0) >= 1);
  check(!p.phone || p.phone->size() <= 20);
}

// POST /api/v1/cases, then CaseService::report's checks of what was sent.
void case_report(api::Body& body) {
  auto category = body.req_str("category");
  auto title = body.str("title").value_or("");
  auto description = body.str("description").value_or("");
  auto address = body.str("address").value_or("");
  auto source = body.str("source");
  std::optional<double> lat, lng;
  for (auto [key, out] : {std::pair{"lat", &lat}, std::pair{"lng", &lng}}) {
    const auto* v = body.raw(key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_number()) return;  // request.invalid_type
    *out = v->to_number<double>();
  }
  if (!body.finish()) return;
  title = text::trim(title);
  if (title.empty()) title = "市容环境";  // the category's name
  if (!text::check("title", title, {.min_chars = 1, .max_chars = 100})) return;
  description = text::trim(description);
  if (!text::check("description", description, {.max_chars = 2000, .multiline = true})) return;
  address = text::trim(address);
  if (!text::check("address", address, {.max_chars = 200})) return;
  if (lat.has_value() != lng.has_value()) return;
  if (lat && (!std::isfinite(*lat) || !std::isfinite(*lng) || *lat < -90 || *lat > 90 ||
              *lng < -180 || *lng > 180)) {
    return;
  }
  if (!lat && address.empty()) return;
  if (source) {
    auto s = civicloop::cases::parse_source(*source);
    if (s) check(civicloop::cases::to_string(*s) == *source);
  }
  (void)category;  // CaseService::report looks it up in the tenant's categories
}

// A request target: the query helpers and the path id of src/api/body.cpp.
void query(std::string_view target) {
  civicloop::http::Request req;
  std::string path;
  if (!civicloop::http::parse_target(target, path, req.query)) return;
  req.path_params["id"] = path.substr(path.rfind('/') + 1);
  if (auto v = api::query_int(req, "unit_id"); v && *v) {
    check(req.query_param("unit_id").has_value());
  }
  (void)api::query_bool(req, "include_retired");
  if (auto l = api::query_limit(req)) check(*l >= 1 && *l <= 200);
  if (auto id = api::path_id(req)) check(*id > 0);
}

// ---- generic mode: a model of Body ----

enum class Read {
  kSkip,
  kStr,
  kReqStr,
  kNullableStr,
  kInt64,
  kReqInt64,
  kNullableInt64,
  kBool,
  kRaw,
  kInt32,
  kReqInt32,
};

Read pick(std::string_view key) {
  unsigned h = static_cast<unsigned>(key.size());
  for (char c : key) h = h * 31 + static_cast<unsigned char>(c);
  return static_cast<Read>(h % 11);
}

std::optional<std::int64_t> as_int64(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.as_uint64());
  }
  return std::nullopt;
}

void generic(api::Body& body, const json::object& o) {
  std::optional<std::string> expected_error;  // the code of the first problem
  std::string expected_field;
  auto expect_fail = [&](const char* code, std::string_view key) {
    if (!expected_error) expected_error = code, expected_field = std::string(key);
  };
  bool unread = false;
  std::string first_unread;
  for (const auto& [k, v] : o) {
    const std::string_view key = k;
    switch (pick(key)) {
      case Read::kSkip:
        if (!unread) unread = true, first_unread = std::string(key);
        break;
      case Read::kStr: {
        auto r = body.str(key);
        if (v.is_string()) {
          check(r && *r == v.as_string());
        } else {
          check(!r);
          if (!v.is_null()) expect_fail("request.invalid_type", key);
        }
        break;
      }
      case Read::kReqStr: {
        auto r = body.req_str(key);
        if (v.is_string()) {
          check(r == v.as_string());
        } else {
          check(r.empty());
          expect_fail(v.is_null() ? "field.required" : "request.invalid_type", key);
        }
        break;
      }
      case Read::kNullableStr: {
        auto r = body.nullable_str(key);
        if (v.is_null()) {
          check(r && !*r);
        } else if (v.is_string()) {
          check(r && *r && **r == v.as_string());
        } else {
          check(!r);
          expect_fail("request.invalid_type", key);
        }
        break;
      }
      case Read::kInt64:
      case Read::kReqInt64:
      case Read::kNullableInt64: {
        const Read how = pick(key);
        auto want = as_int64(v);
        if (how == Read::kInt64) {
          auto r = body.int64(key);
          check(r == want);
        } else if (how == Read::kReqInt64) {
          auto r = body.req_int64(key);
          check(r == want.value_or(0));
          if (v.is_null()) expect_fail("field.required", key);
        } else {
          auto r = body.nullable_int64(key);
          if (v.is_null()) {
            check(r && !*r);
          } else {
            check(want ? (r && *r == want) : !r);
          }
        }
        if (!v.is_null() && !want) expect_fail("request.invalid_type", key);
        break;
      }
      case Read::kInt32:
      case Read::kReqInt32: {
        const bool req = pick(key) == Read::kReqInt32;
        auto want = as_int64(v);
        const bool fits = want && *want >= INT32_MIN && *want <= INT32_MAX;
        if (req) {
          check(body.req_int32(key) == (fits ? *want : 0));
          if (v.is_null()) expect_fail("field.required", key);
        } else {
          auto r = body.int32(key);
          check(fits ? (r && *r == *want) : !r);
        }
        if (!v.is_null() && !want) expect_fail("request.invalid_type", key);
        if (want && !fits) expect_fail("field.out_of_range", key);
        break;
      }
      case Read::kBool: {
        auto r = body.boolean(key);
        check(v.is_bool() ? (r && *r == v.as_bool()) : !r);
        if (!v.is_bool() && !v.is_null()) expect_fail("request.invalid_type", key);
        break;
      }
      case Read::kRaw:
        // Compared as text: Boost.JSON 1.81 reads 0e400 as NaN, which equals nothing.
        check(body.raw(key) != nullptr && json::serialize(*body.raw(key)) == json::serialize(v));
        break;
    }
  }
  // Members that are not there: absent reads are not errors, except the required ones.
  constexpr std::string_view kMissing = "\x01missing";
  if (!o.contains(kMissing)) {
    check(!body.str(kMissing));
    check(!body.int64(kMissing));
    check(body.raw(kMissing) == nullptr);
  }
  auto s = body.finish();
  if (expected_error) {
    check(!s && s.error().code == *expected_error && s.error().field == expected_field);
  } else if (unread) {
    check(!s && s.error().code == "request.unknown_field" && s.error().field == first_unread);
  } else {
    check(s.ok());
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char mode = static_cast<char>(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 'q') {
    query(rest);
    return 0;
  }

  civicloop::http::Request req;
  req.method = "POST";
  req.headers["content-type"] = mode == 't' ? "text/plain" : "application/json; charset=utf-8";
  req.body = std::string(rest);
  auto body = api::parse_body(req);
  if (!body) {
    const auto& c = body.error().code;
    check(c == "request.unsupported_media_type" || c == "request.malformed_json" ||
          c == "request.not_object");
    check(c != "request.unsupported_media_type" || (mode == 't' && !rest.empty()));
    return 0;
  }
  // The members as parsed, for the model (Body keeps its own copy).
  json::object o;
  if (!rest.empty()) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 64;
    auto v = json::parse(rest, ec, {}, opts);
    check(!ec && v.is_object());
    o = std::move(v.as_object());
  }
  switch (mode) {
    case 'u':
      unit_create(*body, o);
      break;
    case 'U':
      unit_patch(*body, o);
      break;
    case 'p':
      person(*body, false);
      break;
    case 'P':
      person(*body, true);
      break;
    case 'c':
      case_report(*body);
      break;
    default:
      generic(*body, o);
      return 0;
  }
  // Whatever the mode read, finish() answers the same again, and only with a body error.
  auto first = body->finish();
  auto again = body->finish();
  check(first.ok() == again.ok());
  if (!first) check(body_code(first.error()) && first.error().code == again.error().code);
  return 0;
}
