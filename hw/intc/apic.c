/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Local APIC (Intel SDM vol. 3A, chapter 10): xAPIC MMIO and x2APIC MSR
 * register interfaces, interrupt acceptance (IRR/ISR/TMR, TPR/PPR),
 * EOI with broadcast to the I/O APICs, IPIs, INIT/SIPI, the LVT timer
 * and LINT0/LINT1, and MSI messages.
 *
 * One MMIO region at APIC_DEFAULT_BASE covers the whole MSI window
 * (0xfee00000-0xfeefffff). A write that lands in the first 16 bytes of a
 * 4 KiB page, or above the first page, is an MSI (SDM 10.11.1: the
 * address bits 11:4 of an MSI are zero, and no register lives at 0x000),
 * whoever does it; the other offsets of the first page are the
 * registers of the accessing vCPU's APIC. Under the qtest accelerator
 * there is no vCPU: a register access without a current vCPU at
 * 0xfee00000 + (apic_id << 12) + reg goes to the APIC with that APIC ID
 * (page 0 is CPU 0's), so tests can reach every APIC.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "exec/memory.h"
#include "hw/i386/apic.h"
#include "hw/i386/pc.h"
#include "hw/intc/ioapic.h"
#include "system/accel.h"
#include "system/timer.h"
#include "target/x86/cpu.h"

/* LVT entries in register order 0x320..0x370 (SDM 10.5.1). */
enum {
    LVT_TIMER,
    LVT_THERMAL,
    LVT_PERF,
    LVT_LINT0,
    LVT_LINT1,
    LVT_ERROR,
    LVT_NB,
};

/* Version register: 0x14 (integrated APIC), max LVT entry = LVT_NB - 1. */
#define APIC_VERSION        (0x14 | ((LVT_NB - 1) << 16))

/* Register indices (offset >> 4). */
#define REG_ID              0x02
#define REG_VERSION         0x03
#define REG_TPR             0x08
#define REG_APR             0x09
#define REG_PPR             0x0a
#define REG_EOI             0x0b
#define REG_RRD             0x0c
#define REG_LDR             0x0d
#define REG_DFR             0x0e
#define REG_SVR             0x0f
#define REG_ISR0            0x10
#define REG_TMR0            0x18
#define REG_IRR0            0x20
#define REG_ESR             0x28
#define REG_LVT_CMCI        0x2f
#define REG_ICR_LO          0x30
#define REG_ICR_HI          0x31
#define REG_LVT0            0x32
#define REG_TIMER_INIT      0x38
#define REG_TIMER_CUR       0x39
#define REG_TIMER_DCR       0x3e
#define REG_SELF_IPI        0x3f

/* LVT bits. */
#define LVT_VECTOR          0x000000ffu
#define LVT_DM_SHIFT        8
#define LVT_DELIVS          (1u << 12)
#define LVT_POLARITY        (1u << 13)
#define LVT_REMOTE_IRR      (1u << 14)
#define LVT_LEVEL           (1u << 15)
#define LVT_MASKED          (1u << 16)
#define LVT_TIMER_SHIFT     17
#define LVT_TIMER_ONESHOT   0
#define LVT_TIMER_PERIODIC  1
#define LVT_TIMER_TSCDL     2

/* SVR bits. */
#define SVR_ENABLE          (1u << 8)
#define SVR_FOCUS_OFF       (1u << 9)

/* ICR bits. */
#define ICR_VECTOR          0x000000ffu
#define ICR_DM_SHIFT        8
#define ICR_DEST_LOGICAL    (1u << 11)
#define ICR_DELIVS          (1u << 12)
#define ICR_LEVEL_ASSERT    (1u << 14)
#define ICR_TRIGGER_LEVEL   (1u << 15)
#define ICR_SHORTHAND_SHIFT 18
#define ICR_RW_MASK         0x000ccfffu

enum {
    SHORTHAND_NONE,
    SHORTHAND_SELF,
    SHORTHAND_ALL,
    SHORTHAND_OTHERS,
};

/* ESR bits (SDM 10.5.3). */
#define ESR_SEND_ILLEGAL    (1u << 5)
#define ESR_RECV_ILLEGAL    (1u << 6)
#define ESR_ILLEGAL_REG     (1u << 7)

/* A periodic timer fires at most every 10 us (guests asking for more
 * get the interrupts coalesced). */
#define APIC_TIMER_MIN_NS   10000

#define APIC_MMIO_SIZE      0x100000

G_STATIC_ASSERT(APIC_BUS_FREQ_HZ == NANOSECONDS_PER_SECOND);

typedef struct APICState {
    DeviceState parent;

    /* Properties. */
    uint32_t initial_id;
    void *cpu_ptr;

    CPUState *cpu;
    CPUX86State *env;

    uint64_t apicbase;
    uint32_t id;
    uint8_t tpr;
    uint32_t ldr;
    uint32_t dfr;
    uint32_t svr;
    uint32_t isr[8];
    uint32_t tmr[8];
    uint32_t irr[8];
    uint32_t lvt[LVT_NB];
    uint32_t esr;
    uint32_t esr_pending;
    uint32_t icr_lo;
    uint32_t icr_hi;
    uint32_t dcr;
    uint32_t initial_count;
    int64_t load_time;
    int count_shift;
    Timer timer;
    bool timer_inited;
    uint64_t tsc_deadline;
    int64_t tsc_deadline_ns;

    bool wait_for_sipi;
    bool extint_pending;        /* an ExtINT message waits for INTA */
    int lint0_level;
    int lint1_level;
    bool warned_base;
} APICState;

static GPtrArray *apic_list;    /* every realized APIC (the APIC bus) */
static MemoryRegion apic_mmio;
static bool apic_mmio_mapped;

static inline APICState *apic_of(DeviceState *dev)
{
    return (APICState *)dev;
}

DeviceState *cpu_get_apic(CPUState *cpu)
{
    return cpu ? cpu_env(cpu)->apic : NULL;
}

/* ---- 256-bit registers --------------------------------------------------- */

static inline void bit_set(uint32_t *r, int v)
{
    r[v >> 5] |= 1u << (v & 31);
}

static inline void bit_clear(uint32_t *r, int v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}

static inline bool bit_test(const uint32_t *r, int v)
{
    return r[v >> 5] & (1u << (v & 31));
}

/* Highest set vector, or -1. */
static int bit_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i]) {
            return i * 32 + 31 - __builtin_clz(r[i]);
        }
    }
    return -1;
}

