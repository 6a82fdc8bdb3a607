/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 cluster mapping: L1/L2 lookups, reads, writes with allocation
 * and copy-on-write, zero clusters, compressed clusters (spec: "Cluster
 * mapping", "Compressed Clusters Descriptor").
 *
 * A write to a cluster that is not both allocated and exclusively ours
 * (L2 entry without QCOW_OFLAG_COPIED) allocates a new cluster and writes
 * it whole: the caller's bytes, plus the cluster's old contents around
 * them (from the backing file, the old shared cluster, a decompressed
 * cluster, or zeroes). Only after the data is written is the L2 entry
 * changed (in the L2 cache), and the old cluster's reference is dropped
 * once that change is on disk.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/qcow2.h"
#include <zlib.h>


Qcow2ClusterType qcow2_get_cluster_type(BDRVQcow2State *s, uint64_t l2e)
{
    if (l2e & QCOW_OFLAG_COMPRESSED) {
        return QCOW2_CLUSTER_COMPRESSED;
    }
    if ((l2e & QCOW_OFLAG_ZERO) && s->version >= 3) {
        return (l2e & L2E_OFFSET_MASK) ? QCOW2_CLUSTER_ZERO_ALLOC
                                       : QCOW2_CLUSTER_ZERO_PLAIN;
    }
    if (!(l2e & L2E_OFFSET_MASK)) {
        return QCOW2_CLUSTER_UNALLOCATED;
    }
    return QCOW2_CLUSTER_NORMAL;
}

void qcow2_parse_compressed(BDRVQcow2State *s, uint64_t l2e, uint64_t *off,
                            uint64_t *len)
{
    uint64_t nb = ((l2e >> s->csize_shift) & s->csize_mask) + 1;

    *off = l2e & s->coffset_mask;
    *len = nb * 512 - (*off & 511);
}

int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index)
{
    BDRVQcow2State *s = bs->opaque;
    /* The 512-byte sector holding the entry, from the in-memory table. */
    uint32_t first = ROUND_DOWN(index, 64);
    uint32_t n = MIN(64, s->l1_size - first);
    uint64_t buf[64];

    for (uint32_t i = 0; i < n; i++) {
        buf[i] = GUINT64_TO_BE(s->l1_table[first + i]);
    }
    s->need_sync = true;
    return bdrv_pwrite(bs->file, s->l1_table_offset + (uint64_t)first * 8,
                       n * 8, buf);
}

/* Check an L2 table offset from the L1 table. */
static int check_l2_offset(BlockDriverState *bs, uint32_t l1_index,
                           uint64_t l2_off)
{
    BDRVQcow2State *s = bs->opaque;

    if (qcow2_offset_into_cluster(s, l2_off)) {
        qcow2_signal_corruption(bs, "L2 table offset 0x%" PRIx64
                                " unaligned (L1 index: %u)", l2_off,
                                l1_index);
        return -EIO;
    }
    if (qcow2_overlaps_metadata(s, l2_off, s->cluster_size)) {
        qcow2_signal_corruption(bs, "L2 table at 0x%" PRIx64 " (L1 index: "
                                "%u) overlaps other metadata", l2_off,
                                l1_index);
        return -EIO;
    }
    return 0;
}

/* The L2 table for a guest offset, or *table = NULL if there is none. */
static int get_l2_table(BlockDriverState *bs, uint64_t offset, void **table,
                        uint32_t *index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l2_off;
    int ret;

    *table = NULL;
    *index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    if (l1_index >= s->l1_size) {
        return 0;
    }
    l2_off = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    if (!l2_off) {
        return 0;
    }
    ret = check_l2_offset(bs, l1_index, l2_off);
    if (ret < 0) {
        return ret;
    }
    return qcow2_cache_get(bs, s->l2_cache, l2_off, table);
}

static int check_l2_entry(BlockDriverState *bs, uint64_t l2e,
                          uint64_t guest_off)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2ClusterType t = qcow2_get_cluster_type(s, l2e);

    if ((t == QCOW2_CLUSTER_NORMAL || t == QCOW2_CLUSTER_ZERO_ALLOC) &&
        qcow2_offset_into_cluster(s, l2e & L2E_OFFSET_MASK)) {
        qcow2_signal_corruption(bs, "cluster allocation offset 0x%" PRIx64
                                " unaligned (guest offset 0x%" PRIx64 ")",
                                l2e & L2E_OFFSET_MASK, guest_off);
        return -EIO;
    }
    if (t == QCOW2_CLUSTER_COMPRESSED && s->version >= 3 &&
        (l2e & QCOW_OFLAG_COPIED)) {
        qcow2_signal_corruption(bs, "compressed cluster entry 0x%" PRIx64
                                " has the copied flag", l2e);
        return -EIO;
    }
    return 0;
}

