/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The execution loop: find or translate the TB for the current PC, run
 * it, chain it to its predecessor, and return to the caller on guest
 * exceptions and exit requests. Also the exclusive sections (used to
 * flush the code buffer while other vCPU threads are stopped) and the
 * recovery of guest state at a fault.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "ember/error.h"
#include "tcg/tcg.h"
#include "tcg/interp.h"
#include "tcg/tcg-op.h"
#include "exec/exec-all.h"
#include "exec/translator.h"
#include "target/x86/cpu.h"
#include "../../tcg/tcg-internal.h"
#include "internal.h"

uint64_t tcg_stat_exec_entries;

/* ---- Exclusive sections ------------------------------------------------ */

static GMutex excl_lock;
static GCond excl_cond;         /* a vCPU stopped running */
static GCond excl_resume;       /* the exclusive section ended */
static bool excl_active;

void cpu_exec_start(CPUState *cpu)
{
    TCGCPU *tc = tcg_cpu(cpu);

    g_mutex_lock(&excl_lock);
    while (excl_active) {
        g_cond_wait(&excl_resume, &excl_lock);
    }
    tc->running = true;
    g_mutex_unlock(&excl_lock);
}

void cpu_exec_end(CPUState *cpu)
{
    TCGCPU *tc = tcg_cpu(cpu);

    g_mutex_lock(&excl_lock);
    tc->running = false;
    if (excl_active) {
        g_cond_broadcast(&excl_cond);
    }
    g_mutex_unlock(&excl_lock);
}

static bool others_running(void)
{
    GPtrArray *cpus = tcg_mode_ops->cpu_list();
    CPUState *self = current_cpu_get();

    for (unsigned i = 0; i < cpus->len; i++) {
        CPUState *c = g_ptr_array_index(cpus, i);
        if (c != self && c->accel && tcg_cpu(c)->running) {
            __atomic_store_n(&c->exit_request, 1, __ATOMIC_SEQ_CST);
            return true;
        }
    }
    return false;
}

void start_exclusive(void)
{
    g_mutex_lock(&excl_lock);
    while (excl_active) {
        g_cond_wait(&excl_resume, &excl_lock);
    }
    excl_active = true;
    while (others_running()) {
        gint64 end = g_get_monotonic_time() + 1000;
        g_cond_wait_until(&excl_cond, &excl_lock, end);
    }
    g_mutex_unlock(&excl_lock);
}

void end_exclusive(void)
{
    g_mutex_lock(&excl_lock);
    excl_active = false;
    g_cond_broadcast(&excl_resume);
    g_mutex_unlock(&excl_lock);
}

void tb_flush(CPUState *cpu)
{
    bool was_running = cpu && tcg_cpu(cpu)->running;

    if (was_running) {
        cpu_exec_end(cpu);
    }
    start_exclusive();
    tb_lock();
    tb_flush_locked();
    tb_unlock();
    end_exclusive();
    if (was_running) {
        cpu_exec_start(cpu);
    }
}

/*
 * In the child of a fork, with tb_lock held (inherited from the parent
 * thread that forked): a private code buffer and no translations.
 */
void tb_after_fork_child(void)
{
    tb_flush_locked();
    tcg_region_after_fork();
}

/* ---- State recovery ---------------------------------------------------- */

bool cpu_restore_state(CPUState *cpu, uintptr_t host_pc,
                       const uint64_t *host_regs)
{
    CPUX86State *env = cpu_env(cpu);

    if (tcg_in_code_buffer(host_pc)) {
        TranslationBlock *tb = tb_find_by_host_pc(host_pc);
        uint32_t off;

        if (!tb) {
            return false;
        }
        off = host_pc - (uintptr_t)tb->tc_ptr;
        for (uint32_t i = 0; i < tb->nb_sites; i++) {
            const TCGFaultSite *site = &tb->sites[i];
            if (site->host_off != off) {
                continue;
            }
            for (int k = 0; k < site->map_len; k++) {
                int g = tb->site_map[site->map_start + 2 * k];
                int reg = tb->site_map[site->map_start + 2 * k + 1];
                TCGTemp *t = &tcg_ctx->temps[g];
                uint64_t v;
                if (!host_regs) {
                    return false;
                }
                v = host_regs[reg];
                memcpy((uint8_t *)env + t->mem_offset, &v, t->mem_size);
            }
            restore_state_to_opc(cpu, tb, tb->insn_data[site->insn]);
            return true;
        }
        return false;
    } else {
        InterpState *is = tcg_interp_current();
        if (is->tb) {
            restore_state_to_opc(cpu, is->tb, is->tb->insn_data[is->insn]);
            return true;
        }
    }
    return false;
}

