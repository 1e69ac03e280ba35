// Use cases of the Open311 GeoReport v2 façade (docs/open311.md): the service list and
// definitions from the tenant's categories and its Open311 settings (presets/<city>/open311.json),
// a request made by an application with its API key, which runs through the same intake, routing
// and loop as any other report (CaseService::report: a point outside the district is refused
// there), the token of a request, the requests read back by id and by filters, the updates of
// the mySociety extension, and the keys the HQ administrator issues and revokes.
//
// GET methods are public (specification 1.1); they read only what a request's public view holds:
// never the reporter's name or phone (Open311 does not even store what a client sends of them),
// never an internal note (only the notes of the settings' public_note_actions).
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/evidence_service.hpp"
#include "domain/open311.hpp"
#include "storage/open311_repo.hpp"

namespace civicloop::app {

// A tenant's Open311 settings, as its preset gave them (checked at load).
struct Open311Settings {
  std::string jurisdiction_id;
  std::string source = "citizen";
  bool batch = true;  // service type: batch (a token) or realtime (the id)
  std::string endpoint_type = "production";
  std::string changeset;
  std::map<std::string, std::string> contact;      // by locale
  std::map<std::string, std::string> key_service;  // by locale
  int rate_per_minute = 600;
  int max_media = 3;
  std::vector<std::string> public_note_actions;
  boost::json::value attributes;  // the document's "attributes" (service code → list)

  // A service's attributes with their wording in the locale ("zh-CN" or "en").
  std::vector<open311::Attribute> attributes_of(std::string_view service_code,
                                                std::string_view locale) const;
  std::string text(const std::map<std::string, std::string>& by_locale,
                   std::string_view locale) const;
};

// Reads and checks an open311.json document ("preset.invalid" naming the field otherwise).
Expected<Open311Settings> parse_open311_settings(const boost::json::value& doc);
// Loads presets/<city>/open311.json when there is one (called by load_case_preset).
Status load_open311_preset(storage::Connection& c, std::int64_t tenant_id,
                           const std::filesystem::path& dir, Millis now);

struct Open311ServiceType {
  std::string code;
  std::string name;
  std::string description;
  std::string keywords;  // comma-separated
  std::string group;
  bool metadata = false;
};

struct Open311Catalog {
  std::shared_ptr<const Open311Settings> settings;
  std::shared_ptr<const TenantCaseConfig> config;
  std::vector<Open311ServiceType> services;
};

struct Open311Submission {
  std::string api_key;
  std::optional<std::string> jurisdiction_id;
  std::string service_code;
  std::optional<double> lat;
  std::optional<double> lng;
  std::string address_string;
  std::string address_id;
  std::string description;
  open311::Answers answers;
  std::vector<std::string> media;  // the bytes of each uploaded photo
};

struct Open311Submitted {
  std::int64_t tenant_id = 0;
  std::int64_t case_id = 0;
  std::string token;
  bool batch = true;
};

struct Open311Filter {
  std::optional<std::string> jurisdiction_id;
  std::vector<std::int64_t> ids;
  std::vector<std::string> service_codes;
  std::vector<std::string> statuses;  // open, closed
  std::optional<Millis> start;
  std::optional<Millis> end;
  std::optional<Millis> updated_after;
  std::optional<Millis> updated_before;
  bool extensions = false;
  int page = 1;
  std::optional<int> page_size;
};

// A request as the GET methods show it.
struct Open311Note {
  Millis at = 0;
  std::string type;  // the case action: report, file, dispatch ... close
  std::string description;
};
struct Open311Request {
  cases::Record record;
  std::optional<std::string> last_public_note;
  std::optional<storage::Open311Link> link;  // when it came in through Open311
  std::vector<Open311Note> notes;            // with extensions only
};
struct Open311RequestPage {
  std::shared_ptr<const TenantCaseConfig> config;
  std::shared_ptr<const Open311Settings> settings;
  std::vector<Open311Request> items;
};

struct Open311Update {
  std::int64_t update_id = 0;  // the ledger event's seq
  std::int64_t case_id = 0;
  cases::State state = cases::State::kReported;
  Millis at = 0;
  std::string action;
  std::string note;  // a public note, or ""
};

struct Open311IssuedKey {
  storage::Open311Key key;
  std::string secret;  // shown once
};

class Open311Service {
 public:
  Open311Service(Context& ctx, CaseConfigCache& config, EvidenceService& evidence)
      : ctx_(ctx), config_(config), evidence_(evidence) {}

  // The tenant a public call is for: by jurisdiction_id, or the only tenant with Open311 settings
  // when none is given (open311.jurisdiction_required when there are several,
  // open311.jurisdiction_not_found for an unknown one or none configured).
  Expected<std::int64_t> tenant_for(const std::optional<std::string>& jurisdiction_id);
  Expected<std::shared_ptr<const Open311Settings>> settings(std::int64_t tenant_id);
  Expected<Open311Catalog> catalog(std::int64_t tenant_id, std::string_view locale);

  Expected<Open311Submitted> submit(const Open311Submission& in);
  // The case of a token (open311.token_not_found).
  Expected<std::int64_t> resolve_token(std::int64_t tenant_id, const std::string& token);
  Expected<Open311RequestPage> requests(std::int64_t tenant_id, const Open311Filter& f);
  Expected<std::vector<Open311Update>> updates(std::int64_t tenant_id, std::optional<Millis> start,
                                               std::optional<Millis> end);

  // The HQ administrator's keys (users.manage): issued with a secret shown once, listed without
  // it, revoked. Each a ledger event of entity type "open311_key".
  Expected<Open311IssuedKey> issue_key(const access::Actor& actor, const std::string& name,
                                       const std::string& contact,
                                       std::optional<int> rate_per_minute);
  Expected<std::vector<storage::Open311Key>> keys(const access::Actor& actor);
  Expected<storage::Open311Key> revoke_key(const access::Actor& actor, std::int64_t id);

 private:
  Context& ctx_;
  CaseConfigCache& config_;
  EvidenceService& evidence_;
  std::mutex mu_;
  struct Cached {
    std::shared_ptr<const Open311Settings> settings;
    std::uint64_t generation = 0;
    Millis loaded_at = 0;
  };
  std::map<std::int64_t, Cached> cache_;
};

}  // namespace civicloop::app
