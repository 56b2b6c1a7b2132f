#include "model/kafka/rpc.h"

#include "core/proto/fabsim/kafka.pb.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::kafka {

void Rpc::call(NodeContext& ctx, HostId to, Message msg, int64_t correlation, Duration timeout, Callback cb) {
  Waiting& w = waiting_[correlation];
  w.callback = std::move(cb);
  w.timer = after(ctx, timeout, [this, correlation](NodeContext& c) {
    auto it = waiting_.find(correlation);
    if (it == waiting_.end()) return;
    Callback cb = std::move(it->second.callback);
    waiting_.erase(it);
    cb(c, nullptr);
  });
  ctx.send(to, std::move(msg));
}

bool Rpc::on_response(NodeContext& ctx, const Message& msg) {
  Correlated c;
  if (!msg.payload || !protoutil::parse(&c, *msg.payload)) return false;
  auto it = waiting_.find(c.correlation_id());
  if (it == waiting_.end()) return false;
  Callback cb = std::move(it->second.callback);
  cancel(ctx, it->second.timer);
  waiting_.erase(it);
  cb(ctx, &msg);
  return true;
}

void Rpc::abandon(NodeContext& ctx, int64_t correlation) {
  auto it = waiting_.find(correlation);
  if (it == waiting_.end()) return;
  cancel(ctx, it->second.timer);
  waiting_.erase(it);
}

TimerId Rpc::after(NodeContext& ctx, Duration d, TimerFn fn) {
  const TimerId id = ctx.set_timer(d, tag_);
  timers_[id] = std::move(fn);
  return id;
}

void Rpc::cancel(NodeContext& ctx, TimerId& id) {
  if (id == 0) return;
  ctx.cancel_timer(id);
  timers_.erase(id);
  id = 0;
}

bool Rpc::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (tag != tag_) return false;
  auto it = timers_.find(id);
  if (it == timers_.end()) return true;
  TimerFn fn = std::move(it->second);
  timers_.erase(it);
  fn(ctx);
  return true;
}

}  // namespace fabsim::kafka
