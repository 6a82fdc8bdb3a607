/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 page walk for the soft TLB (Intel SDM vol. 3A, chapter 4):
 * 32-bit paging with 4 MiB pages (PSE, PSE-36), PAE paging, 4-level
 * paging with 2 MiB and 1 GiB pages; U/S, R/W with CR0.WP, NX, SMEP
 * and SMAP; accessed and dirty flags; reserved-bit faults; A20.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "exec/exec-all.h"
#include "sysemu.h"

#define PG_P    (1ull << 0)
#define PG_RW   (1ull << 1)
#define PG_US   (1ull << 2)
#define PG_A    (1ull << 5)
#define PG_D    (1ull << 6)
#define PG_PS   (1ull << 7)
#define PG_NX   (1ull << 63)

/* Page-fault error code bits (SDM 3A, 4.7). */
#define PF_P    (1u << 0)
#define PF_W    (1u << 1)
#define PF_U    (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I    (1u << 4)

/* CPUID 0x80000008 says 40 physical address bits. */
#define PHYS_BITS 40
#define PHYS_MASK ((1ull << PHYS_BITS) - 1)
/* Address bits of a 64-bit entry above MAXPHYADDR are reserved. */
#define RSVD_HIGH (MAKE_64BIT_MASK(PHYS_BITS, 52 - PHYS_BITS))

typedef struct Walk {
    CPUX86State *env;
    MMUAccessType acc;
    bool user;              /* a CPL-3 access (not an implicit one) */
    uint32_t err;
    int excp;
} Walk;

static uint64_t pte_ld(CPUX86State *env, uint64_t addr, bool pae)
{
    return tcg_phys_ld(env->cs, addr & env->a20_mask, pae ? 8 : 4);
}

/* Set A (and D) in an entry that lacks them. */
static void pte_set(CPUX86State *env, uint64_t addr, uint64_t pte,
                    uint64_t bits, bool pae)
{
    if ((pte & bits) != bits) {
        tcg_phys_st(env->cs, addr & env->a20_mask, pte | bits,
                    pae ? 8 : 4);
    }
}

static bool fault(Walk *w, uint32_t bits)
{
    w->excp = EXCP0E_PAGE;
    w->err = bits | (w->acc == MMU_DATA_STORE ? PF_W : 0) |
             (w->user ? PF_U : 0);
    if (w->acc == MMU_INST_FETCH &&
        ((w->env->cr[4] & CR4_SMEP_MASK) ||
         ((w->env->cr[4] & CR4_PAE_MASK) &&
          (w->env->efer & MSR_EFER_NXE)))) {
        w->err |= PF_I;
    }
    return false;
}

