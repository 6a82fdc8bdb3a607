/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation-block bookkeeping: the cache keyed by (PC, CS base,
 * flags), the per-page lists used to invalidate code the guest
 * overwrites, direct-jump chaining, and flushing the code buffer.
 *
 * Locking: tb_lock guards all of it. Readers of the per-vCPU jump
 * caches do not take it; invalidation clears their entries atomically
 * (a vCPU may still run a TB it fetched just before; the TB is only
 * reclaimed by a flush, which is exclusive).
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "tcg/tcg.h"
#include "exec/exec-all.h"
#include "tcg/interp.h"
#include "../../tcg/tcg-internal.h"
#include "internal.h"

static GMutex tb_mutex;
static __thread bool have_tb_lock;

static GHashTable *tb_htable;       /* TB -> TB, by pc/cs_base/flags */
static GHashTable *page_tbs;        /* page number -> GPtrArray of TB */
static GPtrArray *all_tbs;          /* in code-buffer order */
static uint64_t stat_invalidated, stat_flushes, stat_chained;

void tb_lock(void)
{
    g_assert(!have_tb_lock);
    g_mutex_lock(&tb_mutex);
    have_tb_lock = true;
}

void tb_unlock(void)
{
    g_assert(have_tb_lock);
    have_tb_lock = false;
    g_mutex_unlock(&tb_mutex);
}

bool tb_lock_held(void)
{
    return have_tb_lock;
}

static guint tb_hash(gconstpointer p)
{
    const TranslationBlock *tb = p;
    uint64_t h = tb->pc * 0x9e3779b97f4a7c15ull ^ tb->flags ^ tb->cs_base;

    return (guint)(h ^ (h >> 32));
}

static gboolean tb_equal(gconstpointer a, gconstpointer b)
{
    const TranslationBlock *x = a, *y = b;

    return x->pc == y->pc && x->cs_base == y->cs_base &&
           x->flags == y->flags && x->page_addr[0] == y->page_addr[0];
}

void tb_maint_init(void)
{
    tb_htable = g_hash_table_new(tb_hash, tb_equal);
    page_tbs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
    all_tbs = g_ptr_array_new();
}

TranslationBlock *tb_htable_lookup(CPUState *cpu, uint64_t pc,
                                   uint64_t cs_base, uint32_t flags,
                                   uint64_t phys)
{
    TranslationBlock key = { .pc = pc, .cs_base = cs_base, .flags = flags,
                             .page_addr = { phys, -1 } };
    TranslationBlock *tb = g_hash_table_lookup(tb_htable, &key);

    if (tb && tb->page_addr[1] != (uint64_t)-1 && tcg_mode_ops->phys_page &&
        tcg_mode_ops->phys_page(cpu, (pc & TARGET_PAGE_MASK) +
                                TARGET_PAGE_SIZE) != tb->page_addr[1]) {
        /* The block's second page now maps elsewhere. */
        return NULL;
    }
    return tb;
}

static GPtrArray *page_list(uint64_t page, bool create)
{
    uint64_t idx = page >> TARGET_PAGE_BITS;
    GPtrArray *l = g_hash_table_lookup(page_tbs, &idx);

    if (!l && create) {
        uint64_t *k = g_new(uint64_t, 1);
        *k = idx;
        l = g_ptr_array_new();
        g_hash_table_insert(page_tbs, k, l);
    }
    return l;
}

bool page_has_tbs(uint64_t page)
{
    GPtrArray *l = page_list(page & TARGET_PAGE_MASK, false);

    return l && l->len;
}

/* Register a new TB (tb_lock held). */
void tb_link(TranslationBlock *tb)
{
    g_ptr_array_add(all_tbs, tb);
    if (tb->cflags & CF_NOCACHE) {
        return;
    }
    g_hash_table_replace(tb_htable, tb, tb);
    for (int i = 0; i < 2; i++) {
        GPtrArray *l;
        if (tb->page_addr[i] == (uint64_t)-1) {
            continue;
        }
        l = page_list(tb->page_addr[i], true);
        if (!l->len && !(tb->cflags & CF_NO_PROTECT) &&
            tcg_mode_ops->page_protect) {
            tcg_mode_ops->page_protect(tb->page_addr[i]);
        }
        g_ptr_array_add(l, tb);
    }
}

TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc)
{
    int lo = 0, hi;

    if (!all_tbs || !all_tbs->len) {
        return NULL;
    }
    hi = all_tbs->len - 1;
    /* Binary search for the last TB starting at or below host_pc. */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        TranslationBlock *tb = g_ptr_array_index(all_tbs, mid);
        if ((uintptr_t)tb->tc_ptr <= host_pc) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    {
        TranslationBlock *tb = g_ptr_array_index(all_tbs, lo);
        if (host_pc >= (uintptr_t)tb->tc_ptr &&
            host_pc < (uintptr_t)tb->tc_ptr + tb->tc_size) {
            return tb;
        }
    }
    return NULL;
}

static void tb_reset_jump(TranslationBlock *tb, int n)
{
    tcg_current_backend()->set_jmp_target(
        tb, n, (const uint8_t *)tb->tc_ptr + tb->jmp_reset_offset[n]);
}

/* Chain: make tb's goto_tb slot n jump straight to next (tb_lock held). */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next)
{
    if (tb->invalid || next->invalid || tb->jmp_dest[n] ||
        tb->jmp_reset_offset[n] == 0xffff ||
        (tb->cflags & (CF_NOCACHE | CF_NO_CHAIN)) ||
        (next->cflags & CF_NOCACHE)) {
        return;
    }
    if (tcg_mode_ops->same_page_chaining &&
        (next->pc & TARGET_PAGE_MASK) != (tb->pc & TARGET_PAGE_MASK) &&
        (next->pc & TARGET_PAGE_MASK) !=
        ((tb->pc + tb->size - 1) & TARGET_PAGE_MASK)) {
        /* System mode: next's page may map elsewhere when tb runs again. */
        return;
    }
    tcg_current_backend()->set_jmp_target(tb, n, next->tc_ptr);
    tb->jmp_dest[n] = (uintptr_t)next;
    if (!next->jmp_incoming) {
        next->jmp_incoming = g_ptr_array_new();
    }
    g_ptr_array_add(next->jmp_incoming, (void *)((uintptr_t)tb | n));
    stat_chained++;
}

static void jmp_cache_remove(TranslationBlock *tb)
{
    GPtrArray *cpus = tcg_mode_ops->cpu_list ? tcg_mode_ops->cpu_list()
                                             : NULL;
    unsigned h = tb_jmp_cache_hash(tb->pc);

    if (!cpus) {
        return;
    }
    for (unsigned i = 0; i < cpus->len; i++) {
        CPUState *cpu = g_ptr_array_index(cpus, i);
        TCGCPU *tc = tcg_cpu(cpu);
        if (tc && __atomic_load_n(&tc->jmp_cache[h].tb, __ATOMIC_RELAXED)
            == tb) {
            tb_jmp_cache_clear(&tc->jmp_cache[h]);
        }
    }
}

static void tb_phys_invalidate(TranslationBlock *tb)
{
    if (tb->invalid) {
        return;
    }
    tb->invalid = true;
    stat_invalidated++;
    if (g_hash_table_lookup(tb_htable, tb) == tb) {
        g_hash_table_remove(tb_htable, tb);
    }
    for (int i = 0; i < 2; i++) {
        GPtrArray *l;
        if (tb->page_addr[i] == (uint64_t)-1) {
            continue;
        }
        l = page_list(tb->page_addr[i], false);
        if (l) {
            g_ptr_array_remove_fast(l, tb);
        }
    }
    jmp_cache_remove(tb);
    /* Outgoing chains. */
    for (int n = 0; n < 2; n++) {
        TranslationBlock *dest = (TranslationBlock *)tb->jmp_dest[n];
        if (dest && dest->jmp_incoming) {
            g_ptr_array_remove_fast(dest->jmp_incoming,
                                    (void *)((uintptr_t)tb | n));
        }
        tb->jmp_dest[n] = 0;
    }
    /* Incoming chains jump to their exits again. */
    if (tb->jmp_incoming) {
        for (unsigned i = 0; i < tb->jmp_incoming->len; i++) {
            uintptr_t e = (uintptr_t)g_ptr_array_index(tb->jmp_incoming, i);
            TranslationBlock *src = (TranslationBlock *)(e & ~(uintptr_t)3);
            int n = e & 3;
            tb_reset_jump(src, n);
            src->jmp_dest[n] = 0;
        }
        g_ptr_array_set_size(tb->jmp_incoming, 0);
    }
}

/*
 * The page numbers (keys of a table keyed by page number) that fall in
 * [start, end): by walking the range or the table, whichever is
 * smaller (unmapping a huge reservation must not take page by page).
 */
