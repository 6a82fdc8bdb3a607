/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interfaces between the files of accel/tcg. */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include "exec/exec-all.h"

void tb_maint_init(void);
/* The cached TB for (pc, cs_base, flags) whose code comes from page
 * phys (and whose second page, if any, is still mapped the same). */
TranslationBlock *tb_htable_lookup(CPUState *cpu, uint64_t pc,
                                   uint64_t cs_base, uint32_t flags,
                                   uint64_t phys);
void tb_link(TranslationBlock *tb);
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next);
void tb_flush_locked(void);
void tb_maint_stats(FILE *f);

/* Translate a block (tb_lock held); NULL when the code buffer is full. */
TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base,
                              uint32_t flags, uint32_t cflags);

extern uint64_t tcg_stat_exec_entries;

#endif
