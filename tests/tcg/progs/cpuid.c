/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPUID must report exactly what is implemented: every feature it
 * advertises is exercised here, and a SIGILL is a failure. The output
 * is the list of failures, so the same natively and translated.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf jb;
static int failures;

static void on_ill(int sig)
{
    siglongjmp(jb, 1);
}

#define TRY(name, have, code)                                           \
    do {                                                                \
        if (have) {                                                     \
            if (!sigsetjmp(jb, 1)) {                                    \
                code;                                                   \
            } else {                                                    \
                printf("advertised but not implemented: %s\n", name);   \
                failures++;                                             \
            }                                                           \
        }                                                               \
    } while (0)

static uint8_t buf[512] __attribute__((aligned(64)));

int main(void)
{
    unsigned a, b, c, d, max, c7b = 0, c7c = 0, c7d = 0, ec = 0, ed = 0;
    uint64_t x = 0x1234, y = 0x5678;
    unsigned __int128 v128 = 0;

    signal(SIGILL, on_ill);
    __cpuid(0, max, b, c, d);
    __cpuid(1, a, b, c, d);
    if (max >= 7) {
        __cpuid_count(7, 0, a, c7b, c7c, c7d);
    }
    __cpuid(0x80000000, a, b, ec, ed);
    if (a >= 0x80000001) {
        __cpuid(0x80000001, a, b, ec, ed);
    }
    __cpuid(1, a, b, c, d);

    TRY("mmx", d & bit_MMX, asm volatile("pxor %%mm0, %%mm0\nemms" ::: "mm0"));
    TRY("fxsr", d & bit_FXSAVE, asm volatile("fxsave %0" : "=m"(buf)));
    TRY("sse2", d & bit_SSE2,
        asm volatile("paddq %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("sse3", c & bit_SSE3,
        asm volatile("haddps %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("ssse3", c & bit_SSSE3,
        asm volatile("pshufb %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("sse4.1", c & bit_SSE4_1,
        asm volatile("ptest %%xmm1, %%xmm0\npblendw $5, %%xmm1, %%xmm0"
                     ::: "xmm0", "cc"));
    TRY("sse4.2", c & bit_SSE4_2,
        asm volatile("crc32q %1, %0\npcmpistri $0, %%xmm1, %%xmm0"
                     : "+r"(x) : "r"(y) : "rcx", "cc"));
    TRY("popcnt", c & bit_POPCNT, asm volatile("popcnt %1, %0"
                                               : "=r"(x) : "r"(y) : "cc"));
    TRY("aes", c & bit_AES, asm volatile("aesenc %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("pclmul", c & bit_PCLMUL,
        asm volatile("pclmulqdq $0, %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("movbe", c & bit_MOVBE, asm volatile("movbe %1, %0"
                                             : "=r"(x) : "m"(y)));
    TRY("cx16", c & bit_CMPXCHG16B,
        asm volatile("lock cmpxchg16b %0" : "+m"(v128)
                     : "a"(0), "d"(0), "b"(1), "c"(0) : "cc"));
    TRY("rdrand", c & bit_RDRND, asm volatile("rdrand %0" : "=r"(x)
                                              :: "cc"));
    TRY("avx", c & bit_AVX,
        asm volatile("vaddps %%ymm1, %%ymm1, %%ymm0" ::: "xmm0"));
    TRY("fma", c & bit_FMA,
        asm volatile("vfmadd231ps %%xmm1, %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("f16c", c & bit_F16C,
        asm volatile("vcvtph2ps %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("xsave", c & bit_XSAVE, asm volatile("xgetbv" : "=a"(a), "=d"(b)
                                             : "c"(0)));
    TRY("bmi1", c7b & bit_BMI, asm volatile("andn %1, %1, %0"
                                            : "=r"(x) : "r"(y) : "cc"));
    TRY("bmi2", c7b & bit_BMI2, asm volatile("pdep %1, %1, %0"
                                             : "=r"(x) : "r"(y)));
    TRY("adx", c7b & bit_ADX, asm volatile("adcx %1, %0"
                                           : "+r"(x) : "r"(y) : "cc"));
    TRY("rdseed", c7b & bit_RDSEED, asm volatile("rdseed %0" : "=r"(x)
                                                 :: "cc"));
    TRY("avx2", c7b & bit_AVX2,
        asm volatile("vpaddq %%ymm1, %%ymm1, %%ymm0" ::: "xmm0"));
    TRY("clflushopt", c7b & bit_CLFLUSHOPT,
        asm volatile("clflushopt %0" :: "m"(buf[0])));
    TRY("sha", c7b & bit_SHA,
        asm volatile("sha256rnds2 %%xmm1, %%xmm0" ::: "xmm0"));
    TRY("rdpid", c7c & bit_RDPID, asm volatile("rdpid %0" : "=r"(x)));
    TRY("avx512f", c7b & bit_AVX512F,
        asm volatile("vpxorq %%zmm1, %%zmm1, %%zmm1" ::: "xmm1"));
    TRY("lahf_lm", ec & bit_LAHF_LM, asm volatile("lahf\nsahf" ::: "rax",
                                                  "cc"));
    TRY("lzcnt", ec & bit_LZCNT, asm volatile("lzcnt %1, %0"
                                              : "=r"(x) : "r"(y) : "cc"));
    TRY("rdtscp", ed & (1u << 27), asm volatile("rdtscp" ::: "rax", "rdx",
                                                "rcx"));
    /* A feature that is not advertised must not be half there: the
     * 64-bit mode basics must be. */
    printf("long mode %d syscall %d nx %d\n", !!(ed & bit_LM),
           !!(ed & (1u << 11)), !!(ed & (1u << 20)));
    printf("%s\n", failures ? "FAILED" : "every advertised feature works");
    return failures != 0;
}
