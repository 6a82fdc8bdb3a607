/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI-X capability (PCI Local Bus Specification 3.0, 6.8.2).
 *
 * The capability holds Message Control (table size, function mask,
 * enable) and the BAR/offset of the vector table and of the pending bit
 * array. Each table entry (16 bytes) is address low, address high, data
 * and vector control (bit 0: masked). The PBA has one bit per vector,
 * read-only to software.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/pci/msix.h"

static uint16_t msix_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(const PCIDevice *dev)
{
    return dev->msix_cap != 0;
}

bool msix_enabled(const PCIDevice *dev)
{
    return msix_present(dev) && (msix_flags(dev) & PCI_MSIX_FLAGS_ENABLE);
}

bool msix_function_masked(const PCIDevice *dev)
{
    return msix_present(dev) && (msix_flags(dev) & PCI_MSIX_FLAGS_MASKALL);
}

static uint8_t *msix_entry(const PCIDevice *dev, unsigned vector)
{
    return dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(const PCIDevice *dev, unsigned vector)
{
    return pci_get_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_CTRL) &
        PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(const PCIDevice *dev, unsigned vector)
{
    if (!msix_present(dev) || vector >= dev->msix_entries) {
        return true;
    }
    return msix_function_masked(dev) || msix_vector_masked(dev, vector);
}

bool msix_is_pending(const PCIDevice *dev, unsigned vector)
{
    if (!msix_present(dev) || vector >= dev->msix_entries) {
        return false;
    }
    return dev->msix_pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    if (pending) {
        dev->msix_pba[vector / 8] |= 1u << (vector % 8);
    } else {
        dev->msix_pba[vector / 8] &= ~(1u << (vector % 8));
    }
}

void msix_get_message(const PCIDevice *dev, unsigned vector, uint64_t *addr,
                      uint32_t *data)
{
    const uint8_t *e = msix_entry(dev, vector);

    *addr = pci_get_quad(e + PCI_MSIX_ENTRY_ADDR_LO);
    *data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
}

static void msix_send(PCIDevice *dev, unsigned vector)
{
    uint64_t addr;
    uint32_t data;

    msix_get_message(dev, vector, &addr, &data);
    pci_send_msi_message(dev, addr, data);
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev)) {
        return;
    }
    if (vector >= dev->msix_entries) {
        ember_log_mask(LOG_GUEST_ERROR, "pci %02x.%x: MSI-X vector %u out of "
                       "range (%u vectors)\n", PCI_SLOT(dev->devfn),
                       PCI_FUNC(dev->devfn), vector, dev->msix_entries);
        return;
    }
    /* A masked vector's message waits in the PBA (6.8.2.9). */
    if (msix_is_masked(dev, vector)) {
        msix_set_pending(dev, vector, true);
        return;
    }
    msix_send(dev, vector);
}

/* Send what became deliverable: pending and no longer masked. */
static void msix_fire_unmasked_pending(PCIDevice *dev, unsigned first,
                                       unsigned count)
{
    if (!msix_enabled(dev) || msix_function_masked(dev)) {
        return;
    }
    for (unsigned v = first; v < first + count && v < dev->msix_entries;
         v++) {
        if (msix_is_pending(dev, v) && !msix_vector_masked(dev, v)) {
            msix_set_pending(dev, v, false);
            msix_send(dev, v);
        }
    }
}

/* ---- the table and the PBA in the BARs ---------------------------------- */

static uint64_t msix_table_read(void *opaque, hwaddr off, unsigned size)
{
    PCIDevice *dev = opaque;
    uint64_t limit = (uint64_t)dev->msix_entries * PCI_MSIX_ENTRY_SIZE;

    if (off >= limit || size > limit - off) {
        return 0;
    }
    return ldn_le_p(dev->msix_table + off, size);
}

static void msix_table_write(void *opaque, hwaddr off, uint64_t val,
                             unsigned size)
{
    PCIDevice *dev = opaque;
    uint64_t limit = (uint64_t)dev->msix_entries * PCI_MSIX_ENTRY_SIZE;
    unsigned vector = off / PCI_MSIX_ENTRY_SIZE;
    bool was_masked;

    if (off >= limit || size > limit - off) {
        return;
    }
    was_masked = msix_vector_masked(dev, vector);
    stn_le_p(dev->msix_table + off, size, val);
    /* Only bit 0 of Vector Control is defined; the rest reads 0. */
    pci_set_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_CTRL,
                 pci_get_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_CTRL) &
                 PCI_MSIX_ENTRY_CTRL_MASKBIT);
    if (was_masked && !msix_vector_masked(dev, vector)) {
        msix_fire_unmasked_pending(dev, vector, 1);
    }
}

/* Software accesses the table with aligned dwords or qwords (6.8.2);
 * smaller accesses are served too, byte-exact. */
static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .min_access = 1,
    .max_access = 4,
};

static uint64_t msix_pba_read(void *opaque, hwaddr off, unsigned size)
{
    PCIDevice *dev = opaque;
    uint64_t limit = memory_region_size(&dev->msix_pba_mmio);

    if (off >= limit || size > limit - off) {
        return 0;
    }
    return ldn_le_p(dev->msix_pba + off, size);
}

