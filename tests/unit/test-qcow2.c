/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 unit tests: header parsing and rewriting, L2 cache, allocation
 * and copy-on-write, refcounts, compressed and zero clusters, backing
 * chains, version 2, refcount widths, refcount table growth, snapshots,
 * resizing, runtime corruption handling.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block.h"
#include "block/qcow2.h"
#include <fcntl.h>
#include <sys/stat.h>

static char *tmpdir;

static char *path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Create an image; opts is "k=v,k=v" or NULL. */
static void create(const char *file, const char *fmt, const char *size,
                   const char *opts)
{
    GHashTable *o = bdrv_opts_new();
    GError *err = NULL;

    bdrv_opts_set(o, "size", size);
    if (opts) {
        g_auto(GStrv) kv = g_strsplit(opts, ",", -1);
        for (char **p = kv; *p; p++) {
            char *eq = strchr(*p, '=');
            g_assert_nonnull(eq);
            *eq = 0;
            bdrv_opts_set(o, *p, eq + 1);
        }
    }
    g_assert_true(bdrv_create(bdrv_find_format(fmt), file, o, &err));
    g_assert_no_error(err);
}

static BlockDriverState *open_img(const char *file, int flags,
                                  const char *opts)
{
    GHashTable *o = bdrv_opts_new();
    BlockDriverState *bs;
    GError *err = NULL;

    bdrv_opts_set(o, "driver", "qcow2");
    if (opts) {
        g_auto(GStrv) kv = g_strsplit(opts, ",", -1);
        for (char **p = kv; *p; p++) {
            char *eq = strchr(*p, '=');
            *eq = 0;
            bdrv_opts_set(o, *p, eq + 1);
        }
    }
    bs = bdrv_open(file, o, flags, &err);
    g_assert_no_error(err);
    g_assert_nonnull(bs);
    return bs;
}

/* Open expecting failure; returns the message. */
static char *open_fail(const char *file, int flags)
{
    GHashTable *o = bdrv_opts_new();
    GError *err = NULL;
    BlockDriverState *bs;
    char *msg;

    bdrv_opts_set(o, "driver", "qcow2");
    bs = bdrv_open(file, o, flags, &err);
    g_assert_null(bs);
    g_assert_nonnull(err);
    msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

static void raw_poke(const char *file, off_t off, const void *buf,
                     size_t len)
{
    int fd = open(file, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, len, off), ==, len);
    close(fd);
}

static void raw_peek(const char *file, off_t off, void *buf, size_t len)
{
    int fd = open(file, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, len);
    close(fd);
}

static void poke_be32(const char *file, off_t off, uint32_t v)
{
    uint8_t b[4];

    stl_be_p(b, v);
    raw_poke(file, off, b, 4);
}

static void poke_be64(const char *file, off_t off, uint64_t v)
{
    uint8_t b[8];

    stq_be_p(b, v);
    raw_poke(file, off, b, 8);
}

static uint64_t peek_be64(const char *file, off_t off)
{
    uint8_t b[8];

    raw_peek(file, off, b, 8);
    return ldq_be_p(b);
}

static uint32_t peek_be32(const char *file, off_t off)
{
    uint8_t b[4];

    raw_peek(file, off, b, 4);
    return ldl_be_p(b);
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = seed + i * 7 + (i >> 9);
    }
}

static void write_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                          uint8_t seed)
{
    g_autofree uint8_t *b = g_malloc(len);

    fill(b, len, seed);
    g_assert_cmpint(bdrv_pwrite(bs, off, len, b), ==, 0);
}

static void check_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                          uint8_t seed)
{
    g_autofree uint8_t *b = g_malloc(len);
    g_autofree uint8_t *e = g_malloc(len);

    g_assert_cmpint(bdrv_pread(bs, off, len, b), ==, 0);
    fill(e, len, seed);
    g_assert_true(memcmp(b, e, len) == 0);
}

static void check_zero(BlockDriverState *bs, int64_t off, int64_t len)
{
    g_autofree uint8_t *b = g_malloc(len);

    g_assert_cmpint(bdrv_pread(bs, off, len, b), ==, 0);
    g_assert_true(buffer_is_zero(b, len));
}

/* The image passes check with nothing wrong. */
static void assert_clean(BlockDriverState *bs)
{
    BdrvCheckResult r;

    g_assert_cmpint(bdrv_check(bs, &r, 0), ==, 0);
    g_assert_cmpint(r.corruptions, ==, 0);
    g_assert_cmpint(r.leaks, ==, 0);
    g_assert_cmpint(r.check_errors, ==, 0);
}

static void assert_file_clean(const char *file)
{
    BlockDriverState *bs = open_img(file, BDRV_O_CHECK | BDRV_O_NO_BACKING,
                                    NULL);
    assert_clean(bs);
    bdrv_unref(bs);
}

static uint64_t refcount_of(BlockDriverState *bs, uint64_t host)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rc;

    g_mutex_lock(&s->lock);
    g_assert_cmpint(qcow2_get_refcount(bs, host >> s->cluster_bits, &rc),
                    ==, 0);
    g_mutex_unlock(&s->lock);
    return rc;
}

/* Host offset of the cluster mapped at guest offset off (0: none). */
static uint64_t host_of(BlockDriverState *bs, int64_t off)
{
    int64_t n, map = 0;
    BlockDriverState *file;
    int ret = bdrv_block_status(bs, off, 512, &n, &map, &file);

    g_assert_cmpint(ret, >=, 0);
    return (ret & BDRV_BLOCK_OFFSET_VALID) ? map : 0;
}

/* ---- header ---------------------------------------------------------------- */

