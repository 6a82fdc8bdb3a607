/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Long mode (SDM 3A, chapter 5 and 6.14): compatibility mode (a code
 * segment with L=0 under long mode, 5.2.1), IRETQ to CPL 3 and an
 * interrupt back on TSS.RSP0's stack (6.14.4), SYSCALL/SYSRET with STAR,
 * LSTAR and FMASK (5.8.8), SWAPGS (SDM 2, SWAPGS).
 */
#include "exc.h"

#define MSR_EFER            0xc0000080
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_FMASK           0xc0000084
#define MSR_GS_BASE         0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102

static uint8_t user_stack[4096] __attribute__((aligned(16)));

/* Compatibility mode: 48 is DEC EAX there, a REX prefix in 64-bit mode. */
uint64_t run_compat(void);
__asm__(".text\n"
        "run_compat: push %rbx\n mov $5, %eax\n"
        "pushq $0x08\n lea compat_code(%rip), %rbx\n push %rbx\n lretq\n"
        "compat_back: pop %rbx\n shl $32, %rsi\n or %rsi, %rax\n ret\n"
        ".code32\n"
        "compat_code: .byte 0x48, 0x90\n"       /* DEC EAX; NOP */
        "mov %eax, %ebx\n mov $0xc0000080, %ecx\n rdmsr\n mov %eax, %esi\n"
        "mov %ebx, %eax\n ljmp $0x18, $compat_back\n"
        ".code64\n");

void to_user(void (*fn)(void), uint64_t sp);
void u_int80(void), u_syscall(void), u_swapgs(void);
void syscall_entry(void);
extern char u_after_syscall[], u_swapgs_ip[];
volatile uint64_t sc_rcx, sc_r11, sc_rsp, sc_flags, sc_cs, sc_ss;
__asm__(".text\n"
        "to_user: pushq $0x33\n push %rsi\n pushq $2\n pushq $0x3b\n"
        "push %rdi\n iretq\n"
        "u_int80: mov %ss, %ebx\n mov %rsp, %rcx\n int $0x80\n"
        /* DF set before SYSCALL: FMASK clears it in ring 0, SYSRET
         * restores it from R11. */
        "u_syscall: std\n mov %rsp, %rbx\n syscall\n u_after_syscall:\n"
        "pushfq\n pop %rdx\n cld\n mov %cs, %eax\n mov %ss, %esi\n"
        "int $0x80\n"
        "u_swapgs: u_swapgs_ip: swapgs\n ud2\n"
        "syscall_entry: mov %rcx, sc_rcx\n mov %r11, sc_r11\n"
        "mov %rsp, sc_rsp\n pushfq\n popq sc_flags\n"
        "mov %cs, %eax\n mov %rax, sc_cs\n mov %ss, %eax\n mov %rax, sc_ss\n"
        "sysretq\n");

static struct exc_frame seen;
static uint64_t rsp_in_handler;
static void user_hook(struct exc_frame *f)
{
    uint64_t rsp;

    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    seen = *f;
    rsp_in_handler = rsp;
}

/* Let CPL 3 use entry64.S's identity map: U/S on every level. */
static void map_user(void)
{
    uint64_t cr3, *pml4, *pdpt;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    pml4 = (uint64_t *)(uintptr_t)(cr3 & ~0xfffull);
    pml4[0] |= 4;
    pdpt = (uint64_t *)(uintptr_t)(pml4[0] & 0xfffff000);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[i] & 0xfffff000);

        pdpt[i] |= 4;
        for (unsigned j = 0; j < 512; j++) {
            pd[j] |= 4;
        }
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

void guest_main(void)
{
    uint64_t r, rsp0, usp = (uintptr_t)(user_stack + sizeof(user_stack));
    static volatile uint64_t gsa[2] = { 0x1111, 0x2222 };
    int v;

    exc_init();
    map_user();
    memcpy(&rsp0, exc_tss + 4, 8);

    r = run_compat();
    report((uint32_t)r == 4, "compatibility mode: 48 is DEC EAX");
    report((r >> 32) & 0x400, "EFER.LMA stays set in compatibility mode");
    report(read_cs() == SEL_KCODE64, "far jump back to 64-bit mode");

    /* IRETQ to CPL 3, INT 0x80 back. */
    exc_set_gate(0x80, 0xe, 3, true);
    exc_hook = user_hook;
    v = EXC_CATCH(to_user(u_int80, usp));
    report(v == 0x80 && seen.cs == 0x3b && seen.ss == 0x33 &&
           seen.rbx == 0x33 && seen.sp == usp && seen.rcx == usp,
           "INT from CPL 3 pushes the user's SS:RSP and CS");
    report(rsp_in_handler < rsp0 && rsp_in_handler > rsp0 - 4096,
           "the handler runs on TSS.RSP0's stack");

    /* SYSCALL/SYSRET. */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);               /* SCE */
    wrmsr(MSR_STAR, (uint64_t)SEL_UCODE32 << 48 |
                    (uint64_t)SEL_KCODE64 << 32);
    wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x400);                            /* DF */
    v = EXC_CATCH(to_user(u_syscall, usp));
    report(v == 0x80 && sc_rcx == (uintptr_t)u_after_syscall &&
           (sc_r11 & 0x400) && sc_rsp == usp,
           "SYSCALL: RCX = next RIP, R11 = RFLAGS, RSP kept");
    report(sc_cs == SEL_KCODE64 && sc_ss == SEL_KDATA2 &&
           !(sc_flags & 0x400), "SYSCALL: CS, SS from STAR[47:32], "
           "FMASK clears DF");
    report(seen.rax == SEL_UCODE64 + 3 && seen.rsi == SEL_UDATA + 3 &&
           (seen.rdx & 0x400), "SYSRET: CS, SS from STAR[63:48] at CPL 3, "
           "RFLAGS from R11");

    /* SWAPGS exchanges GS.base and IA32_KERNEL_GS_BASE. */
    wrmsr(MSR_GS_BASE, (uintptr_t)&gsa[0]);
    wrmsr(MSR_KERNEL_GS_BASE, (uintptr_t)&gsa[1]);
    __asm__ volatile("swapgs\n mov %%gs:0, %0" : "=r"(r));
    report(r == 0x2222 && rdmsr(MSR_GS_BASE) == (uintptr_t)&gsa[1] &&
           rdmsr(MSR_KERNEL_GS_BASE) == (uintptr_t)&gsa[0],
           "SWAPGS exchanges GS.base and KERNEL_GS_BASE");
    __asm__ volatile("swapgs\n mov %%gs:0, %0" : "=r"(r));
    report(r == 0x1111, "a second SWAPGS swaps back");
    v = EXC_CATCH(to_user(u_swapgs, usp));
    report(v == 13 && exc_last.err == 0 && exc_last.cs == 0x3b &&
           exc_last.ip == (uintptr_t)u_swapgs_ip,
           "SWAPGS at CPL 3: #GP(0)");
    exc_hook = NULL;
}
