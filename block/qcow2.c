/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qcow2 format driver: open/close, flush, the driver entry points
 * (each takes the node's lock), and image information.
 *
 * The dirty bit (incompatible feature bit 0) is only used with lazy
 * refcounts: refcount updates are then written lazily, the bit is set
 * before the first metadata change and cleared after a clean close, and
 * an image found dirty is repaired (check -r all) when opened for
 * writing. Without lazy refcounts (the default) the ordering in
 * qcow2-cache.c/qcow2-refcount.c keeps refcounts valid at all times.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/qcow2.h"
#include <stdarg.h>

#define QCOW2_DEFAULT_L2_CACHE     (1 * MiB)
#define QCOW2_MAX_DEFAULT_L2_CACHE (32 * MiB)
#define QCOW2_DEFAULT_RB_CACHE     (256 * KiB)


static int qcow2_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 8 && ldl_be_p(buf) == QCOW2_MAGIC &&
        ldl_be_p(buf + 4) >= 2) {
        return 100;
    }
    return 0;
}

int qcow2_sync(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!s->need_sync) {
        return 0;
    }
    ret = bdrv_flush(bs->file);
    if (ret >= 0) {
        s->need_sync = false;
    }
    return ret;
}

void qcow2_signal_corruption(BlockDriverState *bs, const char *fmt, ...)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (s->corrupt || (bs->open_flags & BDRV_O_CHECK)) {
        return;
    }
    s->corrupt = true;
    if (bdrv_is_quiet()) {
        /* no message */
    } else if (s->opened_rw && s->version >= 3) {
        warn_report("qcow2: Marking image '%s' as corrupt: %s; further "
                    "corruption events will be suppressed", bs->filename,
                    msg);
    } else {
        warn_report("qcow2: Image '%s' is corrupt: %s; further corruption "
                    "events will be suppressed", bs->filename, msg);
    }
    if (s->opened_rw && s->version >= 3) {
        s->incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
        if (qcow2_write_header_field(bs, 72, 8) >= 0) {
            bdrv_flush(bs->file);
        }
    }
}

int qcow2_mark_dirty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!s->lazy_refcounts || s->dirty_marked) {
        return 0;
    }
    s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
    ret = qcow2_write_header_field(bs, 72, 8);
    if (ret < 0) {
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    s->dirty_marked = true;
    return 0;
}

static int qcow2_mark_clean(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!(s->incompatible_features & QCOW2_INCOMPAT_DIRTY)) {
        return 0;
    }
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
    ret = qcow2_write_header_field(bs, 72, 8);
    if (ret >= 0) {
        s->need_sync = true;
        ret = qcow2_sync(bs);
        s->dirty_marked = false;
    }
    return ret;
}

/*
 * Everything cached to disk, in crash-safe order: refcount increments,
 * then (after a sync) L2 tables, then (after a sync) the deferred
 * refcount decrements.
 */
int qcow2_flush_metadata(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    ret = qcow2_cache_write(bs, s->refblock_cache);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_cache_write(bs, s->l2_cache);
    if (ret < 0) {
        return ret;
    }
    if (s->pending_frees->len) {
        ret = qcow2_sync(bs);
        if (ret < 0) {
            return ret;
        }
        ret = qcow2_apply_pending_frees(bs);
        if (ret < 0) {
            return ret;
        }
        ret = qcow2_cache_write(bs, s->refblock_cache);
    }
    return ret;
}

static uint64_t default_l2_cache(BDRVQcow2State *s)
{
    /* Enough to map the whole disk, at least 1 MiB, at most 32 MiB. */
    uint64_t tables = qcow2_l1_entries_for(s->cluster_bits, s->disk_size);
    uint64_t bytes = tables * s->cluster_size;

    return MIN(MAX(bytes, QCOW2_DEFAULT_L2_CACHE),
               QCOW2_MAX_DEFAULT_L2_CACHE);
}

static void qcow2_free_state(BDRVQcow2State *s)
{
    qcow2_cache_destroy(s->l2_cache);
    qcow2_cache_destroy(s->refblock_cache);
    s->l2_cache = s->refblock_cache = NULL;
    g_free(s->l1_table);
    g_free(s->refcount_table);
    g_free(s->cluster_cache);
    s->l1_table = s->refcount_table = NULL;
    s->cluster_cache = NULL;
    if (s->pending_frees) {
        g_array_free(s->pending_frees, true);
        s->pending_frees = NULL;
    }
    qcow2_free_header_state(s);
    qcow2_free_snapshots(s);
}

