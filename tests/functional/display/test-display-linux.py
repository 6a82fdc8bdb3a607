#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's kernel on the screen: Linux's consoles on std-vga.

  test-display-linux.py [--qemu] [--quick]

Debian's kernel (scripts/fetch-assets.sh kernel, never installed) boots
with -kernel, a busybox initramfs and "console=ttyS0 console=tty0", so the
kernel's messages and init's output go to the screen; init reports on
COM1. Three runs:

  text  the default screen_info (VGA text): vgacon takes the screen; a
        monitor screendump, read back into characters with Ember's own
        font (the renderer is pixel-exact), shows the kernel's messages
        and the line init printed on tty0
  lfb   -device VGA,screen-info=lfb: vesafb and fbcon take the 1024x768
        VBE framebuffer; the screendump is that size and shows text
  sdl   under Xvfb with -display sdl: the window shows the text console
        (xwd, read back the same way); a command typed into the window
        with xdotool runs in the guest's shell on tty0 and its output
        reaches COM1

--quick (suite functional, `make check`) makes that two boots: text and
sdl in one (the SDL window under Xvfb, its screen read both through the
monitor and from the window; -display none when Xvfb, xwd or xdotool
are missing, and the sdl checks skip), then lfb.

With --qemu the same runs use qemu-system-x86_64 (Debian's package) to
check the test itself; QEMU's screen is read from video memory
(pmemsave) instead, its font not being Ember's, and its lfb run asks the
real-mode setup for VESA mode 0x318 instead.

Skips (77) without the kernel or busybox or without TCG in this build;
a guest that does not reach init in time is a failure.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('EMBER_SOURCE_ROOT',
                     os.path.normpath(os.path.join(HERE, '..', '..', '..')))
BOOT_TIMEOUT = float(os.environ.get('DISPLAY_BOOT_TIMEOUT', '300'))
STEP_TIMEOUT = 60

GUEST = r'''#!/bin/sh
echo "DISPLAY-READY" > /dev/ttyS0
dmesg | grep -E "Console:|vesafb|fbcon|vgacon" | sed "s/^/DMESG: /" \
    > /dev/ttyS0
echo "EMBER-DISPLAY $((40 + 2)) ON TTY0"
echo "SHELL-READY" > /dev/ttyS0
exec sh
'''


class Skip(Exception):
    pass


class Failure(Exception):
    pass


def fetch(asset):
    script = os.path.join(SRC, 'scripts', 'fetch-assets.sh')
    for args in (['--offline', asset], [asset]):
        p = subprocess.run([script] + args, capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.strip().splitlines()[0]
    raise Skip('no %s (scripts/fetch-assets.sh %s failed)' % (asset, asset))


def build_initrd(work):
    if not shutil.which('cpio'):
        raise Skip('cpio is not installed')
    script = os.path.join(work, 'main.sh')
    with open(script, 'w') as f:
        f.write(GUEST)
    out = os.path.join(work, 'initrd.gz')
    p = subprocess.run([os.path.join(SRC, 'scripts', 'mkinitramfs.sh'), out,
                        script], capture_output=True, text=True)
    if p.returncode:
        raise Skip('mkinitramfs failed: ' + p.stderr.strip())
    return out


# ---- reading text off the screen -------------------------------------------

def load_font():
    glyphs, code, rows = {}, None, []
    with open(os.path.join(SRC, 'hw/display/vga-font-8x16.txt'),
              encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if code is not None:
                rows.append(line)
                if len(rows) == 16:
                    glyphs.setdefault(tuple(rows), code)
                    code, rows = None, []
            elif line.startswith('0x'):
                code = int(line.split()[0], 16)
    return glyphs


def screen_text(width, height, px, glyphs):
    """The characters of a 9x16-cell text screen drawn with Ember's font.
    px(x, y) gives a pixel; a cell with a glyph in two colours (either
    way round) reads as that character, a cell of one colour as a space,
    anything else (the cursor) as '?'."""
    lines = []
    for row in range(height // 16):
        out = []
        for col in range(width // 9):
            cell = [[px(col * 9 + x, row * 16 + y) for x in range(8)]
                    for y in range(16)]
            colours = {c for r in cell for c in r}
            ch = '?'
            if len(colours) == 1:
                ch = ' '
            elif len(colours) == 2:
                for fg in colours:
                    key = tuple(''.join('#' if c == fg else '.' for c in r)
                                for r in cell)
                    code = glyphs.get(key)
                    if code is not None and 0x20 <= code < 0x7f:
                        ch = chr(code)
                        break
            out.append(ch)
        lines.append(''.join(out).rstrip())
    return lines


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    parts = data.split(b'\n', 3)
    w, h = (int(v) for v in parts[1].split())
    return w, h, parts[3]


def ppm_px(w, data):
    return lambda x, y: data[3 * (y * w + x):3 * (y * w + x) + 3]


def text_from_vram(dump, start):
    """The 80x25 text screen at CRTC start address `start` (in characters)
    of the 32 KiB of video memory at 0xb8000 (QEMU): vgacon scrolls by
    moving the start address, wrapping within those 32 KiB."""
    rows = []
    for r in range(25):
        cells = [dump[(2 * (start + r * 80 + c)) % len(dump)]
                 for c in range(80)]
        rows.append(''.join(chr(c) if 0x20 <= c < 0x7f else ' '
                            for c in cells).rstrip())
    return rows


# ---- one emulator ------------------------------------------------------------

class Monitor:
    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Failure('no monitor socket')
                time.sleep(0.1)
        self.sock.settimeout(30)
        self.buf = b''
        self.read_prompt()

    def read_prompt(self):
        while b'(qemu) ' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Failure('the monitor closed')
            self.buf += data
        out, self.buf = self.buf.split(b'(qemu) ', 1)
        return out.decode(errors='replace')

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\r')
        return self.read_prompt()


class Run:
    def __init__(self, kind, binary, kernel, initrd, extra_args, append,
                 work, env=None):
        self.kind = kind
        self.serial = os.path.join(work, 'serial.txt')
        self.mon_path = os.path.join(work, 'mon.sock')
        open(self.serial, 'w').close()
        cmd = [binary, '-accel', 'tcg', '-m', '512', '-kernel', kernel,
               '-initrd', initrd, '-append',
               'console=ttyS0 console=tty0 panic=-1 ' + append,
               '-serial', 'file:' + self.serial, '-no-reboot',
               '-monitor', 'unix:%s,server=on,wait=off' % self.mon_path]
        if kind == 'qemu':
            cmd += ['-nodefaults']
        self.proc = subprocess.Popen(cmd + extra_args, env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.mon = None

    def lines(self):
        with open(self.serial, 'rb') as f:
            return f.read().decode(errors='replace').replace(
                '\r', '').split('\n')

    def wait(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            for ln in self.lines():
                if re.search(pattern, ln):
                    return ln
            time.sleep(0.2)
        return None

    def monitor(self):
        if not self.mon:
            self.mon = Monitor(self.mon_path, time.monotonic() + 30)
        return self.mon

    def stop(self):
        if self.mon:
            self.mon.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def boot(run):
    if not run.wait(r'DISPLAY-READY', BOOT_TIMEOUT):
        run.stop()
        # Linux boots under TCG: not reaching init is a regression.
        raise Failure('the guest did not reach init under %s in %d s' %
                      (run.kind, BOOT_TIMEOUT))
    run.wait(r'SHELL-READY', STEP_TIMEOUT)
    time.sleep(1)       # init's line reaches tty0 after the COM1 one


def screen_lines(run, work, glyphs):
    """The text on the screen, through Ember's screendump or QEMU's
    video memory."""
    if run.kind == 'qemu':
        path = os.path.join(work, 'vram.bin')
        mon = run.monitor()
        # Quoted: QEMU reads "4000 /tmp/x" as a division otherwise.
        mon.cmd('pmemsave 0xb8000 32768 "%s"' % path)
        start = 0
        for reg in (0x0c, 0x0d):
            mon.cmd('o /b 0x3d4 %d' % reg)
            out = mon.cmd('i /b 0x3d5')
            m = re.search(r'\] = 0x([0-9a-f]+)', out)
            start = start << 8 | (int(m.group(1), 16) if m else 0)
        with open(path, 'rb') as f:
            return text_from_vram(f.read(), start)
    path = os.path.join(work, 'screen.ppm')
    out = run.monitor().cmd('screendump %s' % path)
    if 'screendump:' in out:
        raise Failure(out.strip())
    w, h, data = read_ppm(path)
    if (w, h) != (720, 400):
        raise Failure('the text screen is %dx%d' % (w, h))
    return screen_text(w, h, ppm_px(w, data), glyphs)


results = []


def report(ok, what):
    results.append(ok)
    print('%s: %s' % ('PASS' if ok else 'FAIL', what), flush=True)


def check_text(run, work, glyphs):
    kind = run.kind
    report(any('Console: colour VGA+ 80x25' in ln for ln in run.lines()),
           'text: vgacon took the VGA (%s)' % kind)
    screen = screen_lines(run, work, glyphs)
    print('\n'.join('  | ' + ln for ln in screen), flush=True)
    report(any('EMBER-DISPLAY 42 ON TTY0' in ln for ln in screen),
           'text: init\'s line on tty0 is on the screen (%s)' % kind)
    report(sum(1 for ln in screen if ln.strip()) >= 10,
           'text: the kernel\'s messages fill the screen (%s)' % kind)


def test_text(kind, binary, kernel, initrd, work, glyphs):
    run = Run(kind, binary, kernel, initrd, ['-display', 'none', '-vga',
                                              'std'], '', work)
    try:
        boot(run)
        check_text(run, work, glyphs)
    finally:
        run.stop()


def test_lfb(kind, binary, kernel, initrd, work):
    if kind == 'qemu':
        args, append = ['-display', 'none', '-vga', 'std'], 'vga=0x318'
    else:
        args = ['-display', 'none', '-vga', 'none', '-device',
                'VGA,screen-info=lfb']
        append = ''
    run = Run(kind, binary, kernel, initrd, args, append, work)
    try:
        boot(run)
        lines = run.lines()
        report(any('vesafb: mode is 1024x768' in ln for ln in lines),
               'lfb: vesafb took the 1024x768 framebuffer (%s)' % kind)
        report(any('frame buffer device' in ln for ln in lines),
               'lfb: fbcon is the console (%s)' % kind)
        path = os.path.join(work, 'lfb.ppm')
        run.monitor().cmd('screendump %s' % path)
        w, h, data = read_ppm(path)
        lit = sum(1 for y in range(h)
                  if any(data[3 * (y * w + x):3 * (y * w + x) + 3] !=
                         b'\0\0\0' for x in range(0, w, 2)))
        report((w, h) == (1024, 768) and lit > 100,
               'lfb: the screen is 1024x768 with %d rows of text pixels '
               '(%s)' % (lit, kind))
    finally:
        run.stop()


def start_xvfb():
    """(Xvfb process, environment for its clients), or Skip."""
    for tool in ('Xvfb', 'xwd', 'xdotool'):
        if not shutil.which(tool):
            raise Skip('%s is not installed (scripts/install-deps.sh '
                       '--tests installs it)' % tool)
    rfd, wfd = os.pipe()
    xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(wfd), '-screen', '0',
                             '1280x1024x24', '-nolisten', 'tcp'],
                            pass_fds=(wfd,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        num = f.readline().strip()
    if not num:
        xvfb.wait()
        raise Skip('Xvfb did not start')
    env = dict(os.environ, DISPLAY=':' + num)
    env.pop('WAYLAND_DISPLAY', None)
    return xvfb, env


def check_sdl(run, env, work, glyphs):
    kind = run.kind

    def x(*args):
        return subprocess.run(list(args), env=env, capture_output=True,
                              text=True, timeout=30).stdout.strip()
    title = r'^Ember \(linux\)$' if kind == 'ember' else r'^QEMU \(linux'
    win = x('xdotool', 'search', '--name', title).split('\n')[0]
    report(bool(win), 'sdl: the window is there (%s)' % kind)
    if kind == 'ember':
        shot = os.path.join(work, 'win.xwd')
        x('xwd', '-silent', '-id', win, '-out', shot)
        w, h, px = read_xwd(shot)
        screen = screen_text(w, h, px, glyphs) if (w, h) == (720, 400) \
            else []
        report(any('EMBER-DISPLAY 42 ON TTY0' in ln for ln in screen),
               'sdl: the window (%dx%d) shows init\'s line (%s)' %
               (w, h, kind))
    x('xdotool', 'windowfocus', '--sync', win)
    x('xdotool', 'type', '--delay', '60',
      'echo TYPED-$((6*7)) > /dev/ttyS0')
    x('xdotool', 'key', 'Return')
    typed = run.wait(r'^TYPED-42$', STEP_TIMEOUT) is not None
    report(typed, 'sdl: a command typed into the window ran in the '
           'guest (%s)' % kind)
    if not typed:
        print('\n'.join('  | ' + ln for ln in
                        screen_lines(run, work, glyphs)), flush=True)


def test_sdl(kind, binary, kernel, initrd, work, glyphs):
    xvfb, env = start_xvfb()
    run = Run(kind, binary, kernel, initrd, ['-display', 'sdl', '-vga', 'std',
                                              '-name', 'linux'], '', work,
              env)
    try:
        boot(run)
        check_sdl(run, env, work, glyphs)
    finally:
        run.stop()
        xvfb.terminate()
        xvfb.wait()


def test_screen(kind, binary, kernel, initrd, work, glyphs):
    """text and sdl in one boot: the SDL window under Xvfb, its screen
    read through the monitor too; -display none when the X tools are
    missing (the sdl checks skip)."""
    try:
        xvfb, env = start_xvfb()
    except Skip as e:
        print('SKIP sdl checks: %s' % e, flush=True)
        xvfb, env = None, None
    display = ['-display', 'sdl', '-name', 'linux'] if xvfb else \
        ['-display', 'none']
    run = Run(kind, binary, kernel, initrd, display + ['-vga', 'std'], '',
              work, env)
    try:
        boot(run)
        check_text(run, work, glyphs)
        if xvfb:
            check_sdl(run, env, work, glyphs)
    finally:
        run.stop()
        if xvfb:
            xvfb.terminate()
            xvfb.wait()


def read_xwd(path):
    import struct
    with open(path, 'rb') as f:
        data = f.read()
    h = struct.unpack('>25I', data[:100])
    w, hgt, order, bpl, ncolors = h[4], h[5], h[7], h[12], h[19]
    off = h[0] + ncolors * 12
    endian = 'little' if order == 0 else 'big'

    def px(x, y):
        p = off + y * bpl + 4 * x
        v = int.from_bytes(data[p:p + 4], endian)
        return (v >> 16 & 255, v >> 8 & 255, v & 255)
    return w, hgt, px


def main():
    kind = 'qemu' if '--qemu' in sys.argv[1:] else 'ember'
    quick = '--quick' in sys.argv[1:]
    binary = (os.environ.get('QEMU', 'qemu-system-x86_64') if kind == 'qemu'
              else os.environ.get('EMBER_SYSTEM',
                                  os.path.join('build',
                                               'ember-system-x86_64')))
    work = tempfile.mkdtemp(prefix='ember-display-linux-')
    skipped = []
    try:
        accels = subprocess.run([binary, '-accel', 'help'],
                                capture_output=True, text=True).stdout
        if 'tcg' not in accels.split():
            raise Skip('%s has no TCG' % binary)
        kernel = fetch('kernel')
        initrd = build_initrd(work)
        glyphs = load_font()
        runs = (('text', test_text, (glyphs,)), ('lfb', test_lfb, ()),
                ('sdl', test_sdl, (glyphs,)))
        if quick:
            runs = (('screen', test_screen, (glyphs,)), ('lfb', test_lfb, ()))
        for name, fn, args in runs:
            try:
                fn(kind, binary, kernel, initrd, work, *args)
            except Skip as e:
                print('SKIP %s: %s' % (name, e), flush=True)
                skipped.append(name)
            except (Failure, OSError, subprocess.TimeoutExpired) as e:
                report(False, '%s: %s' % (name, e))
    except Skip as e:
        print('SKIP: %s' % e)
        return 77
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not all(results):
        return 1
    return 77 if not results else 0


if __name__ == '__main__':
    # meson ends a test that runs too long with SIGTERM: leave through
    # the finally clauses (guests killed, namespace and files removed).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
