// Property: whatever the interleaving, records end up telling the truth. Random create, start,
// stop, shutdown, reboot and delete on a few VMs, issued from two threads at once, while the
// decorator delays, duplicates, drops and reorders events and (in some cases) makes driver calls
// fail. After quiescence: no record is transitional; every record's state agrees with the
// domain's power state; `failed` always has a last_error; the last accepted request for each VM
// was carried out or its failure is in last_error; every committed state change was legal
// (docs/vm-state-machine.md); and no two driver calls ever ran at once for one domain.
// Runs under ctest with RC_PARAMS=max_success=40 (CMakeLists.txt); RC_PARAMS=seed=N repeats a case.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

#include "vm/testing/manager_fixture.h"

namespace novacron::vm {
namespace {

// Forwards to the real store and keeps every committed state with its version, per VM.
class RecordingVmStore final : public store::VmStore {
 public:
  explicit RecordingVmStore(store::VmStore& real) : real_(real) {}

  Result<store::VmRecord> Create(const store::VmRecord& record,
                                 const store::IdempotencyRecord* idempotency) override {
    return Note(real_.Create(record, idempotency));
  }
  Result<store::VmRecord> Get(const std::string& id) override { return real_.Get(id); }
  Result<store::VmRecord> GetByName(const std::string& name) override {
    return real_.GetByName(name);
  }
  Result<store::VmPage> List(const store::VmListFilter& filter,
                             const store::VmPageRequest& page) override {
    return real_.List(filter, page);
  }
  Result<std::vector<store::VmRecord>> ListAll() override { return real_.ListAll(); }
  Result<store::VmRecord> Update(const store::VmRecord& record, int64_t expected) override {
    return Note(real_.Update(record, expected));
  }
  Status Delete(const std::string& id, std::optional<int64_t> expected) override {
    return real_.Delete(id, expected);
  }
  Result<store::IdempotencyRecord> GetIdempotency(const std::string& key) override {
    return real_.GetIdempotency(key);
  }
  Status PutIdempotency(const store::IdempotencyRecord& record) override {
    return real_.PutIdempotency(record);
  }
  Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) override {
    return real_.PruneIdempotency(before);
  }

  // id -> version -> state, as committed.
  std::map<std::string, std::map<int64_t, std::string>> history() {
    std::lock_guard lock(mu_);
    return history_;
  }

 private:
  Result<store::VmRecord> Note(Result<store::VmRecord> written) {
    if (written.ok()) {
      std::lock_guard lock(mu_);
      history_[written->id][written->version] = written->state;
    }
    return written;
  }

