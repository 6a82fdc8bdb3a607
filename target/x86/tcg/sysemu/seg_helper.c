/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Segmentation and interrupts (Intel SDM vol. 3A, chapters 3, 5, 6):
 * descriptor loads with their checks, far JMP/CALL/RET through call
 * gates, IRET in every mode, and the delivery of interrupts and
 * exceptions through the real-mode IVT, the protected-mode IDT and the
 * long-mode IDT (with stack switches from the TSS and the IST).
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "exec/exec-all.h"
#include "sysemu.h"
#include "sys-helper.h"

#define DPL(e2)     (((e2) >> DESC_DPL_SHIFT) & 3)
#define SEL_ERR(s)  ((s) & 0xfffc)

void x86_raise_err(CPUX86State *env, int excp, uint32_t err, uintptr_t ra)
{
    CPUState *cs = env->cs;

    cs->exception_index = excp;
    env->error_code = err;
    env->has_error_code = 1;
    x86_sys(env)->raise_is_int = false;
    tcg_raise_restore(cs, ra, NULL);
}

void x86_raise(CPUX86State *env, int excp, uintptr_t ra)
{
    CPUState *cs = env->cs;

    cs->exception_index = excp;
    env->error_code = 0;
    env->has_error_code = 0;
    x86_sys(env)->raise_is_int = false;
    tcg_raise_restore(cs, ra, NULL);
}

/* ---- Descriptors ------------------------------------------------------- */

static uint64_t desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000);
}

static uint32_t desc_limit(uint32_t e2, uint32_t e1)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000);

    return (e2 & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

bool x86_load_desc(CPUX86State *env, uint32_t sel, uint32_t *e1,
                   uint32_t *e2, uintptr_t ra)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t index = sel & ~7;

    if (index + 7 > dt->limit) {
        return false;
    }
    *e1 = sys_ldl(env, dt->base + index, ra);
    *e2 = sys_ldl(env, dt->base + index + 4, ra);
    return true;
}

/* Set the accessed bit of a descriptor that lacks it (SDM 3A, 3.4.5.1). */
static void desc_set_accessed(CPUX86State *env, uint32_t sel, uint32_t *e2,
                              uintptr_t ra)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;

    if (!(*e2 & DESC_A_MASK)) {
        *e2 |= DESC_A_MASK;
        sys_stl(env, dt->base + (sel & ~7) + 4, *e2, ra);
    }
}

void x86_desc_to_cache(CPUX86State *env, int seg, uint32_t sel, uint32_t e1,
                       uint32_t e2)
{
    cpu_x86_load_seg_cache(env, seg, sel, desc_base(e1, e2),
                           desc_limit(e2, e1), e2 & 0x00f0ff00);
}

static void load_seg_real(CPUX86State *env, int seg, uint32_t sel)
{
    uint32_t flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK;

    if (env->eflags & VM_MASK) {
        flags |= 3 << DESC_DPL_SHIFT;
    }
    if (seg == R_CS) {
        flags |= DESC_CS_MASK;
    }
    cpu_x86_load_seg_cache(env, seg, sel & 0xffff, (sel & 0xffff) << 4,
                           0xffff, flags);
}

void x86_load_seg(CPUX86State *env, int seg, uint32_t sel, uintptr_t ra)
{
    int cpl = cpu_cpl(env), rpl, dpl;
    uint32_t e1, e2;

    sel &= 0xffff;
    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        load_seg_real(env, seg, sel);
        return;
    }
    if ((sel & 0xfffc) == 0) {
        /* Null: #GP for SS except at CPL < 3 in 64-bit mode. */
        if (seg == R_SS && (!(env->hflags & HF_CS64_MASK) || cpl == 3 ||
                            (sel & 3) != cpl)) {
            x86_raise_err(env, EXCP0D_GPF, 0, ra);
        }
        cpu_x86_load_seg_cache(env, seg, sel, 0, 0,
                               seg == R_SS ? cpl << DESC_DPL_SHIFT : 0);
        return;
    }
    if (!x86_load_desc(env, sel, &e1, &e2, ra)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!(e2 & DESC_S_MASK)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    rpl = sel & 3;
    dpl = DPL(e2);
    if (seg == R_SS) {
        /* A writable data segment at exactly the CPL. */
        if ((e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) || rpl != cpl ||
            dpl != cpl) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
    } else {
        /* Data or readable code. */
        if ((e2 & (DESC_CS_MASK | DESC_R_MASK)) == DESC_CS_MASK) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        if ((!(e2 & DESC_CS_MASK) || !(e2 & DESC_C_MASK)) &&
            (dpl < cpl || dpl < rpl)) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, seg == R_SS ? EXCP0C_STACK : EXCP0B_NOSEG,
                      SEL_ERR(sel), ra);
    }
    desc_set_accessed(env, sel, &e2, ra);
    x86_desc_to_cache(env, seg, sel, e1, e2);
}

/* ---- Stack frames ------------------------------------------------------ */

