/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interrupt controllers, HPET, ACPI and fw_cfg of the PC (to be filled). */
#include "ember/osdep.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86.h"

void pc_init_intc(PCMachineState *pcms)
{
    isa_bus_set_irqs(pcms->isa_bus, pcms->gsi);
}

void pc_init_cpu_apic(PCMachineState *pcms, CPUState *cpu)
{
}

void pc_init_acpi_fw_cfg(PCMachineState *pcms)
{
}

int x86_cpu_get_pic_interrupt(CPUX86State *env)
{
    return -1;
}
