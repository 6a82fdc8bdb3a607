/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for the VGA device tests (vga-common.h). */
#include "vga-common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

QTestState *vga_start(const char *extra)
{
    return qtest_startf("-vga std %s", extra ? extra : "");
}

uint8_t vga_seq_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, VGA_SEQ_I, idx);
    return qtest_inb(s, VGA_SEQ_D);
}

void vga_seq_write(QTestState *s, uint8_t idx, uint8_t v)
{
    qtest_outb(s, VGA_SEQ_I, idx);
    qtest_outb(s, VGA_SEQ_D, v);
}

uint8_t vga_gr_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, VGA_GFX_I, idx);
    return qtest_inb(s, VGA_GFX_D);
}

void vga_gr_write(QTestState *s, uint8_t idx, uint8_t v)
{
    qtest_outb(s, VGA_GFX_I, idx);
    qtest_outb(s, VGA_GFX_D, v);
}

uint8_t vga_cr_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, VGA_CRT_IC, idx);
    return qtest_inb(s, VGA_CRT_DC);
}

void vga_cr_write(QTestState *s, uint8_t idx, uint8_t v)
{
    qtest_outb(s, VGA_CRT_IC, idx);
    qtest_outb(s, VGA_CRT_DC, v);
}

uint8_t vga_ar_read(QTestState *s, uint8_t idx)
{
    uint8_t v;

    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, idx | VGA_AR_ENABLE_DISPLAY);
    v = qtest_inb(s, VGA_ATT_R);
    qtest_inb(s, VGA_IS1_RC);
    return v;
}

void vga_ar_write(QTestState *s, uint8_t idx, uint8_t v)
{
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, idx);
    qtest_outb(s, VGA_ATT_W, v);
    qtest_outb(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
}

void vga_dac_write(QTestState *s, uint8_t idx, uint8_t r, uint8_t g,
                   uint8_t b)
{
    qtest_outb(s, VGA_PEL_IW, idx);
    qtest_outb(s, VGA_PEL_D, r);
    qtest_outb(s, VGA_PEL_D, g);
    qtest_outb(s, VGA_PEL_D, b);
}

typedef struct ModeTable {
    int mode;
    uint8_t misc;
    uint8_t sr[5];
    uint8_t cr[VGA_CRTC_REGS];
    uint8_t gr[VGA_GFX_REGS];
    uint8_t ar[VGA_ATC_REGS];
} ModeTable;

