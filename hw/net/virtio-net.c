/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net-pci: a virtio network device (virtio 1.2, 5.1) on a
 * -netdev back end, over the modern PCI transport. See docs/net.md and
 * include/hw/net/virtio-net.h.
 *
 * Transmit: a notification of the transmit queue turns further
 * notifications off and schedules a bottom half (an idle source of the
 * main loop), which sends at most TX_BURST frames and then either
 * reschedules itself or turns notifications back on: a guest that keeps
 * the ring full cannot hold the main loop, and a vCPU never does the
 * sending. When the back end's queue is full (the send returned 0) the
 * frame is already queued and completed; the device stops taking frames
 * until the core's ready callback.
 *
 * Receive: frames from the back end are written into the guest's
 * receive buffers, one buffer per frame, or spread over several with
 * VIRTIO_NET_F_MRG_RXBUF (num_buffers in the first header). When there
 * are not enough buffers the core keeps the frame queued and the device
 * asks the driver for a notification; the receive queue's notification
 * then flushes the core's queue.
 *
 * Headers and offloads: every buffer starts with the 12-byte virtio-net
 * header (virtio 1.x). With a back end that carries the same header
 * (tap with IFF_VNET_HDR) frames pass with their headers both ways, and
 * the checksum and segmentation offloads are offered; otherwise (slirp)
 * they are not, the header is stripped on transmit and an empty one is
 * written on receive.
 *
 * The driver is hostile: a transmit chain shorter than the header, a
 * receive buffer without a writable part or too small for the header,
 * or a control command without its ack byte puts the device in
 * DEVICE_NEEDS_RESET (virtio_error); frames of impossible sizes and
 * receive buffers too small for a frame (without MRG_RXBUF) are dropped
 * and logged (-d guest_errors).
 */
#include "ember/osdep.h"
#include <endian.h>
#include "ember/error.h"
#include "ember/log.h"
#include "hw/net/virtio-net.h"
#include "net/checksum.h"
#include "net/net.h"
#include "net/virtio-net-hdr.h"

/* Frames sent per bottom-half run before giving the main loop back. */
#define TX_BURST 256
/* A frame: Ethernet and VLAN headers plus a 64 KiB GSO payload. */
#define VIRTIO_NET_MAX_FRAME (65536 + 18)
#define ETH_HLEN 14
/* The longest control command (a full MAC table is 4 + 6n + 4 + 6n). */
#define CTRL_DATA_MAX 4096

#define GUEST_OFFLOAD_MASK ((1ULL << VIRTIO_NET_F_GUEST_CSUM) |         \
                            (1ULL << VIRTIO_NET_F_GUEST_TSO4) |         \
                            (1ULL << VIRTIO_NET_F_GUEST_TSO6) |         \
                            (1ULL << VIRTIO_NET_F_GUEST_ECN) |          \
                            (1ULL << VIRTIO_NET_F_GUEST_UFO))

typedef struct VirtIONet {
    VirtIODevice vdev;
    /* Properties. */
    NICConf conf;
    bool mrg_rxbuf;
    bool csum;                  /* CSUM and the HOST_* offloads */
    bool guest_csum;            /* GUEST_CSUM and the GUEST_* offloads */
    bool gso;                   /* TSO/ECN/UFO both ways */
    bool ctrl_vq, ctrl_rx, ctrl_vlan, ctrl_mac_addr;
    bool status_feature;
    uint16_t host_mtu;
    uint16_t rx_queue_size;
    uint16_t tx_queue_size;

    NetClientState *nc;
    VirtQueue *rxq, *txq, *ctrlq;
    bool peer_vnet;             /* the link carries 12-byte headers */
    bool mergeable;
    uint64_t guest_offloads;    /* GUEST_* bits in effect */
    MACAddr mac;                /* current: CTRL_MAC_ADDR may change it */

    /* Transmit. */
    GSource *tx_bh;
    bool tx_stopped;            /* the back end's queue is full */
    struct iovec tx_iov[VIRTQUEUE_MAX_SG + 1];

    /* Receive filter (5.1.6.5.1-3). */
    bool promisc, allmulti;
    bool uni_overflow, multi_overflow;
    unsigned n_uni, n_multi;
    uint8_t uni[VIRTIO_NET_MAC_TABLE_ENTRIES][6];
    uint8_t multi[VIRTIO_NET_MAC_TABLE_ENTRIES][6];
    uint32_t vlans[4096 / 32];
    VirtQueueElement **rx_elems;    /* rx_queue_size slots */
} VirtIONet;

typedef struct VirtIONetPCI {
    VirtIOPCIProxy proxy;
    VirtIONet net;
} VirtIONetPCI;

static VirtIONet *to_net(VirtIODevice *vdev)
{
    return container_of(vdev, VirtIONet, vdev);
}

static void net_log(VirtIONet *n, const char *fmt, ...) EMBER_PRINTF(2, 3);
static void net_log(VirtIONet *n, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!ember_log_enabled(LOG_GUEST_ERROR)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ember_log("virtio-net %s: %s\n", n->nc ? n->nc->name : "", msg);
}

