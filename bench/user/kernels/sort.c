/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sorting: qsort of integers and of strings (indirect calls to the
 * comparison function), a hand-written merge sort and a radix sort.
 * Calls, returns and data-dependent branches.
 */
#include <string.h>
#include "common.h"

#define N 400000
#define NS 100000

static uint32_t a[N], b[N], tmp[N];
static char strs[NS][16];
static char *ptrs[NS];

static int cmp_u32(const void *x, const void *y)
{
    uint32_t p = *(const uint32_t *)x, q = *(const uint32_t *)y;
    return (p > q) - (p < q);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void merge_sort(uint32_t *v, uint32_t *t, size_t n)
{
    size_t h = n / 2, i = 0, j = h, k = 0;

    if (n < 2) {
        return;
    }
    merge_sort(v, t, h);
    merge_sort(v + h, t, n - h);
    while (i < h && j < n) {
        t[k++] = v[i] <= v[j] ? v[i++] : v[j++];
    }
    while (i < h) {
        t[k++] = v[i++];
    }
    while (j < n) {
        t[k++] = v[j++];
    }
    memcpy(v, t, n * sizeof(*v));
}

static void radix_sort(uint32_t *v, uint32_t *t, size_t n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++) {
            count[((v[i] >> shift) & 0xff) + 1]++;
        }
        for (int i = 0; i < 256; i++) {
            count[i + 1] += count[i];
        }
        for (size_t i = 0; i < n; i++) {
            t[count[(v[i] >> shift) & 0xff]++] = v[i];
        }
        memcpy(v, t, n * sizeof(*v));
    }
}

int main(int argc, char **argv)
{
    int iters = bench_iters(argc, argv, 3);
    uint64_t sum = 0;

    for (int it = 0; it < iters; it++) {
        for (size_t i = 0; i < N; i++) {
            a[i] = b[i] = bench_rand();
        }
        qsort(a, N, sizeof(a[0]), cmp_u32);
        merge_sort(b, tmp, N);
        sum += a[N / 3] ^ b[N / 2];
        for (size_t i = 0; i < N; i++) {
            b[i] = bench_rand();
        }
        radix_sort(b, tmp, N);
        sum += b[N / 5];
        for (size_t i = 0; i < NS; i++) {
            for (int k = 0; k < 15; k++) {
                strs[i][k] = 'a' + bench_rand() % 4;
            }
            strs[i][15] = 0;
            ptrs[i] = strs[i];
        }
        qsort(ptrs, NS, sizeof(ptrs[0]), cmp_str);
        sum += ptrs[NS / 2][3];
    }
    printf("sort: %llu\n", (unsigned long long)sum);
    return 0;
}
