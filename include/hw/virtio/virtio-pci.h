/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio over PCI, the modern (non-transitional) interface of virtio 1.2,
 * section 4.1. See docs/virtio.md for the register layout.
 *
 * Identity (4.1.2): vendor 0x1af4, device 0x1040 + virtio device type,
 * revision 1, subsystem 0x1af4:0x1100, a class code per device type.
 * No legacy I/O BAR.
 *
 * BAR 4, 64-bit prefetchable memory, 16 KiB, holds the virtio
 * structures that the vendor-specific capabilities (4.1.4) point to:
 *   0x0000  common configuration (4.1.4.3)
 *   0x1000  ISR status (4.1.4.5)
 *   0x2000  device-specific configuration (4.1.4.6)
 *   0x3000  notifications (4.1.4.4), queue n at 0x3000 + 4 * n
 * BAR 1, 32-bit memory, 4 KiB: the MSI-X table and PBA, one vector per
 * queue plus one for configuration changes (property "vectors").
 * A fifth capability (VIRTIO_PCI_CAP_PCI_CFG, 4.1.4.9) gives access to
 * BAR 4 through configuration space.
 *
 * A virtio PCI device type is a DeviceInfo whose parent is "virtio-pci"
 * and whose class_data is a VirtioPCIDeviceInfo made with
 * VIRTIO_PCI_DEVICE_INFO(); its instance struct begins with a
 * VirtIOPCIProxy:
 *
 *   typedef struct VirtIOBlockPCI {
 *       VirtIOPCIProxy proxy;
 *       VirtIOBlock blk;          // begins with a VirtIODevice
 *   } VirtIOBlockPCI;
 *   static const VirtioPCIDeviceInfo virtio_blk_pci = {
 *       .pci = VIRTIO_PCI_DEVICE_INFO(VIRTIO_ID_BLOCK,
 *                                     PCI_CLASS_STORAGE_SCSI),
 *       .realize = virtio_blk_pci_realize,   // virtio_init + queues,
 *       .unrealize = virtio_blk_pci_unrealize, // then proxy->vdev = ...
 *   };
 *
 * Under KVM (kvm_enabled()), each enabled queue's notify address is a
 * KVM ioeventfd whose eventfd the main loop reads, and MSI-X messages
 * to the local APICs go through irqfds on MSI routes; property
 * ioeventfd=off keeps every notification an MMIO exit.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"

#define VIRTIO_PCI_VENDOR_ID        0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE   0x1040      /* + device type */
#define VIRTIO_PCI_SUBSYS_VENDOR_ID 0x1af4
#define VIRTIO_PCI_SUBSYS_ID        0x1100      /* >= 0x40: 4.1.2.1 */
#define VIRTIO_PCI_REVISION         1

/* Class codes (PCI Code and Assignment Specification). */
#define PCI_CLASS_STORAGE_SCSI      0x0100
#define PCI_CLASS_NETWORK_ETHERNET  0x0200

/* struct virtio_pci_cap (4.1.4): a vendor-specific capability. */
#define VIRTIO_PCI_CAP_CFG_TYPE     3
#define VIRTIO_PCI_CAP_BAR          4
#define VIRTIO_PCI_CAP_ID           5
#define VIRTIO_PCI_CAP_OFFSET       8
#define VIRTIO_PCI_CAP_LENGTH       12
#define VIRTIO_PCI_CAP_LEN          16
/* struct virtio_pci_notify_cap adds notify_off_multiplier. */
#define VIRTIO_PCI_NOTIFY_CAP_MULT  16
#define VIRTIO_PCI_NOTIFY_CAP_LEN   20
/* struct virtio_pci_cfg_cap adds pci_cfg_data[4]. */
#define VIRTIO_PCI_CFG_CAP_DATA     16
#define VIRTIO_PCI_CFG_CAP_LEN      20

#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT      0x00
#define VIRTIO_PCI_COMMON_DF            0x04
#define VIRTIO_PCI_COMMON_GFSELECT      0x08
#define VIRTIO_PCI_COMMON_GF            0x0c
#define VIRTIO_PCI_COMMON_MSIX          0x10
#define VIRTIO_PCI_COMMON_NUMQ          0x12
#define VIRTIO_PCI_COMMON_STATUS        0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT      0x16
#define VIRTIO_PCI_COMMON_Q_SIZE        0x18
#define VIRTIO_PCI_COMMON_Q_MSIX        0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE      0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF        0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO      0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI      0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO     0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI     0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO      0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI      0x34
#define VIRTIO_PCI_COMMON_Q_NDATA       0x38
#define VIRTIO_PCI_COMMON_Q_RESET       0x3a
#define VIRTIO_PCI_COMMON_SIZE          0x3c

