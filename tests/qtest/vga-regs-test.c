/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * std-vga registers: PCI identity and BARs, the reset state (mode 3),
 * register masks and protection, the attribute flip-flop, the DAC,
 * mono/colour port decoding, retrace timing, the memory window's
 * addressing, write and read modes, the BAR 2 register window and the
 * Bochs VBE registers, including values a hostile guest writes.
 */
#include "vga-common.h"
#include <string.h>
#include <sys/wait.h>

static void test_pci_identity(void)
{
    QTestState *s = vga_start("-device VGA,vgamem_mb=8,addr=5 -vga none");
    int devfn = qpci_find_device(s, PCI_VGA_VENDOR_ID, PCI_VGA_DEVICE_ID);

    g_assert_cmpint(devfn, ==, QPCI_DEVFN(5, 0));
    g_assert_cmphex(qpci_config_readw(s, devfn, 0x0a), ==, 0x0300);
    g_assert_cmpuint(qpci_bar_size(s, devfn, PCI_VGA_BAR_FB), ==, 8 << 20);
    g_assert_cmpuint(qpci_bar_size(s, devfn, PCI_VGA_BAR_MMIO), ==, 4096);
    /* The framebuffer BAR is prefetchable memory. */
    g_assert_cmphex(qpci_config_readl(s, devfn, 0x10) & 0xf, ==, 0x8);
    g_assert_cmpuint(qpci_bar_size(s, devfn, 1), ==, 0);
    qtest_quit(s);
}

static void test_default_and_none(void)
{
    QTestState *s = vga_start(NULL);

    /* -vga std puts it at 00:02.0, as QEMU's PC does. */
    g_assert_cmphex(qpci_config_readw(s, VGA_DEVFN, 0), ==, 0x1234);
    g_assert_cmphex(qpci_config_readw(s, VGA_DEVFN, 2), ==, 0x1111);
    g_assert_cmpuint(qpci_bar_size(s, VGA_DEVFN, PCI_VGA_BAR_FB), ==,
                     16 << 20);
    qtest_quit(s);

    /* Without a VGA nothing answers at the VGA ports or window. */
    s = qtest_start("-vga none");
    g_assert_cmphex(qtest_inb(s, VGA_MIS_R), ==, 0xff);
    g_assert_cmphex(qpci_config_readw(s, VGA_DEVFN, 0), ==, 0xffff);
    qtest_writeb(s, 0xb8000, 0x41);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0x41);    /* plain RAM */
    qtest_quit(s);
}

static void test_reset_state(void)
{
    static const uint8_t cr[VGA_CRTC_REGS] = {
        0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d,
        0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96,
        0xb9, 0xa3, 0xff,
    };
    QTestState *s = vga_start(NULL);

    g_assert_cmphex(qtest_inb(s, VGA_MIS_R), ==, 0x67);
    g_assert_cmphex(vga_seq_read(s, VGA_SEQ_MEMORY_MODE), ==, 0x02);
    g_assert_cmphex(vga_seq_read(s, VGA_SEQ_PLANE_WRITE), ==, 0x03);
    for (int i = 0; i < VGA_CRTC_REGS; i++) {
        g_assert_cmphex(vga_cr_read(s, i), ==, cr[i]);
    }
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_MODE), ==, 0x10);
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_MISC), ==, 0x0e);
    g_assert_cmphex(vga_ar_read(s, 6), ==, 0x14);
    g_assert_cmphex(vga_ar_read(s, VGA_ATC_MODE), ==, 0x0c);
    /* The font is in plane 2: read it back through the planar window. */
    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0x06);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    vga_gr_write(s, VGA_GFX_MISC, 0x04);
    vga_gr_write(s, VGA_GFX_PLANE_READ, 2);
    {
        uint8_t nonzero = 0;
        /* 'A' (0x41): some rows lit, and rows 16-31 of the slot empty. */
        for (int r = 0; r < 16; r++) {
            nonzero |= qtest_readb(s, 0xa0000 + 0x41 * 32 + r);
        }
        g_assert_cmphex(nonzero, !=, 0);
        for (int r = 16; r < 32; r++) {
            g_assert_cmphex(qtest_readb(s, 0xa0000 + 0x41 * 32 + r), ==, 0);
        }
        /* The space is blank, the full block is all ones. */
        for (int r = 0; r < 16; r++) {
            g_assert_cmphex(qtest_readb(s, 0xa0000 + 0x20 * 32 + r), ==, 0);
            g_assert_cmphex(qtest_readb(s, 0xa0000 + 0xdb * 32 + r), ==,
                            0xff);
        }
    }
    qtest_quit(s);
}

