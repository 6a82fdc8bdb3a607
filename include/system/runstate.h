/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VM run states and the requests that change them.
 *
 * Devices and vCPUs ask; the main loop acts: a reset request resets the
 * machine (or, with -no-reboot, shuts it down), a shutdown request ends
 * Ember with status 0 (or, with -no-shutdown, pauses it), an exit request
 * ends Ember with the given status (isa-debug-exit).
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "ember/osdep.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_QUIT,       /* Ctrl-A x, window closed twice */
    SHUTDOWN_CAUSE_HOST_SIGNAL,     /* SIGINT/SIGTERM/SIGHUP */
    SHUTDOWN_CAUSE_HOST_ERROR,      /* an accelerator failed */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,  /* ACPI S5, APM off */
    SHUTDOWN_CAUSE_GUEST_RESET,     /* keyboard controller, CF9, ACPI */
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_TRIPLE_FAULT,
} ShutdownCause;

RunState runstate_get(void);
bool runstate_is_running(void);
const char *runstate_name(RunState s);

/* Options from the command line. */
extern bool no_reboot;
extern bool no_shutdown;

void system_reset_request(ShutdownCause cause);
void system_shutdown_request(ShutdownCause cause);
/* End Ember with this exit status as soon as the main loop can. */
void system_exit_request(int status);
/* An unrecoverable accelerator error: stop and exit with status 1. */
void system_fatal_error(void);
/* The ACPI power button (window close): the guest decides what to do. */
void system_powerdown_request(void);
void system_register_powerdown_handler(void (*fn)(void *), void *opaque);

/* Machine reset handlers, run in registration order (CPU state, loaders). */
void system_register_reset(void (*fn)(void *opaque), void *opaque);
/* Reset devices and call the reset handlers (vCPUs must be stopped). */
void system_reset(ShutdownCause cause);

void vm_start(void);
void vm_stop(RunState state);

/* Main-loop side: act on pending requests; true if the loop should end. */
bool runstate_handle_requests(int *exit_status);
/* Anything pending? (cheap, from any thread) */
bool runstate_request_pending(void);

#endif
