/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block layer core: the driver table, option dictionaries, format
 * probing, opening a node with its file and backing children, and the
 * checked entry points that every I/O goes through.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/block_int.h"
#include <sys/stat.h>

/*
 * The drivers. A plain table instead of constructors: libblock is a
 * static library linked normally into ember-img, where an unreferenced
 * constructor would be dropped by the linker.
 */
static BlockDriver *const block_drivers[] = {
    &bdrv_qcow2, &bdrv_raw, &bdrv_file,
};

static const char *const format_names[] = { "file", "qcow2", "raw", NULL };

/* Node names of -blockdev nodes: name -> BlockDriverState (unowned). */
static GHashTable *named_nodes;
static GMutex named_nodes_lock;

/* Deepest backing chain we follow; deeper is a loop or an attack. */
#define BDRV_MAX_CHAIN_DEPTH 256

BlockDriver *bdrv_find_format(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(block_drivers); i++) {
        if (!strcmp(block_drivers[i]->format_name, name)) {
            return block_drivers[i];
        }
    }
    return NULL;
}

const char *const *bdrv_format_names(void)
{
    return format_names;
}

const BlockCreateOpt *bdrv_create_opts(BlockDriver *drv)
{
    return drv->create_opts;
}

bool prealloc_mode_parse(const char *s, PreallocMode *out)
{
    static const char *const names[] = { "off", "metadata", "falloc",
                                         "full" };
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *prealloc_mode_name(PreallocMode m)
{
    static const char *const names[] = { "off", "metadata", "falloc",
                                         "full" };
    return names[m];
}

bool bdrv_parse_cache_mode(const char *mode, BlockCacheMode *out)
{
    memset(out, 0, sizeof(*out));
    if (!strcmp(mode, "writeback")) {
        /* the default: host page cache, guest flushes honoured */
    } else if (!strcmp(mode, "none") || !strcmp(mode, "off")) {
        out->direct = true;
    } else if (!strcmp(mode, "directsync")) {
        out->direct = true;
        out->writethrough = true;
    } else if (!strcmp(mode, "writethrough")) {
        out->writethrough = true;
    } else if (!strcmp(mode, "unsafe")) {
        out->no_flush = true;
    } else {
        return false;
    }
    return true;
}

static bool quiet;

void bdrv_set_quiet(bool q)
{
    quiet = q;
}

bool bdrv_is_quiet(void)
{
    return quiet;
}

char *size_to_str(uint64_t val)
{
    static const char *const suffixes[] = {
        "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
    };
    unsigned i = 0;
    double d = val;

    /* The largest unit that keeps the number below 1000, as QEMU prints. */
    while (i + 1 < ARRAY_SIZE(suffixes) && d >= 1000.0) {
        d /= 1024.0;
        i++;
    }
    return g_strdup_printf("%0.3g %s", d, suffixes[i]);
}

/* ---- option dictionaries ---------------------------------------------- */

GHashTable *bdrv_opts_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void bdrv_opts_set(GHashTable *o, const char *key, const char *value)
{
    g_hash_table_replace(o, g_strdup(key), g_strdup(value));
}

char *bdrv_opts_take(GHashTable *o, const char *key)
{
    gpointer k, v;

    if (!o || !g_hash_table_steal_extended(o, key, &k, &v)) {
        return NULL;
    }
    g_free(k);
    return v;
}

bool bdrv_opts_take_bool(GHashTable *o, const char *key, bool def,
                         bool *out, GError **errp)
{
    g_autofree char *v = bdrv_opts_take(o, key);

    *out = def;
    if (v && !parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

bool bdrv_opts_take_size(GHashTable *o, const char *key, uint64_t def,
                         uint64_t *out, GError **errp)
{
    g_autofree char *v = bdrv_opts_take(o, key);

    *out = def;
    if (v && !parse_size(v, 'B', out)) {
        error_setg(errp, "Parameter '%s' expects a size", key);
        return false;
    }
    return true;
}

GHashTable *bdrv_opts_extract(GHashTable *o, const char *prefix)
{
    GHashTable *n = bdrv_opts_new();
    size_t plen = strlen(prefix);
    GHashTableIter it;
    gpointer k, v;

    if (!o) {
        return n;
    }
    g_hash_table_iter_init(&it, o);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (!strncmp(k, prefix, plen)) {
            bdrv_opts_set(n, (char *)k + plen, v);
            g_hash_table_iter_remove(&it);
        }
    }
    return n;
}

bool bdrv_opts_check_empty(GHashTable *o, const char *drvname,
                           GError **errp)
{
    g_autoptr(GList) keys = NULL;

    if (!o || !g_hash_table_size(o)) {
        return true;
    }
    keys = g_list_sort(g_hash_table_get_keys(o), (GCompareFunc)strcmp);
    error_setg(errp, "Block format '%s' does not support the option '%s'",
               drvname, (char *)keys->data);
    return false;
}

/* ---- probing ------------------------------------------------------------ */

/*
 * Formats Ember does not read, recognised by their magic so that such an
 * image is refused instead of being handed to a guest as raw bytes.
 */
static const char *probe_foreign(const uint8_t *buf, size_t len)
{
    if (len >= 8 && !memcmp(buf, "QFI\xfb", 4) && ldl_be_p(buf + 4) == 1) {
        return "qcow";
    }
    if (len >= 4 && !memcmp(buf, "QED\0", 4)) {
        return "qed";
    }
    if (len >= 4 && (!memcmp(buf, "KDMV", 4) || !memcmp(buf, "COWD", 4))) {
        return "vmdk";
    }
    if (len >= 8 && !memcmp(buf, "vhdxfile", 8)) {
        return "vhdx";
    }
    if (len >= 8 && !memcmp(buf, "conectix", 8)) {
        return "vpc";
    }
    if (len >= 6 && !memcmp(buf, "LUKS\xba\xbe", 6)) {
        return "luks";
    }
    if (len >= 0x44 && ldl_le_p(buf + 0x40) == 0xbeda107f) {
        return "vdi";
    }
    return NULL;
}

const char *bdrv_probe_format(const uint8_t *buf, size_t len,
                              const char *filename)
{
    const char *best = NULL;
    int best_score = 0;
    const char *foreign;

    for (unsigned i = 0; i < ARRAY_SIZE(block_drivers); i++) {
        BlockDriver *d = block_drivers[i];
        int score;
        if (!d->probe || d->is_protocol) {
            continue;
        }
        score = d->probe(buf, len, filename);
        if (score > best_score) {
            best_score = score;
            best = d->format_name;
        }
    }
    if (best && strcmp(best, "raw")) {
        return best;
    }
    foreign = probe_foreign(buf, len);
    return foreign ? foreign : best;
}

/* ---- open / close ---------------------------------------------------------- */

static BlockDriverState *bdrv_new(const BlockDriver *drv, int flags)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);

    bs->drv = drv;
    bs->opaque = drv->instance_size ? g_malloc0(drv->instance_size) : NULL;
    bs->open_flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    bs->refcnt = 1;
    bs->request_alignment = 1;
    return bs;
}

