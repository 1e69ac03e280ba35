#include "app/messages.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "app/context.hpp"
#include "storage/config_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {

// A missing key is logged once per locale and key, not on every request that shows it; the set is
// kept for tests (missing_message_keys).
std::mutex& missing_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string, std::less<>>& missing_set() {
  static std::set<std::string, std::less<>> s;
  return s;
}

void log_missing(std::string_view locale, std::string_view key) {
  std::string id = std::string(locale) + " " + std::string(key);
  std::lock_guard lock(missing_mutex());
  if (!missing_set().insert(id).second) return;
  spdlog::error("message template {} is missing for locale {} (and zh-CN); showing the key", key,
                locale);
}

}  // namespace

const std::vector<std::string>& supported_locales() {
  static const std::vector<std::string> kLocales = {std::string(kFirstLocale), "en"};
  return kLocales;
}

std::vector<std::string> missing_message_keys() {
  std::lock_guard lock(missing_mutex());
  return {missing_set().begin(), missing_set().end()};
}

std::string locale_for(bool english) { return english ? "en" : std::string(kFirstLocale); }

void Messages::add(const std::string& locale, const std::string& key, std::string text) {
  by_locale_[locale][key] = std::move(text);
}

const std::string* Messages::find(std::string_view locale, std::string_view key) const {
  for (const auto loc : {locale, kFirstLocale}) {
    auto it = by_locale_.find(loc);
    if (it == by_locale_.end()) continue;
    auto k = it->second.find(key);
    if (k != it->second.end()) return &k->second;
  }
  return nullptr;
}

bool Messages::has(std::string_view locale, std::string_view key) const {
  auto it = by_locale_.find(locale);
  return it != by_locale_.end() && it->second.contains(key);
}

namespace {

// The arguments as worded in a locale: `name:locale` replaces `name`; other `name:x` are dropped.
MessageArgs localised_args(const MessageArgs& args, std::string_view locale) {
  MessageArgs out;
  out.reserve(args.size());
  for (const auto& [k, v] : args) {
    if (k.find(':') == std::string::npos) out.emplace_back(k, v);
  }
  for (const auto& [k, v] : args) {
    const auto colon = k.find(':');
    if (colon == std::string::npos || std::string_view(k).substr(colon + 1) != locale) continue;
    const auto name = k.substr(0, colon);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& a) { return a.first == name; });
    if (it != out.end()) {
      it->second = v;
    } else {
      out.emplace_back(name, v);
    }
  }
  return out;
}

}  // namespace

std::string Messages::text(std::string_view locale, std::string_view key,
                           const MessageArgs& args) const {
  const auto* t = find(locale, key);
  if (t == nullptr) {
    log_missing(locale, key);
    return std::string(key);
  }
  // An argument named `name:locale` (e.g. `unit:en`, a unit's English name) stands for `name` in
  // that locale and is dropped in the others.
  if (std::any_of(args.begin(), args.end(),
                  [](const auto& a) { return a.first.find(':') != std::string::npos; })) {
    return text(locale, key, localised_args(args, locale));
  }
  // An argument whose name ends in '@' names another key, worded in the same locale (the name is
  // the code's, never the user's: a note starting with '@' stays a note).
  bool refs = false;
  for (const auto& [k, v] : args) refs = refs || (!k.empty() && k.back() == '@');
  if (!refs) return fill_template(*t, args);
  // The referenced key is filled with the plain arguments (a digest's rank line takes {rank}).
  MessageArgs plain;
  for (const auto& [k, v] : args) {
    if (k.empty() || k.back() != '@') plain.emplace_back(k, v);
  }
  MessageArgs worded;
  worded.reserve(args.size());
  for (const auto& [k, v] : args) {
    if (!k.empty() && k.back() == '@') {
      worded.emplace_back(k.substr(0, k.size() - 1), text(locale, v, plain));
    } else {
      worded.emplace_back(k, v);
    }
  }
  return fill_template(*t, worded);
}

std::string fill_template(std::string_view tmpl, const MessageArgs& args) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const auto open = tmpl.find('{', i);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, open - i));
    const auto close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) {
      out.append(tmpl.substr(open));
      break;
    }
    const auto name = tmpl.substr(open + 1, close - open - 1);
    bool found = false;
    for (const auto& [k, v] : args) {
      if (k == name) {
        out += v;
        found = true;
        break;
      }
    }
    if (!found) out.append(tmpl.substr(open, close - open + 1));
    i = close + 1;
  }
  return out;
}

std::string args_to_json(const MessageArgs& args) {
  json::object o;
  for (const auto& [k, v] : args) o[k] = v;
  return json::serialize(o);
}

MessageArgs args_from_json(std::string_view text) {
  MessageArgs out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, x] : v.as_object()) {
    if (x.is_string()) out.emplace_back(std::string(k), std::string(x.as_string()));
  }
  return out;
}

Expected<MessageFile> parse_message_file(const json::value& doc) {
  if (!doc.is_object()) return make_error("preset.invalid_json", "messages");
  const auto& o = doc.as_object();
  const auto* format = o.if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != "civicloop-messages/1") {
    return make_error("preset.invalid_field", "format");
  }
  const auto* locale = o.if_contains("locale");
  if (locale == nullptr || !locale->is_string() || locale->as_string().empty()) {
    return make_error("preset.invalid_field", "locale");
  }
  const auto* messages = o.if_contains("messages");
  if (messages == nullptr || !messages->is_object()) {
    return make_error("preset.invalid_field", "messages");
  }
  MessageFile f;
  f.locale = std::string(locale->as_string());
  for (const auto& [k, v] : messages->as_object()) {
    if (!v.is_string()) return make_error("preset.invalid_field", "messages." + std::string(k));
    f.items.emplace_back(std::string(k), std::string(v.as_string()));
  }
  return f;
}

Status load_message_templates(storage::Connection& c, std::int64_t tenant_id,
                              const std::filesystem::path& preset_dir) {
  const auto dir = preset_dir / "messages";
  if (!std::filesystem::is_directory(dir)) return Ok{};
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  storage::ConfigRepo repo(c, tenant_id);
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return make_error("preset.not_found", p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto doc = json::parse(ss.str(), ec);
    if (ec) return make_error("preset.invalid_json", p.string()).with("reason", ec.message());
    auto f = parse_message_file(doc);
    if (!f) return f.error();
    if (f->locale + ".json" != p.filename().string()) {
      return make_error("preset.invalid_field", p.filename().string() + ": locale");
    }
    repo.replace_message_templates(f->locale, f->items);
  }
  config_changed();
  return Ok{};
}

Messages read_messages(storage::Connection& c, std::int64_t tenant_id) {
  Messages m;
  for (auto& t : storage::ConfigRepo(c, tenant_id).message_templates()) {
    m.add(t.locale, t.key, std::move(t.text));
  }
  return m;
}

}  // namespace civicloop::app
