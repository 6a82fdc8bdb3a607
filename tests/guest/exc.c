/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exception catching for the CPU test guests (exc.h): the IDT (SDM 3A,
 * 6.10-6.14), one stub per vector that pushes a dummy error code where
 * the CPU pushes none (SDM 3A, 6.13), a common handler, and a GDT with a
 * TSS (SDM 3A, 7.2; 64-bit: 7.7) whose ring-0 stack takes interrupts from
 * CPL 3.
 */
#include "exc.h"

volatile struct exc_info exc_last;
exc_jmp_buf exc_jb;
volatile bool exc_armed;
void (*volatile exc_hook)(struct exc_frame *f);
static bool exc_resume[256];

uint64_t exc_gdt[(SEL_FREE >> 3) + EXC_FREE_SLOTS] __attribute__((aligned(16)));
uint8_t exc_tss[104] __attribute__((aligned(16)));
static uint8_t ring0_stack[16384] __attribute__((aligned(16)));
#ifdef __x86_64__
static uint64_t idt[512] __attribute__((aligned(16)));
#else
static uint64_t idt[256] __attribute__((aligned(16)));
#endif
extern char exc_stubs[];

/*
 * The stubs, 16 bytes apart: vectors 8, 10-14, 17, 21, 29 and 30 come
 * with an error code from the CPU (when raised as exceptions, not INT n).
 */
#ifdef __x86_64__
__asm__(".text\n.balign 16\n.globl exc_stubs\nexc_stubs:\n"
        ".set v, 0\n.rept 256\n.balign 16\n"
        ".if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || "
        "v == 29 || v == 30)\npushq $0\n.endif\n"
        "pushq $v\njmp exc_common\n.set v, v + 1\n.endr\n"
        "exc_common:\n"
        "push %rax\npush %rbx\npush %rcx\npush %rdx\npush %rsi\npush %rdi\n"
        "push %rbp\npush %r8\npush %r9\npush %r10\npush %r11\npush %r12\n"
        "push %r13\npush %r14\npush %r15\n"
        "mov %rsp, %rdi\ncld\ncall exc_handle\n"
        "pop %r15\npop %r14\npop %r13\npop %r12\npop %r11\npop %r10\n"
        "pop %r9\npop %r8\npop %rbp\npop %rdi\npop %rsi\npop %rdx\n"
        "pop %rcx\npop %rbx\npop %rax\n"
        "add $16, %rsp\niretq\n"
        /* setjmp/longjmp: rbx rbp r12-r15 rsp rip */
        ".globl exc_setjmp\nexc_setjmp:\n"
        "mov %rbx, 0(%rdi)\nmov %rbp, 8(%rdi)\nmov %r12, 16(%rdi)\n"
        "mov %r13, 24(%rdi)\nmov %r14, 32(%rdi)\nmov %r15, 40(%rdi)\n"
        "lea 8(%rsp), %rax\nmov %rax, 48(%rdi)\n"
        "mov (%rsp), %rax\nmov %rax, 56(%rdi)\n"
        "xor %eax, %eax\nret\n"
        ".globl exc_longjmp\nexc_longjmp:\n"
        "mov 0(%rdi), %rbx\nmov 8(%rdi), %rbp\nmov 16(%rdi), %r12\n"
        "mov 24(%rdi), %r13\nmov 32(%rdi), %r14\nmov 40(%rdi), %r15\n"
        "mov 48(%rdi), %rsp\nmov $1, %eax\njmp *56(%rdi)\n");
#else
__asm__(".text\n.balign 16\n.globl exc_stubs\nexc_stubs:\n"
        ".set v, 0\n.rept 256\n.balign 16\n"
        ".if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || "
        "v == 29 || v == 30)\npushl $0\n.endif\n"
        "pushl $v\njmp exc_common\n.set v, v + 1\n.endr\n"
        "exc_common:\n"
        /* From CPL 3 DS and ES may be null or the user's: save them
         * and use ring 0's. */
        "push %ds\npush %es\npushal\n"
        "mov $0x10, %eax\nmov %eax, %ds\nmov %eax, %es\n"
        "mov %esp, %eax\ncld\npush %eax\ncall exc_handle\n"
        "add $4, %esp\npopal\npop %es\npop %ds\nadd $8, %esp\niretl\n"
        /* setjmp/longjmp: ebx esi edi ebp esp eip */
        ".globl exc_setjmp\nexc_setjmp:\n"
        "mov 4(%esp), %eax\nmov %ebx, 0(%eax)\nmov %esi, 4(%eax)\n"
        "mov %edi, 8(%eax)\nmov %ebp, 12(%eax)\n"
        "lea 4(%esp), %ecx\nmov %ecx, 16(%eax)\n"
        "mov (%esp), %ecx\nmov %ecx, 20(%eax)\n"
        "xor %eax, %eax\nret\n"
        ".globl exc_longjmp\nexc_longjmp:\n"
        "mov 4(%esp), %edx\nmov 0(%edx), %ebx\nmov 4(%edx), %esi\n"
        "mov 8(%edx), %edi\nmov 12(%edx), %ebp\nmov 16(%edx), %esp\n"
        "mov $1, %eax\njmp *20(%edx)\n");
