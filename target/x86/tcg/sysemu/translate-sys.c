/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation of system instructions, and of the 16/32-bit-only ones a
 * PC needs (far transfers, segment pushes and pops, PUSHA ...).
 *
 * The decoder table marks these entries "sys"; system mode registers
 * x86_sys_translate_insn() as the front end's hook for them, so user
 * mode keeps its own handlers (#GP for privileged instructions) and the
 * front end knows nothing of system mode. Privilege checks that depend
 * only on the mode (CPL, IOPL, VM86, PE are all in the block's flags)
 * happen here, at translation time.
 */
#include "ember/osdep.h"
#include "../translate.h"
#include "sysemu.h"
#include "sys-helper.h"

static uint64_t cs_base(DisasContext *s)
{
    return s->base.tb->cs_base;
}

/* EIP of a linear PC within this block's code segment. */
static uint64_t eip_of(DisasContext *s, uint64_t pc)
{
    uint64_t e = pc - cs_base(s);

    if (s->code64) {
        return e;
    }
    return (s->flags & HF_CS32_MASK) ? (uint32_t)e : (uint16_t)e;
}

static TCGv next_eip(DisasContext *s)
{
    return tcg_constant(eip_of(s, s->pc));
}

static bool vm86(DisasContext *s)
{
    return s->flags & HF_VM_MASK;
}

static bool pe(DisasContext *s)
{
    return s->flags & HF_PE_MASK;
}

static int iopl(DisasContext *s)
{
    return (s->flags & HF_IOPL_MASK) >> 12;
}

/* Before a helper that may fault: the state of this instruction. */
static void prepare(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
}

static void gen_gp0(DisasContext *s)
{
    prepare(s);
    tcg_gen_call3(&hinfo_raise_exception_sys, NULL, tcg_ctx->env,
                  tcg_constant(EXCP0D_GPF), tcg_constant(0));
    s->base.is_jmp = DISAS_NORETURN;
}

/* CPL 0 only: #GP(0) otherwise. Returns false when it raised. */
static bool check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_gp0(s);
        return false;
    }
    return true;
}

/* CLI/STI/PUSHF/POPF/INT n: IOPL-sensitive (#GP unless CPL <= IOPL,
 * or IOPL 3 in virtual-8086 mode). */
static bool check_iopl(DisasContext *s)
{
    if (pe(s) && (vm86(s) ? iopl(s) < 3 : s->cpl > iopl(s))) {
        gen_gp0(s);
        return false;
    }
    return true;
}

/* End the block after this instruction (it changed the mode). */
static void end_block(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc);
    s->base.is_jmp = DISAS_EOB_ONLY;
}

static void set_hflag(uint32_t mask)
{
    TCGv t = tcg_temp_new();

    tcg_gen_ld(MO_32, t, tcg_ctx->env, offsetof(CPUX86State, hflags));
    tcg_gen_ori_i64(t, t, mask);
    tcg_gen_st(MO_32, t, tcg_ctx->env, offsetof(CPUX86State, hflags));
}

/* After STI / MOV SS / POP SS: no interrupt before the next instruction
 * (SDM 3A, 6.8.3), unless this one is itself in such a shadow. */
static void inhibit_irq(DisasContext *s)
{
    if (!(s->flags & HF_INHIBIT_IRQ_MASK)) {
        set_hflag(HF_INHIBIT_IRQ_MASK);
    }
}

static TCGv ld_env(MemOp op, intptr_t off)
{
    TCGv t = tcg_temp_new();

    tcg_gen_ld(op, t, tcg_ctx->env, off);
    return t;
}

/* The register/memory operand size of the MOV CR/DR family. */
static MemOp sys_ot(DisasContext *s)
{
    return s->code64 ? MO_64 : MO_32;
}

/* ---- Segments ---------------------------------------------------------- */

static void load_seg(DisasContext *s, int seg, TCGv sel)
{
    prepare(s);
    tcg_gen_call3(&hinfo_load_seg_sys, NULL, tcg_ctx->env,
                  tcg_constant(seg), sel);
}

static void gen_mov_to_seg_sys(DisasContext *s, X86Insn *d)
{
    int seg = d->op[0].reg;
    TCGv v = tcg_temp_new();

    if (seg == R_CS) {
        gen_illegal_opcode(s);
        return;
    }
    d->op[1].ot = MO_16;
    tcg_gen_ext16u(v, gen_ld_op(s, d, 1));
    load_seg(s, seg, v);
    if (seg == R_SS) {
        inhibit_irq(s);
    }
    end_block(s);
}

