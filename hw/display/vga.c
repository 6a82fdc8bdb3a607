/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The standard VGA: sequencer, CRT controller, graphics controller,
 * attribute controller, DAC, the 0xa0000-0xbffff memory window with its
 * planar, odd/even and chain-4 addressing, write modes 0-3 and read
 * modes 0-1 (IBM VGA Technical Reference; register layouts as in the
 * "VGA register" chapters of the IBM PS/2 Display Adapter documentation).
 * What the screen shows is vga-render.c; Bochs VBE is vga-vbe.c.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/display/vga-font.h"
#include "system/timer.h"
#include "vga-int.h"

/* Bit i set -> byte i all ones: a 4-bit plane mask as a 32-bit mask. */
static const uint32_t expand4[16] = {
    0x00000000, 0x000000ff, 0x0000ff00, 0x0000ffff,
    0x00ff0000, 0x00ff00ff, 0x00ffff00, 0x00ffffff,
    0xff000000, 0xff0000ff, 0xff00ff00, 0xff00ffff,
    0xffff0000, 0xffff00ff, 0xffffff00, 0xffffffff,
};

/* Writable bits of the sequencer and graphics registers. */
static const uint8_t sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
static const uint8_t gr_mask[16] = {
    0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
};

/*
 * Mode 3 (80x25 colour text, 720x400, 70 Hz) as the IBM VGA BIOS sets
 * it (VGA Technical Reference, BIOS mode tables).
 */
static const uint8_t mode3_sr[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t mode3_cr[VGA_CRTC_REGS] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f,
    0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t mode3_gr[VGA_GFX_REGS] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff,
};
static const uint8_t mode3_ar[VGA_ATC_REGS] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x0c, 0x00, 0x0f, 0x08, 0x00,
};

static inline uint32_t *vram32(VGACommonState *s, uint32_t off)
{
    return (uint32_t *)(s->vram_ptr + (off & VGA_PLANE_MASK) * 4);
}

/* ---- ports --------------------------------------------------------------- */

static bool vga_is_color(VGACommonState *s)
{
    return s->misc & VGA_MIS_COLOR;
}

/* Ports 0x3bx answer only in mono mode, 0x3dx only in colour mode. */
static bool vga_port_decoded(VGACommonState *s, uint16_t port)
{
    if (port >= 0x3b0 && port <= 0x3bf) {
        return !vga_is_color(s);
    }
    if (port >= 0x3d0 && port <= 0x3df) {
        return vga_is_color(s);
    }
    return true;
}

/*
 * Where the beam is, from the virtual clock and the CRTC timings: bit 3
 * while the vertical retrace runs, bit 0 while the display is blanked
 * (horizontal or vertical). Guests poll these to pace their drawing, so
 * they must move with time (and do: the virtual clock runs with the
 * guest).
 */
static uint8_t vga_input_status1(VGACommonState *s)
{
    int64_t frame = vga_frame_ns(s);
    int64_t now = clock_get_ns(EMBER_CLOCK_VIRTUAL);
    int vtotal, vde, vrs, vrlen, hde, htotal;
    int64_t pos, line_ns;
    int line, hchar;
    uint8_t st = 0;

    if (vbe_enabled(s)) {
        vtotal = s->vbe_regs[VBE_DISPI_INDEX_YRES] + 45;
        vde = s->vbe_regs[VBE_DISPI_INDEX_YRES];
        vrs = vde + 10;
        vrlen = 4;
        htotal = 100;
        hde = 80;
    } else {
        uint8_t ov = s->cr[VGA_CRTC_OVERFLOW];
        vtotal = (s->cr[VGA_CRTC_V_TOTAL] | (ov & 0x01) << 8 |
                  (ov & 0x20) << 4) + 2;
        vde = (s->cr[VGA_CRTC_V_DISP_END] | (ov & 0x02) << 7 |
               (ov & 0x40) << 3) + 1;
        vrs = s->cr[VGA_CRTC_V_SYNC_START] | (ov & 0x04) << 6 |
              (ov & 0x80) << 2;
        /* The retrace ends when the line counter's low 4 bits match. */
        vrlen = ((s->cr[VGA_CRTC_V_SYNC_END] - vrs) & 0x0f) ?: 16;
        htotal = s->cr[VGA_CRTC_H_TOTAL] + 5;
        hde = s->cr[VGA_CRTC_H_DISP] + 1;
    }
    if (vtotal < 2 || vde > vtotal) {
        vtotal = 525;
        vde = 480;
        vrs = 490;
        vrlen = 2;
    }
    if (hde > htotal) {
        hde = htotal;
    }
    line_ns = MAX(frame / vtotal, 1);
    pos = now % frame;
    line = pos / line_ns;
    hchar = (pos % line_ns) * htotal / line_ns;
    if (line >= vrs && line < vrs + vrlen) {
        st |= VGA_IS1_VRETRACE;
    }
    if (line >= vde || hchar >= hde) {
        st |= VGA_IS1_DISPLAY_OFF;
    }
    return st;
}

