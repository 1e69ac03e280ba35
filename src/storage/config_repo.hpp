// Persistence of the tenant's case configuration: campaign drives, the category taxonomy, the
// working-time calendar, routing rules and workflow settings. One per transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/routing.hpp"
#include "domain/workflow.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct Drive {
  std::string code;
  std::string name;
  std::optional<std::string> name_en;
  int sort_order = 0;
};

struct Category {
  std::string code;
  std::optional<std::string> parent_code;  // none for a major class (大类)
  std::string kind;                        // event, component
  std::string name;
  std::optional<std::string> name_en;
  std::optional<std::string> drive;
  std::string filing_condition;
  std::string closing_condition;
  std::string notice_kind = "rectification";
  std::optional<calendar::TimeLimit> limit;
  std::optional<std::string> responsible_kind;
  std::optional<std::int64_t> responsible_unit_id;
  std::optional<std::int64_t> supervising_group_id;
  std::string keywords;  // space-separated
  int sort_order = 0;
  bool active = true;
  int version = 1;
};

using WorkflowSettings = workflow::Settings;

struct CalendarConfig {
  int utc_offset_minutes = 480;
  std::vector<calendar::WorkPeriod> periods;
  std::vector<calendar::YearSchedule> years;
};

// One message template of a tenant (app/messages.hpp): a key in one locale and its text, with
// {name} placeholders.
struct MessageTemplate {
  std::string locale;
  std::string key;
  std::string text;
};

class ConfigRepo {
 public:
  ConfigRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  std::vector<Drive> drives();
  void upsert_drive(const Drive& d);

  std::vector<Category> categories();
  std::optional<Category> find_category(std::string_view code);
  void upsert_category(const Category& c);
  bool update_category(const Category& c, int expected_version);

  std::optional<CalendarConfig> calendar();
  void save_calendar_header(int utc_offset_minutes, const std::vector<calendar::WorkPeriod>& p);
  void save_year(const calendar::YearSchedule& y);  // replaces that year's days

  std::vector<routing::Rule> rules();
  void replace_rules(const std::vector<routing::Rule>& rules);  // ids and positions as given

  std::optional<WorkflowSettings> workflow();
  void save_workflow(const WorkflowSettings& w);

  std::vector<MessageTemplate> message_templates();
  bool has_message_templates();
  // Replaces every template of one locale by these (key, text) pairs.
  void replace_message_templates(const std::string& locale,
                                 const std::vector<std::pair<std::string, std::string>>& items);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

std::string format_periods(const std::vector<calendar::WorkPeriod>& periods);
std::optional<std::vector<calendar::WorkPeriod>> parse_periods(std::string_view text);

}  // namespace civicloop::storage
