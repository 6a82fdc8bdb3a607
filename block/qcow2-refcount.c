/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 reference counts and cluster allocation (spec: "Host cluster
 * management").
 *
 * Every host cluster has a refcount of 2^refcount_order bits, stored in
 * refcount blocks found through the refcount table. A cluster with
 * refcount 0 is free. Allocation finds free clusters from a hint,
 * creating refcount blocks (and growing the refcount table) as the file
 * grows; new refcount structures always describe themselves, so they
 * are valid the moment something points at them.
 *
 * Ordering (docs/block.md): increments go through the refcount cache,
 * which the L2 cache flushes before it writes a table that uses them.
 * Decrements are deferred (pending_frees) until the tables that dropped
 * the reference are on disk, so a crash never leaves a used cluster with
 * refcount 0 -- only, at worst, a leaked one.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/qcow2.h"

/* Pending frees beyond this many trigger a metadata flush. */
#define QCOW2_MAX_PENDING_FREES 4096

uint64_t qcow2_get_refcount_ro(BDRVQcow2State *s, const void *block,
                               uint64_t i)
{
    const uint8_t *b = block;

    switch (s->refcount_order) {
    case 0: return (b[i / 8] >> (i % 8)) & 1;
    case 1: return (b[i / 4] >> (2 * (i % 4))) & 3;
    case 2: return (b[i / 2] >> (4 * (i % 2))) & 15;
    case 3: return b[i];
    case 4: return lduw_be_p(b + 2 * i);
    case 5: return ldl_be_p(b + 4 * i);
    default: return ldq_be_p(b + 8 * i);
    }
}

void qcow2_set_refcount_ro(BDRVQcow2State *s, void *block, uint64_t i,
                           uint64_t v)
{
    uint8_t *b = block;

    switch (s->refcount_order) {
    case 0:
        b[i / 8] = (b[i / 8] & ~(1 << (i % 8))) | ((v & 1) << (i % 8));
        break;
    case 1:
        b[i / 4] = (b[i / 4] & ~(3 << (2 * (i % 4)))) |
                   ((v & 3) << (2 * (i % 4)));
        break;
    case 2:
        b[i / 2] = (b[i / 2] & ~(15 << (4 * (i % 2)))) |
                   ((v & 15) << (4 * (i % 2)));
        break;
    case 3: b[i] = v; break;
    case 4: stw_be_p(b + 2 * i, v); break;
    case 5: stl_be_p(b + 4 * i, v); break;
    default: stq_be_p(b + 8 * i, v); break;
    }
}

int qcow2_refcount_init(BlockDriverState *bs, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    size_t bytes = (size_t)s->refcount_table_size * 8;
    int ret;

    s->refcount_table = g_try_malloc(bytes);
    if (!s->refcount_table) {
        error_setg(errp, "Could not allocate the refcount table");
        return -ENOMEM;
    }
    ret = bdrv_pread(bs->file, s->refcount_table_offset, bytes,
                     s->refcount_table);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read the refcount table");
        return ret;
    }
    for (uint32_t i = 0; i < s->refcount_table_size; i++) {
        s->refcount_table[i] = GUINT64_FROM_BE(s->refcount_table[i]);
    }
    s->pending_frees = g_array_new(false, false, sizeof(Qcow2PendingFree));
    s->free_cluster_index = 0;
    return 0;
}

bool qcow2_overlaps_metadata(BDRVQcow2State *s, uint64_t off, uint64_t len)
{
    uint64_t end = off + len;
    uint64_t l1_end = s->l1_table_offset + (uint64_t)s->l1_size * 8;
    uint64_t rt_end = s->refcount_table_offset +
                      ((uint64_t)s->refcount_table_clusters << s->cluster_bits);

    if (off < s->cluster_size) {
        return true;
    }
    if (s->l1_size && off < l1_end && end > s->l1_table_offset) {
        return true;
    }
    if (off < rt_end && end > s->refcount_table_offset) {
        return true;
    }
    return false;
}

