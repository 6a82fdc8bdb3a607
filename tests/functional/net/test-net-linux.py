#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Networking with a real Linux guest (Debian's kernel, busybox, the
virtio_net driver) under TCG:

  user   -nic user: udhcpc gets 10.0.2.15 with router 10.0.2.2 and DNS
         10.0.2.3; wget fetches a 1 MiB file from an HTTP server on the
         host's loopback through 10.0.2.2 and its SHA-256 matches; a host
         client reads 256 KiB from a guest server (busybox nc) through
         hostfwd and its SHA-256 matches.
  tap    (root) -netdev tap moved into a network namespace: the guest
         pings the namespace and the namespace pings the guest.

  test-net-linux.py [--emulator PATH] [--kind ember|qemu] [user] [tap]

The same guest runs under QEMU with --kind qemu (Debian's
qemu-system-x86_64), which is how the guest side of this test is
checked. Exit status: 0 pass, 1 fail, 77 skip (no kernel, no boot under
this accelerator yet, not root for tap).
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netguest  # noqa: E402

BOOT_TIMEOUT = 180
STEP_TIMEOUT = 120

USER_GUEST = r'''
udhcpc -i eth0 -s /etc/udhcpc.sh -n -q -t 10 -T 2 || echo "NET-FAIL: udhcpc"
port=$(arg httpport)
if wget -q -O /tmp/blob "http://10.0.2.2:$port/blob"; then
    echo "NET-WGET: $(sha256sum /tmp/blob | cut -d' ' -f1)"
else
    echo "NET-FAIL: wget"
fi
head -c 262144 /dev/urandom > /tmp/out
nc -l -p 8080 < /tmp/out &
echo "NET-SERVE: $(sha256sum /tmp/out | cut -d' ' -f1)"
wait
echo "NET-DONE"
'''

TAP_GUEST = r'''
ip addr add 192.168.78.2/24 dev eth0
echo "NET-UP"
n=0
until ping -c 1 -W 1 192.168.78.1 >/dev/null 2>&1; do
    n=$((n + 1))
    [ $n -ge 60 ] && break
done
if ping -c 3 -W 5 192.168.78.1 >/dev/null; then
    echo "NET-PING-OK"
else
    echo "NET-FAIL: ping 192.168.78.1"
fi
sleep 60
echo "NET-DONE"
'''

results = []


def report(ok, what):
    results.append(ok)
    print('%s: %s' % ('PASS' if ok else 'FAIL', what), flush=True)


def boot(args, kernel, initrd, append, net_args, log):
    cmd = netguest.emulator_cmd(args.kind, args.emulator, kernel, initrd,
                                append, net_args)
    g = netguest.Guest(cmd, log)
    if not g.wait_for(r'EMBER-INIT-OK', BOOT_TIMEOUT):
        g.kill()
        raise netguest.Skip('the guest did not reach init under %s in %d s '
                            '(Linux under this TCG not yet?)' %
                            (args.kind, BOOT_TIMEOUT))
    return g


def test_user(args, kernel, moddir, work, log):
    initrd = os.path.join(work, 'user.gz')
    netguest.build_initrd(initrd, USER_GUEST, moddir)
    blob = os.urandom(1 << 20)
    srv = netguest.FileServer(blob)
    fwd = netguest.free_port()
    g = boot(args, kernel, initrd, 'httpport=%d' % srv.port,
             ['-nic', 'user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:%d-'
              ':8080' % fwd], log)
    try:
        line = g.wait_for(r'NET-LEASE', STEP_TIMEOUT) or 'no lease'
        report('ip=10.0.2.15 router=10.0.2.2 dns=10.0.2.3' in line,
               'udhcpc: ' + line)
        line = g.wait_for(r'NET-WGET', STEP_TIMEOUT) or 'no wget result'
        report(line.endswith(srv.sha256),
               'wget of 1 MiB from the host through 10.0.2.2: ' + line)
        line = g.wait_for(r'NET-SERVE', STEP_TIMEOUT)
        if not line or 'NET-FAIL' in line:
            report(False, 'guest server: %s' % line)
            return
        want = line.split()[-1]
        got = b''
        # nc may not listen yet when the line arrives: slirp then resets
        # the forwarded connection at once; try again.
        for _ in range(30):
            with socket.create_connection(('127.0.0.1', fwd),
                                          timeout=30) as c:
                c.settimeout(STEP_TIMEOUT)
                while len(got) < 262144:
                    data = c.recv(65536)
                    if not data:
                        break
                    got += data
            if got:
                break
            time.sleep(1)
        import hashlib
        report(len(got) == 262144 and hashlib.sha256(got).hexdigest() == want,
               'host client through hostfwd read %d bytes from the guest' %
               len(got))
        report(g.wait_for(r'NET-DONE', STEP_TIMEOUT) is not None,
               'guest server finished')
    finally:
        g.kill()
        srv.close()


