/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A triple fault ends Ember in a defined way: under -no-reboot the
 * shutdown it causes (SDM 3A, 6.15 "Interrupt 8": a fault while
 * delivering #DF puts the processor in shutdown; the chipset turns that
 * into a reset) makes Ember exit with status 0, which the runner expects
 * here (expect_status). tf=1: an IDT of limit 0 and UD2 (#UD -> #GP for
 * the IDT entry -> #GP -> #DF -> #GP). tf=2: every gate not present and a
 * #GP (#GP -> #NP -> #DF -> #NP).
 */
#include "guest.h"

static uint64_t idt[512] __attribute__((aligned(16)));

void guest_main(void)
{
    struct __attribute__((packed)) { uint16_t limit; uintptr_t base; } d;
    long mode = cmdline_int("tf", 1);

    report(true, "the guest runs (tf=%ld)", mode);
    d.base = (uintptr_t)idt;
    d.limit = mode == 1 ? 0 : sizeof(idt) - 1;
    __asm__ volatile("lidt %0" : : "m"(d));
    if (mode == 1) {
        __asm__ volatile("ud2");
    } else {
        __asm__ volatile("mov %0, %%ds" : : "r"(0xfff8));
    }
    /* Still here: the fault was not delivered. */
    puts_serial("FAIL: the CPU ran on after a triple fault\n");
    guest_exit(GUEST_EXIT_FAIL);
}
