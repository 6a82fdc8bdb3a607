/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PC's ACPI tables (ACPI 6.4, chapter 5) and its DSDT (chapter 19/20
 * semantics, built with hw/acpi/aml.c).
 *
 * Layout in the "tables" blob (each table 8-byte aligned): FACS (64-byte
 * aligned, at the start), DSDT, FADT, MADT, HPET, XSDT, RSDT. Pointers
 * are guest-physical addresses computed from tables_addr.
 */
#include "ember/osdep.h"
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"

/* Generic Address Structure (5.2.3.2). */
#define GAS_SYSTEM_MEMORY   0
#define GAS_SYSTEM_IO       1
#define GAS_ACCESS_BYTE     1
#define GAS_ACCESS_WORD     2
#define GAS_ACCESS_DWORD    3

/* FADT flags (table 5.10). */
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_PROC_C1          (1u << 2)
#define FADT_F_SLP_BUTTON       (1u << 5)   /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP    (1u << 10)
/* IA-PC boot architecture flags (table 5.11). */
#define FADT_BOOT_LEGACY_DEVICES    (1u << 0)
#define FADT_BOOT_8042              (1u << 1)

/* MADT structure types (table 5.21). */
#define MADT_LOCAL_APIC         0
#define MADT_IO_APIC            1
#define MADT_INT_SRC_OVERRIDE   2
#define MADT_LOCAL_APIC_NMI     4
#define MADT_LOCAL_X2APIC       9
#define MADT_PCAT_COMPAT        (1u << 0)
/* MPS INTI flags (table 5.26): polarity bits 1:0, trigger bits 3:2. */
#define MPS_ACTIVE_HIGH         0x1
#define MPS_TRIGGER_LEVEL       (0x3 << 2)

#define FADT_SIZE               276
#define FACS_SIZE               64

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return -sum;
}

static void put8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void put16(GByteArray *b, uint16_t v)
{
    put8(b, v);
    put8(b, v >> 8);
}

static void put32(GByteArray *b, uint32_t v)
{
    put16(b, v);
    put16(b, v >> 16);
}

static void put64(GByteArray *b, uint64_t v)
{
    put32(b, v);
    put32(b, v >> 32);
}

static void put_bytes(GByteArray *b, const void *p, size_t len)
{
    g_byte_array_append(b, p, len);
}

static void put_gas(GByteArray *b, uint8_t space, uint8_t bit_width,
                    uint8_t access, uint64_t addr)
{
    put8(b, space);
    put8(b, bit_width);
    put8(b, 0);         /* bit offset */
    put8(b, access);
    put64(b, addr);
}

static void align_to(GByteArray *b, unsigned align)
{
    while (b->len % align) {
        put8(b, 0);
    }
}

/* Start a table with its header; returns its offset in the blob. */
static size_t table_begin(GByteArray *b, const char *sig, uint8_t rev)
{
    size_t off;

    align_to(b, 8);
    off = b->len;
    put_bytes(b, sig, 4);
    put32(b, 0);                /* length, filled by table_end */
    put8(b, rev);
    put8(b, 0);                 /* checksum */
    put_bytes(b, ACPI_OEM_ID, 6);
    put_bytes(b, ACPI_OEM_TABLE_ID, 8);
    put32(b, 1);                /* OEM revision */
    put_bytes(b, "EMBR", 4);    /* creator */
    put32(b, 1);
    return off;
}

static void table_end(GByteArray *b, size_t off)
{
    uint8_t *t = b->data + off;
    uint32_t len = b->len - off;

    stl_le_p(t + 4, len);
    t[9] = 0;
    t[9] = acpi_checksum(t, len);
}

/* ---- DSDT ---------------------------------------------------------------- */

static Aml *build_pci_crs(const AcpiBuildConfig *cfg)
{
    Aml *crs = aml_resource_template();

    aml_append(crs, aml_word_bus_number(0x00, 0xff));
    aml_append(crs, aml_io(true, 0xcf8, 0xcf8, 1, 8));
    aml_append(crs, aml_word_io(0x0000, 0x0cf7));
    aml_append(crs, aml_word_io(0x0d00, 0xffff));
    /* The legacy VGA window. */
    aml_append(crs, aml_dword_memory(0xa0000, 0xbffff, true));
    if (cfg->pci_hole_end > cfg->pci_hole_start) {
        aml_append(crs, aml_dword_memory(cfg->pci_hole_start,
                                         cfg->pci_hole_end - 1, false));
    }
    if (cfg->pci_hole64_size) {
        aml_append(crs, aml_qword_memory(cfg->pci_hole64_start,
                                         cfg->pci_hole64_start +
                                         cfg->pci_hole64_size - 1, false));
    }
    return crs;
}

