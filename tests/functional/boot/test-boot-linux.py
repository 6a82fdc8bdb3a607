#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot Debian's kernel with a busybox initramfs (guest-main.sh as
/init.d/main) under TCG, three times:

  smp1  -smp 1, without -no-reboot: init's marker names the kernel's
        release and 1 CPU; /proc/cpuinfo lists 1 processor; the guest's
        CPU-bound job (awk LCG data through sha256sum) gives the SHA-256
        that Python computes here; the guest sets a CMOS RAM byte and
        runs `reboot -f`; the machine resets and boots again (a second
        marker, and the guest sees its CMOS byte: RAM that survives a
        reset); the second boot powers off; Ember exits with status 0.
  smp2  -smp 2 -no-reboot: the marker and /proc/cpuinfo say 2 CPUs,
        /sys/devices/system/cpu/online is 0-1; one job per CPU, run at
        once, both hashes right; `reboot -f` ends Ember with status 0
        (-no-reboot), without a second boot.
  smp2-mttcg  the same with -accel tcg,thread=multi (a host thread per
        vCPU).

  test-boot-linux.py [--emulator PATH] [--qemu] [smp1] [smp2] [smp2-mttcg]

--qemu runs the same under qemu-system-x86_64 (how the guest side of
this test is checked). EMBER_TEST_SMP2=skip reports the -smp 2 CPU
checks as skipped instead of running them (for a tree where the second
CPU does not come up). Exit status: 0 pass, 1 fail, 77 skip (no kernel,
busybox or cpio).
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxguest  # noqa: E402

# Safety nets only (a hung guest fails instead of blocking the suite);
# nothing is timed. A boot takes ~4 s on an idle 2-core machine.
BOOT_TIMEOUT = 240
JOB_TIMEOUT = 240

# The CPU-bound job: ~45 KB of numbers from awk, hashed 48 times over
# (~2 MiB through sha256sum per CPU).
JOB_LINES = 4096
JOB_REPS = 48

results = []


def report(ok, what):
    results.append(ok)
    print('%s: %s' % ('PASS' if ok else 'FAIL', what), flush=True)


def skip(what):
    print('SKIP: %s' % what, flush=True)


def expect_line(g, pattern, what, timeout=JOB_TIMEOUT):
    """The match of the next console line matching pattern; a FAIL
    (and None) if none comes."""
    _, m = g.wait_for(pattern, timeout)
    if m is None:
        report(False, '%s: no line matching %r' % (what, pattern))
    return m


def check_boot(g, name, release, ncpu, check_cpus=True):
    """One boot: marker, phase, CPU count; returns the phase or None."""
    _, m = g.wait_for(linuxguest.MARKER.pattern, BOOT_TIMEOUT)
    if m is None:
        report(False, '%s: init marker EMBER-INIT-OK' % name)
        return None
    report(m.group(1) == release,
           '%s: marker names the release %s (%s)' %
           (name, release, m.group(1)))
    phase = expect_line(g, r'BOOT-PHASE: (\w+)', name)
    cpuinfo = expect_line(g, r'BOOT-CPUINFO: (\d+)', name)
    online = expect_line(g, r'BOOT-ONLINE: (\S+)', name)
    if not (phase and cpuinfo and online):
        return None
    if check_cpus:
        report(int(m.group(2)) == ncpu,
               '%s: marker says %d cpu(s) (%s)' % (name, ncpu, m.group(2)))
        report(int(cpuinfo.group(1)) == ncpu,
               '%s: /proc/cpuinfo lists %d processor(s) (%s)' %
               (name, ncpu, cpuinfo.group(1)))
        want = '0' if ncpu == 1 else '0-%d' % (ncpu - 1)
        report(online.group(1) == want,
               '%s: CPUs online %s (%s)' % (name, want, online.group(1)))
    else:
        skip('%s: CPU count checks (EMBER_TEST_SMP2=skip); the guest '
             'has %s online' % (name, online.group(1)))
    return phase.group(1)


def check_job(g, name, njobs):
    """The CPU-bound job's hashes against the host's."""
    got = {}
    for _ in range(njobs):
        m = expect_line(g, r'BOOT-SHA256: ([0-9a-f]{64}) seed=(\d+)',
                        name + ': job')
        if m is None:
            return
        got[int(m.group(2))] = m.group(1)
    for seed in range(1, njobs + 1):
        want = linuxguest.job_sha256(JOB_LINES, JOB_REPS, seed)
        report(got.get(seed) == want,
               '%s: sha256sum of the job with seed %d in the guest matches '
               'the host (%s)' % (name, seed, got.get(seed)))
    m = expect_line(g, r'BOOT-JOB-SECONDS: (\S+)', name)
    if m:
        print('INFO: %s: job took %s s of guest time' % (name, m.group(1)))


