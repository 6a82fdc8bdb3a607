/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 consistency check and repair.
 *
 * The check counts, for every host cluster, the references the
 * metadata makes to it (header, L1/L2 tables of the active state and of
 * every snapshot, data and compressed clusters, refcount table and
 * blocks, snapshot table), and compares that with the stored refcounts:
 * stored < references is corruption (the cluster could be handed out
 * again), stored > references is a leak. Then the QCOW_OFLAG_COPIED
 * flags of the active tables are compared with refcount == 1.
 *
 * The image is hostile input here: every table is read with bounds
 * checks, each distinct L2 table is read once (its references are
 * counted as many times as L1 entries point at it), and memory is
 * proportional to the file's size in clusters.
 *
 * Repair: leaks and too-high/too-low refcounts are set in place; a
 * refcount structure that cannot describe a referenced cluster (no
 * refcount block, broken table entry, refcount 0 for a used cluster) is
 * rebuilt from scratch at the end of the file and the header switched to
 * it. Messages follow qemu-img's wording and go to stderr.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/qcow2.h"

static FILE *check_out;

void bdrv_check_set_output(FILE *f)
{
    check_out = f;
}

static FILE *out(void)
{
    return check_out ? check_out : stderr;
}

typedef struct Range {
    uint64_t off, len;
} Range;

typedef struct CheckState {
    BlockDriverState *bs;
    BDRVQcow2State *s;
    BdrvCheckResult *res;
    int fix;
    uint64_t nb_clusters;       /* file size in clusters */
    int64_t file_len;
    uint32_t *counts;           /* references per cluster (saturating) */
    GHashTable *l2_mult;        /* L2 offset -> number of L1 references */
    GHashTable *active_l2;      /* L2 offsets used by the active L1 */
    GArray *rc_structs;         /* Range: refcount table and blocks */
    bool rebuild;
    /* one refcount block read straight from the disk */
    uint8_t *rb_buf;
    uint64_t rb_buf_off;
} CheckState;

static void inc_refs(CheckState *c, uint64_t off, uint64_t len, uint32_t n)
{
    BDRVQcow2State *s = c->s;
    uint64_t first, last;

    if (!len || !n) {
        return;
    }
    first = off >> s->cluster_bits;
    last = (off + len - 1) >> s->cluster_bits;
    if (off + len < off || last >= c->nb_clusters) {
        fprintf(out(), "ERROR: counting reference for region exceeding the "
                "end of the file by one cluster or more: offset 0x%" PRIx64
                " size 0x%" PRIx64 "\n", off, len);
        c->res->corruptions++;
        if (off + len < off) {
            return;
        }
        last = MIN(last, c->nb_clusters - 1);
        if (first > last) {
            return;
        }
    }
    for (uint64_t i = first; i <= last; i++) {
        uint64_t v = (uint64_t)c->counts[i] + n;
        c->counts[i] = MIN(v, (uint64_t)UINT32_MAX);
    }
}

/* Stored refcount, read from the disk (not the cache). */
static int disk_refcount(CheckState *c, uint64_t cluster, uint64_t *rc)
{
    BDRVQcow2State *s = c->s;
    uint64_t t = cluster >> s->refblock_bits;
    uint64_t e;
    int ret;

    *rc = 0;
    if (t >= s->refcount_table_size) {
        return 0;
    }
    e = s->refcount_table[t];
    if (!(e & REFT_OFFSET_MASK) || (e & (s->cluster_size - 1)) ||
        (e >> s->cluster_bits) >= c->nb_clusters) {
        return 0;
    }
    if (c->rb_buf_off != e) {
        ret = bdrv_pread(c->bs->file, e, s->cluster_size, c->rb_buf);
        if (ret < 0) {
            c->rb_buf_off = 0;
            return ret;
        }
        c->rb_buf_off = e;
    }
    *rc = qcow2_get_refcount_ro(s, c->rb_buf,
                                cluster & (s->refblock_size - 1));
    return 0;
}

