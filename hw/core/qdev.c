/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device model: types, instances, realize/reset, -device. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "hw/qdev.h"

static GHashTable *types;          /* name -> const DeviceInfo * */
static GPtrArray *all_devices;     /* creation order */
static GPtrArray *all_buses;

static const DeviceInfo device_root_info = {
    .name = "device",
    .instance_size = sizeof(DeviceState),
    .abstract = true,
};

static void ensure_types(void)
{
    if (!types) {
        types = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(types, (gpointer)device_root_info.name,
                            (gpointer)&device_root_info);
    }
}

void type_register(const DeviceInfo *info)
{
    ensure_types();
    assert(!g_hash_table_contains(types, info->name));
    g_hash_table_insert(types, (gpointer)info->name, (gpointer)info);
}

const DeviceInfo *type_find(const char *name)
{
    ensure_types();
    return g_hash_table_lookup(types, name);
}

static const DeviceInfo *type_parent(const DeviceInfo *info)
{
    const DeviceInfo *p;

    if (!info->parent) {
        return NULL;
    }
    p = type_find(info->parent);
    if (!p) {
        g_error("device type '%s' has unknown parent '%s'", info->name,
                info->parent);
    }
    return p;
}

bool type_is_a(const DeviceInfo *info, const char *ancestor)
{
    for (; info; info = type_parent(info)) {
        if (!strcmp(info->name, ancestor)) {
            return true;
        }
    }
    return false;
}

bool qdev_is_a(DeviceState *dev, const char *ancestor)
{
    return type_is_a(dev->info, ancestor);
}

const void *type_class_data(const DeviceInfo *info)
{
    for (; info; info = type_parent(info)) {
        if (info->class_data) {
            return info->class_data;
        }
    }
    return NULL;
}

/* The chain root-first: chain[0] is "device", chain[n-1] is info. */
static int type_chain(const DeviceInfo *info, const DeviceInfo **chain,
                      int max)
{
    int n = 0;

    for (const DeviceInfo *t = info; t; t = type_parent(t)) {
        assert(n < max);
        chain[n++] = t;
    }
    for (int i = 0; i < n / 2; i++) {
        const DeviceInfo *x = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = x;
    }
    return n;
}

static const char *bus_type_of(const DeviceInfo *info)
{
    for (; info; info = type_parent(info)) {
        if (info->bus_type) {
            return info->bus_type;
        }
    }
    return NULL;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    const DeviceInfo *x = *(const DeviceInfo *const *)a;
    const DeviceInfo *y = *(const DeviceInfo *const *)b;

    return strcmp(x->name, y->name);
}

GPtrArray *type_list(const char *ancestor, bool only_user_creatable)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;

    ensure_types();
    g_hash_table_iter_init(&it, types);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const DeviceInfo *info = value;
        if (info->abstract || (only_user_creatable && !info->user_creatable)) {
            continue;
        }
        if (ancestor && !type_is_a(info, ancestor)) {
            continue;
        }
        g_ptr_array_add(out, value);
    }
    g_ptr_array_sort(out, compare_names);
    return out;
}

/* ---- properties (defaults) ---------------------------------------------- */

#define MAX_CHAIN 16

static void set_defaults(DeviceState *dev)
{
    const DeviceInfo *chain[MAX_CHAIN];
    int n = type_chain(dev->info, chain, MAX_CHAIN);

    for (int i = 0; i < n; i++) {
        for (const Property *p = chain[i]->props; p && p->name; p++) {
            if (p->info->set_default) {
                p->info->set_default(dev, p);
            }
        }
    }
}

