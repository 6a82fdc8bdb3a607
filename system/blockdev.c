/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -drive, -blockdev, -snapshot and -hdX: command-line block devices
 * turned into BlockBackends and nodes. See include/system/blockdev.h.
 *
 * -drive spelling follows QEMU: file, format, if, index, media, cache,
 * readonly (or read-only), snapshot, id, aio, discard, detect-zeroes,
 * werror/rerror, serial, node-name; any other key (l2-cache-size,
 * file.locking, cache.direct, ...) goes to the block driver. -blockdev
 * takes the driver's dotted options directly (driver=qcow2,
 * file.driver=file,file.filename=x,node-name=n).
 *
 * snapshot=on (or -snapshot) opens the image read-only and puts a qcow2
 * overlay in $TMPDIR (default /var/tmp) on top; the overlay is unlinked
 * as soon as it is open, so it vanishes on exit, even after a crash.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/block-backend.h"
#include "hw/qdev.h"
#include "system/blockdev.h"
#include <stdlib.h>

static const char *const if_name[IF_COUNT] = { "none", "virtio" };

static GPtrArray *queued;       /* "d:arg" / "b:arg" */
static bool global_snapshot;
static GPtrArray *drives;       /* DriveInfo * */
static GPtrArray *nodes;        /* BlockDriverState * from -blockdev */
static GPtrArray *anon_blks;    /* BlockBackend * made by blockdev_claim */

static void queue(char kind, const char *arg)
{
    if (!queued) {
        queued = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(queued, g_strdup_printf("%c:%s", kind, arg));
}

void blockdev_queue_drive(const char *arg)
{
    queue('d', arg);
}

void blockdev_queue_blockdev(const char *arg)
{
    queue('b', arg);
}

void blockdev_queue_hd(int index, const char *file)
{
    g_autoptr(GString) s = g_string_new("file=");

    /* Commas in the file name are doubled for the option parser. */
    for (const char *p = file; *p; p++) {
        g_string_append_c(s, *p);
        if (*p == ',') {
            g_string_append_c(s, ',');
        }
    }
    g_string_append_printf(s, ",index=%d,media=disk", index);
    queue('d', s->str);
}

void blockdev_set_snapshot(bool on)
{
    global_snapshot = on;
}

static DriveInfo *find_drive(const char *id)
{
    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        if (!strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

DriveInfo *drive_get(BlockInterfaceType type, int index)
{
    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        if (d->type == type && d->index == index) {
            return d;
        }
    }
    return NULL;
}

int drive_count(BlockInterfaceType type)
{
    int n = 0;

    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        n += d->type == type;
    }
    return n;
}

BlockBackend *blk_by_name(const char *id)
{
    DriveInfo *d = find_drive(id);

    return d ? d->blk : NULL;
}

/*
 * Put a temporary qcow2 overlay on base: writes go there, and the file
 * is unlinked at once so nothing is left behind.
 */
static BlockDriverState *temp_snapshot(BlockDriverState *base,
                                       GError **errp)
{
    const char *dir = g_getenv("TMPDIR");
    g_autofree char *tmpl = g_build_filename(dir && *dir ? dir : "/var/tmp",
                                             "vl.XXXXXX", NULL);
    g_autofree char *base_path = NULL;
    g_autofree char *size = NULL;
    GHashTable *o;
    BlockDriverState *overlay;
    int fd;

    fd = mkstemp(tmpl);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create temporary overlay "
                         "'%s'", tmpl);
        return NULL;
    }
    close(fd);
    base_path = realpath(bdrv_get_filename(base), NULL);
    size = g_strdup_printf("%" PRId64, bdrv_getlength(base));
    o = bdrv_opts_new();
    bdrv_opts_set(o, "size", size);
    bdrv_opts_set(o, "backing_file",
                  base_path ? base_path : bdrv_get_filename(base));
    bdrv_opts_set(o, "backing_fmt", bdrv_get_format_name(base));
    if (!bdrv_create(bdrv_find_format("qcow2"), tmpl, o, errp)) {
        unlink(tmpl);
        return NULL;
    }
    o = bdrv_opts_new();
    bdrv_opts_set(o, "driver", "qcow2");
    /* Its contents die with us: flushes would be wasted. */
    overlay = bdrv_open(tmpl, o, BDRV_O_RDWR | BDRV_O_NO_BACKING |
                        BDRV_O_NO_FLUSH, errp);
    unlink(tmpl);
    if (!overlay) {
        return NULL;
    }
    bdrv_set_backing(overlay, base);
    return overlay;
}

