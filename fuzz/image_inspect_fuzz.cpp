// Fuzzes what an upload goes through before it is stored: the type sniff, the container walk
// (JPEG segments and scans, PNG chunks, WebP RIFF chunks), the EXIF reader, the libvips header
// read, and for small pictures the thumbnail. Besides "no crash, no sanitizer report", it checks
// the promises image.hpp makes.
//
// libvips itself is not instrumented (it is Debian's shared library), so coverage guides the
// fuzzer through our code; libvips still runs on every input that gets past it.
// Seeds: tests/fixtures/ (small JPEG with EXIF GPS, PNG, WebP, and the broken ones).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "media/image.hpp"

namespace {

using civicloop::media::ImageError;
using civicloop::media::ImageInfo;
using civicloop::media::Limits;

void check(bool ok) {
  if (!ok) std::abort();
}

bool known_code(const ImageError& e) {
  return e.code == "media.unsupported_type" || e.code == "media.too_large" ||
         e.code == "media.too_many_pixels" || e.code == "media.corrupt";
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

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  civicloop::media::init();
  return 0;
}

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small limits keep each run fast; the logic does not depend on their values.
  Limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_pixels = 1 << 20;

  auto sniffed = civicloop::media::sniff(input);
  auto result = civicloop::media::inspect(input, limits);
  if (const auto* e = std::get_if<ImageError>(&result)) {
    check(known_code(*e));
    check(!e->reason.empty());
    check(sniffed.has_value() == (e->code != "media.unsupported_type"));
    return 0;
  }
  const ImageInfo& info = std::get<ImageInfo>(result);
  check(sniffed.has_value() && *sniffed == info.type);
  check(info.width > 0 && info.height > 0);
  check(static_cast<long long>(info.width) * info.height <= limits.max_pixels);
  check(info.lat.has_value() == info.lng.has_value());
  if (info.lat) {
    check(*info.lat >= -90.0 && *info.lat <= 90.0);
    check(*info.lng >= -180.0 && *info.lng <= 180.0);
  }
  if (info.taken_at_local) check(is_local_time(*info.taken_at_local));
  if (info.utc_offset_minutes) {
    check(info.taken_at_local.has_value());
    check(*info.utc_offset_minutes >= -14 * 60 && *info.utc_offset_minutes <= 14 * 60);
  }

  // Decoding is slow; only for small pictures.
  if (static_cast<long long>(info.width) * info.height <= 64 * 64) {
    auto thumb = civicloop::media::thumbnail(input, 16, limits);
    if (const auto* e = std::get_if<ImageError>(&thumb)) {
      check(e->code == "media.corrupt");
    } else {
      const std::string& jpeg = std::get<std::string>(thumb);
      auto again = civicloop::media::inspect(jpeg);
      check(std::holds_alternative<ImageInfo>(again));
      const ImageInfo& t = std::get<ImageInfo>(again);
      check(t.type == civicloop::media::ImageType::kJpeg);
      check(t.width <= 16 && t.height <= 16);
      check(!t.lat.has_value() && !t.taken_at_local.has_value());
    }
  }
  return 0;
}
