#include "api/api.hpp"

#include <spdlog/spdlog.h>

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
  return api;
}

http::Response handle(Api& api, http::Request& req) {
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
      if (auto r = api.static_files.serve(req.path)) return *r;
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

}  // namespace civicloop::api