int qcow2_get_host_range(BlockDriverState *bs, uint64_t offset,
                         uint64_t *bytes, uint64_t *l2e_out)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t in = qcow2_offset_into_cluster(s, offset);
    uint64_t want = *bytes;
    void *table;
    uint32_t idx, n, max;
    uint64_t e0;
    Qcow2ClusterType t0;
    int ret;

    ret = get_l2_table(bs, offset, &table, &idx);
    if (ret < 0) {
        return ret;
    }
    max = MIN((uint64_t)(s->l2_size - idx), DIV_ROUND_UP(in + want,
                                                         s->cluster_size));
    if (!table) {
        *l2e_out = 0;
        *bytes = MIN(want, (uint64_t)max * s->cluster_size - in);
        return QCOW2_CLUSTER_UNALLOCATED;
    }
    e0 = ldq_be_p((uint64_t *)table + idx);
    ret = check_l2_entry(bs, e0, offset);
    if (ret < 0) {
        qcow2_cache_put(s->l2_cache, &table);
        return ret;
    }
    t0 = qcow2_get_cluster_type(s, e0);
    n = 1;
    if (t0 != QCOW2_CLUSTER_COMPRESSED) {
        for (; n < max; n++) {
            uint64_t e = ldq_be_p((uint64_t *)table + idx + n);
            if (qcow2_get_cluster_type(s, e) != t0) {
                break;
            }
            if (t0 == QCOW2_CLUSTER_NORMAL &&
                (e & L2E_OFFSET_MASK) !=
                (e0 & L2E_OFFSET_MASK) + (uint64_t)n * s->cluster_size) {
                break;
            }
            if (check_l2_entry(bs, e, offset) < 0) {
                break;
            }
        }
    }
    qcow2_cache_put(s->l2_cache, &table);
    *l2e_out = e0;
    *bytes = MIN(want, (uint64_t)n * s->cluster_size - in);
    return t0;
}

int qcow2_decompress_cluster(BlockDriverState *bs, uint64_t l2e,
                             uint8_t *out)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off, len;
    g_autofree uint8_t *in = NULL;
    z_stream z;
    int ret;

    qcow2_parse_compressed(s, l2e, &off, &len);
    /* len <= 2 * cluster size by construction of the descriptor. */
    in = g_malloc(len);
    ret = bdrv_pread(bs->file, off, len, in);
    if (ret < 0) {
        return ret;
    }
    memset(&z, 0, sizeof(z));
    /* Raw deflate (no zlib header); 15 bits accepts any window size. */
    if (inflateInit2(&z, -15) != Z_OK) {
        return -ENOMEM;
    }
    z.next_in = in;
    z.avail_in = len;
    z.next_out = out;
    z.avail_out = s->cluster_size;
    ret = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR) || z.avail_out) {
        qcow2_signal_corruption(bs, "compressed cluster at 0x%" PRIx64
                                " does not decompress", off);
        return -EIO;
    }
    return 0;
}

static int read_compressed(BlockDriverState *bs, uint64_t l2e,
                           uint64_t in, uint64_t n, IOVector *qiov,
                           size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!s->cluster_cache) {
        s->cluster_cache = g_malloc(s->cluster_size);
    }
    if (s->cluster_cache_offset != l2e) {
        s->cluster_cache_offset = 0;
        ret = qcow2_decompress_cluster(bs, l2e, s->cluster_cache);
        if (ret < 0) {
            return ret;
        }
        s->cluster_cache_offset = l2e;
    }
    iovec_from_buf(qiov, qoff, s->cluster_cache + in, n);
    return 0;
}

