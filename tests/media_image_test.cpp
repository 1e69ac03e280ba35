#include "media/image.hpp"

#include <gtest/gtest.h>

#include <vips/vips8>
#include "support/fixture_file.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

// Every fixture is made here, in memory: pictures are drawn and encoded by libvips, EXIF blocks
// are built byte by byte by ExifBuilder below, and a few headers are written out by hand. Where an
// EXIF block we built is used, libvips' own EXIF reader (libexif) is asked to confirm that it is
// valid EXIF, so that our builder and our reader cannot agree on a mistake; and libexif re-writes
// EXIF for the WebP and PNG cases, giving the reader a block it did not build.

namespace civicloop::media {
namespace {

using namespace std::string_view_literals;
using test::fixture;

// ---- byte helpers ----

std::string take(VipsBlob* blob) {
  std::size_t size = 0;
  const void* data = vips_blob_get(blob, &size);
  std::string out(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

void put16(std::string& out, std::uint32_t v, bool big) {
  if (big) {
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
  } else {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
  }
}

void put32(std::string& out, std::uint32_t v, bool big) {
  if (big) {
    put16(out, v >> 16, true);
    put16(out, v & 0xFFFF, true);
  } else {
    put16(out, v & 0xFFFF, false);
    put16(out, v >> 16, false);
  }
}

void put_be32(std::string& out, std::uint32_t v) { put32(out, v, true); }

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string png_chunk(std::string_view type, std::string_view data) {
  std::string out;
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type) + std::string(data);
  out += body;
  put_be32(out, crc32(body));
  return out;
}

// ---- EXIF (TIFF) builder ----

class ExifBuilder {
 public:
  enum Ifd { kIfd0, kExif, kGps };

  explicit ExifBuilder(bool big_endian = false) : big_(big_endian) {}

  ExifBuilder& ascii(Ifd ifd, std::uint16_t tag, std::string_view text) {
    std::string data(text);
    data += '\0';
    return raw(ifd, tag, 2, static_cast<std::uint32_t>(data.size()), data);
  }
  ExifBuilder& short_value(Ifd ifd, std::uint16_t tag, std::uint16_t v) {
    std::string data;
    put16(data, v, big_);
    return raw(ifd, tag, 3, 1, data);
  }
  ExifBuilder& rationals(Ifd ifd, std::uint16_t tag,
                         std::vector<std::pair<std::uint32_t, std::uint32_t>> values) {
    std::string data;
    for (auto [num, den] : values) {
      put32(data, num, big_);
      put32(data, den, big_);
    }
    return raw(ifd, tag, 5, static_cast<std::uint32_t>(values.size()), data);
  }
  // Any entry, value bytes already in the builder's byte order.
  ExifBuilder& raw(Ifd ifd, std::uint16_t tag, std::uint16_t type, std::uint32_t count,
                   std::string data) {
    ifds_[ifd].push_back(Entry{tag, type, count, std::move(data)});
    return *this;
  }

  // The district centre: 40°4'48"N 113°16'48"E.
  ExifBuilder& district_centre() {
    ascii(kGps, 1, "N");
    rationals(kGps, 2, {{40, 1}, {4, 1}, {48, 1}});
    ascii(kGps, 3, "E");
    rationals(kGps, 4, {{113, 1}, {16, 1}, {4800, 100}});
    return *this;
  }

  // TIFF header, IFD0, Exif IFD, GPS IFD, each IFD followed by the values that do not fit inline.
  std::string build() const {
    std::vector<Entry> ifd0 = ifds_[kIfd0];
    bool has_exif = !ifds_[kExif].empty(), has_gps = !ifds_[kGps].empty();
    if (has_exif) ifd0.push_back(Entry{0x8769, 4, 1, std::string(4, '\0')});
    if (has_gps) ifd0.push_back(Entry{0x8825, 4, 1, std::string(4, '\0')});

    auto block_size = [](const std::vector<Entry>& entries) {
      std::size_t size = 2 + 12 * entries.size() + 4;
      for (const Entry& e : entries) {
        if (e.data.size() > 4) size += e.data.size() + (e.data.size() % 2);
      }
      return size;
    };
    std::uint32_t ifd0_at = 8;
    std::uint32_t exif_at = ifd0_at + static_cast<std::uint32_t>(block_size(ifd0));
    std::uint32_t gps_at =
        exif_at + static_cast<std::uint32_t>(has_exif ? block_size(ifds_[kExif]) : 0);
    for (Entry& e : ifd0) {
      if (e.tag == 0x8769) e.data.clear(), put32(e.data, exif_at, big_);
      if (e.tag == 0x8825) e.data.clear(), put32(e.data, gps_at, big_);
    }

    std::string out = big_ ? std::string("MM\0*", 4) : std::string("II*\0", 4);
    put32(out, ifd0_at, big_);
    write_ifd(out, ifd0);
    if (has_exif) write_ifd(out, ifds_[kExif]);
    if (has_gps) write_ifd(out, ifds_[kGps]);
    return out;
  }

 private:
  struct Entry {
    std::uint16_t tag;
    std::uint16_t type;
    std::uint32_t count;
    std::string data;
  };

  void write_ifd(std::string& out, std::vector<Entry> entries) const {
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.tag < b.tag; });
    std::uint32_t at = static_cast<std::uint32_t>(out.size());
    std::uint32_t data_at = at + 2 + 12 * static_cast<std::uint32_t>(entries.size()) + 4;
    std::string data;
    put16(out, static_cast<std::uint32_t>(entries.size()), big_);
    for (const Entry& e : entries) {
      put16(out, e.tag, big_);
      put16(out, e.type, big_);
      put32(out, e.count, big_);
      if (e.data.size() <= 4) {
        std::string inline_value = e.data;
        inline_value.resize(4, '\0');
        out += inline_value;
      } else {
        put32(out, data_at + static_cast<std::uint32_t>(data.size()), big_);
        data += e.data;
        if (data.size() % 2 == 1) data += '\0';
      }
    }
    put32(out, 0, big_);  // no next IFD
    out += data;
  }

