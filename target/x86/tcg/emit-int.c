/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emitters for the integer instructions: arithmetic, logic, shifts,
 * multiplication and division, bit operations, moves and the stack.
 * Flag semantics per instruction follow the SDM vol. 2 "Flags Affected"
 * sections; see cc.h for how they are kept lazily.
 */
#include "ember/osdep.h"
#include "translate.h"

static void gen_set_flags(DisasContext *s, int op, TCGv dst, TCGv src)
{
    if (src && op >= CC_OP_MULB && op <= CC_OP_MULQ) {
        /* CF = OF = (src != 0), whatever bits the size keeps. */
        TCGv b = tcg_temp_new();
        tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_NE, b, src, tcg_constant(0));
        src = b;
    }
    if (dst) {
        tcg_gen_mov(cpu_cc_dst, dst);
    }
    if (src) {
        tcg_gen_mov(cpu_cc_src, src);
    }
    set_cc_op(s, op);
}

/* Compute (a op b) for the logic and additive ALU ops. */
static void gen_alu_op(int op, TCGType t, TCGv r, TCGv a, TCGv b, TCGv c)
{
    switch (op) {
    case ALU_ADD:
        tcg_gen_add(t, r, a, b);
        break;
    case ALU_ADC:
        tcg_gen_add(t, r, a, b);
        tcg_gen_add(t, r, r, c);
        break;
    case ALU_SUB:
    case ALU_CMP:
        tcg_gen_sub(t, r, a, b);
        break;
    case ALU_SBB:
        tcg_gen_sub(t, r, a, b);
        tcg_gen_sub(t, r, r, c);
        break;
    case ALU_AND:
        tcg_gen_and(t, r, a, b);
        break;
    case ALU_OR:
        tcg_gen_or(t, r, a, b);
        break;
    case ALU_XOR:
        tcg_gen_xor(t, r, a, b);
        break;
    }
}

static void gen_alu_flags(DisasContext *s, int op, MemOp ot, TCGv a, TCGv b,
                          TCGv c, TCGv r)
{
    switch (op) {
    case ALU_ADD:
        gen_set_flags(s, CC_OP_ADDB + ot, r, b);
        break;
    case ALU_ADC:
        tcg_gen_mov(cpu_cc_src2, c);
        gen_set_flags(s, CC_OP_ADCB + ot, r, b);
        break;
    case ALU_SBB:
        tcg_gen_mov(cpu_cc_src2, c);
        gen_set_flags(s, CC_OP_SBBB + ot, r, b);
        break;
    case ALU_SUB:
    case ALU_CMP:
        tcg_gen_mov(s->cc_srcT, a);
        gen_set_flags(s, CC_OP_SUBB + ot, r, b);
        break;
    default:
        gen_set_flags(s, CC_OP_LOGICB + ot, r, NULL);
        break;
    }
}

/* A read-modify-write of memory with LOCK: compare-and-swap loop.
 * fn computes the new value from old (in a TB temp). */
typedef void (*RmwFn)(DisasContext *s, TCGType t, TCGv r, TCGv old,
                      void *opaque);

static TCGv gen_rmw_locked(DisasContext *s, X86Insn *d, MemOp ot, RmwFn fn,
                           void *opaque, TCGv *newv)
{
    TCGv addr = tcg_temp_new_tb();
    TCGv old = tcg_temp_new_tb();
    TCGv r = tcg_temp_new_tb();
    TCGv prev = tcg_temp_new();
    int retry = tcg_new_label();

    tcg_gen_mov(addr, gen_lea_addr(s, d));
    gen_update_cc_op(s);
    tcg_gen_set_label(retry);
    gen_qemu_ld(s, old, addr, ot);
    fn(s, ot_type(ot), r, old, opaque);
    tcg_gen_atomic_cmpxchg(prev, addr, old, r,
                           make_memop_idx(ot, s->mem_index));
    tcg_gen_brcond(TCG_TYPE_I64, TCG_COND_NE, prev, old, retry);
    *newv = r;
    return old;
}

typedef struct AluRmw {
    int op;
    TCGv b, c;
} AluRmw;

static void alu_rmw(DisasContext *s, TCGType t, TCGv r, TCGv old,
                    void *opaque)
{
    AluRmw *a = opaque;
    gen_alu_op(a->op, t, r, old, a->b, a->c);
}

void gen_alu(DisasContext *s, X86Insn *d);
void gen_alu(DisasContext *s, X86Insn *d)
{
    int op = d->e->arg;
    MemOp ot = d->ot;
    TCGType t = ot_type(ot);
    TCGv a, b, c = NULL, r;

    if ((op == ALU_XOR || op == ALU_SUB) && d->op[0].loc == LOC_REG &&
        d->op[1].loc == LOC_REG && d->op[0].reg == d->op[1].reg &&
        d->op[0].high8 == d->op[1].high8) {
        /* The zeroing idiom: known result and flags. */
        gen_st_op(s, d, 0, tcg_constant(0));
        set_cc_op(s, CC_OP_CLR);
        return;
    }
    b = gen_ld_op(s, d, 1);
    if (op == ALU_ADC || op == ALU_SBB) {
        c = gen_compute_cf(s);
    }
    if (s->prefix & PREFIX_LOCK) {
        if (op == ALU_ADD || op == ALU_SUB) {
            TCGv old = tcg_temp_new();
            TCGv nb = b;
            if (op == ALU_SUB) {
                nb = tcg_temp_new();
                tcg_gen_neg_i64(nb, b);
            }
            tcg_gen_atomic_xadd(old, gen_lea_addr(s, d), nb,
                                make_memop_idx(ot, s->mem_index));
            r = tcg_temp_new();
            gen_alu_op(op, t, r, old, b, NULL);
            gen_alu_flags(s, op, ot, old, b, NULL, r);
        } else {
            AluRmw rm = { op, tcg_temp_new_tb(), NULL };
            TCGv old;
            tcg_gen_mov(rm.b, b);
            if (c) {
                rm.c = tcg_temp_new_tb();
                tcg_gen_mov(rm.c, c);
            }
            old = gen_rmw_locked(s, d, ot, alu_rmw, &rm, &r);
            gen_alu_flags(s, op, ot, old, rm.b, rm.c, r);
        }
        return;
    }
    a = gen_ld_op(s, d, 0);
    r = tcg_temp_new();
    gen_alu_op(op, t, r, a, b, c);
    if (op != ALU_CMP) {
        gen_st_op(s, d, 0, r);
    }
    gen_alu_flags(s, op, ot, a, b, c, r);
}

