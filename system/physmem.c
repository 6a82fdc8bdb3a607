/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine's memory and port address spaces. */
#include "ember/osdep.h"
#include "exec/memory.h"

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion system_memory;
static MemoryRegion system_io;

MemoryRegion *get_system_memory(void)
{
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    return &system_io;
}

void memory_map_init(void)
{
    memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
    address_space_init(&address_space_memory, &system_memory, "memory");
    memory_region_init(&system_io, NULL, "io", 65536);
    address_space_init(&address_space_io, &system_io, "I/O");
    address_space_io.is_io = true;
}
