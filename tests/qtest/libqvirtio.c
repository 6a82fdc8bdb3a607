/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio 1.2 driver for device tests (see libqvirtio.h). It follows
 * the driver side of the specification: 3.1.1 (initialisation), 4.1.3
 * and 4.1.4 (finding the structures), 2.7 (split virtqueues).
 */
#include "libqvirtio.h"
#include "hw/pci/pci_regs.h"
#include <string.h>

#define MSIX_DATA_BASE 0x5000
#define WAIT_POLL_US 200
#define WAIT_TIMEOUT_US (30 * G_USEC_PER_SEC)

/* ---- guest memory -------------------------------------------------------- */

void qguest_alloc_init(QGuestAlloc *a, uint64_t start, uint64_t end)
{
    a->start = a->next = start;
    a->end = end;
}

uint64_t qguest_alloc(QTestState *s, QGuestAlloc *a, uint64_t size,
                      uint64_t align)
{
    uint64_t addr = (a->next + align - 1) & ~(align - 1);

    g_assert_cmpuint(addr + size, <=, a->end);
    a->next = addr + size;
    if (size) {
        qtest_memset(s, addr, 0, size);
    }
    return addr;
}

/* ---- finding the device -------------------------------------------------- */

static uint64_t struct_addr(QVirtioDevice *d, int bar, uint32_t off)
{
    g_assert_cmpint(bar, ==, d->bar_nr);
    return d->bar.addr + off;
}

