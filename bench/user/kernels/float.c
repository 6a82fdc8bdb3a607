/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Floating point: an n-body simulation (sqrt, division), a blocked
 * matrix product, the Mandelbrot set and a libm-heavy loop. Scalar
 * and packed SSE2 code as the compiler emits it.
 */
#include <math.h>
#include "common.h"

#define NB 64
#define M 160

static double px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], mass[NB];
static double A[M][M], B[M][M], C[M][M];

static void nbody(int steps)
{
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < NB; i++) {
            double ax = 0, ay = 0, az = 0;
            for (int j = 0; j < NB; j++) {
                double dx = px[j] - px[i], dy = py[j] - py[i];
                double dz = pz[j] - pz[i];
                double d2 = dx * dx + dy * dy + dz * dz + 1e-3;
                double inv = mass[j] / (d2 * sqrt(d2));
                ax += dx * inv;
                ay += dy * inv;
                az += dz * inv;
            }
            vx[i] += ax * 1e-3;
            vy[i] += ay * 1e-3;
            vz[i] += az * 1e-3;
        }
        for (int i = 0; i < NB; i++) {
            px[i] += vx[i] * 1e-3;
            py[i] += vy[i] * 1e-3;
            pz[i] += vz[i] * 1e-3;
        }
    }
}

static void matmul(void)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < M; j++) {
            C[i][j] = 0;
        }
        for (int k = 0; k < M; k++) {
            double aik = A[i][k];
            for (int j = 0; j < M; j++) {
                C[i][j] += aik * B[k][j];
            }
        }
    }
}

static int mandel(int w, int h, int maxit)
{
    int total = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double cr = -2.0 + 3.0 * x / w, ci = -1.2 + 2.4 * y / h;
            double zr = 0, zi = 0;
            int it = 0;
            while (it < maxit && zr * zr + zi * zi < 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                it++;
            }
            total += it;
        }
    }
    return total;
}

int main(int argc, char **argv)
{
    int iters = bench_iters(argc, argv, 3);
    double sum = 0;
    float fs = 0;

    for (int i = 0; i < NB; i++) {
        px[i] = (bench_rand() % 1000) / 100.0;
        py[i] = (bench_rand() % 1000) / 100.0;
        pz[i] = (bench_rand() % 1000) / 100.0;
        mass[i] = 1 + (bench_rand() % 100) / 50.0;
    }
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < M; j++) {
            A[i][j] = (double)((i * 7 + j * 3) % 17) / 9.0;
            B[i][j] = (double)((i * 5 + j * 11) % 13) / 7.0;
        }
    }
    for (int it = 0; it < iters; it++) {
        nbody(400);
        matmul();
        sum += px[3] + C[17][42] + mandel(300, 200, 200);
        for (int i = 1; i < 200000; i++) {
            fs += sinf(i * 0.001f) * expf(-i * 1e-6f) + logf((float)i);
        }
    }
    printf("float: %.6e %.4e\n", sum, (double)fs);
    return 0;
}
