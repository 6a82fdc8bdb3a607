/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 16550A on the ISA bus ("isa-serial"): the PC's COM ports.
 * Properties: index (COM1 = 0 .. COM4 = 3; picks the usual iobase and
 * irq), iobase, irq, chardev. Without index, the first free COM slot on
 * the bus is taken.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/char/serial.h"
#include "hw/qdev-properties-system.h"

#define PROP_UNSET UINT32_MAX

typedef struct SerialISAState {
    ISADevice parent;
    int32_t index;
    uint32_t iobase;
    uint32_t isairq;
    SerialState state;
} SerialISAState;

/* The PC's COM1..COM4 (IBM PC AT Technical Reference; BIOS data area). */
static const uint16_t com_iobase[MAX_ISA_SERIAL_PORTS] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8
};
static const uint8_t com_irq[MAX_ISA_SERIAL_PORTS] = { 4, 3, 4, 3 };

/* The lowest COM index no other isa-serial on this bus uses. */
static int serial_isa_free_index(SerialISAState *self)
{
    BusState *bus = self->parent.parent.parent_bus;
    bool used[MAX_ISA_SERIAL_PORTS] = { false };

    for (unsigned i = 0; bus && i < bus->children->len; i++) {
        DeviceState *d = g_ptr_array_index(bus->children, i);
        SerialISAState *o = (SerialISAState *)d;
        if (d != &self->parent.parent && qdev_is_a(d, TYPE_ISA_SERIAL) &&
            o->index >= 0 && o->index < MAX_ISA_SERIAL_PORTS) {
            used[o->index] = true;
        }
    }
    for (int i = 0; i < MAX_ISA_SERIAL_PORTS; i++) {
        if (!used[i]) {
            return i;
        }
    }
    return -1;
}

static bool serial_isa_realize(DeviceState *dev, GError **errp)
{
    SerialISAState *isa = (SerialISAState *)dev;
    SerialState *s = &isa->state;

    if (isa->index < 0) {
        isa->index = serial_isa_free_index(isa);
    }
    if (isa->index < 0 || isa->index >= MAX_ISA_SERIAL_PORTS) {
        if (isa->iobase == PROP_UNSET || isa->isairq == PROP_UNSET) {
            error_setg(errp, "Max. supported number of ISA serial ports "
                       "is %d.", MAX_ISA_SERIAL_PORTS);
            return false;
        }
    } else {
        if (isa->iobase == PROP_UNSET) {
            isa->iobase = com_iobase[isa->index];
        }
        if (isa->isairq == PROP_UNSET) {
            isa->isairq = com_irq[isa->index];
        }
    }
    if (isa->iobase > 0xfff8) {
        error_setg(errp, "isa-serial: iobase 0x%x out of range",
                   isa->iobase);
        return false;
    }
    if (isa->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq %u out of range", isa->isairq);
        return false;
    }
    if (!s->irq) {
        s->irq = isa_get_irq(&isa->parent, isa->isairq);
    }
    serial_realize_core(s, dev);
    isa_register_ioport(&isa->parent, &s->io, isa->iobase);
    return true;
}

static void serial_isa_unrealize(DeviceState *dev)
{
    SerialISAState *isa = (SerialISAState *)dev;

    memory_region_finalize(&isa->state.io);
    serial_unrealize_core(&isa->state);
}

static void serial_isa_reset(DeviceState *dev)
{
    serial_reset(&((SerialISAState *)dev)->state);
}

static void serial_isa_instance_init(DeviceState *dev)
{
    SerialISAState *isa = (SerialISAState *)dev;

    qdev_init_gpio_out(dev, &isa->state.irq, 1);
}

static const Property serial_isa_props[] = {
    DEFINE_PROP_INT32("index", SerialISAState, index, -1),
    DEFINE_PROP_UINT32("iobase", SerialISAState, iobase, PROP_UNSET),
    DEFINE_PROP_UINT32("irq", SerialISAState, isairq, PROP_UNSET),
    DEFINE_PROP_CHR("chardev", SerialISAState, state.chr),
    DEFINE_PROP_UINT32("baudbase", SerialISAState, state.baudbase,
                       UART_BAUDBASE),
    DEFINE_PROP_END,
};

static const DeviceInfo serial_isa_info = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(SerialISAState),
    .desc = "16550A UART (COM port)",
    .user_creatable = true,
    .props = serial_isa_props,
    .instance_init = serial_isa_instance_init,
    .realize = serial_isa_realize,
    .unrealize = serial_isa_unrealize,
    .reset = serial_isa_reset,
};

DeviceState *serial_isa_create(ISABus *bus, int index, Chardev *chr)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
    GError *err = NULL;

    qdev_prop_set_int32(dev, "index", index);
    if (!qdev_prop_set_chr(dev, "chardev", chr, &err)) {
        error_exit(err);
    }
    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

static void serial_isa_register(void)
{
    type_register(&serial_isa_info);
}
type_init(serial_isa_register)
