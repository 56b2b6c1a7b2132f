// ZooKeeper as a quorum service (model/zookeeper): the data tree's rules as tables, then
// the ensemble on the kernel — writes need a majority, sessions negotiated, kept alive by
// pings and expired by the quorum, ephemeral nodes and watches, fail-over, and a
// partitioned minority that cannot act (kafka-semantics.md §8).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/zookeeper/data_tree.h"
#include "tests/model/kafka_cluster.h"

namespace fabsim::kafkatest {
namespace {

using zookeeper::DataTree;

zk::Op op(zk::Op::Type type, const std::string& path, int32_t version = -1, bool ephemeral = false,
          bool sequential = false) {
  zk::Op o;
  o.set_type(type);
  o.set_path(path);
  o.set_version(version);
  o.set_ephemeral(ephemeral);
  o.set_sequential(sequential);
  return o;
}

// A tree with /a (persistent, version 1 after one setData), /a/b, /e (ephemeral of session
// 7) and session 7.
DataTree sample_tree() {
  DataTree t;
  int64_t zxid = 0;
  auto apply = [&](const zk::Op& o, int64_t session) {
    DataTree::Prepared p = t.prepare(o, session);
    EXPECT_EQ(p.code, zk::OK) << o.ShortDebugString();
    p.txn.set_zxid(++zxid);
    t.apply(p.txn);
  };
  zk::Op s = op(zk::Op::CREATE_SESSION, "");
  s.set_timeout_ms(6000);
  apply(s, 0);
  apply(op(zk::Op::CREATE, "/a"), 1);
  apply(op(zk::Op::SET_DATA, "/a"), 1);
  apply(op(zk::Op::CREATE, "/a/b"), 1);
  apply(op(zk::Op::CREATE, "/e", -1, true), 1);
  return t;
}

TEST(ZooKeeperTree, PrepareAnswersEachRuleWithZooKeepersCode) {
  struct Case {
    const char* name;
    zk::Op op;
    zk::Code expected;
  };
  const Case cases[] = {
      {"CreateUnderAMissingParentIsNoNode", op(zk::Op::CREATE, "/x/y"), zk::NO_NODE},
      {"CreateOfAnExistingNodeIsNodeExists", op(zk::Op::CREATE, "/a"), zk::NODE_EXISTS},
      {"CreateUnderAnEphemeralIsNoChildrenForEphemerals", op(zk::Op::CREATE, "/e/c"), zk::NO_CHILDREN_FOR_EPHEMERALS},
      {"DeleteOfANodeWithChildrenIsNotEmpty", op(zk::Op::DELETE, "/a"), zk::NOT_EMPTY},
      {"DeleteWithAStaleVersionIsBadVersion", op(zk::Op::DELETE, "/a/b", 3), zk::BAD_VERSION},
      {"SetDataWithAStaleVersionIsBadVersion", op(zk::Op::SET_DATA, "/a", 0), zk::BAD_VERSION},
      {"SetDataWithTheCurrentVersionIsOk", op(zk::Op::SET_DATA, "/a", 1), zk::OK},
      {"SetDataWithVersionMinusOneMatchesAny", op(zk::Op::SET_DATA, "/a", -1), zk::OK},
      {"DeleteOfAMissingNodeIsNoNode", op(zk::Op::DELETE, "/nope"), zk::NO_NODE},
  };
  const DataTree t = sample_tree();
  for (const Case& c : cases) EXPECT_EQ(t.prepare(c.op, 1).code, c.expected) << c.name;
}

TEST(ZooKeeperTree, ClosingASessionDeletesItsEphemeralsAndTriggersTheirWatches) {
  DataTree t = sample_tree();
  DataTree::Prepared p = t.prepare(op(zk::Op::CLOSE_SESSION, ""), 1);
  ASSERT_EQ(p.code, zk::OK);
  ASSERT_EQ(p.txn.paths_size(), 1);
  EXPECT_EQ(p.txn.paths(0), "/e");
  p.txn.set_zxid(100);
  const auto fired = t.apply(p.txn);
  EXPECT_EQ(t.find("/e"), nullptr);
  EXPECT_FALSE(t.has_session(1));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].path, "/e");
  EXPECT_EQ(fired[0].type, zk::WatchEvent::DELETED);
  EXPECT_EQ(fired[1].path, "/");
  EXPECT_EQ(fired[1].type, zk::WatchEvent::CHILDREN_CHANGED);
}

