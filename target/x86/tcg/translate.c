/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 front end: the table-driven decoder (SDM vol. 2, ch. 2 and
 * appendix A), operand access and control flow; the lazy flags are in
 * translate-cc.c. The per-instruction emitters live in emit-*.c and are
 * named by the table generated from insns.txt.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "translate.h"
#include "tcg/tcg.h"

TCGv cpu_regs[CPU_NB_REGS];
TCGv cpu_cc_dst, cpu_cc_src, cpu_cc_src2, cpu_cc_op;
TCGv cpu_rip;
TCGv cpu_seg_base[6];
void (*x86_sys_translate)(DisasContext *s, X86Insn *d);

#include "decode-table.c.inc"

/* The indirect-branch lookup (accel/tcg): reads rip, so the globals are
 * written back before it; it changes none. */
static const TCGHelperInfo hinfo_lookup_tb_ptr = {
    .func = (void *)helper_lookup_tb_ptr, .name = "lookup_tb_ptr",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .nb_in = 1, .has_out = true,
};

void tcg_target_init_globals(void)
{
    static const char *const reg_names[CPU_NB_REGS] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    static const char *const seg_names[6] = {
        "es_base", "cs_base", "ss_base", "ds_base", "fs_base", "gs_base",
    };

    for (int i = 0; i < CPU_NB_REGS; i++) {
        cpu_regs[i] = tcg_global_mem_new(offsetof(CPUX86State, regs[i]), 8,
                                         reg_names[i]);
    }
    cpu_cc_dst = tcg_global_mem_new(offsetof(CPUX86State, cc_dst), 8,
                                    "cc_dst");
    cpu_cc_src = tcg_global_mem_new(offsetof(CPUX86State, cc_src), 8,
                                    "cc_src");
    cpu_cc_src2 = tcg_global_mem_new(offsetof(CPUX86State, cc_src2), 8,
                                     "cc_src2");
    cpu_cc_op = tcg_global_mem_new(offsetof(CPUX86State, cc_op), 4, "cc_op");
    cpu_rip = tcg_global_mem_new(offsetof(CPUX86State, rip), 8, "rip");
    for (int i = 0; i < 6; i++) {
        cpu_seg_base[i] = tcg_global_mem_new(
            offsetof(CPUX86State, segs[i].base), 8, seg_names[i]);
    }
}

/* ---- Code fetch -------------------------------------------------------- */

static uint8_t fetch_bytes(DisasContext *s, int len, void *buf)
{
    /* An instruction is at most 15 bytes (SDM vol. 2, 2.3.11). */
    if (s->pc + len - s->pc_start > 15) {
        s->fetch_fault_addr = 0;
        longjmp(s->fetch_jmp, 2);
    }
    if (!translator_fetch(&s->base, s->cs, s->pc, buf, len)) {
        /* The fault is at the first byte that does not fetch (the
         * field may start on a good page and end on a bad one). */
        uint8_t b;
        int k = 0;

        while (k < len - 1 &&
               translator_fetch(&s->base, s->cs, s->pc + k, &b, 1)) {
            k++;
        }
        s->fetch_fault_addr = s->pc + k;
        longjmp(s->fetch_jmp, 1);
    }
    s->pc += len;
    return 0;
}

static uint8_t x86_ldub(DisasContext *s)
{
    uint8_t v;
    fetch_bytes(s, 1, &v);
    return v;
}

static uint16_t x86_lduw(DisasContext *s)
{
    uint8_t b[2];
    fetch_bytes(s, 2, b);
    return lduw_le_p(b);
}

static uint32_t x86_ldl(DisasContext *s)
{
    uint8_t b[4];
    fetch_bytes(s, 4, b);
    return ldl_le_p(b);
}

static uint64_t x86_ldq(DisasContext *s)
{
    uint8_t b[8];
    fetch_bytes(s, 8, b);
    return ldq_le_p(b);
}

/* ---- Decoding ---------------------------------------------------------- */

static bool entry_matches(DisasContext *s, const X86OpEntry *e, int mpfx,
                          bool exact, int modrm)
{
    int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;

    if (exact) {
        if (e->prefix != mpfx) {
            return false;
        }
    } else {
        if (e->prefix == PFX_NP) {
            if (mpfx != PFX_ANY) {
                return false;
            }
        } else if (e->prefix != PFX_ANY) {
            return false;
        }
    }
    if ((s->prefix & PREFIX_VEX) ? !(e->flags & (F_VEX | F_VEX_ONLY))
                                 : (e->flags & F_VEX_ONLY)) {
        return false;
    }
    if (e->reg >= 0 && e->reg != reg) {
        return false;
    }
    if (e->rm >= 0 && e->rm != rm) {
        return false;
    }
    if ((e->mod == MOD_MEM && mod == 3) || (e->mod == MOD_REG && mod != 3)) {
        return false;
    }
    if ((e->flags & F_W0) && ((s->prefix & PREFIX_VEX) ? s->vex_w
                                                      : s->rex_w)) {
        return false;
    }
    if ((e->flags & F_W1) && !((s->prefix & PREFIX_VEX) ? s->vex_w
                                                       : s->rex_w)) {
        return false;
    }
    /* Forms of one opcode for 64-bit and for legacy modes (63: MOVSXD
     * or ARPL). */
    if ((e->flags & F_O64) && !s->code64) {
        return false;
    }
    return true;
}

