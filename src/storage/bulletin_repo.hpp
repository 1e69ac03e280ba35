// Persistence of bulletins (通报): the bulletin rows with their editable content and frozen
// snapshot (JSON text, as app/bulletin_service writes it), the units each is addressed to, and
// the tenant's template document. SQL written once for SQLite and PostgreSQL. One per
// transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct BulletinRow {
  std::int64_t id = 0;
  std::string kind;   // weekly, monthly, special
  std::string state;  // draft, submitted, approved, published
  std::string title;
  std::string period_kind;  // week, month, quarter, range
  std::string period_from;  // YYYY-MM-DD
  std::string period_to;
  int version = 1;
  std::string content;   // JSON: the sections as edited
  std::string snapshot;  // JSON: figures, ranking, lists, photos (frozen)
  std::optional<int> year;
  std::optional<int> seq;
  std::optional<std::string> number;
  std::optional<std::string> schedule_key;  // "weekly:2026-11-23" for a scheduled draft
  std::optional<std::int64_t> created_by;
  Millis created_at = 0;
  std::optional<std::int64_t> updated_by;
  Millis updated_at = 0;
  std::optional<std::int64_t> submitted_by;
  std::optional<Millis> submitted_at;
  std::optional<std::int64_t> approved_by;
  std::optional<Millis> approved_at;
  std::optional<std::int64_t> published_by;
  std::optional<Millis> published_at;
  std::optional<std::string> pdf_sha256;
  std::optional<std::int64_t> pdf_size;
  std::vector<std::int64_t> recipients;  // unit ids, ascending
};

struct BulletinFilter {
  std::optional<std::string> state;
  std::optional<std::string> kind;
  // Only bulletins addressed to one of these units (a unit's people); nullopt: all.
  std::optional<std::vector<std::int64_t>> recipient_units;
  int limit = 50;
  std::optional<std::int64_t> before_id;  // keyset: newest first
};

class BulletinRepo {
 public:
  BulletinRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Inserts the row and its recipients. A second row with the same schedule_key or number is a
  // StorageError kUniqueViolation.
  void insert(const BulletinRow& b);
  // Writes every column and replaces the recipients when the stored version is expected_version;
  // false when it is not (someone saved in between).
  bool update(const BulletinRow& b, int expected_version);
  std::optional<BulletinRow> find(std::int64_t id);
  // Locks the row for the rest of the transaction on PostgreSQL (FOR UPDATE); SQLite's write
  // transaction already holds the database.
  std::optional<BulletinRow> find_for_update(std::int64_t id);
  std::optional<BulletinRow> find_by_schedule_key(std::string_view key);
  // Newest first, without content and snapshot (the list shows neither).
  std::vector<BulletinRow> list(const BulletinFilter& f);
  // Whether a published bulletin's PDF is this file (the media store's orphan sweep).
  bool pdf_in_use(std::string_view sha256);

  std::optional<std::string> settings_doc();
  void save_settings_doc(const std::string& doc, Millis now);

 private:
  void write_recipients(const BulletinRow& b);
  std::vector<std::int64_t> recipients_of(std::int64_t id);
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
