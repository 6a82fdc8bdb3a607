/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 82093AA I/O APIC (datasheet order 290566), in the version 0x20
 * flavour of later chipsets (ICH: adds the EOI register at offset 0x40).
 *
 * Inputs carry the logical "asserted" level: the board already turns
 * active-low PCI lines into 1 = asserted, so the polarity bit is kept
 * for the guest but does not invert anything here.
 *
 * Delivery is instantaneous, so Delivery Status always reads idle. A
 * level-triggered entry sets Remote IRR when a local APIC accepts the
 * message and is re-armed by the EOI broadcast (or the EOI register);
 * if the line is still asserted then, the message is sent again.
 * Edges that arrive on a masked pin are lost, as the datasheet says.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/intc/ioapic.h"
#include "hw/i386/apic.h"

/* Register offsets in the MMIO window. */
#define IOAPIC_IOREGSEL     0x00
#define IOAPIC_IOWIN        0x10
#define IOAPIC_EOI          0x40
#define IOAPIC_MMIO_SIZE    0x1000

/* Indirect registers. */
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10

#define IOAPIC_VERSION      0x20
#define IOAPIC_ID_MASK      0x0f000000u

/* Redirection table entry fields (datasheet 3.2.4). */
#define RTE_VECTOR_MASK     0xffULL
#define RTE_DELMOD_SHIFT    8
#define RTE_DELMOD_MASK     (7ULL << RTE_DELMOD_SHIFT)
#define RTE_DESTMOD         (1ULL << 11)
#define RTE_DELIVS          (1ULL << 12)
#define RTE_INTPOL          (1ULL << 13)
#define RTE_REMOTE_IRR      (1ULL << 14)
#define RTE_TRIGGER_LEVEL   (1ULL << 15)
#define RTE_MASKED          (1ULL << 16)
#define RTE_DEST_SHIFT      56
/* Bits the guest cannot write: delivery status and remote IRR. */
#define RTE_RO_BITS         (RTE_DELIVS | RTE_REMOTE_IRR)
/* Writable bits: 0..16 and the destination byte. */
#define RTE_RW_BITS         (0x1ffffULL | (0xffULL << RTE_DEST_SHIFT))

typedef struct IOAPICState {
    DeviceState parent;

    uint8_t id_prop;

    MemoryRegion io;
    uint8_t ioregsel;
    uint32_t id;
    uint64_t redtbl[IOAPIC_NUM_PINS];
    uint32_t lines;             /* input levels */
    uint32_t edge_pending;      /* rising edges not yet sent */
} IOAPICState;

static GPtrArray *ioapic_list;

static inline IOAPICState *ioapic_of(DeviceState *dev)
{
    return (IOAPICState *)dev;
}

/* Send the message of pin if its state asks for it. */
static void ioapic_service(IOAPICState *s, int pin)
{
    uint64_t e = s->redtbl[pin];
    uint32_t bit = 1u << pin;
    int dm = (e & RTE_DELMOD_MASK) >> RTE_DELMOD_SHIFT;
    bool level = e & RTE_TRIGGER_LEVEL;

    if (e & RTE_MASKED) {
        s->edge_pending &= ~bit;
        return;
    }
    if (level) {
        if (!(s->lines & bit) || (e & RTE_REMOTE_IRR)) {
            return;
        }
        /* Remote IRR only means something for fixed/lowest priority. */
        if (dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI) {
            s->redtbl[pin] |= RTE_REMOTE_IRR;
        }
    } else {
        if (!(s->edge_pending & bit)) {
            return;
        }
        s->edge_pending &= ~bit;
    }
    if (dm == 3 || dm > APIC_DM_EXTINT) {
        ember_log_mask(LOG_GUEST_ERROR, "ioapic: pin %d has reserved "
                       "delivery mode %d\n", pin, dm);
        return;
    }
    apic_deliver_irq(e >> RTE_DEST_SHIFT,
                     (e & RTE_DESTMOD) ? APIC_DEST_LOGICAL
                                       : APIC_DEST_PHYSICAL,
                     dm, e & RTE_VECTOR_MASK,
                     level ? APIC_TRIGGER_LEVEL : APIC_TRIGGER_EDGE);
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IOAPICState *s = ioapic_of(opaque);
    uint32_t bit;

    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    bit = 1u << pin;
    if (level) {
        if (!(s->lines & bit)) {
            s->edge_pending |= bit;
        }
        s->lines |= bit;
    } else {
        s->lines &= ~bit;
        /* A level entry drops its request; an edge already latched. */
        if (s->redtbl[pin] & RTE_TRIGGER_LEVEL) {
            s->edge_pending &= ~bit;
        }
    }
    if (level) {
        ioapic_service(s, pin);
    }
}

static void ioapic_eoi(IOAPICState *s, uint8_t vector)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->redtbl[pin];
        if ((e & RTE_VECTOR_MASK) == vector &&
            (e & RTE_TRIGGER_LEVEL) && (e & RTE_REMOTE_IRR)) {
            s->redtbl[pin] &= ~RTE_REMOTE_IRR;
            ioapic_service(s, pin);
        }
    }
}

void ioapic_eoi_broadcast(uint8_t vector)
{
    for (unsigned i = 0; ioapic_list && i < ioapic_list->len; i++) {
        ioapic_eoi(g_ptr_array_index(ioapic_list, i), vector);
    }
}

