// The files of the audit log in the data dir and the low-level pieces the writer (audit_log.h),
// the verifier (audit_verify.h) and `novacron audit tail` share: file names and their order,
// SHA-256, the head sidecar, the cross-process lock, and a line reader that never reads past a
// size taken under the lock (docs/security.md, "Audit log").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::security {

inline constexpr std::string_view kAuditLogName = "audit.log";    // the file being appended
inline constexpr std::string_view kAuditHeadName = "audit.head";  // last seq + hash (sidecar)
inline constexpr std::string_view kAuditLockName = "audit.lock";  // flock between processes
// The prev of the very first entry.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
// A line longer than this is not an entry (entries are bounded, see audit_event.h).
inline constexpr size_t kAuditMaxLineBytes = 1 << 20;

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
bool IsSha256Hex(std::string_view s);

// "2026-12-03T12:26:30.123456Z" (UTC, microseconds) and back.
std::string AuditTimeString(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> ParseAuditTime(std::string_view s);

// Rotated files are "audit-<UTC time of rotation>.log"; their names sort in chain order.
bool IsRotatedAuditName(std::string_view file_name);
std::string RotatedAuditName(std::chrono::system_clock::time_point t);

// The audit files of `dir` in chain order: rotated files oldest first, then audit.log if it
// exists.
Result<std::vector<std::filesystem::path>> ListAuditFiles(const std::filesystem::path& dir);

// What the writer last recorded in audit.head: the seq and hash of the newest entry, and while
// an Append is in flight the entry it is about to write (so a crash between writing the entry
// and recording it is not mistaken for a forged line, and one before writing it is not mistaken
// for a truncation).
struct AuditHead {
  struct Entry {
    int64_t seq = 0;
    std::string hash;
    bool operator==(const Entry&) const = default;
  };
  Entry last;  // seq 0 = no entry yet (hash is the genesis hash)
  std::optional<Entry> pending;
  // The seq of the oldest entry kept (retention moves it forward before deleting files): a
  // removed first line or file shows as a chain starting later. 0 = not known.
  int64_t first_seq = 0;
};

// nullopt when audit.head does not exist; an error names the file when it is unreadable.
Result<std::optional<AuditHead>> ReadAuditHead(const std::filesystem::path& dir);
// Atomically replaces audit.head (temp file 0600, fsync, rename; the directory is fsync'd too
// when `sync_dir`).
Status WriteAuditHead(const std::filesystem::path& dir, const AuditHead& head, bool sync_dir);

Status SyncDirectory(const std::filesystem::path& dir);

// An exclusive (writers) or shared (readers) flock on <dir>/audit.lock, released on destruction.
class AuditDirLock {
 public:
  // Writers create the lock file (0600); readers that cannot open it get an unlocked lock
  // (locked() == false) and proceed: reading never needs the writer's cooperation to be safe,
  // only to see a consistent snapshot.
  static Result<AuditDirLock> Exclusive(const std::filesystem::path& dir);
  static AuditDirLock Shared(const std::filesystem::path& dir);
  AuditDirLock(AuditDirLock&& other) noexcept;
  AuditDirLock& operator=(AuditDirLock&& other) noexcept;
  AuditDirLock(const AuditDirLock&) = delete;
  AuditDirLock& operator=(const AuditDirLock&) = delete;
  ~AuditDirLock();
  bool locked() const { return fd_ >= 0; }

 private:
  explicit AuditDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Reads lines from an open file up to `limit` bytes (a size taken under the lock: a writer
// appending meanwhile is not seen half-way).
class AuditLineReader {
 public:
  AuditLineReader(int fd, int64_t limit) : fd_(fd), limit_(limit) {}
  // False at the end. `terminated` is false for a last line without '\n'. A line longer than
  // kAuditMaxLineBytes is returned cut at that length, unterminated.
  Result<bool> Next(std::string& line, bool& terminated);

 private:
  int fd_;
  int64_t limit_;
  int64_t offset_ = 0;
  std::string buffer_;
  size_t pos_ = 0;
};

// The last line of a file (without '\n') and whether it ended with '\n'; nullopt for an empty
// file.
struct AuditTail {
  std::string line;
  bool terminated = true;
};
Result<std::optional<AuditTail>> ReadLastAuditLine(const std::filesystem::path& path);
// The first line of a file; nullopt for an empty file.
Result<std::optional<AuditTail>> ReadFirstAuditLine(const std::filesystem::path& path);

}  // namespace novacron::security
