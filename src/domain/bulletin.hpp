// Bulletins (通报, issue 8 part 7): the rules of the document and its workflow, pure (no SQL, no
// JSON). A bulletin is drafted from the KPIs of a period by the tenant's template (the preset's
// bulletins.json and message templates), edited by the office, submitted, approved by the office
// head (not the one who submitted it: four eyes), and published: numbered in the tenant's format,
// its figures frozen with it, its PDF archived and delivered to the units it names.
//
// The state table below is the whole workflow; tests/domain_bulletin_test.cpp checks every
// state × action pair. Thread-compatible plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.hpp"

namespace civicloop::bulletin {

enum class Kind { kWeekly, kMonthly, kSpecial };
std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view text);

enum class State { kDraft, kSubmitted, kApproved, kPublished };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view text);

enum class Action {
  kEdit,      // change sections, addressees, typical problems (draft only)
  kSubmit,    // draft → submitted (for approval)
  kWithdraw,  // submitted → draft (the author takes it back)
  kReject,    // submitted → draft (the office head sends it back)
  kApprove,   // submitted → approved (the office head; the seal may go on)
  kPublish,   // approved → published (numbered, archived, delivered); again on published: no-op
};
std::string_view to_string(Action a);
std::optional<Action> parse_action(std::string_view text);
const std::vector<Action>& all_actions();
const std::vector<State>& all_states();

// The state after the action, or nullopt when the action is not allowed in that state. Publish on
// a published bulletin answers kPublished: a retried publish is the same publish (idempotent).
std::optional<State> next(State from, Action action);
// "bulletin.invalid_transition" (details: state, action) when next() has none.
Expected<State> apply(State from, Action action);

// Four eyes: the office head who approves is not the one who submitted it
// ("bulletin.four_eyes"). The system (a scheduled draft) never approves.
Status check_approver(std::int64_t approver_user_id, std::optional<std::int64_t> submitted_by);

// The kinds of section a template may hold; each has a heading and a paragraph, and the data
// sections also a block drawn from the frozen figures (a table, a list, photos).
//   overview    总体情况: the period's figures in words
//   ranking     单位排名: the table of units by score
//   red_black   红黑榜: the red and black lists
//   overdue     超期问题: the overdue cases
//   typical     典型问题: closed cases with before and after photos
//   praise      表扬, criticism 通报批评, requirements 下步要求, text: paragraphs only
const std::vector<std::string>& section_kinds();
bool known_section_kind(std::string_view kind);
// The figure that counts what a section lists (praise: red_count, criticism: black_count,
// overdue: overdue_count, typical: typical_count); none for a section that lists nothing. A
// template's "text_empty" wording is used when that count is 0 ("本期无单位…"), so a paragraph
// never reads "无按期结案率高…".
std::optional<std::string_view> count_figure(std::string_view section_kind);

// The figures a template's wording may name as {placeholders}, and the columns a ranking table
// may show. A name outside these lists is refused when the template is loaded or saved
// ("bulletin.unknown_figure", field: the name), never left to print as a hole in the PDF.
const std::vector<std::string>& figure_names();
const std::vector<std::string>& ranking_columns();
// The {name} placeholders in a template text, in order of appearance (duplicates kept once).
std::vector<std::string> placeholders(std::string_view text);
// "bulletin.unknown_figure" (field: the name, details: where) for the first unknown placeholder.
Status check_text(std::string_view text, std::string_view where);

// An edited section: what the office may change. Limits keep a PDF printable.
struct Section {
  std::string kind;
  std::string heading;
  std::string text;
};
inline constexpr std::size_t kMaxSections = 30;
inline constexpr std::size_t kMaxHeadingChars = 100;
inline constexpr std::size_t kMaxTextChars = 20000;
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxTypical = 10;
// "bulletin.bad_section" (field: sections[i].kind|heading|text) or "bulletin.too_many_sections".
Status check_sections(const std::vector<Section>& sections);

}  // namespace civicloop::bulletin
