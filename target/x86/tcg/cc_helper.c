/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EFLAGS from the lazy-flags state (see cc.h), and the full EFLAGS
 * accessors used outside the translator (signal frames, KVM, gdb).
 */
#include "ember/osdep.h"
#include "target/x86/cpu.h"
#include "cc.h"
#include "helper.h"

static inline uint64_t parity(uint64_t v)
{
    return __builtin_parity(v & 0xff) ? 0 : CC_P;
}

uint64_t cc_compute_all(uint64_t dst, uint64_t src, uint64_t src2, int op)
{
    int kind = cc_op_kind(op), sz = cc_op_size(op);
    int bits = 8 << sz;
    uint64_t mask = sz == 3 ? ~0ull : (1ull << bits) - 1;
    uint64_t sign = 1ull << (bits - 1);
    uint64_t d = dst & mask, s = src & mask, s1, c;
    uint64_t cf = 0, af = 0, of = 0;
    uint64_t zf = d == 0 ? CC_Z : 0;
    uint64_t sf = (d & sign) ? CC_S : 0;
    uint64_t pf = parity(d);

    switch (kind) {
    case CC_OP_EFLAGS:
        return src & CC_ARITH_MASK;
    case CC_OP_CLR:
        return CC_Z | CC_P;
    case CC_OP_POPCNT:
        return zf;
    case CC_OP_DYNAMIC:
        return 0;
    case CC_OP_ADDB:
        s1 = (d - s) & mask;
        cf = d < s;
        af = (d ^ s ^ s1) & CC_A;
        of = ((s1 ^ s ^ mask) & (s1 ^ d) & sign) ? CC_O : 0;
        break;
    case CC_OP_ADCB:
        c = src2 & 1;
        s1 = (d - s - c) & mask;
        cf = c ? d <= s : d < s;
        af = (d ^ s ^ s1) & CC_A;
        of = ((s1 ^ s ^ mask) & (s1 ^ d) & sign) ? CC_O : 0;
        break;
    case CC_OP_SUBB:
        s1 = (d + s) & mask;
        cf = s1 < s;
        af = (d ^ s ^ s1) & CC_A;
        of = ((s1 ^ s) & (s1 ^ d) & sign) ? CC_O : 0;
        break;
    case CC_OP_SBBB:
        c = src2 & 1;
        s1 = (d + s + c) & mask;
        cf = c ? s1 <= s : s1 < s;
        af = (d ^ s ^ s1) & CC_A;
        of = ((s1 ^ s) & (s1 ^ d) & sign) ? CC_O : 0;
        break;
    case CC_OP_LOGICB:
        break;
    case CC_OP_INCB:
        cf = src & 1;
        s1 = (d - 1) & mask;
        af = (d ^ s1 ^ 1) & CC_A;
        of = d == sign ? CC_O : 0;
        break;
    case CC_OP_DECB:
        cf = src & 1;
        s1 = (d + 1) & mask;
        af = (d ^ s1 ^ 1) & CC_A;
        of = d == sign - 1 ? CC_O : 0;
        break;
    case CC_OP_SHLB:
        cf = (s >> (bits - 1)) & 1;
        of = (cf ^ !!sf) ? CC_O : 0;
        break;
    case CC_OP_SARB:
        cf = s & 1;
        of = ((s ^ d) & sign) ? CC_O : 0;
        break;
    case CC_OP_MULB:
        cf = s != 0;
        of = cf ? CC_O : 0;
        break;
    case CC_OP_BLSIB:
        cf = s != 0;
        break;
    case CC_OP_BMILGB:
        cf = src & 1;
        break;
    default:
        g_assert_not_reached();
    }
    return cf | pf | af | zf | sf | of;
}

uint64_t cc_compute_c(uint64_t dst, uint64_t src, uint64_t src2, int op)
{
    return cc_compute_all(dst, src, src2, op) & CC_C;
}

uint64_t helper_cc_compute_all(uint64_t dst, uint64_t src, uint64_t src2,
                               uint64_t op)
{
    return cc_compute_all(dst, src, src2, op);
}

uint64_t helper_cc_compute_c(uint64_t dst, uint64_t src, uint64_t src2,
                             uint64_t op)
{
    return cc_compute_all(dst, src, src2, op) & CC_C;
}

uint64_t cpu_compute_eflags(CPUX86State *env)
{
    uint64_t fl = env->eflags & ~(uint64_t)(CC_ARITH_MASK | DF_MASK);

    fl |= cc_compute_all(env->cc_dst, env->cc_src, env->cc_src2, env->cc_op);
    if (env->df < 0) {
        fl |= DF_MASK;
    }
    return fl | 0x2;
}

void cpu_load_eflags(CPUX86State *env, uint64_t eflags, uint64_t mask)
{
    uint64_t cur = cpu_compute_eflags(env);

    eflags = (cur & ~mask) | (eflags & mask);
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = eflags & CC_ARITH_MASK;
    env->df = (eflags & DF_MASK) ? -1 : 1;
    /* Kept complete too, for code outside TCG that reads it. */
    env->eflags = eflags | 0x2;
}
