/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block layer tests below and around qcow2: BlockBackend asynchronous
 * requests and their completion, read-only and range errors, discard
 * policy, image locking, cache=none (O_DIRECT with bounce buffers),
 * format probing and its raw safety rule, open errors, raw windows,
 * and the I/O vector helpers.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block-backend.h"
#include <fcntl.h>
#include <sys/stat.h>

static char *tmpdir;

static char *path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void make_raw(const char *file, int64_t size)
{
    GError *err = NULL;
    GHashTable *o = bdrv_opts_new();
    g_autofree char *s = g_strdup_printf("%" PRId64, size);

    bdrv_opts_set(o, "size", s);
    g_assert_true(bdrv_create(bdrv_find_format("raw"), file, o, &err));
    g_assert_no_error(err);
}

static BlockBackend *open_blk(const char *file, const char *fmt, int flags,
                              GError **errp)
{
    GHashTable *o = bdrv_opts_new();

    if (fmt) {
        bdrv_opts_set(o, "driver", fmt);
    }
    return blk_new_open(file, o, flags, errp);
}

typedef struct Done {
    int count;
    int last_ret;
    GThread *thread;
} Done;

static void cb(void *opaque, int ret)
{
    Done *d = opaque;

    d->count++;
    d->last_ret = ret;
    d->thread = g_thread_self();
}

static void test_async_rw(void)
{
    g_autofree char *f = path("async.raw");
    enum { N = 32, LEN = 8192 };
    static uint8_t wbuf[N][LEN], rbuf[N][LEN];
    IOVector w[N], r[N];
    Done d = { 0 };
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, N * LEN);
    blk = open_blk(f, "raw", BDRV_O_RDWR, &err);
    g_assert_no_error(err);
    for (int i = 0; i < N; i++) {
        memset(wbuf[i], i + 1, LEN);
        iovec_init(&w[i], 2);
        iovec_add(&w[i], wbuf[i], 1000);
        iovec_add(&w[i], wbuf[i] + 1000, LEN - 1000);
        blk_aio_pwritev(blk, (int64_t)i * LEN, &w[i], cb, &d);
    }
    /* Nothing completes before someone dispatches completions. */
    g_assert_cmpint(d.count, ==, 0);
    blk_drain(blk);
    g_assert_cmpint(d.count, ==, N);
    g_assert_cmpint(d.last_ret, ==, 0);
    g_assert_true(d.thread == g_thread_self());
    g_assert_cmpint(blk_in_flight(blk), ==, 0);
    for (int i = 0; i < N; i++) {
        iovec_init_buf(&r[i], rbuf[i], LEN);
        blk_aio_preadv(blk, (int64_t)i * LEN, &r[i], cb, &d);
    }
    blk_aio_flush(blk, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.count, ==, 2 * N + 1);
    for (int i = 0; i < N; i++) {
        g_assert_true(memcmp(wbuf[i], rbuf[i], LEN) == 0);
        iovec_destroy(&w[i]);
    }
    blk_unref(blk);
}

static void test_main_loop_completion(void)
{
    g_autofree char *f = path("loop.raw");
    uint8_t buf[512];
    IOVector v;
    Done d = { 0 };
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, 4096);
    blk = open_blk(f, "raw", 0, &err);
    g_assert_no_error(err);
    iovec_init_buf(&v, buf, sizeof(buf));
    blk_aio_preadv(blk, 0, &v, cb, &d);
    /* The default main context runs the callback, as Ember's loop does. */
    while (!d.count) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpint(d.last_ret, ==, 0);
    g_assert_true(d.thread == g_thread_self());
    blk_unref(blk);
}

static void test_errors(void)
{
    g_autofree char *f = path("ro.raw");
    uint8_t buf[512];
    IOVector v;
    Done d = { 0 };
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, 4096);
    blk = open_blk(f, "raw", 0, &err);
    g_assert_true(blk_is_read_only(blk));
    iovec_init_buf(&v, buf, sizeof(buf));
    blk_aio_pwritev(blk, 0, &v, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.last_ret, ==, -EPERM);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf), ==, -EPERM);
    /* Beyond the end of the disk. */
    blk_aio_preadv(blk, 4096 - 256, &v, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.last_ret, ==, -EIO);
    blk_aio_preadv(blk, -512, &v, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.last_ret, ==, -EIO);
    blk_unref(blk);
}

