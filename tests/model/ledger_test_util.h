// Test helpers for the ledger tests: build Fabric-shaped envelopes and chained blocks, and
// the UpdateBatch a block should produce — computed here from the test's own description
// of the transactions, independently of model/ledger/tx_rwset.cc.
#pragma once

#include <gtest/gtest.h>
#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>
#include <leveldb/write_batch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/kv_db.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/block_store.h"
#include "model/ledger/update_batch.h"
#include "model/protoutil/wire.h"

namespace fabsim::ledger::testing {

inline std::unique_ptr<leveldb::Env> mem_env() {
  return std::unique_ptr<leveldb::Env>(leveldb::NewMemEnv(leveldb::Env::Default()));
}

struct W {  // one write of a transaction
  std::string ns, key;
  std::optional<std::string> value;  // nullopt: delete
};

enum class Kind { kEndorser, kConfig, kGarbage };

struct TxSpec {
  std::string txid;
  std::vector<W> writes;
  uint8_t code = 0;  // protos::VALID
  Kind kind = Kind::kEndorser;
};

inline std::string serialize(const google::protobuf::MessageLite& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

inline std::string envelope_with_header(int32_t type, const std::string& txid, const std::string& data,
                                        const std::string& nonce = "n", const std::string& creator = "c") {
  common::ChannelHeader ch;
  ch.set_type(type);
  ch.set_channel_id("mychannel");
  ch.set_tx_id(txid);
  common::SignatureHeader sh;
  sh.set_nonce(nonce);
  sh.set_creator(creator);
  common::Payload p;
  p.mutable_header()->set_channel_header(serialize(ch));
  p.mutable_header()->set_signature_header(serialize(sh));
  p.set_data(data);
  common::Envelope env;
  env.set_payload(serialize(p));
  env.set_signature("sig");
  return serialize(env);
}

// An ENDORSER_TRANSACTION envelope whose rwset holds `writes` (namespaces in first-seen order).
inline std::string endorser_envelope(const std::string& txid, const std::vector<W>& writes) {
  rwset::TxReadWriteSet rws;
  std::map<std::string, kvrwset::KVRWSet> by_ns;
  std::vector<std::string> order;
  for (const W& w : writes) {
    if (!by_ns.count(w.ns)) order.push_back(w.ns);
    kvrwset::KVWrite* kw = by_ns[w.ns].add_writes();
    kw->set_key(w.key);
    kw->set_is_delete(!w.value.has_value());
    if (w.value) kw->set_value(*w.value);
  }
  for (const std::string& ns : order) {
    rwset::NsReadWriteSet* n = rws.add_ns_rwset();
    n->set_namespace_(ns);
    n->set_rwset(serialize(by_ns[ns]));
  }
  protos::ChaincodeAction action;
  action.set_results(serialize(rws));
  protos::ProposalResponsePayload prp;
  prp.set_proposal_hash("ph");
  prp.set_extension(serialize(action));
  protos::ChaincodeActionPayload cap;
  cap.mutable_action()->set_proposal_response_payload(serialize(prp));
  protos::Transaction tx;
  tx.add_actions()->set_payload(serialize(cap));
  return envelope_with_header(common::ENDORSER_TRANSACTION, txid, serialize(tx));
}

inline std::string envelope_of(const TxSpec& t) {
  switch (t.kind) {
    case Kind::kEndorser: return endorser_envelope(t.txid, t.writes);
    case Kind::kConfig: return envelope_with_header(common::CONFIG, t.txid, "config-envelope-bytes");
    case Kind::kGarbage: return std::string("\xff\xff not a protobuf", 18);
  }
  return {};
}

// A block with 5 metadata slots (Fabric's NewBlock), correct data hash, and the filter.
inline common::Block make_block(uint64_t number, const std::string& previous_hash,
                                const std::vector<std::string>& envelopes, const std::string& filter) {
  common::Block b;
  b.mutable_header()->set_number(number);
  b.mutable_header()->set_previous_hash(previous_hash);
  for (const std::string& e : envelopes) b.mutable_data()->add_data(e);
  b.mutable_header()->set_data_hash(block_data_hash(b.data()));
  for (int i = 0; i < 5; ++i) b.mutable_metadata()->add_metadata();
  *b.mutable_metadata()->mutable_metadata(2) = filter;
  return b;
}

// Builds a chain, and for each block the UpdateBatch of its valid endorser transactions.
class ChainBuilder {
 public:
  common::Block next(const std::vector<TxSpec>& txs, UpdateBatch* expected = nullptr) {
    std::vector<std::string> envs;
    std::string filter;
    UpdateBatch batch;
    for (size_t i = 0; i < txs.size(); ++i) {
      envs.push_back(envelope_of(txs[i]));
      filter.push_back(static_cast<char>(txs[i].code));
      if (txs[i].code != 0 || txs[i].kind != Kind::kEndorser) continue;
      for (const W& w : txs[i].writes) {
        Height v{number_, i};
        if (w.value) {
          batch.put(w.ns, w.key, *w.value, v);
        } else {
          batch.erase(w.ns, w.key, v);
        }
      }
    }
    common::Block b = make_block(number_, prev_hash_, envs, filter);
    prev_hash_ = block_header_hash(b.header());
    ++number_;
    if (expected) *expected = std::move(batch);
    return b;
  }
  uint64_t number() const { return number_; }

 private:
  uint64_t number_ = 0;
  std::string prev_hash_;
};

inline std::vector<std::pair<std::string, std::string>> scan(const KvDb& db) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = db.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) out.emplace_back(std::string(it->key()), std::string(it->value()));
  return out;
}

