#include "servers/etcd_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "servers/server_util.h"

extern char** environ;

namespace novacron::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kEtcd[] = "/usr/bin/etcd";
constexpr char kHost[] = "127.0.0.1";
constexpr int kPortAttempts = 5;
constexpr auto kHealthyDeadline = std::chrono::seconds(30);
constexpr auto kHttpTimeout = std::chrono::seconds(1);

// Runs `argv` (no shell) with stdin from /dev/null and stdout and stderr appended to `log_fd`
// (or /dev/null when it is -1), minus any ETCD_* variable of ours, which etcd would read as
// flags. The child dies with this thread (PR_SET_PDEATHSIG). Returns the child's pid.
Result<pid_t> SpawnProcess(const std::vector<std::string>& args, int log_fd) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** var = environ; *var != nullptr; ++var) {
    if (std::strncmp(*var, "ETCD_", 5) != 0) envp.push_back(*var);
  }
  envp.push_back(nullptr);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    if (null_fd >= 0) ::close(null_fd);
    return Internal(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int out_fd = log_fd >= 0 ? log_fd : null_fd;
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (out_fd >= 0) {
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(out_fd, STDERR_FILENO);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (null_fd >= 0) ::close(null_fd);
  return pid;
}

// One HTTP/1.0 request to 127.0.0.1:`port`. The body of a 200 response, or nullopt on any failure
// (refused, a paused member's timeout, another status).
std::optional<std::string> HttpRequest(int port, const std::string& method, const std::string& path,
                                       const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{.tv_sec = std::chrono::seconds(kHttpTimeout).count(), .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));  // bounds connect too
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, kHost, &addr.sin_addr);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = method + " " + path + " HTTP/1.0\r\nHost: " + kHost + ":" +
                                std::to_string(port) + "\r\nContent-Type: application/json\r\n" +
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                                body;
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      const auto deadline = Clock::now() + 2 * kHttpTimeout;
      char buffer[4096];
      ssize_t n = 0;
      while (Clock::now() < deadline && (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) {
        response.append(buffer, static_cast<size_t>(n));
      }
      if (n != 0) response.clear();  // timed out or failed before the server closed
    }
  }
  ::close(fd);
  const size_t header_end = response.find("\r\n\r\n");
  const size_t space = response.find(' ');
  if (header_end == std::string::npos || space == std::string::npos ||
      response.compare(space + 1, 3, "200") != 0) {
    return std::nullopt;
  }
  return response.substr(header_end + 4);
}

bool AnswersHealthy(int port) {
  std::optional<std::string> body = HttpRequest(port, "GET", "/health", "");
  if (!body) return false;
  nlohmann::json health = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  return health.is_object() && health.value("health", "") == "true";
}

// The gRPC gateway spells uint64 as a JSON string; etcdctl as a number. 0 when absent or bad.
uint64_t ToUint64(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_string()) return std::strtoull(value.get<std::string>().c_str(), nullptr, 10);
  return 0;
}

// The last `max_chars` of `file` from `start` on, cut at a line start.
std::string ReadTail(const fs::path& file, uintmax_t start, size_t max_chars) {
  std::ifstream in(file);
  if (!in) return "(no log)";
  in.seekg(static_cast<std::streamoff>(start));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > max_chars) {
    text = text.substr(text.size() - max_chars);
    const size_t newline = text.find('\n');
    if (newline != std::string::npos) text = "..." + text.substr(newline);
  }
  return text.empty() ? "(empty log)" : text;
}

}  // namespace

std::string EtcdCluster::SkipReason() {
  if (::access(kEtcd, X_OK) != 0) {
    return std::string(kEtcd) + " not found (Debian package etcd-server)";
  }
  Result<pid_t> pid = SpawnProcess({kEtcd, "--version"}, -1);
  if (!pid.ok()) return "cannot run " + std::string(kEtcd) + ": " + pid.status().ToString();
  int wstatus = 0;
  while (::waitpid(*pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return std::string(kEtcd) + " --version failed (Debian package etcd-server broken?)";
  }
  return "";
}

EtcdCluster::EtcdCluster(Options options) : options_(options) {}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < static_cast<int>(members_.size()); ++i) Kill(i);
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

EtcdCluster::Member& EtcdCluster::At(int member) { return members_.at(member); }
const EtcdCluster::Member& EtcdCluster::At(int member) const { return members_.at(member); }