static void test_register_masks(void)
{
    QTestState *s = vga_start(NULL);

    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0xff);
    g_assert_cmphex(vga_seq_read(s, VGA_SEQ_MEMORY_MODE), ==, 0x0e);
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0xff);
    g_assert_cmphex(vga_seq_read(s, VGA_SEQ_PLANE_WRITE), ==, 0x0f);
    vga_gr_write(s, VGA_GFX_PLANE_READ, 0xff);
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_PLANE_READ), ==, 0x03);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0xff);
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_DATA_ROTATE), ==, 0x1f);
    /* Index registers read back; a word OUT is index then data. */
    qtest_outw(s, VGA_GFX_I, 0x5508);
    g_assert_cmphex(qtest_inb(s, VGA_GFX_I), ==, 0x08);
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_BIT_MASK), ==, 0x55);
    /* Registers that do not exist neither crash nor stick. */
    vga_gr_write(s, 0x0c, 0x12);
    g_assert_cmphex(vga_gr_read(s, 0x0c), ==, 0x00);
    vga_ar_write(s, 0x1f, 0x12);
    g_assert_cmphex(vga_ar_read(s, 0x1f), ==, 0x00);
    qtest_quit(s);
}

static void test_crtc_protect(void)
{
    QTestState *s = vga_start(NULL);

    /* After reset CR11 bit 7 protects CR0-CR7 (CR7 bit 4 excepted). */
    vga_cr_write(s, VGA_CRTC_H_TOTAL, 0x12);
    g_assert_cmphex(vga_cr_read(s, VGA_CRTC_H_TOTAL), ==, 0x5f);
    vga_cr_write(s, VGA_CRTC_OVERFLOW, 0x00);
    g_assert_cmphex(vga_cr_read(s, VGA_CRTC_OVERFLOW), ==, 0x0f);
    vga_cr_write(s, VGA_CRTC_OFFSET, 0x30);     /* CR13 is not protected */
    g_assert_cmphex(vga_cr_read(s, VGA_CRTC_OFFSET), ==, 0x30);
    vga_cr_write(s, VGA_CRTC_V_SYNC_END, 0x0e);
    vga_cr_write(s, VGA_CRTC_H_TOTAL, 0x12);
    g_assert_cmphex(vga_cr_read(s, VGA_CRTC_H_TOTAL), ==, 0x12);
    qtest_quit(s);
}

static void test_attribute_flipflop(void)
{
    QTestState *s = vga_start(NULL);

    /* Reading input status 1 puts the flip-flop in index state. */
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, 0x03);
    qtest_outb(s, VGA_ATT_W, 0x2a);
    /* The next write is an index again. */
    qtest_outb(s, VGA_ATT_W, 0x24);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_W), ==, 0x24);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x04);
    /* Mid-pair, a status read resets it: 0x23 is taken as an index. */
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, 0x23);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x2a);
    qtest_outb(s, VGA_ATT_W, 0x3f);             /* data: 6 bits kept */
    g_assert_cmphex(vga_ar_read(s, 3), ==, 0x3f);
    qtest_quit(s);
}

