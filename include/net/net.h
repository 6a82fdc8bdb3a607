/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network core: clients, peers and flow control. See docs/net.md.
 *
 * Every endpoint is a NetClientState: a NIC (the device side, e.g.
 * virtio-net-pci) or a back end (-netdev user, tap, socket). Two clients
 * are peers: what one sends, the other receives. A client's state struct
 * begins with its NetClientState and is allocated by the core from
 * NetClientInfo.size:
 *
 *   typedef struct TapState { NetClientState nc; int fd; ... } TapState;
 *   nc = net_client_new(&tap_info, NULL, "tap", "t0");
 *
 * Sending (net_send_*) delivers to the peer's receive callback at once
 * when it can take the packet (can_receive true and receive returning
 * non-zero); otherwise the packet is copied into the peer's incoming
 * queue. The queue is bounded, and the sender learns when to stop:
 *
 *   len  the packet was delivered, or queued with room left: go on;
 *   0    the packet was queued, but the queue is full: stop sending
 *        (a NIC stops taking packets from the guest's TX ring, a back end
 *        stops reading its fd) until the core calls the NetReadyCB given
 *        with the send, which happens once the peer has drained its queue
 *        to half. Nothing was lost.
 *
 * A sender without a NetReadyCB cannot be stopped; its packets are queued
 * up to a hard limit and only beyond it dropped (counted, and logged
 * under -d guest_errors: the guest is then not taking packets at all).
 *
 * A receiver that could not take a packet (can_receive false, or receive
 * returned 0) calls net_queue_flush() when it can take more (a NIC when
 * the guest adds receive buffers, a back end when its fd is writable).
 *
 * Everything here runs with the BQL held (vCPU threads on a device
 * access, the main loop for back-end fds and timers). Packets are plain
 * Ethernet frames; when both peers agree on a virtio-net header
 * (net_set_using_vnet_hdr), every frame on that link begins with one
 * (include/net/virtio-net-hdr.h).
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "ember/osdep.h"
#include "hw/qdev.h"
#include <sys/uio.h>

typedef struct NetClientState NetClientState;
typedef struct NetQueue NetQueue;

typedef enum NetClientDriver {
    NET_CLIENT_DRIVER_NIC,
    NET_CLIENT_DRIVER_USER,
    NET_CLIENT_DRIVER_TAP,
    NET_CLIENT_DRIVER_SOCKET,
    NET_CLIENT_DRIVER_TEST,     /* unit tests' stand-ins */
} NetClientDriver;

/* The offloads a receiver of vnet-header frames can take (TUNSETOFFLOAD). */
typedef struct NetOffloads {
    bool csum;                  /* partial checksums (NEEDS_CSUM) */
    bool tso4, tso6, ecn, ufo;  /* GSO frames of those kinds */
} NetOffloads;

/* Resume a sender that was told to stop (a send returned 0). */
typedef void NetReadyCB(NetClientState *sender);

typedef struct NetClientInfo {
    NetClientDriver type;
    size_t size;                /* of the state struct (nc first) */
    /*
     * Take one frame. Return its length (taken), 0 (cannot take it now:
     * it is queued and the receiver calls net_queue_flush later), or a
     * negative errno (dropped). receive_iov is preferred when present.
     */
    ssize_t (*receive)(NetClientState *nc, const uint8_t *buf, size_t len);
    ssize_t (*receive_iov)(NetClientState *nc, const struct iovec *iov,
                           int iovcnt);
    /* Optional; absent means always. */
    bool (*can_receive)(NetClientState *nc);
    /* Release what the client owns (fds, slirp); the core frees nc. */
    void (*cleanup)(NetClientState *nc);
    void (*link_status_changed)(NetClientState *nc);

    /* virtio-net headers and offloads (back ends that carry them: tap). */
    bool (*has_vnet_hdr)(NetClientState *nc);
    bool (*has_vnet_hdr_len)(NetClientState *nc, int len);
    bool (*has_ufo)(NetClientState *nc);
    void (*using_vnet_hdr)(NetClientState *nc, bool enable);
    void (*set_vnet_hdr_len)(NetClientState *nc, int len);
    void (*set_offload)(NetClientState *nc, const NetOffloads *off);
} NetClientInfo;

