/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk-pci (virtio 1.2, 5.2) against raw image files the test
 * creates: the config space, reads and writes compared with the file
 * on the host, flush, GET_ID, discard and write-zeroes, read-only
 * drives, requests beyond the disk, unknown types, several queues,
 * many requests in flight, indirect descriptors, interrupt suppression
 * with and without VIRTIO_F_EVENT_IDX, reset with requests in flight,
 * and the command line (-drive if=virtio, errors).
 */
#include "libqvirtio.h"
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>

#define DISK_SIZE (4 * 1024 * 1024)
#define SLOT 4
#define DEVFN QPCI_DEVFN(SLOT, 0)
#define RAM_START 0x100000
#define RAM_END 0x3000000

typedef struct Fixture {
    char *path;
    QTestState *s;
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *vq;
} Fixture;

static void make_disk(Fixture *f, size_t size)
{
    GError *err = NULL;
    int fd = g_file_open_tmp("virtio-blk-XXXXXX.raw", &f->path, &err);
    uint8_t *buf = g_malloc(size);

    g_assert_no_error(err);
    /* A known pattern: byte i of sector n is (n * 7 + i) & 0xff. */
    for (size_t i = 0; i < size; i++) {
        buf[i] = ((i / 512) * 7 + i) & 0xff;
    }
    g_assert_cmpint(write(fd, buf, size), ==, (ssize_t)size);
    close(fd);
    g_free(buf);
}

static uint8_t pattern(uint64_t off)
{
    return ((off / 512) * 7 + off) & 0xff;
}

static void read_host(Fixture *f, uint64_t off, void *buf, size_t len)
{
    int fd = open(f->path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}

/* Start Ember with the disk; extra -drive options and device props. */
static void start(Fixture *f, const char *drive_opts, const char *dev_opts,
                  uint64_t features)
{
    f->s = qtest_startf("-m 64M -drive if=none,id=d0,format=raw,file=%s%s "
                        "-device virtio-blk-pci,drive=d0,addr=%x%s",
                        f->path, drive_opts, SLOT, dev_opts);
    qguest_alloc_init(&f->a, RAM_START, RAM_END);
    qvirtio_pci_init(&f->d, f->s, VIRTIO_ID_BLOCK, DEVFN);
    qvirtio_msix_enable(&f->d, &f->a);
    qvirtio_start(&f->d, features);
    qvirtio_common_writew(&f->d, VIRTIO_PCI_COMMON_MSIX, 1);
    f->vq = qvirtqueue_setup(&f->d, &f->a, 0, 0, 0);
    qvirtio_driver_ok(&f->d);
}

static void stop(Fixture *f)
{
    qvirtqueue_free(f->vq);
    g_assert_cmpint(qtest_quit(f->s), ==, 0);
    unlink(f->path);
    g_free(f->path);
}

static uint64_t all_features(void)
{
    return ~0ULL & ~(1ULL << VIRTIO_F_RING_RESET);
}

static void test_config(void)
{
    Fixture f;
    QVirtioDevice *d = &f.d;

    make_disk(&f, DISK_SIZE);
    start(&f, "", ",physical_block_size=4096", all_features());
    g_assert_cmpuint(qvirtio_config_readq(d, VIRTIO_BLK_CFG_CAPACITY), ==,
                     DISK_SIZE / 512);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_BLK_SIZE), ==,
                     512);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_SEG_MAX), ==,
                     254);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_SIZE_MAX), >=,
                     4096);
    g_assert_cmpuint(qvirtio_config_readb(d, VIRTIO_BLK_CFG_PHYS_BLOCK_EXP),
                     ==, 3);
    g_assert_cmpuint(qvirtio_config_readw(d, VIRTIO_BLK_CFG_NUM_QUEUES), ==,
                     1);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_MAX_DISCARD_SEG),
                     ==, VIRTIO_BLK_MAX_DWZ_SEG);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_DISCARD_ALIGN),
                     ==, 1);
    g_assert_cmpuint(qvirtio_config_readl(d, VIRTIO_BLK_CFG_MAX_WZ_SECTORS),
                     >, 0);
    /* The default cache mode is writeback; CONFIG_WCE lets the driver
     * switch it, and it reads back. */
    g_assert_cmpuint(qvirtio_config_readb(d, VIRTIO_BLK_CFG_WRITEBACK), ==,
                     1);
    qvirtio_config_writeb(d, VIRTIO_BLK_CFG_WRITEBACK, 0);
    g_assert_cmpuint(qvirtio_config_readb(d, VIRTIO_BLK_CFG_WRITEBACK), ==,
                     0);
    /* Read-only fields stay. */
    qvirtio_config_writeb(d, VIRTIO_BLK_CFG_CAPACITY, 0);
    g_assert_cmpuint(qvirtio_config_readq(d, VIRTIO_BLK_CFG_CAPACITY), ==,
                     DISK_SIZE / 512);
    /* Outside the config space: zero, no effect. */
    g_assert_cmpuint(qtest_readl(f.s, d->device + VIRTIO_BLK_CFG_SIZE), ==, 0);
    g_assert_cmpuint(qtest_readb(f.s, d->device + 0xfff), ==, 0);
    /* Reset restores the drive's own cache mode. */
    qvirtio_reset(d);
    g_assert_cmpuint(qvirtio_config_readb(d, VIRTIO_BLK_CFG_WRITEBACK), ==,
                     1);
    stop(&f);
}

