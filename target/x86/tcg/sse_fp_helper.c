/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSE floating-point helpers. Arithmetic runs on the host's IEEE
 * floats with the host MXCSR set from the guest's (rounding, DAZ/FTZ),
 * so results round exactly as on x86. NaN operands are handled here
 * with the x86 rule (SDM vol. 1, table 4-7: the first operand's NaN,
 * quieted, wins), so the outcome does not depend on how the compiler
 * orders commutative operands; the default NaN of an invalid operation
 * is the host's (x86's negative quiet NaN on an x86 host).
 */
#include "ember/osdep.h"
#include <math.h>
#include <fenv.h>
#include "target/x86/cpu.h"
#include "helper.h"
#include "fpu.h"

typedef X86Vec Vec;

static inline float f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t b32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static inline double f64(uint64_t b)
{
    double f;
    memcpy(&f, &b, 8);
    return f;
}
static inline uint64_t b64(double f)
{
    uint64_t b;
    memcpy(&b, &f, 8);
    return b;
}
static inline bool nan32(uint32_t x)
{
    return (x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu);
}
static inline bool nan64(uint64_t x)
{
    return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
           (x & 0xfffffffffffffull);
}

#ifdef HOST_X86_64
/*
 * On an x86-64 host the guest's instruction runs as itself on the
 * register images, with the host MXCSR set to the guest's: results and
 * exception flags are the hardware's, bit for bit. The portable C
 * versions below are used on other hosts.
 */
#define X86_BIN(name, insn)                                              \
    void helper_##name(void *dp, void *sp)                              \
    {                                                                   \
        __asm__ volatile("movups (%0), %%xmm0\n\t"                      \
                         "movups (%1), %%xmm1\n\t"                      \
                         insn " %%xmm1, %%xmm0\n\t"                      \
                         "movups %%xmm0, (%0)"                          \
                         : : "r"(dp), "r"(sp) : "xmm0", "xmm1", "memory"); \
    }
