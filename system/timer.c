/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clocks and timers; see include/system/timer.h. */
#include "ember/osdep.h"
#include "system/timer.h"
#include <time.h>

/* Pending timers of each clock, sorted by expiry. */
static GList *pending[EMBER_CLOCK_MAX];
static void (*notify_cb)(void);

/* Virtual clock state. */
static bool vm_clock_running;
static int64_t vm_clock_offset;     /* virtual = host_mono + offset */
static int64_t vm_clock_stopped_at; /* value while stopped */
static bool vm_clock_manual;
static int64_t vm_clock_manual_ns;
/*
 * Writers (start, stop, manual steps) hold vm_clock_lock and make
 * vm_clock_seq odd while they change the state; readers (every RDTSC of
 * every vCPU thread) take no lock: they retry if the sequence was odd or
 * moved meanwhile (a seqlock).
 */
static GMutex vm_clock_lock;
static unsigned vm_clock_seq;

static void vm_clock_write_begin(void)
{
    g_mutex_lock(&vm_clock_lock);
    __atomic_store_n(&vm_clock_seq, vm_clock_seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void vm_clock_write_end(void)
{
    __atomic_store_n(&vm_clock_seq, vm_clock_seq + 1, __ATOMIC_RELEASE);
    g_mutex_unlock(&vm_clock_lock);
}

static int64_t host_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t clock_get_ns(ClockType clock)
{
    struct timespec ts;
    int64_t v;

    switch (clock) {
    case EMBER_CLOCK_REALTIME:
        return host_monotonic_ns();
    case EMBER_CLOCK_HOST:
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
    case EMBER_CLOCK_VIRTUAL:
    default:
        for (;;) {
            unsigned seq = __atomic_load_n(&vm_clock_seq, __ATOMIC_ACQUIRE);

            if (__atomic_load_n(&vm_clock_manual, __ATOMIC_RELAXED)) {
                v = __atomic_load_n(&vm_clock_manual_ns, __ATOMIC_RELAXED);
            } else if (__atomic_load_n(&vm_clock_running, __ATOMIC_RELAXED)) {
                /* Read inside: a stop after this returns a later time. */
                v = host_monotonic_ns() +
                    __atomic_load_n(&vm_clock_offset, __ATOMIC_RELAXED);
            } else {
                v = __atomic_load_n(&vm_clock_stopped_at, __ATOMIC_RELAXED);
            }
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (!(seq & 1) &&
                __atomic_load_n(&vm_clock_seq, __ATOMIC_RELAXED) == seq) {
                return v;
            }
        }
    }
}

void clock_virtual_stop(void)
{
    vm_clock_write_begin();
    if (vm_clock_running) {
        vm_clock_stopped_at = host_monotonic_ns() + vm_clock_offset;
        vm_clock_running = false;
    }
    vm_clock_write_end();
}

void clock_virtual_start(void)
{
    vm_clock_write_begin();
    if (!vm_clock_running) {
        vm_clock_offset = vm_clock_stopped_at - host_monotonic_ns();
        vm_clock_running = true;
    }
    vm_clock_write_end();
    if (notify_cb) {
        notify_cb();
    }
}

bool clock_virtual_running(void)
{
    return vm_clock_running || vm_clock_manual;
}

void clock_set_manual(bool manual)
{
    vm_clock_write_begin();
    if (manual && !vm_clock_manual) {
        vm_clock_manual_ns = vm_clock_running
            ? host_monotonic_ns() + vm_clock_offset : vm_clock_stopped_at;
    }
    vm_clock_manual = manual;
    vm_clock_write_end();
}

bool clock_is_manual(void)
{
    return vm_clock_manual;
}

void timer_init_ns(Timer *t, ClockType clock, TimerCB *cb, void *opaque)
{
    t->clock = clock;
    t->expire = -1;
    t->cb = cb;
    t->opaque = opaque;
}

Timer *timer_new_ns(ClockType clock, TimerCB *cb, void *opaque)
{
    Timer *t = g_new0(Timer, 1);

    timer_init_ns(t, clock, cb, opaque);
    return t;
}

void timer_del(Timer *t)
{
    if (t->expire >= 0) {
        pending[t->clock] = g_list_remove(pending[t->clock], t);
        t->expire = -1;
    }
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

static gint timer_cmp(gconstpointer a, gconstpointer b)
{
    const Timer *x = a, *y = b;

    return x->expire < y->expire ? -1 : x->expire > y->expire;
}

void timer_mod_ns(Timer *t, int64_t expire)
{
    bool first;

    timer_del(t);
    t->expire = expire < 0 ? 0 : expire;
    pending[t->clock] = g_list_insert_sorted(pending[t->clock], t, timer_cmp);
    first = pending[t->clock]->data == t;
    if (first && notify_cb) {
        notify_cb();
    }
}

void timer_mod_ns_earlier(Timer *t, int64_t expire)
{
    if (t->expire < 0 || expire < t->expire) {
        timer_mod_ns(t, expire);
    }
}

bool timer_pending(Timer *t)
{
    return t->expire >= 0;
}

int64_t timer_expire_time_ns(Timer *t)
{
    return t->expire;
}

void timers_set_notify(void (*notify)(void))
{
    notify_cb = notify;
}

int64_t timers_virtual_next(void)
{
    return pending[EMBER_CLOCK_VIRTUAL]
        ? ((Timer *)pending[EMBER_CLOCK_VIRTUAL]->data)->expire : INT64_MAX;
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;

    for (int c = 0; c < EMBER_CLOCK_MAX; c++) {
        int64_t d;
        if (!pending[c]) {
            continue;
        }
        if (c == EMBER_CLOCK_VIRTUAL && (!vm_clock_running || vm_clock_manual)) {
            continue;   /* does not move by itself */
        }
        d = ((Timer *)pending[c]->data)->expire - clock_get_ns(c);
        if (d < 0) {
            d = 0;
        }
        if (best < 0 || d < best) {
            best = d;
        }
    }
    return best;
}

static bool run_clock(ClockType c)
{
    bool ran = false;
    int64_t now = clock_get_ns(c);

    /* A callback may re-arm itself or others; re-read the list each time. */
    while (pending[c]) {
        Timer *t = pending[c]->data;
        if (t->expire > now) {
            break;
        }
        pending[c] = g_list_delete_link(pending[c], pending[c]);
        t->expire = -1;
        t->cb(t->opaque);
        ran = true;
    }
    return ran;
}

bool timers_run_expired(void)
{
    bool ran = false;

    for (int c = 0; c < EMBER_CLOCK_MAX; c++) {
        if (c == EMBER_CLOCK_VIRTUAL && !clock_virtual_running()) {
            continue;
        }
        ran |= run_clock(c);
    }
    return ran;
}

int64_t clock_set_ns(int64_t target)
{
    /* Step from timer to timer so each callback sees its own time. */
    for (;;) {
        int64_t next = timers_virtual_next();
        if (next > target) {
            break;
        }
        vm_clock_write_begin();
        if (next > vm_clock_manual_ns) {
            vm_clock_manual_ns = next;
        }
        vm_clock_write_end();
        run_clock(EMBER_CLOCK_VIRTUAL);
    }
    vm_clock_write_begin();
    if (target > vm_clock_manual_ns) {
        vm_clock_manual_ns = target;
    }
    vm_clock_write_end();
    return vm_clock_manual_ns;
}

int64_t clock_step(int64_t ns)
{
    return clock_set_ns(clock_get_ns(EMBER_CLOCK_VIRTUAL) + ns);
}
