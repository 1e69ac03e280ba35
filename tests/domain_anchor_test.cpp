#include "domain/anchor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace civicloop::ledger {
namespace {

constexpr Millis kT0 = 1795813500000;  // 2026-11-27T21:05:00Z

// RFC 8032, section 7.1, test 1.
constexpr const char* kRfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kRfcPublic =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* kRfcEmptySignature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";

SigningKey rfc_key() { return *SigningKey::from_seed_hex(kRfcSeed); }

std::vector<Event> chain_of(int n) {
  std::vector<Event> chain;
  for (int i = 1; i <= n; ++i) {
    Event e;
    e.tenant_id = 1;
    e.seq = i;
    e.at = kT0 + i * 1000;
    e.actor_name = "system";
    e.entity_type = "org_unit";
    e.entity_id = 100 + i;
    e.action = "update";
    e.after = R"({"name":"名)" + std::to_string(i) + R"("})";
    e.prev_hash = i == 1 ? kGenesisHash : chain.back().hash;
    e.hash = compute_hash(e);
    chain.push_back(e);
  }
  return chain;
}

// Events from `from` on get another note and are relinked: the chain alone still verifies.
void rewrite_from(std::vector<Event>& chain, std::int64_t from) {
  for (auto& e : chain) {
    if (e.seq < from) continue;
    e.note = "改写";
    e.prev_hash = e.seq == 1 ? kGenesisHash : chain[e.seq - 2].hash;
    e.hash = compute_hash(e);
  }
}

Anchor anchor_of(const SigningKey& key, const std::vector<Event>& chain, std::int64_t seq) {
  return make_anchor(key, 1, seq, chain[seq - 1].hash, kT0 + seq);
}

bool chain_alone_verifies(const std::vector<Event>& chain) {
  Verifier v;
  for (const auto& e : chain) v.feed(e);
  return v.finish(chain.back().seq, chain.back().hash).ok;
}

TEST(AnchorSign, KeysFollowRfc8032) {
  const auto key = rfc_key();
  EXPECT_EQ(key.public_key().hex(), kRfcPublic);
  EXPECT_EQ(key.sign(""), kRfcEmptySignature);
  EXPECT_EQ(key.seed_hex(), kRfcSeed);
  EXPECT_EQ(key.key_id().size(), 16u);
  EXPECT_EQ(key.key_id(), key_id_of(key.public_key().bytes()));
  EXPECT_EQ(PublicKey::from_hex(kRfcPublic)->key_id(), key.key_id());
  // Upper-case hex reads the same key.
  std::string upper = kRfcPublic;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(PublicKey::from_hex(upper)->hex(), kRfcPublic);
  for (const char* bad :
       {"", "d75a98", "zz5a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00"}) {
    EXPECT_FALSE(PublicKey::from_hex(bad)) << bad;
    EXPECT_FALSE(SigningKey::from_seed_hex(bad)) << bad;
  }
}

TEST(AnchorSign, GeneratedKeysDiffer) {
  const auto a = SigningKey::generate();
  const auto b = SigningKey::generate();
  EXPECT_NE(a.public_key().hex(), b.public_key().hex());
  EXPECT_NE(a.key_id(), b.key_id());
  EXPECT_EQ(SigningKey::from_seed_hex(a.seed_hex())->public_key().hex(), a.public_key().hex());
}

TEST(AnchorSign, TheCanonicalTextIsStable) {
  Anchor a;
  a.tenant_id = 3;
  a.seq = 1234;
  a.head_hash = std::string(64, 'a');
  a.at = kT0;
  a.key_id = "0123456789abcdef";
  a.signature = "ignored";
  EXPECT_EQ(anchor_signing_text(a),
            "civicloop-anchor-v1 tenant_id=3 seq=1234 "
            "head_hash=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
            "at=1795813500000 key_id=0123456789abcdef");
  // Pinned (computed apart from this code with libsodium): the text and the signing must never
  // change, or anchors already written would stop verifying.
  const auto signed_anchor = make_anchor(rfc_key(), 3, 1234, std::string(64, 'a'), kT0);
  EXPECT_EQ(signed_anchor.key_id, "21fe31dfa154a261");
  EXPECT_EQ(signed_anchor.signature,
            "c9d50607d7070eb9fcffa5d30e6becc9c49f60342e76d03d337c248f81f90ca3d1d6d1b44f2484f09ff281"
            "acc01cf584dfe9185685adbe0dc374a73a5a7f920b");
  EXPECT_EQ(check_anchor(signed_anchor, {rfc_key().public_key()}), AnchorValidity::kValid);
}

TEST(AnchorSign, EveryFieldIsCoveredBySignature) {
  const auto key = rfc_key();
  const std::vector<PublicKey> keys{key.public_key()};
  const auto good = make_anchor(key, 1, 50, std::string(64, 'b'), kT0);
  ASSERT_EQ(check_anchor(good, keys), AnchorValidity::kValid);
  std::vector<Anchor> forged(5, good);
  forged[0].tenant_id = 2;
  forged[1].seq = 51;
  forged[2].head_hash = std::string(64, 'c');
  forged[3].at += 1;
  forged[4].signature[10] = forged[4].signature[10] == '0' ? '1' : '0';
  for (std::size_t i = 0; i < forged.size(); ++i) {
    EXPECT_EQ(check_anchor(forged[i], keys), AnchorValidity::kBadSignature) << i;
  }
}

TEST(AnchorSign, WrongKeyIsUnknownAndMalformedFieldsAreMalformed) {
  const auto key = rfc_key();
  const auto other = SigningKey::generate();
  const auto a = make_anchor(key, 1, 50, std::string(64, 'b'), kT0);
  EXPECT_EQ(check_anchor(a, {other.public_key()}), AnchorValidity::kUnknownKey);
  EXPECT_EQ(check_anchor(a, {}), AnchorValidity::kUnknownKey);
  // A key id relabelled to the other key's: the other key does not verify it.
  auto relabelled = a;
  relabelled.key_id = other.key_id();
  EXPECT_EQ(check_anchor(relabelled, {key.public_key(), other.public_key()}),
            AnchorValidity::kBadSignature);
  std::vector<Anchor> bad(6, a);
  bad[0].tenant_id = 0;
  bad[1].seq = 0;
  bad[2].head_hash = std::string(64, 'B');  // upper case is not the canonical form
  bad[3].key_id = "xyz";
  bad[4].signature = "00";
  bad[5].at = -1;
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(check_anchor(bad[i], {key.public_key()}), AnchorValidity::kMalformed) << i;
  }
  EXPECT_EQ(to_string(AnchorValidity::kUnknownKey), "unknown_key");
  EXPECT_EQ(to_string(AnchorValidity::kBadSignature), "bad_signature");
}

