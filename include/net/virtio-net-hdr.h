/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio-net header (virtio 1.2, 5.1.6 "Device Operation"): what
 * precedes every frame on a virtqueue, and on a link where both peers
 * agreed to carry it (virtio-net <-> tap with IFF_VNET_HDR). It tells
 * the receiver that a checksum is still to be filled in (partial
 * checksum, csum_start/csum_offset) or that the frame is a GSO super
 * frame to be segmented (gso_type/gso_size/hdr_len).
 *
 * Fields are little-endian for virtio 1.x devices (VIRTIO_F_VERSION_1);
 * the Linux tap driver uses the host's byte order unless told otherwise
 * (TUNSETVNETLE), which on x86 hosts is the same thing.
 *
 * The 10-byte form is the legacy header without num_buffers; with
 * VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF the header is 12 bytes.
 */
#ifndef NET_VIRTIO_NET_HDR_H
#define NET_VIRTIO_NET_HDR_H

#include "ember/osdep.h"

typedef struct VirtioNetHdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;           /* Ethernet + IP + TCP/UDP header bytes */
    uint16_t gso_size;          /* payload bytes per segment */
    uint16_t csum_start;        /* where checksumming starts */
    uint16_t csum_offset;       /* where, after csum_start, it goes */
} EMBER_PACKED VirtioNetHdr;

typedef struct VirtioNetHdrMrg {
    VirtioNetHdr hdr;
    uint16_t num_buffers;       /* buffers a received frame spans */
} EMBER_PACKED VirtioNetHdrMrg;

G_STATIC_ASSERT(sizeof(VirtioNetHdr) == 10);
G_STATIC_ASSERT(sizeof(VirtioNetHdrMrg) == 12);

/* flags */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1   /* csum_start/offset valid */
#define VIRTIO_NET_HDR_F_DATA_VALID 2   /* checksum already checked */
#define VIRTIO_NET_HDR_F_RSC_INFO   4

/* gso_type */
#define VIRTIO_NET_HDR_GSO_NONE     0
#define VIRTIO_NET_HDR_GSO_TCPV4    1
#define VIRTIO_NET_HDR_GSO_UDP      3   /* UFO: IPv4/IPv6 fragmentation */
#define VIRTIO_NET_HDR_GSO_TCPV6    4
#define VIRTIO_NET_HDR_GSO_UDP_L4   5   /* USO */
#define VIRTIO_NET_HDR_GSO_ECN      0x80 /* TCP with CWR set */

#endif
