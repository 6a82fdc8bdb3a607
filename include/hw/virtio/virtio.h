/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio core (virtio 1.2, section 2): device status, feature
 * negotiation, the device configuration space with its generation
 * counter, and split virtqueues (2.7) with indirect descriptors and
 * event-index notification suppression. It knows no transport: a
 * transport (virtio-pci, include/hw/virtio/virtio-pci.h) decodes the
 * driver's register accesses into the calls below and delivers the
 * interrupts the core asks for. See docs/virtio.md.
 *
 * A device (virtio-blk, virtio-net) embeds a VirtIODevice, describes
 * itself with a constant VirtioDeviceClass, and in its realize calls
 *
 *   virtio_init(vdev, &my_class, config_size);
 *   vdev->host_features |= my feature bits;
 *   vq = virtio_add_queue(vdev, 256, my_handle_output);
 *
 * Its handle_output runs when the driver notifies the queue:
 *
 *   VirtQueueElement *e;
 *   while ((e = virtqueue_pop(vq, sizeof(MyReq)))) {
 *       ... read e->out_sg, fill e->in_sg (now or later) ...
 *       virtqueue_push(vq, e, bytes_written);   // used ring
 *       virtio_notify(vdev, vq);                // interrupt, if wanted
 *       g_free(e);
 *   }
 *
 * The guest is hostile. Everything the driver wrote is checked before
 * use: rings and buffers must lie entirely in guest RAM (never MMIO),
 * indices within the queue, chains no longer than the queue, no loops,
 * no nested indirect tables, lengths that cannot overflow. A bad chain
 * calls virtio_error(): the device logs it (-d guest_errors), sets
 * DEVICE_NEEDS_RESET, sends a configuration change interrupt and
 * ignores the queues until the driver resets it.
 *
 * Everything here runs under the BQL (MMIO handlers, main-loop
 * callbacks). The rings themselves are shared with vCPUs that run
 * without it; the core orders its ring accesses with memory barriers as
 * 2.7.13 describes.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include <sys/uio.h>

/* ---- constants (virtio 1.2) ------------------------------------------ */

/* Device status bits (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Reserved feature bits (6). */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_ACCESS_PLATFORM        33
#define VIRTIO_F_RING_PACKED            34
#define VIRTIO_F_IN_ORDER               35
#define VIRTIO_F_ORDER_PLATFORM         36
#define VIRTIO_F_SR_IOV                 37
#define VIRTIO_F_NOTIFICATION_DATA      38
#define VIRTIO_F_NOTIF_CONFIG_DATA      39
#define VIRTIO_F_RING_RESET             40

/* Device types (5). */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_CONSOLE               3
#define VIRTIO_ID_RNG                   4

/* Split virtqueue layout (2.7). */
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2
#define VRING_DESC_F_INDIRECT           4
#define VRING_AVAIL_F_NO_INTERRUPT      1
#define VRING_USED_F_NO_NOTIFY          1
#define VRING_DESC_SIZE                 16
#define VRING_USED_ELEM_SIZE            8
/* Required alignment of the three parts (2.7, table "Virtqueue Part"). */
#define VRING_DESC_ALIGN                16
#define VRING_AVAIL_ALIGN               2
#define VRING_USED_ALIGN                4

/* Sizes of the rings: 6 bytes of flags/idx/event + the entries. */
static inline uint64_t vring_avail_size(unsigned num)
{
    return 6 + 2ULL * num;
}
static inline uint64_t vring_used_size(unsigned num)
{
    return 6 + (uint64_t)VRING_USED_ELEM_SIZE * num;
}

/*
 * 2.7.7.2 / 2.7.10: with VIRTIO_F_EVENT_IDX, notify when the index moved
 * from old to new_idx past event (all modulo 2^16).
 */
