#include "domain/ledger.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace civicloop::ledger {
namespace {

constexpr Millis kT0 = 1795813500000;  // 2026-11-27T21:05:00Z

// Event n of tenant 1, not yet linked.
Event raw_event(std::int64_t seq) {
  Event e;
  e.tenant_id = 1;
  e.seq = seq;
  e.at = kT0 + seq * 1000;
  e.actor_user_id = 7;
  e.actor_name = "办公室管理员";
  e.entity_type = "org_unit";
  e.entity_id = 100 + seq;
  e.action = seq == 1 ? "create" : "update";
  if (seq > 1) e.before = R"({"name":"旧名)" + std::to_string(seq) + R"("})";
  e.after = R"({"name":"新名)" + std::to_string(seq) + R"("})";
  return e;
}

// Links events as LedgerRepo::append does: each prev_hash is the hash before it.
void relink(std::vector<Event>& chain, std::size_t from = 0) {
  for (std::size_t i = from; i < chain.size(); ++i) {
    chain[i].prev_hash = i == 0 ? kGenesisHash : chain[i - 1].hash;
    chain[i].hash = compute_hash(chain[i]);
  }
}

std::vector<Event> chain_of(int n) {
  std::vector<Event> chain;
  for (int i = 1; i <= n; ++i) chain.push_back(raw_event(i));
  relink(chain);
  return chain;
}

VerifyResult verify(const std::vector<Event>& events, std::int64_t head_seq,
                    const std::string& head_hash) {
  Verifier v;
  for (const auto& e : events) {
    if (!v.feed(e)) break;
  }
  return v.finish(head_seq, head_hash);
}

VerifyResult verify_against_own_head(const std::vector<Event>& chain) {
  return verify(chain, chain.back().seq, chain.back().hash);
}

TEST(LedgerHash, GenesisIs64Zeros) { EXPECT_EQ(kGenesisHash, std::string(64, '0')); }

TEST(LedgerHash, IsLowercaseHexSha256AndDeterministic) {
  auto e = raw_event(1);
  e.prev_hash = kGenesisHash;
  const auto h = compute_hash(e);
  ASSERT_EQ(h.size(), 64u);
  for (const char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
  EXPECT_EQ(compute_hash(e), h);
  e.hash = "anything";  // the event's own hash field does not feed the hash
  EXPECT_EQ(compute_hash(e), h);
}

TEST(LedgerHash, EveryFieldIsCovered) {
  auto base = raw_event(2);
  base.prev_hash = kGenesisHash;
  base.note = "备注";
  const auto h = compute_hash(base);
  std::vector<Event> variants(11, base);
  variants[0].tenant_id = 2;
  variants[1].seq = 3;
  variants[2].at += 1;
  variants[3].actor_user_id = 8;
  variants[4].actor_name = "别人";
  variants[5].entity_type = "person";
  variants[6].entity_id += 1;
  variants[7].action = "move";
  variants[8].before = R"({"name":"x"})";
  variants[9].note = "另一备注";
  variants[10].prev_hash = std::string(63, '0') + "1";
  std::set<std::string> seen{h};
  for (std::size_t i = 0; i < variants.size(); ++i) {
    EXPECT_TRUE(seen.insert(compute_hash(variants[i])).second) << "variant " << i;
  }
  auto after = base;
  after.after = R"({"name":"y"})";
  EXPECT_NE(compute_hash(after), h);
}

TEST(LedgerHash, AbsentOptionalDiffersFromEmptyString) {
  auto e = raw_event(2);
  e.prev_hash = kGenesisHash;
  for (auto field : {&Event::before, &Event::after, &Event::note}) {
    auto absent = e;
    auto empty = e;
    absent.*field = std::nullopt;
    empty.*field = "";
    EXPECT_NE(compute_hash(absent), compute_hash(empty));
  }
  auto system = e;
  system.actor_user_id = std::nullopt;
  auto user0 = e;
  user0.actor_user_id = 0;
  EXPECT_NE(compute_hash(system), compute_hash(user0));
}

TEST(LedgerHash, FieldBoundariesAreLengthPrefixed) {
  auto e = raw_event(2);
  e.prev_hash = kGenesisHash;
  auto a = e;
  auto b = e;
  a.entity_type = "ab";
  a.action = "c";
  b.entity_type = "a";
  b.action = "bc";
  EXPECT_NE(compute_hash(a), compute_hash(b));
  // Text that imitates the serialisation of a neighbour does not collide either.
  auto c = e;
  auto d = e;
  c.actor_name = "x";
  c.entity_type = "y";
  d.actor_name = "x;1:y";
  d.entity_type = "";
  EXPECT_NE(compute_hash(c), compute_hash(d));
  // "-;" is how an absent optional is written; as text it is still a present value.
  auto absent = e;
  auto dash = e;
  absent.note = std::nullopt;
  dash.note = "-";
  EXPECT_NE(compute_hash(absent), compute_hash(dash));
}

TEST(LedgerVerifier, IntactChainOfFiveIsOk) {
  const auto chain = chain_of(5);
  EXPECT_EQ(chain[0].prev_hash, kGenesisHash);
  for (std::size_t i = 1; i < chain.size(); ++i) EXPECT_EQ(chain[i].prev_hash, chain[i - 1].hash);
  const auto r = verify_against_own_head(chain);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.events, 5);
  EXPECT_EQ(r.bad_seq, std::nullopt);
  EXPECT_EQ(r.reason, "");
}

TEST(LedgerVerifier, EmptyChainWithHeadZeroIsOk) {
  Verifier v;
  const auto r = v.finish(0, kGenesisHash);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.events, 0);
  EXPECT_EQ(r.bad_seq, std::nullopt);
}

