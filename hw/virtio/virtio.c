/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio core: device status and features, config space, split
 * virtqueues (virtio 1.2, 2.1-2.7). See include/hw/virtio/virtio.h.
 *
 * Rings are reached through host pointers into guest RAM (VRingMap),
 * checked when a queue is enabled and again whenever the memory map
 * changed since (a listener counts map generations). Descriptors are
 * copied out of guest memory once and then checked, so a driver that
 * rewrites them concurrently cannot make the device see two values.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "hw/virtio/virtio.h"

/* Offsets inside the rings (2.7.6, 2.7.8). */
#define VRING_AVAIL_FLAGS       0
#define VRING_AVAIL_IDX         2
#define VRING_AVAIL_RING        4
#define VRING_USED_FLAGS        0
#define VRING_USED_IDX          2
#define VRING_USED_RING         4

/* Most handler re-runs for notifications that arrive during a run. */
#define VIRTIO_NOTIFY_RERUN_MAX 64

/*
 * Memory ordering against a driver on another CPU (2.7.13): publish
 * used entries before the used index, read the available index before
 * the entries it covers, and make our index/flag writes visible before
 * reading the other side's suppression fields.
 */
static inline void virtio_rmb(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}
static inline void virtio_wmb(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}
static inline void virtio_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- guest memory generations ----------------------------------------- */

typedef struct VirtIOMemWatch {
    MemoryListener listener;
    unsigned generation;
    unsigned users;
} VirtIOMemWatch;

/* One watch per address space in use (the PC has one). */
static GHashTable *mem_watches;     /* AddressSpace * -> VirtIOMemWatch */

static void mem_watch_commit(MemoryListener *l)
{
    VirtIOMemWatch *w = container_of(l, VirtIOMemWatch, listener);

    w->generation++;
}

static VirtIOMemWatch *mem_watch_get(AddressSpace *as)
{
    VirtIOMemWatch *w;

    if (!mem_watches) {
        mem_watches = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    w = g_hash_table_lookup(mem_watches, as);
    if (!w) {
        w = g_new0(VirtIOMemWatch, 1);
        w->listener.name = "virtio";
        w->listener.commit = mem_watch_commit;
        w->generation = 1;
        memory_listener_register(&w->listener, as);
        g_hash_table_insert(mem_watches, as, w);
    }
    w->users++;
    return w;
}

static void mem_watch_put(AddressSpace *as)
{
    VirtIOMemWatch *w = mem_watches ? g_hash_table_lookup(mem_watches, as)
                                    : NULL;

    if (w && --w->users == 0) {
        memory_listener_unregister(&w->listener);
        g_hash_table_remove(mem_watches, as);
        g_free(w);
        if (!g_hash_table_size(mem_watches)) {
            g_hash_table_destroy(mem_watches);
            mem_watches = NULL;
        }
    }
}

static inline unsigned mem_generation(VirtIODevice *vdev)
{
    return vdev->mem_watch->generation;
}

/* ---- ring maps ---------------------------------------------------------- */

/*
 * Map [addr, addr + len) of guest RAM as one host range. Rings must be
 * plain RAM (never MMIO: reading a device register from the device
 * could have side effects or recurse), in one piece, writable if the
 * device writes them.
 */
static bool vring_map(VirtIODevice *vdev, VRingMap *m, hwaddr addr,
                      uint64_t len, bool is_write)
{
    MemoryRegionSection sec;
    uint8_t *base;

    m->addr = addr;
    m->len = len;
    m->ptr = NULL;
    if (addr + len < addr ||
        !address_space_lookup(vdev->dma_as, addr, &sec) ||
        !memory_region_is_ram(sec.mr) || sec.size < len ||
        (is_write && sec.readonly)) {
        return false;
    }
    base = memory_region_get_ram_ptr(sec.mr);
    if (!base || sec.offset_within_region + len > sec.mr->size) {
        return false;
    }
    m->ptr = base + sec.offset_within_region;
    m->mr = sec.mr;
    m->mr_offset = sec.offset_within_region;
    m->generation = mem_generation(vdev);
    return true;
}

static bool vq_map_all(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    return vring_map(vdev, &vq->desc, vq->desc_addr,
                     (uint64_t)vq->num * VRING_DESC_SIZE, false) &&
           vring_map(vdev, &vq->avail, vq->avail_addr,
                     vring_avail_size(vq->num), false) &&
           vring_map(vdev, &vq->used, vq->used_addr,
                     vring_used_size(vq->num), true);
}

/* Are the queue's ring pointers good now? Remap after a map change. */
static bool vq_ready(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    if (!vq->enabled || vdev->broken) {
        return false;
    }
    if (vq->used.generation == mem_generation(vdev) && vq->used.ptr &&
        vq->desc.ptr && vq->avail.ptr) {
        return true;
    }
    if (!vq_map_all(vq)) {
        virtio_error(vdev, "queue %u: rings no longer in RAM after a "
                     "memory map change", vq->index);
        return false;
    }
    return true;
}

static inline uint16_t ring_ld16(const uint8_t *p)
{
    return GUINT16_FROM_LE(__atomic_load_n((const uint16_t *)p,
                                           __ATOMIC_RELAXED));
}

static inline void ring_st16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, GUINT16_TO_LE(v), __ATOMIC_RELAXED);
}

