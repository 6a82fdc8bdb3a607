/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ember-img convert, compare, commit and rebase: the commands that copy
 * or compare data between images.
 *
 * convert walks the sources' block status: ranges that read as zeroes
 * (unallocated, zero clusters, holes) are skipped on a fresh target, and
 * data ranges are scanned in -S units so zero blocks inside them stay
 * sparse too. Reading the next chunk overlaps with writing the previous
 * one (a reader thread), as the two usually hit different files.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block.h"
#include "tools/ember-img.h"
#include <getopt.h>

#define CONVERT_CHUNK (2 * MiB)
/* convert's unit of work: big, so the reader/writer hand-offs are few. */
#define CONVERT_COPY_CHUNK (8 * MiB)

enum { OPT_TARGET_IS_ZERO = 256, OPT_OBJECT, OPT_IMAGE_OPTS, OPT_SALVAGE };

/* ---- sources: several images read as one -------------------------------- */

typedef struct Sources {
    BlockDriverState **bs;
    int64_t *len;
    int n;
    int64_t total;
} Sources;

static int src_locate(Sources *s, int64_t off, int64_t *local)
{
    for (int i = 0; i < s->n; i++) {
        if (off < s->len[i]) {
            *local = off;
            return i;
        }
        off -= s->len[i];
    }
    return -1;
}

/* Status of [off, off + bytes): *pnum bytes are zero-only or not. */
static int src_status(Sources *s, int64_t off, int64_t bytes, int64_t *pnum,
                      bool *zero)
{
    int64_t local, n;
    int i = src_locate(s, off, &local);
    int ret;

    if (i < 0) {
        *pnum = bytes;
        *zero = true;
        return 0;
    }
    bytes = MIN(bytes, s->len[i] - local);
    ret = bdrv_block_status_above(s->bs[i], NULL, local, bytes, &n, NULL,
                                  NULL, NULL);
    if (ret < 0) {
        return ret;
    }
    *pnum = MAX(n, 1);
    *zero = (ret & BDRV_BLOCK_ZERO) && !(ret & BDRV_BLOCK_DATA);
    return 0;
}

static int src_read(Sources *s, int64_t off, int64_t bytes, uint8_t *buf)
{
    while (bytes > 0) {
        int64_t local, n;
        int i = src_locate(s, off, &local);
        int ret;

        if (i < 0) {
            memset(buf, 0, bytes);
            return 0;
        }
        n = MIN(bytes, s->len[i] - local);
        ret = bdrv_pread(s->bs[i], local, n, buf);
        if (ret < 0) {
            return ret;
        }
        off += n;
        bytes -= n;
        buf += n;
    }
    return 0;
}

/* ---- the copy loop ----------------------------------------------------------- */

typedef struct Chunk {
    int64_t off;
    int64_t len;
    bool zero;          /* zero by block status: nothing read */
    int ret;
    uint8_t *buf;
    gint pending;       /* -c: clusters still being compressed */
} Chunk;

typedef struct ConvertState {
    Sources *src;
    BlockDriverState *out;
    int64_t sparse;         /* -S, 0: write everything */
    bool compress;
    bool target_zero;       /* the target reads as zeroes already */
    int cluster_size;       /* target's, for -c */
    bool progress;
    /* reader thread hand-off */
    GAsyncQueue *free_q;    /* empty Chunk buffers */
    GAsyncQueue *full_q;    /* read chunks, in order */
    gint abort;             /* the writer failed: reader stops */
    int64_t chunk;
    /* -c: clusters are compressed by a pool, one task per cluster */
    int comp_threads;       /* -m, as qemu-img's coroutine count */
    GThreadPool *comp_pool;
    gint comp_error;        /* first error (negative errno) */
    gint64 comp_err_off;
    gint64 comp_done;       /* bytes finished */
} ConvertState;

typedef struct CompTask {
    ConvertState *cs;
    Chunk *c;
    int64_t pos;
} CompTask;