TEST(ZooKeeperTree, SequentialNodesTakeTheParentsCounterAsATenDigitSuffix) {
  DataTree t = sample_tree();
  std::vector<std::string> made;
  for (int i = 0; i < 2; ++i) {
    DataTree::Prepared p = t.prepare(op(zk::Op::CREATE, "/a/n_", -1, false, true), 1);
    ASSERT_EQ(p.code, zk::OK);
    p.txn.set_zxid(200 + i);
    t.apply(p.txn);
    made.push_back(p.txn.path());
  }
  // /a had one child (b) created before: the counter counts every create under /a.
  EXPECT_EQ(made, (std::vector<std::string>{"/a/n_0000000001", "/a/n_0000000002"}));
}

// ---- the ensemble -----------------------------------------------------------------------

struct Ensemble {
  explicit Ensemble(int zookeepers = 3) {
    ClusterOptions o;
    o.zookeepers = zookeepers;
    o.brokers = {};
    o.topics = {};
    cluster = std::make_unique<KafkaCluster>(o);
  }
  HostId client(const std::string& name, Duration timeout = Duration::seconds(6), std::vector<HostId> servers = {}) {
    Driver::Setup s;
    s.zk = cluster->zk_client(timeout);
    if (!servers.empty()) s.zk->servers = servers;
    return cluster->add_driver(name, s);
  }
  std::unique_ptr<KafkaCluster> cluster;
};

TEST(ZooKeeper, TheEnsembleElectsOneLeaderAndTheOthersFollow) {
  Ensemble e;
  e.cluster->start();
  e.cluster->run_until(at_s(3));
  int leaders = 0, followers = 0;
  for (int i = 1; i <= 3; ++i) {
    auto* s = e.cluster->zk_server(i);
    ASSERT_TRUE(s->serving()) << "z" << i;
    leaders += s->role() == zookeeper::ZkServer::Role::kLeading;
    followers += s->role() == zookeeper::ZkServer::Role::kFollowing;
  }
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(followers, 2);
}

TEST(ZooKeeper, TheSessionTimeoutIsNegotiatedIntoTwoToTwentyTicks) {
  struct Case {
    const char* name;
    Duration asked;
    Duration negotiated;
  };
  const Case cases[] = {
      {"BelowTwoTicksIsRaisedToFourSeconds", Duration::seconds(1), Duration::seconds(4)},
      {"WithinTheBoundsIsKept", Duration::seconds(6), Duration::seconds(6)},
      {"AboveTwentyTicksIsCutToFortySeconds", Duration::seconds(100), Duration::seconds(40)},
  };
  for (const Case& c : cases) {
    Ensemble e;
    const HostId a = e.client("a", c.asked);
    Duration got = Duration::zero();
    e.cluster->start();
    e.cluster->run(at_s(5), a, [&](NodeContext&, Driver& d) { got = d.zk->negotiated_timeout(); });
    e.cluster->run_until(at_s(6));
    EXPECT_EQ(got, c.negotiated) << c.name;
  }
}

TEST(ZooKeeper, AnEphemeralNodeVanishesWhenItsSessionExpiresAndItsWatcherIsTold) {
  Ensemble e;
  const HostId a = e.client("a");
  const HostId b = e.client("b");
  std::vector<std::pair<Time, std::string>> seen;
  zk::Code created = zk::CONNECTION_LOSS;
  e.cluster->start();
  e.cluster->run(at_s(4), a, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/eph", "x", true, false, [&](NodeContext&, const zk::Response& r) { created = r.code(); });
  });
  e.cluster->run(at_s(5), b, [&](NodeContext& ctx, Driver& d) {
    d.zk->set_listener([&](NodeContext& c, zookeeper::ZkClient::Event ev, const zk::WatchEvent* w) {
      if (ev == zookeeper::ZkClient::Event::kWatch) seen.emplace_back(c.now(), w->path());
    });
    d.zk->exists(ctx, "/eph", true, [](NodeContext&, const zk::Response&) {});
  });
  e.cluster->fault(at_s(10), Fault::crash(a));  // no more pings
  e.cluster->run_until(at_s(30));
  EXPECT_EQ(created, zk::OK);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "/eph");
  // The last ping reached the server at most ~1 s before the crash; expiry comes at the
  // first tick boundary after last touch + 6 s: within (10 + 5, 10 + 8].
  EXPECT_GT(seen[0].first, at_s(15));
  EXPECT_LE(seen[0].first, at_s(18.1));
}

