/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio over PCI, modern interface only (virtio 1.2, 4.1): the
 * vendor-specific capabilities, the common configuration registers, ISR
 * status, the device configuration window and queue notifications, all
 * in BAR 4; MSI-X in BAR 1 (or INTx through ISR status). Layout in
 * include/hw/virtio/virtio-pci.h and docs/virtio.md.
 *
 * Under KVM, queue notifications become ioeventfds (the guest's write
 * signals an eventfd in the kernel; the main loop reads it) and MSI-X
 * messages to the local APICs irqfds on MSI routes.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
#include "system/kvm.h"
#include <glib-unix.h>
#include <sys/eventfd.h>

/* MSI messages that reach the local APICs (Intel SDM vol. 3, 11.11.1). */
#define MSI_ADDR_BASE   0xfee00000ULL
#define MSI_ADDR_MASK   0xfff00000ULL
/*
 * Each route rewrite is a KVM_SET_GSI_ROUTING, which waits for an RCU
 * grace period in the kernel. A driver that keeps changing a vector's
 * message (Linux does so only when it moves the interrupt) gets the
 * user-space path for that vector after this many, until reset.
 */
#define VECTOR_ROUTE_UPDATES_MAX 64

static const VirtioPCIDeviceInfo *proxy_info(VirtIOPCIProxy *p)
{
    /* class_data of a virtio-pci type begins with its PCIDeviceInfo. */
    return (const VirtioPCIDeviceInfo *)p->pci.pinfo;
}

static void proxy_log(VirtIOPCIProxy *p, const char *fmt, ...)
    EMBER_PRINTF(2, 3);
static void proxy_log(VirtIOPCIProxy *p, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!ember_log_enabled(LOG_GUEST_ERROR)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ember_log("%s: %s\n", p->vdev->name, msg);
}

/* ---- interrupts ---------------------------------------------------------- */

static void update_intx(VirtIOPCIProxy *p)
{
    /* 4.1.4.5.1: INTx follows ISR status while MSI-X is off. */
    pci_set_irq(&p->pci, !msix_enabled(&p->pci) &&
                (p->vdev->isr & (VIRTIO_PCI_ISR_QUEUE |
                                 VIRTIO_PCI_ISR_CONFIG)));
}

static void vector_fd_release(VirtIOPCIProxy *p, unsigned v)
{
    VirtIOPCIVectorFd *f = &p->vfd[v];

    if (f->fd < 0) {
        return;
    }
    kvm_irqchip_set_irqfd(f->fd, f->gsi, false);
    kvm_irqchip_release_msi_route(f->gsi);
    close(f->fd);
    f->fd = -1;
}

static void vector_fds_release(VirtIOPCIProxy *p)
{
    for (unsigned v = 0; v < p->vfd_count; v++) {
        vector_fd_release(p, v);
        p->vfd[v].updates = 0;
    }
}

/*
 * KVM: deliver through an irqfd on an MSI route kept equal to the
 * vector's table entry. Only for messages to the local APICs (a route
 * cannot write RAM), and only what msix_notify would send at once (not
 * masked, bus mastering on); everything else takes the normal path.
 */
static bool msix_via_irqfd(VirtIOPCIProxy *p, unsigned v)
{
    PCIDevice *d = &p->pci;
    VirtIOPCIVectorFd *f;
    uint64_t addr;
    uint32_t data;
    uint64_t one = 1;

    if (v >= p->vfd_count || !kvm_irqfds_enabled() ||
        p->vfd[v].updates > VECTOR_ROUTE_UPDATES_MAX ||
        msix_is_masked(d, v) || !pci_bus_master_enabled(d)) {
        return false;
    }
    msix_get_message(d, v, &addr, &data);
    if ((addr & MSI_ADDR_MASK) != MSI_ADDR_BASE) {
        return false;
    }
    f = &p->vfd[v];
    if (f->fd < 0) {
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int gsi;

        if (fd < 0) {
            return false;
        }
        gsi = kvm_irqchip_add_msi_route(addr, data);
        if (gsi < 0) {
            close(fd);
            return false;
        }
        if (kvm_irqchip_set_irqfd(fd, gsi, true) < 0) {
            kvm_irqchip_release_msi_route(gsi);
            close(fd);
            return false;
        }
        f->fd = fd;
        f->gsi = gsi;
    } else if (f->addr != addr || f->data != data) {
        if (++f->updates > VECTOR_ROUTE_UPDATES_MAX ||
            kvm_irqchip_update_msi_route(f->gsi, addr, data) < 0) {
            vector_fd_release(p, v);
            return false;
        }
    }
    f->addr = addr;
    f->data = data;
    return write(f->fd, &one, sizeof(one)) == sizeof(one);
}

