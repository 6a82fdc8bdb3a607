/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio driver for device tests: the test plays the guest's driver
 * through qtest memory and MMIO accesses (no guest code runs). It finds
 * a modern virtio-pci device by its capabilities, negotiates features,
 * lays out split virtqueues in guest RAM, submits descriptor chains
 * (direct or indirect), polls the used ring, and points MSI-X vectors
 * at RAM so that messages can be read back.
 *
 *   QVirtioDevice d;
 *   QGuestAlloc a;
 *   qguest_alloc_init(&a, 0x100000, 0x1000000);
 *   qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK);
 *   qvirtio_start(&d, features);            // reset .. FEATURES_OK
 *   QVirtQueue *vq = qvirtqueue_setup(&d, &a, 0, 0);
 *   qvirtio_driver_ok(&d);
 *   QVirtBuf b[3] = { { hdr, 16, false }, { data, 512, true },
 *                     { status, 1, true } };
 *   uint16_t head = qvirtqueue_add_chain(vq, b, 3);
 *   qvirtqueue_kick(vq, head);
 *   qvirtqueue_wait_used(vq, &id, &len);
 *
 * The wire constants come from Ember's own headers
 * (include/hw/virtio/virtio.h, virtio-pci.h, hw/block/virtio-blk.h),
 * which follow the virtio 1.2 specification.
 */
#ifndef LIBQVIRTIO_H
#define LIBQVIRTIO_H

#include "libqpci.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/block/virtio-blk.h"

/* A bump allocator over a range of guest RAM. */
typedef struct QGuestAlloc {
    uint64_t start, end, next;
} QGuestAlloc;

void qguest_alloc_init(QGuestAlloc *a, uint64_t start, uint64_t end);
/* size bytes aligned to align (a power of two); zeroed in the guest. */
uint64_t qguest_alloc(QTestState *s, QGuestAlloc *a, uint64_t size,
                      uint64_t align);

typedef struct QVirtioDevice {
    QTestState *qts;
    int devfn;
    uint16_t device_type;
    QPCIBar bar;                /* the BAR the capabilities name */
    int bar_nr;
    uint64_t common;            /* guest addresses of the structures */
    uint64_t isr;
    uint64_t device;
    uint64_t notify;
    uint32_t notify_mult;
    uint32_t device_len;
    uint8_t cfg_cap;            /* VIRTIO_PCI_CAP_PCI_CFG offset, or 0 */
    uint8_t msix_cap;           /* 0: no MSI-X */
    uint64_t msix_table;        /* guest address of the table */
    uint16_t msix_entries;
    uint64_t msix_ram;          /* where vector v's message lands */
    uint64_t features;          /* what qvirtio_start negotiated */
} QVirtioDevice;

/*
 * Find the first virtio-pci device of device_type (or the one at devfn
 * if devfn >= 0), enable memory decoding and bus mastering, and read
 * its capabilities. Asserts that they are all there.
 */
void qvirtio_pci_init(QVirtioDevice *d, QTestState *s, uint16_t device_type,
                      int devfn);

/* Common configuration registers (offsets of virtio-pci.h). */
uint8_t qvirtio_common_readb(QVirtioDevice *d, unsigned off);
uint16_t qvirtio_common_readw(QVirtioDevice *d, unsigned off);
uint32_t qvirtio_common_readl(QVirtioDevice *d, unsigned off);
void qvirtio_common_writeb(QVirtioDevice *d, unsigned off, uint8_t v);
void qvirtio_common_writew(QVirtioDevice *d, unsigned off, uint16_t v);
void qvirtio_common_writel(QVirtioDevice *d, unsigned off, uint32_t v);
/* A 64-bit field as two 32-bit halves, low first (4.1.3.1). */
void qvirtio_common_writeq(QVirtioDevice *d, unsigned off, uint64_t v);
uint64_t qvirtio_common_readq(QVirtioDevice *d, unsigned off);

uint8_t qvirtio_get_status(QVirtioDevice *d);
void qvirtio_set_status(QVirtioDevice *d, uint8_t status);
/* Write 0 and check that the device reads back reset. */
void qvirtio_reset(QVirtioDevice *d);
uint64_t qvirtio_get_features(QVirtioDevice *d);
void qvirtio_set_features(QVirtioDevice *d, uint64_t features);
/* Set FEATURES_OK; whether the device kept it (3.1.1 step 6). */
bool qvirtio_features_ok(QVirtioDevice *d);
/*
 * Reset, ACKNOWLEDGE, DRIVER, accept features (masked by what the
 * device offers, always with VERSION_1) and FEATURES_OK, asserted.
 */
void qvirtio_start(QVirtioDevice *d, uint64_t features);
void qvirtio_driver_ok(QVirtioDevice *d);
uint8_t qvirtio_isr_read(QVirtioDevice *d);