int qcow2_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    IOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;

    while (bytes > 0) {
        uint64_t n = bytes, l2e, in = qcow2_offset_into_cluster(s, offset);
        int t = qcow2_get_host_range(bs, offset, &n, &l2e);
        int ret = 0;

        if (t < 0) {
            return t;
        }
        switch (t) {
        case QCOW2_CLUSTER_UNALLOCATED:
            /* The backing chain has its own locks; ours is not needed. */
            g_mutex_unlock(&s->lock);
            ret = bdrv_read_backing(bs, offset, n, qiov, qoff);
            g_mutex_lock(&s->lock);
            break;
        case QCOW2_CLUSTER_ZERO_PLAIN:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            iovec_memset(qiov, qoff, 0, n);
            break;
        case QCOW2_CLUSTER_NORMAL:
            /*
             * Data I/O runs without the metadata lock, so requests on
             * one image proceed in parallel; the data lock keeps the
             * cluster from being freed and reused meanwhile.
             */
            g_rw_lock_reader_lock(&s->data_lock);
            g_mutex_unlock(&s->lock);
            ret = bdrv_preadv(bs->file, (l2e & L2E_OFFSET_MASK) + in, n,
                              qiov, qoff, 0);
            g_rw_lock_reader_unlock(&s->data_lock);
            g_mutex_lock(&s->lock);
            break;
        case QCOW2_CLUSTER_COMPRESSED:
            ret = read_compressed(bs, l2e, in, n, qiov, qoff);
            break;
        }
        if (ret < 0) {
            return ret;
        }
        offset += n;
        bytes -= n;
        qoff += n;
    }
    return 0;
}

/*
 * The L2 table for a guest offset, writable: allocated and ours alone.
 * A missing table is created zeroed; a table shared with a snapshot is
 * copied. Either way the new table is on disk before the L1 entry that
 * points at it, and its refcount before both.
 */
int qcow2_get_l2_table_for_write(BlockDriverState *bs, uint64_t offset,
                                  void **table, uint32_t *index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l1e, old_off;
    int64_t new_off;
    void *old;
    int ret;

    *index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    if (l1_index >= s->l1_size) {
        qcow2_signal_corruption(bs, "write beyond the L1 table");
        return -EIO;
    }
    l1e = s->l1_table[l1_index];
    old_off = l1e & L1E_OFFSET_MASK;
    if (old_off) {
        ret = check_l2_offset(bs, l1_index, old_off);
        if (ret < 0) {
            return ret;
        }
        if (l1e & QCOW_OFLAG_COPIED) {
            return qcow2_cache_get(bs, s->l2_cache, old_off, table);
        }
    }

    new_off = qcow2_alloc_clusters(bs, 1);
    if (new_off < 0) {
        return new_off;
    }
    ret = qcow2_cache_get_empty(bs, s->l2_cache, new_off, table);
    if (ret < 0) {
        return ret;
    }
    if (old_off) {
        ret = qcow2_cache_get(bs, s->l2_cache, old_off, &old);
        if (ret < 0) {
            goto fail;
        }
        memcpy(*table, old, s->cluster_size);
        qcow2_cache_put(s->l2_cache, &old);
    }
    qcow2_cache_mark_dirty(s->l2_cache, *table);
    /* Writing it syncs the refcount cache first (the cache dependency). */
    ret = qcow2_cache_write_one(bs, s->l2_cache, new_off);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_sync(bs);
    if (ret < 0) {
        goto fail;
    }
    s->l1_table[l1_index] = new_off | QCOW_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(bs, l1_index);
    if (ret < 0) {
        s->l1_table[l1_index] = l1e;
        goto fail;
    }
    if (old_off) {
        qcow2_free_deferred(bs, old_off, s->cluster_size);
    }
    return 0;

fail:
    qcow2_cache_put(s->l2_cache, table);
    return ret;
}

/* A cluster's current contents per its L2 entry, into buf. */
static int read_old_cluster(BlockDriverState *bs, uint64_t l2e,
                            uint64_t guest_cluster, uint8_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    IOVector v;

    switch (qcow2_get_cluster_type(s, l2e)) {
    case QCOW2_CLUSTER_UNALLOCATED:
        iovec_init_buf(&v, buf, s->cluster_size);
        return bdrv_read_backing(bs, guest_cluster, s->cluster_size, &v, 0);
    case QCOW2_CLUSTER_NORMAL:
        return bdrv_pread(bs->file, l2e & L2E_OFFSET_MASK, s->cluster_size,
                          buf);
    case QCOW2_CLUSTER_COMPRESSED:
        return qcow2_decompress_cluster(bs, l2e, buf);
    default:
        memset(buf, 0, s->cluster_size);
        return 0;
    }
}

static bool entry_is_writable(BDRVQcow2State *s, uint64_t e)
{
    return qcow2_get_cluster_type(s, e) == QCOW2_CLUSTER_NORMAL &&
           (e & QCOW_OFLAG_COPIED);
}

