#include "app/digest_service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "app/figure_text.hpp"
#include "app/outbox.hpp"
#include "storage/account_repo.hpp"
#include "storage/dashboard_repo.hpp"
#include "storage/kpi_repo.hpp"
#include "storage/notify_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

std::vector<digest::Schedule> default_digest_schedule() {
  return {{digest::Kind::kDaily, 1, 8 * 60 + 30}, {digest::Kind::kWeekly, 1, 8 * 60 + 30}};
}

Expected<std::vector<digest::Schedule>> parse_digest_schedule(const json::value& kpi_doc) {
  const auto* d = kpi_doc.if_object();
  const auto* list = d != nullptr ? d->if_contains("digests") : nullptr;
  if (list == nullptr) return default_digest_schedule();
  const auto bad = [] { return make_error("digest.bad_schedule", "digests"); };
  if (!list->is_array()) return bad();
  std::vector<digest::Schedule> out;
  for (const auto& e : list->as_array()) {
    const auto* o = e.if_object();
    const auto* kind = o != nullptr ? o->if_contains("kind") : nullptr;
    const auto* time = o != nullptr ? o->if_contains("time") : nullptr;
    if (kind == nullptr || !kind->is_string() || time == nullptr || !time->is_string()) {
      return bad();
    }
    digest::Schedule s;
    const auto k = digest::parse_kind(kind->as_string());
    const auto minute = calendar::parse_minute_of_day(time->as_string());
    if (!k || !minute) return bad();
    s.kind = *k;
    s.minute = *minute;
    if (const auto* w = o->if_contains("weekday"); w != nullptr) {
      if (!w->is_int64()) return bad();
      s.weekday = static_cast<int>(w->as_int64());
    }
    out.push_back(s);
  }
  if (auto st = digest::check(out); !st) return st.error();
  return out;
}

namespace {

std::string percent(const kpi::Figures& f, kpi::Indicator i) {
  const auto it = f.rates.find(i);
  // No case: no rate ("—", punctuation, the same in every language).
  return (it == f.rates.end() ? std::nullopt : percent_text(it->second)).value_or("—");
}

void add_date(MessageArgs& args, const std::string& prefix, const calendar::Date& d) {
  args.emplace_back(prefix, calendar::format_date(d));
  args.emplace_back(prefix + "_year", std::to_string(d.year));
  args.emplace_back(prefix + "_month", std::to_string(d.month));
  args.emplace_back(prefix + "_day", std::to_string(d.day));
}

KpiQuery query_of(const kpi::Period& p, std::optional<std::int64_t> id) {
  KpiQuery q;
  q.level = "unit";
  q.period = std::string(kpi::to_string(p.kind));
  q.date = calendar::format_date(p.from);
  q.id = id;
  return q;
}

}  // namespace

Expected<std::vector<digest::Schedule>> DigestService::schedule_of(std::int64_t tenant_id) {
  auto doc = in_tx<std::optional<std::string>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::optional<std::string>> {
        return storage::KpiRepo(c, tenant_id).settings_doc();
      });
  if (!doc) return doc.error();
  if (!doc.value()) return default_digest_schedule();
  boost::system::error_code ec;
  const auto v = json::parse(**doc, ec);
  if (ec) return default_digest_schedule();
  return parse_digest_schedule(v);
}

