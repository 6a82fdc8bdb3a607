/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IR opcodes: DEF(name, outputs, inputs, constant args, flags).
 *
 * Every temporary holds 64 bits. An op whose type is TCG_TYPE_I32 uses
 * the low 32 bits of its inputs and zero-extends its result, the way an
 * x86-64 32-bit instruction does; ops that have no type read and write
 * whole 64-bit values. Included several times with different DEF()s.
 */

/* Control. */
DEF(nop, 0, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(set_label, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT_LABEL)
DEF(br, 0, 0, 1, TCG_OPF_BB_END)
DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH | TCG_OPF_TYPED)
DEF(insn_start, 0, 0, 2, TCG_OPF_NOT_PRESENT)
DEF(call, 0, 0, 0, TCG_OPF_CALL)          /* counts are per op */
DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(discard, 1, 0, 0, TCG_OPF_NOT_PRESENT)

/* Moves and selects. */
DEF(mov, 1, 1, 0, 0)
DEF(setcond, 1, 2, 1, TCG_OPF_TYPED)      /* cond */
DEF(negsetcond, 1, 2, 1, TCG_OPF_TYPED)   /* 0 or -1 */
DEF(movcond, 1, 4, 1, TCG_OPF_TYPED)      /* c1, c2, v1, v2, cond */

/* CPU state: base + offset (args: base, offset). */
DEF(ld8u, 1, 1, 1, 0)
DEF(ld8s, 1, 1, 1, 0)
DEF(ld16u, 1, 1, 1, 0)
DEF(ld16s, 1, 1, 1, 0)
DEF(ld32u, 1, 1, 1, 0)
DEF(ld32s, 1, 1, 1, 0)
DEF(ld64, 1, 1, 1, 0)
DEF(st8, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)   /* value, base, offset */
DEF(st16, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)
DEF(st32, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)
DEF(st64, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)

/* Arithmetic and logic. */
DEF(add, 1, 2, 0, TCG_OPF_TYPED)
DEF(sub, 1, 2, 0, TCG_OPF_TYPED)
DEF(mul, 1, 2, 0, TCG_OPF_TYPED)
DEF(and, 1, 2, 0, TCG_OPF_TYPED)
DEF(or, 1, 2, 0, TCG_OPF_TYPED)
DEF(xor, 1, 2, 0, TCG_OPF_TYPED)
DEF(andc, 1, 2, 0, TCG_OPF_TYPED)
DEF(shl, 1, 2, 0, TCG_OPF_TYPED)          /* count < width */
DEF(shr, 1, 2, 0, TCG_OPF_TYPED)
DEF(sar, 1, 2, 0, TCG_OPF_TYPED)
DEF(rotl, 1, 2, 0, TCG_OPF_TYPED)
DEF(rotr, 1, 2, 0, TCG_OPF_TYPED)
DEF(neg, 1, 1, 0, TCG_OPF_TYPED)
DEF(not, 1, 1, 0, TCG_OPF_TYPED)
DEF(clz, 1, 2, 0, TCG_OPF_TYPED)          /* a ? clz(a) : b */
DEF(ctz, 1, 2, 0, TCG_OPF_TYPED)          /* a ? ctz(a) : b */
DEF(ctpop, 1, 1, 0, TCG_OPF_TYPED)
DEF(mulu2, 2, 2, 0, TCG_OPF_TYPED)        /* lo, hi = a * b */
DEF(muls2, 2, 2, 0, TCG_OPF_TYPED)

/* Width changes and bit fields (untyped: 64-bit results). */
DEF(ext8s, 1, 1, 0, 0)
DEF(ext8u, 1, 1, 0, 0)
DEF(ext16s, 1, 1, 0, 0)
DEF(ext16u, 1, 1, 0, 0)
DEF(ext32s, 1, 1, 0, 0)
DEF(ext32u, 1, 1, 0, 0)
DEF(bswap16, 1, 1, 0, 0)                  /* zero-extended */
DEF(bswap32, 1, 1, 0, 0)                  /* zero-extended */
DEF(bswap64, 1, 1, 0, 0)
DEF(deposit, 1, 2, 2, 0)                  /* a, b, pos, len */
DEF(extract, 1, 1, 2, 0)                  /* a, pos, len */
DEF(sextract, 1, 1, 2, 0)

/* Guest memory (args: value/addr, MemOpIdx). */
DEF(qemu_ld, 1, 1, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_MAY_FAULT)
DEF(qemu_st, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_MAY_FAULT)
/* old = *addr; if (old == cmp) *addr = new (atomically). */
DEF(cmpxchg, 1, 3, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_MAY_FAULT)
/* old = *addr; *addr = new (atomically). */
DEF(xchg, 1, 2, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_MAY_FAULT)
/* old = *addr; *addr += val (atomically). */
DEF(xadd, 1, 2, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_MAY_FAULT)

/*
 * Same-ISA replay (x86 guest on an x86-64 host only; see tcg-op.h):
 * one SSE instruction run by the host on vector registers kept in env.
 * Args: encoding, destination offset, source offset.
 */
DEF(x86_vec, 0, 0, 3, TCG_OPF_SIDE_EFFECTS)
/* The same with a general register: out = insn(vector at off[, off2]),
 * or vector at off = insn(vector, in). Args: encoding, off, off2. */
DEF(x86_vec_out, 1, 0, 3, TCG_OPF_SIDE_EFFECTS)   /* MXCSR flags */
DEF(x86_vec_in, 0, 1, 3, TCG_OPF_SIDE_EFFECTS)

#undef DEF
