#include "media/image.hpp"

#include <vips/vips8>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

// How an upload is examined, cheapest and safest first:
//   1. size against Limits::max_bytes;
//   2. type by magic bytes;
//   3. our own walk of the container (JPEG segments and entropy-coded scans, PNG chunks, WebP RIFF
//      chunks): it finds the declared width and height, refuses a bomb as soon as the header that
//      declares it is read, finds the EXIF block, and notices a file cut short (no EOI / IEND, or a
//      RIFF size beyond the end) without decoding a pixel;
//   4. libvips reads the header with the loader for that type only (never by its own sniffing, so
//      ImageMagick and the other modules Debian ships can never see upload bytes);
//   5. our own EXIF (TIFF) reader. Every read in it is bounds-checked; a bad offset drops the
//   field.
// thumbnail() runs 1-4 and then lets libvips decode (shrink-on-load for JPEG).

namespace civicloop::media {
namespace {

constexpr std::string_view kUnsupported = "media.unsupported_type";
constexpr std::string_view kTooLarge = "media.too_large";
constexpr std::string_view kTooManyPixels = "media.too_many_pixels";
constexpr std::string_view kCorrupt = "media.corrupt";

ImageError make_error(std::string_view code, std::string reason) {
  return ImageError{std::string(code), std::move(reason)};
}

std::uint8_t byte_at(std::string_view b, std::size_t i) { return static_cast<std::uint8_t>(b[i]); }

std::uint32_t be16(std::string_view b, std::size_t i) {
  return (std::uint32_t{byte_at(b, i)} << 8) | byte_at(b, i + 1);
}
std::uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
std::uint32_t le16(std::string_view b, std::size_t i) {
  return std::uint32_t{byte_at(b, i)} | (std::uint32_t{byte_at(b, i + 1)} << 8);
}
std::uint32_t le24(std::string_view b, std::size_t i) {
  return le16(b, i) | (std::uint32_t{byte_at(b, i + 2)} << 16);
}
std::uint32_t le32(std::string_view b, std::size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}

bool starts_with(std::string_view b, std::string_view prefix) {
  return b.size() >= prefix.size() && b.substr(0, prefix.size()) == prefix;
}

// ---------------------------------------------------------------------------------------------
// EXIF: a TIFF structure (header, IFD0, the Exif and GPS sub-IFDs). Only the few tags we need.

constexpr std::string_view kExifPrefix{"Exif\0\0", 6};

struct ExifFields {
  std::optional<double> lat, lng;
  std::optional<std::string> taken_at_local;
  std::optional<int> utc_offset_minutes;
  int orientation = 1;
};

class TiffReader {
 public:
  struct Entry {
    std::uint16_t type = 0;
    std::uint32_t count = 0;
    std::string_view value;  // count × size of type bytes, inside the data
  };

  explicit TiffReader(std::string_view data) : data_(data) {
    if (data_.size() < 8) return;
    if (data_.substr(0, 4) == std::string_view("II*\0", 4)) {
      little_ = true;
    } else if (data_.substr(0, 4) == std::string_view("MM\0*", 4)) {
      little_ = false;
    } else {
      return;
    }
    ifd0_ = u32(data_, 4);
    ok_ = true;
  }

  bool ok() const { return ok_; }
  std::uint32_t ifd0() const { return ifd0_; }