bool x86_cpu_translate(CPUX86State *env, uint64_t addr, MMUAccessType acc,
                       int mmu_idx, uint64_t *phys, int *prot,
                       uint64_t *page_size, uint32_t *err, int *excp)
{
    Walk w = { .env = env, .acc = acc, .user = mmu_idx == MMU_USER_IDX };
    bool pae = env->cr[4] & CR4_PAE_MASK;
    bool lma = env->efer & MSR_EFER_LMA;
    bool nxe = (env->efer & MSR_EFER_NXE) && (pae || lma);
    uint64_t rsvd = RSVD_HIGH | (nxe ? 0 : PG_NX);
    uint64_t pte = 0, pte_addr = 0, base, size = TARGET_PAGE_SIZE;
    uint64_t rw = PG_RW, us = PG_US, nx = 0;
    uint64_t frame;
    int p;

    if (!(env->cr[0] & CR0_PG_MASK)) {
        /* No paging: linear is physical (32 bits outside long mode). */
        *phys = (lma ? addr : (uint32_t)addr) & env->a20_mask;
        *phys &= TARGET_PAGE_MASK;
        *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        *page_size = TARGET_PAGE_SIZE;
        return true;
    }

    if (lma) {
        int64_t sext = (int64_t)(addr << 16) >> 16;
        uint64_t e;

        if ((uint64_t)sext != addr) {
            /* Non-canonical (SDM 3A, 3.3.7.1). */
            w.excp = EXCP0D_GPF;
            w.err = 0;
            goto fail;
        }
        /* PML4E, PDPTE, PDE, PTE (SDM 3A, 4.5). */
        base = env->cr[3] & PHYS_MASK & TARGET_PAGE_MASK;
        for (int level = 4; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            pte_addr = base + ((addr >> shift) & 511) * 8;
            e = pte_ld(env, pte_addr, true);
            if (!(e & PG_P)) {
                fault(&w, 0);
                goto fail;
            }
            if (e & rsvd) {
                fault(&w, PF_P | PF_RSVD);
                goto fail;
            }
            if (level == 4 && (e & PG_PS)) {
                fault(&w, PF_P | PF_RSVD);
                goto fail;
            }
            rw &= e;
            us &= e;
            nx |= e & PG_NX;
            pte = e;
            if (level == 1) {
                break;
            }
            if (e & PG_PS) {
                if (level == 3 &&
                    !(env->features[FEAT_8000_0001_EDX] &
                      CPUID_EXT2_PDPE1GB)) {
                    fault(&w, PF_P | PF_RSVD);
                    goto fail;
                }
                size = 1ull << shift;
                /* Bits 12 .. shift-1 of a large frame are reserved,
                 * bit 12 is PAT. */
                if (e & MAKE_64BIT_MASK(13, shift - 13)) {
                    fault(&w, PF_P | PF_RSVD);
                    goto fail;
                }
                break;
            }
            pte_set(env, pte_addr, e, PG_A, true);
            base = e & PHYS_MASK & TARGET_PAGE_MASK;
        }
        frame = pte & PHYS_MASK & ~(size - 1);
        p = 8;
    } else if (pae) {
        /* PAE: PDPTE, PDE, PTE (SDM 3A, 4.4). */
        uint64_t pdpte, e;

        pte_addr = (env->cr[3] & 0xffffffe0) + ((addr >> 30) & 3) * 8;
        pdpte = pte_ld(env, pte_addr, true);
        if (!(pdpte & PG_P)) {
            fault(&w, 0);
            goto fail;
        }
        base = pdpte & PHYS_MASK & TARGET_PAGE_MASK;
        pte_addr = base + ((addr >> 21) & 511) * 8;
        e = pte_ld(env, pte_addr, true);
        if (!(e & PG_P)) {
            fault(&w, 0);
            goto fail;
        }
        if (e & rsvd) {
            fault(&w, PF_P | PF_RSVD);
            goto fail;
        }
        rw &= e;
        us &= e;
        nx |= e & PG_NX;
        if (e & PG_PS) {
            size = 2 * MiB;
            pte = e;
        } else {
            pte_set(env, pte_addr, e, PG_A, true);
            base = e & PHYS_MASK & TARGET_PAGE_MASK;
            pte_addr = base + ((addr >> 12) & 511) * 8;
            e = pte_ld(env, pte_addr, true);
            if (!(e & PG_P)) {
                fault(&w, 0);
                goto fail;
            }
            if (e & rsvd) {
                fault(&w, PF_P | PF_RSVD);
                goto fail;
            }
            rw &= e;
            us &= e;
            nx |= e & PG_NX;
            pte = e;
        }
        frame = pte & PHYS_MASK & ~(size - 1);
        p = 8;
    } else {
        /* 32-bit paging: PDE, PTE (SDM 3A, 4.3). */
        uint32_t e;

        addr = (uint32_t)addr;
        pte_addr = (env->cr[3] & 0xfffff000) + ((addr >> 22) & 1023) * 4;
        e = pte_ld(env, pte_addr, false);
        if (!(e & PG_P)) {
            fault(&w, 0);
            goto fail;
        }
        rw &= e;
        us &= e;
        if ((e & PG_PS) && (env->cr[4] & CR4_PSE_MASK)) {
            /* 4 MiB page; PSE-36 puts bits 39:32 in bits 20:13. */
            size = 4 * MiB;
            pte = e;
            frame = (e & 0xffc00000) | ((uint64_t)((e >> 13) & 0xff) << 32);
        } else {
            pte_set(env, pte_addr, e, PG_A, false);
            pte_addr = (e & 0xfffff000) + ((addr >> 12) & 1023) * 4;
            e = pte_ld(env, pte_addr, false);
            if (!(e & PG_P)) {
                fault(&w, 0);
                goto fail;
            }
            rw &= e;
            us &= e;
            pte = e;
            frame = e & 0xfffff000;
        }
        p = 4;
    }

    /* Permissions (SDM 3A, 4.6). */
    {
        int pr = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        bool wp = env->cr[0] & CR0_WP_MASK;

        if (w.user) {
            if (!us) {
                pr = 0;
            } else if (!rw) {
                pr &= ~PAGE_WRITE;
            }
        } else {
            if (!rw && wp) {
                pr &= ~PAGE_WRITE;
            }
            if (us && (env->cr[4] & CR4_SMEP_MASK)) {
                pr &= ~PAGE_EXEC;
            }
            if (us && (env->cr[4] & CR4_SMAP_MASK) &&
                !(env->eflags & AC_MASK) && mmu_idx == MMU_KERNEL_IDX &&
                acc != MMU_INST_FETCH && cpu_cpl(env) == 3) {
                /* An implicit supervisor access from CPL 3. */
                pr &= ~(PAGE_READ | PAGE_WRITE);
            }
        }
        if (nx) {
            pr &= ~PAGE_EXEC;
        }
        if ((acc == MMU_DATA_LOAD && !(pr & PAGE_READ)) ||
            (acc == MMU_DATA_STORE && !(pr & PAGE_WRITE)) ||
            (acc == MMU_INST_FETCH && !(pr & PAGE_EXEC))) {
            fault(&w, PF_P);
            goto fail;
        }
        /* Accessed, and dirty on a write; without D the TLB keeps the
         * page read-only so that the first write comes back here. */
        if (acc == MMU_DATA_STORE) {
            pte_set(env, pte_addr, pte, PG_A | PG_D, p == 8);
        } else {
            pte_set(env, pte_addr, pte, PG_A, p == 8);
            if (!(pte & PG_D)) {
                pr &= ~PAGE_WRITE;
            }
        }
        *prot = pr;
    }
    /* The 4 KiB piece of a large page that holds addr. */
    *phys = ((frame | (addr & (size - 1))) & env->a20_mask) &
            TARGET_PAGE_MASK;
    *page_size = size;
    return true;

fail:
    *err = w.err;
    *excp = w.excp;
    return false;
}

