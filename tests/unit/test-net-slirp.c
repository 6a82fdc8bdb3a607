/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev user in-process: a stand-in NIC plays the guest's network
 * stack (frames built by hand, tests/unit/net-frames.c) and the main loop
 * runs libslirp. DHCP offers and acks the expected addresses, ARP for the
 * host and DNS addresses is answered, hostfwd brings host TCP and UDP to
 * the guest and back, the guest reaches the host's loopback through
 * 10.0.2.2, restrict=on keeps it in, and a guest that takes no frames
 * makes slirp stop reading the host's sockets instead of dropping.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "net/net.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "net-frames.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define GUEST_IP IP4(10, 0, 2, 15)
#define HOST_IP IP4(10, 0, 2, 2)
#define DNS_IP IP4(10, 0, 2, 3)
/* Main-loop rounds before a wait gives up (each sleeps 250 us). */
#define WAIT_ROUNDS 40000

typedef struct Guest {
    NetClientState nc;
    GQueue rx;                  /* GByteArray * */
    bool ready;
    NetClientState *backend;
    uint8_t host_mac[6];        /* slirp's, from its ARP reply */
    uint32_t ip;
} Guest;

static bool guest_can_receive(NetClientState *nc)
{
    return ((Guest *)nc)->ready;
}

static ssize_t guest_receive(NetClientState *nc, const uint8_t *buf,
                             size_t len)
{
    Guest *g = (Guest *)nc;
    GByteArray *f = g_byte_array_sized_new(len);

    g_byte_array_append(f, buf, len);
    g_queue_push_tail(&g->rx, f);
    return len;
}

static void guest_cleanup(NetClientState *nc)
{
    Guest *g = (Guest *)nc;

    g_queue_clear_full(&g->rx, (GDestroyNotify)g_byte_array_unref);
}

static const NetClientInfo guest_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(Guest),
    .receive = guest_receive,
    .can_receive = guest_can_receive,
    .cleanup = guest_cleanup,
};

static Guest *guest_new(const char *netdev)
{
    g_autoptr(Opts) o = opts_parse(netdev, "type", NULL);
    GError *err = NULL;
    NetClientState *be;
    Guest *g;

    g_assert_nonnull(o);
    be = net_backend_new(opts_get(o, "type"), "u0", o, &err);
    g_assert_no_error(err);
    g = (Guest *)net_client_new(&guest_info, be, "test-nic", "guest");
    g_queue_init(&g->rx);
    g->ready = true;
    g->backend = be;
    g->ip = GUEST_IP;
    return g;
}

static void guest_free(Guest *g)
{
    net_client_free(g->backend);
    net_client_free(&g->nc);
}

static void guest_send(Guest *g, const uint8_t *f, size_t len)
{
    g_assert_cmpint(net_send_packet(&g->nc, f, len), ==, (ssize_t)len);
}

static void loop_once(void)
{
    main_loop_iterate(false);
    g_usleep(250);
}

typedef bool FrameMatch(const FrameInfo *fi, void *opaque);

/*
 * Run the main loop until a frame that m accepts arrives (returned; the
 * others are dropped). ARP requests for the guest's address are
 * answered on the way, as a guest stack would.
 */
static GByteArray *guest_wait(Guest *g, FrameMatch *m, void *opaque)
{
    for (int i = 0; i < WAIT_ROUNDS; i++) {
        GByteArray *f;

        while ((f = g_queue_pop_head(&g->rx))) {
            uint8_t reply[64];
            size_t n = answer_arp(f->data, f->len, guest_mac, g->ip, reply);
            FrameInfo fi;

            if (n) {
                guest_send(g, reply, n);
            }
            if (parse_frame(f->data, f->len, &fi) && m(&fi, opaque)) {
                return f;
            }
            g_byte_array_unref(f);
        }
        loop_once();
    }
    g_error("no matching frame after %d main-loop rounds", WAIT_ROUNDS);
}

/* Run the main loop until cond(opaque) holds. */
static void loop_until(bool (*cond)(void *), void *opaque, Guest *g)
{
    for (int i = 0; i < WAIT_ROUNDS; i++) {
        GByteArray *f;

        if (cond(opaque)) {
            return;
        }
        while (g && (f = g_queue_pop_head(&g->rx))) {
            uint8_t reply[64];
            size_t n = answer_arp(f->data, f->len, guest_mac, g->ip, reply);
            if (n) {
                guest_send(g, reply, n);
            }
            g_byte_array_unref(f);
        }
        loop_once();
    }
    g_error("condition not met after %d main-loop rounds", WAIT_ROUNDS);
}