/* Count one L1 table's references; remember its L2 tables. */
static int check_l1(CheckState *c, uint64_t l1_off, uint32_t l1_size,
                    bool active)
{
    BDRVQcow2State *s = c->s;
    g_autofree uint64_t *l1 = NULL;
    uint64_t bytes = (uint64_t)l1_size * 8;
    int ret;

    if (!l1_size) {
        return 0;
    }
    inc_refs(c, l1_off, bytes, 1);
    if (active) {
        l1 = g_memdup2(s->l1_table, bytes);
    } else {
        if (l1_off + bytes > (uint64_t)c->file_len) {
            return 0;   /* reported by inc_refs */
        }
        l1 = g_malloc(bytes);
        ret = bdrv_pread(c->bs->file, l1_off, bytes, l1);
        if (ret < 0) {
            c->res->check_errors++;
            return ret;
        }
        for (uint32_t i = 0; i < l1_size; i++) {
            l1[i] = GUINT64_FROM_BE(l1[i]);
        }
    }
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & L1E_OFFSET_MASK;
        gpointer k;

        if (!l2_off) {
            continue;
        }
        if (qcow2_offset_into_cluster(s, l2_off)) {
            fprintf(out(), "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            c->res->corruptions++;
            continue;
        }
        inc_refs(c, l2_off, s->cluster_size, 1);
        if ((l2_off >> s->cluster_bits) >= c->nb_clusters) {
            continue;
        }
        k = GSIZE_TO_POINTER(l2_off);
        g_hash_table_insert(c->l2_mult, k, GUINT_TO_POINTER(
            GPOINTER_TO_UINT(g_hash_table_lookup(c->l2_mult, k)) + 1));
        if (active) {
            g_hash_table_add(c->active_l2, k);
        }
    }
    return 0;
}

/* Count the references of one L2 table, mult times. */
static int check_l2(CheckState *c, uint64_t l2_off, uint32_t mult,
                    uint64_t *l2)
{
    BDRVQcow2State *s = c->s;
    bool active = g_hash_table_contains(c->active_l2,
                                        GSIZE_TO_POINTER(l2_off));
    bool dirty = false;
    uint64_t next_contig = 0;
    int ret;

    ret = bdrv_pread(c->bs->file, l2_off, s->cluster_size, l2);
    if (ret < 0) {
        fprintf(out(), "ERROR: I/O error in check_refcounts_l2\n");
        c->res->check_errors++;
        return ret;
    }
    for (uint32_t i = 0; i < s->l2_size; i++) {
        uint64_t e = GUINT64_FROM_BE(l2[i]);
        uint64_t off, len;

        switch (qcow2_get_cluster_type(s, e)) {
        case QCOW2_CLUSTER_COMPRESSED:
            if (s->version >= 3 && (e & QCOW_OFLAG_COPIED)) {
                fprintf(out(), "ERROR: coffset=0x%" PRIx64 ": Compressed "
                        "cluster has the copied flag set\n",
                        e & s->coffset_mask);
                c->res->corruptions++;
            }
            qcow2_parse_compressed(s, e, &off, &len);
            inc_refs(c, off, len, mult);
            if (active) {
                c->res->allocated_clusters++;
                c->res->compressed_clusters++;
                c->res->fragmented_clusters++;
                next_contig = 0;
            }
            break;
        case QCOW2_CLUSTER_NORMAL:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            off = e & L2E_OFFSET_MASK;
            if (qcow2_offset_into_cluster(s, off)) {
                fprintf(out(), "ERROR offset=%" PRIx64 ": Data cluster is "
                        "not properly aligned; L2 entry corrupted.\n", off);
                c->res->corruptions++;
                if (active && (c->fix & BDRV_FIX_ERRORS)) {
                    /* Nothing sane is there: make it read as zeroes. */
                    l2[i] = GUINT64_TO_BE(s->version >= 3 ? QCOW_OFLAG_ZERO
                                                           : 0);
                    dirty = true;
                    c->res->corruptions_fixed++;
                    fprintf(out(), "Repairing: L2 entry %u now reads as "
                            "zeroes\n", i);
                    break;
                }
                /* Counted anyway, over the clusters it touches. */
            }
            inc_refs(c, off, s->cluster_size, mult);
            if (active) {
                c->res->allocated_clusters++;
                if (next_contig && off != next_contig) {
                    c->res->fragmented_clusters++;
                }
                next_contig = off + s->cluster_size;
            }
            break;
        default:
            break;
        }
    }
    if (dirty) {
        ret = bdrv_pwrite(c->bs->file, l2_off, s->cluster_size, l2);
        if (ret < 0) {
            c->res->check_errors++;
            return ret;
        }
        qcow2_cache_discard(s->l2_cache, l2_off);
    }
    return 0;
}

