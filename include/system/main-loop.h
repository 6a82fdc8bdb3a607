/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The main loop and the big lock (BQL).
 *
 * The main thread runs a GLib main loop on the default context: back-end
 * file descriptors (stdin, sockets, slirp, tap), timers and the UI. It
 * holds the BQL except while it sleeps in poll. vCPU threads take the BQL
 * to touch device state. Any GSource added to the default main context
 * is dispatched with the BQL held.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "ember/osdep.h"

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);
/* The BQL mutex itself, to wait on a GCond with it. */
GMutex *bql_mutex(void);

void main_loop_init(void);
/* Make a sleeping main loop look at its timers and requests again. */
void main_loop_wakeup(void);
/* One iteration; with blocking, sleeps until an event or timer. */
void main_loop_iterate(bool blocking);
/* Run until shutdown/exit; returns the process exit status. */
int main_loop_run(void);

#endif
