#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch Debian packages that tests boot or build guests from, without
# installing them: `apt-get download` into a cache, `dpkg-deb -x` into a
# per-package directory, and print the path of the wanted file.
#
# Usage: scripts/fetch-assets.sh [--offline] [ASSET...]
#   ASSET  kernel   Debian's bzImage (linux-image-amd64 -> its versioned
#                   linux-image-<version>-amd64 package, boot/vmlinuz-*)
#          busybox  the static busybox binary (busybox-static, bin/busybox)
#          kernel-version  the kernel's release string (e.g. 6.1.0-26-amd64)
#   Without ASSET: kernel and busybox. One path (or value) per line, in the
#   order asked.
#   --offline  use only what is cached; never run apt-get.
#
# Cache: ${EMBER_ASSET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ember}
#   debs/<package>_<version>_<arch>.deb    what apt-get downloaded
#   <package>/                             the extracted tree
#   <package>/.ember-version               the version extracted there
# A re-run uses the cache when the extracted version is still apt's
# candidate, or when apt cannot say (offline, no package lists).
#
# Exit status: 0 on success; 1 with one "fetch-assets: ..." line on stderr
# when a package cannot be found or fetched (no network, unknown package).
# Tests treat any failure as "asset unavailable" and skip.
set -eu

prog=fetch-assets
cache=${EMBER_ASSET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ember}
offline=0

die() {
    echo "$prog: $*" >&2
    exit 1
}

# The version apt would download now, or nothing.
candidate_version() {
    [ "$offline" = 1 ] && return 0
    apt-cache policy "$1" 2>/dev/null |
        sed -n 's/^ *Candidate: *//p' | grep -v '(none)' | head -n 1 || true
}

# Download and extract package $1 unless the cache has it; print its tree.
fetch_pkg() {
    pkg=$1
    dir=$cache/$pkg
    want=$(candidate_version "$pkg")
    have=""
    [ -f "$dir/.ember-version" ] && have=$(cat "$dir/.ember-version")
    if [ -n "$have" ] && { [ -z "$want" ] || [ "$want" = "$have" ]; }; then
        echo "$dir"
        return 0
    fi
    [ "$offline" = 1 ] && die "$pkg is not in the cache ($cache) and --offline was given"
    [ -n "$want" ] || die "apt knows no package $pkg (run apt-get update?)"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: cannot fetch $pkg"

    # apt drops root privileges to the _apt user for downloads; the
    # directory it writes into must be writable and reachable by _apt, or
    # it warns and downloads unsandboxed. A fresh world-writable directory
    # under /tmp is (the cache itself may sit in a private home).
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ember-fetch.XXXXXX")
    trap 'rm -rf "$tmp" "$dir.new"' EXIT
    trap 'exit 1' INT TERM HUP
    chmod 0777 "$tmp"
    if ! (cd "$tmp" && apt-get download -q "$pkg=$want" >"$tmp/apt.log" 2>&1); then
        # apt's own reason, without its progress lines.
        grep -E '^(E|Err|W):|onnect|resolve' "$tmp/apt.log" | sed 's/^/  /' >&2 || true
        rm -rf "$tmp"
        die "apt-get download $pkg=$want failed (offline, or no package lists?)"
    fi
    deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
        rm -rf "$tmp"
        die "apt-get download $pkg produced no .deb"
    fi
    mkdir -p "$cache/debs"
    mv -f "$deb" "$cache/debs/"
    deb=$cache/debs/$(basename "$deb")
    rm -rf "$tmp" "$dir.new"
    mkdir -p "$dir.new"
    dpkg-deb -x "$deb" "$dir.new" || { rm -rf "$dir.new"; die "dpkg-deb -x $deb failed"; }
    echo "$want" >"$dir.new/.ember-version"
    rm -rf "$dir"
    mv "$dir.new" "$dir"
    echo "$dir"
}

# linux-image-amd64 is a meta package: its dependency names the real one.
kernel_pkg() {
    meta=linux-image-amd64
    resolved=$cache/$meta.resolved
    real=""
    if [ "$offline" = 0 ]; then
        real=$(apt-cache depends "$meta" 2>/dev/null |
               sed -n 's/^ *Depends: *\(linux-image-[0-9].*-amd64\)$/\1/p' |
               head -n 1 || true)
    fi
    if [ -z "$real" ] && [ -f "$resolved" ]; then
        real=$(cat "$resolved")
    fi
    [ -n "$real" ] || die "cannot resolve $meta to a versioned kernel package (offline, or no package lists?)"
    mkdir -p "$cache"
    echo "$real" >"$resolved"
    echo "$real"
}

asset_kernel() {
    real=$(kernel_pkg)
    dir=$(fetch_pkg "$real")
    k=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$k" ] || die "no boot/vmlinuz-* in $dir"
    echo "$k"
}

asset_kernel_version() {
    k=$(asset_kernel)
    basename "$k" | sed 's/^vmlinuz-//'
}

asset_busybox() {
    dir=$(fetch_pkg busybox-static)
    [ -x "$dir/bin/busybox" ] || die "no bin/busybox in $dir"
    echo "$dir/bin/busybox"
}

assets=""
for a in "$@"; do
    case "$a" in
    --offline) offline=1 ;;
    -h|--help) sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    kernel|busybox|kernel-version) assets="$assets $a" ;;
    *) die "unknown asset '$a' (known: kernel, busybox, kernel-version)" ;;
    esac
done
[ -n "$assets" ] || assets="kernel busybox"

mkdir -p "$cache" || die "cannot create the cache directory $cache"
# Tests may run this concurrently: one fetcher at a time per cache.
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi

for a in $assets; do
    case "$a" in
    kernel) asset_kernel ;;
    busybox) asset_busybox ;;
    kernel-version) asset_kernel_version ;;
    esac
done