typedef struct Stack {
    CPUX86State *env;
    uint64_t base;
    uint64_t mask;              /* 0xffff, 0xffffffff or all ones */
    uint64_t sp;
    int mmu_idx;
    uintptr_t ra;
} Stack;

static uint64_t stack_mask(uint32_t ss_flags)
{
    return (ss_flags & DESC_B_MASK) ? 0xffffffffull : 0xffff;
}

static void stack_init(Stack *st, CPUX86State *env, int mmu_idx,
                       uintptr_t ra)
{
    st->env = env;
    st->mmu_idx = mmu_idx;
    st->ra = ra;
    st->sp = env->regs[R_ESP];
    if (env->hflags & HF_CS64_MASK) {
        st->base = 0;
        st->mask = ~0ull;
    } else {
        st->base = env->segs[R_SS].base;
        st->mask = stack_mask(env->segs[R_SS].flags);
    }
}

static void push(Stack *st, uint64_t v, int size)
{
    uint64_t a;

    st->sp -= size;
    a = st->base + (st->sp & st->mask);
    if (st->mask != ~0ull) {
        a = (uint32_t)a;
    }
    cpu_st_mmu(st->env->cs, a, v, size, st->mmu_idx, st->ra);
}

static uint64_t pop(Stack *st, int size)
{
    uint64_t a = st->base + (st->sp & st->mask), v;

    if (st->mask != ~0ull) {
        a = (uint32_t)a;
    }
    v = cpu_ld_mmu(st->env->cs, a, size, st->mmu_idx, st->ra);
    st->sp += size;
    return v;
}

/* Write the stack pointer back, only the bits the stack size covers. */
static void set_esp(CPUX86State *env, uint64_t sp, uint64_t mask)
{
    if (mask == 0xffff) {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    } else if (mask == 0xffffffffull) {
        env->regs[R_ESP] = (uint32_t)sp;
    } else {
        env->regs[R_ESP] = sp;
    }
}

/* ---- The TSS ----------------------------------------------------------- */

static void tss_ss_esp(CPUX86State *env, int dpl, uint32_t *ss,
                       uint32_t *esp, uintptr_t ra)
{
    int type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf;
    int shift = type >> 3;          /* 1: 32-bit TSS */
    uint32_t index = (dpl * 4 + 2) << shift;

    if (!(env->tr.flags & DESC_P_MASK) ||
        index + (4 << shift) - 1 > env->tr.limit) {
        x86_raise_err(env, EXCP0A_TSS, SEL_ERR(env->tr.selector), ra);
    }
    if (shift) {
        *esp = sys_ldl(env, env->tr.base + index, ra);
        *ss = sys_lduw(env, env->tr.base + index + 4, ra);
    } else {
        *esp = sys_lduw(env, env->tr.base + index, ra);
        *ss = sys_lduw(env, env->tr.base + index + 2, ra);
    }
}

/* RSP0-2 (level 0-2) or IST1-7 (level 4-10) of the 64-bit TSS. */
static uint64_t tss_rsp64(CPUX86State *env, int level, uintptr_t ra)
{
    uint32_t index = 8 * level + 4;

    if (index + 7 > env->tr.limit) {
        x86_raise_err(env, EXCP0A_TSS, SEL_ERR(env->tr.selector), ra);
    }
    return sys_ldq(env, env->tr.base + index, ra);
}

/* ---- Interrupt delivery (SDM 3A, 6.12) ---------------------------------- */

static uint64_t return_eip(CPUX86State *env, bool is_int, uint64_t next)
{
    return is_int ? next : env->rip;
}

static void do_interrupt_real(CPUX86State *env, int intno, bool is_int,
                              uint64_t next_eip)
{
    uint32_t off, sel;
    Stack st;

    if (intno * 4 + 3 > env->idt.limit) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2, 0);
    }
    off = sys_lduw(env, env->idt.base + intno * 4, 0);
    sel = sys_lduw(env, env->idt.base + intno * 4 + 2, 0);
    stack_init(&st, env, MMU_KERNEL_IDX, 0);
    st.mask = 0xffff;
    push(&st, cpu_compute_eflags(env), 2);
    push(&st, env->segs[R_CS].selector, 2);
    push(&st, return_eip(env, is_int, next_eip), 2);
    set_esp(env, st.sp, 0xffff);
    env->rip = off;
    load_seg_real(env, R_CS, sel);
    env->eflags &= ~(uint64_t)(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    cpu_x86_update_hflags(env);
}

/*
 * The EXT bit of an error code raised while delivering an event: set
 * unless the event is a software interrupt (INT n, INT3, INTO), SDM 3A
 * 6.13.
 */
static uint32_t ext_bit(bool is_int)
{
    return is_int ? 0 : 1;
}

