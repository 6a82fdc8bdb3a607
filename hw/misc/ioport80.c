/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ports 0x80 and 0xed ("ioport80"): the POST code port and the spare port
 * that Linux and firmware write to as a short I/O delay (Linux:
 * io_delay_type 0x80 / 0xed). On the PC nothing answers there; writes
 * are ignored and reads float high. Claiming the ports keeps them
 * cheap and out of -d unassigned-port noise.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/isa/isa.h"

typedef struct IOPort80State {
    ISADevice parent;
    MemoryRegion io80, ioed;
} IOPort80State;

static uint64_t ioport80_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xff;
}

static void ioport80_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
}

static const MemoryRegionOps ioport80_ops = {
    .read = ioport80_read,
    .write = ioport80_write,
    .min_access = 1,
    .max_access = 1,
};

static bool ioport80_realize(DeviceState *dev, GError **errp)
{
    IOPort80State *s = (IOPort80State *)dev;

    memory_region_init_io(&s->io80, dev, &ioport80_ops, s, "ioport80", 1);
    memory_region_init_io(&s->ioed, dev, &ioport80_ops, s, "ioportED", 1);
    isa_register_ioport(&s->parent, &s->io80, 0x80);
    isa_register_ioport(&s->parent, &s->ioed, 0xed);
    return true;
}

static void ioport80_unrealize(DeviceState *dev)
{
    IOPort80State *s = (IOPort80State *)dev;

    memory_region_finalize(&s->io80);
    memory_region_finalize(&s->ioed);
}

static const DeviceInfo ioport80_info = {
    .name = "ioport80",
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(IOPort80State),
    .desc = "POST and I/O delay ports 0x80 and 0xed",
    .realize = ioport80_realize,
    .unrealize = ioport80_unrealize,
};

static void ioport80_register(void)
{
    type_register(&ioport80_info);
}
type_init(ioport80_register)
