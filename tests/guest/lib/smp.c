/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting the application processors (32-bit guests): the universal
 * start-up algorithm of the Intel MP specification (B.4) and SDM 3A
 * 9.4.4 - INIT IPI, then two start-up IPIs - sent through the local
 * APIC's ICR (SDM 3A, 10.6.1) with the all-excluding-self shorthand.
 */
#include "guest.h"

#define APIC_BASE_MSR   0x1b
#define APIC_SVR        0x0f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define ICR_BUSY        (1u << 12)
#define ICR_INIT        0x00000500u
#define ICR_STARTUP     0x00000600u
#define ICR_ASSERT      0x00004000u
#define ICR_LEVEL       0x00008000u
#define ICR_ALL_BUT_SELF 0x000c0000u
#define TRAMPOLINE_BASE 0x8000

extern const uint8_t smp_trampoline_start[], smp_trampoline_end[];

/* Used by trampoline.S. */
volatile unsigned ap_next;
uint8_t ap_stacks[GUEST_MAX_CPUS][4096] __attribute__((aligned(16)));
void ap_c_entry(unsigned index);

static volatile unsigned ap_arrived;
static void (*ap_fn)(unsigned index);

unsigned cpu_apic_id(void)
{
    uint32_t a, b, c, d;

    cpuid(1, 0, &a, &b, &c, &d);
    return b >> 24;
}

void ap_c_entry(unsigned index)
{
    ap_fn(index);
    atomic_inc(&ap_arrived);
    halt_forever();
}

static uintptr_t apic_base(void)
{
    uint64_t msr = rdmsr(APIC_BASE_MSR);

    return (uintptr_t)(msr & 0xfffff000u);
}

bool smp_no_pause;

static void apic_icr(uintptr_t apic, uint32_t lo)
{
    writel(apic + APIC_ICR_HI, 0);
    writel(apic + APIC_ICR_LO, lo);
    for (unsigned i = 0; i < 100000 && !smp_no_pause &&
         (readl(apic + APIC_ICR_LO) & ICR_BUSY); i++) {
        cpu_relax();
    }
}

/* A short pause between IPIs; emulators need none, hardware wants
 * 10 ms after INIT and 200 us after each SIPI. */
static void pause_cycles(uint64_t cycles)
{
    uint64_t t0 = rdtsc();

    if (smp_no_pause) {
        return;
    }
    for (unsigned i = 0; i < 1000 && rdtsc() - t0 < cycles; i++) {
        cpu_relax();
    }
}

unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index))
{
    uintptr_t apic = apic_base();
    uint64_t t0;

    if (ncpus <= 1) {
        return 0;
    }
    if (ncpus > GUEST_MAX_CPUS) {
        ncpus = GUEST_MAX_CPUS;
    }
    memcpy((void *)TRAMPOLINE_BASE, smp_trampoline_start,
           smp_trampoline_end - smp_trampoline_start);
    ap_fn = fn;
    ap_next = 0;
    ap_arrived = 0;
    /* Software-enable the APIC (SVR bit 8), spurious vector 0xff. */
    writel(apic + APIC_SVR, readl(apic + APIC_SVR) | 0x1ff);
    apic_icr(apic, ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    pause_cycles(10000000);
    for (int i = 0; i < 2 && ap_arrived < ncpus - 1; i++) {
        apic_icr(apic, ICR_ALL_BUT_SELF | ICR_STARTUP | ICR_ASSERT |
                 (TRAMPOLINE_BASE >> 12));
        pause_cycles(200000);
    }
    /* Wait for them, boundedly (by the TSC and by a count, whichever
     * ends first: on a slow emulator each check is expensive). */
    t0 = rdtsc();
    for (unsigned i = 0; i < 2000000 && ap_arrived < ncpus - 1 &&
         rdtsc() - t0 < 20000000000ull; i++) {
        cpu_relax();
    }
    return ap_arrived;
}