static const X86OpEntry *lookup_entry(DisasContext *s, int map, int b,
                                      int modrm)
{
    unsigned first = x86_insn_index[map][b][0];
    unsigned n = x86_insn_index[map][b][1];
    int mpfx = PFX_ANY;

    if (s->rep == 0xf3) {
        mpfx = PFX_F3;
    } else if (s->rep == 0xf2) {
        mpfx = PFX_F2;
    } else if (s->prefix & PREFIX_DATA) {
        mpfx = PFX_66;
    }
    /* An entry with the exact mandatory prefix wins; otherwise the
     * prefixes are modifiers (operand size, REP). */
    if (mpfx != PFX_ANY) {
        for (unsigned i = first; i < first + n; i++) {
            const X86OpEntry *e = &x86_insn_table[i];
            /* Without the feature, F3 0F BC/BD are BSF/BSR with a REP
             * prefix that does nothing (SDM 2A, TZCNT, LZCNT). */
            if (e->feat_bit && !(s->env->features[e->feat_word] &
                                 e->feat_bit)) {
                continue;
            }
            if (entry_matches(s, e, mpfx, true, modrm)) {
                return e;
            }
        }
        /* 66 with F2/F3: an entry for 66 after the REP prefix missed. */
        if (mpfx != PFX_66 && (s->prefix & PREFIX_DATA)) {
            for (unsigned i = first; i < first + n; i++) {
                if (x86_insn_table[i].prefix == PFX_66 &&
                    entry_matches(s, &x86_insn_table[i], PFX_66, true,
                                  modrm)) {
                    return &x86_insn_table[i];
                }
            }
        }
    }
    for (unsigned i = first; i < first + n; i++) {
        if (entry_matches(s, &x86_insn_table[i], mpfx, false, modrm)) {
            return &x86_insn_table[i];
        }
    }
    return NULL;
}

static bool needs_modrm(int map, int b)
{
    unsigned first = x86_insn_index[map][b][0];
    unsigned n = x86_insn_index[map][b][1];

    return n && (x86_insn_table[first].flags & F_MODRM);
}

static void decode_modrm_mem(DisasContext *s, X86Insn *d)
{
    int mod = d->modrm >> 6, rm = d->modrm & 7;

    d->has_mem = true;
    d->base = d->index = -1;
    d->scale = 0;
    d->disp = 0;
    d->rip_rel = false;
    if (s->aflag == MO_16) {
        /* 16-bit addressing (SDM vol. 2, table 2-1). */
        static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP,
                                          R_ESI, R_EDI, R_EBP, R_EBX };
        static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                           -1, -1, -1, -1 };
        if (mod == 0 && rm == 6) {
            d->disp = (int16_t)x86_lduw(s);
            return;
        }
        d->base = base16[rm];
        d->index = index16[rm];
        if (rm == 4 || rm == 5) {
            d->base = rm == 4 ? R_ESI : R_EDI;
        }
        if (mod == 1) {
            d->disp = (int8_t)x86_ldub(s);
        } else if (mod == 2) {
            d->disp = (int16_t)x86_lduw(s);
        }
        return;
    }
    if (rm == 4) {
        int sib = x86_ldub(s);
        int idx = ((sib >> 3) & 7) | s->rex_x;
        d->scale = sib >> 6;
        if (idx != 4) {
            d->index = idx;
        }
        if ((sib & 7) == 5 && mod == 0) {
            d->disp = (int32_t)x86_ldl(s);
        } else {
            d->base = (sib & 7) | s->rex_b;
        }
    } else if (rm == 5 && mod == 0) {
        d->disp = (int32_t)x86_ldl(s);
        d->rip_rel = s->code64;
    } else {
        d->base = rm | s->rex_b;
    }
    if (mod == 1) {
        d->disp = (int8_t)x86_ldub(s);
    } else if (mod == 2) {
        d->disp = (int32_t)x86_ldl(s);
    }
}

static MemOp size_to_ot(DisasContext *s, int sz)
{
    switch (sz) {
    case SZ_B: return MO_8;
    case SZ_W: return MO_16;
    case SZ_D: return MO_32;
    case SZ_Q: return MO_64;
    case SZ_V: return s->dflag;
    case SZ_Z: return s->dflag == MO_16 ? MO_16 : MO_32;
    case SZ_Y: return s->dflag == MO_64 ? MO_64 : MO_32;
    case SZ_X:
    case SZ_DQ: return MO_128;
    case SZ_QQ: return MO_256;
    default: return MO_64;
    }
}

