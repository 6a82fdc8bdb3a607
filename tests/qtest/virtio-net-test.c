/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net-pci (virtio 1.2, 5.1) with the test as the guest's driver
 * (libqvirtio) and frames built by hand (tests/unit/net-frames.c):
 * identity, features and config space (MAC, link status, the default
 * MAC pool); DHCP, ARP, hostfwd and restrict=on through -netdev user;
 * receive buffers merged or not, frames waiting for buffers, a full
 * transmit ring in one notification; the control queue and receive
 * filtering; a driver's broken chains (DEVICE_NEEDS_RESET) and buffers
 * too small (dropped); reset; the command line; and, as root, pings
 * over -netdev tap into a network namespace with vnet headers and
 * offloads negotiated.
 */
#include "libqvirtio.h"
#include "hw/net/virtio-net.h"
#include "net/virtio-net-hdr.h"
#include "../unit/net-frames.h"
#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define SLOT 4
#define DEVFN QPCI_DEVFN(SLOT, 0)
#define RAM_START 0x100000
#define RAM_END 0x3000000
#define GUEST_IP IP4(10, 0, 2, 15)
#define HOST_IP IP4(10, 0, 2, 2)
#define DNS_IP IP4(10, 0, 2, 3)
#define HDR VIRTIO_NET_HDR_SIZE
/* Frames looked at before a wait for one gives up. */
#define WAIT_FRAMES 2000

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01 };

#define F(bit) (1ULL << (bit))
#define BASE_FEATURES (F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |     \
                       F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_RX) | \
                       F(VIRTIO_NET_F_CTRL_VLAN) |                       \
                       F(VIRTIO_NET_F_CTRL_MAC_ADDR) |                   \
                       F(VIRTIO_RING_F_EVENT_IDX))

typedef struct Fixture {
    QTestState *s;
    QVirtioDevice d;
    QGuestAlloc a;
    QVirtQueue *rx, *tx, *ctrl;
    uint64_t rx_addr[1024];     /* buffer of each receive head */
    uint32_t rx_size;           /* bytes per receive buffer */
    uint8_t mac[6];
    uint32_t ip;
    uint8_t host_mac[6];
} Fixture;

/* Start Ember with netdev (a -netdev spec for id n0) and the device. */
static void start_raw(Fixture *f, const char *netdev, const char *dev_opts)
{
    memset(f, 0, sizeof(*f));
    f->s = qtest_startf("-m 64M -netdev %s,id=n0 -device virtio-net-pci,"
                        "netdev=n0,addr=%x,mac=52:54:00:ab:cd:01%s", netdev,
                        SLOT, dev_opts);
    qguest_alloc_init(&f->a, RAM_START, RAM_END);
    qvirtio_pci_init(&f->d, f->s, VIRTIO_ID_NET, DEVFN);
    memcpy(f->mac, test_mac, 6);
    f->ip = GUEST_IP;
}

static void setup_queues(Fixture *f)
{
    f->rx = qvirtqueue_setup(&f->d, &f->a, 0, 0, VIRTIO_NO_VECTOR);
    f->tx = qvirtqueue_setup(&f->d, &f->a, 1, 0, VIRTIO_NO_VECTOR);
    if (f->d.features & F(VIRTIO_NET_F_CTRL_VQ)) {
        f->ctrl = qvirtqueue_setup(&f->d, &f->a, 2, 0, VIRTIO_NO_VECTOR);
    }
}

static void start(Fixture *f, const char *netdev, const char *dev_opts,
                  uint64_t features)
{
    start_raw(f, netdev, dev_opts);
    qvirtio_start(&f->d, features);
    setup_queues(f);
    qvirtio_driver_ok(&f->d);
}

static void stop(Fixture *f)
{
    qvirtqueue_free(f->rx);
    qvirtqueue_free(f->tx);
    qvirtqueue_free(f->ctrl);
    g_assert_cmpint(qtest_quit(f->s), ==, 0);
}