static void test_create_header(void)
{
    g_autofree char *f = path("hdr.qcow2");
    g_autofree char *f2 = path("hdr2.qcow2");
    g_autoptr(GPtrArray) fields =
        g_ptr_array_new_with_free_func(image_info_field_free);
    BlockDriverInfo bdi;
    BlockDriverState *bs;
    uint8_t magic[4];

    create(f, "qcow2", "1G", NULL);
    raw_peek(f, 0, magic, 4);
    g_assert_true(!memcmp(magic, "QFI\xfb", 4));
    g_assert_cmpuint(peek_be32(f, 4), ==, 3);
    g_assert_cmpuint(peek_be32(f, 20), ==, 16);
    g_assert_cmpuint(peek_be64(f, 24), ==, GiB);
    g_assert_cmpuint(peek_be32(f, 36), ==, 2);          /* L1 entries */
    g_assert_cmpuint(peek_be64(f, 40), ==, 0x30000);    /* L1 offset */
    g_assert_cmpuint(peek_be64(f, 48), ==, 0x10000);    /* refcount table */
    g_assert_cmpuint(peek_be32(f, 56), ==, 1);
    g_assert_cmpuint(peek_be32(f, 96), ==, 4);          /* refcount order */
    g_assert_cmpuint(peek_be32(f, 100), ==, 112);       /* header length */
    g_assert_cmpuint(peek_be64(f, 0x10000), ==, 0x20000);

    bs = open_img(f, 0, NULL);
    g_assert_cmpstr(bdrv_get_format_name(bs), ==, "qcow2");
    g_assert_cmpint(bdrv_getlength(bs), ==, GiB);
    g_assert_cmpint(bdrv_get_info(bs, &bdi), ==, 0);
    g_assert_cmpint(bdi.cluster_size, ==, 65536);
    g_assert_false(bdi.is_dirty);
    g_assert_cmpstr(bdrv_get_specific_info(bs, fields), ==, "qcow2");
    g_assert_cmpstr(((ImageInfoField *)fields->pdata[0])->str, ==, "1.1");
    assert_clean(bs);
    bdrv_unref(bs);

    create(f2, "qcow2", "100M", "compat=0.10,cluster_size=4k");
    g_assert_cmpuint(peek_be32(f2, 4), ==, 2);
    g_assert_cmpuint(peek_be32(f2, 20), ==, 12);
    bs = open_img(f2, BDRV_O_RDWR, NULL);
    g_ptr_array_set_size(fields, 0);
    bdrv_get_specific_info(bs, fields);
    g_assert_cmpstr(((ImageInfoField *)fields->pdata[0])->str, ==, "0.10");
    bdrv_unref(bs);
    /* Opening a v2 image for writing keeps it v2. */
    g_assert_cmpuint(peek_be32(f2, 4), ==, 2);
}

/* Find extension type in the first cluster; returns its data offset. */
static int64_t find_ext(const char *file, uint32_t type, uint32_t *len)
{
    uint32_t off = peek_be32(file, 4) == 2 ? 72 : peek_be32(file, 100);

    for (int i = 0; i < 64; i++) {
        uint32_t t = peek_be32(file, off), l = peek_be32(file, off + 4);
        if (t == 0) {
            return -1;
        }
        if (t == type) {
            *len = l;
            return off + 8;
        }
        off += 8 + ROUND_UP(l, 8);
    }
    return -1;
}

static void test_header_extensions(void)
{
    g_autofree char *f = path("ext.qcow2");
    g_autofree char *b = path("ext-base.qcow2");
    BlockDriverState *bs;
    uint8_t ext[24];
    uint32_t len = 0;
    int64_t off;
    char data[6];
    char bf[64];

    create(b, "qcow2", "1M", NULL);
    create(f, "qcow2", "1M", "backing_file=ext-base.qcow2,backing_fmt=qcow2");
    off = find_ext(f, QCOW2_EXT_BACKING_FORMAT, &len);
    g_assert_cmpint(off, >, 0);
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpint(find_ext(f, QCOW2_EXT_FEATURE_TABLE, &len), >, 0);

    /* Replace the extensions by an unknown one, then a terminator. */
    memset(ext, 0, sizeof(ext));
    stl_be_p(ext, 0x12345678);
    stl_be_p(ext + 4, 5);
    memcpy(ext + 8, "hello", 5);
    raw_poke(f, 112, ext, sizeof(ext));
    /* An unknown autoclear bit forces a header rewrite on open. */
    poke_be64(f, 88, 0x8000);
    bs = open_img(f, BDRV_O_RDWR | BDRV_O_NO_BACKING, NULL);
    g_assert_null(bdrv_backing_format(bs));
    g_assert_cmpstr(bdrv_backing_file(bs), ==, "ext-base.qcow2");
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be64(f, 88), ==, 0);
    off = find_ext(f, 0x12345678, &len);
    g_assert_cmpint(off, >, 0);
    g_assert_cmpuint(len, ==, 5);
    raw_peek(f, off, data, 5);
    g_assert_true(!memcmp(data, "hello", 5));
    g_assert_cmpint(find_ext(f, QCOW2_EXT_FEATURE_TABLE, &len), >, 0);
    /* The backing file name survived the rewrite. */
    g_assert_cmpuint(peek_be32(f, 16), ==, strlen("ext-base.qcow2"));
    raw_peek(f, peek_be64(f, 8), bf, 14);
    g_assert_true(!memcmp(bf, "ext-base.qcow2", 14));

    /* Changing the backing file keeps the unknown extension too. */
    bs = open_img(f, BDRV_O_RDWR | BDRV_O_NO_BACKING, NULL);
    g_assert_cmpint(bdrv_change_backing_file(bs, "other.qcow2", "raw", NULL),
                    ==, 0);
    bdrv_unref(bs);
    g_assert_cmpint(find_ext(f, 0x12345678, &len), >, 0);
    g_assert_cmpint(find_ext(f, QCOW2_EXT_BACKING_FORMAT, &len), >, 0);
    g_assert_cmpuint(len, ==, 3);
    assert_file_clean(f);
}