/* The refcount block for slot t, checked; 0 if there is none. */
static int refblock_offset(BlockDriverState *bs, uint64_t t, uint64_t *off)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t e;

    *off = 0;
    if (t >= s->refcount_table_size) {
        return 0;
    }
    e = s->refcount_table[t];
    if (!(e & REFT_OFFSET_MASK)) {
        return 0;
    }
    if (e & (s->cluster_size - 1)) {
        qcow2_signal_corruption(bs, "refcount block offset 0x%" PRIx64
                                " unaligned (refcount table index %" PRIu64
                                ")", e, t);
        return -EIO;
    }
    if (qcow2_overlaps_metadata(s, e, s->cluster_size)) {
        qcow2_signal_corruption(bs, "refcount block %" PRIu64 " at 0x%"
                                PRIx64 " overlaps other metadata", t, e);
        return -EIO;
    }
    *off = e;
    return 0;
}

int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster_index,
                       uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off;
    void *block;
    int ret;

    *refcount = 0;
    ret = refblock_offset(bs, cluster_index >> s->refblock_bits, &off);
    if (ret < 0 || !off) {
        return ret;
    }
    ret = qcow2_cache_get(bs, s->refblock_cache, off, &block);
    if (ret < 0) {
        return ret;
    }
    *refcount = qcow2_get_refcount_ro(s, block,
                                      cluster_index & (s->refblock_size - 1));
    qcow2_cache_put(s->refblock_cache, &block);
    return 0;
}

static int write_reftable_entry(BlockDriverState *bs, uint64_t t)
{
    BDRVQcow2State *s = bs->opaque;
    /* The 512-byte sector holding the entry (O_DIRECT friendly). */
    uint64_t first = ROUND_DOWN(t, 64);
    uint64_t n = MIN(64, s->refcount_table_size - first);
    uint64_t buf[64];

    for (uint64_t i = 0; i < n; i++) {
        buf[i] = GUINT64_TO_BE(s->refcount_table[first + i]);
    }
    s->need_sync = true;
    return bdrv_pwrite(bs->file, s->refcount_table_offset + first * 8, n * 8,
                       buf);
}

/*
 * A new refcount block for slot t, placed at cluster p (which lies in
 * slot t's range and is free): it counts itself, goes to disk, and only
 * then is it linked into the table.
 */
static int create_refblock(BlockDriverState *bs, uint64_t t, uint64_t p)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = p << s->cluster_bits;
    void *block;
    int ret;

    assert(p >> s->refblock_bits == t);
    ret = qcow2_cache_get_empty(bs, s->refblock_cache, off, &block);
    if (ret < 0) {
        return ret;
    }
    qcow2_set_refcount_ro(s, block, p & (s->refblock_size - 1), 1);
    qcow2_cache_mark_dirty(s->refblock_cache, block);
    qcow2_cache_put(s->refblock_cache, &block);
    ret = qcow2_cache_write_one(bs, s->refblock_cache, off);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[t] = off;
    return write_reftable_entry(bs, t);
}

/*
 * Grow the refcount table so that slot min_slot exists. The new table
 * and the refcount blocks describing it go in an area past everything
 * in use; they describe themselves, the new table is written, then the
 * header switches to it in one 12-byte write, then the old table is
 * freed.
 */
