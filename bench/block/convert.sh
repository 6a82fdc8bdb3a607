#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ember-img convert vs qemu-img convert, same images, same run.
#
#   bench/block/convert.sh [EMBER_IMG] [SIZE_MB] [RUNS]
#
# Builds a test image with qemu-io (a mix of random data, compressible
# data, zero ranges and holes, as a used disk has), then times, for
# each tool: qcow2 -> raw, raw -> qcow2, and qcow2 -> qcow2 -c. Each
# workload runs RUNS times per tool (alternating); the median is
# printed with the ratio ember/qemu (below 1 means Ember is faster):
#
#   convert qcow2->raw: ember 1.20 s, qemu 1.50 s, ratio 0.80
#
# The outputs are compared (qemu-img compare) so a fast wrong answer
# does not count. CPU time (user + system) is printed too: on a shared
# machine wall time is noisy. The in-guest throughput half of the block
# benchmark is bench/block/guest.py.
set -eu

EMBER_IMG=${1:-${EMBER_IMG:-build/ember-img}}
SIZE_MB=${2:-512}
RUNS=${3:-5}
command -v qemu-img >/dev/null || { echo "qemu-img not installed"; exit 77; }
command -v qemu-io >/dev/null || { echo "qemu-io not installed"; exit 77; }
[ -x "$EMBER_IMG" ] || { echo "no ember-img at $EMBER_IMG"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/ember-bench-convert.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The source: 1/4 random data, 1/4 compressible text-like data, 1/8
# written zeroes, the rest never written.
src="$T/src.qcow2"
qemu-img create -q -f qcow2 "$src" "${SIZE_MB}M"
head -c $((SIZE_MB / 4))M /dev/urandom > "$T/rand.bin"
yes "Ember block benchmark: compressible line of text 0123456789" |
    head -c $((SIZE_MB / 4))M > "$T/text.bin"
# Lay the pieces out with qemu-io: data chunks interleaved with holes.
chunk=4     # MiB per piece
off=0
i=0
cmds=""
while [ $off -lt "$SIZE_MB" ]; do
    case $((i % 8)) in
    0|1) cmds="$cmds -c 'write -s $T/rand.bin ${off}M ${chunk}M'" ;;
    2|3) cmds="$cmds -c 'write -s $T/text.bin ${off}M ${chunk}M'" ;;
    4)   cmds="$cmds -c 'write -z ${off}M ${chunk}M'" ;;
    *)   ;;
    esac
    off=$((off + chunk))
    i=$((i + 1))
done
eval qemu-io -f qcow2 $cmds "$src" >/dev/null
qemu-img convert -O raw "$src" "$T/src.raw"
rm -f "$T/rand.bin" "$T/text.bin"

# time_one OUT CMD...: "wall cpu" seconds of one run (OUT removed first)
time_one() {
    out=$1; shift
    rm -f "$out"
    sync
    /usr/bin/time -f "%e %U %S" -o "$T/time" "$@" >/dev/null
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$T/time"
}

median() {
    sort -n | awk '{ a[NR] = $1 } END {
        if (NR % 2) printf "%.2f", a[(NR + 1) / 2];
        else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench() {   # name, source, output, convert args...
    name=$1 in=$2 out=$3
    shift 3
    : > "$T/e"
    : > "$T/q"
    # One warm-up run each, not counted (page cache, file layout).
    time_one "$out" "$EMBER_IMG" convert "$@" "$in" "$out" >/dev/null
    time_one "$out" qemu-img convert "$@" "$in" "$out" >/dev/null
    r=0
    while [ $r -lt "$RUNS" ]; do
        time_one "$out" "$EMBER_IMG" convert "$@" "$in" "$out" >> "$T/e"
        cp "$out" "$out.ember"
        time_one "$out" qemu-img convert "$@" "$in" "$out" >> "$T/q"
        r=$((r + 1))
    done
    qemu-img compare "$out" "$out.ember" >/dev/null ||
        { echo "$name: outputs differ"; exit 1; }
    rm -f "$out.ember"
    em=$(cut -d' ' -f1 "$T/e" | median)
    qm=$(cut -d' ' -f1 "$T/q" | median)
    ec=$(cut -d' ' -f2 "$T/e" | median)
    qc=$(cut -d' ' -f2 "$T/q" | median)
    ratio=$(echo "$em / $qm" | bc -l)
    printf "convert %s: ember %s s, qemu %s s, ratio %.2f\n" "$name" "$em" \
        "$qm" "$ratio"
    printf "  (cpu time: ember %s s, qemu %s s, ratio %.2f)\n" "$ec" "$qc" \
        "$(echo "$ec / $qc" | bc -l)"
    echo "$ratio" >> "$T/ratios"
}

echo "# ${SIZE_MB} MiB image, median of $RUNS runs, $(nproc) CPUs," \
    "load $(cut -d' ' -f1 /proc/loadavg)"
bench "qcow2->raw" "$src" "$T/out.raw" -f qcow2 -O raw
bench "raw->qcow2" "$T/src.raw" "$T/out.qcow2" -f raw -O qcow2
bench "qcow2->qcow2 -c" "$src" "$T/out-c.qcow2" -f qcow2 -O qcow2 -c
awk '{ s += log($1); n++ } END { printf "geomean ratio %.2f\n", exp(s / n) }' \
    "$T/ratios"
