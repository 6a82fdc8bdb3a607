/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ember-img: disk image tool with qemu-img's command line and output,
 * so scripts written for qemu-img carry over.
 *
 * This file: main, shared helpers, and create, resize, snapshot.
 * tools/img-info.c: info, check, map. tools/img-convert.c: convert,
 * compare, commit, rebase.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "block/block.h"
#include "tools/ember-img.h"
#include <getopt.h>
#include <time.h>

typedef struct ImgCmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *syntax;
} ImgCmd;

static const ImgCmd img_cmds[] = {
    { "check", img_check,
      "check [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] [-T src_cache] "
      "[-U] filename" },
    { "commit", img_commit,
      "commit [-q] [-f fmt] [-t cache] [-b base] [-d] [-p] filename" },
    { "compare", img_compare,
      "compare [-f fmt] [-F fmt] [-T src_cache] [-p] [-q] [-s] [-U] "
      "filename1 filename2" },
    { "convert", img_convert,
      "convert [-U] [-c] [-p] [-q] [-n] [-f fmt] [-t cache] [-T src_cache] "
      "[-O output_fmt] [-B backing_file [-F backing_fmt]] [-o options] "
      "[-S sparse_size] [-m num_threads] [-W] filename [filename2 [...]] "
      "output_filename" },
    { "create", img_create,
      "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] "
      "[-o options] filename [size]" },
    { "info", img_info,
      "info [-f fmt] [--output=ofmt] [--backing-chain] [-U] filename" },
    { "map", img_map,
      "map [-f fmt] [--start-offset=offset] [--max-length=len] "
      "[--output=ofmt] [-U] filename" },
    { "snapshot", img_snapshot,
      "snapshot [-U] [-q] [-l | -a snapshot | -c snapshot | -d snapshot] "
      "filename" },
    { "rebase", img_rebase,
      "rebase [-U] [-q] [-f fmt] [-t cache] [-T src_cache] [-p] [-u] "
      "-b backing_file [-F backing_fmt] filename" },
    { "resize", img_resize,
      "resize [-f fmt] [--preallocation=prealloc] [-q] [--shrink] filename "
      "[+ | -]size" },
};

void img_print_cmd_help(FILE *f, const char *cmd)
{
    for (unsigned i = 0; i < ARRAY_SIZE(img_cmds); i++) {
        if (!cmd || !strcmp(cmd, img_cmds[i].name)) {
            fprintf(f, "  %s\n", img_cmds[i].syntax);
        }
    }
}