static int grow_reftable(BlockDriverState *bs, uint64_t min_slot)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t flen = bdrv_getlength(bs->file);
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t E, first_slot, last_slot = 0, nb = 1, tc = 0, entries = 0;
    uint64_t old_off = s->refcount_table_offset;
    uint32_t old_clusters = s->refcount_table_clusters;
    g_autofree uint64_t *table = NULL;
    g_autofree uint8_t *block = NULL;
    int ret;

    if (flen < 0) {
        return flen;
    }
    E = MAX(qcow2_size_to_clusters(s, flen),
            (uint64_t)s->refcount_table_size << s->refblock_bits);
    first_slot = E >> s->refblock_bits;
    for (int iter = 0; iter < 64; iter++) {
        uint64_t area_end = E + nb + tc;
        uint64_t nb2, tc2;

        last_slot = (area_end - 1) >> s->refblock_bits;
        entries = MAX(min_slot, last_slot) + 1;
        /* Headroom, so growing stays rare. */
        entries = MAX(entries, (uint64_t)s->refcount_table_size * 3 / 2);
        tc2 = DIV_ROUND_UP(entries, per_cluster);
        nb2 = last_slot - first_slot + 1;
        if (nb2 == nb && tc2 == tc) {
            break;
        }
        nb = nb2;
        tc = tc2;
    }
    entries = tc * per_cluster;
    if (tc * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES) {
        return -EFBIG;
    }
    ret = qcow2_cache_write(bs, s->refblock_cache);
    if (ret < 0) {
        return ret;
    }

    /* The new blocks, counting the whole area. */
    block = g_malloc(s->cluster_size);
    for (uint64_t j = 0; j < nb; j++) {
        uint64_t slot = first_slot + j;
        memset(block, 0, s->cluster_size);
        for (uint64_t c = E; c < E + nb + tc; c++) {
            if (c >> s->refblock_bits == slot) {
                qcow2_set_refcount_ro(s, block, c & (s->refblock_size - 1), 1);
            }
        }
        ret = bdrv_pwrite(bs->file, (E + j) << s->cluster_bits,
                          s->cluster_size, block);
        if (ret < 0) {
            return ret;
        }
    }
    table = g_malloc0(tc * s->cluster_size);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        table[i] = GUINT64_TO_BE(s->refcount_table[i]);
    }
    for (uint64_t j = 0; j < nb; j++) {
        table[first_slot + j] = GUINT64_TO_BE((E + j) << s->cluster_bits);
    }
    ret = bdrv_pwrite(bs->file, (E + nb) << s->cluster_bits,
                      tc * s->cluster_size, table);
    if (ret < 0) {
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }

    /* Switch the header: offset (u64 at 48) and clusters (u32 at 56). */
    s->refcount_table_offset = (E + nb) << s->cluster_bits;
    s->refcount_table_clusters = tc;
    ret = qcow2_write_header_field(bs, 48, 12);
    if (ret < 0) {
        s->refcount_table_offset = old_off;
        s->refcount_table_clusters = old_clusters;
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    for (uint64_t i = 0; i < entries; i++) {
        table[i] = GUINT64_FROM_BE(table[i]);
    }
    g_free(s->refcount_table);
    s->refcount_table = g_steal_pointer(&table);
    s->refcount_table_size = entries;

    /* Nothing points at the old table any more. */
    return qcow2_update_refcount(bs, old_off,
                                 (uint64_t)old_clusters << s->cluster_bits,
                                 -1);
}

int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int64_t addend)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first, last;
    void *block = NULL;
    uint64_t block_off = 0;
    int ret = 0;

    if (!length) {
        return 0;
    }
    first = offset >> s->cluster_bits;
    last = (offset + length - 1) >> s->cluster_bits;
    for (uint64_t c = first; c <= last; c++) {
        uint64_t off, rc;
        uint64_t idx = c & (s->refblock_size - 1);

        ret = refblock_offset(bs, c >> s->refblock_bits, &off);
        if (ret < 0) {
            break;
        }
        if (!off) {
            qcow2_signal_corruption(bs, "no refcount block for cluster %"
                                    PRIu64 " (refcount update %+" PRId64 ")",
                                    c, addend);
            ret = -EIO;
            break;
        }
        if (off != block_off) {
            if (block) {
                qcow2_cache_put(s->refblock_cache, &block);
            }
            ret = qcow2_cache_get(bs, s->refblock_cache, off, &block);
            if (ret < 0) {
                break;
            }
            block_off = off;
        }
        rc = qcow2_get_refcount_ro(s, block, idx);
        if ((addend < 0 && rc < (uint64_t)-addend) ||
            (addend > 0 && s->refcount_max - rc < (uint64_t)addend)) {
            if (addend < 0) {
                qcow2_signal_corruption(bs, "refcount of cluster %" PRIu64
                                        " would drop below zero", c);
                ret = -EIO;
            } else {
                ret = -ERANGE;
            }
            break;
        }
        rc += addend;
        qcow2_set_refcount_ro(s, block, idx, rc);
        qcow2_cache_mark_dirty(s->refblock_cache, block);
        if (rc == 0) {
            uint64_t coff = c << s->cluster_bits;
            if (c < s->free_cluster_index) {
                s->free_cluster_index = c;
            }
            /* A freed table must not be written back over new data. */
            qcow2_cache_discard(s->l2_cache, coff);
            if (coff != off) {
                qcow2_cache_discard(s->refblock_cache, coff);
            }
            if (s->free_byte_offset &&
                qcow2_start_of_cluster(s, s->free_byte_offset) == coff) {
                s->free_byte_offset = 0;
            }
        }
    }
    if (block) {
        qcow2_cache_put(s->refblock_cache, &block);
    }
    return ret;
}