  bool big_;
  std::vector<Entry> ifds_[3];
};

// ---- pictures ----

class MediaImageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { init(); }

  // A smooth gradient, so that the encoders have something to encode.
  static vips::VImage gradient(int width, int height) {
    vips::VImage xy = vips::VImage::xyz(width, height);
    vips::VImage r = xy.extract_band(0) * (255.0 / width);
    vips::VImage g = xy.extract_band(1) * (255.0 / height);
    return r.bandjoin(g).bandjoin_const({128}).cast(VIPS_FORMAT_UCHAR);
  }

  // Left half white, right half black.
  static vips::VImage halves(int width, int height) {
    vips::VImage left = vips::VImage::xyz(width, height).extract_band(0) < (width / 2.0);
    return left.bandjoin(left).bandjoin(left);
  }

  static std::string jpeg(const vips::VImage& image) {
    return take(image.jpegsave_buffer(vips::VImage::option()->set("strip", true)));
  }
  static std::string jpeg(int width, int height) { return jpeg(gradient(width, height)); }

  static std::string png(const vips::VImage& image) {
    return take(image.pngsave_buffer(vips::VImage::option()->set("strip", true)));
  }

  static std::string webp(const vips::VImage& image, bool lossless = false) {
    return take(image.webpsave_buffer(
        vips::VImage::option()->set("strip", true)->set("lossless", lossless)));
  }

  // The JPEG with an APP1 "Exif" segment right after SOI.
  static std::string with_exif(const std::string& jpeg_bytes, const std::string& tiff) {
    std::string app1 = "\xFF\xE1";
    put16(app1, static_cast<std::uint32_t>(2 + 6 + tiff.size()), true);
    app1 += std::string("Exif\0\0", 6) + tiff;
    return jpeg_bytes.substr(0, 2) + app1 + jpeg_bytes.substr(2);
  }

  // Decodes bytes with libvips (as a check on what our code produced). copy_memory() decodes now,
  // so the image no longer points into bytes.
  static vips::VImage decode(const std::string& bytes) {
    return vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "").copy_memory();
  }

  static ImageInfo ok(const std::variant<ImageInfo, ImageError>& r) {
    if (const auto* e = std::get_if<ImageError>(&r)) {
      ADD_FAILURE() << e->code << ": " << e->reason;
      return {};
    }
    return std::get<ImageInfo>(r);
  }

  static std::string ok(const std::variant<std::string, ImageError>& r) {
    if (const auto* e = std::get_if<ImageError>(&r)) {
      ADD_FAILURE() << e->code << ": " << e->reason;
      return {};
    }
    return std::get<std::string>(r);
  }

  template <typename T>
  static std::string code_of(const std::variant<T, ImageError>& r) {
    const auto* e = std::get_if<ImageError>(&r);
    return e == nullptr ? "ok" : e->code;
  }
};

using MediaImageSniff = MediaImageTest;
using MediaImageInspect = MediaImageTest;
using MediaImageExif = MediaImageTest;
using MediaImageRefuses = MediaImageTest;
using MediaImageThumbnail = MediaImageTest;
using MediaImageFixtures = MediaImageTest;

// ---- sniff ----

TEST_F(MediaImageSniff, KnowsTheThreeTypesByTheirMagic) {
  EXPECT_EQ(sniff(jpeg(8, 8)), ImageType::kJpeg);
  EXPECT_EQ(sniff(png(gradient(8, 8))), ImageType::kPng);
  EXPECT_EQ(sniff(webp(gradient(8, 8))), ImageType::kWebp);
  EXPECT_EQ(to_string(ImageType::kJpeg), "image/jpeg");
  EXPECT_EQ(to_string(ImageType::kPng), "image/png");
  EXPECT_EQ(to_string(ImageType::kWebp), "image/webp");
}