void gen_test(DisasContext *s, X86Insn *d);
void gen_test(DisasContext *s, X86Insn *d)
{
    TCGv a = gen_ld_op(s, d, 0), b = gen_ld_op(s, d, 1);
    TCGv r = tcg_temp_new();

    tcg_gen_and(ot_type(d->ot), r, a, b);
    gen_set_flags(s, CC_OP_LOGICB + d->ot, r, NULL);
}

static void not_rmw(DisasContext *s, TCGType t, TCGv r, TCGv old, void *o)
{
    tcg_gen_not_i64(r, old);
}

static void neg_rmw(DisasContext *s, TCGType t, TCGv r, TCGv old, void *o)
{
    tcg_gen_neg_i64(r, old);
}

void gen_not(DisasContext *s, X86Insn *d);
void gen_not(DisasContext *s, X86Insn *d)
{
    TCGv r;

    if (s->prefix & PREFIX_LOCK) {
        gen_rmw_locked(s, d, d->ot, not_rmw, NULL, &r);
        return;
    }
    r = tcg_temp_new();
    tcg_gen_not_i64(r, gen_ld_op(s, d, 0));
    gen_st_op(s, d, 0, r);
}

void gen_neg(DisasContext *s, X86Insn *d);
void gen_neg(DisasContext *s, X86Insn *d)
{
    TCGv a, r;

    if (s->prefix & PREFIX_LOCK) {
        a = gen_rmw_locked(s, d, d->ot, neg_rmw, NULL, &r);
    } else {
        a = gen_ld_op(s, d, 0);
        r = tcg_temp_new();
        tcg_gen_neg(ot_type(d->ot), r, a);
        gen_st_op(s, d, 0, r);
    }
    /* Flags of 0 - a. */
    tcg_gen_movi(s->cc_srcT, 0);
    gen_set_flags(s, CC_OP_SUBB + d->ot, r, a);
}

void gen_incdec(DisasContext *s, X86Insn *d);
void gen_incdec(DisasContext *s, X86Insn *d)
{
    bool dec = d->e->arg;
    MemOp ot = d->ot;
    /* INC/DEC keep CF; often nothing reads it before it is replaced. */
    TCGv cf = x86_flags_dead_after(s, s->pc, CC_C) ? tcg_constant(0)
                                                   : gen_compute_cf(s);
    TCGv a, r = tcg_temp_new();

    if (s->prefix & PREFIX_LOCK) {
        a = tcg_temp_new();
        tcg_gen_atomic_xadd(a, gen_lea_addr(s, d), tcg_constant(dec ? -1 : 1),
                            make_memop_idx(ot, s->mem_index));
        tcg_gen_addi_i64(r, a, dec ? -1 : 1);
    } else {
        a = gen_ld_op(s, d, 0);
        tcg_gen_add(ot_type(ot), r, a, tcg_constant(dec ? -1 : 1));
        gen_st_op(s, d, 0, r);
    }
    gen_set_flags(s, (dec ? CC_OP_DECB : CC_OP_INCB) + ot, r, cf);
}

/* ---- Multiplication and division --------------------------------------- */

void gen_mul1(DisasContext *s, X86Insn *d);
void gen_mul1(DisasContext *s, X86Insn *d)
{
    bool sign = d->e->arg;
    MemOp ot = d->ot;
    TCGv src = gen_ld_op(s, d, 0);
    TCGv a = tcg_temp_new(), b = tcg_temp_new();
    TCGv lo = tcg_temp_new(), hi = tcg_temp_new();

    switch (ot) {
    case MO_8:
    case MO_16:
    case MO_32:
        gen_ext_size(a, cpu_regs[R_EAX], ot, sign);
        gen_ext_size(b, src, ot, sign);
        tcg_gen_mul_i64(lo, a, b);
        if (ot == MO_8) {
            /* AX = AL * src */
            gen_st_reg(s, MO_16, R_EAX, lo);
            if (sign) {
                tcg_gen_ext8s(hi, lo);
                tcg_gen_sub_i64(hi, lo, hi);
            } else {
                tcg_gen_shri_i64(hi, lo, 8);
            }
            gen_set_flags(s, CC_OP_MULB, lo, hi);
            return;
        }
        tcg_gen_shri_i64(hi, lo, 8 << ot);
        gen_st_reg(s, ot, R_EAX, lo);
        gen_st_reg(s, ot, R_EDX, hi);
        if (sign) {
            TCGv t = tcg_temp_new();
            gen_ext_size(t, lo, ot, true);
            tcg_gen_sub_i64(hi, lo, t);
        }
        gen_set_flags(s, CC_OP_MULB + ot, lo, hi);
        return;
    default:
        if (sign) {
            tcg_gen_muls2(TCG_TYPE_I64, lo, hi, cpu_regs[R_EAX], src);
        } else {
            tcg_gen_mulu2(TCG_TYPE_I64, lo, hi, cpu_regs[R_EAX], src);
        }
        tcg_gen_mov(cpu_regs[R_EAX], lo);
        tcg_gen_mov(cpu_regs[R_EDX], hi);
        if (sign) {
            TCGv t = tcg_temp_new();
            tcg_gen_sari_i64(t, lo, 63);
            tcg_gen_sub_i64(hi, hi, t);
        }
        gen_set_flags(s, CC_OP_MULQ, lo, hi);
        return;
    }
}

/* IMUL with two or three operands. */
void gen_imul3(DisasContext *s, X86Insn *d);
void gen_imul3(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv a, b, lo = tcg_temp_new(), hi = tcg_temp_new();

    if (d->op[2].loc == LOC_NONE) {
        a = gen_ld_op(s, d, 0);
        b = gen_ld_op(s, d, 1);
    } else {
        a = gen_ld_op(s, d, 1);
        b = gen_ld_op(s, d, 2);
    }
    if (ot == MO_64) {
        tcg_gen_muls2(TCG_TYPE_I64, lo, hi, a, b);
        tcg_gen_sari_i64(a = tcg_temp_new(), lo, 63);
        tcg_gen_sub_i64(hi, hi, a);
    } else {
        TCGv x = tcg_temp_new(), y = tcg_temp_new();
        gen_ext_size(x, a, ot, true);
        gen_ext_size(y, b, ot, true);
        tcg_gen_mul_i64(lo, x, y);
        gen_ext_size(x, lo, ot, true);
        tcg_gen_sub_i64(hi, lo, x);
    }
    gen_st_op(s, d, 0, lo);
    gen_set_flags(s, CC_OP_MULB + ot, lo, hi);
}

