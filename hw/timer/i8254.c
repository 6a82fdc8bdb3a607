/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 8254 programmable interval timer (8254 datasheet, Intel order
 * 231164): three 16-bit down counters clocked at 1.193182 MHz, ports
 * 0x40-0x42 (counters) and 0x43 (control word).
 *
 * The counters are not ticked one by one. Each counter remembers when its
 * count was loaded (on EMBER_CLOCK_VIRTUAL) and derives the current count
 * and the OUT level from the elapsed clock pulses. Counter 0's OUT drives
 * ISA IRQ 0: a timer fires at each OUT transition, computed from the load
 * time (never by adding up periods, so periodic modes do not drift), and
 * callbacks are kept at least PIT_MIN_CALLBACK_NS apart so that a tiny
 * count cannot flood the main loop; skipped edges collapse into one.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/isa/isa.h"
#include "hw/timer/i8254.h"
#include "system/timer.h"

/* Callbacks at most every 10 us: a 100 kHz IRQ 0 is already absurd. */
#define PIT_MIN_CALLBACK_NS 10000

/* Control word fields (datasheet, "Control Word Format"). */
#define CW_SC(v)        (((v) >> 6) & 3)
#define CW_RW(v)        (((v) >> 4) & 3)
#define CW_MODE(v)      (((v) >> 1) & 7)
#define CW_BCD          0x01
#define SC_READBACK     3
#define RW_LATCH        0
#define RW_LSB          1
#define RW_MSB          2
#define RW_WORD         3
/* Read-back command: bits are active low. */
#define RB_NO_COUNT     0x20
#define RB_NO_STATUS    0x10
/* Status byte. */
#define ST_OUT          0x80
#define ST_NULL_COUNT   0x40

typedef struct PITState PITState;

typedef enum PITEdge {
    PIT_EDGE_RISE,
    PIT_EDGE_FALL,
    PIT_EDGE_LEVEL,             /* just follow OUT */
} PITEdge;

typedef struct PITChannel {
    PITState *pit;
    int index;

    uint8_t mode;               /* 0..5 */
    uint8_t rw_mode;            /* RW_LSB, RW_MSB or RW_WORD */
    bool bcd;
    bool gate;
    uint32_t count;             /* initial count N: 1..65536 (10000 BCD) */
    uint16_t count_reg;         /* last value written (CR) */

    bool loaded;                /* a count is in the counting element */
    bool waiting_trigger;       /* modes 1/5: loaded, no gate edge yet */
    bool frozen;                /* gate low stopped the counting */
    uint64_t frozen_ticks;
    int64_t load_time;          /* virtual ns of tick 0 */
    bool null_count;

    /* Modes 2/3: a count written while counting starts the next cycle. */
    bool reload_pending;
    uint32_t reload_count;
    int64_t reload_time;

    /* Write side of the LSB/MSB flip-flop. */
    bool write_msb_next;
    uint8_t write_lsb;
    /* Read side: live reads, latched count, latched status. */
    bool read_msb_next;
    uint8_t latch_bytes;        /* latched count bytes left to read */
    uint16_t latched_count;
    bool latch_msb_next;
    bool status_latched;
    uint8_t status;

    /* Counter 0 only: its OUT on the IRQ line. */
    Timer *timer;
    PITEdge timer_kind;         /* what the armed timer will do */
    int64_t timer_time;
    bool irq_level;
} PITChannel;

struct PITState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t isairq;
    MemoryRegion io;
    IRQLine *irq;
    PITChannel ch[3];
};

/* ---- time ---------------------------------------------------------------- */

static int64_t pit_now(void)
{
    return clock_get_ns(EMBER_CLOCK_VIRTUAL);
}

/* Clock pulses in ns of time (rounded down). */
static uint64_t ns_to_ticks(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (unsigned __int128)ns * PIT_FREQ / NANOSECONDS_PER_SECOND;
}

