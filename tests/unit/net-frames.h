/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building and checking Ethernet frames in tests: the little of a guest
 * network stack the network tests need (ARP, IPv4, UDP, TCP, ICMP echo,
 * DHCP), after RFC 826, 791, 768, 793, 792 and 2131/2132. Depends on
 * GLib only, so device tests (qtest) can use it too.
 */
#ifndef TESTS_NET_FRAMES_H
#define TESTS_NET_FRAMES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* IPv4 addresses in host order: IP4(10, 0, 2, 15). */
#define IP4(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

extern const uint8_t frame_broadcast[6];

/* What parse_frame found; pointers point into the frame. */
typedef struct FrameInfo {
    uint8_t dst[6], src[6];
    uint16_t ethertype;
    /* ARP */
    uint16_t arp_op;                /* 1 request, 2 reply */
    uint8_t arp_sha[6], arp_tha[6];
    uint32_t arp_spa, arp_tpa;
    /* IPv4 */
    uint8_t proto;
    uint32_t ip_src, ip_dst;
    uint8_t ttl;
    bool ip_csum_ok;
    /* UDP / TCP */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;
    uint16_t window;
    bool l4_csum_ok;                /* TCP/UDP/ICMP checksum verifies */
    /* ICMP */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;
    const uint8_t *payload;
    size_t payload_len;
} FrameInfo;

/* False for frames too short or malformed for what they claim. */
bool parse_frame(const uint8_t *f, size_t len, FrameInfo *fi);

/* The Internet checksum (RFC 1071) of buf, continuing from sum. */
uint32_t csum_add(uint32_t sum, const void *buf, size_t len);
uint16_t csum_fold(uint32_t sum);

/* Builders: write into out (at least 1600 bytes), return the length. */
size_t build_arp(uint8_t *out, uint16_t op, const uint8_t *sha,
                 uint32_t spa, const uint8_t *tha, uint32_t tpa);
size_t build_udp(uint8_t *out, const uint8_t *src_mac,
                 const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                 uint16_t sport, uint16_t dport, const void *data,
                 size_t len);
size_t build_tcp(uint8_t *out, const uint8_t *src_mac,
                 const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                 uint8_t flags, uint16_t window, const void *data,
                 size_t len);
size_t build_icmp_echo(uint8_t *out, const uint8_t *src_mac,
                       const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                       uint16_t id, uint16_t seq, const void *data,
                       size_t len);
/* DHCPDISCOVER (type 1) or DHCPREQUEST (type 3, for req_ip). */
size_t build_dhcp(uint8_t *out, const uint8_t *mac, uint32_t xid,
                  uint8_t type, uint32_t req_ip, uint32_t server);

/* DHCP: the BOOTP reply's yiaddr and an option's value (NULL if absent). */
bool dhcp_parse(const FrameInfo *fi, uint32_t *xid, uint32_t *yiaddr,
                uint8_t *msg_type);
const uint8_t *dhcp_option(const FrameInfo *fi, uint8_t code, uint8_t *len);

/* If f is an ARP request for ip, write the reply into out (as mac). */
size_t answer_arp(const uint8_t *f, size_t len, const uint8_t *mac,
                  uint32_t ip, uint8_t *out);

char *ip4_str(uint32_t ip);

#endif