/* ---- state queries ------------------------------------------------------- */

static bool apic_hw_enabled(APICState *s)
{
    return s->apicbase & MSR_IA32_APICBASE_ENABLE;
}

static bool apic_x2(APICState *s)
{
    return apic_hw_enabled(s) && (s->apicbase & MSR_IA32_APICBASE_EXTD);
}

static bool apic_sw_enabled(APICState *s)
{
    return s->svr & SVR_ENABLE;
}

/* Processor priority (SDM 10.8.3.1). */
static uint8_t apic_ppr(APICState *s)
{
    int isrv = bit_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : (isrv & 0xf0);

    if ((s->tpr & 0xf0) >= isr_class) {
        return s->tpr;
    }
    return isr_class;
}

/* Arbitration priority (SDM 10.6.2.4), for reads and lowest priority. */
static uint8_t apic_apr(APICState *s)
{
    int isrv = bit_highest(s->isr), irrv = bit_highest(s->irr);
    uint8_t isr_class = isrv < 0 ? 0 : (isrv & 0xf0);
    uint8_t irr_class = irrv < 0 ? 0 : (irrv & 0xf0);

    if ((s->tpr & 0xf0) >= irr_class && (s->tpr & 0xf0) > isr_class) {
        return s->tpr;
    }
    return MAX(s->tpr & 0xf0, MAX(isr_class, irr_class));
}

/* The vector that would be delivered now, or -1. */
static int apic_deliverable(APICState *s)
{
    int irrv;

    if (!apic_hw_enabled(s) || !apic_sw_enabled(s)) {
        return -1;
    }
    irrv = bit_highest(s->irr);
    if (irrv < 0 || (irrv & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return irrv;
}

static bool apic_extint_active(APICState *s)
{
    uint32_t lvt0 = s->lvt[LVT_LINT0];

    if (!apic_hw_enabled(s)) {
        return true;    /* no APIC: INTR goes straight to the core */
    }
    return !(lvt0 & LVT_MASKED) &&
           ((lvt0 >> LVT_DM_SHIFT) & 7) == APIC_DM_EXTINT;
}

/* Raise or drop the CPU's maskable interrupt request. */
static void apic_update_irq(APICState *s)
{
    bool hard;
    uint32_t ir;

    if (!s->cpu) {
        return;
    }
    hard = apic_deliverable(s) >= 0 || s->extint_pending ||
           (s->lint0_level && apic_extint_active(s));
    ir = g_atomic_int_get(&s->cpu->interrupt_request);
    if (hard && !(ir & CPU_INTERRUPT_HARD)) {
        cpu_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    } else if (!hard && (ir & CPU_INTERRUPT_HARD)) {
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
}

/* ---- acceptance ---------------------------------------------------------- */

static void apic_error(APICState *s, uint32_t bits);

/* A fixed interrupt arrives (SDM 10.8.4 steps). */
static void apic_set_irq(APICState *s, int vector, int trigger)
{
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL);
        return;
    }
    bit_set(s->irr, vector);
    if (trigger == APIC_TRIGGER_LEVEL) {
        bit_set(s->tmr, vector);
    } else {
        bit_clear(s->tmr, vector);
    }
    apic_update_irq(s);
}

static void apic_error(APICState *s, uint32_t bits)
{
    uint32_t lvt = s->lvt[LVT_ERROR];
    bool fresh = (s->esr_pending & bits) != bits;

    s->esr_pending |= bits;
    /* The error vector itself being illegal must not loop. */
    if (fresh && !(lvt & LVT_MASKED) && (lvt & LVT_VECTOR) >= 16) {
        apic_set_irq(s, lvt & LVT_VECTOR, APIC_TRIGGER_EDGE);
    }
}

/* A message of some delivery mode reaches this APIC. */
static void apic_accept(APICState *s, int dm, uint8_t vector, int trigger)
{
    if (!apic_hw_enabled(s)) {
        return;
    }
    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        apic_set_irq(s, vector, trigger);
        break;
    case APIC_DM_SMI:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_SMI);
        break;
    case APIC_DM_NMI:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
        break;
    case APIC_DM_INIT:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_INIT);
        break;
    case APIC_DM_SIPI:
        /* Only a CPU waiting for SIPI takes it (SDM 8.4.4.1). */
        if (s->wait_for_sipi) {
            s->env->sipi_vector = vector;
            cpu_interrupt(s->cpu, CPU_INTERRUPT_SIPI);
        }
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        apic_update_irq(s);
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "apic: reserved delivery mode %d\n",
                       dm);
        break;
    }
}