#define X86_OPS(n)                                                       \
    X86_BIN(n##ps, #n "ps") X86_BIN(n##pd, #n "pd")                      \
    X86_BIN(n##ss, #n "ss") X86_BIN(n##sd, #n "sd")
X86_OPS(add)
X86_OPS(sub)
X86_OPS(mul)
X86_OPS(div)
X86_OPS(min)
X86_OPS(max)
X86_OPS(sqrt)
X86_BIN(rcpps, "rcpps")
X86_BIN(rcpss, "rcpss")
X86_BIN(rsqrtps, "rsqrtps")
X86_BIN(rsqrtss, "rsqrtss")
X86_BIN(haddps, "haddps")
X86_BIN(haddpd, "haddpd")
X86_BIN(hsubps, "hsubps")
X86_BIN(hsubpd, "hsubpd")
X86_BIN(addsubps, "addsubps")
X86_BIN(addsubpd, "addsubpd")
X86_BIN(cvtps2pd, "cvtps2pd")
X86_BIN(cvtpd2ps, "cvtpd2ps")
X86_BIN(cvtss2sd, "cvtss2sd")
X86_BIN(cvtsd2ss, "cvtsd2ss")
X86_BIN(cvtdq2ps, "cvtdq2ps")
X86_BIN(cvtdq2pd, "cvtdq2pd")
X86_BIN(cvtps2dq, "cvtps2dq")
X86_BIN(cvttps2dq, "cvttps2dq")
X86_BIN(cvtpd2dq, "cvtpd2dq")
X86_BIN(cvttpd2dq, "cvttpd2dq")
X86_BIN(movsldup, "movsldup")
X86_BIN(movshdup, "movshdup")
X86_BIN(movddup, "movddup")

#define X86_CMP(name, insn)                                              \
    void helper_##name(void *dp, void *sp, uint64_t imm)                \
    {                                                                   \
        switch (imm & 7) {                                              \
        case 0: X86_CMP1(insn, 0); break;                               \
        case 1: X86_CMP1(insn, 1); break;                               \
        case 2: X86_CMP1(insn, 2); break;                               \
        case 3: X86_CMP1(insn, 3); break;                               \
        case 4: X86_CMP1(insn, 4); break;                               \
        case 5: X86_CMP1(insn, 5); break;                               \
        case 6: X86_CMP1(insn, 6); break;                               \
        default: X86_CMP1(insn, 7); break;                              \
        }                                                               \
    }
#define X86_CMP1(insn, k)                                                \
    __asm__ volatile("movups (%0), %%xmm0\n\t"                          \
                     "movups (%1), %%xmm1\n\t"                          \
                     insn " $" #k ", %%xmm1, %%xmm0\n\t"                 \
                     "movups %%xmm0, (%0)"                              \
                     : : "r"(dp), "r"(sp) : "xmm0", "xmm1", "memory")
X86_CMP(cmpps, "cmpps")
X86_CMP(cmppd, "cmppd")
X86_CMP(cmpss, "cmpss")
X86_CMP(cmpsd, "cmpsd")

#define X86_ROUND(name, insn)                                            \
    void helper_##name(void *dp, void *sp, uint64_t imm)                \
    {                                                                   \
        switch (imm & 15) {                                             \
        case 0: X86_CMP1(insn, 0); break;                               \
        case 1: X86_CMP1(insn, 1); break;                               \
        case 2: X86_CMP1(insn, 2); break;                               \
        case 3: X86_CMP1(insn, 3); break;                               \
        case 4: X86_CMP1(insn, 4); break;                               \
        case 5: X86_CMP1(insn, 5); break;                               \
        case 6: X86_CMP1(insn, 6); break;                               \
        case 7: X86_CMP1(insn, 7); break;                               \
        case 8: X86_CMP1(insn, 8); break;                               \
        case 9: X86_CMP1(insn, 9); break;                               \
        case 10: X86_CMP1(insn, 10); break;                             \
        case 11: X86_CMP1(insn, 11); break;                             \
        case 12: X86_CMP1(insn, 12); break;                             \
        case 13: X86_CMP1(insn, 13); break;                             \
        case 14: X86_CMP1(insn, 14); break;                             \
        default: X86_CMP1(insn, 15); break;                             \
        }                                                               \
    }
X86_ROUND(roundps, "roundps")
X86_ROUND(roundpd, "roundpd")
X86_ROUND(roundss, "roundss")
X86_ROUND(roundsd, "roundsd")

#define X86_CVT2SI(name, insn)                                           \
    uint64_t helper_##name(uint64_t v, uint64_t is64)                   \
    {                                                                   \
        uint64_t r;                                                     \
        if (is64) {                                                     \
            __asm__ volatile("movq %1, %%xmm0\n\t"                      \
                             insn " %%xmm0, %0"                          \
                             : "=r"(r) : "r"(v) : "xmm0");              \
        } else {                                                        \
            uint32_t r32;                                               \
            __asm__ volatile("movq %1, %%xmm0\n\t"                      \
                             insn " %%xmm0, %0"                          \
                             : "=r"(r32) : "r"(v) : "xmm0");            \
            r = r32;                                                    \
        }                                                               \
        return r;                                                       \
    }
X86_CVT2SI(cvtss2si, "cvtss2si")
X86_CVT2SI(cvtsd2si, "cvtsd2si")
X86_CVT2SI(cvttss2si, "cvttss2si")
X86_CVT2SI(cvttsd2si, "cvttsd2si")

void helper_cvtsi2ss(void *dp, uint64_t v)
{
    __asm__ volatile("movups (%0), %%xmm0\n\t"
                     "cvtsi2ssq %1, %%xmm0\n\t"
                     "movups %%xmm0, (%0)"
                     : : "r"(dp), "r"(v) : "xmm0", "memory");
}

void helper_cvtsi2sd(void *dp, uint64_t v)
{
    __asm__ volatile("movups (%0), %%xmm0\n\t"
                     "cvtsi2sdq %1, %%xmm0\n\t"
                     "movups %%xmm0, (%0)"
                     : : "r"(dp), "r"(v) : "xmm0", "memory");
}

#define X86_COMI(name, insn)                                             \
    uint64_t helper_##name(uint64_t a, uint64_t b)                      \
    {                                                                   \
        uint64_t fl;                                                    \
        __asm__ volatile("movq %1, %%xmm0\n\t"                          \
                         "movq %2, %%xmm1\n\t"                          \
                         insn " %%xmm1, %%xmm0\n\t"                      \
                         "pushfq\n\t"                                   \
                         "pop %0"                                       \
                         : "=r"(fl) : "r"(a), "r"(b) : "xmm0", "xmm1",  \
                           "cc");                                       \
        return fl & (CC_Z | CC_P | CC_C | CC_O | CC_S | CC_A);          \
    }
X86_COMI(comiss, "comiss")
X86_COMI(comisd, "comisd")
X86_COMI(ucomiss, "ucomiss")
X86_COMI(ucomisd, "ucomisd")

#define HAVE_X86_SSE_HELPERS 1
#endif

#ifndef HAVE_X86_SSE_HELPERS
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MIN, OP_MAX };

static uint32_t op32(int op, uint32_t a, uint32_t b)
{
    /* volatile: the operation must happen (for its exception flags)
     * even when a NaN operand decides the result. */
    volatile float fa = f32(a), fb = f32(b);
    volatile float r;

    if (op == OP_MIN) {
        return fa < fb ? a : b;
    }
    if (op == OP_MAX) {
        return fa > fb ? a : b;
    }
    switch (op) {
    case OP_ADD: r = fa + fb; break;
    case OP_SUB: r = fa - fb; break;
    case OP_MUL: r = fa * fb; break;
    default: r = fa / fb; break;
    }
    if (nan32(a)) {
        return a | 0x400000u;
    }
    if (nan32(b)) {
        return b | 0x400000u;
    }
    return b32(r);
}

static uint64_t op64(int op, uint64_t a, uint64_t b)
{
    volatile double fa = f64(a), fb = f64(b);
    volatile double r;

    if (op == OP_MIN) {
        return fa < fb ? a : b;
    }
    if (op == OP_MAX) {
        return fa > fb ? a : b;
    }
    switch (op) {
    case OP_ADD: r = fa + fb; break;
    case OP_SUB: r = fa - fb; break;
    case OP_MUL: r = fa * fb; break;
    default: r = fa / fb; break;
    }
    if (nan64(a)) {
        return a | 0x8000000000000ull;
    }
    if (nan64(b)) {
        return b | 0x8000000000000ull;
    }
    return b64(r);
}

#define FP_OPS(name, op)                                                 \
    void helper_##name##ps(void *dp, void *sp)                          \
    {                                                                   \
        Vec *d = dp, *s = sp, r;                                        \
        for (int i = 0; i < 4; i++) {                                   \
            r.l[i] = op32(op, d->l[i], s->l[i]);                        \
        }                                                               \
        memcpy(d, &r, 16);                                              \
    }                                                                   \
    void helper_##name##pd(void *dp, void *sp)                          \
    {                                                                   \
        Vec *d = dp, *s = sp, r;                                        \
        for (int i = 0; i < 2; i++) {                                   \
            r.q[i] = op64(op, d->q[i], s->q[i]);                        \
        }                                                               \
        memcpy(d, &r, 16);                                              \
    }                                                                   \
    void helper_##name##ss(void *dp, void *sp)                          \
    {                                                                   \
        Vec *d = dp, *s = sp;                                           \
        d->l[0] = op32(op, d->l[0], s->l[0]);                           \
    }                                                                   \
    void helper_##name##sd(void *dp, void *sp)                          \
    {                                                                   \
        Vec *d = dp, *s = sp;                                           \
        d->q[0] = op64(op, d->q[0], s->q[0]);                           \
    }

FP_OPS(add, OP_ADD)
FP_OPS(sub, OP_SUB)
FP_OPS(mul, OP_MUL)
FP_OPS(div, OP_DIV)
FP_OPS(min, OP_MIN)
FP_OPS(max, OP_MAX)

static uint32_t sqrt32(uint32_t a)
{
    if (nan32(a)) {
        return a | 0x400000u;
    }
    return b32(sqrtf(f32(a)));
}

static uint64_t sqrt64(uint64_t a)
{
    if (nan64(a)) {
        return a | 0x8000000000000ull;
    }
    return b64(sqrt(f64(a)));
}

void helper_sqrtps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = sqrt32(s->l[i]);
    }
    memcpy(d, &r, 16);
}