static void bdrv_free(BlockDriverState *bs)
{
    if (bs->node_name) {
        g_mutex_lock(&named_nodes_lock);
        if (named_nodes &&
            g_hash_table_lookup(named_nodes, bs->node_name) == bs) {
            g_hash_table_remove(named_nodes, bs->node_name);
        }
        g_mutex_unlock(&named_nodes_lock);
    }
    g_free(bs->opaque);
    g_free(bs->filename);
    g_free(bs->node_name);
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    g_free(bs);
}

static bool bdrv_set_node_name(BlockDriverState *bs, const char *name,
                               GError **errp)
{
    if (!name) {
        return true;
    }
    if (!*name || !g_ascii_isalpha(name[0]) || strlen(name) > 31) {
        error_setg(errp, "Invalid node-name: '%s'", name);
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            error_setg(errp, "Invalid node-name: '%s'", name);
            return false;
        }
    }
    g_mutex_lock(&named_nodes_lock);
    if (!named_nodes) {
        named_nodes = g_hash_table_new_full(g_str_hash, g_str_equal,
                                            g_free, NULL);
    }
    if (g_hash_table_contains(named_nodes, name)) {
        g_mutex_unlock(&named_nodes_lock);
        error_setg(errp, "Duplicate nodes with node-name='%s'", name);
        return false;
    }
    g_hash_table_insert(named_nodes, g_strdup(name), bs);
    g_mutex_unlock(&named_nodes_lock);
    bs->node_name = g_strdup(name);
    return true;
}