static int64_t fetch_imm(DisasContext *s, MemOp ot)
{
    switch (ot) {
    case MO_8: return (int8_t)x86_ldub(s);
    case MO_16: return (int16_t)x86_lduw(s);
    case MO_32: return (int32_t)x86_ldl(s);
    default: return (int64_t)x86_ldq(s);
    }
}

static bool decode_operand(DisasContext *s, X86Insn *d, int i)
{
    const X86OpEntry *e = d->e;
    X86Op *op = &d->op[i];
    int kind = e->kind[i];
    MemOp ot = size_to_ot(s, e->size[i]);
    int mod = d->modrm >> 6;
    int regf = ((d->modrm >> 3) & 7) | s->rex_r;
    int rmf = (d->modrm & 7) | s->rex_b;

    op->ot = ot;
    op->high8 = false;
    switch (kind) {
    case OPK_NONE:
    case OPK_X:
    case OPK_Y:
        op->loc = LOC_NONE;
        return true;
    case OPK_FIXREG:
        op->loc = LOC_REG;
        op->reg = e->fixreg[i];
        return true;
    case OPK_ONE:
        op->loc = LOC_IMM;
        op->imm = 1;
        return true;
    case OPK_G:
        op->loc = LOC_REG;
        op->reg = regf;
        break;
    case OPK_Z:
        op->loc = LOC_REG;
        op->reg = (d->b & 7) | s->rex_b;
        break;
    case OPK_E:
    case OPK_M:
    case OPK_R:
        if (mod == 3) {
            if (kind == OPK_M) {
                return false;
            }
            op->loc = LOC_REG;
            op->reg = rmf;
        } else {
            if (kind == OPK_R) {
                return false;
            }
            op->loc = LOC_MEM;
        }
        break;
    case OPK_V:
        op->loc = LOC_XMM;
        op->reg = regf;
        return true;
    case OPK_W:
    case OPK_U:
        if (mod == 3) {
            op->loc = LOC_XMM;
            op->reg = rmf;
        } else {
            if (kind == OPK_U) {
                return false;
            }
            op->loc = LOC_MEM;
        }
        return true;
    case OPK_H:
        op->loc = LOC_XMM;
        op->reg = s->vex_v;
        return true;
    case OPK_B:
        op->loc = LOC_REG;
        op->reg = s->vex_v;
        return true;
    case OPK_P:
        op->loc = LOC_MMX;
        op->reg = (d->modrm >> 3) & 7;
        return true;
    case OPK_N:
    case OPK_Q:
        if (mod == 3) {
            op->loc = LOC_MMX;
            op->reg = d->modrm & 7;
        } else {
            if (kind == OPK_N) {
                return false;
            }
            op->loc = LOC_MEM;
        }
        return true;
    case OPK_S:
        op->loc = LOC_SEG;
        op->reg = (d->modrm >> 3) & 7;
        return op->reg < 6;
    case OPK_C:
        op->loc = LOC_CR;
        op->reg = regf;
        return true;
    case OPK_D:
        op->loc = LOC_DR;
        op->reg = regf;
        return true;
    case OPK_I:
        op->loc = LOC_IMM;
        if (e->size[i] == SZ_V && ot == MO_64 && d->e->map == 0 &&
            (d->b & 0xf8) == 0xb8) {
            op->imm = x86_ldq(s);           /* mov r64, imm64 */
        } else {
            op->imm = fetch_imm(s, ot == MO_64 ? MO_32 : ot);
        }
        return true;
    case OPK_J:
        op->loc = LOC_IMM;
        op->imm = fetch_imm(s, e->size[i] == SZ_B ? MO_8 :
                               (s->code64 ? MO_32 : s->dflag));
        return true;
    case OPK_O:
        op->loc = LOC_MEM;
        d->has_mem = true;
        d->base = d->index = -1;
        d->scale = 0;
        d->rip_rel = false;
        d->disp = s->aflag == MO_64 ? (int64_t)x86_ldq(s) :
                  s->aflag == MO_32 ? (int64_t)x86_ldl(s) :
                                      (int64_t)x86_lduw(s);
        return true;
    default:
        return false;
    }
    /* Byte registers 4-7 without REX are AH, CH, DH, BH. */
    if (op->loc == LOC_REG && ot == MO_8 && !(s->prefix & PREFIX_REX) &&
        op->reg >= 4 && op->reg < 8) {
        op->high8 = true;
        op->reg -= 4;
    }
    return true;
}

