// What the tests that walk the closed loop over the API share: a fixture with one server per test
// on a fresh database, the grid's centre, and report / act / photo steps that expect success.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "support/api_fixture.hpp"
#include "support/fixture_file.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {

class LoopTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(server_->ready());
  }
  ApiServer& server() { return *server_; }

  // A point inside the demo grid 140213050001-G1 (永泰北社区).
  std::pair<double, double> centre() {
    auto c = server().login("admin");
    auto r = c->request("GET",
                        "/api/v1/org/units/" + std::to_string(server().unit_id("140213050001-G1")));
    const auto v = parse(r);
    return point_inside(v.at("unit").at("boundary"));
  }

  std::int64_t report(TestClient& c, const std::string& category, const std::string& text) {
    const auto [lat, lng] = centre();
    std::ostringstream body;
    body.precision(10);
    body << R"({"category":")" << category << R"(","description":")" << text
         << R"(","address":"永泰路12号","lat":)" << lat << R"(,"lng":)" << lng << "}";
    auto r = c.request("POST", "/api/v1/cases", body.str());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r).at("case").at("id").as_int64() : 0;
  }

  void act(TestClient& c, std::int64_t id, const std::string& body) {
    auto r = c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body);
    EXPECT_EQ(r.status, 200) << body << " → " << r.body;
  }

  void photo(TestClient& c, std::int64_t id, const std::string& stage) {
    auto r =
        c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=" + stage,
                  fixture("district_gps.jpg"), {{"Content-Type", "image/jpeg"}});
    EXPECT_EQ(r.status, 201) << r.body;
  }

  std::unique_ptr<ApiServer> server_;
};

}  // namespace civicloop::test
