#include "app/org_service.hpp"

#include <boost/json.hpp>

#include "app/views.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr int kMaxLimit = 200;

int clamp_limit(int limit) { return limit < 1 ? 50 : (limit > kMaxLimit ? kMaxLimit : limit); }

void record(storage::Connection& c, const access::Actor& actor, Millis now, std::string entity_type,
            std::int64_t id, std::string action, std::optional<std::string> before,
            std::optional<std::string> after) {
  // Every organisation write passes here: caches built from the organisation reload.
  config_changed();
  auto ev = make_event(actor, now, std::move(entity_type), id, std::move(action), std::move(before),
                       std::move(after));
  storage::LedgerRepo(c, actor.tenant_id).append(ev);
}

Status can_read_unit(const access::Actor& actor, const org::Unit& u) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s;
  return access::require_scope(actor, u.path);
}

Status can_write_unit(const access::Actor& actor, const org::Unit& u) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s;
  return access::require_scope(actor, u.path);
}

// A person is in scope when the actor sees the whole tenant or one of the person's units.
bool person_in_scope(storage::OrgRepo& repo, const access::Actor& actor, org::Id person_id) {
  if (actor.scope.all) return true;
  for (const auto& [kind, path] : repo.person_unit_paths(person_id)) {
    if (actor.scope.covers(path)) return true;
  }
  return false;
}

std::string unit_text(const org::Unit& u) { return to_text(unit_json(u)); }
std::string person_text(const org::Person& p) { return to_text(person_json(p)); }

}  // namespace

Expected<Structure> OrgService::structure(const access::Actor& actor) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<Structure>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Structure> {
    storage::OrgRepo repo(c, actor.tenant_id);
    Structure st;
    auto root = repo.root();
    if (!root) return st;
    storage::UnitQuery q;
    q.parent_id = root->id;
    q.limit = 1000;
    auto top = repo.list_units(q);
    std::vector<org::Id> ids{root->id};
    for (const auto& u : top) ids.push_back(u.id);
    auto members = repo.memberships_of_units(ids);
    auto card = [&](const org::Unit& u) {
      UnitCard cd{u, {}};
      for (const auto& m : members) {
        if (m.m.unit_id == u.id) cd.members.push_back(m);
      }
      return cd;
    };
    st.hq = card(*root);
    for (const auto& u : top) {
      switch (u.kind) {
        case org::UnitKind::kHqOffice:
          if (!st.office) st.office = card(u);
          break;
        case org::UnitKind::kSupervisionGroup:
          st.supervision_groups.push_back(card(u));
          break;
        case org::UnitKind::kTaskForce:
          st.task_forces.push_back(card(u));
          break;
        default:
          break;
      }
    }
    return st;
  });
}

Expected<Page<std::pair<org::Unit, int>>> OrgService::list_units(const access::Actor& actor,
                                                                 storage::UnitQuery query) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<Page<std::pair<org::Unit, int>>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<Page<std::pair<org::Unit, int>>> {
        storage::OrgRepo repo(c, actor.tenant_id);
        if (query.parent_id) {
          // Listing the children of a unit outside one's scope is refused, not answered empty:
          // the caller learns nothing by it either way, and a clear 403 helps the honest one.
          auto parent = repo.find_unit(*query.parent_id);
          if (!parent) return make_error("org.unit_not_found", "parent_id");
          if (!actor.scope.all && !actor.scope.covers(parent->path)) {
            return make_error("auth.out_of_scope");
          }
        }
        query.limit = clamp_limit(query.limit);
        const int want = query.limit;
        query.limit = want + 1;
        query.scope = &actor.scope;
        auto units = repo.list_units(query);
        Page<std::pair<org::Unit, int>> page;
        if (static_cast<int>(units.size()) > want) {
          units.pop_back();
          page.next_cursor = storage::encode_cursor({units.back().sort_order, units.back().id});
        }
        std::vector<org::Id> ids;
        for (const auto& u : units) ids.push_back(u.id);
        const auto counts = repo.count_active_children(ids);
        for (auto& u : units) {
          const auto it = counts.find(u.id);
          const int children = it == counts.end() ? 0 : it->second;
          page.items.emplace_back(std::move(u), children);
        }
        return page;
      });
}

