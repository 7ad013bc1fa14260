// A real etcd cluster for tests: 1 or 3 members of /usr/bin/etcd (etcd 3.4, Debian package
// etcd-server) on free loopback client and peer ports, each with its own data dir and log file
// in one temp dir, with fast leader elections (heartbeat 50 ms, election timeout 500 ms). Members
// can be killed, restarted on the same ports and data, and paused; every member is SIGKILLed and
// the temp dir removed when the harness goes away (and the members die with the test process).
//
//   if (std::string why = EtcdCluster::SkipReason(); !why.empty()) GTEST_SKIP() << why;
//   EtcdCluster cluster({.members = 3});
//   ASSERT_TRUE(cluster.Start().ok());
//   cluster.Kill(cluster.Leader());  // the other two elect a new leader within a second or so
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::testing {

class EtcdCluster {
 public:
  struct Options {
    int members = 1;  // 1 or 3 (any N >= 1 works)
  };

  // Why etcd cannot run on this machine, or "" when /usr/bin/etcd exists and runs. Tests
  // GTEST_SKIP() with it.
  static std::string SkipReason();

  EtcdCluster() : EtcdCluster(Options{}) {}
  explicit EtcdCluster(Options options);
  ~EtcdCluster();  // SIGKILLs every member and removes the temp dir
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  // Starts all members as a new cluster (a unique --initial-cluster-token, fresh ports, retried
  // on a port race) and waits up to 30 s until every member answers GET /health with
  // {"health":"true"}. kFailedPrecondition when etcd is not installed; otherwise the error
  // carries the tail of the failing member's log.
  Status Start();

  // "127.0.0.1:<client port>" of every member (running or not), in member order; empty before
  // Start(). For etcdctl --endpoints (joined with ',') and gRPC clients.
  std::vector<std::string> Endpoints() const;
  std::string Endpoint(int member) const;

  // SIGKILL and reap: a crash, as the other members and the clients see it. The data dir stays.
  void Kill(int member);
  // Kills the member if it runs, then starts it again on its ports and data dir
  // (--initial-cluster-state existing) and waits up to 30 s until it answers GET /health.
  Status Restart(int member);
  // SIGSTOP / SIGCONT: the member keeps its sockets but stops answering, as in a stall or a
  // network partition.
  void Pause(int member);
  void Resume(int member);
  bool running(int member) const;

  // The index of the member that is the current raft leader, or -1 when no running, unpaused
  // member claims to be (e.g. during an election). Asks every such member for its status
  // (POST /v3/maintenance/status); among those that say they are the leader, the one with the
  // highest raft term wins.
  int Leader() const;

  int size() const { return options_.members; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path LogFile(int member) const;

 private:
  struct Member {
    std::string name;  // "m0", "m1", ...
    int client_port = 0;
    int peer_port = 0;
    pid_t pid = -1;
    bool paused = false;
    uintmax_t log_start = 0;  // size of the log when the member was last started
  };

  // Starts the member's etcd with --initial-cluster-state `state` ("new" or "existing").
  Status Spawn(int member, const std::string& state);
  // Waits until each member in `which` answers /health; fails early when one of them exits.
  Status WaitHealthy(const std::vector<int>& which, std::chrono::steady_clock::time_point deadline);
  bool Exited(int member);
  bool LostPortRace(int member) const;
  std::string InitialCluster() const;
  std::string LogTail(int member) const;
  Member& At(int member);
  const Member& At(int member) const;

  Options options_;
  std::filesystem::path dir_;  // temp dir: m<i>/ data dirs and m<i>.log logs
  std::string token_;          // --initial-cluster-token of the current cluster
  std::vector<Member> members_;
};

}  // namespace novacron::testing
