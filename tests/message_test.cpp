#include "http/message.hpp"

#include <gtest/gtest.h>

namespace civicloop::http {
namespace {

using Query = std::multimap<std::string, std::string>;

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(percent_decode("a%20b", false), "a b");
  EXPECT_EQ(percent_decode("%e4%b8%ad%E6%96%87", false), "中文");
  EXPECT_EQ(percent_decode("", false), "");
  EXPECT_EQ(percent_decode("%25", false), "%");
  EXPECT_EQ(percent_decode("%2F", false), "/");
}

TEST(PercentDecode, PlusIsSpaceOnlyInFormMode) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4g", false), std::nullopt);
  EXPECT_EQ(percent_decode("%g4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%%41", false), std::nullopt);
  EXPECT_EQ(percent_decode("% 1", true), std::nullopt);
}

TEST(PercentDecode, RejectsNul) {
  EXPECT_EQ(percent_decode("a%00b", false), std::nullopt);
  EXPECT_EQ(percent_decode(std::string_view("a\0b", 3), false), std::nullopt);
}

TEST(ParseTarget, SplitsPathAndQuery) {
  std::string path;
  Query query;
  ASSERT_TRUE(parse_target("/api/v1/org/units?kind=hq&limit=20", path, query));
  EXPECT_EQ(path, "/api/v1/org/units");
  EXPECT_EQ(query, (Query{{"kind", "hq"}, {"limit", "20"}}));
}

TEST(ParseTarget, PathOnly) {
  std::string path;
  Query query;
  ASSERT_TRUE(parse_target("/", path, query));
  EXPECT_EQ(path, "/");
  EXPECT_TRUE(query.empty());
  ASSERT_TRUE(parse_target("/a?", path, query));
  EXPECT_EQ(path, "/a");
  EXPECT_TRUE(query.empty());
}

TEST(ParseTarget, DecodesPathWithoutFormRulesAndQueryWithThem) {
  std::string path;
  Query query;
  ASSERT_TRUE(
      parse_target("/cases/%E6%A1%88+1?q=%E5%9E%83%E5%9C%BE+%E6%A1%B6&a%20b=c%3Dd", path, query));
  EXPECT_EQ(path, "/cases/案+1");
  EXPECT_EQ(query, (Query{{"q", "垃圾 桶"}, {"a b", "c=d"}}));
}

TEST(ParseTarget, KeepsRepeatedKeysInOrderAndEmptyValues) {
  std::string path;
  Query query;
  ASSERT_TRUE(parse_target("/x?tag=a&tag=b&&flag&empty=&tag=c&=v", path, query));
  auto [first, last] = query.equal_range("tag");
  std::vector<std::string> tags;
  for (auto it = first; it != last; ++it) tags.push_back(it->second);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(query.find("flag")->second, "");
  EXPECT_EQ(query.find("empty")->second, "");
  EXPECT_EQ(query.find("")->second, "v");
  EXPECT_EQ(query.count("&"), 0u);
}

TEST(ParseTarget, RejectsMalformedTargets) {
  std::string path = "stale";
  Query query{{"stale", "1"}};
  EXPECT_FALSE(parse_target("", path, query));
  EXPECT_FALSE(parse_target("api/v1", path, query));
  EXPECT_FALSE(parse_target("*", path, query));
  EXPECT_FALSE(parse_target("http://example.com/a", path, query));
  EXPECT_FALSE(parse_target("/a%zz", path, query));
  EXPECT_FALSE(parse_target("/a%0", path, query));
  EXPECT_FALSE(parse_target("/a%00b", path, query));
  EXPECT_FALSE(parse_target("/a?x=%", path, query));
  EXPECT_FALSE(parse_target("/a?x=%00", path, query));
  EXPECT_FALSE(parse_target("/a?%00=1", path, query));
  EXPECT_FALSE(parse_target("/a#frag", path, query));
  EXPECT_TRUE(path.empty());
  EXPECT_TRUE(query.empty());
}

TEST(ParseTarget, DoesNotNormaliseDotSegments) {
  // Normalising is the static-file code's job; the router must see what was asked.
  std::string path;
  Query query;
  ASSERT_TRUE(parse_target("/static/..%2F..%2Fetc/passwd", path, query));
  EXPECT_EQ(path, "/static/../../etc/passwd");
}

Request with_cookie(std::string header) {
  Request req;
  req.headers["cookie"] = std::move(header);
  return req;
}

TEST(RequestCookie, FindsNamedCookie) {
  Request req = with_cookie("sid=abc; lang=zh-CN");
  EXPECT_EQ(req.cookie("sid"), "abc");
  EXPECT_EQ(req.cookie("lang"), "zh-CN");
  EXPECT_EQ(req.cookie("missing"), std::nullopt);
  EXPECT_EQ(req.cookie(""), std::nullopt);
}