void qvirtio_pci_init(QVirtioDevice *d, QTestState *s, uint16_t device_type,
                      int devfn)
{
    uint8_t pos;
    bool seen[VIRTIO_PCI_CAP_PCI_CFG + 1] = { false };

    memset(d, 0, sizeof(*d));
    d->qts = s;
    d->device_type = device_type;
    d->bar_nr = -1;
    d->devfn = devfn >= 0 ? devfn
        : qpci_find_device(s, VIRTIO_PCI_VENDOR_ID,
                           VIRTIO_PCI_DEVICE_ID_BASE + device_type);
    g_assert_cmpint(d->devfn, >=, 0);
    qpci_device_enable(s, d->devfn);

    /* 4.1.4: the vendor capabilities name each structure's BAR and
     * offset; the first of each type is the one to use. */
    pos = qpci_config_readb(s, d->devfn, PCI_CAPABILITY_LIST) & ~3;
    for (int guard = 0; pos && guard < 48; guard++) {
        uint8_t id = qpci_config_readb(s, d->devfn, pos);
        uint8_t next = qpci_config_readb(s, d->devfn, pos + 1) & ~3;

        if (id == PCI_CAP_ID_VNDR) {
            uint8_t type = qpci_config_readb(s, d->devfn,
                                             pos + VIRTIO_PCI_CAP_CFG_TYPE);
            uint8_t bar = qpci_config_readb(s, d->devfn,
                                            pos + VIRTIO_PCI_CAP_BAR);
            uint32_t off = qpci_config_readl(s, d->devfn,
                                             pos + VIRTIO_PCI_CAP_OFFSET);
            uint32_t len = qpci_config_readl(s, d->devfn,
                                             pos + VIRTIO_PCI_CAP_LENGTH);

            if (type <= VIRTIO_PCI_CAP_PCI_CFG && !seen[type]) {
                seen[type] = true;
                if (type != VIRTIO_PCI_CAP_PCI_CFG && d->bar_nr < 0) {
                    d->bar_nr = bar;
                    d->bar = qpci_bar(s, d->devfn, bar);
                    g_assert_false(d->bar.is_io);
                    g_assert_cmpuint(d->bar.addr, !=, 0);
                }
                switch (type) {
                case VIRTIO_PCI_CAP_COMMON_CFG:
                    d->common = struct_addr(d, bar, off);
                    break;
                case VIRTIO_PCI_CAP_NOTIFY_CFG:
                    d->notify = struct_addr(d, bar, off);
                    d->notify_mult = qpci_config_readl(
                        s, d->devfn, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
                    break;
                case VIRTIO_PCI_CAP_ISR_CFG:
                    d->isr = struct_addr(d, bar, off);
                    break;
                case VIRTIO_PCI_CAP_DEVICE_CFG:
                    d->device = struct_addr(d, bar, off);
                    d->device_len = len;
                    break;
                case VIRTIO_PCI_CAP_PCI_CFG:
                    d->cfg_cap = pos;
                    break;
                }
            }
        } else if (id == PCI_CAP_ID_MSIX) {
            uint16_t flags = qpci_config_readw(s, d->devfn,
                                               pos + PCI_MSIX_FLAGS);
            uint32_t table = qpci_config_readl(s, d->devfn,
                                               pos + PCI_MSIX_TABLE);
            QPCIBar tb = qpci_bar(s, d->devfn, table & PCI_MSIX_BIR_MASK);

            d->msix_cap = pos;
            d->msix_entries = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
            d->msix_table = tb.addr + (table & ~PCI_MSIX_BIR_MASK);
        }
        pos = next;
    }
    g_assert_true(seen[VIRTIO_PCI_CAP_COMMON_CFG]);
    g_assert_true(seen[VIRTIO_PCI_CAP_NOTIFY_CFG]);
    g_assert_true(seen[VIRTIO_PCI_CAP_ISR_CFG]);
    g_assert_true(seen[VIRTIO_PCI_CAP_DEVICE_CFG]);
}

/* ---- registers ----------------------------------------------------------- */

uint8_t qvirtio_common_readb(QVirtioDevice *d, unsigned off)
{
    return qtest_readb(d->qts, d->common + off);
}

uint16_t qvirtio_common_readw(QVirtioDevice *d, unsigned off)
{
    return qtest_readw(d->qts, d->common + off);
}

uint32_t qvirtio_common_readl(QVirtioDevice *d, unsigned off)
{
    return qtest_readl(d->qts, d->common + off);
}

void qvirtio_common_writeb(QVirtioDevice *d, unsigned off, uint8_t v)
{
    qtest_writeb(d->qts, d->common + off, v);
}

void qvirtio_common_writew(QVirtioDevice *d, unsigned off, uint16_t v)
{
    qtest_writew(d->qts, d->common + off, v);
}

void qvirtio_common_writel(QVirtioDevice *d, unsigned off, uint32_t v)
{
    qtest_writel(d->qts, d->common + off, v);
}

void qvirtio_common_writeq(QVirtioDevice *d, unsigned off, uint64_t v)
{
    qvirtio_common_writel(d, off, (uint32_t)v);
    qvirtio_common_writel(d, off + 4, v >> 32);
}

uint64_t qvirtio_common_readq(QVirtioDevice *d, unsigned off)
{
    return qvirtio_common_readl(d, off) |
           (uint64_t)qvirtio_common_readl(d, off + 4) << 32;
}

uint8_t qvirtio_get_status(QVirtioDevice *d)
{
    return qvirtio_common_readb(d, VIRTIO_PCI_COMMON_STATUS);
}

void qvirtio_set_status(QVirtioDevice *d, uint8_t status)
{
    qvirtio_common_writeb(d, VIRTIO_PCI_COMMON_STATUS, status);
}

void qvirtio_reset(QVirtioDevice *d)
{
    qvirtio_set_status(d, 0);
    /* 4.1.4.3.2: reset is complete when status reads 0. */
    g_assert_cmpuint(qvirtio_get_status(d), ==, 0);
}

uint64_t qvirtio_get_features(QVirtioDevice *d)
{
    uint64_t f;

    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_DFSELECT, 0);
    f = qvirtio_common_readl(d, VIRTIO_PCI_COMMON_DF);
    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_DFSELECT, 1);
    f |= (uint64_t)qvirtio_common_readl(d, VIRTIO_PCI_COMMON_DF) << 32;
    return f;
}

