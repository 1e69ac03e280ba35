// The Open311 façade's rules without a server (domain/open311.hpp): suffixes, W3C date-times with
// their mandatory zone, the status mapping, the attribute checks and the per-key window.
#include "domain/open311.hpp"

#include <gtest/gtest.h>

namespace civicloop::open311 {
namespace {

TEST(DomainOpen311, TheSuffixChoosesTheFormat) {
  auto r = parse_resource("requests.json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "requests");
  EXPECT_EQ(r->format, Format::kJson);
  auto x = parse_resource("2026.12.xml");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->name, "2026.12");
  EXPECT_EQ(x->format, Format::kXml);
  for (const char* bad : {"requests", "requests.html", "requests.JSON", ".json", "requests.xmll"}) {
    auto e = parse_resource(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, "open311.bad_format") << bad;
  }
}

TEST(DomainOpen311, DateTimesNeedTheirZone) {
  const Millis t = 1796002200000;  // 2026-11-30T01:30:00Z
  EXPECT_EQ(parse_datetime("2026-11-30T01:30:00Z"), t);
  EXPECT_EQ(parse_datetime("2026-11-30T09:30:00+08:00"), t);
  EXPECT_EQ(parse_datetime("2026-11-29T21:30:00-04:00"), t);
  EXPECT_EQ(parse_datetime("2026-11-30T01:30Z"), t);
  EXPECT_EQ(parse_datetime("2026-11-30T01:30:00.250Z"), t + 250);
  EXPECT_EQ(parse_datetime("2026-11-30"), t - 5400000);
  for (const char* bad :
       {"2026-11-30T01:30:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "yesterday", "",
        "2026-11-30T25:00:00Z", "2026-11-30T01:30:00Zjunk", "2026-11-30T01:30:00+0800"}) {
    EXPECT_FALSE(parse_datetime(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_datetime("2028-02-29T00:00:00Z").has_value());
  EXPECT_EQ(format_datetime(t, 480), "2026-11-30T09:30:00+08:00");
  EXPECT_EQ(format_datetime(t, 0), "2026-11-30T01:30:00+00:00");
  EXPECT_EQ(format_datetime(t, -240), "2026-11-29T21:30:00-04:00");
  EXPECT_EQ(parse_datetime(format_datetime(t, 480)), t);
}

TEST(DomainOpen311, FinalStatesAreClosedTheRestOpen) {
  using S = cases::State;
  for (auto s : {S::kReported, S::kFiled, S::kDispatched, S::kAcknowledged, S::kRectified,
                 S::kVerified, S::kParked}) {
    EXPECT_EQ(status_of(s), "open");
  }
  for (auto s : {S::kClosed, S::kVoided, S::kDuplicate}) EXPECT_EQ(status_of(s), "closed");
  EXPECT_EQ(extended_status_of(S::kReported), "FOR_TRIAGE");
  EXPECT_EQ(extended_status_of(S::kDispatched), "IN_PROGRESS");
  EXPECT_EQ(extended_status_of(S::kClosed), "FIXED");
  EXPECT_EQ(extended_status_of(S::kDuplicate), "DUPLICATE");
}

std::vector<Attribute> definition() {
  Attribute kind;
  kind.code = "kind";
  kind.datatype = Datatype::kSingleValueList;
  kind.required = true;
  kind.values = {{"roof", "楼顶"}, {"yard", "院落"}};
  Attribute many;
  many.code = "many";
  many.datatype = Datatype::kMultiValueList;
  many.order = 2;
  many.values = {{"a", "A"}, {"b", "B"}};
  Attribute area;
  area.code = "area";
  area.datatype = Datatype::kNumber;
  area.order = 3;
  Attribute when;
  when.code = "when";
  when.datatype = Datatype::kDatetime;
  when.order = 4;
  Attribute info;
  info.code = "info";
  info.variable = false;
  info.order = 5;
  return {kind, many, area, when, info};
}

TEST(DomainOpen311, AnswersAreCheckedAgainstTheDefinition) {
  const auto d = definition();
  EXPECT_TRUE(check_definition(d).ok());
  EXPECT_TRUE(check_answers(d, {{"kind", {"roof"}}}).ok());
  EXPECT_TRUE(check_answers(d, {{"kind", {"yard"}},
                                {"many", {"a", "b"}},
                                {"area", {"12.5"}},
                                {"when", {"2026-11-30T09:30:00+08:00"}}})
                  .ok());
  auto code = [&](const Answers& a) {
    auto s = check_answers(d, a);
    return s.ok() ? std::string("ok") : s.error().code + " " + s.error().field;
  };
  EXPECT_EQ(code({}), "open311.attribute_required attribute[kind]");
  EXPECT_EQ(code({{"kind", {""}}}), "open311.attribute_required attribute[kind]");  // empty: absent
  EXPECT_EQ(code({{"kind", {"basement"}}}), "open311.attribute_value attribute[kind]");
  EXPECT_EQ(code({{"kind", {"roof", "yard"}}}), "open311.attribute_value attribute[kind]");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"many", {"a", "c"}}}),
            "open311.attribute_value attribute[many]");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"area", {"twelve"}}}),
            "open311.attribute_value attribute[area]");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"when", {"2026-11-30"}}}), "ok");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"when", {"tomorrow"}}}),
            "open311.attribute_value attribute[when]");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"info", {"x"}}}),
            "open311.attribute_unknown attribute[info]");
  EXPECT_EQ(code({{"kind", {"roof"}}, {"colour", {"red"}}}),
            "open311.attribute_unknown attribute[colour]");

  auto twice = d;
  twice[1].order = 1;
  EXPECT_FALSE(check_definition(twice).ok());
  auto empty_list = d;
  empty_list[0].values.clear();
  EXPECT_FALSE(check_definition(empty_list).ok());
}

TEST(DomainOpen311, TheKeyWindowAdmitsPerMinute) {
  throttle::Counter c;
  const Millis t = 1796002200000;
  EXPECT_TRUE(admit(c, t, 2));
  EXPECT_TRUE(admit(c, t + 10, 2));
  EXPECT_FALSE(admit(c, t + 20, 2));
  EXPECT_EQ(c.blocked_until, t + 60'000);
  EXPECT_FALSE(admit(c, t + 59'999, 2));
  EXPECT_TRUE(admit(c, t + 60'000, 2));  // a new window
  EXPECT_EQ(c.failures, 1);
  throttle::Counter free;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(admit(free, t, 0));
}

}  // namespace
}  // namespace civicloop::open311
