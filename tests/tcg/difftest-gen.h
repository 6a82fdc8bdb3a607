/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The differential tester's instruction generator. */
#ifndef DIFFTEST_GEN_H
#define DIFFTEST_GEN_H

#include <stddef.h>
#include <stdint.h>

#define DT_MAX_BYTES 8192

typedef struct DtSeq {
    uint8_t bytes[DT_MAX_BYTES];
    uint8_t insn_start[DT_MAX_BYTES];
    size_t len;
    uint32_t undef_flags;   /* RFLAGS bits undefined at the end */
    uint32_t undef_regs;    /* GPRs whose value is undefined */
    uint16_t undef_fsw;     /* x87 status bits not compared */
    /* Undefined flags before the instruction at each byte offset (for a
     * fault there). */
    uint32_t undef_at[DT_MAX_BYTES];
} DtSeq;

uint64_t dt_rand(void);
uint64_t dt_gen_vec_value(void);
void dt_generate(DtSeq *seq, int length, const char *classes);

#endif
