/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emitters for control flow, the stack, string instructions and the
 * system-ish instructions a user program may execute (CPUID, RDTSC,
 * RDRAND, SYSCALL, FXSAVE ...). Privileged instructions raise #GP,
 * which user mode turns into SIGSEGV.
 */
#include "ember/osdep.h"
#include "translate.h"

/* A branch target: EIP wraps at the operand size, within CS. */
static uint64_t mask_pc(DisasContext *s, uint64_t pc)
{
    uint64_t base = s->base.tb->cs_base;

    if (s->code64) {
        return pc;
    }
    pc -= base;
    return base + (s->dflag == MO_16 ? (uint16_t)pc : (uint32_t)pc);
}

/* The return address a CALL pushes: EIP, not the linear address. */
static uint64_t next_eip(DisasContext *s)
{
    return s->pc - s->base.tb->cs_base;
}

void gen_jcc(DisasContext *s, X86Insn *d);
void gen_jcc(DisasContext *s, X86Insn *d)
{
    uint64_t target = mask_pc(s, s->pc + d->op[0].imm);
    int taken = tcg_new_label();

    if (x86_flags_dead_after(s, s->pc, CC_ARITH_MASK) &&
        x86_flags_dead_after(s, target, CC_ARITH_MASK)) {
        gen_jcc_label_last(s, d->e->arg, taken);
    } else {
        gen_jcc_label(s, d->e->arg, taken);
    }
    gen_goto_tb(s, 0, s->pc);
    tcg_gen_set_label(taken);
    gen_goto_tb(s, 1, target);
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_setcc_insn(DisasContext *s, X86Insn *d);
void gen_setcc_insn(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();

    gen_setcc(s, d->e->arg, t);
    gen_st_op(s, d, 0, t);
}

/* LOOP/LOOPE/LOOPNE/JrCXZ with the address-size counter. */
void gen_loop(DisasContext *s, X86Insn *d);
void gen_loop(DisasContext *s, X86Insn *d)
{
    uint64_t target = mask_pc(s, s->pc + d->op[0].imm);
    int op = d->e->arg;
    int taken = tcg_new_label(), not_taken = tcg_new_label();
    TCGv c = tcg_temp_new();
    TCGType t = s->aflag == MO_64 ? TCG_TYPE_I64 : TCG_TYPE_I32;

    TCGv zf = NULL;

    if (op <= 1) {
        /* The ZF test first, so both branches see one flags state. */
        zf = tcg_temp_new();
        gen_setcc(s, 0x4, zf);
    }
    if (op != 3) {
        tcg_gen_subi_i64(c, cpu_regs[R_ECX], 1);
        gen_st_reg(s, s->aflag, R_ECX, c);
    }
    gen_update_cc_op(s);
    if (s->aflag == MO_16) {
        tcg_gen_ext16u(c, cpu_regs[R_ECX]);
    } else {
        tcg_gen_mov(c, cpu_regs[R_ECX]);
    }
    switch (op) {
    case 0: /* LOOPNE: rcx != 0 && !ZF */
        tcg_gen_brcondi(t, TCG_COND_EQ, c, 0, not_taken);
        tcg_gen_brcondi(TCG_TYPE_I64, TCG_COND_EQ, zf, 0, taken);
        break;
    case 1: /* LOOPE */
        tcg_gen_brcondi(t, TCG_COND_EQ, c, 0, not_taken);
        tcg_gen_brcondi(TCG_TYPE_I64, TCG_COND_NE, zf, 0, taken);
        break;
    case 2: /* LOOP */
        tcg_gen_brcondi(t, TCG_COND_NE, c, 0, taken);
        break;
    default: /* JrCXZ */
        tcg_gen_brcondi(t, TCG_COND_EQ, c, 0, taken);
        break;
    }
    tcg_gen_set_label(not_taken);
    gen_goto_tb(s, 0, s->pc);
    tcg_gen_set_label(taken);
    gen_goto_tb(s, 1, target);
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_jmp_rel(DisasContext *s, X86Insn *d);
void gen_jmp_rel(DisasContext *s, X86Insn *d)
{
    gen_jmp_to(s, mask_pc(s, s->pc + d->op[0].imm));
}

void gen_call_rel(DisasContext *s, X86Insn *d);
void gen_call_rel(DisasContext *s, X86Insn *d)
{
    uint64_t target = mask_pc(s, s->pc + d->op[0].imm);
    MemOp ot = s->code64 ? MO_64 : s->dflag;

    gen_push(s, ot, tcg_constant(next_eip(s)));
    gen_jmp_to(s, target);
}

void gen_call_ind(DisasContext *s, X86Insn *d);
void gen_call_ind(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();
    MemOp ot = s->code64 ? MO_64 : s->dflag;

    d->op[0].ot = ot;
    tcg_gen_mov(t, gen_ld_op(s, d, 0));
    if (ot != MO_64) {
        gen_ext_size(t, t, ot, false);
    }
    gen_push(s, ot, tcg_constant(next_eip(s)));
    gen_jmp_indirect(s, t);
}

void gen_jmp_ind(DisasContext *s, X86Insn *d);
void gen_jmp_ind(DisasContext *s, X86Insn *d)
{
    TCGv t = tcg_temp_new();
    MemOp ot = s->code64 ? MO_64 : s->dflag;

    d->op[0].ot = ot;
    gen_ext_size(t, gen_ld_op(s, d, 0), ot, false);
    gen_jmp_indirect(s, t);
}

void gen_ret(DisasContext *s, X86Insn *d);
void gen_ret(DisasContext *s, X86Insn *d)
{
    MemOp ot = s->code64 ? MO_64 : s->dflag;
    TCGv t = gen_pop(s, ot);

    if (d->op[0].loc == LOC_IMM) {
        tcg_gen_addi_i64(cpu_regs[R_ESP], cpu_regs[R_ESP],
                         (uint16_t)d->op[0].imm);
    }
    gen_jmp_indirect(s, t);
}

void gen_push_insn(DisasContext *s, X86Insn *d);
void gen_push_insn(DisasContext *s, X86Insn *d)
{
    MemOp ot = stack_ot(s);

    d->op[0].ot = ot;
    if (d->op[0].loc == LOC_REG && ot == MO_64) {
        gen_push(s, ot, cpu_regs[d->op[0].reg]);
        return;
    }
    gen_push(s, ot, gen_ld_op(s, d, 0));
}

void gen_pop_insn(DisasContext *s, X86Insn *d);
void gen_pop_insn(DisasContext *s, X86Insn *d)
{
    MemOp ot = stack_ot(s);
    TCGv v = gen_pop(s, ot);

    /* A memory destination based on rSP uses the incremented value
     * (SDM vol. 2B, POP). */
    d->op[0].ot = ot;
    gen_st_op(s, d, 0, v);
}

static void gen_trap(DisasContext *s, int excp)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc);
    tcg_gen_call2(&hinfo_raise_exception, NULL, tcg_ctx->env,
                  tcg_constant(excp));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_int3(DisasContext *s, X86Insn *d);
void gen_int3(DisasContext *s, X86Insn *d)
{
    gen_trap(s, EXCP03_INT3);
}

void gen_int1(DisasContext *s, X86Insn *d);
void gen_int1(DisasContext *s, X86Insn *d)
{
    gen_trap(s, EXCP01_DB);
}

void gen_int(DisasContext *s, X86Insn *d);
void gen_int(DisasContext *s, X86Insn *d)
{
    int n = d->op[0].imm & 0xff;

    if (n == 3) {
        gen_trap(s, EXCP03_INT3);
        return;
    }
    /* In user mode a software interrupt is a #GP through the IDT gate's
     * DPL check; the error code names the vector (IDT, external=0). */
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call3(&hinfo_raise_exception_err, NULL, tcg_ctx->env,
                  tcg_constant(EXCP0D_GPF), tcg_constant(n * 8 + 2));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_into(DisasContext *s, X86Insn *d);
void gen_into(DisasContext *s, X86Insn *d)
{
    gen_illegal_opcode(s);
}

void gen_syscall(DisasContext *s, X86Insn *d);
void gen_syscall(DisasContext *s, X86Insn *d)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc);
    tcg_gen_call1(&hinfo_syscall, NULL, tcg_ctx->env);
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_ud2(DisasContext *s, X86Insn *d);
void gen_ud2(DisasContext *s, X86Insn *d)
{
    gen_illegal_opcode(s);
}

void gen_priv(DisasContext *s, X86Insn *d);
void gen_priv(DisasContext *s, X86Insn *d)
{
    if (s->cpl != 0) {
        gen_update_cc_op(s);
        gen_update_rip(s, s->pc_start);
        tcg_gen_call3(&hinfo_raise_exception_err, NULL, tcg_ctx->env,
                      tcg_constant(EXCP0D_GPF), tcg_constant(0));
        s->base.is_jmp = DISAS_NORETURN;
        return;
    }
    /* System mode will implement these (see docs/jit.md). */
    gen_illegal_opcode(s);
}

/* ---- String instructions (SDM vol. 1, 7.3.9) --------------------------- */

static TCGv string_delta(DisasContext *s, MemOp ot)
{
    TCGv df = tcg_temp_new();

    tcg_gen_ld(MO_SL, df, tcg_ctx->env, offsetof(CPUX86State, df));
    if (ot) {
        tcg_gen_shli_i64(df, df, ot);
    }
    return df;
}

static TCGv string_addr(DisasContext *s, int reg, int seg, int def)
{
    TCGv a = tcg_temp_new();

    gen_ext_size(a, cpu_regs[reg], s->aflag, false);
    return gen_seg_addr(s, a, seg, def);
}

static void string_advance(DisasContext *s, int reg, TCGv delta)
{
    TCGv t = tcg_temp_new();

    tcg_gen_add_i64(t, cpu_regs[reg], delta);
    gen_st_reg(s, s->aflag, reg, t);
}

static void gen_rep_call(DisasContext *s, X86Insn *d,
                         const TCGHelperInfo *h, int seg_arg)
{
    TCGv seg_base = tcg_constant(0);

    if (seg_arg >= 0) {
        seg_base = s->code64 && seg_arg != R_FS && seg_arg != R_GS
                   ? tcg_constant(0) : cpu_seg_base[seg_arg];
    }
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call5(h, NULL, tcg_ctx->env, tcg_constant(d->ot),
                  tcg_constant(s->aflag), seg_base,
                  tcg_constant(s->rep == 0xf2));
}

void gen_movs(DisasContext *s, X86Insn *d);
void gen_movs(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    int seg = s->override >= 0 ? s->override : R_DS;
    TCGv v, delta;

    if (s->rep) {
        gen_rep_call(s, d, &hinfo_rep_movs, seg);
        return;
    }
    v = tcg_temp_new();
    gen_qemu_ld(s, v, string_addr(s, R_ESI, s->override, R_DS), ot);
    gen_qemu_st(s, v, string_addr(s, R_EDI, R_ES, R_ES), ot);
    (void)seg;
    delta = string_delta(s, ot);
    string_advance(s, R_ESI, delta);
    string_advance(s, R_EDI, delta);
}

void gen_stos(DisasContext *s, X86Insn *d);
void gen_stos(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;

    if (s->rep) {
        gen_rep_call(s, d, &hinfo_rep_stos, -1);
        return;
    }
    gen_qemu_st(s, cpu_regs[R_EAX], string_addr(s, R_EDI, R_ES, R_ES), ot);
    string_advance(s, R_EDI, string_delta(s, ot));
}

void gen_lods(DisasContext *s, X86Insn *d);
void gen_lods(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    int seg = s->override >= 0 ? s->override : R_DS;
    TCGv v;

    if (s->rep) {
        gen_rep_call(s, d, &hinfo_rep_lods, seg);
        return;
    }
    v = tcg_temp_new();
    gen_qemu_ld(s, v, string_addr(s, R_ESI, s->override, R_DS), ot);
    gen_st_reg(s, ot, R_EAX, v);
    string_advance(s, R_ESI, string_delta(s, ot));
}

void gen_scas(DisasContext *s, X86Insn *d);
void gen_scas(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    TCGv v, r;

    if (s->rep) {
        gen_rep_call(s, d, &hinfo_rep_scas, -1);
        set_cc_op(s, CC_OP_DYNAMIC);
        return;
    }
    v = tcg_temp_new();
    r = tcg_temp_new();
    gen_qemu_ld(s, v, string_addr(s, R_EDI, R_ES, R_ES), ot);
    tcg_gen_sub(ot_type(ot), r, cpu_regs[R_EAX], v);
    tcg_gen_mov(s->cc_srcT, cpu_regs[R_EAX]);
    tcg_gen_mov(cpu_cc_src, v);
    tcg_gen_mov(cpu_cc_dst, r);
    set_cc_op(s, CC_OP_SUBB + ot);
    string_advance(s, R_EDI, string_delta(s, ot));
}

void gen_cmps(DisasContext *s, X86Insn *d);
void gen_cmps(DisasContext *s, X86Insn *d)
{
    MemOp ot = d->ot;
    int seg = s->override >= 0 ? s->override : R_DS;
    TCGv a, b, r, delta;

    if (s->rep) {
        gen_rep_call(s, d, &hinfo_rep_cmps, seg);
        set_cc_op(s, CC_OP_DYNAMIC);
        return;
    }
    a = tcg_temp_new();
    b = tcg_temp_new();
    r = tcg_temp_new();
    gen_qemu_ld(s, a, string_addr(s, R_ESI, s->override, R_DS), ot);
    gen_qemu_ld(s, b, string_addr(s, R_EDI, R_ES, R_ES), ot);
    tcg_gen_sub(ot_type(ot), r, a, b);
    tcg_gen_mov(s->cc_srcT, a);
    tcg_gen_mov(cpu_cc_src, b);
    tcg_gen_mov(cpu_cc_dst, r);
    set_cc_op(s, CC_OP_SUBB + ot);
    delta = string_delta(s, ot);
    string_advance(s, R_ESI, delta);
    string_advance(s, R_EDI, delta);
}

/* ---- Processor information and misc ------------------------------------ */

void gen_cpuid(DisasContext *s, X86Insn *d);
void gen_cpuid(DisasContext *s, X86Insn *d)
{
    tcg_gen_call1(&hinfo_cpuid, NULL, tcg_ctx->env);
}

void gen_rdtsc(DisasContext *s, X86Insn *d);
void gen_rdtsc(DisasContext *s, X86Insn *d)
{
    tcg_gen_call2(&hinfo_rdtsc, NULL, tcg_ctx->env, tcg_constant(0));
}

void gen_rdtscp(DisasContext *s, X86Insn *d);
void gen_rdtscp(DisasContext *s, X86Insn *d)
{
    tcg_gen_call2(&hinfo_rdtsc, NULL, tcg_ctx->env, tcg_constant(1));
}

void gen_xgetbv(DisasContext *s, X86Insn *d);
void gen_xgetbv(DisasContext *s, X86Insn *d)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call1(&hinfo_xgetbv, NULL, tcg_ctx->env);
}

