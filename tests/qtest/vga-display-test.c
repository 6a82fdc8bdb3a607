/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What std-vga shows, checked pixel by pixel through the qtest
 * screendump: text mode against Ember's font (cursor, blink, underline,
 * the ninth column, 8-dot and 8-line characters, a loaded font, the start
 * address), modes 12h and 13h, Bochs VBE in every depth, panning and
 * 1920x1080; and the dirty tracking: only changed lines are rendered and
 * only changed rectangles reported.
 */
#include "vga-common.h"
#include "hw/display/vga-font.h"
#include <string.h>

/* Mode 3: 449 lines of 100 9-dot characters at 28.322 MHz. */
#define MODE3_FRAME_NS 14268060LL

typedef struct TextExpect {
    int cw, chh;                /* character width and height */
    bool blink_enabled, blink_on, line_gfx;
    int underline;              /* CR14 row */
    int cursor_cell, cs, ce;    /* -1: no cursor */
    const uint8_t *font;        /* 32 bytes a glyph, 256 glyphs */
} TextExpect;

static uint32_t text_px(const TextExpect *t, int cell, unsigned c,
                        unsigned a, int x, int r)
{
    unsigned fg = a & 15, bg = a >> 4;
    unsigned bits = t->font[c * 32 + r];
    bool on, full = false;

    if (t->blink_enabled) {
        bg &= 7;
        if ((a & 0x80) && !t->blink_on) {
            fg = bg;
        }
    }
    if (((a & 0x77) == 0x01 && r == t->underline) ||
        (cell == t->cursor_cell && r >= t->cs && r <= t->ce)) {
        full = true;
    }
    if (full) {
        on = true;
    } else if (x < 8) {
        on = bits & (0x80 >> x);
    } else {
        on = t->line_gfx && c >= 0xc0 && c <= 0xdf && (bits & 1);
    }
    return vga_text_rgb(on ? fg : bg);
}

/* The font as reset loads it, in the VGA's 32-bytes-a-glyph layout. */
static uint8_t *default_font(void)
{
    uint8_t *f = g_malloc0(256 * 32);

    for (int c = 0; c < 256; c++) {
        memcpy(f + c * 32, vga_font_8x16 + c * 16, 16);
    }
    return f;
}

/* Compare a text screen of cols x rows cells at start (cells) with the
 * characters in mem (code, attribute pairs). */
static void check_text(QTestState *s, const TextExpect *t, int cols,
                       int rows, const uint8_t *mem)
{
    VGAShot *shot = vga_screendump(s);
    int bad = 0;

    g_assert_cmpint(shot->width, ==, cols * t->cw);
    g_assert_cmpint(shot->height, ==, rows * t->chh);
    for (int cell = 0; cell < cols * rows; cell++) {
        unsigned c = mem[2 * cell], a = mem[2 * cell + 1];
        int cx = (cell % cols) * t->cw, cy = (cell / cols) * t->chh;

        for (int r = 0; r < t->chh; r++) {
            for (int x = 0; x < t->cw; x++) {
                uint32_t want = text_px(t, cell, c, a, x, r);
                uint32_t got = vga_px(shot, cx + x, cy + r);
                if (want != got && bad++ < 5) {
                    g_test_message("cell %d (char 0x%02x attr 0x%02x) "
                                   "x %d row %d: got %06x want %06x", cell,
                                   c, a, x, r, got, want);
                }
            }
        }
    }
    g_assert_cmpint(bad, ==, 0);
    vga_shot_free(shot);
}

static TextExpect mode3_expect(const uint8_t *font)
{
    TextExpect t = {
        .cw = 9, .chh = 16, .blink_enabled = true, .blink_on = true,
        .line_gfx = true, .underline = 0x1f, .cursor_cell = 0, .cs = 13,
        .ce = 14, .font = font,
    };
    return t;
}

static void fill_text(QTestState *s, uint8_t *mem, int cells, unsigned seed)
{
    for (int i = 0; i < cells; i++) {
        mem[2 * i] = (i * 7 + seed) & 0xff;
        mem[2 * i + 1] = (i * 13 + seed * 3) & 0xff;
    }
    qtest_memwrite(s, 0xb8000, mem, 2 * cells);
}

