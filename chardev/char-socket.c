/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * socket back end: TCP or UNIX stream sockets, as server or client.
 *
 *   -chardev socket,id=c0,host=127.0.0.1,port=4444,server=on,wait=off
 *   -chardev socket,id=c0,path=/tmp/ember.sock,server=on
 *   -chardev socket,id=c0,host=localhost,port=4444[,reconnect=2]
 *   -serial tcp:127.0.0.1:4444,server,nowait     (legacy spelling)
 *   -serial tcp::4444,server=on,wait=off
 *   -serial unix:/tmp/ember.sock,server=on,wait=off
 *   -serial telnet::4444,server,nowait           (plain TCP here)
 *
 * A server takes one client at a time; while it is connected further
 * clients wait in the listen backlog, and when it leaves the front end
 * sees CHR_EVENT_CLOSED and the next one is accepted. With wait=on (the
 * default for servers) start-up blocks until the first client connects.
 * A client connects at start-up (failure is an error) and, with
 * reconnect=N, tries again every N seconds after a disconnect. Output
 * while nobody is connected is discarded, as on an unplugged line.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include <glib-unix.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct ChardevSocket {
    Chardev parent;
    bool is_unix;
    bool server;
    bool nodelay;
    char *host;                 /* TCP: as given ("" = any/local) */
    char *port;
    char *path;                 /* UNIX */
    int64_t reconnect_s;        /* client: seconds between tries, 0 = no */
    int listen_fd;
    int fd;                     /* the connection, or -1 */
    GSource *listen_watch;
    GSource *read_watch;
    guint reconnect_id;
    bool unlink_path;           /* we created the UNIX socket file */
} ChardevSocket;

static void sock_disconnect(ChardevSocket *s);

/* "disconnected:tcp:host:port,server=on" as QEMU's info strings go. */
static char *sock_describe(ChardevSocket *s)
{
    if (s->is_unix) {
        return g_strdup_printf("unix:%s%s", s->path,
                               s->server ? ",server=on" : "");
    }
    return g_strdup_printf("tcp:%s:%s%s", *s->host ? s->host : "0.0.0.0",
                           s->port, s->server ? ",server=on" : "");
}

/* ---- addresses ----------------------------------------------------------- */

static int sock_unix_socket(ChardevSocket *s, struct sockaddr_un *sa,
                            GError **errp)
{
    int fd;

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(s->path) >= sizeof(sa->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return -1;
    }
    g_strlcpy(sa->sun_path, s->path, sizeof(sa->sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
    }
    return fd;
}

static struct addrinfo *sock_resolve(ChardevSocket *s, GError **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->server ? AI_PASSIVE : 0,
    };
    struct addrinfo *res = NULL;
    const char *host = *s->host ? s->host : NULL;
    int r;

    if (!host && !s->server) {
        host = "localhost";
    }
    r = getaddrinfo(host, s->port, &hints, &res);
    if (r) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   host ? host : "", s->port, gai_strerror(r));
        return NULL;
    }
    return res;
}

static void sock_set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int sock_listen(ChardevSocket *s, GError **errp)
{
    int fd = -1, one = 1, err = 0;

    if (s->is_unix) {
        struct sockaddr_un sa;
        fd = sock_unix_socket(s, &sa, errp);
        if (fd < 0) {
            return -1;
        }
        /* A stale socket file from an earlier run is replaced. */
        unlink(s->path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s",
                             s->path);
            close(fd);
            return -1;
        }
        s->unlink_path = true;
        return fd;
    } else {
        struct addrinfo *res = sock_resolve(s, errp), *ai;
        if (!res) {
            return -1;
        }
        /* Prefer IPv4 for an empty host, like QEMU's "0.0.0.0". */
        for (int pass = 0; pass < 2 && fd < 0; pass++) {
            for (ai = res; ai; ai = ai->ai_next) {
                if ((pass == 0) != (ai->ai_family == AF_INET)) {
                    continue;
                }
                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                            ai->ai_protocol);
                if (fd < 0) {
                    err = errno;
                    continue;
                }
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                    listen(fd, 1) == 0) {
                    break;
                }
                err = errno;
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to bind socket on %s:%s",
                             *s->host ? s->host : "", s->port);
        }
        return fd;
    }
}

