/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI capability (PCI Local Bus Specification 3.0, 6.8.1).
 *
 * Layout after the ID and next pointer: Message Control (16 bits),
 * Message Address (32), [Message Upper Address (32) if 64-bit capable],
 * Message Data (16), [reserved 16, Mask Bits (32), Pending Bits (32) if
 * per-vector masking capable].
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/pci/msi.h"

static uint16_t msi_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_is_64(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_64BIT;
}

static bool msi_has_mask(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_MASKBIT;
}

static unsigned msi_data_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_is_64(dev) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static unsigned msi_mask_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_is_64(dev) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static unsigned msi_pending_off(const PCIDevice *dev)
{
    return dev->msi_cap +
        (msi_is_64(dev) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

static unsigned msi_cap_size(bool is64, bool mask)
{
    if (mask) {
        return is64 ? PCI_MSI_PENDING_64 + 4 : PCI_MSI_PENDING_32 + 4;
    }
    return is64 ? PCI_MSI_DATA_64 + 2 : PCI_MSI_DATA_32 + 2;
}

bool msi_present(const PCIDevice *dev)
{
    return dev->msi_cap != 0;
}

bool msi_enabled(const PCIDevice *dev)
{
    return msi_present(dev) && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

unsigned msi_nr_vectors_enabled(const PCIDevice *dev)
{
    uint16_t f = msi_flags(dev);
    unsigned mmc = (f & PCI_MSI_FLAGS_QMASK) >> 1;
    unsigned mme = (f & PCI_MSI_FLAGS_QSIZE) >> 4;

    /* Software must not enable more than the function asks for; if it
     * does anyway, the function uses what it asked for. */
    return 1u << MIN(mmc, mme);
}

uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
                 bool msi64bit, bool per_vector_mask, GError **errp)
{
    unsigned size = msi_cap_size(msi64bit, per_vector_mask);
    unsigned log2 = 0;
    uint16_t flags;
    uint8_t pos;

    assert(!dev->msi_cap);
    assert(nr_vectors >= 1 && nr_vectors <= PCI_MSI_VECTORS_MAX &&
           !(nr_vectors & (nr_vectors - 1)));
    while ((1u << log2) < nr_vectors) {
        log2++;
    }
    pos = pci_add_capability(dev, PCI_CAP_ID_MSI, offset, size, errp);
    if (!pos) {
        return 0;
    }
    dev->msi_cap = pos;
    flags = log2 << 1;
    if (msi64bit) {
        flags |= PCI_MSI_FLAGS_64BIT;
    }
    if (per_vector_mask) {
        flags |= PCI_MSI_FLAGS_MASKBIT;
    }
    pci_set_word(dev->config + pos + PCI_MSI_FLAGS, flags);
    /* Enable and Multiple Message Enable are the guest's. */
    pci_set_word(dev->wmask + pos + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    /* The address is dword aligned: bits 1:0 read as zero (6.8.1.4). */
    pci_set_long(dev->wmask + pos + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64bit) {
        pci_set_long(dev->wmask + pos + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(dev->wmask + msi_data_off(dev), 0xffff);
    if (per_vector_mask) {
        /* Only the bits of implemented vectors exist (6.8.1.8). */
        pci_set_long(dev->wmask + msi_mask_off(dev),
                     nr_vectors == 32 ? 0xffffffff : (1u << nr_vectors) - 1);
    }
    return pos;
}

void msi_uninit(PCIDevice *dev)
{
    if (!dev->msi_cap || !dev->config) {
        dev->msi_cap = 0;
        return;
    }
    pci_del_capability(dev, PCI_CAP_ID_MSI,
                       msi_cap_size(msi_is_64(dev), msi_has_mask(dev)));
    dev->msi_cap = 0;
}

bool msi_is_masked(const PCIDevice *dev, unsigned vector)
{
    if (!msi_present(dev) || !msi_has_mask(dev) || vector >= 32) {
        return false;
    }
    return pci_get_long(dev->config + msi_mask_off(dev)) & (1u << vector);
}

bool msi_is_pending(const PCIDevice *dev, unsigned vector)
{
    if (!msi_present(dev) || !msi_has_mask(dev) || vector >= 32) {
        return false;
    }
    return pci_get_long(dev->config + msi_pending_off(dev)) & (1u << vector);
}

static void msi_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    uint8_t *p = dev->config + msi_pending_off(dev);
    uint32_t v = pci_get_long(p);

    pci_set_long(p, pending ? v | (1u << vector) : v & ~(1u << vector));
}

void msi_get_message(const PCIDevice *dev, unsigned vector, uint64_t *addr,
                     uint32_t *data)
{
    const uint8_t *c = dev->config + dev->msi_cap;
    unsigned n = msi_nr_vectors_enabled(dev);
    uint32_t d = pci_get_word(dev->config + msi_data_off(dev));

    *addr = pci_get_long(c + PCI_MSI_ADDRESS_LO);
    if (msi_is_64(dev)) {
        *addr |= (uint64_t)pci_get_long(c + PCI_MSI_ADDRESS_HI) << 32;
    }
    /* With several messages enabled, the function puts the vector in
     * the low bits of the data (6.8.1.6). */
    *data = (d & ~(n - 1)) | (vector & (n - 1));
}

void msi_notify(PCIDevice *dev, unsigned vector)
{
    uint64_t addr;
    uint32_t data;

    if (!msi_enabled(dev)) {
        return;
    }
    if (vector >= msi_nr_vectors_enabled(dev)) {
        ember_log_mask(LOG_GUEST_ERROR, "pci %02x.%x: MSI vector %u not "
                       "enabled (%u enabled)\n", PCI_SLOT(dev->devfn),
                       PCI_FUNC(dev->devfn), vector,
                       msi_nr_vectors_enabled(dev));
        return;
    }
    if (msi_is_masked(dev, vector)) {
        msi_set_pending(dev, vector, true);
        return;
    }
    msi_get_message(dev, vector, &addr, &data);
    pci_send_msi_message(dev, addr, data);
}

void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    uint8_t pos = dev->msi_cap;

    if (!pos || !pci_ranges_overlap(addr, len, pos,
                                    msi_cap_size(msi_is_64(dev),
                                                 msi_has_mask(dev)))) {
        return;
    }
    if (!msi_enabled(dev)) {
        return;
    }
    /* While MSI is enabled the function must not use INTx (6.8.1.3). */
    pci_irq_deassert(dev);
    if (msi_has_mask(dev)) {
        unsigned n = msi_nr_vectors_enabled(dev);
        /* Unmasking a vector with a pending message sends it (6.8.1.8). */
        for (unsigned v = 0; v < n; v++) {
            if (msi_is_pending(dev, v) && !msi_is_masked(dev, v)) {
                msi_set_pending(dev, v, false);
                msi_notify(dev, v);
            }
        }
    }
}

void msi_reset(PCIDevice *dev)
{
    uint8_t *c = dev->config + dev->msi_cap;

    if (!dev->msi_cap) {
        return;
    }
    pci_set_word(c + PCI_MSI_FLAGS, pci_get_word(c + PCI_MSI_FLAGS) &
                 ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
    pci_set_long(c + PCI_MSI_ADDRESS_LO, 0);
    if (msi_is_64(dev)) {
        pci_set_long(c + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(dev->config + msi_data_off(dev), 0);
    if (msi_has_mask(dev)) {
        pci_set_long(dev->config + msi_mask_off(dev), 0);
        pci_set_long(dev->config + msi_pending_off(dev), 0);
    }
}