void gen_div(DisasContext *s, X86Insn *d);
void gen_div(DisasContext *s, X86Insn *d)
{
    static const TCGHelperInfo *const h[2][4] = {
        { &hinfo_divb, &hinfo_divw, &hinfo_divl, &hinfo_divq },
        { &hinfo_idivb, &hinfo_idivw, &hinfo_idivl, &hinfo_idivq },
    };
    TCGv src = gen_ld_op(s, d, 0);

    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call2(h[d->e->arg][d->ot], NULL, tcg_ctx->env, src);
}

void gen_cbw(DisasContext *s, X86Insn *d);
void gen_cbw(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();

    switch (s->dflag) {
    case MO_16: tcg_gen_ext8s(t, cpu_regs[R_EAX]); break;
    case MO_32: tcg_gen_ext16s(t, cpu_regs[R_EAX]); break;
    default: tcg_gen_ext32s(t, cpu_regs[R_EAX]); break;
    }
    gen_st_reg(s, s->dflag, R_EAX, t);
}

void gen_cwd(DisasContext *s, X86Insn *d);
void gen_cwd(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();
    int bits = 8 << s->dflag;

    gen_ext_size(t, cpu_regs[R_EAX], s->dflag, true);
    tcg_gen_sari_i64(t, t, bits - 1);
    gen_st_reg(s, s->dflag, R_EDX, t);
}

/* ---- Shifts and rotates ------------------------------------------------ */

/* Flags for a count only known at run time: keep the old ones when the
 * masked count is zero (SDM: "If the count is 0, the flags are not
 * affected"). */
static void gen_shift_flags_dyn(DisasContext *s, int op, TCGv cnt, TCGv dst,
                                TCGv src)
{
    TCGv z = tcg_constant(0);

    gen_update_cc_op(s);
    tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_cc_dst, cnt, z, dst,
                    cpu_cc_dst);
    tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_cc_src, cnt, z, src,
                    cpu_cc_src);
    tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_cc_op, cnt, z,
                    tcg_constant(op), cpu_cc_op);
    set_cc_op(s, CC_OP_DYNAMIC);
}

static void gen_shift_common(DisasContext *s, X86Insn *d, int op, TCGv val,
                             TCGv cnt, bool cnt_const, int64_t cval)
{
    MemOp ot = d->ot;
    int bits = 8 << ot;
    int mask = ot == MO_64 ? 63 : 31;
    TCGType t = ot_type(ot);
    TCGv r = tcg_temp_new(), v = tcg_temp_new(), src = tcg_temp_new();
    TCGv cm1 = tcg_temp_new();
    bool right = op == SH_SHR || op == SH_SAR;
    int cc = right ? CC_OP_SARB + ot : CC_OP_SHLB + ot;

    if (cnt_const) {
        cval &= mask;
        if (cval == 0) {
            if (ot == MO_32 && d->op[0].loc == LOC_REG) {
                gen_st_op(s, d, 0, val);    /* still zero-extends */
            }
            return;
        }
    }
    if (op == SH_SHR) {
        gen_ext_size(v, val, ot, false);
    } else if (op == SH_SAR) {
        gen_ext_size(v, val, ot, true);
    } else {
        v = val;
    }
    if (cnt_const) {
        cnt = tcg_constant(cval);
        tcg_gen_movi(cm1, cval - 1);
    } else {
        TCGv c = tcg_temp_new();
        tcg_gen_andi_i64(c, cnt, mask);
        cnt = c;
        tcg_gen_subi_i64(cm1, cnt, 1);
        tcg_gen_andi_i64(cm1, cm1, 63);
    }
    switch (op) {
    case SH_SHL:
    case SH_SAL:
        tcg_gen_shl_i64(r, v, cnt);
        tcg_gen_shl_i64(src, v, cm1);
        break;
    case SH_SHR:
        tcg_gen_shr_i64(r, v, cnt);
        tcg_gen_shr_i64(src, v, cm1);
        break;
    default:
        tcg_gen_sar_i64(r, v, cnt);
        tcg_gen_sar_i64(src, v, cm1);
        break;
    }
    if (t == TCG_TYPE_I32 && ot == MO_32) {
        tcg_gen_ext32u(r, r);
    }
    gen_st_op(s, d, 0, r);
    (void)bits;
    if (cnt_const) {
        gen_set_flags(s, cc, r, src);
    } else {
        gen_shift_flags_dyn(s, cc, cnt, r, src);
    }
}