/* Device writes to a ring: dirty tracking and code invalidation. */
static void ring_written(VRingMap *m, uint64_t off, uint64_t len)
{
    memory_notify_ram_write(m->mr, m->mr_offset + off, len);
}

static uint16_t avail_idx(VirtQueue *vq)
{
    vq->shadow_avail_idx = ring_ld16(vq->avail.ptr + VRING_AVAIL_IDX);
    return vq->shadow_avail_idx;
}

static uint16_t avail_flags(VirtQueue *vq)
{
    return ring_ld16(vq->avail.ptr + VRING_AVAIL_FLAGS);
}

static uint16_t avail_ring(VirtQueue *vq, unsigned i)
{
    return ring_ld16(vq->avail.ptr + VRING_AVAIL_RING + 2 * i);
}

/* used_event lives after the available ring (2.7.6). */
static uint16_t used_event(VirtQueue *vq)
{
    return ring_ld16(vq->avail.ptr + VRING_AVAIL_RING + 2 * vq->num);
}

static void used_set_flags(VirtQueue *vq, uint16_t flags)
{
    ring_st16(vq->used.ptr + VRING_USED_FLAGS, flags);
    ring_written(&vq->used, VRING_USED_FLAGS, 2);
}

/* avail_event lives after the used ring (2.7.8). */
static void set_avail_event(VirtQueue *vq, uint16_t v)
{
    uint64_t off = VRING_USED_RING + (uint64_t)VRING_USED_ELEM_SIZE * vq->num;

    ring_st16(vq->used.ptr + off, v);
    ring_written(&vq->used, off, 2);
}

/* ---- set-up ------------------------------------------------------------- */

static void vq_reset(VirtQueue *vq)
{
    vq->num = vq->num_max;
    vq->desc_addr = vq->avail_addr = vq->used_addr = 0;
    vq->enabled = false;
    vq->vector = VIRTIO_NO_VECTOR;
    vq->last_avail_idx = vq->shadow_avail_idx = vq->used_idx = 0;
    /* Nothing used yet: "the last notified index" is 0 (2.7.7.2). */
    vq->signalled_used = 0;
    vq->signalled_used_valid = true;
    vq->notification = true;
    vq->inuse = 0;
    vq->notify_pending = false;
    memset(&vq->desc, 0, sizeof(vq->desc));
    memset(&vq->avail, 0, sizeof(vq->avail));
    memset(&vq->used, 0, sizeof(vq->used));
}

void virtio_init(VirtIODevice *vdev, const VirtioDeviceClass *vdc,
                 size_t config_len)
{
    vdev->vdc = vdc;
    vdev->name = g_strdup(vdc->name);
    vdev->device_id = vdc->device_id;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(MAX(config_len, 1));
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->host_features = (1ULL << VIRTIO_F_VERSION_1) |
                          (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
                          (1ULL << VIRTIO_RING_F_EVENT_IDX) |
                          (1ULL << VIRTIO_F_RING_RESET);
    vdev->dma_as = &address_space_memory;
    vdev->mem_watch = mem_watch_get(vdev->dma_as);
}

void virtio_set_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                          void *opaque, AddressSpace *dma_as)
{
    vdev->transport = ops;
    vdev->transport_opaque = opaque;
    if (dma_as != vdev->dma_as) {
        mem_watch_put(vdev->dma_as);
        vdev->dma_as = dma_as;
        vdev->mem_watch = mem_watch_get(dma_as);
    }
}