static void test_features(void)
{
    Fixture f;
    uint64_t feat;

    make_disk(&f, DISK_SIZE);
    f.s = qtest_startf("-m 64M -drive if=none,id=d0,format=raw,file=%s "
                       "-device virtio-blk-pci,drive=d0,addr=%x,discard=off,"
                       "config-wce=off", f.path, SLOT);
    qvirtio_pci_init(&f.d, f.s, VIRTIO_ID_BLOCK, DEVFN);
    feat = qvirtio_get_features(&f.d);
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_SEG_MAX));
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_SIZE_MAX));
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_BLK_SIZE));
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_FLUSH));
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_TOPOLOGY));
    g_assert_true(feat & (1ULL << VIRTIO_BLK_F_WRITE_ZEROES));
    g_assert_false(feat & (1ULL << VIRTIO_BLK_F_DISCARD));
    g_assert_false(feat & (1ULL << VIRTIO_BLK_F_CONFIG_WCE));
    g_assert_false(feat & (1ULL << VIRTIO_BLK_F_MQ));
    g_assert_false(feat & (1ULL << VIRTIO_BLK_F_RO));
    g_assert_false(feat & (1ULL << VIRTIO_BLK_F_GEOMETRY));
    qtest_quit(f.s);
    f.vq = NULL;
    unlink(f.path);
    g_free(f.path);
}

