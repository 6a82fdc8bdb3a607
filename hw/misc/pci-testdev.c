/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci-testdev: a PCI device whose registers let a test (or a guest)
 * raise INTx, send MSI and MSI-X messages and do DMA, through a memory
 * BAR and an I/O BAR. Register map in include/hw/misc/pci-testdev.h.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/misc/pci-testdev.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"

typedef struct PCITestDevState {
    PCIDevice parent;
    /* Properties. */
    uint32_t msi_vectors;
    uint32_t msix_vectors;
    bool msi64;
    bool msi_mask;
    uint8_t intx_pin;
    uint64_t bar64_size;
    uint64_t rom_size;

    MemoryRegion mmio;
    MemoryRegion io;
    MemoryRegion ram;
    MemoryRegion rom;
    uint32_t scratch;
    uint64_t dma_addr;
    uint32_t dma_status;
    uint32_t irq_count;
    bool busy;                  /* in a register access (re-entry guard) */
} PCITestDevState;

static void testdev_log(PCITestDevState *s, const char *what, uint32_t v)
{
    ember_log_mask(LOG_GUEST_ERROR, "pci-testdev %02x.%x: %s (%u)\n",
                   PCI_SLOT(s->parent.devfn), PCI_FUNC(s->parent.devfn), what,
                   v);
}

static void testdev_dma(PCITestDevState *s, uint32_t cmd)
{
    PCIDevice *d = &s->parent;
    uint8_t buf[4];

    switch (cmd) {
    case PCI_TESTDEV_DMA_WRITE:
        stl_le_p(buf, s->scratch);
        s->dma_status = pci_dma_write(d, s->dma_addr, buf, 4);
        break;
    case PCI_TESTDEV_DMA_READ:
        s->dma_status = pci_dma_read(d, s->dma_addr, buf, 4);
        if (s->dma_status) {
            s->scratch = ldl_le_p(buf);
        }
        break;
    default:
        testdev_log(s, "unknown DMA command", cmd);
        s->dma_status = 0;
        break;
    }
}

static uint32_t testdev_reg_read(PCITestDevState *s, hwaddr reg)
{
    switch (reg) {
    case PCI_TESTDEV_ID:
        return PCI_TESTDEV_MAGIC;
    case PCI_TESTDEV_SCRATCH:
        return s->scratch;
    case PCI_TESTDEV_INTX:
        return s->parent.irq_state;
    case PCI_TESTDEV_DMA_LO:
        return (uint32_t)s->dma_addr;
    case PCI_TESTDEV_DMA_HI:
        return s->dma_addr >> 32;
    case PCI_TESTDEV_DMA_STATUS:
        return s->dma_status;
    case PCI_TESTDEV_IRQ_COUNT:
        return s->irq_count;
    default:
        return 0;
    }
}

static void testdev_reg_write(PCITestDevState *s, hwaddr reg, uint32_t v)
{
    PCIDevice *d = &s->parent;

    switch (reg) {
    case PCI_TESTDEV_SCRATCH:
        s->scratch = v;
        break;
    case PCI_TESTDEV_INTX:
        if (!d->config[PCI_INTERRUPT_PIN]) {
            testdev_log(s, "INTx requested but intx-pin=0", v);
            break;
        }
        if (v && !d->irq_state) {
            s->irq_count++;
        }
        pci_set_irq(d, v != 0);
        break;
    case PCI_TESTDEV_MSI:
        if (!msi_enabled(d)) {
            testdev_log(s, "MSI requested while disabled", v);
            break;
        }
        s->irq_count++;
        msi_notify(d, v);
        break;
    case PCI_TESTDEV_MSIX:
        if (!msix_enabled(d)) {
            testdev_log(s, "MSI-X requested while disabled", v);
            break;
        }
        s->irq_count++;
        msix_notify(d, v);
        break;
    case PCI_TESTDEV_DMA_LO:
        s->dma_addr = deposit64(s->dma_addr, 0, 32, v);
        break;
    case PCI_TESTDEV_DMA_HI:
        s->dma_addr = deposit64(s->dma_addr, 32, 32, v);
        break;
    case PCI_TESTDEV_DMA_CMD:
        testdev_dma(s, v);
        break;
    default:
        break;
    }
}

