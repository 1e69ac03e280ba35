#include "reports/minutes_pdf.hpp"

#include <string_view>

namespace civicloop::reports {

namespace {
std::string fill(std::string tmpl, const std::string& value) {
  if (auto at = tmpl.find("{value}"); at != std::string::npos) tmpl.replace(at, 7, value);
  return tmpl;
}
}  // namespace

std::string render_minutes_pdf(const MinutesDoc& doc) {
  OfficialDoc d;
  d.issuer = doc.issuer;
  d.number = doc.number;
  d.title = doc.title;
  d.signature = doc.signature;
  d.date = doc.date;
  d.page = doc.labels.page;
  const auto& l = doc.labels;
  d.blocks.push_back({DocBlock::Kind::kLine, fill(l.time, doc.time), {}});
  if (!doc.place.empty()) d.blocks.push_back({DocBlock::Kind::kLine, fill(l.place, doc.place), {}});
  if (!doc.attendees.empty()) {
    d.blocks.push_back({DocBlock::Kind::kLine, fill(l.attendees, doc.attendees), {}});
  }
  d.blocks.push_back({DocBlock::Kind::kHeading, l.agenda, {}});
  for (const auto& a : doc.agenda) {
    d.blocks.push_back({DocBlock::Kind::kHeading, a.heading, {}});
    if (!a.minutes.empty()) d.blocks.push_back({DocBlock::Kind::kParagraph, a.minutes, {}});
  }
  d.blocks.push_back({DocBlock::Kind::kHeading, l.decisions, {}});
  DocTable t;
  t.header = l.columns;
  t.widths = {0.7, 4.2, 2.2, 2.0, 1.9};
  t.none = l.none;
  int n = 0;
  for (const auto& x : doc.decisions) {
    t.rows.push_back({{std::to_string(++n), false},
                      {x.text, false},
                      {x.owner, false},
                      {x.deadline, x.overdue},
                      {x.state, x.overdue}});
  }
  d.blocks.push_back({DocBlock::Kind::kTable, "", std::move(t)});
  return render_official_pdf(d);
}

}  // namespace civicloop::reports