/* Does s belong to the destination? (SDM 10.6.2) wide: 32-bit x2APIC
 * destination format (IPIs from an x2APIC); else 8 bits. */
static bool apic_match_dest(APICState *s, int dest_mode, uint32_t dest,
                            bool wide)
{
    uint32_t bcast = wide ? 0xffffffffu : 0xffu;

    if (!wide) {
        dest &= 0xff;
    }
    if (dest == bcast) {
        return true;
    }
    if (dest_mode == APIC_DEST_PHYSICAL) {
        return dest == s->id;
    }
    if (apic_x2(s)) {
        uint32_t ldr = ((s->id >> 4) << 16) | (1u << (s->id & 0xf));
        if (!wide) {
            /* An 8-bit logical destination reaches cluster 0 only. */
            return (ldr >> 16) == 0 && (dest & ldr & 0xffff);
        }
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
    }
    if ((s->dfr >> 28) == 0xf) {
        /* Flat model: a bit per APIC. */
        return dest & (s->ldr >> 24);
    }
    /* Cluster model: cluster in bits 7:4, members in 3:0. */
    return (dest >> 4) == (s->ldr >> 28) && (dest & (s->ldr >> 24) & 0xf);
}

static void apic_deliver(APICState *sender, int shorthand, uint32_t dest,
                         int dest_mode, bool wide, int dm, uint8_t vector,
                         int trigger)
{
    APICState *lowest = NULL;

    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI) && vector < 16) {
        /* The sender notices (SDM 10.5.3); nothing is delivered. */
        if (sender) {
            apic_error(sender, ESR_SEND_ILLEGAL);
        }
        return;
    }
    for (unsigned i = 0; apic_list && i < apic_list->len; i++) {
        APICState *t = g_ptr_array_index(apic_list, i);
        bool hit;

        switch (shorthand) {
        case SHORTHAND_SELF:
            hit = t == sender;
            break;
        case SHORTHAND_ALL:
            hit = true;
            break;
        case SHORTHAND_OTHERS:
            hit = t != sender;
            break;
        default:
            hit = apic_match_dest(t, dest_mode, dest, wide);
            break;
        }
        if (!hit || !apic_hw_enabled(t)) {
            continue;
        }
        if (dm == APIC_DM_LOWPRI) {
            /* Lowest arbitration priority wins; ties: lowest index. */
            if (!lowest || apic_apr(t) < apic_apr(lowest)) {
                lowest = t;
            }
            continue;
        }
        apic_accept(t, dm, vector, trigger);
    }
    if (lowest) {
        apic_accept(lowest, dm, vector, trigger);
    }
}

void apic_deliver_irq(uint32_t dest, int dest_mode, int delivery_mode,
                      uint8_t vector, int trigger_mode)
{
    apic_deliver(NULL, SHORTHAND_NONE, dest, dest_mode, false,
                 delivery_mode, vector, trigger_mode);
}

void apic_deliver_msi(uint64_t addr, uint32_t data)
{
    uint32_t dest = (addr >> 12) & 0xff;
    int dest_mode = (addr >> 2) & 1;
    int dm = (data >> 8) & 7;
    int trigger = (data >> 15) & 1;

    if ((addr >> 20) != (APIC_DEFAULT_BASE >> 20)) {
        ember_log_mask(LOG_GUEST_ERROR, "apic: MSI to 0x%" PRIx64
                       " outside 0xfee00000-0xfeefffff\n", addr);
        return;
    }
    if (addr & 0xff0) {
        ember_log_mask(LOG_GUEST_ERROR, "apic: MSI address 0x%" PRIx64
                       " has reserved bits 11:4 set\n", addr);
    }
    /* A level-triggered deassert message does nothing (SDM 10.11.2). */
    if (trigger == APIC_TRIGGER_LEVEL && !(data & (1u << 14))) {
        return;
    }
    if (dm == APIC_DM_SIPI || dm == APIC_DM_INIT) {
        ember_log_mask(LOG_GUEST_ERROR, "apic: MSI with delivery mode %d\n",
                       dm);
    }
    apic_deliver(NULL, SHORTHAND_NONE, dest, dest_mode, false, dm,
                 data & 0xff, trigger);
}

static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr_lo;
    int dm = (lo >> ICR_DM_SHIFT) & 7;
    int shorthand = (lo >> ICR_SHORTHAND_SHIFT) & 3;
    int trigger = (lo & ICR_TRIGGER_LEVEL) ? APIC_TRIGGER_LEVEL
                                           : APIC_TRIGGER_EDGE;
    uint32_t dest = apic_x2(s) ? s->icr_hi : s->icr_hi >> 24;

    /* INIT level de-assert only resynchronizes arbitration IDs. */
    if (dm == APIC_DM_INIT && trigger == APIC_TRIGGER_LEVEL &&
        !(lo & ICR_LEVEL_ASSERT)) {
        return;
    }
    if (dm == APIC_DM_EXTINT || dm == 3) {
        ember_log_mask(LOG_GUEST_ERROR, "apic: IPI with reserved delivery "
                       "mode %d\n", dm);
        return;
    }
    apic_deliver(s, shorthand, dest,
                 (lo & ICR_DEST_LOGICAL) ? APIC_DEST_LOGICAL
                                         : APIC_DEST_PHYSICAL,
                 apic_x2(s), dm, lo & ICR_VECTOR, trigger);
}