static void test_header_incompatible(void)
{
    g_autofree char *f = path("incompat.qcow2");
    g_autofree char *msg = NULL;
    uint8_t ext[64];
    BlockDriverState *bs;

    create(f, "qcow2", "1M", NULL);
    poke_be64(f, 72, 1ull << 5);
    msg = open_fail(f, 0);
    g_assert_nonnull(strstr(msg, "Unsupported qcow2 feature(s)"));
    g_assert_nonnull(strstr(msg, "Unknown incompatible feature: 20"));
    g_free(msg);

    /* With a name in the feature name table, the name is shown. */
    memset(ext, 0, sizeof(ext));
    stl_be_p(ext, QCOW2_EXT_FEATURE_TABLE);
    stl_be_p(ext + 4, 48);
    ext[8] = 0;
    ext[9] = 5;
    strcpy((char *)ext + 10, "fancy feature");
    raw_poke(f, 112, ext, sizeof(ext));
    msg = open_fail(f, 0);
    g_assert_nonnull(strstr(msg, "fancy feature"));
    g_free(msg);

    /* Known but unimplemented: named from our own table. */
    poke_be64(f, 72, 1ull << 4);
    msg = open_fail(f, 0);
    g_assert_nonnull(strstr(msg, "extended L2 entries"));
    g_free(msg);

    /* The corrupt bit: read-only opens only. */
    poke_be64(f, 72, QCOW2_INCOMPAT_CORRUPT);
    msg = open_fail(f, BDRV_O_RDWR);
    g_assert_nonnull(strstr(msg, "corrupt"));
    g_free(msg);
    bs = open_img(f, 0, NULL);
    bdrv_unref(bs);
    /* check -r all on it clears the bit. */
    bs = open_img(f, BDRV_O_RDWR | BDRV_O_CHECK, NULL);
    {
        BdrvCheckResult r;
        g_assert_cmpint(bdrv_check(bs, &r, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS),
                        ==, 0);
    }
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be64(f, 72), ==, 0);

    /* Encryption is refused clearly. */
    poke_be32(f, 32, 1);
    msg = open_fail(f, 0);
    g_assert_nonnull(strstr(msg, "Encrypted"));
}

typedef struct HostileField {
    off_t off;
    int size;
    uint64_t value;
    const char *expect;
} HostileField;

static void test_header_hostile(void)
{
    static const HostileField cases[] = {
        { 0, 4, 0x12345678, "not in qcow2 format" },
        { 4, 4, 1, "Unsupported qcow2 version 1" },
        { 4, 4, 4, "Unsupported qcow2 version 4" },
        { 20, 4, 8, "Unsupported cluster size" },
        { 20, 4, 22, "Unsupported cluster size" },
        { 20, 4, 0xffffffff, "Unsupported cluster size" },
        { 100, 4, 50, "header too short" },
        { 100, 4, 0x20000, "exceeds cluster size" },
        { 36, 4, 1, "L1 table is too small" },
        { 36, 4, 0x10000000, "L1 table too large" },
        { 40, 8, 0x30001, "Invalid L1 table offset" },
        { 40, 8, 0x7ffffffffff00000ull, "Invalid L1 table offset" },
        { 48, 8, 0x10200, "reference count table" },
        { 56, 4, 0, "reference count table" },
        { 56, 4, 0xffffffff, "reference count table" },
        { 60, 4, 100000, "Too many snapshots" },
        { 64, 8, 0x1234, "Invalid snapshot table offset" },
        { 8, 8, 0x20000, "Invalid backing file offset" },
        { 96, 4, 7, "width too large" },
        { 96, 4, 0xffffffff, "width too large" },
        { 24, 8, 1ull << 62, "too big" },
        { 24, 8, UINT64_MAX, "too big" },
        { 32, 4, 2, "Encrypted" },
    };
    g_autofree char *f = path("hostile.qcow2");
    g_autofree char *base = path("hostile-base.qcow2");

    create(base, "qcow2", "1G", "cluster_size=64k");
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *msg = NULL;
        g_autofree char *cmd = NULL;
        gchar *contents;
        gsize len;

        g_assert_true(g_file_get_contents(base, &contents, &len, NULL));
        g_assert_true(g_file_set_contents(f, contents, len, NULL));
        g_free(contents);
        if (cases[i].off == 60) {
            poke_be64(f, 64, 0x40000);
        }
        if (cases[i].off == 64) {
            poke_be32(f, 60, 1);
        }
        if (cases[i].size == 4) {
            poke_be32(f, cases[i].off, cases[i].value);
        } else {
            poke_be64(f, cases[i].off, cases[i].value);
        }
        msg = open_fail(f, 0);
        if (!strstr(msg, cases[i].expect)) {
            g_test_message("case %u: '%s' does not contain '%s'", i, msg,
                           cases[i].expect);
            g_assert_not_reached();
        }
    }

    /* Backing file name: too long, and with a NUL inside. */
    {
        gchar *contents;
        gsize len;
        g_autofree char *msg = NULL;
        g_assert_true(g_file_get_contents(base, &contents, &len, NULL));
        g_assert_true(g_file_set_contents(f, contents, len, NULL));
        g_free(contents);
        poke_be64(f, 8, 512);
        poke_be32(f, 16, 1500);
        msg = open_fail(f, 0);
        g_assert_nonnull(strstr(msg, "too long"));
        g_clear_pointer(&msg, g_free);
        poke_be32(f, 16, 4);
        raw_poke(f, 512, "a\0bc", 4);
        msg = open_fail(f, 0);
        g_assert_nonnull(strstr(msg, "backing file name"));
    }
    /* A header extension running past the cluster. */
    {
        gchar *contents;
        gsize len;
        g_autofree char *msg = NULL;
        g_assert_true(g_file_get_contents(base, &contents, &len, NULL));
        g_assert_true(g_file_set_contents(f, contents, len, NULL));
        g_free(contents);
        poke_be32(f, 112, 0x11112222);
        poke_be32(f, 116, 0x10000);
        msg = open_fail(f, 0);
        g_assert_nonnull(strstr(msg, "extension"));
    }
    /* Truncated inside the header and inside the tables. */
    {
        g_autofree char *msg = NULL;
        g_assert_cmpint(truncate(f, 60), ==, 0);
        msg = open_fail(f, 0);
        g_assert_nonnull(strstr(msg, "truncated"));
        g_clear_pointer(&msg, g_free);
        {
            gchar *contents;
            gsize len;
            g_assert_true(g_file_get_contents(base, &contents, &len, NULL));
            g_assert_true(g_file_set_contents(f, contents, len, NULL));
            g_free(contents);
        }
        g_assert_cmpint(truncate(f, 0x10004), ==, 0);
        msg = open_fail(f, 0);
        g_assert_nonnull(strstr(msg, "table"));
    }
}

