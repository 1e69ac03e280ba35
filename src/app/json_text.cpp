#include "app/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

namespace civicloop::app {

namespace json = boost::json;

namespace {

void write(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string_view(kv.key()));
        out += ':';
        write(out, kv.value());
      }
      out += '}';
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, x);
      }
      out += ']';
      break;
    }
    case json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
        break;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      if (r.ec != std::errc()) {
        out += json::serialize(v);
        break;
      }
      out.append(buf, r.ptr);
      break;
    }
    default:
      out += json::serialize(v);
  }
}

}  // namespace

std::string json_text(const json::value& v) {
  std::string out;
  out.reserve(256);
  write(out, v);
  return out;
}

}  // namespace civicloop::app
