/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * High Precision Event Timer ("hpet"; IA-PC HPET specification 1.0a):
 * a 64-bit main counter at 100 MHz on the virtual clock and 3 (up to 32)
 * comparators, at HPET_BASE.
 *
 * gpio outputs:
 *   0..23  the I/O APIC inputs a timer's Tn_INT_ROUTE_CNF selects (the
 *          timers offer pins 16..23, see HPET_ROUTE_CAP);
 *   24     legacy replacement IRQ 0 (timer 0 with LEG_RT_CNF);
 *   25     legacy replacement IRQ 8 (timer 1 with LEG_RT_CNF);
 *   26     high while LEG_RT_CNF is set: the board then disconnects the
 *          8254's IRQ 0 and the RTC's IRQ 8 (spec 2.4.3).
 * FSB (MSI) delivery, property "msi", writes to address_space_memory.
 */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include "hw/qdev.h"
#include "exec/memory.h"

#define TYPE_HPET "hpet"

#define HPET_FREQ_HZ        100000000ULL
#define HPET_PERIOD_FS      10000000u   /* counter tick, femtoseconds */
#define HPET_NUM_TIMERS_DEF 3
#define HPET_MAX_TIMERS     32
#define HPET_ROUTE_CAP      0x00ff0000u /* I/O APIC pins 16..23 */
#define HPET_MMIO_SIZE      0x400

#define HPET_OUT_LEGACY_IRQ0    24
#define HPET_OUT_LEGACY_IRQ8    25
#define HPET_OUT_LEGACY_MODE    26
#define HPET_NUM_OUTS           27

/* Create and realize; map it at base in sysmem. */
DeviceState *hpet_create(MemoryRegion *sysmem, hwaddr base);
/* The register window, for boards that map it themselves. */
MemoryRegion *hpet_get_mmio(DeviceState *dev);
/* The low 32 bits of the capabilities register (the ACPI HPET table's
 * Event Timer Block ID). */
uint32_t hpet_get_block_id(DeviceState *dev);

#endif
