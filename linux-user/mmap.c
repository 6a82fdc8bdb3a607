/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's address space: which ranges the guest has mapped and
 * with which protection, guest mmap/munmap/mprotect/mremap/brk, and the
 * write protection of pages holding translated code (so that a guest
 * store to its own code is seen: the fault invalidates the page's
 * translations and the store is retried).
 *
 * All of it runs under tb_lock, which also keeps the translator from
 * reading code that is being unmapped.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include <sys/mman.h>
#include <sys/uio.h>
#include "user.h"

typedef struct PageRange {
    uint64_t start, end;
    int prot;
} PageRange;

static GArray *ranges;              /* PageRange, sorted, disjoint */
static GHashTable *protected_pages; /* page numbers write-protected */
static uint64_t brk_start, brk_cur, brk_mapped;

#define PAGE_MASK_ (~(TARGET_PAGE - 1))

void mmap_init(void)
{
    ranges = g_array_new(false, false, sizeof(PageRange));
    protected_pages = g_hash_table_new(g_int64_hash, g_int64_equal);
}

static int range_index(uint64_t addr)
{
    int lo = 0, hi = (int)ranges->len - 1;

    /* The first range whose end is above addr. */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        PageRange *r = &g_array_index(ranges, PageRange, mid);
        if (r->end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

/* Record [start, end) as prot (-1: unmapped). */
void page_set_flags(uint64_t start, uint64_t end, int prot)
{
    int i = range_index(start);

    while (i < (int)ranges->len) {
        PageRange *r = &g_array_index(ranges, PageRange, i);
        if (r->start >= end) {
            break;
        }
        if (r->start < start && r->end > end) {
            /* Split in two around the new range. */
            PageRange tail = { end, r->end, r->prot };
            r->end = start;
            g_array_insert_val(ranges, i + 1, tail);
            i++;
            break;
        }
        if (r->start < start) {
            r->end = start;
            i++;
        } else if (r->end > end) {
            r->start = end;
            break;
        } else {
            g_array_remove_index(ranges, i);
        }
    }
    if (prot >= 0) {
        PageRange n = { start, end, prot };
        g_array_insert_val(ranges, i, n);
    }
}

int page_get_flags(uint64_t addr)
{
    int i = range_index(addr);

    if (i < (int)ranges->len) {
        PageRange *r = &g_array_index(ranges, PageRange, i);
        if (r->start <= addr) {
            return r->prot;
        }
    }
    return -1;
}

bool page_range_ok(uint64_t addr, uint64_t len, int prot)
{
    uint64_t end = addr + len;

    if (end < addr) {
        return false;
    }
    while (addr < end) {
        int i = range_index(addr);
        PageRange *r;
        if (i >= (int)ranges->len) {
            return false;
        }
        r = &g_array_index(ranges, PageRange, i);
        if (r->start > addr || (r->prot & prot) != prot) {
            return false;
        }
        addr = r->end;
    }
    return true;
}

/* ---- Write protection of translated code ------------------------------ */

static bool page_is_protected(uint64_t page)
{
    uint64_t idx = page / TARGET_PAGE;

    return g_hash_table_contains(protected_pages, &idx);
}

static void page_protect(uint64_t page)
{
    int prot = page_get_flags(page);
    uint64_t *k;

    if (prot < 0 || page_is_protected(page)) {
        return;
    }
    k = g_new(uint64_t, 1);
    *k = page / TARGET_PAGE;
    g_hash_table_add(protected_pages, k);
    if (prot & PROT_WRITE) {
        mprotect(g2h(page), TARGET_PAGE, prot & ~PROT_WRITE);
    }
}

static void page_drop_protection(uint64_t page, bool restore)
{
    uint64_t idx = page / TARGET_PAGE;
    int prot;

    if (!g_hash_table_remove(protected_pages, &idx)) {
        return;
    }
    prot = page_get_flags(page);
    if (restore && prot >= 0 && (prot & PROT_WRITE)) {
        mprotect(g2h(page), TARGET_PAGE, prot);
    }
}

bool any_pages_protected(void)
{
    return g_hash_table_size(protected_pages) > 0;
}

int page_unprotect(uint64_t addr, uintptr_t host_pc)
{
    uint64_t page = addr & PAGE_MASK_;
    bool locked = tb_lock_held();
    bool current;
    int prot;

    if (!locked) {
        tb_lock();
    }
    if (!page_is_protected(page)) {
        if (!locked) {
            tb_unlock();
        }
        return 0;
    }
    prot = page_get_flags(page);
    if (prot < 0 || !(prot & PROT_WRITE)) {
        /* The guest itself made it read-only: a real fault. */
        if (!locked) {
            tb_unlock();
        }
        return 0;
    }
    page_drop_protection(page, true);
    current = tb_invalidate_range(page, page + TARGET_PAGE, host_pc);
    if (!locked) {
        tb_unlock();
    }
    return current ? 2 : 1;
}

void page_unprotect_range(uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;
    GArray *pages;

    if (!len || !g_hash_table_size(protected_pages)) {
        return;
    }
    if (end < addr) {
        end = ~0ull;
    }
    tb_lock();
    pages = pages_in_range(protected_pages, addr, end);
    for (unsigned i = 0; i < pages->len; i++) {
        uint64_t p = g_array_index(pages, uint64_t, i) * TARGET_PAGE;
        page_drop_protection(p, true);
        tb_invalidate_range(p, p + TARGET_PAGE, 0);
    }
    g_array_unref(pages);
    tb_unlock();
}

/* Forget translations and protection in a range whose mapping changes. */
static void range_changed(uint64_t start, uint64_t end)
{
    tb_invalidate_range(start, end, 0);
    if (g_hash_table_size(protected_pages)) {
        GArray *pages = pages_in_range(protected_pages, start, end);
        for (unsigned i = 0; i < pages->len; i++) {
            page_drop_protection(g_array_index(pages, uint64_t, i) *
                                 TARGET_PAGE, false);
        }
        g_array_unref(pages);
    }
}

/* ---- Code fetch for the translator ------------------------------------- */

static const uint8_t *user_code_page(CPUState *cpu, uint64_t addr)
{
    int prot = page_get_flags(addr & PAGE_MASK_);

    if (prot < 0 || !(prot & PROT_EXEC)) {
        return NULL;
    }
    return g2h(addr & PAGE_MASK_);
}

const TCGModeOps user_mode_ops = {
    .code_page = user_code_page,
    .page_protect = page_protect,
    .cpu_list = user_cpu_list,
};

/* ---- mmap family ------------------------------------------------------- */

/* Is [start, end) free or the guest's own (never Ember's)? */
static bool range_claimable(uint64_t start, uint64_t end)
{
    uint64_t a = start;

    while (a < end) {
        int i = range_index(a);
        PageRange *r = i < (int)ranges->len ?
                       &g_array_index(ranges, PageRange, i) : NULL;
        uint64_t gap_end = r && r->start < end ? r->start : end;

        if (r && r->start <= a) {
            a = r->end;
            continue;
        }
        /* [a, gap_end) is not the guest's: it must be unmapped. */
        if (gap_end > a) {
            void *p = mmap(g2h(a), gap_end - a, PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                           -1, 0);
            if (p == MAP_FAILED) {
                return false;
            }
            if (p != g2h(a)) {
                munmap(p, gap_end - a);
                return false;
            }
            /* Keep the placeholder; the real mapping replaces it. */
        }
        a = gap_end;
    }
    return true;
}

int64_t target_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd,
                    int64_t off)
{
    uint64_t start, end;
    void *p;
    int hflags = flags;

    if (!len) {
        return -EINVAL;
    }
    len = ROUND_UP(len, TARGET_PAGE);
    if (!len || (off & (TARGET_PAGE - 1))) {
        return -EINVAL;
    }
    tb_lock();
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (TARGET_PAGE - 1)) {
            tb_unlock();
            return -EINVAL;
        }
        if (addr + len < addr || addr + len > (1ull << 47)) {
            tb_unlock();
            return -ENOMEM;
        }
        if (!(flags & MAP_FIXED_NOREPLACE) &&
            !range_claimable(addr, addr + len)) {
            /* Would map over Ember itself. */
            tb_unlock();
            return -ENOMEM;
        }
    }
    p = mmap(g2h(addr), len, prot, hflags, fd, off);
    if (p == MAP_FAILED) {
        int e = errno;
        tb_unlock();
        return -e;
    }
    start = h2g(p);
    end = start + len;
    range_changed(start, end);
    page_set_flags(start, end, prot);
    tb_unlock();
    return start;
}

