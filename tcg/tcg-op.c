/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IR emission for front ends.
 */
#include "ember/osdep.h"
#include "tcg/tcg-op.h"
#include "tcg-internal.h"
#include "exec/translation-block.h"

void tcg_gen_op1(TCGOpcode opc, TCGType type, TCGArg a1)
{
    TCGOp *op = tcg_emit_op(opc, type, 1);
    op->args[0] = a1;
}

void tcg_gen_op2(TCGOpcode opc, TCGType type, TCGv a1, TCGv a2)
{
    TCGOp *op = tcg_emit_op(opc, type, 2);
    op->args[0] = temp_idx(a1);
    op->args[1] = temp_idx(a2);
}

void tcg_gen_op3(TCGOpcode opc, TCGType type, TCGv d, TCGv a, TCGv b)
{
    TCGOp *op = tcg_emit_op(opc, type, 3);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = temp_idx(b);
}

void tcg_gen_mov(TCGv d, TCGv s)
{
    if (d != s) {
        tcg_gen_op2(INDEX_op_mov, TCG_TYPE_I64, d, s);
    }
}

void tcg_gen_movi(TCGv d, uint64_t v)
{
    tcg_gen_op2(INDEX_op_mov, TCG_TYPE_I64, d, tcg_constant(v));
}

static void gen_op4(TCGOpcode opc, TCGType t, TCGv o1, TCGv o2, TCGv i1,
                    TCGv i2)
{
    TCGOp *op = tcg_emit_op(opc, t, 4);
    op->args[0] = temp_idx(o1);
    op->args[1] = temp_idx(o2);
    op->args[2] = temp_idx(i1);
    op->args[3] = temp_idx(i2);
}

void tcg_gen_mulu2(TCGType t, TCGv lo, TCGv hi, TCGv a, TCGv b)
{
    gen_op4(INDEX_op_mulu2, t, lo, hi, a, b);
}

void tcg_gen_muls2(TCGType t, TCGv lo, TCGv hi, TCGv a, TCGv b)
{
    gen_op4(INDEX_op_muls2, t, lo, hi, a, b);
}

void tcg_gen_deposit(TCGv d, TCGv a, TCGv b, unsigned pos, unsigned len)
{
    TCGOp *op;

    g_assert(len > 0 && pos + len <= 64);
    if (len == 64) {
        tcg_gen_mov(d, b);
        return;
    }
    op = tcg_emit_op(INDEX_op_deposit, TCG_TYPE_I64, 5);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = temp_idx(b);
    op->args[3] = pos;
    op->args[4] = len;
}

void tcg_gen_extract(TCGv d, TCGv a, unsigned pos, unsigned len)
{
    TCGOp *op;

    g_assert(len > 0 && pos + len <= 64);
    if (pos == 0) {
        switch (len) {
        case 8: tcg_gen_ext8u(d, a); return;
        case 16: tcg_gen_ext16u(d, a); return;
        case 32: tcg_gen_ext32u(d, a); return;
        case 64: tcg_gen_mov(d, a); return;
        }
    }
    if (pos + len == 64) {
        tcg_gen_shri_i64(d, a, pos);
        return;
    }
    op = tcg_emit_op(INDEX_op_extract, TCG_TYPE_I64, 4);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = pos;
    op->args[3] = len;
}

void tcg_gen_sextract(TCGv d, TCGv a, unsigned pos, unsigned len)
{
    TCGOp *op;

    g_assert(len > 0 && pos + len <= 64);
    if (pos == 0) {
        switch (len) {
        case 8: tcg_gen_ext8s(d, a); return;
        case 16: tcg_gen_ext16s(d, a); return;
        case 32: tcg_gen_ext32s(d, a); return;
        case 64: tcg_gen_mov(d, a); return;
        }
    }
    if (pos + len == 64) {
        tcg_gen_sari_i64(d, a, pos);
        return;
    }
    op = tcg_emit_op(INDEX_op_sextract, TCG_TYPE_I64, 4);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = pos;
    op->args[3] = len;
}

void tcg_gen_setcond(TCGType t, TCGCond c, TCGv d, TCGv a, TCGv b)
{
    TCGOp *op = tcg_emit_op(INDEX_op_setcond, t, 4);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = temp_idx(b);
    op->args[3] = c;
}

void tcg_gen_negsetcond(TCGType t, TCGCond c, TCGv d, TCGv a, TCGv b)
{
    TCGOp *op = tcg_emit_op(INDEX_op_negsetcond, t, 4);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(a);
    op->args[2] = temp_idx(b);
    op->args[3] = c;
}

void tcg_gen_movcond(TCGType t, TCGCond c, TCGv d, TCGv c1, TCGv c2,
                     TCGv v1, TCGv v2)
{
    TCGOp *op = tcg_emit_op(INDEX_op_movcond, t, 6);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(c1);
    op->args[2] = temp_idx(c2);
    op->args[3] = temp_idx(v1);
    op->args[4] = temp_idx(v2);
    op->args[5] = c;
}