int64_t vga_frame_ns(VGACommonState *s)
{
    static const int64_t clocks[4] = {
        25175000, 28322000, 25175000, 25175000,
    };
    int64_t clock = clocks[VGA_MIS_CLOCK(s->misc)];
    int64_t htotal, vtotal, dots, frame;
    uint8_t ov = s->cr[VGA_CRTC_OVERFLOW];

    if (vbe_enabled(s)) {
        return NANOSECONDS_PER_SECOND / 60;
    }
    htotal = s->cr[VGA_CRTC_H_TOTAL] + 5;
    vtotal = (s->cr[VGA_CRTC_V_TOTAL] | (ov & 0x01) << 8 |
              (ov & 0x20) << 4) + 2;
    dots = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS) ? 8 : 9;
    if (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CLOCK_DIV2) {
        clock /= 2;
    }
    frame = htotal * dots * vtotal * NANOSECONDS_PER_SECOND / clock;
    /* Timings no monitor would take: pretend 60 Hz. */
    if (frame < NANOSECONDS_PER_SECOND / 200 ||
        frame > NANOSECONDS_PER_SECOND / 20) {
        frame = NANOSECONDS_PER_SECOND / 60;
    }
    return frame;
}

uint8_t vga_ioport_read(VGACommonState *s, uint16_t port)
{
    uint8_t v = 0xff;

    if (!vga_port_decoded(s, port)) {
        return 0xff;
    }
    switch (port) {
    case VGA_ATT_W:
        v = s->ar_index;
        break;
    case VGA_ATT_R:
        v = (s->ar_index & 0x1f) < VGA_ATC_REGS ? s->ar[s->ar_index & 0x1f]
                                                : 0;
        break;
    case VGA_IS0_R:
        v = 0x10;       /* switch sense: a colour monitor is attached */
        break;
    case VGA_SEQ_I:
        v = s->sr_index;
        break;
    case VGA_SEQ_D:
        v = s->sr[s->sr_index & 7];
        break;
    case VGA_PEL_MSK:
        v = s->pel_mask;
        break;
    case VGA_PEL_IR:
        v = s->dac_state;
        break;
    case VGA_PEL_IW:
        v = s->dac_write_index;
        break;
    case VGA_PEL_D:
        v = s->palette[s->dac_read_index * 3 + s->dac_sub_index];
        if (++s->dac_sub_index == 3) {
            s->dac_sub_index = 0;
            s->dac_read_index++;
        }
        break;
    case VGA_FTC_R:
        v = s->feature;
        break;
    case VGA_MIS_R:
        v = s->misc;
        break;
    case VGA_GFX_I:
        v = s->gr_index;
        break;
    case VGA_GFX_D:
        v = s->gr[s->gr_index & 15];
        break;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        v = s->cr_index;
        break;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        v = s->cr[s->cr_index];
        break;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        /* Reading input status 1 also resets the attribute flip-flop. */
        s->ar_flip_flop = false;
        v = vga_input_status1(s);
        break;
    default:
        break;
    }
    return v;
}

