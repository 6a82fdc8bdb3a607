/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Random instruction sequences for the differential tester. Registers
 * rsp and r15 are never written (r15 points at the scratch memory that
 * memory operands use: [r15 + disp]); r15's value is never used as
 * data, since it differs between runs.
 *
 * Each generator records which arithmetic flags the instruction
 * defines and which it leaves undefined (Intel SDM vol. 2 "Flags
 * Affected"), so the final RFLAGS is compared only where defined.
 */
#include <stdbool.h>
#include <string.h>

#include "difftest-gen.h"

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ALL (CF | PF | AF | ZF | SF | OF)

static DtSeq *S;
static uint32_t undef;

static void flags(uint32_t def, uint32_t undf)
{
    undef = (undef & ~(def | undf)) | undf;
}

static void b(int x)
{
    if (S->len < DT_MAX_BYTES) {
        S->bytes[S->len++] = x;
    }
}

static void b32(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        b(v >> (8 * i));
    }
}

static void begin(void)
{
    if (S->len < DT_MAX_BYTES) {
        S->insn_start[S->len] = 1;
        S->undef_at[S->len] = undef;
    }
}

static unsigned rnd(unsigned n)
{
    return dt_rand() % n;
}

/* A register the sequence may write (not rsp, not r15). */
static int wreg(void)
{
    int r;
    do {
        r = rnd(15);
    } while (r == 4);
    return r;
}

typedef struct Op {
    bool mem;
    int reg;
    int disp;
} Op;

static Op reg_op(int r)
{
    Op o = { false, r, 0 };
    return o;
}

static Op mem_op(int size)
{
    Op o = { true, 15, 0 };
    if (rnd(4) == 0) {
        o.disp = rnd(256 - size + 1);      /* possibly misaligned */
    } else {
        o.disp = rnd(256 / size) * size;
    }
    return o;
}

static Op rm_op(int size, bool allow_mem)
{
    if (allow_mem && rnd(3) == 0) {
        return mem_op(size);
    }
    return reg_op(wreg());
}

/*
 * [66][REX] opcode ModRM [disp]. size 1/2/4/8 selects 66 and REX.W;
 * for size 1, hi8 (no REX) makes registers 4-7 AH..BH.
 */
static void modrm_insn(int size, const uint8_t *opc, int nopc, int reg,
                       Op rm, bool hi8)
{
    int rex = 0;

    begin();
    if (size == 2) {
        b(0x66);
    }
    if (size == 8) {
        rex |= 8;
    }
    rex |= (reg & 8) >> 1;
    rex |= ((rm.mem ? rm.reg : rm.reg) & 8) >> 3;
    if (size == 1 && !hi8) {
        rex |= 0x40;
    }
    if (rex) {
        b(0x40 | rex);
    }
    for (int i = 0; i < nopc; i++) {
        b(opc[i]);
    }
    if (!rm.mem) {
        b(0xc0 | ((reg & 7) << 3) | (rm.reg & 7));
    } else if (rm.disp < 128) {
        b(0x40 | ((reg & 7) << 3) | (rm.reg & 7));
        b(rm.disp);
    } else {
        b(0x80 | ((reg & 7) << 3) | (rm.reg & 7));
        b32(rm.disp);
    }
}

static void imm(int bytes, uint64_t v)
{
    for (int i = 0; i < bytes; i++) {
        b(v >> (8 * i));
    }
}

static int rand_size(void)
{
    static const int s[] = { 1, 2, 4, 8, 4, 8 };
    return s[rnd(6)];
}

static uint64_t rand_imm(void)
{
    switch (rnd(4)) {
    case 0: return rnd(4);
    case 1: return rnd(256) - 128;
    default: return dt_rand();
    }
}

/* Byte-register operands: either both plain (REX) or both legacy
 * AH..BH style; the legacy style cannot reach r8-r15 or memory. */
static bool pick_hi8(int size, int *r1, Op *rm)
{
    if (size != 1 || rm->mem || rnd(3)) {
        return false;
    }
    *r1 = rnd(8);
    rm->reg = rnd(8);
    return true;
}

/* Instructions that read flags must not see undefined ones: define them
 * all first (cmp rax, rbx) when some are. */
static void need_flags(void)
{
    if (undef & ALL) {
        begin();
        b(0x48);
        b(0x39);
        b(0xd8);
        flags(ALL, 0);
    }
}

/* ---- Integer ------------------------------------------------------------ */

static void gen_alu(void)
{
    int op = rnd(8), size = rand_size(), form = rnd(5);

    if (op == 2 || op == 3) {
        need_flags();
    }
    uint8_t base = op << 3;
    int r = wreg();
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);
    bool lock = false;

    if (form == 0 || form == 1) {
        /* op r/m, r   or   op r, r/m */
        uint8_t opc = base | (form ? 2 : 0) | (size > 1);
        if (form == 0 && rm.mem && op != 7 && rnd(3) == 0) {
            lock = true;
        }
        if (lock) {
            begin();
            b(0xf0);
            S->insn_start[S->len - 1] = 1;
            modrm_insn(size, &opc, 1, r, rm, hi8);
            S->insn_start[S->len - (rm.disp < 128 ? 4 : 7) -
                          (size == 2) - 0] = 0;
        } else {
            modrm_insn(size, &opc, 1, r, rm, hi8);
        }
    } else if (form == 2 && !rm.mem && rm.reg == 0 && !hi8) {
        /* op al/ax/eax/rax, imm */
        begin();
        if (size == 2) {
            b(0x66);
        }
        if (size == 8) {
            b(0x48);
        }
        b(base | 4 | (size > 1));
        imm(size == 1 ? 1 : size == 2 ? 2 : 4, rand_imm());
    } else {
        /* 80/81/83 /op */
        uint8_t opc = size == 1 ? 0x80 : (rnd(2) ? 0x83 : 0x81);
        modrm_insn(size, &opc, 1, op, rm, hi8);
        imm(opc == 0x81 ? (size == 2 ? 2 : 4) : 1, rand_imm());
    }
    if (op == 1 || op == 4 || op == 6) {
        flags(CF | PF | ZF | SF | OF, AF);
    } else {
        flags(ALL, 0);
    }
}

static void gen_unary(void)
{
    int size = rand_size(), op = 2 + rnd(4), r = 0;
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);
    uint8_t opc;

    if (op >= 4) {
        /* inc/dec: FE/FF /0 /1 */
        opc = size == 1 ? 0xfe : 0xff;
        modrm_insn(size, &opc, 1, op - 4, rm, hi8);
        flags(OF | SF | ZF | AF | PF, 0);
    } else {
        opc = size == 1 ? 0xf6 : 0xf7;
        modrm_insn(size, &opc, 1, op, rm, hi8);
        if (op == 3) {
            flags(ALL, 0);
        }
    }
}

