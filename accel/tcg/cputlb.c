/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The soft TLB of system mode: per-vCPU translation caches for the
 * guest's virtual addresses, filled by the target's page walk, and the
 * slow paths behind the inline hit path of generated code: misses, MMIO
 * and ROM (through the memory API under the BQL), accesses that cross a
 * page, writes to pages holding translated code (which invalidate it)
 * and writes to RAM that logs dirty pages (display memory).
 *
 * Threading: a vCPU's TLB is filled and flushed by the thread that runs
 * it (one thread for all vCPUs, or one each with -accel tcg,thread=multi).
 * The one change other threads make is tlb_protect_code_page's: it sets
 * TLB_NOTDIRTY with a compare-and-swap, under tb_lock, and the owner
 * decides NOTDIRTY when filling or clearing it under tb_lock too, so a
 * write to a page with translated code always takes the slow path.
 * Guest RAM is found through a reference-counted flat view of the memory
 * map that each TCG thread swaps, with the BQL held, after the map
 * changed.
 * Translated code is keyed by the host address of the guest page, which
 * is unique per byte of guest RAM whatever the aliases; DMA and loader
 * writes reach it through the memory API's RAM write hook.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "exec/cputlb.h"
#include "exec/exec-all.h"
#include "exec/memory.h"
#include "system/main-loop.h"
#include "tcg/tcg.h"
#include "tcg/interp.h"
#include "internal.h"
#include "exec/translator.h"
#include "softmmu-int.h"

static const TCGSysTarget *sys_target;
static intptr_t cpu_tlb_ofs;        /* &cpu->tlb - env */
static __thread FlatView *tcg_fv;   /* this thread's view (ref held) */
static __thread unsigned tcg_fv_gen; /* map_gen when it was taken */
static unsigned map_gen;            /* memory map commits so far */
static MemoryListener tcg_listener;

static inline CPUState *env_cpu(void *env)
{
    return (CPUState *)((char *)env + cpu_tlb_ofs - offsetof(CPUState, tlb));
}

static inline CPUTLB *cpu_tlb(CPUState *cpu)
{
    return cpu->tlb;
}

/* Does the entry's tag (an addr_* field) translate page? */
static inline bool tlb_hit(uint64_t tag, uint64_t page)
{
    return (tag & (TARGET_PAGE_MASK | TLB_INVALID)) == page;
}

/* ---- Memory map -------------------------------------------------------- */

static void tcg_listener_commit(MemoryListener *l)
{
    CPUState *cpu;

    __atomic_add_fetch(&map_gen, 1, __ATOMIC_RELEASE);
    CPU_FOREACH(cpu) {
        __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELEASE);
    }
}

void tcg_memory_map_refresh(void)
{
    unsigned gen = __atomic_load_n(&map_gen, __ATOMIC_ACQUIRE);

    g_assert(bql_locked());
    if (gen == tcg_fv_gen && tcg_fv) {
        return;
    }
    tcg_fv_gen = gen;
    if (tcg_fv == address_space_memory.current) {
        return;
    }
    if (tcg_fv) {
        flatview_unref(tcg_fv);
    }
    tcg_fv = address_space_get_flatview(&address_space_memory);
    /* Entries hold host addresses and regions of the old view: flush
     * the TLBs this thread fills (the others' threads do theirs, kicked
     * by the commit). */
    if (tcg_mttcg) {
        if (current_cpu_get()) {
            tlb_flush(current_cpu_get());
        }
    } else {
        tlb_flush_all_cpus();
    }
}

bool tcg_memory_map_changed(void)
{
    return __atomic_load_n(&map_gen, __ATOMIC_ACQUIRE) != tcg_fv_gen;
}

/* ---- Flushes ----------------------------------------------------------- */

static void tlb_flush_idx(CPUTLB *t, int idx)
{
    memset(t->table[idx], 0xff, sizeof(t->table[idx]));
    t->large_addr[idx] = -1;
    t->large_mask[idx] = 0;
    t->used &= ~(1u << idx);
}

static void jmp_cache_clear(CPUState *cpu)
{
    TBJmpCacheEntry *c = cpu->tb_jmp_cache;

    if (c) {
        for (unsigned i = 0; i < TB_JMP_CACHE_SIZE; i++) {
            tb_jmp_cache_unkey(&c[i]);
        }
    }
}

void tlb_flush(CPUState *cpu)
{
    CPUTLB *t = cpu_tlb(cpu);

    if (!t) {
        return;
    }
    for (int i = 0; i < NB_MMU_MODES; i++) {
        if (t->used & (1u << i)) {
            tlb_flush_idx(t, i);
        }
    }
    /* The jump cache is keyed by virtual PC: it goes with the mapping. */
    jmp_cache_clear(cpu);
    ember_log_mask(LOG_MMU, "tlb: flush cpu %d\n", cpu->cpu_index);
}

