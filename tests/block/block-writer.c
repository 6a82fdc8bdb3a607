/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-writer: drives Ember's block layer the way a disk device does,
 * for the interop and kill tests (tests/block/interop.sh, kill.sh).
 *
 * It opens an image through a BlockBackend and keeps several random
 * requests in flight (writes of random sizes and offsets, write-zeroes,
 * discards, flushes), completing them from the GLib main loop like a
 * device would. In-flight requests never overlap, so a raw reference
 * file (--ref) can mirror every write exactly; --verify reads the whole
 * image back at the end and compares it with the reference.
 *
 *   block-writer [--format F] [--cache MODE] [--seed N] [--ops N]
 *                [--depth N] [--ref FILE] [--verify] [--discard]
 *                [--max-len BYTES] [--hold SECONDS] [--read-only] IMAGE
 *
 * --ops 0 runs until killed (the kill test SIGKILLs it mid-write).
 * --hold opens the image, prints "ready", sleeps, and exits: the
 * locking tests use it to hold an image open.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block-backend.h"
#include <getopt.h>
#include <fcntl.h>

typedef struct Req {
    int64_t off, len;
    IOVector qiov;
    uint8_t *buf;
    bool discard;
} Req;

static BlockBackend *blk;
static int ref_fd = -1;
static int in_flight;
static int failed;
static GPtrArray *active;       /* Req * in flight with a range */

static bool overlaps(int64_t off, int64_t len)
{
    for (unsigned i = 0; i < active->len; i++) {
        Req *r = g_ptr_array_index(active, i);
        if (off < r->off + r->len && r->off < off + len) {
            return true;
        }
    }
    return false;
}

static void ref_write(int64_t off, int64_t len, const void *buf);

static void done(void *opaque, int ret)
{
    Req *r = opaque;

    if (r->discard && ret >= 0) {
        /* Discarded bytes read back as the driver chose: mirror that. */
        uint8_t *b = g_malloc(r->len);
        if (blk_pread(blk, r->off, r->len, b) < 0) {
            failed = 1;
        }
        ref_write(r->off, r->len, b);
        g_free(b);
    }
    if (ret < 0) {
        fprintf(stderr, "block-writer: request at %" PRId64 "+%" PRId64
                " failed: %s\n", r->off, r->len, g_strerror(-ret));
        failed = 1;
    }
    if (r->len) {
        g_ptr_array_remove(active, r);
    }
    iovec_destroy(&r->qiov);
    g_free(r->buf);
    g_free(r);
    in_flight--;
}

