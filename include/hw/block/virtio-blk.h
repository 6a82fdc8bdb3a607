/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk (virtio 1.2, section 5.2) over PCI: "virtio-blk-pci", a
 * disk on a BlockBackend. The wire format below is the specification's;
 * tests and guests use the same numbers.
 */
#ifndef HW_BLOCK_VIRTIO_BLK_H
#define HW_BLOCK_VIRTIO_BLK_H

#include "hw/virtio/virtio-pci.h"

#define TYPE_VIRTIO_BLK_PCI "virtio-blk-pci"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_GEOMETRY       4
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_TOPOLOGY       10
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

/* struct virtio_blk_config (5.2.4): byte offsets. */
#define VIRTIO_BLK_CFG_CAPACITY         0   /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX         8   /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX          12  /* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY         16  /* le16 cyl, u8 heads, u8 sect */
#define VIRTIO_BLK_CFG_BLK_SIZE         20  /* le32 */
#define VIRTIO_BLK_CFG_PHYS_BLOCK_EXP   24  /* u8 */
#define VIRTIO_BLK_CFG_ALIGN_OFFSET     25  /* u8 */
#define VIRTIO_BLK_CFG_MIN_IO_SIZE      26  /* le16 */
#define VIRTIO_BLK_CFG_OPT_IO_SIZE      28  /* le32 */
#define VIRTIO_BLK_CFG_WRITEBACK        32  /* u8 */
#define VIRTIO_BLK_CFG_NUM_QUEUES       34  /* le16 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS  36  /* le32 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG      40  /* le32 */
#define VIRTIO_BLK_CFG_DISCARD_ALIGN        44  /* le32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS       48  /* le32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SEG           52  /* le32 */
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP         56  /* u8 */
#define VIRTIO_BLK_CFG_SIZE                 60

/* struct virtio_blk_req (5.2.6): a 16-byte header, data, a status byte. */
#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13
#define VIRTIO_BLK_HDR_SIZE         16
#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2
#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_SECTOR_SIZE      512
/* struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors,
 * le32 flags. */
#define VIRTIO_BLK_DWZ_SIZE         16
#define VIRTIO_BLK_WZ_FLAG_UNMAP    1

/* Segments per discard / write-zeroes request Ember accepts. */
#define VIRTIO_BLK_MAX_DWZ_SEG      32

#endif
