/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic translator loop and guest-code fetch. A front end
 * provides TranslatorOps; the loop calls translate_insn until the
 * instruction limit, a page end, or the front end ends the block.
 */
#ifndef EXEC_TRANSLATOR_H
#define EXEC_TRANSLATOR_H

#include "ember/osdep.h"
#include "hw/core/cpu.h"
#include "exec/translation-block.h"

typedef enum DisasJumpType {
    DISAS_NEXT,         /* go on with the next instruction */
    DISAS_TOO_MANY,     /* the limit was reached: chain to the next PC */
    DISAS_NORETURN,     /* the block ended in code that never returns */
    DISAS_TARGET_0,     /* front-end specific endings from here */
    DISAS_TARGET_1,
    DISAS_TARGET_2,
    DISAS_TARGET_3,
} DisasJumpType;

typedef struct DisasContextBase {
    TranslationBlock *tb;
    uint64_t pc_first;
    uint64_t pc_next;
    DisasJumpType is_jmp;
    int num_insns;
    int max_insns;
    /* Code fetch cache: host addresses of the TB's one or two pages. */
    uint64_t page_addr[2];
    const uint8_t *page_host[2];
    bool fetch_fault;   /* a fetch touched a page that cannot execute */
} DisasContextBase;

typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db, CPUState *cpu);
    void (*tb_start)(DisasContextBase *db, CPUState *cpu);
    void (*insn_start)(DisasContextBase *db, CPUState *cpu);
    void (*translate_insn)(DisasContextBase *db, CPUState *cpu);
    void (*tb_stop)(DisasContextBase *db, CPUState *cpu);
} TranslatorOps;

void translator_loop(CPUState *cpu, TranslationBlock *tb, int max_insns,
                     const TranslatorOps *ops, DisasContextBase *db);

/*
 * Fetch len bytes of guest code at pc. Returns false if any byte is on
 * a page that cannot be executed (db->fetch_fault is then set); the
 * front end ends the block there, or raises the fault when it is the
 * block's first instruction.
 */
bool translator_fetch(DisasContextBase *db, CPUState *cpu, uint64_t pc,
                      void *buf, size_t len);

/*
 * May a direct jump to dest, from the instruction whose last byte is at
 * insn_last, be chained to its target (goto_tb)? Always in user mode; in
 * system mode only when dest lies on one of the block's own pages: the
 * mapping of any other page may change before the jump runs again, so
 * such a jump looks its target up at run time instead.
 */
bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest,
                            uint64_t insn_last);

/* Front-end entry points (target/x86/tcg). */
void gen_intermediate_code(CPUState *cpu, TranslationBlock *tb,
                           int max_insns);
void tcg_target_init_globals(void);
void restore_state_to_opc(CPUState *cpu, const TranslationBlock *tb,
                          const uint64_t data[2]);
void cpu_get_tb_cpu_state(CPUState *cpu, uint64_t *pc, uint64_t *cs_base,
                          uint32_t *flags);
/* Around running generated code: the host FPU/SSE control state follows
 * the guest's (exit is safe to call when not entered). */
void tcg_target_exec_enter(CPUState *cpu);
void tcg_target_exec_exit(CPUState *cpu);
/* Fault while fetching the first instruction of a block. */
void EMBER_NORETURN cpu_raise_fetch_fault(CPUState *cpu, uint64_t addr);

#endif
