/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev user: the guest's network is a libslirp instance, a TCP/IP
 * stack in this process that turns the guest's connections into host
 * sockets, and answers DHCP, ARP and DNS (forwarded to the host's
 * resolver) itself. See include/net/slirp.h for the options and
 * docs/net.md.
 *
 * Integration with the main loop: a GSource whose prepare asks slirp
 * which sockets to watch (slirp_pollfds_fill) and for how long it may
 * sleep, and whose dispatch hands the results back (slirp_pollfds_poll);
 * both run with the BQL held, as every main-loop source does here.
 *
 * Clock: slirp's notion of time (its TCP timers, the IPv6 router
 * advertisement timer) is the virtual clock, the guest's time. While the
 * VM is paused the guest cannot answer, so retransmissions towards it
 * must not run out and drop its connections; when it resumes, the
 * timers go on where they were. The host's side of a connection lives in
 * host sockets and keeps its own (kernel) timers regardless.
 *
 * Flow control: slirp cannot be told that the guest is not taking
 * frames (send_packet has no way back), so when the NIC's queue is full
 * this back end stops reading the host sockets (the POLL_IN interest is
 * left out), and the host's TCP sees a full window; the NIC's ready
 * callback starts it again. Frames slirp makes in answer to the guest
 * (ARP, DHCP, ICMP, ACKs) are still queued.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include "net/net.h"
#include "net/slirp.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include <arpa/inet.h>
#include <slirp/libslirp.h>

typedef struct SlirpState {
    NetClientState nc;
    Slirp *slirp;
    GSource *source;
    GArray *pollfds;            /* GPollFD, registered with the source */
    GArray *fill;               /* GPollFD, slirp's wishes this prepare */
    bool stopped;               /* the NIC's queue is full */
    int64_t deadline_us;        /* slirp's timeout, monotonic; -1 none */
    int64_t polled_at;          /* virtual time of the last poll */
} SlirpState;

typedef struct SlirpSource {
    GSource source;
    SlirpState *s;
} SlirpSource;

typedef struct SlirpTimer {
    Timer *timer;
    SlirpState *s;
    SlirpTimerId id;
    void *cb_opaque;
} SlirpTimer;

/* slirp's clock and its timers both run on this one (see the top). */
#define SLIRP_CLOCK EMBER_CLOCK_VIRTUAL

/* ---- frames -------------------------------------------------------------- */

static void slirp_ready(NetClientState *sender)
{
    SlirpState *s = container_of(sender, SlirpState, nc);

    s->stopped = false;
    /* The main loop may be asleep without interest in the sockets. */
    main_loop_wakeup();
}

static ssize_t slirp_cb_send_packet(const void *buf, size_t len, void *opaque)
{
    SlirpState *s = opaque;

    if (net_send_packet_async(&s->nc, buf, len, slirp_ready) == 0) {
        s->stopped = true;
    }
    return len;
}

static ssize_t slirp_receive(NetClientState *nc, const uint8_t *buf,
                             size_t len)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    if (len > INT_MAX) {
        return -EINVAL;
    }
    slirp_input(s->slirp, buf, (int)len);
    return len;
}

/* ---- callbacks ----------------------------------------------------------- */

static void slirp_cb_guest_error(const char *msg, void *opaque)
{
    ember_log_mask(LOG_GUEST_ERROR, "slirp: %s\n", msg);
}

static int64_t slirp_cb_clock_get_ns(void *opaque)
{
    return clock_get_ns(SLIRP_CLOCK);
}

static void slirp_timer_fire(void *opaque)
{
    SlirpTimer *t = opaque;

    slirp_handle_timer(t->s->slirp, t->id, t->cb_opaque);
}

static void *slirp_cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                       void *opaque)
{
    SlirpTimer *t = g_new0(SlirpTimer, 1);

    t->s = opaque;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->timer = timer_new_ns(SLIRP_CLOCK, slirp_timer_fire, t);
    return t;
}

