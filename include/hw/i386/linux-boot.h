/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst) and the
 * zero page (Documentation/arch/x86/zero-page.rst): field offsets.
 *
 * The setup header sits at offset 0x1f1 both in the bzImage file and in
 * struct boot_params, so the LINUX_HDR_* offsets serve for both.
 */
#ifndef HW_I386_LINUX_BOOT_H
#define HW_I386_LINUX_BOOT_H

/* Setup header (boot.rst, "The Real-Mode Kernel Header"). */
#define LINUX_HDR_START             0x1f1
#define LINUX_HDR_SETUP_SECTS       0x1f1   /* u8; 0 means 4 */
#define LINUX_HDR_ROOT_FLAGS        0x1f2   /* u16 */
#define LINUX_HDR_SYSSIZE           0x1f4   /* u32, 16-byte paragraphs */
#define LINUX_HDR_VID_MODE          0x1fa   /* u16 */
#define LINUX_HDR_BOOT_FLAG         0x1fe   /* u16: 0xaa55 */
#define LINUX_HDR_JUMP              0x200   /* u16: jmp; byte 0x201 gives
                                             * the header's end */
#define LINUX_HDR_HEADER            0x202   /* u32: "HdrS" */
#define LINUX_HDR_VERSION           0x206   /* u16 */
#define LINUX_HDR_TYPE_OF_LOADER    0x210   /* u8 */
#define LINUX_HDR_LOADFLAGS         0x211   /* u8 */
#define LINUX_HDR_CODE32_START      0x214   /* u32 */
#define LINUX_HDR_RAMDISK_IMAGE     0x218   /* u32 */
#define LINUX_HDR_RAMDISK_SIZE      0x21c   /* u32 */
#define LINUX_HDR_HEAP_END_PTR      0x224   /* u16 */
#define LINUX_HDR_CMD_LINE_PTR      0x228   /* u32 */
#define LINUX_HDR_INITRD_ADDR_MAX   0x22c   /* u32, 2.03+ */
#define LINUX_HDR_KERNEL_ALIGNMENT  0x230   /* u32, 2.05+ */
#define LINUX_HDR_RELOCATABLE       0x234   /* u8, 2.05+ */
#define LINUX_HDR_MIN_ALIGNMENT     0x235   /* u8, 2.10+ (log2) */
#define LINUX_HDR_XLOADFLAGS        0x236   /* u16, 2.12+ */
#define LINUX_HDR_CMDLINE_SIZE      0x238   /* u32, 2.06+ */
#define LINUX_HDR_HARDWARE_SUBARCH  0x23c   /* u32, 2.07+ */
#define LINUX_HDR_SETUP_DATA        0x250   /* u64, 2.09+ */
#define LINUX_HDR_PREF_ADDRESS      0x258   /* u64, 2.10+ */
#define LINUX_HDR_INIT_SIZE         0x260   /* u32, 2.10+ */

#define LINUX_HDR_MAGIC             0x53726448  /* "HdrS" */
#define LINUX_BOOT_FLAG             0xaa55

/* loadflags */
#define LINUX_LOADED_HIGH           (1 << 0)
#define LINUX_KASLR_FLAG            (1 << 1)
#define LINUX_QUIET_FLAG            (1 << 5)
#define LINUX_KEEP_SEGMENTS         (1 << 6)
#define LINUX_CAN_USE_HEAP          (1 << 7)

/* xloadflags */
#define LINUX_XLF_KERNEL_64                 (1 << 0)
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G    (1 << 1)

/* Zero page (zero-page.rst). */
#define LINUX_BP_SIZE               0x1000
#define LINUX_BP_SCREEN_INFO        0x000   /* struct screen_info */
#define LINUX_BP_SCREEN_INFO_SIZE   0x40
#define LINUX_BP_ACPI_RSDP_ADDR     0x070   /* u64 */
#define LINUX_BP_EXT_RAMDISK_IMAGE  0x0c0   /* u32: bits 63:32 */
#define LINUX_BP_EXT_RAMDISK_SIZE   0x0c4   /* u32 */
#define LINUX_BP_EXT_CMD_LINE_PTR   0x0c8   /* u32 */
#define LINUX_BP_ALT_MEM_K          0x1e0   /* u32 */
#define LINUX_BP_E820_ENTRIES       0x1e8   /* u8 */
#define LINUX_BP_SENTINEL           0x1ef   /* u8 */
#define LINUX_BP_HDR_END            0x290   /* room for the header */
#define LINUX_BP_E820_TABLE         0x2d0   /* 20-byte entries */
#define LINUX_BP_E820_MAX           128

/* Where the loader reads the kernel from, and defaults. */
#define LINUX_DEFAULT_INITRD_MAX    0x37ffffff
#define LINUX_DEFAULT_LOAD_ADDR     0x100000
#define LINUX_ENTRY64_OFFSET        0x200   /* startup_64 */
#define LINUX_MIN_VERSION           0x0206

#endif
