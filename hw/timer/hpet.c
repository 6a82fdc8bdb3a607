/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * High Precision Event Timer (IA-PC HPET specification 1.0a, section 2).
 *
 * The main counter is not ticked: while enabled it is derived from the
 * virtual clock (counter = base + elapsed_ns / 10). Each comparator has a
 * host timer armed for the virtual time at which the counter reaches it;
 * any register change re-arms it. Periodic timers never fire more often
 * than every HPET_MIN_NS of virtual time: periods the guest makes
 * shorter are coalesced (the comparator still advances by whole periods).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/timer/hpet.h"
#include "system/timer.h"

#define HPET_MIN_NS         10000
#define HPET_NS_PER_TICK    (NANOSECONDS_PER_SECOND / HPET_FREQ_HZ)

/* General registers (spec table 2-1). */
#define HPET_REG_CAP        0x000
#define HPET_REG_CONF       0x010
#define HPET_REG_ISR        0x020
#define HPET_REG_COUNTER    0x0f0
#define HPET_REG_TIMER0     0x100
#define HPET_TIMER_STRIDE   0x20
/* Per timer, relative to its block. */
#define HPET_TN_CONF        0x00
#define HPET_TN_CMP         0x08
#define HPET_TN_FSB         0x10

/* GEN_CONF. */
#define HPET_CONF_ENABLE    (1ULL << 0)
#define HPET_CONF_LEGACY    (1ULL << 1)

/* GCAP_ID. */
#define HPET_CAP_REV        0x01
#define HPET_CAP_COUNT_64   (1ULL << 13)
#define HPET_CAP_LEG_RT     (1ULL << 15)
#define HPET_CAP_VENDOR     (0x8086ULL << 16)

/* Tn_CONF_CAP. */
#define TN_INT_LEVEL        (1ULL << 1)
#define TN_INT_ENB          (1ULL << 2)
#define TN_PERIODIC         (1ULL << 3)
#define TN_PER_CAP          (1ULL << 4)
#define TN_SIZE_CAP         (1ULL << 5)
#define TN_VAL_SET          (1ULL << 6)
#define TN_32BIT            (1ULL << 8)
#define TN_ROUTE_SHIFT      9
#define TN_ROUTE_MASK       (0x1fULL << TN_ROUTE_SHIFT)
#define TN_FSB_EN           (1ULL << 14)
#define TN_FSB_CAP          (1ULL << 15)
#define TN_WRITABLE         (TN_INT_LEVEL | TN_INT_ENB | TN_PERIODIC | \
                             TN_VAL_SET | TN_32BIT | TN_ROUTE_MASK | \
                             TN_FSB_EN)

typedef struct HPETState HPETState;

typedef struct HPETTimer {
    HPETState *s;
    int index;
    Timer timer;
    uint64_t config;
    uint64_t cmp;
    uint64_t period;
    uint64_t fsb;               /* value in bits 31:0, address in 63:32 */
} HPETTimer;

struct HPETState {
    DeviceState parent;

    /* Properties. */
    uint32_t num_timers;
    bool msi;

    MemoryRegion io;
    uint64_t config;
    uint64_t isr;
    uint64_t counter;           /* value at enable_ns (or frozen value) */
    int64_t enable_ns;
    uint32_t out_state;         /* levels driven on the outputs */
    IRQLine *outs[HPET_NUM_OUTS];
    HPETTimer timers[HPET_MAX_TIMERS];
};

static inline HPETState *hpet_of(DeviceState *dev)
{
    return (HPETState *)dev;
}

static bool hpet_enabled(HPETState *s)
{
    return s->config & HPET_CONF_ENABLE;
}

static bool hpet_legacy(HPETState *s)
{
    return (s->config & (HPET_CONF_ENABLE | HPET_CONF_LEGACY)) ==
           (HPET_CONF_ENABLE | HPET_CONF_LEGACY);
}

static uint64_t hpet_counter_at(HPETState *s, int64_t now)
{
    if (!hpet_enabled(s) || now < s->enable_ns) {
        return s->counter;
    }
    return s->counter + (uint64_t)(now - s->enable_ns) / HPET_NS_PER_TICK;
}

static uint64_t hpet_counter(HPETState *s)
{
    return hpet_counter_at(s, clock_get_ns(EMBER_CLOCK_VIRTUAL));
}

static bool timer_32bit(HPETTimer *t)
{
    return t->config & TN_32BIT;
}

static bool timer_fsb(HPETTimer *t)
{
    return t->s->msi && (t->config & TN_FSB_EN);
}

