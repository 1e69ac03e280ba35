// Fuzzes the EXIF reader (media/exif.hpp) on its own, without an image around it: the input is
// the TIFF data of an EXIF block (header, IFD0, the Exif and GPS sub-IFDs). Much faster than
// image_inspect_fuzz, which reaches the same reader through the container walk and libvips.
// Besides "no crash, no sanitizer report", it checks the promises exif.hpp makes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "media/exif.hpp"

namespace {

using civicloop::media::ExifFields;

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_local_time(const std::string& s) {
  // "YYYY-MM-DDTHH:MM:SS"
  if (s.size() != 19) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (i == 4 || i == 7)     ? c == '-'
              : i == 10              ? c == 'T'
              : (i == 13 || i == 16) ? c == ':'
                                     : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool same(const ExifFields& a, const ExifFields& b) {
  return a.lat == b.lat && a.lng == b.lng && a.taken_at_local == b.taken_at_local &&
         a.utc_offset_minutes == b.utc_offset_minutes && a.orientation == b.orientation;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const ExifFields f = civicloop::media::read_exif(input);
  check(f.orientation >= 1 && f.orientation <= 8);
  check(f.lat.has_value() == f.lng.has_value());
  if (f.lat) {
    check(*f.lat >= -90.0 && *f.lat <= 90.0);
    check(*f.lng >= -180.0 && *f.lng <= 180.0);
    check(!(*f.lat == 0.0 && *f.lng == 0.0));
  }
  if (f.taken_at_local) check(is_local_time(*f.taken_at_local));
  if (f.utc_offset_minutes) {
    check(f.taken_at_local.has_value());
    check(*f.utc_offset_minutes >= -14 * 60 && *f.utc_offset_minutes <= 14 * 60);
  }
  // As a JPEG carries it, behind the "Exif\0\0" prefix: the same fields.
  if (input.substr(0, civicloop::media::kExifPrefix.size()) != civicloop::media::kExifPrefix) {
    std::string prefixed(civicloop::media::kExifPrefix);
    prefixed += input;
    check(same(civicloop::media::read_exif(prefixed), f));
  }
  return 0;
}