static void slirp_cb_timer_free(void *timer, void *opaque)
{
    SlirpTimer *t = timer;

    if (t) {
        timer_free(t->timer);
        g_free(t);
    }
}

static void slirp_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *t = timer;

    timer_mod_ns(t->timer, expire_ms * 1000000);
}

static void slirp_cb_register_poll_fd(int fd, void *opaque)
{
    /* Every fd is polled through slirp_pollfds_fill; nothing to do. */
}

static void slirp_cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void slirp_cb_notify(void *opaque)
{
    main_loop_wakeup();
}

static void slirp_cb_init_completed(Slirp *slirp, void *opaque)
{
    SlirpState *s = opaque;

    /* Timers may be made inside slirp_new, before it returns. */
    s->slirp = slirp;
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_cb_send_packet,
    .guest_error = slirp_cb_guest_error,
    .clock_get_ns = slirp_cb_clock_get_ns,
    .timer_free = slirp_cb_timer_free,
    .timer_mod = slirp_cb_timer_mod,
    .register_poll_fd = slirp_cb_register_poll_fd,
    .unregister_poll_fd = slirp_cb_unregister_poll_fd,
    .notify = slirp_cb_notify,
    .init_completed = slirp_cb_init_completed,
    .timer_new_opaque = slirp_cb_timer_new_opaque,
};

/* ---- the main-loop source ------------------------------------------------ */

static int slirp_add_poll(int fd, int events, void *opaque)
{
    SlirpState *s = opaque;
    GPollFD pfd = { .fd = fd };

    if ((events & SLIRP_POLL_IN) && !s->stopped) {
        pfd.events |= G_IO_IN;
    }
    if (events & SLIRP_POLL_OUT) {
        pfd.events |= G_IO_OUT;
    }
    if (events & SLIRP_POLL_PRI) {
        pfd.events |= G_IO_PRI;
    }
    if (events & SLIRP_POLL_ERR) {
        pfd.events |= G_IO_ERR;
    }
    if (events & SLIRP_POLL_HUP) {
        pfd.events |= G_IO_HUP;
    }
    g_array_append_val(s->fill, pfd);
    return s->fill->len - 1;
}

static int slirp_get_revents(int idx, void *opaque)
{
    SlirpState *s = opaque;
    GPollFD *pfd;
    int ev = 0;

    if (idx < 0 || idx >= (int)s->pollfds->len) {
        return 0;
    }
    pfd = &g_array_index(s->pollfds, GPollFD, idx);
    ev |= (pfd->revents & G_IO_IN) ? SLIRP_POLL_IN : 0;
    ev |= (pfd->revents & G_IO_OUT) ? SLIRP_POLL_OUT : 0;
    ev |= (pfd->revents & G_IO_PRI) ? SLIRP_POLL_PRI : 0;
    ev |= (pfd->revents & G_IO_ERR) ? SLIRP_POLL_ERR : 0;
    ev |= (pfd->revents & G_IO_HUP) ? SLIRP_POLL_HUP : 0;
    return ev;
}

static void slirp_source_clear_polls(SlirpState *s)
{
    for (unsigned i = 0; i < s->pollfds->len; i++) {
        g_source_remove_poll(s->source,
                             &g_array_index(s->pollfds, GPollFD, i));
    }
    g_array_set_size(s->pollfds, 0);
}

/*
 * Make the registered fds what slirp asked for in s->fill. Adding or
 * removing a poll fd of an attached source wakes the main context (GLib
 * signals its wakeup fd so a poll in progress sees the change), so doing
 * that at every prepare made every poll return at once: the main loop
 * spun on a core, taking the BQL from the vCPU thousands of times a
 * second. GLib reads fd and events from the registered GPollFD at every
 * query, so while slirp watches the same sockets (the usual case) only
 * the events are updated in place.
 */
