/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux x86 boot protocol without firmware (Documentation/arch/x86/
 * boot.rst, protocol 2.06 and later): load the protected-mode part of a
 * bzImage, build the zero page (boot_params, zero-page.rst) with the
 * setup header copied from the image, an e820 map, the command line and
 * the initrd, and enter the kernel directly:
 *
 * - 64-bit entry ("64-bit Boot Protocol"): for kernels with XLF_KERNEL_64
 *   (2.12+), at startup_64 = load address + 0x200, in long mode with an
 *   identity-mapped 0-4 GiB, a GDT with flat __BOOT_CS (0x10) and
 *   __BOOT_DS (0x18), interrupts off and %rsi = boot_params.
 * - 32-bit entry ("32-bit Boot Protocol"): at code32_start = the load
 *   address, flat protected mode without paging, %esi = boot_params,
 *   %ebp = %edi = %ebx = 0. Used for older kernels and when asked for.
 *
 * The real-mode setup code in the image is never run, so the setup
 * sectors are not loaded; only their header is copied.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/e820.h"
#include "hw/i386/linux-boot.h"
#include "hw/i386/x86-boot.h"
#include "hw/loader.h"

bool linux_boot_probe(const uint8_t *data, size_t size)
{
    return size >= LINUX_HDR_HEADER + 4 &&
           ldl_le_p(data + LINUX_HDR_HEADER) == LINUX_HDR_MAGIC;
}

/* The lowest address >= 1 MiB, aligned, with size bytes of RAM below
 * limit. */
static bool linux_find_low_ram(uint64_t size, uint64_t align, uint64_t limit,
                               uint64_t *addr)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);

    for (unsigned i = 0; i < n; i++) {
        uint64_t s = ROUND_UP(MAX(t[i].addr, (uint64_t)1 * MiB), align);
        uint64_t e = MIN(t[i].addr + t[i].size, limit);

        if (t[i].type == E820_RAM && s < e && e - s >= size &&
            x86_boot_is_ram(s, size)) {
            *addr = s;
            return true;
        }
    }
    return false;
}

/* Identity map 0-4 GiB with 2 MiB pages: PML4, PDPT, 4 PDs (SDM 3A, 4.5). */
static void linux_add_page_tables(void)
{
    g_autofree uint8_t *pt = g_malloc0(X86_BOOT_PT_SIZE);
    const uint64_t p_rw = 0x3, ps = 0x80;
    uint8_t *pml4 = pt, *pdpt = pt + 0x1000, *pd = pt + 0x2000;

    stq_le_p(pml4, (X86_BOOT_PT_ADDR + 0x1000) | p_rw);
    for (unsigned i = 0; i < 4; i++) {
        stq_le_p(pdpt + i * 8, (X86_BOOT_PT_ADDR + 0x2000 + i * 0x1000) | p_rw);
    }
    for (unsigned i = 0; i < 4 * 512; i++) {
        stq_le_p(pd + i * 8, ((uint64_t)i << 21) | p_rw | ps);
    }
    rom_add_blob("page tables", pt, X86_BOOT_PT_SIZE, X86_BOOT_PT_SIZE,
                 X86_BOOT_PT_ADDR);
}

/* Read -initrd (several files are concatenated, as Linux unpacks several
 * cpio archives in a row) and place it high below max. */
static bool linux_load_initrd(X86BootContext *ctx, uint64_t lo, uint64_t hi,
                              uint64_t *addr, uint64_t *size, GError **errp)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);
    uint64_t free_ram = 0, total = 0;
    g_autoptr(GPtrArray) mods = NULL;
    uint8_t *buf;

    /* The biggest piece of RAM the initrd can have. */
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = ROUND_UP(MAX(t[i].addr, lo), 4096);
        uint64_t e = MIN(t[i].addr + t[i].size, hi);

        if (t[i].type == E820_RAM && e > s) {
            free_ram = MAX(free_ram, e - s);
        }
    }
    mods = x86_boot_load_modules(ctx->initrd, free_ram, errp);
    if (!mods) {
        return false;
    }
    for (unsigned i = 0; i < mods->len; i++) {
        X86BootModule *m = g_ptr_array_index(mods, i);
        total = ROUND_UP(total, 4) + m->size;
    }
    if (!x86_boot_find_ram_top(lo, hi, total, 4096, addr)) {
        error_setg(errp, "-initrd %s: the initrd (%" PRIu64 " bytes) does "
                   "not fit in the free RAM between 0x%" PRIx64 " and 0x%"
                   PRIx64 " (%" PRIu64 " bytes; more -m?)", ctx->initrd,
                   total, lo, hi, free_ram);
        return false;
    }
    buf = g_malloc0(total ? total : 1);
    total = 0;
    for (unsigned i = 0; i < mods->len; i++) {
        X86BootModule *m = g_ptr_array_index(mods, i);
        total = ROUND_UP(total, 4);
        memcpy(buf + total, m->data, m->size);
        total += m->size;
    }
    rom_add_blob_take("initrd", buf, total, total, *addr);
    *size = total;
    return true;
}

