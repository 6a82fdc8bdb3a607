/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 image creation and resizing.
 *
 * A new image starts as the smallest valid qcow2 file -- header in
 * cluster 0, a one-cluster refcount table in cluster 1, one refcount
 * block in cluster 2, virtual size 0 and no L1 table -- and is then
 * grown to its size through the normal resize path, which allocates the
 * L1 table (cluster 3 for ordinary sizes, as QEMU lays it out) and
 * preallocates if asked.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/qcow2.h"

const BlockCreateOpt qcow2_create_opts[] = {
    { "cluster_size", CREATE_OPT_SIZE, "qcow2 cluster size", "65536" },
    { "extended_l2", CREATE_OPT_BOOL, "Extended L2 tables (only off)",
      "off" },
    { "preallocation", CREATE_OPT_STRING,
      "Preallocation mode (allowed values: off, metadata, falloc, full)" },
    { "compression_type", CREATE_OPT_STRING,
      "Compression method used for image cluster compression (zlib)",
      "zlib" },
    { "size", CREATE_OPT_SIZE, "Virtual disk size", "0" },
    { "backing_file", CREATE_OPT_STRING, "File name of a base image" },
    { "backing_fmt", CREATE_OPT_STRING, "Image format of the base image" },
    { "compat", CREATE_OPT_STRING,
      "Compatibility level (v2 [0.10] or v3 [1.1])" },
    { "lazy_refcounts", CREATE_OPT_BOOL, "Postpone refcount updates", "off" },
    { "refcount_bits", CREATE_OPT_NUMBER,
      "Width of a reference count entry in bits", "16" },
    { NULL }
};

/* Write the minimal image: header, refcount table, one refcount block. */
static bool write_empty_image(const char *filename, int version,
                              int cluster_bits, int refcount_order,
                              bool lazy, const char *backing,
                              const char *backing_fmt, GError **errp)
{
    BDRVQcow2State s = { 0 };
    BlockDriverState bs = { 0 };
    uint32_t cs = 1u << cluster_bits;
    g_autofree uint8_t *buf = g_malloc0(cs);
    BlockDriverState *file;
    int ret;

    if (!bdrv_file_create(filename, 0, PREALLOC_MODE_OFF, errp)) {
        return false;
    }
    file = bdrv_open_file(filename, NULL, BDRV_O_RDWR, errp);
    if (!file) {
        return false;
    }
    s.version = version;
    s.cluster_bits = cluster_bits;
    s.cluster_size = cs;
    s.refcount_order = refcount_order;
    s.refcount_table_offset = cs;
    s.refcount_table_clusters = 1;
    s.compatible_features = lazy ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0;
    s.header_length = version >= 3 ? 112 : QCOW2_HEADER_V2_LEN;
    bs.opaque = &s;
    bs.file = file;
    bs.backing_file = (char *)backing;
    bs.backing_format = (char *)backing_fmt;
    ret = qcow2_update_header(&bs);
    if (ret == -ENOSPC) {
        error_setg(errp, "Backing file name or header extensions do not fit "
                   "in the first cluster");
        goto fail;
    }
    if (ret < 0) {
        goto io_fail;
    }
    /* Make the header cluster whole, then the table and the block. */
    memset(buf, 0, cs);
    stq_be_p(buf, 2ull * cs);
    ret = bdrv_pwrite(file, cs, cs, buf);
    if (ret < 0) {
        goto io_fail;
    }
    memset(buf, 0, cs);
    for (int i = 0; i < 3; i++) {
        qcow2_set_refcount_ro(&s, buf, i, 1);
    }
    ret = bdrv_pwrite(file, 2ull * cs, cs, buf);
    if (ret < 0) {
        goto io_fail;
    }
    ret = bdrv_flush(file);
    if (ret < 0) {
        goto io_fail;
    }
    bdrv_unref(file);
    return true;

io_fail:
    error_setg_errno(errp, -ret, "Could not write qcow2 header");
fail:
    bdrv_unref(file);
    return false;
}

