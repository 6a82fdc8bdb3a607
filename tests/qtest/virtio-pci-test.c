/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The modern virtio-pci transport (virtio 1.2, 4.1) as a driver sees it,
 * on a virtio-blk-pci device: identity, capabilities and the BAR layout,
 * feature negotiation, the status rules, queue set-up, MSI-X vectors and
 * INTx with ISR status, the PCI configuration access window, queue
 * reset, and notifications before DRIVER_OK or without bus mastering.
 */
#include "libqvirtio.h"
#include "hw/pci/pci_regs.h"
#include <string.h>
#include <fcntl.h>

#define DISK_SIZE (1 * 1024 * 1024)
#define SLOT 4
#define DEVFN QPCI_DEVFN(SLOT, 0)
#define RAM_START 0x100000
#define RAM_END 0x2000000

static char *disk_path;

static QTestState *start(const char *extra)
{
    return qtest_startf("-m 64M -drive if=none,id=d0,format=raw,file=%s "
                        "-device virtio-blk-pci,drive=d0,addr=%x%s%s",
                        disk_path, SLOT, *extra ? "," : "", extra);
}

static uint64_t blk_features(void)
{
    return (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_BLK_SIZE);
}

static void test_ids(void)
{
    QTestState *s = start("");

    g_assert_cmphex(qpci_config_readw(s, DEVFN, 0), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(s, DEVFN, 2), ==, 0x1042);
    /* 4.1.2.1: non-transitional devices have revision >= 1 and a
     * subsystem ID >= 0x40. */
    g_assert_cmpuint(qpci_config_readb(s, DEVFN, 8), ==, 1);
    g_assert_cmphex(qpci_config_readw(s, DEVFN, 0x2c), ==, 0x1af4);
    g_assert_cmpuint(qpci_config_readw(s, DEVFN, 0x2e), >=, 0x40);
    g_assert_cmphex(qpci_config_readw(s, DEVFN, 0x0a), ==, 0x0100);
    g_assert_cmpuint(qpci_config_readb(s, DEVFN, 0x3d), ==, 1);
    /* Capabilities listed in the status register. */
    g_assert_true(qpci_config_readw(s, DEVFN, 6) & 0x10);
    qtest_quit(s);
}

static void test_caps(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    unsigned count[256] = { 0 };
    uint8_t pos;

    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    pos = qpci_config_readb(s, DEVFN, PCI_CAPABILITY_LIST);
    while (pos) {
        if (qpci_config_readb(s, DEVFN, pos) == PCI_CAP_ID_VNDR) {
            uint8_t type = qpci_config_readb(s, DEVFN, pos + 3);
            uint8_t len = qpci_config_readb(s, DEVFN, pos + 2);
            uint8_t bar = qpci_config_readb(s, DEVFN, pos + 4);
            uint32_t off = qpci_config_readl(s, DEVFN, pos + 8);
            uint32_t length = qpci_config_readl(s, DEVFN, pos + 12);

            g_assert_cmpuint(type, >=, 1);
            g_assert_cmpuint(type, <=, 5);
            count[type]++;
            switch (type) {
            case VIRTIO_PCI_CAP_COMMON_CFG:
                g_assert_cmpuint(len, ==, 16);
                g_assert_cmpuint(bar, ==, 4);
                g_assert_cmphex(off, ==, 0);
                g_assert_cmpuint(length, >=, 0x38);
                break;
            case VIRTIO_PCI_CAP_ISR_CFG:
                g_assert_cmpuint(bar, ==, 4);
                g_assert_cmphex(off, ==, 0x1000);
                g_assert_cmpuint(length, >=, 1);
                break;
            case VIRTIO_PCI_CAP_DEVICE_CFG:
                g_assert_cmpuint(bar, ==, 4);
                g_assert_cmphex(off, ==, 0x2000);
                g_assert_cmpuint(length, ==, VIRTIO_BLK_CFG_SIZE);
                break;
            case VIRTIO_PCI_CAP_NOTIFY_CFG:
                g_assert_cmpuint(len, ==, 20);
                g_assert_cmpuint(bar, ==, 4);
                g_assert_cmphex(off, ==, 0x3000);
                g_assert_cmpuint(qpci_config_readl(s, DEVFN, pos + 16), ==,
                                 4);
                break;
            case VIRTIO_PCI_CAP_PCI_CFG:
                g_assert_cmpuint(len, ==, 20);
                break;
            }
            /* 4.1.4: offsets aligned to 4, structures inside the BAR. */
            g_assert_cmpuint(off % 4, ==, 0);
            g_assert_cmpuint(off + length, <=, 0x4000);
        }
        pos = qpci_config_readb(s, DEVFN, pos + 1);
    }
    for (int t = 1; t <= 5; t++) {
        g_assert_cmpuint(count[t], ==, 1);
    }
    /* BAR 4: 16 KiB, 64-bit prefetchable memory; BAR 1 holds MSI-X. */
    g_assert_cmpuint(qpci_bar_size(s, DEVFN, 4), ==, 0x4000);
    g_assert_cmphex(qpci_config_readl(s, DEVFN, 0x20) & 0xf, ==, 0xc);
    g_assert_true(d.bar.is_64);
    g_assert_cmpuint(d.msix_cap, !=, 0);
    g_assert_cmpuint(d.msix_entries, ==, 2);
    g_assert_cmphex(qpci_config_readl(s, DEVFN, d.msix_cap + PCI_MSIX_TABLE)
                    & 7, ==, 1);
    g_assert_cmpuint(qpci_bar_size(s, DEVFN, 1), >=, 4096);
    /* No I/O BAR: modern only. */
    for (int b = 0; b < 6; b++) {
        g_assert_false(qpci_config_readl(s, DEVFN, 0x10 + 4 * b) & 1);
    }
    qtest_quit(s);
}

