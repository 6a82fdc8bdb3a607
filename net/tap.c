/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev tap: a Linux tap interface (Documentation/networking/tuntap
 * in the kernel tree).
 *
 *   -netdev tap,id=t0[,ifname=NAME][,script=no|PATH][,downscript=no|PATH]
 *               [,vnet_hdr=on|off][,fd=N][,sndbuf=SIZE]
 *
 * /dev/net/tun is opened and bound to the interface with TUNSETIFF
 * (IFF_TAP | IFF_NO_PI, plus IFF_VNET_HDR when the kernel has it and
 * vnet_hdr is not off). With IFF_VNET_HDR every frame on the fd carries
 * a virtio-net header (include/net/virtio-net-hdr.h): virtio-net can
 * then hand the guest's partial checksums and GSO frames to the host
 * kernel as they are, and take the kernel's (TUNSETOFFLOAD says which
 * kinds it may send). When the NIC does not use headers, this back end
 * adds an empty one on writes and strips it on reads.
 *
 * script= runs PATH IFNAME after the interface exists (to bring it up
 * or bridge it), downscript= at exit; both default to none ("no"),
 * unlike QEMU, whose default is /etc/qemu-ifup.
 *
 * Flow control: frames read from the fd go to the NIC; when its queue is
 * full, reading stops until the NIC's ready callback. A write that would
 * block keeps the frame in this client's queue and waits for POLLOUT.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "ember/option.h"
#include "net/net.h"
#include "net/tap.h"
#include "net/virtio-net-hdr.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

/* A GSO frame is at most 64 KiB plus its Ethernet and vnet headers. */
#define TAP_BUFSIZE (65536 + 64)
/* Frames read per main-loop dispatch, so other sources get their turn. */
#define TAP_READ_BATCH 64

typedef struct TapState {
    NetClientState nc;
    int fd;
    char ifname[IFNAMSIZ];
    char *downscript;
    GSource *source;
    gpointer fd_tag;
    bool read_stopped;          /* the NIC's queue is full */
    bool read_failed;           /* a hard read error: give up reading */
    bool write_poll;            /* a write would block: wait for POLLOUT */
    bool has_vnet_hdr;          /* IFF_VNET_HDR on the fd */
    bool using_vnet_hdr;        /* the peer's frames carry the header */
    int host_vnet_hdr_len;      /* the fd's header size: 0, 10 or 12 */
    bool has_ufo;
    uint8_t buf[TAP_BUFSIZE];
} TapState;

typedef struct TapSource {
    GSource source;
    TapState *s;
} TapSource;

static void tap_update_events(TapState *s)
{
    GIOCondition ev = 0;

    if (!s->source) {
        return;
    }
    if (!s->read_stopped && !s->read_failed) {
        ev |= G_IO_IN;
    }
    if (s->write_poll) {
        ev |= G_IO_OUT;
    }
    g_source_modify_unix_fd(s->source, s->fd_tag, ev);
    /* May run on a vCPU thread: the main loop must see the new set. */
    main_loop_wakeup();
}

/* ---- host -> guest ------------------------------------------------------- */

static void tap_ready(NetClientState *sender)
{
    TapState *s = container_of(sender, TapState, nc);

    s->read_stopped = false;
    tap_update_events(s);
}

static void tap_read(TapState *s)
{
    for (int i = 0; i < TAP_READ_BATCH && !s->read_stopped; i++) {
        ssize_t n = read(s->fd, s->buf, sizeof(s->buf));
        uint8_t *frame = s->buf;

        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            break;
        }
        if (n <= 0) {
            /* The interface is gone or broken; stop rather than spin. */
            error_report("tap %s: read failed: %s; no more frames from it",
                         s->ifname, n < 0 ? strerror(errno) : "end of file");
            s->read_failed = true;
            tap_update_events(s);
            break;
        }
        if (s->host_vnet_hdr_len && !s->using_vnet_hdr) {
            if (n < s->host_vnet_hdr_len) {
                continue;
            }
            frame += s->host_vnet_hdr_len;
            n -= s->host_vnet_hdr_len;
        }
        if (net_send_packet_async(&s->nc, frame, n, tap_ready) == 0) {
            s->read_stopped = true;
            tap_update_events(s);
        }
    }
}

/* ---- guest -> host ------------------------------------------------------- */