/* Decode one instruction. Returns false for an undefined opcode. */
static bool decode_insn(DisasContext *s, X86Insn *d)
{
    int b, map = 0;
    const X86OpEntry *e;

    memset(d, 0, sizeof(*d));
    s->prefix = 0;
    s->rep = 0;
    s->rex_w = s->rex_r = s->rex_x = s->rex_b = 0;
    s->vex_l = s->vex_v = s->vex_w = 0;
    s->override = -1;

    for (;;) {
        b = x86_ldub(s);
        switch (b) {
        case 0xf3:
            s->prefix |= PREFIX_REPZ;
            s->rep = 0xf3;
            continue;
        case 0xf2:
            s->prefix |= PREFIX_REPNZ;
            s->rep = 0xf2;
            continue;
        case 0xf0:
            s->prefix |= PREFIX_LOCK;
            continue;
        case 0x2e: s->override = R_CS; continue;
        case 0x36: s->override = R_SS; continue;
        case 0x3e: s->override = R_DS; continue;
        case 0x26: s->override = R_ES; continue;
        case 0x64: s->override = R_FS; continue;
        case 0x65: s->override = R_GS; continue;
        case 0x66:
            s->prefix |= PREFIX_DATA;
            continue;
        case 0x67:
            s->prefix |= PREFIX_ADR;
            continue;
        default:
            break;
        }
        if (s->code64 && (b & 0xf0) == 0x40) {
            /* REX counts only directly before the opcode. */
            s->prefix |= PREFIX_REX;
            s->rex_w = (b >> 3) & 1;
            s->rex_r = (b & 4) << 1;
            s->rex_x = (b & 2) << 2;
            s->rex_b = (b & 1) << 3;
            b = x86_ldub(s);
            if ((b & 0xf0) == 0x40 || b == 0x66 || b == 0x67 || b == 0xf0 ||
                b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 ||
                b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) {
                s->pc--;
                s->prefix &= ~PREFIX_REX;
                s->rex_w = s->rex_r = s->rex_x = s->rex_b = 0;
                continue;
            }
        }
        break;
    }

    if ((b == 0xc4 || b == 0xc5) && s->code64) {
        /* VEX (SDM vol. 2, 2.3.5). */
        int v1 = x86_ldub(s), v2 = v1, pp;
        if (s->prefix & (PREFIX_REX | PREFIX_DATA | PREFIX_REPZ |
                         PREFIX_REPNZ | PREFIX_LOCK)) {
            return false;
        }
        s->prefix |= PREFIX_VEX;
        if (b == 0xc5) {
            s->rex_r = (~v1 & 0x80) >> 4;
            map = 1;
        } else {
            s->rex_r = (~v1 & 0x80) >> 4;
            s->rex_x = (~v1 & 0x40) >> 3;
            s->rex_b = (~v1 & 0x20) >> 2;
            map = v1 & 0x1f;
            if (map < 1 || map > 3) {
                return false;
            }
            v2 = x86_ldub(s);
            s->vex_w = v2 >> 7;
            s->rex_w = s->vex_w;
        }
        s->vex_v = (~v2 >> 3) & 15;
        s->vex_l = (v2 >> 2) & 1;
        pp = v2 & 3;
        if (pp == 1) {
            s->prefix |= PREFIX_DATA;
        } else if (pp == 2) {
            s->rep = 0xf3;
        } else if (pp == 3) {
            s->rep = 0xf2;
        }
        b = x86_ldub(s);
    } else if (b == 0x0f) {
        b = x86_ldub(s);
        if (b == 0x38) {
            map = 2;
            b = x86_ldub(s);
        } else if (b == 0x3a) {
            map = 3;
            b = x86_ldub(s);
        } else {
            map = 1;
        }
    }
    d->b = b;
    if (needs_modrm(map, b)) {
        d->modrm = x86_ldub(s);
        d->has_modrm = true;
    }
    e = lookup_entry(s, map, b, d->modrm);
    if (!e) {
        return false;
    }
    d->e = e;
    if ((e->flags & F_I64) && s->code64) {
        return false;
    }
    if (e->feat_bit && !(s->env->features[e->feat_word] & e->feat_bit)) {
        return false;
    }
    if ((s->prefix & PREFIX_VEX) && (e->flags & F_L0) && s->vex_l) {
        return false;
    }
    if ((s->prefix & PREFIX_VEX) && s->vex_v) {
        /* VEX.vvvv must be 1111b unless it names an operand. */
        bool uses_v = false;
        for (int i = 0; i < 4; i++) {
            uses_v |= e->kind[i] == OPK_H || e->kind[i] == OPK_B;
        }
        if (!uses_v) {
            return false;
        }
    }

    /* Operand and address sizes (SDM vol. 1, 3.6). */
    if (s->code64) {
        bool data = (s->prefix & PREFIX_DATA) && e->prefix != PFX_66;
        if (e->flags & F_F64) {
            s->dflag = MO_64;
        } else if (s->rex_w) {
            s->dflag = MO_64;
        } else if (data) {
            s->dflag = MO_16;
        } else {
            s->dflag = (e->flags & F_D64) ? MO_64 : MO_32;
        }
        s->aflag = (s->prefix & PREFIX_ADR) ? MO_32 : MO_64;
    } else {
        bool c32 = s->flags & HF_CS32_MASK;
        bool data = (s->prefix & PREFIX_DATA) && e->prefix != PFX_66;
        s->dflag = (c32 ^ data) ? MO_32 : MO_16;
        s->aflag = (c32 ^ !!(s->prefix & PREFIX_ADR)) ? MO_32 : MO_16;
    }

    /* Memory operand first (displacement precedes immediates). */
    if (d->has_modrm && (d->modrm >> 6) != 3) {
        for (int i = 0; i < 4; i++) {
            int k = e->kind[i];
            if (k == OPK_E || k == OPK_M || k == OPK_W || k == OPK_Q) {
                decode_modrm_mem(s, d);
                break;
            }
        }
    }
    for (int i = 0; i < 4; i++) {
        if (!decode_operand(s, d, i)) {
            return false;
        }
    }
    /* The operation size: the first sized integer operand. */
    d->ot = s->dflag;
    for (int i = 0; i < 4; i++) {
        if (e->kind[i] != OPK_NONE && e->kind[i] != OPK_I &&
            e->kind[i] != OPK_J && d->op[i].ot <= MO_64) {
            d->ot = d->op[i].ot;
            break;
        }
    }
    if (d->has_mem) {
        d->seg = s->override;
    }
    /* LOCK is valid only on read-modify-write memory forms. */
    if (s->prefix & PREFIX_LOCK) {
        if (!(e->flags & F_LOCKOK) || d->op[0].loc != LOC_MEM) {
            return false;
        }
    }
    return true;
}

