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
    // The group-commit writer: jobs per batch is the average number of writes one flush carried.
    const auto w = api.ctx.db.write_stats();
    r.body += "# HELP civicloop_db_write_batches_total Transactions of the group-commit writer.\n";
    r.body += "# TYPE civicloop_db_write_batches_total counter\n";
    r.body += "civicloop_db_write_batches_total " + std::to_string(w.batches) + "\n";
    r.body += "# HELP civicloop_db_write_jobs_total Writes the group-commit writer ran.\n";
    r.body += "# TYPE civicloop_db_write_jobs_total counter\n";
    r.body += "civicloop_db_write_jobs_total " + std::to_string(w.jobs) + "\n";
    r.body += "# HELP civicloop_db_write_failed_commits_total Batches whose commit failed.\n";
    r.body += "# TYPE civicloop_db_write_failed_commits_total counter\n";
    r.body += "civicloop_db_write_failed_commits_total " + std::to_string(w.failed_commits) + "\n";
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
