/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The socket and pty chardevs, driven in-process through the main loop:
 * servers (UNIX and TCP, wait on/off), clients (with reconnect), the
 * legacy -serial spellings, flow control towards a slow front end,
 * disconnect/reconnect events, and a pty's other side.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "chardev/char.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct FrontEnd {
    CharBackend be;
    GString *rx;
    int room;                   /* what can_receive reports */
    int opened, closed;
} FrontEnd;

static int fe_can_receive(void *opaque)
{
    FrontEnd *fe = opaque;

    return fe->room;
}

static void fe_receive(void *opaque, const uint8_t *buf, int size)
{
    FrontEnd *fe = opaque;

    g_assert_cmpint(size, <=, fe->room);
    g_string_append_len(fe->rx, (const char *)buf, size);
}

static void fe_event(void *opaque, ChrEvent ev)
{
    FrontEnd *fe = opaque;

    if (ev == CHR_EVENT_OPENED) {
        fe->opened++;
    } else if (ev == CHR_EVENT_CLOSED) {
        fe->closed++;
    }
}

static void fe_attach(FrontEnd *fe, Chardev *chr)
{
    GError *err = NULL;

    g_assert_nonnull(chr);
    memset(fe, 0, sizeof(*fe));
    fe->rx = g_string_new(NULL);
    fe->room = 4096;
    g_assert_true(chr_fe_init(&fe->be, chr, &err));
    g_assert_no_error(err);
    chr_fe_set_handlers(&fe->be, fe_can_receive, fe_receive, fe_event, fe);
}

static void fe_detach(FrontEnd *fe)
{
    chr_fe_deinit(&fe->be);
    g_string_free(fe->rx, TRUE);
}

/* Run the main loop until cond holds (bounded: ~10 s). */
#define LOOP_UNTIL(cond)                                            \
    do {                                                            \
        for (int i_ = 0; !(cond) && i_ < 10000; i_++) {             \
            main_loop_iterate(false);                               \
            if (!(cond)) {                                          \
                g_usleep(1000);                                     \
            }                                                       \
        }                                                           \
        g_assert_true(cond);                                        \
    } while (0)

static Chardev *new_chardev(const char *spec)
{
    GError *err = NULL;
    g_autoptr(Opts) o = opts_parse(spec, "backend", &err);
    Chardev *chr;

    g_assert_no_error(err);
    chr = chardev_new_from_opts(o, &err);
    g_assert_no_error(err);
    return chr;
}

