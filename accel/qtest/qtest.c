/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest accelerator: no guest code runs; a test program drives the
 * machine over a line protocol (docs/qtest.md) on a UNIX socket given
 * with -qtest unix:PATH (Ember connects to the test, which listens).
 * The virtual clock moves only when the test says so.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/option.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "system/accel.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "system/vl.h"
#include "ui/console.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct QTestIntercept {
    DeviceState *dev;
    int first;                  /* pin numbers reported start here */
} QTestIntercept;

static int qtest_fd = -1;
static GString *inbuf;
static GSource *watch;

static void qtest_send(const char *fmt, ...) EMBER_PRINTF(1, 2);
static void qtest_send(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *s = NULL;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (qtest_fd >= 0) {
        size_t len = strlen(s), done = 0;

        while (done < len) {
            ssize_t r = write(qtest_fd, s + done, len - done);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                break;
            }
            done += r;
        }
    }
}

static void irq_intercept_handler(void *opaque, int n, int level)
{
    /* opaque is the intercepted line's old state; only report changes. */
    int *last = opaque;

    level = !!level;
    if (last[n] != level) {
        last[n] = level;
        qtest_send("IRQ %s %d\n", level ? "raise" : "lower", n);
    }
}

typedef struct FindDevice {
    const char *name;
    DeviceState *found;
} FindDevice;

static void find_device_cb(DeviceState *d, void *opaque)
{
    FindDevice *f = opaque;

    if (!f->found && type_is_a(d->info, f->name)) {
        f->found = d;
    }
}

/* By -device id first, then the first device of that type. */
static DeviceState *find_device(const char *name)
{
    FindDevice f = { name, qdev_find_id(name) };

    if (!f.found) {
        qdev_foreach(find_device_cb, &f);
    }
    return f.found;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    return s && parse_uint64(s, v);
}

