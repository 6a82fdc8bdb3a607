/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The local APIC ("apic", one per CPU; Intel SDM vol. 3A, chapter 10):
 * xAPIC registers at the APIC base (0xfee00000, one MMIO region for all
 * CPUs that dispatches to the APIC of the accessing vCPU), the x2APIC MSR
 * interface (MSRs 0x800-0x8ff), the LVT timer (one-shot, periodic,
 * TSC-deadline), IPIs, INIT/SIPI, and MSI delivery.
 *
 * Everything here is called with the BQL held.
 *
 * CPU-side contract (TCG and KVM with kernel-irqchip=off):
 * - The APIC raises CPU_INTERRUPT_HARD on its CPU while it has a vector
 *   to deliver or while an unmasked ExtINT (the 8259's INT) is asserted,
 *   and clears it when neither holds. The CPU, when it can take an
 *   interrupt (IF=1, no shadow), calls x86_cpu_get_pic_interrupt()
 *   (hw/i386/x86.h), which returns apic_get_interrupt() or, for ExtINT,
 *   the 8259's vector; -1 means nothing after all.
 * - NMIs (LINT1, NMI IPIs, NMI delivery mode) raise CPU_INTERRUPT_NMI.
 * - INIT raises CPU_INTERRUPT_INIT: the CPU resets its architectural
 *   state (x86_cpu_reset, keeping env->apic_base) and calls
 *   apic_init_reset(); an AP then waits for SIPI (cs->halted).
 * - SIPI raises CPU_INTERRUPT_SIPI with env->sipi_vector set: the CPU
 *   calls apic_sipi(), which loads CS:IP = vector << 8 : 0 and unhalts.
 * - RDMSR/WRMSR of IA32_APIC_BASE, 0x800-0x8ff and IA32_TSC_DEADLINE go
 *   to apic_get_base/apic_set_base, apic_msr_read/apic_msr_write and
 *   apic_set_tsc_deadline; MOV CR8 to apic_set_tpr/apic_get_tpr.
 */
#ifndef HW_I386_APIC_H
#define HW_I386_APIC_H

#include "hw/qdev.h"
#include "hw/core/cpu.h"

#define TYPE_APIC "apic"

/* Delivery modes (SDM 3A, 10.6.1 and 10.5.1). */
#define APIC_DM_FIXED       0
#define APIC_DM_LOWPRI      1
#define APIC_DM_SMI         2
#define APIC_DM_NMI         4
#define APIC_DM_INIT        5
#define APIC_DM_SIPI        6
#define APIC_DM_EXTINT      7

#define APIC_TRIGGER_EDGE   0
#define APIC_TRIGGER_LEVEL  1

#define APIC_DEST_PHYSICAL  0
#define APIC_DEST_LOGICAL   1

/* The APIC bus clock the LVT timer counts (before the divider). */
#define APIC_BUS_FREQ_HZ    1000000000ULL

/* Create the local APIC of cpu (sets env->apic) and realize it. */
DeviceState *apic_create(CPUState *cpu, uint32_t apic_id);
/* Map the one xAPIC/MSI region at APIC_DEFAULT_BASE (first call only). */
void apic_map_mmio(MemoryRegion *sysmem);

/* The APIC of a CPU, or NULL. */
DeviceState *cpu_get_apic(CPUState *cpu);

/*
 * Interrupt acknowledge: the highest-priority deliverable vector, moved
 * from IRR to ISR; the spurious vector if a request is blocked by the
 * processor priority; -1 if there is none (or the APIC is disabled).
 */
int apic_get_interrupt(DeviceState *dev);
/*
 * Should the interrupt acknowledge go to the 8259 now? True if INT is
 * asserted on this APIC's LINT0 and LINT0 is an unmasked ExtINT (or the
 * APIC is globally disabled), or if an ExtINT message (I/O APIC, MSI)
 * arrived; the latter is consumed by this call.
 */
bool apic_accept_pic_intr(DeviceState *dev);
/* The 8259's INT level, as seen on this APIC's LINT0 pin. */
void apic_deliver_pic_intr(DeviceState *dev, int level);
/* Level of the LINT1 pin (NMI in the usual configuration). */
void apic_set_lint1(DeviceState *dev, int level);
/* Re-evaluate the interrupt request to the CPU (CPU_INTERRUPT_POLL). */
void apic_poll_irq(DeviceState *dev);

/* IA32_APIC_BASE. false: the write must raise #GP (SDM 3A, 10.12.5). */
uint64_t apic_get_base(DeviceState *dev);
bool apic_set_base(DeviceState *dev, uint64_t val);
bool apic_is_enabled(DeviceState *dev);     /* globally (bit 11) */
bool apic_is_x2apic(DeviceState *dev);

/* TPR through CR8: the priority class, 0..15. */
void apic_set_tpr(DeviceState *dev, uint8_t cr8);
uint8_t apic_get_tpr(DeviceState *dev);

/*
 * x2APIC MSR access, index = MSR number (0x800..0x8ff). false: #GP
 * (APIC not in x2APIC mode, reserved or read-only/write-only register,
 * reserved bits set).
 */
bool apic_msr_read(DeviceState *dev, uint32_t index, uint64_t *val);
bool apic_msr_write(DeviceState *dev, uint32_t index, uint64_t val);

/*
 * IA32_TSC_DEADLINE. The caller converts the TSC value into the virtual
 * time at which the TSC reaches it (expire_ns); 0 disarms. Ignored unless
 * the LVT timer is in TSC-deadline mode (SDM 3A, 10.5.4.1). The read
 * returns the armed value, 0 once it fired.
 */
void apic_set_tsc_deadline(DeviceState *dev, uint64_t tsc_value,
                           int64_t expire_ns);
uint64_t apic_get_tsc_deadline(DeviceState *dev);

/* INIT: the APIC part of an INIT reset (ID and base are kept). */
void apic_init_reset(DeviceState *dev);
/* SIPI: if waiting for one, start the CPU at vector << 12 (real mode). */
void apic_sipi(DeviceState *dev);

/*
 * Message delivery to the local APICs, as the I/O APIC and MSIs do
 * (SDM 3A, 10.6.2): dest is an 8-bit xAPIC destination (32-bit for
 * APICs in x2APIC mode), dest_mode APIC_DEST_*, delivery_mode APIC_DM_*.
 */
void apic_deliver_irq(uint32_t dest, int dest_mode, int delivery_mode,
                      uint8_t vector, int trigger_mode);
/* An MSI write (SDM 3A, 10.11): address 0xfeexxxxx, data. */
void apic_deliver_msi(uint64_t addr, uint32_t data);

/* For tests and debugging: is vector set in IRR / ISR / TMR? */
bool apic_test_irr(DeviceState *dev, uint8_t vector);
bool apic_test_isr(DeviceState *dev, uint8_t vector);

#endif
