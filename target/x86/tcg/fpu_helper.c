/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x87 FPU helpers (SDM vol. 1, ch. 8) and the FXSAVE/FXRSTOR, MXCSR and
 * host-FPU bookkeeping shared with SSE.
 *
 * Registers are kept in env in the 80-bit format (X87Reg); arithmetic
 * uses the host's long double. On an x86-64 host that is the same
 * 80-bit format, computed by the host x87 with the guest's rounding
 * and precision control, so results are bit-exact. Other hosts would
 * need a software 80-bit float here (see docs/jit.md).
 */
#include "ember/osdep.h"
#include <math.h>
#include <fenv.h>
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "target/x86/cpu.h"
#include "target/x86/tcg/tcg-cpu.h"
#include "exec/translator.h"
#include "cc.h"
#include "helper.h"
#include "excp.h"
#include "fpu.h"

#define FPUS_IE 0x0001
#define FPUS_ZE 0x0004
#define FPUS_SF 0x0040
#define FPUS_ES 0x0080
#define FPUS_C0 0x0100
#define FPUS_C1 0x0200
#define FPUS_C2 0x0400
#define FPUS_C3 0x4000
#define FPUS_CC (FPUS_C0 | FPUS_C1 | FPUS_C2 | FPUS_C3)

typedef long double floatx;

/* ---- Host FPU state ------------------------------------------------------ */

static void host_set_mxcsr(uint32_t v)
{
#ifdef HOST_X86_64
    /* All exceptions masked on the host; the guest's mask bits live in
     * env->mxcsr. */
    uint32_t h = (v & ~0x1f80u) | 0x1f80u;
    __asm__ volatile("ldmxcsr %0" : : "m"(h));
#else
    static const int modes[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
                                  FE_TOWARDZERO };
    fesetround(modes[(v >> MXCSR_RC_SHIFT) & 3]);
#endif
}

static uint32_t host_get_mxcsr(void)
{
#ifdef HOST_X86_64
    uint32_t h;
    __asm__ volatile("stmxcsr %0" : "=m"(h));
    return h;
#else
    return 0;
#endif
}

static void host_set_fpuc(uint16_t c)
{
#ifdef HOST_X86_64
    uint16_t h = c | 0x3f;
    __asm__ volatile("fldcw %0" : : "m"(h));
#endif
}

static void host_fpu_clear(void)
{
#ifdef HOST_X86_64
    __asm__ volatile("fnclex");
#endif
}

static uint16_t host_fpu_exc(void)
{
#ifdef HOST_X86_64
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    return sw & 0x3f;
#else
    return 0;
#endif
}

/* True while guest code runs on this thread: the host MXCSR then holds
 * the guest's exception flags. */
static __thread bool host_fpu_live;

void fpu_set_mxcsr(CPUX86State *env, uint32_t val)
{
    env->mxcsr = val;
    if (host_fpu_live) {
        host_set_mxcsr(val);
    }
}

uint32_t fpu_get_mxcsr(CPUX86State *env)
{
    if (!host_fpu_live) {
        return env->mxcsr;
    }
    return (env->mxcsr & ~MXCSR_FLAGS) | (host_get_mxcsr() & MXCSR_FLAGS);
}

void fpu_set_fpuc(CPUX86State *env, uint16_t val)
{
    env->fpuc = val;
    if (host_fpu_live) {
        host_set_fpuc(val);
    }
}

void tcg_x86_fpu_enter(CPUX86State *env)
{
    host_set_mxcsr(env->mxcsr);
    host_set_fpuc(env->fpuc);
    host_fpu_live = true;
}

void tcg_x86_fpu_leave(CPUX86State *env)
{
    if (!host_fpu_live) {
        return;
    }
    env->mxcsr = fpu_get_mxcsr(env);
    host_fpu_live = false;
    /* Ember's own code runs with the default environment. */
    host_set_mxcsr(0x1f80);
    host_set_fpuc(0x37f);
}

/* ---- Registers ----------------------------------------------------------- */

static inline floatx reg_get(const X87Reg *r)
{
    floatx v = 0;
    memcpy(&v, r, 10);
    return v;
}

static inline void reg_set(X87Reg *r, floatx v)
{
    memcpy(r, &v, 10);
}

#define ST_IDX(env, i) (((env)->fpstt + (i)) & 7)

static void set_exc(CPUX86State *env, uint16_t e)
{
    env->fpus |= e;
    if (e & ~env->fpuc & 0x3f) {
        env->fpus |= FPUS_ES | 0x8000;
    }
}

static const floatx indefinite = -NAN;

static floatx st_get(CPUX86State *env, int i)
{
    int p = ST_IDX(env, i);

    if (env->fptags[p]) {
        /* Stack underflow (SDM vol. 1, 8.5.1.1). */
        set_exc(env, FPUS_IE | FPUS_SF);
        env->fpus &= ~FPUS_C1;
        return indefinite;
    }
    return reg_get(&env->fpregs[p]);
}

