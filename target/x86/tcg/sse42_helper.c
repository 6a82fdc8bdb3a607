/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSE4.2 string compares (PCMPxSTRx), AES-NI, PCLMULQDQ and MASKMOVDQU.
 */
#include "ember/osdep.h"
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "target/x86/cpu.h"
#include "cc.h"
#include "helper.h"

typedef X86Vec Vec;

/* ---- PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM vol. 2B, 4.1) ------- */

static int elem(const Vec *v, int i, int fmt)
{
    switch (fmt) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return v->sb[i];
    default: return v->sw[i];
    }
}

static int implicit_len(const Vec *v, int n, int fmt)
{
    for (int i = 0; i < n; i++) {
        if (elem(v, i, fmt) == 0) {
            return i;
        }
    }
    return n;
}

static int explicit_len(uint64_t reg, bool w64, int n)
{
    int64_t v = w64 ? (int64_t)reg : (int64_t)(int32_t)reg;
    uint64_t a = v < 0 ? -(uint64_t)v : (uint64_t)v;

    return a > (uint64_t)n ? n : (int)a;
}

void helper_pcmpstr(void *e, void *dp, void *sp, uint64_t imm, uint64_t kind)
{
    CPUX86State *env = e;
    Vec *a = dp, *b = sp;
    int fmt = imm & 3, agg = (imm >> 2) & 3, pol = (imm >> 4) & 3;
    int n = (imm & 1) ? 8 : 16;
    bool index = kind & 1, implicit = kind & 2, w64 = kind & 4;
    int la, lb;
    uint32_t res1 = 0, res2;
    uint64_t fl;

    if (implicit) {
        la = implicit_len(a, n, fmt);
        lb = implicit_len(b, n, fmt);
    } else {
        la = explicit_len(env->regs[R_EAX], w64, n);
        lb = explicit_len(env->regs[R_EDX], w64, n);
    }
    for (int j = 0; j < n; j++) {
        bool r = false;
        switch (agg) {
        case 0: /* equal any */
            if (j < lb) {
                for (int i = 0; i < la; i++) {
                    r |= elem(a, i, fmt) == elem(b, j, fmt);
                }
            }
            break;
        case 1: /* ranges */
            if (j < lb) {
                for (int i = 0; i + 1 < la; i += 2) {
                    int v = elem(b, j, fmt);
                    r |= elem(a, i, fmt) <= v && v <= elem(a, i + 1, fmt);
                }
            }
            break;
        case 2: /* equal each */
            if (j < la && j < lb) {
                r = elem(a, j, fmt) == elem(b, j, fmt);
            } else {
                r = j >= la && j >= lb;
            }
            break;
        default: /* equal ordered */
            r = true;
            for (int i = 0; i < n - j; i++) {
                int k = i + j;
                if (i >= la) {
                    break;
                }
                if (k >= lb) {
                    r = false;
                    break;
                }
                if (elem(a, i, fmt) != elem(b, k, fmt)) {
                    r = false;
                    break;
                }
            }
            break;
        }
        res1 |= (uint32_t)r << j;
    }
    switch (pol) {
    case 1:
        res2 = ~res1 & ((1u << n) - 1);
        break;
    case 3:
        res2 = res1 ^ ((1u << lb) - 1);
        break;
    default:
        res2 = res1;
        break;
    }
    fl = (res2 ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
         ((res2 & 1) ? CC_O : 0);
    if (index) {
        uint32_t idx = n;
        if (res2) {
            idx = (imm & 0x40) ? 31 - __builtin_clz(res2)
                               : __builtin_ctz(res2);
        }
        env->regs[R_ECX] = idx;
    } else {
        Vec *m = &env->xmm[0];
        Vec r;
        memset(&r, 0, 16);
        if (imm & 0x40) {
            for (int j = 0; j < n; j++) {
                if ((res2 >> j) & 1) {
                    if (n == 16) {
                        r.b[j] = 0xff;
                    } else {
                        r.w[j] = 0xffff;
                    }
                }
            }
        } else {
            r.q[0] = res2;
        }
        memcpy(m, &r, 16);
    }
    env->cc_src = fl;
    env->cc_op = CC_OP_EFLAGS;
}

/* ---- AES (FIPS-197), AES-NI semantics per SDM vol. 2A ----------------- */

static uint8_t sbox[256], inv_sbox[256];
static gsize aes_ready;

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;

    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = (a << 1) ^ ((a & 0x80) ? 0x1b : 0);
        b >>= 1;
    }
    return p;
}