typedef struct NetClientStats {
    uint64_t tx_packets, tx_bytes;      /* sent by this client */
    uint64_t rx_packets, rx_bytes;      /* delivered to this client */
    uint64_t queued;                    /* of rx: went through the queue */
    uint64_t dropped;                   /* towards this client: hard limit */
    uint64_t errors;                    /* receive returned < 0 */
    uint64_t stops;                     /* sender told to stop */
} NetClientStats;

struct NetClientState {
    const NetClientInfo *info;
    char *name;                 /* id: "n0", or "virtio-net-pci.0" */
    char *model;                /* "user", "tap", "virtio-net-pci" */
    char *info_str;             /* one line for listings */
    NetClientState *peer;
    NetQueue *incoming;         /* frames from the peer waiting for us */
    void *opaque;               /* a NIC's device */
    bool link_down;
    bool is_netdev;             /* created by -netdev / -nic */
    bool used_vnet_hdr;         /* both sides agreed: frames carry one */
    NetClientStats stats;
};

/* ---- clients ------------------------------------------------------------- */

/*
 * New client of info->type, zeroed to info->size. A peer, if given, must
 * be free (no peer of its own); the two are linked both ways.
 */
NetClientState *net_client_new(const NetClientInfo *info,
                               NetClientState *peer, const char *model,
                               const char *name);
/* Unlink from the peer (its queued frames from us are dropped; any
 * stopped sender is resumed), run cleanup, free. */
void net_client_free(NetClientState *nc);
/* Link two free clients; false with errp if either already has a peer. */
bool net_client_set_peer(NetClientState *a, NetClientState *b,
                         GError **errp);
/* Back ends by id (-netdev id=...), or NULL. */
NetClientState *net_find_netdev(const char *id);
/* Every client, in creation order (for tests and listings). */
void net_client_foreach(void (*fn)(NetClientState *nc, void *opaque),
                        void *opaque);
void net_client_set_info_str(NetClientState *nc, const char *fmt, ...)
    EMBER_PRINTF(2, 3);
/* Link state of this end; the peer's link_status_changed is told too. */
void net_client_set_link(NetClientState *nc, bool up);
/*
 * For a monitor's "info network": each NIC with its back end, then the
 * back ends no NIC uses, one line each (QEMU's layout).
 */
void net_info(GString *out);
/* For "set_link NAME on|off": a client by name (netdev id, NIC name). */
bool net_set_link_by_name(const char *name, bool up, GError **errp);
/* Free every back end (at exit): NICs only lose their peer. */
void net_cleanup(void);

/* ---- back-end types (-netdev TYPE,...) ----------------------------------- */

typedef struct NetBackendType {
    const char *name;           /* "user", "tap" */
    const char *desc;           /* one line for -netdev help */
    const char *opts_help;      /* the options, for -netdev TYPE,help */
    /* Create the back end named id from opts (every key it knows is
     * consumed with opts_get*; the caller reports the rest). */
    NetClientState *(*init)(const char *id, Opts *opts, GError **errp);
} NetBackendType;

/* Register at start-up (from a type_init constructor). */
void net_backend_register(const NetBackendType *t);
const NetBackendType *net_backend_find(const char *name);
/* "-netdev help": the back ends of this build. */
void net_backend_list(FILE *f);
/*
 * New back end of type with this id: unique id, known type, and every
 * option used, or NULL with errp ("Duplicate ID 'n0' for netdev", ...).
 */
NetClientState *net_backend_new(const char *type, const char *id,
                                Opts *opts, GError **errp);

/* ---- sending and receiving ----------------------------------------------- */

ssize_t net_send_packet(NetClientState *nc, const uint8_t *buf, size_t len);
ssize_t net_send_packet_async(NetClientState *nc, const uint8_t *buf,
                              size_t len, NetReadyCB *ready);
ssize_t net_send_iov_async(NetClientState *nc, const struct iovec *iov,
                           int iovcnt, NetReadyCB *ready);
/* Could the peer take a frame right now (nothing queued, can_receive)? */
bool net_can_send(NetClientState *nc);
/* Deliver what waits in nc's incoming queue, as far as nc takes it. */
void net_queue_flush(NetClientState *nc);
/* Drop what waits for nc (e.g. at a NIC reset). */
void net_queue_purge(NetClientState *nc);
/* Frames waiting for nc. */
unsigned net_queue_length(NetClientState *nc);

