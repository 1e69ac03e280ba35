// Anchors: signed checkpoints of a tenant's ledger head, kept outside the database.
//
// The hash chain (ledger.hpp) catches an edit of any event, but not someone who rewrites every
// later event and the head with consistent hashes. An anchor is the pair (seq, hash of event seq)
// at some moment, signed with an Ed25519 key the database never sees. Whoever rewrites event k
// changes the hash of every event from k on, so every anchor at or after k stops matching; the
// first anchor that no longer matches, and the last one before it that still does, bound the first
// rewritten event.
//
// What is signed is anchor_signing_text(): one line of ASCII, fields in a fixed order,
//
//   civicloop-anchor-v1 tenant_id=<decimal> seq=<decimal> head_hash=<64 hex> at=<decimal ms>
//   key_id=<16 hex>
//
// (one line, single spaces, no trailing newline; hex is lower case). The key id is the first 8
// bytes of SHA-256 of the 32-byte public key, in hex. docs/security.md describes the file format.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.hpp"
#include "domain/ledger.hpp"

namespace civicloop::ledger {

struct Anchor {
  std::int64_t tenant_id = 0;
  std::int64_t seq = 0;   // the anchored event (the head when the anchor was taken)
  std::string head_hash;  // hex SHA-256 of event seq
  Millis at = 0;          // when the anchor was taken
  std::string key_id;     // 16 hex: which key signed it
  std::string signature;  // 128 hex: Ed25519 over anchor_signing_text()
};

// The text the signature covers (see the top of this file).
std::string anchor_signing_text(const Anchor& a);

// Field shapes: tenant_id and seq positive, at not negative, lower-case hex of the right lengths.
bool anchor_well_formed(const Anchor& a);

class PublicKey {
 public:
  static constexpr std::size_t kBytes = 32;
  // 64 hex digits (either case); nullopt otherwise.
  static std::optional<PublicKey> from_hex(std::string_view hex);
  std::string hex() const;
  const std::string& key_id() const { return key_id_; }
  const std::array<unsigned char, kBytes>& bytes() const { return bytes_; }

 private:
  friend class SigningKey;
  explicit PublicKey(const unsigned char* bytes);
  std::array<unsigned char, kBytes> bytes_{};
  std::string key_id_;
};

// The first 8 bytes of SHA-256 of the public key, 16 lower-case hex digits.
std::string key_id_of(const std::array<unsigned char, PublicKey::kBytes>& public_key);

// An Ed25519 signing key. Its secret bytes are wiped when it goes.
class SigningKey {
 public:
  static constexpr std::size_t kSeedBytes = 32;
  static SigningKey generate();
  // The 32-byte seed as 64 hex digits (the key file's content); nullopt otherwise.
  static std::optional<SigningKey> from_seed_hex(std::string_view hex);
  SigningKey(const SigningKey& other);
  SigningKey& operator=(const SigningKey& other);
  ~SigningKey();

  std::string seed_hex() const;
  const PublicKey& public_key() const { return public_; }
  const std::string& key_id() const { return public_.key_id(); }
  // Detached Ed25519 signature of `message`, 128 hex digits.
  std::string sign(std::string_view message) const;

 private:
  explicit SigningKey(const unsigned char* seed);
  std::array<unsigned char, 64> secret_{};  // libsodium's secret key: seed, then public key
  PublicKey public_;
};

// A signed anchor of event `seq` whose hash is `head_hash`.
Anchor make_anchor(const SigningKey& key, std::int64_t tenant_id, std::int64_t seq,
                   std::string head_hash, Millis at);

enum class AnchorValidity { kValid, kMalformed, kUnknownKey, kBadSignature };
std::string_view to_string(AnchorValidity v);  // "valid", "malformed", "unknown_key", ...

// Checks the signature with the key named by key_id among `keys` (several, after a rotation).
AnchorValidity check_anchor(const Anchor& a, const std::vector<PublicKey>& keys);

struct InvalidAnchor {
  Anchor anchor;
  AnchorValidity why = AnchorValidity::kMalformed;
};

struct AnchorCheckResult {
  bool ok() const { return invalid.empty() && !mismatch_seq; }
  std::int64_t valid = 0;                        // anchors with a good signature
  std::int64_t matched = 0;                      // ... whose event still has the anchored hash
  std::int64_t mismatched = 0;                   // ... whose event does not (or is gone)
  std::optional<std::int64_t> last_matched_seq;  // the highest anchored seq that still matches
  std::vector<InvalidAnchor> invalid;            // unknown key, bad signature, malformed
  // The lowest anchored seq whose event no longer matches: "rewritten" (its hash differs) or
  // "missing" (the chain has no event there).
  std::optional<std::int64_t> mismatch_seq;
  std::string mismatch_reason;
  // The first changed event lies in [first_suspect_seq, mismatch_seq]: just after the highest
  // anchor below mismatch_seq (which still matches), or 1 when there is none. When both are the
  // same seq, that event is named exactly.
  std::int64_t first_suspect_seq = 0;
};

// Compares one tenant's chain with its anchors. Feed the events in seq order (gaps allowed: an
// anchored seq that is skipped is "missing"), then finish(). An event matches an anchor when both
// its stored hash and the hash recomputed from its content equal the anchored hash.
class AnchorChecker {
 public:
  // `anchors` of one tenant, in any order; signatures are checked here.
  AnchorChecker(const std::vector<Anchor>& anchors, const std::vector<PublicKey>& keys);
  // False once every valid anchor has been compared: later events cannot change the result.
  bool wants_more() const { return next_ < pending_.size(); }
  void feed(const Event& event);
  // Anchors past the last event fed are "missing".
  AnchorCheckResult finish();

 private:
  void settle(const Anchor& a, bool matches, const char* reason);
  std::vector<Anchor> pending_;  // valid anchors, by seq
  std::size_t next_ = 0;
  std::int64_t current_seq_ = 0;                       // the seq of the anchors being compared
  std::optional<std::int64_t> matched_below_current_;  // the highest matched seq below it
  AnchorCheckResult result_;
};

// The whole check over events in memory (tests, small chains).
AnchorCheckResult check_anchors(const std::vector<Event>& events,
                                const std::vector<Anchor>& anchors,
                                const std::vector<PublicKey>& keys);

}  // namespace civicloop::ledger
