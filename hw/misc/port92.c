/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PS/2 system control port A at 0x92 (IBM PS/2 Model 50/60 Technical
 * Reference; Intel 82371AB PIIX4 datasheet, "Port 92h"):
 *   bit 0  fast CPU reset: a 0 -> 1 transition resets the machine
 *   bit 1  fast A20 gate: 1 lets address line 20 through
 * The other bits read back as written.
 *
 * It also holds the machine's A20 line (see include/hw/misc/port92.h).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/misc/port92.h"
#include "system/kvm.h"
#include "system/runstate.h"

#define PORT92_RESET    0x01
#define PORT92_A20      0x02

typedef struct Port92State {
    ISADevice parent;
    uint32_t iobase;
    MemoryRegion io;
    uint8_t outport;
} Port92State;

/* ---- the A20 line ------------------------------------------------------- */

typedef struct A20Notifier {
    void (*fn)(void *opaque, bool enabled);
    void *opaque;
} A20Notifier;

/* After reset the keyboard controller drives A20 high. */
static bool a20_sources[A20_SOURCE_COUNT] = {
    [A20_SOURCE_KBC] = true,
};
static bool a20_line = true;
static GArray *a20_notifiers;

static bool a20_forced_on(void)
{
    /* KVM runs the guest with A20 always on. */
    return kvm_enabled();
}

void x86_a20_set(X86A20Source source, bool level)
{
    bool line = false;

    if (source >= A20_SOURCE_COUNT) {
        return;
    }
    a20_sources[source] = level;
    for (int i = 0; i < A20_SOURCE_COUNT; i++) {
        line |= a20_sources[i];
    }
    if (!line && a20_forced_on()) {
        ember_log_mask(LOG_UNIMP, "A20 cannot be disabled under KVM\n");
        line = true;
    }
    if (line == a20_line) {
        return;
    }
    a20_line = line;
    for (unsigned i = 0; a20_notifiers && i < a20_notifiers->len; i++) {
        A20Notifier *n = &g_array_index(a20_notifiers, A20Notifier, i);
        n->fn(n->opaque, line);
    }
}

bool x86_a20_enabled(void)
{
    return a20_line || a20_forced_on();
}

void x86_a20_add_notifier(void (*fn)(void *opaque, bool enabled),
                          void *opaque)
{
    A20Notifier n = { fn, opaque };

    if (!a20_notifiers) {
        a20_notifiers = g_array_new(FALSE, FALSE, sizeof(A20Notifier));
    }
    g_array_append_val(a20_notifiers, n);
}

/* ---- port 0x92 ----------------------------------------------------------- */

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;

    return s->outport;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->outport;

    s->outport = val;
    x86_a20_set(A20_SOURCE_PORT92, val & PORT92_A20);
    if ((val & PORT92_RESET) && !(old & PORT92_RESET)) {
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .min_access = 1,
    .max_access = 1,
};

static void port92_reset(DeviceState *dev)
{
    Port92State *s = (Port92State *)dev;

    /* The reset bit is cleared so the next 0 -> 1 resets again. */
    s->outport = 0;
    x86_a20_set(A20_SOURCE_PORT92, false);
}

static bool port92_realize(DeviceState *dev, GError **errp)
{
    Port92State *s = (Port92State *)dev;

    if (s->iobase > 0xffff) {
        error_setg(errp, "port92: iobase 0x%x out of range", s->iobase);
        return false;
    }
    memory_region_init_io(&s->io, dev, &port92_ops, s, "port92", 1);
    isa_register_ioport(&s->parent, &s->io, s->iobase);
    return true;
}

static void port92_unrealize(DeviceState *dev)
{
    Port92State *s = (Port92State *)dev;

    memory_region_finalize(&s->io);
}

static const Property port92_props[] = {
    DEFINE_PROP_UINT32("iobase", Port92State, iobase, 0x92),
    DEFINE_PROP_END,
};

static const DeviceInfo port92_info = {
    .name = TYPE_PORT92,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(Port92State),
    .desc = "System control port A (fast A20, fast reset)",
    .props = port92_props,
    .realize = port92_realize,
    .unrealize = port92_unrealize,
    .reset = port92_reset,
};

DeviceState *port92_create(ISABus *bus)
{
    DeviceState *dev = qdev_new(TYPE_PORT92);

    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

static void port92_register(void)
{
    type_register(&port92_info);
}
type_init(port92_register)
