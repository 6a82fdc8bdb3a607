/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EFLAGS assembly from the lazily kept arithmetic flags.
 * Provisional: only CC_OP_EFLAGS (flags kept whole in cc_src) until the
 * translator's lazy-flag operations exist.
 */
#include "ember/osdep.h"
#include "target/x86/cpu.h"

uint64_t cpu_compute_eflags(CPUX86State *env)
{
    uint64_t fl = env->eflags & ~(uint64_t)(CC_ARITH_MASK | DF_MASK);

    if (env->cc_op == CC_OP_EFLAGS) {
        fl |= env->cc_src & CC_ARITH_MASK;
    } else {
        fl |= env->eflags & CC_ARITH_MASK;
    }
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
    env->eflags = (eflags & ~(uint64_t)CC_ARITH_MASK) | 0x2;
    env->eflags = (env->eflags & ~(uint64_t)CC_ARITH_MASK) |
                  (eflags & CC_ARITH_MASK);
}