static void test_dac(void)
{
    QTestState *s = vga_start(NULL);

    /* The EGA default palette: entry 0x14 is brown, 0x3f white. */
    qtest_outb(s, VGA_PEL_IR, 0x14);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IR), ==, 3);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x2a);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x15);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x00);
    /* Auto-increment to 0x15, then 0x16 (0x2a 0x2a 0x00 at 0x16). */
    qtest_inb(s, VGA_PEL_D);
    qtest_inb(s, VGA_PEL_D);
    qtest_inb(s, VGA_PEL_D);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x2a);
    /* Writes: 6 bits per channel, index auto-increments. */
    qtest_outb(s, VGA_PEL_IW, 0xfe);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IR), ==, 0);
    for (int i = 0; i < 6; i++) {
        qtest_outb(s, VGA_PEL_D, 0xc0 | (i * 9));
    }
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IW), ==, 0x00);
    qtest_outb(s, VGA_PEL_IR, 0xfe);
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, (i * 9) & 0x3f);
    }
    qtest_outb(s, VGA_PEL_MSK, 0x0f);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_MSK), ==, 0x0f);
    qtest_quit(s);
}

static void test_mono_decode(void)
{
    QTestState *s = vga_start(NULL);

    vga_cr_write(s, VGA_CRTC_OFFSET, 0x33);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_IM), ==, 0xff);
    /* Misc bit 0 clear: the CRTC moves to 0x3b4 and 0x3d4 goes away. */
    qtest_outb(s, VGA_MIS_W, 0x66);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_IC), ==, 0xff);
    qtest_outb(s, VGA_CRT_IM, VGA_CRTC_OFFSET);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_DM), ==, 0x33);
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC), ==, 0xff);
    qtest_outb(s, VGA_MIS_W, 0x67);
    g_assert_cmphex(vga_cr_read(s, VGA_CRTC_OFFSET), ==, 0x33);
    qtest_quit(s);
}

/*
 * The retrace bits move with the virtual clock: sampled every 20 us over
 * 60 ms of mode 3 (70 Hz), vertical retrace comes once per frame for a
 * short time, the display is off whenever it runs, and the starts are
 * one frame (14.27 ms: 449 lines of 900 dots at 28.322 MHz) apart.
 */
static void test_retrace(void)
{
    QTestState *s = vga_start(NULL);
    int64_t t0 = qtest_clock_step(s, 0), starts[8];
    int nstarts = 0, in_retrace = 0, blank = 0, samples = 3000;
    bool prev = true;

    for (int i = 0; i < samples; i++) {
        uint8_t st = qtest_inb(s, VGA_IS1_RC);
        bool vr = st & VGA_IS1_VRETRACE;

        if (vr) {
            in_retrace++;
            g_assert_true(st & VGA_IS1_DISPLAY_OFF);
            if (!prev && nstarts < 8) {
                starts[nstarts++] = t0 + i * 20000;
            }
        }
        blank += !!(st & VGA_IS1_DISPLAY_OFF);
        prev = vr;
        qtest_clock_step(s, 20000);
    }
    g_assert_cmpint(nstarts, >=, 3);
    g_assert_cmpint(in_retrace, >, 0);
    g_assert_cmpint(in_retrace, <, samples / 20);
    /* Horizontal and vertical blanking together: well under half. */
    g_assert_cmpint(blank, >, in_retrace);
    g_assert_cmpint(blank, <, samples / 2);
    for (int i = 1; i < nstarts; i++) {
        int64_t d = starts[i] - starts[i - 1];
        g_assert_cmpint(d, >=, 14268000 - 20000);
        g_assert_cmpint(d, <=, 14268000 + 20000);
    }
    qtest_quit(s);
}

/* Planar mode with the A0000 window, as mode 12h sets it. */
static void planar_setup(QTestState *s)
{
    vga_seq_write(s, VGA_SEQ_MEMORY_MODE, 0x06);
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    vga_gr_write(s, VGA_GFX_MISC, 0x05);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0xff);
    /* Clear what reset left there (the text screen, the font). */
    qtest_memset(s, 0xa0000, 0, 0x200);
}

static uint8_t plane_read(QTestState *s, uint32_t off, int plane)
{
    vga_gr_write(s, VGA_GFX_PLANE_READ, plane);
    return qtest_readb(s, 0xa0000 + off);
}

