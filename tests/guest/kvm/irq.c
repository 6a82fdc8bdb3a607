/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupts end to end: the guest halts and is woken by each source in
 * turn, through the interrupt controllers the accelerator provides (the
 * kernel's under KVM by default, Ember's with kernel-irqchip=off or TCG):
 *
 *   - the PIT's IRQ 0 through the 8259 (the BSP's LINT0 as ExtINT);
 *   - the same IRQ 0 through the I/O APIC, which must arrive on pin 2
 *     (the MADT's interrupt source override), never on pin 0;
 *   - the RTC's periodic interrupt on I/O APIC pin 8;
 *   - the local APIC timer (one-shot) and a self-IPI;
 *   - an MSI from pci-testdev (when run with -device pci-testdev,addr=5.0).
 *
 * PVM (the nested KVM of the development machine) cannot emulate IRET,
 * so the handlers return without it: they restore EFLAGS with POPF and
 * return with RET imm16, which within one privilege level and code
 * segment is what IRET would do (SDM 2A, IRET; SDM 3A, 6.12.1).
 */
#include "guest.h"

#define PIC1        0x20
#define PIC2        0xa0
#define PIT_CH0     0x40
#define PIT_CTRL    0x43
#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define IOAPIC      0xfec00000u
#define LAPIC       0xfee00000u
#define LAPIC_ID    0x020
#define LAPIC_TPR   0x080
#define LAPIC_EOI   0x0b0
#define LAPIC_SVR   0x0f0
#define LAPIC_ICR   0x300
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV 0x3e0

#define VEC_PIC     0x20        /* 8259 master: 0x20-0x27 */
#define VEC_PIN2    0x30
#define VEC_PIN0    0x31
#define VEC_RTC     0x38
#define VEC_TIMER   0x40
#define VEC_MSI     0x50
#define VEC_IPI     0x60
#define VEC_SPUR    0xff

#define TESTDEV     0x28        /* pci-testdev at 00:05.0 */
#define TESTDEV_ID  0xe0011234u

/* ---- IDT without IRET ---- */

volatile unsigned hits[256];
static uint64_t idt[256] __attribute__((aligned(8)));

void irq_handler(unsigned vec);

#define STUB(n)                                                         \
    __asm__(".text\n.globl isr_" #n "\nisr_" #n ":\n"                   \
            "pushal\n"                                                  \
            "pushl $" #n "\n"                                           \
            "call irq_handler\n"                                        \
            "addl $4, %esp\n"                                           \
            "popal\n"                                                   \
            "pushl 8(%esp)\n"       /* the interrupted EFLAGS */        \
            "popfl\n"                                                   \
            "ret $8\n");            /* EIP; drop CS, EFLAGS */          \
    extern char isr_##n[];

STUB(0x20) STUB(0x27) STUB(0x30) STUB(0x31) STUB(0x38) STUB(0x40)
STUB(0x50) STUB(0x60) STUB(0xff)

/* Exceptions do not return: report and leave. */
__asm__(".text\n.globl isr_exc\nisr_exc:\n"
        "call exception_handler\n");
extern char isr_exc[];
noreturn void exception_handler(void) __attribute__((used));
void exception_handler(void)
{
    report(false, "unexpected exception");
    report_done();
}

void irq_handler(unsigned vec)
{
    hits[vec & 0xff]++;
    switch (vec) {
    case VEC_PIC:
        outb(PIC1, 0x20);                   /* non-specific EOI */
        break;
    case 0x27:
    case VEC_SPUR:
        break;                              /* spurious: no EOI */
    case VEC_RTC:
        outb(RTC_INDEX, 0x0c);              /* reading C re-arms IRQ 8 */
        inb(RTC_DATA);
        writel(LAPIC + LAPIC_EOI, 0);
        break;
    default:
        writel(LAPIC + LAPIC_EOI, 0);
        break;
    }
}

static void set_gate(unsigned vec, void *fn)
{
    uint32_t off = (uint32_t)(uintptr_t)fn;
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    /* 32-bit interrupt gate, present, DPL 0 (SDM 3A, 6.11). */
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
    set_gate(0x20, isr_0x20);
    set_gate(0x27, isr_0x27);
    set_gate(0x30, isr_0x30);
    set_gate(0x31, isr_0x31);
    set_gate(0x38, isr_0x38);
    set_gate(0x40, isr_0x40);
    set_gate(0x50, isr_0x50);
    set_gate(0x60, isr_0x60);
    set_gate(0xff, isr_0xff);
    d.limit = sizeof(idt) - 1;
    d.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(d));
}

