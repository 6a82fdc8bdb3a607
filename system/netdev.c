/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev, -nic, -net: the command line's network options, and the
 * default NIC. See include/system/netdev.h and docs/net.md.
 *
 * Options are recorded while the command line is parsed and acted on
 * later: back ends before the machine is built, NICs once it has its
 * PCI bus. Each error names the option it came from.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "hw/qdev.h"
#include "net/net.h"
#include "system/netdev.h"

typedef struct NicRequest {
    char *model;            /* NULL: NET_DEFAULT_NIC_MODEL */
    char *mac;              /* NULL: the default pool */
    char *netdev;           /* the back end's id; NULL: no back end */
    char *where;            /* "-nic user,..." for error messages */
} NicRequest;

static GPtrArray *netdev_args;  /* char *, -netdev */
static GPtrArray *nic_args;     /* char *, -nic */
static GPtrArray *net_args;     /* char *, -net (but none) */
static bool net_none;           /* -net none / -nic none */
static GPtrArray *nic_requests; /* NicRequest * */

static void nic_request_free(gpointer p)
{
    NicRequest *r = p;

    g_free(r->model);
    g_free(r->mac);
    g_free(r->netdev);
    g_free(r->where);
    g_free(r);
}

static void record(GPtrArray **list, const char *arg)
{
    if (!*list) {
        *list = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(*list, g_strdup(arg));
}

void net_options_reset(void)
{
    g_clear_pointer(&netdev_args, g_ptr_array_unref);
    g_clear_pointer(&nic_args, g_ptr_array_unref);
    g_clear_pointer(&net_args, g_ptr_array_unref);
    g_clear_pointer(&nic_requests, g_ptr_array_unref);
    net_none = false;
}

/* ---- NIC models ---------------------------------------------------------- */

/* A NIC model is a device type with a netdev property of the core. */
static bool type_is_nic(const DeviceInfo *info)
{
    for (; info; info = info->parent ? type_find(info->parent) : NULL) {
        for (const Property *p = info->props; p && p->name; p++) {
            if (p->info == &prop_info_netdev) {
                return true;
            }
        }
    }
    return false;
}

static void list_nic_models(FILE *f)
{
    g_autoptr(GPtrArray) types = type_list(NULL, true);

    fprintf(f, "Available NIC models:\n");
    for (unsigned i = 0; i < types->len; i++) {
        const DeviceInfo *info = g_ptr_array_index(types, i);
        if (type_is_nic(info)) {
            fprintf(f, "%s\n", info->name);
        }
    }
}

static bool is_help(const char *s)
{
    return s && (!strcmp(s, "help") || !strcmp(s, "?"));
}

/* "TYPE,help": the options of one back end. */
static bool backend_help(const char *arg)
{
    g_autofree char *type = g_strndup(arg, strcspn(arg, ","));
    const NetBackendType *t;

    if (!g_str_has_suffix(arg, ",help") && !g_str_has_suffix(arg, ",?")) {
        return false;
    }
    t = net_backend_find(type);
    if (!t) {
        return false;
    }
    printf("%s options:\n%s", t->name, t->opts_help ? t->opts_help : "");
    return true;
}

/* model=help anywhere in the option string. */
static bool model_help(const char *arg)
{
    g_autoptr(Opts) o = opts_parse(arg, "type", NULL);

    return o && is_help(opts_get(o, "model"));
}

/* ---- recording ----------------------------------------------------------- */

bool net_opt_netdev(const char *arg, GError **errp)
{
    if (is_help(arg)) {
        net_backend_list(stdout);
        exit(0);
    }
    if (backend_help(arg)) {
        exit(0);
    }
    record(&netdev_args, arg);
    return true;
}

bool net_opt_nic(const char *arg, GError **errp)
{
    if (is_help(arg)) {
        net_backend_list(stdout);
        exit(0);
    }
    if (model_help(arg)) {
        list_nic_models(stdout);
        exit(0);
    }
    if (backend_help(arg)) {
        exit(0);
    }
    if (!strcmp(arg, "none")) {
        net_none = true;
        return true;
    }
    record(&nic_args, arg);
    return true;
}

bool net_opt_net(const char *arg, GError **errp)
{
    if (is_help(arg)) {
        net_backend_list(stdout);
        exit(0);
    }
    if (model_help(arg)) {
        list_nic_models(stdout);
        exit(0);
    }
    if (!strcmp(arg, "none")) {
        net_none = true;
        return true;
    }
    record(&net_args, arg);
    return true;
}

/* ---- back ends ----------------------------------------------------------- */

static NicRequest *add_nic_request(const char *model, const char *mac,
                                   const char *netdev, const char *where)
{
    NicRequest *r = g_new0(NicRequest, 1);

    r->model = g_strdup(model);
    r->mac = g_strdup(mac);
    r->netdev = g_strdup(netdev);
    r->where = g_strdup(where);
    if (!nic_requests) {
        nic_requests = g_ptr_array_new_with_free_func(nic_request_free);
    }
    g_ptr_array_add(nic_requests, r);
    return r;
}

static bool create_netdevs(GError **errp)
{
    for (unsigned i = 0; netdev_args && i < netdev_args->len; i++) {
        const char *arg = g_ptr_array_index(netdev_args, i);
        g_autoptr(Opts) o = NULL;

        error_set_location("-netdev %s", arg);
        o = opts_parse(arg, "type", errp);
        if (!o || !net_backend_new(opts_get(o, "type"), o->id, o, errp)) {
            return false;
        }
    }
    return true;
}

static bool create_nic_shorthands(GError **errp)
{
    for (unsigned i = 0; nic_args && i < nic_args->len; i++) {
        const char *arg = g_ptr_array_index(nic_args, i);
        g_autoptr(Opts) o = NULL;
        g_autofree char *where = g_strdup_printf("-nic %s", arg);
        g_autofree char *id = NULL;
        const char *type, *model, *mac;

        error_set_location("%s", where);
        o = opts_parse(arg, "type", errp);
        if (!o) {
            return false;
        }
        type = opts_get(o, "type");
        model = opts_get(o, "model");
        mac = opts_get(o, "mac");
        if (type && !strcmp(type, "none")) {
            error_setg(errp, "'none' takes no options");
            return false;
        }
        /* The id names the back end, as in QEMU. */
        id = o->id ? g_strdup(o->id) : g_strdup_printf("__nic%u", i);
        if (!net_backend_new(type, id, o, errp)) {
            return false;
        }
        add_nic_request(model, mac, id, where);
    }
    return true;
}

/*
 * -net: QEMU connects every -net of a "vlan" through a hub. Without
 * hubs, the common forms still work: one "-net nic" paired with one
 * "-net TYPE" back end, or "-net nic,netdev=ID".
 */
static bool create_net_legacy(GError **errp)
{
    g_autofree char *backend_id = NULL;
    g_autoptr(GPtrArray) unpaired = g_ptr_array_new();  /* NicRequest * */
    unsigned nbackends = 0;

    for (unsigned i = 0; net_args && i < net_args->len; i++) {
        const char *arg = g_ptr_array_index(net_args, i);
        g_autoptr(Opts) o = NULL;
        g_autofree char *where = g_strdup_printf("-net %s", arg);
        const char *type;

        error_set_location("%s", where);
        o = opts_parse(arg, "type", errp);
        if (!o) {
            return false;
        }
        type = opts_get(o, "type");
        if (opts_has(o, "vlan")) {
            error_setg(errp, "vlan= (hubs) is not supported; use -nic or "
                       "-netdev with -device");
            return false;
        }
        if (type && !strcmp(type, "nic")) {
            NicRequest *r;
            const char *netdev = opts_get(o, "netdev");

            opts_get(o, "name");
            r = add_nic_request(opts_get(o, "model"), opts_get(o, "macaddr"),
                                netdev, where);
            if (!netdev) {
                g_ptr_array_add(unpaired, r);
            }
            if (!opts_check_unused(o, errp)) {
                return false;
            }
            continue;
        }
        if (++nbackends > 1) {
            error_setg(errp, "only one -net back end can be used (it pairs "
                       "with the one -net nic); use -nic or -netdev for "
                       "more");
            return false;
        }
        g_free(backend_id);
        backend_id = o->id ? g_strdup(o->id) : g_strdup_printf("__net%u", i);
        opts_get(o, "name");
        if (!net_backend_new(type, backend_id, o, errp)) {
            return false;
        }
    }
    if (unpaired->len > 1 && nbackends) {
        NicRequest *r = g_ptr_array_index(unpaired, 1);
        error_set_location("%s", r->where);
        error_setg(errp, "only one -net nic can share the -net back end; "
                   "use -nic or -netdev for more");
        return false;
    }
    if (unpaired->len && nbackends) {
        NicRequest *r = g_ptr_array_index(unpaired, 0);
        r->netdev = g_strdup(backend_id);
    }
    return true;
}

bool net_init_clients(bool nodefaults, GError **errp)
{
    bool ok = create_netdevs(errp) && create_nic_shorthands(errp) &&
              create_net_legacy(errp);

    if (!ok) {
        return false;
    }
    error_clear_location();
    /*
     * The default NIC (QEMU gives every machine one): only without any
     * network option, and only where this build has both halves.
     */
    if (!nodefaults && !net_none && !netdev_args && !nic_args && !net_args &&
        net_backend_find("user") && type_find(NET_DEFAULT_NIC_MODEL)) {
        g_autoptr(Opts) o = opts_parse("", NULL, errp);

        if (!o || !net_backend_new("user", "user.0", o, errp)) {
            error_prepend(errp, "the default NIC's user networking: ");
            return false;
        }
        add_nic_request(NULL, NULL, "user.0", "the default NIC");
    }
    return true;
}

/* ---- NICs ---------------------------------------------------------------- */

static bool create_nic(NicRequest *r, GError **errp)
{
    const char *model = r->model ? r->model : NET_DEFAULT_NIC_MODEL;
    const DeviceInfo *info = type_find(model);
    g_autoptr(Opts) o = NULL;

    if (!info || !info->user_creatable || !type_is_nic(info)) {
        error_setg(errp, "'%s' is not a NIC model (try model=help)", model);
        return false;
    }
    o = opts_parse("", NULL, errp);
    opts_set(o, "driver", model);
    if (r->netdev) {
        opts_set(o, "netdev", r->netdev);
    }
    if (r->mac) {
        opts_set(o, "mac", r->mac);
    }
    return qdev_device_add(o, errp) != NULL;
}

bool net_init_nics(GError **errp)
{
    for (unsigned i = 0; nic_requests && i < nic_requests->len; i++) {
        NicRequest *r = g_ptr_array_index(nic_requests, i);

        error_set_location("%s", r->where);
        if (!create_nic(r, errp)) {
            return false;
        }
    }
    error_clear_location();
    g_clear_pointer(&nic_requests, g_ptr_array_unref);
    return true;
}

static void check_client(NetClientState *nc, void *opaque)
{
    if (nc->peer) {
        return;
    }
    if (nc->is_netdev) {
        warn_report("netdev %s has no peer (no NIC uses it; add -device "
                    "%s,netdev=%s)", nc->name, NET_DEFAULT_NIC_MODEL,
                    nc->name);
    } else if (nc->info->type == NET_CLIENT_DRIVER_NIC) {
        warn_report("NIC %s has no back end (its frames go nowhere; give "
                    "it netdev=ID)", nc->name);
    }
}

void net_check_clients(void)
{
    net_client_foreach(check_client, NULL);
}