static void gen_push_seg(DisasContext *s, int seg)
{
    TCGv v = ld_env(MO_32, offsetof(CPUX86State, segs[seg].selector));

    gen_push(s, stack_ot(s), v);
}

/* The top of the stack without popping it (the pop happens only once
 * the segment load succeeded). */
static TCGv stack_top(DisasContext *s)
{
    if (s->code64) {
        return cpu_regs[R_ESP];
    } else {
        TCGv sp = tcg_temp_new();
        gen_ext_size(sp, cpu_regs[R_ESP],
                     (s->flags & HF_SS32_MASK) ? MO_32 : MO_16, false);
        return gen_seg_addr(s, sp, R_SS, R_SS);
    }
}

static void add_sp(DisasContext *s, int n)
{
    TCGv t = tcg_temp_new();

    tcg_gen_addi_i64(t, cpu_regs[R_ESP], n);
    gen_st_reg(s, s->code64 ? MO_64 :
               (s->flags & HF_SS32_MASK) ? MO_32 : MO_16, R_ESP, t);
}

static void gen_pop_seg(DisasContext *s, int seg)
{
    MemOp ot = stack_ot(s);
    TCGv v = tcg_temp_new();

    gen_qemu_ld(s, v, stack_top(s), ot == MO_16 ? MO_16 : MO_16);
    load_seg(s, seg, v);
    add_sp(s, 1 << ot);
    if (seg == R_SS) {
        inhibit_irq(s);
    }
    end_block(s);
}

/* LDS/LES/LSS/LFS/LGS Gv, Mp: offset, then the selector. */
static void gen_lxs(DisasContext *s, X86Insn *d, int seg)
{
    MemOp ot = d->op[0].ot;
    TCGv a = gen_lea_addr(s, d), off = tcg_temp_new(), sel = tcg_temp_new();
    TCGv a2 = tcg_temp_new();

    gen_qemu_ld(s, off, a, ot);
    tcg_gen_addi_i64(a2, a, 1 << ot);
    if (!s->code64) {
        tcg_gen_ext32u(a2, a2);
    }
    gen_qemu_ld(s, sel, a2, MO_16);
    load_seg(s, seg, sel);
    gen_st_reg(s, ot, d->op[0].reg, off);
    if (seg == R_SS) {
        inhibit_irq(s);
    }
    end_block(s);
}

/* ---- Far transfers ------------------------------------------------------- */

static int far_shift(DisasContext *s)
{
    return s->dflag == MO_16 ? 0 : s->dflag == MO_32 ? 1 : 2;
}

static void far_jmp(DisasContext *s, TCGv sel, TCGv off)
{
    prepare(s);
    tcg_gen_call3(&hinfo_ljmp, NULL, tcg_ctx->env, sel, off);
    s->base.is_jmp = DISAS_EOB_ONLY;
}

static void far_call(DisasContext *s, TCGv sel, TCGv off)
{
    prepare(s);
    tcg_gen_call5(&hinfo_lcall, NULL, tcg_ctx->env, sel, off,
                  tcg_constant(far_shift(s)), next_eip(s));
    s->base.is_jmp = DISAS_EOB_ONLY;
}

/* JMPF/CALLF m16:16/32/64. */
static void far_mem(DisasContext *s, X86Insn *d, bool call)
{
    MemOp ot = s->dflag;
    TCGv a = gen_lea_addr(s, d), off = tcg_temp_new(), sel = tcg_temp_new();
    TCGv a2 = tcg_temp_new();

    if (d->op[0].loc != LOC_MEM) {
        gen_illegal_opcode(s);
        return;
    }
    gen_qemu_ld(s, off, a, ot);
    tcg_gen_addi_i64(a2, a, 1 << ot);
    if (!s->code64) {
        tcg_gen_ext32u(a2, a2);
    }
    gen_qemu_ld(s, sel, a2, MO_16);
    if (call) {
        far_call(s, sel, off);
    } else {
        far_jmp(s, sel, off);
    }
}