/*
 * Halt with interrupts on until vec has been seen count times. A source
 * that never fires leaves the guest halted: the runner's timeout says so.
 */
static bool wait_for(unsigned vec, unsigned count)
{
    for (unsigned i = 0; i < 64 && hits[vec] < count; i++) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    return hits[vec] >= count;
}

/* ---- the controllers ---- */

static void pic_init(uint8_t mask1, uint8_t mask2)
{
    outb(PIC1, 0x11);
    outb(PIC1 + 1, VEC_PIC);
    outb(PIC1 + 1, 0x04);
    outb(PIC1 + 1, 0x01);
    outb(PIC2, 0x11);
    outb(PIC2 + 1, 0x28);
    outb(PIC2 + 1, 0x02);
    outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, mask1);
    outb(PIC2 + 1, mask2);
}

/* Counter 0, mode 0: one interrupt at terminal count (82C54). */
static void pit_oneshot(uint16_t count)
{
    outb(PIT_CTRL, 0x30);
    outb(PIT_CH0, count & 0xff);
    outb(PIT_CH0, count >> 8);
}

static void pit_stop(void)
{
    /* Mode 0 with a new count and no terminal count in reach. */
    outb(PIT_CTRL, 0x30);
    outb(PIT_CH0, 0xff);
    outb(PIT_CH0, 0xff);
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

/* Redirection entry: fixed, physical, edge, active high (82093AA 3.2.4). */
static void ioapic_route(unsigned pin, uint8_t vec, bool masked)
{
    ioapic_write(0x11 + 2 * pin, (uint32_t)cpu_apic_id() << 24);
    ioapic_write(0x10 + 2 * pin, vec | (masked ? 1u << 16 : 0));
}

static void lapic_init(void)
{
    /* Software-enable, spurious vector 0xff; LINT0 ExtINT (virtual wire,
     * MP spec 3.6.2.2), LINT1 NMI, as firmware leaves it. */
    writel(LAPIC + LAPIC_SVR, 0x100 | VEC_SPUR);
    writel(LAPIC + LAPIC_LVT_LINT0, 0x700);
    writel(LAPIC + LAPIC_LVT_LINT1, 0x400);
    writel(LAPIC + LAPIC_TPR, 0);
}

/* ---- PCI ---- */

static uint32_t cfg_readl(unsigned devfn, unsigned off)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    return inl(0xcfc);
}

static void cfg_writel(unsigned devfn, unsigned off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    outl(0xcfc, v);
}

static void cfg_writew(unsigned devfn, unsigned off, uint16_t v)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc));
    outw(0xcfc + (off & 2), v);
}

static unsigned find_cap(unsigned devfn, uint8_t id)
{
    unsigned pos = cfg_readl(devfn, 0x34) & 0xfc;

    for (int i = 0; pos >= 0x40 && i < 48; i++) {
        uint32_t hdr = cfg_readl(devfn, pos);
        if ((hdr & 0xff) == id) {
            return pos;
        }
        pos = (hdr >> 8) & 0xfc;
    }
    return 0;
}

