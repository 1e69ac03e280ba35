// The HTTP API: builds the router over the use cases and answers every request, mapping
// expected errors through http/errors and storage failures to 503 without crashing.
// One Api is shared by all request threads; its members are thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "app/auth_service.hpp"
#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/evidence_service.hpp"
#include "app/import_jobs.hpp"
#include "app/org_service.hpp"
#include "app/user_service.hpp"
#include "domain/net.hpp"
#include "http/errors.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace civicloop::api {

struct ApiOptions {
  std::filesystem::path web_root;  // the built web app (web/dist)
  bool secure_cookies = false;     // set the Secure flag (behind HTTPS) and send HSTS
  // Client addresses that may read /metrics and the version in /healthz (net::AllowList text).
  std::string ops_allow = "127.0.0.1, ::1";
};

struct Api {
  Api(app::Context& c, ApiOptions o)
      : ctx(c),
        options(std::move(o)),
        auth(c),
        org(c),
        users(c),
        case_config(c),
        evidence(c, case_config),
        imports(c, case_config,
                [](const Error& e) { return http::message_of(e, http::Lang::kZh); }),
        static_files(options.web_root),
        ops_allow(parse_ops_allow(options.ops_allow)) {}
  app::Context& ctx;
  ApiOptions options;
  app::AuthService auth;
  app::OrgService org;
  app::UserService users;
  app::CaseConfigCache case_config;  // one per server: categories, calendar, rules, areas
  // Photo evidence (one decode pool and one budget per account for every kind of photo).
  app::EvidenceService evidence;
  app::ImportJobs imports;  // the history import in the background (POST /api/v1/imports)
  http::Metrics metrics;
  http::StaticFiles static_files;
  http::Router router;
  net::AllowList ops_allow;  // who may read /metrics and the version in /healthz

 private:
  static net::AllowList parse_ops_allow(const std::string& text);
};

std::unique_ptr<Api> make_api(app::Context& ctx, ApiOptions options);
// The request handler given to http::Server. Every answer leaves it with the security headers:
// the Content-Security-Policy the web app is built to pass (no inline script, no eval, nothing
// from another origin), a Permissions-Policy that grants only the camera and location the phone
// pages use, and Cache-Control: no-store on every API answer that did not choose its own policy
// (they carry personal data; photos choose "private, no-cache" with an ETag).
http::Response handle(Api& api, http::Request& req);

// Route registration, one file per resource.
void add_auth_routes(Api& api);
void add_org_routes(Api& api);
void add_user_routes(Api& api);
void add_ledger_routes(Api& api);
void add_system_routes(Api& api);
void add_case_routes(Api& api);
void add_config_routes(Api& api);
void add_case_action_routes(Api& api);
void add_import_routes(Api& api);
void add_workflow_routes(Api& api);
void add_kpi_routes(Api& api);
void add_places_routes(Api& api);
void add_bulletin_routes(Api& api);
void add_meeting_routes(Api& api);
void add_dashboard_routes(Api& api);
void add_digest_routes(Api& api);
void add_open311_routes(Api& api);

// Whether the request comes from an address in ApiOptions::ops_allow.
bool from_ops_address(const Api& api, const http::Request& req);

}  // namespace civicloop::api
