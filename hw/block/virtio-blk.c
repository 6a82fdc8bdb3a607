/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk-pci: a virtio block device (virtio 1.2, 5.2) on a
 * BlockBackend, over the modern PCI transport.
 *
 * Requests are parsed and checked in the queue handler (on the vCPU
 * thread of the notifying MMIO write, or the main loop for ioeventfds)
 * and handed to the block layer's asynchronous calls; the completion
 * callbacks run in the main loop, write the status byte, return the
 * buffer on the used ring and interrupt the driver. A vCPU never waits
 * for the disk.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "block/block.h"
#include "block/block-backend.h"
#include "hw/block/virtio-blk.h"
#include "hw/virtio/virtio-pci.h"
#include "system/blockdev.h"

typedef struct VirtIOBlock {
    VirtIODevice vdev;
    /* Properties. */
    char *drive;
    char *serial;
    uint32_t logical_block_size;
    uint32_t physical_block_size;
    uint16_t num_queues;
    uint16_t queue_size;
    bool config_wce;
    bool discard;
    bool write_zeroes;
    uint32_t max_discard_sectors;
    uint32_t max_write_zeroes_sectors;

    BlockBackend *blk;
    uint64_t capacity;          /* 512-byte sectors */
    bool read_only;
    bool writethrough_default;  /* the drive's cache mode */
    char id[VIRTIO_BLK_ID_BYTES];
} VirtIOBlock;

typedef struct VirtIOBlockPCI {
    VirtIOPCIProxy proxy;
    VirtIOBlock blk;
} VirtIOBlockPCI;

typedef struct VirtIOBlockReq {
    VirtQueueElement elem;      /* first: virtqueue_pop allocates */
    VirtIOBlock *s;
    VirtQueue *vq;
    uint32_t type;
    uint64_t sector;
    IOVector qiov;
    uint32_t data_len;          /* bytes the request moves */
    int pending;                /* block requests not yet completed */
    int ret;                    /* first error */
    uint8_t status;
} VirtIOBlockReq;

static VirtIOBlock *to_blk(VirtIODevice *vdev)
{
    return container_of(vdev, VirtIOBlock, vdev);
}

static void blk_log(VirtIOBlock *s, const char *fmt, ...) EMBER_PRINTF(2, 3);
static void blk_log(VirtIOBlock *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!ember_log_enabled(LOG_GUEST_ERROR)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ember_log("%s (drive %s): %s\n", s->vdev.name, s->drive, msg);
}

/* ---- completion ---------------------------------------------------------- */

/* Write the status byte (the last byte the driver gave), return the
 * buffer, interrupt. len: bytes written before the status byte. */
static void req_complete(VirtIOBlockReq *r, uint8_t status, uint32_t len)
{
    VirtIOBlock *s = r->s;
    const VirtQueueElement *e = &r->elem;

    virtio_iov_from_buf(e->in_sg, e->in_num, e->in_len - 1, &status, 1);
    virtqueue_push(r->vq, e, len + 1);
    virtio_notify(&s->vdev, r->vq);
    iovec_destroy(&r->qiov);
    g_free(r);
}