TEST_F(MediaImageSniff, RefusesEverythingElse) {
  EXPECT_EQ(sniff(""), std::nullopt);
  EXPECT_EQ(sniff("\xFF\xD8"), std::nullopt);  // too short to be sure
  EXPECT_EQ(sniff("GIF89a\x01\x00\x01\x00"sv), std::nullopt);
  EXPECT_EQ(sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), std::nullopt);
  EXPECT_EQ(sniff("RIFF\x10\x00\x00\x00WAVEfmt "sv), std::nullopt);  // RIFF, but audio
  EXPECT_EQ(sniff("%PDF-1.7\n"), std::nullopt);
  EXPECT_EQ(sniff("\x89PNG\r\n"), std::nullopt);
}

// ---- inspect: types and sizes ----

TEST_F(MediaImageInspect, JpegWithoutExif) {
  ImageInfo info = ok(inspect(jpeg(64, 48)));
  EXPECT_EQ(info.type, ImageType::kJpeg);
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 48);
  EXPECT_FALSE(info.lat.has_value());
  EXPECT_FALSE(info.lng.has_value());
  EXPECT_FALSE(info.taken_at_local.has_value());
  EXPECT_FALSE(info.utc_offset_minutes.has_value());
}

TEST_F(MediaImageInspect, Png) {
  ImageInfo info = ok(inspect(png(gradient(30, 20))));
  EXPECT_EQ(info.type, ImageType::kPng);
  EXPECT_EQ(info.width, 30);
  EXPECT_EQ(info.height, 20);
  EXPECT_FALSE(info.lat.has_value());
}

TEST_F(MediaImageInspect, WebpLossyAndLossless) {
  ImageInfo lossy = ok(inspect(webp(gradient(50, 40))));
  EXPECT_EQ(lossy.type, ImageType::kWebp);
  EXPECT_EQ(lossy.width, 50);
  EXPECT_EQ(lossy.height, 40);
  ImageInfo lossless = ok(inspect(webp(gradient(33, 17), true)));
  EXPECT_EQ(lossless.type, ImageType::kWebp);
  EXPECT_EQ(lossless.width, 33);
  EXPECT_EQ(lossless.height, 17);
}

TEST_F(MediaImageInspect, PngWithAlphaAndSixteenBits) {
  vips::VImage rgba = gradient(20, 10).bandjoin_const({200});
  EXPECT_EQ(ok(inspect(png(rgba))).width, 20);
  vips::VImage deep = gradient(12, 9).cast(VIPS_FORMAT_USHORT) * 256;
  deep = deep.cast(VIPS_FORMAT_USHORT)
             .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  ImageInfo info = ok(inspect(png(deep)));
  EXPECT_EQ(info.width, 12);
  EXPECT_EQ(info.height, 9);
}

TEST_F(MediaImageInspect, ToleratesDataAfterTheEndOfTheJpeg) {
  // Motion photos append a video after EOI; vendor trailers are common too.
  ImageInfo info = ok(inspect(jpeg(16, 16) + std::string(1000, 'v')));
  EXPECT_EQ(info.width, 16);
}

// ---- EXIF ----

TEST_F(MediaImageExif, GpsAndTimeFromAJpeg) {
  std::string tiff = ExifBuilder()
                         .district_centre()
                         .ascii(ExifBuilder::kExif, 0x9003, "2026:11:27 10:15:00")
                         .ascii(ExifBuilder::kExif, 0x9011, "+08:00")
                         .ascii(ExifBuilder::kIfd0, 0x0132, "2026:12:01 09:00:00")
                         .build();
  std::string bytes = with_exif(jpeg(64, 48), tiff);

  // libexif (inside libvips) reads our fixture as the same position: the fixture is valid EXIF.
  vips::VImage seen = decode(bytes);
  ASSERT_NE(seen.get_typeof("exif-ifd3-GPSLatitude"), 0u);
  EXPECT_EQ(std::string(seen.get_string("exif-ifd3-GPSLatitude")).rfind("40/1 4/1 48/1", 0), 0u)
      << seen.get_string("exif-ifd3-GPSLatitude");
  EXPECT_EQ(std::string(seen.get_string("exif-ifd2-DateTimeOriginal")).rfind("2026:11:27", 0), 0u);

  ImageInfo info = ok(inspect(bytes));
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 48);
  ASSERT_TRUE(info.lat && info.lng);
  EXPECT_NEAR(*info.lat, 40.08, 1e-9);
  EXPECT_NEAR(*info.lng, 113.28, 1e-9);
  EXPECT_EQ(info.taken_at_local, "2026-11-27T10:15:00");  // the original, not the file time
  EXPECT_EQ(info.utc_offset_minutes, 480);
}

