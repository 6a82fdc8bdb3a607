/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human monitor: line input on a character device, command
 * dispatch, and the -monitor option (include/monitor/monitor.h). The
 * commands are in hmp-cmds.c.
 *
 * Line editing is what a terminal in raw mode needs: characters are
 * echoed, Backspace/DEL erases, Enter (CR, LF or CR LF) runs the line,
 * Ctrl-U clears it, and escape sequences (arrow keys) are ignored.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/boards.h"
#include "monitor-internal.h"

#define MONITOR_PROMPT "(qemu) "
#define MONITOR_LINE_MAX 4096

static GPtrArray *monitor_specs;     /* -monitor arguments */
static GPtrArray *monitors;

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *s = NULL;
    g_autoptr(GString) out = g_string_new(NULL);

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Terminals in raw mode need CR LF. */
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    chr_fe_write_all(&mon->be, (const uint8_t *)out->str, out->len);
}

static void monitor_prompt(Monitor *mon)
{
    monitor_printf(mon, MONITOR_PROMPT);
}

static void monitor_banner(Monitor *mon)
{
    if (!mon->greeted) {
        monitor_printf(mon, "Ember %s monitor - type 'help' for more "
                       "information\n", EMBER_VERSION);
        mon->greeted = true;
    }
    monitor_prompt(mon);
}

void monitor_execute(Monitor *mon, const char *line)
{
    g_auto(GStrv) argv = NULL;
    int argc;

    argv = g_strsplit_set(line, " \t", -1);
    /* Drop empty words (several spaces in a row). */
    argc = 0;
    for (int i = 0; argv[i]; i++) {
        if (*argv[i]) {
            argv[argc++] = argv[i];
        } else {
            g_free(argv[i]);
        }
    }
    argv[argc] = NULL;
    if (!argc) {
        return;
    }
    for (const MonitorCommand *c = monitor_commands; c->name; c++) {
        if (!strcmp(c->name, argv[0])) {
            c->fn(mon, argc, argv);
            return;
        }
    }
    monitor_printf(mon, "unknown command: '%s'\n", argv[0]);
}

static int monitor_can_receive(void *opaque)
{
    return MONITOR_LINE_MAX;
}

static void monitor_receive(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;

    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];
        bool was_cr = mon->last_cr;

        mon->last_cr = false;
        if (mon->esc) {
            /* ESC [ parameters final: skip up to the final byte. */
            if (mon->esc == 1) {
                mon->esc = (c == '[' || c == 'O') ? 2 : 0;
            } else if (c >= 0x40 && c <= 0x7e) {
                mon->esc = 0;
            }
            continue;
        }
        switch (c) {
        case '\r':
        case '\n': {
            g_autofree char *line = NULL;

            if (c == '\n' && was_cr) {
                break;
            }
            mon->last_cr = c == '\r';
            monitor_printf(mon, "\n");
            line = g_string_free(mon->line, FALSE);
            mon->line = g_string_new(NULL);
            monitor_execute(mon, line);
            monitor_prompt(mon);
            break;
        }
        case 0x7f:
        case '\b':
            if (mon->line->len) {
                g_string_truncate(mon->line, mon->line->len - 1);
                monitor_printf(mon, "\b \b");
            }
            break;
        case 0x15:                  /* Ctrl-U */
            while (mon->line->len) {
                g_string_truncate(mon->line, mon->line->len - 1);
                monitor_printf(mon, "\b \b");
            }
            break;
        case 0x1b:
            mon->esc = 1;
            break;
        default:
            if (c >= 0x20 && c < 0x7f && mon->line->len < MONITOR_LINE_MAX) {
                g_string_append_c(mon->line, c);
                chr_fe_write_all(&mon->be, &c, 1);
            }
            break;
        }
    }
}

static void monitor_event(void *opaque, ChrEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        /* On a mux the monitor speaks only once it has the focus. */
        if (!mon->on_mux) {
            mon->greeted = false;
            g_string_truncate(mon->line, 0);
            monitor_banner(mon);
        }
        break;
    case CHR_EVENT_MUX_IN:
        monitor_banner(mon);
        break;
    default:
        break;
    }
}

Monitor *monitor_new(Chardev *chr, GError **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    if (!chr_fe_init(&mon->be, chr, errp)) {
        g_free(mon);
        return NULL;
    }
    mon->on_mux = !strcmp(chr->cls->name, "mux");
    mon->line = g_string_new(NULL);
    mon->keys_down = g_array_new(FALSE, FALSE, sizeof(unsigned));
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    chr_fe_set_handlers(&mon->be, monitor_can_receive, monitor_receive,
                        monitor_event, mon);
    return mon;
}

bool monitor_opt(const char *spec, GError **errp)
{
    if (!monitor_specs) {
        monitor_specs = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(monitor_specs, g_strdup(spec));
    return true;
}

bool monitor_init_all(GError **errp)
{
    for (unsigned i = 0; monitor_specs && i < monitor_specs->len; i++) {
        const char *spec = g_ptr_array_index(monitor_specs, i);
        g_autofree char *label = g_strdup_printf("monitor%u", i);
        Chardev *chr;

        if (g_str_has_prefix(spec, "chardev:")) {
            chr = chardev_find(spec + 8);
            if (!chr) {
                error_setg(errp, "-monitor %s: chardev '%s' not found", spec,
                           spec + 8);
                return false;
            }
        } else {
            chr = chardev_new_legacy(label, spec, errp);
            if (!chr) {
                if (errp && *errp) {
                    error_prepend(errp, "-monitor %s: ", spec);
                    return false;
                }
                continue;       /* -monitor none */
            }
        }
        if (!monitor_new(chr, errp)) {
            error_prepend(errp, "-monitor %s: ", spec);
            return false;
        }
    }
    /*
     * "-serial mon:X" made serial port i a mux labelled "serialI" (the
     * -nographic default is mon:stdio): the monitor joins it, after
     * COM1, which keeps the first focus.
     */
    for (int i = 0; i < MAX_SERIAL_PORTS; i++) {
        Chardev *chr = serial_hd(i);
        g_autofree char *label = g_strdup_printf("serial%d", i);

        if (chr && !strcmp(chr->cls->name, "mux") &&
            !strcmp(chr->label, label) && !monitor_new(chr, errp)) {
            return false;
        }
    }
    return true;
}
