/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Modes and privilege in a 32-bit guest: the task register (SDM 3A, 7.2),
 * an LDT segment (3.5.1), a 16-bit code segment (3.4.5: D=0), a round
 * trip through real mode with INT and IRET through the IVT (9.9, 6.4),
 * IRET to CPL 3 and an interrupt gate back to CPL 0 on TSS.ESP0's stack
 * (6.12.1), and a far call from CPL 3 through a call gate with the far
 * return to CPL 3 (5.8.4-5.8.6).
 */
#include "exc.h"

#define SEL_C16     (SEL_FREE + 0x00)   /* 16-bit code, base = code16 */
#define SEL_LDT     (SEL_FREE + 0x08)   /* the LDT */
#define SEL_GATE    (SEL_FREE + 0x10)   /* call gate to gate_entry, DPL 3 */
#define SEL_RMC16   (SEL_FREE + 0x18)   /* 16-bit code, base RM_BASE */
#define SEL_RMD16   (SEL_FREE + 0x20)   /* 16-bit data, base 0, 64 KiB */
#define RM_BASE     0x6000              /* the real-mode blob's copy */
#define RM_SEG      (RM_BASE >> 4)

static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t ldt_data[4] = { 0xcafe0001, 0xcafe0002, 0xcafe0003 };
static uint8_t user_stack[4096] __attribute__((aligned(16)));

/* ---- 16-bit protected mode ---- */
uint32_t run_code16(void);
extern char code16[];
__asm__(".text\n"
        "run_code16: xor %eax, %eax\n ljmp $0x50, $0\n"
        "code16_back: ret\n"
        ".balign 16\n"
        "code16:\n"
        /* B8 iw in 16-bit code is MOV AX, imm16: the two NOPs after it
         * would be the top half of EAX's immediate in 32-bit code. */
        ".byte 0xb8, 0x34, 0x12, 0x90, 0x90\n"
        ".code16\n ljmpl $0x08, $code16_back\n .code32\n");

/* ---- real mode ---- */
void run_real(void);
extern char rm_blob[], rm_blob_end[], rm_res[], rm_after_int[];
__asm__(".text\n"
        "run_real: pushal\n mov %esp, rm_saved_esp\n"
        "ljmp $0x68, $0\n"                      /* SEL_RMC16 */
        "rm_back32: mov $0x10, %eax\n mov %eax, %ds\n mov %eax, %es\n"
        "mov %eax, %ss\n mov %eax, %fs\n mov %eax, %gs\n"
        "mov rm_saved_esp, %esp\n popal\n ret\n"
        ".data\n rm_saved_esp: .long 0\n .text\n"
        ".balign 16\n"
        "rm_blob:\n .code16\n"
        /* 16-bit protected mode, CS base RM_BASE: give the data segment
         * registers real-mode-like limits, then clear PE (SDM 3A, 9.9.2). */
        "mov $0x70, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
        "mov %ax, %fs\n mov %ax, %gs\n"
        "mov %cr0, %eax\n and $0xfffffffe, %eax\n mov %eax, %cr0\n"
        "ljmp $0x600, $(1f - rm_blob)\n"
        "1: mov $0x600, %ax\n mov %ax, %ds\n mov %ax, %ss\n"
        "mov $0xffe, %sp\n xor %ax, %ax\n mov %ax, %es\n"
        "lidt (rm_idtr - rm_blob)\n"
        "movw $(rm_isr - rm_blob), %es:0x100\n"    /* IVT[0x40] */
        "movw $0x600, %es:0x102\n"
        "mov %cs, (rm_res - rm_blob)\n"             /* [0] CS */
        "mov $0x77, %bx\n"
        "int $0x40\n"
        "rm_after_int:\n"
        "mov %sp, (rm_res + 2 - rm_blob)\n"         /* [1] SP after IRET */
        "mov %bx, (rm_res + 4 - rm_blob)\n"         /* [2] BX from ISR */
        "mov %cr0, %eax\n or $1, %eax\n mov %eax, %cr0\n"
        "ljmpl $0x08, $rm_back32\n"
        "rm_isr: mov %sp, %bp\n"
        "mov 0(%bp), %ax\n mov %ax, (rm_res + 6 - rm_blob)\n"  /* [3] IP */
        "mov 2(%bp), %ax\n mov %ax, (rm_res + 8 - rm_blob)\n"  /* [4] CS */
        "mov %sp, (rm_res + 10 - rm_blob)\n"        /* [5] SP in ISR */
        "pushf\n pop %ax\n mov %ax, (rm_res + 12 - rm_blob)\n" /* [6] */
        "add $0x11, %bx\n iret\n"
        "rm_idtr: .word 0x3ff\n .long 0\n"
        "rm_res: .fill 8, 2, 0\n"
        "rm_blob_end:\n .code32\n");

