/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 internal snapshots (spec: "Snapshots").
 *
 * The snapshot table is parsed with every size checked, kept, and
 * written back when snapshots are created or deleted. A snapshot is a
 * copy of the L1 table; creating one adds a reference to every L2 table
 * and data cluster it reaches (so they lose QCOW_OFLAG_COPIED and the
 * next write copies them), deleting one drops those references.
 * VM state is never saved: vm_state_size is 0 in snapshots made here.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/qcow2.h"
#include <time.h>

#define SN_HEADER_LEN 40

void qcow2_free_snapshots(BDRVQcow2State *s)
{
    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        g_free(s->snapshots[i].id_str);
        g_free(s->snapshots[i].name);
        g_free(s->snapshots[i].extra_data);
    }
    g_free(s->snapshots);
    s->snapshots = NULL;
}

static uint64_t entry_size(const Qcow2Snapshot *sn)
{
    return ROUND_UP(SN_HEADER_LEN + (uint64_t)sn->extra_data_size +
                    strlen(sn->id_str) + strlen(sn->name), 8);
}

uint64_t qcow2_snapshot_table_size(BDRVQcow2State *s)
{
    uint64_t n = 0;

    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        n += entry_size(&s->snapshots[i]);
    }
    return n;
}

int qcow2_read_snapshots(BlockDriverState *bs, GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len = bdrv_getlength(bs->file);
    uint64_t off = s->snapshots_offset;
    Qcow2Snapshot *sns;
    int ret;

    if (!s->nb_snapshots) {
        return 0;
    }
    if (file_len < 0) {
        error_setg(errp, "Could not get the image size");
        return file_len;
    }
    sns = g_new0(Qcow2Snapshot, s->nb_snapshots);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &sns[i];
        uint8_t h[SN_HEADER_LEN];
        uint16_t id_len, name_len;
        g_autofree char *id = NULL, *name = NULL;

        if (off - s->snapshots_offset > QCOW2_MAX_SNAPSHOT_TABLE ||
            off + SN_HEADER_LEN > (uint64_t)file_len) {
            error_setg(errp, "Snapshot table is truncated or too large");
            ret = -EINVAL;
            goto fail;
        }
        ret = bdrv_pread(bs->file, off, SN_HEADER_LEN, h);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read the snapshot table");
            goto fail;
        }
        sn->l1_table_offset = ldq_be_p(h);
        sn->l1_size = ldl_be_p(h + 8);
        id_len = lduw_be_p(h + 12);
        name_len = lduw_be_p(h + 14);
        sn->date_sec = ldl_be_p(h + 16);
        sn->date_nsec = ldl_be_p(h + 20);
        sn->vm_clock_nsec = ldq_be_p(h + 24);
        sn->vm_state_size = ldl_be_p(h + 32);
        sn->extra_data_size = ldl_be_p(h + 36);
        sn->icount = UINT64_MAX;
        sn->disk_size = s->disk_size;
        off += SN_HEADER_LEN;
        if (sn->extra_data_size > QCOW2_MAX_SNAPSHOT_EXTRA) {
            error_setg(errp, "Too much extra metadata in snapshot table "
                       "entry %u", i);
            ret = -EFBIG;
            goto fail;
        }
        if (off + sn->extra_data_size + id_len + name_len >
            (uint64_t)file_len) {
            error_setg(errp, "Snapshot table is truncated");
            ret = -EINVAL;
            goto fail;
        }
        sn->extra_data = g_malloc0(MAX(sn->extra_data_size, 1));
        ret = bdrv_pread(bs->file, off, sn->extra_data_size, sn->extra_data);
        if (ret < 0) {
            goto io_fail;
        }
        if (sn->extra_data_size >= 8) {
            sn->vm_state_size = ldq_be_p(sn->extra_data);
        }
        if (sn->extra_data_size >= 16) {
            sn->disk_size = ldq_be_p(sn->extra_data + 8);
        }
        if (sn->extra_data_size >= 24) {
            sn->icount = ldq_be_p(sn->extra_data + 16);
        }
        off += sn->extra_data_size;
        id = g_malloc0(id_len + 1);
        name = g_malloc0(name_len + 1);
        ret = bdrv_pread(bs->file, off, id_len, id);
        if (ret >= 0) {
            ret = bdrv_pread(bs->file, off + id_len, name_len, name);
        }
        if (ret < 0) {
            goto io_fail;
        }
        /* NULs inside would truncate; keep them printable strings. */
        sn->id_str = g_strndup(id, id_len);
        sn->name = g_strndup(name, name_len);
        off += id_len + name_len;
        off = ROUND_UP(off, 8);
        if (sn->l1_size > QCOW2_MAX_L1_BYTES / 8 ||
            qcow2_offset_into_cluster(s, sn->l1_table_offset) ||
            sn->l1_table_offset + (uint64_t)sn->l1_size * 8 >
            (uint64_t)file_len) {
            error_setg(errp, "Snapshot L1 table offset or size invalid "
                       "(snapshot %s)", sn->id_str);
            ret = -EINVAL;
            s->snapshots = sns;
            /* Keep what was parsed, for check. */
            s->nb_snapshots = i + 1;
            return ret;
        }
    }
    s->snapshots = sns;
    return 0;

