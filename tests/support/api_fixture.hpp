// A real civicloop server for API tests: a fresh database with the Pingcheng preset and its demo
// data, the API on 127.0.0.1:0, and clients signed in as the demo users.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <utility>

#include "api/api.hpp"
#include "domain/clock.hpp"
#include "http/server.hpp"
#include "storage/db.hpp"
#include "support/http_client.hpp"

namespace civicloop::test {

// The server's webhook_allow setting in tests: the loopback receivers. A test of the default
// (public https only) clears ctx().settings.webhook_allow and puts this back.
inline constexpr char kTestWebhookAllow[] = "127.0.0.1/32, ::1/128";

class ApiServer {
 public:
  // backend: "sqlite" or "postgres" (see test_db.hpp). Loads the preset with demo data.
  explicit ApiServer(const std::string& backend = "sqlite");
  ~ApiServer();
  bool ready() const { return server_ != nullptr; }
  std::uint16_t port() const { return server_->port(); }
  storage::Database& db() { return *db_; }
  // Where the server's clock stands until a test moves it (deadlines, escalations): Monday 30
  // November 2026, 09:30 in Pingcheng (UTC+8), a working day in the preset calendar
  // (presets/pingcheng/calendar.json) and inside its morning period 08:30-12:00; after the EXIF
  // time of tests/fixtures/district_gps.jpg (2026-11-27 10:15 local), so that photo counts as
  // taken before a dispatch made at this time.
  static constexpr Millis kStartTime = 1796002200000;  // 2026-11-30T01:30:00Z
  // The server's clock: it stands at kStartTime unless a test moves it.
  FixedClock& clock() { return clock_; }
  const std::string& media_dir() const { return media_dir_; }
  app::Context& ctx() { return *ctx_; }
  // Stops the server and starts a new one on the same database (a restart).
  void restart();
  // Restarts with other options (the web root and the port stay the fixture's).
  void reconfigure(const api::ApiOptions& api_options, const http::ServerOptions& server_options);

  std::unique_ptr<TestClient> client() const;
  // A client signed in as a demo user, with the CSRF header set. Fails the test on a bad login.
  std::unique_ptr<TestClient> login(const std::string& username,
                                    const std::string& password = "Demo@2026") const;
  // The id of the unit with this code (through the database, not the API).
  std::int64_t unit_id(const std::string& code);
  std::int64_t person_id_by_name(const std::string& name);

 private:
  void start();
  std::string url_;
  std::unique_ptr<storage::Database> db_;
  FixedClock clock_{kStartTime};
  std::string media_dir_;
  std::unique_ptr<app::Context> ctx_;
  api::ApiOptions api_options_;
  http::ServerOptions server_options_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
};

boost::json::value parse(const HttpResponse& r);
// A point (lat, lng) well inside a GeoJSON Polygon: the demo areas are pieces of the district
// outline and not always convex, so the average of the corners may lie outside. On the parallel
// through the middle of the bounding box, the middle of the widest stretch inside.
std::pair<double, double> point_inside(const boost::json::value& polygon);
// Every string of a JSON value (a robot message's body), one a line: what a chat group reads,
// however the robot's flavour nests it.
std::string strings_of(const boost::json::value& v);
// The error code of an error response ("" when the body is not an error).
std::string error_code(const HttpResponse& r);

}  // namespace civicloop::test
