#include "reports/qr.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace civicloop::reports {

std::string qr_svg(std::string_view text, int module_px) {
  const std::string s(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(s.size()),
                        reinterpret_cast<const unsigned char*>(s.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) throw std::runtime_error("text does not fit in a QR code");
  const int quiet = 4;
  const int n = code->width;
  const int side = (n + 2 * quiet) * module_px;
  std::string path;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if ((code->data[y * n + x] & 1) == 0) continue;
      path += "M" + std::to_string((x + quiet) * module_px) + " " +
              std::to_string((y + quiet) * module_px) + "h" + std::to_string(module_px) + "v" +
              std::to_string(module_px) + "h-" + std::to_string(module_px) + "z";
    }
  }
  const auto sz = std::to_string(side);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + sz + " " + sz +
         "\" width=\"" + sz + "\" height=\"" + sz + "\" shape-rendering=\"crispEdges\">" +
         "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path +
         "\"/></svg>";
}

}  // namespace civicloop::reports
