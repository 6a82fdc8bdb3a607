/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel loading (to be filled). */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/pc.h"

bool pc_load_kernel(PCMachineState *pcms, GError **errp)
{
    if (!pcms->ms->kernel) {
        return true;
    }
    error_setg(errp, "-kernel: kernel loading is not implemented yet");
    return false;
}
