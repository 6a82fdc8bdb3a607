/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IR optimizer: one forward pass per extended basic block doing
 * constant folding, copy propagation, algebraic simplification and
 * known-zero-bits tracking (which removes the zero-extensions that x86
 * code generates for every 32-bit register write).
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

static inline TCGTemp *ts(TCGContext *s, TCGArg a)
{
    return &s->temps[a];
}

static void reset_temp(TCGContext *s, TCGTemp *t)
{
    TCGTemp *prev = &s->temps[t->copy_prev];
    TCGTemp *next = &s->temps[t->copy_next];

    /* Unlink from the ring of copies. */
    prev->copy_next = t->copy_next;
    next->copy_prev = t->copy_prev;
    t->copy_next = t->copy_prev = t->index;
    if (t->kind == TEMP_CONST) {
        t->is_const = true;
        t->const_val = t->val;
        t->z_mask = t->val;
    } else {
        t->is_const = false;
        t->z_mask = ~0ULL;
    }
}

static void reset_all(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        t->copy_next = t->copy_prev = i;
        if (t->kind == TEMP_CONST) {
            t->is_const = true;
            t->const_val = t->val;
            t->z_mask = t->val;
        } else {
            t->is_const = false;
            t->z_mask = ~0ULL;
        }
    }
}

static void reset_globals(TCGContext *s)
{
    for (int i = 1; i < s->nb_globals; i++) {
        reset_temp(s, &s->temps[i]);
    }
}

static int kind_rank(const TCGTemp *t)
{
    switch (t->kind) {
    case TEMP_CONST: return 4;
    case TEMP_FIXED: return 3;
    case TEMP_GLOBAL: return 2;
    case TEMP_TB: return 1;
    default: return 0;
    }
}

/* The best equal temp to read instead of t. */
static TCGTemp *best_copy(TCGContext *s, TCGTemp *t)
{
    TCGTemp *best = t;

    for (TCGTemp *c = &s->temps[t->copy_next]; c != t;
         c = &s->temps[c->copy_next]) {
        if (kind_rank(c) > kind_rank(best)) {
            best = c;
        }
    }
    return best;
}

static bool temps_equal(TCGContext *s, TCGTemp *a, TCGTemp *b)
{
    if (a == b) {
        return true;
    }
    if (a->is_const && b->is_const) {
        return a->const_val == b->const_val;
    }
    for (TCGTemp *c = &s->temps[a->copy_next]; c != a;
         c = &s->temps[c->copy_next]) {
        if (c == b) {
            return true;
        }
    }
    return false;
}

static void make_copy(TCGContext *s, TCGTemp *d, TCGTemp *src)
{
    TCGTemp *next;

    reset_temp(s, d);
    d->z_mask = src->z_mask;
    if (src->is_const) {
        d->is_const = true;
        d->const_val = src->const_val;
        return;
    }
    /* Insert d into src's ring. */
    next = &s->temps[src->copy_next];
    d->copy_next = src->copy_next;
    d->copy_prev = src->index;
    next->copy_prev = d->index;
    src->copy_next = d->index;
}

static void op_to_movi(TCGContext *s, TCGOp *op, uint64_t val)
{
    TCGTemp *d = ts(s, op->args[0]);
    TCGTemp *c = tcg_constant(val);

    op->opc = INDEX_op_mov;
    op->type = TCG_TYPE_I64;
    op->nb_oargs = 1;
    op->nb_iargs = 1;
    op->nb_cargs = 0;
    op->args[1] = c->index;
    reset_temp(s, c);
    make_copy(s, d, c);
}

static void op_to_mov(TCGContext *s, TCGOp *op, TCGTemp *src)
{
    TCGTemp *d = ts(s, op->args[0]);

    if (temps_equal(s, d, src)) {
        tcg_op_remove(s, op);
        return;
    }
    op->opc = INDEX_op_mov;
    op->type = TCG_TYPE_I64;
    op->nb_oargs = 1;
    op->nb_iargs = 1;
    op->nb_cargs = 0;
    op->args[1] = src->index;
    make_copy(s, d, src);
}