void qvirtio_set_features(QVirtioDevice *d, uint64_t features)
{
    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 0);
    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_GF, (uint32_t)features);
    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_GFSELECT, 1);
    qvirtio_common_writel(d, VIRTIO_PCI_COMMON_GF, features >> 32);
}

bool qvirtio_features_ok(QVirtioDevice *d)
{
    qvirtio_set_status(d, qvirtio_get_status(d) |
                       VIRTIO_CONFIG_S_FEATURES_OK);
    return qvirtio_get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK;
}

void qvirtio_start(QVirtioDevice *d, uint64_t features)
{
    uint64_t offered;

    qvirtio_reset(d);
    qvirtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    qvirtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER);
    offered = qvirtio_get_features(d);
    g_assert_true(offered & (1ULL << VIRTIO_F_VERSION_1));
    d->features = (features & offered) | (1ULL << VIRTIO_F_VERSION_1);
    qvirtio_set_features(d, d->features);
    g_assert_true(qvirtio_features_ok(d));
}

void qvirtio_driver_ok(QVirtioDevice *d)
{
    qvirtio_set_status(d, qvirtio_get_status(d) | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(qvirtio_get_status(d) & VIRTIO_CONFIG_S_DRIVER_OK);
}

uint8_t qvirtio_isr_read(QVirtioDevice *d)
{
    return qtest_readb(d->qts, d->isr);
}

uint8_t qvirtio_config_readb(QVirtioDevice *d, unsigned off)
{
    return qtest_readb(d->qts, d->device + off);
}

uint16_t qvirtio_config_readw(QVirtioDevice *d, unsigned off)
{
    return qtest_readw(d->qts, d->device + off);
}

uint32_t qvirtio_config_readl(QVirtioDevice *d, unsigned off)
{
    return qtest_readl(d->qts, d->device + off);
}

uint64_t qvirtio_config_readq(QVirtioDevice *d, unsigned off)
{
    /* 4.1.3.1: 64-bit fields as two 32-bit reads, with the generation
     * counter read around them (2.5.1) so a change is seen. */
    uint8_t gen;
    uint64_t v;

    do {
        gen = qvirtio_common_readb(d, VIRTIO_PCI_COMMON_CFGGENERATION);
        v = qvirtio_config_readl(d, off) |
            (uint64_t)qvirtio_config_readl(d, off + 4) << 32;
    } while (gen != qvirtio_common_readb(d, VIRTIO_PCI_COMMON_CFGGENERATION));
    return v;
}

void qvirtio_config_writeb(QVirtioDevice *d, unsigned off, uint8_t v)
{
    qtest_writeb(d->qts, d->device + off, v);
}

/* ---- MSI-X --------------------------------------------------------------- */

void qvirtio_msix_enable(QVirtioDevice *d, QGuestAlloc *a)
{
    QTestState *s = d->qts;
    uint16_t flags;

    g_assert_cmpuint(d->msix_cap, !=, 0);
    d->msix_ram = qguest_alloc(s, a, 4ULL * d->msix_entries, 64);
    for (unsigned v = 0; v < d->msix_entries; v++) {
        uint64_t e = d->msix_table + (uint64_t)v * PCI_MSIX_ENTRY_SIZE;

        qtest_writel(s, e + PCI_MSIX_ENTRY_ADDR_LO, d->msix_ram + 4 * v);
        qtest_writel(s, e + PCI_MSIX_ENTRY_ADDR_HI, 0);
        qtest_writel(s, e + PCI_MSIX_ENTRY_DATA, MSIX_DATA_BASE + v);
        qtest_writel(s, e + PCI_MSIX_ENTRY_CTRL, 0);
    }
    flags = qpci_config_readw(s, d->devfn, d->msix_cap + PCI_MSIX_FLAGS);
    qpci_config_writew(s, d->devfn, d->msix_cap + PCI_MSIX_FLAGS,
                       (flags | PCI_MSIX_FLAGS_ENABLE) &
                       ~PCI_MSIX_FLAGS_MASKALL);
}

bool qvirtio_msix_seen(QVirtioDevice *d, uint16_t v)
{
    uint64_t at = d->msix_ram + 4ULL * v;
    uint32_t data = qtest_readl(d->qts, at);

    if (!data) {
        return false;
    }
    g_assert_cmphex(data, ==, MSIX_DATA_BASE + v);
    qtest_writel(d->qts, at, 0);
    return true;
}

void qvirtio_msix_mask(QVirtioDevice *d, uint16_t v, bool masked)
{
    qtest_writel(d->qts, d->msix_table + (uint64_t)v * PCI_MSIX_ENTRY_SIZE +
                 PCI_MSIX_ENTRY_CTRL, masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

/* ---- virtqueues ---------------------------------------------------------- */

void qvirtqueue_program(QVirtQueue *vq)
{
    QVirtioDevice *d = vq->dev;

    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_SIZE, vq->size);
    qvirtio_common_writeq(d, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc);
    qvirtio_common_writeq(d, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail);
    qvirtio_common_writeq(d, VIRTIO_PCI_COMMON_Q_USEDLO, vq->used);
}

QVirtQueue *qvirtqueue_setup(QVirtioDevice *d, QGuestAlloc *a,
                             unsigned index, unsigned size, uint16_t vector)
{
    QTestState *s = d->qts;
    QVirtQueue *vq = g_new0(QVirtQueue, 1);

    vq->dev = d;
    vq->index = index;
    vq->alloc = a;
    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, index);
    if (!size) {
        size = qvirtio_common_readw(d, VIRTIO_PCI_COMMON_Q_SIZE);
    }
    g_assert_cmpuint(size, >, 0);
    vq->size = size;
    /* 2.7: descriptor table 16-, driver area 2-, device area 4-byte
     * aligned; pages keep them apart for the tests. */
    vq->desc = qguest_alloc(s, a, 16ULL * size, 4096);
    vq->avail = qguest_alloc(s, a, 6 + 2ULL * size, 4096);
    vq->used = qguest_alloc(s, a, 6 + 8ULL * size, 4096);
    vq->next_free = g_new0(uint16_t, size);
    vq->chain_len = g_new0(uint16_t, size);
    for (unsigned i = 0; i < size; i++) {
        vq->next_free[i] = i + 1;
    }
    vq->free_head = 0;
    vq->num_free = size;
    qvirtqueue_program(vq);
    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_MSIX, vector);
    g_assert_cmpuint(qvirtio_common_readw(d, VIRTIO_PCI_COMMON_Q_MSIX), ==,
                     vector);
    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    g_assert_cmpuint(qvirtio_common_readw(d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     1);
    return vq;
}

void qvirtqueue_free(QVirtQueue *vq)
{
    if (vq) {
        g_free(vq->next_free);
        g_free(vq->chain_len);
        g_free(vq);
    }
}

void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t d[16];

    stq_le_p(d, addr);
    stl_le_p(d + 8, len);
    stw_le_p(d + 12, flags);
    stw_le_p(d + 14, next);
    qtest_memwrite(vq->dev->qts, vq->desc + 16ULL * i, d, sizeof(d));
}

