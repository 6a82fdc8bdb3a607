/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BlockBackend: what a device (virtio-blk, ...) holds to do disk I/O.
 *
 * Requests are asynchronous: blk_aio_*() returns at once, the work runs
 * on a pool of worker threads (the block drivers are synchronous and
 * may block), and the completion callback runs later in the main loop
 * -- dispatched from GLib's default main context, where Ember's main
 * loop holds the BQL -- so a device calls it from a vCPU thread's MMIO
 * handler and finishes the request under the BQL, never blocking vCPUs.
 *
 * Ordering rules (as with a real disk with a volatile write cache):
 * - Requests in flight at the same time may run concurrently and
 *   complete in any order. Overlapping writes in flight together leave
 *   either one's data; a device that needs order waits for completions.
 * - A flush completes after every write that completed before the flush
 *   was submitted is on stable storage (cache=unsafe: never).
 * - With writethrough (cache=writethrough/directsync) a write completes
 *   only after it is on stable storage.
 * - Discards are advisory: dropped unless the drive was opened with
 *   discard=unmap; write-zeroes always reads back as zeroes.
 *
 * blk_drain() waits for every request of the backend and runs their
 * callbacks; call it with the BQL held (or, outside the system emulator,
 * from the thread that owns the default main context), e.g. before
 * device reset or closing.
 *
 * The synchronous blk_pread/pwrite/flush are for set-up code and tools;
 * they block the caller.
 */
#ifndef BLOCK_BLOCK_BACKEND_H
#define BLOCK_BLOCK_BACKEND_H

#include "block/block.h"

typedef struct BlockBackend BlockBackend;
typedef void BlockCompletionFunc(void *opaque, int ret);

/* Open an image (see bdrv_open) and put a backend on it. */
BlockBackend *blk_new_open(const char *filename, GHashTable *options,
                           int flags, GError **errp);
/* A backend on an existing node (takes a reference). */
BlockBackend *blk_new_with_bs(BlockDriverState *bs);
/* Drains, then drops the node. */
void blk_unref(BlockBackend *blk);

BlockDriverState *blk_bs(BlockBackend *blk);
void blk_set_name(BlockBackend *blk, const char *name);
const char *blk_name(BlockBackend *blk);
int64_t blk_getlength(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);
void blk_set_writethrough(BlockBackend *blk, bool writethrough);
bool blk_is_writethrough(BlockBackend *blk);
void blk_set_discard(BlockBackend *blk, bool unmap);

/* A device claims the backend; a second claim fails. */
bool blk_attach_dev(BlockBackend *blk, void *dev);
void blk_detach_dev(BlockBackend *blk, void *dev);
void *blk_get_attached_dev(BlockBackend *blk);

/*
 * Asynchronous requests. The IOVector (and its buffers) must stay valid
 * until the callback runs. ret is 0 or a negative errno (-EIO, -ENOSPC,
 * -EPERM for writes to a read-only backend, -EIO out of range).
 */
void blk_aio_preadv(BlockBackend *blk, int64_t offset, IOVector *qiov,
                    BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwritev(BlockBackend *blk, int64_t offset, IOVector *qiov,
                     BlockCompletionFunc *cb, void *opaque);
void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                           int flags, BlockCompletionFunc *cb, void *opaque);

/* Requests submitted and not yet completed (callback not yet run). */
int blk_in_flight(BlockBackend *blk);
void blk_drain(BlockBackend *blk);
/* Run the callbacks of finished requests now (any backend). */
void blk_poll_completions(void);

/* Synchronous I/O, for set-up code and tools. */
int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf);
int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf);
int blk_flush(BlockBackend *blk);

#endif