static uint64_t do_fold2(TCGOpcode opc, TCGType type, uint64_t a, uint64_t b)
{
    unsigned w = type == TCG_TYPE_I32 ? 32 : 64;
    uint64_t r;

    if (type == TCG_TYPE_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    switch (opc) {
    case INDEX_op_add: r = a + b; break;
    case INDEX_op_sub: r = a - b; break;
    case INDEX_op_mul: r = a * b; break;
    case INDEX_op_and: r = a & b; break;
    case INDEX_op_or: r = a | b; break;
    case INDEX_op_xor: r = a ^ b; break;
    case INDEX_op_andc: r = a & ~b; break;
    case INDEX_op_shl: r = a << (b & (w - 1)); break;
    case INDEX_op_shr: r = a >> (b & (w - 1)); break;
    case INDEX_op_sar:
        if (w == 32) {
            r = (uint32_t)((int32_t)a >> (b & 31));
        } else {
            r = (uint64_t)((int64_t)a >> (b & 63));
        }
        break;
    case INDEX_op_rotl:
        b &= w - 1;
        r = b ? (a << b) | (a >> (w - b)) : a;
        break;
    case INDEX_op_rotr:
        b &= w - 1;
        r = b ? (a >> b) | (a << (w - b)) : a;
        break;
    case INDEX_op_clz:
        r = a ? (w == 32 ? (uint64_t)__builtin_clz(a)
                         : (uint64_t)__builtin_clzll(a)) : b;
        break;
    case INDEX_op_ctz:
        r = a ? (uint64_t)__builtin_ctzll(a) : b;
        break;
    default:
        g_assert_not_reached();
    }
    return type == TCG_TYPE_I32 ? (uint32_t)r : r;
}

static uint64_t do_fold1(TCGOpcode opc, TCGType type, uint64_t a)
{
    uint64_t r;

    switch (opc) {
    case INDEX_op_neg: r = -a; break;
    case INDEX_op_not: r = ~a; break;
    case INDEX_op_ctpop:
        r = __builtin_popcountll(type == TCG_TYPE_I32 ? (uint32_t)a : a);
        break;
    case INDEX_op_ext8s: return (int8_t)a;
    case INDEX_op_ext8u: return (uint8_t)a;
    case INDEX_op_ext16s: return (int16_t)a;
    case INDEX_op_ext16u: return (uint16_t)a;
    case INDEX_op_ext32s: return (int32_t)a;
    case INDEX_op_ext32u: return (uint32_t)a;
    case INDEX_op_bswap16: return __builtin_bswap16(a);
    case INDEX_op_bswap32: return __builtin_bswap32(a);
    case INDEX_op_bswap64: return __builtin_bswap64(a);
    default:
        g_assert_not_reached();
    }
    return type == TCG_TYPE_I32 ? (uint32_t)r : r;
}

static uint64_t type_mask(TCGType t)
{
    return t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
}

/* Bits that may be non-zero in the result (for TCG_OPF_TYPED ops the
 * 32-bit forms clear the top half). */
static uint64_t result_z_mask(TCGContext *s, TCGOp *op)
{
    TCGOpcode opc = op->opc;
    uint64_t tm = type_mask(op->type);
    uint64_t za = op->nb_iargs > 0 ? ts(s, op->args[op->nb_oargs])->z_mask
                                   : ~0ull;
    uint64_t zb = op->nb_iargs > 1 ?
                  ts(s, op->args[op->nb_oargs + 1])->z_mask : ~0ull;

    switch (opc) {
    case INDEX_op_and: return za & zb & tm;
    case INDEX_op_or:
    case INDEX_op_xor: return (za | zb) & tm;
    case INDEX_op_andc: return za & tm;
    case INDEX_op_shr: {
        TCGTemp *b = ts(s, op->args[2]);
        if (b->is_const) {
            return (za & tm) >> (b->const_val & (op->type ? 63 : 31));
        }
        return tm;
    }
    case INDEX_op_setcond: return 1;
    case INDEX_op_ext8u: return za & 0xff;
    case INDEX_op_ext16u: return za & 0xffff;
    case INDEX_op_ext32u: return za & 0xffffffffull;
    case INDEX_op_ld8u: return 0xff;
    case INDEX_op_ld16u: return 0xffff;
    case INDEX_op_ld32u: return 0xffffffffull;
    case INDEX_op_bswap16: return 0xffff;
    case INDEX_op_bswap32: return 0xffffffffull;
    case INDEX_op_clz:
    case INDEX_op_ctz:
    case INDEX_op_ctpop: return tcg_op_defs[opc].flags & TCG_OPF_TYPED ?
                                (zb | 127) & tm : tm;
    case INDEX_op_extract: {
        unsigned len = op->args[3];
        return len == 64 ? ~0ull : (1ull << len) - 1;
    }
    case INDEX_op_qemu_ld: {
        MemOp mop = get_memop(op->args[2]);
        if (!(mop & MO_SIGN) && (mop & MO_SIZE) != MO_64) {
            return (1ull << (8 << (mop & MO_SIZE))) - 1;
        }
        return ~0ull;
    }
    default:
        if (tcg_op_defs[opc].flags & TCG_OPF_TYPED) {
            return tm;
        }
        return ~0ull;
    }
}

static bool is_foldable2(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add: case INDEX_op_sub: case INDEX_op_mul:
    case INDEX_op_and: case INDEX_op_or: case INDEX_op_xor:
    case INDEX_op_andc: case INDEX_op_shl: case INDEX_op_shr:
    case INDEX_op_sar: case INDEX_op_rotl: case INDEX_op_rotr:
    case INDEX_op_clz: case INDEX_op_ctz:
        return true;
    default:
        return false;
    }
}

