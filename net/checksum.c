/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet checksum; see include/net/checksum.h. */
#include "ember/osdep.h"
#include "net/checksum.h"

uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
    uint64_t s = sum;
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        s += (uint32_t)buf[i] << 8 | buf[i + 1];
    }
    if (len & 1) {
        s += (uint32_t)buf[len - 1] << 8;
    }
    while (s >> 32) {
        s = (s & 0xffffffff) + (s >> 32);
    }
    return (uint32_t)s;
}

uint16_t net_checksum_finish(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

bool net_checksum_complete_partial(uint8_t *frame, size_t len,
                                   size_t csum_start, size_t csum_offset)
{
    uint16_t c;

    if (csum_start >= len || csum_offset > len - csum_start ||
        len - csum_start - csum_offset < 2) {
        return false;
    }
    c = net_checksum_finish(net_checksum_add(0, frame + csum_start,
                                             len - csum_start));
    /* 0 and 0xffff are the same number; UDP reserves 0 for "none"
     * (RFC 768), so write the other one, as Linux does. */
    if (!c) {
        c = 0xffff;
    }
    frame[csum_start + csum_offset] = c >> 8;
    frame[csum_start + csum_offset + 1] = c;
    return true;
}