TEST(ZooKeeper, AClientFailsOverToAnotherServerAndKeepsItsSessionAndEphemerals) {
  Ensemble e;
  const HostId a = e.client("a");
  int64_t session_before = 0, session_after = 0;
  HostId server_before = kNoHost, server_after = kNoHost;
  e.cluster->start();
  e.cluster->run(at_s(4), a, [&](NodeContext& ctx, Driver& d) {
    session_before = d.zk->session_id();
    server_before = d.zk->server();
    d.zk->create(ctx, "/eph", "x", true, false, [](NodeContext&, const zk::Response&) {});
  });
  e.cluster->run_until(at_s(5));
  e.cluster->fault(at_s(5), Fault::crash(server_before));
  e.cluster->run(at_s(20), a, [&](NodeContext&, Driver& d) {
    session_after = d.zk->session_id();
    server_after = d.zk->server();
  });
  e.cluster->run_until(at_s(21));
  EXPECT_NE(session_before, 0);
  EXPECT_EQ(session_after, session_before);
  EXPECT_NE(server_after, server_before);
  bool exists = false;
  for (int i = 1; i <= 3; ++i)
    if (auto* s = e.cluster->zk_server(i); s != nullptr && s->serving()) exists = s->tree().find("/eph") != nullptr;
  EXPECT_TRUE(exists);
}

TEST(ZooKeeper, APartitionedMinorityCannotWriteAndItsClientsSessionExpires) {
  Ensemble e;
  // Client m may use z1 only; it is cut off with z1 from z2 and z3.
  const HostId m = e.client("m", Duration::seconds(6), {e.cluster->zk(1)});
  const HostId q = e.client("q");
  zk::Code minority = zk::OK, majority = zk::CONNECTION_LOSS;
  bool minority_answered = false;
  std::vector<std::string> events_m;
  e.cluster->start();
  e.cluster->run(at_s(4), m, [&](NodeContext&, Driver& d) {
    d.zk->set_listener([&](NodeContext&, zookeeper::ZkClient::Event ev, const zk::WatchEvent*) {
      events_m.push_back(ev == zookeeper::ZkClient::Event::kExpired        ? "expired"
                         : ev == zookeeper::ZkClient::Event::kDisconnected ? "disconnected"
                         : ev == zookeeper::ZkClient::Event::kConnected    ? "connected"
                                                                           : "watch");
    });
  });
  e.cluster->fault(at_s(5), Fault::make_partition({{e.cluster->zk(1), m}, {e.cluster->zk(2), e.cluster->zk(3), q}}, false));
  e.cluster->run(at_s(6), m, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/m", "", false, false, [&](NodeContext&, const zk::Response& r) {
      minority_answered = true;
      minority = r.code();
    });
  });
  e.cluster->run(at_s(6), q, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/q", "", false, false, [&](NodeContext&, const zk::Response& r) { majority = r.code(); });
  });
  e.cluster->run_until(at_s(30));
  EXPECT_EQ(majority, zk::OK);
  EXPECT_FALSE(minority_answered) << "a minority server must not commit";
  EXPECT_FALSE(e.cluster->zk_server(1)->serving());
  for (int i = 2; i <= 3; ++i) EXPECT_EQ(e.cluster->zk_server(i)->tree().find("/m"), nullptr);
  // Healed: the client reaches a server again and learns its session expired; the queued
  // create fails with it.
  e.cluster->fault(at_s(30), Fault::heal());
  e.cluster->run_until(at_s(60));
  EXPECT_TRUE(minority_answered);
  EXPECT_EQ(minority, zk::SESSION_EXPIRED);
  ASSERT_GE(events_m.size(), 2u);
  EXPECT_EQ(events_m[0], "disconnected");
  EXPECT_EQ(events_m[1], "expired");
}

TEST(ZooKeeper, LosingTheQuorumStopsWritesAndANewLeaderRestartsEverySessionsClock) {
  Ensemble e;
  const HostId a = e.client("a");
  zk::Code during = zk::OK;
  bool answered_during = false;
  int64_t session = 0, session_after = 0;
  e.cluster->start();
  e.cluster->run(at_s(4), a, [&](NodeContext& ctx, Driver& d) {
    session = d.zk->session_id();
    d.zk->create(ctx, "/eph", "", true, false, [](NodeContext&, const zk::Response&) {});
  });
  // Crash the two servers the client is not on... any two: the quorum is gone either way.
  e.cluster->fault(at_s(10), Fault::crash(e.cluster->zk(2)));
  e.cluster->fault(at_s(10), Fault::crash(e.cluster->zk(3)));
  e.cluster->run(at_s(12), a, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/during", "", false, false, [&](NodeContext&, const zk::Response& r) {
      answered_during = true;
      during = r.code();
    });
  });
  e.cluster->run_until(at_s(59));
  EXPECT_FALSE(answered_during);
  e.cluster->fault(at_s(60), Fault::restart(e.cluster->zk(2)));
  e.cluster->fault(at_s(60), Fault::restart(e.cluster->zk(3)));
  e.cluster->run(at_s(80), a, [&](NodeContext&, Driver& d) { session_after = d.zk->session_id(); });
  e.cluster->run_until(at_s(81));
  EXPECT_TRUE(answered_during);
  EXPECT_EQ(during, zk::OK);
  EXPECT_EQ(session_after, session) << "no session expires during a quorum outage";
  bool eph = false;
  for (int i = 1; i <= 3; ++i)
    if (auto* s = e.cluster->zk_server(i); s != nullptr && s->serving()) eph = s->tree().find("/eph") != nullptr;
  EXPECT_TRUE(eph);
}

