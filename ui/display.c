/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -display: which front end, and starting it (include/ui/display.h). */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "config-host.h"
#include "ui/console.h"
#include "ui/display.h"

typedef enum DisplayKind {
    DISPLAY_DEFAULT,
    DISPLAY_NONE,
    DISPLAY_SDL,
} DisplayKind;

static DisplayKind display_kind = DISPLAY_DEFAULT;
static DisplayOptions display_options = { .window_close = true };
static bool display_started;

bool display_opt(const char *arg, GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "type", errp);
    const char *type;

    if (!o) {
        return false;
    }
    type = opts_get(o, "type");
    if (!type || !strcmp(type, "default")) {
        display_kind = DISPLAY_DEFAULT;
    } else if (!strcmp(type, "none")) {
        display_kind = DISPLAY_NONE;
    } else if (!strcmp(type, "sdl")) {
        const char *gl = opts_get(o, "gl");

#ifndef CONFIG_SDL
        error_setg(errp, "SDL support is not compiled in (libsdl2-dev was "
                   "missing at build time); use -display none");
        return false;
#endif
        display_kind = DISPLAY_SDL;
        display_options.full_screen =
            opts_get_bool(o, "full-screen", display_options.full_screen,
                          errp);
        if (errp && *errp) {
            return false;
        }
        display_options.window_close =
            opts_get_bool(o, "window-close", true, errp);
        if (errp && *errp) {
            return false;
        }
        if (gl && strcmp(gl, "off")) {
            error_setg(errp, "gl=%s is not supported (only gl=off)", gl);
            return false;
        }
        /* Accepted for compatibility, no effect. */
        opts_get(o, "show-cursor");
        opts_get(o, "grab-mod");
    } else if (!strcmp(type, "help")) {
        printf("Available display backend types:\nnone\n%s",
#ifdef CONFIG_SDL
               "sdl\n"
#else
               ""
#endif
               );
        exit(0);
    } else {
        error_setg(errp, "display '%s' is not available in this build "
                   "(available: %snone)", type,
#ifdef CONFIG_SDL
                   "sdl, "
#else
                   ""
#endif
                   );
        return false;
    }
    return opts_check_unused(o, errp);
}

void display_opt_full_screen(void)
{
    display_options.full_screen = true;
}

/* A display variable is set: there may be a window system to talk to. */
static bool display_env_present(void)
{
    const char *x = g_getenv("DISPLAY"), *w = g_getenv("WAYLAND_DISPLAY");

    return (x && *x) || (w && *w);
}

bool display_init(const char *vm_name, bool nographic, GError **errp)
{
    DisplayKind kind = nographic ? DISPLAY_NONE : display_kind;

    if (kind == DISPLAY_NONE) {
        return true;
    }
#ifdef CONFIG_SDL
    if (kind == DISPLAY_DEFAULT) {
        GError *err = NULL;

        /* The default: a window if there is a display device and a
         * window system that SDL can open; else nothing, quietly. */
        if (!console_get_default() || !display_env_present()) {
            return true;
        }
        if (sdl_display_init(&display_options, vm_name, &err)) {
            display_started = true;
        }
        g_clear_error(&err);
        return true;
    }
    if (!display_env_present()) {
        error_setg(errp, "-display sdl: no display to open a window on "
                   "(neither DISPLAY nor WAYLAND_DISPLAY is set)");
        return false;
    }
    if (!console_get_default()) {
        /* No display device: the window shows an empty screen. */
        graphic_console_init(NULL, "none", NULL, NULL);
    }
    if (!sdl_display_init(&display_options, vm_name, errp)) {
        error_prepend(errp, "-display sdl: ");
        return false;
    }
    display_started = true;
    return true;
#else
    (void)vm_name;
    (void)display_env_present;
    return true;
#endif
}

void display_cleanup(void)
{
#ifdef CONFIG_SDL
    if (display_started) {
        sdl_display_cleanup();
        display_started = false;
    }
#endif
}
