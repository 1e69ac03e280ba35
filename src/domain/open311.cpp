#include "domain/open311.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "domain/text.hpp"

namespace civicloop::open311 {

namespace {

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

bool parse_number(const std::string& v) {
  if (v.empty() || v.size() > 40) return false;
  std::size_t used = 0;
  try {
    const double d = std::stod(v, &used);
    return used == v.size() && std::isfinite(d);
  } catch (...) {
    return false;
  }
}

}  // namespace

Expected<Resource> parse_resource(std::string_view segment) {
  const auto dot = segment.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return make_error("open311.bad_format", std::string(segment.substr(0, 40)));
  }
  const auto ext = segment.substr(dot + 1);
  Resource r;
  r.name = std::string(segment.substr(0, dot));
  if (ext == "json") {
    r.format = Format::kJson;
  } else if (ext == "xml") {
    r.format = Format::kXml;
  } else {
    return make_error("open311.bad_format", std::string(ext.substr(0, 20)));
  }
  return r;
}

std::optional<Millis> parse_datetime(std::string_view s) {
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
  const std::int64_t day = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (s.size() == 10) return day * 86'400'000;
  if (s[10] != 'T' && s[10] != 't') return std::nullopt;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mi)) {
    return std::nullopt;
  }
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, 17, 2, sec)) return std::nullopt;
    i = 19;
  }
  Millis frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    Millis scale = 100;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      if (++n > 9) return std::nullopt;
    }
    if (n == 0) return std::nullopt;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  if (i >= s.size()) return std::nullopt;  // the zone is mandatory
  int offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh = 0;
    int om = 0;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !digits(s, i + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return day * 86'400'000 + ((h * 60LL + mi - offset_min) * 60 + sec) * 1000 + frac;
}

std::string format_datetime(Millis at, int utc_offset_minutes) {
  const Millis local = at + utc_offset_minutes * 60'000LL;
  std::int64_t day = local / 86'400'000;
  Millis rest = local % 86'400'000;
  if (rest < 0) {
    rest += 86'400'000;
    --day;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(day, y, m, d);
  const auto secs = rest / 1000;
  const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld%c%02d:%02d", y, m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), utc_offset_minutes < 0 ? '-' : '+', off / 60,
                off % 60);
  return buf;
}

std::string_view status_of(cases::State state) { return cases::is_open(state) ? "open" : "closed"; }

std::string_view extended_status_of(cases::State state) {
  using S = cases::State;
  switch (state) {
    case S::kReported:
      return "FOR_TRIAGE";
    case S::kFiled:
      return "OPEN";
    case S::kDispatched:
    case S::kAcknowledged:
    case S::kRectified:
    case S::kVerified:
      return "IN_PROGRESS";
    case S::kClosed:
      return "FIXED";
    case S::kVoided:
      return "CLOSED";
    case S::kDuplicate:
      return "DUPLICATE";
    case S::kParked:
      return "NO_FURTHER_ACTION";
  }
  return "OPEN";
}

std::string_view to_string(Datatype d) {
  switch (d) {
    case Datatype::kString:
      return "string";
    case Datatype::kNumber:
      return "number";
    case Datatype::kDatetime:
      return "datetime";
    case Datatype::kText:
      return "text";
    case Datatype::kSingleValueList:
      return "singlevaluelist";
    case Datatype::kMultiValueList:
      return "multivaluelist";
  }
  return "string";
}

std::optional<Datatype> parse_datatype(std::string_view s) {
  for (auto d : {Datatype::kString, Datatype::kNumber, Datatype::kDatetime, Datatype::kText,
                 Datatype::kSingleValueList, Datatype::kMultiValueList}) {
    if (to_string(d) == s) return d;
  }
  return std::nullopt;
}

Status check_answers(const std::vector<Attribute>& attributes, const Answers& answers) {
  auto field = [](const std::string& code) { return "attribute[" + code + "]"; };
  for (const auto& [code, values] : answers) {
    bool known = false;
    for (const auto& a : attributes) known = known || (a.variable && a.code == code);
    if (!known) return make_error("open311.attribute_unknown", field(code));
  }
  for (const auto& a : attributes) {
    if (!a.variable) continue;
    auto it = answers.find(a.code);
    std::vector<std::string> given;
    if (it != answers.end()) {
      for (const auto& v : it->second) {
        if (!v.empty()) given.push_back(v);  // an empty value is an absent one (1.1)
      }
    }
    if (given.empty()) {
      if (a.required) return make_error("open311.attribute_required", field(a.code));
      continue;
    }
    const bool list =
        a.datatype == Datatype::kSingleValueList || a.datatype == Datatype::kMultiValueList;
    if (a.datatype != Datatype::kMultiValueList && given.size() > 1) {
      return make_error("open311.attribute_value", field(a.code));
    }
    for (const auto& v : given) {
      bool ok = true;
      if (list) {
        ok = false;
        for (const auto& opt : a.values) ok = ok || opt.key == v;
      } else if (a.datatype == Datatype::kNumber) {
        ok = parse_number(v);
      } else if (a.datatype == Datatype::kDatetime) {
        ok = parse_datetime(v).has_value();
      } else {
        ok = text::check(field(a.code), v,
                         {.max_chars = 4000, .multiline = a.datatype == Datatype::kText})
                 .ok();
      }
      if (!ok) return make_error("open311.attribute_value", field(a.code));
    }
  }
  return Ok{};
}

Status check_definition(const std::vector<Attribute>& attributes) {
  std::set<std::string> codes;
  std::set<int> orders;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const auto& a = attributes[i];
    const auto field = "attributes[" + std::to_string(i) + "]";
    const bool list =
        a.datatype == Datatype::kSingleValueList || a.datatype == Datatype::kMultiValueList;
    if (a.code.empty() || a.code.size() > 40 || !codes.insert(a.code).second || a.order < 1 ||
        !orders.insert(a.order).second || (list && a.values.empty())) {
      return make_error("open311.bad_definition", field);
    }
  }
  return Ok{};
}

bool admit(throttle::Counter& c, Millis now, int per_minute) {
  if (per_minute <= 0) return true;
  if (now - c.last_failure >= 60'000 || now < c.last_failure) {
    c.failures = 0;
    c.last_failure = now;
    c.blocked_until = 0;
  }
  if (c.failures >= per_minute) {
    c.blocked_until = c.last_failure + 60'000;
    return false;
  }
  ++c.failures;
  return true;
}

}  // namespace civicloop::open311
