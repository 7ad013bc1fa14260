// The VmStore contract (vm_store.h): records, lookups, listing and pagination, optimistic
// concurrency. Idempotency records and concurrent writers: store_conformance_vms_idempotency.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "store/testing/store_conformance.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_P(StoreConformanceTest, VmCreateThenGetByIdAndByName) {
  VmStore& vms = store().vms();
  VmRecord input = NewVm("web1", "running", {{"app", "shop"}, {"tier", "frontend"}});
  input.drift = "missing_on_hypervisor";
  input.last_error = "start: domain exists";
  input.version = 42;  // ignored: the store sets it

  Result<VmRecord> created = vms.Create(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->id, input.id);
  EXPECT_EQ(created->name, "web1");
  EXPECT_EQ(created->spec_json, input.spec_json);
  EXPECT_EQ(created->labels, input.labels);
  EXPECT_EQ(created->state, "running");
  EXPECT_EQ(created->drift, "missing_on_hypervisor");
  EXPECT_EQ(created->last_error, "start: domain exists");
  EXPECT_EQ(created->version, 1);
  EXPECT_TRUE(IsRecent(created->created_at));
  EXPECT_EQ(created->updated_at, created->created_at);

  Result<VmRecord> by_id = vms.Get(input.id);
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(*by_id, *created);
  Result<VmRecord> by_name = vms.GetByName("web1");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(*by_name, *created);
}

TEST_P(StoreConformanceTest, VmGetUnknownIsNotFound) {
  VmStore& vms = store().vms();
  MustCreate(vms, NewVm("web1"));
  const std::string unknown = NewUuid();
  Result<VmRecord> by_id = vms.Get(unknown);
  EXPECT_EQ(by_id.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(by_id.status().message(), HasSubstr(unknown));
  Result<VmRecord> by_name = vms.GetByName("web2");
  EXPECT_EQ(by_name.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(by_name.status().message(), HasSubstr("web2"));
}

TEST_P(StoreConformanceTest, VmCreateRejectsMissingFields) {
  VmStore& vms = store().vms();
  VmRecord no_id = NewVm("a");
  no_id.id = "";
  VmRecord no_name = NewVm("");
  VmRecord no_spec = NewVm("c");
  no_spec.spec_json = "";
  VmRecord no_state = NewVm("d", "");
  for (const VmRecord& bad : {no_id, no_name, no_spec, no_state}) {
    EXPECT_EQ(vms.Create(bad).status().code(), ErrorCode::kInvalidArgument) << bad.name;
  }
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(*all, IsEmpty());
}

TEST_P(StoreConformanceTest, VmCreateRejectsATakenId) {
  VmStore& vms = store().vms();
  VmRecord first = MustCreate(vms, NewVm("web1"));
  VmRecord same_id = NewVm("web2");
  same_id.id = first.id;
  Result<VmRecord> again = vms.Create(same_id);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr(first.id));
  EXPECT_EQ(vms.GetByName("web2").status().code(), ErrorCode::kNotFound);
  Result<VmRecord> stored = vms.Get(first.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, first);
}

TEST_P(StoreConformanceTest, VmCreateRejectsATakenName) {
  VmStore& vms = store().vms();
  VmRecord first = MustCreate(vms, NewVm("web1"));
  VmRecord same_name = NewVm("web1", "running", {{"app", "other"}});
  Result<VmRecord> again = vms.Create(same_name);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "vm name 'web1' is taken");
  EXPECT_EQ(vms.Get(same_name.id).status().code(), ErrorCode::kNotFound);
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<VmRecord>{first});
  // Nothing of the refused record leaked into the label index.
  Result<VmPage> other = vms.List({.state = std::nullopt, .labels = {{"app", "other"}}}, {});
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(other->items, IsEmpty());
}

TEST_P(StoreConformanceTest, VmListAllIsInCreationOrder) {
  VmStore& vms = store().vms();
  Result<std::vector<VmRecord>> empty = vms.ListAll();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_THAT(*empty, IsEmpty());
  // Names and ids deliberately not in creation order.
  std::vector<VmRecord> created;
  for (const char* name : {"zeta", "alpha", "mid", "beta"}) {
    created.push_back(MustCreate(vms, NewVm(name, "stopped", {{"n", name}})));
  }
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, created);
}