void cpu_loop_exit(CPUState *cpu)
{
    tcg_interp_current()->tb = NULL;
    siglongjmp(tcg_cpu(cpu)->jmp_env, 1);
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr)
{
    bool locked = tb_lock_held();

    if (!locked && tcg_in_code_buffer(retaddr)) {
        tb_lock();
        cpu_restore_state(cpu, retaddr, NULL);
        tb_unlock();
    } else {
        cpu_restore_state(cpu, retaddr, NULL);
    }
    cpu_loop_exit(cpu);
}

/* ---- TB lookup --------------------------------------------------------- */

static const void *lookup_miss;

/*
 * System mode: the block of an entry that a TLB flush unkeyed is still
 * the one for pc if the pages it was made from are where pc's pages map
 * now (phys: the code page of pc). Then the entry is keyed again.
 */
static TranslationBlock *jmp_cache_revalidate(CPUState *cpu,
                                              TBJmpCacheEntry *e,
                                              uint64_t pc, uint64_t cs_base,
                                              uint32_t flags, uint64_t phys)
{
    TranslationBlock *tb = __atomic_load_n(&e->tb, __ATOMIC_ACQUIRE);

    if (!tb || tb->pc != pc || tb->cs_base != cs_base ||
        tb->flags != flags || tb->page_addr[0] != phys ||
        __atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE)) {
        return NULL;
    }
    if (tb->page_addr[1] != (uint64_t)-1 &&
        tcg_mode_ops->phys_page(cpu, (pc & TARGET_PAGE_MASK) +
                                TARGET_PAGE_SIZE) != tb->page_addr[1]) {
        return NULL;
    }
    tb_jmp_cache_set(e, tb);
    return tb;
}

const void *helper_lookup_tb_ptr(void *envp)
{
    CPUX86State *env = envp;
    CPUState *cpu = env->cs;
    TCGCPU *tc = tcg_cpu(cpu);
    uint64_t pc, cs_base;
    uint32_t flags;
    TBJmpCacheEntry *e;
    TranslationBlock *tb;

    cpu_get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    e = &tc->jmp_cache[tb_jmp_cache_hash(pc)];
    tb = __atomic_load_n(&e->tb, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) != pc + 1 || !tb ||
        tb->pc != pc || tb->cs_base != cs_base || tb->flags != flags) {
        uint64_t phys = pc & TARGET_PAGE_MASK;
        if (tcg_mode_ops->code_phys) {
            uint32_t cf = 0;
            phys = tcg_mode_ops->code_phys(cpu, pc, &cf, true);
            if (phys == (uint64_t)-1) {
                return lookup_miss;
            }
            tb = jmp_cache_revalidate(cpu, e, pc, cs_base, flags, phys);
            if (tb) {
                return tb->tc_ptr;
            }
        }
        tb_lock();
        tb = tb_htable_lookup(cpu, pc, cs_base, flags, phys);
        tb_unlock();
        if (!tb) {
            return lookup_miss;
        }
        tb_jmp_cache_set(e, tb);
    }
    return tb->tc_ptr;
}

void tcg_set_lookup_miss(const void *p)
{
    lookup_miss = p;
}

