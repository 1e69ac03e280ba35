#include "app/anchor_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace civicloop::app {
namespace {

namespace fs = std::filesystem;

constexpr Millis kT0 = 1795813500000;

class AnchorFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("anchors-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static ledger::Anchor anchor(const ledger::SigningKey& key, std::int64_t tenant,
                               std::int64_t seq) {
    return ledger::make_anchor(key, tenant, seq, std::string(64, static_cast<char>('a' + seq % 6)),
                               kT0 + seq);
  }

  static std::vector<ledger::Anchor> read_all(const std::string& file, AnchorFileReport* report) {
    std::vector<ledger::Anchor> out;
    auto r = read_anchor_file(
        file, [&](ledger::Anchor a) { out.push_back(std::move(a)); }, false);
    EXPECT_TRUE(r.ok());
    if (r.ok() && report != nullptr) *report = *r;
    return out;
  }

  static std::string text_of(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static void append_raw(const std::string& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << bytes;
  }

  fs::path dir_;
};

TEST_F(AnchorFile, JsonLinesRoundTrip) {
  const auto key = ledger::SigningKey::generate();
  const auto a = anchor(key, 2, 77);
  const auto line = anchor_to_json(a);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind(R"({"v":1,"tenant_id":2,"seq":77,"head_hash":")", 0), 0u) << line;
  const auto back = anchor_from_json(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->tenant_id, 2);
  EXPECT_EQ(back->seq, 77);
  EXPECT_EQ(back->head_hash, a.head_hash);
  EXPECT_EQ(back->at, a.at);
  EXPECT_EQ(back->key_id, a.key_id);
  EXPECT_EQ(back->signature, a.signature);
  EXPECT_EQ(ledger::check_anchor(*back, {key.public_key()}), ledger::AnchorValidity::kValid);
  for (const char* bad :
       {"", "[]", "{}",
        R"({"v":2,"tenant_id":1,"seq":1,"head_hash":"x","at":1,"key_id":"k",)"
        R"("signature":"s"})",
        R"({"v":1,"tenant_id":"1","seq":1,"head_hash":"x","at":1,"key_id":"k","signature":"s"})",
        R"({"v":1,"tenant_id":1,"seq":1,"head_hash":"x","at":1,"key_id":"k")"}) {
    EXPECT_FALSE(anchor_from_json(bad)) << bad;
  }
}

TEST_F(AnchorFile, AppendCreatesTheFileAndReadingStreamsItInOrder) {
  const auto key = ledger::SigningKey::generate();
  const auto file = path("sub-anchors.jsonl");
  ASSERT_TRUE(append_anchors(file, {}));  // creates an empty file
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::file_size(file), 0u);
  ASSERT_TRUE(append_anchors(file, {anchor(key, 1, 10), anchor(key, 2, 3)}));
  ASSERT_TRUE(append_anchors(file, {anchor(key, 1, 12)}));
  AnchorFileReport report;
  const auto all = read_all(file, &report);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].seq, 10);
  EXPECT_EQ(all[1].tenant_id, 2);
  EXPECT_EQ(all[2].seq, 12);
  EXPECT_EQ(report.lines, 3);
  EXPECT_EQ(report.anchors, 3);
  EXPECT_TRUE(report.malformed_lines.empty());
  EXPECT_FALSE(report.torn_line);
  const auto text = text_of(file);
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(AnchorFile, ATornLastLineIsSkippedAndTheNextAppendStartsAFreshLine) {
  const auto key = ledger::SigningKey::generate();
  const auto file = path("anchors.jsonl");
  ASSERT_TRUE(append_anchors(file, {anchor(key, 1, 10)}));
  // A crash in the middle of the second write.
  const auto whole = anchor_to_json(anchor(key, 1, 11));
  append_raw(file, whole.substr(0, whole.size() / 2));
  AnchorFileReport report;
  auto got = read_all(file, &report);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(report.torn_line, 2);
  EXPECT_TRUE(report.malformed_lines.empty());
  // The server restarts and anchors again: the torn piece becomes a line of its own.
  ASSERT_TRUE(append_anchors(file, {anchor(key, 1, 12)}));
  got = read_all(file, &report);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].seq, 12);
  EXPECT_EQ(ledger::check_anchor(got[1], {key.public_key()}), ledger::AnchorValidity::kValid);
  EXPECT_EQ(report.malformed_lines, std::vector<std::int64_t>{2});
  EXPECT_FALSE(report.torn_line);
}