static bool is_foldable1(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_neg: case INDEX_op_not: case INDEX_op_ctpop:
    case INDEX_op_ext8s: case INDEX_op_ext8u: case INDEX_op_ext16s:
    case INDEX_op_ext16u: case INDEX_op_ext32s: case INDEX_op_ext32u:
    case INDEX_op_bswap16: case INDEX_op_bswap32: case INDEX_op_bswap64:
        return true;
    default:
        return false;
    }
}

static bool is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add: case INDEX_op_mul: case INDEX_op_and:
    case INDEX_op_or: case INDEX_op_xor:
        return true;
    default:
        return false;
    }
}

/* Simplifications with one constant operand; true if op was rewritten. */
static bool simplify2(TCGContext *s, TCGOp *op)
{
    TCGTemp *a = ts(s, op->args[1]), *b = ts(s, op->args[2]);
    uint64_t tm = type_mask(op->type);
    TCGOpcode opc = op->opc;

    if (is_commutative(opc) && a->is_const && !b->is_const) {
        op->args[1] = b->index;
        op->args[2] = a->index;
        a = ts(s, op->args[1]);
        b = ts(s, op->args[2]);
    }
    /* A 32-bit op whose input already fits is equivalent to a move only
     * if the result equals the input including the top half. */
    if (b->is_const) {
        uint64_t v = b->const_val & tm;
        bool a_fits = (a->z_mask & ~tm) == 0;

        switch (opc) {
        case INDEX_op_add: case INDEX_op_sub: case INDEX_op_or:
        case INDEX_op_xor: case INDEX_op_shl: case INDEX_op_shr:
        case INDEX_op_sar: case INDEX_op_rotl: case INDEX_op_rotr:
            if (v == 0 && a_fits) {
                op_to_mov(s, op, a);
                return true;
            }
            break;
        case INDEX_op_and:
            if (v == 0) {
                op_to_movi(s, op, 0);
                return true;
            }
            if ((a->z_mask & ~v) == 0 && a_fits) {
                op_to_mov(s, op, a);
                return true;
            }
            break;
        case INDEX_op_mul:
            if (v == 0) {
                op_to_movi(s, op, 0);
                return true;
            }
            if (v == 1 && a_fits) {
                op_to_mov(s, op, a);
                return true;
            }
            break;
        default:
            break;
        }
    }
    if (temps_equal(s, a, b)) {
        switch (opc) {
        case INDEX_op_sub: case INDEX_op_xor: case INDEX_op_andc:
            op_to_movi(s, op, 0);
            return true;
        case INDEX_op_and: case INDEX_op_or:
            if ((a->z_mask & ~tm) == 0) {
                op_to_mov(s, op, a);
                return true;
            }
            break;
        default:
            break;
        }
    }
    return false;
}