/* The first ns at which ns_to_ticks() reaches ticks (rounded up). */
static int64_t ticks_to_ns(uint64_t ticks)
{
    unsigned __int128 n = (unsigned __int128)ticks * NANOSECONDS_PER_SECOND;

    n = (n + PIT_FREQ - 1) / PIT_FREQ;
    return n > INT64_MAX ? INT64_MAX : (int64_t)n;
}

static bool pit_running(PITChannel *c)
{
    return c->loaded && !c->waiting_trigger;
}

/* Apply a reload that became due (modes 2/3, end of the old cycle). */
static void pit_sync(PITChannel *c, int64_t now)
{
    if (c->reload_pending && now >= c->reload_time) {
        c->reload_pending = false;
        c->count = c->reload_count;
        c->load_time = c->reload_time;
    }
}

/* Clock pulses since the count was loaded (or triggered). */
static uint64_t pit_ticks(PITChannel *c, int64_t now)
{
    if (c->frozen) {
        return c->frozen_ticks;
    }
    return ns_to_ticks(now - c->load_time);
}

/* ---- the counter's behaviour per mode (datasheet, "Mode Definitions") --- */

static uint32_t pit_wrap(PITChannel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* The counting element's value after d pulses. */
static uint32_t pit_count_at(PITChannel *c, uint64_t d)
{
    uint32_t n = c->count;
    uint32_t half, p;

    switch (c->mode) {
    case 2:
        return n - (uint32_t)(d % n);
    case 3:
        /*
         * Counts down by two; OUT is high for the first (N+1)/2 pulses
         * and low for the rest (an odd N loads N-1 in the low half).
         */
        half = (n + 1) / 2;
        p = d % n;
        if (p < half) {
            return n - 2 * p;
        }
        return (n & ~1u) - 2 * (p - half);
    default:
        /* Modes 0, 1, 4, 5 keep counting down past zero, wrapping. */
        return (uint32_t)((n + pit_wrap(c) - d % pit_wrap(c)) % pit_wrap(c));
    }
}

static bool pit_out_at(PITChannel *c, uint64_t d)
{
    uint32_t n = c->count;

    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        /* Low for one pulse when the count reaches 1. */
        return n < 2 || d % n != n - 1;
    case 3:
        return d % n < (n + 1) / 2;
    default:
        /* Modes 4 and 5: a one-pulse low strobe when the count hits 0. */
        return d != n;
    }
}

/* OUT at time t, without applying a due reload (t may be ahead). */
static bool pit_out_raw(PITChannel *c, int64_t t)
{
    if (!c->loaded) {
        /* After a control word: mode 0 starts low, the others high. */
        return c->mode != 0;
    }
    if (c->waiting_trigger) {
        return true;
    }
    if (c->frozen && (c->mode == 2 || c->mode == 3)) {
        return true;            /* gate low forces OUT high */
    }
    return pit_out_at(c, pit_ticks(c, t));
}

static bool pit_out(PITChannel *c, int64_t now)
{
    pit_sync(c, now);
    return pit_out_raw(c, now);
}

static uint32_t pit_current_count(PITChannel *c, int64_t now)
{
    pit_sync(c, now);
    if (!pit_running(c)) {
        return c->count % pit_wrap(c);
    }
    return pit_count_at(c, pit_ticks(c, now)) % pit_wrap(c);
}

/*
 * The first OUT transition strictly after pulse `after` of a cycle of
 * count n in mode `mode`, or UINT64_MAX. *rise tells its direction.
 * Mode 2's one-pulse low is delivered as a rising edge at the end of
 * each cycle only.
 */
