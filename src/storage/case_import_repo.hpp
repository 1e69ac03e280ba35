// What the history import asks of the cases table besides CaseRepo: which original numbers of a
// source are already there, and where this run began. Written once for both dialects.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::storage {

class CaseImportRepo {
 public:
  CaseImportRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // The ids of the tenant's cases of this source with these original numbers (the unique index
  // cases_original_no), by number; numbers not there are absent.
  std::map<std::string, std::int64_t> find_original(const std::string& source,
                                                    const std::vector<std::string>& numbers);
  // The highest case id of the tenant (0 when none): cases above it were written after it.
  std::int64_t max_case_id();

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
