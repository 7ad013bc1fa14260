// Test-only: the process's shared 1-member etcd (tests/servers/etcd_cluster.h), a fresh key
// prefix per store so tests never see each other's keys, and etcd state stores whose boot
// records go to a fresh SQLite store in a temp dir.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "cluster/etcd_client.h"
#include "servers/etcd_cluster.h"
#include "store/etcd/etcd_state_store.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"
#include "store/testing/temp_sqlite_store.h"

namespace novacron::store::testing {

// The client of the process's etcd, started on first use; kFailedPrecondition when etcd is not
// installed. The members are killed when the process exits.
inline Result<cluster::EtcdClient*> SharedEtcd() {
  static std::once_flag once;
  static std::unique_ptr<novacron::testing::EtcdCluster> cluster;
  // Never deleted: gRPC objects must not be torn down by static destructors.
  static cluster::EtcdClient* client = nullptr;
  static Status error;
  std::call_once(once, [] {
    if (std::string why = novacron::testing::EtcdCluster::SkipReason(); !why.empty()) {
      error = FailedPrecondition(why);
      return;
    }
    cluster = std::make_unique<novacron::testing::EtcdCluster>();
    error = cluster->Start();
    if (!error.ok()) return;
    Result<std::unique_ptr<cluster::EtcdClient>> connected = cluster::EtcdClient::Connect(
        {.endpoints = cluster->Endpoints(), .call_timeout = std::chrono::seconds(10)});
    if (!connected.ok()) {
      error = connected.status();
      return;
    }
    client = std::move(connected).value().release();
  });
  if (!error.ok()) return error;
  return client;
}

// "/conformance-<pid>-<n>/": unique within the shared etcd.
inline std::string FreshEtcdPrefix(const std::string& name = "conformance") {
  static std::atomic<int> counter{0};
  return "/" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "/";
}

// An etcd state store on `client` under `prefix`, with a fresh local store for boots.
inline Result<std::unique_ptr<EtcdStateStore>> OpenEtcdStore(cluster::EtcdClient& client,
                                                             std::string prefix) {
  Result<std::unique_ptr<StateStore>> local = OpenFreshSqlite();
  if (!local.ok()) return local.status();
  return EtcdStateStore::Open(client, std::move(prefix), std::move(local).value());
}

}  // namespace novacron::store::testing
