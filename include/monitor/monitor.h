/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human monitor: a small subset of QEMU's HMP on a character device
 * (docs/display.md, "The monitor"):
 *
 *   -monitor stdio | unix:PATH,server=on,wait=off | tcp:HOST:PORT,server=on
 *            | chardev:ID | none
 *   -serial mon:stdio (the -nographic default): the monitor shares stdio
 *            with COM1; Ctrl-A c switches between them
 *
 * Commands: help, info status|version|mtree, screendump FILE, sendkey
 * KEYS [HOLD_MS], system_powerdown, system_reset, stop, cont, quit.
 * The prompt is "(qemu) ", as QEMU's, so that scripts carry over.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "ember/osdep.h"

typedef struct Monitor Monitor;
typedef struct Chardev Chardev;

/* -monitor SPEC (vl.c records it; monitor_init_all() acts). */
bool monitor_opt(const char *spec, GError **errp);
/*
 * After the machine is built: a monitor on each -monitor back end and
 * on each "-serial mon:..." port (after the serial device, so that COM1
 * has the mux's focus first).
 */
bool monitor_init_all(GError **errp);

/* A monitor on a back end. */
Monitor *monitor_new(Chardev *chr, GError **errp);

void monitor_printf(Monitor *mon, const char *fmt, ...) EMBER_PRINTF(2, 3);
/* Run one command line as if typed (tests use this too). */
void monitor_execute(Monitor *mon, const char *line);

#endif
