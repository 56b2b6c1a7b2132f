#include "model/chaincode/rwset_builder.h"

#include <utility>

#include "model/protoutil/proto_io.h"

namespace fabsim::chaincode {

kvrwset::KVRead RWSetBuilder::make_kv_read(const std::string& key, const std::optional<ledger::Height>& version) {
  kvrwset::KVRead read;
  read.set_key(key);
  if (version.has_value()) {
    kvrwset::Version* v = read.mutable_version();  // present even when (0, 0)
    v->set_block_num(version->block_num);
    v->set_tx_num(version->tx_num);
  }
  return read;
}

kvrwset::KVWrite RWSetBuilder::make_kv_write(const std::string& key, std::string value) {
  kvrwset::KVWrite write;
  write.set_key(key);
  write.set_is_delete(value.empty());
  if (!value.empty()) write.set_value(std::move(value));
  return write;
}

void RWSetBuilder::add_to_read_set(const std::string& ns, const std::string& key,
                                   const std::optional<ledger::Height>& version) {
  namespaces_[ns].reads[key] = make_kv_read(key, version);
}

void RWSetBuilder::add_to_write_set(const std::string& ns, const std::string& key, std::string value) {
  namespaces_[ns].writes[key] = make_kv_write(key, std::move(value));
}

void RWSetBuilder::add_to_range_query_set(const std::string& ns, kvrwset::RangeQueryInfo info) {
  NsBuilder& b = namespaces_[ns];
  RangeQueryKey key{info.start_key(), info.end_key(), info.itr_exhausted()};
  if (b.range_queries.contains(key)) return;  // Fabric keeps the first of identical queries
  b.range_query_order.push_back(key);
  b.range_queries.emplace(std::move(key), std::move(info));
}

rwset::TxReadWriteSet RWSetBuilder::build() const {
  rwset::TxReadWriteSet tx;
  tx.set_data_model(rwset::TxReadWriteSet::KV);
  for (const auto& [ns, b] : namespaces_) {  // std::map: sorted by namespace name
    kvrwset::KVRWSet kv;
    for (const auto& [key, read] : b.reads) *kv.add_reads() = read;  // sorted by key
    for (const auto& rq_key : b.range_query_order) *kv.add_range_queries_info() = b.range_queries.at(rq_key);
    for (const auto& [key, write] : b.writes) *kv.add_writes() = write;  // sorted by key
    rwset::NsReadWriteSet* ns_rwset = tx.add_ns_rwset();
    ns_rwset->set_namespace_(ns);
    ns_rwset->set_rwset(protoutil::marshal(kv));
  }
  return tx;
}

}  // namespace fabsim::chaincode
