// Serves the built web app from a directory. The request path is checked before the filesystem is
// touched: no "..", no NUL, no backslash, no hidden segments; the resolved file must lie inside
// the root (symlinks out of it are refused). Unknown paths that look like app routes get
// index.html, so that deep links into the single-page app work.
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
  std::optional<Response> serve(std::string_view path) const;

 private:
  std::optional<std::filesystem::path> resolve(std::string_view path) const;
  std::filesystem::path root_;
  bool available_ = false;
};

std::string content_type_for(const std::filesystem::path& file);

}  // namespace civicloop::http