static gpointer reader_thread(gpointer opaque)
{
    ConvertState *cs = opaque;
    int64_t off = 0;

    while (off < cs->src->total) {
        Chunk *c = g_async_queue_pop(cs->free_q);
        int64_t n = 0;
        bool zero = false;

        if (g_atomic_int_get(&cs->abort)) {
            return NULL;
        }
        c->off = off;
        c->ret = src_status(cs->src, off, MIN(cs->chunk, cs->src->total - off),
                            &n, &zero);
        if (c->ret >= 0) {
            if (cs->compress && !zero) {
                /* Whole target clusters for compression. */
                n = MIN(ROUND_UP(n, cs->cluster_size),
                        MIN(cs->chunk, cs->src->total - off));
            }
            c->len = n;
            c->zero = zero;
            if (!zero) {
                c->ret = src_read(cs->src, off, n, c->buf);
            }
        }
        g_async_queue_push(cs->full_q, c);
        if (c->ret < 0) {
            return NULL;
        }
        off += n;
    }
    return NULL;
}

static int write_zero_range(ConvertState *cs, int64_t off, int64_t len)
{
    if (cs->target_zero || !len) {
        return 0;
    }
    return bdrv_pwrite_zeroes(cs->out, off, len, BDRV_REQ_MAY_UNMAP);
}

/*
 * One cluster of a -c conversion. The qcow2 driver compresses before it
 * takes its lock, so the pool's threads compress in parallel. The last
 * task of a chunk gives the buffer back to the reader.
 */
static void comp_worker(gpointer data, gpointer unused)
{
    CompTask *t = data;
    ConvertState *cs = t->cs;
    Chunk *c = t->c;
    int64_t n = MIN((int64_t)cs->cluster_size, c->len - t->pos);
    int ret = 0;

    if (!g_atomic_int_get(&cs->comp_error)) {
        if (buffer_is_zero(c->buf + t->pos, n)) {
            ret = write_zero_range(cs, c->off + t->pos, n);
        } else {
            IOVector v;
            iovec_init_buf(&v, c->buf + t->pos, n);
            ret = bdrv_pwrite_compressed(cs->out, c->off + t->pos, n, &v, 0);
        }
        if (ret < 0 &&
            g_atomic_int_compare_and_exchange(&cs->comp_error, 0, ret)) {
            cs->comp_err_off = c->off + t->pos;
        }
    }
    g_atomic_pointer_add(&cs->comp_done, n);
    if (g_atomic_int_dec_and_test(&c->pending)) {
        g_async_queue_push(cs->free_q, c);
    }
    g_free(t);
}

/* Write a chunk, leaving out -S-sized blocks of zeroes. */
static int write_chunk(ConvertState *cs, Chunk *c, int64_t *err_off)
{
    int64_t pos = 0;
    int ret;

    if (c->zero) {
        *err_off = c->off;
        return write_zero_range(cs, c->off, c->len);
    }
    if (cs->compress) {
        /* Hand the clusters to the pool; it recycles the buffer. */
        g_atomic_int_set(&c->pending, DIV_ROUND_UP(c->len, cs->cluster_size));
        for (pos = 0; pos < c->len; pos += cs->cluster_size) {
            CompTask *t = g_new(CompTask, 1);
            t->cs = cs;
            t->c = c;
            t->pos = pos;
            g_thread_pool_push(cs->comp_pool, t, NULL);
        }
        return 1;
    }
    if (!cs->sparse) {
        *err_off = c->off;
        return bdrv_pwrite(cs->out, c->off, c->len, c->buf);
    }
    while (pos < c->len) {
        int64_t n = MIN(cs->sparse, c->len - pos);
        bool zero = buffer_is_zero(c->buf + pos, n);
        int64_t run = n;

        /* Extend the run while the blocks stay of the same kind. */
        while (pos + run < c->len) {
            int64_t m = MIN(cs->sparse, c->len - pos - run);
            if (buffer_is_zero(c->buf + pos + run, m) != zero) {
                break;
            }
            run += m;
        }
        *err_off = c->off + pos;
        ret = zero ? write_zero_range(cs, c->off + pos, run)
                   : bdrv_pwrite(cs->out, c->off + pos, run, c->buf + pos);
        if (ret < 0) {
            return ret;
        }
        pos += run;
    }
    return 0;
}