static void gen_test(void)
{
    int size = rand_size(), r = wreg();
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);
    uint8_t opc;

    if (rnd(2)) {
        opc = size == 1 ? 0x84 : 0x85;
        modrm_insn(size, &opc, 1, r, rm, hi8);
    } else {
        opc = size == 1 ? 0xf6 : 0xf7;
        modrm_insn(size, &opc, 1, 0, rm, hi8);
        imm(size == 1 ? 1 : size == 2 ? 2 : 4, rand_imm());
    }
    flags(CF | PF | ZF | SF | OF, AF);
}

static void gen_mov(void)
{
    int size = rand_size(), r = wreg();
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);
    uint8_t opc;

    switch (rnd(5)) {
    case 0:
    case 1:
        opc = (size == 1 ? 0x88 : 0x89) | (rnd(2) << 1);
        modrm_insn(size, &opc, 1, r, rm, hi8);
        break;
    case 2:
        opc = size == 1 ? 0xc6 : 0xc7;
        modrm_insn(size, &opc, 1, 0, rm, hi8);
        imm(size == 1 ? 1 : size == 2 ? 2 : 4, rand_imm());
        break;
    case 3: {
        /* movzx/movsx r, r/m8|16 */
        static const uint8_t ops[4][2] = {
            { 0x0f, 0xb6 }, { 0x0f, 0xb7 }, { 0x0f, 0xbe }, { 0x0f, 0xbf },
        };
        int k = rnd(4), ds = (k & 1) ? (rnd(2) ? 4 : 8)
                                     : (int[]){ 2, 4, 8 }[rnd(3)];
        Op src = rm_op((k & 1) ? 2 : 1, true);
        modrm_insn(ds, ops[k], 2, wreg(), src, false);
        break;
    }
    default:
        if (rnd(2)) {
            /* movsxd r64, r/m32 */
            opc = 0x63;
            modrm_insn(8, &opc, 1, wreg(), rm_op(4, true), false);
        } else {
            /* mov r64, imm64 */
            int d = wreg();
            begin();
            b(0x48 | ((d & 8) >> 3));
            b(0xb8 | (d & 7));
            imm(8, dt_rand());
        }
        break;
    }
}

static void gen_lea(void)
{
    int size = rnd(2) ? 8 : 4, d = wreg(), base = wreg(), idx = wreg();
    int rex = (size == 8 ? 8 : 0) | ((d & 8) >> 1) | ((idx & 8) >> 2) |
              ((base & 8) >> 3);

    begin();
    if (rnd(4) == 0) {
        b(0x67);                /* 32-bit address size */
    }
    if (rex) {
        b(0x40 | rex);
    }
    b(0x8d);
    if ((base & 7) == 5) {
        b(0x44 | ((d & 7) << 3));       /* mod 01, SIB */
        b((rnd(4) << 6) | ((idx & 7) << 3) | (base & 7));
        b(rnd(256));
    } else {
        b(0x84 | ((d & 7) << 3));       /* mod 10, SIB, disp32 */
        b((rnd(4) << 6) | ((idx & 7) << 3) | (base & 7));
        b32(dt_rand());
    }
}

static void gen_cmov_setcc(void)
{
    int cc = rnd(16);

    need_flags();
    if (rnd(2)) {
        int size = (int[]){ 2, 4, 8 }[rnd(3)];
        uint8_t opc[2] = { 0x0f, 0x40 | cc };
        modrm_insn(size, opc, 2, wreg(), rm_op(size, true), false);
    } else {
        uint8_t opc[2] = { 0x0f, 0x90 | cc };
        int r = 0;
        Op rm = rm_op(1, true);
        bool hi8 = pick_hi8(1, &r, &rm);
        modrm_insn(1, opc, 2, 0, rm, hi8);
    }
}

static void gen_xchg(void)
{
    int size = rand_size(), r = wreg();
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);

    switch (rnd(3)) {
    case 0: {
        uint8_t opc = size == 1 ? 0x86 : 0x87;
        modrm_insn(size, &opc, 1, r, rm, hi8);
        break;
    }
    case 1: {
        uint8_t opc[2] = { 0x0f, size == 1 ? 0xc0 : 0xc1 };   /* xadd */
        if (rm.mem && rnd(2)) {
            b(0xf0);
            S->insn_start[S->len - 1] = 1;
            modrm_insn(size, opc, 2, r, rm, hi8);
            S->insn_start[S->len - 1 - (rm.disp < 128 ? 3 : 6) -
                          (size == 2) - (size != 4 && size != 2) -
                          (size == 1 && hi8 ? -1 : 0) + 0] = 0;
        } else {
            modrm_insn(size, opc, 2, r, rm, hi8);
        }
        flags(ALL, 0);
        break;
    }
    default: {
        uint8_t opc[2] = { 0x0f, size == 1 ? 0xb0 : 0xb1 };   /* cmpxchg */
        modrm_insn(size, opc, 2, r, rm, hi8);
        flags(ALL, 0);
        break;
    }
    }
}

static void gen_misc(void)
{
    switch (rnd(9)) {
    case 0: { /* bswap */
        int r = wreg();
        begin();
        b((rnd(2) ? 0x48 : 0x40) | ((r & 8) >> 3));
        b(0x0f);
        b(0xc8 | (r & 7));
        break;
    }
    case 1: /* cbw/cwde/cdqe */
        begin();
        if (rnd(2)) {
            b(rnd(2) ? 0x66 : 0x48);
        }
        b(0x98);
        break;
    case 2: /* cwd/cdq/cqo */
        begin();
        if (rnd(2)) {
            b(rnd(2) ? 0x66 : 0x48);
        }
        b(0x99);
        break;
    case 3: /* lahf */
        need_flags();
        begin();
        b(0x9f);
        break;
    case 4: /* sahf */
        begin();
        b(0x9e);
        flags(SF | ZF | AF | PF | CF, 0);
        break;
    case 5: /* clc/stc/cmc */
        need_flags();
        begin();
        b((int[]){ 0xf8, 0xf9, 0xf5 }[rnd(3)]);
        flags(CF, 0);
        break;
    case 6: { /* push r; pop r2 */
        int r = rnd(16), d = wreg();
        if (r == 4 || r == 15) {
            r = 0;
        }
        begin();
        if (r & 8) {
            b(0x41);
        }
        b(0x50 | (r & 7));
        begin();
        if (d & 8) {
            b(0x41);
        }
        b(0x58 | (d & 7));
        break;
    }
    case 7: { /* movbe load/store */
        int size = (int[]){ 2, 4, 8 }[rnd(3)];
        uint8_t opc[3] = { 0x0f, 0x38, 0xf0 | rnd(2) };
        modrm_insn(size, opc, 3, wreg(), mem_op(size), false);
        break;
    }
    default: { /* crc32 */
        int size = rand_size();
        uint8_t opc[4] = { 0xf2, 0x0f, 0x38, size == 1 ? 0xf0 : 0xf1 };
        int r = wreg();
        Op rm = rm_op(size, true);
        /* The F2 prefix goes before REX. */
        begin();
        if (size == 2) {
            b(0x66);
        }
        b(0xf2);
        S->len--;
        {
            size_t at = S->len;
            modrm_insn(size == 2 ? 4 : size, opc + 1, 3, r, rm, false);
            memmove(S->bytes + at + 1, S->bytes + at, S->len - at);
            S->bytes[at] = 0xf2;
            S->insn_start[at] = 1;
            S->insn_start[at + 1] = 0;
            S->len++;
        }
        break;
    }
    }
}

