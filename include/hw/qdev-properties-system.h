/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device properties that refer to back ends of the system emulator.
 *
 *   DEFINE_PROP_CHR("chardev", SerialISAState, state.chr)
 *
 * The field is a CharBackend embedded in the device state. From the
 * command line ("-device isa-serial,chardev=c0") the value is the label
 * of a -chardev; parsing looks it up and attaches the device as its front
 * end. From code, qdev_prop_set_chr() does the same with a Chardev *.
 * The back end is detached again when the device is freed.
 */
#ifndef HW_QDEV_PROPERTIES_SYSTEM_H
#define HW_QDEV_PROPERTIES_SYSTEM_H

#include "hw/qdev.h"
#include "chardev/char.h"

extern const PropertyInfo prop_info_chr;

/* The field must be a CharBackend (checked at compile time). */
#define DEFINE_PROP_CHR(_n, _s, _f) {                                      \
        .name = (_n),                                                      \
        .info = &prop_info_chr,                                            \
        .offset = offsetof(_s, _f) +                                       \
            0 * sizeof(char[__builtin_types_compatible_p(                  \
                __typeof__(((_s *)0)->_f), CharBackend) ? 1 : -1]),        \
    }

/*
 * Attach chr (may be NULL: no back end) to the CharBackend property
 * @name. Aborts on a wrong property name (a programming error); errp
 * reports a back end that is already in use.
 */
bool qdev_prop_set_chr(DeviceState *dev, const char *name, Chardev *chr,
                       GError **errp);

#endif
