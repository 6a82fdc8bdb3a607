/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interrupt controllers from the CPU's side, in process: a whole PC
 * machine (2 CPUs, qtest accelerator, so no vCPU runs) built here, then
 * the interrupt acknowledge (x86_cpu_get_pic_interrupt), 8259 vectors
 * and spurious IRQ 7/15, APIC priorities and EOI with the broadcast to
 * the I/O APIC, INIT/SIPI, x2APIC MSRs, CR8, the TSC-deadline timer and
 * MSI decoding - all that a device test over qtest cannot reach.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/i386/apic.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/timer/hpet.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"

static PCMachineState *pcms;
static CPUX86State *env0, *env1;
static DeviceState *apic0, *apic1;

static void machine_create(void)
{
    MachineState *ms = g_new0(MachineState, 1);
    GError *err = NULL;

    current_machine = ms;
    ms->type = machine_type_find("pc");
    g_assert_nonnull(ms->type);
    ms->ram_size = 64 * MiB;
    ms->smp_cpus = ms->max_cpus = 2;
    ms->sockets = 2;
    ms->cores = ms->threads = 1;
    ms->cpu_spec = g_strdup("qemu64,+x2apic,+tsc-deadline");
    ms->kernel_irqchip = false;
    ms->acpi = true;
    main_loop_init();
    memory_map_init();
    accel_set_current(accel_find("qtest"));
    clock_set_manual(true);
    if (!ms->type->init(ms, &err)) {
        g_error("machine: %s", err->message);
    }
    pcms = pc_machine();
    env0 = cpu_env(pcms->cpus[0]);
    env1 = cpu_env(pcms->cpus[1]);
}

/* A fresh machine state for each test. */
static void reset(void)
{
    system_reset(SHUTDOWN_CAUSE_NONE);
    /* The 8259s respond after reset; keep them quiet unless asked. */
    address_space_stb(&address_space_io, 0x21, 0xff);
    address_space_stb(&address_space_io, 0xa1, 0xff);
    apic0 = env0->apic;
    apic1 = env1->apic;
    g_assert_nonnull(apic0);
    g_assert_nonnull(apic1);
}

static bool hard(CPUX86State *env)
{
    return env->cs->interrupt_request & CPU_INTERRUPT_HARD;
}

static void outb(uint16_t port, uint8_t v)
{
    address_space_stb(&address_space_io, port, v);
}

static uint32_t apic_read(unsigned apic_id, unsigned reg)
{
    return address_space_ldl(&address_space_memory,
                             APIC_DEFAULT_BASE + (apic_id << 12) + reg);
}

static void apic_write(unsigned apic_id, unsigned reg, uint32_t v)
{
    address_space_stl(&address_space_memory,
                      APIC_DEFAULT_BASE + (apic_id << 12) + reg, v);
}

static void ioapic_entry(int pin, uint64_t e)
{
    address_space_stl(&address_space_memory, IOAPIC_BASE, 0x11 + 2 * pin);
    address_space_stl(&address_space_memory, IOAPIC_BASE + 0x10, e >> 32);
    address_space_stl(&address_space_memory, IOAPIC_BASE, 0x10 + 2 * pin);
    address_space_stl(&address_space_memory, IOAPIC_BASE + 0x10, e);
}

static void pic_init(uint8_t icw4)
{
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, icw4);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, icw4);
}

static void test_pic_inta(void)
{
    PICRegs r;

    reset();
    pic_init(0x01);
    g_assert_false(hard(env0));
    irq_raise(pcms->gsi[3]);
    /* Virtual wire: LINT0 is ExtINT on the BSP, so INTR reaches it. */
    g_assert_true(hard(env0));
    g_assert_false(hard(env1));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x23);
    g_assert_false(hard(env0));
    pic_get_regs(pcms->pic, &r);
    g_assert_cmphex(r.isr, ==, 0x08);
    irq_lower(pcms->gsi[3]);
    /* IR4 waits behind IR3 in service ... */
    irq_raise(pcms->gsi[4]);
    g_assert_false(hard(env0));
    /* ... but the slave (IRQ 12 -> vector 0x2c) on IR2 outranks IR3. */
    irq_raise(pcms->gsi[12]);
    g_assert_true(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x2c);
    pic_get_regs(pic_get_slave(pcms->pic), &r);
    g_assert_cmphex(r.isr, ==, 0x10);
    pic_get_regs(pcms->pic, &r);
    g_assert_cmphex(r.isr, ==, 0x0c);
    irq_lower(pcms->gsi[12]);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    g_assert_false(hard(env0));         /* IR3 still in service */
    outb(0x20, 0x20);
    g_assert_true(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x24);
    irq_lower(pcms->gsi[4]);
    outb(0x20, 0x20);
    /* Nothing pending: no acknowledge at all. */
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, -1);
}