static int write_in_place(BlockDriverState *bs, uint64_t host, uint64_t n,
                          IOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;

    int ret;

    if (qcow2_overlaps_metadata(s, host, n)) {
        qcow2_signal_corruption(bs, "data write at 0x%" PRIx64 " would "
                                "overwrite metadata", host);
        return -EIO;
    }
    s->need_sync = true;
    /* As for reads: the data lock, not the metadata lock (see preadv). */
    g_rw_lock_reader_lock(&s->data_lock);
    g_mutex_unlock(&s->lock);
    ret = bdrv_pwritev(bs->file, host, n, qiov, qoff, 0);
    g_rw_lock_reader_unlock(&s->data_lock);
    g_mutex_lock(&s->lock);
    return ret;
}

/*
 * Allocate k clusters for [offset, offset + n) (all within one L2
 * table, every entry needing allocation) and write them whole.
 */
static int write_allocating(BlockDriverState *bs, void *table, uint32_t idx,
                            uint32_t k, uint64_t offset, uint64_t n,
                            IOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t in = qcow2_offset_into_cluster(s, offset);
    uint64_t end_in = (in + n) & (cs - 1);
    uint64_t first_guest = qcow2_start_of_cluster(s, offset);
    uint64_t last_guest = first_guest + (uint64_t)(k - 1) * cs;
    uint64_t *t = table;
    g_autofree uint8_t *head = NULL;
    g_autofree uint8_t *tail = NULL;
    IOVector v;
    int64_t host;
    int ret;

    /* Old contents around the new bytes, read before anything changes. */
    if (in) {
        head = g_malloc(cs);
        ret = read_old_cluster(bs, ldq_be_p(t + idx), first_guest, head);
        if (ret < 0) {
            return ret;
        }
    }
    if (end_in) {
        if (k == 1 && head) {
            tail = g_memdup2(head, cs);
        } else {
            tail = g_malloc(cs);
            ret = read_old_cluster(bs, ldq_be_p(t + idx + k - 1), last_guest,
                                   tail);
            if (ret < 0) {
                return ret;
            }
        }
    }

    host = qcow2_alloc_clusters(bs, k);
    if (host < 0) {
        return host;
    }
    if (qcow2_overlaps_metadata(s, host, (uint64_t)k * cs)) {
        qcow2_signal_corruption(bs, "allocated clusters at 0x%" PRIx64
                                " overlap metadata", host);
        return -EIO;
    }
    iovec_init(&v, qiov->niov + 2);
    if (head) {
        iovec_add(&v, head, in);
    }
    iovec_concat(&v, qiov, qoff, n);
    if (tail) {
        iovec_add(&v, tail + end_in, cs - end_in);
    }
    s->need_sync = true;
    ret = bdrv_pwritev(bs->file, host, v.size, &v, 0, 0);
    iovec_destroy(&v);
    if (ret < 0) {
        /* The clusters leak; the L2 entries are unchanged. */
        return ret;
    }

    for (uint32_t i = 0; i < k; i++) {
        uint64_t old = ldq_be_p(t + idx + i);
        stq_be_p(t + idx + i, (host + (uint64_t)i * cs) | QCOW_OFLAG_COPIED);
        if (qcow2_get_cluster_type(s, old) == QCOW2_CLUSTER_COMPRESSED) {
            s->cluster_cache_offset = 0;
        }
        qcow2_free_l2_entry(bs, old);
    }
    qcow2_cache_mark_dirty(s->l2_cache, table);
    return 0;
}

static int finish_write(BlockDriverState *bs, int ret)
{
    BDRVQcow2State *s = bs->opaque;

    if (ret >= 0 && qcow2_too_many_pending_frees(s)) {
        ret = qcow2_flush_metadata(bs);
    }
    return ret;
}