void virtio_cleanup(VirtIODevice *vdev)
{
    if (vdev->mem_watch) {
        mem_watch_put(vdev->dma_as);
        vdev->mem_watch = NULL;
    }
    vdev->transport = NULL;
    g_free(vdev->config);
    vdev->config = NULL;
    g_clear_pointer(&vdev->name, g_free);
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned num_max,
                            VirtIOHandleOutput *handle_output)
{
    VirtQueue *vq;

    /* Programming errors in a device model, not guest input. */
    assert(vdev->nvqs < VIRTIO_QUEUE_MAX);
    assert(num_max && num_max <= VIRTQUEUE_MAX_SIZE &&
           !(num_max & (num_max - 1)));
    vq = &vdev->vq[vdev->nvqs];
    vq->vdev = vdev;
    vq->index = vdev->nvqs++;
    vq->num_max = num_max;
    vq->handle_output = handle_output;
    vq_reset(vq);
    return vq;
}

/* ---- errors ------------------------------------------------------------- */

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;

    if (ember_log_enabled(LOG_GUEST_ERROR)) {
        g_autofree char *msg = NULL;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        ember_log("%s: %s; device needs reset\n", vdev->name, msg);
    }
    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    /* 2.1.2: after DRIVER_OK, tell the driver with a config change. */
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    if (virtio_driver_ok(vdev)) {
        virtio_notify_config(vdev);
    }
}

/* ---- status, features, reset ------------------------------------------- */

void virtio_reset(VirtIODevice *vdev)
{
    /*
     * While the device drains, completions send interrupts; one aimed
     * at our own notify register must not start new requests (a guest
     * feeding buffers from another vCPU could keep the reset going).
     */
    vdev->resetting = true;
    if (vdev->vdc->reset) {
        vdev->vdc->reset(vdev);
    }
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        bool was_enabled;

        if (vq->inuse) {
            /* A device model bug: its reset left requests popped. */
            ember_log_mask(LOG_GUEST_ERROR, "%s: queue %u: %u buffers still "
                           "in use at reset\n", vdev->name, i, vq->inuse);
        }
        was_enabled = vq->enabled;
        vq_reset(vq);
        /* The transport sees the queue already disabled. */
        if (was_enabled && vdev->transport &&
            vdev->transport->queue_enabled) {
            vdev->transport->queue_enabled(vdev, i, false);
        }
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->broken = false;
    vdev->resetting = false;
    vdev->guest_features = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
}

uint32_t virtio_get_host_features_word(VirtIODevice *vdev, unsigned word)
{
    return word < 2 ? (uint32_t)(vdev->host_features >> (32 * word)) : 0;
}

void virtio_set_guest_features_word(VirtIODevice *vdev, unsigned word,
                                    uint32_t val)
{
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: driver features written after "
                       "FEATURES_OK, ignored\n", vdev->name);
        return;
    }
    if (word >= 2) {
        if (val) {
            ember_log_mask(LOG_GUEST_ERROR, "%s: driver feature word %u "
                           "does not exist (0x%x ignored)\n", vdev->name,
                           word, val);
        }
        return;
    }
    vdev->guest_features = deposit64(vdev->guest_features, 32 * word, 32,
                                     val);
}

/* 3.1.1 step 5: may the device work with the features the driver took? */
static bool features_acceptable(VirtIODevice *vdev)
{
    uint64_t f = vdev->guest_features;

    if (f & ~vdev->host_features) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: FEATURES_OK refused: bits "
                       "0x%" PRIx64 " were not offered\n", vdev->name,
                       f & ~vdev->host_features);
        return false;
    }
    if (!virtio_has_feature(f, VIRTIO_F_VERSION_1)) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: FEATURES_OK refused: "
                       "VIRTIO_F_VERSION_1 not accepted (no legacy "
                       "interface)\n", vdev->name);
        return false;
    }
    if (vdev->vdc->validate_features &&
        !vdev->vdc->validate_features(vdev, f)) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: FEATURES_OK refused by the "
                       "device (features 0x%" PRIx64 ")\n", vdev->name, f);
        return false;
    }
    return true;
}

