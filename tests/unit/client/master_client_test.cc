// MasterClient leader discovery and retries over a fake channel (no sockets).
#include "client/master_client.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "common/rpc_client_metrics.h"
#include "gen-cpp/MasterService.h"

namespace tessera::client {
namespace {

const HostPort kA{"127.0.0.1", 9401};
const HostPort kB{"127.0.0.1", 9402};
const HostPort kC{"127.0.0.1", 9403};

// One fake master: the leader answers; a follower answers NOT_LEADER with its hint.
class FakeMasterService : public rpc::MasterServiceNull {
 public:
  bool leader = false;
  std::string hint;
  int unavailable_times = 0;  // mkdir fails this many times before succeeding
  std::vector<rpc::RequestContext> contexts;

  void getattr(rpc::Attr& attr, const rpc::RequestContext& ctx, const int64_t inode) override {
    Answer(ctx);
    attr.inode = inode;
  }
  void lookup(rpc::Attr&, const rpc::RequestContext& ctx, const int64_t,
              const std::string& name) override {
    Answer(ctx);
    rpc::TesseraError error;
    error.code = rpc::ErrorCode::NOT_FOUND;
    error.message = "no entry " + name;
    throw error;
  }
  void mkdir(rpc::Attr& attr, const rpc::RequestContext& ctx, const int64_t, const std::string&,
             const int32_t) override {
    Answer(ctx);
    attr.inode = 42;
  }

 private:
  void Answer(const rpc::RequestContext& ctx) {
    contexts.push_back(ctx);
    if (!leader) {
      rpc::TesseraError error;
      error.code = rpc::ErrorCode::NOT_LEADER;
      error.message = "not the leader";
      error.leader_hint = hint;
      throw error;
    }
    if (unavailable_times > 0) {
      --unavailable_times;
      rpc::TesseraError error;
      error.code = rpc::ErrorCode::UNAVAILABLE;
      error.message = "electing";
      throw error;
    }
  }
};

// Addresses without a FakeMasterService are unreachable.
class FakeChannel final : public MasterRpcChannel {
 public:
  RpcOutcome Call(const HostPort& address,
                  const std::function<void(rpc::MasterServiceIf&)>& call) override {
    std::lock_guard lock(mu_);
    calls[address]++;
    auto it = masters.find(address);
    if (it == masters.end()) {
      return {Status::Unavailable("cannot connect to " + address.ToString()), true, "",
              RpcFailure::kConnect};
    }
    return CallRpc([&] { call(*it->second); });
  }

  std::mutex mu_;
  std::map<HostPort, FakeMasterService*> masters;
  std::map<HostPort, int> calls;
};

struct Cluster {
  FakeMasterService a, b, c;
  FakeChannel* channel = nullptr;
  std::unique_ptr<MasterClient> client;

  explicit Cluster(int deadline_ms = 2000, bool b_reachable = false,
                   RpcClientMetrics* metrics = nullptr) {
    auto fake = std::make_unique<FakeChannel>();
    channel = fake.get();
    channel->masters[kA] = &a;
    if (b_reachable) channel->masters[kB] = &b;
    channel->masters[kC] = &c;
    MasterClientOptions options;
    options.masters = {kA, kB, kC};
    options.retry_deadline_ms = deadline_ms;
    options.initial_backoff_ms = 1;
    options.max_backoff_ms = 5;
    options.rpc_metrics = metrics;
    client = std::make_unique<MasterClient>(options, std::move(fake));
  }
};

TEST(MasterClientTest, FollowsNotLeaderHintAndRemembersTheLeader) {
  Cluster cluster;
  cluster.a.hint = kC.ToString();
  cluster.c.leader = true;
  Result<rpc::Attr> attr = cluster.client->GetAttr(Caller{}, 7);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(attr->inode, 7);
  EXPECT_EQ(cluster.client->leader(), kC);
  EXPECT_EQ(cluster.channel->calls[kA], 1);
  EXPECT_EQ(cluster.channel->calls[kB], 0) << "the hint skipped the unreachable master";

  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 8).ok());
  EXPECT_EQ(cluster.channel->calls[kA], 1) << "the remembered leader is asked first";
  EXPECT_EQ(cluster.channel->calls[kC], 2);
}

TEST(MasterClientTest, TriesTheNextMasterWhenThereIsNoHint) {
  Cluster cluster(2000, /*b_reachable=*/true);
  cluster.b.leader = true;
  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 1).ok());
  EXPECT_EQ(cluster.client->leader(), kB);
}

