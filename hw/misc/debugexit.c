/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isa-debug-exit: a port that ends Ember. A write of value v makes the
 * process exit with status (v << 1) | 1, as QEMU's device does, so a test
 * guest can report success or failure and never be confused with a
 * normal exit (status 0). Properties: iobase (0x501), iosize (2).
 *
 *   -device isa-debug-exit,iobase=0xf4,iosize=0x04
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/isa/isa.h"
#include "system/runstate.h"

typedef struct DebugExitState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t iosize;
    MemoryRegion io;
} DebugExitState;

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    /* The status is what a process can report: 8 bits of it. */
    system_exit_request((int)(((val << 1) | 1) & 0xff));
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .min_access = 1,
    .max_access = 4,
};

static bool debug_exit_realize(DeviceState *dev, GError **errp)
{
    DebugExitState *s = (DebugExitState *)dev;

    if (s->iosize == 0 || s->iosize > 0x10000 ||
        s->iobase > 0x10000 - s->iosize) {
        error_setg(errp, "isa-debug-exit: iobase 0x%x / iosize 0x%x do not "
                   "fit in the port space", s->iobase, s->iosize);
        return false;
    }
    memory_region_init_io(&s->io, dev, &debug_exit_ops, s,
                          "isa-debug-exit", s->iosize);
    isa_register_ioport(&s->parent, &s->io, s->iobase);
    return true;
}

static void debug_exit_unrealize(DeviceState *dev)
{
    DebugExitState *s = (DebugExitState *)dev;

    memory_region_finalize(&s->io);
}

static const Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", DebugExitState, iosize, 0x02),
    DEFINE_PROP_END,
};

static const DeviceInfo debug_exit_info = {
    .name = "isa-debug-exit",
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DebugExitState),
    .desc = "Exit Ember with status (value << 1) | 1 on a port write",
    .user_creatable = true,
    .props = debug_exit_props,
    .realize = debug_exit_realize,
    .unrealize = debug_exit_unrealize,
};

static void debug_exit_register(void)
{
    type_register(&debug_exit_info);
}
type_init(debug_exit_register)