static uint64_t pit_next_transition(unsigned mode, uint64_t n,
                                    uint64_t after, bool *rise)
{
    uint64_t half, k;

    switch (mode) {
    case 0:
    case 1:
        *rise = true;
        return after < n ? n : UINT64_MAX;
    case 2:
        if (n < 2) {
            return UINT64_MAX;
        }
        *rise = true;
        return (after / n + 1) * n;
    case 3:
        if (n < 2) {
            return UINT64_MAX;
        }
        half = (n + 1) / 2;
        k = after / n;
        if (after < k * n + half) {
            *rise = false;
            return k * n + half;
        }
        *rise = true;
        return (k + 1) * n;
    default:
        if (after < n) {
            *rise = false;
            return n;
        }
        if (after < n + 1) {
            *rise = true;
            return n + 1;
        }
        return UINT64_MAX;
    }
}

/* ---- counter 0's interrupt ----------------------------------------------- */

static void pit_set_irq(PITChannel *c, bool level)
{
    if (c->irq_level != level) {
        c->irq_level = level;
        irq_set(c->pit->irq, level);
    }
}

/*
 * Arm the timer for the next OUT transition at or after not_before.
 * When the callback spacing skipped the last transitions of a one-shot
 * mode, a level update is armed instead so the line ends right.
 */
static void pit_arm(PITChannel *c, int64_t not_before)
{
    int64_t base = c->load_time;
    uint64_t n = c->count, t;
    bool rise = false;

    if (!c->timer) {
        return;
    }
    timer_del(c->timer);
    if (!pit_running(c) || c->frozen) {
        return;
    }
    if (c->reload_pending && not_before >= c->reload_time) {
        /* Look from inside the cycle that the reload starts. */
        base = c->reload_time;
        n = c->reload_count;
    }
    t = pit_next_transition(c->mode, n, ns_to_ticks(not_before - base),
                            &rise);
    if (t != UINT64_MAX) {
        c->timer_kind = rise ? PIT_EDGE_RISE : PIT_EDGE_FALL;
        c->timer_time = base + ticks_to_ns(t);
    } else if (pit_out_raw(c, not_before) != c->irq_level) {
        c->timer_kind = PIT_EDGE_LEVEL;
        c->timer_time = not_before;
    } else {
        return;
    }
    timer_mod_ns(c->timer, c->timer_time);
}

/* The OUT level changed by a guest action (not a timed transition). */
static void pit_update_irq(PITChannel *c, int64_t now)
{
    if (!c->timer) {
        return;
    }
    pit_set_irq(c, pit_out(c, now));
    pit_arm(c, now);
}

static void pit_timer_cb(void *opaque)
{
    PITChannel *c = opaque;
    int64_t now = pit_now();
    int64_t due = c->timer_time;

    pit_sync(c, now);
    switch (c->timer_kind) {
    case PIT_EDGE_RISE:
        /* A rising edge, even if the line is high (a skipped low). */
        if (c->irq_level) {
            pit_set_irq(c, false);
        }
        pit_set_irq(c, true);
        break;
    case PIT_EDGE_FALL:
        pit_set_irq(c, false);
        break;
    default:
        pit_set_irq(c, pit_out(c, now));
        break;
    }
    pit_arm(c, MAX(now, due + PIT_MIN_CALLBACK_NS));
}

/* ---- loading counts ------------------------------------------------------ */

static uint32_t pit_decode_count(PITChannel *c, uint16_t raw)
{
    uint32_t n = raw;

    if (c->bcd) {
        n = 0;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned digit = (raw >> shift) & 0xf;
            if (digit > 9) {
                ember_log_mask(LOG_GUEST_ERROR, "i8254: counter %d: bad BCD "
                               "count 0x%04x\n", c->index, raw);
                digit = 9;
            }
            n = n * 10 + digit;
        }
    }
    return n ? n : pit_wrap(c);
}