static void test_features(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    uint64_t f;

    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    f = qvirtio_get_features(&d);
    g_assert_true(f & (1ULL << VIRTIO_F_VERSION_1));
    g_assert_true(f & (1ULL << VIRTIO_RING_F_INDIRECT_DESC));
    g_assert_true(f & (1ULL << VIRTIO_RING_F_EVENT_IDX));
    g_assert_true(f & (1ULL << VIRTIO_BLK_F_FLUSH));
    g_assert_false(f & (1ULL << VIRTIO_F_RING_PACKED));
    g_assert_false(f & (1ULL << VIRTIO_F_ACCESS_PLATFORM));
    g_assert_false(f & (1ULL << VIRTIO_BLK_F_RO));
    /* Feature words beyond 1 read as zero. */
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_DFSELECT, 2);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_DF), ==, 0);
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_DFSELECT, 0xffffffff);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_DF), ==, 0);

    /* A bit the device did not offer: FEATURES_OK stays clear. */
    qvirtio_reset(&d);
    qvirtio_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER);
    qvirtio_set_features(&d, (1ULL << VIRTIO_F_VERSION_1) |
                         (1ULL << VIRTIO_F_RING_PACKED));
    g_assert_false(qvirtio_features_ok(&d));
    qvirtio_set_features(&d, (1ULL << VIRTIO_F_VERSION_1) | (1ULL << 63));
    g_assert_false(qvirtio_features_ok(&d));
    /* Without VERSION_1: no legacy interface, refused. */
    qvirtio_set_features(&d, 1ULL << VIRTIO_BLK_F_FLUSH);
    g_assert_false(qvirtio_features_ok(&d));
    g_assert_cmphex(qvirtio_get_status(&d), ==,
                    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    /* A valid subset is taken and reads back. */
    qvirtio_set_features(&d, (1ULL << VIRTIO_F_VERSION_1) |
                         (1ULL << VIRTIO_BLK_F_FLUSH));
    g_assert_true(qvirtio_features_ok(&d));
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_GFSELECT, 0);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_GF), ==,
                    1u << VIRTIO_BLK_F_FLUSH);
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_GFSELECT, 1);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_GF), ==, 1);
    /* After FEATURES_OK, feature writes are ignored. */
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_GFSELECT, 0);
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_GF, 0);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_GF), ==,
                    1u << VIRTIO_BLK_F_FLUSH);
    /* Reset forgets them. */
    qvirtio_reset(&d);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_GF), ==, 0);
    qtest_quit(s);
}