uint8_t virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    const uint8_t driver_bits = VIRTIO_CONFIG_S_ACKNOWLEDGE |
        VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
        VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED;
    uint8_t old = vdev->status, set;

    if (val == 0) {
        virtio_reset(vdev);
        return 0;
    }
    /* 2.1.1: only a reset clears bits the driver set. */
    if (old & driver_bits & ~val) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: status 0x%02x clears bits of "
                       "0x%02x without a reset, ignored\n", vdev->name, val,
                       old);
        return old;
    }
    set = val & ~old & driver_bits;
    if ((set & VIRTIO_CONFIG_S_FEATURES_OK) && !features_acceptable(vdev)) {
        /* The driver re-reads the status and sees the bit clear. */
        set &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    if ((set & VIRTIO_CONFIG_S_DRIVER_OK) &&
        !((old | set) & VIRTIO_CONFIG_S_FEATURES_OK)) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: DRIVER_OK without FEATURES_OK, "
                       "ignored\n", vdev->name);
        set &= ~VIRTIO_CONFIG_S_DRIVER_OK;
    }
    vdev->status = old | set;
    if ((set & VIRTIO_CONFIG_S_FEATURES_OK) && vdev->vdc->set_features) {
        vdev->vdc->set_features(vdev, vdev->guest_features);
    }
    if (set && vdev->vdc->set_status) {
        vdev->vdc->set_status(vdev, vdev->status);
    }
    /* Buffers the driver offered before DRIVER_OK wait until now. */
    if (set & VIRTIO_CONFIG_S_DRIVER_OK) {
        for (unsigned i = 0; i < vdev->nvqs; i++) {
            if (vdev->vq[i].notify_pending) {
                vdev->vq[i].notify_pending = false;
                virtio_queue_notify(vdev, i);
            }
        }
    }
    return vdev->status;
}

/* ---- queue registers ---------------------------------------------------- */

static VirtQueue *vq_for_setup(VirtIODevice *vdev, unsigned n,
                               const char *what)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);

    if (!vq) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: %s of queue %u, which does not "
                       "exist\n", vdev->name, what, n);
        return NULL;
    }
    if (vq->enabled) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: %s of queue %u while it is "
                       "enabled, ignored\n", vdev->name, what, n);
        return NULL;
    }
    return vq;
}

bool virtio_queue_set_num(VirtIODevice *vdev, unsigned n, unsigned num)
{
    VirtQueue *vq = vq_for_setup(vdev, n, "size write");

    if (!vq) {
        return false;
    }
    /* 2.7: a power of two, at most what the device offered. */
    if (!num || num > vq->num_max || (num & (num - 1))) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: queue %u size %u invalid (a "
                       "power of two up to %u), ignored\n", vdev->name, n,
                       num, vq->num_max);
        return false;
    }
    vq->num = num;
    return true;
}

void virtio_queue_set_addrs(VirtIODevice *vdev, unsigned n, hwaddr desc,
                            hwaddr avail, hwaddr used)
{
    VirtQueue *vq = vq_for_setup(vdev, n, "address write");

    if (vq) {
        vq->desc_addr = desc;
        vq->avail_addr = avail;
        vq->used_addr = used;
    }
}

bool virtio_queue_enable(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);

    if (!vq) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: enable of queue %u, which does "
                       "not exist\n", vdev->name, n);
        return false;
    }
    if (vq->enabled) {
        return true;
    }
    if (vdev->broken) {
        return false;
    }
    if (vq->desc_addr % VRING_DESC_ALIGN || vq->avail_addr % VRING_AVAIL_ALIGN
        || vq->used_addr % VRING_USED_ALIGN) {
        virtio_error(vdev, "queue %u enabled with misaligned rings (desc "
                     "0x%" PRIx64 ", driver 0x%" PRIx64 ", device 0x%" PRIx64
                     ")", n, vq->desc_addr, vq->avail_addr, vq->used_addr);
        return false;
    }
    vq->last_avail_idx = vq->shadow_avail_idx = vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = true;
    vq->notification = true;
    if (!vq_map_all(vq)) {
        virtio_error(vdev, "queue %u enabled with rings outside RAM (desc "
                     "0x%" PRIx64 ", driver 0x%" PRIx64 ", device 0x%" PRIx64
                     ", size %u)", n, vq->desc_addr, vq->avail_addr,
                     vq->used_addr, vq->num);
        return false;
    }
    vq->enabled = true;
    if (vdev->transport && vdev->transport->queue_enabled) {
        vdev->transport->queue_enabled(vdev, n, true);
    }
    return true;
}

