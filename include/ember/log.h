/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -d / -D debug logging.
 *
 * ember_log_mask(LOG_GUEST_ERROR, "...") prints only when the item is
 * enabled with -d; output goes to the -D file or stderr.
 */
#ifndef EMBER_LOG_H
#define EMBER_LOG_H

#include "ember/osdep.h"

enum {
    LOG_GUEST_ERROR = 1 << 0,   /* guest did something invalid */
    LOG_UNIMP       = 1 << 1,   /* guest used an unimplemented feature */
    LOG_IN_ASM      = 1 << 2,   /* guest code of each translated block */
    LOG_OP          = 1 << 3,   /* IR of each block */
    LOG_OUT_ASM     = 1 << 4,   /* host code of each block */
    LOG_INT         = 1 << 5,   /* interrupts and exceptions */
    LOG_EXEC        = 1 << 6,   /* each executed block */
    LOG_CPU         = 1 << 7,   /* CPU state before each block */
    LOG_ACCEL       = 1 << 8,   /* accelerator choice and set-up */
    LOG_PCALL       = 1 << 9,   /* protected-mode far calls */
    LOG_STRACE      = 1 << 10,  /* user mode: system calls */
    LOG_TB_STATS    = 1 << 11,  /* translation statistics at exit */
    LOG_MMU         = 1 << 12,  /* page walks and TLB flushes */
    LOG_IOPORT      = 1 << 13,  /* port I/O trace */
    LOG_OP_OPT      = 1 << 14,  /* IR after optimization */
};

typedef struct LogItem {
    int mask;
    const char *name;
    const char *help;
} LogItem;

extern const LogItem log_items[];
extern int ember_loglevel;

static inline bool ember_log_enabled(int mask)
{
    return unlikely(ember_loglevel & mask);
}

/*
 * Parse "-d in_asm,int,guest_errors" into a mask. "help" prints the list
 * and returns 0 with *want_help set. Unknown items set errp.
 */
int log_parse_items(const char *str, bool *want_help, GError **errp);
void log_print_help(FILE *f);
void log_set_mask(int mask);
/* -D: log to this file instead of stderr. */
bool log_set_file(const char *path, GError **errp);
FILE *log_file(void);

void ember_log(const char *fmt, ...) EMBER_PRINTF(1, 2);
#define ember_log_mask(mask, ...)                   \
    do {                                            \
        if (ember_log_enabled(mask)) {              \
            ember_log(__VA_ARGS__);                 \
        }                                           \
    } while (0)
/* Serialize multi-line dumps from several threads. */
void log_lock(void);
void log_unlock(void);

#endif