/* ---- Shifts -------------------------------------------------------------- */

static void shift_flags(int op, int size, unsigned count)
{
    unsigned c = count & (size == 8 ? 63 : 31);

    if (c == 0) {
        return;
    }
    switch (op) {
    case 0: case 1: /* rol ror */
        flags(CF, c == 1 ? 0 : OF);
        if (c == 1) {
            flags(OF, 0);
        }
        break;
    case 2: case 3: /* rcl rcr */
        flags(CF, c == 1 ? 0 : OF);
        if (c == 1) {
            flags(OF, 0);
        }
        break;
    default:
        if ((size == 1 || size == 2) && c >= (unsigned)size * 8) {
            flags(0, CF | OF | AF);
            flags(PF | ZF | SF, 0);
        } else {
            flags(CF | PF | ZF | SF, AF | (c == 1 ? 0 : OF));
            if (c == 1) {
                flags(OF, 0);
            }
        }
        break;
    }
}

static void gen_shift(void)
{
    int size = rand_size(), op = rnd(8), r = 0;
    Op rm = rm_op(size, true);
    bool hi8 = pick_hi8(size, &r, &rm);
    unsigned count;

    if (op == 6) {
        op = 4;     /* SAL = SHL */
    }
    if (op == 2 || op == 3) {
        need_flags();
    }
    switch (rnd(3)) {
    case 0: {
        uint8_t opc = size == 1 ? 0xd0 : 0xd1;
        modrm_insn(size, &opc, 1, op, rm, hi8);
        count = 1;
        break;
    }
    case 1: {
        uint8_t opc = size == 1 ? 0xc0 : 0xc1;
        count = rnd(4) == 0 ? rnd(256) : rnd(size * 8 + 2);
        modrm_insn(size, &opc, 1, op, rm, hi8);
        b(count);
        break;
    }
    default: {
        uint8_t opc = size == 1 ? 0xd2 : 0xd3;
        count = rnd(4) == 0 ? rnd(256) : rnd(size * 8 + 2);
        if (!rm.mem && (rm.reg == 1 || (hi8 && rm.reg == 5))) {
            rm.reg = 0;
        }
        begin();
        b(0xb1);            /* mov cl, imm8 */
        b(count);
        modrm_insn(size, &opc, 1, op, rm, hi8);
        break;
    }
    }
    shift_flags(op, size, count);
}

static void gen_shld(void)
{
    int size = (int[]){ 2, 4, 8 }[rnd(3)], right = rnd(2);
    Op rm = rm_op(size, true);
    int r = wreg();
    unsigned count = rnd(size == 2 ? 17 : size * 8);

    if (rnd(2)) {
        uint8_t opc[2] = { 0x0f, right ? 0xac : 0xa4 };
        modrm_insn(size, opc, 2, r, rm, false);
        b(count);
    } else {
        uint8_t opc[2] = { 0x0f, right ? 0xad : 0xa5 };
        if (r == 1) {
            r = 0;
        }
        if (!rm.mem && rm.reg == 1) {
            rm.reg = 2;
        }
        begin();
        b(0xb1);
        b(count);
        modrm_insn(size, opc, 2, r, rm, false);
    }
    count &= size == 8 ? 63 : 31;
    if (count) {
        flags(CF | PF | ZF | SF, AF | (count == 1 ? 0 : OF));
        if (count == 1) {
            flags(OF, 0);
        }
    }
}

/* ---- Multiplication and division ----------------------------------------- */

static void gen_muldiv(void)
{
    int size = rand_size();
    Op rm = rm_op(size, true);
    int r = 0;
    bool hi8 = pick_hi8(size, &r, &rm);

    switch (rnd(4)) {
    case 0: { /* mul/imul r/m */
        uint8_t opc = size == 1 ? 0xf6 : 0xf7;
        modrm_insn(size, &opc, 1, 4 + rnd(2), rm, hi8);
        flags(CF | OF, SF | ZF | AF | PF);
        break;
    }
    case 1: { /* div/idiv r/m (may fault) */
        uint8_t opc = size == 1 ? 0xf6 : 0xf7;
        if (rnd(3)) {
            /* Make the divisor's high part small so it rarely faults. */
            begin();
            b(0x31);
            b(0xd2);        /* xor edx, edx */
        }
        modrm_insn(size, &opc, 1, 6 + rnd(2), rm, hi8);
        flags(0, ALL);
        break;
    }
    case 2: { /* imul r, r/m */
        uint8_t opc[2] = { 0x0f, 0xaf };
        if (size == 1) {
            size = 4;
        }
        modrm_insn(size, opc, 2, wreg(), rm_op(size, true), false);
        flags(CF | OF, SF | ZF | AF | PF);
        break;
    }
    default: { /* imul r, r/m, imm */
        uint8_t opc = rnd(2) ? 0x69 : 0x6b;
        if (size == 1) {
            size = 8;
        }
        modrm_insn(size, &opc, 1, wreg(), rm_op(size, true), false);
        imm(opc == 0x6b ? 1 : (size == 2 ? 2 : 4), rand_imm());
        flags(CF | OF, SF | ZF | AF | PF);
        break;
    }
    }
}

/* ---- Bit operations ------------------------------------------------------- */

