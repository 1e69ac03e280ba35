#include "app/case_export.hpp"

#include "reports/table.hpp"

namespace civicloop::app {

Expected<std::string> CaseExport::xlsx(const access::Actor& actor, storage::CaseQuery q,
                                       const std::string& text, std::string_view locale) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  reports::Table rows;
  // Page through everything the filters select, up to the export limit.
  constexpr std::size_t kMaxRows = 100000;
  q.limit = 200;
  for (;;) {
    auto page = cases_.list(actor, q, text);
    if (!page) return page.error();
    for (const auto& c : page->items) {
      rows.push_back({c.case_no,
                      cfg.word(locale, "state." + std::string(cases::to_string(c.state))),
                      cfg.category_name(c.category_code, locale), c.title, c.address,
                      cfg.unit_name(c.subdistrict_id), cfg.unit_name(c.community_id),
                      cfg.unit_name(c.assigned_unit_id),
                      cfg.word(locale, "source." + std::string(cases::to_string(c.source))),
                      cfg.local_text(c.reported_at),
                      c.timer ? cfg.local_text(c.timer->deadline) : std::string(),
                      c.overdue ? cfg.word(locale, "common.yes") : std::string(),
                      std::to_string(c.rework_count), cfg.local_text(c.closed_at)});
    }
    if (!page->next_cursor || rows.size() >= kMaxRows) break;
    if (!set_case_cursor(q, *page->next_cursor)) break;
  }
  std::vector<std::string> header;
  for (const char* k :
       {"case_no", "state", "category", "title", "address", "subdistrict", "community", "unit",
        "source", "reported_at", "deadline", "overdue", "rework_count", "closed_at"}) {
    header.push_back(cfg.word(locale, std::string("xlsx.cases.") + k));
  }
  return reports::to_xlsx(cfg.word(locale, "xlsx.cases.sheet"), header, rows,
                          {12});  // the rework count is a number
}

}  // namespace civicloop::app
