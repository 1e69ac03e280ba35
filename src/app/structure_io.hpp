// The organisation as a document: the preset format (presets/*/preset.json, demo.json) read by
// `civicloop init`, and the same format exported and imported whole through the API.
//
// Import is an upsert keyed by unit code and person key and runs in one transaction: a file with
// one bad line changes nothing. Exporting and importing back creates and changes nothing.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <string>

#include "app/context.hpp"

namespace civicloop::app {

struct ImportStats {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

// Imports units, boundaries, people, memberships, liaisons, posts and (demo only) users.
Expected<ImportStats> import_structure(Context& ctx, const access::Actor& actor,
                                       const boost::json::value& doc, bool as_demo);
Expected<ImportStats> import_structure_in(Context& ctx, storage::Connection& c,
                                          const access::Actor& actor, const boost::json::value& doc,
                                          bool as_demo);
Expected<boost::json::object> export_structure(Context& ctx, const access::Actor& actor);

struct InitResult {
  std::int64_t tenant_id = 0;
  bool created = false;      // the preset was loaded now (false: it was there already)
  bool demo_loaded = false;  // the demo data was loaded now
  std::vector<std::pair<std::string, std::string>> demo_logins;  // username, role
  std::string demo_password;
};

// Loads presets/<name>/preset.json (and demo.json with demo) into the database. Idempotent.
Expected<InitResult> init_preset(Context& ctx, const std::filesystem::path& preset_dir, bool demo);

// For a database made before the message templates (migration 0007), or a tenant whose templates
// were never loaded: each tenant with none gets those of presets_dir/<tenant code>/messages.
// A tenant for which no such directory exists is logged as an error (its wording shows keys).
// Returns how many tenants were loaded.
Expected<int> ensure_message_templates(Context& ctx, const std::filesystem::path& presets_dir);

}  // namespace civicloop::app