/* ---- matchers ------------------------------------------------------------ */

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
    uint8_t flags;              /* all of these set */
    bool with_data;
} TcpMatch;

static bool is_tcp(const FrameInfo *fi, void *opaque)
{
    TcpMatch *m = opaque;

    return fi->ethertype == ETH_P_IP && fi->proto == IPPROTO_TCP_ &&
           fi->dport == m->dport && (fi->tcp_flags & m->flags) == m->flags &&
           (!m->with_data || fi->payload_len);
}

static bool is_udp_to(const FrameInfo *fi, void *opaque)
{
    return fi->ethertype == ETH_P_IP && fi->proto == IPPROTO_UDP_ &&
           fi->dport == GPOINTER_TO_UINT(opaque);
}

/* ---- helpers ------------------------------------------------------------- */

/* A free port on 127.0.0.1 (bound, read back, closed). */
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

static int loopback_socket(int type, int port, bool listen_too)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(port) };
    int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0);
    int one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    if (listen_too) {
        g_assert_cmpint(listen(fd, 4), ==, 0);
    }
    return fd;
}

static void send_to_port(int fd, int port, const void *buf, size_t len)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(port) };

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(sendto(fd, buf, len, 0, (struct sockaddr *)&a,
                           sizeof(a)), ==, (ssize_t)len);
}

/* The guest asks for 10.0.2.2's MAC (and slirp learns the guest's). */
static void guest_arp_host(Guest *g)
{
    uint8_t f[64];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    guest_send(g, f, build_arp(f, 1, guest_mac, g->ip, NULL, HOST_IP));
    r = guest_wait(g, is_arp_reply_from, GUINT_TO_POINTER(HOST_IP));
    g_assert_true(parse_frame(r->data, r->len, &fi));
    memcpy(g->host_mac, fi.arp_sha, 6);
}

typedef struct FdWait {
    int fd;
    short events;
} FdWait;

static bool fd_ready(void *opaque)
{
    FdWait *w = opaque;
    struct pollfd p = { .fd = w->fd, .events = w->events };

    return poll(&p, 1, 0) == 1;
}

/* ---- tests --------------------------------------------------------------- */

static void check_dhcp(const char *netdev, uint32_t want_ip,
                       uint32_t want_host, uint32_t want_dns,
                       uint32_t want_mask)
{
    Guest *g = guest_new(netdev);
    uint8_t f[1600];
    g_autoptr(GByteArray) offer = NULL;
    g_autoptr(GByteArray) ack = NULL;
    FrameInfo fi;
    uint32_t xid, yi;
    uint8_t type, len;
    const uint8_t *o;

    guest_send(g, f, build_dhcp(f, guest_mac, 0x1234abcd, 1, 0, 0));
    offer = guest_wait(g, is_dhcp, GUINT_TO_POINTER(2));
    g_assert_true(parse_frame(offer->data, offer->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_true(dhcp_parse(&fi, &xid, &yi, &type));
    g_assert_cmphex(xid, ==, 0x1234abcd);
    g_assert_cmphex(yi, ==, want_ip);
    g_assert_cmphex(fi.ip_src, ==, want_host);
    o = dhcp_option(&fi, 54, &len);             /* server identifier */
    g_assert_true(o && len == 4);
    g_assert_cmphex((uint32_t)o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3], ==,
                    want_host);
    o = dhcp_option(&fi, 3, &len);              /* router */
    g_assert_true(o && len >= 4);
    g_assert_cmphex((uint32_t)o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3], ==,
                    want_host);
    o = dhcp_option(&fi, 6, &len);              /* DNS */
    g_assert_true(o && len >= 4);
    g_assert_cmphex((uint32_t)o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3], ==,
                    want_dns);
    o = dhcp_option(&fi, 1, &len);              /* subnet mask */
    g_assert_true(o && len == 4);
    g_assert_cmphex((uint32_t)o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3], ==,
                    want_mask);

    guest_send(g, f, build_dhcp(f, guest_mac, 0x1234abce, 3, yi, want_host));
    ack = guest_wait(g, is_dhcp, GUINT_TO_POINTER(5));
    g_assert_true(parse_frame(ack->data, ack->len, &fi));
    g_assert_true(dhcp_parse(&fi, &xid, &yi, &type));
    g_assert_cmphex(xid, ==, 0x1234abce);
    g_assert_cmphex(yi, ==, want_ip);
    guest_free(g);
}

static void test_dhcp_defaults(void)
{
    check_dhcp("user", GUEST_IP, HOST_IP, DNS_IP, IP4(255, 255, 255, 0));
}

