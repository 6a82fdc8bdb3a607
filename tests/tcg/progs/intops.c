/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integer code as compilers emit it: every width of multiply, divide,
 * shift and rotate, 128-bit arithmetic, overflow checks, bit builtins,
 * jump tables, computed goto, setjmp/longjmp, varargs and deep
 * recursion. Results are hashed and printed per group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t h;

static void mix(uint64_t v)
{
    h = (h ^ v) * 0x100000001b3ull;
    h ^= h >> 29;
}

static uint64_t seed = 88172645463325252ull;

static uint64_t xs(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static uint64_t val(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff,
        0x8000000000000000, 0xffffffffffffffff,
    };
    uint64_t r = xs();
    switch (r % 4) {
    case 0: return special[(r >> 8) % (sizeof(special) / 8)];
    case 1: return r >> (r % 64);
    default: return xs();
    }
}

static void group(const char *name)
{
    printf("%-10s %016llx\n", name, (unsigned long long)h);
    h = 0;
}

__attribute__((noinline)) static void arith(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t a = val(), b = val();
        int64_t sa = a, sb = b;
        mix(a * b);
        mix((uint32_t)a * (uint32_t)b);
        mix((int16_t)a * (int16_t)b);
        mix((unsigned __int128)a * b >> 64);
        mix((__int128)sa * sb >> 64);
        if (b) {
            mix(a / b);
            mix(a % b);
            mix((uint32_t)a / ((uint32_t)b | 1));
            mix((uint8_t)a / ((uint8_t)b | 1));
            if (!(sa == INT64_MIN && sb == -1)) {
                mix(sa / sb);
                mix(sa % sb);
            }
            if (!((int32_t)a == INT32_MIN && ((int32_t)b | 1) == -1)) {
                mix((int32_t)a / ((int32_t)b | 1));
            }
            mix((int16_t)a % ((int16_t)b | 1));
        }
        {
            unsigned __int128 n = ((unsigned __int128)a << 64) | b;
            uint64_t d = val() | 1;
            mix((uint64_t)(n / d));
            mix((uint64_t)(n % d));
        }
        mix(a / 7);
        mix(sa / 10);
        mix(a % 1000003);
    }
    group("arith");
}

__attribute__((noinline)) static void shifts(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t a = val();
        unsigned s = xs() % 64;
        mix(a << s);
        mix(a >> s);
        mix((int64_t)a >> s);
        mix((uint32_t)a << (s & 31));
        mix((int32_t)a >> (s & 31));
        mix((uint16_t)((uint16_t)a >> (s & 15)));
        mix((a << s) | (a >> ((64 - s) & 63)));
        mix(((uint32_t)a >> (s & 31)) | ((uint32_t)a << ((32 - s) & 31)));
        mix(__builtin_bswap64(a));
        mix(__builtin_bswap32(a));
        mix(__builtin_bswap16(a));
        mix(a ? __builtin_clzll(a) : 64);
        mix(a ? __builtin_ctzll(a) : 64);
        mix(__builtin_popcountll(a));
        mix(__builtin_parityll(a));
        mix((uint32_t)a ? __builtin_clz(a) : 32);
    }
    group("shifts");
}

__attribute__((noinline)) static void overflow(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t a = val(), b = val(), r;
        int64_t sr;
        int32_t s32;
        mix(__builtin_add_overflow(a, b, &r) * 2 + (r & 1));
        mix(__builtin_sub_overflow((int64_t)a, (int64_t)b, &sr) + sr);
        mix(__builtin_mul_overflow((int64_t)a, (int64_t)b, &sr) + sr);
        mix(__builtin_mul_overflow(a, b, &r) + r);
        mix(__builtin_add_overflow((int32_t)a, (int32_t)b, &s32) + s32);
        mix((int64_t)a < (int64_t)b);
        mix(a < b);
        mix((int8_t)a > (int8_t)b);
        mix(a == b ? 5 : (a > b ? 9 : 11));
        mix((int64_t)a > 0 ? a : -a);
        mix(a > b ? a : b);
    }
    group("overflow");
}

__attribute__((noinline)) static int jump_table(int x)
{
    switch (x % 13) {
    case 0: return x * 3;
    case 1: return x ^ 0x55;
    case 2: return x - 17;
    case 3: return x << 2;
    case 4: return x / 3;
    case 5: return -x;
    case 6: return x | 0x100;
    case 7: return x & 0xf0f;
    case 8: return x + 1000;
    case 9: return ~x;
    case 10: return x * x;
    case 11: return x >> 1;
    default: return 42;
    }
}

__attribute__((noinline)) static int interp(const unsigned char *prog, int n)
{
    static void *ops[] = { &&op_inc, &&op_dbl, &&op_neg, &&op_end };
    int acc = 1, pc = 0;

#define NEXT goto *ops[pc < n ? prog[pc++] & 3 : 3]
    NEXT;
op_inc:
    acc++;
    NEXT;
op_dbl:
    acc *= 2;
    NEXT;
op_neg:
    acc = -acc;
    NEXT;
op_end:
    return acc;
#undef NEXT
}

static jmp_buf jb;

__attribute__((noinline)) static int deep(int n)
{
    if (n == 0) {
        longjmp(jb, 77);
    }
    return deep(n - 1) + 1;
}

__attribute__((noinline)) static long sum_va(int n, ...)
{
    va_list ap;
    long s = 0;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        s = s * 31 + (i % 2 ? va_arg(ap, long) : (long)va_arg(ap, double));
    }
    va_end(ap);
    return s;
}

static long ackermann(long m, long n)
{
    if (m == 0) {
        return n + 1;
    }
    if (n == 0) {
        return ackermann(m - 1, 1);
    }
    return ackermann(m - 1, ackermann(m, n - 1));
}

__attribute__((noinline)) static void control(void)
{
    unsigned char prog[64];
    int r;

    for (int i = 0; i < 50000; i++) {
        mix(jump_table((int)xs()));
    }
    for (int i = 0; i < 1000; i++) {
        for (int j = 0; j < 64; j++) {
            prog[j] = xs();
        }
        mix(interp(prog, 1 + i % 64));
    }
    r = setjmp(jb);
    if (r == 0) {
        deep(10000);
    }
    mix(r);
    mix(sum_va(6, 1.5, 2L, 3.25, -4L, 5.0, 6L));
    mix(ackermann(2, 300));
    mix(ackermann(3, 6));
    group("control");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

__attribute__((noinline)) static void memory(void)
{
    static uint64_t arr[20000];
    uint8_t *bytes = (uint8_t *)arr;

    for (int i = 0; i < 20000; i++) {
        arr[i] = val();
    }
    qsort(arr, 20000, 8, cmp_u64);
    for (int i = 0; i < 20000; i += 111) {
        mix(arr[i]);
    }
    /* Unaligned accesses of every size. */
    for (int i = 0; i < 1000; i++) {
        uint32_t v32;
        uint16_t v16;
        uint64_t v64;
        __builtin_memcpy(&v32, bytes + i * 3 + 1, 4);
        __builtin_memcpy(&v16, bytes + i * 5 + 3, 2);
        __builtin_memcpy(&v64, bytes + i * 7 + 5, 8);
        mix(v32 ^ v16 ^ v64);
        v64 += i;
        __builtin_memcpy(bytes + i * 11 + 3, &v64, 8);
    }
    mix(arr[100]);
    group("memory");
}

int main(void)
{
    arith();
    shifts();
    overflow();
    control();
    memory();
    return 0;
}
