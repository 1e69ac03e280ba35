// Reading integers out of untrusted bytes, for the container walks (media/image.cpp) and the EXIF
// reader (media/exif.cpp). No bounds checks here: every caller checks the offset first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace civicloop::media::bytes {

inline std::uint8_t byte_at(std::string_view b, std::size_t i) {
  return static_cast<std::uint8_t>(b[i]);
}
inline std::uint32_t be16(std::string_view b, std::size_t i) {
  return (std::uint32_t{byte_at(b, i)} << 8) | byte_at(b, i + 1);
}
inline std::uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
inline std::uint32_t le16(std::string_view b, std::size_t i) {
  return std::uint32_t{byte_at(b, i)} | (std::uint32_t{byte_at(b, i + 1)} << 8);
}
inline std::uint32_t le24(std::string_view b, std::size_t i) {
  return le16(b, i) | (std::uint32_t{byte_at(b, i + 2)} << 16);
}
inline std::uint32_t le32(std::string_view b, std::size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}
inline bool starts_with(std::string_view b, std::string_view prefix) {
  return b.size() >= prefix.size() && b.substr(0, prefix.size()) == prefix;
}

}  // namespace civicloop::media::bytes
