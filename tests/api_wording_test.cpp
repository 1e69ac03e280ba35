// Wording is data, on SQLite and on PostgreSQL: a zh-CN and an en reader get their own language in
// a notification, in a robot message (by the robot's locale), in the Excel exports (read cell by
// cell) and in the notice PDF (read with pdftotext), all from the preset's message templates; no
// key the code asks for is missing. A database made before the templates (migration 0007) gets
// them loaded from the preset.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>

#include "app/messages.hpp"
#include "app/structure_io.hpp"
#include "storage/config_repo.hpp"
#include "storage/notify_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/documents.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class Wording : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { servers().clear(); }

  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    auto& s = servers()[GetParam()];
    if (!s) s = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(s->ready());
    server_ = s.get();
  }

  static std::map<std::string, std::unique_ptr<ApiServer>>& servers() {
    static std::map<std::string, std::unique_ptr<ApiServer>> m;
    return m;
  }
  ApiServer& server() { return *server_; }

  static HttpResponse act(TestClient& c, std::int64_t id, const std::string& body) {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body);
  }

  static HttpResponse in_lang(TestClient& c, const std::string& lang, const std::string& path) {
    return c.request("GET", path, "", {{"Accept-Language", lang}});
  }

  // A grid worker's report, filed and dispatched by the office with a notice; its id and the
  // notice's PDF address.
  std::pair<std::int64_t, std::string> dispatched_case(const std::string& title) {
    auto grid = server().login("grid");
    auto office = server().login("office");
    // A point inside the first grid of 永泰北社区 (永泰街道), read from its boundary.
    auto g = office->request(
        "GET", "/api/v1/org/units/" + std::to_string(server().unit_id("140213050001-G1")));
    const auto [lat, lng] = point_inside(parse(g).at("unit").at("boundary"));
    std::ostringstream body;
    body.precision(12);
    body << R"({"category":"0102","title":")" << title
         << R"(","description":"路边堆放生活垃圾","address":"永泰路8号","lat":)" << lat
         << R"(,"lng":)" << lng << "}";
    auto r = grid->request("POST", "/api/v1/cases", body.str());
    EXPECT_EQ(r.status, 201) << r.body;
    const auto id = parse(r).at("case").at("id").as_int64();
    EXPECT_EQ(act(*office, id, R"({"action":"file"})").status, 200);
    auto d = act(*office, id, R"({"action":"dispatch"})");
    EXPECT_EQ(d.status, 200) << d.body;
    const auto v = parse(d);
    return {id, std::string(v.at("notice").at("pdf_url").as_string())};
  }

 private:
  ApiServer* server_ = nullptr;
};