/* ---- CPL 3 ---- */
void to_user(void (*fn)(void), uint32_t sp);
void u_ints(void), u_callgate(void);
void gate_entry(void);
extern char u_after81[], u_after_lcall[];
volatile uint32_t gate_frame[5];
__asm__(".text\n"
        /* IRET to CPL 3 (SDM 3A, 6.14 / IRET): EIP, CS, EFLAGS, ESP, SS. */
        "to_user: mov 8(%esp), %edx\n mov 4(%esp), %eax\n"
        "pushl $0x33\n push %edx\n pushl $2\n pushl $0x2b\n push %eax\n"
        "iretl\n"
        "u_ints: mov %ss, %ebx\n mov %ds, %edx\n int $0x81\n"
        "u_after81:\n"
        "mov %cs, %eax\n mov %esp, %ecx\n int $0x80\n"
        "u_callgate: mov $0x33, %eax\n mov %eax, %ds\n"
        "lcall $0x63, $0\n u_after_lcall:\n"
        "mov %cs, %eax\n mov %ss, %ebx\n int $0x80\n"
        /* Reached through the call gate at CPL 0. */
        "gate_entry: mov %esp, gate_frame\n"
        "mov 0(%esp), %eax\n mov %eax, gate_frame + 4\n"
        "mov 4(%esp), %eax\n mov %eax, gate_frame + 8\n"
        "mov 12(%esp), %eax\n mov %eax, gate_frame + 12\n"
        "mov %cs, %eax\n mov %eax, gate_frame + 16\n"
        "lret\n");

static struct exc_frame seen81, seen80;
static uint32_t esp_in81;
static void user_hook(struct exc_frame *f)
{
    uint32_t esp;

    __asm__ volatile("mov %%esp, %0" : "=r"(esp));
    if (f->vec == 0x81) {
        seen81 = *f;
        esp_in81 = esp;
    } else if (f->vec == 0x80) {
        seen80 = *f;
    }
}