/* ---- Operand access ---------------------------------------------------- */

TCGv env_ptr(intptr_t off)
{
    TCGv p = tcg_temp_new();

    tcg_gen_addi_i64(p, tcg_ctx->env, off);
    return p;
}

void gen_ext_size(TCGv d, TCGv v, MemOp ot, bool sign)
{
    tcg_gen_ext(d, v, ot | (sign ? MO_SIGN : 0));
}

TCGv gen_seg_addr(DisasContext *s, TCGv addr, int seg, int def_seg)
{
    TCGv r;

    if (seg < 0) {
        seg = def_seg;
    }
    if (s->code64) {
        if (seg != R_FS && seg != R_GS) {
            return addr;
        }
    } else if (!(s->flags & HF_ADDSEG_MASK) && seg != R_FS &&
               seg != R_GS && seg >= 0) {
        return addr;
    }
    r = tcg_temp_new();
    tcg_gen_add_i64(r, addr, cpu_seg_base[seg]);
    if (!s->code64) {
        tcg_gen_ext32u(r, r);
    }
    return r;
}

TCGv gen_lea_addr(DisasContext *s, X86Insn *d)
{
    TCGv a;
    int def_seg = R_DS;

    if (d->addr) {
        return d->addr;
    }
    if (d->rip_rel) {
        a = tcg_constant(s->pc + d->disp);
    } else if (d->base < 0 && d->index < 0) {
        a = tcg_constant(s->aflag == MO_32 ? (uint32_t)d->disp :
                         s->aflag == MO_16 ? (uint16_t)d->disp :
                         (uint64_t)d->disp);
    } else {
        a = tcg_temp_new();
        if (d->index >= 0) {
            tcg_gen_shli_i64(a, cpu_regs[d->index], d->scale);
            if (d->base >= 0) {
                tcg_gen_add_i64(a, a, cpu_regs[d->base]);
            }
        } else {
            tcg_gen_mov(a, cpu_regs[d->base]);
        }
        if (d->disp) {
            tcg_gen_addi_i64(a, a, d->disp);
        }
        if (s->aflag == MO_32) {
            tcg_gen_ext32u(a, a);
        } else if (s->aflag == MO_16) {
            tcg_gen_ext16u(a, a);
        }
        if (d->base == R_ESP || d->base == R_EBP) {
            def_seg = R_SS;
        }
    }
    if (!(d->e && (d->e->flags & F_NOSEG))) {
        a = gen_seg_addr(s, a, d->seg, def_seg);
    }
    d->addr = a;
    return a;
}

void gen_qemu_ld(DisasContext *s, TCGv v, TCGv addr, MemOp mop)
{
    tcg_gen_qemu_ld(v, addr, make_memop_idx(mop, s->mem_index));
}

void gen_qemu_st(DisasContext *s, TCGv v, TCGv addr, MemOp mop)
{
    tcg_gen_qemu_st(v, addr, make_memop_idx(mop, s->mem_index));
}

/* The value's low ot bits are the register's; bits above may be junk
 * for 8/16/32-bit sizes (consumers extend where it matters). */
TCGv gen_ld_reg(DisasContext *s, MemOp ot, int reg)
{
    return cpu_regs[reg];
}

/* A copy, not the global itself: the instruction may write the register
 * before it is done with the old value (the optimizer removes the copy
 * where it is not needed). */
static TCGv ld_reg_op(X86Op *op)
{
    TCGv t = tcg_temp_new();

    if (op->high8) {
        tcg_gen_extract(t, cpu_regs[op->reg], 8, 8);
    } else {
        tcg_gen_mov(t, cpu_regs[op->reg]);
    }
    return t;
}

void gen_st_reg(DisasContext *s, MemOp ot, int reg, TCGv v)
{
    switch (ot) {
    case MO_8:
        tcg_gen_deposit(cpu_regs[reg], cpu_regs[reg], v, 0, 8);
        break;
    case MO_16:
        tcg_gen_deposit(cpu_regs[reg], cpu_regs[reg], v, 0, 16);
        break;
    case MO_32:
        tcg_gen_ext32u(cpu_regs[reg], v);
        break;
    default:
        tcg_gen_mov(cpu_regs[reg], v);
        break;
    }
}