/* Read-ahead depth (chunks); -c keeps every compression thread fed. */
#define CONVERT_MAX_CHUNKS 20

static int convert_copy(ConvertState *cs)
{
    Chunk chunks[CONVERT_MAX_CHUNKS];
    unsigned nchunks = cs->compress ? MIN(cs->comp_threads + 4,
                                          CONVERT_MAX_CHUNKS) : 4;
    GThread *th;
    int64_t done = 0;
    int ret = 0;

    if (cs->compress) {
        cs->comp_pool = g_thread_pool_new(comp_worker, NULL,
                                          cs->comp_threads, false, NULL);
    }
    cs->free_q = g_async_queue_new();
    cs->full_q = g_async_queue_new();
    for (unsigned i = 0; i < nchunks; i++) {
        chunks[i].buf = g_malloc(cs->chunk);
        g_async_queue_push(cs->free_q, &chunks[i]);
    }
    th = g_thread_new("convert-reader", reader_thread, cs);
    img_progress(cs->progress, 0);
    while (done < cs->src->total) {
        Chunk *c = g_async_queue_pop(cs->full_q);
        int64_t err_off = c->off;

        if (c->ret < 0) {
            error_report("error while reading at byte %" PRId64 ": %s",
                         c->off, g_strerror(-c->ret));
            ret = c->ret;
            break;
        }
        ret = write_chunk(cs, c, &err_off);
        if (ret < 0) {
            error_report("error while writing at byte %" PRId64 ": %s",
                         err_off, g_strerror(-ret));
            /* Let the reader finish its current chunk, then stop it. */
            break;
        }
        done = c->off + c->len;
        if (ret == 0) {
            g_async_queue_push(cs->free_q, c);
        }
        ret = g_atomic_int_get(&cs->comp_error);
        if (ret < 0) {
            break;
        }
        img_progress(cs->progress,
                     (cs->compress ? g_atomic_pointer_get(&cs->comp_done)
                                   : done) * 100.0 / cs->src->total);
    }
    if (cs->comp_pool) {
        /* Wait for the last clusters. */
        g_thread_pool_free(cs->comp_pool, false, true);
        cs->comp_pool = NULL;
        if (!ret && g_atomic_int_get(&cs->comp_error)) {
            ret = g_atomic_int_get(&cs->comp_error);
        }
        if (ret < 0 && cs->comp_err_off >= 0 &&
            g_atomic_int_get(&cs->comp_error) == ret) {
            error_report("error while writing at byte %" PRId64 ": %s",
                         (int64_t)cs->comp_err_off, g_strerror(-ret));
        }
    }
    if (ret < 0) {
        /* Wake the reader if it waits for a buffer; it sees abort. */
        g_atomic_int_set(&cs->abort, 1);
        g_async_queue_push(cs->free_q, &chunks[0]);
    }
    g_thread_join(th);
    for (unsigned i = 0; i < nchunks; i++) {
        g_free(chunks[i].buf);
    }
    g_async_queue_unref(cs->free_q);
    g_async_queue_unref(cs->full_q);
    if (ret >= 0) {
        img_progress(cs->progress, 100.0);
        if (cs->progress) {
            printf("\n");
        }
    }
    return ret;
}

