/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emitters for SSE through SSE4.2 (legacy encodings). Moves and bitwise
 * logic are inline IR on 64-bit halves; everything else calls a helper
 * with pointers to the destination register and to the source (a
 * register, or the memory operand copied to env->xmm_t0).
 *
 * Legacy SSE packed operations fault on a misaligned 16-byte memory
 * operand (SDM vol. 1, 10.4.1.1); the first 8-byte load carries the
 * 16-byte alignment requirement.
 */
#include "ember/osdep.h"
#include "translate.h"

#define XMM_OFF(r) offsetof(CPUX86State, xmm[r])
#define XMM_Q(r, i) (XMM_OFF(r) + 8 * (i))
#define T0_OFF offsetof(CPUX86State, xmm_t0)

static TCGv env(void)
{
    return tcg_ctx->env;
}

/* Offset in env of operand i's register, or of xmm_t0 after loading a
 * memory operand of op->ot bytes into it. */
static intptr_t sse_src_off(DisasContext *s, X86Insn *d, int i, bool align)
{
    X86Op *op = &d->op[i];
    TCGv a, v;

    if (op->loc == LOC_XMM) {
        return XMM_OFF(op->reg);
    }
    a = gen_lea_addr(s, d);
    v = tcg_temp_new();
    if (op->ot == MO_128) {
        TCGv a8 = tcg_temp_new();
        gen_qemu_ld(s, v, a, MO_64 | (align ? MO_ALIGN_16 : 0));
        tcg_gen_st_i64(v, env(), T0_OFF);
        tcg_gen_addi_i64(a8, a, 8);
        gen_qemu_ld(s, v, a8, MO_64);
        tcg_gen_st_i64(v, env(), T0_OFF + 8);
    } else {
        gen_qemu_ld(s, v, a, op->ot);
        tcg_gen_st_i64(v, env(), T0_OFF);
    }
    return T0_OFF;
}

static bool need_align(X86Insn *d, int i, bool unaligned)
{
    return !unaligned && d->op[i].ot == MO_128 && d->op[i].loc == LOC_MEM;
}

/* ---- Same-ISA replay --------------------------------------------------- */

static uint32_t host_features[FEATURE_WORDS];

static void read_host_features(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    uint32_t a, b, c, d;

    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0),
                 "c"(0));
    if (a >= 7) {
        asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(7), "c"(0));
        host_features[FEAT_7_0_EBX] = b;
        host_features[FEAT_7_0_ECX] = c;
    }
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1),
                 "c"(0));
    host_features[FEAT_1_ECX] = c;
    host_features[FEAT_1_EDX] = d;
#endif
}

/*
 * Can the host run this instruction for the guest? With a back end that
 * emits x86-64 code, an SSE instruction whose operands are all vector
 * registers (a memory source goes through env->xmm_t0 first) is its own
 * best implementation, given the host has the extension.
 */
static bool can_replay(X86Insn *d)
{
    static bool init;
    const X86OpEntry *e = d->e;

    if (!tcg_can_replay_x86()) {
        return false;
    }
    if (!init) {
        read_host_features();
        init = true;
    }
    return !e->feat_bit || (host_features[e->feat_word] & e->feat_bit);
}

static uint32_t replay_enc(const X86OpEntry *e)
{
    int p = e->prefix == PFX_66 ? 1 : e->prefix == PFX_F3 ? 2 :
            e->prefix == PFX_F2 ? 3 : 0;

    return e->opcode | TCG_X86_VEC_MAP(e->map) | TCG_X86_VEC_PFX(p);
}

void gen_sse(DisasContext *s, X86Insn *d);
void gen_sse(DisasContext *s, X86Insn *d)
{
    intptr_t so = sse_src_off(s, d, 1, need_align(d, 1, d->e->arg & 1));

    if (can_replay(d)) {
        tcg_gen_x86_vec(replay_enc(d->e), XMM_OFF(d->op[0].reg), so);
        return;
    }
    tcg_gen_call2(d->e->helper, NULL, env_ptr(XMM_OFF(d->op[0].reg)),
                  env_ptr(so));
}