static void test_discard_policy(void)
{
    g_autofree char *f = path("disc.raw");
    uint8_t buf[65536];
    Done d = { 0 };
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, 4 * 65536);
    blk = open_blk(f, "raw", BDRV_O_RDWR, &err);
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf), ==, 0);
    /* discard=ignore (the default): the data stays. */
    blk_aio_pdiscard(blk, 0, 65536, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.last_ret, ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x5a);
    /* discard=unmap: the hole reads as zeroes. */
    blk_set_discard(blk, true);
    blk_aio_pdiscard(blk, 0, 65536, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf), ==, 0);
    g_assert_true(buffer_is_zero(buf, 512));
    /* write-zeroes always zeroes. */
    memset(buf, 0x11, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 65536, 4096, buf), ==, 0);
    blk_aio_pwrite_zeroes(blk, 65536 + 100, 1000, 0, cb, &d);
    blk_drain(blk);
    g_assert_cmpint(d.last_ret, ==, 0);
    g_assert_cmpint(blk_pread(blk, 65536, 4096, buf), ==, 0);
    g_assert_cmpint(buf[99], ==, 0x11);
    g_assert_true(buffer_is_zero(buf + 100, 1000));
    g_assert_cmpint(buf[1100], ==, 0x11);
    blk_unref(blk);
}

static void test_locking(void)
{
    g_autofree char *f = path("lock.raw");
    BlockBackend *a, *b;
    GError *err = NULL;

    make_raw(f, 4096);
    a = open_blk(f, "raw", BDRV_O_RDWR, &err);
    g_assert_no_error(err);
    /* A second writer. */
    b = open_blk(f, "raw", BDRV_O_RDWR, &err);
    g_assert_null(b);
    g_assert_nonnull(strstr(err->message, "Failed to get \"write\" lock"));
    g_clear_error(&err);
    /* A reader wants nobody to write. */
    b = open_blk(f, "raw", 0, &err);
    g_assert_null(b);
    g_assert_nonnull(strstr(err->message,
                            "Failed to get shared \"write\" lock"));
    g_clear_error(&err);
    /* -U: a reader that tolerates writers. */
    b = open_blk(f, "raw", BDRV_O_FORCE_SHARE, &err);
    g_assert_no_error(err);
    blk_unref(b);
    /* force-share is for readers only. */
    b = open_blk(f, "raw", BDRV_O_FORCE_SHARE | BDRV_O_RDWR, &err);
    g_assert_null(b);
    g_clear_error(&err);
    blk_unref(a);

    /* Two readers coexist; a writer then waits for both to leave. */
    a = open_blk(f, "raw", 0, &err);
    b = open_blk(f, "raw", 0, &err);
    g_assert_no_error(err);
    g_assert_null(open_blk(f, "raw", BDRV_O_RDWR, &err));
    g_clear_error(&err);
    blk_unref(a);
    blk_unref(b);
    a = open_blk(f, "raw", BDRV_O_RDWR, &err);
    g_assert_no_error(err);
    blk_unref(a);

    /* Creating over an image in use fails and leaves it alone. */
    a = open_blk(f, "raw", BDRV_O_RDWR, &err);
    {
        GHashTable *o = bdrv_opts_new();
        bdrv_opts_set(o, "size", "1M");
        g_assert_false(bdrv_create(bdrv_find_format("raw"), f, o, &err));
        g_assert_nonnull(strstr(err->message, "lock"));
        g_clear_error(&err);
    }
    g_assert_cmpint(blk_getlength(a), ==, 4096);
    blk_unref(a);
}

static void test_cache_none(void)
{
    g_autofree char *f = path("direct.raw");
    g_autofree uint8_t *buf = g_malloc(3 * 65536);
    g_autofree uint8_t *exp = g_malloc(3 * 65536);
    BlockBackend *blk;
    GError *err = NULL;
    int fd;

    make_raw(f, 3 * 65536);
    blk = open_blk(f, "raw", BDRV_O_RDWR | BDRV_O_NOCACHE, &err);
    if (!blk && strstr(err->message, "Invalid argument")) {
        g_test_skip("O_DIRECT is not supported here");
        g_clear_error(&err);
        return;
    }
    g_assert_no_error(err);
    g_assert_cmpint(bdrv_get_flags(blk_bs(blk)) & BDRV_O_NOCACHE, !=, 0);
    for (int i = 0; i < 3 * 65536; i++) {
        exp[i] = i * 13;
    }
    /* Unaligned offsets, lengths and buffers: bounced. */
    g_assert_cmpint(blk_pwrite(blk, 0, 3 * 65536, exp), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 1001, 333, exp + 7), ==, 0);
    memcpy(exp + 1001, exp + 7, 333);
    g_assert_cmpint(blk_pread(blk, 3, 3 * 65536 - 3, buf + 1), ==, 0);
    g_assert_true(memcmp(buf + 1, exp + 3, 3 * 65536 - 3) == 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    blk_unref(blk);
    fd = open(f, O_RDONLY);
    g_assert_cmpint(pread(fd, buf, 3 * 65536, 0), ==, 3 * 65536);
    close(fd);
    g_assert_true(memcmp(buf, exp, 3 * 65536) == 0);
}

