#include "app/notice_service.hpp"

#include "app/case_service.hpp"
#include "reports/notice_pdf.hpp"
#include "reports/table.hpp"

namespace civicloop::app {

namespace {

constexpr int kMaxLimit = 200;

// A date in words (date.long): "2026年12月3日", "2026-12-03".
std::string long_date(const TenantCaseConfig& cfg, std::string_view locale, Millis t) {
  const auto s = cfg.local_text(t);
  return cfg.word(locale, "date.long",
                  {{"year", s.substr(0, 4)},
                   {"month", std::to_string(std::stoi(s.substr(5, 2)))},
                   {"day", std::to_string(std::stoi(s.substr(8, 2)))},
                   {"mm", s.substr(5, 2)},
                   {"dd", s.substr(8, 2)}});
}

}  // namespace

bool NoticeService::may_see_notices(const access::Actor& actor, const TenantCaseConfig& cfg) {
  if (actor.role == access::Role::kCitizen) return cfg.workflow.reporter_sees_notice;
  return actor.can(access::Permission::kCasesRead);
}

std::vector<std::int64_t> NoticeService::visible_case_ids(storage::Connection& c,
                                                          const access::Actor& actor,
                                                          const storage::Notice& n) {
  if (actor.scope.all) return n.case_ids;
  storage::CaseRepo repo(c, actor.tenant_id);
  std::vector<std::int64_t> out;
  for (const auto id : n.case_ids) {
    if (auto r = repo.find(id); r && CaseService::in_scope(actor, *r)) out.push_back(id);
  }
  return out;
}

Expected<NoticePage> NoticeService::list(const access::Actor& actor, const NoticeListQuery& q) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  // The list is the office's and the units' register; reporters follow their own cases instead.
  if (auto s = access::require(actor, access::Permission::kCasesRead); !s) return s.error();
  const int want = q.limit < 1 ? 50 : std::min(q.limit, kMaxLimit);
  return in_tx<NoticePage>(ctx_.db, false, [&](storage::Connection& c) -> Expected<NoticePage> {
    auto ns = storage::CaseRepo(c, actor.tenant_id)
                  .list_notices(q.unit_id, q.open_only, &actor.scope, want + 1, q.before_id);
    NoticePage page;
    if (static_cast<int>(ns.size()) > want) {
      ns.pop_back();
      page.next_cursor = std::to_string(ns.back().id);
    }
    for (auto& n : ns) n.case_ids = visible_case_ids(c, actor, n);
    page.items = std::move(ns);
    return page;
  });
}

Expected<NoticeDetail> NoticeService::detail(const access::Actor& actor, std::int64_t notice_id) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  if (!may_see_notices(actor, **cfgx)) return make_error("auth.forbidden");
  return in_tx<NoticeDetail>(ctx_.db, false, [&](storage::Connection& c) -> Expected<NoticeDetail> {
    storage::CaseRepo repo(c, actor.tenant_id);
    auto n = repo.find_notice(notice_id);
    if (!n) return make_error("case.notice_not_found");
    NoticeDetail d;
    std::vector<std::int64_t> ids;
    for (const auto cid : n->case_ids) {
      auto r = repo.find(cid);
      if (!r || !CaseService::in_scope(actor, *r)) continue;
      ids.push_back(cid);
      d.cases.push_back(std::move(*r));
    }
    if (d.cases.empty()) return make_error("auth.out_of_scope");
    d.notice = std::move(*n);
    d.notice.case_ids = std::move(ids);
    return d;
  });
}

reports::NoticeLabels notice_labels(const Messages& words, std::string_view locale) {
  reports::NoticeLabels l;
  const char* columns[] = {"pdf.col.index",   "pdf.col.case_no",     "pdf.col.category",
                           "pdf.col.address", "pdf.col.description", "pdf.col.deadline"};
  for (std::size_t i = 0; i < l.columns.size(); ++i) l.columns[i] = words.text(locale, columns[i]);
  l.none = words.text(locale, "pdf.none");
  // The templates keep their placeholders; the renderer fills them.
  l.salutation = words.text(locale, "pdf.salutation");
  const auto labelled = words.text(locale, "pdf.labelled");
  // "{label}：{value}": the separator is what stands between the two.
  const auto a = labelled.find("{label}");
  const auto b = labelled.find("{value}");
  l.label_separator = a != std::string::npos && b != std::string::npos && b > a + 7
                          ? labelled.substr(a + 7, b - a - 7)
                          : labelled;
  l.requirement = words.text(locale, "pdf.requirement");
  l.deadline = words.text(locale, "pdf.deadline");
  l.contact = words.text(locale, "pdf.contact");
  l.note = words.text(locale, "pdf.note");
  l.running_head = words.text(locale, "pdf.running_head");
  l.page = words.text(locale, "pdf.page");
  return l;
}

