/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSE integer helpers: packed arithmetic, compares, shifts, shuffles,
 * packs and unpacks, SSSE3 and SSE4.1 integer operations.
 *
 * Every helper computes into a local and copies the 16 bytes at the
 * end: the destination and source may be the same register.
 */
#include "ember/osdep.h"
#include "target/x86/cpu.h"
#include "helper.h"

typedef X86Vec Vec;

#define DEF_BIN(name) void helper_##name(void *dp, void *sp)
#define BEGIN Vec *d = dp, *s = sp, r; (void)s; memcpy(&r, d, 16)
#define END memcpy(d, &r, 16)

static inline int8_t sat_s8(int v)
{
    return v > 127 ? 127 : v < -128 ? -128 : v;
}
static inline uint8_t sat_u8(int v)
{
    return v > 255 ? 255 : v < 0 ? 0 : v;
}
static inline int16_t sat_s16(int v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
static inline uint16_t sat_u16(int v)
{
    return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

/* Lane-wise operations: r.FIELD[i] = EXPR(a, b). */
#define LANEWISE(name, field, n, expr)                                   \
    DEF_BIN(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n); i++) {                                 \
            __typeof__(d->field[0]) a = d->field[i], b = s->field[i];   \
            r.field[i] = (expr);                                        \
            (void)a;                                                    \
        }                                                               \
        END;                                                            \
    }

LANEWISE(paddb, b, 16, a + b)
LANEWISE(paddw, w, 8, a + b)
LANEWISE(paddd, l, 4, a + b)
LANEWISE(paddq, q, 2, a + b)
LANEWISE(psubb, b, 16, a - b)
LANEWISE(psubw, w, 8, a - b)
LANEWISE(psubd, l, 4, a - b)
LANEWISE(psubq, q, 2, a - b)
LANEWISE(paddsb, sb, 16, sat_s8(a + b))
LANEWISE(paddsw, sw, 8, sat_s16(a + b))
LANEWISE(psubsb, sb, 16, sat_s8(a - b))
LANEWISE(psubsw, sw, 8, sat_s16(a - b))
LANEWISE(paddusb, b, 16, sat_u8(a + b))
LANEWISE(paddusw, w, 8, sat_u16(a + b))
LANEWISE(psubusb, b, 16, sat_u8(a - b))
LANEWISE(psubusw, w, 8, sat_u16(a - b))
LANEWISE(pminub, b, 16, a < b ? a : b)
LANEWISE(pmaxub, b, 16, a > b ? a : b)
LANEWISE(pminsw, sw, 8, a < b ? a : b)
LANEWISE(pmaxsw, sw, 8, a > b ? a : b)
LANEWISE(pminsb, sb, 16, a < b ? a : b)
LANEWISE(pmaxsb, sb, 16, a > b ? a : b)
LANEWISE(pminuw, w, 8, a < b ? a : b)
LANEWISE(pmaxuw, w, 8, a > b ? a : b)
LANEWISE(pminsd, sl, 4, a < b ? a : b)
LANEWISE(pmaxsd, sl, 4, a > b ? a : b)
LANEWISE(pminud, l, 4, a < b ? a : b)
LANEWISE(pmaxud, l, 4, a > b ? a : b)
LANEWISE(pavgb, b, 16, (a + b + 1) >> 1)
LANEWISE(pavgw, w, 8, (a + b + 1) >> 1)
LANEWISE(pcmpeqb, b, 16, a == b ? 0xff : 0)
LANEWISE(pcmpeqw, w, 8, a == b ? 0xffff : 0)
LANEWISE(pcmpeqd, l, 4, a == b ? 0xffffffffu : 0)
LANEWISE(pcmpeqq, q, 2, a == b ? ~0ull : 0)
LANEWISE(pcmpgtb, sb, 16, a > b ? -1 : 0)
LANEWISE(pcmpgtw, sw, 8, a > b ? -1 : 0)
LANEWISE(pcmpgtd, sl, 4, a > b ? -1 : 0)
LANEWISE(pcmpgtq, sq, 2, a > b ? -1 : 0)
LANEWISE(pmullw, w, 8, (uint16_t)((uint32_t)a * b))
LANEWISE(pmulhw, sw, 8, (int16_t)(((int32_t)a * b) >> 16))
LANEWISE(pmulhuw, w, 8, (uint16_t)(((uint32_t)a * b) >> 16))
LANEWISE(pmulld, l, 4, (uint32_t)((uint64_t)a * b))
LANEWISE(pmulhrsw, sw, 8, (int16_t)((((int32_t)a * b >> 14) + 1) >> 1))
LANEWISE(psignb, sb, 16, b < 0 ? -a : b == 0 ? 0 : a)
LANEWISE(psignw, sw, 8, b < 0 ? -a : b == 0 ? 0 : a)
LANEWISE(psignd, sl, 4, b < 0 ? (int32_t)(0u - (uint32_t)a) : b == 0 ? 0 : a)
LANEWISE(pabsb, sb, 16, b < 0 ? -b : b)
LANEWISE(pabsw, sw, 8, b < 0 ? -b : b)
LANEWISE(pabsd, l, 4, (int32_t)b < 0 ? 0u - b : b)

