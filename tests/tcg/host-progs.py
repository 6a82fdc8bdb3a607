#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Dynamically linked host programs (the host's ld.so and libraries run
under the translator) natively and under ember-x86_64: the same output
and exit status. Programs missing on the host are skipped.

  host-progs.py --ember build/ember-x86_64 [--backend interp]
"""
import os
import shutil
import sys
import tempfile

import tcgtest

PY = r'''
import hashlib, json, zlib, re, decimal, math, struct, sys
d = {"k%d" % i: [i, i * 0.5, str(i) * 3] for i in range(300)}
s = json.dumps(d, sort_keys=True)
print(hashlib.sha256(s.encode()).hexdigest())
print(len(zlib.compress(s.encode() * 20, 9)))
print(re.findall(r"k(\d+)7\b", s)[:8])
decimal.getcontext().prec = 60
print(decimal.Decimal(2).sqrt())
print(math.lgamma(7.3), math.fsum([0.1] * 10), struct.pack("<dq", 1.5, -3))
print(sorted(set(x * x % 97 for x in range(1000)))[:10], sys.maxsize)
print(sum(i * i for i in range(200000)))
'''

PROGS = [
    ['ls', '-la', '/usr/include/linux/netfilter'],
    ['ls', '-R', '/usr/share/zoneinfo/Europe'],
    ['python3', '-c', PY],
    ['python3', '-c', 'import os; print(os.uname().machine, os.cpu_count() '
                      '> 0, os.path.realpath("/proc/self/exe"))'],
    ['sh', '-c', 'for i in $(seq 1 20); do echo $((i * i)); done | '
                 'sort -n -r | head -5'],
    ['bash', '-c', 'declare -A m; for w in a b a c b a; do '
                   'm[$w]=$((${m[$w]:-0}+1)); done; '
                   'for k in a b c; do echo $k ${m[$k]}; done'],
    ['perl', '-e', 'my %h; $h{$_ % 7} += $_ for 1..100000; '
                   'print join(",", map {"$_=$h{$_}"} sort keys %h), "\n"; '
                   'printf("%.10f\n", atan2(1,1)*4);'],
    ['awk', 'BEGIN { for (i = 1; i <= 100000; i++) s += sin(i); '
            'printf "%.6f\\n", s }'],
    ['sed', '-n', 's/^\\([a-z]*\\):.*/\\1/p', '/etc/passwd'],
    ['grep', '-c', 'root', '/etc/passwd'],
    ['sort', '-t:', '-k3', '-n', '/etc/passwd'],
    ['sha256sum', '/bin/bash'],
    ['gzip', '-c', '-9', '/etc/services'],
    ['xz', '-c', '-T1', '/etc/services'],
    ['sh', '-c', 'echo "scale=50; 4*a(1); 2^200" | bc -l'],
    ['sqlite3', ':memory:', 'create table t(a,b); '
     'insert into t select value, value*value from generate_series(1,1000);'
     ' select count(*), sum(b), avg(a) from t;'],
    ['openssl', 'dgst', '-sha256', '/etc/services'],
    ['openssl', 'enc', '-aes-256-cbc', '-K', '00' * 32, '-iv', '00' * 16,
     '-in', '/etc/services'],
    ['diff', '/etc/passwd', '/etc/group'],
    ['file', '-b', '/bin/ls'],
    ['od', '-c', '-N', '64', '/bin/ls'],
    ['tar', '-cf', '-', '--sort=name', '--mtime=@0', '--owner=0',
     '--group=0', '--numeric-owner', '/etc/hostname', '/etc/passwd'],
    ['find', '/usr/share/zoneinfo/America', '-maxdepth', '1', '-name',
     'A*'],
]


def main():
    ap = tcgtest.parser(__doc__)
    a = ap.parse_args()
    fails = runs = 0
    with tempfile.TemporaryDirectory(prefix='ember-host-') as d:
        for cmd in PROGS:
            exe = shutil.which(cmd[0])
            if not exe:
                print('skip %s (not installed)' % cmd[0])
                continue
            runs += 1
            label = ' '.join(cmd).replace('\n', ' ')[:70]
            if not tcgtest.compare(a, [exe] + cmd[1:], cwd=d, label=label):
                fails += 1
    print('%d programs, %d differ' % (runs, fails))
    if runs == 0:
        return 77
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