reports::NoticeDoc notice_doc(const TenantCaseConfig& cfg, const storage::Notice& n,
                              const std::vector<cases::Record>& cases, std::string_view locale) {
  reports::NoticeDoc doc;
  const bool reminder = n.kind == "reminder";
  doc.kind =
      reminder ? reports::NoticeDoc::Kind::kReminder : reports::NoticeDoc::Kind::kRectification;
  doc.labels = notice_labels(cfg.messages, locale);
  doc.title = cfg.word(locale, reminder ? "notice.kind.reminder" : "notice.kind.rectification");
  doc.intro = cfg.word(locale, reminder ? "pdf.intro.reminder" : "pdf.intro.rectification");
  doc.number = n.number;
  doc.issuer = cfg.workflow.issuer;
  doc.recipient = cfg.unit_name(n.unit_id);
  doc.requirement = n.requirement;
  if (n.deadline_at) {
    doc.deadline = cfg.word(locale, "date.deadline",
                            {{"date", long_date(cfg, locale, *n.deadline_at)},
                             {"time", cfg.local_text(*n.deadline_at).substr(11)}});
  }
  doc.issued_on = long_date(cfg, locale, n.issued_at);
  doc.footer_note = cfg.word(locale, "pdf.footer_note");
  for (const auto& c : cases) {
    doc.items.push_back({c.case_no, cfg.category_name(c.category_code, locale), c.address,
                         c.description.empty() ? c.title : c.description, doc.deadline});
  }
  return doc;
}

Expected<std::string> NoticeService::pdf(const access::Actor& actor, std::int64_t notice_id,
                                         std::string_view locale) {
  auto d = detail(actor, notice_id);
  if (!d) return d.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  return reports::render_notice_pdf(notice_doc(**cfgx, d->notice, d->cases, locale));
}

Expected<std::string> NoticeService::xlsx(const access::Actor& actor, NoticeListQuery q,
                                          std::string_view locale) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const Millis now = ctx_.clock.now();
  constexpr std::size_t kMaxRows = 5000;
  reports::Table rows;
  q.limit = kMaxLimit;
  for (;;) {
    auto page = list(actor, q);
    if (!page) return page.error();
    for (const auto& n : page->items) {
      // A notice whose cases are all finished has no time left to count.
      std::string remaining;
      if (n.deadline_at && n.open) {
        const auto left = (*n.deadline_at - now) / 3600000;
        remaining = left >= 0 ? cfg.word(locale, "xlsx.notices.hours_left",
                                         {{"hours", std::to_string(left)}})
                              : cfg.word(locale, "xlsx.notices.hours_overdue",
                                         {{"hours", std::to_string(-left)}});
      }
      rows.push_back({n.number,
                      cfg.word(locale, n.kind == "reminder" ? "notice.kind.reminder"
                                                            : "notice.kind.rectification"),
                      cfg.unit_name(n.unit_id), std::to_string(n.case_ids.size()),
                      cfg.local_text(n.issued_at), cfg.local_text(n.deadline_at), remaining});
    }
    if (!page->next_cursor || rows.size() >= kMaxRows) break;
    q.before_id = std::stoll(*page->next_cursor);
  }
  std::vector<std::string> header;
  for (const char* k : {"number", "kind", "unit", "cases", "issued_at", "deadline", "remaining"}) {
    header.push_back(cfg.word(locale, std::string("xlsx.notices.") + k));
  }
  return reports::to_xlsx(cfg.word(locale, "xlsx.notices.sheet"), header, rows,
                          {3});  // the case count is a number
}

}  // namespace civicloop::app