BlockDriverState *bdrv_find_node(const char *node_name)
{
    BlockDriverState *bs = NULL;

    g_mutex_lock(&named_nodes_lock);
    if (named_nodes) {
        bs = g_hash_table_lookup(named_nodes, node_name);
    }
    g_mutex_unlock(&named_nodes_lock);
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    g_atomic_int_inc(&bs->refcnt);
}

void bdrv_unref(BlockDriverState *bs)
{
    if (!bs || !g_atomic_int_dec_and_test(&bs->refcnt)) {
        return;
    }
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    if (bs->backing) {
        bdrv_unref(bs->backing);
    }
    if (bs->file) {
        bdrv_unref(bs->file);
    }
    bdrv_free(bs);
}

BlockDriverState *bdrv_open_file(const char *filename, GHashTable *options,
                                 int flags, GError **errp)
{
    BlockDriverState *bs = bdrv_new(&bdrv_file, flags);
    g_autoptr(GHashTable) opts = options ? options : bdrv_opts_new();

    bs->filename = g_strdup(filename);
    if (bdrv_file.open(bs, filename, opts, flags, errp) < 0) {
        bdrv_free(bs);
        return NULL;
    }
    if (!bdrv_opts_check_empty(opts, "file", errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    return bs;
}

char *bdrv_resolve_backing_name(const char *image, const char *backing)
{
    g_autofree char *dir = NULL;

    if (g_path_is_absolute(backing) || !image) {
        return g_strdup(backing);
    }
    dir = g_path_get_dirname(image);
    if (!strcmp(dir, ".")) {
        return g_strdup(backing);
    }
    return g_build_filename(dir, backing, NULL);
}

/* The generic options every node understands, turned into flags. */
static bool take_generic_opts(GHashTable *o, int *flags, GError **errp)
{
    g_autofree char *discard = NULL;
    g_autofree char *dz = NULL;
    bool b;

    if (!bdrv_opts_take_bool(o, "read-only", !(*flags & BDRV_O_RDWR), &b,
                             errp)) {
        return false;
    }
    *flags = b ? *flags & ~BDRV_O_RDWR : *flags | BDRV_O_RDWR;
    if (!bdrv_opts_take_bool(o, "cache.direct", *flags & BDRV_O_NOCACHE, &b,
                             errp)) {
        return false;
    }
    *flags = b ? *flags | BDRV_O_NOCACHE : *flags & ~BDRV_O_NOCACHE;
    if (!bdrv_opts_take_bool(o, "cache.no-flush", *flags & BDRV_O_NO_FLUSH,
                             &b, errp)) {
        return false;
    }
    *flags = b ? *flags | BDRV_O_NO_FLUSH : *flags & ~BDRV_O_NO_FLUSH;
    if (!bdrv_opts_take_bool(o, "force-share", *flags & BDRV_O_FORCE_SHARE,
                             &b, errp)) {
        return false;
    }
    *flags = b ? *flags | BDRV_O_FORCE_SHARE : *flags & ~BDRV_O_FORCE_SHARE;
    if (!bdrv_opts_take_bool(o, "auto-read-only", false, &b, errp)) {
        return false;
    }
    discard = bdrv_opts_take(o, "discard");
    if (discard) {
        if (!strcmp(discard, "unmap") || !strcmp(discard, "on")) {
            *flags |= BDRV_O_UNMAP;
        } else if (!strcmp(discard, "ignore") || !strcmp(discard, "off")) {
            *flags &= ~BDRV_O_UNMAP;
        } else {
            error_setg(errp, "Invalid discard option '%s' (use ignore or "
                       "unmap)", discard);
            return false;
        }
    }
    dz = bdrv_opts_take(o, "detect-zeroes");
    if (dz && strcmp(dz, "off")) {
        error_setg(errp, "detect-zeroes=%s is not supported", dz);
        return false;
    }
    return true;
}

static void opts_copy_one(gpointer key, gpointer value, gpointer opaque)
{
    bdrv_opts_set(opaque, key, value);
}

typedef struct ChainId {
    dev_t dev;
    ino_t ino;
} ChainId;

static BlockDriverState *bdrv_open_chain(const char *filename,
                                         GHashTable *options, int flags,
                                         GArray *chain, GError **errp);

static bool bdrv_open_backing(BlockDriverState *bs, GArray *chain,
                              GError **errp)
{
    g_autofree char *path = NULL;
    GHashTable *o;
    GError *err = NULL;
    int flags;

    if (chain->len >= BDRV_MAX_CHAIN_DEPTH) {
        error_setg(errp, "Backing chain is deeper than %d images (is there "
                   "a loop?)", BDRV_MAX_CHAIN_DEPTH);
        return false;
    }
    path = bdrv_full_backing_filename(bs);
    o = bdrv_opts_new();
    if (bs->backing_format) {
        bdrv_opts_set(o, "driver", bs->backing_format);
    }
    /* The backing chain is read-only; it inherits the cache mode. */
    flags = bs->open_flags & (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH |
                              BDRV_O_FORCE_SHARE | BDRV_O_NO_LOCK);
    bs->backing = bdrv_open_chain(path, o, flags, chain, &err);
    if (!bs->backing) {
        error_propagate(errp, err);
        error_prepend(errp, "Could not open backing file: ");
        return false;
    }
    return true;
}

static bool chain_add(GArray *chain, BlockDriverState *file, GError **errp)
{
    struct stat st;

    if (bdrv_file_fstat(file, &st) < 0) {
        return true;
    }
    for (unsigned i = 0; i < chain->len; i++) {
        ChainId *c = &g_array_index(chain, ChainId, i);
        if (c->dev == st.st_dev && c->ino == st.st_ino) {
            error_setg(errp, "Backing chain loop: '%s' is its own backing "
                       "file", file->filename);
            return false;
        }
    }
    g_array_append_val(chain, ((ChainId){ st.st_dev, st.st_ino }));
    return true;
}

static BlockDriverState *bdrv_open_chain(const char *filename,
                                         GHashTable *options, int flags,
                                         GArray *chain, GError **errp)
{
    g_autoptr(GHashTable) opts = options ? options : bdrv_opts_new();
    g_autoptr(GHashTable) file_opts = NULL;
    g_autofree char *driver = NULL;
    g_autofree char *node_name = NULL;
    g_autofree char *backing = NULL;
    g_autofree char *file_ref = NULL;
    g_autofree char *fname = NULL;
    BlockDriverState *file = NULL, *bs;
    BlockDriver *drv;
    bool probed = false;

    if (!take_generic_opts(opts, &flags, errp)) {
        return NULL;
    }
    driver = bdrv_opts_take(opts, "driver");
    node_name = bdrv_opts_take(opts, "node-name");
    backing = bdrv_opts_take(opts, "backing");
    file_ref = bdrv_opts_take(opts, "file");
    file_opts = bdrv_opts_extract(opts, "file.");
    if (backing && (!strcmp(backing, "null") || !*backing)) {
        flags |= BDRV_O_NO_BACKING;
        g_clear_pointer(&backing, g_free);
    }

    /* A bare protocol node: driver=file,filename=... */
    if (driver && !strcmp(driver, "file")) {
        g_autofree char *f = bdrv_opts_take(opts, "filename");
        if (!f && !filename) {
            error_setg(errp, "The 'file' block driver requires a file name");
            return NULL;
        }
        /* Protocol options may come with or without the "file." prefix. */
        g_hash_table_foreach(file_opts, opts_copy_one, opts);
        bs = bdrv_open_file(f ? f : filename, g_steal_pointer(&opts), flags,
                            errp);
        if (bs && !bdrv_set_node_name(bs, node_name, errp)) {
            bdrv_unref(bs);
            return NULL;
        }
        return bs;
    }

    if (file_ref) {
        file = bdrv_find_node(file_ref);
        if (!file) {
            error_setg(errp, "Cannot find device='' nor node-name='%s'",
                       file_ref);
            return NULL;
        }
        if (g_hash_table_size(file_opts)) {
            error_setg(errp, "Cannot reference an existing block device "
                       "with additional options");
            return NULL;
        }
        if ((flags & BDRV_O_RDWR) && file->read_only) {
            error_setg(errp, "Node '%s' is read-only", file_ref);
            return NULL;
        }
        bdrv_ref(file);
        fname = g_strdup(file->filename);
    } else {
        char *f = bdrv_opts_take(file_opts, "filename");
        g_autofree char *fdrv = bdrv_opts_take(file_opts, "driver");
        fname = f ? f : g_strdup(filename);
        if (!fname) {
            error_setg(errp, "A block device needs a file name "
                       "(file=... or file.filename=...)");
            return NULL;
        }
        if (fdrv && strcmp(fdrv, "file")) {
            error_setg(errp, "Unknown protocol driver '%s' (only 'file')",
                       fdrv);
            return NULL;
        }
        file = bdrv_open_file(fname, g_steal_pointer(&file_opts), flags,
                              errp);
        if (!file) {
            return NULL;
        }
    }
    if (!chain_add(chain, file, errp)) {
        bdrv_unref(file);
        return NULL;
    }

    if (!driver) {
        uint8_t buf[4096];
        int64_t len = bdrv_getlength(file);
        int ret = bdrv_pread(file, 0, MIN(MAX(len, 0), (int64_t)sizeof(buf)),
                             buf);
        const char *fmt;

        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read image for "
                             "determining its format");
            bdrv_unref(file);
            return NULL;
        }
        if (len < (int64_t)sizeof(buf)) {
            memset(buf + MAX(len, 0), 0, sizeof(buf) - MAX(len, 0));
        }
        fmt = bdrv_probe_format(buf, MIN(MAX(len, 0), (int64_t)sizeof(buf)),
                                fname);
        driver = g_strdup(fmt ? fmt : "raw");
        probed = true;
    }
    drv = bdrv_find_format(driver);
    if (!drv || drv->is_protocol) {
        if (probed) {
            error_setg(errp, "Image is in %s format, which Ember does not "
                       "support", driver);
        } else {
            error_setg(errp, "Unknown driver '%s'", driver);
        }
        bdrv_unref(file);
        return NULL;
    }

    bs = bdrv_new(drv, flags);
    bs->file = file;
    bs->filename = g_strdup(file->filename);
    bs->probed = probed;
    if (drv->open(bs, fname, opts, flags, errp) < 0) {
        bdrv_unref(bs->file);
        bdrv_free(bs);
        return NULL;
    }
    if (!bdrv_opts_check_empty(opts, drv->format_name, errp) ||
        !bdrv_set_node_name(bs, node_name, errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    if (backing) {
        BlockDriverState *b = bdrv_find_node(backing);
        if (!b) {
            error_setg(errp, "Cannot find device='' nor node-name='%s'",
                       backing);
            bdrv_unref(bs);
            return NULL;
        }
        bdrv_ref(b);
        bs->backing = b;
    } else if (bs->backing_file && !(flags & BDRV_O_NO_BACKING)) {
        if (!bdrv_open_backing(bs, chain, errp)) {
            bdrv_unref(bs);
            return NULL;
        }
    }
    return bs;
}

BlockDriverState *bdrv_open(const char *filename, GHashTable *options,
                            int flags, GError **errp)
{
    g_autoptr(GArray) chain = g_array_new(false, false, sizeof(ChainId));

    return bdrv_open_chain(filename, options, flags, chain, errp);
}

const char *bdrv_get_format_name(BlockDriverState *bs)
{
    return bs->drv->format_name;
}

const char *bdrv_get_filename(BlockDriverState *bs)
{
    return bs->filename;
}

const char *bdrv_get_node_name(BlockDriverState *bs)
{
    return bs->node_name;
}

bool bdrv_is_read_only(BlockDriverState *bs)
{
    return bs->read_only;
}

int bdrv_get_flags(BlockDriverState *bs)
{
    return bs->open_flags;
}

BlockDriverState *bdrv_get_backing(BlockDriverState *bs)
{
    return bs->backing;
}

BlockDriverState *bdrv_get_file(BlockDriverState *bs)
{
    return bs->file;
}

const char *bdrv_backing_file(BlockDriverState *bs)
{
    return bs->backing_file;
}

const char *bdrv_backing_format(BlockDriverState *bs)
{
    return bs->backing_format;
}

char *bdrv_full_backing_filename(BlockDriverState *bs)
{
    if (!bs->backing_file) {
        return NULL;
    }
    return bdrv_resolve_backing_name(bs->filename, bs->backing_file);
}

bool bdrv_format_was_probed(BlockDriverState *bs)
{
    return bs->probed;
}

void bdrv_set_backing(BlockDriverState *bs, BlockDriverState *backing)
{
    if (backing) {
        bdrv_ref(backing);
    }
    if (bs->backing) {
        bdrv_unref(bs->backing);
    }
    bs->backing = backing;
}

/* ---- I/O -------------------------------------------------------------------- */

static int check_request(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         bool write)
{
    if (offset < 0 || bytes < 0 || offset > INT64_MAX - bytes) {
        return -EIO;
    }
    if (write && bs->read_only) {
        return -EPERM;
    }
    if (!bs->drv->is_protocol) {
        int64_t len = bdrv_getlength(bs);
        if (len < 0) {
            return len;
        }
        if (offset + bytes > len) {
            return -EIO;
        }
    }
    return 0;
}

int bdrv_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                IOVector *qiov, size_t qiov_offset, int flags)
{
    int ret = check_request(bs, offset, bytes, false);

    if (ret < 0) {
        return ret;
    }
    if (qiov_offset + bytes > qiov->size) {
        return -EINVAL;
    }
    if (!bytes) {
        return 0;
    }
    return bs->drv->preadv(bs, offset, bytes, qiov, qiov_offset, flags);
}

int bdrv_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                 IOVector *qiov, size_t qiov_offset, int flags)
{
    int ret = check_request(bs, offset, bytes, true);

    if (ret < 0) {
        return ret;
    }
    if (qiov_offset + bytes > qiov->size) {
        return -EINVAL;
    }
    if (!bytes) {
        return 0;
    }
    return bs->drv->pwritev(bs, offset, bytes, qiov, qiov_offset, flags);
}

