// The VmStore contract, continued: idempotency records (alone and saved with a Create), and
// concurrent writers (optimistic concurrency must hold across threads).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store/testing/store_conformance.h"
#include "store/testing/vm_test_records.h"

namespace novacron::store::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

IdempotencyRecord Idempotency(std::string key, std::string body = R"({"id":"x"})") {
  return {.key = std::move(key),
          .fingerprint = "POST /v1/vms sha256:5d41402abc4b2a76",
          .status = 201,
          .body = std::move(body),
          .created_at = {}};
}

TEST_P(StoreConformanceTest, IdempotencyPutThenGet) {
  VmStore& vms = store().vms();
  IdempotencyRecord put = Idempotency("key-1", R"({"id":"a","note":"caf\u00e9 \"quoted\""})");
  ASSERT_TRUE(vms.PutIdempotency(put).ok());
  Result<IdempotencyRecord> got = vms.GetIdempotency("key-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->key, "key-1");
  EXPECT_EQ(got->fingerprint, put.fingerprint);
  EXPECT_EQ(got->status, 201);
  EXPECT_EQ(got->body, put.body);
  EXPECT_TRUE(IsRecent(got->created_at));

  Result<IdempotencyRecord> unknown = vms.GetIdempotency("key-2");
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("key-2"));
}

TEST_P(StoreConformanceTest, IdempotencyKeyCannotBeReused) {
  VmStore& vms = store().vms();
  ASSERT_TRUE(vms.PutIdempotency(Idempotency("key-1", "first")).ok());
  Result<IdempotencyRecord> first = vms.GetIdempotency("key-1");
  ASSERT_TRUE(first.ok());
  IdempotencyRecord second = Idempotency("key-1", "second");
  second.status = 409;
  Status again = vms.PutIdempotency(second);
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("key-1"));
  Result<IdempotencyRecord> kept = vms.GetIdempotency("key-1");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, *first);
}

TEST_P(StoreConformanceTest, IdempotencyPruneDropsOnlyOlderKeys) {
  VmStore& vms = store().vms();
  Result<int> nothing = vms.PruneIdempotency(std::chrono::system_clock::now());
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_EQ(*nothing, 0);

  ASSERT_TRUE(vms.PutIdempotency(Idempotency("old")).ok());
  Result<IdempotencyRecord> old = vms.GetIdempotency("old");
  ASSERT_TRUE(old.ok());
  const auto cut = old->created_at + std::chrono::microseconds(1);
  // Wait (no deadline) until the clock is past the cut, so "new" is created after it.
  while (std::chrono::system_clock::now() <= cut + std::chrono::milliseconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(vms.PutIdempotency(Idempotency("new")).ok());

  Result<int> pruned = vms.PruneIdempotency(cut);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(vms.GetIdempotency("old").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(vms.GetIdempotency("new").ok());
  // Exactly at created_at is not "before" it.
  Result<IdempotencyRecord> kept = vms.GetIdempotency("new");
  ASSERT_TRUE(kept.ok());
  Result<int> at_boundary = vms.PruneIdempotency(kept->created_at);
  ASSERT_TRUE(at_boundary.ok());
  EXPECT_EQ(*at_boundary, 0);
  Result<int> rest = vms.PruneIdempotency(std::chrono::system_clock::now() + std::chrono::hours(1));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1);
  // A pruned key can be used again.
  EXPECT_TRUE(vms.PutIdempotency(Idempotency("old")).ok());
}

TEST_P(StoreConformanceTest, CreateSavesItsIdempotencyRecord) {
  VmStore& vms = store().vms();
  VmRecord vm = NewVm("web1");
  IdempotencyRecord idempotency = Idempotency("key-1", R"({"id":")" + vm.id + R"("})");
  Result<VmRecord> created = vms.Create(vm, &idempotency);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Result<IdempotencyRecord> saved = vms.GetIdempotency("key-1");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->body, idempotency.body);
  EXPECT_EQ(saved->status, 201);
  EXPECT_TRUE(IsRecent(saved->created_at));
}