static bool needs_reset(void *opaque)
{
    Fixture *f = opaque;

    return qvirtio_get_status(&f->d) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* ---- receive buffers ----------------------------------------------------- */

/* Put one buffer of f->rx_size bytes (at addr) on the receive ring. */
static void rx_give(Fixture *f, uint64_t addr)
{
    QVirtBuf b = { addr, f->rx_size, true };
    uint16_t head = qvirtqueue_add_chain(f->rx, &b, 1);

    f->rx_addr[head] = addr;
    qvirtqueue_make_available(f->rx, head);
}

static void rx_post(Fixture *f, unsigned n, uint32_t size)
{
    f->rx_size = size;
    for (unsigned i = 0; i < n; i++) {
        rx_give(f, qguest_alloc(f->s, &f->a, size, 16));
    }
    qvirtqueue_notify(f->rx);
}

/*
 * The next received frame (buffers merged as num_buffers says, each
 * given back to the ring). Returns the frame without the header.
 */
static GByteArray *rx_next(Fixture *f, VirtioNetHdrMrg *hdr_out)
{
    GByteArray *frame = g_byte_array_new();
    VirtioNetHdrMrg hdr;
    unsigned nbuf = 1;

    for (unsigned i = 0; i < nbuf; i++) {
        uint32_t id, len;
        uint8_t *buf;

        qvirtqueue_wait_used(f->rx, &id, &len);
        g_assert_cmpuint(id, <, f->rx->size);
        g_assert_cmpuint(len, <=, f->rx_size);
        buf = g_malloc(len);
        qtest_memread(f->s, f->rx_addr[id], buf, len);
        if (i == 0) {
            g_assert_cmpuint(len, >=, HDR);
            memcpy(&hdr, buf, HDR);
            nbuf = le16toh(hdr.num_buffers);
            g_assert_cmpuint(nbuf, >=, 1);
            g_byte_array_append(frame, buf + HDR, len - HDR);
        } else {
            g_byte_array_append(frame, buf, len);
        }
        g_free(buf);
        rx_give(f, f->rx_addr[id]);
    }
    qvirtqueue_notify(f->rx);
    if (hdr_out) {
        *hdr_out = hdr;
    }
    return frame;
}

/* ---- transmit ------------------------------------------------------------ */

/* Put a frame (after an empty header) on the transmit ring. */
static uint16_t tx_add(Fixture *f, const void *frame, size_t len)
{
    uint64_t addr = qguest_alloc(f->s, &f->a, HDR + len, 16);
    QVirtBuf b = { addr, HDR + len, false };

    qtest_memwrite(f->s, addr + HDR, frame, len);
    return qvirtqueue_add_chain(f->tx, &b, 1);
}

static void tx_send(Fixture *f, const void *frame, size_t len)
{
    uint16_t head = tx_add(f, frame, len);
    uint32_t id, used;

    qvirtqueue_kick(f->tx, head);
    qvirtqueue_wait_used(f->tx, &id, &used);
    g_assert_cmpuint(id, ==, head);
}

typedef bool FrameMatch(const FrameInfo *fi, void *opaque);

/* Received frames until m accepts one; ARP for our address answered. */
static GByteArray *wait_frame(Fixture *f, FrameMatch *m, void *opaque,
                              VirtioNetHdrMrg *hdr)
{
    for (int i = 0; i < WAIT_FRAMES; i++) {
        GByteArray *fr = rx_next(f, hdr);
        uint8_t reply[64];
        size_t n = answer_arp(fr->data, fr->len, f->mac, f->ip, reply);
        FrameInfo fi;

        if (n) {
            tx_send(f, reply, n);
        }
        if (parse_frame(fr->data, fr->len, &fi) && m(&fi, opaque)) {
            return fr;
        }
        g_byte_array_unref(fr);
    }
    g_error("no matching frame among %d", WAIT_FRAMES);
}

static bool is_arp_reply_from(const FrameInfo *fi, void *opaque)
{
    return fi->ethertype == ETH_P_ARP && fi->arp_op == 2 &&
           fi->arp_spa == GPOINTER_TO_UINT(opaque);
}

static bool is_dhcp(const FrameInfo *fi, void *opaque)
{
    uint32_t xid, yi;
    uint8_t type;

    return fi->ethertype == ETH_P_IP && dhcp_parse(fi, &xid, &yi, &type) &&
           type == GPOINTER_TO_UINT(opaque);
}

typedef struct TcpMatch {
    uint16_t dport;
    uint8_t flags;
} TcpMatch;

static bool is_tcp(const FrameInfo *fi, void *opaque)
{
    TcpMatch *m = opaque;

    return fi->ethertype == ETH_P_IP && fi->proto == IPPROTO_TCP_ &&
           fi->dport == m->dport && (fi->tcp_flags & m->flags) == m->flags;
}

static void arp_host(Fixture *f)
{
    uint8_t fr[64];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    tx_send(f, fr, build_arp(fr, 1, f->mac, f->ip, NULL, HOST_IP));
    r = wait_frame(f, is_arp_reply_from, GUINT_TO_POINTER(HOST_IP), NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    memcpy(f->host_mac, fi.arp_sha, 6);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * DISCOVER; the OFFER must carry QEMU's user-network addresses (without
 * a router and DNS server when the guest is restricted: it has none).
 */
static void check_dhcp_offer_r(Fixture *f, unsigned *nbuf, bool restricted)
{
    uint8_t fr[1600];
    g_autoptr(GByteArray) offer = NULL;
    VirtioNetHdrMrg hdr;
    FrameInfo fi;
    uint32_t xid, yi;
    uint8_t type, len;
    const uint8_t *o;

    tx_send(f, fr, build_dhcp(fr, f->mac, 0xc0ffee, 1, 0, 0));
    offer = wait_frame(f, is_dhcp, GUINT_TO_POINTER(2), &hdr);
    g_assert_true(parse_frame(offer->data, offer->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_true(dhcp_parse(&fi, &xid, &yi, &type));
    g_assert_cmphex(xid, ==, 0xc0ffee);
    g_assert_cmphex(yi, ==, GUEST_IP);
    o = dhcp_option(&fi, 54, &len);
    g_assert_true(o && len == 4);
    g_assert_cmphex(rd32(o), ==, HOST_IP);
    if (restricted) {
        g_assert_null(dhcp_option(&fi, 6, &len));
        g_assert_null(dhcp_option(&fi, 3, &len));
    } else {
        o = dhcp_option(&fi, 6, &len);
        g_assert_true(o && len >= 4);
        g_assert_cmphex(rd32(o), ==, DNS_IP);
        o = dhcp_option(&fi, 3, &len);
        g_assert_true(o && len >= 4);
        g_assert_cmphex(rd32(o), ==, HOST_IP);
    }
    /* Nothing the guest must finish: slirp's checksums are complete. */
    g_assert_cmpuint(hdr.hdr.flags, ==, 0);
    g_assert_cmpuint(hdr.hdr.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
    if (nbuf) {
        *nbuf = le16toh(hdr.num_buffers);
    }
}

static void check_dhcp_offer(Fixture *f, unsigned *nbuf)
{
    check_dhcp_offer_r(f, nbuf, false);
}

/* ---- tests --------------------------------------------------------------- */

static void test_identity_config(void)
{
    Fixture f;
    uint64_t feat;

    start_raw(&f, "user", "");
    g_assert_cmphex(qpci_config_readw(f.s, DEVFN, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(qpci_config_readw(f.s, DEVFN, PCI_DEVICE_ID), ==, 0x1041);
    g_assert_cmphex(qpci_config_readw(f.s, DEVFN, PCI_CLASS_DEVICE), ==,
                    0x0200);
    feat = qvirtio_get_features(&f.d);
    g_assert_true(feat & F(VIRTIO_F_VERSION_1));
    g_assert_true(feat & F(VIRTIO_NET_F_MAC));
    g_assert_true(feat & F(VIRTIO_NET_F_STATUS));
    g_assert_true(feat & F(VIRTIO_NET_F_MRG_RXBUF));
    g_assert_true(feat & F(VIRTIO_NET_F_CTRL_VQ));
    g_assert_true(feat & F(VIRTIO_NET_F_CTRL_RX));
    g_assert_false(feat & F(VIRTIO_NET_F_MQ));
    g_assert_false(feat & F(VIRTIO_NET_F_MTU));
    /* slirp takes no vnet headers: no offloads either way. */
    g_assert_false(feat & F(VIRTIO_NET_F_CSUM));
    g_assert_false(feat & F(VIRTIO_NET_F_GUEST_CSUM));
    g_assert_false(feat & F(VIRTIO_NET_F_HOST_TSO4));
    g_assert_false(feat & F(VIRTIO_NET_F_GUEST_TSO4));
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qvirtio_config_readb(&f.d, VIRTIO_NET_CFG_MAC + i),
                        ==, test_mac[i]);
    }
    g_assert_cmphex(qvirtio_config_readw(&f.d, VIRTIO_NET_CFG_STATUS), ==,
                    VIRTIO_NET_S_LINK_UP);
    g_assert_cmpuint(qvirtio_config_readw(&f.d, VIRTIO_NET_CFG_MAX_VQ_PAIRS),
                     ==, 1);
    /* Queues: receive, transmit, control. */
    g_assert_cmpuint(qvirtio_common_readw(&f.d, VIRTIO_PCI_COMMON_NUMQ), ==,
                     3);
    /* A modern driver cannot change the MAC through the config space. */
    qvirtio_config_writeb(&f.d, VIRTIO_NET_CFG_MAC, 0x02);
    g_assert_cmphex(qvirtio_config_readb(&f.d, VIRTIO_NET_CFG_MAC), ==,
                    test_mac[0]);
    g_assert_cmpint(qtest_quit(f.s), ==, 0);
}

static void test_properties(void)
{
    QTestState *s = qtest_startf("-netdev user,id=n0 -device virtio-net-pci,"
                                 "netdev=n0,addr=%x,mrg_rxbuf=off,ctrl_vq=off,"
                                 "status=off,host_mtu=1400", SLOT);
    QVirtioDevice d;
    uint64_t feat;

    qvirtio_pci_init(&d, s, VIRTIO_ID_NET, DEVFN);
    feat = qvirtio_get_features(&d);
    g_assert_false(feat & F(VIRTIO_NET_F_MRG_RXBUF));
    g_assert_false(feat & F(VIRTIO_NET_F_CTRL_VQ));
    g_assert_false(feat & F(VIRTIO_NET_F_CTRL_RX));
    g_assert_false(feat & F(VIRTIO_NET_F_STATUS));
    g_assert_true(feat & F(VIRTIO_NET_F_MTU));
    g_assert_cmpuint(qvirtio_config_readw(&d, VIRTIO_NET_CFG_MTU), ==, 1400);
    g_assert_cmpuint(qvirtio_common_readw(&d, VIRTIO_PCI_COMMON_NUMQ), ==, 2);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* NICs without mac= get 52:54:00:12:34:56, :57, ... in creation order. */
static void test_default_macs(void)
{
    QTestState *s = qtest_start("-netdev user,id=n0 -netdev user,id=n1 "
                                "-device virtio-net-pci,netdev=n0,addr=4 "
                                "-device virtio-net-pci,netdev=n1,addr=5");
    QVirtioDevice d0, d1;

    qvirtio_pci_init(&d0, s, VIRTIO_ID_NET, QPCI_DEVFN(4, 0));
    qvirtio_pci_init(&d1, s, VIRTIO_ID_NET, QPCI_DEVFN(5, 0));
    for (int i = 0; i < 5; i++) {
        static const uint8_t base[5] = { 0x52, 0x54, 0x00, 0x12, 0x34 };
        g_assert_cmphex(qvirtio_config_readb(&d0, i), ==, base[i]);
        g_assert_cmphex(qvirtio_config_readb(&d1, i), ==, base[i]);
    }
    g_assert_cmphex(qvirtio_config_readb(&d0, 5), ==, 0x56);
    g_assert_cmphex(qvirtio_config_readb(&d1, 5), ==, 0x57);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_dhcp(void)
{
    Fixture f;
    unsigned nbuf;

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 16, 2048);
    check_dhcp_offer(&f, &nbuf);
    g_assert_cmpuint(nbuf, ==, 1);
    stop(&f);
}

/* Without MRG_RXBUF: whole frames in single buffers, num_buffers 1. */
static void test_dhcp_no_mrg(void)
{
    Fixture f;
    unsigned nbuf;

    start(&f, "user", "", BASE_FEATURES);
    rx_post(&f, 16, 1526 + HDR);
    check_dhcp_offer(&f, &nbuf);
    g_assert_cmpuint(nbuf, ==, 1);
    stop(&f);
}

/* Small buffers with MRG_RXBUF: the OFFER is spread over several. */
static void test_mergeable_small_buffers(void)
{
    Fixture f;
    unsigned nbuf;

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 64, 128);
    check_dhcp_offer(&f, &nbuf);
    /* An OFFER is over 300 bytes; 116 of them fit in the first buffer. */
    g_assert_cmpuint(nbuf, >=, 3);
    stop(&f);
}

static void test_arp(void)
{
    Fixture f;
    uint8_t fr[64];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 16, 2048);
    arp_host(&f);
    g_assert_false(f.host_mac[0] & 1);
    tx_send(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL, DNS_IP));
    r = wait_frame(&f, is_arp_reply_from, GUINT_TO_POINTER(DNS_IP), NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmpmem(fi.dst, 6, f.mac, 6);
    g_assert_cmphex(fi.arp_tpa, ==, GUEST_IP);
    stop(&f);
}

static int free_port(int type)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, type, 0);
    int port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* A host connection to the forwarded port becomes a SYN at the NIC. */
static void test_hostfwd(void)
{
    Fixture f;
    int port = free_port(SOCK_STREAM);
    g_autofree char *nd = g_strdup_printf("user,hostfwd=tcp:127.0.0.1:%d-"
                                          ":22", port);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(port) };
    TcpMatch syn = { .dport = 22, .flags = TCP_SYN };
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;
    int c;

    start(&f, nd, "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 32, 2048);
    arp_host(&f);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_true(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 ||
                  errno == EINPROGRESS);
    r = wait_frame(&f, is_tcp, &syn, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_cmphex(fi.ip_dst, ==, GUEST_IP);
    g_assert_cmpmem(fi.dst, 6, f.mac, 6);
    g_assert_false(fi.tcp_flags & TCP_ACK);
    close(c);
    stop(&f);
}

/* restrict=on: the guest's connection to the host is reset. */
static void test_restrict(void)
{
    Fixture f;
    int port = free_port(SOCK_STREAM);
    TcpMatch any = { .dport = 4444 };
    g_autoptr(GByteArray) r = NULL;
    uint8_t fr[128];
    FrameInfo fi;

    start(&f, "user,restrict=on", "",
          BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 16, 2048);
    arp_host(&f);
    tx_send(&f, fr, build_tcp(fr, f.mac, f.host_mac, f.ip, HOST_IP, 4444,
                              port, 1, 0, TCP_SYN, 65535, NULL, 0));
    r = wait_frame(&f, is_tcp, &any, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_true(fi.tcp_flags & TCP_RST);
    g_assert_cmpuint(fi.sport, ==, port);
    stop(&f);
}

/* Frames wait in the core's queue while the ring is empty, and come as
 * soon as the driver gives buffers. */
static void test_rx_waits_for_buffers(void)
{
    Fixture f;
    uint8_t fr[1600];

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    tx_send(&f, fr, build_dhcp(fr, f.mac, 0xc0ffee, 1, 0, 0));
    /* The OFFER exists but has nowhere to go. */
    g_assert_cmpuint(qvirtqueue_used_idx(f.rx), ==, 0);
    f.rx_size = 2048;
    rx_post(&f, 4, 2048);
    {
        g_autoptr(GByteArray) r = wait_frame(&f, is_dhcp,
                                             GUINT_TO_POINTER(2), NULL);
        g_assert_nonnull(r);
    }
    stop(&f);
}

/* A whole transmit ring in one notification: every buffer is used (the
 * bottom half runs in bursts), and every ARP is answered. */
static void test_tx_full_ring(void)
{
    Fixture f;
    unsigned n, replies = 0;
    uint8_t fr[64];

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    n = f.tx->size;
    rx_post(&f, f.rx->size, 256);
    for (unsigned i = 0; i < n; i++) {
        uint16_t head = tx_add(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL,
                                                 HOST_IP));
        qvirtqueue_make_available(f.tx, head);
    }
    qvirtqueue_notify(f.tx);
    for (unsigned i = 0; i < n; i++) {
        uint32_t id, len;
        qvirtqueue_wait_used(f.tx, &id, &len);
        g_assert_cmpuint(len, ==, 0);
    }
    while (replies < n) {
        g_autoptr(GByteArray) r = rx_next(&f, NULL);
        FrameInfo fi;
        g_assert_true(parse_frame(r->data, r->len, &fi));
        if (is_arp_reply_from(&fi, GUINT_TO_POINTER(HOST_IP))) {
            replies++;
        }
    }
    g_assert_cmpuint(replies, ==, n);
    stop(&f);
}

/*
 * Transmit against a peer that reads slowly (-netdev socket): far more
 * data than the socket buffers and the core's queue hold together, so
 * the device must be stopped and resumed; every frame arrives, in order.
 */
static void test_tx_backpressure(void)
{
    enum { TOTAL = 600, FRAME = 30000 };
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    g_autofree char *nd = NULL;
    g_autofree uint8_t *in = g_malloc(4 + FRAME);
    uint64_t *bufs;
    unsigned posted = 0, completed = 0, received = 0;
    size_t have = 0;
    Fixture f;
    int peer;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&a, &alen), ==, 0);
    nd = g_strdup_printf("socket,connect=127.0.0.1:%d", ntohs(a.sin_port));
    start(&f, nd, "", BASE_FEATURES);
    peer = accept(lfd, NULL, NULL);
    g_assert_cmpint(peer, >=, 0);
    bufs = g_new(uint64_t, f.tx->size);
    for (unsigned i = 0; i < f.tx->size; i++) {
        bufs[i] = qguest_alloc(f.s, &f.a, HDR + FRAME, 16);
    }

    for (int round = 0; received < TOTAL; round++) {
        bool progress = false;
        uint32_t id, len;
        ssize_t n;

        g_assert_cmpint(round, <, 2000000);
        if (posted < TOTAL && posted - completed < f.tx->size) {
            while (posted < TOTAL && posted - completed < f.tx->size) {
                QVirtBuf b = { 0, HDR + FRAME, false };
                uint16_t head;

                head = qvirtqueue_add_chain(f.tx, &b, 1);
                qvirtqueue_write_desc(f.tx, head, bufs[head], HDR + FRAME, 0,
                                      0);
                qtest_memwrite(f.s, bufs[head] + HDR, &posted, 4);
                qvirtqueue_make_available(f.tx, head);
                posted++;
            }
            qvirtqueue_notify(f.tx);
            progress = true;
        }
        while (qvirtqueue_get_used(f.tx, &id, &len)) {
            completed++;
            progress = true;
        }
        /* Read slowly: a bit per round. */
        n = recv(peer, in + have, 4 + FRAME - have, MSG_DONTWAIT);
        if (n > 0) {
            have += n;
            progress = true;
            if (have == 4 + FRAME) {
                uint32_t num;
                g_assert_cmpuint(ntohl(*(uint32_t *)in), ==, FRAME);
                memcpy(&num, in + 4, 4);
                g_assert_cmpuint(num, ==, received);
                received++;
                have = 0;
            }
        }
        if (!progress) {
            g_usleep(100);
        }
    }
    g_assert_cmpuint(received, ==, TOTAL);
    for (int i = 0; completed < TOTAL && i < 100000; i++) {
        uint32_t id, len;
        if (qvirtqueue_get_used(f.tx, &id, &len)) {
            completed++;
        } else {
            g_usleep(100);
        }
    }
    g_assert_cmpuint(completed, ==, TOTAL);
    g_assert_false(needs_reset(&f));
    g_free(bufs);
    close(peer);
    close(lfd);
    stop(&f);
}

/* ---- control queue ------------------------------------------------------- */

static uint8_t ctrl_cmd(Fixture *f, uint8_t cls, uint8_t cmd,
                        const void *data, size_t len)
{
    uint64_t out = qguest_alloc(f->s, &f->a, 2 + len, 16);
    uint64_t ack = qguest_alloc(f->s, &f->a, 1, 1);
    uint8_t head[2] = { cls, cmd };
    QVirtBuf b[2] = { { out, 2 + len, false }, { ack, 1, true } };
    uint32_t id, used;

    qtest_memwrite(f->s, out, head, 2);
    if (len) {
        qtest_memwrite(f->s, out + 2, data, len);
    }
    qtest_writeb(f->s, ack, 0xee);
    qvirtqueue_kick(f->ctrl, qvirtqueue_add_chain(f->ctrl, b, 2));
    qvirtqueue_wait_used(f->ctrl, &id, &used);
    g_assert_cmpuint(used, ==, 1);
    return qtest_readb(f->s, ack);
}

static void test_ctrl(void)
{
    Fixture f;
    uint8_t on = 1, off = 0;
    uint8_t table[4 + 6 + 4];
    uint16_t vid = 4095, bad_vid = 4096;
    uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

    start(&f, "user", "", BASE_FEATURES);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_RX,
                              VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), ==,
                     VIRTIO_NET_OK);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_RX,
                              VIRTIO_NET_CTRL_RX_ALLMULTI, &off, 1), ==,
                     VIRTIO_NET_OK);
    /* Two bytes for a one-byte command; a command needing RX_EXTRA. */
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_RX,
                              VIRTIO_NET_CTRL_RX_PROMISC, "ab", 2), ==,
                     VIRTIO_NET_ERR);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_RX,
                              VIRTIO_NET_CTRL_RX_NOBCAST, &on, 1), ==,
                     VIRTIO_NET_ERR);
    /* MAC tables: one unicast entry, zero multicast. */
    memset(table, 0, sizeof(table));
    table[0] = 1;
    memcpy(table + 4, mac, 6);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MAC,
                              VIRTIO_NET_CTRL_MAC_TABLE_SET, table,
                              sizeof(table)), ==, VIRTIO_NET_OK);
    /* Counts that do not match the bytes. */
    table[0] = 2;
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MAC,
                              VIRTIO_NET_CTRL_MAC_TABLE_SET, table,
                              sizeof(table)), ==, VIRTIO_NET_ERR);
    table[0] = 0xff;
    table[3] = 0xff;
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MAC,
                              VIRTIO_NET_CTRL_MAC_TABLE_SET, table,
                              sizeof(table)), ==, VIRTIO_NET_ERR);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_VLAN,
                              VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2), ==,
                     VIRTIO_NET_OK);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_VLAN,
                              VIRTIO_NET_CTRL_VLAN_ADD, &bad_vid, 2), ==,
                     VIRTIO_NET_ERR);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MAC,
                              VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), ==,
                     VIRTIO_NET_OK);
    /* MQ and ANNOUNCE were not offered; unknown classes. */
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MQ,
                              VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, "\1\0", 2), ==,
                     VIRTIO_NET_ERR);
    g_assert_cmpuint(ctrl_cmd(&f, 77, 0, NULL, 0), ==, VIRTIO_NET_ERR);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
                              VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET,
                              "\0\0\0\0\0\0\0\0", 8), ==, VIRTIO_NET_ERR);
    g_assert_false(needs_reset(&f));
    stop(&f);
}