/* The target code segment of a gate; returns its descriptor. */
static void gate_target(CPUX86State *env, uint32_t sel, uint32_t *e1,
                        uint32_t *e2, uint32_t ext)
{
    if ((sel & 0xfffc) == 0) {
        x86_raise_err(env, EXCP0D_GPF, ext, 0);
    }
    if (!x86_load_desc(env, sel, e1, e2, 0)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel) | ext, 0);
    }
    if (!(*e2 & DESC_S_MASK) || !(*e2 & DESC_CS_MASK) ||
        DPL(*e2) > cpu_cpl(env)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel) | ext, 0);
    }
    if (!(*e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(sel) | ext, 0);
    }
}

static void do_interrupt_prot(CPUX86State *env, int intno, bool is_int,
                              bool has_err, uint32_t err, uint64_t next_eip)
{
    uint32_t e1, e2, ce1, ce2, sel, type, dpl, cpl = cpu_cpl(env);
    uint64_t offset, old_eflags = cpu_compute_eflags(env);
    bool vm86 = env->eflags & VM_MASK, inner;
    uint32_t ext = ext_bit(is_int);
    int shift;
    Stack st;

    if (intno * 8 + 7 > env->idt.limit) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    e1 = sys_ldl(env, env->idt.base + intno * 8, 0);
    e2 = sys_ldl(env, env->idt.base + intno * 8 + 4, 0);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    switch (type) {
    case 6: case 7: case 14: case 15:
        break;
    case 5:
        /* Task gates are not emulated: the guest gets #GP. */
        ember_log_mask(LOG_UNIMP, "int: task gate for vector %d\n", intno);
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    default:
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    dpl = DPL(e2);
    if (is_int && dpl < cpl) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, intno * 8 + 2 + ext, 0);
    }
    sel = e1 >> 16;
    offset = (e2 & 0xffff0000) | (e1 & 0xffff);
    gate_target(env, sel, &ce1, &ce2, ext);
    dpl = DPL(ce2);
    inner = !(ce2 & DESC_C_MASK) && dpl < cpl;
    if (!inner && vm86) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel) | ext, 0);
    }
    shift = type >> 3;

    if (inner) {
        uint32_t ss, esp, se1, se2;

        tss_ss_esp(env, dpl, &ss, &esp, 0);
        if ((ss & 0xfffc) == 0) {
            x86_raise_err(env, EXCP0A_TSS, SEL_ERR(ss) | ext, 0);
        }
        if ((ss & 3) != dpl || !x86_load_desc(env, ss, &se1, &se2, 0)) {
            x86_raise_err(env, EXCP0A_TSS, SEL_ERR(ss) | ext, 0);
        }
        if (DPL(se2) != dpl || !(se2 & DESC_S_MASK) ||
            (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK)) {
            x86_raise_err(env, EXCP0A_TSS, SEL_ERR(ss) | ext, 0);
        }
        if (!(se2 & DESC_P_MASK)) {
            x86_raise_err(env, EXCP0C_STACK, SEL_ERR(ss) | ext, 0);
        }
        st.env = env;
        st.mmu_idx = MMU_KERNEL_IDX;
        st.ra = 0;
        st.base = desc_base(se1, se2);
        st.mask = stack_mask(se2);
        st.sp = esp;
        if (vm86) {
            push(&st, env->segs[R_GS].selector, 2 << shift);
            push(&st, env->segs[R_FS].selector, 2 << shift);
            push(&st, env->segs[R_DS].selector, 2 << shift);
            push(&st, env->segs[R_ES].selector, 2 << shift);
        }
        push(&st, env->segs[R_SS].selector, 2 << shift);
        push(&st, env->regs[R_ESP], 2 << shift);
        push(&st, old_eflags, 2 << shift);
        push(&st, env->segs[R_CS].selector, 2 << shift);
        push(&st, return_eip(env, is_int, next_eip), 2 << shift);
        if (has_err) {
            push(&st, err, 2 << shift);
        }
        if (vm86) {
            for (int s = R_ES; s <= R_GS; s++) {
                if (s != R_CS && s != R_SS) {
                    cpu_x86_load_seg_cache(env, s, 0, 0, 0, 0);
                }
            }
        }
        env->eflags &= ~(uint64_t)VM_MASK;
        x86_desc_to_cache(env, R_SS, (ss & ~3) | dpl, se1, se2);
        set_esp(env, st.sp, st.mask);
    } else {
        stack_init(&st, env, MMU_KERNEL_IDX, 0);
        push(&st, old_eflags, 2 << shift);
        push(&st, env->segs[R_CS].selector, 2 << shift);
        push(&st, return_eip(env, is_int, next_eip), 2 << shift);
        if (has_err) {
            push(&st, err, 2 << shift);
        }
        set_esp(env, st.sp, st.mask);
        dpl = cpl;
    }
    x86_desc_to_cache(env, R_CS, (sel & ~3) | dpl, ce1, ce2);
    env->rip = shift ? offset : offset & 0xffff;
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    cpu_x86_update_hflags(env);
}