static void help(void)
{
    printf("ember-img version %s (qemu-img compatible)\n"
           "usage: ember-img [standard options] command [command options]\n"
           "Ember disk image utility\n\n"
           "    '-h', '--help'       display this help and exit\n"
           "    '-V', '--version'    output version information and exit\n\n"
           "Command syntax:\n", EMBER_VERSION);
    img_print_cmd_help(stdout, NULL);
    printf("\nCommand parameters:\n"
"  'filename' is a disk image filename\n"
"  'fmt' is the disk image format. It is guessed automatically in most "
"cases\n"
"  'cache' is the cache mode used to write the output disk image, the "
"valid\n"
"    options are: 'none', 'writeback' (default, except for convert), "
"'writethrough',\n"
"    'directsync' and 'unsafe' (default for convert)\n"
"  'src_cache' is the cache mode used to read input disk images, the valid\n"
"    options are the same as for the 'cache' option\n"
"  'size' is the disk image size in bytes. Optional suffixes\n"
"    'k' or 'K' (kilobyte, 1024), 'M' (megabyte, 1024k), 'G' (gigabyte, "
"1024M),\n"
"    'T' (terabyte, 1024G), 'P' (petabyte, 1024T) and 'E' (exabyte, 1024P) "
" are\n"
"    supported. 'b' is ignored.\n"
"  'output_filename' is the destination disk image filename\n"
"  'output_fmt' is the destination format\n"
"  'options' is a comma separated list of format specific options in a\n"
"    name=value format. Use -o help for an overview of the options "
"supported by\n"
"    the used format\n"
"  '-c' indicates that target image must be compressed (qcow2 only)\n"
"  '-u' allows unsafe backing chains. For rebasing, it is assumed that old "
"and\n"
"       new backing file match exactly. The image doesn't need a working\n"
"       backing file before rebasing in this case (useful for renaming the\n"
"       backing file). For image creation, allow creating without "
"attempting\n"
"       to open the backing file.\n"
"  '-h' with or without a command shows this help and lists the supported "
"formats\n"
"  '-p' show progress of command (only certain commands)\n"
"  '-q' use Quiet mode - do not print any output (except errors)\n"
"  '-S' indicates the consecutive number of bytes (defaults to 4k) that "
"must\n"
"       contain only zeros for ember-img to create a sparse image during\n"
"       conversion. If the number of bytes is 0, the source will not be "
"scanned for\n"
"       unallocated or zero sectors, and the destination image will always "
"be\n"
"       fully allocated\n"
"  '--output' takes the format in which the output must be done (human or "
"json)\n"
"  '-n' skips the target volume creation (useful if the volume is created\n"
"       prior to running ember-img)\n"
"  '-U' opens the image without locking against writers (read-only use)\n"
"\n"
"Parameters to check subcommand:\n"
"  '-r' tries to repair any inconsistencies that are found during the "
"check.\n"
"       '-r leaks' repairs only cluster leaks, whereas '-r all' fixes all\n"
"       kinds of errors, with a higher risk of choosing the wrong fix or\n"
"       hiding corruption that has already occurred.\n"
"\n"
"Parameters to snapshot subcommand:\n"
"  'snapshot' is the name of the snapshot to create, apply or delete\n"
"  '-a' applies a snapshot (revert disk to saved state)\n"
"  '-c' creates a snapshot\n"
"  '-d' deletes a snapshot\n"
"  '-l' lists all snapshots in the given image\n"
"\n"
"Parameters to compare subcommand:\n"
"  '-f' first image format\n"
"  '-F' second image format\n"
"  '-s' run in Strict mode - fail on different image size or sector "
"allocation\n"
"\n"
"Supported formats: qcow2 raw\n");
}

/* ---- shared helpers ---------------------------------------------------- */

bool img_cache_flags(const char *mode, int *flags, bool *writethrough)
{
    BlockCacheMode m;

    if (!bdrv_parse_cache_mode(mode, &m)) {
        return false;
    }
    *flags &= ~(BDRV_O_NOCACHE | BDRV_O_NO_FLUSH);
    if (m.direct) {
        *flags |= BDRV_O_NOCACHE;
    }
    if (m.no_flush) {
        *flags |= BDRV_O_NO_FLUSH;
    }
    if (writethrough) {
        *writethrough = m.writethrough;
    }
    return true;
}

BlockDriverState *img_open(const char *filename, const char *fmt, int flags,
                           const char *cache, bool quiet, GError **errp)
{
    GHashTable *o = bdrv_opts_new();
    BlockDriverState *bs;
    GError *err = NULL;

    if (fmt) {
        if (!bdrv_find_format(fmt)) {
            error_setg(errp, "Unknown file format '%s'", fmt);
            g_hash_table_unref(o);
            return NULL;
        }
        bdrv_opts_set(o, "driver", fmt);
    }
    if (cache && !img_cache_flags(cache, &flags, NULL)) {
        error_setg(errp, "Invalid cache option: %s", cache);
        g_hash_table_unref(o);
        return NULL;
    }
    bs = bdrv_open(filename, o, flags, &err);
    if (!bs) {
        if (!g_str_has_prefix(err->message, "Could not open")) {
            error_prepend(&err, "Could not open '%s': ", filename);
        }
        error_propagate(errp, err);
        return NULL;
    }
    if (!quiet && (flags & BDRV_O_RDWR) && bdrv_format_was_probed(bs) &&
        !strcmp(bdrv_get_format_name(bs), "raw")) {
        fprintf(stderr, "WARNING: Image format was not specified for '%s' "
                "and probing guessed raw.\n"
                "         Automatically detecting the format is dangerous "
                "for raw images, write operations on block 0 will be "
                "restricted.\n"
                "         Specify the 'raw' format explicitly to remove the "
                "restrictions.\n", filename);
    }
    return bs;
}

