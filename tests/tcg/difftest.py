#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run difftest natively and under ember-x86_64; the outputs must match.

  difftest.py --ember build/ember-x86_64 --difftest build/tests/tcg/difftest
              [--backend x86_64|interp] [--seeds A:B] [-n per-seed]
              [-l length] [-c classes]

A longer run is one command, e.g. --seeds 1:2000 -n 200. On a mismatch
the differing test is printed with its code bytes (difftest -v).
"""
import argparse
import os
import subprocess
import sys


def run(cmd, env=None):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=600)
    return r.returncode, r.stdout.decode(errors='replace'), \
        r.stderr.decode(errors='replace')


def split_tests(out):
    tests, cur = {}, None
    for line in out.splitlines():
        if line.startswith('test '):
            cur = line.split()[1]
            tests[cur] = []
        elif cur:
            tests[cur].append(line)
    return tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ember', required=True)
    ap.add_argument('--difftest', required=True)
    ap.add_argument('--backend', default='x86_64')
    ap.add_argument('--seeds', default='1:20')
    ap.add_argument('-n', type=int, default=100)
    ap.add_argument('-l', type=int, default=12)
    ap.add_argument('-c', default='isbmctxfM')
    ap.add_argument('--keep-going', action='store_true')
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.seeds.split(':'))
    env = dict(os.environ, EMBER_TCG_BACKEND=a.backend)
    failures = 0
    total = 0
    for seed in range(lo, hi):
        args = ['-s', str(seed), '-n', str(a.n), '-l', str(a.l), '-c', a.c]
        rc1, native, _ = run([a.difftest] + args)
        rc2, emu, err = run([a.ember, a.difftest] + args, env)
        if rc1 != 0:
            print('native run failed (seed %d, rc %d)' % (seed, rc1))
            return 1
        if rc2 != 0:
            print('ember run failed (seed %d, rc %d): %s' % (seed, rc2,
                                                             err[-2000:]))
            failures += 1
            if not a.keep_going:
                return 1
            continue
        tn, te = split_tests(native), split_tests(emu)
        total += len(tn)
        for name in tn:
            if tn[name] != te.get(name):
                failures += 1
                t = int(name.split('.')[1])
                _, v, _ = run([a.difftest, '-s', str(seed), '-n',
                               str(t + 1), '-l', str(a.l), '-c', a.c, '-v'])
                code = split_tests(v)[name][0]
                print('MISMATCH in test %s (%s back end)' % (name,
                                                            a.backend))
                print(code)
                print('native:\n' + '\n'.join(tn[name]))
                print('ember:\n' + '\n'.join(te.get(name, ['(missing)'])))
                if not a.keep_going:
                    return 1
    print('%d tests, %d mismatches (%s back end, seeds %s)' %
          (total, failures, a.backend, a.seeds))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
