/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev socket and stream in-process, with the test as the far end:
 * QEMU's framing (a 32-bit big-endian length before each frame) both
 * ways over listen=, connect=, a UNIX stream and UDP; a peer that sends a
 * bad length is dropped and the next one accepted; and flow control both
 * ways: a peer that does not read stops the NIC (the send returns 0) and
 * loses nothing, a NIC that takes nothing stops the reading.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "net/net.h"
#include "system/main-loop.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#define ROUNDS 40000

typedef struct Nic {
    NetClientState nc;
    GQueue rx;
    bool ready;
    int resumed;
} Nic;

static bool nic_can_receive(NetClientState *nc)
{
    return ((Nic *)nc)->ready;
}

static ssize_t nic_receive(NetClientState *nc, const uint8_t *buf, size_t len)
{
    GByteArray *f = g_byte_array_sized_new(len);

    g_byte_array_append(f, buf, len);
    g_queue_push_tail(&((Nic *)nc)->rx, f);
    return len;
}

static void nic_cleanup(NetClientState *nc)
{
    g_queue_clear_full(&((Nic *)nc)->rx, (GDestroyNotify)g_byte_array_unref);
}

static const NetClientInfo nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(Nic),
    .receive = nic_receive,
    .can_receive = nic_can_receive,
    .cleanup = nic_cleanup,
};

static void nic_ready(NetClientState *nc)
{
    ((Nic *)nc)->resumed++;
}

static Nic *nic_on(const char *spec, NetClientState **be)
{
    g_autoptr(Opts) o = opts_parse(spec, "type", NULL);
    GError *err = NULL;
    Nic *n;

    *be = net_backend_new(opts_get(o, "type"), "s0", o, &err);
    g_assert_no_error(err);
    n = (Nic *)net_client_new(&nic_info, *be, "test-nic", "nic");
    g_queue_init(&n->rx);
    n->ready = true;
    return n;
}

static void spin(void)
{
    main_loop_iterate(false);
    g_usleep(100);
}

