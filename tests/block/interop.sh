#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop with Debian's qemu-utils as a peer (a test peer only):
#  - images ember-img creates and Ember's block layer writes pass
#    `qemu-img check` and compare equal to a reference;
#  - images qemu-img/qemu-io create (backing files, compressed clusters,
#    zero clusters, v2, odd cluster sizes, snapshots) read back
#    identically through `ember-img convert -O raw`, and `ember-img
#    info/map` print what qemu-img prints;
#  - ember-img check agrees with qemu-img check on damaged images, and
#    each tool accepts the other's repairs;
#  - image locks: each side sees the other's.
# Skips (exit 77) when qemu-img/qemu-io are not installed.
#
# Environment: EMBER_IMG, BLOCK_WRITER (set by meson).
set -u

if ! command -v qemu-img >/dev/null 2>&1 || \
   ! command -v qemu-io >/dev/null 2>&1; then
    echo "SKIP: qemu-img/qemu-io not installed"
    exit 77
fi
E=${EMBER_IMG:?}
W=${BLOCK_WRITER:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/ember-interop.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1

n=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

# qcheck IMG: qemu-img check must find no corruption and no leak.
qcheck() {
    out=$(qemu-img check "$1" 2>&1) || fail "qemu-img check $1: $out"
}

# poke FILE OFFSET OCTAL-BYTES: overwrite bytes in place.
poke() {
    printf "$3" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

# ---- 1. ember-img create -> qemu-img check / info ----------------------------
for o in "" "cluster_size=4k" "cluster_size=2M" "compat=0.10" \
         "refcount_bits=1" "refcount_bits=64,cluster_size=512" \
         "refcount_bits=8" "lazy_refcounts=on" "preallocation=metadata" \
         "preallocation=falloc" "preallocation=full"; do
    rm -f c.qcow2
    "$E" create -q -f qcow2 ${o:+-o $o} c.qcow2 64M || fail "create $o"
    qcheck c.qcow2
    qemu-img info --output=json c.qcow2 | grep -v actual-size > q.json
    "$E" info --output=json c.qcow2 | grep -v actual-size > e.json
    cmp -s q.json e.json || fail "info --output=json differs for '$o'"
    qemu-img info c.qcow2 | grep -v "disk size" > q.txt
    "$E" info c.qcow2 | grep -v "disk size" > e.txt
    cmp -s q.txt e.txt || fail "info differs for '$o'"
done
ok "ember-img create: qemu-img check clean, info identical (11 variants)"

"$E" create -q -f qcow2 base.qcow2 32M || fail "create base"
"$E" create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2 || fail "create top"
qcheck top.qcow2
qemu-img info top.qcow2 | grep -q "backing file: base.qcow2" ||
    fail "backing file not recorded"
[ "$(qemu-img info --output=json top.qcow2 | grep virtual-size)" = \
  '    "virtual-size": 33554432,' ] || fail "size not taken from backing"
ok "ember-img create -b -F: backing file and size as qemu-img sees them"

# ---- 2. Ember's block layer writes -> qemu-img check / compare --------------
writer_case() {   # name, create-opts, writer-opts
    rm -f w.img ref.raw
    "$E" create -q -f qcow2 $2 w.img 48M || fail "$1: create"
    truncate -s 48M ref.raw
    "$W" --seed 7 --ops 800 --depth 8 --ref ref.raw --verify $3 w.img ||
        fail "$1: block-writer"
    qcheck w.img
    qemu-img compare -f qcow2 -F raw w.img ref.raw >/dev/null ||
        fail "$1: qemu-img compare"
    ok "block layer writes ($1): qemu-img check clean, data identical"
}
# cache=unsafe where the flush path is not the point: syncs are slow.
writer_case "qcow2 64k" "" ""
writer_case "qcow2 512-byte clusters" "-o cluster_size=512" \
    "--max-len 65536 --cache unsafe"
writer_case "qcow2 2M clusters" "-o cluster_size=2M" "--cache unsafe"
writer_case "qcow2 v2" "-o compat=0.10" "--cache unsafe"
writer_case "qcow2 1-bit refcounts" "-o refcount_bits=1" "--cache unsafe"
writer_case "qcow2 cache=none" "" "--cache none"
writer_case "qcow2 writethrough" "" "--cache writethrough --ops 200"
writer_case "qcow2 discard=unmap" "" "--discard --cache unsafe"

# with a backing file made by qemu-io
rm -f b.qcow2 o.qcow2 ref.raw
qemu-img create -q -f qcow2 b.qcow2 48M
qemu-io -c 'write -P 0x5a 0 20M' -c 'write -P 0xa5 30M 3M' b.qcow2 >/dev/null
qemu-img create -q -f qcow2 -b b.qcow2 -F qcow2 o.qcow2
qemu-img convert -O raw b.qcow2 ref.raw
"$W" --seed 11 --ops 1500 --depth 8 --ref ref.raw --verify o.qcow2 ||
    fail "backing: block-writer"
qcheck o.qcow2
qcheck b.qcow2
qemu-img compare o.qcow2 ref.raw >/dev/null || fail "backing: compare"
ok "block layer writes over a backing file: COW correct, check clean"

# raw
rm -f r.raw ref.raw
truncate -s 16M r.raw
truncate -s 16M ref.raw
"$W" --format raw --seed 3 --ops 800 --ref ref.raw --verify r.raw ||
    fail "raw writer"
cmp -s r.raw ref.raw || fail "raw data"
ok "block layer writes to raw: identical"

# ---- 3. qemu-made images read back identically ------------------------------
mk_qemu_images() {
    qemu-img create -q -f qcow2 q1.qcow2 40M
    qemu-io -c 'write -P 0x11 0 3M' -c 'write -P 0x22 5000k 100k' \
            -c 'write -z 8M 1M' -c 'write -P 0x33 39M 1M' \
            -c 'write -P 0x44 12345k 1k' q1.qcow2 >/dev/null
    qemu-img create -q -f qcow2 -b q1.qcow2 -F qcow2 q2.qcow2
    qemu-io -c 'write -P 0x55 1M 4k' -c 'write -P 0x66 10M 200k' \
            -c 'write -z 0 64k' -c 'discard 2M 64k' q2.qcow2 >/dev/null
    qemu-img create -q -f qcow2 -b q2.qcow2 -F qcow2 q3.qcow2 50M
    qemu-io -c 'write -P 0x77 45M 1M' -c 'write -P 0x78 100k 7k' \
            q3.qcow2 >/dev/null
    qemu-img convert -c -O qcow2 q3.qcow2 qc.qcow2
    qemu-img convert -O qcow2 -o compat=0.10 q2.qcow2 qv2.qcow2
    qemu-img convert -O qcow2 -o cluster_size=512 q2.qcow2 q512.qcow2
    qemu-img convert -O qcow2 -o cluster_size=2M,refcount_bits=8 q2.qcow2 \
            q2m.qcow2
    qemu-img convert -c -O qcow2 -o cluster_size=4k q2.qcow2 qc4k.qcow2
    cp q1.qcow2 qsn.qcow2
    qemu-img snapshot -c first qsn.qcow2
    qemu-io -c 'write -P 0x99 1M 1M' qsn.qcow2 >/dev/null
    qemu-img snapshot -c second qsn.qcow2
    qemu-io -c 'write -P 0x9a 1500k 1M' qsn.qcow2 >/dev/null
    qemu-img create -q -f raw qraw.img 5M
    qemu-io -f raw -c 'write -P 0x12 1M 1M' qraw.img >/dev/null
}
mk_qemu_images
for i in q1 q2 q3 qc qv2 q512 q2m qc4k qsn; do
    qemu-img convert -O raw $i.qcow2 $i.ref
    "$E" convert -O raw $i.qcow2 $i.out || fail "ember-img convert $i"
    cmp -s $i.ref $i.out || fail "$i: ember-img convert -O raw differs"
    "$E" compare $i.qcow2 $i.ref >/dev/null || fail "$i: ember-img compare"
done
ok "qemu-made images (backing chain, compressed, zero, v2, 512/2M/4k clusters, snapshots) read back identically (9 images)"
for i in q1 q2 q3 qv2 q512 q2m qsn qraw; do
    case $i in qraw) f=qraw.img ;; *) f=$i.qcow2 ;; esac
    qemu-img map --output=json $f > q.map
    "$E" map --output=json $f > e.map
    cmp -s q.map e.map || fail "$i: map --output=json differs"
