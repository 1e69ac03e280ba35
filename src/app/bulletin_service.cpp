#include "app/bulletin_service.hpp"

#include "app/figure_text.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include "app/auth_service.hpp"
#include "app/evidence_service.hpp"
#include "app/outbox.hpp"
#include "domain/org.hpp"
#include "domain/text.hpp"
#include "domain/workflow.hpp"
#include "media/image.hpp"
#include "reports/bulletin_pdf.hpp"
#include "storage/account_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

namespace {

constexpr int kMaxLimit = 100;

// Whether a bulletin addressed to the unit at `path` reaches the actor: the unit lies in his scope,
// or he works inside it (a grid worker of an addressed subdistrict).
bool reaches(const access::Actor& actor, const std::string& path) {
  if (actor.scope.covers(path)) return true;
  return std::any_of(actor.scope.roots.begin(), actor.scope.roots.end(),
                     [&](const std::string& root) { return org::path_within(root, path); });
}
constexpr Millis kDay = 86'400'000;
// Closed cases looked at for typical problems (newest first); the first with both photos win.
constexpr int kTypicalCandidates = 200;

Error bad_settings(std::string field) { return make_error("bulletin.bad_settings", field); }

std::optional<std::string> str_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// Every key in every supported locale, and every placeholder a figure.
Status check_wording(const Messages& words, const std::string& key, const std::string& where) {
  for (const auto& loc : supported_locales()) {
    if (!words.has(loc, key)) return make_error("bulletin.missing_wording", key);
    // The raw template: look it up without arguments (placeholders stay as written).
    const auto text = words.text(loc, key);
    if (auto s = bulletin::check_text(text, where.empty() ? key : where); !s) return s;
  }
  return Ok{};
}

int year_of(const TenantCaseConfig& cfg, Millis at) {
  return std::stoi(cfg.local_text(at).substr(0, 4));
}

std::string long_date(const TenantCaseConfig& cfg, std::string_view locale, Millis t) {
  const auto s = cfg.local_text(t);
  return cfg.word(locale, "date.long",
                  {{"year", s.substr(0, 4)},
                   {"month", std::to_string(std::stoi(s.substr(5, 2)))},
                   {"day", std::to_string(std::stoi(s.substr(8, 2)))},
                   {"mm", s.substr(5, 2)},
                   {"dd", s.substr(8, 2)}});
}

std::string long_date_of(const TenantCaseConfig& cfg, std::string_view locale,
                         const calendar::Date& d) {
  char mm[3], dd[3];
  std::snprintf(mm, sizeof mm, "%02d", d.month);
  std::snprintf(dd, sizeof dd, "%02d", d.day);
  return cfg.word(locale, "date.long",
                  {{"year", std::to_string(d.year)},
                   {"month", std::to_string(d.month)},
                   {"day", std::to_string(d.day)},
                   {"mm", mm},
                   {"dd", dd}});
}

std::string percent(const kpi::Rate& r, const TenantCaseConfig& cfg, std::string_view locale) {
  return percent_text(r).value_or(cfg.word(locale, "bulletin.no_rate"));
}

std::string list_words(const TenantCaseConfig& cfg, std::string_view locale,
                       const std::vector<std::string>& names) {
  if (names.empty()) return cfg.word(locale, "bulletin.none");
  const auto sep = cfg.word(locale, "bulletin.list_separator");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += sep;
    out += names[i];
  }
  return out;
}

json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return json::object{};
  return v;
}

std::vector<bulletin::Section> sections_of(const storage::BulletinRow& b) {
  std::vector<bulletin::Section> out;
  const auto v = parse_json(b.content);
  if (!v.is_object()) return out;
  const auto* arr = v.as_object().if_contains("sections");
  if (arr == nullptr || !arr->is_array()) return out;
  for (const auto& s : arr->as_array()) {
    if (!s.is_object()) continue;
    const auto& o = s.as_object();
    out.push_back({str_of(o, "kind").value_or("text"), str_of(o, "heading").value_or(""),
                   str_of(o, "text").value_or("")});
  }
  return out;
}

std::string content_of(const std::vector<bulletin::Section>& sections) {
  json::array arr;
  for (const auto& s : sections) {
    arr.push_back(json::object{{"kind", s.kind}, {"heading", s.heading}, {"text", s.text}});
  }
  return json::serialize(json::object{{"sections", std::move(arr)}});
}

std::string state_json(const storage::BulletinRow& b) {
  json::object o{{"state", b.state}, {"version", b.version}, {"title", b.title}};
  if (b.number) o["number"] = *b.number;
  return json::serialize(o);
}

// A closed case with a before and an after photo, for the typical problems.
struct Typical {
  cases::Record r;
  storage::Attachment before, after;
};

std::optional<Typical> typical_of(storage::CaseRepo& repo, const cases::Record& r) {
  if (r.state != cases::State::kClosed) return std::nullopt;
  std::optional<storage::Attachment> before, after;
  for (auto& a : repo.attachments_of(r.id)) {
    if (a.stage == "before" && !before) before = a;
    if (a.stage == "after") after = a;  // the last rectification's photo
  }
  if (!before || !after) return std::nullopt;
  return Typical{r, *before, *after};
}

json::object typical_json(const TenantCaseConfig& cfg, const Typical& t) {
  return json::object{
      {"case_id", t.r.id},
      {"case_no", t.r.case_no},
      {"title", t.r.title},
      {"address", t.r.address},
      {"category", cfg.category_name(t.r.category_code, kFirstLocale)},
      {"unit", cfg.unit_name(t.r.assigned_unit_id)},
      {"closed_on", t.r.closed_at ? long_date(cfg, kFirstLocale, *t.r.closed_at) : ""},
      {"before", json::object{{"id", t.before.id}, {"sha256", t.before.sha256}}},
      {"after", json::object{{"id", t.after.id}, {"sha256", t.after.sha256}}}};
}

}  // namespace

// ---- the template ----