static void test_read_write(void)
{
    Fixture f;
    uint8_t buf[8192], host[8192];
    uint32_t used;

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    /* Read the host's pattern. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 10, buf,
                                         4096, false, &used), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used, ==, 4096 + 1);
    for (int i = 0; i < 4096; i++) {
        g_assert_cmphex(buf[i], ==, pattern(10 * 512 + i));
    }
    g_assert_true(qvirtio_msix_seen(&f.d, 0));
    /* The last sector of the disk. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN,
                                         DISK_SIZE / 512 - 1, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmphex(buf[511], ==, pattern(DISK_SIZE - 1));
    /* Write and find it in the file. */
    for (int i = 0; i < 8192; i++) {
        buf[i] = i * 13 + 5;
    }
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_OUT, 100, buf,
                                         8192, false, &used), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used, ==, 1);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_FLUSH, 0, NULL,
                                         0, false, NULL), ==,
                     VIRTIO_BLK_S_OK);
    read_host(&f, 100 * 512, host, 8192);
    g_assert_cmpmem(buf, 8192, host, 8192);
    /* Neighbours untouched. */
    read_host(&f, 99 * 512, host, 512);
    g_assert_cmphex(host[511], ==, pattern(100 * 512 - 1));
    read_host(&f, 116 * 512, host, 1);
    g_assert_cmphex(host[0], ==, pattern(116 * 512));
    /* And back through the device, indirect this time. */
    memset(buf, 0, sizeof(buf));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 100, buf,
                                         8192, true, NULL), ==,
                     VIRTIO_BLK_S_OK);
    read_host(&f, 100 * 512, host, 8192);
    g_assert_cmpmem(buf, 8192, host, 8192);
    /* A zero-length read is fine. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, NULL, 0,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    stop(&f);
}

/* A write whose data is scattered over many small descriptors. */
static void test_scatter(void)
{
    Fixture f;
    QTestState *s;
    QVirtBuf b[66];
    uint8_t h[16] = { VIRTIO_BLK_T_OUT }, host[64 * 512], want[64 * 512];
    uint64_t status;
    uint32_t id;
    uint16_t head;

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    s = f.s;
    stq_le_p(h + 8, 300);
    b[0].addr = qguest_alloc(s, &f.a, 16, 16);
    b[0].len = 16;
    b[0].write = false;
    qtest_memwrite(s, b[0].addr, h, 16);
    /* 64 sectors in 64 pieces of 512, the header split from them. */
    for (int i = 0; i < 64; i++) {
        b[1 + i].addr = qguest_alloc(s, &f.a, 512, 512);
        b[1 + i].len = 512;
        b[1 + i].write = false;
        memset(want + i * 512, 0x40 + i, 512);
        qtest_memset(s, b[1 + i].addr, 0x40 + i, 512);
    }
    status = qguest_alloc(s, &f.a, 1, 1);
    b[65] = (QVirtBuf){ status, 1, true };
    head = qvirtqueue_add_chain(f.vq, b, 66);
    qvirtqueue_kick(f.vq, head);
    qvirtqueue_wait_used(f.vq, &id, NULL);
    g_assert_cmpuint(id, ==, head);
    g_assert_cmpuint(qtest_readb(s, status), ==, VIRTIO_BLK_S_OK);
    read_host(&f, 300 * 512, host, sizeof(host));
    g_assert_cmpmem(want, sizeof(want), host, sizeof(host));
    stop(&f);
}

static void test_get_id(void)
{
    Fixture f;
    char id[VIRTIO_BLK_ID_BYTES + 4];
    uint32_t used;

    make_disk(&f, DISK_SIZE);
    start(&f, "", ",serial=EMBER-DISK-0001", all_features());
    memset(id, 0x55, sizeof(id));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_GET_ID, 0, id,
                                         VIRTIO_BLK_ID_BYTES, false, &used),
                     ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used, ==, VIRTIO_BLK_ID_BYTES + 1);
    g_assert_cmpstr(id, ==, "EMBER-DISK-0001");
    /* NUL-padded to 20 bytes. */
    for (int i = strlen("EMBER-DISK-0001"); i < VIRTIO_BLK_ID_BYTES; i++) {
        g_assert_cmpuint(id[i], ==, 0);
    }
    /* A shorter buffer gets the start of it. */
    memset(id, 0, sizeof(id));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_GET_ID, 0, id, 5,
                                         false, &used), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used, ==, 6);
    g_assert_cmpstr(id, ==, "EMBER");
    stop(&f);

    /* The serial of the -drive when the device has none. */
    make_disk(&f, DISK_SIZE);
    start(&f, ",serial=FROMDRIVE", "", all_features());
    memset(id, 0, sizeof(id));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_GET_ID, 0, id,
                                         VIRTIO_BLK_ID_BYTES, false, NULL),
                     ==, VIRTIO_BLK_S_OK);
    g_assert_cmpstr(id, ==, "FROMDRIVE");
    stop(&f);
}

