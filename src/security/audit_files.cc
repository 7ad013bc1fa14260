// The audit log's files, hashing, head sidecar, lock and line reading (audit_files.h).
#include "security/audit_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

namespace novacron::security {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string AuditTimeString(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06ldZ", frac);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> ParseAuditTime(std::string_view s) {
  // Exactly the shape AuditTimeString writes.
  if (s.size() != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[26] != 'Z') {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) -> std::optional<long> {
    long v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto year = num(0, 4), mon = num(5, 2), day = num(8, 2), hour = num(11, 2), min = num(14, 2),
       sec = num(17, 2), frac = num(20, 6);
  if (!year || !mon || !day || !hour || !min || !sec || !frac) return std::nullopt;
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year - 1900);
  tm.tm_mon = static_cast<int>(*mon - 1);
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*min);
  tm.tm_sec = static_cast<int>(*sec);
  std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs)) +
         std::chrono::microseconds(*frac);
}

bool IsRotatedAuditName(std::string_view name) {
  // audit-20261203T122630.123456Z.log
  return name.size() == 6 + 23 + 4 && name.substr(0, 6) == "audit-" &&
         name.substr(name.size() - 4) == ".log";
}

std::string RotatedAuditName(std::chrono::system_clock::time_point t) {
  std::string time = AuditTimeString(t);  // 2026-12-03T12:26:30.123456Z
  time.erase(std::remove_if(time.begin(), time.end(), [](char c) { return c == '-' || c == ':'; }),
             time.end());
  return "audit-" + time + ".log";
}

Result<std::vector<fs::path>> ListAuditFiles(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> rotated;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsRotatedAuditName(it->path().filename().string())) rotated.push_back(it->path());
  }
  if (ec) {
    return Status(ErrorCode::kUnavailable,
                  "cannot list the audit log directory " + dir.string() + ": " + ec.message());
  }
  std::sort(rotated.begin(), rotated.end());
  fs::path current = dir / kAuditLogName;
  if (fs::exists(current, ec)) rotated.push_back(current);
  return rotated;
}

Result<std::optional<AuditHead>> ReadAuditHead(const fs::path& dir) {
  fs::path path = dir / kAuditHeadName;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<AuditHead>();
    return Status(ErrorCode::kUnavailable, Errno("cannot read the audit head", path));
  }
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  auto bad = [&](const std::string& why) {
    return Status(ErrorCode::kFailedPrecondition,
                  "the audit head " + path.string() + " is unreadable (" + why +
                      "): it was edited or damaged; run `novacron audit verify`");
  };
  if (n < 0) return bad(std::strerror(errno));
  auto json = nlohmann::json::parse(std::string_view(buf, static_cast<size_t>(n)), nullptr, false);
  auto entry = [](const nlohmann::json& j) -> std::optional<AuditHead::Entry> {
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer() ||
        !j.contains("hash") || !j["hash"].is_string()) {
      return std::nullopt;
    }
    AuditHead::Entry e{j["seq"].get<int64_t>(), j["hash"].get<std::string>()};
    if (e.seq < 0 || !IsSha256Hex(e.hash)) return std::nullopt;
    return e;
  };
  if (!json.is_object()) return bad("not a JSON object");
  auto last = entry(json);
  if (!last) return bad("no valid seq and hash");
  AuditHead head{*last, std::nullopt};
  if (json.contains("first")) {
    if (!json["first"].is_number_integer() || json["first"].get<int64_t>() < 0) {
      return bad("invalid first");
    }
    head.first_seq = json["first"].get<int64_t>();
  }
  if (json.contains("pending")) {
    head.pending = entry(json["pending"]);
    if (!head.pending) return bad("invalid pending entry");
  }
  return std::optional<AuditHead>(head);
}

Status SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status(ErrorCode::kUnavailable, Errno("cannot open directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status(ErrorCode::kUnavailable, Errno("cannot fsync directory", dir));
  return Status::Ok();
}

Status WriteAuditHead(const fs::path& dir, const AuditHead& head, bool sync_dir) {
  nlohmann::json j = {{"seq", head.last.seq}, {"hash", head.last.hash}};
  if (head.pending) j["pending"] = {{"seq", head.pending->seq}, {"hash", head.pending->hash}};
  if (head.first_seq > 0) j["first"] = head.first_seq;
  std::string text = j.dump() + "\n";
  fs::path path = dir / kAuditHeadName;
  fs::path tmp = dir / (std::string(kAuditHeadName) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status(ErrorCode::kUnavailable, Errno("cannot write the audit head", tmp));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s(ErrorCode::kUnavailable, Errno("cannot write the audit head", path));
    ::unlink(tmp.c_str());
    return s;
  }
  return sync_dir ? SyncDirectory(dir) : Status::Ok();
}

Result<AuditDirLock> AuditDirLock::Exclusive(const fs::path& dir) {
  fs::path path = dir / kAuditLockName;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status(ErrorCode::kUnavailable, Errno("cannot open the audit lock", path));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    Status s(ErrorCode::kUnavailable, Errno("cannot lock", path));
    ::close(fd);
    return s;
  }
  return AuditDirLock(fd);
}