static bool has_feature(VirtIONet *n, unsigned bit)
{
    return virtio_vdev_has_feature(&n->vdev, bit);
}

static bool link_up(VirtIONet *n)
{
    return !n->nc->link_down;
}

/* ---- offloads ------------------------------------------------------------ */

static void apply_guest_offloads(VirtIONet *n)
{
    NetOffloads off = {
        .csum = n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_CSUM),
        .tso4 = n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_TSO4),
        .tso6 = n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_TSO6),
        .ecn = n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_ECN),
        .ufo = n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_UFO),
    };

    if (n->peer_vnet) {
        /* What the back end may hand us: what the guest takes. */
        net_set_offload(n->nc->peer, &off);
    }
}

/* ---- receive ------------------------------------------------------------- */

static bool is_broadcast(const uint8_t *mac)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    return !memcmp(mac, bcast, 6);
}

static bool mac_in(const uint8_t (*table)[6], unsigned count,
                   const uint8_t *mac)
{
    for (unsigned i = 0; i < count; i++) {
        if (!memcmp(table[i], mac, 6)) {
            return true;
        }
    }
    return false;
}

/* 5.1.6.5.1-3: would the driver take a frame with this beginning? */
static bool rx_filter(VirtIONet *n, const uint8_t *eth, size_t len)
{
    if (n->promisc) {
        return true;
    }
    if (len < ETH_HLEN) {
        return false;
    }
    if (has_feature(n, VIRTIO_NET_F_CTRL_VLAN) && len >= ETH_HLEN + 2 &&
        eth[12] == 0x81 && eth[13] == 0x00) {
        unsigned vid = (eth[14] << 8 | eth[15]) & 0xfff;
        if (!(n->vlans[vid / 32] & (1u << (vid % 32)))) {
            return false;
        }
    }
    if (eth[0] & 1) {
        return is_broadcast(eth) || n->allmulti || n->multi_overflow ||
               mac_in((const uint8_t (*)[6])n->multi, n->n_multi, eth);
    }
    return n->uni_overflow || !memcmp(eth, n->mac.a, 6) ||
           mac_in((const uint8_t (*)[6])n->uni, n->n_uni, eth);
}

static bool rx_ready(VirtIONet *n)
{
    return virtio_driver_ok(&n->vdev) && !n->vdev.broken && n->rxq->enabled;
}

static bool virtio_net_can_receive(NetClientState *nc)
{
    return rx_ready(nc->opaque);
}

static void rx_release(VirtIONet *n, unsigned k, bool unpop)
{
    while (k--) {
        if (unpop) {
            virtqueue_unpop(n->rxq, n->rx_elems[k], 0);
        } else {
            virtqueue_detach_element(n->rxq, n->rx_elems[k], 0);
        }
        g_free(n->rx_elems[k]);
    }
}

enum { RX_SHORT, RX_OK, RX_DROP };

/*
 * Take receive buffers for a frame of total bytes (header included):
 * one, or with MRG_RXBUF as many as it needs. RX_SHORT: not enough yet
 * (all given back); RX_DROP: the frame cannot be received (logged, or
 * the device is broken).
 */
static int rx_collect(VirtIONet *n, size_t total, unsigned *count)
{
    uint64_t cap = 0;
    unsigned k = 0;

    while (cap < total) {
        VirtQueueElement *e;

        if (k >= n->rx_queue_size) {
            /* Cannot happen: the core refuses more in flight. */
            rx_release(n, k, true);
            return RX_SHORT;
        }
        e = virtqueue_pop(n->rxq, sizeof(VirtQueueElement));
        if (!e) {
            if (n->vdev.broken) {
                rx_release(n, k, false);
                return RX_DROP;
            }
            rx_release(n, k, true);
            return RX_SHORT;
        }
        n->rx_elems[k++] = e;
        if (!e->in_num) {
            virtio_error(&n->vdev, "receive buffer %u has no "
                         "device-writable part", e->index);
            rx_release(n, k, false);
            return RX_DROP;
        }
        if (k == 1 && e->in_len < VIRTIO_NET_HDR_SIZE) {
            virtio_error(&n->vdev, "receive buffer %u of %" PRIu64 " bytes "
                         "cannot hold the %d-byte header", e->index,
                         e->in_len, VIRTIO_NET_HDR_SIZE);
            rx_release(n, k, false);
            return RX_DROP;
        }
        cap += e->in_len;
        if (!n->mergeable) {
            break;
        }
    }
    if (cap < total) {
        /* 5.1.6.3.1: without MRG_RXBUF each buffer should hold a whole
         * frame. This one cannot: the frame is lost, the buffer stays. */
        net_log(n, "receive buffer of %" PRIu64 " bytes is too small for "
                "a %zu-byte frame (no MRG_RXBUF); frame dropped", cap,
                total);
        rx_release(n, k, true);
        return RX_DROP;
    }
    *count = k;
    return RX_OK;
}

