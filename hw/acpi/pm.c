/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACPI fixed hardware of the PC (ACPI 6.4, section 4.8): PM1 event and
 * control registers, the PM timer, GPE0 and the reset register.
 *
 * The PM timer is derived from the virtual clock, never ticked. Its
 * TMR_STS (set whenever bit 23 of the counter changes) is computed on
 * demand from the number of bit-23 toggles since the guest last cleared
 * it; a host timer is only armed for the next toggle while TMR_EN asks
 * for an SCI.
 *
 * Accesses may be 1, 2 or 4 bytes at any offset: each one reads a
 * snapshot of the block taken at one instant (so a 32-bit timer read is
 * coherent) and writes apply byte by byte before the device acts.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/acpi/pm.h"
#include "system/runstate.h"
#include "system/timer.h"

#define PM1_STS_WRITABLE   (ACPI_BITMASK_TIMER_STATUS | \
                            ACPI_BITMASK_BUS_MASTER_STATUS | \
                            ACPI_BITMASK_GLOBAL_LOCK_STATUS | \
                            ACPI_BITMASK_POWER_BUTTON_STATUS | \
                            ACPI_BITMASK_SLEEP_BUTTON_STATUS | \
                            ACPI_BITMASK_RT_CLOCK_STATUS | \
                            ACPI_BITMASK_WAKE_STATUS)
/* Events that can raise the SCI through PM1_EN. */
#define PM1_EN_WRITABLE    (ACPI_BITMASK_TIMER_STATUS | \
                            ACPI_BITMASK_GLOBAL_LOCK_STATUS | \
                            ACPI_BITMASK_POWER_BUTTON_STATUS | \
                            ACPI_BITMASK_SLEEP_BUTTON_STATUS | \
                            ACPI_BITMASK_RT_CLOCK_STATUS)
/* SCI_EN, BM_RLD, GBL_RLS, SLP_TYP; SLP_EN is write-only. */
#define PM1_CNT_STORED     (ACPI_BITMASK_SCI_ENABLE | 0x0006 | \
                            ACPI_BITMASK_SLEEP_TYPE)

#define PM_TMR_MASK        0x00ffffffu
#define PM_TMR_MSB_SHIFT   23

typedef struct ACPIPMState {
    ISADevice parent;

    /* Properties. */
    uint32_t iobase;
    uint32_t gpe0_base;
    uint32_t sci_irq;

    MemoryRegion io;
    MemoryRegion gpe_io;
    IRQLine *sci;
    bool sci_level;
    Timer tmr_timer;

    uint16_t pm1_sts;           /* without TMR_STS, computed */
    bool tmr_sts;               /* TMR_STS latched */
    uint64_t tmr_toggles_seen;  /* bit-23 toggles acknowledged */
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint16_t gpe_sts;
    uint16_t gpe_en;
} ACPIPMState;

static inline ACPIPMState *pm_of(DeviceState *dev)
{
    return (ACPIPMState *)dev;
}

/* PM timer ticks since the virtual clock started. */
static uint64_t pm_ticks(int64_t now)
{
    return (unsigned __int128)MAX(now, 0) * ACPI_PM_TIMER_FREQ /
           NANOSECONDS_PER_SECOND;
}

/* Virtual time at which tick number t begins. */
static int64_t pm_tick_time(uint64_t t)
{
    unsigned __int128 ns = (unsigned __int128)t * NANOSECONDS_PER_SECOND +
                           ACPI_PM_TIMER_FREQ - 1;

    ns /= ACPI_PM_TIMER_FREQ;
    return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

static uint16_t pm_pm1_sts(ACPIPMState *s, int64_t now)
{
    uint16_t sts = s->pm1_sts;

    if (s->tmr_sts ||
        (pm_ticks(now) >> PM_TMR_MSB_SHIFT) != s->tmr_toggles_seen) {
        sts |= ACPI_BITMASK_TIMER_STATUS;
    }
    return sts;
}

static void pm_update(ACPIPMState *s)
{
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    uint16_t sts = pm_pm1_sts(s, now);
    bool level;

    /* Without SCI_EN the events would be SMIs; there is no SMM here. */
    level = (s->pm1_cnt & ACPI_BITMASK_SCI_ENABLE) &&
            ((sts & s->pm1_en & PM1_EN_WRITABLE) ||
             (s->gpe_sts & s->gpe_en));
    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(s->sci, level);
    }
    /* An SCI at the next bit-23 toggle if the guest wants timer events. */
    if ((s->pm1_en & ACPI_BITMASK_TIMER_STATUS) &&
        !(sts & ACPI_BITMASK_TIMER_STATUS)) {
        uint64_t next = (s->tmr_toggles_seen + 1) << PM_TMR_MSB_SHIFT;
        timer_mod_ns(&s->tmr_timer, pm_tick_time(next));
    } else {
        timer_del(&s->tmr_timer);
    }
}

