/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * int64_t safe_syscall_base(volatile int *pending, long nr,
 *                           long a1, long a2, long a3, long a4,
 *                           long a5, long a6)
 *
 * A host system call that cannot miss a guest signal: the flag test
 * and the syscall instruction lie between safe_syscall_start and
 * safe_syscall_end, and the host signal handler moves a thread
 * interrupted there to safe_syscall_restart, which returns
 * -TARGET_ERESTARTSYS (512). A signal arriving during the call itself
 * makes it return -EINTR (the host handlers have no SA_RESTART).
 */
    .text
    .globl safe_syscall_base
    .globl safe_syscall_start
    .globl safe_syscall_end
    .globl safe_syscall_restart
    .type safe_syscall_base, @function
safe_syscall_base:
    .cfi_startproc
    push %rbp
    .cfi_adjust_cfa_offset 8
    push %rbx
    .cfi_adjust_cfa_offset 8
    mov %rdi, %rbx          /* pending flag */
    mov %rsi, %rax          /* syscall number */
    mov %rdx, %rdi
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r9, %r10
    mov 24(%rsp), %r8
    mov 32(%rsp), %r9
safe_syscall_start:
    cmpl $0, (%rbx)
    jnz safe_syscall_restart
    syscall
safe_syscall_end:
    pop %rbx
    .cfi_adjust_cfa_offset -8
    pop %rbp
    .cfi_adjust_cfa_offset -8
    ret
safe_syscall_restart:
    .cfi_adjust_cfa_offset 16
    mov $-512, %rax
    pop %rbx
    .cfi_adjust_cfa_offset -8
    pop %rbp
    .cfi_adjust_cfa_offset -8
    ret
    .cfi_endproc
    .size safe_syscall_base, .-safe_syscall_base
    .section .note.GNU-stack,"",@progbits
