/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x87 instructions, opcodes D8-DF (SDM vol. 2, appendix A.4: ModRM.reg
 * selects the operation for memory forms; the whole ModRM byte for the
 * register forms). Memory operands of 16/32/64 bits are loaded and
 * stored here, so faults are precise without help from the helpers.
 */
#include "ember/osdep.h"
#include "translate.h"

static TCGv env(void)
{
    return tcg_ctx->env;
}

static void call_env(const TCGHelperInfo *h)
{
    tcg_gen_call1(h, NULL, env());
}

/* D8 (m32fp), DC (m64fp), DA (m32int), DE (m16int): ST0 op= m. */
static void x87_mem_arith(DisasContext *s, int op, TCGv v, int kind)
{
    static const TCGHelperInfo *const arith[3] = {
        &hinfo_farith_f32, &hinfo_farith_f64, &hinfo_farith_int,
    };
    static const TCGHelperInfo *const com[3] = {
        &hinfo_fcom_f32, &hinfo_fcom_f64, &hinfo_fcom_int,
    };

    switch (op) {
    case 2: /* FCOM */
    case 3: /* FCOMP */
        tcg_gen_call2(com[kind], NULL, env(), v);
        if (op == 3) {
            call_env(&hinfo_fpop);
        }
        break;
    default:
        tcg_gen_call3(arith[kind], NULL, env(), tcg_constant(op), v);
        break;
    }
}

static void x87_mem(DisasContext *s, X86Insn *d, int b, int op)
{
    TCGv a = gen_lea_addr(s, d);
    TCGv v = tcg_temp_new();
    bool data32 = s->dflag != MO_16;

    switch (b) {
    case 0xd8:
        gen_qemu_ld(s, v, a, MO_32);
        x87_mem_arith(s, op, v, 0);
        return;
    case 0xdc:
        gen_qemu_ld(s, v, a, MO_64);
        x87_mem_arith(s, op, v, 1);
        return;
    case 0xda:
        gen_qemu_ld(s, v, a, MO_SL);
        x87_mem_arith(s, op, v, 2);
        return;
    case 0xde:
        gen_qemu_ld(s, v, a, MO_SW);
        x87_mem_arith(s, op, v, 2);
        return;
    case 0xd9:
        switch (op) {
        case 0: /* FLD m32fp */
            gen_qemu_ld(s, v, a, MO_32);
            tcg_gen_call2(&hinfo_fld_f32, NULL, env(), v);
            return;
        case 2: /* FST m32fp */
        case 3: /* FSTP */
            tcg_gen_call1(&hinfo_fst_f32, v, env());
            gen_qemu_st(s, v, a, MO_32);
            if (op == 3) {
                call_env(&hinfo_fpop);
            }
            return;
        case 4: /* FLDENV */
            tcg_gen_call3(&hinfo_fldenv, NULL, env(), a,
                          tcg_constant(data32));
            return;
        case 5: /* FLDCW */
            gen_qemu_ld(s, v, a, MO_16);
            tcg_gen_call2(&hinfo_fldcw, NULL, env(), v);
            return;
        case 6: /* FNSTENV */
            tcg_gen_call3(&hinfo_fnstenv, NULL, env(), a,
                          tcg_constant(data32));
            return;
        case 7: /* FNSTCW */
            tcg_gen_call1(&hinfo_fnstcw, v, env());
            gen_qemu_st(s, v, a, MO_16);
            return;
        }
        break;
    case 0xdb:
        switch (op) {
        case 0: /* FILD m32int */
            gen_qemu_ld(s, v, a, MO_SL);
            tcg_gen_call2(&hinfo_fld_int, NULL, env(), v);
            return;
        case 1: /* FISTTP m32 */
        case 2: /* FIST m32 */
        case 3: /* FISTP m32 */
            tcg_gen_call3(&hinfo_fist, v, env(), tcg_constant(32),
                          tcg_constant(op == 1));
            gen_qemu_st(s, v, a, MO_32);
            if (op != 2) {
                call_env(&hinfo_fpop);
            }
            return;
        case 5: /* FLD m80fp */
            tcg_gen_call2(&hinfo_fld_f80, NULL, env(), a);
            return;
        case 7: /* FSTP m80fp */
            tcg_gen_call2(&hinfo_fst_f80, NULL, env(), a);
            call_env(&hinfo_fpop);
            return;
        }
        break;
    case 0xdd:
        switch (op) {
        case 0: /* FLD m64fp */
            gen_qemu_ld(s, v, a, MO_64);
            tcg_gen_call2(&hinfo_fld_f64, NULL, env(), v);
            return;
        case 1: /* FISTTP m64 */
            tcg_gen_call3(&hinfo_fist, v, env(), tcg_constant(64),
                          tcg_constant(1));
            gen_qemu_st(s, v, a, MO_64);
            call_env(&hinfo_fpop);
            return;
        case 2: /* FST m64fp */
        case 3: /* FSTP */
            tcg_gen_call1(&hinfo_fst_f64, v, env());
            gen_qemu_st(s, v, a, MO_64);
            if (op == 3) {
                call_env(&hinfo_fpop);
            }
            return;
        case 4: /* FRSTOR */
            tcg_gen_call3(&hinfo_frstor, NULL, env(), a,
                          tcg_constant(data32));
            return;
        case 6: /* FNSAVE */
            tcg_gen_call3(&hinfo_fnsave, NULL, env(), a,
                          tcg_constant(data32));
            return;
        case 7: /* FNSTSW m16 */
            tcg_gen_call1(&hinfo_fnstsw, v, env());
            gen_qemu_st(s, v, a, MO_16);
            return;
        }
        break;
    case 0xdf:
        switch (op) {
        case 0: /* FILD m16int */
            gen_qemu_ld(s, v, a, MO_SW);
            tcg_gen_call2(&hinfo_fld_int, NULL, env(), v);
            return;
        case 1: /* FISTTP m16 */
        case 2: /* FIST m16 */
        case 3: /* FISTP m16 */
            tcg_gen_call3(&hinfo_fist, v, env(), tcg_constant(16),
                          tcg_constant(op == 1));
            gen_qemu_st(s, v, a, MO_16);
            if (op != 2) {
                call_env(&hinfo_fpop);
            }
            return;
        case 4: /* FBLD */
            tcg_gen_call2(&hinfo_fbld, NULL, env(), a);
            return;
        case 5: /* FILD m64int */
            gen_qemu_ld(s, v, a, MO_64);
            tcg_gen_call2(&hinfo_fld_int, NULL, env(), v);
            return;
        case 6: /* FBSTP */
            tcg_gen_call2(&hinfo_fbstp, NULL, env(), a);
            return;
        case 7: /* FISTP m64 */
            tcg_gen_call3(&hinfo_fist, v, env(), tcg_constant(64),
                          tcg_constant(0));
            gen_qemu_st(s, v, a, MO_64);
            call_env(&hinfo_fpop);
            return;
        }
        break;
    }
    gen_illegal_opcode(s);
}

