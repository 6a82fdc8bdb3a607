/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC machine ("pc": i440FX-style chipset, no firmware needed for
 * direct kernel boot).
 *
 * Guest-physical memory map:
 *   0 .. below_4g          RAM ("ram-below-4g"; at most 3.5 GiB)
 *   0xa0000 .. 0xc0000     VGA window (display device, when present)
 *   0xe0000 .. 0x100000    BIOS area ROM ("pc.bios"): RSDP and tables
 *   below_4g .. 0xfec00000 PCI MMIO hole (BARs)
 *   0xfec00000             I/O APIC
 *   0xfed00000             HPET
 *   0xfee00000             local APICs (each CPU sees its own)
 *   0xfffe0000 .. 4 GiB    alias of the BIOS area (reset vector)
 *   4 GiB .. 4 GiB + above RAM ("ram-above-4g")
 *
 * Interrupts: 24 GSIs. GSI 0..15 reach the i8259 pair and the I/O APIC
 * (ISA IRQ 0 is I/O APIC pin 2, as the MADT override says); 16..23 only
 * the I/O APIC. Under KVM with the in-kernel irqchip every GSI ends in
 * KVM_IRQ_LINE instead.
 *
 * Set-up is split by area; each init function lives in its own file:
 *   pc_intc.c   pc_init_intc, pc_init_cpu_apic, pc_init_acpi_fw_cfg
 *   pc_isa.c    pc_init_isa_devices
 *   pc_pci.c    pc_init_pci
 *   x86-boot.c  pc_load_kernel
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/isa/isa.h"

#define PC_GSI_COUNT 24
#define PC_LOWMEM_MAX 0xe0000000ULL     /* RAM below 4 GiB at most */
#define PC_PCI_HOLE_START_MIN 0xe0000000ULL
#define PC_BIOS_AREA_START 0xe0000
#define PC_BIOS_AREA_SIZE 0x20000
#define IOAPIC_BASE 0xfec00000ULL
#define HPET_BASE 0xfed00000ULL
#define APIC_DEFAULT_BASE 0xfee00000ULL

typedef struct PCMachineState {
    MachineState *ms;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion bios;              /* BIOS area ROM (128 KiB) */
    MemoryRegion bios_high;         /* its alias below 4 GiB */
    uint64_t below_4g_mem_size;
    uint64_t above_4g_mem_size;
    hwaddr pci_hole_start;

    ISABus *isa_bus;
    IRQLine *gsi[PC_GSI_COUNT];     /* what devices raise */
    IRQLine *ioapic_in[PC_GSI_COUNT];   /* I/O APIC pins (user space) */
    IRQLine *pic_in[16];            /* i8259 inputs (user space) */
    bool irqchip_in_kernel;

    DeviceState *pic;               /* master i8259 (user space) */
    DeviceState *ioapic;
    DeviceState *hpet;
    DeviceState *pm;                /* ACPI PM (PM timer, S5, reset reg) */
    DeviceState *fw_cfg;
    DeviceState *rtc;
    DeviceState *pit;
    DeviceState *i8042;
    void *pci_bus;                  /* PCIBus * */
    DeviceState *apics[1024];       /* per CPU index */
    CPUState *cpus[1024];
    unsigned ncpus;
} PCMachineState;

/* pc.c */
PCMachineState *pc_machine(void);

/* pc_intc.c: PIC, I/O APIC (or KVM routing), per-CPU local APICs. */
void pc_init_intc(PCMachineState *pcms);
void pc_init_cpu_apic(PCMachineState *pcms, CPUState *cpu);
/* pc_intc.c: HPET, ACPI PM device, fw_cfg, and the ACPI tables. */
void pc_init_acpi_fw_cfg(PCMachineState *pcms);

/* pc_isa.c: PIT, RTC, COM ports, i8042, port 92, debug devices. */
void pc_init_isa_devices(PCMachineState *pcms);

/* pc_pci.c: host bridge, ISA bridge (PIRQ routing), default PCI devices. */
void pc_init_pci(PCMachineState *pcms);

/* x86-boot.c: load -kernel/-initrd/-append; register the entry state
 * as a reset handler. No -kernel: an error unless the accelerator is
 * qtest. */
bool pc_load_kernel(PCMachineState *pcms, GError **errp);

#endif
