// Chaincode simulation benchmarks.
//  BM_RwsetBuild/R/W: one kvstore `multi` transaction with R gets and W puts, simulated
//    against a 10,000-key in-memory state through ChaincodeStub and TxSimulator, then its
//    TxReadWriteSet serialized deterministically — the endorser's per-proposal work minus
//    signing. items_per_second = state operations (R + W) per second; the "tx/s" counter
//    is transactions per second. Keys walk the state deterministically (no randomness).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "model/chaincode/kvstore.h"
#include "model/protoutil/proto_io.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/state.h"

namespace fabsim::chaincode {
namespace {

constexpr int kKeys = 10'000;

std::string key_of(int i) { return "key" + std::to_string(i % kKeys); }

void BM_RwsetBuild(benchmark::State& state) {
  const int reads = static_cast<int>(state.range(0));
  const int writes = static_cast<int>(state.range(1));
  ledger::InMemoryState db;
  for (int i = 0; i < kKeys; ++i) db.put("kv", key_of(i), std::string(64, 'v'), {1, static_cast<uint64_t>(i)});
  KvstoreChaincode cc;
  // Pre-build a few distinct scripts so that the keys touched change between iterations.
  std::vector<std::vector<std::string>> scripts;
  for (int s = 0; s < 64; ++s) {
    std::vector<std::string> ops;
    for (int r = 0; r < reads; ++r) ops.push_back("get:" + key_of(s * 131 + r * 17));
    for (int w = 0; w < writes; ++w) ops.push_back("put:" + key_of(s * 137 + w * 19 + 7) + "=" + std::string(64, 'w'));
    scripts.push_back(std::move(ops));
  }
  size_t bytes = 0;
  size_t n = 0;
  for (auto _ : state) {
    TxSimulator sim(db);
    {
      ChaincodeStub stub(sim, "kv");
      ChaincodeResponse resp = cc.invoke(stub, "multi", scripts[n++ % scripts.size()]);
      benchmark::DoNotOptimize(resp);
    }
    auto rw = sim.get_tx_simulation_results();
    std::string wire = protoutil::marshal(*rw);
    bytes += wire.size();
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * (reads + writes));
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["rwset_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RwsetBuild)->Args({1, 1})->Args({4, 4})->Args({16, 16});

}  // namespace
}  // namespace fabsim::chaincode
