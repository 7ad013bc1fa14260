// The daemon's state store: one handle per process over the backend chosen by configuration
// (SQLite under the data dir by default, or PostgreSQL), with its typed sub-stores.
// Implementations are thread-safe; errors are Status, never exceptions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "store/boot_store.h"
#include "store/token_store.h"
#include "store/vm_store.h"

namespace novacron::store {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // "sqlite", "postgres".
  virtual std::string_view backend() const = 0;
  // Where the data lives, for logs and messages (file path or host/database, no secrets).
  virtual std::string location() const = 0;
  // The schema version the database is at (the newest this binary knows, once open).
  virtual int schema_version() const = 0;

  // A cheap round trip to the database, for the component's health check.
  virtual Status Health() = 0;

  // True while reads are answered from a possibly stale copy (etcd without quorum: the API then
  // adds a Warning header). Always false for stores that never serve stale reads.
  virtual bool ServingStaleReads() const { return false; }

  virtual BootStore& boots() = 0;
  virtual VmStore& vms() = 0;
  virtual TokenStore& tokens() = 0;
};

}  // namespace novacron::store
