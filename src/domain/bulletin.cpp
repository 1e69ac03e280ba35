#include "domain/bulletin.hpp"

#include <algorithm>
#include <array>

#include "domain/text.hpp"

namespace civicloop::bulletin {

namespace {

template <class E, std::size_t N>
struct Names {
  std::array<std::pair<E, std::string_view>, N> items;
  std::string_view name(E e) const {
    for (const auto& [k, v] : items) {
      if (k == e) return v;
    }
    return "unknown";
  }
  std::optional<E> parse(std::string_view text) const {
    for (const auto& [k, v] : items) {
      if (v == text) return k;
    }
    return std::nullopt;
  }
};

constexpr Names<Kind, 3> kKinds{
    {{{Kind::kWeekly, "weekly"}, {Kind::kMonthly, "monthly"}, {Kind::kSpecial, "special"}}}};
constexpr Names<State, 4> kStates{{{{State::kDraft, "draft"},
                                    {State::kSubmitted, "submitted"},
                                    {State::kApproved, "approved"},
                                    {State::kPublished, "published"}}}};
constexpr Names<Action, 6> kActions{{{{Action::kEdit, "edit"},
                                      {Action::kSubmit, "submit"},
                                      {Action::kWithdraw, "withdraw"},
                                      {Action::kReject, "reject"},
                                      {Action::kApprove, "approve"},
                                      {Action::kPublish, "publish"}}}};

// The workflow: from-state, action, to-state. Nothing else is allowed.
struct Step {
  State from;
  Action action;
  State to;
};
constexpr std::array<Step, 7> kSteps{{
    {State::kDraft, Action::kEdit, State::kDraft},
    {State::kDraft, Action::kSubmit, State::kSubmitted},
    {State::kSubmitted, Action::kWithdraw, State::kDraft},
    {State::kSubmitted, Action::kReject, State::kDraft},
    {State::kSubmitted, Action::kApprove, State::kApproved},
    {State::kApproved, Action::kPublish, State::kPublished},
    {State::kPublished, Action::kPublish, State::kPublished},
}};

}  // namespace

std::string_view to_string(Kind k) { return kKinds.name(k); }
std::optional<Kind> parse_kind(std::string_view text) { return kKinds.parse(text); }
std::string_view to_string(State s) { return kStates.name(s); }
std::optional<State> parse_state(std::string_view text) { return kStates.parse(text); }
std::string_view to_string(Action a) { return kActions.name(a); }
std::optional<Action> parse_action(std::string_view text) { return kActions.parse(text); }

const std::vector<Action>& all_actions() {
  static const std::vector<Action> v = [] {
    std::vector<Action> out;
    for (const auto& [k, n] : kActions.items) out.push_back(k);
    return out;
  }();
  return v;
}
const std::vector<State>& all_states() {
  static const std::vector<State> v = [] {
    std::vector<State> out;
    for (const auto& [k, n] : kStates.items) out.push_back(k);
    return out;
  }();
  return v;
}

std::optional<State> next(State from, Action action) {
  for (const auto& s : kSteps) {
    if (s.from == from && s.action == action) return s.to;
  }
  return std::nullopt;
}

Expected<State> apply(State from, Action action) {
  if (auto to = next(from, action)) return *to;
  return make_error("bulletin.invalid_transition")
      .with("state", std::string(to_string(from)))
      .with("action", std::string(to_string(action)));
}

Status check_approver(std::int64_t approver_user_id, std::optional<std::int64_t> submitted_by) {
  if (approver_user_id == 0) return make_error("bulletin.four_eyes");
  if (submitted_by && *submitted_by == approver_user_id) return make_error("bulletin.four_eyes");
  return Ok{};
}

const std::vector<std::string>& section_kinds() {
  static const std::vector<std::string> v = {"overview",  "ranking",      "red_black",
                                             "overdue",   "typical",      "praise",
                                             "criticism", "requirements", "text"};
  return v;
}

bool known_section_kind(std::string_view kind) {
  const auto& v = section_kinds();
  return std::find(v.begin(), v.end(), kind) != v.end();
}

std::optional<std::string_view> count_figure(std::string_view section_kind) {
  if (section_kind == "praise") return "red_count";
  if (section_kind == "criticism") return "black_count";
  if (section_kind == "overdue") return "overdue_count";
  if (section_kind == "typical") return "typical_count";
  return std::nullopt;
}

const std::vector<std::string>& figure_names() {
  static const std::vector<std::string> v = {
      // the period
      "from", "to", "year", "period",
      // the tenant's totals over the units (sums of GET /kpis?level=unit)
      "reported", "dispatched", "due", "closed", "overdue",
      // rates over those totals, as percentages
      "closed_on_time_rate", "closure_rate", "ack_on_time_rate", "rework_rate", "overdue_rate",
      "extension_rate",
      // the ranking
      "units_ranked", "units_insufficient", "first_unit", "last_unit", "red_units", "black_units",
      "red_count", "black_count",
      // the lists
      "overdue_count", "typical_count"};
  return v;
}

const std::vector<std::string>& ranking_columns() {
  static const std::vector<std::string> v = {"rank",    "unit",        "score",   "grade",
                                             "due",     "closed",      "overdue", "closed_on_time",
                                             "closure", "ack_on_time", "rework",  "overdue_rate"};
  return v;
}

std::vector<std::string> placeholders(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = text.find('{', i)) != std::string_view::npos) {
    const auto j = text.find('}', i + 1);
    if (j == std::string_view::npos) break;
    std::string name(text.substr(i + 1, j - i - 1));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    i = j + 1;
  }
  return out;
}

Status check_text(std::string_view text, std::string_view where) {
  const auto& known = figure_names();
  for (const auto& name : placeholders(text)) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return make_error("bulletin.unknown_figure", name).with("where", std::string(where));
    }
  }
  return Ok{};
}

Status check_sections(const std::vector<Section>& sections) {
  if (sections.size() > kMaxSections) return make_error("bulletin.too_many_sections");
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const auto& s = sections[i];
    const auto at = "sections[" + std::to_string(i) + "].";
    if (!known_section_kind(s.kind)) return make_error("bulletin.bad_section", at + "kind");
    const auto h = text::utf8_length(s.heading);
    if (!h || *h > kMaxHeadingChars) return make_error("bulletin.bad_section", at + "heading");
    const auto t = text::utf8_length(s.text);
    if (!t || *t > kMaxTextChars) return make_error("bulletin.bad_section", at + "text");
  }
  return Ok{};
}

}  // namespace civicloop::bulletin
