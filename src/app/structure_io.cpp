#include "app/structure_io.hpp"

#include "app/bulletin_service.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/case_config.hpp"
#include "app/messages.hpp"
#include "app/org_service.hpp"
#include "app/user_service.hpp"
#include "app/views.hpp"
#include "domain/text.hpp"
#include "storage/account_repo.hpp"
#include "storage/config_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {

constexpr std::string_view kFormat = "civicloop-preset/1";

Error bad(std::string field, std::string code = "import.invalid_field") {
  return make_error(std::move(code), std::move(field));
}

std::string at(std::string_view section, std::size_t i, std::string_view field) {
  return std::string(section) + "[" + std::to_string(i) + "]." + std::string(field);
}

// Reads an optional string member; an error when present with another type.
Expected<std::optional<std::string>> opt_string(const json::object& o, std::string_view key,
                                                const std::string& path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return bad(path);
  return std::optional<std::string>(std::string(v->as_string()));
}

Expected<std::string> req_string(const json::object& o, std::string_view key,
                                 const std::string& path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return bad(path, "import.missing_field");
  return std::string(v->as_string());
}

const json::array* section(const json::object& doc, std::string_view key) {
  const auto* v = doc.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

}  // namespace

Expected<ImportStats> import_structure_in(Context& ctx, storage::Connection& c,
                                          const access::Actor& actor, const json::value& docv,
                                          bool as_demo) {
  if (auto s = access::require(actor, access::Permission::kOrgWrite); !s) return s.error();
  if (!docv.is_object()) return bad("", "import.not_object");
  const auto& doc = docv.as_object();
  if (const auto* f = doc.if_contains("format");
      f == nullptr || !f->is_string() || f->as_string() != kFormat) {
    return bad("format", "import.bad_format");
  }
  for (const auto& [key, value] : doc) {
    static const std::set<std::string_view> kKnown = {"format",      "tenant",     "posts",
                                                      "units",       "boundaries", "people",
                                                      "memberships", "liaisons",   "users"};
    if (!kKnown.contains(key)) return bad(std::string(key), "request.unknown_field");
    if (key != "format" && key != "tenant" && !value.is_array()) return bad(std::string(key));
  }
  OrgService org(ctx);
  storage::OrgRepo repo(c, actor.tenant_id);
  ImportStats stats;

  if (const auto* posts = section(doc, "posts")) {
    int order = 0;
    for (std::size_t i = 0; i < posts->size(); ++i) {
      if (!(*posts)[i].is_object()) return bad(at("posts", i, ""));
      const auto& p = (*posts)[i].as_object();
      auto code = req_string(p, "code", at("posts", i, "code"));
      auto name = req_string(p, "name", at("posts", i, "name"));
      auto name_en = opt_string(p, "name_en", at("posts", i, "name_en"));
      if (!code) return code.error();
      if (!name) return name.error();
      if (!name_en) return name_en.error();
      if (auto s = text::check_code(at("posts", i, "code"), *code); !s) return s.error();
      repo.upsert_post({*code, *name, name_en->value_or(*code), order++});
    }
  }

  if (const auto* units = section(doc, "units")) {
    for (std::size_t i = 0; i < units->size(); ++i) {
      if (!(*units)[i].is_object()) return bad(at("units", i, ""));
      const auto& u = (*units)[i].as_object();
      auto code = req_string(u, "code", at("units", i, "code"));
      auto kind = req_string(u, "kind", at("units", i, "kind"));
      auto name = req_string(u, "name", at("units", i, "name"));
      auto parent = opt_string(u, "parent", at("units", i, "parent"));
      auto name_en = opt_string(u, "name_en", at("units", i, "name_en"));
      auto duties = opt_string(u, "duties", at("units", i, "duties"));
      for (const auto* e : {&code, &kind, &name}) {
        if (!*e) return e->error();
      }
      for (const auto* e : {&parent, &name_en, &duties}) {
        if (!*e) return e->error();
      }
      int sort_order = 0;
      if (const auto* so = u.if_contains("sort_order"); so != nullptr && so->is_int64()) {
        // Clamped, not cut to 32 bits: out of range stays out of range for check_unit_fields.
        sort_order =
            static_cast<int>(std::clamp<std::int64_t>(so->as_int64(), INT32_MIN, INT32_MAX));
      }
      std::optional<std::string> boundary;
      if (const auto* b = u.if_contains("boundary"); b != nullptr && !b->is_null()) {
        auto nb = normalize_boundary(*b);
        if (!nb) return bad(at("units", i, "boundary"), nb.error().code);
        boundary = *nb;
      }
      std::optional<org::Id> parent_id;
      if (*parent) {
        auto p = repo.find_unit_by_code(**parent);
        if (!p) return bad(at("units", i, "parent"), "import.unknown_parent");
        parent_id = p->id;
      }
      if (auto existing = repo.find_unit_by_code(*code)) {
        UnitPatch patch;
        bool changed = false;
        if (existing->name != *name) patch.name = *name, changed = true;
        if (existing->name_en != *name_en) patch.name_en = *name_en, changed = true;
        if (duties->has_value() && existing->duties != **duties) {
          patch.duties = **duties, changed = true;
        }
        if (boundary && existing->boundary_geojson != boundary) {
          patch.boundary_geojson = boundary, changed = true;
        }
        if (existing->sort_order != sort_order) patch.sort_order = sort_order, changed = true;
        if (changed) {
          auto r = org.update_unit_in(c, actor, existing->id, patch, existing->version);
          if (!r) return bad(at("units", i, r.error().field), r.error().code);
          ++stats.updated;
        } else {
          ++stats.unchanged;
        }
        if (existing->parent_id != parent_id) {
          return bad(at("units", i, "parent"), "import.parent_changed");
        }
        continue;
      }
      NewUnit nu;
      nu.parent_id = parent_id;
      nu.kind = *kind;
      nu.name = *name;
      nu.code = *code;
      nu.name_en = *name_en;
      nu.duties = duties->value_or("");
      nu.boundary_geojson = boundary;
      nu.sort_order = sort_order;
      nu.is_demo = as_demo;
      auto r = org.create_unit_in(c, actor, nu);
      if (!r) return bad(at("units", i, r.error().field), r.error().code);
      ++stats.created;
    }
  }

  if (const auto* bounds = section(doc, "boundaries")) {
    for (std::size_t i = 0; i < bounds->size(); ++i) {
      if (!(*bounds)[i].is_object()) return bad(at("boundaries", i, ""));
      const auto& b = (*bounds)[i].as_object();
      auto code = req_string(b, "unit", at("boundaries", i, "unit"));
      if (!code) return code.error();
      const auto* g = b.if_contains("boundary");
      if (g == nullptr) return bad(at("boundaries", i, "boundary"), "import.missing_field");
      auto nb = normalize_boundary(*g);
      if (!nb) return bad(at("boundaries", i, "boundary"), nb.error().code);
      auto u = repo.find_unit_by_code(*code);
      if (!u) return bad(at("boundaries", i, "unit"), "import.unknown_unit");
      if (u->boundary_geojson == *nb) {
        ++stats.unchanged;
        continue;
      }
      UnitPatch patch;
      patch.boundary_geojson = *nb;
      auto r = org.update_unit_in(c, actor, u->id, patch, u->version);
      if (!r) return bad(at("boundaries", i, "boundary"), r.error().code);
      ++stats.updated;
    }
  }

  // People are keyed in the file; "person-<id>" refers to an existing person (as exported).
  std::map<std::string, org::Id> people;
  if (const auto* list = section(doc, "people")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) return bad(at("people", i, ""));
      const auto& p = (*list)[i].as_object();
      auto key = req_string(p, "key", at("people", i, "key"));
      auto name = req_string(p, "name", at("people", i, "name"));
      auto phone = opt_string(p, "phone", at("people", i, "phone"));
      auto title = opt_string(p, "title", at("people", i, "title"));
      if (!key) return key.error();
      if (!name) return name.error();
      if (!phone) return phone.error();
      if (!title) return title.error();
      if (people.contains(*key)) return bad(at("people", i, "key"), "import.duplicate_key");
      if (key->rfind("person-", 0) == 0) {
        org::Id id = 0;
        try {
          id = std::stoll(key->substr(7));
        } catch (...) {
          return bad(at("people", i, "key"));
        }
        auto existing = repo.find_person(id);
        if (!existing) return bad(at("people", i, "key"), "import.unknown_person");
        people[*key] = id;
        if (existing->name != *name || existing->phone != *phone || existing->title != *title) {
          PersonPatch patch{*name, *phone, *title};
          auto r = org.update_person_in(c, actor, id, patch, existing->version);
          if (!r) return bad(at("people", i, r.error().field), r.error().code);
          ++stats.updated;
        } else {
          ++stats.unchanged;
        }
        continue;
      }
      auto r = org.create_person_in(c, actor, {*name, *phone, *title, as_demo});
      if (!r) return bad(at("people", i, r.error().field), r.error().code);
      people[*key] = r->id;
      ++stats.created;
    }
  }
  auto person_of = [&](const std::string& key) -> std::optional<org::Id> {
    if (auto it = people.find(key); it != people.end()) return it->second;
    return std::nullopt;
  };

  if (const auto* list = section(doc, "memberships")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) return bad(at("memberships", i, ""));
      const auto& m = (*list)[i].as_object();
      auto person = req_string(m, "person", at("memberships", i, "person"));
      auto unit = req_string(m, "unit", at("memberships", i, "unit"));
      auto post = req_string(m, "post", at("memberships", i, "post"));
      if (!person) return person.error();
      if (!unit) return unit.error();
      if (!post) return post.error();
      bool is_head = false;
      if (const auto* h = m.if_contains("is_head"); h != nullptr && h->is_bool()) {
        is_head = h->as_bool();
      }
      auto pid = person_of(*person);
      if (!pid) return bad(at("memberships", i, "person"), "import.unknown_person");
      auto u = repo.find_unit_by_code(*unit);
      if (!u) return bad(at("memberships", i, "unit"), "import.unknown_unit");
      if (repo.membership_exists(*pid, u->id, *post)) {
        ++stats.unchanged;
        continue;
      }
      auto r = org.add_membership_in(c, actor, *pid, u->id, *post, is_head);
      if (!r) return bad(at("memberships", i, r.error().field), r.error().code);
      ++stats.created;
    }
  }

  if (const auto* list = section(doc, "liaisons")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) return bad(at("liaisons", i, ""));
      const auto& l = (*list)[i].as_object();
      auto unit = req_string(l, "unit", at("liaisons", i, "unit"));
      auto leader = req_string(l, "leader", at("liaisons", i, "leader"));
      if (!unit) return unit.error();
      if (!leader) return leader.error();
      auto pid = person_of(*leader);
      if (!pid) return bad(at("liaisons", i, "leader"), "import.unknown_person");
      auto u = repo.find_unit_by_code(*unit);
      if (!u) return bad(at("liaisons", i, "unit"), "import.unknown_unit");
      if (auto cur = repo.liaison_of_unit(u->id); cur && cur->l.leader_id == *pid) {
        ++stats.unchanged;
        continue;
      }
      auto r = org.assign_liaison_in(c, actor, u->id, *pid);
      if (!r) return bad(at("liaisons", i, r.error().field), r.error().code);
      ++stats.created;
    }
  }

  if (const auto* list = section(doc, "users")) {
    // Accounts come only with demo data: a real deployment creates its accounts one by one.
    if (!as_demo) return bad("users", "import.users_only_in_demo");
    UserService users(ctx);
    storage::UserRepo urepo(c, actor.tenant_id);
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_object()) return bad(at("users", i, ""));
      const auto& u = (*list)[i].as_object();
      NewUser nu;
      auto username = req_string(u, "username", at("users", i, "username"));
      auto password = req_string(u, "password", at("users", i, "password"));
      auto role = req_string(u, "role", at("users", i, "role"));
      auto display = opt_string(u, "display_name", at("users", i, "display_name"));
      auto unit = opt_string(u, "unit", at("users", i, "unit"));
      auto person = opt_string(u, "person", at("users", i, "person"));
      for (const auto* e : {&username, &password, &role}) {
        if (!*e) return e->error();
      }
      for (const auto* e : {&display, &unit, &person}) {
        if (!*e) return e->error();
      }
      if (urepo.find_by_username(*username)) {
        ++stats.unchanged;
        continue;
      }
      nu.username = *username;
      nu.password = *password;
      nu.role = *role;
      nu.display_name = display->value_or("");
      nu.is_demo = true;
      if (*unit) {
        auto un = repo.find_unit_by_code(**unit);
        if (!un) return bad(at("users", i, "unit"), "import.unknown_unit");
        nu.unit_id = un->id;
      }
      if (*person) {
        auto pid = person_of(**person);
        if (!pid) return bad(at("users", i, "person"), "import.unknown_person");
        nu.person_id = *pid;
      }
      auto r = users.create_in(c, actor, nu);
      if (!r) return bad(at("users", i, r.error().field), r.error().code);
      ++stats.created;
    }
  }
  return stats;
}

