// How the figures of the KPIs are written in messages and documents (bulletins, digests): the
// same digits in every language, so no wording lives here.
#pragma once

#include <optional>
#include <string>

#include "domain/kpi.hpp"

namespace civicloop::app {

// "85.7%" (one decimal); none when the rate has no case behind it.
std::optional<std::string> percent_text(const kpi::Rate& rate);
// "88.5".
std::string one_decimal(double value);

}  // namespace civicloop::app
