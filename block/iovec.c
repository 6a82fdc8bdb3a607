/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scatter-gather vectors: see include/block/iovec.h. */
#include "ember/osdep.h"
#include "block/iovec.h"

void iovec_init(IOVector *v, int hint)
{
    memset(v, 0, sizeof(*v));
    v->nalloc = MAX(hint, 1);
    v->iov = g_new(struct iovec, v->nalloc);
}

void iovec_init_buf(IOVector *v, void *buf, size_t len)
{
    memset(v, 0, sizeof(*v));
    v->local.iov_base = buf;
    v->local.iov_len = len;
    v->iov = &v->local;
    v->niov = 1;
    v->size = len;
}

void iovec_add(IOVector *v, void *base, size_t len)
{
    if (!len) {
        return;
    }
    /* Merge with the previous element when contiguous. */
    if (v->niov && (char *)v->iov[v->niov - 1].iov_base +
        v->iov[v->niov - 1].iov_len == (char *)base) {
        v->iov[v->niov - 1].iov_len += len;
        v->size += len;
        return;
    }
    if (!v->nalloc) {
        /* Turn a fixed vector into a growable one. */
        struct iovec *n = g_new(struct iovec, v->niov + 4);
        memcpy(n, v->iov, v->niov * sizeof(*n));
        v->iov = n;
        v->nalloc = v->niov + 4;
    } else if (v->niov == v->nalloc) {
        v->nalloc *= 2;
        v->iov = g_renew(struct iovec, v->iov, v->nalloc);
    }
    v->iov[v->niov].iov_base = base;
    v->iov[v->niov].iov_len = len;
    v->niov++;
    v->size += len;
}

void iovec_concat(IOVector *dst, const IOVector *src, size_t off, size_t len)
{
    for (int i = 0; i < src->niov && len; i++) {
        size_t l = src->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        l = MIN(l - off, len);
        iovec_add(dst, (char *)src->iov[i].iov_base + off, l);
        len -= l;
        off = 0;
    }
}

void iovec_reset(IOVector *v)
{
    v->niov = 0;
    v->size = 0;
}

void iovec_destroy(IOVector *v)
{
    if (v->nalloc) {
        g_free(v->iov);
    }
    memset(v, 0, sizeof(*v));
}

size_t iovec_to_buf(const IOVector *v, size_t off, void *buf, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < v->niov && done < len; i++) {
        size_t l = v->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        l = MIN(l - off, len - done);
        memcpy((char *)buf + done, (char *)v->iov[i].iov_base + off, l);
        done += l;
        off = 0;
    }
    return done;
}

size_t iovec_from_buf(IOVector *v, size_t off, const void *buf, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < v->niov && done < len; i++) {
        size_t l = v->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        l = MIN(l - off, len - done);
        memcpy((char *)v->iov[i].iov_base + off, (const char *)buf + done, l);
        done += l;
        off = 0;
    }
    return done;
}

size_t iovec_memset(IOVector *v, size_t off, int c, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < v->niov && done < len; i++) {
        size_t l = v->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        l = MIN(l - off, len - done);
        memset((char *)v->iov[i].iov_base + off, c, l);
        done += l;
        off = 0;
    }
    return done;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    /* Check a head by bytes, then compare the rest against itself. */
    while (len && ((uintptr_t)p & 7)) {
        if (*p) {
            return false;
        }
        p++;
        len--;
    }
    while (len >= 64) {
        const uint64_t *q = (const uint64_t *)p;
        if (q[0] | q[1] | q[2] | q[3] | q[4] | q[5] | q[6] | q[7]) {
            return false;
        }
        p += 64;
        len -= 64;
    }
    while (len) {
        if (*p) {
            return false;
        }
        p++;
        len--;
    }
    return true;
}

bool iovec_is_zero(const IOVector *v, size_t off, size_t len)
{
    for (int i = 0; i < v->niov && len; i++) {
        size_t l = v->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        l = MIN(l - off, len);
        if (!buffer_is_zero((char *)v->iov[i].iov_base + off, l)) {
            return false;
        }
        len -= l;
        off = 0;
    }
    return true;
}

bool iovec_is_aligned(const IOVector *v, size_t align)
{
    for (int i = 0; i < v->niov; i++) {
        if (((uintptr_t)v->iov[i].iov_base | v->iov[i].iov_len) &
            (align - 1)) {
            return false;
        }
    }
    return true;
}