static void test_text_mode3(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *font = default_font();
    uint8_t mem[4000];
    TextExpect t = mode3_expect(font);

    /* Every character code, every attribute, on the 80x25 screen. */
    fill_text(s, mem, 2000, 0);
    check_text(s, &t, 80, 25, mem);
    qtest_quit(s);
}

static void test_text_blink_cursor(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *font = default_font();
    uint8_t mem[4000];
    TextExpect t = mode3_expect(font);

    fill_text(s, mem, 2000, 5);
    /* Cursor at row 3, column 7. */
    vga_cr_write(s, VGA_CRTC_CURSOR_HI, 0);
    vga_cr_write(s, VGA_CRTC_CURSOR_LO, 3 * 80 + 7);
    t.cursor_cell = 3 * 80 + 7;
    /* Half way through the cursor's first "on" half-period (8 frames). */
    qtest_clock_set(s, 4 * MODE3_FRAME_NS);
    check_text(s, &t, 80, 25, mem);
    /* Cursor off, characters still on. */
    qtest_clock_set(s, 12 * MODE3_FRAME_NS);
    t.cursor_cell = -1;
    check_text(s, &t, 80, 25, mem);
    /* Blinking characters off (16..31 frames), cursor on again. */
    qtest_clock_set(s, 20 * MODE3_FRAME_NS);
    t.blink_on = false;
    t.cursor_cell = 3 * 80 + 7;
    check_text(s, &t, 80, 25, mem);
    /* Blink disabled: bit 7 is background intensity instead. */
    vga_ar_write(s, VGA_ATC_MODE, 0x04);
    t.blink_enabled = false;
    check_text(s, &t, 80, 25, mem);
    /* A block cursor, then none. */
    vga_cr_write(s, VGA_CRTC_CURSOR_START, 0);
    vga_cr_write(s, VGA_CRTC_CURSOR_END, 15);
    t.cs = 0;
    t.ce = 15;
    check_text(s, &t, 80, 25, mem);
    vga_cr_write(s, VGA_CRTC_CURSOR_START, 0x20);
    t.cursor_cell = -1;
    check_text(s, &t, 80, 25, mem);
    qtest_quit(s);
}

static void test_text_ninth_underline_start(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *font = default_font();
    uint8_t mem[4000 + 160];
    TextExpect t = mode3_expect(font);
    VGAShot *shot;

    fill_text(s, mem, 2000, 9);
    /* Box drawing joins across the ninth column; letters do not. */
    mem[0] = 0xc4;
    mem[1] = 0x07;
    mem[2] = 0x41;
    mem[3] = 0x07;
    qtest_memwrite(s, 0xb8000, mem, 4);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 8, 8), ==, vga_text_rgb(7));
    g_assert_cmphex(vga_px(shot, 9 + 8, 8), ==, vga_text_rgb(0));
    vga_shot_free(shot);
    /* Without line graphics the ninth column is background. */
    vga_ar_write(s, VGA_ATC_MODE, 0x08);
    t.line_gfx = false;
    check_text(s, &t, 80, 25, mem);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 8, 8), ==, vga_text_rgb(0));
    vga_shot_free(shot);

    /* Underline on row 13 for attributes x0x1. */
    vga_cr_write(s, VGA_CRTC_UNDERLINE, 13);
    t.underline = 13;
    check_text(s, &t, 80, 25, mem);

    /* Start address one row down: row 1 is at the top. */
    for (int i = 0; i < 80; i++) {
        mem[4000 + 2 * i] = 'a' + i % 26;
        mem[4000 + 2 * i + 1] = 0x1e;
    }
    qtest_memwrite(s, 0xb8000 + 4000, mem + 4000, 160);
    vga_cr_write(s, VGA_CRTC_START_LO, 80);
    t.cursor_cell = -1;     /* the cursor (at 0) scrolled off */
    check_text(s, &t, 80, 25, mem + 160);
    qtest_quit(s);
}