/* Bytes [pos, pos + len) of header + frame into dst. */
static void rx_copy(const uint8_t *hdr, const struct iovec *iov, int iovcnt,
                    size_t frame_off, size_t pos, const struct iovec *dst,
                    unsigned dst_num, size_t len)
{
    size_t done = 0, src_off;

    if (pos < VIRTIO_NET_HDR_SIZE) {
        size_t h = MIN(len, (size_t)VIRTIO_NET_HDR_SIZE - pos);
        virtio_iov_from_buf(dst, dst_num, 0, hdr + pos, h);
        done = h;
        pos += h;
    }
    /* Then straight from the back end's pieces into the buffer's. */
    src_off = frame_off + pos - VIRTIO_NET_HDR_SIZE;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t c;

        if (src_off >= iov[i].iov_len) {
            src_off -= iov[i].iov_len;
            continue;
        }
        c = MIN(iov[i].iov_len - src_off, len - done);
        virtio_iov_from_buf(dst, dst_num, done,
                            (const uint8_t *)iov[i].iov_base + src_off, c);
        done += c;
        src_off = 0;
    }
}

/* Can the guest take this GSO frame (the offloads it asked for)? */
static bool rx_gso_ok(VirtIONet *n, const VirtioNetHdr *h)
{
    uint64_t need;

    switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_NONE:
        return true;
    case VIRTIO_NET_HDR_GSO_TCPV4:
        need = 1ULL << VIRTIO_NET_F_GUEST_TSO4;
        break;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        need = 1ULL << VIRTIO_NET_F_GUEST_TSO6;
        break;
    case VIRTIO_NET_HDR_GSO_UDP:
        need = 1ULL << VIRTIO_NET_F_GUEST_UFO;
        break;
    default:
        return false;
    }
    if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN) {
        need |= 1ULL << VIRTIO_NET_F_GUEST_ECN;
    }
    return (n->guest_offloads & need) == need;
}

static ssize_t virtio_net_receive_iov(NetClientState *nc,
                                      const struct iovec *iov, int iovcnt)
{
    VirtIONet *n = nc->opaque;
    size_t size = net_iov_size(iov, iovcnt);
    VirtioNetHdrMrg hdr = { 0 };
    g_autofree uint8_t *bounce = NULL;
    struct iovec biov;
    size_t off = 0, frame_len, total, pos = 0;
    uint8_t eth[ETH_HLEN + 4];
    unsigned count;

    if (!rx_ready(n)) {
        return 0;
    }
    if (n->peer_vnet) {
        if (size < VIRTIO_NET_HDR_SIZE) {
            return size;
        }
        net_iov_to_buf(iov, iovcnt, 0, &hdr, VIRTIO_NET_HDR_SIZE);
        off = VIRTIO_NET_HDR_SIZE;
    }
    frame_len = size - off;
    if (!rx_gso_ok(n, &hdr.hdr)) {
        /* A GSO frame of a kind the guest does not take (the back end
         * made it before the offloads changed): lost, as on a wire. */
        return size;
    }
    if ((hdr.hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
        !(n->guest_offloads & (1ULL << VIRTIO_NET_F_GUEST_CSUM))) {
        bounce = g_malloc(frame_len);
        net_iov_to_buf(iov, iovcnt, off, bounce, frame_len);
        if (!net_checksum_complete_partial(bounce, frame_len,
                                           le16toh(hdr.hdr.csum_start),
                                           le16toh(hdr.hdr.csum_offset))) {
            return size;
        }
        hdr.hdr.flags &= ~VIRTIO_NET_HDR_F_NEEDS_CSUM;
        biov.iov_base = bounce;
        biov.iov_len = frame_len;
        iov = &biov;
        iovcnt = 1;
        off = 0;
    }
    net_iov_to_buf(iov, iovcnt, off, eth, MIN(frame_len, sizeof(eth)));
    if (!rx_filter(n, eth, frame_len)) {
        return size;
    }

    total = VIRTIO_NET_HDR_SIZE + frame_len;
    switch (rx_collect(n, total, &count)) {
    case RX_DROP:
        return size;
    case RX_SHORT:
        /* Ask for a notification when buffers come, then look again:
         * some may have come since we looked. */
        virtio_queue_set_notification(n->rxq, true);
        if (rx_collect(n, total, &count) != RX_OK) {
            return n->vdev.broken ? (ssize_t)size : 0;
        }
        break;
    }

    hdr.num_buffers = htole16(count);
    for (unsigned i = 0; i < count; i++) {
        VirtQueueElement *e = n->rx_elems[i];
        size_t len = MIN((size_t)e->in_len, total - pos);

        rx_copy((const uint8_t *)&hdr, iov, iovcnt, off, pos, e->in_sg,
                e->in_num, len);
        virtqueue_fill(n->rxq, e, len, i);
        pos += len;
        g_free(e);
    }
    virtqueue_flush(n->rxq, count);
    virtio_notify(&n->vdev, n->rxq);
    return size;
}

/* The driver added receive buffers: hand over what waits. */
static void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    net_queue_flush(to_net(vdev)->nc);
}

/* ---- transmit ------------------------------------------------------------ */

static void tx_bh_schedule(VirtIONet *n);

enum { TX_SENT, TX_STOP, TX_DROP, TX_BROKEN };

/* Slice of src from byte off into dst; the number of pieces. */
static int iov_slice(const struct iovec *src, unsigned n, size_t off,
                     struct iovec *dst)
{
    int k = 0;

