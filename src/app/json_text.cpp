#include "app/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

namespace civicloop::app {

namespace json = boost::json;

namespace {

// A JSON string as Boost.JSON's serializer writes it: '"' and '\\' escaped, the control
// characters as \b \f \n \r \t or \u00xx, everything else (UTF-8 included) as it is. Written
// here rather than through json::serialize, which builds a serializer and a string per call.
void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void write(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        write_string(out, kv.key());
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
    case json::kind::string:
      write_string(out, v.get_string());
      break;
    case json::kind::int64:
    case json::kind::uint64: {
      char buf[24];
      auto r = v.is_int64() ? std::to_chars(buf, buf + sizeof buf, v.get_int64())
                            : std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      out.append(buf, r.ptr);
      break;
    }
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::null:
      out += "null";
      break;
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
  }
}

}  // namespace

std::string json_text(const json::value& v) {
  std::string out;
  out.reserve(1024);
  write(out, v);
  return out;
}

}  // namespace civicloop::app
