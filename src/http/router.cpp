#include "http/router.hpp"

namespace civicloop::http {

namespace {
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Fn fn) {
  auto segments = split_path(pattern);
  entries_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(fn)});
}

Router::Match Router::find(Request& req, const Fn** fn, std::string* allowed) const {
  const auto parts = split_path(req.path);
  bool path_matched = false;
  for (const auto& e : entries_) {
    if (e.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& s = e.segments[i];
      const auto close = s.find('}');
      if (s.size() > 2 && s.front() == '{' && close != std::string::npos) {
        // "{id}" captures the segment; "{id}.pdf" captures what precedes the literal suffix.
        const auto suffix = s.substr(close + 1);
        const auto& part = parts[i];
        if (part.size() <= suffix.size() ||
            part.compare(part.size() - suffix.size(), suffix.size(), suffix) != 0) {
          ok = false;
        } else {
          params[s.substr(1, close - 1)] = part.substr(0, part.size() - suffix.size());
        }
      } else if (s != parts[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    path_matched = true;
    const bool head_as_get = req.method == "HEAD" && e.method == "GET";
    if (e.method == req.method || head_as_get) {
      req.path_params = std::move(params);
      *fn = &e.fn;
      return Match::kFound;
    }
    if (allowed != nullptr) {
      if (!allowed->empty()) *allowed += ", ";
      *allowed += e.method;
    }
  }
  return path_matched ? Match::kNoMethod : Match::kNoPath;
}

std::vector<Router::Route> Router::routes() const {
  std::vector<Route> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back({e.method, e.pattern});
  return out;
}

}  // namespace civicloop::http
