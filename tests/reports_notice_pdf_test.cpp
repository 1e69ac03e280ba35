#include "reports/notice_pdf.hpp"

#include <boost/json.hpp>
#include <sstream>

#include "app/messages.hpp"
#include "app/notice_service.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The PDF is read back with poppler-utils (pdftotext, pdfinfo, pdffonts), as a person would read
// it: what matters is the text a reader (or a search) finds and how the pages break.

// Cairo 1.16 (Debian 12) leaks a few KB per PDF that embeds fonts (in its font subsetting, at
// cairo_surface_finish), and fontconfig and Pango keep their font caches until exit; none of it is
// ours (every Cairo and Pango object in the renderer is owned by a smart pointer). The libraries
// have no frame pointers, so LeakSanitizer's fast unwinder names only the module: suppress by
// module. This hook is read by LSan for the whole test binary.
extern "C" const char*
__lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier,readability-identifier-naming)
  return "leak:libcairo.so\nleak:libfontconfig.so\nleak:libpangoft2-1.0.so\n";
}

namespace civicloop::reports {
namespace {

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

bool have_poppler() {
  return std::system(
             "command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 "
             "&& command -v pdffonts >/dev/null 2>&1") == 0;
}

// Skips without poppler-utils on a developer machine; in CI (make test installs it through
// scripts/deps.sh) a missing tool is a failure.
#define REQUIRE_POPPLER()                                                                 \
  do {                                                                                    \
    if (!have_poppler()) {                                                                \
      if (in_ci()) FAIL() << "poppler-utils (pdftotext) is missing; run scripts/deps.sh"; \
      GTEST_SKIP() << "pdftotext not installed (poppler-utils); CI runs this test";       \
    }                                                                                     \
  } while (0)

// The PDF in a temporary file, removed at the end of the test.
class PdfFile {
 public:
  explicit PdfFile(const std::string& bytes) {
    const char* dir = std::getenv("TMPDIR");
    std::string templ =
        std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/civicloop_notice_XXXXXX.pdf";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    const int fd = mkstemps(buf.data(), 4);
    if (fd < 0) throw std::runtime_error("mkstemps failed");
    close(fd);
    path_ = buf.data();
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~PdfFile() { std::remove(path_.c_str()); }
  PdfFile(const PdfFile&) = delete;
  PdfFile& operator=(const PdfFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

// pdftotext output with all whitespace removed: -layout spreads spaced titles and aligns columns
// with spaces, and none of what the tests look for depends on them.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}

std::string text_of(const PdfFile& f, const std::string& options = "-layout") {
  return run("pdftotext " + options + " '" + f.path() + "' - 2>/dev/null");
}

// The value of one "Name:   value" line of pdfinfo.
std::string pdfinfo_field(const PdfFile& f, const std::string& name) {
  const std::string info = run("pdfinfo '" + f.path() + "' 2>/dev/null");
  const std::size_t at = info.find("\n" + name + ":");
  if (at == std::string::npos) return "";
  const std::size_t begin = info.find_first_not_of(' ', at + name.size() + 2);
  return info.substr(begin, info.find('\n', begin) - begin);
}

int page_count(const PdfFile& f) {
  const std::string pages = pdfinfo_field(f, "Pages");
  return pages.empty() ? -1 : std::stoi(pages);
}

// "595.276 x 841.89" (points)
std::string page_size(const PdfFile& f) {
  std::string size = pdfinfo_field(f, "Page size");
  return size.substr(0, size.find(" pts"));
}

// Removes "第N页共M页" (whitespace already squeezed out).
std::string without_page_numbers(std::string s) {
  const std::string first = "第";
  const std::string middle = "页共";
  const std::string last = "页";
  auto digits_end = [&](std::size_t i) {
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) ++i;
    return i;
  };
  for (std::size_t at = s.find(first); at != std::string::npos; at = s.find(first, at + 1)) {
    std::size_t i = at + first.size();
    std::size_t j = digits_end(i);
    if (j == i || s.compare(j, middle.size(), middle) != 0) continue;
    i = j + middle.size();
    j = digits_end(i);
    if (j == i || s.compare(j, last.size(), last) != 0) continue;
    s.erase(at, j + last.size() - at);
  }
  return s;
}

// The document's wording comes from the preset's templates (app/messages.hpp), as the notice
// service gives it.
const app::Messages& preset_words() {
  static const app::Messages m = [] {
    app::Messages out;
    std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/presets/pingcheng/messages/zh-CN.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto f = app::parse_message_file(boost::json::parse(ss.str()));
    if (!f) throw std::runtime_error("zh-CN.json: " + f.error().field);
    for (auto& [k, v] : f->items) out.add(f->locale, k, v);
    return out;
  }();
  return m;
}

NoticeDoc sample(NoticeDoc::Kind kind, int items) {
  NoticeDoc d;
  d.kind = kind;
  const auto& w = preset_words();
  d.labels = app::notice_labels(w, "zh-CN");
  const bool reminder = kind == NoticeDoc::Kind::kReminder;
  d.title = w.text("zh-CN", reminder ? "notice.kind.reminder" : "notice.kind.rectification");
  d.intro = w.text("zh-CN", reminder ? "pdf.intro.reminder" : "pdf.intro.rectification");
  d.number = kind == NoticeDoc::Kind::kReminder ? "平创提〔2026〕0017号" : "平创整〔2026〕0001号";
  d.issuer = "平城区创建文明城市指挥部办公室";
  d.recipient = "永泰街道办事处";
  const std::array<const char*, 4> categories{"占道经营", "野广告", "飞线充电", "乱堆乱放"};
  const std::array<const char*, 4> descriptions{"商户占道摆摊", "电线杆贴小广告", "四楼飞线充电",
                                                "楼道堆放杂物"};
  for (int i = 0; i < items; ++i) {
    d.items.push_back({"PC2026-" + std::to_string(1127000 + i), categories[i % 4], "永泰南路",
                       descriptions[i % 4], "2026年12月3日 18:00前"});
  }
  d.requirement = "请你单位高度重视，立即组织力量对上述问题进行整改。";
  d.deadline = "2026年12月3日 18:00前";
  d.contact = "王明 0352-2041234";
  d.issued_on = "2026年11月27日";
  d.footer_note = "整改完成后请于平台上传整改前后照片。";
  return d;
}

TEST(NoticePdf, BytesAreAWholePdf) {
  const std::string pdf = render_notice_pdf(sample(NoticeDoc::Kind::kRectification, 2));
  ASSERT_GT(pdf.size(), 1000u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  const std::size_t end = pdf.find_last_not_of("\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(pdf.substr(end - 4, 5), "%%EOF");
}

TEST(NoticePdf, TextCarriesTheNotice) {
  REQUIRE_POPPLER();
  const NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 3);
  const PdfFile f(render_notice_pdf(doc));
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find("平创整〔2026〕0001号"), std::string::npos) << text;
  EXPECT_NE(text.find("整改通知单"), std::string::npos);  // the preset's title
  EXPECT_NE(text.find("永泰街道办事处："), std::string::npos);
  EXPECT_NE(text.find("经检查，你单位责任区域内存在以下问题，现通知如下："), std::string::npos);
  EXPECT_NE(text.find("平城区创建文明城市指挥部办公室"), std::string::npos);
  for (const NoticeItem& item : doc.items) {
    EXPECT_NE(text.find(item.case_no), std::string::npos) << item.case_no;
    EXPECT_NE(text.find(item.description), std::string::npos) << item.description;
    EXPECT_NE(text.find(item.category), std::string::npos) << item.category;
  }
  EXPECT_NE(text.find("整改时限：2026年12月3日18:00前"), std::string::npos);
  EXPECT_NE(text.find("王明0352-2041234"), std::string::npos);
  EXPECT_NE(text.find("2026年11月27日"), std::string::npos);
  EXPECT_NE(text.find("整改完成后请于平台上传整改前后照片"), std::string::npos);
  for (const char* header : {"序号", "问题编号", "问题类别", "位置", "问题描述", "整改时限"}) {
    EXPECT_NE(text.find(header), std::string::npos) << header;
  }
  EXPECT_EQ(page_count(f), 1);
  EXPECT_EQ(page_size(f), "595.276 x 841.89");      // A4 portrait
  EXPECT_EQ(text.find("页共"), std::string::npos);  // one page: no page numbers
}

TEST(NoticePdf, ReminderCardIsA5LandscapeWithItsOwnWording) {
  REQUIRE_POPPLER();
  const NoticeDoc doc = sample(NoticeDoc::Kind::kReminder, 2);
  const PdfFile f(render_notice_pdf(doc));
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find("提醒卡"), std::string::npos) << text;
  EXPECT_NE(text.find("平创提〔2026〕0017号"), std::string::npos);
  EXPECT_NE(text.find("特此提醒"), std::string::npos);
  EXPECT_EQ(text.find("现通知如下"), std::string::npos);
  for (const NoticeItem& item : doc.items) {
    EXPECT_NE(text.find(item.case_no), std::string::npos) << item.case_no;
    EXPECT_NE(text.find(item.description), std::string::npos) << item.description;
  }
  EXPECT_NE(text.find("2026年12月3日18:00前"), std::string::npos);
  EXPECT_EQ(page_size(f), "595.276 x 419.528");  // A5 landscape
  EXPECT_EQ(page_count(f), 1);                   // one or two problems fit on one card
}

TEST(NoticePdf, TitleAndIntroFromTheCaller) {
  REQUIRE_POPPLER();
  NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 1);
  doc.title = "限期整改通知书";
  doc.intro = "经复查，下列问题仍未整改到位：";
  const PdfFile f(render_notice_pdf(doc));
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find("限期整改通知书"), std::string::npos) << text;
  EXPECT_NE(text.find("经复查，下列问题仍未整改到位："), std::string::npos);
  EXPECT_EQ(text.find("现通知如下"), std::string::npos);
}

TEST(NoticePdf, FortyItemsPaginateWithTheHeaderOnEveryPage) {
  REQUIRE_POPPLER();
  const NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 40);
  const PdfFile f(render_notice_pdf(doc));
  const int pages = page_count(f);
  ASSERT_GE(pages, 2);
  for (int p = 1; p <= pages; ++p) {
    const std::string page =
        squeeze(text_of(f, "-layout -f " + std::to_string(p) + " -l " + std::to_string(p)));
    EXPECT_NE(page.find("序号问题编号问题类别位置问题描述整改时限"), std::string::npos)
        << "page " << p << ": " << page;
    EXPECT_NE(page.find("第" + std::to_string(p) + "页共" + std::to_string(pages) + "页"),
              std::string::npos)
        << "page " << p << ": " << page;
    if (p > 1) {  // continuation pages carry the title and number at the top
      EXPECT_NE(page.find("整改通知单平创整〔2026〕0001号"), std::string::npos) << "page " << p;
    }
  }
  const std::string all = squeeze(text_of(f));
  for (const NoticeItem& item : doc.items) {
    EXPECT_NE(all.find(item.case_no), std::string::npos) << item.case_no;
  }
  // The closing comes once, after the table.
  EXPECT_NE(all.find("联系人及电话"), std::string::npos);
  EXPECT_GT(all.find("联系人及电话"), all.find(doc.items.back().case_no));
}