/* ---- L2 cache --------------------------------------------------------------- */

static void test_l2_cache(void)
{
    g_autofree char *f = path("cache.qcow2");
    BlockDriverState *bs;
    BDRVQcow2State *s;
    int misses;

    /* 64k clusters: one L2 table maps 512 MiB; four tables for 2 GiB. */
    create(f, "qcow2", "2G", NULL);
    bs = open_img(f, BDRV_O_RDWR, "l2-cache-size=128k");
    s = bs->opaque;
    for (int i = 0; i < 4; i++) {
        write_pattern(bs, (int64_t)i * 512 * MiB + 4096, 70000, i);
    }
    /* Reading the same table twice in a row: the second is a hit. */
    misses = qcow2_cache_misses(s->l2_cache);
    check_pattern(bs, 3 * 512 * MiB + 4096, 70000, 3);
    g_assert_cmpint(qcow2_cache_misses(s->l2_cache), ==, misses);
    /* Four tables through a two-table cache: evictions, re-reads. */
    for (int i = 0; i < 4; i++) {
        check_pattern(bs, (int64_t)i * 512 * MiB + 4096, 70000, i);
    }
    g_assert_cmpint(qcow2_cache_misses(s->l2_cache), >=, misses + 2);
    assert_clean(bs);
    bdrv_unref(bs);

    /* Evicted dirty tables reached the disk. */
    bs = open_img(f, 0, NULL);
    for (int i = 0; i < 4; i++) {
        check_pattern(bs, (int64_t)i * 512 * MiB + 4096, 70000, i);
    }
    /* The default cache maps the whole disk: 4 tables, at least 1 MiB. */
    s = bs->opaque;
    misses = qcow2_cache_misses(s->l2_cache);
    for (int i = 0; i < 4; i++) {
        check_pattern(bs, (int64_t)i * 512 * MiB + 4096, 70000, i);
    }
    g_assert_cmpint(qcow2_cache_misses(s->l2_cache), ==, misses);
    bdrv_unref(bs);
}

/* ---- allocation and COW --------------------------------------------------- */

static void test_cow_partial(void)
{
    g_autofree char *b = path("cow-base.qcow2");
    g_autofree char *o = path("cow-top.qcow2");
    g_autofree uint8_t *buf = g_malloc(4 * 65536);
    g_autofree uint8_t *exp = g_malloc(4 * 65536);
    BlockDriverState *bs;
    int64_t n;

    create(b, "qcow2", "16M", NULL);
    bs = open_img(b, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 4 * 65536, 0x10);
    bdrv_unref(bs);
    create(o, "qcow2", "16M", "backing_file=cow-base.qcow2,backing_fmt=qcow2");

    bs = open_img(o, BDRV_O_RDWR, NULL);
    g_assert_nonnull(bdrv_get_backing(bs));
    /* 4 KiB in the middle of cluster 1. */
    write_pattern(bs, 65536 + 1000, 4096, 0x77);
    /* A write from the middle of cluster 2 to the middle of cluster 3. */
    write_pattern(bs, 2 * 65536 + 30000, 65536, 0x99);
    g_assert_cmpint(bdrv_pread(bs, 0, 4 * 65536, buf), ==, 0);
    fill(exp, 4 * 65536, 0x10);
    fill(exp + 65536 + 1000, 4096, 0x77);
    fill(exp + 2 * 65536 + 30000, 65536, 0x99);
    g_assert_true(memcmp(buf, exp, 4 * 65536) == 0);
    /* Only clusters 1..3 are in the overlay. */
    g_assert_cmpint(bdrv_block_status(bs, 0, 65536, &n, NULL, NULL) &
                    BDRV_BLOCK_ALLOCATED, ==, 0);
    g_assert_cmpint(bdrv_block_status(bs, 65536, 3 * 65536, &n, NULL, NULL) &
                    BDRV_BLOCK_ALLOCATED, !=, 0);
    g_assert_cmpint(n, ==, 3 * 65536);
    /* Overwrite in place: no new cluster. */
    {
        uint64_t h = host_of(bs, 65536);
        write_pattern(bs, 65536, 512, 0x33);
        g_assert_cmpuint(host_of(bs, 65536), ==, h);
    }
    assert_clean(bs);
    bdrv_unref(bs);

    /* Reopen: the same bytes, from disk. */
    bs = open_img(o, 0, NULL);
    fill(exp + 65536, 512, 0x33);
    g_assert_cmpint(bdrv_pread(bs, 0, 4 * 65536, buf), ==, 0);
    g_assert_true(memcmp(buf, exp, 4 * 65536) == 0);
    bdrv_unref(bs);
}

