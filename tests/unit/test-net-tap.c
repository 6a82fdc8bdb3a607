/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev tap in-process, against a network namespace the test creates:
 * the tap interface is moved into the namespace and given 192.168.76.1;
 * a stand-in NIC (the guest, 192.168.76.2) exchanges ARP with the
 * namespace's kernel and pings it, with and without virtio-net headers.
 * Needs root and /dev/net/tun; exits 77 (skip) otherwise.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "net/net.h"
#include "net/tap.h"
#include "net/virtio-net-hdr.h"
#include "system/main-loop.h"
#include "net-frames.h"
#include <sys/stat.h>

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define NS_IP IP4(192, 168, 76, 1)
#define GUEST_IP IP4(192, 168, 76, 2)
#define WAIT_ROUNDS 40000

static char ns_name[32];
static char if_name[16];

typedef struct Guest {
    NetClientState nc;
    GQueue rx;
    NetClientState *tap;
    int hdr_len;                /* vnet header on the link, 0 if none */
} Guest;

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
    g_queue_clear_full(&((Guest *)nc)->rx,
                       (GDestroyNotify)g_byte_array_unref);
}

static const NetClientInfo guest_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(Guest),
    .receive = guest_receive,
    .cleanup = guest_cleanup,
};

static void sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    g_autofree char *err = NULL;
    GError *e = NULL;
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!g_spawn_command_line_sync(cmd, NULL, &err, &status, &e)) {
        g_error("%s: %s", cmd, e->message);
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("%s failed: %s", cmd, err);
    }
}

