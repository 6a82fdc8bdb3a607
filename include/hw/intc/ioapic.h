/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 82093AA I/O APIC ("ioapic"): 24 interrupt inputs (gpio inputs
 * 0..23 = the PC's GSIs; level 1 means asserted, whatever the pin's
 * electrical polarity), IOREGSEL/IOWIN at base + 0x00/0x10, the EOI
 * register of version 0x20 at base + 0x40, and a redirection table that
 * sends messages to the local APICs (hw/i386/apic.h).
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/qdev.h"
#include "exec/memory.h"

#define TYPE_IOAPIC "ioapic"
#define IOAPIC_NUM_PINS 24

/* Create, realize and map at base in sysmem. */
DeviceState *ioapic_create(MemoryRegion *sysmem, hwaddr base, uint8_t id);

/*
 * A local APIC's EOI of a level-triggered vector, broadcast to every
 * I/O APIC: clears the Remote IRR of the entries with that vector and
 * delivers again if the line is still asserted.
 */
void ioapic_eoi_broadcast(uint8_t vector);

/* A redirection table entry, for tests and debugging. */
uint64_t ioapic_get_redirection(DeviceState *dev, int pin);

#endif