static void count_rc_struct(CheckState *c, uint64_t off, uint64_t len)
{
    Range r = { off, len };

    inc_refs(c, off, len, 1);
    g_array_append_val(c->rc_structs, r);
}

static void check_refcount_table(CheckState *c)
{
    BDRVQcow2State *s = c->s;

    count_rc_struct(c, s->refcount_table_offset,
                    (uint64_t)s->refcount_table_clusters << s->cluster_bits);
    for (uint32_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t e = s->refcount_table[i];
        uint64_t off = e & REFT_OFFSET_MASK;

        if (qcow2_offset_into_cluster(s, e)) {
            fprintf(out(), "ERROR refcount block %u is not cluster aligned; "
                    "refcount table entry corrupted\n", i);
            c->res->corruptions++;
            c->rebuild = true;
            continue;
        }
        if (!off) {
            continue;
        }
        if ((off >> s->cluster_bits) >= c->nb_clusters) {
            fprintf(out(), "ERROR refcount block %u is outside image\n", i);
            c->res->corruptions++;
            c->rebuild = true;
            continue;
        }
        count_rc_struct(c, off, s->cluster_size);
    }
}

/*
 * Write a new refcount structure holding c->counts (minus the old
 * structure) at the end of the file, and switch the header to it.
 */
static int rebuild_refcounts(CheckState *c)
{
    BDRVQcow2State *s = c->s;
    BlockDriverState *bs = c->bs;
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t E = c->nb_clusters, highest = 0, nb = 1, tc = 1, entries;
    g_autofree uint64_t *table = NULL;
    g_autofree uint8_t *block = NULL;
    int ret;

    fprintf(out(), "Rebuilding refcount structure\n");
    /* The old structure is not referenced by the new one. */
    for (unsigned i = 0; i < c->rc_structs->len; i++) {
        Range *r = &g_array_index(c->rc_structs, Range, i);
        uint64_t f = r->off >> s->cluster_bits;
        uint64_t l = (r->off + r->len - 1) >> s->cluster_bits;
        for (uint64_t k = f; k <= l && k < c->nb_clusters; k++) {
            if (c->counts[k]) {
                c->counts[k]--;
            }
        }
    }
    for (uint64_t i = 0; i < c->nb_clusters; i++) {
        if (c->counts[i]) {
            highest = i;
        }
    }
    for (int iter = 0; iter < 64; iter++) {
        uint64_t last = MAX(highest, E + nb + tc - 1);
        uint64_t nb2 = (last >> s->refblock_bits) + 1;
        uint64_t tc2 = MAX(DIV_ROUND_UP(nb2, per_cluster), 1);
        if (nb2 == nb && tc2 == tc) {
            break;
        }
        nb = nb2;
        tc = tc2;
    }
    if (tc * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES) {
        return -EFBIG;
    }
    entries = tc * per_cluster;
    block = g_malloc(s->cluster_size);
    table = g_malloc0(tc * s->cluster_size);
    for (uint64_t j = 0; j < nb; j++) {
        uint64_t base = j << s->refblock_bits;
        memset(block, 0, s->cluster_size);
        for (uint64_t k = 0; k < s->refblock_size; k++) {
            uint64_t cl = base + k;
            uint64_t v = cl < c->nb_clusters ? c->counts[cl] : 0;
            if (cl >= E && cl < E + nb + tc) {
                v = 1;
            }
            qcow2_set_refcount_ro(s, block, k, MIN(v, s->refcount_max));
        }
        ret = bdrv_pwrite(bs->file, (E + j) << s->cluster_bits,
                          s->cluster_size, block);
        if (ret < 0) {
            return ret;
        }
        table[j] = GUINT64_TO_BE((E + j) << s->cluster_bits);
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
    s->refcount_table_offset = (E + nb) << s->cluster_bits;
    s->refcount_table_clusters = tc;
    ret = qcow2_write_header_field(bs, 48, 12);
    if (ret < 0) {
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
    qcow2_cache_empty(s->refblock_cache);
    s->free_cluster_index = 0;
    s->free_byte_offset = 0;
    c->rb_buf_off = 0;
    /* The file now ends with the new structure. */
    c->nb_clusters = MAX(c->nb_clusters, E + nb + tc);
    g_free(c->counts);
    c->counts = g_new0(uint32_t, c->nb_clusters);
    return 0;
}

/* Compare stored and counted refcounts; fix what fix allows. */
static int compare_refcounts(CheckState *c, int fix, uint64_t *highest)
{
    BDRVQcow2State *s = c->s;
    bool fixed_any = false;
    int ret;

    *highest = 0;
    for (uint64_t i = 0; i < c->nb_clusters; i++) {
        uint64_t rc, ref = c->counts[i];
        bool do_fix;

        ret = disk_refcount(c, i, &rc);
        if (ret < 0) {
            fprintf(out(), "Can't get refcount for cluster %" PRIu64 ": %s\n",
                    i, g_strerror(-ret));
            c->res->check_errors++;
            continue;
        }
        if (rc || ref) {
            *highest = i;
        }
        if (rc == ref) {
            continue;
        }
        if (rc == 0 && ref > 0) {
            /* Could be handed out again: only a rebuild is safe. */
            c->rebuild = true;
        }
        do_fix = !c->rebuild &&
                 (fix & (rc < ref ? BDRV_FIX_ERRORS : BDRV_FIX_LEAKS)) &&
                 ref <= s->refcount_max;
        fprintf(out(), "%s cluster %" PRIu64 " refcount=%" PRIu64
                " reference=%" PRIu64 "\n",
                do_fix ? "Repairing" : rc < ref ? "ERROR" : "Leaked",
                i, rc, ref);
        if (do_fix) {
            uint64_t t = i >> s->refblock_bits;
            void *block;
            ret = qcow2_cache_get(c->bs, s->refblock_cache,
                                  s->refcount_table[t] & REFT_OFFSET_MASK,
                                  &block);
            if (ret < 0) {
                c->res->check_errors++;
                continue;
            }
            qcow2_set_refcount_ro(s, block, i & (s->refblock_size - 1), ref);
            qcow2_cache_mark_dirty(s->refblock_cache, block);
            qcow2_cache_put(s->refblock_cache, &block);
            fixed_any = true;
            if (rc < ref) {
                c->res->corruptions_fixed++;
            } else {
                c->res->leaks_fixed++;
            }
            if (ref == 0 && i < s->free_cluster_index) {
                s->free_cluster_index = i;
            }
        }
        if (rc < ref) {
            c->res->corruptions++;
        } else {
            c->res->leaks++;
        }
    }
    if (fixed_any) {
        ret = qcow2_cache_write(c->bs, s->refblock_cache);
        if (ret < 0) {
            return ret;
        }
        s->need_sync = true;
        ret = qcow2_sync(c->bs);
        c->rb_buf_off = 0;
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* QCOW_OFLAG_COPIED must be set exactly where the refcount is 1. */
static int check_oflag_copied(CheckState *c, int fix)
{
    BDRVQcow2State *s = c->s;
    g_autofree uint64_t *l2 = g_malloc(s->cluster_size);
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    bool l1_dirty = false;
    int ret;

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l1e = s->l1_table[i];
        uint64_t l2_off = l1e & L1E_OFFSET_MASK;
        uint64_t rc;
        bool l2_dirty = false;

        if (!l2_off || qcow2_offset_into_cluster(s, l2_off) ||
            (l2_off >> s->cluster_bits) >= c->nb_clusters) {
            continue;
        }
        ret = disk_refcount(c, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            c->res->check_errors++;
            continue;
        }
        if ((rc == 1) != !!(l1e & QCOW_OFLAG_COPIED)) {
            fprintf(out(), "%s OFLAG_COPIED L2 cluster: l1_index=%u "
                    "l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                    (fix & BDRV_FIX_ERRORS) ? "Repairing" : "ERROR",
                    i, l1e, rc);
            c->res->corruptions++;
            if (fix & BDRV_FIX_ERRORS) {
                s->l1_table[i] = rc == 1 ? l1e | QCOW_OFLAG_COPIED
                                         : l1e & ~QCOW_OFLAG_COPIED;
                l1_dirty = true;
                c->res->corruptions_fixed++;
            }
        }
        if (!g_hash_table_add(seen, GSIZE_TO_POINTER(l2_off))) {
            continue;
        }
        ret = qcow2_cache_write_one(c->bs, s->l2_cache, l2_off);
        if (ret >= 0) {
            ret = bdrv_pread(c->bs->file, l2_off, s->cluster_size, l2);
        }
        if (ret < 0) {
            c->res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = GUINT64_FROM_BE(l2[j]);
            Qcow2ClusterType t = qcow2_get_cluster_type(s, e);
            uint64_t off = e & L2E_OFFSET_MASK;

            if ((t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC) ||
                qcow2_offset_into_cluster(s, off) ||
                (off >> s->cluster_bits) >= c->nb_clusters) {
                continue;
            }
            ret = disk_refcount(c, off >> s->cluster_bits, &rc);
            if (ret < 0) {
                c->res->check_errors++;
                continue;
            }
            if ((rc == 1) != !!(e & QCOW_OFLAG_COPIED)) {
                fprintf(out(), "%s OFLAG_COPIED data cluster: l2_entry=%"
                        PRIx64 " refcount=%" PRIu64 "\n",
                        (fix & BDRV_FIX_ERRORS) ? "Repairing" : "ERROR",
                        e, rc);
                c->res->corruptions++;
                if (fix & BDRV_FIX_ERRORS) {
                    e = rc == 1 ? e | QCOW_OFLAG_COPIED
                                : e & ~QCOW_OFLAG_COPIED;
                    l2[j] = GUINT64_TO_BE(e);
                    l2_dirty = true;
                    c->res->corruptions_fixed++;
                }
            }
        }
        if (l2_dirty) {
            qcow2_cache_discard(s->l2_cache, l2_off);
            ret = bdrv_pwrite(c->bs->file, l2_off, s->cluster_size, l2);
            if (ret < 0) {
                c->res->check_errors++;
            }
            s->need_sync = true;
        }
    }
    if (l1_dirty) {
        for (uint32_t i = 0; i < s->l1_size; i += 64) {
            ret = qcow2_write_l1_entry(c->bs, i);
            if (ret < 0) {
                c->res->check_errors++;
                return ret;
            }
        }
    }
    return qcow2_sync(c->bs);
}

static void check_state_free(CheckState *c)
{
    g_free(c->counts);
    g_free(c->rb_buf);
    if (c->l2_mult) {
        g_hash_table_destroy(c->l2_mult);
    }
    if (c->active_l2) {
        g_hash_table_destroy(c->active_l2);
    }
    if (c->rc_structs) {
        g_array_free(c->rc_structs, true);
    }
}

/* Count every reference in the image into c->counts. */
static int count_references(CheckState *c)
{
    BDRVQcow2State *s = c->s;
    g_autofree uint64_t *l2 = g_malloc(s->cluster_size);
    g_autoptr(GHashTable) l1_seen = g_hash_table_new(NULL, NULL);
    GHashTableIter it;
    gpointer k, v;
    int ret;

    memset(c->counts, 0, c->nb_clusters * sizeof(uint32_t));
    g_hash_table_remove_all(c->l2_mult);
    g_hash_table_remove_all(c->active_l2);
    g_array_set_size(c->rc_structs, 0);
    memset(c->res, 0, sizeof(*c->res));
    c->rebuild = false;

    inc_refs(c, 0, s->cluster_size, 1);     /* header */
    ret = check_l1(c, s->l1_table_offset, s->l1_size, true);
    if (ret < 0) {
        return ret;
    }
    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        bool again = false;
        if (qcow2_offset_into_cluster(s, sn->l1_table_offset) ||
            sn->l1_size > QCOW2_MAX_L1_BYTES / 8) {
            fprintf(out(), "ERROR snapshot %s (%s) l1_offset=%#" PRIx64
                    ": L1 table is not cluster aligned; snapshot table "
                    "entry corrupted\n", sn->id_str, sn->name,
                    sn->l1_table_offset);
            c->res->corruptions++;
            continue;
        }
        /*
         * Snapshots sharing one L1 table (only a hostile image does
         * that) are scanned once: the work stays bounded by the file.
         */
        again = sn->l1_size &&
                !g_hash_table_add(l1_seen,
                                  GSIZE_TO_POINTER(sn->l1_table_offset));
        if (again) {
            fprintf(out(), "ERROR snapshot %s shares its L1 table with "
                    "another snapshot\n", sn->id_str);
            c->res->corruptions++;
            continue;
        }
        ret = check_l1(c, sn->l1_table_offset, sn->l1_size, false);
        if (ret < 0) {
            return ret;
        }
    }
    g_hash_table_iter_init(&it, c->l2_mult);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        ret = check_l2(c, GPOINTER_TO_SIZE(k), GPOINTER_TO_UINT(v), l2);
        if (ret < 0) {
            return ret;
        }
    }
    if (s->nb_snapshots) {
        inc_refs(c, s->snapshots_offset, qcow2_snapshot_table_size(s), 1);
    }
    check_refcount_table(c);
    c->res->total_clusters = qcow2_size_to_clusters(s, s->disk_size);
    return 0;
}

int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, int fix)
{
    BDRVQcow2State *s = bs->opaque;
    CheckState c = { .bs = bs, .s = s, .res = res, .fix = fix };
    BdrvCheckResult first;
    uint64_t highest;
    int ret;

    c.file_len = bdrv_getlength(bs->file);
    if (c.file_len < 0) {
        res->check_errors++;
        return c.file_len;
    }
    if (s->opened_rw && !s->corrupt) {
        /* The disk must show what the caches hold. */
        ret = qcow2_flush_metadata(bs);
        if (ret < 0) {
            res->check_errors++;
            return ret;
        }
    }
    c.nb_clusters = qcow2_size_to_clusters(s, c.file_len);
    if (c.nb_clusters > (512 * MiB) / sizeof(uint32_t)) {
        fprintf(out(), "ERROR: image file too large to check (%" PRIu64
                " clusters)\n", c.nb_clusters);
        res->check_errors++;
        return -EFBIG;
    }
    c.counts = g_try_new0(uint32_t, MAX(c.nb_clusters, 1));
    if (!c.counts) {
        res->check_errors++;
        return -ENOMEM;
    }
    c.rb_buf = g_malloc(s->cluster_size);
    c.l2_mult = g_hash_table_new(NULL, NULL);
    c.active_l2 = g_hash_table_new(NULL, NULL);
    c.rc_structs = g_array_new(false, false, sizeof(Range));

    ret = count_references(&c);
    if (ret < 0) {
        goto done;
    }
    /* First pass reports; a second one repairs. */
    ret = compare_refcounts(&c, 0, &highest);
    if (ret < 0) {
        goto done;
    }
    if (fix && c.rebuild) {
        if (!(fix & BDRV_FIX_ERRORS)) {
            fprintf(out(), "ERROR need to rebuild refcount structures\n");
            res->check_errors++;
            ret = -EIO;
            goto done;
        }
        first = *res;
        ret = rebuild_refcounts(&c);
        if (ret < 0) {
            res->check_errors++;
            goto done;
        }
        ret = count_references(&c);
        if (ret < 0) {
            goto done;
        }
        ret = compare_refcounts(&c, fix, &highest);
        if (ret < 0) {
            goto done;
        }
        /* Report what the first pass found, as fixed by the rebuild. */
        res->corruptions_fixed += first.corruptions - res->corruptions;
        res->leaks_fixed += first.leaks - res->leaks;
        res->corruptions = first.corruptions;
        res->leaks = first.leaks;
    } else if (fix) {
        ret = count_references(&c);
        if (ret < 0) {
            goto done;
        }
        ret = compare_refcounts(&c, fix, &highest);
        if (ret < 0) {
            goto done;
        }
    }
    ret = check_oflag_copied(&c, fix);
    res->image_end_offset = (int64_t)(highest + 1) << s->cluster_bits;
    if (fix && res->corruptions == res->corruptions_fixed &&
        res->leaks == res->leaks_fixed && !res->check_errors) {
        /* Consistent again. */
        bool was = s->incompatible_features & (QCOW2_INCOMPAT_CORRUPT |
                                               QCOW2_INCOMPAT_DIRTY);
        if (was && (fix & BDRV_FIX_ERRORS)) {
            s->incompatible_features &= ~(QCOW2_INCOMPAT_CORRUPT |
                                          QCOW2_INCOMPAT_DIRTY);
            s->corrupt = false;
            s->dirty_marked = false;
            if (qcow2_write_header_field(bs, 72, 8) >= 0) {
                s->need_sync = true;
                qcow2_sync(bs);
            }
        }
    }
done:
    check_state_free(&c);
    return ret < 0 ? ret : 0;
}