static void test_write_modes(void)
{
    QTestState *s = vga_start(NULL);

    planar_setup(s);
    /* Mode 0: the byte to every plane the map mask enables. */
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x05);
    qtest_writeb(s, 0xa0010, 0x3c);
    g_assert_cmphex(plane_read(s, 0x10, 0), ==, 0x3c);
    g_assert_cmphex(plane_read(s, 0x10, 1), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x10, 2), ==, 0x3c);
    g_assert_cmphex(plane_read(s, 0x10, 3), ==, 0x00);
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x0f);

    /* Mode 0 with set/reset on planes 0-1 (value 0b01) and rotate 4. */
    vga_gr_write(s, VGA_GFX_SR_ENABLE, 0x03);
    vga_gr_write(s, VGA_GFX_SR_VALUE, 0x01);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0x04);
    qtest_writeb(s, 0xa0020, 0x12);
    g_assert_cmphex(plane_read(s, 0x20, 0), ==, 0xff);
    g_assert_cmphex(plane_read(s, 0x20, 1), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x20, 2), ==, 0x21);
    g_assert_cmphex(plane_read(s, 0x20, 3), ==, 0x21);
    vga_gr_write(s, VGA_GFX_SR_ENABLE, 0);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0);

    /* Bit mask keeps latched bits; XOR with the latches. */
    qtest_writeb(s, 0xa0030, 0xf0);
    plane_read(s, 0x30, 0);                     /* load the latches */
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0x0f);
    qtest_writeb(s, 0xa0030, 0xff);
    g_assert_cmphex(plane_read(s, 0x30, 3), ==, 0xff);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0xff);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0x18);     /* XOR */
    plane_read(s, 0x30, 0);
    qtest_writeb(s, 0xa0030, 0x81);
    g_assert_cmphex(plane_read(s, 0x30, 1), ==, 0x7e);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0x08);     /* AND */
    plane_read(s, 0x30, 0);
    qtest_writeb(s, 0xa0030, 0x0f);
    g_assert_cmphex(plane_read(s, 0x30, 2), ==, 0x0e);
    vga_gr_write(s, VGA_GFX_DATA_ROTATE, 0x00);

    /* Mode 1 copies the latches: planes 0x21/0x00/0x21/0x21 -> 0x40. */
    plane_read(s, 0x20, 0);
    vga_gr_write(s, VGA_GFX_MODE, 0x01);
    qtest_writeb(s, 0xa0040, 0x00);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    g_assert_cmphex(plane_read(s, 0x40, 0), ==, 0xff);
    g_assert_cmphex(plane_read(s, 0x40, 1), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x40, 3), ==, 0x21);

    /* Mode 2: data bit n fills plane n, under the bit mask. */
    qtest_memset(s, 0xa0050, 0, 1);
    plane_read(s, 0x50, 0);
    vga_gr_write(s, VGA_GFX_MODE, 0x02);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0x18);
    qtest_writeb(s, 0xa0050, 0x09);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0xff);
    g_assert_cmphex(plane_read(s, 0x50, 0), ==, 0x18);
    g_assert_cmphex(plane_read(s, 0x50, 1), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x50, 2), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x50, 3), ==, 0x18);

    /* Mode 3: set/reset colour, masked by rotated data AND bit mask. */
    qtest_writeb(s, 0xa0060, 0x00);
    plane_read(s, 0x60, 0);
    vga_gr_write(s, VGA_GFX_MODE, 0x03);
    vga_gr_write(s, VGA_GFX_SR_VALUE, 0x06);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0x3c);
    qtest_writeb(s, 0xa0060, 0xf0);
    vga_gr_write(s, VGA_GFX_MODE, 0x00);
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0xff);
    g_assert_cmphex(plane_read(s, 0x60, 0), ==, 0x00);
    g_assert_cmphex(plane_read(s, 0x60, 1), ==, 0x30);
    g_assert_cmphex(plane_read(s, 0x60, 2), ==, 0x30);
    g_assert_cmphex(plane_read(s, 0x60, 3), ==, 0x00);
    qtest_quit(s);
}