static void test_text_8dot_8line_font(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *font = default_font();
    uint8_t mem[8000];
    TextExpect t = mode3_expect(font);
    static const uint8_t glyph[8] = {
        0x81, 0x42, 0x24, 0x18, 0x18, 0x24, 0x42, 0x81,
    };

    /* Load a glyph for 'X' the way a guest does: plane 2, sequential. */
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x04);
    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0x06);
    vga_gr_write(s, VGA_GFX_PLANE_READ, 2);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    vga_gr_write(s, VGA_GFX_MISC, 0x04);
    qtest_memwrite(s, 0xa0000 + 'X' * 32, glyph, 8);
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x03);
    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0x02);
    vga_gr_write(s, VGA_GFX_PLANE_READ, 0);
    vga_gr_write(s, VGA_GFX_MODE, 0x10);
    vga_gr_write(s, VGA_GFX_MISC, 0x0e);
    memcpy(font + 'X' * 32, glyph, 8);

    /* 8-line characters: 50 rows; 8-dot characters: 640 wide. */
    vga_cr_write(s, VGA_CRTC_MAX_SCAN, 0x47);
    vga_cr_write(s, VGA_CRTC_CURSOR_START, 6);
    vga_cr_write(s, VGA_CRTC_CURSOR_END, 7);
    vga_seq_write(s, VGA_SEQ_CLOCK_MODE, 0x01);
    fill_text(s, mem, 4000, 3);
    mem[0] = 'X';
    mem[1] = 0x4e;
    qtest_memwrite(s, 0xb8000, mem, 2);
    t.cw = 8;
    t.chh = 8;
    t.cs = 6;
    t.ce = 7;
    t.cursor_cell = 0;
    check_text(s, &t, 80, 50, mem);
    qtest_quit(s);
}

static void test_mode12(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *buf = g_malloc(80 * 64);
    VGAShot *shot;

    vga_set_mode(s, 0x12);
    /* Write mode 2: each byte's 8 pixels take the written colour. */
    vga_gr_write(s, VGA_GFX_MODE, 0x02);
    qtest_memset(s, 0xa0000, 0, 80 * 480);
    for (int i = 0; i < 80 * 64; i++) {
        buf[i] = (i % 80 + i / 80) & 15;
    }
    qtest_memwrite(s, 0xa0000, buf, 80 * 64);
    /* One pixel of colour 9 at (645 % 640... ) x=5, y=100, bit mask. */
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0x80 >> 5);
    qtest_readb(s, 0xa0000 + 100 * 80);
    qtest_writeb(s, 0xa0000 + 100 * 80, 9);
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, 640);
    g_assert_cmpint(shot->height, ==, 480);
    for (int y = 0; y < 480; y++) {
        for (int x = 0; x < 640; x++) {
            unsigned c = y < 64 ? (x / 8 + y) & 15 : 0;
            if (y == 100 && x == 5) {
                c = 9;
            }
            if (vga_px(shot, x, y) != vga_text_rgb(c)) {
                g_error("mode 12h pixel (%d,%d): got %06x want %06x", x, y,
                        vga_px(shot, x, y), vga_text_rgb(c));
            }
        }
    }
    vga_shot_free(shot);
    /* Colour plane enable masks planes out of the index. */
    vga_ar_write(s, VGA_ATC_PLANE_ENABLE, 0x03);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 5, 100), ==, vga_text_rgb(9 & 3));
    vga_shot_free(shot);
    qtest_quit(s);
}

static void test_mode13(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *buf = g_malloc(64000);
    VGAShot *shot;

    vga_set_mode(s, 0x13);
    for (int i = 0; i < 256; i++) {
        vga_dac_write(s, i, i & 63, (i * 3) & 63, (i * 7) & 63);
    }
    for (int i = 0; i < 64000; i++) {
        buf[i] = (i % 320 + 2 * (i / 320)) & 0xff;
    }
    qtest_memwrite(s, 0xa0000, buf, 64000);
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, 320);
    g_assert_cmpint(shot->height, ==, 200);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            unsigned i = buf[y * 320 + x];
            uint32_t want = vga_c6(i & 63) << 16 | vga_c6((i * 3) & 63) << 8 |
                            vga_c6((i * 7) & 63);
            if (vga_px(shot, x, y) != want) {
                g_error("mode 13h pixel (%d,%d): got %06x want %06x", x, y,
                        vga_px(shot, x, y), want);
            }
        }
    }
    vga_shot_free(shot);
    /* The pel mask applies to the index. */
    qtest_outb(s, VGA_PEL_MSK, 0x0f);
    shot = vga_screendump(s);
    {
        unsigned i = buf[10 * 320 + 77] & 0x0f;
        g_assert_cmphex(vga_px(shot, 77, 10), ==,
                        vga_c6(i & 63) << 16 | vga_c6((i * 3) & 63) << 8 |
                        vga_c6((i * 7) & 63));
    }
    vga_shot_free(shot);
    qtest_quit(s);
}