    for (unsigned i = 0; i < n; i++) {
        if (off >= src[i].iov_len) {
            off -= src[i].iov_len;
            continue;
        }
        dst[k].iov_base = (uint8_t *)src[i].iov_base + off;
        dst[k].iov_len = src[i].iov_len - off;
        off = 0;
        k++;
    }
    return k;
}

static void tx_ready(NetClientState *nc)
{
    VirtIONet *n = nc->opaque;

    n->tx_stopped = false;
    tx_bh_schedule(n);
}

static int tx_one(VirtIONet *n, VirtQueueElement *e)
{
    VirtioNetHdr hdr;
    size_t frame_len;
    ssize_t ret;
    int cnt;

    if (e->out_len < VIRTIO_NET_HDR_SIZE) {
        virtio_error(&n->vdev, "transmit buffer %u of %" PRIu64 " bytes is "
                     "shorter than the %d-byte header", e->index, e->out_len,
                     VIRTIO_NET_HDR_SIZE);
        return TX_BROKEN;
    }
    frame_len = e->out_len - VIRTIO_NET_HDR_SIZE;
    if (frame_len < ETH_HLEN || frame_len > VIRTIO_NET_MAX_FRAME) {
        net_log(n, "transmit frame of %zu bytes dropped (%s)", frame_len,
                frame_len < ETH_HLEN ? "shorter than an Ethernet header"
                                     : "too long");
        return TX_DROP;
    }
    virtio_iov_to_buf(e->out_sg, e->out_num, 0, &hdr, sizeof(hdr));

    if (n->peer_vnet) {
        /* The back end (the host kernel) takes the header as it is,
         * checks it, and does the offloads. */
        ret = net_send_iov_async(n->nc, e->out_sg, e->out_num, tx_ready);
    } else if (hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        net_log(n, "transmit GSO frame (type %u) but no segmentation offload "
                "was offered; dropped", hdr.gso_type);
        return TX_DROP;
    } else if (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        /* CSUM was not offered; finish the checksum anyway rather than
         * send a broken frame. Never in guest memory: a copy. */
        g_autofree uint8_t *buf = g_malloc(frame_len);

        virtio_iov_to_buf(e->out_sg, e->out_num, VIRTIO_NET_HDR_SIZE, buf,
                          frame_len);
        if (!net_checksum_complete_partial(buf, frame_len,
                                           le16toh(hdr.csum_start),
                                           le16toh(hdr.csum_offset))) {
            net_log(n, "transmit frame with csum_start %u csum_offset %u "
                    "outside its %zu bytes; dropped", le16toh(hdr.csum_start),
                    le16toh(hdr.csum_offset), frame_len);
            return TX_DROP;
        }
        ret = net_send_packet_async(n->nc, buf, frame_len, tx_ready);
    } else {
        cnt = iov_slice(e->out_sg, e->out_num, VIRTIO_NET_HDR_SIZE,
                        n->tx_iov);
        ret = net_send_iov_async(n->nc, n->tx_iov, cnt, tx_ready);
    }
    return ret == 0 ? TX_STOP : TX_SENT;
}

/* Send up to budget frames; how many buffers were used. */
static unsigned tx_flush(VirtIONet *n, unsigned budget)
{
    unsigned k;

    for (k = 0; k < budget; k++) {
        VirtQueueElement *e = virtqueue_pop(n->txq, sizeof(*e));
        int r;

        if (!e) {
            break;
        }
        r = tx_one(n, e);
        if (r == TX_BROKEN) {
            virtqueue_detach_element(n->txq, e, 0);
            g_free(e);
            break;
        }
        /* Sent, queued or dropped: the buffer is done either way. */
        virtqueue_push(n->txq, e, 0);
        g_free(e);
        if (r == TX_STOP) {
            n->tx_stopped = true;
            k++;
            break;
        }
    }
    if (k) {
        virtio_notify(&n->vdev, n->txq);
    }
    return k;
}

static bool tx_ready_to_run(VirtIONet *n)
{
    return virtio_driver_ok(&n->vdev) && !n->vdev.broken &&
           n->txq->enabled && !n->tx_stopped;
}

static void tx_run(VirtIONet *n)
{
    unsigned k;

    if (!tx_ready_to_run(n)) {
        return;
    }
    k = tx_flush(n, TX_BURST);
    if (n->tx_stopped || n->vdev.broken) {
        /* Notifications stay off; tx_ready starts us again. */
        return;
    }
    if (k == TX_BURST) {
        tx_bh_schedule(n);
        return;
    }
    virtio_queue_set_notification(n->txq, true);
    if (!virtqueue_empty(n->txq)) {
        /* The driver added more before it saw notifications on. */
        virtio_queue_set_notification(n->txq, false);
        tx_bh_schedule(n);
    }
}

static gboolean tx_bh_cb(gpointer opaque)
{
    VirtIONet *n = opaque;
    GSource *src = n->tx_bh;

    n->tx_bh = NULL;
    g_source_unref(src);
    tx_run(n);
    return G_SOURCE_REMOVE;
}

