#include "app/ledger_replay.hpp"

#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "app/case_snapshot.hpp"
#include "storage/account_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/dashboard_repo.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

namespace {

namespace json = boost::json;

constexpr int kPage = 2000;
constexpr std::size_t kKeptProblems = 100;

using Digest = std::array<unsigned char, 16>;

Digest digest(const std::string& text) {
  Digest d{};
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return d;
}

struct Seen {
  Digest last{};
  std::int64_t last_seq = 0;
  bool has_snapshot = false;  // false: only legacy events so far
};

class Replay {
 public:
  Replay(storage::Connection& c, std::int64_t tenant) : c_(c), tenant_(tenant) {}

  ReplayResult run() {
    walk_events();
    walk_cases();
    walk_attachments();
    return std::move(result_);
  }

 private:
  void problem(ReplayProblem p) {
    ++result_.problem_count;
    if (result_.problems.size() < kKeptProblems) result_.problems.push_back(std::move(p));
  }

  // The snapshot the case's event at seq left (its after), found again for a message.
  std::optional<std::string> snapshot_at(std::int64_t case_id, std::int64_t seq) {
    storage::LedgerQuery q;
    q.entity_type = "case";
    q.entity_id = case_id;
    q.before_seq = seq + 1;
    q.limit = 1;
    auto events = storage::LedgerRepo(c_, tenant_).list(q);
    if (events.empty() || !events[0].after) return std::nullopt;
    return events[0].after;
  }

  void walk_events() {
    storage::LedgerRepo ledger(c_, tenant_);
    std::int64_t after = 0;
    for (;;) {
      auto page = ledger.page_of_type("case", after, kPage);
      for (const auto& e : page) {
        after = e.seq;
        ++result_.events;
        if (e.action == "attach") {
          note_attachment(e);
          continue;
        }
        if (!e.after || !is_case_snapshot(*e.after)) {
          ++result_.legacy_events;
          auto& s = seen_[e.entity_id];
          s.has_snapshot = false;
          s.last_seq = e.seq;
          continue;
        }
        auto [it, fresh] = seen_.try_emplace(e.entity_id);
        Seen& s = it->second;
        if (!e.before) {
          if (!fresh) problem({"created_twice", e.entity_id, "", e.seq, {}});
        } else if (s.has_snapshot && is_case_snapshot(*e.before) && digest(*e.before) != s.last) {
          // Something changed the case between its previous event and this one.
          ReplayProblem p{"change_without_event", e.entity_id, "", e.seq, {}};
          if (auto prev = snapshot_at(e.entity_id, s.last_seq)) {
            p.fields = snapshot_differences(*prev, *e.before);
          }
          problem(std::move(p));
        }
        s.last = digest(*e.after);
        s.last_seq = e.seq;
        s.has_snapshot = true;
      }
      if (static_cast<int>(page.size()) < kPage) break;
    }
  }

  void note_attachment(const ledger::Event& e) {
    boost::system::error_code ec;
    auto v = json::parse(e.after.value_or("{}"), ec);
    if (ec || !v.is_object()) return;
    if (const auto* id = v.as_object().if_contains("attachment"); id && id->is_int64()) {
      attached_.insert(id->as_int64());
    }
  }

  void walk_cases() {
    storage::CaseRepo repo(c_, tenant_);
    std::int64_t after = 0;
    for (;;) {
      auto page = repo.page_by_id(after, kPage);
      for (const auto& r : page) {
        after = r.id;
        ++result_.cases;
        if (r.assigned_unit_id && cases::is_open(r.state)) {
          auto& n = recount_[*r.assigned_unit_id];
          ++n.first;
          if (r.overdue) ++n.second;
        }
        if (cases::is_open(r.state)) {
          auto& o = recount_open_[{r.assigned_unit_id.value_or(0), r.grid_id.value_or(0)}];
          ++o.open;
          if (r.overdue) ++o.overdue;
          if (r.escalation_level > 0) ++o.escalated;
        }
        auto it = seen_.find(r.id);
        if (it == seen_.end()) {
          problem({"no_events", r.id, r.case_no, std::nullopt, {}});
          continue;
        }
        const Seen s = it->second;
        seen_.erase(it);
        if (r.search_terms != case_search_terms(r)) {
          problem({"search_terms", r.id, r.case_no, std::nullopt, {"search_terms"}});
        }
        if (!s.has_snapshot) continue;  // only legacy history: nothing to compare with
        const auto row = case_snapshot(r);
        if (digest(row) == s.last) continue;
        ReplayProblem p{"row_differs", r.id, r.case_no, s.last_seq, {}};
        if (auto last = snapshot_at(r.id, s.last_seq)) {
          // Rebuild the case from the event, as the table should hold it, and name what differs.
          auto rebuilt = record_from_snapshot(*last);
          p.fields = snapshot_differences(rebuilt ? case_snapshot(*rebuilt) : *last, row);
        }
        problem(std::move(p));
      }
      if (static_cast<int>(page.size()) < kPage) break;
    }
    for (const auto& [id, s] : seen_) {
      if (s.has_snapshot) problem({"events_without_row", id, "", s.last_seq, {}});
    }
    check_unit_counts(repo);
    check_open_counts();
  }

