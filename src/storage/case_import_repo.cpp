#include "storage/case_import_repo.hpp"

namespace civicloop::storage {

std::map<std::string, std::int64_t> CaseImportRepo::find_original(
    const std::string& source, const std::vector<std::string>& numbers) {
  std::map<std::string, std::int64_t> out;
  constexpr std::size_t kChunk = 500;
  for (std::size_t start = 0; start < numbers.size(); start += kChunk) {
    const auto end = std::min(numbers.size(), start + kChunk);
    std::string sql =
        "SELECT original_no, id FROM cases WHERE tenant_id = ? AND import_source = ? AND "
        "original_no IN (";
    std::vector<Value> params{tenant_, source};
    for (auto i = start; i < end; ++i) {
      sql += i == start ? "?" : ", ?";
      params.emplace_back(numbers[i]);
    }
    sql += ")";
    for (const auto& row : c_.query(sql, params)) out.emplace(row.get_text(0), row.get_int(1));
  }
  return out;
}

std::int64_t CaseImportRepo::max_case_id() {
  auto rows = c_.query("SELECT MAX(id) FROM cases WHERE tenant_id = ?", {tenant_});
  if (rows.empty() || rows[0].is_null(0)) return 0;
  return rows[0].get_int(0);
}

}  // namespace civicloop::storage
