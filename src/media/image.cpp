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

#include "media/bytes.hpp"
#include "media/exif.hpp"

// How an upload is examined, cheapest and safest first:
//   1. size against Limits::max_bytes;
//   2. type by magic bytes;
//   3. our own walk of the container (JPEG segments and entropy-coded scans, PNG chunks, WebP RIFF
//      chunks): it finds the declared width and height, refuses a bomb as soon as the header that
//      declares it is read, finds the EXIF block, and notices a file cut short (no EOI / IEND, or a
//      RIFF size beyond the end) without decoding a pixel;
//   4. libvips reads the header with the loader for that type only (never by its own sniffing, so
//      ImageMagick and the other modules Debian ships can never see upload bytes);
//   5. our own EXIF (TIFF) reader (media/exif.cpp). Every read in it is bounds-checked; a bad
//   offset drops the field.
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

using bytes::be16;
using bytes::be32;
using bytes::byte_at;
using bytes::le16;
using bytes::le24;
using bytes::le32;
using bytes::starts_with;

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