done
ok "ember-img map --output=json matches qemu-img map (8 images)"
for i in q3 qc qv2 qsn; do
    qemu-img info --output=json $i.qcow2 | grep -v actual-size > q.json
    "$E" info --output=json $i.qcow2 | grep -v actual-size > e.json
    cmp -s q.json e.json || fail "$i: info --output=json differs"
    qemu-img snapshot -l $i.qcow2 > q.txt
    "$E" snapshot -l $i.qcow2 > e.txt
    cmp -s q.txt e.txt || fail "$i: snapshot -l differs"
done
ok "ember-img info and snapshot -l match qemu-img (4 images)"

# ---- 4. convert output checked by qemu-img --------------------------------
for o in "" "-c" "-o cluster_size=512" "-o compat=0.10" "-c -o cluster_size=4k"; do
    rm -f cv.qcow2
    "$E" convert $o -O qcow2 q3.qcow2 cv.qcow2 || fail "convert $o"
    qcheck cv.qcow2
    qemu-img compare cv.qcow2 q3.ref >/dev/null || fail "convert $o: data"
done
ok "ember-img convert -O qcow2 [-c]: qemu-img check clean, data identical"

# ---- 5. check agreement on damaged images ------------------------------------
# Layout of the image below: refcount block at 0x20000, L1 at 0x30000,
# L2 table at 0x40000, data clusters 5, 7, 8; cluster 6 freed by the
# discard (a hole inside the file).
damage() {   # name, poke offset, octal bytes, expected exit code
    rm -f d.qcow2
    qemu-img create -q -f qcow2 d.qcow2 64M
    qemu-io -c 'write -P 0x42 0 192k' -c 'write -P 0x43 1M 64k' \
            -c 'discard 64k 64k' d.qcow2 >/dev/null
    poke d.qcow2 "$2" "$3"
    qemu-img check d.qcow2 >q.out 2>&1; qrc=$?
    "$E" check d.qcow2 >e.out 2>&1; erc=$?
    [ $qrc = "$4" ] || fail "$1: qemu-img check exit $qrc, expected $4"
    [ $erc = $qrc ] || fail "$1: ember-img check exit $erc, qemu-img $qrc"
    qemu-img check --output=json d.qcow2 2>/dev/null |
        grep -E '"(leaks|corruptions)"' > q.cnt
    "$E" check --output=json d.qcow2 2>/dev/null |
        grep -E '"(leaks|corruptions)"' > e.cnt
    cmp -s q.cnt e.cnt || fail "$1: counts differ: $(cat q.cnt) / $(cat e.cnt)"
    cp d.qcow2 d2.qcow2
    "$E" check -q -r all d.qcow2 >/dev/null 2>&1
    qcheck d.qcow2
    qemu-img check -q -r all d2.qcow2 >/dev/null 2>&1
    qemu-img check d2.qcow2 >/dev/null 2>&1; qrc2=$?
    "$E" check d2.qcow2 >/dev/null 2>&1; erc2=$?
    [ $erc2 = $qrc2 ] || fail "$1: after qemu-img's repair: ember-img check exit $erc2, qemu-img $qrc2"
    ok "damaged image ($1): both checks exit $qrc with the same counts; ember-img -r all passes qemu-img check; both agree on qemu-img's repair"
}
# leak: refcount 1 on cluster 6 (free, inside the file)
damage "leaked cluster" $((0x20000 + 6 * 2)) '\000\001' 3
# leak: refcount 2 on a data cluster (also an OFLAG_COPIED error)
damage "refcount too high" $((0x20000 + 5 * 2)) '\000\002' 2
# corruption: refcount 0 on a used data cluster
damage "refcount zero" $((0x20000 + 5 * 2)) '\000\000' 2
# corruption: refcount 0 on the L2 table
damage "L2 refcount zero" $((0x20000 + 4 * 2)) '\000\000' 2
# corruption: unaligned data cluster offset in the L2 table
damage "unaligned L2 entry" $((0x40000 + 6)) '\002' 2