static void pit_load_count(PITChannel *c, uint16_t raw)
{
    int64_t now = pit_now();
    uint32_t n = pit_decode_count(c, raw);

    pit_sync(c, now);
    c->count_reg = raw;
    c->null_count = true;
    switch (c->mode) {
    case 2:
    case 3:
        if (pit_running(c) && !c->frozen) {
            /* Counting: the new count starts with the next cycle. */
            uint64_t d = pit_ticks(c, now);
            uint64_t end = (d / c->count + 1) * c->count;
            c->reload_pending = true;
            c->reload_count = n;
            c->reload_time = c->load_time + ticks_to_ns(end);
            break;
        }
        c->count = n;
        c->loaded = true;
        c->waiting_trigger = false;
        c->frozen = !c->gate;
        c->frozen_ticks = 0;
        c->load_time = now;
        break;
    case 1:
    case 5:
        /* Loaded by the next rising edge of the gate. */
        c->count = n;
        if (!c->loaded) {
            c->loaded = true;
            c->waiting_trigger = true;
        }
        break;
    default:
        /* Modes 0 and 4 start (re)counting at once; gate low pauses. */
        c->count = n;
        c->loaded = true;
        c->waiting_trigger = false;
        c->reload_pending = false;
        c->frozen = !c->gate;
        c->frozen_ticks = 0;
        c->load_time = now;
        break;
    }
    pit_update_irq(c, now);
}

static void pit_set_gate_channel(PITChannel *c, bool level)
{
    int64_t now = pit_now();

    if (c->gate == level) {
        return;
    }
    pit_sync(c, now);
    c->gate = level;
    switch (c->mode) {
    case 1:
    case 5:
        if (level && c->loaded) {
            /* Trigger: (re)load the count and start. */
            c->waiting_trigger = false;
            c->load_time = now;
        }
        break;
    case 2:
    case 3:
        if (!c->loaded) {
            break;
        }
        if (level) {
            /* The rising edge reloads and restarts the cycle. */
            c->frozen = false;
            c->load_time = now;
        } else {
            c->reload_pending = false;
            c->frozen_ticks = pit_ticks(c, now);
            c->frozen = true;
        }
        break;
    default:
        if (!c->loaded) {
            break;
        }
        if (level) {
            if (c->frozen) {
                c->load_time = now - ticks_to_ns(c->frozen_ticks);
                c->frozen = false;
            }
        } else if (!c->frozen) {
            c->frozen_ticks = pit_ticks(c, now);
            c->frozen = true;
        }
        break;
    }
    pit_update_irq(c, now);
}

/* ---- port access --------------------------------------------------------- */

static uint16_t pit_to_bcd(uint32_t v)
{
    return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
           (v / 10 % 10) << 4 | (v % 10);
}

static uint16_t pit_read_value(PITChannel *c, int64_t now)
{
    uint32_t v = pit_current_count(c, now);

    return c->bcd ? pit_to_bcd(v) : v;
}

static void pit_latch_count(PITChannel *c, int64_t now)
{
    /* A second latch before the first is read is ignored. */
    if (c->latch_bytes) {
        return;
    }
    c->latched_count = pit_read_value(c, now);
    c->latch_bytes = c->rw_mode == RW_WORD ? 2 : 1;
    c->latch_msb_next = c->rw_mode == RW_MSB;
}

static void pit_latch_status(PITChannel *c, int64_t now)
{
    if (c->status_latched) {
        return;
    }
    pit_sync(c, now);
    /* Null count clears once the count reached the counting element. */
    if (c->loaded && !c->reload_pending &&
        (c->waiting_trigger || pit_ticks(c, now) >= 1)) {
        c->null_count = false;
    }
    c->status = (pit_out(c, now) ? ST_OUT : 0) |
                (c->null_count ? ST_NULL_COUNT : 0) |
                c->rw_mode << 4 | c->mode << 1 | (c->bcd ? CW_BCD : 0);
    c->status_latched = true;
}

