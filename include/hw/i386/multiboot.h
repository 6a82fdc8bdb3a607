/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96): header and boot
 * information offsets (all little-endian 32-bit fields unless noted).
 */
#ifndef HW_I386_MULTIBOOT_H
#define HW_I386_MULTIBOOT_H

#define MULTIBOOT_SEARCH            8192    /* header within these bytes */
#define MULTIBOOT_HEADER_MAGIC      0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC  0x2BADB002

/* The header (3.1.1); the address fields exist with MB_FLAG_AOUT_KLUDGE. */
#define MB_HDR_MAGIC                0
#define MB_HDR_FLAGS                4
#define MB_HDR_CHECKSUM             8
#define MB_HDR_HEADER_ADDR          12
#define MB_HDR_LOAD_ADDR            16
#define MB_HDR_LOAD_END_ADDR        20
#define MB_HDR_BSS_END_ADDR         24
#define MB_HDR_ENTRY_ADDR           28
#define MB_HDR_AOUT_SIZE            32

/* Header flags (3.1.2). Bits 0-15 are requirements a loader must meet. */
#define MB_FLAG_PAGE_ALIGN          (1 << 0)    /* modules page-aligned */
#define MB_FLAG_MEMORY_INFO         (1 << 1)    /* mem_* and mmap_* */
#define MB_FLAG_VIDEO_MODE          (1 << 2)    /* video mode table */
#define MB_FLAG_AOUT_KLUDGE         (1 << 16)   /* use the address fields */
#define MB_FLAGS_SUPPORTED          0x0007

/* Boot information (3.3). */
#define MBI_FLAGS                   0
#define MBI_MEM_LOWER               4
#define MBI_MEM_UPPER               8
#define MBI_BOOT_DEVICE             12
#define MBI_CMDLINE                 16
#define MBI_MODS_COUNT              20
#define MBI_MODS_ADDR               24
#define MBI_MMAP_LENGTH             44
#define MBI_MMAP_ADDR               48
#define MBI_BOOT_LOADER_NAME        64
#define MBI_SIZE                    88

#define MBI_FLAG_MEM                (1 << 0)
#define MBI_FLAG_BOOT_DEVICE        (1 << 1)
#define MBI_FLAG_CMDLINE            (1 << 2)
#define MBI_FLAG_MODS               (1 << 3)
#define MBI_FLAG_MMAP               (1 << 6)
#define MBI_FLAG_BOOT_LOADER_NAME   (1 << 9)

/* A module entry: mod_start, mod_end (exclusive), string, reserved. */
#define MB_MOD_START                0
#define MB_MOD_END                  4
#define MB_MOD_STRING               8
#define MB_MOD_SIZE                 16

/* A memory map entry: size (of the rest, 20), base_addr u64, length u64,
 * type; mmap_addr points at the first size field. */
#define MB_MMAP_ENTRY_SIZE          24

#endif
