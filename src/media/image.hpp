// Photo evidence (处置前 / 处置后 / on-site fixes): what an uploaded image is, where and when it
// was taken, and a small thumbnail of it.
//
// Everything here takes the uploaded bytes as they came in and trusts nothing about them: the type
// is decided by content, sizes are checked before anything is allocated for pixels, and every
// problem with the bytes is an ImageError value, never an exception or a crash. libvips does the
// decoding; the container walk (JPEG segments, PNG chunks, WebP RIFF chunks) and the EXIF reader
// are our own, so that the limits are enforced before libvips sees the data.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace civicloop::media {

enum class ImageType { kJpeg, kPng, kWebp };

// The media type: "image/jpeg", "image/png" or "image/webp".
std::string_view to_string(ImageType type);

// The type by content (magic bytes), never by name or declared type. nullopt: not one of the three.
std::optional<ImageType> sniff(std::string_view bytes);

struct ImageInfo {
  ImageType type = ImageType::kJpeg;
  // Size as displayed: when the EXIF orientation turns the picture by 90° (orientations 5 to 8),
  // width and height are those of the turned picture, as the thumbnail and a browser show it.
  int width = 0;
  int height = 0;
  // EXIF GPS position, WGS84 decimal degrees (south and west negative). Both or neither. Absent
  // when the EXIF has none, when it is unreadable, when the receiver marked it void, or when it is
  // exactly 0,0 (what some phones write without a fix).
  std::optional<double> lat, lng;
  // When it was taken, camera-local time, "2026-11-27T10:15:00": DateTimeOriginal, else
  // DateTimeDigitized, else DateTime. EXIF carries no zone here; see utc_offset_minutes.
  std::optional<std::string> taken_at_local;
  // The offset stored for that same time (OffsetTimeOriginal, OffsetTimeDigitized or OffsetTime),
  // e.g. +480 for "+08:00". Absent when the camera wrote none (most do not).
  std::optional<int> utc_offset_minutes;
};

// code is one of "media.unsupported_type", "media.too_large", "media.too_many_pixels",
// "media.corrupt"; reason is an English sentence for logs, not for users.
struct ImageError {
  std::string code;
  std::string reason;
};

struct Limits {
  std::size_t max_bytes = std::size_t{15} * 1024 * 1024;
  long long max_pixels = 40'000'000;  // width × height as declared in the header
  // width × height × bytes per decoded pixel (bands × bytes per sample, a palette counting as
  // RGBA): what decoding costs in memory. 40 Mpx of 8-bit RGBA pass; a 16-bit RGBA image of the
  // same size, which a 500 KB PNG can declare, does not.
  long long max_decoded_bytes = 192LL * 1024 * 1024;
};

// Checks the size, the type by content and the container's structure (a file cut short is
// "media.corrupt"), refuses an image whose declared width × height exceeds the limit before any
// pixel is decoded, reads the header through libvips and the EXIF through our own reader. A broken
// EXIF block does not make the image unusable: its fields are simply absent.
std::variant<ImageInfo, ImageError> inspect(std::string_view bytes, const Limits& limits = {});

// A baseline JPEG whose longer side is at most max_side (never enlarged), EXIF orientation applied,
// transparency flattened onto white, converted to sRGB, all metadata stripped (no EXIF, no GPS, no
// ICC profile). Runs the same checks as inspect() first. max_side is clamped to [1, 4096].
std::variant<std::string, ImageError> thumbnail(std::string_view bytes, int max_side = 320,
                                                const Limits& limits = {});

// Starts libvips once per process (thread-safe; later calls do nothing): one worker thread per
// operation (the server has its own threads), no operation cache, untrusted loaders blocked.
// inspect() and thumbnail() call it themselves; call it from main to fail early. Throws
// std::runtime_error when libvips cannot start.
void init();

}  // namespace civicloop::media
