/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "pci-testdev": Ember's PCI test device (vendor 0x1234, device 0xe001,
 * class 0xff00 "unassigned"), the example PCI device and the target of
 * the PCI tests. See docs/pci.md.
 *
 * BAR0  4 KiB 32-bit memory: the registers below
 * BAR1  64 bytes of I/O: the same registers
 * BAR2  64-bit prefetchable memory, RAM ("bar64-size", default 64 KiB)
 * BAR4  32-bit memory, 4 KiB: MSI-X table at 0, PBA at 16 * vectors
 * Capabilities: MSI ("msi-vectors", 64-bit, per-vector masking), MSI-X
 * ("msix-vectors"). Interrupt pin: "intx-pin" (1 = INTA .. 4 = INTD).
 * Expansion ROM ("rom-size", default none): 55 AA, the size in 512-byte
 * units, then byte i = i ^ PCI_TESTDEV_ROM_PATTERN.
 *
 * Registers (32 bits, little-endian):
 */
#ifndef HW_MISC_PCI_TESTDEV_H
#define HW_MISC_PCI_TESTDEV_H

#define TYPE_PCI_TESTDEV "pci-testdev"
#define PCI_TESTDEV_VENDOR_ID 0x1234
#define PCI_TESTDEV_DEVICE_ID 0xe001

#define PCI_TESTDEV_REGS_SIZE 0x40
#define PCI_TESTDEV_ID          0x00    /* RO: PCI_TESTDEV_MAGIC */
#define PCI_TESTDEV_SCRATCH     0x04    /* RW */
#define PCI_TESTDEV_INTX        0x08    /* W: 1 assert, 0 deassert; R: level */
#define PCI_TESTDEV_MSI         0x0c    /* W: send MSI vector n */
#define PCI_TESTDEV_MSIX        0x10    /* W: send MSI-X vector n */
#define PCI_TESTDEV_DMA_LO      0x14    /* RW: DMA guest address, low */
#define PCI_TESTDEV_DMA_HI      0x18    /* RW: DMA guest address, high */
#define PCI_TESTDEV_DMA_CMD     0x1c    /* W: 1 write SCRATCH to memory,
                                         *    2 read memory into SCRATCH */
#define PCI_TESTDEV_DMA_STATUS  0x20    /* R: 1 last DMA done, 0 refused */
#define PCI_TESTDEV_IRQ_COUNT   0x24    /* R: messages and INTx assertions
                                         * requested so far */

#define PCI_TESTDEV_MAGIC 0x54424d45    /* "EMBT" as bytes */
#define PCI_TESTDEV_DMA_WRITE 1
#define PCI_TESTDEV_DMA_READ 2

#define PCI_TESTDEV_BAR_MMIO 0
#define PCI_TESTDEV_BAR_IO 1
#define PCI_TESTDEV_BAR_RAM 2
#define PCI_TESTDEV_BAR_MSIX 4

#define PCI_TESTDEV_ROM_PATTERN 0xa5

#endif
