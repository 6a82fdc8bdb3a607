/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file (output to a file; "path", "append"), pipe ("path": path.in and
 * path.out, or one FIFO), and serial (a host tty device, "path").
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include <fcntl.h>

static bool file_open(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevFd *s = (ChardevFd *)chr;
    const char *path = opts_get(opts, "path");
    const char *in = opts_get(opts, "input-path");
    GError *err = NULL;
    bool append = opts_get_bool(opts, "append", false, &err);
    int fd, fd_in = -1;

    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
              (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    if (in) {
        fd_in = open(in, O_RDONLY | O_CLOEXEC);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", in);
            close(fd);
            return false;
        }
    }
    chardev_fd_attach(s, fd_in, fd);
    return true;
}

static bool file_parse_legacy(const char *rest, Opts *opts, GError **errp)
{
    if (!*rest) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    opts_set(opts, "path", rest);
    return true;
}

static const ChardevClass file_class = {
    .name = "file",
    .instance_size = sizeof(ChardevFd),
    .open = file_open,
    .write = chardev_fd_write,
    .accept_input = chardev_fd_accept_input,
    .close = chardev_fd_close,
    .parse_legacy = file_parse_legacy,
};

static bool pipe_open(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevFd *s = (ChardevFd *)chr;
    const char *path = opts_get(opts, "path");
    g_autofree char *pin = NULL, *pout = NULL;
    int fd_in, fd_out;

    if (!path) {
        error_setg(errp, "chardev: pipe: no device path given");
        return false;
    }
    pin = g_strdup_printf("%s.in", path);
    pout = g_strdup_printf("%s.out", path);
    fd_in = open(pin, O_RDWR | O_CLOEXEC);
    fd_out = open(pout, O_RDWR | O_CLOEXEC);
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        if (fd_out >= 0) {
            close(fd_out);
        }
        fd_in = fd_out = open(path, O_RDWR | O_CLOEXEC);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", path);
            return false;
        }
    }
    chardev_fd_attach(s, fd_in, fd_out);
    return true;
}

static const ChardevClass pipe_class = {
    .name = "pipe",
    .instance_size = sizeof(ChardevFd),
    .open = pipe_open,
    .write = chardev_fd_write,
    .accept_input = chardev_fd_accept_input,
    .close = chardev_fd_close,
    .parse_legacy = file_parse_legacy,
};

static bool serial_open(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevFd *s = (ChardevFd *)chr;
    const char *path = opts_get(opts, "path");
    int fd;

    if (!path) {
        error_setg(errp, "chardev: serial: no device path given");
        return false;
    }
    fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    chardev_fd_attach(s, fd, fd);
    return true;
}

static const ChardevClass serial_class = {
    .name = "serial",
    .instance_size = sizeof(ChardevFd),
    .open = serial_open,
    .write = chardev_fd_write,
    .accept_input = chardev_fd_accept_input,
    .close = chardev_fd_close,
    .parse_legacy = file_parse_legacy,
};

static void __attribute__((constructor)) register_file(void)
{
    chardev_register(&file_class);
    chardev_register(&pipe_class);
    chardev_register(&serial_class);
}
