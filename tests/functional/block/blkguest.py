# SPDX-License-Identifier: GPL-2.0-or-later
"""A Linux guest with disks, for the block tests (tests/functional/block)
and the in-guest block benchmark (bench/block/guest.py).

Debian's kernel (scripts/fetch-assets.sh, never installed) with a busybox
initramfs from scripts/mkinitramfs.sh carrying the virtio-blk and ext4
modules (Debian builds both as modules), run under Ember or QEMU with the
serial console read line by line. The guest's /init.d/main is given by
the caller; it reports through console lines starting with a tag
("BLK-...") and reads its parameters from /proc/cmdline (arg NAME).
"""
import os
import re
import select
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('EMBER_SOURCE_ROOT',
                     os.path.normpath(os.path.join(HERE, '..', '..', '..')))

# virtio_blk does not depend on the transport; ext4 also mounts ext2,
# which is what busybox's mke2fs makes (CONFIG_EXT4_USE_FOR_EXT2), and
# asks the crypto API for crc32c at every mount (no .modinfo dependency).
MODULES = ['virtio_pci', 'virtio_blk', 'crc32c_generic', 'ext4']

PRELUDE = r'''#!/bin/sh
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
fail() { echo "BLK-FAIL: $*"; }
'''


class Skip(Exception):
    """The test cannot run here (assets, tools)."""


def kernel():
    """The kernel image path, or Skip."""
    script = os.path.join(SRC, 'scripts', 'fetch-assets.sh')
    for args in (['--offline', 'kernel'], ['kernel']):
        p = subprocess.run([script] + args, capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.strip().splitlines()[0]
    raise Skip('no kernel (scripts/fetch-assets.sh kernel failed)')


def build_initrd(out, guest_script, extra_files=()):
    """An initramfs with the block modules, guest_script as /init.d/main
    and extra_files ((host path, guest path) pairs)."""
    for tool in ('cpio', 'readelf'):
        if not shutil.which(tool):
            raise Skip('%s is not installed' % tool)
    fd, script = tempfile.mkstemp(prefix='ember-blkguest-', suffix='.sh')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(PRELUDE + guest_script)
        cmd = [os.path.join(SRC, 'scripts', 'mkinitramfs.sh')]
        for m in MODULES:
            cmd += ['-m', m]
        for host, guest in extra_files:
            cmd += ['-f', '%s:%s' % (host, guest)]
        p = subprocess.run(cmd + [out, script], capture_output=True,
                           text=True)
        if p.returncode:
            raise Skip('mkinitramfs failed: ' + p.stderr.strip())
    finally:
        os.unlink(script)


def emulator_cmd(binary, kern, initrd, append, drives, mem=256):
    """One guest run; the same options for Ember and QEMU. drives: a
    list of -drive option strings (if=virtio is added)."""
    cmd = [binary, '-accel', 'tcg', '-m', str(mem),
           '-kernel', kern, '-initrd', initrd,
           '-append', 'console=ttyS0 quiet panic=-1 ' + append,
           '-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot']
    for d in drives:
        cmd += ['-drive', d + ',if=virtio']
    return cmd


class Guest:
    """A running emulator with its console as lines."""

    def __init__(self, cmd, log=None):
        if log:
            log.write('### ' + ' '.join(cmd) + '\n')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b''
        self.lines = []
        self.pos = 0
        self.log = log

    def _read(self, timeout):
        """False on timeout, None at EOF, True when lines may be new."""
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return None
        self.buf += data
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            text = line.decode('utf-8', 'replace').rstrip('\r')
            text = re.sub(r'\x1b\[[0-9;?]*[a-zA-Z]', '', text)
            self.lines.append(text)
            if self.log:
                self.log.write(text + '\n')
                self.log.flush()
        return True

    def wait_for(self, pattern, timeout):
        """The first new line matching pattern (a regex) or a BLK-FAIL
        line; None at the timeout or when the emulator ends."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            while self.pos < len(self.lines):
                line = self.lines[self.pos]
                self.pos += 1
                if rx.search(line) or 'BLK-FAIL' in line:
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if self._read(min(left, 1.0)) is None:
                return None

    def finish(self, timeout):
        """Wait for the guest to power off; the exit status, or None
        (killed) if it did not end in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._read(1.0) is None:
                break
        try:
            return self.proc.wait(timeout=max(deadline - time.monotonic(),
                                              1))
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
