#include "storage/places_repo.hpp"

#include <string>

namespace civicloop::storage {

std::map<std::int64_t, PlaceCounts> PlacesRepo::counts(PlaceLevel level,
                                                       const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, PlaceCounts> out;
  if (ids.empty()) return out;
  const std::string col = level == PlaceLevel::kSubdistrict ? "subdistrict_id" : "community_id";
  // The state condition is the indexes' own, word for word, so both planners use them.
  std::string sql = "SELECT " + col +
                    ", count(*), "
                    "sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END), "
                    "sum(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END) "
                    "FROM cases WHERE tenant_id = ? AND " +
                    col + " IN (";
  std::vector<Value> params{tenant_};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(ids[i]);
  }
  sql += ") AND state NOT IN ('closed', 'voided', 'duplicate') GROUP BY " + col;
  for (const auto& r : c_.query(sql, params)) {
    out[r.get_int(0)] = PlaceCounts{r.get_int(1), r.get_int(2), r.get_int(3)};
  }
  return out;
}

}  // namespace civicloop::storage
