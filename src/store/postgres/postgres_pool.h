// A small pool of libpqxx connections and the one way the backend talks to the database: a
// function run inside a transaction. A connection that broke (server restarted or killed) is
// dropped, together with the idle ones (they share its fate), and the next call connects anew.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/postgres/postgres_conninfo.h"

namespace novacron::store {

enum class PgAccess {
  kRead,   // REPEATABLE READ, READ ONLY: one snapshot for the whole call
  kWrite,  // READ COMMITTED: callers take row locks (FOR UPDATE) or advisory locks as needed
};

class PostgresPool {
 public:
  using Body = std::function<Status(pqxx::transaction_base&)>;

  PostgresPool(PostgresConnInfo info, int max_connections);
  ~PostgresPool();
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  const std::string& location() const { return info_.location; }

  // Runs `body` in one transaction and commits when it returns OK (rolls back otherwise).
  // Serialization failures and deadlocks are retried a few times; a connection that was idle in
  // the pool and turns out broken is replaced once. Connection problems are kUnavailable.
  Status Run(PgAccess access, const Body& body);

  template <typename T>
  Result<T> Query(PgAccess access, const std::function<Result<T>(pqxx::transaction_base&)>& body) {
    std::optional<T> value;
    Status status = Run(access, [&](pqxx::transaction_base& txn) -> Status {
      Result<T> result = body(txn);
      if (!result.ok()) return result.status();
      value = std::move(result).value();
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return std::move(*value);
  }

 private:
  struct Lease {
    std::unique_ptr<pqxx::connection> connection;
    bool reused = false;  // came from the idle list: may have died while idle
  };

  Result<Lease> Acquire();
  // Puts a healthy connection back, or forgets a broken one (and, then, the idle ones too).
  void Return(std::unique_ptr<pqxx::connection> connection, bool broken);

  const PostgresConnInfo info_;
  const int max_connections_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // idle + leased; guarded by mu_
};

}  // namespace novacron::store