static void do_interrupt64(CPUX86State *env, int intno, bool is_int,
                           bool has_err, uint32_t err, uint64_t next_eip)
{
    uint32_t e1, e2, e3, ce1, ce2, sel, type, dpl, cpl = cpu_cpl(env);
    uint64_t offset, rsp, old_eflags = cpu_compute_eflags(env);
    uint32_t ext = ext_bit(is_int);
    int ist;
    Stack st;

    if (intno * 16 + 15 > env->idt.limit) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    e1 = sys_ldl(env, env->idt.base + intno * 16, 0);
    e2 = sys_ldl(env, env->idt.base + intno * 16 + 4, 0);
    e3 = sys_ldl(env, env->idt.base + intno * 16 + 8, 0);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != 14 && type != 15) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    dpl = DPL(e2);
    if (is_int && dpl < cpl) {
        x86_raise_err(env, EXCP0D_GPF, intno * 8 + 2 + ext, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, intno * 8 + 2 + ext, 0);
    }
    sel = e1 >> 16;
    offset = ((uint64_t)e3 << 32) | (e2 & 0xffff0000) | (e1 & 0xffff);
    ist = e2 & 7;
    gate_target(env, sel, &ce1, &ce2, ext);
    if (!(ce2 & DESC_L_MASK) || (ce2 & DESC_B_MASK)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel) | ext, 0);
    }
    dpl = (ce2 & DESC_C_MASK) ? cpl : DPL(ce2);
    if (ist) {
        rsp = tss_rsp64(env, ist + 3, 0);
    } else if (dpl < cpl) {
        rsp = tss_rsp64(env, dpl, 0);
    } else {
        rsp = env->regs[R_ESP];
    }
    /* The frame is 16-byte aligned (SDM 3A, 6.14.2). */
    st.env = env;
    st.base = 0;
    st.mask = ~0ull;
    st.sp = rsp & ~0xfull;
    st.mmu_idx = MMU_KERNEL_IDX;
    st.ra = 0;
    push(&st, env->segs[R_SS].selector, 8);
    push(&st, env->regs[R_ESP], 8);
    push(&st, old_eflags, 8);
    push(&st, env->segs[R_CS].selector, 8);
    push(&st, return_eip(env, is_int, next_eip), 8);
    if (has_err) {
        push(&st, err, 8);
    }
    env->regs[R_ESP] = st.sp;
    if (dpl < cpl) {
        /* A null SS with RPL = the new CPL (SDM 3A, 6.14.4). */
        cpu_x86_load_seg_cache(env, R_SS, dpl, 0, 0,
                               dpl << DESC_DPL_SHIFT);
    }
    x86_desc_to_cache(env, R_CS, (sel & ~3) | dpl, ce1, ce2);
    env->rip = offset;
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    cpu_x86_update_hflags(env);
}

void x86_do_interrupt(CPUX86State *env, int intno, bool is_int,
                      bool has_err, uint32_t err, uint64_t next_eip,
                      bool is_hw)
{
    if (ember_log_enabled(LOG_INT)) {
        ember_log("int: cpu %d v=%02x %s e=%04x cpl=%d IP=%04x:%016" PRIx64
                  " pc=%016" PRIx64 " SP=%04x:%016" PRIx64 " CR2=%016"
                  PRIx64 "\n", env->cs->cpu_index, intno,
                  is_hw ? "hw" : is_int ? "int" : "exc",
                  has_err ? err : 0, cpu_cpl(env),
                  env->segs[R_CS].selector, env->rip,
                  env->segs[R_CS].base + env->rip,
                  env->segs[R_SS].selector, env->regs[R_ESP], env->cr[2]);
    }
    /* An event ends an interrupt shadow. */
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    /*
     * A #DB that is neither INT1/INT n nor an external event is the
     * single-step trap (no breakpoint registers are emulated): DR6.BS
     * (SDM 3A, 17.2.3). TF is still set when the trap is taken; a POPF
     * that cleared TF is not told apart.
     */
    if (intno == EXCP01_DB && !is_int && !is_hw &&
        (env->eflags & TF_MASK)) {
        env->dr[6] |= 0x4000;
    }
    if (!(env->cr[0] & CR0_PE_MASK)) {
        do_interrupt_real(env, intno, is_int, next_eip);
    } else if (env->efer & MSR_EFER_LMA) {
        do_interrupt64(env, intno, is_int, has_err, err, next_eip);
    } else {
        do_interrupt_prot(env, intno, is_int, has_err, err, next_eip);
    }
}

/* ---- Far transfers (SDM 3A, 5.8) ---------------------------------------- */

/* Checks of a code-segment target of JMP/CALL (not through a gate). */
static void check_code_target(CPUX86State *env, uint32_t sel, uint32_t e2,
                              uintptr_t ra)
{
    int cpl = cpu_cpl(env), dpl = DPL(e2), rpl = sel & 3;

    if (e2 & DESC_C_MASK) {
        if (dpl > cpl) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
    } else if (rpl > cpl || dpl != cpl) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(sel), ra);
    }
}

static uint64_t mask_ip(CPUX86State *env, uint64_t ip, uint32_t e2)
{
    if ((env->efer & MSR_EFER_LMA) && (e2 & DESC_L_MASK)) {
        return ip;
    }
    return (uint32_t)ip;
}

