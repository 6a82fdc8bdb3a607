/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test side of the qtest protocol; see libqtest.h and docs/qtest.md. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <inttypes.h>
#include "libqtest.h"

#define MAX_IRQ 256

struct QTestState {
    int fd;
    pid_t pid;
    GString *rx;
    bool irq_level[MAX_IRQ];
    int irq_raised[MAX_IRQ];
    char *sock_path;
    bool exited;
    int status;
};

const char *qtest_binary(void)
{
    const char *b = getenv("EMBER_SYSTEM");

    return b ? b : "build/ember-system-x86_64";
}

/* One line from the socket (without "\n"), or NULL if it closed. */
static char *read_line(QTestState *s)
{
    for (;;) {
        char *nl = memchr(s->rx->str, '\n', s->rx->len);
        char buf[4096];
        ssize_t n;

        if (nl) {
            char *line = g_strndup(s->rx->str, nl - s->rx->str);
            g_string_erase(s->rx, 0, nl - s->rx->str + 1);
            return line;
        }
        n = read(s->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        g_string_append_len(s->rx, buf, n);
    }
}

/* A reply line, handling asynchronous "IRQ raise/lower N" lines. */
static char *read_reply(QTestState *s)
{
    for (;;) {
        char *line = read_line(s);
        int n;

        if (!line) {
            g_error("qtest: the emulator closed the connection");
        }
        if (g_str_has_prefix(line, "IRQ ")) {
            bool raise = g_str_has_prefix(line, "IRQ raise ");
            /* "IRQ raise N" and "IRQ lower N" have N at the same place. */
            n = atoi(line + 10);
            if (n >= 0 && n < MAX_IRQ) {
                s->irq_level[n] = raise;
                if (raise) {
                    s->irq_raised[n]++;
                }
            }
            g_free(line);
            continue;
        }
        return line;
    }
}

static void send_all(QTestState *s, const char *str)
{
    size_t len = strlen(str), done = 0;

    while (done < len) {
        ssize_t r = write(s->fd, str + done, len - done);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            g_error("qtest: cannot write to the emulator");
        }
        done += r;
    }
}

char *qtest_command(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    char *reply;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(s, cmd);
    send_all(s, "\n");
    reply = read_reply(s);
    if (!g_str_has_prefix(reply, "OK")) {
        g_error("qtest: '%s' failed: %s", cmd, reply);
    }
    return reply;
}

static uint64_t reply_value(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static uint64_t reply_value(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    g_autofree char *r = NULL;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r = qtest_command(s, "%s", cmd);
    return g_ascii_strtoull(r + 2, NULL, 0);
}

QTestState *qtest_start(const char *args)
{
    static int counter;
    QTestState *s = g_new0(QTestState, 1);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autofree char *cmdline = NULL;
    g_auto(GStrv) argv = NULL;
    GError *err = NULL;
    struct pollfd p;
    int lfd;

    s->rx = g_string_new(NULL);
    s->sock_path = g_strdup_printf("%s/ember-qtest-%d-%d.sock",
                                   g_get_tmp_dir(), getpid(), counter++);
    unlink(s->sock_path);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert(lfd >= 0);
    g_strlcpy(sa.sun_path, s->sock_path, sizeof(sa.sun_path));
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(lfd, 1) < 0) {
        g_error("qtest: cannot listen on %s: %s", s->sock_path,
                g_strerror(errno));
    }
    cmdline = g_strdup_printf("%s -accel qtest -qtest unix:%s -nodefaults "
                              "-display none %s", qtest_binary(),
                              s->sock_path, args ? args : "");
    if (!g_shell_parse_argv(cmdline, NULL, &argv, &err)) {
        g_error("qtest: bad arguments: %s", err->message);
    }
    if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                       NULL, &s->pid, &err)) {
        g_error("qtest: cannot start %s: %s", qtest_binary(), err->message);
    }
    /* Wait for the connection, or for the emulator to give up. */
    p.fd = lfd;
    p.events = POLLIN;
    for (int i = 0; i < 600; i++) {
        int status;
        if (poll(&p, 1, 100) > 0) {
            break;
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            g_error("qtest: %s exited before connecting (status %d): %s",
                    qtest_binary(), WIFEXITED(status) ? WEXITSTATUS(status)
                                                      : -1, cmdline);
        }
    }
    s->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    close(lfd);
    unlink(s->sock_path);
    if (s->fd < 0) {
        kill(s->pid, SIGKILL);
        g_error("qtest: the emulator did not connect: %s", cmdline);
    }
    return s;
}