static void slirp_source_sync_polls(SlirpState *s)
{
    bool same = s->fill->len == s->pollfds->len;

    for (unsigned i = 0; same && i < s->fill->len; i++) {
        same = g_array_index(s->fill, GPollFD, i).fd ==
               g_array_index(s->pollfds, GPollFD, i).fd;
    }
    if (same) {
        for (unsigned i = 0; i < s->fill->len; i++) {
            GPollFD *p = &g_array_index(s->pollfds, GPollFD, i);

            p->events = g_array_index(s->fill, GPollFD, i).events;
            /* An iteration that does not poll these fds (a source of
             * higher priority was ready) leaves revents as they were:
             * never hand slirp the results of an older poll. */
            p->revents = 0;
        }
        return;
    }
    /* Nothing is registered while the array is resized: GLib keeps
     * pointers to its elements. */
    slirp_source_clear_polls(s);
    g_array_append_vals(s->pollfds, s->fill->data, s->fill->len);
    for (unsigned i = 0; i < s->pollfds->len; i++) {
        g_source_add_poll(s->source, &g_array_index(s->pollfds, GPollFD, i));
    }
}

static gboolean slirp_source_prepare(GSource *src, gint *timeout)
{
    SlirpState *s = ((SlirpSource *)src)->s;
    uint32_t ms = UINT32_MAX;

    g_array_set_size(s->fill, 0);
    slirp_pollfds_fill(s->slirp, &ms, slirp_add_poll, s);
    slirp_source_sync_polls(s);
    /*
     * ms is virtual time. While the virtual clock does not run on its
     * own (paused, or the qtest accelerator's manual clock) waking up
     * for it would only spin: what moves the clock wakes the loop.
     */
    if (ms == UINT32_MAX || clock_is_manual() || !clock_virtual_running()) {
        *timeout = -1;
        s->deadline_us = -1;
    } else {
        *timeout = (gint)MIN(ms, (uint32_t)G_MAXINT);
        s->deadline_us = g_get_monotonic_time() + (int64_t)*timeout * 1000;
    }
    return FALSE;
}

static gboolean slirp_source_check(GSource *src)
{
    SlirpState *s = ((SlirpSource *)src)->s;

    for (unsigned i = 0; i < s->pollfds->len; i++) {
        if (g_array_index(s->pollfds, GPollFD, i).revents) {
            return TRUE;
        }
    }
    if (s->deadline_us >= 0 && g_get_monotonic_time() >= s->deadline_us) {
        return TRUE;
    }
    /* A test stepped the manual clock: slirp's timers may be due. */
    return clock_is_manual() && clock_get_ns(SLIRP_CLOCK) != s->polled_at;
}

static gboolean slirp_source_dispatch(GSource *src, GSourceFunc cb,
                                      gpointer data)
{
    SlirpState *s = ((SlirpSource *)src)->s;

    slirp_pollfds_poll(s->slirp, 0, slirp_get_revents, s);
    s->polled_at = clock_get_ns(SLIRP_CLOCK);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs slirp_source_funcs = {
    .prepare = slirp_source_prepare,
    .check = slirp_source_check,
    .dispatch = slirp_source_dispatch,
};

/* ---- set-up -------------------------------------------------------------- */

static void slirp_cleanup_state(NetClientState *nc)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    if (s->source) {
        slirp_source_clear_polls(s);
        g_source_destroy(s->source);
        g_source_unref(s->source);
        s->source = NULL;
    }
    if (s->slirp) {
        slirp_cleanup(s->slirp);
        s->slirp = NULL;
    }
    if (s->pollfds) {
        g_array_free(s->pollfds, TRUE);
        s->pollfds = NULL;
    }
    if (s->fill) {
        g_array_free(s->fill, TRUE);
        s->fill = NULL;
    }
}

static const NetClientInfo slirp_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(SlirpState),
    .receive = slirp_receive,
    .cleanup = slirp_cleanup_state,
};

static bool parse_ip4(const char *str, struct in_addr *a)
{
    return inet_pton(AF_INET, str, a) == 1;
}

