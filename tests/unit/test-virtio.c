/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio core (hw/virtio/virtio.c) without a transport or a machine:
 * a test device on a fake transport, rings written straight into RAM
 * regions of the memory API. Status and feature rules, queue set-up,
 * popping chains (direct, indirect, split over RAM regions), the used
 * ring, notification suppression both ways, every hostile-chain check,
 * ring maps after memory map changes, dirty reporting of device writes,
 * re-entry from the device's own interrupts, and config space access.
 */
#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/virtio/virtio.h"

#define RAM_SIZE    (1 * MiB)
#define RAM2_ADDR   RAM_SIZE            /* right after: buffers split */
#define RAM2_SIZE   (64 * KiB)
#define IO_ADDR     0x200000
#define ROM_ADDR    0x300000
#define QNUM        8
#define DESC        0x1000
#define AVAIL       0x2000
#define USED        0x3000
#define BUF         0x10000

typedef struct TestDev {
    VirtIODevice vdev;
    GPtrArray *popped;          /* VirtQueueElement * */
    unsigned runs;
    bool pop;                   /* the handler pops everything */
    unsigned renotify;          /* handler notifies its queue again */
    bool refuse;                /* validate_features says no */
    unsigned set_features_calls;
    unsigned resets;
    unsigned set_status_calls;
    uint8_t cfg[8];
    /* The fake transport. */
    GArray *vectors;            /* uint16_t per notify() */
    bool dma;
    int queue_enabled_calls;
} TestDev;

static MemoryRegion ram, ram2, io, rom;

/* MMIO the device must never touch through the rings or buffers. */
static uint64_t io_read(void *opaque, hwaddr off, unsigned size)
{
    g_assert_not_reached();
}

static void io_write(void *opaque, hwaddr off, uint64_t v, unsigned size)
{
    g_assert_not_reached();
}

static const MemoryRegionOps io_ops = {
    .read = io_read,
    .write = io_write,
};
static GArray *written;         /* RAM writes reported: (offset, len) */

static TestDev *to_dev(VirtIODevice *vdev)
{
    return container_of(vdev, TestDev, vdev);
}

/* ---- the device ---------------------------------------------------------- */

static void handle(VirtIODevice *vdev, VirtQueue *vq)
{
    TestDev *t = to_dev(vdev);
    VirtQueueElement *e;

    t->runs++;
    if (t->renotify) {
        t->renotify--;
        virtio_queue_notify(vdev, vq->index);
    }
    while (t->pop && (e = virtqueue_pop(vq, sizeof(*e)))) {
        g_ptr_array_add(t->popped, e);
    }
}

static bool validate(VirtIODevice *vdev, uint64_t f)
{
    return !to_dev(vdev)->refuse;
}

static void set_features(VirtIODevice *vdev, uint64_t f)
{
    to_dev(vdev)->set_features_calls++;
}

static void set_status(VirtIODevice *vdev, uint8_t s)
{
    to_dev(vdev)->set_status_calls++;
}

static void get_config(VirtIODevice *vdev, uint8_t *c)
{
    memcpy(c, to_dev(vdev)->cfg, 8);
}

static void set_config(VirtIODevice *vdev, const uint8_t *c)
{
    /* Only byte 4 is writable. */
    to_dev(vdev)->cfg[4] = c[4];
}

static void dev_reset(VirtIODevice *vdev)
{
    TestDev *t = to_dev(vdev);

    t->resets++;
    /* Finish what is in flight, as a real device drains. */
    for (unsigned i = 0; i < t->popped->len; i++) {
        VirtQueueElement *e = g_ptr_array_index(t->popped, i);
        virtqueue_detach_element(&vdev->vq[0], e, 0);
    }
    g_ptr_array_set_size(t->popped, 0);
}

static const VirtioDeviceClass test_class = {
    .name = "virtio-test",
    .device_id = 0x3f,
    .validate_features = validate,
    .set_features = set_features,
    .get_config = get_config,
    .set_config = set_config,
    .set_status = set_status,
    .reset = dev_reset,
};

static void tp_notify(VirtIODevice *vdev, uint16_t vector)
{
    g_array_append_val(to_dev(vdev)->vectors, vector);
}

static bool tp_dma(VirtIODevice *vdev)
{
    return to_dev(vdev)->dma;
}

static void tp_queue_enabled(VirtIODevice *vdev, unsigned n, bool on)
{
    to_dev(vdev)->queue_enabled_calls += on ? 1 : -1;
}

static const VirtioTransportOps test_transport = {
    .notify = tp_notify,
    .dma_enabled = tp_dma,
    .queue_enabled = tp_queue_enabled,
};