/* ROL/ROR: only CF and OF change. */
static void gen_rotate(DisasContext *s, X86Insn *d, bool right, TCGv val,
                       TCGv cnt, bool cnt_const, int64_t cval)
{
    MemOp ot = d->ot;
    int bits = 8 << ot;
    int mask = ot == MO_64 ? 63 : 31;
    TCGv r = tcg_temp_new(), v = tcg_temp_new(), c = tcg_temp_new();
    TCGv fl, cf, of, t1;

    if (cnt_const) {
        cval &= mask;
        if (cval == 0) {
            if (ot == MO_32 && d->op[0].loc == LOC_REG) {
                gen_st_op(s, d, 0, val);
            }
            return;
        }
        tcg_gen_movi(c, cval);
    } else {
        tcg_gen_andi_i64(c, cnt, mask);
    }
    if (ot == MO_64) {
        if (right) {
            tcg_gen_rotr_i64(r, val, c);
        } else {
            tcg_gen_rotl_i64(r, val, c);
        }
    } else {
        /* Replicate a byte or word over 32 bits: a 32-bit rotate then
         * rotates within the operand. */
        if (ot == MO_8) {
            tcg_gen_ext8u(v, val);
            tcg_gen_muli_i64(v, v, 0x01010101);
        } else if (ot == MO_16) {
            tcg_gen_ext16u(v, val);
            tcg_gen_muli_i64(v, v, 0x00010001);
        } else {
            v = val;
        }
        if (right) {
            tcg_gen_rotr_i32(r, v, c);
        } else {
            tcg_gen_rotl_i32(r, v, c);
        }
    }
    gen_st_op(s, d, 0, r);

    /* CF: the bit rotated around; OF: defined for a count of 1. */
    fl = tcg_temp_new();
    cf = tcg_temp_new();
    of = tcg_temp_new();
    t1 = tcg_temp_new();
    if (!cnt_const) {
        gen_update_cc_op(s);
    }
    tcg_gen_mov(fl, gen_compute_eflags(s));
    tcg_gen_andi_i64(fl, fl, ~(uint64_t)(CC_C | CC_O));
    if (right) {
        tcg_gen_extract(cf, r, bits - 1, 1);
        tcg_gen_extract(t1, r, bits - 2, 1);
        tcg_gen_xor_i64(of, cf, t1);
    } else {
        tcg_gen_andi_i64(cf, r, 1);
        tcg_gen_extract(t1, r, bits - 1, 1);
        tcg_gen_xor_i64(of, cf, t1);
    }
    tcg_gen_shli_i64(of, of, 11);
    tcg_gen_or_i64(fl, fl, cf);
    tcg_gen_or_i64(fl, fl, of);
    if (cnt_const) {
        tcg_gen_mov(cpu_cc_src, fl);
    } else {
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_cc_src, c,
                        tcg_constant(0), fl, cpu_cc_src);
    }
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_shift(DisasContext *s, X86Insn *d);
void gen_shift(DisasContext *s, X86Insn *d)
{
    int op = (d->modrm >> 3) & 7;
    TCGv val = gen_ld_op(s, d, 0);
    bool cconst = d->op[1].loc == LOC_IMM;
    int64_t cval = d->op[1].imm;
    TCGv cnt = cconst ? NULL : cpu_regs[R_ECX];

    switch (op) {
    case SH_ROL:
    case SH_ROR:
        gen_rotate(s, d, op == SH_ROR, val, cnt, cconst, cval);
        break;
    case SH_RCL:
    case SH_RCR: {
        TCGv r = tcg_temp_new();
        TCGv c = cconst ? tcg_constant(cval) : cnt;
        gen_compute_eflags(s);
        gen_update_cc_op(s);
        tcg_gen_call5(op == SH_RCL ? &hinfo_rcl : &hinfo_rcr, r,
                      tcg_ctx->env, val, c, tcg_constant(d->ot),
                      tcg_constant(0));
        gen_st_op(s, d, 0, r);
        break;
    }
    default:
        gen_shift_common(s, d, op, val, cnt, cconst, cval);
        break;
    }
}

/* SHLD/SHRD (SDM vol. 2B): the bits shifted in come from the source. */
void gen_shld(DisasContext *s, X86Insn *d);
void gen_shld(DisasContext *s, X86Insn *d)
{
    bool right = d->e->arg;
    MemOp ot = d->ot;
    int mask = ot == MO_64 ? 63 : 31;
    TCGv a = gen_ld_op(s, d, 0), b = gen_ld_op(s, d, 1);
    bool cconst = d->op[2].loc == LOC_IMM;
    TCGv c = tcg_temp_new(), cm1 = tcg_temp_new();
    TCGv w = tcg_temp_new(), r = tcg_temp_new(), src = tcg_temp_new();
    int cc = (right ? CC_OP_SARB : CC_OP_SHLB) + ot;

    if (cconst) {
        int64_t n = d->op[2].imm & mask;
        if (n == 0) {
            if (ot == MO_32 && d->op[0].loc == LOC_REG) {
                gen_st_op(s, d, 0, a);
            }
            return;
        }
        tcg_gen_movi(c, n);
    } else {
        tcg_gen_andi_i64(c, cpu_regs[R_ECX], mask);
    }
    tcg_gen_subi_i64(cm1, c, 1);
    tcg_gen_andi_i64(cm1, cm1, 63);
    if (ot == MO_64) {
        TCGv t = tcg_temp_new(), inv = tcg_temp_new();
        /* 64 - c is 1..63 for c in 1..63; c == 0 is discarded below. */
        tcg_gen_sub_i64(inv, tcg_constant(64), c);
        tcg_gen_andi_i64(inv, inv, 63);
        if (right) {
            tcg_gen_shr_i64(r, a, c);
            tcg_gen_shl_i64(t, b, inv);
            tcg_gen_or_i64(r, r, t);
            tcg_gen_shr_i64(src, a, cm1);
        } else {
            tcg_gen_shl_i64(r, a, c);
            tcg_gen_shr_i64(t, b, inv);
            tcg_gen_or_i64(r, r, t);
            tcg_gen_shl_i64(src, a, cm1);
        }
        if (!cconst) {
            tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, r, c,
                            tcg_constant(0), a, r);
        }
    } else {
        /* Concatenate into 64 bits and shift once. */
        int bits = 8 << ot;
        TCGv x = tcg_temp_new(), y = tcg_temp_new();
        gen_ext_size(x, a, ot, false);
        gen_ext_size(y, b, ot, false);
        if (right) {
            tcg_gen_shli_i64(w, y, bits);
            tcg_gen_or_i64(w, w, x);
            tcg_gen_shr_i64(r, w, c);
            tcg_gen_shr_i64(src, w, cm1);
        } else {
            tcg_gen_shli_i64(w, x, 64 - bits);
            tcg_gen_shli_i64(y, y, 64 - 2 * bits);
            tcg_gen_or_i64(w, w, y);
            tcg_gen_shl_i64(r, w, c);
            tcg_gen_shri_i64(r, r, 64 - bits);
            tcg_gen_shl_i64(src, w, cm1);
            tcg_gen_shri_i64(src, src, 64 - bits);
        }
    }
    gen_st_op(s, d, 0, r);
    if (cconst) {
        gen_set_flags(s, cc, r, src);
    } else {
        gen_shift_flags_dyn(s, cc, c, r, src);
    }
}

/* ---- Bit operations ---------------------------------------------------- */

typedef struct BtRmw {
    int op;
    TCGv mask;
} BtRmw;

static void bt_rmw(DisasContext *s, TCGType t, TCGv r, TCGv old, void *o)
{
    BtRmw *b = o;

    switch (b->op) {
    case 1: tcg_gen_or_i64(r, old, b->mask); break;
    case 2: tcg_gen_andc_i64(r, old, b->mask); break;
    default: tcg_gen_xor_i64(r, old, b->mask); break;
    }
}

/* BT/BTS/BTR/BTC: CF = the bit; ZF unchanged; OF SF AF PF undefined
 * (we clear them). */
