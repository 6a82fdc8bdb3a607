/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The block layer: a graph of BlockDriverState nodes.
 *
 * A format node (raw, qcow2) sits on a protocol node (file) and may have
 * a backing node. Everything below BlockBackend is synchronous: a call
 * returns when the I/O is done, and may block. Devices never call these
 * directly from a vCPU thread; they go through BlockBackend's
 * asynchronous requests (include/block/block-backend.h), which run these
 * calls on worker threads. The tool (ember-img) calls them directly.
 *
 * Thread safety: the I/O calls (preadv, pwritev, flush, discard,
 * write-zeroes, block status) may run concurrently on one node from
 * several threads; each driver serialises what it must (qcow2 takes its
 * metadata lock, file and raw need none). Open, close, truncate, check,
 * create and changing the backing file are not concurrent with I/O.
 *
 * Errors: I/O returns 0 or a negative errno. Set-up uses GError.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "ember/osdep.h"
#include "block/iovec.h"

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;

/* Open flags. */
enum {
    BDRV_O_RDWR        = 1 << 0,
    BDRV_O_NOCACHE     = 1 << 1,  /* O_DIRECT: bypass the host page cache */
    BDRV_O_NO_FLUSH    = 1 << 2,  /* cache=unsafe: flushes do nothing */
    BDRV_O_NO_BACKING  = 1 << 3,  /* do not open the backing file */
    BDRV_O_FORCE_SHARE = 1 << 4,  /* -U: allow others to write meanwhile */
    BDRV_O_NO_LOCK     = 1 << 5,  /* locking=off: take no image locks */
    BDRV_O_CHECK       = 1 << 6,  /* opened for check: no auto-repair */
    BDRV_O_TEMPORARY   = 1 << 7,  /* delete the file when closed */
    BDRV_O_UNMAP       = 1 << 8,  /* discard=unmap: pass discards down */
};

/* Request flags. */
enum {
    BDRV_REQ_MAY_UNMAP   = 1 << 0,  /* write-zeroes may deallocate */
    BDRV_REQ_NO_FALLBACK = 1 << 1,  /* write-zeroes: fail if not cheap */
};

/* Block status flags (bdrv_block_status). */
enum {
    BDRV_BLOCK_DATA         = 1 << 0,  /* data is stored (not a hole) */
    BDRV_BLOCK_ZERO         = 1 << 1,  /* reads as zeroes */
    BDRV_BLOCK_OFFSET_VALID = 1 << 2,  /* *map is the offset in *file */
    BDRV_BLOCK_ALLOCATED    = 1 << 3,  /* decided by this layer, not backing */
    BDRV_BLOCK_COMPRESSED   = 1 << 4,
    BDRV_BLOCK_EOF          = 1 << 5,  /* the range reaches the end */
};

typedef enum PreallocMode {
    PREALLOC_MODE_OFF,
    PREALLOC_MODE_METADATA,
    PREALLOC_MODE_FALLOC,
    PREALLOC_MODE_FULL,
} PreallocMode;

bool prealloc_mode_parse(const char *s, PreallocMode *out);
const char *prealloc_mode_name(PreallocMode m);

/*
 * Cache modes as QEMU spells them. writeback: host page cache, guest
 * flushes reach the disk. none: O_DIRECT, flushes reach the disk.
 * writethrough/directsync: every write is followed by a flush (done by
 * BlockBackend). unsafe: flushes are ignored.
 */
typedef struct BlockCacheMode {
    bool direct;        /* O_DIRECT */
    bool no_flush;      /* flushes ignored */
    bool writethrough;  /* flush after every write */
} BlockCacheMode;
bool bdrv_parse_cache_mode(const char *mode, BlockCacheMode *out);

/* ---- option dictionaries --------------------------------------------- */
/*
 * Open options are a flat string dictionary with QEMU's dotted keys:
 * "driver", "node-name", "read-only", "cache.direct", "cache.no-flush",
 * "file.filename", "file.locking", "l2-cache-size", "backing" ... A
 * driver removes the keys it understands; keys left over are an error.
 */
