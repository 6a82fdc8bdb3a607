/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 front end's internal interfaces: the decoder's output and the
 * helpers the emitters (emit-*.c) share.
 */
#ifndef TARGET_X86_TCG_TRANSLATE_H
#define TARGET_X86_TCG_TRANSLATE_H

#include "ember/osdep.h"
#include <setjmp.h>
#include "tcg/tcg-op.h"
#include "exec/translator.h"
#include "exec/exec-all.h"
#include "target/x86/cpu.h"
#include "cc.h"
#include "helper.h"

/* Operand kinds (SDM vol. 2, A.2.1) and sizes (A.2.2). */
enum {
    OPK_NONE, OPK_E, OPK_G, OPK_M, OPK_R, OPK_I, OPK_J, OPK_O, OPK_Z,
    OPK_V, OPK_W, OPK_U, OPK_H, OPK_B, OPK_N, OPK_P, OPK_Q, OPK_S, OPK_C,
    OPK_D, OPK_X, OPK_Y, OPK_L, OPK_FIXREG, OPK_ONE,
};
enum {
    SZ_NONE, SZ_B, SZ_W, SZ_D, SZ_Q, SZ_V, SZ_Z, SZ_Y, SZ_X, SZ_DQ, SZ_P,
    SZ_QQ, SZ_A,
};

/* Mandatory prefix of an entry. */
enum { PFX_ANY, PFX_NP, PFX_66, PFX_F3, PFX_F2 };
enum { MOD_ANY, MOD_MEM, MOD_REG };

/* Entry flags. */
#define F_LOCKOK      0x0001  /* LOCK allowed (with a memory destination) */
#define F_D64       0x0002  /* default operand size 64 in long mode */
#define F_F64       0x0004  /* operand size always 64 in long mode */
#define F_I64       0x0008  /* invalid in 64-bit mode */
#define F_REP       0x0010  /* REP/REPNE prefixes apply */
#define F_MODRM     0x0020
#define F_NOMODRM   0x0040
#define F_VEX       0x0080  /* also valid VEX-encoded */
#define F_VEX_ONLY  0x0100  /* only VEX-encoded */
#define F_L0        0x0200  /* VEX.L must be 0 */
#define F_W0        0x0400  /* REX.W/VEX.W must be 0 */
#define F_W1        0x0800  /* must be 1 */
#define F_END       0x1000  /* ends the block */
#define F_NOSEG     0x2000
#define F_SYS       0x4000  /* system mode translates it (sys hook) */
#define F_O64       0x8000  /* only valid in 64-bit mode */

typedef struct X86Insn X86Insn;
typedef struct DisasContext DisasContext;

typedef struct X86OpEntry {
    const char *name;
    void (*gen)(DisasContext *s, X86Insn *d);
    int arg;
    const TCGHelperInfo *helper;
    uint8_t kind[4];
    uint8_t size[4];
    uint8_t fixreg[4];
    uint8_t map, opcode, prefix;
    int8_t reg, rm;
    uint8_t mod;
    uint8_t feat_word;
    uint32_t feat_bit;
    uint32_t flags;
} X86OpEntry;

/* A decoded operand. */
enum { LOC_NONE, LOC_REG, LOC_MEM, LOC_IMM, LOC_XMM, LOC_MMX, LOC_SEG,
       LOC_CR, LOC_DR };

typedef struct X86Op {
    uint8_t loc;
    uint8_t ot;         /* MemOp size; MO_128 for vectors */
    uint8_t reg;
    bool high8;         /* AH, CH, DH, BH */
    int64_t imm;
} X86Op;

#define MO_128 4
#define MO_256 5

struct X86Insn {
    const X86OpEntry *e;
    X86Op op[4];
    MemOp ot;           /* the operation size */
    int b;              /* opcode byte */
    int modrm;
    bool has_modrm;
    /* The memory operand. */
    int base, index, scale, seg;
    int64_t disp;
    bool rip_rel;
    bool has_mem;
    TCGv addr;          /* computed on first use */
};

/* Prefix bits. */
#define PREFIX_REPZ   0x01
#define PREFIX_REPNZ  0x02
#define PREFIX_LOCK   0x04
#define PREFIX_DATA   0x08
#define PREFIX_ADR    0x10
#define PREFIX_VEX    0x20
#define PREFIX_REX    0x40

struct DisasContext {
    DisasContextBase base;
    CPUX86State *env;
    CPUState *cs;

    uint64_t pc_start;      /* this instruction */
    uint64_t pc;            /* next byte to decode */
    uint32_t flags;
    bool code64;
    int cpl;
    int mem_index;