static int qcow2_open(BlockDriverState *bs, const char *filename,
                      GHashTable *options, int flags, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    bool check_mode = flags & BDRV_O_CHECK;
    uint64_t l2_cache, rb_cache, total_cache;
    bool have_l2 = g_hash_table_contains(options, "l2-cache-size");
    bool have_rb = g_hash_table_contains(options, "refcount-cache-size");
    bool have_total = g_hash_table_contains(options, "cache-size");
    bool lazy_opt_given = g_hash_table_contains(options, "lazy-refcounts");
    bool lazy_opt = false;
    static const char *const ignored[] = {
        "cache-clean-interval", "overlap-check", "pass-discard-request",
        "pass-discard-snapshot", "pass-discard-other",
    };
    int ret;

    g_mutex_init(&s->lock);
    g_rw_lock_init(&s->data_lock);
    if (!bdrv_opts_take_size(options, "l2-cache-size", 0, &l2_cache, errp) ||
        !bdrv_opts_take_size(options, "refcount-cache-size", 0, &rb_cache,
                             errp) ||
        !bdrv_opts_take_size(options, "cache-size", 0, &total_cache, errp) ||
        !bdrv_opts_take_bool(options, "lazy-refcounts", false, &lazy_opt,
                             errp)) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ignored); i++) {
        g_free(bdrv_opts_take(options, ignored[i]));
    }

    ret = qcow2_read_header(bs, check_mode, errp);
    if (ret < 0) {
        goto fail;
    }
    s->l1_table = g_try_new0(uint64_t, MAX(s->l1_size, 1));
    if (!s->l1_table) {
        error_setg(errp, "Could not allocate the L1 table");
        ret = -ENOMEM;
        goto fail;
    }
    if (s->l1_size) {
        ret = bdrv_pread(bs->file, s->l1_table_offset,
                         (uint64_t)s->l1_size * 8, s->l1_table);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read the L1 table");
            goto fail;
        }
        for (uint32_t i = 0; i < s->l1_size; i++) {
            s->l1_table[i] = GUINT64_FROM_BE(s->l1_table[i]);
        }
    }
    ret = qcow2_refcount_init(bs, errp);
    if (ret < 0) {
        goto fail;
    }

    /* Cache sizes: QEMU's options; cache-size splits 4:1 if alone. */
    if (have_total && !have_l2 && !have_rb) {
        l2_cache = total_cache / 5 * 4;
        rb_cache = total_cache - l2_cache;
    } else if (have_total && have_l2 && !have_rb) {
        rb_cache = total_cache > l2_cache ? total_cache - l2_cache : 0;
    } else if (have_total && !have_l2 && have_rb) {
        l2_cache = total_cache > rb_cache ? total_cache - rb_cache : 0;
    }
    if (!have_l2 && !have_total) {
        l2_cache = default_l2_cache(s);
    }
    if (!have_rb && !have_total) {
        rb_cache = QCOW2_DEFAULT_RB_CACHE;
    }
    s->l2_cache = qcow2_cache_create(bs, MIN(l2_cache >> s->cluster_bits,
                                             65536), s->cluster_size);
    s->refblock_cache = qcow2_cache_create(bs, MAX(MIN(rb_cache >>
                                                       s->cluster_bits,
                                                       65536), 4),
                                           s->cluster_size);

    s->lazy_refcounts = lazy_opt_given
                        ? lazy_opt
                        : (s->compatible_features &
                           QCOW2_COMPAT_LAZY_REFCOUNTS);
    if (s->lazy_refcounts && s->version < 3) {
        error_setg(errp, "Lazy refcounts require a qcow2 image with at least "
                   "qemu 1.1 compatibility level");
        ret = -EINVAL;
        goto fail;
    }
    if (!s->lazy_refcounts) {
        /* Refcounts reach the disk before the L2 entries using them. */
        qcow2_cache_set_dependency(s->l2_cache, s->refblock_cache);
    }

    ret = qcow2_read_snapshots(bs, check_mode ? NULL : errp);
    if (ret < 0 && !check_mode) {
        goto fail;
    }

    s->opened_rw = flags & BDRV_O_RDWR;
    if (s->opened_rw) {
        bool rewrite = false;
        if (s->autoclear_features) {
            /* We keep none of what autoclear bits vouch for. */
            s->autoclear_features = 0;
            rewrite = true;
        }
        if (rewrite) {
            ret = qcow2_update_header(bs);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not update qcow2 header");
                goto fail;
            }
        }
        if ((s->incompatible_features & QCOW2_INCOMPAT_DIRTY) &&
            !check_mode) {
            BdrvCheckResult res;
            memset(&res, 0, sizeof(res));
            ret = qcow2_check(bs, &res, BDRV_FIX_ERRORS | BDRV_FIX_LEAKS);
            if (ret < 0 || res.corruptions - res.corruptions_fixed > 0) {
                error_setg(errp, "Could not repair dirty image");
                ret = ret < 0 ? ret : -EIO;
                goto fail;
            }
            ret = qcow2_mark_clean(bs);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not update qcow2 header");
                goto fail;
            }
        }
    }
    bs->request_alignment = 1;
    return 0;