static void test_pic_spurious(void)
{
    PICRegs r;

    reset();
    pic_init(0x01);
    /* A level request that goes away before INTA: IR7's vector and
     * nothing in service (8259A datasheet, "Interrupt Sequence"). */
    outb(0x4d0, 0x20);
    irq_raise(pcms->gsi[5]);
    g_assert_true(pic_get_output(pcms->pic));
    irq_lower(pcms->gsi[5]);
    g_assert_cmpint(pic_read_irq(pcms->pic), ==, 0x27);
    pic_get_regs(pcms->pic, &r);
    g_assert_cmphex(r.isr, ==, 0);
    /* The same through the slave: IRQ 15's vector; the master has its
     * cascade input in service, the slave nothing. */
    outb(0x4d1, 0x08);                  /* IRQ 11 level */
    irq_raise(pcms->gsi[11]);
    outb(0xa1, 0x08);                   /* masked on the slave now */
    g_assert_cmpint(pic_read_irq(pcms->pic), ==, 0x2f);
    pic_get_regs(pic_get_slave(pcms->pic), &r);
    g_assert_cmphex(r.isr, ==, 0);
    pic_get_regs(pcms->pic, &r);
    g_assert_cmphex(r.isr, ==, 0x04);
    irq_lower(pcms->gsi[11]);
}

static void test_pic_aeoi_sfnm(void)
{
    PICRegs r;

    reset();
    /* Master: AEOI + special fully nested; slave normal. */
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x13);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    irq_raise(pcms->gsi[4]);
    g_assert_cmpint(pic_read_irq(pcms->pic), ==, 0x24);
    pic_get_regs(pcms->pic, &r);
    g_assert_cmphex(r.isr, ==, 0);      /* AEOI */
    irq_lower(pcms->gsi[4]);
    /* Without AEOI on the master, SFNM lets a higher slave request
     * through while the cascade is in service. */
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x11);
    irq_raise(pcms->gsi[14]);
    g_assert_cmpint(pic_read_irq(pcms->pic), ==, 0x2e);
    irq_raise(pcms->gsi[9]);
    g_assert_true(pic_get_output(pcms->pic));
    g_assert_cmpint(pic_read_irq(pcms->pic), ==, 0x29);
    irq_lower(pcms->gsi[14]);
    irq_lower(pcms->gsi[9]);
}

static void test_lint0_masked(void)
{
    reset();
    pic_init(0x01);
    apic_write(0, 0xf0, 0x1ff);
    apic_write(0, 0x350, 0x10700);      /* LINT0 masked */
    irq_raise(pcms->gsi[3]);
    g_assert_false(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, -1);
    /* Unmasking it lets the pending INT through. */
    apic_write(0, 0x350, 0x700);
    g_assert_true(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x23);
    irq_lower(pcms->gsi[3]);
    /* APIC globally disabled: the 8259 goes straight to INTR. */
    apic_write(0, 0x350, 0x10700);
    g_assert_true(apic_set_base(apic0, APIC_DEFAULT_BASE |
                                MSR_IA32_APICBASE_BSP));
    g_assert_false(apic_is_enabled(apic0));
    outb(0x20, 0x20);
    irq_raise(pcms->gsi[4]);
    g_assert_true(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x24);
    irq_lower(pcms->gsi[4]);
    /* MMIO of a disabled APIC reads nothing. */
    g_assert_cmphex(apic_read(0, 0x30), ==, 0);
}

