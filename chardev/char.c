/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Character device core: registry, creation, front-end API. */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"

static GPtrArray *classes;
static GPtrArray *chardevs;        /* creation order */

void chardev_register(const ChardevClass *cls)
{
    if (!classes) {
        classes = g_ptr_array_new();
    }
    g_ptr_array_add(classes, (gpointer)cls);
}

static const ChardevClass *class_find(const char *name)
{
    for (unsigned i = 0; classes && i < classes->len; i++) {
        const ChardevClass *c = g_ptr_array_index(classes, i);
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

void chardev_list_backends(FILE *f)
{
    fprintf(f, "Available chardev backend types:\n");
    for (unsigned i = 0; classes && i < classes->len; i++) {
        const ChardevClass *c = g_ptr_array_index(classes, i);
        fprintf(f, "  %s\n", c->name);
    }
}

Chardev *chardev_find(const char *label)
{
    for (unsigned i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *c = g_ptr_array_index(chardevs, i);
        if (!strcmp(c->label, label)) {
            return c;
        }
    }
    return NULL;
}

static Chardev *chardev_create(const ChardevClass *cls, const char *label,
                               Opts *opts, GError **errp)
{
    Chardev *chr;

    if (chardev_find(label)) {
        error_setg(errp, "attempt to add duplicate property '%s'", label);
        return NULL;
    }
    assert(cls->instance_size >= sizeof(Chardev));
    chr = g_malloc0(cls->instance_size);
    chr->cls = cls;
    chr->label = g_strdup(label);
    g_mutex_init(&chr->write_lock);
    if (cls->open && !cls->open(chr, opts, errp)) {
        g_mutex_clear(&chr->write_lock);
        g_free(chr->label);
        g_free(chr);
        return NULL;
    }
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, chr);
    return chr;
}

/* Create "mux" over base (mux.c opens it from the "chardev" option). */
static Chardev *mux_over(Chardev *base, const char *label, GError **errp)
{
    g_autoptr(Opts) mo = opts_parse("", NULL, NULL);
    const ChardevClass *mux = class_find("mux");

    opts_set(mo, "chardev", base->label);
    return chardev_create(mux, label, mo, errp);
}

Chardev *chardev_new_from_opts(Opts *opts, GError **errp)
{
    const char *backend = opts_get(opts, "backend");
    const ChardevClass *cls;
    bool mux;
    Chardev *chr;

    if (!opts->id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", opts->id);
        return NULL;
    }
    cls = class_find(backend);
    if (!cls || !strcmp(backend, "mux")) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    mux = opts_get_bool(opts, "mux", false, errp);
    if (errp && *errp) {
        return NULL;
    }
    if (mux) {
        g_autofree char *base_label = g_strdup_printf("%s-base", opts->id);
        Chardev *base = chardev_create(cls, base_label, opts, errp);
        if (!base || !opts_check_unused(opts, errp)) {
            return NULL;
        }
        return mux_over(base, opts->id, errp);
    }
    chr = chardev_create(cls, opts->id, opts, errp);
    if (chr && !opts_check_unused(opts, errp)) {
        return NULL;
    }
    return chr;
}

Chardev *chardev_new_legacy(const char *label, const char *spec,
                            GError **errp)
{
    g_autoptr(Opts) opts = NULL;
    g_autofree char *name = NULL;
    const char *rest = "";
    const ChardevClass *cls;
    Chardev *chr;

    if (!strcmp(spec, "none")) {
        return NULL;
    }
    if (g_str_has_prefix(spec, "mon:")) {
        /* No monitor here: a mux so that Ctrl-A commands work. */
        g_autofree char *base_label = g_strdup_printf("%s-base", label);
        Chardev *base = chardev_new_legacy(base_label, spec + 4, errp);
        return base ? mux_over(base, label, errp) : NULL;
    }
    if (g_str_has_prefix(spec, "/dev/")) {
        name = g_strdup("serial");
        rest = spec;
    } else {
        const char *colon = strchr(spec, ':');
        name = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
        rest = colon ? colon + 1 : "";
    }
    if (!strcmp(name, "telnet") || !strcmp(name, "tcp") ||
        !strcmp(name, "websocket")) {
        g_free(name);
        name = g_strdup("socket-tcp-legacy");
    }
    if (!strcmp(name, "unix")) {
        g_free(name);
        name = g_strdup("socket-unix-legacy");
    }
    cls = class_find(name);
    if (!cls && !strcmp(name, "vc")) {
        /* No text consoles without a display: output is discarded. */
        cls = class_find("null");
    }
    if (!cls) {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    opts = opts_parse("", NULL, NULL);
    if (cls->parse_legacy) {
        if (!cls->parse_legacy(rest, opts, errp)) {
            return NULL;
        }
        cls = class_find(opts_get(opts, "backend") ?: cls->name);
        g_assert(cls);
    } else if (*rest && strcmp(name, "vc")) {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    chr = chardev_create(cls, label, opts, errp);
    if (chr && !opts_check_unused(opts, errp)) {
        return NULL;
    }
    return chr;
}

void chardev_cleanup_all(void)
{
    while (chardevs && chardevs->len) {
        Chardev *chr = g_ptr_array_steal_index(chardevs, chardevs->len - 1);
        if (chr->cls->close) {
            chr->cls->close(chr);
        }
        g_mutex_clear(&chr->write_lock);
        g_free(chr->label);
        g_free(chr);
    }
}

/* ---- front end ------------------------------------------------------------ */

bool chr_fe_init(CharBackend *be, Chardev *chr, GError **errp)
{
    memset(be, 0, sizeof(*be));
    if (!chr) {
        return true;
    }
    if (chr->cls->fe_attach) {
        if (!chr->cls->fe_attach(chr, be, errp)) {
            return false;
        }
    } else if (chr->be) {
        error_setg(errp, "Device '%s' is in use", chr->label);
        return false;
    } else {
        chr->be = be;
    }
    be->chr = chr;
    return true;
}

void chr_fe_deinit(CharBackend *be)
{
    Chardev *chr = be->chr;

    if (!chr) {
        return;
    }
    if (chr->cls->fe_detach) {
        chr->cls->fe_detach(chr, be);
    } else if (chr->be == be) {
        chr->be = NULL;
    }
    be->chr = NULL;
}

void chr_fe_set_handlers(CharBackend *be, ChrCanReceive *can_receive,
                         ChrReceive *receive, ChrEventHandler *event,
                         void *opaque)
{
    be->can_receive = can_receive;
    be->receive = receive;
    be->event = event;
    be->opaque = opaque;
    if (be->chr) {
        if (event && be->chr->be_open) {
            event(opaque, CHR_EVENT_OPENED);
        }
        chr_fe_accept_input(be);
    }
}

int chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    Chardev *chr = be->chr;
    int r;

    if (!chr || !chr->cls->write) {
        return len;     /* unconnected: output is discarded */
    }
    g_mutex_lock(&chr->write_lock);
    r = chr->cls->write(chr, buf, len);
    g_mutex_unlock(&chr->write_lock);
    return r < 0 ? len : r;
}

int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    Chardev *chr = be->chr;
    int done = 0;
    int spins = 0;

    if (!chr || !chr->cls->write) {
        return len;
    }
    g_mutex_lock(&chr->write_lock);
    while (done < len) {
        int r = chr->cls->write(chr, buf + done, len - done);
        if (r < 0) {
            done = len;         /* gone: drop the rest */
            break;
        }
        if (r == 0) {
            /* Back end full: wait a little (at most ~2 s in total). */
            if (++spins > 2000) {
                break;
            }
            g_usleep(1000);
        }
        done += r;
    }
    g_mutex_unlock(&chr->write_lock);
    return done;
}

void chr_fe_accept_input(CharBackend *be)
{
    if (be->chr && be->chr->cls->accept_input) {
        be->chr->cls->accept_input(be->chr);
    }
}

/* ---- back end ------------------------------------------------------------- */

int chr_be_can_write(Chardev *chr)
{
    CharBackend *be = chr->be;

    if (!be || !be->receive) {
        return 0;
    }
    return be->can_receive ? be->can_receive(be->opaque) : 4096;
}

void chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    CharBackend *be = chr->be;

    if (be && be->receive && len > 0) {
        be->receive(be->opaque, buf, len);
    }
}

void chr_be_event(Chardev *chr, ChrEvent event)
{
    CharBackend *be = chr->be;

    if (event == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (be && be->event) {
        be->event(be->opaque, event);
    }
}
