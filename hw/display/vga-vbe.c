/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bochs VBE extensions ("DISPI"): linear framebuffer modes of 8, 15, 16,
 * 24 and 32 bits per pixel set through index/data registers, with a
 * virtual screen larger than the visible one, panning offsets and a
 * 64 KiB bank window at 0xa0000. Register set and semantics as Bochs'
 * VBE interface (vbe_display_api) documents them; version 0xb0c5.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "vga-int.h"

unsigned vbe_bytes_pp(VGACommonState *s)
{
    return (s->vbe_regs[VBE_DISPI_INDEX_BPP] + 7) / 8;
}

static bool vbe_bpp_valid(unsigned bpp)
{
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

void vbe_reset(VGACommonState *s)
{
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_regs[VBE_DISPI_INDEX_BPP] = 8;
    s->vbe_regs[VBE_DISPI_INDEX_VIDEO_MEMORY_64K] =
        MIN(s->vram_size / (64 * KiB), 0xffff);
    s->vbe_index = 0;
    s->vbe_start = 0;
    s->vbe_line_offset = 0;
    s->vbe_getcaps = false;
}

/*
 * Derive the line length and start address of an enabled mode. The
 * virtual height is whatever video memory holds at that line length
 * (guests pan over it with Y_OFFSET for double buffering); offsets are
 * pulled back so that the visible screen stays inside it.
 */
static void vbe_fixup(VGACommonState *s)
{
    uint16_t *r = s->vbe_regs;
    unsigned bpp = vbe_bytes_pp(s);
    uint32_t xres = r[VBE_DISPI_INDEX_XRES], yres = r[VBE_DISPI_INDEX_YRES];
    uint32_t vw = MAX(r[VBE_DISPI_INDEX_VIRT_WIDTH], xres);
    uint32_t vh;

    s->vbe_line_offset = vw * bpp;
    /* Enabling checked that the visible screen fits; stay safe anyway
     * (the renderer also bounds every line by the size of video RAM). */
    vh = MAX(MIN(s->vram_size / s->vbe_line_offset, 0xffff), yres);
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = vw;
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = vh;
    r[VBE_DISPI_INDEX_X_OFFSET] = MIN(r[VBE_DISPI_INDEX_X_OFFSET], vw - xres);
    r[VBE_DISPI_INDEX_Y_OFFSET] = MIN(r[VBE_DISPI_INDEX_Y_OFFSET], vh - yres);
    s->vbe_start = r[VBE_DISPI_INDEX_Y_OFFSET] * s->vbe_line_offset +
                   r[VBE_DISPI_INDEX_X_OFFSET] * bpp;
    s->full_update = true;
}

uint16_t vbe_read(VGACommonState *s, unsigned index)
{
    if (index >= VBE_DISPI_INDEX_NB) {
        ember_log_mask(LOG_GUEST_ERROR, "vbe: read of register 0x%x that "
                       "does not exist\n", index);
        return 0;
    }
    if (s->vbe_getcaps) {
        switch (index) {
        case VBE_DISPI_INDEX_XRES:
            return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES:
            return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP:
            return VBE_DISPI_MAX_BPP;
        }
    }
    return s->vbe_regs[index];
}

static void vbe_enable(VGACommonState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    uint32_t xres = r[VBE_DISPI_INDEX_XRES], yres = r[VBE_DISPI_INDEX_YRES];
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];

    if (!vbe_bpp_valid(bpp) || !xres || !yres ||
        (uint64_t)xres * yres * vbe_bytes_pp(s) > s->vram_size) {
        ember_log_mask(LOG_GUEST_ERROR, "vbe: cannot enable %ux%ux%u with "
                       "%u KiB of video memory; staying disabled\n", xres,
                       yres, bpp, s->vram_size / 1024);
        r[VBE_DISPI_INDEX_ENABLE] = val & VBE_DISPI_8BIT_DAC;
        return;
    }
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = xres;
    r[VBE_DISPI_INDEX_X_OFFSET] = 0;
    r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    r[VBE_DISPI_INDEX_BANK] = 0;
    r[VBE_DISPI_INDEX_ENABLE] = val & (VBE_DISPI_ENABLED |
                                       VBE_DISPI_8BIT_DAC |
                                       VBE_DISPI_LFB_ENABLED |
                                       VBE_DISPI_NOCLEARMEM);
    vbe_fixup(s);
    if (!(val & VBE_DISPI_NOCLEARMEM)) {
        uint64_t len = MIN((uint64_t)yres * s->vbe_line_offset,
                           s->vram_size);
        memset(s->vram_ptr, 0, len);
        memory_region_set_dirty(&s->vram, 0, len);
    }
}

