/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI-X capability (PCI Local Bus Specification 3.0, 6.8.2): a table of
 * per-vector address/data/mask entries and a pending bit array, both in
 * memory BARs of the device.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_MSIX_VECTORS_MAX 2048

/*
 * Add an MSI-X capability (at cap_pos, 0: anywhere) with nentries
 * vectors. The table is mapped at table_offset inside table_bar (the
 * region registered, or to be registered, as BAR table_bar_nr), the PBA
 * at pba_offset inside pba_bar. Offsets must be 8-byte aligned and the
 * structures must fit in their BARs. Returns the capability offset or 0
 * with errp set.
 */
uint8_t msix_init(PCIDevice *dev, unsigned nentries,
                  MemoryRegion *table_bar, uint8_t table_bar_nr,
                  uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  GError **errp);
/*
 * The common case: a 32-bit memory BAR bar_nr of its own (at least
 * 4 KiB) holding the table at 0 and the PBA right after it.
 */
uint8_t msix_init_exclusive_bar(PCIDevice *dev, unsigned nentries,
                                uint8_t bar_nr, GError **errp);
/* Undo msix_init / msix_init_exclusive_bar (BARs must be unmapped). */
void msix_uninit(PCIDevice *dev);

bool msix_present(const PCIDevice *dev);
bool msix_enabled(const PCIDevice *dev);
bool msix_function_masked(const PCIDevice *dev);
bool msix_is_masked(const PCIDevice *dev, unsigned vector);
bool msix_is_pending(const PCIDevice *dev, unsigned vector);
/*
 * Signal vector: send its message, or set its pending bit while the
 * vector or the function is masked (sent when unmasked). Ignored while
 * MSI-X is disabled; out-of-range vectors are logged and dropped.
 */
void msix_notify(PCIDevice *dev, unsigned vector);
void msix_get_message(const PCIDevice *dev, unsigned vector, uint64_t *addr,
                      uint32_t *data);
/* Called by pci_default_write_config after every write. */
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len);
/* Called by the core's reset: all vectors masked, nothing pending. */
void msix_reset(PCIDevice *dev);

#endif
