/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the benchmark kernels: a fixed pseudo-random stream and a
 * checksum printed at the end (so the work cannot be optimized away
 * and the runs can be checked against each other). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t bench_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t bench_rand(void)
{
    uint64_t z = (bench_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Text-like bytes: words from a small vocabulary (compressible). */
static inline void bench_text(uint8_t *p, size_t n)
{
    static const char *const words[] = {
        "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ",
        "dog ", "translation ", "block ", "register ", "\n", "cache ",
        "guest ", "host ", "and ", "of ", "x86 ", "emulator ", "fast ",
    };
    size_t i = 0;
    while (i < n) {
        const char *w = words[bench_rand() % 20];
        while (*w && i < n) {
            p[i++] = *w++;
        }
    }
}

static inline int bench_iters(int argc, char **argv, int dflt)
{
    return argc > 1 ? atoi(argv[1]) : dflt;
}

#endif
