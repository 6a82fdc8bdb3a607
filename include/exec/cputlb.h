/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The soft TLB of system mode (accel/tcg/cputlb.c).
 *
 * Every vCPU has, per MMU index (privilege view: CPL 3, CPL 0-2), a
 * direct-mapped table of CPUTLBEntry indexed by virtual page number.
 * An entry holds the page's virtual address once per access kind, with
 * flag bits in the page-offset bits, and the host addend: for plain RAM,
 * host address = guest virtual address + addend. Generated code inlines
 * the hit path (index, compare, add, access); anything else -- a miss,
 * an access that crosses a page, a flagged entry (MMIO, ROM, a page with
 * translated code, a display page that logs writes) -- calls the slow
 * path, which walks the guest page tables (TCGSysTarget.tlb_fill) and
 * dispatches MMIO through the memory API under the BQL.
 *
 * The back ends see only this header (TLB geometry, entry layout, the
 * slow-path entry points in tcg_softmmu): neither tcg/ nor the front end
 * knows more about system mode than this memory-access hook.
 */
#ifndef EXEC_CPUTLB_H
#define EXEC_CPUTLB_H

#include "ember/osdep.h"
#include "hw/core/cpu.h"
#include "exec/exec-all.h"

#define NB_MMU_MODES        4
#define CPU_TLB_BITS        10
#define CPU_TLB_SIZE        (1u << CPU_TLB_BITS)
#define CPU_TLB_ENTRY_BITS  5           /* sizeof(CPUTLBEntry) == 32 */

typedef struct CPUTLBEntry {
    uint64_t addr_read;     /* page | TLB_* flags, or -1 */
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;       /* host = guest virtual + addend (RAM) */
} CPUTLBEntry;

/*
 * Flag bits kept in the page-offset bits of addr_*: a flagged entry
 * never matches the page-aligned comparison of the hit path (the low
 * 4 bits are left for alignment checks), so flagged accesses take the
 * slow path, which reads the flags.
 */
#define TLB_INVALID     (1u << 11)  /* no translation for this kind */
#define TLB_MMIO        (1u << 10)  /* not plain RAM: the memory API */
#define TLB_NOTDIRTY    (1u << 9)   /* writes: code on the page, or the
                                     * region logs dirty pages */
#define TLB_FLAGS_MASK  (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)

/* The whole TLB of a vCPU: CPUState.tlb points here. */
typedef struct CPUTLBFull {
    /* What the slow path needs beyond the fast entry. */
    uint64_t phys;          /* guest-physical page (A20 applied) */
    void *mr;               /* MemoryRegion * of the page */
    uint64_t mr_offset;     /* offset of the page in mr */
    uint8_t prot;           /* PAGE_READ | PAGE_WRITE | PAGE_EXEC */
} CPUTLBFull;

typedef struct CPUTLB {
    CPUTLBEntry table[NB_MMU_MODES][CPU_TLB_SIZE];
    CPUTLBFull full[NB_MMU_MODES][CPU_TLB_SIZE];
    /* Large pages installed since the last flush: an INVLPG inside the
     * covered range flushes the whole MMU index (SDM 3A, 4.10.4.1). */
    uint64_t large_addr[NB_MMU_MODES];
    uint64_t large_mask[NB_MMU_MODES];
    uint16_t used;          /* bit per MMU index with entries */
} CPUTLB;

#define PAGE_READ   1
#define PAGE_WRITE  2
#define PAGE_EXEC   4

/* Access kinds of the slow path and of tlb_fill. */
typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

static inline unsigned tlb_index(uint64_t addr)
{
    return (addr >> 12) & (CPU_TLB_SIZE - 1);
}

/*
 * The slow paths called from generated code of host back ends. regs
 * points at the host registers saved by the caller (indexed by host
 * register number; slot 4, the stack pointer's, holds the return address
 * into the TB); a fault rebuilds the guest state from them. The
 * interpreter passes NULL (its globals live in env) and ra 0.
 */
typedef struct TCGSoftMMU {
    intptr_t tlb_ofs;       /* env-relative offset of the CPUTLB pointer */
    uint64_t (*ld)(void *env, uint64_t addr, uint64_t oi, uint64_t *regs);
    void (*st)(void *env, uint64_t addr, uint64_t val, uint64_t oi,
               uint64_t *regs);
    /* op: TCG_SOFTMMU_CMPXCHG (a = cmp, b = new), XCHG (a), XADD (a) */
    uint64_t (*atomic)(void *env, uint64_t addr, uint64_t a, uint64_t b,
                       uint64_t oi_op, uint64_t *regs);
    /* For C helpers (exec/cpu-ldst.h): ra is the helper's GETPC(). */
    uint64_t (*ld_ra)(void *env, uint64_t addr, unsigned size, uintptr_t ra);
    void (*st_ra)(void *env, uint64_t addr, uint64_t val, unsigned size,
                  uintptr_t ra);
    /* Host pointer for a bulk access within a page, or NULL (not plain
     * RAM: do it element by element); faults like the access. */
    void *(*host_ra)(void *env, uint64_t addr, size_t len, bool is_write,
                     uintptr_t ra);
} TCGSoftMMU;
#define TCG_SOFTMMU_CMPXCHG 0
#define TCG_SOFTMMU_XCHG    1
#define TCG_SOFTMMU_XADD    2
#define TCG_SOFTMMU_OP_SHIFT 16
#define TCG_SOFTMMU_RA_SLOT 4