AuditDirLock AuditDirLock::Shared(const fs::path& dir) {
  fs::path path = dir / kAuditLockName;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return AuditDirLock(-1);
  int rc;
  do {
    rc = ::flock(fd, LOCK_SH);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    ::close(fd);
    return AuditDirLock(-1);
  }
  return AuditDirLock(fd);
}

AuditDirLock::AuditDirLock(AuditDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

AuditDirLock& AuditDirLock::operator=(AuditDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

AuditDirLock::~AuditDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<bool> AuditLineReader::Next(std::string& line, bool& terminated) {
  line.clear();
  while (true) {
    size_t nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos && nl - pos_ <= kAuditMaxLineBytes) {
      line.assign(buffer_, pos_, nl - pos_);
      pos_ = nl + 1;
      terminated = true;
      return true;
    }
    if (buffer_.size() - pos_ > kAuditMaxLineBytes) {
      line.assign(buffer_, pos_, kAuditMaxLineBytes);
      pos_ += kAuditMaxLineBytes;
      terminated = false;
      return true;
    }
    if (offset_ >= limit_) {
      if (pos_ >= buffer_.size()) return false;
      line.assign(buffer_, pos_, std::string::npos);
      pos_ = buffer_.size();
      terminated = false;
      return true;
    }
    buffer_.erase(0, pos_);
    pos_ = 0;
    size_t want = static_cast<size_t>(std::min<int64_t>(limit_ - offset_, 256 * 1024));
    size_t old = buffer_.size();
    buffer_.resize(old + want);
    ssize_t n = ::pread(fd_, buffer_.data() + old, want, offset_);
    if (n < 0 && errno == EINTR) {
      buffer_.resize(old);
      continue;
    }
    if (n < 0) {
      return Status(ErrorCode::kUnavailable,
                    std::string("cannot read the audit log: ") + std::strerror(errno));
    }
    buffer_.resize(old + static_cast<size_t>(n));
    offset_ += n;
    if (n == 0) limit_ = offset_;  // the file is shorter than the limit
  }
}

Result<std::optional<AuditTail>> ReadLastAuditLine(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status(ErrorCode::kUnavailable, Errno("cannot read", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s(ErrorCode::kUnavailable, Errno("cannot stat", path));
    ::close(fd);
    return s;
  }
  int64_t end = st.st_size;
  if (end == 0) {
    ::close(fd);
    return std::optional<AuditTail>();
  }
  // Read backwards in blocks until the newline before the last line (or the file's start).
  std::string tail;
  int64_t pos = end;
  bool found = false;
  constexpr int64_t kBlock = 64 * 1024;
  while (pos > 0 && !found && static_cast<size_t>(end - pos) <= kAuditMaxLineBytes + 1) {
    int64_t start = std::max<int64_t>(0, pos - kBlock);
    std::string block(static_cast<size_t>(pos - start), '\0');
    ssize_t n = ::pread(fd, block.data(), block.size(), start);
    if (n != static_cast<ssize_t>(block.size())) {
      Status s(ErrorCode::kUnavailable, Errno("cannot read", path));
      ::close(fd);
      return s;
    }
    tail.insert(0, block);
    pos = start;
    // A '\n' other than a final one ends the search.
    size_t search_end = tail.size() - (tail.back() == '\n' ? 1 : 0);
    found = search_end > 0 && tail.rfind('\n', search_end - 1) != std::string::npos;
  }
  ::close(fd);
  AuditTail result;
  result.terminated = tail.back() == '\n';
  if (result.terminated) tail.pop_back();
  size_t nl = tail.rfind('\n');
  result.line = nl == std::string::npos ? tail : tail.substr(nl + 1);
  return std::optional<AuditTail>(std::move(result));
}

Result<std::optional<AuditTail>> ReadFirstAuditLine(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status(ErrorCode::kUnavailable, Errno("cannot read", path));
  AuditLineReader reader(fd, int64_t{1} << 62);
  AuditTail first;
  auto more = reader.Next(first.line, first.terminated);
  ::close(fd);
  if (!more.ok()) return more.status().Wrap(path.string());
  if (!*more) return std::optional<AuditTail>();
  return std::optional<AuditTail>(std::move(first));
}

}  // namespace novacron::security