TEST_F(MediaImageExif, BigEndianSouthWestAndFractionalMinutes) {
  std::string tiff = ExifBuilder(true)
                         .ascii(ExifBuilder::kGps, 1, "S")
                         .rationals(ExifBuilder::kGps, 2, {{33, 1}, {5184, 100}, {0, 1}})
                         .ascii(ExifBuilder::kGps, 3, "W")
                         .rationals(ExifBuilder::kGps, 4, {{70, 1}, {30, 1}, {0, 1}})
                         .ascii(ExifBuilder::kExif, 0x9003, "2025:02:28 23:59:59")
                         .ascii(ExifBuilder::kExif, 0x9011, "-03:30")
                         .build();
  ImageInfo info = ok(inspect(with_exif(jpeg(10, 10), tiff)));
  ASSERT_TRUE(info.lat && info.lng);
  EXPECT_NEAR(*info.lat, -(33 + 51.84 / 60), 1e-9);
  EXPECT_NEAR(*info.lng, -70.5, 1e-9);
  EXPECT_EQ(info.taken_at_local, "2025-02-28T23:59:59");
  EXPECT_EQ(info.utc_offset_minutes, -210);
}

TEST_F(MediaImageExif, FallsBackToDateTimeWithoutAnOffset) {
  std::string tiff = ExifBuilder().ascii(ExifBuilder::kIfd0, 0x0132, "2026:11:27 08:00:01").build();
  ImageInfo info = ok(inspect(with_exif(jpeg(10, 10), tiff)));
  EXPECT_EQ(info.taken_at_local, "2026-11-27T08:00:01");
  EXPECT_FALSE(info.utc_offset_minutes.has_value());
  EXPECT_FALSE(info.lat.has_value());
}

TEST_F(MediaImageExif, RefusesImpossibleTimes) {
  for (const char* bad : {"0000:00:00 00:00:00", "    :  :     :  :  ", "2026:02:29 10:00:00",
                          "2026:13:01 10:00:00", "2026:11:27 24:00:00", "2026:11:27", "garbage"}) {
    std::string tiff = ExifBuilder().ascii(ExifBuilder::kExif, 0x9003, bad).build();
    EXPECT_FALSE(ok(inspect(with_exif(jpeg(10, 10), tiff))).taken_at_local.has_value()) << bad;
  }
  std::string leap = ExifBuilder().ascii(ExifBuilder::kExif, 0x9003, "2028:02:29 10:00:00").build();
  EXPECT_EQ(ok(inspect(with_exif(jpeg(10, 10), leap))).taken_at_local, "2028-02-29T10:00:00");
}

TEST_F(MediaImageExif, DropsAPositionThatIsNotOne) {
  struct Case {
    const char* name;
    ExifBuilder exif;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"zero denominator", ExifBuilder()
                               .ascii(ExifBuilder::kGps, 1, "N")
                               .rationals(ExifBuilder::kGps, 2, {{40, 0}, {4, 1}, {48, 1}})
                               .ascii(ExifBuilder::kGps, 3, "E")
                               .rationals(ExifBuilder::kGps, 4, {{113, 1}, {0, 1}, {0, 1}})});
  cases.push_back(
      {"no reference", ExifBuilder()
                           .rationals(ExifBuilder::kGps, 2, {{40, 1}, {4, 1}, {48, 1}})
                           .ascii(ExifBuilder::kGps, 3, "E")
                           .rationals(ExifBuilder::kGps, 4, {{113, 1}, {0, 1}, {0, 1}})});
  cases.push_back(
      {"latitude only", ExifBuilder()
                            .ascii(ExifBuilder::kGps, 1, "N")
                            .rationals(ExifBuilder::kGps, 2, {{40, 1}, {4, 1}, {48, 1}})});
  cases.push_back(
      {"beyond the pole", ExifBuilder()
                              .ascii(ExifBuilder::kGps, 1, "N")
                              .rationals(ExifBuilder::kGps, 2, {{91, 1}, {0, 1}, {0, 1}})
                              .ascii(ExifBuilder::kGps, 3, "E")
                              .rationals(ExifBuilder::kGps, 4, {{113, 1}, {0, 1}, {0, 1}})});
  cases.push_back({"null island", ExifBuilder()
                                      .ascii(ExifBuilder::kGps, 1, "N")
                                      .rationals(ExifBuilder::kGps, 2, {{0, 1}, {0, 1}, {0, 1}})
                                      .ascii(ExifBuilder::kGps, 3, "E")
                                      .rationals(ExifBuilder::kGps, 4, {{0, 1}, {0, 1}, {0, 1}})});
  cases.push_back({"void fix", ExifBuilder().district_centre().ascii(ExifBuilder::kGps, 9, "V")});
  cases.push_back({"wrong type", ExifBuilder()
                                     .ascii(ExifBuilder::kGps, 1, "N")
                                     .ascii(ExifBuilder::kGps, 2, "40.08")
                                     .ascii(ExifBuilder::kGps, 3, "E")
                                     .ascii(ExifBuilder::kGps, 4, "113.28")});
  for (const Case& c : cases) {
    ImageInfo info = ok(inspect(with_exif(jpeg(10, 10), c.exif.build())));
    EXPECT_FALSE(info.lat.has_value()) << c.name;
    EXPECT_FALSE(info.lng.has_value()) << c.name;
  }
  // An active fix ('A') is kept.
  ImageInfo active = ok(inspect(with_exif(
      jpeg(10, 10), ExifBuilder().district_centre().ascii(ExifBuilder::kGps, 9, "A").build())));
  EXPECT_TRUE(active.lat.has_value());
}