static void test_dhcp_custom_net(void)
{
    check_dhcp("user,net=192.168.76.0/23,host=192.168.77.1,"
               "dhcpstart=192.168.76.100,dns=192.168.76.53",
               IP4(192, 168, 76, 100), IP4(192, 168, 77, 1),
               IP4(192, 168, 76, 53), IP4(255, 255, 254, 0));
}

static void test_arp(void)
{
    Guest *g = guest_new("user");
    uint8_t f[64];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    guest_arp_host(g);
    g_assert_false(g->host_mac[0] & 1);
    guest_send(g, f, build_arp(f, 1, guest_mac, GUEST_IP, NULL, DNS_IP));
    r = guest_wait(g, is_arp_reply_from, GUINT_TO_POINTER(DNS_IP));
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmpmem(fi.dst, 6, guest_mac, 6);
    g_assert_cmpmem(fi.arp_tha, 6, guest_mac, 6);
    g_assert_cmphex(fi.arp_tpa, ==, GUEST_IP);
    guest_free(g);
}

typedef struct TcpPeer {
    uint32_t snd_nxt;           /* guest's next sequence number */
    uint32_t rcv_nxt;           /* what the guest acknowledges */
    uint32_t peer_ip;
    uint16_t peer_port, port;
} TcpPeer;