TEST(ZooKeeper, ALeaderCrashElectsANewLeaderThatKeepsEveryCommittedWrite) {
  Ensemble e;
  const HostId a = e.client("a");
  std::vector<zk::Code> codes;
  e.cluster->start();
  e.cluster->run(at_s(4), a, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/before", "1", false, false, [&](NodeContext&, const zk::Response& r) { codes.push_back(r.code()); });
  });
  e.cluster->run_until(at_s(5));
  int old_leader = 0;
  for (int i = 1; i <= 3; ++i)
    if (e.cluster->zk_server(i)->role() == zookeeper::ZkServer::Role::kLeading) old_leader = i;
  ASSERT_NE(old_leader, 0);
  const int64_t old_epoch = e.cluster->zk_server(old_leader)->epoch();
  e.cluster->fault(at_s(5), Fault::crash(e.cluster->zk(old_leader)));
  e.cluster->run(at_s(15), a, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/after", "2", false, false, [&](NodeContext&, const zk::Response& r) { codes.push_back(r.code()); });
  });
  e.cluster->run_until(at_s(20));
  EXPECT_EQ(codes, (std::vector<zk::Code>{zk::OK, zk::OK}));
  int leaders = 0;
  for (int i = 1; i <= 3; ++i) {
    if (i == old_leader) continue;
    auto* s = e.cluster->zk_server(i);
    ASSERT_TRUE(s->serving()) << "z" << i;
    leaders += s->role() == zookeeper::ZkServer::Role::kLeading;
    EXPECT_GT(s->epoch(), old_epoch);
    EXPECT_NE(s->tree().find("/before"), nullptr);
    EXPECT_NE(s->tree().find("/after"), nullptr);
  }
  EXPECT_EQ(leaders, 1);
  // The old leader comes back as a follower and gets the new state.
  e.cluster->fault(at_s(20), Fault::restart(e.cluster->zk(old_leader)));
  e.cluster->run_until(at_s(30));
  auto* back = e.cluster->zk_server(old_leader);
  EXPECT_EQ(back->role(), zookeeper::ZkServer::Role::kFollowing);
  EXPECT_NE(back->tree().find("/after"), nullptr);
}

TEST(ZooKeeper, AWatchReArmedOnReconnectFiresWhenItsNodeChangedWhileTheClientWasAway) {
  Ensemble e;
  const HostId a = e.client("a");
  const HostId b = e.client("b");
  HostId a_server = kNoHost;
  std::vector<std::string> seen;
  e.cluster->start();
  e.cluster->run(at_s(4), b, [&](NodeContext& ctx, Driver& d) {
    d.zk->create(ctx, "/x", "0", false, false, [](NodeContext&, const zk::Response&) {});
  });
  e.cluster->run(at_s(5), a, [&](NodeContext& ctx, Driver& d) {
    a_server = d.zk->server();
    d.zk->set_listener([&](NodeContext&, zookeeper::ZkClient::Event ev, const zk::WatchEvent* w) {
      if (ev == zookeeper::ZkClient::Event::kWatch) seen.push_back(w->path() + " " + zk::WatchEvent::Type_Name(w->type()));
    });
    d.zk->get_data(ctx, "/x", true, [](NodeContext&, const zk::Response&) {});
  });
  e.cluster->run_until(at_s(6));
  // a's server goes away; b changes /x before a is connected again (a needs > 4 s to notice).
  e.cluster->fault(at_s(6), Fault::crash(a_server));
  e.cluster->run(at_s(7), b, [&](NodeContext& ctx, Driver& d) {
    d.zk->set_data(ctx, "/x", "1", -1, [](NodeContext&, const zk::Response&) {});
  });
  e.cluster->run_until(at_s(25));
  EXPECT_EQ(seen, (std::vector<std::string>{"/x DATA_CHANGED"}));
}

}  // namespace
}  // namespace fabsim::kafkatest
