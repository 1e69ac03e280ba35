// Use cases on the organisation: read the 1+11+7 structure and the tree, and create, edit, move
// and retire units, people, memberships and liaisons. Each call is one transaction; every write
// is checked for role and data scope and appended to the ledger with its before and after.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/boundary.hpp"
#include "app/context.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

struct UnitCard {
  org::Unit unit;
  std::vector<storage::MembershipView> members;
};

struct Structure {
  std::optional<UnitCard> hq;
  std::optional<UnitCard> office;
  std::vector<UnitCard> supervision_groups;
  std::vector<UnitCard> task_forces;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

struct UnitDetail {
  org::Unit unit;
  int child_count = 0;
  std::vector<org::Unit> ancestors;
  std::vector<org::Unit> children;
  std::vector<int> child_counts;  // active children of each of `children`, same order
  std::vector<storage::MembershipView> members;
  std::optional<storage::LiaisonView> liaison;
};

struct NewUnit {
  std::optional<org::Id> parent_id;
  std::string kind;
  std::string name;
  std::optional<std::string> code;
  std::optional<std::string> name_en;
  std::string duties;
  std::optional<std::string> boundary_geojson;  // already normalised
  int sort_order = 0;
  bool is_demo = false;
};

// Absent: leave as is. For nullable fields, an inner nullopt clears the value.
struct UnitPatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> name_en;
  std::optional<std::optional<std::string>> code;
  std::optional<std::string> duties;
  std::optional<std::optional<std::string>> boundary_geojson;
  std::optional<int> sort_order;
};

struct PersonDetail {
  org::Person person;
  std::vector<storage::MembershipView> memberships;
  std::vector<storage::LiaisonView> liaisons;
};

struct NewPerson {
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> title;
  bool is_demo = false;
};

struct PersonPatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> phone;
  std::optional<std::optional<std::string>> title;
};

class OrgService {
 public:
  explicit OrgService(Context& ctx) : ctx_(ctx) {}

  Expected<Structure> structure(const access::Actor& actor);
  Expected<Page<std::pair<org::Unit, int>>> list_units(const access::Actor& actor,
                                                       storage::UnitQuery query);
  Expected<UnitDetail> get_unit(const access::Actor& actor, org::Id id);
  Expected<org::Unit> create_unit(const access::Actor& actor, const NewUnit& in);
  Expected<org::Unit> update_unit(const access::Actor& actor, org::Id id, const UnitPatch& patch,
                                  int version);
  Expected<org::Unit> move_unit(const access::Actor& actor, org::Id id, org::Id new_parent,
                                int version);
  Expected<org::Unit> retire_unit(const access::Actor& actor, org::Id id, int version);

  Expected<Page<org::Person>> list_people(const access::Actor& actor, storage::PersonQuery query);
  Expected<PersonDetail> get_person(const access::Actor& actor, org::Id id);
  Expected<org::Person> create_person(const access::Actor& actor, const NewPerson& in);
  Expected<org::Person> update_person(const access::Actor& actor, org::Id id,
                                      const PersonPatch& patch, int version);
  Expected<org::Person> retire_person(const access::Actor& actor, org::Id id, int version);

  Expected<std::vector<org::Post>> posts(const access::Actor& actor);

  Expected<std::vector<storage::MembershipView>> list_memberships(const access::Actor& actor,
                                                                  std::optional<org::Id> unit_id,
                                                                  std::optional<org::Id> person_id);
  Expected<storage::MembershipView> add_membership(const access::Actor& actor, org::Id person_id,
                                                   org::Id unit_id, const std::string& post_code,
                                                   bool is_head);
  Status remove_membership(const access::Actor& actor, org::Id id);

  Expected<std::vector<storage::LiaisonView>> list_liaisons(const access::Actor& actor,
                                                            std::optional<org::Id> unit_id,
                                                            std::optional<org::Id> leader_id);
  Expected<storage::LiaisonView> assign_liaison(const access::Actor& actor, org::Id unit_id,
                                                org::Id leader_id);
  Status remove_liaison(const access::Actor& actor, org::Id id);

  // The same use cases on a caller's open write transaction (preset loading and import run many
  // in one transaction, all or nothing).
  Expected<org::Unit> create_unit_in(storage::Connection& c, const access::Actor& actor,
                                     const NewUnit& in);
  Expected<org::Person> create_person_in(storage::Connection& c, const access::Actor& actor,
                                         const NewPerson& in);
  Expected<storage::MembershipView> add_membership_in(storage::Connection& c,
                                                      const access::Actor& actor, org::Id person_id,
                                                      org::Id unit_id, const std::string& post_code,
                                                      bool is_head);
  Expected<storage::LiaisonView> assign_liaison_in(storage::Connection& c,
                                                   const access::Actor& actor, org::Id unit_id,
                                                   org::Id leader_id);
  Expected<org::Person> update_person_in(storage::Connection& c, const access::Actor& actor,
                                         org::Id id, const PersonPatch& patch, int version);
  Expected<org::Unit> update_unit_in(storage::Connection& c, const access::Actor& actor, org::Id id,
                                     const UnitPatch& patch, int version);

 private:
  Context& ctx_;
};

}  // namespace civicloop::app