static void st_set(CPUX86State *env, int i, floatx v)
{
    int p = ST_IDX(env, i);

    reg_set(&env->fpregs[p], v);
    env->fptags[p] = 0;
}

static void fpush(CPUX86State *env, floatx v)
{
    int p = (env->fpstt - 1) & 7;

    if (!env->fptags[p]) {
        /* Stack overflow: C1 = 1 and the value is the indefinite. */
        set_exc(env, FPUS_IE | FPUS_SF | FPUS_C1);
        v = indefinite;
    }
    env->fpstt = p;
    reg_set(&env->fpregs[p], v);
    env->fptags[p] = 0;
}

void helper_fpop(void *e)
{
    CPUX86State *env = e;

    env->fptags[env->fpstt] = 1;
    env->fpstt = (env->fpstt + 1) & 7;
}

/* Run an arithmetic step with the host's exception flags captured. */
#define FPU_OP(env, stmt)                 \
    do {                                  \
        host_fpu_clear();                 \
        stmt;                             \
        set_exc(env, host_fpu_exc());     \
    } while (0)

/* ---- Loads and stores ---------------------------------------------------- */

void helper_fld_f32(void *e, uint64_t bits)
{
    volatile float f;
    uint32_t b = bits;
    floatx v;

    memcpy((void *)&f, &b, 4);
    FPU_OP((CPUX86State *)e, v = f);
    fpush(e, v);
}

void helper_fld_f64(void *e, uint64_t bits)
{
    volatile double f;
    floatx v;

    memcpy((void *)&f, &bits, 8);
    FPU_OP((CPUX86State *)e, v = f);
    fpush(e, v);
}

void helper_fld_int(void *e, uint64_t val)
{
    fpush(e, (floatx)(int64_t)val);
}

uint64_t helper_fst_f32(void *e)
{
    CPUX86State *env = e;
    volatile floatx v = st_get(env, 0);
    float f;
    uint32_t b;

    FPU_OP(env, f = v);
    memcpy(&b, &f, 4);
    return b;
}

uint64_t helper_fst_f64(void *e)
{
    CPUX86State *env = e;
    volatile floatx v = st_get(env, 0);
    double f;
    uint64_t b;

    FPU_OP(env, f = v);
    memcpy(&b, &f, 8);
    return b;
}

/* FIST/FISTP/FISTTP: bits = 16/32/64; out of range gives the integer
 * indefinite (the size's minimum). */
uint64_t helper_fist(void *e, uint64_t bits, uint64_t trunc)
{
    CPUX86State *env = e;
    floatx v = st_get(env, 0), r;
    floatx lim = bits == 16 ? 32768.0L : bits == 32 ? 2147483648.0L
                                                    : 9223372036854775808.0L;
    int64_t iv;

    FPU_OP(env, r = trunc ? truncl(v) : rintl(v));
    if (isnan(r) || r >= lim || r < -lim) {
        set_exc(env, FPUS_IE);
        iv = bits == 16 ? INT16_MIN : bits == 32 ? INT32_MIN : INT64_MIN;
    } else {
        iv = (int64_t)r;
        if (r != v) {
            set_exc(env, 0x20);
        }
    }
    return bits == 64 ? (uint64_t)iv : (uint64_t)iv & ((1ull << bits) - 1);
}

void helper_fld_f80(void *e, uint64_t addr)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    X87Reg r;

    r.mant = cpu_ldq_data_ra(env, addr, ra);
    r.exp = cpu_lduw_data_ra(env, addr + 8, ra);
    fpush(env, reg_get(&r));
}

void helper_fst_f80(void *e, uint64_t addr)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    X87Reg r;

    reg_set(&r, st_get(env, 0));
    cpu_stq_data_ra(env, addr, r.mant, ra);
    cpu_stw_data_ra(env, addr + 8, r.exp, ra);
}

/* Packed BCD: 9 bytes of two digits, sign in bit 7 of byte 9. */
void helper_fbld(void *e, uint64_t addr)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    floatx v = 0;

    for (int i = 8; i >= 0; i--) {
        uint8_t b = cpu_ldub_data_ra(env, addr + i, ra);
        v = v * 100 + (b >> 4) * 10 + (b & 15);
    }
    if (cpu_ldub_data_ra(env, addr + 9, ra) & 0x80) {
        v = -v;
    }
    fpush(env, v);
}

void helper_fbstp(void *e, uint64_t addr)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    floatx v = rintl(st_get(env, 0));
    bool neg = signbit(v);
    uint64_t u;

    if (isnan(v) || fabsl(v) >= 1e18L) {
        /* The packed BCD indefinite. */
        set_exc(env, FPUS_IE);
        for (int i = 0; i < 7; i++) {
            cpu_stb_data_ra(env, addr + i, 0, ra);
        }
        cpu_stb_data_ra(env, addr + 7, 0xc0, ra);
        cpu_stb_data_ra(env, addr + 8, 0xff, ra);
        cpu_stb_data_ra(env, addr + 9, 0xff, ra);
    } else {
        u = (uint64_t)fabsl(v);
        for (int i = 0; i < 9; i++) {
            uint8_t lo = u % 10, hi = (u / 10) % 10;
            u /= 100;
            cpu_stb_data_ra(env, addr + i, lo | (hi << 4), ra);
        }
        cpu_stb_data_ra(env, addr + 9, neg ? 0x80 : 0, ra);
    }
    helper_fpop(env);
}

