/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96).
 *
 * The header is found in the first 8192 bytes, 32-bit aligned, by its
 * magic and checksum (3.1.1). With flag 16 the header's address fields
 * say where the image goes ("a.out kludge"), otherwise the image must be
 * ELF and its program headers decide (3.1.3). The boot information (3.3)
 * carries the memory sizes, the command line (the kernel's path and then
 * -append, as GRUB and QEMU build it), the modules from -initrd a,b (each
 * string is the item's path and arguments), a memory map from the e820
 * table and the boot loader's name. The machine state at entry (3.2):
 * EAX = 0x2BADB002, EBX = the information, flat 32-bit protected mode
 * with paging off, A20 on, interrupts off.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/e820.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/x86-boot.h"
#include "hw/loader.h"

long multiboot_find_header(const uint8_t *data, size_t size)
{
    size_t limit = MIN(size, (size_t)MULTIBOOT_SEARCH);

    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = ldl_le_p(data + off);
        uint32_t flags = ldl_le_p(data + off + MB_HDR_FLAGS);
        uint32_t sum = ldl_le_p(data + off + MB_HDR_CHECKSUM);

        if (magic == MULTIBOOT_HEADER_MAGIC &&
            (uint32_t)(magic + flags + sum) == 0) {
            return off;
        }
    }
    return -1;
}

/* The image through the header's address fields (3.1.3, offsets 12-28). */
static bool multiboot_load_aout(X86BootContext *ctx, long off,
                                uint64_t *entry, uint64_t *end,
                                GError **errp)
{
    const uint8_t *k = ctx->kernel, *h = k + off;
    size_t size = ctx->kernel_size;
    const char *path = ctx->kernel_path;
    uint64_t header_addr, load_addr, load_end, bss_end, load_offset, len;

    if (off + MB_HDR_AOUT_SIZE > size) {
        error_setg(errp, "-kernel %s: truncated multiboot header: its "
                   "address fields end beyond the file", path);
        return false;
    }
    header_addr = ldl_le_p(h + MB_HDR_HEADER_ADDR);
    load_addr = ldl_le_p(h + MB_HDR_LOAD_ADDR);
    load_end = ldl_le_p(h + MB_HDR_LOAD_END_ADDR);
    bss_end = ldl_le_p(h + MB_HDR_BSS_END_ADDR);
    *entry = ldl_le_p(h + MB_HDR_ENTRY_ADDR);

    /* The header at header_addr is file offset off: the load starts at
     * file offset off - (header_addr - load_addr). */
    if (load_addr > header_addr || header_addr - load_addr > (uint64_t)off) {
        error_setg(errp, "-kernel %s: bad multiboot header: load_addr 0x%"
                   PRIx64 " and header_addr 0x%" PRIx64 " put the image "
                   "start outside the file", path, load_addr, header_addr);
        return false;
    }
    load_offset = off - (header_addr - load_addr);
    if (!load_end) {
        load_end = load_addr + (size - load_offset);
    }
    if (load_end < load_addr) {
        error_setg(errp, "-kernel %s: bad multiboot header: load_end_addr "
                   "0x%" PRIx64 " is below load_addr 0x%" PRIx64, path,
                   load_end, load_addr);
        return false;
    }
    len = load_end - load_addr;
    if (len > size - load_offset) {
        error_setg(errp, "-kernel %s: truncated multiboot image: load_end_addr"
                   " 0x%" PRIx64 " needs %" PRIu64 " bytes from file offset "
                   "0x%" PRIx64 ", the file has %zu", path, load_end, len,
                   load_offset, size);
        return false;
    }
    if (!bss_end) {
        bss_end = load_end;
    }
    if (bss_end < load_end) {
        error_setg(errp, "-kernel %s: bad multiboot header: bss_end_addr 0x%"
                   PRIx64 " is below load_end_addr 0x%" PRIx64, path,
                   bss_end, load_end);
        return false;
    }
    if (bss_end > 4 * GiB) {
        error_setg(errp, "-kernel %s: the multiboot image ends above 4 GiB",
                   path);
        return false;
    }
    if (!x86_boot_check_kernel_range(path, "the multiboot image", load_addr,
                                     bss_end - load_addr, errp)) {
        return false;
    }
    rom_add_blob("kernel", k + load_offset, len, bss_end - load_addr,
                 load_addr);
    *end = bss_end;
    return true;
}