def run(args, name, kernel, initrd, logdir):
    release = linuxguest.kernel_release(kernel)
    job = 'ember_lines=%d ember_reps=%d' % (JOB_LINES, JOB_REPS)
    if name == 'smp1':
        cmd = linuxguest.command(args.emulator, kernel, initrd, smp=1,
                                 append=job + ' ember_end=reboot-once',
                                 no_reboot=False)
    else:
        cmd = linuxguest.command(args.emulator, kernel, initrd, smp=2,
                                 append=job + ' ember_end=reboot')
        if name == 'smp2-mttcg':
            cmd[cmd.index('tcg')] = 'tcg,thread=multi'
    print('RUN: ' + ' '.join(cmd), flush=True)
    with open(os.path.join(logdir, name + '.log'), 'w') as log:
        g = linuxguest.Guest(cmd, log)
        try:
            if name == 'smp1':
                phase = check_boot(g, name, release, 1)
                report(phase == 'first', '%s: first boot sees no CMOS flag '
                       '(%s)' % (name, phase))
                check_job(g, name, 1)
                expect_line(g, r'BOOT-END: reboot', name)
                phase = check_boot(g, name + ' after reset', release, 1)
                report(phase == 'second', '%s: reset: a second boot, and '
                       'the CMOS byte survived it (%s)' % (name, phase))
                m = expect_line(g, r'BOOT-END: (\w+)', name)
                report(bool(m) and m.group(1) == 'poweroff',
                       '%s: second boot powers off' % name)
                status, _ = g.finish(BOOT_TIMEOUT)
                report(status == 0,
                       '%s: poweroff -f ends the emulator with status 0 '
                       '(%s)' % (name, status))
            else:
                check_cpus = os.environ.get('EMBER_TEST_SMP2') != 'skip'
                phase = check_boot(g, name, release, 2, check_cpus)
                ncpu = [int(t.split()[1]) for t in g.text()
                        if t.startswith('BOOT-CPUINFO: ')]
                check_job(g, name, ncpu[0] if ncpu else 1)
                expect_line(g, r'BOOT-END: reboot', name)
                status, _ = g.finish(BOOT_TIMEOUT)
                report(status == 0,
                       '%s: reboot -f with -no-reboot ends the emulator '
                       'with status 0 (%s)' % (name, status))
                report(sum(1 for t in g.text()
                           if linuxguest.MARKER.search(t)) == 1,
                       '%s: -no-reboot: no second boot' % name)
        finally:
            g.kill()
    if not all(results):
        print('--- %s console (last 40 lines) ---' % name)
        for t in g.text()[-40:]:
            print('  ' + t)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    ap.add_argument('--emulator', default=os.environ.get('EMBER_SYSTEM'))
    ap.add_argument('--qemu', action='store_true',
                    help='run under qemu-system-x86_64')
    ap.add_argument('--keep', action='store_true',
                    help='keep the console logs')
    ap.add_argument('runs', nargs='*',
                    help='smp1, smp2, smp2-mttcg (default all)')
    args = ap.parse_args()
    for r in args.runs:
        if r not in ('smp1', 'smp2', 'smp2-mttcg'):
            ap.error('unknown run %r (smp1, smp2, smp2-mttcg)' % r)
    if args.qemu:
        args.emulator = args.emulator if args.emulator and \
            'qemu' in args.emulator else shutil.which('qemu-system-x86_64')
    if not args.emulator or not os.path.exists(args.emulator):
        print('no emulator (--emulator or EMBER_SYSTEM)', file=sys.stderr)
        return 1
    runs = args.runs or ['smp1', 'smp2', 'smp2-mttcg']
    logdir = tempfile.mkdtemp(prefix='ember-boot-')
    try:
        kernel = linuxguest.fetch_kernel()
        initrd = os.path.join(logdir, 'initrd.gz')
        linuxguest.build_initrd(initrd)
        for name in runs:
            run(args, name, kernel, initrd, logdir)
    except linuxguest.Skip as e:
        print('SKIP: %s' % e)
        return 77
    finally:
        if args.keep:
            print('logs in ' + logdir)
        else:
            shutil.rmtree(logdir, ignore_errors=True)
    print('SUMMARY: %d passed, %d failed' %
          (results.count(True), results.count(False)))
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
