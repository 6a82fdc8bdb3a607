/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 8259A programmable interrupt controller (8259A datasheet, Intel
 * order 231468), plus the PIIX edge/level control registers (ELCR, ports
 * 0x4d0/0x4d1) that choose the trigger mode of each input.
 *
 * Model: the request lines' levels are kept in "lines"; the IRR follows
 * them in level mode and latches rising edges in edge mode. Priorities
 * rotate: "prio" is the IR that currently has the highest priority
 * (0 after initialization, so IR7 is the lowest). INT is high while the
 * highest-priority unmasked request outranks everything in service.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/intc/i8259.h"

/* ICW1 (datasheet, "Initialization Command Words"). */
#define ICW1_IC4        0x01    /* ICW4 follows */
#define ICW1_SNGL       0x02    /* single chip, no ICW3 */
#define ICW1_LTIM       0x08    /* level-triggered inputs */
#define ICW1_SEL        0x10    /* with A0 = 0: this is ICW1 */
/* ICW4. */
#define ICW4_UPM        0x01    /* 8086 mode */
#define ICW4_AEOI       0x02
#define ICW4_SFNM       0x10
/* OCW3. */
#define OCW3_SEL        0x08
#define OCW3_RIS        0x01
#define OCW3_RR         0x02
#define OCW3_P          0x04
#define OCW3_SMM        0x20
#define OCW3_ESMM       0x40

/* OCW2 commands (R, SL, EOI bits). */
enum {
    OCW2_ROTATE_AEOI_CLEAR = 0,
    OCW2_EOI = 1,
    OCW2_NOP = 2,
    OCW2_SPECIFIC_EOI = 3,
    OCW2_ROTATE_AEOI_SET = 4,
    OCW2_ROTATE_EOI = 5,
    OCW2_SET_PRIORITY = 6,
    OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* The IR input of the master that the slave's INT drives. */
#define PIC_CASCADE_IR  2

typedef struct PICState PICState;

struct PICState {
    ISADevice parent;

    /* Properties. */
    uint32_t iobase;
    uint32_t elcr_addr;
    uint8_t elcr_mask;          /* inputs whose trigger mode can change */
    bool master;

    MemoryRegion io;
    MemoryRegion elcr_io;
    IRQLine *int_out;
    PICState *slave;            /* master only: the chip on IR2 */