void helper_sqrtpd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 2; i++) {
        r.q[i] = sqrt64(s->q[i]);
    }
    memcpy(d, &r, 16);
}

void helper_sqrtss(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->l[0] = sqrt32(s->l[0]);
}

void helper_sqrtsd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->q[0] = sqrt64(s->q[0]);
}

/* RCP/RSQRT are approximations whose exact bits are the hardware's: use
 * the host instruction where there is one. */
static uint32_t rcp32(uint32_t a)
{
#ifdef HOST_X86_64
    float x = f32(a), r;
    __asm__("rcpss %1, %0" : "=x"(r) : "x"(x));
    return b32(r);
#else
    return b32(1.0f / f32(a));
#endif
}

static uint32_t rsqrt32(uint32_t a)
{
#ifdef HOST_X86_64
    float x = f32(a), r;
    __asm__("rsqrtss %1, %0" : "=x"(r) : "x"(x));
    return b32(r);
#else
    return b32(1.0f / sqrtf(f32(a)));
#endif
}

void helper_rcpps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = rcp32(s->l[i]);
    }
    memcpy(d, &r, 16);
}

void helper_rcpss(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->l[0] = rcp32(s->l[0]);
}

void helper_rsqrtps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = rsqrt32(s->l[i]);
    }
    memcpy(d, &r, 16);
}

