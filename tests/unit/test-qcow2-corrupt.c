/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seeded corruption test: take valid qcow2 images (with L2 tables,
 * compressed and zero clusters, a snapshot, header extensions), damage
 * them -- random bytes over the header and the tables, random table
 * entries, edge values in header fields, truncation at many points --
 * and then open, read, query, check, repair and write them. Every
 * outcome is allowed except a crash, a hang or an unbounded allocation;
 * run under ASan+UBSan this also catches out-of-bounds accesses.
 *
 * QCOW2_FUZZ_SEED / QCOW2_FUZZ_ITERS override the defaults, to replay a
 * failure or to run longer.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block.h"
#include <fcntl.h>
#include <sys/stat.h>

static char *tmpdir;

typedef struct Base {
    const char *name;
    const char *opts;
    char *file;
    uint8_t *data;
    gsize len;
    int cluster_size;
} Base;

static Base bases[] = {
    { "64k", "cluster_size=65536" },
    { "4k", "cluster_size=4096,refcount_bits=8" },
    { "v2", "cluster_size=4096,compat=0.10" },
    { "512", "cluster_size=512,refcount_bits=64" },
};

/* Write a file without the fsync g_file_set_contents may do. */
static void write_file(const char *file, const void *data, gsize len)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, len), ==, (gssize)len);
    close(fd);
}

static BlockDriverState *try_open(const char *file, int flags)
{
    GHashTable *o = bdrv_opts_new();
    GError *err = NULL;
    BlockDriverState *bs;

    bdrv_opts_set(o, "driver", "qcow2");
    /* cache=unsafe: syncs would only make the test slow. */
    bs = bdrv_open(file, o, flags | BDRV_O_NO_BACKING | BDRV_O_NO_FLUSH,
                   &err);
    if (!bs) {
        /* One line, and a real message. */
        g_assert_nonnull(err);
        g_assert_cmpuint(strlen(err->message), >, 0);
        g_assert_null(strchr(err->message, '\n'));
        g_error_free(err);
    }
    return bs;
}

static void make_base(Base *b)
{
    GHashTable *o = bdrv_opts_new();
    GError *err = NULL;
    BlockDriverState *bs;
    g_autofree uint8_t *buf = g_malloc(256 * 1024);
    IOVector v;

    b->file = g_strdup_printf("%s/base-%s.qcow2", tmpdir, b->name);
    bdrv_opts_set(o, "size", "4M");
    {
        g_auto(GStrv) kv = g_strsplit(b->opts, ",", -1);
        for (char **p = kv; *p; p++) {
            char *eq = strchr(*p, '=');
            *eq = 0;
            bdrv_opts_set(o, *p, eq + 1);
        }
    }
    g_assert_true(bdrv_create(bdrv_find_format("qcow2"), b->file, o, &err));
    g_assert_no_error(err);
    bs = try_open(b->file, BDRV_O_RDWR);
    g_assert_nonnull(bs);
    {
        BlockDriverInfo bdi;
        bdrv_get_info(bs, &bdi);
        b->cluster_size = bdi.cluster_size;
    }
    for (int i = 0; i < 256 * 1024; i++) {
        buf[i] = i * 31 + (i >> 10);
    }
    for (int i = 0; i < 12; i++) {
        g_assert_cmpint(bdrv_pwrite(bs, (int64_t)i * 300000, 40000 + i * 997,
                                    buf), ==, 0);
    }
    /* Compressed clusters (whole ones) near the end. */
    memset(buf, 0x61, b->cluster_size);
    for (int i = 0; i < 4; i++) {
        buf[i] = i;
        iovec_init_buf(&v, buf, b->cluster_size);
        g_assert_cmpint(bdrv_pwrite_compressed(bs, 3 * MiB +
                                               (int64_t)i * b->cluster_size,
                                               b->cluster_size, &v, 0), ==, 0);
    }
    g_assert_cmpint(bdrv_pwrite_zeroes(bs, MiB, 64 * 1024, 0), ==, 0);
    g_assert_cmpint(bdrv_pdiscard(bs, 600000, 100000), ==, 0);
    if (bdrv_snapshot_create(bs, "snap", &err) < 0) {
        g_error("snapshot: %s", err->message);
    }
    g_assert_cmpint(bdrv_pwrite(bs, 100000, 70000, buf), ==, 0);
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    bdrv_unref(bs);
    g_assert_true(g_file_get_contents(b->file, (gchar **)&b->data, &b->len,
                                      NULL));
}