io_fail:
    error_setg_errno(errp, -ret, "Could not read the snapshot table");
fail:
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        g_free(sns[i].id_str);
        g_free(sns[i].name);
        g_free(sns[i].extra_data);
    }
    g_free(sns);
    s->snapshots = NULL;
    s->nb_snapshots = 0;
    return ret;
}

int qcow2_snapshot_list(BlockDriverState *bs, GPtrArray *list)
{
    BDRVQcow2State *s = bs->opaque;

    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        SnapshotInfo *si = g_new0(SnapshotInfo, 1);

        si->id = g_strdup(sn->id_str);
        si->name = g_strdup(sn->name);
        si->vm_state_size = sn->vm_state_size;
        si->date_sec = sn->date_sec;
        si->date_nsec = sn->date_nsec;
        si->vm_clock_nsec = sn->vm_clock_nsec;
        si->icount = sn->icount;
        si->disk_size = sn->disk_size;
        g_ptr_array_add(list, si);
    }
    return s->nb_snapshots;
}

/* ---- reference updates ------------------------------------------------- */

int qcow2_update_l1_refcounts(BlockDriverState *bs, const uint64_t *l1,
                              uint32_t l1_size, int64_t addend)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & L1E_OFFSET_MASK;
        void *table;
        uint64_t *t;

        if (!l2_off) {
            continue;
        }
        if (qcow2_offset_into_cluster(s, l2_off)) {
            return -EIO;
        }
        ret = qcow2_cache_get(bs, s->l2_cache, l2_off, &table);
        if (ret < 0) {
            return ret;
        }
        t = table;
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = ldq_be_p(t + j), off, len;
            switch (qcow2_get_cluster_type(s, e)) {
            case QCOW2_CLUSTER_NORMAL:
            case QCOW2_CLUSTER_ZERO_ALLOC:
                off = e & L2E_OFFSET_MASK;
                len = s->cluster_size;
                break;
            case QCOW2_CLUSTER_COMPRESSED:
                qcow2_parse_compressed(s, e, &off, &len);
                break;
            default:
                continue;
            }
            ret = qcow2_update_refcount(bs, off, len, addend);
            if (ret < 0) {
                qcow2_cache_put(s->l2_cache, &table);
                return ret;
            }
        }
        qcow2_cache_put(s->l2_cache, &table);
        ret = qcow2_update_refcount(bs, l2_off, s->cluster_size, addend);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

