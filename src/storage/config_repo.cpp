#include "storage/config_repo.hpp"

#include <map>

namespace civicloop::storage {

namespace {
Value opt_s(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

constexpr const char* kCategoryColumns =
    "code, parent_code, kind, name, name_en, drive, filing_condition, closing_condition, "
    "notice_kind, limit_amount, limit_unit, responsible_kind, responsible_unit_id, "
    "supervising_group_id, keywords, sort_order, active, version";

Category category_from(const Row& r) {
  Category c;
  c.code = r.get_text(0);
  c.parent_code = r.get_opt_text(1);
  c.kind = r.get_text(2);
  c.name = r.get_text(3);
  c.name_en = r.get_opt_text(4);
  c.drive = r.get_opt_text(5);
  c.filing_condition = r.get_text(6);
  c.closing_condition = r.get_text(7);
  c.notice_kind = r.get_text(8);
  auto amount = r.get_opt_int(9);
  auto unit = r.get_opt_text(10);
  if (amount && unit) {
    if (auto u = calendar::parse_limit_unit(*unit)) {
      c.limit = calendar::TimeLimit{static_cast<int>(*amount), *u};
    }
  }
  c.responsible_kind = r.get_opt_text(11);
  c.responsible_unit_id = r.get_opt_int(12);
  c.supervising_group_id = r.get_opt_int(13);
  c.keywords = r.get_text(14);
  c.sort_order = static_cast<int>(r.get_int(15));
  c.active = r.get_bool(16);
  c.version = static_cast<int>(r.get_int(17));
  return c;
}

std::vector<Value> category_values(const Category& c) {
  return {c.code,
          opt_s(c.parent_code),
          c.kind,
          c.name,
          opt_s(c.name_en),
          opt_s(c.drive),
          c.filing_condition,
          c.closing_condition,
          c.notice_kind,
          c.limit ? Value(static_cast<std::int64_t>(c.limit->amount)) : Value(nullptr),
          c.limit ? Value(std::string(calendar::to_string(c.limit->unit))) : Value(nullptr),
          opt_s(c.responsible_kind),
          opt_i(c.responsible_unit_id),
          opt_i(c.supervising_group_id),
          c.keywords,
          static_cast<std::int64_t>(c.sort_order),
          static_cast<std::int64_t>(c.active)};
}
}  // namespace

std::string format_periods(const std::vector<calendar::WorkPeriod>& periods) {
  std::string out;
  for (const auto& p : periods) {
    if (!out.empty()) out += ',';
    out += calendar::format_minute_of_day(p.start_minute) + "-" +
           calendar::format_minute_of_day(p.end_minute);
  }
  return out;
}

std::optional<std::vector<calendar::WorkPeriod>> parse_periods(std::string_view text) {
  std::vector<calendar::WorkPeriod> out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    auto item = text.substr(i, j - i);
    auto dash = item.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto a = calendar::parse_minute_of_day(item.substr(0, dash));
    auto b = calendar::parse_minute_of_day(item.substr(dash + 1));
    if (!a || !b) return std::nullopt;
    out.push_back({*a, *b});
    i = j + 1;
  }
  return out;
}

std::vector<Drive> ConfigRepo::drives() {
  std::vector<Drive> out;
  for (const auto& r : c_.query("SELECT code, name, name_en, sort_order FROM campaign_drives "
                                "WHERE tenant_id = ? ORDER BY sort_order, code",
                                {tenant_})) {
    out.push_back(
        {r.get_text(0), r.get_text(1), r.get_opt_text(2), static_cast<int>(r.get_int(3))});
  }
  return out;
}

void ConfigRepo::upsert_drive(const Drive& d) {
  c_.execute(
      "INSERT INTO campaign_drives (tenant_id, code, name, name_en, sort_order) VALUES "
      "(?, ?, ?, ?, ?) ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, "
      "name_en = excluded.name_en, sort_order = excluded.sort_order",
      {tenant_, d.code, d.name, opt_s(d.name_en), static_cast<std::int64_t>(d.sort_order)});
}

std::vector<Category> ConfigRepo::categories() {
  std::vector<Category> out;
  for (const auto& r : c_.query(std::string("SELECT ") + kCategoryColumns +
                                    " FROM case_categories WHERE tenant_id = ? "
                                    "ORDER BY sort_order, code",
                                {tenant_})) {
    out.push_back(category_from(r));
  }
  return out;
}

std::optional<Category> ConfigRepo::find_category(std::string_view code) {
  auto rows = c_.query(std::string("SELECT ") + kCategoryColumns +
                           " FROM case_categories WHERE tenant_id = ? AND code = ?",
                       {tenant_, std::string(code)});
  if (rows.empty()) return std::nullopt;
  return category_from(rows[0]);
}

void ConfigRepo::upsert_category(const Category& c) {
  auto v = category_values(c);
  v.insert(v.begin(), tenant_);
  c_.execute(
      std::string("INSERT INTO case_categories (tenant_id, code, parent_code, kind, name, "
                  "name_en, drive, filing_condition, closing_condition, notice_kind, "
                  "limit_amount, limit_unit, responsible_kind, responsible_unit_id, "
                  "supervising_group_id, keywords, sort_order, active) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ") +
          "ON CONFLICT (tenant_id, code) DO UPDATE SET parent_code = excluded.parent_code, "
          "kind = excluded.kind, name = excluded.name, name_en = excluded.name_en, "
          "drive = excluded.drive, filing_condition = excluded.filing_condition, "
          "closing_condition = excluded.closing_condition, notice_kind = excluded.notice_kind, "
          "limit_amount = excluded.limit_amount, limit_unit = excluded.limit_unit, "
          "responsible_kind = excluded.responsible_kind, "
          "responsible_unit_id = excluded.responsible_unit_id, "
          "supervising_group_id = excluded.supervising_group_id, keywords = excluded.keywords, "
          "sort_order = excluded.sort_order, active = excluded.active, "
          "version = case_categories.version + 1",
      v);
}

bool ConfigRepo::update_category(const Category& c, int expected_version) {
  auto v = category_values(c);
  std::vector<Value> p(v.begin() + 1, v.end());
  p.emplace_back(tenant_);
  p.emplace_back(c.code);
  p.emplace_back(static_cast<std::int64_t>(expected_version));
  return c_.execute(
             "UPDATE case_categories SET parent_code = ?, kind = ?, name = ?, name_en = ?, "
             "drive = ?, filing_condition = ?, closing_condition = ?, notice_kind = ?, "
             "limit_amount = ?, limit_unit = ?, responsible_kind = ?, responsible_unit_id = ?, "
             "supervising_group_id = ?, keywords = ?, sort_order = ?, active = ?, "
             "version = version + 1 WHERE tenant_id = ? AND code = ? AND version = ?",
             p) == 1;
}

std::optional<CalendarConfig> ConfigRepo::calendar() {
  auto head =
      c_.query("SELECT utc_offset_minutes, periods FROM calendars WHERE tenant_id = ?", {tenant_});
  if (head.empty()) return std::nullopt;
  CalendarConfig cfg;
  cfg.utc_offset_minutes = static_cast<int>(head[0].get_int(0));
  cfg.periods = parse_periods(head[0].get_text(1)).value_or(std::vector<calendar::WorkPeriod>{});
  std::map<int, calendar::YearSchedule> years;
  for (const auto& r :
       c_.query("SELECT year FROM calendar_years WHERE tenant_id = ? ORDER BY year", {tenant_})) {
    const int y = static_cast<int>(r.get_int(0));
    years[y].year = y;
  }
  for (const auto& r : c_.query("SELECT day, kind FROM calendar_days WHERE tenant_id = ? "
                                "ORDER BY day",
                                {tenant_})) {
    auto d = calendar::parse_date(r.get_text(0));
    if (!d || !years.contains(d->year)) continue;
    if (r.get_text(1) == "holiday") {
      years[d->year].holidays.push_back(*d);
    } else {
      years[d->year].makeup_workdays.push_back(*d);
    }
  }
  for (auto& [y, s] : years) cfg.years.push_back(std::move(s));
  return cfg;
}

void ConfigRepo::save_calendar_header(int utc_offset_minutes,
                                      const std::vector<calendar::WorkPeriod>& p) {
  c_.execute(
      "INSERT INTO calendars (tenant_id, utc_offset_minutes, periods) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id) DO UPDATE SET utc_offset_minutes = excluded.utc_offset_minutes, "
      "periods = excluded.periods, version = calendars.version + 1",
      {tenant_, static_cast<std::int64_t>(utc_offset_minutes), format_periods(p)});
}

void ConfigRepo::save_year(const calendar::YearSchedule& y) {
  const std::string from = std::to_string(y.year) + "-01-01";
  const std::string to = std::to_string(y.year + 1) + "-01-01";
  c_.execute("DELETE FROM calendar_days WHERE tenant_id = ? AND day >= ? AND day < ?",
             {tenant_, from, to});
  c_.execute(
      "INSERT INTO calendar_years (tenant_id, year) VALUES (?, ?) ON CONFLICT (tenant_id, year) "
      "DO NOTHING",
      {tenant_, static_cast<std::int64_t>(y.year)});
  for (const auto& d : y.holidays) {
    c_.execute("INSERT INTO calendar_days (tenant_id, day, kind) VALUES (?, ?, 'holiday')",
               {tenant_, calendar::format_date(d)});
  }
  for (const auto& d : y.makeup_workdays) {
    c_.execute("INSERT INTO calendar_days (tenant_id, day, kind) VALUES (?, ?, 'workday')",
               {tenant_, calendar::format_date(d)});
  }
}

std::vector<routing::Rule> ConfigRepo::rules() {
  std::vector<routing::Rule> out;
  for (const auto& r :
       c_.query("SELECT id, name, category, category_prefix, area_unit_id, from_minute, to_minute, "
                "unit_id, unit_by_area, supervising_group_id, active, area_kind FROM routing_rules "
                "WHERE tenant_id = ? ORDER BY position, id",
                {tenant_})) {
    routing::Rule rule;
    rule.id = r.get_int(0);
    rule.name = r.get_text(1);
    rule.category = r.get_opt_text(2);
    rule.category_prefix = r.get_opt_text(3);
    rule.area_unit_id = r.get_opt_int(4);
    if (auto f = r.get_opt_int(5)) rule.from_minute = static_cast<int>(*f);
    if (auto t = r.get_opt_int(6)) rule.to_minute = static_cast<int>(*t);
    rule.unit_id = r.get_opt_int(7);
    if (auto k = r.get_opt_text(8)) rule.unit_by_area = org::parse_unit_kind(*k);
    rule.supervising_group_id = r.get_opt_int(9);
    rule.active = r.get_bool(10);
    if (auto k = r.get_opt_text(11)) rule.area_kind = org::parse_unit_kind(*k);
    out.push_back(std::move(rule));
  }
  return out;
}

void ConfigRepo::replace_rules(const std::vector<routing::Rule>& rules) {
  c_.execute("DELETE FROM routing_rules WHERE tenant_id = ?", {tenant_});
  std::int64_t position = 0;
  for (const auto& r : rules) {
    c_.execute(
        "INSERT INTO routing_rules (tenant_id, id, position, name, category, category_prefix, "
        "area_unit_id, from_minute, to_minute, unit_id, unit_by_area, supervising_group_id, "
        "active, area_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {tenant_, r.id, position++, r.name, opt_s(r.category), opt_s(r.category_prefix),
         opt_i(r.area_unit_id),
         r.from_minute ? Value(static_cast<std::int64_t>(*r.from_minute)) : Value(nullptr),
         r.to_minute ? Value(static_cast<std::int64_t>(*r.to_minute)) : Value(nullptr),
         opt_i(r.unit_id),
         r.unit_by_area ? Value(std::string(org::to_string(*r.unit_by_area))) : Value(nullptr),
         opt_i(r.supervising_group_id), static_cast<std::int64_t>(r.active),
         r.area_kind ? Value(std::string(org::to_string(*r.area_kind))) : Value(nullptr)});
  }
}