static void tx_bh_schedule(VirtIONet *n)
{
    if (n->tx_bh) {
        return;
    }
    /* Default priority, not idle: a busy main loop must not starve it. */
    n->tx_bh = g_idle_source_new();
    g_source_set_priority(n->tx_bh, G_PRIORITY_DEFAULT);
    g_source_set_callback(n->tx_bh, tx_bh_cb, n, NULL);
    g_source_attach(n->tx_bh, NULL);
}

static void tx_bh_cancel(VirtIONet *n)
{
    if (n->tx_bh) {
        g_source_destroy(n->tx_bh);
        g_source_unref(n->tx_bh);
        n->tx_bh = NULL;
    }
}

static void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = to_net(vdev);

    if (n->tx_stopped) {
        return;
    }
    virtio_queue_set_notification(vq, false);
    tx_bh_schedule(n);
}

/* ---- control queue (5.1.6.5) --------------------------------------------- */

static uint8_t ctrl_rx(VirtIONet *n, uint8_t cmd, const uint8_t *d,
                       size_t len)
{
    if (!has_feature(n, VIRTIO_NET_F_CTRL_RX) || len != 1) {
        return VIRTIO_NET_ERR;
    }
    switch (cmd) {
    case VIRTIO_NET_CTRL_RX_PROMISC:
        n->promisc = d[0];
        return VIRTIO_NET_OK;
    case VIRTIO_NET_CTRL_RX_ALLMULTI:
        n->allmulti = d[0];
        return VIRTIO_NET_OK;
    default:
        /* ALLUNI and the rest need CTRL_RX_EXTRA, not offered. */
        return VIRTIO_NET_ERR;
    }
}

/* One table of TABLE_SET: le32 entries, then 6 bytes each. */
static bool mac_table_parse(const uint8_t **p, size_t *left,
                            uint8_t (*table)[6], unsigned *count,
                            bool *overflow)
{
    uint32_t entries;

    if (*left < 4) {
        return false;
    }
    entries = ldl_le_p(*p);
    *p += 4;
    *left -= 4;
    if ((uint64_t)entries * 6 > *left) {
        return false;
    }
    if (entries > VIRTIO_NET_MAC_TABLE_ENTRIES) {
        *overflow = true;
        *count = 0;
    } else {
        *overflow = false;
        *count = entries;
        memcpy(table, *p, entries * 6);
    }
    *p += (size_t)entries * 6;
    *left -= (size_t)entries * 6;
    return true;
}

static uint8_t ctrl_mac(VirtIONet *n, uint8_t cmd, const uint8_t *d,
                        size_t len)
{
    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (!has_feature(n, VIRTIO_NET_F_CTRL_MAC_ADDR) || len != 6) {
            return VIRTIO_NET_ERR;
        }
        memcpy(n->mac.a, d, 6);
        return VIRTIO_NET_OK;
    }
    if (cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        uint8_t uni[VIRTIO_NET_MAC_TABLE_ENTRIES][6];
        uint8_t multi[VIRTIO_NET_MAC_TABLE_ENTRIES][6];
        unsigned nu, nm;
        bool uo, mo;

        if (!has_feature(n, VIRTIO_NET_F_CTRL_RX) ||
            !mac_table_parse(&d, &len, uni, &nu, &uo) ||
            !mac_table_parse(&d, &len, multi, &nm, &mo) || len) {
            return VIRTIO_NET_ERR;
        }
        memcpy(n->uni, uni, sizeof(uni));
        memcpy(n->multi, multi, sizeof(multi));
        n->n_uni = nu;
        n->n_multi = nm;
        n->uni_overflow = uo;
        n->multi_overflow = mo;
        return VIRTIO_NET_OK;
    }
    return VIRTIO_NET_ERR;
}

static uint8_t ctrl_vlan(VirtIONet *n, uint8_t cmd, const uint8_t *d,
                         size_t len)
{
    unsigned vid;

    if (!has_feature(n, VIRTIO_NET_F_CTRL_VLAN) || len != 2) {
        return VIRTIO_NET_ERR;
    }
    vid = lduw_le_p(d);
    if (vid >= 4096) {
        return VIRTIO_NET_ERR;
    }
    if (cmd == VIRTIO_NET_CTRL_VLAN_ADD) {
        n->vlans[vid / 32] |= 1u << (vid % 32);
    } else if (cmd == VIRTIO_NET_CTRL_VLAN_DEL) {
        n->vlans[vid / 32] &= ~(1u << (vid % 32));
    } else {
        return VIRTIO_NET_ERR;
    }
    return VIRTIO_NET_OK;
}