Expected<UnitDetail> OrgService::get_unit(const access::Actor& actor, org::Id id) {
  return in_tx<UnitDetail>(ctx_.db, false, [&](storage::Connection& c) -> Expected<UnitDetail> {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto u = repo.find_unit(id);
    if (!u) return make_error("org.unit_not_found");
    if (auto s = can_read_unit(actor, *u); !s) return s.error();
    UnitDetail d;
    d.unit = *u;
    auto ids = org::ids_on_path(u->path);
    ids.pop_back();
    for (auto& a : repo.units_by_ids(ids)) {
      // Ancestors outside the scope are named (a unit operator sees the way up to the HQ),
      // but nothing more about them is returned here.
      d.ancestors.push_back(std::move(a));
    }
    storage::UnitQuery q;
    q.parent_id = id;
    q.limit = 1000;
    d.children = repo.list_units(q);
    d.child_count = static_cast<int>(d.children.size());
    std::vector<org::Id> child_ids;
    for (const auto& c : d.children) child_ids.push_back(c.id);
    const auto counts = repo.count_active_children(child_ids);
    for (const auto& c : d.children) {
      const auto it = counts.find(c.id);
      d.child_counts.push_back(it == counts.end() ? 0 : it->second);
    }
    d.members = repo.memberships_of_unit(id);
    d.liaison = repo.liaison_of_unit(id);
    return d;
  });
}

Expected<org::Unit> OrgService::create_unit_in(storage::Connection& c, const access::Actor& actor,
                                               const NewUnit& in) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  auto kind = org::parse_unit_kind(in.kind);
  if (!kind) return make_error("org.invalid_kind", "kind");
  storage::OrgRepo repo(c, actor.tenant_id);
  const Millis now = ctx_.clock.now();
  org::Unit u;
  u.kind = *kind;
  u.name = in.name;
  u.code = in.code;
  u.name_en = in.name_en;
  u.duties = in.duties;
  u.boundary_geojson = in.boundary_geojson;
  u.sort_order = in.sort_order;
  u.is_demo = in.is_demo;
  if (auto s = org::check_unit_fields(u); !s) return s.error();
  std::optional<org::Unit> parent;
  if (in.parent_id) {
    parent = repo.find_unit(*in.parent_id);
    if (!parent) return make_error("org.unit_not_found", "parent_id");
    if (auto s = access::require_scope(actor, parent->path); !s) return s.error();
  }
  if (auto s = org::check_parent(u.kind, parent ? &*parent : nullptr, repo.root().has_value());
      !s) {
    return s.error();
  }
  if (u.code && repo.find_unit_by_code(*u.code)) return make_error("org.duplicate_code", "code");
  u.id = storage::next_id(c, actor.tenant_id, "org_units");
  u.parent_id = in.parent_id;
  u.path = org::child_path(parent ? parent->path : "", u.id);
  u.created_at = now;
  u.updated_at = now;
  repo.insert_unit(u);
  record(c, actor, now, "org_unit", u.id, "create", std::nullopt, unit_text(u));
  return u;
}

Expected<org::Unit> OrgService::create_unit(const access::Actor& actor, const NewUnit& in) {
  return in_tx<org::Unit>(ctx_.db, true,
                          [&](storage::Connection& c) { return create_unit_in(c, actor, in); });
}

