/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "file" protocol driver: an image's bytes in a host file or block
 * device, through POSIX calls.
 *
 * - cache.direct (cache=none/directsync) opens with O_DIRECT. The kernel
 *   then wants offsets, lengths and buffer addresses aligned to the
 *   device's logical block size, probed at open; other requests go
 *   through an aligned bounce buffer (read-modify-write for writes,
 *   serialised against the aligned writes by a rwlock).
 * - flush is fdatasync(), or nothing with cache.no-flush (cache=unsafe).
 * - discard punches a hole; write-zeroes punches a hole (may-unmap) or
 *   uses FALLOC_FL_ZERO_RANGE; block status uses SEEK_DATA/SEEK_HOLE.
 *
 * Image locking uses open file description (OFD) locks on single bytes
 * of the file, the protocol QEMU uses, so Ember and qemu-img/QEMU see
 * each other's locks: a shared lock on byte 100 + n says "I use
 * permission n", one on byte 200 + n says "nobody else may use
 * permission n". Permissions: 0 consistent read, 1 write, 2 write
 * unchanged, 3 resize. A writer holds 100, 101, 103 and 201, 203; a
 * reader holds 100 and 201, 203 (readers of a format need the file not
 * to change under them), or only 100 with force-share (-U).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block_int.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <limits.h>

#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200

enum {
    PERM_CONSISTENT_READ = 1 << 0,
    PERM_WRITE           = 1 << 1,
    PERM_WRITE_UNCHANGED = 1 << 2,
    PERM_RESIZE          = 1 << 3,
    PERM_ALL             = 0xf,
};

static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize",
};

typedef struct BDRVFileState {
    int fd;
    bool direct;
    bool no_flush;
    bool is_blockdev;
    uint32_t req_align;     /* O_DIRECT offset/length alignment */
    uint32_t buf_align;     /* O_DIRECT memory alignment */
    GRWLock rmw_lock;       /* O_DIRECT: RMW writers exclusive */
    char *path;
    bool temporary;
} BDRVFileState;

/* ---- locking ------------------------------------------------------------- */

static int lock_byte(int fd, int64_t byte, bool test, int *conflict)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = byte,
        .l_len = 1,
        .l_type = test ? F_WRLCK : F_RDLCK,
    };

    if (fcntl(fd, test ? F_OFD_GETLK : F_OFD_SETLK, &fl) < 0) {
        return -errno;
    }
    if (test) {
        *conflict = fl.l_type != F_UNLCK;
    }
    return 0;
}

/*
 * Take the locks for (perm, shared) and check nobody else conflicts.
 * Returns 0, -ENOTSUP when the file system has no OFD locks, or -EAGAIN
 * with errp set on a conflict.
 */
static int file_lock(int fd, const char *name, int perm, int shared,
                     GError **errp)
{
    int ret;

    for (int i = 0; i < 4; i++) {
        if (perm & (1 << i)) {
            ret = lock_byte(fd, LOCK_PERM_BASE + i, false, NULL);
            if (ret < 0) {
                goto fail;
            }
        }
        if (!(shared & (1 << i))) {
            ret = lock_byte(fd, LOCK_SHARED_BASE + i, false, NULL);
            if (ret < 0) {
                goto fail;
            }
        }
    }
    for (int i = 0; i < 4; i++) {
        int conflict = 0;
        if (perm & (1 << i)) {
            /* Someone who does not share what we want? */
            ret = lock_byte(fd, LOCK_SHARED_BASE + i, true, &conflict);
            if (ret < 0) {
                goto fail;
            }
            if (conflict) {
                error_setg(errp, "Failed to get \"%s\" lock: is another "
                           "process using the image [%s]?", perm_names[i],
                           name);
                return -EAGAIN;
            }
        }
        if (!(shared & (1 << i))) {
            /* Someone using what we refuse to share? */
            ret = lock_byte(fd, LOCK_PERM_BASE + i, true, &conflict);
            if (ret < 0) {
                goto fail;
            }
            if (conflict) {
                error_setg(errp, "Failed to get shared \"%s\" lock: is "
                           "another process using the image [%s]?",
                           perm_names[i], name);
                return -EAGAIN;
            }
        }
    }
    return 0;

fail:
    if (ret == -EINVAL || ret == -ENOTSUP || ret == -EOPNOTSUPP) {
        return -ENOTSUP;
    }
    error_setg_errno(errp, -ret, "Failed to lock byte of '%s'", name);
    return ret;
}

