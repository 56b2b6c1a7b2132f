#include "model/ledger/commit_hash.h"

#include <cstdint>

#include "core/assert.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/ordered_encoding.h"
#include "model/ledger/tx_rwset.h"
#include "model/protoutil/wire.h"

namespace fabsim::ledger {
namespace {

constexpr int kWireVarint = 0;
constexpr int kWireBytes = 2;

using protoutil::append_varint;

void append_tag(std::string* out, int field, int wire_type) {
  append_varint(out, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

// proto3: an empty bytes/string field is not written.
void append_bytes_field(std::string* out, int field, std::string_view v) {
  if (v.empty()) return;
  append_tag(out, field, kWireBytes);
  append_varint(out, v.size());
  out->append(v);
}

// txmgr.KVWrite fields.
constexpr int kKvWriteNamespace = 1;
constexpr int kKvWriteKey = 3;
constexpr int kKvWriteIsDelete = 4;
constexpr int kKvWriteValue = 5;
constexpr int kKvWriteVersionBytes = 6;
constexpr int kUpdatesKvwrites = 1;

}  // namespace

std::string update_batch_bytes(const UpdateBatch& batch) {
  std::string out;
  const std::string* current_ns = nullptr;
  for (const auto& [k, u] : batch.updates()) {
    const auto& [ns, key] = k;
    if (ns.empty()) continue;  // channel config namespace: excluded by Fabric
    std::string w;
    if (current_ns == nullptr || *current_ns != ns) {
      append_bytes_field(&w, kKvWriteNamespace, ns);
      current_ns = &ns;
    }
    append_bytes_field(&w, kKvWriteKey, key);
    if (u.is_delete()) {
      append_tag(&w, kKvWriteIsDelete, kWireVarint);
      append_varint(&w, 1);
    } else {
      append_bytes_field(&w, kKvWriteValue, *u.value);
    }
    append_bytes_field(&w, kKvWriteVersionBytes, height_bytes(u.version));
    append_tag(&out, kUpdatesKvwrites, kWireBytes);  // an empty KVWrite is still written
    append_varint(&out, w.size());
    out.append(w);
  }
  return out;
}

std::string compute_commit_hash(std::string_view txs_filter, std::string_view update_bytes,
                                std::string_view previous_commit_hash) {
  std::string in;
  append_varint(&in, txs_filter.size());
  in.append(txs_filter);
  in.append(update_bytes);
  in.append(previous_commit_hash);
  return sha256(in);
}

std::string add_block_commit_hash(common::Block* block, const UpdateBatch& batch,
                                  std::string_view previous_commit_hash) {
  FABSIM_ASSERT(block != nullptr);
  std::string hash =
      compute_commit_hash(transactions_filter(*block), update_batch_bytes(batch), previous_commit_hash);
  auto* md = block->mutable_metadata()->mutable_metadata();
  while (md->size() <= common::COMMIT_HASH) md->Add();
  common::Metadata m;
  m.set_value(hash);
  FABSIM_ASSERT(m.SerializeToString(md->Mutable(common::COMMIT_HASH)));
  return hash;
}

Result<std::string> stored_commit_hash(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  if (md.size() <= common::COMMIT_HASH) return std::string();
  common::Metadata m;
  const std::string& bytes = md.Get(common::COMMIT_HASH);
  if (!m.ParseFromString(bytes)) {
    return Status::corruption("block " + std::to_string(block.header().number()) +
                              ": COMMIT_HASH metadata does not parse as common.Metadata");
  }
  return m.value();
}

}  // namespace fabsim::ledger
