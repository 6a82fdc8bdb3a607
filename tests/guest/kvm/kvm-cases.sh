#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# KVM cases whose outcome is an exit status and a message rather than
# PASS lines (docs/kvm.md). Usage:
#   kvm-cases.sh EMBER kvm-exits.elf kvm-irq.elf
# Exit status: 0 all passed, 1 a case failed, 77 no /dev/kvm (skip).
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 EMBER kvm-exits.elf kvm-irq.elf" >&2
    exit 2
fi
ember=$1
exits=$2
irq=$3
timeout_s=${GUEST_TIMEOUT:-60}

if [ ! -e /dev/kvm ]; then
    echo "SKIP: /dev/kvm is missing"
    exit 77
fi
if ! "$ember" -accel help 2>/dev/null | grep -qx kvm; then
    echo "SKIP: this build has no kvm accelerator"
    exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ember-kvm-cases.XXXXXX")
trap 'rm -rf "$dir"' EXIT
failed=0

# run NAME EMBER-ARGS...: runs Ember, sets $status, $out (stderr+stdout
# file) and $serial (COM1 log file).
run() {
    name=$1
    shift
    out=$dir/$name.out
    serial=$dir/$name.serial
    : >"$serial"
    timeout -k 5 "$timeout_s" "$ember" -m 128 -display none \
        -serial "file:$serial" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" >"$out" 2>&1
    status=$?
}