static void vga_attr_write(VGACommonState *s, uint8_t val)
{
    unsigned idx;

    if (!s->ar_flip_flop) {
        s->ar_index = val & 0x3f;
        s->ar_flip_flop = true;
        return;
    }
    s->ar_flip_flop = false;
    idx = s->ar_index & 0x1f;
    if (idx <= 0x0f) {
        s->ar[idx] = val & 0x3f;
    } else if (idx == VGA_ATC_MODE) {
        s->ar[idx] = val & ~0x10;
    } else if (idx == VGA_ATC_OVERSCAN) {
        s->ar[idx] = val;
    } else if (idx == VGA_ATC_PLANE_ENABLE) {
        s->ar[idx] = val & 0x3f;
    } else if (idx == VGA_ATC_PEL || idx == VGA_ATC_COLOR_PAGE) {
        s->ar[idx] = val & 0x0f;
    } else {
        ember_log_mask(LOG_GUEST_ERROR, "vga: attribute register 0x%02x "
                       "does not exist (write 0x%02x ignored)\n", idx, val);
    }
}

static void vga_crtc_write(VGACommonState *s, uint8_t val)
{
    unsigned idx = s->cr_index;

    /* CR11 bit 7 protects CR0-CR7, except the line compare bit of CR7. */
    if (idx <= VGA_CRTC_OVERFLOW &&
        (s->cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7)) {
        if (idx == VGA_CRTC_OVERFLOW) {
            s->cr[idx] = (s->cr[idx] & ~0x10) | (val & 0x10);
        }
        return;
    }
    s->cr[idx] = val;
}

void vga_ioport_write(VGACommonState *s, uint16_t port, uint8_t val)
{
    if (!vga_port_decoded(s, port)) {
        return;
    }
    switch (port) {
    case VGA_ATT_W:
        vga_attr_write(s, val);
        break;
    case VGA_MIS_W:
        s->misc = val;
        break;
    case VGA_SEQ_I:
        s->sr_index = val & 7;
        break;
    case VGA_SEQ_D:
        s->sr[s->sr_index & 7] = val & sr_mask[s->sr_index & 7];
        break;
    case VGA_PEL_MSK:
        s->pel_mask = val;
        break;
    case VGA_PEL_IR:
        s->dac_read_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 3;
        break;
    case VGA_PEL_IW:
        s->dac_write_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 0;
        break;
    case VGA_PEL_D:
        /* 6 bits per channel, or 8 with the VBE 8-bit DAC enabled. */
        s->dac_cache[s->dac_sub_index] =
            (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)
            ? val : (val & 0x3f);
        if (++s->dac_sub_index == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub_index = 0;
            s->dac_write_index++;
        }
        break;
    case VGA_GFX_I:
        s->gr_index = val & 0x0f;
        break;
    case VGA_GFX_D:
        if (s->gr_index >= VGA_GFX_REGS) {
            ember_log_mask(LOG_GUEST_ERROR, "vga: graphics register 0x%02x "
                           "does not exist\n", s->gr_index);
            break;
        }
        s->gr[s->gr_index] = val & gr_mask[s->gr_index];
        break;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        s->cr_index = val;
        break;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        vga_crtc_write(s, val);
        break;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        s->feature = val & 0x03;
        break;
    default:
        break;
    }
}

/* ---- the memory window ---------------------------------------------------- */

/*
 * The window the memory map select (GR6 bits 2-3) opens, as an offset
 * from 0xa0000: 0 = 0xa0000-0xbffff, 1 = 0xa0000-0xaffff,
 * 2 = 0xb0000-0xb7fff, 3 = 0xb8000-0xbffff.
 */
static bool vga_window(VGACommonState *s, uint32_t *offset)
{
    static const uint32_t base[4] = { 0, 0, 0x10000, 0x18000 };
    static const uint32_t size[4] = { 0x20000, 0x10000, 0x8000, 0x8000 };
    unsigned map = VGA_GR06_MAP(s->gr[VGA_GFX_MISC]);

    if (*offset < base[map] || *offset >= base[map] + size[map]) {
        return false;
    }
    *offset -= base[map];
    return true;
}