DEF_BIN(pmuludq)
{
    BEGIN;
    r.q[0] = (uint64_t)d->l[0] * s->l[0];
    r.q[1] = (uint64_t)d->l[2] * s->l[2];
    END;
}

DEF_BIN(pmuldq)
{
    BEGIN;
    r.sq[0] = (int64_t)d->sl[0] * s->sl[0];
    r.sq[1] = (int64_t)d->sl[2] * s->sl[2];
    END;
}

DEF_BIN(pmaddwd)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.l[i] = (uint32_t)((int64_t)d->sw[2 * i] * s->sw[2 * i] +
                            (int64_t)d->sw[2 * i + 1] * s->sw[2 * i + 1]);
    }
    END;
}

DEF_BIN(pmaddubsw)
{
    BEGIN;
    for (int i = 0; i < 8; i++) {
        r.sw[i] = sat_s16(d->b[2 * i] * s->sb[2 * i] +
                          d->b[2 * i + 1] * s->sb[2 * i + 1]);
    }
    END;
}

DEF_BIN(psadbw)
{
    BEGIN;
    for (int h = 0; h < 2; h++) {
        unsigned sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += abs(d->b[8 * h + i] - s->b[8 * h + i]);
        }
        r.q[h] = sum;
    }
    END;
}

/* Horizontal operations (SSSE3). */
#define HORIZ(name, field, T, n, expr)                                   \
    DEF_BIN(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n) / 2; i++) {                             \
            T a = d->field[2 * i], b = d->field[2 * i + 1];             \
            r.field[i] = (expr);                                        \
            a = s->field[2 * i];                                        \
            b = s->field[2 * i + 1];                                    \
            r.field[i + (n) / 2] = (expr);                              \
        }                                                               \
        END;                                                            \
    }

HORIZ(phaddw, w, uint16_t, 8, a + b)
HORIZ(phaddd, l, uint32_t, 4, a + b)
HORIZ(phaddsw, sw, int16_t, 8, sat_s16(a + b))
HORIZ(phsubw, w, uint16_t, 8, a - b)
HORIZ(phsubd, l, uint32_t, 4, a - b)
HORIZ(phsubsw, sw, int16_t, 8, sat_s16(a - b))

DEF_BIN(phminposuw)
{
    BEGIN;
    unsigned best = 0;
    for (int i = 1; i < 8; i++) {
        if (s->w[i] < s->w[best]) {
            best = i;
        }
    }
    r.q[0] = s->w[best] | (best << 16);
    r.q[1] = 0;
    END;
}

/* ---- Shifts ------------------------------------------------------------- */

static uint64_t shift_count(const Vec *s)
{
    return s->q[0];
}

#define SHIFT(name, field, n, bits, op, sat, T)                          \
    static void do_##name(Vec *r, const Vec *d, uint64_t c)             \
    {                                                                   \
        for (int i = 0; i < (n); i++) {                                 \
            if (c >= (bits)) {                                          \
                r->field[i] = sat;                                      \
            } else {                                                    \
                r->field[i] = (T)d->field[i] op c;                      \
            }                                                           \
        }                                                               \
    }                                                                   \
    DEF_BIN(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        do_##name(&r, d, shift_count(s));                               \
        END;                                                            \
    }                                                                   \
    void helper_##name##_i(void *dp, uint64_t imm)                      \
    {                                                                   \
        Vec *d = dp, r;                                                 \
        do_##name(&r, d, imm & 0xff);                                   \
        memcpy(d, &r, 16);                                              \
    }