void gen_bt(DisasContext *s, X86Insn *d);
void gen_bt(DisasContext *s, X86Insn *d)
{
    int op = d->e->arg;
    MemOp ot = d->ot;
    int bits = 8 << ot;
    TCGv off = gen_ld_op(s, d, 1);
    TCGv bit = tcg_temp_new(), mask = tcg_temp_new(), val, r = NULL;
    TCGv cf = tcg_temp_new(), fl = tcg_temp_new(), z = tcg_temp_new();

    if (d->op[0].loc == LOC_MEM && d->op[1].loc == LOC_REG) {
        /* A register offset addresses memory beyond the operand. */
        TCGv so = tcg_temp_new(), a = tcg_temp_new();
        gen_ext_size(so, off, ot, true);
        tcg_gen_sari_i64(so, so, 3 + ot);
        tcg_gen_shli_i64(so, so, ot);
        tcg_gen_add_i64(a, gen_lea_addr(s, d), so);
        d->addr = a;
    }
    tcg_gen_andi_i64(bit, off, bits - 1);
    tcg_gen_shl_i64(mask, tcg_constant(1), bit);

    /* ZF is kept: get it before anything changes the flags. */
    {
        TCGv f = gen_compute_eflags(s);
        tcg_gen_andi_i64(z, f, CC_Z);
    }
    if (op && (s->prefix & PREFIX_LOCK)) {
        BtRmw b = { op, tcg_temp_new_tb() };
        tcg_gen_mov(b.mask, mask);
        val = gen_rmw_locked(s, d, ot, bt_rmw, &b, &r);
        tcg_gen_mov(mask, b.mask);
    } else {
        val = gen_ld_op(s, d, 0);
        if (op) {
            r = tcg_temp_new();
            bt_rmw(s, TCG_TYPE_I64, r, val, &(BtRmw){ op, mask });
            gen_st_op(s, d, 0, r);
        }
    }
    tcg_gen_and_i64(cf, val, mask);
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_NE, cf, cf, tcg_constant(0));
    tcg_gen_or_i64(fl, z, cf);
    tcg_gen_mov(cpu_cc_src, fl);
    set_cc_op(s, CC_OP_EFLAGS);
}

/* BSF/BSR: ZF = (source == 0) and the destination is kept then. */
void gen_bsf(DisasContext *s, X86Insn *d);
void gen_bsf(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv src = tcg_temp_new(), r = tcg_temp_new();
    TCGv old = gen_ld_op(s, d, 0);

    gen_ext_size(src, gen_ld_op(s, d, 1), ot, false);
    if (d->e->arg) {
        /* BSR: the index of the top set bit = 63 - clz64. */
        tcg_gen_clz_i64(r, src, tcg_constant(0));
        tcg_gen_xori_i64(r, r, 63);
    } else {
        tcg_gen_ctz_i64(r, src, tcg_constant(0));
    }
    /* A zero source leaves the destination as it was, all 64 bits of it
     * (no zero-extension of a 32-bit destination either). */
    if (ot == MO_32) {
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, cpu_regs[d->op[0].reg],
                        src, tcg_constant(0), cpu_regs[d->op[0].reg], r);
    } else {
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, r, src, tcg_constant(0),
                        old, r);
        gen_st_op(s, d, 0, r);
    }
    gen_set_flags(s, CC_OP_LOGICB + ot, src, NULL);
}

/* TZCNT/LZCNT: CF = (source == 0), ZF = (result == 0). */
void gen_tzcnt(DisasContext *s, X86Insn *d);
void gen_tzcnt(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    int bits = 8 << ot;
    TCGv src = tcg_temp_new(), r = tcg_temp_new();
    TCGv cf = tcg_temp_new(), zf = tcg_temp_new();

    gen_ext_size(src, gen_ld_op(s, d, 1), ot, false);
    if (d->e->arg) {
        tcg_gen_clz_i64(r, src, tcg_constant(64));
        if (bits < 64) {
            tcg_gen_subi_i64(r, r, 64 - bits);
        }
    } else {
        tcg_gen_ctz_i64(r, src, tcg_constant(bits));
    }
    gen_st_op(s, d, 0, r);
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_EQ, cf, src, tcg_constant(0));
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_EQ, zf, r, tcg_constant(0));
    tcg_gen_shli_i64(zf, zf, 6);
    tcg_gen_or_i64(cpu_cc_src, cf, zf);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_popcnt(DisasContext *s, X86Insn *d);
void gen_popcnt(DisasContext *s, X86Insn *d)
{
    TCGv src = tcg_temp_new(), r = tcg_temp_new();

    gen_ext_size(src, gen_ld_op(s, d, 1), d->ot, false);
    tcg_gen_ctpop_i64(r, src);
    gen_st_op(s, d, 0, r);
    gen_set_flags(s, CC_OP_POPCNT, r, NULL);
}

void gen_bswap(DisasContext *s, X86Insn *d);
void gen_bswap(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    switch (d->ot) {
    case MO_64: tcg_gen_bswap64(r, cpu_regs[d->op[0].reg]); break;
    case MO_32: tcg_gen_bswap32(r, cpu_regs[d->op[0].reg]); break;
    default: tcg_gen_movi(r, 0); break;    /* undefined: zero */
    }
    gen_st_op(s, d, 0, r);
}

/* ---- Moves ------------------------------------------------------------- */

void gen_mov(DisasContext *s, X86Insn *d);
void gen_mov(DisasContext *s, X86Insn *d)
{
    gen_st_op(s, d, 0, gen_ld_op(s, d, 1));
}

void gen_lea(DisasContext *s, X86Insn *d);
void gen_lea(DisasContext *s, X86Insn *d)
{
    gen_st_op(s, d, 0, gen_lea_addr(s, d));
}

void gen_movzx(DisasContext *s, X86Insn *d);
void gen_movzx(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();

    gen_ext_size(t, gen_ld_op(s, d, 1), d->op[1].ot, false);
    gen_st_op(s, d, 0, t);
}

void gen_movsx(DisasContext *s, X86Insn *d);
void gen_movsx(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();
    MemOp so = d->op[1].ot;

    if (so > d->op[0].ot) {
        so = d->op[0].ot;       /* MOVSXD without REX.W */
    }
    gen_ext_size(t, gen_ld_op(s, d, 1), so, true);
    gen_st_op(s, d, 0, t);
}

void gen_mov_from_seg(DisasContext *s, X86Insn *d);
void gen_mov_from_seg(DisasContext *s, X86Insn *d)
{
    TCGv t = gen_ld_op(s, d, 1);

    if (d->op[0].loc == LOC_MEM) {
        d->op[0].ot = MO_16;
    }
    gen_st_op(s, d, 0, t);
}

