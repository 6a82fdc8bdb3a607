/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 system emulation under TCG: what the files of target/x86/tcg/sysemu
 * share (Intel SDM vol. 3A is the source throughout).
 */
#ifndef TARGET_X86_TCG_SYSEMU_H
#define TARGET_X86_TCG_SYSEMU_H

#include "ember/osdep.h"
#include "exec/cputlb.h"
#include "target/x86/cpu.h"

/* MMU indexes (the front end picks them from the CPL). */
#define MMU_USER_IDX    1
#define MMU_KERNEL_IDX  2

/* Per-vCPU state of system emulation (env->opaque). */
typedef struct X86SysCPU {
    /* An exception or software interrupt waiting for delivery. */
    int pending;                /* vector, or -1 */
    bool pending_is_int;        /* INT n / INT3 / INTO */
    bool pending_has_err;
    uint32_t pending_err;
    uint64_t pending_next_eip;
    /* Delivery of this exception is under way (double fault rules). */
    int delivering;
    /* Set by software-interrupt helpers for the exit they cause. */
    bool raise_is_int;
    uint64_t raise_next_eip;
    /* TSC: value = tsc_offset + virtual ns * TSC_HZ / 1e9. */
    int64_t tsc_offset;
} X86SysCPU;

/* The nominal TSC frequency: the TSC counts virtual time (SDM 3B 17.17). */
#define X86_TSC_HZ          2000000000ULL

static inline X86SysCPU *x86_sys(CPUX86State *env)
{
    return env->opaque;
}

static inline int cpu_cpl(CPUX86State *env)
{
    return env->hflags & HF_CPL_MASK;
}

/* ---- mmu.c ---- */
bool x86_tlb_fill(CPUState *cs, uint64_t addr, MMUAccessType acc,
                  int mmu_idx, bool probe, uintptr_t ra, const uint64_t *regs,
                  uint64_t *phys, int *prot, uint64_t *page_size);
int x86_mmu_index(CPUState *cs, bool fetch);
void EMBER_NORETURN x86_unaligned(CPUState *cs, uint64_t addr,
                                  MMUAccessType acc, uintptr_t ra,
                                  const uint64_t *regs);
bool x86_cpu_translate(CPUX86State *env, uint64_t addr, MMUAccessType acc,
                       int mmu_idx, uint64_t *phys, int *prot,
                       uint64_t *page_size, uint32_t *err, int *excp);

/* ---- seg_helper.c ---- */
/* Deliver an interrupt or exception through the IVT/IDT (SDM 3A 6.12). */
void x86_do_interrupt(CPUX86State *env, int intno, bool is_int,
                      bool has_err, uint32_t err, uint64_t next_eip,
                      bool is_hw);
/* Load a segment register in the current mode, with the checks (#GP,
 * #SS, #NP with the selector as error code). */
void x86_load_seg(CPUX86State *env, int seg, uint32_t sel, uintptr_t ra);
bool x86_load_desc(CPUX86State *env, uint32_t sel, uint32_t *e1,
                   uint32_t *e2, uintptr_t ra);
void x86_desc_to_cache(CPUX86State *env, int seg, uint32_t sel, uint32_t e1,
                       uint32_t e2);

/* ---- translate-sys.c ---- */
void x86_sys_translate_init(void);

/* ---- misc_helper.c ---- */
uint64_t x86_tsc_read(CPUX86State *env);
void x86_tsc_write(CPUX86State *env, uint64_t val);
void x86_update_cr0(CPUX86State *env, uint64_t val);
void x86_update_cr3(CPUX86State *env, uint64_t val);
void x86_update_cr4(CPUX86State *env, uint64_t val);
bool x86_update_efer(CPUX86State *env, uint64_t val);

/* Raising from helpers (ra: GETPC(); 0 outside generated code). */
void EMBER_NORETURN x86_raise(CPUX86State *env, int excp, uintptr_t ra);
void EMBER_NORETURN x86_raise_err(CPUX86State *env, int excp, uint32_t err,
                                  uintptr_t ra);

/* Memory of the CPU's own accesses, with the kernel's privilege. */
static inline uint64_t sys_ldq(CPUX86State *env, uint64_t a, uintptr_t ra)
{
    return cpu_ld_mmu(env->cs, a, 8, MMU_KERNEL_IDX, ra);
}
static inline uint32_t sys_ldl(CPUX86State *env, uint64_t a, uintptr_t ra)
{
    return cpu_ld_mmu(env->cs, a, 4, MMU_KERNEL_IDX, ra);
}
static inline uint16_t sys_lduw(CPUX86State *env, uint64_t a, uintptr_t ra)
{
    return cpu_ld_mmu(env->cs, a, 2, MMU_KERNEL_IDX, ra);
}
static inline uint8_t sys_ldub(CPUX86State *env, uint64_t a, uintptr_t ra)
{
    return cpu_ld_mmu(env->cs, a, 1, MMU_KERNEL_IDX, ra);
}
static inline void sys_stq(CPUX86State *env, uint64_t a, uint64_t v,
                           uintptr_t ra)
{
    cpu_st_mmu(env->cs, a, v, 8, MMU_KERNEL_IDX, ra);
}
static inline void sys_stl(CPUX86State *env, uint64_t a, uint32_t v,
                           uintptr_t ra)
{
    cpu_st_mmu(env->cs, a, v, 4, MMU_KERNEL_IDX, ra);
}
static inline void sys_stw(CPUX86State *env, uint64_t a, uint16_t v,
                           uintptr_t ra)
{
    cpu_st_mmu(env->cs, a, v, 2, MMU_KERNEL_IDX, ra);
}

#endif
