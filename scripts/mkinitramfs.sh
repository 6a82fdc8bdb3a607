#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a busybox initramfs (gzip'd newc cpio) for Linux guests.
#
# Usage: scripts/mkinitramfs.sh [-m MODULE]... [-f SRC:DEST]... \
#            OUT.cpio.gz [INIT-SCRIPT]
#   INIT-SCRIPT  shell script run by /init after the basic set-up
#                (default: an interactive shell on the console).
#   -m MODULE    add a kernel module and the modules it depends on; /init
#                loads them (dependencies first) before INIT-SCRIPT. They
#                come from the kernel package of scripts/fetch-assets.sh
#                (or $MODDIR, a lib/modules/VERSION directory). Debian
#                builds most drivers as modules: a disk needs
#                "-m virtio_pci -m virtio_blk", ext2/ext4 "-m crc32c_generic
#                -m ext4" (ext4 asks for crc32c by name at mount time).
#   -f SRC:DEST  copy the host file SRC to DEST in the initramfs.
# The busybox binary comes from Debian's busybox-static package through
# scripts/fetch-assets.sh (or $BUSYBOX if set).
set -eu

usage="usage: mkinitramfs.sh [-m MODULE]... [-f SRC:DEST]... OUT.cpio.gz [INIT-SCRIPT]"
modules=""
files=""
while getopts m:f: opt; do
    case $opt in
    m) modules="$modules $OPTARG" ;;
    f) files="$files
$OPTARG" ;;
    *) echo "$usage" >&2; exit 1 ;;
    esac
done
shift $((OPTIND - 1))
out=${1:?$usage}
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
if [ -f /lib/modules/order ]; then
    for m in $(cat /lib/modules/order); do
        insmod "/lib/modules/$m.ko" || echo "EMBER-INIT: insmod $m failed"
    done
fi
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
# Modules: each one's dependencies (the depends= field of its .modinfo,
# so no modules.dep is needed) go before it in /lib/modules/order.
if [ -n "$modules" ]; then
    command -v readelf >/dev/null ||
        { echo "mkinitramfs: -m needs readelf (binutils)" >&2; exit 1; }
    if [ -z "${MODDIR:-}" ]; then
        kernel=$("$here/fetch-assets.sh" --offline kernel 2>/dev/null ||
                 "$here/fetch-assets.sh" kernel)
        kver=$(basename "$kernel" | sed 's/^vmlinuz-//')
        MODDIR=$(dirname "$(dirname "$kernel")")/lib/modules/$kver
    fi
    [ -d "$MODDIR" ] ||
        { echo "mkinitramfs: no kernel modules at '$MODDIR'" >&2; exit 1; }
    mkdir -p "$stage/lib/modules"
    : > "$stage/lib/modules/order"
    add_module() {
        local name dash src ko deps d
        name=$(echo "$1" | tr - _)
        grep -qx "$name" "$stage/lib/modules/order.seen" 2>/dev/null &&
            return 0
        echo "$name" >> "$stage/lib/modules/order.seen"
        dash=$(echo "$name" | tr _ -)
        src=$(find "$MODDIR" \( -name "$name.ko*" -o -name "$dash.ko*" \) |
              head -n 1)
        [ -n "$src" ] ||
            { echo "mkinitramfs: no module $name in $MODDIR" >&2; exit 1; }
        ko="$stage/lib/modules/$name.ko"
        case $src in
        *.ko) cp "$src" "$ko" ;;
        *.ko.xz) xz -dc "$src" > "$ko" ;;
        *.ko.zst) zstd -qdc "$src" > "$ko" ;;
        *.ko.gz) gzip -dc "$src" > "$ko" ;;
        esac
        deps=$(readelf -p .modinfo "$ko" |
               sed -n 's/.*depends=\([^ ]*\).*/\1/p' | tr , ' ')
        for d in $deps; do
            add_module "$d"
        done
        echo "$name" >> "$stage/lib/modules/order"
    }
    for m in $modules; do
        add_module "$m"
    done
    rm -f "$stage/lib/modules/order.seen"
fi
echo "$files" | while IFS= read -r f; do
    [ -n "$f" ] || continue
    dest="$stage/${f#*:}"
    mkdir -p "$(dirname "$dest")"
    cp "${f%%:*}" "$dest"
done
(cd "$stage" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