static void pm_tmr_cb(void *opaque)
{
    pm_update(opaque);
}

static void pm_sleep(ACPIPMState *s)
{
    int typ = (s->pm1_cnt & ACPI_BITMASK_SLEEP_TYPE) >> 10;

    if (typ == ACPI_SLP_TYP_S5) {
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        return;
    }
    ember_log_mask(LOG_UNIMP, "acpi-pm: sleep type %d is not supported "
                   "(only S5, SLP_TYP %d)\n", typ, ACPI_SLP_TYP_S5);
}

static void pm_snapshot(ACPIPMState *s, uint8_t *regs)
{
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);

    memset(regs, 0, ACPI_PM_IO_LEN);
    stw_le_p(regs + ACPI_PM1_EVT_OFF, pm_pm1_sts(s, now));
    stw_le_p(regs + ACPI_PM1_EVT_OFF + 2, s->pm1_en);
    stw_le_p(regs + ACPI_PM1_CNT_OFF, s->pm1_cnt);
    stl_le_p(regs + ACPI_PM_TMR_OFF, pm_ticks(now) & PM_TMR_MASK);
}

static uint64_t pm_io_read(void *opaque, hwaddr off, unsigned size)
{
    ACPIPMState *s = opaque;
    uint8_t regs[ACPI_PM_IO_LEN];
    uint64_t v = 0;

    pm_snapshot(s, regs);
    for (unsigned i = 0; i < size && off + i < ACPI_PM_IO_LEN; i++) {
        v |= (uint64_t)regs[off + i] << (8 * i);
    }
    return v;
}

static void pm_io_write(void *opaque, hwaddr off, uint64_t val,
                        unsigned size)
{
    ACPIPMState *s = opaque;
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    bool sleep = false, reset = false;

    for (unsigned i = 0; i < size && off + i < ACPI_PM_IO_LEN; i++) {
        unsigned o = off + i;
        uint16_t b = (val >> (8 * i)) & 0xff;
        unsigned sh = (o & 1) * 8;

        switch (o) {
        case ACPI_PM1_EVT_OFF:
        case ACPI_PM1_EVT_OFF + 1: {
            uint16_t clr = (b << sh) & PM1_STS_WRITABLE;
            s->pm1_sts &= ~clr;
            if (clr & ACPI_BITMASK_TIMER_STATUS) {
                s->tmr_sts = false;
                s->tmr_toggles_seen = pm_ticks(now) >> PM_TMR_MSB_SHIFT;
            }
            break;
        }
        case ACPI_PM1_EVT_OFF + 2:
        case ACPI_PM1_EVT_OFF + 3:
            s->pm1_en = (s->pm1_en & ~(0xff << sh)) |
                        ((b << sh) & PM1_EN_WRITABLE);
            break;
        case ACPI_PM1_CNT_OFF:
        case ACPI_PM1_CNT_OFF + 1:
            s->pm1_cnt = (s->pm1_cnt & ~(0xff << sh)) |
                         ((b << sh) & PM1_CNT_STORED);
            if ((b << sh) & ACPI_BITMASK_SLEEP_ENABLE) {
                sleep = true;
            }
            break;
        case ACPI_PM_RESET_OFF:
            /* As the 0xcf9 reset control register: bit 2 resets. */
            if (b & 0x04) {
                reset = true;
            }
            break;
        default:
            break;      /* PM timer and reserved bytes: read-only */
        }
    }
    if (sleep) {
        pm_sleep(s);
    }
    if (reset) {
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
    pm_update(s);
}

static const MemoryRegionOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .min_access = 1,
    .max_access = 4,
    .unaligned = true,
};

static uint64_t pm_gpe_read(void *opaque, hwaddr off, unsigned size)
{
    ACPIPMState *s = opaque;
    uint8_t regs[ACPI_GPE0_LEN];
    uint64_t v = 0;

    stw_le_p(regs, s->gpe_sts);
    stw_le_p(regs + 2, s->gpe_en);
    for (unsigned i = 0; i < size && off + i < ACPI_GPE0_LEN; i++) {
        v |= (uint64_t)regs[off + i] << (8 * i);
    }
    return v;
}

