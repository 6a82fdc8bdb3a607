/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The portable back end: the optimized IR of a TB is compiled into a
 * compact array of fixed-size instructions and interpreted.
 *
 * Operands: a non-negative value indexes the TB's value array (slot 0
 * is env, then the constants, then the temps); a negative value ~x
 * names a global at env + (x >> 1), 32 bits wide if x & 1. Globals are
 * read and written in env directly, so env is always current and a
 * fault only needs the current instruction index (kept in a
 * thread-local for the fault handler, see tcg_interp_current()).
 *
 * Chaining: goto_tb holds a pointer to the next TB's code, patched by
 * set_jmp_target like the jump of a host back end.
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "exec/user-mem.h"
#include "exec/cputlb.h"
#include "../tcg-internal.h"
#include "tcg/interp.h"

typedef struct InterpInsn {
    uint16_t opc;
    uint8_t type;
    uint8_t n;                  /* call: inputs; others unused */
    int32_t a[9];
} InterpInsn;

typedef struct InterpTB {
    uint32_t nb_vals;           /* 1 + consts + temps */
    uint32_t nb_consts;
    uint32_t nb_insns;
    uint32_t pad;
    const TranslationBlock *tb;
    uint64_t consts[];          /* then InterpInsn insns[] */
} InterpTB;

static __thread InterpState interp_state;

InterpState *tcg_interp_current(void)
{
    return &interp_state;
}

static inline InterpInsn *tb_insns(const InterpTB *h)
{
    return (InterpInsn *)((uint8_t *)h + sizeof(InterpTB) +
                          ROUND_UP(h->nb_consts * 8, 8));
}

/* ---- Compilation ------------------------------------------------------- */

typedef struct Compile {
    int32_t *slot;              /* per temp: operand encoding */
    int nb_vals;
    int nb_consts;
} Compile;

static int32_t operand(TCGContext *s, Compile *cc, TCGArg idx)
{
    TCGTemp *t = &s->temps[idx];

    if (t->kind == TEMP_GLOBAL) {
        return ~(int32_t)((t->mem_offset << 1) | (t->mem_size == 4));
    }
    if (t->kind == TEMP_FIXED) {
        return 0;
    }
    return cc->slot[idx];
}