static void test_discard_write_zeroes(void)
{
    Fixture f;
    uint8_t host[4096], zero[4096] = { 0 };
    uint8_t segs[3 * VIRTIO_BLK_DWZ_SIZE];

    make_disk(&f, DISK_SIZE);
    start(&f, ",discard=unmap", "", all_features());
    /* Write zeroes: the file reads zeroes there, neighbours intact. */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 8, 8,
                                     0), ==, VIRTIO_BLK_S_OK);
    read_host(&f, 8 * 512, host, 4096);
    g_assert_cmpmem(host, 4096, zero, 4096);
    read_host(&f, 7 * 512, host, 512);
    g_assert_cmphex(host[511], ==, pattern(8 * 512 - 1));
    read_host(&f, 16 * 512, host, 1);
    g_assert_cmphex(host[0], ==, pattern(16 * 512));
    /* With the unmap flag too. */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 64, 8,
                                     VIRTIO_BLK_WZ_FLAG_UNMAP), ==,
                     VIRTIO_BLK_S_OK);
    read_host(&f, 64 * 512, host, 4096);
    g_assert_cmpmem(host, 4096, zero, 4096);
    /* Several segments in one request. */
    for (int i = 0; i < 3; i++) {
        stq_le_p(segs + 16 * i, 200 + 20 * i);
        stl_le_p(segs + 16 * i + 8, 2);
        stl_le_p(segs + 16 * i + 12, 0);
    }
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 0,
                                         segs, sizeof(segs), false, NULL), ==,
                     VIRTIO_BLK_S_OK);
    for (int i = 0; i < 3; i++) {
        read_host(&f, (200 + 20 * i) * 512, host, 1024);
        g_assert_cmpmem(host, 1024, zero, 1024);
        read_host(&f, (202 + 20 * i) * 512, host, 1);
        g_assert_cmphex(host[0], ==, pattern((202 + 20 * i) * 512));
    }
    /* Discard succeeds (what it frees is the host's business). */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_DISCARD, 128, 64, 0),
                     ==, VIRTIO_BLK_S_OK);
    /* 5.2.6.2: unmap on a discard, and unknown flags: UNSUPP. */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_DISCARD, 128, 64,
                                     VIRTIO_BLK_WZ_FLAG_UNMAP), ==,
                     VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 128, 8,
                                     0x80), ==, VIRTIO_BLK_S_UNSUPP);
    /* Beyond the disk, or a segment list that is not whole: IOERR; the
     * data before it untouched. */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES,
                                     DISK_SIZE / 512 - 4, 8, 0), ==,
                     VIRTIO_BLK_S_IOERR);
    read_host(&f, DISK_SIZE - 2048, host, 1);
    g_assert_cmphex(host[0], ==, pattern(DISK_SIZE - 2048));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 0,
                                         segs, 20, false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_DISCARD, 0,
                                         NULL, 0, false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    /* More than max_write_zeroes_sectors in a segment. */
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 0,
                                     0xffffffff, 0), ==, VIRTIO_BLK_S_IOERR);
    stop(&f);

    /* Not negotiated: UNSUPP, nothing zeroed. */
    make_disk(&f, DISK_SIZE);
    start(&f, "", "", 1ULL << VIRTIO_BLK_F_FLUSH);
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 8, 8,
                                     0), ==, VIRTIO_BLK_S_UNSUPP);
    read_host(&f, 8 * 512, host, 1);
    g_assert_cmphex(host[0], ==, pattern(8 * 512));
    stop(&f);
}

