/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MMX helpers: the 64-bit forms of the packed integer operations (SDM
 * vol. 1, ch. 9). An MMX register is the mantissa of an x87 register;
 * the emitters set the tag word, TOP and the exponent as the
 * architecture requires.
 */
#include "ember/osdep.h"
#include "target/x86/cpu.h"
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "helper.h"

typedef union MMXReg {
    uint8_t b[8];
    uint16_t w[4];
    uint32_t l[2];
    uint64_t q[1];
    int8_t sb[8];
    int16_t sw[4];
    int32_t sl[2];
    int64_t sq[1];
} MMXReg;

#define DEF_MMX(name) void helper_##name##_mmx(void *dp, void *sp)
#define BEGIN MMXReg *d = dp, *s = sp, r; (void)s; memcpy(&r, d, 8)
#define END memcpy(d, &r, 8)

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

#define LANEWISE(name, field, n, expr)                                   \
    DEF_MMX(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n); i++) {                                 \
            __typeof__(d->field[0]) a = d->field[i], b = s->field[i];   \
            r.field[i] = (expr);                                        \
            (void)a;                                                    \
        }                                                               \
        END;                                                            \
    }

LANEWISE(paddb, b, 8, a + b)
LANEWISE(paddw, w, 4, a + b)
LANEWISE(paddd, l, 2, a + b)
LANEWISE(paddq, q, 1, a + b)
LANEWISE(psubb, b, 8, a - b)
LANEWISE(psubw, w, 4, a - b)
LANEWISE(psubd, l, 2, a - b)
LANEWISE(psubq, q, 1, a - b)
LANEWISE(paddsb, sb, 8, sat_s8(a + b))
LANEWISE(paddsw, sw, 4, sat_s16(a + b))
LANEWISE(psubsb, sb, 8, sat_s8(a - b))
LANEWISE(psubsw, sw, 4, sat_s16(a - b))
LANEWISE(paddusb, b, 8, sat_u8(a + b))
LANEWISE(paddusw, w, 4, sat_u16(a + b))
LANEWISE(psubusb, b, 8, sat_u8(a - b))
LANEWISE(psubusw, w, 4, sat_u16(a - b))
LANEWISE(pminub, b, 8, a < b ? a : b)
LANEWISE(pmaxub, b, 8, a > b ? a : b)
LANEWISE(pminsw, sw, 4, a < b ? a : b)
LANEWISE(pmaxsw, sw, 4, a > b ? a : b)
LANEWISE(pavgb, b, 8, (a + b + 1) >> 1)
LANEWISE(pavgw, w, 4, (a + b + 1) >> 1)
LANEWISE(pcmpeqb, b, 8, a == b ? 0xff : 0)
LANEWISE(pcmpeqw, w, 4, a == b ? 0xffff : 0)
LANEWISE(pcmpeqd, l, 2, a == b ? 0xffffffffu : 0)
LANEWISE(pcmpgtb, sb, 8, a > b ? -1 : 0)
LANEWISE(pcmpgtw, sw, 4, a > b ? -1 : 0)
LANEWISE(pcmpgtd, sl, 2, a > b ? -1 : 0)
LANEWISE(pmullw, w, 4, (uint16_t)((uint32_t)a * b))
LANEWISE(pmulhw, sw, 4, (int16_t)(((int32_t)a * b) >> 16))
LANEWISE(pmulhuw, w, 4, (uint16_t)(((uint32_t)a * b) >> 16))
LANEWISE(pmulhrsw, sw, 4, (int16_t)((((int32_t)a * b >> 14) + 1) >> 1))
LANEWISE(psignb, sb, 8, b < 0 ? -a : b == 0 ? 0 : a)
LANEWISE(psignw, sw, 4, b < 0 ? -a : b == 0 ? 0 : a)
LANEWISE(psignd, sl, 2, b < 0 ? (int32_t)(0u - (uint32_t)a) : b == 0 ? 0 : a)
LANEWISE(pabsb, sb, 8, b < 0 ? -b : b)
LANEWISE(pabsw, sw, 4, b < 0 ? -b : b)
LANEWISE(pabsd, l, 2, (int32_t)b < 0 ? 0u - b : b)

DEF_MMX(pmuludq)
{
    BEGIN;
    r.q[0] = (uint64_t)d->l[0] * s->l[0];
    END;
}

DEF_MMX(pmaddwd)
{
    BEGIN;
    for (int i = 0; i < 2; i++) {
        r.l[i] = (uint32_t)((int64_t)d->sw[2 * i] * s->sw[2 * i] +
                            (int64_t)d->sw[2 * i + 1] * s->sw[2 * i + 1]);
    }
    END;
}

DEF_MMX(pmaddubsw)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.sw[i] = sat_s16(d->b[2 * i] * s->sb[2 * i] +
                          d->b[2 * i + 1] * s->sb[2 * i + 1]);
    }
    END;
}

DEF_MMX(psadbw)
{
    BEGIN;
    unsigned sum = 0;
    for (int i = 0; i < 8; i++) {
        sum += abs(d->b[i] - s->b[i]);
    }
    r.q[0] = sum;
    END;
}

#define HORIZ(name, field, T, n, expr)                                   \
    DEF_MMX(name)                                                       \
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

HORIZ(phaddw, w, uint16_t, 4, a + b)
HORIZ(phaddd, l, uint32_t, 2, a + b)
HORIZ(phaddsw, sw, int16_t, 4, sat_s16(a + b))
HORIZ(phsubw, w, uint16_t, 4, a - b)
HORIZ(phsubd, l, uint32_t, 2, a - b)
HORIZ(phsubsw, sw, int16_t, 4, sat_s16(a - b))