static void test_apic_priority_eoi(void)
{
    reset();
    apic_write(0, 0xf0, 0x1ff);
    ioapic_entry(4, 0x34);
    ioapic_entry(5, 0x25);
    ioapic_entry(6, 0x56);
    irq_pulse(pcms->gsi[4]);
    g_assert_true(hard(env0));
    g_assert_cmpint(x86_cpu_get_pic_interrupt(env0), ==, 0x34);
    g_assert_true(apic_test_isr(apic0, 0x34));
    g_assert_cmphex(apic_read(0, 0xa0), ==, 0x30);      /* PPR */
    /* A lower class waits... */
    irq_pulse(pcms->gsi[5]);
    g_assert_false(hard(env0));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, -1);
    /* ... a higher one nests. */
    irq_pulse(pcms->gsi[6]);
    g_assert_true(hard(env0));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x56);
    /* EOIs end the highest in service first. */
    apic_write(0, 0xb0, 0);
    g_assert_false(apic_test_isr(apic0, 0x56));
    g_assert_true(apic_test_isr(apic0, 0x34));
    g_assert_false(hard(env0));
    apic_write(0, 0xb0, 0);
    g_assert_true(hard(env0));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x25);
    apic_write(0, 0xb0, 0);
    g_assert_false(hard(env0));
    /* TPR (CR8) holds back classes at or below it. */
    apic_set_tpr(apic0, 5);
    g_assert_cmphex(apic_read(0, 0x80), ==, 0x50);
    g_assert_cmpint(apic_get_tpr(apic0), ==, 5);
    irq_pulse(pcms->gsi[6]);
    g_assert_false(hard(env0));
    apic_set_tpr(apic0, 4);
    g_assert_true(hard(env0));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x56);
    apic_write(0, 0xb0, 0);
    apic_set_tpr(apic0, 0);
    /* Software disabled: interrupts are held, not delivered. */
    apic_write(0, 0xf0, 0xff);
    irq_pulse(pcms->gsi[4]);
    g_assert_false(hard(env0));
    apic_write(0, 0xf0, 0x1ff);
    g_assert_true(hard(env0));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x34);
}

static void test_level_eoi_broadcast(void)
{
    reset();
    apic_write(0, 0xf0, 0x1ff);
    ioapic_entry(17, 0x61 | (1 << 15) | (1 << 13));
    irq_raise(pcms->gsi[17]);
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x61);
    g_assert_true(ioapic_get_redirection(pcms->ioapic, 17) & (1 << 14));
    /* Still asserted at the EOI: Remote IRR cleared, sent again. */
    apic_write(0, 0xb0, 0);
    g_assert_true(apic_test_irr(apic0, 0x61));
    g_assert_true(ioapic_get_redirection(pcms->ioapic, 17) & (1 << 14));
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x61);
    irq_lower(pcms->gsi[17]);
    apic_write(0, 0xb0, 0);
    g_assert_false(ioapic_get_redirection(pcms->ioapic, 17) & (1 << 14));
    g_assert_false(apic_test_irr(apic0, 0x61));
    /*
     * The TMR decides: a level vector in service, then the same vector
     * accepted as an edge (self IPI) clears its TMR bit, and the EOI is
     * no longer broadcast - the I/O APIC keeps Remote IRR.
     */
    ioapic_entry(18, 0x62 | (1 << 15));
    irq_raise(pcms->gsi[18]);
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x62);
    apic_write(0, 0x300, 0x4062 | (1 << 18));
    g_assert_true(apic_test_irr(apic0, 0x62));
    irq_lower(pcms->gsi[18]);
    apic_write(0, 0xb0, 0);
    g_assert_true(ioapic_get_redirection(pcms->ioapic, 18) & (1 << 14));
    /* The I/O APIC's own EOI register clears it. */
    address_space_stl(&address_space_memory, IOAPIC_BASE + 0x40, 0x62);
    g_assert_false(ioapic_get_redirection(pcms->ioapic, 18) & (1 << 14));
}

