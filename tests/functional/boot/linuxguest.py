# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's kernel with a busybox initramfs whose /init.d/main is
guest-main.sh, run under Ember or QEMU with the serial console read as
it streams. Used by tests/functional/boot and bench/boot.
"""
import hashlib
import os
import re
import select
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('EMBER_SOURCE_ROOT',
                     os.path.normpath(os.path.join(HERE, '..', '..', '..')))
GUEST_SCRIPT = os.path.join(HERE, 'guest-main.sh')
MARKER = re.compile(r'EMBER-INIT-OK: (\S+) (\d+) cpu\(s\)')


class Skip(Exception):
    """The test cannot run here (no kernel, no busybox, no cpio)."""


def fetch_kernel():
    """Path of Debian's bzImage (the cache first, then apt) or Skip."""
    script = os.path.join(SRC, 'scripts', 'fetch-assets.sh')
    for args in (['--offline', 'kernel'], ['kernel']):
        p = subprocess.run([script] + args, capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.strip().splitlines()[0]
    raise Skip('no kernel (scripts/fetch-assets.sh kernel failed: %s)' %
               p.stderr.strip())


def kernel_release(kernel):
    return os.path.basename(kernel).replace('vmlinuz-', '')


def build_initrd(out):
    """scripts/mkinitramfs.sh with guest-main.sh, or Skip."""
    p = subprocess.run([os.path.join(SRC, 'scripts', 'mkinitramfs.sh'),
                        out, GUEST_SCRIPT], capture_output=True, text=True)
    if p.returncode:
        raise Skip('mkinitramfs failed: ' + p.stderr.strip())


def job_sha256(lines, reps, seed):
    """What guest-main.sh's CPU-bound job prints for one seed: the
    SHA-256 of an awk LCG's numbers (mod 2^31, so busybox awk's printf
    %d, which clamps to int, prints them exactly), repeated reps times."""
    x, out = seed, []
    for _ in range(lines):
        x = (x * 69069 + 1) % 2147483648
        out.append('%d\n' % x)
    block = ''.join(out).encode()
    h = hashlib.sha256()
    for _ in range(reps):
        h.update(block)
    return h.hexdigest()


def command(binary, kernel, initrd, smp=1, mem=256, append='',
            no_reboot=True, qemu=False):
    """The command line of one run; the same options for both
    emulators. QEMU gets -accel tcg (Ember picks tcg by itself where KVM
    is not usable, but is told too so that the comparison is explicit)."""
    cmd = [binary, '-accel', 'tcg', '-m', str(mem), '-smp', str(smp),
           '-kernel', kernel, '-initrd', initrd,
           '-append', 'console=ttyS0 quiet panic=-1 ' + append,
           '-nographic']
    if no_reboot:
        cmd.append('-no-reboot')
    return cmd


class Guest:
    """A running emulator; its console as lines, each with the
    monotonic time it arrived."""

    def __init__(self, cmd, log=None):
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b''
        self.lines = []     # (time since exec, text)
        self.cpu = []       # CPU seconds the emulator had used by then
        self.log = log
        self.pos = 0
        self.end_time = None
        self.hung = False   # a wait timed out: later waits do not wait

    def _read(self, timeout):
        """False: nothing yet; None: end of output; True: read some."""
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        now = time.monotonic() - self.t0
        if not data:
            return None
        cpu = self.cpu_seconds()
        self.buf += data
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            text = line.decode('utf-8', 'replace').rstrip('\r')
            # QEMU's firmware clears the screen with escape sequences.
            text = re.sub(r'\x1b\[[0-9;?]*[a-zA-Z]|\x1bc', '', text)
            self.lines.append((now, text))
            self.cpu.append(cpu)
            if self.log:
                self.log.write(text + '\n')
                self.log.flush()
        return True

    def cpu_seconds(self):
        """User + system CPU time of the emulator (all its threads) so
        far, from /proc/PID/stat; None once it has been reaped."""
        try:
            with open('/proc/%d/stat' % self.proc.pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            return None
        # utime and stime are fields 14 and 15 (proc(5)), in clock ticks.
        return (int(fields[11]) + int(fields[12])) / \
            os.sysconf('SC_CLK_TCK')

    def wait_for(self, pattern, timeout):
        """(time, match) for the first new line matching pattern, or
        (None, None) at the timeout or the end of the output.
        self.match_cpu is the emulator's CPU time when the line came."""
        rx = re.compile(pattern)
        if self.hung:
            timeout = 0
        deadline = time.monotonic() + timeout
        while True:
            while self.pos < len(self.lines):
                t, text = self.lines[self.pos]
                self.pos += 1
                m = rx.search(text)
                if m:
                    self.match_cpu = self.cpu[self.pos - 1]
                    return t, m
            left = deadline - time.monotonic()
            if left <= 0:
                self.hung = True
                return None, None
            if self._read(min(left, 1.0)) is None:
                return None, None

    def finish(self, timeout):
        """Read to the end and wait for the exit: (status, seconds from
        exec to exit), status None if it had to be killed."""
        if self.hung:
            timeout = min(timeout, 5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._read(min(deadline - time.monotonic(), 1.0)) is None:
                break
        try:
            self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            self.kill()
            return None, None
        self.end_time = time.monotonic() - self.t0
        return self.proc.returncode, self.end_time

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def text(self):
        return [t for _, t in self.lines]
