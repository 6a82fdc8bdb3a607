/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 internals, shared by the qcow2*.c files.
 *
 * The on-disk format is QEMU's qcow2 specification (docs/interop/
 * qcow2.txt): big-endian header, two-level L1/L2 cluster tables, a
 * two-level refcount table/refcount blocks, optional backing file.
 * Section names below ("spec: ...") refer to that document.
 *
 * Locking: BDRVQcow2State.lock is held for every metadata operation;
 * data I/O to allocated clusters runs without it, under data_lock (see
 * below), so requests on one node overlap where they touch only data.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block_int.h"

#define QCOW2_MAGIC 0x514649fbu     /* "QFI\xfb" */

#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_HEADER_V2_LEN 72
#define QCOW2_HEADER_V3_LEN 104     /* without the compression type byte */

/* Limits that keep a hostile image from making us allocate without end. */
#define QCOW2_MAX_L1_BYTES        (32 * MiB)
#define QCOW2_MAX_REFTABLE_BYTES  (8 * MiB)
#define QCOW2_MAX_SNAPSHOTS       65536
#define QCOW2_MAX_SNAPSHOT_TABLE  (64 * MiB)
#define QCOW2_MAX_SNAPSHOT_EXTRA  1024
#define QCOW2_MAX_BACKING_NAME    1023

/* spec: "Header": incompatible feature bits */
#define QCOW2_INCOMPAT_DIRTY      (UINT64_C(1) << 0)
#define QCOW2_INCOMPAT_CORRUPT    (UINT64_C(1) << 1)
#define QCOW2_INCOMPAT_DATA_FILE  (UINT64_C(1) << 2)
#define QCOW2_INCOMPAT_COMPRESSION (UINT64_C(1) << 3)
#define QCOW2_INCOMPAT_EXTL2      (UINT64_C(1) << 4)
#define QCOW2_INCOMPAT_SUPPORTED  (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)
/* compatible */
#define QCOW2_COMPAT_LAZY_REFCOUNTS (UINT64_C(1) << 0)
/* autoclear */
#define QCOW2_AUTOCLEAR_BITMAPS   (UINT64_C(1) << 0)
#define QCOW2_AUTOCLEAR_DATA_RAW  (UINT64_C(1) << 1)

/* spec: "Header extensions" */
#define QCOW2_EXT_END             0x00000000u
#define QCOW2_EXT_BACKING_FORMAT  0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE   0x6803f857u
#define QCOW2_EXT_BITMAPS         0x23852875u
#define QCOW2_EXT_CRYPTO          0x0537be77u
#define QCOW2_EXT_DATA_FILE       0x44415441u

/* spec: "Cluster mapping" */
#define L1E_OFFSET_MASK   UINT64_C(0x00fffffffffffe00)
#define L1E_RESERVED_MASK UINT64_C(0x7f000000000001ff)
#define L2E_OFFSET_MASK   UINT64_C(0x00fffffffffffe00)
#define L2E_STD_RESERVED  UINT64_C(0x3f000000000001fe)
#define QCOW_OFLAG_COPIED     (UINT64_C(1) << 63)
#define QCOW_OFLAG_COMPRESSED (UINT64_C(1) << 62)
#define QCOW_OFLAG_ZERO       (UINT64_C(1) << 0)
#define REFT_OFFSET_MASK  UINT64_C(0xfffffffffffffe00)

typedef enum Qcow2ClusterType {
    QCOW2_CLUSTER_UNALLOCATED,
    QCOW2_CLUSTER_ZERO_PLAIN,   /* zero flag, no host cluster */
    QCOW2_CLUSTER_ZERO_ALLOC,   /* zero flag, host cluster preallocated */
    QCOW2_CLUSTER_NORMAL,
    QCOW2_CLUSTER_COMPRESSED,
} Qcow2ClusterType;

typedef struct Qcow2UnknownExt {
    uint32_t type;
    uint32_t len;
    uint8_t *data;
} Qcow2UnknownExt;

typedef struct Qcow2Feature {
    uint8_t type;           /* 0 incompatible, 1 compatible, 2 autoclear */
    uint8_t bit;
    char name[47];
} Qcow2Feature;

typedef struct Qcow2Snapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;     /* the 64-bit one if present */
    uint32_t extra_data_size;
    uint8_t *extra_data;        /* preserved as read */
    uint64_t disk_size;
    uint64_t icount;            /* UINT64_MAX: not recorded */
} Qcow2Snapshot;

typedef struct Qcow2Cache Qcow2Cache;

/* A cluster range whose refcount drops once the L2 updates are on disk. */
typedef struct Qcow2PendingFree {
    uint64_t offset;
    uint64_t bytes;
} Qcow2PendingFree;

