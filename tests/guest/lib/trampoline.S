/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The application processors' start (32-bit guests). smp_start_aps()
 * copies this to TRAMPOLINE_BASE; a SIPI with vector 0x08 starts an AP
 * there in real mode at CS:IP = 0800:0000 (SDM 3A, 9.4.4). It loads the
 * guest's GDT, enters protected mode, takes an index and a stack, and
 * calls ap_c_entry(index). Only absolute addresses are used outside the
 * copied code (it runs away from where it was linked).
 */
#include "entry.h"

    .section .rodata, "a"
    .globl smp_trampoline_start, smp_trampoline_end
    .code16
smp_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl tramp_gdt_desc - smp_trampoline_start
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $SEL_CODE32, $(TRAMPOLINE_BASE + tramp_pm32 - smp_trampoline_start)

    .code32
tramp_pm32:
    mov $SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $1, %eax
    lock xadd %eax, ap_next
    inc %eax                        /* index: 1, 2, ... */
    cmp $GUEST_MAX_CPUS_ASM, %eax
    jae 2f                          /* no stack for it: stay parked */
    mov %eax, %ebx
    shl $AP_STACK_SHIFT, %eax
    add $ap_stacks, %eax            /* top of stack slot index - 1 */
    mov %eax, %esp
    push %ebx
    mov $ap_c_entry, %eax
    call *%eax
2:  cli
    hlt
    jmp 2b

    .balign 8
tramp_gdt_desc:
    .word 31
    .long guest_gdt
smp_trampoline_end:

    .section .note.GNU-stack, "", @progbits
