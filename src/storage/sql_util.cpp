#include "storage/sql_util.hpp"

namespace civicloop::storage::sql {

namespace {
void escape_into(std::string& out, std::string_view text, bool lower) {
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(lower && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
}
}  // namespace

std::string contains_pattern(std::string_view text) {
  std::string p = "%";
  escape_into(p, text, true);
  p += '%';
  return p;
}

std::string prefix_pattern(std::string_view path) {
  std::string p;
  escape_into(p, path, false);
  p += '%';
  return p;
}

std::string in_list(std::size_t n) {
  std::string s = "(";
  for (std::size_t i = 0; i < n; ++i) s += i == 0 ? "?" : ", ?";
  s += ")";
  return s;
}

void scope_filter(std::string& sql, std::vector<Value>& params, const access::Scope* scope,
                  const std::vector<std::string_view>& path_columns) {
  if (scope == nullptr || scope->all) return;
  if (scope->roots.empty()) {
    sql += " AND 1 = 0";
    return;
  }
  sql += " AND (";
  bool first = true;
  for (const auto& root : scope->roots) {
    const auto pattern = prefix_pattern(root);
    for (const auto column : path_columns) {
      if (!first) sql += " OR ";
      first = false;
      sql += column;
      sql += " LIKE ? ESCAPE '\\'";
      params.emplace_back(pattern);
    }
  }
  sql += ")";
}

}  // namespace civicloop::storage::sql