static int interp_gen_code(TCGContext *s, TranslationBlock *tb)
{
    Compile cc;
    InterpTB *h;
    InterpInsn *ins;
    int n = 0, nconst = 0;
    uint32_t *label_pos;
    uint8_t *end;

    cc.slot = g_alloca(sizeof(int32_t) * s->nb_temps);
    /* Constants first (they are copied into the value array at entry). */
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_CONST) {
            cc.slot[i] = 1 + nconst++;
        }
    }
    cc.nb_consts = nconst;
    cc.nb_vals = 1 + nconst;
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind != TEMP_CONST) {
            cc.slot[i] = cc.nb_vals++;
        }
    }
    if (cc.nb_vals > INTERP_MAX_VALS) {
        return -2;
    }

    h = (InterpTB *)s->code_ptr;
    end = s->code_ptr + sizeof(InterpTB) + ROUND_UP(nconst * 8, 8);
    if (end > s->code_end) {
        return -1;
    }
    h->nb_vals = cc.nb_vals;
    h->nb_consts = nconst;
    h->tb = tb;
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_CONST) {
            h->consts[cc.slot[i] - 1] = s->temps[i].val;
        }
    }
    ins = tb_insns(h);
    label_pos = g_alloca(sizeof(uint32_t) * (s->nb_labels + 1));
    tb->jmp_reset_offset[0] = tb->jmp_reset_offset[1] = 0xffff;

    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        InterpInsn *in;
        int nb = op->nb_oargs + op->nb_iargs;

        if (op->opc == INDEX_op_nop || op->opc == INDEX_op_discard) {
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            label_pos[op->args[0]] = n;
            continue;
        }
        if ((uint8_t *)(ins + n + 1) > s->code_end) {
            return -1;
        }
        in = &ins[n];
        memset(in, 0, sizeof(*in));
        in->opc = op->opc;
        in->type = op->type;
        switch (op->opc) {
        case INDEX_op_insn_start:
            in->a[0] = -1;      /* index filled below */
            break;
        case INDEX_op_br:
            in->a[0] = op->args[0];
            break;
        case INDEX_op_exit_tb:
            /* The value may be a 64-bit pointer: split it. */
            in->a[0] = (uint32_t)op->args[0];
            in->a[1] = (uint32_t)(op->args[0] >> 32);
            break;
        case INDEX_op_goto_tb:
            in->a[0] = op->args[0];
            tb->jmp_insn_offset[op->args[0]] =
                (uint8_t *)in - (uint8_t *)h;
            tb->jmp_reset_offset[op->args[0]] = 0;
            break;
        case INDEX_op_call: {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                                        op->args[nb];
            int k = 0;
            in->n = op->nb_iargs;
            in->a[k++] = op->nb_oargs ? operand(s, &cc, op->args[0]) : 0;
            for (int j = op->nb_oargs; j < nb; j++) {
                in->a[k++] = operand(s, &cc, op->args[j]);
            }
            /* The helper info pointer, split in two. */
            in->a[7] = (uint32_t)(uintptr_t)info;
            in->a[8] = (uint32_t)((uintptr_t)info >> 32);
            in->type = op->nb_oargs;
            break;
        }
        default:
            for (int j = 0; j < nb; j++) {
                in->a[j] = operand(s, &cc, op->args[j]);
            }
            for (int j = 0; j < op->nb_cargs; j++) {
                in->a[nb + j] = op->args[nb + j];
            }
            break;
        }
        n++;
    }
    /* Branch targets: label ids to instruction indices. */
    for (int i = 0; i < n; i++) {
        if (ins[i].opc == INDEX_op_br) {
            ins[i].a[0] = label_pos[ins[i].a[0]];
        } else if (ins[i].opc == INDEX_op_brcond) {
            ins[i].a[3] = label_pos[ins[i].a[3]];
        }
    }
    {
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (ins[i].opc == INDEX_op_insn_start) {
                ins[i].a[0] = k++;
            }
        }
    }
    h->nb_insns = n;
    s->code_ptr = (uint8_t *)(ins + n);
    return 0;
}

/* ---- Execution --------------------------------------------------------- */

static inline uint64_t rd(const int32_t o, uint64_t *v, uint8_t *env)
{
    if (o >= 0) {
        return v[o];
    } else {
        uint32_t x = ~o;
        if (x & 1) {
            uint32_t r;
            memcpy(&r, env + (x >> 1), 4);
            return r;
        } else {
            uint64_t r;
            memcpy(&r, env + (x >> 1), 8);
            return r;
        }
    }
}

static inline void wr(const int32_t o, uint64_t *v, uint8_t *env,
                      uint64_t val)
{
    if (o >= 0) {
        v[o] = val;
    } else {
        uint32_t x = ~o;
        if (x & 1) {
            uint32_t r = val;
            memcpy(env + (x >> 1), &r, 4);
        } else {
            memcpy(env + (x >> 1), &val, 8);
        }
    }
}

static bool eval(TCGCond c, uint64_t a, uint64_t b, int type)
{
    return tcg_eval_cond(c, a, b, type);
}

static uint64_t mem_ld(uint64_t addr, MemOp mop)
{
    void *p = g2h(addr);

    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_UB: return *(uint8_t *)p;
    case MO_SB: return (int64_t)*(int8_t *)p;
    case MO_UW: return lduw_le_p(p);
    case MO_SW: return (int64_t)(int16_t)lduw_le_p(p);
    case MO_UL: return ldl_le_p(p);
    case MO_SL: return (int64_t)(int32_t)ldl_le_p(p);
    default: return ldq_le_p(p);
    }
}

static void mem_st(uint64_t addr, MemOp mop, uint64_t val)
{
    stn_le_p(g2h(addr), memop_size(mop), val);
}

