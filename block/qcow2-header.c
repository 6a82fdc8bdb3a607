/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 header: parsing with every field checked, header extensions
 * (spec: "Header extensions"), and rewriting the first cluster.
 *
 * The first cluster holds the fixed header, the extensions (each
 * type/length/data padded to 8 bytes, ended by type 0) and the backing
 * file name. Unknown extensions are kept and written back unchanged;
 * unknown incompatible feature bits refuse the open; unknown autoclear
 * bits are cleared when the image is opened for writing (qcow2.c).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/qcow2.h"

/* Names for the feature name table we write (spec: "Feature name table"). */
static const Qcow2Feature known_features[] = {
    { 0, 0, "dirty bit" },
    { 0, 1, "corrupt bit" },
    { 0, 2, "external data file" },
    { 0, 3, "compression type" },
    { 0, 4, "extended L2 entries" },
    { 1, 0, "lazy refcounts" },
    { 2, 0, "bitmaps" },
    { 2, 1, "raw external data" },
};

const char *qcow2_feature_name(BDRVQcow2State *s, int type, int bit)
{
    for (unsigned i = 0; s->features && i < s->features->len; i++) {
        Qcow2Feature *f = &g_array_index(s->features, Qcow2Feature, i);
        if (f->type == type && f->bit == bit && f->name[0]) {
            return f->name;
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(known_features); i++) {
        if (known_features[i].type == type && known_features[i].bit == bit) {
            return known_features[i].name;
        }
    }
    return NULL;
}

static void unknown_ext_free(gpointer p)
{
    Qcow2UnknownExt *e = p;

    g_free(e->data);
    g_free(e);
}

void qcow2_free_header_state(BDRVQcow2State *s)
{
    if (s->unknown_exts) {
        g_ptr_array_free(s->unknown_exts, true);
        s->unknown_exts = NULL;
    }
    if (s->features) {
        g_array_free(s->features, true);
        s->features = NULL;
    }
}

/* A string from the image: no NUL inside, at most max bytes. */
static char *image_string(const uint8_t *p, size_t len)
{
    if (memchr(p, 0, len)) {
        return NULL;
    }
    return g_strndup((const char *)p, len);
}

static bool parse_extensions(BlockDriverState *bs, const uint8_t *hdr,
                             uint64_t start, uint64_t end, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = start;

    s->unknown_exts = g_ptr_array_new_with_free_func(unknown_ext_free);
    s->features = g_array_new(false, true, sizeof(Qcow2Feature));
    while (off + 8 <= end) {
        uint32_t type = ldl_be_p(hdr + off);
        uint32_t len = ldl_be_p(hdr + off + 4);
        const uint8_t *data = hdr + off + 8;

        off += 8;
        if (type == QCOW2_EXT_END) {
            return true;
        }
        if (len > end - off) {
            error_setg(errp, "qcow2: header extension 0x%08x is too large "
                       "(%u bytes at offset %" PRIu64 ")", type, len,
                       off - 8);
            return false;
        }
        switch (type) {
        case QCOW2_EXT_BACKING_FORMAT:
            g_free(bs->backing_format);
            bs->backing_format = NULL;
            if (len > 31 || !(bs->backing_format = image_string(data, len))) {
                error_setg(errp, "qcow2: invalid backing format header "
                           "extension");
                return false;
            }
            break;
        case QCOW2_EXT_FEATURE_TABLE:
            for (uint32_t i = 0; i + 48 <= len; i += 48) {
                Qcow2Feature f = { .type = data[i], .bit = data[i + 1] };
                memcpy(f.name, data + i + 2, 46);
                f.name[46] = 0;
                g_array_append_val(s->features, f);
            }
            break;
        case QCOW2_EXT_CRYPTO:
            error_setg(errp, "Encrypted qcow2 images are not supported by "
                       "Ember");
            return false;
        case QCOW2_EXT_DATA_FILE:
            error_setg(errp, "qcow2 images with an external data file are "
                       "not supported by Ember");
            return false;
        default: {
            Qcow2UnknownExt *e = g_new0(Qcow2UnknownExt, 1);
            if (type == QCOW2_EXT_BITMAPS) {
                s->has_bitmaps_ext = true;
            }
            e->type = type;
            e->len = len;
            e->data = g_memdup2(data, len);
            g_ptr_array_add(s->unknown_exts, e);
            break;
        }
        }
        off += ROUND_UP((uint64_t)len, 8);
    }
    /* Ran into the end without a terminator: tolerated, as QEMU does. */
    return true;
}

static bool table_ok(uint64_t offset, uint64_t entries, uint64_t entry_size,
                     uint64_t max_bytes, uint32_t cluster_size,
                     int64_t file_len)
{
    uint64_t bytes = entries * entry_size;

    if (entries > max_bytes / entry_size) {
        return false;
    }
    if (offset & (cluster_size - 1)) {
        return false;
    }
    if (bytes && (offset > (uint64_t)INT64_MAX - bytes ||
                  offset + bytes > (uint64_t)file_len)) {
        return false;
    }
    return true;
}

static void unsupported_features(BDRVQcow2State *s, uint64_t mask,
                                 GError **errp)
{
    g_autoptr(GString) str = g_string_new(NULL);

    for (int bit = 0; bit < 64; bit++) {
        const char *name;
        if (!(mask & ((uint64_t)1 << bit))) {
            continue;
        }
        name = qcow2_feature_name(s, 0, bit);
        if (str->len) {
            g_string_append(str, ", ");
        }
        if (name) {
            g_string_append(str, name);
        } else {
            g_string_append_printf(str, "Unknown incompatible feature: "
                                   "%" PRIx64, (uint64_t)1 << bit);
        }
    }
    error_setg(errp, "Unsupported qcow2 feature(s): %s", str->str);
}

int qcow2_read_header(BlockDriverState *bs, bool check_mode, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len = bdrv_getlength(bs->file);
    uint8_t fixed[QCOW2_HEADER_V3_LEN + 8];
    g_autofree uint8_t *hdr = NULL;
    uint32_t crypt, cbits;
    uint64_t ext_end, need;
    int ret;

    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get the image size");
        return file_len;
    }
    memset(fixed, 0, sizeof(fixed));
    ret = bdrv_pread(bs->file, 0, sizeof(fixed), fixed);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    if (file_len < 8 || ldl_be_p(fixed) != QCOW2_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    if (file_len < QCOW2_HEADER_V2_LEN) {
        error_setg(errp, "qcow2 image is truncated: the file ends inside "
                   "the header");
        return -EINVAL;
    }
    s->version = ldl_be_p(fixed + 4);
    if (s->version < 2 || s->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %u", s->version);
        return -ENOTSUP;
    }
    cbits = ldl_be_p(fixed + 20);
    if (cbits < QCOW2_MIN_CLUSTER_BITS || cbits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%u", cbits);
        return -EINVAL;
    }
    s->cluster_bits = cbits;
    s->cluster_size = 1u << cbits;
    s->header_length = s->version == 2 ? QCOW2_HEADER_V2_LEN
                                       : ldl_be_p(fixed + 100);
    if (s->version == 3 && s->header_length < QCOW2_HEADER_V3_LEN) {
        error_setg(errp, "qcow2 header too short (%u bytes)",
                   s->header_length);
        return -EINVAL;
    }
    if (s->header_length > s->cluster_size) {
        error_setg(errp, "qcow2 header exceeds cluster size");
        return -EINVAL;
    }
    if ((uint64_t)file_len < s->header_length) {
        error_setg(errp, "qcow2 image is truncated: the file ends inside "
                   "the header");
        return -EINVAL;
    }
    hdr = g_malloc0(s->cluster_size);
    ret = bdrv_pread(bs->file, 0, MIN((int64_t)s->cluster_size, file_len),
                     hdr);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }

    s->backing_file_offset = ldq_be_p(hdr + 8);
    s->backing_file_size = ldl_be_p(hdr + 16);
    s->disk_size = ldq_be_p(hdr + 24);
    crypt = ldl_be_p(hdr + 32);
    s->l1_size = ldl_be_p(hdr + 36);
    s->l1_table_offset = ldq_be_p(hdr + 40);
    s->refcount_table_offset = ldq_be_p(hdr + 48);
    s->refcount_table_clusters = ldl_be_p(hdr + 56);
    s->nb_snapshots = ldl_be_p(hdr + 60);
    s->snapshots_offset = ldq_be_p(hdr + 64);
    if (s->version == 3) {
        s->incompatible_features = ldq_be_p(hdr + 72);
        s->compatible_features = ldq_be_p(hdr + 80);
        s->autoclear_features = ldq_be_p(hdr + 88);
        s->refcount_order = ldl_be_p(hdr + 96);
        s->compression_type = s->header_length > 104 ? hdr[104] : 0;
    } else {
        s->incompatible_features = 0;
        s->compatible_features = 0;
        s->autoclear_features = 0;
        s->refcount_order = 4;
        s->compression_type = 0;
    }

    if (crypt) {
        error_setg(errp, "Encrypted qcow2 images are not supported by Ember "
                   "(encryption method %u)", crypt);
        return -ENOTSUP;
    }

    /* Extensions end where the backing file name starts, if it does. */
    ext_end = s->cluster_size;
    if (s->backing_file_offset) {
        if (s->backing_file_offset > s->cluster_size ||
            s->backing_file_size > s->cluster_size - s->backing_file_offset) {
            error_setg(errp, "Invalid backing file offset");
            return -EINVAL;
        }
        if (s->backing_file_size > QCOW2_MAX_BACKING_NAME) {
            error_setg(errp, "Backing file name too long");
            return -EINVAL;
        }
        ext_end = s->backing_file_offset;
    }
    if (ext_end < s->header_length) {
        ext_end = s->header_length;
    }
    if (!parse_extensions(bs, hdr, s->header_length, ext_end, errp)) {
        return -EINVAL;
    }

    if (s->incompatible_features & ~QCOW2_INCOMPAT_SUPPORTED) {
        unsupported_features(s, s->incompatible_features &
                             ~QCOW2_INCOMPAT_SUPPORTED, errp);
        return -ENOTSUP;
    }
    if (s->compression_type != 0) {
        error_setg(errp, "qcow2: compression type %d (zstd) is not "
                   "supported by Ember", s->compression_type);
        return -ENOTSUP;
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        (bs->open_flags & BDRV_O_RDWR) && !check_mode) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return -EACCES;
    }
    if ((unsigned)s->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not "
                   "exceed 64 bits");
        return -EINVAL;
    }

    /* Geometry. */
    s->l2_bits = s->cluster_bits - 3;
    s->l2_size = 1u << s->l2_bits;
    s->refcount_bits = 1 << s->refcount_order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX
                      : (1ull << s->refcount_bits) - 1;
    s->refblock_bits = s->cluster_bits + 3 - s->refcount_order;
    s->refblock_size = 1u << s->refblock_bits;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ull << (s->cluster_bits - 8)) - 1;
    s->coffset_mask = (1ull << s->csize_shift) - 1;
    s->refcount_table_size = 0;

    /* Tables: aligned, bounded, inside the file. */
    need = qcow2_l1_entries_for(s->cluster_bits, s->disk_size);
    if (s->disk_size > INT64_MAX ||
        need > QCOW2_MAX_L1_BYTES / sizeof(uint64_t)) {
        error_setg(errp, "Image is too big (virtual size %" PRIu64 ")",
                   s->disk_size);
        return -EFBIG;
    }
    if (s->l1_size < need) {
        error_setg(errp, "L1 table is too small");
        return -EINVAL;
    }
    if (!table_ok(s->l1_table_offset, s->l1_size, 8, QCOW2_MAX_L1_BYTES,
                  s->cluster_size, file_len)) {
        error_setg(errp, s->l1_size > QCOW2_MAX_L1_BYTES / 8
                   ? "Active L1 table too large"
                   : "Invalid L1 table offset or size (table outside the "
                     "image file)");
        return -EINVAL;
    }
    if (!s->refcount_table_clusters ||
        !table_ok(s->refcount_table_offset,
                  (uint64_t)s->refcount_table_clusters << (s->cluster_bits - 3),
                  8, QCOW2_MAX_REFTABLE_BYTES, s->cluster_size, file_len)) {
        error_setg(errp, "Invalid reference count table offset or size");
        return -EINVAL;
    }
    s->refcount_table_size = s->refcount_table_clusters << (s->cluster_bits - 3);
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS) {
        error_setg(errp, "Too many snapshots (%u)", s->nb_snapshots);
        return -EINVAL;
    }
    if (s->nb_snapshots &&
        (s->snapshots_offset & (s->cluster_size - 1) ||
         s->snapshots_offset >= (uint64_t)file_len)) {
        error_setg(errp, "Invalid snapshot table offset");
        return -EINVAL;
    }

    if (s->backing_file_offset) {
        char *name = image_string(hdr + s->backing_file_offset,
                                  s->backing_file_size);
        if (!name || !*name) {
            g_free(name);
            error_setg(errp, "Invalid backing file name in qcow2 header");
            return -EINVAL;
        }
        bs->backing_file = name;
    } else if (bs->backing_format) {
        /* A backing format without a backing file means nothing. */
        g_clear_pointer(&bs->backing_format, g_free);
    }
    return 0;
}

