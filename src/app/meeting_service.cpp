#include "app/meeting_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <set>

#include "app/outbox.hpp"
#include "domain/text.hpp"
#include "reports/minutes_pdf.hpp"
#include "storage/account_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;
using meetings::ActionItem;
using meetings::ItemState;
using meetings::Meeting;

namespace {

constexpr int kMaxLimit = 200;
constexpr Millis kDay = 24LL * 3600 * 1000;
// With no earlier meeting of the kind, the report looks back this far.
constexpr Millis kDefaultLookBack = 30 * kDay;
constexpr int kMaxEscalationsListed = 50;
constexpr std::size_t kSweepBatch = 250;

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// The ledger's snapshot of a meeting and of an action item: every stored field.
std::string meeting_snapshot(const Meeting& m) {
  json::array attendees;
  for (const auto& a : m.attendees) {
    attendees.push_back(json::object{{"unit_id", opt(a.unit_id)}, {"person_id", opt(a.person_id)}});
  }
  json::array agenda;
  for (const auto& a : m.agenda)
    agenda.push_back(json::object{{"title", a.title}, {"minutes", a.minutes}});
  json::array decisions;
  for (const auto& d : m.decisions) {
    decisions.push_back(json::object{{"text", d.text},
                                     {"owner_unit_id", d.owner_unit_id},
                                     {"owner_person_id", opt(d.owner_person_id)},
                                     {"amount", d.limit.amount},
                                     {"unit", std::string(calendar::to_string(d.limit.unit))}});
  }
  return json::serialize(json::object{{"id", m.id},
                                      {"kind", std::string(meetings::to_string(m.kind))},
                                      {"title", m.title},
                                      {"starts_at", m.starts_at},
                                      {"place", m.place},
                                      {"state", std::string(meetings::to_string(m.state))},
                                      {"attendees", std::move(attendees)},
                                      {"agenda", std::move(agenda)},
                                      {"decisions", std::move(decisions)},
                                      {"report_seq", opt(m.report_seq)},
                                      {"issued_at", opt(m.issued_at)},
                                      {"version", m.version}});
}

std::string item_snapshot(const ActionItem& it) {
  return json::serialize(json::object{
      {"id", it.id},
      {"meeting_id", it.meeting_id},
      {"seq", it.seq},
      {"text", it.text},
      {"owner_unit_id", it.owner_unit_id},
      {"owner_person_id", opt(it.owner_person_id)},
      {"limit", json::object{{"amount", it.limit.amount},
                             {"unit", std::string(calendar::to_string(it.limit.unit))}}},
      {"deadline", it.timer.deadline},
      {"warned_percent", it.timer.warned_percent},
      {"state", std::string(meetings::to_string(it.state))},
      {"overdue", it.overdue},
      {"escalation_level", it.escalation_level},
      {"close_note", it.close_note},
      {"closed_at", opt(it.closed_at)},
      {"closed_by", opt(it.closed_by)},
      {"photo_sha256", it.photo_sha256 ? json::value(*it.photo_sha256) : json::value(nullptr)},
      {"version", it.version}});
}

void record_event(storage::Connection& c, const access::Actor& actor, Millis now,
                  const std::string& type, std::int64_t id, std::string action,
                  std::optional<std::string> before, std::string after,
                  std::optional<std::string> note = std::nullopt) {
  auto ev = make_event(actor, now, type, id, std::move(action), std::move(before), std::move(after),
                       std::move(note));
  storage::LedgerRepo(c, actor.tenant_id).append(ev);
}

std::vector<std::int64_t> hq_office_users(storage::Connection& c, std::int64_t tenant) {
  storage::UserRepo users(c, tenant);
  auto a = users.users_with_role(access::Role::kHqStaff);
  auto b = users.users_with_role(access::Role::kHqAdmin);
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The owner's people: the owner unit's accounts and the owner person's.
std::vector<std::int64_t> owner_users(storage::Connection& c, std::int64_t tenant,
                                      const ActionItem& it) {
  storage::UserRepo users(c, tenant);
  auto out = users.users_of_unit(it.owner_unit_id);
  if (it.owner_person_id) {
    auto p = users.users_of_person(*it.owner_person_id);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// The ladder's targets, as for a case: 1 the head of the owner unit, 2 the liaison leader of the
// owner unit (places have one), 3 the HQ office; the HQ office where a level has nobody.
std::vector<std::int64_t> escalation_targets(storage::Connection& c, std::int64_t tenant,
                                             const ActionItem& it, int level) {
  storage::OrgRepo org(c, tenant);
  storage::UserRepo users(c, tenant);
  std::vector<std::int64_t> out;
  if (level == 1) {
    if (auto head = org.head_membership(it.owner_unit_id)) {
      if (auto m = org.find_membership(*head)) out = users.users_of_person(m->m.person_id);
    }
  } else if (level == 2) {
    if (auto l = org.liaison_of_unit(it.owner_unit_id)) out = users.users_of_person(l->l.leader_id);
  }
  if (out.empty()) out = hq_office_users(c, tenant);
  return out;
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

meetings::ItemWho who_of(storage::Connection& c, const access::Actor& actor, const ActionItem& it) {
  meetings::ItemWho w;
  w.role = actor.role;
  w.in_owner_unit =
      access::needs_unit(actor.role) && !actor.scope.all && actor.scope.covers(it.owner_path);
  if (it.owner_person_id && actor.user_id != 0) {
    if (auto u = storage::UserRepo(c, actor.tenant_id).find(actor.user_id)) {
      w.is_owner_person = u->person_id && *u->person_id == *it.owner_person_id;
    }
  }
  return w;
}

// Every unit and person a meeting names exists and is active.
Status check_refs(storage::Connection& c, std::int64_t tenant, const Meeting& m,
                  std::map<std::int64_t, std::string>* owner_paths) {
  storage::OrgRepo org(c, tenant);
  auto unit_ok = [&](std::int64_t id, const std::string& field) -> Status {
    auto u = org.find_unit(id);
    if (!u || u->retired) return make_error("org.unit_not_found", field);
    if (owner_paths != nullptr) (*owner_paths)[id] = u->path;
    return Ok{};
  };
  auto person_ok = [&](std::int64_t id, const std::string& field) -> Status {
    auto p = org.find_person(id);
    if (!p || p->retired) return make_error("org.person_not_found", field);
    return Ok{};
  };
  for (std::size_t i = 0; i < m.attendees.size(); ++i) {
    const auto f = "attendees[" + std::to_string(i) + "]";
    if (m.attendees[i].unit_id) {
      if (auto s = unit_ok(*m.attendees[i].unit_id, f + ".unit_id"); !s) return s;
    }
    if (m.attendees[i].person_id) {
      if (auto s = person_ok(*m.attendees[i].person_id, f + ".person_id"); !s) return s;
    }
  }
  for (std::size_t i = 0; i < m.decisions.size(); ++i) {
    const auto f = "decisions[" + std::to_string(i) + "]";
    if (auto s = unit_ok(m.decisions[i].owner_unit_id, f + ".owner_unit_id"); !s) return s;
    if (m.decisions[i].owner_person_id) {
      if (auto s = person_ok(*m.decisions[i].owner_person_id, f + ".owner_person_id"); !s) {
        return s;
      }
    }
  }
  return Ok{};
}

std::optional<std::pair<Millis, std::int64_t>> parse_pair_cursor(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return std::nullopt;
  Millis a = 0;
  std::int64_t b = 0;
  const auto* s = text.data();
  if (std::from_chars(s, s + dot, a).ec != std::errc() ||
      std::from_chars(s + dot + 1, s + text.size(), b).ec != std::errc()) {
    return std::nullopt;
  }
  return std::pair{a, b};
}

}  // namespace

Expected<MeetingView> MeetingService::create(const access::Actor& actor, Meeting in) {
  if (auto s = meetings::may_manage(actor.role); !s) return s.error();
  if (auto s = meetings::check(in); !s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<MeetingView>(ctx_.db, true, [&](storage::Connection& c) -> Expected<MeetingView> {
    if (auto s = check_refs(c, actor.tenant_id, in, nullptr); !s) return s.error();
    Meeting m = std::move(in);
    m.id = storage::next_id(c, actor.tenant_id, "meetings");
    m.state = meetings::State::kScheduled;
    m.report.reset();
    m.report_seq.reset();
    m.issued_at.reset();
    if (actor.user_id != 0) m.created_by = actor.user_id;
    m.created_at = now;
    m.updated_at = now;
    m.version = 1;
    storage::MeetingRepo(c, actor.tenant_id).insert(m);
    record_event(c, actor, now, "meeting", m.id, "schedule", std::nullopt, meeting_snapshot(m));
    return MeetingView{m, {}};
  });
}

Expected<MeetingView> MeetingService::update(const access::Actor& actor, std::int64_t id,
                                             Meeting in, int version) {
  if (auto s = meetings::may_manage(actor.role); !s) return s.error();
  if (auto s = meetings::check(in); !s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<MeetingView>(ctx_.db, true, [&](storage::Connection& c) -> Expected<MeetingView> {
    storage::MeetingRepo repo(c, actor.tenant_id);
    auto found = repo.find(id);
    if (!found) return make_error("meeting.not_found");
    if (found->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(found->version));
    }
    if (auto s = meetings::may_edit(*found); !s) return s.error();
    if (auto s = check_refs(c, actor.tenant_id, in, nullptr); !s) return s.error();
    const auto before = meeting_snapshot(*found);
    Meeting m = *found;
    m.kind = in.kind;
    m.title = std::move(in.title);
    m.starts_at = in.starts_at;
    m.place = std::move(in.place);
    m.attendees = std::move(in.attendees);
    m.agenda = std::move(in.agenda);
    m.decisions = std::move(in.decisions);
    m.updated_at = now;
    m.version = version + 1;
    if (!repo.update(m, version)) return make_error("conflict.stale_version", "version");
    record_event(c, actor, now, "meeting", m.id, "edit", before, meeting_snapshot(m));
    return MeetingView{m, {}};
  });
}

Expected<json::object> MeetingService::report(const access::Actor& actor, std::int64_t id) {
  if (auto s = meetings::may_read_meetings(actor.role); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto m = in_tx<Meeting>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Meeting> {
    auto f = storage::MeetingRepo(c, actor.tenant_id).find(id);
    if (!f) return make_error("meeting.not_found");
    return *f;
  });
  if (!m) return m.error();
  if (m->report) {
    boost::system::error_code ec;
    auto v = json::parse(*m->report, ec);
    if (!ec && v.is_object()) return v.as_object();
  }
  // Read now: since the last minuted meeting of the kind (its frozen ledger seq), up to this
  // meeting's time, or now for a meeting still ahead.
  const Millis now = ctx_.clock.now();
  const Millis until = std::max(m->starts_at, now);
  auto prev = in_tx<std::optional<Meeting>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::optional<Meeting>> {
        return storage::MeetingRepo(c, actor.tenant_id).last_minuted(m->kind, m->starts_at, m->id);
      });
  if (!prev) return prev.error();
  const Millis since = *prev ? (*prev)->starts_at : until - kDefaultLookBack;
  json::object out{{"kind", std::string(meetings::to_string(m->kind))},
                   {"since", format_iso_utc(since)},
                   {"until", format_iso_utc(until)},
                   {"previous_meeting_id", *prev ? json::value((*prev)->id) : json::value(nullptr)},
                   {"frozen", false}};
  // The units' figures over the days between the meetings (the KPI use case, scoped like it).
  KpiQuery q;
  q.level = "unit";
  q.period = "range";
  // A range of at most a year (the KPI periods' bound): a meeting a year after the last looks at
  // the last year.
  q.from = cfg.local_text(std::max(since, until - 365 * kDay)).substr(0, 10);
  q.to = cfg.local_text(until).substr(0, 10);
  if (*q.to < *q.from) q.to = q.from;
  json::array units;
  json::array black;
  json::array reworked;
  if (auto r = kpis_.rankings(actor, q)) {
    for (const auto& row : r->rows) {
      const auto& f = row.row.figures;
      const auto rework = f.rates.find(kpi::Indicator::kRework);
      const std::int64_t rework_n = rework == f.rates.end() ? 0 : rework->second.num;
      json::object u{{"id", row.row.id},
                     {"name", row.row.name},
                     {"due", f.due},
                     {"closed", f.closed},
                     {"overdue", f.overdue},
                     {"reworked", rework_n},
                     {"score", opt(row.row.score)},
                     {"grade", row.row.grade},
                     {"rank", row.entry.rank ? json::value(*row.entry.rank) : json::value(nullptr)},
                     {"red", row.entry.red},
                     {"black", row.entry.black}};
      if (row.entry.black) black.push_back(u);
      if (rework_n > 0) reworked.push_back(u);
      units.push_back(std::move(u));
    }
    out["period"] = json::object{{"from", calendar::format_date(r->period.from)},
                                 {"to", calendar::format_date(r->period.to)}};
  } else {
    return r.error();
  }
  out["units"] = std::move(units);
  auto rest =
      in_tx<json::object>(ctx_.db, false, [&](storage::Connection& c) -> Expected<json::object> {
        json::object o;
        storage::MeetingRepo repo(c, actor.tenant_id);
        const auto esc = repo.escalations(*prev ? (*prev)->report_seq : std::nullopt, since, until,
                                          kMaxEscalationsListed + 1);
        storage::CaseRepo cases(c, actor.tenant_id);
        json::array list;
        for (std::size_t i = 0; i < esc.size() && i < kMaxEscalationsListed; ++i) {
          auto r = cases.find(esc[i].case_id);
          if (!r ||
              (!actor.scope.all && !(r->assigned_path && actor.scope.covers(*r->assigned_path)))) {
            continue;
          }
          list.push_back(json::object{{"case_id", r->id},
                                      {"case_no", r->case_no},
                                      {"title", r->title},
                                      {"unit", cfg.unit_name(r->assigned_unit_id)},
                                      {"at", format_iso_utc(esc[i].at)},
                                      {"note", esc[i].note}});
        }
        o["escalations"] =
            json::object{{"items", std::move(list)},
                         {"more", esc.size() > static_cast<std::size_t>(kMaxEscalationsListed)}};
        if (m->kind == meetings::Kind::kProgress) {
          // 查漏补缺: what the figures and the open work say is left.
          json::array overdue_units;
          for (const auto& [unit, open, overdue] : cases.open_counts_by_unit()) {
            if (overdue <= 0) continue;
            const auto* u = cfg.unit(unit);
            if (u == nullptr || (!actor.scope.all && !actor.scope.covers(u->path))) continue;
            overdue_units.push_back(json::object{
                {"id", unit}, {"name", u->name}, {"open", open}, {"overdue", overdue}});
          }
          storage::ActionItemQuery iq;
          iq.state = ItemState::kOpen;
          iq.scope = &actor.scope;
          iq.limit = kMaxLimit;
          json::array open_items;
          for (const auto& it : repo.items(iq)) {
            if (it.meeting_id == m->id) continue;
            open_items.push_back(json::object{{"id", it.id},
                                              {"meeting_id", it.meeting_id},
                                              {"text", it.text},
                                              {"owner", cfg.unit_name(it.owner_unit_id)},
                                              {"deadline", format_iso_utc(it.timer.deadline)},
                                              {"overdue", it.overdue},
                                              {"escalation_level", it.escalation_level}});
          }
          o["gaps"] = json::object{{"black_listed", black},
                                   {"overdue_cases", std::move(overdue_units)},
                                   {"reworked", reworked},
                                   {"open_items", std::move(open_items)}};
        }
        return o;
      });
  if (!rest) return rest.error();
  for (auto& [k, v] : *rest) out[k] = v;
  return out;
}

Expected<MeetingView> MeetingService::issue(const access::Actor& actor, std::int64_t id,
                                            int version) {
  if (auto s = meetings::may_manage(actor.role); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  // The report read before the write (it reads the counters in transactions of its own); frozen
  // with the minutes. A case escalated in between is listed by the next meeting's report.
  auto rep = report(actor, id);
  if (!rep) return rep.error();
  (*rep)["frozen"] = true;
  const Millis now = ctx_.clock.now();
  const cases::EscalationLadder ladder{cfg.workflow.escalation_percents};
  return in_tx<MeetingView>(ctx_.db, true, [&](storage::Connection& c) -> Expected<MeetingView> {
    storage::MeetingRepo repo(c, actor.tenant_id);
    auto found = repo.find(id);
    if (!found) return make_error("meeting.not_found");
    if (found->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(found->version));
    }
    if (auto s = meetings::may_issue(*found, now); !s) return s.error();
    std::map<std::int64_t, std::string> paths;
    if (auto s = check_refs(c, actor.tenant_id, *found, &paths); !s) return s.error();
    const auto before = meeting_snapshot(*found);
    Meeting m = *found;
    m.state = meetings::State::kMinuted;
    m.issued_at = now;
    m.report_seq = storage::LedgerRepo(c, actor.tenant_id).head().seq;
    m.report = json::serialize(*rep);
    m.updated_at = now;
    m.version = version + 1;
    if (!repo.update(m, version)) return make_error("conflict.stale_version", "version");
    record_event(c, actor, now, "meeting", m.id, "issue", before, meeting_snapshot(m));
    MeetingView view{m, {}};
    Outbox out{c, actor.tenant_id, now, cfg};
    for (std::size_t i = 0; i < m.decisions.size(); ++i) {
      const auto& d = m.decisions[i];
      ActionItem it = meetings::make_item(m, static_cast<int>(i) + 1, d, paths[d.owner_unit_id],
                                          now, cfg.calendar, ladder);
      it.id = storage::next_id(c, actor.tenant_id, "action_items");
      repo.insert_item(it);
      record_event(c, actor, now, "action_item", it.id, "assign", std::nullopt, item_snapshot(it));
      const MessageArgs args{{"title", it.text},
                             {"meeting", m.title},
                             {"deadline", cfg.local_text(it.timer.deadline)}};
      out.notify(owner_users(c, actor.tenant_id, it), std::nullopt, "action_item_assigned",
                 "action_item_assigned", args);
      view.items.push_back(std::move(it));
    }
    return view;
  });
}

Expected<MeetingView> MeetingService::cancel(const access::Actor& actor, std::int64_t id,
                                             int version) {
  if (auto s = meetings::may_manage(actor.role); !s) return s.error();
  const Millis now = ctx_.clock.now();
  return in_tx<MeetingView>(ctx_.db, true, [&](storage::Connection& c) -> Expected<MeetingView> {
    storage::MeetingRepo repo(c, actor.tenant_id);
    auto found = repo.find(id);
    if (!found) return make_error("meeting.not_found");
    if (found->version != version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(found->version));
    }
    if (auto s = meetings::may_edit(*found); !s) return s.error();
    const auto before = meeting_snapshot(*found);
    Meeting m = *found;
    m.state = meetings::State::kCancelled;
    m.updated_at = now;
    m.version = version + 1;
    if (!repo.update(m, version)) return make_error("conflict.stale_version", "version");
    record_event(c, actor, now, "meeting", m.id, "cancel", before, meeting_snapshot(m));
    return MeetingView{m, {}};
  });
}

Expected<MeetingView> MeetingService::get(const access::Actor& actor, std::int64_t id) {
  if (auto s = meetings::may_read_meetings(actor.role); !s) return s.error();
  return in_tx<MeetingView>(ctx_.db, false, [&](storage::Connection& c) -> Expected<MeetingView> {
    storage::MeetingRepo repo(c, actor.tenant_id);
    auto m = repo.find(id);
    if (!m) return make_error("meeting.not_found");
    storage::ActionItemQuery q;
    q.meeting_id = id;
    q.limit = static_cast<int>(meetings::kMaxDecisions);
    return MeetingView{*m, repo.items(q)};
  });
}

Expected<MeetingPage> MeetingService::list(const access::Actor& actor,
                                           std::optional<meetings::Kind> kind, int limit,
                                           const std::optional<std::string>& cursor) {
  if (auto s = meetings::may_read_meetings(actor.role); !s) return s.error();
  storage::MeetingQuery q;
  q.kind = kind;
  q.limit = std::clamp(limit, 1, kMaxLimit);
  if (cursor) {
    auto p = parse_pair_cursor(*cursor);
    if (!p) return make_error("request.invalid_cursor", "cursor");
    q.before_starts_at = p->first;
    q.before_id = p->second;
  }
  return in_tx<MeetingPage>(ctx_.db, false, [&](storage::Connection& c) -> Expected<MeetingPage> {
    q.limit += 1;
    MeetingPage page;
    page.items = storage::MeetingRepo(c, actor.tenant_id).list(q);
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.items.pop_back();
      const auto& last = page.items.back();
      page.next_cursor = std::to_string(last.starts_at) + "." + std::to_string(last.id);
    }
    return page;
  });
}

Expected<ItemPage> MeetingService::items(const access::Actor& actor,
                                         std::optional<std::int64_t> meeting_id,
                                         std::optional<ItemState> state, bool overdue_only,
                                         int limit, const std::optional<std::string>& cursor) {
  meetings::ItemWho who;
  who.role = actor.role;
  who.in_owner_unit = access::needs_unit(actor.role);  // the list is filtered to the scope
  if (auto s = meetings::may_read(who); !s) return s.error();
  storage::ActionItemQuery q;
  q.meeting_id = meeting_id;
  q.state = state;
  q.overdue_only = overdue_only;
  q.limit = std::clamp(limit, 1, kMaxLimit) + 1;
  // Unit-bound roles see their own subtree's items; tenant-wide readers all of them.
  const bool tenant_reader = meetings::may_read_meetings(actor.role).ok();
  if (!tenant_reader) q.scope = &actor.scope;
  if (cursor) {
    std::int64_t after = 0;
    const auto* s = cursor->data();
    if (std::from_chars(s, s + cursor->size(), after).ec != std::errc()) {
      return make_error("request.invalid_cursor", "cursor");
    }
    q.after_id = after;
  }
  return in_tx<ItemPage>(ctx_.db, false, [&](storage::Connection& c) -> Expected<ItemPage> {
    ItemPage page;
    page.items = storage::MeetingRepo(c, actor.tenant_id).items(q);
    if (static_cast<int>(page.items.size()) == q.limit) {
      page.items.pop_back();
      page.next_cursor = std::to_string(page.items.back().id);
    }
    return page;
  });
}

Expected<ActionItem> MeetingService::item(const access::Actor& actor, std::int64_t id) {
  return in_tx<ActionItem>(ctx_.db, false, [&](storage::Connection& c) -> Expected<ActionItem> {
    auto it = storage::MeetingRepo(c, actor.tenant_id).find_item(id);
    if (!it) return make_error("action_item.not_found");
    if (auto s = meetings::may_read(who_of(c, actor, *it)); !s) return s.error();
    return *it;
  });
}

Expected<ActionItem> MeetingService::close_item(const access::Actor& actor, std::int64_t id,
                                                const std::string& note, std::string_view photo,
                                                std::optional<int> version) {
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  // Everything but the photo first: nothing is decoded for an item the actor may not close.
  auto pre = in_tx<ActionItem>(ctx_.db, false, [&](storage::Connection& c) -> Expected<ActionItem> {
    auto it = storage::MeetingRepo(c, actor.tenant_id).find_item(id);
    if (!it) return make_error("action_item.not_found");
    const auto who = who_of(c, actor, *it);
    if (auto s = meetings::may_read(who); !s) return s.error();
    if (version && *version != it->version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(it->version));
    }
    if (auto s = meetings::may_close(*it, who, note, !photo.empty()); !s) return s.error();
    return *it;
  });
  if (!pre) return pre.error();
  if (evidence_ == nullptr) return make_error("media.busy");
  auto stored = evidence_->store_photo(actor, photo, cfg.calendar.utc_offset_minutes());
  if (!stored) return stored.error();
  const Millis now = ctx_.clock.now();
  return in_tx<ActionItem>(ctx_.db, true, [&](storage::Connection& c) -> Expected<ActionItem> {
    storage::MeetingRepo repo(c, actor.tenant_id);
    auto found = repo.find_item(id);
    if (!found) return make_error("action_item.not_found");
    if (found->version != pre->version) {
      return make_error("conflict.stale_version", "version")
          .with("current", std::to_string(found->version));
    }
    if (auto s = meetings::may_close(*found, who_of(c, actor, *found), note, true); !s) {
      return s.error();
    }
    const auto before = item_snapshot(*found);
    ActionItem it = *found;
    it.state = ItemState::kDone;
    it.close_note = text::trim(note);
    it.closed_at = now;
    if (actor.user_id != 0) it.closed_by = actor.user_id;
    it.photo_sha256 = stored->sha256;
    it.photo_content_type = stored->content_type;
    std::string flags;
    if (!stored->lat) flags = "no_gps";
    if (!stored->taken_at) flags += std::string(flags.empty() ? "" : ",") + "no_time";
    it.photo_flags = flags;
    cases::pause(it.timer, now, cfg.calendar);
    it.next_check_at.reset();
    it.updated_at = now;
    it.version = found->version + 1;
    if (!repo.update_item(it, found->version)) {
      return make_error("conflict.stale_version", "version");
    }
    record_event(c, actor, now, "action_item", it.id, "close", before, item_snapshot(it));
    return it;
  });
}

Expected<StoredFile> MeetingService::item_photo(const access::Actor& actor, std::int64_t id,
                                                bool thumbnail) {
  auto it = item(actor, id);
  if (!it) return it.error();
  if (!it->photo_sha256) return make_error("action_item.no_photo");
  if (evidence_ == nullptr) return make_error("media.busy");
  return evidence_->file_of(actor.tenant_id, *it->photo_sha256, it->photo_content_type, thumbnail);
}

Expected<std::string> MeetingService::minutes_pdf(const access::Actor& actor, std::int64_t id,
                                                  std::string_view locale) {
  auto v = get(actor, id);
  if (!v) return v.error();
  if (v->meeting.state != meetings::State::kMinuted) return make_error("meeting.not_minuted");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const auto& m = v->meeting;
  auto people = in_tx<std::map<std::int64_t, std::string>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::map<std::int64_t, std::string>> {
        std::map<std::int64_t, std::string> out;
        storage::OrgRepo org(c, actor.tenant_id);
        auto add = [&](const std::optional<std::int64_t>& p) {
          if (!p || out.contains(*p)) return;
          if (auto x = org.find_person(*p)) out[*p] = x->name;
        };
        for (const auto& a : m.attendees) add(a.person_id);
        for (const auto& it : v->items) add(it.owner_person_id);
        return out;
      });
  if (!people) return people.error();
  auto w = [&](std::string_view key, const MessageArgs& args = {}) {
    return cfg.word(locale, key, args);
  };
  reports::MinutesDoc doc;
  doc.issuer = cfg.workflow.issuer;
  doc.title = w("minutes.pdf.title", {{"title", m.title}});
  doc.time = w("minutes.pdf.when", {{"date", long_date(cfg, locale, m.starts_at)},
                                    {"time", cfg.local_text(m.starts_at).substr(11)}});
  doc.place = m.place;
  const auto sep = w("minutes.pdf.separator");
  for (const auto& a : m.attendees) {
    std::string name;
    if (a.unit_id) name = cfg.unit_name(*a.unit_id);
    if (a.person_id) {
      const auto p = (*people)[*a.person_id];
      name = name.empty() ? p : w("minutes.pdf.owner_person", {{"unit", name}, {"person", p}});
    }
    if (name.empty()) continue;
    doc.attendees += (doc.attendees.empty() ? "" : sep) + name;
  }
  // "一、" … from the locale's list of numerals; past its end, the Arabic number.
  std::vector<std::string> numerals;
  {
    const auto list = w("minutes.pdf.numerals");
    std::size_t i = 0;
    while (i <= list.size()) {
      auto j = list.find(',', i);
      if (j == std::string::npos) j = list.size();
      numerals.push_back(list.substr(i, j - i));
      i = j + 1;
    }
  }
  for (std::size_t i = 0; i < m.agenda.size(); ++i) {
    const auto n = i < numerals.size() ? numerals[i] : std::to_string(i + 1);
    doc.agenda.push_back(
        {w("minutes.pdf.heading", {{"n", n}, {"title", m.agenda[i].title}}), m.agenda[i].minutes});
  }
  for (const auto& it : v->items) {
    reports::MinutesDecision d;
    d.text = it.text;
    d.owner = cfg.unit_name(it.owner_unit_id);
    if (it.owner_person_id) {
      d.owner = w("minutes.pdf.owner_person",
                  {{"unit", d.owner}, {"person", (*people)[*it.owner_person_id]}});
    }
    d.deadline = cfg.local_text(it.timer.deadline);
    d.overdue = it.overdue && it.state == ItemState::kOpen;
    if (it.state == ItemState::kDone) {
      d.state = w(it.overdue ? "minutes.item_state.done_late" : "minutes.item_state.done",
                  {{"date", cfg.local_text(it.closed_at).substr(0, 10)}});
    } else if (it.overdue) {
      d.state = w("minutes.item_state.overdue", {{"level", std::to_string(it.escalation_level)}});
    } else {
      d.state = w("minutes.item_state.open");
    }
    doc.decisions.push_back(std::move(d));
  }
  doc.signature = cfg.workflow.issuer;
  doc.date = long_date(cfg, locale, m.issued_at.value_or(m.starts_at));
  auto& l = doc.labels;
  l.time = w("minutes.pdf.time");
  l.place = w("minutes.pdf.place");
  l.attendees = w("minutes.pdf.attendees");
  l.agenda = w("minutes.pdf.agenda");
  l.decisions = w("minutes.pdf.decisions");
  for (const char* k : {"index", "text", "owner", "deadline", "state"}) {
    l.columns.push_back(w(std::string("minutes.pdf.col.") + k));
  }
  l.none = w("minutes.pdf.none");
  l.page = w("minutes.pdf.page");
  return reports::render_minutes_pdf(doc);
}