static void pm_gpe_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    ACPIPMState *s = opaque;

    for (unsigned i = 0; i < size && off + i < ACPI_GPE0_LEN; i++) {
        unsigned o = off + i;
        uint16_t b = ((val >> (8 * i)) & 0xff) << ((o & 1) * 8);

        if (o < 2) {
            s->gpe_sts &= ~b;       /* write 1 to clear */
        } else {
            s->gpe_en = (s->gpe_en & ~(0xff << ((o & 1) * 8))) | b;
        }
    }
    pm_update(s);
}

static const MemoryRegionOps pm_gpe_ops = {
    .read = pm_gpe_read,
    .write = pm_gpe_write,
    .min_access = 1,
    .max_access = 4,
    .unaligned = true,
};

void acpi_pm_set_gpe(DeviceState *dev, unsigned bit)
{
    ACPIPMState *s = pm_of(dev);

    if (bit >= 16) {
        return;
    }
    s->gpe_sts |= 1u << bit;
    pm_update(s);
}

static void pm_powerdown(void *opaque)
{
    ACPIPMState *s = opaque;

    s->pm1_sts |= ACPI_BITMASK_POWER_BUTTON_STATUS;
    pm_update(s);
}

static bool pm_realize(DeviceState *dev, GError **errp)
{
    ACPIPMState *s = pm_of(dev);
    ISADevice *isa = (ISADevice *)dev;

    if (s->iobase > 0x10000 - ACPI_PM_IO_LEN ||
        s->gpe0_base > 0x10000 - ACPI_GPE0_LEN) {
        error_setg(errp, "acpi-pm: bad iobase 0x%x or gpe0-base 0x%x",
                   s->iobase, s->gpe0_base);
        return false;
    }
    if (s->sci_irq >= ISA_NUM_IRQS) {
        error_setg(errp, "acpi-pm: sci-irq %u is not an ISA IRQ", s->sci_irq);
        return false;
    }
    s->sci = isa_get_irq(isa, s->sci_irq);
    memory_region_init_io(&s->io, dev, &pm_io_ops, s, "acpi-pm",
                          ACPI_PM_IO_LEN);
    isa_register_ioport(isa, &s->io, s->iobase);
    memory_region_init_io(&s->gpe_io, dev, &pm_gpe_ops, s, "acpi-gpe0",
                          ACPI_GPE0_LEN);
    isa_register_ioport(isa, &s->gpe_io, s->gpe0_base);
    timer_init_ns(&s->tmr_timer, EMBER_CLOCK_VIRTUAL, pm_tmr_cb, s);
    system_register_powerdown_handler(pm_powerdown, s);
    return true;
}

static void pm_unrealize(DeviceState *dev)
{
    ACPIPMState *s = pm_of(dev);

    timer_del(&s->tmr_timer);
    system_register_powerdown_handler(NULL, NULL);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->gpe_io);
}

static void pm_reset(DeviceState *dev)
{
    ACPIPMState *s = pm_of(dev);

    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->tmr_sts = false;
    s->tmr_toggles_seen = pm_ticks(clock_get_ns(EMBER_CLOCK_VIRTUAL)) >>
                          PM_TMR_MSB_SHIFT;
    /*
     * Already in ACPI mode: the FADT has no SMI_CMD, so the OS never
     * switches modes (ACPI 6.4, 4.8.3.2.1 and 5.2.9).
     */
    s->pm1_cnt = ACPI_BITMASK_SCI_ENABLE;
    s->gpe_sts = 0;
    s->gpe_en = 0;
    pm_update(s);
}

static const Property pm_props[] = {
    DEFINE_PROP_UINT32("iobase", ACPIPMState, iobase, ACPI_PM_BASE),
    DEFINE_PROP_UINT32("gpe0-base", ACPIPMState, gpe0_base, ACPI_GPE0_BASE),
    DEFINE_PROP_UINT32("sci-irq", ACPIPMState, sci_irq, ACPI_SCI_IRQ),
    DEFINE_PROP_END,
};

static const DeviceInfo pm_info = {
    .name = TYPE_ACPI_PM,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ACPIPMState),
    .desc = "ACPI power management (PM1, PM timer, GPE0, reset)",
    .props = pm_props,
    .realize = pm_realize,
    .unrealize = pm_unrealize,
    .reset = pm_reset,
};

static void pm_register(void)
{
    type_register(&pm_info);
}
type_init(pm_register)

DeviceState *acpi_pm_create(ISABus *bus)
{
    return (DeviceState *)isa_create_simple(bus, TYPE_ACPI_PM);
}