/* Read a call gate; the upper half in long mode. */
static void read_gate(CPUX86State *env, uint32_t sel, uint32_t e1,
                      uint32_t e2, uint32_t *tsel, uint64_t *off,
                      int *pcount, uintptr_t ra)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;

    *tsel = e1 >> 16;
    *off = (e2 & 0xffff0000) | (e1 & 0xffff);
    *pcount = e2 & 0x1f;
    if (env->efer & MSR_EFER_LMA) {
        uint32_t index = sel & ~7;
        uint32_t e3, e4;
        if (index + 15 > dt->limit) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        e3 = sys_ldl(env, dt->base + index + 8, ra);
        e4 = sys_ldl(env, dt->base + index + 12, ra);
        if ((e4 >> DESC_TYPE_SHIFT) & 0x1f) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        *off |= (uint64_t)e3 << 32;
        *pcount = 0;
    }
}

/*
 * A far JMP or CALL through a system descriptor: only a call gate (type
 * 4 or 12) is emulated, not task gates or TSSs (task switches); its DPL
 * must allow both CPL and the selector's RPL, and it must be present.
 * Returns the gate's type.
 */
static int check_call_gate(CPUX86State *env, uint32_t sel, uint32_t e2,
                           int cpl, const char *what, uintptr_t ra)
{
    int type = (e2 >> DESC_TYPE_SHIFT) & 0xf;

    if (type != 4 && type != 12) {
        ember_log_mask(LOG_UNIMP, "%s: descriptor type %d\n", what, type);
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (DPL(e2) < cpl || DPL(e2) < (sel & 3)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(sel), ra);
    }
    return type;
}

void helper_ljmp(void *e, uint64_t sel, uint64_t new_eip)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t e1, e2, tsel, type;
    uint64_t off;
    int cpl = cpu_cpl(env), pc;

    sel &= 0xffff;
    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        load_seg_real(env, R_CS, sel);
        env->rip = (uint32_t)new_eip;
        return;
    }
    if ((sel & 0xfffc) == 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!x86_load_desc(env, sel, &e1, &e2, ra)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (e2 & DESC_S_MASK) {
        if (!(e2 & DESC_CS_MASK)) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        check_code_target(env, sel, e2, ra);
        desc_set_accessed(env, sel, &e2, ra);
        x86_desc_to_cache(env, R_CS, (sel & 0xfffc) | cpl, e1, e2);
        env->rip = mask_ip(env, new_eip, e2);
        return;
    }
    type = check_call_gate(env, sel, e2, cpl, "ljmp", ra);
    read_gate(env, sel, e1, e2, &tsel, &off, &pc, ra);
    if ((tsel & 0xfffc) == 0 || !x86_load_desc(env, tsel, &e1, &e2, ra) ||
        !(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK) ||
        ((e2 & DESC_C_MASK) ? DPL(e2) > cpl : DPL(e2) != cpl)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(tsel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(tsel), ra);
    }
    x86_desc_to_cache(env, R_CS, (tsel & 0xfffc) | cpl, e1, e2);
    env->rip = type == 4 ? off & 0xffff : mask_ip(env, off, e2);
}

