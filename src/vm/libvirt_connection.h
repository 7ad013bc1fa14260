// One libvirt connection with the lifecycle event registration, reopened once when a call finds
// it dead (libvirtd restarted, socket closed).
#pragma once

#include <libvirt/libvirt.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "vm/libvirt_events.h"

namespace novacron::vm {

// Owns a virDomainPtr.
struct DomainFree {
  void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
using DomainPtr = std::unique_ptr<virDomain, DomainFree>;

class LibvirtConnection {
 public:
  // Opens `uri` and registers lifecycle events into `sink`; kUnavailable naming the URI when it
  // cannot be opened. libvirt's event loop must be registered first.
  static Result<std::unique_ptr<LibvirtConnection>> Open(std::string uri,
                                                         std::shared_ptr<DomainEventSink> sink);
  // Deregisters the events and closes the connection.
  ~LibvirtConnection();

  LibvirtConnection(const LibvirtConnection&) = delete;
  LibvirtConnection& operator=(const LibvirtConnection&) = delete;

  // Runs `op` on the connection. When it fails and the connection is dead, reopens it once and
  // runs `op` again; kUnavailable naming the URI when that fails too. `op` may run twice, so it
  // must only change state with calls that fail harmlessly when repeated.
  Status Run(const std::function<Status(virConnectPtr)>& op);

  const std::string& uri() const { return uri_; }

 private:
  LibvirtConnection(std::string uri, std::shared_ptr<DomainEventSink> sink);
  // A new reference to the open connection (opening it if needed) and its generation.
  Result<virConnectPtr> Acquire(uint64_t& generation);
  Status Reconnect(uint64_t generation);
  Status OpenLocked();
  void CloseLocked();

  const std::string uri_;
  const std::shared_ptr<DomainEventSink> sink_;
  std::mutex mutex_;
  virConnectPtr conn_ = nullptr;  // guarded by mutex_
  int event_callback_id_ = -1;    // guarded by mutex_
  uint64_t generation_ = 0;       // guarded by mutex_; bumped on every open
};

}  // namespace novacron::vm