/* Damage a copy of the base image in one of several ways. */
static void mutate(GRand *r, Base *b, const char *out)
{
    g_autofree uint8_t *d = g_memdup2(b->data, b->len);
    gsize len = b->len;
    int kind = g_rand_int_range(r, 0, 6);
    /* Most metadata lives in the first clusters and near table offsets. */
    gsize meta = MIN(len, (gsize)b->cluster_size * 12);

    switch (kind) {
    case 0: /* random bytes over the header */
        for (int i = g_rand_int_range(r, 1, 8); i > 0; i--) {
            d[g_rand_int_range(r, 0, MIN(len, 512))] = g_rand_int(r);
        }
        break;
    case 1: /* random bytes over the first clusters (tables) */
        for (int i = g_rand_int_range(r, 1, 32); i > 0; i--) {
            d[g_rand_int_range(r, 0, meta)] = g_rand_int(r);
        }
        break;
    case 2: { /* a random 64-bit value over an aligned 8-byte slot */
        gsize off = ROUND_DOWN((gsize)g_rand_int_range(r, 0, meta - 8), 8);
        static const uint64_t edges[] = {
            0, 1, 0x200, 0x8000000000000000ull, 0xffffffffffffffffull,
            0x4000000000000000ull, 0x00fffffffffffe00ull, 0x7fffffffffffffffull,
        };
        uint64_t v = g_rand_boolean(r)
            ? edges[g_rand_int_range(r, 0, ARRAY_SIZE(edges))]
            : ((uint64_t)g_rand_int(r) << 32 | g_rand_int(r));
        if (g_rand_boolean(r)) {
            v = (v & ~0x1ffull) | (g_rand_int_range(r, 0, 4) << 16);
        }
        stq_be_p(d + off, v);
        break;
    }
    case 3: { /* edge values in header fields */
        static const int fields[] = { 8, 16, 20, 24, 32, 36, 40, 48, 56,
                                      60, 64, 72, 80, 88, 96, 100 };
        static const uint32_t vals[] = { 0, 1, 2, 0x7fffffff, 0xffffffff,
                                         0x200, 0x10000, 9, 21, 64 };
        int f = fields[g_rand_int_range(r, 0, ARRAY_SIZE(fields))];
        stl_be_p(d + f, vals[g_rand_int_range(r, 0, ARRAY_SIZE(vals))]);
        break;
    }
    case 4: /* truncation */
        len = g_rand_int_range(r, 0, len);
        break;
    default: /* random bytes anywhere */
        for (int i = g_rand_int_range(r, 1, 64); i > 0; i--) {
            d[g_rand_int_range(r, 0, len)] = g_rand_int(r);
        }
        break;
    }
    write_file(out, d, len);
}