bool img_parse_size(const char *s, int64_t *out)
{
    uint64_t v;

    if (!parse_size(s, 'B', &v) || v > INT64_MAX) {
        return false;
    }
    *out = v;
    return true;
}

bool img_parse_o(GHashTable *opts, const char *arg, bool *help,
                 GError **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);

    if (!o) {
        return false;
    }
    for (unsigned i = 0; i < o->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(o->entries, i);
        if (!strcmp(e->key, "help") || !strcmp(e->key, "?")) {
            *help = true;
            continue;
        }
        bdrv_opts_set(opts, e->key, e->value);
    }
    return true;
}

void img_print_create_opts(const char *fmt)
{
    BlockDriver *drv = bdrv_find_format(fmt);
    const BlockCreateOpt *o;

    if (!drv || !bdrv_create_opts(drv)) {
        return;
    }
    printf("Supported options:\n");
    for (o = bdrv_create_opts(drv); o->name; o++) {
        static const char *const types[] = {
            "<str>", "<size>", "<num>", "<bool (on/off)>"
        };
        g_autofree char *left = g_strdup_printf("%s=%s", o->name,
                                                types[o->type]);
        printf("  %-22s - %s\n", left, o->help);
    }
}

bool img_parse_output(const char *arg, bool *json)
{
    if (!strcmp(arg, "json")) {
        *json = true;
    } else if (!strcmp(arg, "human")) {
        *json = false;
    } else {
        error_report("--output must be used with human or json as "
                     "argument.");
        return false;
    }
    return true;
}

void img_progress(bool enabled, double percent)
{
    static double last = -1;

    if (!enabled) {
        return;
    }
    if (percent < 100.0 && last >= 0 && percent - last < 1.0) {
        return;
    }
    last = percent;
    printf("    (%3.2f/100%%)\r", percent);
    fflush(stdout);
}

/* ---- JSON ------------------------------------------------------------------ */

void json_init(JsonWriter *w)
{
    memset(w, 0, sizeof(*w));
    w->s = g_string_new(NULL);
    w->first[0] = true;
}

static void json_prefix(JsonWriter *w, const char *key)
{
    if (w->depth) {
        g_string_append(w->s, w->first[w->depth] ? "\n" : ",\n");
        w->first[w->depth] = false;
        for (int i = 0; i < w->depth; i++) {
            g_string_append(w->s, "    ");
        }
    }
    if (key) {
        g_autofree char *k = g_strescape(key, NULL);
        g_string_append_printf(w->s, "\"%s\": ", k);
    }
}

static void json_open(JsonWriter *w, const char *key, char c)
{
    json_prefix(w, key);
    g_string_append_c(w->s, c);
    w->depth++;
    w->first[w->depth] = true;
}

static void json_close(JsonWriter *w, char c)
{
    bool empty = w->first[w->depth];

    w->depth--;
    if (!empty) {
        g_string_append_c(w->s, '\n');
        for (int i = 0; i < w->depth; i++) {
            g_string_append(w->s, "    ");
        }
    }
    g_string_append_c(w->s, c);
}

void json_start_object(JsonWriter *w, const char *key)
{
    json_open(w, key, '{');
}

void json_end_object(JsonWriter *w)
{
    json_close(w, '}');
}

void json_start_array(JsonWriter *w, const char *key)
{
    json_open(w, key, '[');
}

void json_end_array(JsonWriter *w)
{
    json_close(w, ']');
}