int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes,
               void *buf)
{
    IOVector v;

    iovec_init_buf(&v, buf, bytes);
    return bdrv_preadv(bs, offset, bytes, &v, 0, 0);
}

int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes,
                const void *buf)
{
    IOVector v;

    iovec_init_buf(&v, (void *)buf, bytes);
    return bdrv_pwritev(bs, offset, bytes, &v, 0, 0);
}

int bdrv_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       int flags)
{
    int ret = check_request(bs, offset, bytes, true);
    int64_t done = 0;
    void *zero;

    if (ret < 0 || !bytes) {
        return ret;
    }
    if (bs->drv->pwrite_zeroes) {
        ret = bs->drv->pwrite_zeroes(bs, offset, bytes, flags);
        if (ret != -ENOTSUP || (flags & BDRV_REQ_NO_FALLBACK)) {
            return ret;
        }
    } else if (flags & BDRV_REQ_NO_FALLBACK) {
        return -ENOTSUP;
    }
    /* Fallback: write a buffer of zeroes. */
    zero = g_malloc0(MIN(bytes, 1 * MiB));
    while (done < bytes) {
        int64_t n = MIN(bytes - done, (int64_t)(1 * MiB));
        IOVector v;
        iovec_init_buf(&v, zero, n);
        ret = bs->drv->pwritev(bs, offset + done, n, &v, 0, 0);
        if (ret < 0) {
            break;
        }
        done += n;
    }
    g_free(zero);
    return ret < 0 ? ret : 0;
}