void tlb_flush_page(CPUState *cpu, uint64_t addr)
{
    CPUTLB *t = cpu_tlb(cpu);
    uint64_t page = addr & TARGET_PAGE_MASK;
    unsigned i = tlb_index(page);

    if (!t) {
        return;
    }
    for (int idx = 0; idx < NB_MMU_MODES; idx++) {
        CPUTLBEntry *e;

        if (!(t->used & (1u << idx))) {
            continue;
        }
        if ((page & t->large_mask[idx]) == t->large_addr[idx]) {
            /* Inside a large page: its 4 KiB pieces may sit anywhere. */
            tlb_flush_idx(t, idx);
            continue;
        }
        e = &t->table[idx][i];
        if (tlb_hit(e->addr_read, page) || tlb_hit(e->addr_write, page) ||
            tlb_hit(e->addr_code, page)) {
            memset(e, 0xff, sizeof(*e));
        }
    }
    jmp_cache_clear(cpu);
    ember_log_mask(LOG_MMU, "tlb: flush cpu %d page 0x%" PRIx64 "\n",
                   cpu->cpu_index, page);
}

void tlb_flush_all_cpus(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        tlb_flush(cpu);
    }
}

/*
 * Translated code appeared on host page hpage: writes through any entry
 * to it must take the slow path from now on (all vCPUs, all aliases).
 */
void tlb_protect_code_page(uintptr_t hpage)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        CPUTLB *t = cpu_tlb(cpu);
        if (!t) {
            continue;
        }
        for (int idx = 0; idx < NB_MMU_MODES; idx++) {
            if (!(t->used & (1u << idx))) {
                continue;
            }
            for (unsigned i = 0; i < CPU_TLB_SIZE; i++) {
                CPUTLBEntry *e = &t->table[idx][i];
                uint64_t w = __atomic_load_n(&e->addr_write,
                                             __ATOMIC_RELAXED);
                if ((w & (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)) == 0 &&
                    (((w & TARGET_PAGE_MASK) + e->addend) &
                     TARGET_PAGE_MASK) == hpage) {
                    /* Its owner may be flushing it meanwhile: then the
                     * entry is gone and stays so. */
                    __atomic_compare_exchange_n(&e->addr_write, &w,
                                                w | TLB_NOTDIRTY, false,
                                                __ATOMIC_RELAXED,
                                                __ATOMIC_RELAXED);
                }
            }
        }
    }
}

/* ---- Filling ----------------------------------------------------------- */

/* tb_lock may be held already: a page walk while translating. */
static bool tb_lock_maybe(void)
{
    if (tb_lock_held()) {
        return false;
    }
    tb_lock();
    return true;
}

/*
 * The write tag of a RAM page: NOTDIRTY if it holds translated code.
 * Stored under tb_lock, so that a vCPU translating code there now
 * (tlb_protect_code_page, under tb_lock too) either comes first and is
 * seen here, or comes after and sees this entry.
 */
static void set_ram_write_tag(CPUTLBEntry *e, uint64_t vaddr,
                              uintptr_t hpage)
{
    bool locked = tb_lock_maybe();

    __atomic_store_n(&e->addr_write,
                     vaddr | (page_has_tbs(hpage) ? TLB_NOTDIRTY : 0),
                     __ATOMIC_RELAXED);
    if (locked) {
        tb_unlock();
    }
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t phys, int prot,
                  int mmu_idx, uint64_t page_size)
{
    CPUTLB *t = cpu_tlb(cpu);
    unsigned i;
    CPUTLBEntry *e;
    CPUTLBFull *f;
    const FlatRange *r;
    bool ram = false, rom = false;
    uintptr_t host = 0;
    MemoryRegion *mr = NULL;
    uint64_t mr_off = 0;

    vaddr &= TARGET_PAGE_MASK;
    phys &= TARGET_PAGE_MASK;
    i = tlb_index(vaddr);
    e = &t->table[mmu_idx][i];
    f = &t->full[mmu_idx][i];

    if (page_size > TARGET_PAGE_SIZE) {
        uint64_t mask = ~(page_size - 1);
        if (!t->large_mask[mmu_idx]) {
            t->large_addr[mmu_idx] = vaddr & mask;
            t->large_mask[mmu_idx] = mask;
        } else {
            uint64_t m = t->large_mask[mmu_idx] & mask;
            while (m && ((t->large_addr[mmu_idx] ^ vaddr) & m)) {
                m <<= 1;
            }
            t->large_mask[mmu_idx] = m;
            t->large_addr[mmu_idx] &= m;
        }
    }

    r = tcg_fv ? flatview_lookup(tcg_fv, phys) : NULL;
    if (r && r->mr->type == MR_RAM && phys - r->start + TARGET_PAGE_SIZE <=
        r->size) {
        mr = r->mr;
        mr_off = r->offset_in_region + (phys - r->start);
        if (mr_off + TARGET_PAGE_SIZE <= mr->size && mr->ram_ptr) {
            ram = true;
            rom = r->readonly || mr->readonly;
            host = (uintptr_t)mr->ram_ptr + mr_off;
        }
    } else if (r) {
        mr = r->mr;
        mr_off = r->offset_in_region + (phys - r->start);
    }

    f->phys = phys;
    f->mr = mr;
    f->mr_offset = mr_off;
    f->prot = prot;
    e->addend = host - vaddr;
    e->addr_read = (prot & PAGE_READ) ? vaddr | (ram ? 0 : TLB_MMIO) : -1;
    e->addr_code = (prot & PAGE_EXEC) ? vaddr | (ram ? 0 : TLB_MMIO) : -1;
    if (!(prot & PAGE_WRITE)) {
        e->addr_write = -1;
    } else if (!ram || rom) {
        e->addr_write = vaddr | TLB_MMIO;
    } else if (mr->dirty_log_mask) {
        e->addr_write = vaddr | TLB_NOTDIRTY;
    } else {
        set_ram_write_tag(e, vaddr, host);
    }
    t->used |= 1u << mmu_idx;
    ember_log_mask(LOG_MMU, "tlb: cpu %d idx %d 0x%" PRIx64 " -> 0x%" PRIx64
                   " prot %d%s\n", cpu->cpu_index, mmu_idx, vaddr, phys,
                   prot, ram ? (rom ? " rom" : "") : " mmio");
}