void helper_fpush_st(void *e, uint64_t i)
{
    CPUX86State *env = e;
    fpush(env, st_get(env, i));
}

void helper_fxch(void *e, uint64_t i)
{
    CPUX86State *env = e;
    floatx a = st_get(env, 0), b = st_get(env, i);

    st_set(env, 0, b);
    st_set(env, i, a);
    env->fpus &= ~FPUS_C1;
}

void helper_fst_st(void *e, uint64_t i)
{
    CPUX86State *env = e;
    st_set(env, i, st_get(env, 0));
}

void helper_ffree(void *e, uint64_t i)
{
    CPUX86State *env = e;
    env->fptags[ST_IDX(env, i)] = 1;
}

/* ---- Arithmetic ----------------------------------------------------------- */

static floatx arith(CPUX86State *env, int op, floatx a, floatx b)
{
    volatile floatx x = a, y = b;
    floatx r;

    host_fpu_clear();
    switch (op) {
    case 0: r = x + y; break;
    case 1: r = x * y; break;
    case 4: r = x - y; break;
    case 5: r = y - x; break;
    case 6: r = x / y; break;
    default: r = y / x; break;
    }
    set_exc(env, host_fpu_exc());
    env->fpus &= ~FPUS_C1;
    return r;
}

/* Widening a float/double operand raises #D for a denormal. */
static floatx from_f32(CPUX86State *env, uint64_t bits)
{
    volatile float f;
    uint32_t b = bits;
    floatx v;

    memcpy((void *)&f, &b, 4);
    FPU_OP(env, v = f);
    return v;
}

static floatx from_f64(CPUX86State *env, uint64_t bits)
{
    volatile double f;
    floatx v;

    memcpy((void *)&f, &bits, 8);
    FPU_OP(env, v = f);
    return v;
}

static floatx arith(CPUX86State *env, int op, floatx a, floatx b);

#ifdef HOST_X86_64
/*
 * ST0 op= m32fp/m64fp with the host's own memory-operand instruction:
 * widening first would quiet a signaling NaN operand before the
 * operation, and x87 picks the result NaN by whether each operand was
 * signaling (SDM vol. 1, table 4-7).
 */
