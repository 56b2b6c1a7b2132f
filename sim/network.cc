#include "sim/network.h"

#include <fmt/format.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <algorithm>
#include <limits>
#include <map>

#include "core/assert.h"
#include "core/hash.h"

namespace fabsim {

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kLoss: return "loss";
    case DropReason::kPartition: return "partition";
    case DropReason::kNoRoute: return "no-route";
    case DropReason::kHostDown: return "host-down";
  }
  return "?";
}

namespace {
struct EdgeProps {
  LinkId link = 0;
  int64_t weight = 0;  // latency in ns + 1, so that among equal latencies fewer hops win
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, EdgeProps>;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

// The links routes may use: up and not dedicated.
struct TransitLinks {
  const std::vector<char>* transit = nullptr;
  const Graph* g = nullptr;
  bool operator()(const Edge& e) const { return (*transit)[(*g)[e].link] != 0; }
};
using TransitGraph = boost::filtered_graph<Graph, TransitLinks>;

uint64_t pair_key(HostId a, HostId b) {
  return a < b ? (uint64_t{a} << 32) | b : (uint64_t{b} << 32) | a;
}
}  // namespace

struct Network::Impl {
  Graph graph;
  std::vector<Edge> edge_of_link;
  std::vector<char> transit;  // per link: up and not dedicated (what Dijkstra may use)
  // next_link[dst][u]: the link u uses toward dst; -1 = unreachable. Empty = not computed.
  std::vector<std::vector<int32_t>> next_link;
  // The dedicated links of each pair of hosts (key: min << 32 | max), in ascending id.
  std::map<uint64_t, std::vector<LinkId>> dedicated;
};

uint64_t Network::Link::bandwidth_bps() const {
  if (base.bandwidth_bps == 0) return 0;
  const double bw = static_cast<double>(base.bandwidth_bps) * degradation.bandwidth_factor;
  return bw < 1.0 ? 1 : static_cast<uint64_t>(bw);
}

Network::Network(Simulator& sim, const std::vector<std::string>* host_names)
    : sim_(sim), host_names_(host_names), impl_(std::make_unique<Impl>()) {}

Network::~Network() = default;

void Network::add_host() {
  boost::add_vertex(impl_->graph);
  ++host_count_;
  for (auto& p : partitions_) p.group_of.push_back(-1);
  topology_changed();
}

LinkId Network::add_link(HostId a, HostId b, const LinkParams& p) {
  FABSIM_ASSERT(a < host_count_ && b < host_count_ && a != b);
  const LinkId id = static_cast<LinkId>(links_.size());
  std::string stream = fmt::format("net/link/{}/{}", host_names_ ? (*host_names_)[a] : std::to_string(a),
                                   host_names_ ? (*host_names_)[b] : std::to_string(b));
  // A parallel link between the same hosts gets its own stream: ".../<n>" for the n-th (n >= 1).
  uint32_t parallel = 0;
  for (const Link& l : links_) parallel += (l.a == a && l.b == b) || (l.a == b && l.b == a);
  if (parallel > 0) stream += fmt::format("/{}", parallel);
  links_.push_back(Link{a, b, p, {}, false, true, {}, Rng::stream(sim_.seed(), stream)});
  auto [e, ok] = boost::add_edge(a, b, EdgeProps{id, p.latency.ns + 1}, impl_->graph);
  FABSIM_ASSERT(ok);
  impl_->edge_of_link.push_back(e);
  impl_->transit.push_back(p.dedicated ? 0 : 1);
  if (p.dedicated) {
    impl_->dedicated[pair_key(a, b)].push_back(id);
  } else {
    topology_changed();
  }
  return id;
}

const LinkParams& Network::link_params(LinkId l) const {
  FABSIM_ASSERT(l < links_.size());
  return links_[l].base;
}

HostId Network::link_end(LinkId l, int side) const {
  FABSIM_ASSERT(l < links_.size());
  return side == 0 ? links_[l].a : links_[l].b;
}

void Network::topology_changed() { impl_->next_link.clear(); }

void Network::set_link_up(LinkId l, bool up) {
  FABSIM_ASSERT(l < links_.size());
  links_[l].up = up;
  if (links_[l].base.dedicated) return;  // not in any cached route: looked up per message
  impl_->transit[l] = up ? 1 : 0;
  topology_changed();
}

bool Network::link_up(LinkId l) const {
  FABSIM_ASSERT(l < links_.size());
  return links_[l].up;
}

void Network::degrade(LinkId l, const LinkDegradation& d) {
  FABSIM_ASSERT(l < links_.size());
  FABSIM_ASSERT(d.bandwidth_factor > 0.0 && d.bandwidth_factor <= 1.0);
  links_[l].degradation = d;
  links_[l].degraded = true;
  impl_->graph[impl_->edge_of_link[l]].weight = links_[l].latency().ns + 1;
  if (!links_[l].base.dedicated) topology_changed();
}

void Network::restore(LinkId l) {
  FABSIM_ASSERT(l < links_.size());
  links_[l].degradation = {};
  links_[l].degraded = false;
  impl_->graph[impl_->edge_of_link[l]].weight = links_[l].latency().ns + 1;
  if (!links_[l].base.dedicated) topology_changed();
}

PartitionId Network::partition(const std::vector<std::vector<HostId>>& groups, bool one_way) {
  Partition p;
  p.group_of.assign(host_count_, -1);
  p.one_way = one_way;
  p.active = true;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (HostId h : groups[g]) {
      FABSIM_ASSERT(h < host_count_);
      p.group_of[h] = static_cast<int32_t>(g);
    }
  }
  partitions_.push_back(std::move(p));
  return static_cast<PartitionId>(partitions_.size() - 1);
}

