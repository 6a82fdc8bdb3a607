/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory API: region tree, flat views, listeners and dispatch.
 * See include/exec/memory.h for the model.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "exec/memory.h"
#include <sys/mman.h>

static GPtrArray *address_spaces;
static int transaction_depth;
static bool update_pending;

typedef struct RamWriteHookEntry {
    RamWriteHook *hook;
    void *opaque;
} RamWriteHookEntry;
static GArray *ram_write_hooks;

static void memory_region_update(void);

/* ---- region set-up ---------------------------------------------------- */

static void region_init_common(MemoryRegion *mr, void *owner,
                               const char *name, uint64_t size,
                               MemoryRegionType type)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = g_strdup(name ? name : "anon");
    mr->owner = owner;
    mr->size = size;
    mr->type = type;
    mr->enabled = true;
    mr->terminates = type == MR_RAM || type == MR_IO;
}

void memory_region_init(MemoryRegion *mr, void *owner, const char *name,
                        uint64_t size)
{
    region_init_common(mr, owner, name, size, MR_CONTAINER);
}

static uint64_t unassigned_read(void *opaque, hwaddr off, unsigned size)
{
    return 0;
}

static void unassigned_write(void *opaque, hwaddr off, uint64_t v,
                             unsigned size)
{
}

static const MemoryRegionOps unassigned_ops = {
    .read = unassigned_read,
    .write = unassigned_write,
    .min_access = 1,
    .max_access = 8,
    .unaligned = true,
};

void memory_region_init_io(MemoryRegion *mr, void *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    region_init_common(mr, owner, name, size, MR_IO);
    mr->ops = ops ? ops : &unassigned_ops;
    mr->opaque = opaque;
}

bool memory_region_init_ram(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, GError **errp)
{
    void *p;

    region_init_common(mr, owner, name, size, MR_RAM);
    if (size == 0) {
        size = 1;
    }
    p = mmap(NULL, ROUND_UP(size, 4096), PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot allocate %" PRIu64
                         " MiB of RAM for '%s'", size / MiB, mr->name);
        mr->ram_ptr = NULL;
        return false;
    }
    mr->ram_ptr = p;
    mr->ram_owned = true;
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, void *owner, const char *name,
                            uint64_t size, GError **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, void *owner,
                                const char *name, uint64_t size, void *ptr)
{
    region_init_common(mr, owner, name, size, MR_RAM);
    mr->ram_ptr = ptr;
}

void memory_region_init_alias(MemoryRegion *mr, void *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size)
{
    region_init_common(mr, owner, name, size, MR_ALIAS);
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    if (mr->subregions) {
        /* Children are owned elsewhere; just detach them. */
        while (mr->subregions->len) {
            memory_region_del_subregion(mr, g_ptr_array_index(mr->subregions,
                                                              0));
        }
        g_ptr_array_free(mr->subregions, TRUE);
        mr->subregions = NULL;
    }
    if (mr->ram_owned && mr->ram_ptr) {
        munmap(mr->ram_ptr, ROUND_UP(MAX(mr->size, 1), 4096));
    }
    for (int c = 0; c < DIRTY_MEMORY_NUM; c++) {
        g_clear_pointer(&mr->dirty[c], g_free);
    }
    mr->ram_ptr = NULL;
    g_clear_pointer(&mr->name, g_free);
}

/* ---- topology ---------------------------------------------------------- */