static int lock_for_flags(int fd, const char *name, int flags,
                          const char *locking, GError **errp)
{
    int perm = PERM_CONSISTENT_READ;
    int shared = PERM_CONSISTENT_READ | PERM_WRITE_UNCHANGED;
    int ret;

    if ((flags & BDRV_O_NO_LOCK) || (locking && !strcmp(locking, "off"))) {
        return 0;
    }
    if (flags & BDRV_O_RDWR) {
        perm |= PERM_WRITE | PERM_RESIZE;
    }
    if (flags & BDRV_O_FORCE_SHARE) {
        shared = PERM_ALL;
    }
    ret = file_lock(fd, name, perm, shared, errp);
    if (ret == -ENOTSUP) {
        if (locking && !strcmp(locking, "on")) {
            error_setg(errp, "Failed to lock '%s': the file system does not "
                       "support OFD locks", name);
            return ret;
        }
        return 0;
    }
    return ret;
}

/* ---- open / close ------------------------------------------------------- */

static void probe_alignment(BDRVFileState *s)
{
    void *buf = NULL;

    s->req_align = 4096;
    s->buf_align = 4096;
    if (!s->direct || posix_memalign(&buf, 4096, 8192)) {
        return;
    }
    /* The smallest length (and memory offset) an O_DIRECT read accepts. */
    for (uint32_t a = 512; a <= 4096; a *= 2) {
        if (pread(s->fd, buf, a, 0) >= 0) {
            s->req_align = a;
            break;
        }
    }
    for (uint32_t a = 512; a <= 4096; a *= 2) {
        if (pread(s->fd, (char *)buf + a, s->req_align, 0) >= 0) {
            s->buf_align = a;
            break;
        }
    }
    free(buf);
}

static int file_open(BlockDriverState *bs, const char *filename,
                     GHashTable *options, int flags, GError **errp)
{
    BDRVFileState *s = bs->opaque;
    g_autofree char *locking = bdrv_opts_take(options, "locking");
    g_autofree char *aio = bdrv_opts_take(options, "aio");
    g_autofree char *fname = bdrv_opts_take(options, "filename");
    struct stat st;
    int oflags = O_CLOEXEC;
    int ret;

    if (fname) {
        filename = fname;
        g_free(bs->filename);
        bs->filename = g_strdup(fname);
    }
    if (!filename || !*filename) {
        error_setg(errp, "The 'file' block driver requires a file name");
        return -EINVAL;
    }
    if (locking && strcmp(locking, "on") && strcmp(locking, "off") &&
        strcmp(locking, "auto")) {
        error_setg(errp, "Parameter 'locking' expects on, off or auto");
        return -EINVAL;
    }
    if (aio && strcmp(aio, "threads")) {
        error_setg(errp, "aio=%s is not supported (only aio=threads)", aio);
        return -EINVAL;
    }
    if ((flags & BDRV_O_FORCE_SHARE) && (flags & BDRV_O_RDWR)) {
        error_setg(errp, "force-share=on can only be used with read-only "
                   "images");
        return -EINVAL;
    }
    oflags |= (flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    s->direct = flags & BDRV_O_NOCACHE;
    s->no_flush = flags & BDRV_O_NO_FLUSH;
    s->fd = open(filename, oflags);
    if (s->fd < 0) {
        ret = -errno;
        if (ret == -EROFS && (flags & BDRV_O_RDWR)) {
            error_setg(errp, "Could not open '%s': Read-only file system "
                       "(open it read-only)", filename);
        } else {
            error_setg_errno(errp, -ret, "Could not open '%s'", filename);
        }
        return ret;
    }
    if (fstat(s->fd, &st) < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not stat '%s'", filename);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        error_setg(errp, "Could not open '%s': Is a directory", filename);
        ret = -EISDIR;
        goto fail;
    }
    s->is_blockdev = S_ISBLK(st.st_mode);
    ret = lock_for_flags(s->fd, filename, flags, locking, errp);
    if (ret < 0) {
        goto fail;
    }
    probe_alignment(s);
    g_rw_lock_init(&s->rmw_lock);
    s->path = g_strdup(filename);
    s->temporary = flags & BDRV_O_TEMPORARY;
    bs->request_alignment = s->direct ? s->req_align : 1;
    return 0;

fail:
    close(s->fd);
    s->fd = -1;
    return ret;
}

static void file_close(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;

    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->temporary) {
        unlink(s->path);
    }
    g_rw_lock_clear(&s->rmw_lock);
    g_free(s->path);
}