static void test_init_sipi(void)
{
    CPUState *cs1 = pcms->cpus[1];

    reset();
    g_assert_true(cs1->halted);
    /* INIT to APIC 1 (level assert), then SIPI vector 0x9a. */
    apic_write(0, 0x310, 1u << 24);
    apic_write(0, 0x300, 0x4500);
    g_assert_true(cs1->interrupt_request & CPU_INTERRUPT_INIT);
    cpu_reset_interrupt(cs1, CPU_INTERRUPT_INIT);
    x86_cpu_reset(env1);
    apic_init_reset(apic1);
    g_assert_true(cs1->halted);
    /* INIT level de-assert does nothing. */
    apic_write(0, 0x300, 0x8500);
    g_assert_false(cs1->interrupt_request & CPU_INTERRUPT_INIT);
    apic_write(0, 0x300, 0x4600 | 0x9a);
    g_assert_true(cs1->interrupt_request & CPU_INTERRUPT_SIPI);
    g_assert_cmphex(env1->sipi_vector, ==, 0x9a);
    apic_sipi(apic1);
    g_assert_false(cs1->interrupt_request & CPU_INTERRUPT_SIPI);
    g_assert_false(cs1->halted);
    g_assert_cmphex(env1->segs[R_CS].selector, ==, 0x9a00);
    g_assert_cmphex(env1->segs[R_CS].base, ==, 0x9a000);
    g_assert_cmphex(env1->rip, ==, 0);
    /* A second SIPI is ignored: the CPU is not waiting any more. */
    apic_write(0, 0x300, 0x4600 | 0x11);
    g_assert_false(cs1->interrupt_request & CPU_INTERRUPT_SIPI);
    /* NMI IPI. */
    apic_write(0, 0x300, 0x4400);
    g_assert_true(cs1->interrupt_request & CPU_INTERRUPT_NMI);
    cpu_reset_interrupt(cs1, CPU_INTERRUPT_NMI);
}

static void test_x2apic(void)
{
    uint64_t v;
    uint64_t base = APIC_DEFAULT_BASE | MSR_IA32_APICBASE_ENABLE;

    reset();
    /* Not in x2APIC mode: the MSRs #GP. */
    g_assert_false(apic_msr_read(apic1, 0x802, &v));
    /* Disabled -> x2APIC directly is illegal; EXTD without EN too. */
    g_assert_false(apic_set_base(apic1, APIC_DEFAULT_BASE |
                                 MSR_IA32_APICBASE_EXTD));
    g_assert_true(apic_set_base(apic1, base | MSR_IA32_APICBASE_EXTD));
    g_assert_true(apic_is_x2apic(apic1));
    g_assert_cmphex(apic_get_base(apic1), ==,
                    base | MSR_IA32_APICBASE_EXTD);
    g_assert_cmphex(env1->apic_base, ==, base | MSR_IA32_APICBASE_EXTD);
    /* x2APIC -> xAPIC is illegal; reserved bits too. */
    g_assert_false(apic_set_base(apic1, base));
    g_assert_false(apic_set_base(apic1, base | MSR_IA32_APICBASE_EXTD |
                                 1));
    g_assert_true(apic_msr_read(apic1, 0x802, &v));
    g_assert_cmphex(v, ==, 1);
    g_assert_true(apic_msr_read(apic1, 0x803, &v));
    g_assert_cmphex(v, ==, 0x50014);
    /* LDR: cluster 0, bit 1. */
    g_assert_true(apic_msr_read(apic1, 0x80d, &v));
    g_assert_cmphex(v, ==, 0x2);
    /* Read-only, reserved, write-only registers. */
    g_assert_false(apic_msr_write(apic1, 0x802, 5));
    g_assert_false(apic_msr_read(apic1, 0x80e, &v));
    g_assert_false(apic_msr_read(apic1, 0x80b, &v));
    g_assert_false(apic_msr_write(apic1, 0x80b, 1));
    g_assert_false(apic_msr_write(apic1, 0x808, 0x100));
    g_assert_false(apic_msr_read(apic1, 0x900, &v));
    /* TPR, SVR through MSRs. */
    g_assert_true(apic_msr_write(apic1, 0x808, 0x20));
    g_assert_cmpint(apic_get_tpr(apic1), ==, 2);
    g_assert_true(apic_msr_write(apic1, 0x80f, 0x1ff));
    /* ICR as one 64-bit MSR: fixed IPI to x2APIC ID 0. */
    g_assert_true(apic_msr_write(apic1, 0x830, 0x0000000000004071ULL));
    g_assert_true(apic_test_irr(apic0, 0x71));
    g_assert_true(apic_msr_read(apic1, 0x830, &v));
    g_assert_cmphex(v, ==, 0x4071);
    /* Self IPI register. */
    g_assert_true(apic_msr_write(apic1, 0x83f, 0x72));
    g_assert_true(apic_test_irr(apic1, 0x72));
    g_assert_false(apic_msr_write(apic1, 0x83f, 0x172));
    /* The xAPIC window is gone for this APIC (qtest page 1). */
    g_assert_cmphex(apic_read(1, 0x30), ==, 0);
    /* Disable, then xAPIC again. */
    g_assert_true(apic_set_base(apic1, APIC_DEFAULT_BASE));
    g_assert_true(apic_set_base(apic1, base));
    g_assert_cmphex(apic_read(1, 0x30), ==, 0x50014);
}