/*
 * Receive filtering: with promiscuous mode off and an empty table, a
 * reply to another MAC is dropped, one to ours arrives. slirp answers
 * in order, so the first frame we see must be the second reply.
 */
static void test_rx_filter(void)
{
    Fixture f;
    uint8_t off = 0, fr[64];
    uint8_t table[8] = { 0 };
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    start(&f, "user", "", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 16, 2048);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_RX,
                              VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), ==,
                     VIRTIO_NET_OK);
    g_assert_cmpuint(ctrl_cmd(&f, VIRTIO_NET_CTRL_MAC,
                              VIRTIO_NET_CTRL_MAC_TABLE_SET, table,
                              sizeof(table)), ==, VIRTIO_NET_OK);
    tx_send(&f, fr, build_arp(fr, 1, other, IP4(10, 0, 2, 16), NULL,
                              HOST_IP));
    tx_send(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL, DNS_IP));
    r = rx_next(&f, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmpuint(fi.arp_op, ==, 2);
    g_assert_cmphex(fi.arp_spa, ==, DNS_IP);
    g_assert_cmpmem(fi.dst, 6, f.mac, 6);
    stop(&f);
}

/* ---- the hostile driver -------------------------------------------------- */

static void test_tx_shorter_than_header(void)
{
    Fixture f;
    uint64_t addr;
    QVirtBuf b;

    start(&f, "user", "", BASE_FEATURES);
    addr = qguest_alloc(f.s, &f.a, 4, 4);
    b = (QVirtBuf){ addr, 4, false };
    qvirtqueue_kick(f.tx, qvirtqueue_add_chain(f.tx, &b, 1));
    qvirtio_wait(f.s, needs_reset, &f);
    /* A reset brings it back. */
    qvirtio_reset(&f.d);
    g_assert_false(needs_reset(&f));
    qvirtqueue_free(f.rx);
    qvirtqueue_free(f.tx);
    qvirtqueue_free(f.ctrl);
    qvirtio_start(&f.d, BASE_FEATURES);
    setup_queues(&f);
    qvirtio_driver_ok(&f.d);
    rx_post(&f, 8, 2048);
    check_dhcp_offer(&f, NULL);
    stop(&f);
}