void gen_sse_imm(DisasContext *s, X86Insn *d);
void gen_sse_imm(DisasContext *s, X86Insn *d)
{
    intptr_t so = sse_src_off(s, d, 1, need_align(d, 1, d->e->arg & 1));

    if (can_replay(d)) {
        tcg_gen_x86_vec(replay_enc(d->e) | TCG_X86_VEC_IMM(d->op[2].imm),
                        XMM_OFF(d->op[0].reg), so);
        return;
    }
    tcg_gen_call3(d->e->helper, NULL, env_ptr(XMM_OFF(d->op[0].reg)),
                  env_ptr(so), tcg_constant(d->op[2].imm & 0xff));
}

void gen_sse_shift_imm(DisasContext *s, X86Insn *d);
void gen_sse_shift_imm(DisasContext *s, X86Insn *d)
{
    if (can_replay(d)) {
        intptr_t o = XMM_OFF(d->op[0].reg);
        tcg_gen_x86_vec(replay_enc(d->e) | TCG_X86_VEC_GROUP(d->e->reg) |
                        TCG_X86_VEC_IMM(d->op[1].imm), o, o);
        return;
    }
    tcg_gen_call2(d->e->helper, NULL, env_ptr(XMM_OFF(d->op[0].reg)),
                  tcg_constant(d->op[1].imm & 0xff));
}

void gen_blendv(DisasContext *s, X86Insn *d);
void gen_blendv(DisasContext *s, X86Insn *d)
{
    intptr_t so = sse_src_off(s, d, 1, need_align(d, 1, false));

    tcg_gen_call3(d->e->helper, NULL, env_ptr(XMM_OFF(d->op[0].reg)),
                  env_ptr(so), env_ptr(XMM_OFF(0)));
}

/* ---- Moves ------------------------------------------------------------- */

/* 16-byte moves: MOVAPS/MOVUPS/MOVDQA/MOVDQU/LDDQU/MOVNT*. */
void gen_movx(DisasContext *s, X86Insn *d);
void gen_movx(DisasContext *s, X86Insn *d)
{
    bool align = d->e->arg;
    TCGv v = tcg_temp_new(), w = tcg_temp_new();

    if (d->op[0].loc == LOC_XMM && d->op[1].loc == LOC_XMM &&
        can_replay(d)) {
        int dr = d->op[0].reg, sr = d->op[1].reg;
        if (dr != sr) {
            /* movdqa xmm, xmm (the same for every form) */
            tcg_gen_x86_vec(0x6f | TCG_X86_VEC_MAP(1) | TCG_X86_VEC_PFX(1) |
                            TCG_X86_VEC_WRITE_ONLY, XMM_OFF(dr), XMM_OFF(sr));
        }
    } else if (d->op[0].loc == LOC_XMM && d->op[1].loc == LOC_XMM) {
        int dr = d->op[0].reg, sr = d->op[1].reg;
        if (dr != sr) {
            tcg_gen_ld_i64(v, env(), XMM_Q(sr, 0));
            tcg_gen_ld_i64(w, env(), XMM_Q(sr, 1));
            tcg_gen_st_i64(v, env(), XMM_Q(dr, 0));
            tcg_gen_st_i64(w, env(), XMM_Q(dr, 1));
        }
    } else if (d->op[0].loc == LOC_XMM) {
        TCGv a = gen_lea_addr(s, d), a8 = tcg_temp_new();
        int dr = d->op[0].reg;
        gen_qemu_ld(s, v, a, MO_64 | (align ? MO_ALIGN_16 : 0));
        tcg_gen_addi_i64(a8, a, 8);
        gen_qemu_ld(s, w, a8, MO_64);
        tcg_gen_st_i64(v, env(), XMM_Q(dr, 0));
        tcg_gen_st_i64(w, env(), XMM_Q(dr, 1));
    } else {
        TCGv a = gen_lea_addr(s, d), a8 = tcg_temp_new();
        int sr = d->op[1].reg;
        tcg_gen_ld_i64(v, env(), XMM_Q(sr, 0));
        tcg_gen_ld_i64(w, env(), XMM_Q(sr, 1));
        gen_qemu_st(s, v, a, MO_64 | (align ? MO_ALIGN_16 : 0));
        tcg_gen_addi_i64(a8, a, 8);
        gen_qemu_st(s, w, a8, MO_64);
    }
}

