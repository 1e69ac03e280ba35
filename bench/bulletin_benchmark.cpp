// The bulletin PDF (reports/bulletin_pdf.hpp): a ten-page bulletin with twenty photos (ten
// typical problems, before and after, as 320 px thumbnails of tests/fixtures/district_gps.jpg,
// the media store's size) and a ranking of eighty units. The issue asks under 0.5 s.
// Run from the worktree root (it reads the photo from tests/fixtures); BULLETIN_PDF_OUT=FILE also
// writes one rendering to FILE, to look at (pdftoppm).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "media/image.hpp"
#include "reports/bulletin_pdf.hpp"

namespace {

using namespace civicloop;

reports::BulletinPhoto photo(const std::string& label) {
  static const std::pair<std::string, media::ImageInfo> thumb = [] {
    const char* path = std::getenv("BULLETIN_PHOTO");
    std::ifstream in(path != nullptr ? path : "tests/fixtures/district_gps.jpg", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto t = media::thumbnail(ss.str(), 320);
    if (!std::holds_alternative<std::string>(t)) throw std::runtime_error("no photo");
    auto bytes = std::get<std::string>(t);
    auto info = std::get<media::ImageInfo>(media::inspect(bytes));
    return std::pair{bytes, info};
  }();
  reports::BulletinPhoto p;
  p.jpeg = thumb.first;
  p.width = thumb.second.width;
  p.height = thumb.second.height;
  p.label = label;
  return p;
}

reports::BulletinDoc sample() {
  reports::BulletinDoc d;
  d.issuer_mark = "平城区创建文明城市指挥部办公室";
  d.number = "平创通〔2026〕12号";
  d.title = "关于2026年11月30日至2026年12月6日创城问题整改情况的通报";
  d.addressees = "各责任单位：";
  reports::BulletinSection overview{"一、总体情况",
                                    "2026年11月30日至2026年12月6日，各责任单位共受派遣问题412件，"
                                    "应结案398件，已结案351件，超期23件；按期结案率84.7%，结案率"
                                    "88.2%，按时签收率93.1%，返工率4.2%。",
                                    {},
                                    {}};
  d.sections.push_back(overview);
  reports::BulletinSection ranking{"二、单位排名", "本期参加排名的单位80个。", {}, {}};
  reports::BulletinTable t;
  t.header = {"排名",   "单位", "得分",       "等级",      "应结案",
              "已结案", "超期", "按期结案率", "按时签收率"};
  t.shares = {0.07, 0.27, 0.08, 0.07, 0.09, 0.09, 0.07, 0.13, 0.13};
  for (int i = 0; i < 80; ++i) {
    t.rows.push_back({std::to_string(i + 1), "第" + std::to_string(i + 1) + "责任单位", "88.5", "B",
                      "12", "11", "1", "91.7%", "100.0%"});
  }
  ranking.tables.push_back(t);
  d.sections.push_back(ranking);
  reports::BulletinSection typ{
      "三、典型问题", "本期选取10件已销号问题作为典型，整改前后对比如下。", {}, {}};
  for (int i = 0; i < 10; ++i) {
    reports::BulletinCase c;
    c.heading = "（" + std::to_string(i + 1) + "）路边堆放生活垃圾";
    c.text = "问题编号PC20261" + std::to_string(100 + i) +
             "，位于永泰路12号，属市容环境，责任单位永泰街道，已于2026年12月2日销号。";
    c.photos = {photo("整改前"), photo("整改后")};
    typ.cases.push_back(c);
  }
  d.sections.push_back(typ);
  d.sections.push_back(
      {"四、通报表扬", "永泰街道、古城街道按期结案率高、整改质量好，予以通报表扬。", {}, {}});
  d.sections.push_back(
      {"五、通报批评", "区教育局存在签收不及时、整改超期等问题，予以通报批评。", {}, {}});
  d.sections.push_back(
      {"六、下步要求", "各单位要对照本通报查漏补缺、举一反三，确保问题按期整改到位。", {}, {}});
  d.signer = "平城区创建文明城市指挥部办公室";
  d.date = "2026年12月7日";
  d.seal = true;
  d.imprint_cc = "抄送：区创城指挥部各位领导";
  d.imprint_printer = "平城区创建文明城市指挥部办公室";
  d.imprint_date = "2026年12月7日印发";
  d.page_format = "— {page} —";
  return d;
}

void BM_BulletinPdfTenPagesTwentyPhotos(benchmark::State& state) {
  const auto doc = sample();
  std::size_t bytes = 0;
  if (const char* out = std::getenv("BULLETIN_PDF_OUT")) {
    std::ofstream(out, std::ios::binary) << reports::render_bulletin_pdf(doc);
  }
  for (auto _ : state) {
    auto pdf = reports::render_bulletin_pdf(doc);
    bytes = pdf.size();
    benchmark::DoNotOptimize(pdf);
  }
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_BulletinPdfTenPagesTwentyPhotos)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
