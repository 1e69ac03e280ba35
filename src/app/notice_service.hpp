// Use cases of the numbered notices (整改通知单 and 提醒卡): the list, one notice with its cases,
// and its printable PDF. Every answer holds only what the viewer may see: a notice may batch one
// unit's cases from several places, and each viewer gets the cases of it that are in his scope
// (none in scope: auth.out_of_scope). Citizens see notices only when the tenant's workflow says
// reporters do, and then only with their own cases.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "domain/case_record.hpp"
#include "reports/notice_pdf.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::app {

struct NoticeListQuery {
  std::optional<std::int64_t> unit_id;
  bool open_only = true;
  int limit = 50;
  std::optional<std::int64_t> before_id;
};

struct NoticePage {
  // case_ids of each notice hold only the viewer's cases.
  std::vector<storage::Notice> items;
  std::optional<std::string> next_cursor;
};

struct NoticeDetail {
  storage::Notice notice;            // case_ids: the viewer's cases only
  std::vector<cases::Record> cases;  // the same cases, in the notice's order
};

// The notice PDF's fixed wording in a locale, from the tenant's templates.
reports::NoticeLabels notice_labels(const Messages& words, std::string_view locale);
// The notice as a document (title, intro, dates and items worded in a locale).
reports::NoticeDoc notice_doc(const TenantCaseConfig& cfg, const storage::Notice& n,
                              const std::vector<cases::Record>& cases, std::string_view locale);

class NoticeService {
 public:
  NoticeService(Context& ctx, CaseConfigCache& config) : ctx_(ctx), config_(config) {}

  Expected<NoticePage> list(const access::Actor& actor, const NoticeListQuery& q);
  Expected<NoticeDetail> detail(const access::Actor& actor, std::int64_t notice_id);
  // The PDF of the notice as this viewer may see it (his cases only), worded in a locale.
  Expected<std::string> pdf(const access::Actor& actor, std::int64_t notice_id,
                            std::string_view locale);
  // The rectification list (整改清单) as Excel: every notice the query selects (up to 5,000),
  // as the list shows them, worded in a locale; the case count is a number.
  Expected<std::string> xlsx(const access::Actor& actor, NoticeListQuery q,
                             std::string_view locale);

  // The notice's case ids this actor may see (the case view embeds its notice).
  static std::vector<std::int64_t> visible_case_ids(storage::Connection& c,
                                                    const access::Actor& actor,
                                                    const storage::Notice& n);
  // Whether the actor may see notices at all (staff with cases.read; reporters when the tenant's
  // workflow lets them).
  static bool may_see_notices(const access::Actor& actor, const TenantCaseConfig& cfg);

 private:
  Context& ctx_;
  CaseConfigCache& config_;
};

}  // namespace civicloop::app
