/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"

int ember_loglevel;
static FILE *logfile;
static GMutex log_mutex;

const LogItem log_items[] = {
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest does something invalid" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_IN_ASM, "in_asm", "show guest code of each translated block" },
    { LOG_OP, "op", "show the IR of each block" },
    { LOG_OP_OPT, "op_opt", "show the IR after optimization" },
    { LOG_OUT_ASM, "out_asm", "show the host code of each block" },
    { LOG_INT, "int", "show interrupts and exceptions" },
    { LOG_EXEC, "exec", "show each executed block" },
    { LOG_CPU, "cpu", "show CPU registers before each block" },
    { LOG_ACCEL, "accel", "show the accelerator choice and set-up" },
    { LOG_PCALL, "pcall", "show protected-mode far calls" },
    { LOG_STRACE, "strace", "user mode: log system calls" },
    { LOG_TB_STATS, "tb_stats", "print translation statistics at exit" },
    { LOG_MMU, "mmu", "log page walks and TLB flushes" },
    { LOG_IOPORT, "ioport", "log port I/O" },
    { 0, NULL, NULL }
};

void log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (const LogItem *it = log_items; it->name; it++) {
        fprintf(f, "%-12s %s\n", it->name, it->help);
    }
}

int log_parse_items(const char *str, bool *want_help, GError **errp)
{
    g_auto(GStrv) items = g_strsplit(str, ",", -1);
    int mask = 0;

    if (want_help) {
        *want_help = false;
    }
    for (char **p = items; *p; p++) {
        const LogItem *it;

        if (!**p) {
            continue;
        }
        if (!strcmp(*p, "help") || !strcmp(*p, "?")) {
            if (want_help) {
                *want_help = true;
            }
            return 0;
        }
        for (it = log_items; it->name; it++) {
            if (!strcmp(*p, it->name)) {
                mask |= it->mask;
                break;
            }
        }
        if (!it->name) {
            error_setg(errp, "unknown log item '%s' (try -d help)", *p);
            return -1;
        }
    }
    return mask;
}

void log_set_mask(int mask)
{
    ember_loglevel = mask;
}

bool log_set_file(const char *path, GError **errp)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        error_setg_errno(errp, errno, "cannot open log file '%s'", path);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (logfile && logfile != stderr) {
        fclose(logfile);
    }
    logfile = f;
    return true;
}

FILE *log_file(void)
{
    return logfile ? logfile : stderr;
}

void log_lock(void)
{
    g_mutex_lock(&log_mutex);
}

void log_unlock(void)
{
    g_mutex_unlock(&log_mutex);
}

void ember_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(log_file(), fmt, ap);
    va_end(ap);
}
