// Serves the built web app from a directory. The request path is checked before the filesystem is
// touched: no "..", no NUL, no backslash, no hidden segments; the resolved file must lie inside
// the root (symlinks out of it are refused). Unknown paths that look like app routes get
// index.html, so that deep links into the single-page app work.
//
// Compression: the build writes name.br and name.gz beside every text asset (scripts/
// compress-web.sh); when the request's Accept-Encoding takes one, that file is sent with its
// Content-Encoding (brotli first, then gzip), and every compressible answer says
// Vary: Accept-Encoding. Assets carry a content hash in their names and are cached for a year;
// index.html is revalidated on every load.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace civicloop::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);
  bool available() const { return available_; }
  // A response for a GET/HEAD of path, or nullopt when nothing is there (caller answers 404).
  // accept_encoding is the request's Accept-Encoding header (empty: identity only).
  std::optional<Response> serve(std::string_view path, std::string_view accept_encoding = {}) const;

 private:
  std::optional<std::filesystem::path> resolve(std::string_view path) const;
  std::filesystem::path root_;
  bool available_ = false;
};

std::string content_type_for(const std::filesystem::path& file);

// Whether an Accept-Encoding header accepts coding ("br", "gzip"): listed, or covered by "*",
// with a q-value above zero.
bool accepts_encoding(std::string_view header, std::string_view coding);

}  // namespace civicloop::http