Expected<org::Unit> OrgService::update_unit_in(storage::Connection& c, const access::Actor& actor,
                                               org::Id id, const UnitPatch& p, int version) {
  storage::OrgRepo repo(c, actor.tenant_id);
  auto u = repo.find_unit(id);
  if (!u) return make_error("org.unit_not_found");
  if (auto s = can_write_unit(actor, *u); !s) return s.error();
  if (u->version != version) {
    return make_error("conflict.stale_version", "version")
        .with("current", std::to_string(u->version));
  }
  const auto before = *u;
  if (p.name) u->name = *p.name;
  if (p.name_en) u->name_en = *p.name_en;
  if (p.code) u->code = *p.code;
  if (p.duties) u->duties = *p.duties;
  if (p.boundary_geojson) u->boundary_geojson = *p.boundary_geojson;
  if (p.sort_order) u->sort_order = *p.sort_order;
  if (auto s = org::check_unit_fields(*u); !s) return s.error();
  if (u->code && u->code != before.code) {
    if (auto other = repo.find_unit_by_code(*u->code); other && other->id != id) {
      return make_error("org.duplicate_code", "code");
    }
  }
  const Millis now = ctx_.clock.now();
  u->updated_at = now;
  if (!repo.update_unit(*u, version)) return make_error("conflict.stale_version", "version");
  u->version = version + 1;
  record(c, actor, now, "org_unit", id, "update", unit_text(before), unit_text(*u));
  return *u;
}

Expected<org::Unit> OrgService::update_unit(const access::Actor& actor, org::Id id,
                                            const UnitPatch& patch, int version) {
  return in_tx<org::Unit>(ctx_.db, true, [&](storage::Connection& c) {
    return update_unit_in(c, actor, id, patch, version);
  });
}

Expected<org::Unit> OrgService::move_unit(const access::Actor& actor, org::Id id,
                                          org::Id new_parent, int version) {
  return in_tx<org::Unit>(ctx_.db, true, [&](storage::Connection& c) -> Expected<org::Unit> {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto u = repo.find_unit(id);
    if (!u) return make_error("org.unit_not_found");
    if (auto s = can_write_unit(actor, *u); !s) return s.error();
    auto parent = repo.find_unit(new_parent);
    if (!parent) return make_error("org.unit_not_found", "parent_id");
    if (auto s = access::require_scope(actor, parent->path); !s) return s.error();
    if (u->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(u->version));
    }
    if (auto s = org::check_move(*u, *parent); !s) return s.error();
    if (u->parent_id == parent->id) return *u;
    const Millis now = ctx_.clock.now();
    const std::string new_path = org::child_path(parent->path, u->id);
    if (!repo.move_unit(*u, parent->id, new_path, version, now)) {
      return make_error("conflict.stale_version", "version");
    }
    auto after = repo.find_unit(id);
    auto ev = make_event(actor, now, "org_unit", id, "move", unit_text(*u), unit_text(*after));
    storage::LedgerRepo(c, actor.tenant_id).append(ev);
    return *after;
  });
}

Expected<org::Unit> OrgService::retire_unit(const access::Actor& actor, org::Id id, int version) {
  return in_tx<org::Unit>(ctx_.db, true, [&](storage::Connection& c) -> Expected<org::Unit> {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto u = repo.find_unit(id);
    if (!u) return make_error("org.unit_not_found");
    if (auto s = can_write_unit(actor, *u); !s) return s.error();
    if (u->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(u->version));
    }
    if (auto s = org::check_retire(*u, repo.count_active_children(id)); !s) return s.error();
    const auto before = *u;
    const Millis now = ctx_.clock.now();
    u->retired = true;
    u->updated_at = now;
    if (!repo.update_unit(*u, version)) return make_error("conflict.stale_version", "version");
    u->version = version + 1;
    // A retired place has no accountable leader any more.
    if (auto l = repo.liaison_of_unit(id)) {
      repo.delete_liaison(l->l.id);
      record(c, actor, now, "liaison", l->l.id, "delete", to_text(liaison_json(*l)), std::nullopt);
    }
    record(c, actor, now, "org_unit", id, "retire", unit_text(before), unit_text(*u));
    return *u;
  });
}