static void handle_command(char **w, int nw)
{
    uint64_t a = 0, v = 0, n = 0;
    const char *cmd = w[0];

    if (!strcmp(cmd, "outb") || !strcmp(cmd, "outw") ||
        !strcmp(cmd, "outl")) {
        unsigned size = cmd[3] == 'b' ? 1 : cmd[3] == 'w' ? 2 : 4;
        if (nw < 3 || !parse_u64(w[1], &a) || !parse_u64(w[2], &v)) {
            goto bad;
        }
        address_space_st(&address_space_io, a & 0xffff, v, size);
        qtest_send("OK\n");
    } else if (!strcmp(cmd, "inb") || !strcmp(cmd, "inw") ||
               !strcmp(cmd, "inl")) {
        unsigned size = cmd[2] == 'b' ? 1 : cmd[2] == 'w' ? 2 : 4;
        if (nw < 2 || !parse_u64(w[1], &a)) {
            goto bad;
        }
        v = address_space_ld(&address_space_io, a & 0xffff, size);
        qtest_send("OK 0x%04" PRIx64 "\n", v);
    } else if (g_str_has_prefix(cmd, "write") && strlen(cmd) == 6) {
        unsigned size = cmd[5] == 'b' ? 1 : cmd[5] == 'w' ? 2 :
                        cmd[5] == 'l' ? 4 : 8;
        if (nw < 3 || !parse_u64(w[1], &a) || !parse_u64(w[2], &v)) {
            goto bad;
        }
        address_space_st(&address_space_memory, a, v, size);
        qtest_send("OK\n");
    } else if (g_str_has_prefix(cmd, "read") && strlen(cmd) == 5) {
        unsigned size = cmd[4] == 'b' ? 1 : cmd[4] == 'w' ? 2 :
                        cmd[4] == 'l' ? 4 : 8;
        if (nw < 2 || !parse_u64(w[1], &a)) {
            goto bad;
        }
        v = address_space_ld(&address_space_memory, a, size);
        qtest_send("OK 0x%016" PRIx64 "\n", v);
    } else if (!strcmp(cmd, "read")) {
        g_autofree uint8_t *buf = NULL;
        g_autoptr(GString) hex = g_string_new("OK 0x");
        if (nw < 3 || !parse_u64(w[1], &a) || !parse_u64(w[2], &n) ||
            n > 64 * MiB) {
            goto bad;
        }
        buf = g_malloc(n ? n : 1);
        address_space_read(&address_space_memory, a, buf, n);
        for (uint64_t i = 0; i < n; i++) {
            g_string_append_printf(hex, "%02x", buf[i]);
        }
        g_string_append_c(hex, '\n');
        qtest_send("%s", hex->str);
    } else if (!strcmp(cmd, "write")) {
        g_autofree uint8_t *buf = NULL;
        const char *h;
        if (nw < 4 || !parse_u64(w[1], &a) || !parse_u64(w[2], &n) ||
            n > 64 * MiB || !g_str_has_prefix(w[3], "0x")) {
            goto bad;
        }
        h = w[3] + 2;
        if (strlen(h) < 2 * n) {
            goto bad;
        }
        buf = g_malloc(n ? n : 1);
        for (uint64_t i = 0; i < n; i++) {
            int hi = g_ascii_xdigit_value(h[2 * i]);
            int lo = g_ascii_xdigit_value(h[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                goto bad;
            }
            buf[i] = hi << 4 | lo;
        }
        address_space_write(&address_space_memory, a, buf, n);
        qtest_send("OK\n");
    } else if (!strcmp(cmd, "memset")) {
        g_autofree uint8_t *buf = NULL;
        if (nw < 4 || !parse_u64(w[1], &a) || !parse_u64(w[2], &n) ||
            !parse_u64(w[3], &v) || n > 64 * MiB) {
            goto bad;
        }
        buf = g_malloc(n ? n : 1);
        memset(buf, (int)v, n);
        address_space_write(&address_space_memory, a, buf, n);
        qtest_send("OK\n");
    } else if (!strcmp(cmd, "clock_step")) {
        int64_t t;
        if (nw >= 2) {
            if (!parse_u64(w[1], &n)) {
                goto bad;
            }
            t = clock_step(n);
        } else {
            int64_t next = timers_virtual_next();
            t = next == INT64_MAX ? clock_get_ns(EMBER_CLOCK_VIRTUAL)
                                  : clock_set_ns(next);
        }
        qtest_send("OK %" PRId64 "\n", t);
    } else if (!strcmp(cmd, "clock_set")) {
        if (nw < 2 || !parse_u64(w[1], &n)) {
            goto bad;
        }
        qtest_send("OK %" PRId64 "\n", clock_set_ns(n));
    } else if (!strcmp(cmd, "irq_intercept_in")) {
        DeviceState *dev = nw >= 2 ? find_device(w[1]) : NULL;
        int *last;
        if (!dev) {
            qtest_send("FAIL no device '%s'\n", nw >= 2 ? w[1] : "");
            return;
        }
        last = g_new0(int, dev->gpio_in->len + 1);
        for (unsigned i = 0; i < dev->gpio_in->len; i++) {
            IRQLine *l = g_ptr_array_index(dev->gpio_in, i);
            l->handler = irq_intercept_handler;
            l->opaque = last;
        }
        qtest_send("OK\n");
    } else if (!strcmp(cmd, "set_irq_in")) {
        DeviceState *dev = nw >= 4 ? find_device(w[1]) : NULL;
        if (!dev || !parse_u64(w[2], &n) || !parse_u64(w[3], &v) ||
            n >= dev->gpio_in->len) {
            qtest_send("FAIL bad device or pin\n");
            return;
        }
        irq_set(g_ptr_array_index(dev->gpio_in, n), (int)v);
        qtest_send("OK\n");
    } else if (!strcmp(cmd, "endianness")) {
        qtest_send("OK little\n");
    } else if (!strcmp(cmd, "system_reset")) {
        system_reset(SHUTDOWN_CAUSE_HOST_QUIT);
        qtest_send("OK\n");
    } else {
        /* Display commands (screendump, display_update): ui/console.c. */
        g_autofree char *reply = NULL;
        if (console_qtest_command(w, nw, &reply)) {
            qtest_send("%s", reply);
            return;
        }
        qtest_send("FAIL unknown command '%s'\n", cmd);
    }
    return;
bad:
    qtest_send("FAIL bad arguments to %s\n", cmd);
}

static void process_lines(void)
{
    char *nl;

    while ((nl = memchr(inbuf->str, '\n', inbuf->len))) {
        g_autofree char *line = g_strndup(inbuf->str, nl - inbuf->str);
        g_auto(GStrv) words = NULL;
        int nw;

        g_string_erase(inbuf, 0, nl - inbuf->str + 1);
        g_strstrip(line);
        if (!*line) {
            continue;
        }
        words = g_strsplit_set(line, " \t", -1);
        nw = g_strv_length(words);
        handle_command(words, nw);
    }
}

static gboolean qtest_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        /* The test went away: end the machine. */
        close(qtest_fd);
        qtest_fd = -1;
        watch = NULL;
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT);
        return G_SOURCE_REMOVE;
    }
    g_string_append_len(inbuf, buf, n);
    process_lines();
    return G_SOURCE_CONTINUE;
}

static bool qtest_init(MachineState *ms, GError **errp)
{
    const char *spec = vl_get_qtest();
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    clock_set_manual(true);
    if (!spec) {
        return true;    /* -accel qtest alone: nothing drives it */
    }
    if (!g_str_has_prefix(spec, "unix:") ||
        strlen(spec + 5) >= sizeof(sa.sun_path)) {
        error_setg(errp, "-qtest %s: expected unix:PATH", spec);
        return false;
    }
    g_strlcpy(sa.sun_path, spec + 5, sizeof(sa.sun_path));
    qtest_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (qtest_fd < 0 ||
        connect(qtest_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        error_setg_errno(errp, errno, "-qtest %s: cannot connect", spec);
        return false;
    }
    inbuf = g_string_new(NULL);
    watch = g_unix_fd_source_new(qtest_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(watch,
                          (GSourceFunc)(void (*)(void))qtest_readable,
                          NULL, NULL);
    g_source_attach(watch, NULL);
    g_source_unref(watch);
    return true;
}

static bool qtest_available(GError **errp)
{
    return true;
}

static void qtest_start_vcpus(MachineState *ms)
{
    CPUState *cpu;

    /* No guest code runs: the vCPUs exist only as state. */
    CPU_FOREACH(cpu) {
        cpu->created = true;
        cpu->stopped = true;
    }
}

static int qtest_vcpu_exec(CPUState *cpu)
{
    return VCPU_EXIT_HALTED;
}

static const AccelOps qtest_ops = {
    .name = "qtest",
    .available = qtest_available,
    .init = qtest_init,
    .vcpu_exec = qtest_vcpu_exec,
    .start_vcpus = qtest_start_vcpus,
};

static void __attribute__((constructor)) qtest_register(void)
{
    accel_register(&qtest_ops);
}