    uint8_t lines;              /* current level of IR0..IR7 */
    uint8_t irr, isr, imr;
    uint8_t elcr;
    uint8_t base;               /* vector of IR0 (ICW2, bits 7:3) */
    uint8_t prio;               /* IR with the highest priority */
    uint8_t icw3;
    uint8_t init_step;          /* 0: operational; 2..4: next ICW */
    bool icw4_needed;
    bool single;
    bool ltim;
    bool aeoi;
    bool rotate_aeoi;
    bool sfnm;
    bool read_isr;
    bool poll;
    bool special_mask;
    bool int_level;
};

static inline PICState *pic_of(DeviceState *dev)
{
    return (PICState *)dev;
}

static uint8_t pic_level_mask(PICState *s)
{
    return s->ltim ? 0xff : s->elcr;
}

/* The IR with the highest priority among mask, or -1. */
static int pic_highest(PICState *s, uint8_t mask)
{
    for (int i = 0; i < 8; i++) {
        int ir = (s->prio + i) & 7;
        if (mask & (1 << ir)) {
            return ir;
        }
    }
    return -1;
}

/* 0 is the highest priority, 7 the lowest. */
static int pic_rank(PICState *s, int ir)
{
    return (ir - s->prio) & 7;
}

/*
 * The request that INT would present now, or -1: the highest-priority
 * unmasked request, if it outranks the highest level in service. In
 * special mask mode, masked levels in service do not block others; in
 * special fully nested mode the master lets the cascade input interrupt
 * while it is itself in service (a higher slave request).
 */
static int pic_pending(PICState *s)
{
    uint8_t in_service = s->isr;
    int ir = pic_highest(s, s->irr & ~s->imr);
    int cur;

    if (ir < 0) {
        return -1;
    }
    if (s->special_mask) {
        in_service &= ~s->imr;
    }
    if (s->master && s->sfnm && ir == PIC_CASCADE_IR) {
        in_service &= ~(1 << PIC_CASCADE_IR);
    }
    cur = pic_highest(s, in_service);
    if (cur >= 0 && pic_rank(s, cur) <= pic_rank(s, ir)) {
        return -1;
    }
    return ir;
}

static void pic_update(PICState *s)
{
    bool level = pic_pending(s) >= 0;

    if (level != s->int_level) {
        s->int_level = level;
        irq_set(s->int_out, level);
    }
}

/* One INTA (or poll read) for ir: in service, edge latch cleared. */
static void pic_ack(PICState *s, int ir)
{
    uint8_t bit = 1 << ir;

    if (!(pic_level_mask(s) & bit)) {
        s->irr &= ~bit;
    }
    if (s->aeoi) {
        if (s->rotate_aeoi) {
            s->prio = (ir + 1) & 7;
        }
    } else {
        s->isr |= bit;
    }
}

static void pic_set_irq(void *opaque, int ir, int level)
{
    PICState *s = pic_of(opaque);
    uint8_t bit = 1 << (ir & 7);

    if (pic_level_mask(s) & bit) {
        if (level) {
            s->irr |= bit;
        } else {
            s->irr &= ~bit;
        }
    } else if (level && !(s->lines & bit)) {
        s->irr |= bit;
    }
    s->lines = level ? (s->lines | bit) : (s->lines & ~bit);
    pic_update(s);
}

/* Level-mode inputs show the line; used after a trigger mode change. */
static void pic_sync_level_irr(PICState *s)
{
    uint8_t lvl = pic_level_mask(s);

    s->irr = (s->irr & ~lvl) | (s->lines & lvl);
}

int pic_read_irq(DeviceState *master)
{
    PICState *m = pic_of(master);
    PICState *sl = m->slave;
    int ir = pic_pending(m);
    int vector;

    if (ir < 0) {
        /* Request gone before the acknowledge: IR7's vector, no ISR. */
        vector = m->base | 7;
    } else {
        pic_ack(m, ir);
        if (ir == PIC_CASCADE_IR && sl) {
            int sir = pic_pending(sl);
            if (sir >= 0) {
                pic_ack(sl, sir);
                vector = sl->base | sir;
            } else {
                vector = sl->base | 7;
            }
            pic_update(sl);
        } else {
            vector = m->base | ir;
        }
    }
    pic_update(m);
    return vector;
}

bool pic_get_output(DeviceState *pic)
{
    return pic_of(pic)->int_level;
}

DeviceState *pic_get_slave(DeviceState *master)
{
    return (DeviceState *)pic_of(master)->slave;
}

void pic_get_regs(DeviceState *pic, PICRegs *out)
{
    PICState *s = pic_of(pic);

    out->irr = s->irr;
    out->isr = s->isr;
    out->imr = s->imr;
    out->elcr = s->elcr;
    out->vector_base = s->base;
    out->lowest_priority = (s->prio + 7) & 7;
}

static void pic_icw1(PICState *s, uint8_t val)
{
    /*
     * "The edge sense circuit is reset... the Interrupt Mask Register is
     * cleared, IR7 is assigned priority 7, the slave mode address is set
     * to 7, special mask mode is cleared and status read is set to IRR.
     * If IC4 = 0, all functions selected in ICW4 are set to zero."
     */
    s->ltim = val & ICW1_LTIM;
    s->single = val & ICW1_SNGL;
    s->icw4_needed = val & ICW1_IC4;
    s->imr = 0;
    s->isr = 0;
    s->irr = 0;
    s->prio = 0;
    s->icw3 = 7;
    s->special_mask = false;
    s->read_isr = false;
    s->poll = false;
    s->aeoi = false;
    s->rotate_aeoi = false;
    s->sfnm = false;
    s->init_step = 2;
    pic_sync_level_irr(s);
    if (s->single && s->master && s->slave) {
        ember_log_mask(LOG_UNIMP, "i8259: single mode on a cascaded pair\n");
    }
}

static void pic_ocw2(PICState *s, uint8_t val)
{
    int ir;

    switch (val >> 5) {
    case OCW2_ROTATE_AEOI_CLEAR:
        s->rotate_aeoi = false;
        break;
    case OCW2_ROTATE_AEOI_SET:
        s->rotate_aeoi = true;
        break;
    case OCW2_EOI:
    case OCW2_ROTATE_EOI:
        ir = pic_highest(s, s->isr);
        if (ir >= 0) {
            s->isr &= ~(1 << ir);
            if ((val >> 5) == OCW2_ROTATE_EOI) {
                s->prio = (ir + 1) & 7;
            }
        }
        break;
    case OCW2_SPECIFIC_EOI:
        s->isr &= ~(1 << (val & 7));
        break;
    case OCW2_ROTATE_SPECIFIC_EOI:
        s->isr &= ~(1 << (val & 7));
        s->prio = ((val & 7) + 1) & 7;
        break;
    case OCW2_SET_PRIORITY:
        s->prio = ((val & 7) + 1) & 7;
        break;
    case OCW2_NOP:
    default:
        break;
    }
}

static void pic_ocw3(PICState *s, uint8_t val)
{
    if (val & OCW3_P) {
        s->poll = true;
    }
    if (val & OCW3_RR) {
        s->read_isr = val & OCW3_RIS;
    }
    if (val & OCW3_ESMM) {
        s->special_mask = val & OCW3_SMM;
    }
}

static void pic_write_data(PICState *s, uint8_t val)
{
    switch (s->init_step) {
    case 2:
        s->base = val & 0xf8;
        if (!s->single) {
            s->init_step = 3;
        } else {
            s->init_step = s->icw4_needed ? 4 : 0;
        }
        break;
    case 3:
        s->icw3 = val;
        if ((s->master && val != (1 << PIC_CASCADE_IR)) ||
            (!s->master && (val & 7) != PIC_CASCADE_IR)) {
            ember_log_mask(LOG_UNIMP, "i8259: ICW3 0x%02x ignored, the "
                           "cascade is fixed on IR2\n", val);
        }
        s->init_step = s->icw4_needed ? 4 : 0;
        break;
    case 4:
        if (!(val & ICW4_UPM)) {
            ember_log_mask(LOG_UNIMP, "i8259: 8080/8085 mode not "
                           "supported, using 8086 mode\n");
        }
        s->aeoi = val & ICW4_AEOI;
        s->sfnm = val & ICW4_SFNM;
        s->init_step = 0;
        break;
    default:
        s->imr = val;   /* OCW1 */
        break;
    }
}

static void pic_io_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    PICState *s = opaque;