TEST_F(MediaImageExif, SurvivesBadOffsets) {
  std::string good = ExifBuilder()
                         .district_centre()
                         .ascii(ExifBuilder::kExif, 0x9003, "2026:11:27 10:15:00")
                         .build();
  auto patch32 = [](std::string s, std::size_t at, std::uint32_t v) {
    std::string le;
    put32(le, v, false);
    return s.replace(at, 4, le);
  };
  std::vector<std::pair<const char*, std::string>> cases = {
      {"IFD0 beyond the end", patch32(good, 4, 0xFFFFFFF0u)},
      {"IFD0 at the last byte", patch32(good, 4, static_cast<std::uint32_t>(good.size() - 1))},
      {"entry count huge", good.substr(0, 8) + "\xFF\xFF" + good.substr(10)},
      {"cut in the middle", good.substr(0, good.size() / 2)},
      {"only a header", good.substr(0, 8)},
      {"not TIFF", "XX*\0garbagegarbage"},
      {"empty", ""},
  };
  // Sub-IFD pointers aimed at nonsense: find the GPS pointer (tag 0x8825) in IFD0 and retarget it.
  for (std::uint32_t target : {0xFFFFFFFFu, 8u, static_cast<std::uint32_t>(good.size() - 3)}) {
    std::string s = good;
    std::size_t at = s.find(std::string("\x25\x88\x04\x00", 4));
    ASSERT_NE(at, std::string::npos);
    cases.emplace_back("GPS pointer retargeted", patch32(s, at + 8, target));
  }
  // A rational value whose offset points past the end.
  {
    std::string s = good;
    std::size_t gps_at = s.find(std::string("\x02\x00\x05\x00\x03\x00\x00\x00", 8));
    ASSERT_NE(gps_at, std::string::npos);
    cases.emplace_back("value past the end", patch32(s, gps_at + 8, 0x7FFFFFF0u));
  }
  for (const auto& [name, tiff] : cases) {
    auto r = inspect(with_exif(jpeg(10, 10), tiff));
    ASSERT_EQ(code_of(r), "ok") << name;
    const ImageInfo& info = std::get<ImageInfo>(r);
    EXPECT_EQ(info.width, 10) << name;
    EXPECT_EQ(info.lat.has_value(), info.lng.has_value()) << name;
  }
}

TEST_F(MediaImageExif, ReadsExifThatLibexifWroteIntoWebpAndPng) {
  std::string tiff = ExifBuilder()
                         .district_centre()
                         .ascii(ExifBuilder::kExif, 0x9003, "2026:11:27 10:15:00")
                         .build();
  vips::VImage source = decode(with_exif(jpeg(40, 30), tiff));
  // Saving without strip makes libvips rebuild the EXIF block with libexif.
  std::string webp_bytes = take(source.webpsave_buffer());
  ImageInfo w = ok(inspect(webp_bytes));
  EXPECT_EQ(w.type, ImageType::kWebp);
  EXPECT_EQ(w.width, 40);
  ASSERT_TRUE(w.lat && w.lng);
  EXPECT_NEAR(*w.lat, 40.08, 1e-6);
  EXPECT_NEAR(*w.lng, 113.28, 1e-6);
  EXPECT_EQ(w.taken_at_local, "2026-11-27T10:15:00");

  // PNG: an eXIf chunk put in by hand after IHDR (8-byte signature + 25-byte IHDR chunk).
  std::string plain = png(gradient(40, 30));
  std::string png_bytes = plain.substr(0, 33) + png_chunk("eXIf", tiff) + plain.substr(33);
  ImageInfo p = ok(inspect(png_bytes));
  EXPECT_EQ(p.type, ImageType::kPng);
  ASSERT_TRUE(p.lat && p.lng);
  EXPECT_NEAR(*p.lat, 40.08, 1e-9);
  EXPECT_EQ(p.taken_at_local, "2026-11-27T10:15:00");
}