static void test_status(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    const uint8_t ad = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    g_assert_cmpuint(qvirtio_get_status(&d), ==, 0);
    qvirtio_set_status(&d, ad);
    /* DRIVER_OK before FEATURES_OK is ignored. */
    qvirtio_set_status(&d, ad | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_cmphex(qvirtio_get_status(&d), ==, ad);
    /* Clearing a bit without a reset is ignored. */
    qvirtio_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    g_assert_cmphex(qvirtio_get_status(&d), ==, ad);
    qvirtio_start(&d, blk_features());
    qvirtio_driver_ok(&d);
    g_assert_cmphex(qvirtio_get_status(&d), ==,
                    ad | VIRTIO_CONFIG_S_FEATURES_OK |
                    VIRTIO_CONFIG_S_DRIVER_OK);
    /* FAILED may be added. */
    qvirtio_set_status(&d, qvirtio_get_status(&d) | VIRTIO_CONFIG_S_FAILED);
    g_assert_true(qvirtio_get_status(&d) & VIRTIO_CONFIG_S_FAILED);
    /* The driver cannot set DEVICE_NEEDS_RESET. */
    qvirtio_set_status(&d, qvirtio_get_status(&d) |
                       VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_false(qvirtio_get_status(&d) & VIRTIO_CONFIG_S_NEEDS_RESET);
    qvirtio_reset(&d);
    qtest_quit(s);
}

static void test_queue_setup(void)
{
    QTestState *s = start("num-queues=2");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;

    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_start(&d, blk_features());
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_NUMQ), ==, 2);
    for (unsigned q = 0; q < 2; q++) {
        qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, q);
        g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE),
                         ==, 256);
        g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_NOFF),
                         ==, q);
        g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE),
                         ==, 0);
        g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_MSIX),
                        ==, VIRTIO_NO_VECTOR);
    }
    /* An absent queue: size 0, no vector; writes do nothing. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 2);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     0);
    g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_MSIX), ==,
                    VIRTIO_NO_VECTOR);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 16);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0xffff);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     0);

    /* Sizes: powers of two up to the maximum. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 1);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 100);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     256);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 512);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     256);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     256);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 32);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     32);
    /* Addresses as two halves. */
    qvirtio_common_writeq(&d, VIRTIO_PCI_COMMON_Q_DESCLO, 0x123456789000ULL);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    0x123456789000ULL);
    /* A byte write to a 32-bit field is not a field write: ignored. */
    qvirtio_common_writeb(&d, VIRTIO_PCI_COMMON_Q_DESCLO, 0x55);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    0x123456789000ULL);
    /* Byte reads see parts of fields. */
    g_assert_cmphex(qvirtio_common_readb(&d, VIRTIO_PCI_COMMON_Q_DESCLO + 1),
                    ==, 0x90);

    vq = qvirtqueue_setup(&d, &a, 0, 64, VIRTIO_NO_VECTOR);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     64);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    vq->desc);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_AVAILLO), ==,
                    vq->avail);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_USEDLO), ==,
                    vq->used);
    /* An enabled queue's registers are fixed. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SIZE, 16);
    qvirtio_common_writeq(&d, VIRTIO_PCI_COMMON_Q_DESCLO, 0x4000);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     64);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    vq->desc);
    /* Writing 0 to queue_enable is not allowed and changes nothing. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_ENABLE, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     1);
    /* Read-only fields stay. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_NUMQ, 7);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_NUMQ), ==, 2);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_NOFF, 7);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_NOFF), ==,
                     0);

    /* Reset: every queue back to its defaults. */
    qvirtio_reset(&d);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     256);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SELECT), ==,
                     0);
    qvirtqueue_free(vq);
    qtest_quit(s);
}