MeetingSweepStats MeetingService::sweep(Millis now, int max_items) {
  MeetingSweepStats stats;
  auto due = in_tx<std::vector<std::pair<std::int64_t, std::int64_t>>>(
      ctx_.db, false,
      [&](storage::Connection& c) -> Expected<std::vector<std::pair<std::int64_t, std::int64_t>>> {
        return storage::MeetingRepo::due_items(c, now, max_items);
      });
  if (!due) return stats;
  std::map<std::int64_t, std::vector<std::int64_t>> by_tenant;
  for (const auto& [tenant, id] : *due) by_tenant[tenant].push_back(id);
  for (const auto& [tenant, ids] : by_tenant) {
    auto cfgx = config_.get(tenant);
    if (!cfgx) continue;
    const auto& cfg = **cfgx;
    const auto actor = system_actor(tenant);
    const cases::EscalationLadder ladder{cfg.workflow.escalation_percents};
    for (std::size_t at = 0; at < ids.size(); at += kSweepBatch) {
      MeetingSweepStats part;
      auto done = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
        part = {};
        storage::MeetingRepo repo(c, tenant);
        Outbox out{c, tenant, now, cfg};
        for (std::size_t i = at; i < ids.size() && i < at + kSweepBatch; ++i) {
          auto found = repo.find_item(ids[i]);
          if (!found) continue;
          ++part.checked;
          ActionItem it = *found;
          if (!it.next_check_at || *it.next_check_at > now) continue;  // checked meanwhile
          const auto before = item_snapshot(it);
          const auto marks = meetings::sweep(it, now, cfg.calendar, ladder);
          if (!marks.any()) {
            // Only the sweep's hint moved (not in the snapshot): no new version, no event.
            repo.update_item(it, it.version);
            continue;
          }
          it.updated_at = now;
          it.version = found->version + 1;
          if (!repo.update_item(it, found->version)) continue;  // changed meanwhile: next pass
          MessageArgs args{{"title", it.text},
                           {"unit", cfg.unit_name(it.owner_unit_id)},
                           {"deadline", cfg.local_text(it.timer.deadline)}};
          std::string note;
          for (const int mark : marks.reminders) {
            auto a = args;
            a.emplace_back("percent", std::to_string(mark));
            out.notify(owner_users(c, tenant, it), std::nullopt, "action_item_reminder",
                       "action_item_reminder", a);
            note += (note.empty() ? "marks=" : ",") + std::to_string(mark);
            ++part.reminders;
          }
          std::string action = "remind";
          if (marks.escalated) {
            args.emplace_back("level", std::to_string(it.escalation_level));
            out.notify(escalation_targets(c, tenant, it, it.escalation_level), std::nullopt,
                       "action_item_escalated", "action_item_escalated", args);
            out.robots("action_item_escalated", args);
            action = "escalate";
            note = "level=" + std::to_string(it.escalation_level);
            ++part.escalations;
          } else if (marks.turned_overdue) {
            action = "overdue";
            note.clear();
          }
          record_event(c, actor, now, "action_item", it.id, action, before, item_snapshot(it),
                       note.empty() ? std::nullopt : std::optional<std::string>(note));
        }
        return Ok{};
      });
      if (!done) continue;
      stats.checked += part.checked;
      stats.reminders += part.reminders;
      stats.escalations += part.escalations;
    }
  }
  return stats;
}

}  // namespace civicloop::app
