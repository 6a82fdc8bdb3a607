/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 8042 keyboard controller of the PC (IBM PS/2 Hardware Interface
 * Technical Reference, "Keyboard/Auxiliary Device Controller").
 *
 * Port 0x60: the output buffer (read) / input buffer for data (write).
 * Port 0x64: the status register (read) / controller commands (write).
 *
 * Status: bit 0 OBF, 1 IBF, 2 system flag, 3 last write was a command,
 * 4 keyboard not inhibited, 5 the output buffer holds auxiliary data.
 *
 * Command byte (controller RAM byte 0): bit 0 keyboard interrupt (IRQ 1),
 * 1 auxiliary interrupt (IRQ 12), 2 system flag, 4 keyboard disabled,
 * 5 auxiliary disabled, 6 translate set 2 to set 1.
 *
 * Output port: bit 0 system reset (active low), bit 1 A20 gate, bit 4
 * keyboard OBF, bit 5 auxiliary OBF, bits 6-7 keyboard clock and data.
 *
 * Writes are taken at once, so IBF never shows. One byte at a time goes
 * to the output buffer: the controller's own replies first, then the
 * keyboard (if enabled), then the mouse (if enabled).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/input/i8042.h"
#include "hw/misc/port92.h"
#include "system/runstate.h"

#define STAT_OBF        0x01
#define STAT_SYS        0x04
#define STAT_CMD        0x08
#define STAT_UNLOCKED   0x10
#define STAT_AUX_OBF    0x20

#define CTR_KBDINT      0x01
#define CTR_AUXINT      0x02
#define CTR_SYS         0x04
#define CTR_KBDDIS      0x10
#define CTR_AUXDIS      0x20
#define CTR_XLATE       0x40

#define OUT_RESET       0x01    /* active low */
#define OUT_A20         0x02
#define OUT_KBD_OBF     0x10
#define OUT_AUX_OBF     0x20
#define OUT_ONES        0xcc    /* clock/data lines idle high */

#define CREPLY_MAX      4

typedef struct I8042State {
    ISADevice parent;
    MemoryRegion io_data, io_cmd;
    IRQLine *irq_kbd, *irq_aux;
    bool kbd_level, aux_level;
    uint32_t kbd_irq_num, aux_irq_num;

    uint8_t ram[32];            /* ram[0] is the command byte */
    bool last_was_cmd;
    int pending;                /* command waiting for a data byte, or -1 */
    bool a20;                   /* output port bit 1 */

    bool ob_full;
    bool ob_aux;
    uint8_t ob;
    /* Controller replies waiting for the output buffer. */
    uint8_t creply[CREPLY_MAX];
    bool creply_aux[CREPLY_MAX];
    unsigned cr_rptr, cr_count;
    bool xlate_break;           /* translating: an 0xF0 was swallowed */

    PS2KbdState *kbd;
    PS2MouseState *mouse;
} I8042State;

static I8042State *kbc_of(DeviceState *dev)
{
    return (I8042State *)dev;
}

/* ---- the output buffer -------------------------------------------------- */

static void kbc_update_irq(I8042State *s)
{
    uint8_t ctr = s->ram[0];
    bool kbd = s->ob_full && !s->ob_aux && (ctr & CTR_KBDINT);
    bool aux = s->ob_full && s->ob_aux && (ctr & CTR_AUXINT);

    if (kbd != s->kbd_level) {
        s->kbd_level = kbd;
        irq_set(s->irq_kbd, kbd);
    }
    if (aux != s->aux_level) {
        s->aux_level = aux;
        irq_set(s->irq_aux, aux);
    }
}

/* The next keyboard byte as the controller passes it on, or -1. */
static int kbc_keyboard_byte(I8042State *s)
{
    for (;;) {
        int b = ps2_kbd_read(s->kbd);
        if (b < 0 || !(s->ram[0] & CTR_XLATE)) {
            return b;
        }
        /*
         * Translation: a set-2 break prefix 0xF0 is swallowed and the
         * next code comes out translated with bit 7 set.
         */
        if (b == 0xf0) {
            s->xlate_break = true;
            continue;
        }
        b = ps2_translate_set2_byte(b);
        if (s->xlate_break) {
            b |= 0x80;
            s->xlate_break = false;
        }
        return b;
    }
}

/* Fill an empty output buffer from whoever has a byte. */
static void kbc_refill(I8042State *s)
{
    int b;

    if (!s->ob_full) {
        if (s->cr_count) {
            s->ob = s->creply[s->cr_rptr];
            s->ob_aux = s->creply_aux[s->cr_rptr];
            s->cr_rptr = (s->cr_rptr + 1) % CREPLY_MAX;
            s->cr_count--;
            s->ob_full = true;
        } else if (!(s->ram[0] & CTR_KBDDIS) &&
                   ps2_kbd_has_data(s->kbd) &&
                   (b = kbc_keyboard_byte(s)) >= 0) {
            s->ob = b;
            s->ob_aux = false;
            s->ob_full = true;
        } else if (!(s->ram[0] & CTR_AUXDIS) &&
                   (b = ps2_mouse_read(s->mouse)) >= 0) {
            s->ob = b;
            s->ob_aux = true;
            s->ob_full = true;
        }
    }
    kbc_update_irq(s);
}

