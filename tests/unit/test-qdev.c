/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device model: types, properties, realize/reset order, -device. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "hw/qdev.h"

typedef struct BaseDev {
    DeviceState parent;
    uint32_t base_prop;
    GString *trace;
} BaseDev;

typedef struct LeafDev {
    BaseDev parent;
    uint16_t port;
    bool flag;
    char *name;
    uint64_t size;
    int32_t level;
    IRQLine *out[2];
    int in_level[3];
} LeafDev;

static GString *trace;

static void base_init(DeviceState *d)
{
    g_string_append(trace, "init-base ");
}

static bool base_realize(DeviceState *d, GError **errp)
{
    g_string_append(trace, "realize-base ");
    return true;
}

static void base_reset(DeviceState *d)
{
    g_string_append(trace, "reset-base ");
}

static void leaf_in(void *opaque, int n, int level)
{
    LeafDev *l = opaque;

    l->in_level[n] = level;
}

static void leaf_init(DeviceState *d)
{
    LeafDev *l = (LeafDev *)d;

    g_string_append(trace, "init-leaf ");
    qdev_init_gpio_in(d, leaf_in, 3);
    qdev_init_gpio_out(d, l->out, 2);
}

static bool leaf_realize(DeviceState *d, GError **errp)
{
    LeafDev *l = (LeafDev *)d;

    g_string_append(trace, "realize-leaf ");
    if (l->port == 0xdead) {
        error_setg(errp, "port 0xdead is cursed");
        return false;
    }
    return true;
}

static void leaf_reset(DeviceState *d)
{
    g_string_append(trace, "reset-leaf ");
}

static const Property base_props[] = {
    DEFINE_PROP_UINT32("base-prop", BaseDev, base_prop, 7),
    DEFINE_PROP_END,
};

static const Property leaf_props[] = {
    DEFINE_PROP_UINT16("port", LeafDev, port, 0x3f8),
    DEFINE_PROP_BOOL("flag", LeafDev, flag, true),
    DEFINE_PROP_STRING("name", LeafDev, name),
    DEFINE_PROP_SIZE("size", LeafDev, size, 4096),
    DEFINE_PROP_INT32("level", LeafDev, level, -2),
    DEFINE_PROP_END,
};

static const DeviceInfo base_info = {
    .name = "test-base", .parent = "device",
    .instance_size = sizeof(BaseDev), .abstract = true,
    .props = base_props, .instance_init = base_init,
    .realize = base_realize, .reset = base_reset,
};

static const DeviceInfo leaf_info = {
    .name = "test-leaf", .parent = "test-base",
    .instance_size = sizeof(LeafDev), .user_creatable = true,
    .props = leaf_props, .instance_init = leaf_init,
    .realize = leaf_realize, .reset = leaf_reset,
    .desc = "a device for tests",
};

static void register_test_types(void)
{
    type_register(&base_info);
    type_register(&leaf_info);
}
type_init(register_test_types)

static void test_lifecycle(void)
{
    DeviceState *d;
    LeafDev *l;
    GError *err = NULL;

    g_string_truncate(trace, 0);
    d = qdev_new("test-leaf");
    l = (LeafDev *)d;
    g_assert_cmpstr(trace->str, ==, "init-base init-leaf ");
    /* Defaults from the whole chain. */
    g_assert_cmpuint(l->parent.base_prop, ==, 7);
    g_assert_cmpuint(l->port, ==, 0x3f8);
    g_assert_true(l->flag);
    g_assert_cmpuint(l->size, ==, 4096);
    g_assert_cmpint(l->level, ==, -2);
    g_assert_true(qdev_is_a(d, "test-base"));
    g_assert_false(qdev_is_a(d, "isa-device"));
    g_string_truncate(trace, 0);
    g_assert_true(qdev_realize(d, NULL, &err));
    g_assert_cmpstr(trace->str, ==,
                    "realize-base realize-leaf reset-base reset-leaf ");
    /* Properties cannot change after realize. */
    g_assert_false(qdev_prop_parse(d, "port", "1", &err));
    g_clear_error(&err);
    qdev_free(d);
}

