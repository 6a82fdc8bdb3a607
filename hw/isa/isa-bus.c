/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/isa/isa.h"

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *mem, MemoryRegion *io)
{
    ISABus *bus = g_new0(ISABus, 1);

    qbus_init(&bus->parent, "isa", parent, NULL);
    bus->mem = mem;
    bus->io = io;
    return bus;
}

void isa_bus_set_irqs(ISABus *bus, IRQLine **irqs)
{
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        bus->irqs[i] = irqs[i];
    }
}

IRQLine *isa_get_irq(ISADevice *dev, unsigned isairq)
{
    ISABus *bus = isa_bus_of(dev);

    if (!bus || isairq >= ISA_NUM_IRQS) {
        return NULL;
    }
    return bus->irqs[isairq];
}

void isa_register_ioport(ISADevice *dev, MemoryRegion *mr, uint16_t port)
{
    memory_region_add_subregion(isa_bus_of(dev)->io, port, mr);
}

MemoryRegion *isa_address_space(ISADevice *dev)
{
    return isa_bus_of(dev)->mem;
}

MemoryRegion *isa_address_space_io(ISADevice *dev)
{
    return isa_bus_of(dev)->io;
}

ISADevice *isa_create_simple(ISABus *bus, const char *type)
{
    DeviceState *dev = qdev_new(type);

    qdev_realize_or_die(dev, &bus->parent);
    return (ISADevice *)dev;
}

static const DeviceInfo isa_device_info = {
    .name = TYPE_ISA_DEVICE,
    .parent = "device",
    .instance_size = sizeof(ISADevice),
    .abstract = true,
    .bus_type = "isa",
};

static void isa_register(void)
{
    type_register(&isa_device_info);
}
type_init(isa_register)
