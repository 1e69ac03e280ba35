// The rules of the history import (issue 7, part 6): how one row of an earlier system's work
// orders (a 12345 hotline or 数字城管 export) becomes a case, under a mapping that says which
// column holds what and how its values translate. Pure: no file, JSON or SQL. The use case
// (app/case_import.hpp) reads the file and the mapping document, binds the header, maps each row
// with map_row, and writes the accepted ones.
//
// A refused row is an Error whose code is the reason ("import_row.unknown_category", …) and
// whose field is the mapped field at fault; the report file gives the code and its zh-CN text.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/case.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"

namespace civicloop::case_import {

// What a column can hold. The mapping names the header of each one it uses.
enum class Field {
  kOriginalNo,    // 原工单编号: required
  kSource,        // 问题来源 (mapped through `sources`), or the mapping's default
  kCategory,      // 问题类别 (mapped through `categories` to the tenant's codes): required
  kTitle,         // 标题; the category's name when absent
  kDescription,   // 问题描述
  kAddress,       // 地址
  kLat,           // 纬度 (WGS-84)
  kLng,           // 经度
  kArea,          // 所属区域: the name of a subdistrict, community, village or grid
  kUnit,          // 责任单位: the name of the unit it was assigned to
  kReporterName,  // 上报人
  kReportedAt,    // 上报时间: required
  kDispatchedAt,  // 派遣时间
  kClosedAt,      // 结案时间
  kState,         // 状态 (mapped through `states`), or the mapping's default
};
std::string_view to_string(Field f);
std::optional<Field> parse_field(std::string_view s);
const std::vector<Field>& all_fields();

// The states an imported case may take: finished (closed, voided) or waiting at the HQ office's
// desk (reported, filed). A case imported open starts no timer; the office takes it on from
// there like any new report. Other states would need a unit's notice and a running deadline the
// old system's export does not carry.
bool importable_state(cases::State s);

struct Mapping {
  std::string source_name;               // the earlier system, e.g. "12345", "szcg"
  std::map<Field, std::string> columns;  // field -> header text in the file
  std::map<std::string, cases::Source, std::less<>> sources;   // cell value -> source
  std::optional<cases::Source> default_source;                 // when no column or empty cell
  std::map<std::string, std::string, std::less<>> categories;  // cell value -> category code
  std::map<std::string, cases::State, std::less<>> states;     // cell value -> state
  std::optional<cases::State> default_state;
  int utc_offset_minutes = 480;  // the zone the file's times are in (+08:00)
};

// Whether a mapping is whole: a source name (a code), the required columns, a source and a state
// for every row (a column or a default), importable states only. The category codes are checked
// against the tenant by the use case. Errors "import_mapping.*" naming the field.
Status check_mapping(const Mapping& m);

// The column index of each mapped field in the file's header; "import.missing_column" (field:
// the header text) when a mapped column is not in the header.
struct Header {
  std::map<Field, std::size_t> index;
};
Expected<Header> bind_header(const Mapping& m, const std::vector<std::string>& header);

// One row as it will be written; the place (lat/lng, area, unit) is resolved by the use case.
struct Row {
  std::string original_no;
  cases::Source source = cases::Source::kHotline;
  std::string category_code;
  std::string title;  // "" when the file has none: the category's name
  std::string description;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::string area_name;
  std::string unit_name;
  std::string reporter_name;
  cases::State state = cases::State::kClosed;
  Millis reported_at = 0;
  std::optional<Millis> dispatched_at;
  std::optional<Millis> closed_at;
};

// Maps and checks one row. Refusals ("import_row.*", field = the mapped field):
// missing_value, unknown_category, unknown_source, unknown_state, bad_time, bad_location,
// closed_before_reported, dispatched_before_reported, closed_without_time, bad_text (not UTF-8
// or control characters), too_long, no_location (no address, point or area).
Expected<Row> map_row(const Mapping& m, const Header& h, const std::vector<std::string>& cells);

// A local time as old systems write it, in the zone utc_offset_minutes east of UTC:
// "2024-03-05 14:20:00", "2024/3/5 14:20", "2024-03-05T14:20", "2024.03.05", "2024年3月5日 14:20",
// optionally with seconds' fractions; an explicit "Z" or "+08:00" overrides the zone. A plain
// number is an Excel serial day (45356.5 = 2024-03-05 12:00 local), as an .xlsx stores a date.
std::optional<Millis> parse_local_time(std::string_view text, int utc_offset_minutes);

}  // namespace civicloop::case_import
