/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86-64 host back end: instruction encoding (Intel SDM vol. 2,
 * ch. 2 "Instruction format") and the lowering of each IR op.
 *
 * Register use: RBP holds env, RSP the frame (spill slots at [rsp]);
 * the other 14 registers are allocated. The prologue saves the
 * callee-saved registers, keeps RSP 16-byte aligned for helper calls
 * and jumps to the TB; exit_tb returns through the epilogue.
 *
 * Guest memory: in user mode a guest address is host address
 * guest_base + addr (guest_base is 0 on x86-64 hosts), so a load is one
 * host instruction, recorded as a fault site. System mode will insert
 * the soft-TLB probe here (see docs/jit.md, "Memory access lowering").
 */
#include "ember/osdep.h"
#include "tcg/tcg.h"
#include "exec/user-mem.h"
#include "exec/cputlb.h"
#include "../tcg-internal.h"
#include "tcg/tcg-op.h"

enum {
    R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI,
    R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15,
};

#define P_EXT       0x100       /* 0x0f */
#define P_EXT38     0x200       /* 0x0f 0x38 */
#define P_EXT3A     0x400       /* 0x0f 0x3a */
#define P_DATA16    0x800       /* 0x66 */
#define P_REXW      0x1000
#define P_REXB_R    0x2000      /* reg field is a byte register */
#define P_REXB_RM   0x4000      /* r/m field is a byte register */
#define P_SIMDF3    0x8000
#define P_SIMDF2    0x10000
#define P_LOCK      0x20000
#define P_VEXL      0x40000

#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ARITH_GvEv  0x03        /* + (ext << 3) */
#define OPC_ADD_GvEv    0x03
#define OPC_BSWAP       (0xc8 | P_EXT)
#define OPC_CALL_Jz     0xe8
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_CMP_GvEv    0x3b
#define OPC_DEC_r32     0x48
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_IMUL_GvEvIb 0x6b
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_JCC_short   0x70
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_LEA         0x8d
#define OPC_MOVB_EvGv   0x88
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_GvEv   0x8b
#define OPC_MOVB_EvIz   0xc6
#define OPC_MOVL_EvIz   0xc7
#define OPC_MOVL_Iv     0xb8
#define OPC_MOVSBL      (0xbe | P_EXT)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_MOVZBL      (0xb6 | P_EXT)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POP_r32     0x58
#define OPC_PUSH_r32    0x50
#define OPC_RET         0xc3
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_Ib    0xc1
#define OPC_SHIFT_cl    0xd3
#define OPC_SHLD_Ib     (0xa4 | P_EXT)
#define OPC_SHRD_Ib     (0xac | P_EXT)
#define OPC_TESTL       0x85
#define OPC_TESTL_Ib    0xf7
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff
#define OPC_LZCNT       (0xbd | P_EXT | P_SIMDF3)
#define OPC_TZCNT       (0xbc | P_EXT | P_SIMDF3)
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_ANDN        (0xf2 | P_EXT38)
#define OPC_SHLX        (0xf7 | P_EXT38 | P_DATA16)
#define OPC_SHRX        (0xf7 | P_EXT38 | P_SIMDF2)
#define OPC_SARX        (0xf7 | P_EXT38 | P_SIMDF3)
#define OPC_CMPXCHG     (0xb1 | P_EXT)
#define OPC_CMPXCHGB    (0xb0 | P_EXT | P_REXB_R)
#define OPC_XCHG        0x87
#define OPC_XCHGB       (0x86 | P_REXB_R)
#define OPC_XADD        (0xc1 | P_EXT)
#define OPC_XADDB       (0xc0 | P_EXT | P_REXB_R)

enum { ARITH_ADD, ARITH_OR, ARITH_ADC, ARITH_SBB, ARITH_AND, ARITH_SUB,
       ARITH_XOR, ARITH_CMP };
enum { SHIFT_ROL, SHIFT_ROR, SHIFT_RCL, SHIFT_RCR, SHIFT_SHL, SHIFT_SHR,
       SHIFT_SAL, SHIFT_SAR };
enum { EXT3_NOT = 2, EXT3_NEG, EXT3_MUL, EXT3_IMUL, EXT3_DIV, EXT3_IDIV };
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

enum { JCC_JO, JCC_JNO, JCC_JB, JCC_JAE, JCC_JE, JCC_JNE, JCC_JBE, JCC_JA,
       JCC_JS, JCC_JNS, JCC_JP, JCC_JNP, JCC_JL, JCC_JGE, JCC_JLE, JCC_JG };

static const uint8_t tcg_cond_to_jcc[] = {
    [TCG_COND_EQ] = JCC_JE, [TCG_COND_NE] = JCC_JNE,
    [TCG_COND_LT] = JCC_JL, [TCG_COND_GE] = JCC_JGE,
    [TCG_COND_LE] = JCC_JLE, [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,
    [TCG_COND_LEU] = JCC_JBE, [TCG_COND_GTU] = JCC_JA,
    [TCG_COND_TSTEQ] = JCC_JE, [TCG_COND_TSTNE] = JCC_JNE,
};

/* Constant classes for inputs. */
#define CT_S32  1       /* fits a sign-extended imm32 */
#define CT_U32  2       /* fits a zero-extended imm32 (32-bit ops) */
#define CT_ZERO 4

static bool have_bmi1, have_bmi2, have_lzcnt, have_popcnt;
static const uint8_t *tb_ret_addr;      /* epilogue (rx), returns rax */
static const uint8_t *tb_ret_zero;      /* xor eax,eax; epilogue */

#define FRAME_SPILL 1024
/* Above the spill slots: the soft-MMU slow paths' area (softmmu.c.inc). */
#define SMMU_AREA 176
/* 6 pushes + return address leave rsp at 8 mod 16: the frame restores
 * 16-byte alignment for calls. */
#define FRAME_SIZE (FRAME_SPILL + SMMU_AREA + 8)

static const int8_t alloc_order[] = {
    R_BX, R_12, R_13, R_14, R_15, R_10, R_11, R_9, R_8,
    R_SI, R_DI, R_CX, R_DX, R_AX, -1,
};
static const int8_t call_arg_regs[] = { R_DI, R_SI, R_DX, R_CX, R_8, R_9 };
#define CALL_CLOBBER ((1u << R_AX) | (1u << R_CX) | (1u << R_DX) | \
                      (1u << R_SI) | (1u << R_DI) | (1u << R_8) | \
                      (1u << R_9) | (1u << R_10) | (1u << R_11))

