/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ELF parser and rom blobs (hw/core/loader.c). */
#include "ember/osdep.h"
#include "boot-test-util.h"
#include "hw/loader.h"
#include "system/runstate.h"

static uint8_t *two_segment_elf(bool is64, size_t *size)
{
    TestElf *e = test_elf_new(is64, is64 ? ELF_EM_X86_64 : ELF_EM_386,
                              0xc0100010);
    uint8_t text[64], data[16];
    uint8_t *f;

    for (unsigned i = 0; i < sizeof(text); i++) {
        text[i] = i;
    }
    memset(data, 0xab, sizeof(data));
    /* Higher-half style: vaddr != paddr. */
    test_elf_add(e, ELF_PT_LOAD, 0x100000, 0xc0100000, text, sizeof(text),
                 sizeof(text));
    test_elf_add(e, ELF_PT_LOAD, 0x200000, 0xc0200000, data, sizeof(data),
                 0x3000);
    f = test_elf_build(e, size);
    test_elf_free(e);
    return f;
}

static void test_elf_parse_ok(void)
{
    for (int is64 = 0; is64 < 2; is64++) {
        size_t size;
        g_autofree uint8_t *f = two_segment_elf(is64, &size);
        g_autoptr(GError) err = NULL;
        ElfImage img;
        ElfSegment *s;
        uint64_t pa;

        g_assert_true(elf_parse("t", f, size, &img, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(img.elf_class, ==, is64 ? 64 : 32);
        g_assert_cmphex(img.entry, ==, 0xc0100010);
        g_assert_cmpuint(img.loads->len, ==, 2);
        s = &g_array_index(img.loads, ElfSegment, 1);
        g_assert_cmphex(s->paddr, ==, 0x200000);
        g_assert_cmphex(s->vaddr, ==, 0xc0200000);
        g_assert_cmphex(s->filesz, ==, 16);
        g_assert_cmphex(s->memsz, ==, 0x3000);
        g_assert_cmphex(img.low, ==, 0x100000);
        g_assert_cmphex(img.high, ==, 0x203000);
        g_assert_true(elf_vaddr_to_paddr(&img, 0xc0100010, &pa));
        g_assert_cmphex(pa, ==, 0x100010);
        g_assert_false(elf_vaddr_to_paddr(&img, 0xc0300000, &pa));
        elf_image_free(&img);
    }
}

/* Damage a good ELF in one place; parsing must fail with a message. */
typedef void Damage(uint8_t *f, size_t *size, bool is64);

static void dmg_truncate_phdrs(uint8_t *f, size_t *size, bool is64)
{
    *size = is64 ? 64 + 20 : 52 + 10;   /* cuts the program headers */
}
static void dmg_phoff(uint8_t *f, size_t *size, bool is64)
{
    if (is64) {
        stq_le_p(f + 32, 0xfffffffffffffff0ULL);
    } else {
        stl_le_p(f + 28, 0xfffffff0);
    }
}
static void dmg_phnum(uint8_t *f, size_t *size, bool is64)
{
    stw_le_p(f + (is64 ? 56 : 44), 0x7fff);
}
static void dmg_phentsize(uint8_t *f, size_t *size, bool is64)
{
    stw_le_p(f + (is64 ? 54 : 42), 40);
}
static void dmg_seg_offset(uint8_t *f, size_t *size, bool is64)
{
    /* Segment 0's file offset far past the end. */
    if (is64) {
        stq_le_p(f + 64 + 8, 0x7fffffff00000000ULL);
    } else {
        stl_le_p(f + 52 + 4, 0x7fffff00);
    }
}
static void dmg_filesz(uint8_t *f, size_t *size, bool is64)
{
    /* filesz larger than memsz. */
    if (is64) {
        stq_le_p(f + 64 + 40, 8);
    } else {
        stl_le_p(f + 52 + 20, 8);
    }
}
static void dmg_overlap(uint8_t *f, size_t *size, bool is64)
{
    /* Segment 1 starts inside segment 0. */
    if (is64) {
        stq_le_p(f + 64 + 56 + 24, 0x100020);
    } else {
        stl_le_p(f + 52 + 32 + 12, 0x100020);
    }
}
static void dmg_class(uint8_t *f, size_t *size, bool is64)
{
    f[4] = 3;
}
static void dmg_endian(uint8_t *f, size_t *size, bool is64)
{
    f[5] = 2;
}
static void dmg_type(uint8_t *f, size_t *size, bool is64)
{
    stw_le_p(f + 16, 3);    /* ET_DYN */
}
static void dmg_machine(uint8_t *f, size_t *size, bool is64)
{
    stw_le_p(f + 18, 40);   /* ARM */
}
static void dmg_wrap(uint8_t *f, size_t *size, bool is64)
{
    if (is64) {
        stq_le_p(f + 64 + 56 + 24, 0xfffffffffffff000ULL);
    } else {
        stl_le_p(f + 52 + 32 + 12, 0xfffff000);
    }
}
static void dmg_short_header(uint8_t *f, size_t *size, bool is64)
{
    *size = 40;
}

static const struct {
    const char *name;
    Damage *fn;
    const char *msg;
} damages[] = {
    { "truncated-phdrs", dmg_truncate_phdrs, "program headers" },
    { "phoff", dmg_phoff, "program headers" },
    { "phnum", dmg_phnum, "program headers" },
    { "phentsize", dmg_phentsize, "program header size" },
    { "segment-offset", dmg_seg_offset, "beyond the file" },
    { "filesz", dmg_filesz, "larger than memory size" },
    { "overlap", dmg_overlap, "overlap" },
    { "class", dmg_class, "class" },
    { "endian", dmg_endian, "little-endian" },
    { "type", dmg_type, "not an ELF executable" },
    { "machine", dmg_machine, "not an x86" },
    { "wrap", dmg_wrap, "wrap" },
    { "short-header", dmg_short_header, "truncated ELF" },
};

static void test_elf_parse_bad(void)
{
    for (unsigned k = 0; k < ARRAY_SIZE(damages); k++) {
        for (int is64 = 0; is64 < 2; is64++) {
            size_t size;
            g_autofree uint8_t *f = two_segment_elf(is64, &size);
            g_autoptr(GError) err = NULL;
            ElfImage img;

            damages[k].fn(f, &size, is64);
            if (g_test_verbose()) {
                g_test_message("damage %s, ELF%d", damages[k].name,
                               is64 ? 64 : 32);
            }
            g_assert_false(elf_parse("bad.elf", f, size, &img, &err));
            g_assert_nonnull(err);
            g_assert_nonnull(strstr(err->message, "bad.elf"));
            if (!strstr(err->message, damages[k].msg)) {
                g_error("damage %s: message '%s' lacks '%s'",
                        damages[k].name, err->message, damages[k].msg);
            }
            g_assert_null(img.loads);
        }
    }
}

static void test_elf_notes(void)
{
    TestElf *e = test_elf_new(true, ELF_EM_X86_64, 0x100000);
    g_autoptr(GByteArray) n1 = test_elf_note("GNU", 3, "abcdefgh", 8);
    g_autoptr(GByteArray) n2 = test_elf_note("Xen", 18, "\x10\x00\x10\x00",
                                             4);
    g_autoptr(GByteArray) both = g_byte_array_new();
    g_autoptr(GByteArray) bad = test_elf_note("Xen", 5, "zz", 2);
    uint8_t code[16] = { 0 };
    g_autofree uint8_t *f = NULL;
    size_t size;
    ElfImage img;
    const uint8_t *desc;
    uint32_t dsz;

    g_byte_array_append(both, n1->data, n1->len);
    g_byte_array_append(both, n2->data, n2->len);
    /* A note whose descsz runs past its segment ends the search there. */
    stl_le_p(bad->data + 4, 0x1000);
    test_elf_add(e, ELF_PT_LOAD, 0x100000, 0x100000, code, 16, 16);
    test_elf_add(e, ELF_PT_NOTE, 0, 0, bad->data, bad->len, bad->len);
    test_elf_add(e, ELF_PT_NOTE, 0, 0, both->data, both->len, both->len);
    f = test_elf_build(e, &size);
    test_elf_free(e);
    g_assert_true(elf_parse("n", f, size, &img, NULL));
    g_assert_cmpuint(img.notes->len, ==, 2);
    g_assert_true(elf_find_note(f, size, &img, "Xen", 18, &desc, &dsz));
    g_assert_cmpuint(dsz, ==, 4);
    g_assert_cmphex(ldl_le_p(desc), ==, 0x100010);
    g_assert_true(elf_find_note(f, size, &img, "GNU", 3, &desc, &dsz));
    g_assert_cmpmem(desc, dsz, "abcdefgh", 8);
    g_assert_false(elf_find_note(f, size, &img, "Xen", 5, &desc, &dsz));
    g_assert_false(elf_find_note(f, size, &img, "Xe", 18, &desc, &dsz));
    elf_image_free(&img);
}

static void test_rom_reset(void)
{
    static const uint8_t blob[] = "kernel bytes";
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *back = NULL;
    const RomBlob *r;

    boot_test_machine(64 * MiB);
    boot_test_fill(0x200000, 0xcc, 0x2000);
    rom_add_blob("k", blob, sizeof(blob), 0x1000, 0x200000);
    g_assert_cmpuint(rom_count(), ==, 1);
    r = rom_find("k");
    g_assert_nonnull(r);
    g_assert_cmphex(r->addr, ==, 0x200000);
    g_assert_true(rom_check_overlaps(&err));
    /* A machine reset writes the blob and zeros its tail (bss)... */
    system_reset(SHUTDOWN_CAUSE_NONE);
    back = boot_test_read(0x200000, 0x1001);
    g_assert_cmpmem(back, sizeof(blob), blob, sizeof(blob));
    for (unsigned i = sizeof(blob); i < 0x1000; i++) {
        g_assert_cmpuint(back[i], ==, 0);
    }
    g_assert_cmpuint(back[0x1000], ==, 0xcc);     /* not beyond it */
    /* ...again after the guest overwrote it. */
    boot_test_fill(0x200000, 0x55, 0x1000);
    system_reset(SHUTDOWN_CAUSE_NONE);
    g_free(back);
    back = boot_test_read(0x200000, 0x1000);
    g_assert_cmpmem(back, sizeof(blob), blob, sizeof(blob));
    g_assert_cmpuint(back[0x800], ==, 0);

    /* Blobs also fill ROM. */
    rom_add_blob("r", "RSD PTR ", 8, 8, 0xe0000);
    rom_reset_all();
    g_assert_cmphex(boot_test_ldq(0xe0000), ==, ldq_le_p("RSD PTR "));

    /* Overlaps are refused with both names. */
    rom_add_blob("other", blob, 4, 4, 0x201000);
    g_assert_true(rom_check_overlaps(&err));
    rom_add_blob("clash", blob, 4, 4, 0x200800);
    g_assert_false(rom_check_overlaps(&err));
    g_assert_nonnull(strstr(err->message, "k (0x200000-0x200fff)"));
    g_assert_nonnull(strstr(err->message, "clash"));
    rom_clear_all();
    g_assert_cmpuint(rom_count(), ==, 0);
}

static void test_load_file(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = boot_test_tmpfile("lf", "0123456789", 10);
    g_autofree char *empty = boot_test_tmpfile("lfe", "", 0);
    uint8_t *data = NULL;
    size_t size;

    boot_test_machine(16 * MiB);
    g_assert_true(load_file(path, false, 10, &data, &size, &err));
    g_assert_cmpuint(size, ==, 10);
    g_assert_cmpmem(data, size, "0123456789", 10);
    g_free(data);
    g_assert_false(load_file(path, false, 9, &data, &size, &err));
    g_assert_nonnull(strstr(err->message, "too large"));
    g_clear_error(&err);
    g_assert_false(load_file("/nonexistent/x", false, 9, &data, &size, &err));
    g_assert_nonnull(strstr(err->message, "No such file"));
    g_clear_error(&err);
    g_assert_false(load_file("/", false, 9, &data, &size, &err));
    g_assert_nonnull(strstr(err->message, "directory"));
    g_clear_error(&err);
    g_assert_false(load_file(empty, false, 9, &data, &size, &err));
    g_assert_nonnull(strstr(err->message, "empty"));
    g_clear_error(&err);
    g_assert_true(load_file(empty, true, 9, &data, &size, &err));
    g_assert_cmpuint(size, ==, 0);
    g_free(data);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loader/elf/parse", test_elf_parse_ok);
    g_test_add_func("/loader/elf/bad", test_elf_parse_bad);
    g_test_add_func("/loader/elf/notes", test_elf_notes);
    g_test_add_func("/loader/rom/reset", test_rom_reset);
    g_test_add_func("/loader/file", test_load_file);
    return g_test_run();
}
