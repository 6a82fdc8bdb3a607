/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human monitor over a UNIX socket (-monitor unix:...) and shared
 * with COM1 through the mux (-serial mon:unix:...): info, help,
 * screendump (the same picture as qtest's), sendkey (scan codes reach
 * the i8042), system_powerdown (the ACPI power button), system_reset,
 * stop/cont, quit, and what a hostile user types.
 */
#include "vga-common.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PROMPT "(qemu) "
#define PM1_STS 0x600
#define PWRBTN_STS 0x0100

typedef struct Mon {
    int fd;
    GString *rx;
} Mon;

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    /* The emulator is up (qtest connected), so its server socket is. */
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* Read until the buffer holds `until`; return everything before it. */
static char *mon_read_until(Mon *m, const char *until)
{
    for (;;) {
        char *hit = strstr(m->rx->str, until);
        char buf[4096];
        struct pollfd p = { .fd = m->fd, .events = POLLIN };
        ssize_t n;

        if (hit) {
            size_t len = hit - m->rx->str;
            char *out = g_strndup(m->rx->str, len);
            g_string_erase(m->rx, 0, len + strlen(until));
            return out;
        }
        /* A bound so that a broken monitor fails instead of hanging. */
        g_assert_cmpint(poll(&p, 1, 20000), ==, 1);
        n = read(m->fd, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(m->rx, buf, n);
    }
}

static void mon_send(Mon *m, const char *s)
{
    size_t len = strlen(s);

    g_assert_cmpint(write(m->fd, s, len), ==, (ssize_t)len);
}

/* Run a command; its output without the echo and the prompt. */
static char *mon_cmd(Mon *m, const char *cmd)
{
    g_autofree char *raw = NULL;
    g_autofree char *echo = g_strdup_printf("%s\r\n", cmd);
    char *out;

    mon_send(m, cmd);
    mon_send(m, "\r");
    raw = mon_read_until(m, PROMPT);
    g_assert_true(g_str_has_prefix(raw, echo));
    out = g_strdup(raw + strlen(echo));
    return out;
}

static Mon *mon_open(const char *path)
{
    Mon *m = g_new0(Mon, 1);
    g_autofree char *banner = NULL;

    m->fd = connect_unix(path);
    m->rx = g_string_new(NULL);
    banner = mon_read_until(m, PROMPT);
    g_assert_nonnull(strstr(banner, "monitor - type 'help'"));
    return m;
}

static void mon_close(Mon *m)
{
    close(m->fd);
    g_string_free(m->rx, TRUE);
    g_free(m);
}

static char *sock_path(const char *what)
{
    return g_strdup_printf("%s/ember-mon-%d-%s.sock", g_get_tmp_dir(),
                           getpid(), what);
}

static QTestState *start_with_monitor(const char *path, const char *extra)
{
    QTestState *s = qtest_startf("-vga std -machine acpi=on -monitor "
                                 "unix:%s,server=on,wait=off %s", path,
                                 extra ? extra : "");

    /* Ember connects to qtest before it builds the machine; once it
     * answers a command, the monitor's socket exists too. */
    qtest_inb(s, 0x80);
    return s;
}

static void test_info_help(void)
{
    g_autofree char *path = sock_path("info");
    QTestState *s = start_with_monitor(path, NULL);
    Mon *m = mon_open(path);
    g_autofree char *st = mon_cmd(m, "info status");
    g_autofree char *ver = mon_cmd(m, "info version");
    g_autofree char *help = mon_cmd(m, "help");
    g_autofree char *bad = mon_cmd(m, "frobnicate 1 2");
    g_autofree char *mtree = mon_cmd(m, "info mtree");
    g_autofree char *empty = mon_cmd(m, "   ");

    g_assert_cmpstr(st, ==, "VM status: running\r\n");
    g_assert_true(g_ascii_isdigit(ver[0]));
    g_assert_nonnull(strstr(help, "screendump"));
    g_assert_nonnull(strstr(help, "sendkey"));
    g_assert_nonnull(strstr(help, "system_powerdown"));
    g_assert_cmpstr(bad, ==, "unknown command: 'frobnicate'\r\n");
    g_assert_nonnull(strstr(mtree, "vga"));
    g_assert_cmpstr(empty, ==, "");
    mon_close(m);
    unlink(path);
    qtest_quit(s);
}

static void test_screendump(void)
{
    g_autofree char *path = sock_path("dump");
    g_autofree char *ppm = g_strdup_printf("%s/ember-mon-%d.ppm",
                                           g_get_tmp_dir(), getpid());
    QTestState *s = start_with_monitor(path, NULL);
    Mon *m = mon_open(path);
    VGAShot *shot;
    g_autofree char *out = NULL, *bad = NULL, *fmt = NULL;
    g_autofree char *data = NULL;
    g_autofree char *cmd = g_strdup_printf("screendump %s", ppm);
    gsize len;

    qtest_writew(s, 0xb8000, 0x4f41);
    shot = vga_screendump(s);
    out = mon_cmd(m, cmd);
    g_assert_cmpstr(out, ==, "");
    g_assert_true(g_file_get_contents(ppm, &data, &len, NULL));
    /* The same header and pixels as qtest's dump. */
    g_assert_true(g_str_has_prefix(data, "P6\n720 400\n255\n"));
    g_assert_cmpuint(len, ==, strlen("P6\n720 400\n255\n") + 720 * 400 * 3);
    for (int i = 0; i < 720 * 400; i++) {
        const uint8_t *p = (const uint8_t *)data + 15 + 3 * i;
        g_assert_cmphex(p[0] << 16 | p[1] << 8 | p[2], ==, shot->px[i]);
    }
    vga_shot_free(shot);
    unlink(ppm);
    bad = mon_cmd(m, "screendump /nonexistent-dir/x.ppm");
    g_assert_true(g_str_has_prefix(bad, "screendump: cannot open"));
    fmt = mon_cmd(m, "screendump x.png -f png");
    g_assert_nonnull(strstr(fmt, "not supported"));
    mon_close(m);
    unlink(path);
    qtest_quit(s);
}

/* The next byte the i8042 has for the CPU, waiting (bounded) for it. */
static int kbd_byte(QTestState *s)
{
    for (int i = 0; i < 20000; i++) {
        if (qtest_inb(s, 0x64) & 1) {
            return qtest_inb(s, 0x60);
        }
        g_usleep(100);
    }
    return -1;
}

static void test_sendkey(void)
{
    g_autofree char *path = sock_path("keys");
    QTestState *s = start_with_monitor(path, NULL);
    Mon *m = mon_open(path);
    g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL;

    /* shift-a: shift make, 'a' make, then (100 ms later) the breaks in
     * reverse order; translated to scan code set 1 by the i8042. */
    o1 = mon_cmd(m, "sendkey shift-a");
    g_assert_cmpstr(o1, ==, "");
    g_assert_cmphex(kbd_byte(s), ==, 0x2a);
    g_assert_cmphex(kbd_byte(s), ==, 0x1e);
    g_assert_cmphex(kbd_byte(s), ==, 0x9e);
    g_assert_cmphex(kbd_byte(s), ==, 0xaa);
    /* ctrl-alt-delete: delete is an extended (0xe0) key. */
    o2 = mon_cmd(m, "sendkey ctrl-alt-delete 10");
    g_assert_cmphex(kbd_byte(s), ==, 0x1d);
    g_assert_cmphex(kbd_byte(s), ==, 0x38);
    g_assert_cmphex(kbd_byte(s), ==, 0xe0);
    g_assert_cmphex(kbd_byte(s), ==, 0x53);
    g_assert_cmphex(kbd_byte(s), ==, 0xe0);
    g_assert_cmphex(kbd_byte(s), ==, 0xd3);
    g_assert_cmphex(kbd_byte(s), ==, 0xb8);
    g_assert_cmphex(kbd_byte(s), ==, 0x9d);
    /* A raw code, and nonsense. */
    o3 = mon_cmd(m, "sendkey 0x10 1");
    g_assert_cmphex(kbd_byte(s), ==, 0x10);
    g_assert_cmphex(kbd_byte(s), ==, 0x90);
    o4 = mon_cmd(m, "sendkey ctrl-nosuchkey");
    g_assert_cmpstr(o4, ==, "sendkey: unknown key 'nosuchkey'\r\n");
    g_free(mon_cmd(m, "sendkey a 0"));
    g_free(mon_cmd(m, "sendkey " "a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a"));
    g_free(mon_cmd(m, "sendkey"));
    g_assert_cmphex(qtest_inb(s, 0x64) & 1, ==, 0);
    mon_close(m);
    unlink(path);
    qtest_quit(s);
}

static void test_power_reset_stop(void)
{
    g_autofree char *path = sock_path("power");
    QTestState *s = start_with_monitor(path, NULL);
    Mon *m = mon_open(path);
    g_autofree char *st = NULL;
    bool seen = false;

    /* The power button sets PWRBTN_STS in PM1a_STS. */
    g_assert_cmphex(qtest_inw(s, PM1_STS) & PWRBTN_STS, ==, 0);
    g_free(mon_cmd(m, "system_powerdown"));
    for (int i = 0; i < 20000 && !seen; i++) {
        seen = qtest_inw(s, PM1_STS) & PWRBTN_STS;
        if (!seen) {
            g_usleep(100);
        }
    }
    g_assert_true(seen);

    /* system_reset: the text screen comes back blank. */
    qtest_writew(s, 0xb8000, 0x1f5a);
    g_free(mon_cmd(m, "system_reset"));
    seen = false;
    for (int i = 0; i < 20000 && !seen; i++) {
        seen = qtest_readw(s, 0xb8000) == 0x0720;
        if (!seen) {
            g_usleep(100);
        }
    }
    g_assert_true(seen);

    g_free(mon_cmd(m, "stop"));
    st = mon_cmd(m, "info status");
    g_assert_cmpstr(st, ==, "VM status: paused\r\n");
    g_free(st);
    g_free(mon_cmd(m, "cont"));
    st = mon_cmd(m, "info status");
    g_assert_cmpstr(st, ==, "VM status: running\r\n");

    /* quit ends Ember with status 0. */
    mon_send(m, "quit\r");
    g_assert_cmpint(qtest_wait_exit(s, 20000), ==, 0);
    qtest_quit(s);
    mon_close(m);
    unlink(path);
}

static void test_line_editing(void)
{
    g_autofree char *path = sock_path("edit");
    QTestState *s = start_with_monitor(path, NULL);
    Mon *m = mon_open(path);
    g_autofree char *raw = NULL, *raw2 = NULL;
    g_autofree char *junk = g_malloc(10000);

    /* Backspace, an arrow key's escape sequence, CR LF. */
    mon_send(m, "info statux\x7fs\x1b[A\r\n");
    raw = mon_read_until(m, PROMPT);
    g_assert_nonnull(strstr(raw, "VM status: running"));
    /* An over-long line is cut, not fatal. */
    memset(junk, 'x', 9999);
    junk[9999] = 0;
    mon_send(m, junk);
    mon_send(m, "\r");
    raw2 = mon_read_until(m, PROMPT);
    g_assert_nonnull(strstr(raw2, "unknown command"));
    g_free(mon_cmd(m, "info nosuch"));
    mon_close(m);
    unlink(path);
    qtest_quit(s);
}

/* -serial mon:...: COM1 first, Ctrl-A c switches to the monitor. */
static void test_mux(void)
{
    g_autofree char *path = sock_path("mux");
    QTestState *s = qtest_startf("-vga std -serial mon:unix:%s,server=on,"
                                 "wait=off", path);
    Mon *m = g_new0(Mon, 1);
    g_autofree char *banner = NULL, *st = NULL;

    qtest_inb(s, 0x80);
    m->fd = connect_unix(path);
    m->rx = g_string_new(NULL);
    /* COM1 (0x3f8) output reaches the socket; the monitor is quiet. */
    qtest_outb(s, 0x3f8, 'Z');
    g_free(mon_read_until(m, "Z"));
    mon_send(m, "\x01" "c");
    banner = mon_read_until(m, PROMPT);
    g_assert_nonnull(strstr(banner, "monitor - type 'help'"));
    st = mon_cmd(m, "info status");
    g_assert_cmpstr(st, ==, "VM status: running\r\n");
    /* Back to COM1: typed bytes reach the UART's receiver. */
    mon_send(m, "\x01" "cq");
    for (int i = 0; i < 20000 && !(qtest_inb(s, 0x3fd) & 1); i++) {
        g_usleep(100);
    }
    g_assert_cmphex(qtest_inb(s, 0x3f8), ==, 'q');
    mon_close(m);
    unlink(path);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/info-help", test_info_help);
    g_test_add_func("/monitor/screendump", test_screendump);
    g_test_add_func("/monitor/sendkey", test_sendkey);
    g_test_add_func("/monitor/power-reset-stop", test_power_reset_stop);
    g_test_add_func("/monitor/line-editing", test_line_editing);
    g_test_add_func("/monitor/mux", test_mux);
    return g_test_run();
}
