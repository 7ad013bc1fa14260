// Runs the real novacron binary from tests: one-shot commands and a long-running daemon in a
// temporary data dir, with its stderr captured to a file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace novacron::testing {

// Path of the novacron binary under test (set by CMake).
std::string NovacronBinary();

// A fresh directory under the test temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::filesystem::path Write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs novacron with `args` and extra environment (the parent's NOVACRON_* variables are
// removed so the host cannot leak into tests). Kills it after `timeout`.
CommandResult RunNovacron(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(30));

class DaemonProcess {
 public:
  DaemonProcess() = default;
  ~DaemonProcess();  // SIGKILLs a daemon that is still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts `novacron run` with the data dir set to `data_dir`, an ephemeral API port and JSON logs,
  // plus `extra_args`.
  void Start(const std::filesystem::path& data_dir, const std::vector<std::string>& extra_args = {},
             const std::map<std::string, std::string>& env = {});
  pid_t pid() const { return pid_; }

  // Waits until the daemon wrote its API address file; returns the port (0 on timeout or exit).
  uint16_t WaitForApi(std::chrono::seconds timeout = std::chrono::seconds(30));
  // Waits until a log line contains `needle`.
  bool WaitForLog(const std::string& needle,
                  std::chrono::seconds timeout = std::chrono::seconds(30));
  // Waits for exit; returns the exit code (128+signal when killed) or nullopt on timeout.
  std::optional<int> WaitExit(std::chrono::seconds timeout = std::chrono::seconds(30));
  void Signal(int signo);

  std::string Stderr() const;
  std::vector<std::string> LogLines() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path data_dir_;
  std::filesystem::path stderr_path_;
  std::optional<int> exit_code_;
};

// GET/POST against 127.0.0.1:port; returns status and body (status 0 when it cannot connect).
struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string etag;
  std::string warning;  // the Warning header, "" when absent
  std::string body;
};
HttpResult HttpGet(uint16_t port, const std::string& target);
// Any method; a non-empty body is sent as application/json unless `headers` names a type.
HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {},
                    std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace novacron::testing
