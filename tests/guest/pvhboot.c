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

void guest_main(void)
{
    uintptr_t si = (uintptr_t)entry_rbx;
    uint32_t cs_limit, tr_limit, nmods, nmem;
    uintptr_t mods, mem;
    const char *cmdline;
    bool ram_top = false;

    report_info("start info at 0x%lx, CS 0x%x DS 0x%x SS 0x%x TR 0x%x "
                "flags 0x%x", (unsigned long)si, entry_cs, entry_ds,
                entry_ss, entry_tr, entry_flags);
    report((read_cr0() & 0x8000001f) == 0x11, "CR0: PE (and ET) only");
    report(read_cr4() == 0, "CR4 is clear");
    report(!(entry_flags & 0x20300), "IF, TF and VM are clear");
    __asm__ volatile("lsl %1, %0" : "=r"(cs_limit) : "r"((uint32_t)entry_cs));
    report(cs_limit == 0xffffffff, "CS is flat (limit 4 GiB)");
    __asm__ volatile("lsl %1, %0" : "=r"(tr_limit) : "r"((uint32_t)entry_tr));
    report(entry_tr && tr_limit == 0x67, "TR is a TSS with limit 0x67");

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