const Property *qdev_prop_find(DeviceState *dev, const char *name)
{
    for (const DeviceInfo *t = dev->info; t; t = type_parent(t)) {
        for (const Property *p = t->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     GError **errp)
{
    const Property *p = qdev_prop_find(dev, name);

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", dev->info->name, name);
        return false;
    }
    if (dev->realized) {
        error_setg(errp, "Property '%s.%s' cannot be set after realize",
                   dev->info->name, name);
        return false;
    }
    if (!p->info->parse) {
        error_setg(errp, "Property '%s.%s' cannot be set from a string",
                   dev->info->name, name);
        return false;
    }
    if (!p->info->parse(dev, p, value, errp)) {
        error_prepend(errp, "Property '%s.%s': ", dev->info->name, name);
        return false;
    }
    return true;
}

/* ---- instances ------------------------------------------------------------ */

DeviceState *qdev_try_new(const char *type, GError **errp)
{
    const DeviceInfo *info = type_find(type);
    const DeviceInfo *chain[MAX_CHAIN];
    DeviceState *dev;
    int n;

    if (!info) {
        error_setg(errp, "'%s' is not a valid device model name "
                   "(try -device help)", type);
        return NULL;
    }
    if (info->abstract) {
        error_setg(errp, "'%s' is an abstract device type", type);
        return NULL;
    }
    assert(info->instance_size >= sizeof(DeviceState));
    dev = g_malloc0(info->instance_size);
    dev->info = info;
    dev->gpio_in = g_ptr_array_new_with_free_func(g_free);
    dev->gpio_out = g_ptr_array_new();
    set_defaults(dev);
    n = type_chain(info, chain, MAX_CHAIN);
    for (int i = 0; i < n; i++) {
        if (chain[i]->instance_init) {
            chain[i]->instance_init(dev);
        }
    }
    if (!all_devices) {
        all_devices = g_ptr_array_new();
    }
    g_ptr_array_add(all_devices, dev);
    return dev;
}

DeviceState *qdev_new(const char *type)
{
    GError *err = NULL;
    DeviceState *dev = qdev_try_new(type, &err);

    if (!dev) {
        g_error("%s", err->message);
    }
    return dev;
}

bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp)
{
    const DeviceInfo *chain[MAX_CHAIN];
    const char *want = bus_type_of(dev->info);
    int n, i;

    assert(!dev->realized);
    if (want && !bus) {
        error_setg(errp, "device '%s' needs a '%s' bus", dev->info->name,
                   want);
        return false;
    }
    if (bus && (!want || strcmp(bus->type, want))) {
        error_setg(errp, "device '%s' cannot go on bus '%s'",
                   dev->info->name, bus->name);
        return false;
    }
    if (bus) {
        dev->parent_bus = bus;
        g_ptr_array_add(bus->children, dev);
    }
    n = type_chain(dev->info, chain, MAX_CHAIN);
    for (i = 0; i < n; i++) {
        if (chain[i]->realize && !chain[i]->realize(dev, errp)) {
            /* Undo the levels that succeeded. */
            while (--i >= 0) {
                if (chain[i]->unrealize) {
                    chain[i]->unrealize(dev);
                }
            }
            if (bus) {
                g_ptr_array_remove(bus->children, dev);
                dev->parent_bus = NULL;
            }
            return false;
        }
    }
    dev->realized = true;
    qdev_reset(dev);
    return true;
}

void qdev_realize_or_die(DeviceState *dev, BusState *bus)
{
    GError *err = NULL;

    if (!qdev_realize(dev, bus, &err)) {
        error_exit(err);
    }
}

void qdev_unrealize(DeviceState *dev)
{
    const DeviceInfo *chain[MAX_CHAIN];
    int n;

    if (!dev->realized) {
        return;
    }
    n = type_chain(dev->info, chain, MAX_CHAIN);
    for (int i = n - 1; i >= 0; i--) {
        if (chain[i]->unrealize) {
            chain[i]->unrealize(dev);
        }
    }
    if (dev->parent_bus) {
        g_ptr_array_remove(dev->parent_bus->children, dev);
        dev->parent_bus = NULL;
    }
    dev->realized = false;
}

void qdev_free(DeviceState *dev)
{
    const DeviceInfo *chain[MAX_CHAIN];
    int n;

    qdev_unrealize(dev);
    n = type_chain(dev->info, chain, MAX_CHAIN);
    for (int i = 0; i < n; i++) {
        for (const Property *p = chain[i]->props; p && p->name; p++) {
            if (p->info->release) {
                p->info->release(dev, p);
            }
        }
    }
    if (all_devices) {
        g_ptr_array_remove(all_devices, dev);
    }
    g_ptr_array_free(dev->gpio_in, TRUE);
    g_ptr_array_free(dev->gpio_out, TRUE);
    g_free(dev->id);
    g_free(dev);
}

void qdev_reset(DeviceState *dev)
{
    const DeviceInfo *chain[MAX_CHAIN];
    int n = type_chain(dev->info, chain, MAX_CHAIN);

    for (int i = 0; i < n; i++) {
        if (chain[i]->reset) {
            chain[i]->reset(dev);
        }
    }
}

void qdev_reset_all(void)
{
    for (unsigned i = 0; all_devices && i < all_devices->len; i++) {
        DeviceState *dev = g_ptr_array_index(all_devices, i);
        if (dev->realized) {
            qdev_reset(dev);
        }
    }
}