int64_t target_munmap(uint64_t addr, uint64_t len)
{
    uint64_t end;

    if ((addr & (TARGET_PAGE - 1)) || !len) {
        return -EINVAL;
    }
    len = ROUND_UP(len, TARGET_PAGE);
    end = addr + len;
    if (end < addr) {
        return -EINVAL;
    }
    tb_lock();
    /* Only unmap what is the guest's. */
    for (uint64_t a = addr; a < end;) {
        int i = range_index(a);
        PageRange *r;
        uint64_t s, e;
        if (i >= (int)ranges->len) {
            break;
        }
        r = &g_array_index(ranges, PageRange, i);
        if (r->start >= end) {
            break;
        }
        s = MAX(r->start, a);
        e = MIN(r->end, end);
        munmap(g2h(s), e - s);
        a = e;
    }
    range_changed(addr, end);
    page_set_flags(addr, end, -1);
    tb_unlock();
    return 0;
}

int64_t target_mprotect(uint64_t addr, uint64_t len, int prot)
{
    uint64_t end;

    if (addr & (TARGET_PAGE - 1)) {
        return -EINVAL;
    }
    len = ROUND_UP(len, TARGET_PAGE);
    end = addr + len;
    if (end < addr) {
        return -ENOMEM;
    }
    if (!len) {
        return 0;
    }
    tb_lock();
    if (!page_range_ok(addr, len, 0)) {
        tb_unlock();
        return -ENOMEM;
    }
    if (mprotect(g2h(addr), len, prot) < 0) {
        int e = errno;
        tb_unlock();
        return -e;
    }
    if (!(prot & PROT_EXEC)) {
        range_changed(addr, end);
    }
    page_set_flags(addr, end, prot);
    /* Pages that keep translations stay write-protected on the host. */
    for (uint64_t p = addr; p < end && (prot & PROT_WRITE) &&
         g_hash_table_size(protected_pages); p += TARGET_PAGE) {
        if (page_is_protected(p)) {
            mprotect(g2h(p), TARGET_PAGE, prot & ~PROT_WRITE);
        }
    }
    tb_unlock();
    return 0;
}

