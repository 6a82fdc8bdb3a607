#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: every benchmark against its peer, one after the other.
#
#   bench/run-all.sh [BUILD-DIR]          (default: build)
#
# A benchmark that cannot run here (no peer installed, no assets, no
# Xvfb) says why, exits 77 and is listed as skipped; the others still
# run. The exit status is 1 if any of them failed. Each one's own options (runs, sizes) come from its
# environment or defaults; see the top of each script.
set -u

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
failed=""
skipped=""

run() {
    name=$1
    shift
    echo "== $name"
    "$@"
    case $? in
    0) ;;
    77) skipped="$skipped $name" ;;
    *) failed="$failed $name" ;;
    esac
    echo
}

run startup sh "$here/startup.sh" "$build"
run user python3 "$here/user/run.py" --ember "$build/ember-x86_64"
run block-convert sh "$here/block/convert.sh" "$build/ember-img"
run block-guest python3 "$here/block/guest.py" \
    --ember "$build/ember-system-x86_64"
run net python3 "$here/net/run.py" --ember "$build/ember-system-x86_64"
run display python3 "$here/display/run.py" "$build"
run boot python3 "$here/boot/run.py" --build "$build"
run boot-smp2-multi python3 "$here/boot/run.py" --build "$build" --smp 2 \
    --thread multi

if [ -n "$skipped" ]; then
    echo "bench: skipped:$skipped" >&2
fi
if [ -n "$failed" ]; then
    echo "bench: failed:$failed" >&2
    exit 1
fi
