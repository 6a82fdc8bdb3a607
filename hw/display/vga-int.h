/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VGA core shared by vga.c (registers and memory), vga-render.c
 * (what the screen shows), vga-vbe.c (Bochs VBE) and vga-pci.c.
 *
 * Video memory layout: the four planes are interleaved, plane p's byte
 * at plane offset o lives at vram[o * 4 + p], so a 32-bit load fetches
 * all four planes at once (what the latches hold). The host side maps
 * CPU addresses to plane offsets: planar mode uses the address as is,
 * odd/even mode (text) address >> 1, chain-4 (mode 13h) address >> 2,
 * so that chained and odd/even data is dense; the display side reads
 * plane offset = CRTC memory address (MA) in every addressing mode. That
 * keeps both sides consistent for everything guests do with the
 * standard modes, and it makes chain-4 memory linear (vram[addr]).
 * Bochs VBE modes use vram as a linear framebuffer.
 */
#ifndef HW_DISPLAY_VGA_INT_H
#define HW_DISPLAY_VGA_INT_H

#include "ember/osdep.h"
#include "exec/memory.h"
#include "hw/display/vga-regs.h"
#include "ui/console.h"

/* What VGA addressing reaches in each plane (256 KiB in all). */
#define VGA_PLANE_SIZE      (64 * 1024)
#define VGA_PLANE_MASK      (VGA_PLANE_SIZE - 1)
#define VGA_TEXT_MAX_CELLS  (132 * 60)

typedef enum VGAModeKind {
    VGA_MODE_BLANK,         /* screen off, or no valid timings */
    VGA_MODE_TEXT,
    VGA_MODE_PLANAR,        /* 16 colours from four planes (mode 12h) */
    VGA_MODE_CGA2,          /* CGA 4-colour interleave (modes 4/5) */
    VGA_MODE_256,           /* 256 colours, chained or not (mode 13h) */
    VGA_MODE_VBE,           /* Bochs VBE linear modes */
} VGAModeKind;

/*
 * Everything about the picture's shape; when any of it changes between
 * two updates, everything is redrawn.
 */
typedef struct VGALayout {
    VGAModeKind kind;
    int width, height;          /* of the surface, pixels */
    uint32_t start;             /* plane offset (VGA) or byte (VBE) */
    uint32_t line_offset;       /* plane offsets (VGA) or bytes (VBE) */
    int chars;                  /* characters (or 8-pixel units) a row */
    int rows;                   /* text rows */
    int cheight;                /* scan lines per character row */
    int cwidth;                 /* 8 or 9 dots */
    int msl;                    /* scan lines a memory row is repeated */
    bool double_scan;
    bool cga_interleave;        /* CR17 bit 0 = 0: row scan bit 0 -> MA13 */
    bool hgc_interleave;        /* CR17 bit 1 = 0: row scan bit 1 -> MA14 */
    int line_compare;           /* surface line where MA restarts at 0 */
    unsigned bpp;               /* VBE */
    uint32_t font_base[2];      /* text: plane 2 offsets of maps A and B */
    uint8_t plane_enable;
    uint8_t ar_mode;
} VGALayout;

typedef struct VGACommonState {
    void *owner;                /* DeviceState */
    MemoryRegion vram;
    uint8_t *vram_ptr;
    uint32_t vram_size;

    /* Legacy decoding: 0xa0000-0xbffff, ports 0x3b0-0x3df, 0x1ce-0x1d0. */
    MemoryRegion legacy_mem;
    MemoryRegion legacy_io;
    MemoryRegion vbe_io;
    MemoryRegion *legacy_mem_parent;
    MemoryRegion *legacy_io_parent;

    /* Registers. */
    uint8_t misc;
    uint8_t feature;
    uint8_t sr_index;
    uint8_t sr[8];
    uint8_t gr_index;
    uint8_t gr[16];
    uint8_t ar_index;           /* with VGA_AR_ENABLE_DISPLAY */
    bool ar_flip_flop;          /* true: the next 0x3c0 write is data */
    uint8_t ar[VGA_ATC_REGS];
    uint8_t cr_index;
    uint8_t cr[256];
    uint8_t pel_mask;
    uint8_t dac_read_index;
    uint8_t dac_write_index;
    uint8_t dac_sub_index;
    uint8_t dac_state;          /* 0: last set was the write index; 3: read */
    uint8_t dac_cache[3];
    uint8_t palette[768];
    uint32_t latch;

    /* Bochs VBE. */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
    uint32_t vbe_start;         /* byte of the visible top left */
    uint32_t vbe_line_offset;   /* bytes */
    bool vbe_getcaps;           /* reads of XRES/YRES/BPP give maxima */
    uint8_t vbe_data_low;       /* a byte written to 0x1cf ... */
    bool vbe_data_low_pending;  /* ... waiting for its high half */

    /* The display side (vga-render.c). */
    DisplayConsole *con;
    VGALayout layout;           /* as last drawn */
    bool full_update;           /* redraw everything next time */
    uint32_t rgb[256];          /* the DAC as x8r8g8b8, as last drawn */
    uint32_t text_rgb[16];      /* attribute colours, as last drawn */
    uint8_t *surface_shared;    /* VBE 32 bpp: the surface is vram here */
    uint32_t *text_shadow;      /* VGA_TEXT_MAX_CELLS cell states drawn */
    uint8_t font_drawn[2][0x2000];  /* plane 2 of maps A and B, drawn */
    uint8_t *dirty_pages;       /* scratch: snapshot of the dirty bitmap */
    uint32_t dirty_first_page, dirty_npages;
    uint64_t updates;
} VGACommonState;

/* vga.c */
bool vga_common_init(VGACommonState *s, void *owner, uint32_t vram_size,
                     GError **errp);
void vga_common_exit(VGACommonState *s);
/* The state a PC BIOS leaves: mode 3 (80x25 text), font in plane 2. */
void vga_common_reset(VGACommonState *s);
/* Map the legacy window and ports into these containers (or unmap). */
void vga_map_legacy(VGACommonState *s, MemoryRegion *mem, MemoryRegion *io);
void vga_unmap_legacy(VGACommonState *s);
/* Port accesses, port = 0x3b0..0x3df (byte). */
uint8_t vga_ioport_read(VGACommonState *s, uint16_t port);
void vga_ioport_write(VGACommonState *s, uint16_t port, uint8_t val);
/* The 0xa0000 window, offset from 0xa0000. */
uint8_t vga_mem_readb(VGACommonState *s, uint32_t offset);
void vga_mem_writeb(VGACommonState *s, uint32_t offset, uint8_t val);
/* Frame timing from the CRTC (or the VBE mode): for retrace and blink. */
int64_t vga_frame_ns(VGACommonState *s);
static inline uint8_t vga_plane_byte(VGACommonState *s, uint32_t off,
                                     unsigned plane)
{
    return s->vram_ptr[(off & VGA_PLANE_MASK) * 4 + plane];
}

/* vga-vbe.c */
void vbe_reset(VGACommonState *s);
uint16_t vbe_read(VGACommonState *s, unsigned index);
void vbe_write(VGACommonState *s, unsigned index, uint16_t val);
static inline bool vbe_enabled(VGACommonState *s)
{
    return s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}
/* Bytes per pixel of the current VBE depth. */
unsigned vbe_bytes_pp(VGACommonState *s);

/* vga-render.c */
void vga_render_init(VGACommonState *s);
void vga_render_exit(VGACommonState *s);
void vga_update_display(void *opaque);
void vga_invalidate_display(void *opaque);
/* The current shape, computed from the registers. */
void vga_compute_layout(VGACommonState *s, VGALayout *l);

#endif
