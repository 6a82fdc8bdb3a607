/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "pc" machine: memory map, CPUs, then each area's devices. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/e820.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86.h"
#include "system/accel.h"

static PCMachineState *the_pc;

PCMachineState *pc_machine(void)
{
    return the_pc;
}

static bool pc_memory_init(PCMachineState *pcms, GError **errp)
{
    MachineState *ms = pcms->ms;
    MemoryRegion *sysmem = get_system_memory();
    MemoryRegion *ram = g_new0(MemoryRegion, 1);
    uint8_t *bios;

    if (!memory_region_init_ram(ram, NULL, "pc.ram", ms->ram_size, errp)) {
        return false;
    }
    ms->ram = ram;
    pcms->below_4g_mem_size = MIN(ms->ram_size, PC_LOWMEM_MAX);
    pcms->above_4g_mem_size = ms->ram_size - pcms->below_4g_mem_size;
    pcms->pci_hole_start = MAX(pcms->below_4g_mem_size, PC_PCI_HOLE_START_MIN);

    memory_region_init_alias(&pcms->ram_below_4g, NULL, "ram-below-4g", ram,
                             0, pcms->below_4g_mem_size);
    memory_region_add_subregion(sysmem, 0, &pcms->ram_below_4g);
    e820_add_entry(0, pcms->below_4g_mem_size, E820_RAM);
    if (pcms->above_4g_mem_size) {
        memory_region_init_alias(&pcms->ram_above_4g, NULL, "ram-above-4g",
                                 ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(sysmem, 4 * GiB, &pcms->ram_above_4g);
        e820_add_entry(4 * GiB, pcms->above_4g_mem_size, E820_RAM);
    }
    /*
     * The BIOS area: a ROM over 0xe0000-0xfffff (on top of RAM) and its
     * alias just below 4 GiB, where the reset vector lives. Without
     * firmware it holds the ACPI RSDP and a HLT loop at the reset vector.
     */
    if (!memory_region_init_rom(&pcms->bios, NULL, "pc.bios",
                                PC_BIOS_AREA_SIZE, errp)) {
        return false;
    }
    bios = memory_region_get_ram_ptr(&pcms->bios);
    /* Reset vector at 0xffff0: cli; hlt; jmp $-2 */
    bios[PC_BIOS_AREA_SIZE - 16 + 0] = 0xfa;
    bios[PC_BIOS_AREA_SIZE - 16 + 1] = 0xf4;
    bios[PC_BIOS_AREA_SIZE - 16 + 2] = 0xeb;
    bios[PC_BIOS_AREA_SIZE - 16 + 3] = 0xfd;
    memory_region_add_subregion_overlap(sysmem, PC_BIOS_AREA_START,
                                        &pcms->bios, 1);
    memory_region_init_alias(&pcms->bios_high, NULL, "pc.bios-high",
                             &pcms->bios, 0, PC_BIOS_AREA_SIZE);
    memory_region_add_subregion(sysmem, 4 * GiB - PC_BIOS_AREA_SIZE,
                                &pcms->bios_high);
    /* Legacy holes that the guest must not use as RAM. */
    e820_add_entry(0x9fc00, 0x400, E820_RESERVED);
    e820_add_entry(0xa0000, 0x60000, E820_RESERVED);
    return true;
}

static bool pc_init(MachineState *ms, GError **errp)
{
    PCMachineState *pcms = g_new0(PCMachineState, 1);

    the_pc = pcms;
    pcms->ms = ms;
    ms->board = pcms;
    e820_reset_table();
    if (!pc_memory_init(pcms, errp)) {
        return false;
    }
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        CPUState *cs = x86_cpu_create(ms, i, errp);
        if (!cs) {
            return false;
        }
        pcms->cpus[i] = cs;
        pcms->ncpus++;
    }
    pcms->isa_bus = isa_bus_new(NULL, get_system_memory(), get_system_io());
    pc_init_intc(pcms);
    for (unsigned i = 0; i < pcms->ncpus; i++) {
        pc_init_cpu_apic(pcms, pcms->cpus[i]);
    }
    pc_init_pci(pcms);
    pc_init_isa_devices(pcms);
    pc_init_acpi_fw_cfg(pcms);
    return pc_load_kernel(pcms, errp);
}

static const MachineType pc_machine_type = {
    .name = "pc-i440fx-ember",
    .alias = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .is_default = true,
    .max_cpus = 255,
    .default_ram_size = 128 * MiB,
    .init = pc_init,
};

static void __attribute__((constructor)) pc_register(void)
{
    machine_type_register(&pc_machine_type);
}
