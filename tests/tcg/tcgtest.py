# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the tcg suite's scripts: run a command natively and under
ember-x86_64 and compare what the two print and how they exit."""
import argparse
import difflib
import os
import subprocess


def parser(doc):
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument('--ember', required=True, help='the ember-x86_64 binary')
    ap.add_argument('--backend', default='x86_64', choices=['x86_64',
                                                            'interp'])
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--ember-arg', action='append', default=[],
                    help='an extra ember-x86_64 option (repeatable)')
    return ap


def run(cmd, env=None, stdin=None, cwd=None, timeout=120):
    """Return (status, stdout, stderr); status is the exit code, or
    -signal for a death by signal, or 'timeout'."""
    try:
        r = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=cwd,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return 'timeout', b'', b''
    return r.returncode, r.stdout, r.stderr


def ember_env(backend):
    env = dict(os.environ)
    env['EMBER_TCG_BACKEND'] = backend
    return env


def compare(a, cmd, stdin_data=None, cwd=None, label=None,
            compare_stderr=False):
    """Run cmd natively and under Ember; print a report line and, on a
    difference, the diff. Returns True when they agree."""
    label = label or ' '.join(cmd)
    res = []
    ember = [os.path.abspath(a.ember)] + a.ember_arg
    for prefix, env in (([], None), (ember, ember_env(a.backend))):
        stdin = subprocess.PIPE if stdin_data is not None else \
            subprocess.DEVNULL
        try:
            p = subprocess.Popen(prefix + cmd, stdin=stdin,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env, cwd=cwd)
            out, err = p.communicate(stdin_data, timeout=a.timeout)
            res.append((p.returncode, out, err))
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            res.append(('timeout', b'', b''))
    (s1, o1, e1), (s2, o2, e2) = res
    ok = s1 == s2 and o1 == o2 and (not compare_stderr or e1 == e2)
    print('%s %s (native %s, ember %s, %d bytes)' %
          ('ok  ' if ok else 'FAIL', label, s1, s2, len(o1)))
    if not ok:
        if o1 != o2:
            d = difflib.unified_diff(
                o1.decode(errors='replace').splitlines(),
                o2.decode(errors='replace').splitlines(),
                'native', 'ember', lineterm='', n=1)
            print('\n'.join(list(d)[:40]))
        if compare_stderr and e1 != e2:
            print('stderr native: %r' % e1[-500:])
        print('stderr ember: %r' % e2[-1000:])
    return ok
