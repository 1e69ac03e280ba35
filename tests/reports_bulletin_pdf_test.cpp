// The bulletin PDF read back with poppler-utils (pdftotext, pdfinfo, pdffonts, pdfimages): the
// official document layout of GB/T 9704-2012 as far as a program can see it (A4, the type area's
// left and top edges, the parts in their order, the faces embedded, page numbers "— 1 —"), a
// ten-page bulletin with twenty photos, tables whose header repeats on every page, and text that
// is cleaned rather than trusted.
#include "reports/bulletin_pdf.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "media/image.hpp"
#include "support/fixture_file.hpp"

namespace civicloop::reports {
namespace {

bool have_poppler() {
  return std::system(
             "command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 && "
             "command -v pdffonts >/dev/null 2>&1 && command -v pdfimages >/dev/null 2>&1") == 0;
}

#define REQUIRE_POPPLER()                                                     \
  do {                                                                        \
    if (!have_poppler()) {                                                    \
      const char* ci = std::getenv("CI");                                     \
      if (ci != nullptr && *ci != '\0') FAIL() << "poppler-utils is missing"; \
      GTEST_SKIP() << "poppler-utils not installed; CI runs this test";       \
    }                                                                         \
  } while (0)

class PdfFile {
 public:
  explicit PdfFile(const std::string& bytes) {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                        "/civicloop_bulletin_XXXXXX.pdf";
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

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}

std::string text_of(const PdfFile& f, const std::string& options = "-raw") {
  return squeeze(run("pdftotext " + options + " '" + f.path() + "' - 2>/dev/null"));
}

std::string info_field(const PdfFile& f, const std::string& name) {
  const std::string info = run("pdfinfo '" + f.path() + "' 2>/dev/null");
  const std::size_t at = info.find("\n" + name + ":");
  if (at == std::string::npos) return "";
  const std::size_t begin = info.find_first_not_of(' ', at + name.size() + 2);
  return info.substr(begin, info.find('\n', begin) - begin);
}

// A thumbnail of the fixture photo, as the media store keeps them.
BulletinPhoto photo(const std::string& label) {
  static const std::string thumb = [] {
    auto t = media::thumbnail(test::fixture("district_gps.jpg"), 320);
    return std::get<std::string>(t);
  }();
  BulletinPhoto p;
  p.jpeg = thumb;
  const auto info = std::get<media::ImageInfo>(media::inspect(thumb));
  p.width = info.width;
  p.height = info.height;
  p.label = label;
  return p;
}

BulletinDoc sample(int typical, int table_rows) {
  BulletinDoc d;
  d.issuer_mark = "平城区创建文明城市指挥部办公室";
  d.number = "平创通〔2026〕12号";
  d.title = "关于2026年11月30日至2026年12月6日创城问题整改情况的通报";
  d.addressees = "各责任单位：";
  BulletinSection overview;
  overview.heading = "一、总体情况";
  overview.text =
      "本周各责任单位共受派遣问题42件，应结案40件，已结案35件，超期3件；按期结案率85.0%。";
  d.sections.push_back(overview);
  BulletinSection ranking;
  ranking.heading = "二、单位排名";
  ranking.text = "本期参加排名的单位12个。";
  BulletinTable t;
  t.header = {"排名", "单位", "得分", "等级", "应结案", "已结案", "超期"};
  t.shares = {0.1, 0.36, 0.1, 0.1, 0.12, 0.12, 0.1};
  for (int i = 0; i < table_rows; ++i) {
    t.rows.push_back({std::to_string(i + 1), "第" + std::to_string(i + 1) + "责任单位", "91.5", "A",
                      "10", "9", "1"});
  }
  ranking.tables.push_back(t);
  d.sections.push_back(ranking);
  BulletinSection typ;
  typ.heading = "三、典型问题";
  typ.text = "本期选取典型问题如下。";
  for (int i = 0; i < typical; ++i) {
    BulletinCase c;
    c.heading = "（" + std::to_string(i + 1) + "）路边堆放生活垃圾";
    c.text = "问题编号PC2026" + std::to_string(1000 + i) + "，位于永泰路12号，已销号。";
    c.photos = {photo("整改前"), photo("整改后")};
    typ.cases.push_back(c);
  }
  d.sections.push_back(typ);
  BulletinSection req;
  req.heading = "四、下步要求";
  req.text = "各单位要对照本通报查漏补缺、举一反三。";
  d.sections.push_back(req);
  d.signer = "平城区创建文明城市指挥部办公室";
  d.date = "2026年12月7日";
  d.seal = true;
  d.imprint_cc = "抄送：区创城指挥部各位领导";
  d.imprint_printer = "平城区创建文明城市指挥部办公室";
  d.imprint_date = "2026年12月7日印发";
  d.page_format = "— {page} —";
  return d;
}

TEST(BulletinPdf, A4WithThePartsInTheirOrder) {
  REQUIRE_POPPLER();
  const PdfFile f(render_bulletin_pdf(sample(1, 5)));
  EXPECT_EQ(info_field(f, "Page size"), "595.276 x 841.89 pts (A4)");
  const auto text = text_of(f);
  const std::vector<std::string> parts = {"平城区创建文明城市指挥部办公室",
                                          "平创通〔2026〕12号",
                                          "关于2026年11月30日至2026年12月6日创城问题整改情况的通报",
                                          "各责任单位：",
                                          "一、总体情况",
                                          "按期结案率85.0%",
                                          "二、单位排名",
                                          "第5责任单位",
                                          "整改前",
                                          "四、下步要求",
                                          "2026年12月7日",
                                          "抄送：区创城指挥部各位领导",
                                          "2026年12月7日印发"};
  std::size_t at = 0;
  for (const auto& p : parts) {
    const auto found = text.find(p, at);
    EXPECT_NE(found, std::string::npos) << p << " after offset " << at << " in " << text;
    if (found != std::string::npos) at = found + p.size();
  }
  EXPECT_NE(text.find("—1—"), std::string::npos);
}

TEST(BulletinPdf, TheTypeAreaStartsAtTheStandardsMargins) {
  REQUIRE_POPPLER();
  const PdfFile f(render_bulletin_pdf(sample(0, 3)));
  // Word boxes of page 1: nothing left of the 28 mm margin, nothing above the 37 mm one.
  const auto xml = run("pdftotext -bbox -f 1 -l 1 '" + f.path() + "' - 2>/dev/null");
  double min_x = 1e9, min_y = 1e9, max_x = 0;
  std::size_t at = 0;
  int words = 0;
  while ((at = xml.find("<word xMin=\"", at)) != std::string::npos) {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    if (std::sscanf(xml.c_str() + at, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
                    &x0, &y0, &x1, &y1) == 4) {
      min_x = std::min(min_x, x0);
      min_y = std::min(min_y, y0);
      max_x = std::max(max_x, x1);
      ++words;
    }
    ++at;
  }
  ASSERT_GT(words, 10);
  const double mm = 72.0 / 25.4;
  EXPECT_GE(min_x, 28 * mm - 0.5);
  EXPECT_LE(min_x, 28 * mm + 3);  // the addressees stand flush left
  EXPECT_GE(min_y, 37 * mm - 2);
  EXPECT_LE(min_y, 37 * mm + 6);  // the office mark heads the type area
  EXPECT_LE(max_x, (210 - 26) * mm + 0.5);
}

TEST(BulletinPdf, TenPagesWithTwentyPhotosAndTheTableHeaderOnEveryPage) {
  REQUIRE_POPPLER();
  const PdfFile f(render_bulletin_pdf(sample(10, 60)));
  const int pages = std::stoi(info_field(f, "Pages"));
  EXPECT_GE(pages, 8);
  const auto images = run("pdfimages -list '" + f.path() + "' 2>/dev/null");
  int jpegs = 0;
  for (std::size_t at = 0; (at = images.find(" jpeg ", at)) != std::string::npos; ++at) ++jpegs;
  EXPECT_EQ(jpegs, 20) << images;
  // The ranking of 60 rows runs over a page: its header stands on each page it touches.
  const auto p2 = text_of(f, "-raw -f 2 -l 2");
  EXPECT_NE(p2.find("排名单位得分"), std::string::npos) << p2;
  EXPECT_NE(text_of(f).find("—" + std::to_string(pages) + "—"), std::string::npos);
  const auto fonts = run("pdffonts '" + f.path() + "' 2>/dev/null");
  EXPECT_NE(fonts.find("NotoSerifCJKsc-Bold"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("NotoSerifCJKsc-Regular"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("NotoSansCJKsc-Regular"), std::string::npos) << fonts;
}

TEST(BulletinPdf, ADraftCarriesItsMarkAndBrokenTextIsCleaned) {
  REQUIRE_POPPLER();
  auto d = sample(0, 1);
  d.number = "（未编号）";
  d.seal = false;
  d.draft_mark = "草稿";
  d.sections[0].text = std::string("坏\xff\xfe字\x01节") + "正常";
  BulletinPhoto broken;
  broken.jpeg = "not a jpeg";
  broken.label = "整改前";
  BulletinCase c;
  c.heading = "（一）无图";
  c.photos = {broken, BulletinPhoto{}};
  d.sections[1].cases.push_back(c);
  const PdfFile f(render_bulletin_pdf(d));
  const auto text = text_of(f);
  EXPECT_NE(text.find("草稿"), std::string::npos);
  EXPECT_NE(text.find("字节正常"), std::string::npos) << text;
  EXPECT_NE(text.find("（一）无图"), std::string::npos);
}

}  // namespace
}  // namespace civicloop::reports
