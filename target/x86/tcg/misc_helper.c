/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPUID, time stamp counter, random numbers, XGETBV, MXCSR, and the
 * feature set the translator implements.
 */
#include "ember/osdep.h"
#include <sys/random.h>
#include <time.h>
#include "exec/exec-all.h"
#include "exec/cpu-ldst.h"
#include "target/x86/cpu.h"
#include "target/x86/tcg/tcg-cpu.h"
#include "cc.h"
#include "helper.h"
#include "excp.h"
#include "fpu.h"

void tcg_x86_supported_features(uint32_t out[FEATURE_WORDS])
{
    memset(out, 0, sizeof(uint32_t) * FEATURE_WORDS);
    out[FEAT_1_EDX] = CPUID_FP87 | CPUID_DE | CPUID_PSE | CPUID_TSC |
                      CPUID_MSR | CPUID_PAE | CPUID_MCE | CPUID_CX8 |
                      CPUID_APIC | CPUID_SEP | CPUID_MTRR | CPUID_PGE |
                      CPUID_MCA | CPUID_CMOV | CPUID_PAT | CPUID_PSE36 |
                      CPUID_CLFLUSH | CPUID_FXSR | CPUID_SSE | CPUID_SSE2 |
                      CPUID_MMX;
    out[FEAT_1_ECX] = CPUID_EXT_SSE3 | CPUID_EXT_SSSE3 | CPUID_EXT_CX16 |
                      CPUID_EXT_SSE41 | CPUID_EXT_SSE42 | CPUID_EXT_MOVBE |
                      CPUID_EXT_POPCNT | CPUID_EXT_RDRAND |
                      CPUID_EXT_PCLMULQDQ | CPUID_EXT_AES;
    out[FEAT_7_0_EBX] = CPUID_7_0_EBX_BMI1 | CPUID_7_0_EBX_BMI2 |
                        CPUID_7_0_EBX_ADX | CPUID_7_0_EBX_RDSEED |
                        CPUID_7_0_EBX_CLFLUSHOPT;
    out[FEAT_7_0_ECX] = CPUID_7_0_ECX_RDPID;
    out[FEAT_8000_0001_EDX] = CPUID_EXT2_SYSCALL | CPUID_EXT2_NX |
                              CPUID_EXT2_RDTSCP | CPUID_EXT2_LM;
    out[FEAT_8000_0001_ECX] = CPUID_EXT3_LAHF_LM | CPUID_EXT3_ABM |
                              CPUID_EXT3_3DNOWPREFETCH;
}

void helper_cpuid(void *e)
{
    CPUX86State *env = e;
    uint32_t a, b, c, d;

    x86_cpu_get_cpuid(env, env->regs[R_EAX], env->regs[R_ECX], &a, &b, &c,
                      &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

static uint64_t read_tsc(void)
{
#ifdef HOST_X86_64
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo | ((uint64_t)hi << 32);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ull + ts.tv_nsec;
#endif
}

void helper_rdtsc(void *e, uint64_t rdtscp)
{
    CPUX86State *env = e;
    uint64_t t = read_tsc() + env->tsc_adjust;

    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    if (rdtscp) {
        env->regs[R_ECX] = (uint32_t)env->tsc_aux;
    }
}

void helper_xgetbv(void *e)
{
    CPUX86State *env = e;

    if (!(env->cr[4] & CR4_OSXSAVE_MASK)) {
        raise_exception_ra(env, EXCP06_ILLOP, GETPC());
    }
    if ((uint32_t)env->regs[R_ECX] != 0) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)env->xcr0;
    env->regs[R_EDX] = env->xcr0 >> 32;
}

uint64_t helper_rdrand(uint64_t bits)
{
    uint64_t v = 0;

    if (getrandom(&v, sizeof(v), 0) != sizeof(v)) {
        v = g_random_int() | ((uint64_t)g_random_int() << 32);
    }
    return bits == 64 ? v : v & ((1ull << bits) - 1);
}

void helper_ldmxcsr(void *e, uint64_t val)
{
    CPUX86State *env = e;

    /* Reserved bits set: #GP (SDM vol. 1, 10.2.3). */
    if (val & ~(uint64_t)MXCSR_MASK) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, GETPC());
    }
    fpu_set_mxcsr(env, val);
}

uint64_t helper_stmxcsr(void *e)
{
    return fpu_get_mxcsr(e);
}
