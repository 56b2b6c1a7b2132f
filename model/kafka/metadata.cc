#include "model/kafka/metadata.h"

#include <algorithm>

#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"

namespace fabsim::kafka {

std::optional<HostId> ClusterMetadata::leader(const std::string& topic, int32_t partition) const {
  auto it = leaders_.find({topic, partition});
  if (it == leaders_.end()) return std::nullopt;
  auto host = brokers_.find(it->second);
  if (host == brokers_.end()) return std::nullopt;
  return host->second;
}

std::optional<int32_t> ClusterMetadata::next_broker() const {
  if (!seeds_.empty()) return seeds_.front();
  if (!registered_.empty()) return *registered_.begin();
  return std::nullopt;
}

void ClusterMetadata::refresh(NodeContext& ctx, std::function<void(NodeContext&)> then) {
  waiting_.push_back(std::move(then));
  if (waiting_.size() > 1) return;
  if (!shuffled_) {
    // sarama's NewClient: the seed brokers in a random permutation (Fisher-Yates).
    shuffled_ = true;
    for (const auto& [id, host] : brokers_) seeds_.push_back(id);
    Rng& rng = ctx.rng("kafka-metadata");
    for (size_t i = seeds_.size(); i > 1; --i) std::swap(seeds_[i - 1], seeds_[rng.uniform_u64(i)]);
  }
  ask(ctx);
}

void ClusterMetadata::ask(NodeContext& ctx) {
  const std::optional<int32_t> id = next_broker();
  if (!id) {
    // Out of brokers: resurrect the dead seeds and end this refresh without an answer.
    seeds_.insert(seeds_.end(), dead_seeds_.begin(), dead_seeds_.end());
    dead_seeds_.clear();
    return finish(ctx);
  }
  const int32_t broker = *id;
  MetadataRequest req;
  const int64_t correlation = rpc_.next_correlation();
  req.set_correlation_id(correlation);
  rpc_.call(ctx, brokers_.at(broker), model::make_message(kMetadata, req), correlation, request_timeout_,
            [this, broker](NodeContext& c, const Message* m) {
              MetadataResponse r;
              if (m == nullptr || !protoutil::parse(&r, *m->payload)) {
                // deregisterBroker: the first seed moves to the dead seeds, a registered
                // broker is forgotten; then the next one is asked.
                if (!seeds_.empty() && seeds_.front() == broker) {
                  dead_seeds_.push_back(broker);
                  seeds_.erase(seeds_.begin());
                } else {
                  registered_.erase(broker);
                }
                return ask(c);
              }
              for (int32_t b : r.live_brokers())
                if (brokers_.contains(b)) registered_.insert(b);
              for (const LeaderAndIsrPartition& p : r.partitions()) {
                if (p.leader() >= 0) {
                  leaders_[{p.topic(), p.partition()}] = p.leader();
                } else {
                  leaders_.erase({p.topic(), p.partition()});
                }
              }
              finish(c);
            });
}

void ClusterMetadata::finish(NodeContext& ctx) {
  std::vector<std::function<void(NodeContext&)>> done;
  done.swap(waiting_);
  for (auto& fn : done) fn(ctx);
}

}  // namespace fabsim::kafka