/* The image through its ELF program headers. */
static bool multiboot_load_elf(X86BootContext *ctx, uint64_t *entry,
                               uint64_t *end, GError **errp)
{
    const char *path = ctx->kernel_path;
    g_autofree char *what = g_strdup_printf("-kernel %s", path);
    ElfImage img;
    uint64_t paddr;

    if (!elf_is_elf(ctx->kernel, ctx->kernel_size)) {
        error_setg(errp, "-kernel %s: multiboot image without address "
                   "fields (flag 16) must be an ELF file", path);
        return false;
    }
    if (!elf_parse(what, ctx->kernel, ctx->kernel_size, &img, errp)) {
        return false;
    }
    for (unsigned i = 0; i < img.loads->len; i++) {
        ElfSegment *s = &g_array_index(img.loads, ElfSegment, i);
        g_autofree char *seg = g_strdup_printf("segment %u", s->index);

        if (s->paddr + s->memsz > 4 * GiB) {
            error_setg(errp, "-kernel %s: %s (0x%" PRIx64 "-0x%" PRIx64 ") "
                       "lies above 4 GiB", path, seg, s->paddr,
                       s->paddr + s->memsz - 1);
            elf_image_free(&img);
            return false;
        }
        if (!x86_boot_check_kernel_range(path, seg, s->paddr, s->memsz,
                                         errp)) {
            elf_image_free(&img);
            return false;
        }
    }
    /* Segments go to their physical addresses; an entry point inside a
     * segment's virtual range moves with it (as GRUB does). */
    *entry = img.entry;
    if (elf_vaddr_to_paddr(&img, img.entry, &paddr)) {
        *entry = paddr;
    }
    elf_add_roms("kernel", ctx->kernel, &img);
    *end = img.high;
    elf_image_free(&img);
    return true;
}