DeviceState *qdev_find_id(const char *id)
{
    for (unsigned i = 0; all_devices && i < all_devices->len; i++) {
        DeviceState *dev = g_ptr_array_index(all_devices, i);
        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    for (unsigned i = 0; all_devices && i < all_devices->len; i++) {
        fn(g_ptr_array_index(all_devices, i), opaque);
    }
}

void qdev_destroy_all(void)
{
    while (all_devices && all_devices->len) {
        qdev_free(g_ptr_array_index(all_devices, all_devices->len - 1));
    }
}

/* ---- IRQ pins --------------------------------------------------------------- */

void qdev_init_gpio_in(DeviceState *dev, IRQHandler *handler, int n)
{
    int base = dev->gpio_in->len;

    for (int i = 0; i < n; i++) {
        g_ptr_array_add(dev->gpio_in, irq_new(handler, dev, base + i));
    }
}

IRQLine *qdev_get_gpio_in(DeviceState *dev, int n)
{
    assert(n >= 0 && (unsigned)n < dev->gpio_in->len);
    return g_ptr_array_index(dev->gpio_in, n);
}

void qdev_init_gpio_out(DeviceState *dev, IRQLine **pins, int n)
{
    for (int i = 0; i < n; i++) {
        g_ptr_array_add(dev->gpio_out, &pins[i]);
    }
}

void qdev_connect_gpio_out(DeviceState *dev, int n, IRQLine *line)
{
    IRQLine **pin;

    assert(n >= 0 && (unsigned)n < dev->gpio_out->len);
    pin = g_ptr_array_index(dev->gpio_out, n);
    *pin = line;
}

/* ---- buses -------------------------------------------------------------------- */

void qbus_init(BusState *bus, const char *type, DeviceState *parent,
               const char *name)
{
    bus->type = type;
    bus->parent = parent;
    bus->children = g_ptr_array_new();
    if (name) {
        bus->name = g_strdup(name);
    } else {
        int n = 0;
        for (unsigned i = 0; all_buses && i < all_buses->len; i++) {
            BusState *b = g_ptr_array_index(all_buses, i);
            n += !strcmp(b->type, type);
        }
        bus->name = g_strdup_printf("%s.%d", type, n);
    }
    if (!all_buses) {
        all_buses = g_ptr_array_new();
    }
    g_ptr_array_add(all_buses, bus);
}

BusState *qbus_find(const char *name_or_type)
{
    for (unsigned i = 0; all_buses && i < all_buses->len; i++) {
        BusState *b = g_ptr_array_index(all_buses, i);
        if (!strcmp(b->name, name_or_type)) {
            return b;
        }
    }
    for (unsigned i = 0; all_buses && i < all_buses->len; i++) {
        BusState *b = g_ptr_array_index(all_buses, i);
        if (!strcmp(b->type, name_or_type)) {
            return b;
        }
    }
    return NULL;
}

/* ---- -device ------------------------------------------------------------------ */

DeviceState *qdev_device_add(Opts *opts, GError **errp)
{
    const char *driver = opts_get(opts, "driver");
    const char *busname = opts_get(opts, "bus");
    const DeviceInfo *info;
    const char *want;
    BusState *bus = NULL;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    info = type_find(driver);
    if (!info || info->abstract) {
        error_setg(errp, "'%s' is not a valid device model name "
                   "(try -device help)", driver);
        return NULL;
    }
    if (!info->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device "
                   "type; '%s' is not", driver);
        return NULL;
    }
    if (opts->id && qdev_find_id(opts->id)) {
        error_setg(errp, "Duplicate device ID '%s'", opts->id);
        return NULL;
    }
    want = bus_type_of(info);
    if (busname) {
        bus = qbus_find(busname);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", busname);
            return NULL;
        }
    } else if (want) {
        bus = qbus_find(want);
        if (!bus) {
            error_setg(errp, "No '%s' bus found for device '%s'", want,
                       driver);
            return NULL;
        }
    }
    dev = qdev_try_new(driver, errp);
    if (!dev) {
        return NULL;
    }
    dev->id = g_strdup(opts->id);
    for (unsigned i = 0; i < opts->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(opts->entries, i);
        if (!strcmp(e->key, "driver") || !strcmp(e->key, "bus")) {
            continue;
        }
        e->used = true;
        if (!qdev_prop_parse(dev, e->key, e->value, errp)) {
            qdev_free(dev);
            return NULL;
        }
    }
    if (!qdev_realize(dev, bus, errp)) {
        qdev_free(dev);
        return NULL;
    }
    return dev;
}

void qdev_print_types(FILE *f)
{
    g_autoptr(GPtrArray) list = type_list(NULL, true);

    fprintf(f, "Available devices (-device NAME[,PROP=VALUE...]):\n");
    for (unsigned i = 0; i < list->len; i++) {
        const DeviceInfo *info = g_ptr_array_index(list, i);
        const char *bus = bus_type_of(info);
        fprintf(f, "name \"%s\"%s%s%s%s%s\n", info->name,
                bus ? ", bus " : "", bus ? bus : "",
                info->desc ? ", desc \"" : "", info->desc ? info->desc : "",
                info->desc ? "\"" : "");
    }
}

bool qdev_print_props(FILE *f, const char *type, GError **errp)
{
    const DeviceInfo *info = type_find(type);
    const DeviceInfo *chain[MAX_CHAIN];
    int n;
    bool any = false;

    if (!info || info->abstract) {
        error_setg(errp, "'%s' is not a valid device model name "
                   "(try -device help)", type);
        return false;
    }
    n = type_chain(info, chain, MAX_CHAIN);
    fprintf(f, "%s options:\n", info->name);
    for (int i = n - 1; i >= 0; i--) {
        for (const Property *p = chain[i]->props; p && p->name; p++) {
            if (!p->info->parse) {
                continue;
            }
            fprintf(f, "  %-20s <%s>%s%s\n", p->name, p->info->type,
                    p->desc ? "  - " : "", p->desc ? p->desc : "");
            any = true;
        }
    }
    if (!any) {
        fprintf(f, "There are no options for %s.\n", info->name);
    }
    return true;
}