int bdrv_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    int ret = check_request(bs, offset, bytes, true);

    if (ret < 0 || !bytes) {
        return ret;
    }
    if (!bs->drv->pdiscard) {
        return 0;   /* discard is advisory */
    }
    ret = bs->drv->pdiscard(bs, offset, bytes);
    return ret == -ENOTSUP ? 0 : ret;
}

bool bdrv_format_supports_compression(BlockDriver *drv)
{
    return drv->pwritev_compressed != NULL;
}

bool bdrv_supports_compressed_writes(BlockDriverState *bs)
{
    return bs->drv->pwritev_compressed != NULL;
}

int bdrv_pwrite_compressed(BlockDriverState *bs, int64_t offset,
                           int64_t bytes, IOVector *qiov, size_t qiov_offset)
{
    int ret = check_request(bs, offset, bytes, true);

    if (ret < 0) {
        return ret;
    }
    if (!bs->drv->pwritev_compressed) {
        return -ENOTSUP;
    }
    if (qiov_offset + bytes > qiov->size) {
        return -EINVAL;
    }
    return bs->drv->pwritev_compressed(bs, offset, bytes, qiov, qiov_offset);
}

int bdrv_flush(BlockDriverState *bs)
{
    int ret = 0;

    if (bs->read_only) {
        return 0;
    }
    if (bs->drv->flush) {
        ret = bs->drv->flush(bs);
    }
    if (ret >= 0 && bs->file) {
        ret = bdrv_flush(bs->file);
    }
    return ret;
}

