/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PVH boot ABI (Xen project, docs/misc/pvh.pandoc and
 * xen/include/public/arch-x86/hvm/start_info.h): an ELF kernel names its
 * 32-bit entry point in a XEN_ELFNOTE_PHYS32_ENTRY note and is entered in
 * flat protected mode, paging off, with %ebx = struct hvm_start_info.
 * Offsets of the structures (all little-endian).
 */
#ifndef HW_I386_PVH_H
#define HW_I386_PVH_H

#define XEN_ELFNOTE_PHYS32_ENTRY    18
#define PVH_NOTE_NAME               "Xen"

#define HVM_START_MAGIC             0x336ec578
#define HVM_START_VERSION           1

/* struct hvm_start_info */
#define HVM_SI_MAGIC                0   /* u32 */
#define HVM_SI_VERSION              4   /* u32 */
#define HVM_SI_FLAGS                8   /* u32 */
#define HVM_SI_NR_MODULES           12  /* u32 */
#define HVM_SI_MODLIST_PADDR        16  /* u64 */
#define HVM_SI_CMDLINE_PADDR        24  /* u64 */
#define HVM_SI_RSDP_PADDR           32  /* u64 */
#define HVM_SI_MEMMAP_PADDR         40  /* u64, version 1 */
#define HVM_SI_MEMMAP_ENTRIES       48  /* u32, version 1 */
#define HVM_SI_SIZE                 56

/* struct hvm_modlist_entry */
#define HVM_MOD_PADDR               0   /* u64 */
#define HVM_MOD_SIZE                8   /* u64 */
#define HVM_MOD_CMDLINE_PADDR       16  /* u64 */
#define HVM_MOD_ENTRY_SIZE          32

/* struct hvm_memmap_table_entry: types as e820 (RAM 1, reserved 2, ...) */
#define HVM_MEMMAP_ADDR             0   /* u64 */
#define HVM_MEMMAP_SIZE             8   /* u64 */
#define HVM_MEMMAP_TYPE             16  /* u32 */
#define HVM_MEMMAP_ENTRY_SIZE       24

/* The PVH entry point of an ELF image, if it has one. */
bool pvh_find_entry(const uint8_t *data, size_t size, uint64_t *entry);

#endif
