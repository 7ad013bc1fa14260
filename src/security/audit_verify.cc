// The audit log verifier (audit_verify.h). One pass over every line in chain order; the first
// problem ends it. A broken link is told apart by the sequence numbers around it: consecutive
// seqs with a wrong prev mean the line before was edited, a gap means entries were removed
// (or reordered, when the missing seq shows up later), a seq going back means reordering.
#include "security/audit_verify.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "security/audit_event.h"
#include "security/audit_files.h"

namespace novacron::security {
namespace {

namespace fs = std::filesystem;

// The files and their sizes as they were under the writers' lock.
struct Snapshot {
  std::vector<fs::path> paths;
  std::vector<int> fds;
  std::vector<int64_t> sizes;
  std::optional<AuditHead> head;
  Status head_status;
  ~Snapshot() {
    for (int fd : fds) ::close(fd);
  }
};

Status TakeSnapshot(const fs::path& dir, Snapshot& snap) {
  AuditDirLock lock = AuditDirLock::Shared(dir);
  NOVACRON_ASSIGN_OR_RETURN(snap.paths, ListAuditFiles(dir));
  for (const auto& p : snap.paths) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      if (fd >= 0) ::close(fd);
      return Status(ErrorCode::kUnavailable, "cannot read " + p.string() + ": " +
                                                 std::strerror(errno) +
                                                 " (run as the daemon's user or root)");
    }
    snap.fds.push_back(fd);
    snap.sizes.push_back(st.st_size);
  }
  auto head = ReadAuditHead(dir);
  if (head.ok()) {
    snap.head = *head;
  } else {
    snap.head_status = head.status();
  }
  return Status::Ok();
}

struct Seen {
  int64_t seq = 0;
  std::string hash;
  size_t file = 0;
  int64_t line = 0;
};

// Where seq `seq` is, looking from line `after_line` of file `from` to the end.
std::optional<Seen> FindSeqAhead(const Snapshot& snap, size_t from, int64_t after_line,
                                 int64_t seq) {
  for (size_t fi = from; fi < snap.fds.size(); ++fi) {
    AuditLineReader reader(snap.fds[fi], snap.sizes[fi]);
    std::string line;
    bool terminated = false;
    int64_t n = 0;
    while (true) {
      auto more = reader.Next(line, terminated);
      if (!more.ok() || !*more) break;
      ++n;
      if (fi == from && n <= after_line) continue;
      if (auto e = ParseAuditEntry(line); e.ok() && e->seq == seq) return Seen{seq, "", fi, n};
    }
  }
  return std::nullopt;
}

std::optional<Seen> FindRecent(const std::deque<Seen>& recent, int64_t seq) {
  for (const auto& s : recent) {
    if (s.seq == seq) return s;
  }
  return std::nullopt;
}

std::string Range(int64_t from, int64_t to) {
  return from == to ? "seq " + std::to_string(from)
                    : "seq " + std::to_string(from) + ".." + std::to_string(to);
}

}  // namespace