void json_str(JsonWriter *w, const char *key, const char *val)
{
    GString *e = g_string_new(NULL);

    for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
        if (*p == '"' || *p == '\\') {
            g_string_append_printf(e, "\\%c", *p);
        } else if (*p < 0x20) {
            g_string_append_printf(e, "\\u%04x", *p);
        } else {
            g_string_append_c(e, *p);
        }
    }
    json_prefix(w, key);
    g_string_append_printf(w->s, "\"%s\"", e->str);
    g_string_free(e, true);
}

void json_int(JsonWriter *w, const char *key, int64_t val)
{
    json_prefix(w, key);
    g_string_append_printf(w->s, "%" PRId64, val);
}

void json_bool(JsonWriter *w, const char *key, bool val)
{
    json_prefix(w, key);
    g_string_append(w->s, val ? "true" : "false");
}

void json_print(JsonWriter *w)
{
    printf("%s\n", w->s->str);
    g_string_free(w->s, true);
    w->s = NULL;
}

/* ---- create ---------------------------------------------------------------- */

static void print_formatting(const char *filename, const char *fmt,
                             GHashTable *opts)
{
    BlockDriver *drv = bdrv_find_format(fmt);
    g_autoptr(GString) line = g_string_new(NULL);

    g_string_append_printf(line, "Formatting '%s', fmt=%s", filename, fmt);
    for (const BlockCreateOpt *o = bdrv_create_opts(drv); o && o->name;
         o++) {
        const char *v = g_hash_table_lookup(opts, o->name);
        uint64_t n;
        bool b;

        if (!v) {
            if (o->def_shown) {
                g_string_append_printf(line, " %s=%s", o->name, o->def_shown);
            }
            continue;
        }
        if (o->type == CREATE_OPT_SIZE && parse_size(v, 'B', &n)) {
            g_string_append_printf(line, " %s=%" PRIu64, o->name, n);
        } else if (o->type == CREATE_OPT_BOOL && parse_bool(v, &b)) {
            g_string_append_printf(line, " %s=%s", o->name, b ? "on" : "off");
        } else {
            g_string_append_printf(line, " %s=%s", o->name, v);
        }
    }
    printf("%s\n", line->str);
}

