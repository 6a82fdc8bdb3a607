/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multiboot v1 loading (hw/i386/multiboot.c) from hand-made images. */
#include "ember/osdep.h"
#include <fcntl.h>
#include "boot-test-util.h"
#include "hw/i386/e820.h"
#include "hw/i386/multiboot.h"
#include "hw/loader.h"

/* A multiboot header (3.1.1) with or without the address fields. */
static void put_header(uint8_t *p, uint32_t flags, const uint32_t *aout)
{
    stl_le_p(p, MULTIBOOT_HEADER_MAGIC);
    stl_le_p(p + 4, flags);
    stl_le_p(p + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
    if (aout) {
        for (int i = 0; i < 5; i++) {
            stl_le_p(p + 12 + i * 4, aout[i]);
        }
    }
}

/* ELF32: text at 1 MiB (header inside), data + bss at 2 MiB. */
static uint8_t *mb_elf(uint32_t flags, uint64_t text_paddr, size_t *size)
{
    TestElf *e = test_elf_new(false, ELF_EM_386, 0x100020);
    uint8_t text[256], data[64];
    uint8_t *f;

    for (unsigned i = 0; i < sizeof(text); i++) {
        text[i] = 0x90;
    }
    put_header(text, flags, NULL);
    memset(data, 0x42, sizeof(data));
    test_elf_add(e, ELF_PT_LOAD, text_paddr, 0x100000, text, sizeof(text),
                 sizeof(text));
    test_elf_add(e, ELF_PT_LOAD, 0x200000, 0x200000, data, sizeof(data),
                 0x2000);
    f = test_elf_build(e, size);
    test_elf_free(e);
    return f;
}

static void check_info(hwaddr mbi, const char *cmdline, uint64_t ram)
{
    const E820Entry *t;
    unsigned n = e820_get_table(&t);
    uint32_t flags = boot_test_ldl(mbi + MBI_FLAGS);
    hwaddr mmap = boot_test_ldl(mbi + MBI_MMAP_ADDR);
    g_autofree uint8_t *s = NULL;

    g_assert_true(flags & MBI_FLAG_MEM);
    g_assert_true(flags & MBI_FLAG_CMDLINE);
    g_assert_true(flags & MBI_FLAG_MMAP);
    g_assert_true(flags & MBI_FLAG_BOOT_LOADER_NAME);
    g_assert_cmpuint(boot_test_ldl(mbi + MBI_MEM_LOWER), ==, 639);
    g_assert_cmpuint(boot_test_ldl(mbi + MBI_MEM_UPPER), ==,
                     (ram - 1 * MiB) / KiB);
    s = boot_test_read(boot_test_ldl(mbi + MBI_CMDLINE), strlen(cmdline) + 1);
    g_assert_cmpstr((char *)s, ==, cmdline);
    g_clear_pointer(&s, g_free);
    s = boot_test_read(boot_test_ldl(mbi + MBI_BOOT_LOADER_NAME), 6);
    g_assert_cmpstr((char *)s, ==, "ember");
    /* mmap: one entry per e820 range, each "size" 20 (3.3). */
    g_assert_cmpuint(boot_test_ldl(mbi + MBI_MMAP_LENGTH), ==, n * 24);
    for (unsigned i = 0; i < n; i++) {
        hwaddr ent = mmap + i * 24;
        g_assert_cmpuint(boot_test_ldl(ent), ==, 20);
        g_assert_cmphex(boot_test_ldq(ent + 4), ==, t[i].addr);
        g_assert_cmphex(boot_test_ldq(ent + 12), ==, t[i].size);
        g_assert_cmpuint(boot_test_ldl(ent + 20), ==, t[i].type);
    }
}

static void check_entry(const X86BootEntry *e, uint64_t rip)
{
    CPUX86State env;

    g_assert_cmpint(e->mode, ==, X86_BOOT_MODE_PROTECTED32);
    boot_test_cpu(e, &env);
    g_assert_cmphex(env.rip, ==, rip);
    g_assert_cmphex(env.regs[R_EAX], ==, MULTIBOOT_BOOTLOADER_MAGIC);
    g_assert_cmphex(env.regs[R_EBX], ==, X86_BOOT_INFO_ADDR);
    g_assert_cmphex(env.cr[0] & (CR0_PE_MASK | CR0_PG_MASK), ==, CR0_PE_MASK);
    g_assert_cmphex(env.segs[R_CS].base, ==, 0);
    g_assert_cmphex(env.segs[R_CS].limit, ==, 0xffffffff);
    g_assert_true(env.segs[R_CS].flags & DESC_B_MASK);
    g_assert_true(env.segs[R_CS].flags & DESC_CS_MASK);
    g_assert_cmphex(env.segs[R_DS].limit, ==, 0xffffffff);
    g_assert_true(env.segs[R_DS].flags & DESC_W_MASK);
    g_assert_true(env.hflags & HF_CS32_MASK);
    g_assert_false(cpu_compute_eflags(&env) & (IF_MASK | VM_MASK));
}

static void test_elf(void)
{
    size_t size;
    g_autofree uint8_t *f = mb_elf(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO,
                                   0x100000, &size);
    g_autofree uint8_t *m1 = g_malloc(9000), *back = NULL;
    g_autofree char *p1 = NULL, *p2 = NULL, *mods = NULL, *want = NULL;
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    hwaddr mbi = X86_BOOT_INFO_ADDR, ml;

    memset(m1, 0x11, 9000);
    p1 = boot_test_tmpfile("m1", m1, 9000);
    p2 = boot_test_tmpfile("m2", "second", 6);
    mods = g_strdup_printf("%s arg=1 two,%s", p1, p2);

    boot_test_machine(64 * MiB);
    boot_test_fill(0x200000, 0xcc, 0x2000);
    boot_test_ctx(&ctx, "/boot/k.elf", f, size, mods, "a=b c");
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(ctx.protocol, ==, "multiboot");
    boot_test_reset();

    check_entry(&ctx.entry, 0x100020);
    check_info(mbi, "/boot/k.elf a=b c", 64 * MiB);
    /* Segments at their physical addresses; bss zeroed. */
    back = boot_test_read(0x100000, 256);
    g_assert_cmpuint(ldl_le_p(back), ==, MULTIBOOT_HEADER_MAGIC);
    g_assert_cmpuint(back[255], ==, 0x90);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(0x200000, 0x2000);
    g_assert_cmpuint(back[63], ==, 0x42);
    g_assert_cmpuint(back[64], ==, 0);
    g_assert_cmpuint(back[0x1fff], ==, 0);

    /* Modules: in order, page-aligned, after the kernel, with strings. */
    g_assert_true(boot_test_ldl(mbi + MBI_FLAGS) & MBI_FLAG_MODS);
    g_assert_cmpuint(boot_test_ldl(mbi + MBI_MODS_COUNT), ==, 2);
    ml = boot_test_ldl(mbi + MBI_MODS_ADDR);
    g_assert_cmphex(boot_test_ldl(ml + MB_MOD_START), ==, 0x202000);
    g_assert_cmphex(boot_test_ldl(ml + MB_MOD_END), ==, 0x202000 + 9000);
    g_assert_cmphex(boot_test_ldl(ml + 16 + MB_MOD_START), ==,
                    ROUND_UP(0x202000 + 9000, 4096));
    g_assert_cmphex(boot_test_ldl(ml + 16 + MB_MOD_END) -
                    boot_test_ldl(ml + 16 + MB_MOD_START), ==, 6);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(boot_test_ldl(ml + MB_MOD_STRING), 256);
    want = g_strdup_printf("%s arg=1 two", p1);
    g_assert_cmpstr((char *)back, ==, want);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(boot_test_ldl(ml + 16 + MB_MOD_STRING), 256);
    g_assert_cmpstr((char *)back, ==, p2);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(0x202000, 9000);
    g_assert_cmpmem(back, 9000, m1, 9000);
    g_clear_pointer(&back, g_free);
    back = boot_test_read(ROUND_UP(0x202000 + 9000, 4096), 6);
    g_assert_cmpmem(back, 6, "second", 6);
}

static void test_elf_higher_half(void)
{
    /* Entry 0xc0100020 in a segment with vaddr 0xc0100000 at paddr 1 MiB:
     * the CPU starts at the physical address. */
    TestElf *e = test_elf_new(false, ELF_EM_386, 0xc0100020);
    uint8_t text[64] = { 0 };
    g_autofree uint8_t *f = NULL;
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    size_t size;

    put_header(text, 0, NULL);
    test_elf_add(e, ELF_PT_LOAD, 0x100000, 0xc0100000, text, 64, 64);
    f = test_elf_build(e, &size);
    test_elf_free(e);
    boot_test_machine(16 * MiB);
    boot_test_ctx(&ctx, "hh", f, size, NULL, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_cmphex(ctx.entry.rip, ==, 0x100020);
    boot_test_reset();
    /* No modules: flag clear; no -append: the path alone. */
    g_assert_false(boot_test_ldl(X86_BOOT_INFO_ADDR + MBI_FLAGS) &
                   MBI_FLAG_MODS);
    check_info(X86_BOOT_INFO_ADDR, "hh", 16 * MiB);
}

/* a.out kludge: a raw image whose header gives the addresses. */
static uint8_t *mb_aout(uint32_t hdr_off, const uint32_t *aout, size_t size)
{
    uint8_t *f = g_malloc(size);

    for (size_t i = 0; i < size; i++) {
        f[i] = (uint8_t)(i ^ 0x5a);
    }
    put_header(f + hdr_off, MB_FLAG_AOUT_KLUDGE | MB_FLAG_MEMORY_INFO, aout);
    return f;
}

static void test_aout(void)
{
    /* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr:
     * the file from offset 0x40 - 0x40 = 0 loads at 0x110000. */
    const uint32_t aout[5] = { 0x110040, 0x110000, 0, 0x118000, 0x110100 };
    const size_t size = 0x3000;
    g_autofree uint8_t *f = mb_aout(0x40, aout, size);
    g_autofree uint8_t *back = NULL;
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;
    uint32_t aout2[5] = { 0x200010, 0x200000, 0x200800, 0, 0x200000 };
    g_autofree uint8_t *f2 = NULL;

    boot_test_machine(32 * MiB);
    boot_test_fill(0x110000, 0xee, 0x9000);
    boot_test_ctx(&ctx, "aout", f, size, NULL, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    g_assert_no_error(err);
    boot_test_reset();
    check_entry(&ctx.entry, 0x110100);
    back = boot_test_read(0x110000, 0x9000);
    g_assert_cmpmem(back, size, f, size);
    for (unsigned i = size; i < 0x8000; i++) {
        g_assert_cmpuint(back[i], ==, 0);
    }
    g_assert_cmpuint(back[0x8000], ==, 0xee);
    check_info(X86_BOOT_INFO_ADDR, "aout", 32 * MiB);

    /* The header 0x10 into the load, starting at file offset 0x100:
     * load_end_addr limits what is read from the file. */
    f2 = mb_aout(0x110, aout2, 0x2000);
    boot_test_machine(32 * MiB);
    boot_test_fill(0x200000, 0xee, 0x1000);
    boot_test_ctx(&ctx, "aout2", f2, 0x2000, NULL, NULL);
    g_assert_true(x86_boot_load(&ctx, &err));
    boot_test_reset();
    g_clear_pointer(&back, g_free);
    back = boot_test_read(0x200000, 0x801);
    g_assert_cmpmem(back, 0x800, f2 + 0x100, 0x800);
    g_assert_cmpuint(back[0x800], ==, 0xee);
}

static void test_find_header(void)
{
    g_autofree uint8_t *f = g_malloc0(16384);

    g_assert_cmpint(multiboot_find_header(f, 16384), ==, -1);
    put_header(f + 8188 - 8, 0, NULL);         /* last slot: 8180 */
    g_assert_cmpint(multiboot_find_header(f, 16384), ==, 8180);
    memset(f, 0, 16384);
    put_header(f + 8192, 0, NULL);             /* beyond the search */
    g_assert_cmpint(multiboot_find_header(f, 16384), ==, -1);
    memset(f, 0, 16384);
    put_header(f + 102, 0, NULL);              /* not 4-byte aligned */
    g_assert_cmpint(multiboot_find_header(f, 16384), ==, -1);
    memset(f, 0, 16384);
    put_header(f + 100, 0, NULL);
    stl_le_p(f + 108, 0);                      /* bad checksum */
    g_assert_cmpint(multiboot_find_header(f, 16384), ==, -1);
    put_header(f + 100, 0, NULL);
    g_assert_cmpint(multiboot_find_header(f, 16384), ==, 100);
    /* A header cut by the end of the file is not found. */
    g_assert_cmpint(multiboot_find_header(f, 108), ==, -1);
}

static void expect_fail(const uint8_t *f, size_t size, const char *initrd,
                        uint64_t ram, const char *msg)
{
    g_autoptr(GError) err = NULL;
    X86BootContext ctx;

    boot_test_machine(ram);
    boot_test_ctx(&ctx, "bad.mb", f, size, initrd, NULL);
    g_assert_false(x86_boot_load(&ctx, &err));
    if (!strstr(err->message, msg)) {
        g_error("message '%s' lacks '%s'", err->message, msg);
    }
}

static void test_bad(void)
{
    size_t size;
    g_autofree uint8_t *f = NULL;
    g_autofree char *big = NULL;
    uint32_t aout[5] = { 0x110040, 0x110000, 0, 0, 0x110000 };
    int fd;

    /* Unknown required feature bits (0-15). */
    f = mb_elf(1 << 5, 0x100000, &size);
    expect_fail(f, size, NULL, 64 * MiB, "flags 0x00000020");
    g_clear_pointer(&f, g_free);
    /* Segments in the VGA/BIOS hole, beyond RAM, in the boot area. */
    f = mb_elf(0, 0xf0000, &size);
    expect_fail(f, size, NULL, 64 * MiB, "VGA/BIOS");
    g_clear_pointer(&f, g_free);
    f = mb_elf(0, 0x100000, &size);
    expect_fail(f, size, NULL, 2 * MiB, "beyond the end of RAM");
    g_clear_pointer(&f, g_free);
    f = mb_elf(0, 0x9000, &size);
    expect_fail(f, size, NULL, 64 * MiB, "boot data");
    g_clear_pointer(&f, g_free);
    /* ELF program headers outside the file. */
    f = mb_elf(0, 0x100000, &size);
    stl_le_p(f + 28, size - 8);
    expect_fail(f, size, NULL, 64 * MiB, "truncated ELF");
    g_clear_pointer(&f, g_free);
    /* Not ELF and no address fields. */
    f = g_malloc0(4096);
    put_header(f + 16, 0, NULL);
    expect_fail(f, 4096, NULL, 64 * MiB, "must be an ELF");
    g_clear_pointer(&f, g_free);
    /* a.out: load_end_addr beyond the file, address fields cut off,
     * header_addr below load_addr, bss_end below load_end. */
    aout[2] = 0x200000;
    f = mb_aout(0x40, aout, 0x1000);
    expect_fail(f, 0x1000, NULL, 64 * MiB, "truncated multiboot image");
    g_clear_pointer(&f, g_free);
    aout[2] = 0;
    f = mb_aout(0x40, aout, 0x1000);
    expect_fail(f, 0x50, NULL, 64 * MiB, "truncated multiboot header");
    g_clear_pointer(&f, g_free);
    aout[1] = 0x110080;
    f = mb_aout(0x40, aout, 0x1000);
    expect_fail(f, 0x1000, NULL, 64 * MiB, "load_addr");
    g_clear_pointer(&f, g_free);
    aout[1] = 0x10000;      /* would start 1 MiB before the file */
    f = mb_aout(0x40, aout, 0x1000);
    expect_fail(f, 0x1000, NULL, 64 * MiB, "outside the file");
    g_clear_pointer(&f, g_free);
    aout[1] = 0x110000;
    aout[3] = 0x110010;
    f = mb_aout(0x40, aout, 0x1000);
    expect_fail(f, 0x1000, NULL, 64 * MiB, "bss_end_addr");
    g_clear_pointer(&f, g_free);
    /* Modules that do not fit, and missing ones. */
    f = mb_elf(0, 0x100000, &size);
    big = boot_test_tmpfile("bigmod", "", 0);
    fd = open(big, O_WRONLY);
    g_assert_cmpint(ftruncate(fd, 40 * MiB), ==, 0);
    close(fd);
    expect_fail(f, size, big, 32 * MiB, "too large");
    expect_fail(f, size, "/nonexistent/mod arg", 32 * MiB,
                "could not open '/nonexistent/mod'");
    expect_fail(f, size, ",", 32 * MiB, "empty file name");
}

static void test_module_list(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *p = boot_test_tmpfile("a,b", "xyz", 3);
    g_auto(GStrv) parts = g_strsplit(p, ",", -1);
    g_autofree char *escaped = g_strjoinv(",,", parts);
    g_autofree char *list = g_strdup_printf("%s x=1,%s", escaped, escaped);
    g_autoptr(GPtrArray) mods = NULL;
    X86BootModule *m;

    /* ",," is a comma inside the file name. */
    boot_test_machine(16 * MiB);
    mods = x86_boot_load_modules(list, 1 * MiB, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(mods->len, ==, 2);
    m = g_ptr_array_index(mods, 0);
    g_assert_cmpstr(m->path, ==, p);
    g_assert_true(g_str_has_suffix(m->spec, " x=1"));
    g_assert_cmpuint(m->size, ==, 3);
    m = g_ptr_array_index(mods, 1);
    g_assert_cmpstr(m->path, ==, p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/multiboot/find-header", test_find_header);
    g_test_add_func("/multiboot/elf", test_elf);
    g_test_add_func("/multiboot/elf-higher-half", test_elf_higher_half);
    g_test_add_func("/multiboot/aout", test_aout);
    g_test_add_func("/multiboot/module-list", test_module_list);
    g_test_add_func("/multiboot/bad", test_bad);
    return g_test_run();
}