  // The dashboard's open counts per unit × grid (case_open_counts, migration 0014) against the
  // recount: "open_counts", naming the unit and the grid in the fields.
  void check_open_counts() {
    std::map<std::pair<std::int64_t, std::int64_t>, storage::OpenCount> kept;
    for (const auto& o : storage::DashboardRepo(c_, tenant_).open_counts()) {
      kept[{o.unit_id, o.grid_id}] = o;
    }
    auto compare = [&](std::pair<std::int64_t, std::int64_t> key, storage::OpenCount k,
                       storage::OpenCount n) {
      k.unit_id = n.unit_id = key.first;
      k.grid_id = n.grid_id = key.second;
      if (k == n) return;
      ReplayProblem p{"open_counts", 0, "", std::nullopt, {}};
      p.unit_id = key.first;
      p.fields.push_back("grid_id=" + std::to_string(key.second));
      for (auto [name, a, b] : {std::tuple{"open_cases", k.open, n.open},
                                std::tuple{"overdue_cases", k.overdue, n.overdue},
                                std::tuple{"escalated_cases", k.escalated, n.escalated}}) {
        if (a != b) {
          p.fields.push_back(std::string(name) + "=" + std::to_string(a) + "(recount " +
                             std::to_string(b) + ")");
        }
      }
      problem(std::move(p));
    };
    for (const auto& [key, k] : kept) {
      auto it = recount_open_.find(key);
      compare(key, k, it == recount_open_.end() ? storage::OpenCount{} : it->second);
    }
    for (const auto& [key, n] : recount_open_) {
      if (!kept.contains(key)) compare(key, {}, n);
    }
  }

  // The counts the triggers keep against the recount of the rows just read.
  void check_unit_counts(storage::CaseRepo& repo) {
    std::map<std::int64_t, std::pair<int, int>> kept;
    for (const auto& [unit, open, overdue] : repo.open_counts_by_unit()) {
      kept[unit] = {open, overdue};
    }
    auto compare = [&](std::int64_t unit, std::pair<int, int> k, std::pair<int, int> n) {
      if (k == n) return;
      ReplayProblem p{"unit_counts", 0, "", std::nullopt, {}};
      p.unit_id = unit;
      if (k.first != n.first) {
        p.fields.push_back("open_cases=" + std::to_string(k.first) + "(recount " +
                           std::to_string(n.first) + ")");
      }
      if (k.second != n.second) {
        p.fields.push_back("overdue_cases=" + std::to_string(k.second) + "(recount " +
                           std::to_string(n.second) + ")");
      }
      problem(std::move(p));
    };
    for (const auto& [unit, k] : kept) {
      auto it = recount_.find(unit);
      compare(unit, k, it == recount_.end() ? std::pair<int, int>{0, 0} : it->second);
    }
    for (const auto& [unit, n] : recount_) {
      if (!kept.contains(unit)) compare(unit, {0, 0}, n);
    }
  }

  void walk_attachments() {
    storage::CaseRepo repo(c_, tenant_);
    std::int64_t after = 0;
    for (;;) {
      auto page = repo.attachments_page(after, kPage);
      for (const auto& a : page) {
        after = a.id;
        ++result_.attachments;
        if (!attached_.contains(a.id)) {
          problem({"attachment_without_event", a.case_id, "", std::nullopt, {"attachment"}});
        }
      }
      if (static_cast<int>(page.size()) < kPage) break;
    }
  }

  storage::Connection& c_;
  std::int64_t tenant_;
  ReplayResult result_;
  std::unordered_map<std::int64_t, Seen> seen_;
  std::set<std::int64_t> attached_;
  std::map<std::int64_t, std::pair<int, int>> recount_;  // unit: open, overdue
  // (unit, grid): open, overdue, escalated
  std::map<std::pair<std::int64_t, std::int64_t>, storage::OpenCount> recount_open_;
};

}  // namespace

ReplayResult replay_check(Context& ctx, std::int64_t tenant_id) {
  auto r = in_tx<ReplayResult>(
      ctx.db, false,
      [&](storage::Connection& c) -> Expected<ReplayResult> { return Replay(c, tenant_id).run(); });
  return r.ok() ? std::move(r).value() : ReplayResult{};
}

std::vector<std::pair<std::string, ReplayResult>> replay_all(Context& ctx) {
  std::vector<std::pair<std::string, std::int64_t>> tenants;
  (void)in_tx<Ok>(ctx.db, false, [&](storage::Connection& c) -> Status {
    for (const auto& t : storage::TenantRepo(c).all()) tenants.emplace_back(t.code, t.id);
    return Ok{};
  });
  std::vector<std::pair<std::string, ReplayResult>> out;
  for (const auto& [code, id] : tenants) out.emplace_back(code, replay_check(ctx, id));
  return out;
}

}  // namespace civicloop::app