static void virtio_pci_notify(VirtIODevice *vdev, uint16_t vector)
{
    VirtIOPCIProxy *p = vdev->transport_opaque;
    PCIDevice *d = &p->pci;

    if (msix_enabled(d)) {
        /* 4.1.4.5.1: the queue bit is for INTx only. */
        vdev->isr &= ~VIRTIO_PCI_ISR_QUEUE;
        if (vector == VIRTIO_NO_VECTOR || vector >= d->msix_entries) {
            return;
        }
        if (!msix_via_irqfd(p, vector)) {
            msix_notify(d, vector);
        }
        return;
    }
    update_intx(p);
}

static bool virtio_pci_dma_enabled(VirtIODevice *vdev)
{
    VirtIOPCIProxy *p = vdev->transport_opaque;

    return pci_bus_master_enabled(&p->pci);
}

/* ---- ioeventfd ----------------------------------------------------------- */

static gboolean notify_fd_read(gint fd, GIOCondition cond, gpointer opaque)
{
    VirtIOPCIQueueFd *q = opaque;
    uint64_t count;

    /* Dispatched from the main loop with the BQL held. */
    if (read(fd, &count, sizeof(count)) == sizeof(count)) {
        virtio_queue_notify(q->proxy->vdev, q->n);
    }
    return G_SOURCE_CONTINUE;
}

/* Make queue n's ioeventfd match its state and where BAR 4 is. */
static void queue_fd_update(VirtIOPCIProxy *p, unsigned n)
{
    VirtIOPCIQueueFd *q = &p->qfd[n];
    VirtQueue *vq = virtio_get_queue(p->vdev, n);
    hwaddr want = HWADDR_MAX;

    if (p->notify_base != HWADDR_MAX && vq && vq->enabled) {
        want = p->notify_base + (hwaddr)n * VIRTIO_PCI_NOTIFY_MULT;
    }
    if (want == q->notify_addr) {
        return;
    }
    if (q->notify_addr != HWADDR_MAX) {
        kvm_set_ioeventfd_mmio(q->notify_fd, q->notify_addr, 2, false);
        q->notify_addr = HWADDR_MAX;
    }
    if (want == HWADDR_MAX) {
        return;
    }
    if (q->notify_fd < 0) {
        q->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (q->notify_fd < 0) {
            return;
        }
        q->proxy = p;
        q->n = n;
        q->notify_watch = g_unix_fd_add(q->notify_fd, G_IO_IN,
                                        notify_fd_read, q);
    }
    /* Drivers write the queue index as 16 bits (4.1.4.4); other sizes
     * still reach the MMIO handler. */
    if (kvm_set_ioeventfd_mmio(q->notify_fd, want, 2, true) == 0) {
        q->notify_addr = want;
    }
}

static void queue_fds_update(VirtIOPCIProxy *p)
{
    for (unsigned n = 0; n < p->vdev->nvqs; n++) {
        queue_fd_update(p, n);
    }
}

static void queue_fds_release(VirtIOPCIProxy *p)
{
    for (unsigned n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        VirtIOPCIQueueFd *q = &p->qfd[n];

        if (q->notify_addr != HWADDR_MAX) {
            kvm_set_ioeventfd_mmio(q->notify_fd, q->notify_addr, 2, false);
            q->notify_addr = HWADDR_MAX;
        }
        if (q->notify_watch) {
            g_source_remove(q->notify_watch);
            q->notify_watch = 0;
        }
        if (q->notify_fd >= 0) {
            close(q->notify_fd);
            q->notify_fd = -1;
        }
    }
}

