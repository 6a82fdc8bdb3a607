#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""busybox-static applets run natively and under ember-x86_64 must give
byte-identical output and the same exit status. Skipped (exit 77) when
there is no static busybox.

  busybox.py --ember build/ember-x86_64 [--backend interp]
             [--busybox /bin/busybox]
"""
import os
import random
import subprocess
import sys
import tempfile

import tcgtest

APPLETS = [
    'gzip -c -9 text.txt',
    'sh -c "gzip -c text.txt | gzip -dc | md5sum"',
    'bzip2 -c text.txt',
    'xz -c data.bin',
    'sha256sum data.bin text.txt',
    'sha1sum data.bin',
    'sha512sum text.txt',
    'md5sum data.bin',
    'sort text.txt',
    'sort -n -r nums.txt',
    'sort -u -k2 text.txt',
    'uniq -c sorted.txt',
    'wc text.txt nums.txt data.bin',
    'awk "{ s += \\$1; n++ } END { printf \\"%d %.6f\\\\n\\", s, s / n }" '
    'nums.txt',
    'sed -e "s/[aeiou]/#/g" -e "3,9d" text.txt',
    'grep -c -E "ab+c|x[yz]" text.txt',
    'grep -n -i "ember" text.txt',
    'tr a-z A-Z',
    'cut -d" " -f2,4 text.txt',
    'od -A x -t x1z -N 512 data.bin',
    'hexdump -C -n 300 data.bin',
    'base64 data.bin',
    'expr 12345 \\* 6789',
    'factor 600851475143 9999999967',
    'dc -e "2 200 ^ p 7 k 1 3 / p"',
    'seq -s , 1 3 300',
    'printf "%08.3f|%-5s|%x\\n" 3.14159 ab 48879',
    'sh -c "for i in 1 2 3 4 5; do echo \\$((i * i)); done | tac"',
    'sh -c "x=0; while [ \\$x -lt 200 ]; do x=\\$((x + 1)); done; echo \\$x"',
    'sh -c "echo one two three | (read a b c; echo \\$c \\$b \\$a)"',
    'sh -c "ls /proc/self/fd > /dev/null; echo \\$?"',
    'tar cf - text.txt nums.txt | tar tvf - -O > /dev/null; echo',
    'sh -c "tar cf - text.txt nums.txt | tar xOf - nums.txt | tail -3"',
    'find . -name "*.txt" -type f',
    'head -c 1000 data.bin',
    'tail -n 5 text.txt',
    'fold -w 17 text.txt',
    'rev text.txt',
    'cmp data.bin data.bin',
    'diff text.txt sorted.txt',
    'nl text.txt',
    'strings -n 6 data.bin',
    'cksum data.bin text.txt',
    'crc32 data.bin',
    'bc',
]

WORDS = ('ember translator block chain flags lazy guest host page ' +
         'abc abbc xyz xz register signal thread futex').split()


def make_data(d):
    rnd = random.Random(1234)
    lines = []
    for i in range(3000):
        lines.append(' '.join(rnd.choice(WORDS) for _ in range(6)) +
                     ' %d' % rnd.randint(0, 99999))
    with open(os.path.join(d, 'text.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(d, 'sorted.txt'), 'w') as f:
        f.write('\n'.join(sorted(lines[:500] * 2)) + '\n')
    with open(os.path.join(d, 'nums.txt'), 'w') as f:
        f.write('\n'.join(str(rnd.randint(-10**6, 10**6))
                          for _ in range(5000)) + '\n')
    with open(os.path.join(d, 'data.bin'), 'wb') as f:
        f.write(bytes(rnd.getrandbits(8) if i % 3 else 65 + i % 26
                      for i in range(200000)))


def main():
    ap = tcgtest.parser(__doc__)
    ap.add_argument('--busybox', default='/bin/busybox')
    a = ap.parse_args()
    bb = a.busybox
    if not os.path.exists(bb):
        print('no %s: skipped' % bb)
        return 77
    with open(bb, 'rb') as f:
        hdr = f.read(4096)
    if b'/lib64/ld-linux' in hdr:
        print('%s is not static: skipped' % bb)
        return 77
    fails = 0
    with tempfile.TemporaryDirectory(prefix='ember-bb-') as d:
        make_data(d)
        # Applets run through the busybox shell so pipes and quoting
        # behave the same on both sides; sh forks and execs busybox
        # again, which must stay under Ember.
        bindir = os.path.join(d, 'bin')
        os.mkdir(bindir)
        subprocess.run([bb, '--install', '-s', bindir], check=True)
        for cmd in APPLETS:
            stdin = None
            if cmd in ('tr a-z A-Z', 'bc'):
                stdin = (b'the quick brown fox\n' if cmd.startswith('tr')
                         else b'scale=30\n4*a(1)\n2^100\nsqrt(2)\n')
                if cmd == 'bc':
                    cmd = 'bc -l'
            full = [os.path.join(bindir, 'sh'), '-c',
                    'PATH=%s; %s' % (bindir, cmd)]
            if not tcgtest.compare(a, full, stdin_data=stdin, cwd=d,
                                   label=cmd):
                fails += 1
    print('%d applet runs, %d differ' % (len(APPLETS), fails))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