static uint16_t alloc_desc(QVirtQueue *vq)
{
    uint16_t i;

    g_assert_cmpuint(vq->num_free, >, 0);
    i = vq->free_head;
    vq->free_head = vq->next_free[i];
    vq->num_free--;
    return i;
}

uint16_t qvirtqueue_add_chain(QVirtQueue *vq, const QVirtBuf *bufs,
                              unsigned n)
{
    uint16_t idx[VIRTQUEUE_MAX_SIZE] = { 0 };

    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(n, <=, vq->num_free);
    for (unsigned i = 0; i < n; i++) {
        idx[i] = alloc_desc(vq);
    }
    for (unsigned i = 0; i < n; i++) {
        uint16_t flags = (bufs[i].write ? VRING_DESC_F_WRITE : 0) |
                         (i + 1 < n ? VRING_DESC_F_NEXT : 0);

        qvirtqueue_write_desc(vq, idx[i], bufs[i].addr, bufs[i].len, flags,
                              i + 1 < n ? idx[i + 1] : 0);
    }
    vq->chain_len[idx[0]] = n;
    /* Remember the chain's order for freeing: link it in next_free. */
    for (unsigned i = 0; i + 1 < n; i++) {
        vq->next_free[idx[i]] = idx[i + 1];
    }
    return idx[0];
}