static void gen_retf(DisasContext *s, X86Insn *d)
{
    int addend = d->op[0].loc == LOC_IMM ? (uint16_t)d->op[0].imm : 0;

    prepare(s);
    tcg_gen_call3(&hinfo_lret, NULL, tcg_ctx->env,
                  tcg_constant(far_shift(s)), tcg_constant(addend));
    s->base.is_jmp = DISAS_EOB_ONLY;
}

static void gen_iret(DisasContext *s)
{
    if (vm86(s) && iopl(s) < 3) {
        gen_gp0(s);
        return;
    }
    prepare(s);
    tcg_gen_call2(&hinfo_iret, NULL, tcg_ctx->env,
                  tcg_constant(far_shift(s)));
    s->base.is_jmp = DISAS_EOB_ONLY;
}

/* ---- Interrupts ---------------------------------------------------------- */

static void gen_soft_int(DisasContext *s, int n)
{
    prepare(s);
    tcg_gen_call3(&hinfo_raise_interrupt, NULL, tcg_ctx->env,
                  tcg_constant(n), next_eip(s));
    s->base.is_jmp = DISAS_NORETURN;
}

static void gen_into(DisasContext *s)
{
    int skip = tcg_new_label();
    TCGv f = tcg_temp_new_tb();

    tcg_gen_andi_i64(f, gen_compute_eflags(s), CC_O);
    gen_update_cc_op(s);
    tcg_gen_brcondi(TCG_TYPE_I64, TCG_COND_EQ, f, 0, skip);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call3(&hinfo_raise_interrupt, NULL, tcg_ctx->env,
                  tcg_constant(EXCP04_INTO), next_eip(s));
    tcg_gen_set_label(skip);
}

/* ---- Flags --------------------------------------------------------------- */

static void gen_cli_sti(DisasContext *s, bool sti)
{
    TCGv f;

    if (!check_iopl(s)) {
        return;
    }
    f = ld_env(MO_64, offsetof(CPUX86State, eflags));
    if (sti) {
        tcg_gen_ori_i64(f, f, IF_MASK);
    } else {
        tcg_gen_andi_i64(f, f, ~(uint64_t)IF_MASK);
    }
    tcg_gen_st(MO_64, f, tcg_ctx->env, offsetof(CPUX86State, eflags));
    if (sti) {
        inhibit_irq(s);
        /* Interrupts are looked at after the next instruction. */
        end_block(s);
    }
}

static void gen_popf_sys(DisasContext *s)
{
    MemOp ot = stack_ot(s);
    TCGv v;

    if (vm86(s) && iopl(s) < 3) {
        gen_gp0(s);
        return;
    }
    v = gen_pop(s, ot);
    gen_update_cc_op(s);
    tcg_gen_call3(&hinfo_write_eflags_sys, NULL, tcg_ctx->env, v,
                  tcg_constant(ot));
    set_cc_op(s, CC_OP_EFLAGS);
    s->cc_op_dirty = false;
    /* IF or TF may have changed. */
    gen_update_rip(s, s->pc);
    s->base.is_jmp = DISAS_EOB_ONLY;
}

static void gen_pushf_sys(DisasContext *s, X86Insn *d)
{
    if (vm86(s) && iopl(s) < 3) {
        gen_gp0(s);
        return;
    }
    d->e->gen(s, d);
}

/* ---- I/O ------------------------------------------------------------------ */

static bool io_needs_check(DisasContext *s)
{
    return pe(s) && (vm86(s) || s->cpl > iopl(s));
}

static void gen_io(DisasContext *s, X86Insn *d, bool in, bool imm)
{
    MemOp ot = d->op[in ? 0 : 1].ot;
    TCGv port;

    if (ot > MO_32) {
        ot = MO_32;
    }
    port = imm ? tcg_constant(d->op[in ? 1 : 0].imm & 0xff) : tcg_temp_new();
    if (!imm) {
        tcg_gen_ext16u(port, cpu_regs[R_EDX]);
    }
    prepare(s);
    if (io_needs_check(s)) {
        tcg_gen_call3(&hinfo_check_io, NULL, tcg_ctx->env, port,
                      tcg_constant(1 << ot));
    }
    if (in) {
        TCGv v = tcg_temp_new();
        tcg_gen_call3(&hinfo_in, v, tcg_ctx->env, port,
                      tcg_constant(1 << ot));
        gen_st_reg(s, ot, R_EAX, v);
    } else {
        tcg_gen_call4(&hinfo_out, NULL, tcg_ctx->env, port,
                      cpu_regs[R_EAX], tcg_constant(1 << ot));
    }
}

