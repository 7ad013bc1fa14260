// VM operations per second: create+start+stop+delete cycles of one VM (no disks, 16 MiB) through
// the real VM manager (SQLite state store, libvirt's test:///default driver) versus the same
// cycle done by one `virsh -c test:///default` process fed commands on stdin.
//
// Usage: vm_ops_bench [CYCLES] | --quick
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "observe/log.h"
#include "observe/metrics.h"
#include "store/sqlite_state_store.h"
#include "vm/domain_xml.h"
#include "vm/manager_impl.h"

namespace vm = novacron::vm;
namespace store = novacron::store;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kUri[] = "test:///default";
constexpr char kVmName[] = "bench-cycle";
// The same domain for both sides, whatever UUID the manager picks for its own.
constexpr char kVirshUuid[] = "6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "vm_ops_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(novacron::Result<T> result, const std::string& what) {
  if (!result.ok()) Die(what + ": " + result.status().ToString());
  return std::move(result).value();
}

void Must(const novacron::Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

// A unique directory under $TMPDIR, removed with its contents at scope exit.
class ScratchDir {
 public:
  explicit ScratchDir(
      const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / "novacron-vmbench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

vm::VmSpec CycleSpec() {
  vm::VmSpec spec;
  spec.name = kVmName;
  spec.vcpus = 1;
  spec.memory_mib = 16;
  return spec;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct ManagerTimes {
  double total_s = 0;
  // Per step, summed over the cycles: where the time goes.
  double create_s = 0;
  double start_s = 0;  // Start + waiting for `running`
  double stop_s = 0;   // forced Stop + waiting for `stopped`
  double delete_s = 0;
};

// `cycles` create -> start -> (running) -> force stop -> (stopped) -> delete, each checked.
ManagerTimes RunManagerCycles(vm::VmManager& manager, int cycles) {
  ManagerTimes times;
  const vm::VmSpec spec = CycleSpec();
  const auto t0 = Clock::now();
  for (int i = 0; i < cycles; ++i) {
    auto step = Clock::now();
    vm::Vm created = Must(manager.Create(spec, false), "create");
    auto now = Clock::now();
    times.create_s += Seconds(now - step);
    step = now;
    Must(manager.Start(created.id, std::nullopt), "start");
    vm::DrainVmManager(manager);
    if (auto got = Must(manager.Get(created.id), "get"); got.state != vm::VmState::kRunning) {
      Die("start did not reach running: " + got.last_error);
    }
    now = Clock::now();
    times.start_s += Seconds(now - step);
    step = now;
    Must(manager.Stop(created.id, vm::StopMode::kForce, std::nullopt), "stop");
    vm::DrainVmManager(manager);
    if (auto got = Must(manager.Get(created.id), "get"); got.state != vm::VmState::kStopped) {
      Die("stop did not reach stopped: " + got.last_error);
    }
    now = Clock::now();
    times.stop_s += Seconds(now - step);
    step = now;
    Must(manager.Delete(created.id, std::nullopt, false), "delete");
    now = Clock::now();
    times.delete_s += Seconds(now - step);
  }
  times.total_s = Seconds(Clock::now() - t0);
  return times;
}

struct VirshTimes {
  double total_s = 0;     // wall time of the whole process: start, connect, N cycles
  double commands_s = 0;  // the commands alone, as `virsh --timing` measured them
};

// Runs `virsh --timing -c test:///default` once with `commands` on stdin. Any output on stderr
// or a non-zero exit is fatal: a cycle that failed would not be comparable.
VirshTimes RunVirsh(const std::filesystem::path& dir, const std::string& commands) {
  const auto input = dir / "virsh.in";
  const auto output = dir / "virsh.out";
  const auto errors = dir / "virsh.err";
  {
    std::ofstream out(input, std::ios::trunc);
    out << commands << "quit\n";
  }
  const std::string command = std::string("virsh -q -t -c ") + kUri + " < '" + input.string() +
                              "' > '" + output.string() + "' 2> '" + errors.string() + "'";
  VirshTimes times;
  const auto t0 = Clock::now();
  const int rc = std::system(command.c_str());
  times.total_s = Seconds(Clock::now() - t0);
  std::ifstream err(errors);
  std::stringstream text;
  text << err.rdbuf();
  if (rc != 0 || !text.str().empty()) {
    Die("virsh failed (exit " + std::to_string(rc) + "): " + text.str());
  }
  // "(Time: 0.123 ms)" after each command.
  std::ifstream out(output);
  constexpr std::string_view kTime = "(Time: ";
  for (std::string line; std::getline(out, line);) {
    if (auto at = line.find(kTime); at != std::string::npos) {
      times.commands_s += std::atof(line.c_str() + at + kTime.size()) / 1000;
    }
  }
  return times;
}

VirshTimes RunVirshCycles(const std::filesystem::path& dir, int cycles) {
  vm::DomainXmlOptions options;
  options.domain_type = "qemu";
  options.uuid = kVirshUuid;
  const std::string xml = Must(vm::GenerateDomainXml(CycleSpec(), options), "domain xml");
  const auto xml_path = dir / "domain.xml";
  std::ofstream(xml_path, std::ios::trunc) << xml;

  std::string one_cycle = "define '" + xml_path.string() + "'\nstart " + kVmName + "\ndestroy " +
                          kVmName + "\nundefine " + kVmName + "\n";
  std::string commands;
  for (int i = 0; i < cycles; ++i) commands += one_cycle;

  RunVirsh(dir, one_cycle);  // warm-up
  return RunVirsh(dir, commands);
}

// Runs one `virsh -q -c URI ARGS...` without a shell (as a script loop would, minus the shell's own
// fork); fatal unless it exits 0.
void SpawnVirsh(const std::string& uri, std::vector<std::string> args) {
  args.insert(args.begin(), {"virsh", "-q", "-c", uri});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "virsh", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Die("cannot spawn virsh");
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die("virsh " + args[4] + " failed");
  }
}

// One virsh process per command against a libvirtd that hosts test:///default (its state
// outlives each virsh because the caller holds a connection open). Returns the wall time.
double RunVirshPerCommand(const std::filesystem::path& dir, const std::string& remote_uri,
                          int cycles) {
  const std::string xml = (dir / "domain.xml").string();  // written by RunVirshCycles
  auto cycle = [&] {
    SpawnVirsh(remote_uri, {"define", xml});
    SpawnVirsh(remote_uri, {"start", kVmName});
    SpawnVirsh(remote_uri, {"destroy", kVmName});
    SpawnVirsh(remote_uri, {"undefine", kVmName});
  };
  cycle();  // warm-up
  const auto t0 = Clock::now();
  for (int i = 0; i < cycles; ++i) cycle();
  return Seconds(Clock::now() - t0);
}

bool HaveVirsh() { return std::system("virsh --version > /dev/null 2>&1") == 0; }

struct Args {
  int cycles = 200;
  int per_command_cycles = 50;  // a process per command is slow: fewer cycles, same rate
  std::string remote_uri;       // test+unix:///default?socket=... of a private libvirtd
};

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      args.cycles = 10;
      args.per_command_cycles = 3;
    } else if (arg == "--cycles" && i + 1 < argc) {
      args.cycles = std::atoi(argv[++i]);
      args.per_command_cycles = std::min(args.per_command_cycles, args.cycles);
    } else if (arg == "--remote-uri" && i + 1 < argc) {
      args.remote_uri = argv[++i];
    } else {
      Die("usage: vm_ops_bench [--quick] [--cycles N] [--remote-uri test+unix:///default?...]");
    }
  }
  if (args.cycles <= 0) Die("--cycles must be positive");
  return args;
}

