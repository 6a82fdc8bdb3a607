/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hostile virtio driver: descriptor loops, indices out of range,
 * buffers in MMIO, ROM or beyond RAM, lengths that wrap, nested and
 * malformed indirect tables, an available index that jumps, rings
 * outside RAM, interrupts aimed at the device's own registers, and a
 * seeded random-descriptor fuzz run. Each bad chain must put the device
 * into DEVICE_NEEDS_RESET with a configuration interrupt (virtio 1.2,
 * 2.1.2), leave Ember answering, and the device must work again after a
 * reset. The device is virtio-blk-pci on a scratch raw image.
 */
#include "libqvirtio.h"
#include <string.h>
#include <fcntl.h>

#define DISK_SIZE (1 * 1024 * 1024)
#define SLOT 4
#define DEVFN QPCI_DEVFN(SLOT, 0)
#define RAM_SIZE (64 * 1024 * 1024)
#define RAM_START 0x100000
#define RAM_END 0x1000000
#define QSIZE 16
#define CONFIG_VECTOR 1
#define ROM_ADDR 0xf0000            /* the PC's BIOS area ROM */
#define UNASSIGNED 0x80000000ULL    /* above RAM, below the PCI hole */

static char *disk_path;

typedef struct Dev {
    QTestState *s;
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;
    uint64_t hdr, data, status, table;
    uint64_t features;
} Dev;

