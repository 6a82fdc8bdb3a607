/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network core: delivery between peers, the incoming queues and
 * their flow control (a sender is stopped, never loses a frame, and is
 * resumed), scatter-gather sends, link state, peers going away, the vnet
 * header interface, and the NIC properties (mac=, netdev=, the default
 * MAC pool).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "net/net.h"

/* A stand-in client: records what it receives, takes what room allows. */
typedef struct TestClient {
    NetClientState nc;
    GPtrArray *frames;          /* GByteArray * received */
    bool ready;                 /* can_receive */
    int room;                   /* frames receive takes; -1: unlimited */
    int resumed;                /* times its NetReadyCB ran */
    unsigned queue_at_resume;   /* the peer's queue length then */
    /* Re-entry test: on the first frame, send this from 'via'. */
    NetClientState *via;
    bool resent;
    /* vnet header state */
    bool vnet_hdr, vnet_used;
    int vnet_len;
    NetOffloads off;
} TestClient;

static bool tc_can_receive(NetClientState *nc)
{
    return ((TestClient *)nc)->ready;
}

static ssize_t tc_receive(NetClientState *nc, const uint8_t *buf, size_t len)
{
    TestClient *t = (TestClient *)nc;
    GByteArray *f;

    if (t->room == 0) {
        return 0;
    }
    if (t->room > 0) {
        t->room--;
    }
    f = g_byte_array_sized_new(len);
    g_byte_array_append(f, buf, len);
    g_ptr_array_add(t->frames, f);
    if (t->via && !t->resent) {
        static const uint8_t again[] = "again";
        t->resent = true;
        g_assert_cmpint(net_send_packet(t->via, again, sizeof(again)), ==,
                        sizeof(again));
    }
    return len;
}

static int iov_calls;

static ssize_t tc_receive_iov(NetClientState *nc, const struct iovec *iov,
                              int iovcnt)
{
    size_t len = net_iov_size(iov, iovcnt);
    g_autofree uint8_t *buf = g_malloc(len + 1);

    iov_calls++;
    net_iov_to_buf(iov, iovcnt, 0, buf, len);
    return tc_receive(nc, buf, len);
}

static bool tc_has_vnet_hdr(NetClientState *nc)
{
    return ((TestClient *)nc)->vnet_hdr;
}

static bool tc_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return ((TestClient *)nc)->vnet_hdr && (len == 10 || len == 12);
}

static void tc_using_vnet_hdr(NetClientState *nc, bool on)
{
    ((TestClient *)nc)->vnet_used = on;
}

static void tc_set_vnet_hdr_len(NetClientState *nc, int len)
{
    ((TestClient *)nc)->vnet_len = len;
}

static void tc_set_offload(NetClientState *nc, const NetOffloads *off)
{
    ((TestClient *)nc)->off = *off;
}

static int link_changes;

static void tc_link_changed(NetClientState *nc)
{
    link_changes++;
}

static void tc_cleanup(NetClientState *nc)
{
    TestClient *t = (TestClient *)nc;

    g_ptr_array_unref(t->frames);
}

static const NetClientInfo tc_info = {
    .type = NET_CLIENT_DRIVER_TEST,
    .size = sizeof(TestClient),
    .receive = tc_receive,
    .can_receive = tc_can_receive,
    .cleanup = tc_cleanup,
    .link_status_changed = tc_link_changed,
    .has_vnet_hdr = tc_has_vnet_hdr,
    .has_vnet_hdr_len = tc_has_vnet_hdr_len,
    .using_vnet_hdr = tc_using_vnet_hdr,
    .set_vnet_hdr_len = tc_set_vnet_hdr_len,
    .set_offload = tc_set_offload,
};

static const NetClientInfo tc_iov_info = {
    .type = NET_CLIENT_DRIVER_TEST,
    .size = sizeof(TestClient),
    .receive = tc_receive,
    .receive_iov = tc_receive_iov,
    .can_receive = tc_can_receive,
    .cleanup = tc_cleanup,
};

static TestClient *tc_new(const NetClientInfo *info, TestClient *peer,
                          const char *name)
{
    TestClient *t = (TestClient *)net_client_new(info,
                                                 peer ? &peer->nc : NULL,
                                                 "test", name);
    t->frames = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    t->ready = true;
    t->room = -1;
    return t;
}

