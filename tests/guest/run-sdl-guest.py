#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The SDL front end under Xvfb, with the vga-sdl guest.

Usage: run-sdl-guest.py EMBER GUEST.elf [EMBER-ARGS...]

For each accelerator ($GUEST_ACCELS, default "kvm tcg"; those missing here
are skipped) on a fresh Xvfb server:
  - Ember runs the guest with -display sdl -name sdltest;
  - the window is found by its title "Ember (sdltest)" and captured with
    xwd: every pixel must be the guest's mode 13h picture;
  - keys typed with xdotool reach the guest (it echoes the scan codes);
  - Ctrl-Alt-G grabs (the title says so), relative mouse motion reaches
    the guest's PS/2 mouse, Ctrl-Alt-G releases;
  - the window resized to 2x shows the picture scaled (checked at the
    centres of the 16x16 blocks); Ctrl-Alt-U brings it back to 320x200;
  - after the 'v' key the guest draws a VBE 640x480x32 picture through the
    linear framebuffer, which must reach the window pixel for pixel (the
    accelerator's dirty tracking of guest RAM writes);
  - closing the window (WM_DELETE_WINDOW, as a window manager sends it)
    presses the ACPI power button, which the guest sees; closing it again
    ends Ember with status 0.
Skips (exit 77) where Xvfb, xwd or xdotool is missing, or this build has
no SDL. Environment: GUEST_ACCELS, GUEST_TIMEOUT (default 180),
GUEST_KEEP.
"""
import ctypes
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

NAME = 'sdltest'
TITLE = 'Ember (%s)' % NAME
GRAB_TITLE = TITLE + ' - Press Ctrl-Alt-G to exit grab'


class Failure(Exception):
    pass


def c6(v):
    return (v << 2) | (v >> 4)


def colour(x, y):
    i = (x // 16 + 20 * (y // 16) + 7) & 0xff
    return (c6(i & 63), c6((i >> 2) & 63), c6((i ^ 0x2a) & 63))


def read_xwd(path):
    """(width, height, rows of (r, g, b)) of a 24/32-bit ZPixmap XWD."""
    with open(path, 'rb') as f:
        data = f.read()
    h = struct.unpack('>25I', data[:100])
    hsize, fmt, depth, w, hgt = h[0], h[2], h[3], h[4], h[5]
    order, bpp, bpl, ncolors = h[7], h[11], h[12], h[19]
    masks = h[14:17]
    if fmt != 2 or bpp != 32 or depth < 24:
        raise Failure('unexpected xwd format (format %d, %d bpp)' %
                      (fmt, bpp))
    off = hsize + ncolors * 12
    endian = '<' if order == 0 else '>'
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    rows = []
    for y in range(hgt):
        line = struct.unpack_from('%s%dI' % (endian, w), data, off + y * bpl)
        rows.append([((p & masks[0]) >> shifts[0], (p & masks[1]) >> shifts[1],
                      (p & masks[2]) >> shifts[2]) for p in line])
    return w, hgt, rows


class X:
    """Xvfb and the X tools."""

    def __init__(self, rundir):
        rfd, wfd = os.pipe()
        self.log = open(os.path.join(rundir, 'xvfb.log'), 'w')
        self.proc = subprocess.Popen(
            ['Xvfb', '-displayfd', str(wfd), '-screen', '0', '1280x1024x24',
             '-nolisten', 'tcp'], pass_fds=(wfd,), stdout=self.log,
            stderr=self.log)
        os.close(wfd)
        with os.fdopen(rfd) as f:
            num = f.readline().strip()
        if not num:
            raise Failure('Xvfb did not start')
        self.display = ':' + num
        self.env = dict(os.environ, DISPLAY=self.display)
        self.env.pop('WAYLAND_DISPLAY', None)

    def run(self, *args, timeout=20):
        r = subprocess.run(list(args), env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if r.returncode:
            raise Failure('%s failed: %s' % (' '.join(args), r.stderr))
        return r.stdout.strip()

    def close_window(self, win):
        """WM_DELETE_WINDOW, as a window manager's close button sends."""
        xlib = ctypes.CDLL('libX11.so.6')
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XInternAtom.restype = ctypes.c_ulong
        xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                     ctypes.c_int]
        xlib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                    ctypes.c_int, ctypes.c_long,
                                    ctypes.c_void_p]
        xlib.XFlush.argtypes = [ctypes.c_void_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]

        class ClientMessage(ctypes.Structure):
            _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong),
                        ('send_event', ctypes.c_int),
                        ('display', ctypes.c_void_p),
                        ('window', ctypes.c_ulong),
                        ('message_type', ctypes.c_ulong),
                        ('format', ctypes.c_int),
                        ('data', ctypes.c_long * 5),
                        ('pad', ctypes.c_long * 12)]

        dpy = xlib.XOpenDisplay(self.display.encode())
        if not dpy:
            raise Failure('cannot open ' + self.display)
        ev = ClientMessage()
        ev.type = 33                    # ClientMessage
        ev.window = win
        ev.message_type = xlib.XInternAtom(dpy, b'WM_PROTOCOLS', 0)
        ev.format = 32
        ev.data[0] = xlib.XInternAtom(dpy, b'WM_DELETE_WINDOW', 0)
        xlib.XSendEvent(dpy, win, 0, 0, ctypes.byref(ev))
        xlib.XFlush(dpy)
        xlib.XCloseDisplay(dpy)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def wait_for(what, fn, deadline):
    """Poll fn() until it returns a true value (bounded by deadline)."""
    last = None
    while time.monotonic() < deadline:
        try:
            r = fn()
        except Failure as e:
            r, last = None, e
        if r:
            return r
        time.sleep(0.1)
    raise Failure('timed out waiting for %s%s' %
                  (what, ': %s' % last if last else ''))


