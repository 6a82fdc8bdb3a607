/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISA bus: 16 interrupt lines (wired by the board to the PICs and the
 * I/O APIC) and the port and memory spaces that devices register into.
 */
#ifndef HW_ISA_H
#define HW_ISA_H

#include "hw/qdev.h"
#include "exec/memory.h"

#define TYPE_ISA_DEVICE "isa-device"
#define ISA_NUM_IRQS 16

typedef struct ISABus {
    BusState parent;
    IRQLine *irqs[ISA_NUM_IRQS];
    MemoryRegion *io;           /* port space */
    MemoryRegion *mem;          /* memory space (VGA window) */
} ISABus;

typedef struct ISADevice {
    DeviceState parent;
} ISADevice;

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *mem,
                    MemoryRegion *io);
void isa_bus_set_irqs(ISABus *bus, IRQLine **irqs);
static inline ISABus *isa_bus_of(ISADevice *dev)
{
    return (ISABus *)dev->parent.parent_bus;
}
/* The line for an ISA IRQ number, or NULL for a bad number. */
IRQLine *isa_get_irq(ISADevice *dev, unsigned isairq);
/* Map mr at a port of the bus's I/O space (device unrealize unmaps). */
void isa_register_ioport(ISADevice *dev, MemoryRegion *mr, uint16_t port);
MemoryRegion *isa_address_space(ISADevice *dev);
MemoryRegion *isa_address_space_io(ISADevice *dev);
/* Create and realize a device with no properties on the bus (or die). */
ISADevice *isa_create_simple(ISABus *bus, const char *type);

#endif