/* ---- EOI ----------------------------------------------------------------- */

static void apic_eoi(APICState *s)
{
    int isrv = bit_highest(s->isr);

    if (isrv < 0) {
        return;
    }
    bit_clear(s->isr, isrv);
    if (bit_test(s->tmr, isrv)) {
        /* Level-triggered: tell the I/O APICs (SDM 10.8.5). */
        ioapic_eoi_broadcast(isrv);
    }
    apic_update_irq(s);
}

/* ---- the LVT timer ------------------------------------------------------- */

static int apic_timer_mode(APICState *s)
{
    return (s->lvt[LVT_TIMER] >> LVT_TIMER_SHIFT) & 3;
}

/* Divide configuration: bits 0, 1, 3 (SDM figure 10-10). */
static int apic_dcr_shift(uint32_t dcr)
{
    int v = (dcr & 3) | ((dcr >> 1) & 4);

    return (v + 1) & 7;
}

static uint64_t apic_elapsed_ticks(APICState *s, int64_t now)
{
    return now > s->load_time ? (uint64_t)(now - s->load_time) >>
                                s->count_shift : 0;
}

static uint32_t apic_current_count(APICState *s)
{
    uint64_t el;

    if (apic_timer_mode(s) == LVT_TIMER_TSCDL || !s->initial_count) {
        return 0;
    }
    el = apic_elapsed_ticks(s, clock_get_ns(EMBER_CLOCK_VIRTUAL));
    if (apic_timer_mode(s) == LVT_TIMER_PERIODIC) {
        return s->initial_count - el % s->initial_count;
    }
    return el >= s->initial_count ? 0 : s->initial_count - el;
}

/* Arm the QEMU-style timer for the next expiry of the count. */
static void apic_timer_arm(APICState *s)
{
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    uint64_t el, periods, next;
    int64_t expire;

    if (apic_timer_mode(s) == LVT_TIMER_TSCDL) {
        if (s->tsc_deadline) {
            timer_mod_ns(&s->timer, s->tsc_deadline_ns);
        } else {
            timer_del(&s->timer);
        }
        return;
    }
    if (!s->initial_count) {
        timer_del(&s->timer);
        return;
    }
    el = apic_elapsed_ticks(s, now);
    if (apic_timer_mode(s) == LVT_TIMER_PERIODIC) {
        periods = el / s->initial_count + 1;
        next = periods * s->initial_count;
    } else {
        if (el >= s->initial_count) {
            timer_del(&s->timer);
            return;
        }
        next = s->initial_count;
    }
    expire = s->load_time + (int64_t)(next << s->count_shift);
    if (apic_timer_mode(s) == LVT_TIMER_PERIODIC &&
        expire < now + APIC_TIMER_MIN_NS) {
        expire = now + APIC_TIMER_MIN_NS;
    }
    timer_mod_ns(&s->timer, expire);
}

static void apic_timer_fire(APICState *s)
{
    uint32_t lvt = s->lvt[LVT_TIMER];

    if (!(lvt & LVT_MASKED)) {
        apic_set_irq(s, lvt & LVT_VECTOR, APIC_TRIGGER_EDGE);
    }
}

static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);

    switch (apic_timer_mode(s)) {
    case LVT_TIMER_TSCDL:
        if (s->tsc_deadline && now >= s->tsc_deadline_ns) {
            s->tsc_deadline = 0;
            s->env->tsc_deadline = 0;
            apic_timer_fire(s);
        }
        break;
    case LVT_TIMER_PERIODIC:
        if (s->initial_count) {
            apic_timer_fire(s);
        }
        break;
    default:
        if (s->initial_count &&
            apic_elapsed_ticks(s, now) >= s->initial_count) {
            apic_timer_fire(s);
            return;     /* one-shot: stays at 0 */
        }
        break;
    }
    apic_timer_arm(s);
}

void apic_set_tsc_deadline(DeviceState *dev, uint64_t tsc_value,
                           int64_t expire_ns)
{
    APICState *s = apic_of(dev);

    if (apic_timer_mode(s) != LVT_TIMER_TSCDL) {
        return;
    }
    s->tsc_deadline = tsc_value;
    s->tsc_deadline_ns = expire_ns;
    s->env->tsc_deadline = tsc_value;
    apic_timer_arm(s);
}

uint64_t apic_get_tsc_deadline(DeviceState *dev)
{
    APICState *s = apic_of(dev);

    return apic_timer_mode(s) == LVT_TIMER_TSCDL ? s->tsc_deadline : 0;
}

/* ---- registers ----------------------------------------------------------- */

static uint32_t apic_lvt_writable(APICState *s, int i)
{
    switch (i) {
    case LVT_TIMER: {
        uint32_t m = LVT_VECTOR | LVT_MASKED |
                     (LVT_TIMER_PERIODIC << LVT_TIMER_SHIFT);
        if (s->env->features[FEAT_1_ECX] & CPUID_EXT_TSC_DEADLINE_TIMER) {
            m |= LVT_TIMER_TSCDL << LVT_TIMER_SHIFT;
        }
        return m;
    }
    case LVT_LINT0:
    case LVT_LINT1:
        return LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_POLARITY |
               LVT_LEVEL | LVT_MASKED;
    case LVT_ERROR:
        return LVT_VECTOR | LVT_MASKED;
    default:
        return LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_MASKED;
    }
}