# lazy refcounts: a dirty image is repaired when opened for writing
rm -f l.qcow2
"$E" create -q -f qcow2 -o lazy_refcounts=on l.qcow2 32M
"$W" --seed 5 --ops 0 l.qcow2 & wp=$!
PIDS="$wp"
sleep 1
kill -9 $wp; wait $wp 2>/dev/null; PIDS=""
qemu-img info l.qcow2 | grep -q "cleanly shut down: no" ||
    qemu-img info --output=json l.qcow2 | grep -q '"dirty-flag": true' ||
    fail "lazy refcounts: image not marked dirty after a kill"
"$W" --seed 6 --ops 10 l.qcow2 || fail "lazy: reopen"
qcheck l.qcow2
ok "lazy refcounts: killed writer leaves the dirty bit; Ember repairs on open"

# ---- 6. locking ---------------------------------------------------------------
rm -f k.qcow2
qemu-img create -q -f qcow2 k.qcow2 16M
# Wait for qemu-io's lock by looking at /proc/locks: probing with
# qemu-img info would hold a shared lock at the moment qemu-io opens
# the image and make qemu-io fail ("Failed to get write lock").
# Byte 101 is qemu's "write" permission lock, held while the image
# is open for writing.
ino=$(stat -c %i k.qcow2)
locked() { grep -q ":$ino 100 101\$\|:$ino 101 101\$" /proc/locks; }
for try in 1 2 3; do
    qemu-io -c 'sleep 120000' k.qcow2 >/dev/null 2>qio.err & qp=$!
    PIDS="$qp"
    for i in $(seq 300); do
        locked && break
        kill -0 $qp 2>/dev/null || break
        sleep 0.1
    done
    locked && break
    kill $qp 2>/dev/null; wait $qp 2>/dev/null; PIDS=""
