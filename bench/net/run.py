#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TCP throughput over user networking (slirp) with the same Linux guest
(Debian's kernel, busybox, virtio-net-pci) under Ember and QEMU, in the
same run (as measured on the development machine, 2 shared cores,
--size 32; docs/net.md):

  guest-to-host: ember 3.8 MB/s, qemu 3.6 MB/s, ratio 1.05
  host-to-guest: ember 62.0 MB/s, qemu 59.8 MB/s, ratio 1.04
  geometric mean of ratios: 1.04

  bench/net/run.py [--ember build/ember-system-x86_64] [--qemu PATH]
                   [--size MB] [--runs N]

guest-to-host: busybox nc in the guest sends --size MB of zeros to a
socket the benchmark listens on at 127.0.0.1, through 10.0.2.2.
host-to-guest: the benchmark sends --size MB through hostfwd to busybox
nc listening in the guest. Time is wall-clock from the connection to the
last byte (guest-to-host) or to the guest closing after the last byte
(host-to-guest), the median of --runs transfers in one boot. Both
emulators run under TCG with one vCPU and -nic user,model=virtio-net-pci.
"""
import argparse
import math
import os
import socket
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'functional',
                                'net'))
import netguest  # noqa: E402

GUEST = r'''
udhcpc -i eth0 -s /etc/udhcpc.sh -n -q -t 10 -T 2 || echo "NET-FAIL: udhcpc"
size=$(arg size)
runs=$(arg runs)
port=$(arg sinkport)
i=1
while [ $i -le $runs ]; do
    dd if=/dev/zero bs=65536 count=$((size / 65536)) 2>/dev/null | nc 10.0.2.2 $port
    echo "NET-G2H-DONE $i"
    i=$((i + 1))
done
i=1
while [ $i -le $runs ]; do
    nc -l -p 8081 > /dev/null &
    echo "NET-H2G-LISTEN $i"
    wait
    i=$((i + 1))
done
echo "NET-DONE"
'''


def guest_to_host(g, lsock, size):
    lsock.settimeout(300)
    c, _ = lsock.accept()
    with c:
        c.settimeout(300)
        t0 = time.monotonic()
        got = 0
        while got < size:
            data = c.recv(1 << 20)
            if not data:
                break
            got += len(data)
        t = time.monotonic() - t0
    if got != size:
        raise RuntimeError('guest-to-host: %d of %d bytes' % (got, size))
    return size / t


def host_to_guest(g, fwd, size):
    chunk = bytes(1 << 20)
    for _ in range(30):
        c = socket.create_connection(('127.0.0.1', fwd), timeout=300)
        t0 = time.monotonic()
        try:
            sent = 0
            while sent < size:
                n = min(len(chunk), size - sent)
                c.sendall(chunk[:n])
                sent += n
            c.shutdown(socket.SHUT_WR)
            # The guest's nc closes once it has read everything.
            while c.recv(65536):
                pass
            return size / (time.monotonic() - t0)
        except (BrokenPipeError, ConnectionResetError):
            time.sleep(1)       # nc was not listening yet
        finally:
            c.close()
    raise RuntimeError('host-to-guest: the guest never accepted')


def measure(kind, binary, kernel, moddir, size, runs, work):
    initrd = os.path.join(work, 'bench.gz')
    netguest.build_initrd(initrd, GUEST, moddir)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(('127.0.0.1', 0))
    lsock.listen(1)
    fwd = netguest.free_port()
    cmd = netguest.emulator_cmd(
        kind, binary, kernel, initrd,
        'size=%d runs=%d sinkport=%d' % (size, runs, lsock.getsockname()[1]),
        ['-nic', 'user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:%d-:8081'
         % fwd])
    g = netguest.Guest(cmd)
    try:
        if not g.wait_for(r'EMBER-INIT-OK', 300):
            return None
        g2h, h2g = [], []
        for i in range(runs):
            g2h.append(guest_to_host(g, lsock, size))
            if not g.wait_for(r'NET-G2H-DONE %d' % (i + 1), 120):
                raise RuntimeError('guest-to-host run %d did not end' % i)
        for i in range(runs):
            if not g.wait_for(r'NET-H2G-LISTEN %d' % (i + 1), 120):
                raise RuntimeError('host-to-guest run %d: no listener' % i)
            h2g.append(host_to_guest(g, fwd, size))
        return statistics.median(g2h), statistics.median(h2g)
    finally:
        g.kill()
        lsock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ember', default=os.environ.get(
        'EMBER_SYSTEM', 'build/ember-system-x86_64'))
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--size', type=int, default=64, help='MB per transfer')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--only', choices=['ember', 'qemu'],
                    help='measure one emulator only')
    args = ap.parse_args()
    try:
        kernel, moddir = netguest.fetch_assets()
    except netguest.Skip as e:
        print('skipped: %s' % e)
        return 0
    size = args.size << 20
    work = tempfile.mkdtemp(prefix='ember-bench-net-')
    res = {'ember': None, 'qemu': None}
    for kind, binary in (('ember', args.ember), ('qemu', args.qemu)):
        if args.only and kind != args.only:
            continue
        res[kind] = measure(kind, binary, kernel, moddir, size, args.runs,
                            work)
        if res[kind] is None:
            print('%s: the guest did not reach init within 300 s' % kind)
    ratios = []
    for i, name in enumerate(('guest-to-host', 'host-to-guest')):
        parts = []
        for kind in ('ember', 'qemu'):
            if res[kind]:
                parts.append('%s %.1f MB/s' % (kind, res[kind][i] / 1e6))
        if res['ember'] and res['qemu']:
            r = res['ember'][i] / res['qemu'][i]
            ratios.append(r)
            parts.append('ratio %.2f' % r)
        print('%s: %s' % (name, ', '.join(parts)))
    if ratios:
        gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print('geometric mean of ratios: %.2f' % gm)
    return 0


if __name__ == '__main__':
    sys.exit(main())