int64_t bdrv_getlength(BlockDriverState *bs)
{
    return bs->drv->getlength(bs);
}

int64_t bdrv_get_allocated_file_size(BlockDriverState *bs)
{
    if (bs->drv->get_allocated_file_size) {
        return bs->drv->get_allocated_file_size(bs);
    }
    return bs->file ? bdrv_get_allocated_file_size(bs->file) : -ENOTSUP;
}

int bdrv_truncate(BlockDriverState *bs, int64_t size, bool exact,
                  PreallocMode prealloc, GError **errp)
{
    if (size < 0) {
        error_setg(errp, "Image size cannot be negative");
        return -EINVAL;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    if (!bs->drv->truncate) {
        error_setg(errp, "Image format '%s' does not support resizing",
                   bs->drv->format_name);
        return -ENOTSUP;
    }
    return bs->drv->truncate(bs, size, exact, prealloc, errp);
}

int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      int64_t *pnum, int64_t *map, BlockDriverState **file)
{
    int64_t len = bdrv_getlength(bs);
    int64_t lmap = 0;
    BlockDriverState *lfile = NULL;
    int ret;

    *pnum = 0;
    if (len < 0) {
        return len;
    }
    if (offset < 0 || bytes < 0) {
        return -EINVAL;
    }
    if (offset >= len || !bytes) {
        return BDRV_BLOCK_EOF;
    }
    bytes = MIN(bytes, len - offset);
    if (!bs->drv->block_status) {
        *pnum = bytes;
        ret = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    } else {
        ret = bs->drv->block_status(bs, offset, bytes, pnum, &lmap, &lfile);
        if (ret < 0) {
            return ret;
        }
        *pnum = MAX(1, MIN(*pnum, bytes));
    }
    if (offset + *pnum == len) {
        ret |= BDRV_BLOCK_EOF;
    }
    if (map) {
        *map = lmap;
    }
    if (file) {
        *file = lfile;
    }
    return ret;
}

