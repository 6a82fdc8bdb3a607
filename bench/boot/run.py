#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot Debian's kernel with a busybox initramfs under Ember's TCG and
QEMU's TCG in the same run, with the same kernel, initramfs, -m, -smp
and command line, and print:

  boot-to-init: ember 2.41 s, qemu 5.67 s, ratio 0.43
  boot-to-poweroff: ...
  cpu-job: ...
  geomean: ratio 0.52

  bench/boot/run.py [--build DIR | --ember PATH] [--qemu PATH]
                    [--runs N] [--smp N] [--thread single|multi]
                    [--mem MIB] [--lines N] [--reps N]

boot-to-init   wall time from exec to the line EMBER-INIT-OK on the
               serial console (read as it streams); QEMU runs its
               firmware (SeaBIOS) first, Ember enters the kernel directly
boot-to-poweroff  from exec to the process's exit after the guest's
               `poweroff -f` (the job below included)
cpu-job        wall time between the guest's BOOT-JOB-START and
               BOOT-JOB-END lines as they reach the host: one awk LCG
               + sha256sum job per guest CPU (tests/functional/boot/
               guest-main.sh); every hash is checked against Python's

Each number is the median of --runs runs (ember and qemu alternate);
ratio = ember / qemu (below 1: Ember is faster); geomean is the
geometric mean of the three ratios. The same three follow as CPU time
(user + system, all threads) of the emulator process over the same
spans, ".../cpu": waiting for a CPU on a shared machine does not
inflate those, so they are the numbers to compare on a busy host.
"""
import argparse
import math
import os
import resource
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(SRC, 'tests', 'functional', 'boot'))
import linuxguest  # noqa: E402

TIMEOUT = 600   # per run; a hung guest ends the benchmark with an error


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def one_run(binary, kernel, initrd, a):
    """{'boot-to-init', 'boot-to-poweroff', 'cpu-job', 'cpu-time'} of one
    run, or RuntimeError."""
    append = 'ember_lines=%d ember_reps=%d ember_end=poweroff' % \
        (a.lines, a.reps)
    cmd = linuxguest.command(binary, kernel, initrd, smp=a.smp, mem=a.mem,
                             append=append)
    if a.thread:
        cmd[cmd.index('tcg')] = 'tcg,thread=' + a.thread
    before = cpu_seconds()
    g = linuxguest.Guest(cmd)
    try:
        t_init, m = g.wait_for(linuxguest.MARKER.pattern, TIMEOUT)
        if m is None:
            raise RuntimeError('no init marker')
        c_init = g.match_cpu
        if int(m.group(2)) != a.smp:
            raise RuntimeError('init saw %s CPUs, not %d' %
                               (m.group(2), a.smp))
        t_start, m = g.wait_for(r'BOOT-JOB-START', TIMEOUT)
        if m is None:
            raise RuntimeError('the job did not start')
        c_start = g.match_cpu
        hashes = {}
        for _ in range(a.smp):
            _, m = g.wait_for(r'BOOT-SHA256: ([0-9a-f]{64}) seed=(\d+)',
                              TIMEOUT)
            if m is None:
                raise RuntimeError('a job printed no hash')
            hashes[int(m.group(2))] = m.group(1)
        t_end, m = g.wait_for(r'BOOT-JOB-END', TIMEOUT)
        if m is None:
            raise RuntimeError('the job did not end')
        c_end = g.match_cpu
        status, t_exit = g.finish(TIMEOUT)
        if status != 0:
            raise RuntimeError('exit status %s after poweroff' % status)
    except RuntimeError as e:
        tail = '\n'.join('  ' + t for t in g.text()[-15:])
        raise RuntimeError('%s: %s\n%s' % (os.path.basename(binary), e,
                                           tail))
    finally:
        g.kill()
    for seed in range(1, a.smp + 1):
        if hashes.get(seed) != a.want[seed]:
            raise RuntimeError('%s: the job with seed %d computed %s, not '
                               '%s' % (os.path.basename(binary), seed,
                                       hashes.get(seed), a.want[seed]))
    return {'boot-to-init': t_init, 'boot-to-poweroff': t_exit,
            'cpu-job': t_end - t_start,
            'boot-to-init/cpu': c_init,
            'boot-to-poweroff/cpu': cpu_seconds() - before,
            'cpu-job/cpu': c_end - c_start}


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def skip(why):
    """Cannot run here (no peer, no kernel): say why; run-all.sh lists
    status 77 as skipped, not failed."""
    print('bench/boot: SKIP: %s' % why, flush=True)
    return 77


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(SRC, 'build'))
    ap.add_argument('--ember', help='default: BUILD/ember-system-x86_64')
    ap.add_argument('--qemu', default=os.environ.get('QEMU') or
                    shutil.which('qemu-system-x86_64'))
    ap.add_argument('--runs', type=int,
                    default=int(os.environ.get('BENCH_RUNS', 3)))
    ap.add_argument('--smp', type=int, default=1)
    ap.add_argument('--thread', choices=('single', 'multi'),
                    help='-accel tcg,thread=... for both emulators '
                    '(default: each one\'s own)')
    ap.add_argument('--mem', type=int, default=256, help='-m, MiB')
    ap.add_argument('--lines', type=int, default=16384,
                    help='numbers awk generates per job')
    ap.add_argument('--reps', type=int, default=64,
                    help='times the block goes through sha256sum')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='print every run')
    a = ap.parse_args()
    ember = a.ember or os.path.join(a.build, 'ember-system-x86_64')
    if not os.path.exists(ember):
        sys.exit('bench/boot: no %s (build first, or --ember)' % ember)
    if not a.qemu or not os.path.exists(a.qemu):
        return skip('qemu-system-x86_64 not found (--qemu; '
                    'apt-get install qemu-system-x86)')
    try:
        kernel = linuxguest.fetch_kernel()
    except linuxguest.Skip as e:
        return skip(e)
    a.want = {s: linuxguest.job_sha256(a.lines, a.reps, s)
              for s in range(1, a.smp + 1)}
    print('bench/boot: %s, -m %d -smp %d, job %d lines x %d, %d run(s)' %
          (os.path.basename(kernel), a.mem, a.smp, a.lines, a.reps,
           a.runs), flush=True)
    res = {'ember': [], 'qemu': []}
    with tempfile.TemporaryDirectory(prefix='ember-bench-boot-') as d:
        initrd = os.path.join(d, 'initrd.gz')
        try:
            linuxguest.build_initrd(initrd)
        except linuxguest.Skip as e:
            return skip(e)
        for i in range(a.runs):
            for name, binary in (('ember', ember), ('qemu', a.qemu)):
                try:
                    r = one_run(binary, kernel, initrd, a)
                except RuntimeError as e:
                    sys.exit('bench/boot: %s' % e)
                res[name].append(r)
                if a.verbose:
                    print('  run %d %s: %s' % (i + 1, name, ', '.join(
                        '%s %.2f' % kv for kv in r.items())), flush=True)
    for suffix in ('', '/cpu'):
        ratios = []
        for key in ('boot-to-init', 'boot-to-poweroff', 'cpu-job'):
            e = median([r[key + suffix] for r in res['ember']])
            q = median([r[key + suffix] for r in res['qemu']])
            ratio = e / q if q > 0 else float('inf')
            ratios.append(ratio)
            print('%s: ember %.2f s, qemu %.2f s, ratio %.2f' %
                  (key + suffix, e, q, ratio), flush=True)
        geo = math.exp(sum(math.log(max(r, 1e-9)) for r in ratios) /
                       len(ratios))
        print('geomean%s: ratio %.2f' % (suffix, geo))
    return 0


if __name__ == '__main__':
    sys.exit(main())