void helper_rsqrtss(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->l[0] = rsqrt32(s->l[0]);
}

/* ---- Horizontal and alternating ---------------------------------------- */

void helper_haddps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = op32(OP_ADD, d->l[0], d->l[1]);
    r.l[1] = op32(OP_ADD, d->l[2], d->l[3]);
    r.l[2] = op32(OP_ADD, s->l[0], s->l[1]);
    r.l[3] = op32(OP_ADD, s->l[2], s->l[3]);
    memcpy(d, &r, 16);
}

void helper_hsubps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = op32(OP_SUB, d->l[0], d->l[1]);
    r.l[1] = op32(OP_SUB, d->l[2], d->l[3]);
    r.l[2] = op32(OP_SUB, s->l[0], s->l[1]);
    r.l[3] = op32(OP_SUB, s->l[2], s->l[3]);
    memcpy(d, &r, 16);
}

void helper_haddpd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.q[0] = op64(OP_ADD, d->q[0], d->q[1]);
    r.q[1] = op64(OP_ADD, s->q[0], s->q[1]);
    memcpy(d, &r, 16);
}

void helper_hsubpd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.q[0] = op64(OP_SUB, d->q[0], d->q[1]);
    r.q[1] = op64(OP_SUB, s->q[0], s->q[1]);
    memcpy(d, &r, 16);
}

void helper_addsubps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = op32(i & 1 ? OP_ADD : OP_SUB, d->l[i], s->l[i]);
    }
    memcpy(d, &r, 16);
}

void helper_addsubpd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.q[0] = op64(OP_SUB, d->q[0], s->q[0]);
    r.q[1] = op64(OP_ADD, d->q[1], s->q[1]);
    memcpy(d, &r, 16);
}

void helper_movsldup(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = r.l[1] = s->l[0];
    r.l[2] = r.l[3] = s->l[2];
    memcpy(d, &r, 16);
}

void helper_movshdup(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = r.l[1] = s->l[1];
    r.l[2] = r.l[3] = s->l[3];
    memcpy(d, &r, 16);
}

void helper_movddup(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.q[0] = r.q[1] = s->q[0];
    memcpy(d, &r, 16);
}

/* ---- Compares ------------------------------------------------------------ */

static bool cmp_pred(int pred, double a, double b)
{
    bool un = isnan(a) || isnan(b);

    switch (pred & 7) {
    case 0: return !un && a == b;
    case 1: return !un && a < b;
    case 2: return !un && a <= b;
    case 3: return un;
    case 4: return un || a != b;
    case 5: return un || !(a < b);
    case 6: return un || !(a <= b);
    default: return !un;
    }
}

void helper_cmpps(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = cmp_pred(imm, f32(d->l[i]), f32(s->l[i])) ? ~0u : 0;
    }
    memcpy(d, &r, 16);
}

void helper_cmppd(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 2; i++) {
        r.q[i] = cmp_pred(imm, f64(d->q[i]), f64(s->q[i])) ? ~0ull : 0;
    }
    memcpy(d, &r, 16);
}

void helper_cmpss(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp;
    d->l[0] = cmp_pred(imm, f32(d->l[0]), f32(s->l[0])) ? ~0u : 0;
}

