// Persistence of meetings and their action items (domain/meeting.hpp, migration 0012). Attendees,
// agenda and decisions are JSON text in the meeting's row, encoded and decoded here; an action
// item's timer is columns like a case's. Updates are conditional on the version read, so two
// edits of one row cannot both win (the second changes nothing and the caller answers 409).
// SQL written once for both backends. One per transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/access.hpp"
#include "domain/meeting.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct MeetingQuery {
  std::optional<meetings::Kind> kind;
  int limit = 50;
  std::optional<std::int64_t> before_id;  // keyset: newest first by (starts_at, id)
  std::optional<Millis> before_starts_at;
};

struct ActionItemQuery {
  std::optional<std::int64_t> meeting_id;
  std::optional<meetings::ItemState> state;
  bool overdue_only = false;
  const access::Scope* scope = nullptr;  // owner units within it; null: all
  int limit = 100;
  std::optional<std::int64_t> after_id;  // keyset: oldest first by id
};

// A case escalation the progress report lists.
struct EscalationRow {
  std::int64_t seq = 0;
  Millis at = 0;
  std::int64_t case_id = 0;
  std::string note;  // "level=N"
};

class MeetingRepo {
 public:
  MeetingRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  void insert(const meetings::Meeting& m);
  std::optional<meetings::Meeting> find(std::int64_t id);
  // Writes m where the stored version is expected_version; false when it is not (or gone).
  bool update(const meetings::Meeting& m, int expected_version);
  std::vector<meetings::Meeting> list(const MeetingQuery& q);
  // The last meeting of this kind whose minutes were issued, starting before `before`.
  std::optional<meetings::Meeting> last_minuted(meetings::Kind kind, Millis before,
                                                std::int64_t except_id);

  void insert_item(const meetings::ActionItem& it);
  std::optional<meetings::ActionItem> find_item(std::int64_t id);
  bool update_item(const meetings::ActionItem& it, int expected_version);
  std::vector<meetings::ActionItem> items(const ActionItemQuery& q);
  // Open items whose next check has come, across tenants (the sweep): (tenant, id).
  static std::vector<std::pair<std::int64_t, std::int64_t>> due_items(Connection& c, Millis now,
                                                                      int limit);
  // Whether a closing photo names this file (the orphan media sweep).
  bool photo_in_use(const std::string& sha256);

  // The case escalations (ledger events) after seq `after_seq`, or, with no seq, at or after
  // `since`; up to `until`; at most limit, oldest first.
  std::vector<EscalationRow> escalations(std::optional<std::int64_t> after_seq, Millis since,
                                         Millis until, int limit);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
