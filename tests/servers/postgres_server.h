// A real PostgreSQL server for tests: initdb into a temp dir and a postmaster on a free loopback
// port, from the Debian packages (/usr/lib/postgresql/<major>/bin). Authentication is `trust`
// for the superuser `novacron`, fsync is off. As root the server runs as `nobody` (initdb and
// postgres refuse to run as root); otherwise as the current user.
//
//   PostgresServer server;
//   if (Status s = server.Start(); !s.ok()) GTEST_SKIP() << s.ToString();
//   Result<std::string> url = server.CreateDatabase("t1");  // postgresql://novacron@...:port/t1
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace novacron::testing {

class PostgresServer {
 public:
  PostgresServer() = default;
  ~PostgresServer();  // Stop(), errors ignored
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Finds the newest installed PostgreSQL, runs initdb in a fresh temp dir and starts the server
  // on a free port (retrying on a port race). kFailedPrecondition when PostgreSQL is not
  // installed (tests skip on it); kInternal with the server log's tail when a step fails.
  Status Start();
  // `pg_ctl stop -m fast` (if running) and removes the temp dir. Idempotent.
  Status Stop();
  // SIGKILLs the postmaster and its children, as if the machine died. Data stays for Restart().
  Status Kill();
  // Starts the server again on the same port and data dir (after Kill() or a stop).
  Status Restart();

  // Creates database `name` ([a-z0-9_]+) and returns its connection string,
  // "postgresql://novacron@127.0.0.1:<port>/<name>".
  Result<std::string> CreateDatabase(const std::string& name);
  // The connection string of database `name` (which need not exist).
  std::string ConnectionString(const std::string& name) const;

  int port() const { return port_; }
  bool running() const { return running_; }
  const std::filesystem::path& dir() const { return dir_; }

  // OK when PostgreSQL is installed here; kFailedPrecondition with the reason otherwise.
  static Status Available();

  // One server per test process, started on first use and stopped at exit. The error (e.g. not
  // installed) is returned again on every call.
  static Result<PostgresServer*> Shared();

 private:
  Status StartPostmaster();
  std::string LogTail() const;

  std::filesystem::path bin_dir_;  // .../bin of the PostgreSQL in use
  std::filesystem::path dir_;      // temp dir: data/, server.log, sockets
  int port_ = 0;
  bool running_ = false;
  bool run_as_nobody_ = false;
};

}  // namespace novacron::testing
