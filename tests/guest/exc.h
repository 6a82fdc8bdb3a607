/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Catching exceptions in a test guest (32- and 64-bit): an IDT whose 256
 * vectors all lead to one handler that records what the CPU pushed, and
 * a GDT with the entries the CPU tests need (user segments, a TSS, free
 * slots). A test runs an instruction under EXC_CATCH(); when it faults,
 * the handler records the frame and jumps back (no IRET) so that
 * EXC_CATCH() yields the vector (the last one taken), or -1 when nothing
 * happened. Vectors
 * marked with exc_set_resume() return with IRET instead (traps: INT n,
 * INT3, #DB). An optional hook sees (and may edit) every frame first.
 *
 * Uses INT n/IRET semantics PVM cannot run: guests built on this are
 * tcg-only here (docs/testing-guests.md).
 */
#ifndef GUEST_EXC_H
#define GUEST_EXC_H

#include "guest.h"

/* The GDT the CPU tests load (exc_init); 0x08-0x18 as lib/gdt.S. */
#define SEL_KCODE32     0x08
#define SEL_KDATA       0x10
#define SEL_KCODE64     0x18
#define SEL_KDATA2      0x20    /* STAR[47:32] + 8 for SYSCALL's SS */
#define SEL_UCODE32     0x28    /* DPL 3; STAR[63:48] for SYSRET */
#define SEL_UDATA       0x30    /* DPL 3 */
#define SEL_UCODE64     0x38    /* DPL 3 */
#define SEL_TSS         0x40    /* 16 bytes in 64-bit guests */
#define SEL_FREE        0x50    /* first of EXC_FREE_SLOTS for tests */
#define EXC_FREE_SLOTS  8

#ifdef __x86_64__
typedef uint64_t ureg;
#else
typedef uint32_t ureg;
#endif

/* What the handler saw; sp/ss only when the CPU pushed them. */
struct exc_info {
    int vec;
    ureg err, ip, cs, flags, sp, ss;
    ureg cr2;
    unsigned count;
};
extern volatile struct exc_info exc_last;

/* The registers the common handler saved, then the CPU's frame. */
struct exc_frame {
#ifdef __x86_64__
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
#else
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t es, ds;
#endif
    ureg vec, err, ip, cs, flags, sp, ss;
};

extern uint64_t exc_gdt[];
extern uint8_t exc_tss[];       /* 104 bytes, no I/O bitmap */

/* Load the GDT, the IDT and TR (SEL_TSS, ring-0 stack: a private one). */
void exc_init(void);
/* A gate: type 0xe (interrupt) or 0xf (trap), the DPL, present or not. */
void exc_set_gate(unsigned vec, unsigned type, unsigned dpl, bool present);
/* Vectors to return from with IRET; exc_hook (or NULL) runs first. */
void exc_set_resume(unsigned vec, bool resume);
extern void (*volatile exc_hook)(struct exc_frame *f);
/* The IDT limit (vectors * 8 or 16 - 1); exc_init sets all 256. */
void exc_set_idt_vectors(unsigned n);
/* GDT slot i (selector i * 8) = descriptor d. */
void exc_set_desc(unsigned i, uint64_t d);
/* A code/data descriptor: base, limit (bytes or 4 KiB units with G in
 * flags), access byte (P DPL S type), flags nibble (G D/B L AVL). */
uint64_t exc_desc(uint32_t base, uint32_t limit, unsigned access,
                  unsigned flags);

/* ---- catching ---- */
typedef ureg exc_jmp_buf[8];
int exc_setjmp(exc_jmp_buf jb) __attribute__((returns_twice));
noreturn void exc_longjmp(exc_jmp_buf jb);
extern exc_jmp_buf exc_jb;
extern volatile bool exc_armed;

/* Run stmt; the last vector it raised, or -1 (exc_last: its frame). */
#define EXC_CATCH(stmt) ({                                  \
    exc_last.vec = -1;                                      \
    if (exc_setjmp(exc_jb) == 0) {                          \
        exc_armed = true;                                   \
        stmt;                                               \
    }                                                       \
    exc_armed = false;                                      \
    exc_last.vec;                                           \
})

static inline uint16_t read_cs(void)
{
    uint16_t v;
    __asm__ volatile("mov %%cs, %0" : "=r"(v));
    return v;
}

#endif
