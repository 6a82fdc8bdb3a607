/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ember's Linux boot path seen from inside a bzImage-shaped guest
 * (lib/linux-entry.S): the entry state of the 64-bit or 32-bit protocol
 * (boot.rst, "64-bit Boot Protocol" / "32-bit Boot Protocol") and the zero
 * page (zero-page.rst). Run with -m 128, -append lbtest=7 and -initrd
 * initrd.txt ("ember initrd\n").
 */
#include "guest.h"

extern uint64_t entry_rsi, entry_rbx, entry_rdi, entry_rbp;
extern uint32_t entry_flags;
extern uint16_t entry_cs, entry_ds, entry_ss, entry_es;

static const char initrd_text[] = "ember initrd\n";

void guest_main(void)
{
    uintptr_t bp = (uintptr_t)entry_rsi;
    struct __attribute__((packed)) { uint16_t limit; uintptr_t base; } gdtr;
    uint64_t code;
    const char *cmdline;
    uint32_t rd, rdsize;
    unsigned n;
    bool ram_top = false, pt_reserved = false;

    (void)pt_reserved;

    report_info("boot_params at 0x%lx, CS 0x%x DS 0x%x SS 0x%x flags 0x%x",
                (unsigned long)bp, entry_cs, entry_ds, entry_ss, entry_flags);
    report(entry_cs == 0x10, "CS is __BOOT_CS (0x10)");
    report(entry_ds == 0x18 && entry_ss == 0x18 && entry_es == 0x18,
           "DS, ES, SS are __BOOT_DS (0x18)");
    report(!(entry_flags & 0x200), "interrupts are off");
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    code = *(volatile uint64_t *)(gdtr.base + 0x10);
#ifdef __x86_64__
    report((rdmsr(0xc0000080) & 0x500) == 0x500, "EFER.LME and LMA set");
    report((read_cr0() & 0x80000001) == 0x80000001 && (read_cr4() & 0x20),
           "paging on with PAE");
    report((code >> 53 & 1) && !(code >> 54 & 1),
           "GDT 0x10 is a 64-bit code segment");
    report(readl(0xfffffff0u) == 0xfdebf4fa,
           "the identity map reaches the BIOS alias below 4 GiB");
#else
    report((read_cr0() & 0x80000001) == 1, "protected mode, paging off");
    report(!(code >> 53 & 1) && (code >> 54 & 1),
           "GDT 0x10 is a 32-bit code segment");
    report(entry_rbx == 0 && entry_rdi == 0 && entry_rbp == 0,
           "EBX, EDI, EBP are zero");
#endif
    report((code >> 47 & 1) && ((code >> 40) & 0x1a) == 0x1a,
           "GDT 0x10 is present, executable, readable");

    /* The zero page. */
    report(readl(bp + 0x202) == 0x53726448, "boot_params holds the header");
    report(readb(bp + 0x210) == 0xff, "type_of_loader is 0xff");
    report(readl(bp + 0x214) == 0x1000000, "code32_start is the load "
           "address");
    cmdline = (const char *)(uintptr_t)readl(bp + 0x228);
    report_info("cmdline '%s'", cmdline);
    report(!strcmp(cmdline, "lbtest=7"), "cmd_line_ptr holds -append");
    rd = readl(bp + 0x218);
    rdsize = readl(bp + 0x21c);
    report_info("initrd at 0x%x, %u bytes", rd, rdsize);
    report(rdsize == sizeof(initrd_text) - 1 && (rd & 0xfff) == 0 &&
           !memcmp((void *)(uintptr_t)rd, initrd_text, rdsize),
           "the initrd is loaded, page-aligned");
    report(rd >= 0x1000000 && rd + rdsize <= 128u << 20,
           "the initrd lies above the kernel and inside RAM");
    n = readb(bp + 0x1e8);
    for (unsigned i = 0; i < n; i++) {
        uintptr_t e = bp + 0x2d0 + i * 20;
        uint64_t addr = readq(e), len = readq(e + 8);
        uint32_t type = readl(e + 16);

        report_info("e820 %08x%08x +%08x%08x type %u",
                    (uint32_t)(addr >> 32), (uint32_t)addr,
                    (uint32_t)(len >> 32), (uint32_t)len, type);
        if (type == 1 && addr <= 0x1000000 && addr + len == 128ull << 20) {
            ram_top = true;
        }
        if (type == 2 && addr <= 0x1000 && addr + len >= 0x8000) {
            pt_reserved = true;
        }
    }
    report(n >= 3 && ram_top, "e820: RAM up to 128 MiB");
#ifdef __x86_64__
    report(pt_reserved, "e820: the GDT and page tables are reserved");
#endif
}
