/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PVH guest (Xen's docs/misc/pvh.pandoc): an ELF whose
 * XEN_ELFNOTE_PHYS32_ENTRY note names the 32-bit entry, entered in flat
 * protected mode, paging off, EBX = hvm_start_info. No multiboot header,
 * so the loader must find the note. The entry records what it was handed
 * and calls C on its own stack.
 */
#include "entry.h"

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                         /* namesz: "Xen\0" */
    .long 4                         /* descsz */
    .long 18                        /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long _start

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    mov %ebx, entry_rbx
    mov %cs, entry_cs
    mov %ds, entry_ds
    mov %ss, entry_ss
    str entry_tr
    mov $boot_stack_top, %esp
    pushf
    pop entry_flags
    call guest_c_run
1:  cli
    hlt
    jmp 1b

    .section .data
    .balign 8
    .globl entry_rbx, entry_flags, entry_cs, entry_ds, entry_ss, entry_tr
entry_rbx:  .quad 0
entry_flags: .long 0
entry_cs:   .word 0
entry_ds:   .word 0
entry_ss:   .word 0
entry_tr:   .word 0

    .section .note.GNU-stack, "", @progbits
