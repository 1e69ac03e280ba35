// /healthz, /metrics and the OpenAPI description.
#include "api/common.hpp"
#include "storage/embedded.hpp"

namespace civicloop::api {

void add_system_routes(Api& api) {
  // Load balancers ask /healthz from anywhere; what the software is, and where its database
  // lives, only the operations addresses learn.
  api.router.add("GET", "/healthz", [&api](http::Request& req) {
    const bool ops = from_ops_address(api, req);
    // Healthy means the database answers, not only that the process runs.
    try {
      auto lease = api.ctx.db.acquire();
      lease->query("SELECT 1");
    } catch (const std::exception&) {
      json::object o;
      o["status"] = "unavailable";
      if (ops) o["db"] = api.ctx.db.describe();
      return json_response(o, 503);
    }
    json::object o;
    o["status"] = "ok";
    if (ops) {
      o["db"] = api.ctx.db.describe();
      o["version"] = CIVICLOOP_VERSION;
    }
    return json_response(o);
  });

  api.router.add("GET", "/metrics", [&api](http::Request& req) {
    if (!from_ops_address(api, req)) return fail(make_error("ops.address_not_allowed"), req);
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = api.metrics.render(api.ctx.db.describe());
    return r;
  });

  api.router.add("GET", "/api/v1/openapi.json", [](http::Request&) {
    auto doc = embedded::find("api/openapi.json");
    http::Response r;
    r.content_type = "application/json; charset=utf-8";
    r.body = doc ? std::string(*doc) : "{}";
    return r;
  });
}

}  // namespace civicloop::api
