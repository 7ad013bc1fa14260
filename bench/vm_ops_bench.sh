#!/usr/bin/env bash
# VM operations per second: runs vm_ops_bench with a private libvirtd hosting libvirt's test
# driver, so the virsh-per-command loop has state that outlives each virsh process.
#
# Usage: bench/vm_ops_bench.sh [vm_ops_bench args, e.g. --cycles 200]  (env: VM_OPS_BENCH)
set -euo pipefail
cd "$(dirname "$0")/.."

VM_OPS_BENCH=${VM_OPS_BENCH:-./build/bench/vm_ops_bench}
if [[ ! -x "$VM_OPS_BENCH" ]]; then
  echo "vm_ops_bench.sh: $VM_OPS_BENCH not built" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/novacron-vmopsbench.XXXXXX")
libvirtd_pid=""
holder_pid=""

stop_process() {  # pid
  local pid=$1
  [[ -n "$pid" ]] && kill -0 "$pid" 2> /dev/null || return 0
  kill -TERM "$pid" 2> /dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

cleanup() {
  exec 9>&- 2> /dev/null || true
  stop_process "$holder_pid"
  stop_process "$libvirtd_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A session libvirtd of its own: sockets in the temp dir, nothing system-wide touched. As root it
# runs as nobody (a root libvirtd would be the system instance, with /run/libvirt).
start_libvirtd() {
  command -v libvirtd > /dev/null && command -v virsh > /dev/null || return 1
  local run_as=()
  if [[ $(id -u) == 0 ]]; then
    command -v setpriv > /dev/null || return 1
    run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chmod 755 "$tmp"
  fi
  mkdir -p "$tmp/libvirt/run" "$tmp/libvirt/home"
  [[ $(id -u) == 0 ]] && chown -R 65534:65534 "$tmp/libvirt"
  chmod 700 "$tmp/libvirt/run"
  # --timeout: it exits on its own 120 s after its last client, should cleanup ever miss it.
  (cd "$tmp/libvirt" && exec env -i PATH="$PATH" HOME="$tmp/libvirt/home" \
    XDG_RUNTIME_DIR="$tmp/libvirt/run" XDG_CONFIG_HOME="$tmp/libvirt/home/.config" \
    XDG_CACHE_HOME="$tmp/libvirt/home/.cache" "${run_as[@]}" libvirtd --timeout 120 \
    > "$tmp/libvirtd.log" 2>&1) &
  libvirtd_pid=$!
  local socket="$tmp/libvirt/run/libvirt/libvirt-sock"
  for ((i = 0; i < 100; i++)); do
    [[ -S "$socket" ]] && break
    kill -0 "$libvirtd_pid" 2> /dev/null || return 1
    sleep 0.1
  done
  [[ -S "$socket" ]] || return 1
  remote_uri="test+unix:///default?socket=$socket"
  # libvirtd frees test:///default with its last connection: hold one open for the whole run.
  mkfifo "$tmp/hold"
  virsh -q -c "$remote_uri" < "$tmp/hold" > "$tmp/holder.out" 2>&1 &
  holder_pid=$!
  exec 9> "$tmp/hold"
  echo "list --all" >&9
  for ((i = 0; i < 100; i++)); do
    grep -q running "$tmp/holder.out" 2> /dev/null && return 0
    sleep 0.05
  done
  return 1
}

remote_uri=""
args=("$@")
if start_libvirtd; then
  args+=(--remote-uri "$remote_uri")
else
  echo "(no private libvirtd: the virsh-per-command row is skipped)"
  [[ -f "$tmp/libvirtd.log" ]] && tail -n 5 "$tmp/libvirtd.log"
fi
timeout 300 "$VM_OPS_BENCH" "${args[@]}"