static uint8_t ctrl_offloads(VirtIONet *n, uint8_t cmd, const uint8_t *d,
                             size_t len)
{
    uint64_t want;

    if (!has_feature(n, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
        cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || len != 8) {
        return VIRTIO_NET_ERR;
    }
    want = ldq_le_p(d);
    /* Only offloads that were negotiated (5.1.6.5.6.1). */
    if (want & ~(n->vdev.guest_features & GUEST_OFFLOAD_MASK)) {
        return VIRTIO_NET_ERR;
    }
    n->guest_offloads = want;
    apply_guest_offloads(n);
    return VIRTIO_NET_OK;
}

static uint8_t ctrl_command(VirtIONet *n, uint8_t cls, uint8_t cmd,
                            const uint8_t *d, size_t len)
{
    switch (cls) {
    case VIRTIO_NET_CTRL_RX:
        return ctrl_rx(n, cmd, d, len);
    case VIRTIO_NET_CTRL_MAC:
        return ctrl_mac(n, cmd, d, len);
    case VIRTIO_NET_CTRL_VLAN:
        return ctrl_vlan(n, cmd, d, len);
    case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
        return ctrl_offloads(n, cmd, d, len);
    default:
        /* ANNOUNCE and MQ need features that are not offered. */
        net_log(n, "control class %u command %u not supported", cls, cmd);
        return VIRTIO_NET_ERR;
    }
}

static void virtio_net_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = to_net(vdev);
    VirtQueueElement *e;

    while ((e = virtqueue_pop(vq, sizeof(*e)))) {
        uint8_t head[2];
        uint8_t status = VIRTIO_NET_ERR;
        size_t len;

        if (e->out_len < 2 || e->in_len < 1) {
            virtio_error(vdev, "control command %u without class and "
                         "command or without its ack byte", e->index);
            virtqueue_detach_element(vq, e, 0);
            g_free(e);
            return;
        }
        virtio_iov_to_buf(e->out_sg, e->out_num, 0, head, 2);
        len = e->out_len - 2;
        if (len <= CTRL_DATA_MAX) {
            g_autofree uint8_t *data = g_malloc(len ? len : 1);
            virtio_iov_to_buf(e->out_sg, e->out_num, 2, data, len);
            status = ctrl_command(n, head[0], head[1], data, len);
        } else {
            net_log(n, "control command of %zu bytes is too long", len);
        }
        virtio_iov_from_buf(e->in_sg, e->in_num, 0, &status, 1);
        virtqueue_push(vq, e, 1);
        virtio_notify(vdev, vq);
        g_free(e);
    }
}

/* ---- device callbacks ---------------------------------------------------- */

static bool virtio_net_validate_features(VirtIODevice *vdev, uint64_t f)
{
    /* 5.1.3.1: features that need others. */
    static const struct { uint8_t bit, needs, or_needs; } deps[] = {
        { VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM, 0xff },
        { VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM, 0xff },
        { VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_TSO4,
          VIRTIO_NET_F_GUEST_TSO6 },
        { VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_CSUM, 0xff },
        { VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM, 0xff },
        { VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM, 0xff },
        { VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_TSO4,
          VIRTIO_NET_F_HOST_TSO6 },
        { VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_CSUM, 0xff },
        { VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_VQ, 0xff },
        { VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_VQ, 0xff },
        { VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_VQ, 0xff },
        { VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_CTRL_VQ, 0xff },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(deps); i++) {
        bool ok;

        if (!virtio_has_feature(f, deps[i].bit)) {
            continue;
        }
        ok = virtio_has_feature(f, deps[i].needs) ||
             (deps[i].or_needs != 0xff &&
              virtio_has_feature(f, deps[i].or_needs));
        if (!ok) {
            net_log(to_net(vdev), "feature %u without feature %u it needs; "
                    "FEATURES_OK refused", deps[i].bit, deps[i].needs);
            return false;
        }
    }
    return true;
}

static void virtio_net_set_features(VirtIODevice *vdev, uint64_t f)
{
    VirtIONet *n = to_net(vdev);

    n->mergeable = virtio_has_feature(f, VIRTIO_NET_F_MRG_RXBUF);
    n->guest_offloads = f & GUEST_OFFLOAD_MASK;
    apply_guest_offloads(n);
}

static void virtio_net_get_config(VirtIODevice *vdev, uint8_t *cfg)
{
    VirtIONet *n = to_net(vdev);

    memset(cfg, 0, VIRTIO_NET_CFG_SIZE);
    memcpy(cfg + VIRTIO_NET_CFG_MAC, n->mac.a, 6);
    stw_le_p(cfg + VIRTIO_NET_CFG_STATUS,
             link_up(n) ? VIRTIO_NET_S_LINK_UP : 0);
    stw_le_p(cfg + VIRTIO_NET_CFG_MAX_VQ_PAIRS, 1);
    stw_le_p(cfg + VIRTIO_NET_CFG_MTU, n->host_mtu);
    stl_le_p(cfg + VIRTIO_NET_CFG_SPEED, UINT32_MAX);
    cfg[VIRTIO_NET_CFG_DUPLEX] = 0xff;
}

static void virtio_net_set_config(VirtIODevice *vdev, const uint8_t *cfg)
{
    /* 5.1.4.2: a modern driver does not write the config space (the
     * MAC changes through CTRL_MAC_ADDR_SET). */
    net_log(to_net(vdev), "config space write ignored");
}

static void virtio_net_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIONet *n = to_net(vdev);

    if (status & VIRTIO_CONFIG_S_DRIVER_OK) {
        /* Frames that waited for the driver. */
        net_queue_flush(n->nc);
    }
}

