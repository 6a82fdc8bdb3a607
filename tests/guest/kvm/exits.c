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
 *           8259, the I/O APIC, the local APIC and RAM (starting the APs
 *           when there are several CPUs), then triple-faults without
 *           -no-reboot; the second boot checks that the interrupt
 *           controllers were reset, the RAM mark survived and the APs
 *           start again.
 */
#include "guest.h"

#define MARK_ADDR   0x700000        /* RAM outside the image */
#define MARK        0x7e5e7e5eu
#define IOAPIC      0xfec00000u
#define LAPIC       0xfee00000u
#define LAPIC_TPR   0x080
#define LAPIC_SVR   0x0f0

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
    if (cpus > 1) {
        unsigned got = smp_start_aps(cpus, ap_main);
        report(got == cpus - 1, "the APs start again after the reset");
    }
    mark[0] = 0;
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
    default:
        report(false, "mode=1..3 expected on the command line");
        break;
    }
}