static void fold_brcond(TCGContext *s, TCGOp *op, bool *bb_dead)
{
    TCGTemp *a = ts(s, op->args[0]), *b = ts(s, op->args[1]);
    TCGCond c = op->args[2];

    if (a->is_const && b->is_const) {
        if (tcg_eval_cond(c, a->const_val, b->const_val, op->type)) {
            int label = op->args[3];
            memset(op, 0, sizeof(*op));
            op->opc = INDEX_op_br;
            op->nb_cargs = 1;
            op->args[0] = label;
            *bb_dead = true;
        } else {
            tcg_op_remove(s, op);
        }
        return;
    }
    if (a->is_const && !b->is_const) {
        op->args[0] = b->index;
        op->args[1] = a->index;
        op->args[2] = tcg_swap_cond(c);
    }
}

static void fold_setcond(TCGContext *s, TCGOp *op)
{
    TCGTemp *a = ts(s, op->args[1]), *b = ts(s, op->args[2]);
    TCGCond c = op->args[3];

    if (a->is_const && b->is_const) {
        bool r = tcg_eval_cond(c, a->const_val, b->const_val, op->type);
        if (op->opc == INDEX_op_setcond) {
            op_to_movi(s, op, r);
        } else {
            op_to_movi(s, op, r ? ~0ull : 0);
        }
        return;
    }
    if (a->is_const && !b->is_const) {
        op->args[1] = b->index;
        op->args[2] = a->index;
        op->args[3] = tcg_swap_cond(c);
    }
    reset_temp(s, ts(s, op->args[0]));
    ts(s, op->args[0])->z_mask = op->opc == INDEX_op_setcond ? 1 : ~0ull;
}

static void fold_movcond(TCGContext *s, TCGOp *op)
{
    TCGTemp *c1 = ts(s, op->args[1]), *c2 = ts(s, op->args[2]);
    TCGTemp *v1 = ts(s, op->args[3]), *v2 = ts(s, op->args[4]);
    TCGCond c = op->args[5];

    if (c1->is_const && c2->is_const) {
        bool r = tcg_eval_cond(c, c1->const_val, c2->const_val, op->type);
        TCGTemp *src = r ? v1 : v2;
        if (op->type == TCG_TYPE_I32 && (src->z_mask >> 32)) {
            /* A 32-bit movcond zero-extends its result. */
            memset(op->args + 1, 0, sizeof(TCGArg) * 5);
            op->opc = INDEX_op_ext32u;
            op->nb_iargs = 1;
            op->nb_cargs = 0;
            op->args[1] = src->index;
            reset_temp(s, ts(s, op->args[0]));
            return;
        }
        op_to_mov(s, op, src);
        return;
    }
    if (temps_equal(s, v1, v2) && !(op->type == TCG_TYPE_I32 &&
                                    (v1->z_mask >> 32))) {
        op_to_mov(s, op, v1);
        return;
    }
    reset_temp(s, ts(s, op->args[0]));
    ts(s, op->args[0])->z_mask = (v1->z_mask | v2->z_mask) &
                                 type_mask(op->type);
}

