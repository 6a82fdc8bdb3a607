/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frame builders and parsers for the network tests; see net-frames.h. */
#include "net-frames.h"
#include <string.h>

const uint8_t frame_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += rd16(p + i);
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
                           size_t len)
{
    uint8_t ph[12];

    wr32(ph, src);
    wr32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    wr16(ph + 10, (uint16_t)len);
    return csum_add(0, ph, sizeof(ph));
}

static size_t eth_hdr(uint8_t *out, const uint8_t *dst, const uint8_t *src,
                      uint16_t type)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    wr16(out + 12, type);
    return ETH_HLEN;
}

/* An IPv4 header (20 bytes) for l4len bytes after it. */
static void ip_hdr(uint8_t *ip, uint8_t proto, uint32_t src, uint32_t dst,
                   size_t l4len)
{
    static uint16_t ident = 1;

    memset(ip, 0, 20);
    ip[0] = 0x45;
    wr16(ip + 2, (uint16_t)(20 + l4len));
    wr16(ip + 4, ident++);
    ip[8] = 64;
    ip[9] = proto;
    wr32(ip + 12, src);
    wr32(ip + 16, dst);
    wr16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

size_t build_arp(uint8_t *out, uint16_t op, const uint8_t *sha,
                 uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
    static const uint8_t zero[6];
    uint8_t *a = out + eth_hdr(out, op == 1 ? frame_broadcast : tha, sha,
                               ETH_P_ARP);

    wr16(a, 1);                 /* Ethernet */
    wr16(a + 2, ETH_P_IP);
    a[4] = 6;
    a[5] = 4;
    wr16(a + 6, op);
    memcpy(a + 8, sha, 6);
    wr32(a + 14, spa);
    memcpy(a + 18, op == 1 ? zero : tha, 6);
    wr32(a + 24, tpa);
    /* Padded to the Ethernet minimum of 60 bytes. */
    memset(a + 28, 0, 60 - ETH_HLEN - 28);
    return 60;
}

size_t build_udp(uint8_t *out, const uint8_t *src_mac,
                 const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                 uint16_t sport, uint16_t dport, const void *data,
                 size_t len)
{
    uint8_t *ip = out + eth_hdr(out, dst_mac, src_mac, ETH_P_IP);
    uint8_t *u = ip + 20;
    uint16_t c;

    ip_hdr(ip, IPPROTO_UDP_, src, dst, 8 + len);
    wr16(u, sport);
    wr16(u + 2, dport);
    wr16(u + 4, (uint16_t)(8 + len));
    wr16(u + 6, 0);
    memcpy(u + 8, data, len);
    c = csum_fold(csum_add(pseudo_sum(src, dst, IPPROTO_UDP_, 8 + len), u,
                           8 + len));
    wr16(u + 6, c ? c : 0xffff);
    return ETH_HLEN + 20 + 8 + len;
}

size_t build_tcp(uint8_t *out, const uint8_t *src_mac,
                 const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                 uint8_t flags, uint16_t window, const void *data,
                 size_t len)
{
    uint8_t *ip = out + eth_hdr(out, dst_mac, src_mac, ETH_P_IP);
    uint8_t *t = ip + 20;

    ip_hdr(ip, IPPROTO_TCP_, src, dst, 20 + len);
    memset(t, 0, 20);
    wr16(t, sport);
    wr16(t + 2, dport);
    wr32(t + 4, seq);
    wr32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    wr16(t + 14, window);
    memcpy(t + 20, data, len);
    wr16(t + 16, csum_fold(csum_add(pseudo_sum(src, dst, IPPROTO_TCP_,
                                               20 + len), t, 20 + len)));
    return ETH_HLEN + 20 + 20 + len;
}

size_t build_icmp_echo(uint8_t *out, const uint8_t *src_mac,
                       const uint8_t *dst_mac, uint32_t src, uint32_t dst,
                       uint16_t id, uint16_t seq, const void *data,
                       size_t len)
{
    uint8_t *ip = out + eth_hdr(out, dst_mac, src_mac, ETH_P_IP);
    uint8_t *m = ip + 20;

    ip_hdr(ip, IPPROTO_ICMP_, src, dst, 8 + len);
    m[0] = 8;                   /* echo request */
    m[1] = 0;
    wr16(m + 2, 0);
    wr16(m + 4, id);
    wr16(m + 6, seq);
    memcpy(m + 8, data, len);
    wr16(m + 2, csum_fold(csum_add(0, m, 8 + len)));
    return ETH_HLEN + 20 + 8 + len;
}

#define BOOTP_FIXED 236
#define DHCP_MAGIC 0x63825363

size_t build_dhcp(uint8_t *out, const uint8_t *mac, uint32_t xid,
                  uint8_t type, uint32_t req_ip, uint32_t server)
{
    uint8_t b[BOOTP_FIXED + 64];
    uint8_t *o = b + BOOTP_FIXED + 4;

    memset(b, 0, sizeof(b));
    b[0] = 1;                   /* BOOTREQUEST */
    b[1] = 1;                   /* Ethernet */
    b[2] = 6;
    wr32(b + 4, xid);
    memcpy(b + 28, mac, 6);     /* chaddr */
    wr32(b + BOOTP_FIXED, DHCP_MAGIC);
    *o++ = 53;                  /* message type */
    *o++ = 1;
    *o++ = type;
    if (type == 3) {
        *o++ = 50;              /* requested address */
        *o++ = 4;
        wr32(o, req_ip);
        o += 4;
        *o++ = 54;              /* server identifier */
        *o++ = 4;
        wr32(o, server);
        o += 4;
    }
    *o++ = 55;                  /* parameter request list */
    *o++ = 3;
    *o++ = 1;                   /* subnet mask */
    *o++ = 3;                   /* router */
    *o++ = 6;                   /* DNS */
    *o++ = 255;
    return build_udp(out, mac, frame_broadcast, 0, 0xffffffff, 68, 67, b,
                     o - b);
}

bool parse_frame(const uint8_t *f, size_t len, FrameInfo *fi)
{
    const uint8_t *ip, *l4;
    size_t ihl, tot, l4len;

    memset(fi, 0, sizeof(*fi));
    if (len < ETH_HLEN) {
        return false;
    }
    memcpy(fi->dst, f, 6);
    memcpy(fi->src, f + 6, 6);
    fi->ethertype = rd16(f + 12);
    if (fi->ethertype == ETH_P_ARP) {
        const uint8_t *a = f + ETH_HLEN;
        if (len < ETH_HLEN + 28) {
            return false;
        }
        fi->arp_op = rd16(a + 6);
        memcpy(fi->arp_sha, a + 8, 6);
        fi->arp_spa = rd32(a + 14);
        memcpy(fi->arp_tha, a + 18, 6);
        fi->arp_tpa = rd32(a + 24);
        return true;
    }
    if (fi->ethertype != ETH_P_IP) {
        return true;
    }
    ip = f + ETH_HLEN;
    if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4) {
        return false;
    }
    ihl = (ip[0] & 15) * 4;
    tot = rd16(ip + 2);
    if (ihl < 20 || tot < ihl || ETH_HLEN + tot > len) {
        return false;
    }
    fi->proto = ip[9];
    fi->ttl = ip[8];
    fi->ip_src = rd32(ip + 12);
    fi->ip_dst = rd32(ip + 16);
    fi->ip_csum_ok = csum_fold(csum_add(0, ip, ihl)) == 0;
    l4 = ip + ihl;
    l4len = tot - ihl;
    if (fi->proto == IPPROTO_UDP_ && l4len >= 8) {
        uint16_t c = rd16(l4 + 6);
        fi->sport = rd16(l4);
        fi->dport = rd16(l4 + 2);
        fi->payload = l4 + 8;
        fi->payload_len = MIN((size_t)rd16(l4 + 4), l4len) - 8;
        fi->l4_csum_ok = c == 0 ||
            csum_fold(csum_add(pseudo_sum(fi->ip_src, fi->ip_dst,
                                          IPPROTO_UDP_, l4len), l4,
                               l4len)) == 0;
    } else if (fi->proto == IPPROTO_TCP_ && l4len >= 20) {
        size_t doff = (l4[12] >> 4) * 4;
        if (doff < 20 || doff > l4len) {
            return false;
        }
        fi->sport = rd16(l4);
        fi->dport = rd16(l4 + 2);
        fi->seq = rd32(l4 + 4);
        fi->ack = rd32(l4 + 8);
        fi->tcp_flags = l4[13];
        fi->window = rd16(l4 + 14);
        fi->payload = l4 + doff;
        fi->payload_len = l4len - doff;
        fi->l4_csum_ok =
            csum_fold(csum_add(pseudo_sum(fi->ip_src, fi->ip_dst,
                                          IPPROTO_TCP_, l4len), l4,
                               l4len)) == 0;
    } else if (fi->proto == IPPROTO_ICMP_ && l4len >= 8) {
        fi->icmp_type = l4[0];
        fi->icmp_code = l4[1];
        fi->icmp_id = rd16(l4 + 4);
        fi->icmp_seq = rd16(l4 + 6);
        fi->payload = l4 + 8;
        fi->payload_len = l4len - 8;
        fi->l4_csum_ok = csum_fold(csum_add(0, l4, l4len)) == 0;
    }
    return true;
}