static void insert_sorted(MemoryRegion *parent, MemoryRegion *sub)
{
    unsigned i;

    if (!parent->subregions) {
        parent->subregions = g_ptr_array_new();
    }
    /* Before the first with priority <= ours: later-added wins on ties. */
    for (i = 0; i < parent->subregions->len; i++) {
        MemoryRegion *o = g_ptr_array_index(parent->subregions, i);
        if (sub->priority >= o->priority) {
            break;
        }
    }
    g_ptr_array_insert(parent->subregions, i, sub);
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority)
{
    assert(parent->type == MR_CONTAINER || parent->type == MR_RAM ||
           parent->type == MR_IO);
    assert(!sub->container);
    sub->container = parent;
    sub->addr = offset;
    sub->priority = priority;
    insert_sorted(parent, sub);
    memory_region_update();
}

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(parent, offset, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    assert(sub->container == parent);
    g_ptr_array_remove(parent->subregions, sub);
    sub->container = NULL;
    memory_region_update();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_region_update();
    }
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *parent = mr->container;

    if (mr->addr == addr) {
        return;
    }
    if (!parent) {
        mr->addr = addr;
        return;
    }
    memory_region_transaction_begin();
    memory_region_del_subregion(parent, mr);
    memory_region_add_subregion_overlap(parent, addr, mr, mr->priority);
    memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    assert(mr->type != MR_RAM || size <= mr->size || !mr->ram_owned);
    if (mr->size != size) {
        mr->size = size;
        memory_region_update();
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    assert(mr->type == MR_ALIAS);
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        memory_region_update();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        memory_region_update();
    }
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr off = 0;

    while (mr->type == MR_ALIAS) {
        off += mr->alias_offset;
        mr = mr->alias;
    }
    return mr->type == MR_RAM && mr->ram_ptr ? mr->ram_ptr + off : NULL;
}

bool memory_region_is_mapped(MemoryRegion *mr)
{
    for (unsigned i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);
        MemoryRegion *p = mr;
        while (p->container) {
            p = p->container;
        }
        if (p == as->root && p != mr) {
            return true;
        }
    }
    return false;
}

/* ---- rendering --------------------------------------------------------- */

/* Fill the holes of [s, l] (inclusive) in ranges with mr. */
static void flat_insert(GArray *ranges, hwaddr s, hwaddr l, hwaddr base,
                        MemoryRegion *mr, bool readonly)
{
    unsigned lo = 0, hi = ranges->len;
    hwaddr cur = s;

    /* First range whose last byte is >= s. */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        FlatRange *r = &g_array_index(ranges, FlatRange, mid);
        if (r->start + r->size - 1 < s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (unsigned i = lo;; ) {
        FlatRange *r = i < ranges->len ? &g_array_index(ranges, FlatRange, i)
                                       : NULL;
        hwaddr gap_last;

        if (r && r->start <= cur) {
            hwaddr rl = r->start + r->size - 1;
            if (rl >= l) {
                return;
            }
            cur = rl + 1;
            i++;
            continue;
        }
        gap_last = r ? MIN(l, r->start - 1) : l;
        {
            FlatRange fr = {
                .start = cur,
                .size = gap_last - cur + 1,
                .mr = mr,
                .offset_in_region = cur - base,
                .readonly = readonly,
            };
            g_array_insert_val(ranges, i, fr);
        }
        i++;
        if (gap_last >= l) {
            return;
        }
        cur = gap_last + 1;
    }
}

static void render(GArray *ranges, MemoryRegion *mr, hwaddr base,
                   hwaddr clip_s, hwaddr clip_l, bool readonly)
{
    hwaddr last, s, l;

    if (!mr->enabled || mr->size == 0) {
        return;
    }
    last = mr->size == UINT64_MAX ? UINT64_MAX : base + mr->size - 1;
    if (last < base) {          /* wrapped past 2^64 */
        last = UINT64_MAX;
    }
    s = MAX(base, clip_s);
    l = MIN(last, clip_l);
    if (s > l) {
        return;
    }
    readonly |= mr->readonly;
    switch (mr->type) {
    case MR_ALIAS:
        render(ranges, mr->alias, base - mr->alias_offset, s, l, readonly);
        return;
    case MR_RAM:
    case MR_IO:
    case MR_CONTAINER:
        break;
    }
    /* Subregions first (highest priority first), then the region itself. */
    for (unsigned i = 0; mr->subregions && i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);
        render(ranges, sub, base + sub->addr, s, l, readonly);
    }
    if (mr->terminates) {
        flat_insert(ranges, s, l, base, mr, readonly);
    }
}