#define ARITH_MEM(sfx, T)                                                \
    static floatx arith_m##sfx(CPUX86State *env, int op, floatx a,      \
                               T m)                                     \
    {                                                                   \
        floatx r = a;                                                   \
                                                                        \
        host_fpu_clear();                                               \
        switch (op) {                                                   \
        case 0: __asm__ volatile("fadd" #sfx " %1" : "+t"(r) : "m"(m)); \
            break;                                                      \
        case 1: __asm__ volatile("fmul" #sfx " %1" : "+t"(r) : "m"(m)); \
            break;                                                      \
        case 4: __asm__ volatile("fsub" #sfx " %1" : "+t"(r) : "m"(m)); \
            break;                                                      \
        case 5: __asm__ volatile("fsubr" #sfx " %1" : "+t"(r) : "m"(m));\
            break;                                                      \
        case 6: __asm__ volatile("fdiv" #sfx " %1" : "+t"(r) : "m"(m)); \
            break;                                                      \
        default:                                                        \
            __asm__ volatile("fdivr" #sfx " %1" : "+t"(r) : "m"(m));    \
            break;                                                      \
        }                                                               \
        set_exc(env, host_fpu_exc());                                   \
        env->fpus &= ~FPUS_C1;                                          \
        return r;                                                       \
    }
ARITH_MEM(s, float)
ARITH_MEM(l, double)
#undef ARITH_MEM
#endif

void helper_farith_f32(void *e, uint64_t op, uint64_t bits)
{
    CPUX86State *env = e;
#ifdef HOST_X86_64
    uint32_t b = bits;
    float f;

    memcpy(&f, &b, 4);
    st_set(env, 0, arith_ms(env, op, st_get(env, 0), f));
#else
    floatx v = from_f32(env, bits);
    st_set(env, 0, arith(env, op, st_get(env, 0), v));
#endif
}

void helper_farith_f64(void *e, uint64_t op, uint64_t bits)
{
    CPUX86State *env = e;
#ifdef HOST_X86_64
    double f;

    memcpy(&f, &bits, 8);
    st_set(env, 0, arith_ml(env, op, st_get(env, 0), f));
#else
    floatx v = from_f64(env, bits);
    st_set(env, 0, arith(env, op, st_get(env, 0), v));
#endif
}

void helper_farith_int(void *e, uint64_t op, uint64_t val)
{
    CPUX86State *env = e;
    st_set(env, 0, arith(env, op, st_get(env, 0), (floatx)(int64_t)val));
}

void helper_farith_st(void *e, uint64_t op, uint64_t dst, uint64_t src)
{
    CPUX86State *env = e;
    st_set(env, dst, arith(env, op, st_get(env, dst), st_get(env, src)));
}

/* ---- Compares --------------------------------------------------------------- */

static void fcom(CPUX86State *env, floatx a, floatx b, bool unordered)
{
    uint16_t cc;

    if (isnan(a) || isnan(b)) {
        cc = FPUS_C0 | FPUS_C2 | FPUS_C3;
        if (!unordered || issignaling(a) || issignaling(b)) {
            set_exc(env, FPUS_IE);
        }
    } else if (a > b) {
        cc = 0;
    } else if (a < b) {
        cc = FPUS_C0;
    } else {
        cc = FPUS_C3;
    }
    env->fpus = (env->fpus & ~FPUS_CC) | cc;
}

void helper_fcom_f32(void *e, uint64_t bits)
{
    floatx v = from_f32(e, bits);
    fcom(e, st_get(e, 0), v, false);
}

void helper_fcom_f64(void *e, uint64_t bits)
{
    floatx v = from_f64(e, bits);
    fcom(e, st_get(e, 0), v, false);
}

void helper_fcom_int(void *e, uint64_t val)
{
    fcom(e, st_get(e, 0), (floatx)(int64_t)val, false);
}

void helper_fcom_st(void *e, uint64_t i, uint64_t unordered)
{
    fcom(e, st_get(e, 0), st_get(e, i), unordered);
}

/* FCOMI/FUCOMI: ZF PF CF like (U)COMISS; returns the arithmetic flags. */
uint64_t helper_fcomi_st(void *e, uint64_t i, uint64_t unordered)
{
    CPUX86State *env = e;
    floatx a = st_get(env, 0), b = st_get(env, i);

    env->fpus &= ~FPUS_C1;
    if (isnan(a) || isnan(b)) {
        if (!unordered || issignaling(a) || issignaling(b)) {
            set_exc(env, FPUS_IE);
        }
        return CC_Z | CC_P | CC_C;
    }
    if (a > b) {
        return 0;
    }
    return a < b ? CC_C : CC_Z;
}

void helper_fcmov(void *e, uint64_t i, uint64_t cond)
{
    CPUX86State *env = e;

    if (cond) {
        st_set(env, 0, st_get(env, i));
    }
}

/* ---- D9 E0..FF: constants, transcendental and miscellaneous ------------ */

static void fxam(CPUX86State *env)
{
    int p = ST_IDX(env, 0);
    floatx v = reg_get(&env->fpregs[p]);
    uint16_t cc = signbit(v) ? FPUS_C1 : 0;

    if (env->fptags[p]) {
        cc |= FPUS_C3 | FPUS_C0;
    } else {
        switch (fpclassify(v)) {
        case FP_NAN: cc |= FPUS_C0; break;
        case FP_INFINITE: cc |= FPUS_C2 | FPUS_C0; break;
        case FP_ZERO: cc |= FPUS_C3; break;
        case FP_SUBNORMAL: cc |= FPUS_C3 | FPUS_C2; break;
        default:
            /* Unnormals (integer bit clear) are "unsupported": 000. */
            if (!(env->fpregs[p].mant >> 63) &&
                (env->fpregs[p].exp & 0x7fff)) {
                cc &= FPUS_C1;
            } else {
                cc |= FPUS_C2;
            }
            break;
        }
    }
    env->fpus = (env->fpus & ~FPUS_CC) | cc;
}

/* FPREM/FPREM1 (SDM vol. 2A): C2 = incomplete reduction; C0 C3 C1 = the
 * quotient's bits 2 1 0. */
static void fprem(CPUX86State *env, bool ieee)
{
    floatx a = st_get(env, 0), b = st_get(env, 1), r;
    int ea, eb;
    uint16_t cc = 0;

    if (isnan(a) || isnan(b) || isinf(a) || b == 0) {
        set_exc(env, FPUS_IE);
        st_set(env, 0, isnan(a) ? a : isnan(b) ? b : indefinite);
        env->fpus &= ~FPUS_CC;
        return;
    }
    if (a == 0 || isinf(b)) {
        env->fpus &= ~FPUS_CC;
        return;
    }
    frexpl(a, &ea);
    frexpl(b, &eb);
    if (ea - eb >= 64) {
        floatx m = ldexpl(b, ea - eb - 32);
        r = fmodl(a, m);
        cc = FPUS_C2;
    } else {
        floatx q;
        r = ieee ? remainderl(a, b) : fmodl(a, b);
        q = (a - r) / b;
        q = fabsl(q);
        {
            uint64_t qi = (uint64_t)fmodl(q, 8.0L);
            if (qi & 1) {
                cc |= FPUS_C1;
            }
            if (qi & 2) {
                cc |= FPUS_C3;
            }
            if (qi & 4) {
                cc |= FPUS_C0;
            }
        }
    }
    st_set(env, 0, r);
    env->fpus = (env->fpus & ~FPUS_CC) | cc;
}

void helper_fmisc(void *e, uint64_t op)
{
    CPUX86State *env = e;
    floatx a, b, r;

    switch (op) {
    case 0xe0: /* FCHS */
        st_set(env, 0, -st_get(env, 0));
        env->fpus &= ~FPUS_C1;
        break;
    case 0xe1: /* FABS */
        st_set(env, 0, fabsl(st_get(env, 0)));
        env->fpus &= ~FPUS_C1;
        break;
    case 0xe4: /* FTST */
        fcom(env, st_get(env, 0), 0.0L, false);
        break;
    case 0xe5:
        fxam(env);
        break;
    case 0xe8: fpush(env, 1.0L); break;
    case 0xee: fpush(env, 0.0L); break;
#ifdef HOST_X86_64
    /* The constants as the hardware rounds them (per the control word). */
    case 0xe9: __asm__("fldl2t" : "=t"(r)); fpush(env, r); break;
    case 0xea: __asm__("fldl2e" : "=t"(r)); fpush(env, r); break;
    case 0xeb: __asm__("fldpi" : "=t"(r)); fpush(env, r); break;
    case 0xec: __asm__("fldlg2" : "=t"(r)); fpush(env, r); break;
    case 0xed: __asm__("fldln2" : "=t"(r)); fpush(env, r); break;
#else
    case 0xe9: fpush(env, 0x1.a934f0979a3715fcp+1L); break;  /* log2(10) */
    case 0xea: fpush(env, 0x1.71547652b82fe178p+0L); break;  /* log2(e) */
    case 0xeb: fpush(env, 0x1.921fb54442d18469p+1L); break;  /* pi */
    case 0xec: fpush(env, 0x1.34413509f79fef32p-2L); break;  /* log10(2) */
    case 0xed: fpush(env, 0x1.62e42fefa39ef358p-1L); break;  /* ln(2) */
#endif
#ifdef HOST_X86_64
    /* The host's x87 computes exactly what the guest's would. */
    case 0xf0: /* F2XM1 */
        a = st_get(env, 0);
        FPU_OP(env, __asm__ volatile("f2xm1" : "+t"(a)));
        st_set(env, 0, a);
        break;
    case 0xf1: /* FYL2X */
    case 0xf3: /* FPATAN */
    case 0xf9: /* FYL2XP1 */
        a = st_get(env, 0);
        b = st_get(env, 1);
        if (op == 0xf1) {
            FPU_OP(env, __asm__ volatile("fyl2x" : "=t"(r) : "0"(a), "u"(b)
                                         : "st(1)"));
        } else if (op == 0xf3) {
            FPU_OP(env, __asm__ volatile("fpatan" : "=t"(r) : "0"(a), "u"(b)
                                         : "st(1)"));
        } else {
            FPU_OP(env, __asm__ volatile("fyl2xp1" : "=t"(r) : "0"(a),
                                         "u"(b) : "st(1)"));
        }
        helper_fpop(env);
        st_set(env, 0, r);
        break;
    case 0xf2: { /* FPTAN */
        uint16_t sw;
        a = st_get(env, 0);
        FPU_OP(env, __asm__ volatile("fptan\n\tfstp %%st(0)\n\tfnstsw %1"
                                     : "+t"(a), "=m"(sw)));
        if (sw & FPUS_C2) {
            env->fpus |= FPUS_C2;
            break;
        }
        st_set(env, 0, a);
        fpush(env, 1.0L);
        env->fpus &= ~FPUS_C2;
        break;
    }
    case 0xf4: { /* FXTRACT */
        floatx sig, ex;
        a = st_get(env, 0);
        FPU_OP(env, __asm__ volatile("fxtract" : "=t"(sig), "=u"(ex)
                                     : "0"(a)));
        st_set(env, 0, ex);
        fpush(env, sig);
        break;
    }
#else
    case 0xf0: /* F2XM1 */
        a = st_get(env, 0);
        FPU_OP(env, r = expm1l(a * 0x1.62e42fefa39ef358p-1L));
        st_set(env, 0, r);
        break;
    case 0xf1: /* FYL2X */
        a = st_get(env, 0);
        b = st_get(env, 1);
        FPU_OP(env, r = b * log2l(a));
        helper_fpop(env);
        st_set(env, 0, r);
        break;
    case 0xf2: /* FPTAN */
        a = st_get(env, 0);
        if (fabsl(a) >= 0x1p63L) {
            env->fpus |= FPUS_C2;
            break;
        }
        FPU_OP(env, r = tanl(a));
        st_set(env, 0, r);
        fpush(env, 1.0L);
        env->fpus &= ~FPUS_C2;
        break;
    case 0xf3: /* FPATAN */
        a = st_get(env, 0);
        b = st_get(env, 1);
        FPU_OP(env, r = atan2l(b, a));
        helper_fpop(env);
        st_set(env, 0, r);
        break;
    case 0xf4: { /* FXTRACT */
        int ex;
        a = st_get(env, 0);
        if (a == 0) {
            set_exc(env, FPUS_ZE);
            st_set(env, 0, -INFINITY);
            fpush(env, a);
        } else if (isinf(a)) {
            st_set(env, 0, INFINITY);
            fpush(env, a);
        } else if (isnan(a)) {
            fpush(env, a);
        } else {
            r = frexpl(a, &ex);
            st_set(env, 0, (floatx)(ex - 1));
            fpush(env, r * 2);
        }
        break;
    }
#endif
    case 0xf5: /* FPREM1 */
        fprem(env, true);
        break;
    case 0xf6: /* FDECSTP */
        env->fpstt = (env->fpstt - 1) & 7;
        env->fpus &= ~FPUS_C1;
        break;
    case 0xf7: /* FINCSTP */
        env->fpstt = (env->fpstt + 1) & 7;
        env->fpus &= ~FPUS_C1;
        break;
    case 0xf8: /* FPREM */
        fprem(env, false);
        break;
#ifndef HOST_X86_64
    case 0xf9: /* FYL2XP1 */
        a = st_get(env, 0);
        b = st_get(env, 1);
        FPU_OP(env, r = b * log1pl(a) / 0x1.62e42fefa39ef358p-1L);
        helper_fpop(env);
        st_set(env, 0, r);
        break;
#endif
#ifdef HOST_X86_64
    case 0xfa: /* FSQRT */
        a = st_get(env, 0);
        FPU_OP(env, __asm__ volatile("fsqrt" : "+t"(a)));
        st_set(env, 0, a);
        break;
    case 0xfc: /* FRNDINT */
        a = st_get(env, 0);
        FPU_OP(env, __asm__ volatile("frndint" : "+t"(a)));
        st_set(env, 0, a);
        break;
    case 0xfd: /* FSCALE */
        a = st_get(env, 0);
        b = st_get(env, 1);
        FPU_OP(env, __asm__ volatile("fscale" : "+t"(a) : "u"(b)));
        st_set(env, 0, a);
        break;
    case 0xfb: /* FSINCOS */
    case 0xfe: /* FSIN */
    case 0xff: { /* FCOS */
        uint16_t sw;
        floatx c = 0;
        a = st_get(env, 0);
        if (op == 0xfb) {
            FPU_OP(env, __asm__ volatile("fsincos\n\tfnstsw %2"
                                         : "=t"(c), "=u"(r), "=m"(sw)
                                         : "0"(a)));
        } else if (op == 0xfe) {
            r = a;
            FPU_OP(env, __asm__ volatile("fsin\n\tfnstsw %1"
                                         : "+t"(r), "=m"(sw)));
        } else {
            r = a;
            FPU_OP(env, __asm__ volatile("fcos\n\tfnstsw %1"
                                         : "+t"(r), "=m"(sw)));
        }
        if (sw & FPUS_C2) {
            env->fpus |= FPUS_C2;
            break;
        }
        env->fpus &= ~FPUS_C2;
        st_set(env, 0, r);
        if (op == 0xfb) {
            fpush(env, c);
        }
        break;
    }
#else
    case 0xfa: /* FSQRT */
        a = st_get(env, 0);
        FPU_OP(env, r = sqrtl(a));
        st_set(env, 0, r);
        break;
    case 0xfb: /* FSINCOS */
        a = st_get(env, 0);
        if (fabsl(a) >= 0x1p63L) {
            env->fpus |= FPUS_C2;
            break;
        }
        FPU_OP(env, (r = sinl(a), b = cosl(a)));
        st_set(env, 0, r);
        fpush(env, b);
        env->fpus &= ~FPUS_C2;
        break;
    case 0xfc: /* FRNDINT */
        a = st_get(env, 0);
        FPU_OP(env, r = rintl(a));
        st_set(env, 0, r);
        break;
    case 0xfd: { /* FSCALE */
        floatx n;
        a = st_get(env, 0);
        b = st_get(env, 1);
        n = truncl(b);
        if (isnan(n)) {
            r = n;
        } else {
            long k = n > 100000 ? 100000 : n < -100000 ? -100000 : (long)n;
            FPU_OP(env, r = scalblnl(a, k));
        }
        st_set(env, 0, r);
        break;
    }
    case 0xfe: /* FSIN */
    case 0xff: /* FCOS */
        a = st_get(env, 0);
        if (fabsl(a) >= 0x1p63L) {
            env->fpus |= FPUS_C2;
            break;
        }
        FPU_OP(env, r = op == 0xfe ? sinl(a) : cosl(a));
        st_set(env, 0, r);
        env->fpus &= ~FPUS_C2;
        break;
#endif
    default:
        break;
    }
}

/* ---- Control ---------------------------------------------------------------- */

static uint16_t fpu_status(CPUX86State *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

uint64_t helper_fnstsw(void *e)
{
    return fpu_status(e);
}

uint64_t helper_fnstcw(void *e)
{
    return ((CPUX86State *)e)->fpuc;
}

void helper_fldcw(void *e, uint64_t val)
{
    fpu_set_fpuc(e, val);
}

void helper_fnclex(void *e)
{
    CPUX86State *env = e;
    env->fpus &= ~0x80ff;
}

void helper_fninit(void *e)
{
    CPUX86State *env = e;

    env->fpus = 0;
    env->fpstt = 0;
    fpu_set_fpuc(env, 0x37f);
    memset(env->fptags, 1, sizeof(env->fptags));
    env->fpip = env->fpdp = 0;
    env->fpop = 0;
}

/* The full tag word: 00 valid, 01 zero, 10 special, 11 empty. */
static uint16_t full_tags(CPUX86State *env)
{
    uint16_t t = 0;

    for (int i = 0; i < 8; i++) {
        unsigned tag;
        if (env->fptags[i]) {
            tag = 3;
        } else {
            X87Reg *r = &env->fpregs[i];
            unsigned ex = r->exp & 0x7fff;
            if (ex == 0 && r->mant == 0) {
                tag = 1;
            } else if (ex == 0x7fff || ex == 0 || !(r->mant >> 63)) {
                tag = 2;
            } else {
                tag = 0;
            }
        }
        t |= tag << (2 * i);
    }
    return t;
}

static void load_tags(CPUX86State *env, uint16_t t)
{
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = ((t >> (2 * i)) & 3) == 3;
    }
}

/* FNSTENV/FLDENV layouts (SDM vol. 1, 8.1.10): 28 bytes in 32-bit form,
 * 14 in 16-bit form. */
static void do_fstenv(CPUX86State *env, uint64_t a, bool data32,
                      uintptr_t ra)
{
    if (data32) {
        cpu_stl_data_ra(env, a, env->fpuc | 0xffff0000u, ra);
        cpu_stl_data_ra(env, a + 4, fpu_status(env) | 0xffff0000u, ra);
        cpu_stl_data_ra(env, a + 8, full_tags(env) | 0xffff0000u, ra);
        cpu_stl_data_ra(env, a + 12, env->fpip, ra);
        cpu_stl_data_ra(env, a + 16, env->fpcs | ((uint32_t)env->fpop << 16),
                        ra);
        cpu_stl_data_ra(env, a + 20, env->fpdp, ra);
        cpu_stl_data_ra(env, a + 24, env->fpds | 0xffff0000u, ra);
    } else {
        cpu_stw_data_ra(env, a, env->fpuc, ra);
        cpu_stw_data_ra(env, a + 2, fpu_status(env), ra);
        cpu_stw_data_ra(env, a + 4, full_tags(env), ra);
        cpu_stw_data_ra(env, a + 6, env->fpip, ra);
        cpu_stw_data_ra(env, a + 8, env->fpcs, ra);
        cpu_stw_data_ra(env, a + 10, env->fpdp, ra);
        cpu_stw_data_ra(env, a + 12, env->fpds, ra);
    }
}

static void do_fldenv(CPUX86State *env, uint64_t a, bool data32,
                      uintptr_t ra)
{
    uint16_t sw;
    int step = data32 ? 4 : 2;

    fpu_set_fpuc(env, cpu_lduw_data_ra(env, a, ra));
    sw = cpu_lduw_data_ra(env, a + step, ra);
    env->fpstt = (sw >> 11) & 7;
    env->fpus = sw & ~0x3800;
    load_tags(env, cpu_lduw_data_ra(env, a + 2 * step, ra));
}

void helper_fnstenv(void *e, uint64_t addr, uint64_t data32)
{
    CPUX86State *env = e;

    do_fstenv(env, addr, data32, GETPC());
    /* FNSTENV masks all exceptions afterwards. */
    fpu_set_fpuc(env, env->fpuc | 0x3f);
}

void helper_fldenv(void *e, uint64_t addr, uint64_t data32)
{
    do_fldenv(e, addr, data32, GETPC());
}

void helper_fnsave(void *e, uint64_t addr, uint64_t data32)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t a = addr + (data32 ? 28 : 14);

    do_fstenv(env, addr, data32, ra);
    for (int i = 0; i < 8; i++, a += 10) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        cpu_stq_data_ra(env, a, r->mant, ra);
        cpu_stw_data_ra(env, a + 8, r->exp, ra);
    }
    helper_fninit(env);
}

void helper_frstor(void *e, uint64_t addr, uint64_t data32)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint64_t a = addr + (data32 ? 28 : 14);

    do_fldenv(env, addr, data32, ra);
    for (int i = 0; i < 8; i++, a += 10) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        r->mant = cpu_ldq_data_ra(env, a, ra);
        r->exp = cpu_lduw_data_ra(env, a + 8, ra);
    }
}

/* ---- FXSAVE/FXRSTOR (SDM vol. 1, 10.5.1): 512 bytes, 16-aligned ------- */

void helper_fxsave(void *e, uint64_t addr, uint64_t rexw)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint8_t ftw = 0;

    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    for (int i = 0; i < 8; i++) {
        ftw |= (!env->fptags[i]) << i;
    }
    cpu_stw_data_ra(env, addr, env->fpuc, ra);
    cpu_stw_data_ra(env, addr + 2, fpu_status(env), ra);
    cpu_stw_data_ra(env, addr + 4, ftw, ra);
    cpu_stw_data_ra(env, addr + 6, env->fpop, ra);
    cpu_stq_data_ra(env, addr + 8, env->fpip, ra);
    cpu_stq_data_ra(env, addr + 16, env->fpdp, ra);
    cpu_stl_data_ra(env, addr + 24, fpu_get_mxcsr(env), ra);
    cpu_stl_data_ra(env, addr + 28, MXCSR_MASK, ra);
    for (int i = 0; i < 8; i++) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        cpu_stq_data_ra(env, addr + 32 + 16 * i, r->mant, ra);
        cpu_stq_data_ra(env, addr + 40 + 16 * i, r->exp, ra);
    }
    for (int i = 0; i < 16; i++) {
        cpu_stq_data_ra(env, addr + 160 + 16 * i, env->xmm[i].q[0], ra);
        cpu_stq_data_ra(env, addr + 168 + 16 * i, env->xmm[i].q[1], ra);
    }
}

