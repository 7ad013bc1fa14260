#include "components/database_component.h"

#include "components/etcd_connect.h"
#include "store/etcd/etcd_state_store.h"
#include "store/postgres/postgres_state_store.h"
#include "store/sqlite_state_store.h"

namespace novacron::components {

Result<std::unique_ptr<store::StateStore>> OpenStateStore(const config::Config& config) {
  switch (config.storage.backend) {
    case config::StorageBackend::kSqlite:
      break;
    case config::StorageBackend::kPostgres: {
      store::PostgresStoreOptions options;
      options.connection_string = config.storage.connection_string;
      options.connect_timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(config.storage.connect_timeout);
      options.max_connections = std::min(config.storage.max_connections, 64);
      return store::OpenPostgresStateStore(options);
    }
    case config::StorageBackend::kRedis:
      return FailedPrecondition(
          "storage.backend redis cannot hold the state store (no transactions); use sqlite or "
          "postgres, and storage.cache_backend=redis for a Redis cache");
  }
  store::SqliteStoreOptions options;
  options.data_dir = config.system.data_dir;
  return store::OpenSqliteStateStore(options);
}

Status DatabaseComponent::DoStart(lifecycle::StartContext& ctx) {
  // The engine retries this start (RetryPolicy); the breaker makes a database that keeps
  // refusing fail fast instead of costing every attempt a full connect timeout.
  std::unique_ptr<store::StateStore> opened;
  Status open = breaker_.Call([&]() -> Status {
    NOVACRON_ASSIGN_OR_RETURN(opened, OpenStateStore(config()));
    if (config().cluster.mode != config::ClusterMode::kEtcd) return {};
    // Cluster mode: the records every node shares live in etcd; the boot records stay in the
    // local store (docs/cluster.md, "Records in etcd").
    const config::ClusterConfig& cluster = config().cluster;
    NOVACRON_ASSIGN_OR_RETURN(std::shared_ptr<cluster::EtcdClient> client,
                              ConnectEtcd(cluster, /*stale_reads=*/true));
    NOVACRON_RETURN_IF_ERROR(ReachEtcd(*client, cluster, ctx.stop_token()));
    NOVACRON_ASSIGN_OR_RETURN(
        opened, store::EtcdStateStore::Open(std::move(client), cluster.prefix, std::move(opened)));
    return {};
  });
  if (!open.ok()) {
    log().Warn("state store not open",
               {{"attempt", ctx.attempt()},
                {"breaker", std::string(lifecycle::BreakerStateName(breaker_.state()))},
                {"error", open.ToString()}});
    return open;
  }
  std::shared_ptr<store::StateStore> opened_store = std::move(opened);
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
