/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option strings in QEMU's "key=value,key=value" form.
 *
 *   Opts *o = opts_parse("file=disk.img,format=raw", "file", &err);
 *   const char *f = opts_get(o, "file");
 *
 * A leading item without '=' is the value of the implied key (e.g. the
 * "driver" of -device, the "file" of -drive); ",," is a literal comma.
 * A bare "key" after the first item means "key=on". Every option consumed
 * with opts_get*() is marked used; opts_check_unused() reports the rest.
 */
#ifndef EMBER_OPTION_H
#define EMBER_OPTION_H

#include "ember/osdep.h"

typedef struct OptsEntry {
    char *key;
    char *value;
    bool used;
} OptsEntry;

typedef struct Opts {
    GPtrArray *entries;     /* OptsEntry *, in order */
    char *id;               /* value of "id=", if any (not in entries) */
} Opts;

Opts *opts_parse(const char *str, const char *implied_key, GError **errp);
void opts_free(Opts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Opts, opts_free)

/* The last value of key, or NULL. Marks it used. */
const char *opts_get(Opts *opts, const char *key);
bool opts_has(Opts *opts, const char *key);
/* Parse key as bool ("on/off/yes/no/true/false"); def if absent. */
bool opts_get_bool(Opts *opts, const char *key, bool def, GError **errp);
uint64_t opts_get_number(Opts *opts, const char *key, uint64_t def,
                         GError **errp);
/* Size with optional suffix (k, M, G, T; bare number = bytes). */
uint64_t opts_get_size(Opts *opts, const char *key, uint64_t def,
                       GError **errp);
void opts_set(Opts *opts, const char *key, const char *value);
/* Error "Invalid parameter 'x'" for the first unused key. */
bool opts_check_unused(Opts *opts, GError **errp);

/* Parsers also used directly. */
bool parse_bool(const char *str, bool *out);
/* "123", "0x7b", "0173" -> value; false on junk or overflow. */
bool parse_uint64(const char *str, uint64_t *out);
/*
 * Size "512M", "2G", "1.5G", "4096"; default_suffix applies to bare
 * numbers ('M' for -m, 'B' for byte sizes).
 */
bool parse_size(const char *str, char default_suffix, uint64_t *out);

#endif
