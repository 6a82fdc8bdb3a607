/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exceptions (SDM 3A, chapter 6; instruction pages of SDM 2), built as a
 * 32-bit and as a 64-bit guest: each checks the vector, the error code
 * and the saved CS:EIP/RIP (a fault saves the faulting instruction, a
 * trap the next one, SDM 3A 6.5), error codes that name a selector or an
 * IDT entry (SDM 3A 6.13: IDT bit 1, EXT bit 0), and the double fault
 * (SDM 3A 6.15, table 6-5: a contributory exception while delivering a
 * contributory one).
 */
#include "exc.h"

#define SEL_NP      (SEL_FREE + 0x00)   /* a data segment, not present */
#define SEL_SMALL   (SEL_FREE + 0x08)   /* a data segment, limit 0xfff */

#ifdef __x86_64__
#define KCODE       SEL_KCODE64
#define SP          "%rsp"
#define SPW         "r"                 /* register prefix */
#else
#define KCODE       SEL_KCODE32
#define SP          "%esp"
#define SPW         "e"
#endif

/* The faulting instructions, each with a label on it (or after it). */
void t_ud2(void), t_resv(void), t_lock(void), t_div0(void), t_idiv(void);
void t_int3(void), t_int40(void), t_into(void), t_badsel(void), t_np(void);
void t_ss(void), t_ssrpl(void), t_limit(void), t_noncanon(void);
void t_int50(void), t_tf(void), t_tfjmp(void), t_tfjcc(void), t_tfind(void);
extern char ud2_ip[], resv_ip[], lock_ip[], div0_ip[], idiv_ip[];
extern char int3_next[], int40_ip[], int40_next[], into_ip[], into_next[];
extern char badsel_ip[], np_ip[], ss_ip[], ssrpl_ip[], limit_ip[];
extern char noncanon_ip[], int50_ip[], tf_next[];
extern char tfjmp_to[], tfjcc_to[], tfind_to[];
__asm__(".text\n"
        "t_ud2: ud2_ip: ud2\n ret\n"
        /* 0F 04 is a blank (reserved) entry of the two-byte opcode map
         * (SDM 2, table A-3). */
        "t_resv: resv_ip: .byte 0x0f, 0x04\n ret\n"
        /* LOCK on a register destination (SDM 2, LOCK: #UD). */
        "t_lock: lock_ip: .byte 0xf0, 0x01, 0xc0\n ret\n"
        "t_div0: mov $1, %eax\n xor %edx, %edx\n xor %ecx, %ecx\n"
        "div0_ip: div %ecx\n ret\n"
        "t_idiv: mov $0x80000000, %eax\n cltd\n mov $-1, %ecx\n"
        "idiv_ip: idiv %ecx\n ret\n"
        "t_int3: int3\n int3_next: ret\n"
        "t_int40: mov $0x1234, %eax\n int40_ip: int $0x40\n"
        "int40_next: ret\n"
        "t_into: mov $0x7fffffff, %eax\n add $1, %eax\n"
        "into_ip: .byte 0xce\n into_next: ret\n"
        "t_badsel: mov $0xfff8, %eax\n badsel_ip: mov %eax, %ds\n ret\n"
        "t_np: mov $0x50, %eax\n np_ip: mov %eax, %es\n ret\n"
        "t_ss: mov $0x50, %eax\n ss_ip: mov %eax, %ss\n ret\n"
        "t_ssrpl: mov $0x13, %eax\n ssrpl_ip: mov %eax, %ss\n ret\n"
        "t_limit: mov $0x58, %eax\n mov %eax, %es\n"
        "limit_ip: mov %es:0xffe, %eax\n ret\n"
#ifdef __x86_64__
        "t_noncanon: mov $0x8000000000000000, %rax\n"
        "noncanon_ip: mov (%rax), %rax\n ret\n"
#endif
        "t_int50: int50_ip: int $0x50\n ret\n"
        /* POPF sets TF: the trap comes after the next instruction
         * (SDM 3A, 17.3.1.4). */
        "t_tf: pushf\n orl $0x100, (" SP ")\n popf\n nop\n"
        "tf_next: ret\n"
        /* The same with a taken jump next: the trap comes at its target. */
        "t_tfjmp: pushf\n orl $0x100, (" SP ")\n popf\n jmp tfjmp_to\n"
        "nop\n tfjmp_to: ret\n"
        "t_tfjcc: xor %eax, %eax\n pushf\n orl $0x100, (" SP ")\n popf\n"
        "jz tfjcc_to\n nop\n tfjcc_to: ret\n"
        "t_tfind: lea tfind_to, %eax\n pushf\n orl $0x100, (" SP ")\n"
        "popf\n jmp *%" SPW "ax\n nop\n tfind_to: ret\n");

static unsigned long dr6_seen;
static void tf_hook(struct exc_frame *f)
{
    unsigned long dr6;

    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    dr6_seen = dr6;
    f->flags &= ~0x100ul;           /* stop stepping */
}

static bool expect(int vec, ureg err, void *ip, const char *what)
{
    bool ok = exc_last.vec == vec && exc_last.err == err &&
              exc_last.ip == (uintptr_t)ip && exc_last.cs == KCODE;

    report(ok, "%s: vector %d, error 0x%lx, saved CS:IP", what, vec,
           (unsigned long)err);
    if (!ok) {
        report_info("got vector %d error 0x%lx at %lx:%lx, want IP %p",
                    exc_last.vec, (unsigned long)exc_last.err,
                    (unsigned long)exc_last.cs, (unsigned long)exc_last.ip,
                    ip);
    }
    return ok;
}

