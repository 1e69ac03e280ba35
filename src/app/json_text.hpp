// JSON text with numbers as an official reads them: Boost.JSON writes a double as 4.008E1; this
// writer prints the shortest decimal that reads back as the same double, without an exponent
// (40.08, 113.3, 0.000012). Everything else is as json::serialize writes it. Used for API answers
// and for the ledger's case snapshots (which must be byte-stable for the same value).
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace civicloop::app {

std::string json_text(const boost::json::value& v);

}  // namespace civicloop::app
