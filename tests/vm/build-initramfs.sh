#!/usr/bin/env bash
# Builds a tiny initramfs from busybox-static whose /init prints MARKER on the serial console
# and powers the VM off.
#   tests/vm/build-initramfs.sh OUT.cpio.gz MARKER
set -euo pipefail
out=${1:?usage: build-initramfs.sh OUT MARKER}
marker=${2:?usage: build-initramfs.sh OUT MARKER}
busybox=/bin/busybox
if [[ ! -x $busybox ]] || [[ $(ldd "$busybox" 2>&1 || true) != *"not a dynamic executable"* ]]; then
  echo "build-initramfs: need a static /bin/busybox (apt-get install busybox-static)" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox echo "$marker"
/bin/busybox poweroff -f
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