static void gen_string_io(DisasContext *s, X86Insn *d, bool in)
{
    MemOp ot = (d->b & 1) ? (s->dflag == MO_16 ? MO_16 : MO_32) : MO_8;
    int seg = s->override >= 0 ? s->override : R_DS;
    TCGv base;

    prepare(s);
    if (in) {
        tcg_gen_call4(&hinfo_ins, NULL, tcg_ctx->env, tcg_constant(1 << ot),
                      tcg_constant(s->aflag), tcg_constant(s->rep != 0));
    } else {
        base = s->code64 && seg != R_FS && seg != R_GS ? tcg_constant(0)
                                                       : cpu_seg_base[seg];
        tcg_gen_call5(&hinfo_outs, NULL, tcg_ctx->env, tcg_constant(1 << ot),
                      tcg_constant(s->aflag), base,
                      tcg_constant(s->rep != 0));
    }
}

/* ---- 0F 00, 0F 01 and the other system registers -------------------------- */

static void store_sel(DisasContext *s, X86Insn *d, TCGv v)
{
    if (d->op[0].loc == LOC_MEM) {
        d->op[0].ot = MO_16;
        gen_st_op(s, d, 0, v);
    } else {
        gen_st_reg(s, s->dflag, d->op[0].reg, v);
    }
}

/* ZF from bit 32 of a helper result; the low half to reg if set. */
static void zf_result(DisasContext *s, TCGv r, int reg, MemOp ot)
{
    TCGv f = tcg_temp_new(), z = tcg_temp_new(), lo = tcg_temp_new();

    tcg_gen_andi_i64(f, gen_compute_eflags(s), ~(uint64_t)CC_Z);
    tcg_gen_extract(z, r, 32, 1);
    tcg_gen_shli_i64(lo, z, 6);
    tcg_gen_or_i64(cpu_cc_src, f, lo);
    set_cc_op(s, CC_OP_EFLAGS);
    if (reg >= 0) {
        TCGv old = tcg_temp_new(), nv = tcg_temp_new();
        tcg_gen_mov(old, cpu_regs[reg]);
        tcg_gen_ext32u(lo, r);
        gen_st_reg(s, ot, reg, lo);
        tcg_gen_movcond(TCG_TYPE_I64, TCG_COND_NE, nv, z, tcg_constant(0),
                        cpu_regs[reg], old);
        tcg_gen_mov(cpu_regs[reg], nv);
    }
}

static void gen_grp6(DisasContext *s, X86Insn *d)
{
    int op = (d->modrm >> 3) & 7;
    TCGv v, r;

    if (!pe(s) || vm86(s)) {
        gen_illegal_opcode(s);
        return;
    }
    switch (op) {
    case 0: /* SLDT */
        store_sel(s, d, ld_env(MO_32, offsetof(CPUX86State, ldt.selector)));
        break;
    case 1: /* STR */
        store_sel(s, d, ld_env(MO_32, offsetof(CPUX86State, tr.selector)));
        break;
    case 2: /* LLDT */
    case 3: /* LTR */
        if (!check_cpl0(s)) {
            return;
        }
        d->op[0].ot = MO_16;
        v = tcg_temp_new();
        tcg_gen_ext16u(v, gen_ld_op(s, d, 0));
        prepare(s);
        tcg_gen_call2(op == 2 ? &hinfo_lldt : &hinfo_ltr, NULL, tcg_ctx->env,
                      v);
        break;
    case 4: /* VERR */
    case 5: /* VERW */
        d->op[0].ot = MO_16;
        v = tcg_temp_new();
        tcg_gen_ext16u(v, gen_ld_op(s, d, 0));
        prepare(s);
        r = tcg_temp_new();
        tcg_gen_call3(&hinfo_lar_lsl, r, tcg_ctx->env, v,
                      tcg_constant(op == 4 ? 2 : 3));
        zf_result(s, r, -1, MO_32);
        break;
    default:
        gen_illegal_opcode(s);
        break;
    }
}

