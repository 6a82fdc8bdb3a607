/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI of the PC: the i440FX host bridge (00:00.0) with bus pci.0, the
 * PIIX3 ISA bridge (00:01.0) and its interrupt wiring, the PCI hole, and
 * the resource assignment a PC BIOS would do at every reset.
 *
 * INTx routing (the contract the ACPI _PRT repeats): the device in slot
 * s raising pin p (0 = INTA, from its Interrupt Pin register) drives
 * PIRQ (s + p) % 4, which is I/O APIC input GSI 16 + (s + p) % 4,
 * level-triggered, active-low. The function number does not enter (a
 * _PRT entry names a slot, all functions). In PIC mode the PIIX3 route
 * registers steer PIRQA-D onto ISA IRQs (see include/hw/isa/piix3.h).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/display/vga.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86-boot.h"
#include "hw/isa/piix3.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "system/runstate.h"

/* Where the firmware-style assignment puts I/O BARs: above the legacy
 * ISA ports, as PC firmware does. */
#define PC_PCI_IO_START 0xc000
#define PC_PCI_IO_END 0x10000
#define PC_PIRQ_FIRST_GSI 16

/* The ISA IRQs a PC BIOS routes PIRQA-D to (10 and 11 are free of ISA
 * devices on the PC). */
static const uint8_t pc_pirq_isa_irq[PIIX3_NUM_PIRQS] = { 10, 10, 11, 11 };

typedef struct PCPCIState {
    PCMachineState *pcms;
    PCIBus *bus;
    PIIX3State *piix3;
    MemoryRegion hole;
} PCPCIState;

static int pc_pci_map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % PIIX3_NUM_PIRQS;
}

/*
 * Nothing claims an access to the PCI hole: a master abort on the bus,
 * which reads as all ones (PCI 3.0, 3.7.1); writes are dropped. BARs
 * map above this background.
 */
static uint64_t pc_pci_hole_read(void *opaque, hwaddr off, unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void pc_pci_hole_write(void *opaque, hwaddr off, uint64_t val,
                              unsigned size)
{
}

static const MemoryRegionOps pc_pci_hole_ops = {
    .read = pc_pci_hole_read,
    .write = pc_pci_hole_write,
    .min_access = 1,
    .max_access = 8,
    .unaligned = true,
};

/* ---- firmware-style resource assignment --------------------------------- */

typedef struct BarReq {
    PCIDevice *dev;
    int n;
    pcibus_t size;
} BarReq;

static gint bar_req_cmp(gconstpointer a, gconstpointer b)
{
    const BarReq *x = a, *y = b;

    /* Largest first: then every BAR lands naturally aligned with no
     * gaps. Ties in bus order, so the layout is deterministic. */
    if (x->size != y->size) {
        return x->size > y->size ? -1 : 1;
    }
    if (x->dev->devfn != y->dev->devfn) {
        return x->dev->devfn - y->dev->devfn;
    }
    return x->n - y->n;
}

static void assign_bars(GArray *reqs, pcibus_t start, pcibus_t end,
                        const char *what)
{
    pcibus_t cursor = start;

    g_array_sort(reqs, bar_req_cmp);
    for (unsigned i = 0; i < reqs->len; i++) {
        BarReq *r = &g_array_index(reqs, BarReq, i);
        PCIIORegion *reg = &r->dev->io_regions[r->n];
        pcibus_t base = ROUND_UP(cursor, r->size);
        uint32_t off = pci_bar_offset(r->n);

        if (base < cursor || base > end || r->size > end - base) {
            g_autofree char *name = pci_device_describe(r->dev);
            warn_report("PCI: no room in the %s window for BAR %d of %s at "
                        "%02x.%x (%" PRIu64 " bytes); left unassigned", what,
                        r->n, name, PCI_SLOT(r->dev->devfn),
                        PCI_FUNC(r->dev->devfn), (uint64_t)r->size);
            continue;
        }
        pci_config_write(r->dev, off, (uint32_t)base | reg->type, 4);
        if (reg->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            pci_config_write(r->dev, off + 4, base >> 32, 4);
        }
        cursor = base + r->size;
    }
}

/*
 * What a PC BIOS leaves behind, so that guests without resource code of
 * their own (small test guests; Linux keeps it, or reassigns given the
 * ACPI _CRS): PIRQ routes A,B -> IRQ 10, C,D -> IRQ 11; BARs packed into
 * the PCI hole (memory, 64-bit ones included, from pci_hole_start up to
 * the I/O APIC) and from port 0xc000 (I/O); I/O and memory decoding
 * enabled where BARs were assigned (not bus mastering: drivers enable
 * that); Interrupt Line = the ISA IRQ the pin is routed to. Expansion
 * ROM BARs are left unassigned. Runs after the devices' own reset, at
 * every machine reset, so it sees -device devices too.
 */
static void pc_pci_firmware_setup(void *opaque)
{
    PCPCIState *p = opaque;
    g_autoptr(GArray) mem = g_array_new(FALSE, FALSE, sizeof(BarReq));
    g_autoptr(GArray) io = g_array_new(FALSE, FALSE, sizeof(BarReq));

    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        pci_config_write(&p->piix3->parent, PIIX3_PIRQC + i,
                         pc_pirq_isa_irq[i], 1);
    }
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *dev = p->bus->devices[devfn];
        uint8_t pin;

        if (!dev) {
            continue;
        }
        for (int n = 0; n < PCI_NUM_BARS; n++) {
            PCIIORegion *r = &dev->io_regions[n];
            BarReq req = { dev, n, r->size };

            if (!r->memory) {
                continue;
            }
            g_array_append_val(r->type & PCI_BASE_ADDRESS_SPACE_IO ? io : mem,
                               req);
        }
        pin = dev->config[PCI_INTERRUPT_PIN];
        if (pin >= 1 && pin <= PCI_NUM_PINS) {
            int pirq = pc_pci_map_irq(dev, pin - 1);
            int irq = piix3_pirq_route(p->piix3, pirq);
            pci_config_write(dev, PCI_INTERRUPT_LINE, irq < 0 ? 0xff : irq,
                             1);
        }
    }
    assign_bars(mem, p->pcms->pci_hole_start, IOAPIC_BASE, "memory");
    assign_bars(io, PC_PCI_IO_START, PC_PCI_IO_END, "I/O");
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *dev = p->bus->devices[devfn];
        uint16_t cmd;

        if (!dev) {
            continue;
        }
        cmd = pci_get_word(dev->config + PCI_COMMAND);
        for (int n = 0; n < PCI_NUM_BARS; n++) {
            PCIIORegion *r = &dev->io_regions[n];
            uint32_t bar;

            if (!r->memory) {
                continue;
            }
            bar = pci_get_long(dev->config + pci_bar_offset(n));
            if ((r->type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (bar & PCI_BASE_ADDRESS_IO_MASK)) {
                cmd |= PCI_COMMAND_IO;
            } else if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) &&
                       ((bar & PCI_BASE_ADDRESS_MEM_MASK) ||
                        ((r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
                         pci_get_long(dev->config + pci_bar_offset(n) + 4)))) {
                cmd |= PCI_COMMAND_MEMORY;
            }
        }
        pci_config_write(dev, PCI_COMMAND, cmd, 2);
    }
}