void virtio_queue_reset(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);
    bool was_enabled;

    if (!vq) {
        return;
    }
    vdev->resetting = true;
    if (vdev->vdc->queue_reset) {
        vdev->vdc->queue_reset(vdev, n);
    }
    vdev->resetting = false;
    if (vq->inuse) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: queue %u: %u buffers still in "
                       "use at queue reset\n", vdev->name, n, vq->inuse);
    }
    was_enabled = vq->enabled;
    vq_reset(vq);
    if (was_enabled && vdev->transport && vdev->transport->queue_enabled) {
        vdev->transport->queue_enabled(vdev, n, false);
    }
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);
    unsigned runs = 0;

    if (!vq) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: notification of queue %u, "
                       "which does not exist\n", vdev->name, n);
        return;
    }
    if (vdev->broken || !vq->enabled || vdev->resetting) {
        return;
    }
    if (!virtio_driver_ok(vdev)) {
        /* 3.1.1: no buffers are used before DRIVER_OK; remember it. */
        vq->notify_pending = true;
        return;
    }
    if (vdev->transport && vdev->transport->dma_enabled &&
        !vdev->transport->dma_enabled(vdev)) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: queue %u notified with bus "
                       "mastering disabled, ignored\n", vdev->name, n);
        return;
    }
    if (vq->in_handler) {
        /* Our own interrupt message landed on our notify register. */
        vq->notify_pending = true;
        return;
    }
    vq->in_handler = true;
    do {
        vq->notify_pending = false;
        if (vq->handle_output) {
            vq->handle_output(vdev, vq);
        }
    } while (vq->notify_pending && !vdev->broken && vq->enabled &&
             ++runs < VIRTIO_NOTIFY_RERUN_MAX);
    vq->notify_pending = false;
    vq->in_handler = false;
}

/* ---- config space ------------------------------------------------------- */

static bool config_range_ok(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    if (size > 4 || (uint64_t)addr + size > vdev->config_len) {
        ember_log_mask(LOG_GUEST_ERROR, "%s: config access at 0x%x size %u "
                       "outside the %u-byte config space\n", vdev->name,
                       addr, size, vdev->config_len);
        return false;
    }
    return true;
}

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    if (!config_range_ok(vdev, addr, size)) {
        return 0;
    }
    if (vdev->vdc->get_config) {
        vdev->vdc->get_config(vdev, vdev->config);
    }
    return ldn_le_p(vdev->config + addr, size);
}

void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val,
                         unsigned size)
{
    if (!config_range_ok(vdev, addr, size)) {
        return;
    }
    if (vdev->vdc->get_config) {
        vdev->vdc->get_config(vdev, vdev->config);
    }
    stn_le_p(vdev->config + addr, size, val);
    if (vdev->vdc->set_config) {
        vdev->vdc->set_config(vdev, vdev->config);
    }
}

/* ---- interrupts ---------------------------------------------------------- */

static void virtio_send(VirtIODevice *vdev, uint8_t isr_bit, uint16_t vector)
{
    vdev->isr |= isr_bit;
    if (vdev->transport && vdev->transport->notify) {
        vdev->transport->notify(vdev, vector);
    }
}

void virtio_notify_config(VirtIODevice *vdev)
{
    vdev->config_generation++;
    if (!virtio_driver_ok(vdev)) {
        return;
    }
    virtio_send(vdev, 0x2, vdev->config_vector);
}