/* A frame that is only a header, or shorter than Ethernet: dropped, the
 * buffer used, the device fine. */
static void test_tx_runt(void)
{
    Fixture f;
    uint8_t fr[6] = { 0 };

    start(&f, "user", "", BASE_FEATURES);
    tx_send(&f, fr, 0);
    tx_send(&f, fr, sizeof(fr));
    g_assert_false(needs_reset(&f));
    stop(&f);
}

static void rx_hostile(const char *what, QVirtBuf b)
{
    Fixture f;
    uint8_t fr[64];
    uint16_t head;

    start(&f, "user", "", BASE_FEATURES);
    b.addr = qguest_alloc(f.s, &f.a, b.len, 16);
    head = qvirtqueue_add_chain(f.rx, &b, 1);
    qvirtqueue_kick(f.rx, head);
    /* Make a frame come: an ARP request to slirp. */
    qvirtqueue_kick(f.tx, tx_add(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL,
                                                   HOST_IP)));
    qvirtio_wait(f.s, needs_reset, &f);
    g_test_message("%s: DEVICE_NEEDS_RESET", what);
    stop(&f);
}

static void test_rx_read_only_buffer(void)
{
    rx_hostile("read-only receive buffer", (QVirtBuf){ 0, 2048, false });
}

static void test_rx_buffer_below_header(void)
{
    rx_hostile("8-byte receive buffer", (QVirtBuf){ 0, 8, true });
}

