/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACPI tables of the PC (ACPI 6.4, chapter 5): RSDP (revision 2) ->
 * XSDT and RSDT -> FADT (revision 6; -> FACS, DSDT), MADT, HPET.
 *
 * acpi_build() is pure: it lays the tables out for the guest addresses
 * it is given, from a description of the machine, so unit tests can
 * check them without a machine. hw/i386/pc_intc.c writes them into the
 * BIOS area (RSDP at 0xe0000, the rest after it) and publishes them as
 * the fw_cfg files "etc/acpi/rsdp" and "etc/acpi/tables".
 */
#ifndef HW_ACPI_ACPI_BUILD_H
#define HW_ACPI_ACPI_BUILD_H

#include "ember/osdep.h"

#define ACPI_TABLE_HEADER_SIZE  36
#define ACPI_RSDP_SIZE          36
#define ACPI_OEM_ID             "EMBER "
#define ACPI_OEM_TABLE_ID       "EMBERPC "

/* The standard description header (ACPI 6.4, 5.2.6). */
typedef struct AcpiTableHeader {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    char creator_id[4];
    uint32_t creator_revision;
} EMBER_PACKED AcpiTableHeader;

typedef struct AcpiBuildConfig {
    unsigned ncpus;
    const uint32_t *apic_ids;       /* ncpus APIC IDs, CPU index order */
    uint64_t lapic_base;
    uint64_t ioapic_base;
    uint8_t ioapic_id;
    /* The 32-bit PCI MMIO window [start, end) and an optional 64-bit one. */
    uint64_t pci_hole_start, pci_hole_end;
    uint64_t pci_hole64_start, pci_hole64_size;
    bool hpet;
    uint64_t hpet_base;
    uint32_t hpet_block_id;
    /* ACPI fixed hardware (hw/acpi/pm.h). */
    uint16_t pm_base;
    uint16_t gpe0_base;
    uint8_t sci_irq;
    uint16_t reset_port;
    uint8_t reset_value;
} AcpiBuildConfig;

typedef struct AcpiTables {
    GByteArray *rsdp;               /* placed at rsdp_addr */
    GByteArray *tables;             /* placed at tables_addr */
    uint64_t rsdp_addr;
    uint64_t tables_addr;
} AcpiTables;

/*
 * Build the tables for guest addresses rsdp_addr (16-byte aligned) and
 * tables_addr (64-byte aligned, for the FACS). Free with
 * acpi_tables_free().
 */
void acpi_build(const AcpiBuildConfig *cfg, uint64_t rsdp_addr,
                uint64_t tables_addr, AcpiTables *out);
void acpi_tables_free(AcpiTables *t);

/* The byte that makes the sum of len bytes zero, with it in place. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