std::optional<WorkflowSettings> ConfigRepo::workflow() {
  auto rows = c_.query(
      "SELECT acknowledge_limit_amount, acknowledge_limit_unit, verify_limit_amount, "
      "verify_limit_unit, escalation_percents, duplicate_radius_m, evidence_distance_m, "
      "rectification_number_format, reminder_number_format, issuer, reporter_sees_notice, "
      "outside_area_policy, anchor_digest, recurrence_days "
      "FROM workflow_settings "
      "WHERE tenant_id = ?",
      {tenant_});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  WorkflowSettings w;
  w.acknowledge_limit = {
      static_cast<int>(r.get_int(0)),
      calendar::parse_limit_unit(r.get_text(1)).value_or(calendar::LimitUnit::kWorkingHours)};
  w.verify_limit = {
      static_cast<int>(r.get_int(2)),
      calendar::parse_limit_unit(r.get_text(3)).value_or(calendar::LimitUnit::kWorkingDays)};
  w.escalation_percents.clear();
  const auto text = r.get_text(4);
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    try {
      w.escalation_percents.push_back(std::stoi(text.substr(i, j - i)));
    } catch (...) {
    }
    i = j + 1;
  }
  w.duplicate_radius_m = static_cast<int>(r.get_int(5));
  w.evidence_distance_m = static_cast<int>(r.get_int(6));
  w.rectification_number_format = r.get_text(7);
  w.reminder_number_format = r.get_text(8);
  w.issuer = r.get_text(9);
  w.reporter_sees_notice = r.get_int(10) != 0;
  w.outside_area_policy = r.get_text(11);
  w.anchor_digest = r.get_int(12) != 0;
  w.recurrence_days = static_cast<int>(r.get_int(13));
  return w;
}