static void test_probe(void)
{
    g_autofree char *f = path("probe.img");
    g_autofree char *v = path("probe.vmdk");
    uint8_t buf[512];
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, 65536);
    blk = open_blk(f, NULL, BDRV_O_RDWR, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(bdrv_get_format_name(blk_bs(blk)), ==, "raw");
    g_assert_true(bdrv_format_was_probed(blk_bs(blk)));
    /* A guest must not turn a probed raw image into a qcow2 header. */
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "QFI\xfb\0\0\0\3", 8);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf), ==, -EPERM);
    g_assert_cmpint(blk_pwrite(blk, 512, 512, buf), ==, 0);
    memset(buf, 0x77, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf), ==, 0);
    blk_unref(blk);
    /* Given explicitly, raw means raw. */
    blk = open_blk(f, "raw", BDRV_O_RDWR, &err);
    memcpy(buf, "QFI\xfb\0\0\0\3", 8);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf), ==, 0);
    blk_unref(blk);
    /* Now it probes as qcow2 (and is not a valid one). */
    g_assert_null(open_blk(f, NULL, 0, &err));
    g_clear_error(&err);

    /* Formats Ember does not read are named, not taken as raw. */
    make_raw(v, 65536);
    {
        int fd = open(v, O_WRONLY);
        g_assert_cmpint(pwrite(fd, "KDMV", 4, 0), ==, 4);
        close(fd);
    }
    g_assert_null(open_blk(v, NULL, 0, &err));
    g_assert_nonnull(strstr(err->message, "vmdk"));
    g_clear_error(&err);
}

static void test_open_errors(void)
{
    g_autofree char *missing = path("missing.qcow2");
    g_autofree char *r = path("plain.raw");
    g_autofree char *a = path("loop-a.qcow2");
    g_autofree char *b = path("loop-b.qcow2");
    g_autofree char *o = path("orphan.qcow2");
    g_autofree char *expect = NULL;
    GHashTable *opts;
    GError *err = NULL;

    g_assert_null(open_blk(missing, NULL, 0, &err));
    expect = g_strdup_printf("Could not open '%s': No such file or "
                             "directory", missing);
    g_assert_cmpstr(err->message, ==, expect);
    g_clear_error(&err);

    make_raw(r, 65536);
    g_assert_null(open_blk(r, "qcow2", 0, &err));
    g_assert_cmpstr(err->message, ==, "Image is not in qcow2 format");
    g_clear_error(&err);
    g_assert_null(open_blk(r, "vmdk", 0, &err));
    g_assert_cmpstr(err->message, ==, "Unknown driver 'vmdk'");
    g_clear_error(&err);
    opts = bdrv_opts_new();
    bdrv_opts_set(opts, "driver", "raw");
    bdrv_opts_set(opts, "bogus", "1");
    g_assert_null(blk_new_open(r, opts, 0, &err));
    g_assert_cmpstr(err->message, ==,
                    "Block format 'raw' does not support the option 'bogus'");
    g_clear_error(&err);

    /* A missing backing file. */
    opts = bdrv_opts_new();
    bdrv_opts_set(opts, "size", "1M");
    bdrv_opts_set(opts, "backing_file", "gone.qcow2");
    bdrv_opts_set(opts, "backing_fmt", "qcow2");
    g_assert_true(bdrv_create(bdrv_find_format("qcow2"), o, opts, &err));
    g_assert_null(open_blk(o, NULL, 0, &err));
    g_assert_true(g_str_has_prefix(err->message,
                                   "Could not open backing file: Could not "
                                   "open '"));
    g_assert_nonnull(strstr(err->message, "gone.qcow2': No such file"));
    g_clear_error(&err);

    /* a -> b -> a */
    opts = bdrv_opts_new();
    bdrv_opts_set(opts, "size", "1M");
    bdrv_opts_set(opts, "backing_file", "loop-b.qcow2");
    g_assert_true(bdrv_create(bdrv_find_format("qcow2"), a, opts, &err));
    opts = bdrv_opts_new();
    bdrv_opts_set(opts, "size", "1M");
    bdrv_opts_set(opts, "backing_file", "loop-a.qcow2");
    g_assert_true(bdrv_create(bdrv_find_format("qcow2"), b, opts, &err));
    g_assert_null(open_blk(a, NULL, 0, &err));
    g_assert_nonnull(strstr(err->message, "loop"));
    g_clear_error(&err);
}

