// Photo uploads under attack: a decompression bomb sent to a case that does not exist is refused
// before any decoding; one that declares too many decoded bytes is refused by the container walk;
// identical bytes uploaded at once both land; an account past its pixel budget waits; files no
// committed row names are swept. Each failed on the code before the change.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/evidence_service.hpp"
#include "support/api_fixture.hpp"
#include "support/loop_test.hpp"

namespace civicloop::test {
namespace {

namespace fs = std::filesystem;

// A PNG whose header declares width × height pixels of 16-bit RGBA (8 bytes each), with a token
// IDAT: tiny on the wire, hundreds of megabytes once inflated.
std::string png_bomb(std::uint32_t width, std::uint32_t height) {
  auto be32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    return be32(static_cast<std::uint32_t>(data.size())) + type + data + std::string(4, '\0');
  };
  std::string ihdr = be32(width) + be32(height) + std::string{16, 6, 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
         chunk("IDAT", std::string(64, '\x78')) + chunk("IEND", "");
}

class Uploads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ApiServer("sqlite"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;

  static std::int64_t a_case() {
    auto grid = server().login("grid");
    auto r = grid->request("POST", "/api/v1/cases",
                           R"({"category":"0102","description":"照片测试","address":"永泰路1号"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r).at("case").at("id").as_int64();
  }

  static HttpResponse upload(TestClient& c, std::int64_t id, const std::string& bytes) {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=before",
                     bytes, {{"Content-Type", "application/octet-stream"}});
  }
};

TEST_F(Uploads, ABombToACaseThatDoesNotExistIsNeverDecoded) {
  auto grid = server().login("grid");
  const auto bomb = png_bomb(6000, 6000);  // 36 Mpx × 8 B = 288 MB decoded
  auto missing = upload(*grid, 99999999, bomb);
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(error_code(missing), "case.not_found");
  // To a real case the walk refuses it by its declared decoded size, before libvips.
  auto real = upload(*grid, a_case(), bomb);
  EXPECT_EQ(real.status, 413) << real.body;
  EXPECT_EQ(error_code(real), "media.too_many_pixels");
}

TEST_F(Uploads, ACaseOutOfScopeIsRefusedBeforeDecoding) {
  const auto id = a_case();
  auto citizen = server().login("citizen");
  auto r = upload(*citizen, id, png_bomb(6000, 6000));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(error_code(r), "auth.out_of_scope");
}

TEST_F(Uploads, ABeforePhotoTakenDaysBeforeTheReportIsFlagged) {
  // district_gps.jpg was taken on 2026-11-27; the fixture's clock stands at 2026-11-30.
  auto grid = server().login("grid");
  const auto id = a_case();
  auto up = upload(*grid, id, fixture("district_gps.jpg"));
  ASSERT_EQ(up.status, 201) << up.body;
  std::vector<std::string> flags;
  const auto body = parse(up);
  for (const auto& f : body.at("flags").as_array()) flags.emplace_back(f.as_string());
  EXPECT_NE(std::find(flags.begin(), flags.end(), "taken_before_report"), flags.end()) << up.body;
}

TEST_F(Uploads, IdenticalBytesUploadedAtOnceBothLand) {
  const auto id = a_case();
  const auto photo = fixture("district_gps.jpg");
  for (int round = 0; round < 5; ++round) {
    // A fresh copy of the file each round: change one byte after the end-of-image marker.
    const auto bytes = photo + std::string(1, static_cast<char>('a' + round));
    std::vector<int> status(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < status.size(); ++i) {
      threads.emplace_back([&, i] {
        auto c = server().login("grid");
        status[i] = upload(*c, id, bytes).status;
      });
    }
    for (auto& t : threads) t.join();
    for (const int s : status) EXPECT_EQ(s, 201) << "round " << round;
  }
  // No temporary file is left beside the stored ones.
  for (const auto& e : fs::recursive_directory_iterator(server().media_dir())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST_F(Uploads, AnAccountPastItsPixelBudgetIsToldToWait) {
  const auto id = a_case();
  auto& settings = server().ctx().settings;
  const auto saved = settings.decode_pixels_per_user_minute;
  settings.decode_pixels_per_user_minute = 1000;  // less than one photo: the second waits
  server().clock().advance(61000);                // a fresh minute: the first photo goes through
  auto grid = server().login("grid");
  auto first = upload(*grid, id, fixture("district_gps.jpg"));
  auto second = upload(*grid, id, fixture("district_gps.jpg") + "x");
  settings.decode_pixels_per_user_minute = saved;
  EXPECT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_EQ(error_code(second), "media.rate_limited");
}

TEST_F(Uploads, FilesThatNoCommittedRowNamesAreSwept) {
  const auto id = a_case();
  auto grid = server().login("grid");
  ASSERT_EQ(upload(*grid, id, fixture("district_gps.jpg") + "keep").status, 201);
  const fs::path dir = fs::path(server().media_dir()) / "1" / "ff";
  fs::create_directories(dir);
  const auto orphan = dir / (std::string(64, 'f') + ".jpg");
  const auto temp = dir / (std::string(64, 'f') + ".jpg.tmp.AbC123");
  const auto young = dir / (std::string(63, 'f') + "e.jpg");
  for (const auto& p : {orphan, temp, young}) std::ofstream(p) << "x";
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(orphan, old);
  fs::last_write_time(temp, old);
  // Every real file is old too, and stays: its row names it.
  for (const auto& e : fs::recursive_directory_iterator(server().media_dir())) {
    if (e.is_regular_file() && e.path() != young) fs::last_write_time(e.path(), old);
  }
  const auto swept = app::sweep_orphan_media(server().ctx(), 3600000);
  EXPECT_EQ(swept.removed, 2);
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::exists(young));
  auto list = parse(grid->request("GET", "/api/v1/cases/" + std::to_string(id)));
  for (const auto& a : list.at("attachments").as_array()) {
    auto r = grid->request("GET", std::string(a.at("url").as_string()));
    EXPECT_EQ(r.status, 200) << a;
  }
}

}  // namespace
}  // namespace civicloop::test
