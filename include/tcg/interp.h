/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interpreter back end's per-thread state, for fault recovery: a
 * guest memory access that faults inside the interpreter is a host
 * SIGSEGV in C code, and the handler rebuilds the guest state from the
 * TB and instruction the interpreter was running.
 */
#ifndef TCG_INTERP_H
#define TCG_INTERP_H

#include "ember/osdep.h"
#include "exec/translation-block.h"

#define INTERP_MAX_VALS 1024

typedef struct InterpState {
    const TranslationBlock *tb;     /* NULL when not interpreting */
    unsigned insn;                  /* guest instruction index in tb */
} InterpState;

InterpState *tcg_interp_current(void);

/* A misaligned access that the guest architecture faults on (SSE
 * alignment): raises the guest's general-protection fault. */
void EMBER_NORETURN tcg_interp_raise_unaligned(void);

#endif
