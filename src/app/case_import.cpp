#include "app/case_import.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "app/case_snapshot.hpp"
#include "domain/text.hpp"
#include "reports/csv_reader.hpp"
#include "reports/table.hpp"
#include "reports/xlsx_reader.hpp"
#include "storage/case_import_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;
using case_import::Field;

namespace {

constexpr int kMaxBatch = 10000;

Error mapping_error(std::string code, std::string field) {
  return make_error(std::move(code), std::move(field));
}

// "+08:00", "-05:30", "UTC", "Z" as minutes east of UTC.
std::optional<int> parse_offset(std::string_view s) {
  if (s == "Z" || s == "UTC" || s == "+00:00") return 0;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto d = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1; };
  for (const std::size_t i : {1U, 2U, 4U, 5U}) {
    if (d(i) < 0) return std::nullopt;
  }
  const int h = d(1) * 10 + d(2);
  const int m = d(4) * 10 + d(5);
  if (h > 14 || m > 59) return std::nullopt;
  return (s[0] == '-' ? -1 : 1) * (h * 60 + m);
}

// The local calendar year of an instant in the tenant's zone (case numbers go by it).
int local_year(const TenantCaseConfig& cfg, Millis at) {
  const Millis local = at + static_cast<Millis>(cfg.calendar.utc_offset_minutes()) * 60000;
  return std::stoi(format_iso_utc(local).substr(0, 4));
}

// Names of units to their ids; a name two units share is ambiguous (nullopt).
using NameIndex = std::map<std::string, std::optional<org::Id>, std::less<>>;

NameIndex name_index(const TenantCaseConfig& cfg, bool areas_only) {
  NameIndex out;
  for (const auto& [id, u] : cfg.units) {
    if (u.retired) continue;
    if (areas_only && u.kind != org::UnitKind::kSubdistrict &&
        u.kind != org::UnitKind::kCommunity && u.kind != org::UnitKind::kVillage &&
        u.kind != org::UnitKind::kGrid) {
      continue;
    }
    auto [it, fresh] = out.emplace(u.name, id);
    if (!fresh) it->second.reset();
  }
  return out;
}

// One row read from the file: its number and cells.
class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual bool next(std::vector<std::string>& cells) = 0;
  virtual std::size_t row() const = 0;
  virtual std::optional<Error> error() const = 0;
  virtual std::uint64_t bytes_read() const = 0;
  virtual std::uint64_t bytes_total() const = 0;
};

class CsvRows : public RowReader {
 public:
  CsvRows(std::unique_ptr<std::ifstream> in, std::unique_ptr<reports::ByteSource> src,
          std::uint64_t total)
      : in_(std::move(in)), reader_(std::move(src)), total_(total) {}
  bool next(std::vector<std::string>& cells) override { return reader_.next(cells); }
  std::size_t row() const override { return reader_.row_line(); }
  std::optional<Error> error() const override {
    if (!reader_.error()) return std::nullopt;
    const auto& e = *reader_.error();
    if (e.reason == "invalid_encoding") {
      return make_error("import.bad_encoding").with("row", std::to_string(e.line));
    }
    return make_error("import.bad_csv")
        .with("line", std::to_string(e.line))
        .with("reason", e.reason);
  }
  std::uint64_t bytes_read() const override { return reader_.bytes_read(); }
  std::uint64_t bytes_total() const override { return total_; }

 private:
  std::unique_ptr<std::ifstream> in_;
  reports::CsvReader reader_;
  std::uint64_t total_;
};

class XlsxRows : public RowReader {
 public:
  bool open(const std::string& path) { return reader_.open(path); }
  bool next(std::vector<std::string>& cells) override { return reader_.next(cells); }
  std::size_t row() const override { return reader_.row_number(); }
  std::optional<Error> error() const override {
    if (!reader_.error()) return std::nullopt;
    const auto& e = *reader_.error();
    return make_error("import.bad_xlsx")
        .with("row", std::to_string(e.line))
        .with("reason", e.reason);
  }
  std::uint64_t bytes_read() const override { return reader_.bytes_read(); }
  std::uint64_t bytes_total() const override { return reader_.total_bytes(); }

