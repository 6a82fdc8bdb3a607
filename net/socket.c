/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev socket and -netdev stream: frames over a host socket, to
 * connect two emulators (Ember or QEMU) or a test program.
 *
 *   -netdev socket,id=ID,listen=[HOST]:PORT     TCP, wait for one peer
 *   -netdev socket,id=ID,connect=HOST:PORT      TCP, connect at start
 *   -netdev socket,id=ID,udp=HOST:PORT,localaddr=[HOST]:PORT
 *                                               UDP, one frame each
 *   -netdev stream,id=ID,server=on|off,addr.type=inet,addr.host=H,
 *           addr.port=P                          the same as listen/connect
 *   -netdev stream,id=ID,server=on|off,addr.type=unix,addr.path=PATH
 *
 * On a stream every frame is preceded by its length as a 32-bit
 * big-endian number, as QEMU's socket and stream back ends do, so Ember
 * and QEMU interoperate. A listening back end takes one peer at a time
 * and accepts the next when it leaves; a connecting one does not
 * reconnect. Frames sent while no peer is there are lost, as on an
 * unplugged cable.
 *
 * Flow control: reading stops while the NIC's queue is full; a write
 * that would block leaves the rest of the frame pending, and the core
 * queues what follows until the socket is writable again.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include "net/net.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SOCKET_FRAME_MAX (65536 + 64)
#define SOCKET_READ_BATCH 64

typedef struct SocketState {
    NetClientState nc;
    bool dgram;
    int listen_fd;              /* -1: not listening */
    int fd;                     /* the connection or UDP socket; -1 */
    char *unix_path;            /* a listening UNIX socket to remove */
    struct sockaddr_storage dst;    /* UDP: where frames go */
    socklen_t dst_len;
    GSource *source;
    gpointer listen_tag, fd_tag;
    bool read_stopped;          /* the NIC's queue is full */
    /* Stream input: length-prefixed frames being assembled. */
    uint8_t *rbuf;
    size_t rlen;                /* bytes in rbuf */
    /* Stream output: the unsent tail of the last frame. */
    uint8_t *wbuf;
    size_t wlen, woff;
} SocketState;

typedef struct SocketSource {
    GSource source;
    SocketState *s;
} SocketSource;

static void socket_update_events(SocketState *s)
{
    if (s->fd_tag) {
        GIOCondition ev = s->read_stopped ? 0 : G_IO_IN;

        if (s->wlen > s->woff) {
            ev |= G_IO_OUT;
        }
        g_source_modify_unix_fd(s->source, s->fd_tag, ev);
    }
    if (s->listen_tag) {
        g_source_modify_unix_fd(s->source, s->listen_tag,
                                s->fd < 0 ? G_IO_IN : 0);
    }
    main_loop_wakeup();
}

static void socket_attach_fd(SocketState *s, int fd)
{
    s->fd = fd;
    s->rlen = 0;
    s->wlen = s->woff = 0;
    s->fd_tag = g_source_add_unix_fd(s->source, fd, G_IO_IN);
    socket_update_events(s);
}

static void socket_disconnect(SocketState *s, const char *why)
{
    if (s->fd < 0) {
        return;
    }
    if (why) {
        warn_report("netdev %s: %s", s->nc.name, why);
    }
    g_source_remove_unix_fd(s->source, s->fd_tag);
    s->fd_tag = NULL;
    close(s->fd);
    s->fd = -1;
    s->rlen = 0;
    s->wlen = s->woff = 0;
    socket_update_events(s);
}

/* ---- host -> guest ------------------------------------------------------- */

static bool socket_parse(SocketState *s);

static void socket_ready(NetClientState *sender)
{
    SocketState *s = container_of(sender, SocketState, nc);

    s->read_stopped = false;
    /* Whole frames may wait in our buffer: no new data would bring
     * them out. */
    if (!s->dgram && s->fd >= 0 && !socket_parse(s)) {
        return;
    }
    socket_update_events(s);
}

static void socket_deliver(SocketState *s, const uint8_t *frame, size_t len)
{
    if (net_send_packet_async(&s->nc, frame, len, socket_ready) == 0) {
        s->read_stopped = true;
        socket_update_events(s);
    }
}

