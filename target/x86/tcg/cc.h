/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lazy flags: the last flag-setting operation's kind (cc_op) and its
 * operands/result in cc_dst/cc_src/cc_src2. EFLAGS' arithmetic bits are
 * computed from these only when read (SDM vol. 1, 3.4.3.1 and appendix
 * A for which instruction sets which flag).
 *
 * Per kind (X = B/W/L/Q for 8/16/32/64 bits):
 *   ADDX   dst = result, src = second operand
 *   ADCX   dst = result, src = second operand, src2 = carry in
 *   SUBX   dst = result, src = second operand (first = dst + src)
 *   SBBX   dst = result, src = second operand, src2 = borrow in
 *   LOGICX dst = result (CF = OF = AF = 0)
 *   INCX   dst = result, src = the CF before (INC/DEC keep CF)
 *   DECX   as INC
 *   SHLX   dst = result, src = operand << (count - 1) (CF = its top bit)
 *   SARX   dst = result, src = operand >> (count - 1) (CF = its bit 0;
 *          OF = top bit of (src ^ dst), right for SHR and SAR by 1)
 *   MULX   dst = low result, src = non-zero when CF = OF = 1
 *   BLSIX  dst = result, src = source (CF = source != 0)  [BLSI]
 *   BMILGX dst = result, src = CF (ANDN, BEXTR, BZHI ...: OF = 0)
 *   POPCNT dst = result (ZF = result == 0, rest 0)
 *   CLR    all zero but ZF and PF (XOR r, r)
 *   EFLAGS src = the arithmetic flags themselves
 */
#ifndef TARGET_X86_TCG_CC_H
#define TARGET_X86_TCG_CC_H

enum {
    CC_OP_DYNAMIC = 0,      /* only known at run time (env->cc_op) */
    CC_OP_EFLAGS_ = 1,      /* = CC_OP_EFLAGS in cpu.h */
    CC_OP_CLR,
    CC_OP_POPCNT,
    CC_OP_MULB, CC_OP_MULW, CC_OP_MULL, CC_OP_MULQ,
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL, CC_OP_ADDQ,
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL, CC_OP_ADCQ,
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL, CC_OP_SUBQ,
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL, CC_OP_SBBQ,
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL, CC_OP_LOGICQ,
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL, CC_OP_INCQ,
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL, CC_OP_DECQ,
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL, CC_OP_SHLQ,
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL, CC_OP_SARQ,
    CC_OP_BLSIB, CC_OP_BLSIW, CC_OP_BLSIL, CC_OP_BLSIQ,
    CC_OP_BMILGB, CC_OP_BMILGW, CC_OP_BMILGL, CC_OP_BMILGQ,
    CC_OP_NB,
};

static inline int cc_op_size(int op)
{
    return op >= CC_OP_MULB ? (op - CC_OP_MULB) & 3 : 3;
}

static inline int cc_op_kind(int op)
{
    return op >= CC_OP_MULB ? op - ((op - CC_OP_MULB) & 3) : op;
}

/* The arithmetic flags (CC_ARITH_MASK bits) of a lazy state. */
uint64_t cc_compute_all(uint64_t dst, uint64_t src, uint64_t src2, int op);
uint64_t cc_compute_c(uint64_t dst, uint64_t src, uint64_t src2, int op);

#endif
