/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PIIX3 PCI-to-ISA bridge, function 0 (82371SB datasheet, "PCI to ISA
 * bridge configuration registers").
 *
 * What matters to Ember is interrupt routing. The four PCI interrupt
 * lines PIRQA-D arrive here. Each always reaches the I/O APIC (pins
 * 16-19, as in the chipset's APIC mode), and each can also be steered by
 * its route register (0x60-0x63) into one ISA IRQ, which is how a guest
 * that runs the 8259 PICs (no I/O APIC, e.g. Linux with "noapic")
 * receives PCI interrupts. Both paths are live at once; which one the
 * guest sees depends only on which interrupt controller it programs and
 * unmasks. The ISA IRQ lines pass through the bridge so that a steered
 * PIRQ and an ISA device on the same IRQ are ORed, not overwritten.
 *
 * The other registers are storage with their datasheet reset values.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "hw/isa/piix3.h"
#include "hw/pci-host/i440fx.h"

/* ISA IRQs a PIRQ may be routed to (route register bits 3:0); 0-2, 8
 * and 13 are reserved encodings. */
static bool piix3_valid_isa_irq(unsigned irq)
{
    return irq >= 3 && irq <= 15 && irq != 8 && irq != 13;
}

int piix3_pirq_route(PIIX3State *s, int pirq)
{
    uint8_t r = s->parent.config[PIIX3_PIRQC + pirq];

    if (r & PIIX3_PIRQ_DISABLE || !piix3_valid_isa_irq(r & 0x0f)) {
        return -1;
    }
    return r & 0x0f;
}

/* Level of ISA IRQ irq as seen by the interrupt controllers. */
static int piix3_isa_level(PIIX3State *s, int irq)
{
    int level = s->isa_in_level[irq];

    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        if (s->pirq_level[p] && piix3_pirq_route(s, p) == irq) {
            level = 1;
        }
    }
    return level;
}

static bool piix3_isa_shared(PIIX3State *s, int irq)
{
    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        if (piix3_pirq_route(s, p) == irq) {
            return true;
        }
    }
    return false;
}

static void piix3_update_isa(PIIX3State *s, int irq)
{
    int level = piix3_isa_level(s, irq);

    if (level != s->isa_out_level[irq]) {
        s->isa_out_level[irq] = level;
        irq_set(s->isa_out[irq], level);
    }
}

static void piix3_update_all_isa(PIIX3State *s)
{
    for (int irq = 0; irq < 16; irq++) {
        piix3_update_isa(s, irq);
    }
}

/* An ISA device changed its IRQ line. */
static void piix3_isa_irq_in(void *opaque, int n, int level)
{
    PIIX3State *s = (PIIX3State *)opaque;

    if (n < 0 || n >= 16) {
        return;
    }
    s->isa_in_level[n] = level;
    if (!piix3_isa_shared(s, n)) {
        /* Not shared with a PCI interrupt: pass every call through
         * unchanged, so edge-triggered devices see what they expect. */
        s->isa_out_level[n] = level;
        irq_set(s->isa_out[n], level);
        return;
    }
    piix3_update_isa(s, n);
}

void piix3_set_pirq(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    int irq;

    if (pirq < 0 || pirq >= PIIX3_NUM_PIRQS) {
        return;
    }
    s->pirq_level[pirq] = level;
    /* PCI interrupts are level-triggered and active-low on the wire
     * (PCI 3.0, 2.2.6); here 1 means asserted, whatever the polarity the
     * routing tables describe to the guest. */
    irq_set(s->pirq_out[pirq], level);
    irq = piix3_pirq_route(s, pirq);
    if (irq >= 0) {
        piix3_update_isa(s, irq);
    }
}

static void piix3_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                               unsigned len)
{
    PIIX3State *s = (PIIX3State *)dev;

    pci_default_write_config(dev, addr, val, len);
    if (pci_ranges_overlap(addr, len, PIIX3_PIRQC, PIIX3_NUM_PIRQS)) {
        /* A new route moves the PIRQ off its old ISA IRQ and onto the
         * new one: recompute every ISA output. */
        piix3_update_all_isa(s);
    }
}