void guest_main(void)
{
    unsigned long ret;

    exc_init();
    exc_set_desc(SEL_NP >> 3, exc_desc(0, 0xfffff, 0x12, 0xc));
    exc_set_desc(SEL_SMALL >> 3, exc_desc(0, 0xfff, 0x92, 0x4));

    EXC_CATCH(t_ud2());
    expect(6, 0, ud2_ip, "UD2 raises #UD");
    EXC_CATCH(t_resv());
    expect(6, 0, resv_ip, "reserved opcode 0F 04 raises #UD");
    EXC_CATCH(t_lock());
    expect(6, 0, lock_ip, "LOCK with a register destination raises #UD");
    EXC_CATCH(t_div0());
    expect(0, 0, div0_ip, "DIV by zero raises #DE");
    EXC_CATCH(t_idiv());
    expect(0, 0, idiv_ip, "IDIV 0x80000000 / -1 raises #DE (overflow)");

    /* Traps: return with IRET to the next instruction. */
    exc_set_resume(3, true);
    exc_set_resume(4, true);
    exc_set_resume(0x40, true);
    exc_set_resume(1, true);
    EXC_CATCH(t_int3());
    expect(3, 0, int3_next, "INT3 traps to vector 3 after itself");
    exc_last.vec = -1;
    __asm__ volatile("call t_int40" : "=a"(ret) : : "memory", "cc");
    report(exc_last.vec == 0x40 && exc_last.ip == (uintptr_t)int40_next &&
           ret == 0x1234, "INT 0x40 saves the next IP; IRET returns there "
           "with EAX kept");
    EXC_CATCH(t_into());
#ifdef __x86_64__
    expect(6, 0, into_ip, "INTO is invalid in 64-bit mode (#UD)");
#else
    expect(4, 0, into_next, "INTO with OF set traps to vector 4");
#endif

    exc_hook = tf_hook;
    dr6_seen = 0;
    EXC_CATCH(t_tf());
    exc_hook = NULL;
    expect(1, 0, tf_next, "TF set by POPF: #DB after the next instruction");
    report(dr6_seen & 0x4000, "#DB from TF sets DR6.BS");
    report_info("DR6 0x%lx", dr6_seen);
    exc_hook = tf_hook;
    EXC_CATCH(t_tfjmp());
    expect(1, 0, tfjmp_to, "TF: #DB after a taken JMP, at its target");
    EXC_CATCH(t_tfjcc());
    expect(1, 0, tfjcc_to, "TF: #DB after a taken Jcc, at its target");
    EXC_CATCH(t_tfind());
    expect(1, 0, tfind_to, "TF: #DB after an indirect JMP, at its target");
    exc_hook = NULL;

    /* Segment loads: error code = the selector (SDM 2, MOV). */
    EXC_CATCH(t_badsel());
    expect(13, 0xfff8, badsel_ip, "selector beyond the GDT limit: "
           "#GP(selector)");
    EXC_CATCH(t_np());
    expect(11, SEL_NP, np_ip, "not-present data segment into ES: "
           "#NP(selector)");
    EXC_CATCH(t_ss());
    expect(12, SEL_NP, ss_ip, "not-present segment into SS: #SS(selector)");
    EXC_CATCH(t_ssrpl());
    expect(13, SEL_KDATA, ssrpl_ip, "SS selector with RPL != CPL: "
           "#GP(selector)");
#ifdef __x86_64__
    EXC_CATCH(t_noncanon());
    expect(13, 0, noncanon_ip, "non-canonical address: #GP(0)");
    EXC_CATCH(t_limit());
    report(exc_last.vec == -1, "64-bit mode ignores ES's limit");
#endif
    /* Not checked: #GP(0) beyond a data segment's limit in 32-bit mode.
     * TCG does not check data segment limits (docs/tcg-system.md). */

    /* IDT entries: error code = vector * 8 + 2 (+1 EXT when the event
     * was not a software interrupt, SDM 3A 6.13). */
    exc_set_idt_vectors(0x50);
    EXC_CATCH(t_int50());
    exc_set_idt_vectors(256);
    expect(13, 0x50 * 8 + 2, int50_ip, "INT 0x50 beyond the IDT limit: "
           "#GP(0x282)");
    exc_set_gate(0x40, 0xe, 0, false);
    EXC_CATCH(t_int40());
    exc_set_gate(0x40, 0xe, 0, true);
    expect(11, 0x40 * 8 + 2, int40_ip, "INT 0x40 to a not-present gate: "
           "#NP(0x202)");
    exc_set_gate(6, 0xe, 0, false);
    EXC_CATCH(t_ud2());
    exc_set_gate(6, 0xe, 0, true);
    expect(11, 6 * 8 + 3, ud2_ip, "#UD through a not-present gate: "
           "#NP(0x33), EXT set");

    /* #GP while delivering #GP: double fault, error code 0. */
    exc_set_gate(13, 0xe, 0, false);
    EXC_CATCH(t_badsel());
    exc_set_gate(13, 0xe, 0, true);
    report(exc_last.vec == 8 && exc_last.err == 0 &&
           exc_last.cs == KCODE, "#NP while delivering #GP: #DF(0)");
    /* #DE is contributory too (SDM 3A, table 6-4). */
    exc_set_gate(0, 0xe, 0, false);
    EXC_CATCH(t_div0());
    exc_set_gate(0, 0xe, 0, true);
    report(exc_last.vec == 8 && exc_last.err == 0,
           "#NP while delivering #DE: #DF(0)");
}