void guest_main(void)
{
    uint16_t sel;
    uint32_t v, sp0, usp = (uintptr_t)(user_stack + sizeof(user_stack));
    volatile uint16_t *res = (volatile uint16_t *)
                             (RM_BASE + (rm_res - rm_blob));

    exc_init();
    __asm__ volatile("str %0" : "=r"(sel));
    report(sel == SEL_TSS && ((exc_gdt[SEL_TSS >> 3] >> 40) & 0xf) == 0xb,
           "LTR: STR reads the selector and the TSS descriptor is busy");

    /* An LDT with one data segment at ldt_data (TI=1, SDM 3A 3.4.2). */
    ldt[0] = exc_desc((uintptr_t)ldt_data, 0xf, 0x92, 0x4);
    exc_set_desc(SEL_LDT >> 3, exc_desc((uintptr_t)ldt, sizeof(ldt) - 1,
                                        0x82, 0));
    __asm__ volatile("lldt %w0" : : "r"(SEL_LDT));
    __asm__ volatile("mov %w1, %%fs\n mov %%fs:8, %0\n"
                     "mov %w2, %%fs" : "=r"(v) : "r"(0x4), "r"(SEL_KDATA));
    __asm__ volatile("sldt %0" : "=r"(sel));
    report(sel == SEL_LDT && v == 0xcafe0003, "LLDT: an LDT segment maps "
           "its base (FS = 0x04 reads ldt_data[2])");

    /* 16-bit protected-mode code. */
    exc_set_desc(SEL_C16 >> 3, exc_desc((uintptr_t)code16, 0xffff, 0x9a, 0));
    report(run_code16() == 0x1234, "a code segment with D=0 runs 16-bit "
           "code (B8 iw is MOV AX, imm16)");

    /* Real mode and back. */
    exc_set_desc(SEL_RMC16 >> 3, exc_desc(RM_BASE, 0xffff, 0x9a, 0));
    exc_set_desc(SEL_RMD16 >> 3, exc_desc(0, 0xffff, 0x92, 0));
    memcpy((void *)RM_BASE, rm_blob, rm_blob_end - rm_blob);
    run_real();
    exc_set_idt_vectors(256);
    report(res[0] == RM_SEG, "real mode: CS reads the segment 0x%x", RM_SEG);
    report(res[3] == (uint16_t)(rm_after_int - rm_blob) &&
           res[4] == RM_SEG && res[5] == 0xffe - 6,
           "real-mode INT pushes FLAGS, CS, IP through the IVT");
    report((res[6] & 0x200) == 0 && res[1] == 0xffe && res[2] == 0x88,
           "real-mode IRET returns with SP restored");
    report(read_cs() == SEL_KCODE32 && (read_cr0() & 1),
           "back in 32-bit protected mode");

    /* IRET to CPL 3; INT 0x81 (DPL 3 gate) back to CPL 0 on ESP0's
     * stack, IRET to CPL 3 again; INT 0x80 leaves. */
    exc_set_gate(0x80, 0xe, 3, true);
    exc_set_gate(0x81, 0xe, 3, true);
    exc_set_resume(0x81, true);
    exc_hook = user_hook;
    memcpy(&sp0, exc_tss + 4, 4);
    v = EXC_CATCH(to_user(u_ints, usp));
    report(v == 0x80 && seen81.cs == 0x2b && seen81.ss == 0x33 &&
           seen81.sp == usp && seen81.ip == (uintptr_t)u_after81 &&
           seen81.ebx == 0x33, "INT from CPL 3 pushes SS:ESP and CS:EIP "
           "of CPL 3");
    report(seen81.edx == 0, "IRET to CPL 3 nulls DS (a DPL 0 data "
           "segment, SDM 2 IRET)");
    report(esp_in81 < sp0 && esp_in81 > sp0 - 4096,
           "the handler runs on TSS.ESP0's stack");
    report(seen80.eax == 0x2b && seen80.ecx == usp,
           "IRET returns to CPL 3 with the user stack");

    /* Far call from CPL 3 through a call gate (DPL 3) to CPL 0 code:
     * a stack switch to ESP0, then LRET to CPL 3 (SDM 3A, 5.8.5). */
    exc_gdt[SEL_GATE >> 3] = ((uintptr_t)gate_entry & 0xffff) |
        (uint64_t)SEL_KCODE32 << 16 | (uint64_t)0xec00 << 32 |
        (uint64_t)((uintptr_t)gate_entry >> 16) << 48;
    v = EXC_CATCH(to_user(u_callgate, usp));
    report(v == 0x80 && gate_frame[4] == SEL_KCODE32 &&
           gate_frame[1] == (uintptr_t)u_after_lcall &&
           gate_frame[2] == 0x2b && gate_frame[3] == 0x33 &&
           gate_frame[0] > sp0 - 4096 && gate_frame[0] < sp0,
           "call gate: CPL 0 on ESP0's stack with the caller's CS:EIP, SS");
    report(seen80.eax == 0x2b && seen80.ebx == 0x33,
           "far return to CPL 3 restores CS and SS");
}
