/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 front end's lazy flags (cc.h): which globals a cc_op reads,
 * EFLAGS and CF on demand, and x86 conditions as TCG comparisons for
 * Jcc, SETcc and CMOVcc (SDM vol. 1, appendix B).
 */
#include "ember/osdep.h"
#include "translate.h"
#include "tcg/tcg.h"

/* ---- Lazy flags -------------------------------------------------------- */

enum { CC_LIVE_DST = 1, CC_LIVE_SRC = 2, CC_LIVE_SRC2 = 4 };

/* Which of cc_dst, cc_src, cc_src2 the flags of op are computed from
 * (cc.h). */
static unsigned cc_op_live(int op)
{
    switch (cc_op_kind(op)) {
    case CC_OP_DYNAMIC:
    case CC_OP_ADCB:
    case CC_OP_SBBB:
        return CC_LIVE_DST | CC_LIVE_SRC | CC_LIVE_SRC2;
    case CC_OP_EFLAGS:
        return CC_LIVE_SRC;
    case CC_OP_CLR:
        return 0;
    case CC_OP_LOGICB:
    case CC_OP_POPCNT:
        return CC_LIVE_DST;
    default:
        return CC_LIVE_DST | CC_LIVE_SRC;
    }
}

/*
 * From here on the flags are op's. The lazy-flags globals op does not
 * read are dead: saying so lets liveness drop what computed them (a
 * rotate's merge of the previous flags, say) even across a possible
 * fault, where every live global must be in env.
 */
void set_cc_op(DisasContext *s, int op)
{
    unsigned dead;

    if (s->cc_op == op) {
        return;
    }
    dead = ~cc_op_live(op);
    if (dead & CC_LIVE_DST) {
        tcg_gen_discard(cpu_cc_dst);
    }
    if (dead & CC_LIVE_SRC) {
        tcg_gen_discard(cpu_cc_src);
    }
    if (dead & CC_LIVE_SRC2) {
        tcg_gen_discard(cpu_cc_src2);
    }
    s->cc_op = op;
    s->cc_op_dirty = op != CC_OP_DYNAMIC;
}

void gen_update_cc_op(DisasContext *s)
{
    if (s->cc_op_dirty) {
        tcg_gen_movi(cpu_cc_op, s->cc_op);
        s->cc_op_dirty = false;
    }
}

TCGv gen_compute_eflags(DisasContext *s)
{
    TCGv t;

    if (s->cc_op == CC_OP_EFLAGS) {
        return cpu_cc_src;
    }
    t = tcg_temp_new();
    tcg_gen_call4(&hinfo_cc_compute_all, t, cpu_cc_dst, cpu_cc_src,
                  cpu_cc_src2, s->cc_op == CC_OP_DYNAMIC ? cpu_cc_op
                  : tcg_constant(s->cc_op));
    tcg_gen_mov(cpu_cc_src, t);
    set_cc_op(s, CC_OP_EFLAGS);
    return cpu_cc_src;
}

/* A comparison equivalent to an x86 condition. */
typedef struct CCPrepare {
    TCGCond cond;
    TCGv a, b;
    TCGType type;
} CCPrepare;

static TCGv ext_cc(TCGv v, int sz, bool sign)
{
    TCGv t;

    if (sz >= MO_32) {
        return v;
    }
    t = tcg_temp_new();
    gen_ext_size(t, v, sz, sign);
    return t;
}

static TCGType sz_type(int sz)
{
    return sz == MO_64 ? TCG_TYPE_I64 : TCG_TYPE_I32;
}

/* CF as a comparison. */
static CCPrepare prepare_cf(DisasContext *s)
{
    int op = s->cc_op, kind = cc_op_kind(op), sz = cc_op_size(op);
    CCPrepare p = { .type = TCG_TYPE_I64 };

    switch (kind) {
    case CC_OP_SUBB:
        p.cond = TCG_COND_LTU;
        p.a = ext_cc(s->cc_srcT, sz, false);
        p.b = ext_cc(cpu_cc_src, sz, false);
        p.type = sz_type(sz);
        return p;
    case CC_OP_ADDB:
        p.cond = TCG_COND_LTU;
        p.a = ext_cc(cpu_cc_dst, sz, false);
        p.b = ext_cc(cpu_cc_src, sz, false);
        p.type = sz_type(sz);
        return p;
    case CC_OP_LOGICB:
    case CC_OP_CLR:
    case CC_OP_POPCNT:
        p.cond = TCG_COND_NEVER;
        p.a = p.b = cpu_cc_src;
        return p;
    case CC_OP_INCB:
    case CC_OP_DECB:
    case CC_OP_BMILGB:
        p.cond = TCG_COND_TSTNE;
        p.a = cpu_cc_src;
        p.b = tcg_constant(1);
        return p;
    case CC_OP_SHLB:
        p.cond = TCG_COND_TSTNE;
        p.a = cpu_cc_src;
        p.b = tcg_constant(1ull << ((8 << sz) - 1));
        return p;
    case CC_OP_SARB:
        p.cond = TCG_COND_TSTNE;
        p.a = cpu_cc_src;
        p.b = tcg_constant(1);
        return p;
    case CC_OP_MULB:
    case CC_OP_BLSIB:
        p.cond = TCG_COND_NE;
        p.a = ext_cc(cpu_cc_src, sz, false);
        p.b = tcg_constant(0);
        p.type = sz_type(sz);
        return p;
    case CC_OP_EFLAGS:
        p.cond = TCG_COND_TSTNE;
        p.a = cpu_cc_src;
        p.b = tcg_constant(CC_C);
        return p;
    default: {
        TCGv t = tcg_temp_new();
        tcg_gen_call4(&hinfo_cc_compute_c, t, cpu_cc_dst, cpu_cc_src,
                      cpu_cc_src2, op == CC_OP_DYNAMIC ? cpu_cc_op
                      : tcg_constant(op));
        p.cond = TCG_COND_NE;
        p.a = t;
        p.b = tcg_constant(0);
        return p;
    }
    }
}

