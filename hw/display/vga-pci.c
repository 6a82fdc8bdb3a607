/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * std-vga on PCI: the "VGA" device (1234:1111, class 0x0300) with the
 * framebuffer in BAR 0 and the register window in BAR 2, plus the
 * legacy VGA ports and memory window (include/hw/display/vga.h).
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "ember/log.h"
#include "hw/display/vga.h"
#include "hw/pci/pci.h"
#include "vga-int.h"

#define PCI_CLASS_DISPLAY_VGA 0x0300

/* Linux's struct screen_info (include/uapi/linux/screen_info.h). */
#define SI_ORIG_X           0x00
#define SI_ORIG_Y           0x01
#define SI_ORIG_VIDEO_MODE  0x06
#define SI_ORIG_VIDEO_COLS  0x07
#define SI_ORIG_VIDEO_EGA_BX 0x0a
#define SI_ORIG_VIDEO_LINES 0x0e
#define SI_ORIG_VIDEO_ISVGA 0x0f
#define SI_ORIG_VIDEO_POINTS 0x10
#define SI_LFB_WIDTH        0x12
#define SI_LFB_HEIGHT       0x14
#define SI_LFB_DEPTH        0x16
#define SI_LFB_BASE         0x18
#define SI_LFB_SIZE         0x1c
#define SI_LFB_LINELENGTH   0x24
#define SI_RED_SIZE         0x26
#define SI_PAGES            0x32
#define SI_CAPABILITIES     0x36
#define SI_EXT_LFB_BASE     0x3a
#define SI_SIZE             0x40
#define VIDEO_TYPE_VGAC_BOOT 1      /* orig_video_isVGA for a VGA */
#define VIDEO_TYPE_VLFB     0x23
#define VIDEO_CAPABILITY_64BIT_BASE (1 << 1)

typedef struct PCIVGAState {
    PCIDevice parent;
    uint32_t vgamem_mb;
    char *screen_info;
    bool lfb_console;
    VGACommonState vga;
    MemoryRegion mmio;
} PCIVGAState;

/* The one device that owns the legacy ports and window. */
static PCIVGAState *legacy_vga;

bool vga_present(void)
{
    return legacy_vga != NULL;
}

/* ---- BAR 2 ------------------------------------------------------------------ */

static uint64_t vga_mmio_read(void *opaque, hwaddr off, unsigned size)
{
    PCIVGAState *d = opaque;
    VGACommonState *s = &d->vga;

    if (off >= PCI_VGA_MMIO_IOPORT_OFFSET &&
        off + size <= PCI_VGA_MMIO_IOPORT_OFFSET + PCI_VGA_MMIO_IOPORT_SIZE) {
        uint16_t port = 0x3c0 + off - PCI_VGA_MMIO_IOPORT_OFFSET;
        uint64_t v = vga_ioport_read(s, port);
        if (size == 2) {
            v |= vga_ioport_read(s, port + 1) << 8;
        }
        return v;
    }
    if (off >= PCI_VGA_MMIO_BOCHS_OFFSET &&
        off < PCI_VGA_MMIO_BOCHS_OFFSET + PCI_VGA_MMIO_BOCHS_SIZE &&
        size == 2 && !(off & 1)) {
        return vbe_read(s, (off - PCI_VGA_MMIO_BOCHS_OFFSET) / 2);
    }
    return 0;
}

static void vga_mmio_write(void *opaque, hwaddr off, uint64_t val,
                           unsigned size)
{
    PCIVGAState *d = opaque;
    VGACommonState *s = &d->vga;

    if (off >= PCI_VGA_MMIO_IOPORT_OFFSET &&
        off + size <= PCI_VGA_MMIO_IOPORT_OFFSET + PCI_VGA_MMIO_IOPORT_SIZE) {
        uint16_t port = 0x3c0 + off - PCI_VGA_MMIO_IOPORT_OFFSET;
        /* A word is an index and its data, as with OUTW on the ports. */
        vga_ioport_write(s, port, val);
        if (size == 2) {
            vga_ioport_write(s, port + 1, val >> 8);
        }
        return;
    }
    if (off >= PCI_VGA_MMIO_BOCHS_OFFSET &&
        off < PCI_VGA_MMIO_BOCHS_OFFSET + PCI_VGA_MMIO_BOCHS_SIZE &&
        size == 2 && !(off & 1)) {
        vbe_write(s, (off - PCI_VGA_MMIO_BOCHS_OFFSET) / 2, val);
        return;
    }
    ember_log_mask(LOG_GUEST_ERROR, "VGA: %u-byte write of 0x%" PRIx64
                   " to register window offset 0x%" HWADDR_PRIx " ignored\n",
                   size, val, off);
}

