/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "key=value,..." option strings; see include/ember/option.h. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"

static void entry_free(gpointer p)
{
    OptsEntry *e = p;

    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

void opts_free(Opts *opts)
{
    if (!opts) {
        return;
    }
    g_ptr_array_free(opts->entries, TRUE);
    g_free(opts->id);
    g_free(opts);
}

/* Read up to stop (a ',' not doubled, or '\0' or stop_eq '='); ",," -> ','. */
static const char *read_token(const char *p, bool stop_eq, GString *out)
{
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (stop_eq && *p == '=') {
            break;
        }
        g_string_append_c(out, *p++);
    }
    return p;
}

void opts_set(Opts *opts, const char *key, const char *value)
{
    OptsEntry *e = g_new0(OptsEntry, 1);

    e->key = g_strdup(key);
    e->value = g_strdup(value);
    g_ptr_array_add(opts->entries, e);
}

Opts *opts_parse(const char *str, const char *implied_key, GError **errp)
{
    Opts *opts = g_new0(Opts, 1);
    const char *p = str;
    bool first = true;

    opts->entries = g_ptr_array_new_with_free_func(entry_free);
    while (*p) {
        g_autoptr(GString) key = g_string_new(NULL);
        g_autoptr(GString) val = g_string_new(NULL);

        p = read_token(p, true, key);
        if (*p == '=') {
            p = read_token(p + 1, false, val);
            if (!key->len) {
                error_setg(errp, "Invalid option string '%s': empty key", str);
                opts_free(opts);
                return NULL;
            }
        } else if (first && implied_key) {
            g_string_assign(val, key->str);
            g_string_assign(key, implied_key);
        } else if (key->len) {
            /* A bare flag means on; "nofoo" means foo=off as in QEMU. */
            g_string_assign(val, "on");
        }
        if (key->len) {
            if (!strcmp(key->str, "id")) {
                g_free(opts->id);
                opts->id = g_strdup(val->str);
            } else {
                opts_set(opts, key->str, val->str);
            }
        }
        first = false;
        if (*p == ',') {
            p++;
        }
    }
    return opts;
}

static OptsEntry *find(Opts *opts, const char *key)
{
    for (int i = opts->entries->len - 1; i >= 0; i--) {
        OptsEntry *e = g_ptr_array_index(opts->entries, i);
        if (!strcmp(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

const char *opts_get(Opts *opts, const char *key)
{
    OptsEntry *e = find(opts, key);

    if (!e) {
        return NULL;
    }
    /* Mark every instance used so a repeated key is not "unused". */
    for (unsigned i = 0; i < opts->entries->len; i++) {
        OptsEntry *x = g_ptr_array_index(opts->entries, i);
        if (!strcmp(x->key, key)) {
            x->used = true;
        }
    }
    return e->value;
}

bool opts_has(Opts *opts, const char *key)
{
    return find(opts, key) != NULL;
}

bool parse_bool(const char *str, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "y", "1" };
    static const char *const no[] = { "off", "no", "false", "n", "0" };

    for (unsigned i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(str, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool parse_uint64(const char *str, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!str || !*str || *str == '-' || g_ascii_isspace(*str)) {
        return false;
    }
    errno = 0;
    v = strtoull(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_size(const char *str, char default_suffix, uint64_t *out)
{
    char *end;
    double d;
    uint64_t mul;
    uint64_t ival;
    char suffix;

    if (!str || !*str || *str == '-' || g_ascii_isspace(*str)) {
        return false;
    }
    /* Integers are parsed exactly; fractions ("1.5G") through double. */
    errno = 0;
    ival = strtoull(str, &end, 0);
    if (errno) {
        return false;
    }
    d = (double)ival;
    if (*end == '.') {
        d = g_ascii_strtod(str, &end);
        if (errno || d < 0) {
            return false;
        }
    }
    suffix = *end ? *end++ : default_suffix;
    if (*end == 'B' || *end == 'b') {
        /* Accept "512MB"/"512Mb" as "512M", "KiB" style too. */
        end++;
    } else if (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) {
        end += 2;
    }
    if (*end) {
        return false;
    }
    switch (g_ascii_toupper(suffix)) {
    case 'B': mul = 1; break;
    case 'K': mul = KiB; break;
    case 'M': mul = MiB; break;
    case 'G': mul = GiB; break;
    case 'T': mul = 1024 * GiB; break;
    case 'P': mul = 1024 * 1024 * GiB; break;
    case 'E': mul = 1024ULL * 1024 * 1024 * GiB; break;
    default: return false;
    }
    if (d == (double)ival && *str != '.') {
        if (ival > UINT64_MAX / mul) {
            return false;
        }
        *out = ival * mul;
        return true;
    }
    if (d * mul >= 18446744073709551616.0) {
        return false;
    }
    *out = (uint64_t)(d * mul);
    return true;
}

bool opts_get_bool(Opts *opts, const char *key, bool def, GError **errp)
{
    const char *v = opts_get(opts, key);
    bool b;

    if (!v) {
        return def;
    }
    if (!parse_bool(v, &b)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return def;
    }
    return b;
}

uint64_t opts_get_number(Opts *opts, const char *key, uint64_t def,
                         GError **errp)
{
    const char *v = opts_get(opts, key);
    uint64_t n;

    if (!v) {
        return def;
    }
    if (!parse_uint64(v, &n)) {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return def;
    }
    return n;
}

uint64_t opts_get_size(Opts *opts, const char *key, uint64_t def,
                       GError **errp)
{
    const char *v = opts_get(opts, key);
    uint64_t n;

    if (!v) {
        return def;
    }
    if (!parse_size(v, 'B', &n)) {
        error_setg(errp, "Parameter '%s' expects a size (e.g. 512M, 4G)", key);
        return def;
    }
    return n;
}

bool opts_check_unused(Opts *opts, GError **errp)
{
    for (unsigned i = 0; i < opts->entries->len; i++) {
        OptsEntry *e = g_ptr_array_index(opts->entries, i);
        if (!e->used) {
            error_setg(errp, "Invalid parameter '%s'", e->key);
            return false;
        }
    }
    return true;
}