static TestDev *dev_new(void)
{
    TestDev *t = g_new0(TestDev, 1);

    virtio_init(&t->vdev, &test_class, 8);
    virtio_add_queue(&t->vdev, QNUM, handle);
    virtio_add_queue(&t->vdev, 4, handle);
    virtio_set_transport(&t->vdev, &test_transport, t, &address_space_memory);
    t->popped = g_ptr_array_new_with_free_func(g_free);
    t->vectors = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    t->dma = true;
    t->pop = true;
    memcpy(t->cfg, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    return t;
}

static void dev_free(TestDev *t)
{
    virtio_reset(&t->vdev);
    virtio_cleanup(&t->vdev);
    g_ptr_array_free(t->popped, TRUE);
    g_array_free(t->vectors, TRUE);
    g_free(t);
}

static const uint64_t base_features = (1ULL << VIRTIO_F_VERSION_1) |
    (1ULL << VIRTIO_RING_F_INDIRECT_DESC);

/* Negotiate, set up queue 0 at DESC/AVAIL/USED, DRIVER_OK. */
static void dev_start(TestDev *t, uint64_t features)
{
    VirtIODevice *vdev = &t->vdev;

    address_space_write(&address_space_memory, 0, (uint8_t[0x4000]){ 0 },
                        0x4000);
    virtio_set_status(vdev, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_guest_features_word(vdev, 0, (uint32_t)features);
    virtio_set_guest_features_word(vdev, 1, features >> 32);
    g_assert_true(virtio_set_status(vdev, vdev->status |
                                    VIRTIO_CONFIG_S_FEATURES_OK) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_true(virtio_queue_set_num(vdev, 0, QNUM));
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    g_assert_true(virtio_queue_enable(vdev, 0));
    vdev->config_vector = 7;
    vdev->vq[0].vector = 3;
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(virtio_driver_ok(vdev));
    g_array_set_size(t->vectors, 0);
    g_ptr_array_set_size(t->popped, 0);
    t->runs = 0;
}

/* ---- ring writing (the driver's side) ------------------------------------ */

static AddressSpace *as(void)
{
    return &address_space_memory;
}

static void desc(hwaddr table, unsigned i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next)
{
    address_space_stq(as(), table + 16 * i, addr);
    address_space_stl(as(), table + 16 * i + 8, len);
    address_space_stw(as(), table + 16 * i + 12, flags);
    address_space_stw(as(), table + 16 * i + 14, next);
}

/* Offer head at avail slot idx and move avail->idx to idx + 1. */
static void offer(unsigned idx, uint16_t head)
{
    address_space_stw(as(), AVAIL + 4 + 2 * (idx % QNUM), head);
    address_space_stw(as(), AVAIL + 2, idx + 1);
}

static uint16_t used_idx(void)
{
    return address_space_lduw(as(), USED + 2);
}

static bool broken(TestDev *t)
{
    return t->vdev.broken &&
           (t->vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void *host(hwaddr a)
{
    return (uint8_t *)memory_region_get_ram_ptr(&ram) + a;
}

/* ---- tests --------------------------------------------------------------- */

static void test_need_event(void)
{
    /* Notify when the index went from old to new past event. */
    g_assert_true(vring_need_event(0, 1, 0));
    g_assert_false(vring_need_event(1, 1, 0));
    g_assert_true(vring_need_event(4, 6, 3));
    g_assert_false(vring_need_event(6, 6, 3));
    g_assert_false(vring_need_event(2, 6, 3));
    g_assert_true(vring_need_event(3, 6, 3));
    /* Across the 16-bit wrap. */
    g_assert_true(vring_need_event(0xffff, 2, 0xfffe));
    g_assert_true(vring_need_event(0, 2, 0xfffe));
    g_assert_false(vring_need_event(2, 2, 0xfffe));
    g_assert_false(vring_need_event(0xfffd, 2, 0xfffe));
}

static void test_status_features(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    const uint8_t ad = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    g_assert_true(vdev->host_features & (1ULL << VIRTIO_F_VERSION_1));
    g_assert_cmphex(virtio_get_host_features_word(vdev, 1) & 1, ==, 1);
    g_assert_cmphex(virtio_get_host_features_word(vdev, 2), ==, 0);
    g_assert_cmpuint(virtio_set_status(vdev, ad), ==, ad);
    /* Not offered, then no VERSION_1, then refused by the device. */
    virtio_set_guest_features_word(vdev, 1, 1 | 4);
    g_assert_cmpuint(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_FEATURES_OK),
                     ==, ad);
    virtio_set_guest_features_word(vdev, 1, 0);
    g_assert_cmpuint(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_FEATURES_OK),
                     ==, ad);
    virtio_set_guest_features_word(vdev, 1, 1);
    t->refuse = true;
    g_assert_cmpuint(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_FEATURES_OK),
                     ==, ad);
    g_assert_cmpuint(t->set_features_calls, ==, 0);
    /* DRIVER_OK without FEATURES_OK: ignored. */
    g_assert_cmpuint(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_DRIVER_OK),
                     ==, ad);
    t->refuse = false;
    virtio_set_guest_features_word(vdev, 0, 1u << VIRTIO_RING_F_EVENT_IDX);
    g_assert_cmpuint(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_FEATURES_OK),
                     ==, ad | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmpuint(t->set_features_calls, ==, 1);
    g_assert_true(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    /* Frozen now. */
    virtio_set_guest_features_word(vdev, 0, 0);
    g_assert_true(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    /* Clearing bits without a reset: refused. */
    g_assert_cmpuint(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE), ==,
                     ad | VIRTIO_CONFIG_S_FEATURES_OK);
    /* The driver cannot set NEEDS_RESET. */
    g_assert_false(virtio_set_status(vdev, ad | VIRTIO_CONFIG_S_FEATURES_OK |
                                     VIRTIO_CONFIG_S_NEEDS_RESET) &
                   VIRTIO_CONFIG_S_NEEDS_RESET);
    /* Reset: everything back, the device's callback ran. */
    g_assert_cmpuint(virtio_set_status(vdev, 0), ==, 0);
    g_assert_cmpuint(t->resets, ==, 1);
    g_assert_cmphex(vdev->guest_features, ==, 0);
    g_assert_cmphex(vdev->config_vector, ==, VIRTIO_NO_VECTOR);
    dev_free(t);
}

static void test_queue_setup(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    g_assert_cmpuint(vdev->nvqs, ==, 2);
    g_assert_cmpuint(vdev->vq[0].num, ==, QNUM);
    g_assert_false(virtio_queue_set_num(vdev, 0, 3));
    g_assert_false(virtio_queue_set_num(vdev, 0, 16));
    g_assert_false(virtio_queue_set_num(vdev, 0, 0));
    g_assert_false(virtio_queue_set_num(vdev, 2, 4));
    g_assert_true(virtio_queue_set_num(vdev, 0, 2));
    g_assert_cmpuint(vdev->vq[0].num, ==, 2);
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    g_assert_true(virtio_queue_enable(vdev, 0));
    g_assert_cmpint(t->queue_enabled_calls, ==, 1);
    /* Fixed while enabled. */
    g_assert_false(virtio_queue_set_num(vdev, 0, 4));
    virtio_queue_set_addrs(vdev, 0, 0, 0, 0);
    g_assert_cmphex(vdev->vq[0].desc_addr, ==, DESC);
    /* Queue reset: back to the defaults, disabled. */
    virtio_queue_reset(vdev, 0);
    g_assert_false(vdev->vq[0].enabled);
    g_assert_cmpuint(vdev->vq[0].num, ==, QNUM);
    g_assert_cmpint(t->queue_enabled_calls, ==, 0);
    g_assert_false(vdev->broken);

    /* Rings that cannot be used: misaligned, MMIO, ROM, beyond RAM. */
    {
        struct { hwaddr d, a, u; } bad[] = {
            { DESC + 8, AVAIL, USED },
            { DESC, AVAIL + 1, USED },
            { DESC, AVAIL, USED + 2 },
            { IO_ADDR, AVAIL, USED },
            { DESC, IO_ADDR, USED },
            { DESC, AVAIL, ROM_ADDR },
            { DESC, AVAIL, RAM2_ADDR + RAM2_SIZE - 16 },
            { 0xfffffffffffffff0ULL, AVAIL, USED },
        };
        for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
            virtio_set_status(vdev, 0);
            virtio_queue_set_addrs(vdev, 0, bad[i].d, bad[i].a, bad[i].u);
            g_assert_false(virtio_queue_enable(vdev, 0));
            g_assert_true(broken(t));
            g_assert_false(vdev->vq[0].enabled);
            /* Before DRIVER_OK, no config interrupt. */
            g_assert_cmpuint(t->vectors->len, ==, 0);
        }
    }
    /* The descriptor table in ROM is fine (the device only reads it). */
    virtio_set_status(vdev, 0);
    virtio_queue_set_addrs(vdev, 0, ROM_ADDR, AVAIL, USED);
    g_assert_true(virtio_queue_enable(vdev, 0));
    dev_free(t);
}

static void test_pop_push(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    VirtQueue *vq = &vdev->vq[0];
    VirtQueueElement *e;

    dev_start(t, base_features);
    /* 2 readable (16 + 100), 2 writable (512 + 1). */
    desc(DESC, 0, BUF, 16, VRING_DESC_F_NEXT, 5);
    desc(DESC, 5, BUF + 0x100, 100, VRING_DESC_F_NEXT, 2);
    desc(DESC, 2, BUF + 0x1000, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
         7);
    desc(DESC, 7, BUF + 0x2000, 1, VRING_DESC_F_WRITE, 0);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->runs, ==, 1);
    g_assert_cmpuint(t->popped->len, ==, 1);
    e = g_ptr_array_index(t->popped, 0);
    g_assert_cmpuint(e->index, ==, 0);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 116);
    g_assert_cmpuint(e->in_len, ==, 513);
    g_assert_true(e->out_sg[0].iov_base == host(BUF));
    g_assert_true(e->out_sg[1].iov_base == host(BUF + 0x100));
    g_assert_true(e->in_sg[0].iov_base == host(BUF + 0x1000));
    g_assert_cmpuint(e->in_sg[1].iov_len, ==, 1);
    g_assert_cmphex(e->in_addr[1], ==, BUF + 0x2000);
    g_assert_cmpuint(vq->inuse, ==, 1);
    /* Nothing more. */
    g_assert_true(virtqueue_empty(vq));
    g_assert_null(virtqueue_pop(vq, sizeof(*e)));

    /* iov helpers across pieces. */
    {
        uint8_t in[120], out[120];
        for (int i = 0; i < 120; i++) {
            in[i] = i;
        }
        g_assert_cmpuint(virtio_iov_from_buf(e->in_sg, e->in_num, 510, in, 10),
                         ==, 3);
        g_assert_cmpuint(*(uint8_t *)host(BUF + 0x2000), ==, 2);
        g_assert_cmpuint(virtio_iov_size(e->out_sg, e->out_num), ==, 116);
        memcpy(host(BUF), in, 16);
        memcpy(host(BUF + 0x100), in + 16, 100);
        g_assert_cmpuint(virtio_iov_to_buf(e->out_sg, e->out_num, 10, out,
                                           200), ==, 106);
        g_assert_cmpmem(out, 106, in + 10, 106);
    }

    /* Push: used ring entry, index, an interrupt on the queue vector. */
    g_ptr_array_steal_index(t->popped, 0);
    virtqueue_push(vq, e, 300);
    virtio_notify(vdev, vq);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(address_space_ldl(as(), USED + 4), ==, 0);
    g_assert_cmpuint(address_space_ldl(as(), USED + 8), ==, 300);
    g_assert_cmpuint(vq->inuse, ==, 0);
    g_assert_cmpuint(t->vectors->len, ==, 1);
    g_assert_cmpuint(g_array_index(t->vectors, uint16_t, 0), ==, 3);
    g_assert_cmphex(vdev->isr & 1, ==, 1);
    /* The used length is capped at what the element can hold. */
    desc(DESC, 1, BUF, 4, VRING_DESC_F_WRITE, 0);
    offer(1, 1);
    virtio_queue_notify(vdev, 0);
    g_free(e);
    e = g_ptr_array_steal_index(t->popped, 0);
    virtqueue_push(vq, e, 1000);
    g_assert_cmpuint(address_space_ldl(as(), USED + 4 + 8 + 4), ==, 4);
    g_free(e);

    /* fill/flush in a batch, out of order. */
    desc(DESC, 3, BUF, 8, VRING_DESC_F_WRITE, 0);
    desc(DESC, 4, BUF, 8, VRING_DESC_F_WRITE, 0);
    offer(2, 3);
    offer(3, 4);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->popped->len, ==, 2);
    virtqueue_fill(vq, g_ptr_array_index(t->popped, 1), 2, 0);
    virtqueue_fill(vq, g_ptr_array_index(t->popped, 0), 1, 1);
    g_assert_cmpuint(used_idx(), ==, 2);
    virtqueue_flush(vq, 2);
    g_assert_cmpuint(used_idx(), ==, 4);
    g_assert_cmpuint(address_space_ldl(as(), USED + 4 + 8 * 2), ==, 4);
    g_assert_cmpuint(address_space_ldl(as(), USED + 4 + 8 * 3), ==, 3);
    g_ptr_array_set_size(t->popped, 0);

    /* unpop gives it back; detach drops it. */
    desc(DESC, 6, BUF, 8, 0, 0);
    t->pop = false;
    offer(4, 6);
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_true(virtqueue_empty(vq));
    virtqueue_unpop(vq, e, 0);
    g_free(e);
    g_assert_false(virtqueue_empty(vq));
    e = virtqueue_pop(vq, sizeof(*e) + 100);
    g_assert_cmpuint(e->index, ==, 6);
    memset((uint8_t *)e + sizeof(*e), 0xab, 100);   /* the device's part */
    virtqueue_detach_element(vq, e, 0);
    g_assert_cmpuint(vq->inuse, ==, 0);
    g_free(e);
    g_assert_false(vdev->broken);
    dev_free(t);
}