void helper_lcall(void *e, uint64_t sel, uint64_t new_eip, uint64_t shift,
                  uint64_t next_eip)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t e1, e2, tsel, type;
    uint64_t off;
    int cpl = cpu_cpl(env), dpl, pcount, size = 2 << shift;
    Stack st;

    sel &= 0xffff;
    stack_init(&st, env, cpl == 3 ? MMU_USER_IDX : MMU_KERNEL_IDX, ra);
    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        push(&st, env->segs[R_CS].selector, size);
        push(&st, next_eip, size);
        set_esp(env, st.sp, st.mask);
        load_seg_real(env, R_CS, sel);
        env->rip = shift ? (uint32_t)new_eip : (uint16_t)new_eip;
        return;
    }
    if ((sel & 0xfffc) == 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!x86_load_desc(env, sel, &e1, &e2, ra)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (e2 & DESC_S_MASK) {
        if (!(e2 & DESC_CS_MASK)) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        check_code_target(env, sel, e2, ra);
        desc_set_accessed(env, sel, &e2, ra);
        push(&st, env->segs[R_CS].selector, size);
        push(&st, next_eip, size);
        set_esp(env, st.sp, st.mask);
        x86_desc_to_cache(env, R_CS, (sel & 0xfffc) | cpl, e1, e2);
        env->rip = mask_ip(env, new_eip, e2);
        return;
    }
    type = check_call_gate(env, sel, e2, cpl, "lcall", ra);
    read_gate(env, sel, e1, e2, &tsel, &off, &pcount, ra);
    if (env->efer & MSR_EFER_LMA) {
        shift = 2;
    } else {
        shift = type >> 3;
    }
    size = 2 << shift;
    if ((tsel & 0xfffc) == 0 || !x86_load_desc(env, tsel, &e1, &e2, ra) ||
        !(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK) || DPL(e2) > cpl) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(tsel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(tsel), ra);
    }
    dpl = DPL(e2);
    if (!(e2 & DESC_C_MASK) && dpl < cpl) {
        /* To a more privileged level: the stack from the TSS, with the
         * parameters copied (SDM 3A, 5.8.5). */
        uint32_t ss = 0, esp32, se1 = 0, se2 = 0;
        uint64_t nsp, old_ss = env->segs[R_SS].selector;
        uint64_t old_sp = env->regs[R_ESP];
        Stack old = st, nst;

        if (shift == 2) {
            nsp = tss_rsp64(env, dpl, ra);
            ss = dpl;
            nst.base = 0;
            nst.mask = ~0ull;
        } else {
            tss_ss_esp(env, dpl, &ss, &esp32, ra);
            nsp = esp32;
            if ((ss & 3) != dpl || !x86_load_desc(env, ss, &se1, &se2, ra) ||
                DPL(se2) != dpl || (se2 & DESC_CS_MASK) ||
                !(se2 & DESC_W_MASK)) {
                x86_raise_err(env, EXCP0A_TSS, SEL_ERR(ss), ra);
            }
            if (!(se2 & DESC_P_MASK)) {
                x86_raise_err(env, EXCP0C_STACK, SEL_ERR(ss), ra);
            }
            nst.base = desc_base(se1, se2);
            nst.mask = stack_mask(se2);
        }
        nst.env = env;
        nst.sp = nsp;
        nst.mmu_idx = MMU_KERNEL_IDX;
        nst.ra = ra;
        push(&nst, old_ss, size);
        push(&nst, old_sp, size);
        for (int i = pcount - 1; i >= 0; i--) {
            Stack p = old;
            p.sp = old.sp + i * size;
            push(&nst, pop(&p, size), size);
        }
        push(&nst, env->segs[R_CS].selector, size);
        push(&nst, next_eip, size);
        if (shift == 2) {
            cpu_x86_load_seg_cache(env, R_SS, dpl, 0, 0,
                                   dpl << DESC_DPL_SHIFT);
        } else {
            x86_desc_to_cache(env, R_SS, ss, se1, se2);
        }
        set_esp(env, nst.sp, nst.mask);
    } else {
        push(&st, env->segs[R_CS].selector, size);
        push(&st, next_eip, size);
        set_esp(env, st.sp, st.mask);
        dpl = cpl;
    }
    x86_desc_to_cache(env, R_CS, (tsel & 0xfffc) | dpl, e1, e2);
    env->rip = shift == 0 ? off & 0xffff : mask_ip(env, off, e2);
}

/* After a return to an outer level: data segments the new CPL may not
 * use become null (SDM 3A, 5.8.6). */
static void validate_data_segs(CPUX86State *env)
{
    int cpl = cpu_cpl(env);

    for (int s = R_ES; s <= R_GS; s++) {
        uint32_t f = env->segs[s].flags;
        if (s == R_CS || s == R_SS) {
            continue;
        }
        if ((!(f & DESC_CS_MASK) || !(f & DESC_C_MASK)) &&
            DPL(f) < cpl && (env->segs[s].selector & 0xfffc)) {
            cpu_x86_load_seg_cache(env, s, 0, 0, 0, 0);
        }
    }
}

/*
 * Far RET and IRET in protected and long mode. shift: 0 16-bit, 1 32-bit,
 * 2 64-bit operands; addend: RET imm16.
 */