TEST(AnchorCheck, AnIntactChainMatchesEveryAnchor) {
  const auto key = rfc_key();
  const auto chain = chain_of(20);
  const auto r = check_anchors(
      chain, {anchor_of(key, chain, 5), anchor_of(key, chain, 20), anchor_of(key, chain, 12)},
      {key.public_key()});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.valid, 3);
  EXPECT_EQ(r.matched, 3);
  EXPECT_EQ(r.last_matched_seq, 20);
  EXPECT_FALSE(r.mismatch_seq);
}

TEST(AnchorCheck, ARewrittenTailIsCaughtThoughTheChainVerifies) {
  const auto key = rfc_key();
  auto chain = chain_of(20);
  const std::vector<Anchor> anchors{anchor_of(key, chain, 5), anchor_of(key, chain, 12),
                                    anchor_of(key, chain, 20)};
  rewrite_from(chain, 9);
  ASSERT_TRUE(chain_alone_verifies(chain));
  const auto r = check_anchors(chain, anchors, {key.public_key()});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.mismatch_seq, 12);
  EXPECT_EQ(r.mismatch_reason, "rewritten");
  EXPECT_EQ(r.first_suspect_seq, 6);  // the anchor at 5 still matches
  EXPECT_EQ(r.matched, 1);
  EXPECT_EQ(r.mismatched, 2);
  EXPECT_EQ(r.last_matched_seq, 5);
}

TEST(AnchorCheck, AdjacentAnchorsNameTheEventExactly) {
  const auto key = rfc_key();
  auto chain = chain_of(10);
  const std::vector<Anchor> anchors{anchor_of(key, chain, 6), anchor_of(key, chain, 7)};
  rewrite_from(chain, 7);
  const auto r = check_anchors(chain, anchors, {key.public_key()});
  EXPECT_EQ(r.mismatch_seq, 7);
  EXPECT_EQ(r.first_suspect_seq, 7);
}

TEST(AnchorCheck, WithNoEarlierAnchorTheRangeStartsAtOne) {
  const auto key = rfc_key();
  auto chain = chain_of(10);
  const std::vector<Anchor> anchors{anchor_of(key, chain, 8)};
  rewrite_from(chain, 3);
  const auto r = check_anchors(chain, anchors, {key.public_key()});
  EXPECT_EQ(r.mismatch_seq, 8);
  EXPECT_EQ(r.first_suspect_seq, 1);
}

TEST(AnchorCheck, AnEventOnlyEditedInPlaceDoesNotMatchEither) {
  // The stored hash kept, the content changed: the anchored event's recomputed hash differs.
  const auto key = rfc_key();
  auto chain = chain_of(5);
  const auto a = anchor_of(key, chain, 5);
  chain[4].note = "悄悄改";
  const auto r = check_anchors(chain, {a}, {key.public_key()});
  EXPECT_EQ(r.mismatch_seq, 5);
  EXPECT_EQ(r.mismatch_reason, "rewritten");
}