/* Without MRG_RXBUF a buffer too small for a frame drops the frame but
 * stays for the next one that fits. */
static void test_rx_buffer_too_small(void)
{
    Fixture f;
    uint8_t fr[1600];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    start(&f, "user", "", BASE_FEATURES);
    rx_post(&f, 1, 100);
    /* The OFFER (300+ bytes) cannot fit; the ARP reply (60) can. */
    tx_send(&f, fr, build_dhcp(fr, f.mac, 0xc0ffee, 1, 0, 0));
    tx_send(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL, HOST_IP));
    r = rx_next(&f, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmpuint(fi.ethertype, ==, ETH_P_ARP);
    g_assert_cmphex(fi.arp_spa, ==, HOST_IP);
    g_assert_false(needs_reset(&f));
    stop(&f);
}

static void test_ctrl_without_ack(void)
{
    Fixture f;
    uint64_t out;
    QVirtBuf b;

    start(&f, "user", "", BASE_FEATURES);
    out = qguest_alloc(f.s, &f.a, 3, 4);
    b = (QVirtBuf){ out, 3, false };
    qvirtqueue_kick(f.ctrl, qvirtqueue_add_chain(f.ctrl, &b, 1));
    qvirtio_wait(f.s, needs_reset, &f);
    stop(&f);
}

