#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init.d/main of the boot tests and bench/boot (scripts/mkinitramfs.sh
# runs it after printing EMBER-INIT-OK). It reports on the console in
# "BOOT-..." lines and takes its parameters from the kernel command line:
#
#   ember_lines=N ember_reps=R   the CPU-bound job: an awk LCG writes N
#                                numbers (x = (69069 x + 1) mod 2^31,
#                                seeded with 1 + CPU index), that block is
#                                repeated R times through sha256sum; one
#                                job per online CPU, all at once
#   ember_end=poweroff|reboot|reboot-once
#                                how to end: reboot-once reboots on the
#                                first boot and powers off on the second,
#                                telling them apart by a CMOS RAM byte
#                                (RAM that survives a machine reset)

arg() { sed -n "s/.*ember_$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# CMOS byte 0x7e: Ember's and QEMU's PC layouts use nothing above 0x5f
# and Linux leaves the RAM bytes alone. Index to port 0x70, data at
# 0x71, through /dev/port.
CMOS_FLAG=126
outb() {  # outb PORT VALUE
    printf "\\$(printf %03o "$2")" |
        dd of=/dev/port bs=1 seek="$1" conv=notrunc 2>/dev/null
}
inb() {
    dd if=/dev/port bs=1 skip="$1" count=1 2>/dev/null | od -An -tu1 |
        tr -d ' '
}
cmos_read() { outb 112 "$1"; inb 113; }
cmos_write() { outb 112 "$1"; outb 113 "$2"; }

flag=$(cmos_read $CMOS_FLAG)
if [ "$flag" = 165 ]; then
    boot=second
else
    boot=first
fi
echo "BOOT-PHASE: $boot"
echo "BOOT-CPUINFO: $(grep -c '^processor' /proc/cpuinfo)"
echo "BOOT-ONLINE: $(cat /sys/devices/system/cpu/online)"

lines=$(arg lines)
reps=$(arg reps)
if [ "$boot" = first ] && [ -n "$lines" ] && [ -n "$reps" ]; then
    ncpu=$(grep -c '^processor' /proc/cpuinfo)
    t0=$(uptime_s)
    echo "BOOT-JOB-START: $t0"
    cpu=0
    while [ $cpu -lt "$ncpu" ]; do
        (
            seed=$((cpu + 1))
            awk -v n="$lines" -v x=$seed 'BEGIN {
                for (i = 0; i < n; i++) {
                    x = (x * 69069 + 1) % 2147483648
                    printf "%d\n", x
                }
            }' > /tmp/block$cpu
            i=0
            while [ $i -lt "$reps" ]; do
                cat /tmp/block$cpu
                i=$((i + 1))
            done | sha256sum | sed "s/ .*/ seed=$seed/;s/^/BOOT-SHA256: /"
        ) &
        cpu=$((cpu + 1))
    done
    wait
    t1=$(uptime_s)
    echo "BOOT-JOB-END: $t1"
    echo "$t0 $t1" | awk '{ printf "BOOT-JOB-SECONDS: %.2f\n", $2 - $1 }'
fi

case "$(arg end)" in
reboot)
    echo "BOOT-END: reboot"
    reboot -f
    ;;
reboot-once)
    if [ "$boot" = first ]; then
        cmos_write $CMOS_FLAG 165
        [ "$(cmos_read $CMOS_FLAG)" = 165 ] || echo "BOOT-FAIL: CMOS write"
        echo "BOOT-END: reboot"
        reboot -f
    fi
    cmos_write $CMOS_FLAG 0
    echo "BOOT-END: poweroff"
    ;;
*)
    echo "BOOT-END: poweroff"
    ;;
esac
# /init powers off when this script returns.
