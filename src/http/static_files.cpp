#include "http/static_files.hpp"

#include <system_error>

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

std::optional<Response> StaticFiles::serve(std::string_view path) const {
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
  // Vite puts a content hash in every asset name: cache those for a year, never index.html.
  r.add_header("Cache-Control", is_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

}  // namespace civicloop::http