/* MOVSS/MOVSD loads: from memory zero the rest, from a register merge. */
void gen_movscalar(DisasContext *s, X86Insn *d);
void gen_movscalar(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->op[1].ot;
    int dr = d->op[0].reg;
    TCGv v = tcg_temp_new();

    if (d->op[1].loc == LOC_MEM) {
        gen_qemu_ld(s, v, gen_lea_addr(s, d), ot);
        tcg_gen_st_i64(v, env(), XMM_Q(dr, 0));
        tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(dr, 1));
    } else {
        tcg_gen_ld(ot, v, env(), XMM_OFF(d->op[1].reg));
        tcg_gen_st(ot, v, env(), XMM_OFF(dr));
    }
}

void gen_movscalar_st(DisasContext *s, X86Insn *d);
void gen_movscalar_st(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->op[0].ot;
    TCGv v = tcg_temp_new();

    tcg_gen_ld(ot, v, env(), XMM_OFF(d->op[1].reg));
    if (d->op[0].loc == LOC_MEM) {
        gen_qemu_st(s, v, gen_lea_addr(s, d), ot);
    } else {
        tcg_gen_st(ot, v, env(), XMM_OFF(d->op[0].reg));
    }
}

/* MOVLPS/MOVHPS/MOVLPD/MOVHPD loads (arg: which half). */
void gen_movlps(DisasContext *s, X86Insn *d);
void gen_movlps(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_64);
    tcg_gen_st_i64(v, env(), XMM_Q(d->op[0].reg, d->e->arg));
}

void gen_movlps_st(DisasContext *s, X86Insn *d);
void gen_movlps_st(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld_i64(v, env(), XMM_Q(d->op[1].reg, d->e->arg));
    gen_qemu_st(s, v, gen_lea_addr(s, d), MO_64);
}

void gen_movhlps(DisasContext *s, X86Insn *d);
void gen_movhlps(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld_i64(v, env(), XMM_Q(d->op[1].reg, 1));
    tcg_gen_st_i64(v, env(), XMM_Q(d->op[0].reg, 0));
}

void gen_movlhps(DisasContext *s, X86Insn *d);
void gen_movlhps(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld_i64(v, env(), XMM_Q(d->op[1].reg, 0));
    tcg_gen_st_i64(v, env(), XMM_Q(d->op[0].reg, 1));
}

/* MOVD/MOVQ xmm, r/m32/64: zero-extend into the register. */
void gen_movd_to(DisasContext *s, X86Insn *d);
void gen_movd_to(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();
    int dr = d->op[0].reg;

    gen_ext_size(v, gen_ld_op(s, d, 1), d->op[1].ot, false);
    if (can_replay(d)) {
        /* movq xmm, r64 of the zero-extended value */
        tcg_gen_x86_vec_in(0x6e | TCG_X86_VEC_MAP(1) | TCG_X86_VEC_PFX(1) |
                           TCG_X86_VEC_REXW | TCG_X86_VEC_WRITE_ONLY, v,
                           XMM_OFF(dr));
        return;
    }
    tcg_gen_st_i64(v, env(), XMM_Q(dr, 0));
    tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(dr, 1));
}

void gen_movd_from(DisasContext *s, X86Insn *d);
void gen_movd_from(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    if (can_replay(d)) {
        tcg_gen_x86_vec_out(0x7e | TCG_X86_VEC_MAP(1) | TCG_X86_VEC_PFX(1) |
                            TCG_X86_VEC_GPR_RM |
                            (d->op[0].ot == MO_64 ? TCG_X86_VEC_REXW : 0),
                            v, XMM_OFF(d->op[1].reg), 0);
    } else {
        tcg_gen_ld(d->op[0].ot, v, env(), XMM_OFF(d->op[1].reg));
    }
    gen_st_op(s, d, 0, v);
}