void tcg_gen_ext(TCGv d, TCGv a, MemOp op)
{
    switch (op & (MO_SIZE | MO_SIGN)) {
    case MO_UB: tcg_gen_ext8u(d, a); break;
    case MO_SB: tcg_gen_ext8s(d, a); break;
    case MO_UW: tcg_gen_ext16u(d, a); break;
    case MO_SW: tcg_gen_ext16s(d, a); break;
    case MO_UL: tcg_gen_ext32u(d, a); break;
    case MO_SL: tcg_gen_ext32s(d, a); break;
    default: tcg_gen_mov(d, a); break;
    }
}

void tcg_gen_ld(MemOp mop, TCGv d, TCGv base, intptr_t off)
{
    static const TCGOpcode opc[8] = {
        [MO_UB] = INDEX_op_ld8u, [MO_SB] = INDEX_op_ld8s,
        [MO_UW] = INDEX_op_ld16u, [MO_SW] = INDEX_op_ld16s,
        [MO_UL] = INDEX_op_ld32u, [MO_SL] = INDEX_op_ld32s,
        [MO_UQ] = INDEX_op_ld64, [MO_UQ | MO_SIGN] = INDEX_op_ld64,
    };
    TCGOp *op = tcg_emit_op(opc[mop & 7], TCG_TYPE_I64, 3);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(base);
    op->args[2] = off;
}

void tcg_gen_st(MemOp mop, TCGv v, TCGv base, intptr_t off)
{
    static const TCGOpcode opc[4] = {
        INDEX_op_st8, INDEX_op_st16, INDEX_op_st32, INDEX_op_st64,
    };
    TCGOp *op = tcg_emit_op(opc[mop & MO_SIZE], TCG_TYPE_I64, 3);
    op->args[0] = temp_idx(v);
    op->args[1] = temp_idx(base);
    op->args[2] = off;
}

void tcg_gen_qemu_ld(TCGv d, TCGv addr, MemOpIdx oi)
{
    TCGOp *op = tcg_emit_op(INDEX_op_qemu_ld, TCG_TYPE_I64, 3);
    op->args[0] = temp_idx(d);
    op->args[1] = temp_idx(addr);
    op->args[2] = oi;
}

void tcg_gen_qemu_st(TCGv v, TCGv addr, MemOpIdx oi)
{
    TCGOp *op = tcg_emit_op(INDEX_op_qemu_st, TCG_TYPE_I64, 3);
    op->args[0] = temp_idx(v);
    op->args[1] = temp_idx(addr);
    op->args[2] = oi;
}

void tcg_gen_atomic_cmpxchg(TCGv old, TCGv addr, TCGv cmp, TCGv nv,
                            MemOpIdx oi)
{
    TCGOp *op = tcg_emit_op(INDEX_op_cmpxchg, TCG_TYPE_I64, 5);
    op->args[0] = temp_idx(old);
    op->args[1] = temp_idx(addr);
    op->args[2] = temp_idx(cmp);
    op->args[3] = temp_idx(nv);
    op->args[4] = oi;
}

void tcg_gen_atomic_xchg(TCGv old, TCGv addr, TCGv nv, MemOpIdx oi)
{
    TCGOp *op = tcg_emit_op(INDEX_op_xchg, TCG_TYPE_I64, 4);
    op->args[0] = temp_idx(old);
    op->args[1] = temp_idx(addr);
    op->args[2] = temp_idx(nv);
    op->args[3] = oi;
}

void tcg_gen_atomic_xadd(TCGv old, TCGv addr, TCGv val, MemOpIdx oi)
{
    TCGOp *op = tcg_emit_op(INDEX_op_xadd, TCG_TYPE_I64, 4);
    op->args[0] = temp_idx(old);
    op->args[1] = temp_idx(addr);
    op->args[2] = temp_idx(val);
    op->args[3] = oi;
}

void tcg_gen_br(int label)
{
    tcg_ctx->labels[label].has_use = true;
    tcg_gen_op1(INDEX_op_br, TCG_TYPE_I64, label);
}

void tcg_gen_brcond(TCGType t, TCGCond c, TCGv a, TCGv b, int label)
{
    TCGOp *op;

    if (c == TCG_COND_ALWAYS) {
        tcg_gen_br(label);
        return;
    }
    if (c == TCG_COND_NEVER) {
        return;
    }
    tcg_ctx->labels[label].has_use = true;
    op = tcg_emit_op(INDEX_op_brcond, t, 4);
    op->args[0] = temp_idx(a);
    op->args[1] = temp_idx(b);
    op->args[2] = c;
    op->args[3] = label;
}

