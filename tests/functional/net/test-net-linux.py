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
  quick  both in one boot, for `make check` (suite functional): the
         guest has the user NIC and, as root, a second NIC on the tap;
         the transfers are 1 MiB and 256 KiB; the guest powers off at the
         end and the emulator's exit status is 0. Without root (or ip
         netns) only the tap checks skip.

  test-net-linux.py [--emulator PATH] [--kind ember|qemu] [--big]
                    [user] [tap] [quick]

user and tap are separate boots (suite slow, with --big: 16 MiB from the
host and 4 MiB from the guest).

The same guest runs under QEMU with --kind qemu (Debian's
qemu-system-x86_64), which is how the guest side of this test is
checked. Exit status: 0 pass, 1 fail (including a guest that does not
reach init), 77 skip (no kernel or busybox, not root for tap).
"""
import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netguest  # noqa: E402

BOOT_TIMEOUT = 180
STEP_TIMEOUT = float(os.environ.get('NET_STEP_TIMEOUT', '120'))


class Silent(Exception):
    """The guest said nothing for STEP_TIMEOUT: the next steps would
    only wait as long again."""


def expect(g, pattern, what):
    """The guest's next line matching pattern (or a NET-FAIL line); a
    FAIL and Silent when none comes."""
    line = g.wait_for(pattern, STEP_TIMEOUT)
    if line is None:
        report(False, '%s: nothing from the guest in %d s' %
               (what, STEP_TIMEOUT))
        raise Silent()
    return line

USER_GUEST = r'''
udhcpc -i eth0 -s /etc/udhcpc.sh -n -q -t 10 -T 2 || echo "NET-FAIL: udhcpc"
port=$(arg httpport)
if wget -q -O /tmp/blob "http://10.0.2.2:$port/blob"; then
    echo "NET-WGET: $(sha256sum /tmp/blob | cut -d' ' -f1)"
else
    echo "NET-FAIL: wget"
fi
head -c $(arg outsize) /dev/urandom > /tmp/out
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

# One boot for both: the tap NIC is the one with TAP_MAC (PCI order
# decides ethN, so the guest looks the name up).
TAP_MAC = '52:54:00:12:34:78'
QUICK_GUEST = r'''
udhcpc -i eth0 -s /etc/udhcpc.sh -n -q -t 10 -T 2 || echo "NET-FAIL: udhcpc"
port=$(arg httpport)
if wget -q -O /tmp/blob "http://10.0.2.2:$port/blob"; then
    echo "NET-WGET: $(sha256sum /tmp/blob | cut -d' ' -f1)"
else
    echo "NET-FAIL: wget"
fi
tap=
for i in /sys/class/net/eth*; do
    [ "$(cat $i/address)" = "$(arg tapmac)" ] && tap=${i##*/}
done
if [ -n "$tap" ]; then
    ip link set $tap up
    ip addr add 192.168.78.2/24 dev $tap
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
fi
head -c $(arg outsize) /dev/urandom > /tmp/out
nc -l -p 8080 < /tmp/out &
echo "NET-SERVE: $(sha256sum /tmp/out | cut -d' ' -f1)"
wait
echo "NET-DONE"
'''

results = []


def report(ok, what):
    results.append(ok)
    print('%s: %s' % ('PASS' if ok else 'FAIL', what), flush=True)


def console_tail(g, n=25):
    """After a failure: the guest's last console lines (what it was
    doing when it went quiet)."""
    if g and not all(results):
        g.drain()
        print('guest console, last %d lines:' % n)
        for ln in g.lines[-n:]:
            print('  | ' + ln, flush=True)


def boot(args, kernel, initrd, append, net_args, log):
    cmd = netguest.emulator_cmd(args.kind, args.emulator, kernel, initrd,
                                append, net_args)
    g = netguest.Guest(cmd, log)
    try:
        wait_init(g, args)
    except Silent:
        console_tail(g)
        g.kill()
        raise
    return g


def wait_init(g, args):
    """Linux boots under TCG: a guest that does not reach init is a
    failure (a regression), not a reason to skip."""
    if not g.wait_for(r'EMBER-INIT-OK', BOOT_TIMEOUT):
        report(False, 'the guest reached init under %s within %d s' %
               (args.kind, BOOT_TIMEOUT))
        raise Silent()


def check_user(g, srv):
    """The lease, the wget through 10.0.2.2 and the guest's server through
    hostfwd; the guest script prints its NET- lines in that order."""
    line = expect(g, r'NET-LEASE', 'udhcpc')
    report('ip=10.0.2.15 router=10.0.2.2 dns=10.0.2.3' in line,
           'udhcpc: ' + line)
    line = expect(g, r'NET-WGET', 'wget')
    report(line.endswith(srv.sha256),
           'wget of %d KiB from the host through 10.0.2.2: %s' %
           (len(srv.data) >> 10, line))


def check_hostfwd(g, fwd, outsize):
    line = expect(g, r'NET-SERVE', 'guest server')
    if 'NET-FAIL' in line:
        report(False, 'guest server: %s' % line)
        return
    want = line.split()[-1]
    got = b''
    # nc may not listen yet when the line arrives: slirp then resets
    # the forwarded connection at once; try again.
    for _ in range(30):
        with socket.create_connection(('127.0.0.1', fwd), timeout=30) as c:
            c.settimeout(STEP_TIMEOUT)
            while len(got) < outsize:
                data = c.recv(65536)
                if not data:
                    break
                got += data
        if got:
            break
        time.sleep(1)
    report(len(got) == outsize and hashlib.sha256(got).hexdigest() == want,
           'host client through hostfwd read %d bytes from the guest' %
           len(got))
    expect(g, r'NET-DONE', 'guest server finished')
    report(True, 'guest server finished')


def user_args(args):
    """The user NIC's options, the host's file server and the forwarded
    port."""
    srv = netguest.FileServer(os.urandom(args.insize))
    fwd = netguest.free_port()
    return srv, fwd, ['-nic', 'user,model=virtio-net-pci,hostfwd=tcp:'
                      '127.0.0.1:%d-:8080' % fwd]


def test_user(args, kernel, moddir, work, log):
    initrd = os.path.join(work, 'user.gz')
    netguest.build_initrd(initrd, USER_GUEST, moddir)
    srv, fwd, nic = user_args(args)
    g = boot(args, kernel, initrd, 'httpport=%d outsize=%d' %
             (srv.port, args.outsize), nic, log)
    try:
        check_user(g, srv)
        check_hostfwd(g, fwd, args.outsize)
    finally:
        console_tail(g)
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


def tap_skip_reason():
    if os.geteuid() != 0 or not os.access('/dev/net/tun', os.R_OK | os.W_OK):
        return 'tap needs root and /dev/net/tun'
    if not shutil.which('ip'):
        return 'tap needs ip (iproute2)'
    return None


def tap_into_namespace(ifname, ns):
    """Wait for the emulator's tap, move it into ns with 192.168.78.1."""
    for _ in range(100):
        if sh('ip link show %s' % ifname) == 0:
            break
        time.sleep(0.1)
    ok = (sh('ip link set %s netns %s' % (ifname, ns)) == 0 and
          sh('ip -n %s addr add 192.168.78.1/24 dev %s' % (ns, ifname))
          == 0 and sh('ip -n %s link set %s up' % (ns, ifname)) == 0)
    report(ok, 'tap %s moved into namespace %s' % (ifname, ns))


