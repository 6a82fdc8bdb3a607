/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Incoming queues and flow control.
 *
 * Each client owns the queue of frames its peer sent while it could not
 * take them. Order is kept: while anything waits, new frames go behind
 * it. A receiver that declines a frame (can_receive false, receive 0)
 * keeps it at the head until it calls net_queue_flush().
 *
 * Flow control is per link: once NET_QUEUE_SOFT_LIMIT frames or
 * NET_QUEUE_SOFT_BYTES bytes wait, a sender that gave a NetReadyCB is
 * told to stop (the send returns 0); when the receiver has drained the
 * queue to half of both, the core calls the callback and the sender
 * goes on. A sender cannot be stopped
 * without a callback, so its frames are queued up to the hard limits
 * and only then dropped, counted in the receiver's stats.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "net/queue.h"

typedef struct NetPacket {
    size_t len;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    NetClientState *owner;          /* the receiver */
    GQueue packets;                 /* NetPacket * */
    size_t bytes;
    NetReadyCB *ready;              /* the stopped sender's callback */
    bool delivering;                /* inside the owner's receive */
    bool drop_logged;               /* one log line per overflow burst */
};

NetQueue *net_queue_new(NetClientState *owner)
{
    NetQueue *q = g_new0(NetQueue, 1);

    q->owner = owner;
    g_queue_init(&q->packets);
    return q;
}

void net_queue_free(NetQueue *q)
{
    if (q) {
        net_queue_drop_all(q);
        g_free(q);
    }
}

unsigned net_queue_count(NetQueue *q)
{
    return q->packets.length;
}

NetReadyCB *net_queue_take_ready(NetQueue *q)
{
    NetReadyCB *cb = q->ready;

    q->ready = NULL;
    return cb;
}

static bool owner_can_receive(NetQueue *q)
{
    NetClientState *nc = q->owner;

    return !nc->info->can_receive || nc->info->can_receive(nc);
}

/* Hand one frame to the owner; its receive's verdict. */
static ssize_t deliver(NetQueue *q, const struct iovec *iov, int iovcnt,
                       size_t size)
{
    NetClientState *nc = q->owner;
    ssize_t ret;

    q->delivering = true;
    if (nc->info->receive_iov) {
        ret = nc->info->receive_iov(nc, iov, iovcnt);
    } else if (iovcnt == 1) {
        ret = nc->info->receive(nc, iov[0].iov_base, iov[0].iov_len);
    } else {
        g_autofree uint8_t *flat = g_malloc(size ? size : 1);
        net_iov_to_buf(iov, iovcnt, 0, flat, size);
        ret = nc->info->receive(nc, flat, size);
    }
    q->delivering = false;
    if (ret > 0) {
        nc->stats.rx_packets++;
        nc->stats.rx_bytes += size;
    } else if (ret < 0) {
        /* The receiver failed on it (e.g. a write error on its fd):
         * it is gone, as on a wire. */
        nc->stats.errors++;
    }
    return ret;
}

static void maybe_resume_sender(NetQueue *q)
{
    NetClientState *sender = q->owner->peer;
    NetReadyCB *cb;

    if (!q->ready || q->packets.length > NET_QUEUE_SOFT_LIMIT / 2 ||
        q->bytes > NET_QUEUE_SOFT_BYTES / 2) {
        return;
    }
    cb = net_queue_take_ready(q);
    if (sender) {
        cb(sender);
    }
}

void net_queue_flush_all(NetQueue *q)
{
    struct iovec iov;
    NetPacket *p;

    if (q->delivering) {
        /* The owner's receive led here: the outer loop goes on. */
        return;
    }
    while (g_queue_peek_head(&q->packets) && owner_can_receive(q)) {
        /* Off the queue while the owner looks at it, so a purge from
         * inside its receive cannot free it under us. */
        p = g_queue_pop_head(&q->packets);
        q->bytes -= p->len;
        iov.iov_base = p->data;
        iov.iov_len = p->len;
        if (deliver(q, &iov, 1, p->len) == 0) {
            g_queue_push_head(&q->packets, p);
            q->bytes += p->len;
            break;
        }
        g_free(p);
    }
    if (!q->packets.length) {
        q->drop_logged = false;
    }
    maybe_resume_sender(q);
}

void net_queue_drop_all(NetQueue *q)
{
    NetPacket *p;

    while ((p = g_queue_pop_head(&q->packets))) {
        g_free(p);
    }
    q->bytes = 0;
    q->drop_logged = false;
}

static ssize_t append(NetQueue *q, NetClientState *sender,
                      const struct iovec *iov, int iovcnt, size_t size,
                      NetReadyCB *ready)
{
    NetPacket *p;

    if (q->packets.length >= NET_QUEUE_HARD_LIMIT ||
        q->bytes + size > NET_QUEUE_HARD_BYTES) {
        /* Only a sender that ignores being stopped, or one that cannot
         * be stopped (slirp answering the guest), gets here: the
         * receiver has taken nothing for thousands of frames. */
        q->owner->stats.dropped++;
        if (!q->drop_logged) {
            q->drop_logged = true;
            ember_log_mask(LOG_GUEST_ERROR, "net: %s takes no frames; "
                           "dropping frames from %s\n", q->owner->name,
                           sender->name);
        }
        return size;
    }
    p = g_malloc(sizeof(*p) + size);
    p->len = size;
    net_iov_to_buf(iov, iovcnt, 0, p->data, size);
    g_queue_push_tail(&q->packets, p);
    q->bytes += size;
    q->owner->stats.queued++;
    if (ready && (q->packets.length >= NET_QUEUE_SOFT_LIMIT ||
                  q->bytes >= NET_QUEUE_SOFT_BYTES)) {
        q->ready = ready;
        sender->stats.stops++;
        return 0;
    }
    return size;
}

ssize_t net_queue_send(NetQueue *q, NetClientState *sender,
                       const struct iovec *iov, int iovcnt, size_t size,
                       NetReadyCB *ready)
{
    ssize_t ret;

    /* A receiver that became ready without flushing: catch up first, so
     * the new frame keeps its place behind the old ones. */
    if (q->packets.length && !q->delivering && owner_can_receive(q)) {
        net_queue_flush_all(q);
    }
    if (q->packets.length || q->delivering || !owner_can_receive(q)) {
        return append(q, sender, iov, iovcnt, size, ready);
    }
    ret = deliver(q, iov, iovcnt, size);
    if (ret == 0) {
        return append(q, sender, iov, iovcnt, size, ready);
    }
    /* Frames that arrived while the owner was inside receive. */
    if (q->packets.length) {
        net_queue_flush_all(q);
    }
    return size;
}