/* Hand over every complete frame in rbuf (until told to stop). */
static bool socket_parse(SocketState *s)
{
    size_t off = 0;

    while (!s->read_stopped && s->rlen - off >= 4) {
        uint32_t len = (uint32_t)s->rbuf[off] << 24 | s->rbuf[off + 1] << 16 |
                       s->rbuf[off + 2] << 8 | s->rbuf[off + 3];

        if (len > SOCKET_FRAME_MAX) {
            g_autofree char *why = g_strdup_printf(
                "the peer sent a frame length of %u; closing the "
                "connection", len);
            socket_disconnect(s, why);
            return false;
        }
        if (s->rlen - off - 4 < len) {
            break;
        }
        socket_deliver(s, s->rbuf + off + 4, len);
        off += 4 + len;
    }
    memmove(s->rbuf, s->rbuf + off, s->rlen - off);
    s->rlen -= off;
    return true;
}

static void socket_read(SocketState *s)
{
    for (int i = 0; i < SOCKET_READ_BATCH && !s->read_stopped && s->fd >= 0;
         i++) {
        ssize_t n;

        if (s->dgram) {
            n = recv(s->fd, s->rbuf, SOCKET_FRAME_MAX, 0);
            if (n < 0) {
                break;          /* EAGAIN, or ICMP errors: try later */
            }
            socket_deliver(s, s->rbuf, n);
            continue;
        }
        n = recv(s->fd, s->rbuf + s->rlen, SOCKET_FRAME_MAX + 4 - s->rlen, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            break;
        }
        if (n <= 0) {
            socket_disconnect(s, n ? "connection error; peer gone"
                                   : "the peer closed the connection");
            break;
        }
        s->rlen += n;
        if (!socket_parse(s)) {
            break;
        }
    }
}

/* ---- guest -> host ------------------------------------------------------- */

static bool socket_can_receive(NetClientState *nc)
{
    SocketState *s = container_of(nc, SocketState, nc);

    /* One frame in flight at a time: the next waits in the queue. */
    return s->wlen == s->woff;
}

static bool socket_flush_pending(SocketState *s)
{
    while (s->woff < s->wlen) {
        ssize_t n = send(s->fd, s->wbuf + s->woff, s->wlen - s->woff,
                         MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            socket_update_events(s);
            return false;
        }
        if (n < 0) {
            socket_disconnect(s, "write error; peer gone");
            return true;
        }
        s->woff += n;
    }
    s->wlen = s->woff = 0;
    socket_update_events(s);
    return true;
}

static ssize_t socket_receive_iov(NetClientState *nc, const struct iovec *iov,
                                  int iovcnt)
{
    SocketState *s = container_of(nc, SocketState, nc);
    size_t size = net_iov_size(iov, iovcnt);

    if (s->fd < 0 || size > SOCKET_FRAME_MAX) {
        return size;            /* nobody there: lost */
    }
    if (s->dgram) {
        struct msghdr m = {
            .msg_name = &s->dst, .msg_namelen = s->dst_len,
            .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt,
        };
        ssize_t n = sendmsg(s->fd, &m, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            g_source_modify_unix_fd(s->source, s->fd_tag,
                                    G_IO_IN | G_IO_OUT);
            return 0;
        }
        return size;
    }
    if (s->wlen > s->woff) {
        return 0;
    }
    s->wbuf = g_realloc(s->wbuf, 4 + size);
    s->wbuf[0] = size >> 24;
    s->wbuf[1] = size >> 16;
    s->wbuf[2] = size >> 8;
    s->wbuf[3] = size;
    net_iov_to_buf(iov, iovcnt, 0, s->wbuf + 4, size);
    s->wlen = 4 + size;
    s->woff = 0;
    /* Taken even if only part went out: the rest is sent first. */
    socket_flush_pending(s);
    return size;
}

/* ---- the main-loop source ------------------------------------------------ */