/*
 * Used clusters far past the end of the file mean the refcounts are
 * garbage; scanning them would take forever on a hostile image.
 */
#define QCOW2_MAX_USED_PAST_EOF 65536

/* First run of n free clusters at or after the hint. */
static int find_free_run(BlockDriverState *bs, uint64_t n, uint64_t *start)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t i = s->free_cluster_index, run = 0;
    int64_t flen = bdrv_getlength(bs->file);
    /* L2 entries hold 56-bit offsets; nothing may go beyond. */
    uint64_t limit = 1ull << (56 - s->cluster_bits);

    if (flen < 0) {
        return flen;
    }
    limit = MIN(limit, MAX(qcow2_size_to_clusters(s, flen), i) + n +
                QCOW2_MAX_USED_PAST_EOF);
    for (; i < limit; i++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, i, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc) {
            run = 0;
            continue;
        }
        if (++run == n) {
            *start = i - n + 1;
            return 0;
        }
    }
    qcow2_signal_corruption(bs, "no free cluster found below cluster %"
                            PRIu64 ": refcounts claim clusters far past the "
                            "end of the file", limit);
    return -EIO;
}

uint32_t qcow2_max_alloc_run(BDRVQcow2State *s)
{
    return MAX(1, s->refblock_size / 4);
}

/*
 * A run too long to sit among self-describing refcount blocks (tiny
 * clusters, wide refcounts): put it in fresh slots past everything,
 * behind new refcount blocks that describe the whole area.
 */
static int64_t alloc_clusters_area(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t flen = bdrv_getlength(bs->file);
    uint64_t last_used_slot = 0, E, first_slot, nb = 1, last_slot = 0;
    g_autofree uint8_t *block = NULL;
    int ret;

    if (flen < 0) {
        return flen;
    }
    for (uint32_t t = 0; t < s->refcount_table_size; t++) {
        if (s->refcount_table[t]) {
            last_used_slot = t;
        }
    }
    E = MAX(qcow2_size_to_clusters(s, flen),
            (last_used_slot + 1) << s->refblock_bits);
    E = ROUND_UP(E, (uint64_t)s->refblock_size);
    first_slot = E >> s->refblock_bits;
    for (int iter = 0; iter < 64; iter++) {
        uint64_t nb2;
        last_slot = (E + nb + n - 1) >> s->refblock_bits;
        nb2 = last_slot - first_slot + 1;
        if (nb2 == nb) {
            break;
        }
        nb = nb2;
    }
    if (last_slot >= s->refcount_table_size) {
        ret = grow_reftable(bs, last_slot);
        if (ret < 0) {
            return ret;
        }
        /* The table moved past E: start over above it. */
        return alloc_clusters_area(bs, n);
    }
    block = g_malloc(s->cluster_size);
    for (uint64_t j = 0; j < nb; j++) {
        uint64_t slot = first_slot + j;
        uint64_t lo = MAX(E, slot << s->refblock_bits);
        uint64_t hi = MIN(E + nb + n, (slot + 1) << s->refblock_bits);
        memset(block, 0, s->cluster_size);
        for (uint64_t c = lo; c < hi; c++) {
            qcow2_set_refcount_ro(s, block, c & (s->refblock_size - 1), 1);
        }
        ret = bdrv_pwrite(bs->file, (E + j) << s->cluster_bits,
                          s->cluster_size, block);
        if (ret < 0) {
            return ret;
        }
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    for (uint64_t j = 0; j < nb; j++) {
        s->refcount_table[first_slot + j] = (E + j) << s->cluster_bits;
    }
    for (uint64_t j = 0; j < nb; j++) {
        /* One write per 512-byte sector of the table. */
        if (j == 0 || (first_slot + j) % 64 == 0) {
            ret = write_reftable_entry(bs, first_slot + j);
            if (ret < 0) {
                return ret;
            }
        }
    }
    return (E + nb) << s->cluster_bits;
}

int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = 0;
    int ret;

    if (!n || s->corrupt) {
        return s->corrupt ? -EIO : -EINVAL;
    }
    if (n > qcow2_max_alloc_run(s)) {
        return alloc_clusters_area(bs, n);
    }
retry:
    ret = find_free_run(bs, n, &start);
    if (ret < 0) {
        return ret;
    }
    /* Every cluster of the run needs a refcount block first. */
    for (uint64_t t = start >> s->refblock_bits;
         t <= (start + n - 1) >> s->refblock_bits; t++) {
        uint64_t off;
        if (t >= s->refcount_table_size) {
            ret = grow_reftable(bs, t);
            if (ret < 0) {
                return ret;
            }
            goto retry;
        }
        ret = refblock_offset(bs, t, &off);
        if (ret < 0) {
            return ret;
        }
        if (!off) {
            ret = create_refblock(bs, t,
                                  MAX(start, t << s->refblock_bits));
            if (ret < 0) {
                return ret;
            }
            goto retry;
        }
    }
    ret = qcow2_update_refcount(bs, start << s->cluster_bits,
                                n << s->cluster_bits, 1);
    if (ret < 0) {
        return ret;
    }
    s->free_cluster_index = start + n;
    return start << s->cluster_bits;
}

