// Hot domain code: the ledger hash of one event (every write pays it once) and a scope check
// (every read of a unit pays it once).
#include <benchmark/benchmark.h>

#include "domain/access.hpp"
#include "domain/ledger.hpp"

namespace {

using namespace civicloop;

void BM_LedgerHash(benchmark::State& state) {
  ledger::Event e;
  e.tenant_id = 1;
  e.seq = 123456;
  e.at = 1795000000000;
  e.actor_user_id = 7;
  e.actor_name = "武亚楠";
  e.entity_type = "org_unit";
  e.entity_id = 42;
  e.action = "update";
  e.before = std::string(static_cast<std::size_t>(state.range(0)), 'x');
  e.after = e.before;
  e.prev_hash = ledger::kGenesisHash;
  for (auto _ : state) benchmark::DoNotOptimize(ledger::compute_hash(e));
  state.SetBytesProcessed(state.iterations() * state.range(0) * 2);
}
BENCHMARK(BM_LedgerHash)->Arg(256)->Arg(4096);

void BM_ScopeCovers(benchmark::State& state) {
  access::Scope scope;
  for (int i = 0; i < state.range(0); ++i)
    scope.roots.push_back("/1/" + std::to_string(100 + i) + "/");
  const std::string path = "/1/" + std::to_string(100 + state.range(0) - 1) + "/5012/77001/";
  for (auto _ : state) benchmark::DoNotOptimize(scope.covers(path));
}
BENCHMARK(BM_ScopeCovers)->Arg(1)->Arg(8);

}  // namespace

BENCHMARK_MAIN();