static void tc_ready_cb(NetClientState *sender)
{
    TestClient *t = (TestClient *)sender;

    t->resumed++;
    t->queue_at_resume = sender->peer ? net_queue_length(sender->peer) : 0;
}

/* Frame i: its number in the first 4 bytes, then filler. */
static ssize_t send_numbered(TestClient *from, uint32_t i, NetReadyCB *cb)
{
    uint8_t buf[64];

    memset(buf, (uint8_t)i, sizeof(buf));
    memcpy(buf, &i, 4);
    return net_send_packet_async(&from->nc, buf, 60 + i % 4, cb);
}

static uint32_t frame_number(TestClient *t, unsigned k)
{
    GByteArray *f = g_ptr_array_index(t->frames, k);
    uint32_t i;

    g_assert_cmpuint(f->len, >=, 4);
    memcpy(&i, f->data, 4);
    g_assert_cmpuint(f->len, ==, 60 + i % 4);
    return i;
}

static void test_direct_delivery(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");

    g_assert_true(a->nc.peer == &b->nc && b->nc.peer == &a->nc);
    g_assert_cmpint(send_numbered(a, 7, tc_ready_cb), ==, 60 + 3);
    g_assert_cmpuint(b->frames->len, ==, 1);
    g_assert_cmpuint(frame_number(b, 0), ==, 7);
    g_assert_cmpuint(net_queue_length(&b->nc), ==, 0);
    g_assert_cmpuint(b->nc.stats.rx_packets, ==, 1);
    g_assert_cmpuint(a->nc.stats.tx_packets, ==, 1);
    /* And back. */
    g_assert_cmpint(send_numbered(b, 8, NULL), ==, 60);
    g_assert_cmpuint(frame_number(a, 0), ==, 8);
    net_client_free(&a->nc);
    g_assert_null(b->nc.peer);
    /* Without a peer, frames go nowhere (and nothing is queued). */
    g_assert_cmpint(send_numbered(b, 9, NULL), ==, 61);
    net_client_free(&b->nc);
}

/*
 * A receiver that cannot take frames: they are queued, the sender is told
 * to stop exactly at the soft limit, and after a flush everything arrives
 * in order and the sender is resumed once, below half the limit.
 */
