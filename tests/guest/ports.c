/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port I/O of 1, 2 and 4 bytes: the debug console at 0xe9, COM1's
 * registers (16550A: MCR at +4, scratch at +7), and ports nobody
 * decodes (all ones).
 */
#include "guest.h"

#define UNDECODED 0x3f0         /* the floppy controller: not emulated */

void guest_main(void)
{
    const char *msg = "ember debugcon\n";
    uint32_t v;

    /* isa-debugcon: writes go to its back end, reads return 0xe9. */
    for (const char *p = msg; *p; p++) {
        outb(0xe9, *p);
    }
    report(inb(0xe9) == 0xe9, "debugcon reads back 0xe9");

    /* 1 byte: the UART scratch register keeps what is written. */
    outb(COM1 + 7, 0xa5);
    report(inb(COM1 + 7) == 0xa5, "outb/inb scratch register");
    outb(COM1 + 7, 0x5a);
    report(inb(COM1 + 7) == 0x5a, "outb/inb scratch register again");

    /* 2 bytes at MSR+SCR (COM1+6): the scratch byte is the high half. */
    outb(COM1 + 7, 0x3c);
    v = inw(COM1 + 6);
    report((v >> 8) == 0x3c, "inw sees the scratch register in its high "
           "byte");
    outw(COM1 + 6, 0xc300);
    report(inb(COM1 + 7) == 0xc3, "outw writes the scratch register");

    /* 4 bytes at MCR..SCR (COM1+4): MCR and SCR take their bytes. */
    outl(COM1 + 4, 0x69000003);
    v = inl(COM1 + 4);
    report((v >> 24) == 0x69, "inl/outl reach the scratch register");
    report((v & 0x1f) == 0x03, "inl/outl reach the modem control register");
    report(inb(COM1 + 4) == 0x03, "outl left MCR = DTR|RTS");

    /* Nobody answers: all ones, whatever the width. */
    report(inb(UNDECODED) == 0xff, "undecoded inb is 0xff");
    report(inw(UNDECODED) == 0xffff, "undecoded inw is 0xffff");
    report(inl(UNDECODED) == 0xffffffff, "undecoded inl is 0xffffffff");
    outl(UNDECODED, 0x12345678);
    report(inl(UNDECODED) == 0xffffffff, "undecoded port ignores writes");
}
