#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The display path: Ember's SDL window against QEMU's, same guest, same run.

  bench/display/run.py [BUILD-DIR]        (default: build)

The guest (tests/guest/vga-redraw.c, -append frames=0) redraws its whole
640x480x32 VBE screen in a loop, so every refresh of the window has a
full frame to show. Both emulators run it with "-display sdl -vga std
-m 128 -name bench" on one Xvfb server (1280x1024x24), one after the
other, with the same accelerator. After a warm-up, over BENCH_SECONDS
(default 10) it measures:

  fps        frames the window system received: XDamage notifications on
             the emulator's window (one per update that reached the X
             server; the damage is taken back after each), per second
  ui cpu     CPU time of the emulator's main thread, where both run the
             display (refresh, conversion, SDL and X11), in % of one core
  total cpu  CPU time of the whole process, % of one core (the vCPU
             thread spins at 100% in both: the rest is display + I/O)

and prints one line per metric, e.g.
  display fps: ember 33.1, qemu 33.0, ratio 1.00 (tcg)
  display cpu%: ember 4.2, qemu 21.7, ratio 0.19 (tcg)
with the median of BENCH_RUNS runs (default 3). Lower CPU at the same
fps is better.

Environment: BENCH_ACCELS (default "tcg"; "kvm" works where KVM is fast),
BENCH_RUNS, BENCH_SECONDS, QEMU (default qemu-system-x86_64).
Needs Xvfb, xdotool and libXdamage (scripts/install-deps.sh --tests).
"""
import ctypes
import os
import select
import shutil
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf('SC_CLK_TCK')


class Xvfb:
    def __init__(self):
        rfd, wfd = os.pipe()
        self.proc = subprocess.Popen(
            ['Xvfb', '-displayfd', str(wfd), '-screen', '0', '1280x1024x24',
             '-nolisten', 'tcp'], pass_fds=(wfd,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(wfd)
        with os.fdopen(rfd) as f:
            self.display = ':' + f.readline().strip()
        self.env = dict(os.environ, DISPLAY=self.display)
        self.env.pop('WAYLAND_DISPLAY', None)

    def find_window(self, title, deadline):
        while time.monotonic() < deadline:
            r = subprocess.run(['xdotool', 'search', '--name', title],
                               env=self.env, capture_output=True, text=True)
            ids = r.stdout.split()
            if ids:
                return int(ids[0])
            time.sleep(0.1)
        raise RuntimeError('no window called %r' % title)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class DamageCounter:
    """Counts the updates that reach a window, through XDamage."""

    def __init__(self, display, window):
        x = ctypes.CDLL('libX11.so.6')
        d = ctypes.CDLL('libXdamage.so.1')
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XConnectionNumber.argtypes = [ctypes.c_void_p]
        x.XPending.argtypes = [ctypes.c_void_p]
        x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        x.XFlush.argtypes = [ctypes.c_void_p]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        d.XDamageQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int)]
        d.XDamageCreate.restype = ctypes.c_ulong
        d.XDamageCreate.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                    ctypes.c_int]
        d.XDamageSubtract.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                      ctypes.c_ulong, ctypes.c_ulong]
        self.x, self.d = x, d
        self.dpy = x.XOpenDisplay(display.encode())
        ev_base, err_base = ctypes.c_int(), ctypes.c_int()
        if not d.XDamageQueryExtension(self.dpy, ctypes.byref(ev_base),
                                       ctypes.byref(err_base)):
            raise RuntimeError('the X server has no DAMAGE extension')
        self.notify = ev_base.value           # XDamageNotify is 0
        # XDamageReportNonEmpty: one event when the window's damage goes
        # from empty to not; subtracting it re-arms the report.
        self.damage = d.XDamageCreate(self.dpy, window, 3)
        x.XFlush(self.dpy)
        self.fd = x.XConnectionNumber(self.dpy)
        self.event = ctypes.create_string_buffer(192)

    def count(self, seconds):
        n = 0
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return n
            while self.x.XPending(self.dpy):
                self.x.XNextEvent(self.dpy, self.event)
                etype = int.from_bytes(self.event.raw[:4], 'little')
                if etype == self.notify:
                    n += 1
                    self.d.XDamageSubtract(self.dpy, self.damage, 0, 0)
                    self.x.XFlush(self.dpy)
            select.select([self.fd], [], [], min(left, 0.05))

    def close(self):
        self.x.XCloseDisplay(self.dpy)


def cpu_ticks(path):
    with open(path) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime + stime


def measure(cmd, title, xs, seconds):
    proc = subprocess.Popen(cmd, env=xs.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        win = xs.find_window(title, time.monotonic() + 60)
        time.sleep(3)                       # boot, mode set, warm-up
        dc = DamageCounter(xs.display, win)
        dc.count(0.5)
        main0 = cpu_ticks('/proc/%d/task/%d/stat' % (proc.pid, proc.pid))
        all0 = cpu_ticks('/proc/%d/stat' % proc.pid)
        t0 = time.monotonic()
        frames = dc.count(seconds)
        dt = time.monotonic() - t0
        main1 = cpu_ticks('/proc/%d/task/%d/stat' % (proc.pid, proc.pid))
        all1 = cpu_ticks('/proc/%d/stat' % proc.pid)
        dc.close()
        if proc.poll() is not None:
            raise RuntimeError('%s exited early' % cmd[0])
        return (frames / dt, 100.0 * (main1 - main0) / CLK_TCK / dt,
                100.0 * (all1 - all0) / CLK_TCK / dt)
    finally:
        proc.kill()
        proc.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    ember = os.path.join(build, 'ember-system-x86_64')
    guest = os.path.join(build, 'tests/guest/vga-redraw.elf')
    qemu = os.environ.get('QEMU', 'qemu-system-x86_64')
    runs = int(os.environ.get('BENCH_RUNS', '3'))
    seconds = float(os.environ.get('BENCH_SECONDS', '10'))
    for need in (ember, guest):
        if not os.path.exists(need):
            sys.exit('bench/display: build first (need %s)' % need)
    for tool in (qemu, 'Xvfb', 'xdotool'):
        if not shutil.which(tool):
            sys.exit('bench/display: %s not found (scripts/install-deps.sh '
                     '--tests)' % tool)
    accels = subprocess.run([ember, '-accel', 'help'], capture_output=True,
                            text=True).stdout.split()
    common = ['-m', '128', '-display', 'sdl', '-vga', 'std', '-name',
              'bench', '-kernel', guest, '-append', 'frames=0',
              '-serial', 'null', '-no-reboot']
    xs = Xvfb()
    try:
        for accel in os.environ.get('BENCH_ACCELS', 'tcg').split():
            if accel not in accels:
                print('display: skipped %s (this Ember has no %s)' %
                      (accel, accel))
                continue
            res = {'ember': [], 'qemu': []}
            for _ in range(runs):
                res['ember'].append(measure(
                    [ember, '-accel', accel] + common, r'^Ember \(bench\)$', xs,
                    seconds))
                res['qemu'].append(measure(
                    [qemu, '-accel', accel, '-nodefaults'] + common,
                    # QEMU adds the console index: "QEMU (bench-0)".
                    r'^QEMU \(bench', xs, seconds))
            for i, what in enumerate(('display fps', 'display cpu%',
                                      'total cpu%')):
                e = statistics.median(r[i] for r in res['ember'])
                q = statistics.median(r[i] for r in res['qemu'])
                print('%s: ember %.1f, qemu %.1f, ratio %.2f (%s)' %
                      (what, e, q, e / q if q else float('inf'), accel))
                sys.stdout.flush()
    finally:
        xs.stop()


if __name__ == '__main__':
    main()