/* Raise the exception the target recorded, from a slow path. */
void tcg_raise_restore(CPUState *cpu, uintptr_t ra, const uint64_t *regs)
{
    bool locked = tb_lock_held();

    if (!locked) {
        tb_lock();
    }
    cpu_restore_state(cpu, ra, regs);
    if (!locked) {
        tb_unlock();
    }
    cpu_loop_exit(cpu);
}

/* The entry for addr and access, filled (or faulting) if it misses. */
static CPUTLBEntry *tlb_entry_fill(CPUState *cpu, uint64_t addr,
                                   MMUAccessType access, int mmu_idx,
                                   uintptr_t ra, const uint64_t *regs,
                                   bool probe)
{
    CPUTLB *t = cpu_tlb(cpu);
    uint64_t page = addr & TARGET_PAGE_MASK;
    CPUTLBEntry *e = &t->table[mmu_idx][tlb_index(addr)];
    uint64_t tag = access == MMU_DATA_LOAD ? e->addr_read :
                   access == MMU_DATA_STORE ? e->addr_write : e->addr_code;
    uint64_t phys, size;
    int prot;

    if (tlb_hit(tag, page)) {
        return e;
    }
    if (!sys_target->tlb_fill(cpu, addr, access, mmu_idx, probe, ra, regs,
                              &phys, &prot, &size)) {
        return NULL;
    }
    tlb_set_page(cpu, addr, phys, prot, mmu_idx, size);
    return e;
}

static inline uint64_t entry_tag(CPUTLBEntry *e, MMUAccessType access)
{
    return access == MMU_DATA_LOAD ? e->addr_read :
           access == MMU_DATA_STORE ? e->addr_write : e->addr_code;
}

/* ---- MMIO -------------------------------------------------------------- */

static uint64_t io_phys(CPUState *cpu, CPUTLBEntry *e, int mmu_idx,
                        uint64_t addr)
{
    CPUTLB *t = cpu_tlb(cpu);
    CPUTLBFull *f = &t->full[mmu_idx][e - t->table[mmu_idx]];

    return f->phys | (addr & ~TARGET_PAGE_MASK);
}

static uint64_t io_read(uint64_t phys, unsigned size)
{
    bool locked = bql_locked();
    uint64_t v;

    if (!locked) {
        bql_lock();
    }
    v = address_space_ld(&address_space_memory, phys, size);
    if (!locked) {
        bql_unlock();
    }
    return v;
}

static void io_write(CPUState *cpu, uint64_t phys, uint64_t val,
                     unsigned size)
{
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    address_space_st(&address_space_memory, phys, val, size);
    /* A device access may have changed the memory map (a PCI BAR):
     * later accesses of this block must see the new one. */
    tcg_memory_map_refresh();
    if (!locked) {
        bql_unlock();
    }
}

/* ---- Writes to RAM that need more than a store ------------------------- */

/*
 * Before a store to [host, host + size) through a NOTDIRTY entry: drop
 * the translated code it overwrites. If that is the block now running,
 * restart the writing instruction alone (its block is gone) and leave.
 */
