/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8259A pair (8259A datasheet) without taking interrupts (IF stays
 * clear): initialisation, the mask register, IRR/ISR reads with OCW3,
 * IRQ 0 from the PIT latching in IRR while masked, and the ELCR.
 */
#include "guest.h"

#define PIC1 0x20
#define PIC2 0xa0
#define ELCR1 0x4d0
#define ELCR2 0x4d1

static void pic_init(void)
{
    outb(PIC1, 0x11);           /* ICW1: edge, cascade, ICW4 */
    outb(PIC1 + 1, 0x20);       /* ICW2: vectors 0x20.. */
    outb(PIC1 + 1, 0x04);       /* ICW3: slave on IRQ 2 */
    outb(PIC1 + 1, 0x01);       /* ICW4: 8086 mode */
    outb(PIC2, 0x11);
    outb(PIC2 + 1, 0x28);
    outb(PIC2 + 1, 0x02);
    outb(PIC2 + 1, 0x01);
}

static uint8_t read_irr(uint16_t pic)
{
    outb(pic, 0x0a);            /* OCW3: read IRR */
    return inb(pic);
}

static uint8_t read_isr(uint16_t pic)
{
    outb(pic, 0x0b);            /* OCW3: read ISR */
    return inb(pic);
}

void guest_main(void)
{
    unsigned i;
    uint8_t e1, e2;

    pic_init();
    outb(PIC1 + 1, 0xa5);
    outb(PIC2 + 1, 0x5a);
    report(inb(PIC1 + 1) == 0xa5, "master IMR reads back");
    report(inb(PIC2 + 1) == 0x5a, "slave IMR reads back");
    report(read_isr(PIC1) == 0 && read_isr(PIC2) == 0,
           "nothing in service after init");

    /* Mask everything; the PIT's counter 0 in mode 2 still raises IRQ 0,
     * which an edge-triggered 8259A latches in IRR even when masked. */
    outb(PIC1 + 1, 0xff);
    outb(PIC2 + 1, 0xff);
    outb(0x43, 0x34);           /* counter 0, LSB/MSB, mode 2 */
    outb(0x40, 0x00);
    outb(0x40, 0x10);           /* 4096: about 3.4 ms */
    for (i = 0; i < 1000000 && !(read_irr(PIC1) & 1); i++) {
        cpu_relax();
    }
    report(read_irr(PIC1) & 1, "IRQ 0 from the PIT latches in IRR");
    report(read_isr(PIC1) == 0, "a masked IRQ is not put in service");
    outb(0x43, 0x30);           /* counter 0 back to mode 0, quiet */
    outb(0x40, 0);
    outb(0x40, 0);

    /* ELCR: IRQ 0-2 and 8, 13 are always edge; others settable. */
    e1 = inb(ELCR1);
    e2 = inb(ELCR2);
    outb(ELCR1, 0x20);
    outb(ELCR2, 0x0e);
    report(inb(ELCR1) == 0x20, "ELCR1 sets IRQ 5 level-triggered");
    report(inb(ELCR2) == 0x0e, "ELCR2 sets IRQ 9-11 level-triggered");
    outb(ELCR1, 0xff);
    report(!(inb(ELCR1) & 0x07), "ELCR1 keeps IRQ 0-2 edge-triggered");
    outb(ELCR1, e1);
    outb(ELCR2, e2);
}