static void test_read_only(void)
{
    Fixture f;
    uint8_t buf[512], host[512];

    make_disk(&f, DISK_SIZE);
    start(&f, ",readonly=on", "", all_features());
    g_assert_true(f.d.features & (1ULL << VIRTIO_BLK_F_RO));
    memset(buf, 0xee, sizeof(buf));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_OUT, 1, buf, 512,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_dwz(f.vq, VIRTIO_BLK_T_WRITE_ZEROES, 1, 1,
                                     0), ==, VIRTIO_BLK_S_IOERR);
    read_host(&f, 512, host, 512);
    g_assert_cmphex(host[0], ==, pattern(512));
    /* Reads still work. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 1, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpmem(buf, 512, host, 512);
    stop(&f);
}

static void test_bad_requests(void)
{
    Fixture f;
    uint8_t buf[8192];
    uint64_t cap = DISK_SIZE / 512;

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    /* Beyond the disk, across its end, sector numbers that overflow. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, cap, buf,
                                         512, false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, cap - 1, buf,
                                         1024, false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_OUT, cap - 1, buf,
                                         1024, false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN,
                                         0xffffffffffffffffULL, buf, 512,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_OUT,
                                         0x0080000000000000ULL, buf, 512,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    /* Not a whole number of sectors. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 100,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    /* Unknown types: UNSUPP (GET_LIFETIME, SECURE_ERASE, 0xdead). */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, 10, 0, buf, 16, false, NULL),
                     ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, 14, 0, buf, 16, false, NULL),
                     ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, 0xdead, 0, NULL, 0, false,
                                         NULL), ==, VIRTIO_BLK_S_UNSUPP);
    /* The device is fine afterwards. */
    g_assert_false(qvirtio_get_status(&f.d) & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, cap - 16, buf,
                                         8192, false, NULL), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmphex(buf[8191], ==, pattern(DISK_SIZE - 1));
    stop(&f);

    /* A 4 KiB logical block size: 512-byte units must be aligned. */
    make_disk(&f, DISK_SIZE);
    start(&f, "", ",logical_block_size=4096", all_features());
    g_assert_cmpuint(qvirtio_config_readl(&f.d, VIRTIO_BLK_CFG_BLK_SIZE), ==,
                     4096);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 8, buf, 4096,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 1, buf, 4096,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 8, buf, 512,
                                         false, NULL), ==,
                     VIRTIO_BLK_S_IOERR);
    stop(&f);
}

/* Many requests at once, completing in any order. */
static void test_many(void)
{
    Fixture f;
    QTestState *s;
    enum { N = 48 };
    uint64_t hdr[N], data[N], status[N];
    uint16_t head[N];
    bool done[N] = { false };
    uint8_t buf[4096], host[4096];

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    s = f.s;
    for (int i = 0; i < N; i++) {
        uint8_t h[16] = { 0 };
        QVirtBuf b[3];

        stl_le_p(h, i % 2 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN);
        stq_le_p(h + 8, 1000 + 8 * i);
        hdr[i] = qguest_alloc(s, &f.a, 16, 16);
        data[i] = qguest_alloc(s, &f.a, 4096, 4096);
        status[i] = qguest_alloc(s, &f.a, 1, 1);
        qtest_memwrite(s, hdr[i], h, 16);
        qtest_memset(s, data[i], i % 2 ? i : 0, 4096);
        qtest_writeb(s, status[i], 0xff);
        b[0] = (QVirtBuf){ hdr[i], 16, false };
        b[1] = (QVirtBuf){ data[i], 4096, !(i % 2) };
        b[2] = (QVirtBuf){ status[i], 1, true };
        head[i] = qvirtqueue_add_chain(f.vq, b, 3);
        qvirtqueue_make_available(f.vq, head[i]);
    }
    qvirtqueue_notify(f.vq);
    for (int n = 0; n < N; n++) {
        uint32_t id, len;
        int i;

        qvirtqueue_wait_used(f.vq, &id, &len);
        for (i = 0; i < N && head[i] != id; i++) {
        }
        g_assert_cmpint(i, <, N);
        g_assert_false(done[i]);
        done[i] = true;
        g_assert_cmpuint(qtest_readb(s, status[i]), ==, VIRTIO_BLK_S_OK);
        g_assert_cmpuint(len, ==, i % 2 ? 1 : 4097);
    }
    for (int i = 0; i < N; i++) {
        read_host(&f, (1000 + 8 * i) * 512, host, 4096);
        if (i % 2) {
            memset(buf, i, 4096);
            g_assert_cmpmem(host, 4096, buf, 4096);
        } else {
            qtest_memread(s, data[i], buf, 4096);
            g_assert_cmpmem(host, 4096, buf, 4096);
        }
    }
    stop(&f);
}