verdict() {
    # verdict NAME... OK(0/1) WHY: the name may be given in several words.
    name=""
    while [ $# -gt 2 ]; do
        name="${name:+$name }$1"
        shift
    done
    if [ "$1" = 0 ]; then
        echo "PASS: $name"
    else
        echo "FAIL: $name: $2 (exit status $status)"
        sed 's/^/  | /' "$serial"
        sed 's/^/  > /' "$out"
        failed=1
    fi
}

for chip in on off; do
    acc="kvm,kernel-irqchip=$chip"

    # A triple fault under -no-reboot ends Ember quietly with status 0.
    run "triple-$chip" -accel "$acc" -no-reboot -kernel "$exits" \
        -append mode=1
    ok=1
    [ $status -eq 0 ] && [ ! -s "$out" ] && ok=0
    verdict "triple fault with -no-reboot exits 0 (irqchip $chip)" $ok \
        "expected status 0 and no messages"

    # INT 0x80: either it works (a real KVM), or PVM fails to emulate it
    # and Ember says so - one error line, the registers - and exits 1.
    run "int80-$chip" -accel "$acc" -no-reboot -kernel "$exits" \
        -append mode=2
    ok=1
    if [ $status -eq 33 ] && grep -q '^PASS: INT 0x80' "$serial"; then
        ok=0
        echo "INFO: INT 0x80 ran in the guest (irqchip $chip)"
    elif [ $status -eq 1 ] &&
         grep -q '^ember-system-x86_64: KVM: internal error' "$out" &&
         grep -q '^RIP=' "$out" && grep -q '^CR0=' "$out"; then
        ok=0
        echo "INFO: INT 0x80: $(head -n 1 "$out")"
    fi
    verdict "INT 0x80 passes or ends in a clear internal error" \
        "(irqchip $chip)" $ok \
        "neither a passing handler nor the internal-error report"

    # A reset (triple fault without -no-reboot) and a second boot.
    for cpus in 1 2; do
        run "reboot-$chip-$cpus" -accel "$acc" -smp $cpus -kernel "$exits" \
            -append "mode=3 cpus=$cpus"
        ok=1
        if [ $status -eq 33 ] && ! grep -q '^FAIL' "$serial" &&
           grep -q '^PASS: came back once' "$serial"; then
            ok=0
        fi
        verdict "reset and second boot, $cpus CPU(s) (irqchip $chip)" $ok \
            "the guest did not pass after its reset"
    done
done

# CPUID: the hypervisor bit and KVM's leaves; no VMX or SVM; with the
# in-kernel irqchip kvmclock (0x40000001 EAX bit 3) where the kernel has it.
for cpu in qemu64 max; do
    run "cpuid-$cpu" -accel kvm -cpu $cpu -no-reboot -kernel "$exits" \
        -append mode=4
    ecx1=$(sed -n 's/^INFO: leaf1 ecx=\(0x[0-9a-f]*\).*/\1/p' "$serial")
    ecx81=$(sed -n 's/^INFO: leaf80000001 ecx=\(0x[0-9a-f]*\).*/\1/p' \
            "$serial")
    hvf=$(sed -n 's/^INFO: hv features eax=\(0x[0-9a-f]*\).*/\1/p' "$serial")
    ok=1
    if [ $status -eq 33 ] && [ -n "$ecx1" ] && [ -n "$hvf" ] &&
       grep -q "^INFO: hv signature 'KVMKVMKVM' max 0x40000001" "$serial" &&
       [ $((ecx1 >> 31 & 1)) -eq 1 ] && [ $((ecx1 >> 5 & 1)) -eq 0 ] &&
       [ $((${ecx81:-0} >> 2 & 1)) -eq 0 ] && [ $((hvf & 1)) -eq 1 ]; then
        ok=0
    fi
    verdict "CPUID under KVM (-cpu $cpu): hypervisor bit, KVM leaves," \
        "no VMX/SVM" $ok "unexpected CPUID"
done

# -accel option errors: one clear line, status 1.
run badopt -accel kvm,kernel-irqchip=maybe -kernel "$irq"
ok=1
[ $status -eq 1 ] && grep -q "kernel-irqchip" "$out" &&
    [ "$(wc -l <"$out")" -eq 1 ] && ok=0
verdict "kernel-irqchip=maybe is refused" $ok "expected one error line"
run badkey -accel kvm,frobnicate=on -kernel "$irq"
ok=1
[ $status -eq 1 ] && grep -q "frobnicate" "$out" &&
    [ "$(wc -l <"$out")" -eq 1 ] && ok=0
verdict "an unknown -accel kvm option is refused" $ok \
    "expected one error line"

# The default accelerator: KVM only with VMX or SVM; -accel kvm anyway.
run default -d accel -no-reboot -kernel "$exits" -append mode=1
if grep -qw -e vmx -e svm /proc/cpuinfo; then
    ok=1
    grep -q "accel: using kvm" "$out" && ok=0
    verdict "default accelerator is kvm on a host with VMX/SVM" $ok \
        "kvm was not chosen"
else
    ok=1
    grep -q "neither VMX nor SVM" "$out" && ok=0
    verdict "default skips kvm without VMX/SVM, saying why" $ok \
        "no reason given for skipping kvm"
    run explicit -accel kvm -d accel -no-reboot -kernel "$exits" \
        -append mode=1
    ok=1
    grep -q "accel: using kvm" "$out" && [ $status -eq 0 ] && ok=0
    verdict "-accel kvm uses KVM without VMX/SVM" $ok "kvm not used"
    run enable-kvm -enable-kvm -d accel -no-reboot -kernel "$exits" \
        -append mode=1
    ok=1
    grep -q "accel: using kvm" "$out" && [ $status -eq 0 ] && ok=0
    verdict "-enable-kvm uses KVM without VMX/SVM" $ok "kvm not used"
    run machine-accel -machine pc,accel=kvm -d accel -no-reboot \
        -kernel "$exits" -append mode=1
    ok=1
    grep -q "accel: using kvm" "$out" && [ $status -eq 0 ] && ok=0
    verdict "-machine accel=kvm uses KVM without VMX/SVM" $ok \
        "kvm not used"
fi

if [ $failed -ne 0 ]; then
    echo "RESULT: FAIL"
    exit 1
fi
echo "RESULT: PASS"
exit 0