// The manager on a fresh SQLite store in `data_dir` and the driver at `uri`.
// The manager's warnings go to `log_fd` (summarized after the table, not mixed into it).
ManagerTimes TimeManager(const std::filesystem::path& data_dir, const std::string& uri, int cycles,
                         int log_fd) {
  store::SqliteStoreOptions store_options;
  store_options.data_dir = data_dir / "data";
  auto state = Must(store::OpenSqliteStateStore(store_options), "open store");
  vm::DriverOptions driver;
  driver.uri = uri;
  driver.domain_type = "qemu";
  driver.disk_dir = (data_dir / "disks").string();
  auto hypervisor = Must(vm::OpenLibvirtHypervisor(driver), "open hypervisor " + uri);
  novacron::observe::Registry metrics;
  vm::ManagerDeps deps;
  deps.store = &state->vms();
  deps.hypervisor = hypervisor.get();
  novacron::observe::LogOptions log_options;
  log_options.level = novacron::observe::Level::kWarn;
  log_options.format = novacron::observe::LogFormat::kJson;
  log_options.fd = log_fd;
  deps.logger = novacron::observe::Logger(log_options);
  deps.metrics = &metrics;
  auto manager = Must(vm::NewVmManager(deps, {}), "new manager");
  RunManagerCycles(*manager, 1);  // warm-up: statements prepared, pages cached
  return RunManagerCycles(*manager, cycles);
}