Expected<std::vector<DigestMessage>> DigestService::compose(std::int64_t tenant_id,
                                                            const digest::Due& due,
                                                            std::optional<std::int64_t> only) {
  auto cfgx = config_.get(tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  const auto sys = system_actor(tenant_id);
  auto figures = kpis_.kpis(sys, query_of(due.figures, only));
  if (!figures) return figures.error();
  auto ranking = kpis_.rankings(sys, query_of(due.ranking, std::nullopt));
  if (!ranking) return ranking.error();
  std::map<std::int64_t, const RankingRow*> ranked;
  int ranked_count = 0;
  for (const auto& r : ranking->rows) {
    ranked[r.row.id] = &r;
    if (r.entry.rank) ++ranked_count;
  }
  // Open and overdue now, per unit (the dashboard's counters, kept by triggers).
  std::map<std::int64_t, storage::OpenCount> open;
  auto counted = in_tx<Ok>(ctx_.db, false, [&](storage::Connection& c) -> Status {
    for (const auto& o : storage::DashboardRepo(c, tenant_id).open_counts()) {
      if (o.unit_id == 0) continue;
      auto& t = open[o.unit_id];
      t.unit_id = o.unit_id;
      t.open += o.open;
      t.overdue += o.overdue;
    }
    return Ok{};
  });
  if (!counted) return counted.error();

  std::map<std::int64_t, kpi::Figures> period;
  for (const auto& row : figures->rows) period[row.id] = row.figures;
  std::set<std::int64_t> units;
  if (only) {
    units.insert(*only);
  } else {
    for (const auto& [id, f] : period) units.insert(id);
    for (const auto& [id, o] : open) units.insert(id);
  }
  const auto key = std::string("digest_") + std::string(digest::to_string(due.kind));
  std::vector<DigestMessage> out;
  for (const auto id : units) {
    const auto* u = cfg.unit(id);
    if (u == nullptr || u->retired) continue;
    const auto f = period.count(id) ? period[id] : kpi::Figures{};
    const auto o = open.count(id) ? open[id] : storage::OpenCount{};
    // Nothing happened and nothing is open: no message (a preview shows it all the same).
    if (!only && f.dispatched == 0 && f.closed == 0 && f.overdue == 0 && o.open == 0) continue;
    DigestMessage m;
    m.unit_id = id;
    m.unit_name = u->name;
    m.kind = due.kind;
    m.due = due;
    m.key = key;
    auto& a = m.args;
    a.emplace_back("unit", u->name);
    if (u->name_en && !u->name_en->empty()) a.emplace_back("unit:en", *u->name_en);
    add_date(a, "from", due.figures.from);
    add_date(a, "to", due.figures.to);
    add_date(a, "rank_from", due.ranking.from);
    a.emplace_back("dispatched", std::to_string(f.dispatched));
    a.emplace_back("closed", std::to_string(f.closed));
    a.emplace_back("overdue", std::to_string(f.overdue));
    a.emplace_back("open", std::to_string(o.open));
    a.emplace_back("open_overdue", std::to_string(o.overdue));
    // The ranking period's rates, score and rank (the month so far, or the week).
    const auto it = ranked.find(id);
    const kpi::Figures rf = it != ranked.end() ? it->second->row.figures : kpi::Figures{};
    a.emplace_back("closed_on_time", percent(rf, kpi::Indicator::kClosedOnTime));
    a.emplace_back("ack_on_time", percent(rf, kpi::Indicator::kAckOnTime));
    a.emplace_back("rework", percent(rf, kpi::Indicator::kRework));
    a.emplace_back("due", std::to_string(rf.due));
    kpi::RankedEntry entry;
    if (it != ranked.end()) entry = it->second->entry;
    a.emplace_back("score", entry.score ? one_decimal(*entry.score) : "—");
    a.emplace_back("grade", entry.grade);
    a.emplace_back("rank", entry.rank ? std::to_string(*entry.rank) : "");
    a.emplace_back("ranked", std::to_string(ranked_count));
    a.emplace_back("change", entry.rank_change ? std::to_string(std::abs(*entry.rank_change)) : "");
    a.emplace_back("min_sample", std::to_string(ranking->settings.min_sample));
    a.emplace_back("rank_line@",
                   "digest.rank." + std::string(digest::to_string(digest::rank_wording(entry))));
    out.push_back(std::move(m));
  }
  return out;
}

DigestRunStats DigestService::run_schedule() {
  DigestRunStats stats;
  std::vector<std::int64_t> tenants;
  (void)in_tx<Ok>(ctx_.db, false, [&](storage::Connection& c) -> Status {
    for (const auto& t : storage::TenantRepo(c).all()) tenants.push_back(t.id);
    return Ok{};
  });
  const Millis now = ctx_.clock.now();
  for (const auto tenant : tenants) {
    auto cfgx = config_.get(tenant);
    if (!cfgx) continue;  // not configured: no units, no cases
    const auto& cfg = **cfgx;
    auto schedule = schedule_of(tenant);
    if (!schedule) continue;
    const auto today = cfg.calendar.local_date(now);
    const int minute = cfg.local_minute(now);
    for (const auto& s : *schedule) {
      const auto due = digest::due(s, today, minute);
      const auto kind = std::string(digest::to_string(s.kind));
      const auto from = calendar::format_date(due.figures.from);
      // A period that a pass has been through is looked at again after a while (a head given an
      // account later still gets that period's digest), or at once when a unit's robot is added;
      // not on every sweep.
      const auto memo = std::to_string(tenant) + ":" + kind + ":" + from;
      std::int64_t robots = 0;
      auto sent_before = in_tx<std::set<std::int64_t>>(
          ctx_.db, false, [&](storage::Connection& c) -> Expected<std::set<std::int64_t>> {
            robots = storage::NotifyRepo(c, tenant).unit_robot_count();
            return storage::DigestRepo(c, tenant).units_sent(kind, from);
          });
      if (!sent_before) continue;
      if (auto n = next_look_.find(memo);
          n != next_look_.end() && now < n->second.first && robots == n->second.second) {
        continue;
      }
      auto messages = compose(tenant, due, std::nullopt);
      if (!messages) {
        spdlog::error("digest of tenant {}: {}", tenant, messages.error().code);
        continue;
      }
      // One transaction per unit: a unit's record and its messages together.
      for (const auto& m : *messages) {
        if (sent_before->count(m.unit_id) > 0) continue;
        auto sent = in_tx<storage::DigestRun>(
            ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::DigestRun> {
              storage::DigestRun run{kind, from, m.unit_id, 0, 0, now};
              std::vector<std::int64_t> heads;
              storage::UserRepo users(c, tenant);
              for (const auto& mv : storage::OrgRepo(c, tenant).memberships_of_units({m.unit_id})) {
                if (!mv.m.is_head) continue;
                for (const auto uid : users.users_of_person(mv.m.person_id)) heads.push_back(uid);
              }
              storage::NotifyRepo notify(c, tenant);
              const auto robots = notify.active_robots(m.unit_id);
              if (robots.empty() && heads.empty()) return run;  // nobody to tell
              run.robots = static_cast<int>(robots.size());
              run.notified = static_cast<int>(heads.size());
              if (!storage::DigestRepo(c, tenant).record(run)) return storage::DigestRun{};
              Outbox box{c, tenant, now, cfg};
              box.unit_robots(m.unit_id, m.key, m.args);
              box.notify(heads, std::nullopt, "digest", m.key, m.args);
              return run;
            });
        if (!sent || (sent->robots == 0 && sent->notified == 0)) continue;
        ++stats.units;
        stats.robot_messages += sent->robots;
        stats.notifications += sent->notified;
      }
      next_look_[memo] = {now + kDigestLookAgainMs, robots};
    }
  }
  if (stats.units > 0) {
    spdlog::info("digests sent to {} units ({} robot messages, {} notifications)", stats.units,
                 stats.robot_messages, stats.notifications);
  }
  return stats;
}

Status DigestService::check_unit(const access::Actor& actor, std::int64_t unit_id) {
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto* u = (*cfgx)->unit(unit_id);
  if (u == nullptr) return make_error("org.unit_not_found", "unit_id");
  if (!actor.scope.all && !actor.scope.covers(u->path)) return make_error("auth.out_of_scope");
  return Ok{};
}

Expected<DigestMessage> DigestService::preview(const access::Actor& actor, std::int64_t unit_id,
                                               std::string_view kind, std::string_view locale) {
  const auto k = digest::parse_kind(kind);
  if (!k) return make_error("digest.bad_kind", "kind");
  if (auto s = check_unit(actor, unit_id); !s) return s.error();
  auto cfgx = config_.get(actor.tenant_id);
  if (!cfgx) return cfgx.error();
  const auto& cfg = **cfgx;
  auto schedule = schedule_of(actor.tenant_id);
  if (!schedule) return schedule.error();
  digest::Schedule s{*k};
  for (const auto& e : *schedule) {
    if (e.kind == *k) s = e;
  }
  const Millis now = ctx_.clock.now();
  const auto due = digest::due(s, cfg.calendar.local_date(now), cfg.local_minute(now));
  auto messages = compose(actor.tenant_id, due, unit_id);
  if (!messages) return messages.error();
  if (messages->empty()) return make_error("org.unit_not_found", "unit_id");  // retired
  auto m = std::move(messages->front());
  m.title = cfg.word(locale, "robot." + m.key + ".title", m.args);
  m.markdown = cfg.word(locale, "robot." + m.key + ".markdown", m.args);
  return m;
}

Expected<DigestHistory> DigestService::history(const access::Actor& actor, std::int64_t unit_id) {
  if (auto s = check_unit(actor, unit_id); !s) return s.error();
  auto schedule = schedule_of(actor.tenant_id);
  if (!schedule) return schedule.error();
  return in_tx<DigestHistory>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<DigestHistory> {
        DigestHistory h;
        h.schedule = *schedule;
        h.runs = storage::DigestRepo(c, actor.tenant_id).of_unit(unit_id, 30);
        h.robots =
            static_cast<int>(storage::NotifyRepo(c, actor.tenant_id).active_robots(unit_id).size());
        storage::UserRepo users(c, actor.tenant_id);
        for (const auto& mv :
             storage::OrgRepo(c, actor.tenant_id).memberships_of_units({unit_id})) {
          if (mv.m.is_head)
            h.heads += static_cast<int>(users.users_of_person(mv.m.person_id).size());
        }
        return h;
      });
}

}  // namespace civicloop::app