int bdrv_file_fstat(BlockDriverState *bs, struct stat *st)
{
    BDRVFileState *s = bs->opaque;

    if (bs->drv != &bdrv_file) {
        return -ENOTSUP;
    }
    return fstat(s->fd, st) < 0 ? -errno : 0;
}

/* ---- I/O ------------------------------------------------------------------ */

/*
 * preadv/pwritev the whole vector, retrying short transfers. A read that
 * hits the end of the file fills the rest with zeroes.
 */
static int file_do_rw(int fd, bool write, int64_t offset, struct iovec *iov,
                      int niov)
{
    while (niov) {
        int cnt = MIN(niov, IOV_MAX);
        ssize_t n = write ? pwritev(fd, iov, cnt, offset)
                          : preadv(fd, iov, cnt, offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            if (write) {
                return -EIO;
            }
            for (int i = 0; i < niov; i++) {
                memset(iov[i].iov_base, 0, iov[i].iov_len);
            }
            return 0;
        }
        offset += n;
        while (niov && (size_t)n >= iov->iov_len) {
            n -= iov->iov_len;
            iov++;
            niov--;
        }
        if (n) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= n;
        }
    }
    return 0;
}

static int file_rw_direct_bounce(BDRVFileState *s, bool write,
                                 int64_t offset, int64_t bytes,
                                 IOVector *qiov, size_t qoff)
{
    int64_t start = ROUND_DOWN(offset, (int64_t)s->req_align);
    int64_t end = ROUND_UP(offset + bytes, (int64_t)s->req_align);
    size_t len = end - start;
    void *buf = NULL;
    struct iovec iov;
    int ret;

    if (posix_memalign(&buf, MAX(s->buf_align, s->req_align), len)) {
        return -ENOMEM;
    }
    iov.iov_base = buf;
    iov.iov_len = len;
    if (!write) {
        ret = file_do_rw(s->fd, false, start, &iov, 1);
        if (ret >= 0) {
            iovec_from_buf(qiov, qoff, (char *)buf + (offset - start), bytes);
        }
        free(buf);
        return ret;
    }
    g_rw_lock_writer_lock(&s->rmw_lock);
    ret = 0;
    if (start != offset || end != offset + bytes) {
        ret = file_do_rw(s->fd, false, start, &iov, 1);
        iov.iov_base = buf;
        iov.iov_len = len;
    }
    if (ret >= 0) {
        iovec_to_buf(qiov, qoff, (char *)buf + (offset - start), bytes);
        ret = file_do_rw(s->fd, true, start, &iov, 1);
    }
    g_rw_lock_writer_unlock(&s->rmw_lock);
    free(buf);
    return ret;
}

static int file_rw(BlockDriverState *bs, bool write, int64_t offset,
                   int64_t bytes, IOVector *qiov, size_t qoff)
{
    BDRVFileState *s = bs->opaque;
    IOVector v;
    int ret;

    iovec_init(&v, qiov->niov);
    iovec_concat(&v, qiov, qoff, bytes);
    if (s->direct) {
        if ((offset | bytes) & (s->req_align - 1) ||
            !iovec_is_aligned(&v, s->buf_align)) {
            iovec_destroy(&v);
            return file_rw_direct_bounce(s, write, offset, bytes, qiov, qoff);
        }
        if (write) {
            g_rw_lock_reader_lock(&s->rmw_lock);
        }
    }
    ret = file_do_rw(s->fd, write, offset, v.iov, v.niov);
    if (s->direct && write) {
        g_rw_lock_reader_unlock(&s->rmw_lock);
    }
    iovec_destroy(&v);
    return ret;
}