static void gen_lar_lsl(DisasContext *s, X86Insn *d, bool lsl)
{
    TCGv v = tcg_temp_new(), r = tcg_temp_new();

    if (!pe(s) || vm86(s)) {
        gen_illegal_opcode(s);
        return;
    }
    d->op[1].ot = MO_16;
    tcg_gen_ext16u(v, gen_ld_op(s, d, 1));
    prepare(s);
    tcg_gen_call3(&hinfo_lar_lsl, r, tcg_ctx->env, v, tcg_constant(lsl));
    zf_result(s, r, d->op[0].reg, s->dflag == MO_64 ? MO_64 : MO_32);
}

static void gen_grp7(DisasContext *s, X86Insn *d)
{
    int op = (d->modrm >> 3) & 7;
    bool mem = (d->modrm >> 6) != 3;
    TCGv v;

    switch (op) {
    case 0: /* SGDT */
    case 1: /* SIDT */
        prepare(s);
        tcg_gen_call3(&hinfo_sgdt_sidt, NULL, tcg_ctx->env,
                      gen_lea_addr(s, d), tcg_constant(op));
        break;
    case 2: /* LGDT */
    case 3: /* LIDT */
        if (!check_cpl0(s)) {
            return;
        }
        prepare(s);
        tcg_gen_call3(&hinfo_lgdt_lidt, NULL, tcg_ctx->env,
                      gen_lea_addr(s, d),
                      tcg_constant((op & 1) | (s->dflag << 1)));
        break;
    case 4: /* SMSW */
        v = ld_env(MO_64, offsetof(CPUX86State, cr[0]));
        if (mem) {
            d->op[0].ot = MO_16;
            gen_st_op(s, d, 0, v);
        } else {
            gen_st_reg(s, s->dflag, (d->modrm & 7) | s->rex_b, v);
        }
        break;
    case 6: /* LMSW */
        if (!check_cpl0(s)) {
            return;
        }
        d->op[0].ot = MO_16;
        v = tcg_temp_new();
        tcg_gen_ext16u(v, gen_ld_op(s, d, 0));
        prepare(s);
        tcg_gen_call2(&hinfo_lmsw, NULL, tcg_ctx->env, v);
        end_block(s);
        break;
    case 7:
        if (mem) { /* INVLPG */
            if (!check_cpl0(s)) {
                return;
            }
            prepare(s);
            tcg_gen_call2(&hinfo_invlpg, NULL, tcg_ctx->env,
                          gen_lea_addr(s, d));
            end_block(s);
        } else if ((d->modrm & 7) == 0) { /* SWAPGS */
            if (!s->code64) {
                gen_illegal_opcode(s);
                return;
            }
            if (!check_cpl0(s)) {
                return;
            }
            tcg_gen_call1(&hinfo_swapgs, NULL, tcg_ctx->env);
        } else { /* RDTSCP */
            prepare(s);
            tcg_gen_call2(&hinfo_rdtsc_sys, NULL, tcg_ctx->env,
                          tcg_constant(1));
        }
        break;
    default:
        gen_illegal_opcode(s);
        break;
    }
}

/*
 * MOV to or from a control or debug register (SDM 2B, MOV CRn / MOV DRn):
 * n is valid, then CPL 0; a write ends the block (it may change paging,
 * modes or breakpoints).
 */
static void gen_mov_ctl(DisasContext *s, X86Insn *d, bool to_ctl,
                        bool valid, const TCGHelperInfo *rd,
                        const TCGHelperInfo *wr)
{
    int n = d->op[to_ctl ? 0 : 1].reg;
    TCGv v;

    if (!valid) {
        gen_illegal_opcode(s);
        return;
    }
    if (!check_cpl0(s)) {
        return;
    }
    prepare(s);
    v = tcg_temp_new();
    if (to_ctl) {
        gen_ext_size(v, cpu_regs[d->op[1].reg], sys_ot(s), false);
        tcg_gen_call3(wr, NULL, tcg_ctx->env, tcg_constant(n), v);
        end_block(s);
    } else {
        tcg_gen_call2(rd, v, tcg_ctx->env, tcg_constant(n));
        gen_st_reg(s, sys_ot(s), d->op[0].reg, v);
    }
}

static void gen_mov_cr(DisasContext *s, X86Insn *d, bool to_cr)
{
    int cr = d->op[to_cr ? 0 : 1].reg;

    gen_mov_ctl(s, d, to_cr,
                cr == 0 || cr == 2 || cr == 3 || cr == 4 || cr == 8,
                &hinfo_read_cr, &hinfo_write_cr);
}