Expected<Page<org::Person>> OrgService::list_people(const access::Actor& actor,
                                                    storage::PersonQuery query) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<Page<org::Person>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<Page<org::Person>> {
        storage::OrgRepo repo(c, actor.tenant_id);
        if (query.unit_id) {
          auto unit = repo.find_unit(*query.unit_id);
          if (!unit) return make_error("org.unit_not_found", "unit_id");
          if (auto s = access::require_scope(actor, unit->path); !s) return s.error();
        }
        query.limit = clamp_limit(query.limit);
        const int want = query.limit;
        query.limit = want + 1;
        query.scope = &actor.scope;
        auto people = repo.list_people(query);
        Page<org::Person> page;
        if (static_cast<int>(people.size()) > want) {
          people.pop_back();
          page.next_cursor = storage::encode_cursor({0, people.back().id});
        }
        page.items = std::move(people);
        return page;
      });
}

Expected<PersonDetail> OrgService::get_person(const access::Actor& actor, org::Id id) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<PersonDetail>(ctx_.db, false, [&](storage::Connection& c) -> Expected<PersonDetail> {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto p = repo.find_person(id);
    if (!p) return make_error("org.person_not_found");
    if (!person_in_scope(repo, actor, id)) {
      return make_error("auth.out_of_scope");
    }
    PersonDetail d;
    d.person = *p;
    d.memberships = repo.memberships_of_person(id);
    d.liaisons = repo.list_liaisons(std::nullopt, id);
    return d;
  });
}

Expected<org::Person> OrgService::create_person_in(storage::Connection& c,
                                                   const access::Actor& actor,
                                                   const NewPerson& in) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  org::Person p;
  p.name = in.name;
  p.phone = in.phone;
  p.title = in.title;
  p.is_demo = in.is_demo;
  if (auto s = org::check_person_fields(p); !s) return s.error();
  const Millis now = ctx_.clock.now();
  p.id = storage::next_id(c, actor.tenant_id, "people");
  storage::OrgRepo(c, actor.tenant_id).insert_person(p, now);
  record(c, actor, now, "person", p.id, "create", std::nullopt, person_text(p));
  return p;
}

Expected<org::Person> OrgService::create_person(const access::Actor& actor, const NewPerson& in) {
  return in_tx<org::Person>(ctx_.db, true,
                            [&](storage::Connection& c) { return create_person_in(c, actor, in); });
}

Expected<org::Person> OrgService::update_person_in(storage::Connection& c,
                                                   const access::Actor& actor, org::Id id,
                                                   const PersonPatch& patch, int version) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  storage::OrgRepo repo(c, actor.tenant_id);
  auto p = repo.find_person(id);
  if (!p) return make_error("org.person_not_found");
  if (!person_in_scope(repo, actor, id)) return make_error("auth.out_of_scope");
  if (p->version != version) {
    return make_error("conflict.stale_version", "version")
        .with("current", std::to_string(p->version));
  }
  const auto before = *p;
  if (patch.name) p->name = *patch.name;
  if (patch.phone) p->phone = *patch.phone;
  if (patch.title) p->title = *patch.title;
  if (auto s = org::check_person_fields(*p); !s) return s.error();
  const Millis now = ctx_.clock.now();
  if (!repo.update_person(*p, version, now)) {
    return make_error("conflict.stale_version", "version");
  }
  p->version = version + 1;
  record(c, actor, now, "person", id, "update", person_text(before), person_text(*p));
  return *p;
}

Expected<org::Person> OrgService::update_person(const access::Actor& actor, org::Id id,
                                                const PersonPatch& patch, int version) {
  return in_tx<org::Person>(ctx_.db, true, [&](storage::Connection& c) {
    return update_person_in(c, actor, id, patch, version);
  });
}

