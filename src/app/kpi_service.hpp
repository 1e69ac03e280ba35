// KPIs and rankings (考核排名, issue 8): the projector that turns the ledger's case events into
// the counters of storage/kpi_repo (after the commit, with a watermark: docs/architecture.md,
// "KPIs and their counters"), the rebuild from the whole ledger, and the read use cases — KPIs
// per unit, subdistrict, community, grid or reporter for a day, week, month, quarter or range,
// and rankings with Wilson intervals, 样本不足, shared ranks, the change against the previous
// period and the red and black lists. Reads use the counters only, never the cases table. Role
// and data scope are checked here. Thread-safe: every call runs its own transaction(s).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "domain/access.hpp"
#include "domain/kpi.hpp"

namespace civicloop::app {

// The preset's kpi.json (format "civicloop-kpi/1"): unit_weights and staff_weights
// ({"indicator": weight}), grades ([{"grade","min"}]), min_sample, red and black
// ({"top","score"}). Refused with kpi.bad_settings (field: the key at fault) or the codes of
// kpi::check.
Expected<kpi::Settings> parse_kpi_settings(const boost::json::value& doc);

struct ProjectResult {
  std::int64_t events = 0;    // case events projected
  std::int64_t last_seq = 0;  // the watermark after the run
};

struct KpiQuery {
  std::string level;                // unit | subdistrict | community | grid | reporter
  std::string period = "month";     // day | week | month | quarter | range
  std::optional<std::string> date;  // a day inside the period, YYYY-MM-DD; default: today
  std::optional<std::string> from;  // range: first and last day
  std::optional<std::string> to;
  std::optional<std::int64_t> id;  // one unit, place or person; none: all in scope
};

// The filter of GET /api/v1/cases that lists the cases behind a figure. `exact` is false where
// the list can only approximate it (overdue is the current flag, a cohort's returned and parked
// cases are in the dispatched window).
struct FigureLink {
  std::string figure;
  std::vector<std::pair<std::string, std::string>> params;
  bool exact = true;
};

struct KpiRow {
  std::int64_t id = 0;
  std::string name;
  kpi::Figures figures;
  std::optional<double> score;
  std::string grade;
  std::vector<FigureLink> links;
};

struct KpiView {
  std::string level;
  kpi::Period period;
  std::vector<KpiRow> rows;
  std::int64_t as_of_seq = 0;  // the last ledger event in the counters
};

struct RankingRow {
  KpiRow row;
  kpi::RankedEntry entry;
};

struct RankingView {
  std::string level;
  kpi::Period period;
  kpi::Period previous;
  std::vector<RankingRow> rows;  // ranked first, then 样本不足 / no score
  kpi::Settings settings;
  std::int64_t as_of_seq = 0;
};

class KpiService {
 public:
  KpiService(Context& ctx, CaseConfigCache& config) : ctx_(ctx), config_(config) {}

  // Projects the tenant's case events after the watermark, `batch` events per transaction, until
  // none is left (or max_events). Runs may overlap (the scheduler, a read, the CLI): each batch
  // locks the watermark first, so no event is counted twice.
  ProjectResult project(std::int64_t tenant_id, int batch = 500,
                        std::int64_t max_events = std::numeric_limits<std::int64_t>::max());
  // Empties the tenant's counters and projects its whole ledger again.
  ProjectResult rebuild(std::int64_t tenant_id);
  // project() / rebuild() for every tenant, by tenant code.
  std::vector<std::pair<std::string, ProjectResult>> project_all();
  std::vector<std::pair<std::string, ProjectResult>> rebuild_all();

  // KPIs: "kpi.bad_level", "kpi.bad_period", "request.invalid_parameter" (date, from, to),
  // "org.unit_not_found" (id), "auth.forbidden" (citizens), "auth.out_of_scope".
  Expected<KpiView> kpis(const access::Actor& actor, const KpiQuery& q);
  // Rankings of a level over a period, ranked across the tenant, listed for the actor's scope.
  // Levels unit, subdistrict, community, grid, reporter; the same errors.
  Expected<RankingView> rankings(const access::Actor& actor, const KpiQuery& q);

  // The tenant's rules: its kpi.json, or the defaults.
  kpi::Settings settings(std::int64_t tenant_id);

 private:
  // A ranking before the reader's scope is applied: the rows and their ranks.
  struct Ranked {
    kpi::Settings settings;
    std::map<std::int64_t, KpiRow> rows;
    std::vector<kpi::RankedEntry> entries;
  };
  struct RankingKey {
    std::int64_t tenant = 0;
    int level = 0;
    std::int64_t from = 0;  // the period's days (YYYYMMDD)
    std::int64_t to = 0;
    std::int64_t watermark = 0;    // the counters' last event
    std::uint64_t generation = 0;  // the configuration's (names, retired units)
    bool operator==(const RankingKey&) const = default;
  };
  // The last rankings computed (a dashboard embeds two on every read); shared by copies. An
  // entry serves for a minute at most: a `kpi rebuild` run beside the server ends at the same
  // watermark with counters that may differ.
  struct RankingMemo {
    static constexpr std::size_t kMaxKept = 32;
    static constexpr Millis kLifetime = 60'000;
    struct Entry {
      RankingKey key;
      Millis at = 0;
      std::shared_ptr<const Ranked> ranked;
    };
    std::mutex mu;
    std::vector<Entry> kept;
    std::shared_ptr<const Ranked> find(const RankingKey& key, const kpi::Settings& s, Millis now);
    void put(const RankingKey& key, std::shared_ptr<const Ranked> r, Millis now);
  };

  Context& ctx_;
  CaseConfigCache& config_;
  std::shared_ptr<RankingMemo> memo_ = std::make_shared<RankingMemo>();
};

}  // namespace civicloop::app