Expected<BulletinTemplate> parse_bulletin_template(const json::value& doc, const Messages& words) {
  if (!doc.is_object()) return bad_settings("format");
  const auto& d = doc.as_object();
  if (str_of(d, "format") != std::optional<std::string>("civicloop-bulletins/1")) {
    return bad_settings("format");
  }
  BulletinTemplate t;
  if (const auto* v = d.if_contains("number_format"); v != nullptr) {
    if (!v->is_string()) return bad_settings("number_format");
    t.number_format = std::string(v->as_string());
  }
  // The notice numbers' rules: {year} and one {seq…}.
  const auto& f = t.number_format;
  if (f.find("{year}") == std::string::npos ||
      (f.find("{seq}") == std::string::npos && f.find("{seq:") == std::string::npos) ||
      f.size() > 100) {
    return bad_settings("number_format");
  }
  auto count = [&](const char* key, int& out, int lo, int hi) -> Status {
    const auto* v = d.if_contains(key);
    if (v == nullptr) return Ok{};
    if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi) return bad_settings(key);
    out = static_cast<int>(v->as_int64());
    return Ok{};
  };
  if (auto s = count("overdue_max", t.overdue_max, 0, 100); !s) return s.error();
  if (auto s = count("typical_max", t.typical_max, 0, static_cast<int>(bulletin::kMaxTypical));
      !s) {
    return s.error();
  }
  if (const auto* v = d.if_contains("ranking_columns"); v != nullptr) {
    if (!v->is_array() || v->as_array().empty()) return bad_settings("ranking_columns");
    const auto& known = bulletin::ranking_columns();
    for (const auto& c : v->as_array()) {
      if (!c.is_string()) return bad_settings("ranking_columns");
      const std::string name(c.as_string());
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return make_error("bulletin.unknown_figure", name).with("where", "ranking_columns");
      }
      if (auto s = check_wording(words, "bulletin.col." + name, ""); !s) return s.error();
      t.ranking_columns.push_back(name);
    }
  } else {
    t.ranking_columns = {"rank", "unit", "score", "grade", "due", "closed", "overdue"};
  }
  const auto* kinds = d.if_contains("kinds");
  if (kinds == nullptr || !kinds->is_object()) return bad_settings("kinds");
  for (const auto& [name, kv] : kinds->as_object()) {
    const std::string kind(name);
    if (!bulletin::parse_kind(kind)) return bad_settings("kinds." + kind);
    if (!kv.is_object()) return bad_settings("kinds." + kind);
    const auto& ko = kv.as_object();
    BulletinKindTemplate k;
    auto title = str_of(ko, "title");
    if (!title) return bad_settings("kinds." + kind + ".title");
    if (auto s = check_wording(words, *title, ""); !s) return s.error();
    k.title = *title;
    const auto* secs = ko.if_contains("sections");
    if (secs == nullptr || !secs->is_array() || secs->as_array().empty() ||
        secs->as_array().size() > bulletin::kMaxSections) {
      return bad_settings("kinds." + kind + ".sections");
    }
    std::size_t i = 0;
    for (const auto& sv : secs->as_array()) {
      const auto at = "kinds." + kind + ".sections[" + std::to_string(i++) + "]";
      if (!sv.is_object()) return bad_settings(at);
      const auto& so = sv.as_object();
      BulletinSectionTemplate st;
      st.kind = str_of(so, "kind").value_or("");
      if (!bulletin::known_section_kind(st.kind)) return bad_settings(at + ".kind");
      auto heading = str_of(so, "heading");
      auto text = str_of(so, "text");
      if (!heading) return bad_settings(at + ".heading");
      if (!text) return bad_settings(at + ".text");
      if (auto s = check_wording(words, *heading, ""); !s) return s.error();
      if (auto s = check_wording(words, *text, ""); !s) return s.error();
      st.heading = *heading;
      st.text = *text;
      if (so.if_contains("text_empty") != nullptr) {
        auto empty = str_of(so, "text_empty");
        if (!empty || !bulletin::count_figure(st.kind)) return bad_settings(at + ".text_empty");
        if (auto s = check_wording(words, *empty, ""); !s) return s.error();
        st.text_empty = *empty;
      }
      k.sections.push_back(std::move(st));
    }
    t.kinds[kind] = std::move(k);
  }
  if (!t.kinds.contains("weekly")) return bad_settings("kinds.weekly");
  if (const auto* v = d.if_contains("schedule"); v != nullptr) {
    if (!v->is_array()) return bad_settings("schedule");
    std::size_t i = 0;
    for (const auto& e : v->as_array()) {
      const auto at = "schedule[" + std::to_string(i++) + "]";
      if (!e.is_object()) return bad_settings(at);
      const auto& o = e.as_object();
      BulletinSchedule s;
      const auto kind = bulletin::parse_kind(str_of(o, "kind").value_or(""));
      if (!kind || *kind == bulletin::Kind::kSpecial ||
          !t.kinds.contains(std::string(bulletin::to_string(*kind)))) {
        return bad_settings(at + ".kind");
      }
      s.kind = *kind;
      const auto m = calendar::parse_minute_of_day(str_of(o, "time").value_or(""));
      if (!m || *m >= 24 * 60) return bad_settings(at + ".time");
      s.minute = *m;
      if (s.kind == bulletin::Kind::kWeekly) {
        const auto* w = o.if_contains("weekday");
        if (w == nullptr || !w->is_int64() || w->as_int64() < 0 || w->as_int64() > 6) {
          return bad_settings(at + ".weekday");
        }
        s.weekday = static_cast<int>(w->as_int64());
      } else {
        const auto* w = o.if_contains("day");
        if (w == nullptr || !w->is_int64() || w->as_int64() < 1 || w->as_int64() > 28) {
          return bad_settings(at + ".day");
        }
        s.day = static_cast<int>(w->as_int64());
      }
      t.schedule.push_back(s);
    }
  }
  // The fixed wording of the document (headings' numbering, the PDF's furniture).
  for (const char* key : {"bulletin.pdf.mark",         "bulletin.pdf.addressees",
                          "bulletin.pdf.unnumbered",   "bulletin.pdf.heading1",
                          "bulletin.pdf.heading2",     "bulletin.pdf.numerals",
                          "bulletin.pdf.before",       "bulletin.pdf.after",
                          "bulletin.pdf.draft_mark",   "bulletin.pdf.printed",
                          "bulletin.pdf.cc",           "bulletin.pdf.page",
                          "bulletin.pdf.red",          "bulletin.pdf.black",
                          "bulletin.pdf.typical_text", "bulletin.pdf.overdue_empty",
                          "bulletin.col.case_no",      "bulletin.col.title",
                          "bulletin.col.address",      "bulletin.no_rate",
                          "bulletin.no_rank",          "bulletin.none",
                          "bulletin.list_separator",   "bulletin.period.week",
                          "bulletin.period.month",     "bulletin.period.range"}) {
    if (!words.has(kFirstLocale, key) || !words.has("en", key)) {
      return make_error("bulletin.missing_wording", key);
    }
  }
  return t;
}

