/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pty back end: a pseudo-terminal whose other side (/dev/pts/N) a user
 * opens with screen, minicom or a script.
 *
 *   -serial pty
 *   -chardev pty,id=c0[,path=/tmp/ember-serial]   (path: a symlink to it)
 *
 * At start-up it prints "char device redirected to /dev/pts/N (label L)"
 * on stderr, as QEMU does. The line is put in raw mode. Until someone
 * opens the terminal (checked once a second, and whenever the reader
 * hangs up) output is discarded, so a guest never stalls on it.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include <glib-unix.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>

#define PTY_POLL_MS 1000

typedef struct ChardevPty {
    Chardev parent;
    int master;
    char *name;                 /* /dev/pts/N */
    char *link;                 /* the symlink made for path=, or NULL */
    bool connected;
    GSource *read_watch;
    guint poll_id;
} ChardevPty;

static void pty_check_connected(ChardevPty *s);

static bool pty_peer_present(ChardevPty *s)
{
    struct pollfd p = { .fd = s->master, .events = POLLIN };

    /* The master reports a hang-up while no one has the slave open. */
    return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

static gboolean pty_poll(gpointer opaque)
{
    ChardevPty *s = opaque;

    pty_check_connected(s);
    if (s->connected) {
        s->poll_id = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void pty_set_disconnected(ChardevPty *s)
{
    if (s->read_watch) {
        g_source_destroy(s->read_watch);
        s->read_watch = NULL;
    }
    if (s->connected) {
        s->connected = false;
        chr_be_event(&s->parent, CHR_EVENT_CLOSED);
    }
    if (!s->poll_id) {
        s->poll_id = g_timeout_add(PTY_POLL_MS, pty_poll, s);
    }
}

static gboolean pty_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevPty *s = opaque;
    Chardev *chr = &s->parent;
    uint8_t buf[4096];
    int room = chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        if (cond & G_IO_HUP) {
            s->read_watch = NULL;
            pty_set_disconnected(s);
            return G_SOURCE_REMOVE;
        }
        s->read_watch = NULL;
        return G_SOURCE_REMOVE;
    }
    n = read(fd, buf, MIN((size_t)room, sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        /* EIO: the last reader closed the terminal. */
        s->read_watch = NULL;
        pty_set_disconnected(s);
        return G_SOURCE_REMOVE;
    }
    chr_be_write(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static void pty_accept_input(Chardev *chr)
{
    ChardevPty *s = (ChardevPty *)chr;

    if (!s->connected || s->read_watch || chr_be_can_write(chr) <= 0) {
        return;
    }
    s->read_watch = g_unix_fd_source_new(s->master,
                                         G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(s->read_watch,
                          (GSourceFunc)(void (*)(void))pty_readable, s,
                          NULL);
    g_source_attach(s->read_watch, NULL);
    g_source_unref(s->read_watch);
}

static void pty_check_connected(ChardevPty *s)
{
    if (s->connected || !pty_peer_present(s)) {
        return;
    }
    s->connected = true;
    chr_be_event(&s->parent, CHR_EVENT_OPENED);
    pty_accept_input(&s->parent);
}

static int pty_write(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevPty *s = (ChardevPty *)chr;
    ssize_t n;

    if (!s->connected) {
        pty_check_connected(s);
        if (!s->connected) {
            return len;         /* nobody listening */
        }
    }
    for (;;) {
        n = write(s->master, buf, len);
        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN) {
            return 0;
        }
        pty_set_disconnected(s);
        return -1;
    }
}

static bool pty_open(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevPty *s = (ChardevPty *)chr;
    const char *path = opts_get(opts, "path");
    char name[PATH_MAX];
    struct termios tty;
    int slave;

    if (openpty(&s->master, &slave, name, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "Failed to create PTY");
        return false;
    }
    /* Raw, 8 bits: bytes pass unchanged both ways. */
    if (tcgetattr(slave, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(slave, TCSAFLUSH, &tty);
    }
    close(slave);
    fcntl(s->master, F_SETFL, fcntl(s->master, F_GETFL) | O_NONBLOCK);
    fcntl(s->master, F_SETFD, FD_CLOEXEC);
    s->name = g_strdup(name);
    if (path) {
        unlink(path);
        if (symlink(name, path) < 0) {
            error_setg_errno(errp, errno, "Failed to create PTY symlink "
                             "'%s'", path);
            close(s->master);
            g_free(s->name);
            return false;
        }
        s->link = g_strdup(path);
    }
    fprintf(stderr, "char device redirected to %s (label %s)\n", name,
            chr->label);
    s->poll_id = g_timeout_add(PTY_POLL_MS, pty_poll, s);
    return true;
}

static void pty_close(Chardev *chr)
{
    ChardevPty *s = (ChardevPty *)chr;

    if (s->poll_id) {
        g_source_remove(s->poll_id);
        s->poll_id = 0;
    }
    if (s->read_watch) {
        g_source_destroy(s->read_watch);
        s->read_watch = NULL;
    }
    if (s->master >= 0) {
        close(s->master);
        s->master = -1;
    }
    if (s->link) {
        unlink(s->link);
        g_free(s->link);
    }
    g_free(s->name);
}

static bool pty_parse_legacy(const char *rest, Opts *opts, GError **errp)
{
    if (*rest) {
        opts_set(opts, "path", rest);
    }
    return true;
}

static const ChardevClass pty_class = {
    .name = "pty",
    .instance_size = sizeof(ChardevPty),
    .open = pty_open,
    .write = pty_write,
    .accept_input = pty_accept_input,
    .close = pty_close,
    .parse_legacy = pty_parse_legacy,
};

static void __attribute__((constructor)) register_pty(void)
{
    chardev_register(&pty_class);
}