typedef struct BDRVQcow2State {
    GMutex lock;
    /*
     * Held shared by data reads and in-place data writes, which run with
     * 'lock' released; held exclusive (with 'lock') while deferred frees
     * are applied, so a cluster is never freed and reused under an
     * in-flight data request. Never take 'lock' while holding this.
     */
    GRWLock data_lock;

    /* header, host order */
    uint32_t version;
    uint32_t header_length;
    int cluster_bits;
    uint32_t cluster_size;
    uint64_t disk_size;
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    int refcount_order;
    int compression_type;
    uint64_t snapshots_offset;
    uint32_t nb_snapshots;
    uint64_t backing_file_offset;
    uint32_t backing_file_size;

    /* derived geometry */
    int l2_bits;                /* log2(entries per L2 table) */
    uint32_t l2_size;           /* entries per L2 table */
    int refcount_bits;
    uint64_t refcount_max;
    int refblock_bits;          /* log2(entries per refcount block) */
    uint32_t refblock_size;
    int csize_shift;            /* compressed descriptor (spec) */
    uint64_t csize_mask;
    uint64_t coffset_mask;

    /* L1 table, host order, always in memory */
    uint64_t l1_table_offset;
    uint32_t l1_size;
    uint64_t *l1_table;

    /* refcount table, host order, always in memory */
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t refcount_table_size;   /* entries */
    uint64_t *refcount_table;

    Qcow2Cache *l2_cache;
    Qcow2Cache *refblock_cache;

    /* header extensions kept for rewriting */
    GPtrArray *unknown_exts;    /* Qcow2UnknownExt * */
    GArray *features;           /* Qcow2Feature, from the feature table */
    bool has_bitmaps_ext;

    Qcow2Snapshot *snapshots;

    /* allocation */
    uint64_t free_cluster_index;    /* no free cluster below this */
    uint64_t free_byte_offset;      /* compressed packing; 0 = none */
    GArray *pending_frees;          /* Qcow2PendingFree */

    /* one decompressed cluster, for reads smaller than a cluster */
    uint8_t *cluster_cache;
    uint64_t cluster_cache_offset;  /* L2 entry that filled it; 0 = none */

    bool need_sync;                 /* data written since the last sync */
    bool lazy_refcounts;
    bool dirty_marked;              /* we set the dirty bit on disk */
    bool corrupt;                   /* found inconsistent: no more writes */
    bool opened_rw;
} BDRVQcow2State;

/* qcow2.c */
int qcow2_sync(BlockDriverState *bs);
int qcow2_flush_metadata(BlockDriverState *bs);
void qcow2_signal_corruption(BlockDriverState *bs, const char *fmt, ...)
    EMBER_PRINTF(2, 3);
int qcow2_mark_dirty(BlockDriverState *bs);

static inline uint64_t qcow2_offset_into_cluster(BDRVQcow2State *s,
                                                 uint64_t off)
{
    return off & (s->cluster_size - 1);
}

static inline uint64_t qcow2_start_of_cluster(BDRVQcow2State *s,
                                              uint64_t off)
{
    return off & ~(uint64_t)(s->cluster_size - 1);
}

static inline uint64_t qcow2_size_to_clusters(BDRVQcow2State *s,
                                              uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

/* L1 entries needed for a virtual size. */
static inline uint64_t qcow2_l1_entries_for(int cluster_bits, uint64_t size)
{
    int shift = cluster_bits + (cluster_bits - 3);
    return (size + (1ull << shift) - 1) >> shift;
}

Qcow2ClusterType qcow2_get_cluster_type(BDRVQcow2State *s, uint64_t l2e);
/* Host range [*off, *off + *len) of a compressed L2 entry. */
void qcow2_parse_compressed(BDRVQcow2State *s, uint64_t l2e, uint64_t *off,
                            uint64_t *len);

/* qcow2-header.c */
int qcow2_read_header(BlockDriverState *bs, bool check_mode, GError **errp);
/* Rewrite the whole first cluster from the in-memory state. */
int qcow2_update_header(BlockDriverState *bs);
/* Write one header field range from the in-memory state. */
int qcow2_write_header_field(BlockDriverState *bs, size_t off, size_t len);
void qcow2_free_header_state(BDRVQcow2State *s);
const char *qcow2_feature_name(BDRVQcow2State *s, int type, int bit);

/* qcow2-cache.c */
Qcow2Cache *qcow2_cache_create(BlockDriverState *bs, int nb_tables,
                               uint32_t table_size);
void qcow2_cache_destroy(Qcow2Cache *c);
/* Before writing a dirty table, flush this one (and sync). */
void qcow2_cache_set_dependency(Qcow2Cache *c, Qcow2Cache *dep);
int qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                    void **table);
/* A table for a freshly allocated cluster: zero-filled, not read. */
int qcow2_cache_get_empty(BlockDriverState *bs, Qcow2Cache *c,
                          uint64_t offset, void **table);
