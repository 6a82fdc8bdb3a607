/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -drive / -blockdev / -snapshot: option parsing into BlockBackends,
 * device claims, temporary overlays, and the one-line errors of
 * ember-system-x86_64 for bad drives.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block-backend.h"
#include "system/blockdev.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <dirent.h>

static char *tmpdir;

static char *path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void create(const char *file, const char *fmt, const char *size)
{
    GHashTable *o = bdrv_opts_new();
    GError *err = NULL;

    bdrv_opts_set(o, "size", size);
    g_assert_true(bdrv_create(bdrv_find_format(fmt), file, o, &err));
    g_assert_no_error(err);
}

static char *drive_err(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *drive_err(const char *fmt, ...)
{
    g_autofree char *arg = NULL;
    GError *err = NULL;
    char *msg;
    va_list ap;

    va_start(ap, fmt);
    arg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assert_null(drive_new(arg, &err));
    g_assert_nonnull(err);
    msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

static DriveInfo *drive(GError **errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static DriveInfo *drive(GError **errp, const char *fmt, ...)
{
    g_autofree char *arg = NULL;
    va_list ap;

    va_start(ap, fmt);
    arg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return drive_new(arg, errp);
}

static bool node(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool node(GError **errp, const char *fmt, ...)
{
    g_autofree char *arg = NULL;
    va_list ap;

    va_start(ap, fmt);
    arg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return blockdev_new(arg, errp);
}

static int count_vl_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    g_assert_nonnull(d);
    while ((e = readdir(d))) {
        n += g_str_has_prefix(e->d_name, "vl.");
    }
    closedir(d);
    return n;
}

static void test_drive(void)
{
    g_autofree char *q = path("d.qcow2");
    g_autofree char *r = path("d.raw");
    DriveInfo *d, *d2;
    GError *err = NULL;
    int dummy;

    create(q, "qcow2", "16M");
    create(r, "raw", "1M");

    d = drive(&err, "file=%s", q);
    g_assert_no_error(err);
    g_assert_cmpstr(d->id, ==, "virtio0");
    g_assert_cmpint(d->type, ==, IF_VIRTIO);
    g_assert_cmpint(d->index, ==, 0);
    g_assert_cmpstr(bdrv_get_format_name(blk_bs(d->blk)), ==, "qcow2");
    g_assert_false(blk_is_read_only(d->blk));
    g_assert_false(blk_is_writethrough(d->blk));
    g_assert_true(drive_get(IF_VIRTIO, 0) == d);
    g_assert_true(blk_by_name("virtio0") == d->blk);

    d2 = drive(&err, "file=%s,format=raw,if=none,id=disk1,"
                                   "readonly=on,cache=writethrough,"
                                   "serial=ABC", r);
    g_assert_no_error(err);
    g_assert_cmpstr(d2->id, ==, "disk1");
    g_assert_cmpint(d2->type, ==, IF_NONE);
    g_assert_true(blk_is_read_only(d2->blk));
    g_assert_true(blk_is_writethrough(d2->blk));
    g_assert_cmpstr(d2->serial, ==, "ABC");
    g_assert_cmpint(drive_count(IF_VIRTIO), ==, 1);
    g_assert_cmpint(drive_count(IF_NONE), ==, 1);

    /* Claims by devices. */
    g_assert_true(blockdev_claim("disk1", &dummy, &err) == d2->blk);
    g_assert_null(blockdev_claim("disk1", &err, &err));
    g_assert_nonnull(strstr(err->message, "already in use"));
    g_clear_error(&err);
    g_assert_null(blockdev_claim("nothere", &dummy, &err));
    g_assert_nonnull(strstr(err->message, "not found"));
    g_clear_error(&err);

    /* Locked: the same image as a second writable drive. */
    {
        g_autofree char *m = drive_err("file=%s,id=again", q);
        g_assert_nonnull(strstr(m, "Failed to get \"write\" lock"));
    }
    /* Errors, one line each. */
    {
        g_autofree char *m1 = drive_err("file=%s,id=disk1,format=raw", r);
        g_autofree char *m2 = drive_err("file=%s,if=ide", r);
        g_autofree char *m3 = drive_err("file=%s,format=qcow2,id=x1,readonly=on", r);
        g_autofree char *m4 = drive_err("file=%s/none.qcow2", tmpdir);
        g_autofree char *m5 = drive_err("file=%s,cache=fast,id=x2", r);
        g_autofree char *m6 = drive_err("file=%s,media=cdrom,id=x3", r);
        g_autofree char *m7 = drive_err("format=raw,id=x4");
        g_autofree char *m8 = drive_err("file=%s,index=0,format=raw", r);
        g_autofree char *m9 = drive_err("file=%s,format=raw,if=none,"
                                        "bogus=1,id=x5,readonly=on", r);
        g_autofree char *m10 = drive_err("file=%s,format=vmdk,id=x6", r);
        g_assert_nonnull(strstr(m1, "Duplicate ID 'disk1'"));
        g_assert_nonnull(strstr(m2, "if=ide is not supported"));
        g_assert_cmpstr(m3, ==, "Image is not in qcow2 format");
        g_assert_nonnull(strstr(m4, "No such file or directory"));
        g_assert_nonnull(strstr(m5, "invalid cache option 'fast'"));
        g_assert_nonnull(strstr(m6, "media=cdrom"));
        g_assert_nonnull(strstr(m7, "file=... is missing"));
        g_assert_nonnull(strstr(m8, "exists"));
        g_assert_nonnull(strstr(m9, "'bogus'"));
        g_assert_nonnull(strstr(m10, "invalid format"));
    }
    blockdev_close_all();
    g_assert_null(drive_get(IF_VIRTIO, 0));
}

static void test_snapshot_overlay(void)
{
    g_autofree char *q = path("s.qcow2");
    g_autofree char *oldtmp = g_strdup(g_getenv("TMPDIR"));
    uint8_t buf[4096], back[4096];
    BlockDriverState *bs;
    DriveInfo *d;
    GError *err = NULL;

    create(q, "qcow2", "4M");
    g_setenv("TMPDIR", tmpdir, true);
    blockdev_set_snapshot(true);
    d = drive(&err, "file=%s", q);
    blockdev_set_snapshot(false);
    g_assert_no_error(err);
    g_assert_true(d->temp_snapshot);
    /* The overlay is already unlinked. */
    g_assert_cmpint(count_vl_files(tmpdir), ==, 0);
    memset(buf, 0xab, sizeof(buf));
    g_assert_cmpint(blk_pwrite(d->blk, 0, sizeof(buf), buf), ==, 0);
    g_assert_cmpint(blk_pread(d->blk, 0, sizeof(back), back), ==, 0);
    g_assert_true(memcmp(buf, back, sizeof(buf)) == 0);
    /* The image itself is opened read-only underneath. */
    g_assert_true(bdrv_is_read_only(bdrv_get_backing(blk_bs(d->blk))));
    blockdev_close_all();
    if (oldtmp) {
        g_setenv("TMPDIR", oldtmp, true);
    } else {
        g_unsetenv("TMPDIR");
    }
    /* Nothing reached the image. */
    bs = bdrv_open(q, NULL, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpint(bdrv_pread(bs, 0, sizeof(back), back), ==, 0);
    g_assert_true(buffer_is_zero(back, sizeof(back)));
    bdrv_unref(bs);
}

static void test_blockdev_opt(void)
{
    g_autofree char *q = path("b.qcow2");
    g_autofree char *arg = NULL;
    BlockBackend *blk;
    GError *err = NULL;
    int dev;

    create(q, "qcow2", "8M");
    arg = g_strdup_printf("driver=qcow2,file.driver=file,file.filename=%s,"
                          "node-name=disk0,l2-cache-size=128k", q);
    g_assert_true(blockdev_new(arg, &err));
    g_assert_no_error(err);
    blk = blockdev_claim("disk0", &dev, &err);
    g_assert_no_error(err);
    g_assert_cmpint(blk_getlength(blk), ==, 8 * MiB);
    g_assert_null(blockdev_claim("disk0", &err, &err));
    g_clear_error(&err);
    g_assert_false(blockdev_new("driver=qcow2,node-name=x", &err));
    g_clear_error(&err);
    g_assert_false(node(&err, "driver=raw,file.filename=%s", q));
    g_assert_nonnull(strstr(err->message, "node-name"));
    g_clear_error(&err);
    blockdev_close_all();

    /* A protocol node, then a format node on it by reference. */
    g_free(arg);
    arg = g_strdup_printf("driver=file,filename=%s,node-name=f0", q);
    g_assert_true(blockdev_new(arg, &err));
    g_assert_true(blockdev_new("driver=qcow2,file=f0,node-name=q0", &err));
    g_assert_no_error(err);
    blk = blockdev_claim("q0", &dev, &err);
    g_assert_nonnull(blk);
    g_assert_cmpstr(bdrv_get_format_name(blk_bs(blk)), ==, "qcow2");
    blockdev_close_all();
}

static void test_queue_init(void)
{
    g_autofree char *a = path("hda.raw");
    g_autofree char *b = path("hd,b.raw");
    GError *err = NULL;

    create(a, "raw", "1M");
    create(b, "raw", "1M");
    blockdev_queue_hd(0, a);
    blockdev_queue_hd(1, b);    /* a comma in the name */
    blockdev_queue_drive("file=/nonexistent/x.qcow2,if=none");
    g_assert_false(blockdev_init(&err));
    g_assert_cmpstr(err->message, ==, "-drive file=/nonexistent/x.qcow2,"
                    "if=none: Could not open '/nonexistent/x.qcow2': No such "
                    "file or directory");
    g_clear_error(&err);
    g_assert_nonnull(drive_get(IF_VIRTIO, 0));
    g_assert_nonnull(drive_get(IF_VIRTIO, 1));
    g_assert_cmpstr(bdrv_get_filename(blk_bs(drive_get(IF_VIRTIO, 1)->blk)),
                    ==, b);
    blockdev_close_all();
}

/* ember-system-x86_64's own error lines and exit status. */
static void test_cmdline_errors(void)
{
    const char *emu = g_getenv("EMBER_SYSTEM");
    g_autofree char *q = path("c.qcow2");
    g_autofree char *missing = path("missing.qcow2");
    struct {
        const char *args;
        const char *expect;
    } cases[] = {
        { "-drive file=%s", "-drive file=%s: Could not open '%s': No such "
          "file or directory" },
        { "-drive file=%s,format=raw,if=ide", "if=ide is not supported" },
        { "-drive file=%s,format=qcow2,cache=bad", "invalid cache option" },
        { "-blockdev driver=qcow2,file.filename=%s", "needs a node-name" },
    };

    if (!emu) {
        g_test_skip("EMBER_SYSTEM not set");
        return;
    }
    create(q, "qcow2", "1M");
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        const char *file = i == 0 ? missing : q;
        g_autofree char *args = g_strdup_printf(cases[i].args, file);
        g_autofree char *expect = g_strdup_printf(cases[i].expect, file,
                                                  file);
        g_autofree char *cmd = g_strdup_printf("%s -display none %s", emu,
                                               args);
        g_autofree char *out = NULL, *errs = NULL;
        int status;

        g_assert_true(g_spawn_command_line_sync(cmd, &out, &errs, &status,
                                                NULL));
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        g_assert_nonnull(strstr(errs, expect));
        /* One line. */
        g_assert_cmpint(strchr(errs, '\n') - errs + 1, ==, strlen(errs));
        g_assert_true(g_str_has_prefix(errs, "ember-system-x86_64: -"));
    }
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-blockdev-XXXXXX", NULL);
    error_set_progname("test-blockdev");
    g_test_add_func("/blockdev/drive", test_drive);
    g_test_add_func("/blockdev/snapshot", test_snapshot_overlay);
    g_test_add_func("/blockdev/blockdev", test_blockdev_opt);
    g_test_add_func("/blockdev/queue", test_queue_init);
    g_test_add_func("/blockdev/cmdline-errors", test_cmdline_errors);
    ret = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        if (system(cmd)) {
            /* best effort */
        }
    }
    return ret;
}
