/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Choosing and starting the front end (docs/display.md):
 *
 *   -display sdl[,full-screen=on|off][,window-close=on|off]
 *   -display none, -nographic
 *   -display default (or nothing): SDL when a display is available
 *            (DISPLAY or WAYLAND_DISPLAY is set and SDL initialises),
 *            else none
 *   -full-screen
 *
 * vl.c records the options while parsing (display_opt) and starts the
 * front end once the machine exists (display_init).
 */
#ifndef UI_DISPLAY_H
#define UI_DISPLAY_H

#include "ember/osdep.h"

typedef struct DisplayOptions {
    bool full_screen;
    /* false: closing the window does nothing (window-close=off). */
    bool window_close;
} DisplayOptions;

/* -display ARG: checks the type and its options. */
bool display_opt(const char *arg, GError **errp);
/* -full-screen */
void display_opt_full_screen(void);
/* Start the chosen front end; vm_name (-name) goes into the title. */
bool display_init(const char *vm_name, bool nographic, GError **errp);
/* Close it (at exit). */
void display_cleanup(void);

/* ui/sdl2.c (CONFIG_SDL) */
bool sdl_display_init(const DisplayOptions *opts, const char *vm_name,
                      GError **errp);
void sdl_display_cleanup(void);

#endif
