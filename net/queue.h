/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client's incoming queue (private to net/): frames its peer sent
 * while it could not take them, in order, with the flow-control state
 * of the sender. See include/net/net.h for the rules.
 */
#ifndef NET_QUEUE_H
#define NET_QUEUE_H

#include "net/net.h"

NetQueue *net_queue_new(NetClientState *owner);
void net_queue_free(NetQueue *q);

/*
 * The send path to q's owner: deliver at once if possible, else queue.
 * Returns the frame size, or 0 when the sender must stop (see net.h).
 */
ssize_t net_queue_send(NetQueue *q, NetClientState *sender,
                       const struct iovec *iov, int iovcnt, size_t size,
                       NetReadyCB *ready);
void net_queue_flush_all(NetQueue *q);
void net_queue_drop_all(NetQueue *q);
unsigned net_queue_count(NetQueue *q);
/* Forget a stopped sender (it is going away); true if one was waiting. */
NetReadyCB *net_queue_take_ready(NetQueue *q);

#endif