def serial_lines(path):
    """The complete lines so far (a partial last line is left out)."""
    with open(path, 'rb') as f:
        text = f.read().decode(errors='replace').replace('\r', '')
    return text.split('\n')[:-1]


def run_one(ember, guest, args, accel, rundir):
    xs = X(rundir)
    serial = os.path.join(rundir, accel + '.serial')
    out = open(os.path.join(rundir, accel + '.out'), 'w')
    open(serial, 'w').close()
    deadline = time.monotonic() + float(os.environ.get('GUEST_TIMEOUT',
                                                       '180'))
    proc = subprocess.Popen(
        [ember, '-accel', accel, '-m', '128', '-display', 'sdl', '-name', NAME,
         '-no-reboot', '-serial', 'file:' + serial,
         '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-kernel', guest]
        + args, env=xs.env, stdout=out, stderr=subprocess.STDOUT)
    done = []
    shot = os.path.join(rundir, accel + '.xwd')

    def grep(prefix, start=0):
        return [ln for ln in serial_lines(serial)[start:]
                if ln.startswith(prefix)]

    def capture(win):
        xs.run('xwd', '-silent', '-id', str(win), '-out', shot)
        return read_xwd(shot)

    try:
        win = int(wait_for('the window', lambda: xs.run(
            'xdotool', 'search', '--name', '^%s$' % TITLE.replace(
                '(', '\\(').replace(')', '\\)')).split('\n')[0], deadline))
        if xs.run('xdotool', 'getwindowname', str(win)) != TITLE:
            raise Failure('window title is not "%s"' % TITLE)
        done.append('title')
        wait_for('READY from the guest', lambda: grep('READY'), deadline)

        def picture_ok():
            w, h, rows = capture(win)
            if (w, h) != (320, 200):
                raise Failure('window is %dx%d, not 320x200' % (w, h))
            for y in range(200):
                for x in range(320):
                    if tuple(rows[y][x]) != colour(x, y):
                        raise Failure('pixel (%d,%d) is %s, not %s' %
                                      (x, y, rows[y][x], colour(x, y)))
            return True
        wait_for('the picture in the window', picture_ok, deadline)
        done.append('pixels')

        # Keys: 'a' then shift+b, in scan code set 1.
        start = len(serial_lines(serial))
        xs.run('xdotool', 'windowfocus', '--sync', str(win))
        xs.run('xdotool', 'key', '--delay', '50', 'a', 'shift+b')
        # xdotool may let go of shift before b: the breaks in any order.
        def keys_ok():
            got = grep('KEY:', start)
            return (got[:4] == ['KEY: 1e', 'KEY: 9e', 'KEY: 2a', 'KEY: 30']
                    and sorted(got[4:]) == ['KEY: aa', 'KEY: b0'])
        wait_for('the keys in the guest', keys_ok, deadline)
        done.append('keys')

        # Grab, move the mouse, release.
        xs.run('xdotool', 'key', 'ctrl+alt+g')
        wait_for('the grab title', lambda: xs.run(
            'xdotool', 'getwindowname', str(win)) == GRAB_TITLE, deadline)
        start = len(serial_lines(serial))

        def moved():
            xs.run('xdotool', 'mousemove_relative', '--', '12', '0')
            time.sleep(0.2)
            dx = sum(int(ln.split()[2]) for ln in grep('MOUSE:', start))
            return dx > 0
        wait_for('relative motion at the PS/2 mouse', moved, deadline)
        xs.run('xdotool', 'key', 'ctrl+alt+g')
        wait_for('the title without grab', lambda: xs.run(
            'xdotool', 'getwindowname', str(win)) == TITLE, deadline)
        done.append('grab+mouse')

        # Twice the size: pixman scales; block centres keep their colour.
        xs.run('xdotool', 'windowsize', str(win), '640', '400')

        def scaled_ok():
            w, h, rows = capture(win)
            if (w, h) != (640, 400):
                raise Failure('window is %dx%d after resizing' % (w, h))
            for by in range(0, 200, 16):
                for bx in range(0, 320, 16):
                    cx, cy = min(bx + 8, 319), min(by + 6, 199)
                    if tuple(rows[2 * cy][2 * cx]) != colour(cx, cy):
                        raise Failure('scaled block (%d,%d) is %s' %
                                      (bx, by, rows[2 * cy][2 * cx]))
            return True
        wait_for('the scaled picture', scaled_ok, deadline)
        done.append('scaling')

        # Ctrl-Alt-U: back to the guest's size.
        xs.run('xdotool', 'key', 'ctrl+alt+u')
        wait_for('the window at 320x200 again', lambda: capture(win)[:2] ==
                 (320, 200), deadline)
        done.append('unscale')

        # A VBE picture written through the linear framebuffer: it is
        # RAM to the accelerator, so only its dirty tracking shows it.
        xs.run('xdotool', 'key', 'v')
        wait_for('VBE from the guest', lambda: grep('VBE'), deadline)

        def vbe_ok():
            w, h, rows = capture(win)
            if (w, h) != (640, 480):
                raise Failure('window is %dx%d, not 640x480' % (w, h))
            for y in range(480):
                for x in range(640):
                    want = (x & 255, y & 255, (x ^ y) & 255)
                    if tuple(rows[y][x]) != want:
                        raise Failure('VBE pixel (%d,%d) is %s, not %s' %
                                      (x, y, rows[y][x], want))
            return True
        wait_for('the VBE picture in the window', vbe_ok, deadline)
        done.append('vbe-lfb')

        # Close: the power button; close again: Ember quits.
        xs.close_window(win)
        wait_for('the power button in the guest', lambda: grep('POWER'),
                 deadline)
        if proc.poll() is not None:
            raise Failure('Ember ended at the first close')
        done.append('power-button')
        xs.close_window(win)
        status = wait_for('Ember to exit', lambda: proc.poll() is not None
                          and ('exit', proc.returncode), deadline)[1]
        if status != 0:
            raise Failure('Ember exited with %d after the second close' %
                          status)
        done.append('second-close')
        problem = None
    except (Failure, subprocess.TimeoutExpired, OSError) as e:
        problem = str(e)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        out.close()
        xs.stop()
    return problem, done


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ember, guest = sys.argv[1:3]
    args = sys.argv[3:]
    name = os.path.splitext(os.path.basename(guest))[0]
    for tool in ('Xvfb', 'xwd', 'xdotool'):
        if not shutil.which(tool):
            print('SKIP %s: %s is not installed (scripts/install-deps.sh '
                  '--tests)' % (name, tool))
            return 77
    r = subprocess.run([ember, '-display', 'help'], capture_output=True,
                       text=True)
    if 'sdl' not in r.stdout.split():
        print('SKIP %s: this build has no SDL' % name)
        return 77
    built = subprocess.run([ember, '-accel', 'help'], capture_output=True,
                           text=True).stdout.split('\n')[1:]
    rundir = tempfile.mkdtemp(prefix='ember-guest-%s.' % name)
    keep = bool(os.environ.get('GUEST_KEEP'))
    if keep:
        print('run directory:', rundir)
    ran, failed = [], []
    try:
        for accel in os.environ.get('GUEST_ACCELS', 'kvm tcg').split():
            if accel == 'kvm' and not os.path.exists('/dev/kvm'):
                print('SKIP %s/kvm: /dev/kvm is missing' % name)
                continue
            if accel not in built:
                print('SKIP %s/%s: this build has no %s accelerator yet' %
                      (name, accel, accel))
                continue
            ran.append(accel)
            problem, done = run_one(ember, guest, args, accel, rundir)
            print('=== %s under %s: checked %s' % (name, accel,
                                                  ', '.join(done) or 'nothing'))
            for ln in serial_lines(os.path.join(rundir, accel + '.serial')):
                if ln:
                    print('  | ' + ln)
            if problem:
                failed.append(accel)
                print('  FAIL: ' + problem)
                with open(os.path.join(rundir, accel + '.out')) as f:
                    for ln in f:
                        print('  > ' + ln.rstrip())
    finally:
        if not keep:
            shutil.rmtree(rundir, ignore_errors=True)
    if failed:
        print('RESULT %s: FAIL under: %s' % (name, ' '.join(failed)))
        return 1
    if not ran:
        print('RESULT %s: SKIP (no accelerator could run it)' % name)
        return 77
    print('RESULT %s: PASS under: %s' % (name, ' '.join(ran)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