static void rx_filter_reset(VirtIONet *n)
{
    /* Promiscuous until the driver sets a filter (as QEMU). */
    n->promisc = true;
    n->allmulti = false;
    n->uni_overflow = n->multi_overflow = false;
    n->n_uni = n->n_multi = 0;
    memset(n->vlans, 0, sizeof(n->vlans));
}

static void virtio_net_reset(VirtIODevice *vdev)
{
    VirtIONet *n = to_net(vdev);

    tx_bh_cancel(n);
    n->tx_stopped = false;
    n->mergeable = false;
    n->guest_offloads = 0;
    apply_guest_offloads(n);
    n->mac = n->conf.macaddr;
    rx_filter_reset(n);
    /* The rings are gone: frames that waited for them too. */
    net_queue_purge(n->nc);
}

static void virtio_net_queue_reset(VirtIODevice *vdev, unsigned q)
{
    VirtIONet *n = to_net(vdev);

    if (n->txq && q == n->txq->index) {
        tx_bh_cancel(n);
    }
}

static void virtio_net_link_changed(NetClientState *nc)
{
    VirtIONet *n = nc->opaque;

    if (has_feature(n, VIRTIO_NET_F_STATUS) && virtio_driver_ok(&n->vdev)) {
        virtio_notify_config(&n->vdev);
    }
}

static const VirtioDeviceClass virtio_net_class = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .validate_features = virtio_net_validate_features,
    .set_features = virtio_net_set_features,
    .get_config = virtio_net_get_config,
    .set_config = virtio_net_set_config,
    .set_status = virtio_net_set_status,
    .reset = virtio_net_reset,
    .queue_reset = virtio_net_queue_reset,
};

static const NetClientInfo virtio_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NetClientState),
    .receive_iov = virtio_net_receive_iov,
    .can_receive = virtio_net_can_receive,
    .link_status_changed = virtio_net_link_changed,
};

/* ---- set-up -------------------------------------------------------------- */

static bool queue_size_ok(uint16_t v)
{
    return v >= 256 && v <= VIRTQUEUE_MAX_SIZE && !(v & (v - 1));
}

