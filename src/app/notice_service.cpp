#include "app/notice_service.hpp"

#include "app/case_service.hpp"
#include "reports/notice_pdf.hpp"

namespace civicloop::app {

namespace {

constexpr int kMaxLimit = 200;

std::string local_time(const TenantCaseConfig& cfg, Millis t) {
  const auto iso =
      format_iso_utc(t + static_cast<Millis>(cfg.calendar.utc_offset_minutes()) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string cn_date(const TenantCaseConfig& cfg, Millis t) {
  const auto s = local_time(cfg, t);
  return std::to_string(std::stoi(s.substr(0, 4))) + "年" +
         std::to_string(std::stoi(s.substr(5, 2))) + "月" +
         std::to_string(std::stoi(s.substr(8, 2))) + "日";
}

std::string unit_name(const TenantCaseConfig& cfg, std::int64_t id) {
  const auto* u = cfg.unit(id);
  return u != nullptr ? u->name : "";
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

Expected<std::string> NoticeService::pdf(const access::Actor& actor, std::int64_t notice_id) {
  auto d = detail(actor, notice_id);
  if (!d) return d.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const auto& n = d->notice;
  reports::NoticeDoc doc;
  doc.kind = n.kind == "reminder" ? reports::NoticeDoc::Kind::kReminder
                                  : reports::NoticeDoc::Kind::kRectification;
  doc.number = n.number;
  doc.issuer = cfg.workflow.issuer;
  doc.recipient = unit_name(cfg, n.unit_id);
  doc.requirement = n.requirement;
  if (n.deadline_at) {
    doc.deadline =
        cn_date(cfg, *n.deadline_at) + " " + local_time(cfg, *n.deadline_at).substr(11) + "前";
  }
  doc.issued_on = cn_date(cfg, n.issued_at);
  doc.footer_note = "整改完成后请在平台上传整改前后对比照片，由督导组核查销号。";
  for (const auto& c : d->cases) {
    const auto* cat = cfg.category(c.category_code);
    doc.items.push_back({c.case_no, cat ? cat->name : c.category_code, c.address,
                         c.description.empty() ? c.title : c.description, doc.deadline});
  }
  return reports::render_notice_pdf(doc);
}

}  // namespace civicloop::app