Status load_bulletin_preset(storage::Connection& c, std::int64_t tenant_id,
                            const std::filesystem::path& preset_dir) {
  const auto path = preset_dir / "bulletins.json";
  if (!std::filesystem::exists(path)) return Ok{};
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(ss.str(), ec);
  if (ec) return make_error("preset.invalid_json", path.string());
  const auto words = read_messages(c, tenant_id);
  auto t = parse_bulletin_template(doc, words);
  if (!t) return t.error();
  storage::BulletinRepo(c, tenant_id).save_settings_doc(json::serialize(doc), 0);
  return Ok{};
}

Expected<BulletinTemplate> BulletinService::template_of(std::int64_t tenant_id) {
  auto cfgx = config_.get(tenant_id);
  if (!cfgx) return cfgx.error();
  auto doc = in_tx<std::optional<std::string>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::optional<std::string>> {
        return storage::BulletinRepo(c, tenant_id).settings_doc();
      });
  if (!doc) return doc.error();
  if (!*doc) return make_error("bulletin.no_template");
  return parse_bulletin_template(parse_json(**doc), (*cfgx)->messages);
}

Expected<json::value> BulletinService::template_doc(const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kBulletinsDraft); !s) return s.error();
  auto doc = in_tx<std::optional<std::string>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::optional<std::string>> {
        return storage::BulletinRepo(c, actor.tenant_id).settings_doc();
      });
  if (!doc) return doc.error();
  if (!*doc) return make_error("bulletin.no_template");
  return parse_json(**doc);
}

Expected<json::value> BulletinService::save_template(const access::Actor& actor,
                                                     const json::value& doc) {
  if (auto s = access::require(actor, access::Permission::kCasesConfigure); !s) return s.error();
  if (auto s = access::require(actor, access::Permission::kBulletinsDraft); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  auto t = parse_bulletin_template(doc, (*cfgx)->messages);
  if (!t) return t.error();
  const Millis now = ctx_.clock.now();
  return in_tx<json::value>(ctx_.db, true, [&](storage::Connection& c) -> Expected<json::value> {
    storage::BulletinRepo repo(c, actor.tenant_id);
    const auto before = repo.settings_doc();
    const auto after = json::serialize(doc);
    repo.save_settings_doc(after, now);
    auto ev = make_event(actor, now, "bulletin_template", actor.tenant_id, "save", before, after);
    storage::LedgerRepo(c, actor.tenant_id).append(ev);
    return doc;
  });
}

// ---- reading ----

Expected<bool> BulletinService::may_read(const access::Actor& actor, const TenantCaseConfig& cfg,
                                         const storage::BulletinRow& b) const {
  if (actor.can(access::Permission::kBulletinsDraft) ||
      actor.can(access::Permission::kBulletinsApprove)) {
    return true;
  }
  if (actor.role == access::Role::kCitizen || !actor.can(access::Permission::kCasesRead)) {
    return make_error("auth.forbidden");
  }
  if (b.state != "published") return make_error("auth.out_of_scope");
  if (actor.scope.all) return true;
  for (const auto u : b.recipients) {
    const auto* info = cfg.unit(u);
    if (info != nullptr && reaches(actor, info->path)) return true;
  }
  return make_error("auth.out_of_scope");
}

Expected<BulletinPage> BulletinService::list(const access::Actor& actor,
                                             const BulletinListQuery& q) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const bool office = actor.can(access::Permission::kBulletinsDraft) ||
                      actor.can(access::Permission::kBulletinsApprove);
  if (!office &&
      (actor.role == access::Role::kCitizen || !actor.can(access::Permission::kCasesRead))) {
    return make_error("auth.forbidden");
  }
  storage::BulletinFilter f;
  f.state = q.state;
  f.kind = q.kind;
  if (q.state && !bulletin::parse_state(*q.state)) {
    return make_error("request.invalid_parameter", "state");
  }
  if (q.kind && !bulletin::parse_kind(*q.kind)) {
    return make_error("request.invalid_parameter", "kind");
  }
  if (!office) {
    // Readers see published bulletins only; unit-bound roles those addressed to their units.
    if (q.state && *q.state != "published") return BulletinPage{};
    f.state = "published";
    if (!actor.scope.all) {
      std::vector<std::int64_t> mine;
      for (const auto& [id, u] : cfg.units) {
        if (reaches(actor, u.path)) mine.push_back(id);
      }
      f.recipient_units = std::move(mine);
    }
  }
  const int want = q.limit < 1 ? 50 : std::min(q.limit, kMaxLimit);
  f.limit = want + 1;
  f.before_id = q.before_id;
  return in_tx<BulletinPage>(ctx_.db, false, [&](storage::Connection& c) -> Expected<BulletinPage> {
    auto rows = storage::BulletinRepo(c, actor.tenant_id).list(f);
    BulletinPage page;
    if (static_cast<int>(rows.size()) > want) {
      rows.pop_back();
      page.next_cursor = std::to_string(rows.back().id);
    }
    page.items = std::move(rows);
    return page;
  });
}

Expected<storage::BulletinRow> BulletinService::get(const access::Actor& actor, std::int64_t id) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  auto b = in_tx<storage::BulletinRow>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        auto r = storage::BulletinRepo(c, actor.tenant_id).find(id);
        if (!r) return make_error("bulletin.not_found");
        return *r;
      });
  if (!b) {
    // Nothing said about whether it exists to who may not read bulletins at all.
    if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
    return b.error();
  }
  if (auto ok = may_read(actor, **cfgx, *b); !ok) return ok.error();
  return b;
}

BulletinAllowed BulletinService::allowed(const access::Actor& actor,
                                         const storage::BulletinRow& b) const {
  BulletinAllowed a;
  const auto st = bulletin::parse_state(b.state).value_or(bulletin::State::kPublished);
  const bool drafter = actor.can(access::Permission::kBulletinsDraft);
  const bool head = actor.can(access::Permission::kBulletinsApprove);
  auto can = [&](bulletin::Action x) { return bulletin::next(st, x).has_value(); };
  a.edit = drafter && can(bulletin::Action::kEdit);
  a.submit = drafter && can(bulletin::Action::kSubmit);
  a.withdraw = drafter && can(bulletin::Action::kWithdraw);
  const bool other = bulletin::check_approver(actor.user_id, b.submitted_by).ok();
  a.reject = head && can(bulletin::Action::kReject);
  a.approve = head && other && can(bulletin::Action::kApprove);
  a.publish = drafter && st == bulletin::State::kApproved;
  return a;
}

// ---- drafting ----

