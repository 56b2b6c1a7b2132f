#include "model/kafka/metadata.h"

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

void ClusterMetadata::refresh(NodeContext& ctx, std::function<void(NodeContext&)> then) {
  waiting_.push_back(std::move(then));
  if (waiting_.size() > 1) return;
  auto it = brokers_.begin();
  std::advance(it, static_cast<long>(next_ % brokers_.size()));
  ++next_;
  MetadataRequest req;
  const int64_t correlation = rpc_.next_correlation();
  req.set_correlation_id(correlation);
  rpc_.call(ctx, it->second, model::make_message(kMetadata, req), correlation, request_timeout_,
            [this](NodeContext& c, const Message* m) {
              MetadataResponse r;
              if (m != nullptr && protoutil::parse(&r, *m->payload)) {
                for (const LeaderAndIsrPartition& p : r.partitions()) {
                  if (p.leader() >= 0) {
                    leaders_[{p.topic(), p.partition()}] = p.leader();
                  } else {
                    leaders_.erase({p.topic(), p.partition()});
                  }
                }
              }
              std::vector<std::function<void(NodeContext&)>> done;
              done.swap(waiting_);
              for (auto& fn : done) fn(c);
            });
}

}  // namespace fabsim::kafka
