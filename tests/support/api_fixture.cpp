#include "support/api_fixture.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "app/structure_io.hpp"
#include "storage/org_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {

ApiServer::ApiServer(const std::string& backend) {
  db_ = open_fresh(backend, {.pool_size = 6});
  if (!db_) return;
  app::Settings settings;
  settings.pwhash = "min";
  media_dir_ = ::testing::TempDir() + "civicloop-media-" + std::to_string(::getpid()) + "-" +
               std::to_string(reinterpret_cast<std::uintptr_t>(this));
  settings.media_dir = media_dir_;
  // The tests' robot receivers listen on loopback, which a deployment refuses by default.
  settings.webhook_allow = kTestWebhookAllow;
  ctx_ = std::make_unique<app::Context>(app::Context{*db_, clock_, settings});
  auto r = app::init_preset(
      *ctx_, std::filesystem::path(CIVICLOOP_SOURCE_DIR) / "presets" / "pingcheng", true);
  if (!r) throw std::runtime_error("init_preset failed: " + r.error().code + " " + r.error().field);
  start();
}

void ApiServer::start() {
  auto options = api_options_;
  options.web_root = std::filesystem::path(CIVICLOOP_SOURCE_DIR) / "web" / "dist";
  api_ = api::make_api(*ctx_, options);
  http::ServerOptions so = server_options_;
  so.port = 0;
  so.threads = 2;
  so.max_body_bytes = 1024 * 1024;
  auto* a = api_.get();
  server_ =
      std::make_unique<http::Server>(so, [a](http::Request& req) { return api::handle(*a, req); });
  server_->start();
}

void ApiServer::reconfigure(const api::ApiOptions& api_options,
                            const http::ServerOptions& server_options) {
  api_options_ = api_options;
  server_options_ = server_options;
  restart();
}

void ApiServer::restart() {
  server_->stop(5);
  server_.reset();
  api_.reset();
  start();
}

ApiServer::~ApiServer() {
  if (server_) server_->stop(5);
  std::error_code ec;
  if (!media_dir_.empty()) std::filesystem::remove_all(media_dir_, ec);
}

std::unique_ptr<TestClient> ApiServer::client() const {
  auto c = std::make_unique<TestClient>("127.0.0.1", server_->port());
  c->keep_cookies(true);
  return c;
}

std::unique_ptr<TestClient> ApiServer::login(const std::string& username,
                                             const std::string& password) const {
  auto c = client();
  auto r = c->request("POST", "/api/v1/auth/login",
                      R"({"username":")" + username + R"(","password":")" + password + R"("})",
                      {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status == 200) {
    c->set_header("X-CSRF-Token", std::string(parse(r).at("csrf_token").as_string()));
  }
  c->set_header("Content-Type", "application/json");
  return c;
}

std::int64_t ApiServer::unit_id(const std::string& code) {
  auto lease = db_->acquire();
  auto u = storage::OrgRepo(*lease, 1).find_unit_by_code(code);
  if (!u) throw std::runtime_error("no unit " + code);
  return u->id;
}

std::int64_t ApiServer::person_id_by_name(const std::string& name) {
  auto lease = db_->acquire();
  auto rows = lease->query("SELECT id FROM people WHERE tenant_id = 1 AND name = ?", {name});
  if (rows.empty()) throw std::runtime_error("no person " + name);
  return rows[0].get_int(0);
}

boost::json::value parse(const HttpResponse& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec) return nullptr;
  return v;
}

std::string error_code(const HttpResponse& r) {
  auto v = parse(r);
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  return std::string(v.at("error").at("code").as_string());
}

std::pair<double, double> point_inside(const boost::json::value& polygon) {
  const auto& ring = polygon.at("coordinates").at(0).as_array();
  std::vector<std::pair<double, double>> pts;  // (lng, lat)
  for (const auto& p : ring)
    pts.emplace_back(p.at(0).to_number<double>(), p.at(1).to_number<double>());
  double lo = pts.at(0).second;
  double hi = lo;
  for (const auto& [x, y] : pts) lo = std::min(lo, y), hi = std::max(hi, y);
  const double lat = (lo + hi) / 2 + 1e-7;  // off the 6-decimal vertices
  std::vector<double> xs;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const auto [x1, y1] = pts[i];
    const auto [x2, y2] = pts[i + 1];
    if ((y1 > lat) != (y2 > lat)) xs.push_back(x1 + (lat - y1) * (x2 - x1) / (y2 - y1));
  }
  std::sort(xs.begin(), xs.end());
  double best = -1;
  double lng = 0;
  for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
    if (xs[i + 1] - xs[i] > best) best = xs[i + 1] - xs[i], lng = (xs[i] + xs[i + 1]) / 2;
  }
  return {lat, lng};
}

std::string strings_of(const boost::json::value& v) {
  std::string out;
  if (v.is_string()) {
    out += std::string(v.as_string());
    out += '\n';
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) out += strings_of(x);
  } else if (v.is_array()) {
    for (const auto& x : v.as_array()) out += strings_of(x);
  }
  return out;
}

}  // namespace civicloop::test