static void vex(int map, int pp, int w, int l, int vvvv, int reg, Op rm)
{
    begin();
    b(0xc4);
    b(((~reg & 8) << 4) | 0x40 | ((~rm.reg & 8) << 2) | map);
    b((w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp);
}

static void vex_modrm(int opc, int reg, Op rm)
{
    b(opc);
    if (!rm.mem) {
        b(0xc0 | ((reg & 7) << 3) | (rm.reg & 7));
    } else {
        b(0x80 | ((reg & 7) << 3) | (rm.reg & 7));
        b32(rm.disp);
    }
}

static void gen_bits(void)
{
    int size = (int[]){ 2, 4, 8 }[rnd(3)];

    switch (rnd(8)) {
    case 0: { /* bt/bts/btr/btc r/m, imm8 */
        uint8_t opc[2] = { 0x0f, 0xba };
        modrm_insn(size, opc, 2, 4 + rnd(4), rm_op(size, true), false);
        b(rnd(256));
        flags(CF, OF | SF | AF | PF);
        break;
    }
    case 1: { /* bt* r/m, r (memory: a small bit offset) */
        uint8_t opc[2] = { 0x0f, (uint8_t[]){ 0xa3, 0xab, 0xb3, 0xbb }
                                 [rnd(4)] };
        Op rm = rm_op(size, true);
        int r = wreg();
        if (rm.mem) {
            begin();
            b(0x40 | ((r & 8) >> 3));
            b(0xb8 | (r & 7));          /* mov r32, small */
            b32(rnd(128));
        }
        modrm_insn(size, opc, 2, r, rm, false);
        flags(CF, OF | SF | AF | PF);
        break;
    }
    case 2: { /* bsf/bsr */
        uint8_t opc[2] = { 0x0f, 0xbc | rnd(2) };
        modrm_insn(size, opc, 2, wreg(), rm_op(size, true), false);
        flags(ZF, CF | OF | SF | AF | PF);
        break;
    }
    case 3: { /* tzcnt/lzcnt/popcnt */
        int k = rnd(3);
        uint8_t opc[2] = { 0x0f, (uint8_t[]){ 0xbc, 0xbd, 0xb8 }[k] };
        size_t at = S->len;
        if (size == 2) {
            /* F3 after 66 */
        }
        modrm_insn(size, opc, 2, wreg(), rm_op(size, true), false);
        /* Insert the mandatory F3 before REX/opcode (after 66). */
        {
            size_t pos = at + (size == 2);
            memmove(S->bytes + pos + 1, S->bytes + pos, S->len - pos);
            memmove(S->insn_start + pos + 1, S->insn_start + pos,
                    S->len - pos);
            S->bytes[pos] = 0xf3;
            S->insn_start[pos] = pos == at;
            S->len++;
        }
        if (k == 2) {
            flags(ALL, 0);
        } else {
            flags(CF | ZF, OF | SF | AF | PF);
        }
        break;
    }
    case 4: { /* BMI: andn bextr bzhi */
        int w = size == 8, r = wreg(), v = wreg(), k = rnd(3);
        Op rm = rm_op(size, true);
        if (size == 2) {
            w = 0;
        }
        vex(2, 0, w, 0, v, r, rm);
        vex_modrm((int[]){ 0xf2, 0xf7, 0xf5 }[k], r, rm);
        if (k == 0) {
            flags(ZF | SF | CF | OF, AF | PF);
        } else if (k == 1) {
            flags(ZF | CF | OF, AF | SF | PF);
        } else {
            flags(ZF | SF | CF | OF, AF | PF);
        }
        break;
    }
    case 5: { /* BMI: blsr blsmsk blsi (group 17) */
        int w = size == 8, v = wreg(), digit = 1 + rnd(3);
        Op rm = rm_op(size, true);
        vex(2, 0, w, 0, v, digit, rm);
        vex_modrm(0xf3, digit, rm);
        flags(ZF | SF | CF | OF, AF | PF);
        break;
    }
    case 6: { /* BMI2: pdep pext mulx sarx shlx shrx rorx */
        int w = size == 8, r = wreg(), v = wreg(), k = rnd(7);
        Op rm = rm_op(size, true);
        static const int pp[7] = { 3, 2, 3, 2, 1, 3, 3 };
        static const int opc[7] = { 0xf5, 0xf5, 0xf6, 0xf7, 0xf7, 0xf7,
                                    0xf0 };
        if (k == 2 && r == v) {
            v = r == 0 ? 1 : 0;
        }
        vex(k == 6 ? 3 : 2, pp[k], w, 0, v, r, rm);
        vex_modrm(opc[k], r, rm);
        if (k == 6) {
            b(rnd(256));
        }
        break;
    }
    default: { /* adcx/adox */
        int s = rnd(2) ? 8 : 4;
        need_flags();
        uint8_t opc[3] = { 0x0f, 0x38, 0xf6 };
        size_t at = S->len;
        modrm_insn(s, opc, 3, wreg(), rm_op(s, true), false);
        memmove(S->bytes + at + 1, S->bytes + at, S->len - at);
        memmove(S->insn_start + at + 1, S->insn_start + at, S->len - at);
        S->bytes[at] = rnd(2) ? 0x66 : 0xf3;
        S->insn_start[at] = 1;
        S->insn_start[at + 1] = 0;
        S->len++;
        flags(S->bytes[at] == 0x66 ? CF : OF, 0);
        break;
    }
    }
}

/* ---- Control flow --------------------------------------------------------- */

static void gen_alu(void);

static void gen_jcc(void)
{
    /* jcc over the next instruction (rel8). */
    size_t at;
    int cc = rnd(16);
    size_t body;

    need_flags();
    at = S->len;
    uint32_t before = undef;

    begin();
    b(0x70 | cc);
    b(0);
    body = S->len;
    gen_alu();
    S->bytes[at + 1] = S->len - body;
    /* The ALU may not have run: what was undefined may still be. */
    undef |= before;
    /* Whether the ALU ran is data-dependent: its flag effects may or
     * may not have happened; the ALU defines all but maybe AF. */
}

static void gen_loop(void)
{
    /* mov ecx, small; dec loop body; loop back */
    size_t top;

    begin();
    b(0xb9);
    b32(1 + rnd(4));
    top = S->len;
    begin();
    b(0x48);
    b(0xff);
    b(0xc0 | rnd(4) * 0 | 0);   /* inc rax */
    begin();
    b(0xe2);                    /* loop */
    b((uint8_t)(top - (S->len + 1)));
    flags(OF | SF | ZF | AF | PF, 0);
}

/* ---- String instructions --------------------------------------------- */

static void lea_r15(int r, int disp)
{
    begin();
    b(0x49 | ((r & 8) >> 1));
    b(0x8d);
    b(0x87 | ((r & 7) << 3));
    b32(disp);
}

static void sub_r15(int r)
{
    /* sub r, r15 */
    begin();
    b(0x4c | ((r & 8) >> 3));
    b(0x29);
    b(0xf8 | (r & 7));
}

static void gen_string(void)
{
    int op = rnd(5), size = rand_size();
    int rep = rnd(3);
    int n = rnd(24);
    bool down = rnd(4) == 0;
    static const uint8_t ops[5] = { 0xa4, 0xaa, 0xac, 0xa6, 0xae };

    lea_r15(6, down ? 200 + rnd(40) : rnd(40));
    lea_r15(7, down ? 200 + rnd(40) : 40 + rnd(120));
    begin();
    b(0xb9);
    b32(n);
    begin();
    b(down ? 0xfd : 0xfc);
    begin();
    if (rep) {
        b(rep == 1 ? 0xf3 : 0xf2);
    }
    if (size == 2) {
        b(0x66);
    }
    if (size == 8) {
        b(0x48);
    }
    b(ops[op] | (size > 1));
    begin();
    b(0xfc);                    /* cld */
    sub_r15(6);
    sub_r15(7);
    flags(ALL, 0);
}

/* ---- SSE ---------------------------------------------------------------- */

uint64_t dt_gen_vec_value(void)
{
    static const uint64_t f[] = {
        0x3ff0000000000000ull, 0xbff0000000000000ull, 0,
        0x8000000000000000ull, 0x7ff0000000000000ull,
        0x7ff8000000000000ull, 0x7ff4000000000000ull,
        0x000fffffffffffffull, 0x4000000000000000ull,
        0x3f8000003f800000ull, 0xbf8000007f800000ull,
        0x7fc000007fa00000ull, 0x0000000100000001ull,
        0x41e0000000000000ull, 0xc3e0000000000000ull,
        0x4effffff4f000000ull,
    };
    switch (dt_rand() % 3) {
    case 0: return f[dt_rand() % (sizeof(f) / sizeof(f[0]))];
    case 1: {
        /* a "normal" double near 1 with a random mantissa */
        return (0x3fe0000000000000ull + (dt_rand() % 0x40000000000000ull)) ^
               ((dt_rand() & 1) ? 0x8000000000000000ull : 0);
    }
    default: return dt_rand();
    }
}

/* [pfx] [REX] 0F [38|3A] op ModRM [imm8] with xmm operands. */
static void sse_insn(int pfx, int map, int opc, int reg, Op rm, bool w,
                     int immv)
{
    int rex = (w ? 8 : 0) | ((reg & 8) >> 1) | ((rm.reg & 8) >> 3);

    begin();
    if (pfx) {
        b(pfx);
    }
    if (rex) {
        b(0x40 | rex);
    }
    b(0x0f);
    if (map == 2) {
        b(0x38);
    } else if (map == 3) {
        b(0x3a);
    }
    b(opc);
    if (!rm.mem) {
        b(0xc0 | ((reg & 7) << 3) | (rm.reg & 7));
    } else {
        b(0x80 | ((reg & 7) << 3) | (rm.reg & 7));
        b32(rm.disp);
    }
    if (immv >= 0) {
        b(immv);
    }
}

static Op xmm_op(int memsize)
{
    if (memsize && rnd(3) == 0) {
        Op o = { true, 15, 256 + (int)(rnd((256 - 16) / 16)) * 16 };
        return o;
    }
    return reg_op(rnd(16));
}

typedef struct SseOp {
    uint8_t pfx, map, opc;
    int8_t imm;         /* -1: none; 1: random imm8 */
    uint8_t memsize;    /* 16, 8, 4, 2, or 0 (register only) */
    uint16_t fl;        /* flags defined (all else kept) */
} SseOp;

static const SseOp sse_ops[] = {
    /* packed integer (66 0F xx) */
    { 0x66, 1, 0x60, -1, 16 }, { 0x66, 1, 0x61, -1, 16 },
    { 0x66, 1, 0x62, -1, 16 }, { 0x66, 1, 0x63, -1, 16 },
    { 0x66, 1, 0x64, -1, 16 }, { 0x66, 1, 0x65, -1, 16 },
    { 0x66, 1, 0x66, -1, 16 }, { 0x66, 1, 0x67, -1, 16 },
    { 0x66, 1, 0x68, -1, 16 }, { 0x66, 1, 0x69, -1, 16 },
    { 0x66, 1, 0x6a, -1, 16 }, { 0x66, 1, 0x6b, -1, 16 },
    { 0x66, 1, 0x6c, -1, 16 }, { 0x66, 1, 0x6d, -1, 16 },
    { 0x66, 1, 0x6f, -1, 16 }, { 0xf3, 1, 0x6f, -1, 16 },
    { 0x66, 1, 0x70, 1, 16 }, { 0xf3, 1, 0x70, 1, 16 },
    { 0xf2, 1, 0x70, 1, 16 },
    { 0x66, 1, 0x74, -1, 16 }, { 0x66, 1, 0x75, -1, 16 },
    { 0x66, 1, 0x76, -1, 16 },
    { 0x66, 1, 0xd1, -1, 16 }, { 0x66, 1, 0xd2, -1, 16 },
    { 0x66, 1, 0xd3, -1, 16 }, { 0x66, 1, 0xd4, -1, 16 },
    { 0x66, 1, 0xd5, -1, 16 }, { 0x66, 1, 0xd8, -1, 16 },
    { 0x66, 1, 0xd9, -1, 16 }, { 0x66, 1, 0xda, -1, 16 },
    { 0x66, 1, 0xdb, -1, 16 }, { 0x66, 1, 0xdc, -1, 16 },
    { 0x66, 1, 0xdd, -1, 16 }, { 0x66, 1, 0xde, -1, 16 },
    { 0x66, 1, 0xdf, -1, 16 }, { 0x66, 1, 0xe0, -1, 16 },
    { 0x66, 1, 0xe1, -1, 16 }, { 0x66, 1, 0xe2, -1, 16 },
    { 0x66, 1, 0xe3, -1, 16 }, { 0x66, 1, 0xe4, -1, 16 },
    { 0x66, 1, 0xe5, -1, 16 }, { 0x66, 1, 0xe8, -1, 16 },
    { 0x66, 1, 0xe9, -1, 16 }, { 0x66, 1, 0xea, -1, 16 },
    { 0x66, 1, 0xeb, -1, 16 }, { 0x66, 1, 0xec, -1, 16 },
    { 0x66, 1, 0xed, -1, 16 }, { 0x66, 1, 0xee, -1, 16 },
    { 0x66, 1, 0xef, -1, 16 }, { 0x66, 1, 0xf1, -1, 16 },
    { 0x66, 1, 0xf2, -1, 16 }, { 0x66, 1, 0xf3, -1, 16 },
    { 0x66, 1, 0xf4, -1, 16 }, { 0x66, 1, 0xf5, -1, 16 },
    { 0x66, 1, 0xf6, -1, 16 }, { 0x66, 1, 0xf8, -1, 16 },
    { 0x66, 1, 0xf9, -1, 16 }, { 0x66, 1, 0xfa, -1, 16 },
    { 0x66, 1, 0xfb, -1, 16 }, { 0x66, 1, 0xfc, -1, 16 },
    { 0x66, 1, 0xfd, -1, 16 }, { 0x66, 1, 0xfe, -1, 16 },
    /* float */
    { 0, 1, 0x10, -1, 16 }, { 0x66, 1, 0x10, -1, 16 },
    { 0xf3, 1, 0x10, -1, 4 }, { 0xf2, 1, 0x10, -1, 8 },
    { 0, 1, 0x14, -1, 16 }, { 0x66, 1, 0x14, -1, 16 },
    { 0, 1, 0x15, -1, 16 }, { 0x66, 1, 0x15, -1, 16 },
    { 0, 1, 0x28, -1, 16 }, { 0x66, 1, 0x28, -1, 16 },
    { 0, 1, 0x51, -1, 16 }, { 0x66, 1, 0x51, -1, 16 },
    { 0xf3, 1, 0x51, -1, 4 }, { 0xf2, 1, 0x51, -1, 8 },
    { 0, 1, 0x52, -1, 16 }, { 0xf3, 1, 0x52, -1, 4 },
    { 0, 1, 0x53, -1, 16 }, { 0xf3, 1, 0x53, -1, 4 },
    { 0, 1, 0x54, -1, 16 }, { 0x66, 1, 0x55, -1, 16 },
    { 0, 1, 0x56, -1, 16 }, { 0x66, 1, 0x57, -1, 16 },
    { 0, 1, 0x58, -1, 16 }, { 0x66, 1, 0x58, -1, 16 },
    { 0xf3, 1, 0x58, -1, 4 }, { 0xf2, 1, 0x58, -1, 8 },
    { 0, 1, 0x59, -1, 16 }, { 0x66, 1, 0x59, -1, 16 },
    { 0xf3, 1, 0x59, -1, 4 }, { 0xf2, 1, 0x59, -1, 8 },
    { 0, 1, 0x5a, -1, 8 }, { 0x66, 1, 0x5a, -1, 16 },
    { 0xf3, 1, 0x5a, -1, 4 }, { 0xf2, 1, 0x5a, -1, 8 },
    { 0, 1, 0x5b, -1, 16 }, { 0x66, 1, 0x5b, -1, 16 },
    { 0xf3, 1, 0x5b, -1, 16 },
    { 0, 1, 0x5c, -1, 16 }, { 0x66, 1, 0x5c, -1, 16 },
    { 0xf3, 1, 0x5c, -1, 4 }, { 0xf2, 1, 0x5c, -1, 8 },
    { 0, 1, 0x5d, -1, 16 }, { 0x66, 1, 0x5d, -1, 16 },
    { 0xf3, 1, 0x5d, -1, 4 }, { 0xf2, 1, 0x5d, -1, 8 },
    { 0, 1, 0x5e, -1, 16 }, { 0x66, 1, 0x5e, -1, 16 },
    { 0xf3, 1, 0x5e, -1, 4 }, { 0xf2, 1, 0x5e, -1, 8 },
    { 0, 1, 0x5f, -1, 16 }, { 0x66, 1, 0x5f, -1, 16 },
    { 0xf3, 1, 0x5f, -1, 4 }, { 0xf2, 1, 0x5f, -1, 8 },
    { 0, 1, 0xc2, 1, 16 }, { 0x66, 1, 0xc2, 1, 16 },
    { 0xf3, 1, 0xc2, 1, 4 }, { 0xf2, 1, 0xc2, 1, 8 },
    { 0, 1, 0xc6, 1, 16 }, { 0x66, 1, 0xc6, 1, 16 },
    { 0x66, 1, 0xe6, -1, 16 }, { 0xf3, 1, 0xe6, -1, 8 },
    { 0xf2, 1, 0xe6, -1, 16 },
    { 0x66, 1, 0x7c, -1, 16 }, { 0xf2, 1, 0x7c, -1, 16 },
    { 0x66, 1, 0x7d, -1, 16 }, { 0xf2, 1, 0x7d, -1, 16 },
    { 0x66, 1, 0xd0, -1, 16 }, { 0xf2, 1, 0xd0, -1, 16 },
    { 0xf3, 1, 0x12, -1, 16 }, { 0xf3, 1, 0x16, -1, 16 },
    { 0xf2, 1, 0x12, -1, 8 }, { 0xf3, 1, 0x7e, -1, 8 },
    { 0, 1, 0x2e, -1, 4, ALL }, { 0x66, 1, 0x2e, -1, 8, ALL },
    { 0, 1, 0x2f, -1, 4, ALL }, { 0x66, 1, 0x2f, -1, 8, ALL },
    /* SSSE3 / SSE4.1 / SSE4.2 (0F38) */
    { 0x66, 2, 0x00, -1, 16 }, { 0x66, 2, 0x01, -1, 16 },
    { 0x66, 2, 0x02, -1, 16 }, { 0x66, 2, 0x03, -1, 16 },
    { 0x66, 2, 0x04, -1, 16 }, { 0x66, 2, 0x05, -1, 16 },
    { 0x66, 2, 0x06, -1, 16 }, { 0x66, 2, 0x07, -1, 16 },
    { 0x66, 2, 0x08, -1, 16 }, { 0x66, 2, 0x09, -1, 16 },
    { 0x66, 2, 0x0a, -1, 16 }, { 0x66, 2, 0x0b, -1, 16 },
    { 0x66, 2, 0x10, -1, 16 }, { 0x66, 2, 0x14, -1, 16 },
    { 0x66, 2, 0x15, -1, 16 }, { 0x66, 2, 0x17, -1, 16, ALL },
    { 0x66, 2, 0x1c, -1, 16 }, { 0x66, 2, 0x1d, -1, 16 },
    { 0x66, 2, 0x1e, -1, 16 },
    { 0x66, 2, 0x20, -1, 8 }, { 0x66, 2, 0x21, -1, 4 },
    { 0x66, 2, 0x22, -1, 2 }, { 0x66, 2, 0x23, -1, 8 },
    { 0x66, 2, 0x24, -1, 4 }, { 0x66, 2, 0x25, -1, 8 },
    { 0x66, 2, 0x28, -1, 16 }, { 0x66, 2, 0x29, -1, 16 },
    { 0x66, 2, 0x2b, -1, 16 },
    { 0x66, 2, 0x30, -1, 8 }, { 0x66, 2, 0x31, -1, 4 },
    { 0x66, 2, 0x32, -1, 2 }, { 0x66, 2, 0x33, -1, 8 },
    { 0x66, 2, 0x34, -1, 4 }, { 0x66, 2, 0x35, -1, 8 },
    { 0x66, 2, 0x37, -1, 16 }, { 0x66, 2, 0x38, -1, 16 },
    { 0x66, 2, 0x39, -1, 16 }, { 0x66, 2, 0x3a, -1, 16 },
    { 0x66, 2, 0x3b, -1, 16 }, { 0x66, 2, 0x3c, -1, 16 },
    { 0x66, 2, 0x3d, -1, 16 }, { 0x66, 2, 0x3e, -1, 16 },
    { 0x66, 2, 0x3f, -1, 16 }, { 0x66, 2, 0x40, -1, 16 },
    { 0x66, 2, 0x41, -1, 16 },
    { 0x66, 2, 0xdb, -1, 16 }, { 0x66, 2, 0xdc, -1, 16 },
    { 0x66, 2, 0xdd, -1, 16 }, { 0x66, 2, 0xde, -1, 16 },
    { 0x66, 2, 0xdf, -1, 16 },
    /* 0F3A */
    { 0x66, 3, 0x08, 1, 16 }, { 0x66, 3, 0x09, 1, 16 },
    { 0x66, 3, 0x0a, 1, 4 }, { 0x66, 3, 0x0b, 1, 8 },
    { 0x66, 3, 0x0c, 1, 16 }, { 0x66, 3, 0x0d, 1, 16 },
    { 0x66, 3, 0x0e, 1, 16 }, { 0x66, 3, 0x0f, 1, 16 },
    { 0x66, 3, 0x40, 1, 16 }, { 0x66, 3, 0x41, 1, 16 },
    { 0x66, 3, 0x42, 1, 16 }, { 0x66, 3, 0x44, 1, 16 },
    { 0x66, 3, 0x21, 1, 4 },
    { 0x66, 3, 0x60, 1, 16, ALL }, { 0x66, 3, 0x61, 1, 16, ALL },
    { 0x66, 3, 0x62, 1, 16, ALL }, { 0x66, 3, 0x63, 1, 16, ALL },
    { 0x66, 3, 0xdf, 1, 16 },
};

static void gen_sse(void)
{
    const SseOp *o = &sse_ops[rnd(sizeof(sse_ops) / sizeof(sse_ops[0]))];
    int immv = o->imm < 0 ? -1 : (int)rnd(256);

    if (o->map == 3 && o->opc >= 0x08 && o->opc <= 0x0b) {
        immv &= 0xf;        /* ROUND*: bits 4-7 are reserved */
    }
    if (o->map == 3 && o->opc >= 0x60 && o->opc <= 0x63) {
        immv &= 0x7f;
    }
    if (o->map == 3 && o->opc == 0x44) {
        immv &= 0x11;
    }
    sse_insn(o->pfx, o->map, o->opc, rnd(16), xmm_op(o->memsize), false,
             immv);
    if (o->fl) {
        flags(o->fl, 0);
    }
    if (o->map == 3 && (o->opc == 0x61 || o->opc == 0x63)) {
        /* PCMPxSTRI writes ECX. */
    }
}

static void gen_sse_move(void)
{
    int x = rnd(16), r = wreg();

    switch (rnd(9)) {
    case 0: /* movd/movq xmm, r/m */
        sse_insn(0x66, 1, 0x6e, x, rm_op(8, false), rnd(2), -1);
        break;
    case 1: /* movd/movq r/m, xmm */
        sse_insn(0x66, 1, 0x7e, x, reg_op(r), rnd(2), -1);
        break;
    case 2: /* pmovmskb / movmskps / movmskpd */
        switch (rnd(3)) {
        case 0: sse_insn(0x66, 1, 0xd7, r, reg_op(x), false, -1); break;
        case 1: sse_insn(0, 1, 0x50, r, reg_op(x), false, -1); break;
        default: sse_insn(0x66, 1, 0x50, r, reg_op(x), false, -1); break;
        }
        break;
    case 3: /* pextrw r, xmm, imm */
        sse_insn(0x66, 1, 0xc5, r, reg_op(x), false, rnd(256));
        break;
    case 4: /* pinsrw/pinsrb/pinsrd/pinsrq xmm, r, imm */
        switch (rnd(3)) {
        case 0:
            sse_insn(0x66, 1, 0xc4, x, reg_op(r), false, rnd(256));
            break;
        case 1:
            sse_insn(0x66, 3, 0x20, x, reg_op(r), false, rnd(256));
            break;
        default:
            sse_insn(0x66, 3, 0x22, x, reg_op(r), rnd(2), rnd(256));
            break;
        }
        break;
    case 5: /* pextrb/d/q, extractps r, xmm, imm */
        sse_insn(0x66, 3, (uint8_t[]){ 0x14, 0x16, 0x17 }[rnd(3)], x,
                 reg_op(r), rnd(2), rnd(256));
        break;
    case 6: /* cvtsi2ss/sd xmm, r */
        sse_insn(rnd(2) ? 0xf3 : 0xf2, 1, 0x2a, x, reg_op(r), rnd(2), -1);
        break;
    case 7: /* cvt(t)ss/sd2si r, xmm */
        sse_insn(rnd(2) ? 0xf3 : 0xf2, 1, 0x2c | rnd(2), r, xmm_op(0),
                 rnd(2), -1);
        break;
    default: /* movq xmm -> m64 / movlps / movhps stores to memory */
        sse_insn((uint8_t[]){ 0x66, 0, 0 }[rnd(3)] , 1,
                 (uint8_t[]){ 0xd6, 0x13, 0x17 }[rnd(3)], x, mem_op(8),
                 false, -1);
        break;
    }
}


/* ---- MMX -------------------------------------------------------------- */

static bool mmx_active;
static void x87_pop_all(void);

static Op mmx_op(void)
{
    return rnd(3) == 0 ? mem_op(8) : reg_op(rnd(8));
}

/* NP 0F xx mm, mm/m64 (and 0F38 SSSE3 forms). */
static const uint8_t mmx_ops[] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
    0x6f, 0x74, 0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda,
    0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8,
    0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
    0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
};
static const uint8_t mmx_ops38[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
    0x1c, 0x1d, 0x1e,
};

