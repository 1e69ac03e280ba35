// Use cases of bulletins (通报, issue 8 part 7): the tenant's template (the preset's
// bulletins.json, checked against the figures and the wording; GET/PUT by the office), drafting a
// bulletin from the KPIs of a period (overall figures, the unit ranking, the red and black lists,
// overdue cases, typical problems with before and after photos, praise and criticism), editing it
// (versioned: a stale version is conflict.stale_version, 409), the workflow (submit, withdraw,
// reject, approve by the office head with four eyes, publish), the PDF (a live preview of a draft;
// the archived file of a published one), and the scheduled drafts the scheduler makes.
//
// Who: drafting, editing, submitting and publishing need bulletins.draft (HQ office and HQ
// administrator); approving and rejecting bulletins.approve (the HQ administrator stands for the
// office head: docs/security.md). Tenant-wide staff read published bulletins; unit-bound roles only
// those addressed to a unit in their scope; citizens none.
//
// Publishing is idempotent and numbers once: the first step gives the number in one transaction
// (kept, the bulletin still approved), the PDF is rendered and written to the media store, the
// second step marks it published, queues the deliveries and appends the ledger event. A publish
// retried after a crash between them finds the number and reuses it; one retried after it finished
// answers the published bulletin. Thread-safe: every call runs its own transaction(s).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/kpi_service.hpp"
#include "domain/bulletin.hpp"
#include "storage/bulletin_repo.hpp"

namespace civicloop::app {

// The template: bulletins.json, format "civicloop-bulletins/1".
struct BulletinSectionTemplate {
  std::string kind;     // domain/bulletin.hpp section_kinds()
  std::string heading;  // message key of the heading
  std::string text;     // message key of the paragraph ({figure} placeholders)
  // The paragraph when the section lists nothing (bulletin::count_figure is 0); none: `text`.
  std::optional<std::string> text_empty;
};
struct BulletinKindTemplate {
  std::string title;  // message key of the title ({period}, {from}, {to}, {year})
  std::vector<BulletinSectionTemplate> sections;
};
struct BulletinSchedule {
  bulletin::Kind kind = bulletin::Kind::kWeekly;
  int weekday = 1;      // weekly: 0 = Sunday … 6 = Saturday
  int day = 1;          // monthly: day of the month (1–28)
  int minute = 8 * 60;  // local time of day
};
struct BulletinTemplate {
  std::string number_format = "通〔{year}〕{seq}号";
  std::vector<std::string> ranking_columns;
  int overdue_max = 10;
  int typical_max = 4;
  std::map<std::string, BulletinKindTemplate> kinds;  // weekly, monthly, special
  std::vector<BulletinSchedule> schedule;
};

// Checks the document against the figures and the tenant's wording (every key in every supported
// locale, every placeholder a known figure): "bulletin.bad_settings" (field: the key at fault),
// "bulletin.unknown_figure" (field: the figure; details.where: the message key or setting),
// "bulletin.missing_wording" (field: the message key).
Expected<BulletinTemplate> parse_bulletin_template(const boost::json::value& doc,
                                                   const Messages& words);
// Loads the preset's bulletins.json (when there is one) after its wording, in the caller's
// transaction; the same checks.
Status load_bulletin_preset(storage::Connection& c, std::int64_t tenant_id,
                            const std::filesystem::path& preset_dir);

struct BulletinDraftRequest {
  std::string kind = "weekly";
  std::optional<std::string> date;  // a day in the period; default: the previous week / month
  std::optional<std::string> from;  // special: the range (default: the previous week)
  std::optional<std::string> to;
  std::optional<std::string> schedule_key;  // set by the scheduler only
};

struct BulletinEdit {
  int version = 0;
  std::optional<std::string> title;
  std::optional<std::vector<bulletin::Section>> sections;
  std::optional<std::vector<std::int64_t>> recipients;  // unit ids
  std::optional<std::vector<std::int64_t>> typical_case_ids;
};

struct BulletinPage {
  std::vector<storage::BulletinRow> items;
  std::optional<std::string> next_cursor;
};

struct BulletinListQuery {
  std::optional<std::string> state;
  std::optional<std::string> kind;
  int limit = 50;
  std::optional<std::int64_t> before_id;
};

// What a viewer may do with a bulletin (the web page shows the buttons from it).
struct BulletinAllowed {
  bool edit = false, submit = false, withdraw = false, reject = false, approve = false,
       publish = false;
};

class BulletinService {
 public:
  BulletinService(Context& ctx, CaseConfigCache& config)
      : ctx_(ctx), config_(config), kpis_(ctx, config) {}

  Expected<BulletinTemplate> template_of(std::int64_t tenant_id);
  Expected<boost::json::value> template_doc(const access::Actor& actor);
  // Checks and saves the template (cases.configure).
  Expected<boost::json::value> save_template(const access::Actor& actor,
                                             const boost::json::value& doc);

  Expected<storage::BulletinRow> draft(const access::Actor& actor, const BulletinDraftRequest& q);
  Expected<BulletinPage> list(const access::Actor& actor, const BulletinListQuery& q);
  Expected<storage::BulletinRow> get(const access::Actor& actor, std::int64_t id);
  Expected<storage::BulletinRow> edit(const access::Actor& actor, std::int64_t id,
                                      const BulletinEdit& e);
  // submit, withdraw, reject, approve, publish (version optional: when given it must match).
  Expected<storage::BulletinRow> transition(const access::Actor& actor, std::int64_t id,
                                            std::string_view action, std::optional<int> version,
                                            const std::string& note);
  // The first step of publish alone: the number, in one transaction (tests simulate a crash
  // after it). An approved bulletin only; a numbered one keeps its number.
  Expected<storage::BulletinRow> assign_number(const access::Actor& actor, std::int64_t id);
  // The PDF: the archived file once published; a preview of an unpublished one.
  Expected<std::string> pdf(const access::Actor& actor, std::int64_t id);
  BulletinAllowed allowed(const access::Actor& actor, const storage::BulletinRow& b) const;

  // The scheduled drafts due at `now` for every tenant (the scheduler): one per schedule entry and
  // period (schedule_key), never twice. Answers how many were made.
  int run_schedule();

 private:
  Expected<bool> may_read(const access::Actor& actor, const TenantCaseConfig& cfg,
                          const storage::BulletinRow& b) const;
  Expected<std::string> render(const TenantCaseConfig& cfg, const storage::BulletinRow& b);
  Expected<storage::BulletinRow> publish(const access::Actor& actor, std::int64_t id);
  Context& ctx_;
  CaseConfigCache& config_;
  KpiService kpis_;
};

}  // namespace civicloop::app
