#include "reports/table.hpp"

#include "reports/csv_reader.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace civicloop::reports {

namespace {
void put_field(std::string& out, std::string_view f) {
  // Quote when needed; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a
  // formula (CSV injection).
  const bool formula = !f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@');
  const bool quote = formula || f.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += f;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (const char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// "12", "-3", "0.5": an optional minus, digits, optionally a point and digits; at most 15 digits
// in all, which a double (and so Excel) holds exactly.
bool plain_decimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  std::size_t digits = 0;
  bool point = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      ++digits;
    } else if (s[i] == '.' && !point && i > 0 && i + 1 < s.size()) {
      point = true;
    } else {
      return false;
    }
  }
  return digits > 0 && digits <= 15;
}

// Display width of UTF-8 text: CJK characters count double.
std::size_t width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    w += c >= 0xE0 ? 2 : 1;
  }
  return w;
}
}  // namespace

std::string to_csv(const std::vector<std::string>& header, const Table& rows) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i > 0) out += ',';
      put_field(out, r[i]);
    }
    out += "\r\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

std::optional<Table> parse_csv(std::string_view text, CsvError* error, std::size_t max_rows) {
  // One reader for both: the whole text here, a stream in the history import.
  CsvReader reader(string_source(text));
  Table rows;
  std::vector<std::string> row;
  while (reader.next(row)) {
    rows.push_back(std::move(row));
    if (rows.size() > max_rows) {
      if (error != nullptr) *error = {reader.row_line(), "too_large"};
      return std::nullopt;
    }
  }
  if (reader.error()) {
    if (error != nullptr) *error = *reader.error();
    return std::nullopt;
  }
  return rows;
}

std::string to_xlsx(std::string_view sheet_name, const std::vector<std::string>& header,
                    const Table& rows, const std::vector<std::size_t>& number_columns) {
  char path[] = "/tmp/civicloop-xlsx-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for a workbook");
  close(fd);
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows stream to disk: memory stays flat for large lists
  options.tmpdir = nullptr;
  lxw_workbook* wb = workbook_new_opt(path, &options);
  if (wb == nullptr) {
    std::remove(path);
    throw std::runtime_error("cannot open a workbook");
  }
  const std::string sheet(sheet_name);
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_bg_color(bold, 0xF2F2F2);
  std::vector<std::size_t> widths(header.size(), 4);
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = std::max(widths[c], width(header[c]));
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], std::min<std::size_t>(width(r[c]), 60));
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c) {
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                         static_cast<double>(widths[c] + 2), nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (std::size_t c = 0; c < header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
  }
  std::vector<bool> numeric(header.size(), false);
  for (const auto c : number_columns) {
    if (c >= numeric.size()) numeric.resize(c + 1, false);
    numeric[c] = true;
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      const auto col = static_cast<lxw_col_t>(c);
      const std::string& text = rows[r][c];
      if (c < numeric.size() && numeric[c] && plain_decimal(text)) {
        worksheet_write_number(ws, row, col, std::strtod(text.c_str(), nullptr), nullptr);
      } else {
        worksheet_write_string(ws, row, col, text.c_str(), nullptr);
      }
    }
  }
  const lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  std::remove(path);
  if (err != LXW_NO_ERROR) throw std::runtime_error(lxw_strerror(err));
  return bytes;
}

}  // namespace civicloop::reports
