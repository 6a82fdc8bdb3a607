/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BlockBackend: asynchronous requests on a worker pool, completed in the
 * main loop. See include/block/block-backend.h for the rules.
 *
 * Workers run the synchronous block layer calls, then queue the request
 * on a completion list and wake the default main context. A GSource on
 * that context (the main loop's, dispatched with the BQL held) pops the
 * finished requests and runs their callbacks. blk_drain() does the same
 * dispatching itself while it waits, so it works with or without a
 * running main loop.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block-backend.h"

/* Worker threads: I/O bound, so more than the cores. */
#define BLK_POOL_THREADS 16

typedef enum {
    BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH, BLK_OP_DISCARD, BLK_OP_ZEROES,
} BlkOp;

struct BlockBackend {
    BlockDriverState *bs;
    char *name;
    bool writethrough;
    bool discard_unmap;
    void *dev;
    gint in_flight;             /* atomic */
    gint refcnt;
};

typedef struct BlkRequest {
    BlockBackend *blk;
    BlkOp op;
    int64_t offset;
    int64_t bytes;
    IOVector *qiov;
    int flags;
    int ret;
    BlockCompletionFunc *cb;
    void *opaque;
} BlkRequest;

/* Shared by all backends. */
static GThreadPool *pool;
static GMutex done_lock;
static GCond done_cond;
static GQueue done_queue;       /* BlkRequest *, finished */
static GSource *done_source;
static GOnce pool_once = G_ONCE_INIT;

static int blk_run(BlkRequest *r)
{
    BlockBackend *blk = r->blk;
    BlockDriverState *bs = blk->bs;
    int ret;

    switch (r->op) {
    case BLK_OP_READ:
        return bdrv_preadv(bs, r->offset, r->qiov->size, r->qiov, 0, 0);
    case BLK_OP_WRITE:
        ret = bdrv_pwritev(bs, r->offset, r->qiov->size, r->qiov, 0, 0);
        if (ret >= 0 && blk->writethrough) {
            ret = bdrv_flush(bs);
        }
        return ret;
    case BLK_OP_FLUSH:
        return bdrv_flush(bs);
    case BLK_OP_DISCARD:
        if (!blk->discard_unmap) {
            return 0;
        }
        return bdrv_pdiscard(bs, r->offset, r->bytes);
    case BLK_OP_ZEROES:
        ret = bdrv_pwrite_zeroes(bs, r->offset, r->bytes, r->flags);
        if (ret >= 0 && blk->writethrough) {
            ret = bdrv_flush(bs);
        }
        return ret;
    }
    return -EINVAL;
}

static void worker(gpointer data, gpointer user_data)
{
    BlkRequest *r = data;

    r->ret = blk_run(r);
    g_mutex_lock(&done_lock);
    g_queue_push_tail(&done_queue, r);
    g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
    g_main_context_wakeup(NULL);
}

static void complete(BlkRequest *r)
{
    BlockBackend *blk = r->blk;

    if (r->cb) {
        r->cb(r->opaque, r->ret);
    }
    g_atomic_int_dec_and_test(&blk->in_flight);
    g_free(r);
}

void blk_poll_completions(void)
{
    for (;;) {
        BlkRequest *r;

        g_mutex_lock(&done_lock);
        r = g_queue_pop_head(&done_queue);
        g_mutex_unlock(&done_lock);
        if (!r) {
            return;
        }
        complete(r);
    }
}

static gboolean done_prepare(GSource *s, gint *timeout)
{
    bool ready;

    *timeout = -1;
    g_mutex_lock(&done_lock);
    ready = !g_queue_is_empty(&done_queue);
    g_mutex_unlock(&done_lock);
    return ready;
}

static gboolean done_check(GSource *s)
{
    gint t;

    return done_prepare(s, &t);
}

static gboolean done_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    blk_poll_completions();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_funcs = {
    .prepare = done_prepare,
    .check = done_check,
    .dispatch = done_dispatch,
};

static gpointer pool_init(gpointer unused)
{
    pool = g_thread_pool_new(worker, NULL, BLK_POOL_THREADS, false, NULL);
    done_source = g_source_new(&done_funcs, sizeof(GSource));
    g_source_attach(done_source, NULL);
    return NULL;
}

BlockBackend *blk_new_with_bs(BlockDriverState *bs)
{
    BlockBackend *blk = g_new0(BlockBackend, 1);

    g_once(&pool_once, pool_init, NULL);
    bdrv_ref(bs);
    blk->bs = bs;
    blk->refcnt = 1;
    blk->discard_unmap = bdrv_get_flags(bs) & BDRV_O_UNMAP;
    return blk;
}

BlockBackend *blk_new_open(const char *filename, GHashTable *options,
                           int flags, GError **errp)
{
    BlockDriverState *bs = bdrv_open(filename, options, flags, errp);
    BlockBackend *blk;

    if (!bs) {
        return NULL;
    }
    blk = blk_new_with_bs(bs);
    bdrv_unref(bs);
    return blk;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || !g_atomic_int_dec_and_test(&blk->refcnt)) {
        return;
    }
    blk_drain(blk);
    bdrv_unref(blk->bs);
    g_free(blk->name);
    g_free(blk);
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->bs;
}