TCGv gen_ld_op(DisasContext *s, X86Insn *d, int i)
{
    X86Op *op = &d->op[i];
    TCGv t;

    switch (op->loc) {
    case LOC_REG:
        return ld_reg_op(op);
    case LOC_IMM:
        return tcg_constant(op->imm);
    case LOC_MEM:
        t = tcg_temp_new();
        gen_qemu_ld(s, t, gen_lea_addr(s, d), op->ot);
        return t;
    case LOC_SEG:
        t = tcg_temp_new();
        tcg_gen_ld(MO_32, t, tcg_ctx->env,
                   offsetof(CPUX86State, segs[op->reg].selector));
        return t;
    default:
        g_assert_not_reached();
    }
}

void gen_st_op(DisasContext *s, X86Insn *d, int i, TCGv v)
{
    X86Op *op = &d->op[i];

    switch (op->loc) {
    case LOC_REG:
        if (op->high8) {
            tcg_gen_deposit(cpu_regs[op->reg], cpu_regs[op->reg], v, 8, 8);
        } else {
            gen_st_reg(s, op->ot, op->reg, v);
        }
        break;
    case LOC_MEM:
        gen_qemu_st(s, v, gen_lea_addr(s, d), op->ot);
        break;
    default:
        g_assert_not_reached();
    }
}

/* ---- Exceptions and control flow --------------------------------------- */

/* pc is linear; RIP is relative to the code segment (real mode and
 * segmented protected mode have a non-zero CS base). */
void gen_update_rip(DisasContext *s, uint64_t pc)
{
    tcg_gen_movi(cpu_rip, pc - s->base.tb->cs_base);
}