static void req_rw_done(void *opaque, int ret)
{
    VirtIOBlockReq *r = opaque;

    if (ret < 0) {
        blk_log(r->s, "%s at sector %" PRIu64 " failed: %s",
                r->type == VIRTIO_BLK_T_IN ? "read" : "write", r->sector,
                g_strerror(-ret));
        req_complete(r, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    req_complete(r, VIRTIO_BLK_S_OK,
                 r->type == VIRTIO_BLK_T_IN ? r->data_len : 0);
}

static void req_simple_done(void *opaque, int ret)
{
    VirtIOBlockReq *r = opaque;

    if (ret < 0 && !r->ret) {
        r->ret = ret;
    }
    if (--r->pending > 0) {
        return;
    }
    req_complete(r, r->ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK, 0);
}

/* ---- requests ------------------------------------------------------------ */

/*
 * Is [sector, sector + bytes / 512) inside the disk and aligned to the
 * logical block size? The driver counts in 512-byte sectors whatever
 * the block size (5.2.6).
 */
static bool range_ok(VirtIOBlock *s, uint64_t sector, uint64_t bytes)
{
    uint64_t lbs_sectors = s->logical_block_size / VIRTIO_BLK_SECTOR_SIZE;

    if (bytes % s->logical_block_size || sector % lbs_sectors) {
        blk_log(s, "request at sector %" PRIu64 ", %" PRIu64 " bytes, not "
                "aligned to the %u-byte block size", sector, bytes,
                s->logical_block_size);
        return false;
    }
    if (sector > s->capacity ||
        bytes / VIRTIO_BLK_SECTOR_SIZE > s->capacity - sector) {
        blk_log(s, "request at sector %" PRIu64 ", %" PRIu64 " bytes, "
                "beyond the %" PRIu64 "-sector disk", sector, bytes,
                s->capacity);
        return false;
    }
    return true;
}

static void req_rw(VirtIOBlock *s, VirtIOBlockReq *r)
{
    VirtQueueElement *e = &r->elem;
    bool is_read = r->type == VIRTIO_BLK_T_IN;
    IOVector src;
    uint64_t len;

    if (is_read) {
        len = e->in_len - 1;
    } else {
        len = e->out_len - VIRTIO_BLK_HDR_SIZE;
        if (s->read_only) {
            /* 5.2.6.2: writes to a read-only device fail, nothing written. */
            blk_log(s, "write to a read-only drive");
            req_complete(r, VIRTIO_BLK_S_IOERR, 0);
            return;
        }
    }
    if (!range_ok(s, r->sector, len)) {
        req_complete(r, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    if (len == 0) {
        req_complete(r, VIRTIO_BLK_S_OK, 0);
        return;
    }
    r->data_len = len;
    /* The data: the in buffers before the status byte, or the out
     * buffers after the header. */
    src.iov = is_read ? e->in_sg : e->out_sg;
    src.niov = is_read ? e->in_num : e->out_num;
    src.nalloc = 0;
    src.size = is_read ? e->in_len : e->out_len;
    iovec_concat(&r->qiov, &src, is_read ? 0 : VIRTIO_BLK_HDR_SIZE, len);
    if (is_read) {
        blk_aio_preadv(s->blk, r->sector * VIRTIO_BLK_SECTOR_SIZE, &r->qiov,
                       req_rw_done, r);
    } else {
        blk_aio_pwritev(s->blk, r->sector * VIRTIO_BLK_SECTOR_SIZE, &r->qiov,
                        req_rw_done, r);
    }
}

static void req_get_id(VirtIOBlock *s, VirtIOBlockReq *r)
{
    /* 5.2.6: up to 20 bytes, NUL-padded; shorter buffers get a prefix. */
    uint32_t len = MIN(r->elem.in_len - 1, VIRTIO_BLK_ID_BYTES);

    virtio_iov_from_buf(r->elem.in_sg, r->elem.in_num, 0, s->id, len);
    req_complete(r, VIRTIO_BLK_S_OK, len);
}

/* DISCARD and WRITE_ZEROES: a list of 16-byte segments (5.2.6). */
static void req_dwz(VirtIOBlock *s, VirtIOBlockReq *r)
{
    bool is_discard = r->type == VIRTIO_BLK_T_DISCARD;
    unsigned feature = is_discard ? VIRTIO_BLK_F_DISCARD
                                  : VIRTIO_BLK_F_WRITE_ZEROES;
    uint32_t max_sectors = is_discard ? s->max_discard_sectors
                                      : s->max_write_zeroes_sectors;
    uint64_t len = r->elem.out_len - VIRTIO_BLK_HDR_SIZE;
    uint8_t segs[VIRTIO_BLK_MAX_DWZ_SEG * VIRTIO_BLK_DWZ_SIZE];
    unsigned nseg;

    if (!virtio_vdev_has_feature(&s->vdev, feature)) {
        req_complete(r, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    if (!len || len % VIRTIO_BLK_DWZ_SIZE) {
        blk_log(s, "%s request with %" PRIu64 " bytes of segments",
                is_discard ? "discard" : "write-zeroes", len);
        req_complete(r, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    nseg = len / VIRTIO_BLK_DWZ_SIZE;
    if (nseg > VIRTIO_BLK_MAX_DWZ_SEG) {
        blk_log(s, "%u segments (at most %u)", nseg, VIRTIO_BLK_MAX_DWZ_SEG);
        req_complete(r, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    virtio_iov_to_buf(r->elem.out_sg, r->elem.out_num, VIRTIO_BLK_HDR_SIZE,
                      segs, len);
    /* Check every segment before any I/O starts. */
    for (unsigned i = 0; i < nseg; i++) {
        const uint8_t *g = segs + i * VIRTIO_BLK_DWZ_SIZE;
        uint64_t sector = ldq_le_p(g);
        uint32_t num = ldl_le_p(g + 8), flags = ldl_le_p(g + 12);
        uint32_t known = is_discard ? 0 : VIRTIO_BLK_WZ_FLAG_UNMAP;

        /* 5.2.6.2: unknown flags, and unmap on a discard: UNSUPP. */
        if (flags & ~known) {
            blk_log(s, "segment flags 0x%x not supported", flags);
            req_complete(r, VIRTIO_BLK_S_UNSUPP, 0);
            return;
        }
        if (num > max_sectors || s->read_only ||
            !range_ok(s, sector, (uint64_t)num * VIRTIO_BLK_SECTOR_SIZE)) {
            req_complete(r, VIRTIO_BLK_S_IOERR, 0);
            return;
        }
    }
    r->pending = nseg;
    for (unsigned i = 0; i < nseg; i++) {
        const uint8_t *g = segs + i * VIRTIO_BLK_DWZ_SIZE;
        int64_t off = ldq_le_p(g) * VIRTIO_BLK_SECTOR_SIZE;
        int64_t bytes = (int64_t)ldl_le_p(g + 8) * VIRTIO_BLK_SECTOR_SIZE;

        if (is_discard) {
            blk_aio_pdiscard(s->blk, off, bytes, req_simple_done, r);
        } else {
            int flags = ldl_le_p(g + 12) & VIRTIO_BLK_WZ_FLAG_UNMAP
                        ? BDRV_REQ_MAY_UNMAP : 0;
            blk_aio_pwrite_zeroes(s->blk, off, bytes, flags, req_simple_done,
                                  r);
        }
    }
}

static void req_handle(VirtIOBlock *s, VirtQueue *vq, VirtIOBlockReq *r)
{
    VirtQueueElement *e = &r->elem;
    uint8_t hdr[VIRTIO_BLK_HDR_SIZE];

    r->s = s;
    r->vq = vq;
    iovec_init(&r->qiov, 0);
    /* 5.2.6: a header to read and a status byte to write, at least. */
    if (e->out_len < VIRTIO_BLK_HDR_SIZE || e->in_len < 1) {
        virtio_error(&s->vdev, "queue %u: request without a header or a "
                     "status byte (%" PRIu64 " readable, %" PRIu64
                     " writable bytes)", vq->index, e->out_len, e->in_len);
        virtqueue_detach_element(vq, e, 0);
        iovec_destroy(&r->qiov);
        g_free(r);
        return;
    }
    virtio_iov_to_buf(e->out_sg, e->out_num, 0, hdr, sizeof(hdr));
    r->type = ldl_le_p(hdr);
    r->sector = ldq_le_p(hdr + 8);

    switch (r->type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        req_rw(s, r);
        break;
    case VIRTIO_BLK_T_FLUSH:
        r->pending = 1;
        blk_aio_flush(s->blk, req_simple_done, r);
        break;
    case VIRTIO_BLK_T_GET_ID:
        req_get_id(s, r);
        break;
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        req_dwz(s, r);
        break;
    default:
        blk_log(s, "request type %u not supported", r->type);
        req_complete(r, VIRTIO_BLK_S_UNSUPP, 0);
        break;
    }
}

static void virtio_blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = to_blk(vdev);
    VirtIOBlockReq *r;

    /* Take everything; ask for notifications again only when idle and
     * re-check, so a buffer added meanwhile is not missed (2.7.10). */
    do {
        virtio_queue_set_notification(vq, false);
        while ((r = virtqueue_pop(vq, sizeof(VirtIOBlockReq)))) {
            req_handle(s, vq, r);
        }
        virtio_queue_set_notification(vq, true);
    } while (!virtqueue_empty(vq));
}

/* ---- device callbacks ---------------------------------------------------- */

static void virtio_blk_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIOBlock *s = to_blk(vdev);
    uint32_t lbs = s->logical_block_size;
    uint32_t lbs_sectors = lbs / VIRTIO_BLK_SECTOR_SIZE;

    memset(c, 0, VIRTIO_BLK_CFG_SIZE);
    stq_le_p(c + VIRTIO_BLK_CFG_CAPACITY, s->capacity);
    stl_le_p(c + VIRTIO_BLK_CFG_SIZE_MAX, 1U << 30);
    stl_le_p(c + VIRTIO_BLK_CFG_SEG_MAX, s->queue_size - 2);
    stl_le_p(c + VIRTIO_BLK_CFG_BLK_SIZE, lbs);
    c[VIRTIO_BLK_CFG_PHYS_BLOCK_EXP] =
        __builtin_ctz(s->physical_block_size / lbs);
    stw_le_p(c + VIRTIO_BLK_CFG_MIN_IO_SIZE, 1);
    c[VIRTIO_BLK_CFG_WRITEBACK] = !blk_is_writethrough(s->blk);
    stw_le_p(c + VIRTIO_BLK_CFG_NUM_QUEUES, s->num_queues);
    stl_le_p(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, s->max_discard_sectors);
    stl_le_p(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, VIRTIO_BLK_MAX_DWZ_SEG);
    stl_le_p(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, lbs_sectors);
    stl_le_p(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, s->max_write_zeroes_sectors);
    stl_le_p(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, VIRTIO_BLK_MAX_DWZ_SEG);
    c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
}

static void virtio_blk_set_config(VirtIODevice *vdev, const uint8_t *c)
{
    VirtIOBlock *s = to_blk(vdev);

    /* 5.2.5: only writeback is writable, with CONFIG_WCE. */
    if (virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        blk_set_writethrough(s->blk, !c[VIRTIO_BLK_CFG_WRITEBACK]);
    }
}

static void virtio_blk_set_features(VirtIODevice *vdev, uint64_t f)
{
    VirtIOBlock *s = to_blk(vdev);

    /* 5.2.6.3: a driver that cannot flush gets a writethrough cache. */
    if (!virtio_has_feature(f, VIRTIO_BLK_F_FLUSH)) {
        blk_set_writethrough(s->blk, true);
    }
}

static void virtio_blk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = to_blk(vdev);

    /* The requests in flight complete into the old rings first. */
    blk_drain(s->blk);
    blk_set_writethrough(s->blk, s->writethrough_default);
}

static void virtio_blk_queue_reset(VirtIODevice *vdev, unsigned n)
{
    blk_drain(to_blk(vdev)->blk);
}

static const VirtioDeviceClass virtio_blk_class = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .set_features = virtio_blk_set_features,
    .get_config = virtio_blk_get_config,
    .set_config = virtio_blk_set_config,
    .reset = virtio_blk_reset,
    .queue_reset = virtio_blk_queue_reset,
};

/* ---- set-up -------------------------------------------------------------- */

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

/* serial= of the -drive behind blk, when the device has none. */
static const char *drive_serial(BlockBackend *blk)
{
    for (int t = 0; t < IF_COUNT; t++) {
        for (int i = 0; i < drive_count(t); i++) {
            DriveInfo *d = drive_get(t, i);

            if (d && d->blk == blk) {
                return d->serial;
            }
        }
    }
    return NULL;
}

static bool virtio_blk_check_props(VirtIOBlock *s, GError **errp)
{
    if (!s->drive || !*s->drive) {
        error_setg(errp, "drive property not set");
        return false;
    }
    if (!is_pow2(s->logical_block_size) || s->logical_block_size < 512 ||
        s->logical_block_size > 32 * KiB) {
        error_setg(errp, "logical_block_size must be a power of two from "
                   "512 to 32768, not %u", s->logical_block_size);
        return false;
    }
    if (!s->physical_block_size) {
        s->physical_block_size = s->logical_block_size;
    }
    if (!is_pow2(s->physical_block_size) ||
        s->physical_block_size < s->logical_block_size ||
        s->physical_block_size > 32 * KiB) {
        error_setg(errp, "physical_block_size must be a power of two "
                   "from logical_block_size to 32768, not %u",
                   s->physical_block_size);
        return false;
    }
    if (s->num_queues < 1 || s->num_queues > VIRTIO_QUEUE_MAX) {
        error_setg(errp, "num-queues must be 1 to %u, not %u",
                   VIRTIO_QUEUE_MAX, s->num_queues);
        return false;
    }
    if (!is_pow2(s->queue_size) || s->queue_size < 4 ||
        s->queue_size > VIRTQUEUE_MAX_SIZE) {
        error_setg(errp, "queue-size must be a power of two "
                   "from 4 to %u, not %u", VIRTQUEUE_MAX_SIZE, s->queue_size);
        return false;
    }
    if (s->serial && strlen(s->serial) > VIRTIO_BLK_ID_BYTES) {
        error_setg(errp, "serial is longer than %u bytes",
                   VIRTIO_BLK_ID_BYTES);
        return false;
    }
    return true;
}

static bool virtio_blk_pci_realize(VirtIOPCIProxy *proxy, GError **errp)
{
    VirtIOBlockPCI *d = (VirtIOBlockPCI *)proxy;
    VirtIOBlock *s = &d->blk;
    VirtIODevice *vdev = &s->vdev;
    uint32_t lbs_sectors;
    const char *serial;
    int64_t len;

    if (!virtio_blk_check_props(s, errp)) {
        return false;
    }
    s->blk = blockdev_claim(s->drive, d, errp);
    if (!s->blk) {
        return false;
    }
    len = blk_getlength(s->blk);
    if (len < 0) {
        error_setg(errp, "cannot get the size of drive '%s': %s", s->drive,
                   g_strerror(-len));
        blk_detach_dev(s->blk, d);
        s->blk = NULL;
        return false;
    }
    s->capacity = len / VIRTIO_BLK_SECTOR_SIZE;
    lbs_sectors = s->logical_block_size / VIRTIO_BLK_SECTOR_SIZE;
    s->capacity = ROUND_DOWN(s->capacity, (uint64_t)lbs_sectors);
    s->read_only = blk_is_read_only(s->blk);
    s->writethrough_default = blk_is_writethrough(s->blk);
    s->max_discard_sectors = ROUND_DOWN(MAX(s->max_discard_sectors,
                                            lbs_sectors), lbs_sectors);
    s->max_write_zeroes_sectors =
        ROUND_DOWN(MAX(s->max_write_zeroes_sectors, lbs_sectors),
                   lbs_sectors);
    serial = s->serial ? s->serial : drive_serial(s->blk);
    memset(s->id, 0, sizeof(s->id));
    if (serial) {
        memcpy(s->id, serial, MIN(strlen(serial), sizeof(s->id)));
    }

    virtio_init(vdev, &virtio_blk_class, VIRTIO_BLK_CFG_SIZE);
    vdev->host_features |= (1ULL << VIRTIO_BLK_F_SIZE_MAX) |
                           (1ULL << VIRTIO_BLK_F_SEG_MAX) |
                           (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
                           (1ULL << VIRTIO_BLK_F_FLUSH) |
                           (1ULL << VIRTIO_BLK_F_TOPOLOGY);
    if (s->config_wce) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_CONFIG_WCE;
    }
    if (s->read_only) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_RO;
    }
    if (s->num_queues > 1) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_MQ;
    }
    if (s->discard) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_DISCARD;
    }
    if (s->write_zeroes) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
    }
    for (unsigned i = 0; i < s->num_queues; i++) {
        virtio_add_queue(vdev, s->queue_size, virtio_blk_handle_output);
    }
    proxy->vdev = vdev;
    return true;
}

static void virtio_blk_pci_unrealize(VirtIOPCIProxy *proxy)
{
    VirtIOBlockPCI *d = (VirtIOBlockPCI *)proxy;
    VirtIOBlock *s = &d->blk;

    if (s->blk) {
        /* No request may complete into a device that is gone. */
        blk_drain(s->blk);
        blk_set_writethrough(s->blk, s->writethrough_default);
        blk_detach_dev(s->blk, d);
        s->blk = NULL;
    }
}

#define BLK_PROP(n, f, info, type, ...) \
    DEFINE_PROP(n, VirtIOBlockPCI, blk.f, info, type, __VA_ARGS__)

static const Property virtio_blk_pci_props[] = {
    BLK_PROP("drive", drive, prop_info_string, char *,
             .desc = "the -drive id or -blockdev node-name to use"),
    BLK_PROP("serial", serial, prop_info_string, char *,
             .desc = "disk serial number (GET_ID, up to 20 bytes)"),
    BLK_PROP("logical_block_size", logical_block_size, prop_info_uint32,
             uint32_t, .defval.u = 512,
             .desc = "logical block size (512-32768, power of two)"),
    BLK_PROP("physical_block_size", physical_block_size, prop_info_uint32,
             uint32_t, .defval.u = 0,
             .desc = "physical block size (0: the logical block size)"),
    BLK_PROP("num-queues", num_queues, prop_info_uint16, uint16_t,
             .defval.u = 1, .desc = "request queues (1-64)"),
    BLK_PROP("queue-size", queue_size, prop_info_uint16, uint16_t,
             .defval.u = 256, .desc = "queue size (power of two, 4-1024)"),
    BLK_PROP("config-wce", config_wce, prop_info_bool, bool,
             .defval.u = true,
             .desc = "let the driver switch the write cache (CONFIG_WCE)"),
    BLK_PROP("discard", discard, prop_info_bool, bool, .defval.u = true,
             .desc = "offer DISCARD"),
    BLK_PROP("write-zeroes", write_zeroes, prop_info_bool, bool,
             .defval.u = true, .desc = "offer WRITE_ZEROES"),
    BLK_PROP("max-discard-sectors", max_discard_sectors, prop_info_uint32,
             uint32_t, .defval.u = 0x3fffff,
             .desc = "largest discard segment in 512-byte sectors"),
    BLK_PROP("max-write-zeroes-sectors", max_write_zeroes_sectors,
             prop_info_uint32, uint32_t, .defval.u = 0x3fffff,
             .desc = "largest write-zeroes segment in 512-byte sectors"),
    DEFINE_PROP_END,
};

static const VirtioPCIDeviceInfo virtio_blk_pci_info = {
    .pci = VIRTIO_PCI_DEVICE_INFO(VIRTIO_ID_BLOCK, PCI_CLASS_STORAGE_SCSI),
    .realize = virtio_blk_pci_realize,
    .unrealize = virtio_blk_pci_unrealize,
};

static const DeviceInfo virtio_blk_pci_dev_info = {
    .name = TYPE_VIRTIO_BLK_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOBlockPCI),
    .desc = "virtio block device (virtio 1.2 modern PCI)",
    .user_creatable = true,
    .props = virtio_blk_pci_props,
    .class_data = &virtio_blk_pci_info,
};

static void virtio_blk_register_types(void)
{
    type_register(&virtio_blk_pci_dev_info);
}
type_init(virtio_blk_register_types)