/* Bochs VBE banked access: a 64 KiB window onto linear video memory. */
static bool vbe_window(VGACommonState *s, uint32_t offset, uint32_t *addr)
{
    uint64_t a = (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] * 64 * KiB +
                 offset;

    if (offset >= 64 * KiB || a >= s->vram_size) {
        return false;
    }
    *addr = a;
    return true;
}

uint8_t vga_mem_readb(VGACommonState *s, uint32_t offset)
{
    uint32_t o, cc, dc, x;
    unsigned plane;

    if (vbe_enabled(s)) {
        return vbe_window(s, offset, &o) ? s->vram_ptr[o] : 0xff;
    }
    if (!vga_window(s, &offset)) {
        return 0xff;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        plane = offset & 3;
        o = offset >> 2;
    } else if (s->gr[VGA_GFX_MODE] & VGA_GR05_HOST_OE) {
        plane = (s->gr[VGA_GFX_PLANE_READ] & 2) | (offset & 1);
        o = offset >> 1;
    } else {
        plane = s->gr[VGA_GFX_PLANE_READ] & 3;
        o = offset;
    }
    /* Every read loads the four latches. */
    s->latch = *vram32(s, o);
    if (!(s->gr[VGA_GFX_MODE] & VGA_GR05_READ_MODE1)) {
        return s->latch >> (plane * 8);
    }
    /* Read mode 1: a 1 where every plane that matters matches the
     * colour compare register. */
    cc = expand4[s->gr[VGA_GFX_COMPARE_VALUE] & 0xf];
    dc = expand4[s->gr[VGA_GFX_COMPARE_MASK] & 0xf];
    x = (s->latch ^ cc) & dc;
    x |= x >> 16;
    x |= x >> 8;
    return ~x & 0xff;
}

static uint8_t ror8(uint8_t v, unsigned n)
{
    n &= 7;
    return (v >> n) | (v << ((8 - n) & 7));
}

void vga_mem_writeb(VGACommonState *s, uint32_t offset, uint8_t val)
{
    uint32_t o, v, bm, pm, *p;
    unsigned mask;

    if (vbe_enabled(s)) {
        if (vbe_window(s, offset, &o)) {
            s->vram_ptr[o] = val;
            memory_region_set_dirty(&s->vram, o, 1);
        }
        return;
    }
    if (!vga_window(s, &offset)) {
        return;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        mask = s->sr[VGA_SEQ_PLANE_WRITE] & (1 << (offset & 3));
        o = offset >> 2;
    } else if (!(s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_SEQ_MODE)) {
        /* Odd/even: even addresses reach planes 0 and 2, odd ones 1, 3. */
        mask = s->sr[VGA_SEQ_PLANE_WRITE] & (0x5 << (offset & 1));
        o = offset >> 1;
    } else {
        mask = s->sr[VGA_SEQ_PLANE_WRITE] & 0xf;
        o = offset;
    }
    if (!mask) {
        return;
    }

    bm = s->gr[VGA_GFX_BIT_MASK];
    switch (s->gr[VGA_GFX_MODE] & 3) {
    case 0:
        /* Rotated data, replaced by set/reset where it is enabled. */
        v = ror8(val, s->gr[VGA_GFX_DATA_ROTATE]) * 0x01010101u;
        pm = expand4[s->gr[VGA_GFX_SR_ENABLE] & 0xf];
        v = (v & ~pm) | (expand4[s->gr[VGA_GFX_SR_VALUE] & 0xf] & pm);
        break;
    case 1:
        /* The latches as they are (fast copies). */
        v = s->latch;
        goto store;
    case 2:
        /* Data bit n fills plane n. */
        v = expand4[val & 0xf];
        break;
    default:
        /* Set/reset colour, masked by the rotated data and bit mask. */
        bm &= ror8(val, s->gr[VGA_GFX_DATA_ROTATE]);
        v = expand4[s->gr[VGA_GFX_SR_VALUE] & 0xf];
        break;
    }
    switch ((s->gr[VGA_GFX_DATA_ROTATE] >> 3) & 3) {
    case 1:
        v &= s->latch;
        break;
    case 2:
        v |= s->latch;
        break;
    case 3:
        v ^= s->latch;
        break;
    }
    bm *= 0x01010101u;
    v = (v & bm) | (s->latch & ~bm);
store:
    pm = expand4[mask];
    p = vram32(s, o);
    *p = (*p & ~pm) | (v & pm);
    memory_region_set_dirty(&s->vram, (o & VGA_PLANE_MASK) * 4, 4);
}

