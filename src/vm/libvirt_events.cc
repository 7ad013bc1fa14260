#include "vm/libvirt_events.h"

#include "vm/libvirt_error.h"

namespace novacron::vm {
namespace {

int OnLifecycleEvent(virConnectPtr /*conn*/, virDomainPtr domain, int event, int detail,
                     void* opaque) {
  std::optional<VmEvent> vm_event = TranslateLifecycleEvent(event, detail);
  if (!vm_event) return 0;
  char uuid[VIR_UUID_STRING_BUFLEN] = {};
  if (virDomainGetUUIDString(domain, uuid) != 0) {
    virResetLastError();
    return 0;
  }
  (*static_cast<std::shared_ptr<DomainEventSink>*>(opaque))->Deliver(uuid, *vm_event);
  return 0;
}

void FreeSinkReference(void* opaque) {
  delete static_cast<std::shared_ptr<DomainEventSink>*>(opaque);
}

}  // namespace

std::optional<VmEvent> TranslateLifecycleEvent(int event, int detail) {
  switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      return VmEvent::kStarted;
    case VIR_DOMAIN_EVENT_STOPPED:
      if (detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED || detail == VIR_DOMAIN_EVENT_STOPPED_FAILED) {
        return VmEvent::kCrashed;
      }
      return VmEvent::kStopped;
    case VIR_DOMAIN_EVENT_CRASHED:
      return VmEvent::kCrashed;
    default:
      return std::nullopt;
  }
}

void DomainEventSink::SetCallback(DomainEventCallback callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void DomainEventSink::Deliver(const std::string& uuid, VmEvent event) {
  std::lock_guard lock(mutex_);
  if (closed_ || !callback_) return;
  callback_(uuid, event);
}

void DomainEventSink::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  callback_ = nullptr;
}

Result<int> RegisterLifecycleEvents(virConnectPtr conn, std::shared_ptr<DomainEventSink> sink) {
  auto* reference = new std::shared_ptr<DomainEventSink>(std::move(sink));
  int id = virConnectDomainEventRegisterAny(conn, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(OnLifecycleEvent), reference,
                                            FreeSinkReference);
  if (id < 0) {
    delete reference;  // libvirt does not call the free callback when registration fails
    return LastLibvirtError("libvirt register domain lifecycle events");
  }
  return id;
}

}  // namespace novacron::vm