static FlatView *generate_flatview(MemoryRegion *root)
{
    FlatView *fv = g_new0(FlatView, 1);
    GArray *merged;

    fv->ref = 1;
    fv->ranges = g_array_new(FALSE, FALSE, sizeof(FlatRange));
    if (root) {
        render(fv->ranges, root, 0, 0, UINT64_MAX, false);
    }
    /* Merge neighbours that continue the same region. */
    merged = g_array_sized_new(FALSE, FALSE, sizeof(FlatRange),
                               fv->ranges->len);
    for (unsigned i = 0; i < fv->ranges->len; i++) {
        FlatRange *r = &g_array_index(fv->ranges, FlatRange, i);
        if (merged->len) {
            FlatRange *p = &g_array_index(merged, FlatRange, merged->len - 1);
            if (p->mr == r->mr && p->readonly == r->readonly &&
                p->start + p->size == r->start &&
                p->offset_in_region + p->size == r->offset_in_region) {
                p->size += r->size;
                continue;
            }
        }
        g_array_append_val(merged, *r);
    }
    g_array_free(fv->ranges, TRUE);
    fv->ranges = merged;
    return fv;
}

void flatview_ref(FlatView *fv)
{
    fv->ref++;
}

void flatview_unref(FlatView *fv)
{
    if (fv && --fv->ref == 0) {
        g_array_free(fv->ranges, TRUE);
        g_free(fv);
    }
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    flatview_ref(as->current);
    return as->current;
}

const FlatRange *flatview_lookup(FlatView *fv, hwaddr addr)
{
    unsigned lo = 0, hi = fv->ranges->len;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const FlatRange *r = &g_array_index(fv->ranges, FlatRange, mid);
        if (addr < r->start) {
            hi = mid;
        } else if (addr - r->start >= r->size) {
            lo = mid + 1;
        } else {
            return r;
        }
    }
    return NULL;
}

bool address_space_lookup(AddressSpace *as, hwaddr addr,
                          MemoryRegionSection *out)
{
    const FlatRange *r = flatview_lookup(as->current, addr);

    if (!r) {
        return false;
    }
    out->mr = r->mr;
    out->as = as;
    out->offset_within_address_space = addr;
    out->offset_within_region = r->offset_in_region + (addr - r->start);
    out->size = r->size - (addr - r->start);
    out->readonly = r->readonly;
    return true;
}

static void section_of(AddressSpace *as, const FlatRange *r,
                       MemoryRegionSection *s)
{
    s->mr = r->mr;
    s->as = as;
    s->offset_within_address_space = r->start;
    s->offset_within_region = r->offset_in_region;
    s->size = r->size;
    s->readonly = r->readonly;
}

static bool range_equal(const FlatRange *a, const FlatRange *b)
{
    return a->start == b->start && a->size == b->size && a->mr == b->mr &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly;
}

/* Tell listeners what changed between two views: deletions, then adds. */
static void notify_diff(AddressSpace *as, FlatView *old, FlatView *new)
{
    for (unsigned li = 0; li < as->listeners->len; li++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, li);
        GArray *o = old->ranges, *n = new->ranges;
        MemoryRegionSection sec;

        if (l->begin) {
            l->begin(l);
        }
        for (int pass = 0; pass < 2; pass++) {
            unsigned i = 0, j = 0;
            while (i < o->len || j < n->len) {
                FlatRange *a = i < o->len ? &g_array_index(o, FlatRange, i)
                                          : NULL;
                FlatRange *b = j < n->len ? &g_array_index(n, FlatRange, j)
                                          : NULL;
                if (a && b && range_equal(a, b)) {
                    i++, j++;
                } else if (a && (!b || a->start <= b->start)) {
                    if (pass == 0 && l->region_del) {
                        section_of(as, a, &sec);
                        l->region_del(l, &sec);
                    }
                    i++;
                    if (b && a->start == b->start) {
                        if (pass == 1 && l->region_add) {
                            section_of(as, b, &sec);
                            l->region_add(l, &sec);
                        }
                        j++;
                    }
                } else {
                    if (pass == 1 && l->region_add) {
                        section_of(as, b, &sec);
                        l->region_add(l, &sec);
                    }
                    j++;
                }
            }
        }
        if (l->commit) {
            l->commit(l);
        }
    }
}

static void address_space_update(AddressSpace *as)
{
    FlatView *old = as->current;
    FlatView *new = generate_flatview(as->root);

    as->current = new;
    notify_diff(as, old, new);
    flatview_unref(old);
}

