// QR codes as SVG (libqrencode): the otpauth URI of a user's second factor today; poster codes of
// the snap-and-report page later. Pure formatting.
#pragma once

#include <string>
#include <string_view>

namespace civicloop::reports {

// A square SVG of the QR code of text (byte mode, error correction M), drawn as one path of
// modules with a four-module quiet zone; `module_px` is the size of a module in the viewBox.
// Throws std::runtime_error when the text does not fit in a QR code (about 2.3 KB).
std::string qr_svg(std::string_view text, int module_px = 4);

}  // namespace civicloop::reports