static void test_props(void)
{
    DeviceState *d = qdev_new("test-leaf");
    LeafDev *l = (LeafDev *)d;
    GError *err = NULL;

    g_assert_true(qdev_prop_parse(d, "port", "0x2f8", &err));
    g_assert_cmpuint(l->port, ==, 0x2f8);
    g_assert_false(qdev_prop_parse(d, "port", "70000", &err));
    g_assert_nonnull(strstr(err->message, "out of range"));
    g_clear_error(&err);
    g_assert_true(qdev_prop_parse(d, "flag", "off", &err));
    g_assert_false(l->flag);
    g_assert_false(qdev_prop_parse(d, "flag", "maybe", &err));
    g_clear_error(&err);
    g_assert_true(qdev_prop_parse(d, "size", "2M", &err));
    g_assert_cmpuint(l->size, ==, 2 * MiB);
    g_assert_true(qdev_prop_parse(d, "level", "-5", &err));
    g_assert_cmpint(l->level, ==, -5);
    g_assert_true(qdev_prop_parse(d, "name", "hello", &err));
    g_assert_cmpstr(l->name, ==, "hello");
    g_assert_true(qdev_prop_parse(d, "base-prop", "9", &err));
    g_assert_cmpuint(l->parent.base_prop, ==, 9);
    g_assert_false(qdev_prop_parse(d, "nope", "1", &err));
    g_assert_nonnull(strstr(err->message, "not found"));
    g_clear_error(&err);
    qdev_prop_set_uint16(d, "port", 0x60);
    g_assert_cmpuint(l->port, ==, 0x60);
    qdev_free(d);
}

static void test_gpio(void)
{
    DeviceState *a = qdev_new("test-leaf");
    DeviceState *b = qdev_new("test-leaf");
    LeafDev *la = (LeafDev *)a, *lb = (LeafDev *)b;

    qdev_connect_gpio_out(a, 1, qdev_get_gpio_in(b, 2));
    irq_raise(la->out[1]);
    g_assert_cmpint(lb->in_level[2], ==, 1);
    irq_lower(la->out[1]);
    g_assert_cmpint(lb->in_level[2], ==, 0);
    /* Unconnected outputs are fine. */
    irq_raise(la->out[0]);
    qdev_free(a);
    qdev_free(b);
}

static void test_device_add(void)
{
    GError *err = NULL;
    g_autoptr(Opts) o = opts_parse("test-leaf,port=0x100,id=t0", "driver",
                                   &err);
    g_autoptr(Opts) dup = opts_parse("test-leaf,id=t0", "driver", &err);
    g_autoptr(Opts) bad = opts_parse("test-leaf,port=0xdead", "driver", &err);
    g_autoptr(Opts) unknown = opts_parse("no-such-device", "driver", &err);
    g_autoptr(Opts) abs = opts_parse("test-base", "driver", &err);
    DeviceState *d = qdev_device_add(o, &err);

    g_assert_no_error(err);
    g_assert_nonnull(d);
    g_assert_true(qdev_find_id("t0") == d);
    g_assert_cmpuint(((LeafDev *)d)->port, ==, 0x100);
    g_assert_null(qdev_device_add(dup, &err));
    g_assert_nonnull(strstr(err->message, "Duplicate"));
    g_clear_error(&err);
    g_assert_null(qdev_device_add(bad, &err));
    g_assert_nonnull(strstr(err->message, "cursed"));
    g_clear_error(&err);
    g_assert_null(qdev_device_add(unknown, &err));
    g_assert_nonnull(strstr(err->message, "not a valid device"));
    g_clear_error(&err);
    g_assert_null(qdev_device_add(abs, &err));
    g_clear_error(&err);
    qdev_free(d);
    g_assert_null(qdev_find_id("t0"));
}

int main(int argc, char **argv)
{
    trace = g_string_new(NULL);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdev/lifecycle", test_lifecycle);
    g_test_add_func("/qdev/props", test_props);
    g_test_add_func("/qdev/gpio", test_gpio);
    g_test_add_func("/qdev/device-add", test_device_add);
    return g_test_run();
}