static void virtio_pci_queue_enabled(VirtIODevice *vdev, unsigned n,
                                     bool enabled)
{
    VirtIOPCIProxy *p = vdev->transport_opaque;

    if (p->listener_registered) {
        queue_fd_update(p, n);
    }
}

/*
 * Where the notify region is in guest-physical space: only when it is
 * visible whole (a BAR partly hidden behind RAM keeps the MMIO path).
 */
static void notify_region_add(MemoryListener *l, MemoryRegionSection *s)
{
    VirtIOPCIProxy *p = container_of(l, VirtIOPCIProxy, listener);

    if (s->mr != &p->notify) {
        return;
    }
    if (s->offset_within_region == 0 &&
        s->size == memory_region_size(&p->notify)) {
        p->notify_base = s->offset_within_address_space;
    } else {
        p->notify_base = HWADDR_MAX;
    }
}

static void notify_region_del(MemoryListener *l, MemoryRegionSection *s)
{
    VirtIOPCIProxy *p = container_of(l, VirtIOPCIProxy, listener);

    if (s->mr == &p->notify) {
        p->notify_base = HWADDR_MAX;
    }
}

static void notify_region_commit(MemoryListener *l)
{
    queue_fds_update(container_of(l, VirtIOPCIProxy, listener));
}

static const VirtioTransportOps virtio_pci_transport = {
    .notify = virtio_pci_notify,
    .dma_enabled = virtio_pci_dma_enabled,
    .queue_enabled = virtio_pci_queue_enabled,
};

/* ---- common configuration (4.1.4.3) -------------------------------------- */

static bool vector_valid(VirtIOPCIProxy *p, uint16_t v)
{
    return v < p->pci.msix_entries;
}

static uint64_t common_read(void *opaque, hwaddr off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, p->queue_sel);
    uint8_t regs[VIRTIO_PCI_COMMON_SIZE] = { 0 };

    if (off + size > VIRTIO_PCI_COMMON_SIZE) {
        return 0;
    }
    /* A snapshot of the structure; the access takes its bytes. */
    stl_le_p(regs + VIRTIO_PCI_COMMON_DFSELECT, p->dfselect);
    stl_le_p(regs + VIRTIO_PCI_COMMON_DF,
             virtio_get_host_features_word(vdev, p->dfselect));
    stl_le_p(regs + VIRTIO_PCI_COMMON_GFSELECT, p->gfselect);
    stl_le_p(regs + VIRTIO_PCI_COMMON_GF, p->gfselect < 2 ?
             (uint32_t)(vdev->guest_features >> (32 * p->gfselect)) : 0);
    stw_le_p(regs + VIRTIO_PCI_COMMON_MSIX, vdev->config_vector);
    stw_le_p(regs + VIRTIO_PCI_COMMON_NUMQ, vdev->nvqs);
    regs[VIRTIO_PCI_COMMON_STATUS] = vdev->status;
    regs[VIRTIO_PCI_COMMON_CFGGENERATION] = vdev->config_generation;
    stw_le_p(regs + VIRTIO_PCI_COMMON_Q_SELECT, p->queue_sel);
    /* 4.1.4.3.1: an absent queue reads size 0 and no vector. */
    stw_le_p(regs + VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_NO_VECTOR);
    if (vq) {
        stw_le_p(regs + VIRTIO_PCI_COMMON_Q_SIZE, vq->num);
        stw_le_p(regs + VIRTIO_PCI_COMMON_Q_MSIX, vq->vector);
        stw_le_p(regs + VIRTIO_PCI_COMMON_Q_ENABLE, vq->enabled);
        stw_le_p(regs + VIRTIO_PCI_COMMON_Q_NOFF, vq->index);
        stq_le_p(regs + VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc_addr);
        stq_le_p(regs + VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail_addr);
        stq_le_p(regs + VIRTIO_PCI_COMMON_Q_USEDLO, vq->used_addr);
    }
    return ldn_le_p(regs + off, size);
}