/* Non-NULL in system mode (set before the translator starts). */
extern const TCGSoftMMU *tcg_softmmu;

/*
 * What the target provides to the soft MMU (target/x86/tcg/sysemu).
 */
typedef struct TCGSysTarget {
    /*
     * Translate addr for access in mmu_idx: on success fill *phys (page
     * aligned guest-physical), *prot and *page_size and return true. On
     * a fault with probe false, raise the guest exception (after
     * restoring the guest state from ra/regs); with probe true, return
     * false.
     */
    bool (*tlb_fill)(CPUState *cpu, uint64_t addr, MMUAccessType access,
                     int mmu_idx, bool probe, uintptr_t ra,
                     const uint64_t *regs, uint64_t *phys, int *prot,
                     uint64_t *page_size);
    /* The MMU index of ordinary data accesses at the current CPL. */
    int (*mmu_index)(CPUState *cpu, bool fetch);
    /* Raise an alignment fault (#GP for SSE, #AC) for addr. */
    void (*unaligned)(CPUState *cpu, uint64_t addr, MMUAccessType access,
                      uintptr_t ra, const uint64_t *regs) EMBER_NORETURN;

    /* The vCPU loop (accel/tcg/tcg-accel-ops.c) drives these. */
    void (*translate_init)(void);           /* once, before any code */
    void (*supported_features)(uint32_t *features);
    void (*cpu_init)(CPUState *cpu);        /* on the vCPU thread */
    /* With the BQL: take INIT/SIPI, wake a halted CPU that has work;
     * true if the CPU can run now. */
    bool (*cpu_runnable)(CPUState *cpu);
    /* Without the BQL: run guest code until it halts (VCPU_EXIT_HALTED)
     * or must give the thread back (VCPU_EXIT_KICKED). */
    int (*cpu_exec)(CPUState *cpu);
    /* Between blocks, inside cpu_exec(): deliver what is pending. */
    bool (*exec_interrupt)(CPUState *cpu);
} TCGSysTarget;

/* The target of this build (target/x86/tcg/sysemu). */
extern const TCGSysTarget tcg_sys_target;

void tlb_init(CPUState *cpu, const TCGSysTarget *target);
void tlb_destroy(CPUState *cpu);
/* Drop every translation of this vCPU (and its jump cache). */
void tlb_flush(CPUState *cpu);
/* Drop the translations of one virtual page in all MMU indexes. */
void tlb_flush_page(CPUState *cpu, uint64_t addr);
/* Both for every vCPU (memory map changes, A20). */
void tlb_flush_all_cpus(void);

/*
 * Guest virtual memory from C helpers, with the current privilege
 * (mmu_idx < 0) or an explicit MMU index (implicit supervisor accesses
 * to descriptor tables and the TSS use the kernel's). A fault restores
 * the guest state from ra and leaves through the exception path.
 */
uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, unsigned size,
                    int mmu_idx, uintptr_t ra);
void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size,
                int mmu_idx, uintptr_t ra);
/*
 * Host pointer for [addr, addr + len) (within one page) when it is
 * plain RAM that may be accessed that way (no code, no dirty logging
 * for writes); NULL otherwise (use cpu_ld_mmu/cpu_st_mmu). Faults like
 * an access would.
 */
void *cpu_host_ptr_mmu(CPUState *cpu, uint64_t addr, size_t len,
                       MMUAccessType access, int mmu_idx, uintptr_t ra);

/*
 * Guest-physical memory for the page walk and the CPU's own accesses
 * (descriptor tables are virtual; these are for page tables, the
 * real-mode IVT goes through the TLB too). Loads of 4/8 bytes; a store
 * marks dirty pages and invalidates translated code like any write.
 */
uint64_t tcg_phys_ld(CPUState *cpu, uint64_t addr, unsigned size);
void tcg_phys_st(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size);

/*
 * Leave for the exception loop (cpu->exception_index set) after restoring
 * the guest state at the instruction that ra belongs to; regs are the
 * host registers a generated-code slow path saved, or NULL.
 */
void EMBER_NORETURN tcg_raise_restore(CPUState *cpu, uintptr_t ra,
                                      const uint64_t *regs);

/* Flip this thread's view of the memory map after it changed (BQL). */
void tcg_memory_map_refresh(void);

/* Each vCPU runs on a thread of its own (-accel tcg,thread=multi). */
extern bool tcg_mttcg;

#endif
