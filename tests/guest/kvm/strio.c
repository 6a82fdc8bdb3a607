/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * String port I/O: REP OUTS/INS move several elements per instruction
 * (SDM 2B, OUTS/INS), which KVM hands over as one I/O exit with a count
 * (api.rst 5, KVM_EXIT_IO). The target is COM1's scratch register (port
 * 0x3ff, 16550A), which keeps the last byte written, and an undecoded
 * port, which reads all ones.
 */
#include "guest.h"

#define SCRATCH     (COM1 + 7)
#define UNDECODED   0x2e0

static void rep_outsb(uint16_t port, const void *buf, uint32_t n)
{
    __asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port)
                     : "memory");
}

static void rep_insb(uint16_t port, void *buf, uint32_t n)
{
    __asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port)
                     : "memory");
}

static void rep_insw(uint16_t port, void *buf, uint32_t n)
{
    __asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port)
                     : "memory");
}

static void rep_outsw(uint16_t port, const void *buf, uint32_t n)
{
    __asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port)
                     : "memory");
}

static uint8_t big[5000];

void guest_main(void)
{
    uint8_t out[64], in[64];
    uint16_t w[8];
    bool ok = true;

    for (unsigned i = 0; i < sizeof(out); i++) {
        out[i] = 0x40 + i;
    }
    rep_outsb(SCRATCH, out, sizeof(out));
    report(inb(SCRATCH) == out[sizeof(out) - 1],
           "rep outsb: the scratch register holds the last byte");

    memset(in, 0, sizeof(in));
    outb(SCRATCH, 0x3c);
    rep_insb(SCRATCH, in, sizeof(in));
    for (unsigned i = 0; i < sizeof(in); i++) {
        ok &= in[i] == 0x3c;
    }
    report(ok, "rep insb: 64 reads of the scratch register");

    memset(w, 0, sizeof(w));
    rep_insw(UNDECODED, w, 8);
    ok = true;
    for (unsigned i = 0; i < 8; i++) {
        ok &= w[i] == 0xffff;
    }
    report(ok, "rep insw from an undecoded port: all ones");

    /* Words to a byte register: the low byte of each lands there. */
    for (unsigned i = 0; i < 8; i++) {
        w[i] = 0x1100 + i;
    }
    rep_outsw(SCRATCH, w, 8);
    report(inb(SCRATCH) == 0x07, "rep outsw: the last word's low byte");

    /* Longer than a page, from a buffer that crosses page boundaries. */
    for (unsigned i = 0; i < sizeof(big); i++) {
        big[i] = i * 7;
    }
    rep_outsb(SCRATCH, big, sizeof(big));
    report(inb(SCRATCH) == (uint8_t)((sizeof(big) - 1) * 7),
           "rep outsb of 5000 bytes across pages");
    memset(big, 0, sizeof(big));
    outb(SCRATCH, 0x99);
    rep_insb(SCRATCH, big, sizeof(big));
    ok = true;
    for (unsigned i = 0; i < sizeof(big); i++) {
        ok &= big[i] == 0x99;
    }
    report(ok, "rep insb of 5000 bytes across pages");
}