int qcow2_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     IOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = 0;

    if (s->corrupt) {
        return -EIO;
    }
    ret = qcow2_mark_dirty(bs);
    if (ret < 0) {
        return ret;
    }
    while (bytes > 0) {
        uint64_t in = qcow2_offset_into_cluster(s, offset);
        void *table;
        uint64_t *t;
        uint32_t idx, max, k;
        uint64_t n, e0;

        ret = qcow2_get_l2_table_for_write(bs, offset, &table, &idx);
        if (ret < 0) {
            break;
        }
        t = table;
        max = MIN((uint64_t)(s->l2_size - idx),
                  DIV_ROUND_UP(in + bytes, s->cluster_size));
        e0 = ldq_be_p(t + idx);
        ret = check_l2_entry(bs, e0, offset);
        if (ret < 0) {
            qcow2_cache_put(s->l2_cache, &table);
            break;
        }
        if (entry_is_writable(s, e0)) {
            for (k = 1; k < max; k++) {
                uint64_t e = ldq_be_p(t + idx + k);
                if (!entry_is_writable(s, e) ||
                    (e & L2E_OFFSET_MASK) != (e0 & L2E_OFFSET_MASK) +
                    (uint64_t)k * s->cluster_size) {
                    break;
                }
            }
            n = MIN((uint64_t)bytes, (uint64_t)k * s->cluster_size - in);
            qcow2_cache_put(s->l2_cache, &table);
            ret = write_in_place(bs, (e0 & L2E_OFFSET_MASK) + in, n, qiov,
                                 qoff);
            if (ret < 0) {
                break;
            }
            offset += n;
            bytes -= n;
            qoff += n;
            continue;
        } else {
            max = MIN(max, qcow2_max_alloc_run(s));
            for (k = 1; k < max; k++) {
                uint64_t e = ldq_be_p(t + idx + k);
                if (entry_is_writable(s, e) || check_l2_entry(bs, e, 0) < 0) {
                    break;
                }
            }
            n = MIN((uint64_t)bytes, (uint64_t)k * s->cluster_size - in);
            ret = write_allocating(bs, table, idx, k, offset, n, qiov, qoff);
        }
        qcow2_cache_put(s->l2_cache, &table);
        if (ret < 0) {
            break;
        }
        offset += n;
        bytes -= n;
        qoff += n;
    }
    return finish_write(bs, ret);
}

int qcow2_co_pwritev_compressed(BlockDriverState *bs, int64_t offset,
                                int64_t bytes, IOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    g_autofree uint8_t *buf = NULL;
    g_autofree uint8_t *out = NULL;
    uint64_t clen, old, nb;
    int64_t coff;
    void *table;
    uint32_t idx;
    z_stream z;
    int ret;

    if (qcow2_offset_into_cluster(s, offset) ||
        (bytes != (int64_t)cs && offset + bytes != (int64_t)s->disk_size) ||
        bytes > (int64_t)cs) {
        return -EINVAL;
    }
    if (s->corrupt) {
        return -EIO;
    }
    buf = g_malloc0(cs);
    iovec_to_buf(qiov, qoff, buf, bytes);
    out = g_malloc(cs);
    memset(&z, 0, sizeof(z));
    /* Raw deflate with a 4 KiB window, what QEMU's reader expects. */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return -ENOMEM;
    }
    z.next_in = buf;
    z.avail_in = cs;
    z.next_out = out;
    z.avail_out = cs - 1;
    ret = deflate(&z, Z_FINISH);
    clen = (cs - 1) - z.avail_out;
    deflateEnd(&z);
    if (ret != Z_STREAM_END) {
        /* Does not shrink: store it plainly. */
        IOVector v;
        iovec_init_buf(&v, buf, bytes);
        g_mutex_lock(&s->lock);
        ret = qcow2_co_pwritev(bs, offset, bytes, &v, 0);
        g_mutex_unlock(&s->lock);
        return ret;
    }

    g_mutex_lock(&s->lock);
    ret = qcow2_mark_dirty(bs);
    if (ret < 0) {
        goto out;
    }
    ret = qcow2_get_l2_table_for_write(bs, offset, &table, &idx);
    if (ret < 0) {
        goto out;
    }
    coff = qcow2_alloc_bytes(bs, clen);
    if (coff < 0) {
        ret = coff;
        qcow2_cache_put(s->l2_cache, &table);
        goto out;
    }
    if (qcow2_overlaps_metadata(s, coff, clen)) {
        qcow2_signal_corruption(bs, "compressed data at 0x%" PRIx64
                                " overlaps metadata", coff);
        ret = -EIO;
        qcow2_cache_put(s->l2_cache, &table);
        goto out;
    }
    s->need_sync = true;
    ret = bdrv_pwrite(bs->file, coff, clen, out);
    if (ret < 0) {
        qcow2_cache_put(s->l2_cache, &table);
        goto out;
    }
    nb = ((coff + clen - 1) >> 9) - (coff >> 9);
    old = ldq_be_p((uint64_t *)table + idx);
    stq_be_p((uint64_t *)table + idx, QCOW_OFLAG_COMPRESSED |
             (nb << s->csize_shift) | (uint64_t)coff);
    qcow2_cache_mark_dirty(s->l2_cache, table);
    qcow2_cache_put(s->l2_cache, &table);
    s->cluster_cache_offset = 0;
    qcow2_free_l2_entry(bs, old);
    ret = finish_write(bs, 0);
