// Fuzzes the people import (POST /api/v1/org/people/import, text/csv): the CSV reader
// (reports::parse_csv), the file and row rules of app::parse_people_csv, and the person rules the
// import then applies to each row (org::check_person_fields, as OrgService::create_person_in).
// The database part of the import only looks the parsed rows up; it is not run here.
// Besides "no crash, no sanitizer report", it checks the promises table.hpp and people_csv.hpp
// make, and that writing the parsed rows with reports::to_csv reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/people_csv.hpp"
#include "domain/org.hpp"
#include "domain/text.hpp"
#include "reports/table.hpp"

namespace {

namespace reports = civicloop::reports;
namespace text = civicloop::text;

void check(bool ok) {
  if (!ok) std::abort();
}

bool known_reason(const std::string& r) {
  return r == "unterminated_quote" || r == "bad_quote" || r == "too_large";
}

bool formula(const std::string& f) {
  return !f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@');
}

void csv(std::string_view input) {
  std::size_t lines = 1;
  for (char c : input) lines += c == '\n' || c == '\r' ? 1 : 0;
  reports::CsvError err;
  auto rows = reports::parse_csv(input, &err);
  if (!rows) {
    check(known_reason(err.reason));
    check(err.line >= 1 && err.line <= lines);
    return;
  }
  check(rows->size() <= lines);
  for (const auto& r : *rows) check(!r.empty() && !(r.size() == 1 && r[0].empty()));

  // A small row limit: refused as too large, never cut short.
  reports::CsvError small_err;
  auto small = reports::parse_csv(input, &small_err, 3);
  check(small ? *small == *rows : (rows->size() > 3 && small_err.reason == "too_large"));

  // Written out and read again: the same rows, a formula-looking field guarded with a quote mark.
  if (rows->empty()) return;
  reports::Table body(rows->begin() + 1, rows->end());
  auto again = reports::parse_csv(reports::to_csv((*rows)[0], body), nullptr);
  check(again.has_value() && again->size() == rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& a = (*rows)[i];
    const auto& b = (*again)[i];
    check(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      check(formula(a[k]) ? b[k] == "'" + a[k] : b[k] == a[k]);
    }
  }
}

void people(std::string_view input) {
  auto rows = civicloop::app::parse_people_csv(input);
  if (!rows) {
    const auto& e = rows.error();
    check(e.code == "import.bad_csv" || e.code == "import.empty" ||
          (e.code == "import.missing_column" && e.field == "name"));
    return;
  }
  std::size_t last_line = 1;
  for (const auto& r : *rows) {
    check(r.line > last_line);
    last_line = r.line;
    check(!(r.id && r.id_error));
    if (r.id_error) check(r.id_error->code == "import.invalid_field" && r.id_error->field == "id");
    if (r.memberships_error) {
      check(r.memberships_error->code == "import.invalid_field" &&
            r.memberships_error->field == "memberships");
    }
    for (const auto* f : {&r.name, &r.title, &r.phone}) check(text::trim(*f) == *f);
    for (const auto& m : r.memberships) {
      for (const auto* f : {&m.unit_code, &m.post_code}) {
        check(text::trim(*f) == *f);
        check(f->find_first_of(";:") == std::string::npos);
      }
    }
    // What create_person_in checks before it writes anything.
    civicloop::org::Person p;
    p.name = r.name;
    if (!r.phone.empty()) p.phone = r.phone;
    if (!r.title.empty()) p.title = r.title;
    if (civicloop::org::check_person_fields(p)) {
      check(!p.name.empty() && text::utf8_length(p.name).has_value());
    }
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  csv(input);
  people(input);
  return 0;
}