bool dhcp_parse(const FrameInfo *fi, uint32_t *xid, uint32_t *yiaddr,
                uint8_t *msg_type)
{
    const uint8_t *b = fi->payload;
    uint8_t len;
    const uint8_t *t;

    if (fi->proto != IPPROTO_UDP_ || fi->sport != 67 ||
        fi->payload_len < BOOTP_FIXED + 4 || b[0] != 2 ||
        rd32(b + BOOTP_FIXED) != DHCP_MAGIC) {
        return false;
    }
    *xid = rd32(b + 4);
    *yiaddr = rd32(b + 16);
    t = dhcp_option(fi, 53, &len);
    *msg_type = t && len == 1 ? t[0] : 0;
    return true;
}

const uint8_t *dhcp_option(const FrameInfo *fi, uint8_t code, uint8_t *len)
{
    const uint8_t *o = fi->payload + BOOTP_FIXED + 4;
    const uint8_t *end = fi->payload + fi->payload_len;

    while (o < end && *o != 255) {
        if (*o == 0) {
            o++;
            continue;
        }
        if (o + 2 > end || o + 2 + o[1] > end) {
            return NULL;
        }
        if (*o == code) {
            *len = o[1];
            return o + 2;
        }
        o += 2 + o[1];
    }
    return NULL;
}

size_t answer_arp(const uint8_t *f, size_t len, const uint8_t *mac,
                  uint32_t ip, uint8_t *out)
{
    FrameInfo fi;

    if (!parse_frame(f, len, &fi) || fi.ethertype != ETH_P_ARP ||
        fi.arp_op != 1 || fi.arp_tpa != ip) {
        return 0;
    }
    return build_arp(out, 2, mac, ip, fi.arp_sha, fi.arp_spa);
}

char *ip4_str(uint32_t ip)
{
    return g_strdup_printf("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
                           (ip >> 8) & 255, ip & 255);
}