Expected<ImportStats> import_structure(Context& ctx, const access::Actor& actor,
                                       const json::value& doc, bool as_demo) {
  return in_tx<ImportStats>(ctx.db, true, [&](storage::Connection& c) {
    return import_structure_in(ctx, c, actor, doc, as_demo);
  });
}

Expected<json::object> export_structure(Context& ctx, const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kOrgWrite); !s) return s.error();
  return in_tx<json::object>(ctx.db, false, [&](storage::Connection& c) -> Expected<json::object> {
    storage::OrgRepo repo(c, actor.tenant_id);
    json::object doc;
    doc["format"] = kFormat;
    if (auto t = storage::TenantRepo(c).find(actor.tenant_id)) {
      json::object to;
      to["code"] = t->code;
      to["name"] = t->name;
      to["name_en"] = t->name_en ? json::value(*t->name_en) : json::value(nullptr);
      to["admin_code"] = t->admin_code ? json::value(*t->admin_code) : json::value(nullptr);
      to["timezone"] = t->timezone;
      doc["tenant"] = to;
    }
    json::array posts;
    for (const auto& p : repo.posts()) posts.push_back(post_json(p));
    doc["posts"] = posts;
    std::map<org::Id, std::string> code_of;
    json::array units;
    for (const auto& u : repo.all_units()) {
      // Units without a code get one for the file, so that parents can be named.
      const std::string code = u.code.value_or("unit-" + std::to_string(u.id));
      code_of[u.id] = code;
      if (u.retired) continue;
      json::object o;
      o["code"] = code;
      o["parent"] = u.parent_id ? json::value(code_of[*u.parent_id]) : json::value(nullptr);
      o["kind"] = org::to_string(u.kind);
      o["name"] = u.name;
      o["name_en"] = u.name_en ? json::value(*u.name_en) : json::value(nullptr);
      o["duties"] = u.duties;
      o["sort_order"] = u.sort_order;
      if (u.boundary_geojson) o["boundary"] = json::parse(*u.boundary_geojson);
      units.push_back(o);
    }
    doc["units"] = units;
    json::array people;
    for (const auto& p : repo.all_people()) {
      if (p.retired) continue;
      json::object o;
      o["key"] = "person-" + std::to_string(p.id);
      o["name"] = p.name;
      o["phone"] = p.phone ? json::value(*p.phone) : json::value(nullptr);
      o["title"] = p.title ? json::value(*p.title) : json::value(nullptr);
      people.push_back(o);
    }
    doc["people"] = people;
    json::array memberships;
    for (const auto& m : repo.all_memberships()) {
      json::object o;
      o["person"] = "person-" + std::to_string(m.m.person_id);
      o["unit"] = code_of[m.m.unit_id];
      o["post"] = m.m.post_code;
      o["is_head"] = m.m.is_head;
      memberships.push_back(o);
    }
    doc["memberships"] = memberships;
    json::array liaisons;
    for (const auto& l : repo.list_liaisons(std::nullopt, std::nullopt)) {
      json::object o;
      o["unit"] = code_of[l.l.unit_id];
      o["leader"] = "person-" + std::to_string(l.l.leader_id);
      liaisons.push_back(o);
    }
    doc["liaisons"] = liaisons;
    return doc;
  });
}