#endif

void exc_handle(struct exc_frame *f);
void exc_handle(struct exc_frame *f)
{
    uint16_t cs = read_cs();
    bool stack_pushed = guest_is_64bit() || (f->cs & 3) != (cs & 3);
    unsigned v = f->vec & 0xff;

    exc_last.err = f->err;
    exc_last.ip = f->ip;
    exc_last.cs = f->cs & 0xffff;
    exc_last.flags = f->flags;
    exc_last.sp = stack_pushed ? f->sp : 0;
    exc_last.ss = stack_pushed ? f->ss & 0xffff : 0;
    if (v == 14) {
        ureg cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        exc_last.cr2 = cr2;
    }
    exc_last.count++;
    exc_last.vec = v;
    if (exc_hook) {
        exc_hook(f);
    }
    if (exc_resume[v]) {
        return;
    }
    if (exc_armed) {
        exc_armed = false;
        /* Back to ring 0's flat data segments, whatever the test had. */
        __asm__ volatile("mov %0, %%ds\nmov %0, %%es\nmov %0, %%fs\n"
                         "mov %0, %%gs" : : "r"(SEL_KDATA));
        exc_longjmp(exc_jb);
    }
    report(false, "unexpected exception %u (error 0x%lx) at %lx:%lx", v,
           (unsigned long)f->err, (unsigned long)(f->cs & 0xffff),
           (unsigned long)f->ip);
    report_done();
}

uint64_t exc_desc(uint32_t base, uint32_t limit, unsigned access,
                  unsigned flags)
{
    return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(access & 0xff) << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 |
           (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

void exc_set_desc(unsigned i, uint64_t d)
{
    exc_gdt[i] = d;
}

void exc_set_gate(unsigned vec, unsigned type, unsigned dpl, bool present)
{
    uintptr_t off = (uintptr_t)exc_stubs + vec * 16;
    uint64_t lo = (off & 0xffff) | (uint64_t)read_cs() << 16 |
                  (uint64_t)((present ? 0x80 : 0) | dpl << 5 | type) << 40 |
                  (uint64_t)((off >> 16) & 0xffff) << 48;
#ifdef __x86_64__
    idt[vec * 2] = lo;
    idt[vec * 2 + 1] = off >> 32;
#else
    idt[vec] = lo;
#endif
}

void exc_set_resume(unsigned vec, bool resume)
{
    exc_resume[vec] = resume;
}

void exc_set_idt_vectors(unsigned n)
{
    struct __attribute__((packed)) { uint16_t limit; uintptr_t base; } d;

    d.limit = n * (guest_is_64bit() ? 16 : 8) - 1;
    d.base = (uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(d));
}

void exc_init(void)
{
    struct __attribute__((packed)) { uint16_t limit; uintptr_t base; } d;
    uintptr_t tss = (uintptr_t)exc_tss;
    uintptr_t sp0 = (uintptr_t)(ring0_stack + sizeof(ring0_stack));

    exc_gdt[0] = 0;
    exc_gdt[SEL_KCODE32 >> 3] = 0x00cf9a000000ffffull;
    exc_gdt[SEL_KDATA >> 3] = 0x00cf92000000ffffull;
    exc_gdt[SEL_KCODE64 >> 3] = 0x00af9a000000ffffull;
    exc_gdt[SEL_KDATA2 >> 3] = 0x00cf92000000ffffull;
    exc_gdt[SEL_UCODE32 >> 3] = 0x00cffa000000ffffull;
    exc_gdt[SEL_UDATA >> 3] = 0x00cff2000000ffffull;
    exc_gdt[SEL_UCODE64 >> 3] = 0x00affa000000ffffull;
    /* An available 32-bit TSS / 64-bit TSS (type 9), limit 103. */
    exc_gdt[SEL_TSS >> 3] = exc_desc(tss, sizeof(exc_tss) - 1, 0x89, 0);
    exc_gdt[(SEL_TSS >> 3) + 1] = (uint64_t)tss >> 32 >> 0;
    memset(exc_tss, 0, sizeof(exc_tss));
#ifdef __x86_64__
    memcpy(exc_tss + 4, &sp0, 8);               /* RSP0 */
#else
    memcpy(exc_tss + 4, &sp0, 4);               /* ESP0 */
    exc_tss[8] = SEL_KDATA;                     /* SS0 */
#endif
    exc_tss[102] = sizeof(exc_tss);             /* no I/O bitmap */
    d.limit = sizeof(exc_gdt) - 1;
    d.base = (uintptr_t)exc_gdt;
    __asm__ volatile("lgdt %0" : : "m"(d));
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));

    for (unsigned v = 0; v < 256; v++) {
        exc_set_gate(v, 0xe, 0, true);
    }
    exc_set_idt_vectors(256);
}