TEST(MasterClientTest, LeaderChangeIsFollowed) {
  Cluster cluster(2000, /*b_reachable=*/true);
  cluster.c.leader = true;
  cluster.a.hint = kC.ToString();
  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 1).ok());
  cluster.c.leader = false;
  cluster.c.hint = kB.ToString();
  cluster.b.leader = true;
  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 1).ok());
  EXPECT_EQ(cluster.client->leader(), kB);
}

TEST(MasterClientTest, GivesUpWithUnavailableAfterTheDeadline) {
  Cluster cluster(/*deadline_ms=*/100);
  cluster.a.hint = "";  // nobody is leader
  Result<rpc::Attr> attr = cluster.client->GetAttr(Caller{}, 1);
  EXPECT_EQ(attr.status().code(), StatusCode::kUnavailable) << attr.status().ToString();
  EXPECT_GE(cluster.channel->calls[kA], 2) << "retried in rounds";
}

TEST(MasterClientTest, RetriesOfAMutationReuseItsSequence) {
  Cluster cluster;
  cluster.a.leader = true;
  cluster.a.unavailable_times = 2;
  Caller caller{1000, 100, {100, 200}};
  Result<rpc::Attr> made = cluster.client->Mkdir(caller, 1, "d", 0755);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_TRUE(cluster.client->Mkdir(caller, 1, "e", 0755).ok());
  const auto& contexts = cluster.a.contexts;
  ASSERT_EQ(contexts.size(), 4u);
  EXPECT_NE(contexts[0].client_id, 0);
  EXPECT_EQ(contexts[0].client_id, contexts[2].client_id);
  EXPECT_EQ(contexts[0].sequence, contexts[1].sequence);
  EXPECT_EQ(contexts[0].sequence, contexts[2].sequence);
  EXPECT_EQ(contexts[3].client_id, contexts[0].client_id);
  EXPECT_EQ(contexts[3].sequence, contexts[0].sequence + 1);
  EXPECT_EQ(contexts[0].uid, 1000);
  EXPECT_EQ(contexts[0].gid, 100);
  EXPECT_EQ(contexts[0].groups, (std::vector<int32_t>{100, 200}));
  EXPECT_FALSE(contexts[0].request_id.empty());
}

TEST(MasterClientTest, RealErrorsAreReturnedAtOnce) {
  Cluster cluster;
  cluster.a.leader = true;
  Result<rpc::Attr> attr = cluster.client->Lookup(Caller{}, 1, "missing");
  EXPECT_EQ(attr.status().code(), StatusCode::kNotFound) << attr.status().ToString();
  EXPECT_EQ(cluster.channel->calls[kA], 1) << "not retried";
}

class StepClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override { return 0; }
  int64_t NowMonotonicNanos() const override { return now_ns_ += 1'000'000; }

 private:
  mutable int64_t now_ns_ = 0;
};

// Every try of every master is one attempt, counted with how it failed.
TEST(MasterClientTest, MetricsCountEachAttemptAndHowItFailed) {
  MetricsRegistry registry;
  StepClock clock;
  RpcClientMetrics metrics(&registry, &clock);
  Cluster cluster(2000, /*b_reachable=*/false, &metrics);
  cluster.a.leader = true;
  // The first try goes to a (the first configured master) and succeeds.
  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 1).ok());
  EXPECT_EQ(cluster.client->Lookup(Caller{}, 1, "missing").status().code(),
            StatusCode::kNotFound);
  // Leadership moves to c; a names it; b, unreachable, is never tried.
  cluster.a.leader = false;
  cluster.a.hint = kC.ToString();
  cluster.c.leader = true;
  ASSERT_TRUE(cluster.client->GetAttr(Caller{}, 2).ok());

  const std::string text = registry.Render();
  auto has = [&text](const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("tessera_client_rpc_calls_total{service=\"MasterService\",method=\"getattr\"} 3"))
      << text;
  EXPECT_TRUE(has("tessera_client_rpc_errors_total{service=\"MasterService\",method=\"getattr\","
                  "kind=\"not_leader\"} 1"))
      << text;
  EXPECT_TRUE(has("tessera_client_rpc_errors_total{service=\"MasterService\",method=\"lookup\","
                  "kind=\"not_found\"} 1"))
      << text;
  EXPECT_TRUE(has("tessera_client_rpc_duration_seconds_count{service=\"MasterService\","
                  "method=\"getattr\"} 3"))
      << text;
}

}  // namespace
}  // namespace tessera::client
