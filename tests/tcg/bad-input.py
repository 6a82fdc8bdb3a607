#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ember-x86_64 given something it cannot run: one clear error line on
stderr naming the problem, a non-zero exit status, and no crash.

  bad-input.py --ember build/ember-x86_64 --hello build/tests/tcg/hello
"""
import os
import shutil
import stat
import struct
import sys
import tempfile

import tcgtest


def patched(src, dst, patches):
    with open(src, 'rb') as f:
        data = bytearray(f.read())
    for off, b in patches:
        data[off:off + len(b)] = b
    with open(dst, 'wb') as f:
        f.write(data)
    os.chmod(dst, 0o755)


def main():
    ap = tcgtest.parser(__doc__)
    ap.add_argument('--hello', required=True,
                    help='a static x86-64 program to corrupt')
    a = ap.parse_args()
    fails = 0
    with tempfile.TemporaryDirectory(prefix='ember-bad-') as d:
        def path(n):
            return os.path.join(d, n)

        with open(path('text'), 'w') as f:
            f.write('hello, this is text\n')
        with open(path('script'), 'w') as f:
            f.write('#!/no/such/shell -x\necho hi\n')
        with open(path('empty'), 'w'):
            pass
        with open(a.hello, 'rb') as f:
            hello = f.read()
        with open(path('truncated'), 'wb') as f:
            f.write(hello[:100])
        with open(path('truncated-seg'), 'wb') as f:
            f.write(hello[:len(hello) // 3])
        patched(a.hello, path('wrong-machine'), [(18, struct.pack('<H', 183))])
        patched(a.hello, path('elf32'), [(4, b'\x01')])
        patched(a.hello, path('big-endian'), [(5, b'\x02')])
        patched(a.hello, path('not-exec'), [(16, struct.pack('<H', 1))])
        # A PT_INTERP naming a file that does not exist: rewrite the
        # first program header into PT_INTERP pointing at "/nonexistent".
        data = bytearray(hello)
        phoff = struct.unpack_from('<Q', data, 32)[0]
        name = b'/nonexistent/ld.so\0'
        noff = len(data)
        data += name
        struct.pack_into('<IIQQQQQQ', data, phoff, 3, 4, noff, 0, 0,
                         len(name), len(name), 1)
        with open(path('missing-interp'), 'wb') as f:
            f.write(data)
        for n in ('text', 'script', 'empty', 'truncated', 'truncated-seg',
                  'missing-interp'):
            os.chmod(path(n), 0o755)
        os.mkdir(path('dir'))

        cases = [
            ('not an ELF file', [path('text')], 'not an ELF'),
            ('empty file', [path('empty')], 'not an ELF'),
            ('#! without its shell', [path('script')], '/no/such/shell'),
            ('truncated headers', [path('truncated')], 'truncated'),
            ('truncated segments', [path('truncated-seg')], ''),
            ('wrong machine', [path('wrong-machine')], 'machine'),
            ('32-bit ELF', [path('elf32')], '64-bit'),
            ('big-endian ELF', [path('big-endian')], ''),
            ('relocatable object', [path('not-exec')], ''),
            ('missing interpreter', [path('missing-interp')],
             '/nonexistent/ld.so'),
            ('missing file', [path('nothing-here')], 'No such file'),
            ('a directory', [path('dir')], ''),
            ('unknown option', ['-no-such-option', a.hello], 'option'),
            ('bad -accel', ['-accel', 'tcg,backend=nope', a.hello],
             'nope'),
            ('bad -cpu', ['-cpu', 'no-such-cpu', a.hello], 'cpu'),
        ]
        for label, args, want in cases:
            st, out, err = tcgtest.run([a.ember] + args,
                                       env=tcgtest.ember_env(a.backend),
                                       timeout=a.timeout)
            lines = err.decode(errors='replace').strip().splitlines()
            ok = (isinstance(st, int) and 0 < st < 128 and len(lines) == 1 and
                  lines[0].startswith('ember-x86_64: ') and
                  want.lower() in lines[0].lower())
            print('%s %-20s status %s: %s' % ('ok  ' if ok else 'FAIL', label,
                                              st, ' | '.join(lines)[:200]))
            if not ok:
                fails += 1
    print('%d cases, %d failed' % (len(cases), fails))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