int qcow2_update_copied_flags(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    bool l1_dirty = false;
    int ret;

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l1e = s->l1_table[i];
        uint64_t l2_off = l1e & L1E_OFFSET_MASK, rc;
        void *table;
        uint64_t *t;
        bool dirty = false;

        if (!l2_off) {
            continue;
        }
        ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        if ((rc == 1) != !!(l1e & QCOW_OFLAG_COPIED)) {
            s->l1_table[i] = rc == 1 ? l1e | QCOW_OFLAG_COPIED
                                     : l1e & ~QCOW_OFLAG_COPIED;
            l1_dirty = true;
        }
        ret = qcow2_cache_get(bs, s->l2_cache, l2_off, &table);
        if (ret < 0) {
            return ret;
        }
        t = table;
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = ldq_be_p(t + j);
            Qcow2ClusterType ty = qcow2_get_cluster_type(s, e);
            if (ty != QCOW2_CLUSTER_NORMAL && ty != QCOW2_CLUSTER_ZERO_ALLOC) {
                continue;
            }
            ret = qcow2_get_refcount(bs, (e & L2E_OFFSET_MASK) >>
                                     s->cluster_bits, &rc);
            if (ret < 0) {
                qcow2_cache_put(s->l2_cache, &table);
                return ret;
            }
            if ((rc == 1) != !!(e & QCOW_OFLAG_COPIED)) {
                stq_be_p(t + j, rc == 1 ? e | QCOW_OFLAG_COPIED
                                        : e & ~QCOW_OFLAG_COPIED);
                dirty = true;
            }
        }
        if (dirty) {
            qcow2_cache_mark_dirty(s->l2_cache, table);
        }
        qcow2_cache_put(s->l2_cache, &table);
    }
    ret = qcow2_flush_metadata(bs);
    if (ret < 0) {
        return ret;
    }
    if (l1_dirty) {
        ret = qcow2_sync(bs);
        for (uint32_t i = 0; ret >= 0 && i < s->l1_size; i += 64) {
            ret = qcow2_write_l1_entry(bs, i);
        }
    }
    return ret < 0 ? ret : qcow2_sync(bs);
}

/* ---- table writing ------------------------------------------------------ */

static int write_snapshot_table(BlockDriverState *bs, Qcow2Snapshot *sns,
                                uint32_t nb)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t size = 0, pos = 0;
    uint64_t old_off = s->snapshots_offset;
    uint64_t old_size = qcow2_snapshot_table_size(s);
    g_autofree uint8_t *buf = NULL;
    int64_t off = 0;
    int ret;

    for (uint32_t i = 0; i < nb; i++) {
        size += entry_size(&sns[i]);
    }
    if (size > QCOW2_MAX_SNAPSHOT_TABLE) {
        return -EFBIG;
    }
    buf = g_malloc0(MAX(size, 1));
    for (uint32_t i = 0; i < nb; i++) {
        Qcow2Snapshot *sn = &sns[i];
        uint8_t *h = buf + pos;
        size_t il = strlen(sn->id_str), nl = strlen(sn->name);

        stq_be_p(h, sn->l1_table_offset);
        stl_be_p(h + 8, sn->l1_size);
        stw_be_p(h + 12, il);
        stw_be_p(h + 14, nl);
        stl_be_p(h + 16, sn->date_sec);
        stl_be_p(h + 20, sn->date_nsec);
        stq_be_p(h + 24, sn->vm_clock_nsec);
        stl_be_p(h + 32, MIN(sn->vm_state_size, UINT32_MAX));
        stl_be_p(h + 36, sn->extra_data_size);
        memcpy(h + 40, sn->extra_data, sn->extra_data_size);
        memcpy(h + 40 + sn->extra_data_size, sn->id_str, il);
        memcpy(h + 40 + sn->extra_data_size + il, sn->name, nl);
        pos += entry_size(sn);
    }
    if (size) {
        off = qcow2_alloc_clusters(bs, qcow2_size_to_clusters(s, size));
        if (off < 0) {
            return off;
        }
        /* Its refcount, then it, then the header pointing at it. */
        ret = qcow2_cache_write(bs, s->refblock_cache);
        if (ret >= 0) {
            ret = bdrv_pwrite(bs->file, off, size, buf);
        }
        if (ret < 0) {
            return ret;
        }
        s->need_sync = true;
        ret = qcow2_sync(bs);
        if (ret < 0) {
            return ret;
        }
    }
    /* nb_snapshots (u32 at 60) and snapshots_offset (u64 at 64). */
    s->nb_snapshots = nb;
    s->snapshots_offset = off;
    ret = qcow2_write_header_field(bs, 60, 12);
    if (ret < 0) {
        return ret;
    }
    s->need_sync = true;
    ret = qcow2_sync(bs);
    if (ret < 0) {
        return ret;
    }
    if (old_size) {
        ret = qcow2_update_refcount(bs, old_off, old_size, -1);
    }
    return ret;
}

static int find_snapshot(BDRVQcow2State *s, const char *name)
{
    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].id_str, name)) {
            return i;
        }
    }
    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].name, name)) {
            return i;
        }
    }
    return -1;
}

