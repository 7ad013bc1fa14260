#!/usr/bin/env bash
# Puts a Debian cloud kernel (vmlinuz) for the real-VM test under DIR, without installing it:
# resolves linux-image-cloud-amd64 to its versioned package, downloads the .deb with apt and
# unpacks it. Prints the vmlinuz path. Cached: a second call only prints.
#   tests/vm/fetch-kernel.sh DIR
set -euo pipefail
dir=${1:?usage: fetch-kernel.sh DIR}
mkdir -p "$dir"
cd "$dir"
shopt -s nullglob
kernels=(boot/vmlinuz-*)
if ((${#kernels[@]} == 0)); then
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [[ -z "$pkg" ]]; then
    echo "fetch-kernel: apt does not know linux-image-cloud-amd64 (run apt-get update)" >&2
    exit 1
  fi
  apt-get download -q "$pkg" >&2
  dpkg-deb -x "${pkg}"_*.deb .
  rm -f "${pkg}"_*.deb
  kernels=(boot/vmlinuz-*)
fi
echo "$PWD/${kernels[0]}"
