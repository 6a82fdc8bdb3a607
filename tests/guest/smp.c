/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several CPUs: start the APs with INIT-SIPI-SIPI (lib/smp.c); each
 * records its APIC ID. Run with "-smp N -append cpus=N"; "nopause=1"
 * sends the IPIs back to back. "iters=K": then every CPU also adds 1 to
 * a shared counter K times with LOCK INC, and K times to another one
 * inside a spinlock (XCHG to take it, PAUSE while waiting): with vCPUs
 * on threads of their own (-accel tcg,thread=multi) both totals are
 * exact only if LOCKed instructions are atomic between them.
 */
#include "guest.h"

static volatile unsigned seen[GUEST_MAX_CPUS];
static unsigned iters;
static volatile unsigned counter, locked_count, started, done;
static volatile unsigned spin;

static void count(void)
{
    for (unsigned i = 0; i < iters; i++) {
        unsigned one = 1;

        __asm__ volatile("lock incl %0" : "+m"(counter));
        for (;;) {
            one = 1;
            __asm__ volatile("xchg %0, %1" : "+r"(one), "+m"(spin));
            if (!one) {
                break;
            }
            while (spin) {
                __asm__ volatile("pause");
            }
        }
        locked_count = locked_count + 1;
        __asm__ volatile("" ::: "memory");
        spin = 0;
    }
}

static void ap_main(unsigned index)
{
    seen[index] = cpu_apic_id() + 1;
    __asm__ volatile("lock incl %0" : "+m"(started));
    count();
    __asm__ volatile("lock incl %0" : "+m"(done));
}

void guest_main(void)
{
    unsigned n = cmdline_int("cpus", 2);
    unsigned got;

    iters = cmdline_int("iters", 0);
    smp_no_pause = cmdline_int("nopause", 0);
    got = smp_start_aps(n, ap_main);
    /* With iters, smp_start_aps() may stop waiting for the APs while
     * they count: they said they started before. */
    for (unsigned long k = 0; iters && started < n - 1 && k < 400000000ul;
         k++) {
        __asm__ volatile("pause");
    }
    if (iters) {
        got = started;
    }
    bool distinct = true;

    report(got == n - 1, "%u application processors started", n - 1);
    seen[0] = cpu_apic_id() + 1;
    for (unsigned i = 0; i < n && i < GUEST_MAX_CPUS; i++) {
        for (unsigned j = 0; j < i; j++) {
            distinct &= seen[i] != seen[j];
        }
        distinct &= seen[i] != 0;
        report_info("cpu %u: APIC ID %d", i, (int)seen[i] - 1);
    }
    report(distinct, "every CPU has its own APIC ID");
    if (!iters) {
        return;
    }
    count();
    for (unsigned long k = 0; done < got && k < 4000000000ul; k++) {
        __asm__ volatile("pause");
    }
    report(done == got, "every AP finished counting");
    report(counter == (got + 1) * iters, "LOCK INC: %u of %u",
           counter, (got + 1) * iters);
    report(locked_count == (got + 1) * iters, "under a spinlock: %u of %u",
           locked_count, (got + 1) * iters);
}