Expected<org::Person> OrgService::retire_person(const access::Actor& actor, org::Id id,
                                                int version) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  return in_tx<org::Person>(ctx_.db, true, [&](storage::Connection& c) -> Expected<org::Person> {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto p = repo.find_person(id);
    if (!p) return make_error("org.person_not_found");
    if (!person_in_scope(repo, actor, id)) return make_error("auth.out_of_scope");
    if (p->retired) return make_error("org.already_retired");
    if (p->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(p->version));
    }
    // A place must always have its accountable leader: hand the liaison over first.
    if (const int n = repo.count_liaisons_of_leader(id); n > 0) {
      return make_error("org.person_is_liaison").with("count", std::to_string(n));
    }
    const Millis now = ctx_.clock.now();
    for (const auto& m : repo.memberships_of_person(id)) {
      record(c, actor, now, "membership", m.m.id, "delete", to_text(membership_json(m)),
             std::nullopt);
    }
    repo.end_memberships_of_person(id);
    const auto before = *p;
    p->retired = true;
    if (!repo.update_person(*p, version, now)) {
      return make_error("conflict.stale_version", "version");
    }
    p->version = version + 1;
    record(c, actor, now, "person", id, "retire", person_text(before), person_text(*p));
    return *p;
  });
}

Expected<std::vector<org::Post>> OrgService::posts(const access::Actor& actor) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<std::vector<org::Post>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<org::Post>> {
        return storage::OrgRepo(c, actor.tenant_id).posts();
      });
}

Expected<std::vector<storage::MembershipView>> OrgService::list_memberships(
    const access::Actor& actor, std::optional<org::Id> unit_id, std::optional<org::Id> person_id) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  if (!unit_id && !person_id) return make_error("field.required", "unit_id");
  return in_tx<std::vector<storage::MembershipView>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::vector<storage::MembershipView>> {
        storage::OrgRepo repo(c, actor.tenant_id);
        if (unit_id) {
          auto u = repo.find_unit(*unit_id);
          if (!u) return make_error("org.unit_not_found", "unit_id");
          if (auto s = access::require_scope(actor, u->path); !s) return s.error();
          return repo.memberships_of_unit(*unit_id);
        }
        if (!repo.find_person(*person_id)) return make_error("org.person_not_found", "person_id");
        if (!person_in_scope(repo, actor, *person_id)) return make_error("auth.out_of_scope");
        return repo.memberships_of_person(*person_id);
      });
}

Expected<storage::MembershipView> OrgService::add_membership_in(storage::Connection& c,
                                                                const access::Actor& actor,
                                                                org::Id person_id, org::Id unit_id,
                                                                const std::string& post_code,
                                                                bool is_head) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  storage::OrgRepo repo(c, actor.tenant_id);
  auto u = repo.find_unit(unit_id);
  if (!u) return make_error("org.unit_not_found", "unit_id");
  if (auto s = access::require_scope(actor, u->path); !s) return s.error();
  if (u->retired) return make_error("org.unit_retired", "unit_id");
  auto p = repo.find_person(person_id);
  if (!p) return make_error("org.person_not_found", "person_id");
  if (p->retired) return make_error("org.person_retired", "person_id");
  if (!repo.find_post(post_code)) return make_error("org.post_not_found", "post_code");
  if (repo.membership_exists(person_id, unit_id, post_code)) {
    return make_error("org.duplicate_membership");
  }
  if (is_head && repo.head_membership(unit_id)) return make_error("org.head_exists", "is_head");
  const Millis now = ctx_.clock.now();
  org::Membership m{storage::next_id(c, actor.tenant_id, "memberships"), person_id, unit_id,
                    post_code, is_head};
  repo.insert_membership(m, now);
  auto view = repo.find_membership(m.id);
  record(c, actor, now, "membership", m.id, "create", std::nullopt,
         to_text(membership_json(*view)));
  return *view;
}

Expected<storage::MembershipView> OrgService::add_membership(const access::Actor& actor,
                                                             org::Id person_id, org::Id unit_id,
                                                             const std::string& post_code,
                                                             bool is_head) {
  return in_tx<storage::MembershipView>(ctx_.db, true, [&](storage::Connection& c) {
    return add_membership_in(c, actor, person_id, unit_id, post_code, is_head);
  });
}