static void probe_warning(BlockDriverState *bs, const char *file)
{
    if (bdrv_format_was_probed(bs) &&
        !strcmp(bdrv_get_format_name(bs), "raw") &&
        !bdrv_is_read_only(bs)) {
        warn_report("Image format was not specified for '%s' and probing "
                    "guessed raw. Automatically detecting the format is "
                    "dangerous for raw images, write operations on block 0 "
                    "will be restricted. Specify the 'raw' format explicitly "
                    "to remove the restrictions.", file);
    }
}

/* -drive keys handled here; everything else goes to the driver. */
static const char *const drive_keys[] = {
    "file", "format", "if", "index", "bus", "unit", "media", "cache",
    "readonly", "read-only", "snapshot", "aio", "discard", "detect-zeroes",
    "werror", "rerror", "serial", "copy-on-read", "node-name", NULL
};

static bool is_drive_key(const char *k)
{
    for (int i = 0; drive_keys[i]; i++) {
        if (!strcmp(drive_keys[i], k)) {
            return true;
        }
    }
    return false;
}

DriveInfo *drive_new(const char *arg, GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);
    GHashTable *bopts;
    const char *file, *fmt, *ifs, *cache, *media, *aio, *serial, *v;
    BlockInterfaceType type = IF_VIRTIO;
    BlockDriverState *bs;
    BlockCacheMode cm = { 0 };
    uint64_t index = UINT64_MAX;
    bool ro, snap;
    int flags = BDRV_O_RDWR;
    GError *err = NULL;
    DriveInfo *d;
    g_autofree char *id = NULL;

    if (!o) {
        return NULL;
    }
    file = opts_get(o, "file");
    fmt = opts_get(o, "format");
    ifs = opts_get(o, "if");
    cache = opts_get(o, "cache");
    media = opts_get(o, "media");
    aio = opts_get(o, "aio");
    serial = opts_get(o, "serial");
    ro = opts_get_bool(o, "readonly", false, &err);
    ro = opts_get_bool(o, "read-only", ro, &err);
    snap = opts_get_bool(o, "snapshot", global_snapshot, &err);
    if (opts_has(o, "index")) {
        index = opts_get_number(o, "index", 0, &err);
    }
    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    if (ifs) {
        if (!strcmp(ifs, "virtio")) {
            type = IF_VIRTIO;
        } else if (!strcmp(ifs, "none")) {
            type = IF_NONE;
        } else if (!strcmp(ifs, "ide") || !strcmp(ifs, "scsi") ||
                   !strcmp(ifs, "floppy") || !strcmp(ifs, "sd") ||
                   !strcmp(ifs, "mtd") || !strcmp(ifs, "pflash")) {
            error_setg(errp, "if=%s is not supported: Ember's PC has no such "
                       "controller (use if=virtio, the default, or if=none "
                       "with -device)", ifs);
            return NULL;
        } else {
            error_setg(errp, "unsupported bus type '%s'", ifs);
            return NULL;
        }
    }
    if (media && strcmp(media, "disk")) {
        error_setg(errp, "media=%s is not supported (no CD-ROM device)",
                   media);
        return NULL;
    }
    if (aio && strcmp(aio, "threads")) {
        error_setg(errp, "aio=%s is not supported (only aio=threads)", aio);
        return NULL;
    }
    if (!file || !*file) {
        error_setg(errp, "A drive needs an image: file=... is missing");
        return NULL;
    }
    if (fmt && !strcmp(fmt, "help")) {
        const char *const *n = bdrv_format_names();
        printf("Supported formats:");
        for (; *n; n++) {
            printf(" %s", *n);
        }
        printf("\n");
        exit(0);
    }
    if (cache && !bdrv_parse_cache_mode(cache, &cm)) {
        error_setg(errp, "invalid cache option '%s' (writeback, none, "
                   "writethrough, directsync or unsafe)", cache);
        return NULL;
    }
    for (const char *const *k = (const char *const[]){ "werror", "rerror",
                                                        NULL }; *k; k++) {
        v = opts_get(o, *k);
        if (v && strcmp(v, "report") && strcmp(v, "enospc")) {
            error_setg(errp, "%s=%s is not supported (only report)", *k, v);
            return NULL;
        }
    }
    v = opts_get(o, "copy-on-read");
    if (v && strcmp(v, "off")) {
        error_setg(errp, "copy-on-read is not supported");
        return NULL;
    }
    if (opts_has(o, "bus") || opts_has(o, "unit")) {
        opts_get(o, "bus");
        opts_get(o, "unit");
    }

    /* The rest: driver options, plus the ones we translate. */
    bopts = bdrv_opts_new();
    if (fmt) {
        if (!bdrv_find_format(fmt) || !strcmp(fmt, "file")) {
            error_setg(errp, "'%s' invalid format", fmt);
            g_hash_table_unref(bopts);
            return NULL;
        }
        bdrv_opts_set(bopts, "driver", fmt);
    }
    v = opts_get(o, "discard");
    if (v) {
        bdrv_opts_set(bopts, "discard", v);
    }
    v = opts_get(o, "detect-zeroes");
    if (v) {
        bdrv_opts_set(bopts, "detect-zeroes", v);
    }
    v = opts_get(o, "node-name");
    if (v) {
        bdrv_opts_set(bopts, "node-name", v);
    }
    for (unsigned i = 0; i < o->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(o->entries, i);
        if (!is_drive_key(e->key)) {
            e->used = true;
            bdrv_opts_set(bopts, e->key, e->value);
        }
    }
    if (ro || snap) {
        flags &= ~BDRV_O_RDWR;
    }
    if (cm.direct) {
        flags |= BDRV_O_NOCACHE;
    }
    if (cm.no_flush) {
        flags |= BDRV_O_NO_FLUSH;
    }

    /* Where it goes. */
    if (index == UINT64_MAX) {
        index = 0;
        while (drive_get(type, index)) {
            index++;
        }
    } else if (index > 1024) {
        error_setg(errp, "index %" PRIu64 " is too big", index);
        g_hash_table_unref(bopts);
        return NULL;
    } else if (drive_get(type, index)) {
        error_setg(errp, "drive with bus=0, unit=%" PRIu64 " (index=%" PRIu64
                   ") exists", index, index);
        g_hash_table_unref(bopts);
        return NULL;
    }
    id = g_strdup(o->id ? o->id : NULL);
    if (!id) {
        id = g_strdup_printf("%s%" PRIu64, if_name[type], index);
    }
    if (find_drive(id)) {
        error_setg(errp, "Duplicate ID '%s' for drive", id);
        g_hash_table_unref(bopts);
        return NULL;
    }
    if (!opts_check_unused(o, errp)) {
        g_hash_table_unref(bopts);
        return NULL;
    }

    bs = bdrv_open(file, bopts, flags, errp);
    if (!bs) {
        return NULL;
    }
    probe_warning(bs, file);
    if (snap) {
        BlockDriverState *top = temp_snapshot(bs, errp);
        bdrv_unref(bs);
        if (!top) {
            return NULL;
        }
        bs = top;
    }
    d = g_new0(DriveInfo, 1);
    d->id = g_steal_pointer(&id);
    d->type = type;
    d->index = index;
    d->spec = g_strdup_printf("-drive %s", arg);
    d->serial = g_strdup(serial);
    d->temp_snapshot = snap;
    d->blk = blk_new_with_bs(bs);
    bdrv_unref(bs);
    blk_set_name(d->blk, d->id);
    blk_set_writethrough(d->blk, cm.writethrough);
    if (!drives) {
        drives = g_ptr_array_new();
    }
    g_ptr_array_add(drives, d);
    return d;
}