static void test_multiqueue(void)
{
    Fixture f;
    QVirtQueue *vq[4];
    uint8_t buf[512], host[512];

    make_disk(&f, DISK_SIZE);
    f.s = qtest_startf("-m 64M -drive if=none,id=d0,format=raw,file=%s "
                       "-device virtio-blk-pci,drive=d0,addr=%x,num-queues=4",
                       f.path, SLOT);
    qguest_alloc_init(&f.a, RAM_START, RAM_END);
    qvirtio_pci_init(&f.d, f.s, VIRTIO_ID_BLOCK, DEVFN);
    g_assert_cmpuint(f.d.msix_entries, ==, 5);
    qvirtio_msix_enable(&f.d, &f.a);
    qvirtio_start(&f.d, all_features());
    g_assert_true(f.d.features & (1ULL << VIRTIO_BLK_F_MQ));
    g_assert_cmpuint(qvirtio_config_readw(&f.d, VIRTIO_BLK_CFG_NUM_QUEUES),
                     ==, 4);
    for (int q = 0; q < 4; q++) {
        vq[q] = qvirtqueue_setup(&f.d, &f.a, q, 64, q);
    }
    qvirtio_driver_ok(&f.d);
    for (int q = 3; q >= 0; q--) {
        memset(buf, 0x10 + q, sizeof(buf));
        g_assert_cmpuint(qvirtio_blk_request(vq[q], VIRTIO_BLK_T_OUT, 50 + q,
                                             buf, 512, false, NULL), ==,
                         VIRTIO_BLK_S_OK);
        /* Each queue's own vector. */
        for (int v = 0; v < 4; v++) {
            g_assert_cmpint(qvirtio_msix_seen(&f.d, v), ==, v == q);
        }
    }
    for (int q = 0; q < 4; q++) {
        read_host(&f, (50 + q) * 512, host, 512);
        memset(buf, 0x10 + q, sizeof(buf));
        g_assert_cmpmem(host, 512, buf, 512);
        qvirtqueue_free(vq[q]);
    }
    qtest_quit(f.s);
    unlink(f.path);
    g_free(f.path);
}

/* 2.7.7, 2.7.10: suppression in both directions, without EVENT_IDX. */
static void test_suppression_flags(void)
{
    Fixture f;
    uint8_t buf[512];

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", 1ULL << VIRTIO_BLK_F_FLUSH);
    g_assert_false(f.d.features & (1ULL << VIRTIO_RING_F_EVENT_IDX));
    /* The device wants notifications while idle. */
    g_assert_cmpuint(qvirtqueue_used_flags(f.vq) & VRING_USED_F_NO_NOTIFY,
                     ==, 0);
    /* NO_INTERRUPT: used buffers without a message. */
    qvirtqueue_set_avail_flags(f.vq, VRING_AVAIL_F_NO_INTERRUPT);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qvirtio_msix_seen(&f.d, 0));
    qvirtqueue_set_avail_flags(f.vq, 0);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qvirtio_msix_seen(&f.d, 0));
    g_assert_cmpuint(qvirtqueue_used_flags(f.vq) & VRING_USED_F_NO_NOTIFY,
                     ==, 0);
    stop(&f);
}