static char *tmp_sock(const char *name)
{
    return g_strdup_printf("%s/ember-chr-%d-%s.sock", g_get_tmp_dir(),
                           getpid(), name);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int unix_listen(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    unlink(path);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/* A TCP port that was free a moment ago. */
static int free_tcp_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static int tcp_connect(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void read_exactly(int fd, char *buf, int n)
{
    int got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        g_assert_cmpint(r, >, 0);
        got += r;
    }
}

static void test_unix_server(void)
{
    g_autofree char *path = tmp_sock("srv");
    g_autofree char *spec = g_strdup_printf("socket,id=us,path=%s,"
                                            "server=on,wait=off", path);
    Chardev *chr = new_chardev(spec);
    FrontEnd fe;
    char buf[8];
    int fd;

    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 0);
    /* Nobody connected: output is dropped, not queued. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"lost", 4), ==, 4);
    fd = unix_connect(path);
    g_assert_cmpint(fd, >=, 0);
    LOOP_UNTIL(fe.opened == 1);
    g_assert_cmpint(write(fd, "ping", 4), ==, 4);
    LOOP_UNTIL(fe.rx->len == 4);
    g_assert_cmpstr(fe.rx->str, ==, "ping");
    g_assert_cmpint(chr_fe_write_all(&fe.be, (const uint8_t *)"pong", 4), ==,
                    4);
    read_exactly(fd, buf, 4);
    g_assert_cmpmem(buf, 4, "pong", 4);
    /* Hang up: CLOSED; then a new client is served. */
    close(fd);
    LOOP_UNTIL(fe.closed == 1);
    fd = unix_connect(path);
    g_assert_cmpint(fd, >=, 0);
    LOOP_UNTIL(fe.opened == 2);
    g_assert_cmpint(write(fd, "2nd", 3), ==, 3);
    LOOP_UNTIL(fe.rx->len == 7);
    g_assert_cmpstr(fe.rx->str, ==, "ping2nd");
    close(fd);
    fe_detach(&fe);
    chardev_cleanup_all();
    /* The server removes its socket file. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_flow_control(void)
{
    g_autofree char *path = tmp_sock("flow");
    g_autofree char *spec = g_strdup_printf("socket,id=fc,path=%s,"
                                            "server=on,wait=off", path);
    Chardev *chr = new_chardev(spec);
    char data[1000];
    FrontEnd fe;
    int fd;

    fe_attach(&fe, chr);
    fd = unix_connect(path);
    LOOP_UNTIL(fe.opened == 1);
    for (int i = 0; i < (int)sizeof(data); i++) {
        data[i] = 'a' + i % 26;
    }
    g_assert_cmpint(write(fd, data, sizeof(data)), ==, sizeof(data));
    /* A front end with room for 16 bytes at a time (like a UART FIFO). */
    while (fe.rx->len < sizeof(data)) {
        size_t before = fe.rx->len;
        fe.room = 16;
        LOOP_UNTIL(fe.rx->len > before);
        g_assert_cmpuint(fe.rx->len - before, <=, 16);
        fe.room = 0;
        /* Full: nothing more arrives until input is accepted again. */
        for (int i = 0; i < 5; i++) {
            main_loop_iterate(false);
        }
        g_assert_cmpuint(fe.rx->len - before, <=, 16);
        fe.room = 16;
        chr_fe_accept_input(&fe.be);
    }
    g_assert_cmpmem(fe.rx->str, fe.rx->len, data, sizeof(data));
    close(fd);
    fe_detach(&fe);
    chardev_cleanup_all();
}

/* A front end that fills like a UART FIFO: room shrinks as bytes come. */
static void fifo_receive(void *opaque, const uint8_t *buf, int size)
{
    FrontEnd *fe = opaque;

    g_assert_cmpint(size, <=, fe->room);
    g_string_append_len(fe->rx, (const char *)buf, size);
    fe->room -= size;
}

/*
 * The -nographic mux over a back end, with a front end that takes 16
 * bytes and then nothing until the guest reads them (accept_input): a
 * 1000-byte paste arrives whole and in order, none of it dropped while
 * the FIFO is full; and Ctrl-A Ctrl-A still reaches it as one Ctrl-A.
 */
static void test_mux_flow_control(void)
{
    g_autofree char *path = tmp_sock("mux");
    g_autofree char *spec = g_strdup_printf("socket,id=mx,path=%s,"
                                            "server=on,wait=off,mux=on",
                                            path);
    Chardev *chr = new_chardev(spec);
    char data[1002];
    FrontEnd fe;
    int fd;

    fe_attach(&fe, chr);
    chr_fe_set_handlers(&fe.be, fe_can_receive, fifo_receive, fe_event, &fe);
    fd = unix_connect(path);
    LOOP_UNTIL(fe.opened >= 1);
    for (int i = 0; i < 1000; i++) {
        data[i] = 'a' + i % 26;
    }
    data[1000] = data[1001] = 0x01;     /* Ctrl-A Ctrl-A: a literal ^A */
    fe.room = 16;
    g_assert_cmpint(write(fd, data, sizeof(data)), ==, sizeof(data));
    while (fe.rx->len < 1001) {
        size_t before = fe.rx->len;

        LOOP_UNTIL(fe.room == 0 || fe.rx->len == 1001);
        /* Full: nothing more arrives until input is accepted again. */
        for (int i = 0; i < 5; i++) {
            main_loop_iterate(false);
        }
        g_assert_cmpuint(fe.rx->len - before, <=, 16);
        fe.room = 16;           /* the guest read the FIFO */
        chr_fe_accept_input(&fe.be);
    }
    g_assert_cmpuint(fe.rx->len, ==, 1001);
    g_assert_cmpmem(fe.rx->str, 1001, data, 1001);
    close(fd);
    fe_detach(&fe);
    chardev_cleanup_all();
}

static void test_tcp_legacy_server(void)
{
    int port = free_tcp_port();
    g_autofree char *spec = g_strdup_printf("tcp:127.0.0.1:%d,server,nowait",
                                            port);
    GError *err = NULL;
    Chardev *chr = chardev_new_legacy("serial0", spec, &err);
    FrontEnd fe;
    int fd;

    g_assert_no_error(err);
    fe_attach(&fe, chr);
    fd = tcp_connect(port);
    g_assert_cmpint(fd, >=, 0);
    LOOP_UNTIL(fe.opened == 1);
    g_assert_cmpint(write(fd, "tcp", 3), ==, 3);
    LOOP_UNTIL(fe.rx->len == 3);
    close(fd);
    LOOP_UNTIL(fe.closed == 1);
    fe_detach(&fe);
    chardev_cleanup_all();
}

typedef struct Connector {
    char *path;
    int fd;
} Connector;

static gpointer connect_later(gpointer opaque)
{
    Connector *c = opaque;

    for (int i = 0; i < 5000 && c->fd < 0; i++) {
        g_usleep(1000);
        c->fd = unix_connect(c->path);
    }
    return NULL;
}

static void test_server_wait(void)
{
    g_autofree char *path = tmp_sock("wait");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on", path);
    Connector c = { path, -1 };
    GThread *t = g_thread_new("connect", connect_later, &c);
    GError *err = NULL;
    Chardev *chr;
    FrontEnd fe;

    /* wait=on (the default): creation returns once a client is in. */
    unlink(path);
    chr = chardev_new_legacy("serial0", spec, &err);
    g_assert_no_error(err);
    g_thread_join(t);
    g_assert_cmpint(c.fd, >=, 0);
    fe_attach(&fe, chr);
    /* Already connected: the front end hears OPENED at once. */
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(write(c.fd, "w", 1), ==, 1);
    LOOP_UNTIL(fe.rx->len == 1);
    close(c.fd);
    fe_detach(&fe);
    chardev_cleanup_all();
}

static void test_client_reconnect(void)
{
    g_autofree char *path = tmp_sock("cli");
    g_autofree char *spec = g_strdup_printf("socket,id=cl,path=%s,"
                                            "reconnect=1", path);
    int lfd = unix_listen(path);
    Chardev *chr = new_chardev(spec);
    FrontEnd fe;
    char buf[4];
    int fd;

    fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    fd = accept(lfd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(chr_fe_write_all(&fe.be, (const uint8_t *)"hey", 3), ==,
                    3);
    read_exactly(fd, buf, 3);
    g_assert_cmpmem(buf, 3, "hey", 3);
    /* The server drops us; the client tries again a second later. */
    close(fd);
    LOOP_UNTIL(fe.closed == 1);
    LOOP_UNTIL(fe.opened == 2);
    fd = accept(lfd, NULL, NULL);
    g_assert_cmpint(write(fd, "ok", 2), ==, 2);
    LOOP_UNTIL(fe.rx->len == 2);
    close(fd);
    close(lfd);
    unlink(path);
    fe_detach(&fe);
    chardev_cleanup_all();
}

static void test_errors(void)
{
    g_autofree char *path = tmp_sock("nobody");
    g_autofree char *spec = g_strdup_printf("socket,id=e1,path=%s", path);
    static const char *const bad_legacy[] = {
        "tcp:localhost", "tcp:localhost:", "tcp:[::1", "unix:",
        "tcp::4444,server,bogus",
    };
    g_autoptr(Opts) o = NULL;
    GError *err = NULL;

    /* A client that cannot connect (and no reconnect) fails. */
    unlink(path);
    o = opts_parse(spec, "backend", &err);
    g_assert_null(chardev_new_from_opts(o, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "Failed to connect"));
    g_clear_error(&err);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_legacy); i++) {
        g_assert_null(chardev_new_legacy("serial0", bad_legacy[i], &err));
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    chardev_cleanup_all();
}

static void test_pty(void)
{
    g_autofree char *link = g_strdup_printf("%s/ember-pty-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *spec = g_strdup_printf("pty,id=p0,path=%s", link);
    g_autofree char *target = NULL;
    int saved_err = dup(2), pipefd[2], sfd;
    char msg[256] = "", buf[8];
    ssize_t n;
    Chardev *chr;
    FrontEnd fe;

    /* Capture the "char device redirected to" line. */
    g_assert_cmpint(pipe(pipefd), ==, 0);
    dup2(pipefd[1], 2);
    chr = new_chardev(spec);
    fflush(stderr);
    dup2(saved_err, 2);
    close(pipefd[1]);
    n = read(pipefd[0], msg, sizeof(msg) - 1);
    close(pipefd[0]);
    g_assert_cmpint(n, >, 0);
    target = g_file_read_link(link, NULL);
    g_assert_nonnull(target);
    g_assert_true(g_str_has_prefix(target, "/dev/pts/"));
    g_autofree char *want = g_strdup_printf("char device redirected to %s "
                                            "(label p0)\n", target);
    g_assert_cmpstr(msg, ==, want);

    fe_attach(&fe, chr);
    /* Nobody on the other side yet: output is discarded. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, 1);
    sfd = open(link, O_RDWR | O_NOCTTY);
    g_assert_cmpint(sfd, >=, 0);
    /* The first write notices the reader; raw mode: bytes unchanged. */
    g_assert_cmpint(chr_fe_write_all(&fe.be, (const uint8_t *)"a\nb", 3), ==,
                    3);
    g_assert_cmpint(fe.opened, ==, 1);
    read_exactly(sfd, buf, 3);
    g_assert_cmpmem(buf, 3, "a\nb", 3);
    g_assert_cmpint(write(sfd, "in\r", 3), ==, 3);
    LOOP_UNTIL(fe.rx->len == 3);
    g_assert_cmpstr(fe.rx->str, ==, "in\r");
    close(sfd);
    LOOP_UNTIL(fe.closed == 1);
    fe_detach(&fe);
    chardev_cleanup_all();
    g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    g_test_add_func("/chardev/socket/unix-server", test_unix_server);
    g_test_add_func("/chardev/socket/flow-control", test_flow_control);
    g_test_add_func("/chardev/mux/flow-control", test_mux_flow_control);
    g_test_add_func("/chardev/socket/tcp-legacy", test_tcp_legacy_server);
    g_test_add_func("/chardev/socket/server-wait", test_server_wait);
    g_test_add_func("/chardev/socket/client-reconnect",
                    test_client_reconnect);
    g_test_add_func("/chardev/socket/errors", test_errors);
    g_test_add_func("/chardev/pty", test_pty);
    return g_test_run();
}
