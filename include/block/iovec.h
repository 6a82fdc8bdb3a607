/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scatter-gather vectors for block requests.
 *
 * An IOVector is a growable array of struct iovec plus its total size.
 * Requests carry (IOVector *qiov, size_t qiov_offset, bytes): the bytes
 * at qiov_offset.. of the vector, so a layer can hand a slice of its
 * caller's vector down without copying.
 */
#ifndef BLOCK_IOVEC_H
#define BLOCK_IOVEC_H

#include "ember/osdep.h"
#include <sys/uio.h>

typedef struct IOVector {
    struct iovec *iov;
    int niov;
    int nalloc;         /* 0: iov points at 'local' or caller memory */
    size_t size;
    struct iovec local;
} IOVector;

void iovec_init(IOVector *v, int hint);
/* A one-element vector over buf; needs no iovec_destroy (harmless). */
void iovec_init_buf(IOVector *v, void *buf, size_t len);
void iovec_add(IOVector *v, void *base, size_t len);
/* Append the slice [off, off + len) of src to dst. */
void iovec_concat(IOVector *dst, const IOVector *src, size_t off, size_t len);
void iovec_reset(IOVector *v);
void iovec_destroy(IOVector *v);

/* Copy between the vector (from byte off) and a flat buffer. */
size_t iovec_to_buf(const IOVector *v, size_t off, void *buf, size_t len);
size_t iovec_from_buf(IOVector *v, size_t off, const void *buf, size_t len);
size_t iovec_memset(IOVector *v, size_t off, int c, size_t len);
bool iovec_is_zero(const IOVector *v, size_t off, size_t len);
/* Every element's base and length aligned to 'align' (a power of two). */
bool iovec_is_aligned(const IOVector *v, size_t align);

bool buffer_is_zero(const void *buf, size_t len);

#endif