static void test_split_and_indirect(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    VirtQueueElement *e;
    hwaddr table = 0x5000;

    dev_start(t, base_features);
    /* A buffer across the RAM/RAM2 boundary: two pieces. */
    desc(DESC, 0, RAM_SIZE - 0x100, 0x300, VRING_DESC_F_WRITE, 0);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    e = g_ptr_array_index(t->popped, 0);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->in_sg[0].iov_len, ==, 0x100);
    g_assert_cmpuint(e->in_sg[1].iov_len, ==, 0x200);
    g_assert_true(e->in_sg[1].iov_base == memory_region_get_ram_ptr(&ram2));
    g_assert_cmphex(e->in_addr[1], ==, RAM2_ADDR);

    /* An indirect table of 3, chained out of order. */
    desc(table, 0, BUF, 16, VRING_DESC_F_NEXT, 2);
    desc(table, 2, BUF + 16, 32, VRING_DESC_F_NEXT, 1);
    desc(table, 1, BUF + 64, 8, VRING_DESC_F_WRITE, 0);
    desc(DESC, 1, table, 48, VRING_DESC_F_INDIRECT, 0);
    offer(1, 1);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->popped->len, ==, 2);
    e = g_ptr_array_index(t->popped, 1);
    g_assert_cmpuint(e->index, ==, 1);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 48);
    g_assert_cmpuint(e->in_len, ==, 8);
    /* Direct descriptors before an indirect one at the end of a chain. */
    desc(DESC, 2, BUF + 0x400, 4, VRING_DESC_F_NEXT, 3);
    desc(DESC, 3, table, 48, VRING_DESC_F_INDIRECT, 0);
    offer(2, 2);
    virtio_queue_notify(vdev, 0);
    e = g_ptr_array_index(t->popped, 2);
    g_assert_cmpuint(e->out_num, ==, 3);
    g_assert_cmpuint(e->in_num, ==, 1);
    /* A table of the maximum size, all entries chained. */
    for (unsigned i = 0; i < VIRTQUEUE_MAX_SIZE; i++) {
        desc(0x20000, i, BUF, 1,
             i + 1 < VIRTQUEUE_MAX_SIZE ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    desc(DESC, 4, 0x20000, 16 * VIRTQUEUE_MAX_SIZE, VRING_DESC_F_INDIRECT, 0);
    offer(3, 4);
    virtio_queue_notify(vdev, 0);
    e = g_ptr_array_index(t->popped, 3);
    g_assert_cmpuint(e->out_num, ==, VIRTQUEUE_MAX_SIZE);
    g_assert_false(vdev->broken);
    dev_free(t);
}

typedef void BadChain(void);

static void bad_loop(void)
{
    desc(DESC, 0, BUF, 1, VRING_DESC_F_NEXT, 1);
    desc(DESC, 1, BUF, 1, VRING_DESC_F_NEXT, 0);
    offer(0, 0);
}

static void bad_head(void)
{
    offer(0, QNUM);
}

static void bad_next(void)
{
    desc(DESC, 0, BUF, 1, VRING_DESC_F_NEXT, QNUM);
    offer(0, 0);
}

static void bad_mmio(void)
{
    desc(DESC, 0, IO_ADDR, 1, 0, 0);
    offer(0, 0);
}

static void bad_rom_write(void)
{
    desc(DESC, 0, ROM_ADDR, 1, VRING_DESC_F_WRITE, 0);
    offer(0, 0);
}

static void bad_beyond_ram(void)
{
    desc(DESC, 0, RAM2_ADDR + RAM2_SIZE - 4, 8, 0, 0);
    offer(0, 0);
}

static void bad_wrap(void)
{
    desc(DESC, 0, 0xfffffffffffffffcULL, 8, 0, 0);
    offer(0, 0);
}

static void bad_total(void)
{
    desc(DESC, 0, BUF, 0x80000000, VRING_DESC_F_NEXT, 1);
    desc(DESC, 1, BUF, 0x80000000, 0, 0);
    offer(0, 0);
}

static void bad_order(void)
{
    desc(DESC, 0, BUF, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    desc(DESC, 1, BUF, 1, 0, 0);
    offer(0, 0);
}

static void bad_nested(void)
{
    desc(0x5000, 0, 0x5000, 16, VRING_DESC_F_INDIRECT, 0);
    desc(DESC, 0, 0x5000, 16, VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
}

static void bad_indirect_len(void)
{
    desc(DESC, 0, 0x5000, 24, VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
}

static void bad_indirect_huge(void)
{
    desc(DESC, 0, 0x5000, 16 * (VIRTQUEUE_MAX_SIZE + 1),
         VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
}

static void bad_indirect_next(void)
{
    desc(0x5000, 0, BUF, 1, 0, 0);
    desc(DESC, 0, 0x5000, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    offer(0, 0);
}

static void bad_indirect_loop(void)
{
    desc(0x5000, 0, BUF, 1, VRING_DESC_F_NEXT, 1);
    desc(0x5000, 1, BUF, 1, VRING_DESC_F_NEXT, 0);
    desc(DESC, 0, 0x5000, 32, VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
}

static void bad_indirect_mmio(void)
{
    desc(DESC, 0, IO_ADDR, 32, VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
}

static void bad_avail_jump(void)
{
    desc(DESC, 0, BUF, 1, 0, 0);
    address_space_stw(as(), AVAIL + 2, QNUM + 1);
}

static void test_bad_chains(void)
{
    static const struct {
        const char *name;
        BadChain *fn;
    } cases[] = {
        { "loop", bad_loop },
        { "head out of range", bad_head },
        { "next out of range", bad_next },
        { "MMIO buffer", bad_mmio },
        { "writable buffer in ROM", bad_rom_write },
        { "buffer beyond RAM", bad_beyond_ram },
        { "buffer wrapping", bad_wrap },
        { "over 4 GiB", bad_total },
        { "readable after writable", bad_order },
        { "nested indirect", bad_nested },
        { "indirect length", bad_indirect_len },
        { "indirect too large", bad_indirect_huge },
        { "indirect with NEXT", bad_indirect_next },
        { "loop in an indirect table", bad_indirect_loop },
        { "indirect table in MMIO", bad_indirect_mmio },
        { "avail index jump", bad_avail_jump },
    };
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t gen;

        g_test_message("case: %s", cases[i].name);
        dev_start(t, base_features);
        gen = vdev->config_generation;
        cases[i].fn();
        virtio_queue_notify(vdev, 0);
        g_assert_cmpuint(t->popped->len, ==, 0);
        g_assert_true(broken(t));
        /* A config interrupt on the config vector, ISR bit 1. */
        g_assert_cmpuint(t->vectors->len, ==, 1);
        g_assert_cmpuint(g_array_index(t->vectors, uint16_t, 0), ==, 7);
        g_assert_true(vdev->isr & 2);
        g_assert_cmpuint(vdev->config_generation, ==, (uint8_t)(gen + 1));
        /* Further notifications do nothing; a second error is quiet. */
        virtio_queue_notify(vdev, 0);
        g_assert_cmpuint(t->runs, ==, 1);
        virtio_error(vdev, "again");
        g_assert_cmpuint(t->vectors->len, ==, 1);
        /* The status write keeps NEEDS_RESET; reset clears it. */
        g_assert_true(virtio_set_status(vdev, vdev->status) &
                      VIRTIO_CONFIG_S_NEEDS_RESET);
        virtio_set_status(vdev, 0);
        g_assert_false(vdev->broken);
        g_assert_cmpuint(vdev->status, ==, 0);
    }
    /* Indirect without the feature. */
    dev_start(t, 1ULL << VIRTIO_F_VERSION_1);
    desc(0x5000, 0, BUF, 1, 0, 0);
    desc(DESC, 0, 0x5000, 16, VRING_DESC_F_INDIRECT, 0);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    g_assert_true(broken(t));
    dev_free(t);
}

static void test_inflight_limit(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    dev_start(t, base_features);
    /* QNUM buffers in flight is fine (all the same descriptor). */
    desc(DESC, 0, BUF, 1, 0, 0);
    for (unsigned i = 0; i < QNUM; i++) {
        offer(i, 0);
    }
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->popped->len, ==, QNUM);
    g_assert_false(vdev->broken);
    /* One more while all are held: more than the queue can have. */
    offer(QNUM, 0);
    virtio_queue_notify(vdev, 0);
    g_assert_true(broken(t));
    dev_free(t);
}

static void test_suppression(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    VirtQueue *vq = &vdev->vq[0];
    VirtQueueElement *e;

    /* Without EVENT_IDX: avail->flags and used->flags. */
    dev_start(t, base_features);
    desc(DESC, 0, BUF, 1, 0, 0);
    address_space_stw(as(), AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    e = g_ptr_array_steal_index(t->popped, 0);
    virtqueue_push(vq, e, 0);
    g_free(e);
    virtio_notify(vdev, vq);
    g_assert_cmpuint(t->vectors->len, ==, 0);
    address_space_stw(as(), AVAIL, 0);
    virtio_notify(vdev, vq);
    g_assert_cmpuint(t->vectors->len, ==, 1);
    virtio_queue_set_notification(vq, false);
    g_assert_cmphex(address_space_lduw(as(), USED), ==,
                    VRING_USED_F_NO_NOTIFY);
    virtio_queue_set_notification(vq, true);
    g_assert_cmphex(address_space_lduw(as(), USED), ==, 0);

    /* With EVENT_IDX: used_event and avail_event. */
    dev_start(t, base_features | (1ULL << VIRTIO_RING_F_EVENT_IDX));
    desc(DESC, 0, BUF, 1, 0, 0);
    address_space_stw(as(), AVAIL + 4 + 2 * QNUM, 1);     /* used_event */
    for (unsigned i = 0; i < 3; i++) {
        offer(i, 0);
        virtio_queue_notify(vdev, 0);
        /* avail_event follows what the device consumed. */
        g_assert_cmpuint(address_space_lduw(as(), USED + 4 + 8 * QNUM), ==,
                         i + 1);
        e = g_ptr_array_steal_index(t->popped, 0);
        virtqueue_push(vq, e, 0);
        g_free(e);
        virtio_notify(vdev, vq);
        /* Only the move from 1 to 2 passes used_event = 1. */
        g_assert_cmpuint(t->vectors->len, ==, i >= 1 ? 1 : 0);
    }
    /* Notifications off: avail_event stays where it was. */
    virtio_queue_set_notification(vq, false);
    offer(3, 0);
    t->pop = false;
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_cmpuint(address_space_lduw(as(), USED + 4 + 8 * QNUM), ==, 3);
    virtqueue_push(vq, e, 0);
    g_free(e);
    /* On again: avail_event is the current avail index. */
    offer(4, 0);
    virtio_queue_set_notification(vq, true);
    g_assert_cmpuint(address_space_lduw(as(), USED + 4 + 8 * QNUM), ==, 5);
    dev_free(t);
}

static void test_map_change(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    MemoryRegion *sysmem = get_system_memory();

    dev_start(t, base_features);
    desc(DESC, 0, BUF, 1, 0, 0);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->popped->len, ==, 1);
    g_ptr_array_set_size(t->popped, 0);
    virtio_queue_reset(vdev, 0);
    /* Remapped elsewhere and back (a new generation): still fine. */
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    g_assert_true(virtio_queue_enable(vdev, 0));
    memory_region_set_address(&ram2, 0x800000);
    memory_region_set_address(&ram2, RAM2_ADDR);
    desc(DESC, 1, BUF, 1, 0, 0);
    offer(0, 1);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->popped->len, ==, 1);
    g_assert_false(vdev->broken);
    g_ptr_array_set_size(t->popped, 0);
    virtio_set_status(vdev, 0);

    /* Rings in RAM2, which then moves away: the device notices. */
    dev_start(t, base_features);
    virtio_queue_reset(vdev, 0);
    virtio_queue_set_addrs(vdev, 0, RAM2_ADDR, RAM2_ADDR + 0x1000,
                           RAM2_ADDR + 0x2000);
    g_assert_true(virtio_queue_enable(vdev, 0));
    memory_region_del_subregion(sysmem, &ram2);
    virtio_queue_notify(vdev, 0);
    g_assert_true(broken(t));
    memory_region_add_subregion(sysmem, RAM2_ADDR, &ram2);
    dev_free(t);
}

static void ram_write_hook(void *opaque, MemoryRegion *mr, hwaddr off,
                           uint64_t len)
{
    if (written && mr == &ram) {
        uint64_t w[2] = { off, len };
        g_array_append_vals(written, w, 2);
    }
}

static bool was_written(hwaddr a, uint64_t len)
{
    for (unsigned i = 0; i < written->len; i += 2) {
        uint64_t o = g_array_index(written, uint64_t, i);
        uint64_t l = g_array_index(written, uint64_t, i + 1);
        if (a >= o && a + len <= o + l) {
            return true;
        }
    }
    return false;
}

static void test_dirty(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;
    VirtQueueElement *e;

    dev_start(t, base_features);
    desc(DESC, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
    desc(DESC, 1, BUF + 0x1000, 0x100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
         2);
    desc(DESC, 2, BUF + 0x2000, 0x100, VRING_DESC_F_WRITE, 0);
    offer(0, 0);
    virtio_queue_notify(vdev, 0);
    e = g_ptr_array_steal_index(t->popped, 0);
    written = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    /* The device wrote 0x180 bytes: the first buffer and half of the
     * second are reported, with the used entry and index. */
    virtqueue_push(&vdev->vq[0], e, 0x180);
    g_free(e);
    g_assert_true(was_written(BUF + 0x1000, 0x100));
    g_assert_true(was_written(BUF + 0x2000, 0x80));
    g_assert_false(was_written(BUF + 0x2000, 0x100));
    g_assert_false(was_written(BUF, 1));
    g_assert_true(was_written(USED + 4, 8));
    g_assert_true(was_written(USED + 2, 2));
    g_array_free(written, TRUE);
    written = NULL;
    dev_free(t);
}

static void test_reentry(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    dev_start(t, base_features);
    /* The handler's own work notifies the queue again (an MSI aimed at
     * the notify register): it runs again after it returns, no deeper. */
    t->renotify = 3;
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->runs, ==, 4);
    g_assert_false(vdev->vq[0].in_handler);
    /* Endless re-notification stops at the bound. */
    t->renotify = 100000;
    t->runs = 0;
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->runs, <, 100);
    g_assert_cmpuint(t->runs, >, 1);
    t->renotify = 0;
    /* Bus mastering off: ignored. */
    t->dma = false;
    t->runs = 0;
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->runs, ==, 0);
    t->dma = true;
    /* Unknown queues and disabled ones: ignored. */
    virtio_queue_notify(vdev, 5);
    virtio_queue_notify(vdev, 1);
    g_assert_cmpuint(t->runs, ==, 0);
    dev_free(t);
}

static void test_early_notify(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    dev_start(t, base_features);
    virtio_set_status(vdev, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_guest_features_word(vdev, 1, 1);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    virtio_queue_enable(vdev, 0);
    desc(DESC, 0, BUF, 1, 0, 0);
    address_space_stw(as(), AVAIL + 2, 0);
    offer(0, 0);
    t->runs = 0;
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(t->runs, ==, 0);
    /* Served when DRIVER_OK arrives. */
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_cmpuint(t->runs, ==, 1);
    g_assert_cmpuint(t->popped->len, ==, 1);
    g_assert_cmpuint(t->set_status_calls, >, 0);
    dev_free(t);
}

static void test_config(void)
{
    TestDev *t = dev_new();
    VirtIODevice *vdev = &t->vdev;

    g_assert_cmphex(virtio_config_read(vdev, 0, 4), ==, 0x44332211);
    g_assert_cmphex(virtio_config_read(vdev, 6, 2), ==, 0x8877);
    g_assert_cmphex(virtio_config_read(vdev, 7, 1), ==, 0x88);
    /* Outside: 0, no access past the end. */
    g_assert_cmphex(virtio_config_read(vdev, 7, 2), ==, 0);
    g_assert_cmphex(virtio_config_read(vdev, 0xffffffff, 4), ==, 0);
    virtio_config_write(vdev, 4, 0xaabbccdd, 4);
    g_assert_cmphex(virtio_config_read(vdev, 4, 4), ==, 0x887766dd);
    virtio_config_write(vdev, 8, 1, 1);
    g_assert_cmphex(virtio_config_read(vdev, 4, 4), ==, 0x887766dd);
    /* A config change before DRIVER_OK: generation only. */
    virtio_notify_config(vdev);
    g_assert_cmpuint(vdev->config_generation, ==, 1);
    g_assert_cmpuint(t->vectors->len, ==, 0);
    dev_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_map_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "t.ram", RAM_SIZE,
                                         NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    g_assert_true(memory_region_init_ram(&ram2, NULL, "t.ram2", RAM2_SIZE,
                                         NULL));
    memory_region_add_subregion(get_system_memory(), RAM2_ADDR, &ram2);
    memory_region_init_io(&io, NULL, &io_ops, NULL, "t.io", 0x1000);
    memory_region_add_subregion(get_system_memory(), IO_ADDR, &io);
    g_assert_true(memory_region_init_rom(&rom, NULL, "t.rom", 0x10000,
                                         NULL));
    memory_region_add_subregion(get_system_memory(), ROM_ADDR, &rom);
    memory_add_ram_write_hook(ram_write_hook, NULL);

    g_test_add_func("/virtio/need-event", test_need_event);
    g_test_add_func("/virtio/status-features", test_status_features);
    g_test_add_func("/virtio/queue-setup", test_queue_setup);
    g_test_add_func("/virtio/pop-push", test_pop_push);
    g_test_add_func("/virtio/split-indirect", test_split_and_indirect);
    g_test_add_func("/virtio/bad-chains", test_bad_chains);
    g_test_add_func("/virtio/inflight-limit", test_inflight_limit);
    g_test_add_func("/virtio/suppression", test_suppression);
    g_test_add_func("/virtio/map-change", test_map_change);
    g_test_add_func("/virtio/dirty", test_dirty);
    g_test_add_func("/virtio/reentry", test_reentry);
    g_test_add_func("/virtio/early-notify", test_early_notify);
    g_test_add_func("/virtio/config", test_config);
    return g_test_run();
}