/* 2.7.7.2: does the driver want a used buffer notification now? */
static bool vq_should_notify(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    uint16_t old, new_idx;
    bool valid;

    /* Our used index must be visible before we read the driver's wish. */
    virtio_mb();
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return !(avail_flags(vq) & VRING_AVAIL_F_NO_INTERRUPT);
    }
    valid = vq->signalled_used_valid;
    old = vq->signalled_used;
    new_idx = vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    return !valid || vring_need_event(used_event(vq), new_idx, old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!vq_ready(vq) || !virtio_driver_ok(vdev)) {
        return;
    }
    if (vq_should_notify(vq)) {
        virtio_send(vdev, 0x1, vq->vector);
    }
}

void virtio_queue_set_notification(VirtQueue *vq, bool enable)
{
    vq->notification = enable;
    if (!vq_ready(vq)) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        /* 2.7.10: ask to be told once the driver passes this index. */
        if (enable) {
            set_avail_event(vq, avail_idx(vq));
        }
    } else {
        used_set_flags(vq, enable ? 0 : VRING_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* Our request is visible before the caller re-checks the ring. */
        virtio_mb();
    }
}

/* ---- available ring: popping chains ------------------------------------- */

/* How many new heads; an index that jumped too far breaks the device. */
static int vq_num_heads(VirtQueue *vq)
{
    uint16_t idx = avail_idx(vq);
    uint16_t n = idx - vq->last_avail_idx;

    if (n > vq->num) {
        virtio_error(vq->vdev, "queue %u: available index %u moved %u "
                     "entries past %u (queue size %u)", vq->index, idx, n,
                     vq->last_avail_idx, vq->num);
        return -1;
    }
    if (n) {
        /* The entries are read after the index that covers them. */
        virtio_rmb();
    }
    return n;
}

bool virtqueue_empty(VirtQueue *vq)
{
    if (!vq_ready(vq)) {
        return true;
    }
    if (vq->shadow_avail_idx != vq->last_avail_idx) {
        return false;
    }
    return avail_idx(vq) == vq->last_avail_idx;
}

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

static void desc_read(const uint8_t *table, unsigned i, VRingDesc *d)
{
    const uint8_t *p = table + (size_t)i * VRING_DESC_SIZE;

    d->addr = ldq_le_p(p);
    d->len = ldl_le_p(p + 8);
    d->flags = lduw_le_p(p + 12);
    d->next = lduw_le_p(p + 14);
}

/* Gathered pieces of one chain, readable ones first. */
typedef struct PopState {
    struct iovec iov[VIRTQUEUE_MAX_SG];
    hwaddr addr[VIRTQUEUE_MAX_SG];
    unsigned n;
    unsigned out_num;
    uint64_t out_len, in_len;
    bool seen_write;
} PopState;

/* Map one descriptor's buffer (in RAM pieces) into the pop state. */
static bool pop_map_desc(VirtQueue *vq, PopState *ps, const VRingDesc *d)
{
    VirtIODevice *vdev = vq->vdev;
    bool is_write = d->flags & VRING_DESC_F_WRITE;
    uint64_t *total = is_write ? &ps->in_len : &ps->out_len;
    hwaddr addr = d->addr;
    uint64_t len = d->len;

    if (is_write) {
        ps->seen_write = true;
    } else if (ps->seen_write) {
        virtio_error(vdev, "queue %u: device-readable buffer after a "
                     "device-writable one", vq->index);
        return false;
    }
    if (addr + len < addr) {
        virtio_error(vdev, "queue %u: buffer at 0x%" PRIx64 " length %" PRIu64
                     " wraps the address space", vq->index, addr, len);
        return false;
    }
    *total += len;
    if (*total > VIRTQUEUE_MAX_BYTES) {
        virtio_error(vdev, "queue %u: chain longer than %" PRIu64 " bytes",
                     vq->index, (uint64_t)VIRTQUEUE_MAX_BYTES);
        return false;
    }
    while (len) {
        uint64_t l = len;
        void *p = address_space_map(vdev->dma_as, addr, &l, is_write);

        if (!p || !l) {
            virtio_error(vdev, "queue %u: buffer at 0x%" PRIx64 " is not %s"
                         "guest RAM", vq->index, addr,
                         is_write ? "writable " : "");
            return false;
        }
        if (ps->n >= VIRTQUEUE_MAX_SG) {
            virtio_error(vdev, "queue %u: chain has more than %u pieces",
                         vq->index, VIRTQUEUE_MAX_SG);
            return false;
        }
        ps->iov[ps->n].iov_base = p;
        ps->iov[ps->n].iov_len = l;
        ps->addr[ps->n] = addr;
        ps->n++;
        if (!is_write) {
            ps->out_num = ps->n;
        }
        addr += l;
        len -= l;
    }
    return true;
}