TEST_P(StoreConformanceTest, VmListPaginatesInCreationOrder) {
  VmStore& vms = store().vms();
  std::vector<std::string> names;
  for (int i = 0; i < 7; ++i) {
    names.push_back("vm-" + std::to_string(6 - i));  // descending names, ascending creation
    MustCreate(vms, NewVm(names.back()));
  }
  Result<VmPage> first = vms.List({}, {.limit = 3, .cursor = ""});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_THAT(NamesOf(first->items), ElementsAre("vm-6", "vm-5", "vm-4"));
  ASSERT_FALSE(first->next_cursor.empty());
  Result<VmPage> second = vms.List({}, {.limit = 3, .cursor = first->next_cursor});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_THAT(NamesOf(second->items), ElementsAre("vm-3", "vm-2", "vm-1"));
  ASSERT_FALSE(second->next_cursor.empty());
  Result<VmPage> last = vms.List({}, {.limit = 3, .cursor = second->next_cursor});
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_THAT(NamesOf(last->items), ElementsAre("vm-0"));
  EXPECT_EQ(last->next_cursor, "");

  EXPECT_EQ(NamesOf(AllPages(vms, {}, 1)), names);
  EXPECT_EQ(NamesOf(AllPages(vms, {}, 1000)), names);
  // A page that ends exactly at the last record says so (no empty page after it).
  Result<VmPage> exact = vms.List({}, {.limit = 7, .cursor = ""});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->items.size(), 7u);
  EXPECT_EQ(exact->next_cursor, "");
}

TEST_P(StoreConformanceTest, VmListFiltersByStateAndLabelsAcrossPages) {
  VmStore& vms = store().vms();
  // i % 2: state; i % 3: app label; i % 4: tier label.
  const char* kApps[] = {"shop", "blog", "mail"};
  const char* kTiers[] = {"web", "db", "web", "cache"};
  std::vector<VmRecord> created;
  for (int i = 0; i < 24; ++i) {
    created.push_back(
        MustCreate(vms, NewVm("vm-" + std::to_string(i), i % 2 == 0 ? "running" : "stopped",
                              {{"app", kApps[i % 3]}, {"tier", kTiers[i % 4]}, {"other", "x"}})));
  }
  auto expected = [&](const VmListFilter& filter) {
    std::vector<std::string> names;
    for (const VmRecord& vm : created) {
      bool match = !filter.state || vm.state == *filter.state;
      for (const auto& [key, value] : filter.labels) {
        auto it = vm.labels.find(key);
        match = match && it != vm.labels.end() && it->second == value;
      }
      if (match) names.push_back(vm.name);
    }
    return names;
  };
  const std::vector<VmListFilter> filters = {
      {.state = "running", .labels = {}},
      {.state = std::nullopt, .labels = {{"app", "shop"}}},
      {.state = std::nullopt, .labels = {{"app", "shop"}, {"tier", "web"}}},
      {.state = "running", .labels = {{"tier", "web"}}},
      {.state = "stopped", .labels = {{"tier", "cache"}}},
      {.state = "stopped", .labels = {{"app", "blog"}, {"tier", "db"}}},
  };
  for (const VmListFilter& filter : filters) {
    const std::vector<std::string> want = expected(filter);
    ASSERT_FALSE(want.empty());
    for (int limit : {1, 2, 3, 1000}) {
      std::vector<VmRecord> got = AllPages(vms, filter, limit);
      EXPECT_EQ(NamesOf(got), want) << "limit " << limit << ", state " << filter.state.value_or("*")
                                    << ", " << filter.labels.size() << " labels";
      for (const VmRecord& vm : got) EXPECT_EQ(vm.labels.size(), 3u) << vm.name;
    }
  }
  // Filters that match nothing: a key/value pair split across two labels, unknown values.
  for (const VmListFilter& none : {
           VmListFilter{.state = std::nullopt, .labels = {{"app", "web"}}},
           VmListFilter{.state = "paused", .labels = {}},
           VmListFilter{.state = std::nullopt, .labels = {{"app", "shop"}, {"tier", "nope"}}},
       }) {
    Result<VmPage> page = vms.List(none, {.limit = 5, .cursor = ""});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_THAT(page->items, IsEmpty());
    EXPECT_EQ(page->next_cursor, "");
  }
}

TEST_P(StoreConformanceTest, VmListRejectsMalformedCursors) {
  VmStore& vms = store().vms();
  MustCreate(vms, NewVm("web1"));
  for (const char* cursor : {"!!!", "not/a*cursor", "\x01\x02"}) {
    Result<VmPage> page = vms.List({}, {.limit = 10, .cursor = cursor});
    EXPECT_EQ(page.status().code(), ErrorCode::kInvalidArgument) << cursor;
    EXPECT_THAT(page.status().message(), HasSubstr("cursor: malformed")) << cursor;
  }
}

TEST_P(StoreConformanceTest, VmListValidatesTheLimit) {
  VmStore& vms = store().vms();
  MustCreate(vms, NewVm("web1"));
  for (int limit : {0, -1, 1001}) {
    EXPECT_EQ(vms.List({}, {.limit = limit, .cursor = ""}).status().code(),
              ErrorCode::kInvalidArgument)
        << limit;
  }
  for (int limit : {1, 1000}) {
    Result<VmPage> page = vms.List({}, {.limit = limit, .cursor = ""});
    ASSERT_TRUE(page.ok()) << limit << ": " << page.status().ToString();
    EXPECT_EQ(page->items.size(), 1u);
  }
  Result<VmPage> defaults = vms.List({}, {});
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->items.size(), 1u);
}