bool linux_boot_load(X86BootContext *ctx, GError **errp)
{
    const uint8_t *k = ctx->kernel;
    size_t size = ctx->kernel_size;
    const char *path = ctx->kernel_path;
    unsigned version, setup_sects, hdr_end;
    uint64_t setup_size, kernel_size, init_size, align, pref, load_addr;
    uint64_t initrd_addr = 0, initrd_size = 0, cmdline_size;
    uint32_t xloadflags = 0;
    bool relocatable, use64;
    const char *cmdline = ctx->cmdline ? ctx->cmdline : "";
    X86BootInfo bi;
    hwaddr bp_addr, cmd_addr;
    uint8_t *bp;
    const E820Entry *e820;
    unsigned e820_n;
    uint64_t alt_mem;

    /* The header's own length: 0x202 + the jump's offset byte (boot.rst,
     * "Details of Header Fields"). */
    hdr_end = LINUX_HDR_HEADER + k[LINUX_HDR_JUMP + 1];
    if (hdr_end > size) {
        error_setg(errp, "-kernel %s: truncated bzImage: the setup header "
                   "ends at 0x%x, beyond the file's %zu bytes", path,
                   hdr_end, size);
        return false;
    }
    version = lduw_le_p(k + LINUX_HDR_VERSION);
    if (version < LINUX_MIN_VERSION) {
        error_setg(errp, "-kernel %s: Linux boot protocol %u.%02u is too "
                   "old (Ember needs 2.06 or later)", path, version >> 8,
                   version & 0xff);
        return false;
    }
    if (hdr_end < (version >= 0x20a ? LINUX_HDR_INIT_SIZE + 4
                                     : LINUX_HDR_CMDLINE_SIZE + 4)) {
        error_setg(errp, "-kernel %s: bad bzImage: the setup header (ends "
                   "at 0x%x) is too short for boot protocol %u.%02u", path,
                   hdr_end, version >> 8, version & 0xff);
        return false;
    }
    if (lduw_le_p(k + LINUX_HDR_BOOT_FLAG) != LINUX_BOOT_FLAG) {
        error_setg(errp, "-kernel %s: bad bzImage: boot_flag is 0x%04x, not "
                   "0xaa55", path, lduw_le_p(k + LINUX_HDR_BOOT_FLAG));
        return false;
    }
    if (!(k[LINUX_HDR_LOADFLAGS] & LINUX_LOADED_HIGH)) {
        error_setg(errp, "-kernel %s: zImage kernels (loaded below 1 MiB) "
                   "are not supported; use a bzImage", path);
        return false;
    }
    setup_sects = k[LINUX_HDR_SETUP_SECTS] ? k[LINUX_HDR_SETUP_SECTS] : 4;
    setup_size = (setup_sects + 1) * 512ULL;
    if (setup_size >= size) {
        error_setg(errp, "-kernel %s: truncated bzImage: the setup code (%u "
                   "sectors) leaves no protected-mode kernel in the file's "
                   "%zu bytes", path, setup_sects, size);
        return false;
    }
    kernel_size = size - setup_size;
    /* syssize counts the protected-mode code in 16-byte units (2.04+). */
    if ((uint64_t)ldl_le_p(k + LINUX_HDR_SYSSIZE) * 16 > kernel_size) {
        error_setg(errp, "-kernel %s: truncated bzImage: the kernel is %"
                   PRIu64 " bytes, its header says %" PRIu64, path,
                   kernel_size,
                   (uint64_t)ldl_le_p(k + LINUX_HDR_SYSSIZE) * 16);
        return false;
    }
    if (version >= 0x20c) {
        xloadflags = lduw_le_p(k + LINUX_HDR_XLOADFLAGS);
    }
    use64 = (xloadflags & LINUX_XLF_KERNEL_64) && !ctx->linux_force_32bit;
    relocatable = k[LINUX_HDR_RELOCATABLE] != 0;
    align = ldl_le_p(k + LINUX_HDR_KERNEL_ALIGNMENT);
    if (!relocatable) {
        align = 1;
    } else if (!align || (align & (align - 1))) {
        error_setg(errp, "-kernel %s: bad bzImage: kernel_alignment 0x%"
                   PRIx64 " is not a power of two", path, align);
        return false;
    }
    pref = LINUX_DEFAULT_LOAD_ADDR;
    init_size = kernel_size;
    if (version >= 0x20a) {
        pref = ldq_le_p(k + LINUX_HDR_PREF_ADDRESS);
        init_size = MAX(init_size, ldl_le_p(k + LINUX_HDR_INIT_SIZE));
    }
    cmdline_size = ldl_le_p(k + LINUX_HDR_CMDLINE_SIZE);

    /*
     * Where to load: pref_address when init_size fits there; a relocatable
     * kernel may go to the lowest kernel_alignment boundary above 1 MiB
     * where it fits (boot.rst, "relocatable_kernel", "init_size").
     */
    load_addr = pref;
    if (!x86_boot_check_kernel_range(path, "the kernel (init_size)", pref,
                                     init_size, NULL)) {
        if (!relocatable || !linux_find_low_ram(init_size, align, 4 * GiB,
                                                &load_addr)) {
            error_setg(errp, "-kernel %s: the kernel needs 0x%" PRIx64
                       " bytes (init_size) of RAM at 0x%" PRIx64 "%s; "
                       "guest RAM is too small (more -m?)", path, init_size,
                       pref, relocatable ? " or another aligned address "
                       "above 1 MiB" : "");
            return false;
        }
    }
    if (load_addr + init_size > 4 * GiB) {
        error_setg(errp, "-kernel %s: the kernel's load address 0x%" PRIx64
                   " is above 4 GiB", path, load_addr);
        return false;
    }
    if (strlen(cmdline) > cmdline_size) {
        error_setg(errp, "-append: the kernel command line is %zu bytes "
                   "long; this kernel accepts at most %" PRIu64,
                   strlen(cmdline), cmdline_size);
        return false;
    }
    rom_add_blob("kernel", k + setup_size, kernel_size, kernel_size,
                 load_addr);

    if (ctx->initrd) {
        uint64_t max = ldl_le_p(k + LINUX_HDR_INITRD_ADDR_MAX);
        uint64_t hi = MIN(max + 1, 4 * GiB);

        if (!linux_load_initrd(ctx, load_addr + init_size, hi, &initrd_addr,
                               &initrd_size, errp)) {
            return false;
        }
    }

    /* The GDT and page tables stay reserved: Linux must not hand them out
     * before it has switched to its own. */
    x86_boot_add_gdt(use64 ? X86_BOOT_MODE_LONG64 : X86_BOOT_MODE_PROTECTED32);
    if (use64) {
        linux_add_page_tables();
        e820_add_entry(X86_BOOT_GDT_ADDR,
                       X86_BOOT_PT_ADDR + X86_BOOT_PT_SIZE - X86_BOOT_GDT_ADDR,
                       E820_RESERVED);
    }

    /* The zero page, then the command line. */
    x86_boot_info_init(&bi);
    bp_addr = x86_boot_info_alloc(&bi, LINUX_BP_SIZE, 4096);
    cmd_addr = x86_boot_info_add_string(&bi, cmdline);
    bp = x86_boot_info_ptr(&bi, bp_addr);
    memcpy(bp + LINUX_HDR_START, k + LINUX_HDR_START,
           MIN(hdr_end, LINUX_BP_HDR_END) - LINUX_HDR_START);
    bp[LINUX_HDR_TYPE_OF_LOADER] = 0xff;
    stl_le_p(bp + LINUX_HDR_CODE32_START, load_addr);
    stl_le_p(bp + LINUX_HDR_CMD_LINE_PTR, cmd_addr);
    stl_le_p(bp + LINUX_BP_EXT_CMD_LINE_PTR, cmd_addr >> 32);
    stl_le_p(bp + LINUX_HDR_RAMDISK_IMAGE, initrd_addr);
    stl_le_p(bp + LINUX_HDR_RAMDISK_SIZE, initrd_size);
    stl_le_p(bp + LINUX_BP_EXT_RAMDISK_IMAGE, initrd_addr >> 32);
    stl_le_p(bp + LINUX_BP_EXT_RAMDISK_SIZE, initrd_size >> 32);
    if (version >= 0x209) {
        stq_le_p(bp + LINUX_HDR_SETUP_DATA, 0);
    }
    stq_le_p(bp + LINUX_BP_ACPI_RSDP_ADDR, x86_boot_find_rsdp());
    /* Legacy: KiB of RAM above 1 MiB, for kernels that ignore e820. */
    alt_mem = x86_boot_ram_end(1 * MiB);
    alt_mem = alt_mem > 1 * MiB ? (alt_mem - 1 * MiB) / KiB : 0;
    stl_le_p(bp + LINUX_BP_ALT_MEM_K, MIN(alt_mem, UINT32_MAX));
    e820_n = e820_get_table(&e820);
    e820_n = MIN(e820_n, LINUX_BP_E820_MAX);
    bp[LINUX_BP_E820_ENTRIES] = e820_n;
    for (unsigned i = 0; i < e820_n; i++) {
        uint8_t *ent = bp + LINUX_BP_E820_TABLE + i * 20;
        stq_le_p(ent, e820[i].addr);
        stq_le_p(ent + 8, e820[i].size);
        stl_le_p(ent + 16, e820[i].type);
    }
    if (!x86_boot_info_finish(&bi, ctx, errp)) {
        return false;
    }

    ctx->entry.mode = use64 ? X86_BOOT_MODE_LONG64 : X86_BOOT_MODE_PROTECTED32;
    ctx->entry.rip = load_addr + (use64 ? LINUX_ENTRY64_OFFSET : 0);
    ctx->entry.cr3 = use64 ? X86_BOOT_PT_ADDR : 0;
    ctx->entry.rsi = bp_addr;
    return true;
}