bool Network::heal(PartitionId id) {
  if (id >= partitions_.size() || !partitions_[id].active) return false;
  partitions_[id].active = false;
  return true;
}

void Network::heal_all() {
  for (auto& p : partitions_) p.active = false;
}

bool Network::partitioned(HostId from, HostId to) const {
  for (const auto& p : partitions_) {
    if (!p.active) continue;
    const int32_t gf = p.group_of[from];
    const int32_t gt = p.group_of[to];
    if (gf < 0 || gt < 0 || gf == gt) continue;
    if (!p.one_way || gf == 0) return true;
  }
  return false;
}

int32_t Network::next_link(HostId at, HostId dst) {
  auto& cache = impl_->next_link;
  if (cache.empty()) cache.resize(host_count_);
  auto& table = cache[dst];
  if (table.empty()) {
    // Dijkstra from the destination over links that are up and not dedicated: pred[u] is
    // u's next hop.
    TransitGraph g(impl_->graph, TransitLinks{&impl_->transit, &impl_->graph});
    const size_t n = host_count_;
    std::vector<size_t> pred(n);
    std::vector<int64_t> dist(n);
    boost::dijkstra_shortest_paths(
        g, static_cast<size_t>(dst),
        boost::predecessor_map(boost::make_iterator_property_map(pred.begin(), boost::get(boost::vertex_index, g)))
            .distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
            .weight_map(boost::get(&EdgeProps::weight, impl_->graph)));
    table.assign(n, -1);
    for (size_t u = 0; u < n; ++u) {
      if (u == dst || pred[u] == u) continue;  // the destination itself, or unreachable
      // Among parallel links to the predecessor, the lowest weight, then the lowest id.
      int32_t best = -1;
      int64_t best_w = std::numeric_limits<int64_t>::max();
      for (auto [it, end] = boost::out_edges(u, g); it != end; ++it) {
        if (boost::target(*it, g) != pred[u]) continue;
        const auto& ep = impl_->graph[*it];
        if (ep.weight < best_w || (ep.weight == best_w && static_cast<int32_t>(ep.link) < best)) {
          best = static_cast<int32_t>(ep.link);
          best_w = ep.weight;
        }
      }
      table[u] = best;
    }
  }
  return table[at];
}