GArray *pages_in_range(GHashTable *t, uint64_t start, uint64_t end)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t first = start >> TARGET_PAGE_BITS, last;

    if (end <= start) {
        return a;
    }
    last = (end - 1) >> TARGET_PAGE_BITS;
    if (last - first >= g_hash_table_size(t)) {
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            uint64_t idx = *(uint64_t *)key;
            if (idx >= first && idx <= last) {
                g_array_append_val(a, idx);
            }
        }
    } else {
        for (uint64_t idx = first; idx <= last; idx++) {
            if (g_hash_table_contains(t, &idx)) {
                g_array_append_val(a, idx);
            }
        }
    }
    return a;
}

/*
 * Does tb's code lie in [start, end)? Ranges are in page_addr terms:
 * guest addresses in user mode, host addresses of the guest RAM pages
 * in system mode (where a block's two pages need not be adjacent).
 */
static bool tb_overlaps(const TranslationBlock *tb, uint64_t start,
                        uint64_t end)
{
    uint64_t off = tb->pc & ~TARGET_PAGE_MASK;
    uint64_t len0 = MIN((uint64_t)tb->size, TARGET_PAGE_SIZE - off);
    uint64_t s0 = tb->page_addr[0] + off;

    if (s0 < end && s0 + len0 > start) {
        return true;
    }
    if (tb->page_addr[1] != (uint64_t)-1 && tb->size > len0) {
        uint64_t s1 = tb->page_addr[1];
        return s1 < end && s1 + (tb->size - len0) > start;
    }
    return false;
}

bool tb_invalidate_range(uint64_t start, uint64_t end, uintptr_t host_pc)
{
    TranslationBlock *cur = NULL;
    bool hit_current = false;
    GArray *pages;

    g_assert(have_tb_lock);
    if (host_pc) {
        cur = tb_find_by_host_pc(host_pc);
        if (!cur) {
            /* A store by the interpreter back end. */
            cur = (TranslationBlock *)tcg_interp_current()->tb;
        }
    }
    pages = pages_in_range(page_tbs, start, end);
    for (unsigned k = 0; k < pages->len; k++) {
        uint64_t page = g_array_index(pages, uint64_t, k) << TARGET_PAGE_BITS;
        GPtrArray *l = page_list(page, false);
        if (!l) {
            continue;
        }
        for (int i = l->len - 1; i >= 0; i--) {
            TranslationBlock *tb;
            if (i >= (int)l->len) {
                continue;
            }
            tb = g_ptr_array_index(l, i);
            if (tb_overlaps(tb, start, end)) {
                if (tb == cur) {
                    hit_current = true;
                }
                tb_phys_invalidate(tb);
            }
        }
    }
    g_array_unref(pages);
    if (cur && !hit_current && cur->invalid) {
        hit_current = true;
    }
    return hit_current;
}

static void free_tb(gpointer p)
{
    TranslationBlock *tb = p;

    if (tb->jmp_incoming) {
        g_ptr_array_unref(tb->jmp_incoming);
    }
    g_free(tb->insn_data);
    g_free(tb);
}

/* Drop everything (exclusive section and tb_lock held). */
void tb_flush_locked(void)
{
    GPtrArray *cpus = tcg_mode_ops->cpu_list ? tcg_mode_ops->cpu_list()
                                             : NULL;

    stat_flushes++;
    if (cpus) {
        for (unsigned i = 0; i < cpus->len; i++) {
            TCGCPU *tc = tcg_cpu(g_ptr_array_index(cpus, i));
            if (tc) {
                memset(tc->jmp_cache, 0, sizeof(tc->jmp_cache));
            }
        }
    }
    g_hash_table_remove_all(tb_htable);
    g_hash_table_remove_all(page_tbs);
    for (unsigned i = 0; i < all_tbs->len; i++) {
        free_tb(g_ptr_array_index(all_tbs, i));
    }
    g_ptr_array_set_size(all_tbs, 0);
    tcg_region_reset();
    ember_log_mask(LOG_TB_STATS, "tb: code buffer flushed\n");
}

void tb_maint_stats(FILE *f)
{
    fprintf(f, "TBs in buffer      %u (cached %u)\n", all_tbs->len,
            g_hash_table_size(tb_htable));
    fprintf(f, "TBs invalidated    %" PRIu64 "\n", stat_invalidated);
    fprintf(f, "jumps chained      %" PRIu64 "\n", stat_chained);
    fprintf(f, "buffer flushes     %" PRIu64 "\n", stat_flushes);
    fprintf(f, "buffer used        %zu of %zu KiB\n",
            (size_t)(tcg_region.ptr - tcg_region.rw) >> 10,
            tcg_region.size >> 10);
}