/* Copy an indirect table (2.7.5.3) out of guest RAM. */
static uint8_t *pop_read_indirect(VirtQueue *vq, const VRingDesc *d)
{
    VirtIODevice *vdev = vq->vdev;
    uint8_t *table;
    uint64_t done = 0;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
        virtio_error(vdev, "queue %u: indirect descriptor without "
                     "VIRTIO_F_INDIRECT_DESC", vq->index);
        return NULL;
    }
    if (d->flags & VRING_DESC_F_NEXT) {
        virtio_error(vdev, "queue %u: indirect descriptor with NEXT set",
                     vq->index);
        return NULL;
    }
    if (!d->len || d->len % VRING_DESC_SIZE ||
        d->len / VRING_DESC_SIZE > VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "queue %u: indirect table of %u bytes (a "
                     "multiple of 16, at most %u entries)", vq->index,
                     d->len, VIRTQUEUE_MAX_SIZE);
        return NULL;
    }
    if (d->addr + d->len < d->addr) {
        virtio_error(vdev, "queue %u: indirect table wraps the address "
                     "space", vq->index);
        return NULL;
    }
    table = g_malloc(d->len);
    while (done < d->len) {
        uint64_t l = d->len - done;
        void *p = address_space_map(vdev->dma_as, d->addr + done, &l, false);

        if (!p || !l) {
            virtio_error(vdev, "queue %u: indirect table at 0x%" PRIx64
                         " is not in guest RAM", vq->index, d->addr);
            g_free(table);
            return NULL;
        }
        memcpy(table + done, p, l);
        done += l;
    }
    return table;
}

/* Walk the chain from head into ps. */
static bool pop_walk(VirtQueue *vq, unsigned head, PopState *ps)
{
    VirtIODevice *vdev = vq->vdev;
    const uint8_t *table = vq->desc.ptr;
    g_autofree uint8_t *indirect = NULL;
    unsigned max = vq->num, i = head, count = 0;
    VRingDesc d;

    if (head >= max) {
        virtio_error(vdev, "queue %u: head descriptor %u out of range "
                     "(queue size %u)", vq->index, head, max);
        return false;
    }
    for (;;) {
        if (++count > max) {
            virtio_error(vdev, "queue %u: descriptor chain from %u longer "
                         "than %u (a loop?)", vq->index, head, max);
            return false;
        }
        desc_read(table, i, &d);
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (indirect) {
                virtio_error(vdev, "queue %u: nested indirect table",
                             vq->index);
                return false;
            }
            indirect = pop_read_indirect(vq, &d);
            if (!indirect) {
                return false;
            }
            table = indirect;
            max = d.len / VRING_DESC_SIZE;
            i = 0;
            count = 0;
            continue;
        }
        if (!pop_map_desc(vq, ps, &d)) {
            return false;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        i = d.next;
        if (i >= max) {
            virtio_error(vdev, "queue %u: next descriptor %u out of range "
                         "(%s of %u)", vq->index, i,
                         indirect ? "indirect table" : "queue", max);
            return false;
        }
    }
}