static void gen_mov_dr(DisasContext *s, X86Insn *d, bool to_dr)
{
    gen_mov_ctl(s, d, to_dr, d->op[to_dr ? 0 : 1].reg <= 7,
                &hinfo_read_dr, &hinfo_write_dr);
}

/* ---- Legacy 16/32-bit instructions ---------------------------------------- */

static void gen_pusha(DisasContext *s)
{
    MemOp ot = s->dflag == MO_16 ? MO_16 : MO_32;
    TCGv sp = tcg_temp_new_tb();

    tcg_gen_mov(sp, cpu_regs[R_ESP]);
    for (int r = R_EAX; r <= R_EDI; r++) {
        gen_push(s, ot, r == R_ESP ? sp : cpu_regs[r]);
    }
}

static void gen_popa(DisasContext *s)
{
    MemOp ot = s->dflag == MO_16 ? MO_16 : MO_32;

    for (int r = R_EDI; r >= R_EAX; r--) {
        TCGv v = gen_pop(s, ot);
        if (r != R_ESP) {
            gen_st_reg(s, ot, r, v);
        }
    }
}

static void gen_xlat(DisasContext *s)
{
    TCGv a = tcg_temp_new(), al = tcg_temp_new(), v = tcg_temp_new();

    tcg_gen_ext8u(al, cpu_regs[R_EAX]);
    tcg_gen_add_i64(a, cpu_regs[R_EBX], al);
    gen_ext_size(a, a, s->aflag, false);
    gen_qemu_ld(s, v, gen_seg_addr(s, a, s->override, R_DS), MO_8);
    gen_st_reg(s, MO_8, R_EAX, v);
}

static void gen_salc(DisasContext *s)
{
    TCGv c = gen_compute_cf(s), v = tcg_temp_new();

    tcg_gen_neg_i64(v, c);
    gen_st_reg(s, MO_8, R_EAX, v);
}

/* ---- The hook ------------------------------------------------------------- */