static void kbc_reply(I8042State *s, uint8_t b, bool aux)
{
    if (s->cr_count == CREPLY_MAX) {
        ember_log_mask(LOG_GUEST_ERROR, "i8042: reply 0x%02x dropped, "
                       "output buffer not read\n", b);
        return;
    }
    s->creply[(s->cr_rptr + s->cr_count) % CREPLY_MAX] = b;
    s->creply_aux[(s->cr_rptr + s->cr_count) % CREPLY_MAX] = aux;
    s->cr_count++;
    kbc_refill(s);
}

static void kbc_ps2_update(void *opaque)
{
    kbc_refill(opaque);
}

/* ---- output port --------------------------------------------------------- */

static uint8_t kbc_outport(I8042State *s)
{
    return OUT_ONES | OUT_RESET | (s->a20 ? OUT_A20 : 0) |
           (s->ob_full && !s->ob_aux ? OUT_KBD_OBF : 0) |
           (s->ob_full && s->ob_aux ? OUT_AUX_OBF : 0);
}

static void kbc_set_a20(I8042State *s, bool on)
{
    s->a20 = on;
    x86_a20_set(A20_SOURCE_KBC, on);
}

static void kbc_write_outport(I8042State *s, uint8_t val)
{
    kbc_set_a20(s, val & OUT_A20);
    if (!(val & OUT_RESET)) {
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

/* ---- commands (port 0x64) ------------------------------------------------ */

static void kbc_write_command(I8042State *s, uint8_t val)
{
    s->last_was_cmd = true;
    s->pending = -1;
    if (val >= 0x20 && val <= 0x3f) {
        kbc_reply(s, s->ram[val & 0x1f], false);
        return;
    }
    if (val >= 0x60 && val <= 0x7f) {
        s->pending = val;
        return;
    }
    if (val >= 0xf0) {
        /* Pulse output port bits whose mask bit is 0: bit 0 resets. */
        if (!(val & OUT_RESET)) {
            system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }
    switch (val) {
    case 0xa4:      /* password installed? */
        kbc_reply(s, 0xf1, false);
        break;
    case 0xa7:
        s->ram[0] |= CTR_AUXDIS;
        break;
    case 0xa8:
        s->ram[0] &= ~CTR_AUXDIS;
        kbc_refill(s);
        break;
    case 0xa9:      /* auxiliary interface test: no error */
        kbc_reply(s, 0x00, false);
        break;
    case 0xaa:      /* controller self-test */
        s->ram[0] |= CTR_SYS;
        kbc_reply(s, 0x55, false);
        break;
    case 0xab:      /* keyboard interface test: no error */
        kbc_reply(s, 0x00, false);
        break;
    case 0xad:
        s->ram[0] |= CTR_KBDDIS;
        break;
    case 0xae:
        s->ram[0] &= ~CTR_KBDDIS;
        kbc_refill(s);
        break;
    case 0xc0:      /* input port: keyboard not inhibited */
        kbc_reply(s, 0x80, false);
        break;
    case 0xd0:
        kbc_reply(s, kbc_outport(s), false);
        break;
    case 0xd1:      /* write output port */
    case 0xd2:      /* write keyboard output buffer */
    case 0xd3:      /* write auxiliary output buffer */
    case 0xd4:      /* write to auxiliary device */
        s->pending = val;
        break;
    case 0xdd:      /* A20 off (HP Vectra style) */
        kbc_set_a20(s, false);
        break;
    case 0xdf:      /* A20 on */
        kbc_set_a20(s, true);
        break;
    case 0xe0:      /* test inputs */
        kbc_reply(s, 0x00, false);
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "i8042: unknown command 0x%02x\n",
                       val);
        break;
    }
}

/* ---- data (port 0x60) ---------------------------------------------------- */

static void kbc_write_data(I8042State *s, uint8_t val)
{
    int pending = s->pending;

    s->last_was_cmd = false;
    s->pending = -1;
    if (pending >= 0x60 && pending <= 0x7f) {
        s->ram[pending & 0x1f] = val;
        if (pending == 0x60) {
            s->xlate_break = false;
            kbc_refill(s);
        }
        return;
    }
    switch (pending) {
    case 0xd1:
        kbc_write_outport(s, val);
        break;
    case 0xd2:
        kbc_reply(s, val, false);
        break;
    case 0xd3:
        kbc_reply(s, val, true);
        break;
    case 0xd4:
        ps2_write_mouse(s->mouse, val);
        break;
    default:
        /* To the keyboard; sending to it enables its interface. */
        s->ram[0] &= ~CTR_KBDDIS;
        ps2_write_keyboard(s->kbd, val);
        break;
    }
}

static uint8_t kbc_read_data(I8042State *s)
{
    uint8_t v = s->ob;

    /*
     * An empty buffer reads its last byte again. Reading drops the
     * interrupt line before the next byte comes in, so that an
     * edge-triggered interrupt controller sees every byte.
     */
    if (s->ob_full) {
        s->ob_full = false;
        kbc_update_irq(s);
        kbc_refill(s);
    }
    return v;
}

static uint8_t kbc_read_status(I8042State *s)
{
    return (s->ob_full ? STAT_OBF : 0) |
           (s->ram[0] & CTR_SYS ? STAT_SYS : 0) |
           (s->last_was_cmd ? STAT_CMD : 0) | STAT_UNLOCKED |
           (s->ob_full && s->ob_aux ? STAT_AUX_OBF : 0);
}

static uint64_t kbc_data_read(void *opaque, hwaddr addr, unsigned size)
{
    return kbc_read_data(opaque);
}

static void kbc_data_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    kbc_write_data(opaque, val);
}

static uint64_t kbc_cmd_read(void *opaque, hwaddr addr, unsigned size)
{
    return kbc_read_status(opaque);
}

static void kbc_cmd_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    kbc_write_command(opaque, val);
}

