/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network core: clients and their peers, the send paths, the vnet
 * header interface, and the NIC properties mac= and netdev=. The
 * queueing and flow control live in queue.c. See include/net/net.h.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include "net/net.h"
#include "net/queue.h"

/* Every client, in creation order. */
static GPtrArray *clients;

static void client_register(NetClientState *nc)
{
    if (!clients) {
        clients = g_ptr_array_new();
    }
    g_ptr_array_add(clients, nc);
}

void net_client_foreach(void (*fn)(NetClientState *nc, void *opaque),
                        void *opaque)
{
    /* A copy: fn may free clients. */
    g_autoptr(GPtrArray) copy = g_ptr_array_new();

    for (unsigned i = 0; clients && i < clients->len; i++) {
        g_ptr_array_add(copy, g_ptr_array_index(clients, i));
    }
    for (unsigned i = 0; i < copy->len; i++) {
        fn(g_ptr_array_index(copy, i), opaque);
    }
}

NetClientState *net_client_new(const NetClientInfo *info,
                               NetClientState *peer, const char *model,
                               const char *name)
{
    NetClientState *nc;

    assert(info->size >= sizeof(NetClientState));
    assert(info->receive || info->receive_iov);
    nc = g_malloc0(info->size);
    nc->info = info;
    nc->model = g_strdup(model);
    nc->name = g_strdup(name);
    nc->incoming = net_queue_new(nc);
    if (peer) {
        assert(!peer->peer);
        nc->peer = peer;
        peer->peer = nc;
    }
    client_register(nc);
    return nc;
}

bool net_client_set_peer(NetClientState *a, NetClientState *b, GError **errp)
{
    if (a->peer || b->peer) {
        NetClientState *busy = a->peer ? a : b;
        error_setg(errp, "%s '%s' is already connected to '%s'",
                   busy->is_netdev ? "netdev" : "NIC", busy->name,
                   busy->peer->name);
        return false;
    }
    a->peer = b;
    b->peer = a;
    return true;
}

void net_client_free(NetClientState *nc)
{
    NetClientState *peer;
    NetReadyCB *resume = NULL;

    if (!nc) {
        return;
    }
    peer = nc->peer;
    if (peer) {
        /* Frames nc sent may still reach the peer; but a callback into
         * nc must not, and a peer stopped by nc's queue must go on (its
         * frames vanish from now on: it has no peer). */
        net_queue_take_ready(peer->incoming);
        resume = net_queue_take_ready(nc->incoming);
        peer->peer = NULL;
        nc->peer = NULL;
    }
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
    net_queue_free(nc->incoming);
    if (clients) {
        g_ptr_array_remove(clients, nc);
    }
    g_free(nc->name);
    g_free(nc->model);
    g_free(nc->info_str);
    g_free(nc);
    if (resume) {
        resume(peer);
    }
}