int img_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "target-is-zero", no_argument, NULL, OPT_TARGET_IS_ZERO },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL, *out_fmt = "raw", *cache = "unsafe";
    const char *src_cache = "writeback", *out_name;
    const char *backing = NULL;
    g_autoptr(GHashTable) opts = bdrv_opts_new();
    bool compress = false, progress = false, quiet = false, skip = false;
    bool force = false, want_help = false, target_is_zero = false;
    int64_t sparse = 4096;
    int64_t parallel = 8;
    ConvertState cs = { 0 };
    Sources src = { 0 };
    BlockDriverState *out = NULL;
    BlockDriver *drv;
    GError *err = NULL;
    int c, ret = 1, nsrc;

    while ((c = getopt_long(argc, argv, ":hf:O:B:CcF:o:l:S:pt:T:qnm:WrU",
                            longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'B': backing = optarg; break;
        case 'c': compress = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'n': skip = true; break;
        case 't': cache = optarg; break;
        case 'T': src_cache = optarg; break;
        case 'U': force = true; break;
        case 'm':
            if (!img_parse_size(optarg, &parallel) || parallel < 1 ||
                parallel > 16) {
                error_report("Invalid number of coroutines. Allowed number "
                             "of coroutines is between 1 and 16");
                return 1;
            }
            break;
        case 'W': case 'F': case 'C': case 'r':
            break;      /* ordering/offload knobs: accepted, no effect */
        case OPT_TARGET_IS_ZERO: target_is_zero = true; break;
        case 'l':
            error_report("Internal snapshots as conversion source are not "
                         "supported");
            return 1;
        case 'S':
            if (!img_parse_size(optarg, &sparse) ||
                (sparse && sparse % 512)) {
                error_report("Invalid buffer size for sparse output "
                             "specified. Valid sizes are multiples of 512.");
                return 1;
            }
            break;
        case 'o':
            if (!img_parse_o(opts, optarg, &want_help, &err)) {
                error_exit(err);
            }
            break;
        case 'h':
            img_print_cmd_help(stdout, "convert");
            return 0;
        case ':':
            error_report("option '%s' needs an argument", argv[optind - 1]);
            return 1;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (quiet) {
        progress = false;
    }
    drv = bdrv_find_format(out_fmt);
    if (!drv) {
        error_report("Unknown file format '%s'", out_fmt);
        return 1;
    }
    if (want_help) {
        img_print_create_opts(out_fmt);
        return 0;
    }
    if (backing) {
        error_report("-B (a backing file for the target) is not supported; "
                     "convert, then rebase -u");
        return 1;
    }
    nsrc = argc - optind - 1;
    if (nsrc < 1) {
        error_report("Must specify image file name");
        return 1;
    }
    out_name = argv[argc - 1];
    src.n = nsrc;
    src.bs = g_new0(BlockDriverState *, nsrc);
    src.len = g_new0(int64_t, nsrc);
    for (int i = 0; i < nsrc; i++) {
        src.bs[i] = img_open(argv[optind + i], fmt,
                             force ? BDRV_O_FORCE_SHARE : 0, src_cache, true,
                             &err);
        if (!src.bs[i]) {
            error_report_err(err);
            goto out;
        }
        src.len[i] = bdrv_getlength(src.bs[i]);
        src.total += src.len[i];
    }

    if (!skip) {
        g_autofree char *size = g_strdup_printf("%" PRId64,
                                                ROUND_UP(src.total, 512));
        bdrv_opts_set(opts, "size", size);
        if (compress && !bdrv_format_supports_compression(drv)) {
            error_report("Compression not supported for this file format");
            goto out;
        }
        if (!bdrv_create(drv, out_name, g_steal_pointer(&opts), &err)) {
            error_report("%s: %s", out_name, err->message);
            g_error_free(err);
            goto out;
        }
    } else if (g_hash_table_size(opts)) {
        error_report("-o has no effect when skipping image creation");
        goto out;
    }
    out = img_open(out_name, out_fmt, BDRV_O_RDWR | BDRV_O_NO_BACKING, cache,
                   true, &err);
    if (!out) {
        error_report_err(err);
        goto out;
    }
    if (compress && !bdrv_supports_compressed_writes(out)) {
        error_report("Compression not supported for this file format");
        goto out;
    }
    if (skip && bdrv_getlength(out) < src.total) {
        error_report("Target image is too small (%" PRId64 " bytes, need %"
                     PRId64 ")", bdrv_getlength(out), src.total);
        goto out;
    }
    cs.src = &src;
    cs.out = out;
    cs.sparse = sparse;
    cs.compress = compress;
    cs.progress = progress;
    cs.target_zero = !skip || target_is_zero;
    cs.chunk = CONVERT_COPY_CHUNK;
    /*
     * More compressing threads than CPUs only queue up (and on a busy
     * host get less CPU in total): -m caps the count, the CPUs bound it.
     */
    cs.comp_threads = MIN(parallel, MAX(1, (int)g_get_num_processors()));
    if (compress) {
        BlockDriverInfo bdi;
        if (bdrv_get_info(out, &bdi) < 0 || !bdi.cluster_size) {
            error_report("could not get block driver info");
            goto out;
        }
        cs.cluster_size = bdi.cluster_size;
        cs.chunk = MAX(cs.chunk, bdi.cluster_size);
    }
    if (convert_copy(&cs) < 0) {
        goto out;
    }
    if (bdrv_flush(out) < 0) {
        error_report("Could not flush the target image");
        goto out;
    }
    ret = 0;
out:
    if (out) {
        bdrv_unref(out);
    }
    for (int i = 0; i < nsrc; i++) {
        if (src.bs[i]) {
            bdrv_unref(src.bs[i]);
        }
    }
    g_free(src.bs);
    g_free(src.len);
    return ret;
}

/* ---- compare ------------------------------------------------------------------ */

/* First byte offset (512-aligned) where a and b differ, or -1. */
static int64_t first_diff(const uint8_t *a, const uint8_t *b, int64_t n)
{
    for (int64_t i = 0; i < n; i += 512) {
        int64_t m = MIN(512, n - i);
        if (memcmp(a + i, b + i, m)) {
            return i;
        }
    }
    return -1;
}

/* Is [off, end) of bs all zeroes? *where gets the first non-zero. */
static int check_zero_tail(BlockDriverState *bs, int64_t off, int64_t end,
                           uint8_t *buf, int64_t *where)
{
    while (off < end) {
        int64_t n;
        int ret = bdrv_block_status_above(bs, NULL, off,
                                          MIN(end - off, CONVERT_CHUNK), &n,
                                          NULL, NULL, NULL);
        if (ret < 0) {
            return ret;
        }
        if (!(ret & BDRV_BLOCK_ZERO) || (ret & BDRV_BLOCK_DATA)) {
            ret = bdrv_pread(bs, off, n, buf);
            if (ret < 0) {
                return ret;
            }
            for (int64_t i = 0; i < n; i += 512) {
                if (!buffer_is_zero(buf + i, MIN(512, n - i))) {
                    *where = off + i;
                    return 1;
                }
            }
        }
        off += n;
    }
    return 0;
}

int img_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt1 = NULL, *fmt2 = NULL, *cache = "writeback";
    bool strict = false, quiet = false, progress = false, force = false;
    BlockDriverState *a = NULL, *b = NULL;
    g_autofree uint8_t *ba = g_malloc(CONVERT_CHUNK);
    g_autofree uint8_t *bb = g_malloc(CONVERT_CHUNK);
    int64_t la, lb, common, off, where;
    GError *err = NULL;
    int c, ret = 2;

    while ((c = getopt_long(argc, argv, ":hf:F:T:pqsU", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 'T': cache = optarg; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 's': strict = true; break;
        case 'U': force = true; break;
        case 'h':
            img_print_cmd_help(stdout, "compare");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 2;
        }
    }
    if (quiet) {
        progress = false;
    }
    if (optind + 2 != argc) {
        error_report("Expecting two image file names");
        return 2;
    }
    a = img_open(argv[optind], fmt1, force ? BDRV_O_FORCE_SHARE : 0, cache,
                 true, &err);
    if (a) {
        b = img_open(argv[optind + 1], fmt2, force ? BDRV_O_FORCE_SHARE : 0,
                     cache, true, &err);
    }
    if (!a || !b) {
        error_report_err(err);
        goto out;
    }
    la = bdrv_getlength(a);
    lb = bdrv_getlength(b);
    if (strict && la != lb) {
        if (!quiet) {
            printf("Strict mode: Image size mismatch!\n");
        }
        ret = 1;
        goto out;
    }
    common = MIN(la, lb);
    img_progress(progress, 0);
    for (off = 0; off < common; ) {
        int64_t na, nb, n, d;
        int sa, sb;
        bool za, zb;

        sa = bdrv_block_status_above(a, NULL, off,
                                     MIN(common - off, CONVERT_CHUNK), &na,
                                     NULL, NULL, NULL);
        sb = bdrv_block_status_above(b, NULL, off,
                                     MIN(common - off, CONVERT_CHUNK), &nb,
                                     NULL, NULL, NULL);
        if (sa < 0 || sb < 0) {
            error_report("error while reading image metadata at offset %"
                         PRId64 ": %s", off, g_strerror(-(sa < 0 ? sa : sb)));
            goto out;
        }
        n = MIN(na, nb);
        za = (sa & BDRV_BLOCK_ZERO) && !(sa & BDRV_BLOCK_DATA);
        zb = (sb & BDRV_BLOCK_ZERO) && !(sb & BDRV_BLOCK_DATA);
        if (strict && (sa & BDRV_BLOCK_ALLOCATED) !=
            (sb & BDRV_BLOCK_ALLOCATED)) {
            if (!quiet) {
                printf("Strict mode: Offset %" PRId64 " block status "
                       "mismatch!\n", off);
            }
            ret = 1;
            goto out;
        }
        if (!(za && zb)) {
            if (bdrv_pread(a, off, n, ba) < 0 ||
                bdrv_pread(b, off, n, bb) < 0) {
                error_report("error while reading offset %" PRId64, off);
                goto out;
            }
            d = first_diff(ba, bb, n);
            if (d >= 0) {
                if (!quiet) {
                    printf("Content mismatch at offset %" PRId64 "!\n",
                           off + d);
                }
                ret = 1;
                goto out;
            }
        }
        off += n;
        img_progress(progress, off * 100.0 / MAX(la, lb));
    }
    if (la != lb) {
        int r = check_zero_tail(la > lb ? a : b, common, MAX(la, lb), ba,
                                &where);
        if (r < 0) {
            error_report("error while reading offset %" PRId64, common);
            goto out;
        }
        if (r > 0) {
            if (!quiet) {
                printf("Content mismatch at offset %" PRId64 "!\n", where);
            }
            ret = 1;
            goto out;
        }
    }
    img_progress(progress, 100);
    if (progress) {
        printf("\n");
    }
    if (!quiet) {
        printf("Images are identical.\n");
    }
    ret = 0;
out:
    if (a) {
        bdrv_unref(a);
    }
    if (b) {
        bdrv_unref(b);
    }
    return ret;
}

/* ---- commit ------------------------------------------------------------------- */

static bool same_file(const char *x, const char *y)
{
    g_autofree char *rx = realpath(x, NULL);
    g_autofree char *ry = realpath(y, NULL);

    return rx && ry && !strcmp(rx, ry);
}

int img_commit(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL, *cache = "writeback", *base_name = NULL;
    bool quiet = false, progress = false, drop = false;
    BlockDriverState *top = NULL, *chain = NULL, *base = NULL, *target;
    g_autofree uint8_t *buf = g_malloc(CONVERT_CHUNK);
    g_autofree char *chain_path = NULL;
    int64_t len, off;
    GError *err = NULL;
    int c, ret = 1;

    while ((c = getopt_long(argc, argv, ":f:ht:b:dpqr:", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't': cache = optarg; break;
        case 'b': base_name = optarg; drop = true; break;
        case 'd': drop = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'r': break;
        case 'h':
            img_print_cmd_help(stdout, "commit");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (quiet) {
        progress = false;
    }
    if (optind + 1 != argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    top = img_open(argv[optind], fmt,
                   (drop ? 0 : BDRV_O_RDWR) | BDRV_O_NO_BACKING, cache, quiet,
                   &err);
    if (!top) {
        error_exit(err);
    }
    if (!bdrv_backing_file(top)) {
        error_report("Image does not have a backing file");
        goto out;
    }
    /* The chain below, read-only and sharing writes with ourselves. */
    chain_path = bdrv_full_backing_filename(top);
    chain = img_open(chain_path, bdrv_backing_format(top), BDRV_O_FORCE_SHARE,
                     NULL, true, &err);
    if (!chain) {
        error_report("Could not open backing file: %s", err->message);
        g_error_free(err);
        goto out;
    }
    bdrv_set_backing(top, chain);
    target = chain;
    if (base_name) {
        while (target && !same_file(bdrv_get_filename(target), base_name)) {
            target = bdrv_get_backing(target);
        }
        if (!target) {
            error_report("'%s' is not in the backing chain of '%s'",
                         base_name, argv[optind]);
            goto out;
        }
    }
    base = img_open(bdrv_get_filename(target), bdrv_get_format_name(target),
                    BDRV_O_RDWR | BDRV_O_NO_BACKING, cache, true, &err);
    if (!base) {
        error_exit(err);
    }
    len = bdrv_getlength(top);
    if (bdrv_getlength(base) < len &&
        bdrv_truncate(base, len, false, PREALLOC_MODE_OFF, &err) < 0) {
        error_report("Could not resize the base image: %s", err->message);
        g_error_free(err);
        goto out;
    }
    img_progress(progress, 0);
    for (off = 0; off < len; ) {
        int64_t n;
        int st = bdrv_block_status_above(top, bdrv_get_backing(target), off,
                                         MIN(len - off, CONVERT_CHUNK), &n,
                                         NULL, NULL, NULL);
        if (st < 0) {
            error_report("Could not read the image metadata: %s",
                         g_strerror(-st));
            goto out;
        }
        /* Decided above the base (by top or an intermediate layer)? */
        if (st & BDRV_BLOCK_ALLOCATED) {
            int r;
            if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA)) {
                r = bdrv_pwrite_zeroes(base, off, n, BDRV_REQ_MAY_UNMAP);
            } else {
                r = bdrv_pread(top, off, n, buf);
                if (r >= 0) {
                    r = bdrv_pwrite(base, off, n, buf);
                }
            }
            if (r < 0) {
                error_report("Block job failed: %s", g_strerror(-r));
                goto out;
            }
        }
        off += n;
        img_progress(progress, off * 100.0 / len);
    }
    if (bdrv_flush(base) < 0) {
        error_report("Could not flush the base image");
        goto out;
    }
    if (!drop) {
        int r = bdrv_make_empty(top);
        if (r < 0 && r != -ENOTSUP) {
            error_report("Could not empty %s: %s", argv[optind],
                         g_strerror(-r));
            goto out;
        }
    }
    if (progress) {
        img_progress(progress, 100);
        printf("\n");
    }
    if (!quiet) {
        printf("Image committed.\n");
    }
    ret = 0;
out:
    if (base) {
        bdrv_unref(base);
    }
    if (top) {
        bdrv_unref(top);
    }
    if (chain) {
        bdrv_unref(chain);
    }
    return ret;
}

/* ---- rebase ----------------------------------------------------------------- */

int img_rebase(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL, *cache = "writeback", *src_cache = "writeback";
    const char *new_name = NULL, *new_fmt = NULL, *filename;
    bool unsafe = false, quiet = false, progress = false, force = false;
    BlockDriverState *bs = NULL, *nb = NULL;
    g_autofree uint8_t *oldbuf = g_malloc(CONVERT_CHUNK);
    g_autofree uint8_t *newbuf = g_malloc(CONVERT_CHUNK);
    g_autofree char *new_fmt_probed = NULL;
    GError *err = NULL;
    int c, ret = 1;

    while ((c = getopt_long(argc, argv, ":hf:F:b:upt:T:qU", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'F': new_fmt = optarg; break;
        case 'b': new_name = optarg; break;
        case 'u': unsafe = true; break;
        case 'p': progress = true; break;
        case 't': cache = optarg; break;
        case 'T': src_cache = optarg; break;
        case 'q': quiet = true; break;
        case 'U': force = true; break;
        case 'h':
            img_print_cmd_help(stdout, "rebase");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (quiet) {
        progress = false;
    }
    if (optind + 1 != argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    if (!new_name) {
        error_report("Must specify backing file (-b) or use '-b \"\"' to "
                     "remove it");
        return 1;
    }
    filename = argv[optind];
    (void)src_cache;
    (void)force;
    bs = img_open(filename, fmt,
                  BDRV_O_RDWR | (unsafe ? BDRV_O_NO_BACKING : 0), cache,
                  quiet, &err);
    if (!bs) {
        error_exit(err);
    }
    if (*new_name) {
        g_autofree char *path = bdrv_resolve_backing_name(filename, new_name);
        nb = img_open(path, new_fmt, BDRV_O_FORCE_SHARE, NULL, true, &err);
        if (!nb && !unsafe) {
            error_report("Could not open new backing file '%s': %s", path,
                         err->message);
            g_error_free(err);
            goto out;
        }
        g_clear_error(&err);
        if (nb && !new_fmt) {
            new_fmt_probed = g_strdup(bdrv_get_format_name(nb));
            new_fmt = new_fmt_probed;
        }
    }
    if (!unsafe) {
        int64_t len = bdrv_getlength(bs);
        int64_t nlen = nb ? bdrv_getlength(nb) : 0;
        int64_t off;

        img_progress(progress, 0);
        for (off = 0; off < len; ) {
            int64_t n;
            int st = bdrv_block_status(bs, off, MIN(len - off, CONVERT_CHUNK),
                                       &n, NULL, NULL);
            if (st < 0) {
                error_report("error while reading image metadata: %s",
                             g_strerror(-st));
                goto out;
            }
            if (!(st & BDRV_BLOCK_ALLOCATED)) {
                /* Reads went to the old backing file: keep them so. */
                int r = bdrv_pread(bs, off, n, oldbuf);
                if (r >= 0) {
                    memset(newbuf, 0, n);
                    if (nb && off < nlen) {
                        r = bdrv_pread(nb, off, MIN(n, nlen - off), newbuf);
                    }
                }
                if (r >= 0 && memcmp(oldbuf, newbuf, n)) {
                    r = bdrv_pwrite(bs, off, n, oldbuf);
                }
                if (r < 0) {
                    error_report("error while rebasing at offset %" PRId64
                                 ": %s", off, g_strerror(-r));
                    goto out;
                }
            }
            off += n;
            img_progress(progress, off * 100.0 / len);
        }
        if (progress) {
            img_progress(progress, 100);
            printf("\n");
        }
    }
    if (bdrv_change_backing_file(bs, *new_name ? new_name : NULL,
                                 *new_name ? new_fmt : NULL, &err) < 0) {
        error_report("Could not change the backing file to '%s': %s",
                     new_name, err->message);
        g_error_free(err);
        goto out;
    }
    if (bdrv_flush(bs) < 0) {
        error_report("Could not flush the image");
        goto out;
    }
    ret = 0;
out:
    if (nb) {
        bdrv_unref(nb);
    }
    if (bs) {
        bdrv_unref(bs);
    }
    return ret;
}