/*
 * _PRT (6.2.13): device s, pin p (0 = INTA) -> GSI 16 + ((s + p) % 4),
 * given directly (Source 0, Source Index = GSI).
 */
static Aml *build_pci_prt(void)
{
    Aml *prt = aml_package();

    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            Aml *e = aml_package();
            aml_append(e, aml_int(((uint32_t)slot << 16) | 0xffff));
            aml_append(e, aml_int(pin));
            aml_append(e, aml_int(0));
            aml_append(e, aml_int(16 + (slot + pin) % 4));
            aml_append(prt, e);
        }
    }
    return prt;
}

static GByteArray *build_dsdt_aml(const AcpiBuildConfig *cfg)
{
    Aml *root = aml_block_new();
    Aml *sb, *pci, *s5, *pic;

    /* \_PIC(mode): the OS tells which interrupt model it uses (5.8.1). */
    aml_append(root, aml_name_decl("\\PICM", aml_int(0)));
    pic = aml_method("\\_PIC", 1, false);
    aml_append(pic, aml_store(aml_arg(0), aml_name("\\PICM")));
    aml_append(root, pic);

    /* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved (7.4.2). */
    s5 = aml_package();
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(root, aml_name_decl("\\_S5", s5));

    sb = aml_scope("\\_SB");
    pci = aml_device("PCI0");
    aml_append(pci, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(pci, aml_name_decl("_ADR", aml_int(0)));
    aml_append(pci, aml_name_decl("_UID", aml_int(0)));
    aml_append(pci, aml_name_decl("_CRS", build_pci_crs(cfg)));
    aml_append(pci, aml_name_decl("_PRT", build_pci_prt()));
    aml_append(sb, pci);

    if (cfg->hpet) {
        Aml *hpet = aml_device("HPET");
        Aml *crs = aml_resource_template();
        aml_append(hpet, aml_name_decl("_HID", aml_eisaid("PNP0103")));
        aml_append(hpet, aml_name_decl("_UID", aml_int(0)));
        aml_append(crs, aml_memory32_fixed(cfg->hpet_base, 0x400, false));
        aml_append(hpet, aml_name_decl("_CRS", crs));
        aml_append(sb, hpet);
    }
    aml_append(root, sb);
    return aml_finish(root);
}

/* ---- the tables ---------------------------------------------------------- */

static size_t build_facs(GByteArray *b)
{
    size_t off;

    align_to(b, 64);
    off = b->len;
    put_bytes(b, "FACS", 4);
    put32(b, FACS_SIZE);
    put32(b, 0);        /* hardware signature */
    put32(b, 0);        /* firmware waking vector */
    put32(b, 0);        /* global lock */
    put32(b, 0);        /* flags */
    put64(b, 0);        /* X firmware waking vector */
    put8(b, 2);         /* version */
    while (b->len < off + FACS_SIZE) {
        put8(b, 0);
    }
    return off;
}

static size_t build_dsdt(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t off = table_begin(b, "DSDT", 2);    /* 2: 64-bit integers */
    GByteArray *aml = build_dsdt_aml(cfg);

    put_bytes(b, aml->data, aml->len);
    g_byte_array_free(aml, TRUE);
    table_end(b, off);
    return off;
}

static size_t build_fadt(GByteArray *b, const AcpiBuildConfig *cfg,
                         uint64_t facs, uint64_t dsdt)
{
    size_t off = table_begin(b, "FACP", 6);
    uint16_t pm = cfg->pm_base;

    put32(b, facs);             /* FIRMWARE_CTRL */
    put32(b, dsdt);             /* DSDT */
    put8(b, 0);                 /* reserved */
    put8(b, 0);                 /* preferred PM profile: unspecified */
    put16(b, cfg->sci_irq);
    put32(b, 0);                /* SMI_CMD: no SMM, already in ACPI mode */
    put8(b, 0);                 /* ACPI_ENABLE */
    put8(b, 0);                 /* ACPI_DISABLE */
    put8(b, 0);                 /* S4BIOS_REQ */
    put8(b, 0);                 /* PSTATE_CNT */
    put32(b, pm);               /* PM1a_EVT_BLK */
    put32(b, 0);                /* PM1b_EVT_BLK */
    put32(b, pm + 4);           /* PM1a_CNT_BLK */
    put32(b, 0);                /* PM1b_CNT_BLK */
    put32(b, 0);                /* PM2_CNT_BLK */
    put32(b, pm + 8);           /* PM_TMR_BLK */
    put32(b, cfg->gpe0_base);   /* GPE0_BLK */
    put32(b, 0);                /* GPE1_BLK */
    put8(b, 4);                 /* PM1_EVT_LEN */
    put8(b, 2);                 /* PM1_CNT_LEN */
    put8(b, 0);                 /* PM2_CNT_LEN */
    put8(b, 4);                 /* PM_TMR_LEN */
    put8(b, 4);                 /* GPE0_BLK_LEN */
    put8(b, 0);                 /* GPE1_BLK_LEN */
    put8(b, 0);                 /* GPE1_BASE */
    put8(b, 0);                 /* CST_CNT */
    put16(b, 0x65);             /* P_LVL2_LAT > 100: no C2 */
    put16(b, 0x3e9);            /* P_LVL3_LAT > 1000: no C3 */
    put16(b, 0);                /* FLUSH_SIZE */
    put16(b, 0);                /* FLUSH_STRIDE */
    put8(b, 0);                 /* DUTY_OFFSET */
    put8(b, 0);                 /* DUTY_WIDTH */
    put8(b, 0);                 /* DAY_ALRM */
    put8(b, 0);                 /* MON_ALRM */
    put8(b, 0x32);              /* CENTURY: CMOS index */
    put16(b, FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042);
    put8(b, 0);                 /* reserved */
    put32(b, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
          FADT_F_RESET_REG_SUP);
    put_gas(b, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, cfg->reset_port);
    put8(b, cfg->reset_value);
    put16(b, 0);                /* ARM_BOOT_ARCH */
    put8(b, 0);                 /* FADT minor version */
    put64(b, facs);             /* X_FIRMWARE_CTRL */
    put64(b, dsdt);             /* X_DSDT */
    put_gas(b, GAS_SYSTEM_IO, 32, GAS_ACCESS_WORD, pm);         /* PM1a_EVT */
    put_gas(b, 0, 0, 0, 0);                                     /* PM1b_EVT */
    put_gas(b, GAS_SYSTEM_IO, 16, GAS_ACCESS_WORD, pm + 4);     /* PM1a_CNT */
    put_gas(b, 0, 0, 0, 0);                                     /* PM1b_CNT */
    put_gas(b, 0, 0, 0, 0);                                     /* PM2_CNT */
    put_gas(b, GAS_SYSTEM_IO, 32, GAS_ACCESS_DWORD, pm + 8);    /* PM_TMR */
    put_gas(b, GAS_SYSTEM_IO, 32, GAS_ACCESS_BYTE, cfg->gpe0_base);
    put_gas(b, 0, 0, 0, 0);                                     /* GPE1 */
    put_gas(b, 0, 0, 0, 0);     /* SLEEP_CONTROL_REG */
    put_gas(b, 0, 0, 0, 0);     /* SLEEP_STATUS_REG */
    put_bytes(b, "EMBER\0\0\0", 8);     /* hypervisor vendor identity */
    assert(b->len - off == FADT_SIZE);
    table_end(b, off);
    return off;
}

static size_t build_madt(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t off = table_begin(b, "APIC", 3);

    put32(b, cfg->lapic_base);
    put32(b, MADT_PCAT_COMPAT);         /* there are 8259s too */
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        uint32_t id = cfg->apic_ids[i];
        if (id < 255) {
            put8(b, MADT_LOCAL_APIC);
            put8(b, 8);
            put8(b, i);                 /* ACPI processor UID */
            put8(b, id);
            put32(b, 1);                /* enabled */
        } else {
            put8(b, MADT_LOCAL_X2APIC);
            put8(b, 16);
            put16(b, 0);
            put32(b, id);
            put32(b, 1);
            put32(b, i);
        }
    }
    put8(b, MADT_IO_APIC);
    put8(b, 12);
    put8(b, cfg->ioapic_id);
    put8(b, 0);
    put32(b, cfg->ioapic_base);
    put32(b, 0);                        /* GSI base */
    /* ISA IRQ 0 (the 8254) is GSI 2. */
    put8(b, MADT_INT_SRC_OVERRIDE);
    put8(b, 10);
    put8(b, 0);                         /* ISA */
    put8(b, 0);
    put32(b, 2);
    put16(b, 0);                        /* conforms to the bus */
    /* The SCI: level-triggered, active high (5.2.9, SCI_INT). */
    put8(b, MADT_INT_SRC_OVERRIDE);
    put8(b, 10);
    put8(b, 0);
    put8(b, cfg->sci_irq);
    put32(b, cfg->sci_irq);
    put16(b, MPS_ACTIVE_HIGH | MPS_TRIGGER_LEVEL);
    /* NMI on LINT1 of every processor. */
    put8(b, MADT_LOCAL_APIC_NMI);
    put8(b, 6);
    put8(b, 0xff);                      /* all processors */
    put16(b, 0);
    put8(b, 1);                         /* LINT1 */
    table_end(b, off);
    return off;
}