void gen_movq_load(DisasContext *s, X86Insn *d);
void gen_movq_load(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();
    int dr = d->op[0].reg;

    if (d->op[1].loc == LOC_MEM) {
        gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_64);
    } else {
        tcg_gen_ld_i64(v, env(), XMM_Q(d->op[1].reg, 0));
    }
    tcg_gen_st_i64(v, env(), XMM_Q(dr, 0));
    tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(dr, 1));
}

void gen_movq_st(DisasContext *s, X86Insn *d);
void gen_movq_st(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld_i64(v, env(), XMM_Q(d->op[1].reg, 0));
    if (d->op[0].loc == LOC_MEM) {
        gen_qemu_st(s, v, gen_lea_addr(s, d), MO_64);
    } else {
        tcg_gen_st_i64(v, env(), XMM_Q(d->op[0].reg, 0));
        tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(d->op[0].reg, 1));
    }
}

/* PAND/PANDN/POR/PXOR and the PS/PD forms, inline on two halves. */
void gen_plogic(DisasContext *s, X86Insn *d);
void gen_plogic(DisasContext *s, X86Insn *d)
{
    int op = d->e->arg;
    int dr = d->op[0].reg;
    intptr_t so;

    if (can_replay(d)) {
        /* pand/pandn/por/pxor; zeroing with pxor x, x reads nothing. */
        static const uint8_t opc[4] = { 0xdb, 0xdf, 0xeb, 0xef };
        bool zero = (op == 1 || op == 3) && d->op[1].loc == LOC_XMM &&
                    d->op[1].reg == dr;
        so = sse_src_off(s, d, 1, need_align(d, 1, false));
        tcg_gen_x86_vec(opc[op] | TCG_X86_VEC_MAP(1) | TCG_X86_VEC_PFX(1) |
                        (zero ? TCG_X86_VEC_WRITE_ONLY : 0), XMM_OFF(dr), so);
        return;
    }
    if (d->op[1].loc == LOC_XMM && d->op[1].reg == dr) {
        if (op == 1 || op == 3) {       /* x & ~x, x ^ x */
            tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(dr, 0));
            tcg_gen_st_i64(tcg_constant(0), env(), XMM_Q(dr, 1));
        }
        return;
    }
    so = sse_src_off(s, d, 1, need_align(d, 1, false));
    for (int i = 0; i < 2; i++) {
        TCGv a = tcg_temp_new(), b = tcg_temp_new();
        tcg_gen_ld_i64(a, env(), XMM_Q(dr, i));
        tcg_gen_ld_i64(b, env(), so + 8 * i);
        switch (op) {
        case 0: tcg_gen_and_i64(a, a, b); break;
        case 1: tcg_gen_andc_i64(a, b, a); break;
        case 2: tcg_gen_or_i64(a, a, b); break;
        default: tcg_gen_xor_i64(a, a, b); break;
        }
        tcg_gen_st_i64(a, env(), XMM_Q(dr, i));
    }
}

/* ---- Conversions, compares, masks -------------------------------------- */

void gen_cvtsi2s(DisasContext *s, X86Insn *d);
void gen_cvtsi2s(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    if (can_replay(d)) {
        tcg_gen_x86_vec_in(0x2a | TCG_X86_VEC_MAP(1) |
                           TCG_X86_VEC_PFX(d->e->arg ? 3 : 2) |
                           (d->op[1].ot == MO_64 ? TCG_X86_VEC_REXW : 0),
                           gen_ld_op(s, d, 1), XMM_OFF(d->op[0].reg));
        return;
    }
    gen_ext_size(v, gen_ld_op(s, d, 1), d->op[1].ot, true);
    tcg_gen_call2(d->e->arg ? &hinfo_cvtsi2sd : &hinfo_cvtsi2ss, NULL,
                  env_ptr(XMM_OFF(d->op[0].reg)), v);
}

