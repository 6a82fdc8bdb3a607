/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Basic device property types. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "hw/qdev.h"

#define FIELD(dev, p, type) ((type *)((char *)(dev) + (p)->offset))

static bool parse_u64_range(const char *value, uint64_t max, uint64_t *out,
                            GError **errp)
{
    uint64_t v;

    if (!parse_uint64(value, &v)) {
        error_setg(errp, "'%s' is not a number", value);
        return false;
    }
    if (v > max) {
        error_setg(errp, "value %s out of range (max %" PRIu64 ")", value,
                   max);
        return false;
    }
    *out = v;
    return true;
}

/* bool */
static bool bool_parse(DeviceState *dev, const Property *p, const char *v,
                       GError **errp)
{
    if (!parse_bool(v, FIELD(dev, p, bool))) {
        error_setg(errp, "'%s' is not on/off", v);
        return false;
    }
    return true;
}
static char *bool_print(DeviceState *dev, const Property *p)
{
    return g_strdup(*FIELD(dev, p, bool) ? "on" : "off");
}
static void bool_default(DeviceState *dev, const Property *p)
{
    *FIELD(dev, p, bool) = p->defval.u != 0;
}
const PropertyInfo prop_info_bool = {
    .type = "bool", .parse = bool_parse, .print = bool_print,
    .set_default = bool_default,
};

/* bit in a uint32_t */
static bool bit_parse(DeviceState *dev, const Property *p, const char *v,
                      GError **errp)
{
    bool b;

    if (!parse_bool(v, &b)) {
        error_setg(errp, "'%s' is not on/off", v);
        return false;
    }
    *FIELD(dev, p, uint32_t) = deposit32(*FIELD(dev, p, uint32_t),
                                         p->bitnr, 1, b);
    return true;
}
static char *bit_print(DeviceState *dev, const Property *p)
{
    return g_strdup((*FIELD(dev, p, uint32_t) >> p->bitnr) & 1 ? "on"
                                                               : "off");
}
static void bit_default(DeviceState *dev, const Property *p)
{
    *FIELD(dev, p, uint32_t) = deposit32(*FIELD(dev, p, uint32_t),
                                         p->bitnr, 1, p->defval.u != 0);
}
const PropertyInfo prop_info_bit = {
    .type = "bool", .parse = bit_parse, .print = bit_print,
    .set_default = bit_default,
};

