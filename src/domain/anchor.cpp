#include "domain/anchor.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace civicloop::ledger {

namespace {

bool is_lower_hex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string hex(n * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, bytes, n);
  return hex;
}

// Exactly `n` bytes from 2n hex digits (either case), nothing else.
bool from_hex(std::string_view hex, unsigned char* out, std::size_t n) {
  if (hex.size() != n * 2) return false;
  std::size_t got = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &got, &end) != 0) return false;
  return got == n && end == hex.data() + hex.size();
}

}  // namespace

std::string anchor_signing_text(const Anchor& a) {
  std::string s = "civicloop-anchor-v1";
  s += " tenant_id=" + std::to_string(a.tenant_id);
  s += " seq=" + std::to_string(a.seq);
  s += " head_hash=" + a.head_hash;
  s += " at=" + std::to_string(a.at);
  s += " key_id=" + a.key_id;
  return s;
}

bool anchor_well_formed(const Anchor& a) {
  return a.tenant_id > 0 && a.seq > 0 && a.at >= 0 && is_lower_hex(a.head_hash, 64) &&
         is_lower_hex(a.key_id, 16) && is_lower_hex(a.signature, crypto_sign_BYTES * 2);
}

std::string key_id_of(const std::array<unsigned char, PublicKey::kBytes>& public_key) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), public_key.data(), public_key.size());
  return to_hex(digest.data(), 8);
}

PublicKey::PublicKey(const unsigned char* bytes) {
  std::copy(bytes, bytes + kBytes, bytes_.begin());
  key_id_ = key_id_of(bytes_);
}

std::optional<PublicKey> PublicKey::from_hex(std::string_view hex) {
  std::array<unsigned char, kBytes> bytes{};
  if (!ledger::from_hex(hex, bytes.data(), bytes.size())) return std::nullopt;
  return PublicKey(bytes.data());
}

std::string PublicKey::hex() const { return to_hex(bytes_.data(), bytes_.size()); }

static_assert(crypto_sign_PUBLICKEYBYTES == PublicKey::kBytes);
static_assert(crypto_sign_SEEDBYTES == SigningKey::kSeedBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

namespace {
std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_of_seed(
    const unsigned char* seed, std::array<unsigned char, 64>& secret) {
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  if (crypto_sign_seed_keypair(pk.data(), secret.data(), seed) != 0) {
    throw std::runtime_error("crypto_sign_seed_keypair failed");
  }
  return pk;
}
}  // namespace

SigningKey::SigningKey(const unsigned char* seed)
    : public_([&] {
        auto pk = public_of_seed(seed, secret_);
        return PublicKey(pk.data());
      }()) {}

SigningKey::SigningKey(const SigningKey& other) : secret_(other.secret_), public_(other.public_) {}

SigningKey& SigningKey::operator=(const SigningKey& other) {
  secret_ = other.secret_;
  public_ = other.public_;
  return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

SigningKey SigningKey::generate() {
  std::array<unsigned char, kSeedBytes> seed{};
  randombytes_buf(seed.data(), seed.size());
  SigningKey key(seed.data());
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::optional<SigningKey> SigningKey::from_seed_hex(std::string_view hex) {
  std::array<unsigned char, kSeedBytes> seed{};
  std::optional<SigningKey> key;
  if (ledger::from_hex(hex, seed.data(), seed.size())) key.emplace(SigningKey(seed.data()));
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::string SigningKey::seed_hex() const { return to_hex(secret_.data(), kSeedBytes); }

std::string SigningKey::sign(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return to_hex(sig.data(), sig.size());
}

Anchor make_anchor(const SigningKey& key, std::int64_t tenant_id, std::int64_t seq,
                   std::string head_hash, Millis at) {
  Anchor a;
  a.tenant_id = tenant_id;
  a.seq = seq;
  a.head_hash = std::move(head_hash);
  a.at = at;
  a.key_id = key.key_id();
  a.signature = key.sign(anchor_signing_text(a));
  return a;
}

std::string_view to_string(AnchorValidity v) {
  switch (v) {
    case AnchorValidity::kValid:
      return "valid";
    case AnchorValidity::kMalformed:
      return "malformed";
    case AnchorValidity::kUnknownKey:
      return "unknown_key";
    case AnchorValidity::kBadSignature:
      return "bad_signature";
  }
  return "malformed";
}

AnchorValidity check_anchor(const Anchor& a, const std::vector<PublicKey>& keys) {
  if (!anchor_well_formed(a)) return AnchorValidity::kMalformed;
  const auto key = std::find_if(keys.begin(), keys.end(),
                                [&](const PublicKey& k) { return k.key_id() == a.key_id; });
  if (key == keys.end()) return AnchorValidity::kUnknownKey;
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  if (!from_hex(a.signature, sig.data(), sig.size())) return AnchorValidity::kMalformed;
  const auto text = anchor_signing_text(a);
  if (crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size(), key->bytes().data()) != 0) {
    return AnchorValidity::kBadSignature;
  }
  return AnchorValidity::kValid;
}

AnchorChecker::AnchorChecker(const std::vector<Anchor>& anchors,
                             const std::vector<PublicKey>& keys) {
  for (const auto& a : anchors) {
    const auto v = check_anchor(a, keys);
    if (v == AnchorValidity::kValid) {
      pending_.push_back(a);
    } else {
      result_.invalid.push_back({a, v});
    }
  }
  result_.valid = static_cast<std::int64_t>(pending_.size());
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Anchor& x, const Anchor& y) { return x.seq < y.seq; });
}

void AnchorChecker::settle(const Anchor& a, bool matches, const char* reason) {
  if (a.seq != current_seq_) {
    // Every anchor below a.seq has been compared; the highest that matched bounds the search.
    matched_below_current_ = result_.last_matched_seq;
    current_seq_ = a.seq;
  }
  if (matches) {
    ++result_.matched;
    result_.last_matched_seq = a.seq;
    return;
  }
  ++result_.mismatched;
  if (!result_.mismatch_seq) {
    result_.mismatch_seq = a.seq;
    result_.mismatch_reason = reason;
    result_.first_suspect_seq = matched_below_current_ ? *matched_below_current_ + 1 : 1;
  }
}

void AnchorChecker::feed(const Event& event) {
  while (next_ < pending_.size() && pending_[next_].seq < event.seq) {
    settle(pending_[next_++], false, "missing");
  }
  if (next_ >= pending_.size() || pending_[next_].seq != event.seq) return;
  const auto recomputed = compute_hash(event);
  while (next_ < pending_.size() && pending_[next_].seq == event.seq) {
    const auto& a = pending_[next_++];
    settle(a, event.hash == a.head_hash && recomputed == a.head_hash, "rewritten");
  }
}

AnchorCheckResult AnchorChecker::finish() {
  while (next_ < pending_.size()) settle(pending_[next_++], false, "missing");
  return result_;
}

AnchorCheckResult check_anchors(const std::vector<Event>& events,
                                const std::vector<Anchor>& anchors,
                                const std::vector<PublicKey>& keys) {
  AnchorChecker checker(anchors, keys);
  for (const auto& e : events) {
    if (!checker.wants_more()) break;
    checker.feed(e);
  }
  return checker.finish();
}

}  // namespace civicloop::ledger