fail:
    qcow2_free_state(s);
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    bs->backing_file = bs->backing_format = NULL;
    g_mutex_clear(&s->lock);
    g_rw_lock_clear(&s->data_lock);
    return ret;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->opened_rw && !s->corrupt) {
        if (qcow2_flush_metadata(bs) >= 0 && s->dirty_marked) {
            qcow2_mark_clean(bs);
        }
        qcow2_sync(bs);
    }
    qcow2_free_state(s);
    g_mutex_clear(&s->lock);
    g_rw_lock_clear(&s->data_lock);
}

static int qcow2_flush(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = s->corrupt ? 0 : qcow2_flush_metadata(bs);
    g_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        IOVector *qiov, size_t qoff, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = qcow2_co_preadv(bs, offset, bytes, qiov, qoff);
    g_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         IOVector *qiov, size_t qoff, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = qcow2_co_pwritev(bs, offset, bytes, qiov, qoff);
    g_mutex_unlock(&s->lock);
    return ret;
}

/* Write zeroes over the partial clusters at the edges of a request. */
static int write_zero_bytes(BlockDriverState *bs, uint64_t offset,
                            uint64_t bytes)
{
    g_autofree void *zero = g_malloc0(bytes);
    IOVector v;

    iovec_init_buf(&v, zero, bytes);
    return qcow2_co_pwritev(bs, offset, bytes, &v, 0);
}

static int qcow2_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t head_end = MIN(ROUND_UP((uint64_t)offset, s->cluster_size), end);
    uint64_t tail_start = MAX(ROUND_DOWN(end, (uint64_t)s->cluster_size),
                              head_end);
    int ret = 0;

    /* The last cluster counts as whole when the disk ends inside it. */
    if (end == s->disk_size) {
        tail_start = MAX(ROUND_UP(end, (uint64_t)s->cluster_size), head_end);
    }
    if (s->version < 3 && bs->backing) {
        return -ENOTSUP;    /* no zero flag: block.c writes zeroes */
    }
    g_mutex_lock(&s->lock);
    if (head_end > (uint64_t)offset) {
        ret = write_zero_bytes(bs, offset, head_end - offset);
    }
    if (ret >= 0 && tail_start > head_end) {
        /* v2 has no zero flag; without a backing file, unallocated reads
         * as zeroes too. */
        ret = qcow2_zero_clusters(bs, head_end, tail_start - head_end,
                                  s->version < 3);
    }
    if (ret >= 0 && end > tail_start) {
        ret = write_zero_bytes(bs, tail_start, end - tail_start);
    }
    g_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_pdiscard(BlockDriverState *bs, int64_t offset,
                          int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = ROUND_UP((uint64_t)offset, s->cluster_size);
    uint64_t end = offset + bytes;
    int ret;

    end = end == s->disk_size ? ROUND_UP(end, (uint64_t)s->cluster_size)
                              : ROUND_DOWN(end, (uint64_t)s->cluster_size);
    if (end <= start) {
        return 0;
    }
    if (s->version < 3 && bs->backing_file) {
        return 0;   /* would expose the backing file's data */
    }
    g_mutex_lock(&s->lock);
    /* With a backing file, discarded clusters read as zeroes. */
    ret = qcow2_zero_clusters(bs, start, end - start, !bs->backing_file);
    g_mutex_unlock(&s->lock);
    return ret;
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->disk_size;
}