  store::VmStore& real_;
  std::mutex mu_;
  std::map<std::string, std::map<int64_t, std::string>> history_;  // guarded by mu_
};

// The legal state changes, written out as docs/vm-state-machine.md lists them (not derived from
// the code under test).
const std::set<std::pair<std::string, std::string>> kLegalChanges = {
    {"defined", "starting"},  {"defined", "running"},  {"defined", "deleting"},
    {"starting", "running"},  {"starting", "failed"},  {"starting", "stopping"},
    {"starting", "deleting"}, {"running", "stopping"}, {"running", "stopped"},
    {"running", "failed"},    {"running", "deleting"}, {"stopping", "stopped"},
    {"stopping", "running"},  {"stopping", "failed"},  {"stopping", "deleting"},
    {"stopped", "starting"},  {"stopped", "running"},  {"stopped", "deleting"},
    {"failed", "starting"},   {"failed", "stopping"},  {"failed", "running"},
    {"failed", "deleting"},   {"deleting", "defined"}, {"deleting", "stopped"},
    {"deleting", "failed"},   {"deleting", "running"},
};

enum Op { kCreate, kStart, kStop, kShutdown, kReboot, kDelete, kOpCount };
using Command = std::tuple<int, int, bool>;  // op, vm index, flag (create: start; delete: force)

class ManagerProperty : public testing::ManagerFixture {
 protected:
  std::unique_ptr<RecordingVmStore> recording_;
};

RC_GTEST_FIXTURE_PROP(ManagerProperty, RecordsAgreeWithTheHypervisorAfterAnyInterleaving, ()) {
  const int vm_count = *rc::gen::inRange(1, 4);
  auto command = rc::gen::tuple(rc::gen::inRange(0, static_cast<int>(kOpCount)),
                                rc::gen::inRange(0, vm_count), rc::gen::arbitrary<bool>());
  std::vector<std::vector<Command>> scripts;
  for (int thread = 0; thread < 2; ++thread) {
    scripts.push_back(*rc::gen::container<std::vector<Command>>(*rc::gen::inRange(0, 13), command));
  }
  testing::EventPerturbation events;
  events.seed = *rc::gen::arbitrary<uint64_t>();
  events.drop = *rc::gen::element(0.0, 0.3);
  events.duplicate = *rc::gen::element(0.0, 0.3);
  events.max_delay = std::chrono::milliseconds(*rc::gen::inRange(0, 16));
  testing::CallFaults calls;
  calls.fail = *rc::gen::element(0.0, 0.0, 0.2);
  calls.max_delay = std::chrono::milliseconds(*rc::gen::inRange(0, 4));

  recording_ = std::make_unique<RecordingVmStore>(store_->vms());
  vm_store_override_ = recording_.get();
  OpenManager({}, events, calls);

  struct Accepted {
    int64_t version;
    bool on;
  };
  std::mutex mu;
  std::map<int, std::string> ids;                         // vm index -> current id ("" gone)
  std::map<std::string, std::vector<Accepted>> accepted;  // id -> requests that were accepted
  std::set<std::string> deleted;
  for (int i = 0; i < vm_count; ++i) {
    auto vm = manager_->Create(Spec(Name("-" + std::to_string(i))), false);
    RC_ASSERT(vm.ok());
    ids[i] = vm->id;
    accepted[vm->id].push_back({vm->version, false});
  }

  auto run = [&](const std::vector<Command>& script) {
    for (const auto& [op, index, flag] : script) {
      std::string id;
      {
        std::lock_guard lock(mu);
        id = ids[index];
      }
      Result<Vm> result = NotFound("");
      bool on = false;
      switch (op) {
        case kCreate:
          result = manager_->Create(Spec(Name("-" + std::to_string(index))), flag);
          on = flag;
          break;
        case kStart:
          result = manager_->Start(id, std::nullopt);
          on = true;
          break;
        case kStop:
        case kShutdown:
          result = manager_->Stop(id, op == kStop ? StopMode::kForce : StopMode::kGraceful,
                                  std::nullopt);
          break;
        case kReboot:
          (void)manager_->Reboot(id, std::nullopt);
          continue;
        case kDelete:
          if (manager_->Delete(id, std::nullopt, flag).ok()) {
            std::lock_guard lock(mu);
            deleted.insert(id);
            if (ids[index] == id) ids[index] = "";
          }
          continue;
      }
      if (!result.ok()) continue;
      std::lock_guard lock(mu);
      if (op == kCreate) ids[index] = result->id;
      accepted[result->id].push_back({result->version, on});
    }
  };
  std::thread other(run, scripts[1]);
  run(scripts[0]);
  other.join();
  Quiesce();

  auto records = store_->vms().ListAll();
  RC_ASSERT(records.ok());
  for (const store::VmRecord& r : *records) {
    RC_LOG() << r.name << ": " << r.state << " v" << r.version << " '" << r.last_error << "'\n";
    RC_ASSERT(deleted.count(r.id) == 0u);
    std::optional<VmState> state = ParseVmState(r.state);
    RC_ASSERT(state.has_value());
    RC_ASSERT(!IsTransitional(*state));
    auto domain = real_->GetDomain(r.id);
    RC_ASSERT(domain.ok());
    bool on = domain->power == PowerState::kRunning || domain->power == PowerState::kPaused;
    RC_ASSERT(on == (*state == VmState::kRunning));
    if (*state == VmState::kFailed) RC_ASSERT(!r.last_error.empty());
    const std::vector<Accepted>& requests = accepted[r.id];
    RC_ASSERT(!requests.empty());
    const Accepted& last = *std::max_element(
        requests.begin(), requests.end(),
        [](const Accepted& a, const Accepted& b) { return a.version < b.version; });
    bool carried_out = last.on ? *state == VmState::kRunning
                               : *state == VmState::kStopped || *state == VmState::kDefined;
    if (calls.fail == 0) {
      RC_ASSERT(carried_out);
    } else {
      RC_ASSERT(carried_out || !r.last_error.empty());
    }
  }
  for (const std::string& id : deleted) RC_ASSERT(!OnHypervisor(id));
  for (const auto& [id, by_version] : recording_->history()) {
    RC_ASSERT(by_version.begin()->second == std::string("defined"));
    std::string previous;
    for (const auto& [version, state] : by_version) {
      if (!previous.empty() && previous != state) {
        RC_LOG() << id << " v" << version << ": " << previous << " -> " << state << "\n";
        RC_ASSERT(kLegalChanges.count({previous, state}) == 1u);
      }
      previous = state;
    }
  }
  RC_ASSERT(flaky_->max_concurrent_calls_per_domain() <= 1);
}

}  // namespace
}  // namespace novacron::vm