 private:
  reports::XlsxReader reader_;
};

Expected<std::unique_ptr<RowReader>> open_rows(const ImportInput& in) {
  if (in.format == ImportFormat::kXlsx) {
    auto x = std::make_unique<XlsxRows>();
    if (!x->open(in.path)) return *x->error();
    return std::unique_ptr<RowReader>(std::move(x));
  }
  auto file = std::make_unique<std::ifstream>(in.path, std::ios::binary);
  if (!*file) return make_error("import.unreadable");
  std::error_code ec;
  const auto size = std::filesystem::file_size(in.path, ec);
  auto src = reports::stream_source(*file);
  const auto enc = text::trim(in.mapping.encoding);
  if (enc != "utf-8" && enc != "UTF-8" && enc != "utf8") {
    src = reports::converting_source(std::move(src), enc);
    if (!src) return make_error("import_mapping.unknown_encoding", "encoding");
  }
  return std::unique_ptr<RowReader>(
      std::make_unique<CsvRows>(std::move(file), std::move(src), ec ? 0 : size));
}

struct Pending {
  std::size_t row = 0;
  case_import::Row data;
};

}  // namespace

Status check_import_categories(const TenantCaseConfig& cfg, const ImportMapping& mapping) {
  for (const auto& [value, code] : mapping.rules.categories) {
    const auto* cat = cfg.category(code);
    if (cat == nullptr || !cat->parent_code) {
      return make_error("import_mapping.unknown_category", "categories")
          .with("value", value)
          .with("code", code);
    }
  }
  return Ok{};
}

std::optional<ImportFormat> import_format_of(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv") return ImportFormat::kCsv;
  if (ext == ".xlsx") return ImportFormat::kXlsx;
  return std::nullopt;
}

Expected<ImportMapping> parse_import_mapping(std::string_view text) {
  boost::system::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec) return make_error("request.malformed_json").with("reason", ec.message());
  if (!doc.is_object()) return make_error("request.not_object");
  const auto& o = doc.as_object();
  ImportMapping out;
  auto& m = out.rules;
  auto str = [&](const json::value& v, const std::string& field) -> Expected<std::string> {
    if (!v.is_string()) {
      return make_error("request.invalid_type", field).with("expected", "string");
    }
    return std::string(v.as_string());
  };
  auto string_map =
      [&](const json::value& v,
          const std::string& field) -> Expected<std::vector<std::pair<std::string, std::string>>> {
    if (!v.is_object()) {
      return make_error("request.invalid_type", field).with("expected", "object");
    }
    std::vector<std::pair<std::string, std::string>> kv;
    for (const auto& e : v.as_object()) {
      auto s = str(e.value(), field + "." + std::string(e.key()));
      if (!s) return s.error();
      kv.emplace_back(text::trim(e.key()), *s);
    }
    return kv;
  };
  for (const auto& e : o) {
    const std::string key(e.key());
    const auto& v = e.value();
    if (key == "note" || key == "format") {
      if (key == "format") {
        auto s = str(v, key);
        if (!s) return s.error();
        if (*s != "civicloop-case-import/1") return mapping_error("import_mapping.bad_format", key);
      }
    } else if (key == "source_name") {
      auto s = str(v, key);
      if (!s) return s.error();
      m.source_name = text::trim(*s);
    } else if (key == "encoding") {
      auto s = str(v, key);
      if (!s) return s.error();
      out.encoding = text::trim(*s);
      if (out.encoding.empty() || out.encoding.size() > 20) {
        return mapping_error("import_mapping.unknown_encoding", key);
      }
    } else if (key == "time_zone") {
      auto s = str(v, key);
      if (!s) return s.error();
      auto off = parse_offset(text::trim(*s));
      if (!off) return mapping_error("import_mapping.bad_time_zone", key);
      m.utc_offset_minutes = *off;
    } else if (key == "batch_size") {
      if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > kMaxBatch) {
        return make_error("field.out_of_range", key);
      }
      out.batch_size = static_cast<int>(v.as_int64());
    } else if (key == "columns") {
      auto kv = string_map(v, key);
      if (!kv) return kv.error();
      for (const auto& [name, header] : *kv) {
        auto f = case_import::parse_field(name);
        if (!f) return mapping_error("import_mapping.unknown_field", key + "." + name);
        m.columns[*f] = header;
      }
    } else if (key == "sources") {
      auto kv = string_map(v, key);
      if (!kv) return kv.error();
      for (const auto& [value, name] : *kv) {
        auto s = cases::parse_source(name);
        if (!s) return mapping_error("import_mapping.unknown_source", key + "." + value);
        m.sources[value] = *s;
      }
    } else if (key == "states") {
      auto kv = string_map(v, key);
      if (!kv) return kv.error();
      for (const auto& [value, name] : *kv) {
        auto s = cases::parse_state(name);
        if (!s) return mapping_error("import_mapping.unknown_state", key + "." + value);
        m.states[value] = *s;
      }
    } else if (key == "categories") {
      auto kv = string_map(v, key);
      if (!kv) return kv.error();
      for (const auto& [value, code] : *kv) m.categories[value] = text::trim(code);
    } else if (key == "default_source") {
      auto s = str(v, key);
      if (!s) return s.error();
      auto src = cases::parse_source(*s);
      if (!src) return mapping_error("import_mapping.unknown_source", key);
      m.default_source = *src;
    } else if (key == "default_state") {
      auto s = str(v, key);
      if (!s) return s.error();
      auto st = cases::parse_state(*s);
      if (!st) return mapping_error("import_mapping.unknown_state", key);
      m.default_state = *st;
    } else {
      return make_error("request.unknown_field", key);
    }
  }
  if (auto s = case_import::check_mapping(m); !s) return s.error();
  return out;
}

