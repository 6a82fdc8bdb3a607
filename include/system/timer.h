/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clocks and timers.
 *
 * EMBER_CLOCK_VIRTUAL is guest time: it starts at 0 and stops while the VM is
 * paused; device timers (PIT, RTC periodic, HPET, LAPIC timer, UART) run
 * on it. EMBER_CLOCK_REALTIME is host monotonic time (UI, back ends);
 * EMBER_CLOCK_HOST is wall-clock time (the RTC's time of day).
 *
 * Timer callbacks run in the main loop thread with the BQL held. Timers
 * may be changed from any thread that holds the BQL.
 *
 * For device tests (the qtest accelerator) the virtual clock can be put
 * in manual mode, where only clock_step() advances it.
 */
#ifndef SYSTEM_TIMER_H
#define SYSTEM_TIMER_H

#include "ember/osdep.h"

typedef enum ClockType {
    EMBER_CLOCK_REALTIME,
    EMBER_CLOCK_VIRTUAL,
    EMBER_CLOCK_HOST,
    EMBER_CLOCK_MAX,
} ClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL

typedef void TimerCB(void *opaque);

typedef struct Timer {
    ClockType clock;
    int64_t expire;         /* ns on its clock; -1 when not pending */
    TimerCB *cb;
    void *opaque;
} Timer;

int64_t clock_get_ns(ClockType clock);
static inline int64_t clock_get_ms(ClockType clock)
{
    return clock_get_ns(clock) / 1000000;
}

Timer *timer_new_ns(ClockType clock, TimerCB *cb, void *opaque);
void timer_init_ns(Timer *t, ClockType clock, TimerCB *cb, void *opaque);
void timer_free(Timer *t);
/* Arm (or re-arm) for an absolute time on the timer's clock. */
void timer_mod_ns(Timer *t, int64_t expire);
/* Arm only if not pending or if expire is earlier. */
void timer_mod_ns_earlier(Timer *t, int64_t expire);
void timer_del(Timer *t);
bool timer_pending(Timer *t);
int64_t timer_expire_time_ns(Timer *t);

/* Main-loop side. */
/* ns until the next timer is due (0 if one is), or -1 if none. */
int64_t timers_deadline_ns(void);
/* Run the callbacks of every due timer; true if any ran. */
bool timers_run_expired(void);
/* Deadline of the virtual clock only, absolute; INT64_MAX if none. */
int64_t timers_virtual_next(void);
/* Called when a timer changes, to wake the thread that waits on them. */
void timers_set_notify(void (*notify)(void));

/* The virtual clock's run control (runstate.c calls these). */
void clock_virtual_stop(void);
void clock_virtual_start(void);
bool clock_virtual_running(void);
/* Manual mode: the virtual clock moves only through clock_step/clock_set. */
void clock_set_manual(bool manual);
bool clock_is_manual(void);
/* Advance the manual virtual clock by ns, running timers on the way. */
int64_t clock_step(int64_t ns);
/* Set the manual virtual clock to ns (not backwards), running timers. */
int64_t clock_set_ns(int64_t ns);

#endif
