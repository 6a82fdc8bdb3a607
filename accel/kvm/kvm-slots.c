/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM memslot bookkeeping: guest-physical RAM ranges from the memory
 * listener become KVM user memory slots (api.rst 4.35,
 * KVM_SET_USER_MEMORY_REGION).
 *
 * The kernel's rules that shape this file:
 *  - a slot's guest address, size and host address are page aligned;
 *  - slots of one address space must not overlap (EEXIST);
 *  - a slot cannot be moved or resized in place: it is deleted
 *    (memory_size 0) and created again;
 *  - at most KVM_CAP_NR_MEMSLOTS slots.
 *
 * The memory API hands over the flat view as ranges, deletions before
 * additions, so a range that moves, splits (an I/O region punched into
 * RAM) or merges again is a delete of the old slots followed by adds of
 * the new ones and slots never overlap in the kernel. This file still
 * defends against an add that overlaps (it drops the old slots first).
 *
 * The logic is free of ioctls (they go through the commit callback), so
 * unit tests drive it against a model of the kernel.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "accel/kvm/kvm-int.h"

void kvm_slots_init(KVMSlotTable *t, uint32_t max_slots, bool readonly_mem,
                    uint64_t page_size, KVMSlotCommitFn *commit,
                    void *opaque)
{
    memset(t, 0, sizeof(*t));
    t->slots = g_array_new(FALSE, FALSE, sizeof(KVMSlot));
    t->free_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    t->max_slots = max_slots ? max_slots : 32;
    t->readonly_mem = readonly_mem;
    t->page_size = page_size ? page_size : 4096;
    t->commit = commit;
    t->opaque = opaque;
}

void kvm_slots_destroy(KVMSlotTable *t)
{
    if (t->slots) {
        g_array_free(t->slots, TRUE);
    }
    if (t->free_ids) {
        g_array_free(t->free_ids, TRUE);
    }
    memset(t, 0, sizeof(*t));
}

/*
 * The page-aligned part of [gpa, gpa + size) and its host address.
 * False if nothing whole remains, or if guest and host addresses sit
 * at different offsets within a page (KVM maps whole pages).
 */
static bool slot_range(KVMSlotTable *t, hwaddr gpa, uint64_t size,
                       void *hva, hwaddr *out_gpa, uint64_t *out_size,
                       void **out_hva)
{
    uint64_t mask = t->page_size - 1;
    hwaddr start, end;

    if (size == 0 || ((uintptr_t)hva & mask) != (gpa & mask)) {
        return false;
    }
    start = (gpa + mask) & ~mask;
    if (start < gpa) {
        return false;           /* within the last page of the space */
    }
    if (gpa + size < gpa || gpa + size == 0) {
        /* Runs to the top of the address space: stop a page short so
         * that the slot's end stays representable. */
        end = -t->page_size;
    } else {
        end = (gpa + size) & ~mask;
    }
    if (end <= start) {
        return false;
    }
    *out_gpa = start;
    *out_size = end - start;
    *out_hva = (uint8_t *)hva + (start - gpa);
    return true;
}