static int tcp_listener(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
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

static int tcp_connect(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons(port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    return fd;
}

/* Write one length-prefixed frame (blocking). */
static void peer_write(int fd, const void *frame, uint32_t len)
{
    uint32_t be = htonl(len);

    g_assert_cmpint(write(fd, &be, 4), ==, 4);
    g_assert_cmpint(write(fd, frame, len), ==, (ssize_t)len);
}

static bool readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    return poll(&p, 1, 0) == 1;
}

/* Read exactly len bytes, running the main loop while waiting. */
static void peer_read_exact(int fd, void *buf, size_t len)
{
    size_t got = 0;

    for (int i = 0; got < len && i < ROUNDS; i++) {
        if (readable(fd)) {
            ssize_t n = read(fd, (uint8_t *)buf + got, len - got);
            g_assert_cmpint(n, >, 0);
            got += n;
        } else {
            spin();
        }
    }
    g_assert_cmpuint(got, ==, len);
}

/* The NIC's next frame, running the main loop while waiting. */
static GByteArray *nic_wait(Nic *n)
{
    for (int i = 0; i < ROUNDS; i++) {
        GByteArray *f = g_queue_pop_head(&n->rx);
        if (f) {
            return f;
        }
        spin();
    }
    g_error("no frame reached the NIC");
}

/* Peer -> NIC first (a listening back end accepts on the way), then
 * NIC -> peer. */
static void check_stream_both_ways(Nic *n, int peer)
{
    static const char out[] = "frame from the guest, 0123456789abcdef";
    static const char in[] = "frame from the peer";
    uint8_t buf[128];
    uint32_t len;
    g_autoptr(GByteArray) f = NULL;

    peer_write(peer, in, sizeof(in));
    f = nic_wait(n);
    g_assert_cmpmem(f->data, f->len, in, sizeof(in));

    g_assert_cmpint(net_send_packet(&n->nc, (const uint8_t *)out,
                                    sizeof(out)), ==, sizeof(out));
    peer_read_exact(peer, &len, 4);
    g_assert_cmpuint(ntohl(len), ==, sizeof(out));
    peer_read_exact(peer, buf, sizeof(out));
    g_assert_cmpmem(buf, sizeof(out), out, sizeof(out));
}

static void test_listen(void)
{
    int port = free_port(SOCK_STREAM);
    g_autofree char *spec = g_strdup_printf("socket,listen=127.0.0.1:%d",
                                            port);
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int peer = tcp_connect(port);
    static const uint8_t early[60];

    /* Until accept, frames from the guest go nowhere (and do not wait). */
    g_assert_cmpint(net_send_packet(&n->nc, early, sizeof(early)), ==,
                    sizeof(early));
    check_stream_both_ways(n, peer);
    close(peer);
    net_client_free(be);
    net_client_free(&n->nc);
}

static void test_connect(void)
{
    int port, lfd = tcp_listener(&port);
    g_autofree char *spec = g_strdup_printf("socket,connect=127.0.0.1:%d",
                                            port);
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int peer = accept(lfd, NULL, NULL);

    g_assert_cmpint(peer, >=, 0);
    check_stream_both_ways(n, peer);
    close(peer);
    close(lfd);
    net_client_free(be);
    net_client_free(&n->nc);
}

static void test_stream_unix(void)
{
    g_autofree char *dir = g_dir_make_tmp("ember-net-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "s.sock", NULL);
    g_autofree char *spec = g_strdup_printf("stream,server=on,addr.type=unix,"
                                            "addr.path=%s", path);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int peer = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(un.sun_path, path);
    g_assert_cmpint(connect(peer, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    check_stream_both_ways(n, peer);
    close(peer);
    net_client_free(be);
    net_client_free(&n->nc);
    /* The back end removes its socket file. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

static void test_udp(void)
{
    int lport = free_port(SOCK_DGRAM);
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int peer = socket(AF_INET, SOCK_DGRAM, 0);
    g_autofree char *spec = NULL;
    static const char out[] = "udp frame out";
    static const char in[] = "udp frame in";
    uint8_t buf[64];
    NetClientState *be;
    Nic *n;
    g_autoptr(GByteArray) f = NULL;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(peer, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(getsockname(peer, (struct sockaddr *)&a, &alen), ==, 0);
    spec = g_strdup_printf("socket,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d",
                           ntohs(a.sin_port), lport);
    n = nic_on(spec, &be);
    g_assert_cmpint(net_send_packet(&n->nc, (const uint8_t *)out,
                                    sizeof(out)), ==, sizeof(out));
    g_assert_cmpint(recv(peer, buf, sizeof(buf), 0), ==, sizeof(out));
    g_assert_cmpmem(buf, sizeof(out), out, sizeof(out));
    a.sin_port = htons(lport);
    g_assert_cmpint(sendto(peer, in, sizeof(in), 0, (struct sockaddr *)&a,
                           sizeof(a)), ==, sizeof(in));
    f = nic_wait(n);
    g_assert_cmpmem(f->data, f->len, in, sizeof(in));
    close(peer);
    net_client_free(be);
    net_client_free(&n->nc);
}

/* A peer that sends an impossible length is dropped; the next peer is
 * accepted and works. */
static void test_bad_length(void)
{
    int port = free_port(SOCK_STREAM);
    g_autofree char *spec = g_strdup_printf("socket,listen=127.0.0.1:%d",
                                            port);
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int bad = tcp_connect(port);
    uint32_t huge = 0xffffffff;
    int good;
    char c;

    g_assert_cmpint(write(bad, &huge, 4), ==, 4);
    /* The back end closes it: the peer reads end-of-file. */
    for (int i = 0; i < ROUNDS && !readable(bad); i++) {
        spin();
    }
    g_assert_cmpint(read(bad, &c, 1), ==, 0);
    close(bad);
    good = tcp_connect(port);
    check_stream_both_ways(n, good);
    close(good);
    net_client_free(be);
    net_client_free(&n->nc);
}

/*
 * Guest -> peer with a peer that does not read: once the socket buffers
 * are full, frames wait in the core, and the NIC is told to stop. Then
 * the peer reads: every frame arrives, in order, and the NIC resumes.
 */
static void test_flow_to_peer(void)
{
    enum { FRAME = 60000 };
    int port, lfd = tcp_listener(&port);
    g_autofree char *spec = g_strdup_printf("socket,connect=127.0.0.1:%d",
                                            port);
    g_autofree uint8_t *frame = g_malloc(FRAME);
    g_autofree uint8_t *buf = g_malloc(FRAME);
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int peer = accept(lfd, NULL, NULL);
    uint32_t sent = 0;

    memset(frame, 0x5a, FRAME);
    for (;;) {
        memcpy(frame, &sent, 4);
        sent++;
        if (net_send_packet_async(&n->nc, frame, FRAME, nic_ready) == 0) {
            break;
        }
        g_assert_cmpuint(sent, <, 100000);
    }
    /* Stopped by the byte limit (these are big frames). */
    g_assert_cmpuint(net_queue_length(be), ==,
                     DIV_ROUND_UP(NET_QUEUE_SOFT_BYTES, FRAME));
    g_assert_cmpint(n->resumed, ==, 0);
    for (uint32_t i = 0; i < sent; i++) {
        uint32_t len, num;

        peer_read_exact(peer, &len, 4);
        g_assert_cmpuint(ntohl(len), ==, FRAME);
        peer_read_exact(peer, buf, FRAME);
        memcpy(&num, buf, 4);
        g_assert_cmpuint(num, ==, i);
    }
    g_assert_cmpint(n->resumed, ==, 1);
    g_assert_cmpuint(be->stats.dropped, ==, 0);
    close(peer);
    close(lfd);
    net_client_free(be);
    net_client_free(&n->nc);
}

/* Peer -> guest with a NIC that takes nothing: the back end stops
 * reading at the soft limit; later everything arrives in order. */
static void test_flow_to_nic(void)
{
    enum { TOTAL = 1000 };
    int port, lfd = tcp_listener(&port);
    g_autofree char *spec = g_strdup_printf("socket,connect=127.0.0.1:%d",
                                            port);
    NetClientState *be;
    Nic *n = nic_on(spec, &be);
    int peer = accept(lfd, NULL, NULL);
    uint32_t got = 0;

    n->ready = false;
    for (uint32_t i = 0; i < TOTAL; i++) {
        uint8_t frame[64] = { 0 };
        memcpy(frame, &i, 4);
        peer_write(peer, frame, sizeof(frame));
    }
    for (int i = 0; i < 2000; i++) {
        main_loop_iterate(false);
    }
    /* Stopped at the limit; the rest still in the socket or buffer. */
    g_assert_cmpuint(net_queue_length(&n->nc), ==, NET_QUEUE_SOFT_LIMIT);
    g_assert_cmpuint(be->stats.stops, ==, 1);

    n->ready = true;
    for (int round = 0; got < TOTAL && round < ROUNDS; round++) {
        GByteArray *f;

        net_queue_flush(&n->nc);
        while ((f = g_queue_pop_head(&n->rx))) {
            uint32_t num;
            g_assert_cmpuint(f->len, ==, 64);
            memcpy(&num, f->data, 4);
            g_assert_cmpuint(num, ==, got);
            got++;
            g_byte_array_unref(f);
        }
        spin();
    }
    g_assert_cmpuint(got, ==, TOTAL);
    g_assert_cmpuint(n->nc.stats.dropped, ==, 0);
    close(peer);
    close(lfd);
    net_client_free(be);
    net_client_free(&n->nc);
}

static void test_bad_options(void)
{
    static const char *const bad[][2] = {
        { "socket", "exactly one of" },
        { "socket,listen=:1,connect=127.0.0.1:2", "exactly one of" },
        { "socket,udp=127.0.0.1:9", "needs localaddr" },
        { "socket,connect=nohostport", "is not HOST:PORT" },
        { "socket,mcast=230.0.0.1:1234", "mcast= is not supported" },
        { "stream,addr.type=tcp", "addr.type must be" },
        { "stream,addr.type=inet", "needs addr.port" },
        { "stream,addr.type=unix", "needs addr.path" },
    };
    int port = free_port(SOCK_STREAM);

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(Opts) o = opts_parse(bad[i][0], "type", NULL);
        GError *err = NULL;

        g_assert_null(net_backend_new(opts_get(o, "type"), "x", o, &err));
        if (!strstr(err->message, bad[i][1])) {
            g_error("'%s': '%s'", bad[i][0], err->message);
        }
        g_error_free(err);
    }
    /* Nobody listening. */
    {
        g_autofree char *spec = g_strdup_printf("socket,connect=127.0.0.1:%d",
                                                port);
        g_autoptr(Opts) o = opts_parse(spec, "type", NULL);
        GError *err = NULL;

        g_assert_null(net_backend_new("socket", "x", o, &err));
        g_assert_nonnull(strstr(err->message, "Connection refused"));
        g_error_free(err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    g_test_add_func("/net/socket/listen", test_listen);
    g_test_add_func("/net/socket/connect", test_connect);
    g_test_add_func("/net/socket/stream-unix", test_stream_unix);
    g_test_add_func("/net/socket/udp", test_udp);
    g_test_add_func("/net/socket/bad-length", test_bad_length);
    g_test_add_func("/net/socket/flow-to-peer", test_flow_to_peer);
    g_test_add_func("/net/socket/flow-to-nic", test_flow_to_nic);
    g_test_add_func("/net/socket/bad-options", test_bad_options);
    return g_test_run();
}
