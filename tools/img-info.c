/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ember-img info, check and map, printed as qemu-img prints them. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block.h"
#include "tools/ember-img.h"
#include <getopt.h>

void img_dump_snapshots(GPtrArray *list);

enum { OPT_OUTPUT = 256, OPT_BACKING_CHAIN, OPT_START, OPT_MAXLEN,
       OPT_OBJECT, OPT_IMAGE_OPTS };

/* ---- info ------------------------------------------------------------------ */

static void info_human(BlockDriverState *bs, const char *filename)
{
    g_autofree char *vsize = size_to_str(bdrv_getlength(bs));
    int64_t alloc = bdrv_get_allocated_file_size(bs);
    g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(
        image_info_field_free);
    g_autoptr(GPtrArray) snaps = g_ptr_array_new_with_free_func(
        snapshot_info_free);
    BlockDriverInfo bdi;
    const char *type;

    printf("image: %s\n", filename);
    printf("file format: %s\n", bdrv_get_format_name(bs));
    printf("virtual size: %s (%" PRId64 " bytes)\n", vsize,
           bdrv_getlength(bs));
    if (alloc >= 0) {
        g_autofree char *a = size_to_str(alloc);
        printf("disk size: %s\n", a);
    } else {
        printf("disk size: unavailable\n");
    }
    if (bdrv_get_info(bs, &bdi) >= 0) {
        if (bdi.cluster_size) {
            printf("cluster_size: %d\n", bdi.cluster_size);
        }
        if (bdi.is_dirty) {
            printf("cleanly shut down: no\n");
        }
    }
    if (bdrv_backing_file(bs)) {
        g_autofree char *full = bdrv_full_backing_filename(bs);
        printf("backing file: %s", bdrv_backing_file(bs));
        if (strcmp(full, bdrv_backing_file(bs))) {
            printf(" (actual path: %s)", full);
        }
        printf("\n");
        if (bdrv_backing_format(bs)) {
            printf("backing file format: %s\n", bdrv_backing_format(bs));
        }
    }
    if (bdrv_snapshot_list(bs, snaps) > 0) {
        printf("Snapshot list:\n");
        img_dump_snapshots(snaps);
    }
    type = bdrv_get_specific_info(bs, fields);
    if (type && fields->len) {
        printf("Format specific information:\n");
        for (unsigned i = 0; i < fields->len; i++) {
            ImageInfoField *f = g_ptr_array_index(fields, i);
            printf("    %s: ", f->human_key);
            switch (f->kind) {
            case INFO_STR: printf("%s\n", f->str); break;
            case INFO_BOOL: printf("%s\n", f->b ? "true" : "false"); break;
            case INFO_INT: printf("%" PRId64 "\n", f->i); break;
            }
        }
    }
}

static void info_json(JsonWriter *w, BlockDriverState *bs,
                      const char *filename)
{
    g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(
        image_info_field_free);
    g_autoptr(GPtrArray) snaps = g_ptr_array_new_with_free_func(
        snapshot_info_free);
    int64_t alloc = bdrv_get_allocated_file_size(bs);
    BlockDriverInfo bdi;
    bool have_bdi = bdrv_get_info(bs, &bdi) >= 0;
    const char *type;

    /* Key order as qemu-img prints it. */
    json_start_object(w, NULL);
    if (bdrv_snapshot_list(bs, snaps) > 0) {
        json_start_array(w, "snapshots");
        for (unsigned i = 0; i < snaps->len; i++) {
            SnapshotInfo *s = g_ptr_array_index(snaps, i);
            json_start_object(w, NULL);
            json_int(w, "icount", s->icount == UINT64_MAX ? 0 : s->icount);
            json_int(w, "vm-clock-nsec", s->vm_clock_nsec % 1000000000);
            json_str(w, "name", s->name);
            json_int(w, "date-sec", s->date_sec);
            json_int(w, "date-nsec", s->date_nsec);
            json_int(w, "vm-clock-sec", s->vm_clock_nsec / 1000000000);
            json_str(w, "id", s->id);
            json_int(w, "vm-state-size", s->vm_state_size);
            json_end_object(w);
        }
        json_end_array(w);
    }
    if (bdrv_backing_format(bs) && bdrv_backing_file(bs)) {
        json_str(w, "backing-filename-format", bdrv_backing_format(bs));
    }
    json_int(w, "virtual-size", bdrv_getlength(bs));
    json_str(w, "filename", filename);
    if (have_bdi && bdi.cluster_size) {
        json_int(w, "cluster-size", bdi.cluster_size);
    }
    json_str(w, "format", bdrv_get_format_name(bs));
    if (alloc >= 0) {
        json_int(w, "actual-size", alloc);
    }
    type = bdrv_get_specific_info(bs, fields);
    if (type) {
        json_start_object(w, "format-specific");
        json_str(w, "type", type);
        json_start_object(w, "data");
        for (unsigned i = 0; i < fields->len; i++) {
            ImageInfoField *f = g_ptr_array_index(fields, i);
            switch (f->kind) {
            case INFO_STR: json_str(w, f->json_key, f->str); break;
            case INFO_BOOL: json_bool(w, f->json_key, f->b); break;
            case INFO_INT: json_int(w, f->json_key, f->i); break;
            }
        }
        json_end_object(w);
        json_end_object(w);
    }
    if (bdrv_backing_file(bs)) {
        g_autofree char *full = bdrv_full_backing_filename(bs);
        json_str(w, "full-backing-filename", full);
        json_str(w, "backing-filename", bdrv_backing_file(bs));
    }
    json_bool(w, "dirty-flag", have_bdi && bdi.is_dirty);
    json_end_object(w);
}