bool blockdev_new(const char *arg, GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);
    GHashTable *bopts;
    BlockDriverState *bs;
    int flags = BDRV_O_RDWR;

    if (!o) {
        return false;
    }
    bopts = bdrv_opts_new();
    for (unsigned i = 0; i < o->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(o->entries, i);
        bdrv_opts_set(bopts, e->key, e->value);
    }
    if (!g_hash_table_contains(bopts, "driver")) {
        error_setg(errp, "Parameter 'driver' is missing");
        g_hash_table_unref(bopts);
        return false;
    }
    if (!g_hash_table_contains(bopts, "node-name")) {
        error_setg(errp, "A top-level -blockdev needs a node-name");
        g_hash_table_unref(bopts);
        return false;
    }
    /* As in QEMU, -snapshot does not apply to -blockdev. */
    bs = bdrv_open(NULL, bopts, flags, errp);
    if (!bs) {
        return false;
    }
    if (!nodes) {
        nodes = g_ptr_array_new();
    }
    g_ptr_array_add(nodes, bs);
    return true;
}

bool blockdev_init(GError **errp)
{
    for (unsigned i = 0; queued && i < queued->len; i++) {
        const char *q = g_ptr_array_index(queued, i);
        bool ok;

        if (q[0] == 'b') {
            ok = blockdev_new(q + 2, errp);
        } else {
            ok = drive_new(q + 2, errp) != NULL;
        }
        if (!ok) {
            error_prepend(errp, "%s %s: ", q[0] == 'b' ? "-blockdev"
                                                       : "-drive", q + 2);
            return false;
        }
    }
    return true;
}