// Every file of the Env below `dir` with its contents, in name order.
inline std::map<std::string, std::string> files_under(leveldb::Env* env, const std::string& dir) {
  std::map<std::string, std::string> out;
  std::vector<std::string> children;
  if (!env->GetChildren(dir, &children).ok()) return out;
  for (const std::string& c : children) {
    const std::string path = dir + "/" + c;
    uint64_t size = 0;
    if (!env->GetFileSize(path, &size).ok()) continue;
    leveldb::SequentialFile* f = nullptr;
    if (!env->NewSequentialFile(path, &f).ok()) continue;
    std::string content(size, '\0');
    leveldb::Slice got;
    f->Read(size, &got, content.data());
    out[path] = std::string(got.data(), got.size());
    delete f;
  }
  return out;
}

// The block files (model/ledger/block_files.h) of the block store in `dir`: path -> bytes.
inline std::map<std::string, std::string> block_files(leveldb::Env* env, const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& [path, bytes] : files_under(env, dir)) {
    if (path.compare(dir.size() + 1, 10, "blockfile_") == 0) out.emplace(path, std::move(bytes));
  }
  return out;
}

// A block file record holding `payload`: varint64(length), then the payload.
inline std::string payload_record(const std::string& payload) {
  std::string out;
  protoutil::append_varint(&out, payload.size());
  return out + payload;
}

// A block file record as BlockStore writes it by default: the payload is the codec byte
// and the block bytes (the marshalled block), snappy-compressed.
inline std::string block_record(const std::string& block, BlockCodec codec = BlockCodec::kSnappy) {
  return payload_record(encode_block_payload(block, codec));
}

// Rewrites keys of the KvDb at `path` of `env`: put when the value is set, else delete.
inline void poke_db(leveldb::Env* env, const std::string& path,
                    const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs) {
  auto db = KvDb::open(env, path, {false, true}).value();
  leveldb::WriteBatch wb;
  for (const auto& [k, v] : kvs) {
    if (v) {
      wb.Put(k, *v);
    } else {
      wb.Delete(k);
    }
  }
  ASSERT_TRUE(db->write(&wb));
}

// Writes `bytes` to the file at `path` of `env`: replacing its content, or after it.
inline bool write_file(leveldb::Env* env, const std::string& path, const std::string& bytes, bool append = false) {
  leveldb::WritableFile* f = nullptr;
  leveldb::Status s = append ? env->NewAppendableFile(path, &f) : env->NewWritableFile(path, &f);
  if (!s.ok()) return false;
  s = f->Append(bytes);
  if (s.ok()) s = f->Close();
  delete f;
  return s.ok();
}

}  // namespace fabsim::ledger::testing
