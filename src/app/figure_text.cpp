#include "app/figure_text.hpp"

#include <cstdio>

namespace civicloop::app {

std::optional<std::string> percent_text(const kpi::Rate& rate) {
  const auto v = rate.value();
  if (!v) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *v * 100.0);
  return std::string(buf);
}

std::string one_decimal(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

}  // namespace civicloop::app