static void test_read_mode1(void)
{
    QTestState *s = vga_start(NULL);

    planar_setup(s);
    /* Pixels of colours 0..7 and 15 across one byte, with write mode 2. */
    vga_gr_write(s, VGA_GFX_MODE, 0x02);
    for (int x = 0; x < 8; x++) {
        plane_read(s, 0x100, 0);
        vga_gr_write(s, VGA_GFX_BIT_MASK, 0x80 >> x);
        qtest_writeb(s, 0xa0100, x == 7 ? 15 : x);
    }
    vga_gr_write(s, VGA_GFX_BIT_MASK, 0xff);
    vga_gr_write(s, VGA_GFX_MODE, 0x08);        /* read mode 1 */
    vga_gr_write(s, VGA_GFX_COMPARE_MASK, 0x0f);
    vga_gr_write(s, VGA_GFX_COMPARE_VALUE, 5);
    g_assert_cmphex(qtest_readb(s, 0xa0100), ==, 0x04);    /* pixel 5 */
    vga_gr_write(s, VGA_GFX_COMPARE_VALUE, 15);
    g_assert_cmphex(qtest_readb(s, 0xa0100), ==, 0x01);
    /* Don't care about plane 2: 1 and 5 both match 1. */
    vga_gr_write(s, VGA_GFX_COMPARE_MASK, 0x0b);
    vga_gr_write(s, VGA_GFX_COMPARE_VALUE, 1);
    g_assert_cmphex(qtest_readb(s, 0xa0100), ==, 0x44);
    qtest_quit(s);
}

static void test_chain4_oddeven_maps(void)
{
    QTestState *s = vga_start(NULL);

    /* Odd/even text window at 0xb8000 after reset; 0xa0000 is closed. */
    qtest_writew(s, 0xb8000 + 160, 0x1f41);
    g_assert_cmphex(qtest_readw(s, 0xb8000 + 160), ==, 0x1f41);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    g_assert_cmphex(qtest_readb(s, 0xb0000), ==, 0xff);
    /* With the map mask on plane 1 only, characters keep their codes. */
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x02);
    qtest_writew(s, 0xb8000 + 160, 0x7042);
    g_assert_cmphex(qtest_readw(s, 0xb8000 + 160), ==, 0x7041);
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x03);

    /* Chain-4: bytes go to consecutive planes and read back linearly. */
    vga_set_mode(s, 0x13);
    for (int i = 0; i < 64; i++) {
        qtest_writeb(s, 0xa0000 + 1000 + i, i * 3);
    }
    for (int i = 0; i < 64; i++) {
        g_assert_cmphex(qtest_readb(s, 0xa0000 + 1000 + i), ==, i * 3);
    }
    /* Map mask = plane 1: only addresses 4n + 1 are written. */
    vga_seq_write(s, VGA_SEQ_PLANE_WRITE, 0x02);
    qtest_memset(s, 0xa0000 + 1000, 0xee, 8);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 1000), ==, 0);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 1001), ==, 0xee);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 1002), ==, 6);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 1005), ==, 0xee);
    /* Map 1 is 0xa0000-0xaffff only. */
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0xff);
    qtest_quit(s);
}

static void test_mmio_window(void)
{
    QTestState *s = vga_start(NULL);
    uint64_t mmio = vga_mmio_addr(s);

    /* 0x400 + (port - 0x3c0): the VGA ports; words are index + data. */
    qtest_writew(s, mmio + 0x400 + (VGA_GFX_I - 0x3c0), 0x3c08);
    g_assert_cmphex(vga_gr_read(s, VGA_GFX_BIT_MASK), ==, 0x3c);
    g_assert_cmphex(qtest_readb(s, mmio + 0x400 + (VGA_MIS_R - 0x3c0)), ==,
                    0x67);
    /* 0x500 + 2n: DISPI register n. */
    g_assert_cmphex(qtest_readw(s, mmio + 0x500), ==, VBE_DISPI_ID5);
    qtest_writew(s, mmio + 0x500 + 2 * VBE_DISPI_INDEX_XRES, 800);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==, 800);
    g_assert_cmpuint(qtest_readw(s, mmio + 0x500 +
                                 2 * VBE_DISPI_INDEX_VIDEO_MEMORY_64K), ==,
                     256);
    /* Odd offsets and unknown places: harmless. */
    qtest_writew(s, mmio + 0x501, 0xffff);
    qtest_writel(s, mmio + 0x800, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, mmio + 0x800), ==, 0);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==, 800);
    qtest_quit(s);
}

