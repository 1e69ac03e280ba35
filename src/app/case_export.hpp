// The problem list (问题清单) as Excel: every case the filters select (up to 100,000), as an
// official reads it: the case number, the state, category and source in words, the places and the
// unit by name, times in the tenant's zone, the rework count as a number. Worded in a locale from
// the tenant's templates (app/messages.hpp). The list use case checks role and scope.
#pragma once

#include <string>
#include <string_view>

#include "app/case_service.hpp"

namespace civicloop::app {

class CaseExport {
 public:
  CaseExport(CaseService& cases, CaseConfigCache& config) : cases_(cases), config_(config) {}

  Expected<std::string> xlsx(const access::Actor& actor, storage::CaseQuery q,
                             const std::string& text, std::string_view locale);

 private:
  CaseService& cases_;
  CaseConfigCache& config_;
};

}  // namespace civicloop::app