SHIFT(psrlw, w, 8, 16, >>, 0, uint64_t)
SHIFT(psrld, l, 4, 32, >>, 0, uint64_t)
SHIFT(psrlq, q, 2, 64, >>, 0, uint64_t)
SHIFT(psllw, w, 8, 16, <<, 0, uint64_t)
SHIFT(pslld, l, 4, 32, <<, 0, uint64_t)
SHIFT(psllq, q, 2, 64, <<, 0, uint64_t)
SHIFT(psraw, sw, 8, 16, >>, (d->sw[i] < 0 ? -1 : 0), int64_t)
SHIFT(psrad, sl, 4, 32, >>, (d->sl[i] < 0 ? -1 : 0), int64_t)

void helper_psrldq_i(void *dp, uint64_t imm)
{
    Vec *d = dp, r;
    unsigned n = imm & 0xff;

    memset(&r, 0, 16);
    for (unsigned i = 0; i < 16; i++) {
        if (i + n < 16) {
            r.b[i] = d->b[i + n];
        }
    }
    memcpy(d, &r, 16);
}

void helper_pslldq_i(void *dp, uint64_t imm)
{
    Vec *d = dp, r;
    unsigned n = imm & 0xff;

    memset(&r, 0, 16);
    for (unsigned i = 0; i < 16; i++) {
        if (i >= n) {
            r.b[i] = d->b[i - n];
        }
    }
    memcpy(d, &r, 16);
}

/* ---- Packs and unpacks --------------------------------------------------- */

DEF_BIN(packsswb)
{
    BEGIN;
    for (int i = 0; i < 8; i++) {
        r.sb[i] = sat_s8(d->sw[i]);
        r.sb[i + 8] = sat_s8(s->sw[i]);
    }
    END;
}

DEF_BIN(packuswb)
{
    BEGIN;
    for (int i = 0; i < 8; i++) {
        r.b[i] = sat_u8(d->sw[i]);
        r.b[i + 8] = sat_u8(s->sw[i]);
    }
    END;
}

DEF_BIN(packssdw)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.sw[i] = sat_s16(d->sl[i]);
        r.sw[i + 4] = sat_s16(s->sl[i]);
    }
    END;
}

DEF_BIN(packusdw)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        int32_t a = d->sl[i], b = s->sl[i];
        r.w[i] = a < 0 ? 0 : a > 65535 ? 65535 : a;
        r.w[i + 4] = b < 0 ? 0 : b > 65535 ? 65535 : b;
    }
    END;
}

#define UNPACK(name, field, n, base)                                     \
    DEF_BIN(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n) / 2; i++) {                             \
            r.field[2 * i] = d->field[(base) + i];                      \
            r.field[2 * i + 1] = s->field[(base) + i];                  \
        }                                                               \
        END;                                                            \
    }

UNPACK(punpcklbw, b, 16, 0)
UNPACK(punpcklwd, w, 8, 0)
UNPACK(punpckldq, l, 4, 0)
UNPACK(punpcklqdq, q, 2, 0)
UNPACK(punpckhbw, b, 16, 8)
UNPACK(punpckhwd, w, 8, 4)
UNPACK(punpckhdq, l, 4, 2)
UNPACK(punpckhqdq, q, 2, 1)
UNPACK(unpcklps, l, 4, 0)
UNPACK(unpckhps, l, 4, 2)

/* ---- Shuffles and blends ------------------------------------------------- */

void helper_pshufd(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.l[i] = s->l[(imm >> (2 * i)) & 3];
    }
    END;
}

void helper_pshuflw(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.w[i] = s->w[(imm >> (2 * i)) & 3];
    }
    r.q[1] = s->q[1];
    END;
}

void helper_pshufhw(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    r.q[0] = s->q[0];
    for (int i = 0; i < 4; i++) {
        r.w[4 + i] = s->w[4 + ((imm >> (2 * i)) & 3)];
    }
    END;
}

void helper_shufps(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    r.l[0] = d->l[imm & 3];
    r.l[1] = d->l[(imm >> 2) & 3];
    r.l[2] = s->l[(imm >> 4) & 3];
    r.l[3] = s->l[(imm >> 6) & 3];
    END;
}

void helper_shufpd(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    r.q[0] = d->q[imm & 1];
    r.q[1] = s->q[(imm >> 1) & 1];
    END;
}

DEF_BIN(pshufb)
{
    BEGIN;
    for (int i = 0; i < 16; i++) {
        uint8_t c = s->b[i];
        r.b[i] = (c & 0x80) ? 0 : d->b[c & 15];
    }
    END;
}