static void sys_translate(DisasContext *s, X86Insn *d)
{
    const X86OpEntry *e = d->e;
    int op = e->map << 8 | e->opcode;
    int reg = (d->modrm >> 3) & 7;

    switch (op) {
    /* Segment registers. */
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        gen_push_seg(s, (op >> 3) & 3);
        break;
    case 0x07: case 0x17: case 0x1f:
        gen_pop_seg(s, (op >> 3) & 3);
        break;
    case 0x1a0: gen_push_seg(s, R_FS); break;
    case 0x1a8: gen_push_seg(s, R_GS); break;
    case 0x1a1: gen_pop_seg(s, R_FS); break;
    case 0x1a9: gen_pop_seg(s, R_GS); break;
    case 0x8e:
        gen_mov_to_seg_sys(s, d);
        break;
    case 0xc4: gen_lxs(s, d, R_ES); break;
    case 0xc5: gen_lxs(s, d, R_DS); break;
    case 0x1b2: gen_lxs(s, d, R_SS); break;
    case 0x1b4: gen_lxs(s, d, R_FS); break;
    case 0x1b5: gen_lxs(s, d, R_GS); break;

    /* Far transfers. */
    case 0xea:
        far_jmp(s, tcg_constant(d->op[1].imm & 0xffff),
                tcg_constant(s->dflag == MO_16 ? (uint16_t)d->op[0].imm
                                               : (uint32_t)d->op[0].imm));
        break;
    case 0x9a:
        far_call(s, tcg_constant(d->op[1].imm & 0xffff),
                 tcg_constant(s->dflag == MO_16 ? (uint16_t)d->op[0].imm
                                                : (uint32_t)d->op[0].imm));
        break;
    case 0xff:
        far_mem(s, d, reg == 3);
        break;
    case 0xca: case 0xcb:
        gen_retf(s, d);
        break;
    case 0xcf:
        gen_iret(s);
        break;

    /* Interrupts and flags. */
    case 0xcc:
        gen_soft_int(s, EXCP03_INT3);
        break;
    case 0xcd:
        if (vm86(s) && iopl(s) < 3) {
            gen_gp0(s);
        } else {
            gen_soft_int(s, d->op[0].imm & 0xff);
        }
        break;
    case 0xce:
        gen_into(s);
        break;
    case 0xfa:
        gen_cli_sti(s, false);
        break;
    case 0xfb:
        gen_cli_sti(s, true);
        break;
    case 0x9c:
        gen_pushf_sys(s, d);
        break;
    case 0x9d:
        gen_popf_sys(s);
        break;
    case 0xf4:
        if (check_cpl0(s)) {
            gen_update_cc_op(s);
            tcg_gen_call2(&hinfo_hlt, NULL, tcg_ctx->env, next_eip(s));
            s->base.is_jmp = DISAS_NORETURN;
        }
        break;
    case 0x90:
        /* PAUSE: with other vCPUs on this thread, give them the turn. */
        if (cpu_list && cpu_list->len > 1 && !tcg_mttcg) {
            gen_update_cc_op(s);
            tcg_gen_call2(&hinfo_pause, NULL, tcg_ctx->env, next_eip(s));
            s->base.is_jmp = DISAS_NORETURN;
        }
        break;

    /* I/O. */
    case 0xe4: case 0xe5:
        gen_io(s, d, true, true);
        break;
    case 0xec: case 0xed:
        gen_io(s, d, true, false);
        break;
    case 0xe6: case 0xe7:
        gen_io(s, d, false, true);
        break;
    case 0xee: case 0xef:
        gen_io(s, d, false, false);
        break;
    case 0x6c: case 0x6d:
        gen_string_io(s, d, true);
        break;
    case 0x6e: case 0x6f:
        gen_string_io(s, d, false);
        break;

    /* Legacy. */
    case 0x60: gen_pusha(s); break;
    case 0x61: gen_popa(s); break;
    case 0xd6: gen_salc(s); break;
    case 0xd7: gen_xlat(s); break;

    /* 0F map. */
    case 0x100:
        gen_grp6(s, d);
        break;
    case 0x101:
        gen_grp7(s, d);
        break;
    case 0x102:
    case 0x103:
        gen_lar_lsl(s, d, op == 0x103);
        break;
    case 0x105:
        prepare(s);
        tcg_gen_call2(&hinfo_syscall_sys, NULL, tcg_ctx->env, next_eip(s));
        s->base.is_jmp = DISAS_EOB_ONLY;
        break;
    case 0x106:
        if (check_cpl0(s)) {
            tcg_gen_call1(&hinfo_clts, NULL, tcg_ctx->env);
            end_block(s);
        }
        break;
    case 0x107:
        prepare(s);
        tcg_gen_call2(&hinfo_sysret, NULL, tcg_ctx->env,
                      tcg_constant(s->dflag));
        s->base.is_jmp = DISAS_EOB_ONLY;
        break;
    case 0x108: case 0x109:
        /* INVD, WBINVD: no caches to write back. */
        check_cpl0(s);
        break;
    case 0x120: gen_mov_cr(s, d, false); break;
    case 0x122: gen_mov_cr(s, d, true); break;
    case 0x121: gen_mov_dr(s, d, false); break;
    case 0x123: gen_mov_dr(s, d, true); break;
    case 0x130:
        if (check_cpl0(s)) {
            prepare(s);
            tcg_gen_call1(&hinfo_wrmsr, NULL, tcg_ctx->env);
            end_block(s);
        }
        break;
    case 0x131:
        prepare(s);
        tcg_gen_call2(&hinfo_rdtsc_sys, NULL, tcg_ctx->env,
                      tcg_constant(0));
        break;
    case 0x132:
        if (check_cpl0(s)) {
            prepare(s);
            tcg_gen_call1(&hinfo_rdmsr, NULL, tcg_ctx->env);
        }
        break;
    case 0x133:
        /* No performance counters. */
        gen_gp0(s);
        break;
    case 0x134:
        prepare(s);
        tcg_gen_call1(&hinfo_sysenter, NULL, tcg_ctx->env);
        s->base.is_jmp = DISAS_EOB_ONLY;
        break;
    case 0x135:
        prepare(s);
        tcg_gen_call2(&hinfo_sysexit, NULL, tcg_ctx->env,
                      tcg_constant(s->dflag));
        s->base.is_jmp = DISAS_EOB_ONLY;
        break;
    default:
        gen_illegal_opcode(s);
        break;
    }
}

void x86_sys_translate_init(void)
{
    x86_sys_translate = sys_translate;
}
