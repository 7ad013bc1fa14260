#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/client.h"

extern char** environ;

namespace novacron::testing {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string NovacronBinary() { return NOVACRON_BINARY_PATH; }

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "novacron-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::Write(const std::string& name, const std::string& content) const {
  fs::path p = path_ / name;
  std::ofstream(p) << content;
  return p;
}

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The environment for a child: ours minus NOVACRON_* and NOTIFY_SOCKET, plus `extra`.
std::vector<std::string> ChildEnv(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("NOVACRON_") || kv.starts_with("NOTIFY_SOCKET=") ||
        kv.starts_with("XDG_STATE_HOME=")) {
      continue;
    }
    env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const fs::path& out, const fs::path& err) {
  std::vector<std::string> argv_s{NovacronBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = ChildEnv(env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The child starts with default signal dispositions and an empty mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("posix_spawn " + argv_s[0] + " failed");
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Polls waitpid until the child exits or the deadline passes.
std::optional<int> WaitPid(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeWaitStatus(status);
    if (r < 0) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

CommandResult RunNovacron(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          std::chrono::seconds timeout) {
  TempDir io;
  fs::path out = io.path() / "stdout";
  fs::path err = io.path() / "stderr";
  pid_t pid = Spawn(args, env, out, err);
  CommandResult result;
  std::optional<int> code = WaitPid(pid, Clock::now() + timeout);
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.exit_code = code.value_or(-1);
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void DaemonProcess::Start(const fs::path& data_dir, const std::vector<std::string>& extra_args,
                          const std::map<std::string, std::string>& env) {
  data_dir_ = data_dir;
  fs::create_directories(data_dir_);
  stderr_path_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".stderr");
  std::vector<std::string> args{"run", "--data-dir", data_dir_.string(), "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // libvirt's in-process test driver unless a test asks for a real hypervisor.
  std::map<std::string, std::string> full_env{{"NOVACRON_SYSTEM_LOG_FORMAT", "json"},
                                              {"NOVACRON_VM_HYPERVISOR_URI", "test:///default"}};
  for (const auto& [k, v] : env) full_env[k] = v;
  exit_code_.reset();
  pid_ = Spawn(args, full_env, "/dev/null", stderr_path_);
}

uint16_t DaemonProcess::WaitForApi(std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  fs::path addr = data_dir_ / "api.addr";
  while (Clock::now() < deadline) {
    if (WaitExit(std::chrono::seconds(0))) return 0;
    std::string text = ReadFile(addr);
    auto colon = text.rfind(':');
    if (colon != std::string::npos && text.back() == '\n') {
      return static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

bool DaemonProcess::WaitForLog(const std::string& needle, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (Stderr().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Stderr().find(needle) != std::string::npos;
}

std::optional<int> DaemonProcess::WaitExit(std::chrono::seconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  exit_code_ = WaitPid(pid_, Clock::now() + timeout);
  return exit_code_;
}

void DaemonProcess::Signal(int signo) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signo);
}

std::string DaemonProcess::Stderr() const { return ReadFile(stderr_path_); }

std::vector<std::string> DaemonProcess::LogLines() const {
  std::vector<std::string> lines;
  std::istringstream in(Stderr());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

HttpResult HttpGet(uint16_t port, const std::string& target) {
  return HttpCall(port, "GET", target);
}

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::map<std::string, std::string>& headers,
                    std::chrono::seconds timeout) {
  http::ClientRequest request;
  request.host = "127.0.0.1";
  request.port = port;
  request.method = method;
  request.target = target;
  request.body = body;
  for (const auto& [name, value] : headers) request.headers.Add(name, value);
  if (!body.empty() && !headers.contains("Content-Type")) {
    request.headers.Add("Content-Type", "application/json");
  }
  request.timeout = timeout;
  auto response = http::HttpRequest(request);
  if (!response.ok()) return {};
  HttpResult result;
  result.status = response->status;
  result.body = response->body;
  result.content_type = response->Header("Content-Type");
  result.etag = response->Header("ETag");
  result.warning = response->Header("Warning");
  return result;
}

}  // namespace novacron::testing