static void memory_region_update(void)
{
    update_pending = true;
    if (transaction_depth) {
        return;
    }
    update_pending = false;
    for (unsigned i = 0; address_spaces && i < address_spaces->len; i++) {
        address_space_update(g_ptr_array_index(address_spaces, i));
    }
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    assert(transaction_depth > 0);
    if (--transaction_depth == 0 && update_pending) {
        memory_region_update();
    }
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = g_strdup(name);
    as->root = root;
    as->listeners = g_ptr_array_new();
    as->current = generate_flatview(root);
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(address_spaces, as);
}

void address_space_destroy(AddressSpace *as)
{
    g_ptr_array_remove(address_spaces, as);
    flatview_unref(as->current);
    as->current = NULL;
    g_ptr_array_free(as->listeners, TRUE);
    g_free(as->name);
}

void memory_listener_register(MemoryListener *l, AddressSpace *as)
{
    FlatView empty = { .ref = 1 };

    l->as = as;
    g_ptr_array_add(as->listeners, l);
    /* Replay the current view as additions, to this listener only. */
    empty.ranges = g_array_new(FALSE, FALSE, sizeof(FlatRange));
    {
        GPtrArray *saved = as->listeners;
        GPtrArray *one = g_ptr_array_new();
        g_ptr_array_add(one, l);
        as->listeners = one;
        notify_diff(as, &empty, as->current);
        as->listeners = saved;
        g_ptr_array_free(one, TRUE);
    }
    g_array_free(empty.ranges, TRUE);
}

void memory_listener_unregister(MemoryListener *l)
{
    if (l->as) {
        g_ptr_array_remove(l->as->listeners, l);
        l->as = NULL;
    }
}

/* ---- dispatch ---------------------------------------------------------- */

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void access_sizes(const MemoryRegionOps *ops, unsigned *min,
                         unsigned *max)
{
    *min = ops->min_access ? ops->min_access : 1;
    *max = ops->max_access ? ops->max_access : 4;
}

uint64_t memory_region_dispatch_read(MemoryRegion *mr, hwaddr off,
                                     unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min, max, a;
    hwaddr u;
    uint64_t result = 0;

    if (mr->type == MR_RAM) {
        return off + size <= mr->size ? ldn_le_p(mr->ram_ptr + off, size) : 0;
    }
    if (!ops || !ops->read) {
        return 0;
    }
    access_sizes(ops, &min, &max);
    a = MIN(MAX(size, min), max);
    if (a == size && (ops->unaligned || (off & (a - 1)) == 0)) {
        return ops->read(mr->opaque, off, size) & size_mask(size);
    }
    u = ops->unaligned ? off : off & ~(hwaddr)(a - 1);
    for (; u < off + size; u += a) {
        uint64_t v = ops->read(mr->opaque, u, a);
        for (unsigned k = 0; k < a; k++) {
            hwaddr b = u + k;
            if (b >= off && b < off + size) {
                result |= ((v >> (k * 8)) & 0xff) << ((b - off) * 8);
            }
        }
    }
    return result;
}

void memory_region_dispatch_write(MemoryRegion *mr, hwaddr off,
                                  uint64_t value, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min, max, a;
    hwaddr u;

    if (mr->type == MR_RAM) {
        if (!mr->readonly && off + size <= mr->size) {
            stn_le_p(mr->ram_ptr + off, size, value);
            memory_notify_ram_write(mr, off, size);
        }
        return;
    }
    if (!ops || !ops->write) {
        return;
    }
    access_sizes(ops, &min, &max);
    a = MIN(MAX(size, min), max);
    value &= size_mask(size);
    if (a == size && (ops->unaligned || (off & (a - 1)) == 0)) {
        ops->write(mr->opaque, off, value, size);
        return;
    }
    /*
     * Split or widen. A widened write carries zeros in the bytes the
     * guest did not write (no read-modify-write: reads can have effects).
     */
    u = ops->unaligned ? off : off & ~(hwaddr)(a - 1);
    for (; u < off + size; u += a) {
        uint64_t v = 0;
        for (unsigned k = 0; k < a; k++) {
            hwaddr b = u + k;
            if (b >= off && b < off + size) {
                v |= ((value >> ((b - off) * 8)) & 0xff) << (k * 8);
            }
        }
        ops->write(mr->opaque, u, v, a);
    }
}