Expected<storage::BulletinRow> BulletinService::draft(const access::Actor& actor,
                                                      const BulletinDraftRequest& q) {
  if (auto s = access::require(actor, access::Permission::kBulletinsDraft); !s) return s.error();
  const auto kind = bulletin::parse_kind(q.kind);
  if (!kind) return make_error("bulletin.bad_kind", "kind");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto tmplx = template_of(actor.tenant_id);
  if (!tmplx) return tmplx.error();
  const auto& tmpl = *tmplx;
  const auto kt = tmpl.kinds.find(std::string(bulletin::to_string(*kind)));
  if (kt == tmpl.kinds.end()) return make_error("bulletin.bad_kind", "kind");
  const Millis now = ctx_.clock.now();
  const auto today = cfg.calendar.local_date(now);

  // The period: the one holding `date`, else the one before today's.
  KpiQuery kq;
  kq.level = "unit";
  kpi::Period period;
  auto day_of = [&](const std::optional<std::string>& s,
                    const char* field) -> Expected<std::optional<calendar::Date>> {
    if (!s) return std::optional<calendar::Date>{};
    auto d = calendar::parse_date(*s);
    if (!d) return make_error("request.invalid_parameter", field);
    return std::optional<calendar::Date>(*d);
  };
  auto date = day_of(q.date, "date");
  if (!date) return date.error();
  if (*kind == bulletin::Kind::kSpecial) {
    auto from = day_of(q.from, "from");
    if (!from) return from.error();
    auto to = day_of(q.to, "to");
    if (!to) return to.error();
    if (*from && *to) {
      auto r = kpi::range(**from, **to);
      if (!r) return r.error();
      period = *r;
    } else {
      const auto w = kpi::previous(kpi::period_of(kpi::PeriodKind::kWeek, today));
      auto r = kpi::range(w.from, w.to);
      period = *r;
    }
  } else {
    const auto pk =
        *kind == bulletin::Kind::kWeekly ? kpi::PeriodKind::kWeek : kpi::PeriodKind::kMonth;
    period = *date ? kpi::period_of(pk, **date) : kpi::previous(kpi::period_of(pk, today));
  }
  kq.period = std::string(kpi::to_string(period.kind));
  if (period.kind == kpi::PeriodKind::kRange) {
    kq.from = calendar::format_date(period.from);
    kq.to = calendar::format_date(period.to);
  } else {
    kq.date = calendar::format_date(period.from);
  }
  // The figures as the KPI API gives them, for the whole tenant (the office's scope).
  auto sys = actor;
  if (!sys.scope.all) return make_error("auth.out_of_scope");
  auto view = kpis_.kpis(sys, kq);
  if (!view) return view.error();
  auto ranking = kpis_.rankings(sys, kq);
  if (!ranking) return ranking.error();

  const std::string_view loc = kFirstLocale;  // an official document: the tenant's language
  // Totals over the units.
  kpi::Figures total;
  for (const auto& row : view->rows) {
    const auto& f = row.figures;
    total.due += f.due;
    total.overdue += f.overdue;
    total.reported += f.reported;
    total.dispatched += f.dispatched;
    total.closed += f.closed;
    for (const auto& [ind, rate] : f.rates) {
      auto& t = total.rates[ind];
      t.num += rate.num;
      t.den += rate.den;
    }
  }
  const auto rate_of = [&](kpi::Indicator i) {
    auto it = total.rates.find(i);
    return percent(it == total.rates.end() ? kpi::Rate{} : it->second, cfg, loc);
  };
  std::vector<std::string> red, black;
  json::array red_j, black_j;
  int ranked = 0, insufficient = 0;
  std::string first_unit, last_unit;
  json::array rows_j;
  for (const auto& rr : ranking->rows) {
    const auto& e = rr.entry;
    if (e.rank) {
      ++ranked;
      if (first_unit.empty()) first_unit = rr.row.name;
      last_unit = rr.row.name;
    } else {
      ++insufficient;
    }
    if (e.red) {
      red.push_back(rr.row.name);
      red_j.push_back(json::object{{"unit_id", e.id}, {"name", rr.row.name}});
    }
    if (e.black) {
      black.push_back(rr.row.name);
      black_j.push_back(json::object{{"unit_id", e.id}, {"name", rr.row.name}});
    }
    json::array cells;
    const auto& f = rr.row.figures;
    auto rate = [&](kpi::Indicator i) {
      auto it = f.rates.find(i);
      return percent(it == f.rates.end() ? kpi::Rate{} : it->second, cfg, loc);
    };
    for (const auto& col : tmpl.ranking_columns) {
      if (col == "rank") {
        cells.push_back(
            json::value(e.rank ? std::to_string(*e.rank) : cfg.word(loc, "bulletin.no_rank")));
      } else if (col == "unit") {
        cells.push_back(json::value(rr.row.name));
      } else if (col == "score") {
        cells.push_back(json::value(rr.row.score ? one_decimal(*rr.row.score)
                                                 : cfg.word(loc, "bulletin.no_rate")));
      } else if (col == "grade") {
        cells.push_back(
            json::value(rr.row.grade.empty() ? cfg.word(loc, "bulletin.no_rate") : rr.row.grade));
      } else if (col == "due") {
        cells.push_back(json::value(std::to_string(f.due)));
      } else if (col == "closed") {
        cells.push_back(json::value(std::to_string(f.closed)));
      } else if (col == "overdue") {
        cells.push_back(json::value(std::to_string(f.overdue)));
      } else if (col == "closed_on_time") {
        cells.push_back(json::value(rate(kpi::Indicator::kClosedOnTime)));
      } else if (col == "closure") {
        cells.push_back(json::value(rate(kpi::Indicator::kClosure)));
      } else if (col == "ack_on_time") {
        cells.push_back(json::value(rate(kpi::Indicator::kAckOnTime)));
      } else if (col == "rework") {
        cells.push_back(json::value(rate(kpi::Indicator::kRework)));
      } else if (col == "overdue_rate") {
        cells.push_back(json::value(rate(kpi::Indicator::kOverdue)));
      }
    }
    rows_j.push_back(json::object{{"unit_id", e.id}, {"cells", std::move(cells)}});
  }
  json::array columns_j;
  for (const auto& c : tmpl.ranking_columns) columns_j.push_back(json::value(c));

  const Millis from_ms = cfg.calendar.at_local(period.from, 0);
  const Millis to_ms = cfg.calendar.at_local(period.to, 0) + kDay;
  std::vector<std::int64_t> recipients;
  for (const auto& row : view->rows) {
    const auto* u = cfg.unit(row.id);
    if (u != nullptr && !u->retired) recipients.push_back(row.id);
  }
  std::sort(recipients.begin(), recipients.end());

  return in_tx<storage::BulletinRow>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        storage::BulletinRepo repo(c, actor.tenant_id);
        if (q.schedule_key) {
          if (auto existing = repo.find_by_schedule_key(*q.schedule_key)) return *existing;
        }
        storage::CaseRepo cases(c, actor.tenant_id);
        // Overdue cases now open, newest first.
        json::array overdue_j;
        if (tmpl.overdue_max > 0) {
          storage::CaseQuery cq;
          cq.overdue = true;
          cq.open_only = true;
          cq.limit = tmpl.overdue_max;
          for (const auto& r : cases.list(cq)) {
            overdue_j.push_back(json::object{{"case_id", r.id},
                                             {"case_no", r.case_no},
                                             {"title", r.title},
                                             {"address", r.address},
                                             {"unit", cfg.unit_name(r.assigned_unit_id)}});
          }
        }
        // Typical problems: closed cases dispatched in the period with both photos.
        json::array typical_j;
        if (tmpl.typical_max > 0) {
          storage::CaseQuery cq;
          cq.states = {cases::State::kClosed};
          cq.dispatched_from = from_ms;
          cq.dispatched_to = to_ms;
          cq.limit = kTypicalCandidates;
          for (const auto& r : cases.list(cq)) {
            if (static_cast<int>(typical_j.size()) >= tmpl.typical_max) break;
            if (auto t = typical_of(cases, r)) typical_j.push_back(typical_json(cfg, *t));
          }
        }
        const std::string period_words =
            cfg.word(loc,
                     "bulletin.period." + std::string(kpi::to_string(period.kind) == "range"
                                                          ? "range"
                                                          : kpi::to_string(period.kind)),
                     {{"from", long_date_of(cfg, loc, period.from)},
                      {"to", long_date_of(cfg, loc, period.to)},
                      {"year", std::to_string(period.from.year)},
                      {"month", std::to_string(period.from.month)}});
        const MessageArgs figures{
            {"from", long_date_of(cfg, loc, period.from)},
            {"to", long_date_of(cfg, loc, period.to)},
            {"year", std::to_string(period.from.year)},
            {"period", period_words},
            {"reported", std::to_string(total.reported)},
            {"dispatched", std::to_string(total.dispatched)},
            {"due", std::to_string(total.due)},
            {"closed", std::to_string(total.closed)},
            {"overdue", std::to_string(total.overdue)},
            {"closed_on_time_rate", rate_of(kpi::Indicator::kClosedOnTime)},
            {"closure_rate", rate_of(kpi::Indicator::kClosure)},
            {"ack_on_time_rate", rate_of(kpi::Indicator::kAckOnTime)},
            {"rework_rate", rate_of(kpi::Indicator::kRework)},
            {"overdue_rate", rate_of(kpi::Indicator::kOverdue)},
            {"extension_rate", rate_of(kpi::Indicator::kExtension)},
            {"units_ranked", std::to_string(ranked)},
            {"units_insufficient", std::to_string(insufficient)},
            {"first_unit", first_unit.empty() ? cfg.word(loc, "bulletin.none") : first_unit},
            {"last_unit", last_unit.empty() ? cfg.word(loc, "bulletin.none") : last_unit},
            {"red_units", list_words(cfg, loc, red)},
            {"black_units", list_words(cfg, loc, black)},
            {"red_count", std::to_string(red.size())},
            {"black_count", std::to_string(black.size())},
            {"overdue_count", std::to_string(overdue_j.size())},
            {"typical_count", std::to_string(typical_j.size())}};
        json::object figures_j;
        for (const auto& [k, v] : figures) figures_j[k] = v;
        json::object snapshot{
            {"period", json::object{{"kind", kpi::to_string(period.kind)},
                                    {"from", calendar::format_date(period.from)},
                                    {"to", calendar::format_date(period.to)}}},
            {"as_of_seq", view->as_of_seq},
            {"figures", std::move(figures_j)},
            {"totals", json::object{{"reported", total.reported},
                                    {"dispatched", total.dispatched},
                                    {"due", total.due},
                                    {"closed", total.closed},
                                    {"overdue", total.overdue}}},
            {"ranking", json::object{{"columns", std::move(columns_j)}, {"rows", rows_j}}},
            {"red", red_j},
            {"black", black_j},
            {"overdue", std::move(overdue_j)},
            {"typical", std::move(typical_j)}};
        std::vector<bulletin::Section> sections;
        for (const auto& st : kt->second.sections) {
          // A section that lists nothing this period takes its own wording, where it has one.
          const auto count = bulletin::count_figure(st.kind);
          bool empty = false;
          for (const auto& [k, v] : figures) empty = empty || (count && k == *count && v == "0");
          const auto& text = empty && st.text_empty ? *st.text_empty : st.text;
          sections.push_back(
              {st.kind, cfg.word(loc, st.heading, figures), cfg.word(loc, text, figures)});
        }
        storage::BulletinRow b;
        b.id = storage::next_id(c, actor.tenant_id, "bulletins");
        b.kind = std::string(bulletin::to_string(*kind));
        b.state = "draft";
        b.title = cfg.word(loc, kt->second.title, figures);
        b.period_kind = std::string(kpi::to_string(period.kind));
        b.period_from = calendar::format_date(period.from);
        b.period_to = calendar::format_date(period.to);
        b.version = 1;
        b.content = content_of(sections);
        b.snapshot = json::serialize(snapshot);
        b.schedule_key = q.schedule_key;
        if (actor.user_id != 0) b.created_by = actor.user_id;
        b.created_at = now;
        b.updated_by = b.created_by;
        b.updated_at = now;
        b.recipients = recipients;
        repo.insert(b);
        auto ev = make_event(actor, now, "bulletin", b.id, "draft", std::nullopt, state_json(b));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return b;
      });
}