/* Byte and word accesses reach the dword register that holds them:
 * reads extract, writes to SCRATCH merge, other partial writes are
 * ignored (commands are dwords). */
static uint64_t testdev_read(void *opaque, hwaddr off, unsigned size)
{
    PCITestDevState *s = opaque;
    uint32_t v;

    if (off >= PCI_TESTDEV_REGS_SIZE) {
        return 0;
    }
    v = testdev_reg_read(s, off & ~3);
    return extract32(v, (off & 3) * 8, size * 8);
}

static void testdev_write(void *opaque, hwaddr off, uint64_t val,
                          unsigned size)
{
    PCITestDevState *s = opaque;
    hwaddr reg = off & ~3;

    if (off >= PCI_TESTDEV_REGS_SIZE) {
        return;
    }
    /* Our own DMA or message, aimed back at our registers: ignore it
     * rather than start another one from inside the first. */
    if (s->busy) {
        testdev_log(s, "register write from the device's own DMA or MSI "
                    "ignored", (unsigned)off);
        return;
    }
    s->busy = true;
    if (size == 4) {
        testdev_reg_write(s, reg, val);
    } else if (reg == PCI_TESTDEV_SCRATCH) {
        s->scratch = deposit32(s->scratch, (off & 3) * 8, size * 8, val);
    } else {
        testdev_log(s, "partial write to a command register ignored",
                    (unsigned)off);
    }
    s->busy = false;
}

static const MemoryRegionOps testdev_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .min_access = 1,
    .max_access = 4,
};

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static bool testdev_realize(PCIDevice *d, GError **errp)
{
    PCITestDevState *s = (PCITestDevState *)d;

    if (s->msi_vectors && (!is_pow2(s->msi_vectors) ||
                           s->msi_vectors > PCI_MSI_VECTORS_MAX)) {
        error_setg(errp, "pci-testdev: msi-vectors must be 0 or a power of "
                   "two up to 32, not %u", s->msi_vectors);
        return false;
    }
    if (s->msix_vectors > 256) {
        error_setg(errp, "pci-testdev: msix-vectors must be at most 256, "
                   "not %u", s->msix_vectors);
        return false;
    }
    if (s->intx_pin > PCI_NUM_PINS) {
        error_setg(errp, "pci-testdev: intx-pin must be 0 (none) or 1-4 "
                   "(INTA-INTD), not %u", s->intx_pin);
        return false;
    }
    if (!is_pow2(s->bar64_size) || s->bar64_size < 4 * KiB ||
        s->bar64_size > 1 * GiB) {
        error_setg(errp, "pci-testdev: bar64-size must be a power of two "
                   "from 4K to 1G");
        return false;
    }
    if (s->rom_size && (!is_pow2(s->rom_size) || s->rom_size < 2 * KiB ||
                        s->rom_size > 1 * MiB)) {
        error_setg(errp, "pci-testdev: rom-size must be 0 or a power of two "
                   "from 2K to 1M");
        return false;
    }
    d->config[PCI_INTERRUPT_PIN] = s->intx_pin;

    memory_region_init_io(&s->mmio, d, &testdev_ops, s, "pci-testdev-mmio",
                          4 * KiB);
    pci_register_bar(d, PCI_TESTDEV_BAR_MMIO, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32, &s->mmio);
    memory_region_init_io(&s->io, d, &testdev_ops, s, "pci-testdev-io",
                          PCI_TESTDEV_REGS_SIZE);
    pci_register_bar(d, PCI_TESTDEV_BAR_IO, PCI_BASE_ADDRESS_SPACE_IO,
                     &s->io);
    if (!memory_region_init_ram(&s->ram, d, "pci-testdev-ram",
                                s->bar64_size, errp)) {
        memory_region_finalize(&s->mmio);
        memory_region_finalize(&s->io);
        return false;
    }
    pci_register_bar(d, PCI_TESTDEV_BAR_RAM, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->ram);
    if (s->rom_size) {
        uint8_t *p;

        if (!memory_region_init_rom(&s->rom, d, "pci-testdev-rom",
                                    s->rom_size, errp)) {
            goto fail;
        }
        /* An option ROM header (PCI Firmware Specification): 55 AA
         * and the length in 512-byte units; then a known pattern. */
        p = memory_region_get_ram_ptr(&s->rom);
        for (uint64_t i = 0; i < s->rom_size; i++) {
            p[i] = i ^ PCI_TESTDEV_ROM_PATTERN;
        }
        p[0] = 0x55;
        p[1] = 0xaa;
        p[2] = MIN(s->rom_size / 512, 255);
        pci_register_bar(d, PCI_ROM_SLOT, 0, &s->rom);
    }
    if (s->msix_vectors &&
        !msix_init_exclusive_bar(d, s->msix_vectors, PCI_TESTDEV_BAR_MSIX,
                                 errp)) {
        goto fail;
    }
    if (s->msi_vectors &&
        !msi_init(d, 0, s->msi_vectors, s->msi64, s->msi_mask, errp)) {
        msix_uninit(d);
        goto fail;
    }
    return true;

fail:
    memory_region_finalize(&s->mmio);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->ram);
    if (s->rom_size && s->rom.name) {
        memory_region_finalize(&s->rom);
    }
    return false;
}

