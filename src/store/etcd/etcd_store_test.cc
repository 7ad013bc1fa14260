// What only the etcd state store has: its key layout and etcd's own versions, several nodes on
// one prefix, etcd down (kUnavailable, which the API answers with 503), values it cannot read,
// and the etcd client features it relies on (ranges in creation order, snapshots, VersionIs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "servers/server_util.h"
#include "store/etcd/etcd_store_codec.h"
#include "store/etcd/etcd_test_support.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store::testing {
namespace {

using cluster::Compare;
using cluster::EtcdClient;
using cluster::TxnOp;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TokenRecord Token(std::string id, std::string hash) {
  TokenRecord token;
  token.id = std::move(id);
  token.name = "ci";
  token.role = "viewer";
  token.hash = std::move(hash);
  return token;
}

class EtcdStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<EtcdClient*> client = SharedEtcd();
    if (client.status().code() == ErrorCode::kFailedPrecondition) {
      GTEST_SKIP() << client.status().ToString();
    }
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *client;
    prefix_ = FreshEtcdPrefix("etcd-store");
    store_ = Open(prefix_);
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<EtcdStateStore> Open(const std::string& prefix) {
    Result<std::unique_ptr<EtcdStateStore>> store = OpenEtcdStore(*client_, prefix);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // The key under this test's prefix, or nullopt.
  std::optional<cluster::KeyValue> Key(const std::string& suffix) {
    Result<std::optional<cluster::KeyValue>> kv = client_->Get(prefix_ + suffix);
    EXPECT_TRUE(kv.ok()) << kv.status().ToString();
    return kv.ok() ? *kv : std::nullopt;
  }

  EtcdClient* client_ = nullptr;
  std::string prefix_;
  std::unique_ptr<EtcdStateStore> store_;
};

TEST_F(EtcdStoreTest, DescribesItself) {
  EXPECT_EQ(store_->backend(), "etcd");
  EXPECT_THAT(store_->location(), StartsWith("etcd " + client_->options().endpoints[0]));
  EXPECT_THAT(store_->location(), HasSubstr(prefix_));
  EXPECT_EQ(store_->schema_version(), store_->local().schema_version());
  EXPECT_TRUE(store_->Health().ok());
  EXPECT_EQ(EtcdStateStore::Open(*client_, "", nullptr).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(EtcdStoreTest, KeysFollowTheLayoutAndVersionIsEtcds) {
  VmStore& vms = store_->vms();
  VmRecord created = MustCreate(vms, NewVm("web1", "stopped", {{"app", "shop"}}));
  std::optional<cluster::KeyValue> vm = Key("vms/" + created.id);
  ASSERT_TRUE(vm.has_value());
  EXPECT_EQ(vm->version, 1);
  std::optional<cluster::KeyValue> name = Key("vm_names/web1");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->value, created.id);

  VmRecord change = created;
  change.name = "web2";
  Result<VmRecord> updated = vms.Update(change, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  vm = Key("vms/" + created.id);
  ASSERT_TRUE(vm.has_value());
  EXPECT_EQ(vm->version, updated->version);
  EXPECT_EQ(vm->version, 2);
  EXPECT_FALSE(Key("vm_names/web1").has_value());
  EXPECT_TRUE(Key("vm_names/web2").has_value());

  ASSERT_TRUE(vms.Delete(created.id, 2).ok());
  EXPECT_FALSE(Key("vms/" + created.id).has_value());
  EXPECT_FALSE(Key("vm_names/web2").has_value());

  IdempotencyRecord idempotency{.key = "a/b c", .fingerprint = "f", .status = 201, .body = "{}"};
  ASSERT_TRUE(vms.PutIdempotency(idempotency).ok());
  EXPECT_TRUE(Key("idempotency/a/b c").has_value());
  ASSERT_TRUE(store_->tokens().Create(Token("tok_1", "ab12")).ok());
  std::optional<cluster::KeyValue> hash = Key("token_hashes/ab12");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->value, "tok_1");
  EXPECT_TRUE(Key("tokens/tok_1").has_value());
}

// A leader's write carries its term (the leader key's create revision): once the key was taken
// again by another node, the deposed leader's write is refused and changes nothing.
TEST_F(EtcdStoreTest, LeaderWritesAreRefusedAfterDeposition) {
  EtcdVmStore& vms = store_->etcd_vms();
  VmRecord created = MustCreate(vms, NewVm("web1", "defined", {}));
  const std::string leader_key = prefix_ + "leader";
  ASSERT_TRUE(client_->Put(leader_key, "n1").ok());
  std::optional<cluster::KeyValue> term = Key("leader");
  ASSERT_TRUE(term.has_value());
  cluster::Compare guard = cluster::Compare::CreateRevisionIs(leader_key, term->create_revision);

  VmRecord placed = created;
  placed.owner = "n2";
  Result<VmRecord> written = vms.UpdateAsLeader(placed, created.version, guard);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->owner, "n2");

  // n1's lease ran out and n3 took the key: a new create revision, a new term.
  ASSERT_TRUE(client_->Delete(leader_key).ok());
  ASSERT_TRUE(client_->Put(leader_key, "n3").ok());
  VmRecord moved = *written;
  moved.owner = "n1";
  Result<VmRecord> deposed = vms.UpdateAsLeader(moved, written->version, guard);
  EXPECT_EQ(deposed.status().code(), ErrorCode::kFailedPrecondition) << deposed.status().ToString();
  EXPECT_THAT(deposed.status().message(), HasSubstr("no longer leads"));
  Result<VmRecord> now = vms.Get(created.id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->owner, "n2");
  EXPECT_EQ(now->version, written->version);
  // With the key gone entirely, the same.
  ASSERT_TRUE(client_->Delete(leader_key).ok());
  EXPECT_EQ(vms.UpdateAsLeader(moved, written->version, guard).status().code(),
            ErrorCode::kFailedPrecondition);
}

// Two daemons of one cluster share the records (and their versions); another prefix is
// another cluster.
TEST_F(EtcdStoreTest, NodesOnOnePrefixShareRecordsAndOtherPrefixesDoNot) {
  std::unique_ptr<EtcdStateStore> other_node = Open(prefix_);
  std::unique_ptr<EtcdStateStore> other_cluster = Open(FreshEtcdPrefix("etcd-store"));
  ASSERT_NE(other_node, nullptr);
  ASSERT_NE(other_cluster, nullptr);
  VmRecord created = MustCreate(store_->vms(), NewVm("web1"));
  Result<VmRecord> seen = other_node->vms().GetByName("web1");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(*seen, created);
  VmRecord change = created;
  change.state = "running";
  ASSERT_TRUE(other_node->vms().Update(change, 1).ok());
  EXPECT_EQ(store_->vms().Update(change, 1).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(other_cluster->vms().Get(created.id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(other_cluster->vms().Create(NewVm("web1")).ok());  // names are per cluster
  // Boot records stay with each node.
  Result<int64_t> boot = store_->boots().BeginBoot({.node_id = "n1", .pid = 1});
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  Result<std::vector<BootRecord>> others = other_node->boots().ListBoots(10);
  ASSERT_TRUE(others.ok());
  EXPECT_TRUE(others->empty());
}

TEST_F(EtcdStoreTest, EtcdDownIsUnavailable) {
  // A port nobody listens on: every call is refused at once.
  auto down = EtcdClient::Connect(
      {.endpoints = {"127.0.0.1:" + std::to_string(novacron::testing::PickFreePort())},
       .call_timeout = std::chrono::seconds(2)});
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  std::unique_ptr<EtcdStateStore> store = [&] {
    auto opened = OpenEtcdStore(**down, "/down/");
    EXPECT_TRUE(opened.ok());
    return opened.ok() ? std::move(opened).value() : nullptr;
  }();
  ASSERT_NE(store, nullptr);
  VmStore& vms = store->vms();
  VmRecord vm = NewVm("web1");
  IdempotencyRecord key{.key = "k", .fingerprint = "f", .status = 201, .body = "{}"};
  const std::vector<std::pair<std::string, Status>> calls = {
      {"Health", store->Health()},
      {"Create", vms.Create(vm, &key).status()},
      {"Get", vms.Get(vm.id).status()},
      {"GetByName", vms.GetByName("web1").status()},
      {"List", vms.List({.state = "running", .labels = {}}, {}).status()},
      {"ListAll", vms.ListAll().status()},
      {"Update", vms.Update(vm, 1).status()},
      {"Delete", vms.Delete(vm.id, std::nullopt)},
      {"GetIdempotency", vms.GetIdempotency("k").status()},
      {"PutIdempotency", vms.PutIdempotency(key)},
      {"PruneIdempotency", vms.PruneIdempotency(std::chrono::system_clock::now()).status()},
      {"Token Create", store->tokens().Create(Token("tok_1", "h")).status()},
      {"FindByHash", store->tokens().FindByHash("h").status()},
      {"Token List", store->tokens().List().status()},
      {"Revoke", store->tokens().Revoke("tok_1", std::chrono::system_clock::now()).status()},
  };
  for (const auto& [name, status] : calls) {
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << name << ": " << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("etcd")) << name;
  }
  // Boot records do not need etcd.
  EXPECT_TRUE(store->boots().BeginBoot({.node_id = "n1", .pid = 1}).ok());
}

TEST_F(EtcdStoreTest, ValuesItCannotReadAreInternalErrorsNamingTheKey) {
  VmRecord created = MustCreate(store_->vms(), NewVm("web1"));
  const std::string key = prefix_ + "vms/" + created.id;
  ASSERT_TRUE(client_->Put(key, R"({"name":"web1"})").ok());
  Result<VmRecord> got = store_->vms().Get(created.id);
  EXPECT_EQ(got.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(got.status().message(), HasSubstr(key));
  EXPECT_EQ(store_->vms().ListAll().status().code(), ErrorCode::kInternal);
  ASSERT_TRUE(client_->Put(key, "not json").ok());
  EXPECT_EQ(store_->vms().List({}, {}).status().code(), ErrorCode::kInternal);
}

// Values written before VM records had an owner read back as unplaced ("").
TEST_F(EtcdStoreTest, VmWithoutAnOwnerFieldIsUnplaced) {
  VmRecord created = MustCreate(store_->vms(), NewVm("web1"));
  const std::string key = prefix_ + "vms/" + created.id;
  const std::string old_value =
      R"({"name":"web1","spec":"{}","labels":{},"state":"stopped","drift":"",)"
      R"("last_error":"","created_at_ns":1000,"updated_at_ns":2000})";
  ASSERT_TRUE(client_->Put(key, old_value).ok());
  Result<VmRecord> got = store_->vms().Get(created.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->owner, "");
  EXPECT_EQ(got->version, 2);
  VmRecord change = *got;
  change.owner = "n1";
  Result<VmRecord> updated = store_->vms().Update(change, 2);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(store_->vms().Get(created.id)->owner, "n1");
}

TEST_F(EtcdStoreTest, TextThatIsNotUtf8IsRefused) {
  VmRecord vm = NewVm("web1");
  vm.last_error = "bad \xff byte";
  Result<VmRecord> created = store_->vms().Create(vm);
  EXPECT_EQ(created.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(created.status().message(), HasSubstr("UTF-8"));
  EXPECT_FALSE(Key("vms/" + vm.id).has_value());
}

// A VM deleted and created again under the same id is a new record: version 1, listed last.
TEST_F(EtcdStoreTest, RecreatedIdStartsOverAndSortsLast) {
  VmStore& vms = store_->vms();
  VmRecord a = MustCreate(vms, NewVm("a"));
  MustCreate(vms, NewVm("b"));
  ASSERT_TRUE(vms.Delete(a.id, 1).ok());
  VmRecord again = NewVm("a2");
  again.id = a.id;
  VmRecord recreated = MustCreate(vms, again);
  EXPECT_EQ(recreated.version, 1);
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(NamesOf(*all), ElementsAre("b", "a2"));
  EXPECT_THAT(NamesOf(AllPages(vms, {}, 1)), ElementsAre("b", "a2"));
}

// More records than one etcd read returns: ListAll and filtered lists page internally, at one
// snapshot, and still agree with each other.
TEST_F(EtcdStoreTest, ListsLongerThanOneReadStayInCreationOrder) {
  VmStore& vms = store_->vms();
  std::vector<std::string> names;
  std::vector<std::string> tagged;
  for (int i = 0; i < 1050; ++i) {
    // Descending names: key order (ids are random anyway) is not creation order.
    names.push_back("vm-" + std::to_string(10000 - i));
    const bool tag = i % 100 == 7;
    if (tag) tagged.push_back(names.back());
    MustCreate(vms, NewVm(names.back(), "stopped", {{"tag", tag ? "yes" : "no"}}));
  }
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(NamesOf(*all), names);
  EXPECT_EQ(AllPages(vms, {}, 1000), *all);
  const VmListFilter filter{.state = std::nullopt, .labels = {{"tag", "yes"}}};
  EXPECT_EQ(NamesOf(AllPages(vms, filter, 1)), tagged);
  EXPECT_EQ(NamesOf(AllPages(vms, filter, 4)), tagged);
}

// A scan whose snapshot etcd compacts before it is done starts over at the latest revision; one
// that keeps losing it gives up with kUnavailable.
TEST_F(EtcdStoreTest, ScanStartsOverWhenItsSnapshotIsCompacted) {
  if (::access("/usr/bin/etcdctl", X_OK) != 0) GTEST_SKIP() << "/usr/bin/etcdctl not found";
  const std::string dir = prefix_ + "scan/";
  for (const char* key : {"a", "b", "c"}) ASSERT_TRUE(client_->Put(dir + key, key).ok());
  // Writes a key and compacts etcd's history up to that write.
  auto write_and_compact = [&](const std::string& value) {
    Result<int64_t> revision = client_->Put(dir + "a", value);
    ASSERT_TRUE(revision.ok()) << revision.status().ToString();
    const std::string command =
        "ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=" + client_->options().endpoints[0] +
        " compact " + std::to_string(*revision) + " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  };
  int restarts = 0;
  std::vector<std::string> seen;
  Status once = ScanSnapshot(
      *client_, EtcdClient::RangeQuery::Prefix(dir), 1, "scan",
      [&] {
        ++restarts;
        seen.clear();
      },
      [&](const cluster::KeyValue& kv) -> Result<bool> {
        seen.push_back(kv.value);
        if (restarts == 0) write_and_compact("a2");
        return true;
      });
  ASSERT_TRUE(once.ok()) << once.ToString();
  EXPECT_EQ(restarts, 1);
  EXPECT_THAT(seen, ElementsAre("a2", "b", "c"));

  Status always = ScanSnapshot(
      *client_, EtcdClient::RangeQuery::Prefix(dir), 1, "scan", [] {},
      [&](const cluster::KeyValue&) -> Result<bool> {
        write_and_compact("again");
        return true;
      });
  EXPECT_EQ(always.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(always.message(), HasSubstr("compacted"));
}

TEST_F(EtcdStoreTest, ClientRangesInCreationOrderAtASnapshot) {
  const std::string dir = prefix_ + "range/";
  std::vector<int64_t> revisions;
  for (const char* key : {"c", "a", "b"}) {
    Result<int64_t> put = client_->Put(dir + key, key);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    revisions.push_back(*put);
  }
  EtcdClient::RangeQuery query = EtcdClient::RangeQuery::Prefix(dir);
  query.by_create_revision = true;
  query.limit = 2;
  Result<EtcdClient::Range> first = client_->GetRange(query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->kvs.size(), 2u);
  EXPECT_EQ(first->kvs[0].value, "c");
  EXPECT_EQ(first->kvs[1].value, "a");
  EXPECT_TRUE(first->more);
  query.min_create_revision = first->kvs[1].create_revision + 1;
  Result<EtcdClient::Range> rest = client_->GetRange(query);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->kvs.size(), 1u);
  EXPECT_EQ(rest->kvs[0].value, "b");
  EXPECT_FALSE(rest->more);

  // Key order without a sort; a past revision still sees the old value.
  ASSERT_TRUE(client_->Put(dir + "a", "a2").ok());
  EtcdClient::RangeQuery by_key = EtcdClient::RangeQuery::Prefix(dir);
  by_key.revision = revisions.back();
  Result<EtcdClient::Range> old = client_->GetRange(by_key);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ASSERT_EQ(old->kvs.size(), 3u);
  EXPECT_EQ(old->kvs[0].key, dir + "a");
  EXPECT_EQ(old->kvs[0].value, "a");
  EXPECT_GT(old->revision, revisions.back());  // the current revision
  by_key.revision = old->revision + 1000;
  EXPECT_EQ(client_->GetRange(by_key).status().code(), ErrorCode::kFailedPrecondition);
  // One key alone.
  Result<EtcdClient::Range> one = client_->GetRange({.key = dir + "b"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->kvs.size(), 1u);
  EXPECT_EQ(one->kvs[0].value, "b");
}

TEST_F(EtcdStoreTest, ClientComparesTheKeysVersion) {
  const std::string key = prefix_ + "versioned";
  auto put_if = [&](int64_t version) {
    Result<cluster::TxnResult> result = client_->Commit(
        {.compare = {Compare::VersionIs(key, version)}, .success = {TxnOp::Put(key, "v")}});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() && result->succeeded;
  };
  EXPECT_FALSE(put_if(1));
  EXPECT_TRUE(put_if(0));  // missing
  EXPECT_TRUE(put_if(1));
  EXPECT_FALSE(put_if(1));
  EXPECT_TRUE(put_if(2));
}

}  // namespace
}  // namespace novacron::store::testing
