// The anchor file and the key files (docs/security.md, "Ledger anchors").
//
// The anchor file is JSON Lines, one anchor per line, appended and never rewritten:
//
//   {"v":1,"tenant_id":1,"seq":1234,"head_hash":"<64 hex>","at":1795813500000,
//    "key_id":"<16 hex>","signature":"<128 hex>"}
//
// Appending opens the file with O_APPEND, writes whole lines and fsyncs it; a new file's directory
// is fsynced too, so the file itself survives a crash. A crash in the middle of a write leaves a
// torn last line: readers skip it with a warning, and the next append first ends it with a newline
// so that new anchors start on a line of their own (it is then a malformed line, skipped likewise).
//
// The secret key file holds the 32-byte Ed25519 seed as 64 hex digits on one line and must not be
// readable by group or others. A public key file holds the public key as 64 hex digits.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/anchor.hpp"
#include "domain/error.hpp"

namespace civicloop::app {

// One line of the file, without the newline.
std::string anchor_to_json(const ledger::Anchor& a);
// nullopt when the text is not an anchor object with every field of the right type.
std::optional<ledger::Anchor> anchor_from_json(std::string_view line);

struct AnchorFileReport {
  std::int64_t lines = 0;
  std::int64_t anchors = 0;
  std::vector<std::int64_t> malformed_lines;  // complete lines that are not anchors, skipped
  std::optional<std::int64_t> torn_line;      // an unfinished last line, skipped
};

// Reads the file line by line and calls fn for each anchor, in file order. A file that does not
// exist is empty when missing_ok, an error (anchor.file_unreadable) otherwise.
Expected<AnchorFileReport> read_anchor_file(const std::string& path,
                                            const std::function<void(ledger::Anchor)>& fn,
                                            bool missing_ok);

// Appends the anchors (one write) and fsyncs; creates the file (0640) and syncs its directory
// when it is new. An empty list only makes sure the file exists and can be appended to. Errors:
// anchor.file_unwritable (reason = the system's message).
Status append_anchors(const std::string& path, const std::vector<ledger::Anchor>& anchors);

// The secret key from its file. Errors: anchor.key_unreadable, anchor.key_mode (readable by group
// or others: the file must be 0600 or stricter), anchor.key_malformed.
Expected<ledger::SigningKey> load_signing_key(const std::string& path);

// Writes a new key file (0600, created exclusively: an existing file is never overwritten) and
// FILE.pub beside it with the public key. Errors: anchor.key_exists, anchor.key_unwritable.
Expected<ledger::SigningKey> create_signing_key(const std::string& path);

// A public key from 64 hex digits, or else from the file of that name. Errors:
// anchor.public_key_unreadable, anchor.public_key_malformed.
Expected<ledger::PublicKey> load_public_key(const std::string& hex_or_path);

}  // namespace civicloop::app