static ssize_t tap_receive_iov(NetClientState *nc, const struct iovec *iov,
                               int iovcnt)
{
    TapState *s = container_of(nc, TapState, nc);
    g_autofree struct iovec *v = g_new(struct iovec, iovcnt + 1);
    static const VirtioNetHdrMrg zero_hdr;
    size_t size = net_iov_size(iov, iovcnt);
    int n = 0;
    ssize_t r;

    if (s->host_vnet_hdr_len && !s->using_vnet_hdr) {
        v[n].iov_base = (void *)&zero_hdr;
        v[n].iov_len = s->host_vnet_hdr_len;
        n++;
    }
    memcpy(v + n, iov, iovcnt * sizeof(*iov));
    n += iovcnt;
    do {
        r = writev(s->fd, v, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EAGAIN) {
        /* Keep it queued; the core flushes when the fd is writable. */
        s->write_poll = true;
        tap_update_events(s);
        return 0;
    }
    if (r < 0) {
        /* E.g. EIO while the interface is down: lost, as on a wire. */
        return -errno;
    }
    return size;
}

/* ---- the main-loop source ------------------------------------------------ */

static gboolean tap_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    TapState *s = ((TapSource *)src)->s;
    GIOCondition rev = g_source_query_unix_fd(src, s->fd_tag);

    if (rev & G_IO_OUT) {
        s->write_poll = false;
        tap_update_events(s);
        net_queue_flush(&s->nc);
    }
    if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        tap_read(s);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs tap_source_funcs = {
    .dispatch = tap_dispatch,
};

/* ---- vnet headers and offloads ------------------------------------------- */

static bool tap_has_vnet_hdr(NetClientState *nc)
{
    return container_of(nc, TapState, nc)->has_vnet_hdr;
}

static bool tap_has_vnet_hdr_len(NetClientState *nc, int len)
{
    TapState *s = container_of(nc, TapState, nc);
    int cur = s->host_vnet_hdr_len;

    if (!s->has_vnet_hdr) {
        return false;
    }
    /* Ask the kernel, then put the old size back. */
    if (ioctl(s->fd, TUNSETVNETHDRSZ, &len) < 0) {
        return false;
    }
    ioctl(s->fd, TUNSETVNETHDRSZ, &cur);
    return true;
}

static bool tap_has_ufo(NetClientState *nc)
{
    return container_of(nc, TapState, nc)->has_ufo;
}

static void tap_using_vnet_hdr(NetClientState *nc, bool enable)
{
    TapState *s = container_of(nc, TapState, nc);

    assert(!enable || s->has_vnet_hdr);
    s->using_vnet_hdr = enable;
}

static void tap_set_vnet_hdr_len(NetClientState *nc, int len)
{
    TapState *s = container_of(nc, TapState, nc);

    if (!s->has_vnet_hdr || len == s->host_vnet_hdr_len) {
        return;
    }
    if (ioctl(s->fd, TUNSETVNETHDRSZ, &len) < 0) {
        error_report("tap %s: TUNSETVNETHDRSZ %d: %s", s->ifname, len,
                     strerror(errno));
        return;
    }
    s->host_vnet_hdr_len = len;
}

static void tap_set_offload(NetClientState *nc, const NetOffloads *off)
{
    TapState *s = container_of(nc, TapState, nc);
    unsigned flags = 0;

    if (!s->has_vnet_hdr) {
        return;
    }
    if (off->csum) {
        /* GSO kinds are only meaningful with partial checksums. */
        flags |= TUN_F_CSUM;
        flags |= off->tso4 ? TUN_F_TSO4 : 0;
        flags |= off->tso6 ? TUN_F_TSO6 : 0;
        flags |= off->ecn ? TUN_F_TSO_ECN : 0;
        flags |= off->ufo ? TUN_F_UFO : 0;
    }
    if (ioctl(s->fd, TUNSETOFFLOAD, flags) < 0 && (flags & TUN_F_UFO)) {
        ioctl(s->fd, TUNSETOFFLOAD, flags & ~TUN_F_UFO);
    }
}

/* ---- set-up -------------------------------------------------------------- */

static bool run_script(const char *script, const char *ifname, GError **errp)
{
    const char *argv[] = { script, ifname, NULL };
    GError *err = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, NULL, NULL, &status, &err)) {
        error_setg(errp, "could not run network script %s: %s", script,
                   err->message);
        g_error_free(err);
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        error_setg(errp, "network script %s %s failed with status %d",
                   script, ifname,
                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
                   WTERMSIG(status));
        return false;
    }
    return true;
}