/* Index of the first slot that ends after gpa. */
static unsigned slots_lower_bound(KVMSlotTable *t, hwaddr gpa)
{
    unsigned lo = 0, hi = t->slots->len;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        KVMSlot *s = &g_array_index(t->slots, KVMSlot, mid);

        if (s->gpa + s->size <= gpa) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const KVMSlot *kvm_slots_find(KVMSlotTable *t, hwaddr gpa)
{
    unsigned i = slots_lower_bound(t, gpa);

    if (i < t->slots->len) {
        KVMSlot *s = &g_array_index(t->slots, KVMSlot, i);
        if (gpa >= s->gpa && gpa - s->gpa < s->size) {
            return s;
        }
    }
    return NULL;
}

static bool alloc_id(KVMSlotTable *t, uint32_t *id)
{
    if (t->free_ids->len) {
        /* Reuse the lowest released id: keeps ids dense. */
        unsigned best = 0;
        for (unsigned i = 1; i < t->free_ids->len; i++) {
            if (g_array_index(t->free_ids, uint32_t, i) <
                g_array_index(t->free_ids, uint32_t, best)) {
                best = i;
            }
        }
        *id = g_array_index(t->free_ids, uint32_t, best);
        g_array_remove_index_fast(t->free_ids, best);
        return true;
    }
    if (t->next_id >= t->max_slots) {
        return false;
    }
    *id = t->next_id++;
    return true;
}

static void release_id(KVMSlotTable *t, uint32_t id)
{
    g_array_append_val(t->free_ids, id);
}

static void remove_at(KVMSlotTable *t, unsigned i)
{
    KVMSlot s = g_array_index(t->slots, KVMSlot, i);
    int r = t->commit ? t->commit(t->opaque, &s, false) : 0;

    if (r < 0) {
        /* The kernel refuses to drop a slot only if our view is wrong. */
        warn_report("KVM: removing memslot %u (0x%" PRIx64 "+0x%" PRIx64
                    ") failed: %s", s.id, s.gpa, s.size, g_strerror(-r));
    }
    g_array_remove_index(t->slots, i);
    release_id(t, s.id);
}

bool kvm_slots_add(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                   bool readonly, GError **errp)
{
    return kvm_slots_add_logged(t, gpa, size, hva, readonly, false, errp);
}

bool kvm_slots_add_logged(KVMSlotTable *t, hwaddr gpa, uint64_t size,
                          void *hva, bool readonly, bool log, GError **errp)
{
    KVMSlot s = { 0 };
    unsigned i;
    int r;

    if (!slot_range(t, gpa, size, hva, &s.gpa, &s.size, &s.hva)) {
        ember_log_mask(LOG_ACCEL, "kvm: RAM 0x%" PRIx64 "+0x%" PRIx64
                       " not mapped as a slot (not page aligned); served "
                       "by MMIO exits\n", gpa, size);
        return true;
    }
    /* Without KVM_CAP_READONLY_MEM a ROM is mapped writable (api.rst
     * 4.35: the flag needs the capability). */
    s.flags = readonly && t->readonly_mem ? KVM_MEM_READONLY : 0;
    /* The guest cannot dirty a ROM: no log for read-only slots. */
    if (log && !s.flags) {
        s.flags |= KVM_MEM_LOG_DIRTY_PAGES;
    }

    /* Never overlap: drop whatever the new slot covers. */
    i = slots_lower_bound(t, s.gpa);
    while (i < t->slots->len) {
        KVMSlot *o = &g_array_index(t->slots, KVMSlot, i);
        if (o->gpa >= s.gpa + s.size) {
            break;
        }
        ember_log_mask(LOG_ACCEL, "kvm: memslot %u at 0x%" PRIx64
                       " overlapped by a new range; removed\n", o->id,
                       o->gpa);
        remove_at(t, i);
    }
    if (!alloc_id(t, &s.id)) {
        error_setg(errp, "KVM: out of memory slots (%u) mapping 0x%" PRIx64
                   "+0x%" PRIx64, t->max_slots, s.gpa, s.size);
        return false;
    }
    r = t->commit ? t->commit(t->opaque, &s, true) : 0;
    if (r < 0) {
        release_id(t, s.id);
        error_setg(errp, "KVM: cannot map guest RAM 0x%" PRIx64 "+0x%" PRIx64
                   " (KVM_SET_USER_MEMORY_REGION): %s", s.gpa, s.size,
                   g_strerror(-r));
        return false;
    }
    g_array_insert_val(t->slots, i, s);
    return true;
}

/* The index of the slot made for exactly this range, or -1. */
static int slot_index(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva)
{
    hwaddr sgpa;
    uint64_t ssize;
    void *shva;
    unsigned i;

    if (!slot_range(t, gpa, size, hva, &sgpa, &ssize, &shva)) {
        return -1;
    }
    i = slots_lower_bound(t, sgpa);
    if (i < t->slots->len) {
        KVMSlot *o = &g_array_index(t->slots, KVMSlot, i);
        if (o->gpa == sgpa && o->size == ssize && o->hva == shva) {
            return i;
        }
    }
    return -1;
}

void kvm_slots_del(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                   bool readonly)
{
    int i = slot_index(t, gpa, size, hva);

    /* Not found: already dropped by an overlapping add (or never a slot). */
    if (i >= 0) {
        remove_at(t, i);
    }
}

const KVMSlot *kvm_slots_lookup(KVMSlotTable *t, hwaddr gpa, uint64_t size,
                                void *hva)
{
    int i = slot_index(t, gpa, size, hva);

    return i >= 0 ? &g_array_index(t->slots, KVMSlot, i) : NULL;
}

void kvm_slots_set_log(KVMSlotTable *t, hwaddr gpa, uint64_t size, void *hva,
                       bool log)
{
    int i = slot_index(t, gpa, size, hva);
    KVMSlot *s, n;
    int r;

    if (i < 0) {
        return;
    }
    s = &g_array_index(t->slots, KVMSlot, i);
    if ((s->flags & KVM_MEM_READONLY) ||
        !!(s->flags & KVM_MEM_LOG_DIRTY_PAGES) == log) {
        return;
    }
    /* Same id, address and size with other flags: the kernel changes
     * only the flags (api.rst 4.35). */
    n = *s;
    n.flags ^= KVM_MEM_LOG_DIRTY_PAGES;
    r = t->commit ? t->commit(t->opaque, &n, true) : 0;
    if (r < 0) {
        warn_report("KVM: dirty logging %s for memslot %u failed: %s",
                    log ? "on" : "off", s->id, g_strerror(-r));
        return;
    }
    *s = n;
}