/* 5.1.3.1: features without those they need are refused. */
static void test_feature_dependencies(void)
{
    Fixture f;

    start_raw(&f, "user", "");
    qvirtio_reset(&f.d);
    qvirtio_set_status(&f.d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER);
    qvirtio_set_features(&f.d, F(VIRTIO_F_VERSION_1) |
                         F(VIRTIO_NET_F_CTRL_RX));
    g_assert_false(qvirtio_features_ok(&f.d));
    qvirtio_reset(&f.d);
    qvirtio_set_status(&f.d, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                       VIRTIO_CONFIG_S_DRIVER);
    qvirtio_set_features(&f.d, F(VIRTIO_F_VERSION_1) |
                         F(VIRTIO_NET_F_CTRL_RX) | F(VIRTIO_NET_F_CTRL_VQ));
    g_assert_true(qvirtio_features_ok(&f.d));
    g_assert_cmpint(qtest_quit(f.s), ==, 0);
}

/*
 * Random chains on all three queues (seeded: --seed repeats a run):
 * lengths from 0 to 3000, buffers in and outside RAM, either direction,
 * random frames and control commands. Whatever the device decides (use
 * the buffer, drop the frame, DEVICE_NEEDS_RESET), it must go on: after
 * each reset it works, and at the end a DHCP exchange still does.
 */
static void fuzz_restart(Fixture *f, uint64_t features)
{
    qvirtqueue_free(f->rx);
    qvirtqueue_free(f->tx);
    qvirtqueue_free(f->ctrl);
    f->ctrl = NULL;
    qvirtio_start(&f->d, features);
    setup_queues(f);
    qvirtio_driver_ok(&f->d);
}