// A cursor stays valid while records come and go: one taken past records that were deleted
// since still finds records created after them.
TEST_P(StoreConformanceTest, VmCursorSurvivesDeletesAndCreates) {
  VmStore& vms = store().vms();
  VmRecord a = MustCreate(vms, NewVm("a"));
  VmRecord b = MustCreate(vms, NewVm("b"));
  VmRecord c = MustCreate(vms, NewVm("c"));
  Result<VmPage> first = vms.List({}, {.limit = 2, .cursor = ""});
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(NamesOf(first->items), ElementsAre("a", "b"));
  ASSERT_TRUE(vms.Delete(b.id, std::nullopt).ok());
  ASSERT_TRUE(vms.Delete(c.id, std::nullopt).ok());
  MustCreate(vms, NewVm("d"));
  Result<VmPage> rest = vms.List({}, {.limit = 2, .cursor = first->next_cursor});
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_THAT(NamesOf(rest->items), ElementsAre("d"));
  EXPECT_EQ(rest->next_cursor, "");
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(NamesOf(*all), ElementsAre("a", "d"));
}

TEST_P(StoreConformanceTest, VmUpdateReplacesFieldsAndBumpsVersion) {
  VmStore& vms = store().vms();
  VmRecord created = MustCreate(vms, NewVm("web1", "defined", {{"app", "shop"}, {"old", "1"}}));
  // Let the clock move on, so updated_at must differ from created_at.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  VmRecord change = created;
  change.name = "web1-renamed";
  change.spec_json = R"({"name":"web1-renamed","vcpus":4})";
  change.labels = {{"app", "shop"}, {"new", "2"}};
  change.state = "running";
  change.drift = "state_mismatch";
  change.last_error = "reboot: timed out";
  change.created_at = {};  // ignored: kept by the store
  Result<VmRecord> updated = vms.Update(change, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->name, "web1-renamed");
  EXPECT_EQ(updated->spec_json, change.spec_json);
  EXPECT_EQ(updated->labels, change.labels);
  EXPECT_EQ(updated->state, "running");
  EXPECT_EQ(updated->drift, "state_mismatch");
  EXPECT_EQ(updated->last_error, "reboot: timed out");
  EXPECT_EQ(updated->created_at, created.created_at);
  EXPECT_GT(updated->updated_at, created.updated_at);

  Result<VmRecord> stored = vms.Get(created.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *updated);
  EXPECT_EQ(vms.GetByName("web1").status().code(), ErrorCode::kNotFound);
  Result<VmRecord> by_new_name = vms.GetByName("web1-renamed");
  ASSERT_TRUE(by_new_name.ok());
  EXPECT_EQ(by_new_name->id, created.id);
  // The label index follows: the dropped label no longer matches, the new one does.
  Result<VmPage> old_label = vms.List({.state = std::nullopt, .labels = {{"old", "1"}}}, {});
  ASSERT_TRUE(old_label.ok());
  EXPECT_THAT(old_label->items, IsEmpty());
  Result<VmPage> new_label = vms.List({.state = "running", .labels = {{"new", "2"}}}, {});
  ASSERT_TRUE(new_label.ok());
  ASSERT_EQ(new_label->items.size(), 1u);
  EXPECT_EQ(new_label->items[0], *updated);

  // Each update bumps again; keeping the same name is not a clash with itself.
  Result<VmRecord> third = vms.Update(*updated, 2);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->version, 3);
  EXPECT_GT(third->updated_at, updated->updated_at);
}