static void test_timer_tsc_deadline(void)
{
    int64_t now;

    reset();
    apic_write(0, 0xf0, 0x1ff);
    /* TSC-deadline mode, vector 0x81. */
    apic_write(0, 0x320, (2 << 17) | 0x81);
    g_assert_cmphex(apic_read(0, 0x320), ==, (2 << 17) | 0x81);
    /* The initial count is ignored in this mode. */
    apic_write(0, 0x380, 100);
    g_assert_cmpuint(apic_read(0, 0x380), ==, 0);
    now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    apic_set_tsc_deadline(apic0, 123456, now + 5000);
    g_assert_cmpuint(apic_get_tsc_deadline(apic0), ==, 123456);
    clock_step(4999);
    g_assert_false(apic_test_irr(apic0, 0x81));
    clock_step(1);
    g_assert_true(apic_test_irr(apic0, 0x81));
    g_assert_cmpuint(apic_get_tsc_deadline(apic0), ==, 0);
    /* 0 disarms. */
    apic_set_tsc_deadline(apic0, 1, now + 10000);
    apic_set_tsc_deadline(apic0, 0, 0);
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x81);
    clock_step(100000);
    g_assert_false(apic_test_irr(apic0, 0x81));
    /* Leaving the mode disarms as well. */
    apic_set_tsc_deadline(apic0, 1, clock_get_ns(EMBER_CLOCK_VIRTUAL) + 10);
    apic_write(0, 0x320, 0x81);
    clock_step(1000);
    g_assert_false(apic_test_irr(apic0, 0x81));
}

static void test_msi_decode(void)
{
    reset();
    /* Flat logical: APIC 0 = 0x01, APIC 1 = 0x02. */
    apic_write(0, 0xd0, 0x01000000);
    apic_write(1, 0xd0, 0x02000000);
    /* Logical destination 0x02 (DM = 1 in address bit 2). */
    apic_deliver_msi(0xfee02004ULL, 0x0091);
    g_assert_false(apic_test_irr(apic0, 0x91));
    g_assert_true(apic_test_irr(apic1, 0x91));
    /* Logical 0x03: both. */
    apic_deliver_msi(0xfee03004ULL, 0x0092);
    g_assert_true(apic_test_irr(apic0, 0x92));
    g_assert_true(apic_test_irr(apic1, 0x92));
    /* Cluster model: cluster 1, member bit 0 on APIC 1 only. */
    apic_write(1, 0xe0, 0x0fffffff);
    apic_write(1, 0xd0, 0x11000000);
    apic_write(0, 0xe0, 0x0fffffff);
    apic_write(0, 0xd0, 0x21000000);
    apic_deliver_msi(0xfee11004ULL, 0x0093);
    g_assert_true(apic_test_irr(apic1, 0x93));
    g_assert_false(apic_test_irr(apic0, 0x93));
    /* NMI delivery mode. */
    apic_deliver_msi(0xfee00000ULL, 0x0400);
    g_assert_true(pcms->cpus[0]->interrupt_request & CPU_INTERRUPT_NMI);
    cpu_reset_interrupt(pcms->cpus[0], CPU_INTERRUPT_NMI);
    /* Outside the MSI window or an illegal vector: dropped. */
    apic_deliver_msi(0xfed00000ULL, 0x0094);
    g_assert_false(apic_test_irr(apic0, 0x94));
    apic_deliver_msi(0xfee00000ULL, 0x0004);
    g_assert_false(apic_test_irr(apic0, 0x04));
    /* A device DMA to 0xfee00000 is an MSI too. */
    address_space_stl(&address_space_memory, 0xfee01000ULL, 0x0095);
    g_assert_true(apic_test_irr(apic1, 0x95));
}