/*
 * Queue bounds: a flow-controlled sender is told to stop once the
 * queue holds NET_QUEUE_SOFT_LIMIT frames or NET_QUEUE_SOFT_BYTES bytes
 * (64 KiB GSO frames reach the second first), and resumed below half of
 * both; frames from senders that cannot stop are dropped beyond
 * NET_QUEUE_HARD_LIMIT frames or NET_QUEUE_HARD_BYTES bytes.
 */
#define NET_QUEUE_SOFT_LIMIT 256
#define NET_QUEUE_SOFT_BYTES (4 * MiB)
#define NET_QUEUE_HARD_LIMIT 4096
#define NET_QUEUE_HARD_BYTES (16 * MiB)

/* ---- virtio-net headers (between virtio-net and tap) --------------------- */

bool net_has_vnet_hdr(NetClientState *nc);
bool net_has_vnet_hdr_len(NetClientState *nc, int len);
bool net_has_ufo(NetClientState *nc);
void net_using_vnet_hdr(NetClientState *nc, bool enable);
void net_set_vnet_hdr_len(NetClientState *nc, int len);
void net_set_offload(NetClientState *nc, const NetOffloads *off);

/* ---- iovec helpers ------------------------------------------------------- */

size_t net_iov_size(const struct iovec *iov, int iovcnt);
/* Copy from the vector starting at byte off; returns bytes copied. */
size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, size_t off,
                      void *buf, size_t len);
size_t net_iov_from_buf(const struct iovec *iov, int iovcnt, size_t off,
                        const void *buf, size_t len);

/* ---- NIC configuration: mac= and netdev= properties ---------------------- */

typedef struct MACAddr {
    uint8_t a[6];
} MACAddr;

typedef struct NICConf {
    MACAddr macaddr;
    NetClientState *peer;       /* the back end named by netdev= */
    bool mac_assigned;          /* macaddr came from the default pool */
} NICConf;

extern const PropertyInfo prop_info_macaddr;
extern const PropertyInfo prop_info_netdev;

/* The field must be a MACAddr (checked at compile time). */
#define DEFINE_PROP_MACADDR(_n, _s, _f) {                                  \
        .name = (_n),                                                      \
        .info = &prop_info_macaddr,                                        \
        .offset = offsetof(_s, _f) +                                       \
            0 * sizeof(char[__builtin_types_compatible_p(                  \
                __typeof__(((_s *)0)->_f), MACAddr) ? 1 : -1]),            \
        .desc = "MAC address, e.g. 52:54:00:12:34:56",                     \
    }
#define DEFINE_PROP_NETDEV(n, s, f) \
    DEFINE_PROP(n, s, f, prop_info_netdev, NetClientState *, \
                .desc = "id of a -netdev back end")
/* mac= and netdev= of a NIC whose state has NICConf field _conf. */
#define DEFINE_NIC_PROPERTIES(_s, _conf)                       \
    DEFINE_PROP_MACADDR("mac", _s, _conf.macaddr),             \
    DEFINE_PROP_NETDEV("netdev", _s, _conf.peer)

/* Bind a netdev to a NIC's netdev property from code. */
bool qdev_prop_set_netdev(DeviceState *dev, const char *name,
                          NetClientState *peer, GError **errp);

/*
 * An all-zero MAC gets the next of QEMU's default pool 52:54:00:12:34:56,
 * ...:57 and so on (per NIC, skipping addresses in use); release it with
 * net_macaddr_release when the NIC goes away.
 */
void net_macaddr_default_if_unset(NICConf *conf);
void net_macaddr_release(NICConf *conf);
bool net_parse_macaddr(const char *str, MACAddr *mac);
char *net_format_macaddr(const MACAddr *mac);

/*
 * A NIC's client: peer from conf (may be NULL: a NIC with no back end),
 * name "<model>.<n>" unless id is given. False with errp if the back end
 * is already used by another NIC.
 */
NetClientState *net_nic_new(const NetClientInfo *info, NICConf *conf,
                            const char *model, const char *id, void *opaque,
                            GError **errp);

#endif