TCGv gen_compute_cf(DisasContext *s)
{
    CCPrepare p = prepare_cf(s);
    TCGv t = tcg_temp_new();

    if (p.cond == TCG_COND_NEVER) {
        return tcg_constant(0);
    }
    if (s->cc_op == CC_OP_INCB + cc_op_size(s->cc_op) ||
        s->cc_op == CC_OP_DECB + cc_op_size(s->cc_op)) {
        return cpu_cc_src;
    }
    tcg_gen_setcond(p.type, p.cond, t, p.a, p.b);
    return t;
}

/* Prepare x86 condition b (0..15, the low nibble of Jcc). */
static CCPrepare prepare_cc(DisasContext *s, int b)
{
    int op = s->cc_op, kind = cc_op_kind(op), sz = cc_op_size(op);
    int jcc = (b >> 1) & 7;
    bool inv = b & 1;
    CCPrepare p = { .type = TCG_TYPE_I64 };
    bool done = false;

    switch (kind) {
    case CC_OP_SUBB:
        done = true;
        p.type = sz_type(sz);
        switch (jcc) {
        case 1: /* B */
            p.cond = TCG_COND_LTU;
            p.a = ext_cc(s->cc_srcT, sz, false);
            p.b = ext_cc(cpu_cc_src, sz, false);
            break;
        case 2: /* Z */
            p.cond = TCG_COND_EQ;
            p.a = ext_cc(cpu_cc_dst, sz, false);
            p.b = tcg_constant(0);
            break;
        case 3: /* BE */
            p.cond = TCG_COND_LEU;
            p.a = ext_cc(s->cc_srcT, sz, false);
            p.b = ext_cc(cpu_cc_src, sz, false);
            break;
        case 4: /* S */
            p.cond = TCG_COND_LT;
            p.a = ext_cc(cpu_cc_dst, sz, true);
            p.b = tcg_constant(0);
            break;
        case 6: /* L */
            p.cond = TCG_COND_LT;
            p.a = ext_cc(s->cc_srcT, sz, true);
            p.b = ext_cc(cpu_cc_src, sz, true);
            break;
        case 7: /* LE */
            p.cond = TCG_COND_LE;
            p.a = ext_cc(s->cc_srcT, sz, true);
            p.b = ext_cc(cpu_cc_src, sz, true);
            break;
        default:
            done = false;
            break;
        }
        break;
    case CC_OP_LOGICB:
    case CC_OP_ADDB:
    case CC_OP_INCB:
    case CC_OP_DECB:
    case CC_OP_SHLB:
    case CC_OP_SARB:
    case CC_OP_ADCB:
    case CC_OP_SBBB:
    case CC_OP_BMILGB:
    case CC_OP_BLSIB:
    case CC_OP_POPCNT:
        p.type = sz_type(sz);
        if (jcc == 2) {             /* Z */
            p.cond = TCG_COND_EQ;
            p.a = ext_cc(cpu_cc_dst, sz, false);
            p.b = tcg_constant(0);
            done = true;
        } else if (jcc == 4 && kind != CC_OP_POPCNT) {  /* S */
            p.cond = TCG_COND_LT;
            p.a = ext_cc(cpu_cc_dst, sz, true);
            p.b = tcg_constant(0);
            done = true;
        } else if (kind == CC_OP_LOGICB) {
            switch (jcc) {
            case 0: /* O: never */
            case 1: /* B: never */
                p.cond = TCG_COND_NEVER;
                p.a = p.b = cpu_cc_dst;
                done = true;
                break;
            case 3: /* BE = Z */
                p.cond = TCG_COND_EQ;
                p.a = ext_cc(cpu_cc_dst, sz, false);
                p.b = tcg_constant(0);
                done = true;
                break;
            case 6: /* L = S */
                p.cond = TCG_COND_LT;
                p.a = ext_cc(cpu_cc_dst, sz, true);
                p.b = tcg_constant(0);
                done = true;
                break;
            case 7: /* LE = S | Z */
                p.cond = TCG_COND_LE;
                p.a = ext_cc(cpu_cc_dst, sz, true);
                p.b = tcg_constant(0);
                done = true;
                break;
            }
        } else if (jcc == 1 && kind != CC_OP_ADCB && kind != CC_OP_SBBB) {
            p = prepare_cf(s);
            done = true;
        }
        break;
    case CC_OP_EFLAGS:
        break;
    default:
        break;
    }
    if (!done) {
        TCGv f = gen_compute_eflags(s);
        p.type = TCG_TYPE_I64;
        switch (jcc) {
        case 0: p.cond = TCG_COND_TSTNE; p.a = f; p.b = tcg_constant(CC_O);
            break;
        case 1: p.cond = TCG_COND_TSTNE; p.a = f; p.b = tcg_constant(CC_C);
            break;
        case 2: p.cond = TCG_COND_TSTNE; p.a = f; p.b = tcg_constant(CC_Z);
            break;
        case 3: p.cond = TCG_COND_TSTNE; p.a = f;
            p.b = tcg_constant(CC_C | CC_Z);
            break;
        case 4: p.cond = TCG_COND_TSTNE; p.a = f; p.b = tcg_constant(CC_S);
            break;
        case 5: p.cond = TCG_COND_TSTNE; p.a = f; p.b = tcg_constant(CC_P);
            break;
        case 6: case 7: {
            /* SF != OF (L), or that or ZF (LE). */
            TCGv t = tcg_temp_new();
            tcg_gen_shri_i64(t, f, 4);          /* OF (bit 11) -> bit 7 */
            tcg_gen_xor_i64(t, t, f);
            p.cond = TCG_COND_TSTNE;
            p.a = t;
            if (jcc == 6) {
                p.b = tcg_constant(CC_S);
            } else {
                tcg_gen_andi_i64(t, t, CC_S);
                tcg_gen_shri_i64(t, t, 1);      /* bit 7 -> bit 6 (ZF) */
                tcg_gen_or_i64(t, t, f);
                p.b = tcg_constant(CC_Z);
            }
            break;
        }
        }
    }
    if (inv) {
        p.cond = tcg_invert_cond(p.cond);
    }
    return p;
}