bool x86_tlb_fill(CPUState *cs, uint64_t addr, MMUAccessType acc,
                         int mmu_idx, bool probe, uintptr_t ra,
                         const uint64_t *regs, uint64_t *phys, int *prot,
                         uint64_t *page_size)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t err;
    int excp;

    if (x86_cpu_translate(env, addr, acc, mmu_idx, phys, prot, page_size,
                          &err, &excp)) {
        return true;
    }
    if (probe) {
        return false;
    }
    ember_log_mask(LOG_MMU, "mmu: cpu %d fault %d err 0x%x at 0x%" PRIx64
                   " (%s)\n", cs->cpu_index, excp, err, addr,
                   acc == MMU_DATA_LOAD ? "load" :
                   acc == MMU_DATA_STORE ? "store" : "fetch");
    if (excp == EXCP0E_PAGE) {
        env->cr[2] = addr;
    }
    cs->exception_index = excp;
    env->error_code = err;
    env->has_error_code = 1;
    x86_sys(env)->raise_is_int = false;
    tcg_raise_restore(cs, ra, regs);
}

int x86_mmu_index(CPUState *cs, bool fetch)
{
    return cpu_cpl(cpu_env(cs)) == 3 ? MMU_USER_IDX : MMU_KERNEL_IDX;
}

void x86_unaligned(CPUState *cs, uint64_t addr, MMUAccessType acc,
                          uintptr_t ra, const uint64_t *regs)
{
    CPUX86State *env = cpu_env(cs);

    /* A misaligned SSE access (SDM 1, 10.4.1.1) is #GP(0). */
    cs->exception_index = EXCP0D_GPF;
    env->error_code = 0;
    env->has_error_code = 1;
    x86_sys(env)->raise_is_int = false;
    tcg_raise_restore(cs, ra, regs);
}
