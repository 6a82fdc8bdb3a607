/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The block driver interface. Only block/ includes this.
 *
 * A driver is either a protocol (file: bytes on the host) or a format
 * (raw, qcow2: an image layout on top of a protocol node bs->file).
 * All callbacks are synchronous; see include/block/block.h for the
 * threading rules. Callbacks get requests already checked by block.c:
 * offset and bytes are non-negative and, for format nodes, inside the
 * virtual disk; writes never reach a read-only node.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block.h"

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;               /* drv->instance_size bytes */
    int open_flags;             /* BDRV_O_* */
    bool read_only;
    char *filename;             /* the host file's name */
    char *node_name;
    BlockDriverState *file;     /* protocol child of a format node */
    BlockDriverState *backing;  /* opened backing node, or NULL */
    char *backing_file;         /* as recorded in the image, or NULL */
    char *backing_format;       /* as recorded, or NULL */
    bool probed;                /* the format was guessed */
    int refcnt;
    /* O_DIRECT alignment of offsets/lengths (1 without O_DIRECT). */
    uint32_t request_alignment;
};

struct BlockDriver {
    const char *format_name;
    size_t instance_size;
    bool is_protocol;           /* file: opens a host file by name */

    /* Score 0..100 that buf (the image's first bytes) is this format. */
    int (*probe)(const uint8_t *buf, size_t len, const char *filename);

    /*
     * Open. For protocols, filename is the host path; formats find
     * their file in bs->file (opened by block.c). Take the options you
     * know out of 'options'; block.c errors on the rest.
     */
    int (*open)(BlockDriverState *bs, const char *filename,
                GHashTable *options, int flags, GError **errp);
    void (*close)(BlockDriverState *bs);

    int (*preadv)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                  IOVector *qiov, size_t qiov_offset, int flags);
    int (*pwritev)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   IOVector *qiov, size_t qiov_offset, int flags);
    int (*pwritev_compressed)(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, IOVector *qiov,
                              size_t qiov_offset);
    int (*pwrite_zeroes)(BlockDriverState *bs, int64_t offset,
                         int64_t bytes, int flags);
    int (*pdiscard)(BlockDriverState *bs, int64_t offset, int64_t bytes);
    /* Flush this node's own state; block.c then flushes bs->file. */
    int (*flush)(BlockDriverState *bs);

    int64_t (*getlength)(BlockDriverState *bs);
    int64_t (*get_allocated_file_size)(BlockDriverState *bs);
    int (*truncate)(BlockDriverState *bs, int64_t size, bool exact,
                    PreallocMode prealloc, GError **errp);
    int (*block_status)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        int64_t *pnum, int64_t *map,
                        BlockDriverState **file);

    int (*get_info)(BlockDriverState *bs, BlockDriverInfo *bdi);
    const char *(*get_specific_info)(BlockDriverState *bs,
                                     GPtrArray *fields);
    int (*check)(BlockDriverState *bs, BdrvCheckResult *res, int fix);
    int (*change_backing_file)(BlockDriverState *bs, const char *file,
                               const char *fmt, GError **errp);
    int (*make_empty)(BlockDriverState *bs);

    int (*snapshot_list)(BlockDriverState *bs, GPtrArray *list);
    int (*snapshot_create)(BlockDriverState *bs, const char *name,
                           GError **errp);
    int (*snapshot_delete)(BlockDriverState *bs, const char *name,
                           GError **errp);
    int (*snapshot_goto)(BlockDriverState *bs, const char *name,
                         GError **errp);

    const BlockCreateOpt *create_opts;
    bool (*create)(const char *filename, GHashTable *opts, GError **errp);
};

extern BlockDriver bdrv_file;
extern BlockDriver bdrv_raw;
extern BlockDriver bdrv_qcow2;

/* Open a protocol node for a host file (used by creation code too). */
BlockDriverState *bdrv_open_file(const char *filename, GHashTable *options,
                                 int flags, GError **errp);
/* Create (truncate) a host file of the given size, with preallocation. */
bool bdrv_file_create(const char *filename, int64_t size,
                      PreallocMode prealloc, GError **errp);

/* fstat() the host file of a protocol node; -ENOTSUP for others. */
struct stat;
int bdrv_file_fstat(BlockDriverState *bs, struct stat *st);


/* Helpers for drivers' specific info. */
void image_info_add_str(GPtrArray *f, const char *json, const char *human,
                        const char *val);
void image_info_add_bool(GPtrArray *f, const char *json, const char *human,
                         bool val);
void image_info_add_int(GPtrArray *f, const char *json, const char *human,
                        int64_t val);

/* Read the backing chain below bs into qiov (zeroes past its end). */
int bdrv_read_backing(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      IOVector *qiov, size_t qiov_offset);

#endif