NetClientState *net_find_netdev(const char *id)
{
    for (unsigned i = 0; id && clients && i < clients->len; i++) {
        NetClientState *nc = g_ptr_array_index(clients, i);
        if (nc->is_netdev && !strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

void net_client_set_info_str(NetClientState *nc, const char *fmt, ...)
{
    va_list ap;

    g_free(nc->info_str);
    va_start(ap, fmt);
    nc->info_str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void net_client_set_link(NetClientState *nc, bool up)
{
    /* As with a cable: both ends see the link go down or up. */
    nc->link_down = !up;
    if (nc->peer) {
        nc->peer->link_down = !up;
    }
    if (nc->info->link_status_changed) {
        nc->info->link_status_changed(nc);
    }
    if (nc->peer && nc->peer->info->link_status_changed) {
        nc->peer->info->link_status_changed(nc->peer);
    }
}

static const char *client_kind(NetClientState *nc)
{
    static const char *const kinds[] = {
        [NET_CLIENT_DRIVER_NIC] = "nic",
        [NET_CLIENT_DRIVER_USER] = "user",
        [NET_CLIENT_DRIVER_TAP] = "tap",
        [NET_CLIENT_DRIVER_SOCKET] = "socket",
        [NET_CLIENT_DRIVER_TEST] = "test",
    };

    return nc->info->type < ARRAY_SIZE(kinds) ? kinds[nc->info->type] : "?";
}

static void info_line(GString *out, NetClientState *nc, const char *indent)
{
    g_string_append_printf(out, "%s%s: type=%s%s%s%s\n", indent, nc->name,
                           client_kind(nc), nc->info_str ? "," : "",
                           nc->info_str ? nc->info_str : "",
                           nc->link_down ? " (link down)" : "");
}

void net_info(GString *out)
{
    for (unsigned i = 0; clients && i < clients->len; i++) {
        NetClientState *nc = g_ptr_array_index(clients, i);

        if (nc->info->type == NET_CLIENT_DRIVER_NIC) {
            info_line(out, nc, "");
            if (nc->peer) {
                info_line(out, nc->peer, " \\ ");
            }
        }
    }
    for (unsigned i = 0; clients && i < clients->len; i++) {
        NetClientState *nc = g_ptr_array_index(clients, i);

        if (nc->info->type != NET_CLIENT_DRIVER_NIC && !nc->peer) {
            info_line(out, nc, "");
        }
    }
}

bool net_set_link_by_name(const char *name, bool up, GError **errp)
{
    for (unsigned i = 0; clients && i < clients->len; i++) {
        NetClientState *nc = g_ptr_array_index(clients, i);

        if (!strcmp(nc->name, name)) {
            net_client_set_link(nc, up);
            return true;
        }
    }
    error_setg(errp, "Device '%s' not found", name);
    return false;
}

static void free_backend(NetClientState *nc, void *opaque)
{
    if (nc->info->type != NET_CLIENT_DRIVER_NIC) {
        net_client_free(nc);
    }
}

void net_cleanup(void)
{
    net_client_foreach(free_backend, NULL);
}

/* ---- sending ------------------------------------------------------------- */

ssize_t net_send_iov_async(NetClientState *nc, const struct iovec *iov,
                           int iovcnt, NetReadyCB *ready)
{
    size_t size = net_iov_size(iov, iovcnt);

    if (!nc->peer || nc->link_down || nc->peer->link_down) {
        /* Nobody at the other end, or the cable is out: the frame is
         * gone, as on real hardware. Not a flow-control event. */
        return size;
    }
    nc->stats.tx_packets++;
    nc->stats.tx_bytes += size;
    return net_queue_send(nc->peer->incoming, nc, iov, iovcnt, size, ready);
}

ssize_t net_send_packet_async(NetClientState *nc, const uint8_t *buf,
                              size_t len, NetReadyCB *ready)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return net_send_iov_async(nc, &iov, 1, ready);
}

ssize_t net_send_packet(NetClientState *nc, const uint8_t *buf, size_t len)
{
    return net_send_packet_async(nc, buf, len, NULL);
}

bool net_can_send(NetClientState *nc)
{
    NetClientState *peer = nc->peer;

    if (!peer) {
        return true;
    }
    if (net_queue_count(peer->incoming)) {
        return false;
    }
    return !peer->info->can_receive || peer->info->can_receive(peer);
}

void net_queue_flush(NetClientState *nc)
{
    net_queue_flush_all(nc->incoming);
}

void net_queue_purge(NetClientState *nc)
{
    NetReadyCB *resume;

    net_queue_drop_all(nc->incoming);
    resume = net_queue_take_ready(nc->incoming);
    if (resume && nc->peer) {
        resume(nc->peer);
    }
}

unsigned net_queue_length(NetClientState *nc)
{
    return net_queue_count(nc->incoming);
}

/* ---- vnet headers -------------------------------------------------------- */

bool net_has_vnet_hdr(NetClientState *nc)
{
    return nc && nc->info->has_vnet_hdr && nc->info->has_vnet_hdr(nc);
}

bool net_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return nc && nc->info->has_vnet_hdr_len &&
           nc->info->has_vnet_hdr_len(nc, len);
}

bool net_has_ufo(NetClientState *nc)
{
    return nc && nc->info->has_ufo && nc->info->has_ufo(nc);
}

void net_using_vnet_hdr(NetClientState *nc, bool enable)
{
    if (nc && nc->info->using_vnet_hdr) {
        nc->info->using_vnet_hdr(nc, enable);
        nc->used_vnet_hdr = enable;
    }
}

void net_set_vnet_hdr_len(NetClientState *nc, int len)
{
    if (nc && nc->info->set_vnet_hdr_len) {
        nc->info->set_vnet_hdr_len(nc, len);
    }
}

void net_set_offload(NetClientState *nc, const NetOffloads *off)
{
    if (nc && nc->info->set_offload) {
        nc->info->set_offload(nc, off);
    }
}

/* ---- iovecs -------------------------------------------------------------- */

size_t net_iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, size_t off,
                      void *buf, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - off, len - done);
        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, n);
        done += n;
        off = 0;
    }
    return done;
}

