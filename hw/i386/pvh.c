/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PVH direct boot (Xen project docs/misc/pvh.pandoc): an ELF vmlinux (or
 * any ELF kernel) with a XEN_ELFNOTE_PHYS32_ENTRY note. Its PT_LOAD
 * segments go to their physical addresses; an hvm_start_info (version 1,
 * with the e820 map as its memmap table, the command line and -initrd as
 * modules) goes into the info area, and the kernel is entered in flat
 * 32-bit protected mode, paging off, %ebx = the start info.
 */
#include "ember/osdep.h"
#include "ember/error.h"
#include "hw/i386/e820.h"
#include "hw/i386/pvh.h"
#include "hw/i386/x86-boot.h"
#include "hw/loader.h"

static bool pvh_entry_of(const uint8_t *data, size_t size,
                         const ElfImage *img, uint64_t *entry)
{
    const uint8_t *desc;
    uint32_t descsz;

    if (!elf_find_note(data, size, img, PVH_NOTE_NAME,
                       XEN_ELFNOTE_PHYS32_ENTRY, &desc, &descsz)) {
        return false;
    }
    /* Linux emits the note with _ASM_PTR: 8 bytes in a 64-bit kernel,
     * 4 in a 32-bit one. */
    if (descsz == 4) {
        *entry = ldl_le_p(desc);
    } else if (descsz == 8) {
        *entry = ldq_le_p(desc);
    } else {
        return false;
    }
    return true;
}

bool pvh_find_entry(const uint8_t *data, size_t size, uint64_t *entry)
{
    ElfImage img;
    bool found;

    if (!elf_is_elf(data, size) || !elf_parse("", data, size, &img, NULL)) {
        return false;
    }
    found = pvh_entry_of(data, size, &img, entry);
    elf_image_free(&img);
    return found;
}

bool pvh_probe(const uint8_t *data, size_t size)
{
    ElfImage img;
    const uint8_t *desc;
    uint32_t descsz;
    bool found;

    if (!elf_is_elf(data, size)) {
        return false;
    }
    /*
     * A malformed ELF counts as PVH, so that the loader reports what is
     * wrong with it (truncated, bad program headers) rather than "not a
     * kernel".
     */
    if (!elf_parse("", data, size, &img, NULL)) {
        return true;
    }
    found = elf_find_note(data, size, &img, PVH_NOTE_NAME,
                          XEN_ELFNOTE_PHYS32_ENTRY, &desc, &descsz);
    elf_image_free(&img);
    return found;
}