static void test_raw_window(void)
{
    g_autofree char *f = path("window.raw");
    uint8_t buf[4096];
    GHashTable *o;
    BlockBackend *blk;
    GError *err = NULL;

    make_raw(f, 65536);
    o = bdrv_opts_new();
    bdrv_opts_set(o, "driver", "raw");
    bdrv_opts_set(o, "offset", "4096");
    bdrv_opts_set(o, "size", "8192");
    blk = blk_new_open(f, o, BDRV_O_RDWR, &err);
    g_assert_no_error(err);
    g_assert_cmpint(blk_getlength(blk), ==, 8192);
    memset(buf, 0x3c, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 4096, 4096, buf), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 8192, 512, buf), ==, -EIO);
    blk_unref(blk);
    {
        int fd = open(f, O_RDONLY);
        g_assert_cmpint(pread(fd, buf, 4096, 8192), ==, 4096);
        close(fd);
        g_assert_cmpint(buf[0], ==, 0x3c);
    }
    o = bdrv_opts_new();
    bdrv_opts_set(o, "driver", "raw");
    bdrv_opts_set(o, "offset", "65000");
    bdrv_opts_set(o, "size", "8192");
    g_assert_null(blk_new_open(f, o, 0, &err));
    g_assert_nonnull(strstr(err->message, "has to be smaller"));
    g_clear_error(&err);
}

static void test_iovec(void)
{
    uint8_t mem[64], out[30];
    uint8_t *a = mem, *b = mem + 20;    /* not adjacent: two elements */
    IOVector v, s;

    memset(a, 1, 10);
    memset(b, 2, 20);
    iovec_init(&v, 1);
    iovec_add(&v, a, 10);
    iovec_add(&v, b, 20);
    g_assert_cmpuint(v.size, ==, 30);
    g_assert_cmpint(v.niov, ==, 2);
    /* A slice across both elements. */
    iovec_init(&s, 1);
    iovec_concat(&s, &v, 5, 10);
    g_assert_cmpuint(s.size, ==, 10);
    g_assert_cmpint(s.niov, ==, 2);
    g_assert_cmpuint(iovec_to_buf(&s, 0, out, 10), ==, 10);
    g_assert_cmpint(out[4], ==, 1);
    g_assert_cmpint(out[5], ==, 2);
    g_assert_cmpuint(iovec_memset(&v, 8, 0, 4), ==, 4);
    g_assert_cmpint(a[7], ==, 1);
    g_assert_cmpint(a[8], ==, 0);
    g_assert_cmpint(b[1], ==, 0);
    g_assert_cmpint(b[2], ==, 2);
    g_assert_true(iovec_is_zero(&v, 8, 4));
    g_assert_false(iovec_is_zero(&v, 7, 4));
    memset(out, 9, sizeof(out));
    g_assert_cmpuint(iovec_from_buf(&v, 25, out, 10), ==, 5);
    g_assert_cmpint(b[19], ==, 9);
    g_assert_true(buffer_is_zero(out + 30, 0));
    iovec_destroy(&s);
    iovec_destroy(&v);
}

static void test_size_to_str(void)
{
    static const struct { uint64_t v; const char *s; } t[] = {
        { 0, "0 B" }, { 512, "512 B" }, { 200704, "196 KiB" },
        { GiB, "1 GiB" }, { 1536 * MiB, "1.5 GiB" },
        { 1000 * KiB, "0.977 MiB" }, { 10 * MiB, "10 MiB" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
        g_autofree char *s = size_to_str(t[i].v);
        g_assert_cmpstr(s, ==, t[i].s);
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-block-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/block-backend/async-rw", test_async_rw);
    g_test_add_func("/block-backend/main-loop", test_main_loop_completion);
    g_test_add_func("/block-backend/errors", test_errors);
    g_test_add_func("/block-backend/discard", test_discard_policy);
    g_test_add_func("/block/locking", test_locking);
    g_test_add_func("/block/cache-none", test_cache_none);
    g_test_add_func("/block/probe", test_probe);
    g_test_add_func("/block/open-errors", test_open_errors);
    g_test_add_func("/block/raw-window", test_raw_window);
    g_test_add_func("/block/iovec", test_iovec);
    g_test_add_func("/block/size-to-str", test_size_to_str);
    ret = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        if (system(cmd)) {
            /* best effort */
        }
    }
    return ret;
}