bool qcow2_create(const char *filename, GHashTable *opts, GError **errp)
{
    g_autofree char *backing = bdrv_opts_take(opts, "backing_file");
    g_autofree char *backing_fmt = bdrv_opts_take(opts, "backing_fmt");
    g_autofree char *compat = bdrv_opts_take(opts, "compat");
    g_autofree char *prealloc_s = bdrv_opts_take(opts, "preallocation");
    g_autofree char *ctype = bdrv_opts_take(opts, "compression_type");
    g_autofree char *rbits_s = bdrv_opts_take(opts, "refcount_bits");
    g_autofree char *enc = bdrv_opts_take(opts, "encryption");
    g_autofree char *encf = bdrv_opts_take(opts, "encrypt.format");
    g_autofree char *data_file = bdrv_opts_take(opts, "data_file");
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    uint64_t size, cluster_size, rbits = 16;
    bool lazy, ext_l2;
    int version = 3, cluster_bits, order = 4;
    GHashTable *o;
    BlockDriverState *bs;
    int ret;

    if (!bdrv_opts_take_size(opts, "size", 0, &size, errp) ||
        !bdrv_opts_take_size(opts, "cluster_size", 65536, &cluster_size,
                             errp) ||
        !bdrv_opts_take_bool(opts, "lazy_refcounts", false, &lazy, errp) ||
        !bdrv_opts_take_bool(opts, "extended_l2", false, &ext_l2, errp)) {
        return false;
    }
    if (g_hash_table_size(opts)) {
        g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(opts),
                                            (GCompareFunc)strcmp);
        error_setg(errp, "Invalid parameter '%s'", (char *)keys->data);
        return false;
    }
    if ((enc && strcmp(enc, "off")) || encf) {
        error_setg(errp, "Encrypted qcow2 images are not supported by Ember");
        return false;
    }
    if (data_file) {
        error_setg(errp, "External data files are not supported by Ember");
        return false;
    }
    if (ext_l2) {
        error_setg(errp, "Extended L2 entries are not supported by Ember");
        return false;
    }
    if (ctype && strcmp(ctype, "zlib")) {
        error_setg(errp, "Compression type '%s' is not supported (only "
                   "zlib)", ctype);
        return false;
    }
    if (compat) {
        if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
            version = 2;
        } else if (!strcmp(compat, "1.1") || !strcmp(compat, "v3")) {
            version = 3;
        } else {
            error_setg(errp, "Parameter 'version' does not accept value "
                       "'%s'", compat);
            return false;
        }
    }
    if (cluster_size < 512 || cluster_size > 2 * MiB ||
        (cluster_size & (cluster_size - 1))) {
        error_setg(errp, "Cluster size must be a power of two between 512 "
                   "and 2048k");
        return false;
    }
    cluster_bits = __builtin_ctzll(cluster_size);
    if (rbits_s && (!parse_uint64(rbits_s, &rbits) || !rbits || rbits > 64 ||
                    (rbits & (rbits - 1)))) {
        error_setg(errp, "Refcount width must be a power of two and may not "
                   "exceed 64 bits");
        return false;
    }
    order = __builtin_ctzll(rbits);
    if (version < 3 && rbits != 16) {
        error_setg(errp, "Different refcount widths than 16 bits require "
                   "compatibility level 1.1 or above (use version=v3 or "
                   "greater)");
        return false;
    }
    if (version < 3 && lazy) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above (use version=v3 or greater)");
        return false;
    }
    if (prealloc_s && !prealloc_mode_parse(prealloc_s, &prealloc)) {
        error_setg(errp, "Invalid preallocation mode: '%s'", prealloc_s);
        return false;
    }
    if (backing_fmt && !backing) {
        error_setg(errp, "Backing format cannot be used without backing "
                   "file");
        return false;
    }
    if (backing && prealloc != PREALLOC_MODE_OFF) {
        error_setg(errp, "Backing file and preallocation cannot be used at "
                   "the same time");
        return false;
    }
    if (backing && strlen(backing) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "Backing file name too long");
        return false;
    }
    size = ROUND_UP(size, 512);
    if (qcow2_l1_entries_for(cluster_bits, size) >
        QCOW2_MAX_L1_BYTES / 8) {
        error_setg(errp, "Image size is too large for this cluster size");
        return false;
    }

    if (!write_empty_image(filename, version, cluster_bits, order, lazy,
                           backing, backing_fmt, errp)) {
        return false;
    }
    o = bdrv_opts_new();
    bdrv_opts_set(o, "driver", "qcow2");
    bs = bdrv_open(filename, o, BDRV_O_RDWR | BDRV_O_NO_BACKING, errp);
    if (!bs) {
        return false;
    }
    ret = bdrv_truncate(bs, size, true, prealloc, errp);
    if (ret >= 0) {
        ret = bdrv_flush(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush the new image");
        }
    }
    bdrv_unref(bs);
    return ret >= 0;
}

/*
 * Allocate data clusters for [start, end) where none are; *host_end is
 * where the last allocated cluster ends.
 */