static uint64_t default_features(void)
{
    return (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
           (1ULL << VIRTIO_RING_F_EVENT_IDX) |
           (1ULL << VIRTIO_BLK_F_FLUSH);
}

/* Reset and bring the device up again with one queue of QSIZE. */
static void dev_up(Dev *v)
{
    uint8_t h[16] = { 0 };

    qvirtqueue_free(v->vq);
    v->a.next = v->d.msix_ram + 0x1000;
    qvirtio_start(&v->d, v->features);
    qvirtio_common_writew(&v->d, VIRTIO_PCI_COMMON_MSIX, CONFIG_VECTOR);
    v->vq = qvirtqueue_setup(&v->d, &v->a, 0, QSIZE, 0);
    qvirtio_driver_ok(&v->d);
    v->hdr = qguest_alloc(v->s, &v->a, 16, 16);
    v->data = qguest_alloc(v->s, &v->a, 4096, 4096);
    v->status = qguest_alloc(v->s, &v->a, 1, 1);
    v->table = qguest_alloc(v->s, &v->a, 16 * 64, 16);
    /* A read of sector 0 as the default request. */
    stl_le_p(h, VIRTIO_BLK_T_IN);
    qtest_memwrite(v->s, v->hdr, h, 16);
    (void)qvirtio_msix_seen(&v->d, 0);
    (void)qvirtio_msix_seen(&v->d, CONFIG_VECTOR);
}

static void dev_open(Dev *v, const char *extra, uint64_t features)
{
    /* EMBER_TEST_LOG=file: Ember's guest-error log for a look. */
    const char *log = g_getenv("EMBER_TEST_LOG");
    g_autofree char *logopt = log ? g_strdup_printf(" -d guest_errors -D %s",
                                                    log) : g_strdup("");

    memset(v, 0, sizeof(*v));
    v->s = qtest_startf("-m 64M -drive if=none,id=d0,format=raw,file=%s "
                        "-device virtio-blk-pci,drive=d0,addr=%x%s%s",
                        disk_path, SLOT, extra, logopt);
    v->features = features;
    qguest_alloc_init(&v->a, RAM_START, RAM_END);
    qvirtio_pci_init(&v->d, v->s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_msix_enable(&v->d, &v->a);
    dev_up(v);
}

static void dev_close(Dev *v)
{
    qvirtqueue_free(v->vq);
    v->vq = NULL;
    g_assert_cmpint(qtest_quit(v->s), ==, 0);
}

/* Make head available and notify (raw: no free-list bookkeeping). */
static void submit(Dev *v, uint16_t head)
{
    qvirtqueue_set_avail_entry(v->vq, v->vq->avail_idx, head);
    v->vq->avail_idx++;
    qvirtqueue_set_avail_idx(v->vq, v->vq->avail_idx);
    qvirtqueue_notify(v->vq);
}

/* The device must be in DEVICE_NEEDS_RESET, have told the driver with
 * a config interrupt, and ignore the queue; then a reset revives it. */
static void expect_needs_reset(Dev *v, const char *what)
{
    uint8_t st = qvirtio_get_status(&v->d);
    uint8_t buf[512];

    g_test_message("case: %s", what);
    g_assert_true(st & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_true(st & VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(qvirtio_msix_seen(&v->d, CONFIG_VECTOR));
    g_assert_false(qvirtio_msix_seen(&v->d, 0));
    /* Ember answers, the device too. */
    g_assert_cmphex(qpci_config_readw(v->s, DEVFN, 0), ==, 0x1af4);
    g_assert_cmpuint(qvirtio_common_readw(&v->d, VIRTIO_PCI_COMMON_NUMQ), ==,
                     1);
    /* Notifications are ignored now. */
    qvirtqueue_notify(v->vq);
    g_assert_cmpuint(qvirtqueue_used_idx(v->vq), ==, 0);
    /* A reset clears it and the device works. */
    qvirtio_reset(&v->d);
    dev_up(v);
    g_assert_cmpuint(qvirtio_blk_request(v->vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qvirtio_get_status(&v->d) & VIRTIO_CONFIG_S_NEEDS_RESET);
    qvirtio_reset(&v->d);
    dev_up(v);
}

/* A well-formed three-descriptor read at 0, 1, 2, with a twist. */
static void write_read_chain(Dev *v, uint16_t d0, uint16_t d1, uint16_t d2)
{
    QVirtQueue *vq = v->vq;

    qvirtqueue_write_desc(vq, d0, v->hdr, 16, VRING_DESC_F_NEXT, d1);
    qvirtqueue_write_desc(vq, d1, v->data, 512,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, d2);
    qvirtqueue_write_desc(vq, d2, v->status, 1, VRING_DESC_F_WRITE, 0);
}

static void test_chains(void)
{
    Dev v;
    QVirtQueue *vq;
    uint8_t buf[512];

    dev_open(&v, "", default_features());
    vq = v.vq;

    /* The well-formed chain works (the cases below change one thing). */
    write_read_chain(&v, 0, 1, 2);
    submit(&v, 0);
    qvirtqueue_wait_used(vq, NULL, NULL);
    g_assert_cmpuint(qtest_readb(v.s, v.status), ==, VIRTIO_BLK_S_OK);
    qvirtio_reset(&v.d);
    dev_up(&v);
    vq = v.vq;

    /* A loop: 0 -> 1 -> 2 -> 0. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 2, v.status, 1,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "loop");
    vq = v.vq;

    /* A descriptor pointing at itself. */
    qvirtqueue_write_desc(vq, 5, v.hdr, 16, VRING_DESC_F_NEXT, 5);
    submit(&v, 5);
    expect_needs_reset(&v, "self loop");
    vq = v.vq;

    /* next out of range. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, v.data, 512,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, QSIZE);
    submit(&v, 0);
    expect_needs_reset(&v, "next out of range");
    vq = v.vq;

    /* The head out of range. */
    write_read_chain(&v, 0, 1, 2);
    submit(&v, 0xffff);
    expect_needs_reset(&v, "head out of range");
    vq = v.vq;

    /* A buffer in MMIO: the device's own common config. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, v.d.common, 512,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    submit(&v, 0);
    expect_needs_reset(&v, "buffer in the device's own BAR");
    vq = v.vq;

    /* A buffer on the I/O APIC. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 0, 0xfec00000, 16, VRING_DESC_F_NEXT, 1);
    submit(&v, 0);
    expect_needs_reset(&v, "header in the I/O APIC");
    vq = v.vq;

    /* A buffer in unassigned space, and one running off the end of RAM. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, UNASSIGNED, 512,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    submit(&v, 0);
    expect_needs_reset(&v, "buffer in unassigned space");
    vq = v.vq;
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, RAM_SIZE - 256, 512,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    submit(&v, 0);
    expect_needs_reset(&v, "buffer across the end of RAM");
    vq = v.vq;

    /* A device-writable buffer in ROM. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 2, ROM_ADDR, 1, VRING_DESC_F_WRITE, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "status byte in ROM");
    vq = v.vq;

    /* Huge lengths: over RAM, wrapping the address space. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, v.data, 0xffffffff,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    submit(&v, 0);
    expect_needs_reset(&v, "4 GiB buffer");
    vq = v.vq;
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_write_desc(vq, 1, 0xfffffffffffff000ULL, 0x2000,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    submit(&v, 0);
    expect_needs_reset(&v, "buffer wrapping 2^64");
    vq = v.vq;
    /* Lengths adding up past 4 GiB in one direction. */
    for (int i = 0; i < 4; i++) {
        qvirtqueue_write_desc(vq, i, v.data, 0x7fffffff,
                              VRING_DESC_F_NEXT, i + 1);
    }
    qvirtqueue_write_desc(vq, 4, v.status, 1, VRING_DESC_F_WRITE, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "total length over 4 GiB");
    vq = v.vq;

    /* Readable after writable (2.7.4.2). */
    qvirtqueue_write_desc(vq, 0, v.status, 1,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    qvirtqueue_write_desc(vq, 1, v.hdr, 16, 0, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "readable after writable");
    vq = v.vq;

    /* No header / no status byte (virtio-blk 5.2.6). */
    qvirtqueue_write_desc(vq, 0, v.hdr, 8, VRING_DESC_F_NEXT, 1);
    qvirtqueue_write_desc(vq, 1, v.status, 1, VRING_DESC_F_WRITE, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "short header");
    vq = v.vq;
    qvirtqueue_write_desc(vq, 0, v.hdr, 16, 0, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "no status byte");
    vq = v.vq;

    /* The available index jumping past the queue size. */
    write_read_chain(&v, 0, 1, 2);
    qvirtqueue_set_avail_idx(vq, QSIZE + 1);
    qvirtqueue_notify(vq);
    expect_needs_reset(&v, "avail index jump");
    vq = v.vq;

    /* After all that, a chain of zero-length pieces is still fine. */
    qvirtqueue_write_desc(vq, 0, v.hdr, 16, VRING_DESC_F_NEXT, 1);
    qvirtqueue_write_desc(vq, 1, v.data, 0,
                          VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    qvirtqueue_write_desc(vq, 2, v.status, 1, VRING_DESC_F_WRITE, 0);
    submit(&v, 0);
    qvirtqueue_wait_used(vq, NULL, NULL);
    g_assert_cmpuint(qtest_readb(v.s, v.status), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(qvirtio_blk_request(vq, VIRTIO_BLK_T_IN, 1, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    dev_close(&v);
}

/* Write an indirect table entry. */
static void table_desc(Dev *v, unsigned i, uint64_t addr, uint32_t len,
                       uint16_t flags, uint16_t next)
{
    uint8_t d[16];

    stq_le_p(d, addr);
    stl_le_p(d + 8, len);
    stw_le_p(d + 12, flags);
    stw_le_p(d + 14, next);
    qtest_memwrite(v->s, v->table + 16ULL * i, d, 16);
}

static void good_table(Dev *v)
{
    table_desc(v, 0, v->hdr, 16, VRING_DESC_F_NEXT, 1);
    table_desc(v, 1, v->data, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
               2);
    table_desc(v, 2, v->status, 1, VRING_DESC_F_WRITE, 0);
}

static void test_indirect(void)
{
    Dev v;
    QVirtQueue *vq;

    dev_open(&v, "", default_features());
    vq = v.vq;

    /* Well-formed first. */
    good_table(&v);
    qvirtqueue_write_desc(vq, 0, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    qvirtqueue_wait_used(vq, NULL, NULL);
    g_assert_cmpuint(qtest_readb(v.s, v.status), ==, VIRTIO_BLK_S_OK);
    qvirtio_reset(&v.d);
    dev_up(&v);
    vq = v.vq;

    /* Nested: a table entry that is itself indirect. */
    good_table(&v);
    table_desc(&v, 1, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    qvirtqueue_write_desc(vq, 0, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "nested indirect");
    vq = v.vq;

    /* Table lengths: not a multiple of 16, zero, too large. */
    good_table(&v);
    qvirtqueue_write_desc(vq, 0, v.table, 40, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect length 40");
    vq = v.vq;
    good_table(&v);
    qvirtqueue_write_desc(vq, 0, v.table, 0, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect length 0");
    vq = v.vq;
    good_table(&v);
    qvirtqueue_write_desc(vq, 0, v.table, 16 * 1025, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect table of 1025 entries");
    vq = v.vq;

    /* A loop inside the table, next beyond the table. */
    good_table(&v);
    table_desc(&v, 2, v.status, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
    qvirtqueue_write_desc(vq, 0, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "loop in an indirect table");
    vq = v.vq;
    good_table(&v);
    table_desc(&v, 1, v.data, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
    qvirtqueue_write_desc(vq, 0, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "next beyond the indirect table");
    vq = v.vq;

    /* INDIRECT together with NEXT. */
    good_table(&v);
    qvirtqueue_write_desc(vq, 0, v.table, 48,
                          VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect with next");
    vq = v.vq;

    /* The table itself in MMIO, in unassigned space, wrapping. */
    qvirtqueue_write_desc(vq, 0, v.d.common, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect table in MMIO");
    vq = v.vq;
    qvirtqueue_write_desc(vq, 0, UNASSIGNED, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect table unassigned");
    vq = v.vq;
    qvirtqueue_write_desc(vq, 0, 0xfffffffffffffff0ULL, 48,
                          VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect table wrapping");
    dev_close(&v);

    /* INDIRECT without the feature negotiated. */
    dev_open(&v, "", 1ULL << VIRTIO_BLK_F_FLUSH);
    good_table(&v);
    qvirtqueue_write_desc(v.vq, 0, v.table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(&v, 0);
    expect_needs_reset(&v, "indirect not negotiated");
    dev_close(&v);
}

/* Rings outside RAM or misaligned: refused when the queue is enabled. */
static void test_rings(void)
{
    Dev v;
    struct {
        const char *what;
        uint64_t desc, avail, used;
    } cases[] = {
        { "desc in MMIO", 0, 0x200000, 0x201000 },
        { "avail unassigned", 0x200000, UNASSIGNED, 0x201000 },
        { "used in ROM", 0x200000, 0x201000, ROM_ADDR },
        { "desc misaligned", 0x200008, 0x201000, 0x202000 },
        { "avail misaligned", 0x200000, 0x201001, 0x202000 },
        { "used misaligned", 0x200000, 0x201000, 0x202002 },
        { "used across the end of RAM", 0x200000, 0x201000, RAM_SIZE - 64 },
        { "desc wrapping 2^64", 0xfffffffffffffff0ULL, 0x201000, 0x202000 },
    };

    dev_open(&v, "", default_features());
    cases[0].desc = v.d.common;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        g_test_message("case: %s", cases[i].what);
        qvirtio_reset(&v.d);
        qvirtio_start(&v.d, v.features);
        qvirtio_common_writew(&v.d, VIRTIO_PCI_COMMON_MSIX, CONFIG_VECTOR);
        qvirtio_common_writew(&v.d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
        qvirtio_common_writew(&v.d, VIRTIO_PCI_COMMON_Q_SIZE, QSIZE);
        qvirtio_common_writeq(&v.d, VIRTIO_PCI_COMMON_Q_DESCLO, cases[i].desc);
        qvirtio_common_writeq(&v.d, VIRTIO_PCI_COMMON_Q_AVAILLO,
                              cases[i].avail);
        qvirtio_common_writeq(&v.d, VIRTIO_PCI_COMMON_Q_USEDLO,
                              cases[i].used);
        qvirtio_common_writew(&v.d, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
        g_assert_cmpuint(qvirtio_common_readw(&v.d,
                                              VIRTIO_PCI_COMMON_Q_ENABLE),
                         ==, 0);
        /* Before DRIVER_OK: the bit, no interrupt yet. */
        g_assert_true(qvirtio_get_status(&v.d) & VIRTIO_CONFIG_S_NEEDS_RESET);
        g_assert_false(qvirtio_msix_seen(&v.d, CONFIG_VECTOR));
        g_assert_cmphex(qpci_config_readw(v.s, DEVFN, 0), ==, 0x1af4);
    }
    /* And back to work. */
    qvirtio_reset(&v.d);
    dev_up(&v);
    {
        uint8_t buf[512];
        g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf,
                                             512, false, NULL), ==,
                         VIRTIO_BLK_S_OK);
    }
    dev_close(&v);
}

/* MSI-X messages aimed at the device's own registers. */
static void test_msi_loops(void)
{
    Dev v;
    uint8_t buf[512];
    uint64_t e;

    dev_open(&v, "", default_features());
    /* Vector 0's message writes the queue's notify register: every
     * completion notifies again. */
    e = v.d.msix_table;
    qtest_writel(v.s, e + 0, v.d.notify);
    qtest_writel(v.s, e + 4, 0);
    qtest_writel(v.s, e + 8, 0);
    for (int i = 0; i < 20; i++) {
        g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, i, buf,
                                             512, false, NULL), ==,
                         VIRTIO_BLK_S_OK);
    }
    /* Unsupported requests complete inside the handler: the message
     * lands while the handler runs. */
    for (int i = 0; i < 20; i++) {
        g_assert_cmpuint(qvirtio_blk_request(v.vq, 0x99, 0, NULL, 0, false,
                                             NULL), ==, VIRTIO_BLK_S_UNSUPP);
    }
    /* Onto the ISR, the common config and the device config. */
    qtest_writel(v.s, e + 0, v.d.isr);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    qtest_writel(v.s, e + 0, v.d.common + VIRTIO_PCI_COMMON_Q_DESCLO);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    qtest_writel(v.s, e + 0, v.d.common + VIRTIO_PCI_COMMON_GFSELECT);
    qtest_writel(v.s, e + 8, 0);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    qtest_writel(v.s, e + 0, v.d.device);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    /* The device is still healthy. */
    g_assert_false(qvirtio_get_status(&v.d) & VIRTIO_CONFIG_S_NEEDS_RESET);
    dev_close(&v);
}

/* ---- seeded random fuzz -------------------------------------------------- */

static uint64_t fuzz_addr(GRand *r, Dev *v)
{
    switch (g_rand_int_range(r, 0, 10)) {
    case 0:
        return g_rand_int(r) | (uint64_t)g_rand_int(r) << 32;
    case 1:
        return v->d.common + g_rand_int_range(r, 0, 0x4000);
    case 2:
        return ROM_ADDR + g_rand_int_range(r, 0, 0x10000);
    case 3:
        return RAM_SIZE - g_rand_int_range(r, 0, 4096);
    case 4:
        return v->vq->desc + 16 * g_rand_int_range(r, 0, QSIZE);
    case 5:
        return 0xfec00000 + g_rand_int_range(r, 0, 0x2000);
    default:
        return v->data + g_rand_int_range(r, 0, 4096);
    }
}

static uint32_t fuzz_len(GRand *r)
{
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
        return g_rand_int(r);
    case 1:
        return 0;
    case 2:
        return 16 * g_rand_int_range(r, 0, 70);
    default:
        return g_rand_int_range(r, 1, 4096);
    }
}

static void fuzz_desc(GRand *r, Dev *v, uint64_t at, uint16_t size)
{
    uint8_t d[16];
    uint16_t flags = g_rand_int_range(r, 0, 8);

    if (g_rand_int_range(r, 0, 16) == 0) {
        flags = g_rand_int(r);
    }
    stq_le_p(d, fuzz_addr(r, v));
    stl_le_p(d + 8, fuzz_len(r));
    stw_le_p(d + 12, flags);
    stw_le_p(d + 14, g_rand_int_range(r, 0, 8) ? g_rand_int_range(r, 0, size)
                                               : g_rand_int(r));
    qtest_memwrite(v->s, at, d, 16);
}

/* Request headers the chains may point at: real types, odd sectors. */
static void fuzz_headers(GRand *r, Dev *v)
{
    static const uint32_t types[] = {
        VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
        VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_DISCARD,
        VIRTIO_BLK_T_WRITE_ZEROES, 0x12345678,
    };
    uint8_t page[4096];

    for (unsigned i = 0; i < sizeof(page); i += 16) {
        stl_le_p(page + i, types[g_rand_int_range(r, 0, 7)]);
        stl_le_p(page + i + 4, g_rand_int(r));
        stq_le_p(page + i + 8, g_rand_int_range(r, 0, 4) ?
                 g_rand_int_range(r, 0, DISK_SIZE / 512 + 8) :
                 (g_rand_int(r) | (uint64_t)g_rand_int(r) << 32));
    }
    qtest_memwrite(v->s, v->data, page, sizeof(page));
}

/* header, data, status at head, head + 1, head + 2 (or indirect),
 * then perhaps one field replaced by a random value. */
static void fuzz_chain(GRand *r, Dev *v, uint16_t head)
{
    QVirtQueue *vq = v->vq;
    uint64_t hdr = v->data + 16 * g_rand_int_range(r, 0, 256);
    uint32_t len = 512 * g_rand_int_range(r, 0, 4);
    uint16_t dflags = g_rand_boolean(r) ? VRING_DESC_F_WRITE : 0;
    uint64_t buf = 0x200000 + 512 * g_rand_int_range(r, 0, 64);
    uint64_t st = v->status;
    int mutate = g_rand_int_range(r, 0, 12);

    if (g_rand_int_range(r, 0, 4) == 0) {
        /* Indirect: the same three in the table. */
        table_desc(v, 0, hdr, 16, VRING_DESC_F_NEXT, 1);
        table_desc(v, 1, buf, len, dflags | VRING_DESC_F_NEXT, 2);
        table_desc(v, 2, st, 1, VRING_DESC_F_WRITE, 0);
        qvirtqueue_write_desc(vq, head, v->table, 48, VRING_DESC_F_INDIRECT,
                              0);
        if (mutate < 3) {
            fuzz_desc(r, v, v->table + 16 * mutate, 3);
        }
        return;
    }
    qvirtqueue_write_desc(vq, head, hdr, 16, VRING_DESC_F_NEXT, head + 1);
    qvirtqueue_write_desc(vq, head + 1, buf, len, dflags | VRING_DESC_F_NEXT,
                          head + 2);
    qvirtqueue_write_desc(vq, head + 2, st, 1, VRING_DESC_F_WRITE, 0);
    if (mutate < 3) {
        fuzz_desc(r, v, vq->desc + 16 * (head + mutate), QSIZE);
    }
}

static void test_fuzz(void)
{
    const char *env = g_getenv("EMBER_FUZZ_SEED");
    guint32 seed = env ? strtoul(env, NULL, 0) : 0x5eed0001;
    const char *rounds_env = g_getenv("EMBER_FUZZ_ROUNDS");
    int rounds = rounds_env ? atoi(rounds_env) : 1000;
    GRand *r = g_rand_new_with_seed(seed);
    Dev v;
    uint8_t buf[512];
    unsigned broken = 0;

    g_test_message("seed 0x%x, %d rounds (EMBER_FUZZ_SEED, "
                   "EMBER_FUZZ_ROUNDS)", seed, rounds);
    dev_open(&v, "", default_features());
    for (int round = 0; round < rounds; round++) {
        QVirtQueue *vq = v.vq;
        int nreq = g_rand_int_range(r, 1, 6);

        /* Some rounds take other features (indirect, event idx off). */
        if (round % 16 == 0) {
            v.features = default_features() &
                ~((uint64_t)g_rand_int_range(r, 0, 4) <<
                  VIRTIO_RING_F_INDIRECT_DESC);
        }
        fuzz_headers(r, &v);
        for (int i = 0; i < QSIZE; i++) {
            fuzz_desc(r, &v, vq->desc + 16 * i, QSIZE);
        }
        for (int i = 0; i < 64; i++) {
            fuzz_desc(r, &v, v.table + 16 * i, 64);
        }
        /* Most requests are plausible chains with one field broken
         * now and then, so the fuzz gets past the first check. */
        for (int i = 0; i < nreq; i++) {
            uint16_t head = 3 * i;

            if (g_rand_int_range(r, 0, 4)) {
                fuzz_chain(r, &v, head);
            }
            qvirtqueue_set_avail_entry(vq, vq->avail_idx + i,
                                       g_rand_int_range(r, 0, 16) ? head :
                                       g_rand_int(r));
        }
        vq->avail_idx += g_rand_int_range(r, 0, 32) ? nreq : g_rand_int(r);
        qvirtqueue_set_avail_idx(vq, vq->avail_idx);
        if (g_rand_int_range(r, 0, 4) == 0) {
            qvirtqueue_set_used_event(vq, g_rand_int(r));
            qvirtqueue_set_avail_flags(vq, g_rand_int(r));
        }
        qvirtqueue_notify(vq);
        /* Some random register writes on top. */
        if (g_rand_int_range(r, 0, 8) == 0) {
            unsigned off = g_rand_int_range(r, 0, 0x40) & ~1;
            qvirtio_common_writew(&v.d, off, g_rand_int(r));
        }
        if (g_rand_int_range(r, 0, 8) == 0) {
            qtest_writel(v.s, v.d.device + g_rand_int_range(r, 0, 64),
                         g_rand_int(r));
        }
        /* Ember answers; the status is one of the two expected. */
        g_assert_cmphex(qpci_config_readw(v.s, DEVFN, 0), ==, 0x1af4);
        if (qvirtio_get_status(&v.d) & VIRTIO_CONFIG_S_NEEDS_RESET) {
            broken++;
        }
        qvirtio_reset(&v.d);
        dev_up(&v);
    }
    g_test_message("%u of %d rounds ended in DEVICE_NEEDS_RESET", broken,
                   rounds);
    /* The fuzz does reach the error paths, and not only them. */
    g_assert_cmpuint(broken, >, 0);
    g_assert_cmpuint(broken, <, (unsigned)rounds);
    v.features = default_features();
    qvirtio_reset(&v.d);
    dev_up(&v);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(qvirtio_blk_request(v.vq, VIRTIO_BLK_T_IN, 5, buf, 512,
                                         true, NULL), ==, VIRTIO_BLK_S_OK);
    dev_close(&v);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    int fd, ret;
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("virtio-hostile-XXXXXX.raw", &disk_path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(ftruncate(fd, DISK_SIZE), ==, 0);
    close(fd);

    g_test_add_func("/virtio-hostile/chains", test_chains);
    g_test_add_func("/virtio-hostile/indirect", test_indirect);
    g_test_add_func("/virtio-hostile/rings", test_rings);
    g_test_add_func("/virtio-hostile/msi-loops", test_msi_loops);
    g_test_add_func("/virtio-hostile/fuzz", test_fuzz);
    ret = g_test_run();
    unlink(disk_path);
    g_free(disk_path);
    return ret;
}