#define UINT_PROP(bits)                                                    \
    static bool u##bits##_parse(DeviceState *dev, const Property *p,       \
                                const char *v, GError **errp)              \
    {                                                                      \
        uint64_t x;                                                        \
        if (!parse_u64_range(v, UINT##bits##_MAX, &x, errp)) {             \
            return false;                                                  \
        }                                                                  \
        *FIELD(dev, p, uint##bits##_t) = x;                                \
        return true;                                                       \
    }                                                                      \
    static char *u##bits##_print(DeviceState *dev, const Property *p)      \
    {                                                                      \
        return g_strdup_printf("%" PRIu64,                                 \
                               (uint64_t)*FIELD(dev, p, uint##bits##_t));  \
    }                                                                      \
    static void u##bits##_default(DeviceState *dev, const Property *p)     \
    {                                                                      \
        *FIELD(dev, p, uint##bits##_t) = p->defval.u;                      \
    }                                                                      \
    const PropertyInfo prop_info_uint##bits = {                            \
        .type = "uint" #bits, .parse = u##bits##_parse,                    \
        .print = u##bits##_print, .set_default = u##bits##_default,        \
    };

UINT_PROP(8)
UINT_PROP(16)
UINT_PROP(32)
UINT_PROP(64)

static bool i32_parse(DeviceState *dev, const Property *p, const char *v,
                      GError **errp)
{
    char *end;
    long long x;

    errno = 0;
    x = strtoll(v, &end, 0);
    if (errno || !*v || *end || x < INT32_MIN || x > INT32_MAX) {
        error_setg(errp, "'%s' is not a 32-bit integer", v);
        return false;
    }
    *FIELD(dev, p, int32_t) = x;
    return true;
}
static char *i32_print(DeviceState *dev, const Property *p)
{
    return g_strdup_printf("%d", *FIELD(dev, p, int32_t));
}
static void i32_default(DeviceState *dev, const Property *p)
{
    *FIELD(dev, p, int32_t) = p->defval.i;
}
const PropertyInfo prop_info_int32 = {
    .type = "int32", .parse = i32_parse, .print = i32_print,
    .set_default = i32_default,
};

static bool size_parse(DeviceState *dev, const Property *p, const char *v,
                       GError **errp)
{
    if (!parse_size(v, 'B', FIELD(dev, p, uint64_t))) {
        error_setg(errp, "'%s' is not a size", v);
        return false;
    }
    return true;
}
const PropertyInfo prop_info_size = {
    .type = "size", .parse = size_parse, .print = u64_print,
    .set_default = u64_default,
};

static bool str_parse(DeviceState *dev, const Property *p, const char *v,
                      GError **errp)
{
    g_free(*FIELD(dev, p, char *));
    *FIELD(dev, p, char *) = g_strdup(v);
    return true;
}
static char *str_print(DeviceState *dev, const Property *p)
{
    const char *s = *FIELD(dev, p, char *);
    return g_strdup(s ? s : "");
}
static void str_default(DeviceState *dev, const Property *p)
{
    *FIELD(dev, p, char *) = g_strdup(p->defval.s);
}
static void str_release(DeviceState *dev, const Property *p)
{
    g_clear_pointer(FIELD(dev, p, char *), g_free);
}
const PropertyInfo prop_info_string = {
    .type = "str", .parse = str_parse, .print = str_print,
    .set_default = str_default, .release = str_release,
};

const PropertyInfo prop_info_ptr = {
    .type = "ptr",
};

/* ---- setters from code ---------------------------------------------------- */

static const Property *must_find(DeviceState *dev, const char *name,
                                 const PropertyInfo *a,
                                 const PropertyInfo *b)
{
    const Property *p = qdev_prop_find(dev, name);

    if (!p || (p->info != a && p->info != b)) {
        g_error("device '%s' has no property '%s' of that type",
                dev->info->name, name);
    }
    assert(!dev->realized);
    return p;
}

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    const Property *p = must_find(dev, name, &prop_info_bool, &prop_info_bit);

    if (p->info == &prop_info_bool) {
        *FIELD(dev, p, bool) = value;
    } else {
        *FIELD(dev, p, uint32_t) = deposit32(*FIELD(dev, p, uint32_t),
                                             p->bitnr, 1, value);
    }
}

void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value)
{
    *FIELD(dev, must_find(dev, name, &prop_info_uint8, NULL), uint8_t) = value;
}

void qdev_prop_set_uint16(DeviceState *dev, const char *name, uint16_t value)
{
    *FIELD(dev, must_find(dev, name, &prop_info_uint16, NULL), uint16_t) =
        value;
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value)
{
    *FIELD(dev, must_find(dev, name, &prop_info_uint32, NULL), uint32_t) =
        value;
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    *FIELD(dev, must_find(dev, name, &prop_info_int32, NULL), int32_t) = value;
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value)
{
    *FIELD(dev, must_find(dev, name, &prop_info_uint64, &prop_info_size),
           uint64_t) = value;
}

void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value)
{
    const Property *p = must_find(dev, name, &prop_info_string, NULL);

    g_free(*FIELD(dev, p, char *));
    *FIELD(dev, p, char *) = g_strdup(value);
}

void qdev_prop_set_ptr(DeviceState *dev, const char *name, void *value)
{
    /* ptr-like properties (ptr, chardev, drive...) hold a pointer. */
    const Property *p = qdev_prop_find(dev, name);

    if (!p) {
        g_error("device '%s' has no property '%s'", dev->info->name, name);
    }
    assert(!dev->realized);
    *FIELD(dev, p, void *) = value;
}