bool multiboot_load(X86BootContext *ctx, GError **errp)
{
    const char *path = ctx->kernel_path;
    long off = multiboot_find_header(ctx->kernel, ctx->kernel_size);
    uint32_t flags;
    uint64_t entry, end, mods_at, lower, upper;
    g_autoptr(GPtrArray) mods = NULL;
    g_autofree char *cmdline = NULL;
    X86BootInfo bi = { 0 };
    hwaddr mbi, mods_addr = 0, mmap;
    uint32_t mbi_flags;
    const E820Entry *e820;
    unsigned e820_n;
    uint8_t *p;

    assert(off >= 0);
    flags = ldl_le_p(ctx->kernel + off + MB_HDR_FLAGS);
    if (flags & 0xffff & ~MB_FLAGS_SUPPORTED) {
        error_setg(errp, "-kernel %s: the multiboot header requires features "
                   "Ember does not provide (flags 0x%08x)", path, flags);
        return false;
    }
    if (flags & MB_FLAG_AOUT_KLUDGE) {
        if (!multiboot_load_aout(ctx, off, &entry, &end, errp)) {
            return false;
        }
    } else if (!multiboot_load_elf(ctx, &entry, &end, errp)) {
        return false;
    }
    if (entry >= 4 * GiB) {
        error_setg(errp, "-kernel %s: the multiboot entry point 0x%" PRIx64
                   " is above 4 GiB", path, entry);
        return false;
    }
    x86_boot_add_gdt(X86_BOOT_MODE_PROTECTED32);

    x86_boot_info_init(&bi);
    mbi = x86_boot_info_alloc(&bi, MBI_SIZE, 8);
    mbi_flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP |
                MBI_FLAG_BOOT_LOADER_NAME;

    /* Modules: in order, page-aligned, after the kernel's last byte. */
    mods_at = ROUND_UP(MAX(end, (uint64_t)1 * MiB), 4096);
    if (ctx->initrd) {
        uint64_t ram_end = MIN(x86_boot_ram_end(mods_at), 4 * GiB);
        uint64_t free_ram = ram_end > mods_at ? ram_end - mods_at : 0;

        mods = x86_boot_load_modules(ctx->initrd, free_ram, errp);
        if (!mods) {
            goto fail;
        }
        mods_addr = x86_boot_info_alloc(&bi, mods->len * MB_MOD_SIZE, 4);
        for (unsigned i = 0; i < mods->len; i++) {
            X86BootModule *m = g_ptr_array_index(mods, i);
            g_autofree char *name = g_strdup_printf("module %u", i);
            hwaddr str = x86_boot_info_add_string(&bi, m->spec);
            uint8_t *ent;

            if (m->size && !x86_boot_is_ram(mods_at, m->size)) {
                error_setg(errp, "-initrd %s: the modules do not fit in the "
                           "RAM above the kernel (more -m?)", ctx->initrd);
                goto fail;
            }
            ent = x86_boot_info_ptr(&bi, mods_addr + i * MB_MOD_SIZE);
            stl_le_p(ent + MB_MOD_START, mods_at);
            stl_le_p(ent + MB_MOD_END, mods_at + m->size);
            stl_le_p(ent + MB_MOD_STRING, str);
            rom_add_blob_take(name, g_steal_pointer(&m->data), m->size,
                              m->size, mods_at);
            mods_at = ROUND_UP(mods_at + m->size, 4096);
        }
        mbi_flags |= MBI_FLAG_MODS;
    }

    cmdline = ctx->cmdline ? g_strdup_printf("%s %s", path, ctx->cmdline)
                           : g_strdup(path);
    e820_n = e820_get_table(&e820);
    mmap = x86_boot_info_alloc(&bi, e820_n * MB_MMAP_ENTRY_SIZE, 4);
    for (unsigned i = 0; i < e820_n; i++) {
        uint8_t *ent = x86_boot_info_ptr(&bi, mmap + i * MB_MMAP_ENTRY_SIZE);
        stl_le_p(ent, MB_MMAP_ENTRY_SIZE - 4);
        stq_le_p(ent + 4, e820[i].addr);
        stq_le_p(ent + 12, e820[i].size);
        stl_le_p(ent + 20, e820[i].type);
    }
    /* Lower memory from 0 (at most 640 KiB), upper memory from 1 MiB up
     * to the first hole (3.3). */
    lower = MIN(x86_boot_ram_end(0), 640 * KiB) / KiB;
    upper = x86_boot_ram_end(1 * MiB);
    upper = upper > 1 * MiB ? MIN(upper - 1 * MiB, 4 * GiB - 1) / KiB : 0;
    {
        hwaddr cmd = x86_boot_info_add_string(&bi, cmdline);
        hwaddr name = x86_boot_info_add_string(&bi, "ember");

        p = x86_boot_info_ptr(&bi, mbi);
        stl_le_p(p + MBI_FLAGS, mbi_flags);
        stl_le_p(p + MBI_MEM_LOWER, lower);
        stl_le_p(p + MBI_MEM_UPPER, upper);
        stl_le_p(p + MBI_CMDLINE, cmd);
        stl_le_p(p + MBI_MODS_COUNT, mods ? mods->len : 0);
        stl_le_p(p + MBI_MODS_ADDR, mods_addr);
        stl_le_p(p + MBI_MMAP_LENGTH, e820_n * MB_MMAP_ENTRY_SIZE);
        stl_le_p(p + MBI_MMAP_ADDR, mmap);
        stl_le_p(p + MBI_BOOT_LOADER_NAME, name);
    }
    if (!x86_boot_info_finish(&bi, ctx, errp)) {
        return false;
    }
    ctx->entry.mode = X86_BOOT_MODE_PROTECTED32;
    ctx->entry.rip = entry;
    ctx->entry.rax = MULTIBOOT_BOOTLOADER_MAGIC;
    ctx->entry.rbx = mbi;
    return true;

fail:
    if (bi.buf) {
        g_byte_array_unref(bi.buf);
    }
    return false;
}