static int file_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       IOVector *qiov, size_t qoff, int flags)
{
    return file_rw(bs, false, offset, bytes, qiov, qoff);
}

static int file_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        IOVector *qiov, size_t qoff, int flags)
{
    return file_rw(bs, true, offset, bytes, qiov, qoff);
}

static int file_flush(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;

    if (s->no_flush) {
        return 0;
    }
    return fdatasync(s->fd) < 0 ? -errno : 0;
}

static int64_t file_getlength(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;
    struct stat st;

    if (s->is_blockdev) {
        off_t end = lseek(s->fd, 0, SEEK_END);
        return end < 0 ? -errno : end;
    }
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return st.st_size;
}

static int64_t file_get_allocated_file_size(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

static int file_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVFileState *s = bs->opaque;

    if (s->is_blockdev) {
        uint64_t range[2] = { offset, bytes };
        return ioctl(s->fd, BLKDISCARD, range) < 0 ? -ENOTSUP : 0;
    }
    if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  offset, bytes) < 0) {
        return errno == EOPNOTSUPP ? -ENOTSUP : -errno;
    }
    return 0;
}

static int file_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, int flags)
{
    BDRVFileState *s = bs->opaque;
    int64_t len = file_getlength(bs);
    int64_t end = offset + bytes;
    int64_t inside;

    if (len < 0) {
        return len;
    }
    if (s->is_blockdev) {
        uint64_t range[2] = { offset, bytes };
        return ioctl(s->fd, BLKZEROOUT, range) < 0 ? -ENOTSUP : 0;
    }
    /* The part inside the file: a hole, or zeroed extents. */
    inside = MIN(end, len) - offset;
    if (inside > 0) {
        int mode = (flags & BDRV_REQ_MAY_UNMAP)
                   ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
                   : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
        if (fallocate(s->fd, mode, offset, inside) < 0) {
            return (errno == EOPNOTSUPP || errno == EINVAL) ? -ENOTSUP
                                                            : -errno;
        }
    }
    /* Beyond the end: growing the file reads back zeroes. */
    if (end > len && ftruncate(s->fd, end) < 0) {
        return -errno;
    }
    return 0;
}

static int file_preallocate(int fd, int64_t from, int64_t to,
                            PreallocMode prealloc, GError **errp,
                            const char *name)
{
    int ret;

    if (to <= from || prealloc == PREALLOC_MODE_OFF ||
        prealloc == PREALLOC_MODE_METADATA) {
        return 0;
    }
    if (prealloc == PREALLOC_MODE_FALLOC) {
        ret = posix_fallocate(fd, from, to - from);
        if (ret) {
            error_setg_errno(errp, ret, "Could not preallocate data for "
                             "'%s'", name);
            return -ret;
        }
        return 0;
    }
    /* full: write zeroes so every block is really allocated */
    {
        size_t chunk = 1 * MiB;
        g_autofree char *zero = g_malloc0(chunk);
        for (int64_t off = from; off < to; off += chunk) {
            struct iovec iov = { zero, MIN((int64_t)chunk, to - off) };
            ret = file_do_rw(fd, true, off, &iov, 1);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not write zeroes for "
                                 "preallocation of '%s'", name);
                return ret;
            }
        }
    }
    return 0;
}

