#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages Ember needs to build and test, if missing.
# Usage: scripts/install-deps.sh [--tests]   (--tests adds test peers)
set -e
pkgs="gcc make pkg-config meson ninja-build libglib2.0-dev libpixman-1-dev
libsdl2-dev libslirp-dev libcapstone-dev zlib1g-dev cpio busybox-static"
if [ "$1" = "--tests" ]; then
    # Test peers and tools: QEMU only as a reference/benchmark peer.
    pkgs="$pkgs qemu-utils qemu-system-x86 qemu-user-static"
    # The SDL window tests: a virtual X server, xwd, xdotool.
    pkgs="$pkgs xvfb x11-apps xdotool"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/ember-apt.log 2>&1; then
    $SUDO apt-get update -q >/dev/null 2>&1 || true
    $SUDO apt-get install -y -q --no-install-recommends $missing ||
        { echo "install-deps: apt-get install failed" >&2; exit 1; }
fi