static int preallocate(BlockDriverState *bs, uint64_t start, uint64_t end,
                       uint64_t *host_end)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = ROUND_DOWN(start, (uint64_t)s->cluster_size);

    *host_end = 0;
    while (off < end) {
        uint32_t idx = (off >> s->cluster_bits) & (s->l2_size - 1);
        uint32_t n = MIN((uint64_t)(s->l2_size - idx),
                         DIV_ROUND_UP(end - off, s->cluster_size));
        void *table;
        uint64_t *t;
        int64_t host;
        int ret;

        ret = qcow2_get_l2_table_for_write(bs, off, &table, &idx);
        if (ret < 0) {
            return ret;
        }
        t = table;
        for (uint32_t i = 0; i < n; ) {
            uint32_t k = 0;
            while (i + k < n && k < qcow2_max_alloc_run(s) &&
                   ldq_be_p(t + idx + i + k) == 0) {
                k++;
            }
            if (!k) {
                i++;
                continue;
            }
            host = qcow2_alloc_clusters(bs, k);
            if (host < 0) {
                qcow2_cache_put(s->l2_cache, &table);
                return host;
            }
            for (uint32_t j = 0; j < k; j++) {
                stq_be_p(t + idx + i + j, (host + (uint64_t)j *
                                           s->cluster_size) |
                         QCOW_OFLAG_COPIED);
            }
            *host_end = MAX(*host_end, host + ((uint64_t)k <<
                                               s->cluster_bits));
            qcow2_cache_mark_dirty(s->l2_cache, table);
            i += k;
        }
        qcow2_cache_put(s->l2_cache, &table);
        off += (uint64_t)n << s->cluster_bits;
    }
    return 0;
}

int qcow2_truncate(BlockDriverState *bs, int64_t size, bool exact,
                   PreallocMode prealloc, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old = s->disk_size;
    uint64_t need;
    int ret;

    if (size % 512) {
        error_setg(errp, "The new size must be a multiple of 512");
        return -EINVAL;
    }
    if (s->corrupt) {
        error_setg(errp, "Image is corrupt");
        return -EIO;
    }
    if ((uint64_t)size == old) {
        return 0;
    }
    if ((uint64_t)size < old) {
        uint64_t from = ROUND_UP((uint64_t)size, (uint64_t)s->cluster_size);
        uint64_t to = ROUND_UP(old, (uint64_t)s->cluster_size);
        if (s->nb_snapshots) {
            error_setg(errp, "Can't shrink an image which has snapshots");
            return -ENOTSUP;
        }
        if (prealloc != PREALLOC_MODE_OFF) {
            error_setg(errp, "Preallocation can't be used for shrinking an "
                       "image");
            return -EINVAL;
        }
        if (to > from) {
            ret = qcow2_zero_clusters(bs, from, to - from, true);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Failed to discard cropped "
                                 "clusters");
                return ret;
            }
        }
    } else {
        need = qcow2_l1_entries_for(s->cluster_bits, size);
        if (need > QCOW2_MAX_L1_BYTES / 8) {
            error_setg(errp, "The new size is too large for this cluster "
                       "size");
            return -EFBIG;
        }
        ret = qcow2_grow_l1_table(bs, need);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to grow the L1 table");
            return ret;
        }
        if (qcow2_offset_into_cluster(s, old)) {
            /* Bytes past the old end read as zeroes from now on. */
            uint64_t end = MIN((uint64_t)size,
                               ROUND_UP(old, (uint64_t)s->cluster_size));
            g_autofree void *zero = g_malloc0(end - old);
            IOVector v;
            uint64_t saved = s->disk_size;
            iovec_init_buf(&v, zero, end - old);
            s->disk_size = size;
            ret = qcow2_co_pwritev(bs, old, end - old, &v, 0);
            s->disk_size = saved;
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Failed to zero the old tail");
                return ret;
            }
        }
        if (prealloc != PREALLOC_MODE_OFF) {
            uint64_t flen;
            ret = preallocate(bs, old, size, &flen);
            if (ret >= 0) {
                ret = qcow2_flush_metadata(bs);
            }
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Preallocation failed");
                return ret;
            }
            /* The file must cover every allocated cluster. */
            ret = bdrv_truncate(bs->file, flen, false,
                                prealloc == PREALLOC_MODE_METADATA
                                ? PREALLOC_MODE_OFF : prealloc, errp);
            if (ret < 0) {
                return ret;
            }
        }
    }
    ret = qcow2_flush_metadata(bs);
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to flush metadata");
        return ret;
    }
    s->disk_size = size;
    ret = qcow2_write_header_field(bs, 24, 8);
    if (ret >= 0) {
        s->need_sync = true;
        ret = qcow2_sync(bs);
    }
    if (ret < 0) {
        s->disk_size = old;
        error_setg_errno(errp, -ret, "Failed to update the image size");
    }
    return ret;
}