done
locked || fail "qemu-io did not lock the image: $(cat qio.err)"
"$E" info k.qcow2 >/dev/null 2>e.out && fail "ember-img info ignored qemu-io's lock"
grep -q 'Failed to get shared "write" lock' e.out || fail "lock message: $(cat e.out)"
"$E" info -U k.qcow2 >/dev/null || fail "ember-img info -U"
"$W" --ops 1 k.qcow2 2>e.out && fail "block-writer ignored qemu-io's lock"
grep -q 'Failed to get "write" lock' e.out || fail "lock message: $(cat e.out)"
kill $qp; wait $qp 2>/dev/null; PIDS=""
"$W" --hold 20 k.qcow2 > hold.out & wp=$!
PIDS="$wp"
for i in $(seq 300); do grep -q ready hold.out && break; sleep 0.1; done
grep -q ready hold.out || fail "block-writer --hold did not get ready"
qemu-img info k.qcow2 >/dev/null 2>q.out && fail "qemu-img ignored Ember's lock"
grep -q 'Failed to get shared "write" lock' q.out || fail "qemu lock message"
qemu-io -c 'read 0 512' k.qcow2 >/dev/null 2>q.out && fail "qemu-io ignored Ember's lock"
qemu-img info -U k.qcow2 >/dev/null || fail "qemu-img info -U"
"$E" info k.qcow2 >/dev/null 2>&1 && fail "ember-img ignored Ember's lock"
kill $wp; wait $wp 2>/dev/null; PIDS=""
"$W" --read-only --hold 20 k.qcow2 > hold.out & wp=$!
PIDS="$wp"
for i in $(seq 300); do grep -q ready hold.out && break; sleep 0.1; done
grep -q ready hold.out || fail "block-writer --hold did not get ready"
qemu-img info k.qcow2 >/dev/null || fail "two readers must coexist"
qemu-io -c 'write 0 512' k.qcow2 >/dev/null 2>&1 && fail "qemu-io wrote under Ember's reader"
kill $wp; wait $wp 2>/dev/null; PIDS=""
ok "image locking: Ember and qemu-img/qemu-io see each other's locks"