static void test_vectors(void)
{
    QTestState *s = start("");
    QVirtioDevice d;

    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_start(&d, blk_features());
    g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_MSIX), ==,
                    VIRTIO_NO_VECTOR);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_MSIX, 1);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_MSIX), ==, 1);
    /* 4.1.4.3.1: a vector the device cannot use reads back NO_VECTOR. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_MSIX, 2);
    g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_MSIX), ==,
                    VIRTIO_NO_VECTOR);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_MSIX, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_MSIX), ==,
                     0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_MSIX, 500);
    g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_MSIX), ==,
                    VIRTIO_NO_VECTOR);
    /* Reset forgets them. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_MSIX, 0);
    qvirtio_reset(&d);
    g_assert_cmphex(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_MSIX), ==,
                    VIRTIO_NO_VECTOR);
    qtest_quit(s);
}

/* A request through the queue; the status byte. */
static uint8_t do_flush(QVirtQueue *vq)
{
    return qvirtio_blk_request(vq, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false,
                               NULL);
}

static void test_msix(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;

    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_msix_enable(&d, &a);
    qvirtio_start(&d, blk_features());
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_MSIX, 1);
    vq = qvirtqueue_setup(&d, &a, 0, 0, 0);
    qvirtio_driver_ok(&d);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qvirtio_msix_seen(&d, 0));
    g_assert_false(qvirtio_msix_seen(&d, 1));
    /* With MSI-X, ISR's queue bit is not used and INTx stays low. */
    g_assert_cmpuint(qvirtio_isr_read(&d) & VIRTIO_PCI_ISR_QUEUE, ==, 0);

    /* A masked vector collects a pending bit; unmasking sends it. */
    qvirtio_msix_mask(&d, 0, true);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qvirtio_msix_seen(&d, 0));
    qvirtio_msix_mask(&d, 0, false);
    g_assert_true(qvirtio_msix_seen(&d, 0));

    /* NO_VECTOR: used buffers, no message. */
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_NO_VECTOR);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qvirtio_msix_seen(&d, 0));
    g_assert_false(qvirtio_msix_seen(&d, 1));
    qvirtqueue_free(vq);
    qtest_quit(s);
}

static int gsi_of_slot(void)
{
    return 16 + (SLOT + 0) % 4;     /* INTA of the slot (docs/pci.md) */
}

static void test_intx(void)
{
    QTestState *s = start("vectors=0");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;
    int gsi = gsi_of_slot();

    qtest_irq_intercept_in(s, "ioapic");
    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    g_assert_cmpuint(d.msix_cap, ==, 0);
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 0, VIRTIO_NO_VECTOR);
    qvirtio_driver_ok(&d);
    g_assert_false(qtest_get_irq(s, gsi));
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    /* Level-triggered until ISR status is read (4.1.4.5). */
    g_assert_true(qtest_get_irq(s, gsi));
    g_assert_true(qpci_config_readw(s, DEVFN, 6) & 0x8);
    g_assert_cmphex(qvirtio_isr_read(&d), ==, VIRTIO_PCI_ISR_QUEUE);
    g_assert_false(qtest_get_irq(s, gsi));
    g_assert_cmphex(qvirtio_isr_read(&d), ==, 0);
    /* Interrupt Disable in the command register keeps the line low,
     * ISR still records it. */
    qpci_config_writew(s, DEVFN, 4, qpci_config_readw(s, DEVFN, 4) | 0x400);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qtest_get_irq(s, gsi));
    g_assert_cmphex(qvirtio_isr_read(&d), ==, VIRTIO_PCI_ISR_QUEUE);
    /* Reset deasserts. */
    qpci_config_writew(s, DEVFN, 4, qpci_config_readw(s, DEVFN, 4) & ~0x400);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qtest_get_irq(s, gsi));
    qvirtio_reset(&d);
    g_assert_false(qtest_get_irq(s, gsi));
    qvirtqueue_free(vq);
    qtest_quit(s);
}

/* The PCI configuration access window (4.1.4.9). */
static void cfg_window(QTestState *s, uint8_t cap, uint8_t bar, uint32_t off,
                       uint32_t len)
{
    qpci_config_writeb(s, DEVFN, cap + VIRTIO_PCI_CAP_BAR, bar);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CAP_OFFSET, off);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CAP_LENGTH, len);
}

