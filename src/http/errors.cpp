#include "http/errors.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "http/embedded_http.hpp"

namespace civicloop::http {

namespace {

struct Entry {
  int status;
  std::string zh;
  std::string en;
};

// The catalogue is data: src/http/errors.json (status, zh-CN and en per code), compiled into the
// binary (cmake/embed.cmake). {field} and the names of details are replaced; a code missing there
// is a bug (tests check every code used in src/). Parsed once; a broken file stops the process at
// the first error answered, which every test run does.
const std::unordered_map<std::string, Entry>& catalog() {
  static const std::unordered_map<std::string, Entry> m = [] {
    std::unordered_map<std::string, Entry> out;
    const auto text = embedded_http::find("http/errors.json");
    if (!text) throw std::logic_error("errors.json is not embedded");
    const auto doc = boost::json::parse(*text);
    for (const auto& [code, v] : doc.at("errors").as_object()) {
      const auto& o = v.as_object();
      out.emplace(std::string(code), Entry{static_cast<int>(o.at("status").as_int64()),
                                           std::string(o.at("zh-CN").as_string()),
                                           std::string(o.at("en").as_string())});
    }
    return out;
  }();
  return m;
}

std::string fill(std::string_view tmpl, const Error& e) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const auto close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      out += tmpl.substr(i);
      break;
    }
    const auto key = tmpl.substr(i + 1, close - i - 1);
    if (key == "field") {
      out += e.field;
    } else {
      for (const auto& [k, v] : e.details) {
        if (k == key) {
          out += v;
          break;
        }
      }
    }
    i = close;
  }
  return out;
}

}  // namespace

Lang pick_language(std::string_view header) {
  double zh = -1;
  double en = -1;
  std::size_t i = 0;
  int position = 0;
  while (i < header.size()) {
    auto j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    auto item = header.substr(i, j - i);
    i = j + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1.0;
    if (auto semi = item.find(';'); semi != std::string_view::npos) {
      auto params = item.substr(semi + 1);
      item = item.substr(0, semi);
      if (auto qpos = params.find("q="); qpos != std::string_view::npos) {
        q = std::strtod(std::string(params.substr(qpos + 2)).c_str(), nullptr);
      }
    }
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    // Earlier entries win ties.
    q -= position++ * 1e-6;
    auto lower = std::string(item);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("zh", 0) == 0) {
      if (q > zh) zh = q;
    } else if (lower.rfind("en", 0) == 0) {
      if (q > en) en = q;
    }
  }
  return en > zh && en > 0 ? Lang::kEn : Lang::kZh;
}

Lang language_of(const Request& req) {
  // A document opened in a new tab or downloaded names the app's language in ?lang= (the browser
  // sends its own Accept-Language there, not the app's).
  if (auto l = req.query_param("lang"); l && !l->empty()) {
    if (*l == "en" || l->rfind("en-", 0) == 0) return Lang::kEn;
    if (*l == "zh" || l->rfind("zh-", 0) == 0) return Lang::kZh;
  }
  auto h = req.header("accept-language");
  return h ? pick_language(*h) : Lang::kZh;
}

int status_of(const Error& e) {
  const auto& c = catalog();
  auto it = c.find(e.code);
  return it == c.end() ? 400 : it->second.status;
}

std::string message_of(const Error& e, Lang lang) {
  const auto& c = catalog();
  auto it = c.find(e.code);
  if (it == c.end()) return e.code;
  return fill(lang == Lang::kEn ? it->second.en : it->second.zh, e);
}

Response error_response(const Error& e, Lang lang) {
  boost::json::object details;
  if (!e.field.empty()) details["field"] = e.field;
  for (const auto& [k, v] : e.details) details[k] = v;
  boost::json::object err;
  err["code"] = e.code;
  err["message"] = message_of(e, lang);
  err["details"] = std::move(details);
  boost::json::object body;
  body["error"] = std::move(err);
  return Response::json(status_of(e), boost::json::serialize(body));
}

Response error_response(const Error& e, const Request& req) {
  auto r = error_response(e, language_of(req));
  if (r.status == 401) r.add_header("WWW-Authenticate", "Bearer realm=\"civicloop\"");
  return r;
}

std::vector<std::string> known_error_codes() {
  std::vector<std::string> out;
  for (const auto& [k, v] : catalog()) out.emplace_back(k);
  return out;
}

}  // namespace civicloop::http