static uint64_t fuzz_addr(uint64_t scratch, uint32_t len)
{
    switch (g_test_rand_int_range(0, 16)) {
    case 0:
        return 0xfec00000;          /* the I/O APIC: not RAM */
    case 1:
        return 0x3ffff000;          /* beyond the end of RAM */
    case 2:
        return UINT64_MAX - 7;      /* wraps */
    default:
        return scratch + g_test_rand_int_range(0, 0x100000 - len);
    }
}

static void fuzz_chain(Fixture *f, QVirtQueue *vq, uint64_t scratch,
                       bool out_first)
{
    QVirtBuf b[3];
    unsigned n = g_test_rand_int_range(1, 4);

    if (vq->num_free < n) {
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        b[i].len = g_test_rand_int_range(0, 3001);
        b[i].addr = fuzz_addr(scratch, MAX(b[i].len, 1));
        /* Mostly the right direction for the queue, sometimes not. */
        b[i].write = g_test_rand_int_range(0, 8) == 0 ? !out_first :
                     (out_first ? i == n - 1 && vq == f->ctrl : true);
        if (out_first && vq != f->ctrl) {
            b[i].write = g_test_rand_int_range(0, 8) == 0;
        }
    }
    qvirtqueue_kick(vq, qvirtqueue_add_chain(vq, b, n));
}

static void test_fuzz(void)
{
    Fixture f;
    uint64_t scratch, feat = BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF);
    unsigned resets = 0;
    uint8_t fr[1600];

    start(&f, "user,restrict=on", "", feat);
    scratch = qguest_alloc(f.s, &f.a, 0x100000, 4096);
    for (int i = 0; i < 600; i++) {
        uint32_t id, len;
        bool restart = false;

        switch (g_test_rand_int_range(0, 5)) {
        case 0: {
            /* A real frame somewhere in scratch, so slirp answers. */
            uint64_t at = scratch + 64 * g_test_rand_int_range(0, 1000);
            size_t n = g_test_rand_int_range(0, 2) ?
                build_arp(fr, 1, f.mac, f.ip, NULL, HOST_IP) :
                build_dhcp(fr, f.mac, i, 1, 0, 0);
            QVirtBuf b = { at, HDR + n, false };
            qtest_memset(f.s, at, 0, HDR);
            qtest_memwrite(f.s, at + HDR, fr, n);
            if (f.tx->num_free) {
                qvirtqueue_kick(f.tx, qvirtqueue_add_chain(f.tx, &b, 1));
            }
            break;
        }
        case 1: {
            /* Random bytes where chains may point. */
            for (size_t k = 0; k < sizeof(fr); k++) {
                fr[k] = g_test_rand_int();
            }
            qtest_memwrite(f.s, scratch + 64 * g_test_rand_int_range(0, 1000),
                           fr, sizeof(fr));
            break;
        }
        case 2:
            fuzz_chain(&f, f.tx, scratch, true);
            break;
        case 3:
            fuzz_chain(&f, f.rx, scratch, false);
            break;
        case 4:
            if (f.ctrl) {
                fuzz_chain(&f, f.ctrl, scratch, true);
            }
            break;
        }
        while (qvirtqueue_get_used(f.tx, &id, &len)) {
        }
        while (qvirtqueue_get_used(f.rx, &id, &len)) {
        }
        while (f.ctrl && qvirtqueue_get_used(f.ctrl, &id, &len)) {
        }
        restart = needs_reset(&f) || f.tx->num_free < 4 ||
                  f.rx->num_free < 4 || (f.ctrl && f.ctrl->num_free < 4);
        if (restart) {
            resets++;
            feat = BASE_FEATURES |
                   (g_test_rand_int_range(0, 2) ? F(VIRTIO_NET_F_MRG_RXBUF)
                                                : 0);
            fuzz_restart(&f, feat);
        }
    }
    g_test_message("%u resets", resets);
    fuzz_restart(&f, BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF));
    rx_post(&f, 16, 2048);
    check_dhcp_offer_r(&f, NULL, true);
    stop(&f);
}

/* ---- the command line ---------------------------------------------------- */

static int run_status(const char *args, char **err)
{
    g_autofree char *cmd = g_strdup_printf("%s -accel qtest -display none %s",
                                           qtest_binary(), args);
    g_auto(GStrv) argv = NULL;
    int st;

    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, err, &st, NULL));
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cmdline_errors(void)
{
    char *err = NULL;

    g_assert_cmpint(run_status("-device virtio-net-pci,netdev=nope", &err),
                    ==, 1);
    g_assert_nonnull(strstr(err, "netdev 'nope' not found"));
    g_free(err);
    g_assert_cmpint(run_status("-netdev user,id=n0 -device virtio-net-pci,"
                               "netdev=n0 -device virtio-net-pci,netdev=n0",
                               &err), ==, 1);
    g_assert_nonnull(strstr(err, "already in use"));
    g_free(err);
    g_assert_cmpint(run_status("-netdev user,id=n0 -device virtio-net-pci,"
                               "netdev=n0,mac=01:00:00:00:00:01", &err), ==,
                    1);
    g_assert_nonnull(strstr(err, "multicast"));
    g_free(err);
    g_assert_cmpint(run_status("-netdev user,id=n0 -device virtio-net-pci,"
                               "netdev=n0,rx_queue_size=100", &err), ==, 1);
    g_assert_nonnull(strstr(err, "rx_queue_size"));
    g_free(err);
}