static void test_refcounts(void)
{
    g_autofree char *f = path("rc.qcow2");
    BlockDriverState *bs;
    uint64_t h1, h2, h3;

    create(f, "qcow2", "16M", NULL);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 65536, 1);
    write_pattern(bs, 5 * 65536, 65536, 2);
    h1 = host_of(bs, 0);
    h2 = host_of(bs, 5 * 65536);
    g_assert_cmpuint(h1, !=, 0);
    g_assert_cmpuint(refcount_of(bs, h1), ==, 1);
    g_assert_cmpuint(refcount_of(bs, h2), ==, 1);
    /* Header, refcount table and block, L1, L2: all counted once. */
    for (uint64_t c = 0; c < 5; c++) {
        g_assert_cmpuint(refcount_of(bs, c * 65536), ==, 1);
    }
    /* Discard frees the cluster once the change is flushed. */
    g_assert_cmpint(bdrv_pdiscard(bs, 0, 65536), ==, 0);
    g_assert_cmpuint(host_of(bs, 0), ==, 0);
    g_assert_cmpuint(refcount_of(bs, h1), ==, 1);   /* deferred */
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    g_assert_cmpuint(refcount_of(bs, h1), ==, 0);
    check_zero(bs, 0, 65536);
    /* The hole is reused by the next allocation. */
    write_pattern(bs, 9 * 65536, 65536, 3);
    h3 = host_of(bs, 9 * 65536);
    g_assert_cmpuint(h3, ==, h1);
    g_assert_cmpuint(refcount_of(bs, h3), ==, 1);
    check_pattern(bs, 5 * 65536, 65536, 2);
    check_pattern(bs, 9 * 65536, 65536, 3);
    assert_clean(bs);
    bdrv_unref(bs);
    assert_file_clean(f);
}

static void test_compressed(void)
{
    g_autofree char *f = path("comp.qcow2");
    g_autofree uint8_t *buf = g_malloc(65536);
    g_autofree uint8_t *rnd = g_malloc(65536);
    BlockDriverState *bs;
    IOVector v;
    int64_t n, map;
    BlockDriverState *file;
    int ret;

    create(f, "qcow2", "8M", NULL);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    g_assert_true(bdrv_supports_compressed_writes(bs));
    for (int i = 0; i < 3; i++) {
        fill(buf, 65536, 0x20 + i);
        memset(buf + 30000, i, 20000);
        iovec_init_buf(&v, buf, 65536);
        g_assert_cmpint(bdrv_pwrite_compressed(bs, i * 65536, 65536, &v, 0),
                        ==, 0);
    }
    /* Incompressible data is stored plainly. */
    for (int i = 0; i < 65536; i++) {
        rnd[i] = g_test_rand_int();
    }
    iovec_init_buf(&v, rnd, 65536);
    g_assert_cmpint(bdrv_pwrite_compressed(bs, 4 * 65536, 65536, &v, 0), ==,
                    0);
    /* Unaligned compressed writes are refused. */
    g_assert_cmpint(bdrv_pwrite_compressed(bs, 512, 65536, &v, 0), ==,
                    -EINVAL);

    ret = bdrv_block_status(bs, 0, 65536, &n, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_COMPRESSED, !=, 0);
    g_assert_cmpint(ret & BDRV_BLOCK_OFFSET_VALID, ==, 0);
    ret = bdrv_block_status(bs, 4 * 65536, 65536, &n, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_COMPRESSED, ==, 0);
    for (int i = 0; i < 3; i++) {
        uint8_t exp[65536];
        fill(exp, 65536, 0x20 + i);
        memset(exp + 30000, i, 20000);
        g_assert_cmpint(bdrv_pread(bs, i * 65536, 65536, buf), ==, 0);
        g_assert_true(memcmp(buf, exp, 65536) == 0);
        /* Small reads through the one-cluster cache. */
        g_assert_cmpint(bdrv_pread(bs, i * 65536 + 100, 1000, buf), ==, 0);
        g_assert_true(memcmp(buf, exp + 100, 1000) == 0);
    }
    g_assert_cmpint(bdrv_pread(bs, 4 * 65536, 65536, buf), ==, 0);
    g_assert_true(memcmp(buf, rnd, 65536) == 0);
    assert_clean(bs);

    /* A partial write into a compressed cluster decompresses it. */
    write_pattern(bs, 65536 + 4096, 512, 0xee);
    {
        uint8_t exp[65536];
        fill(exp, 65536, 0x21);
        memset(exp + 30000, 1, 20000);
        fill(exp + 4096, 512, 0xee);
        g_assert_cmpint(bdrv_pread(bs, 65536, 65536, buf), ==, 0);
        g_assert_true(memcmp(buf, exp, 65536) == 0);
    }
    ret = bdrv_block_status(bs, 65536, 65536, &n, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_COMPRESSED, ==, 0);
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    assert_clean(bs);
    bdrv_unref(bs);
    assert_file_clean(f);
}