void helper_palignr(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    uint8_t cat[32];
    memcpy(cat, s->b, 16);
    memcpy(cat + 16, d->b, 16);
    for (unsigned i = 0; i < 16; i++) {
        unsigned k = i + (imm & 0xff);
        r.b[i] = k < 32 ? cat[k] : 0;
    }
    END;
}

void helper_pblendw(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 8; i++) {
        if ((imm >> i) & 1) {
            r.w[i] = s->w[i];
        }
    }
    END;
}

void helper_blendps(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        if ((imm >> i) & 1) {
            r.l[i] = s->l[i];
        }
    }
    END;
}

void helper_blendpd(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 2; i++) {
        if ((imm >> i) & 1) {
            r.q[i] = s->q[i];
        }
    }
    END;
}

void helper_pblendvb(void *dp, void *sp, void *mp)
{
    Vec *m = mp;
    BEGIN;
    for (int i = 0; i < 16; i++) {
        if (m->b[i] & 0x80) {
            r.b[i] = s->b[i];
        }
    }
    END;
}

void helper_blendvps(void *dp, void *sp, void *mp)
{
    Vec *m = mp;
    BEGIN;
    for (int i = 0; i < 4; i++) {
        if (m->l[i] & 0x80000000u) {
            r.l[i] = s->l[i];
        }
    }
    END;
}

void helper_blendvpd(void *dp, void *sp, void *mp)
{
    Vec *m = mp;
    BEGIN;
    for (int i = 0; i < 2; i++) {
        if (m->q[i] >> 63) {
            r.q[i] = s->q[i];
        }
    }
    END;
}

void helper_mpsadbw(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    unsigned so = (imm & 3) * 4, doff = ((imm >> 2) & 1) * 4;
    for (int i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (int j = 0; j < 4; j++) {
            sum += abs(d->b[doff + i + j] - s->b[so + j]);
        }
        r.w[i] = sum;
    }
    END;
}

/* ---- Sign/zero extension (SSE4.1 PMOVSX/PMOVZX) ------------------------ */

#define PMOVX(name, dfield, sfield, n, T)                                \
    DEF_BIN(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n); i++) {                                 \
            r.dfield[i] = (T)s->sfield[i];                              \
        }                                                               \
        END;                                                            \
    }

PMOVX(pmovsxbw, sw, sb, 8, int16_t)
PMOVX(pmovsxbd, sl, sb, 4, int32_t)
PMOVX(pmovsxbq, sq, sb, 2, int64_t)
PMOVX(pmovsxwd, sl, sw, 4, int32_t)
PMOVX(pmovsxwq, sq, sw, 2, int64_t)
PMOVX(pmovsxdq, sq, sl, 2, int64_t)
PMOVX(pmovzxbw, w, b, 8, uint16_t)
PMOVX(pmovzxbd, l, b, 4, uint32_t)
PMOVX(pmovzxbq, q, b, 2, uint64_t)
PMOVX(pmovzxwd, l, w, 4, uint32_t)
PMOVX(pmovzxwq, q, w, 2, uint64_t)
PMOVX(pmovzxdq, q, l, 2, uint64_t)

/* ---- Masks and tests ----------------------------------------------------- */

uint64_t helper_pmovmskb(void *sp)
{
    Vec *s = sp;
    uint64_t m = 0;

    for (int i = 0; i < 16; i++) {
        m |= (uint64_t)(s->b[i] >> 7) << i;
    }
    return m;
}

uint64_t helper_movmskps(void *sp)
{
    Vec *s = sp;
    uint64_t m = 0;

    for (int i = 0; i < 4; i++) {
        m |= (uint64_t)(s->l[i] >> 31) << i;
    }
    return m;
}

uint64_t helper_movmskpd(void *sp)
{
    Vec *s = sp;

    return (s->q[0] >> 63) | ((s->q[1] >> 63) << 1);
}

/* PTEST: ZF = (d & s) == 0, CF = (~d & s) == 0 (SDM vol. 2B). */
uint64_t helper_ptest(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    uint64_t z = (d->q[0] & s->q[0]) | (d->q[1] & s->q[1]);
    uint64_t c = (~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1]);

    return (z ? 0 : CC_Z) | (c ? 0 : CC_C);
}

void helper_insertps(void *dp, uint64_t v, uint64_t imm)
{
    Vec *d = dp;

    d->l[(imm >> 4) & 3] = v;
    for (int i = 0; i < 4; i++) {
        if ((imm >> i) & 1) {
            d->l[i] = 0;
        }
    }
}