static void notdirty_prepare(CPUState *cpu, CPUTLBEntry *e, CPUTLBFull *f,
                             uintptr_t host, unsigned size, uintptr_t ra,
                             const uint64_t *regs)
{
    uintptr_t hpage = host & TARGET_PAGE_MASK;
    bool current = false, still = false;
    MemoryRegion *mr = f->mr;

    tb_lock();
    if (page_has_tbs(hpage)) {
        current = tb_invalidate_range(host, host + size, ra ? ra : 1);
        still = page_has_tbs(hpage);
    }
    if (!still && !(mr && mr->dirty_log_mask)) {
        /* Under tb_lock: see set_ram_write_tag. */
        __atomic_and_fetch(&e->addr_write, ~(uint64_t)TLB_NOTDIRTY,
                           __ATOMIC_RELAXED);
    }
    tb_unlock();
    if (current) {
        TCGCPU *tc = tcg_cpu(cpu);
        tc->cflags_next_tb = CF_NOCACHE | 1;
        cpu->exception_index = -1;
        tcg_raise_restore(cpu, ra, regs);
    }
}

static void notdirty_done(CPUTLBFull *f, uint64_t addr, unsigned size)
{
    MemoryRegion *mr = f->mr;

    if (mr && mr->dirty_log_mask) {
        memory_region_set_dirty(mr, f->mr_offset +
                                (addr & ~TARGET_PAGE_MASK), size);
    }
}

/* ---- Slow paths --------------------------------------------------------- */

static uint64_t sext(uint64_t v, MemOp mop)
{
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_SB: return (int64_t)(int8_t)v;
    case MO_SW: return (int64_t)(int16_t)v;
    case MO_SL: return (int64_t)(int32_t)v;
    default: return v;
    }
}

static void check_align(CPUState *cpu, uint64_t addr, MemOp mop,
                        MMUAccessType access, uintptr_t ra,
                        const uint64_t *regs)
{
    unsigned a = memop_align(mop);

    if (a > 1 && (addr & (a - 1))) {
        sys_target->unaligned(cpu, addr, access, ra, regs);
    }
}

/* A load within one page. */
static uint64_t ld_page(CPUState *cpu, uint64_t addr, unsigned size,
                        int mmu_idx, MMUAccessType access, uintptr_t ra,
                        const uint64_t *regs)
{
    CPUTLBEntry *e = tlb_entry_fill(cpu, addr, access, mmu_idx, ra, regs,
                                    false);
    uint64_t tag = entry_tag(e, access);

    if (tag & TLB_MMIO) {
        return io_read(io_phys(cpu, e, mmu_idx, addr), size);
    }
    return ldn_le_p((void *)(uintptr_t)(addr + e->addend), size);
}

static void st_page(CPUState *cpu, uint64_t addr, uint64_t val,
                    unsigned size, int mmu_idx, uintptr_t ra,
                    const uint64_t *regs)
{
    CPUTLB *t = cpu_tlb(cpu);
    CPUTLBEntry *e = tlb_entry_fill(cpu, addr, MMU_DATA_STORE, mmu_idx, ra,
                                    regs, false);
    CPUTLBFull *f = &t->full[mmu_idx][e - t->table[mmu_idx]];
    uint64_t tag = e->addr_write;
    uintptr_t host;

    if (tag & TLB_MMIO) {
        io_write(cpu, io_phys(cpu, e, mmu_idx, addr), val, size);
        return;
    }
    host = addr + e->addend;
    if (tag & TLB_NOTDIRTY) {
        notdirty_prepare(cpu, e, f, host, size, ra, regs);
        stn_le_p((void *)host, size, val);
        notdirty_done(f, addr, size);
        return;
    }
    stn_le_p((void *)host, size, val);
}

static uint64_t do_ld(CPUState *cpu, uint64_t addr, MemOp mop, int mmu_idx,
                      MMUAccessType access, uintptr_t ra,
                      const uint64_t *regs)
{
    unsigned size = memop_size(mop);
    uint64_t v;

    check_align(cpu, addr, mop, access, ra, regs);
    if (likely(((addr & ~TARGET_PAGE_MASK) + size) <= TARGET_PAGE_SIZE)) {
        v = ld_page(cpu, addr, size, mmu_idx, access, ra, regs);
    } else {
        /*
         * Crosses a page: both pages must translate before anything is
         * read (a fault on the second leaves no partial effect).
         */
        unsigned n1 = TARGET_PAGE_SIZE - (addr & ~TARGET_PAGE_MASK);
        uint64_t a2 = addr + n1;
        uint64_t lo, hi;

        tlb_entry_fill(cpu, addr, access, mmu_idx, ra, regs, false);
        tlb_entry_fill(cpu, a2, access, mmu_idx, ra, regs, false);
        lo = 0;
        for (unsigned k = 0; k < n1; k++) {
            lo |= ld_page(cpu, addr + k, 1, mmu_idx, access, ra, regs)
                  << (8 * k);
        }
        hi = 0;
        for (unsigned k = 0; k < size - n1; k++) {
            hi |= ld_page(cpu, a2 + k, 1, mmu_idx, access, ra, regs)
                  << (8 * k);
        }
        v = lo | (hi << (8 * n1));
        if (size < 8) {
            v &= (1ull << (8 * size)) - 1;
        }
    }
    return sext(v, mop);
}