static void test_zero_clusters(void)
{
    g_autofree char *b = path("z-base.qcow2");
    g_autofree char *o = path("z-top.qcow2");
    BlockDriverState *bs;
    int64_t n;
    int ret;

    create(b, "qcow2", "4M", NULL);
    bs = open_img(b, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 4 * MiB, 0x42);
    bdrv_unref(bs);
    create(o, "qcow2", "4M", "backing_file=z-base.qcow2,backing_fmt=qcow2");
    bs = open_img(o, BDRV_O_RDWR, NULL);
    write_pattern(bs, 2 * 65536, 65536, 0x50);

    /* Whole clusters become zero clusters, hiding the backing file. */
    g_assert_cmpint(bdrv_pwrite_zeroes(bs, 65536, 2 * 65536,
                                       BDRV_REQ_MAY_UNMAP), ==, 0);
    check_zero(bs, 65536, 2 * 65536);
    ret = bdrv_block_status(bs, 65536, 2 * 65536, &n, NULL, NULL);
    g_assert_cmpint(ret & (BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED), ==,
                    BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, ==, 0);
    g_assert_cmpint(n, ==, 2 * 65536);
    check_pattern(bs, 0, 65536, 0x42);
    /* Partial zero writes: the rest of the cluster keeps its data. */
    g_assert_cmpint(bdrv_pwrite_zeroes(bs, 5 * 65536 + 100, 1000, 0), ==, 0);
    check_zero(bs, 5 * 65536 + 100, 1000);
    {
        g_autofree uint8_t *all = g_malloc(4 * MiB);
        uint8_t buf[100];
        fill(all, 4 * MiB, 0x42);
        g_assert_cmpint(bdrv_pread(bs, 5 * 65536, 100, buf), ==, 0);
        g_assert_true(memcmp(buf, all + 5 * 65536, 100) == 0);
        g_assert_cmpint(bdrv_pread(bs, 5 * 65536 + 1100, 100, buf), ==, 0);
        g_assert_true(memcmp(buf, all + 5 * 65536 + 1100, 100) == 0);
    }
    /* Writing into a zero cluster: the rest reads as zeroes. */
    write_pattern(bs, 65536 + 512, 512, 0x60);
    check_zero(bs, 65536, 512);
    check_pattern(bs, 65536 + 512, 512, 0x60);
    check_zero(bs, 65536 + 1024, 65536 - 1024);
    /* Discard with a backing file: zeroes, not the backing data. */
    g_assert_cmpint(bdrv_pdiscard(bs, 3 * 65536, 65536), ==, 0);
    check_zero(bs, 3 * 65536, 65536);
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    assert_clean(bs);
    bdrv_unref(bs);
    assert_file_clean(o);
}

static void test_backing_chain(void)
{
    g_autofree char *a = path("ch-a.qcow2");
    g_autofree char *b = path("ch-b.qcow2");
    g_autofree char *c = path("ch-c.qcow2");
    BlockDriverState *bs;
    int64_t n;
    int depth, ret;

    create(a, "qcow2", "1M", NULL);
    bs = open_img(a, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, MiB, 0xa0);
    bdrv_unref(bs);
    create(b, "qcow2", "2M", "backing_file=ch-a.qcow2,backing_fmt=qcow2");
    bs = open_img(b, BDRV_O_RDWR, NULL);
    write_pattern(bs, 65536, 65536, 0xb0);
    bdrv_unref(bs);
    /* The top names its backing file without a format: probed. */
    create(c, "qcow2", "3M", "backing_file=ch-b.qcow2");
    bs = open_img(c, BDRV_O_RDWR, NULL);
    write_pattern(bs, 2 * 65536, 65536, 0xc0);

    check_pattern(bs, 0, 65536, 0xa0);
    check_pattern(bs, 65536, 65536, 0xb0);
    check_pattern(bs, 2 * 65536, 65536, 0xc0);
    /* Past a's end (1M) and b's end (2M): zeroes. */
    check_zero(bs, MiB + 65536, MiB - 65536);
    check_zero(bs, 2 * MiB, MiB);
    ret = bdrv_block_status_above(bs, NULL, 0, 65536, &n, NULL, NULL,
                                  &depth);
    g_assert_cmpint(depth, ==, 2);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, !=, 0);
    ret = bdrv_block_status_above(bs, NULL, 65536, 65536, &n, NULL, NULL,
                                  &depth);
    g_assert_cmpint(depth, ==, 1);
    ret = bdrv_block_status_above(bs, NULL, 2 * MiB + 65536, 65536, &n, NULL,
                                  NULL, &depth);
    g_assert_cmpint(depth, ==, 0);
    g_assert_cmpint(ret & BDRV_BLOCK_ZERO, !=, 0);
    /* Partial write over the chain: COW takes the right layer's data. */
    write_pattern(bs, 65536 + 60000, 1000, 0xdd);
    check_pattern(bs, 65536, 60000, 0xb0);
    check_pattern(bs, 65536 + 60000, 1000, 0xdd);
    assert_clean(bs);
    bdrv_unref(bs);
}