Status OrgService::remove_membership(const access::Actor& actor, org::Id id) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s;
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto m = repo.find_membership(id);
    if (!m) return make_error("org.membership_not_found");
    if (auto s = access::require_scope(actor, m->unit_path); !s) return s;
    repo.delete_membership(id);
    record(c, actor, ctx_.clock.now(), "membership", id, "delete", to_text(membership_json(*m)),
           std::nullopt);
    return Ok{};
  });
}

Expected<std::vector<storage::LiaisonView>> OrgService::list_liaisons(
    const access::Actor& actor, std::optional<org::Id> unit_id, std::optional<org::Id> leader_id) {
  if (auto s = access::require(actor, Permission::kOrgRead); !s) return s.error();
  return in_tx<std::vector<storage::LiaisonView>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::LiaisonView>> {
        storage::OrgRepo repo(c, actor.tenant_id);
        std::vector<storage::LiaisonView> out;
        for (auto& l : repo.list_liaisons(unit_id, leader_id)) {
          if (actor.scope.covers(l.unit_path)) out.push_back(std::move(l));
        }
        return out;
      });
}

Expected<storage::LiaisonView> OrgService::assign_liaison_in(storage::Connection& c,
                                                             const access::Actor& actor,
                                                             org::Id unit_id, org::Id leader_id) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s.error();
  storage::OrgRepo repo(c, actor.tenant_id);
  auto place = repo.find_unit(unit_id);
  if (!place) return make_error("org.unit_not_found", "unit_id");
  if (auto s = access::require_scope(actor, place->path); !s) return s.error();
  auto leader = repo.find_person(leader_id);
  if (!leader) return make_error("org.person_not_found", "leader_id");
  if (leader->retired) return make_error("org.person_retired", "leader_id");
  // The subdistrict that contains a community or village: the path's second-to-last entry.
  std::string subdistrict_path;
  if (place->kind != org::UnitKind::kSubdistrict && place->parent_id) {
    if (auto parent = repo.find_unit(*place->parent_id);
        parent && parent->kind == org::UnitKind::kSubdistrict) {
      subdistrict_path = parent->path;
    }
  }
  if (auto s = org::check_liaison(*place, subdistrict_path, repo.person_unit_paths(leader_id));
      !s) {
    return s.error();
  }
  const Millis now = ctx_.clock.now();
  auto existing = repo.liaison_of_unit(unit_id);
  if (existing && existing->l.leader_id == leader_id) return *existing;
  if (existing) repo.delete_liaison(existing->l.id);
  org::Liaison l{storage::next_id(c, actor.tenant_id, "liaisons"), unit_id, leader_id};
  repo.insert_liaison(l, now);
  auto view = repo.find_liaison(l.id);
  record(c, actor, now, "liaison", l.id, existing ? "reassign" : "create",
         existing ? std::optional<std::string>(to_text(liaison_json(*existing))) : std::nullopt,
         to_text(liaison_json(*view)));
  return *view;
}

Expected<storage::LiaisonView> OrgService::assign_liaison(const access::Actor& actor,
                                                          org::Id unit_id, org::Id leader_id) {
  return in_tx<storage::LiaisonView>(ctx_.db, true, [&](storage::Connection& c) {
    return assign_liaison_in(c, actor, unit_id, leader_id);
  });
}

Status OrgService::remove_liaison(const access::Actor& actor, org::Id id) {
  if (auto s = access::require(actor, Permission::kOrgWrite); !s) return s;
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::OrgRepo repo(c, actor.tenant_id);
    auto l = repo.find_liaison(id);
    if (!l) return make_error("org.liaison_not_found");
    if (auto s = access::require_scope(actor, l->unit_path); !s) return s;
    repo.delete_liaison(id);
    record(c, actor, ctx_.clock.now(), "liaison", id, "delete", to_text(liaison_json(*l)),
           std::nullopt);
    return Ok{};
  });
}

}  // namespace civicloop::app