/* ---- Encoding ---------------------------------------------------------- */

static void out_opc(TCGContext *s, int opc, int r, int rm, int x)
{
    int rex = 0;

    if (opc & P_LOCK) {
        tcg_out8(s, 0xf0);
    }
    if (opc & P_DATA16) {
        tcg_out8(s, 0x66);
    }
    if (opc & P_SIMDF3) {
        tcg_out8(s, 0xf3);
    } else if (opc & P_SIMDF2) {
        tcg_out8(s, 0xf2);
    }
    rex |= (opc & P_REXW) ? 8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* Byte registers 4-7 mean SPL..DIL only with a REX prefix. */
    if (((opc & P_REXB_R) && r >= 4) || ((opc & P_REXB_RM) && rm >= 4)) {
        rex |= 0x40;
    }
    if (rex) {
        tcg_out8(s, 0x40 | rex);
    }
    if (opc & (P_EXT | P_EXT38 | P_EXT3A)) {
        tcg_out8(s, 0x0f);
        if (opc & P_EXT38) {
            tcg_out8(s, 0x38);
        } else if (opc & P_EXT3A) {
            tcg_out8(s, 0x3a);
        }
    }
    tcg_out8(s, opc);
}

static void out_modrm(TCGContext *s, int opc, int r, int rm)
{
    out_opc(s, opc, r, rm, 0);
    tcg_out8(s, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* VEX-encoded (BMI) instruction, register forms: r, vvvv, rm. */
static void out_vex_modrm(TCGContext *s, int opc, int r, int v, int rm)
{
    int mmmmm = (opc & P_EXT3A) ? 3 : (opc & P_EXT38) ? 2 : 1;
    int pp = (opc & P_DATA16) ? 1 : (opc & P_SIMDF3) ? 2 :
             (opc & P_SIMDF2) ? 3 : 0;
    int w = (opc & P_REXW) ? 0x80 : 0;

    tcg_out8(s, 0xc4);
    tcg_out8(s, ((~r & 8) << 4) | 0x40 | ((~rm & 8) << 2) | mmmmm);
    tcg_out8(s, w | ((~v & 15) << 3) | ((opc & P_VEXL) ? 4 : 0) | pp);
    tcg_out8(s, opc);
    tcg_out8(s, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* [base + index << shift + offset]; base or index may be -1. */
static void out_modrm_sib_offset(TCGContext *s, int opc, int r, int base,
                                 int index, int shift, intptr_t offset)
{
    int mod, len;

    if (index < 0 && base < 0) {
        /* Absolute 32-bit address: ModRM rm=100 SIB base=101 index=100. */
        out_opc(s, opc, r, 0, 0);
        tcg_out8(s, ((r & 7) << 3) | 4);
        tcg_out8(s, 0x25);
        tcg_out32(s, offset);
        return;
    }
    if (index < 0 && base >= 0) {
        if (offset == 0 && (base & 7) != R_BP) {
            mod = 0, len = 0;
        } else if (offset == (int8_t)offset) {
            mod = 0x40, len = 1;
        } else {
            mod = 0x80, len = 4;
        }
        out_opc(s, opc, r, base, 0);
        if ((base & 7) == R_SP) {
            tcg_out8(s, mod | ((r & 7) << 3) | 4);
            tcg_out8(s, 0x24);
        } else {
            tcg_out8(s, mod | ((r & 7) << 3) | (base & 7));
        }
    } else {
        g_assert(index != R_SP);
        if (base < 0) {
            /* [index << shift + disp32] */
            out_opc(s, opc, r, 0, index);
            tcg_out8(s, ((r & 7) << 3) | 4);
            tcg_out8(s, (shift << 6) | ((index & 7) << 3) | 5);
            tcg_out32(s, offset);
            return;
        }
        if (offset == 0 && (base & 7) != R_BP) {
            mod = 0, len = 0;
        } else if (offset == (int8_t)offset) {
            mod = 0x40, len = 1;
        } else {
            mod = 0x80, len = 4;
        }
        out_opc(s, opc, r, base, index);
        tcg_out8(s, mod | ((r & 7) << 3) | 4);
        tcg_out8(s, (shift << 6) | ((index & 7) << 3) | (base & 7));
    }
    if (len == 1) {
        tcg_out8(s, offset);
    } else if (len == 4) {
        tcg_out32(s, offset);
    }
}

static void out_modrm_offset(TCGContext *s, int opc, int r, int base,
                             intptr_t offset)
{
    out_modrm_sib_offset(s, opc, r, base, -1, 0, offset);
}

/* ---- Basic moves ------------------------------------------------------- */

static void x86_mov(TCGContext *s, int dst, int src)
{
    if (dst != src) {
        out_modrm(s, OPC_MOVL_GvEv | P_REXW, dst, src);
    }
}

static void x86_mov32(TCGContext *s, int dst, int src)
{
    out_modrm(s, OPC_MOVL_GvEv, dst, src);
}

static void x86_movi(TCGContext *s, int r, uint64_t v)
{
    if (v == 0) {
        out_modrm(s, 0x33, r, r);           /* xor r32, r32 */
    } else if (v == (uint32_t)v) {
        out_opc(s, OPC_MOVL_Iv + (r & 7), 0, r, 0);
        tcg_out32(s, v);
    } else if (v == (uint64_t)(int32_t)v) {
        out_modrm(s, OPC_MOVL_EvIz | P_REXW, 0, r);
        tcg_out32(s, v);
    } else {
        out_opc(s, (OPC_MOVL_Iv + (r & 7)) | P_REXW, 0, r, 0);
        tcg_out64(s, v);
    }
}

static void x86_ld(TCGContext *s, int size, int r, int base, intptr_t off)
{
    switch (size) {
    case 1: out_modrm_offset(s, OPC_MOVZBL, r, base, off); break;
    case 2: out_modrm_offset(s, OPC_MOVZWL, r, base, off); break;
    case 4: out_modrm_offset(s, OPC_MOVL_GvEv, r, base, off); break;
    default: out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, r, base, off); break;
    }
}

static void x86_st(TCGContext *s, int size, int r, int base, intptr_t off)
{
    switch (size) {
    case 1: out_modrm_offset(s, OPC_MOVB_EvGv | P_REXB_R, r, base, off); break;
    case 2: out_modrm_offset(s, OPC_MOVL_EvGv | P_DATA16, r, base, off); break;
    case 4: out_modrm_offset(s, OPC_MOVL_EvGv, r, base, off); break;
    default: out_modrm_offset(s, OPC_MOVL_EvGv | P_REXW, r, base, off); break;
    }
}

static bool x86_sti(TCGContext *s, int size, uint64_t v, int base,
                    intptr_t off)
{
    switch (size) {
    case 1:
        out_modrm_offset(s, OPC_MOVB_EvIz, 0, base, off);
        tcg_out8(s, v);
        return true;
    case 2:
        out_modrm_offset(s, OPC_MOVL_EvIz | P_DATA16, 0, base, off);
        tcg_out16(s, v);
        return true;
    case 4:
        out_modrm_offset(s, OPC_MOVL_EvIz, 0, base, off);
        tcg_out32(s, v);
        return true;
    default:
        if (v != (uint64_t)(int32_t)v) {
            return false;
        }
        out_modrm_offset(s, OPC_MOVL_EvIz | P_REXW, 0, base, off);
        tcg_out32(s, v);
        return true;
    }
}

static bool const_match(uint64_t v, TCGType type, unsigned ct)
{
    if ((ct & CT_ZERO) && (type == TCG_TYPE_I32 ? (uint32_t)v == 0 : v == 0)) {
        return true;
    }
    if (type == TCG_TYPE_I32) {
        return ct & (CT_S32 | CT_U32);
    }
    if ((ct & CT_S32) && v == (uint64_t)(int32_t)v) {
        return true;
    }
    if ((ct & CT_U32) && v == (uint32_t)v) {
        return true;
    }
    return false;
}

/* ---- Arithmetic helpers ------------------------------------------------ */

static void x86_arithi(TCGContext *s, int ext, int r, int64_t v, int rexw)
{
    if (v == (int8_t)v) {
        out_modrm(s, OPC_ARITH_EvIb | rexw, ext, r);
        tcg_out8(s, v);
    } else {
        out_modrm(s, OPC_ARITH_EvIz | rexw, ext, r);
        tcg_out32(s, v);
    }
}

static void x86_cmp(TCGContext *s, TCGCond cond, TCGArg a, TCGArg b,
                    bool b_const, int rexw)
{
    if (cond == TCG_COND_TSTEQ || cond == TCG_COND_TSTNE) {
        if (b_const) {
            if (rexw && b != (uint64_t)(int32_t)b) {
                g_assert_not_reached();
            }
            if (b == (uint8_t)b && a < 4) {
                /* test al..bl, imm8 */
                out_modrm(s, 0xf6, 0, a);
                tcg_out8(s, b);
            } else {
                out_modrm(s, OPC_TESTL_Ib | rexw, 0, a);
                tcg_out32(s, b);
            }
        } else {
            out_modrm(s, OPC_TESTL | rexw, b, a);
        }
        return;
    }
    if (b_const) {
        if ((rexw ? b : (uint32_t)b) == 0) {
            out_modrm(s, OPC_TESTL | rexw, a, a);
        } else {
            x86_arithi(s, ARITH_CMP, a, rexw ? (int64_t)b : (int32_t)b,
                       rexw);
        }
    } else {
        out_modrm(s, OPC_CMP_GvEv | rexw, a, b);
    }
}

static void x86_jcc(TCGContext *s, int jcc, int label)
{
    if (jcc < 0) {
        tcg_out8(s, OPC_JMP_long);
    } else {
        out_opc(s, OPC_JCC_long + jcc, 0, 0, 0);
    }
    tcg_out_reloc(s, label, 0, tcg_current_code_size(s));
    tcg_out32(s, 0);
}

static bool patch_reloc(TCGContext *s, const TCGReloc *r, uint32_t value)
{
    int32_t disp = (int32_t)value - (int32_t)(r->offset + 4);

    memcpy(s->code_buf + r->offset, &disp, 4);
    return true;
}

static void vec_flush(TCGContext *s, bool forget);

static void out_label(TCGContext *s, int label)
{
    vec_flush(s, true);
    s->labels[label].present = true;
    s->labels[label].value = tcg_current_code_size(s);
}

static void x86_jmp_abs(TCGContext *s, int opc_rel, const void *rx_target)
{
    const uint8_t *here = tcg_rw_to_rx(s->code_ptr);
    intptr_t disp = (const uint8_t *)rx_target - (here + 5);

    if (disp == (int32_t)disp) {
        tcg_out8(s, opc_rel);
        tcg_out32(s, disp);
    } else {
        x86_movi(s, R_11, (uintptr_t)rx_target);
        out_modrm(s, OPC_GRP5, opc_rel == OPC_CALL_Jz ? EXT5_CALLN_Ev
                                                      : EXT5_JMPN_Ev, R_11);
    }
}

static void out_call(TCGContext *s, const TCGHelperInfo *info)
{
    vec_flush(s, true);         /* helpers see env, clobber xmm */
    x86_jmp_abs(s, OPC_CALL_Jz, info->func);
}

/* ---- Guest memory ------------------------------------------------------ */

typedef struct SlowPath {
    uint32_t jcc_off;           /* rel32 to patch */
    uint32_t site;              /* fault site index to re-point */
} SlowPath;
static GArray *slow_paths;

/* The host addressing of a guest address register: [r + guest_base]. */
static void mem_addr(int *base, intptr_t *off, int addr)
{
    *base = addr;
    *off = (intptr_t)guest_base;
}

static void check_align(TCGContext *s, MemOp mop, int addr)
{
    unsigned a = memop_align(mop);
    SlowPath sp;

    if (a <= 1) {
        return;
    }
    if (addr < 4) {
        out_modrm(s, 0xf6, 0, addr);        /* test r8, imm8 */
        tcg_out8(s, a - 1);
    } else {
        out_modrm(s, OPC_TESTL_Ib, 0, addr);
        tcg_out32(s, a - 1);
    }
    out_opc(s, OPC_JCC_long + JCC_JNE, 0, 0, 0);
    sp.jcc_off = tcg_current_code_size(s);
    tcg_out32(s, 0);
    sp.site = s->fault_sites->len;
    tcg_record_fault_site(s);
    g_array_append_val(slow_paths, sp);
}

static void emit_slow_paths(TCGContext *s)
{
    for (unsigned i = 0; i < slow_paths->len; i++) {
        SlowPath *sp = &g_array_index(slow_paths, SlowPath, i);
        int32_t disp = tcg_current_code_size(s) - (sp->jcc_off + 4);
        memcpy(s->code_buf + sp->jcc_off, &disp, 4);
        g_array_index(s->fault_sites, TCGFaultSite, sp->site).host_off =
            tcg_current_code_size(s);
        /* mov eax, [0x8000000000000000]: a non-canonical address raises
         * #GP, which Linux reports as SIGSEGV/SI_KERNEL with address 0,
         * what the guest gets for a misaligned SSE access. */
        tcg_out8(s, 0xa1);
        tcg_out64(s, 0x8000000000000000ull);
    }
}

static void out_qemu_ld(TCGContext *s, int r, int addr, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    int base;
    intptr_t off;

    check_align(s, mop, addr);
    mem_addr(&base, &off, addr);
    tcg_record_fault_site(s);
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_UB: out_modrm_offset(s, OPC_MOVZBL, r, base, off); break;
    case MO_SB: out_modrm_offset(s, OPC_MOVSBL | P_REXW, r, base, off); break;
    case MO_UW: out_modrm_offset(s, OPC_MOVZWL, r, base, off); break;
    case MO_SW: out_modrm_offset(s, OPC_MOVSWL | P_REXW, r, base, off); break;
    case MO_UL: out_modrm_offset(s, OPC_MOVL_GvEv, r, base, off); break;
    case MO_SL: out_modrm_offset(s, OPC_MOVSLQ, r, base, off); break;
    default: out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, r, base, off); break;
    }
}

static void out_qemu_st(TCGContext *s, TCGArg v, bool v_const, int addr,
                        MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    int base;
    intptr_t off;

    check_align(s, mop, addr);
    mem_addr(&base, &off, addr);
    tcg_record_fault_site(s);
    if (v_const) {
        x86_sti(s, memop_size(mop), v, base, off);
    } else {
        x86_st(s, memop_size(mop), v, base, off);
    }
}

static void zext_size(TCGContext *s, int r, MemOp mop)
{
    switch (mop & MO_SIZE) {
    case MO_8: out_modrm(s, OPC_MOVZBL | P_REXB_RM, r, r); break;
    case MO_16: out_modrm(s, OPC_MOVZWL, r, r); break;
    default: break;
    }
}

static int size_opc(MemOp mop, int opc32, int opc8)
{
    switch (mop & MO_SIZE) {
    case MO_8: return opc8;
    case MO_16: return opc32 | P_DATA16;
    case MO_32: return opc32;
    default: return opc32 | P_REXW;
    }
}

#include "softmmu.c.inc"

/* ---- Constraints ------------------------------------------------------- */

static void op_constraint(const TCGOp *op, TCGOpConstraint *c)
{
    uint32_t all = 0xffff & ~((1u << R_SP) | (1u << R_BP));

    for (int i = 0; i < TCG_MAX_OP_ARGS; i++) {
        c->args[i].regs = all;
    }
    switch (op->opc) {
    case INDEX_op_add:
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_sub:
    case INDEX_op_and:
    case INDEX_op_or:
    case INDEX_op_xor:
    case INDEX_op_mul:
        c->args[0].alias = 1;
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_andc:
        c->args[0].alias = 1;
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
        c->args[2].ct_const = CT_S32;
        if (!have_bmi2) {
            c->args[0].alias = 1;
            c->args[2].regs = 1u << R_CX;
        }
        break;
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        c->args[0].alias = 1;
        c->args[2].ct_const = CT_S32;
        c->args[2].regs = 1u << R_CX;
        break;
    case INDEX_op_neg:
    case INDEX_op_not:
    case INDEX_op_bswap32:
    case INDEX_op_bswap64:
    case INDEX_op_bswap16:
        c->args[0].alias = 1;
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz:
        c->args[0].newreg = true;
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_ctpop:
        break;
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        c->args[0].regs = 1u << R_AX;
        c->args[0].alias = 2;
        c->args[1].regs = 1u << R_DX;
        c->args[2].regs = 1u << R_AX;
        c->args[3].regs = all & ~((1u << R_AX) | (1u << R_DX));
        c->clobber = 1u << R_DX;
        break;
    case INDEX_op_setcond:
    case INDEX_op_negsetcond:
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_movcond:
        c->args[0].alias = 4;
        c->args[2].ct_const = CT_S32;
        break;
    case INDEX_op_brcond:
        c->args[1].ct_const = CT_S32;
        break;
    case INDEX_op_st8:
    case INDEX_op_st16:
    case INDEX_op_st32:
    case INDEX_op_st64:
        c->args[0].ct_const = CT_S32;
        break;
    case INDEX_op_deposit:
        c->args[0].alias = 1;
        break;
    case INDEX_op_qemu_st:
        c->args[0].ct_const = CT_S32;
        break;
    case INDEX_op_cmpxchg:
        c->args[0].regs = 1u << R_AX;
        c->args[0].alias = 2;
        c->args[1].regs = all & ~(1u << R_AX);
        c->args[2].regs = 1u << R_AX;
        c->args[3].regs = all & ~(1u << R_AX);
        break;
    case INDEX_op_xchg:
    case INDEX_op_xadd:
        c->args[0].alias = 2;
        break;
    default:
        break;
    }
}

/* ---- Op emission ------------------------------------------------------- */

static void out_shift(TCGContext *s, int ext, int d, TCGArg cnt, bool c,
                      int rexw)
{
    if (c) {
        unsigned n = cnt & (rexw ? 63 : 31);
        if (n == 1) {
            out_modrm(s, OPC_SHIFT_1 | rexw, ext, d);
        } else {
            out_modrm(s, OPC_SHIFT_Ib | rexw, ext, d);
            tcg_out8(s, n);
        }
    } else {
        out_modrm(s, OPC_SHIFT_cl | rexw, ext, d);
    }
}

#include "vecreg.c.inc"

static void out_op(TCGContext *s, const TCGOp *op, const TCGArg *a,
                   const bool *c)
{
    int rexw = op->type == TCG_TYPE_I64 ? P_REXW : 0;

    vec_before_op(s, op, a);

    switch (op->opc) {
    case INDEX_op_br:
        x86_jcc(s, -1, a[0]);
        break;
    case INDEX_op_brcond:
        x86_cmp(s, a[2], a[0], a[1], c[1], rexw);
        x86_jcc(s, tcg_cond_to_jcc[a[2]], a[3]);
        break;
    case INDEX_op_exit_tb:
        if (a[0] == 0) {
            x86_jmp_abs(s, OPC_JMP_long, tb_ret_zero);
        } else {
            x86_movi(s, R_AX, a[0]);
            x86_jmp_abs(s, OPC_JMP_long, tb_ret_addr);
        }
        break;
    case INDEX_op_goto_tb: {
        TranslationBlock *tb = s->tb;
        int n = a[0];
        /* The rel32 must be 4-byte aligned to be patched atomically. */
        while (((uintptr_t)s->code_ptr + 1) & 3) {
            tcg_out8(s, 0x90);
        }
        tb->jmp_insn_offset[n] = tcg_current_code_size(s);
        tcg_out8(s, OPC_JMP_long);
        tcg_out32(s, 0);
        tb->jmp_reset_offset[n] = tcg_current_code_size(s);
        break;
    }
    case INDEX_op_goto_ptr:
        out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, a[0]);
        break;

    case INDEX_op_setcond:
    case INDEX_op_negsetcond:
        x86_cmp(s, a[3], a[1], a[2], c[2], rexw);
        out_modrm(s, OPC_SETCC | tcg_cond_to_jcc[a[3]], 0, a[0]);
        out_modrm(s, OPC_MOVZBL | P_REXB_RM, a[0], a[0]);
        if (op->opc == INDEX_op_negsetcond) {
            out_modrm(s, OPC_GRP3_Ev | P_REXW, EXT3_NEG, a[0]);
        }
        break;
    case INDEX_op_movcond:
        x86_cmp(s, a[5], a[1], a[2], c[2], rexw);
        out_modrm(s, (OPC_CMOVCC | tcg_cond_to_jcc[a[5]]) | rexw, a[0], a[3]);
        break;

    case INDEX_op_ld8u: x86_ld(s, 1, a[0], a[1], a[2]); break;
    case INDEX_op_ld16u: x86_ld(s, 2, a[0], a[1], a[2]); break;
    case INDEX_op_ld32u: x86_ld(s, 4, a[0], a[1], a[2]); break;
    case INDEX_op_ld64: x86_ld(s, 8, a[0], a[1], a[2]); break;
    case INDEX_op_ld8s:
        out_modrm_offset(s, OPC_MOVSBL | P_REXW, a[0], a[1], a[2]);
        break;
    case INDEX_op_ld16s:
        out_modrm_offset(s, OPC_MOVSWL | P_REXW, a[0], a[1], a[2]);
        break;
    case INDEX_op_ld32s:
        out_modrm_offset(s, OPC_MOVSLQ, a[0], a[1], a[2]);
        break;
    case INDEX_op_st8:
    case INDEX_op_st16:
    case INDEX_op_st32:
    case INDEX_op_st64: {
        int size = 1 << (op->opc - INDEX_op_st8);
        if (c[0]) {
            x86_sti(s, size, a[0], a[1], a[2]);
        } else {
            x86_st(s, size, a[0], a[1], a[2]);
        }
        break;
    }

    case INDEX_op_add:
        if (c[2]) {
            int64_t v = rexw ? (int64_t)a[2] : (int32_t)a[2];
            if (a[0] == a[1]) {
                if (v == 1 || v == -1) {
                    out_modrm(s, 0xff | rexw, v == 1 ? 0 : 1, a[0]);
                } else if (v) {
                    x86_arithi(s, ARITH_ADD, a[0], v, rexw);
                } else if (!rexw) {
                    x86_mov32(s, a[0], a[0]);
                }
            } else {
                out_modrm_offset(s, OPC_LEA | rexw, a[0], a[1], v);
            }
        } else if (a[0] == a[1]) {
            out_modrm(s, OPC_ADD_GvEv | rexw, a[0], a[2]);
        } else if (a[0] == a[2]) {
            out_modrm(s, OPC_ADD_GvEv | rexw, a[0], a[1]);
        } else {
            out_modrm_sib_offset(s, OPC_LEA | rexw, a[0], a[1], a[2], 0, 0);
        }
        break;
    case INDEX_op_sub:
    case INDEX_op_and:
    case INDEX_op_or:
    case INDEX_op_xor: {
        int e = op->opc == INDEX_op_sub ? ARITH_SUB :
                op->opc == INDEX_op_and ? ARITH_AND :
                op->opc == INDEX_op_or ? ARITH_OR : ARITH_XOR;
        if (c[2]) {
            int64_t v = rexw ? (int64_t)a[2] : (int32_t)a[2];
            if (e == ARITH_AND && v == 0xff && a[0] < 16) {
                out_modrm(s, OPC_MOVZBL | P_REXB_RM, a[0], a[0]);
            } else if (e == ARITH_AND && v == 0xffff) {
                out_modrm(s, OPC_MOVZWL, a[0], a[0]);
            } else {
                x86_arithi(s, e, a[0], v, rexw);
            }
        } else {
            out_modrm(s, (OPC_ARITH_GvEv + (e << 3)) | rexw, a[0], a[2]);
        }
        break;
    }
    case INDEX_op_andc:
        if (c[2]) {
            int64_t v = rexw ? (int64_t)a[2] : (int32_t)a[2];
            x86_arithi(s, ARITH_AND, a[0], ~v, rexw);
        } else if (a[0] == a[2]) {
            out_modrm(s, 0x33, a[0], a[0]);
        } else if (have_bmi1) {
            out_vex_modrm(s, OPC_ANDN | rexw, a[0], a[2], a[0]);
        } else {
            out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, a[2]);
            out_modrm(s, (OPC_ARITH_GvEv + (ARITH_AND << 3)) | rexw,
                      a[0], a[2]);
            out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, a[2]);
        }
        break;
    case INDEX_op_mul:
        if (c[2]) {
            int32_t v = a[2];
            if (v == (int8_t)v) {
                out_modrm(s, OPC_IMUL_GvEvIb | rexw, a[0], a[0]);
                tcg_out8(s, v);
            } else {
                out_modrm(s, OPC_IMUL_GvEvIz | rexw, a[0], a[0]);
                tcg_out32(s, v);
            }
        } else {
            out_modrm(s, OPC_IMUL_GvEv | rexw, a[0], a[2]);
        }
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar: {
        int ext = op->opc == INDEX_op_shl ? SHIFT_SHL :
                  op->opc == INDEX_op_shr ? SHIFT_SHR : SHIFT_SAR;
        if (have_bmi2) {
            if (c[2]) {
                if (a[0] != a[1]) {
                    out_modrm(s, OPC_MOVL_GvEv | rexw, a[0], a[1]);
                }
                out_shift(s, ext, a[0], a[2], true, rexw);
            } else {
                int opc = op->opc == INDEX_op_shl ? OPC_SHLX :
                          op->opc == INDEX_op_shr ? OPC_SHRX : OPC_SARX;
                out_vex_modrm(s, opc | rexw, a[0], a[2], a[1]);
            }
        } else {
            out_shift(s, ext, a[0], a[2], c[2], rexw);
        }
        break;
    }
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        out_shift(s, op->opc == INDEX_op_rotl ? SHIFT_ROL : SHIFT_ROR,
                  a[0], a[2], c[2], rexw);
        break;
    case INDEX_op_neg:
        out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, a[0]);
        break;
    case INDEX_op_not:
        out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, a[0]);
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz: {
        bool is_clz = op->opc == INDEX_op_clz;
        unsigned width = rexw ? 64 : 32;
        if ((is_clz && have_lzcnt) || (!is_clz && have_bmi1)) {
            out_modrm(s, (is_clz ? OPC_LZCNT : OPC_TZCNT) | rexw, a[0], a[1]);
            if (c[2] && a[2] == width) {
                break;
            }
            if (c[2]) {
                /* CF is set when the input was zero. */
                out_opc(s, OPC_JCC_short + JCC_JAE, 0, 0, 0);
                tcg_out8(s, 0);
                {
                    uint8_t *p = s->code_ptr;
                    x86_movi(s, a[0], rexw ? a[2] : (uint32_t)a[2]);
                    p[-1] = s->code_ptr - p;
                }
            } else {
                out_modrm(s, (OPC_CMOVCC | JCC_JB) | rexw, a[0], a[2]);
            }
        } else {
            out_modrm(s, (is_clz ? OPC_BSR : OPC_BSF) | rexw, a[0], a[1]);
            if (is_clz) {
                /* bsr gives the index of the top bit: clz = w-1 - idx. */
                uint8_t *jz, *p;
                out_opc(s, OPC_JCC_short + JCC_JE, 0, 0, 0);
                tcg_out8(s, 0);
                jz = s->code_ptr;
                x86_arithi(s, ARITH_XOR, a[0], width - 1, rexw);
                out_opc(s, OPC_JMP_short, 0, 0, 0);
                tcg_out8(s, 0);
                p = s->code_ptr;
                jz[-1] = s->code_ptr - jz;
                if (c[2]) {
                    x86_movi(s, a[0], rexw ? a[2] : (uint32_t)a[2]);
                } else {
                    x86_mov(s, a[0], a[2]);
                }
                p[-1] = s->code_ptr - p;
            } else {
                uint8_t *p;
                out_opc(s, OPC_JCC_short + JCC_JNE, 0, 0, 0);
                tcg_out8(s, 0);
                p = s->code_ptr;
                if (c[2]) {
                    x86_movi(s, a[0], rexw ? a[2] : (uint32_t)a[2]);
                } else {
                    x86_mov(s, a[0], a[2]);
                }
                p[-1] = s->code_ptr - p;
            }
        }
        break;
    }
    case INDEX_op_ctpop:
        if (have_popcnt) {
            out_modrm(s, OPC_POPCNT | rexw, a[0], a[1]);
        } else {
            g_assert_not_reached();
        }
        break;
    case INDEX_op_mulu2:
        out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_MUL, a[3]);
        break;
    case INDEX_op_muls2:
        out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_IMUL, a[3]);
        break;

    case INDEX_op_ext8s:
        out_modrm(s, OPC_MOVSBL | P_REXW | P_REXB_RM, a[0], a[1]);
        break;
    case INDEX_op_ext8u:
        out_modrm(s, OPC_MOVZBL | P_REXB_RM, a[0], a[1]);
        break;
    case INDEX_op_ext16s:
        out_modrm(s, OPC_MOVSWL | P_REXW, a[0], a[1]);
        break;
    case INDEX_op_ext16u:
        out_modrm(s, OPC_MOVZWL, a[0], a[1]);
        break;
    case INDEX_op_ext32s:
        out_modrm(s, OPC_MOVSLQ, a[0], a[1]);
        break;
    case INDEX_op_ext32u:
        x86_mov32(s, a[0], a[1]);
        break;
    case INDEX_op_bswap16:
        /* rol r16, 8; movzx r32, r16 */
        out_modrm(s, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, a[0]);
        tcg_out8(s, 8);
        out_modrm(s, OPC_MOVZWL, a[0], a[0]);
        break;
    case INDEX_op_bswap32:
        out_opc(s, OPC_BSWAP + (a[0] & 7), 0, a[0], 0);
        break;
    case INDEX_op_bswap64:
        out_opc(s, (OPC_BSWAP + (a[0] & 7)) | P_REXW, 0, a[0], 0);
        break;
    case INDEX_op_deposit: {
        unsigned pos = a[3], len = a[4];
        if (pos == 0 && len == 8) {
            out_modrm(s, OPC_MOVB_EvGv | P_REXB_R | P_REXB_RM, a[2], a[0]);
        } else if (pos == 0 && len == 16) {
            out_modrm(s, OPC_MOVL_EvGv | P_DATA16, a[2], a[0]);
        } else {
            /* ror pos; shrd len (b's low bits enter at the top);
             * rol pos + len. */
            if (pos) {
                out_modrm(s, OPC_SHIFT_Ib | P_REXW, SHIFT_ROR, a[0]);
                tcg_out8(s, pos);
            }
            out_modrm(s, OPC_SHRD_Ib | P_REXW, a[2], a[0]);
            tcg_out8(s, len);
            if ((pos + len) & 63) {
                out_modrm(s, OPC_SHIFT_Ib | P_REXW, SHIFT_ROL, a[0]);
                tcg_out8(s, (pos + len) & 63);
            }
        }
        break;
    }
    case INDEX_op_extract:
    case INDEX_op_sextract: {
        unsigned pos = a[2], len = a[3];
        bool sign = op->opc == INDEX_op_sextract;
        if (!sign && pos == 8 && len == 8 && a[1] < 4 && a[0] < 8) {
            /* movzx r32, ah..bh */
            out_modrm(s, OPC_MOVZBL, a[0], a[1] + 4);
            break;
        }
        x86_mov(s, a[0], a[1]);
        if (64 - pos - len) {
            out_modrm(s, OPC_SHIFT_Ib | P_REXW, SHIFT_SHL, a[0]);
            tcg_out8(s, 64 - pos - len);
        }
        out_modrm(s, OPC_SHIFT_Ib | P_REXW, sign ? SHIFT_SAR : SHIFT_SHR,
                  a[0]);
        tcg_out8(s, 64 - len);
        break;
    }

    case INDEX_op_qemu_ld:
        if (tcg_softmmu) {
            smmu_qemu_ld(s, a[0], a[1], a[2]);
            break;
        }
        out_qemu_ld(s, a[0], a[1], a[2]);
        break;
    case INDEX_op_qemu_st:
        if (tcg_softmmu) {
            smmu_qemu_st(s, a[0], c[0], a[1], a[2]);
            break;
        }
        out_qemu_st(s, a[0], c[0], a[1], a[2]);
        break;
    case INDEX_op_cmpxchg: {
        if (tcg_softmmu) {
            smmu_atomic(s, TCG_SOFTMMU_CMPXCHG, a[0], a[1], a[2], a[3], a[4]);
            break;
        }
        MemOp mop = get_memop(a[4]);
        int base;
        intptr_t off;
        mem_addr(&base, &off, a[1]);
        tcg_record_fault_site(s);
        out_modrm_offset(s, size_opc(mop, OPC_CMPXCHG, OPC_CMPXCHGB) | P_LOCK,
                         a[3], base, off);
        zext_size(s, R_AX, mop);
        break;
    }
    case INDEX_op_xchg:
    case INDEX_op_xadd: {
        MemOp mop = get_memop(a[3]);
        int base;
        intptr_t off;
        int opc = op->opc == INDEX_op_xchg ?
                  size_opc(mop, OPC_XCHG, OPC_XCHGB) :
                  size_opc(mop, OPC_XADD, OPC_XADDB) | P_LOCK;
        if (tcg_softmmu) {
            smmu_atomic(s, op->opc == INDEX_op_xchg ? TCG_SOFTMMU_XCHG :
                        TCG_SOFTMMU_XADD, a[0], a[1], a[2], 0, a[3]);
            break;
        }
        mem_addr(&base, &off, a[1]);
        tcg_record_fault_site(s);
        out_modrm_offset(s, opc, a[0], base, off);
        zext_size(s, a[0], mop);
        break;
    }
    case INDEX_op_x86_vec:
        out_x86_vec(s, a[0], a[1], a[2]);
        break;
    case INDEX_op_x86_vec_out:
        out_x86_vec_out(s, a[0], a[1], a[2], a[3]);
        break;
    case INDEX_op_x86_vec_in:
        out_x86_vec_in(s, a[0], a[1], a[2]);
        break;
    default:
        g_error("x86_64 back end: unhandled op %s", tcg_op_defs[op->opc].name);
    }
}

