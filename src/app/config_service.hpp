// Use cases on the case configuration (the HQ office's editors) and on notifications: categories,
// routing rules, the calendar's years, robots (webhooks), the in-app inbox, and the
// responsibility list. Writes need cases.configure and are ledger events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "storage/config_repo.hpp"
#include "storage/notify_repo.hpp"

namespace civicloop::app {

// The workflow settings with the revision a change must name (a fingerprint of the values, so
// that two officials editing at once do not overwrite each other unseen).
struct WorkflowView {
  storage::WorkflowSettings settings;
  std::string revision;
};

struct ResponsibilityRow {
  org::Id unit_id = 0;
  std::vector<std::string> categories;  // codes the unit answers for by default or by a rule
  std::vector<org::Id> areas;           // places it answers for (its own subtree's places)
  int open_cases = 0;
  int overdue_cases = 0;
};

class ConfigService {
 public:
  ConfigService(Context& ctx, CaseConfigCache& cache) : ctx_(ctx), cache_(cache) {}

  Expected<storage::Category> update_category(const access::Actor& actor,
                                              const storage::Category& c, int version);
  Expected<std::vector<routing::Rule>> replace_rules(const access::Actor& actor,
                                                     std::vector<routing::Rule> rules);
  Expected<storage::CalendarConfig> save_year(const access::Actor& actor,
                                              const calendar::YearSchedule& year);
  Expected<storage::CalendarConfig> calendar(const access::Actor& actor);

  // Reading needs cases.read (every office that acts on cases works under them); changing needs
  // cases.configure, is checked by workflow::check and is a ledger event with both versions.
  Expected<WorkflowView> workflow(const access::Actor& actor);
  Expected<WorkflowView> update_workflow(const access::Actor& actor,
                                         const storage::WorkflowSettings& next,
                                         const std::string& revision);

  Expected<std::vector<storage::Webhook>> webhooks(const access::Actor& actor);
  Expected<storage::Webhook> add_webhook(const access::Actor& actor, storage::Webhook w);
  Status remove_webhook(const access::Actor& actor, std::int64_t id);

  struct Inbox {
    std::vector<storage::Notification> items;
    int unread = 0;
    std::optional<std::string> next_cursor;
  };
  // Title and body in the reader's locale ("zh-CN", "en").
  Expected<Inbox> inbox(const access::Actor& actor, bool unread_only, int limit,
                        std::optional<std::int64_t> before, std::string_view locale);
  Status mark_read(const access::Actor& actor, std::optional<std::int64_t> id);

  Expected<std::vector<ResponsibilityRow>> responsibility(const access::Actor& actor,
                                                          std::optional<org::Id> unit_id);

 private:
  Context& ctx_;
  CaseConfigCache& cache_;
};

}  // namespace civicloop::app