int img_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, 'O' },
        { NULL }
    };
    const char *fmt = "raw", *backing = NULL, *backing_fmt = NULL;
    g_autoptr(GHashTable) opts = bdrv_opts_new();
    bool quiet = false, unsafe = false, want_help = false;
    const char *filename;
    int64_t size = -1;
    GError *err = NULL;
    BlockDriver *drv;
    int c;

    while ((c = getopt_long(argc, argv, ":F:b:f:ho:qu", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'b': backing = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'u': unsafe = true; break;
        case 'o':
            if (!img_parse_o(opts, optarg, &want_help, &err)) {
                error_exit(err);
            }
            break;
        case 'h':
            img_print_cmd_help(stdout, "create");
            return 0;
        case ':':
            error_report("option '%s' needs an argument", argv[optind - 1]);
            return 1;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    drv = bdrv_find_format(fmt);
    if (!drv) {
        error_report("Unknown file format '%s'", fmt);
        return 1;
    }
    if (want_help) {
        img_print_create_opts(fmt);
        return 0;
    }
    if (optind >= argc) {
        error_report("Expecting image file name");
        return 1;
    }
    filename = argv[optind++];
    if (optind < argc) {
        if (!img_parse_size(argv[optind], &size)) {
            error_report("Invalid image size specified. You may use k, M, G, "
                         "T, P or E suffixes for kilobytes, megabytes, "
                         "gigabytes, terabytes, petabytes and exabytes.");
            return 1;
        }
        optind++;
    }
    if (optind < argc) {
        error_report("Unexpected argument: %s", argv[optind]);
        return 1;
    }
    error_set_location("%s", filename);
    if (backing) {
        bdrv_opts_set(opts, "backing_file", backing);
    }
    if (backing_fmt) {
        bdrv_opts_set(opts, "backing_fmt", backing_fmt);
    }
    backing = g_hash_table_lookup(opts, "backing_file");
    backing_fmt = g_hash_table_lookup(opts, "backing_fmt");
    if (backing && !backing_fmt) {
        error_report("Backing file specified without backing format "
                     "(use -F)");
        return 1;
    }
    if (backing && !unsafe) {
        /* The backing file must open, and gives the default size. */
        g_autofree char *path = bdrv_resolve_backing_name(filename, backing);
        BlockDriverState *b = img_open(path, backing_fmt,
                                       BDRV_O_NO_BACKING | BDRV_O_FORCE_SHARE,
                                       NULL, true, &err);
        if (!b) {
            error_report("Could not open backing image: %s", err->message);
            g_error_free(err);
            return 1;
        }
        if (size < 0 && !g_hash_table_contains(opts, "size")) {
            size = bdrv_getlength(b);
        }
        bdrv_unref(b);
    }
    if (size >= 0) {
        g_autofree char *s = g_strdup_printf("%" PRId64, ROUND_UP(size, 512));
        bdrv_opts_set(opts, "size", s);
    }
    if (!g_hash_table_contains(opts, "size")) {
        error_report("Image creation needs a size parameter");
        return 1;
    }
    if (!quiet) {
        print_formatting(filename, fmt, opts);
    }
    if (!bdrv_create(drv, filename, g_steal_pointer(&opts), &err)) {
        error_exit(err);
    }
    return 0;
}

/* ---- resize ---------------------------------------------------------------- */

int img_resize(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "preallocation", required_argument, NULL, 'P' },
        { "shrink", no_argument, NULL, 'S' },
        { "object", required_argument, NULL, 'O' },
        { NULL }
    };
    const char *fmt = NULL, *filename, *size_arg;
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    bool quiet = false, shrink = false;
    int64_t n, cur, size;
    BlockDriverState *bs;
    GError *err = NULL;
    int c, sign = 0;

    /* "-1G" as the size must not be taken for an option. */
    for (int i = argc - 1; i > 0; i--) {
        if (argv[i][0] == '-' && g_ascii_isdigit(argv[i][1])) {
            argv[i][0] = '~';
            break;
        }
    }
    while ((c = getopt_long(argc, argv, ":f:hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'S': shrink = true; break;
        case 'P':
            if (!prealloc_mode_parse(optarg, &prealloc)) {
                error_report("Invalid preallocation mode '%s'", optarg);
                return 1;
            }
            break;
        case 'h':
            img_print_cmd_help(stdout, "resize");
            return 0;
        default:
            error_report("Invalid option '%s'", argv[optind - 1]);
            return 1;
        }
    }
    if (optind + 2 != argc) {
        error_report("Expecting image file name and size");
        return 1;
    }
    filename = argv[optind];
    size_arg = argv[optind + 1];
    if (*size_arg == '+') {
        sign = 1;
        size_arg++;
    } else if (*size_arg == '~') {
        sign = -1;
        size_arg++;
    }
    if (!img_parse_size(size_arg, &n)) {
        error_report("Invalid image size specified. You may use k, M, G, T, "
                     "P or E suffixes for kilobytes, megabytes, gigabytes, "
                     "terabytes, petabytes and exabytes.");
        return 1;
    }
    bs = img_open(filename, fmt, BDRV_O_RDWR, NULL, quiet, &err);
    if (!bs) {
        error_exit(err);
    }
    cur = bdrv_getlength(bs);
    size = sign > 0 ? cur + n : sign < 0 ? cur - n : n;
    if (size <= 0) {
        error_report("New image size must be positive");
        bdrv_unref(bs);
        return 1;
    }
    if (size < cur && !shrink) {
        error_report("Use the --shrink option to perform a shrink operation.");
        bdrv_unref(bs);
        return 1;
    }
    if (bdrv_truncate(bs, size, true, prealloc, &err) < 0 ||
        bdrv_flush(bs) < 0) {
        if (!err) {
            error_setg(&err, "Could not flush the image");
        }
        error_report("%s", err->message);
        g_error_free(err);
        bdrv_unref(bs);
        return 1;
    }
    bdrv_unref(bs);
    if (!quiet) {
        printf("Image resized.\n");
    }
    return 0;
}

/* ---- snapshot ------------------------------------------------------------ */

void img_dump_snapshots(GPtrArray *list);
void img_dump_snapshots(GPtrArray *list)
{
    printf("%-10s%-18s%7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
           "VM CLOCK", "ICOUNT");
    for (unsigned i = 0; i < list->len; i++) {
        SnapshotInfo *s = g_ptr_array_index(list, i);
        g_autofree char *vmsize = size_to_str(s->vm_state_size);
        g_autofree char *icount = s->icount == UINT64_MAX ? g_strdup("")
            : g_strdup_printf("%" PRIu64, s->icount);
        time_t t = s->date_sec;
        struct tm tm;
        char date[32];
        uint64_t ms = s->vm_clock_nsec / 1000000;

        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-9s %-16s %8s %19s %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
               ".%03" PRIu64 " %10s\n", s->id, s->name, vmsize, date,
               ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000,
               icount);
    }
}

