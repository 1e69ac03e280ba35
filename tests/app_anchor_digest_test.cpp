// The daily anchor digest on each backend: off by default; once the office turns it on, a robot on
// 127.0.0.1 gets one message a local day from 08:00 with the chain head, the event count and the
// last anchor; a second pass, a second cache (a restart) or a later hour the same day sends nothing
// more; the next day sends again; before 08:00 nothing goes.
#include "app/anchor_digest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "http/server.hpp"
#include "jobs/scheduler.hpp"
#include "storage/ledger_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr Millis kHour = 3600 * 1000;
constexpr Millis kDay = 24 * kHour;

class AnchorDigest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    server_ = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(server_->ready());
    http::ServerOptions so;
    so.port = 0;
    so.threads = 1;
    receiver_ = std::make_unique<http::Server>(so, [this](http::Request& req) {
      std::lock_guard lock(mutex_);
      received_.push_back(req.body);
      return http::Response::json(200, R"({"errcode":0,"errmsg":"ok"})");
    });
    receiver_->start();
    office_ = server_->login("office");
    auto hook = office_->request(
        "POST", "/api/v1/webhooks",
        R"({"name":"创城工作群","flavour":"wecom","url":"http://127.0.0.1:)" +
            std::to_string(receiver_->port()) + R"(/cgi-bin/webhook/send?key=digest"})");
    ASSERT_EQ(hook.status, 201) << hook.body;
    dir_ = fs::path(::testing::TempDir()) /
           ("anchor-digest-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (receiver_) receiver_->stop(1);
    office_.reset();
    server_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void set_digest(bool on) {
    office_ = server_->login("office");  // the clock may have moved past the session's life
    auto now = office_->request("GET", "/api/v1/workflow");
    ASSERT_EQ(now.status, 200) << now.body;
    auto w = parse(now).as_object();
    EXPECT_FALSE(w.at("anchor_digest").is_null());
    w["anchor_digest"] = on;
    auto put = office_->request("PUT", "/api/v1/workflow", json::serialize(w));
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(parse(put).at("anchor_digest").as_bool(), on);
  }

  // One scheduler step at the server clock's time: the digest pass, then the outbox.
  app::DigestPassStats step(app::CaseConfigCache& cache, const app::Anchorer* anchorer) {
    auto s = app::queue_anchor_digests(server_->ctx(), cache, anchorer, server_->clock().now());
    jobs::deliver_outbox(server_->ctx(), {});
    return s;
  }

  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  storage::LedgerHead head() {
    auto lease = server_->db().acquire();
    return storage::LedgerRepo(*lease, 1).head();
  }

  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<http::Server> receiver_;
  std::unique_ptr<TestClient> office_;
  std::mutex mutex_;
  std::vector<std::string> received_;
  fs::path dir_;
};

TEST_P(AnchorDigest, OncePerLocalDayFromEightWithTheHeadTheCountAndTheLastAnchor) {
  app::CaseConfigCache cache(server_->ctx());
  // Off by default (the preset's choice): nothing goes, however often the scheduler passes.
  EXPECT_EQ(step(cache, nullptr).messages, 0);
  EXPECT_TRUE(received().empty());

  set_digest(true);
  app::Anchorer anchorer(server_->ctx(), (dir_ / "anchors.jsonl").string(),
                         ledger::SigningKey::generate(), kHour);
  ASSERT_TRUE(anchorer.load());
  ASSERT_EQ(anchorer.pass(true).written, 1);
  const auto anchored = anchorer.last_anchor(1);
  ASSERT_TRUE(anchored.has_value());
  const auto h = head();
  ASSERT_GT(h.seq, 0);

  // The fixture's clock stands at 09:30 in Pingcheng: the day's digest goes now.
  const auto first = step(cache, &anchorer);
  EXPECT_EQ(first.tenants, 1);
  EXPECT_EQ(first.messages, 1);
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  std::string text;
  text += strings_of(json::parse(got[0]));
  EXPECT_NE(text.find("台账摘要 2026-11-30"), std::string::npos) << text;
  EXPECT_NE(text.find(h.hash), std::string::npos) << text;
  EXPECT_NE(text.find("记录总数：" + std::to_string(h.seq) + " 条"), std::string::npos) << text;
  EXPECT_NE(text.find("至第 " + std::to_string(anchored->seq) + " 条"), std::string::npos) << text;
  EXPECT_NE(text.find("2026-11-30 09:30"), std::string::npos) << text;  // the anchor's local time

  // Again the same day: not by this pass, not after a restart (a new cache), not later that day.
  EXPECT_EQ(step(cache, &anchorer).messages, 0);
  app::CaseConfigCache restarted(server_->ctx());
  EXPECT_EQ(step(restarted, nullptr).messages, 0);
  server_->clock().advance(12 * kHour);  // 21:30 the same day
  EXPECT_EQ(step(restarted, &anchorer).messages, 0);
  EXPECT_EQ(received().size(), 1u) << "a day sent twice";

  // 07:30 the next day: not yet; 08:00: the new day's digest, without an anchor file this time.
  server_->clock().advance(10 * kHour);
  EXPECT_EQ(step(restarted, nullptr).messages, 0);
  server_->clock().advance(kHour / 2);
  EXPECT_EQ(step(restarted, nullptr).messages, 1);
  got = received();
  ASSERT_EQ(got.size(), 2u);
  text.clear();
  text += strings_of(json::parse(got[1]));
  EXPECT_NE(text.find("台账摘要 2026-12-01"), std::string::npos) << text;
  EXPECT_NE(text.find("尚未锚定"), std::string::npos) << text;
  EXPECT_EQ(step(restarted, nullptr).messages, 0);

  // Turned off again: the day after sends nothing.
  set_digest(false);
  server_->clock().advance(kDay);
  EXPECT_EQ(step(restarted, &anchorer).messages, 0);
  EXPECT_EQ(received().size(), 2u);
  server_->clock().set(ApiServer::kStartTime);
}

INSTANTIATE_TEST_SUITE_P(Backends, AnchorDigest, ::testing::ValuesIn(test_backends()),
                         backend_name);

}  // namespace
}  // namespace civicloop::test
