#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: boot Debian's kernel with a busybox initramfs to a shell.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
kernel=$("$here/fetch-assets.sh" kernel)
initrd=$build/demo-initrd.cpio.gz
"$here/mkinitramfs.sh" "$initrd"
echo "Booting $kernel (Ctrl-A x quits, 'poweroff -f' in the guest ends it)"
exec "$build/ember-system-x86_64" -m 512M -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 quiet" -nographic