static void apic_write_lvt(APICState *s, int i, uint32_t val)
{
    uint32_t old = s->lvt[i];
    uint32_t w = apic_lvt_writable(s, i);

    val = (val & w) | (old & ~w & (LVT_DELIVS | LVT_REMOTE_IRR));
    if (!apic_sw_enabled(s)) {
        val |= LVT_MASKED;     /* SDM 10.4.7.2 */
    }
    s->lvt[i] = val;
    if (i == LVT_TIMER) {
        int om = (old >> LVT_TIMER_SHIFT) & 3;
        int nm = (val >> LVT_TIMER_SHIFT) & 3;
        if (om != nm && (om == LVT_TIMER_TSCDL || nm == LVT_TIMER_TSCDL)) {
            /* A switch to or from TSC-deadline disarms (SDM 10.5.4.1). */
            s->initial_count = 0;
            s->tsc_deadline = 0;
            s->env->tsc_deadline = 0;
        }
        apic_timer_arm(s);
    } else if (i == LVT_LINT0) {
        /* The 8259's INT may now be taken (or no longer). */
        apic_update_irq(s);
    }
}

static void apic_set_svr(APICState *s, uint32_t val)
{
    s->svr = val & (0xff | SVR_ENABLE | SVR_FOCUS_OFF);
    if (!apic_sw_enabled(s)) {
        for (int i = 0; i < LVT_NB; i++) {
            s->lvt[i] |= LVT_MASKED;
        }
    }
    apic_update_irq(s);
}

static void apic_set_dcr(APICState *s, uint32_t val)
{
    uint32_t cur = apic_current_count(s);
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);

    s->dcr = val & 0xb;
    s->count_shift = apic_dcr_shift(s->dcr);
    /* Keep the current count; it goes on at the new rate. */
    if (s->initial_count && apic_timer_mode(s) != LVT_TIMER_TSCDL) {
        uint64_t done = s->initial_count - (cur ? cur : s->initial_count);
        s->load_time = now - (int64_t)(done << s->count_shift);
        apic_timer_arm(s);
    }
}

/*
 * Read register index reg (offset >> 4). x2: through the MSRs. false:
 * no such register (xAPIC: illegal register address; x2APIC: #GP).
 */
static bool apic_reg_read(APICState *s, unsigned reg, bool x2,
                          uint64_t *out)
{
    uint64_t v;

    switch (reg) {
    case REG_ID:
        v = x2 ? s->id : s->id << 24;
        break;
    case REG_VERSION:
        v = APIC_VERSION;
        break;
    case REG_TPR:
        v = s->tpr;
        break;
    case REG_APR:
        if (x2) {
            return false;
        }
        v = apic_apr(s);
        break;
    case REG_PPR:
        v = apic_ppr(s);
        break;
    case REG_EOI:
    case REG_SELF_IPI:
        if (x2) {
            return false;   /* write-only */
        }
        v = 0;
        break;
    case REG_LDR:
        v = x2 ? (((s->id >> 4) << 16) | (1u << (s->id & 0xf))) : s->ldr;
        break;
    case REG_DFR:
        if (x2) {
            return false;
        }
        v = s->dfr;
        break;
    case REG_SVR:
        v = s->svr;
        break;
    case REG_ISR0 ... REG_ISR0 + 7:
        v = s->isr[reg - REG_ISR0];
        break;
    case REG_TMR0 ... REG_TMR0 + 7:
        v = s->tmr[reg - REG_TMR0];
        break;
    case REG_IRR0 ... REG_IRR0 + 7:
        v = s->irr[reg - REG_IRR0];
        break;
    case REG_ESR:
        v = s->esr;
        break;
    case REG_ICR_LO:
        v = s->icr_lo & ~ICR_DELIVS;
        if (x2) {
            v |= (uint64_t)s->icr_hi << 32;
        }
        break;
    case REG_ICR_HI:
        if (x2) {
            return false;
        }
        v = s->icr_hi;
        break;
    case REG_LVT0 ... REG_LVT0 + LVT_NB - 1:
        v = s->lvt[reg - REG_LVT0];
        break;
    case REG_TIMER_INIT:
        v = s->initial_count;
        break;
    case REG_TIMER_CUR:
        v = apic_current_count(s);
        break;
    case REG_TIMER_DCR:
        v = s->dcr;
        break;
    default:
        return false;
    }
    *out = v;
    return true;
}

