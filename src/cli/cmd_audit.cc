// novacron audit verify|tail: check the audit log's hash chain and read it, offline, from the
// data dir (docs/security.md, "Audit log").
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config_flags.h"
#include "security/audit_event.h"
#include "security/audit_files.h"
#include "security/audit_verify.h"

namespace novacron::cli {
namespace {

namespace fs = std::filesystem;
using security::AuditLineReader;

struct AuditFlags {
  ConfigFlags config;
  bool json = false;
};

// The data dir from --data-dir / --config / the environment; nullopt after printing why.
std::optional<fs::path> DataDir(const AuditFlags& flags) {
  auto loaded = LoadOrReport(ToLoadOptions(flags.config), /*print_warnings=*/false);
  if (!loaded) return std::nullopt;
  return fs::path(loaded->config.system.data_dir);
}

void PrintLine(const std::string& line, bool json) {
  if (json) {
    std::cout << line << "\n";
    return;
  }
  auto entry = security::ParseAuditEntry(line);
  if (entry.ok()) {
    std::cout << security::FormatAuditEntry(*entry) << "\n";
  } else {
    std::cout << "(not a valid entry: " << entry.status().message() << ")\n";
  }
}

int Verify(const AuditFlags& flags) {
  auto dir = DataDir(flags);
  if (!dir) return kExitUsage;
  auto result = security::VerifyAuditLog(*dir);
  if (!result.ok()) {
    std::cerr << "novacron: " << result.status().ToString() << "\n";
    return kExitFailed;
  }
  if (flags.json) {
    nlohmann::json j = {{"ok", result->ok},
                        {"entries", result->entries},
                        {"files", result->files},
                        {"first_seq", result->first_seq},
                        {"last_seq", result->last_seq},
                        {"notes", result->notes}};
    if (!result->ok) {
      j["kind"] = result->kind;
      j["file"] = result->file.string();
      j["line"] = result->line;
      j["message"] = result->message;
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << security::FormatAuditVerifyResult(*result);
  }
  return result->ok ? kExitOk : kExitFailed;
}

// Reads complete lines appended to one file since `offset`, for -f.
class Follower {
 public:
  explicit Follower(fs::path path) : path_(std::move(path)) {}
  ~Follower() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Opens the file at `offset` (the size already printed).
  bool Open(int64_t offset) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    offset_ = offset;
    return fd_ >= 0;
  }
  // Prints what was appended; switches to the new file after a rotation (once the old one
  // has been read to its end).
  bool Poll(bool json) {
    if (fd_ < 0 && !Open(0)) return true;  // between rotation and the new file: try again
    Drain(json);
    struct stat by_path {
    }, by_fd{};
    if (::stat(path_.c_str(), &by_path) == 0 && ::fstat(fd_, &by_fd) == 0 &&
        (by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev)) {
      Drain(json);  // what was appended just before the rotation
      ::close(fd_);
      fd_ = -1;
      pending_.clear();
      // Several rotations may have happened since the last poll: print what the rotated files
      // newer than ours hold, then the new audit.log; the sequence numbers say what is new.
      auto listed = security::ListAuditFiles(path_.parent_path());
      if (listed.ok()) {
        for (const fs::path& file : *listed) {
          if (file == path_) continue;
          fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
          if (fd_ < 0) continue;
          offset_ = 0;
          Drain(json);
          ::close(fd_);
          fd_ = -1;
          pending_.clear();
        }
      }
      Open(0);
      Drain(json);
    }
    std::cout.flush();
    return static_cast<bool>(std::cout);  // false: the reader went away (e.g. `| head`)
  }

 private:
  void Drain(bool json) {
    if (fd_ < 0) return;
    char buf[64 * 1024];
    while (true) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      offset_ += n;
      pending_.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        auto entry = security::ParseAuditEntry(line);
        if (entry.ok() && entry->seq <= last_seq_) continue;  // printed from another file
        if (entry.ok()) last_seq_ = entry->seq;
        PrintLine(line, json);
      }
    }
  }

  fs::path path_;
  int fd_ = -1;
  int64_t offset_ = 0;
  std::string pending_;   // a line being written, not yet complete
  int64_t last_seq_ = 0;  // the newest entry printed
};