GHashTable *bdrv_opts_new(void);
void bdrv_opts_set(GHashTable *o, const char *key, const char *value);
/* Remove key and return its value (caller frees), or NULL. */
char *bdrv_opts_take(GHashTable *o, const char *key);
bool bdrv_opts_take_bool(GHashTable *o, const char *key, bool def,
                         bool *out, GError **errp);
bool bdrv_opts_take_size(GHashTable *o, const char *key, uint64_t def,
                         uint64_t *out, GError **errp);
/* Move every "prefix.x" key into a new dictionary as "x". */
GHashTable *bdrv_opts_extract(GHashTable *o, const char *prefix);
/* Error for the first key left (sorted), naming the driver. */
bool bdrv_opts_check_empty(GHashTable *o, const char *drvname,
                           GError **errp);

/* ---- open / close ------------------------------------------------------ */

/*
 * Open filename (or options["file.filename"]) with format
 * options["driver"], probing the format when absent. options may be
 * NULL; it is consumed. The result has one reference.
 */
BlockDriverState *bdrv_open(const char *filename, GHashTable *options,
                            int flags, GError **errp);
void bdrv_ref(BlockDriverState *bs);
void bdrv_unref(BlockDriverState *bs);
/* A node opened with node-name=..., or NULL. */
BlockDriverState *bdrv_find_node(const char *node_name);

const char *bdrv_get_format_name(BlockDriverState *bs);
const char *bdrv_get_filename(BlockDriverState *bs);
const char *bdrv_get_node_name(BlockDriverState *bs);
bool bdrv_is_read_only(BlockDriverState *bs);
int bdrv_get_flags(BlockDriverState *bs);
BlockDriverState *bdrv_get_backing(BlockDriverState *bs);
BlockDriverState *bdrv_get_file(BlockDriverState *bs);
/* The backing file name recorded in the image, its format, and the
 * name resolved relative to the image's directory (NULL if none). */
const char *bdrv_backing_file(BlockDriverState *bs);
const char *bdrv_backing_format(BlockDriverState *bs);
char *bdrv_full_backing_filename(BlockDriverState *bs);
/* Format probed (not given)? Used for QEMU's raw-probing warning. */
bool bdrv_format_was_probed(BlockDriverState *bs);

/* ---- I/O ------------------------------------------------------------------ */
int bdrv_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                IOVector *qiov, size_t qiov_offset, int flags);
int bdrv_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                 IOVector *qiov, size_t qiov_offset, int flags);
int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes,
               void *buf);
int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes,
                const void *buf);
int bdrv_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       int flags);
int bdrv_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes);
/* Write one compressed cluster (cluster-aligned; formats that can). */
int bdrv_pwrite_compressed(BlockDriverState *bs, int64_t offset,
                           int64_t bytes, IOVector *qiov, size_t qiov_offset);
bool bdrv_supports_compressed_writes(BlockDriverState *bs);
/* Flush this node and its children (format metadata, then the file). */
int bdrv_flush(BlockDriverState *bs);

int64_t bdrv_getlength(BlockDriverState *bs);
/* Host bytes used by the node's files (st_blocks), -errno if unknown. */
int64_t bdrv_get_allocated_file_size(BlockDriverState *bs);
int bdrv_truncate(BlockDriverState *bs, int64_t size, bool exact,
                  PreallocMode prealloc, GError **errp);

/*
 * Status of [offset, offset + bytes) in this node: BDRV_BLOCK_* flags
 * for the first *pnum bytes (>= 1 unless at the end), *map and *file
 * when OFFSET_VALID. -errno on error.
 */
int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      int64_t *pnum, int64_t *map, BlockDriverState **file);
/*
 * The same through the backing chain down to (excluding) base: the
 * first layer that decides the range answers. *depth is that layer's
 * depth (0 = bs). Unallocated in every layer: ZERO, not ALLOCATED.
 */
int bdrv_block_status_above(BlockDriverState *bs, BlockDriverState *base,
                            int64_t offset, int64_t bytes, int64_t *pnum,
                            int64_t *map, BlockDriverState **file,
                            int *depth);