static inline bool vring_need_event(uint16_t event, uint16_t new_idx,
                                    uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* Limits of this implementation. */
#define VIRTIO_QUEUE_MAX        64      /* queues per device */
#define VIRTQUEUE_MAX_SIZE      1024    /* descriptors per queue */
#define VIRTIO_NO_VECTOR        0xffff  /* 4.1.4.3: no MSI-X vector */
/* Buffers (iovec pieces) per element; a descriptor may map in pieces. */
#define VIRTQUEUE_MAX_SG        (2 * VIRTQUEUE_MAX_SIZE)
/* Total bytes per direction of one element (used lengths are 32-bit). */
#define VIRTQUEUE_MAX_BYTES     UINT32_MAX

/* ---- types -------------------------------------------------------------- */

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;
typedef void VirtIOHandleOutput(VirtIODevice *vdev, VirtQueue *vq);

/*
 * One buffer the driver made available: the descriptor chain gathered
 * into host iovecs. out_sg are the device-readable buffers, in_sg the
 * device-writable ones (2.7.4: readable ones come first in a chain).
 * addr[] hold the guest-physical address of each piece.
 *
 * virtqueue_pop() allocates the element in one block of the size the
 * device asks for, so a device can put its request state after it:
 *   typedef struct MyReq { VirtQueueElement elem; ... } MyReq;
 * Free it with g_free() after virtqueue_push() or virtqueue_detach().
 */
typedef struct VirtQueueElement {
    unsigned index;             /* head descriptor: the used ring's id */
    unsigned out_num;
    unsigned in_num;
    uint64_t out_len;           /* bytes in out_sg / in_sg */
    uint64_t in_len;
    hwaddr *out_addr;
    hwaddr *in_addr;
    struct iovec *out_sg;
    struct iovec *in_sg;
} VirtQueueElement;

/* A device type's constant behaviour (all callbacks optional). */
typedef struct VirtioDeviceClass {
    const char *name;               /* "virtio-blk" (for messages) */
    uint16_t device_id;             /* VIRTIO_ID_* */
    /*
     * FEATURES_OK: the driver accepted features (already checked to be
     * a subset of host_features with VERSION_1). Return false to refuse
     * a combination the device cannot work with (the FEATURES_OK bit
     * then stays clear, 3.1.1).
     */
    bool (*validate_features)(VirtIODevice *vdev, uint64_t features);
    /* The negotiated features took effect. */
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    /* Fill the config space (config_len bytes) with current values. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* The driver wrote to the config space (vdev->config holds it). */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /* The status changed (DRIVER_OK set, ...); not called for reset. */
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
    /*
     * Device reset (status 0, machine reset): finish or cancel what is
     * in flight (e.g. blk_drain) so that no element stays popped. The
     * core resets the queues after this returns.
     */
    void (*reset)(VirtIODevice *vdev);
    /* VIRTIO_F_RING_RESET: the same for queue n alone. */
    void (*queue_reset)(VirtIODevice *vdev, unsigned n);
} VirtioDeviceClass;

/* What the transport does for the core. */
typedef struct VirtioTransportOps {
    /*
     * Send an interrupt for MSI-X vector (VIRTIO_NO_VECTOR: none); the
     * ISR bits are already set in vdev->isr for INTx.
     */
    void (*notify)(VirtIODevice *vdev, uint16_t vector);
    /* May the device access guest memory now (bus mastering)? */
    bool (*dma_enabled)(VirtIODevice *vdev);
    /* Queue n was enabled or reset/disabled (ioeventfd set-up). */
    void (*queue_enabled)(VirtIODevice *vdev, unsigned n, bool enabled);
} VirtioTransportOps;

/* A guest-physical ring area mapped to host memory, revalidated when the
 * memory map changes. */
typedef struct VRingMap {
    hwaddr addr;
    uint64_t len;
    uint8_t *ptr;               /* NULL: not mapped */
    MemoryRegion *mr;           /* for dirty tracking of device writes */
    hwaddr mr_offset;
    unsigned generation;        /* memory map generation when mapped */
} VRingMap;

struct VirtQueue {
    VirtIODevice *vdev;
    unsigned index;
    /* Set-up by the driver (through the transport). */
    uint16_t num;               /* queue size */
    uint16_t num_max;           /* what the device offers */
    hwaddr desc_addr, avail_addr, used_addr;
    bool enabled;
    uint16_t vector;            /* MSI-X vector or VIRTIO_NO_VECTOR */
    /* Ring state. */
    uint16_t last_avail_idx;    /* next avail entry the device takes */
    uint16_t shadow_avail_idx;  /* avail->idx as last read */
    uint16_t used_idx;          /* next used entry */
    uint16_t signalled_used;    /* used_idx at the last notification */
    bool signalled_used_valid;
    bool notification;          /* driver notifications wanted */
    unsigned inuse;             /* popped, not yet pushed/detached */
    VRingMap desc, avail, used;
    VirtIOHandleOutput *handle_output;
    bool in_handler;            /* re-entry guard (MSI aimed at us) */
    bool notify_pending;
};

struct VirtIODevice {
    const VirtioDeviceClass *vdc;
    const VirtioTransportOps *transport;
    void *transport_opaque;     /* the transport's state (VirtIOPCIProxy) */
    char *name;                 /* for messages: "virtio-blk 04.0" */
    uint16_t device_id;
    AddressSpace *dma_as;       /* where the rings and buffers live */
    struct VirtIOMemWatch *mem_watch;   /* its memory map generations */

    uint8_t status;
    uint8_t isr;                /* 4.1.4.5: bit 0 queue, bit 1 config */
    bool broken;                /* DEVICE_NEEDS_RESET until reset */
    bool resetting;             /* in virtio_reset / virtio_queue_reset */
    uint64_t host_features;     /* offered (VERSION_1 always) */
    uint64_t guest_features;    /* written by the driver */
    uint16_t config_vector;
    uint8_t config_generation;
    uint32_t config_len;
    uint8_t *config;

    unsigned nvqs;
    VirtQueue vq[VIRTIO_QUEUE_MAX];
};

/* ---- set-up (device realize/unrealize) ---------------------------------- */

/*
 * Initialise vdev (zeroed first by the caller's allocation) for a
 * device class with a config space of config_len bytes. The features
 * offered start as VERSION_1 | INDIRECT_DESC | EVENT_IDX | RING_RESET;
 * the device adds its own bits to host_features (or clears these).
 */
void virtio_init(VirtIODevice *vdev, const VirtioDeviceClass *vdc,
                 size_t config_len);
void virtio_cleanup(VirtIODevice *vdev);
/* Add the next queue, offering size num_max (a power of two <= 1024). */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned num_max,
                            VirtIOHandleOutput *handle_output);
