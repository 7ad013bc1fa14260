// libvirt domain lifecycle events as VmEvents, delivered to the driver's callback.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "vm/hypervisor.h"
#include "vm/vm_state.h"

namespace novacron::vm {

// STARTED/RESUMED -> kStarted; STOPPED -> kStopped, or kCrashed for STOPPED_CRASHED and
// STOPPED_FAILED; CRASHED -> kCrashed; anything else (defined, suspended, ...) -> nullopt.
std::optional<VmEvent> TranslateLifecycleEvent(int event, int detail);

// Where the event thread delivers events. Close() waits for a delivery in progress, and no
// callback runs after it returned, even if libvirt still calls in.
class DomainEventSink {
 public:
  // The callback must not call SetCallback or Close (it runs under the sink's lock).
  void SetCallback(DomainEventCallback callback);
  void Deliver(const std::string& uuid, VmEvent event);
  void Close();

 private:
  std::mutex mutex_;
  DomainEventCallback callback_;
  bool closed_ = false;
};

// Registers a lifecycle event callback on `conn` that feeds `sink`; returns the callback id for
// virConnectDomainEventDeregisterAny. libvirt holds a reference to the sink until it frees the
// callback, so a late call from the event thread never sees a destroyed sink.
Result<int> RegisterLifecycleEvents(virConnectPtr conn, std::shared_ptr<DomainEventSink> sink);

}  // namespace novacron::vm
