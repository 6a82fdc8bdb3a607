/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Internet checksum (RFC 1071), and completing the partial checksum
 * of a frame whose virtio-net header says NEEDS_CSUM (virtio 1.2,
 * 5.1.6.2): the field at csum_start + csum_offset holds the sum of the
 * pseudo-header; the rest is summed from csum_start to the end.
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include "ember/osdep.h"

/* Add len bytes (big-endian 16-bit words) to a running sum. */
uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len);
/* Fold and complement. */
uint16_t net_checksum_finish(uint32_t sum);
/*
 * Fill in a partial checksum in place; false (frame untouched) when
 * start/offset do not fit in the frame.
 */
bool net_checksum_complete_partial(uint8_t *frame, size_t len,
                                   size_t csum_start, size_t csum_offset);

#endif