static void test_v2(void)
{
    g_autofree char *f = path("v2.qcow2");
    g_autofree char *o = path("v2-top.qcow2");
    BlockDriverState *bs;

    create(f, "qcow2", "4M", "compat=0.10");
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 3 * 65536, 7);
    /* No zero flag: without a backing file, clusters are deallocated. */
    g_assert_cmpint(bdrv_pwrite_zeroes(bs, 65536, 65536, 0), ==, 0);
    check_zero(bs, 65536, 65536);
    g_assert_cmpuint(host_of(bs, 65536), ==, 0);
    check_pattern(bs, 2 * 65536, 65536, (uint8_t)(7 + 2 * 65536 * 7 +
                                                   (2 * 65536 >> 9)));
    assert_clean(bs);
    bdrv_unref(bs);
    create(o, "qcow2", "4M", "compat=0.10,backing_file=v2.qcow2,"
           "backing_fmt=qcow2");
    bs = open_img(o, BDRV_O_RDWR, NULL);
    /* With a backing file, zeroes are written as data. */
    g_assert_cmpint(bdrv_pwrite_zeroes(bs, 0, 65536, 0), ==, 0);
    check_zero(bs, 0, 65536);
    g_assert_cmpuint(host_of(bs, 0), !=, 0);
    assert_clean(bs);
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be32(o, 4), ==, 2);
}

static void test_refcount_orders(void)
{
    for (int order = 0; order <= 6; order++) {
        g_autofree char *f = g_strdup_printf("%s/order%d.qcow2", tmpdir,
                                             order);
        g_autofree char *o = g_strdup_printf("cluster_size=4k,"
                                             "refcount_bits=%d", 1 << order);
        BlockDriverState *bs;

        create(f, "qcow2", "8M", o);
        g_assert_cmpuint(peek_be32(f, 96), ==, order);
        bs = open_img(f, BDRV_O_RDWR, NULL);
        for (int i = 0; i < 40; i++) {
            write_pattern(bs, (int64_t)i * 150000 % (7 * MiB), 20000, i);
        }
        g_assert_cmpint(bdrv_pdiscard(bs, MiB, 2 * MiB), ==, 0);
        g_assert_cmpint(bdrv_flush(bs), ==, 0);
        write_pattern(bs, 7 * MiB, 65536, 99);
        check_pattern(bs, 7 * MiB, 65536, 99);
        assert_clean(bs);
        bdrv_unref(bs);
        assert_file_clean(f);
    }
}

static void test_reftable_growth(void)
{
    g_autofree char *f = path("grow.qcow2");
    BlockDriverState *bs;

    /*
     * 512-byte clusters with 64-bit refcounts: a refcount block covers
     * 64 clusters and the one-cluster table 4096 clusters (2 MiB).
     */
    create(f, "qcow2", "16M", "cluster_size=512,refcount_bits=64");
    g_assert_cmpuint(peek_be32(f, 56), ==, 1);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    for (int i = 0; i < 12; i++) {
        write_pattern(bs, (int64_t)i * MiB, MiB, i);
    }
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    assert_clean(bs);
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be32(f, 56), >, 1);
    bs = open_img(f, 0, NULL);
    for (int i = 0; i < 12; i++) {
        check_pattern(bs, (int64_t)i * MiB, MiB, i);
    }
    assert_clean(bs);
    bdrv_unref(bs);
}

static void test_snapshots(void)
{
    g_autofree char *f = path("snap.qcow2");
    g_autoptr(GPtrArray) list =
        g_ptr_array_new_with_free_func(snapshot_info_free);
    BlockDriverState *bs;
    uint64_t h;
    GError *err = NULL;

    create(f, "qcow2", "4M", NULL);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 2 * 65536, 1);
    h = host_of(bs, 0);
    g_assert_cmpint(bdrv_snapshot_create(bs, "one", &err), ==, 0);
    g_assert_no_error(err);
    /* Shared with the snapshot now. */
    g_assert_cmpuint(refcount_of(bs, h), ==, 2);
    write_pattern(bs, 0, 4096, 2);
    g_assert_cmpuint(host_of(bs, 0), !=, h);
    g_assert_cmpuint(refcount_of(bs, h), ==, 2);    /* drop is deferred */
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    g_assert_cmpuint(refcount_of(bs, h), ==, 1);
    check_pattern(bs, 0, 4096, 2);
    assert_clean(bs);
    g_assert_cmpint(bdrv_snapshot_list(bs, list), ==, 1);
    g_assert_cmpstr(((SnapshotInfo *)list->pdata[0])->name, ==, "one");
    g_assert_cmpstr(((SnapshotInfo *)list->pdata[0])->id, ==, "1");
    bdrv_unref(bs);

    bs = open_img(f, BDRV_O_RDWR, NULL);
    g_assert_cmpint(bdrv_snapshot_goto(bs, "one", &err), ==, 0);
    check_pattern(bs, 0, 2 * 65536, 1);
    assert_clean(bs);
    g_assert_cmpint(bdrv_snapshot_delete(bs, "1", &err), ==, 0);
    g_assert_no_error(err);
    g_assert_cmpint(bdrv_snapshot_delete(bs, "1", &err), ==, -ENOENT);
    g_clear_error(&err);
    check_pattern(bs, 0, 2 * 65536, 1);
    assert_clean(bs);
    /* Not shared any more: overwritten in place. */
    h = host_of(bs, 0);
    write_pattern(bs, 0, 512, 3);
    g_assert_cmpuint(host_of(bs, 0), ==, h);
    bdrv_unref(bs);
    assert_file_clean(f);
}

