/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a guest can end, for tests/guest/kvm/kvm-cases.sh ("-append mode=N"):
 *
 *   mode=1  triple fault (empty IDT, then #UD): with -no-reboot Ember
 *           exits with status 0 and says nothing.
 *   mode=2  INT 0x80 to a handler that passes. PVM cannot emulate INT n:
 *           Ember must then print the internal error and the registers
 *           and exit with status 1, never hang.
 *   mode=3  reset and come back: the first boot leaves marks in the
 *           8259, the I/O APIC, the local APIC, MSRs and RAM (starting
 *           the APs when there are several CPUs), then triple-faults
 *           without -no-reboot; the second boot checks that the interrupt
 *           controllers and the MSRs were reset, the RAM mark survived and
 *           the APs start again (and says whether the TSC restarted).
 *   mode=4  CPUID as the accelerator shapes it, on INFO lines for the
 *           script to judge (PASS lines must not depend on the
 *           accelerator).
 */
#include "guest.h"

#define MARK_ADDR   0x700000        /* RAM outside the image */
#define MARK        0x7e5e7e5eu
#define IOAPIC      0xfec00000u
#define LAPIC       0xfee00000u
#define LAPIC_TPR   0x080
#define LAPIC_SVR   0x0f0
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT     0x277
#define MSR_LSTAR   0xc0000082
#define PAT_RESET   0x0007040600070406ull

static uint64_t idt[256] __attribute__((aligned(8)));

static noreturn void triple_fault(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; }
        d = { 0, 0 };

    __asm__ volatile("lidt %0; ud2" : : "m"(d));
    halt_forever();
    __builtin_unreachable();
}

noreturn void int80_handler(void) __attribute__((used));
void int80_handler(void)
{
    report(true, "INT 0x80 reached its handler");
    report_done();
}
__asm__(".text\n.globl isr_int80\nisr_int80:\ncall int80_handler\n");
extern char isr_int80[];

static noreturn void do_int80(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } d;
    uint32_t off = (uint32_t)(uintptr_t)isr_int80;
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    idt[0x80] = (off & 0xffff) | ((uint64_t)cs << 16) |
                ((uint64_t)0x8e00 << 32) |
                ((uint64_t)(off & 0xffff0000u) << 32);
    d.limit = sizeof(idt) - 1;
    d.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lidt %0; int $0x80" : : "m"(d));
    report(false, "INT 0x80 returned");
    report_done();
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    writel(IOAPIC, reg);
    writel(IOAPIC + 0x10, v);
}

static uint32_t ioapic_read(unsigned reg)
{
    writel(IOAPIC, reg);
    return readl(IOAPIC + 0x10);
}

static volatile unsigned ap_ran;

static void ap_main(unsigned index)
{
    atomic_inc(&ap_ran);
}

static void reboot_test(void)
{
    volatile uint32_t *mark = (volatile uint32_t *)MARK_ADDR;
    unsigned cpus = cmdline_int("cpus", 1);

    if (mark[0] != MARK) {
        /* First boot. */
        report_info("first boot");
        if (cpus > 1) {
            report_info("%u APs started before the reset",
                        smp_start_aps(cpus, ap_main));
        }
        wrmsr(MSR_SYSENTER_EIP, 0x12345678);
        wrmsr(MSR_LSTAR, 0xffffffff81000000ull);
        wrmsr(MSR_PAT, 0x0606060606060606ull);
        *(volatile uint64_t *)(MARK_ADDR + 8) = rdtsc();
        outb(0x21, 0xa5);                   /* 8259 mask */
        ioapic_write(0x10 + 2 * 5, 0x45);   /* pin 5 unmasked, vector 0x45 */
        writel(LAPIC + LAPIC_SVR, 0x1ff);
        writel(LAPIC + LAPIC_TPR, 0x20);
        mark[0] = MARK;
        mark[1] = 1;
        triple_fault();
    }
    mark[1]++;
    report(mark[1] == 2, "came back once after a triple fault reset");
    report(inb(0x21) != 0xa5, "8259 mask register reset");
    report(ioapic_read(0x10 + 2 * 5) & (1u << 16), "I/O APIC pin 5 masked "
           "again");
    report(readl(LAPIC + LAPIC_TPR) == 0, "local APIC TPR reset");
    report((readl(LAPIC + LAPIC_SVR) & 0x100) == 0,
           "local APIC software-disabled again");
    report(rdmsr(MSR_SYSENTER_EIP) == 0 && rdmsr(MSR_LSTAR) == 0,
           "SYSENTER_EIP and LSTAR reset to 0");
    report(rdmsr(MSR_PAT) == PAT_RESET, "PAT back to its reset value");
    /* Informational: PVM runs guests on the host's TSC and ignores
     * writes to IA32_TSC, so a restart from 0 cannot be required. */
    report_info("TSC %s after the reset",
                rdtsc() < *(volatile uint64_t *)(MARK_ADDR + 8)
                ? "started again" : "did not restart");
    if (cpus > 1) {
        unsigned got = smp_start_aps(cpus, ap_main);
        report(got == cpus - 1, "the APs start again after the reset");
    }
    mark[0] = 0;
}

static void cpuid_info(void)
{
    uint32_t a, b, c, d, max;
    char sig[13];

    cpuid(1, 0, &a, &b, &c, &d);
    report_info("leaf1 ecx=0x%08x edx=0x%08x", c, d);
    cpuid(0x80000000, 0, &max, &b, &c, &d);
    if (max >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        report_info("leaf80000001 ecx=0x%08x edx=0x%08x", c, d);
    }
    cpuid(0x40000000, 0, &max, &b, &c, &d);
    memcpy(sig, &b, 4);
    memcpy(sig + 4, &c, 4);
    memcpy(sig + 8, &d, 4);
    sig[12] = 0;
    for (int i = 0; i < 12; i++) {
        if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e)) {
            sig[i] = '?';
        }
    }
    report_info("hv signature '%s' max 0x%x", sig, max);
    cpuid(0x40000001, 0, &a, &b, &c, &d);
    report_info("hv features eax=0x%08x", a);
    report(true, "CPUID read");
}

void guest_main(void)
{
    switch (cmdline_int("mode", 0)) {
    case 1:
        report_info("triple fault now");
        triple_fault();
    case 2:
        do_int80();
    case 3:
        reboot_test();
        break;
    case 4:
        cpuid_info();
        break;
    default:
        report(false, "mode=1..4 expected on the command line");
        break;
    }
}