void qcow2_cache_put(Qcow2Cache *c, void **table);
void qcow2_cache_mark_dirty(Qcow2Cache *c, void *table);
int qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c);
/* Write one table now if it is cached and dirty. */
int qcow2_cache_write_one(BlockDriverState *bs, Qcow2Cache *c,
                          uint64_t offset);
bool qcow2_cache_is_dirty(Qcow2Cache *c);
/* Forget a table (its cluster was freed); dirty contents are dropped. */
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset);
/* Forget everything (after a rebuild); dirty contents are dropped. */
void qcow2_cache_empty(Qcow2Cache *c);
int qcow2_cache_hits(Qcow2Cache *c);
int qcow2_cache_misses(Qcow2Cache *c);

/* qcow2-refcount.c */
int qcow2_refcount_init(BlockDriverState *bs, GError **errp);
uint64_t qcow2_get_refcount_ro(BDRVQcow2State *s, const void *block,
                               uint64_t index);
void qcow2_set_refcount_ro(BDRVQcow2State *s, void *block, uint64_t index,
                           uint64_t value);
int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster_index,
                       uint64_t *refcount);
/* Longest run qcow2_alloc_clusters finds among existing clusters. */
uint32_t qcow2_max_alloc_run(BDRVQcow2State *s);
/* Allocate n contiguous clusters (refcount 1); returns the offset. */
int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n);
/* Allocate bytes for a compressed cluster; returns the offset. */
int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t size);
int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int64_t addend);
/* Drop references later, once the referencing tables are on disk. */
int qcow2_free_deferred(BlockDriverState *bs, uint64_t offset,
                        uint64_t length);
/* Drop the reference an L2 entry holds (deferred). */
int qcow2_free_l2_entry(BlockDriverState *bs, uint64_t l2e);
int qcow2_apply_pending_frees(BlockDriverState *bs);
bool qcow2_too_many_pending_frees(BDRVQcow2State *s);
/* Add addend to the refcounts of everything an L1 table references. */
int qcow2_update_l1_refcounts(BlockDriverState *bs, const uint64_t *l1,
                              uint32_t l1_size, int64_t addend);
/* Set/clear QCOW_OFLAG_COPIED in the active tables per refcount == 1. */
int qcow2_update_copied_flags(BlockDriverState *bs);
/* Does [off, off+len) overlap the header, L1 or refcount table? */
bool qcow2_overlaps_metadata(BDRVQcow2State *s, uint64_t off, uint64_t len);

/* qcow2-cluster.c */
int qcow2_get_host_range(BlockDriverState *bs, uint64_t offset,
                         uint64_t *bytes, uint64_t *l2e_out);
int qcow2_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    IOVector *qiov, size_t qoff);
int qcow2_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     IOVector *qiov, size_t qoff);
int qcow2_co_pwritev_compressed(BlockDriverState *bs, int64_t offset,
                                int64_t bytes, IOVector *qiov, size_t qoff);
/* Set whole clusters to zero / unallocated. */
int qcow2_zero_clusters(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, bool unmap_to_unallocated);
/* The L2 table for offset, allocated (or copied) so it can be written. */
int qcow2_get_l2_table_for_write(BlockDriverState *bs, uint64_t offset,
                                 void **table, uint32_t *index);
int qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size);
int qcow2_decompress_cluster(BlockDriverState *bs, uint64_t l2e,
                             uint8_t *out);
int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index);

/* qcow2-check.c */
int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, int fix);

/* qcow2-snapshot.c */
int qcow2_read_snapshots(BlockDriverState *bs, GError **errp);
void qcow2_free_snapshots(BDRVQcow2State *s);
/* Bytes of the snapshot table on disk. */
uint64_t qcow2_snapshot_table_size(BDRVQcow2State *s);
int qcow2_snapshot_list(BlockDriverState *bs, GPtrArray *list);
int qcow2_snapshot_create(BlockDriverState *bs, const char *name,
                          GError **errp);
int qcow2_snapshot_delete(BlockDriverState *bs, const char *name,
                          GError **errp);
int qcow2_snapshot_goto(BlockDriverState *bs, const char *name,
                        GError **errp);

/* qcow2-create.c */
extern const BlockCreateOpt qcow2_create_opts[];
bool qcow2_create(const char *filename, GHashTable *opts, GError **errp);
int qcow2_truncate(BlockDriverState *bs, int64_t size, bool exact,
                   PreallocMode prealloc, GError **errp);

#endif
