#include "reports/qr.hpp"

#include <gtest/gtest.h>

namespace civicloop::reports {
namespace {

TEST(Qr, DrawsASquareSvgWithAQuietZone) {
  const auto svg = qr_svg("otpauth://totp/x:y?secret=MZXW6YTBOI", 4);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  // 37 characters at level M need version 3: 29 modules, plus 4 on each side, 4 px each.
  EXPECT_NE(svg.find("viewBox=\"0 0 148 148\""), std::string::npos) << svg.substr(0, 200);
  EXPECT_NE(svg.find("<path fill=\"#000\" d=\"M16 16h4v4h-4z"),
            std::string::npos);  // the finder's corner
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

TEST(Qr, RefusesTextThatDoesNotFit) {
  EXPECT_THROW(qr_svg(std::string(5000, 'x')), std::runtime_error);
}

}  // namespace
}  // namespace civicloop::reports