int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "backing-chain", no_argument, NULL, OPT_BACKING_CHAIN },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL, *filename;
    bool json = false, chain = false, force = false;
    BlockDriverState *bs, *p;
    GError *err = NULL;
    JsonWriter w;
    int c, flags;

    while ((c = getopt_long(argc, argv, ":f:hU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': force = true; break;
        case OPT_OUTPUT:
            if (!img_parse_output(optarg, &json)) {
                return 1;
            }
            break;
        case OPT_BACKING_CHAIN: chain = true; break;
        case 'h':
            img_print_cmd_help(stdout, "info");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (optind + 1 != argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    filename = argv[optind];
    flags = (chain ? 0 : BDRV_O_NO_BACKING) | (force ? BDRV_O_FORCE_SHARE : 0);
    bs = img_open(filename, fmt, flags, NULL, true, &err);
    if (!bs) {
        error_exit(err);
    }
    if (json) {
        json_init(&w);
        if (chain) {
            json_start_array(&w, NULL);
        }
    }
    for (p = bs; p; p = chain ? bdrv_get_backing(p) : NULL) {
        g_autofree char *name = p == bs ? g_strdup(filename)
                                        : g_strdup(bdrv_get_filename(p));
        if (json) {
            info_json(&w, p, name);
        } else {
            if (p != bs) {
                printf("\n");
            }
            info_human(p, name);
        }
    }
    if (json) {
        if (chain) {
            json_end_array(&w);
        }
        json_print(&w);
    }
    bdrv_unref(bs);
    return 0;
}

/* ---- check ----------------------------------------------------------------- */

static void check_human(BdrvCheckResult *r)
{
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            printf("\n%d errors were found on the image.\n"
                   "Data may be corrupted, or further writes to the image "
                   "may corrupt it.\n", r->corruptions);
        }
        if (r->leaks) {
            printf("\n%d leaked clusters were found on the image.\n"
                   "This means waste of disk space, but no harm to data.\n",
                   r->leaks);
        }
        if (r->check_errors) {
            printf("\n%d internal errors have occurred during the check.\n",
                   r->check_errors);
        }
    }
    if (r->total_clusters && r->allocated_clusters) {
        printf("%" PRId64 "/%" PRId64 " = %0.2f%% allocated, %0.2f%% "
               "fragmented, %0.2f%% compressed clusters\n",
               r->allocated_clusters, r->total_clusters,
               r->allocated_clusters * 100.0 / r->total_clusters,
               r->fragmented_clusters * 100.0 / r->allocated_clusters,
               r->compressed_clusters * 100.0 / r->allocated_clusters);
    }
    if (r->image_end_offset > 0) {
        printf("Image end offset: %" PRId64 "\n", r->image_end_offset);
    }
}

static void check_json(BdrvCheckResult *r, const char *filename,
                       const char *fmt)
{
    JsonWriter w;

    json_init(&w);
    json_start_object(&w, NULL);
    if (r->image_end_offset > 0) {
        json_int(&w, "image-end-offset", r->image_end_offset);
    }
    if (r->compressed_clusters) {
        json_int(&w, "compressed-clusters", r->compressed_clusters);
    }
    if (r->total_clusters) {
        json_int(&w, "total-clusters", r->total_clusters);
    }
    if (r->corruptions) {
        json_int(&w, "corruptions", r->corruptions);
    }
    if (r->corruptions_fixed) {
        json_int(&w, "corruptions-fixed", r->corruptions_fixed);
    }
    json_int(&w, "check-errors", r->check_errors);
    if (r->leaks) {
        json_int(&w, "leaks", r->leaks);
    }
    if (r->leaks_fixed) {
        json_int(&w, "leaks-fixed", r->leaks_fixed);
    }
    if (r->allocated_clusters) {
        json_int(&w, "allocated-clusters", r->allocated_clusters);
    }
    json_str(&w, "filename", filename);
    json_str(&w, "format", fmt);
    if (r->fragmented_clusters) {
        json_int(&w, "fragmented-clusters", r->fragmented_clusters);
    }
    json_end_object(&w);
    json_print(&w);
}

int img_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "repair", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL, *filename, *cache = NULL;
    bool json = false, quiet = false, force = false;
    BdrvCheckResult res;
    BlockDriverState *bs;
    GError *err = NULL;
    int c, fix = 0, ret, flags;

    while ((c = getopt_long(argc, argv, ":f:hqr:T:U", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'U': force = true; break;
        case 'T': cache = optarg; break;
        case 'r':
            if (!strcmp(optarg, "leaks")) {
                fix = BDRV_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
            } else {
                error_report("Unknown option value for -r (expecting "
                             "'leaks' or 'all'): %s", optarg);
                return 1;
            }
            break;
        case OPT_OUTPUT:
            if (!img_parse_output(optarg, &json)) {
                return 1;
            }
            break;
        case 'h':
            img_print_cmd_help(stdout, "check");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (optind + 1 != argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    filename = argv[optind];
    flags = BDRV_O_CHECK | BDRV_O_NO_BACKING | (fix ? BDRV_O_RDWR : 0) |
            (force && !fix ? BDRV_O_FORCE_SHARE : 0);
    bs = img_open(filename, fmt, flags, cache, true, &err);
    if (!bs) {
        error_exit(err);
    }
    ret = bdrv_check(bs, &res, fix);
    if (ret == -ENOTSUP) {
        error_report("This image format does not support checks");
        bdrv_unref(bs);
        return 63;
    }
    if (ret >= 0 && fix && (res.corruptions_fixed || res.leaks_fixed)) {
        int lf = res.leaks_fixed, cf = res.corruptions_fixed;
        if (!json && !quiet) {
            printf("The following inconsistencies were found and repaired:"
                   "\n\n    %d leaked clusters\n    %d corruptions\n\n"
                   "Double checking the fixed image now...\n", lf, cf);
        }
        ret = bdrv_check(bs, &res, 0);
        res.leaks_fixed = lf;
        res.corruptions_fixed = cf;
    }
    if (ret >= 0 && !quiet) {
        if (json) {
            check_json(&res, filename, bdrv_get_format_name(bs));
        } else {
            check_human(&res);
        }
    }
    bdrv_unref(bs);
    if (ret < 0 || res.check_errors) {
        if (ret < 0) {
            error_report("Check failed: %s", g_strerror(-ret));
        } else {
            error_report("Check failed");
        }
        return 1;
    }
    if (res.corruptions) {
        return 2;
    }
    if (res.leaks) {
        return 3;
    }
    return 0;
}

/* ---- map -------------------------------------------------------------------- */

typedef struct MapEntry {
    int64_t start, length, offset;
    int depth;
    bool present, zero, data, has_offset;
    BlockDriverState *file;
} MapEntry;

static bool map_mergeable(MapEntry *a, MapEntry *b)
{
    return a->depth == b->depth && a->present == b->present &&
           a->zero == b->zero && a->data == b->data &&
           a->has_offset == b->has_offset && a->file == b->file &&
           (!a->has_offset || a->offset + a->length == b->offset) &&
           a->start + a->length == b->start;
}

static bool map_print(MapEntry *e, bool json, bool first)
{
    if (json) {
        printf("%s{ \"start\": %" PRId64 ", \"length\": %" PRId64
               ", \"depth\": %d, \"present\": %s, \"zero\": %s, "
               "\"data\": %s", first ? "[" : ",\n", e->start, e->length,
               e->depth, e->present ? "true" : "false",
               e->zero ? "true" : "false", e->data ? "true" : "false");
        if (e->has_offset) {
            printf(", \"offset\": %" PRId64, e->offset);
        }
        printf("}");
        return true;
    }
    if (e->data && !e->has_offset) {
        error_report("File contains external, encrypted or compressed "
                     "clusters.");
        return false;
    }
    if (e->data) {
        printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n",
               (uint64_t)e->start, (uint64_t)e->length, (uint64_t)e->offset,
               bdrv_get_filename(e->file));
    }
    return true;
}

int img_map(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "start-offset", required_argument, NULL, OPT_START },
        { "max-length", required_argument, NULL, OPT_MAXLEN },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL }
    };
    const char *fmt = NULL;
    bool json = false, force = false, first = true;
    int64_t start = 0, max_len = INT64_MAX, len, off, end;
    MapEntry cur = { 0 };
    bool have = false;
    BlockDriverState *bs;
    GError *err = NULL;
    int c, ret = 0;

    while ((c = getopt_long(argc, argv, ":f:hU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': force = true; break;
        case OPT_OUTPUT:
            if (!img_parse_output(optarg, &json)) {
                return 1;
            }
            break;
        case OPT_START:
            if (!img_parse_size(optarg, &start)) {
                error_report("Invalid start offset specified! You may use "
                             "k, M, G, T, P or E suffixes for ");
                return 1;
            }
            break;
        case OPT_MAXLEN:
            if (!img_parse_size(optarg, &max_len)) {
                error_report("Invalid length specified! You may use k, M, G, "
                             "T, P or E suffixes for ");
                return 1;
            }
            break;
        case 'h':
            img_print_cmd_help(stdout, "map");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (optind + 1 != argc) {
        error_report("Expecting one image file name");
        return 1;
    }
    bs = img_open(argv[optind], fmt, force ? BDRV_O_FORCE_SHARE : 0, NULL,
                  true, &err);
    if (!bs) {
        error_exit(err);
    }
    len = bdrv_getlength(bs);
    end = max_len > len - start ? len : start + max_len;
    if (!json) {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to",
               "File");
    }
    for (off = start; off < end; ) {
        int64_t n, map = 0;
        BlockDriverState *file = NULL;
        MapEntry e;
        int depth;

        ret = bdrv_block_status_above(bs, NULL, off, MIN(end - off,
                                                         (int64_t)1 << 30),
                                      &n, &map, &file, &depth);
        if (ret < 0) {
            error_report("Could not read file metadata: %s",
                         g_strerror(-ret));
            break;
        }
        if (n <= 0) {
            break;
        }
        e = (MapEntry) {
            .start = off, .length = n, .depth = depth,
            .present = ret & BDRV_BLOCK_ALLOCATED,
            .zero = ret & BDRV_BLOCK_ZERO,
            .data = ret & BDRV_BLOCK_DATA,
            .has_offset = ret & BDRV_BLOCK_OFFSET_VALID,
            .offset = map,
            .file = (ret & BDRV_BLOCK_OFFSET_VALID) ? file : NULL,
        };
        if (have && map_mergeable(&cur, &e)) {
            cur.length += e.length;
        } else {
            if (have && !map_print(&cur, json, first)) {
                ret = -EIO;
                break;
            }
            if (have) {
                first = false;
            }
            cur = e;
            have = true;
        }
        ret = 0;
        off += n;
    }
    if (ret >= 0 && have && !map_print(&cur, json, first)) {
        ret = -EIO;
    }
    if (json && ret >= 0) {
        printf(have ? "]\n" : "[]\n");
    }
    bdrv_unref(bs);
    return ret < 0 ? 1 : 0;
}
