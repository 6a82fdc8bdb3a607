/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI capability (PCI Local Bus Specification 3.0, 6.8.1).
 *
 * A device calls msi_init from its realize; the core's default config
 * write forwards writes to msi_write_config; the device signals with
 * msi_notify(dev, vector) while msi_enabled(dev), INTx otherwise.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

#define PCI_MSI_VECTORS_MAX 32

/*
 * Add an MSI capability at offset (0: anywhere) with nr_vectors (1, 2,
 * 4, 8, 16 or 32) messages, 64-bit addressing and per-vector masking if
 * asked. Returns the capability offset or 0 with errp set.
 */
uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
                 bool msi64bit, bool per_vector_mask, GError **errp);
void msi_uninit(PCIDevice *dev);
bool msi_present(const PCIDevice *dev);
bool msi_enabled(const PCIDevice *dev);
/* Vectors the guest enabled (Multiple Message Enable, clamped). */
unsigned msi_nr_vectors_enabled(const PCIDevice *dev);
bool msi_is_masked(const PCIDevice *dev, unsigned vector);
bool msi_is_pending(const PCIDevice *dev, unsigned vector);
/*
 * Signal vector: send the message now, or set its pending bit if it is
 * masked (sent when unmasked). Out-of-range vectors are logged and
 * dropped.
 */
void msi_notify(PCIDevice *dev, unsigned vector);
/* The message that vector would send. */
void msi_get_message(const PCIDevice *dev, unsigned vector, uint64_t *addr,
                     uint32_t *data);
/* Called by pci_default_write_config after every write. */
void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);
/* Called by the core's reset. */
void msi_reset(PCIDevice *dev);

#endif