static char *fmt_ip4(struct in_addr a)
{
    char buf[INET_ADDRSTRLEN];

    return g_strdup(inet_ntop(AF_INET, &a, buf, sizeof(buf)));
}

/* Split "A-B" style specs at the first sep; NULL if absent. */
static char *take_field(char **p, char sep)
{
    char *start = *p;
    char *end = strchr(start, sep);

    if (!end) {
        return NULL;
    }
    *end = '\0';
    *p = end + 1;
    return start;
}

static bool parse_port(const char *str, int min, int *out)
{
    uint64_t v;

    if (!*str || !g_ascii_isdigit(*str) || !parse_uint64(str, &v) ||
        v < (uint64_t)min || v > 65535) {
        return false;
    }
    *out = (int)v;
    return true;
}

bool net_slirp_parse_hostfwd(const char *spec, struct in_addr guest_default,
                             NetHostFwd *out, GError **errp)
{
    g_autofree char *copy = g_strdup(spec);
    char *p = copy;
    char *proto, *haddr, *hport, *gaddr;
    NetHostFwd f = { .guest_addr = guest_default };

    f.host_addr.s_addr = htonl(INADDR_ANY);
    proto = take_field(&p, ':');
    haddr = proto ? take_field(&p, ':') : NULL;
    hport = haddr ? take_field(&p, '-') : NULL;
    gaddr = hport ? take_field(&p, ':') : NULL;
    if (!gaddr) {
        goto bad;
    }
    if (!strcmp(proto, "udp")) {
        f.udp = true;
    } else if (*proto && strcmp(proto, "tcp")) {
        goto bad;
    }
    if (*haddr && !parse_ip4(haddr, &f.host_addr)) {
        goto bad;
    }
    if (!parse_port(hport, 0, &f.host_port)) {
        goto bad;
    }
    if (*gaddr && !parse_ip4(gaddr, &f.guest_addr)) {
        goto bad;
    }
    if (!parse_port(p, 1, &f.guest_port)) {
        goto bad;
    }
    *out = f;
    return true;

bad:
    error_setg(errp, "invalid host forwarding rule '%s' (the form is "
               "[tcp|udp]:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT)", spec);
    return false;
}

/* The classful mask QEMU assumes for net= without one. */
static uint32_t default_mask(uint32_t net)
{
    if (!(net & 0x80000000)) {
        return 0xff000000;          /* class A */
    }
    if ((net & 0xfff00000) == 0xac100000) {
        return 0xfff00000;          /* 172.16.0.0/12 */
    }
    if ((net & 0xc0000000) == 0x80000000) {
        return 0xffff0000;          /* class B */
    }
    if ((net & 0xffff0000) == 0xc0a80000) {
        return 0xffff0000;          /* 192.168.0.0/16 */
    }
    return 0xffffff00;              /* class C and above */
}

static bool parse_net(const char *str, struct in_addr *net,
                      struct in_addr *mask, GError **errp)
{
    g_autofree char *addr = g_strndup(str, strcspn(str, "/"));
    const char *m = strchr(str, '/');
    uint32_t n, mk;

    if (!parse_ip4(addr, net)) {
        error_setg(errp, "net=%s: '%s' is not an IPv4 address", str, addr);
        return false;
    }
    n = ntohl(net->s_addr);
    if (!m) {
        mk = default_mask(n);
    } else {
        uint64_t bits;

        m++;
        if (parse_uint64(m, &bits) && strchr(m, '.') == NULL) {
            if (bits > 32) {
                error_setg(errp, "net=%s: the prefix length must be 0..32",
                           str);
                return false;
            }
            mk = bits ? ~0u << (32 - bits) : 0;
        } else {
            struct in_addr ma;
            if (!parse_ip4(m, &ma)) {
                error_setg(errp, "net=%s: '%s' is not a netmask", str, m);
                return false;
            }
            mk = ntohl(ma.s_addr);
            if ((~mk & (~mk + 1)) != 0) {
                error_setg(errp, "net=%s: the netmask is not contiguous",
                           str);
                return false;
            }
        }
    }
    if (mk > 0xfffffffc) {
        error_setg(errp, "net=%s: the network is too small (at most a /30)",
                   str);
        return false;
    }
    net->s_addr = htonl(n & mk);
    mask->s_addr = htonl(mk);
    return true;
}