    val &= 0xff;
    if (off == 0) {
        if (val & ICW1_SEL) {
            pic_icw1(s, val);
        } else if (val & OCW3_SEL) {
            pic_ocw3(s, val);
        } else {
            pic_ocw2(s, val);
        }
    } else {
        pic_write_data(s, val);
    }
    pic_update(s);
}

static uint64_t pic_io_read(void *opaque, hwaddr off, unsigned size)
{
    PICState *s = opaque;
    uint8_t ret;

    if (off != 0) {
        return s->imr;
    }
    if (s->poll) {
        /*
         * Poll command: the read acts as the interrupt acknowledge and
         * returns 1000 0www (w = highest request) or 0 if none.
         */
        int ir = pic_pending(s);
        s->poll = false;
        if (ir < 0) {
            return 0;
        }
        pic_ack(s, ir);
        pic_update(s);
        return 0x80 | ir;
    }
    ret = s->read_isr ? s->isr : s->irr;
    return ret;
}

static const MemoryRegionOps pic_io_ops = {
    .read = pic_io_read,
    .write = pic_io_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t pic_elcr_read(void *opaque, hwaddr off, unsigned size)
{
    PICState *s = opaque;

    return s->elcr;
}

static void pic_elcr_write(void *opaque, hwaddr off, uint64_t val,
                           unsigned size)
{
    PICState *s = opaque;

    /* IRQ 0, 1, 2, 8 and 13 are edge-only on the PIIX (fixed bits 0). */
    s->elcr = val & s->elcr_mask;
    pic_sync_level_irr(s);
    pic_update(s);
}

static const MemoryRegionOps pic_elcr_ops = {
    .read = pic_elcr_read,
    .write = pic_elcr_write,
    .min_access = 1,
    .max_access = 1,
};

static bool pic_realize(DeviceState *dev, GError **errp)
{
    PICState *s = pic_of(dev);
    ISADevice *isa = (ISADevice *)dev;

    if (s->iobase > 0xfffe || s->elcr_addr > 0xffff) {
        error_setg(errp, "isa-i8259: bad iobase 0x%x or elcr-addr 0x%x",
                   s->iobase, s->elcr_addr);
        return false;
    }
    memory_region_init_io(&s->io, dev, &pic_io_ops, s, "pic", 2);
    isa_register_ioport(isa, &s->io, s->iobase);
    if (s->elcr_addr) {
        memory_region_init_io(&s->elcr_io, dev, &pic_elcr_ops, s, "elcr", 1);
        isa_register_ioport(isa, &s->elcr_io, s->elcr_addr);
    }
    return true;
}

static void pic_instance_init(DeviceState *dev)
{
    PICState *s = pic_of(dev);

    qdev_init_gpio_in(dev, pic_set_irq, 8);
    qdev_init_gpio_out(dev, &s->int_out, 1);
}

static void pic_unrealize(DeviceState *dev)
{
    PICState *s = pic_of(dev);

    memory_region_finalize(&s->io);
    memory_region_finalize(&s->elcr_io);
}

static void pic_reset(DeviceState *dev)
{
    PICState *s = pic_of(dev);

    /* Power-on: everything cleared, waiting for ICW1; lines stay. */
    s->irr = 0;
    s->isr = 0;
    s->imr = 0;
    s->elcr = 0;
    s->base = 0;
    s->prio = 0;
    s->icw3 = 0;
    s->init_step = 0;
    s->icw4_needed = false;
    s->single = false;
    s->ltim = false;
    s->aeoi = false;
    s->rotate_aeoi = false;
    s->sfnm = false;
    s->read_isr = false;
    s->poll = false;
    s->special_mask = false;
    pic_update(s);
}

static const Property pic_props[] = {
    DEFINE_PROP_UINT32("iobase", PICState, iobase, 0x20),
    DEFINE_PROP_UINT32("elcr-addr", PICState, elcr_addr, 0x4d0),
    DEFINE_PROP_UINT8("elcr-mask", PICState, elcr_mask, 0xf8),
    DEFINE_PROP_BOOL("master", PICState, master, true),
    DEFINE_PROP_END,
};

static const DeviceInfo pic_info = {
    .name = TYPE_ISA_I8259,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PICState),
    .desc = "Intel 8259A interrupt controller",
    .props = pic_props,
    .instance_init = pic_instance_init,
    .realize = pic_realize,
    .unrealize = pic_unrealize,
    .reset = pic_reset,
};