/* The output a timer's interrupt goes to, or -1 (FSB, bad route). */
static int hpet_timer_output(HPETTimer *t)
{
    HPETState *s = t->s;
    unsigned route;

    if (hpet_legacy(s) && t->index < 2) {
        return t->index == 0 ? HPET_OUT_LEGACY_IRQ0 : HPET_OUT_LEGACY_IRQ8;
    }
    if (timer_fsb(t)) {
        return -1;
    }
    route = (t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;
    if (!(HPET_ROUTE_CAP & (1u << route))) {
        return -1;
    }
    return route;
}

/* Drive the outputs from the level-triggered timers' status bits. */
static void hpet_update_outputs(HPETState *s)
{
    uint32_t want = 0;

    for (unsigned i = 0; i < s->num_timers; i++) {
        HPETTimer *t = &s->timers[i];
        int out = hpet_timer_output(t);

        if (out >= 0 && hpet_enabled(s) && (t->config & TN_INT_LEVEL) &&
            (t->config & TN_INT_ENB) && (s->isr & (1ULL << i))) {
            want |= 1u << out;
        }
    }
    if (hpet_legacy(s)) {
        want |= 1u << HPET_OUT_LEGACY_MODE;
    }
    for (int o = 0; o < HPET_NUM_OUTS; o++) {
        uint32_t bit = 1u << o;
        if ((want ^ s->out_state) & bit) {
            irq_set(s->outs[o], !!(want & bit));
        }
    }
    s->out_state = want;
}

static void hpet_timer_interrupt(HPETTimer *t)
{
    HPETState *s = t->s;
    int out;

    if (t->config & TN_INT_LEVEL) {
        /* Status is set even with the interrupt disabled (2.3.8). */
        s->isr |= 1ULL << t->index;
        hpet_update_outputs(s);
        return;
    }
    if (!(t->config & TN_INT_ENB)) {
        return;
    }
    if (timer_fsb(t) && !(hpet_legacy(s) && t->index < 2)) {
        /* FSB messages are edge-only: a dword write to the address. */
        address_space_stl(&address_space_memory, t->fsb >> 32,
                          (uint32_t)t->fsb);
        return;
    }
    out = hpet_timer_output(t);
    if (out < 0) {
        ember_log_mask(LOG_GUEST_ERROR, "hpet: timer %d routed to pin %d, "
                       "which it does not support\n", t->index,
                       (int)((t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT));
        return;
    }
    /* A line held high by a level timer already shows the interrupt. */
    if (!(s->out_state & (1u << out))) {
        irq_pulse(s->outs[out]);
    }
}

/*
 * Arm t for the next time the counter matches its comparator. wrapped:
 * it just matched, so an unchanged 32-bit comparator matches again only
 * after the counter's low half wraps.
 */
static void hpet_timer_arm(HPETTimer *t, bool wrapped)
{
    HPETState *s = t->s;
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    uint64_t cur, diff, ticks, ns;
    int64_t expire;

    if (!hpet_enabled(s)) {
        timer_del(&t->timer);
        return;
    }
    cur = hpet_counter_at(s, now);
    if (timer_32bit(t)) {
        diff = (uint32_t)((uint32_t)t->cmp - (uint32_t)cur);
        if (diff == 0 && wrapped) {
            diff = 1ULL << 32;
        }
    } else {
        diff = t->cmp - cur;
        if (diff == 0 && wrapped) {
            timer_del(&t->timer);   /* next match: after 2^64 ticks */
            return;
        }
    }
    /*
     * A 64-bit comparator behind the counter matches only after the
     * counter wraps: the sum overflows, and the match is centuries away.
     */
    if (__builtin_add_overflow(cur - s->counter, diff, &ticks) ||
        __builtin_mul_overflow(ticks, HPET_NS_PER_TICK, &ns) ||
        ns > (uint64_t)(INT64_MAX - s->enable_ns)) {
        timer_del(&t->timer);       /* centuries away */
        return;
    }
    expire = s->enable_ns + (int64_t)ns;
    if ((t->config & TN_PERIODIC) && expire < now + HPET_MIN_NS && wrapped) {
        expire = now + HPET_MIN_NS;
    }
    timer_mod_ns(&t->timer, expire);
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    HPETState *s = t->s;
    uint64_t cur = hpet_counter(s);

    hpet_timer_interrupt(t);
    if ((t->config & TN_PERIODIC) && t->period) {
        /* Next comparator value past the counter, in whole periods. */
        if (timer_32bit(t)) {
            uint32_t c = t->cmp, p = t->period;
            uint32_t k = (uint32_t)(cur - c) / p + 1;
            t->cmp = (uint32_t)(c + k * p);
        } else if (cur >= t->cmp) {
            uint64_t k = (cur - t->cmp) / t->period + 1;
            t->cmp += k * t->period;
        }
    }
    hpet_timer_arm(t, true);
}

static void hpet_arm_all(HPETState *s)
{
    for (unsigned i = 0; i < s->num_timers; i++) {
        hpet_timer_arm(&s->timers[i], false);
    }
}

MemoryRegion *hpet_get_mmio(DeviceState *dev)
{
    return &hpet_of(dev)->io;
}

uint32_t hpet_get_block_id(DeviceState *dev)
{
    HPETState *s = hpet_of(dev);

    return HPET_CAP_REV | ((s->num_timers - 1) << 8) | HPET_CAP_COUNT_64 |
           HPET_CAP_LEG_RT | HPET_CAP_VENDOR;
}

/* ---- registers ----------------------------------------------------------- */

static uint64_t hpet_read64(HPETState *s, hwaddr reg)
{
    if (reg >= HPET_REG_TIMER0) {
        unsigned n = (reg - HPET_REG_TIMER0) / HPET_TIMER_STRIDE;
        HPETTimer *t;

        if (n >= s->num_timers) {
            return 0;
        }
        t = &s->timers[n];
        switch ((reg - HPET_REG_TIMER0) % HPET_TIMER_STRIDE) {
        case HPET_TN_CONF:
            return t->config;
        case HPET_TN_CMP:
            return timer_32bit(t) ? (uint32_t)t->cmp : t->cmp;
        case HPET_TN_FSB:
            return t->fsb;
        default:
            return 0;
        }
    }
    switch (reg) {
    case HPET_REG_CAP:
        return hpet_get_block_id(&s->parent) |
               ((uint64_t)HPET_PERIOD_FS << 32);
    case HPET_REG_CONF:
        return s->config;
    case HPET_REG_ISR:
        return s->isr;
    case HPET_REG_COUNTER:
        return hpet_counter(s);
    default:
        return 0;
    }
}

static void hpet_write_conf(HPETState *s, uint64_t val)
{
    uint64_t old = s->config;
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);

    if (!(old & HPET_CONF_ENABLE) && (val & HPET_CONF_ENABLE)) {
        s->enable_ns = now;
    } else if ((old & HPET_CONF_ENABLE) && !(val & HPET_CONF_ENABLE)) {
        s->counter = hpet_counter_at(s, now);
    }
    s->config = val & (HPET_CONF_ENABLE | HPET_CONF_LEGACY);
    hpet_arm_all(s);
    hpet_update_outputs(s);
}

static void hpet_write_timer(HPETState *s, HPETTimer *t, unsigned r,
                             uint64_t val, uint64_t mask)
{
    uint64_t v;

    switch (r) {
    case HPET_TN_CONF:
        v = (t->config & ~(mask & TN_WRITABLE)) | (val & mask & TN_WRITABLE);
        if (!s->msi) {
            v &= ~TN_FSB_EN;
        }
        if ((v & TN_ROUTE_MASK) != (t->config & TN_ROUTE_MASK) &&
            !(HPET_ROUTE_CAP &
              (1u << ((v & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT)))) {
            ember_log_mask(LOG_GUEST_ERROR, "hpet: timer %d route %d not in "
                           "Tn_INT_ROUTE_CAP\n", t->index,
                           (int)((v & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT));
        }
        if (!(v & TN_INT_LEVEL)) {
            s->isr &= ~(1ULL << t->index);   /* status is for level only */
        }
        if (v & TN_32BIT) {
            t->cmp = (uint32_t)t->cmp;
            t->period = (uint32_t)t->period;
        }
        t->config = v;
        hpet_update_outputs(s);
        hpet_timer_arm(t, false);
        break;
    case HPET_TN_CMP:
        if (timer_32bit(t)) {
            mask &= 0xffffffffULL;
        }
        /*
         * Periodic mode: a write sets the period, and the comparator only
         * with Tn_VAL_SET_CNF (spec 2.3.9.2.2).
         */
        if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET)) {
            t->cmp = (t->cmp & ~mask) | (val & mask);
        }
        t->period = (t->period & ~mask) | (val & mask);
        t->config &= ~TN_VAL_SET;
        hpet_timer_arm(t, false);
        break;
    case HPET_TN_FSB:
        t->fsb = (t->fsb & ~mask) | (val & mask);
        break;
    default:
        break;
    }
}

/* Write the bits of mask of the 64-bit register at reg. */
static void hpet_write64(HPETState *s, hwaddr reg, uint64_t val,
                         uint64_t mask)
{
    if (reg >= HPET_REG_TIMER0) {
        unsigned n = (reg - HPET_REG_TIMER0) / HPET_TIMER_STRIDE;

        if (n >= s->num_timers) {
            ember_log_mask(LOG_GUEST_ERROR, "hpet: write to timer %u of %u\n",
                           n, s->num_timers);
            return;
        }
        hpet_write_timer(s, &s->timers[n],
                         (reg - HPET_REG_TIMER0) % HPET_TIMER_STRIDE, val,
                         mask);
        return;
    }
    switch (reg) {
    case HPET_REG_CONF:
        hpet_write_conf(s, (s->config & ~mask) | (val & mask));
        break;
    case HPET_REG_ISR:
        /* Write 1 to clear (level-triggered status only). */
        s->isr &= ~(val & mask);
        hpet_update_outputs(s);
        break;
    case HPET_REG_COUNTER: {
        int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
        uint64_t cur = hpet_counter_at(s, now);

        if (hpet_enabled(s)) {
            ember_log_mask(LOG_GUEST_ERROR, "hpet: main counter written "
                           "while running\n");
        }
        s->counter = (cur & ~mask) | (val & mask);
        s->enable_ns = now;
        hpet_arm_all(s);
        break;
    }
    default:
        break;      /* capabilities and reserved space: read-only */
    }
}

static uint64_t hpet_mmio_read(void *opaque, hwaddr off, unsigned size)
{
    HPETState *s = opaque;
    uint64_t v = hpet_read64(s, off & ~7ULL);

    if (size == 8) {
        return v;
    }
    return (uint32_t)(v >> ((off & 4) * 8));
}

static void hpet_mmio_write(void *opaque, hwaddr off, uint64_t val,
                            unsigned size)
{
    HPETState *s = opaque;
    unsigned shift = (off & 4) * 8;

    if (size == 8) {
        hpet_write64(s, off, val, ~0ULL);
    } else {
        hpet_write64(s, off & ~7ULL, (uint64_t)(uint32_t)val << shift,
                     0xffffffffULL << shift);
    }
}

static const MemoryRegionOps hpet_mmio_ops = {
    .read = hpet_mmio_read,
    .write = hpet_mmio_write,
    .min_access = 4,
    .max_access = 8,
};

/* ---- the device ---------------------------------------------------------- */

static void hpet_instance_init(DeviceState *dev)
{
    HPETState *s = hpet_of(dev);

    qdev_init_gpio_out(dev, s->outs, HPET_NUM_OUTS);
}

static bool hpet_realize(DeviceState *dev, GError **errp)
{
    HPETState *s = hpet_of(dev);

    if (s->num_timers < 3 || s->num_timers > HPET_MAX_TIMERS) {
        error_setg(errp, "hpet: timers=%u, must be 3..%d", s->num_timers,
                   HPET_MAX_TIMERS);
        return false;
    }
    memory_region_init_io(&s->io, dev, &hpet_mmio_ops, s, "hpet",
                          HPET_MMIO_SIZE);
    for (unsigned i = 0; i < s->num_timers; i++) {
        HPETTimer *t = &s->timers[i];
        t->s = s;
        t->index = i;
        timer_init_ns(&t->timer, EMBER_CLOCK_VIRTUAL, hpet_timer_cb, t);
    }
    return true;
}

static void hpet_unrealize(DeviceState *dev)
{
    HPETState *s = hpet_of(dev);

    for (unsigned i = 0; i < s->num_timers; i++) {
        timer_del(&s->timers[i].timer);
    }
    memory_region_finalize(&s->io);
}

static void hpet_reset(DeviceState *dev)
{
    HPETState *s = hpet_of(dev);

    s->config = 0;
    s->isr = 0;
    s->counter = 0;
    s->enable_ns = 0;
    for (unsigned i = 0; i < s->num_timers; i++) {
        HPETTimer *t = &s->timers[i];
        timer_del(&t->timer);
        t->config = TN_PER_CAP | TN_SIZE_CAP |
                    (s->msi ? TN_FSB_CAP : 0) |
                    ((uint64_t)HPET_ROUTE_CAP << 32);
        t->cmp = ~0ULL;     /* spec: comparators reset to all ones */
        t->period = 0;
        t->fsb = 0;
    }
    hpet_update_outputs(s);
}

static const Property hpet_props[] = {
    DEFINE_PROP_UINT32("timers", HPETState, num_timers, HPET_NUM_TIMERS_DEF),
    DEFINE_PROP_BOOL("msi", HPETState, msi, false),
    DEFINE_PROP_END,
};

static const DeviceInfo hpet_info = {
    .name = TYPE_HPET,
    .parent = "device",
    .instance_size = sizeof(HPETState),
    .desc = "High Precision Event Timer",
    .props = hpet_props,
    .instance_init = hpet_instance_init,
    .realize = hpet_realize,
    .unrealize = hpet_unrealize,
    .reset = hpet_reset,
};

static void hpet_register(void)
{
    type_register(&hpet_info);
}
type_init(hpet_register)

DeviceState *hpet_create(MemoryRegion *sysmem, hwaddr base)
{
    DeviceState *dev = qdev_new(TYPE_HPET);

    qdev_realize_or_die(dev, NULL);
    memory_region_add_subregion_overlap(sysmem, base, &hpet_of(dev)->io,
                                        0x1000);
    return dev;
}