static void test_cfg_access(void)
{
    QTestState *s = start("num-queues=3");
    QVirtioDevice d;
    uint8_t cap;
    uint32_t v;

    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    cap = d.cfg_cap;
    g_assert_cmpuint(cap, !=, 0);
    /* num_queues through the window (a 2-byte access). */
    cfg_window(s, cap, 4, VIRTIO_PCI_COMMON_NUMQ, 2);
    v = qpci_config_readl(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA);
    g_assert_cmpuint(v & 0xffff, ==, 3);
    /* Select feature word 1 through the window, read it back. */
    cfg_window(s, cap, 4, VIRTIO_PCI_COMMON_DFSELECT, 4);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_DFSELECT), ==,
                    1);
    cfg_window(s, cap, 4, VIRTIO_PCI_COMMON_DF, 4);
    v = qpci_config_readl(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA);
    g_assert_true(v & 1);               /* VERSION_1 is bit 32 */
    /* Device config: capacity (in sectors) low half. */
    cfg_window(s, cap, 4, VIRTIO_PCI_DEVICE_OFFSET, 4);
    v = qpci_config_readl(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA);
    g_assert_cmpuint(v, ==, DISK_SIZE / 512);
    /* Unusable windows: wrong BAR, length 3, misaligned, beyond the
     * BAR. Writes do nothing. */
    qvirtio_common_writel(&d, VIRTIO_PCI_COMMON_DFSELECT, 0);
    cfg_window(s, cap, 2, VIRTIO_PCI_COMMON_DFSELECT, 4);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    cfg_window(s, cap, 4, VIRTIO_PCI_COMMON_DFSELECT, 3);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    cfg_window(s, cap, 4, VIRTIO_PCI_COMMON_DFSELECT + 2, 4);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    cfg_window(s, cap, 4, 0x4000, 4);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    cfg_window(s, cap, 4, 0xfffffffc, 4);
    qpci_config_writel(s, DEVFN, cap + VIRTIO_PCI_CFG_CAP_DATA, 1);
    g_assert_cmphex(qvirtio_common_readl(&d, VIRTIO_PCI_COMMON_DFSELECT), ==,
                    0);
    /* The cfg_type and cap_len of the capability are read-only. */
    qpci_config_writeb(s, DEVFN, cap + VIRTIO_PCI_CAP_CFG_TYPE, 1);
    g_assert_cmpuint(qpci_config_readb(s, DEVFN,
                                       cap + VIRTIO_PCI_CAP_CFG_TYPE), ==, 5);
    qtest_quit(s);
}

static void test_ring_reset(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;

    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    /* Without the feature, queue_reset does nothing. */
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 32, VIRTIO_NO_VECTOR);
    qvirtio_driver_ok(&d);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_RESET, 1);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     1);
    qvirtqueue_free(vq);

    qvirtio_start(&d, blk_features() | (1ULL << VIRTIO_F_RING_RESET));
    vq = qvirtqueue_setup(&d, &a, 0, 32, VIRTIO_NO_VECTOR);
    qvirtio_driver_ok(&d);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_RESET, 1);
    /* Done at once: both read 0, the size its default. */
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_RESET), ==,
                     0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_SIZE), ==,
                     256);
    g_assert_cmphex(qvirtio_common_readq(&d, VIRTIO_PCI_COMMON_Q_DESCLO), ==,
                    0);
    /* The device stays live; the queue can be set up again (new rings,
     * indices from 0) and used. */
    g_assert_cmpuint(qvirtio_get_status(&d) & VIRTIO_CONFIG_S_DRIVER_OK, !=,
                     0);
    qvirtqueue_free(vq);
    vq = qvirtqueue_setup(&d, &a, 0, 16, VIRTIO_NO_VECTOR);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 1);
    qvirtqueue_free(vq);
    qtest_quit(s);
}

static bool used_moved(void *opaque)
{
    QVirtQueue *vq = opaque;

    return qvirtqueue_used_idx(vq) != 0;
}

