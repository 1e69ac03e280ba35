#include "domain/ledger.hpp"

#include <sodium.h>

#include <array>

namespace civicloop::ledger {

const std::string kGenesisHash(64, '0');

namespace {
// Length-prefixed fields, so that no two different events serialise to the same bytes.
void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}
void put_opt(std::string& out, const std::optional<std::string>& field) {
  if (field) {
    put(out, *field);
  } else {
    out += "-;";
  }
}
}  // namespace

std::string compute_hash(const Event& e) {
  std::string data;
  data.reserve(256 + (e.before ? e.before->size() : 0) + (e.after ? e.after->size() : 0));
  put(data, "civicloop-ledger-v1");
  put(data, std::to_string(e.tenant_id));
  put(data, std::to_string(e.seq));
  put(data, std::to_string(e.at));
  put_opt(data, e.actor_user_id ? std::optional<std::string>(std::to_string(*e.actor_user_id))
                                : std::nullopt);
  put(data, e.actor_name);
  put(data, e.entity_type);
  put(data, std::to_string(e.entity_id));
  put(data, e.action);
  put_opt(data, e.before);
  put_opt(data, e.after);
  put_opt(data, e.note);
  put(data, e.prev_hash);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  std::string hex(digest.size() * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, digest.data(), digest.size());
  return hex;
}

bool Verifier::feed(const Event& event) {
  if (!result_.ok) return false;
  if (event.seq != expected_seq_) {
    result_.ok = false;
    result_.bad_seq = expected_seq_;
    result_.reason = "missing";
    return false;
  }
  if (event.prev_hash != prev_hash_ || compute_hash(event) != event.hash) {
    result_.ok = false;
    result_.bad_seq = event.seq;
    result_.reason = "altered";
    return false;
  }
  prev_hash_ = event.hash;
  ++expected_seq_;
  ++result_.events;
  return true;
}

VerifyResult Verifier::finish(std::int64_t head_seq, const std::string& head_hash) {
  if (result_.ok) {
    const std::int64_t last = expected_seq_ - 1;
    if (last < head_seq) {
      // Events at the end were deleted: the head remembers more than the table holds.
      result_.ok = false;
      result_.bad_seq = last + 1;
      result_.reason = "missing";
    } else if (last > head_seq || (head_seq > 0 && head_hash != prev_hash_)) {
      result_.ok = false;
      result_.bad_seq = head_seq;
      result_.reason = "head_mismatch";
    }
  }
  return result_;
}

}  // namespace civicloop::ledger