static bool apic_reg_write(APICState *s, unsigned reg, bool x2, uint64_t val)
{
    uint32_t v32 = val;

    /* x2APIC: reserved bits must be zero (SDM 10.12.1.2). */
    if (x2 && reg != REG_ICR_LO && (val >> 32)) {
        return false;
    }
    switch (reg) {
    case REG_ID:
        if (x2) {
            return false;   /* read-only in x2APIC mode */
        }
        s->id = v32 >> 24;
        break;
    case REG_TPR:
        if (x2 && (v32 & ~0xffu)) {
            return false;
        }
        s->tpr = v32 & 0xff;
        apic_update_irq(s);
        break;
    case REG_EOI:
        if (x2 && v32) {
            return false;
        }
        apic_eoi(s);
        break;
    case REG_LDR:
        if (x2) {
            return false;
        }
        s->ldr = v32 & 0xff000000u;
        break;
    case REG_DFR:
        if (x2) {
            return false;
        }
        s->dfr = v32 | 0x0fffffffu;
        break;
    case REG_SVR:
        if (x2 && (v32 & ~(0xffu | SVR_ENABLE | SVR_FOCUS_OFF | 0x1000u))) {
            return false;
        }
        apic_set_svr(s, v32);
        break;
    case REG_ESR:
        if (x2 && v32) {
            return false;
        }
        /* A write latches the errors seen since the last one. */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case REG_ICR_LO:
        if (x2) {
            s->icr_hi = val >> 32;
        }
        s->icr_lo = v32 & ICR_RW_MASK;
        apic_send_ipi(s);
        break;
    case REG_ICR_HI:
        if (x2) {
            return false;
        }
        s->icr_hi = v32 & 0xff000000u;
        break;
    case REG_LVT0 ... REG_LVT0 + LVT_NB - 1:
        apic_write_lvt(s, reg - REG_LVT0, v32);
        break;
    case REG_TIMER_INIT:
        if (apic_timer_mode(s) == LVT_TIMER_TSCDL) {
            break;      /* ignored in TSC-deadline mode */
        }
        s->initial_count = v32;
        s->load_time = clock_get_ns(EMBER_CLOCK_VIRTUAL);
        apic_timer_arm(s);
        break;
    case REG_TIMER_DCR:
        if (x2 && (v32 & ~0xbu)) {
            return false;
        }
        apic_set_dcr(s, v32);
        break;
    case REG_SELF_IPI:
        if (!x2 || (v32 & ~0xffu)) {
            return false;
        }
        apic_deliver(s, SHORTHAND_SELF, 0, APIC_DEST_PHYSICAL, true,
                     APIC_DM_FIXED, v32 & 0xff, APIC_TRIGGER_EDGE);
        break;
    case REG_VERSION:
    case REG_APR:
    case REG_PPR:
    case REG_RRD:
    case REG_ISR0 ... REG_ISR0 + 7:
    case REG_TMR0 ... REG_TMR0 + 7:
    case REG_IRR0 ... REG_IRR0 + 7:
    case REG_TIMER_CUR:
        /* Read-only: ignored in xAPIC mode, #GP in x2APIC mode. */
        return !x2;
    default:
        return false;
    }
    return true;
}

/* ---- the MMIO region ----------------------------------------------------- */

static bool accel_is_qtest(void)
{
    const AccelOps *ops = current_accel();

    return ops && !strcmp(ops->name, "qtest");
}

/* The APIC whose registers an access at off reaches, or NULL. */
static APICState *apic_for_mmio(hwaddr off)
{
    CPUState *cpu = current_cpu_get();
    APICState *s;

    if (cpu) {
        if (off >= 0x1000) {
            return NULL;
        }
        s = cpu_get_apic(cpu) ? apic_of(cpu_get_apic(cpu)) : NULL;
    } else {
        if (!accel_is_qtest()) {
            return NULL;
        }
        cpu = cpu_by_apic_id(off >> 12);
        s = cpu && cpu_get_apic(cpu) ? apic_of(cpu_get_apic(cpu)) : NULL;
    }
    /* Globally disabled or in x2APIC mode: no xAPIC window. */
    if (!s || !apic_hw_enabled(s) || apic_x2(s)) {
        return NULL;
    }
    return s;
}

static uint64_t apic_mmio_read(void *opaque, hwaddr off, unsigned size)
{
    APICState *s = apic_for_mmio(off);
    uint64_t v = 0;

    if (!s || (off & 0xfff) < 0x10) {
        return 0;
    }
    if (!apic_reg_read(s, (off & 0xfff) >> 4, false, &v)) {
        apic_error(s, ESR_ILLEGAL_REG);
        return 0;
    }
    return (uint32_t)v;
}

static void apic_mmio_write(void *opaque, hwaddr off, uint64_t val,
                            unsigned size)
{
    CPUState *cpu = current_cpu_get();
    APICState *s;

    /*
     * MSIs: the first 16 bytes of any page; from a vCPU, every page but
     * the first; from a device (no vCPU), everything - a write elsewhere
     * than in the first 16 bytes is then a malformed MSI - except under
     * qtest, which addresses the APICs' registers that way.
     */
    if ((off & 0xfff) < 0x10 || (cpu && off >= 0x1000) ||
        (!cpu && !accel_is_qtest())) {
        apic_deliver_msi(APIC_DEFAULT_BASE + off, val);
        return;
    }
    s = apic_for_mmio(off);
    if (!s) {
        return;
    }
    if (!apic_reg_write(s, (off & 0xfff) >> 4, false, (uint32_t)val)) {
        apic_error(s, ESR_ILLEGAL_REG);
    }
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .min_access = 4,
    .max_access = 4,
};

void apic_map_mmio(MemoryRegion *sysmem)
{
    if (apic_mmio_mapped) {
        return;
    }
    memory_region_init_io(&apic_mmio, NULL, &apic_mmio_ops, NULL,
                          "apic-msi", APIC_MMIO_SIZE);
    /* Above any PCI BAR a guest might place there. */
    memory_region_add_subregion_overlap(sysmem, APIC_DEFAULT_BASE,
                                        &apic_mmio, 0x1000);
    apic_mmio_mapped = true;
}

/* ---- the CPU-facing API -------------------------------------------------- */