void gen_cvts2si(DisasContext *s, X86Insn *d);
void gen_cvts2si(DisasContext *s, X86Insn *d)
{
    static const TCGHelperInfo *const h[4] = {
        &hinfo_cvtss2si, &hinfo_cvtsd2si, &hinfo_cvttss2si,
        &hinfo_cvttsd2si,
    };
    intptr_t so = sse_src_off(s, d, 1, false);
    TCGv v = tcg_temp_new(), r = tcg_temp_new();

    if (can_replay(d)) {
        int k = d->e->arg;
        tcg_gen_x86_vec_out((k & 2 ? 0x2c : 0x2d) | TCG_X86_VEC_MAP(1) |
                            TCG_X86_VEC_PFX(k & 1 ? 3 : 2) |
                            (d->op[0].ot == MO_64 ? TCG_X86_VEC_REXW : 0),
                            r, so, 0);
        gen_st_op(s, d, 0, r);
        return;
    }
    tcg_gen_ld_i64(v, env(), so);
    tcg_gen_call2(h[d->e->arg], r, v, tcg_constant(d->op[0].ot == MO_64));
    gen_st_op(s, d, 0, r);
}

void gen_comis(DisasContext *s, X86Insn *d);
void gen_comis(DisasContext *s, X86Insn *d)
{
    static const TCGHelperInfo *const h[4] = {
        &hinfo_comiss, &hinfo_comisd, &hinfo_ucomiss, &hinfo_ucomisd,
    };
    intptr_t so = sse_src_off(s, d, 1, false);
    TCGv a = tcg_temp_new(), b = tcg_temp_new();

    if (can_replay(d)) {
        int k = d->e->arg;
        tcg_gen_x86_vec_out((k & 2 ? 0x2e : 0x2f) | TCG_X86_VEC_MAP(1) |
                            TCG_X86_VEC_PFX(k & 1 ? 1 : 0) |
                            TCG_X86_VEC_EFLAGS, cpu_cc_src,
                            XMM_OFF(d->op[0].reg), so);
        set_cc_op(s, CC_OP_EFLAGS);
        return;
    }
    tcg_gen_ld_i64(a, env(), XMM_OFF(d->op[0].reg));
    tcg_gen_ld_i64(b, env(), so);
    tcg_gen_call2(h[d->e->arg], cpu_cc_src, a, b);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_movmsk(DisasContext *s, X86Insn *d);
void gen_movmsk(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    if (can_replay(d)) {
        tcg_gen_x86_vec_out(0x50 | TCG_X86_VEC_MAP(1) |
                            TCG_X86_VEC_PFX(d->e->arg ? 1 : 0), r,
                            XMM_OFF(d->op[1].reg), 0);
    } else {
        tcg_gen_call1(d->e->arg ? &hinfo_movmskpd : &hinfo_movmskps, r,
                      env_ptr(XMM_OFF(d->op[1].reg)));
    }
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, r);
}

void gen_pmovmskb(DisasContext *s, X86Insn *d);
void gen_pmovmskb(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    if (can_replay(d)) {
        tcg_gen_x86_vec_out(0xd7 | TCG_X86_VEC_MAP(1) | TCG_X86_VEC_PFX(1), r,
                            XMM_OFF(d->op[1].reg), 0);
    } else {
        tcg_gen_call1(&hinfo_pmovmskb, r, env_ptr(XMM_OFF(d->op[1].reg)));
    }
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, r);
}

void gen_ptest(DisasContext *s, X86Insn *d);
void gen_ptest(DisasContext *s, X86Insn *d)
{
    intptr_t so = sse_src_off(s, d, 1, need_align(d, 1, false));

    if (can_replay(d)) {
        tcg_gen_x86_vec_out(0x17 | TCG_X86_VEC_MAP(2) | TCG_X86_VEC_PFX(1) |
                            TCG_X86_VEC_EFLAGS, cpu_cc_src,
                            XMM_OFF(d->op[0].reg), so);
        set_cc_op(s, CC_OP_EFLAGS);
        return;
    }
    tcg_gen_call2(&hinfo_ptest, cpu_cc_src, env_ptr(XMM_OFF(d->op[0].reg)),
                  env_ptr(so));
    set_cc_op(s, CC_OP_EFLAGS);
}