/* Unchained 256 colours ("mode X"): mode 13h with chain-4 and dword
 * mode off, byte mode on; pixel x lives in plane x & 3 at x / 4. */
static void test_mode_x(void)
{
    QTestState *s = vga_start(NULL);
    g_autofree uint8_t *row = g_malloc(80);
    VGAShot *shot;

    vga_set_mode(s, 0x13);
    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0x06);
    vga_cr_write(s, VGA_CRTC_UNDERLINE, 0x00);
    vga_cr_write(s, VGA_CRTC_MODE, 0xe3);
    for (int i = 0; i < 256; i++) {
        vga_dac_write(s, i, (i * 5) & 63, i & 63, (i >> 2) & 63);
    }
    for (int plane = 0; plane < 4; plane++) {
        vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 1 << plane);
        for (int y = 0; y < 200; y++) {
            for (int i = 0; i < 80; i++) {
                row[i] = (4 * i + plane + y) & 0xff;
            }
            qtest_memwrite(s, 0xa0000 + y * 80, row, 80);
        }
    }
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, 320);
    g_assert_cmpint(shot->height, ==, 200);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            unsigned i = (x + y) & 0xff;
            uint32_t want = vga_c6((i * 5) & 63) << 16 | vga_c6(i & 63) << 8 |
                            vga_c6((i >> 2) & 63);
            if (vga_px(shot, x, y) != want) {
                g_error("mode X pixel (%d,%d): got %06x want %06x", x, y,
                        vga_px(shot, x, y), want);
            }
        }
    }
    vga_shot_free(shot);
    /* Page flipping: the start address moves to a second page. */
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    qtest_memset(s, 0xa0000 + 16000, 0x2a, 16000);
    vga_cr_write(s, VGA_CRTC_START_HI, 16000 >> 8);
    vga_cr_write(s, VGA_CRTC_START_LO, 16000 & 0xff);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 123, 45), ==,
                    vga_c6((0x2a * 5) & 63) << 16 | vga_c6(0x2a) << 8 |
                    vga_c6(0x2a >> 2));
    vga_shot_free(shot);
    qtest_quit(s);
}

/* Bytes of pixel (x, y) of the VBE test pattern. */
static uint32_t vbe_pattern(int x, int y)
{
    return (x * 2654435761u) ^ (y * 40503u) ^ (x << 12) ^ (y << 20);
}

static uint32_t c5(unsigned v)
{
    v &= 31;
    return v << 3 | v >> 2;
}

static uint32_t vbe_expected(int bpp, uint32_t v, bool dac8)
{
    switch (bpp) {
    case 8: {
        unsigned i = v & 0xff;
        unsigned r = i & 63, g = (i * 5) & 63, b = (i * 11) & 63;
        if (dac8) {
            return (i ^ 0x5a) << 16 | ((i * 5) & 0xff) << 8 | (i & 0xf0);
        }
        return vga_c6(r) << 16 | vga_c6(g) << 8 | vga_c6(b);
    }
    case 15:
        return c5(v >> 10) << 16 | c5(v >> 5) << 8 | c5(v);
    case 16:
        return c5(v >> 11) << 16 | (((v >> 5) & 63) << 2 |
                                    ((v >> 5) & 63) >> 4) << 8 | c5(v);
    default:
        return v & 0xffffff;
    }
}

