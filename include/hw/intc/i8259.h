/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 8259A programmable interrupt controller ("isa-i8259"), used as the
 * PC's cascaded pair: the master at ports 0x20/0x21 (ELCR 0x4d0) and the
 * slave at 0xa0/0xa1 (ELCR 0x4d1), whose INT output is master input 2.
 *
 * Each chip has 8 gpio inputs (IR0..IR7, level of the request line: 1 is
 * asserted) and one gpio output (INT). The board wires the master's INT
 * to the CPU (through the BSP's local APIC LINT0, see hw/i386/pc_intc.c)
 * and, on the interrupt acknowledge, calls pic_read_irq() for the vector.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/isa/isa.h"

#define TYPE_ISA_I8259 "isa-i8259"

/*
 * Create and realize the pair on bus. parent_irq receives the master's
 * INT level. irqs[0..15] are filled with the 16 ISA request inputs
 * (irqs[2] is the cascade input: do not drive it). Returns the master;
 * the slave is found with pic_get_slave().
 */
DeviceState *i8259_init(ISABus *bus, IRQLine *parent_irq, IRQLine **irqs);
DeviceState *pic_get_slave(DeviceState *master);

/*
 * Interrupt acknowledge (the two INTA cycles) on the master: the vector
 * of the highest-priority pending request, following the cascade; marks
 * it in service (unless auto-EOI). With nothing pending it returns the
 * spurious vector of IR7 (of the slave if the cascade was pending but
 * the slave had nothing), as the 8259A datasheet describes.
 */
int pic_read_irq(DeviceState *master);
/* Current INT output level of a chip. */
bool pic_get_output(DeviceState *pic);

/* Register inspection for tests and debugging. */
typedef struct PICRegs {
    uint8_t irr, isr, imr, elcr;
    uint8_t vector_base;
    uint8_t lowest_priority;    /* the IR that has the lowest priority */
} PICRegs;
void pic_get_regs(DeviceState *pic, PICRegs *out);

#endif