// ---- editing and the workflow ----

Expected<storage::BulletinRow> BulletinService::edit(const access::Actor& actor, std::int64_t id,
                                                     const BulletinEdit& e) {
  if (auto s = access::require(actor, access::Permission::kBulletinsDraft); !s) return s.error();
  if (e.sections) {
    if (auto s = bulletin::check_sections(*e.sections); !s) return s.error();
  }
  if (e.title) {
    const auto n = text::utf8_length(*e.title);
    if (!n || *n == 0 || *n > bulletin::kMaxTitleChars) {
      return make_error("bulletin.bad_title", "title");
    }
  }
  if (e.typical_case_ids && e.typical_case_ids->size() > bulletin::kMaxTypical) {
    return make_error("bulletin.bad_typical", "typical_case_ids");
  }
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  if (e.recipients) {
    if (e.recipients->size() > 1000) return make_error("bulletin.bad_recipients", "recipients");
    for (std::size_t i = 0; i < e.recipients->size(); ++i) {
      const auto* u = cfg.unit((*e.recipients)[i]);
      if (u == nullptr || u->retired) {
        return make_error("org.unit_not_found", "recipients[" + std::to_string(i) + "]");
      }
    }
  }
  const Millis now = ctx_.clock.now();
  return in_tx<storage::BulletinRow>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        storage::BulletinRepo repo(c, actor.tenant_id);
        auto found = repo.find_for_update(id);
        if (!found) return make_error("bulletin.not_found");
        auto b = *found;
        if (e.version != b.version) {
          return make_error("conflict.stale_version", "version")
              .with("current", std::to_string(b.version));
        }
        const auto st = bulletin::parse_state(b.state).value_or(bulletin::State::kPublished);
        if (auto s = bulletin::apply(st, bulletin::Action::kEdit); !s) return s.error();
        const auto before = json::serialize(json::object{
            {"version", b.version}, {"title", b.title}, {"content", parse_json(b.content)}});
        if (e.title) b.title = *e.title;
        if (e.sections) b.content = content_of(*e.sections);
        if (e.recipients) {
          b.recipients = *e.recipients;
          std::sort(b.recipients.begin(), b.recipients.end());
          b.recipients.erase(std::unique(b.recipients.begin(), b.recipients.end()),
                             b.recipients.end());
        }
        if (e.typical_case_ids) {
          storage::CaseRepo cases(c, actor.tenant_id);
          json::array typical_j;
          for (std::size_t i = 0; i < e.typical_case_ids->size(); ++i) {
            const auto r = cases.find((*e.typical_case_ids)[i]);
            std::optional<Typical> t;
            if (r) t = typical_of(cases, *r);
            if (!t) {
              return make_error("bulletin.bad_typical",
                                "typical_case_ids[" + std::to_string(i) + "]");
            }
            typical_j.push_back(typical_json(cfg, *t));
          }
          auto snap = parse_json(b.snapshot);
          if (snap.is_object()) {
            snap.as_object()["typical"] = std::move(typical_j);
            auto& figs = snap.as_object()["figures"];
            if (figs.is_object()) {
              figs.as_object()["typical_count"] = std::to_string(e.typical_case_ids->size());
            }
          }
          b.snapshot = json::serialize(snap);
        }
        b.version += 1;
        b.updated_by = actor.user_id;
        b.updated_at = now;
        if (!repo.update(b, found->version)) return make_error("conflict.stale_version", "version");
        const auto after = json::serialize(json::object{
            {"version", b.version}, {"title", b.title}, {"content", parse_json(b.content)}});
        auto ev = make_event(actor, now, "bulletin", b.id, "edit", before, after);
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return b;
      });
}

