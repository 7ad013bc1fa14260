#include "servers/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "servers/server_util.h"

namespace novacron::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kUser[] = "novacron";
constexpr char kHost[] = "127.0.0.1";
constexpr int kPortAttempts = 5;

// Who the server's commands run as: initdb and postgres refuse to run as root.
struct Identity {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Identity> ServerIdentity() {
  if (geteuid() != 0) return Identity{};
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) {
    return FailedPrecondition(
        "postgres test server: running as root and there is no user "
        "'nobody' to run initdb/postgres as");
  }
  return Identity{true, nobody->pw_uid, nobody->pw_gid};
}

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

// Runs `argv` (no shell) with stdout and stderr appended to `log`, in `cwd`, as `who`; waits for
// it and returns its exit status (128 + signal when killed).
Result<int> RunProcess(const std::vector<std::string>& argv, const fs::path& log,
                       const fs::path& cwd, const Identity& who) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return Internal("open " + log.string() + ": " + std::strerror(errno));
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const std::string header = "$ " + Join(argv) + "\n";
  (void)!::write(log_fd, header.data(), header.size());
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Internal(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    if (who.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
        ::_exit(126);
      }
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Internal(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// The bin dir of the newest /usr/lib/postgresql/<major> that has initdb.
Result<fs::path> FindBinDir() {
  const fs::path root = "/usr/lib/postgresql";
  std::error_code ec;
  int best_major = -1;
  fs::path best;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long major = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str()) continue;
    const fs::path bin = entry.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) != 0) continue;
    if (major > best_major) {
      best_major = static_cast<int>(major);
      best = bin;
    }
  }
  if (best_major < 0) {
    return FailedPrecondition("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)");
  }
  return best;
}

std::string ReadTail(const fs::path& file, size_t max_chars) {
  std::ifstream in(file);
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

// The process's parent pid and state letter from /proc/<pid>/stat; false when it is gone.
bool ReadProcStat(pid_t pid, pid_t* parent, char* state) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return false;
  std::istringstream fields(text.substr(close_paren + 1));
  long ppid = 0;
  fields >> *state >> ppid;
  *parent = static_cast<pid_t>(ppid);
  return static_cast<bool>(fields);
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    pid_t ppid = 0;
    char state = 0;
    if (ReadProcStat(pid, &ppid, &state) && ppid == parent) children.push_back(pid);
  }
  return children;
}

// True once `pid` has exited (a zombie counts: nobody here can reap it).
bool Gone(pid_t pid) {
  pid_t ppid = 0;
  char state = 0;
  return !ReadProcStat(pid, &ppid, &state) || state == 'Z' || state == 'X';
}

bool Stopped(pid_t pid) {
  pid_t ppid = 0;
  char state = 0;
  return ReadProcStat(pid, &ppid, &state) && (state == 'T' || state == 't');
}

}  // namespace

PostgresServer::~PostgresServer() { (void)Stop(); }

std::string PostgresServer::ConnectionString(const std::string& name) const {
  return "postgresql://" + std::string(kUser) + "@" + kHost + ":" + std::to_string(port_) + "/" +
         name;
}

std::string PostgresServer::LogTail() const {
  return "\n--- commands ---\n" + ReadTail(dir_ / "commands.log", 2000) + "\n--- server.log ---\n" +
         ReadTail(dir_ / "server.log", 2000);
}

Status PostgresServer::Start() {
  if (running_) return FailedPrecondition("postgres test server already running");
  Result<fs::path> bin = FindBinDir();
  if (!bin.ok()) return bin.status();
  bin_dir_ = *bin;
  Result<Identity> who = ServerIdentity();
  if (!who.ok()) return who.status();
  run_as_nobody_ = who->switch_user;

  std::string pattern = (fs::temp_directory_path() / "novacron-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Internal("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  dir_ = pattern;
  if (dir_.string().find('\'') != std::string::npos) {
    return Internal("temp dir " + dir_.string() + " contains a quote");
  }
  if (who->switch_user && ::chown(dir_.c_str(), who->uid, who->gid) != 0) {
    return Internal("chown " + dir_.string() + " to nobody: " + std::strerror(errno));
  }
  Result<int> initdb =
      RunProcess({(bin_dir_ / "initdb").string(), "-D", (dir_ / "data").string(), "-A", "trust",
                  "-U", kUser, "--no-sync", "-E", "UTF8", "--locale=C"},
                 dir_ / "commands.log", dir_, *who);
  if (!initdb.ok()) return initdb.status();
  if (*initdb != 0) {
    return Internal("initdb exited with " + std::to_string(*initdb) + LogTail());
  }
  Status started;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    try {
      port_ = PickFreePort();
    } catch (const std::exception& e) {
      return Internal(std::string("pick a free port: ") + e.what());
    }
    started = StartPostmaster();
    if (started.ok()) return started;
    // Another process may have taken the port between PickFreePort and bind: try another.
    if (ReadTail(dir_ / "server.log", 4000).find("already in use") == std::string::npos) break;
  }
  return started;
}