/* Host -> guest TCP through hostfwd, both directions of data. */
static void test_hostfwd_tcp(void)
{
    int port = free_port(SOCK_STREAM);
    g_autofree char *nd = g_strdup_printf("user,hostfwd=tcp:127.0.0.1:%d-"
                                          ":2222", port);
    Guest *g = guest_new(nd);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(port) };
    TcpMatch syn = { .dport = 2222, .flags = TCP_SYN };
    TcpMatch data = { .dport = 2222, .flags = TCP_ACK, .with_data = true };
    g_autoptr(GByteArray) f1 = NULL;
    g_autoptr(GByteArray) f2 = NULL;
    uint8_t f[1600];
    char buf[16];
    FrameInfo fi;
    TcpPeer t = { .snd_nxt = 0x10000000, .port = 2222 };
    FdWait w;
    int c;

    guest_arp_host(g);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_true(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 ||
                  errno == EINPROGRESS);

    /* slirp accepts and opens the connection to the guest. */
    f1 = guest_wait(g, is_tcp, &syn);
    g_assert_true(parse_frame(f1->data, f1->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_cmphex(fi.ip_dst, ==, GUEST_IP);
    g_assert_cmpmem(fi.dst, 6, guest_mac, 6);
    g_assert_false(fi.tcp_flags & TCP_ACK);
    t.peer_ip = fi.ip_src;
    t.peer_port = fi.sport;
    t.rcv_nxt = fi.seq + 1;
    guest_send(g, f, build_tcp(f, guest_mac, fi.src, GUEST_IP, t.peer_ip,
                               t.port, t.peer_port, t.snd_nxt++, t.rcv_nxt,
                               TCP_SYN | TCP_ACK, 65535, NULL, 0));

    /* Host to guest. */
    w.fd = c;
    w.events = POLLOUT;
    loop_until(fd_ready, &w, g);
    g_assert_cmpint(send(c, "ping", 4, 0), ==, 4);
    f2 = guest_wait(g, is_tcp, &data);
    g_assert_true(parse_frame(f2->data, f2->len, &fi));
    g_assert_true(fi.l4_csum_ok);
    g_assert_cmpuint(fi.seq, ==, t.rcv_nxt);
    g_assert_cmpmem(fi.payload, fi.payload_len, "ping", 4);
    t.rcv_nxt += fi.payload_len;

    /* Guest to host. */
    guest_send(g, f, build_tcp(f, guest_mac, fi.src, GUEST_IP, t.peer_ip,
                               t.port, t.peer_port, t.snd_nxt, t.rcv_nxt,
                               TCP_ACK | TCP_PSH, 65535, "pong", 4));
    t.snd_nxt += 4;
    w.events = POLLIN;
    loop_until(fd_ready, &w, g);
    g_assert_cmpint(recv(c, buf, sizeof(buf), 0), ==, 4);
    g_assert_cmpmem(buf, 4, "pong", 4);
    close(c);
    guest_free(g);
}

static void test_hostfwd_udp(void)
{
    int port = free_port(SOCK_DGRAM);
    g_autofree char *nd = g_strdup_printf("user,hostfwd=udp:127.0.0.1:%d-"
                                          ":5353", port);
    Guest *g = guest_new(nd);
    g_autoptr(GByteArray) r = NULL;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    FrameInfo fi;

    guest_arp_host(g);
    send_to_port(s, port, "dgram", 5);
    r = guest_wait(g, is_udp_to, GUINT_TO_POINTER(5353));
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_cmphex(fi.ip_dst, ==, GUEST_IP);
    g_assert_cmpmem(fi.payload, fi.payload_len, "dgram", 5);
    close(s);
    guest_free(g);
}

/* The guest reaches a UDP service on the host's loopback at 10.0.2.2. */
static void test_guest_to_host_udp(void)
{
    int port = free_port(SOCK_DGRAM);
    int s = loopback_socket(SOCK_DGRAM, port, false);
    Guest *g = guest_new("user");
    uint8_t f[1600];
    char buf[32];
    FdWait w = { .fd = s, .events = POLLIN };

    guest_arp_host(g);
    guest_send(g, f, build_udp(f, guest_mac, g->host_mac, GUEST_IP, HOST_IP,
                               40000, port, "hello host", 10));
    loop_until(fd_ready, &w, g);
    g_assert_cmpint(recv(s, buf, sizeof(buf), 0), ==, 10);
    g_assert_cmpmem(buf, 10, "hello host", 10);
    close(s);
    guest_free(g);
}

/*
 * restrict=on: a connection from the guest to the host is refused with
 * a reset and never reaches the host; a UDP datagram is dropped. The
 * same with restrict=off reaches the host (the control).
 */
static void check_restrict(bool restricted)
{
    int tport = free_port(SOCK_STREAM), uport = free_port(SOCK_DGRAM);
    int l = loopback_socket(SOCK_STREAM, tport, true);
    int u = loopback_socket(SOCK_DGRAM, uport, false);
    Guest *g = guest_new(restricted ? "user,restrict=on"
                                    : "user,restrict=off");
    TcpMatch answer = { .dport = 3333 };
    g_autoptr(GByteArray) r = NULL;
    uint8_t f[1600];
    char buf[8];
    FrameInfo fi;

    guest_arp_host(g);
    /* UDP is handed to the host socket inside slirp_input, at once. */
    guest_send(g, f, build_udp(f, guest_mac, g->host_mac, GUEST_IP, HOST_IP,
                               40001, uport, "out", 3));
    g_assert_cmpint(recv(u, buf, sizeof(buf), MSG_DONTWAIT), ==,
                    restricted ? -1 : 3);

    guest_send(g, f, build_tcp(f, guest_mac, g->host_mac, GUEST_IP, HOST_IP,
                               3333, tport, 1000, 0, TCP_SYN, 65535, NULL,
                               0));
    r = guest_wait(g, is_tcp, &answer);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmphex(fi.ip_src, ==, HOST_IP);
    g_assert_cmpuint(fi.sport, ==, tport);
    if (restricted) {
        int c = accept(l, NULL, NULL);
        g_assert_true(fi.tcp_flags & TCP_RST);
        g_assert_cmpint(c, ==, -1);
        g_assert_cmpint(errno, ==, EAGAIN);
    } else {
        FdWait w = { .fd = l, .events = POLLIN };
        g_assert_cmphex(fi.tcp_flags & (TCP_SYN | TCP_ACK), ==,
                        TCP_SYN | TCP_ACK);
        loop_until(fd_ready, &w, g);
        close(accept(l, NULL, NULL));
    }
    close(l);
    close(u);
    guest_free(g);
}

static void test_restrict_on(void)
{
    check_restrict(true);
}

static void test_restrict_off(void)
{
    check_restrict(false);
}

static bool nic_queue_full(void *opaque)
{
    Guest *g = opaque;

    return net_queue_length(&g->nc) >= NET_QUEUE_SOFT_LIMIT;
}

/*
 * A guest that takes no frames: once its queue is full, slirp is told to
 * stop and leaves the host's datagrams in the socket; when the guest
 * takes frames again, every datagram arrives, in order.
 */
static void test_flow_control(void)
{
    /* Beyond the 256 queued, the rest must fit in the UDP socket's
     * default receive buffer (~270 small datagrams), or the host kernel
     * drops them (UdpRcvbufErrors) before slirp could. */
    enum { TOTAL = 400, BATCH = 50 };
    int port = free_port(SOCK_DGRAM);
    g_autofree char *nd = g_strdup_printf("user,hostfwd=udp:127.0.0.1:%d-"
                                          ":6000", port);
    Guest *g = guest_new(nd);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    unsigned got = 0, sent = 0;
    unsigned peak;

    guest_arp_host(g);
    g->ready = false;
    while (sent < TOTAL && !nic_queue_full(g)) {
        for (int i = 0; i < BATCH; i++, sent++) {
            uint32_t n = htonl(sent);
            send_to_port(s, port, &n, 4);
        }
        /* Let slirp read them all, or stop when the queue fills. */
        for (int i = 0; i < 200 && !nic_queue_full(g); i++) {
            main_loop_iterate(false);
        }
    }
    g_assert_true(nic_queue_full(g));
    /* The rest wait in the host socket (they fit in its buffer). */
    for (; sent < TOTAL; sent++) {
        uint32_t n = htonl(sent);
        send_to_port(s, port, &n, 4);
    }
    for (int i = 0; i < 500; i++) {
        main_loop_iterate(false);
    }
    peak = net_queue_length(&g->nc);
    g_assert_cmpuint(peak, <, TOTAL);
    g_assert_cmpuint(g->backend->stats.stops, >=, 1);

    /* The guest takes frames again. */
    g->ready = true;
    for (int round = 0; got < TOTAL && round < WAIT_ROUNDS; round++) {
        GByteArray *f;

        net_queue_flush(&g->nc);
        while ((f = g_queue_pop_head(&g->rx))) {
            FrameInfo fi;
            uint32_t n;

            if (parse_frame(f->data, f->len, &fi) &&
                is_udp_to(&fi, GUINT_TO_POINTER(6000))) {
                g_assert_cmpuint(fi.payload_len, ==, 4);
                memcpy(&n, fi.payload, 4);
                g_assert_cmpuint(ntohl(n), ==, got);
                got++;
            }
            g_byte_array_unref(f);
        }
        loop_once();
    }
    g_assert_cmpuint(got, ==, TOTAL);
    g_assert_cmpuint(g->nc.stats.dropped, ==, 0);
    close(s);
    guest_free(g);
}

/*
 * An idle main loop sleeps: with slirp watching a socket on which
 * nothing happens, a prepared main context has no fd ready, in
 * particular not its own wakeup fd. (slirp's source re-registered its
 * poll fds at every prepare, which signals that fd: every poll returned
 * at once and the loop spun on a core, taking the BQL from the vCPU.)
 */
static void test_idle_loop_sleeps(void)
{
    int port = free_port(SOCK_STREAM);
    g_autofree char *nd = g_strdup_printf("user,hostfwd=tcp:127.0.0.1:%d-"
                                          ":2222", port);
    Guest *g = guest_new(nd);
    GMainContext *ctx = g_main_context_default();
    GPollFD fds[64];
    gint prio, timeout, n;

    /* Settle: the first prepare registers the fds (one wakeup). */
    for (int i = 0; i < 4; i++) {
        main_loop_iterate(false);
    }
    for (int round = 0; round < 3; round++) {
        g_assert_true(g_main_context_acquire(ctx));
        g_main_context_prepare(ctx, &prio);
        n = g_main_context_query(ctx, prio, &timeout, fds,
                                 G_N_ELEMENTS(fds));
        g_assert_cmpint(n, <=, (gint)G_N_ELEMENTS(fds));
        /* The hostfwd listener is among them, not ready. */
        g_assert_cmpint(n, >=, 2);
        g_assert_cmpint(poll((struct pollfd *)fds, n, 0), ==, 0);
        g_main_context_check(ctx, prio, fds, n);
        g_main_context_dispatch(ctx);
        g_main_context_release(ctx);
    }
    guest_free(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    /* slirp's clock is the virtual clock: let it run, as a VM would. */
    clock_virtual_start();
    g_test_add_func("/net/slirp/dhcp/defaults", test_dhcp_defaults);
    g_test_add_func("/net/slirp/dhcp/custom-net", test_dhcp_custom_net);
    g_test_add_func("/net/slirp/arp", test_arp);
    g_test_add_func("/net/slirp/hostfwd/tcp", test_hostfwd_tcp);
    g_test_add_func("/net/slirp/hostfwd/udp", test_hostfwd_udp);
    g_test_add_func("/net/slirp/guest-to-host-udp", test_guest_to_host_udp);
    g_test_add_func("/net/slirp/restrict/on", test_restrict_on);
    g_test_add_func("/net/slirp/restrict/off", test_restrict_off);
    g_test_add_func("/net/slirp/flow-control", test_flow_control);
    g_test_add_func("/net/slirp/idle-loop-sleeps", test_idle_loop_sleeps);
    return g_test_run();
}