static void test_msi(void)
{
    uint32_t mmio;
    unsigned msi;

    if (cfg_readl(TESTDEV, 0) != TESTDEV_ID) {
        report_skip("MSI: no pci-testdev at 00:05.0");
        return;
    }
    msi = find_cap(TESTDEV, 0x05);
    mmio = cfg_readl(TESTDEV, 0x10) & ~0xfu;
    if (!report(msi != 0, "pci-testdev has an MSI capability")) {
        return;
    }
    /* Fixed delivery to this CPU (SDM 3A, 10.11.1-2). */
    cfg_writel(TESTDEV, msi + 4, LAPIC | cpu_apic_id() << 12);
    cfg_writel(TESTDEV, msi + 8, 0);
    cfg_writel(TESTDEV, msi + 12, VEC_MSI);
    cfg_writew(TESTDEV, msi + 2, 1);
    cfg_writew(TESTDEV, 0x04, 7);           /* memory, I/O, bus master */
    writel(mmio + 0x0c, 0);                 /* send MSI vector 0 */
    report(wait_for(VEC_MSI, 1), "an MSI from pci-testdev wakes HLT");
    cfg_writew(TESTDEV, msi + 2, 0);
}

void guest_main(void)
{
    uint8_t b;

    idt_init();
    lapic_init();
    report((readl(LAPIC + LAPIC_SVR) & 0x1ff) == 0x1ff,
           "local APIC software-enabled");

    /* 1. IRQ 0 through the 8259 (only IRQ 0 unmasked). */
    pic_init(0xfe, 0xff);
    pit_oneshot(1193);                      /* about 1 ms */
    report(wait_for(VEC_PIC, 1), "PIT IRQ 0 through the 8259 wakes HLT");
    pic_init(0xff, 0xff);

    /* 2. IRQ 0 through the I/O APIC: pin 2, not pin 0. */
    ioapic_route(0, VEC_PIN0, false);
    ioapic_route(2, VEC_PIN2, false);
    pit_oneshot(1193);
    report(wait_for(VEC_PIN2, 1), "PIT IRQ 0 arrives on I/O APIC pin 2");
    report(hits[VEC_PIN0] == 0, "nothing arrives on I/O APIC pin 0");
    pit_stop();
    ioapic_route(0, VEC_PIN0, true);
    ioapic_route(2, VEC_PIN2, true);
    report((ioapic_read(0x14) & (1u << 16)) != 0,
           "I/O APIC pin 2 masked again");

    /* 3. The RTC's periodic interrupt on pin 8, twice (1024 Hz). */
    outb(RTC_INDEX, 0x0c);
    inb(RTC_DATA);
    ioapic_route(8, VEC_RTC, false);
    outb(RTC_INDEX, 0x0a);
    outb(RTC_DATA, 0x26);
    outb(RTC_INDEX, 0x0b);
    b = inb(RTC_DATA);
    outb(RTC_INDEX, 0x0b);
    outb(RTC_DATA, b | 0x40);               /* PIE */
    report(wait_for(VEC_RTC, 2), "RTC periodic interrupt on I/O APIC pin 8");
    outb(RTC_INDEX, 0x0b);
    outb(RTC_DATA, b & ~0x40);
    ioapic_route(8, VEC_RTC, true);

    /* 4. The local APIC timer, one-shot, divide by 1. */
    writel(LAPIC + LAPIC_TIMER_DIV, 0xb);
    writel(LAPIC + LAPIC_LVT_TIMER, VEC_TIMER);
    writel(LAPIC + LAPIC_TIMER_INIT, 200000);
    report(wait_for(VEC_TIMER, 1), "local APIC timer wakes HLT");
    writel(LAPIC + LAPIC_LVT_TIMER, 1u << 16);

    /* 5. A self-IPI (ICR shorthand "self", fixed). */
    writel(LAPIC + LAPIC_ICR, (1u << 18) | VEC_IPI);
    report(wait_for(VEC_IPI, 1), "self-IPI delivered");

    /* 6. An MSI. */
    test_msi();

    report_info("hits: pic %u pin2 %u rtc %u timer %u ipi %u msi %u spurious "
                "%u", hits[VEC_PIC], hits[VEC_PIN2], hits[VEC_RTC],
                hits[VEC_TIMER], hits[VEC_IPI], hits[VEC_MSI],
                hits[VEC_SPUR] + hits[0x27]);
}