static void pit_write_control(PITState *s, uint8_t val)
{
    int64_t now = pit_now();
    PITChannel *c;
    unsigned mode;

    if (CW_SC(val) == SC_READBACK) {
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i))) {
                continue;
            }
            if (!(val & RB_NO_COUNT)) {
                pit_latch_count(&s->ch[i], now);
            }
            if (!(val & RB_NO_STATUS)) {
                pit_latch_status(&s->ch[i], now);
            }
        }
        return;
    }
    c = &s->ch[CW_SC(val)];
    if (CW_RW(val) == RW_LATCH) {
        pit_latch_count(c, now);
        return;
    }
    mode = CW_MODE(val);
    if (mode > 5) {
        mode -= 4;              /* 110 and 111 are modes 2 and 3 */
    }
    /* A control word resets the counter's logic; OUT goes to its
     * initial state and counting waits for a new count. */
    pit_sync(c, now);
    c->rw_mode = CW_RW(val);
    c->mode = mode;
    c->bcd = val & CW_BCD;
    c->loaded = false;
    c->waiting_trigger = false;
    c->frozen = false;
    c->reload_pending = false;
    c->null_count = true;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->latch_bytes = 0;
    c->status_latched = false;
    pit_update_irq(c, now);
}

static void pit_write_counter(PITChannel *c, uint8_t val)
{
    switch (c->rw_mode) {
    case RW_LSB:
        pit_load_count(c, val);
        break;
    case RW_MSB:
        pit_load_count(c, val << 8);
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = val;
            c->write_msb_next = true;
        } else {
            c->write_msb_next = false;
            pit_load_count(c, c->write_lsb | val << 8);
        }
        break;
    }
}

static uint8_t pit_read_counter(PITChannel *c)
{
    int64_t now = pit_now();
    uint16_t v;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latch_bytes) {
        c->latch_bytes--;
        v = c->latch_msb_next ? c->latched_count >> 8 : c->latched_count;
        c->latch_msb_next = !c->latch_msb_next;
        return v;
    }
    v = pit_read_value(c, now);
    switch (c->rw_mode) {
    case RW_LSB:
        return v;
    case RW_MSB:
        return v >> 8;
    default:
        c->read_msb_next = !c->read_msb_next;
        return c->read_msb_next ? v : v >> 8;
    }
}

static uint64_t pit_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;

    if (addr == 3) {
        /* The control word register cannot be read (datasheet). */
        return 0xff;
    }
    return pit_read_counter(&s->ch[addr]);
}

static void pit_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    PITState *s = opaque;

    if (addr == 3) {
        pit_write_control(s, val);
    } else {
        pit_write_counter(&s->ch[addr], val);
    }
}

static const MemoryRegionOps pit_io_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    .min_access = 1,
    .max_access = 1,
};

/* ---- the interface for port 0x61 ----------------------------------------- */

static PITState *pit_of(DeviceState *dev)
{
    return (PITState *)dev;
}

static void pit_if_set_gate(DeviceState *dev, int channel, bool level)
{
    if (channel >= 0 && channel < 3) {
        pit_set_gate_channel(&pit_of(dev)->ch[channel], level);
    }
}

static bool pit_if_get_gate(DeviceState *dev, int channel)
{
    return channel >= 0 && channel < 3 && pit_of(dev)->ch[channel].gate;
}

static bool pit_if_get_out(DeviceState *dev, int channel)
{
    if (channel < 0 || channel >= 3) {
        return false;
    }
    return pit_out(&pit_of(dev)->ch[channel], pit_now());
}

static const PITInterface pit_interface = {
    .set_gate = pit_if_set_gate,
    .get_gate = pit_if_get_gate,
    .get_out = pit_if_get_out,
};

static const PITInterface *pit_interface_of(DeviceState *pit)
{
    return pit ? type_class_data(pit->info) : NULL;
}

void pit_set_gate(DeviceState *pit, int channel, bool level)
{
    const PITInterface *pi = pit_interface_of(pit);

    if (pi && pi->set_gate) {
        pi->set_gate(pit, channel, level);
    }
}

