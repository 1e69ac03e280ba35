#include "api/api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "api/common.hpp"

namespace civicloop::api {

std::unique_ptr<Api> make_api(app::Context& ctx, ApiOptions options) {
  auto api = std::make_unique<Api>(ctx, std::move(options));
  add_system_routes(*api);
  add_auth_routes(*api);
  add_org_routes(*api);
  add_user_routes(*api);
  add_ledger_routes(*api);
  add_case_routes(*api);
  add_config_routes(*api);
  add_case_action_routes(*api);
  add_import_routes(*api);
  add_workflow_routes(*api);
  add_kpi_routes(*api);
  add_places_routes(*api);
  add_bulletin_routes(*api);
  add_meeting_routes(*api);
  add_dashboard_routes(*api);
  add_digest_routes(*api);
  add_open311_routes(*api);
  return api;
}

net::AllowList Api::parse_ops_allow(const std::string& text) {
  std::string bad;
  auto list = net::AllowList::parse(text, &bad);
  if (!list) throw std::invalid_argument("ops_allow: not an address, CIDR block or host: " + bad);
  return std::move(*list);
}

bool from_ops_address(const Api& api, const http::Request& req) {
  const auto a = net::parse_address(req.remote_address);
  return a && api.ops_allow.allows(*a);
}

namespace {

// 'unsafe-inline' for styles only: Element Plus positions popovers and tables with style
// attributes. Scripts come from our own origin alone; images may be data: and blob: URLs (photo
// previews before upload, the QR code of the two-step sign-in).
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
constexpr const char* kPermissionsPolicy =
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), accelerometer=(), gyroscope=(), magnetometer=(), display-capture=()";

bool has_header(const http::Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

http::Response route(Api& api, http::Request& req);

}  // namespace

http::Response handle(Api& api, http::Request& req) {
  http::Response r = route(api, req);
  r.add_header("Content-Security-Policy", kContentSecurityPolicy);
  r.add_header("Permissions-Policy", kPermissionsPolicy);
  r.add_header("Cross-Origin-Opener-Policy", "same-origin");
  if (!has_header(r, "cache-control")) {
    // Static files set their own; everything else the server answers may be personal.
    r.add_header("Cache-Control", "no-store");
  }
  return r;
}

namespace {

http::Response route(Api& api, http::Request& req) {
  try {
    const http::Router::Fn* fn = nullptr;
    std::string allowed;
    switch (api.router.find(req, &fn, &allowed)) {
      case http::Router::Match::kFound:
        return (*fn)(req);
      case http::Router::Match::kNoMethod: {
        auto r = fail(make_error("method_not_allowed"), req);
        r.add_header("Allow", allowed);
        return r;
      }
      case http::Router::Match::kNoPath:
        break;
    }
    const bool api_path = req.path.rfind("/api/", 0) == 0 || req.path.rfind("/open311/", 0) == 0;
    if (!api_path && (req.method == "GET" || req.method == "HEAD")) {
      if (auto r = api.static_files.serve(req.path, req.header("accept-encoding").value_or(""))) {
        return *r;
      }
    }
    return fail(make_error("not_found"), req);
  } catch (const storage::StorageError& e) {
    // A unique index caught what a check before it missed (two writers at once): a conflict.
    if (e.kind() == storage::StorageError::Kind::kUniqueViolation) {
      return fail(make_error("conflict.duplicate").with("constraint", e.constraint()), req);
    }
    if (e.kind() == storage::StorageError::Kind::kConflict) {
      return fail(make_error("conflict.retry"), req);
    }
    spdlog::error("storage failure on {} {}: {}", req.method, http::log_safe(req.path),
                  http::log_safe(e.what()));
    return fail(make_error("unavailable"), req);
  }
}

}  // namespace

}  // namespace civicloop::api