int qcow2_snapshot_create(BlockDriverState *bs, const char *name,
                          GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree Qcow2Snapshot *sns = NULL;
    g_autofree uint64_t *l1 = NULL;
    Qcow2Snapshot *sn;
    uint64_t max_id = 0;
    uint64_t bytes = (uint64_t)s->l1_size * 8;
    int64_t l1_off;
    struct timespec ts;
    int ret;

    g_mutex_lock(&s->lock);
    if (find_snapshot(s, name) >= 0) {
        error_setg(errp, "Snapshot '%s' already exists", name);
        ret = -EEXIST;
        goto out;
    }
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS || strlen(name) > 65535) {
        error_setg(errp, "Too many snapshots, or name too long");
        ret = -EFBIG;
        goto out;
    }
    ret = qcow2_flush_metadata(bs);
    if (ret < 0) {
        goto io_err;
    }
    /* The copy of the L1 table, with COPIED cleared (it is shared). */
    l1_off = qcow2_alloc_clusters(bs, MAX(qcow2_size_to_clusters(s, bytes),
                                          1));
    if (l1_off < 0) {
        ret = l1_off;
        goto io_err;
    }
    l1 = g_new0(uint64_t, MAX(s->l1_size, 1));
    for (uint32_t i = 0; i < s->l1_size; i++) {
        l1[i] = GUINT64_TO_BE(s->l1_table[i] & ~QCOW_OFLAG_COPIED);
    }
    ret = bdrv_pwrite(bs->file, l1_off, bytes, l1);
    if (ret < 0) {
        goto io_err;
    }
    s->need_sync = true;
    ret = qcow2_update_l1_refcounts(bs, s->l1_table, s->l1_size, 1);
    if (ret < 0) {
        goto io_err;
    }
    ret = qcow2_cache_write(bs, s->refblock_cache);
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(bs);
    }
    if (ret < 0) {
        goto io_err;
    }

    sns = g_new0(Qcow2Snapshot, s->nb_snapshots + 1);
    if (s->nb_snapshots) {
        memcpy(sns, s->snapshots, s->nb_snapshots * sizeof(*sns));
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint64_t id;
        if (parse_uint64(s->snapshots[i].id_str, &id) && id > max_id) {
            max_id = id;
        }
    }
    sn = &sns[s->nb_snapshots];
    clock_gettime(CLOCK_REALTIME, &ts);
    sn->l1_table_offset = l1_off;
    sn->l1_size = s->l1_size;
    sn->id_str = g_strdup_printf("%" PRIu64, max_id + 1);
    sn->name = g_strdup(name);
    sn->date_sec = ts.tv_sec;
    sn->date_nsec = ts.tv_nsec;
    sn->icount = UINT64_MAX;
    sn->disk_size = s->disk_size;
    sn->extra_data_size = 16;
    sn->extra_data = g_malloc0(16);
    stq_be_p(sn->extra_data + 8, s->disk_size);
    ret = write_snapshot_table(bs, sns, s->nb_snapshots + 1);
    if (ret < 0) {
        g_free(sn->id_str);
        g_free(sn->name);
        g_free(sn->extra_data);
        goto io_err;
    }
    g_free(s->snapshots);
    s->snapshots = g_steal_pointer(&sns);
    ret = qcow2_flush_metadata(bs);
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret < 0) {
        goto io_err;
    }
    goto out;

io_err:
    error_setg_errno(errp, -ret, "Could not create snapshot '%s'", name);
out:
    g_mutex_unlock(&s->lock);
    return ret;
}

