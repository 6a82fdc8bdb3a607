/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry of a 32-bit guest: the multiboot header, then the boot CPU's
 * start. The loader leaves us in flat 32-bit protected mode with paging
 * off, EAX = 0x2BADB002 and EBX = the multiboot information (Multiboot
 * 0.6.96, 3.2); GDTR may not be valid, so we load our own GDT before
 * touching a segment register.
 */
#include "entry.h"

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    lgdt gdt_desc
    ljmp $SEL_CODE32, $1f
1:  mov $SEL_DATA, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %ss
    mov %ecx, %fs
    mov %ecx, %gs
    mov $boot_stack_top, %esp
    push %ebx                   /* info */
    push %eax                   /* magic */
    call guest_c_start
2:  cli
    hlt
    jmp 2b


    .section .note.GNU-stack, "", @progbits