void tcg_optimize(TCGContext *s)
{
    bool bb_dead = false;

    reset_all(s);
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        TCGOpcode opc = op->opc;
        int nb_o = op->nb_oargs, nb_i = op->nb_iargs;

        if (opc == INDEX_op_nop) {
            continue;
        }
        if (opc == INDEX_op_set_label) {
            bb_dead = false;
            reset_all(s);
            continue;
        }
        /* Code after an unconditional branch up to the next label never
         * runs. */
        if (bb_dead && opc != INDEX_op_insn_start) {
            tcg_op_remove(s, op);
            continue;
        }
        /* Replace inputs by their best equal copies. */
        for (int j = nb_o; j < nb_o + nb_i; j++) {
            TCGTemp *t = ts(s, op->args[j]);
            if (t->is_const && t->kind != TEMP_CONST) {
                op->args[j] = tcg_constant(t->const_val)->index;
            } else {
                op->args[j] = best_copy(s, t)->index;
            }
        }

        switch (opc) {
        case INDEX_op_mov: {
            TCGTemp *src = ts(s, op->args[1]);
            op_to_mov(s, op, src);
            continue;
        }
        case INDEX_op_brcond:
            fold_brcond(s, op, &bb_dead);
            continue;
        case INDEX_op_br:
            bb_dead = true;
            continue;
        case INDEX_op_setcond:
        case INDEX_op_negsetcond:
            fold_setcond(s, op);
            continue;
        case INDEX_op_movcond:
            fold_movcond(s, op);
            continue;
        case INDEX_op_deposit: {
            TCGTemp *a = ts(s, op->args[1]), *b = ts(s, op->args[2]);
            unsigned pos = op->args[3], len = op->args[4];
            if (a->is_const && b->is_const) {
                uint64_t m = ((len == 64 ? 0 : 1ull << len) - 1) << pos;
                op_to_movi(s, op, (a->const_val & ~m) |
                           ((b->const_val << pos) & m));
                continue;
            }
            break;
        }
        case INDEX_op_extract:
        case INDEX_op_sextract: {
            TCGTemp *a = ts(s, op->args[1]);
            unsigned pos = op->args[2], len = op->args[3];
            if (a->is_const) {
                uint64_t v = a->const_val >> pos;
                if (len < 64) {
                    v &= (1ull << len) - 1;
                    if (opc == INDEX_op_sextract && (v >> (len - 1))) {
                        v |= ~0ull << len;
                    }
                }
                op_to_movi(s, op, v);
                continue;
            }
            break;
        }
        case INDEX_op_ext32u:
        case INDEX_op_ext16u:
        case INDEX_op_ext8u: {
            TCGTemp *a = ts(s, op->args[1]);
            uint64_t m = opc == INDEX_op_ext32u ? 0xffffffffull :
                         opc == INDEX_op_ext16u ? 0xffff : 0xff;
            if (!a->is_const && (a->z_mask & ~m) == 0) {
                op_to_mov(s, op, a);
                continue;
            }
            break;
        }
        case INDEX_op_call: {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                                        op->args[nb_o + nb_i];
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                reset_globals(s);
            }
            for (int j = 0; j < nb_o; j++) {
                reset_temp(s, ts(s, op->args[j]));
            }
            continue;
        }
        default:
            break;
        }

        if (nb_o == 1 && nb_i == 2 && is_foldable2(opc)) {
            TCGTemp *a = ts(s, op->args[1]), *b = ts(s, op->args[2]);
            if (a->is_const && b->is_const) {
                op_to_movi(s, op, do_fold2(opc, op->type, a->const_val,
                                           b->const_val));
                continue;
            }
            if (simplify2(s, op)) {
                continue;
            }
        } else if (nb_o == 1 && nb_i == 1 && is_foldable1(opc)) {
            TCGTemp *a = ts(s, op->args[1]);
            if (a->is_const) {
                op_to_movi(s, op, do_fold1(opc, op->type, a->const_val));
                continue;
            }
        }

        /* Generic: outputs get fresh values. */
        if (nb_o) {
            uint64_t zm = result_z_mask(s, op);
            for (int j = 0; j < nb_o; j++) {
                TCGTemp *d = ts(s, op->args[j]);
                reset_temp(s, d);
                d->z_mask = j == 0 ? zm : ~0ull;
            }
        }
        /* exit_tb and goto_ptr never fall through; goto_tb does when
         * it is not chained. */
        if (opc == INDEX_op_exit_tb || opc == INDEX_op_goto_ptr) {
            bb_dead = true;
        }
    }
}