QTestState *qtest_startf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_start(args);
}

static int wait_child(QTestState *s, int timeout_ms)
{
    int status = 0;

    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            s->exited = true;
            s->status = WIFEXITED(status) ? WEXITSTATUS(status)
                                          : 128 + WTERMSIG(status);
            return s->status;
        }
        if (timeout_ms >= 0 && waited >= timeout_ms) {
            return -1;
        }
        g_usleep(10 * 1000);
    }
}

int qtest_wait_exit(QTestState *s, int timeout_ms)
{
    if (s->exited) {
        return s->status;
    }
    return wait_child(s, timeout_ms);
}

int qtest_quit(QTestState *s)
{
    int status;

    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    status = s->exited ? s->status : wait_child(s, 10000);
    if (status < 0) {
        kill(s->pid, SIGKILL);
        status = wait_child(s, -1);
    }
    g_string_free(s->rx, TRUE);
    g_free(s->sock_path);
    g_free(s);
    return status;
}

#define OUT(suffix, type)                                                  \
    void qtest_out##suffix(QTestState *s, uint16_t port, type v)           \
    {                                                                      \
        g_free(qtest_command(s, "out" #suffix " 0x%x 0x%x", port,          \
                             (unsigned)v));                                \
    }                                                                      \
    type qtest_in##suffix(QTestState *s, uint16_t port)                    \
    {                                                                      \
        return reply_value(s, "in" #suffix " 0x%x", port);                 \
    }
OUT(b, uint8_t)
OUT(w, uint16_t)
OUT(l, uint32_t)

#define MEM(suffix, type)                                                  \
    void qtest_write##suffix(QTestState *s, uint64_t addr, type v)         \
    {                                                                      \
        g_free(qtest_command(s, "write" #suffix " 0x%" PRIx64 " 0x%"       \
                             PRIx64, addr, (uint64_t)v));                  \
    }                                                                      \
    type qtest_read##suffix(QTestState *s, uint64_t addr)                  \
    {                                                                      \
        return reply_value(s, "read" #suffix " 0x%" PRIx64, addr);         \
    }
MEM(b, uint8_t)
MEM(w, uint16_t)
MEM(l, uint32_t)
MEM(q, uint64_t)

void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t len)
{
    g_autofree char *r = qtest_command(s, "read 0x%" PRIx64 " 0x%zx", addr,
                                       len);
    const char *h = r + 5;     /* "OK 0x" */
    uint8_t *out = buf;

    g_assert(strlen(h) >= 2 * len);
    for (size_t i = 0; i < len; i++) {
        out[i] = g_ascii_xdigit_value(h[2 * i]) << 4 |
                 g_ascii_xdigit_value(h[2 * i + 1]);
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len)
{
    GString *cmd = g_string_new(NULL);
    const uint8_t *in = buf;

    g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr, len);
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(cmd, "%02x", in[i]);
    }
    if (!len) {
        g_string_append(cmd, "00");
    }
    g_free(qtest_command(s, "%s", cmd->str));
    g_string_free(cmd, TRUE);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t v, size_t len)
{
    g_free(qtest_command(s, "memset 0x%" PRIx64 " 0x%zx 0x%x", addr, len,
                         v));
}

int64_t qtest_clock_step(QTestState *s, int64_t ns)
{
    return reply_value(s, "clock_step %" PRId64, ns);
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return reply_value(s, "clock_step");
}

int64_t qtest_clock_set(QTestState *s, int64_t ns)
{
    return reply_value(s, "clock_set %" PRId64, ns);
}

void qtest_irq_intercept_in(QTestState *s, const char *device)
{
    g_free(qtest_command(s, "irq_intercept_in %s", device));
}

bool qtest_get_irq(QTestState *s, int n)
{
    g_assert(n >= 0 && n < MAX_IRQ);
    /* Collect any IRQ lines that arrived without a command. */
    g_free(qtest_command(s, "endianness"));
    return s->irq_level[n];
}

int qtest_get_irq_raise_count(QTestState *s, int n)
{
    g_assert(n >= 0 && n < MAX_IRQ);
    g_free(qtest_command(s, "endianness"));
    return s->irq_raised[n];
}
