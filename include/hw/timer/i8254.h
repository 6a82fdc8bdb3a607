/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 8254 programmable interval timer ("isa-pit", ports 0x40-0x43).
 *
 * Counter 0 drives ISA IRQ 0 (the "irq" property), counter 1 is the old
 * DRAM refresh counter (no output), counter 2's gate and output appear
 * in port 0x61 (hw/audio/pcspk.c, "isa-pcspk"), which reaches them
 * through the small interface below so that a PIT emulated elsewhere
 * (the KVM in-kernel PIT) can serve port 0x61 as well.
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/isa/isa.h"

#define TYPE_ISA_PIT "isa-pit"
#define PIT_FREQ 1193182            /* Hz: 14.31818 MHz / 12 */

/*
 * What a PIT device type offers to port 0x61 (its DeviceInfo's
 * class_data): the gate input and the output level of a counter.
 */
typedef struct PITInterface {
    void (*set_gate)(DeviceState *pit, int channel, bool level);
    bool (*get_gate)(DeviceState *pit, int channel);
    bool (*get_out)(DeviceState *pit, int channel);
} PITInterface;

/* Dispatch through the PIT's interface; pit may be NULL (gate ignored,
 * output low). */
void pit_set_gate(DeviceState *pit, int channel, bool level);
bool pit_get_gate(DeviceState *pit, int channel);
bool pit_get_out(DeviceState *pit, int channel);

/* Create an isa-pit at base with its counter-0 output on isa_irq. */
DeviceState *i8254_pit_create(ISABus *bus, uint16_t base, int isa_irq);

#endif