TEST_P(StoreConformanceTest, VmUpdateWithAStaleVersionConflictsAndChangesNothing) {
  VmStore& vms = store().vms();
  VmRecord created = MustCreate(vms, NewVm("web1"));
  VmRecord change = created;
  change.state = "running";
  Result<VmRecord> v2 = vms.Update(change, 1);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();

  VmRecord stale = created;
  stale.state = "paused";
  stale.name = "web1-stale";
  Result<VmRecord> refused = vms.Update(stale, 1);
  EXPECT_EQ(refused.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(refused.status().message(),
            "vm " + created.id + " was modified: version 2, expected 1");
  Result<VmRecord> ahead = vms.Update(stale, 7);
  EXPECT_EQ(ahead.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(ahead.status().message(), HasSubstr("version 2, expected 7"));

  Result<VmRecord> stored = vms.Get(created.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *v2);
  EXPECT_EQ(vms.GetByName("web1-stale").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, VmUpdateOfAnUnknownVmIsNotFound) {
  VmStore& vms = store().vms();
  VmRecord ghost = NewVm("ghost");
  Result<VmRecord> updated = vms.Update(ghost, 1);
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(updated.status().message(), HasSubstr(ghost.id));
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(*all, IsEmpty());
}

TEST_P(StoreConformanceTest, VmRenameToATakenNameIsRefused) {
  VmStore& vms = store().vms();
  VmRecord web1 = MustCreate(vms, NewVm("web1"));
  VmRecord web2 = MustCreate(vms, NewVm("web2"));
  VmRecord rename = web1;
  rename.name = "web2";
  rename.state = "running";
  Result<VmRecord> refused = vms.Update(rename, 1);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.status().message(), "vm name 'web2' is taken");
  Result<VmRecord> stored = vms.Get(web1.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, web1);
  Result<VmRecord> other = vms.GetByName("web2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, web2);
}

TEST_P(StoreConformanceTest, VmDeleteChecksTheVersion) {
  VmStore& vms = store().vms();
  VmRecord created = MustCreate(vms, NewVm("web1", "stopped", {{"app", "shop"}}));
  VmRecord change = created;
  change.state = "running";
  ASSERT_TRUE(vms.Update(change, 1).ok());

  Status stale = vms.Delete(created.id, 1);
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(stale.message(), "vm " + created.id + " was modified: version 2, expected 1");
  ASSERT_TRUE(vms.Get(created.id).ok());

  ASSERT_TRUE(vms.Delete(created.id, 2).ok());
  EXPECT_EQ(vms.Get(created.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(vms.GetByName("web1").status().code(), ErrorCode::kNotFound);
  Result<VmPage> labelled = vms.List({.state = std::nullopt, .labels = {{"app", "shop"}}}, {});
  ASSERT_TRUE(labelled.ok());
  EXPECT_THAT(labelled->items, IsEmpty());

  Status again = vms.Delete(created.id, std::nullopt);
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr(created.id));
  EXPECT_EQ(vms.Delete(NewUuid(), 1).code(), ErrorCode::kNotFound);

  // The name and the id are free again.
  VmRecord reused = NewVm("web1");
  reused.id = created.id;
  Result<VmRecord> recreated = vms.Create(reused);
  ASSERT_TRUE(recreated.ok()) << recreated.status().ToString();
  EXPECT_EQ(recreated->version, 1);
}

// The owner (cluster mode: the node that runs the VM) is stored as given, read back by every
// lookup, and replaced by Update like the other mutable fields, "" included.
TEST_P(StoreConformanceTest, VmOwnerIsStoredAndUpdated) {
  VmStore& vms = store().vms();
  VmRecord unplaced = MustCreate(vms, NewVm("web0"));
  EXPECT_EQ(unplaced.owner, "");
  VmRecord input = NewVm("web1", "running", {{"app", "shop"}});
  input.owner = "n1";
  Result<VmRecord> created = vms.Create(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->owner, "n1");
  EXPECT_EQ(created->version, 1);

  Result<VmRecord> by_id = vms.Get(input.id);
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->owner, "n1");
  EXPECT_EQ(*by_id, *created);
  Result<VmRecord> by_name = vms.GetByName("web1");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->owner, "n1");
  Result<VmPage> page = vms.List({}, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].owner, "");
  EXPECT_EQ(page->items[1].owner, "n1");
  EXPECT_EQ(page->items[1], *created);
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].owner, "");
  EXPECT_EQ((*all)[1].owner, "n1");

  VmRecord change = *created;
  change.owner = "n2";
  Result<VmRecord> moved = vms.Update(change, 1);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->owner, "n2");
  EXPECT_EQ(moved->version, 2);
  Result<VmRecord> stored = vms.Get(input.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *moved);
  Result<VmRecord> by_name_moved = vms.GetByName("web1");
  ASSERT_TRUE(by_name_moved.ok());
  EXPECT_EQ(by_name_moved->owner, "n2");

  change = *moved;
  change.owner = "";
  Result<VmRecord> released = vms.Update(change, 2);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->owner, "");
  EXPECT_EQ(released->version, 3);
  stored = vms.Get(input.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *released);
  all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1], *released);
  // The other record was not touched.
  EXPECT_EQ((*all)[0], unplaced);
}

TEST_P(StoreConformanceTest, VmDeleteWithoutAVersionIsUnconditional) {
  VmStore& vms = store().vms();
  VmRecord keep = MustCreate(vms, NewVm("keep"));
  VmRecord drop = MustCreate(vms, NewVm("drop"));
  VmRecord change = drop;
  change.state = "running";
  ASSERT_TRUE(vms.Update(change, 1).ok());
  ASSERT_TRUE(vms.Delete(drop.id, std::nullopt).ok());
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, std::vector<VmRecord>{keep});
}

}  // namespace
}  // namespace novacron::store::testing