static const MemoryRegionOps kbc_data_ops = {
    .read = kbc_data_read,
    .write = kbc_data_write,
    .min_access = 1,
    .max_access = 1,
};

static const MemoryRegionOps kbc_cmd_ops = {
    .read = kbc_cmd_read,
    .write = kbc_cmd_write,
    .min_access = 1,
    .max_access = 1,
};

/* ---- device -------------------------------------------------------------- */

static void kbc_reset(DeviceState *dev)
{
    I8042State *s = kbc_of(dev);

    /*
     * As a PC BIOS leaves it after POST: translation on, keyboard
     * interrupt on, auxiliary port disabled, self-test passed; A20 on.
     */
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = CTR_XLATE | CTR_AUXDIS | CTR_SYS | CTR_KBDINT;
    s->last_was_cmd = false;
    s->pending = -1;
    s->ob_full = false;
    s->ob_aux = false;
    s->ob = 0;
    s->cr_rptr = s->cr_count = 0;
    s->xlate_break = false;
    ps2_kbd_reset(s->kbd);
    ps2_mouse_reset(s->mouse);
    kbc_set_a20(s, true);
    s->kbd_level = s->aux_level = false;
    irq_lower(s->irq_kbd);
    irq_lower(s->irq_aux);
}

static void kbc_instance_init(DeviceState *dev)
{
    I8042State *s = kbc_of(dev);

    qdev_init_gpio_out(dev, &s->irq_kbd, 1);
    qdev_init_gpio_out(dev, &s->irq_aux, 1);
}

static bool kbc_realize(DeviceState *dev, GError **errp)
{
    I8042State *s = kbc_of(dev);
    ISADevice *isa = &s->parent;

    if (s->kbd_irq_num >= ISA_NUM_IRQS || s->aux_irq_num >= ISA_NUM_IRQS) {
        error_setg(errp, "i8042: irq out of range");
        return false;
    }
    if (!s->irq_kbd) {
        s->irq_kbd = isa_get_irq(isa, s->kbd_irq_num);
    }
    if (!s->irq_aux) {
        s->irq_aux = isa_get_irq(isa, s->aux_irq_num);
    }
    s->kbd = ps2_kbd_new(kbc_ps2_update, s);
    s->mouse = ps2_mouse_new(kbc_ps2_update, s);
    memory_region_init_io(&s->io_data, dev, &kbc_data_ops, s, "i8042-data",
                          1);
    memory_region_init_io(&s->io_cmd, dev, &kbc_cmd_ops, s, "i8042-cmd", 1);
    isa_register_ioport(isa, &s->io_data, 0x60);
    isa_register_ioport(isa, &s->io_cmd, 0x64);
    return true;
}

static void kbc_unrealize(DeviceState *dev)
{
    I8042State *s = kbc_of(dev);

    memory_region_finalize(&s->io_data);
    memory_region_finalize(&s->io_cmd);
    ps2_kbd_free(s->kbd);
    ps2_mouse_free(s->mouse);
    s->kbd = NULL;
    s->mouse = NULL;
}

static const Property kbc_props[] = {
    DEFINE_PROP_UINT32("kbd-irq", I8042State, kbd_irq_num, 1),
    DEFINE_PROP_UINT32("aux-irq", I8042State, aux_irq_num, 12),
    DEFINE_PROP_END,
};

static const DeviceInfo kbc_info = {
    .name = TYPE_I8042,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(I8042State),
    .desc = "8042 keyboard controller with PS/2 keyboard and mouse",
    .props = kbc_props,
    .instance_init = kbc_instance_init,
    .realize = kbc_realize,
    .unrealize = kbc_unrealize,
    .reset = kbc_reset,
};

DeviceState *i8042_create(ISABus *bus)
{
    DeviceState *dev = qdev_new(TYPE_I8042);

    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

PS2KbdState *i8042_get_keyboard(DeviceState *dev)
{
    return kbc_of(dev)->kbd;
}

PS2MouseState *i8042_get_mouse(DeviceState *dev)
{
    return kbc_of(dev)->mouse;
}

static void kbc_register(void)
{
    type_register(&kbc_info);
}
type_init(kbc_register)
