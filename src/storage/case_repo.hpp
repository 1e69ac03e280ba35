// Persistence of cases, their attachments and notices. Written once against Connection; full-text
// search differs by dialect (SQLite FTS5 table, PostgreSQL GIN over the terms array) and is the
// one place that branches on it. One per transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "domain/access.hpp"
#include "domain/case_record.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct CaseQuery {
  std::vector<cases::State> states;  // any of them; empty: all
  bool open_only = false;
  std::optional<std::int64_t> assigned_unit_id;
  std::optional<std::int64_t> subdistrict_id;
  std::optional<std::int64_t> community_id;
  std::optional<std::int64_t> grid_id;
  std::optional<std::string> category;  // a code: exact for a minor class, prefix for a class
  std::optional<cases::Source> source;
  std::optional<Millis> reported_from;  // inclusive
  std::optional<Millis> reported_to;    // exclusive
  std::optional<bool> overdue;
  std::optional<bool> escalated;  // escalated at least once (escalation_level > 0), or never
  // Dispatched (派遣) in [from, to): the cohort of a KPI figure (domain/kpi.hpp).
  std::optional<Millis> dispatched_from;  // inclusive
  std::optional<Millis> dispatched_to;    // exclusive
  // Closed out (销号) in [from, to): the dashboard's close-outs of a day.
  std::optional<Millis> closed_from;  // inclusive
  std::optional<Millis> closed_to;    // exclusive
  std::vector<std::string> terms;     // full-text: every term must be in the case
  // Scope: cases assigned into or located in these subtrees; nullptr or all: no filter.
  const access::Scope* scope = nullptr;
  std::optional<std::int64_t> reporter_user_id;  // a citizen sees their own reports
  // Recurrences (举一反三): counted against this unit; `recurrence` true: any recurrence.
  std::optional<std::int64_t> recurrence_unit_id;
  bool recurrence = false;
  std::optional<std::int64_t> supervising_group_id;  // the cases a supervision group oversees
  int limit = 50;
  // The keyset position: newest first, ids below before_id; with a date window and no full-text
  // terms, (reported_at, id) below (before_reported_at, before_id).
  std::optional<std::int64_t> before_id;
  std::optional<Millis> before_reported_at{};
  // Whether pages are ordered by (reported_at, id) rather than by id: a date window without
  // full-text terms (full text is driven from its own index in id order).
  bool by_reported_at() const { return (reported_from || reported_to) && terms.empty(); }
};

struct Attachment {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::string stage;  // before, after, on_site
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  int width = 0;
  int height = 0;
  std::optional<double> lat;
  std::optional<double> lng;
  std::optional<Millis> taken_at;
  std::string flags;  // comma-separated: far_from_problem, taken_before_dispatch, no_gps, no_time
  std::optional<std::int64_t> uploaded_by;
  Millis uploaded_at = 0;
};

struct Notice {
  std::int64_t id = 0;
  std::string kind;  // rectification, reminder
  int year = 0;
  int seq = 0;
  std::string number;
  std::int64_t unit_id = 0;
  std::string requirement;
  std::optional<Millis> deadline_at;
  std::optional<std::int64_t> issued_by;
  Millis issued_at = 0;
  std::vector<std::int64_t> case_ids;
  bool open = true;  // read only: one of its cases is not finished (closed, voided, duplicate)
};

class CaseRepo {
 public:
  CaseRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  void insert(const cases::Record& r);
  // Writes every column when the stored version is expected_version; false when it is not.
  // reindex false: the text did not change (the sweep), so the full-text row is left as it is.
  bool update(const cases::Record& r, int expected_version, bool reindex = true);
  // The same, writing only the columns whose values differ from `stored` (the row as read; its
  // version is the expected one), so that only the indexes on them are rewritten.
  bool update_changed(const cases::Record& r, const cases::Record& stored, bool reindex = false);
  std::optional<cases::Record> find(std::int64_t id);
  std::optional<cases::Record> find_by_no(std::string_view case_no);
  // The cases of these ids that exist, in id order (the sweep reads its batch in one go).
  std::vector<cases::Record> find_many(const std::vector<std::int64_t>& ids);
  std::vector<cases::Record> list(const CaseQuery& q);
  // Every case of the tenant in id order, after after_id (replay), at most limit.
  std::vector<cases::Record> page_by_id(std::int64_t after_id, int limit);
  // Open cases of a category near a point, nearest first, at most limit: the newest limit of
  // each cell around the point (geo::cells_near), so bounded however many cases share a spot.
  // The caller checks the exact radius.
  std::vector<cases::Record> open_near(std::string_view category, double lat, double lng,
                                       double radius_m, int limit);
  // The same search reading only what the duplicate check of a new report needs (no row of 50
  // columns per candidate): nearest first, at most limit, each with its distance from the point.
  struct Near {
    std::int64_t id = 0;
    std::string case_no;
    cases::State state = cases::State::kReported;
    std::string title;
    std::string address;
    double lat = 0;
    double lng = 0;
    std::string area_path;
    std::optional<std::string> assigned_path;
    std::optional<std::int64_t> reporter_user_id;
    Millis reported_at = 0;
    double distance_m = 0;
  };
  std::vector<Near> open_near_brief(std::string_view category, double lat, double lng,
                                    double radius_m, int limit);
  // The case of a category closed nearest in time at most radius_m from the point and at or after
  // `since` (the recurrence check, 举一反三): from the partial index cases_closed_cell, a few rows
  // per cell around the point, newest close-out first, however many cases were closed there.
  struct Closed {
    std::int64_t id = 0;
    std::optional<std::int64_t> assigned_unit_id;
    Millis closed_at = 0;
    double distance_m = 0;
  };
  std::optional<Closed> closed_near(std::string_view category, double lat, double lng,
                                    double radius_m, Millis since);
  // Open cases and overdue cases per assigned unit (the responsibility list), from the counts the
  // triggers keep (case_unit_counts); units with none are left out.
  std::vector<std::tuple<std::int64_t, int, int>> open_counts_by_unit();
  // Cases whose next timer check is due, across all tenants of this connection (the sweep).
  struct Due {
    std::int64_t tenant_id;
    std::int64_t case_id;
  };
  std::vector<Due> due(Millis now, int limit);

  // Attachments
  void insert_attachment(const Attachment& a);
  std::vector<Attachment> attachments_of(std::int64_t case_id);
  // The attachments of one stage of several cases (a list page's before-photos), in (case, id)
  // order.
  std::vector<Attachment> attachments_of_cases(const std::vector<std::int64_t>& case_ids,
                                               std::string_view stage);
  std::optional<Attachment> find_attachment(std::int64_t id);
  // Every attachment of the tenant in id order, after after_id (replay), at most limit.
  std::vector<Attachment> attachments_page(std::int64_t after_id, int limit);
  // Whether any attachment of the tenant names the file with this SHA-256 (the orphan sweep).
  bool attachment_file_in_use(std::string_view sha256);

  // Notices
  int next_notice_seq(std::string_view kind, int year);
  void insert_notice(const Notice& n);
  std::optional<Notice> find_notice(std::int64_t id);
  std::vector<Notice> list_notices(std::optional<std::int64_t> unit_id, bool open_only,
                                   const access::Scope* scope, int limit,
                                   std::optional<std::int64_t> before_id);

 private:
  void write_search(const cases::Record& r, bool replace);
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
