/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Floating point through libm (SSE2 code with glibc's CPUID-selected
 * variants), long double (x87), rounding modes and exception flags
 * (MXCSR and the x87 status word via fenv), conversions and printf.
 * Every result is printed exactly (%a), so any difference shows.
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vals[] = {
    0.0, -0.0, 1.0, -1.5, 0.1, 3.141592653589793, 1e-310, 1e300, -7e-5,
    123456.789, 2.5, -2.5, 0.49999999999999994, 1e16 + 1, INFINITY, NAN,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

static void libm(void)
{
    for (unsigned i = 0; i < NV; i++) {
        double x = vals[i];
        printf("%a: sin %a cos %a exp %a log %a sqrt %a atan2 %a "
               "pow %a cbrt %a tanh %a fmod %a\n", x, sin(x), cos(x),
               exp(x), log(fabs(x)), sqrt(fabs(x)), atan2(x, 0.75),
               pow(fabs(x), 1.37), cbrt(x), tanh(x), fmod(x, 0.3));
        printf("  float: sinf %a expf %a logf %a powf %a\n",
               sinf((float)x), expf((float)x), logf(fabsf((float)x)),
               powf(fabsf((float)x), 0.5f));
    }
}

static void long_double(void)
{
    long double acc = 1.0L;

    for (int i = 1; i < 30; i++) {
        acc = acc * (long double)i / 3.0L + sqrtl((long double)i);
    }
    printf("long double: %La %.21Lg\n", acc, acc);
    printf("sinl %La expl %La logl %La atanl %La\n", sinl(0.7L), expl(2.3L),
           logl(10.0L), atanl(1.0L));
    printf("ldexp/frexp: %La", ldexpl(1.25L, 1000));
    {
        int e;
        long double m = frexpl(12345.678L, &e);
        printf(" %La %d\n", m, e);
    }
    printf("conversions: %lld %lld %d\n", (long long)1e18L,
           (long long)-2.5L, (int)(long double)INT32_MAX);
}

static void rounding(void)
{
    static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
                                 FE_TOWARDZERO };
    static const char *const names[] = { "nearest", "down", "up", "zero" };

    for (int m = 0; m < 4; m++) {
        volatile double a = 1.0, b = 3.0;
        volatile long double la = 1.0L, lb = 3.0L;
        fesetround(modes[m]);
        printf("%-7s: 1/3 %a rint(2.5) %a rint(-2.5) %a lrint(7.5) %ld "
               "nearbyint(-0.5) %a x87 1/3 %La llrintl(-3.5) %lld\n",
               names[m], a / b, rint(2.5), rint(-2.5), lrint(7.5),
               nearbyint(-0.5), la / lb, llrintl(-3.5L));
    }
    fesetround(FE_TONEAREST);
}

static void exceptions(void)
{
    volatile double z = 0.0, one = 1.0, big = 1e308, tiny = 1e-308;
    volatile float fz = 0.0f;
    volatile double r;

    feclearexcept(FE_ALL_EXCEPT);
    r = one / z;
    printf("1/0: %a divbyzero %d\n", r, !!fetestexcept(FE_DIVBYZERO));
    feclearexcept(FE_ALL_EXCEPT);
    r = z / z;
    printf("0/0: nan %d invalid %d\n", isnan(r), !!fetestexcept(FE_INVALID));
    feclearexcept(FE_ALL_EXCEPT);
    r = big * 10.0;
    printf("overflow %d inexact %d\n", !!fetestexcept(FE_OVERFLOW),
           !!fetestexcept(FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    r = tiny / 1e10;
    printf("underflow %d\n", !!fetestexcept(FE_UNDERFLOW));
    feclearexcept(FE_ALL_EXCEPT);
    r = sqrt(-one);
    printf("sqrt(-1) invalid %d\n", !!fetestexcept(FE_INVALID));
    feclearexcept(FE_ALL_EXCEPT);
    r = 1.0f / fz;
    printf("float 1/0 divbyzero %d\n", !!fetestexcept(FE_DIVBYZERO));
    feclearexcept(FE_ALL_EXCEPT);
    {
        volatile long double lz = 0.0L, lr;
        lr = 1.0L / lz;
        printf("x87 1/0 %La divbyzero %d\n", lr,
               !!fetestexcept(FE_DIVBYZERO));
    }
    feclearexcept(FE_ALL_EXCEPT);
    (void)r;
}

static void conversions(void)
{
    static const char *const strs[] = {
        "0.1", "1e-320", "123456789012345678901234567890", "-0x1.8p3",
        "nan", "-inf", "2.2250738585072011e-308", "4.9e-324", "1.7976931348623157e308",
    };

    for (unsigned i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        double d = strtod(strs[i], NULL);
        float f = strtof(strs[i], NULL);
        long double l = strtold(strs[i], NULL);
        printf("%s: %a %a %La | %.17g %g %.20Lg\n", strs[i], d, f, l, d, f, l);
    }
    for (unsigned i = 0; i < NV; i++) {
        double x = vals[i];
        printf("cvt %a: i32 %d i64 %lld u64 %llu f %a\n", x,
               isfinite(x) && fabs(x) < 2e9 ? (int)x : 0,
               isfinite(x) && fabs(x) < 9e18 ? (long long)x : 0LL,
               isfinite(x) && x >= 0 && x < 1.8e19 ? (unsigned long long)x
                                                   : 0ULL,
               (float)x);
    }
    printf("u64->double %a %a\n", (double)UINT64_MAX, (double)(uint64_t)
           0x8000000000000401ull);
}

static void kernels(void)
{
    /* A small numeric kernel: matrix product and a dot product. */
    double a[16][16], b[16][16], c[16][16] = { { 0 } };
    float v[256], s = 0;

    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            a[i][j] = (i * 16 + j) / 7.0;
            b[i][j] = (j - i) / 3.0;
        }
    }
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 16; k++) {
            for (int j = 0; j < 16; j++) {
                c[i][j] += a[i][k] * b[k][j];
            }
        }
    }
    for (int i = 0; i < 256; i++) {
        v[i] = sinf(i * 0.1f);
        s += v[i] * v[i];
    }
    printf("matmul c[3][5] %a c[15][15] %a dot %a\n", c[3][5], c[15][15], s);
}

int main(void)
{
    libm();
    long_double();
    rounding();
    exceptions();
    conversions();
    kernels();
    return 0;
}