bool pvh_load(X86BootContext *ctx, GError **errp)
{
    const char *path = ctx->kernel_path;
    ElfImage img;
    uint64_t entry, mod_hi = 4 * GiB, free_ram = 0;
    g_autoptr(GPtrArray) mods = NULL;
    X86BootInfo bi = { 0 };
    hwaddr si, modlist = 0, memmap;
    const E820Entry *e820;
    unsigned e820_n;
    g_autofree char *what = g_strdup_printf("-kernel %s", path);

    if (!elf_parse(what, ctx->kernel, ctx->kernel_size, &img, errp)) {
        return false;
    }
    if (!pvh_entry_of(ctx->kernel, ctx->kernel_size, &img, &entry)) {
        error_setg(errp, "-kernel %s: bad PVH note (XEN_ELFNOTE_PHYS32_ENTRY "
                   "must hold a 4- or 8-byte address)", path);
        goto fail;
    }
    if (entry >= 4 * GiB) {
        error_setg(errp, "-kernel %s: the PVH entry point 0x%" PRIx64 " is "
                   "above 4 GiB", path, entry);
        goto fail;
    }
    for (unsigned i = 0; i < img.loads->len; i++) {
        ElfSegment *s = &g_array_index(img.loads, ElfSegment, i);
        g_autofree char *seg = g_strdup_printf("segment %u", s->index);

        if (!x86_boot_check_kernel_range(path, seg, s->paddr, s->memsz,
                                         errp)) {
            goto fail;
        }
    }
    elf_add_roms("kernel", ctx->kernel, &img);
    x86_boot_add_gdt(X86_BOOT_MODE_PROTECTED32);

    x86_boot_info_init(&bi);
    si = x86_boot_info_alloc(&bi, HVM_SI_SIZE, 8);

    /* Modules: page-aligned, from the top of RAM below 4 GiB down. */
    if (ctx->initrd) {
        const E820Entry *t;
        unsigned n = e820_get_table(&t);

        for (unsigned i = 0; i < n; i++) {
            uint64_t s = ROUND_UP(MAX(t[i].addr, img.high), 4096);
            uint64_t e = MIN(t[i].addr + t[i].size, 4 * GiB);
            if (t[i].type == E820_RAM && e > s) {
                free_ram = MAX(free_ram, e - s);
            }
        }
        mods = x86_boot_load_modules(ctx->initrd, free_ram, errp);
        if (!mods) {
            goto fail;
        }
        modlist = x86_boot_info_alloc(&bi, mods->len * HVM_MOD_ENTRY_SIZE, 8);
        for (unsigned i = 0; i < mods->len; i++) {
            X86BootModule *m = g_ptr_array_index(mods, i);
            const char *args = strchr(m->spec, ' ');
            g_autofree char *name = g_strdup_printf("module %u", i);
            uint64_t addr;
            hwaddr str = args ? x86_boot_info_add_string(&bi, args + 1) : 0;
            uint8_t *ent;

            if (!x86_boot_find_ram_top(img.high, mod_hi, m->size, 4096,
                                       &addr)) {
                error_setg(errp, "-initrd %s: the modules do not fit in "
                           "the free RAM above the kernel (more -m?)",
                           ctx->initrd);
                goto fail;
            }
            mod_hi = addr;
            rom_add_blob_take(name, g_steal_pointer(&m->data), m->size,
                              m->size, addr);
            ent = x86_boot_info_ptr(&bi, modlist + i * HVM_MOD_ENTRY_SIZE);
            stq_le_p(ent + HVM_MOD_PADDR, addr);
            stq_le_p(ent + HVM_MOD_SIZE, m->size);
            stq_le_p(ent + HVM_MOD_CMDLINE_PADDR, str);
        }
    }

    e820_n = e820_get_table(&e820);
    memmap = x86_boot_info_alloc(&bi, e820_n * HVM_MEMMAP_ENTRY_SIZE, 8);
    for (unsigned i = 0; i < e820_n; i++) {
        uint8_t *ent = x86_boot_info_ptr(&bi, memmap +
                                         i * HVM_MEMMAP_ENTRY_SIZE);
        stq_le_p(ent + HVM_MEMMAP_ADDR, e820[i].addr);
        stq_le_p(ent + HVM_MEMMAP_SIZE, e820[i].size);
        stl_le_p(ent + HVM_MEMMAP_TYPE, e820[i].type);
    }
    {
        hwaddr cmd = ctx->cmdline ? x86_boot_info_add_string(&bi, ctx->cmdline)
                                  : 0;
        uint8_t *p = x86_boot_info_ptr(&bi, si);

        stl_le_p(p + HVM_SI_MAGIC, HVM_START_MAGIC);
        stl_le_p(p + HVM_SI_VERSION, HVM_START_VERSION);
        stl_le_p(p + HVM_SI_NR_MODULES, mods ? mods->len : 0);
        stq_le_p(p + HVM_SI_MODLIST_PADDR, modlist);
        stq_le_p(p + HVM_SI_CMDLINE_PADDR, cmd);
        stq_le_p(p + HVM_SI_RSDP_PADDR, x86_boot_find_rsdp());
        stq_le_p(p + HVM_SI_MEMMAP_PADDR, memmap);
        stl_le_p(p + HVM_SI_MEMMAP_ENTRIES, e820_n);
    }
    if (!x86_boot_info_finish(&bi, ctx, errp)) {
        goto fail;
    }
    ctx->entry.mode = X86_BOOT_MODE_PROTECTED32;
    ctx->entry.rip = entry;
    ctx->entry.rbx = si;
    elf_image_free(&img);
    return true;

fail:
    if (bi.buf) {
        g_byte_array_unref(bi.buf);
    }
    elf_image_free(&img);
    return false;
}