TEST_F(AnchorFile, ACompleteLastLineWithoutItsNewlineStillCounts) {
  const auto key = ledger::SigningKey::generate();
  const auto file = path("anchors.jsonl");
  append_raw(file, anchor_to_json(anchor(key, 1, 10)));  // the newline never reached the disk
  AnchorFileReport report;
  EXPECT_EQ(read_all(file, &report).size(), 1u);
  EXPECT_FALSE(report.torn_line);
  ASSERT_TRUE(append_anchors(file, {anchor(key, 1, 11)}));
  EXPECT_EQ(read_all(file, &report).size(), 2u);
  EXPECT_TRUE(report.malformed_lines.empty());
}

TEST_F(AnchorFile, AMissingFileIsEmptyOnlyWhenAllowed) {
  const auto file = path("none.jsonl");
  int calls = 0;
  auto ok = read_anchor_file(
      file, [&](ledger::Anchor) { ++calls; }, true);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->lines, 0);
  auto missing = read_anchor_file(
      file, [&](ledger::Anchor) { ++calls; }, false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "anchor.file_unreadable");
  EXPECT_EQ(calls, 0);
  auto unwritable = append_anchors(path("no/such/dir/a.jsonl"), {});
  ASSERT_FALSE(unwritable);
  EXPECT_EQ(unwritable.error().code, "anchor.file_unwritable");
}

TEST_F(AnchorFile, KeygenWrites0600AndNeverOverwrites) {
  const auto file = path("anchor.key");
  auto key = create_signing_key(file);
  ASSERT_TRUE(key) << key.error().code;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto loaded = load_signing_key(file);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->public_key().hex(), key->public_key().hex());
  auto pub = load_public_key(file + ".pub");
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->hex(), key->public_key().hex());
  const auto before = text_of(file);
  auto again = create_signing_key(file);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "anchor.key_exists");
  EXPECT_EQ(text_of(file), before);
  // A stray FILE.pub also stops it, before any secret is written.
  append_raw(path("other.key.pub"), "x\n");
  EXPECT_EQ(create_signing_key(path("other.key")).error().code, "anchor.key_exists");
  EXPECT_FALSE(fs::exists(path("other.key")));
}

TEST_F(AnchorFile, AKeyOthersMayReadIsRefused) {
  const auto file = path("anchor.key");
  ASSERT_TRUE(create_signing_key(file));
  for (const auto mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto r = load_signing_key(file);
    ASSERT_FALSE(r) << mode;
    EXPECT_EQ(r.error().code, "anchor.key_mode");
    EXPECT_EQ(r.error().field, file);
  }
  for (const auto mode : {0600, 0400}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    EXPECT_TRUE(load_signing_key(file)) << mode;
  }
  EXPECT_EQ(load_signing_key(path("none")).error().code, "anchor.key_unreadable");
  append_raw(path("bad.key"), "not a key\n");
  ASSERT_EQ(::chmod(path("bad.key").c_str(), 0600), 0);
  EXPECT_EQ(load_signing_key(path("bad.key")).error().code, "anchor.key_malformed");
}

TEST_F(AnchorFile, PublicKeysFromHexOrFile) {
  const auto key = ledger::SigningKey::generate();
  EXPECT_EQ(load_public_key(key.public_key().hex())->key_id(), key.key_id());
  append_raw(path("k.pub"), "# the district's anchor key, 2026\n" + key.public_key().hex() + "\n");
  EXPECT_EQ(load_public_key(path("k.pub"))->key_id(), key.key_id());
  EXPECT_EQ(load_public_key(path("none.pub")).error().code, "anchor.public_key_unreadable");
  append_raw(path("bad.pub"), "abc\n");
  EXPECT_EQ(load_public_key(path("bad.pub")).error().code, "anchor.public_key_malformed");
}

}  // namespace
}  // namespace civicloop::app