void helper_cmpsd(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp;
    d->q[0] = cmp_pred(imm, f64(d->q[0]), f64(s->q[0])) ? ~0ull : 0;
}

/* (U)COMISS/SD: ZF PF CF = 111 unordered, 000 greater, 001 less,
 * 100 equal; OF SF AF cleared. */
static uint64_t comi(double a, double b, bool signal_qnan)
{
    if (isnan(a) || isnan(b)) {
        if (signal_qnan) {
            feraiseexcept(FE_INVALID);
        }
        return CC_Z | CC_P | CC_C;
    }
    if (a > b) {
        return 0;
    }
    if (a < b) {
        return CC_C;
    }
    return CC_Z;
}

uint64_t helper_comiss(uint64_t a, uint64_t b)
{
    return comi(f32(a), f32(b), true);
}

uint64_t helper_comisd(uint64_t a, uint64_t b)
{
    return comi(f64(a), f64(b), true);
}

uint64_t helper_ucomiss(uint64_t a, uint64_t b)
{
    return comi(f32(a), f32(b), false);
}

uint64_t helper_ucomisd(uint64_t a, uint64_t b)
{
    return comi(f64(a), f64(b), false);
}

/* ---- Conversions --------------------------------------------------------- */

/* Out of range or NaN gives the "integer indefinite" value. */
static int64_t to_int(double v, bool trunc, bool is64)
{
    double r = trunc ? v : rint(v);
    double lim = is64 ? 9223372036854775808.0 : 2147483648.0;

    if (isnan(r) || r >= lim || r < -lim) {
        feraiseexcept(FE_INVALID);
        return is64 ? INT64_MIN : INT32_MIN;
    }
    if (trunc) {
        volatile double t = v;
        return is64 ? (int64_t)t : (int32_t)t;
    }
    if (r != v) {
        feraiseexcept(FE_INEXACT);
    }
    return is64 ? (int64_t)r : (int32_t)r;
}

uint64_t helper_cvtss2si(uint64_t v, uint64_t is64)
{
    int64_t r = to_int(f32(v), false, is64);
    return is64 ? (uint64_t)r : (uint32_t)r;
}

uint64_t helper_cvtsd2si(uint64_t v, uint64_t is64)
{
    int64_t r = to_int(f64(v), false, is64);
    return is64 ? (uint64_t)r : (uint32_t)r;
}

uint64_t helper_cvttss2si(uint64_t v, uint64_t is64)
{
    int64_t r = to_int(f32(v), true, is64);
    return is64 ? (uint64_t)r : (uint32_t)r;
}

uint64_t helper_cvttsd2si(uint64_t v, uint64_t is64)
{
    int64_t r = to_int(f64(v), true, is64);
    return is64 ? (uint64_t)r : (uint32_t)r;
}

void helper_cvtsi2ss(void *dp, uint64_t v)
{
    Vec *d = dp;
    volatile int64_t x = v;
    d->l[0] = b32((float)x);
}

void helper_cvtsi2sd(void *dp, uint64_t v)
{
    Vec *d = dp;
    volatile int64_t x = v;
    d->q[0] = b64((double)x);
}

void helper_cvtps2pd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.d[0] = f32(s->l[0]);
    r.d[1] = f32(s->l[1]);
    memcpy(d, &r, 16);
}

void helper_cvtpd2ps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.s[0] = s->d[0];
    r.s[1] = s->d[1];
    r.q[1] = 0;
    memcpy(d, &r, 16);
}

void helper_cvtss2sd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->d[0] = f32(s->l[0]);
}

void helper_cvtsd2ss(void *dp, void *sp)
{
    Vec *d = dp, *s = sp;
    d->s[0] = s->d[0];
}

void helper_cvtdq2ps(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.s[i] = (float)s->sl[i];
    }
    memcpy(d, &r, 16);
}

void helper_cvtdq2pd(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.d[0] = s->sl[0];
    r.d[1] = s->sl[1];
    memcpy(d, &r, 16);
}

void helper_cvtps2dq(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = to_int(f32(s->l[i]), false, false);
    }
    memcpy(d, &r, 16);
}

void helper_cvttps2dq(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    for (int i = 0; i < 4; i++) {
        r.l[i] = to_int(f32(s->l[i]), true, false);
    }
    memcpy(d, &r, 16);
}