def busybox():
    p = subprocess.run([os.path.join(netguest.SRC, 'scripts',
                                     'fetch-assets.sh'), '--offline',
                        'busybox'], capture_output=True, text=True)
    if p.returncode or not p.stdout.strip():
        raise netguest.Skip('no ping on the host and no busybox')
    return p.stdout.strip().splitlines()[0]


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True).returncode


def test_tap(args, kernel, moddir, work, log):
    if os.geteuid() != 0 or not os.access('/dev/net/tun', os.R_OK | os.W_OK):
        raise netguest.Skip('tap needs root and /dev/net/tun')
    ns = 'ember-lnx-%d' % os.getpid()
    ifname = 'embl%d' % (os.getpid() % 100000)
    if sh('ip netns add ' + ns):
        raise netguest.Skip('cannot create a network namespace')
    initrd = os.path.join(work, 'tap.gz')
    g = None
    try:
        netguest.build_initrd(initrd, TAP_GUEST, moddir)
        cmd = netguest.emulator_cmd(
            args.kind, args.emulator, kernel, initrd, '',
            ['-netdev', 'tap,id=t0,ifname=%s,script=no,downscript=no' %
             ifname, '-device', 'virtio-net-pci,netdev=t0'])
        g = netguest.Guest(cmd, log)
        for _ in range(100):
            if sh('ip link show %s' % ifname) == 0:
                break
            time.sleep(0.1)
        ok = (sh('ip link set %s netns %s' % (ifname, ns)) == 0 and
              sh('ip -n %s addr add 192.168.78.1/24 dev %s' % (ns, ifname))
              == 0 and sh('ip -n %s link set %s up' % (ns, ifname)) == 0)
        report(ok, 'tap %s moved into namespace %s' % (ifname, ns))
        if not g.wait_for(r'EMBER-INIT-OK', BOOT_TIMEOUT):
            raise netguest.Skip('the guest did not reach init under %s' %
                                args.kind)
        line = g.wait_for(r'NET-PING-OK', STEP_TIMEOUT) or 'no answer'
        report('NET-PING-OK' in line, 'guest pings the namespace: ' + line)
        ping = shutil.which('ping') or '%s ping' % busybox()
        report(sh('ip netns exec %s %s -c 3 -W 5 192.168.78.2' %
                  (ns, ping)) == 0, 'the namespace pings the guest')
    finally:
        if g:
            g.kill()
        sh('ip netns del ' + ns)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--emulator', default=os.environ.get(
        'EMBER_SYSTEM', 'build/ember-system-x86_64'))
    ap.add_argument('--kind', choices=['ember', 'qemu'], default='ember')
    ap.add_argument('--log', help='write the guest consoles here')
    ap.add_argument('tests', nargs='*', default=['user', 'tap'])
    args = ap.parse_args()
    if args.kind == 'qemu' and args.emulator.endswith('ember-system-x86_64'):
        args.emulator = 'qemu-system-x86_64'
    log = open(args.log, 'w') if args.log else None
    skipped = []
    try:
        kernel, moddir = netguest.fetch_assets()
    except netguest.Skip as e:
        print('SKIP: %s' % e)
        return 77
    work = tempfile.mkdtemp(prefix='ember-net-linux-')
    try:
        for t in args.tests:
            try:
                {'user': test_user, 'tap': test_tap}[t](args, kernel, moddir,
                                                       work, log)
            except netguest.Skip as e:
                print('SKIP %s: %s' % (t, e), flush=True)
                skipped.append(t)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not all(results):
        return 1
    return 77 if not results else 0


if __name__ == '__main__':
    sys.exit(main())