/* addr must be a host address inside the network. */
static bool check_in_net(const char *what, struct in_addr a,
                         struct in_addr net, struct in_addr mask,
                         GError **errp)
{
    uint32_t x = ntohl(a.s_addr), n = ntohl(net.s_addr);
    uint32_t mk = ntohl(mask.s_addr);
    g_autofree char *as = fmt_ip4(a);

    if ((x & mk) != n) {
        error_setg(errp, "%s=%s is not in the guest network", what, as);
        return false;
    }
    if (x == n || x == (n | ~mk)) {
        error_setg(errp, "%s=%s is the network's %s address", what, as,
                   x == n ? "own" : "broadcast");
        return false;
    }
    return true;
}

static bool get_ip4(Opts *o, const char *key, struct in_addr *a,
                    GError **errp)
{
    const char *v = opts_get(o, key);

    if (v && !parse_ip4(v, a)) {
        error_setg(errp, "%s=%s: not an IPv4 address", key, v);
        return false;
    }
    return true;
}

static bool get_ip6(Opts *o, const char *key, struct in6_addr *a,
                    GError **errp)
{
    const char *v = opts_get(o, key);

    if (v && inet_pton(AF_INET6, v, a) != 1) {
        error_setg(errp, "%s=%s: not an IPv6 address", key, v);
        return false;
    }
    return true;
}

/* Values of a key given several times, in order; marks them used. */
static GPtrArray *opts_get_all(Opts *o, const char *key)
{
    GPtrArray *all = g_ptr_array_new();

    for (unsigned i = 0; i < o->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(o->entries, i);
        if (!strcmp(e->key, key)) {
            e->used = true;
            g_ptr_array_add(all, e->value);
        }
    }
    return all;
}

static bool parse_ipv6_net(Opts *o, struct in6_addr *prefix, uint8_t *len,
                           GError **errp)
{
    const char *v = opts_get(o, "ipv6-net");
    const char *pfx = opts_get(o, "ipv6-prefix");
    uint64_t plen = *len;
    g_autofree char *addr = NULL;

    if (v) {
        const char *slash = strchr(v, '/');
        addr = g_strndup(v, slash ? (size_t)(slash - v) : strlen(v));
        if (slash && !parse_uint64(slash + 1, &plen)) {
            error_setg(errp, "ipv6-net=%s: bad prefix length", v);
            return false;
        }
    } else if (pfx) {
        addr = g_strdup(pfx);
    }
    if (opts_has(o, "ipv6-prefixlen")) {
        GError *err = NULL;
        plen = opts_get_number(o, "ipv6-prefixlen", plen, &err);
        if (err) {
            g_propagate_error(errp, err);
            return false;
        }
    }
    if (addr && inet_pton(AF_INET6, addr, prefix) != 1) {
        error_setg(errp, "'%s' is not an IPv6 prefix", addr);
        return false;
    }
    if (plen > 126) {
        error_setg(errp, "the IPv6 prefix length must be 0..126");
        return false;
    }
    *len = plen;
    return true;
}

