#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CPU-bound programs under ember-x86_64, qemu-x86_64 and natively, in
the same run. Prints one line per benchmark and the geometric means:

  gzip: ember 2.41 s, qemu 5.67 s, native 0.50 s, ember/qemu 0.43, ember/native 4.8

  bench/user/run.py [--ember build/ember-x86_64] [--qemu PATH]
                    [--runs N] [--backend x86_64|interp] [names...]

Each time is the median of --runs runs, in CPU seconds (user + system)
of the process: on a shared machine, waiting for a CPU does not count. The outputs of the
three runs must agree (a benchmark that computes something else under
a translator is an error, not a number).
"""
import argparse
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = ['compress', 'hash', 'sort', 'float', 'interp']
ITERS = {'compress': 8, 'hash': 16, 'sort': 4, 'float': 12, 'interp': 160}


def build_kernels(cc, out):
    exes = {}
    for k in KERNELS:
        exe = os.path.join(out, k)
        subprocess.run([cc, '-O2', '-static', '-o', exe,
                        os.path.join(HERE, 'kernels', k + '.c'), '-lm'],
                       check=True)
        exes[k] = exe
    return exes


def make_data(path, size):
    rnd = random.Random(42)
    words = [''.join(rnd.choice('etaoinshrdlucmfw') for _ in
                     range(rnd.randint(2, 9))) for _ in range(2000)]
    parts, n = [], 0
    while n < size:
        line = ' '.join(rnd.choice(words) for _ in range(12)) + '\n'
        parts.append(line)
        n += len(line)
    with open(path, 'w') as f:
        f.write(''.join(parts)[:size])


def run_once(cmd, env):
    """CPU time (user + system) of one run, and its output. CPU time,
    unlike wall-clock time, does not count waiting for a CPU, so runs on
    a shared machine stay comparable."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    out, err = p.communicate()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p.returncode, out, err, ru.ru_utime + ru.ru_stime


def timed(cmd, env, runs):
    times, out = [], None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        rc, o, err, after = run_once(cmd, env)
        dt = after - (before.ru_utime + before.ru_stime)
        if rc != 0:
            raise RuntimeError('%s failed (%d): %s' %
                               (' '.join(cmd), rc,
                                err.decode(errors='replace')[-300:]))
        if out is not None and o != out:
            raise RuntimeError('%s: output differs between runs' % cmd[0])
        out = o
        times.append(dt)
    times.sort()
    return times[len(times) // 2], out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    ap.add_argument('--ember', default=os.path.join(HERE, '..', '..',
                                                    'build',
                                                    'ember-x86_64'))
    ap.add_argument('--qemu', default=shutil.which('qemu-x86_64-static') or
                    shutil.which('qemu-x86_64'))
    ap.add_argument('--busybox', default='/bin/busybox')
    ap.add_argument('--cc', default='cc')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--backend', default='x86_64')
    ap.add_argument('--data-mb', type=int, default=32)
    ap.add_argument('names', nargs='*')
    a = ap.parse_args()
    if not os.path.exists(a.ember):
        sys.exit('no ember-x86_64 at %s (use --ember)' % a.ember)
    env_ember = dict(os.environ, EMBER_TCG_BACKEND=a.backend)
    ratios_q, ratios_n = [], []
    with tempfile.TemporaryDirectory(prefix='ember-bench-') as d:
        exes = build_kernels(a.cc, d)
        data = os.path.join(d, 'data.txt')
        make_data(data, a.data_mb << 20)
        benches = []
        if os.path.exists(a.busybox):
            benches.append(('gzip', [a.busybox, 'gzip', '-c', '-6', data]))
            benches.append(('sha256sum', [a.busybox, 'sha256sum', data]))
        for k in KERNELS:
            benches.append((k, [exes[k], str(ITERS[k])]))
        if a.names:
            benches = [b for b in benches if b[0] in a.names]
        for name, cmd in benches:
            tn, on = timed(cmd, None, a.runs)
            te, oe = timed([os.path.abspath(a.ember)] + cmd, env_ember,
                           a.runs)
            if oe != on:
                raise RuntimeError('%s: ember output differs from native'
                                   % name)
            line = '%s: ember %.2f s' % (name, te)
            if a.qemu:
                tq, oq = timed([a.qemu] + cmd, None, a.runs)
                if oq != on:
                    raise RuntimeError('%s: qemu output differs' % name)
                line += ', qemu %.2f s' % tq
                ratios_q.append(te / tq)
            line += ', native %.2f s' % tn
            if a.qemu:
                line += ', ember/qemu %.2f' % (te / tq)
            line += ', ember/native %.1f' % (te / tn)
            ratios_n.append(te / tn)
            print(line, flush=True)
    gm = lambda v: math.exp(sum(map(math.log, v)) / len(v))
    line = 'geometric mean:'
    if ratios_q:
        line += ' ember/qemu %.2f,' % gm(ratios_q)
    line += ' ember/native %.1f' % gm(ratios_n)
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
