#include "domain/case_import.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "domain/text.hpp"

namespace civicloop::case_import {

namespace {

struct FieldName {
  Field field;
  std::string_view name;
};
constexpr std::array<FieldName, 15> kFields = {{
    {Field::kOriginalNo, "original_no"},
    {Field::kSource, "source"},
    {Field::kCategory, "category"},
    {Field::kTitle, "title"},
    {Field::kDescription, "description"},
    {Field::kAddress, "address"},
    {Field::kLat, "lat"},
    {Field::kLng, "lng"},
    {Field::kArea, "area"},
    {Field::kUnit, "unit"},
    {Field::kReporterName, "reporter_name"},
    {Field::kReportedAt, "reported_at"},
    {Field::kDispatchedAt, "dispatched_at"},
    {Field::kClosedAt, "closed_at"},
    {Field::kState, "state"},
}};

Error refuse(std::string reason, Field f) {
  return make_error("import_row." + reason, std::string(to_string(f)));
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// Reads 1..max_digits digits at s[i]; false when there are none.
bool digits(std::string_view s, std::size_t& i, int max_digits, int& out) {
  const std::size_t start = i;
  out = 0;
  while (i < s.size() && i - start < static_cast<std::size_t>(max_digits) && s[i] >= '0' &&
         s[i] <= '9') {
    out = out * 10 + (s[i] - '0');
    ++i;
  }
  return i > start;
}

bool eat(std::string_view s, std::size_t& i, std::string_view what) {
  if (s.substr(i, what.size()) == what) {
    i += what.size();
    return true;
  }
  return false;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

std::string_view to_string(Field f) {
  for (const auto& x : kFields) {
    if (x.field == f) return x.name;
  }
  return "unknown";
}

std::optional<Field> parse_field(std::string_view s) {
  for (const auto& x : kFields) {
    if (x.name == s) return x.field;
  }
  return std::nullopt;
}

const std::vector<Field>& all_fields() {
  static const std::vector<Field> v = [] {
    std::vector<Field> out;
    for (const auto& x : kFields) out.push_back(x.field);
    return out;
  }();
  return v;
}

bool importable_state(cases::State s) {
  return s == cases::State::kClosed || s == cases::State::kVoided || s == cases::State::kReported ||
         s == cases::State::kFiled;
}

Status check_mapping(const Mapping& m) {
  if (auto s = text::check_code("source_name", m.source_name); !s) return s.error();
  for (const auto f : {Field::kOriginalNo, Field::kCategory, Field::kReportedAt}) {
    if (!m.columns.contains(f)) {
      return make_error("import_mapping.missing_column", std::string(to_string(f)));
    }
  }
  for (const auto& [f, header] : m.columns) {
    if (text::trim(header).empty()) {
      return make_error("import_mapping.missing_column", std::string(to_string(f)));
    }
  }
  if (!m.columns.contains(Field::kSource) && !m.default_source) {
    return make_error("import_mapping.missing_default", "source");
  }
  if (!m.columns.contains(Field::kState) && !m.default_state) {
    return make_error("import_mapping.missing_default", "state");
  }
  if (m.columns.contains(Field::kLat) != m.columns.contains(Field::kLng)) {
    return make_error("import_mapping.missing_column",
                      m.columns.contains(Field::kLat) ? "lng" : "lat");
  }
  if (m.categories.empty()) return make_error("import_mapping.missing_values", "categories");
  if (m.columns.contains(Field::kState) && m.states.empty()) {
    return make_error("import_mapping.missing_values", "states");
  }
  if (m.columns.contains(Field::kSource) && m.sources.empty() && !m.default_source) {
    return make_error("import_mapping.missing_values", "sources");
  }
  for (const auto& [value, state] : m.states) {
    if (!importable_state(state)) {
      return make_error("import_mapping.unsupported_state", "states")
          .with("value", value)
          .with("state", std::string(cases::to_string(state)));
    }
  }
  if (m.default_state && !importable_state(*m.default_state)) {
    return make_error("import_mapping.unsupported_state", "default_state")
        .with("value", "")
        .with("state", std::string(cases::to_string(*m.default_state)));
  }
  if (m.utc_offset_minutes < -14 * 60 || m.utc_offset_minutes > 14 * 60) {
    return make_error("import_mapping.bad_time_zone", "time_zone");
  }
  return Ok{};
}

Expected<Header> bind_header(const Mapping& m, const std::vector<std::string>& header) {
  Header h;
  for (const auto& [f, name] : m.columns) {
    const auto want = text::trim(name);
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (text::trim(header[i]) == want) {
        h.index[f] = i;
        break;
      }
    }
    if (!h.index.contains(f)) return make_error("import.missing_column", want);
  }
  return h;
}

std::optional<Millis> parse_local_time(std::string_view raw, int utc_offset_minutes) {
  const auto t = text::trim(raw);
  std::string_view s(t);
  if (s.empty()) return std::nullopt;
  // An Excel serial day: days since 1899-12-30, the fraction the time of day.
  if (s.find_first_not_of("0123456789.") == std::string_view::npos) {
    const auto v = parse_number(s);
    // 3653 (1910-01-01) to 109574 (2199-12-31): a bare year or a compact 20240305 is no date.
    if (!v || *v < 3653 || *v >= 109575) return std::nullopt;
    const double ms = std::round(*v * 86400000.0);
    const auto local = static_cast<Millis>(ms) - 25569LL * 86400000;
    return local - static_cast<Millis>(utc_offset_minutes) * 60000;
  }
  std::size_t i = 0;
  int y = 0;
  int mo = 0;
  int d = 0;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  int ms = 0;
  if (!digits(s, i, 4, y) || i != 4) return std::nullopt;
  const bool chinese = eat(s, i, "年");
  if (!chinese && !eat(s, i, "-") && !eat(s, i, "/") && !eat(s, i, ".")) return std::nullopt;
  const char sep = chinese ? '\0' : s[i - 1];
  if (!digits(s, i, 2, mo)) return std::nullopt;
  if (chinese ? !eat(s, i, "月") : (i >= s.size() || s[i] != sep)) return std::nullopt;
  if (!chinese) ++i;
  if (!digits(s, i, 2, d)) return std::nullopt;
  if (chinese) eat(s, i, "日");
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || y < 1900) return std::nullopt;
  bool explicit_zone = false;
  int zone = utc_offset_minutes;
  if (i < s.size()) {
    if (!eat(s, i, "T") && !eat(s, i, " ")) return std::nullopt;
    while (eat(s, i, " ")) {
    }
    if (!digits(s, i, 2, hh) || !eat(s, i, ":") || !digits(s, i, 2, mm)) return std::nullopt;
    if (eat(s, i, ":")) {
      if (!digits(s, i, 2, ss)) return std::nullopt;
      if (eat(s, i, ".")) {
        int frac = 0;
        const std::size_t start = i;
        if (!digits(s, i, 9, frac)) return std::nullopt;
        const auto n = i - start;
        ms = frac;
        for (auto k = n; k < 3; ++k) ms *= 10;
        for (auto k = n; k > 3; --k) ms /= 10;
      }
    }
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    if (eat(s, i, "Z")) {
      explicit_zone = true;
      zone = 0;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i] == '-' ? -1 : 1;
      ++i;
      int zh = 0;
      int zm = 0;
      if (!digits(s, i, 2, zh) || !eat(s, i, ":") || !digits(s, i, 2, zm)) return std::nullopt;
      if (zh > 14 || zm > 59) return std::nullopt;
      explicit_zone = true;
      zone = sign * (zh * 60 + zm);
    }
    if (i != s.size()) return std::nullopt;
  }
  (void)explicit_zone;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const Millis local = ((days * 24 + hh) * 60 + mm) * 60000LL + ss * 1000LL + ms;
  return local - static_cast<Millis>(zone) * 60000;
}

Expected<Row> map_row(const Mapping& m, const Header& h, const std::vector<std::string>& cells) {
  auto cell = [&](Field f) -> std::string {
    auto it = h.index.find(f);
    if (it == h.index.end() || it->second >= cells.size()) return "";
    return text::trim(cells[it->second]);
  };
  // One-line and multi-line texts: valid UTF-8, no control characters, within the limits a
  // report has.
  auto text_of = [&](Field f, std::size_t max, bool multiline) -> Expected<std::string> {
    auto v = cell(f);
    if (auto s = text::check(to_string(f), v, {.max_chars = max, .multiline = multiline}); !s) {
      if (s.error().code == "field.too_long") {
        return refuse("too_long", f).with("max", std::to_string(max));
      }
      return refuse("bad_text", f);
    }
    return v;
  };
  Row r;
  {
    auto v = text_of(Field::kOriginalNo, 64, false);
    if (!v) return v.error();
    if (v->empty()) return refuse("missing_value", Field::kOriginalNo);
    r.original_no = std::move(*v);
  }
  {
    const auto v = cell(Field::kCategory);
    if (v.empty()) return refuse("missing_value", Field::kCategory);
    auto it = m.categories.find(v);
    if (it == m.categories.end()) return refuse("unknown_category", Field::kCategory);
    r.category_code = it->second;
  }
  {
    const auto v = cell(Field::kSource);
    if (v.empty()) {
      if (!m.default_source) return refuse("missing_value", Field::kSource);
      r.source = *m.default_source;
    } else if (auto it = m.sources.find(v); it != m.sources.end()) {
      r.source = it->second;
    } else if (auto parsed = cases::parse_source(v)) {
      r.source = *parsed;  // the file already names civicloop's sources
    } else {
      return refuse("unknown_source", Field::kSource);
    }
  }
  {
    const auto v = cell(Field::kState);
    if (v.empty()) {
      if (!m.default_state) return refuse("missing_value", Field::kState);
      r.state = *m.default_state;
    } else if (auto it = m.states.find(v); it != m.states.end()) {
      r.state = it->second;
    } else {
      return refuse("unknown_state", Field::kState);
    }
  }
  struct TextField {
    Field f;
    std::string* out;
    std::size_t max;
    bool multiline;
  };
  for (const auto& t : std::initializer_list<TextField>{
           {Field::kTitle, &r.title, 100, false},
           {Field::kDescription, &r.description, 2000, true},
           {Field::kAddress, &r.address, 200, false},
           {Field::kArea, &r.area_name, 100, false},
           {Field::kUnit, &r.unit_name, 100, false},
           {Field::kReporterName, &r.reporter_name, 50, false},
       }) {
    auto v = text_of(t.f, t.max, t.multiline);
    if (!v) return v.error();
    *t.out = std::move(*v);
  }
  // Times
  {
    const auto v = cell(Field::kReportedAt);
    if (v.empty()) return refuse("missing_value", Field::kReportedAt);
    auto at = parse_local_time(v, m.utc_offset_minutes);
    if (!at) return refuse("bad_time", Field::kReportedAt);
    r.reported_at = *at;
  }
  for (const auto& [f, out] : {std::pair{Field::kDispatchedAt, &r.dispatched_at},
                               std::pair{Field::kClosedAt, &r.closed_at}}) {
    const auto v = cell(f);
    if (v.empty()) continue;
    auto at = parse_local_time(v, m.utc_offset_minutes);
    if (!at) return refuse("bad_time", f);
    *out = *at;
  }
  if (r.dispatched_at && *r.dispatched_at < r.reported_at) {
    return refuse("dispatched_before_reported", Field::kDispatchedAt);
  }
  if (r.closed_at && *r.closed_at < r.reported_at) {
    return refuse("closed_before_reported", Field::kClosedAt);
  }
  if (r.state == cases::State::kClosed && !r.closed_at) {
    return refuse("closed_without_time", Field::kClosedAt);
  }
  if (!cases::is_final(r.state)) r.closed_at.reset();  // an open case has not been closed
  // The point
  {
    const auto lat = cell(Field::kLat);
    const auto lng = cell(Field::kLng);
    if (!lat.empty() || !lng.empty()) {
      const auto a = parse_number(lat);
      const auto b = parse_number(lng);
      const bool lat_bad = !a || *a < -90 || *a > 90;
      const bool lng_bad = !b || *b < -180 || *b > 180;
      if (lat_bad || lng_bad || (*a == 0 && *b == 0)) {
        return refuse("bad_location", lat_bad || !lng_bad ? Field::kLat : Field::kLng);
      }
      r.lat = *a;
      r.lng = *b;
    }
  }
  if (r.address.empty() && !r.lat && r.area_name.empty()) {
    return refuse("no_location", Field::kAddress);
  }
  return r;
}

}  // namespace civicloop::case_import