size_t net_iov_from_buf(const struct iovec *iov, int iovcnt, size_t off,
                        const void *buf, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - off, len - done);
        memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done,
               n);
        done += n;
        off = 0;
    }
    return done;
}

/* ---- MAC addresses ------------------------------------------------------- */

/* QEMU's pool: 52:54:00:12:34:56 + index (the last byte wraps). */
#define MAC_POOL_SIZE 256
static bool mac_pool_used[MAC_POOL_SIZE];
static const uint8_t mac_pool_base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static bool mac_is_zero(const MACAddr *mac)
{
    static const MACAddr zero;

    return !memcmp(mac, &zero, sizeof(zero));
}

void net_macaddr_default_if_unset(NICConf *conf)
{
    if (!mac_is_zero(&conf->macaddr)) {
        return;
    }
    for (int i = 0; i < MAC_POOL_SIZE; i++) {
        if (!mac_pool_used[i]) {
            mac_pool_used[i] = true;
            memcpy(conf->macaddr.a, mac_pool_base, 6);
            conf->macaddr.a[5] = (uint8_t)(mac_pool_base[5] + i);
            conf->mac_assigned = true;
            return;
        }
    }
    /* 256 NICs without mac=: the pool starts over (QEMU stops). */
    memcpy(conf->macaddr.a, mac_pool_base, 6);
}

void net_macaddr_release(NICConf *conf)
{
    if (conf->mac_assigned) {
        uint8_t i = (uint8_t)(conf->macaddr.a[5] - mac_pool_base[5]);
        mac_pool_used[i] = false;
        conf->mac_assigned = false;
    }
}

bool net_parse_macaddr(const char *str, MACAddr *mac)
{
    MACAddr m;

    for (int i = 0; i < 6; i++) {
        char *end;
        unsigned long v;

        if (!g_ascii_isxdigit(str[0])) {
            return false;
        }
        v = strtoul(str, &end, 16);
        if (v > 0xff || end - str > 2) {
            return false;
        }
        m.a[i] = v;
        str = end;
        if (i < 5) {
            if (*str != ':' && *str != '-') {
                return false;
            }
            str++;
        }
    }
    if (*str) {
        return false;
    }
    *mac = m;
    return true;
}

char *net_format_macaddr(const MACAddr *mac)
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", mac->a[0],
                           mac->a[1], mac->a[2], mac->a[3], mac->a[4],
                           mac->a[5]);
}

/* ---- NIC properties ------------------------------------------------------ */

#define FIELD(dev, p, type) ((type *)((char *)(dev) + (p)->offset))

static bool mac_parse(DeviceState *dev, const Property *p, const char *v,
                      GError **errp)
{
    MACAddr *mac = FIELD(dev, p, MACAddr);

    if (!net_parse_macaddr(v, mac)) {
        error_setg(errp, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", v);
        return false;
    }
    if (mac->a[0] & 1) {
        error_setg(errp, "'%s' is a multicast address; a NIC needs a "
                   "unicast one", v);
        return false;
    }
    return true;
}

static char *mac_print(DeviceState *dev, const Property *p)
{
    return net_format_macaddr(FIELD(dev, p, MACAddr));
}

static void mac_default(DeviceState *dev, const Property *p)
{
    memset(FIELD(dev, p, MACAddr), 0, sizeof(MACAddr));
}

const PropertyInfo prop_info_macaddr = {
    .type = "macaddr",
    .parse = mac_parse,
    .print = mac_print,
    .set_default = mac_default,
};

static bool netdev_bind(NetClientState **field, NetClientState *peer,
                        const char *what, GError **errp)
{
    if (peer && peer->peer) {
        error_setg(errp, "netdev '%s' is already in use by %s", what,
                   peer->peer->name);
        return false;
    }
    *field = peer;
    return true;
}

static bool netdev_parse(DeviceState *dev, const Property *p, const char *v,
                         GError **errp)
{
    NetClientState *peer = NULL;

    if (*v) {
        peer = net_find_netdev(v);
        if (!peer) {
            error_setg(errp, "netdev '%s' not found (give it with -netdev "
                       "TYPE,id=%s)", v, v);
            return false;
        }
    }
    return netdev_bind(FIELD(dev, p, NetClientState *), peer, v, errp);
}

static char *netdev_print(DeviceState *dev, const Property *p)
{
    NetClientState *peer = *FIELD(dev, p, NetClientState *);

    return g_strdup(peer ? peer->name : "");
}

static void netdev_default(DeviceState *dev, const Property *p)
{
    *FIELD(dev, p, NetClientState *) = NULL;
}

const PropertyInfo prop_info_netdev = {
    .type = "netdev",
    .parse = netdev_parse,
    .print = netdev_print,
    .set_default = netdev_default,
};

bool qdev_prop_set_netdev(DeviceState *dev, const char *name,
                          NetClientState *peer, GError **errp)
{
    const Property *p = qdev_prop_find(dev, name);

    if (!p || p->info != &prop_info_netdev) {
        g_error("device '%s' has no netdev property '%s'", dev->info->name,
                name);
    }
    assert(!dev->realized);
    return netdev_bind(FIELD(dev, p, NetClientState *), peer,
                       peer ? peer->name : "", errp);
}

NetClientState *net_nic_new(const NetClientInfo *info, NICConf *conf,
                            const char *model, const char *id, void *opaque,
                            GError **errp)
{
    static GHashTable *model_counts;
    NetClientState *nc;
    g_autofree char *name = NULL;
    g_autofree char *mac = NULL;

    assert(info->type == NET_CLIENT_DRIVER_NIC);
    if (conf->peer && conf->peer->peer) {
        error_setg(errp, "netdev '%s' is already in use by %s",
                   conf->peer->name, conf->peer->peer->name);
        return NULL;
    }
    if (id) {
        name = g_strdup(id);
    } else {
        unsigned n;

        if (!model_counts) {
            model_counts = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                 g_free, NULL);
        }
        n = GPOINTER_TO_UINT(g_hash_table_lookup(model_counts, model));
        g_hash_table_insert(model_counts, g_strdup(model),
                            GUINT_TO_POINTER(n + 1));
        name = g_strdup_printf("%s.%u", model, n);
    }
    net_macaddr_default_if_unset(conf);
    nc = net_client_new(info, conf->peer, model, name);
    nc->opaque = opaque;
    mac = net_format_macaddr(&conf->macaddr);
    net_client_set_info_str(nc, "model=%s,macaddr=%s", model, mac);
    return nc;
}