void gen_mov_to_seg(DisasContext *s, X86Insn *d);
void gen_mov_to_seg(DisasContext *s, X86Insn *d)
{
    TCGv v = gen_ld_op(s, d, 1);
    int seg = d->op[0].reg;

    if (seg == R_CS) {
        gen_illegal_opcode(s);
        return;
    }
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call3(&hinfo_load_seg, NULL, tcg_ctx->env, tcg_constant(seg), v);
    gen_end_block_next(s);
}

void gen_cmov(DisasContext *s, X86Insn *d);
void gen_cmov(DisasContext *s, X86Insn *d)
{
    TCGv src = gen_ld_op(s, d, 1), dst = gen_ld_op(s, d, 0);
    TCGv r = tcg_temp_new();

    gen_cmovcc(s, d->e->arg, ot_type(d->ot), r, src, dst);
    gen_st_op(s, d, 0, r);
}

void gen_xchg(DisasContext *s, X86Insn *d);
void gen_xchg(DisasContext *s, X86Insn *d)
{
    TCGv b = gen_ld_op(s, d, 1);

    if (d->op[0].loc == LOC_MEM) {
        TCGv old = tcg_temp_new();
        tcg_gen_atomic_xchg(old, gen_lea_addr(s, d), b,
                            make_memop_idx(d->ot, s->mem_index));
        gen_st_op(s, d, 1, old);
    } else {
        TCGv a = tcg_temp_new();
        tcg_gen_mov(a, gen_ld_op(s, d, 0));
        gen_st_op(s, d, 0, b);
        gen_st_op(s, d, 1, a);
    }
}

void gen_nop90(DisasContext *s, X86Insn *d);
void gen_nop90(DisasContext *s, X86Insn *d)
{
    if (s->rex_b) {
        /* 41 90 is XCHG r8, rAX. */
        TCGv a = tcg_temp_new();
        tcg_gen_mov(a, cpu_regs[R_R8]);
        gen_st_reg(s, s->dflag, R_R8, cpu_regs[R_EAX]);
        gen_st_reg(s, s->dflag, R_EAX, a);
    } else if (s->dflag == MO_32 && !(s->prefix & PREFIX_REX)) {
        /* NOP (and PAUSE): does not zero RAX's top half. */
    }
}

void gen_nop(DisasContext *s, X86Insn *d);
void gen_nop(DisasContext *s, X86Insn *d)
{
}

void gen_cmpxchg(DisasContext *s, X86Insn *d);
void gen_cmpxchg(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGType t = ot_type(ot);
    TCGv nv = gen_ld_op(s, d, 1);
    TCGv acc = tcg_temp_new(), old = tcg_temp_new(), r = tcg_temp_new();

    gen_ext_size(acc, cpu_regs[R_EAX], ot, false);
    if (d->op[0].loc == LOC_MEM) {
        tcg_gen_atomic_cmpxchg(old, gen_lea_addr(s, d), acc, nv,
                               make_memop_idx(ot, s->mem_index));
    } else {
        /* A register destination is written only when they are equal
         * (the upper half of a 64-bit register stays otherwise). */
        TCGv cur = tcg_temp_new(), w = tcg_temp_new();
        TCGv full = gen_ld_op(s, d, 0);
        gen_ext_size(cur, full, ot, false);
        tcg_gen_mov(old, cur);
        if (ot == MO_32 && !d->op[0].high8) {
            TCGv nz = tcg_temp_new();
            tcg_gen_ext32u(nz, nv);
            tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ,
                            cpu_regs[d->op[0].reg], cur, acc, nz,
                            cpu_regs[d->op[0].reg]);
        } else {
            tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, w, cur, acc, nv, cur);
            gen_st_op(s, d, 0, w);
        }
    }
    /* The accumulator gets the old value when they differ. */
    if (ot == MO_32) {
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, cpu_regs[R_EAX], old,
                        acc, cpu_regs[R_EAX], old);
    } else {
        TCGv na = tcg_temp_new();
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_EQ, na, old, acc,
                        cpu_regs[R_EAX], old);
        gen_st_reg(s, ot, R_EAX, na);
    }
    tcg_gen_sub(t, r, acc, old);
    tcg_gen_mov(s->cc_srcT, acc);
    gen_set_flags(s, CC_OP_SUBB + ot, r, old);
}

void gen_xadd(DisasContext *s, X86Insn *d);
void gen_xadd(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv b = tcg_temp_new(), old = tcg_temp_new(), r = tcg_temp_new();

    tcg_gen_mov(b, gen_ld_op(s, d, 1));
    if (d->op[0].loc == LOC_MEM) {
        tcg_gen_atomic_xadd(old, gen_lea_addr(s, d), b,
                            make_memop_idx(ot, s->mem_index));
        tcg_gen_add(ot_type(ot), r, old, b);
    } else {
        tcg_gen_mov(old, gen_ld_op(s, d, 0));
        tcg_gen_add(ot_type(ot), r, old, b);
        gen_st_op(s, d, 1, old);
        gen_st_op(s, d, 0, r);
        gen_set_flags(s, CC_OP_ADDB + ot, r, b);
        return;
    }
    gen_st_op(s, d, 1, old);
    gen_set_flags(s, CC_OP_ADDB + ot, r, b);
}

void gen_cmpxchg8b(DisasContext *s, X86Insn *d);
void gen_cmpxchg8b(DisasContext *s, X86Insn *d)
{
    TCGv cmp = tcg_temp_new(), nv = tcg_temp_new(), old = tcg_temp_new();
    TCGv t = tcg_temp_new(), eq = tcg_temp_new(), fl = tcg_temp_new();

    if (s->rex_w) {
        /* CMPXCHG16B: a helper does the 128-bit atomic. */
        if (!(s->env->features[FEAT_1_ECX] & CPUID_EXT_CX16)) {
            gen_illegal_opcode(s);
            return;
        }
        gen_compute_eflags(s);
        gen_update_cc_op(s);
        gen_update_rip(s, s->pc_start);
        tcg_gen_call2(&hinfo_cmpxchg16b, NULL, tcg_ctx->env, gen_lea_addr(s, d));
        set_cc_op(s, CC_OP_EFLAGS);
        return;
    }
    tcg_gen_deposit(cmp, cpu_regs[R_EAX], cpu_regs[R_EDX], 32, 32);
    tcg_gen_deposit(nv, cpu_regs[R_EBX], cpu_regs[R_ECX], 32, 32);
    tcg_gen_atomic_cmpxchg(old, gen_lea_addr(s, d), cmp, nv,
                           make_memop_idx(MO_64, s->mem_index));
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_EQ, eq, old, cmp);
    /* EDX:EAX = old when they differ. */
    tcg_gen_ext32u(t, old);
    tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_regs[R_EAX], eq,
                    tcg_constant(0), cpu_regs[R_EAX], t);
    tcg_gen_shri_i64(t, old, 32);
    tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, cpu_regs[R_EDX], eq,
                    tcg_constant(0), cpu_regs[R_EDX], t);
    tcg_gen_mov(fl, gen_compute_eflags(s));
    tcg_gen_andi_i64(fl, fl, ~(uint64_t)CC_Z);
    tcg_gen_shli_i64(eq, eq, 6);
    tcg_gen_or_i64(cpu_cc_src, fl, eq);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_movbe(DisasContext *s, X86Insn *d);