bool pit_get_gate(DeviceState *pit, int channel)
{
    const PITInterface *pi = pit_interface_of(pit);

    return pi && pi->get_gate ? pi->get_gate(pit, channel) : false;
}

bool pit_get_out(DeviceState *pit, int channel)
{
    const PITInterface *pi = pit_interface_of(pit);

    return pi && pi->get_out ? pi->get_out(pit, channel) : false;
}

/* ---- device -------------------------------------------------------------- */

static void pit_reset(DeviceState *dev)
{
    PITState *s = pit_of(dev);
    int64_t now = pit_now();

    /*
     * What the PC BIOS leaves behind: every counter in mode 3 with count
     * 0 (65536), LSB then MSB, binary; gates of counters 0 and 1 tied
     * high, counter 2's gate off (port 0x61 bit 0 clear).
     */
    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        if (c->timer) {
            timer_del(c->timer);
        }
        c->mode = 3;
        c->rw_mode = RW_WORD;
        c->bcd = false;
        c->gate = i != 2;
        c->count = 65536;
        c->count_reg = 0;
        c->loaded = true;
        c->waiting_trigger = false;
        c->frozen = !c->gate;
        c->frozen_ticks = 0;
        c->load_time = now;
        c->null_count = false;
        c->reload_pending = false;
        c->write_msb_next = false;
        c->read_msb_next = false;
        c->latch_bytes = 0;
        c->status_latched = false;
        if (c->timer) {
            c->irq_level = false;
            irq_lower(s->irq);
            pit_update_irq(c, now);
        }
    }
}

static void pit_instance_init(DeviceState *dev)
{
    PITState *s = pit_of(dev);

    for (int i = 0; i < 3; i++) {
        s->ch[i].pit = s;
        s->ch[i].index = i;
    }
    qdev_init_gpio_out(dev, &s->irq, 1);
}

static bool pit_realize(DeviceState *dev, GError **errp)
{
    PITState *s = pit_of(dev);
    ISADevice *isa = (ISADevice *)dev;

    if (s->iobase > 0xfffc) {
        error_setg(errp, "isa-pit: iobase 0x%x out of range", s->iobase);
        return false;
    }
    if (s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-pit: irq %u out of range", s->isairq);
        return false;
    }
    if (!s->irq) {
        s->irq = isa_get_irq(isa, s->isairq);
    }
    s->ch[0].timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, pit_timer_cb,
                                  &s->ch[0]);
    memory_region_init_io(&s->io, dev, &pit_io_ops, s, "pit", 4);
    isa_register_ioport(isa, &s->io, s->iobase);
    return true;
}

static void pit_unrealize(DeviceState *dev)
{
    PITState *s = pit_of(dev);

    memory_region_finalize(&s->io);
    timer_free(s->ch[0].timer);
    s->ch[0].timer = NULL;
}

static const Property pit_props[] = {
    DEFINE_PROP_UINT32("iobase", PITState, iobase, 0x40),
    DEFINE_PROP_UINT32("irq", PITState, isairq, 0),
    DEFINE_PROP_END,
};

static const DeviceInfo pit_info = {
    .name = TYPE_ISA_PIT,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PITState),
    .desc = "Intel 8254 programmable interval timer",
    .props = pit_props,
    .instance_init = pit_instance_init,
    .realize = pit_realize,
    .unrealize = pit_unrealize,
    .reset = pit_reset,
    .class_data = &pit_interface,
};

DeviceState *i8254_pit_create(ISABus *bus, uint16_t base, int isa_irq)
{
    DeviceState *dev = qdev_new(TYPE_ISA_PIT);

    qdev_prop_set_uint32(dev, "iobase", base);
    qdev_prop_set_uint32(dev, "irq", isa_irq);
    qdev_realize_or_die(dev, &bus->parent);
    return dev;
}

static void pit_register(void)
{
    type_register(&pit_info);
}
type_init(pit_register)