static void test_queue_stop_resume(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");
    uint32_t i;

    b->ready = false;
    for (i = 0; i < NET_QUEUE_SOFT_LIMIT - 1; i++) {
        g_assert_cmpint(send_numbered(a, i, tc_ready_cb), >, 0);
    }
    g_assert_cmpint(send_numbered(a, i++, tc_ready_cb), ==, 0);
    g_assert_cmpuint(net_queue_length(&b->nc), ==, NET_QUEUE_SOFT_LIMIT);
    g_assert_cmpuint(a->nc.stats.stops, ==, 1);
    g_assert_cmpuint(b->frames->len, ==, 0);

    /* Flushing while still not ready changes nothing. */
    net_queue_flush(&b->nc);
    g_assert_cmpuint(net_queue_length(&b->nc), ==, NET_QUEUE_SOFT_LIMIT);
    g_assert_cmpint(a->resumed, ==, 0);

    /* Room for a few: not below half yet, so no resume. */
    b->ready = true;
    b->room = 10;
    net_queue_flush(&b->nc);
    g_assert_cmpuint(b->frames->len, ==, 10);
    g_assert_cmpint(a->resumed, ==, 0);

    /* Then all of it. */
    b->room = -1;
    net_queue_flush(&b->nc);
    g_assert_cmpuint(b->frames->len, ==, NET_QUEUE_SOFT_LIMIT);
    g_assert_cmpint(a->resumed, ==, 1);
    g_assert_cmpuint(a->queue_at_resume, <=, NET_QUEUE_SOFT_LIMIT / 2);
    for (unsigned k = 0; k < b->frames->len; k++) {
        g_assert_cmpuint(frame_number(b, k), ==, k);
    }
    g_assert_cmpuint(b->nc.stats.dropped, ==, 0);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

/*
 * A long stream through a receiver that takes a few frames at a time:
 * the sender obeys every stop, and all frames arrive, in order, none
 * dropped.
 */
static void test_no_drops(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");
    const uint32_t total = 20000;
    uint32_t next = 0;
    unsigned rounds = 0;
    bool stopped = false;

    b->ready = false;
    while (b->frames->len < total) {
        /* The sender goes until told to stop (or done). */
        while (!stopped && next < total) {
            if (send_numbered(a, next++, tc_ready_cb) == 0) {
                stopped = true;
            }
        }
        /* The receiver wakes up with room for a varying number. */
        b->ready = true;
        b->room = 1 + (rounds * 37) % 97;
        int before = a->resumed;
        net_queue_flush(&b->nc);
        if (a->resumed != before) {
            stopped = false;
        }
        b->ready = rounds % 3 == 0;
        rounds++;
        g_assert_cmpuint(rounds, <, 100000);
    }
    g_assert_cmpuint(b->frames->len, ==, total);
    for (unsigned k = 0; k < total; k++) {
        g_assert_cmpuint(frame_number(b, k), ==, k);
    }
    g_assert_cmpuint(b->nc.stats.dropped, ==, 0);
    g_assert_cmpuint(a->nc.stats.stops, >, 10);
    g_assert_cmpint(a->resumed, ==, (int)a->nc.stats.stops);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

/* receive returning 0 keeps the frame at the head until a flush. */
static void test_receive_declines(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");

    b->room = 1;
    g_assert_cmpint(send_numbered(a, 0, tc_ready_cb), >, 0);
    g_assert_cmpint(send_numbered(a, 1, tc_ready_cb), >, 0);   /* queued */
    g_assert_cmpint(send_numbered(a, 2, tc_ready_cb), >, 0);   /* behind */
    g_assert_cmpuint(b->frames->len, ==, 1);
    g_assert_cmpuint(net_queue_length(&b->nc), ==, 2);
    g_assert_false(net_can_send(&a->nc));
    b->room = -1;
    net_queue_flush(&b->nc);
    g_assert_cmpuint(b->frames->len, ==, 3);
    g_assert_cmpuint(frame_number(b, 1), ==, 1);
    g_assert_cmpuint(frame_number(b, 2), ==, 2);
    g_assert_true(net_can_send(&a->nc));
    g_assert_cmpuint(b->nc.stats.queued, ==, 2);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

/* 64 KiB frames: the byte limit stops the sender long before the
 * frame-count one, and far below the hard byte limit: nothing lost. */
static void test_big_frames(void)
{
    enum { BIG = 65536 + 12 };
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");
    g_autofree uint8_t *frame = g_malloc0(BIG);
    unsigned n = 0;

    b->ready = false;
    while (net_send_packet_async(&a->nc, frame, BIG, tc_ready_cb) != 0) {
        n++;
        g_assert_cmpuint(n, <, NET_QUEUE_SOFT_LIMIT);
    }
    n++;
    g_assert_cmpuint(n, ==, DIV_ROUND_UP(NET_QUEUE_SOFT_BYTES, BIG));
    g_assert_cmpuint(b->nc.stats.dropped, ==, 0);
    /* Draining to half of the bytes resumes it, not before. */
    b->ready = true;
    b->room = n - (NET_QUEUE_SOFT_BYTES / 2) / BIG - 1;
    net_queue_flush(&b->nc);
    g_assert_cmpint(a->resumed, ==, 0);
    b->room = 1;
    net_queue_flush(&b->nc);
    g_assert_cmpint(a->resumed, ==, 1);
    b->room = -1;
    net_queue_flush(&b->nc);
    g_assert_cmpuint(b->frames->len, ==, n);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

/* A sender that cannot be stopped: queued up to the hard limit, the
 * rest dropped and counted. */
static void test_hard_limit(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");

    b->ready = false;
    for (uint32_t i = 0; i < NET_QUEUE_HARD_LIMIT + 5; i++) {
        g_assert_cmpint(send_numbered(a, i, NULL), >, 0);
    }
    g_assert_cmpuint(net_queue_length(&b->nc), ==, NET_QUEUE_HARD_LIMIT);
    g_assert_cmpuint(b->nc.stats.dropped, ==, 5);
    g_assert_cmpuint(a->nc.stats.stops, ==, 0);
    b->ready = true;
    net_queue_flush(&b->nc);
    g_assert_cmpuint(b->frames->len, ==, NET_QUEUE_HARD_LIMIT);
    g_assert_cmpuint(frame_number(b, NET_QUEUE_HARD_LIMIT - 1), ==,
                     NET_QUEUE_HARD_LIMIT - 1);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

static void test_iov(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");
    TestClient *d = tc_new(&tc_iov_info, NULL, "d");
    TestClient *c = tc_new(&tc_iov_info, d, "c");
    uint8_t p1[3] = { 1, 2, 3 }, p2[1] = { 4 }, p3[5] = { 5, 6, 7, 8, 9 };
    struct iovec iov[3] = {
        { p1, sizeof(p1) }, { p2, sizeof(p2) }, { p3, sizeof(p3) },
    };
    static const uint8_t want[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    uint8_t part[4];
    GByteArray *f;

    /* Linearized for a receiver without receive_iov. */
    g_assert_cmpint(net_send_iov_async(&a->nc, iov, 3, NULL), ==, 9);
    f = g_ptr_array_index(b->frames, 0);
    g_assert_cmpmem(f->data, f->len, want, sizeof(want));
    /* Handed over as a vector otherwise; and queued ones too. */
    iov_calls = 0;
    g_assert_cmpint(net_send_iov_async(&c->nc, iov, 3, NULL), ==, 9);
    d->ready = false;
    g_assert_cmpint(net_send_iov_async(&c->nc, iov + 1, 2, NULL), ==, 6);
    d->ready = true;
    net_queue_flush(&d->nc);
    g_assert_cmpint(iov_calls, ==, 2);
    f = g_ptr_array_index(d->frames, 1);
    g_assert_cmpmem(f->data, f->len, want + 3, 6);
    /* The helpers on a slice across pieces. */
    g_assert_cmpuint(net_iov_to_buf(iov, 3, 2, part, 4), ==, 4);
    g_assert_cmpmem(part, 4, want + 2, 4);
    g_assert_cmpuint(net_iov_to_buf(iov, 3, 7, part, 4), ==, 2);
    memset(part, 0xee, sizeof(part));
    g_assert_cmpuint(net_iov_from_buf(iov, 3, 2, part, 3), ==, 3);
    g_assert_cmpuint(p1[2], ==, 0xee);
    g_assert_cmpuint(p2[0], ==, 0xee);
    g_assert_cmpuint(p3[0], ==, 0xee);
    g_assert_cmpuint(p3[1], ==, 6);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
    net_client_free(&c->nc);
    net_client_free(&d->nc);
}

static void test_link(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");

    link_changes = 0;
    net_client_set_link(&b->nc, false);
    g_assert_true(a->nc.link_down && b->nc.link_down);
    g_assert_cmpint(link_changes, ==, 2);
    /* A pulled cable loses frames; it does not queue them. */
    g_assert_cmpint(send_numbered(a, 1, tc_ready_cb), >, 0);
    g_assert_cmpint(send_numbered(b, 2, tc_ready_cb), >, 0);
    g_assert_cmpuint(a->frames->len + b->frames->len, ==, 0);
    g_assert_cmpuint(net_queue_length(&a->nc) + net_queue_length(&b->nc),
                     ==, 0);
    net_client_set_link(&a->nc, true);
    g_assert_false(a->nc.link_down || b->nc.link_down);
    g_assert_cmpint(send_numbered(a, 3, tc_ready_cb), >, 0);
    g_assert_cmpuint(frame_number(b, 0), ==, 3);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

/* A receiver going away resumes its stopped sender; a purge too. */
static void test_peer_gone_and_purge(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");
    uint32_t i = 0;

    b->ready = false;
    while (send_numbered(a, i++, tc_ready_cb) != 0) {
        g_assert_cmpuint(i, <=, NET_QUEUE_SOFT_LIMIT);
    }
    net_queue_purge(&b->nc);
    g_assert_cmpint(a->resumed, ==, 1);
    g_assert_cmpuint(net_queue_length(&b->nc), ==, 0);

    while (send_numbered(a, i++, tc_ready_cb) != 0) {
        g_assert_cmpuint(i, <=, 3 * NET_QUEUE_SOFT_LIMIT);
    }
    net_client_free(&b->nc);
    g_assert_cmpint(a->resumed, ==, 2);
    g_assert_null(a->nc.peer);
    net_client_free(&a->nc);
}

/* A frame sent to a receiver from inside its own receive callback is
 * delivered after the current one, not lost and not reordered. */
static void test_reentry(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_info, b, "a");

    b->via = &a->nc;
    g_assert_cmpint(send_numbered(a, 0, tc_ready_cb), >, 0);
    g_assert_cmpuint(b->frames->len, ==, 2);
    g_assert_cmpuint(frame_number(b, 0), ==, 0);
    g_assert_cmpstr((char *)((GByteArray *)g_ptr_array_index(b->frames,
                                                             1))->data, ==,
                    "again");
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

static void test_vnet_hdr(void)
{
    TestClient *b = tc_new(&tc_info, NULL, "b");
    TestClient *a = tc_new(&tc_iov_info, b, "a");
    NetOffloads off = { .csum = true, .tso4 = true, .ecn = true };

    g_assert_false(net_has_vnet_hdr(&b->nc));
    b->vnet_hdr = true;
    g_assert_true(net_has_vnet_hdr(&b->nc));
    g_assert_true(net_has_vnet_hdr_len(&b->nc, 12));
    g_assert_false(net_has_vnet_hdr_len(&b->nc, 14));
    g_assert_false(net_has_ufo(&b->nc));
    net_using_vnet_hdr(&b->nc, true);
    g_assert_true(b->vnet_used && b->nc.used_vnet_hdr);
    net_set_vnet_hdr_len(&b->nc, 12);
    g_assert_cmpint(b->vnet_len, ==, 12);
    net_set_offload(&b->nc, &off);
    g_assert_true(b->off.csum && b->off.tso4 && !b->off.tso6 &&
                  b->off.ecn && !b->off.ufo);
    /* A client without the interface: all false, calls ignored. */
    g_assert_false(net_has_vnet_hdr(&a->nc));
    net_using_vnet_hdr(&a->nc, true);
    g_assert_false(a->nc.used_vnet_hdr);
    g_assert_false(net_has_vnet_hdr(NULL));
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

static void test_macaddr(void)
{
    NICConf c1 = { 0 }, c2 = { 0 }, c3 = { 0 }, fixed = { 0 };
    MACAddr m;
    g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;

    g_assert_true(net_parse_macaddr("52:54:00:ab:CD:0f", &m));
    g_assert_cmpuint(m.a[4], ==, 0xcd);
    g_assert_true(net_parse_macaddr("02-00-00-00-00-01", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:0f:11", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:1ff", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:xy", &m));
    g_assert_false(net_parse_macaddr("", &m));

    net_macaddr_default_if_unset(&c1);
    net_macaddr_default_if_unset(&c2);
    s1 = net_format_macaddr(&c1.macaddr);
    s2 = net_format_macaddr(&c2.macaddr);
    g_assert_cmpstr(s1, ==, "52:54:00:12:34:56");
    g_assert_cmpstr(s2, ==, "52:54:00:12:34:57");
    /* A set address stays as it is. */
    g_assert_true(net_parse_macaddr("02:00:00:00:00:01", &fixed.macaddr));
    net_macaddr_default_if_unset(&fixed);
    g_assert_false(fixed.mac_assigned);
    g_assert_cmpuint(fixed.macaddr.a[5], ==, 1);
    /* A released address is handed out again. */
    net_macaddr_release(&c1);
    net_macaddr_default_if_unset(&c3);
    s3 = net_format_macaddr(&c3.macaddr);
    g_assert_cmpstr(s3, ==, "52:54:00:12:34:56");
    net_macaddr_release(&c2);
    net_macaddr_release(&c3);
}

/* The backend registry and netdev= lookups. */
static NetClientState *fake_init(const char *id, Opts *o, GError **errp)
{
    TestClient *t;

    if (opts_get(o, "fail")) {
        error_setg(errp, "asked to fail");
        return NULL;
    }
    t = tc_new(&tc_info, NULL, id);
    return &t->nc;
}

static const NetBackendType fake_backend = {
    .name = "fake", .desc = "a test back end", .init = fake_init,
};

static void test_backends(void)
{
    g_autoptr(Opts) o1 = opts_parse("fake", "type", NULL);
    g_autoptr(Opts) o2 = opts_parse("fake", "type", NULL);
    g_autoptr(Opts) o3 = opts_parse("fake,bogus=1", "type", NULL);
    g_autoptr(Opts) o4 = opts_parse("fake,fail=1", "type", NULL);
    NetClientState *nc;
    GError *err = NULL;
    NICConf conf = { 0 };
    TestClient *nic;
    static const NetClientInfo nic_info = {
        .type = NET_CLIENT_DRIVER_NIC, .size = sizeof(TestClient),
        .receive = tc_receive, .cleanup = tc_cleanup,
    };

    net_backend_register(&fake_backend);
    g_assert_true(net_backend_find("fake") == &fake_backend);
    g_assert_null(net_backend_find("nope"));

    nc = net_backend_new("fake", "f0", o1, &err);
    g_assert_no_error(err);
    g_assert_true(nc->is_netdev);
    g_assert_true(net_find_netdev("f0") == nc);

    g_assert_null(net_backend_new("fake", "f0", o2, &err));
    g_assert_nonnull(strstr(err->message, "Duplicate ID 'f0'"));
    g_clear_error(&err);
    g_assert_null(net_backend_new("nope", "f1", o2, &err));
    g_assert_nonnull(strstr(err->message, "'nope'"));
    g_clear_error(&err);
    g_assert_null(net_backend_new("fake", NULL, o2, &err));
    g_assert_nonnull(strstr(err->message, "'id' is missing"));
    g_clear_error(&err);
    g_assert_null(net_backend_new("fake", "9x", o2, &err));
    g_assert_nonnull(strstr(err->message, "identifier"));
    g_clear_error(&err);
    g_assert_null(net_backend_new("fake", "f2", o3, &err));
    g_assert_nonnull(strstr(err->message, "bogus"));
    g_assert_null(net_find_netdev("f2"));
    g_clear_error(&err);
    g_assert_null(net_backend_new("fake", "f3", o4, &err));
    g_assert_cmpstr(err->message, ==, "asked to fail");
    g_clear_error(&err);

    /* A NIC takes the back end; a second one cannot. */
    conf.peer = nc;
    nic = (TestClient *)net_nic_new(&nic_info, &conf, "test-nic", NULL,
                                    NULL, &err);
    g_assert_no_error(err);
    nic->frames = g_ptr_array_new();
    g_assert_cmpstr(nic->nc.name, ==, "test-nic.0");
    g_assert_true(nc->peer == &nic->nc);
    g_assert_true(conf.mac_assigned);
    g_assert_null(net_nic_new(&nic_info, &conf, "test-nic", NULL, NULL,
                              &err));
    g_assert_nonnull(strstr(err->message, "already in use"));
    g_clear_error(&err);
    net_macaddr_release(&conf);
    net_client_free(&nic->nc);

    /* net_cleanup frees back ends only. */
    net_cleanup();
    g_assert_null(net_find_netdev("f0"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/queue/direct", test_direct_delivery);
    g_test_add_func("/net/queue/stop-resume", test_queue_stop_resume);
    g_test_add_func("/net/queue/no-drops", test_no_drops);
    g_test_add_func("/net/queue/receive-declines", test_receive_declines);
    g_test_add_func("/net/queue/hard-limit", test_hard_limit);
    g_test_add_func("/net/queue/big-frames", test_big_frames);
    g_test_add_func("/net/queue/iov", test_iov);
    g_test_add_func("/net/queue/link", test_link);
    g_test_add_func("/net/queue/peer-gone-purge", test_peer_gone_and_purge);
    g_test_add_func("/net/queue/reentry", test_reentry);
    g_test_add_func("/net/vnet-hdr", test_vnet_hdr);
    g_test_add_func("/net/macaddr", test_macaddr);
    g_test_add_func("/net/backends", test_backends);
    return g_test_run();
}
