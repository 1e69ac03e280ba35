// The history import (issue 7, part 6): past work orders of an earlier system (12345 hotline,
// 数字城管) brought in as cases that keep their original number, source, category, times, state
// and text. The file is read as a stream (CSV, UTF-8 with or without a BOM or GBK; or the first
// sheet of an .xlsx), each row is mapped and checked by the rules of domain/case_import.hpp, and
// the accepted rows are written in batches, one transaction each, every case with its `import`
// ledger event and full snapshot in the same transaction.
//
// Idempotent by original number: a row whose (source, number) is already a case is skipped and
// counted, so running the same file again, or again after the process was killed half-way,
// finishes the job and writes nothing twice. Refused rows go to the sink with their reason; the
// rest goes in. Permission: cases.import (the HQ administrator), checked here.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "domain/case_import.hpp"

namespace civicloop::app {

enum class ImportFormat { kCsv, kXlsx };
// From a file name: .csv or .xlsx (any case); nullopt otherwise.
std::optional<ImportFormat> import_format_of(const std::string& path);

// The mapping document (civicloop-case-import/1, docs/operations.md "Importing past work orders").
struct ImportMapping {
  case_import::Mapping rules;
  std::string encoding = "utf-8";  // of a CSV file: utf-8 or an iconv name such as gbk
  int batch_size = 1000;
};
// Parses the JSON text; "import_mapping.*" or "request.*" errors naming the member at fault.
Expected<ImportMapping> parse_import_mapping(std::string_view json_text);

// Whether every category code the mapping names is a class of the tenant:
// "import_mapping.unknown_category" (value, code) for the first that is not.
Status check_import_categories(const TenantCaseConfig& cfg, const ImportMapping& mapping);

struct ImportCounts {
  std::int64_t read = 0;     // data rows read (not the header)
  std::int64_t written = 0;  // new cases
  std::int64_t skipped = 0;  // already there (same source and original number)
  std::int64_t refused = 0;  // in the refusal report
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_total = 0;  // 0 when unknown
  double seconds = 0;
};

struct RefusedRow {
  std::size_t row = 0;  // the file's row (CSV: the line it begins on; XLSX: the sheet row)
  std::string original_no;
  Error reason;  // code "import_row.*", field the mapped field
};

// Where the import tells what it does; called on the importing thread.
struct ImportSink {
  std::function<void(const RefusedRow&)> refused;
  std::function<void(const ImportCounts&)> progress;  // after every batch and at the end
};

struct ImportInput {
  std::string path;
  ImportFormat format = ImportFormat::kCsv;
  ImportMapping mapping;
};

// Runs the import. Errors for the whole file, before or during the run: the mapping naming a
// category the tenant does not have ("import_mapping.unknown_category", before any row is
// written), a file that cannot be read ("import.unreadable"), a malformed or truncated file
// ("import.bad_csv" / "import.bad_xlsx", with the row and the reason), a header without a mapped
// column ("import.missing_column"), an empty file ("import.empty"), text not in the stated
// encoding ("import.bad_encoding"). Batches written before a fault in the middle of the file stay
// written: fix the file and run it again. `counts` holds what was done either way.
Status import_cases(Context& ctx, CaseConfigCache& config, const access::Actor& actor,
                    const ImportInput& in, const ImportSink& sink, ImportCounts& counts);

}  // namespace civicloop::app

namespace civicloop::app {

// The refusal report: a CSV (UTF-8 with a BOM, for Excel) with the columns row, original_no,
// reason_code, reason: the file's row, the original number, the reason's code and its text. The
// text comes from `reason_text` (the error catalogue, zh-CN), so no wording lives here.
class RefusedReport {
 public:
  RefusedReport(const std::string& path, std::function<std::string(const Error&)> reason_text);
  bool ok() const { return ok_; }
  void add(const RefusedRow& r);
  void close();

 private:
  std::ofstream out_;
  std::function<std::string(const Error&)> text_;
  bool ok_ = false;
};

}  // namespace civicloop::app
