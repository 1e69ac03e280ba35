// Persistence of the Open311 façade (docs/open311.md): the tenant's settings document, the API
// keys of applications (only the SHA-256 of a key's secret is kept), the link of a case reported
// through Open311 to its token, key and attribute answers, and the reads of the GET methods over
// the cases and their ledger events. One per transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct Open311Key {
  std::int64_t id = 0;
  std::string name;     // the application
  std::string contact;  // who runs it
  std::string key_hash;
  std::string key_prefix;  // the first characters of the key, to recognise it in a list
  int rate_per_minute = 0;
  std::optional<std::int64_t> created_by;
  Millis created_at = 0;
  std::optional<Millis> revoked_at;
  std::optional<std::int64_t> revoked_by;
  std::optional<Millis> last_used_at;
};

struct Open311Link {
  std::int64_t case_id = 0;
  std::string token;
  std::int64_t key_id = 0;
  std::string attributes_json = "{}";
  int media_count = 0;
  Millis created_at = 0;
};

// The filters of GET requests (docs/open311.md): ids override every other filter.
struct Open311Query {
  std::vector<std::int64_t> ids;
  std::vector<std::string> categories;  // exact codes
  std::vector<std::string> states;      // state names; empty: all
  std::optional<Millis> reported_from;  // inclusive
  std::optional<Millis> reported_to;    // exclusive
  std::optional<Millis> updated_from;   // inclusive
  std::optional<Millis> updated_to;     // exclusive
  int limit = 1000;
  int offset = 0;
};

// A case's event as the façade reads it.
struct Open311Event {
  std::int64_t seq = 0;
  std::int64_t case_id = 0;
  Millis at = 0;
  std::string action;
  std::optional<std::string> after_json;
  std::optional<std::string> note;
};

class Open311Repo {
 public:
  Open311Repo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  void save_settings(const std::string& jurisdiction_id, const std::string& doc, Millis now);
  std::optional<std::string> settings_doc();
  // The tenant whose settings name this jurisdiction.
  static std::optional<std::int64_t> tenant_of_jurisdiction(Connection& conn,
                                                            const std::string& jurisdiction_id);
  // The tenants that have Open311 settings, in id order.
  static std::vector<std::int64_t> tenants(Connection& conn);

  void insert_key(const Open311Key& k);
  std::optional<Open311Key> find_key(std::int64_t id);
  std::optional<Open311Key> find_key_by_hash(const std::string& key_hash);
  std::vector<Open311Key> keys();  // newest first
  // Marks the key revoked; false when it does not exist or was revoked already.
  bool revoke_key(std::int64_t id, std::optional<std::int64_t> by, Millis at);

  void insert_link(const Open311Link& l);
  std::optional<Open311Link> find_link_by_token(const std::string& token);
  std::map<std::int64_t, Open311Link> links_of(const std::vector<std::int64_t>& case_ids);

  // The ids of the cases that match, newest report first (or newest change first when the query
  // filters on the change time only), after offset, at most limit.
  std::vector<std::int64_t> request_ids(const Open311Query& q);
  // The events of these cases with one of the actions, in (case, seq) order.
  std::vector<Open311Event> events_of(const std::vector<std::int64_t>& case_ids,
                                      const std::vector<std::string>& actions);
  // Case events with one of the actions at [from, to), oldest first, at most limit.
  std::vector<Open311Event> events_between(Millis from, Millis to,
                                           const std::vector<std::string>& actions, int limit);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
