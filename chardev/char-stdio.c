/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stdio back end. When stdin is a terminal it is put in raw mode (output
 * post-processing stays on so "\n" still ends lines), and restored at
 * exit. signal=off (the default under a mux) passes Ctrl-C to the guest.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include <termios.h>

static struct termios saved_tty;
static bool tty_saved;
static bool stdio_in_use;

static void stdio_restore(void)
{
    if (tty_saved) {
        tcsetattr(0, TCSANOW, &saved_tty);
        tty_saved = false;
    }
}

static bool stdio_open(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevFd *s = (ChardevFd *)chr;
    GError *err = NULL;
    bool sig = opts_get_bool(opts, "signal", true, &err);

    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    chardev_fd_attach(s, 0, 1);
    if (isatty(0)) {
        struct termios tty;
        tcgetattr(0, &tty);
        saved_tty = tty;
        tty_saved = true;
        atexit(stdio_restore);
        tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                         ICRNL | IXON);
        tty.c_oflag |= OPOST;
        tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
        if (!sig) {
            tty.c_lflag &= ~ISIG;
        }
        tty.c_cflag &= ~(CSIZE | PARENB);
        tty.c_cflag |= CS8;
        tty.c_cc[VMIN] = 1;
        tty.c_cc[VTIME] = 0;
        tcsetattr(0, TCSANOW, &tty);
    }
    return true;
}

static void stdio_close(Chardev *chr)
{
    ChardevFd *s = (ChardevFd *)chr;

    stdio_restore();
    if (s->watch) {
        g_source_destroy(s->watch);
        s->watch = NULL;
    }
    stdio_in_use = false;
}

static const ChardevClass stdio_class = {
    .name = "stdio",
    .instance_size = sizeof(ChardevFd),
    .open = stdio_open,
    .write = chardev_fd_write,
    .accept_input = chardev_fd_accept_input,
    .close = stdio_close,
};

/* Legacy "-serial stdio" for a mux gets signal=off (see char-mux.c). */
static bool null_open(Chardev *chr, Opts *opts, GError **errp)
{
    chr->be_open = true;
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static const ChardevClass null_class = {
    .name = "null",
    .instance_size = sizeof(Chardev),
    .open = null_open,
    .write = null_write,
};

static void __attribute__((constructor)) register_stdio(void)
{
    chardev_register(&stdio_class);
    chardev_register(&null_class);
}
