/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the VGA shows: the picture is rebuilt from video memory and the
 * registers at each update (the front end's refresh, or a screendump).
 *
 * Only what changed is redrawn. Video memory writes mark 4 KiB pages in
 * the dirty log (the 0xa0000 window here in vga.c, the linear
 * framebuffer through the accelerator, DMA and loaders through the
 * memory API); an update takes a snapshot of the pages it shows, and
 * re-renders only the scan lines whose memory is on a dirty page. Text
 * mode compares each character cell (code, attribute, cursor and blink
 * state) with what was drawn. A change of shape (mode, size, start
 * address, font, palette) redraws everything.
 *
 * Text mode: 8 or 9 dot wide characters (SR1 bit 0), as many scan lines
 * as CR9 says, glyphs from plane 2 (32 bytes per glyph, character maps A
 * and B from SR3), the ninth column repeating the eighth for 0xc0-0xdf
 * when AR10 bit 2 is set, blinking (AR10 bit 3) and the cursor (CR0A,
 * CR0B, CR0E/CR0F) at 1/32 and 1/16 of the frame rate, underline (CR14)
 * on attributes x0x1 (IBM VGA Technical Reference, "Alphanumeric
 * modes").
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "system/timer.h"
#include "ui/pixel.h"
#include "vga-int.h"

#define PAGE_SIZE_VRAM (1u << DIRTY_PAGE_SHIFT)
#define VGA_VRAM_PAGES (VGA_PLANE_SIZE * 4 / PAGE_SIZE_VRAM)
#define VGA_FONT_MAP_SIZE 0x2000        /* plane 2 bytes of one map */

/* Cell state bits beyond code and attribute (text_shadow). */
#define CELL_HIDDEN     (1u << 16)      /* blinking, in its off phase */
#define CELL_CURSOR     (1u << 17)
#define CELL_CURSOR_SHIFT 18            /* start (5 bits), end (5 bits) */

/* ---- dirty pages ------------------------------------------------------------ */

/* Fetch and clear the dirty bits of [start, start + len) of vram. */
static void vga_dirty_snapshot(VGACommonState *s, uint64_t start,
                               uint64_t len)
{
    uint32_t first, last;

    memory_region_sync_dirty(&s->vram);
    if (start >= s->vram_size || !len) {
        s->dirty_npages = 0;
        return;
    }
    len = MIN(len, s->vram_size - start);
    first = start >> DIRTY_PAGE_SHIFT;
    last = (start + len - 1) >> DIRTY_PAGE_SHIFT;
    s->dirty_first_page = first;
    s->dirty_npages = last - first + 1;
    for (uint32_t p = first; p <= last; p++) {
        s->dirty_pages[p - first] = memory_region_test_and_clear_dirty(
            &s->vram, (uint64_t)p << DIRTY_PAGE_SHIFT, PAGE_SIZE_VRAM,
            DIRTY_MEMORY_VGA);
    }
}

/* Did the snapshot see a write to [start, start + len)? */
static bool vga_range_dirty(VGACommonState *s, uint64_t start, uint64_t len)
{
    uint64_t first, last;

    if (!len) {
        return false;
    }
    first = start >> DIRTY_PAGE_SHIFT;
    last = (start + len - 1) >> DIRTY_PAGE_SHIFT;
    for (uint64_t p = first; p <= last; p++) {
        if (p >= s->dirty_first_page &&
            p < s->dirty_first_page + s->dirty_npages &&
            s->dirty_pages[p - s->dirty_first_page]) {
            return true;
        }
    }
    return false;
}

/* The same for count plane offsets from off (wrapping at 64 KiB). */
static bool vga_planes_dirty(VGACommonState *s, uint32_t off, uint32_t count)
{
    off &= VGA_PLANE_MASK;
    if (off + count > VGA_PLANE_SIZE) {
        return vga_range_dirty(s, off * 4, (VGA_PLANE_SIZE - off) * 4) ||
               vga_range_dirty(s, 0, (off + count - VGA_PLANE_SIZE) * 4);
    }
    return vga_range_dirty(s, off * 4, count * 4);
}

/* ---- shape ------------------------------------------------------------------- */

/* Plane 2 offset of character map n (SR3): 0-3 at 16 KiB steps, 4-7 at
 * the 8 KiB points between them. */
static uint32_t vga_font_map_base(unsigned n)
{
    return (n & 3) * 0x4000 + ((n & 4) ? 0x2000 : 0);
}

void vga_compute_layout(VGACommonState *s, VGALayout *l)
{
    uint8_t ov = s->cr[VGA_CRTC_OVERFLOW];
    int vde, lines;

    memset(l, 0, sizeof(*l));
    if (vbe_enabled(s)) {
        l->kind = VGA_MODE_VBE;
        l->width = s->vbe_regs[VBE_DISPI_INDEX_XRES];
        l->height = s->vbe_regs[VBE_DISPI_INDEX_YRES];
        l->bpp = s->vbe_regs[VBE_DISPI_INDEX_BPP];
        l->start = s->vbe_start;
        l->line_offset = s->vbe_line_offset;
        return;
    }
    vde = (s->cr[VGA_CRTC_V_DISP_END] | (ov & 0x02) << 7 |
           (ov & 0x40) << 3) + 1;
    l->chars = s->cr[VGA_CRTC_H_DISP] + 1;
    l->msl = (s->cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
    l->double_scan = s->cr[VGA_CRTC_MAX_SCAN] & 0x80;
    l->line_compare = s->cr[VGA_CRTC_LINE_COMPARE] | (ov & 0x10) << 4 |
                      (s->cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3;
    l->start = s->cr[VGA_CRTC_START_HI] << 8 | s->cr[VGA_CRTC_START_LO];
    l->line_offset = s->cr[VGA_CRTC_OFFSET] * 2;
    l->plane_enable = s->ar[VGA_ATC_PLANE_ENABLE] & 0xf;
    l->ar_mode = s->ar[VGA_ATC_MODE];
    lines = vde / (l->double_scan ? 2 : 1);

    if (!(s->gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS)) {
        uint8_t sr3 = s->sr[VGA_SEQ_CHARACTER_MAP];

        l->kind = VGA_MODE_TEXT;
        l->cwidth = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS)
                    ? 8 : 9;
        l->cheight = l->msl;
        l->rows = lines / l->cheight;
        l->width = l->chars * l->cwidth;
        l->height = l->rows * l->cheight;
        /* Map A serves attributes with bit 3 set, map B the others. */
        l->font_base[0] = vga_font_map_base(((sr3 >> 2) & 3) |
                                            ((sr3 >> 3) & 4));
        l->font_base[1] = vga_font_map_base((sr3 & 3) | ((sr3 >> 2) & 4));
        if (l->chars * l->rows > VGA_TEXT_MAX_CELLS) {
            ember_log_mask(LOG_UNIMP, "vga: a %dx%d text mode is larger "
                           "than supported\n", l->chars, l->rows);
            l->kind = VGA_MODE_BLANK;
        }
    } else {
        uint8_t cr17 = s->cr[VGA_CRTC_MODE];
        int rep;

        l->cga_interleave = !(cr17 & 0x01);
        l->hgc_interleave = !(cr17 & 0x02);
        rep = (l->cga_interleave || l->hgc_interleave) ? 1 : l->msl;
        l->height = lines / rep;
        if (s->gr[VGA_GFX_MODE] & VGA_GR05_256_SHIFT) {
            l->kind = VGA_MODE_256;
            l->width = l->chars * 4;
        } else if (s->gr[VGA_GFX_MODE] & VGA_GR05_CGA_SHIFT) {
            l->kind = VGA_MODE_CGA2;
            l->width = l->chars * 8;
        } else {
            l->kind = VGA_MODE_PLANAR;
            l->width = l->chars * 8;
        }
    }
    if (l->width <= 0 || l->height <= 0 || l->width > 4096 ||
        l->height > 4096) {
        l->kind = VGA_MODE_BLANK;
        l->width = 640;
        l->height = 480;
    }
    /* Screen off, or the attribute controller owns the palette. */
    if ((s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF) ||
        !(s->ar_index & VGA_AR_ENABLE_DISPLAY)) {
        l->kind = VGA_MODE_BLANK;
    }
}

/* ---- colours ------------------------------------------------------------------- */

/* The DAC as x8r8g8b8, indexed through the pel mask. */
static void vga_build_rgb(VGACommonState *s, uint32_t *rgb)
{
    bool dac8 = s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;

    for (unsigned i = 0; i < 256; i++) {
        const uint8_t *p = &s->palette[(i & s->pel_mask) * 3];
        rgb[i] = dac8 ? pixel_rgb(p[0], p[1], p[2])
                      : pixel_rgb(pixel_c6_to_c8(p[0]), pixel_c6_to_c8(p[1]),
                                  pixel_c6_to_c8(p[2]));
    }
}

/* The 16 colours of text and 16-colour modes: attribute palette, then
 * the colour select bits (AR14, with AR10 bit 7), then the DAC. */
static void vga_build_attr_rgb(VGACommonState *s, const uint32_t *rgb,
                               uint32_t *out)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned v = s->ar[i] & 0x3f;

        if (s->ar[VGA_ATC_MODE] & VGA_AR10_P54S) {
            v = (v & 0x0f) | (s->ar[VGA_ATC_COLOR_PAGE] & 3) << 4;
        }
        v |= (s->ar[VGA_ATC_COLOR_PAGE] & 0x0c) << 4;
        out[i] = rgb[v];
    }
}

/* ---- text ----------------------------------------------------------------------- */

static void vga_font_copy(VGACommonState *s, uint32_t base, uint8_t *out)
{
    for (uint32_t i = 0; i < VGA_FONT_MAP_SIZE; i++) {
        out[i] = vga_plane_byte(s, base + i, 2);
    }
}

/* Did a used character map change since it was drawn? */
static bool vga_font_changed(VGACommonState *s, const VGALayout *l)
{
    uint8_t cur[VGA_FONT_MAP_SIZE];
    bool changed = false;

    for (int m = 0; m < 2; m++) {
        if (!vga_planes_dirty(s, l->font_base[m], VGA_FONT_MAP_SIZE)) {
            continue;
        }
        vga_font_copy(s, l->font_base[m], cur);
        if (memcmp(cur, s->font_drawn[m], VGA_FONT_MAP_SIZE)) {
            memcpy(s->font_drawn[m], cur, VGA_FONT_MAP_SIZE);
            changed = true;
        }
    }
    return changed;
}

static void vga_draw_cell(VGACommonState *s, const VGALayout *l,
                          DisplaySurface *surf, int col, int row,
                          uint32_t state)
{
    unsigned ch = state & 0xff, at = (state >> 8) & 0xff;
    unsigned fg_i = at & 0x0f, bg_i = at >> 4;
    unsigned cs = (state >> CELL_CURSOR_SHIFT) & 0x1f;
    unsigned ce = (state >> (CELL_CURSOR_SHIFT + 5)) & 0x1f;
    unsigned ul = s->cr[VGA_CRTC_UNDERLINE] & 0x1f;
    bool line_gfx = (l->ar_mode & VGA_AR10_LINE_GFX) && ch >= 0xc0 &&
                    ch <= 0xdf;
    uint32_t glyph = l->font_base[(at & 0x08) ? 0 : 1] + ch * 32;
    uint32_t fg, bg;

    if (l->ar_mode & VGA_AR10_BLINK) {
        bg_i &= 7;      /* bit 7 blinks instead of brightening */
    }
    fg = s->text_rgb[fg_i];
    bg = s->text_rgb[bg_i];
    if (state & CELL_HIDDEN) {
        fg = bg;
    }
    for (int r = 0; r < l->cheight; r++) {
        uint32_t *p = surface_row(surf, row * l->cheight + r) +
                      col * l->cwidth;
        unsigned bits = r < 32 ? vga_plane_byte(s, glyph + r, 2) : 0;
        bool ninth = line_gfx && (bits & 1);

        /* Underline and cursor cover the whole cell width. */
        if (((at & 0x77) == 0x01 && r == (int)ul) ||
            ((state & CELL_CURSOR) && r >= (int)cs && r <= (int)ce)) {
            bits = 0xff;
            ninth = true;
        }
        for (int x = 0; x < 8; x++) {
            p[x] = (bits & (0x80 >> x)) ? fg : bg;
        }
        if (l->cwidth == 9) {
            p[8] = ninth ? fg : bg;
        }
    }
}

static int vga_draw_text(VGACommonState *s, const VGALayout *l, bool full)
{
    DisplaySurface *surf = console_surface(s->con);
    int64_t frame = vga_frame_ns(s);
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    /* The cursor blinks every 16 frames, characters every 32. */
    bool cursor_on = !((now / (frame * 8)) & 1);
    bool blink_on = !((now / (frame * 16)) & 1);
    unsigned cs = s->cr[VGA_CRTC_CURSOR_START] & 0x1f;
    unsigned ce = s->cr[VGA_CRTC_CURSOR_END] & 0x1f;
    bool cursor_en = !(s->cr[VGA_CRTC_CURSOR_START] & 0x20) && cs <= ce &&
                     (int)cs < l->cheight && cursor_on;
    uint32_t cursor = (s->cr[VGA_CRTC_CURSOR_HI] << 8 |
                       s->cr[VGA_CRTC_CURSOR_LO]);
    uint32_t cursor_state = CELL_CURSOR | cs << CELL_CURSOR_SHIFT |
                            MIN(ce, (unsigned)l->cheight - 1)
                            << (CELL_CURSOR_SHIFT + 5);
    int lines = 0;

    if (vga_font_changed(s, l)) {
        full = true;
    }
    for (int row = 0; row < l->rows; row++) {
        uint32_t ma = l->start + row * l->line_offset;
        int x0 = -1, x1 = -1;

        for (int col = 0; col < l->chars; col++) {
            uint32_t o = (ma + col) & VGA_PLANE_MASK;
            uint32_t *shadow = &s->text_shadow[row * l->chars + col];
            uint32_t at = vga_plane_byte(s, o, 1);
            uint32_t state = vga_plane_byte(s, o, 0) | at << 8;

            if ((l->ar_mode & VGA_AR10_BLINK) && (at & 0x80) && !blink_on) {
                state |= CELL_HIDDEN;
            }
            if (cursor_en && o == (cursor & VGA_PLANE_MASK)) {
                state |= cursor_state;
            }
            if (!full && *shadow == state) {
                continue;
            }
            *shadow = state;
            vga_draw_cell(s, l, surf, col, row, state);
            if (x0 < 0) {
                x0 = col;
            }
            x1 = col;
        }
        if (x0 >= 0) {
            dpy_gfx_update(s->con, x0 * l->cwidth, row * l->cheight,
                           (x1 - x0 + 1) * l->cwidth, l->cheight);
            lines += l->cheight;
        }
    }
    return lines;
}

/* ---- graphics ------------------------------------------------------------------ */

/*
 * The plane offset scan line y of the surface starts at: the CRTC's
 * memory address counter (MA) for that line, with the line compare
 * split (the lines after it start again at 0) and the CGA/Hercules
 * interleave (CR17 bits 0 and 1 put row scan bits 0 and 1 on memory
 * address bits 13 and 14, counted before the word/dword mode shift,
 * which the dense plane layout takes out).
 */
static uint32_t vga_line_address(VGACommonState *s, const VGALayout *l,
                                 int y)
{
    int ds = l->double_scan ? 2 : 1;
    int rep = (l->cga_interleave || l->hgc_interleave) ? 1 : l->msl;
    int phys = y * rep * ds;
    uint32_t base = l->start, ma;
    int sl, shift;

    if (phys > l->line_compare) {
        base = 0;
        sl = (phys - l->line_compare - 1) / ds;
    } else {
        sl = phys / ds;
    }
    ma = base + (sl / l->msl) * l->line_offset;
    if (s->cr[VGA_CRTC_UNDERLINE] & VGA_CR14_DWORD) {
        shift = 2;
    } else {
        shift = (s->cr[VGA_CRTC_MODE] & VGA_CR17_WORD_BYTE) ? 0 : 1;
    }
    if (l->cga_interleave) {
        ma = (ma & ~(1u << (13 - shift))) | ((sl % l->msl) & 1) << (13 - shift);
    }
    if (l->hgc_interleave) {
        ma = (ma & ~(1u << (14 - shift))) |
             (((sl % l->msl) >> 1) & 1) << (14 - shift);
    }
    return ma & VGA_PLANE_MASK;
}

static void vga_draw_line(VGACommonState *s, const VGALayout *l,
                          uint32_t ma, uint32_t *d)
{
    switch (l->kind) {
    case VGA_MODE_PLANAR:
        for (int c = 0; c < l->chars; c++) {
            uint32_t w = *(uint32_t *)(s->vram_ptr +
                                       ((ma + c) & VGA_PLANE_MASK) * 4);
            for (int b = 7; b >= 0; b--) {
                unsigned idx = ((w >> b) & 1) | ((w >> (b + 7)) & 2) |
                               ((w >> (b + 14)) & 4) | ((w >> (b + 21)) & 8);
                *d++ = s->text_rgb[idx & l->plane_enable];
            }
        }
        break;
    case VGA_MODE_CGA2:
        /* Planes 0 and 1 hold four 2-bit pixels each, first pixel in the
         * top bits (the CGA's 320x200 format). */
        for (int c = 0; c < l->chars; c++) {
            uint32_t o = (ma + c) & VGA_PLANE_MASK;
            for (int p = 0; p < 2; p++) {
                unsigned v = vga_plane_byte(s, o, p);
                for (int b = 6; b >= 0; b -= 2) {
                    *d++ = s->text_rgb[((v >> b) & 3) & l->plane_enable];
                }
            }
        }
        break;
    case VGA_MODE_256:
        for (int c = 0; c < l->chars; c++) {
            const uint8_t *p = s->vram_ptr + ((ma + c) & VGA_PLANE_MASK) * 4;
            for (int b = 0; b < 4; b++) {
                *d++ = s->rgb[p[b]];
            }
        }
        break;
    default:
        break;
    }
}

static int vga_draw_graphics(VGACommonState *s, const VGALayout *l,
                             bool full)
{
    DisplaySurface *surf = console_surface(s->con);
    int lines = 0, y0 = -1;

    for (int y = 0; y <= l->height; y++) {
        bool draw = false;

        if (y < l->height) {
            uint32_t ma = vga_line_address(s, l, y);
            draw = full || vga_planes_dirty(s, ma, l->chars);
            if (draw) {
                vga_draw_line(s, l, ma, surface_row(surf, y));
                lines++;
                if (y0 < 0) {
                    y0 = y;
                }
            }
        }
        if (!draw && y0 >= 0) {
            dpy_gfx_update(s->con, 0, y0, l->width, y - y0);
            y0 = -1;
        }
    }
    return lines;
}

static int vga_draw_vbe(VGACommonState *s, const VGALayout *l, bool full)
{
    DisplaySurface *surf = console_surface(s->con);
    uint32_t span = l->width * pixel_bytes(l->bpp);
    int lines = 0, y0 = -1;

    for (int y = 0; y <= l->height; y++) {
        bool draw = false;

        if (y < l->height) {
            uint64_t off = l->start + (uint64_t)y * l->line_offset;
            bool inside = off + span <= s->vram_size;

            draw = full || (inside && vga_range_dirty(s, off, span));
            if (draw && s->surface_shared) {
                /* The surface is the framebuffer: nothing to convert. */
                lines++;
                if (y0 < 0) {
                    y0 = y;
                }
            } else if (draw) {
                uint32_t *d = surface_row(surf, y);
                if (inside) {
                    pixel_convert_line(d, s->vram_ptr + off, l->width,
                                       l->bpp, s->rgb);
                } else {
                    memset(d, 0, l->width * 4);
                }
                lines++;
                if (y0 < 0) {
                    y0 = y;
                }
            }
        }
        if (!draw && y0 >= 0) {
            dpy_gfx_update(s->con, 0, y0, l->width, y - y0);
            y0 = -1;
        }
    }
    return lines;
}

/* ---- the update ----------------------------------------------------------------- */

/*
 * A 32 bpp VBE mode whose lines are 4-byte aligned is already in the
 * surfaces' format: the surface can be the framebuffer itself (where the
 * visible screen starts), and updates only report what changed.
 */
static uint8_t *vga_shared_base(VGACommonState *s, const VGALayout *l)
{
    if (l->kind != VGA_MODE_VBE || l->bpp != 32 || (l->start & 3) ||
        (l->line_offset & 3) ||
        (uint64_t)l->start + (uint64_t)(l->height - 1) * l->line_offset +
        (uint64_t)l->width * 4 > s->vram_size) {
        return NULL;
    }
    return s->vram_ptr + l->start;
}

void vga_update_display(void *opaque)
{
    VGACommonState *s = opaque;
    DisplaySurface *surf = console_surface(s->con);
    uint32_t rgb[256], attr_rgb[16];
    VGALayout l;
    bool full = s->full_update;
    int lines = 0;
    uint8_t *shared;

    s->updates++;
    vga_compute_layout(s, &l);
    if (memcmp(&l, &s->layout, sizeof(l))) {
        full = true;
    }
    shared = vga_shared_base(s, &l);
    if (surface_width(surf) != l.width || surface_height(surf) != l.height ||
        shared != s->surface_shared ||
        (shared && surface_stride(surf) != (int)l.line_offset)) {
        s->surface_shared = shared;
        dpy_gfx_replace_surface(s->con, shared
            ? display_surface_new_from(l.width, l.height, l.line_offset,
                                       shared)
            : display_surface_new(l.width, l.height));
        surf = console_surface(s->con);
        full = true;
    }
    vga_build_rgb(s, rgb);
    vga_build_attr_rgb(s, rgb, attr_rgb);
    if (l.kind != VGA_MODE_VBE || l.bpp == 8) {
        if (memcmp(rgb, s->rgb, sizeof(rgb)) ||
            memcmp(attr_rgb, s->text_rgb, sizeof(attr_rgb))) {
            full = true;
        }
    }
    memcpy(s->rgb, rgb, sizeof(rgb));
    memcpy(s->text_rgb, attr_rgb, sizeof(attr_rgb));
    s->layout = l;
    s->full_update = false;

    if (full && l.kind == VGA_MODE_TEXT) {
        /* Start the font comparison afresh. */
        vga_font_copy(s, l.font_base[0], s->font_drawn[0]);
        vga_font_copy(s, l.font_base[1], s->font_drawn[1]);
    }
    switch (l.kind) {
    case VGA_MODE_VBE:
        vga_dirty_snapshot(s, l.start, (uint64_t)l.height * l.line_offset);
        lines = vga_draw_vbe(s, &l, full);
        break;
    case VGA_MODE_TEXT:
        vga_dirty_snapshot(s, 0, VGA_VRAM_PAGES * PAGE_SIZE_VRAM);
        lines = vga_draw_text(s, &l, full);
        break;
    case VGA_MODE_PLANAR:
    case VGA_MODE_CGA2:
    case VGA_MODE_256:
        vga_dirty_snapshot(s, 0, VGA_VRAM_PAGES * PAGE_SIZE_VRAM);
        lines = vga_draw_graphics(s, &l, full);
        break;
    default:
        if (full) {
            for (int y = 0; y < l.height; y++) {
                memset(surface_row(surf, y), 0, l.width * 4);
            }
            dpy_gfx_update(s->con, 0, 0, l.width, l.height);
            lines = l.height;
        }
        break;
    }
    console_count_rendered_lines(s->con, lines);
}

void vga_invalidate_display(void *opaque)
{
    VGACommonState *s = opaque;

    s->full_update = true;
}

static const GraphicHwOps vga_hw_ops = {
    .invalidate = vga_invalidate_display,
    .gfx_update = vga_update_display,
};

void vga_render_init(VGACommonState *s)
{
    s->text_shadow = g_new0(uint32_t, VGA_TEXT_MAX_CELLS);
    s->dirty_pages = g_malloc0(DIV_ROUND_UP(s->vram_size, PAGE_SIZE_VRAM));
    s->con = graphic_console_init(s->owner, "VGA", &vga_hw_ops, s);
    s->full_update = true;
}

void vga_render_exit(VGACommonState *s)
{
    graphic_console_close(s->con);
    s->con = NULL;
    s->surface_shared = NULL;
    g_free(s->text_shadow);
    g_free(s->dirty_pages);
}
