/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emitters for MMX and the MMX forms of SSE/SSE2/SSSE3 (no mandatory
 * prefix, P/Q/N operands). An MMX register aliases the 64-bit mantissa
 * of the x87 register of the same physical number (SDM vol. 1, 9.5):
 * an MMX instruction sets TOP to 0 and marks every register valid; a
 * write sets the register's exponent and sign to all ones. EMMS marks
 * every register empty.
 */
#include "ember/osdep.h"
#include "translate.h"

#define MMX_OFF(r) offsetof(CPUX86State, fpregs[r].mant)
#define MMX_EXP(r) offsetof(CPUX86State, fpregs[r].exp)
#define XMM_OFF(r) offsetof(CPUX86State, xmm[r])

static TCGv env(void)
{
    return tcg_ctx->env;
}

/* The transition to MMX state: TOP = 0, all tags valid. */
static void mmx_enter(void)
{
    tcg_gen_st(MO_32, tcg_constant(0), env(), offsetof(CPUX86State, fpstt));
    tcg_gen_st_i64(tcg_constant(0), env(), offsetof(CPUX86State, fptags));
}

static void mmx_written(int r)
{
    tcg_gen_st(MO_16, tcg_constant(0xffff), env(), MMX_EXP(r));
}

/* Offset in env of operand i: an MMX or XMM register, or the scratch
 * slot after loading a memory operand of op->ot bytes into it. */
static intptr_t mmx_opnd_off(DisasContext *s, X86Insn *d, int i)
{
    X86Op *op = &d->op[i];
    TCGv a, v;

    if (op->loc == LOC_MMX) {
        return MMX_OFF(op->reg);
    }
    if (op->loc == LOC_XMM) {
        return XMM_OFF(op->reg);
    }
    a = gen_lea_addr(s, d);
    v = tcg_temp_new();
    if (op->ot == MO_128) {
        TCGv a8 = tcg_temp_new();
        intptr_t t0 = offsetof(CPUX86State, xmm_t0);
        gen_qemu_ld(s, v, a, MO_64 | MO_ALIGN_16);
        tcg_gen_st_i64(v, env(), t0);
        tcg_gen_addi_i64(a8, a, 8);
        gen_qemu_ld(s, v, a8, MO_64);
        tcg_gen_st_i64(v, env(), t0 + 8);
        return t0;
    }
    gen_qemu_ld(s, v, a, op->ot);
    tcg_gen_st_i64(v, env(), offsetof(CPUX86State, mmx_t0));
    return offsetof(CPUX86State, mmx_t0);
}

static void mmx_finish(X86Insn *d)
{
    if (d->op[0].loc == LOC_MMX || d->op[1].loc == LOC_MMX) {
        mmx_enter();
    }
    if (d->op[0].loc == LOC_MMX) {
        mmx_written(d->op[0].reg);
    }
}

/* op0 = helper(op0, op1); also the MMX<->XMM conversions. */
void gen_mmx(DisasContext *s, X86Insn *d);
void gen_mmx(DisasContext *s, X86Insn *d)
{
    intptr_t so = mmx_opnd_off(s, d, 1);
    intptr_t dof = mmx_opnd_off(s, d, 0);

    tcg_gen_call2(d->e->helper, NULL, env_ptr(dof), env_ptr(so));
    mmx_finish(d);
}

void gen_mmx_imm(DisasContext *s, X86Insn *d);
void gen_mmx_imm(DisasContext *s, X86Insn *d)
{
    intptr_t so = mmx_opnd_off(s, d, 1);

    tcg_gen_call3(d->e->helper, NULL, env_ptr(MMX_OFF(d->op[0].reg)),
                  env_ptr(so), tcg_constant(d->op[2].imm & 0xff));
    mmx_finish(d);
}

void gen_mmx_shift_imm(DisasContext *s, X86Insn *d);
void gen_mmx_shift_imm(DisasContext *s, X86Insn *d)
{
    tcg_gen_call2(d->e->helper, NULL, env_ptr(MMX_OFF(d->op[0].reg)),
                  tcg_constant(d->op[1].imm & 0xff));
    mmx_finish(d);
}

