/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Constants shared by the guests' assembly files. */
#ifndef GUEST_ENTRY_H
#define GUEST_ENTRY_H

#define MB_MAGIC            0x1BADB002
/* Page-aligned modules, memory information; ELF program headers decide
 * where the image goes (no address fields, flag 16 clear). */
#define MB_FLAGS            0x00000003

/* The guest's own GDT (gdt.S). */
#define SEL_CODE32          0x08
#define SEL_DATA            0x10
#define SEL_CODE64          0x18

#define BOOT_STACK_SIZE     16384
#define AP_STACK_SHIFT      12          /* 4 KiB per application processor */
#define TRAMPOLINE_BASE     0x8000      /* SIPI vector 0x08 */
#define GUEST_MAX_CPUS_ASM  16          /* GUEST_MAX_CPUS in guest.h */

#endif