TEST_P(StoreConformanceTest, CreateWithATakenIdempotencyKeyCreatesNothing) {
  VmStore& vms = store().vms();
  IdempotencyRecord first = Idempotency("key-1", "first");
  ASSERT_TRUE(vms.Create(NewVm("web1"), &first).ok());
  Result<IdempotencyRecord> saved = vms.GetIdempotency("key-1");
  ASSERT_TRUE(saved.ok());

  VmRecord second = NewVm("web2", "stopped", {{"app", "second"}});
  IdempotencyRecord reused = Idempotency("key-1", "second");
  Result<VmRecord> refused = vms.Create(second, &reused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(refused.status().message(), HasSubstr("key-1"));
  EXPECT_EQ(vms.Get(second.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(vms.GetByName("web2").status().code(), ErrorCode::kNotFound);
  Result<VmPage> labelled = vms.List({.state = std::nullopt, .labels = {{"app", "second"}}}, {});
  ASSERT_TRUE(labelled.ok());
  EXPECT_THAT(labelled->items, IsEmpty());
  Result<IdempotencyRecord> kept = vms.GetIdempotency("key-1");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, *saved);
}

TEST_P(StoreConformanceTest, CreateThatFailsSavesNoIdempotencyRecord) {
  VmStore& vms = store().vms();
  MustCreate(vms, NewVm("web1"));
  IdempotencyRecord idempotency = Idempotency("key-2");
  Result<VmRecord> refused = vms.Create(NewVm("web1"), &idempotency);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(vms.GetIdempotency("key-2").status().code(), ErrorCode::kNotFound);
}

// Runs `body(i)` on `threads` threads released together, to make their calls overlap.
template <typename Body>
void RunTogether(int threads, Body body) {
  std::atomic<int> waiting{threads};
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      waiting.fetch_sub(1);
      while (waiting.load() > 0) std::this_thread::yield();
      body(i);
    });
  }
  for (std::thread& worker : workers) worker.join();
}

TEST_P(StoreConformanceTest, ConcurrentUpdatesOfOneVersionHaveOneWinner) {
  VmStore& vms = store().vms();
  VmRecord created = MustCreate(vms, NewVm("web1"));
  constexpr int kThreads = 8;
  std::vector<Result<VmRecord>> outcomes(kThreads, Result<VmRecord>(Internal("not run")));
  RunTogether(kThreads, [&](int i) {
    VmRecord change = created;
    change.last_error = "writer " + std::to_string(i);
    change.labels = {{"writer", std::to_string(i)}};
    outcomes[i] = vms.Update(change, 1);
  });
  int winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (outcomes[i].ok()) {
      EXPECT_EQ(winner, -1) << "writers " << winner << " and " << i << " both won";
      winner = i;
      EXPECT_EQ(outcomes[i]->version, 2);
    } else {
      EXPECT_EQ(outcomes[i].status().code(), ErrorCode::kConflict)
          << outcomes[i].status().ToString();
    }
  }
  ASSERT_NE(winner, -1) << "no writer won";
  Result<VmRecord> stored = vms.Get(created.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *outcomes[winner]);
  EXPECT_EQ(stored->last_error, "writer " + std::to_string(winner));
}

TEST_P(StoreConformanceTest, ConcurrentCreatesKeepNamesUniqueAndOrderTotal) {
  VmStore& vms = store().vms();
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::vector<int> created(kThreads, 0);
  std::vector<int> name_clashes(kThreads, 0);
  std::vector<Status> failures(kThreads);
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      // Every thread also tries the shared name "contended": exactly one may get it.
      for (const std::string& name :
           {"t" + std::to_string(t) + "-" + std::to_string(i), std::string("contended")}) {
        Result<VmRecord> result = vms.Create(NewVm(name));
        if (result.ok()) {
          ++created[t];
        } else if (result.status().code() == ErrorCode::kAlreadyExists && name == "contended") {
          ++name_clashes[t];
        } else {
          failures[t] = result.status();
          return;
        }
      }
    }
  });
  int total = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(failures[t].ok()) << failures[t].ToString();
    total += created[t];
  }
  EXPECT_EQ(total, kThreads * kEach + 1);
  Result<std::vector<VmRecord>> all = vms.ListAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(total));
  std::set<std::string> names;
  for (const VmRecord& vm : *all) names.insert(vm.name);
  EXPECT_EQ(names.size(), all->size());
  // Paging sees the same total order as ListAll.
  EXPECT_EQ(AllPages(vms, {}, 4), *all);
}

}  // namespace
}  // namespace novacron::store::testing
