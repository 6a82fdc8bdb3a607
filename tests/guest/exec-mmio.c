/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executing from MMIO (a 64-bit guest): the CPU fetches whatever the bus
 * returns. Ember's unassigned space (0xfeb00000, between the PCI hole's
 * BARs and the I/O APIC) reads 0 (a PC chipset often returns all ones:
 * either is accepted). 00 00 is ADD [RAX], AL: with a non-canonical RAX
 * it faults at once with #GP(0) (SDM 3A, 3.3.7.1); FF FF is FF /7, an
 * invalid opcode: #UD. Either way the exception must arrive with RIP at
 * the MMIO address, and the guest must run on.
 */
#include "exc.h"

#define UNASSIGNED  0xfeb00000u

void jump_to(uint64_t target, uint64_t rax);
__asm__(".text\njump_to: mov %rsi, %rax\n call *%rdi\n ret\n");

void guest_main(void)
{
    uint32_t word = readl(UNASSIGNED);
    int v, want;

    exc_init();
    report(word == 0 || word == 0xffffffff, "unassigned memory reads "
           "0 or all ones");
    report_info("0x%x reads 0x%08x", UNASSIGNED, word);
    want = word == 0 ? 13 : 6;
    for (int i = 0; i < 3; i++) {
        v = EXC_CATCH(jump_to(UNASSIGNED + i * 0x1000,
                              0x8000000000000000ull));
        if (!report(v == want && exc_last.ip == UNASSIGNED + i * 0x1000 &&
                    exc_last.err == 0, "a jump into unassigned MMIO "
                    "raises %s at its address (try %d)",
                    word == 0 ? "#GP" : "#UD", i)) {
            report_info("vector %d at 0x%lx", v, (unsigned long)exc_last.ip);
        }
    }
    /* The I/O APIC's register window: IOREGSEL (offset 0) reads back the
     * index written, so after writing 0 its bytes are 00 00 00 00. */
    writel(0xfec00000, 0);
    v = EXC_CATCH(jump_to(0xfec00000, 0x8000000000000000ull));
    report(v == 13 && exc_last.ip == 0xfec00000, "a jump into the I/O "
           "APIC's registers executes what they read (#GP(0))");
    report(true, "the guest runs on after executing MMIO");
}