Result<AuditVerifyResult> VerifyAuditLog(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFound("no audit log in " + dir.string() +
                    ": the directory does not exist (use --data-dir)");
  }
  Snapshot snap;
  NOVACRON_RETURN_IF_ERROR(TakeSnapshot(dir, snap));
  if (snap.paths.empty() && !snap.head && snap.head_status.ok()) {
    return NotFound("no audit log in " + dir.string() + " (the daemon writes " +
                    (dir / kAuditLogName).string() + "; use --data-dir)");
  }
  AuditVerifyResult r;
  r.files = static_cast<int>(snap.paths.size());
  std::optional<int64_t> verified_seq;  // the last entry that checked out
  auto fail = [&](std::string kind, const fs::path& file, int64_t line, std::string message) {
    r.ok = false;
    r.last_seq = verified_seq.value_or(0);
    r.kind = std::move(kind);
    r.file = file;
    r.line = line;
    r.message = std::move(message);
    return r;
  };
  const fs::path head_path = dir / kAuditHeadName;
  if (!snap.head_status.ok()) return fail("head", head_path, 0, snap.head_status.message());

  constexpr size_t kRecent = 4096;  // enough to locate forged lines behind a head
  std::deque<Seen> recent;
  std::optional<Seen> prev;
  auto at = [&](const Seen& s) { return std::make_pair(snap.paths[s.file], s.line); };
  for (size_t fi = 0; fi < snap.paths.size(); ++fi) {
    const fs::path& path = snap.paths[fi];
    AuditLineReader reader(snap.fds[fi], snap.sizes[fi]);
    std::string line;
    bool terminated = false;
    int64_t line_no = 0;
    while (true) {
      NOVACRON_ASSIGN_OR_RETURN(bool more, reader.Next(line, terminated));
      if (!more) break;
      ++line_no;
      if (!terminated) {
        return fail("truncated", path, line_no,
                    "the line has no newline: the file was cut inside this entry (or the writer "
                    "died mid-write)");
      }
      auto parsed = ParseAuditEntry(line);
      if (!parsed.ok()) {
        return fail("edited", path, line_no,
                    "not a valid entry (" + parsed.status().message() + "): edited or damaged");
      }
      const AuditEntry& e = *parsed;
      Seen here{e.seq, Sha256Hex(line), fi, line_no};
      if (!prev) {
        r.first_seq = e.seq;
        // Retention moves the head's first seq forward before it deletes files.
        if (snap.head && snap.head->first_seq > 0 && e.seq > snap.head->first_seq) {
          return fail("removed", path, line_no,
                      Range(snap.head->first_seq, e.seq - 1) +
                          " are missing at the start: audit.head says the oldest kept entry is "
                          "seq " +
                          std::to_string(snap.head->first_seq) + "; removed");
        }
        if (e.seq != 1 || e.prev != kAuditGenesisHash) {
          r.notes.push_back("the chain starts at seq " + std::to_string(e.seq) + " in " +
                            path.string() +
                            ": earlier entries are gone (retention deletes old rotated files); "
                            "its prev is accepted as the start");
        }
      } else if (e.prev == prev->hash) {
        if (e.seq > prev->seq + 1 && e.event.action == "audit.head_mismatch" && e.head_seq &&
            *e.head_seq >= e.seq - 1) {
          return fail("truncated", path, line_no,
                      Range(prev->seq + 1, e.seq - 1) +
                          " are missing: the log was cut back to seq " + std::to_string(prev->seq) +
                          " before the daemon reopened it (its head said seq " +
                          std::to_string(*e.head_seq) + ")");
        }
        if (e.seq != prev->seq + 1) {
          return fail("edited", path, line_no,
                      "seq is " + std::to_string(e.seq) + " but the previous entry is seq " +
                          std::to_string(prev->seq) + ": the seq was edited");
        }
      } else if (e.seq == prev->seq + 1) {
        auto [file, l] = at(*prev);
        return fail("edited", file, l,
                    "seq " + std::to_string(prev->seq) +
                        " no longer hashes to the prev recorded by the next entry: this line "
                        "was edited (or the next line's prev)");
      } else if (e.seq <= prev->seq) {
        return fail("reordered", path, line_no,
                    "seq " + std::to_string(e.seq) + " comes after seq " +
                        std::to_string(prev->seq) + ": entries were reordered or duplicated");
      } else {
        std::string missing = Range(prev->seq + 1, e.seq - 1);
        if (auto later = FindSeqAhead(snap, fi, line_no, prev->seq + 1)) {
          return fail("reordered", path, line_no,
                      "seq " + std::to_string(e.seq) + " comes before seq " +
                          std::to_string(prev->seq + 1) + " (at " +
                          snap.paths[later->file].string() + ":" + std::to_string(later->line) +
                          "): entries were reordered");
        }
        if (e.event.action == "audit.head_mismatch" && e.head_seq && *e.head_seq >= e.seq - 1) {
          return fail("truncated", path, line_no,
                      missing + " are missing: the log was cut back to seq " +
                          std::to_string(prev->seq) +
                          " before the daemon reopened it (its head "
                          "said seq " +
                          std::to_string(*e.head_seq) + ")");
        }
        return fail("removed", path, line_no, missing + " are missing before this line: removed");
      }
      if (e.event.action == "audit.head_mismatch") {
        // The writer reopened a log that did not end at its head: say what it found.
        if (!e.head_seq) {
          return fail("head", path, line_no,
                      "the daemon reopened the log without a valid audit.head (" + e.event.detail +
                          "): it was deleted or edited, so truncation or appended lines before "
                          "this line cannot be ruled out");
        }
        int64_t h = *e.head_seq;
        if (!prev) {
          return fail("removed", path, line_no,
                      "the daemon found no entries when it reopened the log, but its head said "
                      "seq " +
                          std::to_string(h) + ": the log files were deleted or emptied");
        }
        if (prev->seq > h) {
          Seen first = FindRecent(recent, h + 1).value_or(here);
          auto [file, l] = at(first);
          return fail("forged", file, l,
                      "seq " + std::to_string(h + 1) +
                          " was written after the daemon's last "
                          "recorded head (seq " +
                          std::to_string(h) + "): appended outside the daemon (forged)");
        }
        if (prev->seq == h && prev->hash != e.head_hash) {
          auto [file, l] = at(*prev);
          return fail("edited", file, l,
                      "seq " + std::to_string(h) +
                          " differs from the hash the daemon recorded "
                          "in its head: edited");
        }
        return fail("head", path, line_no,
                    "the daemon found the log damaged when it reopened it: " + e.event.detail);
      }
      recent.push_back(here);
      if (recent.size() > kRecent) recent.pop_front();
      prev = here;
      verified_seq = here.seq;
      ++r.entries;
    }
  }

  if (!snap.head) {
    if (!prev) {
      r.ok = true;
      return r;
    }
    return fail("head", head_path, 0,
                "audit.head is missing: the daemon rewrites it after every entry; without it "
                "truncated or appended lines at the end cannot be detected (deleted?)");
  }
  const AuditHead& head = *snap.head;
  if (!prev) {
    if (head.last.seq == 0) {
      r.ok = true;
      return r;
    }
    fs::path file = snap.paths.empty() ? dir / kAuditLogName : snap.paths.back();
    return fail("truncated", file, 1,
                "the log is empty but audit.head records seq " + std::to_string(head.last.seq) +
                    ": the entries were removed");
  }
  auto matches = [&](const AuditHead::Entry& h) {
    return prev->seq == h.seq && prev->hash == h.hash;
  };
  r.last_seq = prev->seq;
  if (matches(head.last)) {
    if (head.pending) {
      r.notes.push_back("the last Append (seq " + std::to_string(head.pending->seq) +
                        ") was interrupted before its entry was written; it was never "
                        "acknowledged");
    }
    r.ok = true;
    return r;
  }
  if (head.pending && matches(*head.pending)) {
    r.notes.push_back("the daemon stopped after writing seq " + std::to_string(prev->seq) +
                      " and before recording it in audit.head; it is accepted as written");
    r.ok = true;
    return r;
  }
  if (prev->seq == head.last.seq) {
    auto [file, l] = at(*prev);
    return fail("edited", file, l,
                "the last entry (seq " + std::to_string(prev->seq) +
                    ") differs from the hash recorded in audit.head: edited");
  }
  if (prev->seq < head.last.seq) {
    auto [file, l] = at(*prev);
    return fail("truncated", file, l + 1,
                Range(prev->seq + 1, head.last.seq) +
                    " are missing from the end (audit.head records seq " +
                    std::to_string(head.last.seq) + "): the log was truncated");
  }
  int64_t first_forged = head.last.seq + 1;
  if (head.pending && head.pending->seq == first_forged) {
    if (auto s = FindRecent(recent, first_forged); s && s->hash == head.pending->hash) {
      ++first_forged;  // the entry in flight was written: what follows it is not
    }
  }
  Seen where = FindRecent(recent, first_forged).value_or(*prev);
  auto [file, l] = at(where);
  return fail("forged", file, l,
              Range(first_forged, prev->seq) + " came after the daemon's last recorded head (seq " +
                  std::to_string(head.last.seq) + "): appended outside the daemon (forged)");
}

std::string FormatAuditVerifyResult(const AuditVerifyResult& r) {
  std::string out;
  if (r.ok) {
    out = "ok: " + std::to_string(r.entries) + " entries";
    if (r.entries > 0)
      out += " (seq " + std::to_string(r.first_seq) + ".." + std::to_string(r.last_seq) + ")";
    out += " in " + std::to_string(r.files) + (r.files == 1 ? " file" : " files") + "\n";
  } else {
    out = r.file.string() + (r.line > 0 ? ":" + std::to_string(r.line) : std::string()) + ": " +
          r.kind + ": " + r.message + "\n";
  }
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace novacron::security