  // The first entry with this tag in the IFD at offset; nullopt when the IFD or the entry's value
  // lies outside the data.
  std::optional<Entry> find(std::uint32_t ifd, std::uint16_t tag) const {
    if (ifd > data_.size() || data_.size() - ifd < 2) return std::nullopt;
    std::size_t count = u16(data_, ifd);
    std::size_t fits = (data_.size() - ifd - 2) / 12;
    count = std::min({count, fits, kMaxEntries});
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t at = ifd + 2 + 12 * i;
      if (u16(data_, at) != tag) continue;
      Entry e;
      e.type = static_cast<std::uint16_t>(u16(data_, at + 2));
      e.count = u32(data_, at + 4);
      std::uint64_t unit = type_size(e.type);
      if (unit == 0) return std::nullopt;
      std::uint64_t size = unit * e.count;  // < 2^36: no overflow
      if (size <= 4) {
        e.value = data_.substr(at + 8, static_cast<std::size_t>(size));
      } else {
        std::uint64_t off = u32(data_, at + 8);
        if (off > data_.size() || size > data_.size() - off) return std::nullopt;
        e.value = data_.substr(static_cast<std::size_t>(off), static_cast<std::size_t>(size));
      }
      return e;
    }
    return std::nullopt;
  }

  // The offset of a sub-IFD named by a pointer tag (ExifIFD, GPS IFD).
  std::optional<std::uint32_t> sub_ifd(std::uint32_t ifd, std::uint16_t tag) const {
    auto e = find(ifd, tag);
    if (!e || e->count != 1 || (e->type != kLong && e->type != kIfd)) return std::nullopt;
    return u32(e->value, 0);
  }

  std::optional<std::uint32_t> unsigned_at(const Entry& e, std::uint32_t i) const {
    if (i >= e.count) return std::nullopt;
    switch (e.type) {
      case kByte:
        return byte_at(e.value, i);
      case kShort:
        return u16(e.value, 2 * std::size_t{i});
      case kLong:
        return u32(e.value, 4 * std::size_t{i});
      default:
        return std::nullopt;
    }
  }

  // A RATIONAL or SRATIONAL as a double; nullopt for a zero denominator.
  std::optional<double> rational_at(const Entry& e, std::uint32_t i) const {
    if (i >= e.count || (e.type != kRational && e.type != kSRational)) return std::nullopt;
    std::uint32_t num = u32(e.value, 8 * std::size_t{i});
    std::uint32_t den = u32(e.value, 8 * std::size_t{i} + 4);
    if (den == 0) return std::nullopt;
    if (e.type == kSRational) {
      return static_cast<double>(static_cast<std::int32_t>(num)) /
             static_cast<double>(static_cast<std::int32_t>(den));
    }
    return static_cast<double>(num) / static_cast<double>(den);
  }

  // ASCII up to the first NUL. UNDEFINED is accepted too: some writers use it for text.
  static std::optional<std::string_view> ascii(const Entry& e) {
    if (e.type != kAscii && e.type != kUndefined) return std::nullopt;
    return e.value.substr(0, e.value.find('\0'));
  }

 private:
  static constexpr std::uint16_t kByte = 1, kAscii = 2, kShort = 3, kLong = 4, kRational = 5,
                                 kUndefined = 7, kSRational = 10, kIfd = 13;
  static constexpr std::size_t kMaxEntries = 1000;

  static std::uint64_t type_size(std::uint16_t type) {
    switch (type) {
      case 1:  // BYTE
      case 2:  // ASCII
      case 6:  // SBYTE
      case 7:  // UNDEFINED
        return 1;
      case 3:  // SHORT
      case 8:  // SSHORT
        return 2;
      case 4:   // LONG
      case 9:   // SLONG
      case 11:  // FLOAT
      case 13:  // IFD
        return 4;
      case 5:   // RATIONAL
      case 10:  // SRATIONAL
      case 12:  // DOUBLE
        return 8;
      default:
        return 0;
    }
  }

  std::uint32_t u16(std::string_view b, std::size_t i) const {
    return little_ ? le16(b, i) : be16(b, i);
  }
  std::uint32_t u32(std::string_view b, std::size_t i) const {
    return little_ ? le32(b, i) : be32(b, i);
  }