int img_snapshot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "object", required_argument, NULL, 'O' },
        { NULL }
    };
    char action = 0;
    const char *name = NULL, *filename;
    bool quiet = false, force = false;
    BlockDriverState *bs;
    GError *err = NULL;
    int c, ret = 0, flags;

    while ((c = getopt_long(argc, argv, ":la:c:d:hqU", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'l': case 'a': case 'c': case 'd':
            if (action) {
                error_report("Cannot mix '-l', '-a', '-c', '-d'");
                return 1;
            }
            action = c;
            name = optarg;
            break;
        case 'q': quiet = true; break;
        case 'U': force = true; break;
        case 'h':
            img_print_cmd_help(stdout, "snapshot");
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
    if (!action) {
        action = 'l';
    }
    flags = BDRV_O_NO_BACKING;
    if (action == 'l') {
        flags |= force ? BDRV_O_FORCE_SHARE : 0;
    } else {
        flags |= BDRV_O_RDWR;
    }
    bs = img_open(filename, NULL, flags, NULL, quiet, &err);
    if (!bs) {
        error_exit(err);
    }
    switch (action) {
    case 'l': {
        g_autoptr(GPtrArray) list =
            g_ptr_array_new_with_free_func(snapshot_info_free);
        if (bdrv_snapshot_list(bs, list) > 0 && !quiet) {
            printf("Snapshot list:\n");
            img_dump_snapshots(list);
        }
        break;
    }
    case 'c':
        ret = bdrv_snapshot_create(bs, name, &err);
        break;
    case 'd':
        ret = bdrv_snapshot_delete(bs, name, &err);
        if (ret == -ENOENT) {
            g_clear_error(&err);
            error_setg(&err, "Could not delete snapshot '%s': snapshot not "
                       "found", name);
        }
        break;
    case 'a':
        ret = bdrv_snapshot_goto(bs, name, &err);
        if (ret == -ENOENT) {
            g_clear_error(&err);
            error_setg(&err, "Could not apply snapshot '%s': snapshot not "
                       "found", name);
        }
        break;
    }
    bdrv_unref(bs);
    if (ret < 0) {
        error_exit(err);
    }
    return 0;
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *cmd;

    error_set_progname("ember-img");
    if (argc < 2) {
        error_report("Not enough arguments (try 'ember-img --help')");
        return 1;
    }
    cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        help();
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("ember-img version %s\n", EMBER_VERSION);
        return 0;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(img_cmds); i++) {
        if (!strcmp(cmd, img_cmds[i].name)) {
            optind = 1;
            return img_cmds[i].fn(argc - 1, argv + 1);
        }
    }
    error_report("Command not found: %s", cmd);
    return 1;
}