uint16_t qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtBuf *bufs,
                                 unsigned n)
{
    QTestState *s = vq->dev->qts;
    uint64_t table = qguest_alloc(s, vq->alloc, 16ULL * n, 16);
    uint16_t head;

    for (unsigned i = 0; i < n; i++) {
        uint8_t d[16];
        uint16_t flags = (bufs[i].write ? VRING_DESC_F_WRITE : 0) |
                         (i + 1 < n ? VRING_DESC_F_NEXT : 0);

        stq_le_p(d, bufs[i].addr);
        stl_le_p(d + 8, bufs[i].len);
        stw_le_p(d + 12, flags);
        stw_le_p(d + 14, i + 1 < n ? i + 1 : 0);
        qtest_memwrite(s, table + 16ULL * i, d, sizeof(d));
    }
    head = alloc_desc(vq);
    qvirtqueue_write_desc(vq, head, table, 16 * n, VRING_DESC_F_INDIRECT, 0);
    vq->chain_len[head] = 1;
    return head;
}

void qvirtqueue_set_avail_entry(QVirtQueue *vq, uint16_t slot, uint16_t head)
{
    qtest_writew(vq->dev->qts, vq->avail + 4 + 2ULL * (slot % vq->size),
                 head);
}

void qvirtqueue_set_avail_idx(QVirtQueue *vq, uint16_t idx)
{
    qtest_writew(vq->dev->qts, vq->avail + 2, idx);
}

void qvirtqueue_make_available(QVirtQueue *vq, uint16_t head)
{
    qvirtqueue_set_avail_entry(vq, vq->avail_idx, head);
    vq->avail_idx++;
    qvirtqueue_set_avail_idx(vq, vq->avail_idx);
}

void qvirtqueue_notify(QVirtQueue *vq)
{
    QVirtioDevice *d = vq->dev;
    uint16_t off;

    qvirtio_common_writew(d, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
    off = qvirtio_common_readw(d, VIRTIO_PCI_COMMON_Q_NOFF);
    /* 4.1.4.4: write the queue index at notify + off * multiplier. */
    qtest_writew(d->qts, d->notify + (uint64_t)off * d->notify_mult,
                 vq->index);
}

uint16_t qvirtqueue_used_flags(QVirtQueue *vq)
{
    return qtest_readw(vq->dev->qts, vq->used);
}

uint16_t qvirtqueue_avail_event(QVirtQueue *vq)
{
    return qtest_readw(vq->dev->qts, vq->used + 4 + 8ULL * vq->size);
}

void qvirtqueue_set_avail_flags(QVirtQueue *vq, uint16_t flags)
{
    qtest_writew(vq->dev->qts, vq->avail, flags);
}

void qvirtqueue_set_used_event(QVirtQueue *vq, uint16_t idx)
{
    qtest_writew(vq->dev->qts, vq->avail + 4 + 2ULL * vq->size, idx);
}

bool qvirtqueue_kick(QVirtQueue *vq, uint16_t head)
{
    uint16_t old = vq->avail_idx;
    bool notify;

    qvirtqueue_make_available(vq, head);
    if (vq->dev->features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) {
        notify = vring_need_event(qvirtqueue_avail_event(vq), vq->avail_idx,
                                  old);
    } else {
        notify = !(qvirtqueue_used_flags(vq) & VRING_USED_F_NO_NOTIFY);
    }
    if (notify) {
        qvirtqueue_notify(vq);
    }
    return notify;
}

uint16_t qvirtqueue_used_idx(QVirtQueue *vq)
{
    return qtest_readw(vq->dev->qts, vq->used + 2);
}

bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *id, uint32_t *len)
{
    QTestState *s = vq->dev->qts;
    uint64_t e;
    uint32_t head;
    uint16_t n;

    if (qvirtqueue_used_idx(vq) == vq->last_used_idx) {
        return false;
    }
    e = vq->used + 4 + 8ULL * (vq->last_used_idx % vq->size);
    head = qtest_readl(s, e);
    if (id) {
        *id = head;
    }
    if (len) {
        *len = qtest_readl(s, e + 4);
    }
    vq->last_used_idx++;
    /* Return the chain to the free list. */
    g_assert_cmpuint(head, <, vq->size);
    n = vq->chain_len[head];
    if (n) {
        uint16_t last = head;

        for (unsigned i = 1; i < n; i++) {
            last = vq->next_free[last];
        }
        vq->next_free[last] = vq->free_head;
        vq->free_head = head;
        vq->num_free += n;
        vq->chain_len[head] = 0;
    }
    return true;
}