static const TCGTargetOps x86_ops = {
    .nb_regs = 16,
    .call_clobber = CALL_CLOBBER,
    .call_arg_regs = call_arg_regs,
    .call_ret_reg = R_AX,
    .alloc_order = alloc_order,
    .env_reg = R_BP,
    .frame_reg = R_SP,
    .frame_offset = 0,
    .frame_size = FRAME_SPILL,
    .out_mov = x86_mov,
    .out_movi = x86_movi,
    .out_ld = x86_ld,
    .out_st = x86_st,
    .out_sti = x86_sti,
    .const_match = const_match,
    .op_constraint = op_constraint,
    .out_op = out_op,
    .out_call = out_call,
    .out_label = out_label,
    .patch_reloc = patch_reloc,
};

/* ---- Prologue, code generation, chaining ------------------------------- */

static void detect_host(void)
{
    unsigned a, b, c, d;

    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    have_popcnt = (c >> 23) & 1;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    have_bmi1 = (b >> 3) & 1;
    have_bmi2 = (b >> 8) & 1;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
            : "a"(0x80000001), "c"(0));
    have_lzcnt = (c >> 5) & 1;
    if (getenv("EMBER_TCG_NO_BMI")) {
        have_bmi1 = have_bmi2 = have_lzcnt = false;
    }
}

