/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor's state, shared by monitor.c (I/O) and hmp-cmds.c. */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "chardev/char.h"
#include "monitor/monitor.h"
#include "system/timer.h"

struct Monitor {
    CharBackend be;
    GString *line;              /* the command being typed */
    bool on_mux;                /* shares its back end (mon:stdio) */
    bool greeted;               /* banner printed */
    int esc;                    /* 0, or inside an escape sequence */
    bool last_cr;               /* swallow the \n of a \r\n pair */
    Timer *sendkey_timer;       /* releases the keys of a sendkey */
    GArray *keys_down;          /* unsigned Linux codes, pressed order */
};

typedef struct MonitorCommand {
    const char *name;
    const char *args;           /* for help */
    const char *help;
    void (*fn)(Monitor *mon, int argc, char **argv);
} MonitorCommand;

extern const MonitorCommand monitor_commands[];
/* Release what a previous sendkey still holds (before a new one). */
void monitor_release_keys(Monitor *mon);

#endif