static void msix_pba_write(void *opaque, hwaddr off, uint64_t val,
                           unsigned size)
{
    /* Read-only (6.8.2.10). */
    ember_log_mask(LOG_GUEST_ERROR, "msix: write to the pending bit array "
                   "ignored\n");
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- set-up ------------------------------------------------------------- */

static unsigned msix_pba_size(unsigned nentries)
{
    /* Whole qwords (6.8.2.10). */
    return DIV_ROUND_UP(nentries, 64) * 8;
}

uint8_t msix_init(PCIDevice *dev, unsigned nentries,
                  MemoryRegion *table_bar, uint8_t table_bar_nr,
                  uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  GError **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    unsigned pba_size = msix_pba_size(nentries);
    uint8_t pos;

    assert(!dev->msix_cap);
    if (nentries < 1 || nentries > PCI_MSIX_VECTORS_MAX ||
        table_bar_nr >= PCI_NUM_BARS || pba_bar_nr >= PCI_NUM_BARS ||
        (table_offset & 7) || (pba_offset & 7) ||
        table_offset + table_size > memory_region_size(table_bar) ||
        pba_offset + pba_size > memory_region_size(pba_bar) ||
        (table_bar == pba_bar &&
         pci_ranges_overlap(table_offset, table_size, pba_offset,
                            pba_size))) {
        error_setg(errp, "MSI-X: bad table/PBA layout for %u vectors",
                   nentries);
        return 0;
    }
    pos = pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos,
                             PCI_MSIX_CAP_SIZE, errp);
    if (!pos) {
        return 0;
    }
    dev->msix_cap = pos;
    dev->msix_entries = nentries;
    dev->msix_table = g_malloc0(table_size);
    dev->msix_pba = g_malloc0(pba_size);
    pci_set_word(dev->config + pos + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_word(dev->wmask + pos + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_set_long(dev->config + pos + PCI_MSIX_TABLE,
                 table_offset | table_bar_nr);
    pci_set_long(dev->config + pos + PCI_MSIX_PBA, pba_offset | pba_bar_nr);

    memory_region_init_io(&dev->msix_table_mmio, dev, &msix_table_ops, dev,
                          "msix-table", table_size);
    memory_region_add_subregion(table_bar, table_offset,
                                &dev->msix_table_mmio);
    memory_region_init_io(&dev->msix_pba_mmio, dev, &msix_pba_ops, dev,
                          "msix-pba", pba_size);
    memory_region_add_subregion(pba_bar, pba_offset, &dev->msix_pba_mmio);
    msix_reset(dev);
    return pos;
}

uint8_t msix_init_exclusive_bar(PCIDevice *dev, unsigned nentries,
                                uint8_t bar_nr, GError **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t bar_size = 4096;
    MemoryRegion *bar;
    uint8_t pos;

    /* Table and PBA may share a naturally aligned 4 KiB page (6.8.2). */
    while (bar_size < table_size + msix_pba_size(nentries)) {
        bar_size <<= 1;
    }
    bar = g_new0(MemoryRegion, 1);
    memory_region_init(bar, dev, "msix", bar_size);
    pos = msix_init(dev, nentries, bar, bar_nr, 0, bar, bar_nr,
                    ROUND_UP(table_size, 8), 0, errp);
    if (!pos) {
        memory_region_finalize(bar);
        g_free(bar);
        return 0;
    }
    dev->msix_exclusive_bar = bar;
    pci_register_bar(dev, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32, bar);
    return pos;
}

void msix_uninit(PCIDevice *dev)
{
    if (!dev->msix_cap) {
        return;
    }
    if (dev->config) {
        pci_del_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
    }
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    if (dev->msix_exclusive_bar) {
        memory_region_finalize(dev->msix_exclusive_bar);
        g_clear_pointer(&dev->msix_exclusive_bar, g_free);
    }
    g_clear_pointer(&dev->msix_table, g_free);
    g_clear_pointer(&dev->msix_pba, g_free);
    dev->msix_cap = 0;
    dev->msix_entries = 0;
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len)
{
    uint8_t pos = dev->msix_cap;

    if (!pos || !pci_ranges_overlap(addr, len, pos + PCI_MSIX_FLAGS, 2)) {
        return;
    }
    if (!msix_enabled(dev)) {
        return;
    }
    /* While MSI-X is enabled the function must not use INTx (6.8.2). */
    pci_irq_deassert(dev);
    /* Clearing the function mask (or enabling) releases what waited. */
    msix_fire_unmasked_pending(dev, 0, dev->msix_entries);
}

void msix_reset(PCIDevice *dev)
{
    if (!dev->msix_cap) {
        return;
    }
    pci_set_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS,
                 pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS) &
                 ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    memset(dev->msix_table, 0,
           (size_t)dev->msix_entries * PCI_MSIX_ENTRY_SIZE);
    /* Every vector starts masked (6.8.2.9). */
    for (unsigned v = 0; v < dev->msix_entries; v++) {
        pci_set_long(msix_entry(dev, v) + PCI_MSIX_ENTRY_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    memset(dev->msix_pba, 0, msix_pba_size(dev->msix_entries));
}