void gen_rdrand(DisasContext *s, X86Insn *d);
void gen_rdrand(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    tcg_gen_call1(&hinfo_rdrand, r, tcg_constant(8 << d->ot));
    gen_st_op(s, d, 0, r);
    /* CF = 1 (a value was returned); OF SF ZF AF PF = 0. */
    tcg_gen_movi(cpu_cc_src, CC_C);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_rdpid(DisasContext *s, X86Insn *d);
void gen_rdpid(DisasContext *s, X86Insn *d)
{
    TCGv r = tcg_temp_new();

    tcg_gen_ld(MO_64, r, tcg_ctx->env, offsetof(CPUX86State, tsc_aux));
    gen_st_reg(s, MO_64, d->op[0].reg, r);
}

void gen_fxsave(DisasContext *s, X86Insn *d);
void gen_fxsave(DisasContext *s, X86Insn *d)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call3(d->e->arg ? &hinfo_fxrstor : &hinfo_fxsave, NULL,
                  tcg_ctx->env, gen_lea_addr(s, d),
                  tcg_constant(s->rex_w));
}

void gen_ldmxcsr(DisasContext *s, X86Insn *d);
void gen_ldmxcsr(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    gen_qemu_ld(s, v, gen_lea_addr(s, d), MO_32);
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call2(&hinfo_ldmxcsr, NULL, tcg_ctx->env, v);
}

void gen_stmxcsr(DisasContext *s, X86Insn *d);
void gen_stmxcsr(DisasContext *s, X86Insn *d)
{
    TCGv v = tcg_temp_new();

    tcg_gen_call1(&hinfo_stmxcsr, v, tcg_ctx->env);
    gen_qemu_st(s, v, gen_lea_addr(s, d), MO_32);
}

void gen_fwait(DisasContext *s, X86Insn *d);
void gen_fwait(DisasContext *s, X86Insn *d)
{
    /* Pending x87 exceptions are never unmasked-and-raised here. */
}