void gen_exception(DisasContext *s, int excp)
{
    gen_update_cc_op(s);
    gen_update_rip(s, s->pc_start);
    tcg_gen_call2(&hinfo_raise_exception, NULL, tcg_ctx->env,
                  tcg_constant(excp));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_illegal_opcode(DisasContext *s)
{
    gen_exception(s, EXCP06_ILLOP);
}

static void gen_lookup_and_goto_ptr(DisasContext *s);

/*
 * Leave the block for the C loop, RIP and cc_op written. With TF set
 * (then each block is one instruction), the single-step trap comes
 * first, whichever way the instruction went (SDM 3B, 18.3.1.4).
 */
static void gen_eob(DisasContext *s)
{
    if (s->flags & HF_TF_MASK) {
        tcg_gen_call2(&hinfo_raise_exception, NULL, tcg_ctx->env,
                      tcg_constant(EXCP01_DB));
    } else {
        tcg_gen_exit_tb(NULL, 0);
    }
}

void gen_goto_tb(DisasContext *s, int n, uint64_t dest)
{
    gen_update_cc_op(s);
    if (s->jmp_opt && translator_use_goto_tb(&s->base, dest, s->pc - 1)) {
        tcg_gen_goto_tb(n);
        gen_update_rip(s, dest);
        tcg_gen_exit_tb(s->base.tb, n);
    } else if (s->jmp_opt) {
        /* Another page: found at run time, without leaving generated
         * code when the jump cache knows it. */
        gen_update_rip(s, dest);
        gen_lookup_and_goto_ptr(s);
    } else {
        gen_update_rip(s, dest);
        gen_eob(s);
    }
}

void gen_jmp_to(DisasContext *s, uint64_t dest)
{
    if (!s->code64) {
        uint64_t base = s->base.tb->cs_base;
        dest -= base;
        dest = base + ((s->dflag == MO_16) ? (uint16_t)dest : (uint32_t)dest);
    }
    if (x86_flags_dead_after(s, dest, CC_ARITH_MASK)) {
        gen_discard_flags(s);
    }
    gen_goto_tb(s, 0, dest);
    s->base.is_jmp = DISAS_NORETURN;
}

/*
 * An indirect jump, call or return: look the target up in the vCPU's
 * jump cache inline and go straight there when it hits, like
 * helper_lookup_tb_ptr's fast path (which the miss falls back to). The
 * TB flags and pc are recomputed from the CPU state, as
 * cpu_get_tb_cpu_state does.
 */
void gen_jmp_cache_probe(DisasContext *s)
{
    TCGv env = tcg_ctx->env;
    TCGv pc = tcg_temp_new(), h = tcg_temp_new(), t = tcg_temp_new();
    TCGv e = tcg_temp_new();
    int miss = tcg_new_label();

    tcg_gen_ld_i64(t, env, offsetof(CPUX86State, segs[R_CS].base));
    tcg_gen_add_i64(pc, cpu_rip, t);
    tcg_gen_shri_i64(h, pc, TB_JMP_CACHE_BITS);
    tcg_gen_xor_i64(h, h, pc);
    tcg_gen_andi_i64(h, h, TB_JMP_CACHE_SIZE - 1);
    tcg_gen_shli_i64(h, h, 5);
    G_STATIC_ASSERT(sizeof(TBJmpCacheEntry) == 32);
    tcg_gen_ld_i64(e, env, offsetof(CPUX86State, cs));
    tcg_gen_ld_i64(e, e, offsetof(CPUState, tb_jmp_cache));
    tcg_gen_add_i64(e, e, h);
    tcg_gen_ld_i64(t, e, offsetof(TBJmpCacheEntry, key));
    tcg_gen_addi_i64(pc, pc, 1);
    tcg_gen_brcond(TCG_TYPE_I64, TCG_COND_NE, t, pc, miss);
    tcg_gen_ld(MO_32, t, e, offsetof(TBJmpCacheEntry, flags));
    tcg_gen_ld(MO_32, h, env, offsetof(CPUX86State, hflags));
    tcg_gen_andi_i64(h, h, ~(uint64_t)(HF_HALTED_MASK | HF_RF_MASK));
    tcg_gen_brcond(TCG_TYPE_I64, TCG_COND_NE, t, h, miss);
    tcg_gen_ld_i64(t, e, offsetof(TBJmpCacheEntry, tc_ptr));
    tcg_gen_goto_ptr(t);
    tcg_gen_set_label(miss);
}

/* Go to the block at the current CS:RIP: the inline jump-cache probe
 * (64-bit code), then helper_lookup_tb_ptr, which returns the code to
 * run or the epilogue's lookup-miss exit. */
static void gen_lookup_and_goto_ptr(DisasContext *s)
{
    TCGv p = tcg_temp_new();

    if (s->code64) {
        gen_jmp_cache_probe(s);
    }
    tcg_gen_call1(&hinfo_lookup_tb_ptr, p, tcg_ctx->env);
    tcg_gen_goto_ptr(p);
}

void gen_jmp_indirect(DisasContext *s, TCGv dest)
{
    tcg_gen_mov(cpu_rip, dest);
    s->base.is_jmp = DISAS_JUMP;
}

void gen_end_block_next(DisasContext *s)
{
    s->base.is_jmp = DISAS_EOB_NEXT;
}

MemOp stack_ot(DisasContext *s)
{
    if (s->code64) {
        return (s->prefix & PREFIX_DATA) ? MO_16 : MO_64;
    }
    return s->dflag;
}

void gen_push(DisasContext *s, MemOp ot, TCGv v)
{
    TCGv sp = tcg_temp_new();
    int sz = 1 << ot;

    tcg_gen_subi_i64(sp, cpu_regs[R_ESP], sz);
    if (s->code64) {
        gen_qemu_st(s, v, sp, ot);
        tcg_gen_mov(cpu_regs[R_ESP], sp);
    } else {
        /* The stack pointer wraps at the stack's size. */
        MemOp sot = (s->flags & HF_SS32_MASK) ? MO_32 : MO_16;
        TCGv a = tcg_temp_new();
        gen_ext_size(a, sp, sot, false);
        a = gen_seg_addr(s, a, R_SS, R_SS);
        gen_qemu_st(s, v, a, ot);
        gen_st_reg(s, sot, R_ESP, sp);
    }
}

TCGv gen_pop(DisasContext *s, MemOp ot)
{
    TCGv v = tcg_temp_new();

    if (s->code64) {
        gen_qemu_ld(s, v, cpu_regs[R_ESP], ot);
        tcg_gen_addi_i64(cpu_regs[R_ESP], cpu_regs[R_ESP], 1 << ot);
    } else {
        TCGv sp = tcg_temp_new();
        MemOp sot = (s->flags & HF_SS32_MASK) ? MO_32 : MO_16;
        gen_ext_size(sp, cpu_regs[R_ESP], sot, false);
        gen_qemu_ld(s, v, gen_seg_addr(s, sp, R_SS, R_SS), ot);
        tcg_gen_addi_i64(sp, sp, 1 << ot);
        gen_st_reg(s, sot, R_ESP, sp);
    }
    return v;
}

/* ---- Translator hooks -------------------------------------------------- */

static void x86_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);
    CPUX86State *env = cpu_env(cpu);

    s->env = env;
    s->cs = cpu;
    s->flags = db->tb->flags;
    s->code64 = s->flags & HF_CS64_MASK;
    s->cpl = s->flags & HF_CPL_MASK;
    s->mem_index = (s->flags & HF_USER_MASK) ? 0 : (s->cpl == 3 ? 1 : 2);
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    s->pc = db->pc_first;
    s->jmp_opt = !(db->tb->cflags & (CF_NO_CHAIN | CF_NOCACHE)) &&
                 !(s->flags & (HF_TF_MASK | HF_INHIBIT_IRQ_MASK));
}

static int exit_label;