static uint64_t offered_features(VirtIONet *n)
{
    NetClientState *peer = n->nc->peer;
    uint64_t f = (1ULL << VIRTIO_NET_F_MAC);

#define OFFER(cond, bit) do { if (cond) { f |= 1ULL << (bit); } } while (0)
    OFFER(n->status_feature, VIRTIO_NET_F_STATUS);
    OFFER(n->mrg_rxbuf, VIRTIO_NET_F_MRG_RXBUF);
    OFFER(n->host_mtu, VIRTIO_NET_F_MTU);
    OFFER(n->ctrl_vq, VIRTIO_NET_F_CTRL_VQ);
    OFFER(n->ctrl_vq && n->ctrl_rx, VIRTIO_NET_F_CTRL_RX);
    OFFER(n->ctrl_vq && n->ctrl_vlan, VIRTIO_NET_F_CTRL_VLAN);
    OFFER(n->ctrl_vq && n->ctrl_mac_addr, VIRTIO_NET_F_CTRL_MAC_ADDR);
    if (n->peer_vnet) {
        /* The host kernel finishes checksums and segments for us, and
         * hands us what the guest takes. */
        bool ufo = n->gso && net_has_ufo(peer);

        OFFER(n->csum, VIRTIO_NET_F_CSUM);
        OFFER(n->csum && n->gso, VIRTIO_NET_F_HOST_TSO4);
        OFFER(n->csum && n->gso, VIRTIO_NET_F_HOST_TSO6);
        OFFER(n->csum && n->gso, VIRTIO_NET_F_HOST_ECN);
        OFFER(n->csum && ufo, VIRTIO_NET_F_HOST_UFO);
        OFFER(n->guest_csum, VIRTIO_NET_F_GUEST_CSUM);
        OFFER(n->guest_csum && n->gso, VIRTIO_NET_F_GUEST_TSO4);
        OFFER(n->guest_csum && n->gso, VIRTIO_NET_F_GUEST_TSO6);
        OFFER(n->guest_csum && n->gso, VIRTIO_NET_F_GUEST_ECN);
        OFFER(n->guest_csum && ufo, VIRTIO_NET_F_GUEST_UFO);
        OFFER(n->ctrl_vq && n->guest_csum,
              VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
    }
#undef OFFER
    return f;
}

static bool virtio_net_pci_realize(VirtIOPCIProxy *proxy, GError **errp)
{
    VirtIONetPCI *d = (VirtIONetPCI *)proxy;
    VirtIONet *n = &d->net;
    VirtIODevice *vdev = &n->vdev;
    NetClientState *peer;

    if (!queue_size_ok(n->rx_queue_size) || !queue_size_ok(n->tx_queue_size)) {
        error_setg(errp, "virtio-net-pci: rx_queue_size and tx_queue_size "
                   "must be powers of two from 256 to %u",
                   VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (n->host_mtu && n->host_mtu < 68) {
        error_setg(errp, "virtio-net-pci: host_mtu must be at least 68 "
                   "(RFC 791), not %u", n->host_mtu);
        return false;
    }
    n->nc = net_nic_new(&virtio_net_info, &n->conf, TYPE_VIRTIO_NET_PCI,
                        proxy->pci.qdev.id, n, errp);
    if (!n->nc) {
        return false;
    }
    n->mac = n->conf.macaddr;
    peer = n->nc->peer;
    if (net_has_vnet_hdr(peer) &&
        net_has_vnet_hdr_len(peer, VIRTIO_NET_HDR_SIZE)) {
        n->peer_vnet = true;
        net_using_vnet_hdr(peer, true);
        net_set_vnet_hdr_len(peer, VIRTIO_NET_HDR_SIZE);
    }
    n->rx_elems = g_new0(VirtQueueElement *, n->rx_queue_size);

    virtio_init(vdev, &virtio_net_class, VIRTIO_NET_CFG_SIZE);
    vdev->host_features |= offered_features(n);
    n->rxq = virtio_add_queue(vdev, n->rx_queue_size, virtio_net_handle_rx);
    n->txq = virtio_add_queue(vdev, n->tx_queue_size, virtio_net_handle_tx);
    if (n->ctrl_vq) {
        n->ctrlq = virtio_add_queue(vdev, 64, virtio_net_handle_ctrl);
    }
    rx_filter_reset(n);
    proxy->vdev = vdev;
    return true;
}

static void virtio_net_pci_unrealize(VirtIOPCIProxy *proxy)
{
    VirtIONet *n = &((VirtIONetPCI *)proxy)->net;

    tx_bh_cancel(n);
    if (n->nc) {
        if (n->peer_vnet && n->nc->peer) {
            n->guest_offloads = 0;
            apply_guest_offloads(n);
            net_using_vnet_hdr(n->nc->peer, false);
        }
        net_client_free(n->nc);
        n->nc = NULL;
    }
    net_macaddr_release(&n->conf);
    g_free(n->rx_elems);
    n->rx_elems = NULL;
}

#define NET_PROP(n, f, info, type, ...) \
    DEFINE_PROP(n, VirtIONetPCI, net.f, info, type, __VA_ARGS__)

static const Property virtio_net_pci_props[] = {
    DEFINE_NIC_PROPERTIES(VirtIONetPCI, net.conf),
    NET_PROP("mrg_rxbuf", mrg_rxbuf, prop_info_bool, bool, .defval.u = true,
             .desc = "offer mergeable receive buffers (MRG_RXBUF)"),
    NET_PROP("csum", csum, prop_info_bool, bool, .defval.u = true,
             .desc = "offer transmit checksum offload (with a tap back end)"),
    NET_PROP("guest_csum", guest_csum, prop_info_bool, bool,
             .defval.u = true,
             .desc = "offer receive checksum offload (with a tap back end)"),
    NET_PROP("gso", gso, prop_info_bool, bool, .defval.u = true,
             .desc = "offer TSO/ECN/UFO both ways (with a tap back end)"),
    NET_PROP("ctrl_vq", ctrl_vq, prop_info_bool, bool, .defval.u = true,
             .desc = "offer the control queue (CTRL_VQ)"),
    NET_PROP("ctrl_rx", ctrl_rx, prop_info_bool, bool, .defval.u = true,
             .desc = "offer receive filtering (CTRL_RX)"),
    NET_PROP("ctrl_vlan", ctrl_vlan, prop_info_bool, bool, .defval.u = true,
             .desc = "offer VLAN filtering (CTRL_VLAN)"),
    NET_PROP("ctrl_mac_addr", ctrl_mac_addr, prop_info_bool, bool,
             .defval.u = true,
             .desc = "let the driver set the MAC (CTRL_MAC_ADDR)"),
    NET_PROP("status", status_feature, prop_info_bool, bool,
             .defval.u = true, .desc = "offer link status (STATUS)"),
    NET_PROP("host_mtu", host_mtu, prop_info_uint16, uint16_t,
             .defval.u = 0, .desc = "advertise this MTU (MTU); 0: none"),
    NET_PROP("rx_queue_size", rx_queue_size, prop_info_uint16, uint16_t,
             .defval.u = 256, .desc = "receive queue size (256-1024)"),
    NET_PROP("tx_queue_size", tx_queue_size, prop_info_uint16, uint16_t,
             .defval.u = 256, .desc = "transmit queue size (256-1024)"),
    DEFINE_PROP_END,
};

static const VirtioPCIDeviceInfo virtio_net_pci_info = {
    .pci = VIRTIO_PCI_DEVICE_INFO(VIRTIO_ID_NET, PCI_CLASS_NETWORK_ETHERNET),
    .realize = virtio_net_pci_realize,
    .unrealize = virtio_net_pci_unrealize,
};

static const DeviceInfo virtio_net_pci_dev_info = {
    .name = TYPE_VIRTIO_NET_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIONetPCI),
    .desc = "virtio network device (virtio 1.2 modern PCI)",
    .user_creatable = true,
    .props = virtio_net_pci_props,
    .class_data = &virtio_net_pci_info,
};

static void virtio_net_register_types(void)
{
    type_register(&virtio_net_pci_dev_info);
}
type_init(virtio_net_register_types)
