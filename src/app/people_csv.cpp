#include "app/people_csv.hpp"

#include <map>
#include <stdexcept>

#include "domain/text.hpp"
#include "reports/table.hpp"

namespace civicloop::app {

namespace {

Error row_error(std::size_t line, std::string column, std::string code) {
  return make_error(std::move(code), std::move(column)).with("line", std::to_string(line));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(text::trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& people_header_zh() {
  static const std::vector<std::string> kHeader = {"编号", "姓名", "职务", "电话", "任职"};
  return kHeader;
}

const std::vector<std::string>& people_header_en() {
  static const std::vector<std::string> kHeader = {"id", "name", "title", "phone", "memberships"};
  return kHeader;
}

Expected<std::vector<PeopleCsvRow>> parse_people_csv(std::string_view csv) {
  reports::CsvError err;
  auto rows = reports::parse_csv(csv, &err, 20000);
  if (!rows) {
    return make_error("import.bad_csv")
        .with("line", std::to_string(err.line))
        .with("reason", err.reason);
  }
  if (rows->empty()) return make_error("import.empty");
  const auto& zh = people_header_zh();
  const auto& en = people_header_en();
  // Map columns by header name, Chinese or English, in any order.
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < (*rows)[0].size(); ++i) {
    const auto h = text::trim((*rows)[0][i]);
    for (std::size_t k = 0; k < zh.size(); ++k) {
      if (h == zh[k] || h == en[k]) col[en[k]] = i;
    }
  }
  if (!col.contains("name")) return make_error("import.missing_column", "name");
  auto cell = [&](const std::vector<std::string>& r, const char* name) -> std::string {
    auto it = col.find(name);
    if (it == col.end() || it->second >= r.size()) return "";
    return text::trim(r[it->second]);
  };
  std::vector<PeopleCsvRow> out;
  out.reserve(rows->size() - 1);
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& r = (*rows)[i];
    PeopleCsvRow row;
    row.line = i + 1;
    const auto id_text = cell(r, "id");
    row.name = cell(r, "name");
    row.title = cell(r, "title");
    row.phone = cell(r, "phone");
    if (!id_text.empty()) {
      try {
        std::size_t used = 0;
        row.id = std::stoll(id_text, &used);
        if (used != id_text.size()) throw std::invalid_argument("id");
      } catch (...) {
        row.id.reset();
        row.id_error = row_error(row.line, "id", "import.invalid_field");
      }
    }
    for (const auto& entry : split(cell(r, "memberships"), ';')) {
      if (entry.empty()) continue;
      auto parts = split(entry, ':');
      if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && parts[2] != "head")) {
        row.memberships_error = row_error(row.line, "memberships", "import.invalid_field");
        break;
      }
      row.memberships.push_back({parts[0], parts[1], parts.size() == 3});
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace civicloop::app