/* ---- Element insert/extract -------------------------------------------- */

void gen_pextrw(DisasContext *s, X86Insn *d);
void gen_pextrw(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_ld(MO_16, v, env(),
               XMM_OFF(d->op[1].reg) + 2 * (d->op[2].imm & 7));
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, v);
}

/* PEXTRB/W/D/Q, EXTRACTPS (arg: 0 byte, 1 word, 2 dword/qword, 4 ps). */
void gen_pextr(DisasContext *s, X86Insn *d);
void gen_pextr(DisasContext *s, X86Insn *d)
{
    int kind = d->e->arg;
    MemOp ot = kind == 0 ? MO_8 : kind == 1 ? MO_16 :
               kind == 4 ? MO_32 : (s->rex_w ? MO_64 : MO_32);
    int n = 16 >> ot;
    TCGv v = tcg_temp_new();

    tcg_gen_ld(ot, v, env(),
               XMM_OFF(d->op[1].reg) + (d->op[2].imm & (n - 1)) * (1 << ot));
    if (d->op[0].loc == LOC_MEM) {
        gen_qemu_st(s, v, gen_lea_addr(s, d), ot);
    } else {
        gen_st_reg(s, ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, v);
    }
}

/* PINSRB/W/D/Q (arg: 0 byte, 1 word, 2 dword/qword). */
void gen_pinsr(DisasContext *s, X86Insn *d);
void gen_pinsr(DisasContext *s, X86Insn *d)
{
    int kind = d->e->arg;
    MemOp ot = kind == 0 ? MO_8 : kind == 1 ? MO_16 :
               (s->rex_w ? MO_64 : MO_32);
    int n = 16 >> ot;
    TCGv v;

    if (d->op[1].loc == LOC_MEM) {
        v = tcg_temp_new();
        gen_qemu_ld(s, v, gen_lea_addr(s, d), ot);
    } else {
        v = cpu_regs[d->op[1].reg];
    }
    tcg_gen_st(ot, v, env(),
               XMM_OFF(d->op[0].reg) + (d->op[2].imm & (n - 1)) * (1 << ot));
}

void gen_insertps(DisasContext *s, X86Insn *d);
void gen_insertps(DisasContext *s, X86Insn *d)
{
    int imm = d->op[2].imm & 0xff;
    TCGv v = tcg_temp_new();

    if (d->op[1].loc == LOC_MEM) {
        gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_32);
    } else {
        tcg_gen_ld(MO_32, v, env(),
                   XMM_OFF(d->op[1].reg) + 4 * ((imm >> 6) & 3));
    }
    tcg_gen_call3(&hinfo_insertps, NULL, env_ptr(XMM_OFF(d->op[0].reg)), v,
                  tcg_constant(imm));
}

/* ---- SSE4.2 string compares and MASKMOVDQU ----------------------------- */

void gen_pcmpstr(DisasContext *s, X86Insn *d);
void gen_pcmpstr(DisasContext *s, X86Insn *d)
{
    intptr_t so = sse_src_off(s, d, 1, false);

    tcg_gen_call5(&hinfo_pcmpstr, NULL, tcg_ctx->env,
                  env_ptr(XMM_OFF(d->op[0].reg)), env_ptr(so),
                  tcg_constant(d->op[2].imm & 0xff),
                  tcg_constant(d->e->arg | (s->rex_w ? 4 : 0)));
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_maskmov(DisasContext *s, X86Insn *d);
void gen_maskmov(DisasContext *s, X86Insn *d)
{
    TCGv a = tcg_temp_new();

    gen_ext_size(a, cpu_regs[R_EDI], s->aflag, false);
    a = gen_seg_addr(s, a, s->override, R_DS);
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call4(&hinfo_maskmovdqu, NULL, tcg_ctx->env,
                  env_ptr(XMM_OFF(d->op[0].reg)),
                  env_ptr(XMM_OFF(d->op[1].reg)), a);
}