/* Connect the transport (before the guest can see the device). */
void virtio_set_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                          void *opaque, AddressSpace *dma_as);

static inline bool virtio_has_feature(uint64_t features, unsigned bit)
{
    return features & (1ULL << bit);
}
static inline bool virtio_vdev_has_feature(VirtIODevice *vdev, unsigned bit)
{
    return virtio_has_feature(vdev->guest_features, bit);
}
static inline VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n)
{
    return n < vdev->nvqs ? &vdev->vq[n] : NULL;
}
static inline bool virtio_driver_ok(VirtIODevice *vdev)
{
    return vdev->status & VIRTIO_CONFIG_S_DRIVER_OK;
}

/* ---- transport side: the driver's register writes ------------------------ */

/*
 * A status write (2.1, 3.1.1). 0 resets the device. FEATURES_OK is
 * kept only if the features written are acceptable; DRIVER_OK only
 * after FEATURES_OK; clearing bits other than by a reset is refused
 * (logged). Returns the new status.
 */
uint8_t virtio_set_status(VirtIODevice *vdev, uint8_t val);
/* Full device reset: device callback, queues, status, features, ISR. */
void virtio_reset(VirtIODevice *vdev);
/* Driver feature writes; ignored (logged) after FEATURES_OK. */
void virtio_set_guest_features_word(VirtIODevice *vdev, unsigned word,
                                    uint32_t val);
uint32_t virtio_get_host_features_word(VirtIODevice *vdev, unsigned word);

/* Queue registers; writes are refused (logged) while the queue is
 * enabled. set_num takes a power of two up to num_max. */
bool virtio_queue_set_num(VirtIODevice *vdev, unsigned n, unsigned num);
void virtio_queue_set_addrs(VirtIODevice *vdev, unsigned n, hwaddr desc,
                            hwaddr avail, hwaddr used);
/*
 * Enable queue n: its rings must be aligned and lie in RAM, or the
 * device needs a reset (virtio_error). Returns whether it is enabled.
 */
bool virtio_queue_enable(VirtIODevice *vdev, unsigned n);
/* VIRTIO_F_RING_RESET (2.6.1): reset queue n alone. */
void virtio_queue_reset(VirtIODevice *vdev, unsigned n);
/* The driver notified queue n ("available buffer notification"). */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);

/* Config space accesses by the driver (offset + size within config). */
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr,
                            unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val,
                         unsigned size);

/* ---- device side --------------------------------------------------------- */

/*
 * The next available buffer of vq, or NULL (nothing available, queue
 * not ready, or an invalid chain, which also calls virtio_error()). sz
 * is the size of the device's request struct that begins with the
 * element (at least sizeof(VirtQueueElement)).
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/*
 * Return elem to the driver with len bytes written into its in_sg:
 * fill puts it at used ring slot used_idx + idx, flush publishes count
 * filled entries; push is fill + flush(1).
 */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned len, unsigned idx);
void virtqueue_flush(VirtQueue *vq, unsigned count);
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned len);
/* Drop elem without using it (the driver sees it never completes;
 * only for device reset paths). */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned len);
/* Give back the last popped elem as if never taken (no room yet). */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned len);
/* Buffers available? (0 if the queue is not ready) */
bool virtqueue_empty(VirtQueue *vq);
/*
 * Ask the driver for (enable) or not for (disable) available buffer
 * notifications (2.7.10): used->flags NO_NOTIFY or avail_event.
 */
void virtio_queue_set_notification(VirtQueue *vq, bool enable);
/* Send a used buffer notification if the driver wants one (2.7.7). */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Configuration change: bump the generation, ISR bit 1, config vector. */
void virtio_notify_config(VirtIODevice *vdev);
/*
 * The driver did something the device cannot recover from: log it,
 * set DEVICE_NEEDS_RESET (2.1.2) and, after DRIVER_OK, send a
 * configuration change notification. Queues stop until reset.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    EMBER_PRINTF(2, 3);

/* Byte helpers over an element's iovecs. */
size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
                         void *buf, size_t len);
size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
                           const void *buf, size_t len);
size_t virtio_iov_size(const struct iovec *iov, unsigned n);

#endif