static void do_st(CPUState *cpu, uint64_t addr, uint64_t val, MemOp mop,
                  int mmu_idx, uintptr_t ra, const uint64_t *regs)
{
    unsigned size = memop_size(mop);

    check_align(cpu, addr, mop, MMU_DATA_STORE, ra, regs);
    if (likely(((addr & ~TARGET_PAGE_MASK) + size) <= TARGET_PAGE_SIZE)) {
        st_page(cpu, addr, val, size, mmu_idx, ra, regs);
    } else {
        unsigned n1 = TARGET_PAGE_SIZE - (addr & ~TARGET_PAGE_MASK);
        uint64_t a2 = addr + n1;

        /* Both pages writable before the first byte is stored. */
        tlb_entry_fill(cpu, addr, MMU_DATA_STORE, mmu_idx, ra, regs, false);
        tlb_entry_fill(cpu, a2, MMU_DATA_STORE, mmu_idx, ra, regs, false);
        for (unsigned k = 0; k < size; k++) {
            st_page(cpu, addr + k, (val >> (8 * k)) & 0xff, 1, mmu_idx, ra,
                    regs);
        }
    }
}

/* ---- Entry points for generated code ------------------------------------ */

static uint64_t softmmu_ld(void *env, uint64_t addr, uint64_t oi,
                           uint64_t *regs)
{
    CPUState *cpu = env_cpu(env);
    uintptr_t ra = regs ? regs[TCG_SOFTMMU_RA_SLOT] : 0;

    return do_ld(cpu, addr, get_memop(oi), get_mmuidx(oi), MMU_DATA_LOAD,
                 ra, regs);
}

static void softmmu_st(void *env, uint64_t addr, uint64_t val, uint64_t oi,
                       uint64_t *regs)
{
    CPUState *cpu = env_cpu(env);
    uintptr_t ra = regs ? regs[TCG_SOFTMMU_RA_SLOT] : 0;

    do_st(cpu, addr, val, get_memop(oi), get_mmuidx(oi), ra, regs);
}

/* The operation of softmmu_atomic on RAM at host, as one host atomic. */
static uint64_t host_rmw(void *host, unsigned size, unsigned op,
                         uint64_t a, uint64_t b)
{
#define RMW(T) do {                                                         \
        T *p = host, old = (T)a;                                            \
        switch (op) {                                                       \
        case TCG_SOFTMMU_CMPXCHG:                                           \
            __atomic_compare_exchange_n(p, &old, (T)b, false,              \
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);\
            return old;                                                     \
        case TCG_SOFTMMU_XCHG:                                              \
            return __atomic_exchange_n(p, (T)a, __ATOMIC_SEQ_CST);         \
        default:                                                            \
            return __atomic_fetch_add(p, (T)a, __ATOMIC_SEQ_CST);          \
        }                                                                   \
    } while (0)
    switch (size) {
    case 1: RMW(uint8_t);
    case 2: RMW(uint16_t);
    case 4: RMW(uint32_t);
    default: RMW(uint64_t);
    }
#undef RMW
}

/*
 * Read-modify-write instructions (LOCK CMPXCHG, XCHG, XADD) that missed
 * the inline path (a TLB miss, a page with translated code or dirty
 * logging, MMIO, a page crossing). On RAM within a page it is a host
 * atomic, as the inline path is: with a thread per vCPU another vCPU may
 * access the same memory meanwhile. Elsewhere a load then a store: MMIO
 * and page-crossing locked accesses are not atomic between vCPUs on
 * their own threads (the thread=single default runs vCPUs on one thread
 * and switches only between blocks). The write permission is checked
 * before the read.
 */
