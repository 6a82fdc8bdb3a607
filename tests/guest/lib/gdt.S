/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guests' GDT (flat segments, SDM 3A 3.4.5) and the boot CPU's stack.
 * The application processors' trampoline loads the same GDT.
 */
#include "entry.h"

    .section .data
    .balign 16
    .globl guest_gdt, gdt_desc
guest_gdt:
    .quad 0                         /* null */
    .quad 0x00cf9a000000ffff        /* 0x08: code, 32-bit, 4 GiB */
    .quad 0x00cf92000000ffff        /* 0x10: data, 4 GiB */
    .quad 0x00af9a000000ffff        /* 0x18: code, 64-bit */
guest_gdt_end:
    .balign 8
gdt_desc:
    .word guest_gdt_end - guest_gdt - 1
    .long guest_gdt

    .section .bss
    .balign 16
    .globl boot_stack_top
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
