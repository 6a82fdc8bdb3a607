/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run states and the reset/shutdown/exit requests. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/qdev.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"

bool no_reboot;
bool no_shutdown;

static RunState state = RUN_STATE_PRELAUNCH;
static volatile int reset_req;
static volatile int shutdown_req;
static volatile int exit_req;          /* status + 1 */
static volatile int fatal_req;
static volatile int powerdown_req;

typedef struct ResetEntry {
    void (*fn)(void *);
    void *opaque;
} ResetEntry;
static GArray *reset_handlers;
static void (*powerdown_fn)(void *);
static void *powerdown_opaque;

static const char *const state_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

RunState runstate_get(void)
{
    return state;
}

bool runstate_is_running(void)
{
    return state == RUN_STATE_RUNNING;
}

const char *runstate_name(RunState s)
{
    return state_names[s];
}

static void kick_all(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu_kick(cpu);
    }
    main_loop_wakeup();
}

bool runstate_request_pending(void)
{
    return reset_req || shutdown_req || exit_req || fatal_req ||
           powerdown_req;
}

void system_reset_request(ShutdownCause cause)
{
    if (no_reboot && cause != SHUTDOWN_CAUSE_NONE) {
        g_atomic_int_set(&shutdown_req, cause);
    } else {
        g_atomic_int_set(&reset_req, cause ? cause : SHUTDOWN_CAUSE_HOST_QUIT);
    }
    kick_all();
}

void system_shutdown_request(ShutdownCause cause)
{
    g_atomic_int_set(&shutdown_req, cause);
    kick_all();
}

void system_exit_request(int status)
{
    /* The first request wins. */
    g_atomic_int_compare_and_exchange(&exit_req, 0, status + 1);
    kick_all();
}

void system_fatal_error(void)
{
    g_atomic_int_set(&fatal_req, 1);
    kick_all();
}

void system_powerdown_request(void)
{
    g_atomic_int_set(&powerdown_req, 1);
    main_loop_wakeup();
}

void system_register_powerdown_handler(void (*fn)(void *), void *opaque)
{
    powerdown_fn = fn;
    powerdown_opaque = opaque;
}

void system_register_reset(void (*fn)(void *opaque), void *opaque)
{
    ResetEntry e = { fn, opaque };

    if (!reset_handlers) {
        reset_handlers = g_array_new(FALSE, FALSE, sizeof(ResetEntry));
    }
    g_array_append_val(reset_handlers, e);
}

void system_reset(ShutdownCause cause)
{
    qdev_reset_all();
    for (unsigned i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);
        e->fn(e->opaque);
    }
}

void vm_start(void)
{
    if (state == RUN_STATE_RUNNING) {
        return;
    }
    state = RUN_STATE_RUNNING;
    clock_virtual_start();
    resume_all_vcpus();
}

void vm_stop(RunState new_state)
{
    if (state == RUN_STATE_RUNNING) {
        pause_all_vcpus();
        clock_virtual_stop();
    }
    state = new_state;
}

bool runstate_handle_requests(int *exit_status)
{
    int r;

    if (g_atomic_int_get(&exit_req)) {
        *exit_status = g_atomic_int_get(&exit_req) - 1;
        vm_stop(RUN_STATE_SHUTDOWN);
        return true;
    }
    if (g_atomic_int_get(&fatal_req)) {
        *exit_status = 1;
        vm_stop(RUN_STATE_INTERNAL_ERROR);
        return true;
    }
    r = g_atomic_int_and(&shutdown_req, 0);
    if (r) {
        if (no_shutdown && r != SHUTDOWN_CAUSE_HOST_QUIT &&
            r != SHUTDOWN_CAUSE_HOST_SIGNAL) {
            vm_stop(RUN_STATE_SHUTDOWN);
            return false;
        }
        *exit_status = 0;
        vm_stop(RUN_STATE_SHUTDOWN);
        return true;
    }
    r = g_atomic_int_and(&reset_req, 0);
    if (r) {
        bool was_running = runstate_is_running();
        if (was_running) {
            pause_all_vcpus();
        }
        system_reset(r);
        if (was_running) {
            resume_all_vcpus();
        }
    }
    if (g_atomic_int_and(&powerdown_req, 0)) {
        if (powerdown_fn) {
            powerdown_fn(powerdown_opaque);
        } else {
            system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT);
        }
    }
    return false;
}
