/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i440FX PCI host.
 *
 * "i440FX-pcihost" is the host side: it owns the bus "pci.0" and the
 * configuration mechanism #1 ports (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2). "i440FX" is the 82441FX PMC as it appears on the bus at
 * 00:00.0 (Intel 440FX PCIset datasheet, PMC configuration registers).
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "hw/pci-host/i440fx.h"
#include "system/runstate.h"

#define CONFIG_ADDRESS_ENABLE 0x80000000u
/* Bits 30:24 are reserved and 1:0 select type 0/1 cycles: both read 0. */
#define CONFIG_ADDRESS_MASK 0x80fffffcu

PCIBus *i440fx_host_bus(DeviceState *host)
{
    assert(qdev_is_a(host, TYPE_I440FX_PCI_HOST) && host->realized);
    return &((I440FXHostState *)host)->bus;
}

/*
 * Reset control at 0xcf9 (the "RC" register of the PIIX3 / "TRC" of the
 * 82441FX): bit 1 chooses a hard reset, writing bit 2 starts the reset.
 * Ember has no soft (INIT-only) reset: both reset the machine.
 */
static void i440fx_reset_control_write(I440FXHostState *s, uint8_t val)
{
    s->reset_control = val & 0x0b;
    if (val & 0x04) {
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static uint64_t i440fx_conf_read(void *opaque, hwaddr off, unsigned size)
{
    I440FXHostState *s = opaque;

    /* Only dword accesses reach CONFIG_ADDRESS (3.2.2.3.2); other sizes
     * are ordinary I/O cycles, of which only 0xcf9 is claimed. */
    if (off == 0 && size == 4) {
        return s->config_address;
    }
    if (off == 1 && size == 1) {
        return s->reset_control;
    }
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static void i440fx_conf_write(void *opaque, hwaddr off, uint64_t val,
                              unsigned size)
{
    I440FXHostState *s = opaque;

    if (off == 0 && size == 4) {
        s->config_address = val & CONFIG_ADDRESS_MASK;
    } else if (off == 1 && size == 1) {
        i440fx_reset_control_write(s, val);
    } else {
        ember_log_mask(LOG_GUEST_ERROR, "i440fx: %u-byte write to port "
                       "0x%x ignored\n", size,
                       (unsigned)(I440FX_CONFIG_ADDRESS + off));
    }
}

static const MemoryRegionOps i440fx_conf_ops = {
    .read = i440fx_conf_read,
    .write = i440fx_conf_write,
    .min_access = 1,
    .max_access = 4,
};

/*
 * The function CONFIG_ADDRESS selects, or -1 if the data port is not a
 * configuration access (enable bit clear) or addresses a bus that does
 * not exist (only bus 0 does: there are no PCI-to-PCI bridges).
 */
static int i440fx_selected_devfn(I440FXHostState *s)
{
    if (!(s->config_address & CONFIG_ADDRESS_ENABLE) ||
        ((s->config_address >> 16) & 0xff) != 0) {
        return -1;
    }
    return (s->config_address >> 8) & 0xff;
}

static uint64_t i440fx_data_read(void *opaque, hwaddr off, unsigned size)
{
    I440FXHostState *s = opaque;
    int devfn = i440fx_selected_devfn(s);

    if (devfn < 0) {
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    }
    return pci_bus_config_read(&s->bus, devfn,
                               (s->config_address & 0xfc) | off, size);
}

static void i440fx_data_write(void *opaque, hwaddr off, uint64_t val,
                              unsigned size)
{
    I440FXHostState *s = opaque;
    int devfn = i440fx_selected_devfn(s);

    if (devfn >= 0) {
        pci_bus_config_write(&s->bus, devfn,
                             (s->config_address & 0xfc) | off, val, size);
    }
}

/* Byte, word and dword accesses; the memory API splits unaligned ones
 * into aligned pieces, so an access never leaves the dword. */
static const MemoryRegionOps i440fx_data_ops = {
    .read = i440fx_data_read,
    .write = i440fx_data_write,
    .min_access = 1,
    .max_access = 4,
};

static bool i440fx_host_realize(DeviceState *dev, GError **errp)
{
    I440FXHostState *s = (I440FXHostState *)dev;

    pci_bus_init(&s->bus, dev, "pci.0", get_system_memory(),
                 get_system_io());
    memory_region_init_io(&s->conf_mr, dev, &i440fx_conf_ops, s,
                          "pci-conf-idx", 4);
    memory_region_add_subregion(get_system_io(), I440FX_CONFIG_ADDRESS,
                                &s->conf_mr);
    memory_region_init_io(&s->data_mr, dev, &i440fx_data_ops, s,
                          "pci-conf-data", 4);
    memory_region_add_subregion(get_system_io(), I440FX_CONFIG_DATA,
                                &s->data_mr);
    return true;
}

static void i440fx_host_unrealize(DeviceState *dev)
{
    I440FXHostState *s = (I440FXHostState *)dev;

    memory_region_finalize(&s->conf_mr);
    memory_region_finalize(&s->data_mr);
    pci_bus_cleanup(&s->bus);
}

static void i440fx_host_reset(DeviceState *dev)
{
    I440FXHostState *s = (I440FXHostState *)dev;

    s->config_address = 0;
    s->reset_control = 0;
}

static const DeviceInfo i440fx_host_info = {
    .name = TYPE_I440FX_PCI_HOST,
    .parent = "device",
    .instance_size = sizeof(I440FXHostState),
    .desc = "i440FX PCI host (configuration ports, bus pci.0)",
    .realize = i440fx_host_realize,
    .unrealize = i440fx_host_unrealize,
    .reset = i440fx_host_reset,
};

/* ---- 00:00.0, the PMC --------------------------------------------------- */

/*
 * Chipset registers software may program (82441FX PMC configuration
 * space): PMCCFG .. DRAMT (0x50-0x58), PAM0-6 (0x59-0x5f), DRB0-7
 * (0x60-0x67), FDHC (0x68), MTT/CLT (0x70-0x71), SMRAM (0x72). They read
 * back what was written; Ember's memory map does not depend on them
 * (there is no firmware to shadow: the BIOS area is a fixed ROM).
 */
static const struct {
    uint8_t start, len;
} i440fx_rw_regs[] = {
    { 0x50, 0x18 },     /* 0x50-0x67 */
    { 0x68, 1 },
    { 0x70, 3 },
};

static bool i440fx_pmc_realize(PCIDevice *dev, GError **errp)
{
    for (unsigned i = 0; i < ARRAY_SIZE(i440fx_rw_regs); i++) {
        memset(dev->wmask + i440fx_rw_regs[i].start, 0xff,
               i440fx_rw_regs[i].len);
    }
    /* The host bridge does not decode BARs or interrupt. */
    dev->wmask[PCI_INTERRUPT_LINE] = 0;
    return true;
}

static void i440fx_pmc_reset(PCIDevice *dev)
{
    for (unsigned i = 0; i < ARRAY_SIZE(i440fx_rw_regs); i++) {
        memset(dev->config + i440fx_rw_regs[i].start, 0,
               i440fx_rw_regs[i].len);
    }
    dev->config[0x72] = 0x02;   /* SMRAM: C_BASE_SEG = 010b */
    /* The memory controller is always enabled. */
    pci_set_word(dev->config + PCI_COMMAND,
                 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static const PCIDeviceInfo i440fx_pci_info = {
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82441,
    .revision = 0x02,
    .class_id = PCI_CLASS_BRIDGE_HOST,
    .realize = i440fx_pmc_realize,
    .reset = i440fx_pmc_reset,
};

static const DeviceInfo i440fx_pci_device_info = {
    .name = TYPE_I440FX_PCI_DEVICE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .desc = "i440FX host bridge (82441FX PMC), 00:00.0",
    .class_data = &i440fx_pci_info,
};

static void i440fx_register_types(void)
{
    type_register(&i440fx_host_info);
    type_register(&i440fx_pci_device_info);
}
type_init(i440fx_register_types)
