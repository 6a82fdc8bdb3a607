/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device model.
 *
 * A device type is one static DeviceInfo, registered once (type_init).
 * Types form a single-inheritance chain through .parent ("device" is the
 * root). An instance is a struct whose first member is its parent type's
 * instance struct, down to DeviceState. Creating one runs every
 * instance_init from the root down; realize and reset also run from the
 * root type down to the leaf (so "pci-device" sets up config space before
 * the leaf's realize); unrealize runs from the leaf up.
 *
 * Properties (typed, with defaults) are set from code or from
 * "-device name,prop=value" before realize.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "ember/osdep.h"
#include "hw/irq.h"

typedef struct DeviceState DeviceState;
typedef struct BusState BusState;
typedef struct DeviceInfo DeviceInfo;
typedef struct Property Property;
typedef struct Opts Opts;

typedef struct PropertyInfo {
    const char *type;       /* shown in help: "uint32", "bool", "str"... */
    /* Parse value (from the command line) into the field. */
    bool (*parse)(DeviceState *dev, const Property *p, const char *value,
                  GError **errp);
    /* Current value as a string (for help and debugging); g_free it. */
    char *(*print)(DeviceState *dev, const Property *p);
    void (*set_default)(DeviceState *dev, const Property *p);
    void (*release)(DeviceState *dev, const Property *p);
} PropertyInfo;

struct Property {
    const char *name;
    const PropertyInfo *info;
    size_t offset;
    union {
        uint64_t u;
        int64_t i;
        const char *s;
    } defval;
    const char *desc;
    int bitnr;              /* for bit properties */
};

struct DeviceInfo {
    const char *name;
    const char *parent;             /* parent type; NULL only for "device" */
    size_t instance_size;
    const char *desc;
    bool abstract;
    bool user_creatable;            /* may be created with -device */
    const char *bus_type;           /* bus kind it plugs into, or NULL */
    const Property *props;          /* ends with an entry with name NULL */
    void (*instance_init)(DeviceState *dev);
    bool (*realize)(DeviceState *dev, GError **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
    const void *class_data;         /* type-specific constants */
};

struct BusState {
    const char *type;               /* "isa", "pci" ... */
    char *name;                     /* "isa.0", "pci.0" */
    DeviceState *parent;
    GPtrArray *children;            /* DeviceState * */
};

struct DeviceState {
    const DeviceInfo *info;
    char *id;
    bool realized;
    BusState *parent_bus;
    GPtrArray *gpio_in;             /* IRQLine * owned by the device */
    GPtrArray *gpio_out;            /* IRQLine ** pins inside the device */
};

/* Register at start-up: type_init(my_register) with type_register(&info). */
#define type_init(fn)                                               \
    static void __attribute__((constructor)) do_type_init_##fn(void) \
    {                                                               \
        fn();                                                       \
    }
void type_register(const DeviceInfo *info);
const DeviceInfo *type_find(const char *name);
bool type_is_a(const DeviceInfo *info, const char *ancestor);
bool qdev_is_a(DeviceState *dev, const char *ancestor);
/* The nearest class_data on the chain from info up. */
const void *type_class_data(const DeviceInfo *info);
/* Sorted list of types that are a @ancestor (NULL = all), not abstract. */
GPtrArray *type_list(const char *ancestor, bool only_user_creatable);

/* Instances. qdev_new aborts on an unknown type (a programming error). */
DeviceState *qdev_new(const char *type);
DeviceState *qdev_try_new(const char *type, GError **errp);
bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp);
/* Realize or exit(1) with the error: for boards creating fixed devices. */
void qdev_realize_or_die(DeviceState *dev, BusState *bus);
void qdev_unrealize(DeviceState *dev);
/* Unrealize if needed and free the instance. */
void qdev_free(DeviceState *dev);
void qdev_reset(DeviceState *dev);
/* Reset every realized device, in creation order. */
void qdev_reset_all(void);
DeviceState *qdev_find_id(const char *id);
void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque);
/* Free every device (at exit, so leak checkers stay quiet). */
void qdev_destroy_all(void);

/* -device name,prop=val,...,bus=...,id=... */
DeviceState *qdev_device_add(Opts *opts, GError **errp);
/* -device help, -device name,help */
void qdev_print_types(FILE *f);
bool qdev_print_props(FILE *f, const char *type, GError **errp);

/* Properties. The setters abort on a wrong name (a programming error). */
bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     GError **errp);
const Property *qdev_prop_find(DeviceState *dev, const char *name);
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value);
void qdev_prop_set_uint16(DeviceState *dev, const char *name, uint16_t value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value);
void qdev_prop_set_ptr(DeviceState *dev, const char *name, void *value);

extern const PropertyInfo prop_info_bit;
extern const PropertyInfo prop_info_bool;
extern const PropertyInfo prop_info_uint8;
extern const PropertyInfo prop_info_uint16;
extern const PropertyInfo prop_info_uint32;
extern const PropertyInfo prop_info_int32;
extern const PropertyInfo prop_info_uint64;
extern const PropertyInfo prop_info_size;
extern const PropertyInfo prop_info_string;
extern const PropertyInfo prop_info_ptr;    /* set only from code */

#define DEFINE_PROP(_name, _state, _field, _info, _type, ...) {          \
        .name = (_name),                                                 \
        .info = &(_info),                                                \
        .offset = offsetof(_state, _field) +                             \
            0 * sizeof(((_state *)0)->_field == (_type)0),               \
        __VA_ARGS__                                                      \
    }
#define DEFINE_PROP_BOOL(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_bool, bool, .defval.u = (d))
#define DEFINE_PROP_BIT(n, s, f, bit, d) \
    DEFINE_PROP(n, s, f, prop_info_bit, uint32_t, .defval.u = (d), \
                .bitnr = (bit))
#define DEFINE_PROP_UINT8(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_uint8, uint8_t, .defval.u = (d))
#define DEFINE_PROP_UINT16(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_uint16, uint16_t, .defval.u = (d))
#define DEFINE_PROP_UINT32(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_uint32, uint32_t, .defval.u = (d))
#define DEFINE_PROP_INT32(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_int32, int32_t, .defval.i = (d))
#define DEFINE_PROP_UINT64(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_uint64, uint64_t, .defval.u = (d))
#define DEFINE_PROP_SIZE(n, s, f, d) \
    DEFINE_PROP(n, s, f, prop_info_size, uint64_t, .defval.u = (d))
#define DEFINE_PROP_STRING(n, s, f) \
    DEFINE_PROP(n, s, f, prop_info_string, char *)
#define DEFINE_PROP_PTR(n, s, f) \
    DEFINE_PROP(n, s, f, prop_info_ptr, void *)
#define DEFINE_PROP_END { .name = NULL }

/* IRQ pins. In: lines the device receives on. Out: pointers in the
 * device's state that the board wires to other devices' inputs. */
void qdev_init_gpio_in(DeviceState *dev, IRQHandler *handler, int n);
IRQLine *qdev_get_gpio_in(DeviceState *dev, int n);
void qdev_init_gpio_out(DeviceState *dev, IRQLine **pins, int n);
void qdev_connect_gpio_out(DeviceState *dev, int n, IRQLine *line);

/* Buses. */
void qbus_init(BusState *bus, const char *type, DeviceState *parent,
               const char *name);
/* Find a bus by name ("pci.0") or, failing that, the first of a type. */
BusState *qbus_find(const char *name_or_type);

#endif
