/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI of the PC (to be filled). */
#include "ember/osdep.h"
#include "hw/i386/pc.h"

void pc_init_pci(PCMachineState *pcms)
{
}
