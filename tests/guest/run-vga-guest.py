#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the VGA guest (tests/guest/vga.c) and check its screens.

Usage: run-vga-guest.py EMBER GUEST.elf FONT.txt [EMBER-ARGS...]

For each accelerator ($GUEST_ACCELS, default "kvm tcg"; one missing from
this host or build is skipped, as run-guest.sh does) Ember runs the guest
with -monitor unix:SOCK,server=on,wait=off. Each time the guest prints
"SCREEN: name" on COM1, the runner takes a screendump through the monitor,
compares it pixel by pixel with what the guest drew (the same functions
as vga.c, and the font from FONT.txt), and presses space (monitor sendkey)
so that the guest goes on. A run passes when the guest exits through
isa-debug-exit with status 33, printed PASS lines and no FAIL line, and
every screen matched; the PASS lines of all accelerators must agree.

Environment: GUEST_ACCELS, GUEST_TIMEOUT (seconds a run may take,
default 180), GUEST_KEEP (keep the run directory).
Exit status: 0 pass, 1 fail, 77 skip.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SCREENS = ('text', 'mode13', 'vbe32', 'vbe16')


def load_font(path):
    glyphs, code, rows = {}, None, []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if code is not None:
                rows.append(int(line.replace('#', '1').replace('.', '0'), 2))
                if len(rows) == 16:
                    glyphs[code], code, rows = rows, None, []
            elif line.startswith('0x'):
                code = int(line.split()[0], 16)
    return glyphs


def c6(v):
    return (v << 2) | (v >> 4)


def c5(v):
    v &= 31
    return (v << 3) | (v >> 2)