void helper_cvtpd2dq(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = to_int(s->d[0], false, false);
    r.l[1] = to_int(s->d[1], false, false);
    r.q[1] = 0;
    memcpy(d, &r, 16);
}

void helper_cvttpd2dq(void *dp, void *sp)
{
    Vec *d = dp, *s = sp, r;
    r.l[0] = to_int(s->d[0], true, false);
    r.l[1] = to_int(s->d[1], true, false);
    r.q[1] = 0;
    memcpy(d, &r, 16);
}

#endif /* !HAVE_X86_SSE_HELPERS */

/* ---- SSE4.1 rounding and dot products ----------------------------------- */

#ifndef HAVE_X86_SSE_HELPERS
static int round_mode(uint64_t imm)
{
    if (imm & 4) {
        switch (fegetround()) {
        case FE_DOWNWARD: return 1;
        case FE_UPWARD: return 2;
        case FE_TOWARDZERO: return 3;
        default: return 0;
        }
    }
    return imm & 3;
}

static double do_round(double v, int mode)
{
    switch (mode) {
    case 0: return roundeven(v);
    case 1: return floor(v);
    case 2: return ceil(v);
    default: return trunc(v);
    }
}

static uint32_t round32(uint32_t a, int mode)
{
    if (nan32(a)) {
        return a | 0x400000u;
    }
    return b32((float)do_round(f32(a), mode));
}

static uint64_t round64(uint64_t a, int mode)
{
    if (nan64(a)) {
        return a | 0x8000000000000ull;
    }
    return b64(do_round(f64(a), mode));
}

void helper_roundps(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    int m = round_mode(imm);
    for (int i = 0; i < 4; i++) {
        r.l[i] = round32(s->l[i], m);
    }
    memcpy(d, &r, 16);
}

void helper_roundpd(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    int m = round_mode(imm);
    for (int i = 0; i < 2; i++) {
        r.q[i] = round64(s->q[i], m);
    }
    memcpy(d, &r, 16);
}

void helper_roundss(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp;
    d->l[0] = round32(s->l[0], round_mode(imm));
}

void helper_roundsd(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp;
    d->q[0] = round64(s->q[0], round_mode(imm));
}

#endif

#ifdef HAVE_X86_SSE_HELPERS
static uint32_t op32(int op, uint32_t a, uint32_t b)
{
    float x = f32(a), y = f32(b), r;

    if (op == 2) {
        __asm__ volatile("mulss %1, %0" : "+x"(x) : "x"(y));
    } else {
        __asm__ volatile("addss %1, %0" : "+x"(x) : "x"(y));
    }
    r = x;
    return b32(r);
}

static uint64_t op64(int op, uint64_t a, uint64_t b)
{
    double x = f64(a), y = f64(b);

    if (op == 2) {
        __asm__ volatile("mulsd %1, %0" : "+x"(x) : "x"(y));
    } else {
        __asm__ volatile("addsd %1, %0" : "+x"(x) : "x"(y));
    }
    return b64(x);
}
#define OP_ADD 0
#define OP_MUL 2
#endif

void helper_dpps(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    uint32_t t[4], sum;

    for (int i = 0; i < 4; i++) {
        t[i] = ((imm >> (4 + i)) & 1) ? op32(OP_MUL, d->l[i], s->l[i]) : 0;
    }
    sum = op32(OP_ADD, op32(OP_ADD, t[0], t[1]), op32(OP_ADD, t[2], t[3]));
    for (int i = 0; i < 4; i++) {
        r.l[i] = ((imm >> i) & 1) ? sum : 0;
    }
    memcpy(d, &r, 16);
}

void helper_dppd(void *dp, void *sp, uint64_t imm)
{
    Vec *d = dp, *s = sp, r;
    uint64_t t[2], sum;

    for (int i = 0; i < 2; i++) {
        t[i] = ((imm >> (4 + i)) & 1) ? op64(OP_MUL, d->q[i], s->q[i]) : 0;
    }
    sum = op64(OP_ADD, t[0], t[1]);
    for (int i = 0; i < 2; i++) {
        r.q[i] = ((imm >> i) & 1) ? sum : 0;
    }
    memcpy(d, &r, 16);
}