/* Queue address halves: the 64-bit value with one half replaced. */
static void common_write_addr(VirtIOPCIProxy *p, VirtQueue *vq, hwaddr off,
                              uint32_t val)
{
    hwaddr a[3] = { vq->desc_addr, vq->avail_addr, vq->used_addr };
    unsigned which = (off - VIRTIO_PCI_COMMON_Q_DESCLO) / 8;
    unsigned shift = off & 4 ? 32 : 0;

    a[which] = deposit64(a[which], shift, 32, val);
    virtio_queue_set_addrs(p->vdev, vq->index, a[0], a[1], a[2]);
}

static void common_write_status(VirtIOPCIProxy *p, uint8_t val)
{
    VirtIODevice *vdev = p->vdev;

    virtio_set_status(vdev, val);
    if (val == 0) {
        /* 4.1.4.3.2: reset; the selectors start over too. */
        p->dfselect = p->gfselect = 0;
        p->queue_sel = 0;
        vector_fds_release(p);
        update_intx(p);
    }
}

/* The natural width of each field (4.1.3.1); 0 for no field. */
static unsigned common_field_size(hwaddr off)
{
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
    case VIRTIO_PCI_COMMON_DF:
    case VIRTIO_PCI_COMMON_GFSELECT:
    case VIRTIO_PCI_COMMON_GF:
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        return 4;
    case VIRTIO_PCI_COMMON_MSIX:
    case VIRTIO_PCI_COMMON_NUMQ:
    case VIRTIO_PCI_COMMON_Q_SELECT:
    case VIRTIO_PCI_COMMON_Q_SIZE:
    case VIRTIO_PCI_COMMON_Q_MSIX:
    case VIRTIO_PCI_COMMON_Q_ENABLE:
    case VIRTIO_PCI_COMMON_Q_NOFF:
    case VIRTIO_PCI_COMMON_Q_NDATA:
    case VIRTIO_PCI_COMMON_Q_RESET:
        return 2;
    case VIRTIO_PCI_COMMON_STATUS:
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return 1;
    default:
        return 0;
    }
}

static void common_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, p->queue_sel);

    if (common_field_size(off) != size) {
        proxy_log(p, "common config write of %u bytes at 0x%" PRIx64
                  " is not a whole field, ignored", size, off);
        return;
    }
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        p->dfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        p->gfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        virtio_set_guest_features_word(vdev, p->gfselect, val);
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        if (val != VIRTIO_NO_VECTOR && !vector_valid(p, val)) {
            /* 4.1.4.3.1: a vector that cannot be used reads NO_VECTOR. */
            proxy_log(p, "config vector %u out of range", (unsigned)val);
            val = VIRTIO_NO_VECTOR;
        }
        vdev->config_vector = val;
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        common_write_status(p, val);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        /* Any value; an absent queue reads as size 0. */
        p->queue_sel = val;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        virtio_queue_set_num(vdev, p->queue_sel, val);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        if (!vq) {
            proxy_log(p, "vector for absent queue %u", p->queue_sel);
            break;
        }
        if (val != VIRTIO_NO_VECTOR && !vector_valid(p, val)) {
            proxy_log(p, "queue %u vector %u out of range", p->queue_sel,
                      (unsigned)val);
            val = VIRTIO_NO_VECTOR;
        }
        vq->vector = val;
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        if (val == 1) {
            virtio_queue_enable(vdev, p->queue_sel);
        } else {
            /* 4.1.4.3.2: the driver MUST NOT write 0 (queue_reset is
             * the way to stop a queue). */
            proxy_log(p, "queue_enable write of %u ignored", (unsigned)val);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        if (!vq) {
            proxy_log(p, "address for absent queue %u", p->queue_sel);
            break;
        }
        common_write_addr(p, vq, off, val);
        break;
    case VIRTIO_PCI_COMMON_Q_RESET:
        if (!virtio_vdev_has_feature(vdev, VIRTIO_F_RING_RESET) ||
            val != 1 || !vq) {
            proxy_log(p, "queue_reset write of %u ignored (queue %u%s)",
                      (unsigned)val, p->queue_sel,
                      virtio_vdev_has_feature(vdev, VIRTIO_F_RING_RESET)
                      ? "" : ", VIRTIO_F_RING_RESET not negotiated");
            break;
        }
        /* Done at once: reads show 0 in queue_reset and queue_enable. */
        virtio_queue_reset(vdev, p->queue_sel);
        break;
    default:
        proxy_log(p, "write to read-only common config field 0x%" PRIx64,
                  off);
        break;
    }
}

