// The EXIF reader behind media::inspect(): a TIFF structure (header, IFD0, the Exif and GPS
// sub-IFDs), only the few tags we need. Every read is bounds-checked; a bad offset or value drops
// that field, never the image. Declared here so that the fuzz target (fuzz/exif_fuzz.cpp) and the
// tests can call it without a whole image around it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace civicloop::media {

// What a JPEG APP1 segment starts with before the TIFF data.
inline constexpr std::string_view kExifPrefix{"Exif\0\0", 6};

struct ExifFields {
  // WGS84 decimal degrees, south and west negative; both or neither, never exactly 0,0.
  std::optional<double> lat, lng;
  std::optional<std::string> taken_at_local;  // "2026-11-27T10:15:00"
  std::optional<int> utc_offset_minutes;      // -840 to 840, only with taken_at_local
  int orientation = 1;                        // 1 to 8
};

// The TIFF data of an EXIF block, with or without the "Exif\0\0" prefix.
ExifFields read_exif(std::string_view blob);

}  // namespace civicloop::media
