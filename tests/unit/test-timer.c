/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Timers on the manual virtual clock (as qtest uses them). */
#include "ember/osdep.h"
#include "system/main-loop.h"
#include "system/timer.h"

typedef struct Ctx {
    GString *log;
    Timer *periodic;
    int64_t period;
    int count;
} Ctx;

static Ctx ctx;

static void fire(void *opaque)
{
    g_string_append_printf(ctx.log, "%s@%" PRId64 " ", (char *)opaque,
                           clock_get_ns(EMBER_CLOCK_VIRTUAL));
}

static void fire_periodic(void *opaque)
{
    ctx.count++;
    timer_mod_ns(ctx.periodic, clock_get_ns(EMBER_CLOCK_VIRTUAL) + ctx.period);
}

static void test_order(void)
{
    int64_t base;
    Timer *a = timer_new_ns(EMBER_CLOCK_VIRTUAL, fire, "a");
    Timer *b = timer_new_ns(EMBER_CLOCK_VIRTUAL, fire, "b");
    Timer *c = timer_new_ns(EMBER_CLOCK_VIRTUAL, fire, "c");

    clock_set_manual(true);
    base = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    ctx.log = g_string_new(NULL);
    timer_mod_ns(a, base + 300);
    timer_mod_ns(b, base + 100);
    timer_mod_ns(c, base + 200);
    timer_del(c);
    g_assert_false(timer_pending(c));
    g_assert_cmpint(timers_virtual_next(), ==, base + 100);
    g_autofree char *want_b = g_strdup_printf("b@%" PRId64 " ", base + 100);
    g_autofree char *want_a = g_strdup_printf("a@%" PRId64, base + 260);

    clock_step(250);
    g_assert_cmpstr(ctx.log->str, ==, want_b);
    g_assert_cmpint(clock_get_ns(EMBER_CLOCK_VIRTUAL), ==, base + 250);
    g_assert_true(timer_pending(a));
    /* Re-arming earlier moves it. */
    timer_mod_ns_earlier(a, base + 260);
    timer_mod_ns_earlier(a, base + 900);
    clock_step(1000);
    g_assert_nonnull(strstr(ctx.log->str, want_a));
    g_assert_false(timer_pending(a));
    timer_free(a);
    timer_free(b);
    timer_free(c);
    g_string_free(ctx.log, TRUE);
}

static void test_periodic(void)
{
    clock_set_manual(true);
    ctx.count = 0;
    ctx.period = 1000;
    ctx.periodic = timer_new_ns(EMBER_CLOCK_VIRTUAL, fire_periodic, NULL);
    timer_mod_ns(ctx.periodic, clock_get_ns(EMBER_CLOCK_VIRTUAL) + 1000);
    /* Each expiry re-arms from its own time: 10 fire in 10 us. */
    clock_step(10 * 1000);
    g_assert_cmpint(ctx.count, ==, 10);
    timer_free(ctx.periodic);
}

static void test_stopped_clock(void)
{
    int64_t t;

    clock_set_manual(false);
    clock_virtual_start();
    clock_virtual_stop();
    t = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    g_usleep(10000);
    g_assert_cmpint(clock_get_ns(EMBER_CLOCK_VIRTUAL), ==, t);
    clock_virtual_start();
    g_usleep(10000);
    g_assert_cmpint(clock_get_ns(EMBER_CLOCK_VIRTUAL), >, t);
    /* Resuming does not jump over the paused time. */
    g_assert_cmpint(clock_get_ns(EMBER_CLOCK_VIRTUAL) - t, <,
                    10 * NANOSECONDS_PER_SECOND);
    clock_virtual_stop();
}

static int rearms;
static Timer *rearm_timer;

static void fire_rearm(void *opaque)
{
    rearms++;
    timer_mod_ns(rearm_timer, clock_get_ns(EMBER_CLOCK_VIRTUAL) +
                 5 * 1000 * 1000);
}

/* A timer re-armed from its own callback must not wake the main loop
 * once more for nothing: about one iteration per expiry. */
static void test_main_loop_rearm(void)
{
    int64_t end;
    int iterations = 0;

    clock_set_manual(false);
    clock_virtual_start();
    main_loop_init();
    rearm_timer = timer_new_ns(EMBER_CLOCK_VIRTUAL, fire_rearm, NULL);
    timer_mod_ns(rearm_timer, clock_get_ns(EMBER_CLOCK_VIRTUAL) +
                 5 * 1000 * 1000);
    end = g_get_monotonic_time() + 200 * 1000;
    while (g_get_monotonic_time() < end) {
        main_loop_iterate(true);
        iterations++;
    }
    g_test_message("%d expiries, %d iterations", rearms, iterations);
    g_assert_cmpint(rearms, >=, 10);
    g_assert_cmpint(iterations, <=, rearms + rearms / 2 + 2);
    timer_free(rearm_timer);
    clock_virtual_stop();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timer/order", test_order);
    g_test_add_func("/timer/periodic", test_periodic);
    g_test_add_func("/timer/stopped-clock", test_stopped_clock);
    g_test_add_func("/timer/main-loop-rearm", test_main_loop_rearm);
    return g_test_run();
}
