// The backend-independent StateStore suite on a real etcd: VM records, idempotency keys and
// tokens in etcd (one fresh key prefix per test on the process's shared 1-member etcd), boot
// records in a fresh local SQLite store, as a daemon in cluster mode etcd keeps them.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/etcd/etcd_test_support.h"
#include "store/testing/store_conformance.h"

namespace novacron::store::testing {
namespace {

Result<std::unique_ptr<StateStore>> OpenFreshEtcd() {
  Result<cluster::EtcdClient*> client = SharedEtcd();
  if (!client.ok()) return client.status();
  Result<std::unique_ptr<EtcdStateStore>> store = OpenEtcdStore(**client, FreshEtcdPrefix());
  if (!store.ok()) return store.status();
  return std::unique_ptr<StateStore>(std::move(store).value());
}

// Without etcd the suite is not instantiated, and the test below says why.
std::vector<StoreFactory> EtcdFactories() {
  if (!novacron::testing::EtcdCluster::SkipReason().empty()) return {};
  return {StoreFactory{"etcd", &OpenFreshEtcd}};
}

INSTANTIATE_TEST_SUITE_P(Etcd, StoreConformanceTest, ::testing::ValuesIn(EtcdFactories()),
                         StoreFactoryName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformanceTest);

TEST(EtcdConformanceTest, EtcdIsInstalled) {
  if (std::string why = novacron::testing::EtcdCluster::SkipReason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
}

}  // namespace
}  // namespace novacron::store::testing