    /* Current instruction's prefixes. */
    int prefix;
    int rep;                /* last of F2/F3 */
    int rex_w, rex_r, rex_x, rex_b;
    int vex_l, vex_v, vex_w;
    int override;           /* segment, or -1 */
    MemOp dflag;            /* operand size */
    MemOp aflag;            /* address size */

    /* Lazy flags. */
    int cc_op;
    bool cc_op_dirty;
    TCGv cc_srcT;           /* first operand of the last SUB/CMP */

    /* Decoding. */
    jmp_buf fetch_jmp;
    uint64_t fetch_fault_addr;
    int insn_start_op;      /* op index of this insn's insn_start */
    bool jmp_opt;           /* direct chaining allowed */
};

/* Globals. */
extern TCGv cpu_regs[CPU_NB_REGS];
extern TCGv cpu_cc_dst, cpu_cc_src, cpu_cc_src2, cpu_cc_op;
extern TCGv cpu_rip;
extern TCGv cpu_seg_base[6];

/* Block endings (DISAS_TARGET_*). */
#define DISAS_JUMP      DISAS_TARGET_0  /* rip set: look up the next TB */
#define DISAS_EOB_NEXT  DISAS_TARGET_1  /* end the block at s->pc */
#define DISAS_EOB_ONLY  DISAS_TARGET_2  /* rip stored; back to the loop */

/* ALU op codes (the /reg of opcodes 80-83). */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
       ALU_CMP };
/* Shift op codes (the /reg of C0/C1/D0-D3). */
enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

/* translate.c: operand access, flags, control flow. */
TCGv gen_lea_addr(DisasContext *s, X86Insn *d);
void gen_cmovcc(DisasContext *s, int b, TCGType t, TCGv d, TCGv v1,
                TCGv v2);
TCGv gen_ld_op(DisasContext *s, X86Insn *d, int i);
void gen_st_op(DisasContext *s, X86Insn *d, int i, TCGv v);
TCGv gen_ld_reg(DisasContext *s, MemOp ot, int reg);
void gen_st_reg(DisasContext *s, MemOp ot, int reg, TCGv v);
void gen_qemu_ld(DisasContext *s, TCGv v, TCGv addr, MemOp mop);
void gen_qemu_st(DisasContext *s, TCGv v, TCGv addr, MemOp mop);
TCGv gen_seg_addr(DisasContext *s, TCGv addr, int seg, int def_seg);
void gen_ext_size(TCGv d, TCGv v, MemOp ot, bool sign);
void set_cc_op(DisasContext *s, int op);
void gen_update_cc_op(DisasContext *s);
void gen_jmp_cache_probe(DisasContext *s);
void gen_discard_flags(DisasContext *s);
void gen_jcc_label_last(DisasContext *s, int b, int label);
/* Are the flags in mask written before being read on every path from
 * pc (flagscan.c)? False when unsure. */
bool x86_flags_dead_after(DisasContext *s, uint64_t pc, uint32_t mask);
TCGv gen_compute_eflags(DisasContext *s);
TCGv gen_compute_cf(DisasContext *s);
void gen_setcc(DisasContext *s, int b, TCGv d);
void gen_jcc_label(DisasContext *s, int b, int label);
void gen_exception(DisasContext *s, int excp);
void gen_illegal_opcode(DisasContext *s);
void gen_jmp_to(DisasContext *s, uint64_t dest);
void gen_jmp_indirect(DisasContext *s, TCGv dest);
void gen_goto_tb(DisasContext *s, int n, uint64_t dest);
void gen_push(DisasContext *s, MemOp ot, TCGv v);
TCGv gen_pop(DisasContext *s, MemOp ot);
void gen_end_block_next(DisasContext *s);
MemOp stack_ot(DisasContext *s);
TCGv env_ptr(intptr_t off);
void gen_update_rip(DisasContext *s, uint64_t pc);

/*
 * System instructions: entries flagged F_SYS go to this hook when it is
 * set (system mode: target/x86/tcg/sysemu/translate-sys.c); otherwise
 * to the entry's own handler (user mode's behaviour).
 */
extern void (*x86_sys_translate)(DisasContext *s, X86Insn *d);

/* emit-x87.c */
void gen_x87(DisasContext *s, X86Insn *d);
/* Reads the guest registers as helpers see them. */

static inline TCGType ot_type(MemOp ot)
{
    return ot == MO_64 ? TCG_TYPE_I64 : TCG_TYPE_I32;
}

#endif
