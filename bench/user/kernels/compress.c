/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compression: an LZ77 compressor with a hash chain and a byte-oriented
 * output, then decompression and a check, over text-like data.
 * Branchy integer code with unpredictable memory access.
 */
#include <string.h>
#include "common.h"

#define N (1 << 20)
#define HBITS 15
#define WIN (1 << 16)

static uint8_t in[N], out[N + N / 8 + 16], back[N];
static int32_t head[1 << HBITS], prev[WIN];

static size_t compress(const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t i = 0, o = 0;

    memset(head, -1, sizeof(head));
    while (i < n) {
        size_t best = 0, dist = 0;
        if (i + 3 <= n) {
            uint32_t h = ((src[i] << 16) | (src[i + 1] << 8) | src[i + 2]) *
                         2654435761u >> (32 - HBITS);
            int32_t c = head[h];
            int chain = 32;
            while (c >= 0 && i - c < WIN && chain--) {
                size_t l = 0;
                while (i + l < n && l < 255 && src[c + l] == src[i + l]) {
                    l++;
                }
                if (l > best) {
                    best = l;
                    dist = i - c;
                }
                c = prev[c & (WIN - 1)];
            }
            prev[i & (WIN - 1)] = head[h];
            head[h] = i;
        }
        if (best >= 4) {
            dst[o++] = 0xff;
            dst[o++] = best;
            dst[o++] = dist & 0xff;
            dst[o++] = dist >> 8;
            for (size_t k = 1; k < best; k++) {
                if (i + k + 3 <= n) {
                    uint32_t h = ((src[i + k] << 16) | (src[i + k + 1] << 8) |
                                  src[i + k + 2]) * 2654435761u >>
                                 (32 - HBITS);
                    prev[(i + k) & (WIN - 1)] = head[h];
                    head[h] = i + k;
                }
            }
            i += best;
        } else {
            if (src[i] == 0xff) {
                dst[o++] = 0xff;
                dst[o++] = 0;
            } else {
                dst[o++] = src[i];
            }
            i++;
        }
    }
    return o;
}

static size_t decompress(const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t i = 0, o = 0;

    while (i < n) {
        if (src[i] != 0xff) {
            dst[o++] = src[i++];
        } else if (src[i + 1] == 0) {
            dst[o++] = 0xff;
            i += 2;
        } else {
            size_t len = src[i + 1], dist = src[i + 2] | (src[i + 3] << 8);
            for (size_t k = 0; k < len; k++) {
                dst[o + k] = dst[o - dist + k];
            }
            o += len;
            i += 4;
        }
    }
    return o;
}

int main(int argc, char **argv)
{
    int iters = bench_iters(argc, argv, 6);
    uint64_t sum = 0;

    bench_text(in, N);
    for (int i = 0; i < N; i += 97) {
        in[i] = bench_rand();       /* some noise */
    }
    for (int it = 0; it < iters; it++) {
        size_t c = compress(in, N, out);
        size_t d = decompress(out, c, back);
        if (d != N || memcmp(in, back, N)) {
            printf("round trip failed\n");
            return 1;
        }
        sum = sum * 31 + c;
        in[it * 1000] ^= 1;
    }
    printf("compress: %llu\n", (unsigned long long)sum);
    return 0;
}