TEST_F(MediaImageExif, OrientationTurnsTheReportedSize) {
  std::string tiff = ExifBuilder().short_value(ExifBuilder::kIfd0, 0x0112, 6).build();
  ImageInfo info = ok(inspect(with_exif(jpeg(400, 200), tiff)));
  EXPECT_EQ(info.width, 200);
  EXPECT_EQ(info.height, 400);
  std::string flipped = ExifBuilder().short_value(ExifBuilder::kIfd0, 0x0112, 3).build();
  EXPECT_EQ(ok(inspect(with_exif(jpeg(400, 200), flipped))).width, 400);
}

// ---- refusals ----

TEST_F(MediaImageRefuses, WhatIsNotAnImageWhateverItsName) {
  // "photo.jpg" that is really a GIF, and one that is really text.
  std::string gif(
      "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xFF\xFF\xFF!\xF9\x04\x01\x00\x00\x00\x00,"
      "\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02"
      "D\x01\x00;",
      43);
  EXPECT_EQ(code_of(inspect(gif)), "media.unsupported_type");
  EXPECT_EQ(code_of(inspect("this is not a photo, just text in a file named photo.jpg")),
            "media.unsupported_type");
  EXPECT_EQ(code_of(inspect("")), "media.unsupported_type");
  EXPECT_EQ(code_of(thumbnail(gif)), "media.unsupported_type");
}

TEST_F(MediaImageRefuses, TruncatedFilesAsCorrupt) {
  std::string full = jpeg(gradient(200, 150));
  for (std::size_t keep :
       {full.size() - 2, full.size() / 2, std::size_t{200}, std::size_t{20}, std::size_t{4}}) {
    std::string cut = full.substr(0, keep);
    auto r = inspect(cut);
    EXPECT_EQ(code_of(r), "media.corrupt") << keep;
    if (const auto* e = std::get_if<ImageError>(&r)) {
      EXPECT_FALSE(e->reason.empty());
    }
    EXPECT_EQ(code_of(thumbnail(cut)), "media.corrupt") << keep;
  }
  std::string p = png(gradient(100, 80));
  EXPECT_EQ(code_of(inspect(p.substr(0, p.size() - 12))), "media.corrupt");  // no IEND
  EXPECT_EQ(code_of(inspect(p.substr(0, p.size() / 2))), "media.corrupt");
  std::string w = webp(gradient(100, 80));
  EXPECT_EQ(code_of(inspect(w.substr(0, w.size() - 10))), "media.corrupt");
  EXPECT_EQ(code_of(inspect(w.substr(0, 12))), "media.corrupt");
}

TEST_F(MediaImageRefuses, GarbageAfterAGoodHeaderAsCorrupt) {
  // A plausible PNG whose IDAT is not zlib data: the structure walk passes, libvips' decode fails.
  std::string ihdr;
  put_be32(ihdr, 4);
  put_be32(ihdr, 4);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  std::string bad = std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr) +
                    png_chunk("IDAT", "not zlib at all") + png_chunk("IEND", "");
  EXPECT_EQ(code_of(thumbnail(bad)), "media.corrupt");
  // Frame header declaring zero size.
  std::string j = jpeg(8, 8);
  std::size_t sof = j.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  j[sof + 5] = 0;
  j[sof + 6] = 0;
  EXPECT_EQ(code_of(inspect(j)), "media.corrupt");
}

TEST_F(MediaImageRefuses, APngDeclaring100000SquaredBeforeReadingFurther) {
  std::string ihdr;
  put_be32(ihdr, 100000);
  put_be32(ihdr, 100000);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  std::string head = std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr);
  // Header only, and a complete little file with a few compressed bytes of "image": both refused
  // from the header alone, so no decoder ever sees a 30 GB canvas.
  auto r = inspect(head);
  ASSERT_EQ(code_of(r), "media.too_many_pixels");
  EXPECT_NE(std::get<ImageError>(r).reason.find("100000x100000"), std::string::npos);
  std::string complete = head +
                         png_chunk("IDAT", std::string("\x78\x9C\x03\x00\x00\x00\x00\x01", 8)) +
                         png_chunk("IEND", "");
  EXPECT_EQ(code_of(inspect(complete)), "media.too_many_pixels");
  EXPECT_EQ(code_of(thumbnail(complete)), "media.too_many_pixels");
}