static void test_event_idx(void)
{
    Fixture f;
    uint8_t buf[512];
    uint16_t used;

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    g_assert_true(f.d.features & (1ULL << VIRTIO_RING_F_EVENT_IDX));
    /* used_event far ahead: no interrupt for the next ones. */
    qvirtqueue_set_used_event(f.vq, 3);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, i, buf,
                                             512, false, NULL), ==,
                         VIRTIO_BLK_S_OK);
        g_assert_false(qvirtio_msix_seen(&f.d, 0));
    }
    /* The used index passes used_event = 3 going from 3 to 4. */
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 3, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qvirtio_msix_seen(&f.d, 0));
    used = qvirtqueue_used_idx(f.vq);
    g_assert_cmpuint(used, ==, 4);
    /* used_event behind: no message until the index wraps to it. */
    qvirtqueue_set_used_event(f.vq, used - 2);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_false(qvirtio_msix_seen(&f.d, 0));
    /* Exactly the entry we wait for. */
    qvirtqueue_set_used_event(f.vq, qvirtqueue_used_idx(f.vq));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qvirtio_msix_seen(&f.d, 0));
    /* avail_event: the device asks to hear about the next buffer, the
     * avail index it has consumed, so each kick notifies. */
    g_assert_cmpuint(qvirtqueue_avail_event(f.vq), ==, f.vq->avail_idx);
    qvirtqueue_set_used_event(f.vq, qvirtqueue_used_idx(f.vq));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(qvirtqueue_avail_event(f.vq), ==, f.vq->avail_idx);
    /* NO_INTERRUPT is ignored with EVENT_IDX (2.7.7.2). */
    qvirtqueue_set_avail_flags(f.vq, VRING_AVAIL_F_NO_INTERRUPT);
    qvirtqueue_set_used_event(f.vq, qvirtqueue_used_idx(f.vq));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_true(qvirtio_msix_seen(&f.d, 0));
    stop(&f);
}

/* Buffers made available without a notification wait for one. */
static void test_kick_needed(void)
{
    Fixture f;
    QTestState *s;
    uint8_t h[16] = { VIRTIO_BLK_T_FLUSH };
    uint64_t hdr, status;
    QVirtBuf b[2];
    uint16_t head;
    uint32_t id;

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    s = f.s;
    hdr = qguest_alloc(s, &f.a, 16, 16);
    status = qguest_alloc(s, &f.a, 1, 1);
    qtest_memwrite(s, hdr, h, 16);
    b[0] = (QVirtBuf){ hdr, 16, false };
    b[1] = (QVirtBuf){ status, 1, true };
    head = qvirtqueue_add_chain(f.vq, b, 2);
    qvirtqueue_make_available(f.vq, head);
    qtest_clock_step(s, 10000000);
    g_assert_cmpuint(qvirtqueue_used_idx(f.vq), ==, 0);
    qvirtqueue_notify(f.vq);
    qvirtqueue_wait_used(f.vq, &id, NULL);
    g_assert_cmpuint(id, ==, head);
    stop(&f);
}

/* A reset with requests in flight: they finish; the device is clean. */
static void test_reset_in_flight(void)
{
    Fixture f;
    QTestState *s;
    uint8_t buf[4096];

    make_disk(&f, DISK_SIZE);
    start(&f, "", "", all_features());
    s = f.s;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 16; i++) {
            uint8_t h[16] = { 0 };
            QVirtBuf b[3];
            uint16_t head;

            stl_le_p(h, VIRTIO_BLK_T_OUT);
            stq_le_p(h + 8, 16 * i);
            b[0] = (QVirtBuf){ qguest_alloc(s, &f.a, 16, 16), 16, false };
            b[1] = (QVirtBuf){ qguest_alloc(s, &f.a, 65536, 4096), 65536,
                               false };
            b[2] = (QVirtBuf){ qguest_alloc(s, &f.a, 1, 1), 1, true };
            qtest_memwrite(s, b[0].addr, h, 16);
            head = qvirtqueue_add_chain(f.vq, b, 3);
            qvirtqueue_make_available(f.vq, head);
        }
        qvirtqueue_notify(f.vq);
        qvirtio_reset(&f.d);
        qvirtqueue_free(f.vq);
        f.a.next = RAM_START + 0x10000;
        qvirtio_start(&f.d, all_features());
        f.vq = qvirtqueue_setup(&f.d, &f.a, 0, 0, 0);
        qvirtio_driver_ok(&f.d);
        g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 0, buf,
                                             4096, false, NULL), ==,
                         VIRTIO_BLK_S_OK);
    }
    stop(&f);
}

