/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "raw" format: the virtual disk is the file's bytes, optionally a
 * window (offset=, size=) of it.
 *
 * When the format was probed rather than given, a guest could write a
 * qcow2 header into sector 0 and make the next (probing) open treat the
 * disk as qcow2 with a backing file of the guest's choice. As QEMU does,
 * writes that would make sector 0 probe as another format are refused.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/block_int.h"

#define RAW_PROBE_BYTES 512

typedef struct BDRVRawState {
    uint64_t offset;
    uint64_t size;
    bool has_size;
} BDRVRawState;

static int raw_probe(const uint8_t *buf, size_t len, const char *filename)
{
    return 1;   /* anything is a raw image, as a last resort */
}

static int raw_open(BlockDriverState *bs, const char *filename,
                    GHashTable *options, int flags, GError **errp)
{
    BDRVRawState *s = bs->opaque;
    g_autofree char *size = bdrv_opts_take(options, "size");
    int64_t flen = bdrv_getlength(bs->file);

    if (!bdrv_opts_take_size(options, "offset", 0, &s->offset, errp)) {
        return -EINVAL;
    }
    if (size) {
        if (!parse_size(size, 'B', &s->size)) {
            error_setg(errp, "Parameter 'size' expects a size");
            return -EINVAL;
        }
        s->has_size = true;
    }
    if (flen < 0) {
        error_setg_errno(errp, -flen, "Could not get the size of '%s'",
                         filename);
        return flen;
    }
    if (s->offset > (uint64_t)flen ||
        (s->has_size && s->size > (uint64_t)flen - s->offset)) {
        error_setg(errp, "The sum of offset (%" PRIu64 ") and size (%"
                   PRIu64 ") has to be smaller or equal to the actual size "
                   "of the containing file (%" PRId64 ")", s->offset,
                   s->has_size ? s->size : 0, flen);
        return -EINVAL;
    }
    if (s->offset % bs->file->request_alignment) {
        error_setg(errp, "offset must be a multiple of %u with cache=none",
                   bs->file->request_alignment);
        return -EINVAL;
    }
    bs->request_alignment = bs->file->request_alignment;
    return 0;
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    int64_t len;

    if (s->has_size) {
        return s->size;
    }
    len = bdrv_getlength(bs->file);
    if (len < 0) {
        return len;
    }
    return MAX(len - (int64_t)s->offset, 0);
}

static int raw_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      IOVector *qiov, size_t qoff, int flags)
{
    BDRVRawState *s = bs->opaque;

    return bdrv_preadv(bs->file, offset + s->offset, bytes, qiov, qoff, 0);
}

/* Would this write to a probed image change what sector 0 probes as? */
static bool raw_write_changes_format(BlockDriverState *bs, int64_t offset,
                                     int64_t bytes, IOVector *qiov,
                                     size_t qoff)
{
    uint8_t sector[RAW_PROBE_BYTES];
    const char *fmt;
    int64_t n;

    if (!bs->probed || offset >= RAW_PROBE_BYTES) {
        return false;
    }
    if (bdrv_pread(bs->file, 0, RAW_PROBE_BYTES, sector) < 0) {
        return true;
    }
    n = MIN(bytes, RAW_PROBE_BYTES - offset);
    iovec_to_buf(qiov, qoff, sector + offset, n);
    fmt = bdrv_probe_format(sector, RAW_PROBE_BYTES, NULL);
    return fmt && strcmp(fmt, "raw");
}

static int raw_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       IOVector *qiov, size_t qoff, int flags)
{
    BDRVRawState *s = bs->opaque;

    if (raw_write_changes_format(bs, offset, bytes, qiov, qoff)) {
        return -EPERM;
    }
    return bdrv_pwritev(bs->file, offset + s->offset, bytes, qiov, qoff, 0);
}

static int raw_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int flags)
{
    BDRVRawState *s = bs->opaque;

    return bdrv_pwrite_zeroes(bs->file, offset + s->offset, bytes, flags);
}

static int raw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVRawState *s = bs->opaque;

    return bdrv_pdiscard(bs->file, offset + s->offset, bytes);
}

static int raw_truncate(BlockDriverState *bs, int64_t size, bool exact,
                        PreallocMode prealloc, GError **errp)
{
    BDRVRawState *s = bs->opaque;

    if (s->has_size || s->offset) {
        error_setg(errp, "Cannot resize a raw image with offset or size "
                   "options");
        return -ENOTSUP;
    }
    if (prealloc == PREALLOC_MODE_METADATA) {
        error_setg(errp, "Unsupported preallocation mode 'metadata'");
        return -ENOTSUP;
    }
    return bdrv_truncate(bs->file, size, exact, prealloc, errp);
}

static int raw_block_status(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int64_t *pnum, int64_t *map,
                            BlockDriverState **file)
{
    BDRVRawState *s = bs->opaque;
    int64_t flen = bdrv_getlength(bs->file);
    int ret;

    if (flen < 0) {
        return flen;
    }
    if (offset + (int64_t)s->offset >= flen) {
        /* Past the end of the file (a size= window): zeroes. */
        *pnum = bytes;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    }
    ret = bdrv_block_status(bs->file, offset + s->offset, bytes, pnum, map,
                            file);
    if (ret < 0) {
        return ret;
    }
    if (!*pnum) {
        *pnum = bytes;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    }
    return (ret & ~BDRV_BLOCK_EOF) | BDRV_BLOCK_ALLOCATED;
}

static const BlockCreateOpt raw_create_opts[] = {
    { "size", CREATE_OPT_SIZE, "Virtual disk size", "0" },
    { "preallocation", CREATE_OPT_STRING,
      "Preallocation mode (allowed values: off, falloc, full)" },
    { NULL }
};

static bool raw_create(const char *filename, GHashTable *opts, GError **errp)
{
    return bdrv_file.create(filename, opts, errp);
}

BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(BDRVRawState),
    .probe = raw_probe,
    .open = raw_open,
    .preadv = raw_preadv,
    .pwritev = raw_pwritev,
    .pwrite_zeroes = raw_pwrite_zeroes,
    .pdiscard = raw_pdiscard,
    .getlength = raw_getlength,
    .truncate = raw_truncate,
    .block_status = raw_block_status,
    .create_opts = raw_create_opts,
    .create = raw_create,
};