int Tail(const AuditFlags& flags, int count, bool follow) {
  auto dir = DataDir(flags);
  if (!dir) return kExitUsage;
  // Files and sizes under the writers' lock: no half-written line is printed.
  std::vector<fs::path> files;
  std::vector<int64_t> sizes;
  {
    auto lock = security::AuditDirLock::Shared(*dir);
    auto listed = security::ListAuditFiles(*dir);
    if (!listed.ok()) {
      std::cerr << "novacron: " << listed.status().ToString() << "\n";
      return kExitFailed;
    }
    files = *listed;
    for (const auto& f : files) {
      struct stat st {};
      sizes.push_back(::stat(f.c_str(), &st) == 0 ? st.st_size : 0);
    }
  }
  if (files.empty() && !follow) {
    std::cerr << "novacron: no audit log in " << dir->string() << " (the daemon writes "
              << (*dir / security::kAuditLogName).string() << "; use --data-dir)\n";
    return kExitFailed;
  }
  // The last `count` lines, newest file first until there are enough.
  std::deque<std::string> last;
  for (size_t i = files.size(); i-- > 0 && static_cast<int>(last.size()) < count;) {
    int fd = ::open(files[i].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "novacron: cannot read " << files[i].string() << ": " << std::strerror(errno)
                << " (run as the daemon's user or root)\n";
      return kExitFailed;
    }
    std::deque<std::string> in_file;
    AuditLineReader reader(fd, sizes[i]);
    std::string line;
    bool terminated = false;
    while (true) {
      auto more = reader.Next(line, terminated);
      if (!more.ok() || !*more) break;
      in_file.push_back(line);
      if (static_cast<int>(in_file.size()) > count) in_file.pop_front();
    }
    ::close(fd);
    while (!in_file.empty() && static_cast<int>(last.size()) < count) {
      last.push_front(std::move(in_file.back()));
      in_file.pop_back();
    }
  }
  for (const auto& l : last) PrintLine(l, flags.json);
  std::cout.flush();
  if (!follow) return kExitOk;

  const fs::path current = *dir / security::kAuditLogName;
  Follower follower(current);
  bool current_listed = !files.empty() && files.back() == current;
  follower.Open(current_listed ? sizes.back() : 0);
  // SIGINT/SIGTERM are blocked in every thread (main.cc): wait for them between polls.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  const timespec poll_interval{0, 200 * 1000 * 1000};
  while (follower.Poll(flags.json)) {
    if (sigtimedwait(&stop, nullptr, &poll_interval) > 0) break;
  }
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int& exit_code) {
  CLI::App* audit = app.add_subcommand(
      "audit",
      "The tamper-evident audit log in the data dir (no daemon needed): verify its hash chain, "
      "or print its newest entries. See docs/security.md.");
  audit->require_subcommand(1);

  auto verify_flags = std::make_shared<AuditFlags>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Check every entry's hash chain, sequence and the recorded head: prints ok with the "
      "number of entries and files (exit 0), or the first bad line and what happened to it: "
      "edited, removed, reordered, truncated, forged (exit 1).");
  AddConfigFlags(*verify, verify_flags->config);
  verify->add_flag("--json", verify_flags->json, "Print the result as JSON");
  verify->callback([verify_flags, &exit_code] { exit_code = Verify(*verify_flags); });

  struct TailOptions {
    AuditFlags flags;
    int count = 10;
    bool follow = false;
  };
  auto tail_opts = std::make_shared<TailOptions>();
  CLI::App* tail = audit->add_subcommand(
      "tail", "Print the newest entries (oldest first); -f keeps printing new ones until Ctrl-C.");
  AddConfigFlags(*tail, tail_opts->flags.config);
  tail->add_option("-n,--lines", tail_opts->count, "How many entries")
      ->check(CLI::Range(0, 1000000));
  tail->add_flag("-f,--follow", tail_opts->follow, "Keep printing entries as they are appended");
  tail->add_flag("--json", tail_opts->flags.json, "Print the entries as written (JSON lines)");
  tail->callback([tail_opts, &exit_code] {
    exit_code = Tail(tail_opts->flags, tail_opts->count, tail_opts->follow);
  });
}

}  // namespace novacron::cli