static const MemoryRegionOps common_ops = {
    .read = common_read,
    .write = common_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- ISR status (4.1.4.5) ------------------------------------------------ */

static uint64_t isr_read(void *opaque, hwaddr off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    uint8_t v;

    if (off != 0) {
        return 0;
    }
    /* Reading clears the bits and deasserts INTx. */
    v = p->vdev->isr;
    p->vdev->isr = 0;
    update_intx(p);
    return v;
}

static void isr_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    proxy_log(opaque, "write to ISR status ignored");
}

static const MemoryRegionOps isr_ops = {
    .read = isr_read,
    .write = isr_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- device configuration (4.1.4.6) -------------------------------------- */

static uint64_t device_read(void *opaque, hwaddr off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;

    return virtio_config_read(p->vdev, off, size);
}

static void device_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;

    virtio_config_write(p->vdev, off, val, size);
}

static const MemoryRegionOps device_ops = {
    .read = device_read,
    .write = device_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- notifications (4.1.4.4) --------------------------------------------- */

static uint64_t notify_read(void *opaque, hwaddr off, unsigned size)
{
    return 0;
}

static void notify_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    unsigned n = off / VIRTIO_PCI_NOTIFY_MULT;

    /* queue_notify_off is the queue index: the address names the queue
     * (the value written, its index, is redundant). */
    if (off % VIRTIO_PCI_NOTIFY_MULT || n >= p->vdev->nvqs) {
        proxy_log(p, "notification at 0x%" PRIx64 " names no queue", off);
        return;
    }
    virtio_queue_notify(p->vdev, n);
}

static const MemoryRegionOps notify_ops = {
    .read = notify_read,
    .write = notify_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- the PCI configuration access capability (4.1.4.9) ------------------- */

/* An access to BAR 4 at off, as the guest would make it. */
static uint32_t bar_access(VirtIOPCIProxy *p, uint32_t off, uint32_t val,
                           unsigned size, bool is_write)
{
    static const struct {
        const MemoryRegionOps *ops;
    } regions[] = { { &common_ops }, { &isr_ops }, { &device_ops },
                    { &notify_ops } };
    const MemoryRegionOps *ops = regions[off / VIRTIO_PCI_REGION_SIZE].ops;
    hwaddr roff = off % VIRTIO_PCI_REGION_SIZE;

    if (is_write) {
        ops->write(p, roff, val, size);
        return 0;
    }
    return ops->read(p, roff, size);
}

/* Is the window the driver set up in the capability usable? */
static bool cfg_cap_window(VirtIOPCIProxy *p, uint32_t *off, unsigned *len)
{
    uint8_t *cap = p->pci.config + p->cfg_cap;
    uint8_t bar = cap[VIRTIO_PCI_CAP_BAR];

    *off = pci_get_long(cap + VIRTIO_PCI_CAP_OFFSET);
    *len = pci_get_long(cap + VIRTIO_PCI_CAP_LENGTH);
    if (bar != VIRTIO_PCI_BAR || (*len != 1 && *len != 2 && *len != 4) ||
        *off % *len || *off >= VIRTIO_PCI_BAR_SIZE) {
        proxy_log(p, "PCI config access window bar %u offset 0x%x length %u "
                  "unusable, ignored", bar, *off, *len);
        return false;
    }
    return true;
}

uint32_t virtio_pci_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(&d->qdev);
    uint32_t data = p->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA;

    if (p->cfg_cap && pci_ranges_overlap(addr, len, data, 4)) {
        uint32_t off;
        unsigned size;

        if (cfg_cap_window(p, &off, &size)) {
            uint32_t v = bar_access(p, off, 0, size, false);
            pci_set_long(d->config + data, v);
        }
    }
    return pci_default_read_config(d, addr, len);
}