void helper_fxrstor(void *e, uint64_t addr, uint64_t rexw)
{
    CPUX86State *env = e;
    uintptr_t ra = GETPC();
    uint16_t sw;
    uint8_t ftw;
    uint32_t mx;

    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    mx = cpu_ldl_data_ra(env, addr + 24, ra);
    if (mx & ~(uint32_t)MXCSR_MASK) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    fpu_set_fpuc(env, cpu_lduw_data_ra(env, addr, ra));
    sw = cpu_lduw_data_ra(env, addr + 2, ra);
    env->fpstt = (sw >> 11) & 7;
    env->fpus = sw & ~0x3800;
    ftw = cpu_ldub_data_ra(env, addr + 4, ra);
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((ftw >> i) & 1);
    }
    env->fpop = cpu_lduw_data_ra(env, addr + 6, ra);
    env->fpip = cpu_ldq_data_ra(env, addr + 8, ra);
    env->fpdp = cpu_ldq_data_ra(env, addr + 16, ra);
    fpu_set_mxcsr(env, mx);
    for (int i = 0; i < 8; i++) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        r->mant = cpu_ldq_data_ra(env, addr + 32 + 16 * i, ra);
        r->exp = cpu_lduw_data_ra(env, addr + 40 + 16 * i, ra);
    }
    for (int i = 0; i < 16; i++) {
        env->xmm[i].q[0] = cpu_ldq_data_ra(env, addr + 160 + 16 * i, ra);
        env->xmm[i].q[1] = cpu_ldq_data_ra(env, addr + 168 + 16 * i, ra);
    }
}