static int sock_connect(ChardevSocket *s, GError **errp)
{
    int fd = -1, err = 0;

    if (s->is_unix) {
        struct sockaddr_un sa;
        fd = sock_unix_socket(s, &sa, errp);
        if (fd < 0) {
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             s->path);
            close(fd);
            return -1;
        }
        return fd;
    } else {
        struct addrinfo *res = sock_resolve(s, errp), *ai;
        if (!res) {
            return -1;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                break;
            }
            err = errno;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to connect to '%s:%s'",
                             *s->host ? s->host : "localhost", s->port);
        }
        return fd;
    }
}

/* ---- the connection ------------------------------------------------------ */

static gboolean sock_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevSocket *s = opaque;
    Chardev *chr = &s->parent;
    uint8_t buf[4096];
    int room = chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        /* The front end is full: wait for chr_fe_accept_input. */
        s->read_watch = NULL;
        return G_SOURCE_REMOVE;
    }
    n = recv(fd, buf, MIN((size_t)room, sizeof(buf)), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        s->read_watch = NULL;
        sock_disconnect(s);
        return G_SOURCE_REMOVE;
    }
    chr_be_write(chr, buf, n);
    return G_SOURCE_CONTINUE;
}

static void sock_accept_input(Chardev *chr)
{
    ChardevSocket *s = (ChardevSocket *)chr;

    if (s->read_watch || s->fd < 0 || chr_be_can_write(chr) <= 0) {
        return;
    }
    s->read_watch = g_unix_fd_source_new(s->fd,
                                         G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(s->read_watch,
                          (GSourceFunc)(void (*)(void))sock_readable, s,
                          NULL);
    g_source_attach(s->read_watch, NULL);
    g_source_unref(s->read_watch);
}

static void sock_set_connection(ChardevSocket *s, int fd)
{
    int one = 1;

    sock_set_nonblock(fd);
    if (!s->is_unix && s->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    chr_be_event(&s->parent, CHR_EVENT_OPENED);
    sock_accept_input(&s->parent);
}

static gboolean sock_acceptable(gint fd, GIOCondition cond, gpointer opaque);

static void sock_watch_listen(ChardevSocket *s)
{
    if (s->listen_watch || s->listen_fd < 0) {
        return;
    }
    s->listen_watch = g_unix_fd_source_new(s->listen_fd, G_IO_IN);
    g_source_set_callback(s->listen_watch,
                          (GSourceFunc)(void (*)(void))sock_acceptable, s,
                          NULL);
    g_source_attach(s->listen_watch, NULL);
    g_source_unref(s->listen_watch);
}

static gboolean sock_acceptable(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevSocket *s = opaque;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    /* One client at a time: stop listening until it leaves. */
    s->listen_watch = NULL;
    sock_set_connection(s, cfd);
    return G_SOURCE_REMOVE;
}

static gboolean sock_reconnect(gpointer opaque)
{
    ChardevSocket *s = opaque;
    int fd = sock_connect(s, NULL);

    if (fd < 0) {
        return G_SOURCE_CONTINUE;
    }
    s->reconnect_id = 0;
    sock_set_connection(s, fd);
    return G_SOURCE_REMOVE;
}

static void sock_disconnect(ChardevSocket *s)
{
    if (s->read_watch) {
        g_source_destroy(s->read_watch);
        s->read_watch = NULL;
    }
    if (s->fd < 0) {
        return;
    }
    close(s->fd);
    s->fd = -1;
    chr_be_event(&s->parent, CHR_EVENT_CLOSED);
    if (s->server) {
        sock_watch_listen(s);
    } else if (s->reconnect_s && !s->reconnect_id) {
        s->reconnect_id = g_timeout_add_seconds(s->reconnect_s,
                                                sock_reconnect, s);
    }
}

static int sock_write(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevSocket *s = (ChardevSocket *)chr;
    ssize_t n;

    if (s->fd < 0) {
        return len;             /* nobody there: the bytes are lost */
    }
    for (;;) {
        n = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN) {
            return 0;           /* the peer is slow: try again later */
        }
        /* Gone: drop the data and wait for the next peer. */
        sock_disconnect(s);
        return -1;
    }
}

/* ---- options ------------------------------------------------------------- */

static void sock_close(Chardev *chr);

static bool sock_open_inner(Chardev *chr, Opts *opts, GError **errp)
{
    ChardevSocket *s = (ChardevSocket *)chr;
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");
    const char *path = opts_get(opts, "path");
    GError *err = NULL;
    bool wait = true;

    s->fd = s->listen_fd = -1;
    s->server = opts_get_bool(opts, "server", false, &err);
    if (!err) {
        wait = opts_get_bool(opts, "wait", true, &err);
    }
    if (!err) {
        s->nodelay = opts_get_bool(opts, "nodelay", false, &err);
    }
    if (!err) {
        /* Telnet negotiation is not done: the line is plain TCP. */
        opts_get_bool(opts, "telnet", false, &err);
    }
    if (!err) {
        s->reconnect_s = opts_get_number(opts, "reconnect", 0, &err);
    }
    /* Accepted for compatibility; the address decides the family. */
    opts_get(opts, "ipv4");
    opts_get(opts, "ipv6");
    opts_get(opts, "to");
    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "chardev: socket: 'path' cannot be combined with "
                   "'host' or 'port'");
        return false;
    }
    if (path) {
        s->is_unix = true;
        s->path = g_strdup(path);
    } else if (port) {
        s->host = g_strdup(host ? host : "");
        s->port = g_strdup(port);
    } else {
        error_setg(errp, "chardev: socket: needs 'path' or 'port'");
        return false;
    }
    if (s->server && s->reconnect_s) {
        error_setg(errp, "'reconnect' option is incompatible with "
                   "'server' socket");
        return false;
    }

    if (s->server) {
        s->listen_fd = sock_listen(s, errp);
        if (s->listen_fd < 0) {
            return false;
        }
        if (wait) {
            g_autofree char *desc = sock_describe(s);
            int cfd;
            info_report("Ember waiting for connection on: disconnected:%s",
                        desc);
            do {
                cfd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            } while (cfd < 0 && errno == EINTR);
            if (cfd < 0) {
                error_setg_errno(errp, errno, "accept failed");
                return false;
            }
            sock_set_connection(s, cfd);
        } else {
            sock_watch_listen(s);
        }
    } else {
        int fd = sock_connect(s, s->reconnect_s ? NULL : errp);
        if (fd >= 0) {
            sock_set_connection(s, fd);
        } else if (s->reconnect_s) {
            s->reconnect_id = g_timeout_add_seconds(s->reconnect_s,
                                                    sock_reconnect, s);
        } else {
            return false;
        }
    }
    return true;
}

