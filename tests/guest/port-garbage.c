/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Garbage to device ports: a seeded sequence of random values of random
 * widths to random ports, and reads of random ports. Whatever the devices
 * make of it, Ember must not crash and the guest must run on (IF is
 * clear, so interrupts the garbage raises wait in the controllers).
 *
 * Left out, because the architectural result ends or corrupts the run
 * rather than testing robustness: 0xf4-0xf7 (isa-debug-exit), COM1
 * 0x3f8-0x3ff (our output), 0x60/0x64 (the i8042 pulses reset and
 * switches A20), 0x92 (fast reset and A20), 0xcf8-0xcff (PCI
 * configuration can move BARs and the ACPI PM block over anything, 0xcf9
 * resets), 0x600-0x63f (ACPI PM: SLP_EN powers off, 0x60c resets).
 */
#include "guest.h"

static uint32_t seed;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static bool port_ok(uint32_t p, unsigned width)
{
    for (uint32_t q = p; q < p + width; q++) {
        if ((q >= 0xf4 && q <= 0xf7) || (q >= 0x3f8 && q <= 0x3ff) ||
            q == 0x60 || q == 0x64 || q == 0x92 ||
            (q >= 0xcf8 && q <= 0xcff) || (q >= 0x600 && q <= 0x63f)) {
            return false;
        }
    }
    return true;
}

/* Guest memory that no device may touch (no DMA was set up). */
static uint32_t canary[16384];

static uint32_t sum_canary(void)
{
    uint32_t s = 0;

    for (unsigned i = 0; i < ARRAY_SIZE(canary); i++) {
        s = s * 31 + canary[i];
    }
    return s;
}

void guest_main(void)
{
    unsigned n = cmdline_int("writes", 20000), done = 0;
    uint32_t before;

    seed = cmdline_int("seed", 1);
    for (unsigned i = 0; i < ARRAY_SIZE(canary); i++) {
        canary[i] = rnd();
    }
    before = sum_canary();
    for (unsigned i = 0; i < n; i++) {
        uint32_t r = rnd(), v = rnd();
        /* Mostly the legacy ISA range, where the devices live. */
        uint32_t port = (r & 0x10000) ? (r & 0xffff) : (r & 0x7ff);
        unsigned width = 1u << (r >> 20 & 3);

        if (width > 4 || !port_ok(port, width)) {
            continue;
        }
        if (r & 0x800000) {
            (void)(width == 1 ? inb(port) : width == 2 ? inw(port)
                                                       : inl(port));
        } else if (width == 1) {
            outb(port, v);
        } else if (width == 2) {
            outw(port, v);
        } else {
            outl(port, v);
        }
        done++;
    }
    report_info("%u accesses", done);
    report(done > n / 2, "the guest ran through the garbage");
    report(sum_canary() == before, "64 KiB of its memory are intact (no "
           "device wrote over guest RAM)");
    outb(COM1 + 7, 0x5a);
    report(inb(COM1 + 7) == 0x5a, "COM1 still works");
}