/* Read a snapshot's L1 table (host order). */
static uint64_t *read_snapshot_l1(BlockDriverState *bs, Qcow2Snapshot *sn,
                                  int *err)
{
    uint64_t *l1 = g_new0(uint64_t, MAX(sn->l1_size, 1));

    *err = bdrv_pread(bs->file, sn->l1_table_offset,
                      (uint64_t)sn->l1_size * 8, l1);
    if (*err < 0) {
        g_free(l1);
        return NULL;
    }
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        l1[i] = GUINT64_FROM_BE(l1[i]);
    }
    return l1;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *name,
                          GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *l1 = NULL;
    g_autofree Qcow2Snapshot *sns = NULL;
    Qcow2Snapshot victim;
    int idx, ret;

    g_mutex_lock(&s->lock);
    idx = find_snapshot(s, name);
    if (idx < 0) {
        error_setg(errp, "Can't find the snapshot");
        ret = -ENOENT;
        goto out;
    }
    victim = s->snapshots[idx];
    l1 = read_snapshot_l1(bs, &victim, &ret);
    if (!l1) {
        goto io_err;
    }
    ret = qcow2_flush_metadata(bs);
    if (ret < 0) {
        goto io_err;
    }
    sns = g_new0(Qcow2Snapshot, MAX(s->nb_snapshots - 1, 1));
    memcpy(sns, s->snapshots, idx * sizeof(*sns));
    memcpy(sns + idx, s->snapshots + idx + 1,
           (s->nb_snapshots - idx - 1) * sizeof(*sns));
    ret = write_snapshot_table(bs, sns, s->nb_snapshots - 1);
    if (ret < 0) {
        goto io_err;
    }
    g_free(s->snapshots);
    s->snapshots = g_steal_pointer(&sns);
    g_free(victim.id_str);
    g_free(victim.name);
    g_free(victim.extra_data);

    /* Nothing points at the snapshot now: drop its references. */
    ret = qcow2_update_l1_refcounts(bs, l1, victim.l1_size, -1);
    if (ret >= 0 && victim.l1_size) {
        ret = qcow2_update_refcount(bs, victim.l1_table_offset,
                                    (uint64_t)victim.l1_size * 8, -1);
    }
    if (ret >= 0) {
        ret = qcow2_cache_write(bs, s->refblock_cache);
    }
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(bs);
    }
    if (ret < 0) {
        goto io_err;
    }
    goto out;

io_err:
    error_setg_errno(errp, -ret, "Could not delete snapshot '%s'", name);
out:
    g_mutex_unlock(&s->lock);
    return ret;
}

int qcow2_snapshot_goto(BlockDriverState *bs, const char *name,
                        GError **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *snl1 = NULL;
    g_autofree uint64_t *old = NULL;
    Qcow2Snapshot *sn;
    uint32_t old_size;
    int idx, ret;

    g_mutex_lock(&s->lock);
    idx = find_snapshot(s, name);
    if (idx < 0) {
        error_setg(errp, "Can't find the snapshot");
        ret = -ENOENT;
        goto out;
    }
    sn = &s->snapshots[idx];
    snl1 = read_snapshot_l1(bs, sn, &ret);
    if (!snl1) {
        goto io_err;
    }
    ret = qcow2_flush_metadata(bs);
    if (ret < 0) {
        goto io_err;
    }
    if (sn->l1_size > s->l1_size) {
        ret = qcow2_grow_l1_table(bs, sn->l1_size);
        if (ret < 0) {
            goto io_err;
        }
    }
    /* Reference the snapshot's clusters once more, then switch. */
    ret = qcow2_update_l1_refcounts(bs, snl1, sn->l1_size, 1);
    if (ret >= 0) {
        ret = qcow2_cache_write(bs, s->refblock_cache);
    }
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret < 0) {
        goto io_err;
    }
    old_size = s->l1_size;
    old = g_memdup2(s->l1_table, (uint64_t)old_size * 8);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        s->l1_table[i] = i < sn->l1_size ? snl1[i] & ~QCOW_OFLAG_COPIED : 0;
    }
    for (uint32_t i = 0; ret >= 0 && i < s->l1_size; i += 64) {
        ret = qcow2_write_l1_entry(bs, i);
    }
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret < 0) {
        goto io_err;
    }
    /* The old active state is unreferenced now. */
    qcow2_cache_empty(s->l2_cache);
    s->cluster_cache_offset = 0;
    ret = qcow2_update_l1_refcounts(bs, old, old_size, -1);
    if (ret >= 0 && sn->disk_size != s->disk_size) {
        s->disk_size = sn->disk_size;
        ret = qcow2_write_header_field(bs, 24, 8);
    }
    if (ret >= 0) {
        ret = qcow2_cache_write(bs, s->refblock_cache);
    }
    if (ret >= 0) {
        ret = qcow2_sync(bs);
    }
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(bs);
    }
    if (ret < 0) {
        goto io_err;
    }
    goto out;

io_err:
    error_setg_errno(errp, -ret, "Could not apply snapshot '%s'", name);
out:
    g_mutex_unlock(&s->lock);
    return ret;
}