  std::string_view data_;
  bool little_ = true;
  bool ok_ = false;
  std::uint32_t ifd0_ = 0;
};

// Tags.
constexpr std::uint16_t kOrientation = 0x0112;
constexpr std::uint16_t kDateTime = 0x0132;
constexpr std::uint16_t kExifIfdPointer = 0x8769;
constexpr std::uint16_t kGpsIfdPointer = 0x8825;
constexpr std::uint16_t kDateTimeOriginal = 0x9003;
constexpr std::uint16_t kDateTimeDigitized = 0x9004;
constexpr std::uint16_t kOffsetTime = 0x9010;
constexpr std::uint16_t kOffsetTimeOriginal = 0x9011;
constexpr std::uint16_t kOffsetTimeDigitized = 0x9012;
constexpr std::uint16_t kGpsLatitudeRef = 1;
constexpr std::uint16_t kGpsLatitude = 2;
constexpr std::uint16_t kGpsLongitudeRef = 3;
constexpr std::uint16_t kGpsLongitude = 4;
constexpr std::uint16_t kGpsStatus = 9;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<int> digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "2026:11:27 10:15:00" (the EXIF form; '-' and 'T' are tolerated) → "2026-11-27T10:15:00".
// Blank ("    :  :     :  :  ") and zero ("0000:00:00 00:00:00") values mean "unknown".
std::optional<std::string> exif_datetime(std::string_view s) {
  if (s.size() < 19) return std::nullopt;
  auto is_date_sep = [](char c) { return c == ':' || c == '-'; };
  if (!is_date_sep(s[4]) || !is_date_sep(s[7]) || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*year < 1900 || *month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 ||
      *second > 59) {
    return std::nullopt;
  }
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  int max_day = kDays[static_cast<std::size_t>(*month - 1)] + (*month == 2 && leap ? 1 : 0);
  if (*day > max_day) return std::nullopt;
  std::string out(s.substr(0, 19));
  out[4] = '-';
  out[7] = '-';
  out[10] = 'T';
  return out;
}

// "+08:00" → 480; "-03:30" → -210.
std::optional<int> exif_offset(std::string_view s) {
  if (s.size() < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto hours = digits(s, 1, 2), minutes = digits(s, 4, 2);
  if (!hours || !minutes || *hours > 14 || *minutes > 59) return std::nullopt;
  int total = *hours * 60 + *minutes;
  if (total > 14 * 60) return std::nullopt;
  return s[0] == '-' ? -total : total;
}

// Degrees, minutes, seconds (any of them may be fractional; minutes and seconds may be missing)
// and a reference letter → signed decimal degrees.
std::optional<double> gps_coordinate(const TiffReader& tiff, std::uint32_t gps, std::uint16_t tag,
                                     std::uint16_t ref_tag, char positive, char negative,
                                     double max) {
  auto value = tiff.find(gps, tag);
  auto ref_entry = tiff.find(gps, ref_tag);
  if (!value || !ref_entry || value->count < 1) return std::nullopt;
  auto ref = TiffReader::ascii(*ref_entry);
  if (!ref || ref->empty()) return std::nullopt;
  char r = (*ref)[0];
  if (r >= 'a' && r <= 'z') r = static_cast<char>(r - 'a' + 'A');
  if (r != positive && r != negative) return std::nullopt;
  double parts[3] = {0, 0, 0};
  for (std::uint32_t i = 0; i < std::min<std::uint32_t>(value->count, 3); ++i) {
    auto v = tiff.rational_at(*value, i);
    if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
    parts[i] = *v;
  }
  if (parts[1] > 60 || parts[2] > 60) return std::nullopt;
  double deg = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
  if (deg > max) return std::nullopt;
  return r == negative ? -deg : deg;
}

ExifFields read_exif(std::string_view blob) {
  ExifFields out;
  if (starts_with(blob, kExifPrefix)) blob.remove_prefix(kExifPrefix.size());
  TiffReader tiff(blob);
  if (!tiff.ok()) return out;
  std::uint32_t ifd0 = tiff.ifd0();

  if (auto e = tiff.find(ifd0, kOrientation)) {
    auto v = tiff.unsigned_at(*e, 0);
    if (v && *v >= 1 && *v <= 8) out.orientation = static_cast<int>(*v);
  }

  // When it was taken: the first readable of original, digitized, file time, each with its own
  // offset tag.
  auto exif_ifd = tiff.sub_ifd(ifd0, kExifIfdPointer);
  struct Candidate {
    std::optional<std::uint32_t> ifd;
    std::uint16_t time_tag, offset_tag;
  };
  for (const Candidate& c : {Candidate{exif_ifd, kDateTimeOriginal, kOffsetTimeOriginal},
                             Candidate{exif_ifd, kDateTimeDigitized, kOffsetTimeDigitized},
                             Candidate{ifd0, kDateTime, kOffsetTime}}) {
    if (!c.ifd) continue;
    auto e = tiff.find(*c.ifd, c.time_tag);
    if (!e) continue;
    auto text = TiffReader::ascii(*e);
    auto when = text ? exif_datetime(*text) : std::nullopt;
    if (!when) continue;
    out.taken_at_local = std::move(when);
    // OffsetTime lives in the Exif IFD even for IFD0's DateTime.
    if (exif_ifd) {
      if (auto o = tiff.find(*exif_ifd, c.offset_tag)) {
        if (auto o_text = TiffReader::ascii(*o)) out.utc_offset_minutes = exif_offset(*o_text);
      }
    }
    break;
  }

  if (auto gps = tiff.sub_ifd(ifd0, kGpsIfdPointer)) {
    bool void_fix = false;
    if (auto s = tiff.find(*gps, kGpsStatus)) {
      auto text = TiffReader::ascii(*s);
      void_fix = text && !text->empty() && (*text)[0] == 'V';
    }
    auto lat = gps_coordinate(tiff, *gps, kGpsLatitude, kGpsLatitudeRef, 'N', 'S', 90.0);
    auto lng = gps_coordinate(tiff, *gps, kGpsLongitude, kGpsLongitudeRef, 'E', 'W', 180.0);
    if (!void_fix && lat && lng && !(*lat == 0.0 && *lng == 0.0)) {
      out.lat = lat;
      out.lng = lng;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Container walks.

struct Container {
  ImageType type = ImageType::kJpeg;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::string_view exif;  // TIFF data (possibly with the "Exif\0\0" prefix); empty when none
};

using Walk = std::variant<Container, ImageError>;

ImageError truncated(std::string_view what) {
  return make_error(kCorrupt, std::string(what) + " data ends early (file cut short?)");
}

// Refuses a bomb as soon as the header that declares its size has been read.
std::optional<ImageError> check_pixels(std::uint32_t width, std::uint32_t height,
                                       const Limits& limits) {
  long long pixels = static_cast<long long>(width) * static_cast<long long>(height);
  if (pixels > limits.max_pixels) {
    return make_error(kTooManyPixels, "the image declares " + std::to_string(width) + "x" +
                                          std::to_string(height) + " pixels, more than the " +
                                          std::to_string(limits.max_pixels) + " allowed");
  }
  return std::nullopt;
}

// The same, for the memory that decoding takes.
std::optional<ImageError> check_decoded(std::uint32_t width, std::uint32_t height,
                                        int bytes_per_pixel, const Limits& limits) {
  const long long bytes = static_cast<long long>(width) * static_cast<long long>(height) *
                          static_cast<long long>(bytes_per_pixel);
  if (bytes > limits.max_decoded_bytes) {
    return make_error(kTooManyPixels, "the image declares " + std::to_string(width) + "x" +
                                          std::to_string(height) + " pixels of " +
                                          std::to_string(bytes_per_pixel) +
                                          " bytes, more decoded bytes than the " +
                                          std::to_string(limits.max_decoded_bytes) + " allowed");
  }
  return std::nullopt;
}

bool is_sof(std::uint8_t m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

Walk walk_jpeg(std::string_view b, const Limits& limits) {
  Container c;
  c.type = ImageType::kJpeg;
  const std::size_t n = b.size();
  std::size_t pos = 2;  // after SOI
  bool have_frame = false;
  int scans = 0;
  for (;;) {
    // Next marker: skip stray bytes (libjpeg tolerates them too) and fill bytes.
    const void* ff = pos < n ? std::memchr(b.data() + pos, 0xFF, n - pos) : nullptr;
    if (ff == nullptr) return truncated("JPEG");
    pos = static_cast<std::size_t>(static_cast<const char*>(ff) - b.data());
    while (pos < n && byte_at(b, pos) == 0xFF) ++pos;
    if (pos >= n) return truncated("JPEG");
    std::uint8_t m = byte_at(b, pos++);
    if (m == 0x00) continue;  // a stuffed 0xFF outside a scan: stray
    if (m == 0xD8) return make_error(kCorrupt, "JPEG has a second start-of-image marker");
    if (m == 0xD9) {
      if (scans == 0) return make_error(kCorrupt, "JPEG ends before any image data");
      return c;  // anything after EOI (motion-photo video, vendor trailers) is not ours to judge
    }
    if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;  // stand-alone markers
    if (n - pos < 2) return truncated("JPEG");
    std::size_t length = be16(b, pos);
    if (length < 2) return make_error(kCorrupt, "JPEG segment with an impossible length");
    if (n - pos < length) return truncated("JPEG");
    std::string_view payload = b.substr(pos + 2, length - 2);
    pos += length;

    if (m == 0xE1 && c.exif.empty() && starts_with(payload, kExifPrefix)) {
      c.exif = payload.substr(kExifPrefix.size());
    } else if (is_sof(m)) {
      if (have_frame) return make_error(kCorrupt, "JPEG has two frame headers");
      if (payload.size() < 6) return make_error(kCorrupt, "JPEG frame header too short");
      c.height = be16(payload, 1);
      c.width = be16(payload, 3);
      if (c.width == 0 || c.height == 0) {
        return make_error(kCorrupt, "JPEG frame header declares a zero size");
      }
      if (auto e = check_pixels(c.width, c.height, limits)) return *e;
      // Precision (8 or 12 bits) and number of components.
      const int sample = byte_at(payload, 0) > 8 ? 2 : 1;
      const int components = std::max<int>(1, byte_at(payload, 5));
      if (auto e = check_decoded(c.width, c.height, sample * components, limits)) return *e;
      have_frame = true;
    } else if (m == 0xDA) {
      if (!have_frame) return make_error(kCorrupt, "JPEG scan before the frame header");
      ++scans;
      // Entropy-coded data runs to the next marker that is not a stuffed byte or a restart.
      for (;;) {
        const void* p = pos < n ? std::memchr(b.data() + pos, 0xFF, n - pos) : nullptr;
        if (p == nullptr) return truncated("JPEG");
        std::size_t at = static_cast<std::size_t>(static_cast<const char*>(p) - b.data());
        std::size_t next = at + 1;
        while (next < n && byte_at(b, next) == 0xFF) ++next;
        if (next >= n) return truncated("JPEG");
        std::uint8_t after = byte_at(b, next);
        if (after == 0x00 || (after >= 0xD0 && after <= 0xD7)) {
          pos = next + 1;
          continue;
        }
        pos = next - 1;  // at the 0xFF that starts the marker
        break;
      }
    }
  }
}

Walk walk_png(std::string_view b, const Limits& limits) {
  Container c;
  c.type = ImageType::kPng;
  const std::size_t n = b.size();
  std::size_t pos = 8;  // after the signature
  bool first = true, have_data = false;
  for (;;) {
    if (n - pos < 8) return truncated("PNG");
    std::size_t length = be32(b, pos);
    std::string_view type = b.substr(pos + 4, 4);
    if (length > 0x7FFFFFFFu) return make_error(kCorrupt, "PNG chunk with an impossible length");
    for (char ch : type) {
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) {
        return make_error(kCorrupt, "PNG chunk with an invalid name");
      }
    }
    if (n - pos - 8 < length || n - pos - 8 - length < 4) return truncated("PNG");
    std::string_view data = b.substr(pos + 8, length);
    pos += 12 + length;

    if (first) {
      if (type != "IHDR" || length != 13)
        return make_error(kCorrupt, "PNG does not start with IHDR");
      c.width = be32(data, 0);
      c.height = be32(data, 4);
      if (c.width == 0 || c.height == 0 || c.width > 0x7FFFFFFFu || c.height > 0x7FFFFFFFu) {
        return make_error(kCorrupt, "PNG header declares an impossible size");
      }
      if (auto e = check_pixels(c.width, c.height, limits)) return *e;
      // Bit depth and colour type: grey 1, RGB 3, palette (decoded as RGBA) 4, grey+alpha 2,
      // RGBA 4 samples; 16-bit samples take two bytes.
      const int depth = byte_at(data, 8) == 16 ? 2 : 1;
      int samples = 4;
      switch (byte_at(data, 9)) {
        case 0:
          samples = 1;
          break;
        case 2:
          samples = 3;
          break;
        case 4:
          samples = 2;
          break;
        default:
          samples = 4;
      }
      if (auto e = check_decoded(c.width, c.height, depth * samples, limits)) return *e;
      first = false;
    } else if (type == "IDAT") {
      have_data = true;
    } else if (type == "eXIf") {
      if (c.exif.empty()) c.exif = data;
    } else if (type == "IEND") {
      if (!have_data) return make_error(kCorrupt, "PNG has no image data");
      return c;
    }
  }
}

Walk walk_webp(std::string_view b, const Limits& limits) {
  Container c;
  c.type = ImageType::kWebp;
  std::uint64_t riff_end = 8 + std::uint64_t{le32(b, 4)};
  if (riff_end > b.size()) return truncated("WebP");
  const std::size_t end = static_cast<std::size_t>(riff_end);
  std::size_t pos = 12;
  bool have_size = false, have_image = false;
  while (pos < end) {
    if (end - pos < 8) return truncated("WebP");
    std::string_view fourcc = b.substr(pos, 4);
    std::size_t size = le32(b, pos + 4);
    if (end - pos - 8 < size) return truncated("WebP");
    std::string_view data = b.substr(pos + 8, size);
    pos += 8 + size;
    if (size % 2 == 1 && pos < end) ++pos;  // padding; a missing pad on the last chunk is tolerated

    if (fourcc == "VP8X") {
      if (size < 10) return make_error(kCorrupt, "WebP VP8X chunk too short");
      c.width = 1 + le24(data, 4);
      c.height = 1 + le24(data, 7);
      have_size = true;
      if (auto e = check_pixels(c.width, c.height, limits)) return *e;
    } else if (fourcc == "VP8 ") {
      if (size < 10) return make_error(kCorrupt, "WebP VP8 chunk too short");
      if ((byte_at(data, 0) & 1) != 0 || byte_at(data, 3) != 0x9D || byte_at(data, 4) != 0x01 ||
          byte_at(data, 5) != 0x2A) {
        return make_error(kCorrupt, "WebP VP8 chunk is not a key frame");
      }
      std::uint32_t w = le16(data, 6) & 0x3FFF, h = le16(data, 8) & 0x3FFF;
      if (w == 0 || h == 0) return make_error(kCorrupt, "WebP VP8 frame declares a zero size");
      if (!have_size) {
        c.width = w;
        c.height = h;
        have_size = true;
      }
      have_image = true;
    } else if (fourcc == "VP8L") {
      if (size < 5 || byte_at(data, 0) != 0x2F) {
        return make_error(kCorrupt, "WebP VP8L chunk has no valid header");
      }
      std::uint32_t bits = le32(data, 1);
      if (!have_size) {
        c.width = 1 + (bits & 0x3FFF);
        c.height = 1 + ((bits >> 14) & 0x3FFF);
        have_size = true;
      }
      have_image = true;
    } else if (fourcc == "ANMF") {
      have_image = true;
    } else if (fourcc == "EXIF") {
      if (c.exif.empty()) c.exif = data;
    }
  }
  if (!have_image || !have_size) return make_error(kCorrupt, "WebP has no image data");
  // Simple (lossy or lossless) files: the limit is checked here, the sizes being at most 16383.
  if (auto e = check_pixels(c.width, c.height, limits)) return *e;
  if (auto e = check_decoded(c.width, c.height, 4, limits)) return *e;  // decoded as RGBA
  return c;
}

// Steps 1 to 3 of the top comment.
Walk check_container(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return make_error(kTooLarge, "the file has " + std::to_string(bytes.size()) +
                                     " bytes, more than the " + std::to_string(limits.max_bytes) +
                                     " allowed");
  }
  auto type = sniff(bytes);
  if (!type) return make_error(kUnsupported, "the content is not a JPEG, PNG or WebP image");
  switch (*type) {
    case ImageType::kJpeg:
      return walk_jpeg(bytes, limits);
    case ImageType::kPng:
      return walk_png(bytes, limits);
    case ImageType::kWebp:
      return walk_webp(bytes, limits);
  }
  return make_error(kUnsupported, "unknown image type");
}

// ---------------------------------------------------------------------------------------------
// libvips.

struct BlobUnref {
  void operator()(VipsBlob* blob) const { vips_area_unref(VIPS_AREA(blob)); }
};
using BlobPtr = std::unique_ptr<VipsBlob, BlobUnref>;

// The caller's bytes, not copied: every image made from it dies before the call returns, and the
// operation cache is off (init), so nothing keeps a pointer to them afterwards.
BlobPtr borrow(std::string_view bytes) {
  return BlobPtr(vips_blob_new(nullptr, bytes.data(), bytes.size()));
}

std::string vips_reason(const vips::VError& e) {
  std::string what = e.what();
  // libvips stacks one line per layer; the first names the failing step.
  what = what.substr(0, what.find('\n'));
  if (what.size() > 200) what.resize(200);
  return "the image cannot be decoded: " + what;
}

vips::VImage load_header(const Container& c, VipsBlob* blob) {
  // Truncation and serious decoder errors fail the load; mere warnings (the "extraneous bytes"
  // that many phones leave in their JPEGs) do not.
  auto options = [] {
    return vips::VImage::option()
        ->set("access", VIPS_ACCESS_SEQUENTIAL)
        ->set("fail_on", VIPS_FAIL_ON_ERROR);
  };
  switch (c.type) {
    case ImageType::kJpeg:
      return vips::VImage::jpegload_buffer(blob, options());
    case ImageType::kPng:
      return vips::VImage::pngload_buffer(blob, options());
    case ImageType::kWebp:
      return vips::VImage::webpload_buffer(blob, options());
  }
  throw std::logic_error("unknown image type");
}

}  // namespace

std::string_view to_string(ImageType type) {
  switch (type) {
    case ImageType::kJpeg:
      return "image/jpeg";
    case ImageType::kPng:
      return "image/png";
    case ImageType::kWebp:
      return "image/webp";
  }
  return "application/octet-stream";
}

std::optional<ImageType> sniff(std::string_view bytes) {
  if (starts_with(bytes, "\xFF\xD8\xFF")) return ImageType::kJpeg;
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return ImageType::kPng;
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
    return ImageType::kWebp;
  }
  return std::nullopt;
}

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("civicloop") != 0) {
      std::string why = vips_error_buffer();
      vips_error_clear();
      throw std::runtime_error("libvips failed to start: " + why);
    }
    // The server runs many requests at once on its own threads; one libvips worker each.
    vips_concurrency_set(1);
    // Uploads are never processed twice, so the operation cache would only hold memory, and it
    // would keep pointers to request buffers that are freed when the request ends.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    // Belt and braces: we always name the loader, but nothing marked untrusted (ImageMagick,
    // PDF, ...) may ever run on upload bytes.
    vips_block_untrusted_set(TRUE);
  });
}

