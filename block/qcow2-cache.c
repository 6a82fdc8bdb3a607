/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A write-back cache of cluster-sized metadata tables (L2 tables,
 * refcount blocks), least recently used out.
 *
 * Crash-safety ordering lives here: a cache may depend on another, and
 * before it writes any of its dirty tables it writes every dirty table
 * of the other and syncs the file. The L2 cache depends on the refcount
 * cache, so a refcount increment always reaches the disk before the L2
 * entry that makes the cluster used (docs/block.md, "Crash safety").
 *
 * Tables are pinned between get and put so that an eviction during an
 * operation never pulls a table from under its user.
 */
#include "ember/osdep.h"
#include "block/qcow2.h"

typedef struct Qcow2CacheEntry {
    uint64_t offset;            /* 0: empty (offset 0 is the header) */
    uint64_t lru;
    int ref;
    bool dirty;
} Qcow2CacheEntry;

struct Qcow2Cache {
    Qcow2CacheEntry *entries;
    uint8_t *mem;
    int size;
    uint32_t table_size;
    uint64_t lru_counter;
    Qcow2Cache *depends;
    GHashTable *index;          /* offset -> slot + 1 */
    int hits, misses;
};

Qcow2Cache *qcow2_cache_create(BlockDriverState *bs, int nb_tables,
                               uint32_t table_size)
{
    Qcow2Cache *c = g_new0(Qcow2Cache, 1);

    c->size = MAX(nb_tables, 2);
    c->table_size = table_size;
    c->entries = g_new0(Qcow2CacheEntry, c->size);
    c->mem = g_malloc((size_t)c->size * table_size);
    c->index = g_hash_table_new(g_int64_hash, g_int64_equal);
    return c;
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    if (!c) {
        return;
    }
    g_hash_table_destroy(c->index);
    g_free(c->entries);
    g_free(c->mem);
    g_free(c);
}

void qcow2_cache_set_dependency(Qcow2Cache *c, Qcow2Cache *dep)
{
    c->depends = dep;
}

static inline void *slot_table(Qcow2Cache *c, int i)
{
    return c->mem + (size_t)i * c->table_size;
}

static int table_slot(Qcow2Cache *c, void *table)
{
    return ((uint8_t *)table - c->mem) / c->table_size;
}

bool qcow2_cache_is_dirty(Qcow2Cache *c)
{
    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].dirty) {
            return true;
        }
    }
    return false;
}

static int cache_write_slot(BlockDriverState *bs, Qcow2Cache *c, int i)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CacheEntry *e = &c->entries[i];
    int ret;

    if (!e->dirty) {
        return 0;
    }
    if (c->depends) {
        /* What this table refers to must be on disk first. */
        if (qcow2_cache_is_dirty(c->depends)) {
            ret = qcow2_cache_write(bs, c->depends);
            if (ret < 0) {
                return ret;
            }
        }
        ret = qcow2_sync(bs);
        if (ret < 0) {
            return ret;
        }
    }
    if (qcow2_overlaps_metadata(s, e->offset, c->table_size)) {
        qcow2_signal_corruption(bs, "cached table at 0x%" PRIx64
                                " overlaps the header, L1 or refcount table",
                                e->offset);
        return -EIO;
    }
    ret = bdrv_pwrite(bs->file, e->offset, c->table_size, slot_table(c, i));
    if (ret < 0) {
        return ret;
    }
    s->need_sync = true;
    e->dirty = false;
    return 0;
}

static int cmp_slot_offset(gconstpointer a, gconstpointer b, gpointer opaque)
{
    Qcow2Cache *c = opaque;
    uint64_t oa = c->entries[*(const int *)a].offset;
    uint64_t ob = c->entries[*(const int *)b].offset;

    return oa < ob ? -1 : oa > ob;
}

int qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c)
{
    g_autofree int *order = g_new(int, c->size);
    int n = 0, ret = 0;

    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].dirty) {
            order[n++] = i;
        }
    }
    /* In file order, so the writes stream. */
    g_qsort_with_data(order, n, sizeof(int), cmp_slot_offset, c);
    for (int k = 0; k < n; k++) {
        int r = cache_write_slot(bs, c, order[k]);
        if (r < 0 && !ret) {
            ret = r;
        }
    }
    return ret;
}

int qcow2_cache_write_one(BlockDriverState *bs, Qcow2Cache *c,
                          uint64_t offset)
{
    gpointer v = g_hash_table_lookup(c->index, &offset);

    if (!v) {
        return 0;
    }
    return cache_write_slot(bs, c, GPOINTER_TO_INT(v) - 1);
}

static void slot_forget(Qcow2Cache *c, int i)
{
    Qcow2CacheEntry *e = &c->entries[i];

    if (e->offset) {
        g_hash_table_remove(c->index, &e->offset);
    }
    e->offset = 0;
    e->dirty = false;
    e->lru = 0;
}

static int cache_do_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                        void **table, bool read)
{
    gpointer v = g_hash_table_lookup(c->index, &offset);
    int victim = -1;
    int ret;

    if (v) {
        int i = GPOINTER_TO_INT(v) - 1;
        c->entries[i].lru = ++c->lru_counter;
        c->entries[i].ref++;
        c->hits++;
        *table = slot_table(c, i);
        if (!read) {
            memset(*table, 0, c->table_size);
        }
        return 0;
    }
    c->misses++;
    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].ref) {
            continue;
        }
        if (victim < 0 || c->entries[i].lru < c->entries[victim].lru) {
            victim = i;
        }
    }
    if (victim < 0) {
        return -ENOSPC;     /* every table pinned: a bug, not the image */
    }
    ret = cache_write_slot(bs, c, victim);
    if (ret < 0) {
        return ret;
    }
    slot_forget(c, victim);
    if (read) {
        ret = bdrv_pread(bs->file, offset, c->table_size,
                         slot_table(c, victim));
        if (ret < 0) {
            return ret;
        }
    } else {
        memset(slot_table(c, victim), 0, c->table_size);
    }
    c->entries[victim].offset = offset;
    c->entries[victim].lru = ++c->lru_counter;
    c->entries[victim].ref = 1;
    g_hash_table_insert(c->index, &c->entries[victim].offset,
                        GINT_TO_POINTER(victim + 1));
    *table = slot_table(c, victim);
    return 0;
}

int qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                    void **table)
{
    return cache_do_get(bs, c, offset, table, true);
}

int qcow2_cache_get_empty(BlockDriverState *bs, Qcow2Cache *c,
                          uint64_t offset, void **table)
{
    return cache_do_get(bs, c, offset, table, false);
}

void qcow2_cache_put(Qcow2Cache *c, void **table)
{
    int i = table_slot(c, *table);

    assert(c->entries[i].ref > 0);
    c->entries[i].ref--;
    *table = NULL;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, void *table)
{
    c->entries[table_slot(c, table)].dirty = true;
}

void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset)
{
    gpointer v = g_hash_table_lookup(c->index, &offset);

    if (v) {
        int i = GPOINTER_TO_INT(v) - 1;
        if (!c->entries[i].ref) {
            slot_forget(c, i);
        } else {
            c->entries[i].dirty = false;
        }
    }
}

void qcow2_cache_empty(Qcow2Cache *c)
{
    for (int i = 0; i < c->size; i++) {
        if (!c->entries[i].ref) {
            slot_forget(c, i);
        }
    }
}

int qcow2_cache_hits(Qcow2Cache *c)
{
    return c->hits;
}

int qcow2_cache_misses(Qcow2Cache *c)
{
    return c->misses;
}