int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t fbo = s->free_byte_offset;
    int64_t new, off;
    int ret;

    assert(size > 0 && size <= s->cluster_size);
    if (fbo && qcow2_offset_into_cluster(s, fbo) + size <= s->cluster_size) {
        off = fbo;
        ret = qcow2_update_refcount(bs, off, 1, 1);
        if (ret < 0) {
            return ret;
        }
    } else {
        new = qcow2_alloc_clusters(bs, 1);
        if (new < 0) {
            return new;
        }
        fbo = s->free_byte_offset;     /* may have been reset meanwhile */
        if (fbo && qcow2_offset_into_cluster(s, fbo) &&
            qcow2_start_of_cluster(s, fbo) + s->cluster_size == (uint64_t)new) {
            /* Continue into the next cluster: it counts this one too. */
            off = fbo;
            ret = qcow2_update_refcount(bs, off, 1, 1);
            if (ret < 0) {
                return ret;
            }
        } else {
            off = new;
        }
    }
    s->free_byte_offset = off + size;
    if (!qcow2_offset_into_cluster(s, s->free_byte_offset)) {
        s->free_byte_offset = 0;
    }
    return off;
}

int qcow2_free_deferred(BlockDriverState *bs, uint64_t offset,
                        uint64_t length)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2PendingFree f = { offset, length };

    if (!length) {
        return 0;
    }
    g_array_append_val(s->pending_frees, f);
    return 0;
}

int qcow2_free_l2_entry(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off, len;

    switch (qcow2_get_cluster_type(s, l2e)) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        off = l2e & L2E_OFFSET_MASK;
        len = s->cluster_size;
        break;
    case QCOW2_CLUSTER_COMPRESSED:
        qcow2_parse_compressed(s, l2e, &off, &len);
        break;
    default:
        return 0;
    }
    /* A (hostile) entry over the metadata must not free the metadata. */
    if (qcow2_overlaps_metadata(s, off, len)) {
        qcow2_signal_corruption(bs, "L2 entry 0x%" PRIx64 " points into "
                                "the image metadata", l2e);
        return -EIO;
    }
    return qcow2_free_deferred(bs, off, len);
}

int qcow2_apply_pending_frees(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = 0;

    if (!s->pending_frees->len) {
        return 0;
    }
    /* No data request may be using a cluster we are about to free. */
    g_rw_lock_writer_lock(&s->data_lock);
    for (unsigned i = 0; i < s->pending_frees->len; i++) {
        Qcow2PendingFree *f = &g_array_index(s->pending_frees,
                                             Qcow2PendingFree, i);
        int r = qcow2_update_refcount(bs, f->offset, f->bytes, -1);
        if (r < 0 && !ret) {
            ret = r;
        }
    }
    g_array_set_size(s->pending_frees, 0);
    g_rw_lock_writer_unlock(&s->data_lock);
    return ret;
}

bool qcow2_too_many_pending_frees(BDRVQcow2State *s)
{
    return s->pending_frees->len > QCOW2_MAX_PENDING_FREES;
}