BlockBackend *blockdev_claim(const char *name, void *dev, GError **errp)
{
    DriveInfo *d = find_drive(name);
    BlockBackend *blk;

    if (d) {
        if (!blk_attach_dev(d->blk, dev)) {
            error_setg(errp, "Drive '%s' is already in use by another "
                       "device", name);
            return NULL;
        }
        return d->blk;
    }
    for (unsigned i = 0; nodes && i < nodes->len; i++) {
        BlockDriverState *bs = g_ptr_array_index(nodes, i);
        const char *nn = bdrv_get_node_name(bs);
        if (nn && !strcmp(nn, name)) {
            for (unsigned k = 0; anon_blks && k < anon_blks->len; k++) {
                BlockBackend *b = g_ptr_array_index(anon_blks, k);
                if (blk_bs(b) == bs) {
                    error_setg(errp, "Node '%s' is already in use by another "
                               "device", name);
                    return NULL;
                }
            }
            blk = blk_new_with_bs(bs);
            blk_attach_dev(blk, dev);
            if (!anon_blks) {
                anon_blks = g_ptr_array_new();
            }
            g_ptr_array_add(anon_blks, blk);
            return blk;
        }
    }
    error_setg(errp, "Drive '%s' not found (no -drive id or -blockdev "
               "node-name by that name)", name);
    return NULL;
}

/*
 * A virtio-blk-pci for each if=virtio drive, made with the machine
 * before -device as QEMU does (hw/block/virtio-blk.c; the device takes
 * serial= from the drive). A -device that names such a drive then finds
 * it in use.
 */
bool blockdev_init_devices(GError **errp)
{
    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        g_autoptr(Opts) o = NULL;

        if (d->type != IF_VIRTIO) {
            continue;
        }
        error_set_location("%s", d->spec);
        o = opts_parse("", NULL, errp);
        if (!o) {
            return false;
        }
        opts_set(o, "driver", "virtio-blk-pci");
        opts_set(o, "drive", d->id);
        if (!qdev_device_add(o, errp)) {
            return false;
        }
    }
    error_clear_location();
    return true;
}

void blockdev_check_unclaimed(void)
{
    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        if (d->type == IF_VIRTIO && !blk_get_attached_dev(d->blk)) {
            warn_report("%s: drive '%s' is not attached to any device",
                        d->spec, d->id);
        }
    }
}

static void close_blk(BlockBackend *blk)
{
    blk_drain(blk);
    if (!blk_is_read_only(blk)) {
        blk_flush(blk);
    }
    blk_unref(blk);
}

void blockdev_close_all(void)
{
    for (unsigned i = 0; anon_blks && i < anon_blks->len; i++) {
        close_blk(g_ptr_array_index(anon_blks, i));
    }
    g_clear_pointer(&anon_blks, g_ptr_array_unref);
    for (unsigned i = 0; drives && i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        close_blk(d->blk);
        g_free(d->id);
        g_free(d->spec);
        g_free(d->serial);
        g_free(d);
    }
    g_clear_pointer(&drives, g_ptr_array_unref);
    for (unsigned i = 0; nodes && i < nodes->len; i++) {
        BlockDriverState *bs = g_ptr_array_index(nodes, i);
        bdrv_flush(bs);
        bdrv_unref(bs);
    }
    g_clear_pointer(&nodes, g_ptr_array_unref);
    g_clear_pointer(&queued, g_ptr_array_unref);
}
