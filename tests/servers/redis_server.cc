#include "servers/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "servers/server_util.h"

namespace novacron::testing {
namespace {

constexpr auto kStartDeadline = std::chrono::seconds(15);
constexpr auto kStopDeadline = std::chrono::seconds(10);

std::string FindRedisServer() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  dirs.insert(dirs.end(), {"/usr/bin", "/usr/sbin", "/usr/local/bin"});
  for (const auto& dir : dirs) {
    std::string candidate = dir + "/redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// One RESP round trip of an inline PING. Any reply (+PONG, or -NOAUTH with requirepass) means
// the server is up and answering.
bool AnswersPing(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{.tv_sec = 1, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  bool answered = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    constexpr std::string_view kPing = "PING\r\n";
    char reply[64];
    if (::send(fd, kPing.data(), kPing.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(kPing.size())) {
      ssize_t n = ::recv(fd, reply, sizeof(reply), 0);
      answered = n > 0 && (reply[0] == '+' || reply[0] == '-');
    }
  }
  ::close(fd);
  return answered;
}

}  // namespace

std::string RedisServer::SkipReason() {
  if (FindRedisServer().empty()) {
    return "redis-server not found in PATH (Debian package redis-server)";
  }
  return "";
}

RedisServer::RedisServer(Options options) : options_(std::move(options)), port_(options_.port) {}

RedisServer::~RedisServer() {
  Kill();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string RedisServer::Url(int db) const {
  std::string url = "redis://";
  if (!options_.password.empty()) url += ":" + options_.password + "@";
  url += host_ + ":" + std::to_string(port_) + "/" + std::to_string(db);
  return url;
}

Status RedisServer::Start() {
  if (running()) return FailedPrecondition("redis-server is already running");
  std::string binary = FindRedisServer();
  if (binary.empty()) return FailedPrecondition(SkipReason());
  if (dir_.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "novacron-redis-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
      return Internal("mkdtemp " + templ + ": " + std::strerror(errno));
    }
    dir_ = templ;
  }
  if (port_ == 0) {
    try {
      port_ = PickFreePort();
    } catch (const std::exception& e) {
      return Internal(std::string("picking a free port: ") + e.what());
    }
  }

  std::vector<std::string> args = {
      binary,   "--port",    std::to_string(port_), "--bind",      host_,
      "--save", "",          "--appendonly",        "no",          "--dir",
      dir_,     "--logfile", dir_ + "/redis.log",   "--daemonize", "no"};
  if (!options_.password.empty()) {
    args.insert(args.end(), {"--requirepass", options_.password});
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  Status ready = WaitUntilAnswering();
  if (!ready.ok()) Kill();
  return ready;
}

Status RedisServer::WaitUntilAnswering() {
  auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Internal("redis-server on port " + std::to_string(port_) +
                      " exited at start: " + LogTail());
    }
    if (AnswersPing(host_, port_)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return DeadlineExceeded("redis-server on port " + std::to_string(port_) +
                          " did not answer PING: " + LogTail());
}

std::string RedisServer::LogTail() const {
  std::ifstream in(dir_ + "/redis.log");
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last.empty() ? "(empty log)" : last;
}

void RedisServer::Signal(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  ::kill(pid_, SIGCONT);  // a paused server cannot act on SIGTERM
  auto deadline = std::chrono::steady_clock::now() + kStopDeadline;
  while (true) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (std::chrono::steady_clock::now() >= deadline && signal != SIGKILL) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

void RedisServer::Stop() { Signal(SIGTERM); }

void RedisServer::Pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::Resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisServer::Kill() { Signal(SIGKILL); }

Status RedisServer::Restart() {
  Stop();
  return Start();
}

}  // namespace novacron::testing
