#include "config/resources.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "config/units.h"

namespace novacron::config {
namespace {

class Checker {
 public:
  Checker(const LoadedConfig& loaded, std::vector<ConfigIssue>& issues)
      : loaded_(loaded), issues_(issues) {}

  void Add(std::string_view key, std::string message, Severity severity = Severity::kError) {
    issues_.push_back(
        {loaded_.SourceOf(key).Where(), std::string(key), std::move(message), severity});
  }

  void DataDir() {
    const std::string& dir = loaded_.config.system.data_dir;
    if (dir.empty()) return;
    std::error_code ec;
    std::filesystem::path path(dir);
    if (std::filesystem::exists(path, ec)) {
      if (!std::filesystem::is_directory(path, ec)) {
        Add("system.data_dir", dir + " exists and is not a directory");
      } else if (access(dir.c_str(), W_OK | X_OK) != 0) {
        Add("system.data_dir", dir + " is not writable: " + std::strerror(errno));
      }
      return;
    }
    // It will be created: the nearest existing ancestor must let us.
    std::filesystem::path parent = path.parent_path();
    while (!parent.empty() && !std::filesystem::exists(parent, ec)) {
      if (parent == parent.parent_path()) break;
      parent = parent.parent_path();
    }
    if (parent.empty() || !std::filesystem::is_directory(parent, ec)) {
      Add("system.data_dir",
          dir + " cannot be created: " + parent.string() + " is not a directory");
    } else if (access(parent.c_str(), W_OK | X_OK) != 0) {
      Add("system.data_dir", dir + " cannot be created: " + parent.string() +
                                 " is not writable: " + std::strerror(errno));
    }
  }

  void ReadableFile(std::string_view key, const std::string& path) {
    if (path.empty()) return;  // reported by the cross-field rules
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      Add(key, path + ": " + std::strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
      Add(key, path + " is not a regular file");
    } else if (access(path.c_str(), R_OK) != 0) {
      Add(key, path + " is not readable: " + std::strerror(errno));
    }
  }

  // Binds host:port once, the way a listener would, and closes it again.
  void Port(std::string_view host_key, const std::string& host, std::string_view port_key,
            int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* addresses = nullptr;
    std::string service = std::to_string(port);
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses);
    if (rc != 0) {
      Add(host_key, "cannot resolve " + host + ": " + gai_strerror(rc));
      return;
    }
    int error = 0;
    for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
      int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) {
        error = errno;
        continue;
      }
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      bool bound = bind(fd, a->ai_addr, a->ai_addrlen) == 0;
      error = bound ? 0 : errno;
      close(fd);
      if (bound) break;
    }
    freeaddrinfo(addresses);
    std::string where = FormatHostPort(host, port);
    if (error == EADDRINUSE) {
      Add(port_key, where + " is in use (by another process, or a running novacron)",
          Severity::kWarning);
    } else if (error == EACCES) {
      Add(port_key, where + ": permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)",
          Severity::kWarning);
    } else if (error == EADDRNOTAVAIL) {
      Add(host_key, host + " is not an address of this machine");
    } else if (error != 0) {
      Add(port_key, "cannot bind " + where + ": " + std::strerror(error), Severity::kWarning);
    }
  }

 private:
  const LoadedConfig& loaded_;
  std::vector<ConfigIssue>& issues_;
};

}  // namespace

ResourceThresholds ResolveResourceThresholds(const ResourcesConfig& resources) {
  ResourceThresholds t;
  if (resources.profile == ResourceProfile::kProduction) {
    t = {.min_cpus = 4, .min_memory_mib = 8192, .min_disk_free_mib = 51200, .require_kvm = true};
  }
  if (resources.min_cpus > 0) t.min_cpus = resources.min_cpus;
  if (resources.min_memory_mib > 0) t.min_memory_mib = resources.min_memory_mib;
  if (resources.min_disk_free_mib > 0) t.min_disk_free_mib = resources.min_disk_free_mib;
  if (resources.require_kvm != KvmRequirement::kAuto) {
    t.require_kvm = resources.require_kvm == KvmRequirement::kRequired;
  }
  return t;
}

std::vector<ConfigIssue> CheckResources(const LoadedConfig& loaded,
                                        const ResourceCheckOptions& options) {
  std::vector<ConfigIssue> issues;
  Checker check(loaded, issues);
  const Config& c = loaded.config;
  check.DataDir();
  if (c.network.enable_tls) {
    check.ReadableFile("network.tls_cert_path", c.network.tls_cert_path);
    check.ReadableFile("network.tls_key_path", c.network.tls_key_path);
  }
  if (c.cluster.mode == ClusterMode::kEtcd) {  // standalone does not read them
    check.ReadableFile("cluster.etcd_ca_file", c.cluster.etcd_ca_file);
    check.ReadableFile("cluster.etcd_cert_file", c.cluster.etcd_cert_file);
    check.ReadableFile("cluster.etcd_key_file", c.cluster.etcd_key_file);
  }
  if (options.check_ports) {
    if (c.api.port != 0) check.Port("api.host", c.api.host, "api.port", c.api.port);
    if (c.network.bind_port != 0) {
      check.Port("network.listen_address", c.network.listen_address, "network.bind_port",
                 c.network.bind_port);
    }
  }
  return issues;
}

}  // namespace novacron::config