/* ---- memory regions ------------------------------------------------------- */

static uint64_t vga_legacy_mem_read(void *opaque, hwaddr off, unsigned size)
{
    return vga_mem_readb(opaque, off);
}

static void vga_legacy_mem_write(void *opaque, hwaddr off, uint64_t val,
                                 unsigned size)
{
    vga_mem_writeb(opaque, off, val);
}

static const MemoryRegionOps vga_legacy_mem_ops = {
    .read = vga_legacy_mem_read,
    .write = vga_legacy_mem_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t vga_legacy_io_read(void *opaque, hwaddr off, unsigned size)
{
    return vga_ioport_read(opaque, 0x3b0 + off);
}

static void vga_legacy_io_write(void *opaque, hwaddr off, uint64_t val,
                                unsigned size)
{
    vga_ioport_write(opaque, 0x3b0 + off, val);
}

/* Word accesses (index and data in one OUTW) are split into bytes. */
static const MemoryRegionOps vga_legacy_io_ops = {
    .read = vga_legacy_io_read,
    .write = vga_legacy_io_write,
    .min_access = 1,
    .max_access = 1,
};

/*
 * The DISPI ports: index at 0x1ce, data at 0x1cf (and 0x1d0, where old
 * Bochs BIOSes put it). The interface is 16 bits wide. A 16-bit access
 * at the odd port 0x1cf may reach us as two byte accesses (0x1cf, then
 * 0x1d0) when the memory core splits it at natural alignment, so bytes
 * at 0x1cf and 0x1d0 are the low and high halves of the data register.
 */
static uint64_t vbe_io_read(void *opaque, hwaddr off, unsigned size)
{
    VGACommonState *s = opaque;
    uint16_t v;

    if (off == 0) {
        return s->vbe_index;
    }
    if (off > 2) {
        return 0xffff;
    }
    v = vbe_read(s, s->vbe_index);
    if (size == 1 && off == 2) {
        return v >> 8;
    }
    return v;
}

static void vbe_io_write(void *opaque, hwaddr off, uint64_t val,
                         unsigned size)
{
    VGACommonState *s = opaque;
    bool low_pending = s->vbe_data_low_pending;

    s->vbe_data_low_pending = false;
    if (off == 0) {
        s->vbe_index = size == 1 ? deposit32(s->vbe_index, 0, 8, val) : val;
    } else if (off == 1 && size == 1) {
        s->vbe_data_low = val;
        s->vbe_data_low_pending = true;
    } else if (off == 2 && size == 1 && low_pending) {
        vbe_write(s, s->vbe_index, s->vbe_data_low | (val & 0xff) << 8);
    } else if (off <= 2) {
        vbe_write(s, s->vbe_index, val);
    }
}

static const MemoryRegionOps vbe_io_ops = {
    .read = vbe_io_read,
    .write = vbe_io_write,
    .min_access = 1,
    .max_access = 2,
    .unaligned = true,
};

void vga_map_legacy(VGACommonState *s, MemoryRegion *mem, MemoryRegion *io)
{
    s->legacy_mem_parent = mem;
    s->legacy_io_parent = io;
    /* Above RAM, which the PC maps under the whole first megabyte. */
    memory_region_add_subregion_overlap(mem, 0xa0000, &s->legacy_mem, 1);
    memory_region_add_subregion(io, 0x3b0, &s->legacy_io);
    memory_region_add_subregion(io, VBE_DISPI_IOPORT_INDEX, &s->vbe_io);
}

void vga_unmap_legacy(VGACommonState *s)
{
    if (s->legacy_mem_parent) {
        memory_region_del_subregion(s->legacy_mem_parent, &s->legacy_mem);
        memory_region_del_subregion(s->legacy_io_parent, &s->legacy_io);
        memory_region_del_subregion(s->legacy_io_parent, &s->vbe_io);
        s->legacy_mem_parent = s->legacy_io_parent = NULL;
    }
}

bool vga_common_init(VGACommonState *s, void *owner, uint32_t vram_size,
                     GError **errp)
{
    s->owner = owner;
    s->vram_size = vram_size;
    if (!memory_region_init_ram(&s->vram, owner, "vga.vram", vram_size,
                                errp)) {
        return false;
    }
    s->vram_ptr = memory_region_get_ram_ptr(&s->vram);
    /* The display finds what changed through the dirty log. */
    memory_region_set_log(&s->vram, true, DIRTY_MEMORY_VGA);
    memory_region_init_io(&s->legacy_mem, owner, &vga_legacy_mem_ops, s,
                          "vga.legacy-window", 0x20000);
    memory_region_init_io(&s->legacy_io, owner, &vga_legacy_io_ops, s,
                          "vga.ports", 0x30);
    memory_region_init_io(&s->vbe_io, owner, &vbe_io_ops, s, "vbe.ports", 4);
    vga_render_init(s);
    return true;
}

void vga_common_exit(VGACommonState *s)
{
    vga_unmap_legacy(s);
    vga_render_exit(s);
    memory_region_finalize(&s->legacy_mem);
    memory_region_finalize(&s->legacy_io);
    memory_region_finalize(&s->vbe_io);
    memory_region_set_log(&s->vram, false, DIRTY_MEMORY_VGA);
    memory_region_finalize(&s->vram);
}

/*
 * The 64-colour EGA palette that the BIOS loads into DAC entries 0-63
 * for the text modes: bits 0-2 are 2/3-intensity blue, green, red and
 * bits 3-5 their 1/3-intensity complements (0x2a and 0x15 of 0x3f).
 */
static void vga_load_ega_palette(VGACommonState *s)
{
    memset(s->palette, 0, sizeof(s->palette));
    for (unsigned i = 0; i < 64; i++) {
        s->palette[i * 3 + 0] = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15;
        s->palette[i * 3 + 1] = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15;
        s->palette[i * 3 + 2] = ((i >> 0) & 1) * 0x2a + ((i >> 3) & 1) * 0x15;
    }
}

void vga_common_reset(VGACommonState *s)
{
    memset(s->vram_ptr, 0, s->vram_size);
    s->misc = 0x67;
    s->feature = 0;
    memset(s->sr, 0, sizeof(s->sr));
    memcpy(s->sr, mode3_sr, sizeof(mode3_sr));
    memset(s->cr, 0, sizeof(s->cr));
    memcpy(s->cr, mode3_cr, sizeof(mode3_cr));
    memset(s->gr, 0, sizeof(s->gr));
    memcpy(s->gr, mode3_gr, sizeof(mode3_gr));
    memcpy(s->ar, mode3_ar, sizeof(mode3_ar));
    s->sr_index = s->gr_index = s->cr_index = 0;
    s->ar_index = VGA_AR_ENABLE_DISPLAY;
    s->ar_flip_flop = false;
    s->pel_mask = 0xff;
    s->dac_read_index = s->dac_write_index = s->dac_sub_index = 0;
    s->dac_state = 0;
    s->latch = 0;
    vga_load_ega_palette(s);
    vbe_reset(s);

    /* Character map 0 in plane 2: 32 bytes per glyph, 16 of them used. */
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned r = 0; r < VGA_FONT_HEIGHT; r++) {
            s->vram_ptr[(c * 32 + r) * 4 + 2] =
                vga_font_8x16[c * VGA_FONT_HEIGHT + r];
        }
    }
    /* A cleared screen: spaces, light grey on black, in all 32 KiB the
     * text window reaches (16 K character cells). */
    for (unsigned i = 0; i < 0x4000; i++) {
        s->vram_ptr[i * 4 + 0] = 0x20;
        s->vram_ptr[i * 4 + 1] = 0x07;
    }
    memory_region_set_dirty(&s->vram, 0, VGA_PLANE_SIZE * 4);
    s->full_update = true;
}
