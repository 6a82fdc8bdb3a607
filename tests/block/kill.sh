#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kill test: a writer using Ember's block layer (block-writer, several
# requests in flight through the BlockBackend worker pool) is SIGKILLed
# in the middle of writes to a qcow2 image; `qemu-img check` must find
# no corruption (leaks are allowed: exit 0 or 3). Repeated with
# different seeds, kill points and image layouts (small clusters make
# refcount blocks and refcount table growth frequent; a backing file
# makes every first write a copy-on-write).
# Skips (exit 77) when qemu-img is not installed.
set -u

if ! command -v qemu-img >/dev/null 2>&1; then
    echo "SKIP: qemu-img not installed"
    exit 77
fi
E=${EMBER_IMG:?}
W=${BLOCK_WRITER:?}
ROUNDS=${KILL_ROUNDS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/ember-kill.XXXXXX")
wp=""
trap '[ -n "$wp" ] && kill -9 $wp 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1
n=0

one() {     # name, create options, writer options, seed, delay
    rm -f k.qcow2 kb.qcow2
    case "$2" in
    backing)
        "$E" create -q -f qcow2 kb.qcow2 64M
        "$W" --seed 99 --ops 300 kb.qcow2 || { echo "FAIL: base"; exit 1; }
        "$E" create -q -f qcow2 -b kb.qcow2 -F qcow2 k.qcow2 ;;
    *)
        "$E" create -q -f qcow2 $2 k.qcow2 64M ;;
    esac
    "$W" --ops 0 --depth 8 --seed "$4" $3 k.qcow2 2>w.err & wp=$!
    sleep "$5"
    if ! kill -0 $wp 2>/dev/null; then
        echo "FAIL: $1: writer exited early: $(cat w.err)"
        exit 1
    fi
    kill -9 $wp
    wait $wp 2>/dev/null
    wp=""
    qemu-img check k.qcow2 > c.out 2>&1
    rc=$?
    if [ $rc != 0 ] && [ $rc != 3 ]; then
        echo "FAIL: $1 (seed $4, killed after ${5}s): qemu-img check exit $rc"
        cat c.out
        cp k.qcow2 "${TMPDIR:-/tmp}/ember-kill-failed.qcow2"
        exit 1
    fi
    # Ember's own check agrees, and the image keeps working.
    "$E" check k.qcow2 >/dev/null 2>&1
    erc=$?
    if [ $erc != $rc ]; then
        echo "FAIL: $1: ember-img check exit $erc, qemu-img $rc"
        exit 1
    fi
    "$W" --ops 50 --seed 1 k.qcow2 || { echo "FAIL: $1: reuse"; exit 1; }
    qemu-img check k.qcow2 >/dev/null 2>&1
    rc=$?
    if [ $rc != 0 ] && [ $rc != 3 ]; then
        echo "FAIL: $1: image broken after reuse"
        exit 1
    fi
    n=$((n + 1))
    echo "ok $n - $1 (seed $4, killed after ${5}s): qemu-img check exit $rc"
}

r=0
while [ $r -lt "$ROUNDS" ]; do
    s=$((r * 7 + 1))
    d1=$(awk "BEGIN { print 0.3 + 0.17 * $r }")
    d2=$(awk "BEGIN { print 0.5 + 0.11 * $r }")
    one "qcow2 64k clusters" "" "--discard" $s "$d1"
    one "qcow2 512-byte clusters" "-o cluster_size=512" \
        "--max-len 32768 --discard" $((s + 1)) "$d2"
    one "qcow2 4k clusters, 1-bit refcounts" \
        "-o cluster_size=4k,refcount_bits=1" "" $((s + 2)) "$d1"
    one "qcow2 over a backing file" "backing" "--discard" $((s + 3)) "$d2"
    one "qcow2 cache=unsafe" "" "--cache unsafe" $((s + 4)) "$d1"
    r=$((r + 1))
done
echo "kill: $n runs, no corruption"
exit 0
