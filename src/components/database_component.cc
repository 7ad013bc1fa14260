#include "components/database_component.h"

#include "store/sqlite_state_store.h"

namespace novacron::components {

Result<std::unique_ptr<store::StateStore>> OpenStateStore(const config::Config& config) {
  if (config.storage.backend != config::StorageBackend::kSqlite) {
    return FailedPrecondition("storage.backend " +
                              std::string(config::ToString(config.storage.backend)) +
                              " is not available in this release; use sqlite");
  }
  store::SqliteStoreOptions options;
  options.data_dir = config.system.data_dir;
  return store::OpenSqliteStateStore(options);
}

Status DatabaseComponent::DoStart(lifecycle::StartContext&) {
  auto opened = OpenStateStore(config());
  if (!opened.ok()) return opened.status();
  std::shared_ptr<store::StateStore> opened_store = std::move(*opened);
  log().Info("state store open",
             {{"backend", opened_store->backend()},
              {"location", opened_store->location()},
              {"schema_version", static_cast<int64_t>(opened_store->schema_version())}});
  runtime().store_handoff.Publish(opened_store);
  std::lock_guard lock(mu_);
  store_ = std::move(opened_store);
  return {};
}

Status DatabaseComponent::Stop(lifecycle::StopContext&) {
  std::lock_guard lock(mu_);
  store_.reset();  // closes the database once the boot recorder let go of it too
  return {};
}

lifecycle::HealthReport DatabaseComponent::Health() const {
  std::shared_ptr<store::StateStore> current = store();
  Status s = current ? current->Health() : Unavailable("store not open");
  if (!s.ok()) return lifecycle::HealthReport::Unhealthy(s.ToString());
  return {};
}

}  // namespace novacron::components