static void test_resize(void)
{
    g_autofree char *f = path("resize.qcow2");
    g_autofree char *p = path("prealloc.qcow2");
    BlockDriverState *bs;
    GError *err = NULL;
    int64_t n;

    create(f, "qcow2", "1M", NULL);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, MiB, 5);
    g_assert_cmpint(bdrv_truncate(bs, 10 * GiB, true, PREALLOC_MODE_OFF,
                                  &err), ==, 0);
    g_assert_cmpint(bdrv_getlength(bs), ==, 10 * GiB);
    check_pattern(bs, 0, MiB, 5);
    write_pattern(bs, 10 * GiB - 4096, 4096, 6);
    check_zero(bs, 5 * GiB, 65536);
    g_assert_cmpint(bdrv_truncate(bs, 1000, true, PREALLOC_MODE_OFF, &err),
                    <, 0);
    g_clear_error(&err);
    g_assert_cmpint(bdrv_truncate(bs, 512 * 1024, true, PREALLOC_MODE_OFF,
                                  &err), ==, 0);
    check_pattern(bs, 0, 512 * 1024, 5);
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    assert_clean(bs);
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be64(f, 24), ==, 512 * 1024);

    create(p, "qcow2", "4M", "preallocation=metadata");
    bs = open_img(p, 0, NULL);
    g_assert_cmpint(bdrv_block_status(bs, 0, 4 * MiB, &n, NULL, NULL) &
                    BDRV_BLOCK_DATA, !=, 0);
    g_assert_cmpint(n, ==, 4 * MiB);
    check_zero(bs, 0, 4 * MiB);
    assert_clean(bs);
    bdrv_unref(bs);
}

static void test_runtime_corruption(void)
{
    g_autofree char *f = path("rt.qcow2");
    BlockDriverState *bs;
    g_autofree char *msg = NULL;
    uint8_t buf[512];

    create(f, "qcow2", "4M", NULL);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 0, 65536, 1);
    bdrv_unref(bs);
    /* The L2 entry for cluster 0 now points at the L1 table, "ours". */
    poke_be64(f, 0x40000, 0x30000 | QCOW_OFLAG_COPIED);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    g_assert_cmpint(bdrv_pread(bs, 0, 512, buf), ==, 0);
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpint(bdrv_pwrite(bs, 0, 512, buf), ==, -EIO);
    /* Further writes fail too; the L1 table was not touched. */
    g_assert_cmpint(bdrv_pwrite(bs, 65536, 512, buf), ==, -EIO);
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be64(f, 0x30000) & ~QCOW_OFLAG_COPIED, ==, 0x40000);
    /* The corrupt bit is on disk: no more read-write opens. */
    g_assert_cmpuint(peek_be64(f, 72) & QCOW2_INCOMPAT_CORRUPT, !=, 0);
    msg = open_fail(f, BDRV_O_RDWR);
    g_assert_nonnull(strstr(msg, "corrupt"));
}

static void test_lazy_refcounts(void)
{
    g_autofree char *f = path("lazy.qcow2");
    BlockDriverState *bs;

    create(f, "qcow2", "4M", "lazy_refcounts=on");
    g_assert_cmpuint(peek_be64(f, 80), ==, QCOW2_COMPAT_LAZY_REFCOUNTS);
    bs = open_img(f, BDRV_O_RDWR, NULL);
    g_assert_cmpuint(peek_be64(f, 72) & QCOW2_INCOMPAT_DIRTY, ==, 0);
    write_pattern(bs, 0, 65536, 9);
    /* The dirty bit is on disk while refcounts may lag behind. */
    g_assert_cmpuint(peek_be64(f, 72) & QCOW2_INCOMPAT_DIRTY, !=, 0);
    bdrv_unref(bs);
    g_assert_cmpuint(peek_be64(f, 72) & QCOW2_INCOMPAT_DIRTY, ==, 0);
    assert_file_clean(f);

    /*
     * A dirty image whose refcounts lag behind (a used cluster counted
     * 0, as a crash with lazy refcounts can leave) is repaired on open.
     */
    bs = open_img(f, BDRV_O_RDWR, NULL);
    write_pattern(bs, 65536, 65536, 10);
    bdrv_unref(bs);
    poke_be64(f, 72, QCOW2_INCOMPAT_DIRTY);
    {
        uint8_t rc[2] = { 0, 0 };
        raw_poke(f, 0x20000 + 5 * 2, rc, 2);
    }
    bs = open_img(f, BDRV_O_RDWR, NULL);
    g_assert_cmpuint(peek_be64(f, 72) & QCOW2_INCOMPAT_DIRTY, ==, 0);
    check_pattern(bs, 65536, 65536, 10);
    assert_clean(bs);
    bdrv_unref(bs);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-qcow2-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    bdrv_check_set_output(fopen("/dev/null", "w"));
    error_set_progname("test-qcow2");

    g_test_add_func("/qcow2/header/create", test_create_header);
    g_test_add_func("/qcow2/header/extensions", test_header_extensions);
    g_test_add_func("/qcow2/header/incompatible", test_header_incompatible);
    g_test_add_func("/qcow2/header/hostile", test_header_hostile);
    g_test_add_func("/qcow2/l2-cache", test_l2_cache);
    g_test_add_func("/qcow2/cow-partial", test_cow_partial);
    g_test_add_func("/qcow2/refcounts", test_refcounts);
    g_test_add_func("/qcow2/compressed", test_compressed);
    g_test_add_func("/qcow2/zero-clusters", test_zero_clusters);
    g_test_add_func("/qcow2/backing-chain", test_backing_chain);
    g_test_add_func("/qcow2/v2", test_v2);
    g_test_add_func("/qcow2/refcount-orders", test_refcount_orders);
    g_test_add_func("/qcow2/reftable-growth", test_reftable_growth);
    g_test_add_func("/qcow2/snapshots", test_snapshots);
    g_test_add_func("/qcow2/resize", test_resize);
    g_test_add_func("/qcow2/runtime-corruption", test_runtime_corruption);
    g_test_add_func("/qcow2/lazy-refcounts", test_lazy_refcounts);
    ret = g_test_run();

    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        if (system(cmd)) {
            /* best effort */
        }
    }
    return ret;
}