bool tcg_x86_host_has_popcnt(void);
bool tcg_x86_host_has_popcnt(void)
{
    return have_popcnt;
}

static const int saved_regs[] = { R_BX, R_BP, R_12, R_13, R_14, R_15 };

static size_t x86_init(TCGContext *s)
{
    uint8_t *start = s->code_ptr;

    detect_host();
    if (!slow_paths) {
        slow_paths = g_array_new(false, false, sizeof(SlowPath));
    }
    /* uintptr_t prologue(void *env, const void *tc_ptr) */
    for (unsigned i = 0; i < ARRAY_SIZE(saved_regs); i++) {
        out_opc(s, OPC_PUSH_r32 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    x86_arithi(s, ARITH_SUB, R_SP, FRAME_SIZE, P_REXW);
    x86_mov(s, R_BP, R_DI);
    out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, R_SI);

    /* Epilogue entry returning 0. */
    tb_ret_zero = tcg_rw_to_rx(s->code_ptr);
    out_modrm(s, 0x33, R_AX, R_AX);
    tcg_set_lookup_miss(tb_ret_zero);
    tb_ret_addr = tcg_rw_to_rx(s->code_ptr);
    x86_arithi(s, ARITH_ADD, R_SP, FRAME_SIZE, P_REXW);
    for (int i = ARRAY_SIZE(saved_regs) - 1; i >= 0; i--) {
        out_opc(s, OPC_POP_r32 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    tcg_out8(s, OPC_RET);
    while ((uintptr_t)s->code_ptr & 15) {
        tcg_out8(s, 0xcc);
    }
    if (tcg_softmmu) {
        smmu_init_frame();
        smmu_emit_thunks(s);
    }
    return s->code_ptr - start;
}

static uintptr_t x86_exec(void *env, const void *tc_ptr)
{
    uintptr_t (*prologue)(void *, const void *) =
        (uintptr_t (*)(void *, const void *))(uintptr_t)tcg_region.rx;
    return prologue(env, tc_ptr);
}

static int x86_gen_code(TCGContext *s, TranslationBlock *tb)
{
    int ret;

    g_array_set_size(slow_paths, 0);
    if (tcg_softmmu) {
        g_array_set_size(smmu_slow, 0);
    }
    vec_reset();
    tb->jmp_reset_offset[0] = tb->jmp_reset_offset[1] = 0xffff;
    ret = tcg_regalloc_gen(s, &x86_ops);
    if (ret < 0) {
        return ret;
    }
    emit_slow_paths(s);
    if (tcg_softmmu) {
        smmu_emit_slow_paths(s);
    }
    if (s->code_ptr > s->code_end) {
        return -1;
    }
    return 0;
}

static void x86_set_jmp_target(TranslationBlock *tb, int n, const void *addr)
{
    const uint8_t *insn = (const uint8_t *)tb->tc_ptr +
                          tb->jmp_insn_offset[n];
    int32_t disp = (const uint8_t *)addr - (insn + 5);
    uint32_t *rw = tcg_rx_to_rw(insn + 1);

    __atomic_store_n(rw, (uint32_t)disp, __ATOMIC_RELEASE);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .host_code = true,
    .init = x86_init,
    .gen_code = x86_gen_code,
    .exec = x86_exec,
    .set_jmp_target = x86_set_jmp_target,
    .replays_x86 = true,
};
