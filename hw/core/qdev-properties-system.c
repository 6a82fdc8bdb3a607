/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device properties that refer to system back ends (chardevs). */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/qdev-properties-system.h"

#define CHR_FIELD(dev, p) ((CharBackend *)((char *)(dev) + (p)->offset))

static bool chr_attach(DeviceState *dev, const Property *p, Chardev *chr,
                       GError **errp)
{
    CharBackend *be = CHR_FIELD(dev, p);

    /* Setting the property twice replaces the earlier back end. */
    chr_fe_deinit(be);
    return chr_fe_init(be, chr, errp);
}

static bool chr_parse(DeviceState *dev, const Property *p, const char *value,
                      GError **errp)
{
    Chardev *chr;

    if (!*value) {
        /* QEMU accepts an empty label as "no back end". */
        return chr_attach(dev, p, NULL, errp);
    }
    chr = chardev_find(value);
    if (!chr) {
        error_setg(errp, "Chardev '%s' not found", value);
        return false;
    }
    return chr_attach(dev, p, chr, errp);
}

static char *chr_print(DeviceState *dev, const Property *p)
{
    CharBackend *be = CHR_FIELD(dev, p);

    return g_strdup(be->chr ? be->chr->label : "");
}

static void chr_default(DeviceState *dev, const Property *p)
{
    memset(CHR_FIELD(dev, p), 0, sizeof(CharBackend));
}

static void chr_release(DeviceState *dev, const Property *p)
{
    chr_fe_deinit(CHR_FIELD(dev, p));
}

const PropertyInfo prop_info_chr = {
    .type = "str",
    .parse = chr_parse,
    .print = chr_print,
    .set_default = chr_default,
    .release = chr_release,
};

bool qdev_prop_set_chr(DeviceState *dev, const char *name, Chardev *chr,
                       GError **errp)
{
    const Property *p = qdev_prop_find(dev, name);

    if (!p || p->info != &prop_info_chr) {
        g_error("device '%s' has no chardev property '%s'",
                dev->info->name, name);
    }
    assert(!dev->realized);
    return chr_attach(dev, p, chr, errp);
}