static void test_hpet_fsb(void)
{
    DeviceState *h;
    const hwaddr base = 0xfed10000;
    uint64_t conf;

    reset();
    /* A second HPET with FSB delivery (the PC's has it off). */
    h = qdev_new(TYPE_HPET);
    qdev_prop_set_bit(h, "msi", true);
    qdev_realize_or_die(h, NULL);
    memory_region_add_subregion(get_system_memory(), base,
                                hpet_get_mmio(h));
    conf = address_space_ldq(&address_space_memory, base + 0x100);
    g_assert_true(conf & (1 << 15));            /* Tn_FSB_INT_DEL_CAP */
    /* Timer 0: FSB message to APIC 0, vector 0xa5, at counter 1000. */
    address_space_stq(&address_space_memory, base + 0x110,
                      (0xfee00000ULL << 32) | 0xa5);
    address_space_stq(&address_space_memory, base + 0x100,
                      (1 << 14) | (1 << 2));
    address_space_stq(&address_space_memory, base + 0x108, 1000);
    address_space_stl(&address_space_memory, base + 0x10, 1);
    clock_step(9990);
    g_assert_false(apic_test_irr(apic0, 0xa5));
    clock_step(10);
    g_assert_true(apic_test_irr(apic0, 0xa5));
    qdev_free(h);
}

static void test_power_button(void)
{
    int status = 0;

    reset();
    apic_write(0, 0xf0, 0x1ff);
    /* The SCI: ISA IRQ 9, level, to vector 0x39. */
    ioapic_entry(9, 0x39 | (1 << 15));
    address_space_stw(&address_space_io, 0x602, 0x0100);    /* PWRBTN_EN */
    system_powerdown_request();
    g_assert_false(runstate_handle_requests(&status));
    g_assert_cmphex(address_space_lduw(&address_space_io, 0x600) & 0x100,
                    ==, 0x100);
    g_assert_cmpint(apic_get_interrupt(apic0), ==, 0x39);
    /* The guest acknowledges: SCI drops, the EOI ends Remote IRR. */
    address_space_stw(&address_space_io, 0x600, 0x0100);
    apic_write(0, 0xb0, 0);
    g_assert_false(ioapic_get_redirection(pcms->ioapic, 9) & (1 << 14));
    g_assert_false(apic_test_irr(apic0, 0x39));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    machine_create();
    g_test_add_func("/intc/pic-inta", test_pic_inta);
    g_test_add_func("/intc/pic-spurious", test_pic_spurious);
    g_test_add_func("/intc/pic-aeoi-sfnm", test_pic_aeoi_sfnm);
    g_test_add_func("/intc/lint0-masked", test_lint0_masked);
    g_test_add_func("/intc/apic-priority-eoi", test_apic_priority_eoi);
    g_test_add_func("/intc/level-eoi-broadcast", test_level_eoi_broadcast);
    g_test_add_func("/intc/init-sipi", test_init_sipi);
    g_test_add_func("/intc/x2apic", test_x2apic);
    g_test_add_func("/intc/timer-tsc-deadline", test_timer_tsc_deadline);
    g_test_add_func("/intc/msi-decode", test_msi_decode);
    g_test_add_func("/pc/hpet-fsb", test_hpet_fsb);
    g_test_add_func("/pc/power-button", test_power_button);
    return g_test_run();
}
