// /healthz, /metrics and the OpenAPI description.
#include "api/common.hpp"
#include "storage/embedded.hpp"

namespace civicloop::api {

void add_system_routes(Api& api) {
  api.router.add("GET", "/healthz", [&api](http::Request&) {
    // Healthy means the database answers, not only that the process runs.
    try {
      auto lease = api.ctx.db.acquire();
      lease->query("SELECT 1");
    } catch (const std::exception&) {
      json::object o;
      o["status"] = "unavailable";
      o["db"] = api.ctx.db.describe();
      return json_response(o, 503);
    }
    json::object o;
    o["status"] = "ok";
    o["db"] = api.ctx.db.describe();
    o["version"] = CIVICLOOP_VERSION;
    return json_response(o);
  });

  api.router.add("GET", "/metrics", [&api](http::Request&) {
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
