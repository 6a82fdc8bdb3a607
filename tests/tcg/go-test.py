#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build a Go program (if the go tool is installed; otherwise skipped) and
run it natively and under ember-x86_64: the same output and status.

  go-test.py --ember build/ember-x86_64 --src progs/gotest.go --cache DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

import tcgtest


def main():
    ap = tcgtest.parser(__doc__)
    ap.add_argument('--src', required=True)
    ap.add_argument('--cache', required=True)
    a = ap.parse_args()
    go = shutil.which('go')
    if not go:
        print('no go tool: skipped')
        return 77
    os.makedirs(a.cache, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='ember-go-') as d:
        shutil.copy(a.src, os.path.join(d, 'main.go'))
        with open(os.path.join(d, 'go.mod'), 'w') as f:
            f.write('module gotest\n\ngo 1.19\n')
        env = dict(os.environ, GOCACHE=os.path.abspath(a.cache),
                   GOPATH=os.path.join(d, 'gopath'), CGO_ENABLED='0',
                   GOFLAGS='-mod=mod', HOME=d)
        r = subprocess.run([go, 'build', '-o', 'gotest', '.'], cwd=d,
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            print(r.stdout.decode(errors='replace'))
            print('go build failed: skipped')
            return 77
        ok = all(tcgtest.compare(a, [os.path.join(d, 'gotest')],
                                 label='gotest run %d' % i)
                 for i in range(3))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