static TranslationBlock *tb_find(CPUState *cpu, uint64_t pc, uint64_t cs_base,
                                 uint32_t flags, uint32_t cflags)
{
    TCGCPU *tc = tcg_cpu(cpu);
    TBJmpCacheEntry *e = &tc->jmp_cache[tb_jmp_cache_hash(pc)];
    TranslationBlock *tb;
    uint64_t phys = pc & TARGET_PAGE_MASK;
    int flushes = 0;

    if (!cflags) {
        tb = __atomic_load_n(&e->tb, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) == pc + 1 && tb &&
            tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags) {
            return tb;
        }
    }
    if (tcg_mode_ops->code_phys) {
        /* System mode: the code's page (raises a fetch fault here). */
        phys = tcg_mode_ops->code_phys(cpu, pc, &cflags, false);
        if (!cflags) {
            tb = jmp_cache_revalidate(cpu, e, pc, cs_base, flags, phys);
            if (tb) {
                return tb;
            }
        }
    }
    for (;;) {
        tb_lock();
        tb = cflags ? NULL : tb_htable_lookup(cpu, pc, cs_base, flags, phys);
        if (!tb) {
            tb = tb_gen_code(cpu, pc, cs_base, flags, cflags);
        }
        tb_unlock();
        if (tb) {
            break;
        }
        /* The code buffer is full. Other threads may fill it again
         * before this one translates, but not every time. */
        if (++flushes > 8) {
            error_report("the code buffer is too small for a block at 0x%"
                         PRIx64 " (-accel tcg,tb-size=)", pc);
            abort();
        }
        tb_flush(cpu);
    }
    if (!cflags) {
        tb_jmp_cache_set(e, tb);
    }
    return tb;
}

/* ---- The loop ---------------------------------------------------------- */

static int cpu_exec_loop(CPUState *cpu)
{
    TCGCPU *tc = tcg_cpu(cpu);
    CPUX86State *env = cpu_env(cpu);
    const TCGBackend *be = tcg_current_backend();
    TranslationBlock *last_tb = NULL;
    int last_n = 0;
    bool nochain = ember_log_enabled(LOG_EXEC | LOG_CPU);

    for (;;) {
        uint64_t pc, cs_base;
        uint32_t flags, cflags = 0;
        TranslationBlock *tb;
        uintptr_t ret;

        if (tcg_mode_ops->exec_interrupt && cpu->exception_index < 0 &&
            tcg_mode_ops->exec_interrupt(cpu)) {
            last_tb = NULL;
        }
        if (cpu->exception_index >= 0) {
            int r = cpu->exception_index;
            cpu->exception_index = -1;
            return r;
        }
        if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELEASE);
            return EXCP_INTERRUPT;
        }
        cpu_get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
        if (tc->cflags_next_tb != (uint32_t)-1) {
            cflags = tc->cflags_next_tb;
            tc->cflags_next_tb = (uint32_t)-1;
            last_tb = NULL;
        }
        tb = tb_find(cpu, pc, cs_base, flags, cflags);
        if (last_tb && !nochain) {
            tb_lock();
            tb_add_jump(last_tb, last_n, tb);
            tb_unlock();
        }
        if (ember_log_enabled(LOG_CPU)) {
            log_lock();
            x86_cpu_dump_state(env, log_file());
            log_unlock();
        }
        if (ember_log_enabled(LOG_EXEC)) {
            ember_log("Trace %d: %p [%016" PRIx64 "/%016" PRIx64 "/%08x]\n",
                      cpu->cpu_index, tb->tc_ptr, cs_base, pc, flags);
        }
        tcg_stat_exec_entries++;
        tcg_target_exec_enter(cpu);
        ret = be->exec(env, tb->tc_ptr);
        tcg_target_exec_exit(cpu);
        last_tb = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        last_n = ret & TB_EXIT_MASK;
        if (last_n == TB_EXIT_REQUESTED) {
            /* Stopped at the entry of last_tb: nothing ran there. */
            restore_state_to_opc(cpu, last_tb, last_tb->insn_data[0]);
            last_tb = NULL;
        }
        if (cflags & CF_NOCACHE) {
            last_tb = NULL;
        }
    }
}

int cpu_exec(CPUState *cpu_arg)
{
    CPUState *volatile cpu = cpu_arg;
    TCGCPU *tc = tcg_cpu(cpu);

    if (sigsetjmp(tc->jmp_env, 0) != 0) {
        /* Back from cpu_loop_exit(). */
        if (tb_lock_held()) {
            tb_unlock();
        }
        tcg_interp_current()->tb = NULL;
        tcg_target_exec_exit(cpu);
    }
    return cpu_exec_loop(cpu);
}