void virtio_pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                             unsigned len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(&d->qdev);
    uint32_t data = p->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA;

    pci_default_write_config(d, addr, val, len);
    if (msix_present(d) && pci_ranges_overlap(addr, len, d->msix_cap, 4)) {
        /* MSI-X switched on or off: INTx follows ISR only while off. */
        update_intx(p);
    }
    if (p->cfg_cap && pci_ranges_overlap(addr, len, data, 4)) {
        uint32_t off;
        unsigned size;

        if (cfg_cap_window(p, &off, &size)) {
            uint32_t v = pci_get_long(d->config + data);
            bar_access(p, off, extract32(v, 0, size * 8), size, true);
        }
    }
}

/* ---- set-up -------------------------------------------------------------- */

static uint8_t add_cap(VirtIOPCIProxy *p, uint8_t type, uint8_t len,
                       uint32_t offset, uint32_t length, GError **errp)
{
    PCIDevice *d = &p->pci;
    uint8_t pos = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, len, errp);
    uint8_t *c;

    if (!pos) {
        return 0;
    }
    c = d->config + pos;
    c[2] = len;                                 /* cap_len */
    c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
    c[VIRTIO_PCI_CAP_BAR] = type == VIRTIO_PCI_CAP_PCI_CFG ? 0
                                                           : VIRTIO_PCI_BAR;
    c[VIRTIO_PCI_CAP_ID] = 0;
    pci_set_long(c + VIRTIO_PCI_CAP_OFFSET, offset);
    pci_set_long(c + VIRTIO_PCI_CAP_LENGTH, length);
    return pos;
}

static void finalize_regions(VirtIOPCIProxy *p)
{
    MemoryRegion *subs[] = { &p->common, &p->isr, &p->device, &p->notify };

    for (unsigned i = 0; i < ARRAY_SIZE(subs); i++) {
        if (subs[i]->name) {
            memory_region_del_subregion(&p->bar, subs[i]);
            memory_region_finalize(subs[i]);
        }
    }
    if (p->bar.name) {
        memory_region_finalize(&p->bar);
    }
}

