/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "system/accel.h"

static GPtrArray *accels;
static const AccelOps *current;
static bool chosen_explicitly;

bool accel_chosen_explicitly(void)
{
    return chosen_explicitly;
}

void accel_set_chosen_explicitly(bool explicit_choice)
{
    chosen_explicitly = explicit_choice;
}

void accel_register(const AccelOps *ops)
{
    if (!accels) {
        accels = g_ptr_array_new();
    }
    g_ptr_array_add(accels, (gpointer)ops);
}

const AccelOps *accel_find(const char *name)
{
    for (unsigned i = 0; accels && i < accels->len; i++) {
        const AccelOps *ops = g_ptr_array_index(accels, i);
        if (!strcmp(ops->name, name)) {
            return ops;
        }
    }
    return NULL;
}

const AccelOps *current_accel(void)
{
    return current;
}

void accel_set_current(const AccelOps *ops)
{
    current = ops;
}

void accel_list(FILE *f)
{
    fprintf(f, "Accelerators supported in this build:\n");
    for (unsigned i = 0; accels && i < accels->len; i++) {
        const AccelOps *ops = g_ptr_array_index(accels, i);
        fprintf(f, "%s\n", ops->name);
    }
}
