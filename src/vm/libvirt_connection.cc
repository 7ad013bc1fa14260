#include "vm/libvirt_connection.h"

#include "vm/libvirt_error.h"

namespace novacron::vm {

Result<std::unique_ptr<LibvirtConnection>> LibvirtConnection::Open(
    std::string uri, std::shared_ptr<DomainEventSink> sink) {
  std::unique_ptr<LibvirtConnection> connection(
      new LibvirtConnection(std::move(uri), std::move(sink)));
  std::lock_guard lock(connection->mutex_);
  NOVACRON_RETURN_IF_ERROR(connection->OpenLocked());
  return connection;
}

LibvirtConnection::LibvirtConnection(std::string uri, std::shared_ptr<DomainEventSink> sink)
    : uri_(std::move(uri)), sink_(std::move(sink)) {}

LibvirtConnection::~LibvirtConnection() {
  std::lock_guard lock(mutex_);
  CloseLocked();
}

Status LibvirtConnection::OpenLocked() {
  virConnectPtr conn = virConnectOpen(uri_.c_str());
  if (conn == nullptr) {
    // Whatever libvirt says (no driver, socket refused, auth), the hypervisor is not reachable.
    return Unavailable(LastLibvirtError("cannot connect to libvirt at '" + uri_ + "'").message());
  }
  virConnSetErrorFunc(conn, nullptr, IgnoreLibvirtError);
  // Detects a dead libvirtd on remote connections; local drivers do not support it.
  if (virConnectSetKeepAlive(conn, 5, 3) < 0) virResetLastError();
  Result<int> callback_id = RegisterLifecycleEvents(conn, sink_);
  if (!callback_id.ok()) {
    virConnectClose(conn);
    return Unavailable("libvirt at '" + uri_ + "': " + callback_id.status().message());
  }
  conn_ = conn;
  event_callback_id_ = *callback_id;
  ++generation_;
  return Status::Ok();
}

void LibvirtConnection::CloseLocked() {
  if (conn_ == nullptr) return;
  if (event_callback_id_ >= 0 &&
      virConnectDomainEventDeregisterAny(conn_, event_callback_id_) < 0) {
    virResetLastError();  // a dead connection cannot deregister; closing it drops the callback
  }
  event_callback_id_ = -1;
  if (virConnectClose(conn_) < 0) virResetLastError();
  conn_ = nullptr;
}

Result<virConnectPtr> LibvirtConnection::Acquire(uint64_t& generation) {
  std::lock_guard lock(mutex_);
  if (conn_ == nullptr) NOVACRON_RETURN_IF_ERROR(OpenLocked());
  virConnectRef(conn_);
  generation = generation_;
  return conn_;
}

Status LibvirtConnection::Reconnect(uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation != generation_) return Status::Ok();  // another call reopened it already
  CloseLocked();
  return OpenLocked();
}

Status LibvirtConnection::Run(const std::function<Status(virConnectPtr)>& op) {
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    uint64_t generation = 0;
    NOVACRON_ASSIGN_OR_RETURN(virConnectPtr conn, Acquire(generation));
    last = op(conn);
    bool dead = !last.ok() && virConnectIsAlive(conn) != 1;
    virConnectClose(conn);  // the reference Acquire took
    virResetLastError();
    if (!dead) return last;
    if (Status reopened = Reconnect(generation); !reopened.ok()) return reopened;
  }
  return Unavailable("libvirt connection to '" + uri_ + "' lost: " + last.message());
}

}  // namespace novacron::vm