TEST(RequestCookie, ToleratesSpacesAndEmptyPieces) {
  Request req = with_cookie("  a=1 ;sid = abc\t;; ;b=2;  ");
  EXPECT_EQ(req.cookie("a"), "1");
  EXPECT_EQ(req.cookie("sid"), "abc");
  EXPECT_EQ(req.cookie("b"), "2");
}

TEST(RequestCookie, FirstOneWinsAndValueMayHoldEquals) {
  Request req = with_cookie("sid=first; sid=second; token=a=b==");
  EXPECT_EQ(req.cookie("sid"), "first");
  EXPECT_EQ(req.cookie("token"), "a=b==");
}

TEST(RequestCookie, StripsQuotesAndSkipsPiecesWithoutEquals) {
  Request req = with_cookie("flag; q=\"quoted\"; e=; lone=\"");
  EXPECT_EQ(req.cookie("flag"), std::nullopt);
  EXPECT_EQ(req.cookie("q"), "quoted");
  EXPECT_EQ(req.cookie("e"), "");
  EXPECT_EQ(req.cookie("lone"), "\"");
}

TEST(RequestCookie, NamesAreCaseSensitiveAndNotPrefixMatched) {
  Request req = with_cookie("SID=upper; sidx=1");
  EXPECT_EQ(req.cookie("sid"), std::nullopt);
  EXPECT_EQ(req.cookie("SID"), "upper");
}

TEST(RequestCookie, NoHeader) {
  Request req;
  EXPECT_EQ(req.cookie("sid"), std::nullopt);
}

TEST(MessageRequest, HeaderLookupIgnoresCaseOfTheName) {
  Request req;
  req.headers["accept-language"] = "zh-CN";
  EXPECT_EQ(req.header("accept-language"), "zh-CN");
  EXPECT_EQ(req.header("Accept-Language"), "zh-CN");
  EXPECT_EQ(req.header("x-missing"), std::nullopt);
}

TEST(MessageRequest, QueryParamIsTheFirstValue) {
  Request req;
  ASSERT_TRUE(parse_target("/x?a=1&b=2&a=3", req.path, req.query));
  EXPECT_EQ(req.query_param("a"), "1");
  EXPECT_EQ(req.query_param("b"), "2");
  EXPECT_EQ(req.query_param("c"), std::nullopt);
}

TEST(MessageResponse, JsonAndNoContent) {
  Response r = Response::json(201, R"({"id":1})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"id":1})");
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  Response none = Response::no_content();
  EXPECT_EQ(none.status, 204);
  EXPECT_TRUE(none.body.empty());
  EXPECT_TRUE(none.content_type.empty());
}

TEST(LogSafe, ControlCharactersAndBackslashesBecomeEscapes) {
  EXPECT_EQ(log_safe("/api/v1/cases"), "/api/v1/cases");
  EXPECT_EQ(log_safe("/a\nGET /admin 200"), "/a\\x0aGET /admin 200");
  EXPECT_EQ(log_safe("x\r\t\x1b[31m\x7f"), "x\\x0d\\x09\\x1b[31m\\x7f");
  EXPECT_EQ(log_safe("a\\x0ab"), "a\\x5cx0ab");  // a literal "\x0a" cannot pass for an escape
  EXPECT_EQ(log_safe("/网格/永泰路"), "/网格/永泰路");
}

TEST(LogSafe, AForgedLineInAPathStaysOnOneLine) {
  Request req;
  req.method = "GET";
  req.target = "/a%0a2026-12-03%20INFO%20GET%20/admin%20200";
  std::multimap<std::string, std::string> q;
  ASSERT_TRUE(parse_target(req.target, req.path, q));
  ASSERT_NE(req.path.find('\n'), std::string::npos);  // the decoded path holds the newline
  req.remote_address = "192.0.2.1";
  const auto line = access_log_line(req, 404, 120);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line, "GET /a\\x0a2026-12-03 INFO GET /admin 200 404 120us 192.0.2.1");
}

TEST(IfNoneMatch, MatchesTheListedTagWeakFormsAndTheStar) {
  Request req;
  EXPECT_FALSE(if_none_match(req, "\"abc\""));
  req.headers["if-none-match"] = "\"zzz\", W/\"abc\"";
  EXPECT_TRUE(if_none_match(req, "\"abc\""));
  EXPECT_FALSE(if_none_match(req, "\"abd\""));
  req.headers["if-none-match"] = "*";
  EXPECT_TRUE(if_none_match(req, "\"anything\""));
}

}  // namespace
}  // namespace civicloop::http
