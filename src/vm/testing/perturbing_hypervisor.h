// A hypervisor decorator for tests: forwards every call to a real driver (libvirt's test
// driver in our tests) and perturbs what reaches the VM manager the way a loaded host or a slow
// event loop does. Events can be delayed (different delays reorder them), duplicated, dropped,
// or held and released later in any order; state-changing calls can be slowed or fail
// (fault injection). Decisions come from a seeded generator, so a seed repeats the same
// decisions for the same order of calls and events. It also counts how many state-changing calls
// run at once for one domain, which the manager promises is never more than one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vm/hypervisor.h"

namespace novacron::vm::testing {

struct EventPerturbation {
  uint64_t seed = 1;
  double drop = 0;       // probability that an event is never delivered
  double duplicate = 0;  // probability that it is delivered twice
  // Each delivered copy waits a uniform [0, max_delay]; copies with different delays overtake
  // each other.
  std::chrono::milliseconds max_delay{0};
};

struct CallFaults {
  double fail = 0;  // probability that Start, Stop or Destroy fails (kUnavailable) unsent
  std::chrono::milliseconds max_delay{0};  // a uniform [0, max_delay] pause before such a call
};

class PerturbingHypervisor final : public Hypervisor {
 public:
  explicit PerturbingHypervisor(Hypervisor& real, EventPerturbation events = {},
                                CallFaults calls = {});
  ~PerturbingHypervisor() override;
  PerturbingHypervisor(const PerturbingHypervisor&) = delete;
  PerturbingHypervisor& operator=(const PerturbingHypervisor&) = delete;

  // While held, events are kept (not delivered) until Release().
  void Hold();
  // Delivers the held events in arrival order, or the reverse; later events flow again.
  void Release(bool reversed = false);
  // Blocks until every event not held was delivered or dropped.
  void Flush();
  // While paused, Start, Stop and Destroy wait at their entry (already counted as running).
  void PauseCalls();
  void ResumeCalls();
  // Calls that started and are not done (paused ones included).
  int calls_running() const;
  // The state-changing calls made for a domain, in the order they began ("start", "shutdown",
  // "destroy", "reboot", "define", "redefine", "undefine").
  std::vector<std::string> calls(const std::string& uuid) const;
  // Events that reached the decorator from the real driver.
  int events_seen() const;
  // The largest number of state-changing calls that ever ran at once for one domain.
  int max_concurrent_calls_per_domain() const;

  std::atomic<bool> fail_start{false};    // every Start fails (kInternal "injected start failure")
  std::atomic<bool> inject_faults{true};  // CallFaults apply only while set (cleanup turns off)

  std::string_view uri() const override { return real_.uri(); }
  Result<NodeInventory> Inventory() override { return real_.Inventory(); }
  Result<std::vector<DomainStatus>> ListDomains() override { return real_.ListDomains(); }
  Result<DomainStatus> GetDomain(const std::string& uuid) override { return real_.GetDomain(uuid); }
  Status Prepare(const std::string& uuid, const VmSpec& spec) override {
    return real_.Prepare(uuid, spec);
  }
  Status Unprepare(const std::string& uuid) override { return real_.Unprepare(uuid); }
  Status Define(const std::string& uuid, const VmSpec& spec) override;
  Status Redefine(const std::string& uuid, const VmSpec& spec) override;
  Status Start(const std::string& uuid) override;
  Status Stop(const std::string& uuid, std::chrono::milliseconds grace) override;
  Status Destroy(const std::string& uuid) override;
  Status Reboot(const std::string& uuid) override;
  Status Undefine(const std::string& uuid, bool remove_disks) override;
  void SetEventCallback(DomainEventCallback callback) override;

 private:
  using Event = std::pair<std::string, VmEvent>;
  class CallScope;

  void OnRealEvent(const std::string& uuid, VmEvent event);
  void Deliver();  // the delivery thread: hands due events to the callback in due order
  // Pause and fault decision for a state-changing call; an error means "fail it unsent".
  Status BeforeCall(const char* what);
  void WaitWhilePaused();

  Hypervisor& real_;
  const EventPerturbation events_;
  const CallFaults calls_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  DomainEventCallback callback_;                                     // guarded by mu_
  std::mt19937_64 rng_;                                              // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, Event> due_;  // guarded by mu_
  std::vector<Event> held_;                                          // guarded by mu_
  bool holding_ = false;                                             // guarded by mu_
  int delivering_ = 0;                                               // guarded by mu_
  int seen_ = 0;                                                     // guarded by mu_
  bool stopping_ = false;                                            // guarded by mu_
  std::map<std::string, int> active_calls_;                          // guarded by mu_
  int max_active_calls_ = 0;                                         // guarded by mu_
  int running_calls_ = 0;                                            // guarded by mu_
  bool paused_ = false;                                              // guarded by mu_
  std::map<std::string, std::vector<std::string>> call_log_;         // guarded by mu_
  std::thread deliverer_;  // last: started after everything it reads
};

}  // namespace novacron::vm::testing
