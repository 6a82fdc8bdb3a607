/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What Ember's multiboot loader hands over (Multiboot 0.6.96, 3.2 and
 * 3.3), seen from inside: the magic, flat protected mode without paging,
 * the information block's memory sizes and map (against -m 128M), the
 * command line with -append, and the boot loader's name. Run with
 * "-m 128 -append mbtest=42".
 */
#include "guest.h"

void guest_main(void)
{
    struct multiboot_info *mbi = multiboot_info;
    const char *name;
    uint32_t off;
    bool ram_low = false, ram_high = false, sane = true;
    uint16_t cs;

    report(multiboot_magic == 0x2badb002, "EAX held the multiboot magic");
    report((read_cr0() & 0x80000001) == 1, "protected mode, paging off");
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    report(cs == 0x08, "running on the guest's own GDT");
    report((mbi->flags & 0x245) == 0x245,
           "flags: mem, cmdline, mmap, boot loader name");
    report(mbi->mem_lower == 639, "mem_lower is 639 KiB");
    report(mbi->mem_upper == (128 - 1) * 1024, "mem_upper is 127 MiB");
    report_info("mem_lower %u KiB, mem_upper %u KiB", mbi->mem_lower,
                mbi->mem_upper);
    report(cmdline_int("mbtest", -1) == 42, "command line carries -append");
    report(strstr(guest_cmdline(), "multiboot.elf") == guest_cmdline() ||
           strstr(guest_cmdline(), "multiboot.elf ") != NULL,
           "command line starts with the kernel's path");
    report_info("cmdline '%s'", guest_cmdline());
    name = (const char *)(uintptr_t)mbi->boot_loader_name;
    report(name && !strcmp(name, "ember"), "boot loader name is 'ember'");

    for (off = 0; off < mbi->mmap_length;) {
        struct multiboot_mmap *e =
            (struct multiboot_mmap *)(uintptr_t)(mbi->mmap_addr + off);
        report_info("mmap %08x%08x +%08x%08x type %u",
                    (uint32_t)(e->addr >> 32), (uint32_t)e->addr,
                    (uint32_t)(e->len >> 32), (uint32_t)e->len, e->type);
        if (e->size != 20 || !e->len) {
            sane = false;
        }
        if (e->type == 1 && e->addr == 0 && e->len >= 0x9f000) {
            ram_low = true;
        }
        if (e->type == 1 && e->addr <= 0x100000 &&
            e->addr + e->len == 128ull << 20) {
            ram_high = true;
        }
        off += e->size + 4;
    }
    report(sane, "mmap entries are well formed");
    report(ram_low, "mmap: low RAM from 0");
    report(ram_high, "mmap: RAM from 1 MiB to 128 MiB");
}
