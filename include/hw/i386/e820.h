/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BIOS e820 memory map (ACPI 6.4, section 15) that the machine
 * describes to the guest (boot_params, multiboot, PVH, fw_cfg). */
#ifndef HW_I386_E820_H
#define HW_I386_E820_H

#include "ember/osdep.h"

#define E820_RAM        1
#define E820_RESERVED   2
#define E820_ACPI       3
#define E820_NVS        4
#define E820_UNUSABLE   5

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} EMBER_PACKED E820Entry;

/* Add a range; later entries of a higher type override overlaps. */
void e820_add_entry(uint64_t addr, uint64_t size, uint32_t type);
/* The map, sorted and without overlaps. */
unsigned e820_get_table(const E820Entry **table);
void e820_reset_table(void);

#endif