static void aes_init(void)
{
    if (g_once_init_enter(&aes_ready)) {
        for (int x = 0; x < 256; x++) {
            /* Multiplicative inverse in GF(2^8), then the affine map. */
            uint8_t inv = 0, s;
            for (int y = 1; y < 256 && x; y++) {
                if (gmul(x, y) == 1) {
                    inv = y;
                    break;
                }
            }
            s = inv ^ ((inv << 1) | (inv >> 7)) ^ ((inv << 2) | (inv >> 6)) ^
                ((inv << 3) | (inv >> 5)) ^ ((inv << 4) | (inv >> 4)) ^ 0x63;
            sbox[x] = s;
            inv_sbox[s] = x;
        }
        g_once_init_leave(&aes_ready, 1);
    }
}

static void shift_rows(uint8_t *st, bool inv)
{
    uint8_t t[16];

    for (int c = 0; c < 4; c++) {
        for (int r = 0; r < 4; r++) {
            int src = inv ? (c - r + 4) % 4 : (c + r) % 4;
            t[r + 4 * c] = st[r + 4 * src];
        }
    }
    memcpy(st, t, 16);
}

static void sub_bytes(uint8_t *st, bool inv)
{
    for (int i = 0; i < 16; i++) {
        st[i] = inv ? inv_sbox[st[i]] : sbox[st[i]];
    }
}

static void mix_columns(uint8_t *st, bool inv)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 };
    static const uint8_t bwd[4] = { 14, 11, 13, 9 };
    const uint8_t *m = inv ? bwd : fwd;

    for (int c = 0; c < 4; c++) {
        uint8_t col[4], out[4];
        memcpy(col, st + 4 * c, 4);
        for (int r = 0; r < 4; r++) {
            out[r] = 0;
            for (int k = 0; k < 4; k++) {
                out[r] ^= gmul(col[k], m[(k - r + 4) % 4]);
            }
        }
        memcpy(st + 4 * c, out, 4);
    }
}

static void aes_round(void *dp, void *sp, bool dec, bool last)
{
    Vec *d = dp, *s = sp;
    uint8_t st[16];

    aes_init();
    memcpy(st, d->b, 16);
    shift_rows(st, dec);
    sub_bytes(st, dec);
    if (!last) {
        mix_columns(st, dec);
    }
    for (int i = 0; i < 16; i++) {
        d->b[i] = st[i] ^ s->b[i];
    }
}

void helper_aesenc(void *d, void *s)
{
    aes_round(d, s, false, false);
}

void helper_aesenclast(void *d, void *s)
{
    aes_round(d, s, false, true);
}

void helper_aesdec(void *d, void *s)
{
    aes_round(d, s, true, false);
}

void helper_aesdeclast(void *d, void *s)
{
    aes_round(d, s, true, true);
}

void helper_aesimc(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    uint8_t st[16];

    memcpy(st, s->b, 16);
    mix_columns(st, true);
    memcpy(d->b, st, 16);
}

static uint32_t sub_word(uint32_t w)
{
    return sbox[w & 0xff] | (sbox[(w >> 8) & 0xff] << 8) |
           (sbox[(w >> 16) & 0xff] << 16) | ((uint32_t)sbox[w >> 24] << 24);
}

void helper_aeskeygenassist(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    uint32_t x1, x3, rcon = imm & 0xff;

    aes_init();
    x1 = sub_word(s->l[1]);
    x3 = sub_word(s->l[3]);
    r.l[0] = x1;
    r.l[1] = ((x1 >> 8) | (x1 << 24)) ^ rcon;
    r.l[2] = x3;
    r.l[3] = ((x3 >> 8) | (x3 << 24)) ^ rcon;
    memcpy(d, &r, 16);
}

/* ---- PCLMULQDQ: carry-less 64 x 64 -> 128 ------------------------------ */

void helper_pclmulqdq(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp;
    uint64_t a = d->q[imm & 1], b = s->q[(imm >> 4) & 1];
    uint64_t lo = 0, hi = 0;

    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            lo ^= a << i;
            if (i) {
                hi ^= a >> (64 - i);
            }
        }
    }
    d->q[0] = lo;
    d->q[1] = hi;
}

/* ---- MASKMOVDQU: byte stores selected by the mask's top bits ----------- */

void helper_maskmovdqu(void *e, void *dp, void *sp, uint64_t addr)
{
    Vec *d = dp, *s = sp;
    uintptr_t ra = GETPC();

    for (int i = 0; i < 16; i++) {
        if (s->b[i] & 0x80) {
            cpu_stb_data_ra(e, addr + i, d->b[i], ra);
        }
    }
}