void Row(const char* path, int cycles, double seconds) {
  std::printf("| %-48s | %6d | %9.0f | %9.3f |\n", path, cycles, cycles / seconds,
              1000 * seconds / cycles);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  ScratchDir dir;
  const auto log_path = dir.path() / "manager.log";
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) Die("cannot open " + log_path.string());
  std::printf(
      "VM operations: create+start+stop+delete cycles of one VM (no disks, 16 MiB) on libvirt's\n"
      "test driver (goal, issue 3: faster than the virsh loop)\n\n");

  const ManagerTimes ours = TimeManager(dir.path() / "local", kUri, args.cycles, log_fd);
  // The same on tmpfs, where fsync costs nothing: how much of the cycle is durability.
  ManagerTimes ours_tmpfs;
  const bool have_tmpfs = access("/dev/shm", W_OK) == 0;
  if (have_tmpfs) {
    ScratchDir shm("/dev/shm");
    ours_tmpfs = TimeManager(shm.path(), kUri, args.cycles, log_fd);
  }
  ManagerTimes ours_remote;
  if (!args.remote_uri.empty()) {
    ours_remote = TimeManager(dir.path() / "remote", args.remote_uri, args.cycles, log_fd);
  }
  const bool have_virsh = HaveVirsh();
  VirshTimes virsh;
  double per_command_s = 0;
  if (have_virsh) {
    virsh = RunVirshCycles(dir.path(), args.cycles);
    if (!args.remote_uri.empty()) {
      per_command_s = RunVirshPerCommand(dir.path(), args.remote_uri, args.per_command_cycles);
    }
  }

  std::printf("| %-48s | %6s | %9s | %9s |\n", "path", "cycles", "cycles/s", "ms/cycle");
  std::printf("|%s|%s|%s|%s|\n", std::string(50, '-').c_str(), std::string(8, '-').c_str(),
              std::string(11, '-').c_str(), std::string(11, '-').c_str());
  Row("novacron VM manager, in-process test:///default", args.cycles, ours.total_s);
  if (have_tmpfs) Row("  same, SQLite on tmpfs (no fsync cost)", args.cycles, ours_tmpfs.total_s);
  if (!args.remote_uri.empty()) {
    Row("novacron VM manager, test driver in libvirtd", args.cycles, ours_remote.total_s);
  }
  if (have_virsh) {
    Row("one virsh process on stdin, commands alone", args.cycles, virsh.commands_s);
    Row("  same, whole process (start + connect too)", args.cycles, virsh.total_s);
    if (!args.remote_uri.empty()) {
      Row("virsh per command, test driver in libvirtd", args.per_command_cycles, per_command_s);
    }
    const double ratio = virsh.commands_s / ours.total_s;
    std::printf("\nnovacron / one-process virsh: %.2fx -> goal (faster than the virsh loop): %s\n",
                ratio, ratio > 1.0 ? "met" : "not met");
    if (!args.remote_uri.empty()) {
      const double per_command_rate = args.per_command_cycles / per_command_s;
      std::printf("novacron (libvirtd) / virsh per command (libvirtd): %.2fx -> %s\n",
                  (args.cycles / ours_remote.total_s) / per_command_rate,
                  args.cycles / ours_remote.total_s > per_command_rate ? "met" : "not met");
    }
  } else {
    std::printf("\nvirsh not found: the virsh rows were skipped\n");
  }
  std::printf(
      "\nnovacron per step, in-process (ms/cycle): create %.3f, start+wait %.3f, stop+wait "
      "%.3f, delete %.3f\n",
      1000 * ours.create_s / args.cycles, 1000 * ours.start_s / args.cycles,
      1000 * ours.stop_s / args.cycles, 1000 * ours.delete_s / args.cycles);
  close(log_fd);
  std::ifstream log(log_path);
  std::string first_warning;
  int warnings = 0;
  for (std::string line; std::getline(log, line); ++warnings) {
    if (first_warning.empty()) first_warning = line;
  }
  if (warnings > 0) {
    std::printf("\nnovacron logged %d warnings during the runs; the first:\n  %s\n", warnings,
                first_warning.c_str());
  }
  std::printf(
      "\nNotes:\n"
      "- novacron writes every state change durably to SQLite (WAL, synchronous=FULL: an fsync\n"
      "  per commit, several commits per cycle) and validates and admits each VM; virsh keeps\n"
      "  nothing. Both define the same domain XML; stop is a forced power-off (virsh destroy).\n"
      "- one virsh process: the ratio uses the commands alone (`virsh --timing`), the strictest\n"
      "  reading for novacron; its process start and connect took %.1f ms once.\n"
      "- test:///default lives inside each process, so a virsh-per-command loop on it cannot\n"
      "  work (each virsh would get a fresh driver). The per-command row uses a private\n"
      "  libvirtd hosting the test driver instead (state kept while one connection stays open);\n"
      "  it pays a process start and an RPC connection per command, as a shell loop would.\n",
      1000 * (virsh.total_s - virsh.commands_s));
  if (have_virsh && args.remote_uri.empty()) {
    std::printf(
        "  (not run: pass --remote-uri, as bench/vm_ops_bench.sh does after starting one)\n");
  }
  return 0;
}
