// The audit log writer (audit_log.h). Each Append:
//   1. audit.head := {last entry, pending: the entry about to be written}  (atomic, dir fsync'd)
//   2. the line is appended to audit.log and fsync'd
//   3. audit.head := {the new entry}
// so at every instant audit.head says where the log ends, give or take the one entry in flight;
// docs/security.md ("Audit log") explains what this does and does not protect against.
#include "security/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace novacron::security {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

std::string ErrnoText() { return std::strerror(errno); }

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status(ErrorCode::kUnavailable, ErrnoText());
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// The rotation time encoded in a rotated file's name.
std::optional<Clock::time_point> RotatedNameTime(const std::string& name) {
  if (!IsRotatedAuditName(name)) return std::nullopt;
  std::string t = name.substr(6, 23);  // 20261203T122630.123456Z
  std::string text = t.substr(0, 4) + "-" + t.substr(4, 2) + "-" + t.substr(6, 2) + "T" +
                     t.substr(9, 2) + ":" + t.substr(11, 2) + ":" + t.substr(13);
  return ParseAuditTime(text);
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Open(AuditOptions options) {
  std::error_code ec;
  if (options.dir.empty() || !fs::is_directory(options.dir, ec)) {
    return InvalidArgument("audit log directory '" + options.dir.string() +
                           "' does not exist or is not a directory (system.data_dir)");
  }
  if (options.rotate_bytes < 4096) {
    return InvalidArgument("security.audit_rotate_bytes is " +
                           std::to_string(options.rotate_bytes) + "; use at least 4096");
  }
  if (options.retention.count() <= 0) {
    return InvalidArgument("security.audit_retention must be positive");
  }
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  std::lock_guard lock(log->mu_);
  NOVACRON_ASSIGN_OR_RETURN(AuditDirLock dir_lock, AuditDirLock::Exclusive(log->options_.dir));
  NOVACRON_RETURN_IF_ERROR(log->SyncWithFiles());
  // Best effort: an undeletable old file must not stop the daemon; the next rotation retries.
  (void)log->ApplyRetentionLocked();
  return log;
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status AuditLog::Append(const AuditEvent& event) {
  NOVACRON_RETURN_IF_ERROR(ValidateAuditEvent(event));
  std::lock_guard lock(mu_);
  NOVACRON_ASSIGN_OR_RETURN(AuditDirLock dir_lock, AuditDirLock::Exclusive(options_.dir));
  NOVACRON_RETURN_IF_ERROR(SyncWithFiles());
  NOVACRON_RETURN_IF_ERROR(WriteEntry(AuditEntryLine(event, next_seq_, last_hash_, Clock::now())));
  // The entry is recorded; a failed rotation is retried after the next one.
  (void)RotateIfNeeded();
  return Status::Ok();
}

Status AuditLog::ApplyRetention() {
  std::lock_guard lock(mu_);
  NOVACRON_ASSIGN_OR_RETURN(AuditDirLock dir_lock, AuditDirLock::Exclusive(options_.dir));
  return ApplyRetentionLocked();
}

Status AuditLog::SyncWithFiles() {
  const fs::path path = options_.dir / kAuditLogName;
  struct stat st {};
  if (fd_ >= 0 && ::stat(path.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_ &&
      st.st_size == size_) {
    return Status::Ok();  // nobody else wrote since our last entry
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) {
    return Status(ErrorCode::kUnavailable, "cannot open the audit log " + path.string() + ": " +
                                               ErrnoText() +
                                               " (the data dir must be writable by the daemon)");
  }
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    return Status(ErrorCode::kFailedPrecondition,
                  "the audit log " + path.string() + " is not a regular file; move it away");
  }
  // Only the daemon's user may read who did what (an older or copied file may be wider).
  if ((st.st_mode & 07777) != 0600 && ::fchmod(fd_, 0600) != 0) {
    return Status(ErrorCode::kPermissionDenied,
                  "cannot make the audit log " + path.string() + " mode 0600: " + ErrnoText());
  }
  if (st.st_size == 0) NOVACRON_RETURN_IF_ERROR(SyncDirectory(options_.dir));

  // The chain's end: the last line of audit.log, or of the newest rotated file after a rotation.
  NOVACRON_ASSIGN_OR_RETURN(std::optional<AuditTail> tail, ReadLastAuditLine(path));
  bool tail_in_current = tail.has_value();
  if (!tail) {
    NOVACRON_ASSIGN_OR_RETURN(auto files, ListAuditFiles(options_.dir));
    if (files.size() >= 2) {
      NOVACRON_ASSIGN_OR_RETURN(tail, ReadLastAuditLine(files[files.size() - 2]));
    }
  }
  auto head_read = ReadAuditHead(options_.dir);
  std::optional<AuditHead> head = head_read.ok() ? *head_read : std::nullopt;

  std::optional<int64_t> tail_seq;
  std::string tail_hash;
  if (tail) {
    tail_hash = Sha256Hex(tail->line);
    if (auto parsed = ParseAuditEntry(tail->line); parsed.ok()) tail_seq = parsed->seq;
  }
  auto is = [&](const AuditHead::Entry& e) {
    return tail && tail->terminated && tail_seq == e.seq && tail_hash == e.hash;
  };
  bool matches = false;
  bool commit_pending = false;
  if (!head_read.ok()) {
    matches = false;
  } else if (!head) {
    matches = !tail;  // a new log
  } else if (is(head->last)) {
    matches = true;
  } else if (head->pending && is(*head->pending)) {
    matches = commit_pending = true;  // we stopped between steps 2 and 3 of an Append
  }

  head_ = head ? *head : AuditHead{{0, std::string(kAuditGenesisHash)}, std::nullopt};
  head_.pending.reset();
  last_hash_ = tail ? tail_hash : head_.last.hash;
  next_seq_ = std::max(tail_seq.value_or(0), head_.last.seq) + 1;
  if (commit_pending) {
    head_.last = *head->pending;
    next_seq_ = std::max(next_seq_, head_.last.seq + 1);
    NOVACRON_RETURN_IF_ERROR(WriteAuditHead(options_.dir, head_, /*sync_dir=*/false));
  }
  size_ = st.st_size;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  if (matches) return Status::Ok();

  // The log does not end where audit.head says. Keep every byte; record what the head said so
  // verify can name the damage however many entries follow.
  if (tail && tail_in_current && !tail->terminated) {
    if (Status s = WriteAll(fd_, "\n"); !s.ok()) {
      size_ = -1;
      return Status(ErrorCode::kUnavailable,
                    "cannot append to the audit log " + path.string() + ": " + s.message());
    }
    size_ += 1;
  }
  AuditEvent marker{.actor = "system",
                    .action = "audit.head_mismatch",
                    .result = "error",
                    .detail = !head_read.ok() ? "audit.head was unreadable at reopen: " +
                                                    head_read.status().message()
                              : !head ? "audit.head was missing at reopen"
                                      : "the log did not end at the head recorded in audit.head"};
  std::optional<int64_t> marker_head_seq;
  if (head) marker_head_seq = head->last.seq;
  return WriteEntry(AuditEntryLine(marker, next_seq_, last_hash_, Clock::now(), marker_head_seq,
                                   head ? head->last.hash : std::string()));
}

Status AuditLog::WriteEntry(const std::string& line) {
  const fs::path path = options_.dir / kAuditLogName;
  const std::string hash = Sha256Hex(line);
  if (head_.first_seq == 0) head_.first_seq = next_seq_;
  AuditHead intent{head_.last, AuditHead::Entry{next_seq_, hash}, head_.first_seq};
  if (Status s = WriteAuditHead(options_.dir, intent, /*sync_dir=*/true); !s.ok()) {
    return s.Wrap("audit entry not written");
  }
  std::string data = line + "\n";
  Status written = WriteAll(fd_, data);
  if (written.ok() && ::fsync(fd_) != 0) written = Status(ErrorCode::kUnavailable, ErrnoText());
  if (!written.ok()) {
    // Take back a partial line so the next entry does not run into it; either way re-read
    // the file's end before the next write.
    if (::ftruncate(fd_, size_) != 0) {
      // Left as is: the next SyncWithFiles sees it and records the damage.
    }
    size_ = -1;
    return Status(ErrorCode::kUnavailable,
                  "cannot append to the audit log " + path.string() + ": " + written.message() +
                      " (check free space and permissions of the data dir)");
  }
  size_ += static_cast<int64_t>(data.size());
  head_.last = {next_seq_, hash};
  last_hash_ = hash;
  ++next_seq_;
  // A failure here leaves the entry recorded as pending in audit.head, which verify accepts;
  // the next Append writes the head again.
  (void)WriteAuditHead(options_.dir, head_, /*sync_dir=*/false);
  return Status::Ok();
}

Status AuditLog::RotateIfNeeded() {
  if (size_ < options_.rotate_bytes) return Status::Ok();
  NOVACRON_ASSIGN_OR_RETURN(auto files, ListAuditFiles(options_.dir));
  // Names must sort in chain order even if the clock went back: after the newest one.
  Clock::time_point t = Clock::now();
  for (const auto& f : files) {
    if (auto prev = RotatedNameTime(f.filename().string()); prev && *prev >= t) {
      t = *prev + std::chrono::microseconds(1);
    }
  }
  const fs::path from = options_.dir / kAuditLogName;
  const fs::path to = options_.dir / RotatedAuditName(t);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status(ErrorCode::kUnavailable, "cannot rotate the audit log " + from.string() + " to " +
                                               to.string() + ": " + ErrnoText());
  }
  NOVACRON_RETURN_IF_ERROR(SyncDirectory(options_.dir));
  NOVACRON_RETURN_IF_ERROR(SyncWithFiles());  // creates the new audit.log
  return ApplyRetentionLocked();
}

Status AuditLog::ApplyRetentionLocked() {
  NOVACRON_ASSIGN_OR_RETURN(auto files, ListAuditFiles(options_.dir));
  const Clock::time_point cutoff = Clock::now() - options_.retention;
  // The newest rotated file holds the chain's end while audit.log is still empty.
  std::error_code ec;
  const fs::path current = options_.dir / kAuditLogName;
  size_t keep_from = files.size();
  if (!files.empty() && files.back() == current) {
    keep_from = files.size() - 1;
    if (fs::file_size(current, ec) == 0 && !ec && keep_from > 0) keep_from -= 1;
  }
  size_t expired = 0;
  for (; expired < keep_from; ++expired) {
    auto tail = ReadLastAuditLine(files[expired]);
    if (!tail.ok() || !tail->has_value()) break;
    auto entry = ParseAuditEntry((*tail)->line);
    // Never delete what cannot be dated.
    if (!entry.ok() || !ParseAuditTime(entry->time_text)) break;
    if (entry->event.time >= cutoff) break;
  }
  if (expired == 0) return Status::Ok();
  // Record where the chain will start before deleting, so a crash in between leaves old
  // entries verify accepts rather than a gap it cannot tell from tampering.
  NOVACRON_ASSIGN_OR_RETURN(auto first, ReadFirstAuditLine(files[expired]));
  auto first_entry = first ? ParseAuditEntry(first->line) : Result<AuditEntry>(NotFound(""));
  if (!first_entry.ok()) return Status::Ok();  // cannot say where it would start: keep all
  head_.first_seq = first_entry->seq;
  NOVACRON_RETURN_IF_ERROR(WriteAuditHead(options_.dir, head_, /*sync_dir=*/true));
  bool deleted = false;
  Status result;
  for (size_t i = 0; i < expired; ++i) {
    if (::unlink(files[i].c_str()) != 0) {
      result = Status(ErrorCode::kUnavailable,
                      "cannot delete expired audit file " + files[i].string() + ": " + ErrnoText());
      break;
    }
    deleted = true;
  }
  if (deleted) NOVACRON_RETURN_IF_ERROR(SyncDirectory(options_.dir));
  return result;
}

}  // namespace novacron::security