fs::path EtcdCluster::LogFile(int member) const {
  return dir_ / ("m" + std::to_string(member) + ".log");
}

std::vector<std::string> EtcdCluster::Endpoints() const {
  std::vector<std::string> endpoints;
  for (int i = 0; i < static_cast<int>(members_.size()); ++i) endpoints.push_back(Endpoint(i));
  return endpoints;
}

std::string EtcdCluster::Endpoint(int member) const {
  return std::string(kHost) + ":" + std::to_string(At(member).client_port);
}

bool EtcdCluster::running(int member) const { return At(member).pid > 0; }

std::string EtcdCluster::InitialCluster() const {
  std::string cluster;
  for (const Member& m : members_) {
    if (!cluster.empty()) cluster += ',';
    cluster += m.name + "=http://" + kHost + ":" + std::to_string(m.peer_port);
  }
  return cluster;
}

std::string EtcdCluster::LogTail(int member) const {
  return "\n--- " + LogFile(member).string() + " ---\n" +
         ReadTail(LogFile(member), At(member).log_start, 1500);
}

bool EtcdCluster::LostPortRace(int member) const {
  return ReadTail(LogFile(member), At(member).log_start, 1 << 20).find("address already in use") !=
         std::string::npos;
}

Status EtcdCluster::Start() {
  if (!members_.empty()) return FailedPrecondition("etcd test cluster already started");
  if (options_.members < 1) {
    return InvalidArgument("etcd test cluster needs at least 1 member, not " +
                           std::to_string(options_.members));
  }
  if (std::string why = SkipReason(); !why.empty()) return FailedPrecondition(why);
  std::string pattern = (fs::temp_directory_path() / "novacron-etcd-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Internal("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  dir_ = pattern;
  if (dir_.string().find(',') != std::string::npos) {  // --log-outputs is a comma list
    return Internal("temp dir " + dir_.string() + " contains a comma");
  }
  Status started;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    std::vector<int> ports;
    try {
      while (static_cast<int>(ports.size()) < 2 * options_.members) {
        const int port = PickFreePort();
        if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
      }
    } catch (const std::exception& e) {
      return Internal(std::string("pick a free port: ") + e.what());
    }
    members_.assign(options_.members, Member{});
    for (int i = 0; i < options_.members; ++i) {
      std::error_code ignored;
      fs::remove_all(dir_ / ("m" + std::to_string(i)), ignored);
      fs::remove(LogFile(i), ignored);
      members_[i].name = "m" + std::to_string(i);
      members_[i].client_port = ports[2 * i];
      members_[i].peer_port = ports[2 * i + 1];
    }
    token_ = dir_.filename().string() + "-" + std::to_string(attempt);  // unique per temp dir
    started = Status::Ok();
    for (int i = 0; i < options_.members && started.ok(); ++i) started = Spawn(i, "new");
    if (started.ok()) {
      std::vector<int> all(options_.members);
      for (int i = 0; i < options_.members; ++i) all[i] = i;
      started = WaitHealthy(all, Clock::now() + kHealthyDeadline);
    }
    if (started.ok()) return started;
    bool port_race = false;
    for (int i = 0; i < options_.members; ++i) {
      Kill(i);
      port_race = port_race || LostPortRace(i);
    }
    // Another process may have taken a port between PickFreePort and etcd's bind: try others.
    if (!port_race) break;
  }
  members_.clear();
  return started;
}

