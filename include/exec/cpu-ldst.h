/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory access from helpers: cpu_ld*_data_ra / cpu_st*_data_ra.
 * ra is the helper's GETPC(): a fault rebuilds the guest state at the
 * instruction that called the helper.
 *
 * User mode: guest address a is host address guest_base + a; the
 * access is a plain host access, and a host fault while helper_retaddr
 * is set is the guest's fault. System mode will implement the same
 * functions with the soft TLB (see docs/jit.md).
 */
#ifndef EXEC_CPU_LDST_H
#define EXEC_CPU_LDST_H

#include "ember/osdep.h"
#include "exec/user-mem.h"
#include "exec/cputlb.h"

extern __thread uintptr_t helper_retaddr;

static inline void set_helper_retaddr(uintptr_t ra)
{
    helper_retaddr = ra;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void clear_helper_retaddr(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    helper_retaddr = 0;
}

/* System mode (tcg_softmmu set) goes through the soft TLB. */
#define CPU_LD(name, type, fn)                                          \
    static inline type cpu_##name##_data_ra(void *env, uint64_t addr,   \
                                            uintptr_t ra)               \
    {                                                                   \
        type v;                                                         \
        if (tcg_softmmu) {                                              \
            return tcg_softmmu->ld_ra(env, addr, sizeof(type), ra);     \
        }                                                               \
        set_helper_retaddr(ra);                                         \
        v = fn(g2h(addr));                                              \
        clear_helper_retaddr();                                         \
        return v;                                                       \
    }
#define CPU_ST(name, type, fn)                                          \
    static inline void cpu_##name##_data_ra(void *env, uint64_t addr,   \
                                            type v, uintptr_t ra)       \
    {                                                                   \
        if (tcg_softmmu) {                                              \
            tcg_softmmu->st_ra(env, addr, v, sizeof(type), ra);         \
            return;                                                     \
        }                                                               \
        set_helper_retaddr(ra);                                         \
        fn(g2h(addr), v);                                               \
        clear_helper_retaddr();                                         \
    }

static inline uint8_t ldub_p(const void *p)
{
    return *(const volatile uint8_t *)p;
}
static inline void stb_p(void *p, uint8_t v)
{
    *(volatile uint8_t *)p = v;
}

CPU_LD(ldub, uint8_t, ldub_p)
CPU_LD(lduw, uint16_t, lduw_le_p)
CPU_LD(ldl, uint32_t, ldl_le_p)
CPU_LD(ldq, uint64_t, ldq_le_p)
CPU_ST(stb, uint8_t, stb_p)
CPU_ST(stw, uint16_t, stw_le_p)
CPU_ST(stl, uint32_t, stl_le_p)
CPU_ST(stq, uint64_t, stq_le_p)

#undef CPU_LD
#undef CPU_ST

/* Host address of [addr, addr + len) for a bulk access that stays
 * within one page; in user mode simply g2h. Faults still go through
 * helper_retaddr. */
static inline void *cpu_host_addr(void *env, uint64_t addr, size_t len)
{
    return g2h(addr);
}

/*
 * The same with the access kind and the helper's GETPC(), for code that
 * runs in both modes: NULL in system mode when [addr, addr + len) is not
 * plain RAM (MMIO, translated code, logged display memory); then use
 * the element accessors above.
 */
static inline void *cpu_host_addr_ra(void *env, uint64_t addr, size_t len,
                                     bool is_write, uintptr_t ra)
{
    if (tcg_softmmu) {
        return tcg_softmmu->host_ra(env, addr, len, is_write, ra);
    }
    return g2h(addr);
}

#endif
