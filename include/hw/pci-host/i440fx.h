/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i440FX PCI host: the 82441FX PMC as PCI function 00:00.0
 * ("i440FX", 8086:1237) and, on the host side, the configuration
 * mechanism #1 ports and the PCI bus "pci.0" ("i440FX-pcihost").
 *
 * Ports (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 *   0xcf8  CONFIG_ADDRESS, dword accesses only: bit 31 enable,
 *          23:16 bus, 15:11 device, 10:8 function, 7:2 register
 *   0xcfc  CONFIG_DATA, byte/word/dword at 0xcfc-0xcff
 *   0xcf9  reset control (byte): writing bit 2 (with bit 1 for a hard
 *          reset) resets the machine, as Linux's reboot=pci does
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci.h"

#define TYPE_I440FX_PCI_HOST "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"

#define PCI_VENDOR_ID_INTEL 0x8086
#define PCI_DEVICE_ID_INTEL_82441 0x1237

#define I440FX_CONFIG_ADDRESS 0xcf8
#define I440FX_CONFIG_DATA 0xcfc
#define I440FX_RESET_CONTROL 0xcf9

typedef struct I440FXHostState {
    DeviceState parent;
    PCIBus bus;                 /* "pci.0" */
    MemoryRegion conf_mr;       /* 0xcf8-0xcfb */
    MemoryRegion data_mr;       /* 0xcfc-0xcff */
    uint32_t config_address;
    uint8_t reset_control;
} I440FXHostState;

/* The bus of a realized "i440FX-pcihost". */
PCIBus *i440fx_host_bus(DeviceState *host);

#endif