static void exercise(const char *file, GRand *r)
{
    g_autofree uint8_t *buf = g_malloc(128 * 1024);
    BlockDriverState *bs;
    BdrvCheckResult res;

    /* Read-only: read everything, walk the map, check. */
    bs = try_open(file, 0);
    if (bs) {
        int64_t len = bdrv_getlength(bs), off;
        g_assert_cmpint(len, >=, 0);
        for (off = 0; off < MIN(len, 8 * MiB); off += 128 * 1024) {
            bdrv_pread(bs, off, MIN(128 * 1024, len - off), buf);
        }
        for (off = 0; off < MIN(len, 8 * MiB); ) {
            int64_t n;
            int ret = bdrv_block_status_above(bs, NULL, off, len - off, &n,
                                              NULL, NULL, NULL);
            if (ret < 0 || n <= 0) {
                break;
            }
            off += n;
        }
        {
            g_autoptr(GPtrArray) l =
                g_ptr_array_new_with_free_func(snapshot_info_free);
            bdrv_snapshot_list(bs, l);
        }
        bdrv_check(bs, &res, 0);
        bdrv_unref(bs);
    }
    /* check -r all, then check again. */
    bs = try_open(file, BDRV_O_RDWR | BDRV_O_CHECK);
    if (bs) {
        bdrv_check(bs, &res, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS);
        bdrv_check(bs, &res, 0);
        bdrv_unref(bs);
    }
    /* Normal use for writing. */
    bs = try_open(file, BDRV_O_RDWR);
    if (bs) {
        int64_t len = bdrv_getlength(bs);
        for (int i = 0; i < 6 && len > 0; i++) {
            int64_t n = g_rand_int_range(r, 1, 100000);
            int64_t off = g_rand_int_range(r, 0, MIN(len, 8 * MiB));
            n = MIN(n, len - off);
            memset(buf, i, n);
            switch (i % 3) {
            case 0: bdrv_pwrite(bs, off, n, buf); break;
            case 1: bdrv_pwrite_zeroes(bs, off, n, BDRV_REQ_MAY_UNMAP); break;
            default: bdrv_pdiscard(bs, off, n); break;
            }
            bdrv_pread(bs, off, n, buf);
        }
        bdrv_flush(bs);
        bdrv_unref(bs);
    }
}

static void test_fuzz(void)
{
    const char *seed_s = g_getenv("QCOW2_FUZZ_SEED");
    const char *iters_s = g_getenv("QCOW2_FUZZ_ITERS");
    guint32 seed = seed_s ? strtoul(seed_s, NULL, 0) : 0x5eed;
    int iters = iters_s ? atoi(iters_s) : 400;
    g_autofree char *f = g_strdup_printf("%s/fuzz.qcow2", tmpdir);
    GRand *r = g_rand_new_with_seed(seed);

    for (unsigned i = 0; i < ARRAY_SIZE(bases); i++) {
        make_base(&bases[i]);
    }
    for (int it = 0; it < iters; it++) {
        Base *b = &bases[it % ARRAY_SIZE(bases)];
        guint32 s = g_rand_int(r);
        GRand *ri = g_rand_new_with_seed(s);

        if (g_test_verbose()) {
            g_test_message("iteration %d base %s seed %u", it, b->name, s);
        }
        mutate(ri, b, f);
        exercise(f, ri);
        g_rand_free(ri);
    }
    g_rand_free(r);
}

/* Truncation at every cluster boundary (and a byte either side). */
static void test_truncation(void)
{
    g_autofree char *f = g_strdup_printf("%s/trunc.qcow2", tmpdir);
    Base *b = &bases[1];
    GRand *r = g_rand_new_with_seed(1);

    if (!b->data) {
        make_base(b);
    }
    for (gsize cut = 0; cut < b->len; cut += b->cluster_size) {
        for (int d = -1; d <= 1; d++) {
            gssize len = (gssize)cut + d;
            if (len < 0 || (gsize)len > b->len) {
                continue;
            }
            write_file(f, b->data, len);
            exercise(f, r);
        }
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-qcow2-corrupt-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    bdrv_check_set_output(fopen("/dev/null", "w"));
    error_set_progname("test-qcow2-corrupt");
    /* Corruption warnings would flood the log. */
    bdrv_set_quiet(true);
    g_test_add_func("/qcow2-corrupt/fuzz", test_fuzz);
    g_test_add_func("/qcow2-corrupt/truncation", test_truncation);
    ret = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        if (system(cmd)) {
            /* best effort */
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(bases); i++) {
        g_free(bases[i].file);
        g_free(bases[i].data);
    }
    return ret;
}