out:
    g_mutex_unlock(&s->lock);
    return ret;
}

int qcow2_zero_clusters(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, bool to_unallocated)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t target = to_unallocated ? 0 : QCOW_OFLAG_ZERO;
    int ret;

    assert(!qcow2_offset_into_cluster(s, offset));
    if (s->corrupt) {
        return -EIO;
    }
    ret = qcow2_mark_dirty(bs);
    if (ret < 0) {
        return ret;
    }
    while (bytes > 0) {
        uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
        uint32_t idx = (offset >> s->cluster_bits) & (s->l2_size - 1);
        uint64_t span = MIN(bytes, ((uint64_t)(s->l2_size - idx)) <<
                            s->cluster_bits);
        uint32_t nclusters = DIV_ROUND_UP(span, s->cluster_size);
        bool need_change = false;
        void *table;
        uint64_t *t;

        /* Nothing to do where there is no table and we want none. */
        if (l1_index < s->l1_size &&
            !(s->l1_table[l1_index] & L1E_OFFSET_MASK) && to_unallocated) {
            goto next;
        }
        ret = get_l2_table(bs, offset, &table, &idx);
        if (ret < 0) {
            return ret;
        }
        if (table) {
            t = table;
            for (uint32_t i = 0; i < nclusters; i++) {
                if (ldq_be_p(t + idx + i) != target) {
                    need_change = true;
                    break;
                }
            }
            qcow2_cache_put(s->l2_cache, &table);
        } else {
            need_change = true;
        }
        if (!need_change) {
            goto next;
        }
        ret = qcow2_get_l2_table_for_write(bs, offset, &table, &idx);
        if (ret < 0) {
            return ret;
        }
        t = table;
        for (uint32_t i = 0; i < nclusters; i++) {
            uint64_t old = ldq_be_p(t + idx + i);
            if (old == target) {
                continue;
            }
            if (check_l2_entry(bs, old, offset) < 0) {
                /* Unaligned garbage: drop the entry, free nothing. */
                old = 0;
            }
            stq_be_p(t + idx + i, target);
            if (qcow2_get_cluster_type(s, old) == QCOW2_CLUSTER_COMPRESSED) {
                s->cluster_cache_offset = 0;
            }
            qcow2_free_l2_entry(bs, old);
        }
        qcow2_cache_mark_dirty(s->l2_cache, table);
        qcow2_cache_put(s->l2_cache, &table);
next:
        offset += span;
        bytes -= span;
    }
    return finish_write(bs, 0);
}

int qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t new_size = min_size;
    uint64_t old_off = s->l1_table_offset;
    uint64_t old_bytes = (uint64_t)s->l1_size * 8;
    uint32_t old_size = s->l1_size;
    uint64_t bytes, *new_table;
    g_autofree uint64_t *disk = NULL;
    int64_t new_off;
    int ret;

    if (new_size <= s->l1_size) {
        return 0;
    }
    if (new_size > QCOW2_MAX_L1_BYTES / 8) {
        return -EFBIG;
    }
    /* Whole clusters on disk; the header records the exact size. */
    bytes = ROUND_UP(new_size * 8, (uint64_t)s->cluster_size);
    new_off = qcow2_alloc_clusters(bs, bytes >> s->cluster_bits);
    if (new_off < 0) {
        return new_off;
    }
    ret = qcow2_cache_write(bs, s->refblock_cache);
    if (ret < 0) {
        return ret;
    }
    disk = g_malloc0(bytes);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        disk[i] = GUINT64_TO_BE(s->l1_table[i]);
    }
    ret = bdrv_pwrite(bs->file, new_off, bytes, disk);
    if (ret < 0) {
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    /* l1_size (u32 at 36) and l1_table_offset (u64 at 40): one write. */
    new_table = g_malloc0(new_size * 8);
    memcpy(new_table, s->l1_table, old_bytes);
    s->l1_size = new_size;
    s->l1_table_offset = new_off;
    ret = qcow2_write_header_field(bs, 36, 12);
    if (ret < 0) {
        s->l1_size = old_size;
        s->l1_table_offset = old_off;
        g_free(new_table);
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    g_free(s->l1_table);
    s->l1_table = new_table;
    if (ret < 0) {
        return ret;
    }
    if (old_bytes) {
        return qcow2_update_refcount(bs, old_off,
                                     ROUND_UP(old_bytes,
                                              (uint64_t)s->cluster_size), -1);
    }
    return 0;
}
