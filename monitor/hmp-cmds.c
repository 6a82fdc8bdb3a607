/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's commands: the part of QEMU's HMP that users and tests
 * need, with QEMU's names, arguments and messages.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "exec/memory.h"
#include "system/runstate.h"
#include "ui/console.h"
#include "ui/input.h"
#include "monitor-internal.h"

#define SENDKEY_HOLD_MS 100
#define SENDKEY_MAX_KEYS 16

static void cmd_help(Monitor *mon, int argc, char **argv)
{
    for (const MonitorCommand *c = monitor_commands; c->name; c++) {
        if (argc > 1 && strcmp(argv[1], c->name)) {
            continue;
        }
        monitor_printf(mon, "%s%s%s -- %s\n", c->name, *c->args ? " " : "",
                       c->args, c->help);
    }
}

static void info_status(Monitor *mon)
{
    RunState st = runstate_get();

    switch (st) {
    case RUN_STATE_RUNNING:
        monitor_printf(mon, "VM status: running\n");
        break;
    case RUN_STATE_PRELAUNCH:
        monitor_printf(mon, "VM status: paused (prelaunch)\n");
        break;
    case RUN_STATE_PAUSED:
        monitor_printf(mon, "VM status: paused\n");
        break;
    default:
        monitor_printf(mon, "VM status: paused (%s)\n", runstate_name(st));
        break;
    }
}

static void info_mtree(Monitor *mon)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        monitor_printf(mon, "out of memory\n");
        return;
    }
    address_space_dump(f, &address_space_memory);
    address_space_dump(f, &address_space_io);
    fclose(f);
    monitor_printf(mon, "%s", buf);
    free(buf);
}

static void cmd_info(Monitor *mon, int argc, char **argv)
{
    if (argc < 2) {
        monitor_printf(mon, "info status -- show the VM status\n"
                       "info version -- show the version\n"
                       "info mtree -- show the memory and I/O maps\n");
    } else if (!strcmp(argv[1], "status")) {
        info_status(mon);
    } else if (!strcmp(argv[1], "version")) {
        monitor_printf(mon, "%s\n", EMBER_VERSION);
    } else if (!strcmp(argv[1], "mtree")) {
        info_mtree(mon);
    } else {
        monitor_printf(mon, "info: unknown subcommand '%s'\n", argv[1]);
    }
}

/* screendump FILE [-f ppm] [-d DEVICE]: only PPM; device = console index
 * or name. */
static void cmd_screendump(Monitor *mon, int argc, char **argv)
{
    DisplayConsole *con = console_get_default();
    const char *file = NULL;
    GError *err = NULL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            if (g_ascii_strcasecmp(argv[++i], "ppm")) {
                monitor_printf(mon, "screendump: format '%s' is not "
                               "supported (ppm)\n", argv[i]);
                return;
            }
        } else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
            const char *d = argv[++i];
            con = NULL;
            for (int n = 0; console_by_index(n); n++) {
                if (!strcmp(console_name(console_by_index(n)), d) ||
                    (g_ascii_isdigit(*d) && atoi(d) == n)) {
                    con = console_by_index(n);
                    break;
                }
            }
        } else if (!file) {
            file = argv[i];
        } else {
            monitor_printf(mon, "screendump: too many arguments\n");
            return;
        }
    }
    if (!file) {
        monitor_printf(mon, "screendump: a file name is needed\n");
        return;
    }
    if (!console_screendump(con, file, &err)) {
        monitor_printf(mon, "screendump: %s\n", err->message);
        g_error_free(err);
    }
}

void monitor_release_keys(Monitor *mon)
{
    if (mon->sendkey_timer) {
        timer_del(mon->sendkey_timer);
    }
    /* Release in reverse order: shift-a lets go of 'a' first. */
    for (int i = (int)mon->keys_down->len - 1; i >= 0; i--) {
        input_key_event(g_array_index(mon->keys_down, unsigned, i), false);
    }
    g_array_set_size(mon->keys_down, 0);
}

static void sendkey_release(void *opaque)
{
    monitor_release_keys(opaque);
}

/* sendkey KEYS [HOLD_MS]: KEYS like "ctrl-alt-delete", "shift-a", "0x1e". */
static void cmd_sendkey(Monitor *mon, int argc, char **argv)
{
    g_auto(GStrv) names = NULL;
    unsigned keys[SENDKEY_MAX_KEYS];
    int n = 0;
    uint64_t hold = SENDKEY_HOLD_MS;

    if (argc < 2) {
        monitor_printf(mon, "sendkey: which keys? (e.g. ctrl-alt-delete)\n");
        return;
    }
    if (argc > 2 && (!g_ascii_string_to_unsigned(argv[2], 10, 1, 60000,
                                                  &hold, NULL))) {
        monitor_printf(mon, "sendkey: bad hold time '%s'\n", argv[2]);
        return;
    }
    names = g_strsplit(argv[1], "-", -1);
    for (int i = 0; names[i]; i++) {
        int key = input_key_from_name(names[i]);
        if (key < 0) {
            monitor_printf(mon, "sendkey: unknown key '%s'\n", names[i]);
            return;
        }
        if (n == SENDKEY_MAX_KEYS) {
            monitor_printf(mon, "sendkey: too many keys\n");
            return;
        }
        keys[n++] = key;
    }
    monitor_release_keys(mon);
    for (int i = 0; i < n; i++) {
        input_key_event(keys[i], true);
        g_array_append_val(mon->keys_down, keys[i]);
    }
    if (!mon->sendkey_timer) {
        mon->sendkey_timer = timer_new_ns(EMBER_CLOCK_REALTIME,
                                          sendkey_release, mon);
    }
    timer_mod_ns(mon->sendkey_timer, clock_get_ns(EMBER_CLOCK_REALTIME) +
                 (int64_t)hold * 1000000);
}

static void cmd_system_powerdown(Monitor *mon, int argc, char **argv)
{
    system_powerdown_request();
}

static void cmd_system_reset(Monitor *mon, int argc, char **argv)
{
    system_reset_request(SHUTDOWN_CAUSE_HOST_QUIT);
}

static void cmd_stop(Monitor *mon, int argc, char **argv)
{
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
}

static void cmd_cont(Monitor *mon, int argc, char **argv)
{
    RunState st = runstate_get();

    if (st == RUN_STATE_SHUTDOWN || st == RUN_STATE_INTERNAL_ERROR) {
        monitor_printf(mon, "cont: the VM is %s; reset it first\n",
                       runstate_name(st));
        return;
    }
    vm_start();
}

static void cmd_quit(Monitor *mon, int argc, char **argv)
{
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT);
}

const MonitorCommand monitor_commands[] = {
    { "help", "[cmd]", "show the help", cmd_help },
    { "?", "[cmd]", "show the help", cmd_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", cmd_info },
    { "screendump", "filename [-f ppm] [-d device]", "save the screen "
      "contents as a PPM image", cmd_screendump },
    { "sendkey", "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey "
      "ctrl-alt-f1'); hold_ms defaults to 100", cmd_sendkey },
    { "system_powerdown", "", "send the ACPI power button event",
      cmd_system_powerdown },
    { "system_reset", "", "reset the system", cmd_system_reset },
    { "stop", "", "stop emulation", cmd_stop },
    { "c", "", "resume emulation", cmd_cont },
    { "cont", "", "resume emulation", cmd_cont },
    { "quit", "", "quit the emulator", cmd_quit },
    { "q", "", "quit the emulator", cmd_quit },
    { NULL },
};