/* The fixed header, as it goes on disk. */
static void serialize_fixed(BDRVQcow2State *s, uint8_t *h)
{
    stl_be_p(h, QCOW2_MAGIC);
    stl_be_p(h + 4, s->version);
    stq_be_p(h + 8, s->backing_file_offset);
    stl_be_p(h + 16, s->backing_file_size);
    stl_be_p(h + 20, s->cluster_bits);
    stq_be_p(h + 24, s->disk_size);
    stl_be_p(h + 32, 0);
    stl_be_p(h + 36, s->l1_size);
    stq_be_p(h + 40, s->l1_table_offset);
    stq_be_p(h + 48, s->refcount_table_offset);
    stl_be_p(h + 56, s->refcount_table_clusters);
    stl_be_p(h + 60, s->nb_snapshots);
    stq_be_p(h + 64, s->snapshots_offset);
    if (s->version >= 3) {
        stq_be_p(h + 72, s->incompatible_features);
        stq_be_p(h + 80, s->compatible_features);
        stq_be_p(h + 88, s->autoclear_features);
        stl_be_p(h + 96, s->refcount_order);
        stl_be_p(h + 100, s->header_length);
        h[104] = s->compression_type;
    }
}

int qcow2_write_header_field(BlockDriverState *bs, size_t off, size_t len)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t h[112];

    memset(h, 0, sizeof(h));
    assert(off + len <= sizeof(h));
    serialize_fixed(s, h);
    return bdrv_pwrite(bs->file, off, len, h + off);
}