static void test_vbe_registers(void)
{
    QTestState *s = vga_start("-vga none -device VGA,vgamem_mb=4,addr=2");

    g_assert_cmphex(vbe_read(s, VBE_DISPI_INDEX_ID), ==, VBE_DISPI_ID5);
    /* Version negotiation: an older ID sticks, nonsense does not. */
    vbe_write(s, VBE_DISPI_INDEX_ID, 0xb0c2);
    g_assert_cmphex(vbe_read(s, VBE_DISPI_INDEX_ID), ==, 0xb0c2);
    vbe_write(s, VBE_DISPI_INDEX_ID, 0x1234);
    g_assert_cmphex(vbe_read(s, VBE_DISPI_INDEX_ID), ==, 0xb0c2);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), ==, 64);
    /* GETCAPS: the maxima instead of the values. */
    vbe_write(s, VBE_DISPI_INDEX_XRES, 640);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==,
                     VBE_DISPI_MAX_XRES);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_YRES), ==,
                     VBE_DISPI_MAX_YRES);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_BPP), ==, 32);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, 0);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==, 640);

    /* Out of range values are refused. */
    vbe_write(s, VBE_DISPI_INDEX_XRES, 641);
    vbe_write(s, VBE_DISPI_INDEX_XRES, 0xfff8);
    vbe_write(s, VBE_DISPI_INDEX_YRES, 0);
    vbe_write(s, VBE_DISPI_INDEX_BPP, 13);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==, 640);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_BPP), ==, 8);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_NB + 3), ==, 0);
    vbe_write(s, 0x7777, 0x7777);

    /* 1920x1080x32 needs 8 MiB: with 4 MiB enabling is refused. */
    vbe_set_mode(s, 1920, 1080, 32, VBE_DISPI_LFB_ENABLED);
    g_assert_cmphex(vbe_read(s, VBE_DISPI_INDEX_ENABLE) &
                    VBE_DISPI_ENABLED, ==, 0);
    vbe_set_mode(s, 1024, 768, 32, VBE_DISPI_LFB_ENABLED);
    g_assert_cmphex(vbe_read(s, VBE_DISPI_INDEX_ENABLE), ==,
                    VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    /* While enabled the resolution is fixed. */
    vbe_write(s, VBE_DISPI_INDEX_XRES, 800);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_XRES), ==, 1024);
    /* The virtual height follows video memory; offsets are clamped. */
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_VIRT_WIDTH), ==, 1024);
    vbe_write(s, VBE_DISPI_INDEX_VIRT_HEIGHT, 0xffff);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_VIRT_HEIGHT), ==,
                     4 * 1024 * 1024 / 4096);
    vbe_write(s, VBE_DISPI_INDEX_Y_OFFSET, 5000);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_Y_OFFSET), ==,
                     1024 - 768);
    vbe_write(s, VBE_DISPI_INDEX_VIRT_WIDTH, 4096);     /* too big */
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_VIRT_WIDTH), ==, 1024);
    /* Banks: 64 KiB units within video memory. */
    vbe_write(s, VBE_DISPI_INDEX_BANK, 63);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_BANK), ==, 63);
    vbe_write(s, VBE_DISPI_INDEX_BANK, 64);
    g_assert_cmpuint(vbe_read(s, VBE_DISPI_INDEX_BANK), ==, 63);
    qtest_quit(s);
}