int32_t Network::dedicated_link(HostId from, HostId to) const {
  const auto& dedicated = impl_->dedicated;
  if (dedicated.empty()) return -1;
  const auto it = dedicated.find(pair_key(from, to));
  if (it == dedicated.end()) return -1;
  for (LinkId l : it->second)
    if (links_[l].up) return static_cast<int32_t>(l);
  return -1;
}

std::vector<HostId> Network::route(HostId from, HostId to) {
  std::vector<HostId> path{from};
  HostId at = from;
  while (at != to) {
    int32_t l = at == from ? dedicated_link(from, to) : -1;
    if (l < 0) l = next_link(at, to);
    if (l < 0 || path.size() > host_count_) return {};
    at = links_[l].a == at ? links_[l].b : links_[l].a;
    path.push_back(at);
  }
  return path;
}

uint32_t Network::new_flight() {
  if (!free_flights_.empty()) {
    const uint32_t f = free_flights_.back();
    free_flights_.pop_back();
    return f;
  }
  flights_.emplace_back();
  return static_cast<uint32_t>(flights_.size() - 1);
}

void Network::free_flight(uint32_t f) {
  flights_[f].msg.payload.reset();
  free_flights_.push_back(f);
}

void Network::send(HostId from, HostId to, Message msg) {
  FABSIM_ASSERT(from < host_count_ && to < host_count_);
  Hash64 ph;
  if (msg.payload) ph.add_bytes(*msg.payload);
  const uint64_t payload_hash = ph.value();
  ++stats_.sent;
  stats_.bytes_sent += msg.size();
  sim_.trace().record(sim_.now(), from, TraceKind::kSend, to, (uint64_t{msg.kind} << 32) | (msg.size() & 0xffffffffu),
                      payload_hash, [&] {
                        return fmt::format("to={} kind={} bytes={} hash={:016x}", sim_.trace().host_name(to), msg.kind,
                                           msg.size(), payload_hash);
                      });
  const uint32_t f = new_flight();
  InFlight& fl = flights_[f];
  fl.msg = std::move(msg);
  fl.src = from;
  fl.dst = to;
  fl.payload_hash = payload_hash;
  fl.may_reorder = false;
  fl.order = nullptr;
  if (from == to) {
    sim_.at(sim_.now(), &Network::on_arrive, this, f, to);
    return;
  }
  PairOrder& order = order_[(uint64_t{from} << 32) | to];
  fl.order = &order;
  fl.seq = order.next_seq++;
  order.open.push_back(1);
  forward(f, from);
}

void Network::drop(const InFlight& f, HostId at, DropReason reason) {
  settle(f);
  sim_.trace().record(sim_.now(), at, TraceKind::kDrop, static_cast<uint64_t>(reason), (uint64_t{f.src} << 32) | f.dst,
                      f.payload_hash, [&] {
                        return fmt::format("reason={} from={} to={} kind={} hash={:016x}", drop_reason_name(reason),
                                           sim_.trace().host_name(f.src), sim_.trace().host_name(f.dst), f.msg.kind,
                                           f.payload_hash);
                      });
}

void Network::settle(const InFlight& f) {
  if (f.order == nullptr) return;
  PairOrder& order = *f.order;
  FABSIM_ASSERT(f.seq >= order.first_open && f.seq - order.first_open < order.open.size());
  uint32_t& copies = order.open[f.seq - order.first_open];
  FABSIM_ASSERT(copies > 0);
  --copies;
  while (!order.open.empty() && order.open.front() == 0) {
    order.open.pop_front();
    ++order.first_open;
  }
  if (order.held.empty()) return;
  // Let the held messages try again now, earliest first; each re-checks the order.
  std::vector<uint32_t> held = std::move(order.held);
  order.held.clear();
  std::sort(held.begin(), held.end(), [&](uint32_t x, uint32_t y) { return flights_[x].seq < flights_[y].seq; });
  for (uint32_t h : held) sim_.at(sim_.now(), &Network::on_arrive, this, h, f.dst);
}