int apic_get_interrupt(DeviceState *dev)
{
    APICState *s = apic_of(dev);
    int v = apic_deliverable(s);

    if (v < 0) {
        return -1;
    }
    bit_clear(s->irr, v);
    bit_set(s->isr, v);
    apic_update_irq(s);
    return v;
}

bool apic_accept_pic_intr(DeviceState *dev)
{
    APICState *s = apic_of(dev);

    if (s->extint_pending) {
        /* Consumed: the caller acknowledges the 8259 now. */
        s->extint_pending = false;
        return true;
    }
    /* Only the CPU whose LINT0 sees INT (the BSP) takes it. */
    return s->lint0_level && apic_extint_active(s);
}

void apic_deliver_pic_intr(DeviceState *dev, int level)
{
    APICState *s = apic_of(dev);
    uint32_t lvt0 = s->lvt[LVT_LINT0];
    bool rising = level && !s->lint0_level;

    s->lint0_level = level;
    if (apic_hw_enabled(s) && !(lvt0 & LVT_MASKED)) {
        switch ((lvt0 >> LVT_DM_SHIFT) & 7) {
        case APIC_DM_FIXED:
            if (rising) {
                apic_set_irq(s, lvt0 & LVT_VECTOR, (lvt0 & LVT_LEVEL) ?
                             APIC_TRIGGER_LEVEL : APIC_TRIGGER_EDGE);
            }
            break;
        case APIC_DM_NMI:
            if (rising) {
                cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
            }
            break;
        default:
            break;
        }
    }
    apic_update_irq(s);
}

void apic_set_lint1(DeviceState *dev, int level)
{
    APICState *s = apic_of(dev);
    uint32_t lvt1 = s->lvt[LVT_LINT1];
    bool rising = level && !s->lint1_level;

    s->lint1_level = level;
    if (!rising) {
        return;
    }
    if (!apic_hw_enabled(s)) {
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);   /* the NMI pin */
        return;
    }
    if (lvt1 & LVT_MASKED) {
        return;
    }
    switch ((lvt1 >> LVT_DM_SHIFT) & 7) {
    case APIC_DM_FIXED:
        apic_set_irq(s, lvt1 & LVT_VECTOR, APIC_TRIGGER_EDGE);
        break;
    case APIC_DM_NMI:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
        break;
    default:
        break;
    }
}

void apic_poll_irq(DeviceState *dev)
{
    apic_update_irq(apic_of(dev));
}

bool apic_is_enabled(DeviceState *dev)
{
    return apic_hw_enabled(apic_of(dev));
}

bool apic_is_x2apic(DeviceState *dev)
{
    return apic_x2(apic_of(dev));
}

uint64_t apic_get_base(DeviceState *dev)
{
    return apic_of(dev)->apicbase;
}

/* Power-up register state, keeping ID and base (SDM 10.4.7.1/10.4.7.3). */
static void apic_regs_reset(APICState *s)
{
    bool bsp = s->apicbase & MSR_IA32_APICBASE_BSP;

    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    for (int i = 0; i < LVT_NB; i++) {
        s->lvt[i] = LVT_MASKED;
    }
    /*
     * Virtual wire mode on the BSP, as firmware leaves it (MP spec 3.6.2.2)
     * : the 8259's INT reaches the CPU through LINT0 as ExtINT.
     */
    if (bsp) {
        s->lvt[LVT_LINT0] = APIC_DM_EXTINT << LVT_DM_SHIFT;
    }
    s->esr = 0;
    s->esr_pending = 0;
    s->icr_lo = 0;
    s->icr_hi = 0;
    s->dcr = 0;
    s->count_shift = apic_dcr_shift(0);
    s->initial_count = 0;
    s->load_time = 0;
    s->tsc_deadline = 0;
    s->extint_pending = false;
    if (s->timer_inited) {
        timer_del(&s->timer);
    }
}

bool apic_set_base(DeviceState *dev, uint64_t val)
{
    APICState *s = apic_of(dev);
    uint64_t reserved = ~(MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_EXTD |
                          MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BASE);
    bool en = val & MSR_IA32_APICBASE_ENABLE;
    bool x2 = val & MSR_IA32_APICBASE_EXTD;
    bool was_en = apic_hw_enabled(s), was_x2 = apic_x2(s);

    if (val & reserved) {
        return false;
    }
    if (x2 && !(s->env->features[FEAT_1_ECX] & CPUID_EXT_X2APIC)) {
        return false;
    }
    /* Legal transitions (SDM 10.12.5, figure 10-27). */
    if (x2 && !en) {
        return false;
    }
    if (was_x2 && en && !x2) {
        return false;   /* x2APIC -> xAPIC needs a disable first */
    }
    if (!was_en && en && x2) {
        return false;   /* disabled -> x2APIC needs xAPIC first */
    }
    /* The BSP flag is read-only. */
    s->apicbase = (val & ~MSR_IA32_APICBASE_BSP) |
                  (s->apicbase & MSR_IA32_APICBASE_BSP);
    if ((val & MSR_IA32_APICBASE_BASE) != APIC_DEFAULT_BASE &&
        !s->warned_base) {
        s->warned_base = true;
        ember_log_mask(LOG_UNIMP, "apic: relocating the APIC base to 0x%"
                       PRIx64 " is not supported\n",
                       (uint64_t)(val & MSR_IA32_APICBASE_BASE));
    }
    if (was_en && !en) {
        apic_regs_reset(s);
        s->id = s->initial_id;
    }
    if (!was_x2 && apic_x2(s)) {
        /* The x2APIC ID is the initial APIC ID (SDM 10.12.5.1). */
        s->id = s->initial_id;
    }
    s->env->apic_base = s->apicbase;
    apic_update_irq(s);
    return true;
}

