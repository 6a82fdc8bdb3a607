/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-guest disk throughput for bench/block/guest.py: built static by the
 * host's gcc and put in the benchmark's initramfs (busybox has no fio).
 *
 *   blkbench DEV MODE BS BYTES [SEED]
 *     MODE  seqread | seqwrite   BS-sized requests from offset 0 on
 *           randread | randwrite BS-aligned offsets drawn from a seeded
 *                                xorshift generator over the whole device
 *     BYTES total transferred (BYTES / BS requests)
 *
 * Prints one line: "BLKBENCH MODE BS BYTES SECONDS MB/s IOPS".
 * O_DIRECT, so the guest page cache neither absorbs writes nor serves
 * reads: every request reaches the virtual disk.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

static uint64_t rng_state;

/* xorshift64*: reproducible offsets for a given seed. */
static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: blkbench DEV seqread|seqwrite|randread|"
                "randwrite BS BYTES [SEED]\n");
        return 2;
    }
    const char *mode = argv[2];
    size_t bs = strtoull(argv[3], NULL, 0);
    uint64_t bytes = strtoull(argv[4], NULL, 0);
    rng_state = argc > 5 ? strtoull(argv[5], NULL, 0) : 1;
    if (!rng_state) {
        rng_state = 1;
    }
    int writing = strstr(mode, "write") != NULL;
    int random = strncmp(mode, "rand", 4) == 0;
    if (bs < 512 || bs % 512 || bytes < bs) {
        fprintf(stderr, "blkbench: bad BS or BYTES\n");
        return 2;
    }

    int fd = open(argv[1], (writing ? O_RDWR : O_RDONLY) | O_DIRECT);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    uint64_t size;
    if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
        off_t end = lseek(fd, 0, SEEK_END);     /* a regular file */
        size = end < 0 ? 0 : (uint64_t)end;
    }
    if (size < bs) {
        fprintf(stderr, "blkbench: %s: no size\n", argv[1]);
        return 1;
    }
    void *buf;
    if (posix_memalign(&buf, 4096, bs)) {
        return 1;
    }
    /* Incompressible, non-zero data: nothing may shortcut it. */
    for (size_t i = 0; i < bs; i += 8) {
        uint64_t v = rng_next();
        memcpy((char *)buf + i, &v, bs - i < 8 ? bs - i : 8);
    }

    uint64_t blocks = size / bs, n = bytes / bs;
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t off = (random ? rng_next() % blocks : i % blocks) * bs;
        ssize_t r = writing ? pwrite(fd, buf, bs, off)
                            : pread(fd, buf, bs, off);
        if (r != (ssize_t)bs) {
            perror("blkbench: I/O");
            return 1;
        }
    }
    if (writing && fdatasync(fd) < 0) {
        perror("blkbench: fdatasync");
        return 1;
    }
    double t = now() - t0;
    printf("BLKBENCH %s %zu %llu %.3f %.1f %.0f\n", mode, bs,
           (unsigned long long)(n * bs), t, n * bs / t / 1e6, n / t);
    close(fd);
    return 0;
}
