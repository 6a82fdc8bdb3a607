/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net (virtio 1.2, section 5.1) over PCI: "virtio-net-pci", a NIC
 * on a -netdev back end. The wire format below is the specification's;
 * tests and guests use the same numbers. See docs/net.md.
 *
 *   -device virtio-net-pci,netdev=ID[,mac=52:54:00:12:34:56]
 *           [,mrg_rxbuf=on|off][,csum=on|off][,guest_csum=on|off]
 *           [,gso=on|off][,ctrl_vq=on|off][,ctrl_rx=on|off]
 *           [,ctrl_vlan=on|off][,status=on|off][,host_mtu=N]
 *           [,rx_queue_size=N][,tx_queue_size=N]
 *
 * Queues: 0 receiveq1, 1 transmitq1, 2 controlq (with CTRL_VQ).
 */
#ifndef HW_NET_VIRTIO_NET_H
#define HW_NET_VIRTIO_NET_H

#include "hw/virtio/virtio-pci.h"

#define TYPE_VIRTIO_NET_PCI "virtio-net-pci"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM               0   /* device takes partial csums */
#define VIRTIO_NET_F_GUEST_CSUM         1   /* driver takes partial csums */
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU                3
#define VIRTIO_NET_F_MAC                5
#define VIRTIO_NET_F_GUEST_TSO4         7
#define VIRTIO_NET_F_GUEST_TSO6         8
#define VIRTIO_NET_F_GUEST_ECN          9
#define VIRTIO_NET_F_GUEST_UFO          10
#define VIRTIO_NET_F_HOST_TSO4          11
#define VIRTIO_NET_F_HOST_TSO6          12
#define VIRTIO_NET_F_HOST_ECN           13
#define VIRTIO_NET_F_HOST_UFO           14
#define VIRTIO_NET_F_MRG_RXBUF          15
#define VIRTIO_NET_F_STATUS             16
#define VIRTIO_NET_F_CTRL_VQ            17
#define VIRTIO_NET_F_CTRL_RX            18
#define VIRTIO_NET_F_CTRL_VLAN          19
#define VIRTIO_NET_F_CTRL_RX_EXTRA      20
#define VIRTIO_NET_F_GUEST_ANNOUNCE     21
#define VIRTIO_NET_F_MQ                 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR      23
#define VIRTIO_NET_F_SPEED_DUPLEX       63

/* struct virtio_net_config (5.1.4): byte offsets. */
#define VIRTIO_NET_CFG_MAC              0   /* u8[6] */
#define VIRTIO_NET_CFG_STATUS           6   /* le16 */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS     8   /* le16 */
#define VIRTIO_NET_CFG_MTU              10  /* le16 */
#define VIRTIO_NET_CFG_SPEED            12  /* le32, Mb/s; ~0 unknown */
#define VIRTIO_NET_CFG_DUPLEX           16  /* u8; 0xff unknown */
#define VIRTIO_NET_CFG_SIZE             24

#define VIRTIO_NET_S_LINK_UP            1
#define VIRTIO_NET_S_ANNOUNCE           2

/* Every buffer begins with this header (virtio 1.x: 12 bytes). */
#define VIRTIO_NET_HDR_SIZE             12

/* The control virtqueue (5.1.6.5): class, command, data, then an ack. */
#define VIRTIO_NET_OK                   0
#define VIRTIO_NET_ERR                  1

#define VIRTIO_NET_CTRL_RX              0
#define  VIRTIO_NET_CTRL_RX_PROMISC     0
#define  VIRTIO_NET_CTRL_RX_ALLMULTI    1
#define  VIRTIO_NET_CTRL_RX_ALLUNI      2
#define  VIRTIO_NET_CTRL_RX_NOMULTI     3
#define  VIRTIO_NET_CTRL_RX_NOUNI       4
#define  VIRTIO_NET_CTRL_RX_NOBCAST     5
#define VIRTIO_NET_CTRL_MAC             1
#define  VIRTIO_NET_CTRL_MAC_TABLE_SET  0
#define  VIRTIO_NET_CTRL_MAC_ADDR_SET   1
#define VIRTIO_NET_CTRL_VLAN            2
#define  VIRTIO_NET_CTRL_VLAN_ADD       0
#define  VIRTIO_NET_CTRL_VLAN_DEL       1
#define VIRTIO_NET_CTRL_ANNOUNCE        3
#define  VIRTIO_NET_CTRL_ANNOUNCE_ACK   0
#define VIRTIO_NET_CTRL_MQ              4
#define  VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS  5
#define  VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

/* Entries of each MAC filter table the device keeps (more: accept all
 * of that kind, as the table overflowed). */
#define VIRTIO_NET_MAC_TABLE_ENTRIES    64

#endif