void vbe_write(VGACommonState *s, unsigned index, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    bool enabled = vbe_enabled(s);

    switch (index) {
    case VBE_DISPI_INDEX_ID:
        /* Guests write the version they speak and read back what stuck. */
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5) {
            r[index] = val;
        }
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
        if (enabled) {
            ember_log_mask(LOG_GUEST_ERROR, "vbe: register %u written while "
                           "a mode is enabled (ignored)\n", index);
            break;
        }
        if (index == VBE_DISPI_INDEX_BPP) {
            val = val ? val : 8;
            if (!vbe_bpp_valid(val)) {
                ember_log_mask(LOG_UNIMP, "vbe: %u bits per pixel are not "
                               "supported\n", val);
                break;
            }
        } else if (!val ||
                   (index == VBE_DISPI_INDEX_XRES &&
                    (val > VBE_DISPI_MAX_XRES || (val & 7))) ||
                   (index == VBE_DISPI_INDEX_YRES &&
                    val > VBE_DISPI_MAX_YRES)) {
            ember_log_mask(LOG_GUEST_ERROR, "vbe: resolution value %u for "
                           "register %u is out of range (ignored)\n", val,
                           index);
            break;
        }
        r[index] = val;
        break;
    case VBE_DISPI_INDEX_ENABLE:
        s->vbe_getcaps = val & VBE_DISPI_GETCAPS;
        if ((val & VBE_DISPI_ENABLED) && !enabled) {
            vbe_enable(s, val);
        } else if (val & VBE_DISPI_ENABLED) {
            /* Already on: only the DAC width and flags change. */
            r[index] = (r[index] & VBE_DISPI_ENABLED) |
                       (val & (VBE_DISPI_8BIT_DAC | VBE_DISPI_LFB_ENABLED |
                               VBE_DISPI_NOCLEARMEM));
        } else {
            r[index] = val & VBE_DISPI_8BIT_DAC;
            r[VBE_DISPI_INDEX_BANK] = 0;
        }
        s->full_update = true;
        break;
    case VBE_DISPI_INDEX_BANK:
        if ((uint64_t)val * 64 * KiB >= s->vram_size) {
            ember_log_mask(LOG_GUEST_ERROR, "vbe: bank %u is beyond video "
                           "memory (ignored)\n", val);
            break;
        }
        r[index] = val;
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
        if (enabled &&
            (val < r[VBE_DISPI_INDEX_XRES] ||
             (uint64_t)val * vbe_bytes_pp(s) * r[VBE_DISPI_INDEX_YRES] >
             s->vram_size)) {
            ember_log_mask(LOG_GUEST_ERROR, "vbe: virtual width %u does not "
                           "fit the mode (ignored)\n", val);
            break;
        }
        r[index] = val;
        if (enabled) {
            vbe_fixup(s);
        }
        break;
    case VBE_DISPI_INDEX_VIRT_HEIGHT:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[index] = val;
        if (enabled) {
            vbe_fixup(s);
        }
        break;
    default:
        ember_log_mask(LOG_GUEST_ERROR, "vbe: write of 0x%x to register 0x%x "
                       "ignored\n", val, index);
        break;
    }
}