static void gen_mmx(void)
{
    int m = rnd(8), r = wreg();

    x87_pop_all();
    mmx_active = true;
    switch (rnd(12)) {
    case 0: case 1: case 2: case 3:
        sse_insn(0, 1, mmx_ops[rnd(sizeof(mmx_ops))], m, mmx_op(), false, -1);
        break;
    case 4:
        sse_insn(0, 2, mmx_ops38[rnd(sizeof(mmx_ops38))], m, mmx_op(), false,
                 -1);
        break;
    case 5: /* shifts by immediate */
        sse_insn(0, 1, 0x71 + rnd(3), (uint8_t[]){ 2, 4, 6 }[rnd(3)],
                 reg_op(m), false, rnd(3) ? rnd(70) : rnd(256));
        break;
    case 6: /* pshufw, palignr */
        if (rnd(2)) {
            sse_insn(0, 1, 0x70, m, mmx_op(), false, rnd(256));
        } else {
            sse_insn(0, 3, 0x0f, m, mmx_op(), false, rnd(20));
        }
        break;
    case 7: /* movd/movq mm, r/m; movd/movq r/m, mm */
        sse_insn(0, 1, rnd(2) ? 0x6e : 0x7e, m,
                 rnd(3) ? reg_op(r) : mem_op(8), rnd(2), -1);
        break;
    case 8: /* movq m64, mm; movntq */
        sse_insn(0, 1, rnd(2) ? 0x7f : 0xe7, m, mem_op(8), false, -1);
        break;
    case 9: /* pinsrw, pextrw, pmovmskb */
        switch (rnd(3)) {
        case 0:
            sse_insn(0, 1, 0xc4, m, rnd(2) ? reg_op(r) : mem_op(2), false,
                     rnd(256));
            break;
        case 1: sse_insn(0, 1, 0xc5, r, reg_op(m), false, rnd(256)); break;
        default: sse_insn(0, 1, 0xd7, r, reg_op(m), false, -1); break;
        }
        break;
    case 10: /* movq2dq, movdq2q, cvtpi2ps/pd, cvt(t)ps2pi, cvt(t)pd2pi */
        switch (rnd(5)) {
        case 0: sse_insn(0xf3, 1, 0xd6, rnd(16), reg_op(m), false, -1); break;
        case 1: sse_insn(0xf2, 1, 0xd6, m, reg_op(rnd(16)), false, -1); break;
        case 2:
            sse_insn(rnd(2) ? 0x66 : 0, 1, 0x2a, rnd(16), mmx_op(), false, -1);
            break;
        case 3: sse_insn(0, 1, 0x2c | rnd(2), m, xmm_op(8), false, -1); break;
        default:
            sse_insn(0x66, 1, 0x2c | rnd(2), m, xmm_op(16), false, -1);
            break;
        }
        break;
    default: /* emms */
        begin();
        b(0x0f);
        b(0x77);
        mmx_active = false;
        break;
    }
}

