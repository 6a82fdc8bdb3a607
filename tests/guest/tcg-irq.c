/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupts while the CPU runs (TCG): a translator must notice a
 * pending interrupt while guest code loops in translated blocks, take
 * it at an instruction boundary, and return with IRET to where it left.
 *
 * The PIT's counter 0 at 250 Hz through the 8259 (IRQ 0, vector 0x20);
 * with IF set the CPU spins on RDTSC for 100 ms of TSC time (Linux's
 * timer_irq_works() does this before it knows the TSC frequency) and
 * must see about 25 ticks; then STI's one-instruction shadow, a
 * MOV SS shadow, and interrupts held off by CLI.
 */
#include "guest.h"

#define PIC1        0x20
#define PIC2        0xa0
#define PIT_CH0     0x40
#define PIT_CTRL    0x43
#define VEC_PIT     0x20

/* TCG's TSC counts at 2 GHz of virtual time. */
#define TSC_100MS   200000000ull

static uint64_t idt[256] __attribute__((aligned(8)));
volatile unsigned ticks;
volatile uint32_t last_eip;
volatile uint32_t first_eip;            /* of the first tick after a reset */

void pit_handler(uint32_t eip);
void pit_handler(uint32_t eip)
{
    ticks++;
    last_eip = eip;
    if (!first_eip) {
        first_eip = eip;
    }
    outb(PIC1, 0x20);               /* non-specific EOI */
}

__asm__(".text\n.globl isr_pit\nisr_pit:\n"
        "pushal\n"
        "pushl 32(%esp)\n"          /* the interrupted EIP */
        "call pit_handler\n"
        "addl $4, %esp\n"
        "popal\n"
        "iretl\n");
extern char isr_pit[];

__asm__(".text\n.globl isr_exc\nisr_exc:\n"
        "call exc_handler\n");
extern char isr_exc[];
noreturn void exc_handler(void) __attribute__((used));
void exc_handler(void)
{
    report(false, "unexpected exception");
    report_done();
}

static void set_gate(unsigned vec, void *fn)
{
    uint32_t off = (uint32_t)(uintptr_t)fn;
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    idt[vec] = (off & 0xffff) | ((uint64_t)cs << 16) |
               ((uint64_t)0x8e00 << 32) |
               ((uint64_t)(off & 0xffff0000u) << 32);
}

static void idt_init(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } d;

    for (unsigned v = 0; v < 32; v++) {
        set_gate(v, isr_exc);
    }
    set_gate(VEC_PIT, isr_pit);
    d.limit = sizeof(idt) - 1;
    d.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(d));
}

static void pic_init(void)
{
    outb(PIC1, 0x11);
    outb(PIC1 + 1, 0x20);
    outb(PIC1 + 1, 0x04);
    outb(PIC1 + 1, 0x01);
    outb(PIC2, 0x11);
    outb(PIC2 + 1, 0x28);
    outb(PIC2 + 1, 0x02);
    outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xfe);           /* only IRQ 0 */
    outb(PIC2 + 1, 0xff);
}

/* The STI shadow: "sti; mov $1, %eax; marker: ..." - an interrupt
 * pending before STI is taken after the MOV, never on it. */
extern char after_shadow[];

void guest_main(void)
{
    uint64_t t0;
    unsigned n, spins = 0;
    uint32_t eax, marker;

    idt_init();
    pic_init();
    outb(PIT_CTRL, 0x34);           /* counter 0, LSB/MSB, mode 2 */
    outb(PIT_CH0, (1193182 / 250) & 0xff);
    outb(PIT_CH0, (1193182 / 250) >> 8);

    __asm__ volatile("sti");
    t0 = rdtsc();
    while (rdtsc() - t0 < TSC_100MS) {
        cpu_relax();
        spins++;
    }
    __asm__ volatile("cli");
    n = ticks;
    report(n >= 12 && n <= 40, "about 25 timer interrupts in 100 ms of "
           "spinning with IF set");
    report_info("%u ticks, %u spins", n, spins);

    /* With IF clear nothing arrives; the request waits in the 8259. */
    n = ticks;
    t0 = rdtsc();
    while (rdtsc() - t0 < TSC_100MS / 10) {
        cpu_relax();
    }
    report(ticks == n, "CLI holds interrupts off");

    /* The pending tick comes right after the instruction after STI. (On
     * a slow host the next tick may come too, as soon as IRET has
     * returned to the same place: only the first one is checked.) */
    first_eip = 0;
    __asm__ volatile("sti\n"
                     "mov $1, %%eax\n"
                     ".globl after_shadow\nafter_shadow:\n"
                     "nop\n"
                     "cli\n"
                     : "=a"(eax) : : "memory");
    marker = (uint32_t)(uintptr_t)after_shadow;
    report(ticks >= n + 1 && eax == 1 && first_eip == marker,
           "STI: the pending interrupt is taken after one instruction");
    report_info("%u tick(s), first at eip 0x%x, marker 0x%x", ticks - n,
                first_eip, marker);
    outb(PIC1 + 1, 0xff);
}
