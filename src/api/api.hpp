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
#include "app/org_service.hpp"
#include "app/user_service.hpp"
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
        static_files(options.web_root) {}
  app::Context& ctx;
  ApiOptions options;
  app::AuthService auth;
  app::OrgService org;
  app::UserService users;
  app::CaseConfigCache case_config;  // one per server: categories, calendar, rules, areas
  http::Metrics metrics;
  http::StaticFiles static_files;
  http::Router router;
};

std::unique_ptr<Api> make_api(app::Context& ctx, ApiOptions options);
// The request handler given to http::Server.
http::Response handle(Api& api, http::Request& req);

// Route registration, one file per resource.
void add_auth_routes(Api& api);
void add_org_routes(Api& api);
void add_user_routes(Api& api);
void add_ledger_routes(Api& api);
void add_system_routes(Api& api);
void add_case_routes(Api& api);
void add_config_routes(Api& api);

}  // namespace civicloop::api
