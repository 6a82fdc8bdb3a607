#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Disks with a real Linux guest (Debian's kernel, busybox, virtio_blk,
ext4 mounting ext2) under TCG. Two boots on the same images:

  boot 1  vda raw, vdb qcow2: mke2fs, files of random data written, their
          SHA-256 list kept; 1 MiB of random data dd'd at 40 MiB of each
          disk (outside the file system) -- the host reads it back from
          the raw file and through qemu-img convert of the qcow2 and the
          checksums match the guest's. vdc (read-only): a qcow2 overlay
          qemu-img made over a backing file, with compressed clusters,
          zero clusters and unallocated ranges (filled by qemu-io); the
          guest's checksum of the whole disk matches qemu-img convert's.
          After the guest powers off, qemu-img check and ember-img check
          find the qcow2 clean (no leaks either).
  boot 2  vda and vdb read-only: the files and the data at 40 MiB read
          back unchanged. vdd, a qcow2 with 4 KiB clusters (many L2
          tables and refcount blocks): the guest writes 64 KiB at random
          offsets with discards and fsyncs in between, and Ember gets
          SIGKILL after N reported rounds; qemu-img check and ember-img
          check then find no corruption (leaks allowed).

  test-block-linux.py [--emulator PATH] [--kind ember|qemu] [--kills N]

--kills N repeats the kill of boot 2 N times on the same image (the
'slow' suite runs more). With --kind qemu the same guest runs under
qemu-system-x86_64, which is how the guest side is checked. Exit status:
0 pass, 1 fail, 77 skip (no kernel or tools, no boot).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blkguest  # noqa: E402

BOOT_TIMEOUT = 180
STEP_TIMEOUT = 180
MiB = 1 << 20
DISK_MB = 64
PATTERN_OFF = 40 * MiB

GUEST = r'''
phase=$(arg phase)
mkdir -p /mnt/vda /mnt/vdb
for d in vda vdb vdc; do
    [ -b /dev/$d ] || fail "no /dev/$d"
done
if [ "$phase" = write ]; then
    for d in vda vdb; do
        mke2fs -q /dev/$d 32768 >/dev/null || fail "mke2fs $d"
        mount -t ext2 /dev/$d /mnt/$d || { fail "mount $d"; continue; }
        mkdir -p /mnt/$d/dir/sub
        head -c 3145728 /dev/urandom > /mnt/$d/big
        for i in 1 2 3 4 5 6 7 8; do
            head -c $((i * 4099)) /dev/urandom > /mnt/$d/dir/f$i
        done
        head -c 70000 /dev/urandom > /mnt/$d/dir/sub/deep
        (cd /mnt/$d && find . -type f | sort | xargs sha256sum) \
            > /tmp/sums.$d
        umount /mnt/$d || fail "umount $d"
        echo "BLK-FILES: $d $(wc -l < /tmp/sums.$d) $(sha256sum < /tmp/sums.$d)"
        head -c 1048576 /dev/urandom > /tmp/pat
        dd if=/tmp/pat of=/dev/$d bs=65536 seek=640 conv=fsync 2>/dev/null \
            || fail "dd to $d"
        echo "BLK-PATTERN: $d $(sha256sum < /tmp/pat)"
    done
    echo "BLK-VDC: $(sha256sum < /dev/vdc)"
    echo "BLK-DONE: ok"
    sync
else
    for d in vda vdb; do
        mount -t ext2 -o ro /dev/$d /mnt/$d || { fail "mount $d"; continue; }
        (cd /mnt/$d && find . -type f | sort | xargs sha256sum) > /tmp/s
        echo "BLK-FILES: $d $(wc -l < /tmp/s) $(sha256sum < /tmp/s)"
        umount /mnt/$d
        echo "BLK-PATTERN: $d $(dd if=/dev/$d bs=65536 skip=640 count=16 \
            2>/dev/null | sha256sum)"
    done
    echo "BLK-VDC: $(sha256sum < /dev/vdc)"
    # The kill target: random 64 KiB writes (new clusters and L2
    # tables), discards (deferred frees), fsyncs (flushes).
    [ -b /dev/vdd ] || fail "no /dev/vdd"
    sectors=$(cat /sys/block/vdd/size)
    chunks=$((sectors / 128))
    head -c 65536 /dev/urandom > /tmp/chunk
    n=0
    while :; do
        n=$((n + 1))
        for i in 1 2 3 4; do
            dd if=/tmp/chunk of=/dev/vdd bs=65536 seek=$((RANDOM % chunks)) \
                conv=notrunc 2>/dev/null
        done
        # Reported before the flush: the kill lands with dirty metadata.
        echo "BLK-ROUND: $n"
        blkdiscard -o $(((RANDOM % chunks) * 65536)) -l 131072 /dev/vdd \
            2>/dev/null
        dd if=/tmp/chunk of=/dev/vdd bs=65536 seek=$((RANDOM % chunks)) \
            conv=fsync 2>/dev/null
    done
fi
'''