TEST_F(MediaImageRefuses, HugeJpegAndWebpHeaders) {
  std::string j = jpeg(8, 8);
  std::size_t sof = j.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  j.replace(sof + 5, 4, "\xFF\xFF\xFF\xFF");  // 65535 × 65535
  EXPECT_EQ(code_of(inspect(j)), "media.too_many_pixels");
  EXPECT_EQ(code_of(thumbnail(j)), "media.too_many_pixels");

  // An extended WebP whose canvas is 16777216 × 16777216.
  std::string vp8x = std::string("\x00\x00\x00\x00", 4) + "\xFF\xFF\xFF\xFF\xFF\xFF";
  std::string body = "WEBP" + std::string("VP8X") + std::string("\x0A\x00\x00\x00", 4) + vp8x;
  std::string riff = "RIFF";
  put32(riff, static_cast<std::uint32_t>(body.size()), false);
  EXPECT_EQ(code_of(inspect(riff + body)), "media.too_many_pixels");
}

TEST_F(MediaImageRefuses, MorePixelsThanTheLimitAllows) {
  Limits small;
  small.max_pixels = 5000;
  EXPECT_EQ(code_of(inspect(jpeg(100, 100), small)), "media.too_many_pixels");
  EXPECT_EQ(code_of(inspect(png(gradient(100, 100)), small)), "media.too_many_pixels");
  EXPECT_EQ(code_of(inspect(webp(gradient(100, 100)), small)), "media.too_many_pixels");
  EXPECT_EQ(code_of(thumbnail(jpeg(100, 100), 32, small)), "media.too_many_pixels");
  EXPECT_EQ(code_of(inspect(jpeg(50, 100), small)), "ok");  // exactly at the limit
}

TEST_F(MediaImageRefuses, MoreBytesThanTheLimitAllows) {
  std::string bytes = jpeg(64, 64);
  Limits small;
  small.max_bytes = bytes.size() - 1;
  EXPECT_EQ(code_of(inspect(bytes, small)), "media.too_large");
  EXPECT_EQ(code_of(thumbnail(bytes, 320, small)), "media.too_large");
  small.max_bytes = bytes.size();
  EXPECT_EQ(code_of(inspect(bytes, small)), "ok");
  // The default limit, 15 MiB: one byte more is refused before anything looks at the content.
  std::string big = bytes + std::string(15 * 1024 * 1024 + 1 - bytes.size(), '\0');
  EXPECT_EQ(code_of(inspect(big)), "media.too_large");
}

TEST_F(MediaImageRefuses, MangledBytesNeverCrash) {
  // A cheap in-test fuzz (the real one is fuzz/image_inspect_fuzz.cpp): every outcome is a value
  // with a known code.
  std::string tiff = ExifBuilder()
                         .district_centre()
                         .ascii(ExifBuilder::kExif, 0x9003, "2026:11:27 10:15:00")
                         .short_value(ExifBuilder::kIfd0, 0x0112, 6)
                         .build();
  std::vector<std::string> seeds = {with_exif(jpeg(24, 16), tiff), png(gradient(24, 16)),
                                    webp(gradient(24, 16))};
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  int outcomes = 0;
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 100; ++round) {
      std::string s = seed;
      int flips = 1 + static_cast<int>(next() % 4);
      for (int k = 0; k < flips; ++k) s[next() % s.size()] = static_cast<char>(next() & 0xFF);
      if (round % 3 == 0) s.resize(next() % s.size());
      auto r = inspect(s);
      std::string code = code_of(r);
      EXPECT_TRUE(code == "ok" || code == "media.corrupt" || code == "media.unsupported_type" ||
                  code == "media.too_many_pixels")
          << code;
      if (code == "ok") {
        const ImageInfo& info = std::get<ImageInfo>(r);
        EXPECT_GT(info.width, 0);
        EXPECT_GT(info.height, 0);
        if (round % 10 == 0) {
          std::string t_code = code_of(thumbnail(s, 16));
          EXPECT_TRUE(t_code == "ok" || t_code == "media.corrupt") << t_code;
        }
      }
      ++outcomes;
    }
  }
  EXPECT_EQ(outcomes, 300);
}

// ---- files on disk (tests/fixtures/README.md says how they were made) ----

TEST_F(MediaImageFixtures, DistrictCentreJpeg) {
  ImageInfo info = ok(inspect(fixture("district_gps.jpg")));
  EXPECT_EQ(info.type, ImageType::kJpeg);
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 48);
  ASSERT_TRUE(info.lat && info.lng);
  EXPECT_NEAR(*info.lat, 40.08, 1e-9);
  EXPECT_NEAR(*info.lng, 113.28, 1e-9);
  EXPECT_EQ(info.taken_at_local, "2026-11-27T10:15:00");
  EXPECT_EQ(info.utc_offset_minutes, 480);
}