static void x86_tb_start(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);
    TCGv t = tcg_temp_new();
    intptr_t off = offsetof(X86CPU, parent.exit_request) -
                   offsetof(X86CPU, env);

    s->cc_srcT = tcg_temp_new_tb();
    /* Leave at once when another thread asked this vCPU to stop. */
    exit_label = tcg_new_label();
    tcg_gen_ld(MO_32, t, tcg_ctx->env, off);
    tcg_gen_brcondi(TCG_TYPE_I32, TCG_COND_NE, t, 0, exit_label);
    tcg_temp_free(t);
}

static void x86_insn_start(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);

    s->insn_start_op = tcg_ctx->nb_ops;
    tcg_gen_insn_start(db->pc_next, s->cc_op);
}

static void x86_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);
    X86Insn d;
    int r;

    s->pc_start = s->pc = db->pc_next;
    r = setjmp(s->fetch_jmp);
    if (r) {
        if (db->num_insns == 1) {
            if (r == 2) {
                /* Longer than 15 bytes: #GP (SDM vol. 2, 2.3.11). */
                db->pc_next = s->pc_start;
                gen_exception(s, EXCP0D_GPF);
                return;
            }
            cpu_raise_fetch_fault(cpu, s->fetch_fault_addr);
        }
        /* End the block before this instruction; it faults when it
         * starts the next block. */
        tcg_ctx->nb_ops = s->insn_start_op;
        tcg_ctx->nb_insns--;
        db->num_insns--;
        s->pc = s->pc_start;
        db->pc_next = s->pc_start;
        db->is_jmp = DISAS_TOO_MANY;
        return;
    }
    if (!decode_insn(s, &d)) {
        db->pc_next = s->pc;
        gen_illegal_opcode(s);
        tcg_temp_free_all_ebb();
        return;
    }
    db->pc_next = s->pc;
    if (s->flags & HF_INHIBIT_IRQ_MASK) {
        /* The instruction after STI or MOV SS: interrupts are taken
         * after it (SDM 3A, 6.8.3), when the block ends below. */
        TCGv h = tcg_temp_new();
        tcg_gen_ld(MO_32, h, tcg_ctx->env, offsetof(CPUX86State, hflags));
        tcg_gen_andi_i64(h, h, ~(uint64_t)HF_INHIBIT_IRQ_MASK);
        tcg_gen_st(MO_32, h, tcg_ctx->env, offsetof(CPUX86State, hflags));
    }
    if ((d.e->flags & F_SYS) && x86_sys_translate) {
        x86_sys_translate(s, &d);
    } else {
        d.e->gen(s, &d);
    }
    tcg_temp_free_all_ebb();
    if (db->is_jmp == DISAS_NEXT && (d.e->flags & F_END)) {
        db->is_jmp = DISAS_EOB_NEXT;
    }
    if (db->is_jmp == DISAS_NEXT &&
        (s->flags & (HF_TF_MASK | HF_INHIBIT_IRQ_MASK))) {
        db->is_jmp = DISAS_EOB_NEXT;
    }
}

static void x86_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);

    switch (db->is_jmp) {
    case DISAS_NORETURN:
        break;
    case DISAS_TOO_MANY:
        gen_goto_tb(s, 0, s->pc);
        break;
    case DISAS_EOB_NEXT:
        gen_update_cc_op(s);
        gen_update_rip(s, s->pc);
        gen_eob(s);
        break;
    case DISAS_EOB_ONLY:
        gen_update_cc_op(s);
        gen_eob(s);
        break;
    case DISAS_JUMP:
        gen_update_cc_op(s);
        if (s->jmp_opt) {
            gen_lookup_and_goto_ptr(s);
        } else {
            gen_eob(s);
        }
        break;
    default:
        g_assert_not_reached();
    }
    gen_update_cc_op(s);
    tcg_gen_set_label(exit_label);
    tcg_gen_exit_tb(db->tb, TB_EXIT_REQUESTED);
}

static const TranslatorOps x86_translator_ops = {
    .init_disas_context = x86_init_disas_context,
    .tb_start = x86_tb_start,
    .insn_start = x86_insn_start,
    .translate_insn = x86_translate_insn,
    .tb_stop = x86_tb_stop,
};

void gen_intermediate_code(CPUState *cpu, TranslationBlock *tb,
                           int max_insns)
{
    DisasContext dc;

    memset(&dc, 0, sizeof(dc));
    translator_loop(cpu, tb, max_insns, &x86_translator_ops, &dc.base);
}

void restore_state_to_opc(CPUState *cpu, const TranslationBlock *tb,
                          const uint64_t data[2])
{
    CPUX86State *env = cpu_env(cpu);

    env->rip = data[0] - tb->cs_base;
    if (data[1] != CC_OP_DYNAMIC) {
        env->cc_op = data[1];
    }
}

void cpu_get_tb_cpu_state(CPUState *cpu, uint64_t *pc, uint64_t *cs_base,
                          uint32_t *flags)
{
    CPUX86State *env = cpu_env(cpu);

    *cs_base = env->segs[R_CS].base;
    *pc = *cs_base + env->rip;
    *flags = env->hflags & ~(HF_HALTED_MASK | HF_RF_MASK);
}