static void ref_write(int64_t off, int64_t len, const void *buf)
{
    if (ref_fd >= 0 && pwrite(ref_fd, buf, len, off) != len) {
        fprintf(stderr, "block-writer: reference write failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "cache", required_argument, NULL, 'c' },
        { "seed", required_argument, NULL, 's' },
        { "ops", required_argument, NULL, 'n' },
        { "depth", required_argument, NULL, 'd' },
        { "ref", required_argument, NULL, 'r' },
        { "verify", no_argument, NULL, 'v' },
        { "discard", no_argument, NULL, 'D' },
        { "max-len", required_argument, NULL, 'm' },
        { "hold", required_argument, NULL, 'h' },
        { "read-only", no_argument, NULL, 'R' },
        { NULL }
    };
    const char *fmt = NULL, *cache = "writeback", *ref = NULL;
    int64_t ops = 100, max_len = 256 * KiB;
    int depth = 4, c, flags = BDRV_O_RDWR;
    bool verify = false, discard = false;
    int hold = -1;
    guint32 seed = 1;
    GHashTable *o = bdrv_opts_new();
    BlockCacheMode cm;
    GError *err = NULL;
    GRand *rnd;
    int64_t size, n = 0;

    error_set_progname("block-writer");
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'c': cache = optarg; break;
        case 's': seed = strtoul(optarg, NULL, 0); break;
        case 'n': ops = strtoll(optarg, NULL, 0); break;
        case 'd': depth = MAX(1, atoi(optarg)); break;
        case 'r': ref = optarg; break;
        case 'v': verify = true; break;
        case 'D': discard = true; break;
        case 'm': max_len = MAX(1, strtoll(optarg, NULL, 0)); break;
        case 'h': hold = atoi(optarg); break;
        case 'R': flags &= ~BDRV_O_RDWR; break;
        default:
            fprintf(stderr, "usage: block-writer [options] IMAGE\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: block-writer [options] IMAGE\n");
        return 2;
    }
    if (!bdrv_parse_cache_mode(cache, &cm)) {
        fprintf(stderr, "block-writer: bad cache mode %s\n", cache);
        return 2;
    }
    flags |= (cm.direct ? BDRV_O_NOCACHE : 0) |
             (cm.no_flush ? BDRV_O_NO_FLUSH : 0) |
             (discard ? BDRV_O_UNMAP : 0);
    if (fmt) {
        bdrv_opts_set(o, "driver", fmt);
    }
    blk = blk_new_open(argv[optind], o, flags, &err);
    if (!blk) {
        error_report_err(err);
        return 1;
    }
    blk_set_writethrough(blk, cm.writethrough);
    if (hold >= 0) {
        printf("ready\n");
        fflush(stdout);
        g_usleep((gulong)hold * G_USEC_PER_SEC);
        blk_unref(blk);
        return 0;
    }
    if (ref) {
        ref_fd = open(ref, O_RDWR);
        if (ref_fd < 0) {
            perror(ref);
            return 1;
        }
    }
    size = blk_getlength(blk);
    rnd = g_rand_new_with_seed(seed);
    active = g_ptr_array_new();

    while ((ops == 0 || n < ops) && !failed) {
        while (in_flight < depth && (ops == 0 || n < ops)) {
            int kind = g_rand_int_range(rnd, 0, 100);
            Req *r = g_new0(Req, 1);
            int64_t len = g_rand_int_range(rnd, 1, MIN(max_len, size) + 1);
            int64_t off;

            /* Mostly sector-aligned, like a guest; sometimes not. */
            if (kind % 3) {
                len = MAX(512, ROUND_DOWN(len, 512));
            }
            off = g_rand_int_range(rnd, 0, (size - len) / 512 + 1) * 512;
            if (kind % 5 == 0) {
                off = g_rand_int_range(rnd, 0, size - len + 1);
            }
            if (kind >= 90) {
                r->len = 0;
                in_flight++;
                n++;
                blk_aio_flush(blk, done, r);
                continue;
            }
            if (overlaps(off, len)) {
                g_free(r);
                break;      /* wait for completions first */
            }
            r->off = off;
            r->len = len;
            g_ptr_array_add(active, r);
            in_flight++;
            n++;
            if (kind < 70) {
                r->buf = g_malloc(len);
                for (int64_t i = 0; i < len; i += 4) {
                    guint32 v = g_rand_int(rnd);
                    memcpy(r->buf + i, &v, MIN(4, len - i));
                }
                ref_write(off, len, r->buf);
                iovec_init(&r->qiov, 2);
                /* Two pieces, to exercise scatter-gather. */
                iovec_add(&r->qiov, r->buf, len / 2);
                iovec_add(&r->qiov, r->buf + len / 2, len - len / 2);
                blk_aio_pwritev(blk, off, &r->qiov, done, r);
            } else if (kind < 80 || !discard) {
                uint8_t *z = g_malloc0(len);
                ref_write(off, len, z);
                g_free(z);
                blk_aio_pwrite_zeroes(blk, off, len, BDRV_REQ_MAY_UNMAP,
                                      done, r);
            } else {
                r->discard = true;
                blk_aio_pdiscard(blk, off, len, done, r);
            }
        }
        g_main_context_iteration(NULL, TRUE);
    }
    blk_drain(blk);
    if (!failed && blk_flush(blk) < 0) {
        fprintf(stderr, "block-writer: flush failed\n");
        failed = 1;
    }
    if (!failed && verify && ref_fd >= 0) {
        size_t chunk = 1 * MiB;
        g_autofree uint8_t *a = g_malloc(chunk);
        g_autofree uint8_t *b = g_malloc(chunk);
        for (int64_t off = 0; off < size; off += chunk) {
            int64_t len = MIN((int64_t)chunk, size - off);
            if (blk_pread(blk, off, len, a) < 0 ||
                pread(ref_fd, b, len, off) != len) {
                fprintf(stderr, "block-writer: read error at %" PRId64 "\n",
                        off);
                failed = 1;
                break;
            }
            if (memcmp(a, b, len)) {
                fprintf(stderr, "block-writer: data mismatch in [%" PRId64
                        ", +%" PRId64 ")\n", off, len);
                failed = 1;
                break;
            }
        }
    }
    blk_unref(blk);
    g_rand_free(rnd);
    g_ptr_array_free(active, true);
    if (ref_fd >= 0) {
        close(ref_fd);
    }
    return failed;
}
