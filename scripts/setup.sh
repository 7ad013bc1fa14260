#!/usr/bin/env bash
# Installs the Debian packages NovaCron needs to build, test and benchmark, and only those that
# are missing. Idempotent and non-interactive; safe to run on every `make` call.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --bench    also the benchmark tools
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ ccache clang libclang-rt-14-dev pkg-config git
  # libraries
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libboost-dev libsqlite3-dev libsystemd-dev
  libssl-dev libvirt-dev libpqxx-dev libhiredis-dev
  # the etcd v3 client: gRPC, and etcd's .proto files to generate its stubs from
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc golang-etcd-server-dev
  python3
  # DWCP: chunk ids (XXH3) and per-chunk compression (lz4, zstd)
  libxxhash-dev liblz4-dev libzstd-dev
  # VMs: hypervisor, disk images, the real-VM test's initramfs
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils busybox-static cpio
  # tests: real PostgreSQL, Redis and etcd started by the harness; npm for the OpenAPI validator
  postgresql redis-server etcd-server etcd-client
  # tests
  libgtest-dev libgmock-dev librapidcheck-dev prometheus curl procps sqlite3
  # tests: TLS scanner and client (docs/security.md)
  openssl testssl.sh
)
bench_packages=(libbenchmark-dev hyperfine wrk nginx-light)

if [[ "${1:-}" == "--bench" ]]; then
  packages+=("${bench_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

# The OpenAPI validator of the API tests comes from npm; Debian's node and npm only where the
# machine has no node of its own.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

install_openapi_validator() {
  local dir=tools/openapi
  [[ -f $dir/package-lock.json ]] || return 0
  if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
    echo "setup: installing the OpenAPI validator (npm ci --prefix $dir)" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
    touch "$dir/node_modules"
  fi
}

cd "$(dirname "$0")/.."
if ((${#missing[@]} == 0)); then
  install_openapi_validator
  exit 0
fi

echo "setup: installing missing packages: ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Services shipped by packages (prometheus, postgresql, redis, etcd, libvirtd) must not be started by the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy"
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && "${sudo_cmd[@]}" rm -f "$policy"' EXIT
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_openapi_validator
echo "setup: done" >&2
