/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A 64-bit guest (bits: 64 in meson.build): the library's entry has
 * switched to long mode; check that we are there and that 64-bit
 * arithmetic and addressing work.
 */
#include "guest.h"

void guest_main(void)
{
    uint64_t efer = rdmsr(0xc0000080);
    uint16_t cs;
    volatile uint64_t x = 0x123456789abcdef0ull;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    report(guest_is_64bit(), "built for 64-bit mode");
    report((efer & 0x500) == 0x500, "EFER.LME and EFER.LMA are set");
    report(read_cr4() & 0x20, "CR4.PAE is set");
    report(read_cr0() & 0x80000000u, "CR0.PG is set");
    report(cs == 0x18, "CS is the 64-bit code segment");
    report(x * 3 == 0x369d0369d0369cd0ull && (x >> 36) == 0x1234567,
           "64-bit arithmetic");
    /* The identity map reaches the top of the 4 GiB space: the reset
     * vector alias. */
    report(readl(0xfffffff0u) == 0xfdebf4fa,
           "identity map reaches the BIOS alias below 4 GiB");
    printf("value %lx in %d-bit mode\n", (unsigned long)x, 64);
}