static void check_vbe(int bpp, bool dac8)
{
    QTestState *s = vga_start(NULL);
    int w = 640, h = 480, bytes = (bpp + 7) / 8;
    g_autofree uint8_t *buf = g_malloc(w * h * bytes);
    uint64_t fb = vga_fb_addr(s);
    VGAShot *shot;

    vbe_set_mode(s, w, h, bpp, VBE_DISPI_LFB_ENABLED |
                 (dac8 ? VBE_DISPI_8BIT_DAC : 0));
    for (int i = 0; i < 256; i++) {
        if (dac8) {
            vga_dac_write(s, i, i ^ 0x5a, (i * 5) & 0xff, i & 0xf0);
        } else {
            vga_dac_write(s, i, i & 63, (i * 5) & 63, (i * 11) & 63);
        }
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t v = vbe_pattern(x, y);
            for (int b = 0; b < bytes; b++) {
                buf[(y * w + x) * bytes + b] = v >> (8 * b);
            }
        }
    }
    qtest_memwrite(s, fb, buf, w * h * bytes);
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, w);
    g_assert_cmpint(shot->height, ==, h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t v = vbe_pattern(x, y);
            uint32_t want;
            if (bytes < 4) {
                v &= (1u << (8 * bytes)) - 1;
            }
            want = vbe_expected(bpp, v, dac8);
            if (vga_px(shot, x, y) != want) {
                g_error("%d bpp pixel (%d,%d): got %06x want %06x", bpp, x, y,
                        vga_px(shot, x, y), want);
            }
        }
    }
    vga_shot_free(shot);
    qtest_quit(s);
}

static void test_vbe_8(void)
{
    check_vbe(8, false);
}

static void test_vbe_8_dac8(void)
{
    check_vbe(8, true);
}

static void test_vbe_15(void)
{
    check_vbe(15, false);
}

static void test_vbe_16(void)
{
    check_vbe(16, false);
}

static void test_vbe_24(void)
{
    check_vbe(24, false);
}

static void test_vbe_32(void)
{
    check_vbe(32, false);
}

static void test_vbe_panning_and_big(void)
{
    QTestState *s = vga_start(NULL);
    uint64_t fb = vga_fb_addr(s);
    VGAShot *shot;

    /* 640x480x32 (the surface is the framebuffer itself), then the same
     * start with a 1024-pixel line: the new line length shows. */
    vbe_set_mode(s, 640, 480, 32, VBE_DISPI_LFB_ENABLED);
    qtest_writel(s, fb + 640 * 4, 0x0000aa);
    qtest_writel(s, fb + 1024 * 4, 0x00bb00);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 0, 1), ==, 0x0000aa);
    vga_shot_free(shot);
    vbe_write(s, VBE_DISPI_INDEX_VIRT_WIDTH, 1024);
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 0, 1), ==, 0x00bb00);
    vga_shot_free(shot);
    /* Panned to (16, 8). */
    vbe_write(s, VBE_DISPI_INDEX_X_OFFSET, 16);
    vbe_write(s, VBE_DISPI_INDEX_Y_OFFSET, 8);
    qtest_writel(s, fb + (8 * 1024 + 16) * 4, 0x123456);
    qtest_writel(s, fb + ((8 + 479) * 1024 + 16 + 639) * 4, 0xabcdef);
    qtest_writel(s, fb + (8 * 1024 + 15) * 4, 0xffffff);   /* off screen */
    shot = vga_screendump(s);
    g_assert_cmphex(vga_px(shot, 0, 0), ==, 0x123456);
    g_assert_cmphex(vga_px(shot, 639, 479), ==, 0xabcdef);
    g_assert_cmphex(vga_px(shot, 1, 0), ==, 0);
    vga_shot_free(shot);

    /* The largest common mode. */
    vbe_set_mode(s, 1920, 1080, 32, VBE_DISPI_LFB_ENABLED);
    qtest_writel(s, fb, 0x00ff00);
    qtest_writel(s, fb + (1079 * 1920 + 1919) * 4, 0x0000ff);
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, 1920);
    g_assert_cmpint(shot->height, ==, 1080);
    g_assert_cmphex(vga_px(shot, 0, 0), ==, 0x00ff00);
    g_assert_cmphex(vga_px(shot, 1919, 1079), ==, 0x0000ff);
    g_assert_cmphex(vga_px(shot, 1, 1), ==, 0);
    vga_shot_free(shot);

    /* A machine reset goes back to VGA text. */
    g_free(qtest_command(s, "system_reset"));
    shot = vga_screendump(s);
    g_assert_cmpint(shot->width, ==, 720);
    g_assert_cmpint(shot->height, ==, 400);
    vga_shot_free(shot);
    qtest_quit(s);
}