void apic_set_tpr(DeviceState *dev, uint8_t cr8)
{
    APICState *s = apic_of(dev);

    s->tpr = (cr8 & 0xf) << 4;
    apic_update_irq(s);
}

uint8_t apic_get_tpr(DeviceState *dev)
{
    return apic_of(dev)->tpr >> 4;
}

bool apic_msr_read(DeviceState *dev, uint32_t index, uint64_t *val)
{
    APICState *s = apic_of(dev);

    if (!apic_x2(s) || index < MSR_X2APIC_BASE ||
        index > MSR_X2APIC_BASE + 0xff) {
        return false;
    }
    return apic_reg_read(s, index - MSR_X2APIC_BASE, true, val);
}

bool apic_msr_write(DeviceState *dev, uint32_t index, uint64_t val)
{
    APICState *s = apic_of(dev);

    if (!apic_x2(s) || index < MSR_X2APIC_BASE ||
        index > MSR_X2APIC_BASE + 0xff) {
        return false;
    }
    return apic_reg_write(s, index - MSR_X2APIC_BASE, true, val);
}

void apic_init_reset(DeviceState *dev)
{
    APICState *s = apic_of(dev);
    bool bsp = s->apicbase & MSR_IA32_APICBASE_BSP;

    apic_regs_reset(s);
    /* INIT keeps the APIC ID and IA32_APIC_BASE (SDM table 9-1). */
    s->env->apic_base = s->apicbase;
    s->wait_for_sipi = !bsp;
    if (!bsp) {
        s->cpu->halted = true;
        s->env->hflags |= HF_HALTED_MASK;
    }
    apic_update_irq(s);
}

void apic_sipi(DeviceState *dev)
{
    APICState *s = apic_of(dev);
    CPUX86State *env = s->env;
    uint32_t v = env->sipi_vector & 0xff;

    cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_SIPI);
    if (!s->wait_for_sipi) {
        return;
    }
    s->wait_for_sipi = false;
    /* Real mode at VV00:0000 (SDM 8.4.4.1, 10.6.1). */
    cpu_x86_load_seg_cache(env, R_CS, v << 8, (uint64_t)v << 12,
                           env->segs[R_CS].limit, env->segs[R_CS].flags);
    env->rip = 0;
    env->hflags &= ~HF_HALTED_MASK;
    s->cpu->halted = false;
    s->cpu->vcpu_dirty = true;
}

bool apic_test_irr(DeviceState *dev, uint8_t vector)
{
    return bit_test(apic_of(dev)->irr, vector);
}

bool apic_test_isr(DeviceState *dev, uint8_t vector)
{
    return bit_test(apic_of(dev)->isr, vector);
}

/* ---- the device ---------------------------------------------------------- */

static bool apic_realize(DeviceState *dev, GError **errp)
{
    APICState *s = apic_of(dev);

    s->cpu = s->cpu_ptr;
    if (!s->cpu) {
        error_setg(errp, "apic: no CPU given");
        return false;
    }
    s->env = cpu_env(s->cpu);
    s->env->apic = dev;
    timer_init_ns(&s->timer, EMBER_CLOCK_VIRTUAL, apic_timer_cb, s);
    s->timer_inited = true;
    if (!apic_list) {
        apic_list = g_ptr_array_new();
    }
    g_ptr_array_add(apic_list, s);
    return true;
}

static void apic_unrealize(DeviceState *dev)
{
    APICState *s = apic_of(dev);

    timer_del(&s->timer);
    s->timer_inited = false;
    g_ptr_array_remove(apic_list, s);
    if (s->env && s->env->apic == dev) {
        s->env->apic = NULL;
    }
}

static void apic_reset(DeviceState *dev)
{
    APICState *s = apic_of(dev);
    bool bsp = s->cpu->cpu_index == 0;

    s->apicbase = APIC_DEFAULT_BASE | MSR_IA32_APICBASE_ENABLE |
                  (bsp ? MSR_IA32_APICBASE_BSP : 0);
    s->id = s->initial_id;
    apic_regs_reset(s);
    s->wait_for_sipi = !bsp;
    s->env->apic_base = s->apicbase;
    apic_update_irq(s);
}

static const Property apic_props[] = {
    DEFINE_PROP_UINT32("id", APICState, initial_id, 0),
    DEFINE_PROP_PTR("cpu", APICState, cpu_ptr),
    DEFINE_PROP_END,
};

static const DeviceInfo apic_info = {
    .name = TYPE_APIC,
    .parent = "device",
    .instance_size = sizeof(APICState),
    .desc = "local APIC",
    .props = apic_props,
    .realize = apic_realize,
    .unrealize = apic_unrealize,
    .reset = apic_reset,
};

static void apic_register(void)
{
    type_register(&apic_info);
}
type_init(apic_register)

DeviceState *apic_create(CPUState *cpu, uint32_t apic_id)
{
    DeviceState *dev = qdev_new(TYPE_APIC);

    qdev_prop_set_uint32(dev, "id", apic_id);
    qdev_prop_set_ptr(dev, "cpu", cpu);
    qdev_realize_or_die(dev, NULL);
    return dev;
}