/* ---- x87 -------------------------------------------------------------- */

static int fdepth;

static void fpu_mem(int opc, int regf, int size)
{
    Op m = mem_op(size);
    m.disp = 256 + (rnd(240 / size)) * size;
    begin();
    b(0x41);
    b(opc);
    b(0x80 | (regf << 3) | 7);
    b32(m.disp);
}

static void x87_pop_all(void)
{
    while (fdepth > 0) {
        begin();
        b(0xdd);
        b(0xd8);
        fdepth--;
    }
}

static void gen_x87(void)
{
    int k = rnd(12);

    if (mmx_active) {
        begin();
        b(0x0f);
        b(0x77);
        mmx_active = false;
    }

    if (fdepth == 0 || (fdepth < 6 && k < 3)) {
        /* load: fld m64/m32, fild m32/m64, constant */
        switch (rnd(5)) {
        case 0: fpu_mem(0xdd, 0, 8); break;
        case 1: fpu_mem(0xd9, 0, 4); break;
        case 2: fpu_mem(0xdb, 0, 4); break;
        case 3: fpu_mem(0xdf, 5, 8); break;
        default:
            begin();
            b(0xd9);
            b(0xe8 + rnd(7));
            break;
        }
        fdepth++;
        return;
    }
    switch (k) {
    case 3: case 4: { /* arith st0, st(i) or st(i), st0, maybe pop */
        int i = rnd(fdepth), op = rnd(8);
        if (op == 2 || op == 3) {
            op = 0;
        }
        begin();
        if (rnd(2)) {
            b(0xd8);
            b(0xc0 | (op << 3) | i);
        } else if (i > 0 && rnd(2)) {
            b(0xde);
            b(0xc0 | (op << 3) | i);
            fdepth--;
        } else {
            b(0xdc);
            b(0xc0 | (op << 3) | i);
        }
        break;
    }
    case 5: /* arith with memory */
        fpu_mem(rnd(2) ? 0xd8 : 0xdc, (int[]){ 0, 1, 4, 5, 6, 7 }[rnd(6)],
                8);
        break;
    case 6: /* fchs fabs fsqrt frndint fxch */
        begin();
        switch (rnd(5)) {
        case 0: b(0xd9); b(0xe0); break;
        case 1: b(0xd9); b(0xe1); break;
        case 2: b(0xd9); b(0xfa); break;
        case 3: b(0xd9); b(0xfc); break;
        default: b(0xd9); b(0xc8 | rnd(fdepth)); break;
        }
        break;
    case 7: /* fcomi/fucomi st0, st(i) */
        begin();
        b(rnd(2) ? 0xdb : 0xdf);
        b((rnd(2) ? 0xe8 : 0xf0) | rnd(fdepth));
        if (S->bytes[S->len - 2] == 0xdf) {
            fdepth--;
        }
        flags(ALL, 0);
        break;
    case 8: /* fstp m64/m32/m80, fistp */
        switch (rnd(4)) {
        case 0: fpu_mem(0xdd, 3, 8); break;
        case 1: fpu_mem(0xd9, 3, 4); break;
        case 2: fpu_mem(0xdb, 7, 10); break;
        default: fpu_mem(0xdf, 7, 8); break;
        }
        fdepth--;
        break;
    case 9: /* fld st(i) */
        if (fdepth < 7) {
            begin();
            b(0xd9);
            b(0xc0 | rnd(fdepth));
            fdepth++;
        }
        break;
    case 10: /* fcom/fucom then fnstsw ax */
        begin();
        b(0xdd);
        b(0xe0 | rnd(fdepth));
        begin();
        b(0xdf);
        b(0xe0);
        break;
    default: /* fstp st(0) (pop) */
        begin();
        b(0xdd);
        b(0xd8);
        fdepth--;
        break;
    }
}