static void test_early_notify(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;
    uint64_t hdr, status;
    uint8_t h[16] = { VIRTIO_BLK_T_FLUSH };
    QVirtBuf b[2];
    uint16_t head;

    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 0, VIRTIO_NO_VECTOR);
    hdr = qguest_alloc(s, &a, 16, 16);
    status = qguest_alloc(s, &a, 1, 1);
    qtest_memwrite(s, hdr, h, sizeof(h));
    b[0] = (QVirtBuf){ hdr, 16, false };
    b[1] = (QVirtBuf){ status, 1, true };
    head = qvirtqueue_add_chain(vq, b, 2);
    qvirtqueue_make_available(vq, head);
    /* 3.1.1: nothing is used before DRIVER_OK. */
    qvirtqueue_notify(vq);
    qtest_clock_step(s, 1000000);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 0);
    /* Bus mastering off: the notification after DRIVER_OK is ignored. */
    qpci_config_writew(s, DEVFN, 4, 0x2);
    qvirtio_driver_ok(&d);
    qvirtqueue_notify(vq);
    qtest_clock_step(s, 1000000);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 0);
    /* On again: served. */
    qpci_config_writew(s, DEVFN, 4, 0x6);
    qvirtqueue_notify(vq);
    qvirtio_wait(s, used_moved, vq);
    g_assert_cmpuint(qtest_readb(s, status), ==, VIRTIO_BLK_S_OK);
    qvirtqueue_free(vq);

    /* The early notification alone is served at DRIVER_OK. */
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 0, VIRTIO_NO_VECTOR);
    qtest_writeb(s, status, 0xff);
    head = qvirtqueue_add_chain(vq, b, 2);
    qvirtqueue_make_available(vq, head);
    qvirtqueue_notify(vq);
    g_assert_cmpuint(qvirtqueue_used_idx(vq), ==, 0);
    qvirtio_driver_ok(&d);
    qvirtio_wait(s, used_moved, vq);
    g_assert_cmpuint(qtest_readb(s, status), ==, VIRTIO_BLK_S_OK);
    qvirtqueue_free(vq);
    qtest_quit(s);
}

static void test_machine_reset(void)
{
    QTestState *s = start("");
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;
    char *r;

    qguest_alloc_init(&a, RAM_START, RAM_END);
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_msix_enable(&d, &a);
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 0, 0);
    qvirtio_driver_ok(&d);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    r = qtest_command(s, "system_reset");
    g_free(r);
    /* Firmware-style set-up again; the device is reset. */
    qvirtio_pci_init(&d, s, VIRTIO_ID_BLOCK, DEVFN);
    g_assert_cmpuint(qvirtio_get_status(&d), ==, 0);
    qvirtio_common_writew(&d, VIRTIO_PCI_COMMON_Q_SELECT, 0);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_Q_ENABLE), ==,
                     0);
    qvirtqueue_free(vq);
    qvirtio_start(&d, blk_features());
    vq = qvirtqueue_setup(&d, &a, 0, 0, VIRTIO_NO_VECTOR);
    qvirtio_driver_ok(&d);
    g_assert_cmpuint(do_flush(vq), ==, VIRTIO_BLK_S_OK);
    qvirtqueue_free(vq);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    int fd, ret;
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("virtio-pci-XXXXXX.raw", &disk_path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(ftruncate(fd, DISK_SIZE), ==, 0);
    close(fd);

    g_test_add_func("/virtio-pci/ids", test_ids);
    g_test_add_func("/virtio-pci/caps", test_caps);
    g_test_add_func("/virtio-pci/features", test_features);
    g_test_add_func("/virtio-pci/status", test_status);
    g_test_add_func("/virtio-pci/queue-setup", test_queue_setup);
    g_test_add_func("/virtio-pci/vectors", test_vectors);
    g_test_add_func("/virtio-pci/msix", test_msix);
    g_test_add_func("/virtio-pci/intx", test_intx);
    g_test_add_func("/virtio-pci/cfg-access", test_cfg_access);
    g_test_add_func("/virtio-pci/ring-reset", test_ring_reset);
    g_test_add_func("/virtio-pci/early-notify", test_early_notify);
    g_test_add_func("/virtio-pci/machine-reset", test_machine_reset);
    ret = g_test_run();
    unlink(disk_path);
    g_free(disk_path);
    return ret;
}
