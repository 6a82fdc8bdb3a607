/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev user: user-mode networking on libslirp (net/slirp.c).
 *
 *   -netdev user,id=n0[,net=10.0.2.0/24][,host=10.0.2.2]
 *           [,dhcpstart=10.0.2.15][,dns=10.0.2.3][,restrict=on|off]
 *           [,hostfwd=tcp:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT]...
 *           [,hostfwd=udp:...][,hostname=NAME][,domainname=NAME]
 *           [,dnssearch=DOMAIN]...[,ipv4=on|off][,ipv6=on|off]
 *           [,ipv6-net=PREFIX/LEN][,ipv6-host=ADDR][,ipv6-dns=ADDR]
 *           [,tftp=DIR][,bootfile=FILE][,tftp-server-name=NAME]
 *
 * The defaults are QEMU's: network 10.0.2.0/24, the host (gateway) at
 * .2, the DNS forwarder at .3, DHCP leases from .15; IPv6 fec0::/64.
 */
#ifndef NET_SLIRP_H
#define NET_SLIRP_H

#include "ember/osdep.h"
#include <netinet/in.h>

typedef struct NetHostFwd {
    bool udp;
    struct in_addr host_addr;   /* INADDR_ANY when not given */
    int host_port;              /* 0..65535 (0: any free port) */
    struct in_addr guest_addr;  /* the first DHCP address when not given */
    int guest_port;             /* 1..65535 */
} NetHostFwd;

/*
 * Parse "[tcp|udp]:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT" (QEMU's
 * hostfwd syntax); guest_default fills in a missing GUESTIP.
 */
bool net_slirp_parse_hostfwd(const char *spec, struct in_addr guest_default,
                             NetHostFwd *out, GError **errp);

#endif