static PopState *pop_state;     /* scratch, only used under the BQL */

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    VirtQueueElement *elem;
    PopState *ps;
    unsigned head, in_num;
    size_t off_iov, total;
    int n;

    assert(sz >= sizeof(VirtQueueElement));
    if (!vq_ready(vq) || !virtio_driver_ok(vdev)) {
        return NULL;
    }
    n = vq_num_heads(vq);
    if (n <= 0) {
        return NULL;
    }
    if (vq->inuse >= vq->num) {
        virtio_error(vdev, "queue %u: more than %u buffers in flight",
                     vq->index, vq->num);
        return NULL;
    }
    head = avail_ring(vq, vq->last_avail_idx % vq->num);
    if (!pop_state) {
        pop_state = g_new(PopState, 1);
    }
    ps = pop_state;
    ps->n = ps->out_num = 0;
    ps->out_len = ps->in_len = 0;
    ps->seen_write = false;
    if (!pop_walk(vq, head, ps)) {
        return NULL;
    }
    vq->last_avail_idx++;
    if (vq->notification &&
        virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        set_avail_event(vq, vq->last_avail_idx);
    }

    /* One block: the device's struct, then the iovecs, then addresses. */
    in_num = ps->n - ps->out_num;
    off_iov = ROUND_UP(sz, (size_t)16);
    total = off_iov + ps->n * (sizeof(struct iovec) + sizeof(hwaddr));
    elem = g_malloc0(total);
    elem->index = head;
    elem->out_num = ps->out_num;
    elem->in_num = in_num;
    elem->out_len = ps->out_len;
    elem->in_len = ps->in_len;
    elem->out_sg = (struct iovec *)((uint8_t *)elem + off_iov);
    elem->in_sg = elem->out_sg + ps->out_num;
    elem->out_addr = (hwaddr *)(elem->out_sg + ps->n);
    elem->in_addr = elem->out_addr + ps->out_num;
    memcpy(elem->out_sg, ps->iov, ps->n * sizeof(struct iovec));
    memcpy(elem->out_addr, ps->addr, ps->n * sizeof(hwaddr));
    vq->inuse++;
    return elem;
}

/* ---- used ring ----------------------------------------------------------- */

/* Report what the device wrote into the element's buffers. */
static void elem_unmap(VirtIODevice *vdev, const VirtQueueElement *elem,
                       unsigned len)
{
    for (unsigned i = 0; i < elem->in_num && len; i++) {
        unsigned w = MIN(len, elem->in_sg[i].iov_len);

        address_space_unmap(vdev->dma_as, elem->in_sg[i].iov_base,
                            elem->in_addr[i], elem->in_sg[i].iov_len, true,
                            w);
        len -= w;
    }
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned len, unsigned idx)
{
    uint64_t off;
    uint8_t *p;

    if (len > elem->in_len) {
        len = elem->in_len;
    }
    elem_unmap(vq->vdev, elem, len);
    if (!vq_ready(vq)) {
        return;
    }
    off = VRING_USED_RING +
        (uint64_t)VRING_USED_ELEM_SIZE * ((vq->used_idx + idx) % vq->num);
    p = vq->used.ptr + off;
    stl_le_p(p, elem->index);
    stl_le_p(p + 4, len);
    ring_written(&vq->used, off, VRING_USED_ELEM_SIZE);
}

void virtqueue_flush(VirtQueue *vq, unsigned count)
{
    uint16_t old = vq->used_idx, new_idx = old + count;

    vq->inuse -= MIN(vq->inuse, count);
    if (!vq_ready(vq)) {
        return;
    }
    /* 2.7.13.3: the entries before the index that publishes them. */
    virtio_wmb();
    ring_st16(vq->used.ptr + VRING_USED_IDX, new_idx);
    ring_written(&vq->used, VRING_USED_IDX, 2);
    vq->used_idx = new_idx;
    /* The index went past the last notified value: event_idx
     * comparisons against it would be meaningless. */
    if ((uint16_t)(new_idx - vq->signalled_used) < (uint16_t)(new_idx - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned len)
{
    elem_unmap(vq->vdev, elem, MIN(len, elem->in_len));
    if (vq->inuse) {
        vq->inuse--;
    }
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned len)
{
    virtqueue_detach_element(vq, elem, len);
    vq->last_avail_idx--;
}

/* ---- iovec helpers ------------------------------------------------------- */

size_t virtio_iov_size(const struct iovec *iov, unsigned n)
{
    size_t s = 0;

    for (unsigned i = 0; i < n; i++) {
        s += iov[i].iov_len;
    }
    return s;
}

size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
                         void *buf, size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < n && done < len; i++) {
        size_t l;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        l = MIN(iov[i].iov_len - off, len - done);
        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, l);
        done += l;
        off = 0;
    }
    return done;
}

size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
                           const void *buf, size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < n && done < len; i++) {
        size_t l;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        l = MIN(iov[i].iov_len - off, len - done);
        memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done,
               l);
        done += l;
        off = 0;
    }
    return done;
}