TEST(NoticePdf, EmptyItemsStillRender) {
  REQUIRE_POPPLER();
  NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 0);
  const PdfFile f(render_notice_pdf(doc));
  EXPECT_EQ(page_count(f), 1);
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find("平创整〔2026〕0001号"), std::string::npos) << text;
  EXPECT_NE(text.find("序号"), std::string::npos);
  EXPECT_NE(text.find("（无）"), std::string::npos);

  NoticeDoc bare;  // nothing at all but the kind
  bare.kind = NoticeDoc::Kind::kReminder;
  const std::string pdf = render_notice_pdf(bare);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
}

TEST(NoticePdf, LongDescriptionWrapsAcrossPagesWithoutLoss) {
  REQUIRE_POPPLER();
  NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 3);
  std::string description;
  for (int i = 1; i <= 150; ++i) {
    description += "第" + std::to_string(i) + "段：沿街商户占道经营，影响通行。";
  }
  description += "描述到此结束";
  doc.items[1].description = description;
  const PdfFile f(render_notice_pdf(doc));
  EXPECT_GE(page_count(f), 3);  // one row taller than a page is split between pages

  EXPECT_NE(squeeze(text_of(f)).find("描述到此结束"), std::string::npos);

  // In content order (-raw) the description's lines follow each other; between its pieces come
  // the cells after it in the row (the deadline), the page furniture and the repeated table
  // header. Without those, the description is there whole.
  std::string raw = without_page_numbers(squeeze(text_of(f, "-raw")));
  for (const std::string_view furniture :
       {"整改通知单平创整〔2026〕0001号", "序号问题编号问题类别位置问题描述整改时限",
        "2026年12月3日18:00前"}) {
    for (std::size_t at = raw.find(furniture); at != std::string::npos; at = raw.find(furniture)) {
      raw.erase(at, furniture.size());
    }
  }
  EXPECT_NE(raw.find(squeeze(description)), std::string::npos);
  // The items after the long one are there too.
  EXPECT_NE(raw.find(doc.items[2].case_no), std::string::npos);
  EXPECT_NE(raw.find(doc.items[2].description), std::string::npos);
}