static void test_vbe_bank_window(void)
{
    QTestState *s = vga_start(NULL);
    uint64_t fb = vga_fb_addr(s);

    vbe_set_mode(s, 640, 480, 8, VBE_DISPI_LFB_ENABLED);
    qtest_writeb(s, fb + 3 * 65536 + 7, 0x5a);
    vbe_write(s, VBE_DISPI_INDEX_BANK, 3);
    g_assert_cmphex(qtest_readb(s, 0xa0007), ==, 0x5a);
    qtest_writeb(s, 0xa0008, 0xa5);
    g_assert_cmphex(qtest_readb(s, fb + 3 * 65536 + 8), ==, 0xa5);
    /* Beyond the 64 KiB window: nothing. */
    g_assert_cmphex(qtest_readb(s, 0xb0000), ==, 0xff);
    /* Enabling clears the screen unless NOCLEARMEM. */
    qtest_writeb(s, fb + 100, 0x77);
    vbe_set_mode(s, 640, 480, 8, VBE_DISPI_NOCLEARMEM);
    g_assert_cmphex(qtest_readb(s, fb + 100), ==, 0x77);
    vbe_set_mode(s, 640, 480, 8, 0);
    g_assert_cmphex(qtest_readb(s, fb + 100), ==, 0x00);
    qtest_quit(s);
}

/* Run Ember to a set-up error: its exit status and stderr. */
static int run_setup_error(const char *args, char **err)
{
    g_autofree char *cmd = g_strdup_printf(
        "timeout 20 %s -accel qtest -nodefaults -display none %s",
        qtest_binary(), args);
    int status = -1;

    g_assert_true(g_spawn_command_line_sync(cmd, NULL, err, &status, NULL));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_setup_errors(void)
{
    g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL;

    g_assert_cmpint(run_setup_error("-device VGA,vgamem_mb=3", &err1), ==, 1);
    g_assert_nonnull(strstr(err1, "vgamem_mb must be a power of two"));
    g_assert_cmpint(strchr(err1, '\n') - err1 + 1, ==, (int)strlen(err1));
    g_assert_cmpint(run_setup_error("-vga std -device VGA", &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "only one VGA device"));
    g_assert_cmpint(run_setup_error("-device VGA,screen-info=vesa", &err3),
                    ==, 1);
    g_assert_nonnull(strstr(err3, "screen-info must be"));
}

/* The command line's display options: one clear line each. */
static void test_display_options(void)
{
    static const char *const bad[][2] = {
        { "-vga cirrus", "'cirrus' is not supported (std or none)" },
        { "-display gtk", "display 'gtk' is not available" },
        { "-display sdl,gl=on", "gl=on is not supported" },
        { "-display sdl,full-screen=maybe", "full-screen" },
        { "-display none,foo=bar", "Invalid parameter 'foo'" },
    };
    g_autofree char *types = NULL;
    g_autofree char *cmd = g_strdup_printf("%s -display help",
                                           qtest_binary());

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *err = NULL;

        if (g_str_has_prefix(bad[i][0], "-display sdl") && !types) {
            g_assert_true(g_spawn_command_line_sync(cmd, &types, NULL, NULL,
                                                    NULL));
        }
        if (g_str_has_prefix(bad[i][0], "-display sdl") &&
            !strstr(types, "sdl")) {
            continue;           /* built without SDL */
        }
        g_assert_cmpint(run_setup_error(bad[i][0], &err), ==, 1);
        g_assert_nonnull(strstr(err, bad[i][1]));
        g_assert_cmpint(strchr(err, '\n') - err + 1, ==, (int)strlen(err));
    }
    if (!types) {
        g_assert_true(g_spawn_command_line_sync(cmd, &types, NULL, NULL,
                                                NULL));
    }
    if (strstr(types, "sdl")) {
        static const char *const env[][2] = {
            { "env -u DISPLAY -u WAYLAND_DISPLAY",
              "-display sdl: no display to open a window on" },
            { "env -u WAYLAND_DISPLAY DISPLAY=:65000",
              "-display sdl: cannot initialise SDL" },
        };

        for (unsigned i = 0; i < G_N_ELEMENTS(env); i++) {
            g_autofree char *err = NULL;
            g_autofree char *c = g_strdup_printf(
                "%s timeout 20 %s -accel qtest -nodefaults -vga std "
                "-display sdl", env[i][0], qtest_binary());
            int status = -1;

            g_assert_true(g_spawn_command_line_sync(c, NULL, &err, &status,
                                                    NULL));
            g_assert_true(WIFEXITED(status));
            g_assert_cmpint(WEXITSTATUS(status), ==, 1);
            g_assert_nonnull(strstr(err, env[i][1]));
        }
    }
}