void gen_movbe(DisasContext *s, X86Insn *d)
{
    TCGv v = gen_ld_op(s, d, 1), r = tcg_temp_new();

    switch (d->ot) {
    case MO_16: tcg_gen_bswap16(r, v); break;
    case MO_32: tcg_gen_bswap32(r, v); break;
    default: tcg_gen_bswap64(r, v); break;
    }
    gen_st_op(s, d, 0, r);
}

void gen_crc32(DisasContext *s, X86Insn *d);
void gen_crc32(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();
    MemOp so = d->op[1].ot;

    tcg_gen_call3(&hinfo_crc32, r, gen_ld_op(s, d, 0), gen_ld_op(s, d, 1),
                  tcg_constant(8 << so));
    gen_st_reg(s, d->op[0].ot == MO_64 ? MO_64 : MO_32, d->op[0].reg, r);
}

/* ---- Stack ------------------------------------------------------------- */

void gen_enter(DisasContext *s, X86Insn *d);
void gen_enter(DisasContext *s, X86Insn *d)
{
    MemOp ot = stack_ot(s);
    int size = 1 << ot;
    uint64_t esize = (uint16_t)d->op[0].imm;
    int level = d->op[1].imm & 31;
    TCGv fp = tcg_temp_new(), t = tcg_temp_new();

    gen_push(s, ot, cpu_regs[R_EBP]);
    tcg_gen_mov(fp, cpu_regs[R_ESP]);
    for (int i = 1; i < level; i++) {
        TCGv a = tcg_temp_new();
        tcg_gen_subi_i64(a, cpu_regs[R_EBP], i * size);
        gen_qemu_ld(s, t, a, ot);
        gen_push(s, ot, t);
    }
    if (level) {
        gen_push(s, ot, fp);
    }
    gen_st_reg(s, ot, R_EBP, fp);
    tcg_gen_subi_i64(t, cpu_regs[R_ESP], esize);
    gen_st_reg(s, s->code64 ? MO_64 : MO_32, R_ESP, t);
}

void gen_leave(DisasContext *s, X86Insn *d);
void gen_leave(DisasContext *s, X86Insn *d)
{
    MemOp ot = stack_ot(s);
    TCGv v;

    tcg_gen_mov(cpu_regs[R_ESP], cpu_regs[R_EBP]);
    v = gen_pop(s, ot);
    gen_st_reg(s, ot, R_EBP, v);
}

void gen_pushf(DisasContext *s, X86Insn *d);
void gen_pushf(DisasContext *s, X86Insn *d)
{
    TCGv f = tcg_temp_new();

    gen_update_cc_op(s);
    tcg_gen_call1(&hinfo_read_eflags, f, tcg_ctx->env);
    gen_push(s, stack_ot(s), f);
}

void gen_popf(DisasContext *s, X86Insn *d);
void gen_popf(DisasContext *s, X86Insn *d)
{
    TCGv v = gen_pop(s, stack_ot(s));

    gen_update_cc_op(s);
    tcg_gen_call3(&hinfo_write_eflags, NULL, tcg_ctx->env, v,
                  tcg_constant(stack_ot(s)));
    set_cc_op(s, CC_OP_EFLAGS);
    s->cc_op_dirty = false;
}

