// TODO(lead): switch to the real manager (vm::NewVmManager on SQLite + test:///default) once
// manager_impl.cc is built into novacron_vm; until then the route tests run against this
// in-memory stand-in, which follows the VmManager contract closely enough for the HTTP layer
// (versions, state machine, name uniqueness, capacity).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "vm/manager.h"
#include "vm/vm_state.h"

namespace novacron::api::testing {

class FakeVmManager final : public vm::VmManager {
 public:
  static constexpr int kHostVcpus = 16;  // capacity: more vcpus in total is ResourceExhausted

  std::atomic<int> mutating_calls{0};  // Create/Update/Start/Stop/Reboot/Delete

  Result<vm::Vm> Create(const vm::VmSpec& spec, bool start) override {
    ++mutating_calls;
    std::lock_guard lock(mu_);
    if (!vm::ValidateVmSpec(spec).empty()) return InvalidArgument("vm spec: invalid");
    for (const vm::Vm& v : vms_) {
      if (v.spec.name == spec.name) return AlreadyExists("vm '" + spec.name + "' exists");
    }
    int allocated = spec.vcpus;
    for (const vm::Vm& v : vms_) allocated += v.spec.vcpus;
    if (allocated > kHostVcpus)
      return ResourceExhausted("not enough vcpus for '" + spec.name + "'");
    vm::Vm created;
    char id[37];
    std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", ++next_id_);
    created.id = id;
    created.spec = spec;
    created.state = start ? vm::VmState::kStarting : vm::VmState::kDefined;
    created.version = 1;
    created.created_at = created.updated_at = std::chrono::system_clock::now();
    vms_.push_back(created);
    return created;
  }

  Result<vm::Vm> Get(const std::string& ref) override {
    std::lock_guard lock(mu_);
    vm::Vm* v = Find(ref);
    if (v == nullptr) return NotFound("no vm '" + ref + "'");
    return *v;
  }

  Result<vm::VmList> List(const store::VmListFilter& filter,
                          const store::VmPageRequest& page) override {
    std::lock_guard lock(mu_);
    size_t start = 0;
    if (!page.cursor.empty()) {
      if (page.cursor.rfind("c", 0) != 0) return InvalidArgument("bad cursor");
      start = std::stoul(page.cursor.substr(1));
    }
    vm::VmList list;
    for (size_t i = start; i < vms_.size(); ++i) {
      const vm::Vm& v = vms_[i];
      if (filter.state && *filter.state != vm::VmStateName(v.state)) continue;
      bool match = std::all_of(filter.labels.begin(), filter.labels.end(), [&](const auto& kv) {
        auto it = v.spec.labels.find(kv.first);
        return it != v.spec.labels.end() && it->second == kv.second;
      });
      if (!match) continue;
      if (static_cast<int>(list.items.size()) == page.limit) {
        list.next_cursor = "c" + std::to_string(i);
        break;
      }
      list.items.push_back(v);
    }
    return list;
  }

  Result<vm::Vm> Update(const std::string& ref, const vm::VmPatch& patch,
                        std::optional<int64_t> if_match) override {
    ++mutating_calls;
    std::lock_guard lock(mu_);
    vm::Vm* v = Find(ref);
    if (v == nullptr) return NotFound("no vm '" + ref + "'");
    if (if_match && *if_match != v->version) return Conflict("vm was modified");
    bool resizes = patch.vcpus || patch.memory_mib;
    if (resizes && v->state != vm::VmState::kDefined && v->state != vm::VmState::kStopped) {
      return Conflict("cannot resize vm '" + v->spec.name + "': it is " +
                      std::string(vm::VmStateName(v->state)));
    }
    if (patch.vcpus) v->spec.vcpus = *patch.vcpus;
    if (patch.memory_mib) v->spec.memory_mib = *patch.memory_mib;
    if (patch.labels) v->spec.labels = *patch.labels;
    return Bump(*v);
  }

  Result<vm::Vm> Start(const std::string& ref, std::optional<int64_t> if_match) override {
    return Act(ref, vm::VmAction::kStart, if_match);
  }
  Result<vm::Vm> Stop(const std::string& ref, vm::StopMode,
                      std::optional<int64_t> if_match) override {
    return Act(ref, vm::VmAction::kStop, if_match);
  }
  Result<vm::Vm> Reboot(const std::string& ref, std::optional<int64_t> if_match) override {
    return Act(ref, vm::VmAction::kReboot, if_match);
  }

  Status Delete(const std::string& ref, std::optional<int64_t> if_match, bool force) override {
    ++mutating_calls;
    std::lock_guard lock(mu_);
    vm::Vm* v = Find(ref);
    if (v == nullptr) return NotFound("no vm '" + ref + "'");
    if (if_match && *if_match != v->version) return Conflict("vm was modified");
    bool idle = v->state == vm::VmState::kDefined || v->state == vm::VmState::kStopped ||
                v->state == vm::VmState::kFailed;
    if (!idle && !force) {
      return Conflict("cannot delete vm '" + v->spec.name + "': it is " +
                      std::string(vm::VmStateName(v->state)));
    }
    vms_.erase(vms_.begin() + (v - vms_.data()));
    return Status::Ok();
  }

  Result<vm::NodeView> Node() override {
    std::lock_guard lock(mu_);
    vm::NodeView node;
    node.inventory = {.hostname = "fake", .hypervisor = "Test", .cpus = 4, .memory_mib = 8192};
    node.hypervisor_uri = "test:///default";
    node.capacity.cpus = 4;
    node.capacity.memory_mib = 8192;
    for (const vm::Vm& v : vms_) {
      node.capacity.vcpus_allocated += v.spec.vcpus;
      node.capacity.memory_mib_allocated += v.spec.memory_mib;
      ++node.vms_by_state[std::string(vm::VmStateName(v.state))];
    }
    return node;
  }

  Result<vm::ReconcileReport> Reconcile() override { return vm::ReconcileReport{}; }

  // Test hook: what a finished driver operation would do.
  void SetState(const std::string& ref, vm::VmState state) {
    std::lock_guard lock(mu_);
    if (vm::Vm* v = Find(ref)) {
      v->state = state;
      Bump(*v);
    }
  }

 private:
  vm::Vm* Find(const std::string& ref) {
    for (vm::Vm& v : vms_) {
      if (v.id == ref || v.spec.name == ref) return &v;
    }
    return nullptr;
  }
  vm::Vm Bump(vm::Vm& v) {
    ++v.version;
    v.updated_at = std::chrono::system_clock::now();
    return v;
  }
  Result<vm::Vm> Act(const std::string& ref, vm::VmAction action, std::optional<int64_t> if_match) {
    ++mutating_calls;
    std::lock_guard lock(mu_);
    vm::Vm* v = Find(ref);
    if (v == nullptr) return NotFound("no vm '" + ref + "'");
    if (if_match && *if_match != v->version) return Conflict("vm was modified");
    Result<vm::VmState> next = vm::ApplyAction(v->spec.name, v->state, action);
    if (!next.ok()) return next.status();
    v->state = *next;
    return Bump(*v);
  }

  std::mutex mu_;
  std::vector<vm::Vm> vms_;
  int next_id_ = 0;
};

}  // namespace novacron::api::testing
