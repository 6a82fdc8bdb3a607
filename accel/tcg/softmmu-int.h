/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interfaces between the system-mode files of accel/tcg. */
#ifndef ACCEL_TCG_SOFTMMU_INT_H
#define ACCEL_TCG_SOFTMMU_INT_H

#include "exec/cputlb.h"
#include "exec/exec-all.h"

/* The mode hooks of system mode (cputlb.c); registers the memory
 * listener and the RAM write hook on first use. */
const TCGModeOps *tcg_softmmu_mode_ops(const TCGSysTarget *target,
                                       bool (*exec_interrupt)(CPUState *));
/* Install a translation (called by the target's tlb_fill path). */
void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t phys, int prot,
                  int mmu_idx, uint64_t page_size);
/* Translated code appeared on a host page: route its writes slowly. */
void tlb_protect_code_page(uintptr_t hpage);
/* Did the memory map change since the last refresh? */
bool tcg_memory_map_changed(void);

#endif
