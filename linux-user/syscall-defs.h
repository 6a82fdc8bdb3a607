/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's system calls, described once: name, argument kinds, and
 * what the kernel writes back. -strace prints from it; the emulation
 * uses it to make guest buffers writable before the kernel fills them;
 * a host with another ABI would translate structures from the kinds.
 */
#ifndef LINUX_USER_SYSCALL_DEFS_H
#define LINUX_USER_SYSCALL_DEFS_H

#include "ember/osdep.h"

enum {
    A_NONE,
    A_INT,          /* signed decimal */
    A_UINT,
    A_HEX,
    A_PTR,          /* guest pointer, not followed */
    A_STR,          /* NUL-terminated string in */
    A_FD,
    A_BUF,          /* buffer in, length in the next argument */
    A_OBUF,         /* buffer out, length in the next argument */
    A_OFLAGS,       /* open flags */
    A_MODE,         /* octal */
    A_SIG,
    A_OSTRUCT,      /* structure out, size in SyscallInfo.out_size */
};

#define SC_RESTART  0x01    /* restarted after a SA_RESTART handler */
#define SC_NORET    0x02    /* does not return (exit) */

typedef struct SyscallInfo {
    const char *name;
    uint8_t nargs;
    uint8_t arg[6];
    uint8_t flags;
    uint16_t out_size;      /* A_OSTRUCT size */
} SyscallInfo;

const SyscallInfo *syscall_info(uint64_t nr);

#endif