static int file_truncate(BlockDriverState *bs, int64_t size, bool exact,
                         PreallocMode prealloc, GError **errp)
{
    BDRVFileState *s = bs->opaque;
    int64_t len = file_getlength(bs);

    if (len < 0) {
        error_setg_errno(errp, -len, "Could not get the size of '%s'",
                         bs->filename);
        return len;
    }
    if (s->is_blockdev) {
        if (size > len || (exact && size != len)) {
            error_setg(errp, "Cannot grow device files");
            return -ENOTSUP;
        }
        return 0;
    }
    if (!exact && size <= len) {
        return 0;
    }
    if (ftruncate(s->fd, size) < 0) {
        int ret = -errno;
        error_setg_errno(errp, -ret, "Failed to resize '%s'", bs->filename);
        return ret;
    }
    return file_preallocate(s->fd, len, size, prealloc, errp, bs->filename);
}

static int file_block_status(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int64_t *pnum, int64_t *map,
                             BlockDriverState **file)
{
    BDRVFileState *s = bs->opaque;
    off_t data, hole;
    int ret = BDRV_BLOCK_OFFSET_VALID | BDRV_BLOCK_ALLOCATED;

    *map = offset;
    *file = bs;
    *pnum = bytes;
    if (s->is_blockdev) {
        return ret | BDRV_BLOCK_DATA;
    }
    data = lseek(s->fd, offset, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) {
            /* Only a hole after offset: reads back zeroes. */
            return ret | BDRV_BLOCK_ZERO;
        }
        return ret | BDRV_BLOCK_DATA;   /* no SEEK_DATA: assume data */
    }
    if (data > offset) {
        *pnum = MIN(bytes, data - offset);
        return ret | BDRV_BLOCK_ZERO;
    }
    hole = lseek(s->fd, offset, SEEK_HOLE);
    if (hole > offset) {
        *pnum = MIN(bytes, hole - offset);
    }
    return ret | BDRV_BLOCK_DATA;
}

bool bdrv_file_create(const char *filename, int64_t size,
                      PreallocMode prealloc, GError **errp)
{
    int fd, ret;

    if (size < 0) {
        error_setg(errp, "Image size must be a non-negative number");
        return false;
    }
    /* No O_TRUNC: an image in use must survive our lock failure. */
    fd = open(filename, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", filename);
        return false;
    }
    ret = lock_for_flags(fd, filename, BDRV_O_RDWR, NULL, errp);
    if (ret < 0) {
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "Could not resize file '%s'", filename);
        close(fd);
        return false;
    }
    ret = file_preallocate(fd, 0, size, prealloc, errp, filename);
    close(fd);
    return ret >= 0;
}

static const BlockCreateOpt file_create_opts[] = {
    { "size", CREATE_OPT_SIZE, "Virtual disk size" },
    { "preallocation", CREATE_OPT_STRING,
      "Preallocation mode (allowed values: off, falloc, full)" },
    { NULL }
};

static bool file_create(const char *filename, GHashTable *opts,
                        GError **errp)
{
    g_autofree char *p = bdrv_opts_take(opts, "preallocation");
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    uint64_t size;

    if (!bdrv_opts_take_size(opts, "size", 0, &size, errp)) {
        return false;
    }
    if (p && (!prealloc_mode_parse(p, &prealloc) ||
              prealloc == PREALLOC_MODE_METADATA)) {
        error_setg(errp, "Invalid preallocation mode: '%s'", p);
        return false;
    }
    if (g_hash_table_size(opts)) {
        g_autoptr(GList) keys = g_hash_table_get_keys(opts);
        error_setg(errp, "Invalid parameter '%s'", (char *)keys->data);
        return false;
    }
    return bdrv_file_create(filename, size, prealloc, errp);
}

BlockDriver bdrv_file = {
    .format_name = "file",
    .instance_size = sizeof(BDRVFileState),
    .is_protocol = true,
    .open = file_open,
    .close = file_close,
    .preadv = file_preadv,
    .pwritev = file_pwritev,
    .pwrite_zeroes = file_pwrite_zeroes,
    .pdiscard = file_pdiscard,
    .flush = file_flush,
    .getlength = file_getlength,
    .get_allocated_file_size = file_get_allocated_file_size,
    .truncate = file_truncate,
    .block_status = file_block_status,
    .create_opts = file_create_opts,
    .create = file_create,
};
