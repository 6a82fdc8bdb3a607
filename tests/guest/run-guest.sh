#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run one bare-metal test guest under every accelerator this host has, and
# decide. Usage:
#   run-guest.sh EMBER GUEST.elf [EMBER-ARGS...]
# Environment:
#   GUEST_ACCELS   accelerators to try (default "kvm tcg")
#   GUEST_TIMEOUT  seconds per run before it is killed (default 60)
#   GUEST_KEEP     keep the run directory (serial logs) and print its path
#   GUEST_EXPECT_STATUS  a guest that must end Ember another way (a triple
#                  fault under -no-reboot: 0) passes with this status, at
#                  least one "PASS:" line, no "FAIL:" line and no
#                  sanitizer report; a signal or a hang still fails
#
# Each run: EMBER -accel A -m 128 -display none -no-reboot
#   -serial file:A.serial -debugcon file:A.debugcon
#   -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel GUEST EMBER-ARGS
# A run passes when the guest exits through isa-debug-exit with
# GUEST_EXIT_PASS (status 33), printed at least one "PASS:" line and no
# "FAIL:" line. The "PASS:" lines of all accelerators that ran must be
# identical. kvm is skipped only where /dev/kvm is missing (or the build
# has no kvm accelerator yet), tcg where the build has no tcg yet.
# Exit status: 0 pass, 1 fail, 77 skip (no accelerator could run it).
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 EMBER GUEST.elf [EMBER-ARGS...]" >&2
    exit 2
fi
ember=$1
guest=$2
shift 2
name=$(basename "$guest"); name=${name%.*}
timeout_s=${GUEST_TIMEOUT:-60}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ember-guest-$name.XXXXXX")
if [ -n "${GUEST_KEEP:-}" ]; then
    echo "run directory: $dir"
else
    trap 'rm -rf "$dir"' EXIT
fi

accels_built=$("$ember" -accel help 2>/dev/null | tail -n +2)
has_accel() {
    echo "$accels_built" | grep -qx "$1"
}

ran=""
passed=""
failed=""
for accel in ${GUEST_ACCELS:-kvm tcg}; do
    case "$accel" in
    kvm)
        if [ ! -e /dev/kvm ]; then
            echo "SKIP $name/kvm: /dev/kvm is missing"
            continue
        fi
        if ! has_accel kvm; then
            echo "SKIP $name/kvm: this build has no kvm accelerator yet"
            continue
        fi
        ;;
    *)
        if ! has_accel "${accel%%,*}"; then
            echo "SKIP $name/$accel: this build has no $accel accelerator yet"
            continue
        fi
        ;;
    esac

    serial=$dir/$accel.serial
    : >"$serial"
    timeout -k 5 "$timeout_s" "$ember" -accel "$accel" -m 128 \
        -display none -no-reboot \
        -serial "file:$serial" -debugcon "file:$dir/$accel.debugcon" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -kernel "$guest" "$@" >"$dir/$accel.out" 2>&1
    status=$?
    tr -d '\r' <"$serial" >"$dir/$accel.log"
    grep '^PASS:' "$dir/$accel.log" >"$dir/$accel.pass"
    npass=$(wc -l <"$dir/$accel.pass")
    nfail=$(grep -c '^FAIL:' "$dir/$accel.log")

    echo "=== $name under $accel (exit status $status)"
    sed 's/^/  | /' "$dir/$accel.log"
    if [ -s "$dir/$accel.out" ]; then
        echo "  ember said:"
        sed 's/^/  > /' "$dir/$accel.out"
    fi

    verdict=""
    if [ -n "${GUEST_EXPECT_STATUS:-}" ]; then
        if grep -qE 'Sanitizer|runtime error' "$dir/$accel.out"; then
            verdict="FAIL: a sanitizer reported an error"
        elif [ "$status" -ne "$GUEST_EXPECT_STATUS" ]; then
            verdict="FAIL: exit status $status, expected $GUEST_EXPECT_STATUS"
        elif [ "$nfail" -gt 0 ] || [ "$npass" -eq 0 ]; then
            verdict="FAIL: $npass PASS and $nfail FAIL lines"
        else
            verdict=PASS
        fi
    fi
    [ -n "$verdict" ] || case $status in
    33) if [ "$nfail" -gt 0 ]; then
            verdict="FAIL: $nfail FAIL lines despite a passing exit"
        elif [ "$npass" -eq 0 ]; then
            verdict="FAIL: passing exit without any PASS line"
        else
            verdict=PASS
        fi ;;
    35) verdict="FAIL: the guest reported $nfail failure(s)" ;;
    37) verdict="SKIP: the guest found nothing to test" ;;
    0)  verdict="FAIL: the guest stopped without isa-debug-exit (shutdown or triple fault under -no-reboot)" ;;
    1)  verdict="FAIL: Ember failed (exit status 1; see its messages above)" ;;
    124|137) verdict="FAIL: timed out after ${timeout_s}s" ;;
    *)  verdict="FAIL: unexpected exit status $status" ;;
    esac
    echo "=== $name/$accel: $verdict"
    case $verdict in
    PASS) passed="$passed $accel"; ran="$ran $accel" ;;
    SKIP*) ;;
    *) failed="$failed $accel"; ran="$ran $accel" ;;
    esac
done

if [ -n "$failed" ]; then
    echo "RESULT $name: FAIL under:$failed"
    exit 1
fi
if [ -z "$ran" ]; then
    echo "RESULT $name: SKIP (no accelerator could run it)"
    exit 77
fi
# Every accelerator must agree, line for line.
first=""
for accel in $passed; do
    if [ -z "$first" ]; then
        first=$accel
    elif ! cmp -s "$dir/$first.pass" "$dir/$accel.pass"; then
        echo "RESULT $name: FAIL: $first and $accel disagree:"
        diff "$dir/$first.pass" "$dir/$accel.pass" | sed 's/^/  /'
        exit 1
    fi
done
echo "RESULT $name: PASS under:$passed"
exit 0