/* ---- The sequence ------------------------------------------------------ */

typedef struct ClassGen {
    char c;
    void (*fn[4])(void);
} ClassGen;

static const ClassGen classes_tab[] = {
    { 'i', { gen_alu, gen_unary, gen_mov, gen_xchg } },
    { 'i', { gen_test, gen_lea, gen_cmov_setcc, gen_misc } },
    { 's', { gen_shift, gen_shift, gen_shld, gen_alu } },
    { 'm', { gen_muldiv, gen_muldiv, gen_alu, gen_muldiv } },
    { 'b', { gen_bits, gen_bits, gen_bits, gen_alu } },
    { 'c', { gen_jcc, gen_jcc, gen_loop, gen_alu } },
    { 't', { gen_string, gen_string, gen_alu, gen_string } },
    { 'x', { gen_sse, gen_sse, gen_sse_move, gen_sse } },
    { 'f', { gen_x87, gen_x87, gen_x87, gen_x87 } },
    { 'M', { gen_mmx, gen_mmx, gen_mmx, gen_alu } },
};

void dt_generate(DtSeq *seq, int length, const char *classes)
{
    const ClassGen *avail[16];
    int n = 0;

    S = seq;
    memset(seq, 0, sizeof(*seq));
    undef = 0;
    fdepth = 0;
    mmx_active = false;
    for (unsigned i = 0; i < sizeof(classes_tab) / sizeof(classes_tab[0]);
         i++) {
        if (strchr(classes, classes_tab[i].c)) {
            avail[n++] = &classes_tab[i];
        }
    }
    if (!n) {
        avail[n++] = &classes_tab[0];
    }
    for (int i = 0; i < length && seq->len < DT_MAX_BYTES - 64; i++) {
        const ClassGen *c = avail[rnd(n)];
        c->fn[rnd(4)]();
    }
    /* Leave the x87 stack empty. */
    while (fdepth > 0) {
        begin();
        b(0xdd);
        b(0xd8);
        fdepth--;
    }
    seq->undef_flags = undef;
    seq->undef_regs = 0;
    seq->undef_fsw = 0x3f | 0x80 | 0x200;   /* exception bits, ES, C1 */
}