/* ---- set-up ------------------------------------------------------------- */

void pc_init_pci(PCMachineState *pcms)
{
    PCPCIState *p = g_new0(PCPCIState, 1);
    ISABus *isa = pcms->isa_bus;
    IRQLine *isa_irqs[ISA_NUM_IRQS];
    DeviceState *host;
    PCIDevice *piix3;

    p->pcms = pcms;
    host = qdev_new(TYPE_I440FX_PCI_HOST);
    qdev_realize_or_die(host, NULL);
    p->bus = i440fx_host_bus(host);
    pcms->pci_bus = p->bus;
    pci_create_simple(p->bus, PCI_DEVFN(0, 0), TYPE_I440FX_PCI_DEVICE);

    piix3 = pci_new(PCI_DEVFN(1, 0), TYPE_PIIX3);
    qdev_prop_set_bit(&piix3->qdev, "multifunction", true);
    qdev_realize_or_die(&piix3->qdev, &p->bus->qbus);
    p->piix3 = (PIIX3State *)piix3;

    /* PIRQA-D: I/O APIC inputs 16-19. */
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        qdev_connect_gpio_out(&piix3->qdev, PIIX3_GPIO_PIRQ(i),
                              pcms->gsi[PC_PIRQ_FIRST_GSI + i]);
    }
    pci_bus_irqs(p->bus, piix3_set_pirq, pc_pci_map_irq, p->piix3,
                 PIIX3_NUM_PIRQS);
    /* The ISA IRQ lines pass through the bridge (for PIRQ steering):
     * whatever the ISA bus drove so far, the bridge now drives. */
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        qdev_connect_gpio_out(&piix3->qdev, PIIX3_GPIO_ISA(i), isa->irqs[i]);
        isa_irqs[i] = qdev_get_gpio_in(&piix3->qdev, PIIX3_GPIO_ISA(i));
    }
    isa_bus_set_irqs(isa, isa_irqs);

    memory_region_init_io(&p->hole, NULL, &pc_pci_hole_ops, p, "pci-hole",
                          IOAPIC_BASE - pcms->pci_hole_start);
    memory_region_add_subregion_overlap(get_system_memory(),
                                        pcms->pci_hole_start, &p->hole,
                                        PCI_BAR_PRIORITY - 1);
    system_register_reset(pc_pci_firmware_setup, p);

    /* The display adapter (-vga std: std-vga at 00:02.0, as on QEMU's
     * PC), and what a Linux kernel is told about it (docs/display.md). */
    if (pcms->ms->vga && !strcmp(pcms->ms->vga, "std")) {
        pci_create_simple(p->bus, PCI_DEVFN(2, 0), TYPE_PCI_VGA);
    }
    x86_boot_set_screen_info_hook(vga_screen_info_hook, NULL);
}