TEST(LedgerVerifier, EmptyTableWithHeadAtThreeIsMissingFromOne) {
  const auto chain = chain_of(3);
  const auto r = verify({}, 3, chain.back().hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 1);
  EXPECT_EQ(r.reason, "missing");
}

TEST(LedgerVerifier, AlteredNoteInEventThree) {
  auto chain = chain_of(5);
  const auto head = chain.back().hash;
  chain[2].note = "事后补记";
  const auto r = verify(chain, 5, head);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
  EXPECT_EQ(r.events, 2);  // 1 and 2 checked fine
}

TEST(LedgerVerifier, AlteredAfterInEventThree) {
  auto chain = chain_of(5);
  chain[2].after = R"({"name":"篡改"})";
  const auto r = verify(chain, 5, chain.back().hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
}

TEST(LedgerVerifier, AlteredActorInEventThree) {
  auto chain = chain_of(5);
  chain[2].actor_user_id = 99;
  auto r = verify(chain, 5, chain.back().hash);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
  chain = chain_of(5);
  chain[2].actor_name = "冒名";
  r = verify(chain, 5, chain.back().hash);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
}

TEST(LedgerVerifier, RehashedEventThreeBreaksTheLinkOfFour) {
  // Whoever alters 3 and recomputes its hash leaves 4 pointing at the old one.
  auto chain = chain_of(5);
  chain[2].note = "事后补记";
  chain[2].hash = compute_hash(chain[2]);
  const auto r = verify(chain, 5, chain.back().hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 4);
  EXPECT_EQ(r.reason, "altered");
}

TEST(LedgerVerifier, StoredHashEditedIsAltered) {
  auto chain = chain_of(5);
  chain[2].hash[0] = chain[2].hash[0] == 'a' ? 'b' : 'a';
  const auto r = verify(chain, 5, chain.back().hash);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
}

TEST(LedgerVerifier, FirstEventMustLinkToGenesis) {
  auto chain = chain_of(2);
  chain[0].prev_hash = std::string(64, 'f');
  chain[0].hash = compute_hash(chain[0]);  // self-consistent, but not linked to genesis
  relink(chain, 1);
  const auto r = verify_against_own_head(chain);
  EXPECT_EQ(r.bad_seq, 1);
  EXPECT_EQ(r.reason, "altered");
}

TEST(LedgerVerifier, EventThreeRemovedIsMissing) {
  auto chain = chain_of(5);
  const auto head = chain.back().hash;
  chain.erase(chain.begin() + 2);
  const auto r = verify(chain, 5, head);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "missing");
}

TEST(LedgerVerifier, LastEventRemovedIsMissingAtFive) {
  auto chain = chain_of(5);
  const auto head = chain.back().hash;
  chain.pop_back();
  const auto r = verify(chain, 5, head);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_EQ(r.reason, "missing");
  EXPECT_EQ(r.events, 4);
}

TEST(LedgerVerifier, ConsistentlyRewrittenTailIsAHeadMismatch) {
  auto chain = chain_of(5);
  const auto head = chain.back().hash;
  chain[2].note = "事后补记";
  relink(chain, 2);  // 3, 4 and 5 rehashed and relinked: the table alone looks fine
  ASSERT_NE(chain.back().hash, head);
  const auto r = verify(chain, 5, head);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_EQ(r.reason, "head_mismatch");
  EXPECT_EQ(r.events, 5);
}

TEST(LedgerVerifier, MoreEventsThanTheHeadIsAHeadMismatch) {
  auto chain = chain_of(5);
  const auto r = verify(chain, 4, chain[3].hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "head_mismatch");
}

TEST(LedgerVerifier, FeedStopsAfterTheFirstBreak) {
  auto chain = chain_of(5);
  chain[1].note = "x";  // break at 2
  chain[3].note = "y";  // a later break must not overwrite the first
  Verifier v;
  EXPECT_TRUE(v.feed(chain[0]));
  EXPECT_FALSE(v.feed(chain[1]));
  EXPECT_FALSE(v.feed(chain[2]));  // refused once broken
  EXPECT_FALSE(v.feed(chain[3]));
  const auto r = v.finish(5, chain.back().hash);
  EXPECT_EQ(r.bad_seq, 2);
  EXPECT_EQ(r.reason, "altered");
  EXPECT_EQ(r.events, 1);
}

}  // namespace
}  // namespace civicloop::ledger
