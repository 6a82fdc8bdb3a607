/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware view of the machine from inside, as an OS finds it: the
 * RSDP by scanning the BIOS area (ACPI 6.4, 5.2.5.1), the XSDT and every
 * table's checksum, the MADT for -smp (cpus=N on the command line), the
 * FADT's PM timer ticking, \_S5 in the DSDT, the HPET table and its
 * counter, and fw_cfg's signature. No interrupts are taken.
 */
#include "guest.h"

static const uint8_t *rsdp_find(void)
{
    for (uintptr_t a = 0xe0000; a < 0x100000; a += 16) {
        if (!memcmp((const void *)a, "RSD PTR ", 8)) {
            return (const uint8_t *)a;
        }
    }
    return NULL;
}

static uint8_t sum(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static const uint8_t *table(uint64_t addr)
{
    return (const uint8_t *)(uintptr_t)addr;
}

static void check_madt(const uint8_t *m)
{
    long cpus = cmdline_int("cpus", 1);
    unsigned lapics = 0, ioapics = 0;
    bool irq0 = false, sci = false;

    for (uint32_t o = 44; o + 2 <= le32(m + 4) && m[o + 1]; o += m[o + 1]) {
        switch (m[o]) {
        case 0:
            lapics += (le32(m + o + 4) & 1) != 0;
            break;
        case 1:
            ioapics++;
            report(le32(m + o + 4) == 0xfec00000,
                   "MADT: I/O APIC at 0xfec00000");
            break;
        case 2:
            if (m[o + 3] == 0 && le32(m + o + 4) == 2) {
                irq0 = true;
            }
            if (m[o + 3] == 9 && le32(m + o + 4) == 9 &&
                (m[o + 8] & 0xf) == 0xd) {
                sci = true;
            }
            break;
        }
    }
    report(lapics == (unsigned)cpus, "MADT: %ld enabled local APICs", cpus);
    report(ioapics == 1, "MADT: one I/O APIC");
    report(irq0, "MADT: ISA IRQ 0 is GSI 2");
    report(sci, "MADT: the SCI is level, active high");
    report(le32(m + 36) == 0xfee00000, "MADT: local APICs at 0xfee00000");
}

static bool s5_package(const uint8_t *aml, uint32_t len, uint8_t *slp_typ)
{
    for (uint32_t i = 0; i + 8 < len; i++) {
        /* NameOp \_S5_ PackageOp PkgLength NumElements first-element */
        if (aml[i] == 0x08 && aml[i + 1] == '\\' &&
            !memcmp(aml + i + 2, "_S5_", 4) && aml[i + 6] == 0x12) {
            const uint8_t *e = aml + i + 9;
            if (e[0] == 0x00 || e[0] == 0x01) {
                *slp_typ = e[0];
            } else if (e[0] == 0x0a) {
                *slp_typ = e[1];
            } else {
                return false;
            }
            return true;
        }
    }
    return false;
}

static void check_fadt(const uint8_t *f)
{
    const uint8_t *dsdt = table(le64(f + 140));
    uint16_t pm_tmr = le32(f + 76), pm1a_cnt = le32(f + 64);
    uint32_t t0, t1 = 0;
    uint8_t slp_typ = 0xff;

    report(!memcmp(dsdt, "DSDT", 4) && sum(dsdt, le32(dsdt + 4)) == 0,
           "FADT: X_DSDT points at a valid DSDT");
    report(le32(f + 40) == (uint32_t)le64(f + 140), "FADT: DSDT == X_DSDT");
    report(!memcmp(table(le32(f + 36)), "FACS", 4), "FADT: FACS found");
    report(le32(f + 48) == 0, "FADT: no SMI command port (ACPI mode)");
    report(inw(pm1a_cnt) & 1, "PM1a_CNT: SCI_EN set");
    /* The PM timer runs (24 bits, 3.58 MHz). */
    t0 = inl(pm_tmr) & 0xffffff;
    for (unsigned i = 0; i < 100000; i++) {
        t1 = inl(pm_tmr) & 0xffffff;
        if (t1 != t0) {
            break;
        }
        cpu_relax();
    }
    report(t1 != t0, "PM timer at port 0x%x advances", pm_tmr);
    report(s5_package(dsdt + 36, le32(dsdt + 4) - 36, &slp_typ),
           "DSDT: \\_S5 package found");
    report(slp_typ == 0, "DSDT: \\_S5 SLP_TYPa is 0");
    report((le32(f + 112) >> 10) & 1, "FADT: reset register supported");
    report_info("reset register: port 0x%x value 0x%x",
                (unsigned)le64(f + 120), f[128]);
}

static void check_hpet(const uint8_t *h)
{
    uintptr_t base = (uintptr_t)le64(h + 44);
    uint32_t c0, c1 = 0;

    report(base == 0xfed00000, "HPET table: base 0xfed00000");
    report(readl(base + 4) == 10000000, "HPET: 10 ns period");
    report(le32(h + 36) == readl(base), "HPET table: block ID = GCAP_ID");
    writel(base + 0x10, 1);
    c0 = readl(base + 0xf0);
    for (unsigned i = 0; i < 100000; i++) {
        c1 = readl(base + 0xf0);
        if (c1 != c0) {
            break;
        }
        cpu_relax();
    }
    report(c1 != c0, "HPET: the main counter runs when enabled");
    writel(base + 0x10, 0);
}

void guest_main(void)
{
    const uint8_t *rsdp = rsdp_find(), *x;
    const uint8_t *madt = NULL, *fadt = NULL, *hpet = NULL;
    char sig[5] = { 0 };
    unsigned n;
    bool sums = true;

    if (!report(rsdp != NULL, "RSDP found in the BIOS area")) {
        return;
    }
    report(sum(rsdp, 20) == 0 && sum(rsdp, 36) == 0, "RSDP checksums");
    report(rsdp[15] == 2, "RSDP revision 2");
    x = table(le64(rsdp + 24));
    report(!memcmp(x, "XSDT", 4) && sum(x, le32(x + 4)) == 0,
           "XSDT signature and checksum");
    n = (le32(x + 4) - 36) / 8;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *t = table(le64(x + 36 + 8 * i));
        sums &= sum(t, le32(t + 4)) == 0;
        if (!memcmp(t, "APIC", 4)) {
            madt = t;
        } else if (!memcmp(t, "FACP", 4)) {
            fadt = t;
        } else if (!memcmp(t, "HPET", 4)) {
            hpet = t;
        }
        memcpy(sig, t, 4);
        report_info("table %s at 0x%x, %u bytes", sig, (unsigned)(uintptr_t)t,
                    (unsigned)le32(t + 4));
    }
    report(sums, "every table's checksum");
    if (report(madt != NULL, "MADT present")) {
        check_madt(madt);
    }
    if (report(fadt != NULL, "FADT present")) {
        check_fadt(fadt);
    }
    if (report(hpet != NULL, "HPET table present")) {
        check_hpet(hpet);
    }
    /* fw_cfg: the signature through the port interface. */
    outw(0x510, 0);
    sig[0] = inb(0x511);
    sig[1] = inb(0x511);
    sig[2] = inb(0x511);
    sig[3] = inb(0x511);
    report(!memcmp(sig, "QEMU", 4), "fw_cfg signature");
}
