/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPUID (SDM 2A, "CPUID"): a sane vendor and leaf output. PASS lines
 * carry no values that may differ between accelerators (the vendor, the
 * family); those go to INFO lines.
 */
#include "guest.h"

static bool printable(const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

void guest_main(void)
{
    uint32_t a, b, c, d, max, xmax;
    char vendor[13];
    char brand[49];

    cpuid(0, 0, &max, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    report_info("vendor '%s', max basic leaf 0x%x", vendor, max);
    report(printable(vendor, 12), "leaf 0: the vendor is 12 printable "
           "characters");
    report(max >= 1 && max < 0x100, "leaf 0: max basic leaf is sane");

    cpuid(1, 0, &a, &b, &c, &d);
    report_info("leaf 1: eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x",
                a, b, c, d);
    report(((a >> 8) & 0xf) >= 6 || ((a >> 8) & 0xf) == 0xf,
           "leaf 1: family is P6 or later");
    /* What every x86-64 CPU has: FPU, TSC, MSR, PAE, CX8, APIC, CMOV,
     * FXSR, SSE, SSE2. */
    report((d & 0x07008371) == 0x07008371,
           "leaf 1: baseline x86-64 features in EDX");
    report((b >> 24) == 0, "leaf 1: the boot CPU has APIC ID 0");
    report_info("hypervisor bit %s", (c & (1u << 31)) ? "set" : "clear");

    cpuid(0x80000000, 0, &xmax, &b, &c, &d);
    report(xmax >= 0x80000001 && (xmax >> 16) == 0x8000,
           "leaf 0x80000000: extended leaves present");
    if (xmax >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        report(d & (1u << 29), "leaf 0x80000001: long mode supported");
    }
    if (xmax >= 0x80000004) {
        uint32_t *w = (uint32_t *)brand;
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, &w[i * 4], &w[i * 4 + 1],
                  &w[i * 4 + 2], &w[i * 4 + 3]);
        }
        brand[48] = 0;
        report_info("brand '%s'", brand);
        report(printable(brand, strlen(brand)), "brand string is printable");
    }
}
