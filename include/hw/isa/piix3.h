/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PIIX3 PCI-to-ISA bridge, function 00:01.0 ("PIIX3", 8086:7000).
 *
 * It receives the four PCI interrupt lines PIRQA-D and:
 *  - drives its outputs PIIX3_GPIO_PIRQ(0..3) with them (the board wires
 *    these to I/O APIC pins 16-19: GSI 16 + n), always;
 *  - steers PIRQn into ISA IRQ k when its route register (config 0x60 +
 *    n; "PIRQRC[A:D]" in the PIIX3 datasheet) has bit 7 clear and k =
 *    bits 3:0 is one of 3-7, 9-12, 14, 15. The ISA IRQ lines pass
 *    through the bridge: gpio in 0..15 come from the ISA devices, gpio
 *    out 0..15 go on to the interrupt controllers, as the wired-OR of
 *    the ISA device and every PIRQ steered there.
 * Reset value of the route registers: 0x80 (not routed).
 */
#ifndef HW_ISA_PIIX3_H
#define HW_ISA_PIIX3_H

#include "hw/pci/pci.h"

#define TYPE_PIIX3 "PIIX3"
#define PCI_DEVICE_ID_INTEL_82371SB_0 0x7000

#define PIIX3_PIRQC 0x60            /* PIRQA route; B, C, D follow */
#define PIIX3_NUM_PIRQS 4
#define PIIX3_PIRQ_DISABLE 0x80
#define PIIX3_GPIO_ISA(n) (n)       /* ISA IRQ n: in and out */
#define PIIX3_GPIO_PIRQ(n) (16 + (n)) /* out: to the I/O APIC */

typedef struct PIIX3State {
    PCIDevice parent;
    int pirq_level[PIIX3_NUM_PIRQS];
    int isa_in_level[16];           /* from the ISA devices */
    int isa_out_level[16];          /* what we drive */
    IRQLine *isa_out[16];
    IRQLine *pirq_out[PIIX3_NUM_PIRQS];
} PIIX3State;

/* PCI bus set_irq: PIRQ line pirq (0 = A) changed level. */
void piix3_set_pirq(void *opaque, int pirq, int level);
/* Which ISA IRQ PIRQ pirq is steered to now, or -1. */
int piix3_pirq_route(PIIX3State *s, int pirq);

#endif