Expected<storage::BulletinRow> BulletinService::transition(const access::Actor& actor,
                                                           std::int64_t id,
                                                           std::string_view action_name,
                                                           std::optional<int> version,
                                                           const std::string& note) {
  const auto action = bulletin::parse_action(action_name);
  if (!action || *action == bulletin::Action::kEdit) {
    return make_error("bulletin.bad_action", "action");
  }
  const bool head_action =
      *action == bulletin::Action::kApprove || *action == bulletin::Action::kReject;
  if (auto s = access::require(actor, head_action ? access::Permission::kBulletinsApprove
                                                  : access::Permission::kBulletinsDraft);
      !s) {
    return s.error();
  }
  if (note.size() > 2000) return make_error("field.too_long", "note").with("max", "2000");
  if (*action == bulletin::Action::kPublish) {
    // Idempotent: the version a retry carries may be the one before the crash.
    return publish(actor, id);
  }
  const Millis now = ctx_.clock.now();
  return in_tx<storage::BulletinRow>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        storage::BulletinRepo repo(c, actor.tenant_id);
        auto found = repo.find_for_update(id);
        if (!found) return make_error("bulletin.not_found");
        auto b = *found;
        if (version && *version != b.version) {
          return make_error("conflict.stale_version", "version")
              .with("current", std::to_string(b.version));
        }
        const auto st = bulletin::parse_state(b.state).value_or(bulletin::State::kPublished);
        auto to = bulletin::apply(st, *action);
        if (!to) return to.error();
        if (*action == bulletin::Action::kApprove) {
          if (auto s = bulletin::check_approver(actor.user_id, b.submitted_by); !s) {
            return s.error();
          }
        }
        const auto before = state_json(b);
        switch (*action) {
          case bulletin::Action::kSubmit:
            b.submitted_by = actor.user_id;
            b.submitted_at = now;
            break;
          case bulletin::Action::kWithdraw:
          case bulletin::Action::kReject:
            b.submitted_by.reset();
            b.submitted_at.reset();
            break;
          case bulletin::Action::kApprove:
            b.approved_by = actor.user_id;
            b.approved_at = now;
            break;
          default:
            break;
        }
        b.state = std::string(bulletin::to_string(*to));
        b.version += 1;
        b.updated_by = actor.user_id;
        b.updated_at = now;
        if (!repo.update(b, found->version)) return make_error("conflict.stale_version", "version");
        auto ev = make_event(actor, now, "bulletin", b.id, std::string(action_name), before,
                             state_json(b), note.empty() ? std::nullopt : std::optional(note));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return b;
      });
}

Expected<storage::BulletinRow> BulletinService::assign_number(const access::Actor& actor,
                                                              std::int64_t id) {
  if (auto s = access::require(actor, access::Permission::kBulletinsDraft); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto tmplx = template_of(actor.tenant_id);
  if (!tmplx) return tmplx.error();
  const Millis now = ctx_.clock.now();
  return in_tx<storage::BulletinRow>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        storage::BulletinRepo repo(c, actor.tenant_id);
        auto found = repo.find_for_update(id);
        if (!found) return make_error("bulletin.not_found");
        auto b = *found;
        if (b.state == "published" || b.number) return b;
        if (b.state != "approved") {
          return make_error("bulletin.invalid_transition")
              .with("state", b.state)
              .with("action", "publish");
        }
        // The notices' numbering: a counter per tenant and year, the tenant's format.
        b.year = year_of(cfg, now);
        b.seq = static_cast<int>(
            storage::next_id(c, actor.tenant_id, "bulletin:" + std::to_string(*b.year)));
        b.number = workflow::format_number(tmplx->number_format, *b.year, *b.seq);
        b.published_at = now;  // the date of issue (成文日期) printed on it
        b.published_by = actor.user_id;
        // The version stays: nothing the editor sees has changed yet.
        if (!repo.update(b, b.version)) return make_error("conflict.stale_version", "version");
        return b;
      });
}