#define SHIFT(name, field, n, bits, op, sat, T)                          \
    static void do_##name(MMXReg *r, const MMXReg *d, uint64_t c)       \
    {                                                                   \
        for (int i = 0; i < (n); i++) {                                 \
            if (c >= (bits)) {                                          \
                r->field[i] = sat;                                      \
            } else {                                                    \
                r->field[i] = (T)d->field[i] op c;                      \
            }                                                           \
        }                                                               \
    }                                                                   \
    DEF_MMX(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        do_##name(&r, d, s->q[0]);                                      \
        END;                                                            \
    }                                                                   \
    void helper_##name##_i_mmx(void *dp, uint64_t imm)                  \
    {                                                                   \
        MMXReg *d = dp, r;                                              \
        do_##name(&r, d, imm & 0xff);                                   \
        memcpy(d, &r, 8);                                               \
    }

SHIFT(psrlw, w, 4, 16, >>, 0, uint64_t)
SHIFT(psrld, l, 2, 32, >>, 0, uint64_t)
SHIFT(psrlq, q, 1, 64, >>, 0, uint64_t)
SHIFT(psllw, w, 4, 16, <<, 0, uint64_t)
SHIFT(pslld, l, 2, 32, <<, 0, uint64_t)
SHIFT(psllq, q, 1, 64, <<, 0, uint64_t)
SHIFT(psraw, sw, 4, 16, >>, (d->sw[i] < 0 ? -1 : 0), int64_t)
SHIFT(psrad, sl, 2, 32, >>, (d->sl[i] < 0 ? -1 : 0), int64_t)

DEF_MMX(packsswb)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.sb[i] = sat_s8(d->sw[i]);
        r.sb[i + 4] = sat_s8(s->sw[i]);
    }
    END;
}

DEF_MMX(packuswb)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.b[i] = sat_u8(d->sw[i]);
        r.b[i + 4] = sat_u8(s->sw[i]);
    }
    END;
}

DEF_MMX(packssdw)
{
    BEGIN;
    for (int i = 0; i < 2; i++) {
        r.sw[i] = sat_s16(d->sl[i]);
        r.sw[i + 2] = sat_s16(s->sl[i]);
    }
    END;
}

#define UNPACK(name, field, n, base)                                     \
    DEF_MMX(name)                                                       \
    {                                                                   \
        BEGIN;                                                          \
        for (int i = 0; i < (n) / 2; i++) {                             \
            r.field[2 * i] = d->field[(base) + i];                      \
            r.field[2 * i + 1] = s->field[(base) + i];                  \
        }                                                               \
        END;                                                            \
    }

UNPACK(punpcklbw, b, 8, 0)
UNPACK(punpcklwd, w, 4, 0)
UNPACK(punpckldq, l, 2, 0)
UNPACK(punpckhbw, b, 8, 4)
UNPACK(punpckhwd, w, 4, 2)
UNPACK(punpckhdq, l, 2, 1)

DEF_MMX(pshufb)
{
    BEGIN;
    for (int i = 0; i < 8; i++) {
        uint8_t c = s->b[i];
        r.b[i] = (c & 0x80) ? 0 : d->b[c & 7];
    }
    END;
}

void helper_pshufw_mmx(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    for (int i = 0; i < 4; i++) {
        r.w[i] = s->w[(imm >> (2 * i)) & 3];
    }
    END;
}

void helper_palignr_mmx(void *dp, void *sp, uint64_t imm)
{
    BEGIN;
    uint8_t cat[16];
    memcpy(cat, s->b, 8);
    memcpy(cat + 8, d->b, 8);
    for (unsigned i = 0; i < 8; i++) {
        unsigned k = i + (imm & 0xff);
        r.b[i] = k < 16 ? cat[k] : 0;
    }
    END;
}

uint64_t helper_pmovmskb_mmx(void *sp)
{
    MMXReg *s = sp;
    uint64_t m = 0;

    for (int i = 0; i < 8; i++) {
        m |= (uint64_t)(s->b[i] >> 7) << i;
    }
    return m;
}

void helper_maskmovq(void *e, void *dp, void *sp, uint64_t addr)
{
    MMXReg *d = dp, *s = sp;
    uintptr_t ra = GETPC();

    for (int i = 0; i < 8; i++) {
        if (s->b[i] & 0x80) {
            cpu_stb_data_ra(e, addr + i, d->b[i], ra);
        }
    }
}

/*
 * Conversions between MMX and XMM registers use the packed SSE helpers
 * on a vector whose unused lanes are zero (zero raises no exception).
 */
void helper_cvtpi2ps(void *dp, void *sp)
{
    X86Vec t = { 0 };

    memcpy(&t, sp, 8);
    helper_cvtdq2ps(&t, &t);
    memcpy(dp, &t, 8);
}

void helper_cvtpi2pd(void *dp, void *sp)
{
    X86Vec t = { 0 };

    memcpy(&t, sp, 8);
    helper_cvtdq2pd(dp, &t);
}

void helper_cvtps2pi(void *dp, void *sp)
{
    X86Vec t = { 0 };

    memcpy(&t, sp, 8);
    helper_cvtps2dq(&t, &t);
    memcpy(dp, &t, 8);
}

void helper_cvttps2pi(void *dp, void *sp)
{
    X86Vec t = { 0 };

    memcpy(&t, sp, 8);
    helper_cvttps2dq(&t, &t);
    memcpy(dp, &t, 8);
}

void helper_cvtpd2pi(void *dp, void *sp)
{
    X86Vec t;

    helper_cvtpd2dq(&t, sp);
    memcpy(dp, &t, 8);
}

void helper_cvttpd2pi(void *dp, void *sp)
{
    X86Vec t;

    helper_cvttpd2dq(&t, sp);
    memcpy(dp, &t, 8);
}
