#include "store/postgres/postgres_pool.h"

#include <chrono>
#include <pqxx/pqxx>
#include <thread>
#include <utility>

#include "store/postgres/postgres_error.h"

namespace novacron::store {
namespace {

constexpr int kMaxAttempts = 5;

std::unique_ptr<pqxx::connection> Connect(const std::string& conninfo) {
  auto connection = std::make_unique<pqxx::connection>(conninfo);
  // libpqxx 6 may silently reconnect a broken connection; the pool does that itself, visibly.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  return connection;
}

template <pqxx::isolation_level kIsolation, pqxx::readwrite_policy kPolicy>
Status RunIn(pqxx::connection& connection, const PostgresPool::Body& body, bool* committing) {
  pqxx::transaction<kIsolation, kPolicy> txn(connection);
  Status status = body(txn);
  if (!status.ok()) return status;  // the destructor rolls back
  *committing = true;
  txn.commit();
  return Status::Ok();
}

}  // namespace

PostgresPool::PostgresPool(PostgresConnInfo info, int max_connections)
    : info_(std::move(info)), max_connections_(max_connections) {}

PostgresPool::~PostgresPool() = default;

Result<PostgresPool::Lease> PostgresPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      Lease lease{std::move(idle_.back()), true};
      idle_.pop_back();
      return lease;
    }
    ++open_;
  }
  try {
    return Lease{Connect(info_.conninfo), false};
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    available_.notify_one();
    return PostgresStatus(info_.location, e);
  }
}

void PostgresPool::Return(std::unique_ptr<pqxx::connection> connection, bool broken) {
  std::vector<std::unique_ptr<pqxx::connection>> dropped;
  {
    std::lock_guard lock(mu_);
    if (!broken && connection->is_open()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
      if (broken) {
        // One broken connection usually means the server went away: the idle ones are dead too.
        open_ -= static_cast<int>(idle_.size());
        dropped = std::move(idle_);
        idle_.clear();
      }
    }
  }
  available_.notify_all();
  // `connection` and `dropped` close outside the lock.
}

Status PostgresPool::Run(PgAccess access, const Body& body) {
  for (int attempt = 1;; ++attempt) {
    Result<Lease> lease = Acquire();
    if (!lease.ok()) return lease.status();
    bool committing = false;
    try {
      Status status = access == PgAccess::kRead ? RunIn<pqxx::repeatable_read, pqxx::read_only>(
                                                      *lease->connection, body, &committing)
                                                : RunIn<pqxx::read_committed, pqxx::read_write>(
                                                      *lease->connection, body, &committing);
      Return(std::move(lease->connection), /*broken=*/false);
      return status;
    } catch (const std::exception& e) {
      const bool lost = IsConnectionLoss(e);
      Return(std::move(lease->connection), lost);
      if (IsTransactionRetriable(e) && attempt < kMaxAttempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
        continue;
      }
      // Nothing was committed: safe to run again on a fresh connection, once.
      if (lost && !committing && lease->reused && attempt == 1) continue;
      return PostgresStatus(info_.location, e);
    } catch (...) {
      Return(std::move(lease->connection), /*broken=*/true);
      return Internal("postgres " + info_.location + ": unknown exception");
    }
  }
}

}  // namespace novacron::store