Expected<storage::BulletinRow> BulletinService::publish(const access::Actor& actor,
                                                        std::int64_t id) {
  auto numbered = assign_number(actor, id);
  if (!numbered) return numbered.error();
  if (numbered->state == "published") return numbered;
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto bytes = render(cfg, *numbered);
  if (!bytes) return bytes.error();
  const auto sha = sha256_hex(*bytes);
  if (!write_durably(media_path(ctx_.settings, actor.tenant_id, sha, ".pdf"), *bytes)) {
    throw storage::StorageError(storage::StorageError::Kind::kUnavailable,
                                "cannot write the bulletin PDF to " + ctx_.settings.media_dir);
  }
  const Millis now = ctx_.clock.now();
  const auto size = static_cast<std::int64_t>(bytes->size());
  return in_tx<storage::BulletinRow>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::BulletinRow> {
        storage::BulletinRepo repo(c, actor.tenant_id);
        auto found = repo.find_for_update(id);
        if (!found) return make_error("bulletin.not_found");
        auto b = *found;
        if (b.state == "published") return b;  // another try finished first
        if (b.state != "approved" || !b.number) {
          return make_error("bulletin.invalid_transition")
              .with("state", b.state)
              .with("action", "publish");
        }
        const auto before = state_json(b);
        b.state = "published";
        b.pdf_sha256 = sha;
        b.pdf_size = size;
        b.version += 1;
        b.updated_by = actor.user_id;
        b.updated_at = now;
        if (!repo.update(b, found->version)) return make_error("conflict.stale_version", "version");
        // Delivery: each recipient unit's people in the inbox, and the tenant's robots.
        Outbox out{c, actor.tenant_id, now, cfg};
        std::vector<std::int64_t> users;
        storage::UserRepo people(c, actor.tenant_id);
        for (const auto u : b.recipients) {
          for (const auto p : people.users_of_unit(u)) users.push_back(p);
        }
        const MessageArgs args{
            {"number", *b.number}, {"title", b.title}, {"id", std::to_string(b.id)}};
        out.notify(users, std::nullopt, "bulletin_published", "bulletin_published", args);
        out.robots("bulletin_published", args);
        // The audit record: the number, the archived file's hash and the frozen figures' hash,
        // hash-chained in the ledger like every case event (ledger verify covers it).
        auto after = parse_json(state_json(b));
        after.as_object()["pdf_sha256"] = sha;
        after.as_object()["snapshot_sha256"] = sha256_hex(b.snapshot);
        after.as_object()["recipients"] = json::value_from(b.recipients);
        auto ev =
            make_event(actor, now, "bulletin", b.id, "publish", before, json::serialize(after));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return b;
      });
}

// ---- the document ----