void gen_sahf(DisasContext *s, X86Insn *d);
void gen_sahf(DisasContext *s, X86Insn *d)
{
    TCGv f = tcg_temp_new(), ah = tcg_temp_new();
    uint64_t m = CC_S | CC_Z | CC_A | CC_P | CC_C;

    tcg_gen_mov(f, gen_compute_eflags(s));
    tcg_gen_andi_i64(f, f, CC_O);
    tcg_gen_extract(ah, cpu_regs[R_EAX], 8, 8);
    tcg_gen_andi_i64(ah, ah, m);
    tcg_gen_or_i64(cpu_cc_src, f, ah);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_lahf(DisasContext *s, X86Insn *d);
void gen_lahf(DisasContext *s, X86Insn *d)
{
    TCGv f = tcg_temp_new();

    tcg_gen_andi_i64(f, gen_compute_eflags(s),
                     CC_S | CC_Z | CC_A | CC_P | CC_C);
    tcg_gen_ori_i64(f, f, 2);
    tcg_gen_deposit(cpu_regs[R_EAX], cpu_regs[R_EAX], f, 8, 8);
}

void gen_flagop(DisasContext *s, X86Insn *d);
void gen_flagop(DisasContext *s, X86Insn *d)
{
    TCGv f;

    switch (d->e->arg) {
    case 0: /* CMC */
        f = gen_compute_eflags(s);
        tcg_gen_xori_i64(cpu_cc_src, f, CC_C);
        break;
    case 1: /* CLC */
        f = gen_compute_eflags(s);
        tcg_gen_andi_i64(cpu_cc_src, f, ~(uint64_t)CC_C);
        break;
    case 2: /* STC */
        f = gen_compute_eflags(s);
        tcg_gen_ori_i64(cpu_cc_src, f, CC_C);
        break;
    case 3: /* CLD */
    case 4: /* STD */
        tcg_gen_st(MO_32, tcg_constant(d->e->arg == 3 ? 1 : -1),
                   tcg_ctx->env, offsetof(CPUX86State, df));
        break;
    }
}

/* ---- BMI1/BMI2/ADX ----------------------------------------------------- */

void gen_andn(DisasContext *s, X86Insn *d);
void gen_andn(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv r = tcg_temp_new();

    tcg_gen_andc(ot_type(ot), r, gen_ld_op(s, d, 2), gen_ld_op(s, d, 1));
    gen_st_op(s, d, 0, r);
    gen_set_flags(s, CC_OP_BMILGB + ot, r, tcg_constant(0));
}

void gen_blsx(DisasContext *s, X86Insn *d);
void gen_blsx(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGType t = ot_type(ot);
    TCGv src = gen_ld_op(s, d, 1), r = tcg_temp_new(), m1 = tcg_temp_new();
    TCGv cf = tcg_temp_new();

    tcg_gen_sub(t, m1, src, tcg_constant(1));
    switch (d->e->arg) {
    case 1: /* BLSR */
        tcg_gen_and(t, r, src, m1);
        break;
    case 2: /* BLSMSK */
        tcg_gen_xor(t, r, src, m1);
        break;
    default: /* BLSI */
        tcg_gen_neg(t, r, src);
        tcg_gen_and(t, r, r, src);
        gen_st_op(s, d, 0, r);
        gen_set_flags(s, CC_OP_BLSIB + ot, r, src);
        return;
    }
    gen_st_op(s, d, 0, r);
    tcg_gen_setcond(t, TCG_COND_EQ, cf, src, tcg_constant(0));
    gen_set_flags(s, CC_OP_BMILGB + ot, r, cf);
}

void gen_bextr(DisasContext *s, X86Insn *d);
void gen_bextr(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv r = tcg_temp_new();

    tcg_gen_call3(&hinfo_bextr, r, gen_ld_op(s, d, 1), gen_ld_op(s, d, 2),
                  tcg_constant(8 << ot));
    gen_st_op(s, d, 0, r);
    gen_set_flags(s, CC_OP_BMILGB + ot, r, tcg_constant(0));
}

void gen_bzhi(DisasContext *s, X86Insn *d);
void gen_bzhi(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    int bits = 8 << ot;
    TCGv r = tcg_temp_new(), n = tcg_temp_new(), cf = tcg_temp_new();

    tcg_gen_ext8u(n, gen_ld_op(s, d, 2));
    tcg_gen_call3(&hinfo_bzhi, r, gen_ld_op(s, d, 1), n,
                  tcg_constant(bits));
    gen_st_op(s, d, 0, r);
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_GTU, cf, n,
                    tcg_constant(bits - 1));
    gen_set_flags(s, CC_OP_BMILGB + ot, r, cf);
}

void gen_pdep(DisasContext *s, X86Insn *d);
void gen_pdep(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    tcg_gen_call3(d->e->arg ? &hinfo_pext : &hinfo_pdep, r,
                  gen_ld_op(s, d, 1), gen_ld_op(s, d, 2),
                  tcg_constant(8 << d->ot));
    gen_st_op(s, d, 0, r);
}

void gen_mulx(DisasContext *s, X86Insn *d);
void gen_mulx(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv lo = tcg_temp_new(), hi = tcg_temp_new();
    TCGv src = gen_ld_op(s, d, 2);

    if (ot == MO_64) {
        tcg_gen_mulu2(TCG_TYPE_I64, lo, hi, cpu_regs[R_EDX], src);
    } else {
        TCGv a = tcg_temp_new(), b = tcg_temp_new();
        tcg_gen_ext32u(a, cpu_regs[R_EDX]);
        tcg_gen_ext32u(b, src);
        tcg_gen_mul_i64(lo, a, b);
        tcg_gen_shri_i64(hi, lo, 32);
    }
    /* The low half first: with equal destinations the high one wins. */
    gen_st_op(s, d, 1, lo);
    gen_st_op(s, d, 0, hi);
}

void gen_shiftx(DisasContext *s, X86Insn *d);
void gen_shiftx(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGType t = ot_type(ot);
    TCGv c = tcg_temp_new(), r = tcg_temp_new();
    TCGv v = gen_ld_op(s, d, 1);

    tcg_gen_andi_i64(c, gen_ld_op(s, d, 2), ot == MO_64 ? 63 : 31);
    switch (d->e->arg) {
    case 0:
        tcg_gen_shl(t, r, v, c);
        break;
    case 1:
        if (ot == MO_32) {
            TCGv x = tcg_temp_new();
            tcg_gen_ext32s(x, v);
            v = x;
        }
        tcg_gen_sar(t, r, v, c);
        break;
    default:
        tcg_gen_shr(t, r, v, c);
        break;
    }
    gen_st_op(s, d, 0, r);
}

void gen_rorx(DisasContext *s, X86Insn *d);
void gen_rorx(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv r = tcg_temp_new();

    tcg_gen_rotr(ot_type(ot), r, gen_ld_op(s, d, 1),
                 tcg_constant(d->op[2].imm & (ot == MO_64 ? 63 : 31)));
    gen_st_op(s, d, 0, r);
}

/* ADCX (CF) / ADOX (OF): add with carry through one flag only. */
void gen_adcx(DisasContext *s, X86Insn *d);
void gen_adcx(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    uint64_t bit = d->e->arg ? CC_O : CC_C;
    TCGv f = tcg_temp_new(), c = tcg_temp_new();
    TCGv a = tcg_temp_new(), b = tcg_temp_new(), r = tcg_temp_new();
    TCGv co = tcg_temp_new(), t = tcg_temp_new();

    tcg_gen_mov(f, gen_compute_eflags(s));
    tcg_gen_andi_i64(c, f, bit);
    tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_NE, c, c, tcg_constant(0));
    gen_ext_size(a, gen_ld_op(s, d, 0), ot, false);
    gen_ext_size(b, gen_ld_op(s, d, 1), ot, false);
    if (ot == MO_64) {
        /* carry out = (r < a) || (r == a && c) */
        tcg_gen_add_i64(r, a, b);
        tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_LTU, co, r, a);
        tcg_gen_add_i64(r, r, c);
        tcg_gen_setcond(TCG_TYPE_I64, TCG_COND_LTU, t, r, c);
        tcg_gen_or_i64(co, co, t);
    } else {
        tcg_gen_add_i64(r, a, b);
        tcg_gen_add_i64(r, r, c);
        tcg_gen_shri_i64(co, r, 32);
    }
    gen_st_op(s, d, 0, r);
    tcg_gen_andi_i64(f, f, ~bit);
    tcg_gen_shli_i64(co, co, d->e->arg ? 11 : 0);
    tcg_gen_or_i64(cpu_cc_src, f, co);
    set_cc_op(s, CC_OP_EFLAGS);
}