Status EtcdCluster::Spawn(int member, const std::string& state) {
  Member& m = At(member);
  const fs::path log = LogFile(member);
  std::error_code ec;
  m.log_start = fs::exists(log, ec) ? fs::file_size(log, ec) : 0;
  if (ec) m.log_start = 0;
  const std::string client_url =
      "http://" + std::string(kHost) + ":" + std::to_string(m.client_port);
  const std::string peer_url = "http://" + std::string(kHost) + ":" + std::to_string(m.peer_port);
  const std::vector<std::string> args = {
      kEtcd,
      "--name=" + m.name,
      "--data-dir=" + (dir_ / m.name).string(),
      "--listen-client-urls=" + client_url,
      "--advertise-client-urls=" + client_url,
      "--listen-peer-urls=" + peer_url,
      "--initial-advertise-peer-urls=" + peer_url,
      "--initial-cluster=" + InitialCluster(),
      "--initial-cluster-state=" + state,
      "--initial-cluster-token=" + token_,
      "--heartbeat-interval=50",
      "--election-timeout=500",
      "--logger=zap",
      "--log-outputs=" + log.string(),
  };
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Internal("open " + log.string() + ": " + std::strerror(errno));
  std::string header = "$";
  for (const std::string& arg : args) header += " " + arg;
  header += "\n";
  (void)!::write(log_fd, header.data(), header.size());
  Result<pid_t> pid = SpawnProcess(args, log_fd);
  ::close(log_fd);
  if (!pid.ok()) return pid.status().Wrap("start etcd member " + m.name);
  m.pid = *pid;
  m.paused = false;
  return Status::Ok();
}

bool EtcdCluster::Exited(int member) {
  Member& m = At(member);
  if (m.pid <= 0) return true;
  int wstatus = 0;
  const pid_t r = ::waitpid(m.pid, &wstatus, WNOHANG);
  if (r == m.pid || (r < 0 && errno == ECHILD)) {
    m.pid = -1;
    m.paused = false;
    return true;
  }
  return false;
}

Status EtcdCluster::WaitHealthy(const std::vector<int>& which, Clock::time_point deadline) {
  std::vector<int> pending = which;
  while (true) {
    for (int member : pending) {
      if (Exited(member)) {
        return Internal("etcd member m" + std::to_string(member) + " (client port " +
                        std::to_string(At(member).client_port) + ") exited" + LogTail(member));
      }
    }
    std::erase_if(pending, [this](int member) { return AnswersHealthy(At(member).client_port); });
    if (pending.empty()) return Status::Ok();
    if (Clock::now() >= deadline) {
      return DeadlineExceeded("etcd member m" + std::to_string(pending.front()) +
                              " did not answer GET /health with {\"health\":\"true\"}" +
                              LogTail(pending.front()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void EtcdCluster::Kill(int member) {
  Member& m = At(member);
  if (m.pid <= 0) return;
  ::kill(m.pid, SIGKILL);  // also ends a stopped (paused) process
  int wstatus = 0;
  while (::waitpid(m.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  m.pid = -1;
  m.paused = false;
}

Status EtcdCluster::Restart(int member) {
  if (members_.empty()) return FailedPrecondition("etcd test cluster was never started");
  Kill(member);
  // The ports were free a moment ago, but another process may have taken one since: retry for a
  // while, as there is no other port this member can move to.
  const auto deadline = Clock::now() + kHealthyDeadline;
  while (true) {
    NOVACRON_RETURN_IF_ERROR(Spawn(member, "existing"));
    Status healthy = WaitHealthy({member}, deadline);
    if (healthy.ok()) return healthy;
    Kill(member);
    if (!LostPortRace(member) || Clock::now() >= deadline) return healthy;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void EtcdCluster::Pause(int member) {
  Member& m = At(member);
  if (m.pid <= 0) return;
  ::kill(m.pid, SIGSTOP);
  m.paused = true;
}

void EtcdCluster::Resume(int member) {
  Member& m = At(member);
  if (m.pid <= 0) return;
  ::kill(m.pid, SIGCONT);
  m.paused = false;
}

int EtcdCluster::Leader() const {
  int leader = -1;
  uint64_t leader_term = 0;
  for (int i = 0; i < static_cast<int>(members_.size()); ++i) {
    const Member& m = members_[i];
    if (m.pid <= 0 || m.paused) continue;
    std::optional<std::string> body =
        HttpRequest(m.client_port, "POST", "/v3/maintenance/status", "{}");
    if (!body) continue;
    nlohmann::json status = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
    if (!status.is_object() || !status.contains("header")) continue;
    const uint64_t self = ToUint64(status["header"].value("member_id", nlohmann::json()));
    const uint64_t says_leader = ToUint64(status.value("leader", nlohmann::json()));
    const uint64_t term = ToUint64(status.value("raftTerm", nlohmann::json()));
    // A member that was partitioned may still believe it leads an older term.
    if (self != 0 && self == says_leader && (leader < 0 || term > leader_term)) {
      leader = i;
      leader_term = term;
    }
  }
  return leader;
}

}  // namespace novacron::testing