TEST(AnchorCheck, ATruncatedChainIsMissingAtTheAnchor) {
  const auto key = rfc_key();
  auto chain = chain_of(10);
  const std::vector<Anchor> anchors{anchor_of(key, chain, 4), anchor_of(key, chain, 10)};
  chain.resize(7);  // events 8-10 removed and the head set back to 7
  ASSERT_TRUE(chain_alone_verifies(chain));
  const auto r = check_anchors(chain, anchors, {key.public_key()});
  EXPECT_EQ(r.mismatch_seq, 10);
  EXPECT_EQ(r.mismatch_reason, "missing");
  EXPECT_EQ(r.first_suspect_seq, 5);
  // A gap in the middle is missing at the anchored seq too.
  auto gapped = chain_of(10);
  gapped.erase(gapped.begin() + 3);  // no event 4
  const auto g = check_anchors(gapped, anchors, {key.public_key()});
  EXPECT_EQ(g.mismatch_seq, 4);
  EXPECT_EQ(g.mismatch_reason, "missing");
}

TEST(AnchorCheck, InvalidAnchorsAreReportedApartFromARewrite) {
  const auto key = rfc_key();
  const auto stranger = SigningKey::generate();
  const auto chain = chain_of(10);
  auto forged = anchor_of(key, chain, 8);
  forged.head_hash = std::string(64, 'e');  // moved without the key: the signature fails
  const auto unknown = anchor_of(stranger, chain, 9);
  const auto r =
      check_anchors(chain, {anchor_of(key, chain, 5), forged, unknown}, {key.public_key()});
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.mismatch_seq);  // the chain itself matches every valid anchor
  EXPECT_EQ(r.valid, 1);
  EXPECT_EQ(r.matched, 1);
  ASSERT_EQ(r.invalid.size(), 2u);
  EXPECT_EQ(r.invalid[0].anchor.seq, 8);
  EXPECT_EQ(r.invalid[0].why, AnchorValidity::kBadSignature);
  EXPECT_EQ(r.invalid[1].anchor.seq, 9);
  EXPECT_EQ(r.invalid[1].why, AnchorValidity::kUnknownKey);
}

TEST(AnchorCheck, AfterARotationOldAnchorsVerifyWithTheOldPublicKey) {
  const auto old_key = rfc_key();
  const auto new_key = SigningKey::generate();
  const auto chain = chain_of(10);
  const std::vector<Anchor> anchors{anchor_of(old_key, chain, 3), anchor_of(old_key, chain, 6),
                                    anchor_of(new_key, chain, 9)};
  const auto both = check_anchors(chain, anchors, {new_key.public_key(), old_key.public_key()});
  EXPECT_TRUE(both.ok());
  EXPECT_EQ(both.matched, 3);
  const auto new_only = check_anchors(chain, anchors, {new_key.public_key()});
  EXPECT_FALSE(new_only.ok());
  EXPECT_EQ(new_only.matched, 1);
  ASSERT_EQ(new_only.invalid.size(), 2u);
  EXPECT_EQ(new_only.invalid[0].why, AnchorValidity::kUnknownKey);
}

TEST(AnchorCheck, TwoAnchorsOfOneSeqThatDisagree) {
  // After a restore from a backup, the same seq may have been anchored with two hashes.
  const auto key = rfc_key();
  auto chain = chain_of(6);
  const auto before = anchor_of(key, chain, 3);
  auto restored = chain;
  rewrite_from(restored, 2);
  const auto after = anchor_of(key, restored, 3);
  const auto r =
      check_anchors(chain, {anchor_of(key, chain, 1), before, after}, {key.public_key()});
  EXPECT_EQ(r.mismatch_seq, 3);
  EXPECT_EQ(r.first_suspect_seq, 2);  // the anchor at 1 still matches
  EXPECT_EQ(r.matched, 2);
}

TEST(AnchorCheck, TheCheckerStopsWantingEventsAfterTheLastAnchor) {
  const auto key = rfc_key();
  const auto chain = chain_of(10);
  AnchorChecker checker({anchor_of(key, chain, 4)}, {key.public_key()});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(checker.wants_more());
    checker.feed(chain[i]);
  }
  checker.feed(chain[3]);
  EXPECT_FALSE(checker.wants_more());
  EXPECT_TRUE(checker.finish().ok());
  AnchorChecker none({}, {key.public_key()});
  EXPECT_FALSE(none.wants_more());
  EXPECT_TRUE(none.finish().ok());
}

}  // namespace
}  // namespace civicloop::ledger