# ---- 7. snapshots, commit, rebase, resize --------------------------------------
cp q1.qcow2 s.qcow2
"$E" snapshot -c one s.qcow2 || fail "snapshot -c"
qemu-io -c 'write -P 0xee 0 1M' s.qcow2 >/dev/null
qcheck s.qcow2
qemu-img snapshot -l s.qcow2 | grep -q " one " || fail "qemu-img does not see the snapshot"
"$E" snapshot -a one s.qcow2 || fail "snapshot -a"
qemu-img compare s.qcow2 q1.qcow2 >/dev/null || fail "snapshot -a: data"
"$E" snapshot -d one s.qcow2 || fail "snapshot -d"
qcheck s.qcow2
qemu-img snapshot -d first qsn.qcow2
qcheck qsn.qcow2
"$E" check qsn.qcow2 >/dev/null || fail "ember-img check after qemu snapshot -d"
ok "snapshots: create/apply/delete interoperate with qemu-img"

cp q1.qcow2 cb.qcow2
qemu-img create -q -f qcow2 -b cb.qcow2 -F qcow2 ct.qcow2
qemu-io -c 'write -P 0xc1 1M 100k' -c 'write -z 2M 64k' ct.qcow2 >/dev/null
qemu-img convert -O raw ct.qcow2 ct.ref
"$E" commit ct.qcow2 >/dev/null || fail "commit"
qcheck cb.qcow2
qcheck ct.qcow2
qemu-img compare cb.qcow2 ct.ref >/dev/null || fail "commit: base content"
qemu-img compare ct.qcow2 ct.ref >/dev/null || fail "commit: top content"
ok "commit: base holds the overlay's data; both pass qemu-img check"

qemu-img create -q -f qcow2 nb.qcow2 40M
qemu-io -c 'write -P 0x01 0 1M' nb.qcow2 >/dev/null
qemu-img convert -O raw q2.qcow2 q2r.ref
cp q2.qcow2 rb.qcow2
"$E" rebase -b nb.qcow2 -F qcow2 rb.qcow2 || fail "rebase"
qcheck rb.qcow2
qemu-img info rb.qcow2 | grep -q "backing file: nb.qcow2" || fail "rebase: header"
qemu-img compare rb.qcow2 q2r.ref >/dev/null || fail "rebase: content changed"
"$E" rebase -u -b q1.qcow2 -F qcow2 rb.qcow2 || fail "rebase -u"
qemu-img info rb.qcow2 | grep -q "backing file: q1.qcow2" || fail "rebase -u: header"
ok "rebase (safe and -u): content kept, qemu-img sees the new backing file"

cp q1.qcow2 rz.qcow2
"$E" resize -q rz.qcow2 +1G || fail "resize grow"
qcheck rz.qcow2
[ "$(qemu-img info --output=json rz.qcow2 | grep virtual-size)" = \
  '    "virtual-size": 1115684864,' ] || fail "resize: size"
qemu-img compare rz.qcow2 q1.qcow2 >/dev/null || fail "resize: data"
"$E" resize -q --shrink rz.qcow2 20M || fail "resize shrink"
qcheck rz.qcow2
"$E" resize -q rz.qcow2 10M 2>/dev/null && fail "shrink without --shrink"
ok "resize (grow, --shrink): qemu-img check clean, data kept"

echo "interop: $n checks passed"
exit 0