static void ret_protected(CPUX86State *env, int shift, bool is_iret,
                          int addend, uintptr_t ra)
{
    int cpl = cpu_cpl(env), rpl, size = 2 << shift;
    uint32_t new_cs, e1, e2, new_ss = 0, se1 = 0, se2 = 0;
    uint64_t new_eip, new_eflags = 0, new_esp = 0;
    Stack st;

    stack_init(&st, env, cpl == 3 ? MMU_USER_IDX : MMU_KERNEL_IDX, ra);
    if (shift == 2) {
        st.mask = ~0ull;
        st.base = 0;
    }
    new_eip = pop(&st, size);
    new_cs = pop(&st, size) & 0xffff;
    if (is_iret) {
        new_eflags = pop(&st, size);
        if (shift == 1 && (new_eflags & VM_MASK) && cpl == 0 &&
            !(env->efer & MSR_EFER_LMA)) {
            /* Return to virtual-8086 mode (SDM 3A, 20.3.1.1). */
            uint32_t es, ds, fs, gs;
            new_esp = pop(&st, 4);
            new_ss = pop(&st, 4);
            es = pop(&st, 4);
            ds = pop(&st, 4);
            fs = pop(&st, 4);
            gs = pop(&st, 4);
            cpu_load_eflags(env, new_eflags, ~0ull);
            load_seg_real(env, R_CS, new_cs);
            load_seg_real(env, R_SS, new_ss);
            load_seg_real(env, R_ES, es);
            load_seg_real(env, R_DS, ds);
            load_seg_real(env, R_FS, fs);
            load_seg_real(env, R_GS, gs);
            env->regs[R_ESP] = (uint32_t)new_esp;
            env->rip = new_eip & 0xffff;
            env->hflags2 &= ~HF2_NMI_MASK;
            cpu_x86_update_hflags(env);
            return;
        }
    }
    if ((new_cs & 0xfffc) == 0) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!x86_load_desc(env, new_cs, &e1, &e2, ra)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(new_cs), ra);
    }
    rpl = new_cs & 3;
    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK) || rpl < cpl ||
        ((e2 & DESC_C_MASK) ? DPL(e2) > rpl : DPL(e2) != rpl)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(new_cs), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(new_cs), ra);
    }
    st.sp += addend;
    if (rpl == cpl && !(is_iret && shift == 2)) {
        /* Same level (a 64-bit IRET always pops SS:RSP). */
        x86_desc_to_cache(env, R_CS, new_cs, e1, e2);
        set_esp(env, st.sp, st.mask);
    } else {
        new_esp = pop(&st, size);
        new_ss = pop(&st, size) & 0xffff;
        if ((new_ss & 0xfffc) == 0) {
            /* A null SS is fine in 64-bit mode below CPL 3. */
            if (!(shift == 2 && (e2 & DESC_L_MASK) && rpl != 3)) {
                x86_raise_err(env, EXCP0D_GPF, 0, ra);
            }
            cpu_x86_load_seg_cache(env, R_SS, new_ss, 0, 0,
                                   rpl << DESC_DPL_SHIFT);
        } else {
            if ((new_ss & 3) != rpl ||
                !x86_load_desc(env, new_ss, &se1, &se2, ra) ||
                !(se2 & DESC_S_MASK) || (se2 & DESC_CS_MASK) ||
                !(se2 & DESC_W_MASK) || DPL(se2) != rpl) {
                x86_raise_err(env, EXCP0D_GPF, SEL_ERR(new_ss), ra);
            }
            if (!(se2 & DESC_P_MASK)) {
                x86_raise_err(env, EXCP0C_STACK, SEL_ERR(new_ss), ra);
            }
            desc_set_accessed(env, new_ss, &se2, ra);
            x86_desc_to_cache(env, R_SS, new_ss, se1, se2);
        }
        x86_desc_to_cache(env, R_CS, new_cs, e1, e2);
        new_esp += addend;
        if (shift == 2) {
            env->regs[R_ESP] = new_esp;
        } else {
            set_esp(env, new_esp, new_ss & 0xfffc ? stack_mask(se2)
                                                  : 0xffffffffull);
        }
        if (rpl > cpl) {
            validate_data_segs(env);
        }
    }
    env->rip = mask_ip(env, new_eip, e2);
    if (shift == 0) {
        env->rip &= 0xffff;
    }
    if (is_iret) {
        /* What IRET may change depends on the old CPL and IOPL. */
        uint64_t mask = CC_ARITH_MASK | DF_MASK | TF_MASK | AC_MASK |
                        ID_MASK | RF_MASK | NT_MASK;
        int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
        if (cpl == 0) {
            mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
        }
        if (cpl <= iopl) {
            mask |= IF_MASK;
        }
        if (shift == 0) {
            mask &= 0xffff;
        }
        cpu_load_eflags(env, new_eflags, mask);
        env->hflags2 &= ~HF2_NMI_MASK;
    }
    cpu_x86_update_hflags(env);
}

void helper_lret(void *e, uint64_t shift, uint64_t addend)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        Stack st;
        uint64_t ip, cs;
        stack_init(&st, env, cpu_cpl(env) == 3 ? MMU_USER_IDX
                                               : MMU_KERNEL_IDX, ra);
        ip = pop(&st, 2 << shift);
        cs = pop(&st, 2 << shift);
        st.sp += addend;
        set_esp(env, st.sp, st.mask);
        load_seg_real(env, R_CS, cs);
        env->rip = shift ? (uint32_t)ip : (uint16_t)ip;
        return;
    }
    ret_protected(env, shift, false, addend, ra);
}

void helper_iret(void *e, uint64_t shift)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();

    if (!(env->cr[0] & CR0_PE_MASK) ||
        ((env->eflags & VM_MASK) &&
         ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) == 3)) {
        /* Real mode, or virtual-8086 mode with IOPL 3. */
        Stack st;
        uint64_t ip, cs, fl, mask;
        bool vm = env->eflags & VM_MASK;
        stack_init(&st, env, vm ? MMU_USER_IDX : MMU_KERNEL_IDX, ra);
        ip = pop(&st, 2 << shift);
        cs = pop(&st, 2 << shift);
        fl = pop(&st, 2 << shift);
        set_esp(env, st.sp, st.mask);
        load_seg_real(env, R_CS, cs);
        env->rip = shift ? (uint32_t)ip : (uint16_t)ip;
        mask = CC_ARITH_MASK | DF_MASK | TF_MASK | AC_MASK | ID_MASK |
               IF_MASK | RF_MASK | NT_MASK | (vm ? 0 : IOPL_MASK);
        if (shift == 0) {
            mask &= 0xffff;
        }
        cpu_load_eflags(env, fl, mask);
        env->hflags2 &= ~HF2_NMI_MASK;
        cpu_x86_update_hflags(env);
        return;
    }
    if (env->eflags & VM_MASK) {
        x86_raise_err(env, EXCP0D_GPF, 0, ra);
    }
    if ((env->eflags & NT_MASK) && !(env->efer & MSR_EFER_LMA)) {
        /* A return from a nested task: task switches are not emulated. */
        ember_log_mask(LOG_UNIMP, "iret: nested task return\n");
        x86_raise_err(env, EXCP0A_TSS, SEL_ERR(env->tr.selector), ra);
    }
    ret_protected(env, shift, true, 0, ra);
}

