#include "http/static_files.hpp"

#include <cctype>
#include <system_error>
#include <utility>

namespace civicloop::http {

namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  root_ = fs::weakly_canonical(root, ec);
  available_ = !ec && fs::is_regular_file(root_ / "index.html", ec);
}

std::string content_type_for(const fs::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<fs::path> StaticFiles::resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  // Reject any ".." or hidden segment outright, before building a filesystem path.
  std::size_t i = 1;
  while (i <= path.size()) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto seg = path.substr(i, j - i);
    if (!seg.empty() && seg.front() == '.') return std::nullopt;
    i = j + 1;
  }
  fs::path candidate = root_ / fs::path(std::string(path.substr(1)));
  std::error_code ec;
  auto real = fs::weakly_canonical(candidate, ec);
  if (ec) return std::nullopt;
  const auto root_str = root_.string();
  const auto real_str = real.string();
  if (real_str.compare(0, root_str.size(), root_str) != 0 ||
      (real_str.size() > root_str.size() && real_str[root_str.size()] != '/')) {
    return std::nullopt;
  }
  if (!fs::is_regular_file(real, ec)) return std::nullopt;
  return real;
}

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool compressible(const fs::path& file) {
  const auto ext = file.extension().string();
  return ext == ".html" || ext == ".js" || ext == ".mjs" || ext == ".css" || ext == ".json" ||
         ext == ".map" || ext == ".svg" || ext == ".txt";
}

}  // namespace

bool accepts_encoding(std::string_view header, std::string_view coding) {
  std::optional<bool> exact;
  std::optional<bool> wildcard;
  std::size_t i = 0;
  while (i < header.size()) {
    auto j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    auto item = trim_ows(header.substr(i, j - i));
    i = j + 1;
    bool accepted = true;
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      auto param = lower_ascii(trim_ows(item.substr(semi + 1)));
      item = trim_ows(item.substr(0, semi));
      if (param.rfind("q=", 0) == 0) {
        // q=0, q=0.0, q=0.00 and q=0.000 refuse; anything else accepts.
        const auto q = param.substr(2);
        accepted = q.find_first_not_of("0.") != std::string::npos || q.empty();
      }
    }
    const auto name = lower_ascii(item);
    if (name == coding) exact = accepted;
    if (name == "*") wildcard = accepted;
  }
  if (exact) return *exact;
  return wildcard.value_or(false);
}

std::optional<Response> StaticFiles::serve(std::string_view path,
                                           std::string_view accept_encoding) const {
  if (!available_) return std::nullopt;
  auto file = resolve(path == "/" ? "/index.html" : path);
  const bool is_asset = path.rfind("/assets/", 0) == 0;
  if (!file) {
    // A deep link into the app (/structure, /units/12) gets the app; a missing asset does not.
    const auto last = path.substr(path.rfind('/') + 1);
    if (is_asset || last.find('.') != std::string_view::npos) return std::nullopt;
    file = root_ / "index.html";
  }
  Response r;
  r.status = 200;
  r.content_type = content_type_for(*file);
  r.file_path = file->string();
  if (compressible(*file)) {
    r.add_header("Vary", "Accept-Encoding");
    for (const auto& [coding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
      if (!accepts_encoding(accept_encoding, coding)) continue;
      std::error_code ec;
      // The variant lies beside a file resolve() accepted, under the same root.
      const auto variant = r.file_path + suffix;
      if (fs::is_regular_file(variant, ec) && !fs::is_symlink(variant, ec)) {
        r.file_path = variant;
        r.add_header("Content-Encoding", coding);
        break;
      }
    }
  }
  // Vite puts a content hash in every asset name: cache those for a year, never index.html.
  r.add_header("Cache-Control", is_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

}  // namespace civicloop::http