void blk_set_name(BlockBackend *blk, const char *name)
{
    g_free(blk->name);
    blk->name = g_strdup(name);
}

const char *blk_name(BlockBackend *blk)
{
    return blk->name ? blk->name : "";
}

int64_t blk_getlength(BlockBackend *blk)
{
    return bdrv_getlength(blk->bs);
}

bool blk_is_read_only(BlockBackend *blk)
{
    return bdrv_is_read_only(blk->bs);
}

void blk_set_writethrough(BlockBackend *blk, bool writethrough)
{
    blk->writethrough = writethrough;
}

bool blk_is_writethrough(BlockBackend *blk)
{
    return blk->writethrough;
}

void blk_set_discard(BlockBackend *blk, bool unmap)
{
    blk->discard_unmap = unmap;
}

bool blk_attach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev) {
        return false;
    }
    blk->dev = dev;
    return true;
}

void blk_detach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev == dev) {
        blk->dev = NULL;
    }
}

void *blk_get_attached_dev(BlockBackend *blk)
{
    return blk->dev;
}

static void submit(BlockBackend *blk, BlkOp op, int64_t offset,
                   int64_t bytes, IOVector *qiov, int flags,
                   BlockCompletionFunc *cb, void *opaque)
{
    BlkRequest *r = g_new0(BlkRequest, 1);

    r->blk = blk;
    r->op = op;
    r->offset = offset;
    r->bytes = bytes;
    r->qiov = qiov;
    r->flags = flags;
    r->cb = cb;
    r->opaque = opaque;
    g_atomic_int_inc(&blk->in_flight);
    g_thread_pool_push(pool, r, NULL);
}

void blk_aio_preadv(BlockBackend *blk, int64_t offset, IOVector *qiov,
                    BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, BLK_OP_READ, offset, qiov->size, qiov, 0, cb, opaque);
}

void blk_aio_pwritev(BlockBackend *blk, int64_t offset, IOVector *qiov,
                     BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, BLK_OP_WRITE, offset, qiov->size, qiov, 0, cb, opaque);
}

void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, BLK_OP_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

void blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, BLK_OP_DISCARD, offset, bytes, NULL, 0, cb, opaque);
}

void blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                           int flags, BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, BLK_OP_ZEROES, offset, bytes, NULL, flags, cb, opaque);
}

int blk_in_flight(BlockBackend *blk)
{
    return g_atomic_int_get(&blk->in_flight);
}

void blk_drain(BlockBackend *blk)
{
    while (g_atomic_int_get(&blk->in_flight) > 0) {
        g_mutex_lock(&done_lock);
        while (g_queue_is_empty(&done_queue)) {
            g_cond_wait(&done_cond, &done_lock);
        }
        g_mutex_unlock(&done_lock);
        blk_poll_completions();
    }
}

int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf)
{
    return bdrv_pread(blk->bs, offset, bytes, buf);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf)
{
    int ret = bdrv_pwrite(blk->bs, offset, bytes, buf);

    if (ret >= 0 && blk->writethrough) {
        ret = bdrv_flush(blk->bs);
    }
    return ret;
}

int blk_flush(BlockBackend *blk)
{
    return bdrv_flush(blk->bs);
}
