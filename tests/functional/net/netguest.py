# SPDX-License-Identifier: GPL-2.0-or-later
"""A Linux guest for the network tests and benchmarks: Debian's kernel
(scripts/fetch-assets.sh, never installed) with a busybox initramfs
(scripts/mkinitramfs.sh) plus the virtio-net driver modules and a DHCP
client script, run under Ember or QEMU with its serial console read line
by line.

The guest's /init.d/main is given by the caller; it talks to the host
through lines on the console ("NET-...") and reads its parameters from
the kernel command line (/proc/cmdline).
"""
import hashlib
import http.server
import os
import re
import select
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('EMBER_SOURCE_ROOT',
                     os.path.normpath(os.path.join(HERE, '..', '..', '..')))

# The driver and what it needs, loaded in dependency order (computed from
# each module's .modinfo, so another kernel version works too).
NET_MODULES = ['virtio_net', 'virtio_pci']

UDHCPC_SCRIPT = r'''#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}"
    echo "NET-LEASE: ip=$ip router=$router dns=$dns mask=$mask"
    ;;
esac
'''

# Shell for the guest: load the modules, bring eth0 up.
GUEST_PRELUDE = r'''#!/bin/sh
for m in $(cat /lib/modules/net/order); do
    insmod /lib/modules/net/$m.ko || echo "NET-FAIL: insmod $m"
done
ip link set lo up
ip link set eth0 up || echo "NET-FAIL: no eth0"
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
'''


class Skip(Exception):
    """The test cannot run here (assets, tools, permissions)."""


def fetch_assets():
    """(kernel path, modules directory) or Skip."""
    script = os.path.join(SRC, 'scripts', 'fetch-assets.sh')
    for args in (['--offline', 'kernel'], ['kernel']):
        p = subprocess.run([script] + args, capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip():
            kernel = p.stdout.strip().splitlines()[0]
            break
    else:
        raise Skip('no kernel (scripts/fetch-assets.sh kernel failed)')
    version = os.path.basename(kernel).replace('vmlinuz-', '')
    root = os.path.dirname(os.path.dirname(kernel))
    moddir = os.path.join(root, 'lib', 'modules', version, 'kernel')
    if not os.path.isdir(moddir):
        raise Skip('the kernel package has no modules at ' + moddir)
    return kernel, moddir


def _modinfo_depends(path):
    """The depends= list of a module, from its .modinfo section."""
    p = subprocess.run(['readelf', '-p', '.modinfo', path],
                       capture_output=True, text=True)
    m = re.search(r'depends=([\w,-]*)', p.stdout)
    return [d for d in (m.group(1).split(',') if m else []) if d]


def module_order(moddir, wanted):
    """Paths of wanted modules and their dependencies, dependencies
    first."""
    if not shutil.which('readelf'):
        raise Skip('readelf (binutils) is needed to order the modules')
    paths = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            if f.endswith('.ko'):
                paths[f[:-3].replace('-', '_')] = os.path.join(dirpath, f)
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        if name not in paths:
            raise Skip('module %s not in the kernel package' % name)
        for dep in _modinfo_depends(paths[name]):
            visit(dep.replace('-', '_'))
        order.append(name)

    for w in wanted:
        visit(w)
    return [(n, paths[n]) for n in order]


def build_initrd(out, guest_script, moddir):
    """mkinitramfs.sh with guest_script as /init.d/main, then a second
    archive (Linux reads concatenated ones) with the modules."""
    if not shutil.which('cpio'):
        raise Skip('cpio is not installed')
    work = tempfile.mkdtemp(prefix='ember-netguest-')
    try:
        script = os.path.join(work, 'main.sh')
        with open(script, 'w') as f:
            f.write(GUEST_PRELUDE + guest_script)
        base = os.path.join(work, 'base.gz')
        p = subprocess.run([os.path.join(SRC, 'scripts', 'mkinitramfs.sh'),
                            base, script], capture_output=True, text=True)
        if p.returncode:
            raise Skip('mkinitramfs failed: ' + p.stderr.strip())
        extra = os.path.join(work, 'extra')
        os.makedirs(os.path.join(extra, 'lib', 'modules', 'net'))
        os.makedirs(os.path.join(extra, 'etc'))
        mods = module_order(moddir, NET_MODULES)
        for name, path in mods:
            shutil.copy(path, os.path.join(extra, 'lib', 'modules', 'net',
                                           name + '.ko'))
        with open(os.path.join(extra, 'lib', 'modules', 'net', 'order'),
                  'w') as f:
            f.write(' '.join(n for n, _ in mods) + '\n')
        with open(os.path.join(extra, 'etc', 'udhcpc.sh'), 'w') as f:
            f.write(UDHCPC_SCRIPT)
        os.chmod(os.path.join(extra, 'etc', 'udhcpc.sh'), 0o755)
        files = subprocess.run('find .', shell=True, cwd=extra,
                               capture_output=True).stdout
        arch = subprocess.run(['cpio', '-o', '-H', 'newc', '--quiet',
                               '-R', '0:0'], cwd=extra, input=files,
                              capture_output=True, check=True).stdout
        with open(base, 'rb') as f:
            data = f.read()
        import gzip
        with open(out, 'wb') as f:
            f.write(data)
            f.write(gzip.compress(arch))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FileServer:
    """An HTTP server on 127.0.0.1 serving one file at /blob."""

    def __init__(self, data):
        self.data = data
        self.sha256 = hashlib.sha256(data).hexdigest()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != '/blob':
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header('Content-Length', str(len(owner.data)))
                self.end_headers()
                self.wfile.write(owner.data)

            def log_message(self, *args):
                pass

        self.httpd = socketserver.TCPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def emulator_cmd(kind, binary, kernel, initrd, append, net_args, smp=1):
    """The command line of one guest run; the same for Ember and QEMU."""
    cmd = [binary, '-accel', 'tcg', '-m', '512', '-smp', str(smp),
           '-kernel', kernel, '-initrd', initrd,
           '-append', 'console=ttyS0 quiet panic=-1 ' + append,
           '-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot']
    return cmd + net_args


class Guest:
    """A running emulator with its console as lines."""

    def __init__(self, cmd, log=None):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b''
        self.lines = []
        self.log = log

    def _read(self, timeout):
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
        return True

    def wait_for(self, pattern, timeout):
        """The first new line matching pattern (a regex), or None at the
        timeout or if the emulator ends. Lines matching NET-FAIL end the
        wait too (returned)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        start = getattr(self, '_pos', 0)
        while True:
            for i in range(start, len(self.lines)):
                if rx.search(self.lines[i]) or 'NET-FAIL' in self.lines[i]:
                    self._pos = i + 1
                    return self.lines[i]
            start = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if self._read(min(left, 1.0)) is None:
                return None

    def drain(self):
        """Take in the console output that is already there."""
        while self._read(0):
            pass

    def finish(self, timeout=30):
        """Wait for the emulator to end (the guest powers off)."""
        try:
            while self._read(1.0) is not None and \
                    self.proc.poll() is None and timeout > 0:
                timeout -= 1
            self.proc.wait(timeout=max(timeout, 1))
        except subprocess.TimeoutExpired:
            self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
