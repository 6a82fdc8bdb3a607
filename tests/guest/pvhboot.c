/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ember's PVH boot path from inside (lib/pvh-entry.S): the entry state
 * (pvh.pandoc: CR0.PE only, CR4 = 0, flat CS/DS/SS, TR a 32-bit TSS with
 * limit 0x67, IF clear) and hvm_start_info version 1. Run with -m 128,
 * -append pvhtest=5 and -initrd initrd.txt ("ember initrd\n").
 */
#include "guest.h"

extern uint64_t entry_rbx;
extern uint32_t entry_flags;
extern uint16_t entry_cs, entry_ds, entry_ss, entry_tr;

static const char initrd_text[] = "ember initrd\n";

/* Limit and base of a segment descriptor (SDM 3A, 3.4.5). */
static uint32_t desc_limit(uint64_t d)
{
    uint32_t l = (d & 0xffff) | ((d >> 32) & 0xf0000);

    return (d >> 55 & 1) ? l << 12 | 0xfff : l;
}

static uint32_t desc_base(uint64_t d)
{
    return ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
}

void guest_main(void)
{
    uintptr_t si = (uintptr_t)entry_rbx;
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr;
    uint64_t cs_desc, tr_desc;
    uint32_t nmods, nmem;
    uintptr_t mods, mem;
    const char *cmdline;
    bool ram_top = false;

    report_info("start info at 0x%lx, CS 0x%x DS 0x%x SS 0x%x TR 0x%x "
                "flags 0x%x", (unsigned long)si, entry_cs, entry_ds,
                entry_ss, entry_tr, entry_flags);
    report((read_cr0() & 0x8000001f) == 0x11, "CR0: PE (and ET) only");
    report(read_cr4() == 0, "CR4 is clear");
    report(!(entry_flags & 0x20300), "IF, TF and VM are clear");
    /* The descriptors behind CS and TR, from the GDT (LSL would say the
     * same, but a slow nested KVM here cannot emulate it). */
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    cs_desc = entry_cs + 8u <= gdtr.limit + 1u ?
              readq(gdtr.base + (entry_cs & ~7)) : 0;
    tr_desc = entry_tr && entry_tr + 8u <= gdtr.limit + 1u ?
              readq(gdtr.base + (entry_tr & ~7)) : 0;
    report(desc_limit(cs_desc) == 0xffffffff && !desc_base(cs_desc) &&
           ((cs_desc >> 40) & 0x9a) == 0x9a && (cs_desc >> 54 & 1),
           "CS is flat 32-bit code (base 0, limit 4 GiB)");
    report(desc_limit(tr_desc) == 0x67 && !desc_base(tr_desc) &&
           ((tr_desc >> 40) & 0x9d) == 0x89,
           "TR is a 32-bit TSS with base 0 and limit 0x67");

    report(readl(si) == 0x336ec578, "hvm_start_info magic");
    report(readl(si + 4) == 1, "hvm_start_info version 1");
    cmdline = (const char *)(uintptr_t)readq(si + 24);
    report(cmdline && !strcmp(cmdline, "pvhtest=5"),
           "cmdline_paddr holds -append");
    nmods = readl(si + 12);
    mods = (uintptr_t)readq(si + 16);
    report(nmods == 1, "one module from -initrd");
    if (nmods == 1) {
        uintptr_t addr = (uintptr_t)readq(mods);
        uint64_t size = readq(mods + 8);
        report(size == sizeof(initrd_text) - 1 && !(addr & 0xfff) &&
               !memcmp((void *)addr, initrd_text, size),
               "the module is loaded, page-aligned");
    }
    nmem = readl(si + 48);
    mem = (uintptr_t)readq(si + 40);
    for (uint32_t i = 0; i < nmem; i++) {
        uint64_t addr = readq(mem + i * 24), len = readq(mem + i * 24 + 8);
        uint32_t type = readl(mem + i * 24 + 16);
        if (type == 1 && addr <= 0x100000 && addr + len == 128ull << 20) {
            ram_top = true;
        }
    }
    report(nmem >= 2 && ram_top, "memmap: RAM up to 128 MiB");
}