static bool slirp_parse_config(Opts *o, SlirpConfig *cfg, GError **errp)
{
    const char *net = opts_get(o, "net");
    GError *err = NULL;
    bool restricted;

    cfg->version = 4;
    cfg->in_enabled = opts_get_bool(o, "ipv4", true, &err);
    if (!err) {
        cfg->in6_enabled = opts_get_bool(o, "ipv6", true, &err);
    }
    if (!err) {
        restricted = opts_get_bool(o, "restrict", false, &err);
        cfg->restricted = restricted;
    }
    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    if (!cfg->in_enabled && !cfg->in6_enabled) {
        error_setg(errp, "IPv4 and IPv6 cannot both be disabled");
        return false;
    }

    /* QEMU's defaults: 10.0.2.0/24, .2 host, .3 DNS, DHCP from .15. */
    inet_pton(AF_INET, "10.0.2.0", &cfg->vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg->vnetmask);
    if (net && !parse_net(net, &cfg->vnetwork, &cfg->vnetmask, errp)) {
        return false;
    }
    cfg->vhost.s_addr = cfg->vnetwork.s_addr | htonl(2);
    cfg->vnameserver.s_addr = cfg->vnetwork.s_addr | htonl(3);
    cfg->vdhcp_start.s_addr = cfg->vnetwork.s_addr | htonl(15);
    if (!get_ip4(o, "host", &cfg->vhost, errp) ||
        !get_ip4(o, "dns", &cfg->vnameserver, errp) ||
        !get_ip4(o, "dhcpstart", &cfg->vdhcp_start, errp)) {
        return false;
    }
    if (!check_in_net("host", cfg->vhost, cfg->vnetwork, cfg->vnetmask,
                      errp) ||
        !check_in_net("dns", cfg->vnameserver, cfg->vnetwork,
                      cfg->vnetmask, errp) ||
        !check_in_net("dhcpstart", cfg->vdhcp_start, cfg->vnetwork,
                      cfg->vnetmask, errp)) {
        return false;
    }
    if (cfg->vnameserver.s_addr == cfg->vhost.s_addr) {
        error_setg(errp, "dns= must differ from host=");
        return false;
    }
    if (cfg->vdhcp_start.s_addr == cfg->vhost.s_addr ||
        cfg->vdhcp_start.s_addr == cfg->vnameserver.s_addr) {
        error_setg(errp, "dhcpstart= must differ from host= and dns=");
        return false;
    }

    /* IPv6: fec0::/64, host ::2, DNS ::3 (QEMU's defaults). */
    inet_pton(AF_INET6, "fec0::", &cfg->vprefix_addr6);
    cfg->vprefix_len = 64;
    if (!parse_ipv6_net(o, &cfg->vprefix_addr6, &cfg->vprefix_len, errp)) {
        return false;
    }
    cfg->vhost6 = cfg->vprefix_addr6;
    cfg->vhost6.s6_addr[15] |= 2;
    cfg->vnameserver6 = cfg->vprefix_addr6;
    cfg->vnameserver6.s6_addr[15] |= 3;
    if (!get_ip6(o, "ipv6-host", &cfg->vhost6, errp) ||
        !get_ip6(o, "ipv6-dns", &cfg->vnameserver6, errp)) {
        return false;
    }

    cfg->vhostname = opts_get(o, "hostname");
    cfg->vdomainname = opts_get(o, "domainname");
    cfg->tftp_path = opts_get(o, "tftp");
    cfg->bootfile = opts_get(o, "bootfile");
    cfg->tftp_server_name = opts_get(o, "tftp-server-name");
    if (cfg->vhostname && strlen(cfg->vhostname) > 32) {
        /* slirp keeps the DHCP client name in 33 bytes. */
        error_setg(errp, "hostname=%s: at most 32 characters",
                   cfg->vhostname);
        return false;
    }
    return true;
}

