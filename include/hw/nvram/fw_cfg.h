/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware configuration device ("fw_cfg"), with the interface that
 * QEMU documents in docs/specs/fw_cfg.rst, so that firmware and guests
 * written for it work unchanged:
 *
 *   port 0x510  selector (16-bit write; selecting rewinds the offset)
 *   port 0x511  data (8-bit reads, advancing; 0 past the end)
 *   port 0x514  DMA address (big-endian; 32-bit writes, high half at
 *               0x514, low half at 0x518 which starts the transfer);
 *               reads return the signature "QEMU CFG"
 *
 * Items are selected by 16-bit keys. Named files live at keys from
 * FW_CFG_FILE_FIRST on and are listed in the FW_CFG_FILE_DIR item
 * (big-endian count, then per file: be32 size, be16 key, be16 reserved,
 * char name[56]).
 *
 * The PC puts: signature, ID, RAM size, CPU counts, "etc/e820",
 * "etc/acpi/rsdp" and "etc/acpi/tables" (hw/i386/pc_intc.c). Kernel
 * loaders add FW_CFG_KERNEL_* / INITRD_* / CMDLINE_* / SETUP_* keys.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "hw/isa/isa.h"

#define TYPE_FW_CFG "fw_cfg"

#define FW_CFG_IO_BASE          0x510
#define FW_CFG_DMA_IO_BASE      0x514

/* Keys (fw_cfg.rst, "Selector Register"). */
#define FW_CFG_SIGNATURE        0x00
#define FW_CFG_ID               0x01
#define FW_CFG_UUID             0x02
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NOGRAPHIC        0x04
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MACHINE_ID       0x06
#define FW_CFG_KERNEL_ADDR      0x07
#define FW_CFG_KERNEL_SIZE      0x08
#define FW_CFG_KERNEL_CMDLINE   0x09
#define FW_CFG_INITRD_ADDR      0x0a
#define FW_CFG_INITRD_SIZE      0x0b
#define FW_CFG_BOOT_DEVICE      0x0c
#define FW_CFG_NUMA             0x0d
#define FW_CFG_BOOT_MENU        0x0e
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_KERNEL_ENTRY     0x10
#define FW_CFG_KERNEL_DATA      0x11
#define FW_CFG_INITRD_DATA      0x12
#define FW_CFG_CMDLINE_ADDR     0x13
#define FW_CFG_CMDLINE_SIZE     0x14
#define FW_CFG_CMDLINE_DATA     0x15
#define FW_CFG_SETUP_ADDR       0x16
#define FW_CFG_SETUP_SIZE       0x17
#define FW_CFG_SETUP_DATA       0x18
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20
#define FW_CFG_FILE_SLOTS       0x100
#define FW_CFG_WRITE_CHANNEL    0x4000
#define FW_CFG_ARCH_LOCAL       0x8000
#define FW_CFG_INVALID          0xffff

/* FW_CFG_ID feature bits. */
#define FW_CFG_VERSION          0x01    /* the port interface */
#define FW_CFG_VERSION_DMA      0x02

/* FWCfgDmaAccess.control bits. */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08
#define FW_CFG_DMA_CTL_WRITE    0x10

#define FW_CFG_DMA_SIGNATURE    0x51454d5520434647ULL  /* "QEMU CFG" */
#define FW_CFG_MAX_FILE_PATH    56

typedef struct FWCfgFile {
    uint32_t size;              /* big-endian */
    uint16_t select;            /* big-endian */
    uint16_t reserved;
    char name[FW_CFG_MAX_FILE_PATH];
} EMBER_PACKED FWCfgFile;

typedef struct FWCfgDmaAccess {
    uint32_t control;           /* big-endian */
    uint32_t length;            /* big-endian */
    uint64_t address;           /* big-endian */
} EMBER_PACKED FWCfgDmaAccess;

/* Create the device on the ISA bus (port interface + DMA). */
DeviceState *fw_cfg_create(ISABus *bus);
/* The machine's fw_cfg device, or NULL. */
DeviceState *fw_cfg_find(void);

/*
 * Items. The data is copied. Adding a key (or file name) that exists
 * replaces its contents. Keys are plain keys below FW_CFG_FILE_FIRST or
 * FW_CFG_ARCH_LOCAL | n.
 */
void fw_cfg_add_bytes(DeviceState *dev, uint16_t key, const void *data,
                      size_t len);
void fw_cfg_add_string(DeviceState *dev, uint16_t key, const char *value);
void fw_cfg_add_i16(DeviceState *dev, uint16_t key, uint16_t value);
void fw_cfg_add_i32(DeviceState *dev, uint16_t key, uint32_t value);
void fw_cfg_add_i64(DeviceState *dev, uint16_t key, uint64_t value);
/* A named file; returns its key (or FW_CFG_INVALID if the slots are
 * full or the name is too long). */
uint16_t fw_cfg_add_file(DeviceState *dev, const char *name,
                         const void *data, size_t len);
/*
 * A file whose contents are made when it is selected or listed (e.g.
 * "etc/e820", which may still change after the device is created).
 */
typedef GByteArray *FWCfgGenerate(void *opaque);
uint16_t fw_cfg_add_file_generated(DeviceState *dev, const char *name,
                                   FWCfgGenerate *gen, void *opaque);

#endif