static gboolean socket_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    SocketState *s = ((SocketSource *)src)->s;

    if (s->listen_tag && s->fd < 0 &&
        (g_source_query_unix_fd(src, s->listen_tag) & G_IO_IN)) {
        int fd = accept4(s->listen_fd, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            socket_attach_fd(s, fd);
            net_queue_flush(&s->nc);
        }
    }
    if (s->fd_tag) {
        GIOCondition rev = g_source_query_unix_fd(src, s->fd_tag);

        if (rev & G_IO_OUT) {
            if (s->dgram || socket_flush_pending(s)) {
                if (s->dgram) {
                    socket_update_events(s);
                }
                net_queue_flush(&s->nc);
            }
        }
        if (s->fd_tag && (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
            socket_read(s);
        }
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs socket_source_funcs = {
    .dispatch = socket_dispatch,
};

static void socket_cleanup(NetClientState *nc)
{
    SocketState *s = container_of(nc, SocketState, nc);

    if (s->source) {
        g_source_destroy(s->source);
        g_source_unref(s->source);
        s->source = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
    }
    if (s->unix_path) {
        unlink(s->unix_path);
        g_free(s->unix_path);
    }
    g_free(s->rbuf);
    g_free(s->wbuf);
}

static const NetClientInfo socket_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(SocketState),
    .receive_iov = socket_receive_iov,
    .can_receive = socket_can_receive,
    .cleanup = socket_cleanup,
};

/* ---- set-up -------------------------------------------------------------- */

/* "HOST:PORT" (HOST may be empty for a local address, or [v6]). */
static bool resolve(const char *spec, bool passive, int socktype,
                    struct sockaddr_storage *out, socklen_t *len,
                    GError **errp)
{
    const char *colon = strrchr(spec, ':');
    g_autofree char *host = NULL;
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = socktype,
        .ai_flags = passive ? AI_PASSIVE : 0,
    };
    struct addrinfo *res = NULL;
    int r;

    if (!colon || !colon[1]) {
        error_setg(errp, "'%s' is not HOST:PORT", spec);
        return false;
    }
    host = g_strndup(spec, colon - spec);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        char *h = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = h;
    }
    r = getaddrinfo(*host ? host : (passive ? NULL : "127.0.0.1"), colon + 1,
                    &hints, &res);
    if (r) {
        error_setg(errp, "'%s': %s", spec, gai_strerror(r));
        return false;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

static int unix_addr(const char *path, struct sockaddr_storage *out,
                     socklen_t *len, GError **errp)
{
    struct sockaddr_un *un = (struct sockaddr_un *)out;

    if (strlen(path) >= sizeof(un->sun_path)) {
        error_setg(errp, "addr.path=%s: longer than %zu characters", path,
                   sizeof(un->sun_path) - 1);
        return false;
    }
    memset(out, 0, sizeof(*out));
    un->sun_family = AF_UNIX;
    strcpy(un->sun_path, path);
    *len = sizeof(*un);
    return true;
}

static int open_socket(int family, int type, GError **errp)
{
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create a socket");
    }
    return fd;
}

static bool socket_listen(SocketState *s, const struct sockaddr_storage *a,
                          socklen_t alen, const char *what, GError **errp)
{
    int one = 1;
    int fd = open_socket(a->ss_family, SOCK_STREAM, errp);

    if (fd < 0) {
        return false;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)a, alen) < 0 || listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "cannot listen on %s", what);
        close(fd);
        return false;
    }
    s->listen_fd = fd;
    s->listen_tag = g_source_add_unix_fd(s->source, fd, G_IO_IN);
    return true;
}