TEST_F(MediaImageFixtures, TheOthers) {
  ImageInfo plain = ok(inspect(fixture("no_exif.jpg")));
  EXPECT_EQ(plain.width, 64);
  EXPECT_FALSE(plain.lat.has_value());
  EXPECT_FALSE(plain.taken_at_local.has_value());
  ImageInfo turned = ok(inspect(fixture("rotated6.jpg")));
  EXPECT_EQ(turned.width, 20);
  EXPECT_EQ(turned.height, 40);
  EXPECT_EQ(ok(inspect(fixture("small.png"))).type, ImageType::kPng);
  EXPECT_EQ(ok(inspect(fixture("small.webp"))).type, ImageType::kWebp);
  EXPECT_EQ(ok(inspect(fixture("lossless.webp"))).width, 30);
  EXPECT_EQ(code_of(inspect(fixture("gif_named.jpg"))), "media.unsupported_type");
  EXPECT_EQ(code_of(inspect(fixture("text_named.jpg"))), "media.unsupported_type");
  EXPECT_EQ(code_of(inspect(fixture("truncated.jpg"))), "media.corrupt");
  EXPECT_EQ(code_of(inspect(fixture("huge_header.png"))), "media.too_many_pixels");
  EXPECT_EQ(ok(inspect(ok(thumbnail(fixture("rotated6.jpg"), 10)))).height, 10);
}

// ---- thumbnail ----

TEST_F(MediaImageThumbnail, LandscapeAndPortraitFitTheBox) {
  std::string landscape = ok(thumbnail(jpeg(800, 600)));
  ASSERT_EQ(sniff(landscape), ImageType::kJpeg);
  ImageInfo l = ok(inspect(landscape));
  EXPECT_EQ(l.width, 320);
  EXPECT_EQ(l.height, 240);

  ImageInfo p = ok(inspect(ok(thumbnail(jpeg(600, 800)))));
  EXPECT_EQ(p.width, 240);
  EXPECT_EQ(p.height, 320);

  ImageInfo small_box = ok(inspect(ok(thumbnail(png(gradient(500, 100)), 64))));
  EXPECT_EQ(small_box.width, 64);
  EXPECT_LE(small_box.height, 64);
}

TEST_F(MediaImageThumbnail, NeverEnlarges) {
  ImageInfo t = ok(inspect(ok(thumbnail(jpeg(100, 50)))));
  EXPECT_EQ(t.width, 100);
  EXPECT_EQ(t.height, 50);
}

TEST_F(MediaImageThumbnail, AppliesOrientationSix) {
  // Stored 400×200, left half white; orientation 6 means "turn 90° clockwise to show", so the
  // white half comes out on top of a 160×320 portrait.
  std::string tiff = ExifBuilder().short_value(ExifBuilder::kIfd0, 0x0112, 6).build();
  std::string thumb = ok(thumbnail(with_exif(jpeg(halves(400, 200)), tiff)));
  vips::VImage t = decode(thumb);
  EXPECT_EQ(t.width(), 160);
  EXPECT_EQ(t.height(), 320);
  EXPECT_GT(t.getpoint(80, 40)[0], 200);
  EXPECT_LT(t.getpoint(80, 280)[0], 50);
}

TEST_F(MediaImageThumbnail, StripsGpsAndAllOtherMetadata) {
  std::string tiff = ExifBuilder()
                         .district_centre()
                         .ascii(ExifBuilder::kExif, 0x9003, "2026:11:27 10:15:00")
                         .build();
  std::string source = with_exif(jpeg(640, 480), tiff);
  ASSERT_TRUE(ok(inspect(source)).lat.has_value());
  std::string thumb = ok(thumbnail(source));
  ImageInfo info = ok(inspect(thumb));
  EXPECT_FALSE(info.lat.has_value());
  EXPECT_FALSE(info.taken_at_local.has_value());
  EXPECT_EQ(thumb.find("Exif"), std::string::npos);
  vips::VImage t = decode(thumb);
  EXPECT_EQ(t.get_typeof("exif-data"), 0u);
  EXPECT_EQ(t.get_typeof("icc-profile-data"), 0u);
  EXPECT_EQ(t.get_typeof("xmp-data"), 0u);
}

TEST_F(MediaImageThumbnail, FlattensTransparencyOntoWhite) {
  // Fully transparent black pixels come out white, not black.
  vips::VImage clear =
      vips::VImage::black(50, 50, vips::VImage::option()->set("bands", 4))
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  vips::VImage t = decode(ok(thumbnail(png(clear))));
  EXPECT_EQ(t.bands(), 3);
  EXPECT_GT(t.getpoint(25, 25)[0], 240);
}

TEST_F(MediaImageThumbnail, WebpAndSixteenBitPng) {
  EXPECT_EQ(ok(inspect(ok(thumbnail(webp(gradient(400, 200)))))).width, 320);
  vips::VImage deep =
      (gradient(400, 300).cast(VIPS_FORMAT_USHORT) * 256)
          .cast(VIPS_FORMAT_USHORT)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  vips::VImage t = decode(ok(thumbnail(png(deep))));
  EXPECT_EQ(t.width(), 320);
  EXPECT_EQ(t.format(), VIPS_FORMAT_UCHAR);
}

}  // namespace
}  // namespace civicloop::media