/* PAND/PANDN/POR/PXOR inline (arg: 0 and, 1 andn, 2 or, 3 xor). */
void gen_mmx_logic(DisasContext *s, X86Insn *d);
void gen_mmx_logic(DisasContext *s, X86Insn *d)
{
    intptr_t so = mmx_opnd_off(s, d, 1);
    intptr_t dof = MMX_OFF(d->op[0].reg);
    TCGv a = tcg_temp_new(), b = tcg_temp_new();

    tcg_gen_ld_i64(a, env(), dof);
    tcg_gen_ld_i64(b, env(), so);
    switch (d->e->arg) {
    case 0: tcg_gen_and_i64(a, a, b); break;
    case 1: tcg_gen_andc_i64(a, b, a); break;
    case 2: tcg_gen_or_i64(a, a, b); break;
    default: tcg_gen_xor_i64(a, a, b); break;
    }
    tcg_gen_st_i64(a, env(), dof);
    mmx_finish(d);
}

/* MOVQ mm, mm/m64; MOVQ mm/m64, mm; MOVNTQ; MOVDQ2Q; MOVQ2DQ. */
void gen_mmx_movq(DisasContext *s, X86Insn *d);
void gen_mmx_movq(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    if (d->op[1].loc == LOC_MEM) {
        gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_64);
    } else {
        tcg_gen_ld_i64(v, env(), mmx_opnd_off(s, d, 1));
    }
    if (d->op[0].loc == LOC_MEM) {
        gen_qemu_st(s, v, gen_lea_addr(s, d), MO_64);
    } else {
        intptr_t dof = mmx_opnd_off(s, d, 0);
        tcg_gen_st_i64(v, env(), dof);
        if (d->op[0].loc == LOC_XMM) {
            tcg_gen_st_i64(tcg_constant(0), env(), dof + 8);
        }
    }
    mmx_finish(d);
}

/* MOVD/MOVQ mm, r/m32/64: zero-extend into the register. */
void gen_mmx_movd_to(DisasContext *s, X86Insn *d);
void gen_mmx_movd_to(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    gen_ext_size(v, gen_ld_op(s, d, 1), d->op[1].ot, false);
    tcg_gen_st_i64(v, env(), MMX_OFF(d->op[0].reg));
    mmx_finish(d);
}

void gen_mmx_movd_from(DisasContext *s, X86Insn *d);
void gen_mmx_movd_from(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld(d->op[0].ot, v, env(), MMX_OFF(d->op[1].reg));
    gen_st_op(s, d, 0, v);
    mmx_finish(d);
}

void gen_emms(DisasContext *s, X86Insn *d);
void gen_emms(DisasContext *s, X86Insn *d)
{
    tcg_gen_st_i64(tcg_constant(0x0101010101010101ull), env(),
                   offsetof(CPUX86State, fptags));
}

void gen_mmx_pinsrw(DisasContext *s, X86Insn *d);
void gen_mmx_pinsrw(DisasContext *s, X86Insn *d)
{
    TCGv v;

    if (d->op[1].loc == LOC_MEM) {
        v = tcg_temp_new();
        gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_16);
    } else {
        v = cpu_regs[d->op[1].reg];
    }
    tcg_gen_st(MO_16, v, env(),
               MMX_OFF(d->op[0].reg) + 2 * (d->op[2].imm & 3));
    mmx_finish(d);
}

void gen_mmx_pextrw(DisasContext *s, X86Insn *d);
void gen_mmx_pextrw(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld(MO_16, v, env(),
               MMX_OFF(d->op[1].reg) + 2 * (d->op[2].imm & 3));
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, v);
    mmx_finish(d);
}

void gen_mmx_pmovmskb(DisasContext *s, X86Insn *d);
void gen_mmx_pmovmskb(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    tcg_gen_call1(&hinfo_pmovmskb_mmx, r, env_ptr(MMX_OFF(d->op[1].reg)));
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, r);
    mmx_finish(d);
}

void gen_maskmovq(DisasContext *s, X86Insn *d);
void gen_maskmovq(DisasContext *s, X86Insn *d)
{
    TCGv a = tcg_temp_new();

    gen_ext_size(a, cpu_regs[R_EDI], s->aflag, false);
    a = gen_seg_addr(s, a, s->override, R_DS);
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call4(&hinfo_maskmovq, NULL, tcg_ctx->env,
                  env_ptr(MMX_OFF(d->op[0].reg)),
                  env_ptr(MMX_OFF(d->op[1].reg)), a);
    mmx_finish(d);
}