/* IBM VGA BIOS parameter tables for the three modes the tests use. */
static const ModeTable modes[] = {
    { 0x03, 0x67, { 0x03, 0x00, 0x03, 0x00, 0x02 },
      { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d,
        0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96,
        0xb9, 0xa3, 0xff },
      { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
      { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
        0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 } },
    { 0x12, 0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
      { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xea, 0x0c, 0xdf, 0x28, 0x00, 0xe7,
        0x04, 0xe3, 0xff },
      { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
      { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
        0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 } },
    { 0x13, 0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
      { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96,
        0xb9, 0xa3, 0xff },
      { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
      { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 } },
};

void vga_set_mode(QTestState *s, int mode)
{
    const ModeTable *m = NULL;

    for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (modes[i].mode == mode) {
            m = &modes[i];
        }
    }
    g_assert_nonnull(m);
    qtest_outb(s, VGA_MIS_W, m->misc);
    for (int i = 0; i < 5; i++) {
        vga_seq_write(s, i, m->sr[i]);
    }
    /* Unlock CR0-CR7 first (CR11 bit 7), as a BIOS does. */
    vga_cr_write(s, VGA_CRTC_V_SYNC_END, 0);
    for (int i = 0; i < VGA_CRTC_REGS; i++) {
        vga_cr_write(s, i, m->cr[i]);
    }
    for (int i = 0; i < VGA_GFX_REGS; i++) {
        vga_gr_write(s, i, m->gr[i]);
    }
    qtest_inb(s, VGA_IS1_RC);
    for (int i = 0; i < VGA_ATC_REGS; i++) {
        qtest_outb(s, VGA_ATT_W, i);
        qtest_outb(s, VGA_ATT_W, m->ar[i]);
    }
    qtest_outb(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
}

uint16_t vbe_read(QTestState *s, uint16_t idx)
{
    qtest_outw(s, VBE_DISPI_IOPORT_INDEX, idx);
    return qtest_inw(s, VBE_DISPI_IOPORT_DATA);
}

void vbe_write(QTestState *s, uint16_t idx, uint16_t v)
{
    qtest_outw(s, VBE_DISPI_IOPORT_INDEX, idx);
    qtest_outw(s, VBE_DISPI_IOPORT_DATA, v);
}

void vbe_set_mode(QTestState *s, int xres, int yres, int bpp,
                  uint16_t flags)
{
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, 0);
    vbe_write(s, VBE_DISPI_INDEX_XRES, xres);
    vbe_write(s, VBE_DISPI_INDEX_YRES, yres);
    vbe_write(s, VBE_DISPI_INDEX_BPP, bpp);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | flags);
}

uint64_t vga_fb_addr(QTestState *s)
{
    QPCIBar bar = qpci_bar(s, VGA_DEVFN, PCI_VGA_BAR_FB);

    g_assert_false(bar.is_io);
    g_assert_cmphex(bar.addr, !=, 0);
    return bar.addr;
}

uint64_t vga_mmio_addr(QTestState *s)
{
    QPCIBar bar = qpci_bar(s, VGA_DEVFN, PCI_VGA_BAR_MMIO);

    g_assert_false(bar.is_io);
    g_assert_cmphex(bar.addr, !=, 0);
    return bar.addr;
}

static char *next_token(char **p)
{
    char *t;

    for (;;) {
        while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r') {
            (*p)++;
        }
        if (**p != '#') {
            break;
        }
        while (**p && **p != '\n') {
            (*p)++;
        }
    }
    t = *p;
    while (**p && **p != ' ' && **p != '\n' && **p != '\t' && **p != '\r') {
        (*p)++;
    }
    if (**p) {
        *(*p)++ = 0;
    }
    return t;
}

VGAShot *vga_screendump(QTestState *s)
{
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    g_autofree char *reply = NULL;
    VGAShot *shot = g_new0(VGAShot, 1);
    gsize len;
    char *p;
    const uint8_t *px;
    int fd = g_file_open_tmp("vga-shot-XXXXXX.ppm", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    reply = qtest_command(s, "screendump %s", path);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    unlink(path);
    p = data;
    g_assert_cmpstr(next_token(&p), ==, "P6");
    shot->width = atoi(next_token(&p));
    shot->height = atoi(next_token(&p));
    g_assert_cmpstr(next_token(&p), ==, "255");
    px = (const uint8_t *)p;
    g_assert_cmpuint(len - (p - data), ==,
                     (gsize)shot->width * shot->height * 3);
    shot->px = g_new(uint32_t, shot->width * shot->height);
    for (int i = 0; i < shot->width * shot->height; i++) {
        shot->px[i] = px[3 * i] << 16 | px[3 * i + 1] << 8 | px[3 * i + 2];
    }
    return shot;
}

void vga_shot_free(VGAShot *shot)
{
    if (shot) {
        g_free(shot->px);
        g_free(shot);
    }
}

void vga_display_update(QTestState *s, VGAUpdate *u)
{
    g_autofree char *reply = qtest_command(s, "display_update");
    int n = sscanf(reply, "OK lines=%ld rects=%ld pixels=%ld x=%d y=%d "
                   "w=%d h=%d width=%d height=%d switches=%ld", &u->lines,
                   &u->rects, &u->pixels, &u->x, &u->y, &u->w, &u->h,
                   &u->width, &u->height, &u->switches);

    g_assert_cmpint(n, ==, 10);
}

uint32_t vga_ega_rgb(unsigned i)
{
    unsigned r = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15;
    unsigned g = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15;
    unsigned b = (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15;

    return vga_c6(r) << 16 | vga_c6(g) << 8 | vga_c6(b);
}

uint32_t vga_text_rgb(unsigned i)
{
    static const uint8_t ar[16] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
        0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    };

    return vga_ega_rgb(ar[i & 15]);
}