Status PostgresServer::StartPostmaster() {
  Result<Identity> who = ServerIdentity();
  if (!who.ok()) return who.status();
  // pg_ctl hands -o to a shell; the dir has no quote (checked) and the rest is ours.
  const std::string options =
      "-k '" + dir_.string() + "' -p " + std::to_string(port_) + " -h " + kHost + " -F";
  Result<int> pg_ctl =
      RunProcess({(bin_dir_ / "pg_ctl").string(), "start", "-w", "-t", "60", "-D",
                  (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-o", options},
                 dir_ / "commands.log", dir_, *who);
  if (!pg_ctl.ok()) return pg_ctl.status();
  if (*pg_ctl != 0) {
    return Internal("pg_ctl start (port " + std::to_string(port_) + ") exited with " +
                    std::to_string(*pg_ctl) + LogTail());
  }
  running_ = true;
  return Status::Ok();
}

Status PostgresServer::Stop() {
  if (dir_.empty()) return Status::Ok();
  Status stopped;
  if (running_) {
    Result<Identity> who = ServerIdentity();
    if (!who.ok()) return who.status();
    Result<int> pg_ctl = RunProcess({(bin_dir_ / "pg_ctl").string(), "stop", "-w", "-m", "fast",
                                     "-D", (dir_ / "data").string()},
                                    dir_ / "commands.log", dir_, *who);
    if (!pg_ctl.ok() || *pg_ctl != 0) {
      stopped = Kill();  // leaves no server behind even when the polite stop failed
    }
    running_ = false;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec && stopped.ok()) stopped = Internal("remove " + dir_.string() + ": " + ec.message());
  dir_.clear();
  return stopped;
}

Status PostgresServer::Kill() {
  if (!running_) return FailedPrecondition("postgres test server is not running");
  std::ifstream pid_file(dir_ / "data" / "postmaster.pid");
  long pid = 0;
  if (!(pid_file >> pid) || pid <= 0) {
    return Internal("no pid in " + (dir_ / "data" / "postmaster.pid").string());
  }
  const pid_t postmaster = static_cast<pid_t>(pid);
  // Stop the postmaster first so that it cannot fork a child we would miss (an orphan would keep
  // the shared memory and make Restart() fail).
  ::kill(postmaster, SIGSTOP);
  const auto stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!Gone(postmaster) && !Stopped(postmaster) &&
         std::chrono::steady_clock::now() < stop_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<pid_t> victims = ChildrenOf(postmaster);
  victims.insert(victims.begin(), postmaster);
  for (pid_t victim : victims) ::kill(victim, SIGKILL);
  running_ = false;
  // Restart() needs the old processes gone: they hold the shared memory and the port.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (pid_t victim : victims) {
    while (!Gone(victim) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!Gone(victim)) return Internal("pid " + std::to_string(victim) + " survived SIGKILL");
  }
  return Status::Ok();
}

Status PostgresServer::Restart() {
  if (dir_.empty()) return FailedPrecondition("postgres test server was never started");
  if (running_) {
    Result<Identity> who = ServerIdentity();
    if (!who.ok()) return who.status();
    Result<int> stopped = RunProcess({(bin_dir_ / "pg_ctl").string(), "stop", "-w", "-m", "fast",
                                      "-D", (dir_ / "data").string()},
                                     dir_ / "commands.log", dir_, *who);
    if (!stopped.ok()) return stopped.status();
    running_ = false;
  }
  // The port or shared memory may linger briefly after a kill: retry for a while.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    Status started = StartPostmaster();
    if (started.ok() || std::chrono::steady_clock::now() >= deadline) return started;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<std::string> PostgresServer::CreateDatabase(const std::string& name) {
  if (!running_) return FailedPrecondition("postgres test server is not running");
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid) return InvalidArgument("database name '" + name + "' is not [a-z0-9_]+");
  Result<int> createdb = RunProcess({(bin_dir_ / "createdb").string(), "-h", kHost, "-p",
                                     std::to_string(port_), "-U", kUser, "--", name},
                                    dir_ / "commands.log", "/", Identity{});
  if (!createdb.ok()) return createdb.status();
  if (*createdb != 0) {
    return Internal("createdb " + name + " exited with " + std::to_string(*createdb) + LogTail());
  }
  return ConnectionString(name);
}

Status PostgresServer::Available() {
  Result<fs::path> bin = FindBinDir();
  if (!bin.ok()) return bin.status();
  return ServerIdentity().status();
}

Result<PostgresServer*> PostgresServer::Shared() {
  static std::once_flag once;
  static std::unique_ptr<PostgresServer> server;
  static Status error;
  std::call_once(once, [] {
    server = std::make_unique<PostgresServer>();
    error = server->Start();
  });
  if (!error.ok()) return error;
  return server.get();
}

}  // namespace novacron::testing
