/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isa-debugcon: the Bochs/QEMU debug console port (0xe9 by default).
 * Bytes written go to the chardev; reads return the "readback" value
 * (0xe9), which is how guests detect the port. Properties: iobase,
 * chardev, readback.
 *
 *   -debugcon file:debug.log      (created by the PC machine)
 *   -device isa-debugcon,iobase=0x402,chardev=c0
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/isa/isa.h"
#include "hw/qdev-properties-system.h"

typedef struct DebugconState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t readback;
    CharBackend chr;
    MemoryRegion io;
} DebugconState;

static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    DebugconState *s = opaque;

    return s->readback;
}

static void debugcon_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    DebugconState *s = opaque;
    uint8_t b = val;

    /* A debug console never stalls the guest: waits are bounded. */
    chr_fe_write_all(&s->chr, &b, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .min_access = 1,
    .max_access = 1,
};

static bool debugcon_realize(DeviceState *dev, GError **errp)
{
    DebugconState *s = (DebugconState *)dev;

    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-debugcon: iobase 0x%x out of range",
                   s->iobase);
        return false;
    }
    memory_region_init_io(&s->io, dev, &debugcon_ops, s, "isa-debugcon",
                          1);
    isa_register_ioport(&s->parent, &s->io, s->iobase);
    return true;
}

static void debugcon_unrealize(DeviceState *dev)
{
    DebugconState *s = (DebugconState *)dev;

    memory_region_finalize(&s->io);
}

static const Property debugcon_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugconState, iobase, 0xe9),
    DEFINE_PROP_CHR("chardev", DebugconState, chr),
    DEFINE_PROP_UINT32("readback", DebugconState, readback, 0xe9),
    DEFINE_PROP_END,
};

static const DeviceInfo debugcon_info = {
    .name = "isa-debugcon",
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DebugconState),
    .desc = "Debug console port (0xe9)",
    .user_creatable = true,
    .props = debugcon_props,
    .realize = debugcon_realize,
    .unrealize = debugcon_unrealize,
};

static void debugcon_register(void)
{
    type_register(&debugcon_info);
}
type_init(debugcon_register)