static size_t put_ext(uint8_t *buf, size_t pos, size_t end, uint32_t type,
                      const void *data, uint32_t len)
{
    size_t need = 8 + ROUND_UP((size_t)len, 8);

    if (pos + need > end) {
        return 0;
    }
    stl_be_p(buf + pos, type);
    stl_be_p(buf + pos + 4, len);
    memcpy(buf + pos + 8, data, len);
    return pos + need;
}

int qcow2_update_header(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    size_t cs = s->cluster_size;
    g_autofree uint8_t *buf = g_malloc0(cs);
    size_t pos;
    size_t blen = bs->backing_file ? strlen(bs->backing_file) : 0;

    if (s->version >= 3) {
        s->header_length = 112;
    }
    pos = s->version >= 3 ? 112 : QCOW2_HEADER_V2_LEN;

    if (bs->backing_file && bs->backing_format) {
        pos = put_ext(buf, pos, cs, QCOW2_EXT_BACKING_FORMAT,
                      bs->backing_format, strlen(bs->backing_format));
        if (!pos) {
            return -ENOSPC;
        }
    }
    if (s->version >= 3) {
        uint8_t table[ARRAY_SIZE(known_features) * 48];
        memset(table, 0, sizeof(table));
        for (unsigned i = 0; i < ARRAY_SIZE(known_features); i++) {
            table[i * 48] = known_features[i].type;
            table[i * 48 + 1] = known_features[i].bit;
            strncpy((char *)table + i * 48 + 2, known_features[i].name, 46);
        }
        pos = put_ext(buf, pos, cs, QCOW2_EXT_FEATURE_TABLE, table,
                      sizeof(table));
        if (!pos) {
            return -ENOSPC;
        }
    }
    for (unsigned i = 0; s->unknown_exts && i < s->unknown_exts->len; i++) {
        Qcow2UnknownExt *e = g_ptr_array_index(s->unknown_exts, i);
        pos = put_ext(buf, pos, cs, e->type, e->data, e->len);
        if (!pos) {
            return -ENOSPC;
        }
    }
    /* end of extensions */
    if (pos + 8 > cs) {
        return -ENOSPC;
    }
    pos += 8;
    if (blen) {
        if (blen > QCOW2_MAX_BACKING_NAME || pos + blen > cs) {
            return -ENOSPC;
        }
        memcpy(buf + pos, bs->backing_file, blen);
        s->backing_file_offset = pos;
        s->backing_file_size = blen;
        pos += blen;
    } else {
        s->backing_file_offset = 0;
        s->backing_file_size = 0;
    }
    serialize_fixed(s, buf);
    /*
     * One write of the used part of the first cluster. The rest of the
     * cluster keeps whatever it had; nothing reads past the terminator.
     */
    return bdrv_pwrite(bs->file, 0, ROUND_UP(pos, 512), buf);
}