/* FCMOVcc: the x86 condition of Jcc nibble cc. */
static void x87_fcmov(DisasContext *s, int i, int cc)
{
    TCGv c = tcg_temp_new();

    gen_setcc(s, cc, c);
    tcg_gen_call3(&hinfo_fcmov, NULL, env(), tcg_constant(i), c);
}

static void x87_fcomi(DisasContext *s, int i, bool unordered, bool pop)
{
    TCGv f = tcg_temp_new();

    tcg_gen_call3(&hinfo_fcomi_st, f, env(), tcg_constant(i),
                  tcg_constant(unordered));
    tcg_gen_mov(cpu_cc_src, f);
    set_cc_op(s, CC_OP_EFLAGS);
    if (pop) {
        call_env(&hinfo_fpop);
    }
}

static void x87_reg(DisasContext *s, X86Insn *d, int b, int modrm)
{
    int op = (modrm >> 3) & 7, i = modrm & 7;

    switch (b) {
    case 0xd8:
        if (op == 2 || op == 3) {
            tcg_gen_call3(&hinfo_fcom_st, NULL, env(), tcg_constant(i),
                          tcg_constant(0));
            if (op == 3) {
                call_env(&hinfo_fpop);
            }
        } else {
            tcg_gen_call4(&hinfo_farith_st, NULL, env(), tcg_constant(op),
                          tcg_constant(0), tcg_constant(i));
        }
        return;
    case 0xdc:
    case 0xde: {
        /* ST(i) = ST(i) op ST(0): SUB/SUBR and DIV/DIVR swap roles. */
        static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
        if (op == 2 || op == 3) {
            if (b == 0xde && op == 3 && i == 1) {   /* FCOMPP */
                tcg_gen_call3(&hinfo_fcom_st, NULL, env(), tcg_constant(1),
                              tcg_constant(0));
                call_env(&hinfo_fpop);
                call_env(&hinfo_fpop);
                return;
            }
            if (b == 0xde) {
                break;
            }
            tcg_gen_call3(&hinfo_fcom_st, NULL, env(), tcg_constant(i),
                          tcg_constant(0));
            if (op == 3) {
                call_env(&hinfo_fpop);
            }
            return;
        }
        tcg_gen_call4(&hinfo_farith_st, NULL, env(), tcg_constant(swap[op]),
                      tcg_constant(i), tcg_constant(0));
        if (b == 0xde) {
            call_env(&hinfo_fpop);
        }
        return;
    }
    case 0xd9:
        switch (op) {
        case 0: /* FLD ST(i) */
            tcg_gen_call2(&hinfo_fpush_st, NULL, env(), tcg_constant(i));
            return;
        case 1: /* FXCH */
            tcg_gen_call2(&hinfo_fxch, NULL, env(), tcg_constant(i));
            return;
        case 2:
            if (i == 0) {   /* FNOP */
                return;
            }
            break;
        case 3: /* FSTP1 (alias) */
            tcg_gen_call2(&hinfo_fst_st, NULL, env(), tcg_constant(i));
            call_env(&hinfo_fpop);
            return;
        default:
            if (modrm == 0xe2 || modrm == 0xe3 || modrm == 0xe6 ||
                modrm == 0xe7 || modrm == 0xef) {
                break;
            }
            tcg_gen_call2(&hinfo_fmisc, NULL, env(), tcg_constant(modrm));
            return;
        }
        break;
    case 0xda:
        switch (op) {
        case 0: x87_fcmov(s, i, 0x2); return;   /* FCMOVB */
        case 1: x87_fcmov(s, i, 0x4); return;   /* FCMOVE */
        case 2: x87_fcmov(s, i, 0x6); return;   /* FCMOVBE */
        case 3: x87_fcmov(s, i, 0xa); return;   /* FCMOVU */
        case 5:
            if (i == 1) {   /* FUCOMPP */
                tcg_gen_call3(&hinfo_fcom_st, NULL, env(), tcg_constant(1),
                              tcg_constant(1));
                call_env(&hinfo_fpop);
                call_env(&hinfo_fpop);
                return;
            }
            break;
        }
        break;
    case 0xdb:
        switch (op) {
        case 0: x87_fcmov(s, i, 0x3); return;   /* FCMOVNB */
        case 1: x87_fcmov(s, i, 0x5); return;   /* FCMOVNE */
        case 2: x87_fcmov(s, i, 0x7); return;   /* FCMOVNBE */
        case 3: x87_fcmov(s, i, 0xb); return;   /* FCMOVNU */
        case 4:
            if (modrm == 0xe2) {
                call_env(&hinfo_fnclex);
                return;
            }
            if (modrm == 0xe3) {
                call_env(&hinfo_fninit);
                return;
            }
            if (modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4) {
                return;     /* FENI/FDISI/FSETPM: no-ops */
            }
            break;
        case 5: x87_fcomi(s, i, true, false); return;   /* FUCOMI */
        case 6: x87_fcomi(s, i, false, false); return;  /* FCOMI */
        }
        break;
    case 0xdd:
        switch (op) {
        case 0: /* FFREE */
            tcg_gen_call2(&hinfo_ffree, NULL, env(), tcg_constant(i));
            return;
        case 1: /* FXCH4 (alias) */
            tcg_gen_call2(&hinfo_fxch, NULL, env(), tcg_constant(i));
            return;
        case 2: /* FST ST(i) */
        case 3: /* FSTP ST(i) */
            tcg_gen_call2(&hinfo_fst_st, NULL, env(), tcg_constant(i));
            if (op == 3) {
                call_env(&hinfo_fpop);
            }
            return;
        case 4: /* FUCOM */
        case 5: /* FUCOMP */
            tcg_gen_call3(&hinfo_fcom_st, NULL, env(), tcg_constant(i),
                          tcg_constant(1));
            if (op == 5) {
                call_env(&hinfo_fpop);
            }
            return;
        }
        break;
    case 0xdf:
        switch (op) {
        case 0: /* FFREEP */
            tcg_gen_call2(&hinfo_ffree, NULL, env(), tcg_constant(i));
            call_env(&hinfo_fpop);
            return;
        case 1: /* FXCH7 */
            tcg_gen_call2(&hinfo_fxch, NULL, env(), tcg_constant(i));
            return;
        case 2:
        case 3: /* FSTP8/9 */
            tcg_gen_call2(&hinfo_fst_st, NULL, env(), tcg_constant(i));
            call_env(&hinfo_fpop);
            return;
        case 4:
            if (i == 0) {   /* FNSTSW AX */
                TCGv v = tcg_temp_new();
                tcg_gen_call1(&hinfo_fnstsw, v, env());
                gen_st_reg(s, MO_16, R_EAX, v);
                return;
            }
            break;
        case 5: x87_fcomi(s, i, true, true); return;    /* FUCOMIP */
        case 6: x87_fcomi(s, i, false, true); return;   /* FCOMIP */
        }
        break;
    }
    gen_illegal_opcode(s);
}

void gen_x87(DisasContext *s, X86Insn *d)
{
    int modrm = d->modrm;

    /* CR0.EM or TS set: #NM (system mode). */
    if (s->flags & (HF_EM_MASK | HF_TS_MASK)) {
        gen_exception(s, EXCP07_PREX);
        return;
    }
    if ((modrm >> 6) != 3) {
        /* The memory operand was not decoded by the table (no E
         * operand): do it here. */
        x87_mem(s, d, d->b, (modrm >> 3) & 7);
    } else {
        x87_reg(s, d, d->b, modrm);
    }
}