static int qcow2_block_status(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, int64_t *pnum, int64_t *map,
                              BlockDriverState **file)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t n = bytes, l2e;
    uint64_t in = qcow2_offset_into_cluster(s, offset);
    int t, ret = 0;

    g_mutex_lock(&s->lock);
    t = qcow2_get_host_range(bs, offset, &n, &l2e);
    g_mutex_unlock(&s->lock);
    if (t < 0) {
        return t;
    }
    *pnum = n;
    switch (t) {
    case QCOW2_CLUSTER_UNALLOCATED:
        ret = 0;
        break;
    case QCOW2_CLUSTER_ZERO_PLAIN:
        ret = BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
        break;
    case QCOW2_CLUSTER_ZERO_ALLOC:
        ret = BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED |
              BDRV_BLOCK_OFFSET_VALID;
        *map = (l2e & L2E_OFFSET_MASK) + in;
        *file = bs->file;
        break;
    case QCOW2_CLUSTER_NORMAL:
        ret = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED |
              BDRV_BLOCK_OFFSET_VALID;
        *map = (l2e & L2E_OFFSET_MASK) + in;
        *file = bs->file;
        break;
    case QCOW2_CLUSTER_COMPRESSED:
        ret = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
        break;
    }
    return ret;
}

static int qcow2_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BDRVQcow2State *s = bs->opaque;

    bdi->cluster_size = s->cluster_size;
    bdi->is_dirty = s->incompatible_features & QCOW2_INCOMPAT_DIRTY;
    return 0;
}

static const char *qcow2_get_specific_info(BlockDriverState *bs,
                                           GPtrArray *f)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->version == 2) {
        image_info_add_str(f, "compat", "compat", "0.10");
        image_info_add_str(f, "compression-type", "compression type", "zlib");
        image_info_add_int(f, "refcount-bits", "refcount bits",
                           s->refcount_bits);
    } else {
        image_info_add_str(f, "compat", "compat", "1.1");
        image_info_add_str(f, "compression-type", "compression type", "zlib");
        image_info_add_bool(f, "lazy-refcounts", "lazy refcounts",
                            s->compatible_features &
                            QCOW2_COMPAT_LAZY_REFCOUNTS);
        image_info_add_int(f, "refcount-bits", "refcount bits",
                           s->refcount_bits);
        image_info_add_bool(f, "corrupt", "corrupt",
                            s->incompatible_features &
                            QCOW2_INCOMPAT_CORRUPT);
        image_info_add_bool(f, "extended-l2", "extended l2", false);
    }
    return "qcow2";
}

static int qcow2_change_backing_file(BlockDriverState *bs, const char *file,
                                     const char *fmt, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    char *old_file = bs->backing_file, *old_fmt = bs->backing_format;
    int ret;

    if (file && strlen(file) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "Backing file name too long");
        return -EINVAL;
    }
    if (fmt && strlen(fmt) > 31) {
        error_setg(errp, "Backing format name too long");
        return -EINVAL;
    }
    g_mutex_lock(&s->lock);
    bs->backing_file = file && *file ? (char *)file : NULL;
    bs->backing_format = fmt && *fmt && bs->backing_file ? (char *)fmt : NULL;
    ret = qcow2_update_header(bs);
    if (ret >= 0) {
        s->need_sync = true;
        ret = qcow2_sync(bs);
    }
    bs->backing_file = old_file;
    bs->backing_format = old_fmt;
    g_mutex_unlock(&s->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not change the backing file");
    }
    return ret;
}

static int qcow2_make_empty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = qcow2_zero_clusters(bs, 0, ROUND_UP(s->disk_size,
                                              (uint64_t)s->cluster_size),
                              true);
    if (ret >= 0) {
        ret = qcow2_flush_metadata(bs);
    }
    g_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_check_entry(BlockDriverState *bs, BdrvCheckResult *res,
                             int fix)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = qcow2_check(bs, res, fix);
    g_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_truncate_entry(BlockDriverState *bs, int64_t size,
                                bool exact, PreallocMode prealloc,
                                GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    g_mutex_lock(&s->lock);
    ret = qcow2_truncate(bs, size, exact, prealloc, errp);
    g_mutex_unlock(&s->lock);
    return ret;
}

BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .preadv = qcow2_preadv,
    .pwritev = qcow2_pwritev,
    .pwritev_compressed = qcow2_co_pwritev_compressed,
    .pwrite_zeroes = qcow2_pwrite_zeroes,
    .pdiscard = qcow2_pdiscard,
    .flush = qcow2_flush,
    .getlength = qcow2_getlength,
    .truncate = qcow2_truncate_entry,
    .block_status = qcow2_block_status,
    .get_info = qcow2_get_info,
    .get_specific_info = qcow2_get_specific_info,
    .check = qcow2_check_entry,
    .change_backing_file = qcow2_change_backing_file,
    .make_empty = qcow2_make_empty,
    .snapshot_list = qcow2_snapshot_list,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_goto = qcow2_snapshot_goto,
    .create_opts = qcow2_create_opts,
    .create = qcow2_create,
};