/*
 * A hostile guest: seeded random writes to every VGA and DISPI register,
 * the memory window and the register BAR, with display updates and
 * screendumps in between. Nothing may crash (the sanitizer builds check
 * every access), and the device must still answer afterwards.
 */
static void test_hostile_fuzz(void)
{
    QTestState *s = vga_start(NULL);
    uint64_t mmio = vga_mmio_addr(s);
    GRand *r = g_rand_new_with_seed(0x5eed0001);
    VGAUpdate u;

    for (int i = 0; i < 30000; i++) {
        uint32_t v = g_rand_int(r);

        switch (g_rand_int_range(r, 0, 8)) {
        case 0:
        case 1:
            qtest_outb(s, 0x3b0 + g_rand_int_range(r, 0, 0x30), v);
            break;
        case 2:
            /* Index/data pairs, where the interesting values are. */
            qtest_outw(s, g_rand_boolean(r) ? VGA_CRT_IC : VGA_SEQ_I,
                       (v & 0xff1f));
            qtest_outw(s, VGA_GFX_I, v & 0xff0f);
            break;
        case 3:
            qtest_outw(s, VBE_DISPI_IOPORT_INDEX, v % 12);
            qtest_outw(s, VBE_DISPI_IOPORT_DATA, v >> 16);
            break;
        case 4:
            qtest_writeb(s, 0xa0000 + (v % 0x20000), v >> 24);
            break;
        case 5:
            qtest_writew(s, mmio + 0x400 + (v % 0x140), v >> 16);
            break;
        case 6:
            if (g_rand_int_range(r, 0, 20) == 0) {
                /* A plausible mode, so that big frames get drawn too. */
                vbe_set_mode(s, 8 * g_rand_int_range(r, 1, 320),
                             g_rand_int_range(r, 1, 1600),
                             (int[]){ 8, 15, 16, 24, 32 }[v % 5],
                             VBE_DISPI_NOCLEARMEM);
            }
            break;
        default:
            qtest_readb(s, 0xa0000 + (v % 0x20000));
            qtest_inb(s, 0x3b0 + (v % 0x30));
            break;
        }
        if (i % 150 == 0) {
            vga_display_update(s, &u);
        }
        if (i % 1000 == 999) {
            vga_shot_free(vga_screendump(s));
        }
    }
    g_rand_free(r);
    /* Still a working VGA. */
    g_free(qtest_command(s, "system_reset"));
    g_assert_cmphex(qtest_inb(s, VGA_MIS_R), ==, 0x67);
    vga_display_update(s, &u);
    g_assert_cmpint(u.width, ==, 720);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vga/pci-identity", test_pci_identity);
    g_test_add_func("/vga/default-and-none", test_default_and_none);
    g_test_add_func("/vga/reset-state", test_reset_state);
    g_test_add_func("/vga/register-masks", test_register_masks);
    g_test_add_func("/vga/crtc-protect", test_crtc_protect);
    g_test_add_func("/vga/attribute-flipflop", test_attribute_flipflop);
    g_test_add_func("/vga/dac", test_dac);
    g_test_add_func("/vga/mono-decode", test_mono_decode);
    g_test_add_func("/vga/retrace", test_retrace);
    g_test_add_func("/vga/write-modes", test_write_modes);
    g_test_add_func("/vga/read-mode1", test_read_mode1);
    g_test_add_func("/vga/chain4-oddeven-maps", test_chain4_oddeven_maps);
    g_test_add_func("/vga/mmio-window", test_mmio_window);
    g_test_add_func("/vga/vbe-registers", test_vbe_registers);
    g_test_add_func("/vga/vbe-bank-window", test_vbe_bank_window);
    g_test_add_func("/vga/setup-errors", test_setup_errors);
    g_test_add_func("/vga/display-options", test_display_options);
    g_test_add_func("/vga/hostile-fuzz", test_hostile_fuzz);
    return g_test_run();
}