/*
 * Registers that are plain storage here, with their reset values:
 * IORT 0x4c, XBCS 0x4e-0x4f, PIRQRC 0x60-0x63, TOM 0x69, MSTAT
 * 0x6a-0x6b, MBIRQ0 0x70, MBDMA 0x76-0x77, PCSC 0x78-0x79, APICBASE
 * 0x80, DLC 0x82, SMICNTL 0xa0, SMIEN 0xa2, SEE 0xa4-0xa7, FTMR 0xa8,
 * SMIREQ 0xaa, CTLTMR 0xac, CTHTMR 0xae.
 */
static const struct {
    uint8_t off, len, wmask;
    uint8_t reset[4];
} piix3_regs[] = {
    { 0x4c, 1, 0x7f, { 0x4d } },
    { 0x4e, 2, 0xff, { 0x03, 0x00 } },
    { 0x60, 4, 0x8f, { 0x80, 0x80, 0x80, 0x80 } },
    { 0x69, 1, 0xfe, { 0x02 } },
    { 0x6a, 2, 0xff, { 0x00, 0x00 } },
    { 0x70, 1, 0xcf, { 0x80 } },
    { 0x76, 2, 0x8f, { 0x0c, 0x0c } },
    { 0x78, 2, 0xff, { 0x02, 0x00 } },
    { 0x80, 1, 0x7f, { 0x00 } },
    { 0x82, 1, 0x0f, { 0x00 } },
    { 0xa0, 1, 0xff, { 0x08 } },
    { 0xa2, 1, 0xff, { 0x00 } },
    { 0xa4, 4, 0xff, { 0x00, 0x00, 0x00, 0x00 } },
    { 0xa8, 1, 0xff, { 0x0f } },
    { 0xaa, 1, 0xff, { 0x00 } },
    { 0xac, 1, 0xff, { 0x00 } },
    { 0xae, 1, 0xff, { 0x00 } },
};

static bool piix3_realize(PCIDevice *dev, GError **errp)
{
    PIIX3State *s = (PIIX3State *)dev;

    for (unsigned i = 0; i < ARRAY_SIZE(piix3_regs); i++) {
        memset(dev->wmask + piix3_regs[i].off, piix3_regs[i].wmask,
               piix3_regs[i].len);
    }
    /* The bridge raises no PCI interrupt, and its decoding and bus
     * mastering are hardwired on. */
    dev->wmask[PCI_INTERRUPT_LINE] = 0;
    pci_set_word(dev->wmask + PCI_COMMAND,
                 pci_get_word(dev->wmask + PCI_COMMAND) &
                 ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
    /* ISA IRQ lines in (0..15) from the ISA devices... */
    qdev_init_gpio_in(&dev->qdev, piix3_isa_irq_in, 16);
    /* ...and out (0..15) to the interrupt controllers, then PIRQA-D
     * out to the I/O APIC (16..19). */
    qdev_init_gpio_out(&dev->qdev, s->isa_out, 16);
    qdev_init_gpio_out(&dev->qdev, s->pirq_out, PIIX3_NUM_PIRQS);
    return true;
}

static void piix3_reset(PCIDevice *dev)
{
    PIIX3State *s = (PIIX3State *)dev;

    for (unsigned i = 0; i < ARRAY_SIZE(piix3_regs); i++) {
        memcpy(dev->config + piix3_regs[i].off, piix3_regs[i].reset,
               piix3_regs[i].len);
    }
    /* Bus master, memory and I/O are hardwired on for the ISA bridge. */
    pci_set_word(dev->config + PCI_COMMAND, PCI_COMMAND_IO |
                 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    /* Routing is off again: the ISA outputs follow the ISA devices. */
    piix3_update_all_isa(s);
}

static const PCIDeviceInfo piix3_pci_info = {
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82371SB_0,
    .class_id = PCI_CLASS_BRIDGE_ISA,
    .realize = piix3_realize,
    .reset = piix3_reset,
    .config_write = piix3_config_write,
};

static const DeviceInfo piix3_info = {
    .name = TYPE_PIIX3,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PIIX3State),
    .desc = "PIIX3 PCI-to-ISA bridge, 00:01.0",
    .class_data = &piix3_pci_info,
};

static void piix3_register_types(void)
{
    type_register(&piix3_info);
}
type_init(piix3_register_types)
