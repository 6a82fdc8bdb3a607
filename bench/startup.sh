#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Start-up time and memory of Ember against QEMU on the same small
# multiboot guest (tests/guest/hello.c), with the same accelerator.
#
#   bench/startup.sh [BUILD-DIR]          (default: build)
#
# For each accelerator both have (kvm where /dev/kvm opens; tcg once
# Ember has it), prints
#   startup: ember X ms, qemu Y ms, ratio R (ACCEL)
#   memory: ember X MiB, qemu Y MiB, ratio R (ACCEL)
#
# startup: wall time from exec to the first byte the guest writes to
# COM1 (its first output: the hello guest's serial_init and one status
# read come before it, a dozen port accesses), median of BENCH_RUNS runs
# (default 5). Both run "-m 128 -display none -serial stdio -no-reboot
# -device isa-debug-exit -kernel hello.elf"; QEMU boots its firmware
# (SeaBIOS) first, Ember enters the kernel directly.
#
# memory: peak RSS minus the guest RAM that was resident, i.e. what the
# VMM itself used. Peak RSS is the kernel's high-water mark (VmHWM in
# /proc/PID/status) last seen while the process runs (polled every 2 ms;
# wait4's ru_maxrss is not used: tearing down a KVM VM at exit inflates
# it by ~10 MiB on this host, for any VMM). The guest RAM part is the
# resident size of the -m sized anonymous mapping(s) in /proc/PID/smaps,
# sampled every 20 ms (it only grows). Median over the same runs.
#
# Environment: BENCH_RUNS (runs per configuration), QEMU (peer binary,
# default qemu-system-x86_64), BENCH_ACCELS (default "kvm tcg").
set -eu

build=${1:-build}
ember=$build/ember-system-x86_64
guest=$build/tests/guest/hello.elf
qemu=${QEMU:-qemu-system-x86_64}
runs=${BENCH_RUNS:-5}

if [ ! -x "$ember" ] || [ ! -f "$guest" ]; then
    echo "bench/startup.sh: build first (need $ember and $guest)" >&2
    exit 1
fi
if ! command -v "$qemu" >/dev/null 2>&1; then
    echo "bench/startup.sh: $qemu not found (apt-get install" \
         "qemu-system-x86)" >&2
    exit 1
fi

exec python3 - "$ember" "$qemu" "$guest" "$runs" \
    "${BENCH_ACCELS:-kvm tcg}" <<'EOF'
import os, select, statistics, subprocess, sys, time

ember, qemu, guest, runs, accels = sys.argv[1:6]
runs = int(runs)
RAM_MIB = 128

def guest_ram_rss_kib(pid):
    """Resident KiB of the anonymous mappings that hold guest RAM."""
    total = 0
    size = rss = None
    anon = False
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if "-" in parts[0] and ":" not in parts[0]:
                    # A mapping header: "start-end perms off dev inode [path]".
                    anon = len(parts) < 6
                    size = rss = None
                elif parts[0] == "Size:":
                    size = int(parts[1])
                elif parts[0] == "Rss:":
                    rss = int(parts[1])
                    # Guest RAM: an anonymous mapping of about -m (QEMU
                    # may align it up by a couple of MiB).
                    if anon and size is not None and \
                       RAM_MIB * 1024 <= size <= (RAM_MIB + 8) * 1024:
                        total += rss
    except OSError:
        return None
    return total

def vm_hwm_kib(pid):
    """The peak resident set so far (VmHWM), or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None

def one_run(cmd):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = None
    guest_kib = 0
    fd = p.stdout.fileno()
    os.set_blocking(fd, False)
    deadline = start + 600
    next_sample = start
    peak_kib = 0
    while True:
        r, _, _ = select.select([fd], [], [], 0.002)
        if r:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                data = b"x"
            if data and first is None:
                first = time.monotonic() - start
            if not data:
                break
        hwm = vm_hwm_kib(p.pid)
        if hwm is not None:
            peak_kib = max(peak_kib, hwm)
        # Sample smaps now and then only: reading it costs CPU that the
        # measured process shares.
        if time.monotonic() >= next_sample:
            g = guest_ram_rss_kib(p.pid)
            if g is not None:
                guest_kib = max(guest_kib, g)
            next_sample = time.monotonic() + 0.02
        if time.monotonic() > deadline:
            p.kill()
            break
    _, status, _ = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if first is None or p.returncode != 33 or not peak_kib:
        raise RuntimeError(f"{cmd[0]} failed (status {p.returncode})")
    return first * 1000.0, (peak_kib - guest_kib) / 1024.0

def measure(binary, accel):
    cmd = [binary, "-accel", accel, "-m", str(RAM_MIB), "-display", "none",
           "-serial", "stdio", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-kernel", guest]
    t, m = [], []
    for _ in range(runs):
        a, b = one_run(cmd)
        t.append(a)
        m.append(b)
    return statistics.median(t), statistics.median(m)

def has_accel(binary, accel):
    try:
        out = subprocess.run([binary, "-accel", "help"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return accel in out.split()

for accel in accels.split():
    if accel == "kvm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print(f"startup: skipped ({accel}: /dev/kvm does not open)")
        continue
    if not has_accel(ember, accel) or not has_accel(qemu, accel):
        print(f"startup: skipped ({accel}: not in both emulators)")
        continue
    try:
        et, em = measure(ember, accel)
        qt, qm = measure(qemu, accel)
    except RuntimeError as e:
        print(f"startup: failed ({accel}: {e})")
        continue
    print(f"startup: ember {et:.1f} ms, qemu {qt:.1f} ms, "
          f"ratio {et / qt:.3f} ({accel})")
    print(f"memory: ember {em:.1f} MiB, qemu {qm:.1f} MiB, "
          f"ratio {em / qm:.3f} ({accel})")
    sys.stdout.flush()
EOF
