/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ember/osdep.h"
#include "ember/error.h"

static char *progname;
static char *location;

G_DEFINE_QUARK(ember-error-quark, ember_error)

void error_setg_errno(GError **errp, int errno_value, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, EMBER_ERROR, 0, "%s: %s", msg, g_strerror(errno_value));
}

void error_set_progname(const char *argv0)
{
    g_free(progname);
    progname = g_path_get_basename(argv0);
}

const char *error_get_progname(void)
{
    return progname ? progname : "ember";
}

void error_set_location(const char *fmt, ...)
{
    va_list ap;

    g_free(location);
    va_start(ap, fmt);
    location = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void error_clear_location(void)
{
    g_clear_pointer(&location, g_free);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    fprintf(stderr, "%s: %s%s%s%s\n", error_get_progname(),
            location ? location : "", location ? ": " : "", kind, msg);
    fflush(stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}

void error_report_err(GError *err)
{
    error_report("%s", err->message);
    g_error_free(err);
}

void error_exit(GError *err)
{
    error_report_err(err);
    exit(1);
}
