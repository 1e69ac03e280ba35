#include "media/exif.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "media/bytes.hpp"

namespace civicloop::media {
namespace {

using bytes::be16;
using bytes::be32;
using bytes::byte_at;
using bytes::le16;
using bytes::le32;
using bytes::starts_with;

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

}  // namespace

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

}  // namespace civicloop::media