/* Only what changed is rendered and reported. */
static void test_dirty_tracking(void)
{
    QTestState *s = vga_start(NULL);
    uint64_t fb = vga_fb_addr(s);
    VGAUpdate u;

    /* Text: the first update draws all, then nothing; one character is
     * one 9x16 cell, 16 scan lines. */
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 400);
    g_assert_cmpint(u.width, ==, 720);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 0);
    g_assert_cmpint(u.rects, ==, 0);
    qtest_writeb(s, 0xb8000 + (5 * 80 + 10) * 2, 'Q');
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 16);
    g_assert_cmpint(u.rects, ==, 1);
    g_assert_cmpint(u.x, ==, 90);
    g_assert_cmpint(u.y, ==, 80);
    g_assert_cmpint(u.w, ==, 9);
    g_assert_cmpint(u.h, ==, 16);
    /* Writing the same value again changes nothing on screen. */
    qtest_writeb(s, 0xb8000 + (5 * 80 + 10) * 2, 'Q');
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 0);
    /* A palette change redraws everything. */
    vga_dac_write(s, 7, 63, 0, 0);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 400);
    /* The cursor moves: its old and new cells. */
    vga_cr_write(s, VGA_CRTC_CURSOR_LO, 81);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 32);
    g_assert_cmpint(u.rects, ==, 2);

    /* Mode 12h: a byte dirties the scan lines on its 4 KiB page of video
     * memory (1024 bytes of each plane: 12.8 lines of 80 bytes). */
    vga_set_mode(s, 0x12);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 480);
    g_assert_cmpint(u.switches, ==, 1);
    qtest_writeb(s, 0xa0000 + 200 * 80 + 3, 0xff);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, >=, 1);
    g_assert_cmpint(u.lines, <=, 14);
    g_assert_cmpint(u.y, <=, 200);
    g_assert_cmpint(u.y + u.h, >, 200);
    g_assert_cmpint(u.w, ==, 640);

    /* VBE 32 bpp: a pixel dirties the lines sharing its 4 KiB page. */
    vbe_set_mode(s, 640, 480, 32, VBE_DISPI_LFB_ENABLED);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 480);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 0);
    qtest_writel(s, fb + (100 * 640 + 10) * 4, 0xffffff);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, >=, 1);
    g_assert_cmpint(u.lines, <=, 3);
    g_assert_cmpint(u.y, <=, 100);
    g_assert_cmpint(u.y + u.h, >, 100);
    g_assert_cmpint(u.h, ==, u.lines);
    /* The palette does not matter at 32 bpp. */
    vga_dac_write(s, 1, 1, 2, 3);
    vga_display_update(s, &u);
    g_assert_cmpint(u.lines, ==, 0);
    /* Writes far apart: separate rectangles. */
    qtest_writel(s, fb + (10 * 640) * 4, 1);
    qtest_writel(s, fb + (400 * 640) * 4, 1);
    vga_display_update(s, &u);
    g_assert_cmpint(u.rects, ==, 2);
    g_assert_cmpint(u.lines, <=, 6);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vga/text/mode3", test_text_mode3);
    g_test_add_func("/vga/text/blink-cursor", test_text_blink_cursor);
    g_test_add_func("/vga/text/ninth-underline-start",
                    test_text_ninth_underline_start);
    g_test_add_func("/vga/text/8dot-8line-font", test_text_8dot_8line_font);
    g_test_add_func("/vga/mode12", test_mode12);
    g_test_add_func("/vga/mode13", test_mode13);
    g_test_add_func("/vga/mode-x", test_mode_x);
    g_test_add_func("/vga/vbe/8", test_vbe_8);
    g_test_add_func("/vga/vbe/8-dac8", test_vbe_8_dac8);
    g_test_add_func("/vga/vbe/15", test_vbe_15);
    g_test_add_func("/vga/vbe/16", test_vbe_16);
    g_test_add_func("/vga/vbe/24", test_vbe_24);
    g_test_add_func("/vga/vbe/32", test_vbe_32);
    g_test_add_func("/vga/vbe/panning-and-big", test_vbe_panning_and_big);
    g_test_add_func("/vga/dirty-tracking", test_dirty_tracking);
    return g_test_run();
}