uint64_t ioapic_get_redirection(DeviceState *dev, int pin)
{
    IOAPICState *s = ioapic_of(dev);

    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return 0;
    }
    return s->redtbl[pin];
}

static uint32_t ioapic_read_reg(IOAPICState *s, uint8_t reg)
{
    int pin;

    switch (reg) {
    case IOAPIC_REG_ID:
        return s->id;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
    case IOAPIC_REG_ARB:
        return s->id;
    default:
        pin = (reg - IOAPIC_REG_REDTBL) / 2;
        if (reg >= IOAPIC_REG_REDTBL && pin < IOAPIC_NUM_PINS) {
            return (reg & 1) ? s->redtbl[pin] >> 32
                             : (uint32_t)s->redtbl[pin];
        }
        ember_log_mask(LOG_GUEST_ERROR, "ioapic: read of reserved "
                       "register 0x%02x\n", reg);
        return 0;
    }
}

static void ioapic_write_reg(IOAPICState *s, uint8_t reg, uint32_t val)
{
    int pin;
    uint64_t old, e;

    switch (reg) {
    case IOAPIC_REG_ID:
        s->id = val & IOAPIC_ID_MASK;
        return;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        return;     /* read-only */
    default:
        break;
    }
    pin = (reg - IOAPIC_REG_REDTBL) / 2;
    if (reg < IOAPIC_REG_REDTBL || pin >= IOAPIC_NUM_PINS) {
        ember_log_mask(LOG_GUEST_ERROR, "ioapic: write of reserved "
                       "register 0x%02x\n", reg);
        return;
    }
    old = s->redtbl[pin];
    if (reg & 1) {
        e = (old & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        e = (old & ~0xffffffffULL) | val;
    }
    e = (e & RTE_RW_BITS & ~RTE_RO_BITS) | (old & RTE_RO_BITS);
    /* Remote IRR is only defined for level-triggered entries. */
    if (!(e & RTE_TRIGGER_LEVEL)) {
        e &= ~RTE_REMOTE_IRR;
    }
    s->redtbl[pin] = e;
    /* Unmasking an asserted level line sends it now. */
    ioapic_service(s, pin);
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr off, unsigned size)
{
    IOAPICState *s = opaque;

    switch (off) {
    case IOAPIC_IOREGSEL:
        return s->ioregsel;
    case IOAPIC_IOWIN:
        return ioapic_read_reg(s, s->ioregsel);
    default:
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, hwaddr off, uint64_t val,
                              unsigned size)
{
    IOAPICState *s = opaque;

    switch (off) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val & 0xff;
        break;
    case IOAPIC_IOWIN:
        ioapic_write_reg(s, s->ioregsel, val);
        break;
    case IOAPIC_EOI:
        ioapic_eoi(s, val & 0xff);
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "ioapic: write to reserved offset "
                       "0x%" HWADDR_PRIx "\n", off);
        break;
    }
}

static const MemoryRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .min_access = 4,
    .max_access = 4,
};

static void ioapic_instance_init(DeviceState *dev)
{
    qdev_init_gpio_in(dev, ioapic_set_irq, IOAPIC_NUM_PINS);
}

static bool ioapic_realize(DeviceState *dev, GError **errp)
{
    IOAPICState *s = ioapic_of(dev);

    if (s->id_prop > 15) {
        error_setg(errp, "ioapic: id %u does not fit in 4 bits", s->id_prop);
        return false;
    }
    memory_region_init_io(&s->io, dev, &ioapic_mmio_ops, s, "ioapic",
                          IOAPIC_MMIO_SIZE);
    if (!ioapic_list) {
        ioapic_list = g_ptr_array_new();
    }
    g_ptr_array_add(ioapic_list, s);
    return true;
}

static void ioapic_unrealize(DeviceState *dev)
{
    IOAPICState *s = ioapic_of(dev);

    g_ptr_array_remove(ioapic_list, s);
    memory_region_finalize(&s->io);
}

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = ioapic_of(dev);

    /* All entries masked after reset (datasheet 3.2.4). */
    s->ioregsel = 0;
    s->id = (uint32_t)s->id_prop << 24;
    s->edge_pending = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->redtbl[i] = RTE_MASKED;
    }
}

static const Property ioapic_props[] = {
    DEFINE_PROP_UINT8("id", IOAPICState, id_prop, 0),
    DEFINE_PROP_END,
};

static const DeviceInfo ioapic_info = {
    .name = TYPE_IOAPIC,
    .parent = "device",
    .instance_size = sizeof(IOAPICState),
    .desc = "Intel 82093AA I/O APIC",
    .props = ioapic_props,
    .instance_init = ioapic_instance_init,
    .realize = ioapic_realize,
    .unrealize = ioapic_unrealize,
    .reset = ioapic_reset,
};

static void ioapic_register(void)
{
    type_register(&ioapic_info);
}
type_init(ioapic_register)

DeviceState *ioapic_create(MemoryRegion *sysmem, hwaddr base, uint8_t id)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);

    qdev_prop_set_uint8(dev, "id", id);
    qdev_realize_or_die(dev, NULL);
    memory_region_add_subregion_overlap(sysmem, base, &ioapic_of(dev)->io,
                                        10);
    return dev;
}