TEST_P(Wording, NotificationsRobotsExcelAndPdfSpeakTheReadersLanguage) {
  const auto missing_before = app::missing_message_keys();
  auto office = server().login("office");
  // Two robots: the district's group chat in Chinese, a second one in English.
  for (const auto& [name, locale] : {std::pair{"zh-robot", "zh-CN"}, std::pair{"en-robot", "en"}}) {
    auto w =
        office->request("POST", "/api/v1/webhooks",
                        std::string(R"({"name":")") + name +
                            R"(","flavour":"generic","url":"http://127.0.0.1:9/hook","locale":")" +
                            locale + R"("})");
    ASSERT_EQ(w.status, 201) << w.body;
    EXPECT_EQ(parse(w).at("locale").as_string(), locale);
  }
  auto bad = office->request(
      "POST", "/api/v1/webhooks",
      R"({"name":"x","flavour":"generic","url":"http://127.0.0.1:9/hook","locale":"fr"})");
  EXPECT_EQ(bad.status, 400) << bad.body;

  const auto [id, pdf_url] = dispatched_case("措辞测试");

  // The unit's inbox: the same notification in each reader's language.
  auto unit = server().login("unit");
  auto zh = parse(in_lang(*unit, "zh-CN", "/api/v1/notifications?limit=5"));
  auto en = parse(in_lang(*unit, "en", "/api/v1/notifications?limit=5"));
  auto find = [id = id](const json::value& page) -> json::object {
    for (const auto& n : page.at("items").as_array()) {
      if (n.at("case_id") == json::value(id) && n.at("kind") == "dispatched") return n.as_object();
    }
    return {};
  };
  const auto nz = find(zh);
  const auto ne = find(en);
  ASSERT_FALSE(nz.empty()) << zh;
  ASSERT_FALSE(ne.empty()) << en;
  EXPECT_EQ(nz.at("title").as_string(), "新派遣问题：措辞测试");
  EXPECT_EQ(ne.at("title").as_string(), "New case dispatched: 措辞测试");
  EXPECT_NE(std::string(nz.at("body").as_string()).find("前签收"), std::string::npos) << nz;
  EXPECT_NE(std::string(ne.at("body").as_string()).find("please acknowledge by"), std::string::npos)
      << ne;

  // The robots' messages, each in its robot's language.
  std::map<std::string, std::string> by_webhook;
  {
    auto lease = server().db().acquire();
    storage::NotifyRepo repo(*lease, 1);
    std::map<std::int64_t, std::string> names;
    for (const auto& w : repo.webhooks(false)) names[w.id] = w.name;
    for (const auto& o : repo.recent_outbox(50)) {
      const auto p = json::parse(o.payload);
      if (std::string(p.at("title").as_string()).find("措辞测试") == std::string::npos) continue;
      by_webhook[names[o.webhook_id]] = std::string(p.at("markdown").as_string());
      by_webhook[names[o.webhook_id] + " title"] = std::string(p.at("title").as_string());
    }
  }
  EXPECT_EQ(by_webhook["zh-robot title"], "【派遣】措辞测试");
  EXPECT_EQ(by_webhook["en-robot title"], "[Dispatched] 措辞测试");
  EXPECT_NE(by_webhook["zh-robot"].find("责任单位：永泰街道"), std::string::npos)
      << by_webhook["zh-robot"];
  EXPECT_NE(by_webhook["en-robot"].find("Responsible unit: 永泰街道"), std::string::npos)
      << by_webhook["en-robot"];

  // The problem list in Excel, cell by cell: headers, state and source in words.
  for (const auto& lang : {"zh-CN", "en"}) {
    const bool english = std::string(lang) == "en";
    auto x = in_lang(*office, lang, "/api/v1/cases.xlsx?state=dispatched");
    ASSERT_EQ(x.status, 200) << x.body;
    const auto sheet = xlsx_sheet(x.body);
    EXPECT_EQ(sheet.name, english ? "Cases" : "问题清单");
    EXPECT_EQ(sheet.cell(0, 0).text, english ? "Case no." : "问题编号");
    EXPECT_EQ(sheet.cell(0, 8).text, english ? "Source" : "来源");
    auto c = parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)));
    const auto row = sheet.find_row(0, std::string(c.at("case").at("case_no").as_string()));
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(sheet.cell(*row, 1).text, english ? "To acknowledge" : "待签收");
    EXPECT_EQ(sheet.cell(*row, 8).text, english ? "Grid patrol" : "网格巡查");
    EXPECT_EQ(
        sheet.cell(*row, 2).text,
        std::string(c.at("case").at(english ? "category_name_en" : "category_name").as_string()));

    auto nx = in_lang(*office, lang, "/api/v1/notices.xlsx");
    ASSERT_EQ(nx.status, 200);
    const auto ns = xlsx_sheet(nx.body);
    EXPECT_EQ(ns.name, english ? "Rectification list" : "整改清单");
    EXPECT_EQ(ns.cell(0, 6).text, english ? "Time left" : "剩余时间");
    ASSERT_GE(ns.rows.size(), 2u);
    const auto kind = ns.cell(1, 1).text;
    EXPECT_TRUE(english ? (kind == "Reminder card" || kind == "Rectification notice")
                        : (kind == "提醒卡" || kind == "整改通知单"))
        << kind;
    const auto left = ns.cell(1, 6).text;
    EXPECT_NE(left.find(english ? " h left" : "剩余"), std::string::npos) << left;

    auto rx = in_lang(*office, lang, "/api/v1/responsibility.xlsx");
    ASSERT_EQ(rx.status, 200);
    const auto rs = xlsx_sheet(rx.body);
    EXPECT_EQ(rs.name, english ? "Responsibility list" : "责任清单");
    EXPECT_EQ(rs.cell(0, 0).text, english ? "Responsible unit" : "责任单位");
  }

  // The notice PDF, read back as text.
  auto pz = in_lang(*office, "zh-CN", pdf_url);
  auto pe = in_lang(*office, "en", pdf_url);
  ASSERT_EQ(pz.status, 200);
  ASSERT_EQ(pe.status, 200);
  const auto tz = pdf_text(pz.body);
  const auto te = pdf_text(pe.body);
  EXPECT_NE(tz.find("问题编号"), std::string::npos) << tz;
  EXPECT_NE(tz.find("永泰街道："), std::string::npos) << tz;
  EXPECT_NE(tz.find("注："), std::string::npos) << tz;
  EXPECT_NE(te.find("Caseno."), std::string::npos) << te;  // pdf_text drops the spaces
  EXPECT_NE(te.find("Note:"), std::string::npos) << te;
  EXPECT_NE(te.find("To永泰街道:"), std::string::npos) << te;
  EXPECT_EQ(te.find("问题编号"), std::string::npos) << te;
  EXPECT_EQ(te.find("注："), std::string::npos) << te;

  // A document opened in a new tab names the app's language in ?lang= (the browser's own
  // Accept-Language says Chinese here).
  auto pl = office->request("GET", pdf_url + "?lang=en", "", {{"Accept-Language", "zh-CN"}});
  ASSERT_EQ(pl.status, 200);
  EXPECT_NE(pdf_text(pl.body).find("Caseno."), std::string::npos);

  // Every key the code asked for on the way was there, in both languages.
  EXPECT_EQ(app::missing_message_keys(), missing_before);
}

TEST_P(Wording, ADatabaseMadeBeforeTheTemplatesGetsThemFromThePreset) {
  {
    auto lease = server().db().acquire();
    lease->execute("DELETE FROM message_templates WHERE tenant_id = ?", {std::int64_t{1}});
    EXPECT_FALSE(storage::ConfigRepo(*lease, 1).has_message_templates());
  }
  auto loaded = app::ensure_message_templates(
      server().ctx(), std::filesystem::path(CIVICLOOP_SOURCE_DIR) / "presets");
  ASSERT_TRUE(loaded) << loaded.error().code;
  EXPECT_EQ(*loaded, 1);
  auto again = app::ensure_message_templates(
      server().ctx(), std::filesystem::path(CIVICLOOP_SOURCE_DIR) / "presets");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "a tenant with templates is left as it is";
  {
    auto lease = server().db().acquire();
    const auto m = app::read_messages(*lease, 1);
    EXPECT_EQ(m.text("zh-CN", "state.closed"), "已销号");
    EXPECT_EQ(m.text("en", "state.closed"), "Closed");
  }
  // And the server words its answers with them again.
  auto office = server().login("office");
  auto x = in_lang(*office, "en", "/api/v1/notices.xlsx");
  ASSERT_EQ(x.status, 200);
  EXPECT_EQ(xlsx_sheet(x.body).name, "Rectification list");
}

INSTANTIATE_TEST_SUITE_P(Backends, Wording, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