namespace {
Expected<json::value> read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("preset.not_found", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec) return make_error("preset.invalid_json", path.string()).with("reason", ec.message());
  return v;
}
}  // namespace

Expected<InitResult> init_preset(Context& ctx, const std::filesystem::path& dir, bool demo) {
  auto preset = read_json_file(dir / "preset.json");
  if (!preset) return preset.error();
  std::optional<json::value> demo_doc;
  if (demo) {
    auto d = read_json_file(dir / "demo.json");
    if (!d) return d.error();
    demo_doc = std::move(d.value());
  }
  if (!preset->is_object() || !preset->as_object().contains("tenant") ||
      !preset->as_object().at("tenant").is_object()) {
    return make_error("preset.missing_tenant", "tenant");
  }
  const auto& t = preset->as_object().at("tenant").as_object();
  storage::Tenant tenant;
  auto code = req_string(t, "code", "tenant.code");
  auto name = req_string(t, "name", "tenant.name");
  if (!code) return code.error();
  if (!name) return name.error();
  tenant.code = *code;
  tenant.name = *name;
  if (auto v = opt_string(t, "name_en", "tenant.name_en"); v) tenant.name_en = *v;
  if (auto v = opt_string(t, "admin_code", "tenant.admin_code"); v) tenant.admin_code = *v;
  if (auto v = opt_string(t, "timezone", "tenant.timezone"); v && *v) tenant.timezone = **v;
  if (const auto* c = t.if_contains("center"); c != nullptr && c->is_object()) {
    const auto& co = c->as_object();
    if (co.contains("lat") && co.at("lat").is_number())
      tenant.center_lat = co.at("lat").to_number<double>();
    if (co.contains("lng") && co.at("lng").is_number())
      tenant.center_lng = co.at("lng").to_number<double>();
  }

  return in_tx<InitResult>(ctx.db, true, [&](storage::Connection& c) -> Expected<InitResult> {
    InitResult result;
    storage::TenantRepo tenants(c);
    const bool existed = tenants.find_by_code(tenant.code).has_value();
    result.tenant_id = tenants.upsert(tenant, ctx.clock.now());
    const auto actor = system_actor(result.tenant_id);
    storage::OrgRepo repo(c, result.tenant_id);
    if (!existed || !repo.root()) {
      auto r = import_structure_in(ctx, c, actor, *preset, false);
      if (!r) return r.error();
      result.created = true;
    }
    // The case configuration (categories, calendar, routing, workflow) is loaded the first time,
    // and again when the demo data arrives (its routing rules name demo units); after that it
    // belongs to the HQ office's editors, and init does not overwrite it.
    const bool configured = storage::ConfigRepo(c, result.tenant_id).calendar().has_value();
    bool load_config = !configured;
    if (demo_doc) {
      storage::UserRepo users(c, result.tenant_id);
      const auto& d = demo_doc->as_object();
      // Demo data is loaded once; its first account tells whether it is there.
      bool present = false;
      if (const auto* list = section(d, "users");
          list != nullptr && !list->empty() && (*list)[0].is_object()) {
        const auto* u = (*list)[0].as_object().if_contains("username");
        present = u != nullptr && u->is_string() &&
                  users.find_by_username(std::string(u->as_string())).has_value();
      }
      if (!present) {
        auto r = import_structure_in(ctx, c, actor, *demo_doc, true);
        if (!r) return r.error();
        result.demo_loaded = true;
        load_config = true;
      }
      if (const auto* list = section(d, "users")) {
        for (const auto& u : *list) {
          if (!u.is_object()) continue;
          const auto& o = u.as_object();
          if (o.contains("username") && o.contains("role") && o.at("username").is_string() &&
              o.at("role").is_string()) {
            result.demo_logins.emplace_back(std::string(o.at("username").as_string()),
                                            std::string(o.at("role").as_string()));
          }
          if (o.contains("password") && o.at("password").is_string()) {
            result.demo_password = std::string(o.at("password").as_string());
          }
        }
      }
    }
    if (load_config) {
      if (auto s = load_case_preset(c, result.tenant_id, dir); !s) return s.error();
    }
    // The wording is loaded while a tenant has none (a new tenant, or a database made before
    // message templates existed); after that the city's editors own it (docs/operations.md).
    if (!storage::ConfigRepo(c, result.tenant_id).has_message_templates()) {
      if (auto s = load_message_templates(c, result.tenant_id, dir); !s) return s.error();
    }
    // The bulletin template names figures and wording: checked against the wording just loaded.
    if (load_config) {
      if (auto s = load_bulletin_preset(c, result.tenant_id, dir); !s) return s.error();
    }
    return result;
  });
}

Expected<int> ensure_message_templates(Context& ctx, const std::filesystem::path& presets_dir) {
  return in_tx<int>(ctx.db, true, [&](storage::Connection& c) -> Expected<int> {
    int loaded = 0;
    for (const auto& t : storage::TenantRepo(c).all()) {
      storage::ConfigRepo repo(c, t.id);
      if (repo.has_message_templates()) continue;
      const auto dir = presets_dir / t.code;
      if (!std::filesystem::is_directory(dir / "messages")) {
        spdlog::error(
            "tenant {} has no message templates and {} does not exist: notifications and "
            "documents will show template keys (run civicloop init --preset NAME)",
            t.code, (dir / "messages").string());
        continue;
      }
      if (auto s = load_message_templates(c, t.id, dir); !s) return s.error();
      spdlog::info("tenant {}: message templates loaded from {}", t.code, dir.string());
      ++loaded;
    }
    return loaded;
  });
}

}  // namespace civicloop::app