static uint64_t softmmu_atomic(void *env, uint64_t addr, uint64_t a,
                               uint64_t b, uint64_t oi_op, uint64_t *regs)
{
    CPUState *cpu = env_cpu(env);
    uintptr_t ra = regs ? regs[TCG_SOFTMMU_RA_SLOT] : 0;
    MemOpIdx oi = oi_op & ((1u << TCG_SOFTMMU_OP_SHIFT) - 1);
    unsigned op = oi_op >> TCG_SOFTMMU_OP_SHIFT;
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = memop_size(mop);
    uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    uint64_t old, nv;

    check_align(cpu, addr, mop, MMU_DATA_STORE, ra, regs);
    tlb_entry_fill(cpu, addr, MMU_DATA_STORE, mmu_idx, ra, regs, false);
    if (((addr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE) {
        tlb_entry_fill(cpu, addr + size - 1, MMU_DATA_STORE, mmu_idx, ra,
                       regs, false);
    }
    if (((addr & ~TARGET_PAGE_MASK) + size) <= TARGET_PAGE_SIZE &&
        !(addr & (size - 1))) {
        CPUTLB *t = cpu_tlb(cpu);
        CPUTLBEntry *e = tlb_entry_fill(cpu, addr, MMU_DATA_STORE, mmu_idx,
                                        ra, regs, false);
        CPUTLBFull *f = &t->full[mmu_idx][e - t->table[mmu_idx]];
        uint64_t tag = e->addr_write;

        if (!(tag & TLB_MMIO)) {
            void *host = (void *)(uintptr_t)(addr + e->addend);

            if (tag & TLB_NOTDIRTY) {
                notdirty_prepare(cpu, e, f, (uintptr_t)host, size, ra, regs);
            }
            old = host_rmw(host, size, op, a & mask, b & mask);
            if (tag & TLB_NOTDIRTY) {
                notdirty_done(f, addr, size);
            }
            return old;
        }
    }
    old = do_ld(cpu, addr, mop & MO_SIZE, mmu_idx, MMU_DATA_LOAD, ra, regs);
    switch (op) {
    case TCG_SOFTMMU_CMPXCHG:
        if (old != (a & mask)) {
            /* A locked CMPXCHG writes even when it fails (SDM 2A). */
            nv = old;
        } else {
            nv = b;
        }
        break;
    case TCG_SOFTMMU_XCHG:
        nv = a;
        break;
    default:
        nv = old + a;
        break;
    }
    do_st(cpu, addr, nv & mask, mop & MO_SIZE, mmu_idx, ra, regs);
    return old;
}

static uint64_t softmmu_ld_ra(void *env, uint64_t addr, unsigned size,
                              uintptr_t ra)
{
    return cpu_ld_mmu(env_cpu(env), addr, size, -1, ra);
}

static void softmmu_st_ra(void *env, uint64_t addr, uint64_t val,
                          unsigned size, uintptr_t ra)
{
    cpu_st_mmu(env_cpu(env), addr, val, size, -1, ra);
}

static void *softmmu_host_ra(void *env, uint64_t addr, size_t len,
                             bool is_write, uintptr_t ra)
{
    return cpu_host_ptr_mmu(env_cpu(env), addr, len,
                            is_write ? MMU_DATA_STORE : MMU_DATA_LOAD, -1,
                            ra);
}

static TCGSoftMMU softmmu_ops = {
    .ld = softmmu_ld,
    .st = softmmu_st,
    .atomic = softmmu_atomic,
    .ld_ra = softmmu_ld_ra,
    .st_ra = softmmu_st_ra,
    .host_ra = softmmu_host_ra,
};

/* ---- C helpers ---------------------------------------------------------- */

static int cur_mmu_idx(CPUState *cpu, int mmu_idx)
{
    return mmu_idx >= 0 ? mmu_idx : sys_target->mmu_index(cpu, false);
}

static MemOp size_memop(unsigned size)
{
    return size == 1 ? MO_8 : size == 2 ? MO_16 : size == 4 ? MO_32 : MO_64;
}

uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, unsigned size,
                    int mmu_idx, uintptr_t ra)
{
    return do_ld(cpu, addr, size_memop(size), cur_mmu_idx(cpu, mmu_idx),
                 MMU_DATA_LOAD, ra, NULL);
}

void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size,
                int mmu_idx, uintptr_t ra)
{
    do_st(cpu, addr, val, size_memop(size), cur_mmu_idx(cpu, mmu_idx), ra,
          NULL);
}