static bool sock_open(Chardev *chr, Opts *opts, GError **errp)
{
    if (!sock_open_inner(chr, opts, errp)) {
        /* The core frees chr without close(): release what we hold. */
        sock_close(chr);
        return false;
    }
    return true;
}

static void sock_close(Chardev *chr)
{
    ChardevSocket *s = (ChardevSocket *)chr;

    if (s->reconnect_id) {
        g_source_remove(s->reconnect_id);
        s->reconnect_id = 0;
    }
    if (s->listen_watch) {
        g_source_destroy(s->listen_watch);
        s->listen_watch = NULL;
    }
    if (s->read_watch) {
        g_source_destroy(s->read_watch);
        s->read_watch = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
    if (s->unlink_path) {
        unlink(s->path);
    }
    g_free(s->host);
    g_free(s->port);
    g_free(s->path);
}

/*
 * Legacy "ADDR[,flag|key=value...]": flags "server", "nowait", "wait",
 * "nodelay", "telnet" and any key=value of -chardev socket.
 */
static bool sock_parse_flags(const char *flags, Opts *opts, GError **errp)
{
    g_auto(GStrv) items = g_strsplit(flags, ",", -1);

    for (int i = 0; items[i]; i++) {
        const char *it = items[i];
        const char *eq = strchr(it, '=');
        if (!*it) {
            continue;
        }
        if (eq) {
            g_autofree char *key = g_strndup(it, eq - it);
            opts_set(opts, key, eq + 1);
        } else if (!strcmp(it, "nowait")) {
            opts_set(opts, "wait", "off");
        } else if (!strcmp(it, "server") || !strcmp(it, "wait") ||
                   !strcmp(it, "nodelay") || !strcmp(it, "telnet")) {
            opts_set(opts, it, "on");
        } else {
            error_setg(errp, "Invalid parameter '%s'", it);
            return false;
        }
    }
    return true;
}

static bool sock_parse_tcp(const char *rest, Opts *opts, GError **errp)
{
    const char *comma = strchr(rest, ',');
    g_autofree char *addr = comma ? g_strndup(rest, comma - rest)
                                  : g_strdup(rest);
    const char *colon;
    g_autofree char *host = NULL;

    /* [v6addr]:port, host:port or :port */
    if (addr[0] == '[') {
        char *end = strchr(addr, ']');
        if (!end || end[1] != ':') {
            error_setg(errp, "chardev: bad address '%s'", addr);
            return false;
        }
        host = g_strndup(addr + 1, end - addr - 1);
        colon = end + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon) {
            error_setg(errp, "chardev: no port given in '%s'", addr);
            return false;
        }
        host = g_strndup(addr, colon - addr);
    }
    if (!colon[1]) {
        error_setg(errp, "chardev: no port given in '%s'", addr);
        return false;
    }
    opts_set(opts, "backend", "socket");
    if (*host) {
        opts_set(opts, "host", host);
    }
    opts_set(opts, "port", colon + 1);
    return sock_parse_flags(comma ? comma + 1 : "", opts, errp);
}