def ega(i):
    r = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15
    g = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15
    b = (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15
    return (c6(r), c6(g), c6(b))


TEXT_AR = (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
           0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f)


def expect_text(font):
    """80x25 cells of 9x16; cell i: code 7i+1, attribute 13i+5 (no
    blink bit), no cursor; the ninth column repeats the eighth for the
    line-drawing codes 0xc0-0xdf."""
    w, h = 720, 400
    img = bytearray(w * h * 3)
    colours = [bytes(ega(TEXT_AR[i])) for i in range(16)]
    for i in range(2000):
        c, a = (i * 7 + 1) & 0xff, (i * 13 + 5) & 0x7f
        fg, bg = colours[a & 15], colours[a >> 4]
        cx, cy = (i % 80) * 9, (i // 80) * 16
        for r in range(16):
            bits = font[c][r]
            off = ((cy + r) * w + cx) * 3
            for x in range(9):
                if x < 8:
                    on = bits & (0x80 >> x)
                else:
                    on = 0xc0 <= c <= 0xdf and bits & 1
                img[off + 3 * x:off + 3 * x + 3] = fg if on else bg
    return w, h, bytes(img)


def expect_mode13():
    pal = [(c6(i & 63), c6((i >> 2) & 63), c6((i ^ 0x2a) & 63))
           for i in range(256)]
    img = bytearray()
    for y in range(200):
        for x in range(320):
            img += bytes(pal[(x + 3 * y) & 0xff])
    return 320, 200, bytes(img)


def expect_vbe32():
    img = bytearray()
    for y in range(480):
        for x in range(640):
            img += bytes((x & 255, y & 255, (x ^ y) & 255))
    return 640, 480, bytes(img)


def expect_vbe16():
    img = bytearray()
    for y in range(600):
        for x in range(800):
            v = ((x << 5) ^ (y * 2053)) & 0xffff
            g = (v >> 5) & 63
            img += bytes((c5(v >> 11), (g << 2) | (g >> 4), c5(v)))
    return 800, 600, bytes(img)


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    parts = data.split(b'\n', 3)
    if parts[0] != b'P6' or parts[2] != b'255':
        raise ValueError('not a binary PPM')
    w, h = (int(v) for v in parts[1].split())
    return w, h, parts[3]


def compare(name, got, want):
    gw, gh, gpx = got
    ww, wh, wpx = want
    if (gw, gh) != (ww, wh):
        return 'screen %s is %dx%d, expected %dx%d' % (name, gw, gh, ww, wh)
    if gpx == wpx:
        return None
    bad = [i for i in range(0, len(wpx), 3) if gpx[i:i + 3] != wpx[i:i + 3]]
    i = bad[0] // 3
    return ('screen %s: %d pixels differ, first (%d,%d): got %s want %s' %
            (name, len(bad), i % ww, i // ww, gpx[3 * i:3 * i + 3].hex(),
             wpx[3 * i:3 * i + 3].hex()))


class Monitor:
    def __init__(self, path, proc, deadline):
        self.sock = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.05)
        if not self.sock:
            raise RuntimeError('cannot connect to the monitor')
        self.sock.settimeout(max(deadline - time.monotonic(), 1))
        self.buf = b''
        self.read_prompt()

    def read_prompt(self):
        while b'(qemu) ' not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise RuntimeError('the monitor closed')
            self.buf += data
        out, self.buf = self.buf.split(b'(qemu) ', 1)
        return out.decode(errors='replace')

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\r')
        out = self.read_prompt()
        # Drop the echoed command line.
        return out.split('\r\n', 1)[1] if '\r\n' in out else ''

    def close(self):
        self.sock.close()


def run_one(ember, guest, args, accel, rundir, expect):
    serial = os.path.join(rundir, accel + '.serial')
    sock = os.path.join(rundir, accel + '.mon')
    out = open(os.path.join(rundir, accel + '.out'), 'w')
    open(serial, 'w').close()
    cmd = [ember, '-accel', accel, '-m', '128', '-display', 'none',
           '-no-reboot', '-serial', 'file:' + serial,
           '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
           '-monitor', 'unix:%s,server=on,wait=off' % sock,
           '-kernel', guest] + args
    deadline = time.monotonic() + float(os.environ.get('GUEST_TIMEOUT',
                                                       '180'))
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    problems, seen, done = [], [], 0
    mon = None
    try:
        mon = Monitor(sock, proc, deadline)
        while proc.poll() is None and time.monotonic() < deadline:
            with open(serial, 'rb') as f:
                text = f.read().decode(errors='replace')
            # only whole lines: the guest may be half-way through one
            lines = text[:text.rfind('\n') + 1].splitlines()
            screens = [ln.split(': ', 1)[1].strip() for ln in lines
                       if ln.startswith('SCREEN: ')]
            if len(screens) > done:
                name = screens[done]
                done += 1
                dump = os.path.join(rundir, '%s-%s.ppm' % (accel, name))
                reply = mon.cmd('screendump ' + dump)
                if reply.strip():
                    problems.append('screendump said: ' + reply.strip())
                elif name not in expect:
                    problems.append('unknown screen ' + name)
                else:
                    err = compare(name, read_ppm(dump), expect[name])
                    if err:
                        problems.append(err)
                    else:
                        seen.append(name)
                mon.cmd('sendkey spc')
            else:
                time.sleep(0.05)
    except (OSError, RuntimeError, ValueError) as e:
        problems.append(str(e))
    finally:
        if mon:
            mon.close()
        if proc.poll() is None:
            proc.kill()
            problems.append('timed out')
        status = proc.wait()
        out.close()
    with open(serial, 'rb') as f:
        log = f.read().decode(errors='replace').replace('\r', '')
    return status, log, problems, seen


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    ember, guest, fontfile = sys.argv[1:4]
    args = sys.argv[4:]
    name = os.path.splitext(os.path.basename(guest))[0]
    built = subprocess.run([ember, '-accel', 'help'], capture_output=True,
                           text=True).stdout.split('\n')[1:]
    font = load_font(fontfile)
    expect = {'text': expect_text(font), 'mode13': expect_mode13(),
              'vbe32': expect_vbe32(), 'vbe16': expect_vbe16()}
    rundir = tempfile.mkdtemp(prefix='ember-guest-%s.' % name)
    keep = bool(os.environ.get('GUEST_KEEP'))
    if keep:
        print('run directory:', rundir)
    passes, failed, ran = {}, [], []
    try:
        for accel in os.environ.get('GUEST_ACCELS', 'kvm tcg').split():
            if accel == 'kvm' and not os.path.exists('/dev/kvm'):
                print('SKIP %s/kvm: /dev/kvm is missing' % name)
                continue
            if accel not in built:
                print('SKIP %s/%s: this build has no %s accelerator yet' %
                      (name, accel, accel))
                continue
            status, log, problems, seen = run_one(ember, guest, args, accel,
                                                  rundir, expect)
            print('=== %s under %s (exit status %d)' % (name, accel, status))
            for ln in log.splitlines():
                print('  | ' + ln)
            npass = [ln for ln in log.splitlines() if ln.startswith('PASS:')]
            nfail = [ln for ln in log.splitlines() if ln.startswith('FAIL:')]
            if status != 33:
                problems.append('exit status %d (33 is a pass)' % status)
            if nfail or not npass:
                problems.append('%d FAIL lines, %d PASS lines' %
                                (len(nfail), len(npass)))
            missing = [s for s in SCREENS if s not in seen]
            if missing and not problems:
                problems.append('screens not checked: ' + ', '.join(missing))
            ran.append(accel)
            if problems:
                failed.append(accel)
                for p in problems:
                    print('  FAIL: ' + p)
                with open(os.path.join(rundir, accel + '.out')) as f:
                    for ln in f:
                        print('  > ' + ln.rstrip())
            else:
                print('=== %s/%s: PASS (screens %s match)' %
                      (name, accel, ', '.join(seen)))
                passes[accel] = npass
    finally:
        if not keep:
            shutil.rmtree(rundir, ignore_errors=True)
    if failed:
        print('RESULT %s: FAIL under: %s' % (name, ' '.join(failed)))
        return 1
    if not ran:
        print('RESULT %s: SKIP (no accelerator could run it)' % name)
        return 77
    first = list(passes.values())[0]
    if any(p != first for p in passes.values()):
        print('RESULT %s: FAIL: the accelerators disagree' % name)
        return 1
    print('RESULT %s: PASS under: %s' % (name, ' '.join(passes)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