TEST(NoticePdf, LongIssuerAndUnbreakableTextStayOnThePage) {
  REQUIRE_POPPLER();
  NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 1);
  doc.issuer = "某某市某某区创建全国文明城市工作指挥部办公室暨创城工作专班联合办公室";
  doc.items[0].case_no = "PC2026112700000000000001";  // no break opportunity
  doc.items[0].address = std::string(120, 'X');
  const PdfFile f(render_notice_pdf(doc));
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find(doc.issuer), std::string::npos) << text;  // the red line, shrunk to fit
  // Wrapped by characters: every character is still there.
  const std::string raw = squeeze(text_of(f, "-raw"));
  EXPECT_NE(raw.find(doc.items[0].case_no), std::string::npos) << raw;
  EXPECT_NE(raw.find(doc.items[0].address), std::string::npos);
}

TEST(NoticePdf, InvalidUtf8AndControlCharactersAreCleaned) {
  REQUIRE_POPPLER();
  NoticeDoc doc = sample(NoticeDoc::Kind::kRectification, 1);
  constexpr char kRecipient[] = "永泰\xff街道\x01办\0事处\r";  // invalid byte, SOH, NUL, CR
  doc.recipient = std::string(kRecipient, sizeof kRecipient - 1);
  doc.items[0].description = std::string("商户\x1b占道\xe4\xb8摆摊");  // truncated 3-byte sequence
  const std::string pdf = render_notice_pdf(doc);
  ASSERT_EQ(pdf.substr(0, 5), "%PDF-");
  const PdfFile f(pdf);
  const std::string text = squeeze(text_of(f));
  EXPECT_NE(text.find("永泰\xef\xbf\xbd街道办事处："), std::string::npos) << text;  // U+FFFD
  EXPECT_NE(text.find("商户占道"), std::string::npos);
}

TEST(NoticePdf, EmbedsTheNotoCjkFonts) {
  REQUIRE_POPPLER();
  // Without fonts-noto-cjk fontconfig would fall back silently to another font (or to boxes).
  const PdfFile f(render_notice_pdf(sample(NoticeDoc::Kind::kRectification, 1)));
  const std::string fonts = run("pdffonts '" + f.path() + "' 2>/dev/null");
  EXPECT_NE(fonts.find("NotoSerifCJKsc-Regular"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("NotoSansCJKsc-Bold"), std::string::npos) << fonts;
}

}  // namespace
}  // namespace civicloop::reports