static void testdev_exit(PCIDevice *d)
{
    PCITestDevState *s = (PCITestDevState *)d;

    memory_region_finalize(&s->mmio);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->ram);
    if (s->rom_size) {
        memory_region_finalize(&s->rom);
    }
}

static void testdev_reset(PCIDevice *d)
{
    PCITestDevState *s = (PCITestDevState *)d;

    s->scratch = 0;
    s->dma_addr = 0;
    s->dma_status = 0;
    s->irq_count = 0;
}

static const Property testdev_props[] = {
    DEFINE_PROP("msi-vectors", PCITestDevState, msi_vectors, prop_info_uint32,
                uint32_t, .defval.u = 4,
                .desc = "MSI vectors: 0 (no MSI), 1, 2, 4, 8, 16 or 32"),
    DEFINE_PROP("msix-vectors", PCITestDevState, msix_vectors,
                prop_info_uint32, uint32_t, .defval.u = 8,
                .desc = "MSI-X vectors: 0 (no MSI-X) to 256"),
    DEFINE_PROP("msi64", PCITestDevState, msi64, prop_info_bool, bool,
                .defval.u = true, .desc = "64-bit MSI addresses"),
    DEFINE_PROP("msi-mask", PCITestDevState, msi_mask, prop_info_bool, bool,
                .defval.u = true, .desc = "MSI per-vector masking"),
    DEFINE_PROP("intx-pin", PCITestDevState, intx_pin, prop_info_uint8,
                uint8_t, .defval.u = 1,
                .desc = "interrupt pin: 1-4 (INTA-INTD), 0 for none"),
    DEFINE_PROP("bar64-size", PCITestDevState, bar64_size, prop_info_size,
                uint64_t, .defval.u = 64 * KiB,
                .desc = "size of the 64-bit RAM BAR 2 (4K-1G, power of 2)"),
    DEFINE_PROP("rom-size", PCITestDevState, rom_size, prop_info_size,
                uint64_t, .defval.u = 0,
                .desc = "expansion ROM size (0: none; 2K-1M, power of 2)"),
    DEFINE_PROP_END,
};

static const PCIDeviceInfo testdev_pci_info = {
    .vendor_id = PCI_TESTDEV_VENDOR_ID,
    .device_id = PCI_TESTDEV_DEVICE_ID,
    .subsystem_vendor_id = PCI_TESTDEV_VENDOR_ID,
    .subsystem_id = 0x0001,
    .class_id = PCI_CLASS_OTHERS,
    .revision = 1,
    .interrupt_pin = 1,
    .realize = testdev_realize,
    .exit = testdev_exit,
    .reset = testdev_reset,
};

static const DeviceInfo testdev_info = {
    .name = TYPE_PCI_TESTDEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCITestDevState),
    .desc = "PCI test device (INTx, MSI, MSI-X, DMA)",
    .user_creatable = true,
    .props = testdev_props,
    .class_data = &testdev_pci_info,
};

static void testdev_register_types(void)
{
    type_register(&testdev_info);
}
type_init(testdev_register_types)