static void check_align(uint64_t addr, MemOp mop)
{
    unsigned a = memop_align(mop);

    if (a > 1 && (addr & (a - 1))) {
        tcg_interp_raise_unaligned();
    }
}

typedef uint64_t (*HelperFn)(uint64_t, uint64_t, uint64_t, uint64_t,
                             uint64_t, uint64_t);

static uintptr_t interp_exec(void *envp, const void *tc_ptr)
{
    uint8_t *env = envp;
    const InterpTB *h = tc_ptr;
    const InterpInsn *code;
    uint64_t v[INTERP_MAX_VALS];
    InterpState *st = &interp_state;
    unsigned pc;

next_tb:
    st->tb = h->tb;
    st->insn = 0;
    code = tb_insns(h);
    v[0] = (uintptr_t)env;
    memcpy(v + 1, h->consts, h->nb_consts * 8);
    pc = 0;
    for (;;) {
        const InterpInsn *in = &code[pc++];
        const int32_t *a = in->a;
        int t = in->type;
        uint64_t x, y, r;
        unsigned w = t == TCG_TYPE_I32 ? 32 : 64;
        uint64_t m = t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;

        switch (in->opc) {
        case INDEX_op_insn_start:
            st->insn = a[0];
            break;
        case INDEX_op_br:
            pc = a[0];
            break;
        case INDEX_op_brcond:
            if (eval(a[2], rd(a[0], v, env), rd(a[1], v, env), t)) {
                pc = a[3];
            }
            break;
        case INDEX_op_exit_tb:
            st->tb = NULL;
            return (uint32_t)a[0] | ((uint64_t)(uint32_t)a[1] << 32);
        case INDEX_op_goto_tb: {
            /* The patched pointer lives in a[1..2]. */
            uint64_t p;
            __atomic_load(&((const uint64_t *)&a[1])[0], &p,
                          __ATOMIC_ACQUIRE);
            if (p) {
                h = (const InterpTB *)(uintptr_t)p;
                goto next_tb;
            }
            break;
        }
        case INDEX_op_goto_ptr:
            x = rd(a[0], v, env);
            if (!x) {
                st->tb = NULL;
                return 0;
            }
            h = (const InterpTB *)(uintptr_t)x;
            goto next_tb;
        case INDEX_op_call: {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                ((uint32_t)a[7] | ((uint64_t)(uint32_t)a[8] << 32));
            uint64_t args[TCG_MAX_CALL_ARGS] = { 0 };
            for (int j = 0; j < in->n; j++) {
                args[j] = rd(a[1 + j], v, env);
            }
            r = ((HelperFn)info->func)(args[0], args[1], args[2], args[3],
                                       args[4], args[5]);
            if (t) {
                wr(a[0], v, env, r);
            }
            break;
        }
        case INDEX_op_mov:
            wr(a[0], v, env, rd(a[1], v, env));
            break;
        case INDEX_op_setcond:
            wr(a[0], v, env, eval(a[3], rd(a[1], v, env), rd(a[2], v, env),
                                  t));
            break;
        case INDEX_op_negsetcond:
            wr(a[0], v, env, -(uint64_t)eval(a[3], rd(a[1], v, env),
                                             rd(a[2], v, env), t));
            break;
        case INDEX_op_movcond:
            r = eval(a[5], rd(a[1], v, env), rd(a[2], v, env), t) ?
                rd(a[3], v, env) : rd(a[4], v, env);
            wr(a[0], v, env, r & m);
            break;
        case INDEX_op_ld8u:
            wr(a[0], v, env, *(uint8_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld8s:
            wr(a[0], v, env, (int64_t)*(int8_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld16u:
            wr(a[0], v, env, *(uint16_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld16s:
            wr(a[0], v, env,
               (int64_t)*(int16_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld32u:
            wr(a[0], v, env, *(uint32_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld32s:
            wr(a[0], v, env,
               (int64_t)*(int32_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_ld64:
            wr(a[0], v, env, *(uint64_t *)(rd(a[1], v, env) + a[2]));
            break;
        case INDEX_op_st8:
            *(uint8_t *)(rd(a[1], v, env) + a[2]) = rd(a[0], v, env);
            break;
        case INDEX_op_st16:
            *(uint16_t *)(rd(a[1], v, env) + a[2]) = rd(a[0], v, env);
            break;
        case INDEX_op_st32:
            *(uint32_t *)(rd(a[1], v, env) + a[2]) = rd(a[0], v, env);
            break;
        case INDEX_op_st64:
            *(uint64_t *)(rd(a[1], v, env) + a[2]) = rd(a[0], v, env);
            break;

        case INDEX_op_add:
            wr(a[0], v, env, (rd(a[1], v, env) + rd(a[2], v, env)) & m);
            break;
        case INDEX_op_sub:
            wr(a[0], v, env, (rd(a[1], v, env) - rd(a[2], v, env)) & m);
            break;
        case INDEX_op_mul:
            wr(a[0], v, env, (rd(a[1], v, env) * rd(a[2], v, env)) & m);
            break;
        case INDEX_op_and:
            wr(a[0], v, env, rd(a[1], v, env) & rd(a[2], v, env) & m);
            break;
        case INDEX_op_or:
            wr(a[0], v, env, (rd(a[1], v, env) | rd(a[2], v, env)) & m);
            break;
        case INDEX_op_xor:
            wr(a[0], v, env, (rd(a[1], v, env) ^ rd(a[2], v, env)) & m);
            break;
        case INDEX_op_andc:
            wr(a[0], v, env, rd(a[1], v, env) & ~rd(a[2], v, env) & m);
            break;
        case INDEX_op_shl:
            x = rd(a[1], v, env);
            y = rd(a[2], v, env) & (w - 1);
            wr(a[0], v, env, (x << y) & m);
            break;
        case INDEX_op_shr:
            x = rd(a[1], v, env) & m;
            y = rd(a[2], v, env) & (w - 1);
            wr(a[0], v, env, x >> y);
            break;
        case INDEX_op_sar:
            x = rd(a[1], v, env);
            y = rd(a[2], v, env) & (w - 1);
            if (w == 32) {
                r = (uint32_t)((int32_t)x >> y);
            } else {
                r = (uint64_t)((int64_t)x >> y);
            }
            wr(a[0], v, env, r);
            break;
        case INDEX_op_rotl:
        case INDEX_op_rotr:
            x = rd(a[1], v, env) & m;
            y = rd(a[2], v, env) & (w - 1);
            if (in->opc == INDEX_op_rotr) {
                y = (w - y) & (w - 1);
            }
            r = y ? ((x << y) | (x >> (w - y))) & m : x;
            wr(a[0], v, env, r);
            break;
        case INDEX_op_neg:
            wr(a[0], v, env, -rd(a[1], v, env) & m);
            break;
        case INDEX_op_not:
            wr(a[0], v, env, ~rd(a[1], v, env) & m);
            break;
        case INDEX_op_clz:
            x = rd(a[1], v, env) & m;
            if (x) {
                r = w == 32 ? (uint64_t)__builtin_clz(x)
                            : (uint64_t)__builtin_clzll(x);
            } else {
                r = rd(a[2], v, env) & m;
            }
            wr(a[0], v, env, r);
            break;
        case INDEX_op_ctz:
            x = rd(a[1], v, env) & m;
            r = x ? (uint64_t)__builtin_ctzll(x) : rd(a[2], v, env) & m;
            wr(a[0], v, env, r);
            break;
        case INDEX_op_ctpop:
            wr(a[0], v, env, __builtin_popcountll(rd(a[1], v, env) & m));
            break;
        case INDEX_op_mulu2:
            x = rd(a[2], v, env) & m;
            y = rd(a[3], v, env) & m;
            if (w == 32) {
                r = x * y;
                wr(a[0], v, env, (uint32_t)r);
                wr(a[1], v, env, r >> 32);
            } else {
                unsigned __int128 p = (unsigned __int128)x * y;
                wr(a[0], v, env, (uint64_t)p);
                wr(a[1], v, env, (uint64_t)(p >> 64));
            }
            break;
        case INDEX_op_muls2:
            x = rd(a[2], v, env);
            y = rd(a[3], v, env);
            if (w == 32) {
                int64_t p = (int64_t)(int32_t)x * (int32_t)y;
                wr(a[0], v, env, (uint32_t)p);
                wr(a[1], v, env, (uint32_t)((uint64_t)p >> 32));
            } else {
                __int128 p = (__int128)(int64_t)x * (int64_t)y;
                wr(a[0], v, env, (uint64_t)p);
                wr(a[1], v, env, (uint64_t)((unsigned __int128)p >> 64));
            }
            break;
        case INDEX_op_ext8s:
            wr(a[0], v, env, (int64_t)(int8_t)rd(a[1], v, env));
            break;
        case INDEX_op_ext8u:
            wr(a[0], v, env, (uint8_t)rd(a[1], v, env));
            break;
        case INDEX_op_ext16s:
            wr(a[0], v, env, (int64_t)(int16_t)rd(a[1], v, env));
            break;
        case INDEX_op_ext16u:
            wr(a[0], v, env, (uint16_t)rd(a[1], v, env));
            break;
        case INDEX_op_ext32s:
            wr(a[0], v, env, (int64_t)(int32_t)rd(a[1], v, env));
            break;
        case INDEX_op_ext32u:
            wr(a[0], v, env, (uint32_t)rd(a[1], v, env));
            break;
        case INDEX_op_bswap16:
            wr(a[0], v, env, __builtin_bswap16(rd(a[1], v, env)));
            break;
        case INDEX_op_bswap32:
            wr(a[0], v, env, __builtin_bswap32(rd(a[1], v, env)));
            break;
        case INDEX_op_bswap64:
            wr(a[0], v, env, __builtin_bswap64(rd(a[1], v, env)));
            break;
        case INDEX_op_deposit: {
            unsigned pos = a[3], len = a[4];
            uint64_t msk = (len == 64 ? ~0ull : (1ull << len) - 1) << pos;
            x = rd(a[1], v, env);
            y = rd(a[2], v, env);
            wr(a[0], v, env, (x & ~msk) | ((y << pos) & msk));
            break;
        }
        case INDEX_op_extract: {
            unsigned pos = a[2], len = a[3];
            x = rd(a[1], v, env) >> pos;
            if (len < 64) {
                x &= (1ull << len) - 1;
            }
            wr(a[0], v, env, x);
            break;
        }
        case INDEX_op_sextract: {
            unsigned pos = a[2], len = a[3];
            x = rd(a[1], v, env);
            wr(a[0], v, env, (uint64_t)((int64_t)(x << (64 - pos - len)) >>
                                        (64 - len)));
            break;
        }
        case INDEX_op_qemu_ld: {
            MemOp mop = get_memop(a[2]);
            x = rd(a[1], v, env);
            if (tcg_softmmu) {
                /* System mode: the soft TLB (it checks alignment). */
                wr(a[0], v, env, tcg_softmmu->ld(env, x, a[2], NULL));
                break;
            }
            check_align(x, mop);
            wr(a[0], v, env, mem_ld(x, mop));
            break;
        }
        case INDEX_op_qemu_st: {
            MemOp mop = get_memop(a[2]);
            x = rd(a[1], v, env);
            if (tcg_softmmu) {
                tcg_softmmu->st(env, x, rd(a[0], v, env), a[2], NULL);
                break;
            }
            check_align(x, mop);
            mem_st(x, mop, rd(a[0], v, env));
            break;
        }
        case INDEX_op_cmpxchg: {
            MemOp mop = get_memop(a[4]);
            void *p;
            uint64_t cmp = rd(a[2], v, env), nv = rd(a[3], v, env);
            if (tcg_softmmu) {
                wr(a[0], v, env, tcg_softmmu->atomic(
                       env, rd(a[1], v, env), cmp, nv,
                       (uint32_t)a[4] | ((uint64_t)TCG_SOFTMMU_CMPXCHG <<
                                         TCG_SOFTMMU_OP_SHIFT), NULL));
                break;
            }
            p = g2h(rd(a[1], v, env));
            switch (mop & MO_SIZE) {
            case MO_8: {
                uint8_t e = cmp;
                __atomic_compare_exchange_n((uint8_t *)p, &e, (uint8_t)nv,
                                            false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST);
                r = e;
                break;
            }
            case MO_16: {
                uint16_t e = cmp;
                __atomic_compare_exchange_n((uint16_t *)p, &e, (uint16_t)nv,
                                            false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST);
                r = e;
                break;
            }
            case MO_32: {
                uint32_t e = cmp;
                __atomic_compare_exchange_n((uint32_t *)p, &e, (uint32_t)nv,
                                            false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST);
                r = e;
                break;
            }
            default: {
                uint64_t e = cmp;
                __atomic_compare_exchange_n((uint64_t *)p, &e, nv, false,
                                            __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST);
                r = e;
                break;
            }
            }
            wr(a[0], v, env, r);
            break;
        }
        case INDEX_op_xchg:
        case INDEX_op_xadd: {
            MemOp mop = get_memop(a[3]);
            void *p;
            bool add = in->opc == INDEX_op_xadd;
            y = rd(a[2], v, env);
            if (tcg_softmmu) {
                uint64_t op = add ? TCG_SOFTMMU_XADD : TCG_SOFTMMU_XCHG;
                wr(a[0], v, env, tcg_softmmu->atomic(
                       env, rd(a[1], v, env), y, 0,
                       (uint32_t)a[3] | (op << TCG_SOFTMMU_OP_SHIFT), NULL));
                break;
            }
            p = g2h(rd(a[1], v, env));
            switch (mop & MO_SIZE) {
            case MO_8:
                r = add ? __atomic_fetch_add((uint8_t *)p, y, __ATOMIC_SEQ_CST)
                        : __atomic_exchange_n((uint8_t *)p, y,
                                              __ATOMIC_SEQ_CST);
                break;
            case MO_16:
                r = add ? __atomic_fetch_add((uint16_t *)p, y,
                                             __ATOMIC_SEQ_CST)
                        : __atomic_exchange_n((uint16_t *)p, y,
                                              __ATOMIC_SEQ_CST);
                break;
            case MO_32:
                r = add ? __atomic_fetch_add((uint32_t *)p, y,
                                             __ATOMIC_SEQ_CST)
                        : __atomic_exchange_n((uint32_t *)p, y,
                                              __ATOMIC_SEQ_CST);
                break;
            default:
                r = add ? __atomic_fetch_add((uint64_t *)p, y,
                                             __ATOMIC_SEQ_CST)
                        : __atomic_exchange_n((uint64_t *)p, y,
                                              __ATOMIC_SEQ_CST);
                break;
            }
            wr(a[0], v, env, r);
            break;
        }
        default:
            g_error("interp: unhandled op %s", tcg_op_defs[in->opc].name);
        }
    }
}

static void interp_set_jmp_target(TranslationBlock *tb, int n,
                                  const void *addr)
{
    const InterpTB *h = tb->tc_ptr;
    const InterpInsn *in = (const InterpInsn *)((const uint8_t *)h +
                                                tb->jmp_insn_offset[n]);
    uint64_t *slot = tcg_rx_to_rw(&in->a[1]);
    /* Reset means "fall through to the exit path": pointer 0. */
    uint64_t p = (const uint8_t *)addr == (const uint8_t *)h ? 0
                 : (uintptr_t)addr;

    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
}

static size_t interp_init(TCGContext *s)
{
    return 0;
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .host_code = false,
    .init = interp_init,
    .gen_code = interp_gen_code,
    .exec = interp_exec,
    .set_jmp_target = interp_set_jmp_target,
};
