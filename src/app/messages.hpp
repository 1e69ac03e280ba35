// A tenant's wording: message templates per locale, from the preset's messages/LOCALE.json (loaded
// into the database at `civicloop init`, table message_templates). Notifications, robot messages,
// Excel headers and sheet names, the notice PDF's text, state, source and action labels are all
// looked up here by key; no C++ string literal carries them.
//
// A template holds {name} placeholders filled from the arguments; an argument named "name@" holds
// another key, worded in the same locale with the other (plain) arguments and filling {name} (a
// stored notification keeps {"decision@": "extension_decision.granted"} and each reader sees it
// in his language). Lookup falls back to zh-CN, the tenant's first locale, and then to the key
// itself: a missing key is logged once as an error and shows as the key, never as a hidden
// default.
//
// Immutable after loading; shared between threads through TenantCaseConfig.
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.hpp"
#include "storage/db.hpp"

namespace civicloop::app {

// The first locale of every tenant, and the one a missing translation falls back to.
inline constexpr std::string_view kFirstLocale = "zh-CN";
// The locales a preset must provide (the web app's two languages).
const std::vector<std::string>& supported_locales();

using MessageArgs = std::vector<std::pair<std::string, std::string>>;

class Messages {
 public:
  void add(const std::string& locale, const std::string& key, std::string text);
  bool empty() const { return by_locale_.empty(); }
  bool has(std::string_view locale, std::string_view key) const;
  // The template of key in locale (or zh-CN) with its placeholders filled.
  std::string text(std::string_view locale, std::string_view key,
                   const MessageArgs& args = {}) const;
  const std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>& all()
      const {
    return by_locale_;
  }

 private:
  const std::string* find(std::string_view locale, std::string_view key) const;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> by_locale_;
};

// "zh-CN" or "en" for a language chosen by Accept-Language (http::Lang lives above app/).
std::string locale_for(bool english);

// "LOCALE KEY" of every key looked up and not found since the process started (tests).
std::vector<std::string> missing_message_keys();

// Fills {name} from args (unknown names are left as written).
std::string fill_template(std::string_view tmpl, const MessageArgs& args);

// Arguments as a JSON object text and back (stored with a notification).
std::string args_to_json(const MessageArgs& args);
MessageArgs args_from_json(std::string_view text);

// Reads one messages file ({"format": "civicloop-messages/1", "locale", "messages": {key: text}}).
struct MessageFile {
  std::string locale;
  std::vector<std::pair<std::string, std::string>> items;
};
Expected<MessageFile> parse_message_file(const boost::json::value& doc);

// Loads every messages/*.json of a preset directory into the tenant, replacing its templates of
// those locales, in the caller's transaction. A directory without messages/ loads nothing.
Status load_message_templates(storage::Connection& c, std::int64_t tenant_id,
                              const std::filesystem::path& preset_dir);

// The tenant's templates.
Messages read_messages(storage::Connection& c, std::int64_t tenant_id);

}  // namespace civicloop::app