int64_t target_mremap(uint64_t old, uint64_t old_len, uint64_t new_len,
                      int flags, uint64_t new_addr)
{
    int prot;
    void *p;

    if (old & (TARGET_PAGE - 1)) {
        return -EINVAL;
    }
    old_len = ROUND_UP(old_len, TARGET_PAGE);
    new_len = ROUND_UP(new_len, TARGET_PAGE);
    tb_lock();
    prot = page_get_flags(old);
    if (prot < 0) {
        tb_unlock();
        return -EFAULT;
    }
    if ((flags & MREMAP_FIXED) && !range_claimable(new_addr,
                                                    new_addr + new_len)) {
        tb_unlock();
        return -ENOMEM;
    }
    if (!(flags & (MREMAP_MAYMOVE | MREMAP_FIXED)) && new_len > old_len &&
        !range_claimable(old + old_len, old + new_len)) {
        tb_unlock();
        return -ENOMEM;
    }
    p = mremap(g2h(old), old_len, new_len, flags, g2h(new_addr));
    if (p == MAP_FAILED) {
        int e = errno;
        tb_unlock();
        return -e;
    }
    range_changed(old, old + old_len);
    page_set_flags(old, old + old_len, -1);
    range_changed(h2g(p), h2g(p) + new_len);
    page_set_flags(h2g(p), h2g(p) + new_len, prot);
    tb_unlock();
    return h2g(p);
}

/* ---- brk --------------------------------------------------------------- */

void target_set_brk(uint64_t start)
{
    brk_start = brk_cur = brk_mapped = ROUND_UP(start, TARGET_PAGE);
}

int64_t target_brk(uint64_t nb)
{
    uint64_t want;

    if (!nb || nb < brk_start) {
        return brk_cur;
    }
    want = ROUND_UP(nb, TARGET_PAGE);
    tb_lock();
    if (want > brk_mapped) {
        void *p = mmap(g2h(brk_mapped), want - brk_mapped,
                       PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                       -1, 0);
        if (p == MAP_FAILED || p != g2h(brk_mapped)) {
            if (p != MAP_FAILED) {
                munmap(p, want - brk_mapped);
            }
            tb_unlock();
            return brk_cur;     /* glibc then falls back to mmap */
        }
        page_set_flags(brk_mapped, want, PROT_READ | PROT_WRITE);
        brk_mapped = want;
    } else if (want < brk_mapped) {
        range_changed(want, brk_mapped);
        munmap(g2h(want), brk_mapped - want);
        page_set_flags(want, brk_mapped, -1);
        brk_mapped = want;
    }
    brk_cur = nb;
    tb_unlock();
    return brk_cur;
}

/* ---- Copying guest memory in syscall emulation ------------------------- */

/* process_vm_readv/writev on ourselves report a bad address as EFAULT
 * instead of faulting Ember. */
bool guest_read(void *dst, uint64_t src, size_t len)
{
    struct iovec l = { dst, len }, r = { g2h(src), len };

    if (!len) {
        return true;
    }
    return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len;
}

bool guest_write(uint64_t dst, const void *src, size_t len)
{
    struct iovec l = { (void *)src, len }, r = { g2h(dst), len };

    if (!len) {
        return true;
    }
    page_unprotect_range(dst, len);
    return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len;
}

char *guest_strdup(uint64_t addr)
{
    GString *s = g_string_new(NULL);

    if (!addr) {
        g_string_free(s, true);
        return NULL;
    }
    for (;;) {
        char buf[256];
        size_t n = MIN(sizeof(buf), TARGET_PAGE - (addr & (TARGET_PAGE - 1)));
        char *z;
        if (!guest_read(buf, addr, n)) {
            g_string_free(s, true);
            return NULL;
        }
        z = memchr(buf, 0, n);
        if (z) {
            g_string_append_len(s, buf, z - buf);
            return g_string_free(s, false);
        }
        g_string_append_len(s, buf, n);
        addr += n;
        if (s->len > 1024 * 1024) {
            g_string_free(s, true);
            return NULL;
        }
    }
}