/* ---- information ------------------------------------------------------- */
typedef struct BlockDriverInfo {
    int cluster_size;       /* 0: not applicable */
    bool is_dirty;
} BlockDriverInfo;
int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi);

/* One "format specific" item of `info`: JSON key, human label, value. */
typedef enum { INFO_STR, INFO_BOOL, INFO_INT } ImageInfoKind;
typedef struct ImageInfoField {
    char *json_key;
    char *human_key;
    ImageInfoKind kind;
    char *str;
    bool b;
    int64_t i;
} ImageInfoField;
/* Driver fills fields (ImageInfoField *); returns the "type" or NULL. */
const char *bdrv_get_specific_info(BlockDriverState *bs, GPtrArray *fields);
void image_info_field_free(gpointer p);

typedef struct SnapshotInfo {
    char *id;
    char *name;
    uint64_t vm_state_size;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount;            /* UINT64_MAX: not recorded */
    uint64_t disk_size;
} SnapshotInfo;
/* Snapshots (SnapshotInfo *) into list; -errno if unsupported. */
int bdrv_snapshot_list(BlockDriverState *bs, GPtrArray *list);
void snapshot_info_free(gpointer p);
int bdrv_snapshot_create(BlockDriverState *bs, const char *name,
                         GError **errp);
int bdrv_snapshot_delete(BlockDriverState *bs, const char *name,
                         GError **errp);
int bdrv_snapshot_goto(BlockDriverState *bs, const char *name,
                       GError **errp);

/* ---- check ---------------------------------------------------------------- */
typedef enum BdrvCheckMode {
    BDRV_FIX_LEAKS  = 1 << 0,
    BDRV_FIX_ERRORS = 1 << 1,
} BdrvCheckMode;

typedef struct BdrvCheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;
    int64_t allocated_clusters;
    int64_t total_clusters;
    int64_t fragmented_clusters;
    int64_t compressed_clusters;
} BdrvCheckResult;
/* -ENOTSUP if the format has no check. Messages go to stderr. */
/* Send check's per-cluster messages to f instead (NULL: stderr). */
void bdrv_check_set_output(FILE *f);
int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, int fix);

/* ---- creation and changes ---------------------------------------------- */
typedef enum { CREATE_OPT_STRING, CREATE_OPT_SIZE, CREATE_OPT_NUMBER,
               CREATE_OPT_BOOL } CreateOptType;
typedef struct BlockCreateOpt {
    const char *name;
    CreateOptType type;
    const char *help;
    /* Shown in the "Formatting ..." line even when not given. */
    const char *def_shown;
} BlockCreateOpt;

BlockDriver *bdrv_find_format(const char *name);
/* Format names, NULL-terminated (static). */
const char *const *bdrv_format_names(void);
/* The creation options of a format, in "Formatting" line order. */
const BlockCreateOpt *bdrv_create_opts(BlockDriver *drv);
/*
 * Create an image. opts: "size", "backing_file", "backing_fmt",
 * "cluster_size", "preallocation", ... (consumed; unknown keys error).
 */
bool bdrv_create(BlockDriver *drv, const char *filename, GHashTable *opts,
                 GError **errp);
/* Rewrite the backing file name/format in the image header. */
int bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                             const char *backing_fmt, GError **errp);
/* Replace the opened backing node (after rebase/commit). */
void bdrv_set_backing(BlockDriverState *bs, BlockDriverState *backing);
/* Make the image empty (all clusters unallocated): used by commit. */
int bdrv_make_empty(BlockDriverState *bs);

/* Resolve a backing file name relative to the image that names it. */
char *bdrv_resolve_backing_name(const char *image, const char *backing);
/* Can images of this format take compressed writes? */
bool bdrv_format_supports_compression(BlockDriver *drv);

/* Identify a format from its first bytes (>= 512 given); NULL if none. */
const char *bdrv_probe_format(const uint8_t *buf, size_t len,
                              const char *filename);

/* Silence run-time warnings about corrupt images (tests). */
void bdrv_set_quiet(bool quiet);
bool bdrv_is_quiet(void);

/* Human size like QEMU: "196 KiB", "1 GiB", "1.5 MiB". */
char *size_to_str(uint64_t val);

#endif
