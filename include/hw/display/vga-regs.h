/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VGA and Bochs VBE register numbers and bits (IBM VGA Technical
 * Reference; the Bochs VBE "DISPI" interface as implemented by Bochs and
 * QEMU's std-vga). Definitions only, so tests and guests can use them.
 */
#ifndef HW_DISPLAY_VGA_REGS_H
#define HW_DISPLAY_VGA_REGS_H

/* ---- ports --------------------------------------------------------------- */
#define VGA_ATT_W           0x3c0   /* attribute index/data (flip-flop) */
#define VGA_ATT_R           0x3c1   /* attribute data read */
#define VGA_MIS_W           0x3c2   /* misc output write */
#define VGA_IS0_R           0x3c2   /* input status 0 */
#define VGA_SEQ_I           0x3c4
#define VGA_SEQ_D           0x3c5
#define VGA_PEL_MSK         0x3c6
#define VGA_PEL_IR          0x3c7   /* DAC read index (write); state (read) */
#define VGA_PEL_IW          0x3c8   /* DAC write index */
#define VGA_PEL_D           0x3c9
#define VGA_FTC_R           0x3ca   /* feature control read */
#define VGA_MIS_R           0x3cc   /* misc output read */
#define VGA_GFX_I           0x3ce
#define VGA_GFX_D           0x3cf
#define VGA_CRT_IM          0x3b4   /* CRTC index, mono (misc bit 0 = 0) */
#define VGA_CRT_DM          0x3b5
#define VGA_IS1_RM          0x3ba   /* input status 1 mono; FCR write */
#define VGA_CRT_IC          0x3d4   /* CRTC index, colour */
#define VGA_CRT_DC          0x3d5
#define VGA_IS1_RC          0x3da   /* input status 1 colour; FCR write */

/* Input status 1 */
#define VGA_IS1_DISPLAY_OFF 0x01    /* in horizontal or vertical blanking */
#define VGA_IS1_VRETRACE    0x08

/* Misc output */
#define VGA_MIS_COLOR       0x01    /* CRTC at 0x3d4, status at 0x3da */
#define VGA_MIS_ENB_MEM     0x02
#define VGA_MIS_CLOCK(m)    (((m) >> 2) & 3)

/* Sequencer */
#define VGA_SEQ_RESET       0x00
#define VGA_SEQ_CLOCK_MODE  0x01
#define VGA_SEQ_PLANE_WRITE 0x02
#define VGA_SEQ_CHARACTER_MAP 0x03
#define VGA_SEQ_MEMORY_MODE 0x04
#define VGA_SR01_CHAR_CLK_8DOTS 0x01
#define VGA_SR01_CLOCK_DIV2 0x08
#define VGA_SR01_SCREEN_OFF 0x20
#define VGA_SR04_EXT_MEM    0x02
#define VGA_SR04_SEQ_MODE   0x04    /* 0: odd/even */
#define VGA_SR04_CHN_4M     0x08

/* CRT controller */
#define VGA_CRTC_H_TOTAL    0x00
#define VGA_CRTC_H_DISP     0x01
#define VGA_CRTC_H_BLANK_START 0x02
#define VGA_CRTC_H_BLANK_END 0x03
#define VGA_CRTC_H_SYNC_START 0x04
#define VGA_CRTC_H_SYNC_END 0x05
#define VGA_CRTC_V_TOTAL    0x06
#define VGA_CRTC_OVERFLOW   0x07
#define VGA_CRTC_PRESET_ROW 0x08
#define VGA_CRTC_MAX_SCAN   0x09
#define VGA_CRTC_CURSOR_START 0x0a
#define VGA_CRTC_CURSOR_END 0x0b
#define VGA_CRTC_START_HI   0x0c
#define VGA_CRTC_START_LO   0x0d
#define VGA_CRTC_CURSOR_HI  0x0e
#define VGA_CRTC_CURSOR_LO  0x0f
#define VGA_CRTC_V_SYNC_START 0x10
#define VGA_CRTC_V_SYNC_END 0x11
#define VGA_CRTC_V_DISP_END 0x12
#define VGA_CRTC_OFFSET     0x13
#define VGA_CRTC_UNDERLINE  0x14
#define VGA_CRTC_V_BLANK_START 0x15
#define VGA_CRTC_V_BLANK_END 0x16
#define VGA_CRTC_MODE       0x17
#define VGA_CRTC_LINE_COMPARE 0x18
#define VGA_CRTC_REGS       0x19
#define VGA_CR11_LOCK_CR0_CR7 0x80
#define VGA_CR14_DWORD      0x40
#define VGA_CR17_WORD_BYTE  0x40    /* 1: byte mode */

/* Graphics controller */
#define VGA_GFX_SR_VALUE    0x00
#define VGA_GFX_SR_ENABLE   0x01
#define VGA_GFX_COMPARE_VALUE 0x02
#define VGA_GFX_DATA_ROTATE 0x03
#define VGA_GFX_PLANE_READ  0x04
#define VGA_GFX_MODE        0x05
#define VGA_GFX_MISC        0x06
#define VGA_GFX_COMPARE_MASK 0x07
#define VGA_GFX_BIT_MASK    0x08
#define VGA_GFX_REGS        0x09
#define VGA_GR05_READ_MODE1 0x08
#define VGA_GR05_HOST_OE    0x10
#define VGA_GR05_CGA_SHIFT  0x20
#define VGA_GR05_256_SHIFT  0x40
#define VGA_GR06_GRAPHICS   0x01
#define VGA_GR06_MAP(g)     (((g) >> 2) & 3)

/* Attribute controller */
#define VGA_ATC_PALETTE0    0x00
#define VGA_ATC_MODE        0x10
#define VGA_ATC_OVERSCAN    0x11
#define VGA_ATC_PLANE_ENABLE 0x12
#define VGA_ATC_PEL         0x13
#define VGA_ATC_COLOR_PAGE  0x14
#define VGA_ATC_REGS        0x15
#define VGA_AR_ENABLE_DISPLAY 0x20  /* index bit: palette address source */
#define VGA_AR10_GRAPHICS   0x01
#define VGA_AR10_LINE_GFX   0x04    /* 9th column repeats for 0xc0-0xdf */
#define VGA_AR10_BLINK      0x08
#define VGA_AR10_8BIT       0x40
#define VGA_AR10_P54S       0x80

/* ---- Bochs VBE (DISPI) --------------------------------------------------- */
#define VBE_DISPI_IOPORT_INDEX  0x1ce
#define VBE_DISPI_IOPORT_DATA   0x1cf

#define VBE_DISPI_INDEX_ID          0x0
#define VBE_DISPI_INDEX_XRES        0x1
#define VBE_DISPI_INDEX_YRES        0x2
#define VBE_DISPI_INDEX_BPP         0x3
#define VBE_DISPI_INDEX_ENABLE      0x4
#define VBE_DISPI_INDEX_BANK        0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH  0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET    0x8
#define VBE_DISPI_INDEX_Y_OFFSET    0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_DISPI_INDEX_NB          0xb

#define VBE_DISPI_ID0               0xb0c0
#define VBE_DISPI_ID5               0xb0c5

#define VBE_DISPI_DISABLED          0x00
#define VBE_DISPI_ENABLED           0x01
#define VBE_DISPI_GETCAPS           0x02
#define VBE_DISPI_8BIT_DAC          0x20
#define VBE_DISPI_LFB_ENABLED       0x40
#define VBE_DISPI_NOCLEARMEM        0x80

#define VBE_DISPI_MAX_XRES          2560
#define VBE_DISPI_MAX_YRES          1600
#define VBE_DISPI_MAX_BPP           32

/* ---- std-vga on PCI ("VGA", 1234:1111) ------------------------------------- */
#define PCI_VGA_VENDOR_ID           0x1234
#define PCI_VGA_DEVICE_ID           0x1111
#define PCI_VGA_BAR_FB              0       /* framebuffer (vgamem_mb) */
#define PCI_VGA_BAR_MMIO            2       /* 4 KiB of registers */
#define PCI_VGA_MMIO_SIZE           0x1000
#define PCI_VGA_MMIO_IOPORT_OFFSET  0x400   /* ports 0x3c0-0x3df */
#define PCI_VGA_MMIO_IOPORT_SIZE    0x20
#define PCI_VGA_MMIO_BOCHS_OFFSET   0x500   /* DISPI register n at 2 * n */
#define PCI_VGA_MMIO_BOCHS_SIZE     (2 * VBE_DISPI_INDEX_NB)

#endif
