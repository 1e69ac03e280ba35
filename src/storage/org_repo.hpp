// Persistence of the organisation: units, people, posts, memberships, liaisons of one tenant.
// Written once against storage::Connection for both backends. Not thread-safe: one per
// transaction, on the connection of that transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/access.hpp"
#include "domain/org.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

// Keyset position: the (sort key, id) of the last row of the previous page.
struct Cursor {
  std::int64_t key = 0;
  std::int64_t id = 0;
};
std::string encode_cursor(const Cursor& c);
std::optional<Cursor> decode_cursor(std::string_view text);

struct UnitQuery {
  std::optional<org::UnitKind> kind;
  std::optional<org::Id> parent_id;
  std::string q;  // substring of name, name_en or code
  bool include_retired = false;
  const access::Scope* scope = nullptr;  // nullptr: no scope filter
  int limit = 50;
  std::optional<Cursor> after;
};

struct PersonQuery {
  std::string q;  // substring of name, phone or title
  std::optional<org::Id> unit_id;
  bool include_retired = false;
  const access::Scope* scope = nullptr;
  int limit = 50;
  std::optional<Cursor> after;
};

// A membership joined with the names a list shows.
struct MembershipView {
  org::Membership m;
  std::string person_name;
  std::string unit_name;
  std::string unit_path;
  std::string post_name;
  std::string post_name_en;
};

struct LiaisonView {
  org::Liaison l;
  std::string unit_name;
  std::string unit_path;
  std::string leader_name;
};

class OrgRepo {
 public:
  OrgRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Units
  std::optional<org::Unit> find_unit(org::Id id);
  std::optional<org::Unit> find_unit_by_code(std::string_view code);
  std::optional<org::Unit> root();
  std::vector<org::Unit> list_units(const UnitQuery& query);
  std::vector<org::Unit> units_by_ids(const std::vector<org::Id>& ids);
  std::vector<org::Unit> all_units();  // path order: parents before children
  int count_active_children(org::Id id);
  // Active children of each of ids, in one query (ids without children are absent).
  std::map<org::Id, int> count_active_children(const std::vector<org::Id>& ids);
  int count_children(org::Id id);
  void insert_unit(const org::Unit& unit);
  // Writes the editable fields and version+1 when the stored version is expected_version.
  bool update_unit(const org::Unit& unit, int expected_version);
  // Re-parents unit and rewrites the paths of its whole subtree.
  bool move_unit(const org::Unit& unit, org::Id new_parent, const std::string& new_path,
                 int expected_version, Millis now);

  // People
  std::optional<org::Person> find_person(org::Id id);
  std::vector<org::Person> list_people(const PersonQuery& query);
  std::vector<org::Person> all_people();
  void insert_person(const org::Person& person, Millis now);
  bool update_person(const org::Person& person, int expected_version, Millis now);
  // Paths of the units the person belongs to (for scope checks).
  std::vector<std::pair<org::UnitKind, std::string>> person_unit_paths(org::Id person_id);

  // Posts
  std::vector<org::Post> posts();
  std::optional<org::Post> find_post(std::string_view code);
  void upsert_post(const org::Post& post);

  // Memberships
  std::optional<MembershipView> find_membership(org::Id id);
  std::vector<MembershipView> memberships_of_unit(org::Id unit_id);
  std::vector<MembershipView> memberships_of_units(const std::vector<org::Id>& unit_ids);
  std::vector<MembershipView> memberships_of_person(org::Id person_id);
  std::vector<MembershipView> all_memberships();
  bool membership_exists(org::Id person_id, org::Id unit_id, std::string_view post_code);
  std::optional<org::Id> head_membership(org::Id unit_id);
  void insert_membership(const org::Membership& m, Millis now);
  bool delete_membership(org::Id id);
  int end_memberships_of_person(org::Id person_id);

  // Liaisons
  std::optional<LiaisonView> liaison_of_unit(org::Id unit_id);
  std::optional<LiaisonView> find_liaison(org::Id id);
  std::vector<LiaisonView> list_liaisons(std::optional<org::Id> unit_id,
                                         std::optional<org::Id> leader_id);
  int count_liaisons_of_leader(org::Id leader_id);
  void insert_liaison(const org::Liaison& l, Millis now);
  bool delete_liaison(org::Id id);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

// Allocates the next id of a table for a tenant, inside the caller's write transaction.
std::int64_t next_id(Connection& conn, std::int64_t tenant_id, std::string_view table);
// n consecutive ids (n >= 1) from one counter update; returns the first.
std::int64_t next_ids(Connection& conn, std::int64_t tenant_id, std::string_view table,
                      std::int64_t n);

}  // namespace civicloop::storage