static bool sock_parse_unix(const char *rest, Opts *opts, GError **errp)
{
    const char *comma = strchr(rest, ',');
    g_autofree char *path = comma ? g_strndup(rest, comma - rest)
                                  : g_strdup(rest);

    if (!*path) {
        error_setg(errp, "chardev: unix: no path given");
        return false;
    }
    opts_set(opts, "backend", "socket");
    opts_set(opts, "path", path);
    return sock_parse_flags(comma ? comma + 1 : "", opts, errp);
}

static const ChardevClass socket_class = {
    .name = "socket",
    .instance_size = sizeof(ChardevSocket),
    .open = sock_open,
    .write = sock_write,
    .accept_input = sock_accept_input,
    .close = sock_close,
};

/* Only for the legacy spellings; they resolve to "socket". */
static const ChardevClass socket_tcp_legacy_class = {
    .name = "socket-tcp-legacy",
    .instance_size = sizeof(ChardevSocket),
    .parse_legacy = sock_parse_tcp,
};

static const ChardevClass socket_unix_legacy_class = {
    .name = "socket-unix-legacy",
    .instance_size = sizeof(ChardevSocket),
    .parse_legacy = sock_parse_unix,
};

static void __attribute__((constructor)) register_socket(void)
{
    chardev_register(&socket_class);
    chardev_register(&socket_tcp_legacy_class);
    chardev_register(&socket_unix_legacy_class);
}
