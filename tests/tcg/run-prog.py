#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one test program natively and under ember-x86_64; the output and
the exit status must be the same.

  run-prog.py --ember build/ember-x86_64 [--backend interp] -- prog args
"""
import sys

import tcgtest


def main():
    ap = tcgtest.parser(__doc__)
    ap.add_argument('cmd', nargs='+')
    a = ap.parse_args()
    return 0 if tcgtest.compare(a, a.cmd) else 1


if __name__ == '__main__':
    sys.exit(main())