static const MemoryRegionOps vga_mmio_ops = {
    .read = vga_mmio_read,
    .write = vga_mmio_write,
    .min_access = 1,
    .max_access = 2,
};

/* ---- screen_info for Linux --------------------------------------------------- */

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
    stw_le_p(p + off, v);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
    stl_le_p(p + off, v);
}

/*
 * A VESA linear framebuffer (VIDEO_TYPE_VLFB): what the boot code's VBE
 * probe would store, which vesafb (and sysfb) read. lfb_size is in
 * 64 KiB units for this type.
 */
static bool vga_fill_vlfb(PCIVGAState *d, uint8_t *si)
{
    VGACommonState *s = &d->vga;
    uint16_t *r = s->vbe_regs;
    pcibus_t base = pci_get_bar_addr(&d->parent, PCI_VGA_BAR_FB);
    static const uint8_t masks[5][8] = {
        /* size, pos: red, green, blue, reserved */
        { 0, 0, 0, 0, 0, 0, 0, 0 },             /* 8: palette */
        { 5, 10, 5, 5, 5, 0, 1, 15 },           /* 15 */
        { 5, 11, 6, 5, 5, 0, 0, 0 },            /* 16 */
        { 8, 16, 8, 8, 8, 0, 0, 0 },            /* 24 */
        { 8, 16, 8, 8, 8, 0, 8, 24 },           /* 32 */
    };
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    int m = bpp == 8 ? 0 : bpp == 15 ? 1 : bpp == 16 ? 2 : bpp == 24 ? 3 : 4;

    if (base == PCI_BAR_UNMAPPED) {
        return false;
    }
    si[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_VLFB;
    put16(si, SI_LFB_WIDTH, r[VBE_DISPI_INDEX_XRES]);
    put16(si, SI_LFB_HEIGHT, r[VBE_DISPI_INDEX_YRES]);
    put16(si, SI_LFB_DEPTH, bpp);
    put32(si, SI_LFB_BASE, (uint32_t)base);
    put32(si, SI_LFB_SIZE, s->vram_size / (64 * KiB));
    put16(si, SI_LFB_LINELENGTH, s->vbe_line_offset);
    memcpy(si + SI_RED_SIZE, masks[m], 8);
    put16(si, SI_PAGES, MAX(r[VBE_DISPI_INDEX_VIRT_HEIGHT] /
                            r[VBE_DISPI_INDEX_YRES], 1));
    if (base >> 32) {
        put32(si, SI_CAPABILITIES, VIDEO_CAPABILITY_64BIT_BASE);
        put32(si, SI_EXT_LFB_BASE, base >> 32);
    }
    return true;
}

/*
 * VGA text (what a BIOS reports for mode 3): vgacon takes it when
 * orig_video_isVGA is 1 and the columns and lines are set.
 */
static void vga_fill_text(PCIVGAState *d, uint8_t *si)
{
    VGACommonState *s = &d->vga;
    VGALayout l;
    uint32_t cursor;

    vga_compute_layout(s, &l);
    if (l.kind != VGA_MODE_TEXT) {
        return;
    }
    cursor = (s->cr[VGA_CRTC_CURSOR_HI] << 8 | s->cr[VGA_CRTC_CURSOR_LO]) -
             l.start;
    if (l.line_offset && cursor / l.line_offset < (uint32_t)l.rows &&
        cursor % l.line_offset < (uint32_t)l.chars) {
        si[SI_ORIG_X] = cursor % l.line_offset;
        si[SI_ORIG_Y] = cursor / l.line_offset;
    }
    si[SI_ORIG_VIDEO_MODE] = 3;
    si[SI_ORIG_VIDEO_COLS] = MIN(l.chars, 255);
    /* INT 10h AH=12h BL=10h: BH 0 = colour, BL 3 = 256 KiB. */
    put16(si, SI_ORIG_VIDEO_EGA_BX, 0x0003);
    si[SI_ORIG_VIDEO_LINES] = MIN(l.rows, 255);
    si[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_VGAC_BOOT;
    put16(si, SI_ORIG_VIDEO_POINTS, l.cheight);
}

void vga_screen_info_hook(uint8_t *si, size_t len, void *opaque)
{
    PCIVGAState *d = legacy_vga;

    if (!d || len < SI_SIZE) {
        return;
    }
    if (vbe_enabled(&d->vga) && vga_fill_vlfb(d, si)) {
        return;
    }
    vga_fill_text(d, si);
}

/* ---- the device ---------------------------------------------------------------- */

static bool vga_pci_realize(PCIDevice *dev, GError **errp)
{
    PCIVGAState *d = (PCIVGAState *)dev;
    uint32_t mb = d->vgamem_mb;

    if (legacy_vga) {
        error_setg(errp, "VGA: only one VGA device is supported (the "
                   "legacy ports and memory window are shared)");
        return false;
    }
    if (mb < 1 || mb > 256 || (mb & (mb - 1))) {
        error_setg(errp, "VGA: vgamem_mb must be a power of two from 1 to "
                   "256, not %u", mb);
        return false;
    }
    if (!d->screen_info || !strcmp(d->screen_info, "text")) {
        d->lfb_console = false;
    } else if (!strcmp(d->screen_info, "lfb")) {
        d->lfb_console = true;
        if (mb < 4) {
            error_setg(errp, "VGA: screen-info=lfb needs vgamem_mb=4 or "
                       "more (1024x768x32)");
            return false;
        }
    } else {
        error_setg(errp, "VGA: screen-info must be 'text' or 'lfb', not "
                   "'%s'", d->screen_info);
        return false;
    }
    if (!vga_common_init(&d->vga, dev, mb * MiB, errp)) {
        return false;
    }
    pci_register_bar(dev, PCI_VGA_BAR_FB, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &d->vga.vram);
    memory_region_init_io(&d->mmio, dev, &vga_mmio_ops, d, "vga.mmio",
                          PCI_VGA_MMIO_SIZE);
    pci_register_bar(dev, PCI_VGA_BAR_MMIO, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32, &d->mmio);
    vga_map_legacy(&d->vga, dev->bus->address_space_mem,
                   dev->bus->address_space_io);
    legacy_vga = d;
    vga_common_reset(&d->vga);
    return true;
}

static void vga_pci_exit(PCIDevice *dev)
{
    PCIVGAState *d = (PCIVGAState *)dev;

    vga_common_exit(&d->vga);
    memory_region_finalize(&d->mmio);
    if (legacy_vga == d) {
        legacy_vga = NULL;
    }
}

static void vga_pci_reset(PCIDevice *dev)
{
    PCIVGAState *d = (PCIVGAState *)dev;
    VGACommonState *s = &d->vga;

    vga_common_reset(s);
    if (d->lfb_console) {
        /* What a bootloader's VBE mode set would leave for the kernel. */
        vbe_write(s, VBE_DISPI_INDEX_XRES, 1024);
        vbe_write(s, VBE_DISPI_INDEX_YRES, 768);
        vbe_write(s, VBE_DISPI_INDEX_BPP, 32);
        vbe_write(s, VBE_DISPI_INDEX_ENABLE,
                  VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    }
}

static const Property vga_pci_props[] = {
    DEFINE_PROP("vgamem_mb", PCIVGAState, vgamem_mb, prop_info_uint32,
                uint32_t, .defval.u = 16,
                .desc = "video memory in MiB (a power of two, 1-256)"),
    DEFINE_PROP("screen-info", PCIVGAState, screen_info, prop_info_string,
                char *, .defval.s = "text",
                .desc = "console described to Linux at -kernel boot: text "
                        "(VGA text, vgacon) or lfb (1024x768x32 VESA "
                        "framebuffer, vesafb)"),
    DEFINE_PROP_END,
};

static const PCIDeviceInfo vga_pci_info = {
    .vendor_id = PCI_VGA_VENDOR_ID,
    .device_id = PCI_VGA_DEVICE_ID,
    .subsystem_vendor_id = 0x1af4,
    .subsystem_id = 0x1100,
    .class_id = PCI_CLASS_DISPLAY_VGA,
    .revision = 2,
    .realize = vga_pci_realize,
    .exit = vga_pci_exit,
    .reset = vga_pci_reset,
};

static const DeviceInfo vga_info = {
    .name = TYPE_PCI_VGA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIVGAState),
    .desc = "standard VGA with Bochs VBE extensions (std-vga)",
    .user_creatable = true,
    .props = vga_pci_props,
    .class_data = &vga_pci_info,
};

static void vga_register_types(void)
{
    type_register(&vga_info);
}
type_init(vga_register_types)