/* -drive if=virtio makes a virtio-blk-pci of its own. */
static void test_if_virtio(void)
{
    Fixture f;
    int devfn;
    uint8_t buf[512];

    make_disk(&f, DISK_SIZE);
    f.s = qtest_startf("-m 64M -drive file=%s,format=raw,if=virtio,"
                       "serial=AUTO1", f.path);
    devfn = qpci_find_device(f.s, VIRTIO_PCI_VENDOR_ID,
                             VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_BLOCK);
    g_assert_cmpint(devfn, >=, 0);
    qguest_alloc_init(&f.a, RAM_START, RAM_END);
    qvirtio_pci_init(&f.d, f.s, VIRTIO_ID_BLOCK, devfn);
    qvirtio_start(&f.d, all_features());
    f.vq = qvirtqueue_setup(&f.d, &f.a, 0, 0, VIRTIO_NO_VECTOR);
    qvirtio_driver_ok(&f.d);
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_IN, 3, buf, 512,
                                         false, NULL), ==, VIRTIO_BLK_S_OK);
    g_assert_cmphex(buf[0], ==, pattern(3 * 512));
    memset(buf, 0, sizeof(buf));
    g_assert_cmpuint(qvirtio_blk_request(f.vq, VIRTIO_BLK_T_GET_ID, 0, buf,
                                         20, false, NULL), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpstr((char *)buf, ==, "AUTO1");
    stop(&f);
}

/* Set-up errors: one line naming the problem, exit status 1. */
static void expect_error(const char *args, const char *msg)
{
    g_autofree char *cmd = g_strdup_printf("%s -accel qtest -nodefaults "
                                           "-display none %s", qtest_binary(),
                                           args);
    g_autofree char *out = NULL, *err = NULL;
    int status;
    GError *e = NULL;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, &e));
    g_assert_no_error(e);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, msg)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, msg));
    /* One line. */
    g_assert_cmpint(strchr(err, '\n') - err + 1, ==, (int)strlen(err));
}

static void test_errors(void)
{
    Fixture f;
    g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

    make_disk(&f, DISK_SIZE);
    expect_error("-device virtio-blk-pci", "drive property not set");
    expect_error("-device virtio-blk-pci,drive=nope", "nope");
    a = g_strdup_printf("-drive if=none,id=d0,format=raw,file=%s -device "
                        "virtio-blk-pci,drive=d0,queue-size=100", f.path);
    expect_error(a, "queue-size");
    b = g_strdup_printf("-drive if=none,id=d0,format=raw,file=%s -device "
                        "virtio-blk-pci,drive=d0,logical_block_size=1000",
                        f.path);
    expect_error(b, "logical_block_size");
    c = g_strdup_printf("-drive if=none,id=d0,format=raw,file=%s -device "
                        "virtio-blk-pci,drive=d0 -device "
                        "virtio-blk-pci,drive=d0", f.path);
    expect_error(c, "d0");
    d = g_strdup_printf("-drive if=none,id=d0,format=raw,file=%s -device "
                        "virtio-blk-pci,drive=d0,serial="
                        "123456789012345678901", f.path);
    expect_error(d, "serial");
    unlink(f.path);
    g_free(f.path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-blk/config", test_config);
    g_test_add_func("/virtio-blk/features", test_features);
    g_test_add_func("/virtio-blk/read-write", test_read_write);
    g_test_add_func("/virtio-blk/scatter", test_scatter);
    g_test_add_func("/virtio-blk/get-id", test_get_id);
    g_test_add_func("/virtio-blk/discard-write-zeroes",
                    test_discard_write_zeroes);
    g_test_add_func("/virtio-blk/read-only", test_read_only);
    g_test_add_func("/virtio-blk/bad-requests", test_bad_requests);
    g_test_add_func("/virtio-blk/many", test_many);
    g_test_add_func("/virtio-blk/multiqueue", test_multiqueue);
    g_test_add_func("/virtio-blk/suppression-flags", test_suppression_flags);
    g_test_add_func("/virtio-blk/event-idx", test_event_idx);
    g_test_add_func("/virtio-blk/kick-needed", test_kick_needed);
    g_test_add_func("/virtio-blk/reset-in-flight", test_reset_in_flight);
    g_test_add_func("/virtio-blk/if-virtio", test_if_virtio);
    g_test_add_func("/virtio-blk/errors", test_errors);
    return g_test_run();
}