def check_tap_pings(g, ns):
    line = expect(g, r'NET-PING-OK', 'guest pings the namespace')
    report('NET-PING-OK' in line, 'guest pings the namespace: ' + line)
    ping = shutil.which('ping') or '%s ping' % busybox()
    report(sh('ip netns exec %s %s -c 3 -W 5 192.168.78.2' %
              (ns, ping)) == 0, 'the namespace pings the guest')


def test_tap(args, kernel, moddir, work, log):
    why = tap_skip_reason()
    if why:
        raise netguest.Skip(why)
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
        tap_into_namespace(ifname, ns)
        wait_init(g, args)
        check_tap_pings(g, ns)
    finally:
        console_tail(g)
        if g:
            g.kill()
        sh('ip netns del ' + ns)


def test_quick(args, kernel, moddir, work, log):
    """user and tap in one boot, ending in the guest's poweroff."""
    why = tap_skip_reason()
    ns = 'ember-lnx-%d' % os.getpid()
    ifname = 'embl%d' % (os.getpid() % 100000)
    if not why and sh('ip netns add ' + ns):
        why = 'cannot create a network namespace'
    if why:
        print('SKIP tap checks: %s' % why, flush=True)
    initrd = os.path.join(work, 'quick.gz')
    g = None
    srv, fwd, nic = user_args(args)
    try:
        netguest.build_initrd(initrd, QUICK_GUEST, moddir)
        if not why:
            nic += ['-netdev', 'tap,id=t0,ifname=%s,script=no,'
                    'downscript=no' % ifname, '-device',
                    'virtio-net-pci,netdev=t0,mac=' + TAP_MAC]
        cmd = netguest.emulator_cmd(
            args.kind, args.emulator, kernel, initrd,
            'httpport=%d outsize=%d tapmac=%s' %
            (srv.port, args.outsize, TAP_MAC), nic)
        g = netguest.Guest(cmd, log)
        if not why:
            tap_into_namespace(ifname, ns)
        wait_init(g, args)
        check_user(g, srv)
        if not why:
            check_tap_pings(g, ns)
        check_hostfwd(g, fwd, args.outsize)
        rc = g.finish(STEP_TIMEOUT)
        report(rc == 0, 'the guest powered off (exit status %s)' % rc)
    finally:
        console_tail(g)
        if g:
            g.kill()
        srv.close()
        if not why:
            sh('ip netns del ' + ns)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--emulator', default=os.environ.get(
        'EMBER_SYSTEM', 'build/ember-system-x86_64'))
    ap.add_argument('--kind', choices=['ember', 'qemu'], default='ember')
    ap.add_argument('--log', help='write the guest consoles here')
    ap.add_argument('--big', action='store_true',
                    help='16 MiB from the host, 4 MiB from the guest')
    ap.add_argument('tests', nargs='*', default=['user', 'tap'],
                    choices=['user', 'tap', 'quick'])
    args = ap.parse_args()
    args.insize, args.outsize = ((16 << 20, 4 << 20) if args.big else
                                 (1 << 20, 256 << 10))
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
                {'user': test_user, 'tap': test_tap,
                 'quick': test_quick}[t](args, kernel, moddir, work, log)
            except netguest.Skip as e:
                print('SKIP %s: %s' % (t, e), flush=True)
                skipped.append(t)
            except Silent:
                pass            # reported
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
