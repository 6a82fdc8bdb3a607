/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TCG accelerator: the execution loop, the translation-block cache
 * and how the mode (user or system) plugs into them.
 *
 * A mode provides TCGModeOps: how to find the host bytes of guest code
 * and what to do when a page gets translated code (user mode
 * write-protects it to catch self-modifying code; system mode will mark
 * the physical page in its dirty-tracking instead).
 */
#ifndef EXEC_EXEC_ALL_H
#define EXEC_EXEC_ALL_H

#include <setjmp.h>
#include "ember/osdep.h"
#include "hw/core/cpu.h"
#include "exec/translation-block.h"

/* cpu_exec() results beyond the architectural vectors 0..255. */
#define EXCP_INTERRUPT  0x10000     /* exit_request: look at the CPU */
#define EXCP_HLT        0x10001
#define EXCP_DEBUG      0x10002
#define EXCP_HALTED     0x10003
#define EXCP_YIELD      0x10004
#define EXCP_SYSCALL    0x10005     /* user mode: SYSCALL executed */
#define EXCP_ATOMIC     0x10006

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ull << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

/* The per-vCPU TCG state, in CPUState.accel. */
#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)

/*
 * One entry of the per-vCPU cache of pc -> TB. Generated code probes it
 * inline for indirect jumps (target/x86/tcg/translate.c,
 * gen_jmp_cache_probe): key, tc_ptr and flags are for that probe, so it
 * needs no access to the TB itself.
 */
typedef struct TBJmpCacheEntry {
    uint64_t key;                   /* tb->pc + 1; 0: empty */
    TranslationBlock *tb;
    const void *tc_ptr;             /* tb->tc_ptr */
    uint32_t flags;                 /* tb->flags; ~0 if tb->cs_base != 0 */
    uint32_t pad;
} TBJmpCacheEntry;

static inline void tb_jmp_cache_set(TBJmpCacheEntry *e, TranslationBlock *tb)
{
    e->tc_ptr = tb->tc_ptr;
    e->flags = tb->cs_base ? ~0u : tb->flags;
    __atomic_store_n(&e->tb, tb, __ATOMIC_RELEASE);
    __atomic_store_n(&e->key, tb->pc + 1, __ATOMIC_RELEASE);
}

/* Other threads may clear an entry while its vCPU runs: key first, so
 * the inline probe stops matching. */
static inline void tb_jmp_cache_clear(TBJmpCacheEntry *e)
{
    __atomic_store_n(&e->key, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&e->tb, NULL, __ATOMIC_RELAXED);
}

/* A TLB flush only unkeys entries: the inline probe and the C fast
 * paths stop matching, but the block stays for jmp_cache_revalidate
 * (accel/tcg/cpu-exec.c), which checks it against the code pages pc maps
 * to now instead of looking it up in the hash table. */
static inline void tb_jmp_cache_unkey(TBJmpCacheEntry *e)
{
    __atomic_store_n(&e->key, 0, __ATOMIC_RELAXED);
}

typedef struct TCGCPU {
    sigjmp_buf jmp_env;
    uint32_t cflags_next_tb;        /* (uint32_t)-1: none */
    bool running;                   /* inside cpu_exec_start/end */
    bool in_exclusive_wait;
    bool in_exec;                   /* between sigsetjmp and the return */
    TBJmpCacheEntry jmp_cache[TB_JMP_CACHE_SIZE];
} TCGCPU;

static inline TCGCPU *tcg_cpu(CPUState *cpu)
{
    return cpu->accel;
}

static inline unsigned tb_jmp_cache_hash(uint64_t pc)
{
    return (pc ^ (pc >> TB_JMP_CACHE_BITS)) & (TB_JMP_CACHE_SIZE - 1);
}

typedef struct TCGModeOps {
    /* Host address of the guest code page holding addr, NULL when the
     * page cannot be executed (the fetch then faults). */
    const uint8_t *(*code_page)(CPUState *cpu, uint64_t addr);
    /* The first TB was made from this guest page. */
    void (*page_protect)(uint64_t page);
    /* All CPUs, for jump-cache invalidation and exclusive sections. */
    GPtrArray *(*cpu_list)(void);

    /*
     * System mode only (NULL/false in user mode, where a guest page is
     * its own "physical" page). Translated code is then keyed by the
     * host address of the guest RAM page it came from.
     */
    /* The code page of the block at pc: raises the fetch fault unless
     * probe (then -1); -1 with *cflags changed for code outside RAM. */
    uint64_t (*code_phys)(CPUState *cpu, uint64_t pc, uint32_t *cflags,
                          bool probe);
    /* The code page of virtual page vpage, or -1 (no fault raised). */
    uint64_t (*phys_page)(CPUState *cpu, uint64_t vpage);
    /* The first instruction of a block cannot be fetched (noreturn). */
    void (*fetch_fault)(CPUState *cpu, uint64_t addr);
    /* Between blocks: take a pending interrupt if the CPU can; true if
     * the control flow changed (no chaining from the last block). */
    bool (*exec_interrupt)(CPUState *cpu);
    /* Chain direct jumps only within the pages of the jumping block
     * (another virtual page may map elsewhere next time). */
    bool same_page_chaining;
} TCGModeOps;

extern const TCGModeOps *tcg_mode_ops;

/* Set up the translator: code buffer of code_size bytes (0: default). */
void tcg_exec_init(const TCGModeOps *ops, size_t code_size);
void tcg_cpu_init(CPUState *cpu);
void tcg_cpu_destroy(CPUState *cpu);

/* Run guest code until an exception or an exit request; returns an
 * architectural vector (cpu->exception_index) or an EXCP_* value. */
int cpu_exec(CPUState *cpu);

/* Leave generated code for the cpu_exec loop (longjmp). */
void EMBER_NORETURN cpu_loop_exit(CPUState *cpu);
/* Same, after restoring the guest state at the instruction that the
 * host code at retaddr belongs to (a helper's GETPC()). */
void EMBER_NORETURN cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr);
#define GETPC() ((uintptr_t)__builtin_return_address(0))

/*
 * Rebuild the guest state (PC, lazy flags, registers held in host
 * registers) at the faulting host pc. host_regs are the host's general
 * registers at the fault (indexed by hardware number), or NULL when the
 * fault is a helper's and the globals are in memory. False when host_pc
 * is not in a known translation (nor the interpreter).
 */
bool cpu_restore_state(CPUState *cpu, uintptr_t host_pc,
                       const uint64_t *host_regs);

/* The TB whose code contains host_pc, or NULL. */
TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc);

/* The translation lock: TB cache, chaining, invalidation. User mode
 * also holds it around guest mmap changes. */
void tb_lock(void);
void tb_unlock(void);
bool tb_lock_held(void);

/* Drop all translations of guest addresses [start, end). Returns true if
 * the currently executing TB (found from host_pc, may be 0) was among
 * them. */
bool tb_invalidate_range(uint64_t start, uint64_t end, uintptr_t host_pc);
GArray *pages_in_range(GHashTable *t, uint64_t start, uint64_t end);
bool page_has_tbs(uint64_t page);
/* Throw away all code (exclusive). */
void tb_flush(CPUState *cpu);
void tb_after_fork_child(void);

/* Stop all other vCPUs outside generated code (exclusive section). */
void start_exclusive(void);
void end_exclusive(void);
void cpu_exec_start(CPUState *cpu);
void cpu_exec_end(CPUState *cpu);

/* Called by helpers: find the TB for a PC (used by goto_ptr). */
const void *helper_lookup_tb_ptr(void *env);

/* Statistics for -d tb_stats. */
void tcg_dump_stats(FILE *f);

#endif
