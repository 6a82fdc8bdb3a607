/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The GLib main loop, the BQL and the timer source. */
#include "ember/osdep.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include <poll.h>

static GMutex bql;
static __thread bool bql_held;
static GMainContext *ctx;

void bql_lock(void)
{
    assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

GMutex *bql_mutex(void)
{
    return &bql;
}

/*
 * GLib's poll function, wrapped: drop the BQL while sleeping, and sleep
 * with nanosecond precision up to the next timer (GLib only knows ms).
 */
static gint poll_func(GPollFD *fds, guint nfds, gint timeout_ms)
{
    int64_t tns = timers_deadline_ns();
    struct timespec ts, *tsp = NULL;
    int r;

    if (runstate_request_pending()) {
        tns = 0;
    }
    if (timeout_ms >= 0) {
        int64_t ms_ns = (int64_t)timeout_ms * 1000000;
        tns = tns < 0 ? ms_ns : MIN(tns, ms_ns);
    }
    if (tns >= 0) {
        ts.tv_sec = tns / NANOSECONDS_PER_SECOND;
        ts.tv_nsec = tns % NANOSECONDS_PER_SECOND;
        tsp = &ts;
    }
    bql_unlock();
    /* GPollFD has the layout of struct pollfd on Linux. */
    G_STATIC_ASSERT(sizeof(GPollFD) == sizeof(struct pollfd));
    r = ppoll((struct pollfd *)fds, nfds, tsp, NULL);
    bql_lock();
    return r;
}

/* A source that runs due timers. */
static gboolean timer_prepare(GSource *s, gint *timeout)
{
    int64_t ns = timers_deadline_ns();

    *timeout = ns < 0 ? -1 : (gint)MIN(DIV_ROUND_UP(ns, 1000000), G_MAXINT);
    return ns == 0;
}

static gboolean timer_check(GSource *s)
{
    return timers_deadline_ns() == 0;
}

static gboolean timer_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    timers_run_expired();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .prepare = timer_prepare,
    .check = timer_check,
    .dispatch = timer_dispatch,
};

/*
 * The first timer changed. A poll that is already sleeping must wake to
 * take the new deadline; the main loop's own thread (a timer re-armed
 * from a callback, say) computes it in the next prepare anyway, and
 * waking itself would cost one empty iteration per timer.
 */
static void timers_changed(void)
{
    if (ctx && !g_main_context_is_owner(ctx)) {
        main_loop_wakeup();
    }
}

void main_loop_init(void)
{
    GSource *src;

    ctx = g_main_context_default();
    g_main_context_set_poll_func(ctx, poll_func);
    src = g_source_new(&timer_source_funcs, sizeof(GSource));
    g_source_set_priority(src, G_PRIORITY_HIGH);
    g_source_attach(src, ctx);
    g_source_unref(src);
    timers_set_notify(timers_changed);
    if (!bql_held) {
        bql_lock();
    }
}

void main_loop_wakeup(void)
{
    if (ctx) {
        g_main_context_wakeup(ctx);
    }
}

void main_loop_iterate(bool blocking)
{
    g_main_context_iteration(ctx, blocking);
}

int main_loop_run(void)
{
    int status = 0;

    for (;;) {
        if (runstate_handle_requests(&status)) {
            return status;
        }
        g_main_context_iteration(ctx, TRUE);
    }
}
