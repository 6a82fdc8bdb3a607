/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ember-img: shared helpers of the subcommands (tools/img-*.c). */
#ifndef TOOLS_EMBER_IMG_H
#define TOOLS_EMBER_IMG_H

#include "ember/osdep.h"
#include "ember/error.h"
#include "block/block.h"

/* Each subcommand: argc/argv start at the command name. */
int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_check(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_resize(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_rebase(int argc, char **argv);
int img_map(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_snapshot(int argc, char **argv);

/* Print the syntax line of one command (or all), for --help. */
void img_print_cmd_help(FILE *f, const char *cmd);

/*
 * Open an image the way qemu-img does: format fmt (NULL: probe),
 * flags BDRV_O_*, cache mode name (NULL: default). Errors come back
 * as one line "Could not open 'x': reason". Warns about probed raw
 * images opened for writing.
 */
BlockDriverState *img_open(const char *filename, const char *fmt, int flags,
                           const char *cache, bool quiet, GError **errp);
/* Parse a cache mode name into open flags; false if unknown. */
bool img_cache_flags(const char *mode, int *flags, bool *writethrough);
/* Size with qemu-img's suffixes (k, M, G, T, P, E; 'b' ignored). */
bool img_parse_size(const char *s, int64_t *out);
/* Merge "-o a=b,c=d" into opts; "help" sets *help. */
bool img_parse_o(GHashTable *opts, const char *arg, bool *help,
                 GError **errp);
void img_print_create_opts(const char *fmt);
/* "--output=human|json" */
bool img_parse_output(const char *arg, bool *json);

/* Progress bar as qemu-img -p prints it. */
void img_progress(bool enabled, double percent);

/* A small JSON writer with qemu-img's pretty layout. */
typedef struct JsonWriter {
    GString *s;
    int depth;
    bool first[16];
} JsonWriter;
void json_init(JsonWriter *w);
void json_start_object(JsonWriter *w, const char *key);
void json_end_object(JsonWriter *w);
void json_start_array(JsonWriter *w, const char *key);
void json_end_array(JsonWriter *w);
void json_str(JsonWriter *w, const char *key, const char *val);
void json_int(JsonWriter *w, const char *key, int64_t val);
void json_bool(JsonWriter *w, const char *key, bool val);
/* Print and free. */
void json_print(JsonWriter *w);

#endif
