/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared code for back ends over file descriptors. */
#include "ember/osdep.h"
#include "chardev/char.h"
#include <glib-unix.h>
#include <poll.h>

int chardev_write_all_fd(int fd, const uint8_t *buf, int len)
{
    int done = 0;

    while (done < len) {
        ssize_t r = write(fd, buf + done, len - done);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                poll(&p, 1, 100);
                continue;
            }
            return -1;
        }
        done += r;
    }
    return done;
}

static gboolean fd_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevFd *s = opaque;
    Chardev *chr = &s->parent;
    uint8_t buf[4096];
    int room = chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        /* The front end is full: stop watching until it accepts input. */
        s->watch = NULL;
        return G_SOURCE_REMOVE;
    }
    n = read(fd, buf, MIN((size_t)room, sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        s->eof = true;
        s->watch = NULL;
        chr_be_event(chr, CHR_EVENT_CLOSED);
        return G_SOURCE_REMOVE;
    }
    chr_be_write(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

void chardev_fd_accept_input(Chardev *chr)
{
    ChardevFd *s = (ChardevFd *)chr;

    if (s->watch || s->eof || s->fd_in < 0 || chr_be_can_write(chr) <= 0) {
        return;
    }
    s->watch = g_unix_fd_source_new(s->fd_in, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(s->watch, (GSourceFunc)(void (*)(void))fd_readable,
                          s, NULL);
    g_source_attach(s->watch, NULL);
    g_source_unref(s->watch);
}

void chardev_fd_attach(ChardevFd *s, int fd_in, int fd_out)
{
    s->fd_in = fd_in;
    s->fd_out = fd_out;
    s->parent.be_open = true;
}

int chardev_fd_write(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevFd *s = (ChardevFd *)chr;

    if (s->fd_out < 0) {
        return len;
    }
    return chardev_write_all_fd(s->fd_out, buf, len);
}

void chardev_fd_close(Chardev *chr)
{
    ChardevFd *s = (ChardevFd *)chr;

    if (s->watch) {
        g_source_destroy(s->watch);
        s->watch = NULL;
    }
    if (s->fd_in > 2) {
        close(s->fd_in);
    }
    if (s->fd_out > 2 && s->fd_out != s->fd_in) {
        close(s->fd_out);
    }
    s->fd_in = s->fd_out = -1;
}
