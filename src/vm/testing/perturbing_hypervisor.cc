#include "vm/testing/perturbing_hypervisor.h"

#include <algorithm>

namespace novacron::vm::testing {

// Counts one state-changing call on a domain for as long as it runs.
class PerturbingHypervisor::CallScope {
 public:
  CallScope(PerturbingHypervisor& owner, const std::string& uuid, const char* what)
      : owner_(owner), uuid_(uuid) {
    std::lock_guard lock(owner_.mu_);
    int now = ++owner_.active_calls_[uuid_];
    owner_.max_active_calls_ = std::max(owner_.max_active_calls_, now);
    ++owner_.running_calls_;
    owner_.call_log_[uuid_].push_back(what);
  }
  ~CallScope() {
    {
      std::lock_guard lock(owner_.mu_);
      if (--owner_.active_calls_[uuid_] == 0) owner_.active_calls_.erase(uuid_);
      --owner_.running_calls_;
    }
    owner_.changed_.notify_all();
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  PerturbingHypervisor& owner_;
  std::string uuid_;
};

PerturbingHypervisor::PerturbingHypervisor(Hypervisor& real, EventPerturbation events,
                                           CallFaults calls)
    : real_(real), events_(events), calls_(calls), rng_(events.seed) {
  deliverer_ = std::thread([this] { Deliver(); });
  real_.SetEventCallback(
      [this](const std::string& uuid, VmEvent event) { OnRealEvent(uuid, event); });
}

PerturbingHypervisor::~PerturbingHypervisor() {
  real_.SetEventCallback([](const std::string&, VmEvent) {});
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  deliverer_.join();
}

void PerturbingHypervisor::SetEventCallback(DomainEventCallback callback) {
  std::unique_lock lock(mu_);
  callback_ = std::move(callback);
  // The Hypervisor contract: once this returns the old callback is not running (its owner may
  // be going away). A delivery copies the callback and calls it unlocked, so wait it out.
  changed_.wait(lock, [&] { return delivering_ == 0; });
}

void PerturbingHypervisor::OnRealEvent(const std::string& uuid, VmEvent event) {
  {
    std::lock_guard lock(mu_);
    ++seen_;
    if (holding_) {
      held_.emplace_back(uuid, event);
      return;
    }
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    if (chance(rng_) < events_.drop) return;
    int copies = chance(rng_) < events_.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      std::uniform_int_distribution<int64_t> delay(0, events_.max_delay.count());
      auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay(rng_));
      due_.emplace(due, Event{uuid, event});
    }
  }
  changed_.notify_all();
}

void PerturbingHypervisor::Deliver() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      changed_.wait_until(lock, first->first);
      continue;
    }
    Event event = first->second;
    due_.erase(first);
    DomainEventCallback callback = callback_;
    ++delivering_;
    lock.unlock();
    if (callback) callback(event.first, event.second);
    lock.lock();
    --delivering_;
    changed_.notify_all();
  }
}

void PerturbingHypervisor::Hold() {
  std::lock_guard lock(mu_);
  holding_ = true;
}

void PerturbingHypervisor::Release(bool reversed) {
  {
    std::lock_guard lock(mu_);
    holding_ = false;
    if (reversed) std::reverse(held_.begin(), held_.end());
    // Due now, in this order (equal keys keep insertion order in a multimap).
    auto now = std::chrono::steady_clock::now();
    for (Event& event : held_) due_.emplace(now, std::move(event));
    held_.clear();
  }
  changed_.notify_all();
}

void PerturbingHypervisor::Flush() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return stopping_ || (due_.empty() && delivering_ == 0); });
}

int PerturbingHypervisor::events_seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

int PerturbingHypervisor::max_concurrent_calls_per_domain() const {
  std::lock_guard lock(mu_);
  return max_active_calls_;
}

void PerturbingHypervisor::PauseCalls() {
  std::lock_guard lock(mu_);
  paused_ = true;
}

void PerturbingHypervisor::ResumeCalls() {
  {
    std::lock_guard lock(mu_);
    paused_ = false;
  }
  changed_.notify_all();
}

int PerturbingHypervisor::calls_running() const {
  std::lock_guard lock(mu_);
  return running_calls_;
}

std::vector<std::string> PerturbingHypervisor::calls(const std::string& uuid) const {
  std::lock_guard lock(mu_);
  auto it = call_log_.find(uuid);
  return it == call_log_.end() ? std::vector<std::string>{} : it->second;
}

void PerturbingHypervisor::WaitWhilePaused() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !paused_ || stopping_; });
}

Status PerturbingHypervisor::BeforeCall(const char* what) {
  if (!inject_faults) return {};
  std::chrono::milliseconds pause{0};
  bool fail = false;
  {
    std::lock_guard lock(mu_);
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    fail = chance(rng_) < calls_.fail;
    std::uniform_int_distribution<int64_t> delay(0, calls_.max_delay.count());
    pause = std::chrono::milliseconds(delay(rng_));
  }
  if (pause.count() > 0) std::this_thread::sleep_for(pause);
  if (fail) return Unavailable(std::string("injected ") + what + " failure");
  return {};
}

Status PerturbingHypervisor::Define(const std::string& uuid, const VmSpec& spec) {
  CallScope scope(*this, uuid, "define");
  return real_.Define(uuid, spec);
}

Status PerturbingHypervisor::Redefine(const std::string& uuid, const VmSpec& spec) {
  CallScope scope(*this, uuid, "redefine");
  return real_.Redefine(uuid, spec);
}

Status PerturbingHypervisor::Start(const std::string& uuid) {
  CallScope scope(*this, uuid, "start");
  WaitWhilePaused();
  if (fail_start) return Internal("injected start failure");
  Status before = BeforeCall("start");
  return before.ok() ? real_.Start(uuid) : before;
}

Status PerturbingHypervisor::Stop(const std::string& uuid, std::chrono::milliseconds grace) {
  CallScope scope(*this, uuid, "shutdown");
  WaitWhilePaused();
  Status before = BeforeCall("shutdown");
  return before.ok() ? real_.Stop(uuid, grace) : before;
}

Status PerturbingHypervisor::Destroy(const std::string& uuid) {
  CallScope scope(*this, uuid, "destroy");
  WaitWhilePaused();
  Status before = BeforeCall("destroy");
  return before.ok() ? real_.Destroy(uuid) : before;
}

Status PerturbingHypervisor::Reboot(const std::string& uuid) {
  CallScope scope(*this, uuid, "reboot");
  return real_.Reboot(uuid);
}

Status PerturbingHypervisor::Undefine(const std::string& uuid, bool remove_disks) {
  CallScope scope(*this, uuid, "undefine");
  return real_.Undefine(uuid, remove_disks);
}

}  // namespace novacron::vm::testing
