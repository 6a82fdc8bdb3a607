/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8254 PIT (82C54 datasheet), by polling only: counter 2, whose gate
 * and output are on port 0x61 (bit 0 gate, bit 5 OUT2). Mode 0 output
 * rises at terminal count; the counter counts down; the read-back
 * command reports the programmed mode; mode 2 stays within 1..N.
 */
#include "guest.h"

#define PIT_CH2     0x42
#define PIT_CTRL    0x43
#define PORT_B      0x61

static uint16_t read_ch2(void)
{
    uint16_t v;

    outb(PIT_CTRL, 0x80);               /* counter 2 latch */
    v = inb(PIT_CH2);
    v |= inb(PIT_CH2) << 8;
    return v;
}

static void program_ch2(uint8_t mode, uint16_t count)
{
    /* Counter 2, LSB then MSB, binary. */
    outb(PIT_CTRL, 0x80 | 0x30 | (mode << 1));
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
}

void guest_main(void)
{
    uint16_t a, b, c;
    uint8_t status;
    unsigned i;
    bool in_range = true;

    /* Mode 0 with the gate low: loaded, not counting, OUT low. */
    outb(PORT_B, inb(PORT_B) & ~0x03);
    program_ch2(0, 0x2000);
    report(!(inb(PORT_B) & 0x20), "mode 0: OUT2 is low after programming");

    /* Read-back, status only (bits 7-6 = 11, /COUNT = 1, /STATUS = 0,
     * counter 2): RW = LSB/MSB (11), mode 0, binary. */
    outb(PIT_CTRL, 0xe8);
    status = inb(PIT_CH2);
    report((status & 0x3f) == 0x30, "read-back status: LSB/MSB, mode 0, "
           "binary");
    report_info("status 0x%02x", status);

    /*
     * Gate high, then a new count: mode 0 counts from the write. (KVM's
     * in-kernel PIT keeps counting counter 2 while its gate is low, so
     * the count written above may already have run out.) 0xffff lasts
     * 55 ms, longer than a few port accesses even on a slow host; a wrap
     * can spoil at most one of the two pairs compared.
     */
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
    program_ch2(0, 0xffff);
    /* A fast CPU (TCG) reads several times within one PIT tick: poll
     * until the count moves, a bounded number of times. */
    a = read_ch2();
    for (i = 0, b = a; i < 1000000 && b == a; i++) {
        b = read_ch2();
    }
    for (i = 0, c = b; i < 1000000 && c == b; i++) {
        c = read_ch2();
    }
    report(b < a || c < b, "counter 2 counts down");
    report_info("counts 0x%04x, 0x%04x, 0x%04x", a, b, c);
    for (i = 0; i < 10000000 && !(inb(PORT_B) & 0x20); i++) {
        cpu_relax();
    }
    report(inb(PORT_B) & 0x20, "mode 0: OUT2 rises at terminal count");

    /* Mode 2 (rate generator), N = 100: the count stays in 1..100. */
    program_ch2(2, 100);
    for (i = 0; i < 50; i++) {
        a = read_ch2();
        in_range &= a >= 1 && a <= 100;
    }
    report(in_range, "mode 2: the count stays within 1..N");
    outb(PIT_CTRL, 0xe8);
    status = inb(PIT_CH2);
    report((status & 0x0e) == 0x04, "read-back status: mode 2");
    outb(PORT_B, inb(PORT_B) & ~0x03);  /* gate off: quiet again */
}
