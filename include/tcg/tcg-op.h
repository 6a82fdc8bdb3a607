/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emitting IR: the functions a front end calls.
 *
 * Naming: tcg_gen_OP_i64 works on all 64 bits, tcg_gen_OP_i32 on the
 * low 32 (result zero-extended), tcg_gen_OPi_* takes an immediate.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

void tcg_gen_op1(TCGOpcode opc, TCGType type, TCGArg a1);
void tcg_gen_op2(TCGOpcode opc, TCGType type, TCGv a1, TCGv a2);
void tcg_gen_op3(TCGOpcode opc, TCGType type, TCGv d, TCGv a, TCGv b);

void tcg_gen_mov(TCGv d, TCGv s);
void tcg_gen_movi(TCGv d, uint64_t v);

#define TCG_GEN_BINARY(name)                                         \
    static inline void tcg_gen_##name##_i64(TCGv d, TCGv a, TCGv b)   \
    {                                                                \
        tcg_gen_op3(INDEX_op_##name, TCG_TYPE_I64, d, a, b);         \
    }                                                                \
    static inline void tcg_gen_##name##_i32(TCGv d, TCGv a, TCGv b)   \
    {                                                                \
        tcg_gen_op3(INDEX_op_##name, TCG_TYPE_I32, d, a, b);         \
    }                                                                \
    static inline void tcg_gen_##name##i_i64(TCGv d, TCGv a,          \
                                             uint64_t b)             \
    {                                                                \
        tcg_gen_op3(INDEX_op_##name, TCG_TYPE_I64, d, a,             \
                    tcg_constant(b));                                \
    }                                                                \
    static inline void tcg_gen_##name##i_i32(TCGv d, TCGv a,          \
                                             uint64_t b)             \
    {                                                                \
        tcg_gen_op3(INDEX_op_##name, TCG_TYPE_I32, d, a,             \
                    tcg_constant((uint32_t)b));                      \
    }                                                                \
    static inline void tcg_gen_##name(TCGType t, TCGv d, TCGv a,      \
                                      TCGv b)                        \
    {                                                                \
        tcg_gen_op3(INDEX_op_##name, t, d, a, b);                    \
    }

TCG_GEN_BINARY(add)
TCG_GEN_BINARY(sub)
TCG_GEN_BINARY(mul)
TCG_GEN_BINARY(and)
TCG_GEN_BINARY(or)
TCG_GEN_BINARY(xor)
TCG_GEN_BINARY(andc)
TCG_GEN_BINARY(shl)
TCG_GEN_BINARY(shr)
TCG_GEN_BINARY(sar)
TCG_GEN_BINARY(rotl)
TCG_GEN_BINARY(rotr)
TCG_GEN_BINARY(clz)
TCG_GEN_BINARY(ctz)
#undef TCG_GEN_BINARY

#define TCG_GEN_UNARY_T(name)                                        \
    static inline void tcg_gen_##name##_i64(TCGv d, TCGv a)           \
    {                                                                \
        tcg_gen_op2(INDEX_op_##name, TCG_TYPE_I64, d, a);            \
    }                                                                \
    static inline void tcg_gen_##name##_i32(TCGv d, TCGv a)           \
    {                                                                \
        tcg_gen_op2(INDEX_op_##name, TCG_TYPE_I32, d, a);            \
    }                                                                \
    static inline void tcg_gen_##name(TCGType t, TCGv d, TCGv a)      \
    {                                                                \
        tcg_gen_op2(INDEX_op_##name, t, d, a);                       \
    }
TCG_GEN_UNARY_T(neg)
TCG_GEN_UNARY_T(not)
TCG_GEN_UNARY_T(ctpop)
#undef TCG_GEN_UNARY_T

#define TCG_GEN_UNARY(name)                                          \
    static inline void tcg_gen_##name(TCGv d, TCGv a)                \
    {                                                                \
        tcg_gen_op2(INDEX_op_##name, TCG_TYPE_I64, d, a);            \
    }
TCG_GEN_UNARY(ext8s)
TCG_GEN_UNARY(ext8u)
TCG_GEN_UNARY(ext16s)
TCG_GEN_UNARY(ext16u)
TCG_GEN_UNARY(ext32s)
TCG_GEN_UNARY(ext32u)
TCG_GEN_UNARY(bswap16)
TCG_GEN_UNARY(bswap32)
TCG_GEN_UNARY(bswap64)
#undef TCG_GEN_UNARY

void tcg_gen_mulu2(TCGType t, TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_muls2(TCGType t, TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_deposit(TCGv d, TCGv a, TCGv b, unsigned pos, unsigned len);
void tcg_gen_extract(TCGv d, TCGv a, unsigned pos, unsigned len);
void tcg_gen_sextract(TCGv d, TCGv a, unsigned pos, unsigned len);
void tcg_gen_setcond(TCGType t, TCGCond c, TCGv d, TCGv a, TCGv b);
void tcg_gen_negsetcond(TCGType t, TCGCond c, TCGv d, TCGv a, TCGv b);
void tcg_gen_movcond(TCGType t, TCGCond c, TCGv d, TCGv c1, TCGv c2,
                     TCGv v1, TCGv v2);

/* Sign/zero extension from a MemOp size. */
void tcg_gen_ext(TCGv d, TCGv a, MemOp size_sign);

/* CPU state (base is normally tcg_ctx->env). */
void tcg_gen_ld(MemOp op, TCGv d, TCGv base, intptr_t off);
void tcg_gen_st(MemOp op, TCGv v, TCGv base, intptr_t off);
static inline void tcg_gen_ld_i64(TCGv d, TCGv base, intptr_t off)
{
    tcg_gen_ld(MO_64, d, base, off);
}
static inline void tcg_gen_st_i64(TCGv v, TCGv base, intptr_t off)
{
    tcg_gen_st(MO_64, v, base, off);
}

/* Guest memory. */
void tcg_gen_qemu_ld(TCGv d, TCGv addr, MemOpIdx oi);
void tcg_gen_qemu_st(TCGv v, TCGv addr, MemOpIdx oi);
void tcg_gen_atomic_cmpxchg(TCGv old, TCGv addr, TCGv cmp, TCGv nv,
                            MemOpIdx oi);
void tcg_gen_atomic_xchg(TCGv old, TCGv addr, TCGv nv, MemOpIdx oi);
void tcg_gen_atomic_xadd(TCGv old, TCGv addr, TCGv val, MemOpIdx oi);

/* Control flow. */
void tcg_gen_br(int label);
void tcg_gen_brcond(TCGType t, TCGCond c, TCGv a, TCGv b, int label);
void tcg_gen_brcondi(TCGType t, TCGCond c, TCGv a, uint64_t b, int label);
void tcg_gen_set_label(int label);
void tcg_gen_insn_start(uint64_t d0, uint64_t d1);
void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx);
void tcg_gen_goto_tb(unsigned idx);
void tcg_gen_goto_ptr(TCGv ptr);
void tcg_gen_discard(TCGv t);

/*
 * Same-ISA replay. An x86 front end on a back end that emits x86-64
 * code (tcg_can_replay_x86()) may have the host run an SSE instruction
 * itself, on vector registers that live in env: the host loads the
 * destination (and source) register from env, runs the instruction and
 * stores the destination back. The host's MXCSR is the guest's while
 * generated code runs, so rounding, flags and exceptions are the
 * guest's. The front end checks that the host has the instruction.
 * Encoding (TCG_X86_VEC_*): opcode, map, mandatory prefix, imm8.
 */
#define TCG_X86_VEC_MAP(m)      ((m) << 8)      /* 1: 0F, 2: 0F38, 3: 0F3A */
#define TCG_X86_VEC_PFX(p)      ((p) << 10)     /* 0, 1: 66, 2: F3, 3: F2 */
#define TCG_X86_VEC_GROUP(n)    (0x8000 | ((n) << 12)) /* op xmm, imm: /n */
#define TCG_X86_VEC_IMM(i)      (0x10000 | ((uint32_t)(i) & 0xff) << 17)
#define TCG_X86_VEC_WRITE_ONLY  (1u << 25)      /* destination not read */
#define TCG_X86_VEC_REXW        (1u << 26)      /* 64-bit general register */
#define TCG_X86_VEC_GPR_RM      (1u << 27)      /* it is ModRM.rm, not .reg */
#define TCG_X86_VEC_EFLAGS      (1u << 28)      /* out = arithmetic flags */
bool tcg_can_replay_x86(void);
void tcg_gen_x86_vec(uint32_t enc, intptr_t dofs, intptr_t sofs);
/* out = the general-register result of the instruction on the vector
 * at off (x86_vec_out); with TCG_X86_VEC_EFLAGS, the EFLAGS it leaves
 * comparing the vectors at off (ModRM.reg) and off2 (ModRM.rm). */
void tcg_gen_x86_vec_out(uint32_t enc, TCGv out, intptr_t off,
                         intptr_t off2);
/* The vector at off = the instruction on it and the general register
 * in (x86_vec_in). */
void tcg_gen_x86_vec_in(uint32_t enc, TCGv in, intptr_t off);

/* Helper calls: ret may be NULL; args are temps. */
void tcg_gen_call(const TCGHelperInfo *info, TCGv ret, int nargs,
                  TCGv *args);
void tcg_gen_call0(const TCGHelperInfo *info, TCGv ret);
void tcg_gen_call1(const TCGHelperInfo *info, TCGv ret, TCGv a1);
void tcg_gen_call2(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2);
void tcg_gen_call3(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3);
void tcg_gen_call4(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3, TCGv a4);
void tcg_gen_call5(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3, TCGv a4, TCGv a5);

/* exit_tb values: a TB pointer plus the jump slot that should be chained
 * (0 or 1), or TB_EXIT_REQUESTED when the entry check saw exit_request. */
#define TB_EXIT_IDX0 0
#define TB_EXIT_IDX1 1
#define TB_EXIT_REQUESTED 3
#define TB_EXIT_MASK 3

#endif