bool virtio_pci_realize(PCIDevice *d, GError **errp)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(&d->qdev);
    const VirtioPCIDeviceInfo *info = proxy_info(p);
    VirtIODevice *vdev;
    uint8_t pos;
    unsigned nvec;

    p->notify_base = HWADDR_MAX;
    for (unsigned n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        p->qfd[n].notify_fd = -1;
        p->qfd[n].notify_addr = HWADDR_MAX;
    }
    if (!info->realize(p, errp)) {
        return false;
    }
    vdev = p->vdev;
    assert(vdev && vdev->nvqs <= VIRTIO_QUEUE_MAX);
    nvec = p->nvectors < 0 ? vdev->nvqs + 1 : (unsigned)p->nvectors;
    if (nvec > 256) {
        error_setg(errp, "vectors must be at most 256, not %u", nvec);
        goto fail_vdev;
    }
    virtio_set_transport(vdev, &virtio_pci_transport, p,
                         &address_space_memory);
    /* Messages name the device by its PCI address. */
    g_free(vdev->name);
    vdev->name = g_strdup_printf("%s %02x.%x", vdev->vdc->name,
                                 PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));

    memory_region_init(&p->bar, d, "virtio-pci-bar", VIRTIO_PCI_BAR_SIZE);
    memory_region_init_io(&p->common, d, &common_ops, p, "virtio-pci-common",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->isr, d, &isr_ops, p, "virtio-pci-isr",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->device, d, &device_ops, p, "virtio-pci-device",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->notify, d, &notify_ops, p, "virtio-pci-notify",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_add_subregion(&p->bar, VIRTIO_PCI_COMMON_OFFSET,
                                &p->common);
    memory_region_add_subregion(&p->bar, VIRTIO_PCI_ISR_OFFSET, &p->isr);
    memory_region_add_subregion(&p->bar, VIRTIO_PCI_DEVICE_OFFSET,
                                &p->device);
    memory_region_add_subregion(&p->bar, VIRTIO_PCI_NOTIFY_OFFSET,
                                &p->notify);
    pci_register_bar(d, VIRTIO_PCI_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &p->bar);

    /* MSI-X first, as on QEMU's devices (Linux does not care). */
    if (nvec && !msix_init_exclusive_bar(d, nvec, VIRTIO_PCI_MSIX_BAR,
                                         errp)) {
        goto fail;
    }
    if (!add_cap(p, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_LEN,
                 VIRTIO_PCI_COMMON_OFFSET, VIRTIO_PCI_COMMON_SIZE, errp) ||
        !add_cap(p, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_LEN,
                 VIRTIO_PCI_ISR_OFFSET, 1, errp) ||
        !add_cap(p, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_LEN,
                 VIRTIO_PCI_DEVICE_OFFSET, MAX(vdev->config_len, 1), errp)) {
        goto fail;
    }
    pos = add_cap(p, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_CAP_LEN,
                  VIRTIO_PCI_NOTIFY_OFFSET,
                  MAX(vdev->nvqs, 1) * VIRTIO_PCI_NOTIFY_MULT, errp);
    if (!pos) {
        goto fail;
    }
    pci_set_long(d->config + pos + VIRTIO_PCI_NOTIFY_CAP_MULT,
                 VIRTIO_PCI_NOTIFY_MULT);
    /* The access window's bar, offset, length and data are the
     * driver's to write (4.1.4.9). */
    pos = add_cap(p, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CFG_CAP_LEN, 0, 0,
                  errp);
    if (!pos) {
        goto fail;
    }
    p->cfg_cap = pos;
    memset(d->wmask + pos + VIRTIO_PCI_CAP_BAR, 0xff, 1);
    memset(d->wmask + pos + VIRTIO_PCI_CAP_OFFSET, 0xff, 12);

    p->vfd_count = nvec;
    p->vfd = g_new(VirtIOPCIVectorFd, MAX(nvec, 1));
    for (unsigned v = 0; v < MAX(nvec, 1); v++) {
        p->vfd[v].fd = -1;
        p->vfd[v].updates = 0;
    }
    if (p->ioeventfd && kvm_ioeventfds_enabled()) {
        p->listener.name = "virtio-pci-notify";
        p->listener.region_add = notify_region_add;
        p->listener.region_del = notify_region_del;
        p->listener.commit = notify_region_commit;
        memory_listener_register(&p->listener, &address_space_memory);
        p->listener_registered = true;
    }
    return true;

fail:
    msix_uninit(d);
    finalize_regions(p);
fail_vdev:
    if (info->unrealize) {
        info->unrealize(p);
    }
    virtio_cleanup(vdev);
    return false;
}

void virtio_pci_exit(PCIDevice *d)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(&d->qdev);
    const VirtioPCIDeviceInfo *info = proxy_info(p);

    if (p->listener_registered) {
        memory_listener_unregister(&p->listener);
        p->listener_registered = false;
    }
    queue_fds_release(p);
    vector_fds_release(p);
    g_free(p->vfd);
    p->vfd = NULL;
    /* The device finishes what is in flight before its state goes. */
    if (info->unrealize) {
        info->unrealize(p);
    }
    virtio_cleanup(p->vdev);
    finalize_regions(p);
}

void virtio_pci_reset(PCIDevice *d)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(&d->qdev);

    virtio_reset(p->vdev);
    p->dfselect = p->gfselect = 0;
    p->queue_sel = 0;
    vector_fds_release(p);
    update_intx(p);
}

static const Property virtio_pci_props[] = {
    DEFINE_PROP("vectors", VirtIOPCIProxy, nvectors, prop_info_int32,
                int32_t, .defval.i = -1,
                .desc = "MSI-X vectors (default: queues + 1; 0: INTx only)"),
    DEFINE_PROP("ioeventfd", VirtIOPCIProxy, ioeventfd, prop_info_bool, bool,
                .defval.u = true,
                .desc = "KVM: queue notifications through ioeventfds"),
    DEFINE_PROP_END,
};

static const DeviceInfo virtio_pci_info = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VirtIOPCIProxy),
    .abstract = true,
    .desc = "virtio over PCI (modern)",
    .props = virtio_pci_props,
};

static void virtio_pci_register_types(void)
{
    type_register(&virtio_pci_info);
}
type_init(virtio_pci_register_types)
