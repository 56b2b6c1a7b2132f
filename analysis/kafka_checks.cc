#include "analysis/kafka_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/crypto/sha256.h"
#include "core/proto/orderer/kafka.pb.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/tx_rwset.h"
#include "model/orderer/block_writer.h"

namespace fabsim {
namespace {

// One replica's log, offset by offset: each record's SHA-256 and its batch's epoch. Digests,
// not the records: the replicas of a long run would hold gigabytes.
struct LogRecords {
  std::vector<crypto::Digest256> records;  // records[i] is offset i (the log starts at 0)
  std::vector<int32_t> epochs;
  std::string error;
};

constexpr uint64_t kReadSlice = uint64_t{1} << 20;  // bytes per read of a log

// Hands every record of `log` to each(epoch, record), in offset order, reading a slice at a
// time; the error, or "" when the whole log was read.
template <typename Each>
std::string for_each_record(const kafka::PartitionLog& log, Each each) {
  int64_t next = 0;
  while (next < log.log_end_offset()) {
    auto batches = log.read(next, kReadSlice, log.log_end_offset());
    if (!batches.is_ok()) return batches.status().message();
    if (batches->empty()) return fmt::format("no batch at offset {}", next);
    for (const auto& b : *batches) {
      if (b.base_offset() != next) return fmt::format("batch at offset {} where offset {} was expected", b.base_offset(), next);
      for (const auto& r : b.records()) {
        each(b.leader_epoch(), r);
        ++next;
      }
    }
  }
  return "";
}

LogRecords read_log(const kafka::PartitionLog& log) {
  LogRecords out;
  out.error = for_each_record(log, [&](int32_t epoch, const std::string& record) {
    out.records.push_back(crypto::sha256(record));
    out.epochs.push_back(epoch);
  });
  return out;
}

// The KafkaMetadata of a block: its last offset persisted, or nullopt when it has none.
std::optional<int64_t> last_offset_of(const common::Block& b) {
  const std::string md = orderer::consenter_metadata(b);
  if (md.empty()) return std::nullopt;
  ::orderer::KafkaMetadata m;
  if (!m.ParseFromString(md)) return std::nullopt;
  return m.last_offset_persisted();
}

// The reference log's messages, parsed once: per offset, the SHA-256 of the REGULAR
// envelope or the TIMETOCUT block number (neither for CONNECT or what does not parse).
struct Messages {
  std::vector<std::optional<crypto::Digest256>> regular;
  std::vector<std::optional<uint64_t>> time_to_cut;
  size_t size() const { return regular.size(); }
};

Messages parse_messages(const kafka::PartitionLog& log) {
  Messages out;
  ::orderer::KafkaMessage m;
  for_each_record(log, [&](int32_t, const std::string& record) {
    out.regular.emplace_back();
    out.time_to_cut.emplace_back();
    if (!m.ParseFromString(record)) return;
    if (m.has_regular()) out.regular.back() = crypto::sha256(m.regular().payload());
    if (m.has_time_to_cut()) out.time_to_cut.back() = m.time_to_cut().block_number();
  });
  return out;
}

std::string short_hex(const std::string& bytes) { return ledger::to_hex(bytes).substr(0, 16); }

// What checks 1, 2 and 4 need of a block (the blocks of a long run would not fit in memory).
struct BlockSummary {
  std::string header_hash;
  std::optional<int64_t> last_offset;  // its KafkaMetadata's last offset persisted
  std::vector<crypto::Digest256> txs;  // SHA-256 of each envelope
};

BlockSummary summarize(const common::Block& b) {
  BlockSummary s{ledger::block_header_hash(b.header()), last_offset_of(b), {}};
  for (const auto& env : b.data().data()) s.txs.push_back(crypto::sha256(env));
  return s;
}

// Every OSN's blocks, summarized, read once from 0 up to the first unreadable one.
struct OsnBlocks {
  const KafkaOsnView* view;
  std::vector<BlockSummary> blocks;
};

void check_agreement(const std::vector<OsnBlocks>& osns, KafkaCheckReport* r) {
  size_t max_height = 0;
  for (const auto& o : osns) max_height = std::max(max_height, o.blocks.size());
  for (size_t h = 0; h < max_height; ++h) {
    const OsnBlocks* ref = nullptr;
    for (const auto& o : osns) {
      if (o.blocks.size() <= h) continue;
      if (ref == nullptr) {
        ref = &o;
        continue;
      }
      ++r->heights_compared;
      const BlockSummary& a = ref->blocks[h];
      const BlockSummary& b = o.blocks[h];
      if (a.header_hash != b.header_hash) {
        r->violations.push_back(fmt::format("kafka: height {}: block hash differs between {} ({}) and {} ({})", h,
                                            ref->view->osn, short_hex(a.header_hash), o.view->osn,
                                            short_hex(b.header_hash)));
      } else if (a.last_offset != b.last_offset) {
        r->violations.push_back(fmt::format("kafka: height {}: KafkaMetadata differs between {} (last offset {}) and {} ({})",
                                            h, ref->view->osn, a.last_offset.value_or(-1), o.view->osn,
                                            b.last_offset.value_or(-1)));
      }
    }
  }
}

// Checks 2 and 4 for one OSN's chain against the reference log.
void check_blocks_against_log(const OsnBlocks& o, const Messages& log, const std::string& ref, KafkaCheckReport* r) {
  int64_t prev = -1;  // offsets before 0 do not exist (a new chain persisted -3)
  for (size_t n = 1; n < o.blocks.size(); ++n) {
    const BlockSummary& b = o.blocks[n];
    const auto& last = b.last_offset;
    if (!last) {
      r->violations.push_back(fmt::format("kafka: {}: block {} has no KafkaMetadata", o.view->osn, n));
      return;
    }
    if (*last < prev) {
      r->violations.push_back(fmt::format("kafka: {}: block {} ends at offset {}, before block {} (offset {})",
                                          o.view->osn, n, *last, n - 1, prev));
      return;
    }
    if (*last >= static_cast<int64_t>(log.size())) return;  // beyond the reference log: not judged
    std::vector<int64_t> regular;  // offsets of the REGULAR messages in (prev, last]
    for (int64_t off = std::max<int64_t>(prev + 1, 0); off <= *last; ++off)
      if (log.regular[off]) regular.push_back(off);
    const int txs = static_cast<int>(b.txs.size());
    int same = 0;  // the leading transactions that match
    while (same < txs && same < static_cast<int>(regular.size()) && *log.regular[regular[same]] == b.txs[same])
      ++same;
    if (same == txs && static_cast<int>(regular.size()) == txs) {
      ++r->blocks_matched;
    } else {
      r->violations.push_back(fmt::format(
          "kafka: {}: block {} holds {} transactions but offsets {}..{} of {} hold {} REGULAR messages; they differ "
          "from transaction {} on{}",
          o.view->osn, n, txs, std::max<int64_t>(prev + 1, 0), *last, ref, regular.size(), same,
          same < static_cast<int>(regular.size()) ? fmt::format(" (offset {})", regular[same]) : std::string()));
    }
    // Check 4: a block cut by a TIMETOCUT carries that message's number.
    if (const auto& ttc = log.time_to_cut[*last]; ttc && *ttc != n)
      r->violations.push_back(fmt::format("kafka: {}: block {} was cut by TIMETOCUT({}) at offset {} of {}", o.view->osn, n,
                                          *ttc, *last, ref));
    prev = *last;
  }
}

// Check 3.
void check_replicas(const std::vector<KafkaReplicaView>& replicas, const std::vector<LogRecords>& logs,
                    const std::string& channel, KafkaCheckReport* r) {
  for (size_t a = 0; a < replicas.size(); ++a) {
    for (size_t b = a + 1; b < replicas.size(); ++b) {
      if (!logs[a].error.empty() || !logs[b].error.empty()) continue;
      const auto limit = [&](size_t i) {
        return std::min<int64_t>(replicas[i].high_watermark, static_cast<int64_t>(logs[i].records.size()));
      };
      const int64_t below = std::min(limit(a), limit(b));
      for (int64_t off = 0; off < below; ++off) {
        ++r->offsets_compared;
        if (logs[a].records[off] == logs[b].records[off]) continue;
        r->divergences.push_back(fmt::format(
            "kafka: partition {}-0: offset {} differs between {} (epoch {}, high watermark {}) and {} (epoch {}, high "
            "watermark {}), below both high watermarks",
            channel, off, replicas[a].broker, logs[a].epochs[off], replicas[a].high_watermark, replicas[b].broker,
            logs[b].epochs[off], replicas[b].high_watermark));
        break;  // the first divergence of the pair
      }
    }
  }
}

}  // namespace

KafkaCheckReport check_kafka(const KafkaCheckInput& in) {
  KafkaCheckReport r;
  std::vector<OsnBlocks> osns;
  for (const KafkaOsnView& v : in.osns) {
    OsnBlocks o{&v, {}};
    for (uint64_t n = 0; n < v.blocks->height(); ++n) {
      auto b = v.blocks->block_by_number(n);
      if (!b.is_ok()) {
        r.violations.push_back(fmt::format("kafka: {}: block {} cannot be read: {}", v.osn, n, b.status().message()));
        break;
      }
      o.blocks.push_back(summarize(*b));
    }
    osns.push_back(std::move(o));
  }
  check_agreement(osns, &r);

  std::vector<LogRecords> logs;
  for (const KafkaReplicaView& v : in.replicas) {
    logs.push_back(read_log(*v.log));
    if (!logs.back().error.empty())
      r.violations.push_back(fmt::format("kafka: {}: its log of {}-0 cannot be read: {}", v.broker, in.channel, logs.back().error));
  }
  check_replicas(in.replicas, logs, in.channel, &r);

  // The reference replica: the up leader with the highest epoch, else the highest watermark.
  std::optional<size_t> ref;
  for (size_t i = 0; i < in.replicas.size(); ++i) {
    const auto& v = in.replicas[i];
    if (!logs[i].error.empty() || !v.up || !v.leader) continue;
    if (!ref || v.leader_epoch > in.replicas[*ref].leader_epoch) ref = i;
  }
  for (size_t i = 0; !ref && i < in.replicas.size(); ++i)
    if (logs[i].error.empty()) ref = i;
  if (ref) {
    if (!in.replicas[*ref].leader || !in.replicas[*ref].up)
      for (size_t i = 0; i < in.replicas.size(); ++i)
        if (logs[i].error.empty() && in.replicas[i].high_watermark > in.replicas[*ref].high_watermark) ref = i;
    r.reference_replica = in.replicas[*ref].broker;
    const Messages messages = parse_messages(*in.replicas[*ref].log);
    for (const OsnBlocks& o : osns) check_blocks_against_log(o, messages, r.reference_replica, &r);
  }

  // Check 5 over the longest OSN ledger.
  const OsnBlocks* longest = nullptr;
  for (const OsnBlocks& o : osns)
    if (longest == nullptr || o.blocks.size() > longest->blocks.size()) longest = &o;
  std::set<std::string> in_ledger;
  int64_t passed = -1;  // the ledger's last offset persisted
  if (longest != nullptr) {
    r.ledger_height = longest->blocks.size();
    if (longest->blocks.size() > 1) passed = longest->blocks.back().last_offset.value_or(-1);
    for (size_t n = 1; n < longest->blocks.size(); ++n) {  // read again: they were readable above
      auto b = longest->view->blocks->block_by_number(n);
      if (!b.is_ok()) break;
      for (const auto& env : b->data().data())
        if (auto id = ledger::txid_from_envelope(env); id.is_ok()) in_ledger.insert(*id);
    }
  }
  std::set<std::string> seen;
  for (const KafkaAck& a : in.acks) {
    if (!seen.insert(a.tx_id).second) continue;
    ++r.acknowledged;
    if (in_ledger.contains(a.tx_id)) continue;
    // Judged when the ledger has passed the record's offset (ordering went on beyond it),
    // or when the run ended where ordering progresses, with time to drain.
    if (!in.faults_healed && !(a.offset >= 0 && a.offset <= passed)) {
      ++r.unjudged;
      continue;
    }
    r.lost.push_back({a});
  }
  return r;
}

// ---- liveness ------------------------------------------------------------------------------

Duration kafka_liveness_bound(const KafkaTimeouts& t) {
  return t.zookeeper_session_timeout + t.zookeeper_tick  // a dead broker's session expires at a tick
         + t.zookeeper_tick * static_cast<int64_t>(t.zookeeper_init_limit)  // a ZooKeeper election
         + t.replica_lag_time_max + Duration{t.replica_lag_time_max.ns / 2}  // a dead follower leaves the ISR
         + t.network_timeout                                    // the producer's request to a dead leader
         + t.producer_retry_backoff * static_cast<int64_t>(t.producer_retries)  // its retries
         + t.connect_retry                                      // a restarted OSN's next CONNECT
         + t.network_timeout + t.consumer_backoff               // the consumer's fetch and its backoff
         + t.batch_timeout;                                     // the block's TIMETOCUT
}

std::vector<KafkaLivenessResult> kafka_liveness(const std::vector<KafkaLivenessEvent>& events,
                                                const std::vector<Time>& blocks, const std::vector<Time>& submissions,
                                                Duration bound, Time end, std::vector<std::string>* violations) {
  std::vector<KafkaLivenessResult> out;
  for (const KafkaLivenessEvent& e : events) {
    KafkaLivenessResult res{e};
    auto first_block = std::upper_bound(blocks.begin(), blocks.end(), e.at);
    const Time stop = e.until.value_or(end);
    if (first_block != blocks.end() && *first_block <= stop) res.resumed = *first_block - e.at;
    // A block within the bound while the conditions held passes. A failure needs the
    // conditions to hold past the bound and a broadcast in the second after it: a live
    // ordering service cuts that block within its batch timeout (part of the bound) and a
    // grace of 3 s; without traffic then, nothing can be concluded.
    const Duration limit = bound + Duration::seconds(3);
    if (!e.conditions_hold) {
      out.push_back(std::move(res));
      continue;
    }
    const bool passed = res.resumed && *res.resumed <= limit;
    auto s = std::lower_bound(submissions.begin(), submissions.end(), e.at + bound);
    const bool traffic = s != submissions.end() && *s <= e.at + bound + Duration::seconds(1);
    const bool failed = !passed && e.at + limit <= stop && traffic;
    res.judged = passed || failed;
    if (failed)
      violations->push_back(fmt::format(
          "kafka liveness: {} at {}: no block within {} although a ZooKeeper quorum, min.insync.replicas brokers and "
          "an OSN were up and transactions came",
          e.what, format_time(e.at), format_duration(limit)));
    out.push_back(std::move(res));
  }
  return out;
}

}  // namespace fabsim
