// database: the state store, SQLite under the data dir (WAL) or PostgreSQL (storage.backend),
// with versioned migrations; in cluster mode etcd, the shared records (VMs, tokens, idempotency
// keys) are in etcd and only the boot records stay local. Holds the boot records, the VM records
// and Idempotency-Keys. Connecting is bounded: storage.connect_timeout per attempt, the engine's
// retries, and a circuit breaker that fails the later attempts fast once the database keeps
// refusing.
#pragma once

#include <memory>
#include <mutex>

#include "components/node_component.h"
#include "lifecycle/breaker.h"
#include "store/state_store.h"

namespace novacron::components {

class DatabaseComponent : public NodeComponent {
 public:
  static constexpr std::string_view kName = "database";
  using NodeComponent::NodeComponent;

  // Null unless the component runs. Thread-safe.
  std::shared_ptr<store::StateStore> store() const {
    std::lock_guard lock(mu_);
    return store_;
  }

  Status Stop(lifecycle::StopContext& ctx) override;
  lifecycle::HealthReport Health() const override;

 protected:
  Status DoStart(lifecycle::StartContext& ctx) override;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<store::StateStore> store_;
  lifecycle::CircuitBreaker breaker_{"database",
                                     {.failure_threshold = 2,
                                      .cool_down = std::chrono::seconds(30),
                                      .now = lifecycle::Clock::now}};
};

// Opens the state store the configuration names (used by the daemon and by `novacron boots`).
Result<std::unique_ptr<store::StateStore>> OpenStateStore(const config::Config& config);

}  // namespace novacron::components