/* ---- Segment instructions ----------------------------------------------- */

void helper_load_seg_sys(void *e, uint64_t seg, uint64_t sel)
{
    x86_load_seg(e, seg, sel, GETPC());
}

void helper_lldt(void *e, uint64_t sel)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t e1, e2;
    uint64_t base;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        env->ldt.selector = sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    if ((sel & 4) || !x86_load_desc(env, sel, &e1, &e2, ra) ||
        (e2 & DESC_S_MASK) || ((e2 >> DESC_TYPE_SHIFT) & 0xf) != 2) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(sel), ra);
    }
    base = desc_base(e1, e2);
    if (env->efer & MSR_EFER_LMA) {
        if ((sel & ~7) + 15 > env->gdt.limit) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        base |= (uint64_t)sys_ldl(env, env->gdt.base + (sel & ~7) + 8, ra)
                << 32;
    }
    env->ldt.selector = sel;
    env->ldt.base = base;
    env->ldt.limit = desc_limit(e2, e1);
    env->ldt.flags = e2 & 0x00f0ff00;
}

void helper_ltr(void *e, uint64_t sel)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t e1, e2, type;
    uint64_t base;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0 || (sel & 4)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!x86_load_desc(env, sel, &e1, &e2, ra)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    /* An available TSS (16-bit type 1, 32/64-bit type 9). */
    if ((e2 & DESC_S_MASK) || (type != 1 && type != 9) ||
        ((env->efer & MSR_EFER_LMA) && type != 9)) {
        x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_err(env, EXCP0B_NOSEG, SEL_ERR(sel), ra);
    }
    base = desc_base(e1, e2);
    if (env->efer & MSR_EFER_LMA) {
        if ((sel & ~7) + 15 > env->gdt.limit) {
            x86_raise_err(env, EXCP0D_GPF, SEL_ERR(sel), ra);
        }
        base |= (uint64_t)sys_ldl(env, env->gdt.base + (sel & ~7) + 8, ra)
                << 32;
    }
    /* Mark it busy. */
    e2 |= 2 << DESC_TYPE_SHIFT;
    sys_stl(env, env->gdt.base + (sel & ~7) + 4, e2, ra);
    env->tr.selector = sel;
    env->tr.base = base;
    env->tr.limit = desc_limit(e2, e1);
    env->tr.flags = e2 & 0x00f0ff00;
}

/*
 * LAR, LSL, VERR, VERW: ZF says whether the selector passed (SDM 2A).
 * Returns the result with ZF in bit 32 (the caller moves it into the
 * flags); lar: op 0, lsl: 1, verr: 2, verw: 3.
 */
uint64_t helper_lar_lsl(void *e, uint64_t sel, uint64_t op)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint32_t e1, e2, type;
    int cpl = cpu_cpl(env), rpl = sel & 3, dpl;
    bool conforming_code;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0 || !x86_load_desc(env, sel, &e1, &e2, ra)) {
        return 0;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    dpl = DPL(e2);
    conforming_code = (e2 & DESC_S_MASK) && (e2 & DESC_CS_MASK) &&
                      (e2 & DESC_C_MASK);
    if (!(e2 & DESC_S_MASK)) {
        bool ok;
        if (op >= 2) {
            return 0;
        }
        if (env->efer & MSR_EFER_LMA) {
            ok = type == 2 || type == 9 || type == 11 ||
                 (op == 0 && type == 12);
        } else {
            ok = type == 1 || type == 2 || type == 3 || type == 9 ||
                 type == 11 || (op == 0 && (type == 4 || type == 5 ||
                                           type == 12));
        }
        if (!ok) {
            return 0;
        }
    } else if (op == 2) {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK)) {
            return 0;
        }
    } else if (op == 3) {
        if ((e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK)) {
            return 0;
        }
    }
    if (!conforming_code && (dpl < cpl || dpl < rpl)) {
        return 0;
    }
    switch (op) {
    case 0:
        return (1ull << 32) | (e2 & 0x00f0ff00);
    case 1:
        return (1ull << 32) | desc_limit(e2, e1);
    default:
        return 1ull << 32;
    }
}
