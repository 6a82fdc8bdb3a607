/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ISA devices of the PC (to be filled). */
#include "ember/osdep.h"
#include "hw/i386/pc.h"

void pc_init_isa_devices(PCMachineState *pcms)
{
}
