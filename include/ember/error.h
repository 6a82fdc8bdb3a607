/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error reporting.
 *
 * Set-up code reports failure through GError **errp (error_setg) and the
 * caller decides; at the top, error_report_err() prints one line
 *   "ember-system-x86_64: -drive file=x.qcow2: image is not a qcow2 file"
 * and the program exits non-zero. Devices never exit() on guest input.
 */
#ifndef EMBER_ERROR_H
#define EMBER_ERROR_H

#include "ember/osdep.h"

#define EMBER_ERROR (ember_error_quark())
GQuark ember_error_quark(void);

#define error_setg(errp, ...) \
    g_set_error((errp), EMBER_ERROR, 0, __VA_ARGS__)
/* error_setg plus ": strerror(errno_value)". */
void error_setg_errno(GError **errp, int errno_value, const char *fmt, ...)
    EMBER_PRINTF(3, 4);
#define error_prepend(errp, ...) g_prefix_error((errp), __VA_ARGS__)
#define error_propagate(dst, src) g_propagate_error((dst), (src))

/* The program name used as the prefix of every error line. */
void error_set_progname(const char *argv0);
const char *error_get_progname(void);

/*
 * The location being processed, printed between the program name and the
 * message: e.g. "-drive file=x". NULL clears it.
 */
void error_set_location(const char *fmt, ...) EMBER_PRINTF(1, 2);
void error_clear_location(void);

/* Print "progname: [location: ]message\n" to stderr. */
void error_report(const char *fmt, ...) EMBER_PRINTF(1, 2);
void warn_report(const char *fmt, ...) EMBER_PRINTF(1, 2);
void info_report(const char *fmt, ...) EMBER_PRINTF(1, 2);
/* Print err's message the same way and free it. */
void error_report_err(GError *err);
/* error_report_err() and exit(1). */
void EMBER_NORETURN error_exit(GError *err);

#endif