/* -nic makes a virtio-net-pci with its user back end. */
static void test_nic_shorthand(void)
{
    QTestState *s = qtest_start("-nic user,mac=52:54:00:00:00:07");
    QVirtioDevice d;

    g_assert_cmpint(qpci_find_device(s, 0x1af4, 0x1041), >=, 0);
    qvirtio_pci_init(&d, s, VIRTIO_ID_NET, -1);
    g_assert_cmphex(qvirtio_config_readb(&d, 5), ==, 0x07);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- tap into a network namespace (root) --------------------------------- */

#define NS_IP IP4(192, 168, 77, 1)
#define TAP_GUEST_IP IP4(192, 168, 77, 2)

static bool sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static bool sh(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) &&
           WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool is_echo_reply(const FrameInfo *fi, void *opaque)
{
    return fi->ethertype == ETH_P_IP && fi->proto == IPPROTO_ICMP_ &&
           fi->icmp_type == 0 && fi->icmp_id == GPOINTER_TO_UINT(opaque);
}

static void tap_ping(const char *vnet, uint64_t features)
{
    g_autofree char *ns = g_strdup_printf("ember-vnt-%d", getpid());
    g_autofree char *ifn = g_strdup_printf("embv%d", getpid() % 1000000);
    g_autofree char *nd = NULL;
    static const char data[] = "virtio-net over tap";
    g_autoptr(GByteArray) r = NULL;
    uint8_t fr[200];
    FrameInfo fi;
    Fixture f;

    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_test_skip("needs root and /dev/net/tun");
        return;
    }
    if (!sh("ip netns add %s", ns)) {
        g_test_skip("cannot create a network namespace");
        return;
    }
    nd = g_strdup_printf("tap,ifname=%s,script=no,downscript=no,vnet_hdr=%s",
                         ifn, vnet);
    start_raw(&f, nd, "");
    if (!strcmp(vnet, "on")) {
        uint64_t offered = qvirtio_get_features(&f.d);
        g_assert_true(offered & F(VIRTIO_NET_F_CSUM));
        g_assert_true(offered & F(VIRTIO_NET_F_GUEST_CSUM));
        g_assert_true(offered & F(VIRTIO_NET_F_HOST_TSO4));
        g_assert_true(offered & F(VIRTIO_NET_F_GUEST_TSO6));
    }
    qvirtio_start(&f.d, features);
    setup_queues(&f);
    qvirtio_driver_ok(&f.d);
    f.ip = TAP_GUEST_IP;
    rx_post(&f, 32, 2048);
    g_assert_true(sh("ip link set %s netns %s", ifn, ns));
    g_assert_true(sh("ip -n %s addr add 192.168.77.1/24 dev %s", ns, ifn));
    g_assert_true(sh("ip -n %s link set %s up", ns, ifn));

    tx_send(&f, fr, build_arp(fr, 1, f.mac, f.ip, NULL, NS_IP));
    r = wait_frame(&f, is_arp_reply_from, GUINT_TO_POINTER(NS_IP), NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    tx_send(&f, fr, build_icmp_echo(fr, f.mac, fi.arp_sha, f.ip, NS_IP, 0x77,
                                    3, data, sizeof(data)));
    g_byte_array_unref(r);
    r = wait_frame(&f, is_echo_reply, GUINT_TO_POINTER(0x77), NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_cmphex(fi.ip_src, ==, NS_IP);
    g_assert_cmpmem(fi.payload, fi.payload_len, data, sizeof(data));
    stop(&f);
    sh("ip netns del %s", ns);
}

static void test_tap_ping_offloads(void)
{
    tap_ping("on", BASE_FEATURES | F(VIRTIO_NET_F_MRG_RXBUF) |
             F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |
             F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) |
             F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6) |
             F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS));
}

static void test_tap_ping_plain(void)
{
    tap_ping("off", BASE_FEATURES);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-net/identity-config", test_identity_config);
    g_test_add_func("/virtio-net/properties", test_properties);
    g_test_add_func("/virtio-net/default-macs", test_default_macs);
    g_test_add_func("/virtio-net/user/dhcp", test_dhcp);
    g_test_add_func("/virtio-net/user/dhcp-no-mrg", test_dhcp_no_mrg);
    g_test_add_func("/virtio-net/user/mergeable-small",
                    test_mergeable_small_buffers);
    g_test_add_func("/virtio-net/user/arp", test_arp);
    g_test_add_func("/virtio-net/user/hostfwd", test_hostfwd);
    g_test_add_func("/virtio-net/user/restrict", test_restrict);
    g_test_add_func("/virtio-net/rx-waits-for-buffers",
                    test_rx_waits_for_buffers);
    g_test_add_func("/virtio-net/tx-full-ring", test_tx_full_ring);
    g_test_add_func("/virtio-net/tx-backpressure", test_tx_backpressure);
    g_test_add_func("/virtio-net/ctrl", test_ctrl);
    g_test_add_func("/virtio-net/rx-filter", test_rx_filter);
    g_test_add_func("/virtio-net/hostile/tx-short",
                    test_tx_shorter_than_header);
    g_test_add_func("/virtio-net/hostile/tx-runt", test_tx_runt);
    g_test_add_func("/virtio-net/hostile/rx-read-only",
                    test_rx_read_only_buffer);
    g_test_add_func("/virtio-net/hostile/rx-below-header",
                    test_rx_buffer_below_header);
    g_test_add_func("/virtio-net/hostile/rx-too-small",
                    test_rx_buffer_too_small);
    g_test_add_func("/virtio-net/hostile/ctrl-no-ack", test_ctrl_without_ack);
    g_test_add_func("/virtio-net/features", test_feature_dependencies);
    g_test_add_func("/virtio-net/hostile/fuzz", test_fuzz);
    g_test_add_func("/virtio-net/cmdline/errors", test_cmdline_errors);
    g_test_add_func("/virtio-net/cmdline/nic", test_nic_shorthand);
    g_test_add_func("/virtio-net/tap/ping-offloads", test_tap_ping_offloads);
    g_test_add_func("/virtio-net/tap/ping-plain", test_tap_ping_plain);
    return g_test_run();
}