/* Device configuration (4.1.4.6). */
uint8_t qvirtio_config_readb(QVirtioDevice *d, unsigned off);
uint16_t qvirtio_config_readw(QVirtioDevice *d, unsigned off);
uint32_t qvirtio_config_readl(QVirtioDevice *d, unsigned off);
uint64_t qvirtio_config_readq(QVirtioDevice *d, unsigned off);
void qvirtio_config_writeb(QVirtioDevice *d, unsigned off, uint8_t v);

/*
 * MSI-X: enable the capability and point every vector's message at RAM
 * (vector v writes data 0x5000 + v at ram + 4 * v), unmasked.
 */
void qvirtio_msix_enable(QVirtioDevice *d, QGuestAlloc *a);
/* Message of vector v arrived since the last call? (clears it) */
bool qvirtio_msix_seen(QVirtioDevice *d, uint16_t v);
void qvirtio_msix_mask(QVirtioDevice *d, uint16_t v, bool masked);

/* ---- virtqueues ---------------------------------------------------------- */

typedef struct QVirtBuf {
    uint64_t addr;
    uint32_t len;
    bool write;                 /* device-writable */
} QVirtBuf;

typedef struct QVirtQueue {
    QVirtioDevice *dev;
    unsigned index;
    unsigned size;
    uint64_t desc, avail, used;
    uint16_t avail_idx;         /* driver's next available index */
    uint16_t last_used_idx;     /* next used entry to read */
    uint16_t free_head;
    unsigned num_free;
    uint16_t *next_free;        /* free list (host side) */
    uint16_t *chain_len;        /* descriptors of each head */
    QGuestAlloc *alloc;
} QVirtQueue;

/*
 * Set up queue index: size 0 takes the device's size; vector is its
 * MSI-X vector (VIRTIO_NO_VECTOR for none). Rings are allocated from a
 * and the queue enabled; asserts that it reads back enabled.
 */
QVirtQueue *qvirtqueue_setup(QVirtioDevice *d, QGuestAlloc *a,
                             unsigned index, unsigned size, uint16_t vector);
/* Write the queue registers (select, size, addresses) without enable. */
void qvirtqueue_program(QVirtQueue *vq);
void qvirtqueue_free(QVirtQueue *vq);

/* A chain of n descriptors from the free list; returns its head. */
uint16_t qvirtqueue_add_chain(QVirtQueue *vq, const QVirtBuf *bufs,
                              unsigned n);
/* One descriptor pointing at an indirect table of n entries (2.7.5.3). */
uint16_t qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtBuf *bufs,
                                 unsigned n);
/* Put head in the available ring and publish the index. */
void qvirtqueue_make_available(QVirtQueue *vq, uint16_t head);
/* Notify the queue (the notify register). */
void qvirtqueue_notify(QVirtQueue *vq);
/*
 * make_available, then notify if the device asks for it (used->flags
 * NO_NOTIFY, or avail_event with EVENT_IDX, 2.7.10); returns whether a
 * notification was sent.
 */
bool qvirtqueue_kick(QVirtQueue *vq, uint16_t head);
/* The next used entry, if any (its chain goes back to the free list). */
bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *id, uint32_t *len);
/* Poll for it (the main loop completes requests); asserts on timeout. */
void qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *id, uint32_t *len);
uint16_t qvirtqueue_used_idx(QVirtQueue *vq);
/* Driver's suppression fields: avail->flags, used_event. */
void qvirtqueue_set_avail_flags(QVirtQueue *vq, uint16_t flags);
void qvirtqueue_set_used_event(QVirtQueue *vq, uint16_t idx);
/* Device's suppression fields: used->flags, avail_event. */
uint16_t qvirtqueue_used_flags(QVirtQueue *vq);
uint16_t qvirtqueue_avail_event(QVirtQueue *vq);

/* Raw access for hostile tests: one descriptor, one avail slot. */
void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next);
void qvirtqueue_set_avail_entry(QVirtQueue *vq, uint16_t slot,
                                uint16_t head);
void qvirtqueue_set_avail_idx(QVirtQueue *vq, uint16_t idx);

/* Wait (polling) until cond(opaque) holds; asserts on timeout. */
void qvirtio_wait(QTestState *s, bool (*cond)(void *opaque), void *opaque);

/* ---- virtio-blk ---------------------------------------------------------- */

/*
 * One request, synchronously: a header, len bytes of data (written to
 * the device from buf, or read into buf for IN and GET_ID; none if len
 * is 0) and the status byte, as a direct or an indirect chain. Returns
 * the status; *used_len gets the used length. Guest buffers come from
 * the queue's allocator and are given back afterwards.
 */
uint8_t qvirtio_blk_request(QVirtQueue *vq, uint32_t type, uint64_t sector,
                            void *buf, uint32_t len, bool indirect,
                            uint32_t *used_len);
/* DISCARD or WRITE_ZEROES of one segment. */
uint8_t qvirtio_blk_dwz(QVirtQueue *vq, uint32_t type, uint64_t sector,
                        uint32_t nsectors, uint32_t flags);

#endif