static size_t build_hpet(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t off = table_begin(b, "HPET", 1);

    put32(b, cfg->hpet_block_id);
    put_gas(b, GAS_SYSTEM_MEMORY, 64, 0, cfg->hpet_base);
    put8(b, 0);             /* HPET number */
    put16(b, 0x80);         /* minimum periodic tick, in counter ticks */
    put8(b, 0);             /* no page protection */
    table_end(b, off);
    return off;
}

static size_t build_sdt(GByteArray *b, const char *sig, const uint64_t *ptrs,
                        unsigned n, bool wide)
{
    size_t off = table_begin(b, sig, 1);

    for (unsigned i = 0; i < n; i++) {
        if (wide) {
            put64(b, ptrs[i]);
        } else {
            put32(b, ptrs[i]);
        }
    }
    table_end(b, off);
    return off;
}

void acpi_build(const AcpiBuildConfig *cfg, uint64_t rsdp_addr,
                uint64_t tables_addr, AcpiTables *out)
{
    GByteArray *b = g_byte_array_new();
    GByteArray *r = g_byte_array_new();
    uint64_t facs, dsdt, ptrs[4], xsdt, rsdt;
    unsigned n = 0;

    assert(rsdp_addr % 16 == 0 && tables_addr % 64 == 0);
    assert(tables_addr + 0xffffffffULL > tables_addr);

    facs = tables_addr + build_facs(b);
    dsdt = tables_addr + build_dsdt(b, cfg);
    ptrs[n++] = tables_addr + build_fadt(b, cfg, facs, dsdt);
    ptrs[n++] = tables_addr + build_madt(b, cfg);
    if (cfg->hpet) {
        ptrs[n++] = tables_addr + build_hpet(b, cfg);
    }
    xsdt = tables_addr + build_sdt(b, "XSDT", ptrs, n, true);
    rsdt = tables_addr + build_sdt(b, "RSDT", ptrs, n, false);

    /* RSDP (5.2.5.3). */
    put_bytes(r, "RSD PTR ", 8);
    put8(r, 0);                 /* checksum of the first 20 bytes */
    put_bytes(r, ACPI_OEM_ID, 6);
    put8(r, 2);                 /* revision: ACPI 2.0+ */
    put32(r, rsdt);
    put32(r, ACPI_RSDP_SIZE);
    put64(r, xsdt);
    put8(r, 0);                 /* extended checksum */
    put8(r, 0);
    put16(r, 0);
    r->data[8] = acpi_checksum(r->data, 20);
    r->data[32] = acpi_checksum(r->data, ACPI_RSDP_SIZE);

    out->rsdp = r;
    out->tables = b;
    out->rsdp_addr = rsdp_addr;
    out->tables_addr = tables_addr;
}

void acpi_tables_free(AcpiTables *t)
{
    if (t->rsdp) {
        g_byte_array_free(t->rsdp, TRUE);
    }
    if (t->tables) {
        g_byte_array_free(t->tables, TRUE);
    }
    t->rsdp = t->tables = NULL;
}