static bool script_is_none(const char *s)
{
    return !s || !*s || !strcmp(s, "no");
}

static void tap_cleanup(NetClientState *nc)
{
    TapState *s = container_of(nc, TapState, nc);

    if (s->source) {
        g_source_destroy(s->source);
        g_source_unref(s->source);
        s->source = NULL;
    }
    if (s->downscript) {
        GError *err = NULL;
        if (!run_script(s->downscript, s->ifname, &err)) {
            warn_report("%s", err->message);
            g_error_free(err);
        }
        g_free(s->downscript);
        s->downscript = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static const NetClientInfo tap_info = {
    .type = NET_CLIENT_DRIVER_TAP,
    .size = sizeof(TapState),
    .receive_iov = tap_receive_iov,
    .cleanup = tap_cleanup,
    .has_vnet_hdr = tap_has_vnet_hdr,
    .has_vnet_hdr_len = tap_has_vnet_hdr_len,
    .has_ufo = tap_has_ufo,
    .using_vnet_hdr = tap_using_vnet_hdr,
    .set_vnet_hdr_len = tap_set_vnet_hdr_len,
    .set_offload = tap_set_offload,
};

/*
 * Open /dev/net/tun as interface ifname ("" lets the kernel pick tapN).
 * vnet_hdr: -1 if the kernel has it, 0 never, 1 required.
 */
static int tap_open(const char *ifname, int vnet_hdr, char *name_out,
                    bool *has_vnet_hdr, GError **errp)
{
    struct ifreq ifr = { 0 };
    unsigned features = 0;
    int fd;

    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open /dev/net/tun");
        return -1;
    }
    if (ioctl(fd, TUNGETFEATURES, &features) < 0) {
        features = 0;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (vnet_hdr != 0 && (features & IFF_VNET_HDR)) {
        ifr.ifr_flags |= IFF_VNET_HDR;
    } else if (vnet_hdr == 1) {
        error_setg(errp, "vnet_hdr=on: the host's tap driver has no "
                   "IFF_VNET_HDR");
        close(fd);
        return -1;
    }
    g_strlcpy(ifr.ifr_name, *ifname ? ifname : "tap%d", IFNAMSIZ);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error_setg_errno(errp, errno, "could not configure /dev/net/tun (%s)",
                         *ifname ? ifname : "tap%d");
        close(fd);
        return -1;
    }
    g_strlcpy(name_out, ifr.ifr_name, IFNAMSIZ);
    *has_vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
    return fd;
}

/* fd=N: an open tap fd from the caller (libvirt style). */
static int tap_adopt_fd(const char *str, char *name_out, bool *has_vnet_hdr,
                        GError **errp)
{
    struct ifreq ifr = { 0 };
    uint64_t v;
    int fd;

    if (!parse_uint64(str, &v) || v > INT_MAX) {
        error_setg(errp, "fd=%s: not a file descriptor number", str);
        return -1;
    }
    fd = (int)v;
    if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
        error_setg_errno(errp, errno, "fd=%s is not a tap device", str);
        return -1;
    }
    if (!(ifr.ifr_flags & IFF_TAP)) {
        error_setg(errp, "fd=%s is a tun (IP), not a tap (Ethernet) device",
                   str);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    g_strlcpy(name_out, ifr.ifr_name, IFNAMSIZ);
    *has_vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
    return fd;
}

static NetClientState *net_tap_init(const char *id, Opts *o, GError **errp)
{
    const char *ifname = opts_get(o, "ifname");
    const char *script = opts_get(o, "script");
    const char *downscript = opts_get(o, "downscript");
    const char *fdstr = opts_get(o, "fd");
    char name[IFNAMSIZ];
    bool has_vnet = false;
    int vnet_hdr = -1;
    uint64_t sndbuf;
    GError *err = NULL;
    TapState *s;
    TapSource *src;
    int fd, len;
    unsigned probe;

    static const char *const unsupported[] = {
        "vhost", "vhostfd", "vhostforce", "helper", "br", "fds",
    };

    for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (opts_has(o, unsupported[i])) {
            opts_get(o, unsupported[i]);
            error_setg(errp, "%s= is not supported (no vhost-net, helper or "
                       "multiqueue tap in this build)", unsupported[i]);
            return NULL;
        }
    }
    if (opts_has(o, "queues") && strcmp(opts_get(o, "queues"), "1")) {
        error_setg(errp, "queues=%s: multiqueue tap is not supported",
                   opts_get(o, "queues"));
        return NULL;
    }
    if (opts_has(o, "vnet_hdr")) {
        vnet_hdr = opts_get_bool(o, "vnet_hdr", true, &err);
    }
    sndbuf = opts_get_size(o, "sndbuf", INT_MAX, &err);
    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    if (ifname && strlen(ifname) >= IFNAMSIZ) {
        error_setg(errp, "ifname=%s: interface names have at most %d "
                   "characters", ifname, IFNAMSIZ - 1);
        return NULL;
    }
    if (fdstr && (ifname || script || downscript)) {
        error_setg(errp, "fd= cannot go with ifname=, script= or "
                   "downscript=");
        return NULL;
    }

    if (fdstr) {
        fd = tap_adopt_fd(fdstr, name, &has_vnet, errp);
        if (fd >= 0 && vnet_hdr == 1 && !has_vnet) {
            error_setg(errp, "vnet_hdr=on: the tap fd was opened without "
                       "IFF_VNET_HDR");
            return NULL;
        }
    } else {
        fd = tap_open(ifname ? ifname : "", vnet_hdr, name, &has_vnet, errp);
    }
    if (fd < 0) {
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        error_setg_errno(errp, errno, "tap %s: cannot make it non-blocking",
                         name);
        if (!fdstr) {
            close(fd);
        }
        return NULL;
    }
    {
        int sb = (int)MIN(sndbuf ? sndbuf : INT_MAX, (uint64_t)INT_MAX);
        /* Not fatal: older kernels lack it, and the default works. */
        ioctl(fd, TUNSETSNDBUF, &sb);
    }

    s = (TapState *)net_client_new(&tap_info, NULL, "tap", id);
    s->fd = fd;
    g_strlcpy(s->ifname, name, sizeof(s->ifname));
    s->has_vnet_hdr = has_vnet;
    if (has_vnet) {
        /* Start from the kernel's default header size and no offloads:
         * the kernel then sends plain, checksummed frames. */
        len = sizeof(VirtioNetHdr);
        ioctl(fd, TUNSETVNETHDRSZ, &len);
        s->host_vnet_hdr_len = len;
        probe = TUN_F_CSUM | TUN_F_UFO;
        s->has_ufo = ioctl(fd, TUNSETOFFLOAD, probe) == 0;
        ioctl(fd, TUNSETOFFLOAD, 0);
    }

    if (!script_is_none(script) && !run_script(script, s->ifname, errp)) {
        net_client_free(&s->nc);
        return NULL;
    }
    if (!script_is_none(downscript)) {
        s->downscript = g_strdup(downscript);
    }

    src = (TapSource *)g_source_new(&tap_source_funcs, sizeof(TapSource));
    src->s = s;
    s->source = &src->source;
    s->fd_tag = g_source_add_unix_fd(s->source, fd, G_IO_IN);
    g_source_attach(s->source, NULL);

    net_client_set_info_str(&s->nc, "ifname=%s,script=%s,downscript=%s,"
                            "vnet_hdr=%s", s->ifname,
                            script_is_none(script) ? "no" : script,
                            s->downscript ? s->downscript : "no",
                            has_vnet ? "on" : "off");
    return &s->nc;
}

const char *net_tap_ifname(NetClientState *nc)
{
    return nc->info == &tap_info ? container_of(nc, TapState, nc)->ifname
                                 : NULL;
}

static const NetBackendType tap_backend = {
    .name = "tap",
    .desc = "a Linux tap interface (needs CAP_NET_ADMIN or a persistent "
            "tap the user owns)",
    .opts_help =
        "  ifname=NAME          interface name (default: the kernel picks "
        "tapN)\n"
        "  script=no|PATH       run PATH IFNAME once it exists (default no)\n"
        "  downscript=no|PATH   run PATH IFNAME at exit (default no)\n"
        "  vnet_hdr=on|off      virtio-net headers and offloads (default: "
        "if the kernel has them)\n"
        "  fd=N                 use an already open tap fd\n"
        "  sndbuf=SIZE          the tap's send buffer limit\n",
    .init = net_tap_init,
};

static void tap_register(void)
{
    net_backend_register(&tap_backend);
}
type_init(tap_register)