/* ---- back-end types ------------------------------------------------------ */

static GPtrArray *backend_types;

void net_backend_register(const NetBackendType *t)
{
    if (!backend_types) {
        backend_types = g_ptr_array_new();
    }
    g_ptr_array_add(backend_types, (gpointer)t);
}

const NetBackendType *net_backend_find(const char *name)
{
    for (unsigned i = 0; name && backend_types && i < backend_types->len;
         i++) {
        const NetBackendType *t = g_ptr_array_index(backend_types, i);
        if (!strcmp(t->name, name)) {
            return t;
        }
    }
    return NULL;
}

static gint backend_cmp(gconstpointer a, gconstpointer b)
{
    const NetBackendType *x = *(const NetBackendType **)a;
    const NetBackendType *y = *(const NetBackendType **)b;

    return strcmp(x->name, y->name);
}

void net_backend_list(FILE *f)
{
    fprintf(f, "Available netdev backend types:\n");
    if (backend_types) {
        g_ptr_array_sort(backend_types, backend_cmp);
    }
    for (unsigned i = 0; backend_types && i < backend_types->len; i++) {
        const NetBackendType *t = g_ptr_array_index(backend_types, i);
        fprintf(f, "%-10s %s\n", t->name, t->desc);
    }
}

static bool id_is_valid(const char *id)
{
    /* QEMU's rule: a letter, then letters, digits, '-', '.', '_'. */
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

NetClientState *net_backend_new(const char *type, const char *id,
                                Opts *opts, GError **errp)
{
    const NetBackendType *t = net_backend_find(type);
    NetClientState *nc;

    if (!type || !*type) {
        error_setg(errp, "Parameter 'type' is missing (try -netdev help)");
        return NULL;
    }
    if (!t) {
        error_setg(errp, "Parameter 'type' expects a netdev backend type; "
                   "'%s' is not one (try -netdev help)", type);
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!id_is_valid(id) && !g_str_has_prefix(id, "__")) {
        error_setg(errp, "Parameter 'id' expects an identifier (a letter, "
                   "then letters, digits, '-', '.', '_'); '%s' is not one",
                   id);
        return NULL;
    }
    if (net_find_netdev(id)) {
        error_setg(errp, "Duplicate ID '%s' for netdev", id);
        return NULL;
    }
    opts_get(opts, "type");     /* the implied key, if it came that way */
    nc = t->init(id, opts, errp);
    if (!nc) {
        return NULL;
    }
    nc->is_netdev = true;
    if (!opts_check_unused(opts, errp)) {
        net_client_free(nc);
        return NULL;
    }
    return nc;
}
