// Durable VM records with optimistic concurrency. Each record carries a resource `version` that
// the store bumps on every write; a write that names an older version fails with kConflict (the
// API's ETag / If-Match). A call returns only after its transaction committed, so whatever it
// acknowledged survives a crash. Idempotency keys are stored here too, so that a replayed POST
// finds the answer of the first one even after a restart.
//
// The store knows nothing of the VM domain: the spec is opaque JSON text and the state a string
// (src/vm owns their meaning). Implementations are thread-safe; errors are Status, never
// exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::store {

struct VmRecord {
  std::string id;         // UUID (lowercase, 36 chars); also the libvirt domain UUID
  std::string name;       // unique among the records
  std::string spec_json;  // the canonical JSON of vm::VmSpec
  std::map<std::string, std::string> labels;  // copy of the spec's labels, for selectors
  std::string state;                          // vm::VmStateName(...)
  std::string drift;       // "" when the hypervisor agrees; else e.g. "missing_on_hypervisor"
  std::string last_error;  // the last failed operation's message; "" when none
  std::string owner;    // cluster mode: the node id that runs the VM ("" unplaced, or standalone)
  int64_t version = 0;  // set by the store: 1 at create, +1 per update
  std::chrono::system_clock::time_point created_at{};  // set by the store at create
  std::chrono::system_clock::time_point updated_at{};  // set by the store at each write
  bool operator==(const VmRecord&) const = default;
};

struct VmListFilter {
  std::optional<std::string> state;           // exact state name
  std::map<std::string, std::string> labels;  // every pair must match (key=value selector)
};

// Keyset pagination in creation order: pass the previous page's next_cursor to continue.
struct VmPageRequest {
  int limit = 100;     // 1..1000
  std::string cursor;  // "" for the first page; opaque otherwise
};

struct VmPage {
  std::vector<VmRecord> items;
  std::string next_cursor;  // "" on the last page
};

// The first answer to a POST with an Idempotency-Key. `fingerprint` identifies the request
// (method, path and a hash of the body): the same key with another fingerprint is a client error.
struct IdempotencyRecord {
  std::string key;
  std::string fingerprint;
  int status = 0;
  std::string body;
  std::chrono::system_clock::time_point created_at{};  // set by the store
  bool operator==(const IdempotencyRecord&) const = default;
};

class VmStore {
 public:
  virtual ~VmStore() = default;

  // Inserts `record` (id, name, spec_json, labels, state required; drift, last_error and owner
  // stored as given) with version 1 and returns it as stored. kAlreadyExists when the id or the
  // name is taken. When `idempotency` is given it is saved in the same transaction
  // (kAlreadyExists if its key is taken).
  virtual Result<VmRecord> Create(const VmRecord& record,
                                  const IdempotencyRecord* idempotency = nullptr) = 0;

  // kNotFound for an unknown id / name.
  virtual Result<VmRecord> Get(const std::string& id) = 0;
  virtual Result<VmRecord> GetByName(const std::string& name) = 0;

  virtual Result<VmPage> List(const VmListFilter& filter, const VmPageRequest& page) = 0;
  // Every record, in creation order (for reconciliation and inventory).
  virtual Result<std::vector<VmRecord>> ListAll() = 0;

  // Replaces the mutable fields (name, spec_json, labels, state, drift, last_error, owner) of the
  // record with `record.id`, if its stored version equals `expected_version`; returns the new
  // record (version + 1). kNotFound when absent; kConflict when the version moved on ("vm <id> was
  // modified: version 4, expected 3"); kAlreadyExists when the new name is taken.
  virtual Result<VmRecord> Update(const VmRecord& record, int64_t expected_version) = 0;

  // Removes the record if its version equals `expected_version` (kConflict otherwise), or
  // unconditionally when `expected_version` is nullopt. kNotFound when absent.
  virtual Status Delete(const std::string& id, std::optional<int64_t> expected_version) = 0;

  // kNotFound when the key is unknown or older than the retention.
  virtual Result<IdempotencyRecord> GetIdempotency(const std::string& key) = 0;
  // kAlreadyExists when the key is taken.
  virtual Status PutIdempotency(const IdempotencyRecord& record) = 0;
  // Drops keys created before `before`; returns how many.
  virtual Result<int> PruneIdempotency(std::chrono::system_clock::time_point before) = 0;
};

}  // namespace novacron::store
