#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a busybox initramfs (gzip'd newc cpio) for Linux guests.
#
# Usage: scripts/mkinitramfs.sh OUT.cpio.gz [INIT-SCRIPT]
#   INIT-SCRIPT  shell script run by /init after the basic set-up
#                (default: an interactive shell on the console).
# The busybox binary comes from Debian's busybox-static package through
# scripts/fetch-assets.sh (or $BUSYBOX if set).
set -eu

out=${1:?usage: mkinitramfs.sh OUT.cpio.gz [INIT-SCRIPT]}
script=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-$("$here/fetch-assets.sh" busybox)}
[ -x "$busybox" ] || { echo "mkinitramfs: no busybox at '$busybox'" >&2; exit 1; }
command -v cpio >/dev/null || { echo "mkinitramfs: cpio is not installed" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/sys" \
         "$stage/tmp" "$stage/etc" "$stage/root" "$stage/usr/bin" "$stage/usr/sbin"
cp "$busybox" "$stage/bin/busybox"
# The console node must exist before /init runs (the kernel opens it).
if [ "$(id -u)" = 0 ]; then
    mknod "$stage/dev/console" c 5 1
    mknod "$stage/dev/null" c 1 3
fi

cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
exec </dev/console >/dev/console 2>&1
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
echo "EMBER-INIT-OK: $(uname -r) $(grep -c ^processor /proc/cpuinfo) cpu(s)"
if [ -x /init.d/main ]; then
    /init.d/main
else
    echo
    echo "Welcome to Ember. This is busybox; 'poweroff -f' ends the VM."
    echo
    setsid cttyhack sh -l
fi
poweroff -f
INIT
chmod 755 "$stage/init"
if [ -n "$script" ]; then
    mkdir -p "$stage/init.d"
    cp "$script" "$stage/init.d/main"
    chmod 755 "$stage/init.d/main"
fi
(cd "$stage" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