static bool socket_connect(SocketState *s, const struct sockaddr_storage *a,
                           socklen_t alen, const char *what, GError **errp)
{
    int fd = socket(a->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create a socket");
        return false;
    }
    /* At start-up, like QEMU: the peer must be there. */
    if (connect(fd, (const struct sockaddr *)a, alen) < 0) {
        error_setg_errno(errp, errno, "cannot connect to %s", what);
        close(fd);
        return false;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (a->ss_family != AF_UNIX) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    socket_attach_fd(s, fd);
    return true;
}

static bool socket_udp(SocketState *s, const char *udp, const char *local,
                       GError **errp)
{
    struct sockaddr_storage la;
    socklen_t llen;
    int fd;

    if (!local) {
        error_setg(errp, "udp= needs localaddr=[HOST]:PORT");
        return false;
    }
    if (!resolve(udp, false, SOCK_DGRAM, &s->dst, &s->dst_len, errp) ||
        !resolve(local, true, SOCK_DGRAM, &la, &llen, errp)) {
        return false;
    }
    fd = open_socket(la.ss_family, SOCK_DGRAM, errp);
    if (fd < 0) {
        return false;
    }
    if (bind(fd, (struct sockaddr *)&la, llen) < 0) {
        error_setg_errno(errp, errno, "cannot bind to %s", local);
        close(fd);
        return false;
    }
    s->dgram = true;
    socket_attach_fd(s, fd);
    return true;
}

static SocketState *socket_new(const char *id, const char *model)
{
    SocketState *s = (SocketState *)net_client_new(&socket_info, NULL, model,
                                                   id);
    SocketSource *src = (SocketSource *)g_source_new(&socket_source_funcs,
                                                     sizeof(SocketSource));

    s->fd = s->listen_fd = -1;
    s->rbuf = g_malloc(SOCKET_FRAME_MAX + 4);
    src->s = s;
    s->source = &src->source;
    g_source_attach(s->source, NULL);
    return s;
}

static NetClientState *net_socket_init(const char *id, Opts *o, GError **errp)
{
    const char *listen_on = opts_get(o, "listen");
    const char *conn = opts_get(o, "connect");
    const char *udp = opts_get(o, "udp");
    const char *local = opts_get(o, "localaddr");
    struct sockaddr_storage a;
    socklen_t alen;
    SocketState *s;
    bool ok;

    if (opts_has(o, "mcast") || opts_has(o, "fd")) {
        error_setg(errp, "%s= is not supported (use listen=, connect= or "
                   "udp=)", opts_has(o, "mcast") ? "mcast" : "fd");
        opts_get(o, "mcast");
        opts_get(o, "fd");
        return NULL;
    }
    if (!!listen_on + !!conn + !!udp != 1) {
        error_setg(errp, "exactly one of listen=, connect= and udp= is "
                   "needed");
        return NULL;
    }
    if (local && !udp) {
        error_setg(errp, "localaddr= goes with udp=");
        return NULL;
    }
    s = socket_new(id, "socket");
    if (udp) {
        ok = socket_udp(s, udp, local, errp);
    } else if (listen_on) {
        ok = resolve(listen_on, true, SOCK_STREAM, &a, &alen, errp) &&
             socket_listen(s, &a, alen, listen_on, errp);
    } else {
        ok = resolve(conn, false, SOCK_STREAM, &a, &alen, errp) &&
             socket_connect(s, &a, alen, conn, errp);
    }
    if (!ok) {
        net_client_free(&s->nc);
        return NULL;
    }
    net_client_set_info_str(&s->nc, "%s=%s", udp ? "udp" : listen_on ?
                            "listen" : "connect",
                            udp ? udp : listen_on ? listen_on : conn);
    return &s->nc;
}

static NetClientState *net_stream_init(const char *id, Opts *o, GError **errp)
{
    const char *type = opts_get(o, "addr.type");
    const char *host = opts_get(o, "addr.host");
    const char *port = opts_get(o, "addr.port");
    const char *path = opts_get(o, "addr.path");
    GError *err = NULL;
    bool server = opts_get_bool(o, "server", false, &err);
    g_autofree char *what = NULL;
    struct sockaddr_storage a;
    socklen_t alen;
    SocketState *s;
    bool ok;

    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    if (!type || (strcmp(type, "inet") && strcmp(type, "unix"))) {
        error_setg(errp, "addr.type must be inet or unix");
        return NULL;
    }
    if (!strcmp(type, "inet")) {
        if (!port) {
            error_setg(errp, "addr.type=inet needs addr.port");
            return NULL;
        }
        what = g_strdup_printf("%s:%s", host ? host : "", port);
        if (!resolve(what, server, SOCK_STREAM, &a, &alen, errp)) {
            return NULL;
        }
    } else {
        if (!path) {
            error_setg(errp, "addr.type=unix needs addr.path");
            return NULL;
        }
        what = g_strdup(path);
        if (!unix_addr(path, &a, &alen, errp)) {
            return NULL;
        }
    }
    s = socket_new(id, "stream");
    if (server) {
        if (path) {
            unlink(path);
        }
        ok = socket_listen(s, &a, alen, what, errp);
        if (ok && path) {
            s->unix_path = g_strdup(path);
        }
    } else {
        ok = socket_connect(s, &a, alen, what, errp);
    }
    if (!ok) {
        net_client_free(&s->nc);
        return NULL;
    }
    net_client_set_info_str(&s->nc, "%s %s", server ? "listening on"
                            : "connected to", what);
    return &s->nc;
}

static const NetBackendType socket_backend = {
    .name = "socket",
    .desc = "frames over TCP (length-prefixed, as QEMU) or UDP",
    .opts_help =
        "  listen=[HOST]:PORT   wait for one peer (TCP)\n"
        "  connect=HOST:PORT    connect to a peer at start (TCP)\n"
        "  udp=HOST:PORT,localaddr=[HOST]:PORT  one frame per datagram\n",
    .init = net_socket_init,
};

static const NetBackendType stream_backend = {
    .name = "stream",
    .desc = "frames over a TCP or UNIX stream (length-prefixed, as QEMU)",
    .opts_help =
        "  server=on|off        listen (one peer at a time) or connect\n"
        "  addr.type=inet,addr.host=HOST,addr.port=PORT\n"
        "  addr.type=unix,addr.path=PATH\n",
    .init = net_stream_init,
};

static void socket_register(void)
{
    net_backend_register(&socket_backend);
    net_backend_register(&stream_backend);
}
type_init(socket_register)