void gen_setcc(DisasContext *s, int b, TCGv d)
{
    CCPrepare p = prepare_cc(s, b);

    if (p.cond == TCG_COND_NEVER || p.cond == TCG_COND_ALWAYS) {
        tcg_gen_movi(d, p.cond == TCG_COND_ALWAYS);
        return;
    }
    tcg_gen_setcond(p.type, p.cond, d, p.a, p.b);
}

/*
 * Where the block goes next, the lazy flags are written before being
 * read (x86_flags_dead_after): leave them out of env. A signal handler
 * entered there sees stale flags, which the program never reads.
 */
void gen_discard_flags(DisasContext *s)
{
    tcg_gen_discard(cpu_cc_dst);
    tcg_gen_discard(cpu_cc_src);
    tcg_gen_discard(cpu_cc_src2);
    tcg_gen_discard(cpu_cc_op);
    s->cc_op_dirty = false;
}

/* gen_jcc_label when neither path reads the flags afterwards. */
void gen_jcc_label_last(DisasContext *s, int b, int label)
{
    CCPrepare p = prepare_cc(s, b);
    TCGv a = tcg_temp_new(), c = tcg_temp_new();

    tcg_gen_mov(a, p.a);
    tcg_gen_mov(c, p.b);
    gen_discard_flags(s);
    tcg_gen_brcond(p.type, p.cond, a, c, label);
}

void gen_jcc_label(DisasContext *s, int b, int label)
{
    CCPrepare p = prepare_cc(s, b);

    /* Both paths leave with the same lazy-flags state. */
    gen_update_cc_op(s);
    tcg_gen_brcond(p.type, p.cond, p.a, p.b, label);
}

/* movcond on an x86 condition. */
void gen_cmovcc(DisasContext *s, int b, TCGType t, TCGv d, TCGv v1,
                TCGv v2);
void gen_cmovcc(DisasContext *s, int b, TCGType t, TCGv d, TCGv v1,
                TCGv v2)
{
    CCPrepare p = prepare_cc(s, b);

    if (p.cond == TCG_COND_NEVER || p.cond == TCG_COND_ALWAYS) {
        TCGv v = p.cond == TCG_COND_ALWAYS ? v1 : v2;
        if (t == TCG_TYPE_I32) {
            tcg_gen_ext32u(d, v);
        } else {
            tcg_gen_mov(d, v);
        }
        return;
    }
    if (p.type != t) {
        /* Compare and select in different widths. */
        TCGv c = tcg_temp_new();
        tcg_gen_setcond(p.type, p.cond, c, p.a, p.b);
        tcg_gen_movcond(t, TCG_COND_NE, d, c, tcg_constant(0), v1, v2);
        return;
    }
    tcg_gen_movcond(t, p.cond, d, p.a, p.b, v1, v2);
}
