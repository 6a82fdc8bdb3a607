/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A translation block (TB): the host code for a run of guest
 * instructions, keyed by (guest PC, CS base, flags).
 */
#ifndef EXEC_TRANSLATION_BLOCK_H
#define EXEC_TRANSLATION_BLOCK_H

#include "ember/osdep.h"
#include "tcg/tcg.h"

/* cflags */
#define CF_COUNT_MASK   0x000001ff  /* max guest insns (0: default) */
#define CF_NOCACHE      0x00010000  /* run once, not in the cache */
#define CF_NO_PROTECT   0x00020000  /* do not write-protect the page */
#define CF_NO_CHAIN     0x00040000

struct TranslationBlock {
    uint64_t pc;                /* guest virtual PC (user mode: = address) */
    uint64_t cs_base;
    uint32_t flags;             /* hflags the code depends on */
    uint32_t cflags;
    uint32_t size;              /* guest bytes covered */
    uint32_t icount;
    /* Guest pages covered (first, and second if the TB crosses a page;
     * -1 when not). In system mode these become physical pages. */
    uint64_t page_addr[2];

    const void *tc_ptr;         /* executable address of the code */
    uint32_t tc_size;

    /* Direct jumps (goto_tb slots): offsets relative to tc_ptr of the
     * patchable jump and of its unchained destination. */
    uint16_t jmp_insn_offset[2];
    uint16_t jmp_reset_offset[2];
    uintptr_t jmp_dest[2];      /* TB chained to, or 0 */
    GPtrArray *jmp_incoming;    /* (TB * | slot) that jump here */

    /* Fault recovery: per guest instruction {pc, cc_op}, and the host
     * sites of guest memory accesses with where the dirty globals live. */
    uint32_t nb_insns;
    uint64_t (*insn_data)[2];
    uint32_t nb_sites;
    TCGFaultSite *sites;
    uint8_t *site_map;          /* (global index, host reg) pairs */

    bool invalid;
};

#endif