Status import_cases(Context& ctx, CaseConfigCache& config, const access::Actor& actor,
                    const ImportInput& in, const ImportSink& sink, ImportCounts& counts) {
  if (auto s = access::require(actor, access::Permission::kCasesImport); !s) return s.error();
  const auto started = std::chrono::steady_clock::now();
  auto cfgx = config.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const auto& m = in.mapping.rules;
  if (auto s = case_import::check_mapping(m); !s) return s.error();
  // Every category code the mapping names must be a class of this tenant, before any row.
  if (auto s = check_import_categories(cfg, in.mapping); !s) return s.error();
  auto rowsx = open_rows(in);
  if (!rowsx) return rowsx.error();
  auto& rows = **rowsx;
  std::vector<std::string> cells;
  if (!rows.next(cells)) {
    if (auto e = rows.error()) return *e;
    return make_error("import.empty");
  }
  for (const auto& h : cells) {
    if (!text::utf8_length(h)) return make_error("import.bad_encoding").with("row", "1");
  }
  const auto header_width = cells.size();
  auto header = case_import::bind_header(m, cells);
  if (!header) return header.error();
  const NameIndex areas = m.columns.contains(Field::kArea) ? name_index(cfg, true) : NameIndex{};
  const NameIndex units = m.columns.contains(Field::kUnit) ? name_index(cfg, false) : NameIndex{};
  const int batch_size = std::clamp(in.mapping.batch_size, 1, kMaxBatch);

  // Cases above this id were written by this run: a number found among them is a duplicate
  // inside the file, one below it was there before (skipped).
  std::int64_t watermark = 0;
  {
    auto lease = ctx.db.acquire();
    watermark = storage::CaseImportRepo(*lease, actor.tenant_id).max_case_id();
  }
  auto refuse = [&](std::size_t row, std::string no, Error e) {
    ++counts.refused;
    // The field as the file calls it: "上报时间", not reported_at.
    if (auto f = case_import::parse_field(e.field)) {
      if (auto it = m.columns.find(*f); it != m.columns.end()) e.field = it->second;
    }
    if (sink.refused) sink.refused(RefusedRow{row, std::move(no), std::move(e)});
  };
  auto report_progress = [&] {
    counts.bytes_read = rows.bytes_read();
    counts.bytes_total = rows.bytes_total();
    counts.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (sink.progress) sink.progress(counts);
  };

  // Resolves the place and the unit of a mapped row into the record, or refuses it.
  auto place = [&](const case_import::Row& row, cases::Record& r) -> Status {
    if (row.lat) {
      auto p = cfg.locate(*row.lat, *row.lng);
      if (p.outside && cfg.workflow.outside_area_policy != "flag") {
        return make_error("import_row.outside_area", "lat")
            .with("distance_m", std::to_string(p.distance_m));
      }
      r.area_path = p.area_path;
      if (auto it = p.at.find(org::UnitKind::kGrid); it != p.at.end()) r.grid_id = it->second;
      if (auto it = p.at.find(org::UnitKind::kCommunity); it != p.at.end()) {
        r.community_id = it->second;
      }
      if (auto it = p.at.find(org::UnitKind::kSubdistrict); it != p.at.end()) {
        r.subdistrict_id = it->second;
      }
      if (r.address.empty()) r.address = cfg.place_name(p);
      if (r.address.empty()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f, %.6f", *row.lat, *row.lng);
        r.address = buf;
      }
    } else if (!row.area_name.empty()) {
      auto it = areas.find(row.area_name);
      if (it == areas.end()) return make_error("import_row.unknown_area", "area");
      if (!it->second) return make_error("import_row.ambiguous_area", "area");
      const auto* u = cfg.unit(*it->second);
      r.area_path = u->path;
      // The area and its ancestors: one branch, as a located point has.
      for (const auto id : org::ids_on_path(u->path)) {
        const auto* a = cfg.unit(id);
        if (a == nullptr) continue;
        if (a->kind == org::UnitKind::kGrid) r.grid_id = id;
        if (a->kind == org::UnitKind::kCommunity || a->kind == org::UnitKind::kVillage) {
          r.community_id = id;
        }
        if (a->kind == org::UnitKind::kSubdistrict) r.subdistrict_id = id;
      }
      if (r.address.empty()) {
        TenantCaseConfig::Place p;
        p.area_path = u->path;
        for (const auto id : org::ids_on_path(u->path)) p.containing.push_back(id);
        r.address = cfg.place_name(p);
        if (r.address.empty()) r.address = row.area_name;
      }
    }
    if (!row.unit_name.empty()) {
      auto it = units.find(row.unit_name);
      if (it == units.end()) return make_error("import_row.unknown_unit", "unit");
      if (!it->second) return make_error("import_row.ambiguous_unit", "unit");
      r.assigned_unit_id = *it->second;
      r.assigned_path = cfg.unit(*it->second)->path;
    }
    return Ok{};
  };

  std::vector<Pending> batch;
  batch.reserve(static_cast<std::size_t>(batch_size));
  auto flush = [&]() {
    if (batch.empty()) return;
    std::vector<std::string> numbers;
    numbers.reserve(batch.size());
    for (const auto& p : batch) numbers.push_back(p.data.original_no);
    std::vector<RefusedRow> late;  // refusals known only against the database: after commit
    std::int64_t written = 0;
    std::int64_t skipped = 0;
    const Millis now = ctx.clock.now();
    auto done = in_tx<Ok>(ctx.db, true, [&](storage::Connection& c) -> Expected<Ok> {
      late.clear();
      written = skipped = 0;
      auto existing =
          storage::CaseImportRepo(c, actor.tenant_id).find_original(m.source_name, numbers);
      storage::CaseRepo repo(c, actor.tenant_id);
      storage::LedgerRepo ledger(c, actor.tenant_id);
      std::set<std::string, std::less<>> in_batch;
      for (const auto& p : batch) {
        const auto& row = p.data;
        // A number twice in one batch is refused the second time, whether or not the first is
        // already in the database (so a run again over the same file says the same).
        if (!in_batch.insert(row.original_no).second) {
          late.push_back(
              {p.row, row.original_no, make_error("import_row.duplicate_in_file", "original_no")});
          continue;
        }
        if (auto it = existing.find(row.original_no); it != existing.end()) {
          if (it->second > watermark) {
            late.push_back({p.row, row.original_no,
                            make_error("import_row.duplicate_in_file", "original_no")});
          } else {
            ++skipped;
          }
          continue;
        }
        cases::Record r;
        r.original_no = row.original_no;
        r.import_source = m.source_name;
        r.source = row.source;
        r.category_code = row.category_code;
        r.title = row.title;
        if (r.title.empty()) r.title = cfg.category(row.category_code)->name;
        r.description = row.description;
        r.address = row.address;
        r.lat = row.lat;
        r.lng = row.lng;
        if (auto s = place(row, r); !s) {
          late.push_back({p.row, row.original_no, s.error()});
          continue;
        }
        r.reporter_name = row.reporter_name;
        r.state = row.state;
        r.reported_at = row.reported_at;
        r.dispatched_at = row.dispatched_at;
        r.closed_at = row.closed_at;
        r.updated_at = now;
        r.version = 1;
        r.id = storage::next_id(c, actor.tenant_id, "cases");
        const int year = local_year(cfg, r.reported_at);
        const auto seq = storage::next_id(c, actor.tenant_id, "case_no:" + std::to_string(year));
        char no[32];
        std::snprintf(no, sizeof no, "%d%06lld", year, static_cast<long long>(seq));
        r.case_no = no;
        r.search_terms = case_search_terms(r);
        repo.insert(r);
        auto ev = make_event(actor, now, "case", r.id, "import", std::nullopt, case_snapshot(r),
                             m.source_name + " " + r.original_no.value_or(""));
        ledger.append(ev);
        ++written;
      }
      return Ok{};
    });
    if (!done) throw std::runtime_error(done.error().code);
    counts.written += written;
    counts.skipped += skipped;
    for (auto& l : late) refuse(l.row, std::move(l.original_no), std::move(l.reason));
    batch.clear();
  };

  std::int64_t last_report = 0;
  while (rows.next(cells)) {
    ++counts.read;
    const auto row_no = rows.row();
    // A CSV row shorter than its header: cut off (a truncated file's last line) or misquoted.
    // An .xlsx row leaves out its empty cells at the end, so there it means nothing.
    if (in.format == ImportFormat::kCsv && cells.size() < header_width) {
      refuse(row_no, "", make_error("import_row.short_row"));
      continue;
    }
    auto mapped = case_import::map_row(m, *header, cells);
    if (!mapped) {
      std::string no;
      if (auto it = header->index.find(Field::kOriginalNo);
          it != header->index.end() && it->second < cells.size()) {
        no = text::trim(cells[it->second]);
        if (!text::utf8_length(no)) no.clear();
      }
      refuse(row_no, std::move(no), mapped.error());
      continue;
    }
    batch.push_back({row_no, std::move(*mapped)});
    if (static_cast<int>(batch.size()) >= batch_size) {
      flush();
      if (counts.read - last_report >= batch_size) {
        last_report = counts.read;
        report_progress();
      }
    }
  }
  if (auto e = rows.error()) {
    // The rows before the fault are whole: write them, then say where the file broke.
    flush();
    report_progress();
    return *e;
  }
  flush();
  report_progress();
  return Ok{};
}

RefusedReport::RefusedReport(const std::string& path,
                             std::function<std::string(const Error&)> reason_text)
    : out_(path, std::ios::binary | std::ios::trunc), text_(std::move(reason_text)) {
  ok_ = static_cast<bool>(out_);
  if (!ok_) return;
  // The header only: reports::to_csv quotes each field (and defuses formulas) the same way.
  auto csv = reports::to_csv({"row", "original_no", "reason_code", "reason"}, {});
  out_ << csv;
}

void RefusedReport::add(const RefusedRow& r) {
  if (!ok_) return;
  auto csv =
      reports::to_csv({std::to_string(r.row), r.original_no, r.reason.code, text_(r.reason)}, {});
  out_ << csv.substr(3);  // without the BOM to_csv puts before every document
  ok_ = static_cast<bool>(out_);
}

void RefusedReport::close() {
  out_.flush();
  out_.close();
}

}  // namespace civicloop::app