/* The same image without guest memory access (signal frames). */
void x86_fxsave_to_buf(CPUX86State *env, uint8_t *b)
{
    uint8_t ftw = 0;

    memset(b, 0, 512);
    for (int i = 0; i < 8; i++) {
        ftw |= (!env->fptags[i]) << i;
    }
    stw_le_p(b, env->fpuc);
    stw_le_p(b + 2, fpu_status(env));
    b[4] = ftw;
    stw_le_p(b + 6, env->fpop);
    stq_le_p(b + 8, env->fpip);
    stq_le_p(b + 16, env->fpdp);
    stl_le_p(b + 24, fpu_get_mxcsr(env));
    stl_le_p(b + 28, MXCSR_MASK);
    for (int i = 0; i < 8; i++) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        stq_le_p(b + 32 + 16 * i, r->mant);
        stw_le_p(b + 40 + 16 * i, r->exp);
    }
    for (int i = 0; i < 16; i++) {
        memcpy(b + 160 + 16 * i, &env->xmm[i], 16);
    }
}

void x86_fxrstor_from_buf(CPUX86State *env, const uint8_t *b)
{
    uint16_t sw = lduw_le_p(b + 2);

    fpu_set_fpuc(env, lduw_le_p(b));
    env->fpstt = (sw >> 11) & 7;
    env->fpus = sw & ~0x3800;
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((b[4] >> i) & 1);
    }
    env->fpop = lduw_le_p(b + 6);
    env->fpip = ldq_le_p(b + 8);
    env->fpdp = ldq_le_p(b + 16);
    fpu_set_mxcsr(env, ldl_le_p(b + 24) & MXCSR_MASK);
    for (int i = 0; i < 8; i++) {
        X87Reg *r = &env->fpregs[ST_IDX(env, i)];
        r->mant = ldq_le_p(b + 32 + 16 * i);
        r->exp = lduw_le_p(b + 40 + 16 * i);
    }
    for (int i = 0; i < 16; i++) {
        memcpy(&env->xmm[i], b + 160 + 16 * i, 16);
    }
}

void tcg_target_exec_enter(CPUState *cpu)
{
    tcg_x86_fpu_enter(cpu_env(cpu));
}

void tcg_target_exec_exit(CPUState *cpu)
{
    tcg_x86_fpu_leave(cpu_env(cpu));
}
