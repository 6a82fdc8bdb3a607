/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The standard VGA with Bochs VBE extensions on PCI ("VGA", 1234:1111),
 * what QEMU calls std-vga (docs/display.md).
 *
 *   BAR 0  the framebuffer: vgamem_mb MiB of video RAM (default 16),
 *          prefetchable; Bochs VBE modes show it as a linear framebuffer
 *   BAR 2  4 KiB of registers: VGA ports 0x3c0-0x3df at 0x400,
 *          Bochs DISPI registers at 0x500 (register n at 0x500 + 2n)
 * and the legacy VGA decode: ports 0x3b0-0x3df, DISPI ports 0x1ce/0x1cf,
 * the 0xa0000-0xbffff window. There is no video BIOS: at reset the
 * device is in the state a PC BIOS leaves it, mode 3 (80x25 text) with
 * Ember's font in plane 2.
 *
 * Properties:
 *   vgamem_mb=N       video RAM in MiB, a power of two from 1 to 256
 *   screen-info=text  (default) describe the VGA text console to a Linux
 *                     kernel booted with -kernel (vgacon takes it)
 *   screen-info=lfb   set a 1024x768x32 VBE mode at reset and describe
 *                     it as a VESA linear framebuffer (vesafb takes it)
 */
#ifndef HW_DISPLAY_VGA_H
#define HW_DISPLAY_VGA_H

#include "ember/osdep.h"

#define TYPE_PCI_VGA "VGA"

/*
 * Fill boot_params.screen_info (the first len bytes of the zero page,
 * Linux's struct screen_info) for the VGA device, if there is one; for
 * x86_boot_set_screen_info_hook().
 */
void vga_screen_info_hook(uint8_t *screen_info, size_t len, void *opaque);

/* Is there a std-vga device? (-vga std, or -device VGA) */
bool vga_present(void);

#endif