void ConfigRepo::save_workflow(const WorkflowSettings& w) {
  std::string percents;
  for (const int p : w.escalation_percents) {
    if (!percents.empty()) percents += ',';
    percents += std::to_string(p);
  }
  c_.execute(
      "INSERT INTO workflow_settings (tenant_id, acknowledge_limit_amount, "
      "acknowledge_limit_unit, verify_limit_amount, verify_limit_unit, escalation_percents, "
      "duplicate_radius_m, evidence_distance_m, rectification_number_format, "
      "reminder_number_format, issuer, reporter_sees_notice, outside_area_policy, "
      "anchor_digest, recurrence_days) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id) DO UPDATE SET "
      "acknowledge_limit_amount = excluded.acknowledge_limit_amount, "
      "acknowledge_limit_unit = excluded.acknowledge_limit_unit, "
      "verify_limit_amount = excluded.verify_limit_amount, "
      "verify_limit_unit = excluded.verify_limit_unit, "
      "escalation_percents = excluded.escalation_percents, "
      "duplicate_radius_m = excluded.duplicate_radius_m, "
      "evidence_distance_m = excluded.evidence_distance_m, "
      "rectification_number_format = excluded.rectification_number_format, "
      "reminder_number_format = excluded.reminder_number_format, issuer = excluded.issuer, "
      "reporter_sees_notice = excluded.reporter_sees_notice, "
      "outside_area_policy = excluded.outside_area_policy, "
      "anchor_digest = excluded.anchor_digest, recurrence_days = excluded.recurrence_days",
      {tenant_, static_cast<std::int64_t>(w.acknowledge_limit.amount),
       std::string(calendar::to_string(w.acknowledge_limit.unit)),
       static_cast<std::int64_t>(w.verify_limit.amount),
       std::string(calendar::to_string(w.verify_limit.unit)), percents,
       static_cast<std::int64_t>(w.duplicate_radius_m),
       static_cast<std::int64_t>(w.evidence_distance_m), w.rectification_number_format,
       w.reminder_number_format, w.issuer, static_cast<std::int64_t>(w.reporter_sees_notice),
       w.outside_area_policy, static_cast<std::int64_t>(w.anchor_digest),
       static_cast<std::int64_t>(w.recurrence_days)});
}

std::vector<MessageTemplate> ConfigRepo::message_templates() {
  std::vector<MessageTemplate> out;
  for (const auto& r : c_.query(
           "SELECT locale, message_key, message_text FROM message_templates WHERE tenant_id = ? "
           "ORDER BY locale, message_key",
           {tenant_})) {
    out.push_back({r.get_text(0), r.get_text(1), r.get_text(2)});
  }
  return out;
}

bool ConfigRepo::has_message_templates() {
  return !c_.query("SELECT 1 FROM message_templates WHERE tenant_id = ? LIMIT 1", {tenant_})
              .empty();
}

void ConfigRepo::replace_message_templates(
    const std::string& locale, const std::vector<std::pair<std::string, std::string>>& items) {
  c_.execute("DELETE FROM message_templates WHERE tenant_id = ? AND locale = ?", {tenant_, locale});
  for (const auto& [key, text] : items) {
    c_.execute(
        "INSERT INTO message_templates (tenant_id, locale, message_key, message_text) "
        "VALUES (?, ?, ?, ?)",
        {tenant_, locale, key, text});
  }
}

}  // namespace civicloop::storage