results = []


def report(ok, what):
    results.append(ok)
    print('%s: %s' % ('PASS' if ok else 'FAIL', what), flush=True)


def sha256_file(path, off=0, size=None):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        f.seek(off)
        left = size if size is not None else (1 << 62)
        while left > 0:
            data = f.read(min(left, MiB))
            if not data:
                break
            h.update(data)
            left -= len(data)
    return h.hexdigest()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def expect(g, tag, name=''):
    """The words of the guest's next 'TAG: NAME ...' line after the tag;
    a BLK-FAIL line (reported) or none gives a list of empty strings, so
    nothing compares equal to a missing result."""
    line = g.wait_for(r'^%s: %s' % (tag, name), STEP_TIMEOUT)
    if not line or not line.startswith(tag + ':'):
        report(False, 'guest: %s (waiting for %s %s)' % (line, tag, name))
        return [''] * 4
    words = line.split()[1:]
    return words + [''] * 4


def make_backed_image(work):
    """vdc: base.qcow2 <- top.qcow2, written by qemu-io; the expected
    contents as a raw file made by qemu-img convert."""
    base = os.path.join(work, 'base.qcow2')
    top = os.path.join(work, 'top.qcow2')
    rnd = os.path.join(work, 'rnd.bin')
    txt = os.path.join(work, 'txt.bin')
    with open(rnd, 'wb') as f:
        f.write(os.urandom(4 * MiB))
    with open(txt, 'wb') as f:
        line = b'Ember block test: compressible text 0123456789abcdef\n'
        f.write((line * (4 * MiB // len(line) + 1))[:4 * MiB])
    steps = [
        ['qemu-img', 'create', '-q', '-f', 'qcow2', base, '16M'],
        ['qemu-io', '-f', 'qcow2', '-c', 'write -s %s 0 4M' % rnd,
         '-c', 'write -s %s 8M 4M' % txt, base],
        ['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base,
         '-F', 'qcow2', top],
        # compressed clusters over backed data and over holes, a zero
        # range hiding backing data, plain writes of partial clusters
        ['qemu-io', '-f', 'qcow2', '-c', 'write -c -s %s 1M 1M' % txt,
         '-c', 'write -c -s %s 5M 512k' % txt,
         '-c', 'write -z 2560k 512k', '-c', 'write -s %s 9M 4100' % rnd,
         '-c', 'write -P 0xa5 14M 33k', top],
        ['qemu-img', 'convert', '-O', 'raw', top,
         os.path.join(work, 'top.raw')],
    ]
    for cmd in steps:
        p = run(cmd)
        if p.returncode:
            raise RuntimeError('%s: %s' % (' '.join(cmd[:2]), p.stderr))
    # Make sure the image really has what the test claims to read.
    p = run(['qemu-img', 'check', '--output=json', top])
    import json
    info = json.loads(p.stdout)
    if not info.get('compressed-clusters'):
        raise RuntimeError('qemu-io made no compressed clusters')
    return top, sha256_file(os.path.join(work, 'top.raw'))


def check_image(args, img, allow_leaks, what):
    """qemu-img check and ember-img check on img."""
    for tool in ('qemu-img', args.ember_img):
        p = run([tool, 'check', '-f', 'qcow2', img])
        # 0 clean, 3 leaks only; 2 corruption, 1 error
        ok = p.returncode == 0 or (allow_leaks and p.returncode == 3)
        report(ok, '%s check %s: exit %d%s' %
               (os.path.basename(tool), what, p.returncode,
                '' if ok else '\n' + p.stdout + p.stderr))


def boot(args, kern, initrd, phase, drives, log):
    cmd = blkguest.emulator_cmd(args.emulator, kern, initrd,
                                'phase=' + phase, drives)
    g = blkguest.Guest(cmd, log)
    if not g.wait_for(r'EMBER-INIT-OK', BOOT_TIMEOUT):
        g.kill()
        raise blkguest.Skip('the guest did not reach init under %s in %d s'
                            % (args.kind, BOOT_TIMEOUT))
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--emulator', default=os.environ.get(
        'EMBER_SYSTEM', 'build/ember-system-x86_64'))
    ap.add_argument('--ember-img', default=os.environ.get('EMBER_IMG'))
    ap.add_argument('--kind', choices=['ember', 'qemu'], default='ember')
    ap.add_argument('--kills', type=int, default=1)
    ap.add_argument('--rounds', type=int, default=15,
                    help='guest write rounds seen before each SIGKILL')
    ap.add_argument('--keep', action='store_true',
                    help='keep the images (the directory is printed)')
    ap.add_argument('--log', help='write the guest consoles here')
    args = ap.parse_args()
    if args.kind == 'qemu' and args.emulator.endswith('ember-system-x86_64'):
        args.emulator = 'qemu-system-x86_64'
    if not args.ember_img:
        args.ember_img = os.path.join(os.path.dirname(args.emulator) or '.',
                                      'ember-img')
    log = open(args.log, 'w') if args.log else None
    work = tempfile.mkdtemp(prefix='ember-blk-linux-')
    if args.keep:
        print('images in ' + work)
    try:
        for tool in ('qemu-img', 'qemu-io'):
            if not shutil.which(tool):
                raise blkguest.Skip('%s (qemu-utils) is not installed' % tool)
        if not os.access(args.ember_img, os.X_OK):
            raise blkguest.Skip('no ember-img at ' + args.ember_img)
        kern = blkguest.kernel()
        initrd = os.path.join(work, 'initrd.gz')
        blkguest.build_initrd(initrd, GUEST)
        vda = os.path.join(work, 'vda.raw')
        vdb = os.path.join(work, 'vdb.qcow2')
        vdd = os.path.join(work, 'vdd.qcow2')
        with open(vda, 'wb') as f:
            f.truncate(DISK_MB * MiB)
        for img, opts in ((vdb, []), (vdd, ['-o', 'cluster_size=4096'])):
            p = run([args.ember_img, 'create', '-f', 'qcow2'] + opts +
                    [img, '%dM' % DISK_MB])
            if p.returncode:
                raise RuntimeError('ember-img create: ' + p.stderr)
        vdc, vdc_sha = make_backed_image(work)
        vdc_drive = 'file=%s,format=qcow2,readonly=on' % vdc

        # Boot 1: file systems, files, data at 40 MiB.
        g = boot(args, kern, initrd, 'write',
                 ['file=%s,format=raw' % vda, 'file=%s,format=qcow2' % vdb,
                  vdc_drive], log)
        files = {}
        guest_pat = {}
        try:
            for d in ('vda', 'vdb'):
                w = expect(g, 'BLK-FILES', d)
                files[d] = (w[1], w[2])
                report(w[1] == '10' and len(w[2]) == 64,
                       'boot 1: %s: mke2fs, mount, %s files written' %
                       (d, w[1]))
                guest_pat[d] = expect(g, 'BLK-PATTERN', d)[1]
            w = expect(g, 'BLK-VDC')
            report(w[0] == vdc_sha,
                   'boot 1: qcow2 with backing file and compressed '
                   'clusters reads as qemu-img sees it')
            report(expect(g, 'BLK-DONE')[0] == 'ok', 'boot 1: guest done')
            rc = g.finish(STEP_TIMEOUT)
            report(rc == 0, 'boot 1: poweroff, exit status %s' % rc)
        finally:
            g.kill()
        report(guest_pat['vda'] ==
               sha256_file(vda, PATTERN_OFF, MiB) != '',
               'raw: the guest\'s 1 MiB at 40 MiB is in the image file')
        vdb_raw = os.path.join(work, 'vdb.raw')
        p = run(['qemu-img', 'convert', '-O', 'raw', vdb, vdb_raw])
        report(p.returncode == 0 and guest_pat['vdb'] ==
               sha256_file(vdb_raw, PATTERN_OFF, MiB),
               'qcow2: the guest\'s 1 MiB at 40 MiB reads the same through '
               'qemu-img convert')
        os.unlink(vdb_raw)
        check_image(args, vdb, False, 'of the qcow2 after boot 1')

        # Boot 2 (and more kills): read back, then write until killed.
        for k in range(args.kills):
            g = boot(args, kern, initrd, 'verify',
                     ['file=%s,format=raw,readonly=on' % vda,
                      'file=%s,format=qcow2,readonly=on' % vdb, vdc_drive,
                      'file=%s,format=qcow2,discard=unmap' % vdd], log)
            rounds = 0
            try:
                if k == 0:
                    for d in ('vda', 'vdb'):
                        w = expect(g, 'BLK-FILES', d)
                        report((w[1], w[2]) == files[d] and len(w[2]) == 64,
                               'boot 2: %s: the %s files read back' %
                               (d, w[1]))
                        w = expect(g, 'BLK-PATTERN', d)
                        report(w[1] == guest_pat[d] != '',
                               'boot 2: %s data at 40 MiB read back' % d)
                    w = expect(g, 'BLK-VDC')
                    report(w[0] == vdc_sha, 'boot 2: backed qcow2 read again')
                # Kill points vary with k: a different number of rounds.
                want = args.rounds + 7 * k
                while rounds < want:
                    w = expect(g, 'BLK-ROUND')
                    if not w[0].isdigit():
                        break
                    rounds = int(w[0])
            finally:
                g.kill()    # SIGKILL, in the middle of a round
            report(rounds >= want, 'kill %d: SIGKILL after %d write rounds'
                   % (k + 1, rounds))
            check_image(args, vdd, True, 'after SIGKILL %d' % (k + 1))
    except blkguest.Skip as e:
        print('SKIP: %s' % e)
        return 77
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if log:
            log.close()
    print('%d/%d checks passed' % (sum(results), len(results)))
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
