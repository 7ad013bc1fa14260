// PLACEHOLDER while issue 3 is in progress: replaced by the real implementation.
#include "store/sqlite_vm_store.h"

namespace novacron::store {
namespace {
Status NotYet() { return Internal("sqlite vm store: not implemented yet"); }
}  // namespace

Result<VmRecord> SqliteVmStore::Create(const VmRecord&, const IdempotencyRecord*) {
  return NotYet();
}
Result<VmRecord> SqliteVmStore::Get(const std::string&) { return NotYet(); }
Result<VmRecord> SqliteVmStore::GetByName(const std::string&) { return NotYet(); }
Result<VmPage> SqliteVmStore::List(const VmListFilter&, const VmPageRequest&) { return NotYet(); }
Result<std::vector<VmRecord>> SqliteVmStore::ListAll() { return NotYet(); }
Result<VmRecord> SqliteVmStore::Update(const VmRecord&, int64_t) { return NotYet(); }
Status SqliteVmStore::Delete(const std::string&, std::optional<int64_t>) { return NotYet(); }
Result<IdempotencyRecord> SqliteVmStore::GetIdempotency(const std::string&) { return NotYet(); }
Status SqliteVmStore::PutIdempotency(const IdempotencyRecord&) { return NotYet(); }
Result<int> SqliteVmStore::PruneIdempotency(std::chrono::system_clock::time_point) {
  return NotYet();
}

}  // namespace novacron::store