static NetClientState *net_slirp_init(const char *id, Opts *o, GError **errp)
{
    SlirpConfig cfg = { 0 };
    g_autoptr(GPtrArray) fwds = NULL;
    g_autoptr(GPtrArray) search = NULL;
    g_autofree char *net = NULL, *host = NULL;
    SlirpState *s;
    SlirpSource *src;
    GError *err = NULL;

    if (opts_has(o, "smb")) {
        opts_get(o, "smb");
        error_setg(errp, "smb= is not supported (it needs a Samba server "
                   "on the host); use hostfwd= to reach a guest service");
        return NULL;
    }
    if (opts_has(o, "guestfwd")) {
        opts_get(o, "guestfwd");
        error_setg(errp, "guestfwd= is not supported yet");
        return NULL;
    }
    if (!slirp_parse_config(o, &cfg, errp)) {
        return NULL;
    }
    fwds = opts_get_all(o, "hostfwd");
    search = opts_get_all(o, "dnssearch");
    if (search->len) {
        g_ptr_array_add(search, NULL);
        cfg.vdnssearch = (const char **)search->pdata;
    }
    /* Check every rule before anything is bound. */
    for (unsigned i = 0; i < fwds->len; i++) {
        NetHostFwd f;
        if (!net_slirp_parse_hostfwd(g_ptr_array_index(fwds, i),
                                     cfg.vdhcp_start, &f, errp)) {
            return NULL;
        }
    }

    s = (SlirpState *)net_client_new(&slirp_info, NULL, "user", id);
    s->pollfds = g_array_new(FALSE, TRUE, sizeof(GPollFD));
    s->fill = g_array_new(FALSE, TRUE, sizeof(GPollFD));
    if (!slirp_new(&cfg, &slirp_callbacks, s) || !s->slirp) {
        error_setg(errp, "could not start user-mode networking (libslirp "
                   "refused the configuration)");
        net_client_free(&s->nc);
        return NULL;
    }
    for (unsigned i = 0; i < fwds->len; i++) {
        const char *spec = g_ptr_array_index(fwds, i);
        NetHostFwd f;

        /* Checked above. */
        net_slirp_parse_hostfwd(spec, cfg.vdhcp_start, &f, NULL);
        errno = 0;
        if (slirp_add_hostfwd(s->slirp, f.udp, f.host_addr, f.host_port,
                              f.guest_addr, f.guest_port) < 0) {
            if (errno) {
                error_setg_errno(&err, errno, "could not set up host "
                                 "forwarding rule '%s'", spec);
            } else {
                error_setg(&err, "could not set up host forwarding rule "
                           "'%s'", spec);
            }
            g_propagate_error(errp, err);
            net_client_free(&s->nc);
            return NULL;
        }
    }

    src = (SlirpSource *)g_source_new(&slirp_source_funcs,
                                      sizeof(SlirpSource));
    src->s = s;
    s->source = &src->source;
    g_source_attach(s->source, NULL);

    net = fmt_ip4(cfg.vnetwork);
    host = fmt_ip4(cfg.vhost);
    net_client_set_info_str(&s->nc, "net=%s/%d,host=%s,restrict=%s",
                            net, __builtin_popcount(cfg.vnetmask.s_addr),
                            host, cfg.restricted ? "on" : "off");
    return &s->nc;
}

static const NetBackendType slirp_backend = {
    .name = "user",
    .desc = "user-mode networking on libslirp (NAT, DHCP, DNS, hostfwd)",
    .opts_help =
        "  net=ADDR[/MASK]      guest network (default 10.0.2.0/24)\n"
        "  host=ADDR            the host as the guest sees it (.2)\n"
        "  dns=ADDR             DNS forwarder (.3)\n"
        "  dhcpstart=ADDR       first DHCP address (.15)\n"
        "  restrict=on|off      isolate the guest (only hostfwd reaches it)\n"
        "  hostfwd=[tcp|udp]:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT\n"
        "                       forward a host port to the guest (repeat)\n"
        "  hostname=NAME        DHCP client hostname\n"
        "  domainname=NAME      DHCP domain name\n"
        "  dnssearch=DOMAIN     DHCP search domain (repeat)\n"
        "  ipv4=on|off, ipv6=on|off\n"
        "  ipv6-net=PREFIX/LEN  (default fec0::/64), ipv6-host=, ipv6-dns=\n"
        "  tftp=DIR, bootfile=FILE, tftp-server-name=NAME\n",
    .init = net_slirp_init,
};

static void slirp_register(void)
{
    net_backend_register(&slirp_backend);
}
type_init(slirp_register)