Expected<std::string> BulletinService::render(const TenantCaseConfig& cfg,
                                              const storage::BulletinRow& b) {
  const std::string_view loc = kFirstLocale;
  reports::BulletinDoc doc;
  doc.issuer_mark = cfg.word(loc, "bulletin.pdf.mark", {{"issuer", cfg.workflow.issuer}});
  doc.number = b.number ? *b.number : cfg.word(loc, "bulletin.pdf.unnumbered");
  doc.title = b.title;
  doc.addressees = cfg.word(loc, "bulletin.pdf.addressees");
  doc.signer = cfg.workflow.issuer;
  const Millis dated = b.published_at.value_or(b.approved_at.value_or(ctx_.clock.now()));
  doc.date = long_date(cfg, loc, dated);
  doc.seal = b.state == "approved" || b.state == "published";
  // Until approved it is a draft; the approved text is what publish archives (with its number).
  if (b.state == "draft" || b.state == "submitted") {
    doc.draft_mark = cfg.word(loc, "bulletin.pdf.draft_mark");
  }
  doc.imprint_cc = cfg.word(loc, "bulletin.pdf.cc");
  doc.imprint_printer = cfg.workflow.issuer;
  doc.imprint_date = cfg.word(loc, "bulletin.pdf.printed", {{"date", doc.date}});
  doc.page_format = cfg.word(loc, "bulletin.pdf.page");

  std::vector<std::string> numerals;
  {
    const auto all = cfg.word(loc, "bulletin.pdf.numerals");
    std::size_t i = 0;
    while (i <= all.size()) {
      const auto j = std::min(all.find(',', i), all.size());
      numerals.push_back(all.substr(i, j - i));
      i = j + 1;
    }
  }
  auto numeral = [&](std::size_t n) {
    return n < numerals.size() ? numerals[n] : std::to_string(n + 1);
  };
  const auto snap = parse_json(b.snapshot);
  const json::object empty;
  const auto& so = snap.is_object() ? snap.as_object() : empty;
  auto arr = [&](std::string_view key) -> const json::array* {
    const auto* v = so.if_contains(key);
    return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
  };
  auto s_of = [](const json::value& v, std::string_view key) {
    if (!v.is_object()) return std::string();
    const auto* x = v.as_object().if_contains(key);
    return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  auto names_of = [&](std::string_view key) {
    std::vector<std::string> out;
    if (const auto* a = arr(key)) {
      for (const auto& e : *a) out.push_back(s_of(e, "name"));
    }
    return out;
  };
  const auto sections = sections_of(b);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const auto& s = sections[i];
    reports::BulletinSection out;
    out.heading =
        cfg.word(loc, "bulletin.pdf.heading1", {{"n", numeral(i)}, {"heading", s.heading}});
    out.text = s.text;
    if (s.kind == "ranking") {
      const auto* rk = so.if_contains("ranking");
      if (rk != nullptr && rk->is_object()) {
        reports::BulletinTable t;
        const auto* cols = rk->as_object().if_contains("columns");
        if (cols != nullptr && cols->is_array()) {
          for (const auto& c : cols->as_array()) {
            const std::string name = c.is_string() ? std::string(c.as_string()) : "";
            t.header.push_back(cfg.word(loc, "bulletin.col." + name));
            t.shares.push_back(name == "unit" ? 3.0 : 1.0);
          }
          double sum = 0;
          for (const auto x : t.shares) sum += x;
          for (auto& x : t.shares) x /= sum;
        }
        const auto* rows = rk->as_object().if_contains("rows");
        if (rows != nullptr && rows->is_array()) {
          for (const auto& r : rows->as_array()) {
            std::vector<std::string> cells;
            if (r.is_object()) {
              const auto* cs = r.as_object().if_contains("cells");
              if (cs != nullptr && cs->is_array()) {
                for (const auto& c : cs->as_array()) {
                  cells.push_back(c.is_string() ? std::string(c.as_string()) : "");
                }
              }
            }
            cells.resize(t.header.size());
            t.rows.push_back(std::move(cells));
          }
        }
        if (!t.header.empty()) out.tables.push_back(std::move(t));
      }
    } else if (s.kind == "red_black") {
      const auto red =
          cfg.word(loc, "bulletin.pdf.red", {{"units", list_words(cfg, loc, names_of("red"))}});
      const auto black =
          cfg.word(loc, "bulletin.pdf.black", {{"units", list_words(cfg, loc, names_of("black"))}});
      out.text += (out.text.empty() ? "" : "\n") + red + "\n" + black;
    } else if (s.kind == "overdue") {
      const auto* list = arr("overdue");
      if (list != nullptr && !list->empty()) {
        reports::BulletinTable t;
        t.header = {cfg.word(loc, "bulletin.col.case_no"), cfg.word(loc, "bulletin.col.title"),
                    cfg.word(loc, "bulletin.col.address"), cfg.word(loc, "bulletin.col.unit")};
        t.shares = {0.22, 0.30, 0.24, 0.24};
        for (const auto& e : *list) {
          t.rows.push_back(
              {s_of(e, "case_no"), s_of(e, "title"), s_of(e, "address"), s_of(e, "unit")});
        }
        out.tables.push_back(std::move(t));
      } else {
        out.text += (out.text.empty() ? "" : "\n") + cfg.word(loc, "bulletin.pdf.overdue_empty");
      }
    } else if (s.kind == "typical") {
      if (const auto* list = arr("typical")) {
        std::size_t k = 0;
        for (const auto& e : *list) {
          reports::BulletinCase bc;
          bc.heading = cfg.word(loc, "bulletin.pdf.heading2",
                                {{"n", numeral(k++)}, {"heading", s_of(e, "title")}});
          bc.text = cfg.word(loc, "bulletin.pdf.typical_text",
                             {{"case_no", s_of(e, "case_no")},
                              {"address", s_of(e, "address")},
                              {"category", s_of(e, "category")},
                              {"unit", s_of(e, "unit")},
                              {"closed_on", s_of(e, "closed_on")}});
          for (const auto* stage : {"before", "after"}) {
            reports::BulletinPhoto p;
            p.label = cfg.word(loc, std::string("bulletin.pdf.") + stage);
            const auto* ph = e.is_object() ? e.as_object().if_contains(stage) : nullptr;
            const auto sha = ph != nullptr ? s_of(*ph, "sha256") : std::string();
            if (sha.size() == 64) {
              std::ifstream in(media_path(ctx_.settings, cfg.tenant_id, sha, ".thumb.jpg"),
                               std::ios::binary);
              if (in) {
                std::stringstream ss;
                ss << in.rdbuf();
                p.jpeg = ss.str();
                const auto info = media::inspect(p.jpeg);
                if (const auto* ok = std::get_if<media::ImageInfo>(&info)) {
                  p.width = ok->width;
                  p.height = ok->height;
                } else {
                  p.jpeg.clear();
                }
              }
            }
            bc.photos.push_back(std::move(p));
          }
          out.cases.push_back(std::move(bc));
        }
      }
    }
    doc.sections.push_back(std::move(out));
  }
  return reports::render_bulletin_pdf(doc);
}

Expected<std::string> BulletinService::pdf(const access::Actor& actor, std::int64_t id) {
  auto b = get(actor, id);
  if (!b) return b.error();
  if (b->state == "published" && b->pdf_sha256) {
    std::ifstream in(media_path(ctx_.settings, actor.tenant_id, *b->pdf_sha256, ".pdf"),
                     std::ios::binary);
    if (!in) {
      throw storage::StorageError(
          storage::StorageError::Kind::kUnavailable,
          "the archived bulletin PDF is missing from " + ctx_.settings.media_dir);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  return render(**cfgx, *b);
}

// ---- the schedule ----

int BulletinService::run_schedule() {
  int made = 0;
  std::vector<std::int64_t> tenants;
  {
    auto lease = ctx_.db.acquire();
    for (const auto& t : storage::TenantRepo(*lease).all()) tenants.push_back(t.id);
  }
  const Millis now = ctx_.clock.now();
  for (const auto tenant : tenants) {
    auto tmpl = template_of(tenant);
    if (!tmpl || tmpl->schedule.empty()) continue;
    auto cfgx = config_.get(tenant);
    if (!cfgx) continue;
    const auto& cal = (*cfgx)->calendar;
    const auto today = cal.local_date(now);
    for (const auto& s : tmpl->schedule) {
      // The latest due moment at or before now: this week's (month's) or the one before.
      std::optional<calendar::Date> due;
      for (int back = 0; back <= 31 && !due; ++back) {
        const auto d = cal.local_date(cal.at_local(today, 12 * 60) - back * kDay);
        const bool day_fits =
            s.kind == bulletin::Kind::kWeekly ? calendar::weekday(d) == s.weekday : d.day == s.day;
        if (day_fits && cal.at_local(d, s.minute) <= now) due = d;
      }
      if (!due) continue;
      // The period just before the due day.
      const auto pk =
          s.kind == bulletin::Kind::kWeekly ? kpi::PeriodKind::kWeek : kpi::PeriodKind::kMonth;
      const auto period = kpi::previous(kpi::period_of(pk, *due));
      BulletinDraftRequest q;
      q.kind = std::string(bulletin::to_string(s.kind));
      q.date = calendar::format_date(period.from);
      q.schedule_key = q.kind + ":" + *q.date;
      auto exists = in_tx<bool>(ctx_.db, false, [&](storage::Connection& c) -> Expected<bool> {
        return storage::BulletinRepo(c, tenant).find_by_schedule_key(*q.schedule_key).has_value();
      });
      if (!exists || *exists) continue;
      // The system drafts (user 0, who never approves); the office edits, submits and publishes.
      const auto actor = system_actor(tenant);
      try {
        if (auto b = draft(actor, q); b) ++made;
      } catch (const storage::StorageError& e) {
        if (e.kind() != storage::StorageError::Kind::kUniqueViolation) throw;
      }
    }
  }
  return made;
}

}  // namespace civicloop::app