static bool used_ready(void *opaque)
{
    QVirtQueue *vq = opaque;

    return qvirtqueue_used_idx(vq) != vq->last_used_idx;
}

void qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *id, uint32_t *len)
{
    qvirtio_wait(vq->dev->qts, used_ready, vq);
    g_assert_true(qvirtqueue_get_used(vq, id, len));
}

void qvirtio_wait(QTestState *s, bool (*cond)(void *opaque), void *opaque)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_US;

    /* Completions run in Ember's main loop, between qtest commands. A
     * generous bound only so that a hang fails instead of blocking. */
    while (!cond(opaque)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(WAIT_POLL_US);
    }
}

/* ---- virtio-blk requests ------------------------------------------------- */

uint8_t qvirtio_blk_request(QVirtQueue *vq, uint32_t type, uint64_t sector,
                            void *buf, uint32_t len, bool indirect,
                            uint32_t *used_len)
{
    QTestState *s = vq->dev->qts;
    QGuestAlloc *a = vq->alloc;
    uint64_t mark = a->next;
    bool data_in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    uint64_t hdr = qguest_alloc(s, a, VIRTIO_BLK_HDR_SIZE, 16);
    uint64_t data = len ? qguest_alloc(s, a, len, 16) : 0;
    uint64_t status = qguest_alloc(s, a, 1, 1);
    uint8_t h[VIRTIO_BLK_HDR_SIZE] = { 0 };
    QVirtBuf b[3];
    unsigned n = 0;
    uint32_t id, ulen;
    uint16_t head;
    uint8_t st;

    stl_le_p(h, type);
    stq_le_p(h + 8, sector);
    qtest_memwrite(s, hdr, h, sizeof(h));
    qtest_writeb(s, status, 0xff);
    b[n++] = (QVirtBuf){ hdr, VIRTIO_BLK_HDR_SIZE, false };
    if (len) {
        if (!data_in) {
            qtest_memwrite(s, data, buf, len);
        }
        b[n++] = (QVirtBuf){ data, len, data_in };
    }
    b[n++] = (QVirtBuf){ status, 1, true };
    head = indirect ? qvirtqueue_add_indirect(vq, b, n)
                    : qvirtqueue_add_chain(vq, b, n);
    qvirtqueue_kick(vq, head);
    qvirtqueue_wait_used(vq, &id, &ulen);
    g_assert_cmpuint(id, ==, head);
    st = qtest_readb(s, status);
    if (data_in && len) {
        qtest_memread(s, data, buf, len);
    }
    if (used_len) {
        *used_len = ulen;
    }
    a->next = mark;
    return st;
}

uint8_t qvirtio_blk_dwz(QVirtQueue *vq, uint32_t type, uint64_t sector,
                        uint32_t nsectors, uint32_t flags)
{
    uint8_t seg[VIRTIO_BLK_DWZ_SIZE];

    stq_le_p(seg, sector);
    stl_le_p(seg + 8, nsectors);
    stl_le_p(seg + 12, flags);
    return qvirtio_blk_request(vq, type, sector, seg, sizeof(seg), false,
                               NULL);
}