void Network::forward(uint32_t f, HostId at) {
  InFlight& fl = flights_[f];
  // A dedicated link joins the message's two ends, so only the source can take it (also
  // when a route change brought the message back there).
  int32_t li = at == fl.src ? dedicated_link(at, fl.dst) : -1;
  if (li < 0) li = next_link(at, fl.dst);
  if (li < 0) {
    ++stats_.no_route;
    drop(fl, at, DropReason::kNoRoute);
    free_flight(f);
    return;
  }
  Link& link = links_[li];
  const int side = link.a == at ? 0 : 1;
  const HostId next = side == 0 ? link.b : link.a;
  Direction& dir = link.dir[side];
  const Time now = sim_.now();
  const Time depart = dir.busy_until > now ? dir.busy_until : now;
  Duration serialize = Duration::zero();
  if (const uint64_t bps = link.bandwidth_bps(); bps != 0) {
    const unsigned __int128 bits_ns = static_cast<unsigned __int128>(fl.msg.size()) * 8u * 1'000'000'000u;
    serialize = Duration::nanos(static_cast<int64_t>((bits_ns + bps - 1) / bps));
  }
  dir.busy_until = depart + serialize;
  if (transmit_sink_ && serialize.ns > 0) transmit_sink_(static_cast<LinkId>(&link - links_.data()), side, depart, dir.busy_until);
  // The message occupies the link whether or not it survives it.
  if (link.rng.bernoulli(link.loss())) {
    ++stats_.lost;
    drop(fl, at, DropReason::kLoss);
    free_flight(f);
    return;
  }
  Duration latency = link.latency();
  if (!link.base.jitter.is_constant() || link.base.jitter.a.ns != 0) latency += link.base.jitter.sample(link.rng);
  Time arrival = depart + serialize + latency;
  if (link.base.reorder) {
    fl.may_reorder = true;
  } else if (arrival < dir.last_arrival) {
    arrival = dir.last_arrival;
  }
  if (arrival > dir.last_arrival) dir.last_arrival = arrival;
  const bool dup = link.base.duplicate > 0.0 && link.rng.bernoulli(link.base.duplicate);
  sim_.at(arrival, &Network::on_arrive, this, f, next);
  if (dup) {
    ++stats_.duplicated;
    if (fl.order != nullptr) ++fl.order->open[fl.seq - fl.order->first_open];
    const uint32_t f2 = new_flight();
    flights_[f2] = flights_[f];  // `fl` may dangle after new_flight(); index again
    sim_.at(arrival, &Network::on_arrive, this, f2, next);
  }
}

void Network::on_arrive(void* self, uint64_t flight, uint64_t at_host) {
  auto* net = static_cast<Network*>(self);
  const auto f = static_cast<uint32_t>(flight);
  const auto at = static_cast<HostId>(at_host);
  if (at == net->flights_[f].dst) {
    net->finish(f, at);
  } else {
    net->forward(f, at);
  }
}

void Network::finish(uint32_t f, HostId at) {
  InFlight& fl = flights_[f];
  if (partitioned(fl.src, fl.dst)) {
    ++stats_.partitioned;
    drop(fl, at, DropReason::kPartition);
    free_flight(f);
    return;
  }
  if (fl.order != nullptr) {
    // End-to-end order: a message never overtakes an earlier one between the same pair,
    // even when the route changed under it; it waits until the earlier ones are settled.
    if (!fl.may_reorder && fl.seq > fl.order->first_open) {
      fl.order->held.push_back(f);
      return;
    }
    settle(fl);
  }
  ++stats_.delivered;
  Message msg = std::move(fl.msg);
  const HostId src = fl.src;
  const uint64_t hash = fl.payload_hash;
  free_flight(f);
  if (deliver_fn_ != nullptr) deliver_fn_(deliver_ctx_, at, src, std::move(msg), hash);
}

}  // namespace fabsim