std::variant<ImageInfo, ImageError> inspect(std::string_view bytes, const Limits& limits) {
  Walk walk = check_container(bytes, limits);
  if (auto* e = std::get_if<ImageError>(&walk)) return std::move(*e);
  const Container& c = std::get<Container>(walk);

  init();
  int width = 0, height = 0;
  try {
    BlobPtr blob = borrow(bytes);
    vips::VImage header = load_header(c, blob.get());
    width = header.width();
    height = header.height();
  } catch (const vips::VError& e) {
    return make_error(kCorrupt, vips_reason(e));
  }
  if (width <= 0 || height <= 0) return make_error(kCorrupt, "the image has no pixels");
  if (auto e = check_pixels(static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height),
                            limits)) {
    return *e;
  }

  ExifFields exif = read_exif(c.exif);
  ImageInfo info;
  info.type = c.type;
  bool turned = exif.orientation >= 5;  // 5 to 8 swap the axes
  info.width = turned ? height : width;
  info.height = turned ? width : height;
  info.lat = exif.lat;
  info.lng = exif.lng;
  info.taken_at_local = std::move(exif.taken_at_local);
  info.utc_offset_minutes = exif.utc_offset_minutes;
  return info;
}

std::variant<std::string, ImageError> thumbnail(std::string_view bytes, int max_side,
                                                const Limits& limits) {
  Walk walk = check_container(bytes, limits);
  if (auto* e = std::get_if<ImageError>(&walk)) return std::move(*e);
  const Container& c = std::get<Container>(walk);
  max_side = std::clamp(max_side, 1, 4096);

  init();
  try {
    BlobPtr blob = borrow(bytes);
    // The header through the named loader first: the size check again, on what libvips sees.
    vips::VImage header = load_header(c, blob.get());
    if (auto e = check_pixels(static_cast<std::uint32_t>(std::max(header.width(), 0)),
                              static_cast<std::uint32_t>(std::max(header.height(), 0)), limits)) {
      return *e;
    }
    // thumbnail_buffer finds the loader by the same magic bytes we checked (untrusted loaders are
    // blocked), shrinks JPEG while decoding, and applies the EXIF orientation.
    vips::VImage thumb =
        vips::VImage::thumbnail_buffer(blob.get(), max_side,
                                       vips::VImage::option()
                                           ->set("height", max_side)
                                           ->set("size", VIPS_SIZE_DOWN)
                                           ->set("export_profile", "srgb")
                                           ->set("option_string", "fail_on=error"));
    thumb = thumb.colourspace(VIPS_INTERPRETATION_sRGB);  // also 16-bit and grey to 8-bit RGB
    if (thumb.has_alpha()) {
      thumb = thumb.flatten(
          vips::VImage::option()->set("background", std::vector<double>{255, 255, 255}));
    }
    if (thumb.format() != VIPS_FORMAT_UCHAR) thumb = thumb.cast(VIPS_FORMAT_UCHAR);
    VipsBlob* out = thumb.jpegsave_buffer(
        vips::VImage::option()->set("Q", 80)->set("strip", true)->set("optimize_coding", true));
    BlobPtr owned(out);
    std::size_t size = 0;
    const void* data = vips_blob_get(out, &size);
    return std::string(static_cast<const char*>(data), size);
  } catch (const vips::VError& e) {
    return make_error(kCorrupt, vips_reason(e));
  }
}

}  // namespace civicloop::media