static void pic_register(void)
{
    type_register(&pic_info);
}
type_init(pic_register)

DeviceState *i8259_init(ISABus *bus, IRQLine *parent_irq, IRQLine **irqs)
{
    DeviceState *m = qdev_new(TYPE_ISA_I8259);
    DeviceState *sl = qdev_new(TYPE_ISA_I8259);

    qdev_prop_set_uint32(m, "iobase", 0x20);
    qdev_prop_set_uint32(m, "elcr-addr", 0x4d0);
    qdev_prop_set_uint8(m, "elcr-mask", 0xf8);
    qdev_prop_set_bit(m, "master", true);
    qdev_realize_or_die(m, &bus->parent);

    qdev_prop_set_uint32(sl, "iobase", 0xa0);
    qdev_prop_set_uint32(sl, "elcr-addr", 0x4d1);
    qdev_prop_set_uint8(sl, "elcr-mask", 0xde);
    qdev_prop_set_bit(sl, "master", false);
    qdev_realize_or_die(sl, &bus->parent);

    pic_of(m)->slave = pic_of(sl);
    qdev_connect_gpio_out(sl, 0, qdev_get_gpio_in(m, PIC_CASCADE_IR));
    qdev_connect_gpio_out(m, 0, parent_irq);
    for (int i = 0; i < 16; i++) {
        irqs[i] = qdev_get_gpio_in(i < 8 ? m : sl, i & 7);
    }
    return m;
}