void tcg_gen_brcondi(TCGType t, TCGCond c, TCGv a, uint64_t b, int label)
{
    tcg_gen_brcond(t, c, a, tcg_constant(t == TCG_TYPE_I32 ? (uint32_t)b
                                                          : b), label);
}

void tcg_gen_set_label(int label)
{
    tcg_gen_op1(INDEX_op_set_label, TCG_TYPE_I64, label);
}

void tcg_gen_insn_start(uint64_t d0, uint64_t d1)
{
    TCGContext *s = tcg_ctx;
    TCGOp *op = tcg_emit_op(INDEX_op_insn_start, TCG_TYPE_I64, 2);

    op->args[0] = d0;
    op->args[1] = d1;
    if (s->nb_insns < TCG_MAX_INSNS) {
        s->insn_data[s->nb_insns][0] = d0;
        s->insn_data[s->nb_insns][1] = d1;
        s->nb_insns++;
    } else {
        s->overflow = true;
    }
}

void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx)
{
    tcg_gen_op1(INDEX_op_exit_tb, TCG_TYPE_I64,
                tb ? (uintptr_t)tb + idx : idx);
}

bool tcg_can_replay_x86(void)
{
    return tcg_ctx->be->replays_x86;
}

void tcg_gen_x86_vec(uint32_t enc, intptr_t dofs, intptr_t sofs)
{
    TCGOp *op = tcg_emit_op(INDEX_op_x86_vec, TCG_TYPE_I64, 3);

    op->args[0] = enc;
    op->args[1] = dofs;
    op->args[2] = sofs;
}

void tcg_gen_x86_vec_out(uint32_t enc, TCGv out, intptr_t off,
                         intptr_t off2)
{
    TCGOp *op = tcg_emit_op(INDEX_op_x86_vec_out, TCG_TYPE_I64, 4);

    op->args[0] = temp_idx(out);
    op->args[1] = enc;
    op->args[2] = off;
    op->args[3] = off2;
}

void tcg_gen_x86_vec_in(uint32_t enc, TCGv in, intptr_t off)
{
    TCGOp *op = tcg_emit_op(INDEX_op_x86_vec_in, TCG_TYPE_I64, 4);

    op->args[0] = temp_idx(in);
    op->args[1] = enc;
    op->args[2] = off;
    op->args[3] = 0;
}

void tcg_gen_goto_tb(unsigned idx)
{
    tcg_gen_op1(INDEX_op_goto_tb, TCG_TYPE_I64, idx);
}

void tcg_gen_goto_ptr(TCGv ptr)
{
    TCGOp *op = tcg_emit_op(INDEX_op_goto_ptr, TCG_TYPE_I64, 1);
    op->args[0] = temp_idx(ptr);
}

void tcg_gen_discard(TCGv t)
{
    TCGOp *op = tcg_emit_op(INDEX_op_discard, TCG_TYPE_I64, 1);
    op->args[0] = temp_idx(t);
}

void tcg_gen_call(const TCGHelperInfo *info, TCGv ret, int nargs,
                  TCGv *args)
{
    TCGOp *op = tcg_emit_op(INDEX_op_call, TCG_TYPE_I64, 0);
    int k = 0;

    g_assert(nargs <= TCG_MAX_CALL_ARGS && nargs == info->nb_in);
    g_assert(!ret == !info->has_out);
    op->nb_oargs = ret ? 1 : 0;
    op->nb_iargs = nargs;
    op->nb_cargs = 1;
    if (ret) {
        op->args[k++] = temp_idx(ret);
    }
    for (int i = 0; i < nargs; i++) {
        op->args[k++] = temp_idx(args[i]);
    }
    op->args[k] = (uintptr_t)info;
}

void tcg_gen_call0(const TCGHelperInfo *info, TCGv ret)
{
    tcg_gen_call(info, ret, 0, NULL);
}

void tcg_gen_call1(const TCGHelperInfo *info, TCGv ret, TCGv a1)
{
    tcg_gen_call(info, ret, 1, &a1);
}

void tcg_gen_call2(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2)
{
    TCGv a[2] = { a1, a2 };
    tcg_gen_call(info, ret, 2, a);
}

void tcg_gen_call3(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3)
{
    TCGv a[3] = { a1, a2, a3 };
    tcg_gen_call(info, ret, 3, a);
}

void tcg_gen_call4(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3, TCGv a4)
{
    TCGv a[4] = { a1, a2, a3, a4 };
    tcg_gen_call(info, ret, 4, a);
}

void tcg_gen_call5(const TCGHelperInfo *info, TCGv ret, TCGv a1, TCGv a2,
                   TCGv a3, TCGv a4, TCGv a5)
{
    TCGv a[5] = { a1, a2, a3, a4, a5 };
    tcg_gen_call(info, ret, 5, a);
}