void memory_add_ram_write_hook(RamWriteHook *hook, void *opaque)
{
    RamWriteHookEntry e = { hook, opaque };

    if (!ram_write_hooks) {
        ram_write_hooks = g_array_new(FALSE, FALSE, sizeof(e));
    }
    g_array_append_val(ram_write_hooks, e);
}

void memory_notify_ram_write(MemoryRegion *mr, hwaddr offset, uint64_t len)
{
    if (mr->dirty_log_mask) {
        memory_region_set_dirty(mr, offset, len);
    }
    if (!ram_write_hooks) {
        return;
    }
    for (unsigned i = 0; i < ram_write_hooks->len; i++) {
        RamWriteHookEntry *e = &g_array_index(ram_write_hooks,
                                              RamWriteHookEntry, i);
        e->hook(e->opaque, mr, offset, len);
    }
}

/* Largest naturally aligned access size (<= 8) at addr within len. */
static unsigned io_chunk(hwaddr addr, uint64_t len)
{
    unsigned sz = 8;

    while (sz > 1 && (sz > len || (addr & (sz - 1)))) {
        sz >>= 1;
    }
    return sz;
}

static bool as_rw(AddressSpace *as, hwaddr addr, uint8_t *buf, uint64_t len,
                  bool is_write, bool rom_ok)
{
    bool ok = true;

    while (len) {
        const FlatRange *r = flatview_lookup(as->current, addr);
        uint64_t chunk;

        if (!r) {
            /* A hole: up to the next range. */
            unsigned lo = 0, hi = as->current->ranges->len;
            while (lo < hi) {
                unsigned mid = (lo + hi) / 2;
                if (g_array_index(as->current->ranges, FlatRange, mid).start
                    <= addr) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            chunk = len;
            if (lo < as->current->ranges->len) {
                hwaddr next = g_array_index(as->current->ranges, FlatRange,
                                            lo).start;
                chunk = MIN(len, next - addr);
            }
            if (!is_write) {
                memset(buf, as->is_io ? 0xff : 0, chunk);
            }
            ember_log_mask(LOG_GUEST_ERROR, "%s: unassigned %s at 0x%"
                           HWADDR_PRIx " (%" PRIu64 " bytes)\n", as->name,
                           is_write ? "write" : "read", addr, chunk);
            ok = false;
        } else {
            hwaddr off = r->offset_in_region + (addr - r->start);
            MemoryRegion *mr = r->mr;

            chunk = MIN(len, r->size - (addr - r->start));
            if (mr->type == MR_RAM) {
                if (off + chunk > mr->size) {
                    /* Cannot happen unless a region shrank. */
                    chunk = MIN(chunk, mr->size > off ? mr->size - off : 0);
                    if (!chunk) {
                        return false;
                    }
                }
                if (!is_write) {
                    memcpy(buf, mr->ram_ptr + off, chunk);
                } else if (r->readonly && !rom_ok) {
                    ok = false;
                } else {
                    memcpy(mr->ram_ptr + off, buf, chunk);
                    memory_notify_ram_write(mr, off, chunk);
                }
            } else {
                uint64_t done = 0;
                while (done < chunk) {
                    unsigned sz = io_chunk(addr + done, chunk - done);
                    if (is_write) {
                        if (!r->readonly) {
                            memory_region_dispatch_write(
                                mr, off + done, ldn_le_p(buf + done, sz), sz);
                        }
                    } else {
                        stn_le_p(buf + done, sz,
                                 memory_region_dispatch_read(mr, off + done,
                                                             sz));
                    }
                    done += sz;
                }
            }
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return ok;
}

bool address_space_rw(AddressSpace *as, hwaddr addr, void *buf, uint64_t len,
                      bool is_write)
{
    return as_rw(as, addr, buf, len, is_write, false);
}

bool address_space_write_rom(AddressSpace *as, hwaddr addr, const void *buf,
                             uint64_t len)
{
    return as_rw(as, addr, (void *)buf, len, true, true);
}

uint64_t address_space_ld(AddressSpace *as, hwaddr addr, unsigned size)
{
    const FlatRange *r = flatview_lookup(as->current, addr);
    uint8_t b[8];

    if (r && addr - r->start + size <= r->size) {
        hwaddr off = r->offset_in_region + (addr - r->start);
        if (r->mr->type == MR_RAM) {
            return off + size <= r->mr->size ?
                   ldn_le_p(r->mr->ram_ptr + off, size) : 0;
        }
        return memory_region_dispatch_read(r->mr, off, size);
    }
    as_rw(as, addr, b, size, false, false);
    return ldn_le_p(b, size);
}

void address_space_st(AddressSpace *as, hwaddr addr, uint64_t val,
                      unsigned size)
{
    const FlatRange *r = flatview_lookup(as->current, addr);
    uint8_t b[8];

    if (r && addr - r->start + size <= r->size && r->mr->type == MR_IO) {
        if (!r->readonly) {
            memory_region_dispatch_write(
                r->mr, r->offset_in_region + (addr - r->start), val, size);
        }
        return;
    }
    stn_le_p(b, size, val);
    as_rw(as, addr, b, size, true, false);
}

void *address_space_map(AddressSpace *as, hwaddr addr, uint64_t *len,
                        bool is_write)
{
    const FlatRange *r = flatview_lookup(as->current, addr);
    hwaddr off;

    if (!r || r->mr->type != MR_RAM || (is_write && r->readonly) || !*len) {
        *len = 0;
        return NULL;
    }
    off = r->offset_in_region + (addr - r->start);
    *len = MIN(*len, r->size - (addr - r->start));
    if (off + *len > r->mr->size) {
        *len = 0;
        return NULL;
    }
    return r->mr->ram_ptr + off;
}

void address_space_unmap(AddressSpace *as, void *ptr, hwaddr addr,
                         uint64_t len, bool is_write, uint64_t access_len)
{
    MemoryRegionSection s;

    if (is_write && access_len && address_space_lookup(as, addr, &s)) {
        memory_notify_ram_write(s.mr, s.offset_within_region,
                                MIN(access_len, s.size));
    }
}

/* ---- dirty logging ----------------------------------------------------- */

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static uint64_t dirty_pages(MemoryRegion *mr)
{
    return DIV_ROUND_UP(mr->size, 1ULL << DIRTY_PAGE_SHIFT);
}

typedef enum LogOp { LOG_OP_START, LOG_OP_STOP, LOG_OP_SYNC } LogOp;

/* Tell every listener about each section that shows part of mr. */
static void log_notify(MemoryRegion *mr, LogOp op)
{
    for (unsigned i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);
        for (unsigned k = 0; k < as->current->ranges->len; k++) {
            FlatRange *r = &g_array_index(as->current->ranges, FlatRange, k);
            MemoryRegionSection sec;
            if (r->mr != mr) {
                continue;
            }
            section_of(as, r, &sec);
            for (unsigned li = 0; li < as->listeners->len; li++) {
                MemoryListener *l = g_ptr_array_index(as->listeners, li);
                switch (op) {
                case LOG_OP_START:
                    if (l->log_start) {
                        l->log_start(l, &sec);
                    }
                    break;
                case LOG_OP_STOP:
                    if (l->log_stop) {
                        l->log_stop(l, &sec);
                    }
                    break;
                case LOG_OP_SYNC:
                    if (l->log_sync) {
                        l->log_sync(l, &sec);
                    }
                    break;
                }
            }
        }
    }
}

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
    unsigned old = mr->dirty_log_mask;

    assert(client < DIRTY_MEMORY_NUM && mr->type == MR_RAM);
    if (log) {
        if (!mr->dirty[client]) {
            mr->dirty[client] = g_new0(unsigned long,
                                       DIV_ROUND_UP(dirty_pages(mr),
                                                    BITS_PER_LONG));
        }
        mr->dirty_log_mask |= 1u << client;
    } else {
        mr->dirty_log_mask &= ~(1u << client);
    }
    if (!old && mr->dirty_log_mask) {
        log_notify(mr, LOG_OP_START);
    } else if (old && !mr->dirty_log_mask) {
        log_notify(mr, LOG_OP_STOP);
    }
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size)
{
    uint64_t first, last;

    if (!size || addr >= mr->size) {
        return;
    }
    size = MIN(size, mr->size - addr);
    first = addr >> DIRTY_PAGE_SHIFT;
    last = (addr + size - 1) >> DIRTY_PAGE_SHIFT;
    for (int c = 0; c < DIRTY_MEMORY_NUM; c++) {
        unsigned long *bm = mr->dirty[c];
        if (!(mr->dirty_log_mask & (1u << c)) || !bm) {
            continue;
        }
        for (uint64_t p = first; p <= last; p++) {
            __atomic_fetch_or(&bm[p / BITS_PER_LONG],
                              1UL << (p % BITS_PER_LONG), __ATOMIC_RELAXED);
        }
    }
}

static bool dirty_scan(MemoryRegion *mr, hwaddr addr, uint64_t size,
                       unsigned client, bool clear)
{
    unsigned long *bm = mr->dirty[client];
    uint64_t first, last;
    bool any = false;

    if (!bm || !size || addr >= mr->size) {
        return false;
    }
    size = MIN(size, mr->size - addr);
    first = addr >> DIRTY_PAGE_SHIFT;
    last = (addr + size - 1) >> DIRTY_PAGE_SHIFT;
    for (uint64_t p = first; p <= last; p++) {
        unsigned long bit = 1UL << (p % BITS_PER_LONG);
        unsigned long *w = &bm[p / BITS_PER_LONG];
        unsigned long old = clear
            ? __atomic_fetch_and(w, ~bit, __ATOMIC_RELAXED)
            : __atomic_load_n(w, __ATOMIC_RELAXED);
        if (old & bit) {
            any = true;
            if (!clear) {
                break;
            }
        }
    }
    return any;
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size,
                             unsigned client)
{
    return dirty_scan(mr, addr, size, client, false);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, uint64_t size,
                               unsigned client)
{
    dirty_scan(mr, addr, size, client, true);
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                        uint64_t size, unsigned client)
{
    return dirty_scan(mr, addr, size, client, true);
}

void memory_region_sync_dirty(MemoryRegion *mr)
{
    log_notify(mr, LOG_OP_SYNC);
}

/* ---- debug ------------------------------------------------------------- */

static void dump_region(FILE *f, MemoryRegion *mr, hwaddr base, int level)
{
    static const char *const kinds[] = { "container", "ram", "i/o", "alias" };
    hwaddr last = mr->size == UINT64_MAX ? UINT64_MAX : base + mr->size - 1;

    fprintf(f, "%*s%016" HWADDR_PRIx "-%016" HWADDR_PRIx " (prio %d, %s%s): %s",
            level * 2, "", base, last, mr->priority, kinds[mr->type],
            mr->readonly ? ", ro" : "", mr->name);
    if (mr->type == MR_ALIAS) {
        fprintf(f, " @%s %016" HWADDR_PRIx, mr->alias->name, mr->alias_offset);
    }
    fprintf(f, "%s\n", mr->enabled ? "" : " [disabled]");
    for (unsigned i = 0; mr->subregions && i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);
        dump_region(f, sub, base + sub->addr, level + 1);
    }
}

void memory_region_dump(FILE *f, MemoryRegion *mr)
{
    dump_region(f, mr, 0, 0);
}

void address_space_dump(FILE *f, AddressSpace *as)
{
    fprintf(f, "address-space (flat view): %s\n", as->name);
    for (unsigned i = 0; i < as->current->ranges->len; i++) {
        FlatRange *r = &g_array_index(as->current->ranges, FlatRange, i);
        fprintf(f, "  %016" HWADDR_PRIx "-%016" HWADDR_PRIx " %s%s @%"
                HWADDR_PRIx "\n", r->start, r->start + r->size - 1,
                r->mr->name, r->readonly ? " (ro)" : "", r->offset_in_region);
    }
}
