/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest that is a Linux bzImage (Documentation/arch/x86/boot.rst), to
 * test Ember's Linux boot path from the inside. The setup sectors hold
 * only the header (Ember never runs real-mode setup code); the protected-
 * mode part is linked at 16 MiB (pref_address, not relocatable) with:
 *   +0x000  the 32-bit entry (code32_start; used when the image lacks
 *           XLF_KERNEL_64): ESI = boot_params
 *   +0x200  the 64-bit entry (startup_64; XLF_KERNEL_64 images)
 * Each entry records what it was handed (registers, selectors, flags)
 * before touching anything, clears the bss (a kernel does that itself)
 * and calls C on its own stack. Built with -DLINUX64 for the 64-bit image.
 * lib/bzimage.ld lays the file out; objcopy -O binary writes it.
 */
#include "entry.h"

#ifdef LINUX64
#define XLOADFLAGS 0x0001           /* XLF_KERNEL_64 */
#else
#define XLOADFLAGS 0x0000
#endif

    .section .bzsetup, "a"
    .org 0x1f1
    .byte 4                         /* setup_sects */
    .word 0                         /* root_flags */
    .long bz_syssize                /* syssize (16-byte units) */
    .word 0                         /* ram_size */
    .word 0xffff                    /* vid_mode: normal */
    .word 0                         /* root_dev */
    .word 0xaa55                    /* boot_flag */
    .byte 0xeb                      /* jump ... */
    .byte bz_hdr_end - bz_header    /* ... over the header */
bz_header:
    .ascii "HdrS"
    .word 0x020f                    /* protocol 2.15 */
    .long 0                         /* realmode_swtch */
    .word 0                         /* start_sys_seg */
    .word 0                         /* kernel_version */
    .byte 0                         /* type_of_loader */
    .byte 0x01                      /* loadflags: LOADED_HIGH */
    .word 0                         /* setup_move_size */
    .long 0x1000000                 /* code32_start */
    .long 0                         /* ramdisk_image */
    .long 0                         /* ramdisk_size */
    .long 0                         /* bootsect_kludge */
    .word 0                         /* heap_end_ptr */
    .byte 0                         /* ext_loader_ver */
    .byte 0                         /* ext_loader_type */
    .long 0                         /* cmd_line_ptr */
    .long 0x7fffffff                /* initrd_addr_max */
    .long 0x200000                  /* kernel_alignment */
    .byte 0                         /* relocatable_kernel */
    .byte 21                        /* min_alignment */
    .word XLOADFLAGS                /* xloadflags */
    .long 255                       /* cmdline_size */
    .long 0                         /* hardware_subarch */
    .quad 0                         /* hardware_subarch_data */
    .long 0                         /* payload_offset */
    .long 0                         /* payload_length */
    .quad 0                         /* setup_data */
    .quad 0x1000000                 /* pref_address */
    .long bz_init_size              /* init_size */
    .long 0                         /* handover_offset */
    .long 0                         /* kernel_info_offset */
bz_hdr_end:
    .org 5 * 512

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
#ifdef LINUX64
    ud2                             /* the 64-bit entry should be used */
#else
    mov %esi, entry_rsi
    mov %ebx, entry_rbx
    mov %edi, entry_rdi
    mov %ebp, entry_rbp
    mov %cs, entry_cs
    mov %ds, entry_ds
    mov %ss, entry_ss
    mov %es, entry_es
    mov $boot_stack_top, %esp
    pushf
    pop entry_flags
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    call guest_c_run
#endif
1:  cli
    hlt
    jmp 1b

    .org 0x200
#ifdef LINUX64
    .code64
startup_64:
    mov %rsi, entry_rsi
    mov %rbx, entry_rbx
    mov %rdi, entry_rdi
    mov %rbp, entry_rbp
    mov %cs, entry_cs
    mov %ds, entry_ds
    mov %ss, entry_ss
    mov %es, entry_es
    mov $boot_stack_top, %esp
    pushfq
    pop %rax
    mov %eax, entry_flags
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    call guest_c_run
2:  cli
    hlt
    jmp 2b
#endif

    /* Kept out of the bss, which the entries clear after saving. */
    .section .data
    .balign 8
    .globl entry_rsi, entry_rbx, entry_rdi, entry_rbp, entry_flags
    .globl entry_cs, entry_ds, entry_ss, entry_es
entry_rsi:  .quad 0
entry_rbx:  .quad 0
entry_rdi:  .quad 0
entry_rbp:  .quad 0
entry_flags: .long 0
entry_cs:   .word 0
entry_ds:   .word 0
entry_ss:   .word 0
entry_es:   .word 0

    .section .note.GNU-stack, "", @progbits