/* A tap named if_name inside ns_name with NS_IP, and the guest on it. */
static Guest *guest_new(const char *vnet_hdr)
{
    g_autofree char *spec = g_strdup_printf("tap,ifname=%s,script=no,"
                                            "downscript=no,vnet_hdr=%s",
                                            if_name, vnet_hdr);
    g_autoptr(Opts) o = opts_parse(spec, "type", NULL);
    GError *err = NULL;
    NetClientState *tap;
    Guest *g;

    tap = net_backend_new("tap", "t0", o, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(net_tap_ifname(tap), ==, if_name);
    g = (Guest *)net_client_new(&guest_info, tap, "test-nic", "guest");
    g_queue_init(&g->rx);
    g->tap = tap;
    sh("ip link set %s netns %s", if_name, ns_name);
    sh("ip -n %s addr add 192.168.76.1/24 dev %s", ns_name, if_name);
    sh("ip -n %s link set %s up", ns_name, if_name);
    return g;
}

static void guest_free(Guest *g)
{
    /* Closing the fd removes the (non-persistent) interface. */
    net_client_free(g->tap);
    net_client_free(&g->nc);
}

static void guest_send(Guest *g, const uint8_t *f, size_t len)
{
    uint8_t buf[1700];

    memset(buf, 0, g->hdr_len);
    memcpy(buf + g->hdr_len, f, len);
    g_assert_cmpint(net_send_packet(&g->nc, buf, g->hdr_len + len), ==,
                    (ssize_t)(g->hdr_len + len));
}

typedef bool FrameMatch(const FrameInfo *fi, void *opaque);

/* Frames from the namespace until m accepts one (its header in *hdr). */
static GByteArray *guest_wait(Guest *g, FrameMatch *m, void *opaque,
                              VirtioNetHdrMrg *hdr)
{
    for (int i = 0; i < WAIT_ROUNDS; i++) {
        GByteArray *f;

        while ((f = g_queue_pop_head(&g->rx))) {
            uint8_t reply[64];
            const uint8_t *eth = f->data + g->hdr_len;
            size_t len = f->len - g->hdr_len;
            size_t n;
            FrameInfo fi;

            g_assert_cmpuint(f->len, >=, g->hdr_len);
            n = answer_arp(eth, len, guest_mac, GUEST_IP, reply);
            if (n) {
                guest_send(g, reply, n);
            }
            if (parse_frame(eth, len, &fi) && m(&fi, opaque)) {
                if (hdr) {
                    memset(hdr, 0, sizeof(*hdr));
                    memcpy(hdr, f->data, g->hdr_len);
                }
                g_byte_array_remove_range(f, 0, g->hdr_len);
                return f;
            }
            g_byte_array_unref(f);
        }
        main_loop_iterate(false);
        g_usleep(250);
    }
    g_error("no matching frame from the namespace");
}

static bool is_arp_reply(const FrameInfo *fi, void *opaque)
{
    return fi->ethertype == ETH_P_ARP && fi->arp_op == 2 &&
           fi->arp_spa == NS_IP;
}

static bool is_echo_reply(const FrameInfo *fi, void *opaque)
{
    return fi->ethertype == ETH_P_IP && fi->proto == IPPROTO_ICMP_ &&
           fi->icmp_type == 0 && fi->icmp_id == GPOINTER_TO_UINT(opaque);
}

static void check_arp(Guest *g)
{
    uint8_t f[64];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    guest_send(g, f, build_arp(f, 1, guest_mac, GUEST_IP, NULL, NS_IP));
    r = guest_wait(g, is_arp_reply, NULL, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_cmpmem(fi.dst, 6, guest_mac, 6);
    g_assert_cmphex(fi.arp_tpa, ==, GUEST_IP);
    g_assert_false(fi.arp_sha[0] & 1);
}

static void check_ping(Guest *g, uint16_t id, VirtioNetHdrMrg *hdr)
{
    static const char data[] = "ember ping payload 0123456789";
    uint8_t f[200];
    g_autoptr(GByteArray) r = NULL;
    FrameInfo fi;

    /* The namespace's MAC: from its ARP reply. */
    guest_send(g, f, build_arp(f, 1, guest_mac, GUEST_IP, NULL, NS_IP));
    r = guest_wait(g, is_arp_reply, NULL, NULL);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    guest_send(g, f, build_icmp_echo(f, guest_mac, fi.arp_sha, GUEST_IP,
                                     NS_IP, id, 1, data, sizeof(data)));
    g_byte_array_unref(r);
    r = guest_wait(g, is_echo_reply, GUINT_TO_POINTER(id), hdr);
    g_assert_true(parse_frame(r->data, r->len, &fi));
    g_assert_true(fi.ip_csum_ok && fi.l4_csum_ok);
    g_assert_cmphex(fi.ip_src, ==, NS_IP);
    g_assert_cmphex(fi.ip_dst, ==, GUEST_IP);
    g_assert_cmpuint(fi.icmp_seq, ==, 1);
    g_assert_cmpmem(fi.payload, fi.payload_len, data, sizeof(data));
}

static void test_arp(void)
{
    Guest *g = guest_new("off");

    g_assert_false(net_has_vnet_hdr(g->tap));
    check_arp(g);
    guest_free(g);
}

static void test_ping(void)
{
    Guest *g = guest_new("off");

    check_ping(g, 0x4242, NULL);
    guest_free(g);
}

/* With IFF_VNET_HDR but a NIC that does not use headers, the back end
 * adds and strips them: the guest sees plain frames. */
static void test_ping_hdr_unused(void)
{
    Guest *g = guest_new("on");

    g_assert_true(net_has_vnet_hdr(g->tap));
    check_ping(g, 0x4243, NULL);
    guest_free(g);
}

/* Headers on the link, 12 bytes (virtio 1.x): both ways. */
static void test_ping_vnet_hdr(void)
{
    Guest *g = guest_new("on");
    NetOffloads off = { .csum = true, .tso4 = true, .tso6 = true };
    VirtioNetHdrMrg hdr;

    g_assert_true(net_has_vnet_hdr_len(g->tap, sizeof(VirtioNetHdrMrg)));
    net_using_vnet_hdr(g->tap, true);
    net_set_vnet_hdr_len(g->tap, sizeof(VirtioNetHdrMrg));
    net_set_offload(g->tap, &off);
    g->hdr_len = sizeof(VirtioNetHdrMrg);
    check_ping(g, 0x4244, &hdr);
    /* A plain reply: no GSO, no partial checksum asked of us. */
    g_assert_cmpuint(hdr.hdr.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
    g_assert_false(hdr.hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
    guest_free(g);
}

/* The same interface name twice: the kernel's refusal, in one line. */
static void test_busy(void)
{
    g_autofree char *spec = g_strdup_printf("tap,ifname=%s,script=no",
                                            if_name);
    g_autoptr(Opts) o1 = opts_parse(spec, "type", NULL);
    g_autoptr(Opts) o2 = opts_parse(spec, "type", NULL);
    g_autofree char *want = g_strdup_printf("could not configure "
                                            "/dev/net/tun (%s): Device or "
                                            "resource busy", if_name);
    NetClientState *first;
    GError *err = NULL;

    first = net_backend_new("tap", "t1", o1, &err);
    g_assert_no_error(err);
    g_assert_null(net_backend_new("tap", "t2", o2, &err));
    g_assert_cmpstr(err->message, ==, want);
    g_error_free(err);
    g_assert_null(net_find_netdev("t2"));
    net_client_free(first);
}

/* script= runs with the interface name; a failing one is an error. */
static void test_script(void)
{
    g_autofree char *dir = g_dir_make_tmp("ember-tap-XXXXXX", NULL);
    g_autofree char *up = g_build_filename(dir, "up.sh", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.sh", NULL);
    g_autofree char *mark = g_build_filename(dir, "mark", NULL);
    g_autofree char *body = g_strdup_printf("#!/bin/sh\necho \"$1\" > %s\n",
                                            mark);
    g_autofree char *spec = NULL;
    g_autofree char *got = NULL;
    g_autoptr(Opts) o1 = NULL;
    g_autoptr(Opts) o2 = NULL;
    NetClientState *tap;
    GError *err = NULL;

    g_assert_true(g_file_set_contents(up, body, -1, NULL));
    g_assert_true(g_file_set_contents(bad, "#!/bin/sh\nexit 3\n", -1, NULL));
    chmod(up, 0755);
    chmod(bad, 0755);

    spec = g_strdup_printf("tap,ifname=%s,script=%s,downscript=no", if_name,
                           up);
    o1 = opts_parse(spec, "type", NULL);
    tap = net_backend_new("tap", "t2", o1, &err);
    g_assert_no_error(err);
    g_assert_true(g_file_get_contents(mark, &got, NULL, NULL));
    g_assert_cmpstr(g_strstrip(got), ==, if_name);
    net_client_free(tap);

    g_free(spec);
    spec = g_strdup_printf("tap,ifname=%s,script=%s", if_name, bad);
    o2 = opts_parse(spec, "type", NULL);
    g_assert_null(net_backend_new("tap", "t3", o2, &err));
    g_assert_nonnull(strstr(err->message, "failed with status 3"));
    g_error_free(err);
    g_assert_null(net_find_netdev("t3"));
    unlink(up);
    unlink(bad);
    unlink(mark);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_printerr("SKIP: needs root and /dev/net/tun\n");
        return 77;
    }
    snprintf(ns_name, sizeof(ns_name), "ember-net-%d", getpid());
    snprintf(if_name, sizeof(if_name), "embt%d", getpid() % 10000000);
    if (system("ip -V >/dev/null 2>&1") != 0) {
        g_printerr("SKIP: needs the ip tool (iproute2)\n");
        return 77;
    }
    {
        g_autofree char *cmd = g_strdup_printf("ip netns add %s", ns_name);
        if (system(cmd) != 0) {
            g_printerr("SKIP: cannot create a network namespace\n");
            return 77;
        }
    }
    main_loop_init();
    g_test_add_func("/net/tap/arp", test_arp);
    g_test_add_func("/net/tap/ping", test_ping);
    g_test_add_func("/net/tap/ping-hdr-unused", test_ping_hdr_unused);
    g_test_add_func("/net/tap/ping-vnet-hdr", test_ping_vnet_hdr);
    g_test_add_func("/net/tap/busy", test_busy);
    g_test_add_func("/net/tap/script", test_script);
    ret = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("ip netns del %s", ns_name);
        if (system(cmd) != 0) {
            g_printerr("could not remove namespace %s\n", ns_name);
        }
    }
    return ret;
}
