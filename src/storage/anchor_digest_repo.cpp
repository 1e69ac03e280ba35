#include "storage/anchor_digest_repo.hpp"

namespace civicloop::storage {

bool AnchorDigestRepo::record(const AnchorDigest& d) {
  return c_.execute(
             "INSERT INTO anchor_digests (tenant_id, day, head_seq, head_hash, sent_at) "
             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, day) DO NOTHING",
             {tenant_, d.day, d.head_seq, d.head_hash, d.sent_at}) == 1;
}

std::optional<AnchorDigest> AnchorDigestRepo::last() {
  auto rows = c_.query(
      "SELECT day, head_seq, head_hash, sent_at FROM anchor_digests WHERE tenant_id = ? "
      "ORDER BY day DESC LIMIT 1",
      {tenant_});
  if (rows.empty()) return std::nullopt;
  AnchorDigest d;
  d.day = rows[0].get_text(0);
  d.head_seq = rows[0].get_int(1);
  d.head_hash = rows[0].get_text(2);
  d.sent_at = rows[0].get_int(3);
  return d;
}

}  // namespace civicloop::storage