void *cpu_host_ptr_mmu(CPUState *cpu, uint64_t addr, size_t len,
                       MMUAccessType access, int mmu_idx, uintptr_t ra)
{
    CPUTLBEntry *e;
    uint64_t tag;

    mmu_idx = cur_mmu_idx(cpu, mmu_idx);
    if (!len || (addr & ~TARGET_PAGE_MASK) + len > TARGET_PAGE_SIZE) {
        return NULL;
    }
    e = tlb_entry_fill(cpu, addr, access, mmu_idx, ra, NULL, false);
    tag = entry_tag(e, access);
    if (tag & (TLB_MMIO | TLB_NOTDIRTY)) {
        return NULL;
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

/* ---- Guest-physical accesses of the CPU itself ------------------------- */

uint64_t tcg_phys_ld(CPUState *cpu, uint64_t addr, unsigned size)
{
    const FlatRange *r = tcg_fv ? flatview_lookup(tcg_fv, addr) : NULL;

    if (r && r->mr->type == MR_RAM && addr - r->start + size <= r->size) {
        uint64_t off = r->offset_in_region + (addr - r->start);
        if (off + size <= r->mr->size) {
            return ldn_le_p(r->mr->ram_ptr + off, size);
        }
    }
    /*
     * Page tables outside RAM: read through the memory API, except while
     * translating (tb_lock held), where taking the BQL could deadlock
     * with a DMA thread; such a walk sees an empty entry.
     */
    if (tb_lock_held()) {
        return 0;
    }
    return io_read(addr, size);
}

void tcg_phys_st(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size)
{
    const FlatRange *r = tcg_fv ? flatview_lookup(tcg_fv, addr) : NULL;

    if (r && r->mr->type == MR_RAM && !r->readonly && !r->mr->readonly &&
        addr - r->start + size <= r->size) {
        uint64_t off = r->offset_in_region + (addr - r->start);
        if (off + size <= r->mr->size) {
            uintptr_t host = (uintptr_t)r->mr->ram_ptr + off;
            stn_le_p((void *)host, size, val);
            if (r->mr->dirty_log_mask) {
                memory_region_set_dirty(r->mr, off, size);
            }
            bool locked = tb_lock_maybe();
            if (page_has_tbs(host & TARGET_PAGE_MASK)) {
                tb_invalidate_range(host, host + size, 0);
            }
            if (locked) {
                tb_unlock();
            }
            return;
        }
    }
    if (!tb_lock_held()) {
        io_write(cpu, addr, val, size);
    }
}

/* ---- Code fetch for the translator -------------------------------------- */

/*
 * Code on a page that is not plain RAM (a jump into MMIO or unassigned
 * space) is read through the memory API, a few bytes around the PC, and
 * run one instruction at a time without caching (sys_code_phys).
 */
typedef struct MMIOFetch {
    bool valid;
    uint64_t vpage;             /* first virtual page of buf */
    uint8_t buf[2 * TARGET_PAGE_SIZE];
} MMIOFetch;

static MMIOFetch *mmio_fetch_of(CPUState *cpu)
{
    static GHashTable *fetches;
    MMIOFetch *m;

    if (!fetches) {
        fetches = g_hash_table_new(NULL, NULL);
    }
    m = g_hash_table_lookup(fetches, cpu);
    if (!m) {
        m = g_new0(MMIOFetch, 1);
        g_hash_table_insert(fetches, cpu, m);
    }
    return m;
}

/* Fill the fetch buffer with the 16 bytes at pc (bytes that do not
 * translate read as 0xff; the decoder never needs more than 15). */
static void mmio_prefetch(CPUState *cpu, uint64_t pc, int mmu_idx)
{
    MMIOFetch *m = mmio_fetch_of(cpu);
    uint64_t vpage = pc & TARGET_PAGE_MASK;

    memset(m->buf, 0xff, sizeof(m->buf));
    m->vpage = vpage;
    for (unsigned k = 0; k < 16; k++) {
        uint64_t a = pc + k;
        CPUTLBEntry *e;
        if (a - vpage >= sizeof(m->buf)) {
            break;
        }
        e = tlb_entry_fill(cpu, a, MMU_INST_FETCH, mmu_idx, 0, NULL, true);
        if (!e) {
            break;
        }
        if (e->addr_code & TLB_MMIO) {
            m->buf[a - vpage] = io_read(io_phys(cpu, e, mmu_idx, a), 1);
        } else {
            m->buf[a - vpage] = *(uint8_t *)(uintptr_t)(a + e->addend);
        }
    }
    m->valid = true;
}

static const uint8_t *sys_code_page(CPUState *cpu, uint64_t page)
{
    int mmu_idx = sys_target->mmu_index(cpu, true);
    MMIOFetch *m = mmio_fetch_of(cpu);
    CPUTLBEntry *e;

    page &= TARGET_PAGE_MASK;
    if (m->valid && (page == m->vpage ||
                     page == m->vpage + TARGET_PAGE_SIZE)) {
        return m->buf + (page - m->vpage);
    }
    e = tlb_entry_fill(cpu, page, MMU_INST_FETCH, mmu_idx, 0, NULL, true);
    if (!e || (e->addr_code & TLB_MMIO)) {
        return NULL;
    }
    return (const uint8_t *)(uintptr_t)(page + e->addend);
}

/* The host page of code at vpage, or -1 (not translatable/not RAM). */
static uint64_t sys_phys_page(CPUState *cpu, uint64_t vpage)
{
    int mmu_idx = sys_target->mmu_index(cpu, true);
    CPUTLBEntry *e = tlb_entry_fill(cpu, vpage, MMU_INST_FETCH, mmu_idx, 0,
                                    NULL, true);

    if (!e || (e->addr_code & TLB_MMIO)) {
        return -1;
    }
    return (vpage & TARGET_PAGE_MASK) + e->addend;
}

/*
 * Before looking up or translating the block at pc: the host page of its
 * code. A fetch fault is raised here (the state is exact at a block
 * boundary) unless probe. Code outside RAM gets a one-instruction,
 * uncached block (*cflags) and the result -1.
 */
static uint64_t sys_code_phys(CPUState *cpu, uint64_t pc, uint32_t *cflags,
                              bool probe)
{
    int mmu_idx = sys_target->mmu_index(cpu, true);
    MMIOFetch *m = mmio_fetch_of(cpu);
    CPUTLBEntry *e;
    uint64_t page = pc & TARGET_PAGE_MASK;

    if (!probe) {
        m->valid = false;
    }
    e = tlb_entry_fill(cpu, pc, MMU_INST_FETCH, mmu_idx, 0, NULL, probe);
    if (!e) {
        return -1;
    }
    if (!(e->addr_code & TLB_MMIO) &&
        (pc & ~TARGET_PAGE_MASK) <= TARGET_PAGE_SIZE - 16) {
        return page + e->addend;
    }
    if (!(e->addr_code & TLB_MMIO)) {
        /* Near the end of the page: is the next one MMIO? */
        CPUTLBEntry *e2 = tlb_entry_fill(cpu, page + TARGET_PAGE_SIZE,
                                         MMU_INST_FETCH, mmu_idx, 0, NULL,
                                         true);
        if (!e2 || !(e2->addr_code & TLB_MMIO)) {
            return page + e->addend;
        }
    }
    if (probe) {
        return -1;
    }
    ember_log_mask(LOG_GUEST_ERROR, "cpu %d executes outside RAM at 0x%"
                   PRIx64 "\n", cpu->cpu_index, pc);
    mmio_prefetch(cpu, pc, mmu_idx);
    *cflags |= CF_NOCACHE | 1;
    return -1;
}

/*
 * The translator could not fetch the first instruction of a block: the
 * bytes lie on a second page that faults (raise it) or is not RAM (run
 * it from the fetch buffer).
 */
static void sys_fetch_fault(CPUState *cpu, uint64_t addr)
{
    int mmu_idx = sys_target->mmu_index(cpu, true);
    uint64_t pc, cs_base;
    uint32_t flags;

    /* Raises #PF if the page does not translate. */
    tlb_entry_fill(cpu, addr, MMU_INST_FETCH, mmu_idx, 0, NULL, false);
    cpu_get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    mmio_prefetch(cpu, pc, mmu_idx);
    tcg_cpu(cpu)->cflags_next_tb = CF_NOCACHE | 1;
    cpu->exception_index = -1;
    cpu_loop_exit(cpu);
}

/* ---- RAM written by DMA, loaders and other threads ---------------------- */

static void ram_write_hook(void *opaque, MemoryRegion *mr, hwaddr offset,
                           uint64_t len)
{
    uintptr_t start, end;

    if (mr->type != MR_RAM || !mr->ram_ptr || !len) {
        return;
    }
    start = (uintptr_t)mr->ram_ptr + offset;
    end = start + len;
    tb_lock();
    for (uintptr_t p = start & TARGET_PAGE_MASK; p < end;
         p += TARGET_PAGE_SIZE) {
        if (page_has_tbs(p)) {
            tb_invalidate_range(MAX(p, start),
                                MIN(p + TARGET_PAGE_SIZE, end), 0);
        }
    }
    tb_unlock();
}

/* ---- Set-up ------------------------------------------------------------- */

static void sys_page_protect(uint64_t hpage)
{
    tlb_protect_code_page(hpage);
}

static GPtrArray *sys_cpu_list(void)
{
    static GPtrArray *empty;

    if (!cpu_list) {
        if (!empty) {
            empty = g_ptr_array_new();
        }
        return empty;
    }
    return cpu_list;
}

static TCGModeOps system_mode_ops = {
    .code_page = sys_code_page,
    .page_protect = sys_page_protect,
    .cpu_list = sys_cpu_list,
    .code_phys = sys_code_phys,
    .phys_page = sys_phys_page,
    .fetch_fault = sys_fetch_fault,
    .same_page_chaining = true,
};

const TCGModeOps *tcg_softmmu_mode_ops(const TCGSysTarget *target,
                                       bool (*exec_interrupt)(CPUState *))
{
    sys_target = target;
    system_mode_ops.exec_interrupt = exec_interrupt;
    if (!tcg_listener.commit) {
        tcg_listener.name = "tcg";
        tcg_listener.commit = tcg_listener_commit;
        memory_listener_register(&tcg_listener, &address_space_memory);
        memory_add_ram_write_hook(ram_write_hook, NULL);
    }
    tcg_softmmu = &softmmu_ops;
    return &system_mode_ops;
}

void tlb_init(CPUState *cpu, const TCGSysTarget *target)
{
    CPUTLB *t = g_new(CPUTLB, 1);

    sys_target = target;
    cpu->tlb = t;
    cpu_tlb_ofs = (char *)&cpu->tlb - (char *)cpu->env_ptr;
    softmmu_ops.tlb_ofs = cpu_tlb_ofs;
    t->used = (1u << NB_MMU_MODES) - 1;
    for (int i = 0; i < NB_MMU_MODES; i++) {
        tlb_flush_idx(t, i);
    }
    memset(t->full, 0, sizeof(t->full));
}

void tlb_destroy(CPUState *cpu)
{
    g_free(cpu->tlb);
    cpu->tlb = NULL;
}