int bdrv_block_status_above(BlockDriverState *bs, BlockDriverState *base,
                            int64_t offset, int64_t bytes, int64_t *pnum,
                            int64_t *map, BlockDriverState **file,
                            int *depth)
{
    BlockDriverState *p = bs;
    int d = 0;
    int64_t top_len = bdrv_getlength(bs);

    if (top_len < 0) {
        return top_len;
    }
    if (offset >= top_len) {
        *pnum = 0;
        return BDRV_BLOCK_EOF;
    }
    bytes = MIN(bytes, top_len - offset);
    for (;;) {
        int64_t n, blen;
        int ret;

        ret = bdrv_block_status(p, offset, bytes, &n, map, file);
        if (ret < 0) {
            return ret;
        }
        ret &= ~BDRV_BLOCK_EOF;
        blen = p->backing && p->backing != base
               ? bdrv_getlength(p->backing) : 0;
        if (blen < 0) {
            return blen;
        }
        if ((ret & BDRV_BLOCK_ALLOCATED) || !p->backing ||
            p->backing == base || offset >= blen) {
            /* This layer decides (past a shorter backing file: zeroes). */
            *pnum = n;
            if (depth) {
                *depth = d;
            }
            if (!(ret & BDRV_BLOCK_ALLOCATED)) {
                ret |= BDRV_BLOCK_ZERO;
            }
            if (offset + n == top_len) {
                ret |= BDRV_BLOCK_EOF;
            }
            return ret;
        }
        bytes = MIN(n, blen - offset);
        p = p->backing;
        d++;
    }
}

int bdrv_read_backing(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      IOVector *qiov, size_t qiov_offset)
{
    int64_t blen, n;
    int ret;

    if (!bs->backing) {
        iovec_memset(qiov, qiov_offset, 0, bytes);
        return 0;
    }
    blen = bdrv_getlength(bs->backing);
    if (blen < 0) {
        return blen;
    }
    n = offset < blen ? MIN(bytes, blen - offset) : 0;
    if (n > 0) {
        ret = bdrv_preadv(bs->backing, offset, n, qiov, qiov_offset, 0);
        if (ret < 0) {
            return ret;
        }
    }
    if (n < bytes) {
        iovec_memset(qiov, qiov_offset + n, 0, bytes - n);
    }
    return 0;
}

/* ---- information ------------------------------------------------------------- */

int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    memset(bdi, 0, sizeof(*bdi));
    if (!bs->drv->get_info) {
        return -ENOTSUP;
    }
    return bs->drv->get_info(bs, bdi);
}

