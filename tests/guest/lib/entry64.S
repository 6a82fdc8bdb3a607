/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry of a 64-bit guest: the multiboot header and the 32-bit start
 * (Multiboot 0.6.96, 3.2), then the way into 64-bit mode (SDM 3A, 9.8.5
 * "Initializing IA-32e Mode"): identity-map 0-4 GiB with 2 MiB pages,
 * CR4.PAE, EFER.LME, CR0.PG, and a far jump to a 64-bit code segment.
 * The image is linked as ELF64 and converted to ELF32 (objcopy) so that
 * any multiboot loader takes it.
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
    mov %eax, %edi              /* magic: first argument */
    mov %ebx, %esi              /* info: second argument */

    /* PML4[0] -> PDPT; PDPT[0..3] -> PD 0..3; PD entries: 2 MiB pages. */
    movl $(pdpt + 3), pml4
    movl $(pd + 0x0003), pdpt
    movl $(pd + 0x1003), pdpt + 8
    movl $(pd + 0x2003), pdpt + 16
    movl $(pd + 0x3003), pdpt + 24
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, 2 MiB page */
    mov %eax, pd(, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 2b

    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $0xc0000080, %ecx       /* EFER */
    rdmsr
    or $0x100, %eax             /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG, PE */
    mov %eax, %cr0
    ljmp $SEL_CODE64, $3f

    .code64
3:  mov %edi, %edi              /* upper halves are undefined after */
    mov %esi, %esi              /* the switch (SDM 3A, 9.8.5.4) */
    mov $boot_stack_top, %esp
    call guest_c_start
4:  cli
    hlt
    jmp 4b

    .section .bss
    .balign 4096
pml4:
    .skip 4096
pdpt:
    .skip 4096
pd:
    .skip 4 * 4096

    .section .note.GNU-stack, "", @progbits
