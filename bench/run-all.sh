#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: every benchmark against its peer, one after the other.
#
#   bench/run-all.sh [BUILD-DIR]          (default: build)
#
# A benchmark that cannot run here (no peer installed, no assets, no
# Xvfb) says why and the others still run; the exit status is 1 if any
# of them failed. Each one's own options (runs, sizes) come from its
# environment or defaults; see the top of each script.
set -u

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
failed=""

run() {
    name=$1
    shift
    echo "== $name"
    if ! "$@"; then
        failed="$failed $name"
    fi
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

if [ -n "$failed" ]; then
    echo "bench: failed:$failed" >&2
    exit 1
fi