void image_info_field_free(gpointer p)
{
    ImageInfoField *f = p;

    g_free(f->json_key);
    g_free(f->human_key);
    g_free(f->str);
    g_free(f);
}

static ImageInfoField *info_field(GPtrArray *f, const char *json,
                                  const char *human, ImageInfoKind kind)
{
    ImageInfoField *i = g_new0(ImageInfoField, 1);

    i->json_key = g_strdup(json);
    i->human_key = g_strdup(human);
    i->kind = kind;
    g_ptr_array_add(f, i);
    return i;
}

void image_info_add_str(GPtrArray *f, const char *json, const char *human,
                        const char *val)
{
    info_field(f, json, human, INFO_STR)->str = g_strdup(val);
}

void image_info_add_bool(GPtrArray *f, const char *json, const char *human,
                         bool val)
{
    info_field(f, json, human, INFO_BOOL)->b = val;
}

void image_info_add_int(GPtrArray *f, const char *json, const char *human,
                        int64_t val)
{
    info_field(f, json, human, INFO_INT)->i = val;
}

const char *bdrv_get_specific_info(BlockDriverState *bs, GPtrArray *fields)
{
    if (!bs->drv->get_specific_info) {
        return NULL;
    }
    return bs->drv->get_specific_info(bs, fields);
}

void snapshot_info_free(gpointer p)
{
    SnapshotInfo *s = p;

    g_free(s->id);
    g_free(s->name);
    g_free(s);
}

int bdrv_snapshot_list(BlockDriverState *bs, GPtrArray *list)
{
    if (!bs->drv->snapshot_list) {
        return -ENOTSUP;
    }
    return bs->drv->snapshot_list(bs, list);
}

static int snapshot_unsupported(BlockDriverState *bs, GError **errp)
{
    error_setg(errp, "Block format '%s' used by device '%s' does not "
               "support internal snapshots", bs->drv->format_name,
               bs->filename);
    return -ENOTSUP;
}

int bdrv_snapshot_create(BlockDriverState *bs, const char *name,
                         GError **errp)
{
    if (!bs->drv->snapshot_create) {
        return snapshot_unsupported(bs, errp);
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    return bs->drv->snapshot_create(bs, name, errp);
}

int bdrv_snapshot_delete(BlockDriverState *bs, const char *name,
                         GError **errp)
{
    if (!bs->drv->snapshot_delete) {
        return snapshot_unsupported(bs, errp);
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    return bs->drv->snapshot_delete(bs, name, errp);
}

int bdrv_snapshot_goto(BlockDriverState *bs, const char *name,
                       GError **errp)
{
    if (!bs->drv->snapshot_goto) {
        return snapshot_unsupported(bs, errp);
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    return bs->drv->snapshot_goto(bs, name, errp);
}

int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, int fix)
{
    memset(res, 0, sizeof(*res));
    if (!bs->drv->check) {
        return -ENOTSUP;
    }
    if (fix && bs->read_only) {
        return -EPERM;
    }
    return bs->drv->check(bs, res, fix);
}

/* ---- creation and changes ----------------------------------------------- */

bool bdrv_create(BlockDriver *drv, const char *filename, GHashTable *opts,
                 GError **errp)
{
    g_autoptr(GHashTable) o = opts ? opts : bdrv_opts_new();

    if (!drv->create) {
        error_setg(errp, "Format driver '%s' does not support image "
                   "creation", drv->format_name);
        return false;
    }
    return drv->create(filename, o, errp);
}

int bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                             const char *backing_fmt, GError **errp)
{
    int ret;

    if (!bs->drv->change_backing_file) {
        error_setg(errp, "Image format '%s' has no backing file",
                   bs->drv->format_name);
        return -ENOTSUP;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    ret = bs->drv->change_backing_file(bs, backing_file, backing_fmt, errp);
    if (ret >= 0) {
        g_free(bs->backing_file);
        g_free(bs->backing_format);
        bs->backing_file = backing_file && *backing_file
                           ? g_strdup(backing_file) : NULL;
        bs->backing_format = backing_fmt && *backing_fmt
                             ? g_strdup(backing_fmt) : NULL;
    }
    return ret;
}

int bdrv_make_empty(BlockDriverState *bs)
{
    if (!bs->drv->make_empty) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    return bs->drv->make_empty(bs);
}
