#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""In-guest disk throughput, Ember vs QEMU (both TCG), raw and qcow2.

  bench/block/guest.py [--ember PATH] [--qemu PATH] [--runs N]
                       [--size-mb MB] [--rand-mb MB] [--cache MODE]

One Linux guest (Debian's kernel, busybox, virtio_blk; see
tests/functional/block/blkguest.py) per run with two virtio disks of the
same size, vda raw and vdb qcow2 (fresh, sparse images made by qemu-img),
and the same -drive options under both emulators. In the guest,
blkbench (bench/block/blkbench.c, built static here) measures with
O_DIRECT, each test on vda then vdb:

  seq-write-new   1 MiB writes over the whole empty disk (allocation)
  seq-write       the same again (clusters exist: the steady state)
  seq-read        1 MiB reads over the whole disk
  rand-read-4k    4 KiB reads at seeded random aligned offsets
  rand-write-4k   4 KiB writes at seeded random aligned offsets

Runs alternate Ember and QEMU; medians are printed with the ratio
ember/qemu (above 1: Ember is faster) and qcow2/raw for each emulator.
The guest clock is the emulator's virtual clock (wall clock based under
TCG), so guest-measured times are wall times.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'functional',
                                'block'))
import blkguest  # noqa: E402

TESTS = [('seq-write-new', 'seqwrite', 'seq'), ('seq-write', 'seqwrite', 'seq'),
         ('seq-read', 'seqread', 'seq'), ('rand-read-4k', 'randread', 'rand'),
         ('rand-write-4k', 'randwrite', 'rand')]

GUEST = r'''
seq=$(arg seqbytes)
rnd=$(arg randbytes)
run() {     # label disk mode bs bytes seed
    r=$(/bin/blkbench /dev/$2 $3 $4 $5 $6) || fail "blkbench $*"
    echo "BLK-RESULT: $1 $2 $r"
}
'''


def guest_script(reps):
    """seq-write-new once (it needs empty disks), then reps rounds of the
    others; raw and qcow2 alternate so that both see the same load."""
    lines = [GUEST]
    for rep in range(reps):
        for i, (label, mode, kind) in enumerate(TESTS):
            if rep and label == 'seq-write-new':
                continue
            for d in ('vda', 'vdb'):
                if kind == 'seq':
                    lines.append('run %s %s %s 1048576 $seq 1' %
                                 (label, d, mode))
                else:
                    lines.append('run %s %s %s 4096 $rnd %d' %
                                 (label, d, mode, rep * 10 + i + 1))
    lines.append('echo "BLK-DONE: ok"')
    return '\n'.join(lines) + '\n'


def one_run(binary, kern, initrd, work, args, log):
    """{(test, 'raw'|'qcow2'): [MB/s, ...]} of one guest run on fresh
    images."""
    raw = os.path.join(work, 'disk.raw')
    qcow2 = os.path.join(work, 'disk.qcow2')
    for f in (raw, qcow2):
        if os.path.exists(f):
            os.unlink(f)
    with open(raw, 'wb') as f:
        f.truncate(args.size_mb << 20)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', qcow2,
                    '%dM' % args.size_mb], check=True)
    append = 'seqbytes=%d randbytes=%d' % (args.size_mb << 20,
                                           args.rand_mb << 20)
    drives = ['file=%s,format=raw,cache=%s' % (raw, args.cache),
              'file=%s,format=qcow2,cache=%s' % (qcow2, args.cache)]
    cmd = blkguest.emulator_cmd(binary, kern, initrd, append, drives)
    g = blkguest.Guest(cmd, log)
    res = {}
    try:
        if not g.wait_for(r'EMBER-INIT-OK', 300):
            raise RuntimeError('%s: the guest did not boot' % binary)
        while True:
            line = g.wait_for(r'^BLK-(RESULT|DONE)', 900)
            if not line or 'BLK-FAIL' in line:
                raise RuntimeError('%s: %s' % (binary, line))
            if line.startswith('BLK-DONE'):
                break
            # BLK-RESULT: label disk BLKBENCH mode bs bytes secs MB/s IOPS
            w = line.split()
            key = (w[1], 'raw' if w[2] == 'vda' else 'qcow2')
            res.setdefault(key, []).append(float(w[8]))
        g.finish(60)
    finally:
        g.kill()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ember', default='build/ember-system-x86_64')
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--size-mb', type=int, default=512)
    ap.add_argument('--rand-mb', type=int, default=16,
                    help='bytes per random test (4 KiB requests)')
    ap.add_argument('--reps', type=int, default=3,
                    help='rounds of the tests in each guest')
    ap.add_argument('--cache', default='writeback')
    ap.add_argument('--log')
    args = ap.parse_args()
    for tool in (args.qemu, 'qemu-img', 'gcc'):
        if not shutil.which(tool):
            print('SKIP: %s is not installed' % tool)
            return 77
    log = open(args.log, 'w') if args.log else None
    work = tempfile.mkdtemp(prefix='ember-bench-blk-', dir='/var/tmp')
    try:
        kern = blkguest.kernel()
        prog = os.path.join(work, 'blkbench')
        subprocess.run(['gcc', '-O2', '-static', '-o', prog,
                        os.path.join(HERE, 'blkbench.c')], check=True)
        initrd = os.path.join(work, 'initrd.gz')
        blkguest.build_initrd(initrd, guest_script(args.reps),
                              [(prog, '/bin/blkbench')])
        runs = {'ember': [], 'qemu': []}
        for r in range(args.runs):
            for name, binary in (('ember', args.ember), ('qemu', args.qemu)):
                res = one_run(binary, kern, initrd, work, args, log)
                runs[name].append(res)
                print('run %d %s: %s' % (r + 1, name, ' '.join(
                    '%s/%s=%s' % (t, f, ','.join('%.0f' % x for x in v))
                    for (t, f), v in sorted(res.items()))), flush=True)
    except blkguest.Skip as e:
        print('SKIP: %s' % e)
        return 77
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if log:
            log.close()

    def med(name, test, fmt):
        return statistics.median(x for r in runs[name]
                                 for x in r[(test, fmt)])

    def ratio(name, test):
        # qcow2/raw of each adjacent pair (same guest, same moment)
        return statistics.median(q / w for r in runs[name]
                                 for w, q in zip(r[(test, 'raw')],
                                                 r[(test, 'qcow2')]))

    print('\nMB/s in the guest (O_DIRECT), %d MiB disks, cache=%s, median '
          'of %d runs x %d rounds; 4 KiB random: %d MiB per test' %
          (args.size_mb, args.cache, args.runs, args.reps, args.rand_mb))
    print('%-14s %-6s %9s %9s %7s' % ('test', 'format', 'ember', 'qemu',
                                       'ratio'))
    for test, _, _ in TESTS:
        for fmt in ('raw', 'qcow2'):
            e, q = med('ember', test, fmt), med('qemu', test, fmt)
            print('%-14s %-6s %9.1f %9.1f %7.2f' % (test, fmt, e, q, e / q))
    print('\nqcow2/raw, median of adjacent pairs (1.00: as fast as raw)')
    for test, _, _ in TESTS:
        print('%-14s ember %.2f  qemu %.2f' % (test, ratio('ember', test),
                                               ratio('qemu', test)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