/* ISR status bits (4.1.4.5). */
#define VIRTIO_PCI_ISR_QUEUE        0x1
#define VIRTIO_PCI_ISR_CONFIG       0x2

/* Ember's BAR layout. */
#define VIRTIO_PCI_BAR              4
#define VIRTIO_PCI_MSIX_BAR         1
#define VIRTIO_PCI_COMMON_OFFSET    0x0000
#define VIRTIO_PCI_ISR_OFFSET       0x1000
#define VIRTIO_PCI_DEVICE_OFFSET    0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET    0x3000
#define VIRTIO_PCI_REGION_SIZE      0x1000
#define VIRTIO_PCI_BAR_SIZE         0x4000
#define VIRTIO_PCI_NOTIFY_MULT      4           /* bytes per queue */

typedef struct VirtIOPCIProxy VirtIOPCIProxy;

/* KVM fast paths of one queue (accel/kvm/kvm-eventfd.c). */
typedef struct VirtIOPCIQueueFd {
    int notify_fd;              /* ioeventfd, or -1 */
    guint notify_watch;         /* main-loop source reading it */
    hwaddr notify_addr;         /* where it is registered */
    VirtIOPCIProxy *proxy;
    unsigned n;
} VirtIOPCIQueueFd;

/* An irqfd on an MSI route for one MSI-X vector. */
typedef struct VirtIOPCIVectorFd {
    int fd;                     /* -1: none */
    int gsi;
    uint64_t addr;              /* the message the route holds */
    uint32_t data;
    unsigned updates;           /* route rewrites since the last reset */
} VirtIOPCIVectorFd;

struct VirtIOPCIProxy {
    PCIDevice pci;
    VirtIODevice *vdev;         /* set by the leaf's realize */
    /* Properties. */
    int32_t nvectors;           /* "vectors": -1 = queues + 1, 0 = INTx */
    bool ioeventfd;             /* "ioeventfd" (KVM only) */

    MemoryRegion bar;           /* BAR 4 container */
    MemoryRegion common;
    MemoryRegion isr;
    MemoryRegion device;
    MemoryRegion notify;
    uint32_t dfselect;
    uint32_t gfselect;
    uint16_t queue_sel;
    uint8_t cfg_cap;            /* offset of the PCI_CFG capability */

    /* KVM. */
    MemoryListener listener;    /* follows where BAR 4 is mapped */
    bool listener_registered;
    hwaddr notify_base;         /* notify region's guest address, or -1 */
    VirtIOPCIQueueFd qfd[VIRTIO_QUEUE_MAX];
    VirtIOPCIVectorFd *vfd;     /* per MSI-X vector */
    unsigned vfd_count;
};

/* The class_data of a virtio PCI device type. */
typedef struct VirtioPCIDeviceInfo {
    PCIDeviceInfo pci;          /* first: the PCI core reads this */
    /* Build the virtio device (virtio_init, queues) and set proxy->vdev. */
    bool (*realize)(VirtIOPCIProxy *proxy, GError **errp);
    void (*unrealize)(VirtIOPCIProxy *proxy);
} VirtioPCIDeviceInfo;

/* The transport's PCI callbacks, for VIRTIO_PCI_DEVICE_INFO. */
bool virtio_pci_realize(PCIDevice *d, GError **errp);
void virtio_pci_exit(PCIDevice *d);
void virtio_pci_reset(PCIDevice *d);
uint32_t virtio_pci_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void virtio_pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                             unsigned len);

#define VIRTIO_PCI_DEVICE_INFO(virtio_id, class)                    \
    {                                                               \
        .vendor_id = VIRTIO_PCI_VENDOR_ID,                          \
        .device_id = VIRTIO_PCI_DEVICE_ID_BASE + (virtio_id),       \
        .subsystem_vendor_id = VIRTIO_PCI_SUBSYS_VENDOR_ID,         \
        .subsystem_id = VIRTIO_PCI_SUBSYS_ID,                       \
        .class_id = (class),                                        \
        .revision = VIRTIO_PCI_REVISION,                            \
        .interrupt_pin = 1,                                         \
        .realize = virtio_pci_realize,                              \
        .exit = virtio_pci_exit,                                    \
        .reset = virtio_pci_reset,                                  \
        .config_read = virtio_pci_config_read,                      \
        .config_write = virtio_pci_config_write,                    \
    }

static inline VirtIOPCIProxy *VIRTIO_PCI(DeviceState *dev)
{
    return (VirtIOPCIProxy *)dev;
}

#endif
