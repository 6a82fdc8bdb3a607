/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-input (virtio 1.2, section 5.8) and Ember's absolute pointer,
 * "virtio-tablet-pci": the SDL window's pointer position goes to the
 * guest as absolute coordinates, so the pointer needs no grab.
 *
 * Queues: 0 eventq (device -> driver: 8-byte events), 1 statusq (driver
 * -> device: LED state and the like, consumed and ignored).
 * Configuration space (5.8.4): select, subsel, size, 5 reserved bytes,
 * then 128 bytes of answer.
 */
#ifndef HW_INPUT_VIRTIO_INPUT_H
#define HW_INPUT_VIRTIO_INPUT_H

#define TYPE_VIRTIO_TABLET_PCI      "virtio-tablet-pci"
#define VIRTIO_ID_INPUT             18
#define PCI_CLASS_INPUT_OTHER       0x0980

/* enum virtio_input_config_select (5.8.4) */
#define VIRTIO_INPUT_CFG_UNSET      0x00
#define VIRTIO_INPUT_CFG_ID_NAME    0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL  0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS  0x03
#define VIRTIO_INPUT_CFG_PROP_BITS  0x10
#define VIRTIO_INPUT_CFG_EV_BITS    0x11
#define VIRTIO_INPUT_CFG_ABS_INFO   0x12

#define VIRTIO_INPUT_CFG_SELECT     0
#define VIRTIO_INPUT_CFG_SUBSEL     1
#define VIRTIO_INPUT_CFG_SIZE       2
#define VIRTIO_INPUT_CFG_U          8
#define VIRTIO_INPUT_CFG_U_LEN      128
#define VIRTIO_INPUT_CFG_LEN        (VIRTIO_INPUT_CFG_U + \
                                     VIRTIO_INPUT_CFG_U_LEN)

/* struct virtio_input_event: le16 type, le16 code, le32 value. */
#define VIRTIO_INPUT_EVENT_SIZE     8

/* The tablet's axes: 0 .. VIRTIO_TABLET_ABS_MAX (INPUT_ABS_MAX). */
#define VIRTIO_TABLET_ABS_MAX       0x7fff
#define VIRTIO_TABLET_NAME          "Ember Virtio Tablet"

#endif
